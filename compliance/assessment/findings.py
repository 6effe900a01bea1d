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

from ..evidence.model import Evidence
from ..results import DeclarationForm, LeafResult, ParameterUse, RecordRef, RequirementResult, SchemeResult, SectionResult, Status, build
from ..rules.compiler import CompiledScheme, NodePlan, RequirementPlan
from ..schemes.model import Scheme
from . import wording
from .facts import MeasuredLeaf
from .run_charts import run_chart

__all__ = ["Statics", "statics", "requirement_result", "section_result", "scheme_result", "parameter_uses", "public_counts", "blocking"]

Verdicts = Mapping[str, tuple[Status, str]]

#: A leaf's verdict as its result says it.
_OUTCOME = {"met": "true", "not_met": "false", "insufficient_evidence": "unknown", "not_applicable": "not_applicable"}


@dataclass(slots=True)
class Statics:
    """What a scheme's results carry that no evidence changes, computed once per compiled scheme."""

    #: Per leaf: what it counts, its threshold parameter and that parameter's unit.
    leaf_text: dict[str, tuple[str, str | None, str | None]]
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
    leaf_text = {}
    for lp in c.leaves:
        param = lp.spec.leaf.threshold if isinstance(lp.spec.leaf.threshold, str) else None
        describe = lp.spec.leaf.describe or lp.spec.evaluator.kind.replace("_", " ")
        leaf_text[lp.key] = (describe, param, scheme.parameters[param].unit if param else None)
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
    made = Statics(leaf_text, base, {name: p.wording for name, p in scheme.parameters.items() if p.wording})
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


def blocking(plan: RequirementPlan, nodes: Mapping[str, NodePlan], verdicts: Verdicts) -> set[str]:
    """Leaves whose verdict stands in the way of the requirement being met (a ``not`` flips the sense)."""
    out: set[str] = set()

    def visit(key: str, positive: bool) -> None:
        if key not in nodes:  # a leaf (a lone comparison's leaf shares its requirement's key)
            if verdicts[key][0] == ("not_met" if positive else "met"):
                out.add(key)
            return
        node = nodes[key]
        for child in node.children:
            visit(child, positive if node.kind != "not" else not positive)

    visit(plan.root, True)
    return out


def requirement_result(
    st: Statics,
    plan: RequirementPlan,
    verdicts: Verdicts,
    measured: Mapping[str, MeasuredLeaf],
    nodes: Mapping[str, NodePlan],
    not_in_force: str | None,
    param_uses: Mapping[str, ParameterUse],
    overrides: Mapping[str, Any],
    so_far: bool = False,
) -> RequirementResult:
    status, rule_name = verdicts[plan.key]
    stands_in_way = blocking(plan, nodes, verdicts) if status == "not_met" else set()
    leaf_results: dict[str, dict[str, Any]] = {}
    records: list[RecordRef] = []
    shortfalls: list[str] = []
    missing: list[str] = []
    used: set[str] = set()
    evidence_used: list[str] = []
    for lp in plan.leaves:
        leaf = measured[lp.key]
        spec, m = leaf.spec, leaf.m
        used |= leaf.params
        describe, param_id, unit = st.leaf_text[lp.key]
        op = spec.leaf.compare
        words = st.wording.get(param_id) if param_id and param_id not in overrides else None
        shown = m.threshold_display or wording.show_threshold(leaf.threshold, unit if param_id else (m.unit or None))
        outcome = _OUTCOME[verdicts[lp.key][0]]
        shortfall = None
        leaf_records: list[RecordRef] = []
        if outcome == "false":
            shortfall = spec.evaluator.shortfall(spec.params, m, leaf.threshold, op, describe)
            failing = spec.evaluator.failing_records(spec.params, m, leaf.threshold, op, describe)
            leaf_records = [build(RecordRef, {"id": r.id, "reason": r.reason}, in_order=True) for r in failing]
        elif outcome == "unknown" and m.records:
            # A claim that part of its evidence does not back (no document): the parts are its records.
            leaf_records = [build(RecordRef, {"id": r.id, "reason": r.reason}, in_order=True) for r in m.records]
        t = leaf.threshold
        leaf_results[lp.key] = {  # in LeafResult's field order (see results.build)
            "measure": spec.evaluator.kind,
            "describe": describe,
            "outcome": outcome,
            "value": m.value,
            "display": m.display,
            "unit": m.unit,
            "comparison": op,
            "threshold": t if isinstance(t, bool) else float(t) if isinstance(t, (int, float)) else None,
            "threshold_display": wording.threshold_display(op, shown, words),
            "threshold_param": param_id,
            "shortfall": shortfall,
            "records": leaf_records,
            "missing": list(m.missing),
            "note": m.unstable or m.note or m.na_reason,
            "trajectory": sorted(m.detail["points"].items()) if "points" in m.detail else None,
            "trajectory_year": m.detail.get("year"),
            "previous": m.detail.get("previous"),
            "trend": m.detail.get("trend"),
            "run_chart": run_chart(m.detail.get("monthly"), op, t),
        }
        if lp.key in stands_in_way:
            records.extend(leaf_records)
            if shortfall:
                shortfalls.append(shortfall)
        missing += m.missing
        evidence_used += m.evidence
    if len(plan.leaves) > 1:  # several leaves may read the same evidence: each path once, in order
        missing = list(dict.fromkeys(missing))
        evidence_used = list(dict.fromkeys(evidence_used))
    params = [param_uses[n] for n in sorted(used)]
    base = st.requirement_base[plan.key]
    unverified = base["verification"] != "confirmed" or any(p.status != "confirmed" for p in params)
    # In RequirementResult's field order (see results.build).
    return build(
        RequirementResult,
        {
            "id": base["id"],
            "title": base["title"],
            "status": status,
            "explanation": wording.explain(status, plan, nodes, leaf_results, not_in_force, so_far),
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


def section_result(scheme: Scheme, si: int, status: Status, fact: Mapping[str, Any], fired_rule: str, reqs: list[RequirementResult]) -> SectionResult:
    section = scheme.sections[si]
    return build(SectionResult, dict(
        id=section.id,
        title=section.title,
        status=status,
        rollup=section.rollup if isinstance(section.rollup, str) else section.rollup.label,
        in_outcome=section.in_outcome,
        explanation=wording.rollup_sentence([(r.id, r.status) for r in reqs], "standard"),
        counts=public_counts(fact),
        fired_rule=fired_rule,
        requirements=reqs,
        challenge=list(section.challenge),
        action_plan=section.action_plan if status in ("not_met", "insufficient_evidence") else None,
        counts_as=section.counts_as,
    ))


def scheme_result(
    c: CompiledScheme,
    ev: Evidence,
    status: Status,
    fact: Mapping[str, Any],
    fired_rule: str,
    sections: Sequence[SectionResult],
    param_uses: Mapping[str, ParameterUse],
    overrides: Mapping[str, Any],
) -> SchemeResult:
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
        outcome=wording.outcome(scheme, sections, status, unmet, deadline, days_left),
        explanation=wording.rollup_sentence([(s.id, s.status) for s in sections if s.in_outcome], "section"),
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
        unverified_requirements=sum(1 for s in sections for r in s.requirements if r.rests_on_unverified),
    ))
