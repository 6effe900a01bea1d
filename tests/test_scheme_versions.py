"""Scheme versions: MIS Year 4 beside Year 3, SBL v3 as a skeleton, and which version an assessment uses.

The verdict-changing Year 4 differences are pinned in the case corpus
(tests/cases/y4_*.yaml); this module pins the rest: every MIS-Y4 and SBLv3 id
of the reference is encoded or explained, the families and their windows, the
choice of version by period, and the usage error when no window holds it.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

import compliance
from compliance.cli import main
from compliance.errors import SchemeError, UsageError
from compliance.schemes.loader import builtin_families, scheme_from_text
from compliance.schemes.selection import choose, pick_version

from _helpers import EXAMPLES, readme_rows, requirement, scheme_data

REFERENCE_Y4 = Path(os.environ.get("COMPLIANCE_REFERENCE", "/work/shared/reference/maternity-safety-standards.md")).parent / "mis-year4-and-sbl-v3.md"

#: Every MIS-Y4-... and SBLv3-... id in mis-year4-and-sbl-v3.md (frozen, so the check runs without the file).
Y4_IDS = tuple(
    [f"MIS-Y4-COND-{n}" for n in range(1, 7)]
    + [f"MIS-Y4-SA{n}" for n in range(1, 11)]
    + [f"MIS-Y4-SA{n}-DIFF" for n in range(1, 11)]
    + [f"MIS-Y4-SA{n}.{x}" for n, letters in ((1, "abcde"), (2, "abcde"), (3, "abcde"), (4, "abcd"), (5, "abcde"),
                                               (6, "abcdef"), (7, "abcd"), (8, "abcd"), (9, "abcde"), (10, "abcd")) for x in letters]
)
SBL3_IDS = tuple(
    [f"SBLv3-E{n}" for n in range(1, 7)]
    + [f"SBLv3-E{e}-I{i}" for e, count in ((1, 5), (2, 7), (3, 3), (4, 4), (5, 8), (6, 5)) for i in range(1, count + 1)]
    + ["SBLv3-E1-P1", "SBLv3-E1-P2", "SBLv3-E1-P3", "SBLv3-E1-O1", "SBLv3-E1-O2"]
    + [f"SBLv3-IMP-{n}" for n in range(1, 5)]
    + [f"SBLv3-META-{n}" for n in range(1, 10)]
)

_ID = re.compile(r"(?<![A-Za-z0-9-])((?:MIS-Y4|SBLv3)-[A-Za-z0-9.-]*[A-Za-z0-9])")
#: The reference's own placeholders in its id scheme (MIS-Y4-SAn.x, SBLv3-En-In ...), not ids.
_PLACEHOLDER = re.compile(r"SAn|COND-n|V-n|-En\b|-En-|IMP-n|META-n")


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


# ---------------------------------------------------------------- every reference id is encoded or explained


def test_frozen_year4_and_sbl3_ids_are_the_references():
    if not REFERENCE_Y4.is_file():
        pytest.skip(f"reference not found at {REFERENCE_Y4}; the frozen id lists are used instead")
    found = {m.group(1) for m in _ID.finditer(REFERENCE_Y4.read_text(encoding="utf-8"))}
    assert {i for i in found if not _PLACEHOLDER.search(i)} == set(Y4_IDS) | set(SBL3_IDS)


@pytest.mark.parametrize(("scheme_id", "ids"), [("mis-y4", Y4_IDS), ("sbl-v3", SBL3_IDS)])
def test_every_reference_id_is_encoded_or_listed_with_a_reason(scheme_id: str, ids: tuple[str, ...]):
    s = compliance.load_scheme(scheme_id)
    encoded = {sec.id for sec in s.sections} | {r.id for _, r in s.requirements()}
    explained = {n.id: n.reason for n in s.not_encoded}
    missing = sorted(i for i in ids if i not in encoded and i not in explained)
    assert not missing, f"{scheme_id}: reference ids neither encoded nor listed in not_encoded: {missing}"
    assert all(len(explained[i]) > 20 for i in ids if i in explained)
    # Nothing is encoded under an id the reference does not have (but the scheme's own checks and sections).
    own = {i for i in encoded if re.search(r"-(CONSISTENCY|PATHWAY|OBSTETRIC|ATTENDANCE)|\.(sign-off|commissioner)$|^SBLv3-IMP$", i)}
    assert encoded - own <= set(ids), sorted(encoded - own - set(ids))


def test_year4_requirement_ids_are_year_keyed_and_unlike_year3s():
    y3, y4 = compliance.load_scheme("mis-y3"), compliance.load_scheme("mis-y4")
    assert all(r.id.startswith("MIS-Y4-") for _, r in y4.requirements())
    assert not {r.id for _, r in y3.requirements()} & {r.id for _, r in y4.requirements()}
    assert all(p.startswith(("MIS.Y4.", "EN.")) for p in y4.parameters)


# ---------------------------------------------------------------- Year 4 content


def test_year4_titles_and_the_differences_that_change_verdicts():
    y4 = compliance.load_scheme("mis-y4")
    title = {sec.id: sec.title for sec in y4.sections}
    assert "minimise separation of mothers and babies" in title["MIS-Y4-SA3"]
    _, sa6b = y4.find("MIS-Y4-SA6.b") or (None, None)
    assert sa6b is not None and sa6b.status == "confirmed"
    assert "attestations.sbl_e1_alternative_agreed" not in json.dumps(sa6b.rule.model_dump(by_alias=True))
    _, sa10b = y4.find("MIS-Y4-SA10.b") or (None, None)
    assert sa10b is not None and sa10b.effective is not None and str(sa10b.effective.start) == "2022-04-01"
    _, sa2c = y4.find("MIS-Y4-SA2.c") or (None, None)
    assert sa2c is not None and sa2c.effective is not None and str(sa2c.effective.until) == "2021-12-15"
    assert y4.parameters["MIS.Y4.SA8.a.ccf_core_modules"].value == 6
    assert y4.parameters["MIS.Y4.SA8.a.ccf_core_modules"].status == "confirmed"
    assert y4.period is not None and str(y4.period.deadline) == "2023-02-02" and str(y4.period.start) == "2021-08-09"
    # Removed-or-unconfirmed items stay out of the outcome, as in the corrected Year 3 (audit A1, A2).
    informative = {r.id for sec in y4.sections if not sec.in_outcome for r in sec.requirements}
    assert {"MIS-Y4-SA3.a", "MIS-Y4-SA3.b", "MIS-Y4-SA3.e", "MIS-Y4-SA4.a", "MIS-Y4-SA8.b"} <= informative


def test_one_trust_sa6_met_under_year3_and_not_under_year4():
    """The Covid-era element 1 alternative: Year 3 accepts it through sblcbv2; Year 4 accepts no alternative."""
    data = _load("mis_y4_sa6_co_alternative.json")
    result = compliance.assess(data, schemes=["mis-y3", "mis-y4"])
    assert result.section("MIS-Y3-SA6").status == "met"
    assert result.section("MIS-Y4-SA6").status == "not_met"
    failing = [r.id for s in result.scheme("mis-y4").sections if s.in_outcome for r in s.requirements if r.status != "met" and r.status != "not_applicable"]
    assert failing == ["MIS-Y4-SA6.b"]


def test_sa10_example_fails_only_on_the_route_from_april_2022():
    data = _load("mis_y4_sa10_en_after_april.json")
    result = compliance.assess(data, schemes=["mis-y4"])
    assert result.scheme("mis-y4").unmet_sections == ["MIS-Y4-SA10"]
    before = dict(data, assessment_date="2022-03-31")
    assert compliance.assess(before, schemes=["mis-y4"]).scheme("mis-y4").status == "met"


def test_sbl_v3_is_a_skeleton_that_cannot_be_met():
    s = compliance.load_scheme("sbl-v3")
    assert s.versioning is not None and s.versioning.skeleton
    assert "skeleton" in s.title.lower() and "skeleton" in (s.description or "").lower()
    assert [sec.id for sec in s.sections if sec.id.startswith("SBLv3-E")] == [f"SBLv3-E{n}" for n in range(1, 7)]
    assert not s.parameters, "no threshold the reference does not give"
    assert all(r.rule.measure["kind"] == "attestation" for sec in s.sections if sec.id != "SBLv3-IMP" for r in sec.requirements)  # type: ignore[union-attr]
    data = _load("mis_y4_compliant.json")
    result = compliance.assess(data, schemes=["sbl-v3"])
    assert result.scheme("sbl-v3").status == "insufficient_evidence"
    assert result.requirement("SBLv3-E1-I1").verification == "partly_confirmed"


# ---------------------------------------------------------------- families and windows


def test_the_families_and_their_windows():
    fams = builtin_families()
    assert [s.id for s in fams["mis"]] == ["mis-y3", "mis-y4"]
    assert [s.id for s in fams["sbl"]] == ["sblcbv2", "sbl-v3"]
    y4 = fams["mis"][1]
    assert y4.versioning is not None and y4.versioning.succeeds == "mis-y3" and y4.versioning.evidence_from == "mis-y3"
    assert fams["sbl"][1].window is not None and fams["sbl"][1].window.end is None


def _evidence(start: str, end: str) -> compliance.Evidence:
    return compliance.load_evidence({
        "trust": {"name": "T", "ods_code": "R0T"},
        "period": {"start": start, "end": end},
        "submitted_by": {"name": "A", "role": "B"},
        "submitted_on": None,
    })


@pytest.mark.parametrize(("start", "end", "version"), [
    ("2020-04-01", "2021-03-31", "mis-y3"),   # a 2020/21 period
    ("2021-04-01", "2022-03-31", "mis-y4"),   # a 2021/22 period
    ("2020-10-01", "2021-07-15", "mis-y3"),   # the Year 3 window's last day
    ("2021-08-09", "2023-02-02", "mis-y4"),
])
def test_the_version_whose_window_holds_the_period_end_is_picked(start: str, end: str, version: str):
    assert pick_version("mis", _evidence(start, end)).id == version


@pytest.mark.parametrize(("example", "version"), [("mis_compliant.json", "mis-y3"), ("mis_y4_compliant.json", "mis-y4")])
def test_a_file_naming_no_scheme_is_assessed_against_the_version_of_its_period(example: str, version: str):
    data = _load(example)
    data.pop("schemes")
    result = compliance.assess(data)
    mis = [s.id for s in result.schemes if s.id.startswith("mis-")]
    assert mis == [version]
    assert "chosen by period" in (result.scheme(version).version_chosen or "")
    assert result.scheme("sblcbv2").version_chosen is not None


def test_a_named_version_is_used_as_named_and_the_report_says_so():
    result = compliance.assess(_load("mis_y4_compliant.json"), schemes=["mis-y3"])
    why = result.scheme("mis-y3").version_chosen or ""
    assert why.startswith("Version MIS Year 3 (2020/21), asked for by id") and "outside its reporting window" in why


def test_unversioned_schemes_say_nothing_about_versions():
    result = compliance.assess(str(EXAMPLES / "coc_exactly_35_percent.json"), schemes=["continuity-of-carer"])
    assert result.scheme("continuity-of-carer").version_chosen is None


def test_a_period_in_no_mis_window_is_a_usage_error_listing_the_windows():
    ev = _evidence("2019-04-01", "2020-03-31")
    for asked in (["mis"], ["mis-y3"]):
        with pytest.raises(UsageError) as info:
            choose(ev, asked)
        text = str(info.value)
        assert "U060" in text and "mis-y3 (MIS Year 3 (2020/21)): 2020-10-01 to 2021-07-15" in text
        assert "mis-y4 (MIS Year 4 (2021/22)): 2021-08-09 to 2023-02-02" in text
    # Evidence for other schemes only is unaffected.
    assert [c.scheme.id for c in choose(ev, ["continuity-of-carer"])] == ["continuity-of-carer"]


def test_the_command_line_exits_2_for_a_family_with_no_window(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    data = {"schema_version": "1", "trust": {"name": "Old", "ods_code": "R9O"}, "period": {"start": "2019-04-01", "end": "2020-03-31"},
            "submitted_by": {"name": "A", "role": "B"}, "submitted_on": "2020-04-10",
            "counts": {"msds_ethnicity_recorded": {"numerator": 5, "denominator": 6}}}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    assert main(["assess", str(path), "--scheme", "mis"]) == 2
    assert "U060" in capsys.readouterr().err
    assert main(["assess", str(path), "--scheme", "continuity-of-carer"]) in (0, 1)


def test_a_family_in_the_evidence_file_picks_by_period():
    result = compliance.assess(_load("mis_y4_compliant.json"))
    assert [s.id for s in result.schemes] == ["sblcbv2", "mis-y4"]
    assert "asked for as family 'mis'" in (result.scheme("mis-y4").version_chosen or "")


def test_a_file_naming_scheme_ids_loads_only_those_and_what_they_rest_on(monkeypatch: pytest.MonkeyPatch):
    # Reading the families means loading every bundled scheme: only a name that is no
    # scheme id (a family, or a mistake) needs them.
    from compliance.schemes import loader

    monkeypatch.setattr(loader, "_BUILTIN_CACHE", {})
    monkeypatch.setattr(loader, "_FAMILIES", {})
    evidence = compliance.load_evidence(EXAMPLES / "mis_compliant.json")
    assert evidence.schemes == ("mis-y3",)
    assert [c.scheme.id for c in choose(evidence, None)] == ["sblcbv2", "mis-y3"]
    assert sorted(loader._BUILTIN_CACHE) == ["mis-y3", "sblcbv2"]
    assert loader._FAMILIES == {}


# ---------------------------------------------------------------- the checks on versions


def _versioned(versioning: dict[str, Any], period: dict[str, Any] | None = None) -> str:
    data = scheme_data("fam-v1", {}, [requirement("Q.1", {"measure": {"kind": "figure", "figure": "figures.msds_cqims_passed"}, "compare": ">=", "threshold": 0})])
    data["versioning"] = versioning
    if period:
        data["period"] = period
    return json.dumps(data)


@pytest.mark.parametrize(("versioning", "period", "code"), [
    ({"family": "fam", "key": "v1", "label": "v1"}, None, "S290"),
    ({"family": "fam", "key": "v1", "label": "v1", "window": {"start": "2022-01-01", "end": "2021-01-01"}}, None, "S291"),
    ({"family": "fam", "key": "v1", "label": "v1", "window": {"start": "2022-01-01"}, "succeeds": "fam-v1"}, None, "S292"),
    ({"family": "fam", "key": "v1", "label": "v1", "window": {"start": "2022-01-01"}, "succeeds": "mis-y2"}, None, "S293"),
])
def test_a_bad_version_is_refused_at_load(versioning: dict[str, Any], period: dict[str, Any] | None, code: str):
    with pytest.raises(SchemeError) as info:
        scheme_from_text(_versioned(versioning, period), file="fam.yaml")
    assert code in str(info.value)


def test_a_version_with_a_period_needs_no_window_of_its_own():
    s = scheme_from_text(_versioned({"family": "fam", "key": "v1", "label": "v1"}, {"start": "2022-01-01", "end": "2022-12-31", "deadline": "2023-01-31"}))
    assert s.window is not None and str(s.window.end) == "2023-01-31"


def test_examples_readme_rows_for_year4_exist():
    rows = {(f, s) for f, s, _ in readme_rows()}
    for name in ("mis_y4_compliant.json", "mis_y4_sa6_co_alternative.json", "mis_y4_sa10_en_after_april.json"):
        assert (name, "mis-y4") in rows and (name, "mis-y3") in rows


def test_sharing_evidence_one_file_is_read_by_both_years_without_copying():
    """evidence_from: Year 4 reads Year 3's items as Year 3 does; most of what it reads, Year 3 reads too."""
    from compliance.report.scheme_diff import evidence_paths

    y3, y4, sbl = (set(evidence_paths(compliance.load_scheme(i))) for i in ("mis-y3", "mis-y4", "sblcbv2"))
    assert len(y3 & y4) > 0.8 * len(y4)
    y3 |= sbl  # Year 3's SA6 rests on sblcbv2: a Year 3 submission holds its items too
    assert y4 - y3 == {"attestations.ccf_training_plan", "figures.ccf_core_modules_in_plan", "attestations.msds_pcsp_criteria",
                       "attestations.ned_supporting_board_champion", "events.board_reports"}


