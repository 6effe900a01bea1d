"""Single figures, limits over records, rates against a trajectory, cross-checks and other schemes' outcomes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from ..evidence.records import Count, Rate
from ..schemes.model import Comparison
from .base import (
    Context,
    Evaluator,
    Measurement,
    Number,
    Params,
    Read,
    Record,
    compare,
    fmt_num,
    register,
)

__all__ = ["Figure", "RecordLimit", "Trajectory", "Consistency", "SchemeOutcome", "interpolate"]


class FigureParams(Params):
    figure: str


@register
class Figure(Evaluator):
    """A single submitted number (``figures.*``), compared as it is."""

    kind = "figure"
    Params = FigureParams
    value_type = float
    example = """\
measure:
  kind: figure
  figure: figures.msds_cqims_passed
compare: ">="
threshold: MIS.Y3.SA2.b.min_cqims_passed
describe: CQIMs passed
"""

    def evidence_paths(self, params: FigureParams) -> dict[str, tuple[type, ...]]:
        return {params.figure: (int, float)}

    def measure(self, params: FigureParams, ctx: Context) -> Measurement:
        value = ctx.get(params.figure)
        if value is None:
            return Measurement("missing", missing=(params.figure,), evidence=(params.figure,))
        return Measurement("ok", float(value), "", fmt_num(float(value)), evidence=(params.figure,))

    def shortfall(self, params: FigureParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
        gap = float(threshold) - float(m.value or 0)
        if op in (">=", ">") and gap >= 0:
            return f"{fmt_num(gap if op == '>=' else gap + 1)} more {describe} needed (now {fmt_num(float(m.value or 0))}, needs {op} {fmt_num(float(threshold))})"
        if op in ("<=", "<") and gap <= 0:
            return f"{fmt_num(-gap if op == '<=' else -gap + 1)} fewer {describe} needed (now {fmt_num(float(m.value or 0))}, needs {op} {fmt_num(float(threshold))})"
        return None


class Ratio(Params):
    numerator: str
    denominator: str


class RecordLimitParams(Params):
    records: str
    field: str | None = Field(None, description="The numeric field of each record to test.")
    ratio: Ratio | None = Field(None, description="Or a ratio of two numeric fields (e.g. women per WTE midwife).")
    aggregate: Literal["max", "min"] = "max"


@register
class RecordLimit(Evaluator):
    """The largest (or smallest) value over records -- e.g. the largest team -- naming every record past the limit."""

    kind = "record_limit"
    Params = RecordLimitParams
    value_type = float
    example = """\
measure:
  kind: record_limit
  records: teams.coc
  field: midwives_headcount
  aggregate: max
compare: "<="
threshold: CoC.team_size_max
describe: midwives in a team
"""

    def evidence_paths(self, params: RecordLimitParams) -> dict[str, tuple[type, ...]]:
        return {params.records: (list,)}

    def reads(self, params: RecordLimitParams) -> tuple[Read, ...]:
        # A record without the figure is left out; with none left there is nothing to measure.
        fields = [params.ratio.numerator, params.ratio.denominator] if params.ratio else [params.field or ""]
        return (Read(params.records), *(Read(f"{params.records}[].{f}", "na") for f in fields))

    def record_fields(self, params: RecordLimitParams) -> dict[str, tuple[type, ...]]:
        if params.ratio:
            return {params.ratio.numerator: (int, float), params.ratio.denominator: (int, float)}
        return {params.field or "": (int, float)}

    def _value(self, params: RecordLimitParams, record: BaseModel) -> float | None:
        if params.ratio:
            num, den = getattr(record, params.ratio.numerator), getattr(record, params.ratio.denominator)
            if num is None or not den:
                return None
            return round(float(num) / float(den), 2)
        value = getattr(record, params.field or "")
        return None if value is None else float(value)

    def measure(self, params: RecordLimitParams, ctx: Context) -> Measurement:
        evidence = (params.records,)
        records = ctx.get(params.records)
        if records is None:
            return Measurement("missing", missing=evidence, evidence=evidence)
        values = {str(getattr(r, "name", getattr(r, "id", i))): self._value(params, r) for i, r in enumerate(records)}
        known = {k: v for k, v in values.items() if v is not None}
        if not known:
            what = "no records" if not records else "no record has the figures"
            return Measurement("na", evidence=evidence, na_reason=f"{what} in {params.records}")
        pick = max if params.aggregate == "max" else min
        worst = pick(sorted(known), key=lambda k: known[k])
        return Measurement(
            "ok",
            known[worst],
            "",
            f"{params.aggregate} {fmt_num(known[worst])} ({worst}; {len(known)} record(s))",
            evidence=evidence,
            detail={"values": known},
        )

    def failing_records(self, params: RecordLimitParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> tuple[Record, ...]:
        return tuple(
            Record(name, f"{fmt_num(v)} {describe}, needs {op} {fmt_num(float(threshold))}")
            for name, v in m.detail["values"].items()
            if not compare(v, op, float(threshold))
        )

    def shortfall(self, params: RecordLimitParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
        bad = self.failing_records(params, m, threshold, op, describe)
        return "; ".join(f"{r.id}: {r.reason}" for r in bad) or None


def interpolate(points: dict[int, float], year: float) -> float:
    """Linear interpolation between stated years; flat before the first and after the last."""
    years = sorted(points)
    if year <= years[0]:
        return points[years[0]]
    if year >= years[-1]:
        return points[years[-1]]
    for lo, hi in zip(years, years[1:]):
        if lo <= year <= hi:
            return points[lo] + (points[hi] - points[lo]) * (year - lo) / (hi - lo)
    raise AssertionError("unreachable")  # pragma: no cover


class TrajectoryParams(Params):
    rate: str
    per: float = Field(description="Express the rate per this many: 1000 births, 100000 maternities, 100 for %.")
    points: dict[int, Number] = Field(description="Trajectory values by year; years between are interpolated linearly.")
    min_events: Number = Field(description="Below this many events the rate is shown but flagged as unstable, not judged.")


@register
class Trajectory(Evaluator):
    """A trust's rate against a national ambition trajectory interpolated for the assessment year.

    The threshold is the trajectory's value for the year of the assessment
    date (linear between the stated points); the rule's ``threshold`` is
    omitted.  The gap is shown as a figure, and with a previous period's
    counts the trend (improving or worsening) too.  A rate from fewer than
    ``min_events`` events is shown with its counts and flagged unstable.
    """

    kind = "trajectory"
    Params = TrajectoryParams
    value_type = float
    brings_threshold = True
    example = """\
