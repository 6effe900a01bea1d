"""Facts for durable-rules: every rule leaf measured, and the strictly typed facts the rules compare.

Takes a compiled scheme, the evidence, the parameter values in force and the
outcomes of schemes already assessed; returns the measured leaves and, for
each stage of firing, the facts to assert.  A lone comparison travels in its
requirement's fact; the leaves of combined rules get facts of their own.
Combinators, sections and the outcome are decided from counts of their
children's verdicts (:func:`counts`).
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import EngineError
from ..evaluators.base import Context, Measurement
from ..evidence.model import Evidence
from ..rules.compiler import CompiledScheme
from ..schemes.checker import LeafSpec
from ..schemes.model import Requirement

__all__ = ["MeasuredLeaf", "Measured", "measure", "counts", "strict", "not_in_force"]


def not_in_force(req: Requirement, as_of: dt.date) -> dict[str, Any] | None:
    """Why the requirement does not apply on ``as_of`` (the ``not_in_force`` reason's parameters), or ``None``."""
    eff = req.effective
    if eff is None:
        return None
    if (eff.start and as_of < eff.start) or (eff.until and as_of > eff.until):
        return {
            "from": eff.start.isoformat() if eff.start else None,
            "until": eff.until.isoformat() if eff.until else None,
            "as_of": as_of.isoformat(),
            "note": eff.note,
        }
    return None


@dataclass(slots=True)
class MeasuredLeaf:
    spec: LeafSpec
    m: Measurement
    #: The value the leaf is compared with (the parameter's value, or the measure's own).
    threshold: Any
    #: The parameters this leaf read.
    params: set[str]


@dataclass(slots=True)
class Measured:
    """What measuring one scheme gives: the leaves, and the first stages' facts."""

    leaves: dict[str, MeasuredLeaf]
    #: Facts of the leaves of combined rules (the first batch fired).
    leaf_facts: list[dict[str, Any]]
    #: Facts of the requirements whose rule is one comparison (fired with the requirements).
    requirement_facts: list[dict[str, Any]]
    #: Per requirement (compiled order): why it is not in force on the assessment date, or None.
    not_in_force: list[dict[str, Any] | None]


def strict(value: Any, want_bool: bool) -> bool | float:
    """The value as durable-rules must see it: it compares loosely ("80" < 95 matches), so exact types only."""
    if want_bool:
        if not isinstance(value, bool):
            raise EngineError(f"expected true/false, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EngineError(f"expected a number, got {value!r}")
    return float(value)


def counts(statuses: Iterable[str]) -> dict[str, int]:
    """A combinator's or roll-up's fact: how many children had each verdict (see compiler.combinator_rules)."""
    met = not_met = ins = na = 0
    for s in statuses:
        if s == "met":
            met += 1
        elif s == "not_met":
            not_met += 1
        elif s == "insufficient_evidence":
            ins += 1
        elif s == "not_applicable":
            na += 1
        else:
            raise EngineError(f"no verdict {s!r}")
    return {"met": met, "not_met": not_met, "ins": ins, "na": na, "live": met + not_met + ins, "mi": met + ins}


@dataclass(frozen=True, slots=True)
class _LeafStep:
    """What measuring one leaf needs that no evidence changes, read once per compiled scheme."""

    key: str
    spec: LeafSpec
    measure: Callable[[Any, Context], Measurement]
    params: Any
    counted_with: tuple[str, ...]
    brings_threshold: bool
    #: The scheme's threshold: a parameter's name or a value.
    threshold: Any
    want_bool: bool


@dataclass(frozen=True, slots=True)
class _RequirementStep:
    requirement: Requirement
    effective: bool
    direct: bool
    leaves: tuple[_LeafStep, ...]


#: Measuring plans by compiled scheme; weak, so they go with the scheme.
_PLANS: weakref.WeakKeyDictionary[CompiledScheme, tuple[_RequirementStep, ...]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _plan(c: CompiledScheme) -> tuple[_RequirementStep, ...]:
    found = _PLANS.get(c)
    if found is not None:
        return found
    made = tuple(
        _RequirementStep(
            req.requirement,
            req.requirement.effective is not None,
            req.direct,
            tuple(
                _LeafStep(
                    lp.key,
                    lp.spec,
                    lp.spec.evaluator.measure,
                    lp.spec.params,
                    tuple(lp.spec.leaf.counted_with),
                    lp.spec.evaluator.brings_threshold,
                    lp.spec.leaf.threshold,
                    lp.spec.evaluator.value_type is bool,
                )
                for lp in req.leaves
            ),
        )
        for req in c.requirements
    )
    with _LOCK:
        return _PLANS.setdefault(c, made)


def measure(c: CompiledScheme, ev: Evidence, values: Mapping[str, Any], outcomes: Mapping[str, str]) -> Measured:
    """Measure every leaf of the scheme and build the facts of the leaves and the lone comparisons."""
    ctx = Context(ev, values, outcomes)
    as_of = ctx.as_of
    leaf_facts: list[dict[str, Any]] = []
    req_facts: list[dict[str, Any]] = []
    measured: dict[str, MeasuredLeaf] = {}
    reasons: list[dict[str, Any] | None] = []
    for req in _plan(c):
        excluded = not_in_force(req.requirement, as_of) if req.effective else None
        reasons.append(excluded)
        for leaf in req.leaves:
            used = ctx.used_params = set()  # a fresh set per leaf: what this measure read
            m = Measurement("na", reason="not_in_force", reason_params=excluded) if excluded else leaf.measure(leaf.params, ctx)
            used.update(leaf.counted_with)
            threshold = m.threshold if leaf.brings_threshold else leaf.threshold
            if isinstance(threshold, str):
                used.add(threshold)
                threshold = values[threshold]
            state = "missing" if (m.state == "ok" and m.unstable) else m.state
            fact: dict[str, Any] = {"key": leaf.key, "l": state}
            if state == "ok":
                fact["v"] = strict(m.value, leaf.want_bool)
                fact["t"] = strict(threshold, leaf.want_bool)
            if req.direct:
                fact["st"] = "na" if excluded else "ok"
                req_facts.append(fact)
            else:
                leaf_facts.append(fact)
            measured[leaf.key] = MeasuredLeaf(leaf.spec, m, threshold, used)
    return Measured(measured, leaf_facts, req_facts, reasons)
