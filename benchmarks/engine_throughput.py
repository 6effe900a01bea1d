"""Engine benchmark: assessments per second on a 50-requirement scheme, compile time, and the engine floor.

    python benchmarks/engine_throughput.py [--seconds 5]

Prints:
* compile time of the 50-requirement scheme (checking excluded; compiling and
  creating its durable-rules rulesets);
* ``assess()`` throughput on one core (evidence already loaded);
* the engine floor: the very facts one assessment asserts, replayed into the
  same rulesets with empty actions, (a) through durable-rules' own Python API
  (``durable.engine.Ruleset``: ``assert_facts`` + ``do_actions``), and
  (b) through the bare C calls our runtime uses;
* the ratio of ``assess()`` time to each floor.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import compliance  # noqa: E402
from compliance.rules.runner import runner as scheme_runner  # noqa: E402
from compliance.rules import runtime  # noqa: E402
from compliance.rules.compiler import compile_scheme  # noqa: E402

KINDS = [
    ({"kind": "proportion", "count": "counts.sbl_e1_co_at_booking"}, ">=", "B.pct"),
    ({"kind": "group_minimum", "groups": "groups.training_fetal_monitoring"}, ">=", "B.pct"),
    ({"kind": "timeliness", "records": "cases.perinatal_deaths", "start": "died_on", "end": "review_started_on", "within": {"months": 2}}, ">=", "B.pct"),
    ({"kind": "timeliness", "records": "cases.perinatal_deaths", "start": "died_on", "end": "notified_on", "within": {"working_days": 7}}, ">=", "B.pct"),
    ({"kind": "case_proportion", "records": "cases.perinatal_deaths", "field": "parents_informed", "equals": True}, ">=", "B.pct"),
    ({"kind": "cadence", "events": "events.board_champion_walkabouts", "every_months": 2}, "<=", 0),
    ({"kind": "recency", "item": "attestations.midwifery_establishment_calculation", "unit": "years"}, "<=", "B.years"),
    ({"kind": "attestation", "item": "attestations.tc_pathway", "require_board_approval": True}, "==", True),
    ({"kind": "figure", "figure": "figures.msds_cqims_passed"}, ">=", "B.count"),
    ({"kind": "record_limit", "records": "teams.coc", "field": "midwives_headcount"}, "<=", "B.team"),
]


def fifty_requirement_scheme() -> compliance.Scheme:
    sections = []
    for s in range(10):
        reqs = []
        for r in range(5):
            measure, op, threshold = KINDS[(s * 5 + r) % len(KINDS)]
            reqs.append(
                {
                    "id": f"B{s}.{r}",
                    "title": "benchmark requirement",
                    "text": "t",
                    "source": "benchmark",
                    "status": "confirmed",
                    "remediation": "r",
                    "rule": {"measure": measure, "compare": op, "threshold": threshold, "describe": measure["kind"]},
                }
            )
        sections.append({"id": f"B{s}", "title": f"Section {s}", "requirements": reqs})
    data = {
        "id": "benchmark-50",
        "title": "Benchmark scheme (50 requirements)",
        "version": "1",
        "publisher": "benchmarks",
        "sources": [{"key": "B", "title": "B"}],
        "parameters": {
            "B.pct": {"value": 90, "unit": "%", "description": "p", "status": "confirmed", "source": "b"},
            "B.years": {"value": 3, "unit": "years", "range": {"min": 0, "max": 10}, "description": "y", "status": "confirmed", "source": "b"},
            "B.count": {"value": 7, "range": {"min": 0, "max": 20, "whole": True}, "description": "c", "status": "unconfirmed", "source": "b"},
            "B.team": {"value": 8, "range": {"min": 1, "max": 100, "whole": True}, "description": "t", "status": "confirmed", "source": "b"},
        },
        "outcome": {"met": "Met.", "not_met": "Not met."},
        "sections": sections,
    }
    return compliance.load_scheme(compliance.Scheme.model_validate(data))


def rate(fn: Any, seconds: float) -> float:
    """Calls per second, best of three runs of ``seconds / 3`` each."""
    best = 0.0
    for _ in range(3):
        n, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds / 3:
            fn()
            n += 1
        best = max(best, n / elapsed)
    return best


def record_facts(scheme: compliance.Scheme, evidence: compliance.Evidence) -> list[tuple[int, list[dict[str, Any]]]]:
    """The (ruleset index, facts) batches one assessment asserts, in order."""
    runner = scheme_runner(scheme)
    index = {id(r): i for i, r in enumerate(runner.rulesets)}
    batches: list[tuple[int, list[dict[str, Any]]]] = []
    original = runtime.Session.fire

    def spy(self: runtime.Session, ruleset: runtime.Ruleset, facts: list[dict[str, Any]]) -> Any:
        if id(ruleset) in index:
            batches.append((index[id(ruleset)], [dict(f) for f in facts]))
        return original(self, ruleset, facts)

    runtime.Session.fire = spy  # type: ignore[method-assign]
    try:
        compliance.assess(evidence, schemes=[scheme])
    finally:
        runtime.Session.fire = original  # type: ignore[method-assign]
    return batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    scheme = fifty_requirement_scheme()
    compile_times = []
    for _ in range(20):
        start = time.perf_counter()
        c = compile_scheme(scheme)
        rulesets = [runtime.Ruleset("compile-probe", d) for d in c.rulesets]
        compile_times.append(time.perf_counter() - start)
        for r in rulesets:
            r.close()
    evidence = compliance.load_evidence(ROOT / "tests" / "fixtures" / "evidence_full.json")
    result = compliance.assess(evidence, schemes=[scheme])
    assert len([r for s in result.schemes[0].sections for r in s.requirements]) == 50

    assess_rate = rate(lambda: compliance.assess(evidence, schemes=[scheme]), args.seconds)

    batches = record_facts(scheme, evidence)
    runner = scheme_runner(scheme)
    n_facts = sum(len(f) for _, f in batches)

    # Floor (a): durable-rules' own Python API with empty actions, same rulesets, same facts.
    from durable.engine import Ruleset as DurableRuleset

    def empty(c: Any) -> None:
        return None

    durable_sets = []
    for i, definition in enumerate(c.rulesets):
        d = {name: {**rule, "run": empty} for name, rule in json.loads(json.dumps(definition)).items()}
        durable_sets.append(DurableRuleset(f"floor-api-{i}", None, d))
    counter = iter(range(10**9))

    def floor_api() -> None:
        # One session per batch, deleted at once: the fastest way to drive the engine (see runtime.Session).
        for index, facts in batches:
            sid = f"fa{next(counter)}"
            rs = durable_sets[index]
            rs.do_actions(rs.assert_facts([{**f, "sid": sid} for f in facts]), lambda e, s: None)
            rs.delete_state(sid)

    # Floor (b): the bare C calls, no Python work besides them.
    def floor_c() -> None:
        with runtime.Session() as session:
            for index, facts in batches:
                session.fire(runner.rulesets[index], [dict(f) for f in facts])

    api_rate = rate(floor_api, args.seconds)
    c_rate = rate(floor_c, args.seconds)

    print(f"scheme: 50 requirements, {len(c.rules) * 4} rules in {len(c.rulesets)} rulesets; {n_facts} facts per assessment in {len(batches)} batches")
    print(f"compile time (median of 20): {statistics.median(compile_times) * 1000:.1f} ms  (target <= 100 ms)")
    print(f"assess():                         {assess_rate:8.0f} assessments/s  ({1000 / assess_rate:.2f} ms each; target >= 400/s)")
    print(f"floor (a) durable-rules API:      {api_rate:8.0f} /s  ({1000 / api_rate:.2f} ms)  assess/floor = {api_rate / assess_rate:.2f}x  (target <= 1.5x)")
    print(f"floor (b) bare C calls:           {c_rate:8.0f} /s  ({1000 / c_rate:.2f} ms)  assess/floor = {c_rate / assess_rate:.2f}x")


if __name__ == "__main__":
    main()