# ---------------------------------------------------------------- schemes diff and --compare (snapshots)


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLES.parent)
    for var in ("NO_COLOR", "FORCE_COLOR", "COLORTERM", "COLUMNS", "LINES", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(var, raising=False)


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, _ = capsys.readouterr()
    return code, out


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "json"])
def test_schemes_diff_mis_y3_y4_snapshot(fmt: str, at_root: None, capsys: pytest.CaptureFixture[str], snapshot: Any):
    code, out = _run(capsys, "schemes", "diff", "mis-y3", "mis-y4", "--format", fmt)
    assert code == 0
    assert out == snapshot


def test_schemes_diff_names_the_sa6_sa8_and_sa10_changes(at_root: None):
    from compliance.report.scheme_diff import diff

    d = diff(compliance.load_scheme("mis-y3"), compliance.load_scheme("mis-y4"))
    actions = {a.key: a for a in d.actions}
    assert [s.id for s in actions["SA6"].added] == ["MIS-Y4-SA6.b"]
    assert {c.new_id: c.old_id for c in actions["SA6"].changed}["MIS-Y4-SA6.c"] == "MIS-Y3-SA6.b"
    assert [s.id for s in actions["SA8"].added] == ["MIS-Y4-SA8.a"]
    assert set(actions["SA8"].evidence_new) == {"attestations.ccf_training_plan", "figures.ccf_core_modules_in_plan"}
    assert [(s.id, str(s.effective_from)) for s in actions["SA10"].dates] == [("MIS-Y4-SA10.b", "2022-04-01")]
    assert [(s.id, str(s.effective_until)) for s in actions["SA2"].dates] == [("MIS-Y4-SA2.c", "2021-12-15")]
    assert actions["SA3"].old_title != actions["SA3"].new_title
    sa5 = actions["SA5"].thresholds
    assert [(t.old, t.new.param if t.new else None) for t in sa5] == [(None, "MIS.Y4.SA5.a.calculation_max_age")]
    # A version diffed against itself has nothing to say.
    assert diff(compliance.load_scheme("mis-y4"), compliance.load_scheme("mis-y4")).actions == ()


