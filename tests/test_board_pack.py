"""The board pack: the declaration on page one, safety signals beside the verdict, run charts from monthly series.

The English is pinned in a few wording tests at the end; everything else
asserts the outline's data.  Chromium screenshots of page one and of a run
chart are kept under ``tests/artifacts/``.
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest

import compliance
from compliance.errors import EvidenceError
from compliance.report import html, outline, wording
from compliance.report.signals import Signal

from test_report_html import _run, _Text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def _assess(name: str, **kw: Any) -> compliance.Assessment:
    return compliance.assess(EXAMPLES / name, **kw)


# ------------------------------------------------------------------ the declaration


def test_a_scheme_with_a_declaration_comes_first_and_is_page_one() -> None:
    a = _assess("mis_late_pmrt.json")
    assert [s.id for s in a.schemes] == ["sblcbv2", "mis-y3"]  # dependencies first in the assessment
    report = outline.build(a)
    assert [s.id for s in report.schemes] == ["mis-y3", "sblcbv2"]
    d = report.declaration
    assert d is not None and d.scheme_id == "mis-y3" and d.form == "Board declaration"
    assert (d.level, d.level_plural, d.requirement_level) == ("safety action", "safety actions", "standard")


def test_declaration_lines_carry_each_safety_actions_status_and_first_gap() -> None:
    a = _assess("mis_late_pmrt.json")
    d = outline.build(a).declaration
    assert d is not None
    mis = a.scheme("mis-y3")
    counted = [s for s in mis.sections if s.in_outcome]
    assert [line.id for line in d.sections] == [s.id for s in counted if s.counts_as is None]
    assert [line.id for line in d.conditions] == ["MIS-Y3-COND-2"]
    assert {line.id: line.status for line in (*d.sections, *d.conditions)} == {s.id: s.status for s in counted}
    assert (d.met, d.judged) == (9, 10)
    sa1 = next(line for line in d.sections if line.id == "MIS-Y3-SA1")
    assert (sa1.first_gap, sa1.gaps) == ("MIS-Y3-SA1.b", 1)
    assert sa1.reason == a.requirement("MIS-Y3-SA1.b").reason.code == "late"  # a word on page one; the figure once, in the gap
    assert [i for i, _ in d.action_plans] == ["MIS-Y3-SA1"]
    assert d.sign_off == ("Chief executive, on behalf of the trust board",)


def test_no_declaration_for_schemes_without_a_form() -> None:
    report = outline.build(_assess("dashboard_stillbirth_above_preterm_below.json"))
    assert report.declaration is None


def test_before_the_deadline_the_declaration_says_how_long_is_left() -> None:
    data = json.loads((EXAMPLES / "mis_late_pmrt.json").read_text(encoding="utf-8"))
    data["assessment_date"] = "2021-03-01"
    d = outline.build(compliance.assess(data, schemes=["mis-y3"])).declaration
    assert d is not None and d.deadline == "2021-07-15" and d.days_to_deadline == 136


def test_the_html_declaration_shows_every_safety_action_once_before_the_schemes() -> None:
    page = html.render(_assess("mis_late_pmrt.json"))
    declaration = page.index('class="declaration"')
    assert declaration < page.index('id="scheme-mis-y3"') < page.index('id="scheme-sblcbv2"')
    block = page[declaration: page.index("</section>", declaration)]
    for i in range(1, 11):
        assert block.count(f'href="#row-MIS-Y3-SA{i}"') == 1
    # The outcome and the action-plan route are said on page one, not again under the scheme.
    mis = page[page.index('id="scheme-mis-y3"'): page.index('id="scheme-sblcbv2"')]
    assert "No refund is due" in block and "No refund is due" not in mis


# ------------------------------------------------------------------ safety signals


def test_a_met_verdict_with_a_rate_worse_than_trajectory_carries_a_signal() -> None:
    a = _assess("dashboard_stillbirth_above_preterm_below.json")
    assert a.status == "met"
    signals = outline.build(a).signals
    assert signals == (
        Signal("worse_than_trajectory", ("TPS-AMB-1", "SBLv2-E3-O1"), "stillbirths per 1,000 births", 4.039, 3.78, "per 1,000", year=2021),
    )
    page = html.render(a)
    assert "Verdict: ✔ met; but 1 safety signal, listed below" in page
    assert "stillbirths per 1,000 births worse than the 2021 trajectory (4.04 against 3.78 per 1,000) (TPS-AMB-1, SBLv2-E3-O1)" in page


def test_no_signal_when_every_informative_rate_is_on_trajectory() -> None:
    for name in ("mis_compliant.json", "mis_late_pmrt.json", "coc_exactly_35_percent.json"):
        assert outline.build(_assess(name)).signals == (), name


def test_special_cause_of_concern_in_the_latest_month_is_a_signal() -> None:
    signals = outline.build(_assess("dashboard_monthly_run_charts.json")).signals
    kinds = [(s.kind, s.requirement_ids, s.month) for s in signals]
    assert ("special_cause_concern", ("TPS-AMB-1",), "2021-06") in kinds
    assert [k for k, *_ in kinds].count("special_cause_concern") == 1  # neonatal deaths: common cause


# ------------------------------------------------------------------ run charts


def _run_charts(a: compliance.Assessment) -> dict[str, Any]:
    return {
        r.id: leaf.run_chart.model_dump(mode="json")
        for s in a.schemes
        for sec in s.sections
        for r in sec.requirements
        for leaf in r.measurements
        if leaf.run_chart is not None
    }


def test_run_chart_data_of_the_24_month_example(snapshot: Any) -> None:
    charts = _run_charts(_assess("dashboard_monthly_run_charts.json"))
    assert sorted(charts) == ["AMB-2", "TPS-AMB-1"]
    assert all(len(c["months"]) == 24 for c in charts.values())
    assert charts == snapshot


def test_the_run_chart_limits_are_the_xmr_formula_of_the_monthly_rates() -> None:
    chart = _run_charts(_assess("dashboard_monthly_run_charts.json"))["TPS-AMB-1"]
    rates = [e * 1000 / p for e, p in zip(chart["events"], chart["population"])]
    assert chart["values"] == [round(r, 4) for r in rates]
    mean = sum(chart["values"]) / 24
    mr = sum(abs(b - a) for a, b in zip(chart["values"], chart["values"][1:])) / 23
    assert chart["mean"] == pytest.approx(mean, abs=1e-6)
    assert chart["upper_limit"] == pytest.approx(mean + 2.66 * mr, abs=1e-6)
    assert chart["lower_limit"] == pytest.approx(mean - 2.66 * mr, abs=1e-6)
    # The trajectory is the one the rule compares with, year by year.
    assert set(chart["trajectory"][-6:]) == {3.78}


def test_a_run_chart_never_changes_a_verdict() -> None:
    with_series = _assess("dashboard_monthly_run_charts.json")
    plain = _assess("dashboard_stillbirth_above_preterm_below.json")
    statuses = lambda a: {r.id: r.status for s in a.schemes for sec in s.sections for r in sec.requirements}  # noqa: E731
    assert statuses(with_series) == statuses(plain)


def _evidence_with(series: list[dict[str, Any]]) -> dict[str, Any]:
    data = json.loads((EXAMPLES / "dashboard_monthly_run_charts.json").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["series"] = {"stillbirth": series}
    return data


@pytest.mark.parametrize(
    ("series", "message"),
    [
        ([{"month": "2021-01", "events": 1, "population": 700}, {"month": "2021-03", "events": 1, "population": 700}],
         "entry 1 (2021-03) follows 2021-01"),
        ([{"month": "2021-01", "events": 1, "population": 700}, {"month": "2021-01", "events": 1, "population": 700}],
         "entry 1 (2021-01) follows 2021-01"),
        ([{"month": "2021-13", "events": 1, "population": 700}], "2021-13"),
        ([{"month": "2021-01", "events": 800, "population": 700}], "800 events in 2021-01 is more than its population of 700"),
        ([{"month": "2021-01", "events": "2", "population": 700}], "events"),
    ],
)
def test_a_bad_series_is_refused_at_its_path(series: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(EvidenceError) as err:
        compliance.load_evidence(_evidence_with(series))
    text = str(err.value)
    assert "series.stillbirth" in text and message in text


def test_browser_screenshots_of_page_one_and_of_a_run_chart() -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shots = {
        "declaration": (html.render(_assess("mis_late_pmrt.json")), "Board declaration"),
        "run_chart": (html.render(_assess("dashboard_monthly_run_charts.json")), "Special cause variation of a concerning nature"),
    }
    for name, (page_html, expect) in shots.items():
        page = ARTIFACTS / f"board_pack_{name}.html"
        page.write_text(page_html, encoding="utf-8")
        shot = ARTIFACTS / f"board_pack_{name}.png"
        shot.unlink(missing_ok=True)
        with tempfile.TemporaryDirectory() as profile:
            dom = _run(["--dump-dom", page.as_uri()], profile)
        assert dom.returncode == 0, dom.stderr[-2000:]
        parser = _Text()
        parser.feed(dom.stdout)
        assert expect in parser.text
        with tempfile.TemporaryDirectory() as profile:
            done = _run([f"--screenshot={shot}", "--window-size=1240,1754", page.as_uri()], profile)
        assert done.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------ the wording (English pinned here only)


def test_signal_wording() -> None:
    assert wording.signal_text("worse_than_trajectory", "stillbirths per 1,000 births", 4.039, 3.78, "per 1,000", 2021, None) == (
        "stillbirths per 1,000 births worse than the 2021 trajectory (4.04 against 3.78 per 1,000)"
    )
    assert wording.signal_text("special_cause_concern", "preterm births", 7.1, 6.2, "%", None, "2021-06") == (
        "preterm births: special cause variation of a concerning nature in June 2021"
    )
    assert wording.with_signals("✔ met", 0) == "✔ met"
    assert wording.with_signals("✔ met", 2) == "✔ met; but 2 safety signals, listed below"


def test_declaration_wording() -> None:
    assert wording.declaration_why("met", 4, 4, "standard", None, None, None, 0, 0) == "4 of 4 standards met."
    assert wording.declaration_why("met", 1, 1, "standard", None, None, None, 0, 0) == "1 of 1 standard met."
    assert wording.declaration_why("not_met", 3, 5, "standard", "X.b", "Reviews started", "2 more needed", 0, 2) == (
        "X.b Reviews started: 2 more needed (and 1 more)."
    )
    assert wording.declaration_why("insufficient_evidence", 0, 1, "standard", "X.a", "A plan", None, 2, 1) == (
        "X.a A plan: 2 pieces of evidence missing."
    )
    assert wording.deadline_words("2021-07-15", 52) == "Declaration deadline 15 July 2021 (52 days left: a position so far)"
