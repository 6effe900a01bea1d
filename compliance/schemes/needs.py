"""What each requirement needs from the evidence, and what leaving a piece of it out does.

A derived view of checked schemes, used by ``compliance template`` (every field
says what its absence does) and tested against the engine field by field.
Each rule leaf's evaluator says what it reads, down to record fields, and what
its measurement becomes without each piece (:meth:`Evaluator.reads`: unknown,
counts against, or nothing to measure).  The requirement's rule tree then says
what that does to the requirement when every other part of the rule is as in
a complete, compliant submission -- each measure met, except an optional route
(one whose item, left out, counts as not claimed) which such a trust does not
claim:

* ``insufficient_evidence`` / ``not_met`` / ``not_applicable``: the requirement's
  status without the piece;
* ``None``: nothing changes while the rest holds -- an alternative route under
  ``any`` (a near-miss claim, an agreed alternative intervention).

The three-valued combination follows the compiled rules exactly
(``rules/compiler.combinator_rules``; docs/scheme-language.md); it decides no
verdict, only what the template says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .checker import LeafSpec
from .loader import checked
from .model import Leaf, RuleNode, Scheme, children, combinator

__all__ = ["Effect", "Need", "needs"]

Effect = Literal["insufficient_evidence", "not_met", "not_applicable"]

_T, _F, _U, _N = "met", "not_met", "insufficient_evidence", "not_applicable"
_ABSENT = {"missing": _U, "false": _F, "na": _N}


@dataclass(frozen=True, slots=True)
class Need:
    """One requirement's use of a piece of evidence."""

    scheme: str
    section: str
    requirement: str
    #: The requirement's section does not decide the scheme's outcome.
    informative: bool
    #: The requirement's status without the piece, the rest holding; None if it does not change.
    effect: Effect | None
    #: Dates between which the requirement applies, if it is date-effective.
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None


Path_ = tuple[str | int, ...]


def _combine(kind: str, children: list[str], need: int = 1) -> str:
    met = children.count(_T)
    not_met = children.count(_F)
    ins = children.count(_U)
    live = len(children) - children.count(_N)
    if kind == "all":
        return _F if not_met else _U if ins else _T if met else _N
    if kind == "any":
        return _T if met else _U if ins else _F if not_met else _N
    if kind == "at_least":
        if met >= need:
            return _T
        if live == 0:
            return _N
        return _F if met + ins < need else _U
    # not: one child, verdict swapped
    return {_T: _F, _F: _T}.get(children[0], children[0])


def _status(node: RuleNode, path: Path_, leaves: Mapping[Path_, str]) -> str:
    """The node's verdict with each leaf as ``leaves`` says (met if not given)."""
    if isinstance(node, Leaf):
        return leaves.get(path, _T)
    kind, need = combinator(node)
    return _combine(kind, [_status(child, (*path, *step), leaves) for step, child in children(node)], need)


def _compliant(spec: LeafSpec) -> str:
    """A leaf's outcome in a complete, compliant submission: met, or, for an optional route, not claimed."""
    reads = spec.evaluator.reads(spec.params)
    return _F if reads and reads[0].absent == "false" else _T


def _under(path: str, removed: str) -> bool:
    """Whether leaving out ``removed`` leaves out ``path`` too (it is the same, or inside it)."""
    return path == removed or path.startswith(removed + ".") or path.startswith(removed + "[]")


def needs(schemes: Sequence[Scheme]) -> dict[str, list[Need]]:
    """Evidence path -> every requirement that leaving it out changes (or that reads it), in scheme order.

    The paths are those the measures read (items, fields inside them, fields of
    every record of a list).  Leaving a path out leaves out everything inside it:
    a leaf then takes the absent outcome of the outermost thing it reads that is
    gone (no ``board_sign_off`` at all means no board-approval date either).
    """
    out: dict[str, list[Need]] = {}
    per_scheme = []
    paths: list[str] = []
    for scheme in schemes:
        specs = checked(scheme).leaves
        reads = {spec.path: spec.evaluator.reads(spec.params) for spec in specs}
        # A compliant submission meets every measure, and claims no optional route.
        compliant = {spec.path: _compliant(spec) for spec in specs}
        per_scheme.append((scheme, specs, reads, compliant))
        for rs in reads.values():
            paths.extend(r.path for r in rs if r.path not in paths)
    for removed in paths:
        for scheme, specs, reads, compliant in per_scheme:
            touched: dict[Path_, str] = {}
            for spec in specs:
                gone = [r for r in reads[spec.path] if _under(r.path, removed)]
                if gone:
                    outermost = min(gone, key=lambda r: len(r.path))
                    touched[spec.path] = _ABSENT[outermost.absent]
            for si, section in enumerate(scheme.sections):
                for ri, req in enumerate(section.requirements):
                    root: Path_ = ("sections", si, "requirements", ri, "rule")
                    mine = {p: o for p, o in touched.items() if p[:5] == root}
                    if not mine:
                        continue
                    before = _status(req.rule, root, compliant)
                    after = _status(req.rule, root, {**compliant, **mine})
                    effect: Effect | None = None if after == before else after  # type: ignore[assignment]
                    eff = req.effective
                    out.setdefault(removed, []).append(
                        Need(scheme.id, section.id, req.id, not section.in_outcome, effect, eff.start if eff else None, eff.until if eff else None)
                    )
    return out
