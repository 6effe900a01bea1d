"""The English the report renderers share: status words, labels, and the sentences every report says.

Terminal, Markdown and HTML (and the challenge and overview views) say the same
things; the words live here once, so a change of wording is made once and
reaches every format alike.  Each renderer adds only its own markup: escaping,
code spans, emphasis.  Where a function embeds an identifier or scheme text in
a sentence it takes the renderer's ``code`` and ``text`` functions, so the
sentence is written here and the markup there.

The assessment carries no sentence of its own: each comparison and
requirement has a reason code with parameters (``compliance.results.REASON_CODES``,
documented in ``docs/reason-codes.md``), each record behind a figure a record
code (``RECORD_CODES``).  Every sentence a report says about them -- a
requirement's explanation, a comparison's line, a shortfall, a record, a
roll-up, the scheme's outcome before and after its deadline -- is made here from
those codes, so no renderer reads another's prose.

This module imports nothing of the project at run time (:mod:`.style` and
:mod:`.outline` build on it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..results import LeafResult, RecordRef, RequirementResult, SchemeResult, SectionResult
    from .signals import Signal

__all__ = [
    "VERSION_CHOSEN_WHY",
    "version_chosen",
    "window_text",
    "WORDS",
    "UNVERIFIED_LEGEND",
    "NO_GAPS",
    "GAPS",
    "ACTION_PLAN",
    "ACTION_PLAN_MUST",
    "ACTION_PLAN_MUST_LABEL",
    "MISSING",
    "RECORDS",
    "REMEDIATION",
    "PARAMETER_OVERRIDE",
    "CHALLENGE",
    "WEAKNESS_WORDS",
    "DIFF_BLOCKS",
    "NO_CHANGES",
    "unverified_weakness",
    "NOTHING_TO_CHALLENGE",
    "QUESTIONS",
    "WEAKNESSES",
    "NO_WEAKNESSES",
    "OVERVIEW_KEY",
    "NO_TRUST_HAS_GAPS",
    "fmt_value",
    "COMPARISON_WORDS",
    "REASON_WORDS",
    "RECORD_WORDS",
    "show_threshold",
    "needs_text",
    "leaf_line",
    "reason_label",
    "shortfall_text",
    "finding_line",
    "records_in_line",
    "record_text",
    "record_words",
    "explanation",
    "not_in_force_text",
    "rollup_sentence",
    "section_explanation",
    "scheme_explanation",
    "outcome",
    "is_informative_title",
    "section_title",
    "rests_on",
    "overview_title",
    "overview_tally",
    "SPC_RULES",
    "SPC_VARIATION",
    "SPC_ASSURANCE",
    "SPC_METHOD",
    "SPC_TOO_SHORT",
    "SPC_LEGEND",
    "SPC_LOWER_HIDDEN",
    "spc_summary",
    "TRAJECTORY_CHART",
    "SIGNALS",
    "signal_text",
    "signal_line",
    "month_words",
    "with_signals",
    "DECLARATION_COLUMNS",
    "DECLARATION_CONDITIONS",
    "DECLARATION_OUTCOME",
    "DECLARATION_ACTION_PLANS",
    "DECLARATION_SIGN_OFF",
    "DECLARATION_SIGN_FIELDS",
    "DECLARATION_NOTE",
    "declaration_count",
    "declaration_why",
    "DECLARATION_PLANS_WHERE",
    "deadline_words",
]

#: The four statuses in words (a symbol goes beside them; see :mod:`.style`).
WORDS = {
    "met": "met",
    "not_met": "not met",
    "insufficient_evidence": "insufficient evidence",
    "not_applicable": "not applicable",
}

#: What the unverified marker (``†``) means, said once under every report that shows it.
UNVERIFIED_LEGEND = (
    "rests on a requirement or parameter not yet confirmed against its source document"
)

#: A scheme whose outline has no gap section.
NO_GAPS = "No gaps: every section is met or not applicable."

#: The heading over a scheme's gap sections.
GAPS = "Gaps"

#: Before the scheme's route for action plans (shown when a section is not met).
ACTION_PLAN = "Action plan:"

#: Before what a not-met section's action plan must contain.  The terminal's gap
#: tree says it as a label, without the article ("Action plan must:").
ACTION_PLAN_MUST = "The action plan must:"

#: The terminal's label for the same.
ACTION_PLAN_MUST_LABEL = "Action plan must:"

#: Labels of a gap's parts.
MISSING = "Missing"
RECORDS = "Records"
REMEDIATION = "Remediation"

#: Before a parameter value given on the command line.
PARAMETER_OVERRIDE = "Parameter override"

# The board-champion view.
CHALLENGE = "Board champion challenge"

#: Each kind of weakness the challenge view finds, in the order it lists them, with its word.
WEAKNESS_WORDS = {
    "gap": "gap",
    "not_attested": "not in place",
    "inconsistent": "inconsistent",
    "self_attested": "self-attested",
    "unsigned": "unsigned",
    "stale": "stale",
    "missing": "not submitted",
    "unstable": "small numbers",
    "unverified": "unverified",
}


def unverified_weakness(requirements: Sequence[str]) -> str:
    return f"{len(requirements)} verdict(s) rest on values not yet confirmed against the source: {', '.join(requirements)}"

NOTHING_TO_CHALLENGE = "Nothing to challenge: no gaps and no weaknesses found in the evidence."
QUESTIONS = "Questions to ask"
WEAKNESSES = "Weaknesses in the evidence"
NO_WEAKNESSES = "No weaknesses found in the evidence."

# What changed between two assessments (diff).
DIFF_BLOCKS = {
    "schemes": "Schemes",
    "newly_met": "Newly met",
    "newly_unmet": "Newly unmet",
    "other": "Other status changes",
    "reasons": "Same status, another reason",
    "figures": "Figures that moved",
}
NO_CHANGES = "No changes: every status and figure is the same."

# The overview across trusts.
OVERVIEW_KEY = "n/m: sections met of those judged (informative checks not counted)"
NO_TRUST_HAS_GAPS = "No trust has gaps."


def overview_title(trusts: int) -> str:
    return f"Overview of {trusts} trusts"


def overview_tally(trusts: int, all_met: int) -> str:
    """``3 with every scheme met, 1 with gaps.``"""
    return f"{all_met} with every scheme met, {trusts - all_met} with gaps."


def fmt_value(value: object) -> str:
    """A value as a report shows it: ``yes``/``no``, ``1,200``, ``2.5``, ``2021-03-31``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


