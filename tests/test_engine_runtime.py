"""The engine under load: threads, long runs, and the durable-rules habits it must design around."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import compliance
from compliance.errors import EngineError
from compliance.rules.runtime import Ruleset, Session

HERE = Path(__file__).parent
ROOT = HERE.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1e6


def test_threads_give_the_sequential_results() -> None:
    evidences = [compliance.load_evidence(p) for p in EXAMPLES]
    schemes = ["mis-y3"]
    sequential = [compliance.assess(evidences[i % len(evidences)], schemes=schemes).model_dump_json() for i in range(200)]

    def work(offset: int) -> list[str]:
        return [compliance.assess(evidences[i % len(evidences)], schemes=schemes).model_dump_json() for i in range(200)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    for result in results:
        assert result == sequential


def test_memory_stays_flat_over_20000_assessments() -> None:
    scheme = compliance.load_scheme(HERE / "fixtures" / "kitchen_sink.yaml")
    evidence = compliance.load_evidence(HERE / "fixtures" / "evidence_full.json")
    for _ in range(500):  # warm caches before measuring
        compliance.assess(evidence, schemes=[scheme])
    start = _rss_mb()
    for _ in range(20_000):
        compliance.assess(evidence, schemes=[scheme])
    assert _rss_mb() - start < 20.0


def test_no_thread_is_left_running_per_assessment() -> None:
    evidence = compliance.load_evidence(ROOT / "examples" / "mis_compliant.json")
    compliance.assess(evidence)
    before = threading.active_count()
    for _ in range(50):
        compliance.assess(evidence)
    assert threading.active_count() == before


def test_session_state_is_deleted() -> None:
    ruleset = Ruleset("probe", {"r|met": {"all": [{"m": {"key": "r"}}]}})
    with Session() as session:
        session.fire(ruleset, [{"key": "r"}])
        stage_sid = f"{session.sid}.0"
    # The stage's state is gone: asserting the same fact in that sid again fires again
    # (a remembered fact would be refused as a duplicate).
    assert ruleset.fire(stage_sid, [{"sid": stage_sid, "key": "r"}]) == ["r|met"]
    ruleset.delete(stage_sid)


def test_a_fact_matching_no_rule_is_an_engine_error() -> None:
    ruleset = Ruleset("probe", {"r|met": {"all": [{"m": {"key": "r"}}]}})
    with pytest.raises(EngineError, match="matched no rule"), Session() as session:
        session.fire(ruleset, [{"key": "nothing"}])


def test_identical_facts_in_one_batch_are_refused_before_they_reach_the_engine() -> None:
    # durable-rules itself aborts the process on this ("free(): invalid pointer").
    ruleset = Ruleset("probe", {"r|met": {"all": [{"m": {"key": "r"}}]}})
    with pytest.raises(EngineError, match="duplicate fact"), Session() as session:
        session.fire(ruleset, [{"key": "r"}, {"key": "r"}])


def test_each_stage_of_a_session_starts_clean() -> None:
    ruleset = Ruleset("probe", {"r|met": {"all": [{"m": {"key": "r"}}]}})
    with Session() as session:
        assert session.fire(ruleset, [{"key": "r"}]) == ["r|met"]
        assert session.fire(ruleset, [{"key": "r"}]) == ["r|met"]


def test_strict_types_reach_the_engine() -> None:
    # durable-rules would match "80" < 95; the engine refuses to send a string where a number belongs.
    from compliance.assessment.facts import strict as _strict

    with pytest.raises(EngineError):
        _strict("80", False)
    with pytest.raises(EngineError):
        _strict(True, False)
    assert _strict(80, False) == 80.0 and isinstance(_strict(80, False), float)
