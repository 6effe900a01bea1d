"""The command line's workbook paths: template to .xlsx, convert's formats, directories of workbooks, notes on assess."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from _workbooks import EXAMPLES, TODAY, column, convert, edit

from compliance import cli


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Any:
    def _run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_template_to_an_xlsx_file_writes_a_workbook(run: Any) -> None:
    assert run("template", "mis-y3", "-o", "trust.xlsx")[0] == 0
    assert Path("trust.xlsx").read_bytes()[:2] == b"PK"
    assert openpyxl.load_workbook("trust.xlsx").sheetnames[0] == "Cover"
    assert run("template", "mis-y3", "-o", "trust.yaml")[0] == 0
    assert Path("trust.yaml").read_text(encoding="utf-8").startswith("# Evidence for:")


def test_convert_chooses_its_format(run: Any) -> None:
    code, out, _ = run("convert", str(EXAMPLES / "mis_compliant.json"), "--today", TODAY)
    assert code == 0 and json.loads(out)["trust"]["ods_code"] == "R9K"  # JSON to standard output by default
    code, _, err = run("convert", str(EXAMPLES / "mis_compliant.json"), "-o", "trust.txt")
    assert code == 2 and "U063: cannot tell the format of 'trust.txt'" in err
    assert run("convert", str(EXAMPLES / "mis_compliant.json"), "--format", "yaml", "-o", "trust.out", "--today", TODAY)[0] == 0
    assert Path("trust.out").read_text(encoding="utf-8").startswith("schema_version:")
    code, _, err = run("convert", "missing.json")
    assert code == 2 and "E010: no such file" in err


def test_a_bad_file_is_not_converted(run: Any) -> None:
    data = json.loads((EXAMPLES / "mis_compliant.json").read_text(encoding="utf-8"))
    data["counts"]["msds_ethnicity_recorded"]["numerator"] = "561"
    Path("bad.json").write_text(json.dumps(data), encoding="utf-8")
    code, _, err = run("convert", "bad.json", "-o", "bad.xlsx", "--today", TODAY)
    assert code == 2 and "V061" in err and not Path("bad.xlsx").exists()


def test_a_directory_of_workbooks_skips_lock_files(run: Any) -> None:
    Path("trusts").mkdir()
    convert("mis_compliant.json", Path("trusts/a.xlsx"))
    convert("mis_late_pmrt.json", Path("trusts/b.xlsx"))
    Path("trusts/~$a.xlsx").write_bytes(b"lock")
    code, out, err = run("assess", "trusts", "--today", TODAY, "--format", "json")
    assert code == 1, err
    assert [a["source"] for a in json.loads(out)] == ["trusts/a.xlsx", "trusts/b.xlsx"]


def test_assess_shows_a_workbook_s_notes_on_standard_error(run: Any) -> None:
    book = convert("mis_late_pmrt.json", Path("late.xlsx"))

    def change(wb: openpyxl.Workbook) -> None:
        ws = wb["Deaths"]
        ws.cell(row=1, column=ws.max_column + 1, value="Comments")

    edit(book, change)
    code, out, err = run("assess", str(book), "--today", TODAY)
    assert code == 1
    assert "note: Deaths: columns not read (not part of the evidence): Comments" in err
    assert "Fenwick Cross" in out


def test_diff_reads_workbooks(run: Any) -> None:
    old = convert("mis_compliant.json", Path("old.xlsx"))
    new = convert("mis_late_pmrt.json", Path("new.xlsx"))
    code, out, err = run("diff", str(old), str(new), "--today", TODAY, "--format", "json")
    assert code in (0, 1), err
    assert json.loads(out)


def test_the_unknown_file_type_message_lists_workbooks(run: Any) -> None:
    Path("trust.ods").write_text("x", encoding="utf-8")
    code, _, err = run("validate", "trust.ods")
    assert code == 2 and "expected: .json, .yaml, .yml, .xls, .xlsm or .xlsx" in err


def test_column_helper(tmp_path: Path) -> None:
    book = convert("mis_late_pmrt.json", Path("x.xlsx"))
    assert column(openpyxl.load_workbook(book)["Deaths"], "Died on") == 2


def test_text_a_workbook_cannot_hold_is_refused_not_dropped(run: Any) -> None:
    data = json.loads((EXAMPLES / "mis_compliant.json").read_text(encoding="utf-8"))
    data["trust"]["name"] = "Kingsmere\x07 Hospitals"
    Path("bell.json").write_text(json.dumps(data), encoding="utf-8")
    code, _, err = run("convert", "bell.json", "-o", "bell.xlsx", "--today", TODAY)
    assert code == 2 and "V085" in err and "$.trust.name" in err and "Traceback" not in err
