"""The report outline: what a report shows, decided once for every renderer.

**Stage:** between the assessment and the renderers.  :func:`build` takes an
:class:`~compliance.results.Assessment` (and whether only gaps are wanted) and
returns an :class:`Outline`: for each scheme its headline, the rows of the
summary table in order, and its gaps -- each section not met (or holding a
requirement that is not), with its failing requirements and, for each, the
measurements to show, the shortfall, the missing evidence, the records, the
remediation and why its verdict rests on something unconfirmed.  Terminal,
Markdown and HTML walk the outline and only lay it out; none of them decides
again which section is a gap, which measurement counts as "measured", what is
counted as judged, or when "No gaps" is said.

The outline holds the result tree's own text, unescaped and as written (each
renderer cleans or escapes it as its medium needs); it writes no sentence of
its own -- the shared English is in :mod:`.wording`.  Building it reads the
tree once and copies nothing large: records and parameter uses are the
result's own objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..results import (
    Assessment,
    LeafResult,
    ParameterUse,
    RecordRef,
    RequirementResult,
    SchemeResult,
    SectionResult,
    Status,
    filled,
)
from .signals import Signal
from .signals import build as signals_of
from .style import is_gap
from .wording import explanation, finding_line, outcome, record_text, records_in_line, scheme_explanation, section_title

__all__ = [
    "Outline",
    "Declaration",
    "DeclarationLine",
    "declaration",
    "SchemeOutline",
    "Row",
    "GapSection",
    "GapRequirement",
    "Unverified",
    "build",
    "scheme_outline",
    "is_gap_section",
    "shows_measurement",
    "deciding",
    "judged",
    "headline_counts",
    "unverified_basis",
]


@dataclass(frozen=True, slots=True)
class Unverified:
    """Why a verdict rests on something not yet confirmed against its source document.

    ``parameters`` names the parameters it used that are not confirmed, in the
    requirement's order; when there are none, the requirement's own
    ``verification`` status is the reason.
    """

    parameters: tuple[str, ...]
    verification: str


@dataclass(frozen=True, slots=True)
class GapRequirement:
    """A requirement not met or lacking evidence, with everything a report shows under it, in order.

    Each fact is said once: ``findings`` has one line per comparison that
    decided the gap (its reason, figure, threshold and shortfall together),
    then come the records behind them, the missing evidence, the remediation.
    """

    id: str
    title: str
    status: Status
    #: The requirement's reason code (the deciding comparison's).
    reason: str
    #: The sentence a one-line view uses (the tracker): the same facts as ``findings``, joined.
    explanation: str
    #: Each comparison that decided the gap: "Late: what: figure; needs threshold; 2 more needed".
    findings: tuple[str, ...]
    missing: tuple[str, ...]
    #: Every record behind it; a renderer may show fewer (the terminal does) but chooses no others.
    records: tuple[RecordRef, ...]
    #: Each record in words, in the same order.
    record_lines: tuple[str, ...]
    #: None when the verdict rests only on confirmed requirements and parameters.
    unverified: Unverified | None
    remediation: str


@dataclass(frozen=True, slots=True)
class GapSection:
    """A section with a gap: its failing requirements and, when not met, what its action plan must say."""

    id: str
    #: The title, marked "(informative)" when the section does not decide the outcome.
    title: str
    status: Status
    requirements: tuple[GapRequirement, ...]
    #: What the section's action plan must say (its own text, once, under its gaps).
    action_plan: str | None


@dataclass(frozen=True, slots=True)
class Row:
    """A row of the summary table: a section, its status, and its requirements met of those judged."""

    id: str
    title: str
    status: Status
    unverified: bool
    met: int
    #: Requirements judged (every one not "not applicable"); 0 means nothing was judged.
    judged: int


@dataclass(frozen=True, slots=True)
class SchemeOutline:
    """One scheme's part of a report: headline, summary rows, charts, gaps, action plan route."""

    id: str
    title: str
    version: str
    publisher: str
    status: Status
    explanation: str
    outcome: str
    #: Sections in the outcome that are met, of those judged (what the overview shows).
    met: int
    judged: int
    overrides: tuple[ParameterUse, ...]
    #: The summary table, sections in scheme order (only the gaps' rows when only gaps are asked for).
    rows: tuple[Row, ...]
    #: Requirements measured against a national trajectory, with the leaf to chart.
    trajectories: tuple[tuple[RequirementResult, LeafResult], ...]
    #: The gap sections in scheme order; empty means the report says there are no gaps.
    gaps: tuple[GapSection, ...]
    #: Whether any section rests on something unverified (rows shown or not): the legend is needed.
    unverified: bool
    #: The scheme's route for action plans, when a section is not met.
    action_plan_route: str | None
    #: Which version of its family was assessed, and why (None for a scheme with no versions).
    version_chosen: str | None = None


