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

from ..results import Assessment
from . import outline
from .outline import GapRequirement, GapSection, Outline, SchemeOutline
from .style import STYLES, Glyphs, clean, glyphs_for, label
from .wording import (
    ACTION_PLAN,
    GAPS,
    NO_GAPS,
    PARAMETER_OVERRIDE,
    UNVERIFIED_LEGEND,
    WORDS,
    rests_on,
)

__all__ = ["render", "render_outline", "render_text", "status_text", "make_console", "MAX_RECORDS"]

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
    render_outline(outline.build(assessment, only_gaps=only_gaps), console)


def render_outline(report: Outline, console: Console) -> None:
    """Lay out an outline already built (see :mod:`.outline`)."""
    g = _glyphs(console)
    header(report, console, g)
    for scheme in report.schemes:
        console.print()
        _scheme(scheme, console, g)
    if report.unverified:
        console.print()
        console.print(Text(f"{g.unverified} {UNVERIFIED_LEGEND}.", style="italic"))


def header(report: Outline, console: Console, g: Glyphs) -> None:
    a = report.assessment
    console.print(Text(f"{report.trust} ({report.ods_code})", style="bold"))
    console.print(
        f"Period {a.period_start} to {a.period_end} {g.dash} assessed as of {a.assessed_as_of}",
        markup=False,
    )
    console.print(f"Submitted {report.submitted_on} by {report.submitted_by}", markup=False)
    if a.source:
        console.print(f"Evidence: {a.source}", markup=False)
    schemes = Text("Schemes: ")
    for i, s in enumerate(report.schemes):
        if i:
            schemes.append("; ")
        schemes.append(f"{s.id} ")
        schemes.append_text(status_text(s.status, g))
    console.print(schemes)
    verdict = Text("Verdict: ", style="bold")
    verdict.append_text(status_text(report.status, g, upper=True))
    console.print(verdict)


def _scheme(scheme: SchemeOutline, console: Console, g: Glyphs) -> None:
    console.print(Text(f"{scheme.title}", style="bold underline"))
    console.print(f"{scheme.id} {g.dash} {scheme.version} {g.dash} {scheme.publisher}", markup=False, style="dim")
    line = status_text(scheme.status, g, upper=True)
    line.append(f": {clean(scheme.explanation)}", style="")
    console.print(line)
    if scheme.outcome:
        console.print(clean(scheme.outcome), markup=False)
    for p in scheme.overrides:
        console.print(
            f"{PARAMETER_OVERRIDE}: {p.id} = {p.value}{' ' + p.unit if p.unit else ''} (default {p.default})",
            markup=False,
        )

    if scheme.rows:
        table = Table(box=_box(g), show_edge=False, pad_edge=False, expand=False)
        table.add_column("Section", no_wrap=True)
        table.add_column("Title", overflow="fold")
        table.add_column("Status", no_wrap=True)
        table.add_column("Met", justify="right", no_wrap=True)
        for row in scheme.rows:
            mark = f" {g.unverified}" if row.unverified else ""
            table.add_row(
                row.id + mark,
                row.title,
                status_text(row.status, g),
                f"{row.met}/{row.judged}" if row.judged else g.symbols["not_applicable"],
            )
        console.print(table)

    if not scheme.gaps:
        console.print(NO_GAPS)
    else:
        console.print()
        console.print(Text(GAPS, style="bold"))
        for sec in scheme.gaps:
            console.print(_gap_tree(sec, g))
    if scheme.action_plan_route:
        console.print()
        console.print(Text(f"{ACTION_PLAN} ", style="bold") + Text(clean(scheme.action_plan_route)))


def _gap_tree(sec: GapSection, g: Glyphs) -> Tree:
    head = Text(f"{g.symbols[sec.status]} {sec.id} {sec.title}", style="bold")
    head.append(f" {g.dash} ")
    head.append(WORDS[sec.status], style=STYLES[sec.status])
    tree = Tree(head, guide_style="dim")
    for req in sec.requirements:
        tree.add(_requirement(req, g))
    if sec.action_plan:
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


def _requirement(req: GapRequirement, g: Glyphs) -> Group:
    head = Text(f"{g.symbols[req.status]} {req.id} {req.title}", style="bold")
    if req.unverified:
        head.append(f" {g.unverified}")
    head.append(f" {g.dash} ")
    head.append(WORDS[req.status], style=STYLES[req.status])
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")

    def row(key: str, value: str) -> None:
        grid.add_row(key, Text(value))

    for measured in req.measured:
        row("Measured", measured)
    if req.shortfall:
        row("Shortfall", clean(req.shortfall))
    if req.missing:
        row("Missing", ", ".join(req.missing))
    if req.records:
        shown = [f"{r.id}: {r.reason}" for r in req.records[:MAX_RECORDS]]
        if len(req.records) > MAX_RECORDS:
            shown.append(f"... and {len(req.records) - MAX_RECORDS} more")
        grid.add_row("Records", bullets(shown, g))
    if req.unverified:
        row(g.unverified, rests_on(req.unverified.parameters, req.unverified.verification))
    row("Remediation", clean(req.remediation))
    return Group(head, Text(clean(req.explanation)), grid)
