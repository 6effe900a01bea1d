"""Dated things: the cadence of events, how recent something is, and attestations backed by documents."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field

from ..evidence.records import Attestation, DatedEvent
from ..vocabulary import Comparison
from .base import (
    Context,
    Evaluator,
    Measurement,
    Number,
    Params,
    Read,
    Record,
    fmt_num,
    register,
)
from .calendar import months_between, whole_windows

__all__ = ["Cadence", "Recency", "AttestationCheck", "DateOrder"]


class CadenceParams(Params):
    events: str
    every_months: Number = Field(description="Window length in months: 1 monthly, 2 bi-monthly, 3 quarterly, 6 six-monthly.")
    covering: str | None = Field(None, description="Only count events whose 'covers' list includes this dashboard item.")


def _cadence_name(months: int) -> str:
    return {1: "monthly", 2: "bi-monthly", 3: "quarterly", 6: "six-monthly", 12: "yearly"}.get(months, f"{months}-monthly")


@register
class Cadence(Evaluator):
    """How many windows of the period had no event: "bi-monthly through the period", "quarterly".

    The period is cut into consecutive windows of ``every_months`` from its
    start.  Only whole windows that have ended by the assessment date are
    judged: a shorter stub at the end of the period (15 days of a quarter,
    say) would demand an event the cadence does not.  The value is the
    number of windows missed, and each missed window is named.
    """

    kind = "cadence"
    fails_as = "missed_window"
    Params = CadenceParams
    value_type = float
    example = """\
measure:
  kind: cadence
  events: events.board_champion_walkabouts
  every_months: {param: MIS.Y3.SA9.b.board_champion_feedback_interval}
compare: "<="
threshold: 0
describe: bi-monthly walkabouts
"""

    def evidence_paths(self, params: CadenceParams) -> dict[str, tuple[type, ...]]:
        return {params.events: (list,)}

    def reads(self, params: CadenceParams) -> tuple[Read, ...]:
        out = [Read(params.events)]
        if params.covering is not None:  # a report that does not list the item does not count for it
            out.append(Read(f"{params.events}[].covers", "false"))
        return tuple(out)

    def measure(self, params: CadenceParams, ctx: Context) -> Measurement:
        evidence = (params.events,)
        events: list[DatedEvent] | None = ctx.get(params.events)
        if events is None:
            return Measurement("missing", missing=evidence, evidence=evidence)
        months = int(ctx.num(params.every_months))
        dates = sorted(e.date for e in events if params.covering is None or params.covering in e.covers)
        judged = [w for w in whole_windows(ctx.period_start, ctx.period_end, months) if w[1] <= ctx.as_of]
        if not judged:
            return Measurement(
                "na",
                evidence=evidence,
                na_reason=f"no whole {_cadence_name(months)} window of the period has ended by {ctx.as_of}",
                reason="no_window_ended",
                reason_params={"as_of": ctx.as_of.isoformat()},
            )
        missed = [(lo, hi) for lo, hi in judged if not any(lo <= d <= hi for d in dates)]
        what = f" covering {params.covering}" if params.covering else ""
        records = tuple(
            Record(
                f"{lo} to {hi}",
                f"no event{what} in this {_cadence_name(months)} window",
                "missed_window",
                {"from": lo.isoformat(), "until": hi.isoformat(), "covering": params.covering},
            )
            for lo, hi in missed
        )
        return Measurement(
            "ok",
            float(len(missed)),
            "windows missed",
            f"{len(missed)} of {len(judged)} {_cadence_name(months)} windows missed",
            evidence=evidence,
            records=records,
            detail={"windows": len(judged), "cadence": _cadence_name(months)},
        )

    def shortfall(self, params: CadenceParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
        over = int(m.value or 0) - int(float(threshold))
        if over > 0:
            return f"{over} missed {m.detail['cadence']} window(s) need {describe}: " + ", ".join(r.id for r in m.records)
        return None


class RecencyParams(Params):
    item: str = Field(description="An attestation (its document date) or a list of dated events (the latest).")
    unit: str = Field("months", pattern="^(days|months|years)$")


@register
class Recency(Evaluator):
    """How long ago something was done, as of the assessment date ("within the last three years").

    Reads the document date of an attestation, or the latest date in a list of
    events; the value is the age in ``unit`` (days, months or years).
    """

    kind = "recency"
    fails_as = "stale_document"
    Params = RecencyParams
    value_type = float
    example = """\
measure:
  kind: recency
  item: attestations.midwifery_establishment_calculation
  unit: years