@dataclass(frozen=True, slots=True)
class DeclarationLine:
    """One line of a declaration: a section (a safety action, a condition), its status and why, as data.

    ``met`` of ``judged`` counts its requirements; for a gap, ``first_gap`` is
    the first requirement not met (or lacking evidence) with its reason code
    (the page says why in a word and points to the gap, where the figure,
    threshold, shortfall and records are set out once) and how much evidence is
    missing, and ``gaps`` how many there are in all.
    """

    id: str
    title: str
    status: Status
    met: int
    judged: int
    first_gap: str | None
    first_gap_title: str | None
    reason: str | None
    missing: int
    gaps: int


@dataclass(frozen=True, slots=True)
class Declaration:
    """Page one of a board pack for a scheme with a declaration form (MIS): the decision as the board signs it."""

    scheme_id: str
    scheme_title: str
    form: str
    source: str
    level: str
    level_plural: str
    requirement_level: str
    status: Status
    outcome: str
    deadline: str | None
    days_to_deadline: int | None
    #: The scheme's own level (safety actions), in scheme order, then the conditions.
    sections: tuple[DeclarationLine, ...]
    conditions: tuple[DeclarationLine, ...]
    #: Sections of the scheme's level met, of those judged.
    met: int
    judged: int
    #: For each unmet section: its id and what its action plan must say.
    action_plans: tuple[tuple[str, str], ...]
    action_plan_route: str | None
    sign_off: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Outline:
    """A whole report for one trust: the header's facts and each scheme's outline."""

    #: The tree it was built from, for what only one medium needs (an HTML anchor, say).
    assessment: Assessment
    trust: str
    ods_code: str
    submitted_on: str
    submitted_by: str
    status: Status
    schemes: tuple[SchemeOutline, ...]
    only_gaps: bool
    #: Whether the unverified legend closes the report.
    unverified: bool
    #: Page one, when a scheme assessed has a declaration form (the first such scheme).
    declaration: Declaration | None = None
    #: Adverse informative outcomes the headline must not hide (see :mod:`.signals`).
    signals: tuple[Signal, ...] = ()


def judged(counts: Mapping[str, int]) -> int:
    """How many were judged: every status except "not applicable"."""
    return sum(v for k, v in counts.items() if k != "not_applicable")


def headline_counts(scheme: SchemeResult) -> tuple[int, int]:
    """Sections met, of the sections in the outcome that were judged (informative ones are not counted)."""
    counted = [sec for sec in scheme.sections if sec.in_outcome]
    met = sum(1 for sec in counted if sec.status == "met")
    return met, sum(1 for sec in counted if sec.status != "not_applicable")


def is_gap_section(section: SectionResult) -> bool:
    """A section is shown under "Gaps" when it, or any requirement in it, is not met or lacks evidence.

    A section can be met while one of its requirements is not (an ``any``
    roll-up, say); that requirement is still a gap to show.
    """
    return is_gap(section.status) or any(is_gap(r.status) for r in section.requirements)


def shows_measurement(leaf: LeafResult) -> bool:
    """A comparison is shown under a gap when it failed, or is unknown but has a figure to show."""
    return leaf.outcome == "false" or (leaf.outcome == "unknown" and bool(leaf.display))


def unverified_basis(req: RequirementResult) -> Unverified | None:
    """What a verdict that rests on something unverified rests on (None if it does not)."""
    if not req.rests_on_unverified:
        return None
    return Unverified(tuple(p.id for p in req.parameters if p.status != "confirmed"), req.verification)


#: Reasons whose records name the part of the claim not backed (the missing paths say it again).
_SAID_BY_RECORDS = frozenset({"self_attested", "undated_document", "no_board_approval_date", "unsigned"})


def deciding(req: RequirementResult) -> list[LeafResult]:
    """The comparisons that decided a requirement, as its reason names them."""
    picked = req.reason.params.get("measurements")
    indexes = picked if isinstance(picked, list) else range(len(req.measurements))
    return [req.measurements[int(i)] for i in indexes if int(i) < len(req.measurements)]


def _requirement(req: RequirementResult, so_far: bool) -> GapRequirement:
    leaves = deciding(req)
    # An unknown comparison's records are the parts of its claim not backed (shown with it);
    # a failed one's are the requirement's own.
    records = list(req.records) + [r for leaf in leaves if leaf.outcome == "unknown" for r in leaf.records if r not in req.records]
    said = [r for leaf in leaves for r in records_in_line(leaf)]  # named in the finding line already
    records = [r for r in records if r not in said]
    return GapRequirement(
        id=req.id,
        title=req.title,
        status=req.status,
        reason=req.reason.code,
        explanation=explanation(req, so_far=so_far),
        # A requirement of one comparison has said what it counts in its title.
        findings=tuple(finding_line(leaf, describe=len(req.measurements) > 1) for leaf in leaves),
        # Missing evidence the finding line or a record already names is not listed again.
        missing=() if req.reason.code in _SAID_BY_RECORDS or (req.reason.code == "missing_evidence" and len(leaves) == 1) else tuple(req.missing_evidence),
        records=tuple(records),
        record_lines=tuple(record_text(r) for r in records),
        unverified=unverified_basis(req),
        remediation=req.remediation,
    )


