"""``compliance assess EVIDENCE --scheme mis-y3 --scheme mis-y4 --compare``: one trust's verdicts under two versions.

**Stage:** a view of one :class:`~compliance.results.Assessment` that holds two
versions of a family.  :func:`compare` pairs their sections by key (``SA6``:
the section id without the version's prefix) and, where the verdicts differ,
names the requirements that make the difference ("SA6: met under MIS Year 3;
not met under MIS Year 4 because MIS-Y4-SA6.b ... is not met").  Terminal,
Markdown and JSON lay it out; the English is in :mod:`.wording`.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import Location, Problem, UsageError
from ..results import Assessment, SchemeResult, SectionResult
from . import wording as w
from .markdown import code, escape
from .style import UNICODE, Glyphs, clean, glyphs_for, label

__all__ = ["Row", "Comparison", "compare", "render_terminal", "render_markdown", "to_json"]


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    title: str
    old_id: str | None
    new_id: str | None
    old_status: str | None
    new_status: str | None
    in_outcome: bool
    #: Where the verdicts differ: the sentence saying so, naming the requirements that differ.
    difference: str | None


@dataclass(frozen=True, slots=True)
class Comparison:
    trust: str
    old: str
    new: str
    old_label: str
    new_label: str
    old_status: str
    new_status: str
    old_version_chosen: str | None
    new_version_chosen: str | None
    rows: tuple[Row, ...]


def _prefix(s: SchemeResult) -> str:
    common = os.path.commonprefix([sec.id for sec in s.sections])
    cut = common.rfind("-")
    return common[: cut + 1] if cut >= 0 else ""


def _label(s: SchemeResult) -> str:
    # The label is the start of the version line ("Version MIS Year 4 (2021/22), ..."); else the id.
    why = s.version_chosen or ""
    return why[len("Version "):].split(",", 1)[0] if why.startswith("Version ") else s.id


def _why(sec: SectionResult) -> str:
    worst = [r for r in sec.requirements if r.status in ("not_met", "insufficient_evidence")]
    return "; ".join(f"{r.id} ({r.title}) is {w.WORDS[r.status]}" for r in worst)


def compare(assessment: Assessment, old_id: str, new_id: str) -> Comparison:
    """The two schemes' sections side by side, in the new version's order, then what only the old has."""
    ids = [s.id for s in assessment.schemes]
    for sid in (old_id, new_id):
        if sid not in ids:
            raise UsageError([Problem("U061", f"--compare: '{sid}' was not assessed", Location("--scheme"), expected="two --scheme options, the older version first")])
    old, new = assessment.scheme(old_id), assessment.scheme(new_id)
    po, pn = _prefix(old), _prefix(new)
    olds = {sec.id[len(po):]: sec for sec in old.sections}
    news = {sec.id[len(pn):]: sec for sec in new.sections}
    ol, nl = _label(old), _label(new)
    rows: list[Row] = []
    for key in [*news, *(k for k in olds if k not in news)]:
        o, n = olds.get(key), news.get(key)
        difference = None
        if o is not None and n is not None and o.status != n.status:
            worse = n if n.status in ("not_met", "insufficient_evidence") else o
            difference = w.compare_line(key, ol, o.status, nl, n.status, _why(worse) or None)
        either = n if n is not None else o
        title = either.title if either is not None else key
        rows.append(Row(key, title, o.id if o else None, n.id if n else None, o.status if o else None, n.status if n else None,
                        bool((n and n.in_outcome) or (o and o.in_outcome)), difference))
    return Comparison(assessment.trust.name or "", old_id, new_id, ol, nl, old.status, new.status, old.version_chosen, new.version_chosen, tuple(rows))


def _cell(status: str | None, g: Glyphs = UNICODE) -> str:
    return label(status, g) if status else w.DIFF_NONE


def render_terminal(c: Comparison, console: Console) -> None:
    g = glyphs_for(console.encoding)
    console.print(Text(w.compare_heading(c.old_label, c.new_label), style="bold"))
    console.print(clean(c.trust), markup=False)
    for why in (c.old_version_chosen, c.new_version_chosen):
        if why:
            console.print(clean(why), markup=False)
    table = Table(box=box.ASCII2 if g.dash == "-" else box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    for i, col in enumerate(w.COMPARE_COLUMNS):
        table.add_column(col.format(old=c.old, new=c.new), no_wrap=i != 1, overflow="fold")
    table.add_row(w.COMPARE_OUTCOME, w.COMPARE_OUTCOME_TITLE, _cell(c.old_status, g), _cell(c.new_status, g))
    for r in c.rows:
        table.add_row(r.key, clean(r.title), _cell(r.old_status, g), _cell(r.new_status, g))
    console.print(table)
    diffs = [r.difference for r in c.rows if r.difference]
    if not diffs:
        console.print(w.COMPARE_SAME)
    for d in diffs:
        console.print(f"{g.bullet} {clean(d)}", markup=False)


def render_markdown(c: Comparison) -> str:
    head = [col.format(old=code(c.old), new=code(c.new)) for col in w.COMPARE_COLUMNS]
    lines = [f"# {escape(w.compare_heading(c.old_label, c.new_label))}", "", escape(c.trust), ""]
    lines += [escape(why) + "  " for why in (c.old_version_chosen, c.new_version_chosen) if why]
    lines += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines.append(f"| {w.COMPARE_OUTCOME} | {w.COMPARE_OUTCOME_TITLE} | {_cell(c.old_status)} | {_cell(c.new_status)} |")
    for r in c.rows:
        lines.append(f"| {escape(r.key)} | {escape(r.title)} | {_cell(r.old_status)} | {_cell(r.new_status)} |")
    lines.append("")
    diffs = [r.difference for r in c.rows if r.difference]
    lines += [f"- {escape(d)}" for d in diffs] if diffs else [w.COMPARE_SAME]
    return "\n".join(lines) + "\n"


def to_json(c: Comparison) -> str:
    return json.dumps({"schema_version": "1", **asdict(c)}, indent=2, ensure_ascii=False) + "\n"
