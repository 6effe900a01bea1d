"""``compliance schemes diff OLD NEW``: what changed between two versions of a scheme, per safety action.

**Stage:** a view of two checked schemes (no evidence, no rules fired).
:func:`diff` returns a :class:`SchemeDiff`: for each section key (``SA6``:
the section id without the version's prefix, ``MIS-Y4-``), the title before
and after, the standards added, removed and reworded (matched by the same
content key, ``SA6.b``, since ids are year-keyed), the thresholds changed
(matched by the leaf's place in the rule; old -> new value and status), the
evidence the new version reads that the old one did not, and the dates the
new version's standards switch on or off.  :func:`render_terminal`,
:func:`render_markdown` and :func:`to_json` lay it out; their English is in
:mod:`.wording`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from ..schemes.checker import CheckedScheme, LeafSpec
from ..schemes.loader import load_scheme
from ..schemes.selection import rests_on
from ..schemes.model import Requirement, Scheme
from . import wording as w
from .markdown import code, escape
from .schemes import evidence_paths as requirement_evidence
from .style import clean, fmt_value, glyphs_for

__all__ = ["Threshold", "ThresholdChange", "Changed", "Standard", "ActionDiff", "Side", "SchemeDiff", "diff", "evidence_paths", "render_terminal", "render_markdown", "to_json"]


@dataclass(frozen=True, slots=True)
class Standard:
    id: str
    title: str
    status: str
    in_outcome: bool
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Threshold:
    """A leaf's threshold as a report states it: the value (in words where the scheme says so), its unit, status and parameter."""

    value: str
    status: str
    param: str | None


@dataclass(frozen=True, slots=True)
class ThresholdChange:
    requirement: str
    describe: str
    old: Threshold | None
    new: Threshold | None


@dataclass(frozen=True, slots=True)
class Changed:
    """A standard in both versions (same content key) whose wording, rule, status or place changed."""

    old_id: str
    new_id: str
    old_title: str
    new_title: str
    #: What changed, in order: "title", "text", "rule", "status", "outcome".
    what: tuple[str, ...]
    old_measures: tuple[str, ...]
    new_measures: tuple[str, ...]
    old_status: str
    new_status: str
    old_in_outcome: bool
    new_in_outcome: bool


@dataclass(frozen=True, slots=True)
class ActionDiff:
    key: str
    old_title: str | None
    new_title: str | None
    added: tuple[Standard, ...] = ()
    removed: tuple[Standard, ...] = ()
    changed: tuple[Changed, ...] = ()
    thresholds: tuple[ThresholdChange, ...] = ()
    evidence_new: tuple[str, ...] = ()
    dates: tuple[Standard, ...] = ()

    @property
    def empty(self) -> bool:
        return self.old_title == self.new_title and not (self.added or self.removed or self.changed or self.thresholds or self.evidence_new or self.dates)


@dataclass(frozen=True, slots=True)
class Side:
    id: str
    title: str
    version: str
    label: str | None
    window_start: dt.date | None
    window_end: dt.date | None
    deadline: dt.date | None


@dataclass(frozen=True, slots=True)
class SchemeDiff:
    old: Side
    new: Side
    actions: tuple[ActionDiff, ...] = field(default_factory=tuple)


def _prefix(scheme: Scheme) -> str:
    """What every section id of the scheme starts with, up to its last '-' (``MIS-Y4-``, ``SBLv3-``)."""
    ids = [s.id for s in scheme.sections]
    common = os.path.commonprefix(ids)
    cut = common.rfind("-")
    return common[: cut + 1] if cut >= 0 else ""


def _key(ident: str, prefix: str) -> str:
    return ident[len(prefix):] if ident.startswith(prefix) else ident


def _action_key(req_key: str) -> str:
    """``SA6.b`` -> ``SA6``; ``COND-2.sign-off`` -> ``COND-2``; ``E1-I3`` -> ``E1``."""
    head = req_key.split(".", 1)[0]
    if not head.startswith("COND") and "-" in head:
        head = head.split("-", 1)[0]
    return head


def evidence_paths(scheme: CheckedScheme) -> list[str]:
    """Every evidence path the scheme reads, in document order."""
    out: list[str] = []
    for _, req in scheme.requirements():
        for p in requirement_evidence(scheme, req):
            if p not in out:
                out.append(p)
    return out


def _same_content(old: CheckedScheme, new: CheckedScheme, o: Requirement, n: Requirement) -> bool:
    """Whether two standards are the same standard: they read common evidence, or (reading none) measure alike."""
    eo, en = set(requirement_evidence(old, o)), set(requirement_evidence(new, n))
    return bool(eo & en) if eo or en else _measures(old, o) == _measures(new, n)


