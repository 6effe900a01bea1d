"""``assess()``: the order of an assessment's stages, and nothing else.

1. load the evidence (``evidence.loader``): parse, validate the shape, reject
   impossible evidence;
2. choose the schemes, dependencies first (``schemes.selection``);
3. check the parameter overrides against their declarations
   (``schemes.parameters``);
4. per scheme, in that order: measure every leaf and build the facts
   (``facts``), fire them level by level -- leaves, combinators deepest
   first, requirements, sections, the outcome -- each fired rule's name being
   the verdict (``rules.runner``), then build the result tree (``findings``,
   data only: the reports word it);
5. roll the schemes up into the assessment's status, by firing too.

Takes the evidence (a path, a mapping or loaded :class:`Evidence`), the
schemes and the overrides; returns the :class:`~compliance.results.Assessment`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..evidence.loader import load_evidence
from ..evidence.model import Evidence
from ..results import NOT_YET_FILLED, SCHEMA_VERSION, Assessment, SchemeResult, SectionResult, Status, TrustInfo, build
from ..rules.runner import Runner, runner, top_ruleset
from ..rules.runtime import Session
from ..schemes.model import Scheme
from ..schemes.parameters import check_overrides
from ..report.wording import version_chosen
from ..schemes.selection import Choice, choose
from . import facts, findings

__all__ = ["assess"]


def assess(
    evidence: Evidence | Mapping[str, Any] | str | Path,
    schemes: Sequence[str | Path | Scheme] | str | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    today: dt.date | None = None,
    requirements: bool = True,
) -> Assessment:
    """Assess a trust's evidence against schemes (default: every bundled scheme it covers).

    ``params`` overrides named parameters for this assessment only; the
    report lists every override beside the default it replaced.  ``today``
    is the date no evidence may be later than (default: the real date; give
    it for a reproducible run).  Evidence already loaded is not checked again.
    ``requirements=False`` leaves out each section's requirement results and
    each scheme's parameter overrides -- all an overview across trusts reads;
    every verdict, count and roll-up is the same, decided by the same firing.
    """
    source = str(evidence) if isinstance(evidence, (str, Path)) else None
    ev = load_evidence(evidence, today=today)
    choices = choose(ev, schemes)
    chosen = [c.scheme for c in choices]
    overrides = check_overrides(chosen, params)
    outcomes: dict[str, str] = {}
    results: list[SchemeResult] = []
    for choice, scheme in zip(choices, chosen):
        with Session() as session:
            result = _assess_scheme(runner(scheme), session, ev, overrides, outcomes, requirements)
        outcomes[scheme.id] = result.status
        why = _why(choice, ev)
        results.append(result if why is None else result.model_copy(update={"version_chosen": why}))
    with Session() as session:
        fired = session.fire(top_ruleset(), [{"key": "A", **facts.counts(r.status for r in results)}])
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


def _why(choice: Choice, ev: Evidence) -> str | None:
    """Which version of its family the scheme is, and why it was chosen (None for a scheme with no versions)."""
    v, w = choice.scheme.versioning, choice.scheme.window
    if v is None or w is None:
        return None
    return version_chosen(v.label, choice.how, choice.asked, ev.period.end, w.start, w.end)


def _assess_scheme(
    run: Runner, session: Session, ev: Evidence, overrides: Mapping[str, Any], outcomes: Mapping[str, str], requirements: bool = True
) -> SchemeResult:
    c = run.compiled
    scheme = c.scheme
    values = {name: overrides.get(name, p.value) for name, p in scheme.parameters.items()}

    # 1. Measure every leaf; the leaves of combined rules fire first.
    measured = facts.measure(c, ev, values, outcomes)
    verdicts = run.fire(session, measured.leaf_facts) if measured.leaf_facts else {}

    # 2. Combinators, deepest first, from counts of their children's verdicts.
    nodes = run.nodes
    for level in c.node_levels:
        verdicts.update(run.fire(session, [{"key": k, **facts.counts(verdicts[ch][0] for ch in nodes[k].children)} for k in level]))

    # 3. Requirements: a lone comparison decides here; a combined rule passes on its root's verdict.
    requirement_facts = measured.requirement_facts + [
        {"key": r.key, "st": "na" if measured.not_in_force[i] else "ok", "root": verdicts[r.root][0]}
        for i, r in enumerate(c.requirements)
        if not r.direct
    ]
    verdicts.update(run.fire(session, requirement_facts))

    # 4. Section roll-ups, then the outcome, each decided by firing.
    per_section = run.per_section
    section_facts = [
        {"key": f"S{si}", **facts.counts(verdicts[c.requirements[i].key][0] for i in indexes)}
        for si, indexes in enumerate(per_section)
    ]
    verdicts.update(run.fire(session, section_facts))
    outcome_fact = {"key": "O", **facts.counts(verdicts[f"S{si}"][0] for si in run.in_outcome)}
    verdicts.update(run.fire(session, [outcome_fact]))

    # 5. The findings (before the declaration deadline the reports word them as "so far": see days_to_deadline).
    st = findings.statics(c)
    param_uses = findings.parameter_uses(c, values, overrides)
    sections: list[SectionResult] = []
    as_of = ev.as_of  # computed on each access
    unverified = 0
    for si, indexes in enumerate(per_section):
        if requirements:
            reqs = [
                findings.requirement_result(st, c.requirements[i], verdicts, measured.leaves, nodes, measured.not_in_force[i], param_uses, overrides, as_of)
                for i in indexes
            ]
            unverified += sum(1 for r in reqs if r.rests_on_unverified)
        else:  # an overview's slice: the requirement trees are the costly part, and it reads none of them
            reqs = []
            unverified += sum(1 for i in indexes if findings.rests_on_unverified(st, c.requirements[i], measured.leaves, param_uses))
        status, rule = verdicts[f"S{si}"]
        sections.append(findings.section_result(scheme, si, status, section_facts[si], rule, reqs))
    status, rule = verdicts["O"]
    return findings.scheme_result(c, ev, status, outcome_fact, rule, sections, param_uses, overrides if requirements else {}, unverified)