#: How each comparison reads before its threshold: "at least 95%".
COMPARISON_WORDS = {">=": "at least", ">": "more than", "<=": "at most", "<": "less than", "==": "exactly", "!=": "not"}

#: Each reason code (``compliance.results.REASON_CODES``) in words: what a report says the finding is.
REASON_WORDS = {
    "holds": "holds",
    "below_threshold": "below threshold",
    "above_threshold": "above threshold",
    "not_as_required": "not as required",
    "late": "late",
    "missed_window": "missed window",
    "stale_document": "out of date",
    "above_trajectory": "above the trajectory",
    "not_attested": "not attested",
    "not_claimed": "not claimed",
    "dated_outside_period": "dated outside the period",
    "signed_outside_period": "signed outside the period",
    "wrong_order": "out of order",
    "inconsistent_between_actions": "inconsistent between actions",
    "over_limit": "over the limit",
    "scheme_not_met": "the scheme it rests on is not met",
    "missing_evidence": "not submitted",
    "self_attested": "self-attested",
    "undated_document": "undated document",
    "no_board_approval_date": "no date of board approval",
    "unsigned": "unsigned",
    "small_numbers": "small numbers",
    "suppressed": "suppressed in the source",
    "not_comparable": "another definition",
    "decided_externally": "decided outside the trust",
    "scheme_undecided": "the scheme it rests on is undecided",
    "not_in_force": "not in force",
    "no_records": "no records",
    "not_yet_due": "not yet due",
    "no_window_ended": "no window ended yet",
    "nothing_to_compare": "nothing to compare",
    "zero_denominator": "nothing to measure",
    "scheme_not_applicable": "the scheme it rests on is not applicable",
}

