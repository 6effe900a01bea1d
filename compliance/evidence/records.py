"""The building blocks of a trust's submission: figures, dated events, attestations, case records.

Every model forbids unknown keys (they are reported with a suggestion, never
dropped) and is frozen, so evidence cannot change under an assessment.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator
from pydantic import Strict as _StrictType
from pydantic_core import PydanticCustomError

__all__ = [
    "Strict",
    "Trust",
    "Period",
    "Person",
    "DocumentRef",
    "Attestation",
    "Count",
    "DatedEvent",
    "Rate",
    "RateDefinition",
    "RateDenominator",
    "DENOMINATOR_WORDS",
    "PreviousRate",
    "Month",
    "MonthlyCount",
    "MAX_MONTHS",
    "check_series",
    "Team",
    "PerinatalDeath",
    "QualifyingCase",
    "DASHBOARD_ITEMS",
    "StrictInt",
    "StrictFloat",
    "StrictBool",
    "Date",
    "PERCENT",
    "COUNT_INCOMPLETE",
]


class Strict(BaseModel):
    # defer_build: a model's validator is built when first needed.  A command-line run
    # validates only the evidence, so building every schema at import is wasted start-up.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, str_strip_whitespace=True, defer_build=True)


NonEmpty = Annotated[str, StringConstraints(min_length=1)]

# Numbers and yes/no answers must arrive as JSON numbers and booleans.  Lax
# validation would read the text "80" as 80, true as 1 and "yes" as true: a
# figure typed into the wrong cell would be assessed as if it were right.  The
# models are not strict as a whole because dates arrive from JSON as ISO text.
StrictInt = Annotated[int, _StrictType()]
#: A whole number is a number: 35 is accepted where 35.0 could be (never true or "35").
StrictFloat = Annotated[float, _StrictType()]
StrictBool = Annotated[bool, _StrictType()]


def _no_number(value: Any) -> Any:
    # pydantic reads a number as a Unix time: 1609459200 would be 2021-01-01.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise PydanticCustomError("date_type", "Input should be a valid date")
    return value


#: A date: YYYY-MM-DD text (JSON) or a YAML date, never a number.
Date = Annotated[dt.date, BeforeValidator(_no_number)]

#: Field metadata that marks a figure held in percent (0-100): the loader refuses a
#: fraction such as 0.35 there, which would otherwise be read as 0.35%.
PERCENT: dict[str, Any] = {"unit": "%"}

#: The error type a count gives when its numerator or denominator is not there.
COUNT_INCOMPLETE = "count_incomplete"


class Trust(Strict):
    """Who the evidence is about."""

    # A blank (null) name or code is "not yet filled": allowed, and listed by Evidence.blanks.
    name: NonEmpty | None = Field(description="The trust's name, e.g. 'Northfield Hospitals NHS Foundation Trust'.")
    ods_code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3,5}$")] | None = Field(
        description="The trust's ODS code: three to five capital letters or digits, e.g. 'RXX'."
    )


class Period(Strict):
    """The reporting period the evidence covers (inclusive dates)."""

    start: Date = Field(description="First day of the reporting period.")
    end: Date = Field(description="Last day of the reporting period.")


class Person(Strict):
    # Blank (null) is "not yet filled", as for the trust's name.
    name: NonEmpty | None
    role: NonEmpty | None


class DocumentRef(Strict):
    """A document that backs a claim: a board paper, a policy, a report."""

    title: NonEmpty = Field(description="The document's title.")
    reference: str | None = Field(None, description="Its reference or file name in the trust's records.")
    dated: Date | None = Field(None, description="The date on the document.")


class Attestation(Strict):
    """A yes/no claim, ideally backed by a document and approved by the board on a date."""

    attested: StrictBool = Field(description="Does the trust state that this is in place?")
    document: DocumentRef | None = Field(None, description="The document that shows it.")
    board_approved_on: Date | None = Field(None, description="The date the trust board approved or received it.")
    signed_by: str | None = Field(None, description="Who signed it (e.g. the chief executive).")
    note: str | None = None


#: Field metadata: required unless the record is marked ``suppressed`` (a model validator enforces it).
UNLESS_SUPPRESSED: dict[str, Any] = {"required_unless": "suppressed"}


class Count(Strict):
    """A proportion's parts: how many of how many.

    Published figures (MSDS, MBRRACE-UK) suppress small numbers.  A count marked
    ``suppressed`` may leave out its numerator and denominator; it is then
    insufficient evidence, never read as zero.  Otherwise both are required.
    """

    numerator: StrictInt | None = Field(None, ge=0, description="How many met the measure.", json_schema_extra=UNLESS_SUPPRESSED)
    denominator: StrictInt | None = Field(None, ge=0, description="How many the measure applies to.", json_schema_extra=UNLESS_SUPPRESSED)
    suppressed: StrictBool = Field(False, description="true when the source suppressed this figure (small numbers): leave out what it withheld. Judged insufficient evidence, never zero.")
    source: str | None = Field(None, description="Where the figure comes from (audit, MSDS, e-roster ...).")
    as_of: Date | None = Field(None, description="The date the figure was taken.")

    @model_validator(mode="after")
    def _parts_unless_suppressed(self) -> Count:
        if self.suppressed:
            return self
        parts = [p for p in ("numerator", "denominator") if getattr(self, p) is None]
        if parts:
            # The loader tells a key left out (an error) from a key left blank (not yet filled).
            given = self.model_fields_set
            raise PydanticCustomError(
                COUNT_INCOMPLETE,
                "a count needs its numerator and denominator unless it is suppressed",
                {"missing": [p for p in parts if p not in given], "blank": [p for p in parts if p in given]},
            )
        return self


#: Items a board report can say it covered; the board-dashboard cadence rules filter on these.
DASHBOARD_ITEMS: dict[str, str] = {
    "serious_incidents": "All maternity and neonatal Serious Incidents (TPS-DASH-1)",
    "moderate_harm_incidents": "Incidents graded as moderate harm or higher (TPS-DASH-2)",
    "ambition_trajectories": "Trust position against the national ambition trajectories (TPS-DASH-3)",
    "sblcbv2_implementation": "Implementation rate of SBLCBv2 (TPS-DASH-4)",
    "coc_implementation": "Implementation rate of Continuity of Carer (TPS-DASH-4)",
    "safe_staffing": "Safe staffing levels (TPS-DASH-5)",
    "external_concerns": "Correspondence or concerns from regulators, coroners, deaneries and national bodies (TPS-DASH-6)",
    "perinatal_deaths": "Findings of review of all perinatal deaths (PQSM-MDS-1)",
    "hsib_cases": "Findings of review of cases eligible for HSIB referral (PQSM-MDS-2)",
    "training_compliance": "Training compliance for all staff groups (PQSM-MDS-4)",
    "service_user_voice": "Service-user voice feedback (PQSM-MDS-6)",
    "staff_feedback": "Staff feedback from frontline champions and walkabouts (PQSM-MDS-7)",
    "coroner_reg28": "Coroner Regulation 28 reports (PQSM-MDS-9)",
    "mis_progress": "Progress against the CNST MIS ten safety actions (PQSM-MDS-10)",
}

DashboardItem = Literal[
    "serious_incidents",
    "moderate_harm_incidents",
    "ambition_trajectories",
    "sblcbv2_implementation",
    "coc_implementation",
    "safe_staffing",
    "external_concerns",
    "perinatal_deaths",
    "hsib_cases",
    "training_compliance",
    "service_user_voice",
    "staff_feedback",
    "coroner_reg28",
    "mis_progress",
]


class DatedEvent(Strict):
    """Something that happened on a date: a meeting, a walkabout, a report to the board."""

    date: Date = Field(description="When it happened.")
    title: str | None = Field(None, description="What it was, in a few words.")
    document: DocumentRef | None = Field(None, description="Minutes, a paper or a log entry that records it.")
    covers: tuple[DashboardItem, ...] = Field((), description="For board reports: which dashboard items it covered.")


#: What a rate is counted per (audit A13): the population's kind.  A gestation cut-off
#: and a rolling period are separate fields of :class:`RateDefinition`.
RateDenominator = Literal["all_births", "live_births", "maternities", "deliveries"]

#: How reports name each denominator ("per 1,000 live births").
DENOMINATOR_WORDS: dict[str, str] = {
    "all_births": "total births",
    "live_births": "live births",
    "maternities": "maternities",
    "deliveries": "deliveries",
}


class RateDefinition(Strict):
    """What a rate is per: its denominator, any gestation cut-off and any rolling period (audit A13).

    Leaving out a field here means the rate has none of it (no cut-off, one
    period), not that it is unknown; leave out the whole definition when the
    source does not say.
    """

    denominator: RateDenominator = Field(
        description="What the rate is per: all_births (live and still births), live_births, maternities or deliveries."
    )
    gestation_from_weeks: StrictInt | None = Field(
        None, ge=20, le=42, description="Only births at or after this many completed weeks count (24 for MBRRACE-UK's rates); leave out if there is no cut-off."
    )
    rolling_years: StrictInt | None = Field(
        None, ge=2, le=5, description="For a rolling rate, how many years it pools (3 for the maternal mortality rate); leave out for a single period."
    )


def _counts_given(rate: PreviousRate | Rate) -> None:
    """A rate has its counts unless the source suppressed them; a suppressed one has no event count."""
    if rate.suppressed and rate.events is not None:
        raise PydanticCustomError(
            "rate_suppressed_with_events",
            "a rate suppressed in the source has no event count: leave 'events' out, or set 'suppressed: false' to give the count",
        )
    parts = [p for p in ("events", "population") if getattr(rate, p) is None]
    if not rate.suppressed and parts:
        # As for a count: the loader tells a key left out (an error) from one left blank (not yet filled).
        given = rate.model_fields_set
        raise PydanticCustomError(
            COUNT_INCOMPLETE,
            "a rate needs 'events' and 'population' ({gone} not given), or 'suppressed: true' if the source suppresses it",
            {"gone": " and ".join(parts), "missing": [p for p in parts if p not in given], "blank": [p for p in parts if p in given]},
        )


class PreviousRate(Strict):
    events: StrictInt | None = Field(None, ge=0, description="How many events in the previous period.", json_schema_extra=UNLESS_SUPPRESSED)
    population: StrictInt | None = Field(None, gt=0, description="Out of how many, in the previous period.", json_schema_extra=UNLESS_SUPPRESSED)
    suppressed: StrictBool = Field(False, description="true if the source suppresses the previous period's figure (small numbers): no trend is shown.")
    label: str | None = Field(None, description="Which period it is, e.g. '2019/20'.")

    @model_validator(mode="after")
    def _counts(self) -> PreviousRate:
        _counts_given(self)
        return self


class Rate(Strict):
    """An outcome rate's counts, where they come from and what they are per; the scheme says per how many it is expressed."""

    events: StrictInt | None = Field(None, ge=0, description="How many events (e.g. stillbirths).", json_schema_extra=UNLESS_SUPPRESSED)
    population: StrictInt | None = Field(None, gt=0, description="Out of how many (e.g. births).", json_schema_extra=UNLESS_SUPPRESSED)
    suppressed: StrictBool = Field(
        False,
        description="true if the published source suppresses the figure (small numbers): it is judged insufficient evidence, never read as zero.",
    )
    source: str | None = Field(None, description="Where the rate comes from, e.g. 'MBRRACE-UK trust-level perinatal mortality rates, births in 2023'.")
    definition: RateDefinition | None = Field(
        None,
        description="What the rate is per (denominator, gestation cut-off, rolling period); a rate is compared only with a trajectory of the same definition.",
    )
    previous: PreviousRate | None = Field(None, description="The same figure for the previous period, to show a trend.")

    @model_validator(mode="after")
    def _counts(self) -> Rate:
        _counts_given(self)
        return self


