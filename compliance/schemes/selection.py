"""Which schemes an assessment uses, and which version of each family: the stage before any rule fires.

Takes the evidence and what the caller asked for (scheme ids, family names,
paths, loaded schemes, or nothing) and returns :class:`Choice` records -- each
scheme with how it was chosen -- every scheme another rests on (MIS safety
action 6 rests on SBLCBv2) ahead of it.  With nothing asked for, the
evidence's own ``schemes`` list decides, else every bundled scheme whose
evidence it mostly holds.

Versions: a family name (``mis``) is answered by the version whose reporting
window contains the end of the evidence period; so is a family the evidence
covers without naming a version, since versions share evidence and would all
seem covered.  A version named by id is used as named (that is how one trust
is compared under two years).  When a family is asked for in any of these
ways and the period ends in none of its windows, that is a usage error that
lists the versions and their windows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..errors import Location, Problem, UsageError, did_you_mean
from ..evidence.model import Evidence, resolve
from .checker import CheckedScheme
from .loader import builtin_families, builtin_family, builtin_schemes, checked, load_scheme
from .model import Scheme

__all__ = [
    "Choice",
    "How",
    "choose",
    "resolve_schemes",
    "schemes_covering",
    "rests_on",
    "dependencies_first",
    "pick_version",
    "is_family",
]

#: How a scheme came to be assessed: named by id (by the caller or in the evidence file), asked for as a
#: family and picked by period, picked by period because the evidence covers its family, covered by the
#: evidence (a scheme with no versions), or needed by another.
How = Literal["named", "evidence", "family", "period", "covered", "dependency"]


@dataclass(frozen=True, slots=True)
class Choice:
    """A scheme to assess, and why it was chosen."""

    scheme: CheckedScheme
    how: How
    #: The family name asked for ("family"), or the id of the scheme that rests on this one ("dependency").
    asked: str | None = None


def is_family(name: str) -> bool:
    """Whether ``name`` is the name of a bundled family (``mis``, ``sbl``) rather than a scheme id."""
    return name not in builtin_schemes() and builtin_family(name) is not None


def _windows(family: str, versions: Sequence[CheckedScheme]) -> str:
    parts = []
    for v in versions:
        w = v.window
        span = f"{w.start} to {w.end or 'now'}" if w else "no window"
        parts.append(f"{v.id} ({v.versioning.label if v.versioning else v.id}): {span}")
    return "; ".join(parts)


def pick_version(family: str, evidence: Evidence, named: str | None = None) -> CheckedScheme:
    """The version of ``family`` whose reporting window contains the end of the evidence period.

    ``named``: the version the caller named, which is refused when no version covers the period.
    """
    versions = builtin_family(family) or ()
    end = evidence.period.end
    for v in versions:
        w = v.window
        if w is not None and w.contains(end):
            return v
    raise UsageError([
        Problem(
            "U060",
            f"the evidence period ({evidence.period.start} to {end}) ends in no reporting window of the '{family}' versions"
            + (f", so '{named}' cannot be assessed for it" if named else ""),
            Location(evidence.file, path=("period", "end")),
            expected=f"a period ending inside one of: {_windows(family, versions)}",
        )
    ])


def _check_in_family(scheme: CheckedScheme, evidence: Evidence) -> None:
    """A named version is used as named, but only for a period some version of its family covers."""
    family = scheme.family
    if family is None or scheme.id not in builtin_schemes():
        return
    own = scheme.window
    if own is not None and own.contains(evidence.period.end):
        return  # its own window holds the period: no need to load the family's other versions
    versions = builtin_family(family) or ()
    end = evidence.period.end
    if not any(v.window is not None and v.window.contains(end) for v in versions):
        pick_version(family, evidence, scheme.id)  # raises, listing the versions and windows


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


def _dependencies_first(chosen: Sequence[Choice]) -> list[Choice]:
    ordered: list[Choice] = []

    def visit(c: Choice, trail: tuple[str, ...]) -> None:
        if any(o.scheme.id == c.scheme.id for o in ordered):
            return
        for ref in rests_on(c.scheme):
            if ref not in trail:
                dep = next((o for o in chosen if o.scheme.id == ref), None) or Choice(checked(load_scheme(ref)), "dependency", c.scheme.id)
                visit(dep, (*trail, c.scheme.id))
        ordered.append(c)

    for c in chosen:
        visit(c, (c.scheme.id,))
    return ordered


def dependencies_first(chosen: Sequence[Scheme]) -> list[CheckedScheme]:
    """``chosen`` with every scheme they rest on added, each after what it rests on."""
    return [c.scheme for c in _dependencies_first([Choice(checked(s), "named") for s in chosen])]


def _asked(item: str | Path | Scheme, evidence: Evidence, how: How) -> Choice:
    if isinstance(item, str) and is_family(item):
        return Choice(pick_version(item, evidence), "family", item)
    scheme = checked(item) if isinstance(item, Scheme) else load_scheme(item)
    _check_in_family(scheme, evidence)
    return Choice(scheme, how)


def choose(evidence: Evidence, schemes: Sequence[str | Path | Scheme] | str | Path | Scheme | None) -> list[Choice]:
    """The schemes to assess the evidence against, dependencies first, each with how it was chosen."""
    if schemes is None and evidence.schemes:
        known = builtin_schemes()
        # The families are loaded only for a name that is no scheme id: each costs every bundled scheme's load.
        not_ids = [s for s in evidence.schemes if s not in known]
        families = builtin_families() if not_ids else {}
        unknown = [s for s in not_ids if s not in families]
        if unknown:
            names = [*known, *families]
            raise UsageError(
                [
                    Problem(
                        "U002",
                        f"the evidence names no bundled scheme '{s}'",
                        Location(evidence.file, path=("schemes", evidence.schemes.index(s))),
                        expected="one of " + ", ".join(names),
                        suggestion=did_you_mean(s, names),
                    )
                    for s in unknown
                ]
            )
        chosen = [_asked(s, evidence, "evidence") for s in evidence.schemes]
    elif schemes is None:
        covered = schemes_covering(evidence, [load_scheme(i) for i in builtin_schemes()])
        if not covered:
            raise UsageError(
                [Problem("U001", "the evidence holds nothing any bundled scheme measures", Location(evidence.file), expected="evidence items such as counts.*, cases.*, attestations.*")]
            )
        chosen = []
        for scheme in covered:
            family = scheme.family
            if family is None:
                chosen.append(Choice(scheme, "covered"))
            elif not any(c.scheme.family == family for c in chosen):
                # Versions share evidence, so a file covering one seems to cover all: the period decides.
                chosen.append(Choice(pick_version(family, evidence), "period", family))
    else:
        if isinstance(schemes, (str, Path, Scheme)):
            schemes = [schemes]
        chosen = [_asked(s, evidence, "named") for s in schemes]
    unique: list[Choice] = []
    for c in chosen:
        if not any(u.scheme.id == c.scheme.id for u in unique):
            unique.append(c)
    return _dependencies_first(unique)


def resolve_schemes(evidence: Evidence, schemes: Sequence[str | Path | Scheme] | str | Path | Scheme | None) -> list[CheckedScheme]:
    """The schemes to assess the evidence against, dependencies first."""
    return [c.scheme for c in choose(evidence, schemes)]
