"""Property tests: the durable-rules verdicts equal an independent oracle, and valid evidence never crashes.

The oracle below is written from the documented semantics (docs/scheme-language.md)
without using the engine's compiler: three-valued leaves, ``all``/``any``/
``at_least``/``not`` with not-applicable children neither helping nor hurting,
and the ``all`` roll-up.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import operator
from pathlib import Path
from typing import Any

from _helpers import requirement, scheme_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import compliance
from compliance.report.wording import explanation
from compliance.results import REASON_CODES

ROOT = Path(__file__).resolve().parents[1]
COUNT_PATHS = [
    "sbl_e1_co_at_booking",
    "sbl_e1_co_at_36_weeks",
    "sbl_e2_risk_assessed_at_booking",
    "sbl_e3_rfm_information_timely",
    "sbl_e5_mgso4_timely",
    "coc_booked_on_pathway",
]
OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq, "!=": operator.ne}

leaf = st.builds(
    lambda path, op, t: {"measure": {"kind": "proportion", "count": f"counts.{path}"}, "compare": op, "threshold": f"P.t{t}"},
    st.sampled_from(COUNT_PATHS),
    st.sampled_from(sorted(OPS)),
    st.sampled_from([0, 25, 50, 95, 100]),
)


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    kids = st.lists(children, min_size=1, max_size=4)
    return st.one_of(
        kids.map(lambda k: {"all": k}),
        kids.map(lambda k: {"any": k}),
        children.map(lambda c: {"not": c}),
        kids.flatmap(lambda k: st.integers(1, len(k)).map(lambda n: {"at_least": n, "of": k})),
    )


rules = st.recursive(leaf, _extend, max_leaves=6)
count = st.one_of(
    st.none(),
    st.integers(0, 20).flatmap(lambda d: st.integers(0, d).map(lambda n: {"numerator": n, "denominator": d})),
)
counts = st.fixed_dictionaries({p: count for p in COUNT_PATHS})


def make_scheme(rule_list: list[Any]) -> compliance.Scheme:
    params = {f"P.t{t}": {"value": t, "unit": "%", "description": "t", "status": "confirmed", "source": "test"} for t in (0, 25, 50, 95, 100)}
    data = scheme_data("property", params, [requirement(f"Q.{i}", rule) for i, rule in enumerate(rule_list)])
    return compliance.load_scheme(compliance.Scheme.model_validate(data))


# ------------------------------------------------------------------ oracle

T, F, U, N = "met", "not_met", "insufficient_evidence", "not_applicable"


def oracle_leaf(rule: dict[str, Any], ev: dict[str, Any]) -> str:
    c = ev[rule["measure"]["count"].split(".")[1]]
    if c is None:
        return U
    if c["denominator"] == 0:
        return N
    value = round(100.0 * c["numerator"] / c["denominator"], 6)
    threshold = float(rule["threshold"].removeprefix("P.t"))
    return T if OPS[rule["compare"]](value, threshold) else F


def combine(kind: str, verdicts: list[str], need: int = 1) -> str:
    met, not_met, ins = verdicts.count(T), verdicts.count(F), verdicts.count(U)
    live = met + not_met + ins
    if live == 0:
        return N
    if kind == "all":
        return F if not_met else U if ins else T
    if kind == "any":
        return T if met else U if ins else F
    if met >= need:
        return T
    return F if met + ins < need else U


def oracle(rule: dict[str, Any], ev: dict[str, Any]) -> str:
    if "measure" in rule:
        return oracle_leaf(rule, ev)
    if "not" in rule:
        return {T: F, F: T, U: U, N: N}[oracle(rule["not"], ev)]
    if "all" in rule:
        return combine("all", [oracle(r, ev) for r in rule["all"]])
    if "any" in rule:
        return combine("any", [oracle(r, ev) for r in rule["any"]])
    return combine("at_least", [oracle(r, ev) for r in rule["of"]], rule["at_least"])


BASE = {
    "trust": {"name": "Property Trust", "ods_code": "RPP"},
    "period": {"start": "2020-10-01", "end": "2021-07-15"},
    "submitted_by": {"name": "P", "role": "Tester"},
    "submitted_on": "2021-07-14",
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_list=st.lists(rules, min_size=1, max_size=4), ev=counts)
def test_engine_verdicts_equal_the_oracle(rule_list: list[Any], ev: dict[str, Any]) -> None:
    scheme = make_scheme(rule_list)
    evidence = {**BASE, "counts": {k: v for k, v in ev.items() if v is not None}}
    result = compliance.assess(evidence, schemes=[scheme])
    expected = [oracle(rule, ev) for rule in rule_list]
    got = [r.status for r in result.schemes[0].sections[0].requirements]
    assert got == expected
    assert result.schemes[0].status == combine("all", expected)


# ------------------------------------------------------------------ random valid evidence

EXAMPLE = json.loads((ROOT / "examples" / "mis_compliant.json").read_text())
PERIOD_START, PERIOD_END = dt.date(2020, 10, 1), dt.date(2021, 7, 15)
SUBMITTED = dt.date.fromisoformat(EXAMPLE["submitted_on"])


def _day(lo: dt.date, hi: dt.date) -> st.SearchStrategy[dt.date]:
    return st.integers(0, max(0, (hi - lo).days)).map(lambda n: lo + dt.timedelta(days=n))


death = st.builds(
    lambda i, died, gaps, informed, cat: {
        "id": f"PD-{i}",
        "died_on": died.isoformat(),
        "category": cat,
        **{
            name: min(died + dt.timedelta(days=g), SUBMITTED).isoformat()
            for name, g in zip(["notified_on", "surveillance_completed_on", "review_started_on", "draft_report_on"], gaps)
            if g is not None
        },
        **({"parents_informed": informed} if informed is not None else {}),
    },
    st.integers(0, 10_000),
    _day(PERIOD_START, min(PERIOD_END, SUBMITTED)),
    st.lists(st.one_of(st.none(), st.integers(0, 200)), min_size=4, max_size=4),
    st.one_of(st.none(), st.booleans()),
    st.sampled_from(["late_fetal_loss", "stillbirth", "neonatal_death", "post_neonatal_death"]),
)


@st.composite
def mutated_evidence(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(EXAMPLE)
    for section in ("counts", "groups", "events", "attestations", "figures", "rates", "teams"):
        items = data.get(section, {})
        for key in sorted(items):
            if draw(st.integers(0, 4)) == 0:
                del items[key]
            elif section == "counts" and draw(st.booleans()):
                den = draw(st.integers(0, 500))
                items[key] = {"numerator": draw(st.integers(0, den)), "denominator": den}
    deaths = draw(st.lists(death, max_size=8, unique_by=lambda d: d["id"]))
    data.setdefault("cases", {})["perinatal_deaths"] = deaths
    if draw(st.booleans()):
        data["assessment_date"] = draw(_day(PERIOD_START, SUBMITTED)).isoformat()
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated_evidence())
def test_random_valid_evidence_never_crashes(data: dict[str, Any]) -> None:
    evidence = compliance.load_evidence(data)
    result = compliance.assess(evidence, schemes=list(compliance.builtin_schemes()))
    for scheme in result.schemes:
        for section in scheme.sections:
            for req in section.requirements:
                assert req.reason.code in REASON_CODES
                assert explanation(req)  # every reason can be worded
                if req.status == "insufficient_evidence":
                    assert req.missing_evidence or any(m.note for m in req.measurements)
