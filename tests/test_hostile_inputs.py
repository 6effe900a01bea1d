"""Hostile and malformed inputs, each run as a user would run it: ``python -m compliance`` in a child process.

Every case is data: how to build its files (in ``tmp_path``, at test time: no
large file is committed), the command line, the exit code it must give, and
what its message must name -- the file, and the position where there is one.
Every case must also finish without a traceback, with no raw control or
bidirectional character on either stream, and within a generous bound
(10 s of wall time and 1 GB of address space, set in the child with
``setrlimit``): only a hang or a blow-up fails that, never a slow machine.

The kinds, in order: files that are not regular or too large, YAML alias
bombs, nesting, numbers no measure can hold, dates that leave the calendar,
parameter overrides, text that would inject markup or terminal commands, and
error output (windows, line numbers, files named, suggestions).
"""

from __future__ import annotations

import copy
import json
import os
import re
import resource
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
GOOD = json.loads((ROOT / "examples" / "mis_compliant.json").read_text(encoding="utf-8"))
TODAY = ("--today", "2026-01-01")

#: The bound on each child: generous, so that only a hang or a runaway fails it.
SECONDS = 10
MEMORY = 1 << 30

#: What must never reach a terminal raw, from any input.
RAW_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

NOT_REGULAR = r"E015: is (a FIFO \(named pipe\)|a device), not a regular file"


def _limit() -> None:  # runs in the child, before it executes Python
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (SECONDS * 2, SECONDS * 2))


# ------------------------------------------------------------------ building inputs


def evidence(change: Callable[[dict[str, Any]], Any] | None = None) -> dict[str, Any]:
    """The compliant example, changed."""
    data = copy.deepcopy(GOOD)
    if change is not None:
        change(data)
    return data


def dumped(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=True)


