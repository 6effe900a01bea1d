"""durable-rules' hard limits: each guard sits exactly at the engine's real boundary, and the compiler refuses past it.

Anything that could hang the engine runs in a subprocess with a timeout, so a
missing guard fails the test instead of blocking the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import compliance
from compliance.errors import EngineError
from compliance.rules import compiler, limits
from compliance.rules.compiler import combinator_rules, compile_scheme, direct_requirement_rules, leaf_rules, requirement_rules
from compliance.schemes.loader import checked

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from _big_schemes import big_scheme_data, keys_ruleset as _keys  # noqa: E402


def _run(code: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that sees this checkout and the tests' helpers."""
    prelude = f"import sys; sys.path[:0] = [{str(ROOT)!r}, {str(HERE)!r}]\n"
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout, check=False)


# ---------------------------------------------------------------- the shape the guard measures


def test_every_compiled_rule_kind_has_the_shape_the_guard_expects() -> None:
    shape = limits.ruleset_shape({**leaf_rules("L0", ">="), **direct_requirement_rules("R0", "<"), **requirement_rules("R1"), **combinator_rules("N0", "at_least", 2)})
    assert shape.keys == 4
    # A requirement's not-applicable rule is an $or of two branches: five paths under its key.
    assert shape.paths_per_key == 5
    # The widest: a lone comparison's requirement fact is tested on st, l, v and t (+ key, sid).
    assert shape.properties_per_fact == 6


def test_a_rule_not_starting_with_its_key_is_refused() -> None:
    with pytest.raises(EngineError, match="does not start with its key"):
        limits.check_ruleset("probe", {"x": {"all": [{"m": {"$and": [{"l": "ok"}, {"key": "L0"}]}}]}})


def test_the_guard_refuses_one_past_each_limit() -> None:
    limits.check_ruleset("probe", _keys(limits.MAX_KEYS_PER_RULESET))
    with pytest.raises(EngineError, match="512 keys"):
        limits.check_ruleset("probe", _keys(limits.MAX_KEYS_PER_RULESET + 1))
    shared = {f"r{i}": {"all": [{"m": {"$and": [{"key": "X"}, {"$gte": {"v": i}}]}}]} for i in range(limits.MAX_PATHS_PER_SHARED_TEST + 1)}
    with pytest.raises(EngineError, match="65 rule paths under one key"):
        limits.check_ruleset("probe", shared)
    wide = {"r": {"all": [{"m": {"$and": [{"key": "X"}, *({f"p{i}": 1} for i in range(limits.MAX_FACT_PROPERTIES - 1))]}}]}}
    with pytest.raises(EngineError, match="facts of 254 properties"):
        limits.check_ruleset("probe", wide)


# ---------------------------------------------------------------- the limits are durable-rules' own


def test_511_keys_work_and_512_hang_the_engine() -> None:
    """The key limit is the engine's: one key fewer works, at the limit it hangs (so the guard must refuse first)."""
    code = """
    import json, durable_rules_engine as dre
    from _big_schemes import keys_ruleset
    n = {n}
    h = dre.create_ruleset("probe", json.dumps(keys_ruleset(n)))
    facts = [{{"sid": "1", "key": f"L{{i}}", "l": "ok", "v": 1.0, "t": 0.5}} for i in range(0, n, 37)]
    print(dre.assert_facts(h, json.dumps(facts))[0])
    """
    done = _run(code.format(n=limits.MAX_KEYS_PER_RULESET), timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, "0"), done.stderr
    with pytest.raises(subprocess.TimeoutExpired):
        _run(code.format(n=limits.MAX_KEYS_PER_RULESET + 1), timeout=8)


def test_64_rules_sharing_a_test_work_and_65_give_error_303() -> None:
    import durable_rules_engine as dre

    for n, ok in ((limits.MAX_PATHS_PER_SHARED_TEST, True), (limits.MAX_PATHS_PER_SHARED_TEST + 1, False)):
        definition = {f"r{i}": {"all": [{"m": {"$and": [{"key": "X"}, {"$gte": {"v": i}}]}}]} for i in range(n)}
        handle = dre.create_ruleset(f"limits-probe-{n}", json.dumps(definition))
        try:
            facts = json.dumps([{"sid": "1", "key": "X", "v": 10**6}])
            if ok:
                assert dre.assert_facts(handle, facts)[0] == 0
            else:
                with pytest.raises(Exception, match="error code: 303"):
                    dre.assert_facts(handle, facts)
        finally:
            dre.delete_ruleset(handle)


