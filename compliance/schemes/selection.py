"""Which schemes an assessment uses: the stage before any rule fires.

Takes the evidence and what the caller asked for (scheme ids, paths, loaded
schemes, or nothing) and returns the schemes to assess, every scheme another
rests on (MIS safety action 6 rests on SBLCBv2) ahead of it.  With nothing
asked for, the evidence's own ``schemes`` list decides, else every bundled
scheme whose evidence it mostly holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import Location, Problem, UsageError, did_you_mean
from ..evidence.model import Evidence, resolve
from .loader import builtin_schemes, checked, load_scheme
from .checker import CheckedScheme
from .model import Scheme

__all__ = ["resolve_schemes", "schemes_covering", "rests_on", "dependencies_first"]


def schemes_covering(evidence: Evidence, candidates: Iterable[CheckedScheme]) -> list[CheckedScheme]:
    """The schemes for which the evidence holds at least half of the items their measures read.

    Half, not one: schemes share items (walkabouts count for MIS SA9 and the
    board dashboard), and one shared item does not make a submission for a scheme.
    """
    out = []
    for scheme in candidates:
        paths = {p for spec in checked(scheme).leaves for p in spec.evaluator.evidence_paths(spec.params)}
        if paths and 2 * sum(resolve(evidence, p) is not None for p in paths) >= len(paths):
            out.append(scheme)
    return out


def rests_on(scheme: Scheme) -> list[str]:
    """The ids of the schemes whose outcome this one's rules read, in rule order."""
    out: list[str] = []
    for spec in checked(scheme).leaves:
        ref = getattr(spec.params, "scheme", None) if spec.evaluator.kind == "scheme_outcome" else None
        if isinstance(ref, str) and ref not in out:
            out.append(ref)
    return out


def dependencies_first(chosen: Sequence[Scheme]) -> list[CheckedScheme]:
    """``chosen`` with every scheme they rest on added, each after what it rests on."""
    ordered: list[CheckedScheme] = []

    def visit(s: CheckedScheme, trail: tuple[str, ...]) -> None:
        if any(o.id == s.id for o in ordered):
            return
        for ref in rests_on(s):
            if ref not in trail:
                dep = next((c for c in chosen if c.id == ref), None) or load_scheme(ref)
                visit(checked(dep), (*trail, s.id))
        ordered.append(s)

    for s in chosen:
        visit(checked(s), (s.id,))
    return ordered


def resolve_schemes(evidence: Evidence, schemes: Sequence[str | Path | Scheme] | str | Path | Scheme | None) -> list[CheckedScheme]:
    """The schemes to assess the evidence against, dependencies first."""
    if schemes is None and evidence.schemes:
        known = builtin_schemes()
        unknown = [s for s in evidence.schemes if s not in known]
        if unknown:
            raise UsageError(
                [
                    Problem(
                        "U002",
                        f"the evidence names no bundled scheme '{s}'",
                        Location(evidence.file, path=("schemes", evidence.schemes.index(s))),
                        expected="one of " + ", ".join(known),
                        suggestion=did_you_mean(s, known),
                    )
                    for s in unknown
                ]
            )
        chosen = [load_scheme(s) for s in evidence.schemes]
    elif schemes is None:
        chosen = schemes_covering(evidence, [load_scheme(i) for i in builtin_schemes()])
        if not chosen:
            raise UsageError(
                [Problem("U001", "the evidence holds nothing any bundled scheme measures", Location(evidence.file), expected="evidence items such as counts.*, cases.*, attestations.*")]
            )
    else:
        if isinstance(schemes, (str, Path, Scheme)):
            schemes = [schemes]
        chosen = [load_scheme(s) for s in schemes]
    return dependencies_first(chosen)
