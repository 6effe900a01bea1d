"""The renderers on hand-built assessments: wording, symbols, layout, determinism, and the derived views."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from _report_samples import met_assessment, mixed_assessment, sample_scheme
from rich.cells import cell_len

from compliance.evidence.model import Evidence
from compliance.evidence.types import type_at
from compliance.report import (
    challenge,
    diff,
    html,
    markdown,
    schemes,
    template,
    terminal,
)
from compliance.report import json as json_report
from compliance.report.style import ASCII, UNICODE, glyphs_for, label, leaf_line
from compliance.results import Assessment, LeafResult, Reason, RecordRef

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def draw(fn, *args, width: int = 80, color: bool = False, encoding: str = "utf-8", **kw) -> str:
    console = terminal.make_console(width=width, color=color, encoding=encoding)
    fn(*args, console, **kw)
    return terminal.strip_trailing(console.file.getvalue())


# ------------------------------------------------------------------ terminal


def test_terminal_plain_snapshot(snapshot):
    assert terminal.render_text(mixed_assessment()) == snapshot


def test_terminal_colour_snapshot(snapshot):
    text = terminal.render_text(mixed_assessment(), color=True)
    assert ANSI.search(text), "colour output should carry escape codes"
    assert text == snapshot


def test_terminal_met_snapshot(snapshot):
    assert terminal.render_text(met_assessment()) == snapshot


def test_terminal_plain_has_no_escape_codes_and_fits_80_columns():
    text = terminal.render_text(mixed_assessment())
    assert "\x1b" not in text
    assert max(cell_len(line) for line in text.splitlines()) <= 80


def test_terminal_colour_strips_to_the_plain_words():
    plain = terminal.render_text(mixed_assessment())
    coloured = terminal.strip_trailing(ANSI.sub("", terminal.render_text(mixed_assessment(), color=True)))
    assert coloured == plain


def test_every_status_has_a_symbol_and_words():
    text = terminal.render_text(mixed_assessment())
    for status in ("met", "not_met", "insufficient_evidence", "not_applicable"):
        assert label(status, UNICODE) in text


def test_unverified_marker_on_every_unverified_requirement_and_legend():
    a = mixed_assessment()
    text = terminal.render_text(a)
    assert "† rests on a requirement or parameter not yet confirmed" in text
    for _, _, req in ((s, sec, r) for s in a.schemes for sec in s.sections for r in sec.requirements):
        if req.rests_on_unverified and req.status in ("not_met", "insufficient_evidence"):
            assert re.search(rf"{re.escape(req.id)} .*†", text), req.id
    assert "†" not in terminal.render_text(met_assessment())


def test_only_gaps_hides_met_and_not_applicable_rows():
    full = terminal.render_text(mixed_assessment())
    gaps = terminal.render_text(mixed_assessment(), only_gaps=True)
    assert "MIS-Y3-SA5 " in full and "Midwifery workforce" in full
    assert "Midwifery workforce" not in gaps
    assert "Reducing smoking" not in gaps
    assert "MIS-Y3-SA1.b" in gaps


def test_gap_tree_says_each_gap_once_with_its_records_and_remediation():
    text = terminal.render_text(mixed_assessment())
    # Reason, figure, threshold and shortfall on one line, said once.
    assert text.count("75% (3 of 4)") == 1
    assert "Late: 75% (3 of 4); needs at least 95%; 1 more needed" in text
    assert "D-004: review_started_on 2021-02-20, 12 days late (due 2021-02-08)" in text
    assert "Remediation: Fix pmrt reviews" in text
    assert "Not submitted (events.atain_reviews)" in text


def test_ascii_fallback_when_the_output_cannot_carry_symbols():
    text = draw(terminal.render, mixed_assessment(), encoding="ascii")
    text.encode("ascii")  # nothing outside ASCII
    assert "x not met" in text and "? insufficient evidence" in text and "(u)" in text
    assert glyphs_for("ANSI_X3.4-1968") is ASCII and glyphs_for("UTF-8") is UNICODE


def test_output_is_deterministic():
    a, b = mixed_assessment(), mixed_assessment()
    assert terminal.render_text(a) == terminal.render_text(b)
    assert html.render(a, challenge=True) == html.render(b, challenge=True)
    assert markdown.render(a, challenge=True) == markdown.render(b, challenge=True)
    assert json_report.render(a) == json_report.render(b)


def test_leaf_line_words_thresholds():
    leaf = LeafResult(measure="proportion", describe="x", outcome="false", reason=Reason(code="below_threshold"), value=80.0,
                      display="80% (8 of 10)", unit="%", comparison=">=", threshold=95.0, threshold_unit="%")
    assert leaf_line(leaf) == "x: 80% (8 of 10); needs at least 95%"
    worded = leaf.model_copy(update={"threshold_words": "a figure for every group"})
    assert leaf_line(worded) == "x: 80% (8 of 10); needs a figure for every group"
    unknown = leaf.model_copy(update={"threshold": None})
    assert leaf_line(unknown) == "x: 80% (8 of 10)"


# ------------------------------------------------------------------ JSON


def test_json_is_the_versioned_assessment_model():
    a = mixed_assessment()
    text = json_report.render(a)
    data = json.loads(text)
    assert data["schema_version"] == "2"
    assert Assessment.model_validate(data) == a
    assert text == a.model_dump_json(indent=2) + "\n"


def test_json_many_is_an_array_of_the_single_documents():
    a, b = mixed_assessment(), met_assessment()
    data = json.loads(json_report.render_many([a, b]))
    assert [d["trust"]["ods_code"] for d in data] == ["RXX", "RYY"]
    assert data[1] == json.loads(json_report.render(b))
    assert json_report.render_many([]) == "[]\n"


def test_json_many_keeps_strings_with_unicode_line_separators_intact():
    # U+2028 and U+0085 are line breaks to str.splitlines but plain characters to JSON:
    # indenting the array's items must not push spaces into the middle of a string.
    odd = mixed_assessment().model_copy(update={"submitted_by": "A\u2028B\x85C, Director"})
    data = json.loads(json_report.render_many([odd, met_assessment()]))
    assert data[0]["submitted_by"] == "A\u2028B\x85C, Director"
    assert data[0] == json.loads(json_report.render(odd))


def test_indent_leaves_blank_lines_blank():
    assert json_report.indent("a\n\nb") == "  a\n\n  b"
    assert json_report.indent("a\nb") == "  a\n  b"
    assert json_report.indent("") == ""


# ------------------------------------------------------------------ Markdown and HTML


def test_markdown_snapshot(snapshot):
    assert markdown.render(mixed_assessment(), challenge=True) == snapshot


def test_markdown_escapes_table_breaking_text():
    assert markdown.escape("a | b <script> *c*") == "a \\| b &lt;script> \\*c\\*"


def test_html_snapshot(snapshot):
    assert html.render(mixed_assessment(), challenge=True) == snapshot


def test_html_parameter_override_keeps_the_space_before_its_unit():
    # It read "3.5per 1,000": the unit's leading space went through esc(), which trims.
    assert "= 3.5 per 1,000 (default 3.6)" in html.render(mixed_assessment())


def test_html_is_self_contained_and_printable():
    page = html.render(mixed_assessment())
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "<link" not in page and "<img" not in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@media print" in page and "size: A4" in page
    assert "<svg" in page and "SBLv2-AMB-1" in page  # the trajectory chart


def test_html_chart_only_for_trajectory_measures():
    page = html.render(met_assessment())
    assert "<svg" not in page
    chart = html.trajectory_chart(
        [(r, leaf) for s in mixed_assessment().schemes for sec in s.sections for r in sec.requirements for leaf in r.measurements if leaf.measure == "trajectory"]
    )
    assert chart.count('class="row"') == 2
    assert "trust 4.1 per 1,000" in chart and "2021 trajectory 3.4 per 1,000" in chart
    assert "✘ not met" in chart and "✔ met" in chart


def test_html_many_is_an_overview(snapshot):
    page = html.render_many([mixed_assessment(), met_assessment()])
    assert "Overview of 2 trusts" in page and "Southdale NHS Trust" in page
    assert page == snapshot


# ------------------------------------------------------------------ challenge


def test_challenge_derives_weaknesses_from_records():
    items = {i.section.id: i for i in challenge.build(mixed_assessment())}
    kinds = {sid: {w.kind for w in item.weaknesses} for sid, item in items.items()}
    assert {"self_attested", "unsigned", "missing", "gap"} <= kinds["MIS-Y3-SA3"]
    # An inconsistency is shown under every section that uses either figure, not only the cross-check.
    assert "inconsistent" in kinds["MIS-Y3-SA9"] and "inconsistent" in kinds["MIS-Y3-CONS"]
    assert "unverified" in kinds["MIS-Y3-SA1"]
    assert kinds["MIS-Y3-SA5"] == set()
    assert items["MIS-Y3-SA1"].questions == [
        "Are PMRT reviews resourced with enough clinician time?",
        "Which deaths were not reviewed within two months, and why?",
    ]


def test_challenge_stale_documents():
    a = mixed_assessment()
    stale = a.model_copy(deep=True)
    req = stale.schemes[0].sections[2].requirements[0]
    reason = Reason(code="stale_document", params={"measured": 4.2, "threshold": 3.0, "unit": "years", "dated": "2016-12-31", "shortfall": 1.2})
    leaf = req.measurements[0].model_copy(update={"outcome": "false", "value": 4.2, "display": "4.2 years old (dated 2016-12-31)", "reason": reason})
    object.__setattr__(req, "measurements", [leaf])
    items = {i.section.id: i for i in challenge.build(stale)}
    assert any(w.kind == "stale" and "2016-12-31" in w.text for w in items["MIS-Y3-SA5"].weaknesses)
    # Records are classified by their code, never by their words.
    assert challenge.classify(RecordRef(id="x", code="dated_outside_period")) == "stale"
    assert challenge.classify(RecordRef(id="x", code="no_board_approval_date")) == "unsigned"
    assert challenge.classify(RecordRef(id="x", code="self_attested")) == "self_attested"
    assert challenge.classify(RecordRef(id="x", code="late")) is None


def test_challenge_terminal_snapshot(snapshot):
    assert draw(terminal.render_challenge, mixed_assessment()) == snapshot


def test_challenge_only_gaps_drops_quiet_sections():
    ids = [i.section.id for i in challenge.build(mixed_assessment(), only_gaps=True)]
    assert "MIS-Y3-SA5" not in ids and "SBLv2-E1" not in ids
    assert "MIS-Y3-SA9" in ids  # met, but its figures disagree with another action's


# ------------------------------------------------------------------ overview and diff


def test_overview_snapshot(snapshot):
    many = [mixed_assessment(), met_assessment(), mixed_assessment("Eastbridge University Hospitals NHS Foundation Trust", "R1E")]
    text = draw(terminal.render_overview, many)
    assert max(cell_len(line) for line in text.splitlines()) <= 80
    assert text == snapshot
    assert "Southdale" not in draw(terminal.render_overview, many, only_gaps=True)


def test_diff_newly_met_unmet_and_moved_figures(snapshot):
    old, new = met_assessment(), mixed_assessment()
    # Same trust on both sides, so only the findings differ.
    old = old.model_copy(update={"trust": new.trust})
    ch = diff.compare(old, new)
    assert [c.id for c in ch.newly_unmet] == ["MIS-Y3-SA1.b", "MIS-Y3-SA3.a", "MIS-Y3-SA3.c", "MIS-Y3-CONS.1", "SBLv2-AMB-1"]
    assert ch.notes == []
    back = diff.compare(new, old)
    assert [c.id for c in back.newly_met] == []  # SA5.a was met on both sides
    assert [f.requirement for f in diff.compare(new, new).figures] == []
    moved = diff.compare(old, new).figures
    assert [(f.requirement, f.delta) for f in moved] == [("MIS-Y3-SA5.a", 0.5)]
    assert draw(diff.render, ch) == snapshot
    assert json.loads(diff.render_json(ch))["newly_unmet"][0]["id"] == "MIS-Y3-SA1.b"
    assert "## Newly unmet (5)" in diff.render_markdown(ch)


# ------------------------------------------------------------------ schemes, explain, template


def test_scheme_views_snapshot(snapshot):
    s = sample_scheme()
    assert draw(schemes.render_list, [s]) == snapshot(name="list")
    assert draw(schemes.render_scheme, s) == snapshot(name="show")
    section, req = s.find("T-1.a")
    assert draw(schemes.render_explain, s, section, req) == snapshot(name="explain")


def test_explain_names_parameters_with_status_and_rule():
    s = sample_scheme()
    section, req = s.find("T-1.a")
    text = draw(schemes.render_explain, s, section, req)
    assert "T.coverage = 95 % (unconfirmed †" in text
    assert "T.within = 2 months (confirmed" in text
    assert "reviews started within two months >= 95 % (T.coverage)" in text
    assert "cases.perinatal_deaths" in text and "Every perinatal death" in text
    assert "Which reviews were late?" in text and "Are reviews resourced?" in text
    assert schemes.param_ids(s, req) == ["T.within", "T.coverage"]


def _nested(text: str) -> dict:
    from compliance.evidence.layout import nest
    from compliance.source import Document

    doc = Document(yaml.safe_load(text), None, None)
    assert not nest(doc)
    return doc.data


def test_template_comments_every_field_and_uses_only_known_keys():
    text = template.render([sample_scheme()])
    data = _nested(text)
    assert set(data) >= {"trust", "period", "submitted_by", "submitted_on", "cases", "events", "attestations", "groups", "rates"}

    def walk(value, path):
        if isinstance(value, dict):
            for k, v in value.items():
                assert type_at(Evidence, (*path, k)) is not None, (*path, k)
                walk(v, (*path, k))

    walk(data, ())
    # Every key line has a comment line above it (or is inside a commented example).
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^\s*[a-z_.]+:", line) and not line.startswith(("schema_version", "schemes", "  start", "  end")):
            assert lines[i - 1].lstrip().startswith("#"), line
    assert "Needed for T-1.a to be met (without it: insufficient evidence)." in text
    assert "# T-1: " in text and "# T-2: " in text  # laid out section by section


def test_template_examples_uncomment_into_valid_records():
    text = template.render([sample_scheme()])
    lines = text.splitlines()
    start = lines.index("cases.perinatal_deaths:")
    block = []
    for line in lines[start + 2 :]:
        if not line.startswith("  # "):
            break
        block.append("  " + line[len("  # ") :])
    item = yaml.safe_load("\n".join(["x:"] + block))["x"][0]
    from compliance.evidence.records import PerinatalDeath

    assert set(item) == set(PerinatalDeath.model_fields)


@pytest.mark.parametrize("status", ["met", "not_met", "insufficient_evidence", "not_applicable"])
def test_label_is_symbol_and_words(status):
    symbol, _, words = label(status).partition(" ")
    assert symbol and words and words == status.replace("_", " ")
