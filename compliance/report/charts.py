"""Charts drawn as self-contained SVG: the XmR run chart of a monthly series.

An NHS board reads a monthly rate as a statistical process control chart
(NHS England's *Making Data Count*): the points joined in order, the mean, the
process limits, the national trajectory over them, and the points that show
special-cause variation marked.  :mod:`compliance.spc` does the arithmetic;
this module only draws.

Drawing choices, each for a reader with a printed page:

* meaning never rests on colour -- a special cause of concern is a square, of
  improvement a triangle, neither a diamond; common-cause points are small
  circles; the mean is solid, the limits dashed, the trajectory dotted;
* both axes carry values, the value axis its unit, and nothing is truncated
  (month labels thin out rather than overlap);
* the right margin names each line with its value, pushed apart so labels do
  not collide;
* coordinates are written with at most one decimal, so the same series gives
  byte-identical SVG.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from html import escape as _escape

from .. import spc
from ..errors import visible
from ..results import LeafResult, RequirementResult, RunChart
from .style import UNICODE, label
from .wording import TRAJECTORY_CHART, SPC_LEGEND, SPC_LOWER_HIDDEN, SPC_METHOD, SPC_RULES, SPC_TOO_SHORT, fmt_value, spc_summary

__all__ = ["xmr_chart", "run_chart_svg", "trajectory_chart", "nice_ticks", "month_label"]

_FONT = "Segoe UI, Helvetica Neue, Arial, sans-serif"
_INK, _MUTED = "#1b1b1b", "#555555"
#: Making Data Count's colours: orange for concern, blue for improvement, purple for neither.
#: The lines: colour, width, dash.
_LINES = {
    "line": ("#7f7f7f", 1.5, ""),
    "mean": ("#1b1b1b", 1.5, ""),
    "limits": ("#555555", 1.3, "6 4"),
    "trajectory": ("#24508f", 2.2, "2 3"),
}
_STATUS_COLOUR = {"met": "#1d6b2f", "not_met": "#a4161a", "insufficient_evidence": "#8a5a00", "not_applicable": "#5f6368"}
_STATUS_WORDS = {s: label(s, UNICODE) for s in _STATUS_COLOUR}
_COLOUR = {"concern": "#e46c0a", "improvement": "#2f6db5", "neutral": "#6c3d91", "common": "#5f6368"}


def _esc(text: object) -> str:
    # Control and bidirectional characters shown as escapes, as in the HTML report (html.esc).
    return _escape(visible(" ".join(str(text).split()), newlines=False), quote=True)


def _num(x: float) -> str:
    """A coordinate with at most one decimal, no '-0'."""
    text = f"{x:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def month_label(month: dt.date) -> str:
    """``Jan 2021`` (not locale-dependent: strftime's %b would be)."""
    return f"{'JanFebMarAprMayJunJulAugSepOctNovDec'[3 * (month.month - 1):3 * month.month]} {month.year}"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering ``lo``..``hi``: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError("ticks need finite bounds")
    if hi - lo <= 1e-9 * max(1.0, abs(lo), abs(hi)):  # a flat series still gets an axis
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / max(count - 1, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    # Ticks are whole multiples of the step, rounded to the step's own decimals (no 0.30000000000000004).
    decimals = max(0, 1 - math.floor(math.log10(step)))
    first = math.floor(lo / step)
    last = math.ceil(hi / step)
    return [round(k * step, decimals) + 0.0 for k in range(first, max(last, first + 1) + 1)]


def _kind(point: spc.Point, mean: float, direction: spc.Direction) -> str:
    if not point.special:
        return "common"
    if direction == "neutral":
        return "neutral"
    high = point.value > mean
    good = (not high) if direction == "lower_is_better" else high
    return "improvement" if good else "concern"


def _marker(kind: str, x: float, y: float) -> str:
    fill = _COLOUR[kind]
    if kind == "concern":
        return f'<rect x="{_num(x - 4.5)}" y="{_num(y - 4.5)}" width="9" height="9" fill="{fill}" stroke="{_INK}" stroke-width="1"/>'
    if kind == "improvement":
        return f'<path d="M{_num(x)},{_num(y - 6)} l5.5,10 h-11 z" fill="{fill}" stroke="{_INK}" stroke-width="1"/>'
    if kind == "neutral":
        return f'<path d="M{_num(x)},{_num(y - 6)} l6,6 l-6,6 l-6,-6 z" fill="{fill}" stroke="{_INK}" stroke-width="1"/>'
    return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3.5" fill="{fill}"/>'


def _spread(labels: list[tuple[float, str]], gap: float, top: float, bottom: float) -> list[tuple[float, str]]:
    """Labels at their y, pushed apart to at least ``gap`` and kept between ``top`` and ``bottom``."""
    placed = sorted(labels)
    out: list[tuple[float, str]] = []
    for y, text in placed:
        y = max(y, top) if not out else max(y, out[-1][0] + gap)
        out.append((y, text))
    overflow = out[-1][0] - bottom if out else 0
    if overflow > 0:  # shift the stack up, never above the top
        out = [(max(y - overflow, top + i * gap), t) for i, (y, t) in enumerate(out)]
    return out


def xmr_chart(
    chart: spc.Chart | None,
    months: Sequence[dt.date],
    values: Sequence[float],
    *,
    title: str,
    unit: str,
    direction: spc.Direction,
    trajectory: Sequence[float | None] = (),
    chart_id: str = "xmr",
    floor: float | None = 0.0,
) -> str:
    """A ``<figure>`` holding the XmR chart of ``values`` (one per month in ``months``) and its caption.

    ``chart`` is :func:`compliance.spc.xmr` of the values (None when the series
    is too short: the points are drawn without limits and the caption says
    why).  ``trajectory`` gives the national trajectory for each month (None
    where it states none).  ``floor`` keeps the value axis from going below a
    value no rate can take; a limit beyond it is not drawn but is stated.
    """
    if len(months) != len(values) or (trajectory and len(trajectory) != len(values)):
        raise ValueError("months, values and trajectory must have one entry per month")
    if not values:
        raise ValueError("a run chart needs at least one month")
    width, left, right, bottom, plot_h = 720, 64, 168, 56, 230
    plot_w = width - left - right
    unit_text = unit.strip()
    cid = _esc(chart_id)
    targets = [t for t in trajectory if t is not None]

    legend = [("line", SPC_LEGEND["value"])]
    if chart is not None:
        legend += [("mean", SPC_LEGEND["mean"]), ("limits", SPC_LEGEND["limits"])]
    if targets:
        legend.append(("trajectory", SPC_LEGEND["trajectory"]))
    if chart is not None:
        shown = {_kind(p, chart.mean, direction) for p in chart.points}
        legend += [(k, SPC_LEGEND[k]) for k in ("concern", "improvement", "neutral") if k in shown]
    # Lay the legend out first: its rows decide where the plot starts.
    placed: list[tuple[float, float, str, str]] = []
    x, y = float(left), 29.0
    for key, text in legend:
        item = 25 + 5.9 * len(text) + 14  # 11px sans: about 5.9px a character
        if x > left and x + item > width - 8:
            x, y = float(left), y + 16
        placed.append((x, y, key, text))
        x += item
    top = int(y) + 15
    height = top + plot_h + bottom

    extent = list(values) + targets
    if chart is not None:
        extent += [chart.mean, chart.upper_limit, chart.lower_limit]
    lo, hi = min(extent), max(extent)
    if floor is not None:
        lo = max(lo, floor)
    pad = (hi - lo) * 0.05 or abs(hi) * 0.05 or 1.0
    ticks = nice_ticks(lo - pad if floor is None or lo - pad >= floor else floor, hi + pad)
    y0, y1 = ticks[0], ticks[-1]
    n = len(values)
    step = plot_w / max(n - 1, 1)

    def px(i: int) -> float:
        return left + (step * i if n > 1 else plot_w / 2)

    def py(v: float) -> float:
        return top + plot_h - plot_h * (v - y0) / (y1 - y0)

    def in_view(v: float) -> bool:
        return y0 <= v <= y1

    out = [
        f'<figure class="chart run-chart" id="{cid}">',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{cid}-title" font-family="{_FONT}" font-size="11" fill="{_INK}">',
        f'<title id="{cid}-title">{_esc(title)} ({_esc(SPC_LEGEND["kind"])})</title>',
        f'<text x="{left}" y="16" font-size="13" font-weight="600">{_esc(title)}</text>',
    ]
    out.append('<g class="legend">')
    for x, y, key, text in placed:
        if key in _LINES:
            colour, w, dash = _LINES[key]
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<line x1="{_num(x)}" y1="{_num(y)}" x2="{_num(x + 20)}" y2="{_num(y)}" stroke="{colour}" stroke-width="{w}"{dash_attr}/>')
        else:
            out.append(_marker(key, x + 10, y))
        out.append(f'<text x="{_num(x + 25)}" y="{_num(y + 4)}">{_esc(text)}</text>')
    out.append("</g>")

    # Axes: value ticks with gridlines, month labels thinned to fit.
    out.append(f'<g class="axis" fill="{_MUTED}">')
    for t in ticks:
        y = py(t)
        out.append(f'<line x1="{left}" y1="{_num(y)}" x2="{left + plot_w}" y2="{_num(y)}" stroke="#e3e3e3"/>')
        out.append(f'<text x="{left - 6}" y="{_num(y + 4)}" text-anchor="end">{_esc(fmt_value(t))}</text>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{_INK}"/>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{_INK}"/>')
    every = next((k for k in (1, 2, 3, 4, 6, 12) if step * k >= 56), 12)
    for i, month in enumerate(months):
        if i % every == 0:
            x = px(i)
            out.append(f'<line x1="{_num(x)}" y1="{top + plot_h}" x2="{_num(x)}" y2="{top + plot_h + 4}" stroke="{_INK}"/>')
            out.append(f'<text x="{_num(x)}" y="{top + plot_h + 17}" text-anchor="middle">{_esc(month_label(month))}</text>')
    mid = top + plot_h / 2
    out.append(
        f'<text x="14" y="{_num(mid)}" text-anchor="middle" transform="rotate(-90 14 {_num(mid)})">{_esc(unit_text)}</text>'
    )
    out.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 8}" text-anchor="middle">{_esc(SPC_LEGEND["month"])}</text>')
    out.append("</g>")

    ends: list[tuple[float, str]] = []
    if chart is not None:
        for value, name, style in (
            (chart.upper_limit, "upper", "limits"),
            (chart.mean, "mean", "mean"),
            (chart.lower_limit, "lower", "limits"),
        ):
            if in_view(value):
                y = py(value)
                colour, w, dash = _LINES[style]
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(f'<line x1="{left}" y1="{_num(y)}" x2="{left + plot_w}" y2="{_num(y)}" stroke="{colour}" stroke-width="{w}"{dash_attr}/>')
                ends.append((y + 4, f"{SPC_LEGEND[name]} {fmt_value(round(value, 2))}"))
    if targets:
        segment: list[str] = []
        runs: list[list[str]] = []
        for i, target in enumerate(trajectory):
            if target is None:
                if segment:
                    runs.append(segment)
                segment = []
                continue
            segment.append(f"{_num(px(i))},{_num(py(target))}")
        if segment:
            runs.append(segment)
        for pts in runs:
            if len(pts) == 1:
                x_, y_ = pts[0].split(",")
                out.append(f'<circle cx="{x_}" cy="{y_}" r="2.5" fill="{_LINES["trajectory"][0]}"/>')
            else:
                colour, w, dash = _LINES["trajectory"]
                out.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{colour}" stroke-width="{w}" stroke-dasharray="{dash}"/>')
        last = next(t for t in reversed(trajectory) if t is not None)
        ends.append((py(last) + 4, f"{SPC_LEGEND['trajectory_end']} {fmt_value(round(last, 2))}"))
    for y, text in _spread(ends, 13, top + 4, top + plot_h + 4):
        out.append(f'<text x="{left + plot_w + 8}" y="{_num(y)}">{_esc(text)}</text>')

    line = " ".join(f"{_num(px(i))},{_num(py(v))}" for i, v in enumerate(values))
    colour, w, _ = _LINES["line"]
    out.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="{w}"/>')
    for i, (month, value) in enumerate(zip(months, values)):
        point = chart.points[i] if chart is not None else spc.Point(float(value))
        kind = _kind(point, chart.mean, direction) if chart is not None else "common"
        tip = f"{month_label(month)}: {fmt_value(round(float(value), 2))} {unit_text}"
        if point.rules:
            tip += "; " + "; ".join(SPC_RULES[r] for r in point.rules)
        out.append(f"<g><title>{_esc(tip)}</title>{_marker(kind, px(i), py(float(value)))}</g>")
    out.append("</svg>")

    first, last_month = month_label(months[0]), month_label(months[-1])
    if chart is None:
        caption = SPC_TOO_SHORT.format(points=n, needed=spc.MIN_POINTS)
    else:
        caption = SPC_METHOD.format(points=n, first=first, last=last_month) + " " + spc_summary(chart.variation, chart.assurance)
        rules = sorted({r for p in chart.points for r in p.rules})
        if rules:
            caption += " Marked: " + "; ".join(SPC_RULES[r] for r in rules) + "."
        if not in_view(chart.lower_limit):
            caption += " " + SPC_LOWER_HIDDEN.format(limit=fmt_value(round(chart.lower_limit, 2)), floor=fmt_value(y0))
    out.append(f"<figcaption>{_esc(caption)}</figcaption>")
    out.append("</figure>")
    return "\n".join(out)


def run_chart_svg(rc: RunChart, *, title: str, unit: str, chart_id: str) -> str:
    """The XmR chart of a run chart the assessment computed (:class:`~compliance.results.RunChart`)."""
    chart = None
    if rc.mean is not None and rc.lower_limit is not None and rc.upper_limit is not None and rc.mean_moving_range is not None:
        chart = spc.Chart(
            tuple(spc.Point(v, tuple(r)) for v, r in zip(rc.values, rc.rules)),
            rc.mean,
            rc.mean_moving_range,
            rc.lower_limit,
            rc.upper_limit,
            rc.variation or "common_cause",
            rc.assurance,
        )
    months = [dt.date(int(m[:4]), int(m[5:7]), 1) for m in rc.months]
    return xmr_chart(chart, months, rc.values, title=title, unit=unit, direction=rc.direction, trajectory=rc.trajectory, chart_id=chart_id)


# ------------------------------------------------------------------ a rate against its trajectory, from annual figures


def _wrap(text: str, width: int) -> list[str]:
    """Words on lines of at most ``width`` characters (a word longer than that gets a line of its own): nothing is cut."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def trajectory_chart(items: Sequence[tuple[RequirementResult, LeafResult]], *, chart_id: str = "chart") -> str:
    """Small multiples: for each requirement, the national trajectory over the years and the trust's rate on it.

    For rates given as annual figures (a monthly series gets :func:`xmr_chart`).
    Each row draws the trajectory through its stated points (linear between them,
    as the rule interpolates), marks its value for the year assessed, and plots
    the trust's rate for that year -- and the previous period's, when given.  Each
    row has its own value axis (rates per 1,000 and per 100,000 do not share
    one), starting at zero, with its unit and tick values; the year axis marks
    every stated year.  The measure's description wraps rather than being cut;
    values are written beside each row, the trajectory is dashed as well as
    grey, and the status is written under the label, so nothing rests on colour.
    """
    width, label_w, pad, text_w, axis_w = 760, 210, 10, 200, 46
    plot_x = label_w + axis_w
    plot_w = width - plot_x - text_w - 16
    plot_h = 56
    rows: list[str] = []
    y = pad + 40
    for req, leaf in items:
        value, target = float(leaf.value or 0), float(leaf.threshold or 0)
        unit = leaf.unit.strip()
        unit_text = unit if unit == "%" else f" {unit}" if unit else ""
        year = leaf.trajectory_year
        points = list(leaf.trajectory or ([(year, target)] if year else []))
        value_text = f"trust {fmt_value(round(value, 2))}{unit_text}"
        target_text = f"{str(year) + ' ' if year else ''}trajectory {fmt_value(round(target, 2))}{unit_text}"
        status_text = _STATUS_WORDS[req.status]
        if leaf.reason.code == "small_numbers":  # the code, not a word searched for in the note
            status_text += " (few events)"
        years = sorted({p[0] for p in points} | ({year} if year else set()) | ({year - 1} if year and leaf.previous is not None else set()))
        lo, hi = (years[0], years[-1]) if years else (0, 1)
        span = max(hi - lo, 1)
        ticks = nice_ticks(0.0, max([value, target, float(leaf.previous or 0)] + [p[1] for p in points]) or 1.0, 3)
        top = ticks[-1] or 1.0
        label_lines = _wrap(leaf.describe, 30)[:3]
        row_h = max(plot_h + 44, 16 * (len(label_lines) + 2) + 8)

        def px(yr: float) -> float:
            return plot_x + plot_w * (yr - lo) / span

        def py(v: float) -> float:
            return plot_h - plot_h * v / top

        colour = _STATUS_COLOUR[req.status]
        out = [f'<g class="row" transform="translate(0,{y})">']
        out.append(f"<title>{_esc(req.id)}: {_esc(value_text)}; {_esc(target_text)}; {_esc(status_text)}</title>")
        out.append(f'<text x="0" y="12" font-weight="600">{_esc(req.id)}</text>')
        for i, line in enumerate(label_lines):
            out.append(f'<text x="0" y="{28 + 15 * i}" fill="{_MUTED}">{_esc(line)}</text>')
        out.append(f'<text x="0" y="{28 + 15 * len(label_lines)}" font-weight="600" fill="{colour}">{_esc(status_text)}</text>')
        # The value axis: a line, its ticks with values, and the unit.
        out.append(f'<line x1="{plot_x}" y1="0" x2="{plot_x}" y2="{plot_h}" stroke="{_INK}"/>')
        for t in ticks:
            ty = py(t)
            out.append(f'<line x1="{plot_x - 4}" y1="{_num(ty)}" x2="{plot_x}" y2="{_num(ty)}" stroke="{_INK}"/>')
            out.append(f'<text x="{plot_x - 6}" y="{_num(ty + 4)}" text-anchor="end" fill="{_MUTED}" font-size="11">{_esc(fmt_value(t))}</text>')
        if unit:
            out.append(f'<text x="{plot_x + 6}" y="-4" fill="{_MUTED}" font-size="10">{_esc(unit)}</text>')
        # The year axis: every stated year (and the one assessed).
        out.append(f'<line x1="{plot_x}" y1="{plot_h}" x2="{_num(plot_x + plot_w)}" y2="{plot_h}" stroke="{_INK}"/>')
        shown = _thin([px(yr) for yr in years], 30)
        for yr, x in zip(years, (px(yr) for yr in years)):
            out.append(f'<line x1="{_num(x)}" y1="{plot_h}" x2="{_num(x)}" y2="{plot_h + 4}" stroke="{_INK}"/>')
            if x in shown:
                out.append(f'<text x="{_num(x)}" y="{plot_h + 16}" text-anchor="middle" fill="{_MUTED}" font-size="11">{yr}</text>')
        if len(points) > 1:
            line = " ".join(f"{_num(px(yr))},{_num(py(v))}" for yr, v in points)
            out.append(f'<polyline points="{line}" fill="none" stroke="#80868b" stroke-width="2" stroke-dasharray="5 3"/>')
        if year is not None:
            tx, ty = px(year), py(target)
            out.append(f'<path d="M{_num(tx)},{_num(ty - 5)} l5,5 l-5,5 l-5,-5 z" fill="#80868b"/>')
            if leaf.previous is not None:
                out.append(f'<circle cx="{_num(px(year - 1))}" cy="{_num(py(float(leaf.previous)))}" r="4" fill="#fff" stroke="#24508f" stroke-width="2"/>')
            out.append(f'<circle cx="{_num(tx)}" cy="{_num(py(value))}" r="5" fill="#24508f"/>')
        tx0 = plot_x + plot_w + 14
        out.append(f'<text x="{tx0}" y="14">{_esc(value_text)}</text>')
        out.append(f'<text x="{tx0}" y="30">{_esc(target_text)}</text>')
        if leaf.previous is not None and leaf.trend:
            out.append(f'<text x="{tx0}" y="46" fill="{_MUTED}">{_esc(leaf.trend)} from {_esc(fmt_value(round(float(leaf.previous), 2)))}</text>')
        out.append("</g>")
        rows.append("\n".join(out))
        y += row_h
    height = y + pad
    cid = _esc(chart_id)
    head = [
        f'<figure class="chart" id="{cid}">',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{cid}-title" font-family="{_FONT}" font-size="12">',
        f'<title id="{cid}-title">{_esc(TRAJECTORY_CHART["title"])}</title>',
        f'<g transform="translate({plot_x},{pad})">'
        f'<circle cx="6" cy="5" r="5" fill="#24508f"/><text x="15" y="9">{_esc(TRAJECTORY_CHART["trust"])}</text>'
        f'<circle cx="96" cy="5" r="4" fill="#fff" stroke="#24508f" stroke-width="2"/><text x="105" y="9">{_esc(TRAJECTORY_CHART["previous"])}</text>'
        '<line x1="210" y1="5" x2="232" y2="5" stroke="#80868b" stroke-width="2" stroke-dasharray="5 3"/>'
        f'<text x="237" y="9">{_esc(TRAJECTORY_CHART["trajectory"])}</text></g>',
    ]
    ops = {leaf.comparison for _, leaf in items}
    better = TRAJECTORY_CHART["lower"] if ops <= {"<=", "<"} else TRAJECTORY_CHART["higher"] if ops <= {">=", ">"} else ""
    tail = ["</svg>", f"<figcaption>{_esc((better + ' ' + TRAJECTORY_CHART['caption']).strip())}</figcaption>", "</figure>"]
    return "\n".join(head + rows + tail)


def _thin(xs: list[float], gap: float) -> set[float]:
    """The positions to label, left to right, each at least ``gap`` from the last labelled (the last one always)."""
    keep: list[float] = []
    for x in sorted(xs):
        if not keep or x - keep[-1] >= gap:
            keep.append(x)
    if xs and max(xs) not in keep:
        keep[-1] = max(xs)
    return set(keep)
