"""The English the report renderers share: status words, labels, and the sentences every report says.

Terminal, Markdown and HTML (and the challenge and overview views) say the same
things; the words live here once, so a change of wording is made once and
reaches every format alike.  Each renderer adds only its own markup: escaping,
code spans, emphasis.  Where a function embeds an identifier or scheme text in
a sentence it takes the renderer's ``code`` and ``text`` functions, so the
sentence is written here and the markup there.

This module imports nothing of the project at run time (:mod:`.style` and
:mod:`.outline` build on it).  It does not hold the engine's own sentences (a
requirement's ``explanation``, the scheme's ``outcome``): those arrive in the
:class:`~compliance.results.Assessment`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..results import LeafResult
    from .signals import Signal

__all__ = [
    "WORDS",
    "UNVERIFIED_LEGEND",
    "NO_GAPS",
    "GAPS",
    "ACTION_PLAN",
    "ACTION_PLAN_MUST",
    "PARAMETER_OVERRIDE",
    "CHALLENGE",
    "NOTHING_TO_CHALLENGE",
    "QUESTIONS",
    "WEAKNESSES",
    "NO_WEAKNESSES",
    "OVERVIEW_KEY",
    "NO_TRUST_HAS_GAPS",
    "fmt_value",
    "needs_text",
    "leaf_line",
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

#: Before a parameter value given on the command line.
PARAMETER_OVERRIDE = "Parameter override"

# The board-champion view.
CHALLENGE = "Board champion challenge"
NOTHING_TO_CHALLENGE = "Nothing to challenge: no gaps and no weaknesses found in the evidence."
QUESTIONS = "Questions to ask"
WEAKNESSES = "Weaknesses in the evidence"
NO_WEAKNESSES = "No weaknesses found in the evidence."

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


def needs_text(leaf: LeafResult) -> str | None:
    """What the rule needs, in words: ``at least 95%``, ``<= 0 windows missed``; ``None`` if unknown."""
    shown = leaf.threshold_display
    if shown and "None" not in shown:
        # Engines may word the comparison themselves ("at least 95%"); keep an operator only for bare numbers.
        return shown if not shown[:1].isdigit() and not shown.startswith(("-", "+", ".")) else f"{leaf.comparison} {shown}"
    if leaf.threshold is None:
        return None
    unit = "%" if leaf.unit == "%" else f" {leaf.unit}" if leaf.unit else ""
    return f"{leaf.comparison} {fmt_value(leaf.threshold)}{unit}"


def leaf_line(leaf: LeafResult) -> str:
    """``reviews started within two months: 88.9% (24 of 27); needs at least 95%``."""
    if leaf.display:
        shown = leaf.display
    elif leaf.value is not None:
        shown = fmt_value(leaf.value)
    else:
        shown = "not submitted" if leaf.missing else "unknown"
    text = f"{leaf.describe}: {shown}"
    needs = needs_text(leaf)
    if needs is not None:
        text += f"; needs {needs}"
    return text


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
    """``Rests on unverified parameter(s) A, B``, or on the requirement's own status when no parameter is.

    ``code`` marks up each parameter id, ``text`` the words taken from the
    result (both leave them as they are by default, for plain text).
    """
    if parameters:
        return f"Rests on unverified parameter(s) {', '.join(code(p) for p in parameters)}"
    return f"Rests on a requirement whose status is {text(verification.replace('_', ' '))}"


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
    text = f"{first_gap} {first_gap_title}"
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
