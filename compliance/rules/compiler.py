"""Compiling a checked scheme into durable-rules rulesets: an ordered list of named stages.

Every node of the scheme -- each rule leaf, each combinator, each
requirement, each section and the outcome -- gets a key (``L3``, ``N1``,
``R7``, ``S2``, ``O``) and four small rules, one per verdict: ``met``,
``not_met``, ``insufficient_evidence``, ``not_applicable``.  The rules are
mutually exclusive and exhaustive, because durable-rules raises on a fact
that matches nothing and a verdict must never depend on which of two rules
fired first.

The engine then asserts facts level by level (leaves, combinators deepest
first, requirements, sections, outcome).  A leaf fact carries the measured
value and the threshold::

    {"sid": "17", "key": "L3", "l": "ok", "v": 86.2, "t": 95.0}

and its rule compares them (``v >= t``).  A combinator's fact counts its
children's verdicts, and its rules decide ``all``, ``any``, ``at_least N``
or ``not`` from the counts -- the same rules decide section and scheme
roll-ups.  Rules stay small because durable-rules allows at most 32
expressions in one condition, and rulesets stay under
:data:`RULES_PER_RULESET` because hundreds of rules on one property slow it
badly.  The last stage checks every ruleset against durable-rules' hard
limits (:mod:`compliance.rules.limits`: keys per ruleset, rule paths per
shared test, properties per fact) and refuses one past them, because past
them the engine hangs or crashes instead of failing.  Thresholds travel in
the facts, so one compiled ruleset serves every parameter override.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ..schemes.checker import CheckedScheme, LeafSpec
from ..schemes.model import Leaf, Requirement, RuleNode, children, combinator
from ..schemes.model import Rollup as RollupModel
from .limits import check_ruleset

__all__ = [
    "STATUSES",
    "RULES_PER_RULESET",
    "LeafPlan",
    "NodePlan",
    "RequirementPlan",
    "CompiledScheme",
    "compile_scheme",
    "leaf_rules",
    "combinator_rules",
    "requirement_rules",
    "direct_requirement_rules",
    "STAGES",
]

Expr = dict[str, Any]
STATUSES = ("met", "not_met", "insufficient_evidence", "not_applicable")

#: Keep rulesets small: durable-rules slows sharply with hundreds of rules on one property.
#: A tuning figure, not a limit: :mod:`.limits` holds the engine's hard limits, checked by
#: :func:`stage_limits` whatever this is set to.
RULES_PER_RULESET = 120

_CMP = {">=": "$gte", ">": "$gt", "<=": "$lte", "<": "$lt", "!=": "$neq"}
_NEGATE = {">=": "<", "<": ">=", ">": "<=", "<=": ">", "==": "!=", "!=": "=="}


def _and(*xs: Expr) -> Expr:
    return xs[0] if len(xs) == 1 else {"$and": list(xs)}


def _or(*xs: Expr) -> Expr:
    return xs[0] if len(xs) == 1 else {"$or": list(xs)}


def _cmp(op: str) -> Expr:
    if op == "==":
        return {"v": {"$m": "t"}}
    return {_CMP[op]: {"v": {"$m": "t"}}}


def _rule(expr: Expr) -> dict[str, Any]:
    return {"all": [{"m": expr}]}


def leaf_rules(key: str, op: str) -> dict[str, dict[str, Any]]:
    """Compare the measured value ``v`` with the threshold ``t``; ``l`` is the leaf's evidence state."""
    k = {"key": key}
    return {
        f"{key}|met": _rule(_and(k, {"l": "ok"}, _cmp(op))),
        f"{key}|not_met": _rule(_and(k, {"l": "ok"}, _cmp(_NEGATE[op]))),
        f"{key}|insufficient_evidence": _rule(_and(k, {"l": "missing"})),
        f"{key}|not_applicable": _rule(_and(k, {"l": "na"})),
    }


Combinator = Literal["all", "any", "at_least", "not"]