#: What a record behind a figure shows, by its code (``compliance.results.RECORD_CODES``); fields are its parameters.
RECORD_WORDS = {
    "late": "{field} {date}, {days_late} {days} late (due {due})",
    "not_done": "no {field}; due by {due}",
    "field_not_equal": "{field} is {value}, not {expected}",
    "missed_window": "no event{covering} in this window",
    "not_claimed": "not in the evidence",
    "not_attested": "the trust does not attest that this is in place",
    "self_attested": "no document backs it",
    "undated_document": "document '{title}' is undated",
    "dated_outside_period": "document '{title}' dated {dated}; the period is {period_start} to {period_end}",
    "no_board_approval_date": "no date of board approval",
    "signed_outside_period": "board approval dated {dated}; the period is {period_start} to {period_end}",
    "unsigned": "not signed: no signatory given",
    "wrong_order": "{date} is not before {later_date} ({later})",
    "over_limit": "{measured}, needs {comparison} {threshold}",
    "inconsistent_between_actions": "{a} gives {a_value} but {b} gives {b_value}",
    "group_below_threshold": "{measured}% ({numerator} of {denominator}), {needed} more needed",
}

#: Why a requirement or comparison is not applicable, by its code; fields are its parameters.
_NOT_APPLICABLE = {
    "no_records": "no records in {records_path}",
    "not_yet_due": "{not_yet_due} record(s) in {records_path} not yet due on {as_of}",
    "no_window_ended": "no whole window of the period has ended by {as_of}",
    "nothing_to_compare": "nothing to cross-check",
    "zero_denominator": "{records_path} has a denominator of 0",
    "scheme_not_applicable": "scheme {scheme} is not applicable",
}

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def _shown(value: object) -> str:
    return fmt_value(value) if isinstance(value, (bool, int, float)) else str(value)


def _fill(template: str, params: Mapping[str, object]) -> str:
    return template.format_map({k: _shown(v) for k, v in params.items()})


def show_threshold(value: object, unit: str | None) -> str:
    """A threshold value with its unit: '95%', '2 months', 'yes'."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        text = fmt_value(round(float(value), 2))
        if unit and unit.startswith("%"):
            return f"{text}{unit}"
        return f"{text} {unit}" if unit else text
    return str(value)


def needs_text(leaf: LeafResult) -> str | None:
    """What the rule needs, in words: ``at least 95%``, the scheme's own words, ``None`` if unknown."""
    if leaf.threshold_words:
        return leaf.threshold_words
    if leaf.threshold_shown:
        return f"{COMPARISON_WORDS[leaf.comparison]} {leaf.threshold_shown}"
    if leaf.threshold is None:
        return None
    return f"{COMPARISON_WORDS[leaf.comparison]} {show_threshold(leaf.threshold, leaf.threshold_unit)}"


def _figure(leaf: LeafResult) -> str:
    if leaf.display:
        return leaf.display
    if leaf.value is not None:
        return fmt_value(leaf.value)
    return "not submitted" if leaf.missing else "unknown"


def leaf_line(leaf: LeafResult) -> str:
    """``reviews started within two months: 88.9% (24 of 27); needs at least 95%``."""
    text = f"{leaf.describe}: {_figure(leaf)}"
    needs = needs_text(leaf)
    if needs is not None:
        text += f"; needs {needs}"
    return text


def reason_label(code: str) -> str:
    """A reason code in words, capitalised: ``Late``, ``Below the threshold``."""
    words = REASON_WORDS[code]
    return words[:1].upper() + words[1:]


def shortfall_text(leaf: LeafResult) -> str | None:
    """How far a failed comparison is from its threshold, from its reason's parameters: ``2 more needed``."""
    p = leaf.reason.params
    gap = p.get("shortfall")
    if not isinstance(gap, (int, float)) or isinstance(gap, bool):
        return None
    code = leaf.reason.code
    amount = fmt_value(gap)
    if code == "missed_window":
        return None  # the missed windows are the records
    if code == "above_trajectory":
        return f"{amount} {leaf.unit} above it"  # the threshold beside it names the trajectory and its year
    if code == "stale_document":
        return f"{amount} {leaf.unit} too old"
    if leaf.comparison in ("<=", "<"):
        return f"{amount} fewer needed"
    return f"{amount} more needed"


