"""The scheme cache cannot run code, uses only the user's own directory, and prunes only its own entries."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from compliance.schemes import cache, loader

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = Path(loader.builtin_path("continuity-of-carer"))


class _Planted:
    """Unpickling this creates the marker file: what an attacker's cache entry would do."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return exec, (f"open({str(self.marker)!r}, 'w').write('code ran')",)


@pytest.fixture()
def scheme_file(tmp_path: Path) -> Path:
    path = tmp_path / "coc.yaml"
    path.write_bytes(BUNDLED.read_bytes())
    return path


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "_BUILTIN_CACHE", {})
    monkeypatch.setattr(cache, "_NOTICED", set())


def _forged_entry(scheme_file: Path, title: str) -> bytes:
    """A well-formed data entry for ``scheme_file`` whose scheme says ``title``: a planted lie."""
    key = cache._key(scheme_file.read_bytes(), loader.builtin_schemes())
    real = loader.scheme_from_text(scheme_file.read_text(encoding="utf-8"))
    body = json.loads(real.model_dump_json(exclude_unset=True))
    body["title"] = title
    return json.dumps({"format": cache._FORMAT, "key": key}).encode() + b"\n" + json.dumps(body).encode()


def _plant_everywhere(where: Path, scheme_file: Path, marker: Path) -> None:
    """A code-running pickle under every name the cache could read for this scheme."""
    key = cache._key(scheme_file.read_bytes(), loader.builtin_schemes())
    blob = pickle.dumps(_Planted(marker))
    for name in (f"{key}.pickle", f"scheme-{key}.json", f"scheme-{key}.pickle"):
        (where / name).write_bytes(blob)


def test_a_planted_entry_in_a_directory_others_can_write_runs_nothing(
    tmp_path: Path, scheme_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(shared))
    marker = tmp_path / "marker"
    _plant_everywhere(shared, scheme_file, marker)
    planted = sorted(p.name for p in shared.iterdir())
    scheme = loader.load_scheme(scheme_file)
    assert scheme.id == "continuity-of-carer"
    assert not marker.exists()
    assert sorted(p.name for p in shared.iterdir()) == planted  # nothing written there either


