"""The terminal report: header, a summary table per scheme, a tree of gaps, and the legend.

Writes to a rich ``Console`` it is given (the CLI owns the one that prints);
:func:`render_text` captures the same report as a string.  Every status is a
symbol and words, so the report reads the same without colour, and it is laid
out for 80 columns.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ..results import Assessment, RequirementResult, SchemeResult, SectionResult, filled
from .style import (
    STYLES,
    UNVERIFIED_LEGEND,
    WORDS,
    Glyphs,
    clean,
    glyphs_for,
    is_gap,
    label,
    leaf_line,
    section_title,
    section_unverified,
)

__all__ = ["render", "render_text", "status_text", "make_console", "MAX_RECORDS"]

#: Records listed under a gap before "... and N more" (the JSON/HTML reports list them all).
MAX_RECORDS = 10


class _Buffer(io.StringIO):
    """A string buffer that says which encoding its text is headed for (to choose the glyphs)."""

    def __init__(self, encoding: str = "utf-8"):
        super().__init__()
        self._encoding = encoding

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding


def make_console(*, width: int = 80, color: bool = False, encoding: str = "utf-8") -> Console:
    """A console that captures deterministically: fixed width, colour only if asked, no environment."""
    return Console(
        file=_Buffer(encoding),
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        legacy_windows=False,
        soft_wrap=False,
        _environ={},
    )


def render_text(assessment: Assessment, *, width: int = 80, color: bool = False, only_gaps: bool = False) -> str:
    """The terminal report as a string (plain text unless ``color``)."""
    console = make_console(width=width, color=color)
    render(assessment, console, only_gaps=only_gaps)
    return strip_trailing(console.file.getvalue())  # type: ignore[attr-defined]


def strip_trailing(text: str) -> str:
    """Drop the padding rich leaves at the ends of lines (plain text only)."""
    return "\n".join(line.rstrip() for line in text.split("\n"))


def status_text(status: str, glyphs: Glyphs, *, upper: bool = False) -> Text:
    words = label(status, glyphs)
    return Text(words.upper() if upper else words, style=STYLES[status])


def _glyphs(console: Console) -> Glyphs:
    return glyphs_for(console.encoding)


def _box(glyphs: Glyphs) -> box.Box:
    return box.SIMPLE_HEAD if glyphs.symbols["met"] == "✔" else box.ASCII2


def render(assessment: Assessment, console: Console, *, only_gaps: bool = False) -> None:
    """Write the whole report for one trust to ``console``."""
    g = _glyphs(console)
    header(assessment, console, g)
    unverified_seen = False
    for scheme in assessment.schemes:
        console.print()
        unverified_seen |= _scheme(scheme, console, g, only_gaps=only_gaps)
    if unverified_seen:
        console.print()
        console.print(Text(f"{g.unverified} {UNVERIFIED_LEGEND}.", style="italic"))


def header(assessment: Assessment, console: Console, g: Glyphs) -> None:
    a = assessment
    console.print(Text(f"{filled(a.trust.name)} ({filled(a.trust.ods_code)})", style="bold"))
    console.print(
        f"Period {a.period_start} to {a.period_end} {g.dash} assessed as of {a.assessed_as_of}",
        markup=False,
    )
    console.print(f"Submitted {filled(a.submitted_on)} by {filled(a.submitted_by)}", markup=False)
    if a.source:
        console.print(f"Evidence: {a.source}", markup=False)
    schemes = Text("Schemes: ")
    for i, s in enumerate(a.schemes):
        if i:
            schemes.append("; ")
        schemes.append(f"{s.id} ")
        schemes.append_text(status_text(s.status, g))
    console.print(schemes)
    verdict = Text("Verdict: ", style="bold")
    verdict.append_text(status_text(a.status, g, upper=True))
    console.print(verdict)


def _scheme(scheme: SchemeResult, console: Console, g: Glyphs, *, only_gaps: bool) -> bool:
    console.print(Text(f"{scheme.title}", style="bold underline"))
    console.print(f"{scheme.id} {g.dash} {scheme.version} {g.dash} {scheme.publisher}", markup=False, style="dim")
    line = status_text(scheme.status, g, upper=True)
    line.append(f": {clean(scheme.explanation)}", style="")
    console.print(line)
    if scheme.outcome:
        console.print(clean(scheme.outcome), markup=False)
    for p in scheme.parameter_overrides:
        console.print(
            f"Parameter override: {p.id} = {p.value}{' ' + p.unit if p.unit else ''} (default {p.default})",
            markup=False,
        )

    rows = [s for s in scheme.sections if not (only_gaps and not is_gap(s.status))]
    unverified = any(section_unverified(s) for s in scheme.sections)
    if rows:
        table = Table(box=_box(g), show_edge=False, pad_edge=False, expand=False)
        table.add_column("Section", no_wrap=True)
        table.add_column("Title", overflow="fold")
        table.add_column("Status", no_wrap=True)
        table.add_column("Met", justify="right", no_wrap=True)
        for sec in rows:
            mark = f" {g.unverified}" if section_unverified(sec) else ""
            judged = sum(v for k, v in sec.counts.items() if k != "not_applicable")
            title = section_title(sec.title, sec.in_outcome)
            table.add_row(
                sec.id + mark,
                title,
                status_text(sec.status, g),
                f"{sec.counts.get('met', 0)}/{judged}" if judged else g.symbols["not_applicable"],
            )
        console.print(table)

    gaps = [s for s in scheme.sections if is_gap(s.status) or any(is_gap(r.status) for r in s.requirements)]
    if not gaps:
        console.print("No gaps: every section is met or not applicable.")
    else:
        console.print()
        console.print(Text("Gaps", style="bold"))
        for sec in gaps:
            console.print(_gap_tree(sec, g))
    if scheme.action_plan_route and scheme.unmet_sections:
        console.print()
        console.print(Text("Action plan: ", style="bold") + Text(clean(scheme.action_plan_route)))
    return unverified


def _gap_tree(sec: SectionResult, g: Glyphs) -> Tree:
    head = Text(f"{g.symbols[sec.status]} {sec.id} {section_title(sec.title, sec.in_outcome)}", style="bold")
    head.append(f" {g.dash} ")
    head.append(WORDS[sec.status], style=STYLES[sec.status])
    tree = Tree(head, guide_style="dim")
    for req in sec.requirements:
        if is_gap(req.status):
            tree.add(_requirement(req, g))
    if sec.action_plan and sec.status == "not_met":
        tree.add(Text("Action plan must: ", style="bold") + Text(clean(sec.action_plan)))
    return tree


def bullets(items: list[str], g: Glyphs) -> Table:
    """A bulleted list whose wrapped lines hang under the text, not the bullet."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for item in items:
        grid.add_row(g.bullet, Text(item))
    return grid


