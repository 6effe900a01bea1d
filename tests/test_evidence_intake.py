"""Strict and honest evidence intake (issue 10): what the loader refuses, and what it sets aside.

* numbers and booleans must be JSON numbers and booleans ("80" is not 80);
* a fraction is refused where a percent belongs (0.35 for 35%);
* no date may be later than today (``today=`` / ``--today`` for a reproducible run);
* a subgroup count may not exceed its total;
* a count may be *suppressed in the source*: no numerator or denominator, never zero;
* nesting and YAML alias expansion are limited, with exit 2 and a located message;
* a blank (null) value is *not yet filled*: its catalogue item is set aside as not
  submitted, header blanks are allowed, and ``Evidence.blanks`` lists them all.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

import compliance
from compliance import cli
from compliance.errors import format_path
from compliance.evidence import catalogue, loader
from compliance.evidence.model import Evidence
from compliance.evidence.records import PERCENT
from compliance.evidence.types import type_at
from compliance.source import MAX_DEPTH

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2021, 7, 20)

BASE: dict[str, Any] = {
    "trust": {"name": "X", "ods_code": "RXX"},
    "period": {"start": "2020-10-01", "end": "2021-07-15"},
    "submitted_by": {"name": "A", "role": "B"},
    "submitted_on": "2021-07-14",
}

Got = list[tuple[str, str, str, str | None, str | None]]


def _with(path: str, value: Any, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """BASE (or ``data``) with ``value`` set at a dotted path; ``[n]`` makes a list of n+1 minimal records."""
    out = copy.deepcopy(data if data is not None else BASE)
    cur: Any = out
    parts = path.split(".")
    for i, part in enumerate(parts):
        m = re.fullmatch(r"(\w+)\[(\d+)\]", part)
        last = i == len(parts) - 1
        if m:
            name, idx = m.group(1), int(m.group(2))
            seq = cur.setdefault(name, [])
            while len(seq) <= idx:
                seq.append({})
            cur = seq[idx]
        elif last:
            cur[part] = value
        else:
            cur = cur.setdefault(part, {})
    return out


def _problems(tmp_path: Path, data: dict[str, Any], *, today: dt.date = TODAY, name: str = "e.json") -> Got:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2))
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path, today=today)
    problems = info.value.problems
    assert all(p.location.line is not None for p in problems), "every problem has its file position"
    return [(format_path(p.location.path), p.code, p.message, p.expected, p.suggestion) for p in problems]


def _loads(tmp_path: Path, data: dict[str, Any], *, today: dt.date = TODAY) -> Evidence:
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(data, indent=2))
    return compliance.load_evidence(path, today=today)


# ------------------------------------------------------------------ 1. numbers and booleans are typed

COUNT = "counts.sbl_e1_co_at_booking"
DEATH = {"id": "P1", "died_on": "2021-01-01", "category": "stillbirth"}


@pytest.mark.parametrize(
    "path, value, message, expected, suggestion",
    [
        ("figures.msds_cqims_passed", "80", "'80' is text, not a number", "a whole number", "80 (a number)"),
        ("figures.msds_cqims_passed", " 80 ", "' 80 ' is text, not a number", "a whole number", "80 (a number)"),
        ("figures.msds_cqims_passed", "80.0", "'80.0' is text, not a number", "a whole number", "80 (a number)"),
        ("figures.msds_cqims_passed", "80.5", "'80.5' is text, not a number", "a whole number", None),
        ("figures.msds_cqims_passed", "eighty", "'eighty' is text, not a number", "a whole number", None),
        ("figures.msds_cqims_passed", True, "true is a boolean, not a number", "a whole number", None),
        ("figures.msds_cqims_passed", 80.5, "80.5 is not a whole number", "a whole number", None),
        ("figures.msds_cqims_passed", 80.0, "80.0 is not a whole number", "a whole number", "80"),
        ("figures.coc_plan_target_percent", "35.5", "'35.5' is text, not a number", "a number", "35.5 (a number)"),
        ("figures.coc_plan_target_percent", False, "false is a boolean, not a number", "a number", None),
        (f"{COUNT}.numerator", "80", "'80' is text, not a number", "a whole number", "80 (a number)"),
        (f"{COUNT}.numerator", True, "true is a boolean, not a number", "a whole number", None),
        ("rates.stillbirth.events", "3", "'3' is text, not a number", "a whole number", "3 (a number)"),
        ("teams.coc[0].midwives_headcount", "8", "'8' is text, not a number", "a whole number", "8 (a number)"),
        ("attestations.tc_pathway.attested", "true", "'true' is text, not true or false", "true/false", "true (a boolean)"),
        ("attestations.tc_pathway.attested", "yes", "'yes' is text, not true or false", "true/false", "true (a boolean)"),
        ("attestations.tc_pathway.attested", "No", "'No' is text, not true or false", "true/false", "false (a boolean)"),
        ("attestations.tc_pathway.attested", "maybe", "'maybe' is text, not true or false", "true/false", None),
        ("attestations.tc_pathway.attested", 1, "1 is a number, not true or false", "true/false", "true (a boolean)"),
        ("attestations.tc_pathway.attested", 0, "0 is a number, not true or false", "true/false", "false (a boolean)"),
        (f"{COUNT}.suppressed", "yes", "'yes' is text, not true or false", "true/false", "true (a boolean)"),
    ],
)
def test_numbers_and_booleans_must_have_their_json_type(tmp_path, path, value, message, expected, suggestion):
    data = _with(path, value)
    # Fill the rest of the record so the wrong value is its only problem.
    if path.startswith(COUNT):
        data = _with(COUNT, {"numerator": 1, "denominator": 2, **{path.rsplit(".", 1)[1]: value}})
    elif path.startswith("rates."):
        data = _with("rates.stillbirth", {"events": value, "population": 1000})
    elif path.startswith("teams."):
        data = _with("teams.coc", [{"name": "Team A", "midwives_headcount": value}])
    got = _problems(tmp_path, data)
    want_path = "$." + path.replace("[0]", "[0]")
    assert got == [(want_path, "V061", message, expected, suggestion)]


def test_record_booleans_in_lists_are_typed(tmp_path):
    data = _with("cases.perinatal_deaths", [{**DEATH, "born_in_trust": "no"}])
    assert _problems(tmp_path, data) == [
        ("$.cases.perinatal_deaths[0].born_in_trust", "V061", "'no' is text, not true or false", "true/false", "false (a boolean)")
    ]


def test_a_number_is_not_a_date(tmp_path):
    # pydantic would read 1609459200 as a Unix time: 2021-01-01.
    data = _with("events.mvp_meetings", [{"date": 1609459200}])
    (got,) = _problems(tmp_path, data)
    assert got[:2] == ("$.events.mvp_meetings[0].date", "V013") and got[3] == "a date (YYYY-MM-DD)"


def test_real_numbers_and_booleans_still_load(tmp_path):
    ev = _loads(tmp_path, _with("figures", {"msds_cqims_passed": 80, "coc_plan_target_percent": 35}))
    assert ev.figures.msds_cqims_passed == 80 and ev.figures.coc_plan_target_percent == 35.0
    ev = _loads(tmp_path, _with("attestations.tc_pathway", {"attested": False}))
    assert ev.attestations.tc_pathway is not None and ev.attestations.tc_pathway.attested is False


def test_yaml_quoted_number_is_text_with_its_position(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text(
        "trust: {name: X, ods_code: RXX}\nperiod: {start: 2020-10-01, end: 2021-07-15}\n"
        "submitted_by: {name: A, role: B}\nsubmitted_on: 2021-07-14\nfigures:\n  msds_cqims_passed: \"80\"\n"
    )
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path, today=TODAY)
    (p,) = info.value.problems
    assert (p.location.line, p.location.column, p.code, p.suggestion) == (6, 3, "V061", "80 (a number)")
    assert "did you mean: 80 (a number)?" in info.value.render()


# ------------------------------------------------------------------ 2. a fraction for a percent


@pytest.mark.parametrize(
    "value, suggestion",
    [(0.35, "35 (percent)"), (0.355, "35.5 (percent)"), (1, "100 (percent)"), (0.001, "0.1 (percent)"), (None, None)],
)
def test_a_fraction_for_a_percent_is_refused(tmp_path, value, suggestion):
    data = _with("figures.coc_plan_target_percent", value)
    if suggestion is None:
        assert _loads(tmp_path, data).figures.coc_plan_target_percent is None
        return
    assert _problems(tmp_path, data) == [
        (
            "$.figures.coc_plan_target_percent",
            "V062",
            f"coc_plan_target_percent {value:g} looks like a fraction, but it is a percent (0 to 100)",
            "a percent from 0 to 100",
            suggestion,
        )
    ]


@pytest.mark.parametrize("value", [0, 0.0, 1.5, 35, 100])
def test_zero_and_real_percents_stay_valid(tmp_path, value):
    assert _loads(tmp_path, _with("figures.coc_plan_target_percent", value)).figures.coc_plan_target_percent == value


def _all_fields() -> list[tuple[type, str, Any]]:
    from pydantic import BaseModel

    seen: set[type] = set()
    out: list[tuple[type, str, Any]] = []
    stack: list[type] = [Evidence]
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, f in model.model_fields.items():
            out.append((model, name, f))
            stack.extend(t for t in _types_in(f.annotation) if isinstance(t, type) and issubclass(t, BaseModel))
    return out


def _types_in(tp: Any) -> list[Any]:
    import typing

    args = typing.get_args(tp)
    return [tp, *[t for a in args for t in _types_in(a)]]


def test_percent_fields_are_marked_by_metadata_not_by_name():
    marked = {(m.__name__, n) for m, n, f in _all_fields() if isinstance(f.json_schema_extra, dict) and f.json_schema_extra.get("unit") == "%"}
    assert ("Figures", "coc_plan_target_percent") in marked
    # Any field described as a percentage must carry the marker, or a fraction would slip through.
    described = {(m.__name__, n) for m, n, f in _all_fields() if re.search(r"in %|percent", f.description or "", re.I) or n.endswith("_percent")}
    assert described <= marked
    assert PERCENT == {"unit": "%"}
    assert Evidence.model_json_schema()["$defs"]["Figures"]["properties"]["coc_plan_target_percent"]["unit"] == "%"


# ------------------------------------------------------------------ 3. no date later than today

FUTURE = "2021-07-21"  # the day after TODAY


@pytest.mark.parametrize(
    "name, patch",
    [
        ("submitted_on", {"submitted_on": FUTURE}),
        ("assessment_date", {"assessment_date": FUTURE}),
        ("events.mvp_meetings[0].date", {"events": {"mvp_meetings": [{"date": FUTURE}]}}),
        ("attestations.tc_pathway.document.dated", {"attestations": {"tc_pathway": {"attested": True, "document": {"title": "T", "dated": FUTURE}}}}),
        ("attestations.tc_pathway.board_approved_on", {"attestations": {"tc_pathway": {"attested": True, "board_approved_on": FUTURE}}}),
        ("board_sign_off.board_approved_on", {"board_sign_off": {"attested": True, "board_approved_on": FUTURE}}),
        ("cases.perinatal_deaths[0].final_report_on", {"cases": {"perinatal_deaths": [{**DEATH, "final_report_on": FUTURE}]}}),
        ("cases.perinatal_deaths[0].died_on", {"cases": {"perinatal_deaths": [{**DEATH, "died_on": FUTURE}]}}),
        ("cases.qualifying_cases[0].born_on", {"cases": {"qualifying_cases": [{"id": "Q1", "born_on": FUTURE, "criterion": "grade_3_hie"}]}}),
        (f"{COUNT}.as_of", {"counts": {COUNT.split(".")[1]: {"numerator": 1, "denominator": 2, "as_of": FUTURE}}}),
    ],
)
def test_a_date_after_today_is_refused(tmp_path, name, patch):
    # Submitted today, so that the later date is the only thing wrong with the file.
    got = _problems(tmp_path, {**BASE, "submitted_on": TODAY.isoformat(), **patch})
    # One problem, naming the field and today (not also "after the submission date" or "outside the period").
    assert got == [("$." + name, "V063", f"{name} {FUTURE} is later than today ({TODAY})", f"a date on or before today, {TODAY}", None)]


def test_a_period_still_running_is_assessed_as_of_today(tmp_path):
    """A mid-year check: the period may end after today; with no assessment date, it is made as of today."""
    ev = _loads(tmp_path, {**BASE, "period": {"start": "2020-10-01", "end": "2021-09-30"}, "submitted_on": TODAY.isoformat()})
    assert ev.period.end == dt.date(2021, 9, 30) and ev.as_of == TODAY
    ended = _loads(tmp_path, {**BASE, "submitted_on": TODAY.isoformat()})
    assert ended.as_of == ended.period.end  # an ended period is assessed as of its end


def test_today_defaults_to_the_real_date(tmp_path):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    data = {**BASE, "period": {"start": "2020-10-01", "end": tomorrow.isoformat()}, "submitted_on": tomorrow.isoformat()}
    path = tmp_path / "e.json"
    path.write_text(json.dumps(data))
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    assert {p.code for p in info.value.problems} == {"V063"}
    assert f"later than today ({dt.date.today()})" in info.value.render()
    # Given explicitly, a later today accepts the same file.
    assert compliance.load_evidence(path, today=tomorrow).submitted_on == tomorrow


def test_assess_takes_today():
    fixture = ROOT / "tests" / "fixtures" / "evidence_full.json"
    data = json.loads(fixture.read_text())
    day = dt.date.fromisoformat(data["submitted_on"])  # its latest date but the period's end
    assert compliance.assess(data, schemes=["mis-y3"], today=day).submitted_on == day
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.assess(data, schemes=["mis-y3"], today=day - dt.timedelta(days=1))
    assert "V063" in {p.code for p in info.value.problems}


def test_the_submission_date_check_remains(tmp_path):
    data = _with("events.mvp_meetings", [{"date": "2021-07-15"}])  # after submitted_on 2021-07-14, before today
    assert _problems(tmp_path, data) == [
        ("$.events.mvp_meetings[0].date", "V051", "date 2021-07-15 is after the submission date 2021-07-14", "no date later than submitted_on", None)
    ]


# ------------------------------------------------------------------ 4. a subgroup may not exceed its total

TOTAL = "counts.coc_booked_on_pathway"


@pytest.mark.parametrize(
    "sub, sub_count, total_count, bad_parts",
    [
        ("counts.coc_black_asian_on_pathway", (11, 50), (10, 100), ["numerator"]),
        ("counts.coc_black_asian_on_pathway", (5, 101), (10, 100), ["denominator"]),
        ("counts.coc_most_deprived_on_pathway", (11, 101), (10, 100), ["numerator", "denominator"]),
        ("counts.coc_most_deprived_on_pathway", (10, 100), (10, 100), []),
        ("counts.coc_most_deprived_on_pathway", (11, 101), None, []),  # no total submitted: nothing to compare
        ("counts.coc_most_deprived_on_pathway", "suppressed", (10, 100), []),
    ],
)
def test_subgroup_counts_may_not_exceed_their_total(tmp_path, sub, sub_count, total_count, bad_parts):
    data = copy.deepcopy(BASE)
    data["counts"] = {}
    if total_count is not None:
        data["counts"][TOTAL.split(".")[1]] = dict(zip(("numerator", "denominator"), total_count))
    data["counts"][sub.split(".")[1]] = {"suppressed": True} if sub_count == "suppressed" else dict(zip(("numerator", "denominator"), sub_count))
    if not bad_parts:
        _loads(tmp_path, data)
        return
    got = _problems(tmp_path, data)
    want = []
    for part in bad_parts:
        a = dict(zip(("numerator", "denominator"), sub_count))[part]  # type: ignore[arg-type]
        b = dict(zip(("numerator", "denominator"), total_count))[part]  # type: ignore[arg-type]
        want.append(
            (
                f"$.{sub}.{part}",
                "V064",
                f"{sub}.{part} {a} is above {TOTAL}.{part} {b}: a subgroup cannot be larger than its total",
                f"at most {b} (its total, {TOTAL}.{part})",
                None,
            )
        )
    assert got == want


def test_the_subgroup_table_names_real_count_parts():
    assert catalogue.SUBGROUPS, "the table is not empty"
    for rel in catalogue.SUBGROUPS:
        for path, part in ((rel.sub_path, rel.sub_part), (rel.total_path, rel.total_part)):
            assert type_at(Evidence, [*path.split("."), part]) is int, (path, part)
        assert rel.sub_path != rel.total_path


def test_a_new_subgroup_row_is_checked(tmp_path, monkeypatch):
    """The table is general: a row relating any two count parts is enforced, at the subgroup's position."""
    row = catalogue.Subgroup("counts.sbl_e1_referred_to_stop_smoking", "denominator", "counts.sbl_e1_co_at_booking", "denominator")
    monkeypatch.setattr(loader, "SUBGROUPS", (*catalogue.SUBGROUPS, row))
    data = _with("counts", {"sbl_e1_co_at_booking": {"numerator": 5, "denominator": 10}, "sbl_e1_referred_to_stop_smoking": {"numerator": 3, "denominator": 12}})
    (got,) = _problems(tmp_path, data)
    assert got[:2] == ("$.counts.sbl_e1_referred_to_stop_smoking.denominator", "V064")


