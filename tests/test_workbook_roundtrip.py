"""A workbook and the equivalent JSON give the same assessment, and converting there and back keeps every value.

* every bundled example, converted to a workbook, assesses to the same JSON
  assessment as the original file (all but ``source``, the file's own name);
* converting it back (to JSON and to YAML) gives the same evidence;
* random valid evidence survives JSON -> workbook -> evidence unchanged (a property test).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from _workbooks import EXAMPLES, TODAY, TODAY_DATE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import compliance
from compliance import cli
from compliance.evidence.export import load_as_given, plain
from compliance.evidence.sheets import LIST_SHEETS
from compliance.report import template_xlsx

NAMES = sorted(p.name for p in EXAMPLES.glob("*.json"))


def _today(name: str) -> str:
    """TODAY, or for an example submitted later (the Year 4 trusts, July 2022) its submission date."""
    submitted = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))["submitted_on"]
    return max(TODAY, submitted)


def _assess_json(run_dir: Path, evidence: Path, today: str = TODAY) -> dict[str, Any]:
    out = run_dir / f"{evidence.name}.assessment.json"
    code = cli.main(["assess", str(evidence), "--today", today, "--format", "json", "-o", str(out)])
    assert code in (0, 1)
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    assert data.pop("source") == str(evidence)
    return data


def _no_nulls(value: Any) -> Any:
    """Data without its nulls: a converted file writes 'not yet filled' (null) where the original left an item out.

    A section with nothing in it once its nulls are gone (``series`` of a trust that gave no
    monthly counts, whose lists the workbook still offers) is the same as one not given.
    """
    if isinstance(value, dict):
        kept = {k: _no_nulls(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in kept.items() if v != {}}
    if isinstance(value, list):
        return [_no_nulls(v) for v in value]
    return value


@pytest.mark.parametrize("name", NAMES)
def test_each_example_as_a_workbook_assesses_the_same(name: str, tmp_path: Path) -> None:
    original = EXAMPLES / name
    workbook = tmp_path / name.replace(".json", ".xlsx")
    today = _today(name)
    assert cli.main(["convert", str(original), "-o", str(workbook), "--today", today]) == 0
    assert _assess_json(tmp_path, workbook, today) == _assess_json(tmp_path, original, today)


@pytest.mark.parametrize("name", NAMES)
def test_each_example_converts_to_a_workbook_and_back_unchanged(name: str, tmp_path: Path) -> None:
    original = EXAMPLES / name
    workbook = tmp_path / "trust.xlsx"
    today = _today(name)
    day = dt.date.fromisoformat(today)
    assert cli.main(["convert", str(original), "-o", str(workbook), "--today", today]) == 0
    for suffix in (".json", ".yaml"):
        back = tmp_path / f"back{suffix}"
        assert cli.main(["convert", str(workbook), "-o", str(back), "--today", today]) == 0
        ev, data = load_as_given(back, today=day)
        assert _no_nulls(plain(data)) == _no_nulls(json.loads(original.read_text(encoding="utf-8")))
        assert ev.model_dump() == compliance.load_evidence(original, today=day).model_dump()


def test_the_same_evidence_gives_the_same_workbook_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for out in (a, b):
        assert cli.main(["convert", str(EXAMPLES / "mis_compliant.json"), "-o", str(out), "--today", TODAY]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_evidence_no_scheme_reads_is_kept_on_other_evidence(tmp_path: Path) -> None:
    data = json.loads((EXAMPLES / "mis_compliant.json").read_text(encoding="utf-8"))
    data["teams"] = {"coc": [{"name": "Rose team", "midwives_headcount": 8}]}  # CoC teams: no MIS section reads them
    src = tmp_path / "with_teams.json"
    src.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "with_teams.xlsx"
    assert cli.main(["convert", str(src), "-o", str(out), "--today", TODAY]) == 0
    import openpyxl

    wb = openpyxl.load_workbook(out)
    assert "Other evidence" in wb.sheetnames and LIST_SHEETS["teams.coc"] in wb.sheetnames
    ev, back = load_as_given(out, today=TODAY_DATE)
    assert back["teams"] == {"coc": [{"name": "Rose team", "midwives_headcount": 8}]}


# ------------------------------------------------------------------ random valid evidence

EXAMPLE = json.loads((EXAMPLES / "mis_compliant.json").read_text(encoding="utf-8"))
PERIOD_START, SUBMITTED = dt.date(2020, 10, 1), dt.date(2021, 7, 14)
MIS = [compliance.load_scheme("mis-y3")]

text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=24).filter(lambda s: s.strip() == s and bool(s))
day = st.integers(0, (SUBMITTED - PERIOD_START).days).map(lambda n: PERIOD_START + dt.timedelta(days=n))


def _death(i: int, died: dt.date, gaps: list[int | None], informed: bool | None, category: str, flags: list[bool]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": f"PD-{i}", "died_on": died.isoformat(), "category": category}
    for name, gap in zip(("notified_on", "surveillance_completed_on", "review_started_on", "draft_report_on", "final_report_on"), gaps):
        if gap is not None:
            out[name] = min(died + dt.timedelta(days=gap), SUBMITTED).isoformat()
    if informed is not None:
        out["parents_informed"] = informed
    for name, flag in zip(("born_in_trust", "died_in_trust", "suitable_for_review"), flags):
        if not flag:
            out[name] = False
    return out


death = st.builds(
    _death,
    st.integers(0, 10_000),
    day,
    st.lists(st.one_of(st.none(), st.integers(0, 200)), min_size=5, max_size=5),
    st.one_of(st.none(), st.booleans()),
    st.sampled_from(["late_fetal_loss", "stillbirth", "neonatal_death", "post_neonatal_death"]),
    st.lists(st.booleans(), min_size=3, max_size=3),
)


@st.composite
def random_evidence(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    for section in ("counts", "groups", "events", "attestations", "figures"):
        items = data.get(section, {})
        for key in sorted(items):
            if draw(st.integers(0, 4)) == 0:
                del items[key]
            elif section == "counts" and draw(st.booleans()):
                if draw(st.integers(0, 5)) == 0:
                    items[key] = {"suppressed": True, "source": draw(text)}
                else:
                    den = draw(st.integers(0, 5000))
                    items[key] = {"numerator": draw(st.integers(0, den)), "denominator": den, "as_of": draw(day).isoformat()}
            elif section == "groups" and draw(st.booleans()):
                names = draw(st.lists(text, min_size=0, max_size=4, unique=True))
                items[key] = {n: {"numerator": 1, "denominator": draw(st.integers(1, 50))} for n in names}
            elif section == "attestations" and draw(st.booleans()):
                items[key] = {"attested": draw(st.booleans()), "note": draw(text), "document": {"title": draw(text), "reference": draw(text)}}
            elif section == "events" and draw(st.booleans()):
                items[key] = [{"date": draw(day).isoformat(), "title": draw(text)} for _ in range(draw(st.integers(0, 3)))]
    if draw(st.booleans()):
        data["figures"]["coc_plan_target_percent"] = draw(st.floats(1.5, 100, allow_nan=False).map(lambda x: round(x, 3)))
    data.setdefault("cases", {})["perinatal_deaths"] = draw(st.lists(death, max_size=6, unique_by=lambda d: d["id"]))
    data["trust"]["name"] = draw(text)
    if draw(st.booleans()):
        data["submitted_by"]["role"] = None  # a blank: not yet filled
    return data


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=random_evidence())
def test_random_valid_evidence_survives_a_workbook(data: dict[str, Any], tmp_path: Path) -> None:
    src = tmp_path / "evidence.json"
    src.write_text(json.dumps(data), encoding="utf-8")
    before, given_data = load_as_given(src, today=TODAY_DATE)
    out = tmp_path / "evidence.xlsx"
    out.write_bytes(template_xlsx.render(MIS, given_data))
    after, back = load_as_given(out, today=TODAY_DATE)
    assert after.model_dump() == before.model_dump()
    assert after.blanks == before.blanks or set(before.blanks) <= set(after.blanks)
    assert _no_nulls(plain(back)) == _no_nulls(plain(given_data))
