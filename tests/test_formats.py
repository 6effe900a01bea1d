"""The format registry: every format renders what it declares; the command line looks formats up there."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from _report_samples import met_assessment, mixed_assessment

from compliance import cli
from compliance.errors import UsageError
from compliance.report import diff, formats, html, markdown, terminal
from compliance.report import json as json_report
from compliance.report.formats import Format, Options

ROOT = Path(__file__).resolve().parents[1]


def _subject(view: str):
    one, many = mixed_assessment(), [mixed_assessment(), met_assessment()]
    if view == "changes":
        return diff.compare(met_assessment().model_copy(update={"trust": one.trust}), one)
    return many if view in ("assessments", "challenges") else one


def _as_text(fmt: Format, rendered) -> str | bytes:
    if fmt.output == "console":
        console = terminal.make_console()
        rendered(console)
        return terminal.strip_trailing(console.file.getvalue())
    return rendered


CASES = [(f.name, view) for f in formats.registered() for view in f.renders]


@pytest.mark.parametrize("name, view", CASES, ids=[f"{n}-{v}" for n, v in CASES])
@pytest.mark.parametrize("only_gaps", [False, True])
def test_every_registered_format_renders_what_it_declares(name, view, only_gaps):
    fmt = formats.get(name)
    rendered = fmt.render(view, _subject(view), Options(only_gaps=only_gaps))
    if fmt.output == "text":
        assert isinstance(rendered, str)
    elif fmt.output == "bytes":
        assert isinstance(rendered, bytes)
    else:
        assert callable(rendered) and not isinstance(rendered, str | bytes)
    assert _as_text(fmt, rendered)


def _draw(fn, *args, **kw) -> str:
    console = terminal.make_console()
    fn(*args, console, **kw)
    return terminal.strip_trailing(console.file.getvalue())


def overview_then_challenges(many, console) -> None:
    # What the command printed for several trusts with --challenge before the registry.
    terminal.render_overview(many, console, only_gaps=True)
    for a in many:
        console.print()
        terminal.render_challenge(a, console, only_gaps=True)


def test_the_registry_renders_exactly_what_the_renderers_do():
    a, many = mixed_assessment(), [mixed_assessment(), met_assessment()]
    ch = _subject("changes")
    gaps = Options(only_gaps=True)
    expected = {
        ("terminal", "assessment"): terminal.render_text(a, only_gaps=True),
        ("terminal", "assessments"): _draw(terminal.render_overview, many, only_gaps=True),
        ("terminal", "challenge"): _draw(terminal.render_challenge, a, only_gaps=True),
        ("terminal", "challenges"): _draw(overview_then_challenges, many),
        ("terminal", "changes"): _draw(diff.render, ch),
        ("json", "assessment"): json_report.render(a),
        ("json", "assessments"): json_report.render_many(many),
        ("json", "changes"): diff.render_json(ch),
        ("markdown", "assessment"): markdown.render(a, only_gaps=True),
        ("markdown", "assessments"): markdown.render_many(many, only_gaps=True),
        ("markdown", "challenge"): markdown.render(a, only_gaps=True, challenge=True),
        ("markdown", "challenges"): markdown.render_many(many, only_gaps=True, challenge=True),
        ("markdown", "changes"): diff.render_markdown(ch),
        ("html", "assessment"): html.render(a, only_gaps=True),
        ("html", "assessments"): html.render_many(many, only_gaps=True),
        ("html", "challenge"): html.render(a, only_gaps=True, challenge=True),
        ("html", "challenges"): html.render_many(many, only_gaps=True, challenge=True),
    }
    builtin = [(n, v) for n, v in CASES if n in ("terminal", "json", "markdown", "html")]
    assert sorted(builtin) == sorted(expected)
    for (name, view), text in expected.items():
        fmt = formats.get(name)
        subject = ch if view == "changes" else many if view.endswith("s") else a
        assert _as_text(fmt, fmt.render(view, subject, gaps)) == text, (name, view)


def test_json_array_from_a_batch_of_json_texts():
    many = [mixed_assessment(), met_assessment()]
    texts = [a.model_dump_json(indent=2) for a in many]
    fmt = formats.get("json")
    assert fmt.batch == "json"
    assert fmt.render("assessments", texts) == fmt.render("assessments", many) == json_report.render_many(many)


def test_the_builtin_formats_and_their_choices():
    # These are argparse's choices: the help text lists them in this order.
    assert formats.names("assessment") == ("terminal", "json", "markdown", "html", "xlsx", "pdf", "jsonl")
    assert formats.names("changes") == ("terminal", "json", "markdown")
    assert formats.in_words("challenge") == "terminal, markdown, html or pdf"
    assert [(f.name, f.suffix, f.output) for f in formats.registered()][:4] == [
        ("terminal", ".txt", "console"),
        ("json", ".json", "text"),
        ("markdown", ".md", "text"),
        ("html", ".html", "text"),
    ]
    assert (formats.get("xlsx").suffix, formats.get("xlsx").output) == (".xlsx", "bytes")
    assert (formats.get("pdf").suffix, formats.get("pdf").output) == (".pdf", "bytes")


def test_an_unknown_format_is_a_usage_error_with_a_suggestion():
    with pytest.raises(UsageError) as err:
        formats.get("htm")
    (problem,) = err.value.problems
    assert (problem.code, problem.suggestion) == ("U050", "html")
    assert "one of terminal, json, markdown, html" in (problem.expected or "")
    with pytest.raises(UsageError, match="the HTML format cannot show what changed"):
        formats.choose("html", "changes")


@pytest.fixture
def run(capsys):
    def _run(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


@pytest.mark.parametrize(
    "args, suggestion",
    [
        (("assess", "examples/mis_compliant.json", "--format", "htm"), "did you mean: html?"),
        (("assess", "examples/mis_compliant.json", "--format", "mark"), "did you mean: markdown?"),
        (("diff", "a.json", "b.json", "--format", "jsn"), "did you mean: json?"),
    ],
)
def test_an_unknown_format_on_the_command_line(args, suggestion, run):
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert "usage:" in err and "argument --format: U050: no format" in err and suggestion in err
    assert "Traceback" not in err


def test_a_format_without_the_view_asked_for(run):
    code, _, err = run("diff", "a.json", "b.json", "--format", "html")
    assert code == 2 and "U050: the HTML format cannot show what changed between two assessments" in err
    assert "expected: one of terminal, json, markdown" in err


@pytest.mark.parametrize(
    "bad, message",
    [
        (dict(name="Terminal"), "lower-case word"),
        (dict(name="json"), "already registered"),
        (dict(suffix="pdf"), "starts with '.'"),
        (dict(output="binary"), "output is one of"),
        (dict(batch="all"), "batch is one of"),
        (dict(renders={}), "renders no view"),
        (dict(renders={"report": "x:y"}), "no view 'report'"),
        (dict(renders={"assessment": "module.function"}), "'module:function'"),
    ],
)
def test_register_refuses_a_malformed_format(bad, message):
    fields = dict(name="fake", title="Fake", suffix=".fake", output="text", renders={"assessment": "x:y"})
    with pytest.raises(ValueError, match=message):
        formats.register(Format(**{**fields, **bad}))
    assert "fake" not in formats.names()


# ------------------------------------------------------------------ a format plugged in: bytes


def fake_pdf(assessment, options: Options) -> bytes:
    return b"%PDF-fake\x00" + assessment.trust.ods_code.encode() + (b" gaps" if options.only_gaps else b"")


def fake_pdf_many(assessments, options: Options) -> bytes:
    return b"%PDF-fake\x00" + b",".join(a.trust.ods_code.encode() for a in assessments)


def not_bytes(assessment, options: Options) -> str:
    return "text, though the format promised bytes"


@pytest.fixture
def pdf():
    fmt = formats.register(Format("fakepdf", title="PDF", suffix=".pdf", output="bytes", renders={"assessment": "test_formats:fake_pdf"}))
    yield fmt
    formats.unregister("fakepdf")


def test_a_registered_bytes_format_writes_bytes_to_a_file(pdf, run, tmp_path):
    target = tmp_path / "board.pdf"
    code, out, err = run("assess", "examples/mis_compliant.json", "--scheme", "mis-y3", "--format", "fakepdf", "--only-gaps", "-o", str(target))
    assert code == 0 and out == "" and err == ""
    assert target.read_bytes() == b"%PDF-fake\x00R9K gaps"  # no newline added to bytes


def test_a_bytes_format_to_standard_output(pdf, capsysbinary):
    code = cli.main(["assess", "examples/mis_compliant.json", "--scheme", "mis-y3", "--format", "fakepdf"])
    out, _ = capsysbinary.readouterr()
    assert code == 0 and out == b"%PDF-fake\x00R9K"


def test_a_bytes_format_refuses_a_terminal(pdf, run, monkeypatch):
    monkeypatch.setattr(cli, "_is_tty", lambda stream: True)
    code, out, err = run("assess", "examples/mis_compliant.json", "--scheme", "mis-y3", "--format", "fakepdf")
    assert code == 2 and out == ""
    assert "--output: U051: a PDF report is binary" in err and "expected: --output FILE, e.g. -o report.pdf" in err


def test_a_format_that_shows_one_trust_only(pdf, run):
    code, _, err = run("assess", "examples/mis_compliant.json", "examples/mis_late_pmrt.json", "--format", "fakepdf")
    assert code == 2 and "--format: U052: the PDF format cannot show the overview across trusts" in err
    assert "expected: --format terminal, json, markdown, html, pdf or jsonl, or one evidence file" in err
    code, _, err = run("assess", "examples/mis_compliant.json", "--format", "fakepdf", "--challenge")
    assert code == 2 and "--challenge: U012: the challenge view has no PDF form" in err


def test_a_bytes_format_can_show_many_trusts(run, tmp_path):
    formats.register(Format("fakepdf2", title="PDF", suffix=".pdf", output="bytes", renders={"assessments": "test_formats:fake_pdf_many"}))
    try:
        target = tmp_path / "all.pdf"
        code, _, _ = run("assess", "examples/mis_compliant.json", "examples/mis_late_pmrt.json", "--scheme", "mis-y3", "--format", "fakepdf2", "-o", str(target))
    finally:
        formats.unregister("fakepdf2")
    assert code == 1 and target.read_bytes() == b"%PDF-fake\x00R9K,R9F"


def test_a_renderer_that_breaks_its_formats_promise_is_a_bug(run):
    formats.register(Format("liar", title="Liar", suffix=".bin", output="bytes", renders={"assessment": "test_formats:not_bytes"}))
    try:
        code, _, err = run("assess", "examples/mis_compliant.json", "--format", "liar")
    finally:
        formats.unregister("liar")
    assert code == 3 and "internal error: TypeError: the liar format's assessment renderer returned str, not bytes" in err


# ------------------------------------------------------------------ the output channel


def test_output_replaces_the_file_whole_and_keeps_its_mode(run, tmp_path):
    target = tmp_path / "report.md"
    target.write_text("old report\n", encoding="utf-8")
    os.chmod(target, 0o640)
    code, _, _ = run("assess", "examples/mis_compliant.json", "--scheme", "mis-y3", "--format", "markdown", "-o", str(target))
    assert code == 0 and target.read_text(encoding="utf-8").startswith("# ")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]  # no temporary file left behind


def test_output_through_a_symbolic_link_writes_the_file_it_points_at(run, tmp_path):
    real = tmp_path / "real.json"
    real.write_text("{}\n", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    code, _, _ = run("assess", "examples/mis_compliant.json", "--scheme", "mis-y3", "--format", "json", "-o", str(link))
    assert code == 0 and link.is_symlink() and '"schema_version"' in real.read_text(encoding="utf-8")


def test_a_failed_write_leaves_the_old_report_in_place(run, tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    target.write_text("old\n", encoding="utf-8")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    code, out, err = run("assess", "examples/mis_compliant.json", "--format", "html", "-o", str(target))
    assert code == 2 and "U020: cannot write the report: Permission denied" in err
    assert target.read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_output_to_something_not_a_file_is_written_in_place(run, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    code, _, _ = run("assess", "examples/mis_compliant.json", "--scheme", "mis-y3", "--format", "json", "-o", str(fifo))
    reader.join(timeout=60)
    assert code == 0 and stat.S_ISFIFO(fifo.stat().st_mode)
    assert got and got[0].startswith(b"{\n")


# ------------------------------------------------------------------ start-up


def test_help_reads_the_registry_but_imports_no_renderer_and_no_rich():
    code = (
        "import sys\nfrom compliance.cli import main\n"
        "for argv in (['--help'], ['assess', '--help'], ['diff', '--help']):\n"
        "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith(('compliance.report', 'rich'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    assert "--format {terminal,json,markdown,html,xlsx,pdf,jsonl}" in done.stdout and "--format {terminal,json,markdown}" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "LOADED ['compliance.report', 'compliance.report.formats']"
