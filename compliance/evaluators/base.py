"""What every evaluator is: a registered kind with its own parameter model, a docstring and a YAML example.

An evaluator turns evidence into a :class:`Measurement` -- a number or a
yes/no, the evidence paths it read, and the records behind the figure.  It
never decides met or not met: the compiled durable-rules ruleset does that by
comparing the measurement with the threshold.  After the verdict, the
evaluator is asked for the *shortfall* in natural units ("4 more midwives").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from ..evidence.model import Evidence, resolve
from ..vocabulary import Comparison, ParamRef

__all__ = [
    "Params",
    "Number",
    "Record",
    "Read",
    "Measurement",
    "Context",
    "Evaluator",
    "register",
    "REGISTRY",
    "needed_for",
    "fmt_num",
    "compare",
    "more_needed",
]


class Params(BaseModel):
    """Base of every evaluator's parameter model: strict, no unknown keys."""

    # defer_build: a model's validator is built when first needed.  A command-line run
    # validates only the evidence, so building every schema at import is wasted start-up.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


#: A number in a measure's parameters: a literal, or ``{param: ID}``.
Number = float | ParamRef


@dataclass(frozen=True, slots=True)
class Record:
    """A record behind a failing figure: a case, a missed window, a group below threshold."""

    id: str
    reason: str
    #: What the record shows, as a code of ``compliance.results.RECORD_CODES``, and its parameters:
    #: the reports word a record from these, never from ``reason`` (the evaluator's own note).
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Read:
    """A piece of evidence a measure reads, and what the measurement becomes without it.

    ``path`` is dotted from the evidence root; ``[]`` stands for every record of a
    list (``cases.perinatal_deaths[].notified_on``).  ``absent`` is the leaf's
    outcome when the piece is left out: ``missing`` (unknown), ``false`` (it counts
    against the measure, as a review with no start date counts as late) or ``na``
    (nothing to measure, as a cross-check with one side missing).  The template
    and ``explain`` say from this what leaving a field out does.
    """

    path: str
    absent: Literal["missing", "false", "na"] = "missing"


@dataclass(slots=True)
class Measurement:
    """What an evaluator found."""

    state: Literal["ok", "missing", "na"]
    value: float | bool | None = None
    unit: str = ""
    display: str = ""
    evidence: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    na_reason: str | None = None
    #: Why the measurement is not applicable or unknown, as a code of ``compliance.results.REASON_CODES``
    #: (None: the findings derive it), and that reason's own parameters.
    reason: str | None = None
    reason_params: dict[str, Any] = field(default_factory=dict)
    #: Records that count against the measure (failing cases, missed windows, low groups).
    records: tuple[Record, ...] = ()
    #: Set by evaluators that bring their own threshold (a trajectory interpolated for the year).
    threshold: float | None = None
    threshold_display: str | None = None
    #: Rates from very few events are shown but not judged alone.
    unstable: str | None = None
    #: What a reader must know about the figure (suppressed in its source, read in another definition).
    note: str | None = None
    #: Evaluator-specific numbers the shortfall sentence needs.
    detail: dict[str, Any] = field(default_factory=dict)


class Context:
    """What an evaluator may read: the evidence, resolved parameters, other schemes' outcomes."""

    def __init__(
        self,
        evidence: Evidence,
        params: Mapping[str, Any],
        scheme_outcomes: Mapping[str, str] | None = None,
    ):
        self.evidence = evidence
        self._params = params
        self.used_params: set[str] = set()
        self.scheme_outcomes = scheme_outcomes or {}
        # Read once per context: ``Evidence.as_of`` is computed on each access, and a scheme's
        # evaluators ask for the dates and the same evidence paths many times over.
        self.period_start: dt.date = evidence.period.start
        self.period_end: dt.date = evidence.period.end
        self.as_of: dt.date = evidence.as_of
        self._read: dict[str, Any] = {}

    def get(self, path: str) -> Any:
        try:
            return self._read[path]
        except KeyError:
            value = self._read[path] = resolve(self.evidence, path)
            return value

    def num(self, value: Number) -> float:
        if isinstance(value, ParamRef):
            self.used_params.add(value.param)
            return float(self._params[value.param])
        return float(value)

    def param(self, name: str) -> Any:
        self.used_params.add(name)
        return self._params[name]


