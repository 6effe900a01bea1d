"""The command line, in process: every command's output on the bundled examples (snapshots), exit codes, errors.

Run from the repository root with relative paths, so reports name
``examples/...`` whatever the checkout's location.  After an intended change
of wording, run ``python -m pytest --snapshot-update`` and review the diff of
``tests/__snapshots__/test_cli.ambr``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from rich.cells import cell_len

import compliance
from compliance import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.name for p in (ROOT / "examples").glob("*.json"))
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)
    for var in ("NO_COLOR", "FORCE_COLOR", "COLORTERM", "COLUMNS", "LINES", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COMPLIANCE_WORKERS"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def run(capsys):
    def _run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


@pytest.fixture
def tty(monkeypatch):
    """Pretend standard output is an 80-column terminal."""
    monkeypatch.setattr(cli, "_is_tty", lambda stream: True)
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("TERM", "xterm")


def _fits(text: str, width: int = 80) -> bool:
    return all(cell_len(line) <= width for line in text.splitlines())


# ------------------------------------------------------------------ assess


def test_examples_exist():
    assert "mis_compliant.json" in EXAMPLES


@pytest.mark.parametrize("name", EXAMPLES)
def test_assess_each_example_snapshot(name, run, snapshot):
    code, out, err = run("assess", f"examples/{name}")
    assert err == ""
    assessment = compliance.assess(f"examples/{name}")
    assert code == (0 if assessment.all_met else 1)
    assert "\x1b" not in out and _fits(out)
    assert out == snapshot


def test_assess_compliant_mis_only_is_met(run, snapshot):
    code, out, err = run("assess", "examples/mis_compliant.json", "--scheme", "mis-y3")
    assert (code, err) == (0, "")
    assert "Verdict: ✔ MET" in out
    assert out == snapshot


def test_assess_gaps_exit_1(run):
    code, out, _ = run("assess", "examples/mis_late_pmrt.json", "--scheme", "mis-y3")
    assert code == 1
    assert "FX-PD-2005" in out and "✘ not met" in out


def test_assess_only_gaps(run, snapshot):
    # A local 90% line makes the 84% staff group a gap (there is no national one: audit A3).
    code, out, _ = run("assess", "examples/mis_sa6_training_84.json", "--scheme", "mis-y3", "--param", "SBLv2.E4.training_coverage=90", "--only-gaps")
    assert code == 1
    assert "MIS-Y3-SA5 " not in out and "MIS-Y3-SA6" in out
    assert out == snapshot


def test_assess_challenge(run, snapshot):
    code, out, _ = run("assess", "examples/mis_sa6_training_84.json", "--scheme", "mis-y3", "--param", "SBLv2.E4.training_coverage=90", "--challenge")
    assert code == 1
    assert "Questions to ask" in out and "Weaknesses in the evidence" in out
    assert out == snapshot


def test_assess_json_is_the_assessment(run):
    code, out, _ = run("assess", "examples/mis_late_pmrt.json", "--scheme", "mis-y3", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["schema_version"] == "2" and data["source"] == "examples/mis_late_pmrt.json"
    assert compliance.Assessment.model_validate(data).scheme("mis-y3").status == "not_met"


def test_assess_markdown_snapshot(run, snapshot):
    code, out, _ = run("assess", "examples/mis_late_pmrt.json", "--scheme", "mis-y3", "--format", "markdown")
    assert code == 1
    assert out == snapshot


def test_assess_html_snapshot(run, snapshot):
    code, out, _ = run("assess", "examples/dashboard_stillbirth_above_preterm_below.json", "--scheme", "board-dashboard", "--format", "html")
    assert code == 0  # the trajectories are informative: the dashboard itself is met
    assert out.startswith("<!DOCTYPE html>") and "<svg" in out
    assert out == snapshot


def test_assess_output_file(run, tmp_path):
    target = tmp_path / "report.md"
    code, out, err = run("assess", "examples/mis_compliant.json", "--scheme", "mis-y3", "--format", "markdown", "--output", str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_text(encoding="utf-8").startswith("# Kingsmere Hospitals NHS Foundation Trust (R9K)")


def test_assess_output_is_byte_identical_between_runs(run, tmp_path):
    texts = []
    for i in range(2):
        target = tmp_path / f"r{i}.html"
        run("assess", "examples/mis_compliant.json", "--format", "html", "-o", str(target))
        texts.append(target.read_bytes())
    assert texts[0] == texts[1]


def test_assess_directory_overview(run, snapshot):
    code, out, _ = run("assess", "examples/")
    assert code == 1
    assert out.startswith(f"Overview of {len(EXAMPLES)} trusts")
    assert _fits(out)
    assert out == snapshot


def test_assess_several_files_json_array_in_order(run):
    code, out, _ = run("assess", "examples/mis_late_pmrt.json", "examples/mis_compliant.json", "--scheme", "mis-y3", "--format", "json")
    data = json.loads(out)
    assert isinstance(data, list) and [d["trust"]["ods_code"] for d in data] == ["R9F", "R9K"]
    assert code == 1


def test_assess_directory_is_sorted(run):
    _, out, _ = run("assess", "examples", "--scheme", "mis-y3", "--format", "json")
    assert [d["source"] for d in json.loads(out)] == [str(Path("examples") / n) for n in EXAMPLES]


def test_assess_param_override(run):
    code, out, _ = run("assess", "examples/mis_late_pmrt.json", "--scheme", "mis-y3", "--param", "MIS.Y3.SA1.b.coverage=85")
    assert code == 0
    assert "MIS.Y3.SA1.b.coverage" in out


def test_assess_progress_path_runs(run, monkeypatch):
    """With a terminal on stderr and a slow run the progress bar starts; it never touches stdout."""
    monkeypatch.setattr(cli, "PROGRESS_AFTER", 0.0)
    monkeypatch.setattr(cli, "_is_tty", lambda stream: True)
    code, out, _ = run("assess", "examples/mis_compliant.json", "examples/mis_late_pmrt.json", "--scheme", "mis-y3", "--format", "json")
    assert code == 1 and json.loads(out)


# ------------------------------------------------------------------ terminal, colour, NO_COLOR


def test_terminal_colour_snapshot(run, tty, snapshot):
    code, out, _ = run("assess", "examples/mis_late_pmrt.json", "--scheme", "mis-y3", "--only-gaps")
    assert code == 1
    assert ANSI.search(out), "a terminal gets colour"
    assert _fits(ANSI.sub("", out))
    assert out == snapshot


#: Every command that draws with rich, as a user would run it on a colour terminal.
COLOUR_COMMANDS = {
    "assess-challenge": ("assess", "examples/mis_sa6_training_84.json", "--scheme", "mis-y3", "--param", "SBLv2.E4.training_coverage=90", "--challenge"),
    "assess-overview": ("assess", "examples/"),
    "diff": ("diff", "examples/mis_late_pmrt.json", "examples/mis_compliant.json", "--scheme", "mis-y3"),
    "explain": ("explain", "MIS-Y3-SA1.b"),
    "schemes": ("schemes",),
    "schemes-show": ("schemes", "show", "continuity-of-carer"),
}


@pytest.mark.parametrize("name", sorted(COLOUR_COMMANDS))
def test_every_rich_command_in_colour_snapshot(name, run, tty, snapshot):
    code, out, err = run(*COLOUR_COMMANDS[name])
    assert code in (0, 1), err
    assert ANSI.search(out), "a terminal gets colour"
    assert _fits(ANSI.sub("", out))
    assert out == snapshot


@pytest.mark.parametrize("args", [("validate", "examples/"), ("template", "mis-y3")])
def test_text_commands_print_the_same_on_a_terminal(args, run, tty, monkeypatch):
    on_terminal = run(*args)
    monkeypatch.setattr(cli, "_is_tty", lambda stream: False)
    assert run(*args) == on_terminal
    assert not ANSI.search(on_terminal[1])


def test_no_color_means_no_escape_codes(run, tty, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    for args in (
        ("assess", "examples/mis_late_pmrt.json", "--scheme", "mis-y3"),
        ("assess", "examples/mis_late_pmrt.json", "--scheme", "mis-y3", "--challenge"),
        ("assess", "examples/"),
        ("schemes",),
        ("schemes", "show", "sblcbv2"),
        ("explain", "MIS-Y3-SA1.b"),
        ("diff", "examples/mis_late_pmrt.json", "examples/mis_compliant.json", "--scheme", "mis-y3"),
    ):
        _, out, err = run(*args)
        assert "\x1b" not in out and "\x1b" not in err, args
        assert out.strip()


def test_not_a_terminal_means_plain_text(run):
    _, out, _ = run("assess", "examples/mis_late_pmrt.json", "--scheme", "mis-y3")
    assert "\x1b" not in out


# ------------------------------------------------------------------ other commands


def test_schemes_list(run, snapshot):
    code, out, _ = run("schemes")
    assert code == 0
    for sid in compliance.builtin_schemes():
        assert sid in out
    assert out == snapshot


@pytest.mark.parametrize("sid", ["board-dashboard", "continuity-of-carer", "mis-y3", "sblcbv2"])
def test_schemes_show(sid, run, snapshot):
    code, out, _ = run("schemes", "show", sid)
    assert code == 0
    scheme = compliance.load_scheme(sid)
    for _, req in scheme.requirements():
        assert req.id in out
    assert out == snapshot


@pytest.mark.parametrize("rid", ["MIS-Y3-SA1.b", "TPS-AMB-1", "CoC-TGT-3", "SBLv2-E4-P1"])
def test_explain(rid, run, snapshot):
    code, out, _ = run("explain", rid)
    assert code == 0
    assert out.startswith(rid)
    for heading in ("What it requires", "Evidence it needs", "How it is judged", "Remediation"):
        assert heading in out
    assert out == snapshot


def test_explain_unknown_requirement(run):
    code, out, err = run("explain", "MIS-Y3-SA1.z")
    assert code == 2 and out == ""
    assert "no requirement 'MIS-Y3-SA1.z'" in err and "did you mean" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("sid", ["board-dashboard", "continuity-of-carer", "mis-y3", "sblcbv2"])
def test_template(sid, run, snapshot, tmp_path):
    code, out, _ = run("template", sid)
    assert code == 0
    assert out.startswith("# Evidence for:")
    assert out == snapshot
    # Every key the template holds is a key of the evidence format, and every item the scheme reads is there.
    import yaml

    from compliance.evidence.layout import nest
    from compliance.evidence.model import Evidence
    from compliance.evidence.types import type_at
    from compliance.report.template import needed_paths
    from compliance.source import Document

    doc = Document(yaml.safe_load(out), None, None)
    assert not nest(doc)
    data = doc.data

    def walk(value, path):
        if isinstance(value, dict):
            for k, v in value.items():
                assert type_at(Evidence, (*path, k)) is not None, (*path, k)
                walk(v, (*path, k))

    walk(data, ())
    for p in needed_paths([compliance.load_scheme(sid)]):
        head, _, rest = p.partition(".")
        assert head in data and (not rest or rest in (data[head] or {})), p
    # Blanks are "not yet filled", not type errors: only a blank reporting period stops a blank
    # template (the assessment needs it), and validate says where, without a traceback.
    path = tmp_path / "blank.yaml"
    path.write_text(out, encoding="utf-8")
    code, _, err = run("validate", str(path))
    if code == 2:
        assert "blank.yaml:" in err and "^" in err and "Traceback" not in err
        assert {line.split(": ")[1] for line in err.splitlines() if line.startswith(str(path))} == {"V065"}
    filled = re.sub(r"(?m)^  start:\s*$", "  start: 2020-12-01", out, count=1)
    path.write_text(re.sub(r"(?m)^  end:\s*$", "  end: 2021-07-15", filled, count=1), encoding="utf-8")
    code, out, err = run("validate", str(path))
    assert (code, err) == (0, "") and "fields not yet filled:" in out


def test_validate_examples(run, snapshot):
    code, out, err = run("validate", "examples/")
    assert (code, err) == (0, "")
    assert out.count("ok: ") == len(EXAMPLES)
    assert out == snapshot


def test_validate_lists_blank_fields(run, tmp_path):
    path = tmp_path / "trust.yaml"
    path.write_text(
        "trust: {name: Northfield, ods_code: }\nperiod: {start: 2020-10-01, end: 2021-07-15}\n"
        "submitted_by: {name: A, role: B}\nsubmitted_on: 2021-07-14\n"
        "counts:\n  sbl_e1_co_at_booking: {numerator: 5, denominator: }\n"
    )
    code, out, err = run("validate", str(path))
    assert (code, err) == (0, "")
    assert out == (
        f"ok: {path} (Northfield, 2020-10-01 to 2021-07-15)\n"
        "2 fields not yet filled:\n"
        "  $.trust.ods_code\n"
        "  $.counts.sbl_e1_co_at_booking.denominator\n"
    )


@pytest.mark.parametrize("command", ["assess", "validate", "diff"])
def test_today_option(command, run):
    args = ["examples/mis_compliant.json"] + (["examples/mis_compliant.json"] if command == "diff" else [])
    code, _, err = run(command, *args, "--today", "2021-07-14")  # the submission date, the example's latest but the period end
    assert code == 0 and err == ""
    code, out, err = run(command, *args, "--today", "2021-07-13")
    assert code == 2 and out == ""
    assert "V063: submitted_on 2021-07-14 is later than today (2021-07-13)" in err and "Traceback" not in err
    code, _, err = run(command, *args, "--today", "14/07/2021")
    assert code == 2 and "--today: U040: '14/07/2021' is not a date" in err


def test_diff_evidence_files(run, snapshot):
    code, out, _ = run("diff", "examples/mis_late_pmrt.json", "examples/mis_compliant.json", "--scheme", "mis-y3")
    assert code == 0  # nothing newly unmet
    assert "Newly met (1)" in out and "MIS-Y3-SA1.b" in out
    assert out == snapshot


def test_diff_saved_assessments(run, tmp_path, snapshot):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    run("assess", "examples/mis_compliant.json", "--scheme", "mis-y3", "--format", "json", "-o", str(old))
    run("assess", "examples/mis_late_pmrt.json", "--scheme", "mis-y3", "--format", "json", "-o", str(new))
    code, out, _ = run("diff", str(old), str(new), "--format", "markdown")
    assert code == 1  # SA1.b newly unmet
    assert "## Newly unmet (1)" in out
    assert out == snapshot
    code, out, _ = run("diff", str(old), str(old), "--format", "json")
    assert code == 0 and json.loads(out)["newly_unmet"] == []


# ------------------------------------------------------------------ errors and exit codes


def test_bad_evidence_is_reported_with_position_and_exit_2(run, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"trust": {"name": "X", "ods_code": "RXX"},\n "period": {"start": "2021-01-01"}, "submited_on": 3}\n')
    code, out, err = run("assess", str(bad))
    assert code == 2 and out == ""
    assert re.search(r"bad\.json:2:\d+ .*unknown key 'submited_on'", err)
    assert "did you mean: submitted_on?" in err
    assert "     2 |" in err and "^" in err
    assert "Traceback" not in err


def test_several_bad_files_are_all_reported(run, tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text("{not json")
    b.write_text("[]")
    code, _, err = run("assess", str(a), str(b))
    assert code == 2
    assert "a.json:1:2" in err and "b.json" in err


def test_missing_file(run):
    code, _, err = run("assess", "examples/nope.json")
    assert code == 2 and "no such file: examples/nope.json" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (("assess", "examples/mis_compliant.json", "--scheme", "mis-y3x"), "did you mean: mis-y3?"),
        (("assess", "examples/mis_compliant.json", "--param", "MIS.Y3.SA1.b.coverag=80", "--scheme", "mis-y3"), "did you mean: MIS.Y3.SA1.b.coverage?"),
        (("assess", "examples/mis_compliant.json", "--param", "nonsense"), "--param: U010: needs ID=VALUE"),
        (("assess", "examples/mis_compliant.json", "--param", "X=2021-02-30"), "looks like a date"),
        (("assess", "examples/mis_compliant.json", "--challenge", "--format", "json"), "no JSON form"),
        (("assess", "tests"), "no evidence files"),
    ],
)
def test_usage_problems_exit_2(args, message, run):
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("args", [(), ("assess",), ("frobnicate",), ("assess", "x.json", "--format", "docx"), ("schemes", "show")])
def test_argparse_usage_errors_exit_2(args, run):
    code, _, err = run(*args)
    assert code == 2
    assert "usage:" in err and "Traceback" not in err


def test_help_and_version_exit_0(run):
    code, out, _ = run("--help")
    assert code == 0 and "Exit codes: 0 all met, 1 gaps found, 2 bad input or usage" in out
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("compliance ")


def test_debug_shows_the_traceback(run, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    code, _, err = run("--debug", "assess", str(bad))
    assert code == 2 and "Traceback" in err and "bad.json:" in err
    code, _, err = run("assess", str(bad), "--debug")
    assert code == 2 and "Traceback" in err


def test_internal_error_is_brief_without_debug(run, monkeypatch):
    def boom(args):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(cli, "cmd_schemes", boom)
    code, _, err = run("schemes")
    assert code == 3
    assert "internal error: RuntimeError: kaboom" in err and "Traceback" not in err
    code, _, err = run("schemes", "--debug")
    assert code == 3 and "Traceback" in err


@pytest.mark.parametrize(
    "text, value",
    [
        ("95", 95),
        ("-2", -2),
        ("2.5", 2.5),
        ("1e3", 1000.0),
        ("true", True),
        ("No", False),
        ("2021-03-31", dt.date(2021, 3, 31)),
        ("quarterly", "quarterly"),
        ('"95"', "95"),
        ("", ""),
    ],
)
def test_param_values_parse(text, value):
    got = cli.parse_param_value(text)
    assert got == value and type(got) is type(value)


def test_worker_processes_give_the_same_report(run, monkeypatch, tmp_path):
    """Big batches are spread over processes; the report is byte-identical and bad files are still named."""
    args = ("assess", "examples/mis_late_pmrt.json", "examples/mis_compliant.json", "examples/mis_no_deaths.json", "--format", "json")
    monkeypatch.setenv("COMPLIANCE_WORKERS", "1")
    code1, one, _ = run(*args)
    monkeypatch.setenv("COMPLIANCE_WORKERS", "2")
    code2, two, _ = run(*args)
    assert (code1, one) == (code2, two)
    bad = tmp_path / "bad.json"
    bad.write_text('{"trust": 1}')
    code, out, err = run("assess", "examples/mis_compliant.json", str(bad))
    assert code == 2 and "Kingsmere" in out  # the good file is still reported (issue 14)
    assert "bad.json:1:" in err and "($.trust)" in err and "Traceback" not in err


def test_fast_json_path_falls_back_to_positions(run, tmp_path):
    """A duplicate key (which json.loads would silently accept) is still reported where it is."""
    text = (ROOT / "examples" / "mis_no_deaths.json").read_text(encoding="utf-8")
    dup = tmp_path / "dup.json"
    dup.write_text(text.replace('"submitted_on":', '"submitted_on": "2021-07-01", "submitted_on":', 1), encoding="utf-8")
    code, _, err = run("assess", str(dup))
    assert code == 2 and "duplicate key 'submitted_on'" in err and "dup.json:" in err


# ------------------------------------------------------------------ the collector


@pytest.fixture
def collector_off():
    """The state entry() leaves the process in: the cyclic collector off for start-up."""
    import gc

    was = gc.isenabled()
    gc.disable()
    yield
    if was:
        gc.enable()


def test_a_batch_collects_garbage_and_one_file_does_not(monkeypatch, collector_off):
    import gc

    from compliance import batch

    seen: list[bool] = []
    real = batch._assess_path
    monkeypatch.setattr(batch, "_assess_path", lambda *a, **kw: seen.append(gc.isenabled()) or real(*a, **kw))
    monkeypatch.setenv("COMPLIANCE_WORKERS", "1")
    cli._assess_files([Path("examples/mis_compliant.json"), Path("examples/mis_late_pmrt.json")], None, None, "summary")
    assert seen == [True, True]
    assert not gc.isenabled(), "the batch gives back the state it found"
    seen.clear()
    cli._assess_files([Path("examples/mis_compliant.json")], None, None)
    assert seen == [False]


def test_a_worker_process_collects_garbage(collector_off):
    import gc
    import multiprocessing

    from compliance import batch

    import os
    import signal

    parent, child = multiprocessing.Pipe()
    parent.send(None)  # stop at once, after the start-up settings
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        batch._worker_main(child, (None, cli._load_schemes, None, "summary", None), os.getppid())
        assert gc.isenabled()
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def test_the_command_turns_the_collector_off_for_start_up(monkeypatch):
    import gc

    states: list[bool] = []
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "")  # entry() sets it if absent; keep this process as it was
    monkeypatch.setattr(cli, "_main", lambda argv, own_process: states.append(gc.isenabled()) or 0)
    was = gc.isenabled()
    try:
        with pytest.raises(SystemExit):
            cli.entry()
    finally:
        if was:
            gc.enable()
    assert states == [False]