def _pairs(old: CheckedScheme, new: CheckedScheme, olds: list[Requirement], news: list[Requirement], po: str, pn: str) -> list[tuple[Requirement, Requirement]]:
    """Old and new standards that are the same standard: the same content key first, else the same content.

    Content keys follow the reference, which reuses a letter for new content now
    and then (Year 3's SA2.c is Year 4's SA2.d); a key whose content differs is
    a removal and an addition, and a moved standard is matched by what it reads.
    """
    pairs: list[tuple[Requirement, Requirement]] = []
    left_old = list(olds)
    left_new = []
    for n in news:
        o = next((o for o in left_old if _key(o.id, po) == _key(n.id, pn) and _same_content(old, new, o, n)), None)
        if o is None:
            left_new.append(n)
        else:
            pairs.append((o, n))
            left_old.remove(o)
    for n in left_new:
        o = next((o for o in left_old if _same_content(old, new, o, n) and _measures(old, o) == _measures(new, n)), None)
        if o is not None:
            pairs.append((o, n))
            left_old.remove(o)
    return pairs


def _leaf_pairs(olds: Sequence[LeafSpec], news: Sequence[LeafSpec]) -> list[tuple[LeafSpec | None, LeafSpec | None]]:
    """Each new leaf with the old leaf measuring the same thing (same kind and description, else same kind), in order."""
    left = list(olds)
    out: list[tuple[LeafSpec | None, LeafSpec | None]] = []
    for n in news:
        o = next((o for o in left if o.evaluator.kind == n.evaluator.kind and o.leaf.describe == n.leaf.describe), None)
        o = o or next((o for o in left if o.evaluator.kind == n.evaluator.kind), None)
        if o is not None:
            left.remove(o)
        out.append((o, n))
    out.extend((o, None) for o in left)
    return out


def _threshold(scheme: CheckedScheme, spec: LeafSpec) -> Threshold | None:
    t = spec.leaf.threshold
    if t is None:
        return None
    if isinstance(t, str) and t in scheme.parameters:
        p = scheme.parameters[t]
        value = p.wording or (fmt_value(p.value) + (f" {p.unit}" if p.unit else ""))
        return Threshold(f"{spec.leaf.compare} {value}", p.status, t)
    return Threshold(f"{spec.leaf.compare} {fmt_value(t)}", "confirmed", None)


def _span(req: Requirement) -> tuple[dt.date | None, dt.date | None]:
    return (req.effective.start, req.effective.until) if req.effective else (None, None)


def _measures(scheme: CheckedScheme, req: Requirement) -> tuple[str, ...]:
    return tuple(spec.evaluator.kind for spec in scheme.leaves_of(req))


def _standard(sec_in_outcome: bool, req: Requirement) -> Standard:
    eff = req.effective
    return Standard(req.id, req.title, req.status, sec_in_outcome, eff.start if eff else None, eff.until if eff else None)


def _side(s: CheckedScheme) -> Side:
    win = s.window
    return Side(s.id, s.title, s.version, s.versioning.label if s.versioning else None,
                win.start if win else None, win.end if win else None, s.period.deadline if s.period else None)


