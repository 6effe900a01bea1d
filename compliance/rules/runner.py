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
from dataclasses import dataclass
from typing import Any

from ..errors import EngineError
from ..results import Status
from ..schemes.loader import checked
from ..schemes.model import Scheme
from .compiler import CompiledScheme, combinator_rules, compile_scheme
from .runtime import Ruleset, Session

__all__ = ["Runner", "runner", "compiled", "top_ruleset"]

_LOCK = threading.Lock()
_TOP: list[Ruleset] = []


@dataclass(slots=True)
class Runner:
    """A compiled scheme with its rulesets created in the engine."""

    compiled: CompiledScheme
    rulesets: list[Ruleset]

    def fire(self, session: Session, facts: list[dict[str, Any]]) -> dict[str, tuple[Status, str]]:
        """Assert one stage's facts; return each key's verdict and the rule that decided it."""
        by_ruleset: dict[int, list[dict[str, Any]]] = {}
        _in_range(facts)
        for fact in facts:
            by_ruleset.setdefault(self.compiled.ruleset_of[fact["key"]], []).append(fact)
        verdicts: dict[str, tuple[Status, str]] = {}
        for index in sorted(by_ruleset):
            ruleset = self.rulesets[index]
            for name in session.fire(ruleset, by_ruleset[index]):
                key, status = name.split("|")
                if key in verdicts:
                    raise EngineError(f"two rules fired for {key}: {verdicts[key][1]} and {name}")
                verdicts[key] = (status, f"{ruleset.name}:{name}")  # type: ignore[assignment]
        missing = [f["key"] for f in facts if f["key"] not in verdicts]
        if missing:
            raise EngineError(f"durable-rules decided nothing for {', '.join(missing)}")
        return verdicts


#: The largest number a fact may carry (:data:`compliance.source.MAX_NUMBER`, exact in a double).
_FACT_LIMIT = float(2**53 - 1)


def _in_range(facts: list[dict[str, Any]]) -> None:
    """The boundary's own check: nothing non-finite or out of range reaches durable-rules.

    The inputs are refused long before this (NaN aborted the process inside the
    engine; a huge number was decided by nothing): a number here that is not
    finite and within range is a bug in this package, stopped before the engine sees it.
    """
    for fact in facts:
        for name, value in fact.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not -_FACT_LIMIT <= value <= _FACT_LIMIT:
                raise EngineError(f"a fact for {fact.get('key')} has {name}={value!r}: not a finite number in range, never sent to durable-rules")


def runner(scheme: Scheme) -> Runner:
    """The scheme's runner, compiled and created on first use."""
    c = checked(scheme)
    found = c._runner
    if isinstance(found, Runner):
        return found
    with _LOCK:
        if not isinstance(c._runner, Runner):  # another thread may have made it meanwhile
            compiled_ = compile_scheme(c)
            c._runner = Runner(compiled_, [Ruleset(f"{c.id}.{i}", d) for i, d in enumerate(compiled_.rulesets)])
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


