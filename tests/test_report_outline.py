"""The report outline: what every report shows, decided once; terminal, Markdown and HTML show just that."""

from __future__ import annotations

import html as html_lib
import random
import re
from collections.abc import Callable

import pytest
from _report_samples import met_assessment, mixed_assessment

from compliance.report import html, markdown, outline, terminal
from compliance.report.outline import Outline, Unverified
from compliance.results import Assessment

# ------------------------------------------------------------------ variants of the samples


def _replace(a: Assessment, section_id: str, **changes: object) -> Assessment:
    """A copy of ``a`` with one section's fields (or, via ``requirement=(id, {...})``, one requirement's) changed."""
    data = a.model_dump()
    for s in data["schemes"]:
        for sec in s["sections"]:
            if sec["id"] != section_id:
                continue
            req_change = changes.pop("requirement", None)
            sec.update(changes)
            if req_change is not None:
                rid, fields = req_change
                for r in sec["requirements"]:
                    if r["id"] == rid:
                        r.update(fields)
    return Assessment.model_validate(data)


def met_section_with_a_failing_requirement() -> Assessment:
    # A section met by an "any" roll-up while one requirement is not: that requirement is still a gap.
    return _replace(mixed_assessment(), "MIS-Y3-SA9", requirement=("MIS-Y3-SA9.c", {"status": "not_met"}))


def unverified_by_its_own_status() -> Assessment:
    # Every parameter confirmed, but the requirement itself only partly: the reason is its own status.
    return _replace(
        mixed_assessment(),
        "MIS-Y3-SA3",
        requirement=("MIS-Y3-SA3.a", {"rests_on_unverified": True, "verification": "partly_confirmed"}),
    )


def unknown_with_a_figure() -> Assessment:
    # An unknown comparison is shown when it has a figure to show, and only then.
    a = mixed_assessment().model_dump()
    leaf = a["schemes"][0]["sections"][1]["requirements"][1]["measurements"][0]
    leaf["display"] = "2 of 4 windows"
    return Assessment.model_validate(a)


def no_action_plan_route() -> Assessment:
    a = mixed_assessment().model_dump()
    a["schemes"][0]["unmet_sections"] = []
    return Assessment.model_validate(a)


# ------------------------------------------------------------------ the outline itself


def gap_ids(o: Outline) -> dict[str, list[str]]:
    return {s.id: [g.id for g in s.gaps] for s in o.schemes}


CASES: list[tuple[str, Callable[[], Assessment], dict[str, list[str]]]] = [
    ("mixed", mixed_assessment, {"mis-y3": ["MIS-Y3-SA1", "MIS-Y3-SA3", "MIS-Y3-CONS"], "sblcbv2": ["SBLv2-AMB"]}),
    ("met", met_assessment, {"mis-y3": []}),
    (
        "met section, failing requirement",
        met_section_with_a_failing_requirement,
        {"mis-y3": ["MIS-Y3-SA1", "MIS-Y3-SA3", "MIS-Y3-SA9", "MIS-Y3-CONS"], "sblcbv2": ["SBLv2-AMB"]},
    ),
]


@pytest.mark.parametrize("name, make, expected", CASES, ids=[c[0] for c in CASES])
def test_gap_sections(name, make, expected):
    o = outline.build(make())
    assert gap_ids(o) == expected
    # Only the gaps' requirements are listed under a gap section, in scheme order.
    a = make()
    for s in o.schemes:
        for g in s.gaps:
            section = a.section(g.id)
            assert [r.id for r in g.requirements] == [r.id for r in section.requirements if r.status in ("not_met", "insufficient_evidence")]


def test_no_gaps_is_an_empty_gap_list_and_the_legend_follows_the_markers():
    met, mixed = outline.build(met_assessment()), outline.build(mixed_assessment())
    assert [s.gaps for s in met.schemes] == [()]
    assert not met.unverified and mixed.unverified
    assert [s.unverified for s in mixed.schemes] == [True, True]


