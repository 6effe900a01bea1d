"""The findings as an Excel action-plan tracker: the workbook a governance lead works from (``--format xlsx``).

It lays out what :mod:`.outline` decides to show, as three sheets:

* **Summary** -- who and when, each scheme's verdict, and a row per safety
  action (or element): its status, standards met of those judged, the
  standards not met or lacking evidence, and the unverified marker;
* **Actions** -- one row per gap: the requirement's id and title, its
  status, what was measured against what threshold, the shortfall in natural
  units, the records behind it, the missing evidence, the remediation, and
  empty *Owner*, *Due date* and *Progress* columns to fill in (a date and a
  progress list, with data validation);
* **Records** -- every failing case, staff group and missed window, with why.

Status is shown by colour **and** by word: each status cell holds its symbol
and words (``✘ not met``), and conditional formatting colours it.  The bytes
are the same for the same assessment.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..errors import visible
from ..results import Assessment
from . import outline
from .outline import Outline
from .style import STATUSES, UNICODE, label
from .template_xlsx import normalise_zip, print_wide
from .wording import NO_GAPS, UNVERIFIED_LEGEND, record_words, rests_on

if TYPE_CHECKING:  # pragma: no cover
    from .formats import Options

__all__ = ["render", "assessment_xlsx", "PROGRESS", "SUMMARY", "ACTIONS", "RECORDS"]

SUMMARY = "Summary"
ACTIONS = "Actions"
RECORDS = "Records"

#: What the Progress column's dropdown offers.
PROGRESS = ("not started", "in progress", "done", "blocked")

#: Fill and font colour of each status: the colour repeats what the words say.
_COLOURS = {
    "met": ("C6EFCE", "006100"),
    "not_met": ("FFC7CE", "9C0006"),
    "insufficient_evidence": ("FFEB9C", "9C5700"),
    "not_applicable": ("EDEDED", "595959"),
}
_PROGRESS_COLOURS = {"done": ("C6EFCE", "006100"), "blocked": ("FFC7CE", "9C0006"), "in progress": ("FFEB9C", "9C5700")}

_HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_WRAP = Alignment(wrap_text=True, vertical="top")
_LAST_ROW = 1_048_576

_SUMMARY_COLUMNS = (("Scheme", 16), ("Section", 22), ("Title", 60), ("Status", 24), ("Standards met", 14),
                    ("Not met or lacking evidence", 40), (f"Unverified ({UNICODE.unverified})", 14))
_ACTION_COLUMNS = (("Scheme", 14), ("Section", 18), ("Requirement", 22), ("Title", 44), ("Status", 24), ("Finding", 60),
                   ("Reason", 24), ("Records behind it", 40), ("Missing evidence", 36), ("Remediation", 60), ("Unverified", 36),
                   ("Owner", 20), ("Due date", 14), ("Progress", 16))
_RECORD_COLUMNS = (("Scheme", 14), ("Section", 18), ("Requirement", 22), ("Record", 28), ("Why", 80), ("Code", 24))


def _header(ws: Worksheet, row: int, columns: Sequence[tuple[str, int]]) -> None:
    for col, (title, width) in enumerate(columns, 1):
        cell = ws.cell(row=row, column=col, value=title)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = width


def _row(ws: Worksheet, row: int, values: Sequence[Any], *, wrap: bool = True) -> None:
    for col, value in enumerate(values, 1):
        if value is None or value == "":
            continue
        if isinstance(value, str):
            value = visible(value)  # a control character from the evidence: shown, and a cell can hold it
        cell = ws.cell(row=row, column=col, value=value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text, never a formula
        if wrap:
            cell.alignment = _WRAP


def _colour_statuses(ws: Worksheet, column: int, first: int, last: int) -> None:
    """Conditional formatting: each status's label in its own colour (the words stay as they are)."""
    if last < first:
        return
    letter = get_column_letter(column)
    where = f"{letter}{first}:{letter}{last}"
    for status in STATUSES:
        fill, font = _COLOURS[status]
        text = label(status, UNICODE).replace('"', '""')
        ws.conditional_formatting.add(
            where, CellIsRule(operator="equal", formula=[f'"{text}"'], fill=PatternFill("solid", fgColor=fill, bgColor=fill), font=Font(color=font, bold=status == "not_met"))
        )


