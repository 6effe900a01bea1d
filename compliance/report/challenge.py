"""The board-champion view: per section, the questions to ask and the weaknesses in the evidence.

Weaknesses are derived from the assessment alone -- the records and reasons
behind each measurement -- so every one can be traced to a requirement:

* **stale**: a document older than the rule allows, or dated outside the period;
* **unsigned**: no date of board approval, or an undated document;
* **self-attested**: a claim with no document behind it;
* **inconsistent**: two submissions of the same figure disagree (shown under
  every section that uses either figure, not only the cross-check);
* **not submitted**: evidence the rule needs is missing;
* **small numbers**: a rate from too few events to judge alone;
* **unverified**: verdicts resting on parameters or requirements not yet
  confirmed against the source document;
* **gap**: a requirement not met, with its shortfall.

This module is the analysis only (:func:`build`); the renderers lay it out:
:func:`.terminal.render_challenge`, :func:`.markdown.render_challenge` and the
HTML report's challenge section.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from ..results import Assessment, LeafResult, RequirementResult, SectionResult
from .style import clean, is_gap

T = TypeVar("T")

__all__ = ["Weakness", "SectionChallenge", "KINDS", "build", "classify"]

#: Weakness kinds, in the order they are listed, with the word shown for each.
KINDS: dict[str, str] = {
    "gap": "gap",
    "not_attested": "not in place",
    "inconsistent": "inconsistent",
    "self_attested": "self-attested",
    "unsigned": "unsigned",
    "stale": "stale",
    "missing": "not submitted",
    "unstable": "small numbers",
    "unverified": "unverified",
}


@dataclass(frozen=True, slots=True)
class Weakness:
    kind: str
    requirement: str
    text: str

    @property
    def word(self) -> str:
        return KINDS[self.kind]

    @property
    def line(self) -> str:
        """The text, led by the requirement it concerns (if any)."""
        return f"{self.requirement}: {self.text}" if self.requirement else self.text


@dataclass(slots=True)
class SectionChallenge:
    scheme_id: str
    scheme_title: str
    section: SectionResult
    questions: list[str] = field(default_factory=list)
    weaknesses: list[Weakness] = field(default_factory=list)


def classify(measure: str, reason: str) -> str | None:
    """The weakness a record's reason shows, or ``None`` if it is an ordinary shortfall record."""
    r = reason.lower()
    if measure == "consistency":
        return "inconsistent"
    if "self-attested" in r or "no document" in r:
        return "self_attested"
    if "board approval" in r and ("no date" in r or "no board" in r) or "undated" in r or "unsigned" in r or "not signed" in r:
        return "unsigned"
    if "outside the period" in r or "out of date" in r or "stale" in r:
        return "stale"
    if "does not attest" in r:
        return "not_attested"
    return None


def _leaf_weaknesses(req: RequirementResult, leaf: LeafResult) -> list[Weakness]:
    out: list[Weakness] = []
    for rec in leaf.records:
        kind = classify(leaf.measure, rec.reason)
        if kind is not None:
            where = "" if rec.id in ("figure",) else f"{rec.id}: "
            out.append(Weakness(kind, req.id, f"{where}{rec.reason}"))
    if leaf.measure == "recency" and leaf.outcome == "false":
        out.append(Weakness("stale", req.id, leaf.shortfall or f"{leaf.describe}: {leaf.display}"))
    if leaf.note and ("unstable" in leaf.note or "few" in leaf.note):
        out.append(Weakness("unstable", req.id, f"{leaf.describe}: {leaf.note}"))
    return out


def _requirement_weaknesses(req: RequirementResult) -> list[Weakness]:
    out: list[Weakness] = []
    failing = [leaf for leaf in req.measurements if leaf.outcome == "false"]
    if req.status == "not_met" and not (failing and all(leaf.measure == "consistency" for leaf in failing)):
        out.append(Weakness("gap", req.id, req.shortfall or req.explanation))
    for leaf in req.measurements:
        out.extend(_leaf_weaknesses(req, leaf))
    if req.missing_evidence:
        out.append(Weakness("missing", req.id, ", ".join(req.missing_evidence)))
    # A gap whose shortfall is exactly an evidence weakness already listed says nothing new.
    gap = next((w for w in out if w.kind == "gap"), None)
    if gap is not None and any(w is not gap and gap.text in w.text for w in out):
        out.remove(gap)
    # Requirement-level records not already seen on a leaf (engines may aggregate them there only).
    seen = {(w.requirement, w.text) for w in out}
    measures = {leaf.measure for leaf in req.measurements}
    for rec in req.records:
        kind = next((k for m in sorted(measures) if (k := classify(m, rec.reason))), None)
        if kind is not None:
            text = f"{'' if rec.id == 'figure' else rec.id + ': '}{rec.reason}"
            if (req.id, text) not in seen:
                out.append(Weakness(kind, req.id, text))
                seen.add((req.id, text))
    return out


def _dedupe(items: list[T]) -> list[T]:
    """The items in order, each once."""
    return list(dict.fromkeys(items))


def build(assessment: Assessment, *, only_gaps: bool = False) -> list[SectionChallenge]:
    """Questions and weaknesses for each section, in scheme order."""
    # Which sections use each evidence path: an inconsistency is shown under all of them.
    users: dict[str, list[str]] = {}
    for scheme in assessment.schemes:
        for sec in scheme.sections:
            for req in sec.requirements:
                for path in req.evidence_used:
                    users.setdefault(path, [])
                    if sec.id not in users[path]:
                        users[path].append(sec.id)
    cross: dict[str, list[Weakness]] = {}
    for scheme in assessment.schemes:
        for sec in scheme.sections:
            for req in sec.requirements:
                for leaf in req.measurements:
                    if leaf.measure != "consistency" or leaf.outcome != "false":
                        continue
                    for rec in leaf.records:
                        for path in req.evidence_used:
                            for other in users.get(path, []):
                                if other != sec.id:
                                    w = Weakness("inconsistent", req.id, f"{rec.reason} (cross-check {req.id}: {req.title})")
                                    if w not in cross.setdefault(other, []):
                                        cross[other].append(w)

    out: list[SectionChallenge] = []
    for scheme in assessment.schemes:
        for sec in scheme.sections:
            weaknesses: list[Weakness] = []
            questions = list(sec.challenge)
            for req in sec.requirements:
                found = _requirement_weaknesses(req)
                weaknesses.extend(found)
                if found or is_gap(req.status):
                    questions.extend(req.challenge)
            weaknesses.extend(cross.get(sec.id, []))
            unverified = [r.id for r in sec.requirements if r.rests_on_unverified]
            if unverified:
                weaknesses.append(
                    Weakness(
                        "unverified",
                        "",
                        f"{len(unverified)} verdict(s) rest on values not yet confirmed against the source: {', '.join(unverified)}",
                    )
                )
            order = list(KINDS)
            weaknesses.sort(key=lambda w: order.index(w.kind))  # stable: requirement order kept within a kind
            if only_gaps and not is_gap(sec.status) and not any(w.kind != "unverified" for w in weaknesses):
                continue
            questions = [clean(q) for q in questions]
            weaknesses = [Weakness(w.kind, w.requirement, clean(w.text)) for w in weaknesses]
            out.append(SectionChallenge(scheme.id, scheme.title, sec, _dedupe(questions), _dedupe(weaknesses)))
    return out
