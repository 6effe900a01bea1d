"""The result tree: verdicts and measurements turned into findings every renderer reads.

Takes what the other stages produced -- the compiled scheme, the measured
leaves, the verdicts durable-rules fired and the parameter values -- and
returns :class:`~compliance.results.SchemeResult` trees: each requirement with
its status, measurements, shortfall, records, evidence used or missing and
the parameters it rests on; each section and the scheme with their roll-ups.
The fields that do not depend on the evidence are computed once per compiled
scheme (:class:`Statics`).

Results are made with ``results.build``: every value is produced here with its
final type, and validating ~150 result objects per assessment cost more than
the rules engine.  Tests round-trip every example through JSON and full
validation and require equality, so a wrong type cannot slip through.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..evaluators.base import Measurement, Record, needed_for
from ..evidence.model import Evidence
from ..results import (
    REASON_CODES,
    DeclarationForm,
    LeafResult,
    ParameterUse,
    Reason,
    RecordRef,
    RequirementResult,
    SchemeResult,
    SectionResult,
    Status,
    build,
)
from ..rules.compiler import CompiledScheme, NodePlan, RequirementPlan
from ..schemes.model import Comparison, Scheme
from .facts import MeasuredLeaf
from .run_charts import run_chart

__all__ = ["Statics", "statics", "leaf_reason", "shortfall_amount", "requirement_result", "section_result", "scheme_result", "parameter_uses", "public_counts", "blocking", "rests_on_unverified"]

Verdicts = Mapping[str, tuple[Status, str]]

#: A leaf's verdict as its result says it.
_OUTCOME = {"met": "true", "not_met": "false", "insufficient_evidence": "unknown", "not_applicable": "not_applicable"}


@dataclass(frozen=True, slots=True)
class LeafStatic:
    """A leaf's part of its result that no evidence changes."""

    key: str
    kind: str
    describe: str
    param_id: str | None
    param_unit: str | None
    compare: Comparison
    fails_as: str | None
    #: The threshold's words from the scheme (``wording``), shown unless the parameter is overridden.
    words: str | None


@dataclass(slots=True)
class Statics:
    """What a scheme's results carry that no evidence changes, computed once per compiled scheme."""

    #: Per requirement, its leaves in order, each with what its result takes from the scheme alone.
    leaf_plans: dict[str, tuple[LeafStatic, ...]]
    #: Per requirement: the fields of its result that do not depend on the evidence.
    requirement_base: dict[str, dict[str, Any]]
    #: Parameters whose default reads better in words than as a number (``wording`` in the scheme).
    wording: dict[str, str]
    #: Validated parameter uses, per set of overrides (results are frozen, so they can be shared).
    param_uses: dict[tuple[tuple[str, str], ...], dict[str, ParameterUse]] = field(default_factory=dict)


#: Statics by compiled scheme; weak, so they go with the scheme.
_STATICS: weakref.WeakKeyDictionary[CompiledScheme, Statics] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def statics(c: CompiledScheme) -> Statics:
    found = _STATICS.get(c)
    if found is not None:
        return found
    scheme = c.scheme
    wording = {name: p.wording for name, p in scheme.parameters.items() if p.wording}
    per_leaf = {}
    for lp in c.leaves:
        leaf, evaluator = lp.spec.leaf, lp.spec.evaluator
        param = leaf.threshold if isinstance(leaf.threshold, str) else None
        describe = leaf.describe or evaluator.kind.replace("_", " ")
        unit = scheme.parameters[param].unit if param else None
        per_leaf[lp.key] = LeafStatic(lp.key, evaluator.kind, describe, param, unit, leaf.compare, evaluator.fails_as, wording.get(param) if param else None)
    leaf_plans = {r.key: tuple(per_leaf[lp.key] for lp in r.leaves) for r in c.requirements}
    base = {
        r.key: dict(
            id=r.requirement.id,
            title=r.requirement.title,
            verification=r.requirement.status,
            severity=r.requirement.severity,
            source=r.requirement.source,
            text=r.requirement.text,
            remediation=r.requirement.remediation,
            challenge=list(r.requirement.challenge),
            notes=list(r.requirement.notes),
        )
        for r in c.requirements
    }
    made = Statics(leaf_plans, base, wording)
    with _LOCK:
        return _STATICS.setdefault(c, made)


