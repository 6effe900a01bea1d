"""The assessment: the one tree every renderer reads (terminal, JSON, Markdown, HTML, challenge).

Findings are data.  Each requirement says its status, what was measured
against what, the shortfall in natural units, the records behind a failing
figure, the evidence used or missing, and how sure we are of the values the
rule rests on.  The JSON form carries a ``schema_version``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "SCHEMA_VERSION",
    "Status",
    "STATUS_ORDER",
    "RecordRef",
    "ParameterUse",
    "RunChart",
    "LeafResult",
    "RequirementResult",
    "SectionResult",
    "DeclarationForm",
    "SchemeResult",
    "TrustInfo",
    "Assessment",
    "NOT_YET_FILLED",
    "filled",
]

SCHEMA_VERSION = "1"

Status = Literal["met", "not_met", "insufficient_evidence", "not_applicable"]
#: Worst first: the order summaries and gap lists use.
STATUS_ORDER: tuple[Status, ...] = ("not_met", "insufficient_evidence", "met", "not_applicable")


class _Result(BaseModel):
    # defer_build: a model's validator is built when first needed.  A command-line run
    # validates only the evidence, so building every schema at import is wasted start-up.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


R = TypeVar("R", bound=_Result)
_FIELDS: dict[type[BaseModel], tuple[str, ...]] = {}


def build(cls: type[R], values: dict[str, Any], *, in_order: bool = False) -> R:
    """Make a result model from values the engine already produced with their final types.

    The engine builds ~150 result objects per assessment; validating them (or
    pydantic's pure-Python ``model_construct``) cost more than the rules engine
    itself.  ``values`` must name every field (a missing one is a KeyError
    here, unless the caller vouches with ``in_order``); the tests round-trip every example through JSON and
    ``model_validate`` and require equality, so a wrong type fails there.
    """
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(cls.model_fields)
    # JSON comes out in the dict's order, so it must be the schema's.  Hot call sites
    # write their values in field order and say so (the snapshots pin the order).
    ordered = values if in_order else {name: values[name] for name in names}
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", ordered)
    object.__setattr__(obj, "__pydantic_fields_set__", set(names))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


class RecordRef(_Result):
    """A record behind a figure: a case id, a missed window, a staff group below threshold."""

    id: str
    reason: str


class ParameterUse(_Result):
    """A parameter a verdict rests on, with its verification status and any override."""

    id: str
    #: Dates are given as ISO text (2020-04-01), so the value reads back from JSON unchanged.
    value: bool | int | float | str
    unit: str | None = None
    status: Literal["confirmed", "partly_confirmed", "unconfirmed"]
    source: str
    overridden: bool = False
    default: bool | int | float | str | None = None


class RunChart(_Result):
    """A monthly series of a rate as an XmR chart (NHS England's *Making Data Count*), as data to draw.

    One entry per month in every list.  ``mean`` and the limits are None when
    the series is too short to set them (:data:`compliance.spc.MIN_POINTS`);
    ``rules`` gives, for each month, the special-cause rules its point is part
    of.  ``variation`` is what the variation icon shows (the latest month);
    ``assurance`` whether the limits lie wholly on one side of the trajectory
    for the year assessed.
    """

    months: list[str]
    values: list[float]
    events: list[int]
    population: list[int]
    trajectory: list[float]
    direction: Literal["lower_is_better", "higher_is_better", "neutral"]
    mean: float | None
    mean_moving_range: float | None
    lower_limit: float | None
    upper_limit: float | None
    rules: list[list[str]]
    variation: Literal["common_cause", "improvement", "concern", "neutral_high", "neutral_low"] | None
    assurance: Literal["consistently_passes", "consistently_fails", "inconsistent"] | None
    target: float | None


class LeafResult(_Result):
    """One comparison inside a rule: measure, value, threshold, and whether it held."""

    measure: str
    describe: str
    outcome: Literal["true", "false", "unknown", "not_applicable"]
    value: float | bool | None = None
    display: str = ""
    unit: str = ""
    comparison: str
    threshold: float | bool | None = None
    threshold_display: str | None = None
    threshold_param: str | None = None
    shortfall: str | None = None
    records: list[RecordRef] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    note: str | None = None
    #: For trajectory measures: the trajectory's stated points (year, value), parameters resolved,
    #: the year it was interpolated for, and the previous period's rate and trend when given.
    trajectory: list[tuple[int, float]] | None = None
    trajectory_year: int | None = None
    previous: float | None = None
    trend: Literal["improving", "worsening", "unchanged"] | None = None
    #: For trajectory measures with a monthly series in the evidence: its XmR chart.
    run_chart: RunChart | None = None


class RequirementResult(_Result):
    id: str
    title: str
    status: Status
    explanation: str
    verification: Literal["confirmed", "partly_confirmed", "unconfirmed"]
    #: True when the requirement or any parameter it used is not confirmed.
    rests_on_unverified: bool
    severity: str
    source: str
    text: str
    fired_rule: str = Field(description="The durable-rules rule whose firing decided the status.")
    measurements: list[LeafResult]
    shortfall: str | None = None
    records: list[RecordRef] = Field(default_factory=list)
    evidence_used: list[str] = Field(default_factory=list)
    missing_evidence: list[str] = Field(default_factory=list)
    parameters: list[ParameterUse] = Field(default_factory=list)
    remediation: str
    challenge: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class SectionResult(_Result):
    id: str
    title: str
    status: Status
    rollup: str
    in_outcome: bool
    explanation: str
    counts: dict[str, int]
    fired_rule: str
    requirements: list[RequirementResult]
    challenge: list[str] = Field(default_factory=list)
    action_plan: str | None = None
    #: What the section is where it is not of the scheme's own level (e.g. "condition").
    counts_as: str | None = None


class DeclarationForm(_Result):
    """The form the board signs for a scheme that has one, as the scheme declares it."""

    title: str
    source: str
    sign_off: list[str]


class SchemeResult(_Result):
    id: str
    title: str
    version: str
    publisher: str
    status: Status
    outcome: str
    explanation: str
    counts: dict[str, int]
    fired_rule: str
    unmet_sections: list[str] = Field(default_factory=list)
    action_plan_route: str | None = None
    #: The declaration deadline, and the days left to it when the assessment is made before it:
    #: the verdict is then a position so far, not a final one.
    deadline: dt.date | None = None
    days_to_deadline: int | None = None
    sections: list[SectionResult]
    #: What the scheme calls its sections and requirements ("safety action", "standard"), for counts.
    level: str = "section"
    level_plural: str = "sections"
    requirement_level: str = "standard"
    declaration: DeclarationForm | None = None
    parameter_overrides: list[ParameterUse] = Field(default_factory=list)
    unverified_requirements: int = 0


#: What reports show for a header field the evidence left blank.
NOT_YET_FILLED = "(not yet filled)"


def filled(value: object) -> str:
    """``value`` as text, or "(not yet filled)" for a blank (None)."""
    return NOT_YET_FILLED if value is None else str(value)


class TrustInfo(_Result):
    #: None when the evidence left it blank (a template being filled in).
    name: str | None
    ods_code: str | None


class Assessment(_Result):
    """The result of assessing one trust's evidence against one or more schemes."""

    schema_version: str = SCHEMA_VERSION
    trust: TrustInfo
    period_start: dt.date
    period_end: dt.date
    assessed_as_of: dt.date
    #: None when the evidence left them blank.
    submitted_on: dt.date | None
    submitted_by: str | None
    source: str | None = Field(None, description="The evidence file assessed, if it came from a file.")
    status: Status
    schemes: list[SchemeResult]

    @property
    def all_met(self) -> bool:
        return all(s.status in ("met", "not_applicable") for s in self.schemes)

    def scheme(self, scheme_id: str) -> SchemeResult:
        for s in self.schemes:
            if s.id == scheme_id:
                return s
        raise KeyError(scheme_id)

    def requirement(self, requirement_id: str) -> RequirementResult:
        for s in self.schemes:
            for sec in s.sections:
                for r in sec.requirements:
                    if r.id == requirement_id:
                        return r
        raise KeyError(requirement_id)

    def section(self, section_id: str) -> SectionResult:
        for s in self.schemes:
            for sec in s.sections:
                if sec.id == section_id:
                    return sec
        raise KeyError(section_id)
