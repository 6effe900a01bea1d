"""A real spreadsheet program opens the generated workbooks, and a workbook it saved is read back with the same result.

LibreOffice (headless) converts the template and the tracker to CSV (every
sheet) and to PDF, re-saves a converted example as ``.xlsx``, and saves one
after an edit made in its own format; ``assess`` reads each back.  ``.ci/run``
installs Debian's LibreOffice; without it these tests are skipped, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from _workbooks import EXAMPLES, TODAY, convert

from compliance import cli

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice is not installed (.ci/run installs Debian's libreoffice-calc-nogui); a real spreadsheet program is not tried"
)

#: CSV export of every sheet (the last option, -1), as shown (the ninth), UTF-8 (76), comma-separated (44), quoted with '"' (34).
ALL_SHEETS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


def _soffice(tmp: Path, target: str, src: Path, outdir: Path) -> None:
    assert SOFFICE is not None
    profile = tmp / "lo-profile"  # its own profile: no first-start dialogs, no clash with a running instance
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to", target, "--outdir", str(outdir), str(src)],
        capture_output=True, text=True, timeout=240, env={**os.environ, "HOME": str(tmp)},
    )
    assert done.returncode == 0, done.stderr


def _assessment(path: Path, out: Path) -> dict[str, Any]:
    code = cli.main(["assess", str(path), "--today", TODAY, "--format", "json", "-o", str(out)])
    assert code in (0, 1)
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    data.pop("source")
    return data


def test_libreoffice_opens_the_template_and_the_tracker(tmp_path: Path) -> None:
    template = tmp_path / "trust.xlsx"
    assert cli.main(["template", "mis-y3", "--format", "xlsx", "-o", str(template)]) == 0
    tracker = tmp_path / "actions.xlsx"
    assert cli.main(["assess", str(EXAMPLES / "mis_late_pmrt.json"), "--today", TODAY, "--format", "xlsx", "-o", str(tracker)]) == 1
    csv_dir = tmp_path / "csv"
    _soffice(tmp_path, ALL_SHEETS_CSV, template, csv_dir)
    cover = (csv_dir / "trust-Cover.csv").read_text(encoding="utf-8")
    assert cover.startswith("Field,Value,Needed for,If left blank,Help,Key")
    assert "trust.ods_code" in cover and "01/10/2020" in cover  # the period, a typed date shown in UK order
    assert (csv_dir / "trust-Deaths.csv").read_text(encoding="utf-8").startswith("ID,Died on,Category")
    _soffice(tmp_path, ALL_SHEETS_CSV, tracker, csv_dir)
    actions = (csv_dir / "actions-Actions.csv").read_text(encoding="utf-8")
    assert "Owner,Due date,Progress" in actions.splitlines()[0] and "MIS-Y3-SA1.b" in actions
    pdf_dir = tmp_path / "pdf"
    for book in (template, tracker):
        _soffice(tmp_path, "pdf", book, pdf_dir)
        assert (pdf_dir / f"{book.stem}.pdf").read_bytes().startswith(b"%PDF")


def test_a_workbook_saved_by_libreoffice_assesses_the_same(tmp_path: Path) -> None:
    ours = convert("mis_late_pmrt.json", tmp_path / "late.xlsx")
    resaved = tmp_path / "resaved"
    _soffice(tmp_path, "xlsx:Calc MS Excel 2007 XML", ours, resaved)
    assert (resaved / "late.xlsx").read_bytes() != ours.read_bytes()
    assert _assessment(resaved / "late.xlsx", tmp_path / "a.json") == _assessment(EXAMPLES / "mis_late_pmrt.json", tmp_path / "b.json")


def test_a_workbook_edited_in_libreoffice_reads_back_with_the_edit(tmp_path: Path) -> None:
    """Edited in LibreOffice's own format (flat ODS), saved by LibreOffice as .xlsx: the edit is read, nothing else changes."""
    ours = convert("mis_late_pmrt.json", tmp_path / "late.xlsx")
    flat = tmp_path / "flat"
    _soffice(tmp_path, "fods", ours, flat)
    text = (flat / "late.fods").read_text(encoding="utf-8")
    old, new = "Fenwick Cross University Hospitals NHS Trust", "Fenwick Cross Hospitals NHS Trust"
    assert text.count(old) == 1
    edited = tmp_path / "edited" / "late.fods"
    edited.parent.mkdir()
    edited.write_text(text.replace(old, new), encoding="utf-8")
    _soffice(tmp_path, "xlsx:Calc MS Excel 2007 XML", edited, tmp_path / "saved")
    expected = json.loads((EXAMPLES / "mis_late_pmrt.json").read_text(encoding="utf-8"))
    expected["trust"]["name"] = new
    (tmp_path / "expected.json").write_text(json.dumps(expected), encoding="utf-8")
    got = _assessment(tmp_path / "saved" / "late.xlsx", tmp_path / "a.json")
    assert got["trust"]["name"] == new
    assert got == _assessment(tmp_path / "expected.json", tmp_path / "b.json")


def test_an_old_format_xls_saved_by_libreoffice_is_refused_by_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ours = convert("mis_compliant.json", tmp_path / "trust.xlsx")
    _soffice(tmp_path, "xls", ours, tmp_path / "old")
    capsys.readouterr()
    assert cli.main(["validate", str(tmp_path / "old" / "trust.xls")]) == 2
    err = capsys.readouterr().err
    assert "V071: an old-format Excel file (.xls, Excel 97-2003)" in err and "Traceback" not in err
