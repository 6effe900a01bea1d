"""The disk cache of checked schemes: a hit gives the same scheme and the same verdicts,
and anything doubtful (a changed file, changed code, a corrupt entry, an unwritable
directory, a scheme with errors) falls back to the full loader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from _helpers import EXAMPLES

from compliance import SchemeError, assess
from compliance.evaluators.base import REGISTRY
from compliance.schemes import cache, loader

BUNDLED = Path(loader.builtin_path("continuity-of-carer"))


@pytest.fixture()
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(where))
    monkeypatch.setattr(loader, "_BUILTIN_CACHE", {})
    return where


def _no_full_load(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("the full loader ran although the cache holds this scheme")

    monkeypatch.setattr(loader, "scheme_from_document", refuse)


def _scheme_copy(tmp_path: Path, title: str = "Continuity of Carer (copy)") -> Path:
    path = tmp_path / "coc.yaml"
    text = BUNDLED.read_text(encoding="utf-8")
    head, sep, rest = text.partition("\ntitle:")
    assert sep, "the bundled scheme has a top-level title line"
    path.write_text(head + f"\ntitle: {title}\n" + rest.split("\n", 1)[1], encoding="utf-8")
    return path


def test_a_hit_gives_the_same_scheme_and_leaves(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = loader.load_scheme("mis-y3")
    assert len(list(cache_dir.glob("scheme-*.json"))) == 1
    first_leaves = first.leaves

    monkeypatch.setattr(loader, "_BUILTIN_CACHE", {})
    _no_full_load(monkeypatch)
    again = loader.load_scheme("mis-y3")
    assert again is not first
    assert again == first
    leaves = again.leaves
    assert again._runner is None  # the engine's rulesets are never stored
    assert [(s.path, s.params) for s in leaves] == [(s.path, s.params) for s in first_leaves]
    # Evaluators are singletons: the cached leaves point at the registered ones.
    assert all(s.evaluator is REGISTRY[s.evaluator.kind] for s in leaves)


def test_verdicts_are_identical_from_a_cold_and_a_warm_cache(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    example = EXAMPLES / "mis_late_pmrt.json"
    cold = assess(example).model_dump_json()
    assert list(cache_dir.glob("scheme-*.json"))
    monkeypatch.setattr(loader, "_BUILTIN_CACHE", {})
    _no_full_load(monkeypatch)
    assert assess(example).model_dump_json() == cold


def test_a_changed_file_is_loaded_afresh(cache_dir: Path, tmp_path: Path) -> None:
    path = _scheme_copy(tmp_path, "First title")
    assert loader.load_scheme(path).title == "First title"
    _scheme_copy(tmp_path, "Second title")
    assert loader.load_scheme(path).title == "Second title"
    assert len(list(cache_dir.glob("scheme-*.json"))) == 2


def test_changed_code_misses(cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _scheme_copy(tmp_path)
    loader.load_scheme(path)
    calls = []
    real = loader.scheme_from_document
    monkeypatch.setattr(loader, "scheme_from_document", lambda doc: calls.append(doc) or real(doc))
    monkeypatch.setattr(cache, "_code_stamp", lambda: b"another version of the checker")
    loader.load_scheme(path)
    assert len(calls) == 1


def test_a_corrupt_entry_is_ignored_and_replaced(cache_dir: Path, tmp_path: Path) -> None:
    path = _scheme_copy(tmp_path)
    expected = loader.load_scheme(path)
    (entry,) = cache_dir.glob("scheme-*.json")
    entry.write_bytes(b"\x80\x05 not an entry at all")
    assert loader.load_scheme(path) == expected
    assert cache._decode(entry.read_bytes(), entry.name[len("scheme-"):-len(".json")], loader.builtin_schemes()) == expected


def test_an_unwritable_cache_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(blocker / "cache"))
    path = _scheme_copy(tmp_path)
    assert loader.load_scheme(path).id == "continuity-of-carer"
    assert cache.fetch(path.read_bytes(), loader.builtin_schemes()) is None


def test_no_cache_when_turned_off(cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLIANCE_NO_CACHE", "1")
    assert cache.cache_dir() is None
    loader.load_scheme(_scheme_copy(tmp_path))
    assert not cache_dir.exists()


def test_a_scheme_with_errors_is_never_cached(cache_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    shutil.copy(BUNDLED, path)
    path.write_text(path.read_text(encoding="utf-8").replace("\ntitle:", "\ntitel:", 1), encoding="utf-8")
    for _ in range(2):  # the second load reports the same error, with its position
        with pytest.raises(SchemeError) as err:
            loader.load_scheme(path)
        assert "unknown key 'titel'" in str(err.value)
        assert f"{path}:" in err.value.render()
    assert not list(cache_dir.glob("scheme-*.json"))


def test_old_entries_are_pruned(cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    path = _scheme_copy(tmp_path)
    for title in ("One", "Two", "Three"):
        _scheme_copy(tmp_path, title)
        loader.load_scheme(path)
    kept = [json.loads(p.read_bytes().partition(b"\n")[2])["title"] for p in cache_dir.glob("scheme-*.json")]
    assert sorted(kept) == ["Three", "Two"]


def test_the_cache_directory_is_private(cache_dir: Path, tmp_path: Path) -> None:
    loader.load_scheme(_scheme_copy(tmp_path))
    assert cache_dir.stat().st_mode & 0o077 == 0
