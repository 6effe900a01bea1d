"""Assessing evidence: measure -> facts -> durable-rules firing -> the result tree.

For each scheme: every rule leaf is measured by its evaluator and becomes a
fact (a lone comparison rides in its requirement's fact); the scheme's
compiled rulesets fire, level by level, and each fired rule's name *is* a
verdict.  Combinators, requirements, sections and the outcome are decided
the same way, from facts that carry their children's verdicts.  Only then
is the tree of findings built, with explanations, shortfalls and records.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import EngineError
from .evaluators.base import Context, Measurement, fmt_num
from .evidence.loader import load_evidence
from .evidence.model import Evidence
from .results import (
    NOT_YET_FILLED,
    SCHEMA_VERSION,
    STATUS_ORDER,
    Assessment,
    LeafResult,
    ParameterUse,
    RecordRef,
    RequirementResult,
    SchemeResult,
    SectionResult,
    Status,
    TrustInfo,
    build,
)
from .rules.compiler import (
    CompiledScheme,
    NodePlan,
    RequirementPlan,
    combinator_rules,
    compile_scheme,
)
from .rules.runtime import Ruleset, Session
from .schemes.selection import resolve_schemes, schemes_covering
from .schemes.checker import LeafSpec
from .schemes.loader import leaves_of
from .schemes.model import Requirement, Scheme
from .schemes.parameters import check_overrides as _check_overrides

__all__ = ["assess", "compiled", "schemes_covering"]

_WORDS = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than", "==": "exactly", "!=": "not"}


# ------------------------------------------------------------------ compiled runners


@dataclass(slots=True)
class _Runner:
    compiled: CompiledScheme
    rulesets: list[Ruleset]
    #: Per leaf: what it counts, its threshold parameter and that parameter's unit (fixed per scheme).
    leaf_text: dict[str, tuple[str, str | None, str | None]]
    #: Per requirement: the fields of its result that do not depend on the evidence.
    requirement_base: dict[str, dict[str, Any]]
    #: Parameters whose default reads better in words than as a number (``wording`` in the scheme).
    wording: dict[str, str]
    #: Validated parameter uses, per set of overrides (results are frozen, so they can be shared).
    param_uses: dict[tuple[tuple[str, str], ...], dict[str, ParameterUse]] = field(default_factory=dict)

    def fire(self, session: Session, facts: list[dict[str, Any]]) -> dict[str, tuple[Status, str]]:
        """Assert one stage's facts; return each key's verdict and the rule that decided it."""
        by_ruleset: dict[int, list[dict[str, Any]]] = {}
        for fact in facts:
            by_ruleset.setdefault(self.compiled.ruleset_of[fact["key"]], []).append(fact)
        verdicts: dict[str, tuple[Status, str]] = {}
        for index in sorted(by_ruleset):
            ruleset = self.rulesets[index]
            for name in session.fire(ruleset, by_ruleset[index]):
                key, status = name.split("|")
                if key in verdicts:
                    raise EngineError(f"two rules fired for {key}: {verdicts[key][1]} and {name}")
                verdicts[key] = (status, f"{ruleset.name}:{name}")  # type: ignore[assignment]
        missing = [f["key"] for f in facts if f["key"] not in verdicts]
        if missing:
            raise EngineError(f"durable-rules decided nothing for {', '.join(missing)}")
        return verdicts


#: Compiled schemes by identity, most recently used last.  Bounded: callers that make
#: many Scheme objects (a property test, a scheme editor) must not grow it for ever;
#: an evicted runner's rulesets are freed when no assessment holds it any more.
_RUNNERS: OrderedDict[int, tuple[Scheme, _Runner]] = OrderedDict()
_MAX_RUNNERS = 64
_RUNNERS_LOCK = threading.Lock()
_TOP: list[Ruleset] = []


def compiled(scheme: Scheme) -> CompiledScheme:
    """The compiled form of ``scheme`` (compiled once per process)."""
    return _runner(scheme).compiled


def _runner(scheme: Scheme) -> _Runner:
    with _RUNNERS_LOCK:
        hit = _RUNNERS.get(id(scheme))
        if hit is not None and hit[0] is scheme:
            _RUNNERS.move_to_end(id(scheme))
            return hit[1]
        c = compile_scheme(scheme, leaves_of(scheme))
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
        wording = {name: p.wording for name, p in scheme.parameters.items() if p.wording}
        runner = _Runner(c, [Ruleset(f"{scheme.id}.{i}", d) for i, d in enumerate(c.rulesets)], leaf_text, base, wording)
        _RUNNERS[id(scheme)] = (scheme, runner)
        while len(_RUNNERS) > _MAX_RUNNERS:
            _RUNNERS.popitem(last=False)
        return runner


def _top_ruleset() -> Ruleset:
    with _RUNNERS_LOCK:
        if not _TOP:
            _TOP.append(Ruleset("assessment", combinator_rules("A", "all")))
        return _TOP[0]


# ------------------------------------------------------------------ parameters


# The parameter-override stage lives in schemes/parameters.py, beside the declarations it checks.


# ------------------------------------------------------------------ assess
#
# The result tree is made with ``results.build``: every value is produced here
# with its final type, and validating ~150 result objects per assessment cost
# more than the rules engine.  Tests round-trip every example through JSON and
# full validation and require equality, so a wrong type cannot slip through.


def assess(
    evidence: Evidence | Mapping[str, Any] | str | Path,
    schemes: Sequence[str | Path | Scheme] | str | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    today: dt.date | None = None,
) -> Assessment:
    """Assess a trust's evidence against schemes (default: every bundled scheme it covers).

    ``params`` overrides named parameters for this assessment only; the
    report lists every override beside the default it replaced.  ``today``
    is the date no evidence may be later than (default: the real date; give
    it for a reproducible run).  Evidence already loaded is not checked again.
    """
    source = str(evidence) if isinstance(evidence, (str, Path)) else None
    ev = load_evidence(evidence, today=today)
    chosen = resolve_schemes(ev, schemes)
    overrides = _check_overrides(chosen, params)
    outcomes: dict[str, str] = {}
    results: list[SchemeResult] = []
    for scheme in chosen:
        with Session() as session:
            result = _assess_scheme(scheme, _runner(scheme), session, ev, overrides, outcomes)
        outcomes[scheme.id] = result.status
        results.append(result)
    with Session() as session:
        fired = session.fire(_top_ruleset(), [{"key": "A", **_count(r.status for r in results)}])
    status: Status = fired[0].split("|")[1]  # type: ignore[assignment]
    return build(Assessment, dict(
        schema_version=SCHEMA_VERSION,
        trust=build(TrustInfo, dict(name=ev.trust.name, ods_code=ev.trust.ods_code)),
        period_start=ev.period.start,
        period_end=ev.period.end,
        assessed_as_of=ev.as_of,
        submitted_on=ev.submitted_on,
        submitted_by=_submitter(ev),
        source=source,
        status=status,
        schemes=results,
    ))


def _submitter(ev: Evidence) -> str | None:
    """"name, role"; a part not yet filled is said so, and None when neither is filled."""
    name, role = ev.submitted_by.name, ev.submitted_by.role
    if name is None and role is None:
        return None
    return f"{name or NOT_YET_FILLED}, {role or NOT_YET_FILLED}"


def _count(statuses: Iterable[str]) -> dict[str, int]:
    c = {"met": 0, "not_met": 0, "ins": 0, "na": 0}
    for s in statuses:
        c[{"insufficient_evidence": "ins", "not_applicable": "na"}.get(s, s)] += 1
    c["live"] = c["met"] + c["not_met"] + c["ins"]
    c["mi"] = c["met"] + c["ins"]
    return c


def _strict(value: Any, want_bool: bool) -> bool | float:
    # durable-rules compares loosely ("80" < 95 matches): send exact types only.
    if want_bool:
        if not isinstance(value, bool):
            raise EngineError(f"expected true/false, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise EngineError(f"expected a number, got {value!r}")
    return float(value)


def _effective(req: Requirement, as_of: dt.date) -> str | None:
    """Why the requirement does not apply on ``as_of``, or ``None`` if it does."""
    eff = req.effective
    if eff is None:
        return None
    if eff.start and as_of < eff.start:
        return f"applies from {eff.start}; assessed as of {as_of}" + (f" ({eff.note})" if eff.note else "")
    if eff.until and as_of > eff.until:
        return f"applied until {eff.until}; assessed as of {as_of}" + (f" ({eff.note})" if eff.note else "")
    return None


@dataclass(slots=True)
class _Leaf:
    spec: LeafSpec
    m: Measurement
    threshold: Any
    params: set[str]


def _assess_scheme(
    scheme: Scheme, runner: _Runner, session: Session, ev: Evidence, overrides: Mapping[str, Any], outcomes: Mapping[str, str]
) -> SchemeResult:
    c = runner.compiled
    values = {name: overrides.get(name, p.value) for name, p in scheme.parameters.items()}
    ctx = Context(ev, values, outcomes)

    # 1. Measure every leaf.  A lone comparison travels in its requirement's fact;
    #    the leaves of combined rules get facts of their own.
    leaf_facts: list[dict[str, Any]] = []
    req_facts: list[dict[str, Any]] = []
    measured: dict[str, _Leaf] = {}
    na_reasons: list[str | None] = []
    for req in c.requirements:
        not_in_force = _effective(req.requirement, ev.as_of) if req.requirement.effective else None
        na_reasons.append(not_in_force)
        for plan in req.leaves:
            spec = plan.spec
            used = ctx.used_params = set()  # a fresh set per leaf: what this measure read
            m = Measurement("na", na_reason=not_in_force) if not_in_force else spec.evaluator.measure(spec.params, ctx)
            used.update(spec.leaf.counted_with)
            threshold = m.threshold if spec.evaluator.brings_threshold else spec.leaf.threshold
            if isinstance(threshold, str):
                used.add(threshold)
                threshold = values[threshold]
            state = "missing" if (m.state == "ok" and m.unstable) else m.state
            fact: dict[str, Any] = {"key": plan.key, "l": state}
            if state == "ok":
                want_bool = spec.evaluator.value_type is bool
                fact["v"] = _strict(m.value, want_bool)
                fact["t"] = _strict(threshold, want_bool)
            if req.direct:
                fact["st"] = "na" if not_in_force else "ok"
                req_facts.append(fact)
            else:
                leaf_facts.append(fact)
            measured[plan.key] = _Leaf(spec, m, threshold, used)
    verdicts = runner.fire(session, leaf_facts) if leaf_facts else {}

    # 2. Combinators, deepest first, from counts of their children's verdicts.
    nodes = {n.key: n for n in c.nodes}
    for level in c.node_levels:
        verdicts.update(runner.fire(session, [{"key": k, **_count(verdicts[ch][0] for ch in nodes[k].children)} for k in level]))

    # 3. Requirements: a lone comparison decides here; a combined rule passes on its root's verdict.
    req_facts.extend(
        {"key": r.key, "st": "na" if na_reasons[i] else "ok", "root": verdicts[r.root][0]}
        for i, r in enumerate(c.requirements)
        if not r.direct
    )
    verdicts.update(runner.fire(session, req_facts))

    # 4. Section roll-ups, then the outcome, each decided by firing.
    per_section: list[list[int]] = [[] for _ in scheme.sections]
    for i, r in enumerate(c.requirements):
        per_section[r.section].append(i)
    section_facts = [
        {"key": f"S{si}", **_count(verdicts[c.requirements[i].key][0] for i in indexes)}
        for si, indexes in enumerate(per_section)
    ]
    verdicts.update(runner.fire(session, section_facts))
    section_status = [verdicts[f"S{si}"][0] for si in range(len(scheme.sections))]
    in_outcome = [si for si, s in enumerate(scheme.sections) if s.in_outcome]
    outcome_counts = _count(section_status[si] for si in in_outcome)
    verdicts.update(runner.fire(session, [{"key": "O", **outcome_counts}]))
    outcome_status = verdicts["O"][0]

    # Before the declaration deadline nothing is final: a requirement is met or not met *so far*.
    so_far = scheme.period is not None and scheme.period.deadline is not None and ev.as_of < scheme.period.deadline
    key = tuple(sorted((k, repr(v)) for k, v in overrides.items() if k in scheme.parameters))
    param_uses = runner.param_uses.get(key)
    if param_uses is None:
        param_uses = {name: build(ParameterUse, _param_use(scheme, name, values, overrides)) for name in scheme.parameters}
        if len(runner.param_uses) >= 32:  # many distinct overrides (a sweep): keep memory flat
            runner.param_uses.clear()
        runner.param_uses[key] = param_uses
    sections: list[SectionResult] = []
    for si, section in enumerate(scheme.sections):
        reqs = [
            _requirement_result(runner, c.requirements[i], verdicts, measured, nodes, na_reasons[i], param_uses, overrides, so_far)
            for i in per_section[si]
        ]
        status = section_status[si]
        sections.append(
            build(SectionResult, dict(
                id=section.id,
                title=section.title,
                status=status,
                rollup=section.rollup if isinstance(section.rollup, str) else section.rollup.label,
                in_outcome=section.in_outcome,
                explanation=_rollup_sentence([(r.id, r.status) for r in reqs], "standard"),
                counts=_public_counts(section_facts[si]),
                fired_rule=verdicts[f"S{si}"][1],
                requirements=reqs,
                challenge=list(section.challenge),
                action_plan=section.action_plan if status in ("not_met", "insufficient_evidence") else None,
            ))
        )
    unmet = [s.id for s in sections if s.in_outcome and s.status in ("not_met", "insufficient_evidence")]
    o = scheme.outcome
    deadline = scheme.period.deadline if scheme.period else None
    days_left = (deadline - ev.as_of).days if deadline is not None and ev.as_of < deadline else None
    if days_left is not None and deadline is not None:
        outcome_text = _so_far(scheme, sections, outcome_status, deadline, days_left)
    elif outcome_status == "met":
        outcome_text = o.met
    elif outcome_status == "insufficient_evidence":
        outcome_text = (o.insufficient_evidence or o.not_met) + " Not yet shown: " + ", ".join(unmet) + "."
    elif outcome_status == "not_met":
        outcome_text = o.not_met + " Not met: " + ", ".join(unmet) + "."
    else:
        outcome_text = "Not applicable to this evidence."
    used_overrides = sorted(set(overrides) & set(scheme.parameters))
    return build(SchemeResult, dict(
        id=scheme.id,
        title=scheme.title,
        version=scheme.version,
        publisher=scheme.publisher,
        status=outcome_status,
        outcome=outcome_text,
        explanation=_rollup_sentence([(s.id, s.status) for s in sections if s.in_outcome], "section"),
        counts=_public_counts(outcome_counts),
        fired_rule=verdicts["O"][1],
        unmet_sections=unmet,
        action_plan_route=o.action_plan_route if outcome_status in ("not_met", "insufficient_evidence") else None,
        deadline=deadline,
        days_to_deadline=days_left,
        sections=sections,
        parameter_overrides=[param_uses[n] for n in used_overrides],
        unverified_requirements=sum(1 for s in sections for r in s.requirements if r.rests_on_unverified),
    ))


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def _long_date(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"  # not strftime: it follows the locale


def _so_far(scheme: Scheme, sections: Sequence[SectionResult], status: str, deadline: dt.date, days_left: int) -> str:
    """Where the trust stands before the deadline: 'On track: 10 of 10 safety actions met so far; ...'."""
    nouns: dict[str, list[SectionResult]] = {}
    for spec, result in zip(scheme.sections, sections):
        if result.in_outcome and result.status != "not_applicable":
            nouns.setdefault(spec.counts_as or scheme.levels.section, []).append(result)
    parts = []
    for noun, group in sorted(nouns.items(), key=lambda item: item[0] != scheme.levels.section):  # the scheme's own level first
        plural = scheme.levels.section_plural if noun == scheme.levels.section else noun + "s"
        met = sum(1 for r in group if r.status == "met")
        parts.append(f"{met} of {len(group)} {noun if len(group) == 1 else plural}")
    unmet = [r.id for group in nouns.values() for r in group if r.status != "met"]
    head = "On track" if status == "met" else "Not yet on track"
    text = f"{head}: " + " and ".join(parts) + " met so far"
    if unmet:
        text += "; not yet met: " + ", ".join(unmet)
    day = "day" if days_left == 1 else "days"
    return f"{text}; {days_left} {day} to the {_long_date(deadline)} deadline. This is a position so far, not the final verdict."


def _public_counts(fact: Mapping[str, Any]) -> dict[str, int]:
    return {"met": fact["met"], "not_met": fact["not_met"], "insufficient_evidence": fact["ins"], "not_applicable": fact["na"]}


def _rollup_sentence(children: list[tuple[str, str]], noun: str) -> str:
    """What a roll-up counted ("9 of 10 applicable sections met; not met: SA6."); its status is shown beside it."""
    by = {s: [i for i, st in children if st == s] for s in STATUS_ORDER}
    live = len(children) - len(by["not_applicable"])
    parts = [f"{len(by['met'])} of {live} applicable {noun}s met"]
    if by["not_met"]:
        parts.append("not met: " + ", ".join(by["not_met"]))
    if by["insufficient_evidence"]:
        parts.append("insufficient evidence: " + ", ".join(by["insufficient_evidence"]))
    if by["not_applicable"]:
        parts.append("not applicable: " + ", ".join(by["not_applicable"]))
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


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


@functools.lru_cache(maxsize=1024, typed=True)  # typed: False and 0 hash alike but read differently
def _show_threshold(value: Any, unit: str | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        text = fmt_num(float(value), 2)
        if unit and unit.startswith("%"):
            return f"{text}{unit}"
        return f"{text} {unit}" if unit else text
    return str(value)


_OUTCOME = {"met": "true", "not_met": "false", "insufficient_evidence": "unknown", "not_applicable": "not_applicable"}


def _blocking(plan: RequirementPlan, nodes: Mapping[str, NodePlan], verdicts: Mapping[str, tuple[Status, str]]) -> set[str]:
    """Leaves whose verdict stands in the way of the requirement being met (a ``not`` flips the sense)."""
    out: set[str] = set()

    def walk(key: str, positive: bool) -> None:
        if key not in nodes:  # a leaf (a lone comparison's leaf shares its requirement's key)
            if verdicts[key][0] == ("not_met" if positive else "met"):
                out.add(key)
            return
        node = nodes[key]
        for child in node.children:
            walk(child, positive if node.kind != "not" else not positive)

    walk(plan.root, True)
    return out


def _requirement_result(
    runner: _Runner,
    plan: RequirementPlan,
    verdicts: Mapping[str, tuple[Status, str]],
    measured: Mapping[str, _Leaf],
    nodes: Mapping[str, NodePlan],
    not_in_force: str | None,
    param_uses: Mapping[str, ParameterUse],
    overrides: Mapping[str, Any],
    so_far: bool = False,
) -> RequirementResult:
    status, rule_name = verdicts[plan.key]
    blocking = _blocking(plan, nodes, verdicts) if status == "not_met" else set()
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
        describe, param_id, unit = runner.leaf_text[lp.key]
        op = spec.leaf.compare
        wording = runner.wording.get(param_id) if param_id and param_id not in overrides else None
        shown = m.threshold_display or _show_threshold(leaf.threshold, unit if param_id else (m.unit or None))
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
            "threshold_display": wording or f"{_WORDS[op]} {shown}",
            "threshold_param": param_id,
            "shortfall": shortfall,
            "records": leaf_records,
            "missing": list(m.missing),
            "note": m.unstable or m.note or m.na_reason,
            "trajectory": sorted(m.detail["points"].items()) if "points" in m.detail else None,
            "trajectory_year": m.detail.get("year"),
            "previous": m.detail.get("previous"),
            "trend": m.detail.get("trend"),
        }
        if lp.key in blocking:
            records.extend(leaf_records)
            if shortfall:
                shortfalls.append(shortfall)
        missing += m.missing
        evidence_used += m.evidence
    if len(plan.leaves) > 1:  # several leaves may read the same evidence: each path once, in order
        missing = list(dict.fromkeys(missing))
        evidence_used = list(dict.fromkeys(evidence_used))
    params = [param_uses[n] for n in sorted(used)]
    base = runner.requirement_base[plan.key]
    unverified = base["verification"] != "confirmed" or any(p.status != "confirmed" for p in params)
    # In RequirementResult's field order (see results.build).
    return build(
        RequirementResult,
        {
            "id": base["id"],
            "title": base["title"],
            "status": status,
            "explanation": _explain(status, plan, nodes, leaf_results, not_in_force, so_far),
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


_MARK = {"true": "holds", "false": "fails", "unknown": "unknown", "not_applicable": "not applicable"}


def _said(leaf: Mapping[str, Any]) -> str:
    shown = leaf['display'] or (f"not submitted ({', '.join(leaf['missing'])})" if leaf['missing'] else leaf['note'] or "not measured")
    return f"{leaf['describe']}: {shown} (needs {leaf['threshold_display']})"


def _explain(
    status: str, plan: RequirementPlan, nodes: Mapping[str, NodePlan], leaves: Mapping[str, Mapping[str, Any]], not_in_force: str | None, so_far: bool = False
) -> str:
    """One sentence saying why; for combined rules, the rule tree with each part's verdict."""
    if not_in_force:
        return f"Not applicable: {not_in_force}."
    head = status.replace("_", " ").capitalize() + (" so far" if so_far and status in ("met", "not_met") else "")
    if not plan.direct:

        def tree(key: str) -> str:
            if key not in nodes:
                leaf = leaves[key]
                return f"{_said(leaf)} [{_MARK[leaf['outcome']]}]"
            node = nodes[key]
            label = {"all": "all of", "any": "any of", "not": "not", "at_least": f"at least {node.need} of"}[node.kind]
            return f"{label} (" + "; ".join(tree(ch) for ch in node.children) + ")"

        return f"{head}: {tree(plan.root)}."
    leaf = leaves[plan.root]
    if status == "not_applicable":
        return f"Not applicable: {leaf['note']}."
    if status in ("met", "not_met"):
        return f"{head}: {_said(leaf)}."
    if leaf["missing"] and leaf["display"]:
        return f"Insufficient evidence: {leaf['describe']}: {leaf['display']} (not submitted: {', '.join(leaf['missing'])})."
    if leaf["missing"]:
        return f"Insufficient evidence: {leaf['describe']}: no evidence submitted ({', '.join(leaf['missing'])})."
    return f"Insufficient evidence: {leaf['describe']}: {leaf['display']}; {leaf['note']}."
