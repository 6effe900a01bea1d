"""Findings as structured data: the reason codes are closed, documented, worded, and the reports read only them.

* every reason and record code an assessment of a bundled example emits is in
  ``results.REASON_CODES`` / ``RECORD_CODES``, with only the parameters listed
  there;
* every listed code has wording in ``compliance/report/wording.py`` and a row in
  ``docs/reason-codes.md`` naming each of its parameters;
* every bundled example renders in every registered format and view;
* no renderer parses the words of a finding: the source is checked for string
  searches on result text, and the challenge view finds the same weaknesses
  when every reason and record is worded differently;
* the JSON carries ``schema_version`` 2 and round-trips.
"""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from pathlib import Path

import pytest

import compliance
from compliance.report import challenge, formats, wording
from compliance.report.terminal import make_console
from compliance.results import RECORD_CODES, REASON_CODES, SCHEMA_VERSION, Assessment, RecordRef

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
DOC = (ROOT / "docs" / "reason-codes.md").read_text(encoding="utf-8")
TODAY = "2021-07-15"


@cache
def assessed(name: str) -> Assessment:
    return compliance.assess(ROOT / "examples" / name)


def _walk(a: Assessment) -> tuple[list[tuple[str, str, dict[str, object]]], list[RecordRef]]:
    reasons: list[tuple[str, str, dict[str, object]]] = []
    records: list[RecordRef] = []
    for s in a.schemes:
        for sec in s.sections:
            for r in sec.requirements:
                reasons.append(("requirement", r.reason.code, dict(r.reason.params)))
                records.extend(r.records)
                for leaf in r.measurements:
                    reasons.append(("leaf", leaf.reason.code, dict(leaf.reason.params)))
                    records.extend(leaf.records)
    return reasons, records


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_emitted_code_is_listed_with_its_parameters(path: Path) -> None:
    reasons, records = _walk(assessed(path.name))
    for where, code, params in reasons:
        assert code in REASON_CODES, f"{where} reason {code!r} is not in REASON_CODES"
        allowed = set(REASON_CODES[code]) | ({"measurements"} if where == "requirement" else set())
        assert set(params) <= allowed, f"{code}: parameters {sorted(set(params) - allowed)} not listed"
    for rec in records:
        assert rec.code in RECORD_CODES, f"record {rec.id} has code {rec.code!r}, not in RECORD_CODES"
        assert set(rec.params) <= set(RECORD_CODES[rec.code]), rec


def test_every_requirement_names_the_measurements_that_decided_it() -> None:
    for path in EXAMPLES:
        for s in assessed(path.name).schemes:
            for sec in s.sections:
                for r in sec.requirements:
                    if r.reason.code == "not_in_force":
                        continue
                    picked = r.reason.params["measurements"]
                    assert isinstance(picked, list) and picked, r.id
                    assert r.reason.code == r.measurements[int(picked[0])].reason.code, r.id


def test_the_examples_between_them_emit_the_common_codes() -> None:
    """The list is not decoration: the examples exercise the codes a board report most often shows."""
    seen = {code for path in EXAMPLES for _, code, _ in _walk(assessed(path.name))[0]}
    for code in ("holds", "below_threshold", "late", "missed_window", "self_attested", "signed_outside_period",
                 "not_attested", "small_numbers", "missing_evidence", "no_records", "above_trajectory"):
        assert code in seen, code


@pytest.mark.parametrize("code", sorted(REASON_CODES))
def test_every_reason_code_is_worded_and_documented(code: str) -> None:
    assert code in wording.REASON_WORDS, f"{code} has no wording"
    row = next((line for line in DOC.splitlines() if line.startswith(f"| `{code}` |")), None)
    assert row is not None, f"docs/reason-codes.md has no row for {code}"
    for param in REASON_CODES[code]:
        assert f"`{param}`" in row, f"docs/reason-codes.md: {code} does not name its parameter {param}"


@pytest.mark.parametrize("code", sorted(RECORD_CODES))
def test_every_record_code_is_worded_and_documented(code: str) -> None:
    assert code in wording.RECORD_WORDS, f"record code {code} has no wording"
    fields = set(re.findall(r"\{(\w+)\}", wording.RECORD_WORDS[code])) - {"days", "covering"}
    assert fields <= set(RECORD_CODES[code]), f"{code} is worded with parameters it does not have: {fields - set(RECORD_CODES[code])}"
    rows = [line for line in DOC.split("## Record codes", 1)[1].splitlines() if line.startswith(f"| `{code}` |")]
    assert rows, f"docs/reason-codes.md has no record row for {code}"
    for param in RECORD_CODES[code]:
        assert f"`{param}`" in rows[0]


def test_wording_has_no_code_that_is_not_listed() -> None:
    assert set(wording.REASON_WORDS) == set(REASON_CODES)
    assert set(wording.RECORD_WORDS) == set(RECORD_CODES)


