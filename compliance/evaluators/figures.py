"""Single figures, limits over records, rates against a trajectory, cross-checks and other schemes' outcomes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from ..evidence.records import DENOMINATOR_WORDS, Count, MonthlyCount, Rate, RateDefinition, RateDenominator
from ..vocabulary import Comparison
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
    fails_as = "over_limit"
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
            return Measurement("na", evidence=evidence, na_reason=f"{what} in {params.records}", reason="no_records", reason_params={"records_path": params.records})
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
            Record(name, f"{fmt_num(v)} {describe}, needs {op} {fmt_num(float(threshold))}", "over_limit", {"measured": v, "comparison": op, "threshold": float(threshold)})
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


class TrajectoryDefinition(Params):
    """The definition a trajectory is stated in, as its source states it (audit A13)."""

    denominator: RateDenominator = Field(description="What the trajectory is per: all_births, live_births, maternities or deliveries.")
    gestation_from_weeks: int | None = Field(
        None, ge=20, le=42, description="The gestation cut-off its source states (24: babies born at 24 weeks or more); omit when the source states none."
    )
    rolling_years: int | None = Field(None, ge=2, le=5, description="The rolling period its source states (3 for maternal mortality); omit when it states none.")


class TrajectoryParams(Params):
    rate: str
    per: float = Field(description="Express the rate per this many: 1000 births, 100000 maternities, 100 for %.")
    definition: TrajectoryDefinition = Field(description="What the trajectory is per; a rate of another definition is not compared with it.")
    points: dict[int, Number] = Field(description="Trajectory values by year; years between are interpolated linearly.")
    min_events: Number = Field(description="Below this many events the rate is shown but flagged as unstable, not judged.")
    monthly: str | None = Field(
        None,
        description="The evidence path of the same rate's monthly counts (series.stillbirth): drawn as a run chart "
        "with the trajectory over it; informs, never decides.",
    )


def _per_words(per: float, d: RateDefinition | TrajectoryDefinition | None) -> str:
    """'per 1,000 live births at 24 weeks or more', '% of total births', 'per 100,000 maternities, 3-year rolling'.

    Without a definition, only the unit: 'per 1,000', '%'.
    """
    text = "%" if per == 100 else f"per {fmt_num(per)}"
    if d is None:
        return text
    text += f" of {DENOMINATOR_WORDS[d.denominator]}" if per == 100 else f" {DENOMINATOR_WORDS[d.denominator]}"
    if d.gestation_from_weeks is not None:
        text += f" at {d.gestation_from_weeks} weeks or more"
    if d.rolling_years is not None:
        text += f", {d.rolling_years}-year rolling"
    return text


def _amount(value: float, words: str) -> str:
    """'4.04 per 1,000 total births', '6.28% of total births'."""
    return f"{fmt_num(value, 2)}{'' if words.startswith('%') else ' '}{words}"


def _compare_definitions(per: float, rate: RateDefinition | None, trajectory: TrajectoryDefinition) -> tuple[bool, str | None]:
    """Whether a rate may be compared with a trajectory, and what a reader must be told (audit A13).

    * The rate states no definition: compared, and the note says it was read in the trajectory's.
    * It differs in anything the trajectory states (the denominator always; a gestation
      cut-off or a rolling period when the trajectory's source states one): not compared.
    * It states a cut-off or a rolling period where the trajectory's source states none:
      compared, and the note states the difference.
    """
    wanted = _per_words(per, trajectory)
    if rate is None:
        return True, f"the rate states no definition: it is read as {wanted}, the definition this trajectory is stated in"
    if (
        rate.denominator != trajectory.denominator
        or (trajectory.gestation_from_weeks is not None and rate.gestation_from_weeks != trajectory.gestation_from_weeks)
        or (trajectory.rolling_years is not None and rate.rolling_years != trajectory.rolling_years)
    ):
        return False, (
            f"not compared: the rate is {_per_words(per, rate)} but this trajectory is {wanted}, "
            "and a rate of another definition would mislead against it (audit A13)"
        )
    differences = []
    if trajectory.gestation_from_weeks is None and rate.gestation_from_weeks is not None:
        differences.append(f"the rate counts births at {rate.gestation_from_weeks} weeks or more; the trajectory's source states no gestation cut-off")
    if trajectory.rolling_years is None and rate.rolling_years is not None:
        differences.append(f"the rate is a {rate.rolling_years}-year rolling rate; the trajectory's source states no rolling period")
    if differences:
        return True, "compared with a difference: " + "; ".join(differences)
    return True, None


def _monthly(series: list[MonthlyCount], per: float, points: dict[int, float]) -> dict[str, Any]:
    """Each month's rate, and the trajectory for its calendar year: the value the rule compares with for that year."""
    def trajectory(month: str) -> float:
        return round(interpolate(points, int(month[:4])), 4)

    return {
        "months": [c.month for c in series],
        "events": [c.events for c in series],
        "population": [c.population for c in series],
        "values": [round(c.events * per / c.population, 4) for c in series],
        "trajectory": [trajectory(c.month) for c in series],
    }


@register
class Trajectory(Evaluator):
    """A trust's rate against a national ambition trajectory interpolated for the assessment year.

    The threshold is the trajectory's value for the year of the assessment
    date (linear between the stated points); the rule's ``threshold`` is
    omitted.  The gap is shown as a figure, and with a previous period's
    counts the trend (improving or worsening) too.  A rate from fewer than
    ``min_events`` events is shown with its counts and flagged unstable.

    The measure declares the ``definition`` its trajectory is stated in
    (denominator; a gestation cut-off or rolling period if its source states
    one).  A rate whose stated definition differs is shown but not compared:
    insufficient evidence, with both definitions in the note.  A rate that
    states no definition is compared, and the note says it was read in the
    trajectory's.  A rate suppressed in the source is insufficient evidence
    with that reason, never read as zero.
    """

    kind = "trajectory"
    fails_as = "above_trajectory"
    Params = TrajectoryParams
    value_type = float
    brings_threshold = True
    example = """\
measure:
  kind: trajectory
  rate: rates.stillbirth
  per: 1000
  definition: {denominator: all_births}
  points: {2010: {param: TPS.AMB.stillbirth.2010}, 2020: {param: TPS.AMB.stillbirth.2020}, 2025: {param: TPS.AMB.stillbirth.2025}}
  min_events: {param: DASH.small_numbers.min_events}
compare: "<="
describe: stillbirths per 1,000 births
"""

    def evidence_paths(self, params: TrajectoryParams) -> dict[str, tuple[type, ...]]:
        paths: dict[str, tuple[type, ...]] = {params.rate: (Rate,)}
        if params.monthly:
            paths[params.monthly] = (list,)
        return paths

    def measure(self, params: TrajectoryParams, ctx: Context) -> Measurement:
        evidence = (params.rate,)
        rate: Rate | None = ctx.get(params.rate)
        if rate is None:
            return Measurement("missing", missing=evidence, evidence=evidence)
        points = {year: ctx.num(v) for year, v in params.points.items()}
        year = ctx.as_of.year
        target = round(interpolate(points, year), 4)
        target_shown = f"{_amount(target, _per_words(params.per, params.definition))} ({year} trajectory)"
        unit = "%" if params.per == 100 else f"per {fmt_num(params.per)}"
        detail: dict[str, Any] = {"year": year, "points": points}
        source = f"; source: {rate.source}" if rate.source else ""
        if rate.suppressed or rate.events is None or rate.population is None:
            # Published data suppress small numbers: unknown, which is neither zero nor an error.
            of = f" (population {fmt_num(rate.population)})" if rate.population else ""
            return Measurement(
                "missing",
                None,
                unit,
                f"suppressed{of}{source}",
                evidence=evidence,
                note="suppressed in the source: published data suppress small numbers, so the rate is not judged and not read as zero",
                reason="suppressed",
                threshold=target,
                threshold_display=target_shown,
                detail=detail,
            )
        value = round(rate.events * params.per / rate.population, 4)
        detail.update(events=rate.events, population=rate.population)
        shown = f"{_amount(value, _per_words(params.per, rate.definition))} ({rate.events} of {fmt_num(rate.population)})"
        comparable, caveat = _compare_definitions(params.per, rate.definition, params.definition)
        if not comparable:
            # Shown, so the board sees its figure, but with no value: nothing may judge it or draw it against this line.
            return Measurement(
                "missing",
                None,
                unit,
                shown + source,
                evidence=evidence,
                note=caveat,
                threshold=target,
                threshold_display=target_shown,
                detail=detail,
                reason="not_comparable",
            )
        trend = ""
        prev = rate.previous
        if prev is not None and prev.events is not None and prev.population is not None:
            before = round(prev.events * params.per / prev.population, 4)
            detail["previous"] = before
            detail["trend"] = "improving" if value < before else "worsening" if value > before else "unchanged"
            trend = f"; {detail['trend']} from {fmt_num(before, 2)}" + (f" in {prev.label}" if prev.label else "")
        elif prev is not None:
            trend = "; no trend: the previous period is suppressed in the source"
        m = Measurement(
            "ok",
            value,
            unit,
            shown + trend + (f"; {caveat}" if caveat else "") + source,
            evidence=evidence,
            note=caveat,
            threshold=target,
            threshold_display=target_shown,
            detail=detail,
        )
        series: list[MonthlyCount] | None = ctx.get(params.monthly) if params.monthly else None
        if series:
            m.detail["monthly"] = _monthly(series, params.per, points)
        min_events = ctx.num(params.min_events)
        if rate.events < min_events:
            m.unstable = f"only {rate.events} event(s), fewer than {fmt_num(min_events)}: the rate is unstable and is not judged alone"
            m.reason, m.reason_params = "small_numbers", {"events": rate.events, "min_events": min_events}
            if caveat:
                m.unstable += f"; {caveat}"
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
        if value.suppressed or value.numerator is None or value.denominator is None:
            return None  # suppressed in its source: nothing to cross-check
        if part == "value":
            return {"": round(100.0 * value.numerator / value.denominator, 6) if value.denominator else 0.0}
        return {"": float(getattr(value, part))}
    if isinstance(value, dict):
        known = {k: c for k, c in value.items() if not c.suppressed and c.numerator is not None and c.denominator is not None}
        return {k: float(getattr(c, part)) if part != "value" else (c.numerator, c.denominator) for k, c in known.items()}  # type: ignore[misc]
    return {"": float(value)}


@register
class Consistency(Evaluator):
    """Two submissions of the same fact must agree; the value is the number of figures that differ.

    For per-group figures each group present in both is compared (numerator
    and denominator); for counts, the chosen parts.  Anything that differs is
    listed so a board champion can challenge it.
    """

    kind = "consistency"
    fails_as = "inconsistent_between_actions"
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
        if a is None and b is None:
            # Neither submitted: the cross-check is owed, not void.
            return Measurement("missing", evidence=evidence, missing=evidence)
        if a is None or b is None:
            gone = tuple(p for p, v in ((params.a, a), (params.b, b)) if v is None)
            return Measurement(
                "na",
                evidence=evidence,
                na_reason=f"only one of the two figures was submitted ({', '.join(gone)} missing): nothing to cross-check",
                reason="nothing_to_compare",
                reason_params={"missing": list(gone)},
            )
        shared = sorted(set(a) & set(b))
        if not shared:
            return Measurement("na", evidence=evidence, na_reason="the two submissions name no group in common", reason="nothing_to_compare", reason_params={"missing": []})
        differ = [k for k in shared if a[k] != b[k]]
        records = tuple(
            Record(
                k or "figure",
                f"{params.a} gives {_show(a[k])} but {params.b} gives {_show(b[k])}",
                "inconsistent_between_actions",
                {"a": params.a, "a_value": _show(a[k]), "b": params.b, "b_value": _show(b[k])},
            )
            for k in differ
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
    fails_as = "scheme_not_met"
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
            return Measurement("na", evidence=ref, na_reason=f"scheme {params.scheme} is not applicable", reason="scheme_not_applicable", reason_params={"scheme": params.scheme})
        if status == "insufficient_evidence":
            return Measurement(
                "missing", missing=ref, evidence=ref, display=f"{params.scheme}: insufficient evidence", reason="scheme_undecided", reason_params={"scheme": params.scheme}
            )
        return Measurement("ok", status == "met", "", f"{params.scheme}: {status.replace('_', ' ')}", evidence=ref)

    def shortfall(self, params: SchemeOutcomeParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
        if m.value is False:
            return f"see the {params.scheme} assessment for the elements not met"
        return None
