"""Safety signals: adverse informative outcomes that a headline must not hide.

**Stage:** an analysis between the assessment and the renderers.  :func:`build`
takes an :class:`~compliance.results.Assessment` and returns the
:class:`Signal` list, in scheme and requirement order:

* ``worse_than_trajectory`` -- a rate measured against a national ambition
  trajectory that did not meet it, in a section (or requirement) that informs
  rather than decides.  A verdict can be "met" while this is so; a board must
  read the two together.
* ``special_cause_concern`` -- the latest month of a monthly series is
  special-cause variation in the adverse direction (NHS England's *Making
  Data Count* variation icon of concern).

A rate that decides the outcome and fails already shows as "not met"; it is
not repeated here.  Nothing is worded: :func:`compliance.report.wording.signal_text`
says each one, next to the verdict, in every renderer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..results import Assessment

__all__ = ["Signal", "SignalKind", "build"]

SignalKind = Literal["worse_than_trajectory", "special_cause_concern"]


@dataclass(frozen=True, slots=True)
class Signal:
    kind: SignalKind
    #: Every requirement that measured the same thing with the same figures (a rate can be read by two schemes).
    requirement_ids: tuple[str, ...]
    #: What was measured, as the scheme describes it ("stillbirths per 1,000 births").
    measure: str
    value: float | None
    threshold: float | None
    unit: str
    #: The trajectory's year, for ``worse_than_trajectory``.
    year: int | None = None
    #: The latest month ("2021-06"), for ``special_cause_concern``.
    month: str | None = None


def build(assessment: Assessment) -> tuple[Signal, ...]:
    """The signals, each said once: the same figures read by several requirements name them all."""
    found: dict[tuple[object, ...], list[str]] = {}
    first: dict[tuple[object, ...], Signal] = {}

    def add(sig: Signal) -> None:
        key = (sig.kind, sig.measure, sig.value, sig.threshold, sig.unit, sig.year, sig.month)
        first.setdefault(key, sig)
        found.setdefault(key, []).extend(i for i in sig.requirement_ids if i not in found.get(key, []))

    for scheme in assessment.schemes:
        for sec in scheme.sections:
            for req in sec.requirements:
                for leaf in req.measurements:
                    if leaf.measure != "trajectory":
                        continue
                    chart = leaf.run_chart
                    if chart is not None and chart.variation == "concern":
                        add(Signal("special_cause_concern", (req.id,), leaf.describe,
                            chart.values[-1], chart.mean, leaf.unit, month=chart.months[-1]))
                    if not sec.in_outcome and leaf.outcome == "false":
                        add(Signal("worse_than_trajectory", (req.id,), leaf.describe,
                            leaf.value if isinstance(leaf.value, float) else None,
                            leaf.threshold if isinstance(leaf.threshold, float) else None,
                            leaf.unit, year=leaf.trajectory_year))
    return tuple(Signal(sig.kind, tuple(found[key]), sig.measure, sig.value, sig.threshold, sig.unit, sig.year, sig.month)
                 for key, sig in first.items())