def _render_all(a: Assessment) -> dict[str, str | bytes]:
    out: dict[str, str | bytes] = {}
    for fmt in formats.registered():
        for view, subject in (("assessment", a), ("challenge", a), ("assessments", [a]), ("challenges", [a])):
            if not fmt.shows(view):  # type: ignore[arg-type]
                continue
            rendered = fmt.render(view, subject)  # type: ignore[arg-type]
            if callable(rendered) and not isinstance(rendered, (str, bytes)):
                console = make_console(width=80)
                rendered(console)
                rendered = console.file.getvalue()  # type: ignore[attr-defined]
            out[f"{fmt.name}:{view}"] = rendered
    return out


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_renders_in_every_format(path: Path) -> None:
    rendered = _render_all(assessed(path.name))
    assert {"terminal:assessment", "json:assessment", "markdown:assessment", "html:assessment"} <= set(rendered)
    for key, text in rendered.items():
        assert text, key


def test_a_code_without_wording_fails_the_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """The meta-test above would catch a code with no words: rendering needs them."""
    monkeypatch.delitem(wording.REASON_WORDS, "late")
    with pytest.raises(KeyError):
        _render_all(assessed("mis_late_pmrt.json"))


#: Result fields that hold words (scheme text, an evaluator's figure or note): a renderer may show them, never search them.
_WORDS_FIELDS = {"display", "note", "shortfall", "describe", "title", "text", "explanation", "outcome", "threshold_words",
                 "threshold_shown", "remediation", "action_plan", "na_reason", "unstable"}
_SEARCHES = {"startswith", "endswith", "find", "rfind", "index", "count", "split", "partition", "lower", "search", "match", "findall"}


def _names_words(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr in _WORDS_FIELDS for n in ast.walk(node))


def test_no_renderer_searches_the_words_of_a_finding() -> None:
    offenders = []
    for path in sorted((ROOT / "compliance" / "report").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
                if any(_names_words(c) for c in node.comparators) and isinstance(node.left, ast.Constant):
                    offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SEARCHES:
                if _names_words(node.func.value) or any(_names_words(arg) for arg in node.args):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, f"renderers search result text instead of reading codes: {offenders}"


def test_the_challenge_view_does_not_depend_on_the_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reword every reason and record: the challenge view finds the same weaknesses of the same kinds."""
    def kinds() -> list[tuple[str, str, str]]:
        return [(item.section.id, w.kind, w.requirement) for path in EXAMPLES for item in challenge.build(assessed(path.name)) for w in item.weaknesses]

    before = kinds()
    assert any(kind not in ("unverified", "gap") for _, kind, _ in before)
    for code in wording.REASON_WORDS:
        monkeypatch.setitem(wording.REASON_WORDS, code, f"reworded {code}")
    for code in wording.RECORD_WORDS:
        monkeypatch.setitem(wording.RECORD_WORDS, code, f"reworded record {code}")
    assert kinds() == before


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_json_is_schema_2_and_round_trips(path: Path) -> None:
    a = assessed(path.name)
    data = json.loads(a.model_dump_json())
    assert data["schema_version"] == SCHEMA_VERSION == "2"
    assert Assessment.model_validate(data) == a
    for s in data["schemes"]:
        for sec in s["sections"]:
            assert "explanation" not in sec
            for r in sec["requirements"]:
                assert "explanation" not in r and set(r["reason"]) == {"code", "params"}


def test_diff_refuses_a_schema_1_assessment(tmp_path: Path) -> None:
    from compliance.report.diff import load_side

    data = json.loads(assessed("mis_late_pmrt.json").model_dump_json())
    data["schema_version"] = "1"
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(compliance.ComplianceError) as info:
        load_side(str(old))
    assert "U031" in str(info.value) or "schema_version" in str(info.value)


def test_diff_lists_a_gap_whose_reason_changed() -> None:
    """Same status, another reason code: diff says so, comparing codes (never sentences)."""
    from compliance.report.diff import compare, render_markdown

    data = json.loads((ROOT / "examples" / "mis_late_pmrt.json").read_text(encoding="utf-8"))
    data["attestations"]["obstetric_workforce"]["attested"] = False
    old = compliance.assess(data)
    data["attestations"]["obstetric_workforce"].update(attested=True, board_approved_on="2020-06-01")
    data["counts"]["supernumerary_coordinator_shifts"]["numerator"] = 500
    new = compliance.assess(data)
    ch = compare(old, new)
    assert [(c.id, c.old_reason, c.new_reason) for c in ch.reasons] == [("MIS-Y3-SA4.a", "not_attested", "signed_outside_period")]
    assert any(c.id == "MIS-Y3-SA5.c" and c.new_reason == "below_threshold" for c in ch.newly_unmet)
    text = render_markdown(ch)
    assert "Same status, another reason" in text and "(signed outside the period)" in text
