"""The generated workbooks, opened with openpyxl as a user's spreadsheet would open them: cells, validation rules, formats.

The template's sheets and the tracker's rows are pinned in this module's
snapshot file; the properties every workbook must have (typed dates, yes/no
dropdowns, frozen headers, help on every field) are checked on all of them.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from _workbooks import EXAMPLES, TODAY, column, convert

import compliance
from compliance import cli
from compliance.evidence.sheets import FORM_HEADERS, LIST_SHEETS
from compliance.report import template_xlsx, tracker_xlsx


def _rules(ws: Any) -> list[tuple[str, str, str | None, str | None, str]]:
    return sorted((dv.type, dv.operator or "", dv.formula1, dv.formula2, str(dv.sqref)) for dv in ws.data_validations.dataValidation)


def _dump(ws: Any, *, rows: int | None = None) -> str:
    """A sheet as text: its frozen pane, each row's values, and its validation rules."""
    lines = [f"[{ws.title}] frozen at {ws.freeze_panes}"]
    for r in ws.iter_rows(max_row=rows):
        values = [c.value for c in r]
        while values and values[-1] is None:
            values.pop()
        if values:
            lines.append(f"{r[0].row}: " + " | ".join("" if v is None else v.isoformat() if isinstance(v, dt.datetime | dt.date) else str(v) for v in values))
    lines += [f"  validation {t} {op} {f1} {f2} over {where}" for t, op, f1, f2, where in _rules(ws)]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def template() -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(template_xlsx.render([compliance.load_scheme("mis-y3")])))


def test_the_template_sheets_are_pinned(template: openpyxl.Workbook, snapshot: Any) -> None:
    assert template.sheetnames == snapshot(name="sheet names")
    for name in ("Cover", "MIS-Y3-SA1", "MIS-Y3-SA8", "Deaths", "Training maternity emergencies"):
        assert _dump(template[name]) == snapshot(name=name)


def test_the_template_opens_on_the_cover_with_the_header_frozen(template: openpyxl.Workbook) -> None:
    assert template.sheetnames[0] == "Cover"
    for ws in template.worksheets:
        assert ws.freeze_panes in ("B2", "C2"), ws.title


@pytest.mark.parametrize("scheme", ["mis-y3", "sblcbv2", "continuity-of-carer", "board-dashboard"])
def test_every_field_says_what_it_is_for_and_what_a_blank_does(scheme: str) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template_xlsx.render([compliance.load_scheme(scheme)])))
    forms = [ws for ws in wb.worksheets if ws.cell(row=1, column=6).value == "Key"]
    tables = [ws for ws in wb.worksheets if ws not in forms]
    assert forms and all(tuple(c.value for c in ws[1]) == FORM_HEADERS for ws in forms)
    assert {ws.title for ws in tables} <= set(LIST_SHEETS.values())
    for ws in forms:
        for row in ws.iter_rows(min_row=2):
            if row[5].value:  # a field: its effect and help are there
                assert row[3].value and row[4].value, (ws.title, row[0].row)
    for ws in tables:
        for cell in (c for c in ws[1] if c.value is not None):
            assert cell.comment is not None and cell.comment.text, (ws.title, cell.value)


def test_typed_cells_and_validation_in_a_converted_workbook(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(convert("mis_late_pmrt.json", tmp_path / "late.xlsx"))
    deaths = wb["Deaths"]
    died = deaths.cell(row=2, column=column(deaths, "Died on"))
    assert died.is_date and died.value == dt.datetime(2020, 10, 17) and died.number_format == "dd/mm/yyyy"
    rules = {(t, f1) for t, _, f1, _, _ in _rules(deaths)}
    assert ("list", '"yes,no"') in rules
    assert ("list", '"late_fetal_loss,stillbirth,neonatal_death,post_neonatal_death"') in rules
    cover = wb["Cover"]
    kinds = {(t, op, f1) for t, op, f1, _, _ in _rules(cover)}
    assert ("date", "between", "32874") in kinds and ("list", "", '"yes,no"') in kinds
    sa2 = wb["MIS-Y3-SA2"]
    assert ("whole", "greaterThanOrEqual", "0") in {(t, op, f1) for t, op, f1, _, _ in _rules(sa2)}
    numbers = [c.value for row in sa2.iter_rows(min_row=2) for c in row[1:2] if isinstance(c.value, int)]
    assert 561 in numbers  # a count is a number cell, never text


# ------------------------------------------------------------------ the tracker


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    out = tmp_path_factory.mktemp("tracker") / "actions.xlsx"
    assert cli.main(["assess", str(EXAMPLES / "mis_late_pmrt.json"), "--today", TODAY, "--format", "xlsx", "-o", str(out)]) == 1
    return openpyxl.load_workbook(out)


def test_the_tracker_rows_are_pinned(tracker: openpyxl.Workbook, snapshot: Any) -> None:
    assert tracker.sheetnames == [tracker_xlsx.SUMMARY, tracker_xlsx.ACTIONS, tracker_xlsx.RECORDS]
    for ws in tracker.worksheets:
        text = _dump(ws).replace(str(EXAMPLES), "examples")
        assert text == snapshot(name=ws.title)


def test_the_tracker_shows_status_by_word_and_colour(tracker: openpyxl.Workbook) -> None:
    actions = tracker[tracker_xlsx.ACTIONS]
    headers = [c.value for c in actions[1]]
    assert headers[-3:] == ["Owner", "Due date", "Progress"]
    statuses = {actions.cell(row=r, column=5).value for r in range(2, actions.max_row + 1)}
    assert "✘ not met" in statuses
    colours = {}
    for cf in actions.conditional_formatting:
        for rule in cf.rules:
            colours[rule.formula[0]] = rule.dxf.fill.fgColor.rgb
    assert colours['"✘ not met"'] != colours['"✔ met"']
    assert colours['"done"'].endswith("C6EFCE")
    rules = {(t, f1) for t, _, f1, _, _ in _rules(actions)}
    assert ("list", '"not started,in progress,done,blocked"') in rules and ("date", "32874") in rules
    for r in range(2, actions.max_row + 1):
        assert all(actions.cell(row=r, column=c).value is None for c in (12, 13, 14))  # left for the lead to fill
    records = tracker[tracker_xlsx.RECORDS]
    assert records.max_row > 1 and records.cell(row=2, column=4).value


def test_the_same_assessment_gives_the_same_tracker_bytes(tmp_path: Path) -> None:
    outs = []
    for n in range(2):
        out = tmp_path / f"t{n}.xlsx"
        cli.main(["assess", str(EXAMPLES / "mis_compliant.json"), "--today", TODAY, "--format", "xlsx", "-o", str(out)])
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_a_met_assessment_says_no_gaps(tmp_path: Path) -> None:
    out = tmp_path / "met.xlsx"
    assert cli.main(["assess", str(EXAMPLES / "mis_compliant.json"), "--scheme", "mis-y3", "--today", TODAY, "--format", "xlsx", "-o", str(out)]) in (0, 1)
    wb = openpyxl.load_workbook(out)
    texts = [c.value for row in wb[tracker_xlsx.SUMMARY].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("No gaps" in t for t in texts) or wb[tracker_xlsx.ACTIONS].max_row > 1


def test_the_tracker_is_not_written_to_a_terminal(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "_is_tty", lambda stream: True)
    assert cli.main(["assess", str(EXAMPLES / "mis_compliant.json"), "--today", TODAY, "--format", "xlsx"]) == 2
    assert "U051" in capsys.readouterr().err