def finding_line(leaf: LeafResult, *, lead: bool = True, describe: bool = True) -> str:
    """One comparison's finding, said once: its reason, figure, what it needs and the shortfall.

    ``Late: reviews started within two months: 88.9% (24 of 27); needs at least 95%; 2 more needed``.
    An attestation whose records say what is wrong is not shown a second time as its figure.
    ``describe``: name what was counted (a requirement of one comparison has just said it in its title).
    """
    code = leaf.reason.code
    p = leaf.reason.params
    head = reason_label(code) if lead else REASON_WORDS[code]
    what = f": {leaf.describe}" if describe else ""
    if code == "missing_evidence":
        shown = f": {leaf.display}" if leaf.display else ""  # a figure from the part that was submitted
        return f"{head}{what}{shown} ({', '.join(leaf.missing)})" if leaf.missing else f"{head}{what}{shown}"
    if code in _NOT_APPLICABLE or code == "not_in_force":
        return f"{head}{what}: {leaf.note}" if leaf.note else f"{head}{what}"
    if code == "small_numbers":
        return f"{head}{what}: {_figure(leaf)}; only {fmt_value(p.get('events'))} event(s), fewer than {fmt_value(p.get('min_events'))}, so not judged alone"
    if code in ("suppressed", "not_comparable") and leaf.note:
        return f"{head}{what}: {_figure(leaf)}; {leaf.note}"
    inline = records_in_line(leaf)
    named = f" ({', '.join(r.id for r in inline)})" if inline and not _whole(leaf) else ""
    if _whole(leaf):  # its one record says the whole of it
        text = f"{head}{what}: {record_text(leaf.records[0])}"
    elif leaf.records and leaf.measure == "attestation":  # its figure is what its records say
        text = f"{head}{what}{named}"
    elif leaf.records and all(r.code == "group_below_threshold" for r in leaf.records):  # the lowest is among them
        text = f"{head}{what}: {len(leaf.records)} {'group' if len(leaf.records) == 1 else 'groups'}"
    else:
        text = f"{head}{what}: {_figure(leaf)}{named}"
    needs = needs_text(leaf)
    if needs is not None and code != "decided_externally" and (leaf.threshold_words or not isinstance(leaf.threshold, bool)):
        text += f"; needs {needs}"  # "needs exactly yes" would say nothing the reason has not
    short = shortfall_text(leaf)
    if short:
        text += f"; {short}"
    return text


def records_in_line(leaf: LeafResult) -> list[RecordRef]:
    """The records a comparison's line names by id alone: each says only what the reason already says."""
    if _whole(leaf) or (leaf.records and all(r.code == leaf.reason.code and not _adds(r) for r in leaf.records)):
        return list(leaf.records)
    return []


def _whole(leaf: LeafResult) -> bool:
    """An attestation with one record behind it: the record is the finding (its figure only repeats it)."""
    return leaf.measure == "attestation" and len(leaf.records) == 1 and _adds(leaf.records[0])


def _adds(record: RecordRef) -> bool:
    """Whether a record says more than its id and code (a missed window's id is the window itself)."""
    if record.code == "missed_window":
        return bool(record.params.get("covering"))
    return bool(record.params)


def record_text(record: RecordRef) -> str:
    """``TM-PD-2005: review_started_on 2021-01-09, 5 days late (due 2021-01-04)``: a record by its code."""
    return f"{record.id}: {record_words(record)}"


def record_words(record: RecordRef) -> str:
    """What a record shows, from its code and parameters (without its id)."""
    params: dict[str, object] = {k: v for k, v in record.params.items() if v is not None}
    if isinstance(params.get("measured"), float):
        params["measured"] = fmt_value(round(float(params["measured"]), 1))  # type: ignore[arg-type]
    if record.code == "late":
        params["days"] = "day" if record.params.get("days_late") == 1 else "days"
    if record.code == "missed_window":
        params["covering"] = f" covering {record.params['covering']}" if record.params.get("covering") else ""
    return _fill(RECORD_WORDS[record.code], params)