# ------------------------------------------------------------------ 5. counts suppressed in the source


def test_a_suppressed_count_needs_no_figures_and_is_never_zero(tmp_path):
    ev = _loads(tmp_path, _with(COUNT, {"suppressed": True, "source": "MSDS (suppressed: fewer than 5)"}))
    count = ev.counts.sbl_e1_co_at_booking
    assert count is not None and count.suppressed is True
    assert count.numerator is None and count.denominator is None
    # A suppressed count may still give the part that was published.
    ev = _loads(tmp_path, _with(COUNT, {"suppressed": True, "denominator": 120}))
    assert ev.counts.sbl_e1_co_at_booking is not None and ev.counts.sbl_e1_co_at_booking.numerator is None


@pytest.mark.parametrize(
    "count, missing",
    [({"denominator": 3}, ["numerator"]), ({"numerator": 3, "suppressed": False}, ["denominator"]), ({}, ["numerator", "denominator"])],
)
def test_a_count_not_suppressed_still_needs_both_parts(tmp_path, count, missing):
    got = _problems(tmp_path, _with(COUNT, count))
    assert got == [
        (f"$.{COUNT}", "V011", f"missing required key '{part}'", "a whole number, or suppressed: true when the source suppressed it", None)
        for part in sorted(missing)
    ]