compare: "<="
threshold: MIS.Y4.SA5.a.calculation_within_years
describe: years since the establishment calculation
"""

    def evidence_paths(self, params: RecencyParams) -> dict[str, tuple[type, ...]]:
        return {params.item: (Attestation, list)}

    def reads(self, params: RecencyParams) -> tuple[Read, ...]:
        # For an attestation the age is its document's date (for a list of events, the latest date).
        return (Read(params.item), Read(f"{params.item}.document"), Read(f"{params.item}.document.dated"))

    def measure(self, params: RecencyParams, ctx: Context) -> Measurement:
        evidence = (params.item,)
        item = ctx.get(params.item)
        when: dt.date | None = None
        if isinstance(item, Attestation):
            when = item.document.dated if item.document else None
            missing = f"{params.item}.document.dated"
        elif item:
            when = max(e.date for e in item)
            missing = params.item
        else:
            missing = params.item
        if when is None:
            return Measurement("missing", missing=(missing,), evidence=evidence)
        if params.unit == "days":
            age = float((ctx.as_of - when).days)
        elif params.unit == "months":
            age = round(months_between(when, ctx.as_of), 2)
        else:
            age = round(months_between(when, ctx.as_of) / 12.0, 2)
        return Measurement("ok", age, params.unit, f"{fmt_num(age)} {params.unit} old (dated {when})", evidence=evidence, detail={"when": when})

    def shortfall(self, params: RecencyParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
        return (
            f"{describe} is dated {m.detail['when']}, {fmt_num(float(m.value or 0))} {params.unit} before the assessment date;"
            f" it must be within {fmt_num(float(threshold))} {params.unit}"
        )


class AttestationParams(Params):
    item: str
    require_document: bool = Field(True, description="A document must back the claim.")
    document_in_period: bool = Field(False, description="The document must be dated inside the reporting period.")
    require_board_approval: bool = Field(False, description="The board must have approved or received it on a date.")
    board_approval_in_period: bool = Field(True, description="That date must be inside the reporting period.")
    require_signed_by: bool = Field(False, description="It must say who signed it (e.g. the chief executive).")
    when_absent: Literal["insufficient_evidence", "not_attested"] = Field(
        "insufficient_evidence",
        description="What an attestation left out of the evidence means: unknown (the default), or, for an "
        "optional alternative route a trust claims only when it applies, that the route is not claimed.",
    )


@register
class AttestationCheck(Evaluator):
    """An attestation backed by a document: attested, documented, dated inside the period, board-approved.

    The claim fails (false) when the trust does not attest it or when its
    evidence contradicts the rule (a document or board approval dated
    outside the period).  When a part the rule needs was not given (no
    document, an undated document, no date of board approval, no
    signatory), the claim can be neither confirmed nor refuted: the
    measurement is *missing*, naming the part, so a self-attested claim is
    visible as exactly that and the requirement is insufficient evidence,
    not a gap the trust may not have.
    """

    kind = "attestation"
    Params = AttestationParams
    value_type = bool
    example = """\
measure:
  kind: attestation
  item: attestations.tc_pathway
  require_document: true
  require_board_approval: true
