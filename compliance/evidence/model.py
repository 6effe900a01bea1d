"""A trust's whole submission: the root evidence model, and evidence-path resolution."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr

from .catalogue import (
    Attestations,
    Cases,
    Counts,
    Events,
    Figures,
    Groups,
    Rates,
    Series,
    Teams,
)
from .records import Attestation, Date, Period, Person, Strict, Trust

__all__ = ["Evidence", "EVIDENCE_SCHEMA_VERSION", "resolve", "evidence_json_schema"]

EVIDENCE_SCHEMA_VERSION = "1"


class Evidence(Strict):
    """Everything one trust submits for one reporting period."""

    schema_version: Literal["1"] = Field("1", description="Version of this evidence format.")
    trust: Trust
    period: Period
    schemes: tuple[str, ...] | None = Field(
        None,
        description="The bundled schemes this submission is for (e.g. ['mis-y3']); by default every scheme whose evidence it mostly holds.",
    )
    assessment_date: Date | None = Field(
        None,
        description="The date the assessment is made as of (defaults to the period end, or to today while the period runs); "
        "date-effective targets switch on it.",
    )
    submitted_by: Person
    #: Blank (null) is "not yet filled": allowed, and listed by :attr:`blanks`.
    submitted_on: Date | None = Field(description="The date the evidence was submitted; nothing in it may be dated later.")
    board_sign_off: Attestation | None = Field(None, description="The trust board's sign-off of the declaration (MIS-Y3-COND-2).")
    # A section left out is an empty one, made directly: calling the class (validating nothing)
    # would build that section's own validator (~0.5 ms each) for a file that does not use it.
    counts: Counts = Field(default_factory=Counts.model_construct)
    figures: Figures = Field(default_factory=Figures.model_construct)
    groups: Groups = Field(default_factory=Groups.model_construct)
    events: Events = Field(default_factory=Events.model_construct)
    attestations: Attestations = Field(default_factory=Attestations.model_construct)
    rates: Rates = Field(default_factory=Rates.model_construct)
    series: Series = Field(default_factory=Series.model_construct)
    teams: Teams = Field(default_factory=Teams.model_construct)
    cases: Cases = Field(default_factory=Cases.model_construct)

    # Set by the loader; not an input field, so a submission cannot claim its own blanks.
    _blanks: tuple[str, ...] = PrivateAttr(default=())

    @property
    def blanks(self) -> tuple[str, ...]:
        """The fields left blank (null) that need a value, as JSON paths in document order.

        A blank inside a catalogue item means that item was treated as not
        submitted; a blank in the header (trust name, ODS code, submitter,
        submission date) is allowed.  ``compliance validate`` lists them as
        "not yet filled".
        """
        return self._blanks

    #: Set by the loader: what the reader noticed and did not refuse (a workbook's extra columns, ignored).
    _notes: tuple[str, ...] = PrivateAttr(default=())

    @property
    def notes(self) -> tuple[str, ...]:
        """What reading the file noticed and set aside without refusing it, such as columns a workbook's user added."""
        return self._notes

    #: Set by the loader: the file the evidence was read from (None for data given in code).
    _file: str | None = PrivateAttr(default=None)

    @property
    def file(self) -> str | None:
        """The file the evidence was read from, for problems found after loading (a scheme it names that does not exist)."""
        return self._file

    #: Set by the loader when the period has not ended yet: a mid-year check is made as of today.
    _today: dt.date | None = PrivateAttr(default=None)

    @property
    def as_of(self) -> dt.date:
        """The assessment date: given explicitly, else the end of the period, or today if that is earlier."""
        if self.assessment_date is not None:
            return self.assessment_date
        if self._today is not None and self._today < self.period.end:
            return self._today
        return self.period.end


def resolve(evidence: BaseModel, path: str) -> Any:
    """The value at a dotted evidence path (``counts.sbl_e1_co_at_booking``); ``None`` if not submitted."""
    value: Any = evidence
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def evidence_json_schema() -> dict[str, Any]:
    """The JSON Schema of the evidence format, for other tools and editors."""
    schema = Evidence.model_json_schema()
    return schema