def test_a_suppressed_count_in_a_group_loads():
    data = _with("groups.training_fetal_monitoring", {"midwives": {"numerator": 90, "denominator": 100}, "obstetricians": {"suppressed": True}})
    ev = compliance.load_evidence(data, today=TODAY)
    groups = ev.groups.training_fetal_monitoring
    assert groups is not None and groups["obstetricians"].suppressed and groups["obstetricians"].numerator is None


# ------------------------------------------------------------------ 6. depth and size limits


def _nested_json(depth: int) -> str:
    return json.dumps(BASE)[:-1] + ', "schemes": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1, 1_000, 100_000])
def test_deep_json_is_refused_with_its_position(tmp_path, depth):
    path = tmp_path / "deep.json"
    text = _nested_json(depth)
    path.write_text(text)
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    problems = info.value.problems
    # ``schemes`` is the second level: its lists may go MAX_DEPTH - 1 deeper.
    if depth < MAX_DEPTH:
        assert "E007" not in {p.code for p in problems}
        return
    (p,) = problems
    assert p.code == "E007" and p.message == f"nested too deeply (more than {MAX_DEPTH} levels)"
    assert (p.location.line, p.location.column) == (1, text.index("[") + MAX_DEPTH)  # the 65th open bracket (1-based column)


def test_just_deep_enough_json_is_not_refused_for_depth(tmp_path):
    path = tmp_path / "ok.json"
    path.write_text(_nested_json(MAX_DEPTH - 1))  # 1 (the top) + MAX_DEPTH - 1 levels
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    assert [p.code for p in info.value.problems] == ["V013"]  # a list is not a scheme id: a type error, not depth