def combinator_rules(key: str, kind: Combinator, need: int = 1) -> dict[str, dict[str, Any]]:
    """Decide a node from counts of its children's verdicts.

    The fact carries ``met``, ``not_met``, ``ins`` (insufficient evidence),
    ``na``, ``live`` (children not not-applicable) and ``mi`` (met +
    insufficient).  Not-applicable children neither help nor hurt; a node
    whose children are all not applicable is not applicable.
    """
    k = {"key": key}
    if kind == "all":
        rules = {
            "not_met": _and(k, {"$gt": {"not_met": 0}}),
            "insufficient_evidence": _and(k, {"not_met": 0}, {"$gt": {"ins": 0}}),
            "met": _and(k, {"not_met": 0}, {"ins": 0}, {"$gt": {"met": 0}}),
            "not_applicable": _and(k, {"live": 0}),
        }
    elif kind == "any":
        rules = {
            "met": _and(k, {"$gt": {"met": 0}}),
            "insufficient_evidence": _and(k, {"met": 0}, {"$gt": {"ins": 0}}),
            "not_met": _and(k, {"met": 0}, {"ins": 0}, {"$gt": {"not_met": 0}}),
            "not_applicable": _and(k, {"live": 0}),
        }
    elif kind == "at_least":
        rules = {
            "met": _and(k, {"$gte": {"met": need}}),
            "not_met": _and(k, {"$gt": {"live": 0}}, {"$lt": {"mi": need}}),
            "insufficient_evidence": _and(k, {"$lt": {"met": need}}, {"$gte": {"mi": need}}),
            "not_applicable": _and(k, {"live": 0}),
        }
    else:  # not: one child, verdict swapped
        rules = {
            "met": _and(k, {"not_met": 1}),
            "not_met": _and(k, {"met": 1}),
            "insufficient_evidence": _and(k, {"ins": 1}),
            "not_applicable": _and(k, {"na": 1}),
        }
    return {f"{key}|{status}": _rule(expr) for status, expr in rules.items()}


def requirement_rules(key: str) -> dict[str, dict[str, Any]]:
    """A requirement takes its rule's verdict, unless its effective dates exclude the assessment date."""
    k = {"key": key}
    return {
        f"{key}|met": _rule(_and(k, {"st": "ok"}, {"root": "met"})),
        f"{key}|not_met": _rule(_and(k, {"st": "ok"}, {"root": "not_met"})),
        f"{key}|insufficient_evidence": _rule(_and(k, {"st": "ok"}, {"root": "insufficient_evidence"})),
        # durable-rules fires once per matching branch of an $or: keep the branches exclusive.
        f"{key}|not_applicable": _rule(_and(k, _or({"st": "na"}, _and({"st": "ok"}, {"root": "not_applicable"})))),
    }


def direct_requirement_rules(key: str, op: str) -> dict[str, dict[str, Any]]:
    """A requirement whose rule is a single comparison: the leaf's data travels in the requirement's fact.

    This halves the facts of a typical scheme (most standards are one
    comparison) without changing any verdict.
    """
    k, live = {"key": key}, {"st": "ok"}
    return {
        f"{key}|met": _rule(_and(k, live, {"l": "ok"}, _cmp(op))),
        f"{key}|not_met": _rule(_and(k, live, {"l": "ok"}, _cmp(_NEGATE[op]))),
        f"{key}|insufficient_evidence": _rule(_and(k, live, {"l": "missing"})),
        f"{key}|not_applicable": _rule(_and(k, _or({"st": "na"}, _and(live, {"l": "na"})))),
    }


@dataclass(slots=True)
class LeafPlan:
    key: str
    spec: LeafSpec


@dataclass(slots=True)
class NodePlan:
    key: str
    kind: Combinator
    need: int
    children: list[str]
    depth: int


@dataclass(slots=True)
class RequirementPlan:
    key: str
    section: int
    requirement: Requirement
    root: str
    leaves: list[LeafPlan]

    @property
    def direct(self) -> bool:
        """True when the rule is one comparison, decided in the requirement's own fact."""
        return self.root == self.key


@dataclass(slots=True, eq=False, weakref_slot=True)  # by identity: later stages key derived data on it
class CompiledScheme:
    """The artifact the engine runs: durable-rules definitions plus the plan of which fact goes where."""

    scheme: CheckedScheme
    leaves: list[LeafPlan] = field(default_factory=list)
    nodes: list[NodePlan] = field(default_factory=list)
    requirements: list[RequirementPlan] = field(default_factory=list)
    #: Rule definitions by key (every key has exactly four rules).
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The rulesets: each a dict of rule name -> definition.
    rulesets: list[dict[str, Any]] = field(default_factory=list)
    #: Which ruleset holds each key's rules (facts for that key go there).
    ruleset_of: dict[str, int] = field(default_factory=dict)
    #: Node keys grouped by depth, deepest first: the order they are asserted in.
    node_levels: list[list[str]] = field(default_factory=list)
    _fingerprint: str = ""

    @property
    def fingerprint(self) -> str:
        """A digest of the rulesets, for naming and for tests that pin compilation.

        Made on first use: nothing in an assessment reads it, and digesting
        the sorted JSON of every ruleset was 40% of compiling a scheme.
        """
        if not self._fingerprint:
            blob = json.dumps(self.rulesets, sort_keys=True).encode()
            self._fingerprint = hashlib.sha256(blob).hexdigest()[:16]
        return self._fingerprint