def _param_use(scheme: Scheme, name: str, values: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    p = scheme.parameters[name]

    def plain(v: Any) -> Any:
        return v.isoformat() if isinstance(v, dt.date) else v

    return dict(
        id=name,
        value=plain(values[name]),
        unit=p.unit,
        status=p.status,
        source=p.source,
        overridden=name in overrides,
        default=plain(p.value) if name in overrides else None,
    )


def parameter_uses(c: CompiledScheme, values: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, ParameterUse]:
    """Every parameter of the scheme as the results report it, for this set of overrides (shared across assessments)."""
    st = statics(c)
    scheme = c.scheme
    key = tuple(sorted((k, repr(v)) for k, v in overrides.items() if k in scheme.parameters))
    uses = st.param_uses.get(key)
    if uses is None:
        uses = {name: build(ParameterUse, _param_use(scheme, name, values, overrides)) for name in scheme.parameters}
        if len(st.param_uses) >= 32:  # many distinct overrides (a sweep): keep memory flat
            st.param_uses.clear()
        st.param_uses[key] = uses
    return uses


def public_counts(fact: Mapping[str, Any]) -> dict[str, int]:
    """A roll-up fact's counts as the results name them."""
    return {"met": fact["met"], "not_met": fact["not_met"], "insufficient_evidence": fact["ins"], "not_applicable": fact["na"]}


def blocking(plan: RequirementPlan, nodes: Mapping[str, NodePlan], verdicts: Verdicts, want: Status = "not_met") -> set[str]:
    """Leaves whose verdict stands in the way of the requirement being met (a ``not`` flips the sense).

    ``want="met"``: the leaves whose verdict carries it being met instead.
    """
    out: set[str] = set()
    flipped = {"met": "not_met", "not_met": "met"}

    def visit(key: str, positive: bool) -> None:
        if key not in nodes:  # a leaf (a lone comparison's leaf shares its requirement's key)
            if verdicts[key][0] == (want if positive else flipped[want]):
                out.add(key)
            return
        node = nodes[key]
        for child in node.children:
            visit(child, positive if node.kind != "not" else not positive)

    visit(plan.root, True)
    return out


#: A failed comparison's reason by the comparison, for measures without a code of their own.
_FAILS_BY_OP = {">=": "below_threshold", ">": "below_threshold", "<=": "above_threshold", "<": "above_threshold", "==": "not_as_required", "!=": "not_as_required"}


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def shortfall_amount(m: Measurement, threshold: Any, op: str, records: Sequence[Record]) -> float | int | None:
    """How far a failed figure is from its threshold, in its natural unit (cases, windows, a rate's points)."""
    if not _number(threshold):
        return None
    t = float(threshold)
    num, den = m.detail.get("numerator"), m.detail.get("denominator")
    if isinstance(num, int) and isinstance(den, int) and den > 0:
        need = needed_for(num, den, op, t)  # type: ignore[arg-type]
        if need:
            return need
        if op in ("<=", "<"):  # how many fewer to come within a ceiling
            allowed = int(t * den / 100.0)
            over = num - allowed if op == "<=" else num - allowed + (1 if allowed * 100.0 == t * den else 0)
            return over if over > 0 else None
        return None
    needed: list[int] = [r.params["needed"] for r in records if isinstance(r.params.get("needed"), int)]
    if needed:
        return sum(needed)
    if not _number(m.value):
        return None
    v = float(m.value)  # type: ignore[arg-type]
    gap = t - v if op in (">=", ">") else v - t if op in ("<=", "<") else abs(v - t)
    if op in (">", "<") and v.is_integer() and t.is_integer():
        gap += 1  # a whole count must pass a strict bound by one
    gap = round(gap, 4)
    return (int(gap) if gap.is_integer() else gap) if gap > 0 else None


_HOLDS = REASON_CODES["holds"]


def leaf_reason(lp_kind: str, fails_as: str | None, m: Measurement, threshold: Any, op: str, outcome: str, records: Sequence[Record], as_of: dt.date) -> dict[str, Any]:
    """A comparison's reason: its code and the parameters that code carries (see ``results.REASON_CODES``)."""
    if outcome == "true":  # most comparisons hold: their reason has four parameters at most
        pool: dict[str, Any] = {
            "measured": m.value,
            "threshold": threshold if isinstance(threshold, (bool, int, float)) else None,
            "comparison": op,
            "unit": m.unit or None,
        }
        if m.reason_params:
            pool.update(m.reason_params)
        return {"code": "holds", "params": {k: v for k in _HOLDS if (v := pool.get(k)) is not None and v != []}}
    if outcome == "false":
        code = fails_as or (records[0].code if lp_kind == "attestation" and records and records[0].code else _FAILS_BY_OP[op])
    elif outcome == "unknown":
        code = m.reason or (m.records[0].code if m.records and m.records[0].code else "missing_evidence")
    else:
        code = m.reason or "no_records"
    pool = {
        "measured": m.value,
        "threshold": threshold if isinstance(threshold, (bool, int, float)) else None,
        "comparison": op,
        "unit": m.unit or None,
        "missing": list(m.missing),
    }
    d = m.detail
    for key in ("numerator", "denominator", "not_yet_due", "windows", "year", "events", "population", "previous", "trend"):
        if d.get(key) is not None:
            pool[key] = d[key]
    if isinstance(d.get("when"), dt.date):
        pool["dated"] = d["when"].isoformat()
        pool["as_of"] = as_of.isoformat()
    if outcome in ("false", "unknown"):
        pool["records"] = [r.id for r in records]
    if outcome == "false":
        pool["shortfall"] = shortfall_amount(m, threshold, op, records)
        if records:
            first = records[0].params
            for key in ("dated", "period_start", "period_end"):
                if key in first:
                    pool[key] = first[key]
            if code == "wrong_order":
                pool.update(earlier=records[0].id, later=first.get("later"), earlier_date=first.get("date"), later_date=first.get("later_date"))
    pool.update(m.reason_params)
    names = REASON_CODES[code]
    return {"code": code, "params": {k: pool[k] for k in names if pool.get(k) is not None and pool.get(k) != []}}


def requirement_result(
    st: Statics,
    plan: RequirementPlan,
    verdicts: Verdicts,
    measured: Mapping[str, MeasuredLeaf],
    nodes: Mapping[str, NodePlan],
    not_in_force: Mapping[str, Any] | None,
    param_uses: Mapping[str, ParameterUse],
    overrides: Mapping[str, Any],
    as_of: dt.date,
) -> RequirementResult:
    status, rule_name = verdicts[plan.key]
    stands_in_way = blocking(plan, nodes, verdicts) if status == "not_met" else set()
    carries = blocking(plan, nodes, verdicts, "met") if status == "met" else set()
    leaf_results: dict[str, dict[str, Any]] = {}
    records: list[RecordRef] = []
    shortfalls: list[str] = []
    missing: list[str] = []
    used: set[str] = set()
    evidence_used: list[str] = []
    reasons: list[dict[str, Any]] = []
    deciding: list[int] = []
    for index, ls in enumerate(st.leaf_plans[plan.key]):
        leaf = measured[ls.key]
        spec, m = leaf.spec, leaf.m
        used |= leaf.params
        op, param_id, t = ls.compare, ls.param_id, leaf.threshold
        outcome = _OUTCOME[verdicts[ls.key][0]]
        shortfall = None
        failing: tuple[Record, ...] = ()
        if outcome == "false":
            shortfall = spec.evaluator.shortfall(spec.params, m, t, op, ls.describe)
            failing = spec.evaluator.failing_records(spec.params, m, t, op, ls.describe)
        elif outcome == "unknown" and m.records:
            # A claim that part of its evidence does not back (no document): the parts are its records.
            failing = m.records
        leaf_records = [build(RecordRef, {"id": r.id, "code": r.code, "params": dict(r.params)}, in_order=True) for r in failing] if failing else []
        reason = leaf_reason(ls.kind, ls.fails_as, m, t, op, outcome, failing, as_of)
        reasons.append(reason)
        # The comparisons that decided: those in the way of a gap, the unknown ones, the ones that held.
        if ls.key in (stands_in_way if status == "not_met" else carries) if status in ("met", "not_met") else outcome == _OUTCOME[status]:
            deciding.append(index)
        d = m.detail
        leaf_results[ls.key] = {  # in LeafResult's field order (see results.build)
            "measure": ls.kind,
            "describe": ls.describe,
            "outcome": outcome,
            "reason": build(Reason, reason, in_order=True),
            "value": m.value,
            "display": m.display,
            "unit": m.unit,
            "comparison": op,
            "threshold": t if isinstance(t, bool) else float(t) if isinstance(t, (int, float)) else None,
            "threshold_unit": ls.param_unit if param_id else (m.unit or None),
            "threshold_shown": m.threshold_display,
            "threshold_words": ls.words if param_id not in overrides else None,
            "threshold_param": param_id,
            "shortfall": shortfall,
            "records": leaf_records,
            "missing": list(m.missing),
            "note": m.unstable or m.note or m.na_reason,
            "trajectory": sorted(d["points"].items()) if "points" in d else None,
            "trajectory_year": d.get("year"),
            "previous": d.get("previous"),
            "trend": d.get("trend"),
            "run_chart": run_chart(d["monthly"], op, t) if "monthly" in d else None,
        }
        if ls.key in stands_in_way:
            records.extend(leaf_records)
            if shortfall:
                shortfalls.append(shortfall)
        missing += m.missing
        evidence_used += m.evidence
    if len(plan.leaves) > 1:  # several leaves may read the same evidence: each path once, in order
        missing = list(dict.fromkeys(missing))
        evidence_used = list(dict.fromkeys(evidence_used))
    if not_in_force is not None:
        why: dict[str, Any] = {"code": "not_in_force", "params": {k: v for k, v in not_in_force.items() if v is not None}}
    else:
        if not deciding:  # a verdict no single comparison carries (cannot happen with today's combinators)
            deciding = list(range(len(reasons)))
        first = reasons[deciding[0]]
        why = {"code": first["code"], "params": {**first["params"], "measurements": deciding}}
    params = [param_uses[n] for n in sorted(used)]
    base = st.requirement_base[plan.key]
    unverified = _unverified(base, params)
    # In RequirementResult's field order (see results.build).
    return build(
        RequirementResult,
        {
            "id": base["id"],
            "title": base["title"],
            "status": status,
            "reason": build(Reason, why, in_order=True),
            "verification": base["verification"],
            "rests_on_unverified": unverified,
            "severity": base["severity"],
            "source": base["source"],
            "text": base["text"],
            "fired_rule": rule_name,
            "measurements": [build(LeafResult, d, in_order=True) for d in leaf_results.values()],
            "shortfall": "; ".join(shortfalls) or None,
            "records": records,
            "evidence_used": evidence_used,
            "missing_evidence": missing if status == "insufficient_evidence" else [],
            "parameters": params,
            "remediation": base["remediation"],
            "challenge": list(base["challenge"]),
            "notes": list(base["notes"]),
        },
        in_order=True,
    )


def _unverified(base: Mapping[str, Any], params: Sequence[ParameterUse]) -> bool:
    """True when the requirement, or any parameter its verdict used, is not confirmed."""
    return base["verification"] != "confirmed" or any(p.status != "confirmed" for p in params)


def rests_on_unverified(st: Statics, plan: RequirementPlan, measured: Mapping[str, MeasuredLeaf], param_uses: Mapping[str, ParameterUse]) -> bool:
    """:attr:`RequirementResult.rests_on_unverified` without building the result."""
    used: set[str] = set()
    for lp in plan.leaves:
        used |= measured[lp.key].params
    return _unverified(st.requirement_base[plan.key], [param_uses[n] for n in used])


def section_result(scheme: Scheme, si: int, status: Status, fact: Mapping[str, Any], fired_rule: str, reqs: list[RequirementResult]) -> SectionResult:
    section = scheme.sections[si]
    return build(SectionResult, dict(
        id=section.id,
        title=section.title,
        status=status,
        rollup=section.rollup if isinstance(section.rollup, str) else section.rollup.label,
        in_outcome=section.in_outcome,
        counts=public_counts(fact),
        fired_rule=fired_rule,
        requirements=reqs,
        challenge=list(section.challenge),
        action_plan=section.action_plan if status in ("not_met", "insufficient_evidence") else None,
        counts_as=section.counts_as,
    ))


def _outcome_words(scheme: Scheme, status: Status) -> str | None:
    """The scheme's own words for what its verdict means (an insufficient-evidence verdict falls back to not met's)."""
    o = scheme.outcome
    if status == "met":
        return o.met
    if status == "insufficient_evidence":
        return o.insufficient_evidence or o.not_met
    if status == "not_met":
        return o.not_met
    return None


def scheme_result(
    c: CompiledScheme,
    ev: Evidence,
    status: Status,
    fact: Mapping[str, Any],
    fired_rule: str,
    sections: Sequence[SectionResult],
    param_uses: Mapping[str, ParameterUse],
    overrides: Mapping[str, Any],
    unverified: int,
) -> SchemeResult:
    """The scheme's result; ``unverified``: how many of its requirements rest on something not confirmed."""
    scheme = c.scheme
    unmet = [s.id for s in sections if s.in_outcome and s.status in ("not_met", "insufficient_evidence")]
    deadline = scheme.period.deadline if scheme.period else None
    days_left = (deadline - ev.as_of).days if deadline is not None and ev.as_of < deadline else None
    used_overrides = sorted(set(overrides) & set(scheme.parameters))
    return build(SchemeResult, dict(
        id=scheme.id,
        title=scheme.title,
        version=scheme.version,
        publisher=scheme.publisher,
        status=status,
        outcome=_outcome_words(scheme, status),
        counts=public_counts(fact),
        fired_rule=fired_rule,
        unmet_sections=unmet,
        action_plan_route=scheme.outcome.action_plan_route if status in ("not_met", "insufficient_evidence") else None,
        deadline=deadline,
        days_to_deadline=days_left,
        sections=list(sections),
        level=scheme.levels.section,
        level_plural=scheme.levels.section_plural,
        requirement_level=scheme.levels.requirement,
        declaration=None if scheme.declaration is None else build(DeclarationForm, scheme.declaration.model_dump()),
        parameter_overrides=[param_uses[n] for n in used_overrides],
        unverified_requirements=unverified,
        version_chosen=None,  # set by assess(), which knows how the scheme was chosen
    ))
