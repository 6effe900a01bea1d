"""Reading an evidence workbook: what real files contain is accepted, what would be misread is refused at its cell.

Each bad workbook is made the way a user would make it -- a workbook from
``compliance convert``, edited with openpyxl -- and run through the command
line: exit 2, the sheet and cell named, no traceback.  The messages are pinned
in this module's snapshot file.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from _workbooks import TODAY, column, convert, edit, form_sheet, key_row

from compliance import cli
from compliance.errors import Location, Problem, column_letters, sheet_reference


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages name ./trust.xlsx, the same on every machine


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Any:
    def _run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


@pytest.fixture(scope="module")
def late(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """mis_late_pmrt.json (33 perinatal deaths, some reviews late) as a workbook."""
    return convert("mis_late_pmrt.json", tmp_path_factory.mktemp("wb") / "late.xlsx")


def _copy(src: Path, name: str = "trust.xlsx") -> Path:
    out = Path(name)
    out.write_bytes(src.read_bytes())
    return out


def _assessment(run: Any, path: str) -> dict[str, Any]:
    code, _, err = run("assess", path, "--today", TODAY, "--format", "json", "-o", "out.json")
    assert code in (0, 1), err
    data: dict[str, Any] = json.loads(Path("out.json").read_text(encoding="utf-8"))
    data.pop("source")
    return data


# ------------------------------------------------------------------ Location in a workbook


def test_a_location_in_a_workbook_names_the_sheet_and_cell() -> None:
    where = Location("trust.xlsx", 14, 4, ("cases", "perinatal_deaths", 12, "review_started_on"), "Deaths")
    assert where.cell == "Deaths!D14"
    assert str(where) == "trust.xlsx:Deaths!D14 ($.cases.perinatal_deaths[12].review_started_on)"
    assert str(Location("trust.xlsx", 3, 2, (), "Perinatal deaths")) == "trust.xlsx:'Perinatal deaths'!B3"
    assert str(Location("trust.xlsx", sheet="Deahts")) == "trust.xlsx:Deahts"
    assert column_letters(1) == "A" and column_letters(26) == "Z" and column_letters(27) == "AA" and column_letters(703) == "AAA"
    assert sheet_reference("MIS-Y3-SA1") == "'MIS-Y3-SA1'" and sheet_reference("Cover") == "Cover"


def test_a_problem_in_a_workbook_gets_no_caret_from_text() -> None:
    problem = Problem("V013", "'x' is not a date", Location("trust.xlsx", 2, 2, (), "Cover"))
    assert problem.render("some text\nline two\n") == "trust.xlsx:Cover!B2: V013: 'x' is not a date"
    assert problem.to_dict()["cell"] == "Cover!B2"


# ------------------------------------------------------------------ refused, at the cell


def _deaths(wb: openpyxl.Workbook) -> Any:
    return wb["Deaths"]


def _set_death(field: str, row: int, value: Any, number_format: str | None = None) -> Any:
    def change(wb: openpyxl.Workbook) -> None:
        ws = _deaths(wb)
        cell = ws.cell(row=row, column=column(ws, field), value=value)
        if number_format:
            cell.number_format = number_format

    return change


def _set_form(key: str, value: Any, number_format: str | None = None) -> Any:
    def change(wb: openpyxl.Workbook) -> None:
        ws, row = form_sheet(wb, key)
        cell = ws.cell(row=row, column=2, value=value)
        if number_format:
            cell.number_format = number_format

    return change


def _rename(old: str, new: str) -> Any:
    def change(wb: openpyxl.Workbook) -> None:
        wb[old].title = new

    return change


def _rename_header(sheet: str, old: str, new: str) -> Any:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb[sheet]
        ws.cell(row=1, column=column(ws, old), value=new)

    return change


def _delete(sheet: str) -> Any:
    def change(wb: openpyxl.Workbook) -> None:
        del wb[sheet]

    return change


BAD_EDITS = {
    "review before the death": _set_death("Review started on", 14, dt.date(2020, 10, 1)),
    "date typed as text that is no date": _set_death("Died on", 5, "yesterday"),
    "impossible dd/mm/yyyy date": _set_death("Notified on", 6, "31/02/2021"),
    "date as a bare number": _set_death("Notified on", 7, 44199, "General"),
    "misspelt category": _set_death("Category", 3, "stilbirth"),
    "yes/no answer as a word it does not know": _set_death("Parents informed", 4, "y"),
    "number typed as text": _set_form("counts.msds_ethnicity_recorded.numerator", "561"),
    "percent in a count": _set_form("counts.msds_ethnicity_recorded.numerator", "84%"),
    "percent cell in a count": _set_form("counts.msds_ethnicity_recorded.denominator", 0.84, "0%"),
    "not a whole number": _set_form("counts.msds_ethnicity_recorded.numerator", 561.5),
    "a fraction where a percent belongs": _set_form("figures.coc_plan_target_percent", 0.4),
    "formula without a cached value": _set_form("counts.msds_ethnicity_recorded.numerator", "=500+61"),
    "misspelt header": _rename_header("Deaths", "Died on", "Died onn"),
    "misspelt sheet name": _rename("Deaths", "Deahts"),
    "missing list sheet": _delete("Deaths"),
    "missing cover": _delete("Cover"),
    "misspelt cover": _rename("Cover", "Cvoer"),
    "unknown key": _set_form("counts.msds_ethnicity_recorded.source", "x"),
}


def _unknown_key(wb: openpyxl.Workbook) -> None:
    ws, row = form_sheet(wb, "counts.msds_ethnicity_recorded.source")
    ws.cell(row=row, column=6, value="counts.msds_ethnicity_recordd.source")


BAD_EDITS["unknown key"] = _unknown_key


@pytest.mark.parametrize("case", sorted(BAD_EDITS))
def test_a_bad_workbook_is_refused_at_its_cell(case: str, late: Path, run: Any, snapshot: Any) -> None:
    path = edit(_copy(late), BAD_EDITS[case])
    for command in ("assess", "validate"):
        code, out, err = run(command, str(path), "--today", TODAY)
        assert code == 2, (command, out, err)
        assert "Traceback" not in err and "internal error" not in err
        assert "trust.xlsx" in err
    assert err == snapshot


def test_the_review_date_problem_points_at_the_deaths_cell(late: Path, run: Any) -> None:
    path = edit(_copy(late), BAD_EDITS["review before the death"])
    wb = openpyxl.load_workbook(path)
    col = column_letters(column(wb["Deaths"], "Review started on"))
    _, _, err = run("validate", str(path), "--today", TODAY)
    assert f"trust.xlsx:Deaths!{col}14 ($.cases.perinatal_deaths[12].review_started_on): V052: review_started_on 2020-10-01 is before died_on" in err


def test_text_in_a_number_cell_suggests_the_number(late: Path, run: Any) -> None:
    path = edit(_copy(late), BAD_EDITS["number typed as text"])
    _, _, err = run("validate", str(path), "--today", TODAY)
    assert "V061: '561' is text, not a number" in err
    assert "did you mean: 561 (a number)?" in err


RAW_FILES = {
    "empty file": ("trust.xlsx", b""),
    "old .xls": ("trust.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le")),
    # The signature of an encrypted Office file: a compound file holding an EncryptedPackage stream.
    "encrypted": ("trust.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le")),
    "text renamed .xlsx": ("trust.xlsx", b"id,died_on\nPD-1,2021-01-01\n"),
    "a zip that is no workbook": ("trust.xlsx", b"PK\x05\x06" + b"\x00" * 18),
}


@pytest.mark.parametrize("case", sorted(RAW_FILES))
def test_a_file_that_is_no_readable_workbook_is_refused(case: str, run: Any, snapshot: Any) -> None:
    name, data = RAW_FILES[case]
    Path(name).write_bytes(data)
    code, out, err = run("assess", name, "--today", TODAY)
    assert code == 2, (out, err)
    assert "Traceback" not in err and "internal error" not in err
    assert err == snapshot


def test_an_ods_file_is_told_to_be_saved_as_xlsx(tmp_path: Path, run: Any) -> None:
    import zipfile

    with zipfile.ZipFile("trust.xlsx", "w") as z:
        z.writestr("content.xml", "<office:document-content/>")
    code, _, err = run("validate", "trust.xlsx")
    assert code == 2 and "an OpenDocument spreadsheet (.ods)" in err and "save it as an Excel workbook (.xlsx)" in err


# ------------------------------------------------------------------ accepted, as real files are


def _same_as_json(run: Any, path: Path, example: str = "mis_late_pmrt.json") -> None:
    from _workbooks import EXAMPLES

    assert _assessment(run, str(path)) == _assessment(run, str(EXAMPLES / example))


def test_dates_typed_as_uk_text_are_read_as_dates(late: Path, run: Any) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb["Deaths"]
        for header in ("Died on", "Review started on"):
            col = column(ws, header)
            for row in range(2, ws.max_row + 1):
                value = ws.cell(row=row, column=col).value
                if isinstance(value, dt.datetime):
                    ws.cell(row=row, column=col, value=value.strftime("%d/%m/%Y")).number_format = "@"

    _same_as_json(run, edit(_copy(late), change))


def test_percent_typed_with_a_percent_sign_or_as_a_percent_cell(late: Path, run: Any) -> None:
    _same_as_json(run, edit(_copy(late), _set_form("figures.coc_plan_target_percent", "40%")))
    _same_as_json(run, edit(_copy(late), _set_form("figures.coc_plan_target_percent", 0.4, "0%")))


def test_blank_rows_extra_columns_moved_rows_and_sheets_and_true_false_cells(late: Path, run: Any) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        deaths = wb["Deaths"]
        deaths.insert_rows(5, 2)  # two blank rows among the records
        extra = deaths.max_column + 1
        deaths.cell(row=1, column=extra, value="Ward")
        deaths.cell(row=3, column=extra, value="Delivery suite")
        col = column(deaths, "Parents informed")
        for row in range(2, deaths.max_row + 1):
            value = deaths.cell(row=row, column=col).value
            if value in ("yes", "no"):
                deaths.cell(row=row, column=col, value=value == "yes")  # a TRUE/FALSE cell
        cover = wb["Cover"]
        cover.cell(row=1, column=7, value="Checked by")
        wb.move_sheet("Deaths", offset=-(len(wb.sheetnames) - 1))  # sheet order changed
        wb.move_sheet("Cover", offset=3)
        form, row = form_sheet(wb, "counts.msds_ethnicity_recorded.numerator")
        form.move_range(f"A{row}:F{row}", rows=form.max_row + 2 - row)  # a row moved to the end of its sheet
        wb.create_sheet("My notes").cell(row=1, column=1, value="for the board meeting")

    path = edit(_copy(late), change)
    _same_as_json(run, path)
    code, out, err = run("validate", str(path), "--today", TODAY)
    assert code == 0, err
    assert "note: Deaths: columns not read (not part of the evidence): Ward" in out
    assert "note: Cover: columns not read (not part of the evidence): Checked by" in out
    assert "note: sheet 'My notes' is not read (not part of the evidence)" in out


def test_a_formula_is_read_by_its_cached_value(late: Path, tmp_path: Path, run: Any) -> None:
    # openpyxl writes no cached values; write one into the sheet's XML as Excel would.
    import re
    import zipfile

    path = edit(_copy(late), _set_form("counts.msds_ethnicity_recorded.numerator", "=500+61"))
    src = zipfile.ZipFile(path)
    out = Path("cached.xlsx")
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if b"<f>500+61</f>" in data:
                data = re.sub(rb"<f>500\+61</f><v\s*/>", b"<f>500+61</f><v>561</v>", data)
                assert b"<v>561</v>" in data
            dst.writestr(info, data)
    _same_as_json(run, out)


def test_the_none_marker_means_there_were_none(run: Any, tmp_path: Path) -> None:
    path = convert("mis_no_deaths.json", Path("none.xlsx"))
    wb = openpyxl.load_workbook(path)
    ws, row = form_sheet(wb, "cases.perinatal_deaths")
    assert ws.cell(row=row, column=2).value == "none"
    _same_as_json(run, path, "mis_no_deaths.json")

    def clash(wb: openpyxl.Workbook) -> None:
        wb["Deaths"].cell(row=2, column=1, value="PD-1")
        wb["Deaths"].cell(row=2, column=2, value=dt.date(2021, 1, 5))
        wb["Deaths"].cell(row=2, column=3, value="stillbirth")

    code, _, err = run("validate", str(edit(path, clash, Path("clash.xlsx"))), "--today", TODAY)
    assert code == 2 and "V083: says 'none', but sheet Deaths lists 1 record(s)" in err


def test_a_blank_template_validates_listing_what_is_not_yet_filled(run: Any) -> None:
    code, _, err = run("template", "mis-y3", "--format", "xlsx", "-o", "blank.xlsx")
    assert code == 0, err
    code, out, err = run("validate", "blank.xlsx", "--today", TODAY)
    assert code == 0, err
    assert "$.trust.name" in out and "$.cases.perinatal_deaths" in out
    code, out, err = run("assess", "blank.xlsx", "--today", TODAY, "--format", "json")
    assert code == 1
    statuses = {r["status"] for s in json.loads(out)["schemes"] for sec in s["sections"] for r in sec["requirements"]}
    assert statuses <= {"insufficient_evidence", "not_applicable"}


def test_key_row_helper_finds_rows(late: Path) -> None:
    wb = openpyxl.load_workbook(late)
    assert key_row(wb["Cover"], "trust.name") > 1
