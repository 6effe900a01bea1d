"""Proportions computed from case records, so every percentage can be traced to its cases.

``case_proportion`` counts records where a field has a value (parents
informed); ``timeliness`` counts records where the interval from one date to
another is within a limit in calendar days, England's working days or
calendar months (review started within two months of the death).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from ..vocabulary import Comparison, ParamRef
from .base import (
    Context,
    Evaluator,
    Measurement,
    Number,
    Params,
    Read,
    Record,
    fmt_num,
    more_needed,
    register,
)
from .calendar import add_months, add_working_days
from .proportion import pct

__all__ = ["CaseProportion", "Timeliness"]

DateBound = dt.date | ParamRef


class Between(Params):
    """Keep records whose date field falls between two dates (inclusive)."""

    field: str
    from_: DateBound | None = Field(None, alias="from")
    until: DateBound | None = None


class CaseFilter(Params):
    records: str
    where: dict[str, bool | str | int] = Field(default_factory=dict, description="Keep records whose fields equal these values.")
    at_least: dict[str, Number] = Field(
        default_factory=dict,
        description="Leave out records whose numeric field is given and below this value (a case born before 37 "
        "completed weeks is not a term case); a record without the field is kept, on the trust's own judgement.",
    )
    between: Between | None = None
    empty: Literal["not_applicable", "met"] = Field(
        "not_applicable", description="What an empty set of records means: not applicable (default)."
    )


def _date(value: DateBound | None, ctx: Context) -> dt.date | None:
    if isinstance(value, ParamRef):
        ctx.used_params.add(value.param)
        raw = ctx.param(value.param)
        return raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw))
    return value


def _plain(value: Any) -> Any:
    """A record's value as a reason parameter: dates as ISO text, anything else not a scalar as its repr."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value if value is None or isinstance(value, (bool, int, float, str)) else repr(value)


def _select(params: CaseFilter, ctx: Context) -> tuple[list[BaseModel] | None, str]:
    records = ctx.get(params.records)
    if records is None:
        return None, ""
    chosen = [r for r in records if all(getattr(r, k) == v for k, v in params.where.items())]
    what = ", ".join(f"{k} = {v}" for k, v in params.where.items())
    for name, bound in params.at_least.items():
        floor = ctx.num(bound)
        chosen = [r for r in chosen if getattr(r, name) is None or getattr(r, name) >= floor]
        what = ", ".join(filter(None, [what, f"{name} at least {fmt_num(floor)} where given"]))
    if params.between is not None:
        lo, hi = _date(params.between.from_, ctx), _date(params.between.until, ctx)
        field = params.between.field
        chosen = [r for r in chosen if (lo is None or getattr(r, field) >= lo) and (hi is None or getattr(r, field) <= hi)]
        what = ", ".join(filter(None, [what, f"{field} between {lo or 'any date'} and {hi or 'any date'}"]))
    return chosen, what


def _empty(params: CaseFilter, what: str, evidence: tuple[str, ...]) -> Measurement:
    reason = f"no records in {params.records}" + (f" with {what}" if what else "") + ("" if params.between else " in the period")
    if params.empty == "met":
        return Measurement("ok", 100.0, "%", "100% (no records)", evidence=evidence, detail={"numerator": 0, "denominator": 0})
    return Measurement("na", evidence=evidence, na_reason=reason, reason="no_records", reason_params={"records_path": params.records})


def _finish(good: int, total: int, failing: list[Record], evidence: tuple[str, ...], extra: str = "") -> Measurement:
    value = pct(good, total)
    return Measurement(
        "ok",
        value,
        "%",
        f"{fmt_num(value)}% ({good} of {total}){extra}",
        evidence=evidence,
        records=tuple(failing),
        detail={"numerator": good, "denominator": total},
    )