compare: "=="
threshold: true
describe: a transitional care pathway
"""

    def evidence_paths(self, params: AttestationParams) -> dict[str, tuple[type, ...]]:
        return {params.item: (Attestation,)}

    def reads(self, params: AttestationParams) -> tuple[Read, ...]:
        item = Read(params.item, "false" if params.when_absent == "not_attested" else "missing")
        return (item, *(Read(part) for part in self.parts(params)))

    def parts(self, params: AttestationParams) -> tuple[str, ...]:
        """The sub-paths of the attestation this rule needs, besides ``attested`` itself."""
        out = []
        if params.require_document or params.document_in_period:
            out.append(f"{params.item}.document")
        if params.document_in_period:
            out.append(f"{params.item}.document.dated")
        if params.require_board_approval:
            out.append(f"{params.item}.board_approved_on")
        if params.require_signed_by:
            out.append(f"{params.item}.signed_by")
        return tuple(out)

    def measure(self, params: AttestationParams, ctx: Context) -> Measurement:
        evidence = (params.item,)
        item: Attestation | None = ctx.get(params.item)
        if item is None:
            if params.when_absent == "not_attested":
                return Measurement("ok", False, "", "not claimed", evidence=evidence, records=(Record(params.item, "not claimed: not in the evidence", "not_claimed"),))
            return Measurement("missing", missing=evidence, evidence=evidence)
        lo, hi = ctx.period_start, ctx.period_end
        problems: list[Record] = []  # what contradicts the claim
        gaps: list[tuple[str, Record]] = []  # what the rule needs and was not given
        if not item.attested:
            problems.append(Record(params.item, "the trust does not attest that this is in place", "not_attested"))
        if (params.require_document or params.document_in_period) and item.document is None:
            gaps.append((f"{params.item}.document", Record(params.item, "self-attested: no document backs it", "self_attested")))
        if params.document_in_period and item.document is not None:
            if item.document.dated is None:
                gaps.append((f"{params.item}.document.dated", Record(params.item, f"document '{item.document.title}' is undated", "undated_document", {"title": item.document.title})))
            elif not lo <= item.document.dated <= hi:
                problems.append(
                    Record(
                        params.item,
                        f"document '{item.document.title}' is dated {item.document.dated}, outside the period {lo} to {hi}",
                        "dated_outside_period",
                        {"title": item.document.title, "dated": item.document.dated.isoformat(), "period_start": lo.isoformat(), "period_end": hi.isoformat()},
                    )
                )
        if params.require_board_approval:
            if item.board_approved_on is None:
                gaps.append((f"{params.item}.board_approved_on", Record(params.item, "no date of board approval", "no_board_approval_date")))
            elif params.board_approval_in_period and not lo <= item.board_approved_on <= hi:
                problems.append(
                    Record(
                        params.item,
                        f"board approval dated {item.board_approved_on}, outside the period {lo} to {hi}",
                        "signed_outside_period",
                        {"dated": item.board_approved_on.isoformat(), "period_start": lo.isoformat(), "period_end": hi.isoformat()},
                    )
                )
        if params.require_signed_by and not item.signed_by:
            gaps.append((f"{params.item}.signed_by", Record(params.item, "not signed: no signatory given", "unsigned")))
        records = tuple(problems) + tuple(r for _, r in gaps)
        if problems:
            return Measurement("ok", False, "", "; ".join(r.reason for r in records), evidence=evidence, records=records)
        if gaps:
            # Nothing contradicts the claim, but part of what the rule needs is not there.
            return Measurement(
                "missing",
                display="; ".join(r.reason for r in records),
                evidence=evidence,
                missing=tuple(path for path, _ in gaps),
                records=records,
            )
        shown = "in place"
        if item.document is not None:
            shown += f" ({item.document.title}" + (f", {item.document.dated}" if item.document.dated else "") + ")"
        return Measurement("ok", True, "", shown, evidence=evidence)

    def shortfall(self, params: AttestationParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
        if m.records:
            return "; ".join(r.reason for r in m.records)
        return None


class DateOrderParams(Params):
    earlier: str = Field(description="Evidence path of the date that must come first (e.g. a discussion's minutes).")
    later: str = Field(description="Evidence path of the date that must come after it (e.g. the board sign-off).")
    same_day: bool = Field(True, description="Whether the two on the same day count as in order.")


@register
class DateOrder(Evaluator):
    """Whether one dated thing came before another: "discussed with the commissioner before sign-off".

    The value is true when the ``earlier`` date is before the ``later`` one
    (or on the same day, unless ``same_day`` is false); either date not
    given makes the measurement missing, naming it.
    """

    kind = "date_order"
    fails_as = "wrong_order"
    Params = DateOrderParams
    value_type = bool
    example = """\
measure:
  kind: date_order
  earlier: attestations.commissioner_discussion.document.dated
  later: board_sign_off.board_approved_on
compare: "=="
threshold: true
describe: the commissioner discussion before the board sign-off
"""

    def evidence_paths(self, params: DateOrderParams) -> dict[str, tuple[type, ...]]:
        return {params.earlier: (dt.date,), params.later: (dt.date,)}

    def measure(self, params: DateOrderParams, ctx: Context) -> Measurement:
        evidence = (params.earlier, params.later)
        first: dt.date | None = ctx.get(params.earlier)
        second: dt.date | None = ctx.get(params.later)
        if first is None or second is None:
            return Measurement("missing", evidence=evidence, missing=tuple(p for p, v in ((params.earlier, first), (params.later, second)) if v is None))
        ok = first < second or (params.same_day and first == second)
        shown = f"{params.earlier.rsplit('.', 1)[0]} {first}, {params.later.rsplit('.', 1)[0]} {second}"
        records = (
            ()
            if ok
            else (
                Record(
                    params.earlier,
                    f"{first} is {'after' if first > second else 'the same day as'} {second} ({params.later})",
                    "wrong_order",
                    {"date": first.isoformat(), "later": params.later, "later_date": second.isoformat()},
                ),
            )
        )
        return Measurement("ok", ok, "", shown, evidence=evidence, records=records)

    def shortfall(self, params: DateOrderParams, m: Measurement, threshold: Any, op: Comparison, describe: str) -> str | None:
        return "; ".join(r.reason for r in m.records) or None
