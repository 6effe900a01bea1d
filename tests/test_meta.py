"""Meta-tests: every bundled scheme loads and compiles, and every evaluator's documented example is valid."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml
from _helpers import requirement, scheme_data

import compliance
from compliance.rules.runner import compiled
from compliance.evaluators import REGISTRY
from compliance.schemes.loader import scheme_from_text

SCHEMES = compliance.builtin_schemes()


def test_the_four_bundled_schemes_are_there() -> None:
    assert {"mis-y3", "sblcbv2", "continuity-of-carer", "board-dashboard"} <= set(SCHEMES)


@pytest.mark.parametrize("scheme_id", SCHEMES)
def test_bundled_scheme_loads_and_compiles(scheme_id: str) -> None:
    scheme = compliance.load_scheme(scheme_id)
    c = compiled(scheme)
    assert c.rulesets and all(len(r) <= 120 for r in c.rulesets)
    # Every leaf, combinator, requirement, section and the outcome has exactly four verdict rules.
    keys = {leaf.key for leaf in c.leaves} | {n.key for n in c.nodes} | {r.key for r in c.requirements}
    assert set(c.rules) == keys | {f"S{i}" for i in range(len(scheme.sections))} | {"O"}
    assert all(len(rules) == 4 for rules in c.rules.values())


@pytest.mark.parametrize("scheme_id", SCHEMES)
def test_bundled_thresholds_are_parameters_with_a_status(scheme_id: str) -> None:
    """No threshold is invented inline: literals are only the definitional 0 (cadence, consistency) or true/false."""
    scheme = compliance.load_scheme(scheme_id)
    from compliance.schemes.loader import checked

    for spec in checked(scheme).leaves:
        t = spec.leaf.threshold
        if isinstance(t, str):
            assert scheme.parameters[t].status in ("confirmed", "partly_confirmed", "unconfirmed")
        else:
            assert t is None or isinstance(t, bool) or t == 0, f"{scheme_id}: inline threshold {t!r} at {spec.path}"


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_every_evaluator_documents_itself(kind: str) -> None:
    evaluator = REGISTRY[kind]
    assert (type(evaluator).__doc__ or "").strip(), f"{kind} has no docstring"
    leaf = yaml.safe_load(evaluator.example)
    assert leaf["measure"]["kind"] == kind


@pytest.mark.parametrize("kind", sorted(REGISTRY))
def test_every_evaluator_example_loads_in_a_scheme(kind: str) -> None:
    """The YAML example in each evaluator is a real, checkable rule (parameters it names are declared here)."""
    evaluator = REGISTRY[kind]
    leaf = yaml.safe_load(evaluator.example)
    refs = set()

    def collect(value: object) -> None:
        if isinstance(value, dict):
            if set(value) == {"param"}:
                refs.add(value["param"])
            for v in value.values():
                collect(v)

    collect(leaf["measure"])
    if isinstance(leaf.get("threshold"), str):
        refs.add(leaf["threshold"])
    # A number that is not a percentage declares its range (issue 10); 0-1000 holds every example's 1.
    params = {r: {"value": 1, "range": {"min": 0, "max": 1000}, "description": "example", "status": "unconfirmed", "source": "example"} for r in sorted(refs)}
    data = scheme_data("example", params, [requirement("E.1", leaf)])
    scheme_from_text(textwrap.dedent(yaml.safe_dump(data, sort_keys=False)))


def test_docs_example_is_the_real_language() -> None:
    """The worked requirement in docs/scheme-language.md parses with the real model."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "scheme-language.md").read_text()
    block = text.split("```yaml", 1)[1].split("```", 1)[0]
    data = yaml.safe_load(block.replace("...", "x"))
    from compliance.schemes.model import Requirement

    req = Requirement.model_validate(data["sections"][0]["requirements"][0])
    assert req.rule.measure["kind"] == "timeliness"  # type: ignore[union-attr]


def test_public_api_is_small_and_declared() -> None:
    assert set(compliance.__all__) >= {"assess", "load_scheme", "builtin_schemes", "load_evidence", "Assessment"}
    for name in compliance.__all__:
        assert hasattr(compliance, name)


def test_evidence_json_schema_exports() -> None:
    schema = compliance.evidence_json_schema()
    assert schema["title"] == "Evidence"
    assert "perinatal_deaths" in schema["$defs"]["Cases"]["properties"]


@pytest.mark.parametrize("example", sorted(p.name for p in (Path(__file__).resolve().parents[1] / "examples").glob("*.json")))
def test_results_survive_a_json_round_trip_through_full_validation(example: str) -> None:
    """The engine builds results without validating them; full validation of its JSON must give the same tree."""
    import warnings

    from compliance.results import Assessment

    path = Path(__file__).resolve().parents[1] / "examples" / example
    result = compliance.assess(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a wrong type would make pydantic warn while serialising
        text = result.model_dump_json()
    assert Assessment.model_validate_json(text) == result


def test_build_refuses_a_missing_field() -> None:
    from compliance.results import RecordRef, build

    with pytest.raises(KeyError):
        build(RecordRef, {"id": "x"})


def test_a_placeholder_threshold_is_stated_in_words_until_it_is_overridden() -> None:
    """SBLCBv2 indicators with no national threshold do not claim a '0%' line; an override is shown as a number."""
    path = Path(__file__).resolve().parents[1] / "examples" / "mis_compliant.json"
    default = compliance.assess(path).requirement("SBLv2-E2-P1")
    assert default.measurements[0].threshold_words == "a submitted figure, there being no national threshold"
    local = compliance.assess(path, params={"SBLv2.E2.P1.threshold": 95}).requirement("SBLv2-E2-P1")
    assert local.measurements[0].threshold_words is None
    assert (local.measurements[0].threshold, local.measurements[0].threshold_unit) == (95.0, "%")