# Each gap's finding, said once: reason, figure, threshold, shortfall (English pinned here, with tests/test_wording.py).
MEASURED = [
    ("mixed", mixed_assessment, "MIS-Y3-SA1.b", ("Late: 75% (3 of 4); needs at least 95%; 1 more needed",)),
    ("mixed", mixed_assessment, "MIS-Y3-SA3.c", ("Not submitted (events.atain_reviews)",)),
    ("unknown with a figure", unknown_with_a_figure, "MIS-Y3-SA3.c", ("Not submitted: 2 of 4 windows (events.atain_reviews)",)),
    (
        "mixed",
        mixed_assessment,
        "SBLv2-AMB-1",
        ("Above the trajectory: 4.1 per 1,000 (16 of 3,900); needs at most 3.4 per 1,000 (2021 trajectory); 0.7 per 1,000 above it",),
    ),
]


def _gap_requirement(o: Outline, rid: str) -> outline.GapRequirement:
    return next(r for s in o.schemes for g in s.gaps for r in g.requirements if r.id == rid)


@pytest.mark.parametrize("name, make, rid, expected", MEASURED, ids=[f"{c[0]}-{c[2]}" for c in MEASURED])
def test_measurements_shown(name, make, rid, expected):
    assert _gap_requirement(outline.build(make()), rid).findings == expected


UNVERIFIED = [
    ("mixed", mixed_assessment, "MIS-Y3-SA1.b", Unverified(("MIS.Y3.SA1.b.coverage", "MIS.Y3.SA1.b.review_started_within"), "unconfirmed")),
    ("mixed", mixed_assessment, "SBLv2-AMB-1", Unverified(("TPS.AMB.stillbirth.2020",), "unconfirmed")),
    ("mixed", mixed_assessment, "MIS-Y3-SA3.a", None),
    ("own status", unverified_by_its_own_status, "MIS-Y3-SA3.a", Unverified((), "partly_confirmed")),
]


@pytest.mark.parametrize("name, make, rid, expected", UNVERIFIED, ids=[f"{c[0]}-{c[2]}" for c in UNVERIFIED])
def test_unverified_markers(name, make, rid, expected):
    assert _gap_requirement(outline.build(make()), rid).unverified == expected


def test_rows_judged_counts_and_only_gaps():
    full = outline.build(mixed_assessment())
    rows = {r.id: r for s in full.schemes for r in s.rows}
    assert (rows["MIS-Y3-SA3"].met, rows["MIS-Y3-SA3"].judged) == (0, 2)
    assert rows["SBLv2-E1"].judged == 0  # nothing judged: the table shows the not-applicable mark
    assert rows["MIS-Y3-SA1"].unverified and not rows["MIS-Y3-SA3"].unverified
    assert rows["MIS-Y3-CONS"].title == "Consistency between actions (informative)"
    gaps_only = outline.build(mixed_assessment(), only_gaps=True)
    assert [[r.id for r in s.rows] for s in gaps_only.schemes] == [["MIS-Y3-SA1", "MIS-Y3-SA3", "MIS-Y3-CONS"], ["SBLv2-AMB"]]
    # Only the summary table is filtered: the gaps, and the legend, are the same either way.
    assert gap_ids(gaps_only) == gap_ids(full) and gaps_only.unverified == full.unverified


def test_headline_action_plans_and_charts():
    o = outline.build(mixed_assessment())
    mis, sbl = o.schemes
    assert (mis.met, mis.judged) == (2, 4)  # the informative consistency section is not counted
    assert mis.action_plan_route == "Submit an action plan for each unmet action." and sbl.action_plan_route is None
    plans = {g.id: g.action_plan for g in mis.gaps}
    assert plans["MIS-Y3-SA1"] == "Name the deaths not reviewed in time and the date each will be."
    assert plans["MIS-Y3-SA3"] is None  # insufficient evidence: no action plan asked for
    assert outline.build(no_action_plan_route()).schemes[0].action_plan_route is None
    assert [req.id for req, _ in sbl.trajectories] == ["SBLv2-AMB-1", "SBLv2-AMB-2"] and mis.trajectories == ()
    assert (o.trust, o.ods_code, o.status) == ("Northfield Hospitals NHS Foundation Trust", "RXX", "not_met")


