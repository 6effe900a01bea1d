"""Assessed before the declaration deadline, a verdict is a position so far, never a final one."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import compliance
from compliance.report.wording import explanation, outcome

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def evidence(name: str, as_of: str | None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    if as_of is not None:
        data["assessment_date"] = as_of
    return data


def test_before_the_deadline_the_outcome_says_where_the_trust_stands() -> None:
    a = compliance.assess(evidence("mis_late_pmrt.json", "2021-03-01"), schemes=["mis-y3"])
    mis = a.scheme("mis-y3")
    assert mis.status == "not_met"  # the four statuses stay as they are
    assert mis.deadline == dt.date(2021, 7, 15) and mis.days_to_deadline == 136
    # The reports word the position from data: the deadline and the days to it.
    assert outcome(mis).startswith("Not yet on track: 9 of 10 safety actions and 1 of 1 condition met so far; not yet met: MIS-Y3-SA1;")
    assert "136 days to the 15 July 2021 deadline" in outcome(mis)
    assert "No refund is due" not in outcome(mis)
    assert explanation(a.requirement("MIS-Y3-SA1.b"), so_far=mis.days_to_deadline is not None).startswith("Not met so far: ")


def test_on_the_deadline_the_verdict_is_final() -> None:
    a = compliance.assess(evidence("mis_late_pmrt.json", None), schemes=["mis-y3"])
    mis = a.scheme("mis-y3")
    assert mis.days_to_deadline is None and mis.deadline == dt.date(2021, 7, 15)
    assert outcome(mis).startswith("No refund is due")
    assert explanation(a.requirement("MIS-Y3-SA1.b"), so_far=mis.days_to_deadline is not None).startswith("Not met: ")


def test_a_trust_meeting_everything_early_is_on_track_not_refunded() -> None:
    mis = compliance.assess(evidence("mis_compliant.json", "2021-07-14"), schemes=["mis-y3"]).scheme("mis-y3")
    assert mis.status == "met"
    assert outcome(mis).startswith("On track: 10 of 10 safety actions and 1 of 1 condition met so far; 1 day to the 15 July 2021 deadline")
    assert "Incentive recovered" not in outcome(mis)


def test_a_scheme_without_a_deadline_is_unaffected() -> None:
    sbl = compliance.assess(evidence("mis_compliant.json", "2021-03-01"), schemes=["sblcbv2"]).scheme("sblcbv2")
    assert sbl.deadline is None and sbl.days_to_deadline is None
    assert outcome(sbl).startswith("SBLCBv2 implemented")
