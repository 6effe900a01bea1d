"""Messages for bad schemes and bad evidence, pinned with their positions."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest

import compliance
from compliance.errors import format_path

SCHEME_HEAD = """\
id: bad
title: Bad
version: "1"
publisher: tests
sources: [{key: K, title: T}]
parameters:
  P.cov: {value: 95, unit: "%", description: d, status: confirmed, source: s}
  P.flag: {value: true, description: d, status: confirmed, source: s}
outcome: {met: "Met.", not_met: "Not met."}
sections:
  - id: A
    title: A
    requirements:
      - id: A.1
        title: t
        text: t
        source: s
        status: confirmed
        remediation: r
        rule:
"""


def problems(tmp_path: Path, rule: str) -> list[tuple[int | None, int | None, str, str, str | None]]:
    path = tmp_path / "scheme.yaml"
    path.write_text(SCHEME_HEAD + rule)
    with pytest.raises(compliance.SchemeError) as info:
        compliance.load_scheme(path)
    return [(p.location.line, p.location.column, p.code, p.message, p.suggestion) for p in info.value.problems]


def test_unknown_measure_kind_suggests(tmp_path: Path) -> None:
    got = problems(tmp_path, "          measure: {kind: proportoin, count: counts.sbl_e1_co_at_booking}\n          threshold: P.cov\n")
    assert got == [(21, 21, "S211", "unknown measure kind 'proportoin'", "proportion")]


def test_unknown_evidence_path_suggests(tmp_path: Path) -> None:
    got = problems(tmp_path, "          measure: {kind: proportion, count: counts.sbl_e1_co_at_bookin}\n          threshold: P.cov\n")
    assert got == [
        (21, 39, "S240", "evidence path 'counts.sbl_e1_co_at_bookin' is not defined by the evidence model", "counts.sbl_e1_co_at_booking")
    ]


def test_unknown_parameter_suggests(tmp_path: Path) -> None:
    got = problems(tmp_path, "          measure: {kind: proportion, count: counts.sbl_e1_co_at_booking}\n          threshold: P.cvo\n")
    assert got == [(22, 11, "S221", "unknown parameter 'P.cvo' as threshold", "P.cov")]


def test_types_checked_when_parsed(tmp_path: Path) -> None:
    rule = (
        "          all:\n"
        "            - measure: {kind: attestation, item: attestations.tc_pathway}\n"
        "              compare: \">=\"\n"
        "              threshold: P.flag\n"
        "            - measure: {kind: proportion, count: counts.sbl_e1_co_at_booking}\n"
        "              threshold: P.flag\n"
    )
    got = problems(tmp_path, rule)
    assert got == [
        (23, 15, "S230", "'attestation' gives true/false, which cannot be compared with '>='", None),
        (26, 15, "S233", "threshold True is boolean, but 'proportion' gives a number", None),
    ]


def test_record_field_must_exist_and_be_a_date(tmp_path: Path) -> None:
    rule = (
        "          measure: {kind: timeliness, records: cases.perinatal_deaths, start: died_on, end: review_started, within: {days: 5}}\n"
        "          threshold: P.cov\n"
    )
    got = problems(tmp_path, rule)
    assert got == [(21, 11, "S242", "PerinatalDeath records have no field 'review_started'", "review_started_on")]


def test_unknown_measure_key_suggests(tmp_path: Path) -> None:
    got = problems(tmp_path, "          measure: {kind: proportion, cuont: counts.sbl_e1_co_at_booking}\n          threshold: P.cov\n")
    assert got == [
        (21, 11, "S213", "measure kind 'proportion' needs 'count'", None),
        (21, 39, "S212", "unknown key 'cuont' for measure kind 'proportion'", "count"),
    ]


def test_at_least_more_than_children(tmp_path: Path) -> None:
    rule = (
        "          at_least: 3\n"
        "          of:\n"
        "            - measure: {kind: proportion, count: counts.sbl_e1_co_at_booking}\n"
        "              threshold: P.cov\n"
    )
    assert problems(tmp_path, rule) == [(21, 11, "S250", "at_least 3 of only 1 rule(s) can never be met", None)]


def test_shape_errors_are_all_reported_with_carets(tmp_path: Path) -> None:
    path = tmp_path / "scheme.yaml"
    text = SCHEME_HEAD.replace("status: confirmed\n        remediation", "status: confirmd\n        remediaton") + (
        "          - mesure: {kind: figure}\n"
    )
    path.write_text(text)
    with pytest.raises(compliance.SchemeError) as info:
        compliance.load_scheme(path)
    rendered = info.value.render()
    assert f"{path}:18:9 ($.sections[0].requirements[0].status): S113" in rendered
    assert "did you mean: confirmed?" in rendered
    assert f"{path}:19:9 ($.sections[0].requirements[0].remediaton): S110: unknown key 'remediaton'" in rendered
    assert "did you mean: remediation?" in rendered
    assert "    19 |         remediaton: r\n       |         ^" in rendered


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("id: a\ntitle: A\ntitle: B\n")
    with pytest.raises(compliance.SchemeError) as info:
        compliance.load_scheme(path)
    (p,) = info.value.problems
    assert (p.location.line, p.location.column, p.code) == (3, 1, "E004")
    assert p.message == "duplicate key 'title' (first defined on line 2)"


def test_unsafe_yaml_tag_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("id: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(compliance.SchemeError) as info:
        compliance.load_scheme(path)
    (p,) = info.value.problems
    assert (p.location.line, p.location.column, p.code) == (1, 5, "E005")
    assert p.message == "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed: schemes and evidence are plain data"


def test_unknown_builtin_scheme_suggests() -> None:
    with pytest.raises(compliance.SchemeError) as info:
        compliance.load_scheme("mis-y33")
    assert info.value.problems[0].suggestion == "mis-y3"


# ------------------------------------------------------------------ evidence

BASE = {
    "trust": {"name": "X", "ods_code": "RXX"},
    "period": {"start": "2020-10-01", "end": "2021-07-15"},
    "submitted_by": {"name": "A", "role": "B"},
    "submitted_on": "2021-07-14",
}


def evidence_problems(tmp_path: Path, extra: dict) -> list[tuple[int | None, int | None, str, str, str | None]]:
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps({**BASE, **extra}, indent=2))
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    return [(p.location.line, p.location.column, format_path(p.location.path), p.message, p.suggestion) for p in info.value.problems]


def test_unknown_evidence_key_suggests(tmp_path: Path) -> None:
    got = evidence_problems(tmp_path, {"count": {}})
    assert got == [(15, 3, "$.count", "unknown key 'count'", "counts")]


def test_lowercase_ods_code_suggests(tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    path.write_text(json.dumps({**BASE, "trust": {"name": "X", "ods_code": "rxx"}}))
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    (p,) = info.value.problems
    assert (p.code, p.suggestion, format_path(p.location.path)) == ("V014", "RXX", "$.trust.ods_code")


def test_impossible_evidence_named_by_json_path(tmp_path: Path) -> None:
    got = evidence_problems(
        tmp_path,
        {
            "counts": {"sbl_e1_co_at_booking": {"numerator": 101, "denominator": 100}},
            "cases": {
                "perinatal_deaths": [
                    {"id": "P1", "died_on": "2020-09-01", "category": "stillbirth"},
                    {"id": "P2", "died_on": "2020-11-01", "category": "stillbirth", "review_started_on": "2020-10-01"},
                    {"id": "P2", "died_on": "2020-11-02", "category": "stillbirth", "review_started_on": "2021-08-01"},
                ]
            },
        },
    )
    assert [(path, message) for _l, _c, path, message, _s in got] == [
        ("$.counts.sbl_e1_co_at_booking.numerator", "numerator 101 is above denominator 100"),
        ("$.cases.perinatal_deaths[0].died_on", "died_on 2020-09-01 is outside the reporting period 2020-10-01 to 2021-07-15"),
        ("$.cases.perinatal_deaths[1].review_started_on", "review_started_on 2020-10-01 is before died_on 2020-11-01"),
        ("$.cases.perinatal_deaths[2].id", "case id 'P2' appears twice (first at line 29)"),
        ("$.cases.perinatal_deaths[2].review_started_on", "review_started_on 2021-08-01 is after the submission date 2021-07-14"),
    ]
    assert all(line is not None for line, *_ in got)


def test_untrue_evidence_is_reported_together_with_positions(tmp_path: Path) -> None:
    path = tmp_path / "evidence.json"
    path.write_text(
        json.dumps(
            {
                **BASE,
                "figures": {"coc_plan_target_percent": 0.35},
                "counts": {
                    "coc_booked_on_pathway": {"numerator": 10, "denominator": 100},
                    "coc_black_asian_on_pathway": {"numerator": 11, "denominator": 40},
                },
                "attestations": {"tc_pathway": {"attested": True, "board_approved_on": "2031-07-14"}},
            },
            indent=2,
        )
    )
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path, today=dt.date(2021, 7, 20))
    got = [(p.location.line, p.location.column, p.code, p.suggestion) for p in info.value.problems]
    assert got == [(16, 5, "V062", "35 (percent)"), (24, 7, "V064", None), (31, 7, "V063", None)]


def test_string_numbers_are_pinned_with_their_position(tmp_path: Path) -> None:
    got = evidence_problems(tmp_path, {"figures": {"msds_cqims_passed": "80"}})
    assert got == [(16, 5, "$.figures.msds_cqims_passed", "'80' is text, not a number", "80 (a number)")]


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"trust": {"name": "X",}\n}')
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    (p,) = info.value.problems
    # Python 3.13's json points at the trailing comma itself ("Illegal trailing comma"); earlier ones at the '}' after it.
    column = 23 if sys.version_info >= (3, 13) else 24
    assert (p.location.line, p.location.column, p.code) == (1, column, "E001")


def test_missing_file() -> None:
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence("no/such/file.json")
    assert "no such file" in str(info.value)


def test_yaml_evidence_positions(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(
        "trust: {name: X, ods_code: RXX}\nperiod: {start: 2020-10-01, end: 2021-07-15}\n"
        "submitted_by: {name: A, role: B}\nsubmitted_on: 2021-07-14\nfigures:\n  msds_cqims_pased: 3\n"
    )
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    (p,) = info.value.problems
    assert (p.location.line, p.location.column, p.suggestion) == (6, 3, "msds_cqims_passed")


def test_impossible_yaml_date_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text("trust: {name: X, ods_code: RXX}\nperiod: {start: 2021-13-01, end: 2021-07-15}\n")
    with pytest.raises(compliance.EvidenceError) as info:
        compliance.load_evidence(path)
    (p,) = info.value.problems
    assert (p.location.line, p.location.column, p.code) == (2, 17, "E006")
    assert p.message == "'2021-13-01' is not a valid timestamp: month must be in 1..12"


def test_evidence_naming_an_unknown_scheme_suggests() -> None:
    data = json.loads((Path(__file__).parent / "fixtures" / "evidence_full.json").read_text())
    data["schemes"] = ["mis-y3x"]  # (mis-y4 is a bundled scheme since issue 11)
    with pytest.raises(compliance.UsageError) as info:
        compliance.assess(data)
    assert info.value.problems[0].suggestion == "mis-y3"


def test_a_valid_json_file_is_never_indexed_for_positions() -> None:
    """Positions are only worked out when a problem needs one (indexing costs more than validating)."""
    from compliance.evidence.loader import validate_evidence_data
    from compliance.source import parse_json

    path = Path(__file__).parent / "fixtures" / "evidence_full.json"
    doc = parse_json(path.read_text(), file=str(path), error=compliance.EvidenceError)
    validate_evidence_data(doc)
    assert doc.index_later is not None and doc.positions == {}


def test_sense_checks_visit_every_record_of_a_full_submission() -> None:
    # The walk skips fields that cannot hold records with something to check; a naive walk
    # over every field, keeping the records a check looks at, must find exactly the same
    # records in the same order, or a sense check would silently miss some.
    from pydantic import BaseModel

    from compliance.evidence import loader

    ev = compliance.load_evidence(Path(__file__).parent / "fixtures" / "evidence_full.json")

    def naive(value: object, path: tuple) -> list[tuple]:
        if isinstance(value, BaseModel):
            found = [path]
            for name in type(value).model_fields:
                found += naive(getattr(value, name), (*path, name))
            return found
        if isinstance(value, (list, tuple)):
            return [p for i, v in enumerate(value) for p in naive(v, (*path, i))]
        if isinstance(value, dict):
            return [p for k, v in value.items() for p in naive(v, (*path, k))]
        return []

    def value_at(path: tuple) -> object:
        value: object = ev
        for part in path:
            value = value[part] if isinstance(value, (list, tuple, dict)) else getattr(value, part)  # type: ignore[index]
        return value

    walked = [loader._path(node) for node, _, _ in loader._records(ev)]
    checked = [p for p in naive(ev, ()) if loader._plan(type(value_at(p))).checks]
    assert len(walked) > 20
    assert walked == checked
    # What it skips holds nothing to check: the trust, the submitter, teams, monthly counts.
    skipped = {type(value_at(p)).__name__ for p in naive(ev, ())} - {type(value_at(p)).__name__ for p in walked}
    assert {"Trust", "Person"} <= skipped
