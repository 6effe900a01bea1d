"""What changed between two assessments: newly met, newly unmet, other status changes, figures that moved.

Either side may be an assessment saved as JSON (``assess --format json``,
schema version 2) or an evidence file, which is assessed first.  Requirements
are matched by scheme id and requirement id; figures by requirement and the
measurement's description.  A requirement whose status stayed but whose
reason code changed (not met, but now late rather than below the threshold)
is listed too: reasons are compared as codes, never as sentences.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import InputError, Location, Problem, UsageError
from ..results import SCHEMA_VERSION, Assessment, LeafResult, filled
from ..source import read_input
from .markdown import escape
from .style import STYLES, WORDS, fmt_value, glyphs_for, is_gap
from .wording import DIFF_BLOCKS, NO_CHANGES, REASON_WORDS

if TYPE_CHECKING:  # pragma: no cover
    from .formats import Draw, Options

__all__ = [
    "StatusChange",
    "FigureChange",
    "Changes",
    "load_side",
    "compare",
    "render",
    "render_json",
    "render_markdown",
    "changes_terminal",
    "changes_json",
    "changes_markdown",
]


@dataclass(frozen=True, slots=True)
class StatusChange:
    scheme: str
    id: str
    title: str
    old: str | None
    new: str | None
    #: The requirement's reason codes on each side (None for a scheme, or a side without it).
    old_reason: str | None = None
    new_reason: str | None = None


@dataclass(frozen=True, slots=True)
class FigureChange:
    scheme: str
    requirement: str
    describe: str
    old: str
    new: str
    unit: str
    delta: float | None


@dataclass(slots=True)
class Changes:
    trust: str
    ods_code: str
    old_label: str
    new_label: str
    old_status: str
    new_status: str
    schemes: list[StatusChange] = field(default_factory=list)
    newly_met: list[StatusChange] = field(default_factory=list)
    newly_unmet: list[StatusChange] = field(default_factory=list)
    other: list[StatusChange] = field(default_factory=list)
    #: Same status, another reason code.
    reasons: list[StatusChange] = field(default_factory=list)
    figures: list[FigureChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.schemes or self.newly_met or self.newly_unmet or self.other or self.reasons or self.figures)


# ------------------------------------------------------------------ loading


def _looks_like_assessment(data: Any) -> bool:
    return isinstance(data, dict) and "schemes" in data and "trust" in data and "status" in data and "period_start" in data


def load_side(
    path: str, *, schemes: Sequence[Any] | None = None, params: dict[str, Any] | None = None, today: dt.date | None = None
) -> Assessment:
    """An assessment from a saved JSON assessment, or by assessing an evidence file."""
    p = Path(path)
    data: Any = None
    if p.suffix.lower() == ".json" and p.is_file():
        try:
            data = json.loads(read_input(p, error=UsageError).decode("utf-8"))  # within the size limit
        except (ValueError, UnicodeDecodeError):
            data = None  # let the evidence loader report it with its position
    if isinstance(data, list) and data and all(_looks_like_assessment(d) for d in data):
        if len(data) != 1:
            raise UsageError(
                [Problem("U030", f"{path} holds {len(data)} assessments; diff compares one trust at a time", Location(path))]
            )
        data = data[0]
    if _looks_like_assessment(data):
        from pydantic import ValidationError

        version = str(data.get("schema_version", ""))
        if version != SCHEMA_VERSION:
            hint = " (saved before reasons became codes: assess its evidence again, or save it again with this version)" if version == "1" else ""
            raise InputError(
                [
                    Problem(
                        "U031",
                        f"assessment schema_version {version!r} is not {SCHEMA_VERSION!r}{hint}",
                        Location(path, path=("schema_version",)),
                        expected=SCHEMA_VERSION,
                    )
                ]
            )
        try:
            return Assessment.model_validate(data)
        except ValidationError as exc:
            problems = [
                Problem("U032", f"not a valid assessment: {e['msg']}", Location(path, path=tuple(e["loc"])))
                for e in exc.errors(include_url=False)[:10]
            ]
            raise InputError(problems) from None
    from .. import assess, load_evidence

    assessment = assess(load_evidence(p, today=today), schemes=list(schemes) if schemes else None, params=params)
    if assessment.source is None:
        assessment = assessment.model_copy(update={"source": str(path)})
    return assessment


# ------------------------------------------------------------------ comparing


def _label(a: Assessment) -> str:
    where = a.source or "(evidence)"
    return f"{where} (period {a.period_start} to {a.period_end}, as of {a.assessed_as_of})"


def compare(old: Assessment, new: Assessment) -> Changes:
    ch = Changes(
        trust=filled(new.trust.name),
        ods_code=filled(new.trust.ods_code),
        old_label=_label(old),
        new_label=_label(new),
        old_status=old.status,
        new_status=new.status,
    )
    if old.trust.ods_code != new.trust.ods_code:
        ch.notes.append(f"the two sides are different trusts: {filled(old.trust.ods_code)} and {filled(new.trust.ods_code)}")
    old_schemes = {s.id: s for s in old.schemes}
    new_schemes = {s.id: s for s in new.schemes}
    for sid in sorted(set(old_schemes) | set(new_schemes)):
        so, sn = old_schemes.get(sid), new_schemes.get(sid)
        if so is None or sn is None or so.status != sn.status:
            title = (sn or so).title  # type: ignore[union-attr]
            ch.schemes.append(StatusChange(sid, sid, title, so.status if so else None, sn.status if sn else None))
        if so is not None and sn is not None and so.version != sn.version:
            ch.notes.append(f"{sid}: scheme version changed from {so.version} to {sn.version}")
    old_reqs = {(s.id, r.id): r for s in old.schemes for sec in s.sections for r in sec.requirements}
    new_order = [(s.id, r.id) for s in new.schemes for sec in s.sections for r in sec.requirements]
    new_reqs = {(s.id, r.id): r for s in new.schemes for sec in s.sections for r in sec.requirements}
    order = new_order + sorted(k for k in old_reqs if k not in new_reqs)
    for key in order:
        o, n = old_reqs.get(key), new_reqs.get(key)
        title = (n or o).title  # type: ignore[union-attr]
        os_, ns = (o.status if o else None), (n.status if n else None)
        oreason, nreason = (o.reason.code if o else None), (n.reason.code if n else None)
        if os_ == ns and oreason != nreason and os_ is not None and is_gap(os_):
            ch.reasons.append(StatusChange(key[0], key[1], title, os_, ns, oreason, nreason))
        if os_ != ns:
            change = StatusChange(key[0], key[1], title, os_, ns, oreason, nreason)
            if ns == "met" and (os_ is None or is_gap(os_)):
                ch.newly_met.append(change)
            elif ns is not None and is_gap(ns) and os_ in (None, "met", "not_applicable"):
                ch.newly_unmet.append(change)
            else:
                ch.other.append(change)
        if o is not None and n is not None:
            ch.figures.extend(_figures(key[0], o, n))
    return ch


def _figures(scheme: str, o: Any, n: Any) -> list[FigureChange]:
    out = []
    old_leaves: dict[str, Any] = {}
    for leaf in o.measurements:
        old_leaves.setdefault(leaf.describe, leaf)
    for leaf in n.measurements:
        before = old_leaves.get(leaf.describe)
        if before is None:
            continue
        numeric = isinstance(leaf.value, (int, float)) and not isinstance(leaf.value, bool)
        if before.value == leaf.value and (not numeric or before.display == leaf.display):
            continue
        delta = None
        if isinstance(leaf.value, (int, float)) and isinstance(before.value, (int, float)) and not isinstance(leaf.value, bool) and not isinstance(before.value, bool):
            delta = round(float(leaf.value) - float(before.value), 4)
        out.append(
            FigureChange(
                scheme,
                n.id,
                leaf.describe,
                before.display or _value(before),
                leaf.display or _value(leaf),
                leaf.unit,
                delta,
            )
        )
    return out


def _value(leaf: LeafResult) -> str:
    if leaf.value is not None:
        return fmt_value(leaf.value)
    return "not applicable" if leaf.outcome == "not_applicable" else "not submitted"


def _delta(f: FigureChange) -> str:
    if f.delta is None or f.delta == 0:
        return ""
    sign = "+" if f.delta > 0 else "−"
    unit = f.unit if f.unit == "%" else (f" {f.unit}" if f.unit else "")
    if unit == "%":
        unit = " points"
    return f"{sign}{fmt_value(abs(f.delta))}{unit}"


# ------------------------------------------------------------------ rendering


def _blocks(ch: Changes) -> tuple[tuple[str, list[StatusChange]], ...]:
    return (("schemes", ch.schemes), ("newly_met", ch.newly_met), ("newly_unmet", ch.newly_unmet), ("other", ch.other), ("reasons", ch.reasons))


def _word(status: str | None) -> str:
    return WORDS[status] if status else "absent"


def _why(status: str | None, reason: str | None) -> str:
    """`` (late)``: a gap's reason code in words, beside its status."""
    return f" ({REASON_WORDS[reason]})" if reason and status and is_gap(status) else ""


