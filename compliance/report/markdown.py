"""The Markdown report (GitHub-flavoured): the terminal report's content, for pasting into papers.

It lays out what :mod:`.outline` (the report), :mod:`.challenge` (the
board-champion view) and :mod:`.overview` (many trusts) decide to show.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import visible
from ..results import Assessment, filled
from . import challenge as challenge_view
from . import outline, overview
from .outline import GapRequirement, Outline, SchemeOutline
from .style import UNICODE, label
from .wording import (
    SIGNALS,
    signal_line,
    with_signals,
    ACTION_PLAN,
    ACTION_PLAN_MUST,
    CHALLENGE,
    MISSING,
    REMEDIATION,
    GAPS,
    NO_GAPS,
    NO_WEAKNESSES,
    NOTHING_TO_CHALLENGE,
    OVERVIEW_KEY,
    PARAMETER_OVERRIDE,
    QUESTIONS,
    UNVERIFIED_LEGEND,
    WEAKNESSES,
    WORDS,
    record_words,
    rests_on,
)

if TYPE_CHECKING:  # pragma: no cover
    from .formats import Options

__all__ = [
    "render",
    "render_outline",
    "render_challenge",
    "render_many",
    "escape",
    "code",
    "assessment_markdown",
    "assessments_markdown",
    "challenge_markdown",
    "challenges_markdown",
]

_SPECIAL = re.compile(r"([\\`*|\[\]])")
_TAG = re.compile(r"<(?=[A-Za-z/!?])")


def escape(text: str) -> str:
    """Escape what Markdown would otherwise read as markup (tables, emphasis, HTML tags).

    Control and bidirectional characters (ESC, NUL, U+202E) are shown as escapes:
    a viewer would hide or obey them.
    """
    return _TAG.sub("&lt;", _SPECIAL.sub(r"\\\1", visible(" ".join(text.split()), newlines=False)))


def code(text: str) -> str:
    """A code span (inside one, Markdown reads no markup and no HTML); backticks and line breaks cannot be in it."""
    return f"`{visible(text.replace('`', ''), newlines=False)}`"


def render(assessment: Assessment, *, only_gaps: bool = False, challenge: bool = False, level: int = 1) -> str:
    return render_outline(outline.build(assessment, only_gaps=only_gaps), challenge=challenge, level=level)


def render_outline(report: Outline, *, challenge: bool = False, level: int = 1) -> str:
    """Lay out an outline already built (see :mod:`.outline`)."""
    g = UNICODE
    a = report.assessment
    h = "#" * level
    lines = [
        f"{h} {escape(report.trust)} ({escape(report.ods_code)})",
        "",
        "| | |",
        "|---|---|",
        f"| Period | {a.period_start} to {a.period_end} |",
        f"| Assessed as of | {a.assessed_as_of} |",
        f"| Submitted | {report.submitted_on} by {escape(report.submitted_by)} |",
    ]
    if a.source:
        lines.append(f"| Evidence | {code(a.source)} |")
    lines.append(f"| Schemes | {', '.join(f'{escape(s.id)} ({label(s.status, g)})' for s in report.schemes)} |")
    lines += [f"| Verdict | **{label(report.status, g)}**{escape(with_signals('', len(report.signals)))} |", ""]
    if report.signals:
        lines += [f"**{SIGNALS}:**", ""] + [f"- {escape(signal_line(sig))}" for sig in report.signals] + [""]
    for scheme in report.schemes:
        lines += _scheme(scheme, level + 1)
    if challenge:
        lines.append(render_challenge(a, only_gaps=report.only_gaps, level=level + 1))
    if report.unverified:
        lines += [f"{g.unverified} {UNVERIFIED_LEGEND}.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _scheme(scheme: SchemeOutline, level: int) -> list[str]:
    g = UNICODE
    h = "#" * level
    lines = [
        f"{h} {escape(scheme.title)}",
        "",
        f"{code(scheme.id)} {g.dash} {escape(scheme.version)} {g.dash} {escape(scheme.publisher)}",
        "",
        *([escape(scheme.version_chosen), ""] if scheme.version_chosen else []),
        f"**{label(scheme.status, g)}**: {escape(scheme.explanation)}",
        "",
    ]
    if scheme.outcome:
        lines += [escape(scheme.outcome), ""]
    for p in scheme.overrides:
        lines += [f"- {PARAMETER_OVERRIDE}: {code(p.id)} = {p.value}{' ' + escape(p.unit) if p.unit else ''} (default {p.default})"]
    if scheme.overrides:
        lines.append("")
    if scheme.rows:
        lines += ["| Section | Title | Status | Met |", "|---|---|---|---:|"]
        for row in scheme.rows:
            mark = f" {g.unverified}" if row.unverified else ""
            met = f"{row.met}/{row.judged}" if row.judged else g.symbols["not_applicable"]
            lines.append(f"| {escape(row.id)}{mark} | {escape(row.title)} | {label(row.status, g)} | {met} |")
        lines.append("")
    if not scheme.gaps:
        lines += [NO_GAPS, ""]
    else:
        lines += [f"{h}# {GAPS}", ""]
        for sec in scheme.gaps:
            lines += [f"{h}## {g.symbols[sec.status]} {escape(sec.id)} ({WORDS[sec.status]})", ""]
            if sec.action_plan:
                lines += [f"{ACTION_PLAN_MUST} {escape(sec.action_plan)}", ""]
            for req in sec.requirements:
                lines += _requirement(req, sec.status)
    if scheme.action_plan_route:
        lines += [f"**{ACTION_PLAN}** {escape(scheme.action_plan_route)}", ""]
    return lines


def _requirement(req: GapRequirement, section_status: str) -> list[str]:
    """A gap, each fact once (see :class:`.outline.GapRequirement`); its status in words when not its section's."""
    g = UNICODE
    mark = f" {g.unverified}" if req.unverified else ""
    status = f" ({WORDS[req.status]})" if req.status != section_status else ""
    lines = [f"- **{g.symbols[req.status]} {escape(req.id)} {escape(req.title)}{mark}**{status}"]
    lines += [f"  - {escape(f)}" for f in req.findings]
    if req.missing:
        lines.append(f"  - {MISSING}: {', '.join(code(m) for m in req.missing)}")
    lines += [f"    - {code(r.id)}: {escape(record_words(r))}" for r in req.records]
    fix = f"  - {REMEDIATION}: {escape(req.remediation)}"
    if req.unverified:
        fix += f" {g.unverified} {rests_on(req.unverified.parameters, req.unverified.verification, code=code)}."
    lines += [fix, ""]
    return lines


