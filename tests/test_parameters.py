"""Parameters: every one has a declared type and range, and an override is checked against it.

Issue 10 (strict parameters) and issue 14 (``--param ...=nan`` aborted the
process inside durable-rules; ``=1e400`` and windows past year 9999 exited 3).
The declaration is checked when the scheme loads (``schemes/checker.py``,
stage ``parameter-ranges``); an override when an assessment starts
(``schemes/parameters.py``), through the library and through the command line.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import compliance
from compliance import cli
from compliance.errors import Location, ParameterError, SchemeError
from compliance.schemes.loader import builtin_path, builtin_schemes, load_scheme, scheme_from_text

ROOT = Path(__file__).resolve().parents[1]
COMPLIANT = str(ROOT / "examples" / "mis_compliant.json")
EVIDENCE = str(ROOT / "tests" / "fixtures" / "evidence_full.json")


# ------------------------------------------------------------------ a small scheme with one parameter of each type

TINY = """\
id: tiny
title: Parameters of every type
version: test
publisher: tests
sources: [{key: T, title: T}]
parameters:
  T.share:
    value: 90
    unit: "%"
    description: a share
    status: confirmed
    source: T
  T.count:
    value: 7
    unit: CQIMs
    range: {min: 0, max: 50, whole: true}
    description: a count
    status: confirmed
    source: T
  T.rate:
    value: 4.1
    unit: per 1,000 births
    range: {min: 0, max: 1000}
    description: a rate
    status: confirmed
    source: T
  T.flag:
    value: true
    description: a flag
    status: confirmed
    source: T
  T.from:
    value: 2020-04-01
    unit: date
    description: a date
    status: confirmed
    source: T
outcome: {met: Met., not_met: Not met.}
sections:
  - id: Q
    title: Q
    requirements:
      - id: Q.1
        title: t
        text: t
        source: T
        status: confirmed
        remediation: r
        rule:
          measure: {kind: figure, figure: figures.msds_cqims_passed}
          compare: ">="
          threshold: T.count
