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

from ..errors import visible
from ..results import Assessment, filled
from . import challenge as challenge_view
from . import outline, overview
from .charts import run_chart_svg, trajectory_chart
from .outline import Declaration, DeclarationLine, GapRequirement, GapSection, Outline, SchemeOutline
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
    DECLARATION_ACTION_PLANS,
    DECLARATION_PLANS_WHERE,
    DECLARATION_COLUMNS,
    DECLARATION_CONDITIONS,
    DECLARATION_NOTE,
    DECLARATION_OUTCOME,
    DECLARATION_SIGN_FIELDS,
    DECLARATION_SIGN_OFF,
    SIGNALS,
    deadline_words,
    declaration_count,
    declaration_why,
    signal_line,
    with_signals,
    REASON_WORDS,
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
    """HTML-escaped, whitespace collapsed (scheme prose arrives with YAML's line breaks).

    Control and bidirectional characters are shown as escapes (``\\u202e``): a
    character reference would still reorder the text in a browser.
    """
    return _escape(visible(" ".join(str(text).split()), newlines=False), quote=True)


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
table.summary td:first-child { white-space: nowrap; }
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
.declaration { break-after: page; }
.declaration table td:first-child { white-space: nowrap; font-weight: 600; }
.signals { border: 2px solid var(--not-met); padding: 4px 10px; margin: 6px 0; }
.signals h3 { margin: 2px 0; font-size: 11pt; }
.signoff td { height: 2.2em; }
.signoff td.line { border-bottom: 1px solid var(--ink); width: 30%; }
.running { display: none; }
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


def _page(title: str, body: str, extra_style: str = "") -> str:
    """The whole page; ``extra_style`` follows the report's own CSS (the PDF's page furniture)."""
    style = STYLE + ("\n" + extra_style.strip() if extra_style else "")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n{style}\n</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def _status(status: str, *, tag: str = "span") -> str:
    return f'<{tag} class="status {CSS[status]}">{esc(label(status, UNICODE))}</{tag}>'


def render(assessment: Assessment, *, only_gaps: bool = False, challenge: bool = False, extra_style: str = "") -> str:
    return render_outline(outline.build(assessment, only_gaps=only_gaps), challenge=challenge, extra_style=extra_style)


def render_outline(report: Outline, *, challenge: bool = False, extra_style: str = "") -> str:
    """Lay out an outline already built (see :mod:`.outline`) as a page."""
    return _page(f"{report.trust}: compliance report", _trust(report, challenge=challenge, level=1), extra_style)


def _trust(report: Outline, *, challenge: bool, level: int) -> str:
    a = report.assessment
    h = f"h{level}"
    out = [f'<section class="trust" id="trust-{esc(a.trust.ods_code or "not-yet-filled")}">']
    schemes_named = ", ".join(s.id for s in report.schemes)
    out.append(f'<p class="running">{esc(report.trust)} {UNICODE.dash} {esc(schemes_named)} {UNICODE.dash} {a.period_start} to {a.period_end}</p>')
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
    verdict = with_signals(label(report.status, UNICODE), len(report.signals))
    out.append(f'<p class="verdict {CSS[report.status]}">Verdict: {esc(verdict)}</p>')
    if report.signals:
        items = "".join(f"<li>{esc(signal_line(sig))}</li>" for sig in report.signals)
        out.append(f'<div class="signals"><h3>{SIGNALS}</h3>\n<ul>{items}</ul></div>')
    if report.declaration is not None:
        out.append(_declaration(report, report.declaration, level=level + 1))
    declared = report.declaration.scheme_id if report.declaration else None
    for scheme in report.schemes:
        out.append(_scheme(scheme, level=level + 1, declared=scheme.id == declared))
    if challenge:
        out.append(_challenge(a, only_gaps=report.only_gaps, level=level + 1))
    out.append('<p class="legend">Status: ' + "; ".join(esc(label(s, UNICODE)) for s in ("met", "not_met", "insufficient_evidence", "not_applicable")) + ".")
    if report.unverified:
        out.append(f"<br>{UNICODE.unverified} {esc(UNVERIFIED_LEGEND)}.")
    out.append("</p>\n</section>\n")
    return "\n".join(out)


def _scheme(scheme: SchemeOutline, *, level: int, declared: bool = False) -> str:
    """A scheme's section; one whose declaration is on page one does not say its outcome and route again."""
    h, h1, h2 = f"h{level}", f"h{level + 1}", f"h{level + 2}"
    out = [f'<section class="scheme" id="scheme-{esc(scheme.id)}">']
    out.append(f"<{h}>{esc(scheme.title)}</{h}>")
    out.append(f'<p class="meta"><code>{esc(scheme.id)}</code> {UNICODE.dash} {esc(scheme.version)} {UNICODE.dash} {esc(scheme.publisher)}</p>')
    if scheme.version_chosen:
        out.append(f'<p class="meta">{esc(scheme.version_chosen)}</p>')
    out.append(f"<p>{_status(scheme.status)}: {esc(scheme.explanation)}</p>")
    if scheme.outcome and not declared:
        out.append(f"<p>{esc(scheme.outcome)}</p>")
    for p in scheme.overrides:
        unit = f" {esc(p.unit)}" if p.unit else ""  # the space outside esc(), which trims it
        out.append(f"<p>{PARAMETER_OVERRIDE}: <code>{esc(p.id)}</code> = {esc(fmt_value(p.value))}{unit} (default {esc(fmt_value(p.default))})</p>")
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
        annual = [(req, leaf) for req, leaf in scheme.trajectories if leaf.run_chart is None]
        if annual:
            out.append(trajectory_chart(annual, chart_id=f"chart-{scheme.id}"))
        for req, leaf in scheme.trajectories:
            if leaf.run_chart is not None:
                out.append(run_chart_svg(leaf.run_chart, title=f"{req.id} {leaf.describe}", unit=leaf.unit, chart_id=f"run-{req.id}"))
    if scheme.gaps:
        out.append(f"<{h1}>{GAPS}</{h1}>")
        for sec in scheme.gaps:
            out.append(_gap_section(sec, h2))
    else:
        out.append(f"<p>{NO_GAPS}</p>")
    if scheme.action_plan_route and not declared:
        out.append(f"<p><strong>{ACTION_PLAN}</strong> {esc(scheme.action_plan_route)}</p>")
    out.append("</section>")
    return "\n".join(out)


