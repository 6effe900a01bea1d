"""Firing a compiled scheme: its durable-rules rulesets, made once per scheme, and the verdicts they fire.

Takes a :class:`~compliance.schemes.checker.CheckedScheme` and a stage's facts;
returns each fact's verdict and the name of the rule that decided it.  The
rulesets are created in the C extension the first time a scheme is assessed
and ride on the checked scheme itself (no cache keyed by ``id()``): they live
as long as the scheme object and are freed with it (``Ruleset.__del__``), so a
caller that makes many schemes -- a property test, a scheme editor -- does
not grow the engine for ever.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ..errors import EngineError
from ..results import Status
from ..schemes.loader import checked
from ..schemes.model import Scheme
from .compiler import CompiledScheme, NodePlan, combinator_rules, compile_scheme
from .runtime import Ruleset, Session

__all__ = ["Runner", "runner", "compiled", "top_ruleset"]

_LOCK = threading.Lock()
_TOP: list[Ruleset] = []


@dataclass(slots=True)
class Runner:
    """A compiled scheme with its rulesets created in the engine, and the lookups every assessment of it uses."""

    compiled: CompiledScheme
    rulesets: list[Ruleset]
    #: Combinators by key.
    nodes: dict[str, NodePlan] = field(default_factory=dict)
    #: Per section, the indexes of its requirements (compiled order).
    per_section: list[list[int]] = field(default_factory=list)
    #: The sections the outcome counts.
    in_outcome: list[int] = field(default_factory=list)
    #: Per rule name: its key, its verdict and the name results give the rule that fired.
    verdict_of: dict[str, tuple[str, Status, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        c = self.compiled
        self.nodes = {n.key: n for n in c.nodes}
        self.per_section = [[] for _ in c.scheme.sections]
        for i, r in enumerate(c.requirements):
            self.per_section[r.section].append(i)
        self.in_outcome = [si for si, s in enumerate(c.scheme.sections) if s.in_outcome]
        for ruleset in self.rulesets:
            for name in ruleset.definition:
                key, status = name.split("|")
                self.verdict_of[name] = (key, status, f"{ruleset.name}:{name}")  # type: ignore[assignment]

    def fire(self, session: Session, facts: list[dict[str, Any]]) -> dict[str, tuple[Status, str]]:
        """Assert one stage's facts; return each key's verdict and the rule that decided it."""
        ruleset_of = self.compiled.ruleset_of
        by_ruleset: dict[int, list[dict[str, Any]]] = {}
        for fact in facts:
            index = ruleset_of[fact["key"]]
            batch = by_ruleset.get(index)
            if batch is None:
                by_ruleset[index] = [fact]
            else:
                batch.append(fact)
        verdict_of = self.verdict_of
        verdicts: dict[str, tuple[Status, str]] = {}
        for index in sorted(by_ruleset):
            for name in session.fire(self.rulesets[index], by_ruleset[index]):
                key, status, rule = verdict_of[name]
                if key in verdicts:
                    raise EngineError(f"two rules fired for {key}: {verdicts[key][1]} and {rule}")
                verdicts[key] = (status, rule)
        if len(verdicts) != len(facts):
            missing = [f["key"] for f in facts if f["key"] not in verdicts]
            raise EngineError(f"durable-rules decided nothing for {', '.join(missing)}")
        return verdicts


def runner(scheme: Scheme) -> Runner:
    """The scheme's runner, compiled and created on first use."""
    c = checked(scheme)
    found = c._runner
    if isinstance(found, Runner):
        return found
    with _LOCK:
        if not isinstance(c._runner, Runner):  # another thread may have made it meanwhile
            compiled_ = compile_scheme(c)
            c._runner = Runner(compiled_, [Ruleset(f"{c.id}.{i}", d, checked=True) for i, d in enumerate(compiled_.rulesets)])
        made: Runner = c._runner
    return made


def compiled(scheme: Scheme) -> CompiledScheme:
    """The compiled form of ``scheme`` (compiled once per scheme object)."""
    return runner(scheme).compiled


def top_ruleset() -> Ruleset:
    """The assessment-level roll-up over the schemes assessed (``all``), created once per process."""
    with _LOCK:
        if not _TOP:
            _TOP.append(Ruleset("assessment", combinator_rules("A", "all")))
        return _TOP[0]