def _requirement(req: RequirementResult, g: Glyphs) -> Group:
    head = Text(f"{g.symbols[req.status]} {req.id} {req.title}", style="bold")
    if req.rests_on_unverified:
        head.append(f" {g.unverified}")
    head.append(f" {g.dash} ")
    head.append(WORDS[req.status], style=STYLES[req.status])
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")

    def row(key: str, value: str) -> None:
        grid.add_row(key, Text(value))

    for leaf in req.measurements:
        if leaf.outcome == "false" or (leaf.outcome == "unknown" and leaf.display):
            row("Measured", leaf_line(leaf))
    if req.shortfall:
        row("Shortfall", clean(req.shortfall))
    if req.missing_evidence:
        row("Missing", ", ".join(req.missing_evidence))
    if req.records:
        shown = [f"{r.id}: {r.reason}" for r in req.records[:MAX_RECORDS]]
        if len(req.records) > MAX_RECORDS:
            shown.append(f"... and {len(req.records) - MAX_RECORDS} more")
        grid.add_row("Records", bullets(shown, g))
    if req.rests_on_unverified:
        unconfirmed = [p.id for p in req.parameters if p.status != "confirmed"]
        why = (
            f"unverified parameter(s) {', '.join(unconfirmed)}"
            if unconfirmed
            else f"a requirement whose status is {req.verification.replace('_', ' ')}"
        )
        row(g.unverified, f"Rests on {why}")
    row("Remediation", clean(req.remediation))
    return Group(head, Text(clean(req.explanation)), grid)