def _declaration_row(line: DeclarationLine, requirement_level: str) -> str:
    # Why, in a word (the reason code's), pointing to the gap where its figure and records are set out once.
    why = declaration_why(line.status, line.met, line.judged, requirement_level, line.first_gap, None,
                          REASON_WORDS[line.reason] if line.reason else None, 0, line.gaps)
    cell = f'<a href="#req-{esc(line.first_gap)}">{esc(why)}</a>' if line.first_gap else esc(why)
    return (f'<tr><td><a href="#row-{esc(line.id)}">{esc(line.id)}</a></td><td>{esc(line.title)}</td>'
            f"<td>{_status(line.status)}</td><td>{cell}</td></tr>")


def _declaration(report: Outline, d: Declaration, *, level: int) -> str:
    h, h1 = f"h{level}", f"h{level + 1}"
    out = [f'<section class="declaration" id="declaration-{esc(d.scheme_id)}">']
    out.append(f"<{h}>{esc(d.form)}</{h}>")
    out.append('<dl class="meta">')
    out.append(f"<dt>Scheme</dt><dd>{esc(d.scheme_title)}</dd>")
    deadline = deadline_words(d.deadline, d.days_to_deadline)
    if deadline:
        out.append(f"<dt>Deadline</dt><dd>{esc(deadline)}</dd>")
    out.append(f"<dt>Result</dt><dd>{_status(d.status)}: {esc(declaration_count(d.met, d.judged, d.level_plural))}</dd>")
    out.append("</dl>")
    out.append(f'<p class="legend">{esc(DECLARATION_NOTE.format(level=d.level))}</p>')
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in DECLARATION_COLUMNS)
    out.append(f'<table class="declaration-actions">\n<thead><tr>{head}</tr></thead>\n<tbody>')
    out += [_declaration_row(line, d.requirement_level) for line in d.sections]
    out.append("</tbody>\n</table>")
    if d.conditions:
        out.append(f"<{h1}>{DECLARATION_CONDITIONS}</{h1}>")
        out.append(f'<table class="declaration-conditions">\n<thead><tr>{head}</tr></thead>\n<tbody>')
        out += [_declaration_row(line, d.requirement_level) for line in d.conditions]
        out.append("</tbody>\n</table>")
    out.append(f"<{h1}>{DECLARATION_OUTCOME}</{h1}>\n<p>{_status(d.status)} {esc(d.outcome)}</p>")
    if d.action_plans:
        out.append(f"<{h1}>{esc(DECLARATION_ACTION_PLANS.format(levels=d.level_plural))}</{h1}>")
        if d.action_plan_route:
            out.append(f'<p class="route">{esc(d.action_plan_route)}</p>')
        # What each plan must contain is said once, under its gap (which this points to), not here as well.
        links = ", ".join(f'<a href="#gaps-{esc(i)}">{esc(i)}</a>' for i, _ in d.action_plans)
        out.append(f"<p>{esc(DECLARATION_PLANS_WHERE)} {links}.</p>")
    out.append(f'<{h1}>{DECLARATION_SIGN_OFF} <small class="meta">({esc(d.source)})</small></{h1}>')
    fields = "".join(f"<th scope=\"col\">{esc(f)}</th>" for f in DECLARATION_SIGN_FIELDS)
    rows = "".join(f'<tr><td>{esc(role)}</td>' + '<td class="line"></td>' * len(DECLARATION_SIGN_FIELDS) + "</tr>" for role in d.sign_off)
    out.append(f'<table class="signoff">\n<thead><tr><th scope="col"></th>{fields}</tr></thead>\n<tbody>{rows}</tbody>\n</table>')
    out.append("</section>")
    return "\n".join(out)


def _gap_section(sec: GapSection, h: str) -> str:
    """A gap section: its id and status (its title is in the summary table, which links here), its plan, its gaps.

    What its action plan must contain is said here only: page one points here.
    """
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


def render_many(assessments: Sequence[Assessment], *, only_gaps: bool = False, challenge: bool = False, extra_style: str = "") -> str:
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
    return _page(overview_title(len(assessments)), "\n".join(out) + "\n", extra_style)

# ------------------------------------------------------------------ as a registered format (see .formats)


def assessment_html(assessment: Assessment, options: Options) -> str:
    return render(assessment, only_gaps=options.only_gaps)


def assessments_html(assessments: Sequence[Assessment], options: Options) -> str:
    return render_many(assessments, only_gaps=options.only_gaps)


def challenge_html(assessment: Assessment, options: Options) -> str:
    return render(assessment, only_gaps=options.only_gaps, challenge=True)


def challenges_html(assessments: Sequence[Assessment], options: Options) -> str:
    return render_many(assessments, only_gaps=options.only_gaps, challenge=True)