def render(ch: Changes, console: Console) -> None:
    g = glyphs_for(console.encoding)

    def sym(status: str | None) -> str:
        return g.symbols[status] if status else " "

    console.print(Text(f"Changes for {ch.trust} ({ch.ods_code})", style="bold"))
    console.print(f"Old: {ch.old_label}", markup=False)
    console.print(f"New: {ch.new_label}", markup=False)
    verdict = Text("Verdict: ", style="bold")
    verdict.append(f"{sym(ch.old_status)} {_word(ch.old_status)}", style=STYLES[ch.old_status])
    verdict.append(f" {g.arrow} ")
    verdict.append(f"{sym(ch.new_status)} {_word(ch.new_status)}", style=STYLES[ch.new_status])
    console.print(verdict)
    for note in ch.notes:
        console.print(f"Note: {note}", markup=False, style="italic")
    if ch.empty:
        console.print()
        console.print(NO_CHANGES)
        return

    def status_block(title: str, items: list[StatusChange]) -> None:
        if not items:
            return
        console.print()
        console.print(Text(f"{title} ({len(items)})", style="bold"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for c in items:
            line = Text(f"{c.title}: ")
            line.append(f"{sym(c.old)} {_word(c.old)}{_why(c.old, c.old_reason)}", style=STYLES.get(c.old or "", ""))
            line.append(f" {g.arrow} ")
            line.append(f"{sym(c.new)} {_word(c.new)}{_why(c.new, c.new_reason)}", style=STYLES.get(c.new or "", ""))
            grid.add_row(f"  {c.id}", line)
        console.print(grid)

    for key, items in _blocks(ch):
        status_block(DIFF_BLOCKS[key], items)
    if ch.figures:
        console.print()
        console.print(Text(f"{DIFF_BLOCKS['figures']} ({len(ch.figures)})", style="bold"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for f in ch.figures:
            d = _delta(f)
            grid.add_row(f"  {f.requirement}", f"{f.describe}: {f.old} {g.arrow} {f.new}" + (f" ({d})" if d else ""))
        console.print(grid)


def render_json(ch: Changes) -> str:
    data = {"schema_version": SCHEMA_VERSION, "kind": "diff", **asdict(ch)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_markdown(ch: Changes) -> str:
    g = glyphs_for("utf-8")

    def st(status: str | None, reason: str | None = None) -> str:
        return f"{g.symbols[status]} {WORDS[status]}{_why(status, reason)}" if status else "absent"

    lines = [
        f"# Changes for {escape(ch.trust)} ({escape(ch.ods_code)})",
        "",
        f"- Old: {escape(ch.old_label)}",
        f"- New: {escape(ch.new_label)}",
        f"- Verdict: {st(ch.old_status)} {g.arrow} {st(ch.new_status)}",
    ]
    lines += [f"- Note: {escape(n)}" for n in ch.notes]
    lines.append("")
    if ch.empty:
        lines += [NO_CHANGES, ""]
    for key, items in _blocks(ch):
        title = DIFF_BLOCKS[key]
        if items:
            lines += [f"## {title} ({len(items)})", "", "| Id | Title | Was | Now |", "|---|---|---|---|"]
            lines += [f"| {escape(c.id)} | {escape(c.title)} | {st(c.old, c.old_reason)} | {st(c.new, c.new_reason)} |" for c in items]
            lines.append("")
    if ch.figures:
        lines += [f"## {DIFF_BLOCKS['figures']} ({len(ch.figures)})", "", "| Requirement | Figure | Was | Now | Change |", "|---|---|---|---|---|"]
        lines += [f"| {escape(f.requirement)} | {escape(f.describe)} | {escape(f.old)} | {escape(f.new)} | {_delta(f)} |" for f in ch.figures]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"

# ------------------------------------------------------------------ as a registered format (see .formats)


def changes_terminal(ch: Changes, options: Options) -> Draw:
    return lambda console: render(ch, console)


def changes_json(ch: Changes, options: Options) -> str:
    return render_json(ch)


def changes_markdown(ch: Changes, options: Options) -> str:
    return render_markdown(ch)
