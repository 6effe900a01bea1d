"""What every renderer shares: status symbols and colours, the unverified marker, small formatters.

Meaning never rests on colour alone: every status is shown as a symbol *and*
words (``✔ met``, ``✘ not met``, ``? insufficient evidence``, ``– not
applicable``).  Where the output cannot carry those symbols (an ASCII-only
terminal) :data:`ASCII` gives plain stand-ins.

The words themselves (status words, the sentences every report says, how a
measurement is worded) live in :mod:`.wording`; the names re-exported here
from it keep their old home working.
"""

from __future__ import annotations

from dataclasses import dataclass

from .wording import (
    UNVERIFIED_LEGEND,
    WORDS,
    fmt_value,
    is_informative_title,
    leaf_line,
    needs_text,
    section_title,
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
    "fmt_value",
    "needs_text",
    "leaf_line",
    "is_informative_title",
    "section_title",
    "UNVERIFIED_LEGEND",
    "CSS",
]

#: Worst first, as in :data:`compliance.results.STATUS_ORDER`.
STATUSES = ("not_met", "insufficient_evidence", "met", "not_applicable")

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