def _long_date(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"  # not strftime: it follows the locale


def not_in_force_text(params: Mapping[str, object]) -> str:
    """``applies from 2021-04-01; assessed as of 2021-03-01 (note)``."""
    note = f" ({params['note']})" if params.get("note") else ""
    start, until, as_of = params.get("from"), params.get("until"), params.get("as_of")
    if start and as_of and str(as_of) < str(start):
        return f"applies from {start}; assessed as of {as_of}{note}"
    return f"applied until {until}; assessed as of {as_of}{note}"


def explanation(req: RequirementResult, *, so_far: bool = False) -> str:
    """Why a requirement has its status, in one sentence: the comparisons that decided it."""
    code = req.reason.code
    if code == "not_in_force":
        return f"Not applicable: {not_in_force_text(req.reason.params)}."
    head = WORDS[req.status].capitalize() + (" so far" if so_far and req.status in ("met", "not_met") else "")
    picked = req.reason.params.get("measurements")
    indexes = picked if isinstance(picked, list) else list(range(len(req.measurements)))
    lines = [finding_line(req.measurements[int(i)], lead=False) for i in indexes if int(i) < len(req.measurements)]
    if req.status == "met":
        lines = [leaf_line(req.measurements[int(i)]) for i in indexes if int(i) < len(req.measurements)]
    return f"{head}: " + "; ".join(lines) + "." if lines else f"{head}."


def rollup_sentence(children: Sequence[tuple[str, str]], noun: str, plural: str | None = None, *, name: bool = True) -> str:
    """What a roll-up counted ("9 of 10 applicable safety actions met; not met: SA6."); its status is shown beside it.

    ``name``: name the children of each status (a report whose table lists them says only how many).
    """
    by = {s: [i for i, st in children if st == s] for s in ("not_met", "insufficient_evidence", "met", "not_applicable")}
    live = len(children) - len(by["not_applicable"])
    parts = [f"{len(by['met'])} of {live} applicable {plural or noun + 's'} met"]
    for status in ("not_met", "insufficient_evidence", "not_applicable"):
        if by[status]:
            parts.append(f"{WORDS[status]}: " + ", ".join(by[status]) if name else f"{len(by[status])} {WORDS[status]}")
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def section_explanation(section: SectionResult, requirement: str = "standard") -> str:
    return rollup_sentence([(r.id, r.status) for r in section.requirements], requirement)


def _counted(scheme: SchemeResult, *, so_far: bool = False) -> tuple[str, list[SectionResult]]:
    """``3 of 10 safety actions and 1 of 1 condition``: the sections in the outcome, counted as the scheme names them."""
    own = scheme.level
    groups: dict[str, list[SectionResult]] = {}
    for result in scheme.sections:
        if result.in_outcome and result.status != "not_applicable":
            groups.setdefault(result.counts_as or own, []).append(result)
    parts = []
    for noun, group in sorted(groups.items(), key=lambda item: item[0] != own):  # the scheme's own level first
        plural = scheme.level_plural if noun == own else noun + "s"
        met = sum(1 for r in group if r.status == "met")
        parts.append(f"{met} of {len(group)} {noun if len(group) == 1 else plural}")
    return " and ".join(parts), [r for group in groups.values() for r in group]


def scheme_explanation(scheme: SchemeResult, *, name_unmet: bool = True) -> str:
    """``3 of 10 safety actions and 1 of 1 condition met; not met: ...`` (``name_unmet``: or only how many)."""
    counted, judged = _counted(scheme)
    if not judged:
        return "Nothing applicable to judge."
    by = {status: [r.id for r in judged if r.status == status] for status in ("not_met", "insufficient_evidence")}
    parts = [f"{counted} met"]
    for status, ids in by.items():
        if ids:
            parts.append(f"{WORDS[status]}: " + ", ".join(ids) if name_unmet else f"{len(ids)} {WORDS[status]}")
    return "; ".join(parts) + "."


def _so_far(scheme: SchemeResult, deadline: dt.date, days_left: int) -> str:
    """Where the trust stands before the deadline: 'On track: 10 of 10 safety actions met so far; ...'."""
    counted, judged = _counted(scheme)
    unmet = [r.id for r in judged if r.status != "met"]
    head = "On track" if scheme.status == "met" else "Not yet on track"
    text = f"{head}: {counted} met so far"
    if unmet:
        text += "; not yet met: " + ", ".join(unmet)
    day = "day" if days_left == 1 else "days"
    return f"{text}; {days_left} {day} to the {_long_date(deadline)} deadline. This is a position so far, not the final verdict."


def outcome(scheme: SchemeResult, *, list_unmet: bool = True) -> str:
    """What the scheme's verdict means: its own outcome text, or, before the deadline, where the trust stands.

    ``list_unmet``: end with the sections not met (a report that has just listed them leaves it out).
    """
    if scheme.days_to_deadline is not None and scheme.deadline is not None:
        return _so_far(scheme, scheme.deadline, scheme.days_to_deadline)
    words = scheme.outcome or ""
    if scheme.status == "met":
        return words
    if scheme.status == "insufficient_evidence":
        return words + (" Not yet shown: " + ", ".join(scheme.unmet_sections) + "." if list_unmet else "")
    if scheme.status == "not_met":
        return words + (" Not met: " + ", ".join(scheme.unmet_sections) + "." if list_unmet else "")
    return "Not applicable to this evidence."


def is_informative_title(title: str) -> bool:
    low = title.lower()
    return "informative" in low or "for information" in low


def section_title(title: str, in_outcome: bool) -> str:
    """The title, marked informative when it does not decide the outcome (unless it says so already)."""
    if in_outcome or is_informative_title(title):
        return title
    return f"{title} (informative)"


def _same(text: str) -> str:
    return text


def rests_on(
    parameters: Sequence[str],
    verification: str,
    *,
    code: Callable[[str], str] = _same,
    text: Callable[[str], str] = _same,
) -> str:
    """``Unverified: A, B`` (the parameters a verdict rests on), or the requirement's own status when no parameter is.

    ``code`` marks up each parameter id, ``text`` the words taken from the
    result (both leave them as they are by default, for plain text).
    """
    if parameters:
        return f"Unverified: {', '.join(code(p) for p in parameters)}"
    return f"Requirement {text(verification.replace('_', ' '))}"


# Run charts (statistical process control, as NHS England's *Making Data Count* names things).

#: Each special-cause rule of :mod:`compliance.spc`, in words.
SPC_RULES = {
    "beyond_limit": "a point beyond a process limit",
    "run": "a run of 7 or more points on one side of the mean",
    "trend": "7 or more points each higher, or each lower, than the one before",
    "two_of_three": "two of three points close to a process limit",
}

#: What the variation icon shows, in words (the latest point).
SPC_VARIATION = {
    "common_cause": "common cause variation: no significant change",
    "improvement": "special cause variation of an improving nature",
    "concern": "special cause variation of a concerning nature",
    "neutral_high": "special cause variation, higher (neither better nor worse)",
    "neutral_low": "special cause variation, lower (neither better nor worse)",
}

#: What the assurance icon shows, in words (the limits against the target).
SPC_ASSURANCE = {
    "consistently_passes": "the process limits say it will consistently meet the trajectory",
    "consistently_fails": "the process limits say it will consistently miss the trajectory",
    "inconsistent": "the process limits straddle the trajectory: it may meet or miss it, month by month",
}

#: Under a run chart: how its lines are drawn.
SPC_METHOD = "Mean and process limits (mean ± 2.66 × the mean moving range) of {points} months, {first} to {last}."

#: When a series is too short for limits.
SPC_TOO_SHORT = "{points} months given: at least {needed} are needed to set process limits, so none are drawn."

#: When the lower process limit is below any value the rate can take.
SPC_LOWER_HIDDEN = "The lower limit ({limit}) is below {floor}, which no rate can go below, so it is not drawn."

SPC_LEGEND = {
    "value": "Monthly rate",
    "mean": "Mean",
    "limits": "Process limits",
    "trajectory": "National trajectory",
    "concern": "Special cause: concern",
    "improvement": "Special cause: improvement",
    "neutral": "Special cause: neither",
    "upper": "Upper limit",
    "lower": "Lower limit",
    "trajectory_end": "Trajectory",
    "month": "Month",
    "kind": "monthly run chart",
}


#: The chart of a rate against its trajectory from annual figures.
TRAJECTORY_CHART = {
    "title": "Trust rate against the national trajectory, one row per measure",
    "trust": "Trust rate",
    "previous": "Previous period",
    "trajectory": "National trajectory (◆ the year assessed)",
    "lower": "Lower is better.",
    "higher": "Higher is better.",
    "caption": "Each row has its own scale, from zero; the dashed line is the national ambition's trajectory, and the diamond its value for the year assessed.",
}


def spc_summary(variation: str, assurance: str | None) -> str:
    """``Special cause variation of a concerning nature; the process limits straddle the trajectory ...``."""
    text = SPC_VARIATION[variation]
    if assurance is not None:
        text += f"; {SPC_ASSURANCE[assurance]}"
    return text[:1].upper() + text[1:] + "."


# ------------------------------------------------------------------ scheme versions (issue 11)

#: Why a version was chosen, by how (see ``schemes.selection.How``); {asked} is a family name or a scheme id.
VERSION_CHOSEN_WHY = {
    "named": "asked for by id",
    "evidence": "named in the evidence file",
    "family": "asked for as family '{asked}' and chosen by period",
    "period": "chosen by period, the evidence being for family '{asked}' and naming no version",
    "covered": "the evidence holds most of what it measures",
    "dependency": "assessed because {asked} rests on it",
}


def version_chosen(label: str, how: str, asked: str | None, period_end: dt.date, start: dt.date, end: dt.date | None) -> str:
    """``Version Year 4 (2021/22), chosen by period ...: the evidence period ends on 2022-03-31, inside its reporting window 2021-08-09 to 2023-02-02.``"""
    inside = start <= period_end and (end is None or period_end <= end)
    where = f"the evidence period ends on {period_end}, {'inside' if inside else 'outside'} its reporting window {start} to {end or 'now'}"
    return f"Version {label}, {VERSION_CHOSEN_WHY[how].format(asked=asked)}: {where}."


def window_text(start: dt.date, end: dt.date | None) -> str:
    """A reporting window as reports write it: ``2021-08-09 to 2023-02-02`` (``... to now`` while current)."""
    return f"{start} to {end or 'now'}"

# `compliance schemes diff OLD NEW` (report/scheme_diff.py)
DIFF_OLD, DIFF_NEW, DIFF_WINDOW, DIFF_DEADLINE = "Old", "New", "reporting window", "declaration deadline"
DIFF_SECTION_ADDED, DIFF_SECTION_REMOVED = "Section added (no section of this key before)", "Section removed (no section of this key now)"
DIFF_NO_WINDOW = "no reporting window (not a versioned scheme)"
DIFF_NO_CHANGES = "No differences in standards, thresholds, evidence or dates."
DIFF_TITLE, DIFF_ADDED, DIFF_REMOVED, DIFF_REWORDED = "Title changed", "Standards added", "Standards removed", "Standards changed"
DIFF_THRESHOLDS, DIFF_EVIDENCE_NEW, DIFF_DATES = "Thresholds changed (old -> new, with status)", "Evidence newly needed", "Dates"
DIFF_WAS, DIFF_NOW, DIFF_NONE, DIFF_FROM, DIFF_UNTIL = "was:", "now:", "none", "in force from", "in force until"
DIFF_MEASURES, DIFF_VERIFICATION, DIFF_INFORMATIVE = "measures", "verification", "informative"
DIFF_INTO_OUTCOME = "now decides the outcome (was informative)"
DIFF_OUT_OF_OUTCOME = "now informative (no longer decides the outcome)"
DIFF_STATUS = {"confirmed": "confirmed", "partly_confirmed": "partly confirmed", "unconfirmed": "unconfirmed"}
DIFF_CHANGED_WHAT = {"key": "moved to a new letter", "title": "title reworded", "text": "text reworded", "rule": "rule changed", "status": "verification changed", "outcome": "place in the outcome changed"}


def diff_heading(old: str, new: str) -> str:
    return f"What changed from {old} to {new}, per section"


# `compliance assess EVIDENCE --scheme OLD --scheme NEW --compare` (report/scheme_compare.py)
COMPARE_COLUMNS = ("Section", "Title", "{old}", "{new}")
COMPARE_OUTCOME, COMPARE_OUTCOME_TITLE = "Outcome", "the scheme as a whole"
COMPARE_SAME = "The same verdict for every section under both versions."


def compare_heading(old_label: str, new_label: str) -> str:
    return f"One trust under two versions: {old_label} beside {new_label}"


def compare_line(key: str, old_label: str, old_status: str, new_label: str, new_status: str, because: str | None) -> str:
    """``SA6: met under MIS Year 3 (2020/21); not met under MIS Year 4 (2021/22) because MIS-Y4-SA6.b ...``."""
    text = f"{key}: {WORDS.get(old_status, old_status)} under {old_label}; {WORDS.get(new_status, new_status)} under {new_label}"
    return text + (f" because {because}" if because else "") + "."

# Safety signals beside the verdict (see .signals).

#: The heading beside the verdict when a signal is found.
SIGNALS = "Safety signals"


def signal_text(kind: str, measure: str, value: float | None, threshold: float | None, unit: str, year: int | None, month: str | None) -> str:
    """One signal in words: 'stillbirths per 1,000 births above the 2021 trajectory (4.04 against 3.78 per 1,000)'."""
    unit_text = "" if not unit else unit if unit == "%" else f" {unit}"
    if kind == "worse_than_trajectory":
        when = f"the {year} trajectory" if year is not None else "the trajectory"
        figures = ""
        if value is not None and threshold is not None:
            figures = f" ({fmt_value(round(value, 2))} against {fmt_value(round(threshold, 2))}{unit_text})"
        return f"{measure} worse than {when}{figures}"
    if kind == "special_cause_concern":
        latest = f" in {month_words(month)}" if month else ""
        return f"{measure}: {SPC_VARIATION['concern']}{latest}"
    raise KeyError(kind)


def signal_line(sig: Signal) -> str:
    """A signal as every renderer lists it: its words and the requirements that measured it."""
    text = signal_text(sig.kind, sig.measure, sig.value, sig.threshold, sig.unit, sig.year, sig.month)
    return f"{text} ({', '.join(sig.requirement_ids)})"


def month_words(month: str) -> str:
    """'2021-06' as 'June 2021' (not strftime: it follows the locale)."""
    return f"{_MONTHS[int(month[5:7]) - 1]} {month[:4]}"


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def with_signals(verdict: str, signals: int) -> str:
    """The verdict and what it must not hide: 'met; but 2 safety signals (below)'."""
    if not signals:
        return verdict
    return f"{verdict}; but {signals} safety signal{'s' if signals != 1 else ''}, listed below"


# The declaration: page one of a board pack for a scheme with a form to sign.

DECLARATION_COLUMNS = ("", "Title", "Status", "Why")
DECLARATION_CONDITIONS = "Conditions"
DECLARATION_OUTCOME = "Outcome"
DECLARATION_ACTION_PLANS = "Action plans for the unmet {levels}"
DECLARATION_SIGN_OFF = "Sign-off"
#: Before the links to the gaps whose action plans are owed (each plan's contents are said there, once).
DECLARATION_PLANS_WHERE = "What each plan must contain is set out with its gap:"
DECLARATION_SIGN_FIELDS = ("Name", "Signature", "Date")
DECLARATION_NOTE = "Prepared from the evidence named above; the board signs NHS Resolution's own form. Each line is explained under its {level} below."


def declaration_count(met: int, judged: int, levels: str) -> str:
    """'8 of 10 safety actions met'."""
    return f"{met} of {judged} {levels} met"


def declaration_why(status: str, met: int, judged: int, requirement_level: str, first_gap: str | None,
                    first_gap_title: str | None, shortfall: str | None, missing: int, gaps: int) -> str:
    """One line on why a section has its status: the first gap and its figure, or the count met."""
    plural = requirement_level + ("" if judged == 1 else "s")
    if status == "not_applicable":
        return f"No {requirement_level} applies to this evidence."
    if first_gap is None:
        return f"{met} of {judged} {plural} met."
    text = f"{first_gap} {first_gap_title}" if first_gap_title else first_gap  # the title is in the gap it points to
    if shortfall:
        text += f": {shortfall}"
    elif missing:
        text += f": {missing} piece{'s' if missing != 1 else ''} of evidence missing"
    if gaps > 1:
        text += f" (and {gaps - 1} more)"
    return text + "."


def deadline_words(deadline: str | None, days_left: int | None) -> str | None:
    """'Declaration deadline 15 July 2021 (52 days left)'."""
    if deadline is None:
        return None
    day = dt.date.fromisoformat(deadline)
    text = f"Declaration deadline {day.day} {_MONTHS[day.month - 1]} {day.year}"
    if days_left is not None:
        text += f" ({days_left} day{'s' if days_left != 1 else ''} left: a position so far)"
    return text