def test_blank_header_fields_are_marked_not_yet_filled():
    a = mixed_assessment().model_copy(update={"submitted_by": None, "submitted_on": None})
    o = outline.build(a)
    assert (o.submitted_on, o.submitted_by) == ("(not yet filled)", "(not yet filled)")


def test_the_outline_is_frozen():
    o = outline.build(mixed_assessment())
    with pytest.raises(AttributeError):
        o.schemes[0].gaps = ()


# ------------------------------------------------------------------ the renderers show what it says


def _shown(o: Outline) -> dict[str, list[tuple[str, list[tuple[str, int, bool]]]]]:
    """Per scheme: each gap section and, under it, each requirement with its count of findings and its marker."""
    return {
        s.id: [(g.id, [(r.id, len(r.findings), r.unverified is not None) for r in g.requirements]) for g in s.gaps]
        for s in o.schemes
    }


def _from_terminal(text: str, scheme_ids: list[str]) -> dict[str, list[tuple[str, list[tuple[str, int, bool]]]]]:
    shown: dict[str, list[tuple[str, list[tuple[str, int, bool]]]]] = {sid: [] for sid in scheme_ids}
    scheme = None
    in_gaps = False
    for line in text.split("\n"):
        head = re.match(r"^(\S+) \u2014 ", line)  # "mis-y3 — version — publisher"
        if head and head.group(1) in shown:
            scheme = head.group(1)
        if line == "Gaps":
            in_gaps = True
            continue
        if not line.strip():
            in_gaps = False
        if not in_gaps or scheme is None:
            continue
        if sec := re.match(r"^[✘?✔–] (\S+) ", line):
            shown[scheme].append((sec.group(1), []))
        elif req := re.match(r"^  [✘?✔–] (\S+) (.*)", line):
            shown[scheme][-1][1].append((req.group(1), 0, req.group(2).endswith(" †") or " † \u2014 " in req.group(2)))
        elif re.match(r"^    (?!•|Remediation:|Missing:)\S", line):  # a finding line
            rid, n, mark = shown[scheme][-1][1][-1]
            shown[scheme][-1][1][-1] = (rid, n + 1, mark)
    return shown


def _from_markdown(text: str, scheme_ids: list[str]) -> dict[str, list[tuple[str, list[tuple[str, int, bool]]]]]:
    shown: dict[str, list[tuple[str, list[tuple[str, int, bool]]]]] = {sid: [] for sid in scheme_ids}
    scheme = None
    for line in text.split("\n"):
        if line == "## Board champion challenge":
            break
        if head := re.match(r"^`(\S+)` \u2014 ", line):
            scheme = head.group(1)
        elif scheme and (sec := re.match(r"^#### \S+ (\S+) ", line)):
            shown[scheme].append((sec.group(1).replace("\\", ""), []))
        elif scheme and (req := re.match(r"^- \*\*\S+ (\S+) (.*)\*\*", line)):
            shown[scheme][-1][1].append((req.group(1).replace("\\", ""), 0, req.group(2).endswith(" †")))
        elif scheme and line.startswith("  - ") and not line.startswith(("  - Missing:", "  - Remediation:")):  # a finding
            rid, n, mark = shown[scheme][-1][1][-1]
            shown[scheme][-1][1][-1] = (rid, n + 1, mark)
    return shown