def test_a_fact_of_253_properties_works_and_254_crash_the_engine() -> None:
    code = """
    import json, durable_rules_engine as dre
    n = {n}
    h = dre.create_ruleset("probe", json.dumps({{"r": {{"all": [{{"m": {{"$and": [{{"key": "X"}}, {{"$gte": {{"v": 0}}}}]}}}}]}}}}))
    fact = {{"sid": "1", **{{f"p{{i}}": i for i in range(n - 3)}}, "key": "X", "v": 1}}
    code, state = dre.assert_facts(h, json.dumps([fact]))
    print(code, bool(dre.start_action_for_state(h, state)))
    """
    done = _run(code.format(n=limits.MAX_FACT_PROPERTIES), timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "0 True"), done.stderr
    crashed = _run(code.format(n=limits.MAX_FACT_PROPERTIES + 1), timeout=60)
    assert crashed.returncode != 0 and crashed.stdout.strip() != "0 True"


def test_a_fact_too_wide_never_reaches_the_engine() -> None:
    from compliance.rules.runtime import Ruleset

    ruleset = Ruleset("probe", {"r|met": {"all": [{"m": {"key": "r"}}]}})
    try:
        with pytest.raises(EngineError, match="254 properties"):
            ruleset.fire("1", [{"sid": "1", "key": "r", **{f"p{i}": i for i in range(limits.MAX_FACT_PROPERTIES - 1)}}])
    finally:
        ruleset.close()


# ---------------------------------------------------------------- large schemes


def test_a_5000_requirement_scheme_compiles_within_the_limits() -> None:
    scheme = compliance.load_scheme(compliance.Scheme.model_validate(big_scheme_data(5000)))
    c = compile_scheme(checked(scheme))
    assert len(c.requirements) == 5000
    shapes = [limits.ruleset_shape(d) for d in c.rulesets]
    assert sum(s.keys for s in shapes) == len(c.rules)
    assert max(s.keys for s in shapes) <= compiler.RULES_PER_RULESET // len(compiler.STATUSES)


def test_a_5000_requirement_scheme_is_assessed() -> None:
    """Every ruleset of the large scheme is created in the engine and fires (in a subprocess: a hang fails)."""
    done = _run(
        """
        import compliance
        from _big_schemes import big_scheme_data
        scheme = compliance.load_scheme(compliance.Scheme.model_validate(big_scheme_data(5000)))
        result = compliance.assess(compliance.load_evidence(%r), schemes=[scheme])
        print(sum(len(s.requirements) for s in result.schemes[0].sections), result.status)
        """ % str(HERE / "fixtures" / "evidence_full.json"),
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "5000"


def test_raising_the_ruleset_size_past_the_limits_is_refused_not_hung() -> None:
    """With the tuning figure raised so 5,000 requirements share one ruleset, the guard refuses before the engine sees it."""
    done = _run(
        """
        import compliance
        from compliance.errors import EngineError
        from compliance.rules import compiler
        from _big_schemes import big_scheme_data
        compiler.RULES_PER_RULESET = 4 * 5000
        scheme = compliance.load_scheme(compliance.Scheme.model_validate(big_scheme_data(5000)))
        try:
            compliance.assess(compliance.load_evidence(%r), schemes=[scheme])
        except EngineError as e:
            print("refused:", e)
        else:
            print("assessed")
        """ % str(HERE / "fixtures" / "evidence_full.json"),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("refused:") and "past durable-rules' limits" in done.stdout, done.stdout
    # The first ruleset is the 3,000 leaves of the 1,000 combined rules.
    assert "generated-5000.0 is past durable-rules' limits: 3000 keys (at most 511; 512 hang the engine)" in done.stdout


def test_the_limits_stage_runs_in_every_compilation(monkeypatch: pytest.MonkeyPatch) -> None:
    scheme = compliance.load_scheme(compliance.Scheme.model_validate(big_scheme_data(600)))
    monkeypatch.setattr(compiler, "RULES_PER_RULESET", 4 * 600)
    with pytest.raises(EngineError, match="600 keys"):
        compile_scheme(checked(scheme))