"""


def _tiny() -> compliance.Scheme:
    return scheme_from_text(TINY, file="tiny.yaml")


def _declaration_problems(replace: str, by: str) -> list[tuple[str, int | None, str, str | None, str | None]]:
    assert replace in TINY
    with pytest.raises(SchemeError) as info:
        scheme_from_text(TINY.replace(replace, by, 1), file="tiny.yaml")
    return [(p.code, p.location.line, p.message, p.expected, p.suggestion) for p in info.value.problems]


# ------------------------------------------------------------------ declarations (scheme load)


def test_the_tiny_scheme_loads_and_its_ranges_are_read() -> None:
    s = _tiny()
    count = s.parameters["T.count"]
    assert count.range is not None and (count.range.min, count.range.max, count.range.whole) == (0, 50, True)
    # A percent parameter declares nothing and still has 0-100; a boolean or a date has no range.
    share = s.parameters["T.share"]
    assert share.range is None and share.bounds is not None and (share.bounds.min, share.bounds.max) == (0, 100)
    assert s.parameters["T.flag"].bounds is None and s.parameters["T.from"].bounds is None


@pytest.mark.parametrize(
    "replace, by, code, at, fragment",
    [
        # a numeric parameter that is not a percentage must say what it can mean (pointed at its unit line)
        ("    range: {min: 0, max: 1000}\n", "", "S280", "unit: per 1,000 births", "declares no range"),
        # a range on a boolean or a date means nothing
        ("    value: true\n", "    value: true\n    range: {min: 0, max: 1}\n", "S281", "range: {min: 0, max: 1}", "a range applies only to numbers"),
        ("    unit: date\n", "    unit: date\n    range: {min: 0, max: 1}\n", "S281", "range: {min: 0, max: 1}", "a range applies only to numbers"),
        # a percentage is 0-100 and may not claim more
        ('    unit: "%"\n', '    unit: "%"\n    range: {min: 0, max: 150}\n', "S282", "max: 150", "within 0 to 100"),
        ('    unit: "%"\n', '    unit: "%"\n    range: {min: -5, max: 100}\n', "S282", "min: -5", "within 0 to 100"),
        # a range the wrong way round, or a whole range with fractional ends
        ("range: {min: 0, max: 1000}", "range: {min: 10, max: 1}", "S283", "min: 10", "min 10 is above max 1"),
        ("range: {min: 0, max: 50, whole: true}", "range: {min: 0.5, max: 50, whole: true}", "S283", "min: 0.5", "whole"),
        # the default itself must fit
        ("    value: 7\n", "    value: 70\n", "S284", "value: 70", "outside its range"),
        ("    value: 90\n", "    value: 120\n", "S284", "value: 120", "outside its range"),
        ("    value: 7\n", "    value: 7.5\n", "S285", "value: 7.5", "not a whole number"),
        # NaN is refused as the file is read (E018, as in evidence), before the declaration is checked
        ("    value: 4.1\n", "    value: .nan\n", "E018", "value: .nan", "not a finite number"),
        # a percentage written as a fraction
        ("    value: 90\n", "    value: 0.9\n", "S286", "value: 0.9", "looks like a fraction"),
    ],
)
def test_bad_declarations_are_scheme_errors_at_their_line(replace: str, by: str, code: str, at: str, fragment: str) -> None:
    problems = _declaration_problems(replace, by)
    assert [p[0] for p in problems] == [code], problems
    _, got_line, message, _, _ = problems[0]
    lines = TINY.replace(replace, by, 1).splitlines()
    want = next(i for i, text in enumerate(lines, 1) if at in text)
    assert got_line == want and fragment in message, problems[0]


def test_a_missing_range_says_what_to_write() -> None:
    (problem,) = _declaration_problems("    range: {min: 0, max: 1000}\n", "")
    assert problem[3] is not None and "range: {min: .., max: ..}" in problem[3]
    assert "T.rate" in problem[2] and "per 1,000 births" in problem[2]


def test_a_fraction_default_suggests_the_percentage() -> None:
    (problem,) = _declaration_problems("    value: 90\n", "    value: 0.95\n")
    assert problem[4] == "95 (percent)"


@pytest.mark.parametrize(
    "replace, by",
    [
        ("value: 90", "value: 0"),  # 0% is the placeholder of several "no national threshold" parameters
        ("value: 90", "value: 100"),
        ('    unit: "%"\n', '    unit: "%"\n    range: {min: 50, max: 100, whole: true}\n'),  # narrower is allowed
        ("value: 7\n", "value: 7.0\n"),  # a whole float is a whole number
    ],
)
def test_good_declarations_load(replace: str, by: str) -> None:
    scheme_from_text(TINY.replace(replace, by, 1), file="tiny.yaml")


@pytest.mark.parametrize("bad", ["{min: 0, max: .inf}", "{min: '0', max: 10}", "{min: 0, max: 10, whole: yes please}", "{min: 0, max: 10, step: 1}", "{max: 10}"])
def test_a_malformed_range_is_a_scheme_error(bad: str) -> None:
    with pytest.raises(SchemeError) as info:
        scheme_from_text(TINY.replace("{min: 0, max: 1000}", bad, 1), file="tiny.yaml")
    want = next(i for i, text in enumerate(TINY.splitlines(), 1) if "{min: 0, max: 1000}" in text)
    assert all(p.location.line == want for p in info.value.problems), info.value.render()


@pytest.mark.parametrize("scheme_id", builtin_schemes())
def test_bundled_ranges_are_one_flow_mapping_right_after_unit(scheme_id: str) -> None:
    """The declared shape: ``range: {min: .., max: ..[, whole: true]}`` on the line after ``unit:``."""
    lines = builtin_path(scheme_id).read_text(encoding="utf-8").splitlines()
    shape = re.compile(r"^    range: \{min: -?[0-9.]+, max: [0-9.]+(, whole: true)?\}$")
    ranges = [i for i, line in enumerate(lines) if line.lstrip().startswith("range:")]
    for i in ranges:
        assert shape.match(lines[i]), lines[i]
        assert lines[i - 1].startswith("    unit:"), (i + 1, lines[i - 1])
    scheme = load_scheme(scheme_id)
    numeric = [p for p in scheme.parameters.values() if p.kind == "number" and not p.is_percent]
    assert len(ranges) == len(numeric)


# ------------------------------------------------------------------ overrides through the library


def _override_problems(params: dict[str, Any], schemes: Any = None) -> list[Any]:
    with pytest.raises(ParameterError) as info:
        compliance.assess(EVIDENCE if schemes is not None else COMPLIANT, schemes=schemes, params=params)
    assert all(p.location == Location() for p in info.value.problems), "the library's problems carry no --param location"
    return list(info.value.problems)


@pytest.mark.parametrize(
    "name, value, code, message, suggestion",
    [
        ("MIS.Y3.SA8.a.attendance_per_group", 0.90, "P006", "0.9 looks like a fraction", "90 (percent)"),
        ("MIS.Y3.SA8.a.attendance_per_group", 1, "P006", "1 looks like a fraction", "100 (percent)"),
        ("MIS.Y3.SA8.a.attendance_per_group", 180, "P004", "must be between 0 and 100 %, not 180", None),
        ("MIS.Y3.SA8.a.attendance_per_group", -1, "P004", "must be between 0 and 100 %, not -1", None),
        ("MIS.Y3.SA8.a.attendance_per_group", "90", "P002", "must be a number between 0 and 100 %, not the text '90'", "90 (a number)"),
        ("MIS.Y3.SA8.a.attendance_per_group", True, "P002", "must be a number between 0 and 100 %, not true", None),
        ("MIS.Y3.SA8.a.attendance_per_group", None, "P002", "must be a number between 0 and 100 %, not None", None),
        ("MIS.Y3.SA1.b.coverage", float("nan"), "P003", "must be a finite number between 0 and 100 %, not nan", None),
        ("MIS.Y3.SA1.b.coverage", float("inf"), "P003", "not inf", None),
        ("MIS.Y3.SA1.b.coverage", float("-inf"), "P003", "not -inf", None),
        ("MIS.Y3.SA1.b.coverage", "nan", "P002", "not the text 'nan'", None),
        ("MIS.Y3.SA1.b.coverage", 10**400, "P004", "not a 401-digit number", None),
        ("MIS.Y3.SA1.b.review_started_within", 100000, "P004", "must be a whole number between 1 and 24 calendar months, not 100000", None),
        ("MIS.Y3.SA1.b.review_started_within", 2.5, "P005", "must be a whole number between 1 and 24 calendar months, not 2.5", "2 or 3"),
        ("MIS.Y3.SA1.b.review_started_within", 0, "P004", "not 0", None),
        ("MIS.Y3.SA1.a.notify_within", 1000000000, "P004", "working days, not 1000000000", None),
        ("MIS.Y3.SA10.hsib_from", "2020-04-31", "P002", "must be a date (YYYY-MM-DD), not the text '2020-04-31'", None),
        ("MIS.Y3.SA10.hsib_from", 20200401, "P002", "must be a date (YYYY-MM-DD)", None),
        ("MIS.Y3.SA10.hsib_from", dt.datetime(2020, 5, 1, 9, 30), "P002", "must be a date (YYYY-MM-DD)", "2020-05-01"),
    ],
)
def test_library_overrides_are_checked_against_the_declaration(name: str, value: Any, code: str, message: str, suggestion: str | None) -> None:
    (problem,) = _override_problems({name: value})
    assert problem.code == code, problem.render()
    assert f"parameter '{name}'" in problem.message and message in problem.message, problem.message
    assert problem.expected, "every problem says what was expected"
    assert problem.suggestion == suggestion


def test_every_problem_is_reported_together_with_unit_and_range() -> None:
    problems = _override_problems({"MIS.Y3.SA8.a.attendance_per_group": 0.9, "MIS.Y3.SA1.b.review_started_within": 2.5, "MIS.Y3.SA1.b.coverag": 80})
    assert sorted(p.code for p in problems) == ["P001", "P005", "P006"]
    by_code = {p.code: p for p in problems}
    assert by_code["P001"].suggestion == "MIS.Y3.SA1.b.coverage"
    assert "between 0 and 100 %" in by_code["P006"].message
    assert "between 1 and 24 calendar months" in by_code["P005"].message


@pytest.mark.parametrize(
    "name, value, code, suggestion",
    [
        ("T.flag", "yes", "P002", "true"),
        ("T.flag", 0, "P002", "false"),
        ("T.count", 7.5, "P005", "7 or 8"),
        ("T.count", 51, "P004", None),
        ("T.count", "7", "P002", "7 (a number)"),
        ("T.rate", 1e400, "P003", None),
        ("T.from", "2020-04-01T00:00", "P002", None),
    ],
)
def test_other_types_are_strict(name: str, value: Any, code: str, suggestion: str | None) -> None:
    (problem,) = _override_problems({name: value}, schemes=[_tiny()])
    assert (problem.code, problem.suggestion) == (code, suggestion), problem.render()


@pytest.mark.parametrize(
    "name, value, used",
    [
        ("T.flag", False, False),
        ("T.from", dt.date(2021, 1, 1), dt.date(2021, 1, 1)),
        ("T.from", "2021-01-01", dt.date(2021, 1, 1)),  # the library may give an ISO date as text
        ("T.count", 8.0, 8),  # a whole float is taken as the whole number, reported without ".0"
        ("T.count", 0, 0),
        ("T.share", 0, 0),  # 0% stays valid: the placeholder parameters default to it
        ("T.share", 1.5, 1.5),  # above 1 it is a percentage, not a fraction
        ("T.rate", 2.5, 2.5),
    ],
)
def test_valid_overrides_are_used(name: str, value: Any, used: Any) -> None:
    from compliance.schemes.parameters import check_overrides

    got = check_overrides([_tiny()], {name: value})
    assert got == {name: used} and type(got[name]) is type(used)
    result = compliance.assess(EVIDENCE, schemes=[_tiny()], params={name: value})
    (override,) = [o for o in result.schemes[0].parameter_overrides if o.id == name]
    assert override.value == (used.isoformat() if isinstance(used, dt.date) else used)  # results hold dates as text


def test_a_valid_library_override_is_reported() -> None:
    result = compliance.assess(COMPLIANT, schemes=["mis-y3"], params={"MIS.Y3.SA1.b.coverage": 85})
    mis = next(s for s in result.schemes if s.id == "mis-y3")
    assert [(o.id, o.value) for o in mis.parameter_overrides] == [("MIS.Y3.SA1.b.coverage", 85)]


# ------------------------------------------------------------------ the whole path through the command line


BAD_CLI = [
    ("MIS.Y3.SA8.a.attendance_per_group=0.90", "P006", "did you mean: 90 (percent)?"),
    ("MIS.Y3.SA8.a.attendance_per_group=180", "P004", "must be between 0 and 100 %, not 180"),
    ("MIS.Y3.SA1.b.coverage=nan", "P003", "must be a finite number between 0 and 100 %, not nan"),
    ("MIS.Y3.SA1.b.coverage=NaN", "P003", "not nan"),
    ("MIS.Y3.SA1.b.coverage=inf", "P003", "not inf"),
    ("MIS.Y3.SA1.b.coverage=-Infinity", "P003", "not -inf"),
    ("MIS.Y3.SA1.b.coverage=1e400", "P003", "not inf"),
    ("MIS.Y3.SA1.b.coverage=" + "9" * 5000, "P003", "not inf"),
    ("MIS.Y3.SA1.b.coverage=" + "9" * 400, "P004", "not a 400-digit number"),
    ("MIS.Y3.SA1.b.review_started_within=100000", "P004", "between 1 and 24 calendar months, not 100000"),
    ("MIS.Y3.SA1.a.notify_within=1000000000", "P004", "working days, not 1000000000"),
    ("MIS.Y3.SA1.b.review_started_within=2.5", "P005", "did you mean: 2 or 3?"),
    ("MIS.Y3.SA1.b.review_started_within=two", "P002", "not the text 'two'"),
    ("MIS.Y3.SA10.hsib_from=true", "P002", "must be a date (YYYY-MM-DD), not true"),
]


@pytest.mark.parametrize("param, code, fragment", BAD_CLI, ids=[b[0][:60] for b in BAD_CLI])
def test_bad_param_on_the_command_line_exits_2(run, param: str, code: str, fragment: str) -> None:
    status, out, err = run("assess", "examples/mis_compliant.json", "--param", param)
    assert status == 2 and out == "", err
    assert f"--param: {code}: parameter '{param.partition('=')[0]}'" in err, err
    assert fragment in err and "expected: " in err
    assert "Traceback" not in err and "internal error" not in err


def test_command_line_problems_are_all_reported_at_once(run) -> None:
    status, _, err = run(
        "assess", "examples/mis_compliant.json",
        "--param", "MIS.Y3.SA8.a.attendance_per_group=0.90",
        "--param", "MIS.Y3.SA1.b.review_started_within=2.5",
    )
    assert status == 2
    assert err.count("--param: P") == 2, err


def test_a_valid_command_line_override_still_works_and_is_reported(run) -> None:
    status, out, err = run("assess", "examples/mis_compliant.json", "--scheme", "mis-y3", "--param", "MIS.Y3.SA1.b.coverage=96.5", "--format", "json")
    assert status in (0, 1), err
    assert '"id": "MIS.Y3.SA1.b.coverage"' in out and '"value": 96.5' in out


def test_many_files_carry_the_command_line_location(run) -> None:
    status, _, err = run("assess", "examples/mis_compliant.json", "examples/mis_late_pmrt.json", "--param", "MIS.Y3.SA1.b.coverage=0.5")
    assert status == 2 and "--param: P006" in err and "Traceback" not in err


def _process(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compliance", *args], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=300, check=False
    )


@pytest.mark.parametrize(
    "param, fragment",
    [
        ("MIS.Y3.SA1.b.coverage=nan", "P003"),  # aborted the process (SIGABRT in durable-rules) before
        ("MIS.Y3.SA8.a.attendance_per_group=0.90", "did you mean: 90 (percent)?"),
    ],
)
def test_a_real_process_exits_2_with_a_message(param: str, fragment: str) -> None:
    done = _process("assess", "examples/mis_compliant.json", "--param", param)
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert fragment in done.stderr and "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize(
    "text, value",
    [("nan", float("nan")), ("-inf", float("-inf")), ("Infinity", float("inf")), ("9" * 5000, float("inf"))],
)
def test_non_finite_words_parse_as_numbers_to_be_refused(text: str, value: float) -> None:
    got = cli.parse_param_value(text)
    assert isinstance(got, float) and (got == value or (got != got and value != value))


def test_docs_state_the_range_rules() -> None:
    text = (ROOT / "docs" / "scheme-language.md").read_text(encoding="utf-8")
    assert "range: {min: 1, max: 24, whole: true}" in text
    assert "90 (percent)" in text

