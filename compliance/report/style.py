"""What every renderer shares: status words and symbols, the unverified marker, small formatters.

Meaning never rests on colour alone: every status is shown as a symbol *and*
words (``✔ met``, ``✘ not met``, ``? insufficient evidence``, ``– not
applicable``).  Where the output cannot carry those symbols (an ASCII-only
terminal) :data:`ASCII` gives plain stand-ins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..results import (
        Assessment,
        LeafResult,
        ParameterUse,
        RequirementResult,
        SchemeResult,
        SectionResult,
    )

__all__ = [
    "STATUSES",
    "WORDS",
    "STYLES",
    "Glyphs",
    "UNICODE",
    "ASCII",
    "glyphs_for",
    "clean",
    "is_gap",
    "label",
    "counts_text",
    "fmt_value",
    "fmt_param",
    "leaf_line",
    "requirement_gaps",
    "section_unverified",
    "iter_requirements",
    "UNVERIFIED_LEGEND",
]

#: Worst first, as in :data:`compliance.results.STATUS_ORDER`.
STATUSES = ("not_met", "insufficient_evidence", "met", "not_applicable")

WORDS = {
    "met": "met",
    "not_met": "not met",
    "insufficient_evidence": "insufficient evidence",
    "not_applicable": "not applicable",
}

#: rich styles; decoration only, the words carry the meaning.
STYLES = {
    "met": "green",
    "not_met": "bold red",
    "insufficient_evidence": "yellow",
    "not_applicable": "dim",
}

#: CSS classes for the HTML report.
CSS = {
    "met": "met",
    "not_met": "not-met",
    "insufficient_evidence": "insufficient",
    "not_applicable": "na",
}

UNVERIFIED_LEGEND = (
    "rests on a requirement or parameter not yet confirmed against its source document"
)


@dataclass(frozen=True, slots=True)
class Glyphs:
    symbols: dict[str, str]
    unverified: str
    bullet: str
    dash: str
    arrow: str


UNICODE = Glyphs(
    symbols={"met": "✔", "not_met": "✘", "insufficient_evidence": "?", "not_applicable": "–"},
    unverified="†",
    bullet="•",
    dash="—",
    arrow="→",
)

ASCII = Glyphs(
    symbols={"met": "+", "not_met": "x", "insufficient_evidence": "?", "not_applicable": "-"},
    unverified="(u)",
    bullet="*",
    dash="-",
    arrow="->",
)


def glyphs_for(encoding: str | None) -> Glyphs:
    """Unicode symbols when the output encoding can carry them, ASCII otherwise."""
    enc = (encoding or "utf-8").lower().replace("_", "-")
    return UNICODE if enc.startswith("utf") else ASCII


def clean(text: str | None) -> str:
    """Scheme prose as one paragraph: YAML folding leaves newlines and double spaces behind."""
    return " ".join((text or "").split())


def is_gap(status: str) -> bool:
    return status in ("not_met", "insufficient_evidence")


def label(status: str, glyphs: Glyphs = UNICODE) -> str:
    """``✘ not met``: symbol and words together."""
    return f"{glyphs.symbols[status]} {WORDS[status]}"


def counts_text(counts: dict[str, int], noun: str = "") -> str:
    """``8 of 10 met, 1 not met, 1 insufficient evidence`` from a counts mapping (zeros left out)."""
    judged = sum(v for k, v in counts.items() if k != "not_applicable")
    parts = [f"{counts.get('met', 0)} of {judged}{' ' + noun if noun else ''} met"]
    for status in ("not_met", "insufficient_evidence", "not_applicable"):
        n = counts.get(status, 0)
        if n:
            parts.append(f"{n} {WORDS[status]}")
    return ", ".join(parts)


def fmt_value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def fmt_param(p: ParameterUse) -> str:
    """``MIS.Y3.SA1.b.coverage = 95 % (unconfirmed; overridden, default 90)``."""
    unit = f" {p.unit}" if p.unit else ""
    extra = p.status.replace("_", " ")
    if p.overridden:
        extra += f"; overridden, default {fmt_value(p.default)}"
    return f"{p.id} = {fmt_value(p.value)}{unit} ({extra})"


def needs_text(leaf: LeafResult) -> str | None:
    """What the rule needs, in words: ``at least 95%``, ``<= 0 windows missed``; ``None`` if unknown."""
    shown = leaf.threshold_display
    if shown and "None" not in shown:
        # Engines may word the comparison themselves ("at least 95%"); keep an operator only for bare numbers.
        return shown if not shown[:1].isdigit() and not shown.startswith(("-", "+", ".")) else f"{leaf.comparison} {shown}"
    if leaf.threshold is None:
        return None
    unit = "%" if leaf.unit == "%" else f" {leaf.unit}" if leaf.unit else ""
    return f"{leaf.comparison} {fmt_value(leaf.threshold)}{unit}"


def leaf_line(leaf: LeafResult) -> str:
    """``reviews started within two months: 88.9% (24 of 27); needs at least 95%``."""
    if leaf.display:
        shown = leaf.display
    elif leaf.value is not None:
        shown = fmt_value(leaf.value)
    else:
        shown = "not submitted" if leaf.missing else "unknown"
    text = f"{leaf.describe}: {shown}"
    needs = needs_text(leaf)
    if needs is not None:
        text += f"; needs {needs}"
    return text


def is_informative_title(title: str) -> bool:
    low = title.lower()
    return "informative" in low or "for information" in low


def section_title(title: str, in_outcome: bool) -> str:
    """The title, marked informative when it does not decide the outcome (unless it says so already)."""
    if in_outcome or is_informative_title(title):
        return title
    return f"{title} (informative)"


def iter_requirements(assessment: Assessment) -> Iterator[tuple[SchemeResult, SectionResult, RequirementResult]]:
    for scheme in assessment.schemes:
        for section in scheme.sections:
            for req in section.requirements:
                yield scheme, section, req


def requirement_gaps(section: SectionResult) -> list[RequirementResult]:
    return [r for r in section.requirements if is_gap(r.status)]


def section_unverified(section: SectionResult) -> bool:
    return any(r.rests_on_unverified for r in section.requirements)


def any_unverified(items: Iterable[RequirementResult]) -> bool:
    return any(r.rests_on_unverified for r in items)
