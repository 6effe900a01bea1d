"""Strict and honest evidence intake (issue 10): what the loader refuses, and what it sets aside.

* nesting and YAML alias expansion are limited, with exit 2 and a located message.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

import compliance
from compliance.source import MAX_DEPTH

ROOT = Path(__file__).resolve().parents[1]
BASE: dict[str, Any] = {
    "trust": {"name": "X", "ods_code": "RXX"},
    "period": {"start": "2020-10-01", "end": "2021-07-15"},
    "submitted_by": {"name": "A", "role": "B"},
    "submitted_on": "2021-07-14",
}


# ------------------------------------------------------------------ 6. depth and size limits


def _nested_json(depth: int) -> str:
    return json.dumps(BASE)[:-1] + ', "schemes": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1, 1_000, 100_000])
def test_deep_json_is_refused_with_its_position(tmp_path, depth):
    path = tmp_path / "deep.json"
    text = _nested_json(depth)
    path.write_text(text)
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    problems = info.value.problems
    # ``schemes`` is the second level: its lists may go MAX_DEPTH - 1 deeper.
    if depth < MAX_DEPTH:
        assert "E007" not in {p.code for p in problems}
        return
    (p,) = problems
    assert p.code == "E007" and p.message == f"nested too deeply (more than {MAX_DEPTH} levels)"
    assert (p.location.line, p.location.column) == (1, text.index("[") + MAX_DEPTH)  # the 65th open bracket (1-based column)


def test_just_deep_enough_json_is_not_refused_for_depth(tmp_path):
    path = tmp_path / "ok.json"
    path.write_text(_nested_json(MAX_DEPTH - 1))  # 1 (the top) + MAX_DEPTH - 1 levels
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    assert [p.code for p in info.value.problems] == ["V013"]  # a list is not a scheme id: a type error, not depth


def test_brackets_inside_json_strings_do_not_count(tmp_path):
    path = tmp_path / "ok.json"
    path.write_text(json.dumps({**BASE, "events": {"mvp_meetings": [{"date": "2021-01-01", "title": "[" * 200}]}}))
    assert compliance.load_evidence(path).events.mvp_meetings is not None


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, 500, 100_000])
def test_deep_yaml_is_refused(tmp_path, depth):
    path = tmp_path / "deep.yaml"
    path.write_text("trust: {name: X, ods_code: RXX}\nschemes: " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    deep = [p for p in info.value.problems if p.code == "E007"]
    if depth < MAX_DEPTH:  # the top mapping and MAX_DEPTH - 1 lists: deep enough, not too deep
        assert deep == []
        return
    (p,) = deep
    assert p.message == f"nested too deeply (more than {MAX_DEPTH} levels)" and p.location.line == 2


def test_deep_block_yaml_is_refused(tmp_path):
    lines = ["trust: {name: X, ods_code: RXX}", "schemes:"]
    lines += [" " * (2 * i) + f"k{i}:" for i in range(1, 100)] + [" " * 200 + "x: 1"]
    path = tmp_path / "deep.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    (p,) = info.value.problems
    # The top mapping is level 1, the one under "schemes:" level 2 ... the one at k64 level 65.
    assert p.code == "E007" and p.location.line == 2 + MAX_DEPTH


def test_yaml_alias_bombs_are_refused_quickly(tmp_path):
    text = "trust: {name: X, ods_code: RXX}\na: &a [x, x, x, x, x, x, x, x, x]\n"
    prev = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    path = tmp_path / "lol.yaml"
    path.write_text(text)
    started = time.monotonic()
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    assert time.monotonic() - started < 5
    assert [p.code for p in info.value.problems] == ["E008"]


def test_modest_yaml_aliases_still_work(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text(
        "trust: {name: X, ods_code: RXX}\nperiod: {start: 2020-10-01, end: 2021-07-15}\n"
        "submitted_by: {name: A, role: B}\nsubmitted_on: 2021-07-14\n"
        "attestations:\n  tc_pathway: &yes {attested: true}\n  mvp_funding: *yes\n"
    )
    ev = compliance.load_evidence(path)
    assert ev.attestations.mvp_funding is not None and ev.attestations.mvp_funding.attested


def test_deep_scheme_files_are_refused_too(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("id: deep\nsections: " + "[" * 200 + "]" * 200 + "\n")
    with pytest.raises(compliance.SchemeError) as info:
        compliance.load_scheme(path)
    assert [p.code for p in info.value.problems] == ["E007"]


def test_bundled_schemes_are_far_from_the_depth_limit():
    import yaml

    from compliance.schemes.loader import builtin_path

    def depth(value: Any) -> int:
        if isinstance(value, dict):
            return 1 + max((depth(v) for v in value.values()), default=0)
        if isinstance(value, list):
            return 1 + max((depth(v) for v in value), default=0)
        return 0

    deepest = max(depth(yaml.safe_load(builtin_path(s).read_text())) for s in compliance.builtin_schemes())
    assert deepest <= MAX_DEPTH // 2, deepest