def test_a_planted_pickle_in_the_users_own_directory_runs_nothing(tmp_path: Path, scheme_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries are data: even in a private directory a pickle is never unpickled (it is a miss, then replaced)."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(private))
    marker = tmp_path / "marker"
    _plant_everywhere(private, scheme_file, marker)
    expected = loader.scheme_from_text(scheme_file.read_text(encoding="utf-8"))
    for _ in range(2):  # the first load replaces the planted entry; the second reads what it wrote
        monkeypatch.setattr(loader, "_BUILTIN_CACHE", {})
        assert loader.load_scheme(scheme_file) == expected
    assert not marker.exists()
    (entry,) = private.glob("scheme-*.json")
    assert entry.read_bytes().startswith(b'{"format": "compliance-scheme-cache-3"')


@pytest.mark.parametrize("mode", [0o777, 0o1777, 0o770, 0o722], ids=lambda m: f"{m:04o}")
def test_a_directory_others_can_write_is_not_used_at_all(tmp_path: Path, scheme_file: Path, monkeypatch: pytest.MonkeyPatch, mode: int) -> None:
    """Not read (a forged data entry is not believed) and not written; the scheme is loaded in full."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(mode)
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(shared))
    key = cache._key(scheme_file.read_bytes(), loader.builtin_schemes())
    (shared / f"scheme-{key}.json").write_bytes(_forged_entry(scheme_file, "Forged title"))
    notices: list[str] = []
    monkeypatch.setattr(cache, "notify", notices.append)
    assert loader.load_scheme(scheme_file).title != "Forged title"
    assert [p.name for p in shared.iterdir()] == [f"scheme-{key}.json"]
    assert len(notices) == 1 and "can be written by other users" in notices[0] and str(shared) in notices[0]


def test_the_same_forged_entry_in_a_private_directory_is_what_a_hit_reads(tmp_path: Path, scheme_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control for the test above: the forged entry is well formed, so only the directory check kept it out."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(private))
    key = cache._key(scheme_file.read_bytes(), loader.builtin_schemes())
    (private / f"scheme-{key}.json").write_bytes(_forged_entry(scheme_file, "Forged title"))
    assert loader.load_scheme(scheme_file).title == "Forged title"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="making a directory another user owns needs root")
def test_a_directory_another_user_owns_is_not_used(tmp_path: Path, scheme_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o755)
    key = cache._key(scheme_file.read_bytes(), loader.builtin_schemes())
    (theirs / f"scheme-{key}.json").write_bytes(_forged_entry(scheme_file, "Forged title"))
    os.chown(theirs, 65534, 65534)
    os.chown(theirs / f"scheme-{key}.json", 65534, 65534)
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(theirs))
    notices: list[str] = []
    monkeypatch.setattr(cache, "notify", notices.append)
    assert loader.load_scheme(scheme_file).title != "Forged title"
    assert len(notices) == 1 and "owned by user id 65534" in notices[0]


def test_a_symbolic_link_as_an_entry_is_not_followed(tmp_path: Path, scheme_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(private))
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_bytes(_forged_entry(scheme_file, "Forged title"))
    key = cache._key(scheme_file.read_bytes(), loader.builtin_schemes())
    (private / f"scheme-{key}.json").symlink_to(elsewhere)
    assert loader.load_scheme(scheme_file).title != "Forged title"


def test_missing_directories_are_made_private_whatever_the_umask(tmp_path: Path, scheme_file: Path) -> None:
    """``umask 000`` must not leave open parents (another user could swap the cache under them)."""
    where = tmp_path / "a" / "b" / "schemes"
    code = "import os, sys; os.umask(0); from compliance.schemes import loader; loader.load_scheme(sys.argv[1])"
    env = {**os.environ, "COMPLIANCE_CACHE_DIR": str(where)}
    subprocess.run([sys.executable, "-c", code, str(scheme_file)], check=True, env=env, cwd=ROOT, timeout=120)
    for d in (tmp_path / "a", tmp_path / "a" / "b", where):
        assert d.stat().st_mode & 0o777 == 0o700, d
    assert len(list(where.glob("scheme-*.json"))) == 1


def test_pruning_touches_only_the_caches_own_entries(tmp_path: Path, scheme_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mine = tmp_path / "mine"
    mine.mkdir(mode=0o700)
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(mine))
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    unrelated = [mine / f"notes-{i}.pickle" for i in range(100)] + [mine / f"{i:064x}.pickle" for i in range(20)]
    unrelated += [mine / "scheme-not-a-key.json", mine / "data.json", mine / ".scheme-x.tmp"]
    for i, p in enumerate(unrelated):
        p.write_text(str(i), encoding="utf-8")
        os.utime(p, (1, 1))  # older than any entry: the first a careless prune would take
    text = scheme_file.read_text(encoding="utf-8")
    for n in range(5):
        scheme_file.write_text(text.replace("\ntitle:", f"\n# edit {n}\ntitle:", 1), encoding="utf-8")
        loader.load_scheme(scheme_file)
    assert all(p.exists() for p in unrelated)
    assert len(list(mine.glob("scheme-*.json"))) == 3  # the two kept, and the unrelated one with a foreign name


def test_the_default_location_is_the_platforms_user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv("COMPLIANCE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == Path(platformdirs.user_cache_dir("compliance", appauthor=False)) / "schemes"
    if sys.platform.startswith("linux"):
        assert cache.cache_dir() == tmp_path / "xdg" / "compliance" / "schemes"


def test_the_refusal_is_one_line_under_debug_and_silent_otherwise(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    env = {**os.environ, "COMPLIANCE_CACHE_DIR": str(shared)}
    argv = [sys.executable, "-m", "compliance", "explain", "MIS-Y3-SA1.b", "--scheme", "mis-y3"]
    quiet = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    loud = subprocess.run([*argv[:3], "--debug", *argv[3:]], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert quiet.returncode == loud.returncode == 0, loud.stderr
    assert quiet.stderr == ""
    assert loud.stderr.splitlines() == [f"compliance: not using the scheme cache {shared}: it can be written by other users (mode 0777)"]
    assert loud.stdout == quiet.stdout