def _summary(ws: Worksheet, report: Outline) -> None:
    a = report.assessment
    ws.cell(row=1, column=1, value=visible(f"Action plan tracker: {report.trust} ({report.ods_code})")).font = _TITLE_FONT
    facts = [
        ("Period", f"{a.period_start} to {a.period_end}"),
        ("Assessed as of", str(a.assessed_as_of)),
        ("Submitted", f"{report.submitted_on} by {report.submitted_by}"),
        ("Evidence", a.source or ""),
        ("Verdict", label(report.status, UNICODE)),
    ]
    row = 2
    for name, value in facts:
        if not value:
            continue
        ws.cell(row=row, column=1, value=name).font = _BOLD
        _row(ws, row, [None, value], wrap=False)
        row += 1
    verdicts = row
    for scheme in report.schemes:
        ws.cell(row=row, column=1, value=scheme.id).font = _BOLD
        _row(ws, row, [None, scheme.title, None, label(scheme.status, UNICODE), None, scheme.explanation], wrap=False)
        row += 1
    _colour_statuses(ws, 4, verdicts, row - 1)
    row += 1
    top = row
    _header(ws, top, _SUMMARY_COLUMNS)
    row += 1
    first = row
    for scheme in report.schemes:
        gaps = {g.id: g for g in scheme.gaps}
        for r in scheme.rows:
            gap = gaps.get(r.id)
            unmet = ", ".join(req.id for req in gap.requirements) if gap else ""
            _row(ws, row, [scheme.id, r.id, r.title, label(r.status, UNICODE), f"{r.met} of {r.judged}" if r.judged else "none judged", unmet,
                           UNICODE.unverified if r.unverified else ""])
            row += 1
        if not scheme.gaps:
            _row(ws, row, [scheme.id, None, NO_GAPS])
            row += 1
    _colour_statuses(ws, 4, first, row - 1)
    if report.unverified:
        row += 1
        ws.cell(row=row, column=1, value=f"{UNICODE.unverified} {UNVERIFIED_LEGEND}.")
    ws.freeze_panes = f"A{top + 1}"


def _actions(ws: Worksheet, records: Worksheet, report: Outline) -> None:
    _header(ws, 1, _ACTION_COLUMNS)
    _header(records, 1, _RECORD_COLUMNS)
    row, rec_row = 2, 2
    for scheme in report.schemes:
        for sec in scheme.gaps:
            for req in sec.requirements:
                unverified = rests_on(req.unverified.parameters, req.unverified.verification) if req.unverified else ""
                behind = ", ".join(r.id for r in req.records)
                # The finding lines carry figure, threshold and shortfall once; the reason code is a column to filter by.
                _row(ws, row, [scheme.id, sec.id, req.id, req.title, label(req.status, UNICODE), "\n".join(req.findings),
                               req.reason, behind, ", ".join(req.missing), req.remediation, unverified])
                for col in (12, 13, 14):
                    ws.cell(row=row, column=col).fill = _INPUT_FILL
                ws.cell(row=row, column=13).number_format = "dd/mm/yyyy"
                row += 1
                for r in req.records:
                    _row(records, rec_row, [scheme.id, sec.id, req.id, r.id, record_words(r), r.code])
                    rec_row += 1
    last = max(row - 1, 2)
    _colour_statuses(ws, 5, 2, row - 1)
    owner = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="200", allow_blank=True, showInputMessage=True,
                           promptTitle="Owner", prompt="Who is responsible for closing this gap (name or role).")
    due = DataValidation(type="date", operator="between", formula1="32874", formula2="73415", allow_blank=True, showErrorMessage=True,
                         errorTitle="Not a date", error="A date, e.g. 31/03/2022.", showInputMessage=True, promptTitle="Due date",
                         prompt="When the action is due (a date, e.g. 31/03/2022).")
    progress = DataValidation(type="list", formula1='"' + ",".join(PROGRESS) + '"', allow_blank=True, showErrorMessage=True,
                              errorTitle="Not a progress word", error="One of: " + ", ".join(PROGRESS) + ".")
    for rule, col in ((owner, 12), (due, 13), (progress, 14)):
        letter = get_column_letter(col)
        rule.sqref = f"{letter}2:{letter}{_LAST_ROW}"
        ws.add_data_validation(rule)
    ws.column_dimensions["M"].number_format = "dd/mm/yyyy"
    for word, (fill, font) in _PROGRESS_COLOURS.items():
        ws.conditional_formatting.add(f"N2:N{_LAST_ROW}", CellIsRule(operator="equal", formula=[f'"{word}"'], fill=PatternFill("solid", fgColor=fill, bgColor=fill), font=Font(color=font)))
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(_ACTION_COLUMNS))}{last}"
    records.freeze_panes = "D2"
    records.auto_filter.ref = f"A1:{get_column_letter(len(_RECORD_COLUMNS))}{max(rec_row - 1, 2)}"


def render(assessment: Assessment, *, only_gaps: bool = False) -> bytes:
    """The tracker for one trust's assessment, as the bytes of an ``.xlsx`` file."""
    report = outline.build(assessment, only_gaps=only_gaps)
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = SUMMARY
    wb.properties.creator = "compliance"
    wb.properties.title = f"Action plan tracker: {report.trust}"
    _summary(summary, report)
    _actions(wb.create_sheet(ACTIONS), wb.create_sheet(RECORDS), report)
    for ws in wb.worksheets:
        print_wide(ws)
    summary.print_title_rows = None
    buffer = io.BytesIO()
    wb.save(buffer)
    return normalise_zip(buffer.getvalue())


# ------------------------------------------------------------------ as a registered format (see .formats)


def assessment_xlsx(assessment: Assessment, options: Options) -> bytes:
    return render(assessment, only_gaps=options.only_gaps)