def diff(old: CheckedScheme, new: CheckedScheme) -> SchemeDiff:
    """What changed from ``old`` to ``new``, per section key, in the new version's section order."""
    po, pn = _prefix(old), _prefix(new)
    old_reqs = {_key(r.id, po): (sec, r) for sec, r in old.requirements()}
    new_reqs = {_key(r.id, pn): (sec, r) for sec, r in new.requirements()}
    old_secs = {_key(s.id, po): s for s in old.sections}
    new_secs = {_key(s.id, pn): s for s in new.sections}
    # What a trust submitting for the old version already gives: its evidence and that of the schemes it rests on.
    old_evidence = set(evidence_paths(old))
    for ref in rests_on(old):
        old_evidence |= set(evidence_paths(load_scheme(ref)))

    keys: list[str] = []
    for k in [*(_action_key(k) for k in new_reqs), *(_action_key(k) for k in old_reqs)]:
        if k not in keys:
            keys.append(k)
    out: list[ActionDiff] = []
    for key in keys:
        nk = [k for k in new_reqs if _action_key(k) == key]
        ok = [k for k in old_reqs if _action_key(k) == key]
        pairs = _pairs(old, new, [old_reqs[k][1] for k in ok], [new_reqs[k][1] for k in nk], po, pn)
        paired_old = {o.id for o, _ in pairs}
        paired_new = {n.id for _, n in pairs}
        added = tuple(_standard(new_reqs[k][0].in_outcome, new_reqs[k][1]) for k in nk if new_reqs[k][1].id not in paired_new)
        removed = tuple(_standard(old_reqs[k][0].in_outcome, old_reqs[k][1]) for k in ok if old_reqs[k][1].id not in paired_old)
        changed: list[Changed] = []
        thresholds: list[ThresholdChange] = []
        for o, n in pairs:
            (osec, _), (nsec, _) = old_reqs[_key(o.id, po)], new_reqs[_key(n.id, pn)]
            om, nm = _measures(old, o), _measures(new, n)
            what = tuple(name for name, differs in (
                ("key", _key(o.id, po) != _key(n.id, pn)),
                ("title", o.title != n.title),
                ("text", o.text != n.text),
                ("rule", om != nm),
                ("status", o.status != n.status),
                ("outcome", osec.in_outcome != nsec.in_outcome),
            ) if differs)
            if what:
                changed.append(Changed(o.id, n.id, o.title, n.title, what, om, nm, o.status, n.status, osec.in_outcome, nsec.in_outcome))
            for lo, ln in _leaf_pairs(old.leaves_of(o), new.leaves_of(n)):
                a = _threshold(old, lo) if lo is not None else None
                b = _threshold(new, ln) if ln is not None else None
                if (a is None or a.param is None) and (b is None or b.param is None):
                    continue  # a definitional literal (== yes, <= 0 windows missed), not a threshold
                if (a is None) != (b is None) or (a is not None and b is not None and (a.value, a.status) != (b.value, b.status)):
                    either = ln if ln is not None else lo
                    describe = (either.leaf.describe if either is not None else None) or ""
                    thresholds.append(ThresholdChange(n.id, describe, a, b))
        for std in added:  # a new standard's thresholds are new too
            r = new_reqs[_key(std.id, pn)][1]
            for spec in new.leaves_of(r):
                b = _threshold(new, spec)
                if b is not None and b.param is not None:
                    thresholds.append(ThresholdChange(r.id, spec.leaf.describe or "", None, b))
        evidence_new: list[str] = []
        for k in nk:
            for p in requirement_evidence(new, new_reqs[k][1]):
                if p not in old_evidence and p not in evidence_new:
                    evidence_new.append(p)
        was = {n.id: o for o, n in pairs}
        dates = tuple(
            _standard(new_reqs[k][0].in_outcome, r)
            for k in nk
            if (r := new_reqs[k][1]).effective and (r.id not in was or _span(was[r.id]) != _span(r))
        )
        os_, ns = old_secs.get(key), new_secs.get(key)
        action = ActionDiff(key, os_.title if os_ else None, ns.title if ns else None, added, removed, tuple(changed), tuple(thresholds), tuple(evidence_new), dates)
        if not action.empty:
            out.append(action)
    return SchemeDiff(_side(old), _side(new), tuple(out))


# ------------------------------------------------------------------ rendering


def _window(side: Side) -> str:
    if side.window_start is None:
        return w.DIFF_NO_WINDOW
    text = w.window_text(side.window_start, side.window_end)
    return text + (f"; {w.DIFF_DEADLINE} {side.deadline}" if side.deadline else "")


def _dates(std: Standard) -> str:
    parts = []
    if std.effective_from:
        parts.append(f"{w.DIFF_FROM} {std.effective_from}")
    if std.effective_until:
        parts.append(f"{w.DIFF_UNTIL} {std.effective_until}")
    return ", ".join(parts)


def _threshold_text(t: Threshold | None) -> str:
    if t is None:
        return w.DIFF_NONE
    status = w.DIFF_STATUS[t.status]
    return f"{t.value} ({status}{', ' + t.param if t.param else ''})"


def _standard_text(std: Standard) -> str:
    extra = [w.DIFF_STATUS[std.status]]
    if not std.in_outcome:
        extra.append(w.DIFF_INFORMATIVE)
    if _dates(std):
        extra.append(_dates(std))
    return f"{std.id} {std.title} ({'; '.join(extra)})"


