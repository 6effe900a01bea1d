"""Run charts of monthly series: the XmR arithmetic of :mod:`compliance.spc` made into result data.

**Stage:** part of building findings.  :func:`run_chart` takes what the
``trajectory`` evaluator measured month by month (``Measurement.detail["monthly"]``:
months, counts, the rate and the trajectory for each month), the rule's
comparison and the year's trajectory value, and returns a
:class:`~compliance.results.RunChart`, or None when the evidence gave no
series.  A run chart informs: it never changes a verdict, which durable-rules
decides on the period's rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import spc
from ..results import RunChart, build

__all__ = ["run_chart"]


def _direction(op: str) -> spc.Direction:
    # The rule says which way is better: "at most the trajectory" means lower is better.
    if op in ("<=", "<"):
        return "lower_is_better"
    if op in (">=", ">"):
        return "higher_is_better"
    return "neutral"


def run_chart(monthly: Mapping[str, Any] | None, op: str, target: Any) -> RunChart | None:
    if not monthly:
        return None
    values: list[float] = monthly["values"]
    direction = _direction(op)
    goal = float(target) if isinstance(target, (int, float)) and not isinstance(target, bool) else None
    chart = spc.xmr(values, direction, goal)
    return build(RunChart, {
        "months": list(monthly["months"]),
        "values": values,
        "events": list(monthly["events"]),
        "population": list(monthly["population"]),
        "trajectory": list(monthly["trajectory"]),
        "direction": direction,
        "mean": None if chart is None else round(chart.mean, 6),
        "mean_moving_range": None if chart is None else round(chart.mean_moving_range, 6),
        "lower_limit": None if chart is None else round(chart.lower_limit, 6),
        "upper_limit": None if chart is None else round(chart.upper_limit, 6),
        "rules": [[] for _ in values] if chart is None else [list(p.rules) for p in chart.points],
        "variation": None if chart is None else chart.variation,
        "assurance": None if chart is None else chart.assurance,
        "target": goal,
    })