# ------------------------------------------------------------------ stages


def stage_plan(c: CompiledScheme, leaves: tuple[LeafSpec, ...]) -> None:
    """Key every leaf and combinator of every requirement's rule tree."""
    by_path = {spec.path: spec for spec in leaves}
    counter = {"L": 0, "N": 0}

    def plan_node(node: RuleNode, path: tuple[str | int, ...], depth: int, own: list[LeafPlan], direct: str | None = None) -> str:
        if isinstance(node, Leaf):
            if direct is not None:
                key = direct
            else:
                key = f"L{counter['L']}"
                counter["L"] += 1
            plan = LeafPlan(key, by_path[path])
            c.leaves.append(plan)
            own.append(plan)
            return key
        kind, need = combinator(node)
        key = f"N{counter['N']}"
        counter["N"] += 1
        node_plan = NodePlan(key, kind, need, [], depth)
        c.nodes.append(node_plan)
        node_plan.children = [plan_node(child, (*path, *step), depth + 1, own) for step, child in children(node)]
        return key

    n = 0
    for si, section in enumerate(c.scheme.sections):
        for ri, req in enumerate(section.requirements):
            own: list[LeafPlan] = []
            direct = f"R{n}" if isinstance(req.rule, Leaf) else None
            root = plan_node(req.rule, ("sections", si, "requirements", ri, "rule"), 0, own, direct)
            c.requirements.append(RequirementPlan(f"R{n}", si, req, root, own))
            n += 1


def stage_rules(c: CompiledScheme, leaves: tuple[LeafSpec, ...]) -> None:
    """Four rules per key: leaves compare, combinators count, requirements gate, roll-ups count."""
    for req in c.requirements:
        if req.direct:
            c.rules[req.key] = direct_requirement_rules(req.key, req.leaves[0].spec.leaf.compare)
        else:
            c.rules[req.key] = requirement_rules(req.key)
            for leaf in req.leaves:
                c.rules[leaf.key] = leaf_rules(leaf.key, leaf.spec.leaf.compare)
    for node in c.nodes:
        c.rules[node.key] = combinator_rules(node.key, node.kind, node.need)
    for si, section in enumerate(c.scheme.sections):
        c.rules[f"S{si}"] = _rollup(f"S{si}", section.rollup)
    c.rules["O"] = _rollup("O", c.scheme.outcome.rollup)


def _rollup(key: str, rollup: str | RollupModel) -> dict[str, dict[str, Any]]:
    if isinstance(rollup, str) or rollup.at_least is None:
        return combinator_rules(key, "all")
    return combinator_rules(key, "at_least", rollup.at_least)


def stage_levels(c: CompiledScheme, leaves: tuple[LeafSpec, ...]) -> None:
    """Order combinators deepest first, so children are decided before their parents."""
    depths = sorted({n.depth for n in c.nodes}, reverse=True)
    c.node_levels = [[n.key for n in c.nodes if n.depth == d] for d in depths]


def stage_partition(c: CompiledScheme, leaves: tuple[LeafSpec, ...]) -> None:
    """Pack keys into rulesets of at most :data:`RULES_PER_RULESET` rules, one stage's keys together."""
    groups: list[list[str]] = [
        [leaf.key for leaf in c.leaves if leaf.key.startswith("L")],
        *c.node_levels,
        [r.key for r in c.requirements],
    ]
    groups.append([f"S{si}" for si in range(len(c.scheme.sections))] + ["O"])
    per = max(1, RULES_PER_RULESET // len(STATUSES))
    for group in groups:
        for start in range(0, len(group), per) if group else ():
            definition: dict[str, Any] = {}
            for key in group[start : start + per]:
                definition.update(c.rules[key])
                c.ruleset_of[key] = len(c.rulesets)
            c.rulesets.append(definition)


def stage_limits(c: CompiledScheme, leaves: tuple[LeafSpec, ...]) -> None:
    """Refuse a ruleset past durable-rules' hard limits, which would hang the engine rather than fail."""
    for index, definition in enumerate(c.rulesets):
        check_ruleset(f"{c.scheme.id}.{index}", definition)


#: The compilation stages, in order.
STAGES: tuple[tuple[str, Callable[[CompiledScheme, tuple[LeafSpec, ...]], None]], ...] = (
    ("plan", stage_plan),
    ("rules", stage_rules),
    ("levels", stage_levels),
    ("partition", stage_partition),
    ("limits", stage_limits),
)


def compile_scheme(scheme: CheckedScheme) -> CompiledScheme:
    """Run every compilation stage over a checked scheme."""
    compiled = CompiledScheme(scheme)
    for _name, stage in STAGES:
        stage(compiled, scheme.leaves)
    return compiled
