"""XmR charts and the Making Data Count special-cause rules, checked against direct formulas."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance import spc

series = st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False), min_size=spc.MIN_POINTS, max_size=60)


@given(series)
def test_limits_are_the_mean_plus_or_minus_2_66_mean_moving_ranges(values: list[float]) -> None:
    chart = spc.xmr(values)
    assert chart is not None
    mr = statistics.fmean(abs(b - a) for a, b in zip(values, values[1:]))
    mean = statistics.fmean(values)
    assert chart.mean == pytest.approx(mean, abs=1e-6)
    assert chart.mean_moving_range == pytest.approx(mr, abs=1e-6)
    assert chart.upper_limit == pytest.approx(mean + 2.66 * mr, abs=1e-6)
    assert chart.lower_limit == pytest.approx(mean - 2.66 * mr, abs=1e-6)


@given(series)
def test_a_point_is_beyond_a_limit_exactly_when_it_lies_outside_them(values: list[float]) -> None:
    chart = spc.xmr(values)
    assert chart is not None
    for p in chart.points:
        outside = p.value > chart.upper_limit or p.value < chart.lower_limit
        assert ("beyond_limit" in p.rules) == outside


@given(series)
def test_every_point_of_a_run_of_seven_on_one_side_is_flagged_and_no_other(values: list[float]) -> None:
    chart = spc.xmr(values)
    assert chart is not None
    sides = [(v > chart.mean) - (v < chart.mean) for v in values]
    for i in range(len(values)):
        in_run = any(
            all(sides[j] == sides[i] != 0 for j in range(start, start + 7))
            for start in range(max(0, i - 6), min(i, len(values) - 7) + 1)
        )
        assert ("run" in chart.points[i].rules) == in_run, i


@given(series)
def test_every_point_of_a_seven_point_trend_is_flagged_and_no_other(values: list[float]) -> None:
    chart = spc.xmr(values)
    assert chart is not None
    for i in range(len(values)):
        in_trend = False
        for start in range(max(0, i - 6), min(i, len(values) - 7) + 1):
            steps = [values[j + 1] - values[j] for j in range(start, start + 6)]
            if all(s > 0 for s in steps) or all(s < 0 for s in steps):
                in_trend = True
        assert ("trend" in chart.points[i].rules) == in_trend, i


def test_too_few_points_set_no_limits() -> None:
    assert spc.xmr([1.0] * (spc.MIN_POINTS - 1)) is None


def test_a_shift_below_the_mean_is_an_improvement_when_lower_is_better() -> None:
    values = [5.0, 5.2, 4.8, 5.1, 4.9, 5.0, 5.3, 4.7, 5.1, 5.0] + [4.0, 4.1, 3.9, 4.0, 4.1, 3.9, 4.0]
    chart = spc.xmr(values, "lower_is_better")
    assert chart is not None
    assert all("run" in p.rules for p in chart.points[-7:])
    assert chart.variation == "improvement"
    assert spc.xmr(values, "higher_is_better").variation == "concern"  # type: ignore[union-attr]
    assert spc.xmr(values).variation == "neutral_low"  # type: ignore[union-attr]


def test_two_of_three_in_the_outer_third_on_one_side() -> None:
    base = [10.0, 10.4, 9.6, 10.2, 9.8] * 3 + [10.0]
    values = base + [11.2, 10.3, 11.2]
    mean = statistics.fmean(values)
    mr = statistics.fmean(abs(b - a) for a, b in zip(values, values[1:]))
    # Both 11.2s lie between the outer-third line and the upper limit, the 10.3 above the mean.
    assert mean + 2 * 2.66 / 3 * mr < 11.2 < mean + 2.66 * mr and 10.3 > mean
    chart = spc.xmr(values)
    assert chart is not None
    assert [p.rules for p in chart.points[-3:]] == [("two_of_three",), (), ("two_of_three",)]
    # One point in the outer third is not a signal.
    single = spc.xmr(base + [11.2, 10.3, 10.3])
    assert single is not None and not any("two_of_three" in p.rules for p in single.points)


@pytest.mark.parametrize(
    ("target", "direction", "expected"),
    [(100.0, "lower_is_better", "consistently_passes"), (-100.0, "lower_is_better", "consistently_fails"), (10.0, "lower_is_better", "inconsistent"), (10.0, "neutral", None)],
)
def test_assurance_says_where_the_limits_lie_against_the_target(target: float, direction: spc.Direction, expected: str | None) -> None:
    chart = spc.xmr([10.0, 11.0] * 8, direction, target)
    assert chart is not None and chart.assurance == expected


def test_non_finite_values_are_refused() -> None:
    with pytest.raises(ValueError):
        spc.xmr([1.0] * 20 + [float("nan")])


@given(series)
def test_two_of_three_flags_exactly_the_outer_points_of_such_windows(values: list[float]) -> None:
    chart = spc.xmr(values)
    assert chart is not None
    mean, mr = chart.mean, chart.mean_moving_range
    near, limit = mean + 2 * 2.66 / 3 * mr - mean, 2.66 * mr

    def outer(v: float, side: int) -> bool:
        return side * (v - mean) > near and side * (v - mean) <= limit

    for i, v in enumerate(values):
        expected = False
        for start in range(max(0, i - 2), min(i, len(values) - 3) + 1):
            for side in (1, -1):
                window = values[start : start + 3]
                if all(side * (w - mean) > 0 for w in window) and sum(outer(w, side) for w in window) >= 2 and outer(v, side):
                    expected = True
        assert ("two_of_three" in chart.points[i].rules) == expected, i