measure:
  kind: trajectory
  rate: rates.stillbirth
  per: 1000
  points: {2010: {param: TPS.AMB.stillbirth.2010}, 2020: {param: TPS.AMB.stillbirth.2020}, 2025: {param: TPS.AMB.stillbirth.2025}}
  min_events: {param: DASH.small_numbers.min_events}
compare: "<="
describe: stillbirths per 1,000 births
"""

    def evidence_paths(self, params: TrajectoryParams) -> dict[str, tuple[type, ...]]:
        return {params.rate: (Rate,)}

    def measure(self, params: TrajectoryParams, ctx: Context) -> Measurement:
        evidence = (params.rate,)
        rate: Rate | None = ctx.get(params.rate)
        if rate is None:
            return Measurement("missing", missing=evidence, evidence=evidence)
        points = {year: ctx.num(v) for year, v in params.points.items()}
        year = ctx.as_of.year
        target = round(interpolate(points, year), 4)
        value = round(rate.events * params.per / rate.population, 4)
        unit = "%" if params.per == 100 else f"per {fmt_num(params.per)}"
        detail: dict[str, Any] = {"events": rate.events, "population": rate.population, "year": year, "points": points}
        trend = ""
        if rate.previous is not None:
            before = round(rate.previous.events * params.per / rate.previous.population, 4)
            detail["previous"] = before
            detail["trend"] = "improving" if value < before else "worsening" if value > before else "unchanged"
            trend = f"; {detail['trend']} from {fmt_num(before, 2)}" + (f" in {rate.previous.label}" if rate.previous.label else "")
        m = Measurement(
            "ok",
            value,
            unit,
            f"{fmt_num(value, 2)} {unit} ({rate.events} of {fmt_num(rate.population)}){trend}",
            evidence=evidence,
            threshold=target,
            threshold_display=f"{fmt_num(target, 2)} {unit} ({year} trajectory)",
            detail=detail,
        )
        min_events = ctx.num(params.min_events)
        if rate.events < min_events:
            m.unstable = f"only {rate.events} event(s), fewer than {fmt_num(min_events)}: the rate is unstable and is not judged alone"
        return m

    def shortfall(self, params: TrajectoryParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
        gap = float(m.value or 0) - float(threshold)
        if op in ("<=", "<") and gap > 0:
            return f"{fmt_num(gap, 2)} {m.unit} above the {m.detail['year']} trajectory of {fmt_num(float(threshold), 2)}"
        return None


class ConsistencyParams(Params):
    a: str = Field(description="The first evidence path for the fact.")
    b: str = Field(description="The second evidence path for the same fact.")
    a_part: Literal["numerator", "denominator", "value"] = "value"
    b_part: Literal["numerator", "denominator", "value"] = "value"


def _figures(value: Any, part: str) -> dict[str, float] | None:
    if value is None:
        return None
    if isinstance(value, Count):
        if part == "value":
            return {"": round(100.0 * value.numerator / value.denominator, 6) if value.denominator else 0.0}
        return {"": float(getattr(value, part))}
    if isinstance(value, dict):
        return {k: float(getattr(c, part)) if part != "value" else (c.numerator, c.denominator) for k, c in value.items()}  # type: ignore[misc]
    return {"": float(value)}


@register
class Consistency(Evaluator):
    """Two submissions of the same fact must agree; the value is the number of figures that differ.

    For per-group figures each group present in both is compared (numerator
    and denominator); for counts, the chosen parts.  Anything that differs is
    listed so a board champion can challenge it.
    """

    kind = "consistency"
    Params = ConsistencyParams
    value_type = float
    example = """\
