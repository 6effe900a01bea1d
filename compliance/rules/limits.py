"""durable-rules' hard limits, as checked invariants of every ruleset before it reaches the engine.

Takes a ruleset definition (rule name -> ``{"all": [{"m": <expression>}]}``,
as :mod:`compliance.rules.compiler` makes them); returns its
:class:`RulesetShape` or raises :class:`~compliance.errors.EngineError`
naming the limit it would break.  Past these limits the engine does not fail
cleanly: it hangs, aborts with an error code mid-assessment, or crashes the
process, so the compiler refuses first.

The limits are fixed in the C source of durable-rules 2.0.28 (the version
pinned in ``pyproject.toml``; repository ``jruizgit/rules``, commit
``72070f4``, ``src/rules/``) and were measured on this version:

``MAX_KEYS_PER_RULESET`` (511)
    Every alpha node keeps its children in one open-addressed table of
    ``NEXT_BUCKET_LENGTH`` = 512 slots (``rules.h:47``) probed linearly
    (``rete.c:1001``, ``events.c:1749``: ``for (entry = hash & HASH_MASK;
    next[entry] != 0; entry = (entry + 1) % NEXT_BUCKET_LENGTH)``), with no
    stop when the table is full.  Our rules all start with ``key == "<key>"``,
    so each key is one slot of the root's table.  Measured: 511 keys work;
    512 keys create the ruleset and then hang on the first assert; 513 hang
    while creating it.  Before that, every property of every fact probes
    along that one chain, which is why rulesets are kept far smaller
    (``compiler.RULES_PER_RULESET``) for speed.
``MAX_PATHS_PER_SHARED_TEST`` (64)
    ``handleAlpha`` walks the network with a stack of ``MAX_STACK_SIZE`` = 64
    alpha nodes (``events.c:18``), returning ``ERR_MAX_STACK_SIZE`` (303) when a
    matched node's children overflow it (``events.c:1734``, ``1753``, ``1776``).
    Measured: 64 rules under one shared ``key`` test and a fact matching
    them all work, 65 give error 303 -- at assert time, for that fact only.
    The nodes pending on the stack never contain one another, and each has
    at least one rule path beneath it, so at most 64 *paths* (rules, an
    ``$or`` counting once per branch) under one shared first test keep it in
    bounds.
``MAX_FACT_PROPERTIES`` (253)
    A fact is parsed into ``MAX_OBJECT_PROPERTIES`` = 255 slots
    (``state.h:20``); ``setObjectProperty`` returns ``ERR_EVENT_MAX_PROPERTIES``
    (302) at the last slot (``state.c:1394``), yet that is not what happens:
    measured, a fact of 253 properties (``sid`` included; the engine adds
    ``id``) works, one of 254 whose tested properties come last crashes the
    process (segmentation fault), and one whose tested properties come first
    is silently cut short.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import EngineError

__all__ = [
    "MAX_KEYS_PER_RULESET",
    "MAX_PATHS_PER_SHARED_TEST",
    "MAX_FACT_PROPERTIES",
    "RulesetShape",
    "ruleset_shape",
    "check_ruleset",
    "check_facts",
]

#: Distinct ``key`` values in one ruleset: ``NEXT_BUCKET_LENGTH`` (512, rules.h:47) less the slot that ends a probe.
MAX_KEYS_PER_RULESET = 511
#: Rule paths under one shared first test: ``MAX_STACK_SIZE`` (64, events.c:18); one more gives error 303.
MAX_PATHS_PER_SHARED_TEST = 64
#: Properties of one fact, ``sid`` included: ``MAX_OBJECT_PROPERTIES`` (255, state.h:20) less ``id`` and the overflow slot.
MAX_FACT_PROPERTIES = 253

#: Properties every fact carries besides those its rules test.
_ALWAYS = frozenset({"key", "sid"})

Expr = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RulesetShape:
    """The figures of one ruleset that durable-rules bounds."""

    #: Distinct keys (the root table's slots).
    keys: int
    #: The most rule paths under one key (the walk's stack depth at worst).
    paths_per_key: int
    #: The most properties a fact for one key must carry (its rules' properties, ``key`` and ``sid``).
    properties_per_fact: int


def _branches(expr: Expr) -> list[list[Expr]]:
    """The expression in disjunctive form: one list of tests per path durable-rules builds."""
    if "$and" in expr:
        paths: list[list[Expr]] = [[]]
        for part in expr["$and"]:
            paths = [p + q for p in paths for q in _branches(part)]
        return paths
    if "$or" in expr:
        return [p for part in expr["$or"] for p in _branches(part)]
    return [[expr]]


def ruleset_shape(definition: Mapping[str, Mapping[str, Any]]) -> RulesetShape:
    """Measure a ruleset against durable-rules' limits (every rule path must start with ``key == "<key>"``)."""
    paths: dict[str, int] = {}
    properties: dict[str, set[str]] = {}
    for name, rule in definition.items():
        conditions = rule.get("all")
        if type(conditions) is not list or len(conditions) != 1 or len(conditions[0]) != 1 or "m" not in conditions[0]:
            raise EngineError(f"rule {name} is not one condition on the fact 'm': the ruleset's limits cannot be checked")
        expr = conditions[0]["m"]
        tests = expr["$and"] if "$and" in expr else [expr]
        # Most rules are one conjunction of plain tests: one path, nothing to expand.
        branches = [tests]
        for t in tests:
            if "$or" in t or "$and" in t:
                branches = _branches(expr)
                break
        for path in branches:
            first = path[0]
            key = first.get("key") if len(first) == 1 else None
            if type(key) is not str:
                raise EngineError(f"rule {name} does not start with its key test (found {first!r}): the ruleset's limits cannot be checked")
            paths[key] = paths.get(key, 0) + 1
            props = properties.get(key)
            if props is None:
                props = properties[key] = set(_ALWAYS)
            for test in path[1:]:
                for prop, value in test.items():
                    if prop[0] == "$" and type(value) is dict:
                        # {"$op": {"p": v}} or {"$op": {"p": {"$m": "q"}}}: the fact's p, and q too.
                        for left, right in value.items():
                            props.add(left)
                            if type(right) is dict and "$m" in right:
                                props.add(str(right["$m"]))
                    else:
                        props.add(prop)
    return RulesetShape(
        keys=len(paths),
        paths_per_key=max(paths.values(), default=0),
        properties_per_fact=max((len(p) for p in properties.values()), default=len(_ALWAYS)),
    )


