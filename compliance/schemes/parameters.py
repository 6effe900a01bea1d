"""The parameter-override stage: a caller's overrides checked against the schemes' declarations.

It runs once per assessment, after the schemes are chosen and before any
measure is taken (``engine.assess``).  It takes the chosen schemes and the
overrides as given -- ``assess(params={...})`` from the library, or the
values ``--param ID=VALUE`` parsed to (see :class:`FromCommandLine`) -- and
returns the overrides the rules will use, each of its declared type (a
number as int or float, a date as :class:`datetime.date`, a bool).  Every
problem is collected and raised together as one
:class:`~compliance.errors.ParameterError` (exit 2), each naming the
parameter, its unit and its range, so nothing non-finite, out of range or of
the wrong type ever reaches durable-rules (NaN aborted the process there;
a window of 100,000 months ran dates past year 9999).

The declarations themselves (a range for every number, defaults inside
it) were checked when the scheme loaded: ``checker.stage_parameter_ranges``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import Location, ParameterError, Problem, did_you_mean
from ..source import DATE_RANGE, date_in_range
from .model import Parameter, Scheme

__all__ = ["FromCommandLine", "check_overrides", "describe", "format_number", "is_whole"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FromCommandLine(dict[str, Any]):
    """Overrides typed as ``--param ID=VALUE``: their problems are located at ``--param``.

    A plain dict to everything else (it pickles to worker processes as one).
    """


def is_whole(x: float) -> bool:
    """Whether a finite number is whole (an int of any size is, without converting it to float)."""
    return isinstance(x, int) or x.is_integer()


def format_number(x: float) -> str:
    """A number as a person wrote it: 90 not 90.0, and a 400-digit integer by its length."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        if abs(x) < 10**15:
            return str(x)
        try:
            return f"a {len(str(abs(x)))}-digit number"
        except ValueError:  # past Python's int-to-text limit
            return f"a number of more than {sys.get_int_max_str_digits()} digits"
    if math.isfinite(x) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _span(p: Parameter) -> str:
    r = p.bounds
    assert r is not None
    unit = f" {p.unit}" if p.unit else ""
    return f"between {format_number(r.min)} and {format_number(r.max)}{unit}"


def describe(p: Parameter) -> str:
    """What a value of ``p`` must be: 'a whole number between 1 and 24 calendar months', 'true or false'."""
    if p.kind == "boolean":
        return "true or false"
    if p.kind == "date":
        return "a date (YYYY-MM-DD)"
    if p.kind == "text":
        return "text"
    r = p.bounds
    if r is None:  # refused when the scheme loaded; kept total for a scheme built in code
        return "a number"
    return f"{'a whole number' if r.whole else 'a number'} {_span(p)}"


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f"the text {value[:40]!r}" + ("..." if len(value) > 40 else "")
    if isinstance(value, (bool, int, float)):
        return format_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)[:60]


def _as_number(text: str) -> float | None:
    try:
        x = float(text.strip())
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def _check_one(name: str, p: Parameter, value: Any, where: Location) -> tuple[Any, Problem | None]:
    """The value as the rules will use it, or the one problem found with it."""

    def problem(code: str, message: str, suggestion: str | None = None, expected: str | None = None) -> tuple[Any, Problem]:
        return value, Problem(code, f"parameter '{name}' {message}", where, expected or describe(p), suggestion)

    kind = p.kind
    if kind == "boolean":
        if isinstance(value, bool):
            return value, None
        hint = None
        if isinstance(value, str) and value.strip().lower() in ("true", "yes", "false", "no"):
            hint = "true" if value.strip().lower() in ("true", "yes") else "false"
        elif isinstance(value, int) and value in (0, 1):
            hint = "true" if value else "false"
        return problem("P002", f"must be true or false, not {_shown(value)}", hint)
    if kind == "date":
        if isinstance(value, dt.datetime):  # a datetime is a date to Python, but compares as neither
            return problem("P002", f"must be a date (YYYY-MM-DD), not the date and time {value.isoformat()}", value.date().isoformat())
        day: dt.date | None = value if isinstance(value, dt.date) else None
        if isinstance(value, str) and _DATE.match(value.strip()):
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        if day is None:
            return problem("P002", f"must be a date (YYYY-MM-DD), not {_shown(value)}")
        if not date_in_range(day):
            # Windows are reckoned from a date: one in year 9999 leaves the calendar.
            return problem("P007", f"must be {DATE_RANGE}, not {day.isoformat()}", expected=DATE_RANGE)
        return day, None
    if kind == "text":
        if isinstance(value, str):
            return value, None
        return problem("P002", f"must be text, not {_shown(value)}")

    # A number.  bool is an int to Python; a string is not a number here, even "90".
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        hint = None
        if isinstance(value, str) and (x := _as_number(value)) is not None:
            hint = f"{format_number(x)} (a number)"
        return problem("P002", f"must be {describe(p)}, not {_shown(value)}", hint)
    r = p.bounds
    if isinstance(value, float) and not math.isfinite(value):
        extra = " (a number this large reads as infinity)" if math.isinf(value) else ""
        span = f" {_span(p)}" if r is not None else ""
        return problem("P003", f"must be a finite number{span}, not {_shown(value)}{extra}")
    if r is None:  # only a scheme that skipped the checker has a number without a range
        return value, None
    if p.is_percent and 0 < value <= 1:
        # Within 0-100, yet almost always a fraction meant as a share: 0.9 for 90%.
        # 0 stays valid: the "no national threshold" placeholders default to it.
        return problem(
            "P006",
            f"is a percentage {_span(p)}; {_shown(value)} looks like a fraction",
            f"{format_number(round(value * 100, 10))} (percent)",
            f"a percentage {_span(p)} (90 means 90%)",
        )
    if not r.min <= value <= r.max:
        return problem("P004", f"must be {'a whole number ' if r.whole else ''}{_span(p)}, not {_shown(value)}")
    if r.whole and not is_whole(value):
        # Never truncated: int(2.5) would silently judge against 2.
        lo, hi = math.floor(value), math.ceil(value)
        hint = f"{lo} or {hi}" if r.min <= lo and hi <= r.max else None
        return problem("P005", f"must be {describe(p)}, not {_shown(value)}", hint)
    if r.whole and isinstance(value, float):
        return int(value), None  # 8.0 -> 8: reports show what was meant
    return value, None


def check_overrides(schemes: Sequence[Scheme], params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The overrides, checked against every chosen scheme that declares them; raises ParameterError.

    A parameter declared by several schemes (the shared national trajectories)
    is checked against each declaration, as the override applies to each.
    """
    if not params:
        return {}
    where = Location("--param") if isinstance(params, FromCommandLine) else Location()
    declared: dict[str, list[Parameter]] = {}
    for s in schemes:
        for name, p in s.parameters.items():
            seen = declared.setdefault(name, [])
            if p not in seen:
                seen.append(p)
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name not in declared:
            problems.append(
                Problem(
                    "P001",
                    f"no parameter '{name}' in the schemes assessed",
                    where,
                    expected="a parameter id such as MIS.Y3.SA1.b.coverage",
                    suggestion=did_you_mean(name, declared),
                )
            )
            continue
        for p in declared[name]:
            used, problem = _check_one(name, p, value, where)
            if problem is not None:
                if problem not in problems:
                    problems.append(problem)
                break
            out[name] = used
    if problems:
        raise ParameterError(problems)
    return out