def _from_html(page: str, scheme_ids: list[str]) -> dict[str, list[tuple[str, list[tuple[str, int, bool]]]]]:
    shown: dict[str, list[tuple[str, list[tuple[str, int, bool]]]]] = {sid: [] for sid in scheme_ids}
    scheme = None
    in_gap_req = False
    for line in page.split("\n"):
        if head := re.match(r'^<section class="scheme" id="scheme-([^"]+)">', line):
            scheme = html_lib.unescape(head.group(1))
        elif line.startswith('<section class="challenge">'):
            break
        elif scheme and (req := re.match(r'^<div class="gap [^"]+" id="req-([^"]+)"', line)):
            in_gap_req = True
            shown[scheme][-1][1].append((html_lib.unescape(req.group(1)), 0, False))
        elif scheme and line.startswith("<h4>") and in_gap_req:
            rid, n, _ = shown[scheme][-1][1][-1]
            shown[scheme][-1][1][-1] = (rid, n, " †" in line)
            in_gap_req = False
        elif scheme and (sec := re.match(r'^<h\d[^>]* id="gaps-([^"]+)">', line)):
            shown[scheme].append((html_lib.unescape(sec.group(1)), []))
        elif scheme and shown[scheme] and shown[scheme][-1][1] and line.startswith("<p>") and not line.startswith(("<p>Missing:", "<p><strong>")):
            rid, n, mark = shown[scheme][-1][1][-1]  # a finding
            shown[scheme][-1][1][-1] = (rid, n + 1, mark)
    return shown


STATUSES = ["met", "not_met", "insufficient_evidence", "not_applicable"]


def _variant(seed: int) -> Assessment:
    """The mixed sample with statuses, markers and measurements shuffled (seeded, so the same every run)."""
    rng = random.Random(seed)
    data = mixed_assessment().model_dump()
    for s in data["schemes"]:
        for sec in s["sections"]:
            if rng.random() < 0.5:
                sec["status"] = rng.choice(STATUSES)
            for r in sec["requirements"]:
                if rng.random() < 0.5:
                    r["status"] = rng.choice(STATUSES)
                if rng.random() < 0.3:
                    r["rests_on_unverified"] = not r["rests_on_unverified"]
                for leaf in r["measurements"]:
                    if rng.random() < 0.4:
                        leaf["outcome"] = rng.choice(["true", "false", "unknown", "not_applicable"])
                    if rng.random() < 0.3:
                        leaf["display"] = rng.choice(["", "3 of 4"])
    return Assessment.model_validate(data)


SAMPLES = [("mixed", mixed_assessment), ("met", met_assessment), ("met section, failing requirement", met_section_with_a_failing_requirement)]
SAMPLES += [(f"variant {seed}", lambda seed=seed: _variant(seed)) for seed in range(12)]


@pytest.mark.parametrize("only_gaps", [False, True])
@pytest.mark.parametrize("name, make", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_terminal_markdown_and_html_show_the_outlines_gaps(name, make, only_gaps):
    a = make()
    expected = _shown(outline.build(a, only_gaps=only_gaps))
    ids = [s.id for s in a.schemes]
    # Wide enough that no heading wraps: the parse reads one heading per line.
    assert _from_terminal(terminal.render_text(a, width=240, only_gaps=only_gaps), ids) == expected
    assert _from_markdown(markdown.render(a, only_gaps=only_gaps, challenge=True), ids) == expected
    assert _from_html(html.render(a, only_gaps=only_gaps, challenge=True), ids) == expected
    no_gaps = "No gaps: every section is met or not applicable."
    said = sum(1 for s in expected.values() if not s)
    assert terminal.render_text(a, width=240).count(no_gaps) == said
    assert markdown.render(a).count(no_gaps) == said
    assert html.render(a).count(no_gaps) == said


def test_the_renderers_walk_an_outline_given_to_them():
    a = mixed_assessment()
    o = outline.build(a, only_gaps=True)
    assert markdown.render_outline(o) == markdown.render(a, only_gaps=True)
    assert html.render_outline(o) == html.render(a, only_gaps=True)
    console = terminal.make_console()
    terminal.render_outline(o, console)
    assert terminal.strip_trailing(console.file.getvalue()) == terminal.render_text(a, only_gaps=True)
