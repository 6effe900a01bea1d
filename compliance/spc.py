"""Statistical process control the way NHS boards read it: XmR charts and NHS England's *Making Data Count* rules.

Takes a monthly series (one value per month, in order) and says, for every
point, whether it shows special-cause variation and why, and for the series:

* the **mean** and the **process limits**, mean +/- 2.66 x the mean moving range
  (the XmR chart's natural process limits; 2.66 = 3 / d2, d2 = 1.128 for ranges
  of two successive points);
* the **special-cause rules** of *Making Data Count*, as the NHS-R community's
  "plot the dots" implements them:
  - a point beyond a process limit;
  - a run of seven or more points on one side of the mean (points on the mean
    break a run);
  - a trend of seven or more points each higher (or each lower) than the one
    before;
  - two out of three successive points in the outer third of the limits
    (beyond mean +/- 2/3 x 2.66 x the mean moving range), on the same side;
* the **variation** icon's meaning (the latest point: common cause, special
  cause of improvement or of concern) and the **assurance** icon's (whether the
  process limits sit wholly on one side of a target: it will consistently pass,
  consistently fail, or may pass or fail).

Only arithmetic lives here: nothing is worded, nothing is drawn.  Fewer than
:data:`MIN_POINTS` points give no limits (the guidance asks for enough points
to set them; fifteen is the usual minimum, 20 better).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "LIMIT",
    "MIN_POINTS",
    "RUN",
    "TREND",
    "Point",
    "Chart",
    "xmr",
    "Direction",
    "Variation",
    "Assurance",
]

#: Natural process limits: mean +/- LIMIT x mean moving range (3 sigma for an individuals chart).
LIMIT = 2.66
#: Points on one side of the mean that make a shift.
RUN = 7
#: Successive rises (or falls) that make a trend: seven points, six steps.
TREND = 7
#: Fewer points than this set no limits: the chart would mislead.
MIN_POINTS = 15

Direction = Literal["lower_is_better", "higher_is_better", "neutral"]
Variation = Literal["common_cause", "improvement", "concern", "neutral_high", "neutral_low"]
Assurance = Literal["consistently_passes", "consistently_fails", "inconsistent"]


@dataclass(frozen=True, slots=True)
class Point:
    value: float
    #: The special-cause rules this point is part of: beyond_limit, run, trend, two_of_three.
    rules: tuple[str, ...] = ()

    @property
    def special(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True, slots=True)
class Chart:
    """An XmR chart of a series: limits, each point's rules, and what the icons mean."""

    points: tuple[Point, ...]
    mean: float
    mean_moving_range: float
    lower_limit: float
    upper_limit: float
    #: The latest point's variation (what the variation icon shows).
    variation: Variation
    #: Whether the limits lie wholly on one side of the target (None without a target).
    assurance: Assurance | None


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _runs(sides: Sequence[int], length: int) -> set[int]:
    """Indexes of points in a run of ``length`` or more equal, non-zero entries."""
    out: set[int] = set()
    start = 0
    for i in range(1, len(sides) + 1):
        if i == len(sides) or sides[i] != sides[start]:
            if sides[start] != 0 and i - start >= length:
                out.update(range(start, i))
            start = i
    return out


def xmr(values: Sequence[float], direction: Direction = "neutral", target: float | None = None) -> Chart | None:
    """The XmR chart of ``values`` (oldest first), or None with fewer than :data:`MIN_POINTS` points.

    Values must be finite.  ``direction`` says which way is improvement (for the
    meaning of a special cause); ``target`` is what the assurance is judged against.
    """
    if len(values) < MIN_POINTS:
        return None
    ys = [float(v) for v in values]
    if not all(math.isfinite(y) for y in ys):
        raise ValueError("an XmR chart needs finite values")
    mean = sum(ys) / len(ys)
    ranges = [abs(b - a) for a, b in zip(ys, ys[1:])]
    mr = sum(ranges) / len(ranges)
    lower, upper = mean - LIMIT * mr, mean + LIMIT * mr
    near = 2 * LIMIT / 3 * mr
    rules: list[list[str]] = [[] for _ in ys]
    for i, y in enumerate(ys):
        if y > upper or y < lower:
            rules[i].append("beyond_limit")
    for i in _runs([_sign(y - mean) for y in ys], RUN):
        rules[i].append("run")
    steps = [_sign(b - a) for a, b in zip(ys, ys[1:])]
    for i in _runs(steps, TREND - 1):  # six steps in one direction are a seven-point trend
        for j in (i, i + 1):
            if "trend" not in rules[j]:
                rules[j].append("trend")
    # Two of three successive points in the outer third, on one side: the close points are flagged.
    outer = [(_sign(y - mean) if abs(y - mean) > near and not (y > upper or y < lower) else 0) for y in ys]
    side = [_sign(y - mean) for y in ys]
    for start in range(len(ys) - 2):
        window = range(start, start + 3)
        for s in (1, -1):
            if all(side[j] == s for j in window) and sum(1 for j in window if outer[j] == s) >= 2:
                for j in window:
                    if outer[j] == s and "two_of_three" not in rules[j]:
                        rules[j].append("two_of_three")
    points = tuple(Point(y, tuple(r)) for y, r in zip(ys, rules))
    return Chart(points, mean, mr, lower, upper, _variation(points[-1], mean, direction), _assurance(lower, upper, direction, target))


def _variation(last: Point, mean: float, direction: Direction) -> Variation:
    if not last.special:
        return "common_cause"
    high = last.value > mean
    if direction == "neutral":
        return "neutral_high" if high else "neutral_low"
    good = (not high) if direction == "lower_is_better" else high
    return "improvement" if good else "concern"


def _assurance(lower: float, upper: float, direction: Direction, target: float | None) -> Assurance | None:
    if target is None or direction == "neutral":
        return None
    if direction == "lower_is_better":
        if upper < target:
            return "consistently_passes"
        if lower > target:
            return "consistently_fails"
    else:
        if lower > target:
            return "consistently_passes"
        if upper < target:
            return "consistently_fails"
    return "inconsistent"