def render_challenge(assessment: Assessment, *, only_gaps: bool = False, level: int = 2) -> str:
    """The board-champion view: per section, the questions to ask and the weaknesses found (see :mod:`.challenge`)."""
    h = "#" * level
    lines: list[str] = [f"{h} {CHALLENGE}", ""]
    items = challenge_view.build(assessment, only_gaps=only_gaps)
    if not items:
        lines += [NOTHING_TO_CHALLENGE, ""]
    for item in items:
        sec = item.section
        lines += [f"{h}# {escape(sec.id)} {escape(sec.title)} ({WORDS[sec.status]})", ""]
        if item.questions:
            lines += [f"{QUESTIONS}:", ""]
            lines += [f"{i}. {escape(q)}" for i, q in enumerate(item.questions, 1)]
            lines.append("")
        if item.weaknesses:
            lines += [f"{WEAKNESSES}:", ""]
            lines += [f"- **{w.word}**: {escape(w.line)}" for w in item.weaknesses]
            lines.append("")
        else:
            lines += [NO_WEAKNESSES, ""]
    return "\n".join(lines)


def render_many(assessments: Sequence[Assessment], *, only_gaps: bool = False, challenge: bool = False) -> str:
    """An overview table across trusts, then (with ``challenge``) each trust's challenge view."""
    g = UNICODE
    ids = overview.scheme_ids(assessments)
    lines = ["# Overview", "", f"{len(assessments)} trusts; {sum(1 for a in assessments if a.all_met)} with every scheme met.", ""]
    lines.append("| Trust | ODS | " + " | ".join(escape(i) for i in ids) + " | Verdict |")
    lines.append("|---|---|" + "---|" * len(ids) + "---|")
    for row in overview.rows(assessments, ids, only_gaps=only_gaps):
        cells = [
            f"{g.symbols[c.status]} {WORDS[c.status]} ({c.met}/{c.judged})" if c is not None else "" for c in row.cells
        ]
        lines.append(f"| {escape(row.name)} | {escape(row.ods)} | " + " | ".join(cells) + f" | {label(row.status, g)} |")
    lines += ["", f"{OVERVIEW_KEY}; blank: scheme not assessed for that trust.", ""]
    if challenge:
        for a in assessments:
            lines += [f"## {escape(filled(a.trust.name))} ({escape(filled(a.trust.ods_code))})", ""]
            lines.append(render_challenge(a, only_gaps=only_gaps, level=3))
    return "\n".join(lines).rstrip("\n") + "\n"

# ------------------------------------------------------------------ as a registered format (see .formats)


def assessment_markdown(assessment: Assessment, options: Options) -> str:
    return render(assessment, only_gaps=options.only_gaps)


def assessments_markdown(assessments: Sequence[Assessment], options: Options) -> str:
    return render_many(assessments, only_gaps=options.only_gaps)


def challenge_markdown(assessment: Assessment, options: Options) -> str:
    return render(assessment, only_gaps=options.only_gaps, challenge=True)


def challenges_markdown(assessments: Sequence[Assessment], options: Options) -> str:
    return render_many(assessments, only_gaps=options.only_gaps, challenge=True)