def _gap_section(sec: SectionResult, so_far: bool) -> GapSection:
    return GapSection(
        id=sec.id,
        title=section_title(sec.title, sec.in_outcome),
        status=sec.status,
        requirements=tuple(_requirement(r, so_far) for r in sec.requirements if is_gap(r.status)),
        action_plan=sec.action_plan if sec.action_plan and sec.status == "not_met" else None,
    )


def _row(sec: SectionResult) -> Row:
    return Row(
        id=sec.id,
        title=section_title(sec.title, sec.in_outcome),
        status=sec.status,
        unverified=any(r.rests_on_unverified for r in sec.requirements),
        met=sec.counts.get("met", 0),
        judged=judged(sec.counts),
    )


def scheme_outline(scheme: SchemeResult, *, only_gaps: bool = False) -> SchemeOutline:
    rows = tuple(_row(s) for s in scheme.sections)
    met, judged_ = headline_counts(scheme)
    return SchemeOutline(
        id=scheme.id,
        title=scheme.title,
        version=scheme.version,
        publisher=scheme.publisher,
        status=scheme.status,
        explanation=scheme_explanation(scheme, name_unmet=False),
        # The headline has just named the sections not met: the outcome does not name them again.
        outcome=outcome(scheme, list_unmet=False),
        met=met,
        judged=judged_,
        overrides=tuple(scheme.parameter_overrides),
        rows=tuple(r for r in rows if is_gap(r.status)) if only_gaps else rows,
        trajectories=tuple(
            (req, leaf)
            for sec in scheme.sections
            for req in sec.requirements
            for leaf in req.measurements
            if leaf.measure == "trajectory" and leaf.value is not None and leaf.threshold is not None
        ),
        gaps=tuple(_gap_section(s, scheme.days_to_deadline is not None) for s in scheme.sections if is_gap_section(s)),
        unverified=any(r.unverified for r in rows),
        action_plan_route=scheme.action_plan_route if scheme.action_plan_route and scheme.unmet_sections else None,
        version_chosen=scheme.version_chosen,
    )


def _line(sec: SectionResult) -> DeclarationLine:
    gaps = [r for r in sec.requirements if is_gap(r.status)]
    first = gaps[0] if gaps else None
    return DeclarationLine(
        id=sec.id,
        title=sec.title,
        status=sec.status,
        met=sec.counts.get("met", 0),
        judged=judged(sec.counts),
        first_gap=first.id if first else None,
        first_gap_title=first.title if first else None,
        reason=first.reason.code if first else None,
        missing=len(first.missing_evidence) if first else 0,
        gaps=len(gaps),
    )


def declaration(scheme: SchemeResult) -> Declaration | None:
    """The declaration page of a scheme that has a form to sign, or None."""
    form = scheme.declaration
    if form is None:
        return None
    counted = [sec for sec in scheme.sections if sec.in_outcome]
    own = [sec for sec in counted if sec.counts_as is None]
    conditions = [sec for sec in counted if sec.counts_as is not None]
    return Declaration(
        scheme_id=scheme.id,
        scheme_title=scheme.title,
        form=form.title,
        source=form.source,
        level=scheme.level,
        level_plural=scheme.level_plural,
        requirement_level=scheme.requirement_level,
        status=scheme.status,
        # The table above names what is not met: the outcome does not list it again.
        outcome=outcome(scheme, list_unmet=False),
        deadline=None if scheme.deadline is None else scheme.deadline.isoformat(),
        days_to_deadline=scheme.days_to_deadline,
        sections=tuple(_line(sec) for sec in own),
        conditions=tuple(_line(sec) for sec in conditions),
        met=sum(1 for sec in own if sec.status == "met"),
        judged=sum(1 for sec in own if sec.status != "not_applicable"),
        action_plans=tuple((sec.id, sec.action_plan) for sec in counted if sec.status == "not_met" and sec.action_plan),
        action_plan_route=scheme.action_plan_route,
        sign_off=tuple(form.sign_off),
    )


def build(assessment: Assessment, *, only_gaps: bool = False) -> Outline:
    """The outline of one trust's report (``only_gaps``: the summary tables keep only the gaps' rows).

    A scheme with a declaration form comes first (a board reads the decision it
    signs before the schemes that inform it); the others keep their order.
    """
    a = assessment
    ordered = sorted(a.schemes, key=lambda s: s.declaration is None)
    schemes = tuple(scheme_outline(s, only_gaps=only_gaps) for s in ordered)
    first = next((d for d in map(declaration, ordered) if d is not None), None)
    return Outline(
        assessment=a,
        trust=filled(a.trust.name),
        ods_code=filled(a.trust.ods_code),
        submitted_on=filled(a.submitted_on),
        submitted_by=filled(a.submitted_by),
        status=a.status,
        schemes=schemes,
        only_gaps=only_gaps,
        unverified=any(s.unverified for s in schemes),
        declaration=first,
        signals=signals_of(a),
    )
