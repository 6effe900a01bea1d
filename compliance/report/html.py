"""A self-contained HTML board report: no external assets, inline CSS (A4 when printed), inline SVG.

The page carries the header (trust, period, verdict), a summary table per
scheme, the gaps with their explanation, shortfall, records and remediation,
and a chart of the trust's rate against the national trajectory for each
requirement measured as a ``trajectory``.  Every status is a symbol and words
as well as a colour.  The output is deterministic: no timestamps, no ids
drawn from memory addresses, sorted iteration.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape as _escape
from typing import TYPE_CHECKING

from ..results import Assessment, LeafResult, RequirementResult, filled
from . import challenge as challenge_view
from . import outline, overview
from .outline import GapRequirement, GapSection, Outline, SchemeOutline
from .style import CSS, UNICODE, label
from .wording import (
    ACTION_PLAN,
    ACTION_PLAN_MUST,
    CHALLENGE,
    GAPS,
    MISSING,
    REMEDIATION,
    NO_GAPS,
    NO_WEAKNESSES,
    NOTHING_TO_CHALLENGE,
    OVERVIEW_KEY,
    PARAMETER_OVERRIDE,
    QUESTIONS,
    UNVERIFIED_LEGEND,
    WEAKNESSES,
    fmt_value,
    overview_tally,
    record_words,
    overview_title,
    rests_on,
)

if TYPE_CHECKING:  # pragma: no cover
    from .formats import Options

__all__ = [
    "render",
    "render_outline",
    "render_many",
    "trajectory_chart",
    "STYLE",
    "assessment_html",
    "assessments_html",
    "challenge_html",
    "challenges_html",
]


def esc(text: object) -> str:
    """HTML-escaped, whitespace collapsed (scheme prose arrives with YAML's line breaks)."""
    return _escape(" ".join(str(text).split()), quote=True)


STYLE = """
:root { --ink: #1b1b1b; --muted: #555; --rule: #c8c8c8; --met: #1d6b2f; --not-met: #a4161a;
        --insufficient: #8a5a00; --na: #5f6368; --bar-trust: #24508f; --bar-target: #9aa0a6; }
* { box-sizing: border-box; }
body { font: 11pt/1.45 "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       max-width: 190mm; margin: 0 auto; padding: 12px 16px; background: #fff; }
h1 { font-size: 20pt; margin: 0 0 4px; }
h2 { font-size: 15pt; margin: 22px 0 6px; border-bottom: 2px solid var(--ink); padding-bottom: 2px; }
h3 { font-size: 12.5pt; margin: 16px 0 6px; }
h4 { font-size: 11pt; margin: 12px 0 4px; }
p { margin: 4px 0; }
.meta { color: var(--muted); margin: 0 0 8px; }
.meta dt { float: left; clear: left; width: 9em; font-weight: 600; color: var(--ink); }
.meta dd { margin: 0 0 2px 9.5em; }
.verdict { display: inline-block; font-weight: 700; font-size: 13pt; padding: 4px 10px; border: 2px solid currentColor;
           border-radius: 4px; margin: 6px 0; }
.status { font-weight: 600; white-space: nowrap; }
.met { color: var(--met); } .not-met { color: var(--not-met); }
.insufficient { color: var(--insufficient); } .na { color: var(--na); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 10pt; }
th, td { text-align: left; vertical-align: top; padding: 4px 6px; border-bottom: 1px solid var(--rule); }
th { border-bottom: 2px solid var(--ink); }
td.num, th.num { text-align: right; white-space: nowrap; }
.gap { border-left: 4px solid var(--rule); padding: 0 0 0 10px; margin: 4px 0 6px; break-inside: avoid; }
.gap.not-met { border-left-color: var(--not-met); } .gap.insufficient { border-left-color: var(--insufficient); }
.gap h4 { margin: 0 0 1px; font-size: 1em; } .gap h4 .status { margin-left: 4px; } .gap p { margin: 1px 0; }
.gap ul { margin: 0; padding-left: 1.1em; }
.gap-section { margin: 8px 0 2px; } .gap-section .plan { font-weight: 400; font-size: 0.91em; }
.gap, .gap h4 { color: var(--ink); }
code { font: 9.5pt ui-monospace, Consolas, monospace; }
.chart { margin: 6px 0 12px; break-inside: avoid; }
.chart svg { max-width: 100%; height: auto; }
.legend { color: var(--muted); font-size: 9.5pt; margin-top: 8px; border-top: 1px solid var(--rule); padding-top: 4px; }
.challenge ol, .challenge ul { margin: 2px 0 8px; }
.kind { font-weight: 600; }
.trust { break-before: page; }
.trust:first-of-type { break-before: auto; }
@media print {
  @page { size: A4; margin: 15mm 14mm; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2, h3, h4 { break-after: avoid; }
  tr, .gap, .chart { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
""".strip()


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def _status(status: str, *, tag: str = "span") -> str:
    return f'<{tag} class="status {CSS[status]}">{esc(label(status, UNICODE))}</{tag}>'


def render(assessment: Assessment, *, only_gaps: bool = False, challenge: bool = False) -> str:
    return render_outline(outline.build(assessment, only_gaps=only_gaps), challenge=challenge)


def render_outline(report: Outline, *, challenge: bool = False) -> str:
    """Lay out an outline already built (see :mod:`.outline`) as a page."""
    return _page(f"{report.trust}: compliance report", _trust(report, challenge=challenge, level=1))


def _trust(report: Outline, *, challenge: bool, level: int) -> str:
    a = report.assessment
    h = f"h{level}"
    out = [f'<section class="trust" id="trust-{esc(a.trust.ods_code or "not-yet-filled")}">']
    out.append(f"<{h}>{esc(report.trust)} <small>({esc(report.ods_code)})</small></{h}>")
    out.append('<dl class="meta">')
    out.append(f"<dt>Period</dt><dd>{a.period_start} to {a.period_end}</dd>")
    out.append(f"<dt>Assessed as of</dt><dd>{a.assessed_as_of}</dd>")
    out.append(f"<dt>Submitted</dt><dd>{report.submitted_on} by {esc(report.submitted_by)}</dd>")
    if a.source:
        out.append(f"<dt>Evidence</dt><dd><code>{esc(a.source)}</code></dd>")
    schemes = ", ".join(f"{esc(s.title)} ({_status(s.status)})" for s in report.schemes)
    out.append(f"<dt>Schemes</dt><dd>{schemes}</dd>")
    out.append("</dl>")
    out.append(f'<p class="verdict {CSS[report.status]}">Verdict: {esc(label(report.status, UNICODE))}</p>')
    for scheme in report.schemes:
        out.append(_scheme(scheme, level=level + 1))
    if challenge:
        out.append(_challenge(a, only_gaps=report.only_gaps, level=level + 1))
    out.append('<p class="legend">Status: ' + "; ".join(esc(label(s, UNICODE)) for s in ("met", "not_met", "insufficient_evidence", "not_applicable")) + ".")
    if report.unverified:
        out.append(f"<br>{UNICODE.unverified} {esc(UNVERIFIED_LEGEND)}.")
    out.append("</p>\n</section>\n")
    return "\n".join(out)


def _scheme(scheme: SchemeOutline, *, level: int) -> str:
    h, h1, h2 = f"h{level}", f"h{level + 1}", f"h{level + 2}"
    out = [f'<section class="scheme" id="scheme-{esc(scheme.id)}">']
    out.append(f"<{h}>{esc(scheme.title)}</{h}>")
    out.append(f'<p class="meta"><code>{esc(scheme.id)}</code> {UNICODE.dash} {esc(scheme.version)} {UNICODE.dash} {esc(scheme.publisher)}</p>')
    out.append(f"<p>{_status(scheme.status)}: {esc(scheme.explanation)}</p>")
    if scheme.outcome:
        out.append(f"<p>{esc(scheme.outcome)}</p>")
    for p in scheme.overrides:
        unit = f" {p.unit}" if p.unit else ""
        out.append(f"<p>{PARAMETER_OVERRIDE}: <code>{esc(p.id)}</code> = {esc(fmt_value(p.value))}{esc(unit)} (default {esc(fmt_value(p.default))})</p>")
    if scheme.rows:
        out.append('<table class="summary">\n<thead><tr><th scope="col">Section</th><th scope="col">Title</th>'
                   '<th scope="col">Status</th><th scope="col" class="num">Met</th></tr></thead>\n<tbody>')
        gap_ids = {sec.id for sec in scheme.gaps}  # a gap's row points to the one place it is set out
        for row in scheme.rows:
            met = f"{row.met}/{row.judged}" if row.judged else UNICODE.symbols["not_applicable"]
            shown = f'<a href="#gaps-{esc(row.id)}">{esc(row.id)}</a>' if row.id in gap_ids else esc(row.id)
            mark = f" {UNICODE.unverified}" if row.unverified else ""  # said once, in the legend below
            out.append(
                f'<tr id="row-{esc(row.id)}"><td>{shown}{mark}</td><td>{esc(row.title)}</td>'
                f"<td>{_status(row.status)}</td><td class=\"num\">{met}</td></tr>"
            )
        out.append("</tbody>\n</table>")
    if scheme.trajectories:
        out.append(f"<{h1}>Rates against the national trajectories</{h1}>")
        out.append(trajectory_chart(scheme.trajectories, chart_id=f"chart-{scheme.id}"))
    if scheme.gaps:
        out.append(f"<{h1}>{GAPS}</{h1}>")
        for sec in scheme.gaps:
            out.append(_gap_section(sec, h2))
    else:
        out.append(f"<p>{NO_GAPS}</p>")
    if scheme.action_plan_route:
        out.append(f"<p><strong>{ACTION_PLAN}</strong> {esc(scheme.action_plan_route)}</p>")
    out.append("</section>")
    return "\n".join(out)


def _gap_section(sec: GapSection, h: str) -> str:
    """A gap section: its id and status (its title is in the summary table, which links here), its plan, its gaps."""
    head = f'<{h} class="gap-section" id="gaps-{esc(sec.id)}">{esc(sec.id)} {_status(sec.status)}'
    if sec.action_plan:  # on the section's own line, as the terminal has it
        head += f' <span class="plan"><strong>{ACTION_PLAN_MUST}</strong> {esc(sec.action_plan)}</span>'
    out = [head + f"</{h}>"]
    for req in sec.requirements:
        out.append(_requirement(req, sec.status))
    return "\n".join(out)


def _requirement(req: GapRequirement, section_status: str) -> str:
    """A gap, each fact once: its findings (reason, figure, threshold, shortfall), records, missing evidence, fix."""
    mark = f" {UNICODE.unverified}" if req.unverified else ""  # said once, in the legend below
    status = f" {_status(req.status)}" if req.status != section_status else ""
    out = [f'<div class="gap {CSS[req.status]}" id="req-{esc(req.id)}" data-reason="{esc(req.reason)}">']
    out.append(f"<h4>{esc(req.id)} {esc(req.title)}{mark}{status}</h4>")
    out += [f"<p>{esc(f)}</p>" for f in req.findings]
    if req.missing:
        out.append(f"<p>{MISSING}: " + ", ".join(f"<code>{esc(m)}</code>" for m in req.missing) + "</p>")
    if req.records:
        out.append("<ul>" + "".join(f"<li><code>{esc(r.id)}</code>: {esc(record_words(r))}</li>" for r in req.records) + "</ul>")
    fix = f"<p><strong>{REMEDIATION}:</strong> {esc(req.remediation)}"
    if req.unverified:
        why = rests_on(req.unverified.parameters, req.unverified.verification, code=lambda p: f"<code>{esc(p)}</code>", text=esc)
        fix += f" {UNICODE.unverified} {why}."
    out.append(fix + "</p>\n</div>")
    return "\n".join(out)


# ------------------------------------------------------------------ the chart


def _num(x: float) -> str:
    """A coordinate with at most one decimal, no '-0'."""
    text = f"{x:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def trajectory_chart(items: Sequence[tuple[RequirementResult, LeafResult]], *, chart_id: str = "chart") -> str:
    """Small multiples: for each requirement, the national trajectory over the years and the trust's rate.

    Each row draws the trajectory through its stated points (interpolated
    linearly between them, as the rule does), marks its value for the year
    assessed, and plots the trust's rate for that year -- and the previous
    period's, when given -- on the same scale.  Rows have their own scales
    (rates per 1,000 and per 100,000 do not share an axis).  Values are
    written out beside each row, the trajectory is dashed as well as grey, and
    the status is written under the label, so nothing rests on colour.
    """
    width, label_w, row_h, pad, text_w = 760, 230, 74, 10, 230
    plot_w = width - label_w - text_w - 20
    plot_h = 44
    height = pad * 2 + row_h * len(items) + 24
    cid = esc(chart_id)
    out = [
        f'<figure class="chart" id="{cid}">',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{cid}-title" font-family="Segoe UI, Helvetica Neue, Arial, sans-serif" font-size="12">',
        f'<title id="{cid}-title">Trust rate against the national trajectory, one row per measure</title>',
        f'<g transform="translate({label_w},{pad})">'
        '<circle cx="6" cy="5" r="5" fill="#24508f"/><text x="15" y="9">Trust rate</text>'
        '<circle cx="96" cy="5" r="4" fill="#fff" stroke="#24508f" stroke-width="2"/><text x="105" y="9">Previous period</text>'
        '<line x1="210" y1="5" x2="232" y2="5" stroke="#80868b" stroke-width="2" stroke-dasharray="5 3"/>'
        '<text x="237" y="9">National trajectory (◆ the year assessed)</text></g>',
    ]
    for i, (req, leaf) in enumerate(items):
        y = pad + 24 + i * row_h
        value, target = float(leaf.value or 0), float(leaf.threshold or 0)
        unit = leaf.unit.strip()
        unit_text = unit if unit == "%" else f" {unit}" if unit else ""
        year = leaf.trajectory_year  # data, not a year read back out of the threshold's words
        points = list(leaf.trajectory or ([(year, target)] if year else []))
        value_text = f"trust {fmt_value(round(value, 2))}{unit_text}"
        target_text = f"{str(year) + ' ' if year else ''}trajectory {fmt_value(round(target, 2))}{unit_text}"
        status_text = label(req.status, UNICODE)
        if leaf.reason.code == "small_numbers":
            status_text += " (few events)"
        colour = {"met": "#1d6b2f", "not_met": "#a4161a", "insufficient_evidence": "#8a5a00", "not_applicable": "#5f6368"}[req.status]
        years = [p[0] for p in points] + ([year] if year else []) + ([year - 1] if year and leaf.previous is not None else [])
        lo, hi = (min(years), max(years)) if years else (0, 1)
        span = max(hi - lo, 1)
        top = max([value, target, float(leaf.previous or 0)] + [p[1] for p in points]) * 1.1 or 1.0

        def px(yr: float) -> float:
            return label_w + plot_w * (yr - lo) / span

        def py(v: float) -> float:
            return plot_h - plot_h * v / top

        out.append(f'<g class="row" transform="translate(0,{y})">')
        out.append(f"<title>{esc(req.id)}: {esc(value_text)}; {esc(target_text)}; {esc(status_text)}</title>")
        out.append(f'<text x="0" y="13" font-weight="600">{esc(req.id)}</text>')
        out.append(f'<text x="0" y="28" fill="#555">{esc(_short(leaf.describe, 36))}</text>')
        out.append(f'<text x="0" y="43" font-weight="600" fill="{colour}">{esc(status_text)}</text>')
        out.append(f'<line x1="{label_w}" y1="{plot_h}" x2="{_num(label_w + plot_w)}" y2="{plot_h}" stroke="#1b1b1b"/>')
        if len(points) > 1:
            line = " ".join(f"{_num(px(yr))},{_num(py(v))}" for yr, v in points)
            out.append(f'<polyline points="{line}" fill="none" stroke="#80868b" stroke-width="2" stroke-dasharray="5 3"/>')
        if year is not None:
            tx, ty = px(year), py(target)
            out.append(f'<path d="M{_num(tx)},{_num(ty - 5)} l5,5 l-5,5 l-5,-5 z" fill="#80868b"/>')
            if leaf.previous is not None:
                out.append(f'<circle cx="{_num(px(year - 1))}" cy="{_num(py(float(leaf.previous)))}" r="4" fill="#fff" stroke="#24508f" stroke-width="2"/>')
            out.append(f'<circle cx="{_num(tx)}" cy="{_num(py(value))}" r="5" fill="#24508f"/>')
        out.append(f'<text x="{label_w}" y="{plot_h + 14}" fill="#555">{lo}</text>')
        out.append(f'<text x="{_num(label_w + plot_w)}" y="{plot_h + 14}" fill="#555" text-anchor="end">{hi}</text>')
        tx0 = label_w + plot_w + 14
        out.append(f'<text x="{tx0}" y="17">{esc(value_text)}</text>')
        out.append(f'<text x="{tx0}" y="33">{esc(target_text)}</text>')
        if leaf.previous is not None and leaf.trend:
            out.append(f'<text x="{tx0}" y="49" fill="#555">{esc(leaf.trend)} from {esc(fmt_value(round(float(leaf.previous), 2)))}</text>')
        out.append("</g>")
    out.append("</svg>")
    ops = {leaf.comparison for _, leaf in items}
    better = "Lower is better. " if ops <= {"<=", "<"} else "Higher is better. " if ops <= {">=", ">"} else ""
    out.append(
        f"<figcaption>{better}Each row has its own scale; the dashed line is the national ambition's trajectory, "
        "and the diamond its value for the year assessed.</figcaption>"
    )
    out.append("</figure>")
    return "\n".join(out)




def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


# ------------------------------------------------------------------ challenge and many trusts


def _challenge(a: Assessment, *, only_gaps: bool, level: int) -> str:
    h, h1 = f"h{level}", f"h{level + 1}"
    out = [f'<section class="challenge">\n<{h}>{CHALLENGE}</{h}>']
    items = challenge_view.build(a, only_gaps=only_gaps)
    if not items:
        out.append(f"<p>{NOTHING_TO_CHALLENGE}</p>")
    for item in items:
        sec = item.section
        out.append(f"<{h1}>{esc(sec.id)} {esc(sec.title)} {_status(sec.status)}</{h1}>")
        if item.questions:
            out.append(f"<p>{QUESTIONS}:</p>\n<ol>" + "".join(f"<li>{esc(q)}</li>" for q in item.questions) + "</ol>")
        if item.weaknesses:
            lis = "".join(f'<li><span class="kind">{esc(w.word)}</span>: {esc(w.line)}</li>' for w in item.weaknesses)
            out.append(f"<p>{WEAKNESSES}:</p>\n<ul>{lis}</ul>")
        else:
            out.append(f"<p>{NO_WEAKNESSES}</p>")
    out.append("</section>")
    return "\n".join(out)


def render_many(assessments: Sequence[Assessment], *, only_gaps: bool = False, challenge: bool = False) -> str:
    """An overview table across trusts; with ``challenge``, each trust's challenge view after it."""
    ids = overview.scheme_ids(assessments)
    met = sum(1 for a in assessments if a.all_met)
    out = ['<section class="overview">', f"<h1>{overview_title(len(assessments))}</h1>",
           f"<p>{overview_tally(len(assessments), met)}</p>",
           '<table>\n<thead><tr><th scope="col">Trust</th><th scope="col">ODS</th>'
           + "".join(f'<th scope="col">{esc(i)}</th>' for i in ids)
           + '<th scope="col">Verdict</th></tr></thead>\n<tbody>']
    for row in overview.rows(assessments, ids, only_gaps=only_gaps):
        cells = "".join(
            f'<td><span class="status {CSS[c.status]}">{esc(label(c.status, UNICODE))}</span> ({c.met}/{c.judged})</td>' if c else "<td></td>"
            for c in row.cells
        )
        out.append(f"<tr><td>{esc(row.name)}</td><td>{esc(row.ods)}</td>{cells}<td>{_status(row.status)}</td></tr>")
    out.append("</tbody>\n</table>")
    out.append(f'<p class="legend">{OVERVIEW_KEY}; blank: scheme not assessed for that trust.</p>\n</section>')
    if challenge:
        for a in assessments:
            out.append(f'<section class="trust"><h2>{esc(filled(a.trust.name))} ({esc(filled(a.trust.ods_code))})</h2>')
            out.append(_challenge(a, only_gaps=only_gaps, level=3))
            out.append("</section>")
    return _page(overview_title(len(assessments)), "\n".join(out) + "\n")

# ------------------------------------------------------------------ as a registered format (see .formats)


def assessment_html(assessment: Assessment, options: Options) -> str:
    return render(assessment, only_gaps=options.only_gaps)


def assessments_html(assessments: Sequence[Assessment], options: Options) -> str:
    return render_many(assessments, only_gaps=options.only_gaps)


def challenge_html(assessment: Assessment, options: Options) -> str:
    return render(assessment, only_gaps=options.only_gaps, challenge=True)


def challenges_html(assessments: Sequence[Assessment], options: Options) -> str:
    return render_many(assessments, only_gaps=options.only_gaps, challenge=True)
