"""The XmR run chart's SVG: well-formed, deterministic, every point drawn and explained, nothing unworded."""

from __future__ import annotations

import datetime as dt
import math
import re
import typing
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance import spc
from compliance.report import wording
from compliance.report.charts import month_label, nice_ticks, xmr_chart

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [dt.date(2020 + i // 12, i % 12 + 1, 1) for i in range(24)]
#: Sixteen steady months, then eight high ones: a shift of concern for a rate where lower is better.
SHIFTED = [4.1, 4.5, 3.9, 4.4, 4.8, 4.2, 5.1, 3.7, 4.3, 3.8, 4.0, 4.6, 4.2, 3.9, 4.4, 4.1,
           5.9, 6.1, 6.3, 5.8, 6.0, 6.4, 6.2, 6.5]
TRAJECTORY = [4.6 if m.year == 2020 else 4.4 for m in MONTHS]


def _draw(values: list[float] = SHIFTED, **kw: typing.Any) -> str:
    months = MONTHS[: len(values)]
    chart = spc.xmr(values, "lower_is_better", target=4.4)
    kw.setdefault("trajectory", TRAJECTORY[: len(values)])
    return xmr_chart(chart, months, values, title="Stillbirths per 1,000 births", unit="per 1,000 births",
                     direction="lower_is_better", **kw)


def _svg(figure: str) -> ET.Element:
    body = figure[figure.index("<svg"): figure.index("</svg>") + len("</svg>")]
    return ET.fromstring(body)


def test_the_svg_is_well_formed_and_the_same_every_time() -> None:
    assert _draw() == _draw()
    root = _svg(_draw())
    assert root.tag == f"{SVG}svg"


def test_every_month_is_a_marker_with_its_value_and_rules_in_words() -> None:
    root = _svg(_draw())
    tips = [g.find(f"{SVG}title") for g in root.iter(f"{SVG}g")]
    tips = [t.text for t in tips if t is not None and t.text and re.match(r"\w{3} \d{4}:", t.text)]
    assert len(tips) == len(SHIFTED)
    assert tips[0] == "Jan 2020: 4.1 per 1,000 births"
    chart = spc.xmr(SHIFTED, "lower_is_better")
    assert chart is not None
    for tip, point in zip(tips, chart.points):
        for rule in point.rules:
            assert wording.SPC_RULES[rule] in tip


def test_concern_points_are_squares_and_improvement_triangles() -> None:
    root = _svg(_draw())
    chart = spc.xmr(SHIFTED, "lower_is_better")
    assert chart is not None
    high = sum(1 for p in chart.points if p.special and p.value > chart.mean)
    low = sum(1 for p in chart.points if p.special and p.value < chart.mean)
    squares = [r for r in root.iter(f"{SVG}rect") if r.get("width") == "9"]
    triangles = [p for p in root.iter(f"{SVG}path") if "h-11" in (p.get("d") or "")]
    assert len(squares) - 1 == high  # one more in the legend
    assert len(triangles) - (1 if low else 0) == low
    text = _draw()
    assert wording.SPC_LEGEND["concern"] in text


def test_the_caption_says_what_the_icons_would() -> None:
    text = _draw()
    chart = spc.xmr(SHIFTED, "lower_is_better", target=4.4)
    assert chart is not None and chart.variation == "concern"
    assert wording.spc_summary(chart.variation, chart.assurance) in text.replace("&#x27;", "'")
    assert "24 months, Jan 2020 to Dec 2021" in text


def test_a_short_series_draws_points_without_limits_and_says_why() -> None:
    text = _draw(SHIFTED[:10])
    assert "Upper limit" not in text and wording.SPC_LEGEND["limits"] not in text
    assert f"at least {spc.MIN_POINTS} are needed" in text


def test_the_axes_carry_values_and_the_unit() -> None:
    root = _svg(_draw())
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "per 1,000 births" in labels
    assert "Jan 2020" in labels and "Month" in labels
    assert any(label and re.fullmatch(r"\d+(\.\d+)?", label) for label in labels)


def test_month_labels_never_overlap() -> None:
    for n in (15, 24, 36, 60):
        values = [4 + (i % 5) * 0.1 for i in range(n)]
        months = [dt.date(2018 + i // 12, i % 12 + 1, 1) for i in range(n)]
        root = _svg(xmr_chart(spc.xmr(values), months, values, title="t", unit="u", direction="neutral"))
        xs = [float(t.get("x") or 0) for t in root.iter(f"{SVG}text") if t.text and re.fullmatch(r"\w{3} \d{4}", t.text)]
        assert xs and all(b - a >= 56 for a, b in zip(xs, xs[1:])), n


def test_a_rate_axis_never_goes_below_zero_and_a_hidden_limit_is_stated() -> None:
    values = [0.5, 3.0, 0.2, 2.8, 0.4, 3.1, 0.1, 2.9, 0.3, 3.2, 0.2, 2.7, 0.6, 3.0, 0.1, 2.9]
    chart = spc.xmr(values)
    assert chart is not None and chart.lower_limit < 0
    text = xmr_chart(chart, MONTHS[:16], values, title="t", unit="per 1,000", direction="lower_is_better")
    root = _svg(text)
    ticks = [float(t.text) for t in root.iter(f"{SVG}text") if t.text and re.fullmatch(r"-?\d+(\.\d+)?", t.text)]
    assert min(ticks) == 0
    assert "is below 0" in text


def test_every_rule_variation_and_assurance_has_words() -> None:
    assert set(wording.SPC_VARIATION) == set(typing.get_args(spc.Variation))
    assert set(wording.SPC_ASSURANCE) == set(typing.get_args(spc.Assurance))
    rules = {"beyond_limit", "run", "trend", "two_of_three"}
    assert set(wording.SPC_RULES) == rules


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError):
        xmr_chart(None, MONTHS[:3], [1.0, 2.0], title="t", unit="u", direction="neutral")


def test_month_label() -> None:
    assert [month_label(dt.date(2021, m, 1)) for m in (1, 9, 12)] == ["Jan 2021", "Sep 2021", "Dec 2021"]


@given(
    st.floats(-1e6, 1e6).map(lambda x: round(x, 3)),
    st.one_of(st.just(0.0), st.floats(1e-3, 1e6)),
    st.integers(3, 8),
)
def test_ticks_cover_the_range_with_equal_round_steps(lo: float, width: float, count: int) -> None:
    hi = lo + width
    ticks = nice_ticks(lo, hi, count)
    assert len(ticks) >= 2
    assert ticks[0] <= lo and ticks[-1] >= hi
    step = ticks[1] - ticks[0]
    assert all(math.isclose(b - a, step, rel_tol=1e-6, abs_tol=1e-9) for a, b in zip(ticks, ticks[1:]))
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5, 10))
    assert len(ticks) <= 2 * count + 2