def set_at(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets the dotted ``path`` (list indexes as numbers) to ``value``."""

    def change(data: dict[str, Any]) -> None:
        parts: list[Any] = [int(p) if p.isdigit() else p for p in path.split(".")]
        cur: Any = data
        for part in parts[:-1]:
            cur = cur[part]
        cur[parts[-1]] = value

    return change


def json_with(path: str, literal: str) -> str:
    """The example as JSON with the value at ``path`` replaced by ``literal`` as written (NaN, 1e400, 5,000 digits)."""
    marker = "__HOSTILE__"
    return dumped(evidence(set_at(path, marker))).replace(f'"{marker}"', literal)


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """The 1-based line (lines end at ``\\n``) where ``needle`` occurs for the ``nth`` time."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    return text.count("\n", 0, at) + 1


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The "billion laughs": each anchor a list of ``width`` aliases to the one before."""
    lines = ["l0: &l0 [" + ",".join(["lol"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@dataclass
class Case:
    """One hostile input: its files, its command line, and what must come of it."""

    id: str
    #: Makes the input files in the directory given; returns the command's arguments.
    build: Callable[[Path], list[str]]
    code: int = 2
    #: Regular expressions the standard error must match ({file} stands for the main file, escaped).
    stderr: tuple[str, ...] = ()
    #: The file the message must name (relative to tmp_path), if any.
    names: str | None = None
    #: Text that must not appear on standard error (a wrong suggestion, say).
    not_in_stderr: tuple[str, ...] = ()
    #: Text that must not appear on standard output (raw markup, say).
    not_in_stdout: tuple[str, ...] = ()
    #: Text that must appear on standard output.
    in_stdout: tuple[str, ...] = ()
    #: Most bytes standard error may hold (an error must not echo a whole file).
    stderr_max: int = 20_000
    env: dict[str, str] = field(default_factory=dict)


def write(tmp: Path, name: str, text: str | bytes) -> str:
    p = tmp / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8", newline="")
    return str(p)


def fifo(tmp: Path, name: str) -> str:
    p = tmp / name
    os.mkfifo(p)
    return str(p)


def good_file(tmp: Path) -> str:
    return write(tmp, "good.json", dumped(GOOD))


def assess(name: str, text: str | Callable[[], str], *extra: str) -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        return ["assess", write(tmp, name, text() if callable(text) else text), *extra, *TODAY]

    return build


def assess_json(path: str, literal: str, *extra: str) -> Callable[[Path], list[str]]:
    return assess("e.json", lambda: json_with(path, literal), *extra)


def param(*items: str) -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        args = ["assess", good_file(tmp), *TODAY]
        for item in items:
            args += ["--param", item]
        return args

    return build


# ------------------------------------------------------------------ the cases

NUMERATOR = "counts.msds_ethnicity_recorded.numerator"
NUMERATOR_PATH = r"\(\$\.counts\.msds_ethnicity_recorded\.numerator\)"
HOSTILE_NAME = "<script>alert(1)</script>\x1b]0;owned\x07\x1b[2J\u202eevil\x00<img src=x onerror=alert(2)>"
HOSTILE_EVIDENCE = evidence(set_at("trust.name", HOSTILE_NAME))


def _deep_block_yaml(levels: int) -> str:
    return "".join("  " * i + "a:\n" for i in range(levels)) + "  " * levels + "a: 1\n"


def _big_single_line(tmp: Path) -> list[str]:
    data = evidence(lambda d: d.update(zzz="x" * 55_000_000))
    return ["validate", write(tmp, "big.json", json.dumps(data))]


def _sparse(tmp: Path) -> list[str]:
    p = tmp / "huge.json"
    with open(p, "wb") as f:
        f.truncate(101_000_000)  # sparse: no disk used, and nothing may read it
    return ["assess", str(p), *TODAY]


def _records_fifo(tmp: Path) -> list[str]:
    return ["assess", good_file(tmp), "--records", "perinatal_deaths=" + fifo(tmp, "deaths.csv"), *TODAY]


def _scheme_fifo(tmp: Path) -> list[str]:
    return ["assess", good_file(tmp), "--scheme", fifo(tmp, "scheme.yaml"), *TODAY]


def _nested_duplicate(tmp: Path) -> list[str]:
    lines = dumped(GOOD).split("\n")
    at = [i for i, line in enumerate(lines) if '"numerator"' in line][3]
    lines.insert(at + 1, lines[at])
    return ["validate", write(tmp, "dup.json", "\n".join(lines))]


def _u2028_json(tmp: Path) -> list[str]:
    text = dumped(evidence(lambda d: d["trust"].update(name="Kingsmere\u2028Hospitals\u2028Trust")))
    text = text.replace('"schemes": [', '"bogus_key": 1,\n  "schemes": [')
    return ["validate", write(tmp, "sep.json", text)]


def _u2028_yaml(tmp: Path) -> list[str]:
    # YAML's own marks break lines at U+2028 and NEL too (bogus_key would be "line 5"); editors do not.
    text = 'schema_version: "1"\ntrust: {name: "Kingsmere\u2028Hospitals\x85Trust", ods_code: R9K}\nbogus_key: 1\n'
    return ["validate", write(tmp, "sep.yaml", text)]


def _wide_aliases(tmp: Path) -> str:
    return "base: &b [" + ",".join(str(i) for i in range(100)) + "]\nmany: [" + ",".join(["*b"] * 20_000) + "]\n"


def _batch(tmp: Path, fmt: str = "terminal") -> list[str]:
    return ["assess", write(tmp, "a.json", dumped(HOSTILE_EVIDENCE)), good_file(tmp), "--format", fmt, *TODAY]


def _workbook_with(tmp: Path, value: Any) -> list[str]:
    """The example as a workbook (``compliance convert``), its first 561 (a numerator) replaced by ``value``."""
    import openpyxl

    from compliance.cli import main

    book = tmp / "e.xlsx"
    assert main(["convert", good_file(tmp), "-o", str(book)]) == 0
    wb = openpyxl.load_workbook(book)
    cell = next(c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == 561)
    cell.value = value
    wb.save(book)
    return ["assess", str(book), *TODAY]


def _ctl_filename(tmp: Path) -> list[str]:
    return ["validate", write(tmp, "evil\x1b[2J\u202ename.json", "{not json")]


CASES: list[Case] = [
    # --- 1. files that are not regular files, or too large: refused before any read
    Case("fifo-evidence-json", lambda t: ["assess", fifo(t, "e.json"), *TODAY], stderr=(NOT_REGULAR,), names="e.json"),
    Case("fifo-evidence-yaml", lambda t: ["validate", fifo(t, "e.yaml")], stderr=(NOT_REGULAR,), names="e.yaml"),
    Case("fifo-evidence-xlsx", lambda t: ["assess", fifo(t, "e.xlsx"), *TODAY], stderr=(NOT_REGULAR,), names="e.xlsx"),
    Case("fifo-scheme", _scheme_fifo, stderr=(NOT_REGULAR,), names="scheme.yaml"),
    Case("fifo-schemes-show", lambda t: ["schemes", "show", fifo(t, "s.yaml")], stderr=(NOT_REGULAR,), names="s.yaml"),
    Case("fifo-records-csv", _records_fifo, stderr=(NOT_REGULAR,), names="deaths.csv"),
    Case("fifo-convert", lambda t: ["convert", fifo(t, "e.json")], stderr=(NOT_REGULAR,), names="e.json"),
    Case("fifo-diff", lambda t: ["diff", fifo(t, "old.json"), good_file(t), *TODAY], stderr=(NOT_REGULAR,), names="old.json"),
    Case("dev-zero-evidence", lambda t: ["assess", "/dev/zero", *TODAY], stderr=(NOT_REGULAR, "/dev/zero")),
    Case("dev-zero-validate", lambda t: ["validate", "/dev/zero"], stderr=(NOT_REGULAR, "/dev/zero")),
    Case("dev-zero-scheme", lambda t: ["assess", good_file(t), "--scheme", "/dev/zero", *TODAY], stderr=(NOT_REGULAR, "/dev/zero")),
    Case("dev-zero-records", lambda t: ["assess", good_file(t), "--records", "perinatal_deaths=/dev/zero", *TODAY], stderr=(NOT_REGULAR, "/dev/zero")),
    Case("dev-null-evidence", lambda t: ["validate", "/dev/null"], stderr=(NOT_REGULAR, "/dev/null")),
    Case("directory-as-scheme", lambda t: ["assess", good_file(t), "--scheme", str(t), *TODAY], stderr=("E011: is a directory",)),
    Case("over-default-size", _sparse, stderr=(r"E016: is too large to read \(101,000,000 bytes; the limit is 100,000,000\)",), names="huge.json"),
    Case("over-max-bytes", lambda t: ["assess", good_file(t), "--max-bytes", "1000", *TODAY], stderr=("E016", "the limit is 1,000"), names="good.json"),
    Case("over-max-bytes-validate", lambda t: ["validate", good_file(t), "--max-bytes", "1K"], stderr=("E016",), names="good.json"),
    Case("max-bytes-scheme", lambda t: ["assess", good_file(t), "--scheme", "schemes/mis_10_actions.yaml", "--max-bytes", "5000", *TODAY],
         # Since scheme versions (issue 11) the bundled index is read too, and it may be the first file over the limit.
         stderr=("E016", r"schemes/\w+\.yaml")),
    Case("max-bytes-not-a-number", lambda t: ["assess", good_file(t), "--max-bytes", "lots"], stderr=("--max-bytes",)),
    Case("max-bytes-raised", lambda t: ["validate", good_file(t), "--max-bytes", "200M"], code=0, in_stdout=("ok: ",)),
    # --- 2. YAML aliases: bounded, refused in well under a second, naming the anchor's line
    Case("alias-bomb-evidence", assess("bomb.yaml", alias_bomb()), stderr=(r"E008: too large once its YAML aliases are expanded: the anchor on line \d+",),
         names="bomb.yaml"),
    Case("alias-bomb-validate", lambda t: ["validate", write(t, "bomb.yml", alias_bomb(12, 12))], stderr=("E008", r":\d+:\d+")), 
    Case("alias-bomb-scheme", lambda t: ["assess", good_file(t), "--scheme", write(t, "bomb.yaml", alias_bomb()), *TODAY], stderr=("E008",), names="bomb.yaml"),
    Case("alias-bomb-schemes-show", lambda t: ["schemes", "show", write(t, "bomb.yaml", alias_bomb())], stderr=("E008",), names="bomb.yaml"),
    Case("alias-bomb-of-mappings", assess("maps.yaml", "a: &a {x: 1, y: 2, z: 3, w: 4, v: 5, u: 6, t: 7, s: 8}\n"
                                          + "".join(f"{c}: &{c} {{" + ", ".join(f"k{i}: *{p}" for i in range(8)) + "}\n" for p, c in zip("abcdefgh", "bcdefghi"))),
         stderr=("E008", "anchor on line"), names="maps.yaml"),
    Case("alias-wide", lambda t: ["validate", write(t, "wide.yaml", _wide_aliases(t))], stderr=("E008", r"wide\.yaml:1:"), names="wide.yaml"),
    # --- 3. nesting beyond a sane depth: refused with a position, never a RecursionError
    Case("deep-json-lists", assess("deep.json", "[" * 100_000 + "]" * 100_000), stderr=(r"deep\.json:1:\d+: E007: nested too deeply",), stderr_max=2_000),
    Case("deep-json-objects", assess("deep.json", '{"a":' * 100_000 + "1" + "}" * 100_000), stderr=(r"deep\.json:1:\d+: E007",), stderr_max=2_000),
    Case("deep-json-201", assess("deep.json", "[" * 201 + "]" * 201), stderr=(r"deep\.json:1:\d+: E007",)),
    Case("deep-json-in-evidence", assess_json("trust.ods_code", "[" * 300 + "]" * 300), stderr=(r"e\.json:\d+:\d+: E007",)),
    Case("deep-yaml-flow", assess("deep.yaml", "[" * 100_000 + "]" * 100_000), stderr=(r"deep\.yaml:1:\d+: E007",), stderr_max=2_000),
    Case("deep-yaml-block", assess("deep.yaml", _deep_block_yaml(300)), stderr=(r"deep\.yaml:\d+:\d+ .*E007",)),
    Case("deep-yaml-scheme", lambda t: ["assess", good_file(t), "--scheme", write(t, "deep.yaml", "id: x\nsections: " + "[" * 5_000 + "]" * 5_000 + "\n"), *TODAY],
         stderr=(r"deep\.yaml:2:\d+.*E007",)),
    Case("brackets-in-a-string-are-text", assess_json("trust.name", json.dumps("[" * 5_000)), code=0, in_stdout=("Verdict",)),
    # --- 4. numbers no measure can hold: refused at their path
    Case("int-400-digits", assess_json(NUMERATOR, "9" * 400), stderr=(r"e\.json:31:7 " + NUMERATOR_PATH + ": E017: a 400-digit number is too large",), stderr_max=2_000),
    Case("int-5000-digits", assess_json(NUMERATOR, "9" * 5_000), stderr=(r"e\.json:31:7 " + NUMERATOR_PATH + ": E017: a 5,000-digit number",), stderr_max=2_000),
    Case("int-negative-400-digits", assess_json(NUMERATOR, "-" + "9" * 400), stderr=(NUMERATOR_PATH + ": E017",)),
    Case("int-just-beyond-2-53", assess_json(NUMERATOR, str(2**53)), stderr=(NUMERATOR_PATH + ": E017",)),
    Case("int-5000-digits-yaml", assess("e.yaml", lambda: yaml.safe_dump(evidence(set_at(NUMERATOR, "HOSTILE"))).replace("HOSTILE", "9" * 5_000)),
         stderr=(r"e\.yaml:\d+:\d+ " + NUMERATOR_PATH + ": E017: a 5,000-digit number",), stderr_max=2_000),
    Case("float-1e400", assess_json(NUMERATOR, "1e400"), stderr=(NUMERATOR_PATH + ": E017: 1e400 is too large",)),
    Case("float-minus-1e400", assess_json("figures.coc_plan_target_percent", "-1e400"), stderr=(r"\(\$\.figures\.coc_plan_target_percent\): E017",)),
    Case("float-1e300", assess_json("figures.coc_plan_target_percent", "1e300"), stderr=(r"\(\$\.figures\.coc_plan_target_percent\): E017",)),
    Case("nan-json", assess_json(NUMERATOR, "NaN"), stderr=(r"e\.json:31:7 " + NUMERATOR_PATH + r": E018: NaN \(not a number\) is not a finite number",)),
    Case("infinity-json", assess_json("figures.coc_plan_target_percent", "Infinity"), stderr=("E018: infinity",)),
    Case("minus-infinity-json", assess_json("figures.msds_cqims_passed", "-Infinity"), stderr=(r"\(\$\.figures\.msds_cqims_passed\): E018: minus infinity",)),
    Case("nan-in-a-case-record", assess_json("cases.perinatal_deaths.1.parents_informed", "NaN"),
         stderr=(r"\(\$\.cases\.perinatal_deaths\[1\]\.parents_informed\): E018",)),
    Case("nan-yaml", assess("e.yaml", lambda: yaml.safe_dump(evidence(set_at(NUMERATOR, float("nan"))))), stderr=(r"e\.yaml:\d+:\d+ " + NUMERATOR_PATH + ": E018",)),
    Case("inf-yaml", assess("e.yaml", lambda: yaml.safe_dump(evidence(set_at("figures.coc_plan_target_percent", float("inf"))))), stderr=("E018: infinity",)),
    Case("nan-in-scheme", lambda t: ["assess", good_file(t), "--scheme",
                                     write(t, "s.yaml", (ROOT / "schemes" / "mis_10_actions.yaml").read_text(encoding="utf-8").replace("value: 95", "value: .nan", 1)), *TODAY],
         stderr=(r"s\.yaml:\d+:\d+ .*E018",)),
    Case("workbook-cell-1e300", lambda t: _workbook_with(t, 1e300), stderr=(r"e\.xlsx:'MIS-Y3-SA2'!B15 " + NUMERATOR_PATH + ": E017: a 301-digit number",)),
    Case("workbook-cell-huge-text-number", lambda t: _workbook_with(t, "9" * 400), stderr=(r"e\.xlsx:'MIS-Y3-SA2'!B15 " + NUMERATOR_PATH,), stderr_max=3_000),
    # --- 5. dates whose arithmetic would leave the calendar
    Case("period-end-9999", assess_json("period.end", '"9999-12-31"'), stderr=(r"e\.json:9:5 \(\$\.period\.end\): V066: period\.end 9999-12-31 is outside the calendar",)),
    Case("period-start-0001", assess_json("period.start", '"0001-01-01"'), stderr=(r"\(\$\.period\.start\): V066",)),
    Case("death-in-9999", assess_json("cases.perinatal_deaths.0.died_on", '"9999-12-31"'), stderr=(r"\(\$\.cases\.perinatal_deaths\[0\]\.died_on\): V066",)),
    Case("review-in-9999", assess_json("cases.perinatal_deaths.0.final_report_on", '"9999-12-31"'), stderr=(r"perinatal_deaths\[0\]\.final_report_on\): V066",)),
    Case("submitted-9999-today-9999", lambda t: ["assess", write(t, "e.json", json_with("submitted_on", '"9999-12-31"')), "--today", "9999-12-31"],
         stderr=(r"--today: U041: 9999-12-31 is outside the calendar",)),
    Case("period-9999-yaml-date", assess("e.yaml", lambda: yaml.safe_dump(evidence(set_at("period.end", "PERIODEND"))).replace("PERIODEND", "9999-12-31")),
         stderr=(r"e\.yaml:\d+:\d+ \(\$\.period\.end\): V066",)),
    Case("today-9999", lambda t: ["assess", good_file(t), "--today", "9999-12-31"], stderr=("--today: U041",)),
    Case("today-0001", lambda t: ["validate", good_file(t), "--today", "0001-01-01"], stderr=("--today: U041",)),
    Case("year-10000-is-not-a-date", assess_json("period.end", '"10000-01-01"'), stderr=(r"\(\$\.period\.end\): V0\d\d",)),
    # --- 6. parameter overrides: nothing non-finite or out of range reaches durable-rules
    Case("param-nan", param("MIS.Y3.SA1.b.coverage=nan"), stderr=("--param: P003: parameter 'MIS.Y3.SA1.b.coverage' must be a finite number",)),
    Case("param-NaN-upper", param("MIS.Y3.SA1.b.coverage=NaN"), stderr=("--param: P003",)),
    Case("param-1e400", param("MIS.Y3.SA1.b.coverage=1e400"), stderr=("--param: P003", "reads as infinity")),
    Case("param-inf", param("MIS.Y3.SA1.b.coverage=inf"), stderr=("--param: P003",)),
    Case("param-minus-infinity", param("MIS.Y3.SA1.b.coverage=-Infinity"), stderr=("--param: P003",)),
    Case("param-5000-digits", param("MIS.Y3.SA1.b.coverage=" + "9" * 5_000), stderr=("--param: P00[34]: parameter 'MIS.Y3.SA1.b.coverage'",), stderr_max=2_000),
    Case("param-review-window", param("MIS.Y3.SA1.b.review_started_within=100000"), stderr=("--param: P004: .*between 1 and 24 calendar months",)),
    Case("param-notify-window", param("MIS.Y3.SA1.a.notify_within=1000000000"), stderr=("--param: P004: .*working days",)),
    Case("param-window-misspelt", param("MIS.Y3.SA1.b.notify_within=1000000000"), stderr=("--param: P001", "did you mean: MIS.Y3.SA1.a.notify_within")),
    # --- 7. text that would inject markup or terminal commands: escaped for each format
    Case("markdown-html-in-trust-name", assess("a.json", dumped(HOSTILE_EVIDENCE), "--format", "markdown"), code=0,
         not_in_stdout=("<script", "<img", "\x1b", "\u202e", "\x00"), in_stdout=("&lt;script>", "\\\\x1b")),
    Case("markdown-html-in-document-title", assess("a.json", dumped(evidence(set_at("board_sign_off.document.title", "<img src=x onerror=alert(1)>"))),
                                                   "--format", "markdown", "--scheme", "mis-y3"), code=0, not_in_stdout=("<img",)),
    Case("markdown-html-in-case-id", assess("a.json", dumped(evidence(set_at("cases.perinatal_deaths.0.id", "<script>x</script>"))),
                                            "--format", "markdown"), code=0, not_in_stdout=("<script",)),
    Case("html-in-trust-name", assess("a.json", dumped(HOSTILE_EVIDENCE), "--format", "html"), code=0,
         not_in_stdout=("<script>alert", "<img src=x", "\u202e", "\x00"), in_stdout=("&lt;script&gt;",)),
    Case("json-bidi-and-nul", assess("a.json", dumped(HOSTILE_EVIDENCE), "--format", "json"), code=0, in_stdout=("\\u202e", "\\u0000")),
    Case("terminal-escapes-in-trust-name", assess("a.json", dumped(HOSTILE_EVIDENCE)), code=0, in_stdout=("\\x1b]0;owned", "\\u202e")),
    Case("terminal-challenge-view", assess("a.json", dumped(HOSTILE_EVIDENCE), "--challenge"), code=0),
    Case("batch-overview-terminal", _batch, code=0, in_stdout=("\\x1b", "Kingsmere")),
    Case("batch-overview-markdown", lambda t: _batch(t, "markdown"), code=0, not_in_stdout=("<script",)),
    Case("batch-overview-html", lambda t: _batch(t, "html"), code=0, not_in_stdout=("<script>alert",)),
    Case("xlsx-tracker-control-characters", lambda t: ["assess", write(t, "a.json", dumped(HOSTILE_EVIDENCE)), "--format", "xlsx", "-o", str(t / "r.xlsx"), *TODAY],
         code=0),
    Case("validate-echoes-name-escaped", lambda t: ["validate", write(t, "a.json", dumped(HOSTILE_EVIDENCE))], code=0, in_stdout=("\\x1b",)),
    Case("error-key-with-escapes", assess("k.json", dumped(evidence(lambda d: d.update({"\x1b[2Jkey\u202e": 1})))),
         stderr=(r"unknown key '\\x1b\[2Jkey\\u202e'",), names="k.json"),
    Case("error-value-with-nul", assess_json("trust.ods_code", '"R9K\\u0000\\u001b[31m"'), stderr=(r"\\x00",)),
    Case("error-file-name-with-escapes", _ctl_filename, stderr=(r"evil\\x1b\[2J\\u202ename\.json:1:2: E001",)),
    # --- 8. error output: a window of the line, the right line, the file named
    Case("error-in-55mb-single-line", _big_single_line, stderr=(r"big\.json:1:\d+ \(\$\.zzz\): V010", "…"), stderr_max=2_000),
    Case("deep-yaml-echo-bounded", assess("deep.yaml", "a: " + "[" * 3_000 + "]" * 3_000 + "\n"), stderr=("E007", "…"), stderr_max=2_000),
    Case("nested-duplicate-key", _nested_duplicate,
         stderr=(r"dup\.json:47:7 \(\$\.counts\.supernumerary_coordinator_shifts\.numerator\): E004: duplicate key 'numerator' \(first defined on line 46\)",)),
    Case("top-level-duplicate-key", assess("dup.json", lambda: dumped(GOOD).replace('"schemes": [', '"trust": {},\n  "schemes": [')),
         stderr=(r"dup\.json:11:3 \(\$\.trust\): E004: duplicate key 'trust' \(first defined on line 3\)",)),
    Case("u2028-in-json-string", _u2028_json, stderr=(r"sep\.json:11:3 \(\$\.bogus_key\): V010", r"\n\s+11 \|   \"bogus_key\": 1,")),
    Case("u2028-and-nel-in-yaml", _u2028_yaml, stderr=(r"sep\.yaml:3:1 \(\$\.bogus_key\): V010", r"\n\s+3 \| bogus_key: 1")),
    Case("unknown-scheme-names-file", assess_json("schemes", '["mis-y9"]'),  # mis-y4 is a real scheme since issue 11
         stderr=(r"e\.json \(\$\.schemes\[0\]\): U002: the evidence names no bundled scheme 'mis-y9'", "did you mean: mis-y")),
    Case("huge-value-quoted-in-a-message", assess_json("schema_version", json.dumps("y" * 5_000_000)), stderr=(r"\(\$\.schema_version\): V0\d\d", "…"),
         stderr_max=6_000),
    Case("yaml-python-tag", assess("t.yaml", "schema_version: !!python/object/apply:os.system ['touch /tmp/owned']\n"),
         stderr=(r"t\.yaml:1:17 \(\$\.schema_version\): E005: YAML tag",)),
    Case("scheme-title-with-escapes", lambda t: ["schemes", "show", write(t, "s.yaml", (ROOT / "schemes" / "sblcbv2.yaml").read_text(encoding="utf-8")
                                                                         .replace("\ntitle: Saving Babies' Lives Care Bundle version 2 (SBLCBv2)\n", "\ntitle: \"\\e]0;owned\\a\\u202eSBL\"\n", 1))],
         code=0, in_stdout=("\\x1b]0;owned",)),
    Case("mistyped-command", lambda t: ["asess", good_file(t)], stderr=("U015: no command 'asess'", "did you mean: assess")),
    Case("key-with-brackets", assess("n.json", dumped(evidence(lambda d: d.update({"note [draft]": 1})))),
         stderr=(r"n\.json:\d+:3 \(\$\['note \[draft\]'\]\): V010: unknown key 'note \[draft\]'",),
         not_in_stderr=("unknown key 'trust'", "did you mean: trust")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, tmp_path: Path) -> None:
    args = case.build(tmp_path)
    env = {**os.environ, **case.env}
    env.pop("NO_COLOR", None)
    env.pop("COMPLIANCE_MAX_BYTES", None)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "compliance", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=SECONDS,
            preexec_fn=_limit,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{case.id}: still running after {SECONDS} s")
    out = done.stdout.decode("utf-8", "replace")
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == case.code, (done.returncode, err[-3000:])
    assert "Traceback" not in err and "internal error" not in err, err[-3000:]
    assert len(done.stderr) <= case.stderr_max, f"{len(done.stderr)} bytes on standard error: {err[:500]}"
    for pattern in case.stderr:
        assert re.search(pattern, err), (pattern, err[:3000])
    if case.names is not None:
        assert str(tmp_path / case.names) in err, err[:3000]
    assert not RAW_CONTROLS.search(err), err[:3000]
    if not args[-1].endswith(".xlsx") and "-o" not in args:
        assert not RAW_CONTROLS.search(out), [m.group() for m in RAW_CONTROLS.finditer(out)][:5]
    for text in case.not_in_stdout:
        assert text not in out
    for text in case.in_stdout:
        assert text in out, (text, out[:2000])
    for text in case.not_in_stderr:
        assert text not in err, err[:3000]


def test_there_are_at_least_sixty_cases() -> None:
    assert len(CASES) >= 60
    assert len({c.id for c in CASES}) == len(CASES)
