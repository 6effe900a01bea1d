"""Decisions the evidence cannot make: a verdict that rests on a body outside the trust.

Some standards have a route whose terms are decided elsewhere and could not be
read (NHS Resolution's March 2021 regime for trusts that "came close" to the
MIS safety action 2 data-quality criteria).  Claiming such a route must not be
read as a pass, nor ignored as a fail: combined with ``all`` after the claim,
this measure makes the route *insufficient evidence*, with the body that
decides named.
"""

from __future__ import annotations

from pydantic import Field

from .base import Context, Evaluator, Measurement, Params, register

__all__ = ["ExternalDecision"]


class ExternalDecisionParams(Params):
    by: str = Field(description="Who decides, e.g. 'NHS Resolution'.")
    under: str = Field(description="Under what, e.g. 'its March 2021 regime for trusts that came close'.")
    note: str | None = Field(
        None, description="Why nothing in the evidence can decide it, shown with the measurement (for a requirement that is never decidable here)."
    )


@register
class ExternalDecision(Evaluator):
    """Always unknown: a verdict decided by another body, under terms the scheme does not hold.

    The measurement is *missing* with no evidence path (nothing the trust
    could add would decide it), and its display names who decides and under
    what, so a report says why the requirement is not decided here.
    """

    kind = "external_decision"
    Params = ExternalDecisionParams
    value_type = bool
    example = """\
measure:
  kind: external_decision
  by: NHS Resolution
  under: its March 2021 regime for trusts that came close to the criteria
compare: "=="
threshold: true
describe: NHS Resolution's decision on the near-miss route
"""

    def evidence_paths(self, params: ExternalDecisionParams) -> dict[str, tuple[type, ...]]:
        return {}

    def measure(self, params: ExternalDecisionParams, ctx: Context) -> Measurement:
        return Measurement("missing", display=f"decided by {params.by} under {params.under}, not from the evidence", note=params.note, reason="decided_externally")