def _changed_text(c: Changed) -> list[str]:
    lines = [f"{c.new_id}{f' ({w.DIFF_WAS} {c.old_id})' if 'key' in c.what else ''}: {', '.join(w.DIFF_CHANGED_WHAT[x] for x in c.what)}"]
    if "title" in c.what:
        lines.append(f"{w.DIFF_WAS} {c.old_title!s}")
        lines.append(f"{w.DIFF_NOW} {c.new_title!s}")
    if "rule" in c.what:
        lines.append(f"{w.DIFF_MEASURES}: {' + '.join(c.old_measures) or w.DIFF_NONE} -> {' + '.join(c.new_measures) or w.DIFF_NONE}")
    if "status" in c.what:
        lines.append(f"{w.DIFF_VERIFICATION}: {w.DIFF_STATUS[c.old_status]} -> {w.DIFF_STATUS[c.new_status]}")
    if "outcome" in c.what:
        lines.append(w.DIFF_INTO_OUTCOME if c.new_in_outcome else w.DIFF_OUT_OF_OUTCOME)
    return lines


def _blocks(a: ActionDiff) -> list[tuple[str, list[list[str]]]]:
    """The action's parts as (heading, items), each item a first line and its continuation lines."""
    blocks: list[tuple[str, list[list[str]]]] = []
    if a.old_title is None and a.new_title is not None:
        blocks.append((w.DIFF_SECTION_ADDED, [[a.new_title]]))
    elif a.new_title is None and a.old_title is not None:
        blocks.append((w.DIFF_SECTION_REMOVED, [[a.old_title]]))
    elif a.old_title != a.new_title:
        blocks.append((w.DIFF_TITLE, [[f"{w.DIFF_WAS} {a.old_title}", f"{w.DIFF_NOW} {a.new_title}"]]))
    if a.added:
        blocks.append((w.DIFF_ADDED, [[_standard_text(s)] for s in a.added]))
    if a.removed:
        blocks.append((w.DIFF_REMOVED, [[_standard_text(s)] for s in a.removed]))
    if a.changed:
        blocks.append((w.DIFF_REWORDED, [_changed_text(c) for c in a.changed]))
    if a.thresholds:
        blocks.append((w.DIFF_THRESHOLDS, [[f"{t.requirement} {t.describe}: {_threshold_text(t.old)} -> {_threshold_text(t.new)}"] for t in a.thresholds]))
    if a.evidence_new:
        blocks.append((w.DIFF_EVIDENCE_NEW, [[p] for p in a.evidence_new]))
    if a.dates:
        blocks.append((w.DIFF_DATES, [[f"{s.id}: {_dates(s)}"] for s in a.dates]))
    return blocks


def render_terminal(d: SchemeDiff, console: Console) -> None:
    g = glyphs_for(console.encoding)
    console.print(Text(w.diff_heading(d.old.id, d.new.id), style="bold"))
    for side, role in ((d.old, w.DIFF_OLD), (d.new, w.DIFF_NEW)):
        console.print(f"{role}: {side.id} {g.dash} {clean(side.label or side.version)} {g.dash} {w.DIFF_WINDOW} {_window(side)}", markup=False)
    if not d.actions:
        console.print(w.DIFF_NO_CHANGES)
    for a in d.actions:
        console.print()
        console.print(Text(f"{a.key}: {clean(a.new_title or a.old_title or '')}", style="bold"))
        for heading, items in _blocks(a):
            console.print(Padding(Text(heading, style="underline"), (0, 0, 0, 2)))
            for item in items:
                console.print(Padding(Text(f"{g.bullet} {clean(item[0])}"), (0, 0, 0, 4)))
                for more in item[1:]:
                    console.print(Padding(Text(clean(more)), (0, 0, 0, 6)))


def render_markdown(d: SchemeDiff) -> str:
    lines = [f"# {escape(w.diff_heading(d.old.id, d.new.id))}", ""]
    for side, role in ((d.old, w.DIFF_OLD), (d.new, w.DIFF_NEW)):
        lines.append(f"- {role}: {code(side.id)} {escape(side.label or side.version)}, {w.DIFF_WINDOW} {escape(_window(side))}")
    lines.append("")
    if not d.actions:
        lines += [w.DIFF_NO_CHANGES, ""]
    for a in d.actions:
        lines += [f"## {escape(a.key)}: {escape(a.new_title or a.old_title or '')}", ""]
        for heading, items in _blocks(a):
            lines += [f"**{heading}**", ""]
            for item in items:
                lines.append(f"- {escape(item[0])}")
                lines += [f"  {escape(more)}  " if i < len(item) - 2 else f"  {escape(more)}" for i, more in enumerate(item[1:])]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _jsonable(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def to_json(d: SchemeDiff) -> str:
    data = {"schema_version": "1", "old": asdict(d.old), "new": asdict(d.new), "actions": [asdict(a) for a in d.actions]}
    return json.dumps(_jsonable(data), indent=2, ensure_ascii=False) + "\n"


