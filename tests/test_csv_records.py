"""``--records NAME=FILE.csv``: one record list from a CSV export, beside the rest of the evidence, located by line and column."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from _workbooks import EXAMPLES, TODAY

from compliance import cli
from compliance.evidence.csv_records import record_lists


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


def _split(example: str) -> tuple[Path, Path]:
    """The example without its deaths (evidence.json), and its deaths as a CSV export (deaths.csv, UK dates, yes/no)."""
    data = json.loads((EXAMPLES / example).read_text(encoding="utf-8"))
    deaths = data["cases"].pop("perinatal_deaths")
    Path("evidence.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    fields = ["ID", "Died on", "Category", "Notified on", "Surveillance completed on", "Review started on", "Draft report on", "Final report on", "Parents informed", "Born in trust", "Ward"]
    keys = ["id", "died_on", "category", "notified_on", "surveillance_completed_on", "review_started_on", "draft_report_on", "final_report_on", "parents_informed", "born_in_trust"]

    def cell(key: str, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if key.endswith("_on"):
            y, m, d = value.split("-")
            return f"{d}/{m}/{y}"
        return str(value)

    with open("deaths.csv", "w", newline="", encoding="utf-8-sig") as f:  # Excel's "CSV UTF-8" starts with a BOM
        w = csv.writer(f)
        w.writerow(fields)
        for d in deaths:
            w.writerow([cell(k, d.get(k)) for k in keys] + ["Delivery suite"])
            if d["id"].endswith("5"):
                w.writerow([])  # a blank line
    return Path("evidence.json"), Path("deaths.csv")


def _assessment(run: Any, *args: str) -> dict[str, Any]:
    code, out, err = run("assess", *args, "--today", TODAY, "--format", "json")
    assert code in (0, 1), err
    data: dict[str, Any] = json.loads(out)
    data.pop("source")
    return data


def test_deaths_from_csv_assess_as_the_whole_file_does(run: Any) -> None:
    evidence, deaths = _split("mis_late_pmrt.json")
    assert _assessment(run, str(evidence), "--records", f"perinatal_deaths={deaths}") == _assessment(run, str(EXAMPLES / "mis_late_pmrt.json"))
    code, out, err = run("validate", str(evidence), "--records", f"perinatal_deaths={deaths}", "--today", TODAY)
    assert code == 0, err
    assert "note: deaths.csv: columns not read (not part of the evidence): Ward" in out


def test_a_problem_in_the_csv_names_its_line_and_column(run: Any) -> None:
    evidence, deaths = _split("mis_late_pmrt.json")
    lines = deaths.read_text(encoding="utf-8-sig").splitlines()
    row = lines[13].split(",")
    row[5] = "01/10/2020"  # review started before the death (line 14, column 6; the blank line after PD-..5 counts)
    lines[13] = ",".join(row)
    deaths.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run("validate", str(evidence), "--records", f"perinatal_deaths={deaths}", "--today", TODAY)
    assert code == 2
    assert "deaths.csv:14:6 ($.cases.perinatal_deaths[11].review_started_on): V052: review_started_on 2020-10-01 is before died_on" in err
    assert "Traceback" not in err and "|" not in err  # no caret from the JSON file's text under a CSV line


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        ("ID,Died on,Category", "PD-1,yesterday,stillbirth", "deaths.csv:2:2 ($.cases.perinatal_deaths[0].died_on): V013: 'yesterday' is not a date"),
        ("ID,Died onn,Category", "PD-1,05/01/2021,stillbirth", "deaths.csv:1:2: V075: unknown column 'Died onn'"),
        ("ID,Died on,Category", "PD-1,05/01/2021,stilbirth", "V012: 'stilbirth' is not one of the list"),
        ("ID,Category", "PD-1,stillbirth", "V076: there is no 'Died on' column (every record needs it)"),
        ("ID,Died on,Category,Parents informed", "PD-1,05/01/2021,stillbirth,84%", "V061: '84%' is not yes or no"),
    ],
)
def test_a_bad_csv_is_refused_with_its_place(header: str, row: str, message: str, run: Any) -> None:
    evidence, _ = _split("mis_late_pmrt.json")
    Path("deaths.csv").write_text(f"{header}\n{row}\n", encoding="utf-8")
    code, _, err = run("assess", str(evidence), "--records", "perinatal_deaths=deaths.csv", "--today", TODAY)
    assert code == 2
    assert message in err, err


def test_a_csv_number_is_read_from_its_digits(run: Any) -> None:
    data = json.loads((EXAMPLES / "mis_compliant.json").read_text(encoding="utf-8"))
    groups = data["groups"].pop("training_maternity_emergencies")
    Path("evidence.json").write_text(json.dumps(data), encoding="utf-8")
    lines = ["Staff group,Numerator,Denominator"] + [f"{name},{g['numerator']},{g['denominator']}" for name, g in groups.items()]
    Path("training.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _assessment(run, "evidence.json", "--records", "training_maternity_emergencies=training.csv") == _assessment(run, str(EXAMPLES / "mis_compliant.json"))


def test_records_given_twice_and_usage_errors(run: Any) -> None:
    Path("deaths.csv").write_text("ID,Died on,Category\nPD-1,05/01/2021,stillbirth\n", encoding="utf-8")
    example = str(EXAMPLES / "mis_late_pmrt.json")
    code, _, err = run("assess", example, "--records", "perinatal_deaths=deaths.csv", "--today", TODAY)
    assert code == 2 and "V078: cases.perinatal_deaths is given twice: in this file and in deaths.csv" in err
    code, _, err = run("assess", example, "--records", "perinatal_death=deaths.csv")
    assert code == 2 and "U061: no record list 'perinatal_death'" in err and "did you mean: perinatal_deaths?" in err
    code, _, err = run("assess", example, "--records", "deaths.csv")
    assert code == 2 and "U060" in err
    code, _, err = run("assess", example, example, "--records", "perinatal_deaths=deaths.csv")
    assert code == 2 and "U062: --records goes with one evidence file" in err
    Path("empty.csv").write_text("", encoding="utf-8")
    evidence, _ = _split("mis_late_pmrt.json")
    code, _, err = run("assess", str(evidence), "--records", "perinatal_deaths=empty.csv")
    assert code == 2 and "V084: the file is empty" in err
    Path("latin.csv").write_bytes("ID,Died on,Category\nPD-\xe9,05/01/2021,stillbirth\n".encode("latin-1"))
    code, _, err = run("assess", str(evidence), "--records", "perinatal_deaths=latin.csv")
    assert code == 2 and "E012: not UTF-8 text" in err


def test_every_record_list_has_a_name() -> None:
    names = record_lists()
    assert names["perinatal_deaths"] == "cases.perinatal_deaths"
    assert names["training_fetal_monitoring"] == "groups.training_fetal_monitoring"
    assert len(set(names.values())) == len(names)
