"""Proportions: from a submitted numerator/denominator, and the minimum over staff groups."""

from __future__ import annotations

from typing import Any

from ..evidence.records import Count
from ..vocabulary import Comparison
from .base import (
    Evaluator,
    Measurement,
    Params,
    Record,
    fmt_num,
    more_needed,
    needed_for,
    register,
)

__all__ = ["Proportion", "GroupMinimum"]


def _suppressed(path: str, count: Count) -> Measurement:
    """A count its source suppressed (small numbers): unknown, never zero."""
    where = f" ({count.source})" if count.source else ""
    return Measurement(
        "missing",
        display=f"suppressed in the source{where}",
        evidence=(path,),
        note="a figure suppressed in its source is not judged and not read as zero",
        reason="suppressed",
    )


def pct(numerator: int, denominator: int) -> float:
    # Rounded so that 19/20 is exactly 95.0 for the engine's comparison.
    return round(100.0 * numerator / denominator, 6)


class ProportionParams(Params):
    count: str


@register
class Proportion(Evaluator):
    """Percentage from a submitted numerator and denominator (``counts.*``).

    Not applicable when the denominator is zero (nothing to measure).
    """

    kind = "proportion"
    Params = ProportionParams
    value_type = float
    example = """\
measure:
  kind: proportion
  count: counts.sbl_e1_co_at_booking
compare: ">="
threshold: SBLv2.E4.training_coverage
describe: women with a CO reading at booking
"""

    def evidence_paths(self, params: ProportionParams) -> dict[str, tuple[type, ...]]:
        return {params.count: (Count,)}

    def measure(self, params: ProportionParams, ctx: Any) -> Measurement:
        count: Count | None = ctx.get(params.count)
        if count is None:
            return Measurement("missing", missing=(params.count,), evidence=(params.count,))
        if count.suppressed or count.numerator is None or count.denominator is None:
            return _suppressed(params.count, count)
        if count.denominator == 0:
            return Measurement(
                "na",
                evidence=(params.count,),
                na_reason=f"{params.count} has a denominator of 0: nothing to measure",
                reason="zero_denominator",
                reason_params={"records_path": params.count},
            )
        value = pct(count.numerator, count.denominator)
        return Measurement(
            "ok",
            value,
            "%",
            f"{fmt_num(value)}% ({count.numerator} of {count.denominator})",
            evidence=(params.count,),
            detail={"numerator": count.numerator, "denominator": count.denominator},
        )

    def shortfall(self, params: ProportionParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
        num, den = m.detail["numerator"], m.detail["denominator"]
        more = more_needed(num, den, op, float(threshold), describe)
        if more:
            return more
        if op in ("<=", "<"):
            allowed = int(float(threshold) * den / 100.0)
            over = num - allowed if op == "<=" else num - allowed + (1 if allowed * 100.0 == float(threshold) * den else 0)
            if over > 0:
                return f"{over} fewer {describe} needed to come within {fmt_num(float(threshold))}% ({num} of {den} now)"
        return None


class GroupMinimumParams(Params):
    groups: str


@register
class GroupMinimum(Evaluator):
    """The lowest percentage over groups (e.g. each staff group's training rate), naming the groups below.

    The measured value is the minimum; the records are every group on the
    wrong side of the threshold, each with how many more people it needs.
    """

    kind = "group_minimum"
    Params = GroupMinimumParams
    value_type = float
    example = """\
measure:
  kind: group_minimum
  groups: groups.training_fetal_monitoring
compare: ">="
threshold: SBLv2.E4.training_coverage
describe: staff trained
"""

    def evidence_paths(self, params: GroupMinimumParams) -> dict[str, tuple[type, ...]]:
        return {params.groups: (dict,)}

    def measure(self, params: GroupMinimumParams, ctx: Any) -> Measurement:
        groups: dict[str, Count] | None = ctx.get(params.groups)
        if groups is None:
            return Measurement("missing", missing=(params.groups,), evidence=(params.groups,))
        hidden = sorted(name for name, c in groups.items() if c.suppressed or c.numerator is None or c.denominator is None)
        if hidden:
            # The lowest group may be one the source hides: the minimum is unknown.
            return Measurement(
                "missing",
                display=f"suppressed in the source for {', '.join(hidden)}",
                evidence=(params.groups,),
                note="a figure suppressed in its source is not judged and not read as zero",
                reason="suppressed",
            )
        rates = {name: pct(c.numerator or 0, c.denominator) for name, c in sorted(groups.items()) if c.denominator}
        if not rates:
            return Measurement("na", evidence=(params.groups,), na_reason=f"{params.groups} lists no group with staff in it", reason="no_records", reason_params={"records_path": params.groups})
        lowest = min(rates, key=lambda n: (rates[n], n))
        c = groups[lowest]
        return Measurement(
            "ok",
            rates[lowest],
            "%",
            f"lowest group {lowest} at {fmt_num(rates[lowest])}% ({c.numerator} of {c.denominator})",
            evidence=(params.groups,),
            detail={"rates": rates, "counts": {n: (groups[n].numerator, groups[n].denominator) for n in rates}},
        )

    def failing_records(self, params: GroupMinimumParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> tuple[Record, ...]:
        threshold = float(threshold)
        out = []
        for name, rate in m.detail["rates"].items():
            num, den = m.detail["counts"][name]
            need = needed_for(num, den, op, threshold)
            if need:
                out.append(
                    Record(
                        name,
                        f"{fmt_num(rate)}% ({num} of {den}): {need} more {describe} needed",
                        "group_below_threshold",
                        {"measured": rate, "numerator": num, "denominator": den, "needed": need},
                    )
                )
        return tuple(out)

    def shortfall(self, params: GroupMinimumParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
        below = self.failing_records(params, m, threshold, op, describe)
        if not below:
            return None
        return "; ".join(f"{r.id}: {r.reason}" for r in below) + f" to reach {fmt_num(float(threshold))}%"