measure:
  kind: consistency
  a: counts.coc_booked_on_pathway
  a_part: numerator
  b: counts.msds_coc_pathway_recorded
  b_part: denominator
compare: "=="
threshold: 0
describe: figures that differ
"""

    def evidence_paths(self, params: ConsistencyParams) -> dict[str, tuple[type, ...]]:
        return {params.a: (Count, dict, int, float), params.b: (Count, dict, int, float)}

    def reads(self, params: ConsistencyParams) -> tuple[Read, ...]:
        # With one side missing there is nothing to cross-check.
        return (Read(params.a, "na"), Read(params.b, "na"))

    def measure(self, params: ConsistencyParams, ctx: Context) -> Measurement:
        evidence = (params.a, params.b)
        a, b = _figures(ctx.get(params.a), params.a_part), _figures(ctx.get(params.b), params.b_part)
        if a is None or b is None:
            gone = tuple(p for p, v in ((params.a, a), (params.b, b)) if v is None)
            return Measurement("na", evidence=evidence, na_reason=f"only one of the two figures was submitted ({', '.join(gone)} missing): nothing to cross-check")
        shared = sorted(set(a) & set(b))
        if not shared:
            return Measurement("na", evidence=evidence, na_reason="the two submissions name no group in common")
        differ = [k for k in shared if a[k] != b[k]]
        records = tuple(
            Record(k or "figure", f"{params.a} gives {_show(a[k])} but {params.b} gives {_show(b[k])}") for k in differ
        )
        return Measurement(
            "ok",
            float(len(differ)),
            "differing figures",
            f"{len(differ)} of {len(shared)} figure(s) differ" if differ else f"all {len(shared)} figure(s) agree",
            evidence=evidence,
            records=records,
        )

    def shortfall(self, params: ConsistencyParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
        if m.records:
            return "reconcile: " + "; ".join(f"{r.id}: {r.reason}" for r in m.records)
        return None


def _show(v: Any) -> str:
    if isinstance(v, tuple):
        return f"{v[0]} of {v[1]}"
    return fmt_num(float(v))


class SchemeOutcomeParams(Params):
    scheme: str = Field(description="The id of the scheme whose outcome decides this measure.")


@register
class SchemeOutcome(Evaluator):
    """Whether another scheme's outcome is met -- one source of truth instead of copied rules.

    MIS safety action 6 uses this to rest on the SBLCBv2 assessment.  The
    other scheme is assessed first, in the same call.
    """

    kind = "scheme_outcome"
    Params = SchemeOutcomeParams
    value_type = bool
    example = """\
measure:
  kind: scheme_outcome
  scheme: sblcbv2
compare: "=="
threshold: true
describe: all five SBLCBv2 elements met
"""

    def evidence_paths(self, params: SchemeOutcomeParams) -> dict[str, tuple[type, ...]]:
        return {}

    def measure(self, params: SchemeOutcomeParams, ctx: Context) -> Measurement:
        status = ctx.scheme_outcomes.get(params.scheme)
        ref = (f"scheme:{params.scheme}",)
        if status is None:
            return Measurement("missing", missing=ref, evidence=ref)
        if status == "not_applicable":
            return Measurement("na", evidence=ref, na_reason=f"scheme {params.scheme} is not applicable")
        if status == "insufficient_evidence":
            return Measurement("missing", missing=ref, evidence=ref, display=f"{params.scheme}: insufficient evidence")
        return Measurement("ok", status == "met", "", f"{params.scheme}: {status.replace('_', ' ')}", evidence=ref)

    def shortfall(self, params: SchemeOutcomeParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
        if m.value is False:
            return f"see the {params.scheme} assessment for the elements not met"
        return None