def test_schemes_diff_sbl_v2_v3_lists_the_new_element(at_root: None, capsys: pytest.CaptureFixture[str]):
    code, out = _run(capsys, "schemes", "diff", "sblcbv2", "sbl-v3", "--format", "json")
    data = json.loads(out)
    e6 = next(a for a in data["actions"] if a["key"] == "E6")
    assert code == 0 and e6["old_title"] is None and len(e6["added"]) == 5


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "json"])
def test_assess_compare_snapshot(fmt: str, at_root: None, capsys: pytest.CaptureFixture[str], snapshot: Any):
    code, out = _run(capsys, "assess", "examples/mis_y4_sa6_co_alternative.json", "--scheme", "mis-y3", "--scheme", "mis-y4", "--compare", "--format", fmt)
    assert code == 1
    assert out == snapshot


def test_compare_says_why_sa6_differs(at_root: None, capsys: pytest.CaptureFixture[str]):
    code, out = _run(capsys, "assess", "examples/mis_y4_sa6_co_alternative.json", "--scheme", "mis-y3,mis-y4", "--compare", "--format", "json")
    rows = {r["key"]: r for r in json.loads(out)["rows"]}
    assert (rows["SA6"]["old_status"], rows["SA6"]["new_status"]) == ("met", "not_met")
    assert rows["SA6"]["difference"].startswith("SA6: met under MIS Year 3 (2020/21); not met under MIS Year 4 (2021/22) because MIS-Y4-SA6.b")
    assert [k for k, r in rows.items() if r["difference"]] == ["SA6"]
    code, out = _run(capsys, "assess", "examples/mis_y4_compliant.json", "--scheme", "mis-y3", "--scheme", "mis-y4", "--compare")
    assert code == 0 and "The same verdict for every section under both versions." in out


