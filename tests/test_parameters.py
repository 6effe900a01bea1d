"""Parameters: every one has a declared type and range, and an override is checked against it.

Issue 10 (strict parameters) and issue 14 (``--param ...=nan`` aborted the
process inside durable-rules; ``=1e400`` and windows past year 9999 exited 3).
The declaration is checked when the scheme loads (``schemes/checker.py``,
stage ``parameter-ranges``); an override when an assessment starts
(``schemes/parameters.py``), through the library and through the command line.
"""

from __future__ import annotations

import re

import pytest

import compliance
from compliance.errors import SchemeError
from compliance.schemes.loader import builtin_path, builtin_schemes, load_scheme, scheme_from_text

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
        ("    value: 4.1\n", "    value: .nan\n", "S222", "value: .nan", "not a finite number"),
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
