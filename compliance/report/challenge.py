"""The board-champion view: per section, the questions to ask and the weaknesses in the evidence.

Weaknesses are derived from the assessment alone -- the reason codes of each
measurement and the record codes behind it, never the words of a report (so
rewording a report cannot change what is found) -- and every one can be
traced to a requirement:

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

from ..results import Assessment, LeafResult, RecordRef, RequirementResult, SectionResult
from .outline import deciding
from .style import clean, is_gap
from .wording import WEAKNESS_WORDS, finding_line, record_text, record_words, unverified_weakness

T = TypeVar("T")

__all__ = ["Weakness", "SectionChallenge", "KINDS", "RECORD_KINDS", "build", "classify"]

#: Weakness kinds, in the order they are listed, with the word shown for each.
KINDS: dict[str, str] = WEAKNESS_WORDS

#: The weakness each record code shows (codes not here are ordinary shortfall records).
RECORD_KINDS: dict[str, str] = {
    "inconsistent_between_actions": "inconsistent",
    "self_attested": "self_attested",
    "undated_document": "unsigned",
    "no_board_approval_date": "unsigned",
    "unsigned": "unsigned",
    "dated_outside_period": "stale",
    "signed_outside_period": "stale",
    "not_attested": "not_attested",
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


def classify(record: RecordRef) -> str | None:
    """The weakness a record shows, by its code, or ``None`` if it is an ordinary shortfall record."""
    return RECORD_KINDS.get(record.code)


def _record(rec: RecordRef) -> str:
    # A cross-check's record named "figure" is the figure itself: no id to lead with.
    return record_words(rec) if rec.id == "figure" else record_text(rec)


def _leaf_weaknesses(req: RequirementResult, leaf: LeafResult) -> list[Weakness]:
    out: list[Weakness] = []
    for rec in leaf.records:
        kind = classify(rec)
        if kind is not None:
            out.append(Weakness(kind, req.id, _record(rec)))
    if leaf.reason.code == "stale_document":
        out.append(Weakness("stale", req.id, finding_line(leaf)))
    if leaf.reason.code == "small_numbers":
        out.append(Weakness("unstable", req.id, finding_line(leaf)))
    return out


def _requirement_weaknesses(req: RequirementResult) -> list[Weakness]:
    out: list[Weakness] = []
    leaves = deciding(req)
    failing = [leaf for leaf in req.measurements if leaf.outcome == "false"]
    # A gap said wholly by the one weakness of its record (a board approval outside the period) is not said again.
    said = bool(leaves) and all(len(leaf.records) == 1 and classify(leaf.records[0]) for leaf in leaves)
    if req.status == "not_met" and not (failing and all(leaf.reason.code == "inconsistent_between_actions" for leaf in failing)) and not said:
        out.append(Weakness("gap", req.id, "; ".join(finding_line(leaf) for leaf in leaves)))
    for leaf in req.measurements:
        out.extend(_leaf_weaknesses(req, leaf))
    if req.missing_evidence:
        out.append(Weakness("missing", req.id, ", ".join(req.missing_evidence)))
    # Requirement-level records not already seen on a leaf (engines may aggregate them there only).
    seen = {(w.requirement, w.text) for w in out}
    for rec in req.records:
        kind = classify(rec)
        if kind is not None:
            text = _record(rec)
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
                    if leaf.reason.code != "inconsistent_between_actions":
                        continue
                    for rec in leaf.records:
                        for path in req.evidence_used:
                            for other in users.get(path, []):
                                if other != sec.id:
                                    w = Weakness("inconsistent", req.id, f"{record_words(rec)} (cross-check {req.id}: {req.title})")
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
                        unverified_weakness(unverified),
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
