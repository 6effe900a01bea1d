"""The evidence template tells the truth: what it says leaving a field out does is what the engine does.

For every field the template labels, the field is removed from a complete, compliant
submission and the submission is assessed again: each requirement the label names
takes the status the label says ("needed for X to be met (without it: insufficient
evidence)"), an alternative route changes nothing, and no other requirement moves
(except those resting on another scheme's outcome).  Fields labelled "changes no
verdict" are removed too, and must change none.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import compliance
from compliance.evidence.layout import nest
from compliance.evidence.model import Evidence
from compliance.evidence.types import type_at
from compliance.report import template
from compliance.schemes.needs import needs
from compliance.schemes.selection import dependencies_first
from compliance.source import Document

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

#: (schemes the template is for, a complete submission that meets them)
BASELINES = [
    (["mis-y3"], "mis_compliant.json"),
    (["continuity-of-carer", "board-dashboard"], "dashboard_stillbirth_above_preterm_below.json"),
]


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return data


def _remove(data: Any, parts: list[str]) -> bool:
    """Remove the field at a read path (``[]`` = every record of a list); True if anything was there."""
    if not parts:
        return False
    head, rest = parts[0], parts[1:]
    if head.endswith("[]"):
        key = head[:-2]
        records = data.get(key) if isinstance(data, dict) else None
        if not isinstance(records, list):
            return False
        return any([_remove(r, rest) for r in records]) if rest else False
    if not isinstance(data, dict) or head not in data:
        return False
    if not rest:
        del data[head]
        return True
    return _remove(data[head], rest)


def _split(path: str) -> list[str]:
    return path.replace("[].", "[]\0").replace(".", "\0").split("\0")


def _required_fields() -> set[str]:
    """Names of fields some evidence record requires (they cannot be left out, only left blank)."""
    from pydantic import BaseModel

    from compliance.evidence import records

    out = set()
    for obj in vars(records).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            out |= {name for name, f in obj.model_fields.items() if f.is_required()}
    return out


def _statuses(data: dict[str, Any], scheme_ids: list[str]) -> dict[str, str]:
    a = compliance.assess(data, schemes=scheme_ids)
    return {r.id: r.status for s in a.schemes for sec in s.sections for r in sec.requirements}


def _resting(scheme_ids: list[str]) -> set[str]:
    """Requirements that rest on another scheme's outcome: they move with it."""
    out = set()
    for s in dependencies_first([compliance.load_scheme(i) for i in scheme_ids]):
        for _, req in s.requirements():
            if "scheme_outcome" in json.dumps(req.rule.model_dump(by_alias=True)):
                out.add(req.id)
    return out


@pytest.mark.parametrize(("scheme_ids", "example"), BASELINES, ids=lambda v: "+".join(v) if isinstance(v, list) else v)
def test_every_label_agrees_with_the_engine(scheme_ids: list[str], example: str) -> None:
    schemes = [compliance.load_scheme(i) for i in scheme_ids]
    baseline_data = _load(example)
    baseline = _statuses(baseline_data, scheme_ids)
    resting = _resting(scheme_ids)
    checked = 0
    for path, uses in needs(dependencies_first(schemes)).items():
        data = copy.deepcopy(baseline_data)
        if not _remove(data, _split(path)):
            continue  # not in this submission: nothing to take away
        try:
            after = _statuses(data, scheme_ids)
        except compliance.EvidenceError:
            # A field every record must have: the template says so rather than what its absence does.
            assert path.rsplit(".", 1)[-1] in _required_fields(), path
            continue
        named = {n.requirement for n in uses}
        for n in uses:
            if baseline[n.requirement] != "met":
                continue  # the label speaks of a submission that meets the requirement
            want = n.effect or "met"
            assert after[n.requirement] == want, f"without {path}, {n.requirement} is {after[n.requirement]}; the template says {want}"
            checked += 1
        moved = {rid for rid in after if after[rid] != baseline[rid]}
        assert moved <= named | resting, f"without {path}, {sorted(moved - named - resting)} moved too, but the template names only {sorted(named)}"
    assert checked >= 20


def _flatten_template_paths(text: str) -> list[tuple[str, ...]]:
    """Every key path in the (uncommented) template, after dotted keys are nested."""
    doc = Document(yaml.safe_load(text), None, None)
    assert not nest(doc)
    out: list[tuple[str, ...]] = []

    def walk(value: Any, path: tuple[str, ...]) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                out.append((*path, k))
                walk(v, (*path, k))

    walk(doc.data, ())
    return out


@pytest.mark.parametrize("scheme_id", compliance.builtin_schemes())
def test_template_keys_are_evidence_keys(scheme_id: str) -> None:
    text = template.render([compliance.load_scheme(scheme_id)])
    for path in _flatten_template_paths(text):
        assert type_at(Evidence, path) is not None, path


def test_unread_optional_fields_change_no_verdict() -> None:
    """A field no rule reads is labelled optional, and removing it from a compliant file changes nothing."""
    data = _load("mis_compliant.json")
    baseline = _statuses(data, ["mis-y3"])
    text = template.render([compliance.load_scheme("mis-y3")])
    assert "Its reference or file name in the trust's records. Optional: changes no verdict." in text
    for path in ("board_sign_off.document.reference", "cases.perinatal_deaths[].final_report_on", "attestations.training_plan.note"):
        changed = copy.deepcopy(data)
        _remove(changed, _split(path))
        assert _statuses(changed, ["mis-y3"]) == baseline, path


def test_the_template_is_ordered_by_safety_action_and_includes_what_sa6_rests_on() -> None:
    text = template.render([compliance.load_scheme("mis-y3")])
    heads = [line[2:].split(":")[0] for line in text.splitlines() if line.startswith("# MIS-Y3-") or line.startswith("# SBLv2-")]
    order = [h for h in heads if h in {"MIS-Y3-COND-2", "MIS-Y3-SA1", "MIS-Y3-SA6", "SBLv2-E1", "SBLv2-E5", "MIS-Y3-SA7", "MIS-Y3-SA10"}]
    assert order == ["MIS-Y3-COND-2", "MIS-Y3-SA1", "MIS-Y3-SA6", "SBLv2-E1", "SBLv2-E5", "MIS-Y3-SA7", "MIS-Y3-SA10"]
    assert "MIS-Y3-SA6.b rests on the sblcbv2 assessment: its evidence follows." in text
    assert "counts.sbl_e1_co_at_booking:" in text  # SBLCBv2's own evidence is in the MIS template


def test_a_backing_document_is_never_called_optional_where_the_rule_needs_it() -> None:
    """The false gaps of the old template: 'document (optional)' where leaving it out was a gap."""
    labels = template.field_labels([compliance.load_scheme("mis-y3")])
    assert labels["attestations.atain_action_plan.document"] == "Needed for MIS-Y3-SA3.d to be met (without it: insufficient evidence)."
    assert labels["attestations.neonatal_nursing_workforce.board_approved_on"].startswith("Needed for MIS-Y3-SA4.d to be met")
    assert labels["cases.perinatal_deaths[].notified_on"] == "Needed for MIS-Y3-SA1.a to be met (without it: not met)."
    assert labels["attestations.msds_near_miss_regime"] == "Optional: an alternative route to MIS-Y3-SA2.b; leave it out unless it applies."