def test_brackets_inside_json_strings_do_not_count(tmp_path):
    path = tmp_path / "ok.json"
    path.write_text(json.dumps({**BASE, "events": {"mvp_meetings": [{"date": "2021-01-01", "title": "[" * 200}]}}))
    assert compliance.load_evidence(path).events.mvp_meetings is not None


@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, 500, 100_000])
def test_deep_yaml_is_refused(tmp_path, depth):
    path = tmp_path / "deep.yaml"
    path.write_text("trust: {name: X, ods_code: RXX}\nschemes: " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    deep = [p for p in info.value.problems if p.code == "E007"]
    if depth < MAX_DEPTH:  # the top mapping and MAX_DEPTH - 1 lists: deep enough, not too deep
        assert deep == []
        return
    (p,) = deep
    assert p.message == f"nested too deeply (more than {MAX_DEPTH} levels)" and p.location.line == 2


def test_deep_block_yaml_is_refused(tmp_path):
    lines = ["trust: {name: X, ods_code: RXX}", "schemes:"]
    lines += [" " * (2 * i) + f"k{i}:" for i in range(1, 100)] + [" " * 200 + "x: 1"]
    path = tmp_path / "deep.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    (p,) = info.value.problems
    # The top mapping is level 1, the one under "schemes:" level 2 ... the one at k64 level 65.
    assert p.code == "E007" and p.location.line == 2 + MAX_DEPTH


def test_yaml_alias_bombs_are_refused_quickly(tmp_path):
    text = "trust: {name: X, ods_code: RXX}\na: &a [x, x, x, x, x, x, x, x, x]\n"
    prev = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    path = tmp_path / "lol.yaml"
    path.write_text(text)
    started = time.monotonic()
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    assert time.monotonic() - started < 5
    assert [p.code for p in info.value.problems] == ["E008"]


def test_modest_yaml_aliases_still_work(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text(
        "trust: {name: X, ods_code: RXX}\nperiod: {start: 2020-10-01, end: 2021-07-15}\n"
        "submitted_by: {name: A, role: B}\nsubmitted_on: 2021-07-14\n"
        "attestations:\n  tc_pathway: &yes {attested: true}\n  mvp_funding: *yes\n"
    )
    ev = compliance.load_evidence(path)
    assert ev.attestations.mvp_funding is not None and ev.attestations.mvp_funding.attested


def test_deep_scheme_files_are_refused_too(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("id: deep\nsections: " + "[" * 200 + "]" * 200 + "\n")
    with pytest.raises(compliance.SchemeError) as info:
        compliance.load_scheme(path)
    assert [p.code for p in info.value.problems] == ["E007"]


def test_bundled_schemes_are_far_from_the_depth_limit():
    import yaml

    from compliance.schemes.loader import builtin_path

    def depth(value: Any) -> int:
        if isinstance(value, dict):
            return 1 + max((depth(v) for v in value.values()), default=0)
        if isinstance(value, list):
            return 1 + max((depth(v) for v in value), default=0)
        return 0

    deepest = max(depth(yaml.safe_load(builtin_path(s).read_text())) for s in compliance.builtin_schemes())
    assert deepest <= MAX_DEPTH // 2, deepest


def test_a_recursion_error_anywhere_in_loading_is_an_input_error(tmp_path, monkeypatch):
    def deep(*args: Any, **kwargs: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(loader, "_sense_problems", deep)
    path = tmp_path / "e.json"
    path.write_text(json.dumps(BASE))
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path, today=TODAY)
    (p,) = info.value.problems
    assert (p.code, p.location.file) == ("E007", str(path))


# ------------------------------------------------------------------ 7. blanks are "not yet filled"


def test_a_blank_part_sets_its_item_aside(tmp_path):
    data = _with("counts", {"sbl_e1_co_at_booking": {"numerator": None, "denominator": 100}, "sbl_e1_co_at_36_weeks": {"numerator": 5, "denominator": 10}})
    ev = _loads(tmp_path, data)
    assert ev.counts.sbl_e1_co_at_booking is None  # not submitted, never half-read
    assert ev.counts.sbl_e1_co_at_36_weeks is not None
    assert ev.blanks == ("$.counts.sbl_e1_co_at_booking.numerator",)


def test_one_blank_record_sets_the_whole_list_aside(tmp_path):
    deaths = [DEATH, {"id": "P2", "died_on": None, "category": "stillbirth"}]
    ev = _loads(tmp_path, _with("cases.perinatal_deaths", deaths))
    # Dropping P2 alone would change every percentage over the deaths.
    assert ev.cases.perinatal_deaths is None
    assert ev.blanks == ("$.cases.perinatal_deaths[1].died_on",)


@pytest.mark.parametrize(
    "path, value, item, blank",
    [
        ("groups.training_fetal_monitoring", {"midwives": {"numerator": 9, "denominator": None}}, "groups.training_fetal_monitoring", "groups.training_fetal_monitoring.midwives.denominator"),
        ("groups.training_fetal_monitoring", {"midwives": None}, "groups.training_fetal_monitoring", "groups.training_fetal_monitoring.midwives"),
        ("attestations.tc_pathway", {"attested": None}, "attestations.tc_pathway", "attestations.tc_pathway.attested"),
        ("attestations.tc_pathway", {"attested": True, "document": {"title": None}}, "attestations.tc_pathway", "attestations.tc_pathway.document.title"),
        ("board_sign_off", {"attested": None, "board_approved_on": None}, "board_sign_off", "board_sign_off.attested"),
        ("rates.stillbirth", {"events": None, "population": 1000}, "rates.stillbirth", "rates.stillbirth.events"),
        ("teams.coc", [{"name": "A", "midwives_headcount": None}], "teams.coc", "teams.coc[0].midwives_headcount"),
        ("events.mvp_meetings", [{"date": None}], "events.mvp_meetings", "events.mvp_meetings[0].date"),
        ("figures.msds_cqims_passed", None, "figures.msds_cqims_passed", "figures.msds_cqims_passed"),
        (COUNT, None, COUNT, COUNT),
        (COUNT, {"numerator": 1, "denominator": 2, "suppressed": None}, COUNT, f"{COUNT}.suppressed"),
    ],
)
def test_blanks_in_every_kind_of_item(tmp_path, path, value, item, blank):
    ev = _loads(tmp_path, _with(path, value))
    from compliance.evidence.model import resolve

    assert resolve(ev, item.replace("[0]", "")) is None
    assert ev.blanks == ("$." + blank,)


def test_blank_header_fields_are_allowed_and_listed(tmp_path):
    data = {
        "trust": {"name": None, "ods_code": None},
        "period": {"start": "2020-10-01", "end": "2021-07-15"},
        "submitted_by": {"name": None, "role": "Director of Midwifery"},
        "submitted_on": None,
        "events": {"mvp_meetings": [{"date": "2021-07-15"}]},  # after no submission date: only today bounds it
    }
    ev = _loads(tmp_path, data)
    assert (ev.trust.name, ev.trust.ods_code, ev.submitted_by.name, ev.submitted_on) == (None, None, None, None)
    assert ev.blanks == ("$.trust.name", "$.trust.ods_code", "$.submitted_by.name", "$.submitted_on")
    # Without a submission date, today is the limit.
    got = _problems(tmp_path, _with("events.mvp_meetings", [{"date": FUTURE}], data))
    assert [g[1] for g in got] == ["V063"]


def test_blank_whole_header_records_and_sections(tmp_path):
    data = {**BASE, "trust": None, "submitted_by": None, "counts": None}
    ev = _loads(tmp_path, data)
    assert ev.trust.name is None and ev.submitted_by.role is None and ev.counts.sbl_e1_co_at_booking is None
    assert ev.blanks == ("$.trust", "$.submitted_by", "$.counts")


@pytest.mark.parametrize("period", [{"start": None, "end": "2021-07-15"}, {"start": "2020-10-01", "end": None}, None])
def test_the_period_must_be_filled(tmp_path, period):
    got = _problems(tmp_path, {**BASE, "period": period})
    assert [g[1] for g in got] == ["V065"]
    assert "the assessment needs the reporting period" in got[0][2]


def test_blanks_are_listed_in_document_order(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text(
        "attestations:\n  tc_pathway: {attested: }\n  atain_action_plan: {attested: }\n"
        "counts:\n  sbl_e1_co_at_booking: {numerator: , denominator: }\n"
        "trust: {name: , ods_code: RXX}\nperiod: {start: 2020-10-01, end: 2021-07-15}\n"
        "submitted_by: {name: A, role: B}\nsubmitted_on:\n"
    )
    ev = compliance.load_evidence(path, today=TODAY)
    assert ev.blanks == (
        "$.attestations.tc_pathway.attested",
        "$.attestations.atain_action_plan.attested",
        "$.counts.sbl_e1_co_at_booking.numerator",
        "$.counts.sbl_e1_co_at_booking.denominator",
        "$.trust.name",
        "$.submitted_on",
    )


@pytest.mark.parametrize(
    "path, value, code",
    [
        (f"{COUNT}.numerator", "", "V061"),
        ("attestations.tc_pathway.attested", "", "V061"),
        ("trust.name", "", "V013"),
        ("schemes", [None], "V013"),
    ],
)
def test_only_null_is_blank(tmp_path, path, value, code):
    data = _with(path, value)
    if path.startswith(COUNT):
        data = _with(COUNT, {"numerator": value, "denominator": 2})
    assert [g[1] for g in _problems(tmp_path, data)] == [code]


def test_a_blank_beside_a_real_error_still_reports_the_error(tmp_path):
    data = _with(COUNT, {"numerator": None, "denominator": "80"})
    got = _problems(tmp_path, data)
    assert [(g[0], g[1]) for g in got] == [(f"$.{COUNT}.denominator", "V061")]


def test_blanks_are_not_an_input_field_and_the_callers_data_is_untouched():
    data = _with(COUNT, {"numerator": None, "denominator": 1})
    before = copy.deepcopy(data)
    ev = compliance.load_evidence(data, today=TODAY)
    assert data == before and ev.blanks == (f"$.{COUNT}.numerator",)
    for key in ("blanks", "_blanks"):
        with pytest.raises(compliance.EvidenceError) as info:
            compliance.load_evidence({**BASE, key: ["$.trust.name"]}, today=TODAY)
        assert info.value.problems[0].code == "V010"
    assert "blanks" not in Evidence.model_json_schema()["properties"]
    assert compliance.load_evidence(BASE, today=TODAY).blanks == ()


# ------------------------------------------------------------------ the real template, end to end


@pytest.fixture
def template_copy(tmp_path, capsys) -> Path:
    """``compliance template mis-y3 sblcbv2`` exactly as written (the template fills in the scheme's period)."""
    assert cli.main(["template", "mis-y3", "sblcbv2"]) == 0
    text = capsys.readouterr().out
    assert "  start: 2020-10-01\n  end: 2021-07-15\n" in text
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_a_blank_template_lists_what_is_not_yet_filled(template_copy, capsys):
    code = cli.main(["validate", str(template_copy), "--today", "2021-07-20"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"ok: {template_copy} ((not yet filled), 2020-10-01 to 2021-07-15)"
    m = re.fullmatch(r"(\d+) fields not yet filled:", lines[1])
    assert m and int(m.group(1)) == len(lines) - 2 > 39
    listed = [line.strip() for line in lines[2:]]
    ev = compliance.load_evidence(template_copy, today=TODAY)
    assert listed == list(ev.blanks)
    for path in ("$.trust.name", "$.submitted_on", "$.counts.msds_ethnicity_recorded.numerator", "$.attestations.tc_pathway.attested", "$.figures.msds_cqims_passed"):
        assert path in listed
    assert "got None" not in out
    # The same file gives the same output (the list is deterministic).
    cli.main(["validate", str(template_copy), "--today", "2021-07-20"])
    assert capsys.readouterr().out == out


def test_assess_a_blank_template_is_insufficient_evidence(template_copy, capsys):
    code = cli.main(["assess", str(template_copy), "--scheme", "mis-y3", "--format", "json", "--today", "2021-07-20"])
    out, err = capsys.readouterr()
    assert (code, err) == (1, "")
    a = json.loads(out)
    assert a["trust"] == {"name": None, "ods_code": None} and a["submitted_on"] is None and a["submitted_by"] is None
    # Every requirement in force is insufficient evidence, and names what is missing.
    for s in a["schemes"]:
        for sec in s["sections"]:
            for r in sec["requirements"]:
                assert r["status"] == "insufficient_evidence", (r["id"], r["status"], r["explanation"])
                assert r["missing_evidence"], r["id"]


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_reports_say_not_yet_filled_never_none(template_copy, capsys, fmt):
    code = cli.main(["assess", str(template_copy), "--scheme", "mis-y3", "--format", fmt, "--today", "2021-07-20"])
    out, _ = capsys.readouterr()
    assert code == 1
    head = out[:3000]
    assert "(not yet filled)" in head
    assert not re.search(r"\bNone\b", head)


def test_a_blank_submitter_part_is_said_so():
    data = {**BASE, "submitted_by": {"name": None, "role": "Director of Midwifery"}}
    fixture = json.loads((ROOT / "tests" / "fixtures" / "evidence_full.json").read_text())
    a = compliance.assess({**fixture, **data}, schemes=["mis-y3"], today=TODAY)
    assert a.submitted_by == "(not yet filled), Director of Midwifery"


# ------------------------------------------------------------------ end to end: python -m compliance


def _cli(*args: str) -> Any:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return subprocess.run([sys.executable, "-m", "compliance", *args], cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300, check=False)


@pytest.mark.parametrize(
    "name, text, lines",
    [
        ("string.json", json.dumps({**BASE, "figures": {"msds_cqims_passed": "80"}}, indent=2), ["V061: '80' is text, not a number", "expected: a whole number", "did you mean: 80 (a number)?"]),
        ("boolean.json", json.dumps({**BASE, "attestations": {"tc_pathway": {"attested": "yes"}}}, indent=2), ["V061: 'yes' is text, not true or false", "did you mean: true (a boolean)?"]),
        ("fraction.json", json.dumps({**BASE, "figures": {"coc_plan_target_percent": 0.35}}, indent=2), ["V062: coc_plan_target_percent 0.35 looks like a fraction", "did you mean: 35 (percent)?"]),
        ("future.yaml", "trust: {name: X, ods_code: RXX}\nperiod: {start: 2020-10-01, end: 2021-07-15}\nsubmitted_by: {name: A, role: B}\nsubmitted_on: 2031-07-14\n", ["future.yaml:4:1 ($.submitted_on): V063: submitted_on 2031-07-14 is later than today (2021-07-20)"]),
        ("subgroup.json", json.dumps({**BASE, "counts": {"coc_booked_on_pathway": {"numerator": 5, "denominator": 100}, "coc_most_deprived_on_pathway": {"numerator": 6, "denominator": 20}}}, indent=2), ["V064: counts.coc_most_deprived_on_pathway.numerator 6 is above counts.coc_booked_on_pathway.numerator 5"]),
        ("deep.json", _nested_json(100_000), ["deep.json:1:", "E007: nested too deeply (more than 64 levels)"]),
        ("deep.yaml", "trust: {name: X, ods_code: RXX}\nschemes: " + "[" * 100_000 + "]" * 100_000 + "\n", ["deep.yaml:2:", "E007: nested too deeply (more than 64 levels)"]),
        ("period.yaml", "trust: {name: X, ods_code: RXX}\nperiod: {start: 2020-10-01, end: }\nsubmitted_by: {name: A, role: B}\nsubmitted_on: 2021-07-14\n", ["period.yaml:2:", "V065: period.end is not filled in: the assessment needs the reporting period"]),
    ],
)
@pytest.mark.parametrize("command", ["validate", "assess"])
def test_bad_evidence_exits_2_with_a_message_and_no_traceback(tmp_path, name, text, lines, command):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    done = _cli(command, str(path), "--today", "2021-07-20")
    assert done.returncode == 2, (done.stdout, done.stderr[-2000:])
    assert done.stdout == "" and "Traceback" not in done.stderr
    for line in lines:
        assert line in done.stderr, (line, done.stderr[:2000])


def test_the_blank_template_end_to_end(tmp_path):
    made = _cli("template", "mis-y3", "sblcbv2")
    assert made.returncode == 0
    text = re.sub(r"(?m)^  start:\s*$", "  start: 2020-12-01", made.stdout, count=1)
    text = re.sub(r"(?m)^  end:\s*$", "  end: 2021-07-15", text, count=1)
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    done = _cli("validate", str(path))
    assert (done.returncode, done.stderr) == (0, "")
    assert re.search(r"^\d+ fields not yet filled:$", done.stdout, re.M) and "  $.trust.name\n" in done.stdout
    done = _cli("assess", str(path), "--scheme", "mis-y3")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stdout.startswith("(not yet filled) ((not yet filled))\n")


@pytest.mark.parametrize("command", [("assess", "examples/mis_compliant.json"), ("validate", "examples/mis_compliant.json"), ("diff", "examples/mis_compliant.json", "examples/mis_late_pmrt.json")])
@pytest.mark.parametrize("bad", ["2021-13-01", "yesterday", "2021-7-1"])
def test_a_malformed_today_is_a_usage_error(command, bad):
    done = _cli(*command, "--today", bad)
    assert done.returncode == 2 and done.stdout == ""
    assert f"--today: U040: '{bad}' is not a date" in done.stderr and "Traceback" not in done.stderr


def _compliant_mis() -> dict:
    return json.loads((ROOT / "examples" / "mis_compliant.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("path", "value", "requirement"),
    [
        ("counts.sbl_e1_co_at_booking", {"suppressed": True, "source": "MSDS (fewer than 5)"}, "SBLv2-E1-P1"),
        ("groups.training_fetal_monitoring.midwives", {"suppressed": True}, "SBLv2-E4-P1"),
    ],
)
def test_a_suppressed_count_is_insufficient_evidence_with_its_reason(path, value, requirement):
    """Never read as zero, never a gap: the figure is unknown, and the report says it was suppressed."""
    data = _compliant_mis()
    parts = path.split(".")
    target = data
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value
    r = compliance.assess(data, schemes=["sblcbv2"], today=TODAY).requirement(requirement)
    assert r.status == "insufficient_evidence"
    leaf = r.measurements[0]
    assert leaf.display.startswith("suppressed in the source")
    assert leaf.note == "a figure suppressed in its source is not judged and not read as zero"
    assert r.reason.code == "suppressed"


def test_a_suppressed_side_leaves_a_cross_check_with_nothing_to_compare():
    data = _compliant_mis()
    data["counts"]["msds_coc_pathway_recorded"] = {"suppressed": True}
    r = compliance.assess(data, schemes=["mis-y3"], today=TODAY).requirement("MIS-Y3-CONSISTENCY.coc")
    assert r.status == "not_applicable"
