"""``assess(requirements=False)``: an overview's slice, decided by the same firing as the whole tree.

The multi-trust overview reads no requirement result, so a batch need not
build them (they are most of an assessment's cost).  Everything the slice
keeps must equal the whole assessment's, for every example, with and without
parameter overrides.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import compliance
from compliance.batch import shape
from compliance.results import Assessment

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
TODAY = dt.date(2026, 12, 1)


def _slice(a: Assessment) -> Assessment:
    """The whole assessment cut down to what the summary keeps (``batch.shape``'s slice of a built tree)."""
    return shape(a, "summary")[1]  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_summary_equals_the_whole_assessment_cut_down(path: Path) -> None:
    every = sorted(compliance.builtin_schemes())
    whole = compliance.assess(path, schemes=every, today=TODAY)
    summary = compliance.assess(path, schemes=every, today=TODAY, requirements=False)
    assert summary.model_dump_json() == _slice(whole).model_dump_json()
    assert all(not sec.requirements for s in summary.schemes for sec in s.sections)


def test_the_summary_counts_unverified_requirements_as_the_whole_tree_does() -> None:
    # An override of an unconfirmed parameter: the count of requirements resting on unverified values must not move.
    path = ROOT / "examples" / "mis_many_gaps.json"
    whole = compliance.assess(path, schemes=["mis-y3"], today=TODAY)
    summary = compliance.assess(path, schemes=["mis-y3"], today=TODAY, requirements=False)
    counted = [sum(1 for sec in s.sections for r in sec.requirements if r.rests_on_unverified) for s in whole.schemes]
    assert [s.unverified_requirements for s in summary.schemes] == counted
    assert all(n > 0 for n in counted)


def test_the_summary_with_an_override_decides_as_the_whole_tree_does() -> None:
    path = ROOT / "examples" / "mis_compliant.json"
    params = {"MIS.Y3.SA1.b.coverage": 100}  # stricter than the default 95: verdicts may move, alike in both
    whole = compliance.assess(path, schemes=["mis-y3"], params=params, today=TODAY)
    summary = compliance.assess(path, schemes=["mis-y3"], params=params, today=TODAY, requirements=False)
    assert summary.model_dump_json() == _slice(whole).model_dump_json()
    assert whole.scheme("mis-y3").parameter_overrides  # the whole tree lists the override; the slice, as before, does not


def test_a_batch_overview_builds_no_requirement_result(monkeypatch: pytest.MonkeyPatch) -> None:
    from compliance import batch
    from compliance.assessment import findings

    def refuse(*_args: object) -> None:
        raise AssertionError("a requirement result was built for an overview")

    monkeypatch.setattr(findings, "requirement_result", refuse)
    files = [ROOT / "examples" / "mis_compliant.json", ROOT / "examples" / "mis_many_gaps.json"]
    outcomes = batch.assess_files(files, None, lambda _ids: None, None, "summary", TODAY)
    assert [type(o).__name__ for o in outcomes] == ["Done", "Done"]
    assert [o.value.status for o in outcomes if isinstance(o, batch.Done)] == ["met", "not_met"]
