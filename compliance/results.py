"""The assessment: the one tree every renderer reads (terminal, JSON, Markdown, HTML, challenge).

Findings are data.  Each requirement says its status, why (a :class:`Reason`:
a code from the closed list :data:`REASON_CODES` with its parameters), what was
measured against what, the shortfall in natural units, the records behind a
failing figure (each with its own code), the evidence used or missing, and how
sure we are of the values the rule rests on.  The result tree holds no
sentence written by the assessment: every report words the codes through
:mod:`compliance.report.wording` (the codes are documented in
``docs/reason-codes.md``).  The JSON form carries a ``schema_version``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "SCHEMA_VERSION",
    "REASON_CODES",
    "RECORD_CODES",
    "Scalar",
    "Reason",
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

#: "2": reasons as codes with parameters (``reason`` on leaves and requirements, ``code`` and
#: ``params`` on records); the assessment's sentences (``explanation``, ``outcome``) left the tree.
SCHEMA_VERSION = "2"

Status = Literal["met", "not_met", "insufficient_evidence", "not_applicable"]
#: Worst first: the order summaries and gap lists use.
STATUS_ORDER: tuple[Status, ...] = ("not_met", "insufficient_evidence", "met", "not_applicable")


class _Result(BaseModel):
    # defer_build: a model's validator is built when first needed.  A command-line run
    # validates only the evidence, so building every schema at import is wasted start-up.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


R = TypeVar("R", bound=_Result)
_FIELDS: dict[type[BaseModel], tuple[tuple[str, ...], frozenset[str]]] = {}

# The slots every pydantic model has, set through their descriptors: measured 0.32 us a result
# object against 1.34 us through ``object.__setattr__`` by name (~1,000 objects an assessment).
_new = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def build(cls: type[R], values: dict[str, Any], *, in_order: bool = False) -> R:
    """Make a result model from values the engine already produced with their final types.

    The engine builds ~1,000 result objects per assessment of the bundled
    schemes; validating them (or pydantic's pure-Python ``model_construct``)
    cost more than the rules engine itself.  ``values`` must name every field
    (a missing one is a KeyError here, unless the caller vouches with
    ``in_order``); the tests round-trip every example through JSON and
    ``model_validate`` and require equality, so a wrong type fails there.
    """
    known = _FIELDS.get(cls)
    if known is None:
        known = _FIELDS[cls] = (tuple(cls.model_fields), frozenset(cls.model_fields))
    # JSON comes out in the dict's order, so it must be the schema's.  Hot call sites
    # write their values in field order and say so (the snapshots pin the order).
    ordered = values if in_order else {name: values[name] for name in known[0]}
    obj = _new(cls)
    _set_dict(obj, ordered)
    _set_fields_set(obj, set(known[1]))
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


#: A reason's parameter: a number, yes/no, text (an id, an evidence path, an ISO date) or a list of them.
Scalar = bool | int | float | str | None
ParamValue = Scalar | list[str] | list[int] | list[float]

#: Why a comparison or requirement came out as it did: each code with the parameters it may carry.
#: Closed: findings emit no other code, and every code is worded in compliance.report.wording and
#: documented in docs/reason-codes.md (tests hold the three together).
REASON_CODES: dict[str, tuple[str, ...]] = {
    # held
    "holds": ("measured", "threshold", "comparison", "unit"),
    # failed (not met)
    "below_threshold": ("measured", "threshold", "comparison", "unit", "numerator", "denominator", "shortfall", "records"),
    "above_threshold": ("measured", "threshold", "comparison", "unit", "numerator", "denominator", "shortfall", "records"),
    "not_as_required": ("measured", "threshold", "comparison"),
    "late": ("measured", "threshold", "comparison", "unit", "numerator", "denominator", "shortfall", "records", "not_yet_due"),
    "missed_window": ("measured", "threshold", "windows", "shortfall", "records"),
    "stale_document": ("measured", "threshold", "unit", "dated", "as_of", "shortfall"),
    "above_trajectory": ("measured", "threshold", "unit", "year", "events", "population", "shortfall", "previous", "trend"),
    "not_attested": ("records",),
    "not_claimed": ("records",),
    "dated_outside_period": ("records", "dated", "period_start", "period_end"),
    "signed_outside_period": ("records", "dated", "period_start", "period_end"),
    "wrong_order": ("records", "earlier", "later", "earlier_date", "later_date"),
    "inconsistent_between_actions": ("measured", "records"),
    "over_limit": ("measured", "threshold", "comparison", "shortfall", "records"),
    "scheme_not_met": ("scheme",),
    # unknown (insufficient evidence)
    "missing_evidence": ("missing",),
    "self_attested": ("missing", "records"),
    "undated_document": ("missing", "records"),
    "no_board_approval_date": ("missing", "records"),
    "unsigned": ("missing", "records"),
    "small_numbers": ("measured", "threshold", "unit", "events", "min_events"),
    "suppressed": ("threshold",),
    "not_comparable": ("threshold",),
    "decided_externally": (),
    "scheme_undecided": ("scheme",),
    # not applicable
    "not_in_force": ("from", "until", "as_of", "note"),
    "no_records": ("records_path",),
    "not_yet_due": ("not_yet_due", "records_path", "as_of"),
    "no_window_ended": ("as_of",),
    "nothing_to_compare": ("missing",),
    "zero_denominator": ("records_path",),
    "scheme_not_applicable": ("scheme",),
}

#: What a record behind a figure shows, each code with its parameters (documented with the reasons).
RECORD_CODES: dict[str, tuple[str, ...]] = {
    "late": ("field", "date", "days_late", "due", "limit", "start_field", "start"),
    "not_done": ("field", "due", "limit", "start_field", "start"),
    "field_not_equal": ("field", "value", "expected"),
    "missed_window": ("from", "until", "covering"),
    "not_claimed": (),
    "not_attested": (),
    "self_attested": (),
    "undated_document": ("title",),
    "dated_outside_period": ("title", "dated", "period_start", "period_end"),
    "no_board_approval_date": (),
    "signed_outside_period": ("dated", "period_start", "period_end"),
    "unsigned": (),
    "wrong_order": ("date", "later", "later_date"),
    "over_limit": ("measured", "comparison", "threshold"),
    "inconsistent_between_actions": ("a", "a_value", "b", "b_value"),
    "group_below_threshold": ("measured", "numerator", "denominator", "needed"),
}


class Reason(_Result):
    """Why: a code from :data:`REASON_CODES` and its parameters (only those it has, none invented)."""

    code: str
    params: dict[str, ParamValue] = Field(default_factory=dict)


class RecordRef(_Result):
    """A record behind a figure: a case id, a missed window, a staff group below threshold."""

    id: str
    #: What the record shows, from :data:`RECORD_CODES`, with its parameters.
    code: str
    params: dict[str, ParamValue] = Field(default_factory=dict)


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
    reason: Reason
    value: float | bool | None = None
    display: str = ""
    unit: str = ""
    comparison: str
    threshold: float | bool | None = None
    #: The threshold's unit (its parameter's, or the measure's own).
    threshold_unit: str | None = None
    #: The threshold as the measure shows it, when the measure brings its own ("3.78 per 1,000 (2021 trajectory)").
    threshold_shown: str | None = None
    #: The scheme's own words for what the threshold asks, when its parameter has them.
    threshold_words: str | None = None
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
    #: Why: the deciding comparison's reason; ``params["measurements"]`` lists the indexes of the
    #: measurements that decided (those standing in the way, or unknown), so a roll-up can point to them.
    reason: Reason
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
    #: The scheme's own words for what its verdict means (None when it has none for this status).
    outcome: str | None
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
    #: For a version of a scheme family (MIS Year 3, Year 4...): which version was assessed and why.
    version_chosen: str | None = None


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
