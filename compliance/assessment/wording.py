"""The English of an assessment: every sentence the result tree carries, and nothing else.

Takes data the other stages made (statuses, measured leaves as result rows,
dates, the scheme's outcome texts) and returns text: a requirement's
explanation, a roll-up's sentence, a threshold in words, the outcome before
and after the deadline, why a requirement is not in force.  Nothing here
decides anything; the other modules of this package write no sentences.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any

from ..evaluators.base import fmt_num
from ..evidence.model import Evidence
from ..results import NOT_YET_FILLED, STATUS_ORDER, SectionResult
from ..rules.compiler import NodePlan, RequirementPlan
from ..schemes.model import Requirement, Scheme

__all__ = [
    "COMPARISON_WORDS",
    "explain",
    "not_in_force",
    "outcome",
    "rollup_sentence",
    "show_threshold",
    "submitter",
    "threshold_display",
]

#: How each comparison reads before its threshold: "at least 95%".
COMPARISON_WORDS = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than", "==": "exactly", "!=": "not"}

_MARK = {"true": "holds", "false": "fails", "unknown": "unknown", "not_applicable": "not applicable"}
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def not_in_force(req: Requirement, as_of: dt.date) -> str | None:
    """Why the requirement does not apply on ``as_of``, or ``None`` if it does."""
    eff = req.effective
    if eff is None:
        return None
    if eff.start and as_of < eff.start:
        return f"applies from {eff.start}; assessed as of {as_of}" + (f" ({eff.note})" if eff.note else "")
    if eff.until and as_of > eff.until:
        return f"applied until {eff.until}; assessed as of {as_of}" + (f" ({eff.note})" if eff.note else "")
    return None


@functools.lru_cache(maxsize=1024, typed=True)  # typed: False and 0 hash alike but read differently
def show_threshold(value: Any, unit: str | None) -> str:
    """A threshold value with its unit: '95%', '2 months', 'yes'."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        text = fmt_num(float(value), 2)
        if unit and unit.startswith("%"):
            return f"{text}{unit}"
        return f"{text} {unit}" if unit else text
    return str(value)


def threshold_display(op: str, shown: str, wording: str | None) -> str:
    """What a leaf needs, in words: the parameter's own wording for a placeholder, else 'at least 95%'."""
    return wording or f"{COMPARISON_WORDS[op]} {shown}"


def _said(leaf: Mapping[str, Any]) -> str:
    shown = leaf['display'] or (f"not submitted ({', '.join(leaf['missing'])})" if leaf['missing'] else leaf['note'] or "not measured")
    return f"{leaf['describe']}: {shown} (needs {leaf['threshold_display']})"


def explain(
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


def rollup_sentence(children: list[tuple[str, str]], noun: str) -> str:
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


def outcome(scheme: Scheme, sections: Sequence[SectionResult], status: str, unmet: Sequence[str], deadline: dt.date | None, days_left: int | None) -> str:
    """What the scheme's verdict means: its own outcome text, or, before the deadline, where the trust stands."""
    o = scheme.outcome
    if days_left is not None and deadline is not None:
        return _so_far(scheme, sections, status, deadline, days_left)
    if status == "met":
        return o.met
    if status == "insufficient_evidence":
        return (o.insufficient_evidence or o.not_met) + " Not yet shown: " + ", ".join(unmet) + "."
    if status == "not_met":
        return o.not_met + " Not met: " + ", ".join(unmet) + "."
    return "Not applicable to this evidence."


def submitter(ev: Evidence) -> str | None:
    """"name, role"; a part not yet filled is said so, and None when neither is filled."""
    name, role = ev.submitted_by.name, ev.submitted_by.role
    if name is None and role is None:
        return None
    return f"{name or NOT_YET_FILLED}, {role or NOT_YET_FILLED}"