def _shortfall(m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
    return more_needed(m.detail["numerator"], m.detail["denominator"], op, float(threshold), describe)


class CaseProportionParams(CaseFilter):
    field: str = Field(description="The record field to test.")
    equals: bool | str | int = Field(True, description="The value that counts.")


@register
class CaseProportion(Evaluator):
    """Share of case records whose ``field`` equals a value; the others are listed by id."""

    kind = "case_proportion"
    Params = CaseProportionParams
    value_type = float
    example = """\
measure:
  kind: case_proportion
  records: cases.perinatal_deaths
  where: {suitable_for_review: true}
  field: parents_informed
  equals: true
compare: ">="
threshold: MIS.Y3.SA1.d.parents_informed_coverage
describe: deaths with parents informed
"""

    def evidence_paths(self, params: CaseProportionParams) -> dict[str, tuple[type, ...]]:
        return {params.records: (list,)}

    def reads(self, params: CaseProportionParams) -> tuple[Read, ...]:
        # A record with no value in the field does not equal the value that counts.
        return (Read(params.records), Read(f"{params.records}[].{params.field}", "false"))

    def record_fields(self, params: CaseProportionParams) -> dict[str, tuple[type, ...]]:
        fields: dict[str, tuple[type, ...]] = {k: (type(v),) for k, v in params.where.items()}
        fields.update({k: (int, float) for k in params.at_least})
        fields[params.field] = (type(params.equals),)
        if params.between:
            fields[params.between.field] = (dt.date,)
        return fields

    def measure(self, params: CaseProportionParams, ctx: Context) -> Measurement:
        evidence = (params.records,)
        chosen, what = _select(params, ctx)
        if chosen is None:
            return Measurement("missing", missing=evidence, evidence=evidence)
        if not chosen:
            return _empty(params, what, evidence)
        failing = [
            Record(
                str(getattr(r, "id", i)),
                f"{params.field} is {getattr(r, params.field)!r}, not {params.equals!r}",
                "field_not_equal",
                {"field": params.field, "value": _plain(getattr(r, params.field)), "expected": _plain(params.equals)},
            )
            for i, r in enumerate(chosen)
            if getattr(r, params.field) != params.equals
        ]
        return _finish(len(chosen) - len(failing), len(chosen), failing, evidence)

    def shortfall(self, params: CaseProportionParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
        return _shortfall(m, threshold, op, describe)


class Within(Params):
    days: Number | None = None
    working_days: Number | None = None
    months: Number | None = None

    @model_validator(mode="after")
    def _one(self) -> Within:
        given = [k for k in ("days", "working_days", "months") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of days, working_days, months")
        return self


class TimelinessParams(CaseFilter):
    start: str = Field(description="The record's date field the clock starts from (e.g. died_on).")
    end: str = Field(description="The record's date field that must come in time (e.g. review_started_on).")
    within: Within


@register
class Timeliness(Evaluator):
    """Share of records whose ``end`` date came within a limit of their ``start`` date.

    Limits are in calendar days, England's working days (weekends and bank
    holidays skipped) or calendar months.  A record with no ``end`` date whose
    deadline is still ahead of the assessment date is *not yet due* and left
    out; one whose deadline has passed counts as late.
    """

    kind = "timeliness"
    fails_as = "late"
    Params = TimelinessParams
    value_type = float
    example = """\
measure:
  kind: timeliness
  records: cases.perinatal_deaths
  where: {suitable_for_review: true}
  start: died_on
  end: review_started_on
  within: {months: {param: MIS.Y3.SA1.b.review_started_within}}
compare: ">="
threshold: MIS.Y3.SA1.b.coverage
describe: reviews started within two months
"""

    def evidence_paths(self, params: TimelinessParams) -> dict[str, tuple[type, ...]]:
        return {params.records: (list,)}

    def reads(self, params: TimelinessParams) -> tuple[Read, ...]:
        # A record with no end date counts as late once its deadline has passed.
        return (Read(params.records), Read(f"{params.records}[].{params.end}", "false"))

    def record_fields(self, params: TimelinessParams) -> dict[str, tuple[type, ...]]:
        fields: dict[str, tuple[type, ...]] = {k: (type(v),) for k, v in params.where.items()}
        fields.update({k: (int, float) for k in params.at_least})
        fields[params.start] = (dt.date,)
        fields[params.end] = (dt.date,)
        if params.between:
            fields[params.between.field] = (dt.date,)
        return fields

    def deadline(self, params: TimelinessParams, start: dt.date, ctx: Context) -> tuple[dt.date, str]:
        w = params.within
        if w.working_days is not None:
            n = int(ctx.num(w.working_days))
            return add_working_days(start, n), f"{n} working days"
        if w.months is not None:
            n = int(ctx.num(w.months))
            return add_months(start, n), f"{n} month{'s' if n != 1 else ''}"
        assert w.days is not None
        n = int(ctx.num(w.days))
        return start + dt.timedelta(days=n), f"{n} days"

    def measure(self, params: TimelinessParams, ctx: Context) -> Measurement:
        evidence = (params.records,)
        chosen, what = _select(params, ctx)
        if chosen is None:
            return Measurement("missing", missing=evidence, evidence=evidence)
        failing: list[Record] = []
        due = 0
        not_due = 0
        limit = ""
        for i, r in enumerate(chosen):
            start: dt.date = getattr(r, params.start)
            end: dt.date | None = getattr(r, params.end)
            deadline, limit = self.deadline(params, start, ctx)
            rid = str(getattr(r, "id", i))
            if end is None:
                if deadline > ctx.as_of:
                    not_due += 1
                    continue
                failing.append(
                    Record(
                        rid,
                        f"no {params.end} (due by {deadline}, {limit} after {params.start} {start})",
                        "not_done",
                        {"field": params.end, "due": deadline.isoformat(), "limit": limit, "start_field": params.start, "start": start.isoformat()},
                    )
                )
            elif end > deadline:
                failing.append(
                    Record(
                        rid,
                        f"{params.end} {end} is {(end - deadline).days} day(s) after the deadline {deadline} ({limit} after {start})",
                        "late",
                        {
                            "field": params.end,
                            "date": end.isoformat(),
                            "days_late": (end - deadline).days,
                            "due": deadline.isoformat(),
                            "limit": limit,
                            "start_field": params.start,
                            "start": start.isoformat(),
                        },
                    )
                )
            due += 1
        if due == 0:
            if not_due:
                return Measurement(
                    "na",
                    evidence=evidence,
                    na_reason=f"{not_due} record(s) in {params.records} not yet due (deadline after {ctx.as_of})",
                    reason="not_yet_due",
                    reason_params={"not_yet_due": not_due, "records_path": params.records, "as_of": ctx.as_of.isoformat()},
                )
            return _empty(params, what, evidence)
        extra = f"; {not_due} not yet due" if not_due else ""
        m = _finish(due - len(failing), due, failing, evidence, extra)
        m.detail["limit"] = limit
        if not_due:
            m.detail["not_yet_due"] = not_due
        return m

    def shortfall(self, params: TimelinessParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
        return _shortfall(m, threshold, op, describe)