class Evaluator:
    """Base class; subclasses set ``kind``, ``Params``, ``value_type`` and ``example``."""

    kind: ClassVar[str]
    Params: ClassVar[type[Params]]
    value_type: ClassVar[type]  # float or bool
    #: A YAML example of the measure, shown by ``compliance explain`` and checked by the meta-tests.
    example: ClassVar[str]
    #: Whether the rule's threshold comes from the measurement (``threshold`` omitted in YAML).
    brings_threshold: ClassVar[bool] = False
    #: The reason code when the comparison fails ("late", "missed_window"); None: below or above the
    #: threshold, by the comparison (an attestation's failing record gives its own).
    fails_as: ClassVar[str | None] = None

    def evidence_paths(self, params: Any) -> dict[str, tuple[type, ...]]:
        """Evidence paths this measure reads, each with the type(s) its value must have."""
        raise NotImplementedError

    def reads(self, params: Any) -> tuple[Read, ...]:
        """Everything this measure reads, down to record fields, with what leaving each out does.

        By default: the evidence paths, each unknown when absent.  Measures that
        read inside an item or its records say more.
        """
        return tuple(Read(path) for path in self.evidence_paths(params))

    def measure(self, params: Any, ctx: Context) -> Measurement:
        raise NotImplementedError

    def failing_records(self, params: Any, m: Measurement, threshold: Any, op: Comparison, describe: str) -> tuple[Record, ...]:
        """The records behind a failing figure (by default, those the measurement collected)."""
        return m.records

    def shortfall(self, params: Any, m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
        """What it would take to meet the threshold, in natural units; ``None`` if nothing sensible."""
        return None

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Evaluators are registered singletons: a pickled one (in a cached scheme)
        # comes back as the registered instance of its kind, not a copy.
        return (registered, (self.kind,))


REGISTRY: dict[str, Evaluator] = {}


def registered(kind: str) -> Evaluator:
    """The registered evaluator of a kind."""
    return REGISTRY[kind]


def register(cls: type[Evaluator]) -> type[Evaluator]:
    """Class decorator: make an evaluator kind available to schemes."""
    if cls.kind in REGISTRY:
        raise RuntimeError(f"evaluator kind {cls.kind!r} registered twice")
    REGISTRY[cls.kind] = cls()
    return cls


def fmt_num(x: float, places: int = 1) -> str:
    """A number without a pointless '.0': 95 -> '95', 84.25 -> '84.3'."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.{places}f}"


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def compare(value: Any, op: Comparison, threshold: Any) -> bool:
    """Python's reading of a comparison, used only for wording (never for the verdict)."""
    return _OPS[op](value, threshold)


def needed_for(numerator: int, denominator: int, op: Comparison, threshold: float) -> int | None:
    """How many more of ``denominator`` must count to satisfy ``100*n/d op threshold``.

    ``None`` when adding to the numerator cannot help (a ceiling rule such as ``<=``).
    """
    if denominator <= 0 or op not in (">=", ">", "=="):
        return None
    target = threshold * denominator / 100.0
    need = math.ceil(target - 1e-9) if op in (">=", "==") else math.floor(target + 1e-9) + 1
    need = min(need, denominator)
    return max(0, need - numerator)


def more_needed(numerator: int, denominator: int, op: Comparison, threshold: float, describe: str) -> str | None:
    """'4 more midwives trained needed to reach 90% (86 of 100 now)', or ``None`` if more cannot help."""
    need = needed_for(numerator, denominator, op, threshold)
    if not need:
        return None
    verb = "exceed" if op == ">" else "reach"
    return f"{need} more {describe} needed to {verb} {fmt_num(threshold)}% ({numerator} of {denominator} now)"