def test_compare_needs_two_versions(at_root: None, capsys: pytest.CaptureFixture[str]):
    assert main(["assess", "examples/mis_y4_compliant.json", "--scheme", "mis-y4", "--compare"]) == 2
    assert "U062" in capsys.readouterr().err


def test_selection_line_snapshot(at_root: None, capsys: pytest.CaptureFixture[str], snapshot: Any):
    """Which version was chosen and why, in each format that reports a scheme."""
    outs = []
    for fmt in ("terminal", "markdown", "html"):
        _, out = _run(capsys, "assess", "examples/mis_y4_compliant.json", "--format", fmt)
        outs.append("\n".join(line for line in out.splitlines() if "Version " in line))
    assert "\n---\n".join(outs) == snapshot


def test_schemes_lists_both_versions_of_each_family_with_windows(at_root: None, capsys: pytest.CaptureFixture[str]):
    code, out = _run(capsys, "schemes")
    flat = " ".join(out.split())
    for text in ("MIS Year 3 (2020/21): family mis, version y3; reporting window 2020-10-01 to 2021-07-15",
                 "MIS Year 4 (2021/22): family mis, version y4; reporting window 2021-08-09 to 2023-02-02, declaration deadline 2023-02-02; succeeds mis-y3",
                 "SBLCBv2 (March 2019): family sbl, version v2; reporting window 2019-03-01 to 2023-06-30",
                 "family sbl, version v3; reporting window 2023-07-01 to now; succeeds sblcbv2. A skeleton:"):
        assert text in flat, text


def test_year4_statuses_are_the_references_tags():
    """Reference 1.3: of the 47 Year 4 standards 2 are [C], 5 are [P] and the rest [U]; each encoded one carries its tag."""
    y4 = compliance.load_scheme("mis-y4")
    tags = {r.id: r.status for _, r in y4.requirements() if re.match(r"^MIS-Y4-SA\d+\.[a-f]$", r.id)}
    assert {i for i, s in tags.items() if s == "confirmed"} == {"MIS-Y4-SA6.b", "MIS-Y4-SA8.a"}
    assert {i for i, s in tags.items() if s == "partly_confirmed"} == {"MIS-Y4-SA2.b", "MIS-Y4-SA2.c", "MIS-Y4-SA7.a", "MIS-Y4-SA10.b", "MIS-Y4-SA10.c"}
    standards = [i for i in Y4_IDS if re.match(r"^MIS-Y4-SA\d+\.[a-f]$", i)]
    assert len(standards) == 47 and set(tags) <= set(standards)
