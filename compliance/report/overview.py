"""The overview across many trusts: one row per trust, one column per scheme, and the verdict."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..results import Assessment, filled
from .style import STYLES, WORDS, glyphs_for, label

__all__ = ["Cell", "Row", "scheme_ids", "rows", "render", "legend"]


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
            counted = [sec for sec in s.sections if sec.in_outcome]
            met = sum(1 for sec in counted if sec.status == "met")
            judged = sum(1 for sec in counted if sec.status != "not_applicable")
            cells.append(Cell(s.status, met, judged))
        yield Row(filled(a.trust.name), filled(a.trust.ods_code), a.source, a.status, tuple(cells))


def legend(symbols: dict[str, str]) -> str:
    keys = " ".join(f"{symbols[s]} {WORDS[s]};" for s in ("met", "not_met", "insufficient_evidence", "not_applicable"))
    return f"{keys} n/m: sections met of those judged (informative checks not counted); blank: not assessed."


def render(assessments: Sequence[Assessment], console: Console, *, only_gaps: bool = False) -> None:
    """One row per trust; schemes are numbered columns (the key is printed above) so it fits 80 columns."""
    g = glyphs_for(console.encoding)
    ids = scheme_ids(assessments)
    met = sum(1 for a in assessments if a.all_met)
    console.print(Text(f"Overview of {len(assessments)} trusts", style="bold"))
    console.print(f"{met} with every scheme met, {len(assessments) - met} with gaps.", markup=False)
    console.print("Schemes: " + "; ".join(f"[{i}] {sid}" for i, sid in enumerate(ids, 1)), markup=False)
    table = Table(box=box.SIMPLE_HEAD if g.symbols["met"] == "✔" else box.ASCII2, show_edge=False, pad_edge=False)
    table.add_column("Trust", overflow="fold", min_width=16, ratio=1)
    table.add_column("ODS", no_wrap=True)
    for i, _ in enumerate(ids, 1):
        table.add_column(f"[{i}]", no_wrap=True)
    table.add_column("Verdict", overflow="fold", min_width=10)
    shown = 0
    for row in rows(assessments, ids, only_gaps=only_gaps):
        shown += 1
        cells = [
            Text(f"{g.symbols[c.status]} {c.met}/{c.judged}", style=STYLES[c.status]) if c is not None else Text("")
            for c in row.cells
        ]
        table.add_row(row.name, row.ods, *cells, Text(label(row.status, g), style=STYLES[row.status]))
    if shown:
        console.print(table)
        console.print(legend(g.symbols), markup=False, style="dim")
    else:
        console.print("No trust has gaps.")