def check_ruleset(name: str, definition: Mapping[str, Mapping[str, Any]]) -> RulesetShape:
    """Refuse a ruleset that would hang durable-rules, abort an assert or crash the process."""
    shape = ruleset_shape(definition)
    over = []
    if shape.keys > MAX_KEYS_PER_RULESET:
        over.append(f"{shape.keys} keys (at most {MAX_KEYS_PER_RULESET}; 512 hang the engine)")
    if shape.paths_per_key > MAX_PATHS_PER_SHARED_TEST:
        over.append(f"{shape.paths_per_key} rule paths under one key (at most {MAX_PATHS_PER_SHARED_TEST}; more give error 303)")
    if shape.properties_per_fact > MAX_FACT_PROPERTIES:
        over.append(f"facts of {shape.properties_per_fact} properties (at most {MAX_FACT_PROPERTIES}; more crash the engine)")
    if over:
        raise EngineError(f"ruleset {name} is past durable-rules' limits: {'; '.join(over)}")
    return shape


def check_facts(ruleset: str, facts: list[dict[str, Any]]) -> None:
    """Refuse a fact too wide for the engine (the compiler bounds what rules test; this bounds what is sent, ``sid`` added)."""
    widest = max((len(f) + ("sid" not in f) for f in facts), default=0)
    if widest > MAX_FACT_PROPERTIES:
        raise EngineError(f"a fact of {widest} properties for ruleset {ruleset}: durable-rules takes at most {MAX_FACT_PROPERTIES}")
