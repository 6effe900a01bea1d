"""The terminal views: the report (header, a summary table per scheme, a tree of gaps, the legend),
the board-champion challenge view, and the overview across trusts.

Writes to a rich ``Console`` it is given (the CLI owns the one that prints);
:func:`render_text` captures the report as a string.  Every status is a
symbol and words, so the output reads the same without colour, and it is laid
out for 80 columns.  What is shown comes from the analyses: the report from
:mod:`.outline`, the challenge view from :mod:`.challenge`, the overview from
:mod:`.overview`; this module only lays them out.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from ..errors import visible
from ..results import Assessment, filled
from . import challenge, outline, overview
from .challenge import SectionChallenge
from .outline import GapRequirement, GapSection, Outline, SchemeOutline
from .style import STYLES, Glyphs, clean, glyphs_for, label
from .wording import (
    SIGNALS,
    signal_line,
    with_signals,
    ACTION_PLAN,
    ACTION_PLAN_MUST_LABEL,
    MISSING,
    REMEDIATION,
    CHALLENGE,
    GAPS,
    NO_GAPS,
    NO_TRUST_HAS_GAPS,
    NO_WEAKNESSES,
    NOTHING_TO_CHALLENGE,
    OVERVIEW_KEY,
    PARAMETER_OVERRIDE,
    QUESTIONS,
    UNVERIFIED_LEGEND,
    WEAKNESSES,
    WORDS,
    overview_tally,
    overview_title,
    rests_on,
)

if TYPE_CHECKING:  # pragma: no cover
    from .formats import Draw, Options

__all__ = [
    "render",
    "render_outline",
    "render_text",
    "render_challenge",
    "render_overview",
    "render_challenges",
    "assessment_terminal",
    "assessments_terminal",
    "challenge_terminal",
    "challenges_terminal",
    "status_text",
    "make_console",
    "SafeConsole",
    "MAX_RECORDS",
]

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


class SafeConsole(Console):
    """A rich console that never passes a control character from the text it is given to the terminal.

    Text from evidence and schemes (a trust's name, a case id, a document title)
    may hold ESC (which starts terminal commands: ``\\x1b]0;`` retitles the window,
    ``\\x1b[2J`` clears it), NUL or a right-to-left override (U+202E), which hides
    what follows.  Each is shown as a visible escape (:func:`~compliance.errors.visible`):
    strings as they become rich text (so tables are laid out with the escape's
    width), and every segment again as it is written, for text built any other way.
    Rich's own control codes (colours, cursor moves) are segments of their own and pass.
    """

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(visible(text), **kwargs)

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            segment if segment.control else Segment(visible(segment.text), segment.style, segment.control) for segment in buffer
        )


def make_console(*, width: int = 80, color: bool = False, encoding: str = "utf-8") -> Console:
    """A console that captures deterministically: fixed width, colour only if asked, no environment."""
    return SafeConsole(
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
    if report.signals:
        verdict.append(with_signals("", len(report.signals)), style="bold")
    console.print(verdict)
    if report.signals:
        console.print(Text(f"{SIGNALS}:", style="bold"))
        console.print(bullets([clean(signal_line(sig)) for sig in report.signals], g))


def _scheme(scheme: SchemeOutline, console: Console, g: Glyphs) -> None:
    console.print(Text(f"{scheme.title}", style="bold underline"))
    console.print(f"{scheme.id} {g.dash} {scheme.version} {g.dash} {scheme.publisher}", markup=False, style="dim")
    if scheme.version_chosen:
        console.print(clean(scheme.version_chosen), markup=False)
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
        # Status first, then the section with its title in one column: titles wrap once, not thrice.
        table = Table(box=_box(g), show_edge=False, pad_edge=False, expand=False)
        table.add_column("Status", no_wrap=True)
        table.add_column("Met", justify="right", no_wrap=True)
        table.add_column("Section", overflow="fold")
        for row in scheme.rows:
            mark = f" {g.unverified}" if row.unverified else ""
            section = Text(row.id + mark, style="bold")
            section.append(f" {row.title}", style="")
            table.add_row(
                status_text(row.status, g),
                f"{row.met}/{row.judged}" if row.judged else g.symbols["not_applicable"],
                section,
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


def _gap_tree(sec: GapSection, g: Glyphs) -> Group:
    """A gap section: its id and status (its title is in the summary table above), its gaps, its action plan."""
    head = Text(f"{g.symbols[sec.status]} {sec.id} {g.dash} ", style="bold")
    head.append(WORDS[sec.status], style=STYLES[sec.status])
    if sec.action_plan:  # on the section's own line: what its plan must say, once
        head.append(f". {ACTION_PLAN_MUST_LABEL} ", style="bold")
        head.append(clean(sec.action_plan))
    parts: list[RenderableType] = [head]
    for req in sec.requirements:
        parts.append(Padding(_requirement(req, g, sec.status), (0, 0, 0, 2)))
    return Group(*parts)


def bullets(items: list[str], g: Glyphs) -> Table:
    """A bulleted list whose wrapped lines hang under the text, not the bullet."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for item in items:
        grid.add_row(g.bullet, Text(item))
    return grid


def _requirement(req: GapRequirement, g: Glyphs, section_status: str) -> Group:
    """A gap, each fact once: what decided it (reason, figure, threshold, shortfall), its records, the fix.

    Its status in words only when it differs from its section's, said on the line above.
    """
    head = Text(f"{g.symbols[req.status]} {req.id} {req.title}", style="bold")
    if req.unverified:
        head.append(f" {g.unverified}")
    if req.status != section_status:
        head.append(f" {g.dash} ")
        head.append(WORDS[req.status], style=STYLES[req.status])
    body: list[RenderableType] = [Text(clean(f)) for f in req.findings]
    if req.missing:
        body.append(Text(f"{MISSING}: " + ", ".join(req.missing)))
    if req.records:
        shown = list(req.record_lines[:MAX_RECORDS])
        if len(req.records) > MAX_RECORDS:
            shown.append(f"... and {len(req.records) - MAX_RECORDS} more")
        body.append(bullets(shown, g))
    fix = Text(f"{REMEDIATION}: ", style="bold") + Text(clean(req.remediation))
    if req.unverified:  # one paragraph with the fix: a line of its own would mostly be white
        fix.append(f" {g.unverified} " + rests_on(req.unverified.parameters, req.unverified.verification) + ".")
    body.append(fix)
    return Group(head, Padding(Group(*body), (0, 0, 0, 2)))


# ------------------------------------------------------------------ the challenge view


def render_challenge(assessment: Assessment, console: Console, *, only_gaps: bool = False) -> None:
    """The board-champion view for one trust: per section, the questions to ask and the weaknesses found."""
    g = _glyphs(console)
    a = assessment
    console.print(Text(f"{CHALLENGE}: {filled(a.trust.name)} ({filled(a.trust.ods_code)})", style="bold"))
    console.print(f"Period {a.period_start} to {a.period_end} {g.dash} assessed as of {a.assessed_as_of}", markup=False)
    verdict = Text("Verdict: ", style="bold")
    verdict.append(f"{g.symbols[a.status]} {WORDS[a.status]}".upper(), style=STYLES[a.status])
    console.print(verdict)
    items = challenge.build(assessment, only_gaps=only_gaps)
    if not items:
        console.print()
        console.print(NOTHING_TO_CHALLENGE)
    scheme = None
    for item in items:
        if item.scheme_id != scheme:
            scheme = item.scheme_id
            console.print()
            console.print(Text(item.scheme_title, style="bold underline"))
        _challenge_section(item, console, g)


def _challenge_section(item: SectionChallenge, console: Console, g: Glyphs) -> None:
    sec = item.section
    console.print()
    head = Text(f"{g.symbols[sec.status]} {sec.id} {sec.title} {g.dash} ", style="bold")
    head.append(WORDS[sec.status], style=STYLES[sec.status])
    console.print(head)
    if item.questions:
        console.print(Text(f"  {QUESTIONS}", style="bold"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, justify="right")
        grid.add_column(overflow="fold")
        for i, q in enumerate(item.questions, 1):
            grid.add_row(f"    {i}.", q)
        console.print(grid)
    if item.weaknesses:
        console.print(Text(f"  {WEAKNESSES}", style="bold"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for w in item.weaknesses:
            grid.add_row(Text(f"    {g.bullet} {w.word}", style="bold"), Text(w.line))
        console.print(grid)
    else:
        console.print(f"  {NO_WEAKNESSES}")


# ------------------------------------------------------------------ many trusts


def _overview_legend(symbols: dict[str, str]) -> str:
    keys = " ".join(f"{symbols[s]} {WORDS[s]};" for s in ("met", "not_met", "insufficient_evidence", "not_applicable"))
    return f"{keys} {OVERVIEW_KEY}; blank: not assessed."


def render_overview(assessments: Sequence[Assessment], console: Console, *, only_gaps: bool = False) -> None:
    """One row per trust; schemes are numbered columns (the key is printed above) so it fits 80 columns."""
    g = _glyphs(console)
    ids = overview.scheme_ids(assessments)
    met = sum(1 for a in assessments if a.all_met)
    console.print(Text(overview_title(len(assessments)), style="bold"))
    console.print(overview_tally(len(assessments), met), markup=False)
    console.print("Schemes: " + "; ".join(f"[{i}] {sid}" for i, sid in enumerate(ids, 1)), markup=False)
    table = Table(box=_box(g), show_edge=False, pad_edge=False)
    table.add_column("Trust", overflow="fold", min_width=16, ratio=1)
    table.add_column("ODS", no_wrap=True)
    for i, _ in enumerate(ids, 1):
        table.add_column(f"[{i}]", no_wrap=True)
    table.add_column("Verdict", overflow="fold", min_width=10)
    shown = 0
    for row in overview.rows(assessments, ids, only_gaps=only_gaps):
        shown += 1
        cells = [
            Text(f"{g.symbols[c.status]} {c.met}/{c.judged}", style=STYLES[c.status]) if c is not None else Text("")
            for c in row.cells
        ]
        table.add_row(row.name, row.ods, *cells, Text(label(row.status, g), style=STYLES[row.status]))
    if shown:
        console.print(table)
        console.print(_overview_legend(g.symbols), markup=False, style="dim")
    else:
        console.print(NO_TRUST_HAS_GAPS)


def render_challenges(assessments: Sequence[Assessment], console: Console, *, only_gaps: bool = False) -> None:
    """The overview across trusts, then each trust's challenge view."""
    render_overview(assessments, console, only_gaps=only_gaps)
    for a in assessments:
        console.print()
        render_challenge(a, console, only_gaps=only_gaps)

# ------------------------------------------------------------------ as a registered format (see .formats)


def assessment_terminal(assessment: Assessment, options: Options) -> Draw:
    def draw(console: Console) -> None:
        render(assessment, console, only_gaps=options.only_gaps)

    return draw


def assessments_terminal(assessments: Sequence[Assessment], options: Options) -> Draw:
    def draw(console: Console) -> None:
        render_overview(assessments, console, only_gaps=options.only_gaps)

    return draw


def challenge_terminal(assessment: Assessment, options: Options) -> Draw:
    def draw(console: Console) -> None:
        render_challenge(assessment, console, only_gaps=options.only_gaps)

    return draw


def challenges_terminal(assessments: Sequence[Assessment], options: Options) -> Draw:
    def draw(console: Console) -> None:
        render_challenges(assessments, console, only_gaps=options.only_gaps)

    return draw