#: A calendar month, "2021-06".
Month = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]

#: The longest monthly series read: ten years.  Making Data Count charts use 15 to 30 points.
MAX_MONTHS = 120


class MonthlyCount(Strict):
    """One month of an outcome rate's counts, for a run chart (NHS England's *Making Data Count*)."""

    month: Month = Field(description="The calendar month, as YYYY-MM (e.g. '2021-06').")
    events: StrictInt = Field(ge=0, description="How many events in the month (e.g. stillbirths).")
    population: StrictInt = Field(gt=0, description="Out of how many in the month (e.g. births).")

    @model_validator(mode="after")
    def _events_within(self) -> MonthlyCount:
        if self.events > self.population:
            raise PydanticCustomError(
                "monthly_events_exceed_population",
                "{events} events in {month} is more than its population of {population}",
                {"events": self.events, "month": self.month, "population": self.population},
            )
        return self


def _month_number(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def check_series(series: list[MonthlyCount] | None) -> list[MonthlyCount] | None:
    """A monthly series runs oldest first, one entry per month, none missing or repeated."""
    if series is None:
        return None
    if len(series) > MAX_MONTHS:
        raise PydanticCustomError("series_too_long", "{n} months given: at most {most} are read", {"n": len(series), "most": MAX_MONTHS})
    for i, (before, this) in enumerate(zip(series, series[1:]), start=1):
        if _month_number(this.month) != _month_number(before.month) + 1:
            raise PydanticCustomError(
                "series_not_consecutive",
                "entry {i} ({month}) follows {before}: a series has one entry per month, oldest first, none missing or repeated",
                {"i": i, "month": this.month, "before": before.month},
            )
    return series


class Team(Strict):
    """A continuity-of-carer midwifery team."""

    name: NonEmpty
    midwives_headcount: StrictInt = Field(ge=0, description="Midwives in the team (headcount, not WTE).")
    midwives_wte: StrictFloat | None = Field(None, ge=0, description="Whole-time equivalent midwives.")
    women_per_year: StrictInt | None = Field(None, ge=0, description="Women cared for by the team in a year.")


DeathCategory = Literal["late_fetal_loss", "stillbirth", "neonatal_death", "post_neonatal_death"]


class PerinatalDeath(Strict):
    """One death that is eligible for notification to MBRRACE-UK and review with the PMRT."""

    id: NonEmpty = Field(description="The trust's case id (no patient identifiers).")
    died_on: Date = Field(description="Date of death.")
    category: DeathCategory = Field(description="late_fetal_loss, stillbirth, neonatal_death or post_neonatal_death.")
    born_in_trust: StrictBool = Field(True, description="Born in (or, for home births, cared for by) this trust.")
    died_in_trust: StrictBool = Field(True, description="Died in this trust (the trust responsible for reporting).")
    suitable_for_review: StrictBool = Field(True, description="Suitable for review with the PMRT.")
    notified_on: Date | None = Field(None, description="Date notified to MBRRACE-UK.")
    surveillance_completed_on: Date | None = Field(None, description="Date MBRRACE-UK surveillance information was completed.")
    review_started_on: Date | None = Field(None, description="Date the PMRT review started.")
    draft_report_on: Date | None = Field(None, description="Date the review reached at least the PMRT draft-report stage.")
    final_report_on: Date | None = Field(None, description="Date the final PMRT report was published.")
    parents_informed: StrictBool | None = Field(None, description="Parents told a review will take place and their perspectives sought.")


QualifyingCriterion = Literal[
    "grade_3_hie",
    "therapeutic_cooling",
    "tone_coma_seizures",
    "intrapartum_stillbirth",
    "early_neonatal_death",
    "maternal_death",
    # From 1 April 2022: an abnormal MRI showing changes of intrapartum HIE (EN-Y4-2; MIS-Y4-SA10).
    "abnormal_mri",
]


class QualifyingCase(Strict):
    """A case qualifying for HSIB investigation or the NHS Resolution Early Notification scheme."""

    id: NonEmpty
    born_on: Date = Field(description="Date of birth (or of the incident).")
    criterion: QualifyingCriterion = Field(description="Which qualifying criterion it meets (reference EN-1, HSIB-1).")
    reported_to: Literal["NHSR", "HSIB"] | None = Field(None, description="Where it was reported, if it was.")
    reported_on: Date | None = Field(None, description="When it was reported.")
    en_notified: StrictBool | None = Field(
        None,
        description="From 1 April 2022: the trust's legal team notified NHS Resolution's Early Notification scheme through the Claims "
        "Reporting Wizard, quoting the HSIB reference, once HSIB confirmed an investigation (EN-Y4-2, MIS-Y4-SA10.b).",
    )
    family_informed: StrictBool | None = Field(None, description="Family given information about HSIB / Early Notification.")
    duty_of_candour_met: StrictBool | None = Field(None, description="Duty of candour met for the family.")
    gestation_weeks: StrictInt | None = Field(
        None, ge=16, le=45, description="Completed weeks of pregnancy at birth (37 for 37+0 to 37+6); a case below term is not an EN or HSIB case (EN-1, HSIB-1)."
    )
