"""Helpers for the workbook tests: make an evidence workbook from a bundled example, find and change its cells."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from compliance import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
#: A date after every bundled example's submission: runs are reproducible.
TODAY = "2021-08-01"
TODAY_DATE = dt.date(2021, 8, 1)


def convert(example: str, out: Path) -> Path:
    """``compliance convert examples/EXAMPLE -o out``; the workbook's path."""
    code = cli.main(["convert", str(EXAMPLES / example), "-o", str(out), "--today", TODAY])
    assert code == 0
    return out


def key_row(ws: Worksheet, key: str) -> int:
    """The row of a form sheet whose Key column holds ``key``."""
    key_col = next(c.column for c in ws[1] if c.value == "Key")
    for row in ws.iter_rows(min_row=2):
        if row[key_col - 1].value == key:
            return row[0].row
    raise KeyError(key)


def form_sheet(wb: openpyxl.Workbook, key: str) -> tuple[Worksheet, int]:
    """The form sheet and row holding ``key``."""
    for ws in wb.worksheets:
        if ws.cell(row=1, column=6).value == "Key":
            try:
                return ws, key_row(ws, key)
            except KeyError:
                continue
    raise KeyError(key)


def column(ws: Worksheet, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def edit(path: Path, change: Any, out: Path | None = None) -> Path:
    """Open the workbook with openpyxl, let ``change(wb)`` edit it, save it (to ``out``, or in place)."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    target = out or path
    wb.save(target)
    return target
