"""The overview across many trusts: one row per trust, one column per scheme, and the verdict.

An analysis, like :mod:`.challenge`: it says what the overview shows; the
terminal, Markdown and HTML renderers lay it out
(:func:`.terminal.render_overview`, :func:`.markdown.render_many`,
:func:`.html.render_many`).  It reads only the sections' statuses, so it works
on the slim assessments a large batch keeps.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..results import Assessment, filled
from .outline import headline_counts

__all__ = ["Cell", "Row", "scheme_ids", "rows"]


@dataclass(frozen=True, slots=True)
class Cell:
    status: str
    met: int
    judged: int


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    ods: str
    source: str | None
    status: str
    cells: tuple[Cell | None, ...]


def scheme_ids(assessments: Sequence[Assessment]) -> list[str]:
    """Every scheme assessed for any trust, in first-seen order."""
    ids: list[str] = []
    for a in assessments:
        for s in a.schemes:
            if s.id not in ids:
                ids.append(s.id)
    return ids


def rows(assessments: Sequence[Assessment], ids: Sequence[str], *, only_gaps: bool = False) -> Iterator[Row]:
    for a in assessments:
        if only_gaps and a.all_met:
            continue
        cells: list[Cell | None] = []
        for sid in ids:
            try:
                s = a.scheme(sid)
            except KeyError:
                cells.append(None)
                continue
            cells.append(Cell(s.status, *headline_counts(s)))
        yield Row(filled(a.trust.name), filled(a.trust.ods_code), a.source, a.status, tuple(cells))
