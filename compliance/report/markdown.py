"""The Markdown report (GitHub-flavoured): the terminal report's content, for pasting into papers."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..results import Assessment, RequirementResult, SchemeResult, filled
from .style import (
    UNICODE,
    UNVERIFIED_LEGEND,
    WORDS,
    is_gap,
    label,
    leaf_line,
    section_title,
    section_unverified,
)

__all__ = ["render", "render_many", "escape", "code"]

_SPECIAL = re.compile(r"([\\`*|\[\]])")
_TAG = re.compile(r"<(?=[A-Za-z/!?])")


def escape(text: str) -> str:
    """Escape what Markdown would otherwise read as markup (tables, emphasis, HTML tags)."""
    return _TAG.sub("&lt;", _SPECIAL.sub(r"\\\1", " ".join(text.split())))


def code(text: str) -> str:
    return f"`{text.replace('`', '')}`"


def render(assessment: Assessment, *, only_gaps: bool = False, challenge: bool = False, level: int = 1) -> str:
    g = UNICODE
    a = assessment
    h = "#" * level
    lines = [
        f"{h} {escape(filled(a.trust.name))} ({escape(filled(a.trust.ods_code))})",
        "",
        "| | |",
        "|---|---|",
        f"| Period | {a.period_start} to {a.period_end} |",
        f"| Assessed as of | {a.assessed_as_of} |",
        f"| Submitted | {filled(a.submitted_on)} by {escape(filled(a.submitted_by))} |",
    ]
    if a.source:
        lines.append(f"| Evidence | {code(a.source)} |")
    lines.append(f"| Schemes | {', '.join(f'{escape(s.id)} ({label(s.status, g)})' for s in a.schemes)} |")
    lines += [f"| Verdict | **{label(a.status, g)}** |", ""]
    unverified = False
    for scheme in a.schemes:
        part, u = _scheme(scheme, only_gaps, level + 1)
        lines += part
        unverified |= u
    if challenge:
        from .challenge import render_markdown

        lines.append(render_markdown(a, only_gaps=only_gaps, level=level + 1))
    if unverified:
        lines += [f"{g.unverified} {UNVERIFIED_LEGEND}.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _scheme(scheme: SchemeResult, only_gaps: bool, level: int) -> tuple[list[str], bool]:
    g = UNICODE
    h = "#" * level
    lines = [
        f"{h} {escape(scheme.title)}",
        "",
        f"{code(scheme.id)} {g.dash} {escape(scheme.version)} {g.dash} {escape(scheme.publisher)}",
        "",
        f"**{label(scheme.status, g)}**: {escape(scheme.explanation)}",
        "",
    ]
    if scheme.outcome:
        lines += [escape(scheme.outcome), ""]
    for p in scheme.parameter_overrides:
        lines += [f"- Parameter override: {code(p.id)} = {p.value}{' ' + escape(p.unit) if p.unit else ''} (default {p.default})"]
    if scheme.parameter_overrides:
        lines.append("")
    rows = [s for s in scheme.sections if not (only_gaps and not is_gap(s.status))]
    unverified = any(section_unverified(s) for s in scheme.sections)
    if rows:
        lines += ["| Section | Title | Status | Met |", "|---|---|---|---:|"]
        for sec in rows:
            judged = sum(v for k, v in sec.counts.items() if k != "not_applicable")
            mark = f" {g.unverified}" if section_unverified(sec) else ""
            title = escape(section_title(sec.title, sec.in_outcome))
            met = f"{sec.counts.get('met', 0)}/{judged}" if judged else g.symbols["not_applicable"]
            lines.append(f"| {escape(sec.id)}{mark} | {title} | {label(sec.status, g)} | {met} |")
        lines.append("")
    gaps = [s for s in scheme.sections if is_gap(s.status) or any(is_gap(r.status) for r in s.requirements)]
    if not gaps:
        lines += ["No gaps: every section is met or not applicable.", ""]
    else:
        lines += [f"{h}# Gaps", ""]
        for sec in gaps:
            title = escape(section_title(sec.title, sec.in_outcome))
            lines += [f"{h}## {g.symbols[sec.status]} {escape(sec.id)} {title} ({WORDS[sec.status]})", ""]
            for req in sec.requirements:
                if is_gap(req.status):
                    lines += _requirement(req)
            if sec.action_plan and sec.status == "not_met":
                lines += [f"The action plan must: {escape(sec.action_plan)}", ""]
    if scheme.action_plan_route and scheme.unmet_sections:
        lines += [f"**Action plan:** {escape(scheme.action_plan_route)}", ""]
    return lines, unverified


def _requirement(req: RequirementResult) -> list[str]:
    g = UNICODE
    mark = f" {g.unverified}" if req.rests_on_unverified else ""
    lines = [f"- **{g.symbols[req.status]} {escape(req.id)} {escape(req.title)}{mark}** ({WORDS[req.status]})", f"  - {escape(req.explanation)}"]
    for leaf in req.measurements:
        if leaf.outcome == "false" or (leaf.outcome == "unknown" and leaf.display):
            lines.append(f"  - Measured: {escape(leaf_line(leaf))}")
    if req.shortfall:
        lines.append(f"  - Shortfall: {escape(req.shortfall)}")
    if req.missing_evidence:
        lines.append(f"  - Missing evidence: {', '.join(code(m) for m in req.missing_evidence)}")
    if req.records:
        lines.append("  - Records behind it:")
        lines += [f"    - {code(r.id)}: {escape(r.reason)}" for r in req.records]
    if req.rests_on_unverified:
        unconfirmed = [code(p.id) for p in req.parameters if p.status != "confirmed"]
        why = f"unverified parameter(s) {', '.join(unconfirmed)}" if unconfirmed else f"a requirement whose status is {req.verification.replace('_', ' ')}"
        lines.append(f"  - {g.unverified} Rests on {why}")
    lines += [f"  - Remediation: {escape(req.remediation)}", ""]
    return lines


def render_many(assessments: Sequence[Assessment], *, only_gaps: bool = False, challenge: bool = False) -> str:
    """An overview table across trusts, then (with ``challenge``) each trust's challenge view."""
    from .overview import rows, scheme_ids

    g = UNICODE
    ids = scheme_ids(assessments)
    lines = ["# Overview", "", f"{len(assessments)} trusts; {sum(1 for a in assessments if a.all_met)} with every scheme met.", ""]
    lines.append("| Trust | ODS | " + " | ".join(escape(i) for i in ids) + " | Verdict |")
    lines.append("|---|---|" + "---|" * len(ids) + "---|")
    for row in rows(assessments, ids, only_gaps=only_gaps):
        cells = [
            f"{g.symbols[c.status]} {WORDS[c.status]} ({c.met}/{c.judged})" if c is not None else "" for c in row.cells
        ]
        lines.append(f"| {escape(row.name)} | {escape(row.ods)} | " + " | ".join(cells) + f" | {label(row.status, g)} |")
    lines += ["", "n/m: sections met of those judged (informative checks not counted); blank: scheme not assessed for that trust.", ""]
    if challenge:
        from .challenge import render_markdown

        for a in assessments:
            lines += [f"## {escape(filled(a.trust.name))} ({escape(filled(a.trust.ods_code))})", ""]
            lines.append(render_markdown(a, only_gaps=only_gaps, level=3))
    return "\n".join(lines).rstrip("\n") + "\n"

