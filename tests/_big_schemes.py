"""Generated schemes of any size, for the tests of durable-rules' limits (importable from a subprocess too)."""

from __future__ import annotations

from typing import Any

#: Measures that tests/fixtures/evidence_full.json can answer, with their comparison and threshold.
KINDS: list[tuple[dict[str, Any], str, Any]] = [
    ({"kind": "proportion", "count": "counts.sbl_e1_co_at_booking"}, ">=", "B.pct"),
    ({"kind": "group_minimum", "groups": "groups.training_fetal_monitoring"}, ">=", "B.pct"),
    ({"kind": "case_proportion", "records": "cases.perinatal_deaths", "field": "parents_informed", "equals": True}, ">=", "B.pct"),
    ({"kind": "cadence", "events": "events.board_champion_walkabouts", "every_months": 2}, "<=", 0),
    ({"kind": "attestation", "item": "attestations.tc_pathway", "require_board_approval": True}, "==", True),
    ({"kind": "figure", "figure": "figures.msds_cqims_passed"}, ">=", "B.count"),
]


def keys_ruleset(n: int) -> dict[str, Any]:
    """One ruleset holding the four rules of each of ``n`` leaf keys, as the compiler writes them."""
    from compliance.rules.compiler import leaf_rules

    definition: dict[str, Any] = {}
    for i in range(n):
        definition.update(leaf_rules(f"L{i}", ">="))
    return definition


def _leaf(n: int) -> dict[str, Any]:
    measure, op, threshold = KINDS[n % len(KINDS)]
    return {"measure": measure, "compare": op, "threshold": threshold}


def _rule(n: int) -> dict[str, Any]:
    """Mostly lone comparisons (as real schemes are), every fifth a combined rule with leaves of its own."""
    if n % 5 == 4:
        return {"all": [_leaf(n), {"any": [_leaf(n + 1), {"not": _leaf(n + 2)}]}]}
    return _leaf(n)


def big_scheme_data(requirements: int, per_section: int = 50) -> dict[str, Any]:
    """A valid scheme mapping of ``requirements`` requirements in sections of ``per_section``."""
    sections = []
    for s in range(0, requirements, per_section):
        reqs = [
            {"id": f"B{s // per_section}.{r}", "title": "generated", "text": "t", "source": "generated",
             "status": "confirmed", "remediation": "r", "rule": _rule(s + r)}
            for r in range(min(per_section, requirements - s))
        ]
        sections.append({"id": f"B{s // per_section}", "title": f"Section {s // per_section}", "requirements": reqs})
    return {
        "id": f"generated-{requirements}",
        "title": f"Generated scheme ({requirements} requirements)",
        "version": "1",
        "publisher": "tests",
        "sources": [{"key": "B", "title": "B"}],
        "parameters": {
            "B.pct": {"value": 90, "unit": "%", "description": "p", "status": "confirmed", "source": "b"},
            "B.count": {"value": 7, "range": {"min": 0, "max": 20, "whole": True}, "description": "c", "status": "confirmed", "source": "b"},
        },
        "outcome": {"met": "Met.", "not_met": "Not met."},
        "sections": sections,
    }
