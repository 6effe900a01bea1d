"""The parameter-override stage: a caller's overrides checked against the schemes' declarations.

It runs once per assessment, after the schemes are chosen and before any
measure is taken (``engine.assess``).  It takes the chosen schemes and the
overrides as given (``assess(params={...})``, or what ``--param ID=VALUE``
parsed to) and returns the overrides the rules will use, or raises one
:class:`~compliance.errors.ParameterError` listing every problem (exit 2).
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ParameterError, Problem, did_you_mean
from .model import Scheme

__all__ = ["check_overrides", "format_number", "is_whole"]


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


def _coerce(default: Any, value: Any, name: str) -> Any:
    try:
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "yes", "1"):
                return True
            if str(value).lower() in ("false", "no", "0"):
                return False
            raise ValueError
        if isinstance(default, (int, float)):
            if isinstance(value, bool):
                raise ValueError
            return float(value) if isinstance(value, str) else value
        if isinstance(default, dt.date):
            return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        kind = "true/false" if isinstance(default, bool) else "a date (YYYY-MM-DD)" if isinstance(default, dt.date) else "a number"
        raise ParameterError([Problem("P002", f"parameter '{name}' must be {kind}, not {value!r}", expected=kind)]) from None
    return value


def check_overrides(schemes: Sequence[Scheme], params: Mapping[str, Any] | None) -> dict[str, Any]:
    """The overrides, checked against the chosen schemes' parameters; raises ParameterError."""
    if not params:
        return {}
    known: dict[str, Any] = {}
    for s in schemes:
        for name, p in s.parameters.items():
            known.setdefault(name, p.value)
    problems = []
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name not in known:
            problems.append(Problem("P001", f"no parameter '{name}' in the schemes assessed", expected="a parameter id such as MIS.Y3.SA1.b.coverage", suggestion=did_you_mean(name, known)))
            continue
        out[name] = _coerce(known[name], value, name)
    if problems:
        raise ParameterError(problems)
    return out
