"""Hand-built assessments for the renderer tests, independent of the schemes and the engine."""

from __future__ import annotations

import datetime as dt

from compliance.results import (
    Assessment,
    LeafResult,
    ParameterUse,
    Reason,
    RecordRef,
    RequirementResult,
    SchemeResult,
    SectionResult,
    TrustInfo,
)


def _param(pid: str, value, unit="%", status="unconfirmed", **kw) -> ParameterUse:
    return ParameterUse(id=pid, value=value, unit=unit, status=status, source="DOC-TEST", **kw)


def _reason(code: str, **params) -> Reason:
    return Reason(code=code, params=params)


def _req(rid: str, title: str, status: str, *, leaves, unverified=False, **kw) -> RequirementResult:
    first = leaves[0].reason
    base = dict(
        id=rid,
        title=title,
        status=status,
        reason=kw.pop("reason", Reason(code=first.code, params={**first.params, "measurements": [0]})),
        verification="unconfirmed" if unverified else "confirmed",
        rests_on_unverified=unverified,
        severity="high",
        source="DOC-TEST (section 1)",
        text=f"The trust must show that {title.lower()}.",
        fired_rule=f"{rid}:{status}",
        measurements=leaves,
        remediation=kw.pop("remediation", f"Fix {title.lower()}."),
    )
    base.update(kw)
    return RequirementResult(**base)


def mixed_assessment(name: str = "Northfield Hospitals NHS Foundation Trust", ods: str = "RXX") -> Assessment:
    """Two schemes; gaps of every kind; a trajectory; unverified parameters."""
    sa1 = SectionResult(
        id="MIS-Y3-SA1",
        title="Perinatal mortality review tool",
        status="not_met",
        rollup="all",
        in_outcome=True,
        counts={"met": 1, "not_met": 1},
        fired_rule="MIS-Y3-SA1:not_met",
        challenge=["Are PMRT reviews resourced with enough clinician time?"],
        action_plan="Name the deaths not reviewed in time and the date each will be.",
        requirements=[
            _req(
                "MIS-Y3-SA1.a",
                "Deaths notified to MBRRACE-UK within seven working days",
                "met",
                leaves=[
                    LeafResult(
                        measure="timeliness",
                        describe="deaths notified within 7 working days",
                        outcome="true",
                        reason=_reason("holds", measured=100.0, threshold=95.0, comparison=">=", unit="%"),
                        value=100.0,
                        display="100% (4 of 4)",
                        unit="%",
                        comparison=">=",
                        threshold=95.0,
                        threshold_shown="95%",
                        threshold_param="MIS.Y3.SA1.a.coverage",
                    )
                ],
                evidence_used=["cases.perinatal_deaths"],
                parameters=[_param("MIS.Y3.SA1.a.coverage", 95, status="confirmed")],
            ),
            _req(
                "MIS-Y3-SA1.b",
                "PMRT reviews started within two months",
                "not_met",
                unverified=True,
                leaves=[
                    LeafResult(
                        measure="timeliness",
                        describe="reviews started within two months",
                        outcome="false",
                        reason=_reason("late", measured=75.0, threshold=95.0, comparison=">=", unit="%", numerator=3, denominator=4, shortfall=1, records=["D-004"]),
                        value=75.0,
                        display="75% (3 of 4)",
                        unit="%",
                        comparison=">=",
                        threshold=95.0,
                        threshold_shown="95%",
                        threshold_param="MIS.Y3.SA1.b.coverage",
                        shortfall="1 more reviews started within two months needed to reach 95% (3 of 4 now)",
                        records=[RecordRef(id="D-004", code="late", params={"field": "review_started_on", "date": "2021-02-20", "days_late": 12, "due": "2021-02-08"})],
                    )
                ],
                shortfall="1 more reviews started within two months needed to reach 95% (3 of 4 now)",
                records=[RecordRef(id="D-004", code="late", params={"field": "review_started_on", "date": "2021-02-20", "days_late": 12, "due": "2021-02-08"})],
                evidence_used=["cases.perinatal_deaths"],
                parameters=[
                    _param("MIS.Y3.SA1.b.coverage", 95, status="unconfirmed"),
                    _param("MIS.Y3.SA1.b.review_started_within", 2, unit="months", status="partly_confirmed"),
                ],
                challenge=["Which deaths were not reviewed within two months, and why?"],
            ),
        ],
    )
    sa3 = SectionResult(
        id="MIS-Y3-SA3",
        title="Transitional care and ATAIN",
        status="insufficient_evidence",
        rollup="all",
        in_outcome=True,
        counts={"met": 0, "insufficient_evidence": 1, "not_met": 1},
        fired_rule="MIS-Y3-SA3:insufficient",
        requirements=[
            _req(
                "MIS-Y3-SA3.a",
                "Transitional care pathway agreed",
                "not_met",
                leaves=[
                    LeafResult(
                        measure="attestation",
                        describe="a transitional care pathway",
                        outcome="false",
                        reason=_reason("self_attested", missing=["attestations.tc_pathway.document"], records=["attestations.tc_pathway"]),
                        value=False,
                        display="self-attested: no document backs it; no date of board approval",
                        comparison="==",
                        threshold=True,
                        records=[
                            RecordRef(id="attestations.tc_pathway", code="self_attested"),
                            RecordRef(id="attestations.tc_pathway", code="no_board_approval_date"),
                        ],
                        shortfall="self-attested: no document backs it; no date of board approval",
                    )
                ],
                shortfall="self-attested: no document backs it; no date of board approval",
                records=[
                    RecordRef(id="attestations.tc_pathway", code="self_attested"),
                    RecordRef(id="attestations.tc_pathway", code="no_board_approval_date"),
                ],
                evidence_used=["attestations.tc_pathway"],
                challenge=["Where is the signed pathway document?"],
            ),
            _req(
                "MIS-Y3-SA3.c",
                "ATAIN reviews shared quarterly",
                "insufficient_evidence",
                leaves=[
                    LeafResult(
                        measure="cadence",
                        describe="quarterly ATAIN reviews",
                        outcome="unknown",
                        reason=_reason("missing_evidence", missing=["events.atain_reviews"]),
                        comparison="<=",
                        threshold=0.0,
                        unit="windows missed",
                        missing=["events.atain_reviews"],
                    )
                ],
                missing_evidence=["events.atain_reviews"],
            ),
        ],
    )
    sa5 = SectionResult(
        id="MIS-Y3-SA5",
        title="Midwifery workforce",
        status="met",
        rollup="all",
        in_outcome=True,
        counts={"met": 1},
        fired_rule="MIS-Y3-SA5:met",
        requirements=[
            _req(
                "MIS-Y3-SA5.a",
                "Establishment calculation within three years",
                "met",
                leaves=[
                    LeafResult(
                        measure="recency",
                        describe="years since the establishment calculation",
                        outcome="true",
                        reason=_reason("holds", measured=1.5, threshold=3.0, comparison="<=", unit="years"),
                        value=1.5,
                        display="1.5 years old (dated 2019-09-30)",
                        unit="years",
                        comparison="<=",
                        threshold=3.0,
                        threshold_param="MIS.Y3.SA5.a.within",
                    )
                ],
                evidence_used=["attestations.midwifery_establishment_calculation"],
            )
        ],
    )
    cons = SectionResult(
        id="MIS-Y3-CONS",
        title="Consistency between actions",
        status="not_met",
        rollup="all",
        in_outcome=False,
        counts={"not_met": 1},
        fired_rule="MIS-Y3-CONS:not_met",
        requirements=[
            _req(
                "MIS-Y3-CONS.1",
                "Continuity-of-carer figures agree",
                "not_met",
                leaves=[
                    LeafResult(
                        measure="consistency",
                        describe="figures that differ",
                        outcome="false",
                        reason=_reason("inconsistent_between_actions", measured=1.0, records=["figure"]),
                        value=1.0,
                        display="1 of 1 figure(s) differ",
                        unit="differing figures",
                        comparison="==",
                        threshold=0.0,
                        records=[
                            RecordRef(
                                id="figure",
                                code="inconsistent_between_actions",
                                params={"a": "counts.coc_booked_on_pathway", "a_value": "120", "b": "counts.msds_coc_pathway_recorded", "b_value": "110"},
                            )
                        ],
                    )
                ],
                records=[
                    RecordRef(
                        id="figure",
                        code="inconsistent_between_actions",
                        params={"a": "counts.coc_booked_on_pathway", "a_value": "120", "b": "counts.msds_coc_pathway_recorded", "b_value": "110"},
                    )
                ],
                evidence_used=["counts.coc_booked_on_pathway", "counts.msds_coc_pathway_recorded"],
            )
        ],
    )
    sa9 = SectionResult(
        id="MIS-Y3-SA9",
        title="Board-level safety champions",
        status="met",
        rollup="all",
        in_outcome=True,
        counts={"met": 1},
        fired_rule="MIS-Y3-SA9:met",
        requirements=[
            _req(
                "MIS-Y3-SA9.c",
                "Continuity of carer on track",
                "met",
                leaves=[
                    LeafResult(
                        measure="proportion",
                        describe="women placed on a continuity-of-carer pathway",
                        outcome="true",
                        reason=_reason("holds", measured=35.0, threshold=35.0, comparison=">=", unit="%"),
                        value=35.0,
                        display="35% (120 of 343)",
                        unit="%",
                        comparison=">=",
                        threshold=35.0,
                        threshold_shown="35%",
                    )
                ],
                evidence_used=["counts.coc_booked_on_pathway"],
            )
        ],
    )
    mis = SchemeResult(
        id="mis-y3",
        title="CNST Maternity Incentive Scheme, Year 3 (2020/21)",
        version="Y3-v4 (March 2021)",
        publisher="NHS Resolution",
        status="not_met",
        outcome="No refund is due: at least one safety action is not met.",
        level="safety action",
        level_plural="safety actions",
        counts={"met": 2, "not_met": 1, "insufficient_evidence": 1},
        fired_rule="mis-y3:not_met",
        unmet_sections=["MIS-Y3-SA1", "MIS-Y3-SA3"],
        action_plan_route="Submit an action plan for each unmet action.",
        sections=[sa1, sa3, sa5, sa9, cons],
        parameter_overrides=[],
        unverified_requirements=2,
    )
    e5 = SectionResult(
        id="SBLv2-AMB",
        title="National ambition",
        status="not_met",
        rollup="all",
        in_outcome=True,
        counts={"not_met": 1, "met": 1},
        fired_rule="SBLv2-AMB:not_met",
        requirements=[
            _req(
                "SBLv2-AMB-1",
                "Stillbirth rate on the national trajectory",
                "not_met",
                unverified=True,
                leaves=[
                    LeafResult(
                        measure="trajectory",
                        describe="stillbirths per 1,000 births",
                        outcome="false",
                        reason=_reason("above_trajectory", measured=4.1, threshold=3.4, unit="per 1,000", year=2021, shortfall=0.7),
                        value=4.1,
                        display="4.1 per 1,000 (16 of 3,900)",
                        unit="per 1,000",
                        comparison="<=",
                        threshold=3.4,
                        threshold_shown="3.4 per 1,000 (2021 trajectory)",
                        shortfall="0.7 per 1,000 above the 2021 trajectory of 3.4",
                        trajectory_year=2021,  # as the engine sets it: the chart reads the year, never the wording
                    )
                ],
                shortfall="0.7 per 1,000 above the 2021 trajectory of 3.4",
                evidence_used=["rates.stillbirth"],
                parameters=[_param("TPS.AMB.stillbirth.2020", 3.5, unit="per 1,000")],
            ),
            _req(
                "SBLv2-AMB-2",
                "Neonatal death rate on the national trajectory",
                "met",
                leaves=[
                    LeafResult(
                        measure="trajectory",
                        describe="neonatal deaths per 1,000 births",
                        outcome="true",
                        reason=_reason("holds", measured=1.2, threshold=1.4, comparison="<=", unit="per 1,000"),
                        value=1.2,
                        display="1.2 per 1,000 (5 of 4,100)",
                        unit="per 1,000",
                        comparison="<=",
                        threshold=1.4,
                        threshold_shown="1.4 per 1,000 (2021 trajectory)",
                        trajectory_year=2021,
                    )
                ],
                evidence_used=["rates.neonatal_death"],
            ),
        ],
    )
    e1 = SectionResult(
        id="SBLv2-E1",
        title="Reducing smoking in pregnancy",
        status="not_applicable",
        rollup="all",
        in_outcome=True,
        counts={"not_applicable": 1},
        fired_rule="SBLv2-E1:na",
        requirements=[
            _req(
                "SBLv2-E1-P1",
                "CO reading at booking",
                "not_applicable",
                leaves=[
                    LeafResult(
                        measure="proportion",
                        describe="women with a CO reading at booking",
                        outcome="not_applicable",
                        reason=_reason("zero_denominator", records_path="counts.sbl_e1_co_at_booking"),
                        comparison=">=",
                        threshold=95.0,
                        unit="%",
                        note="counts.sbl_e1_co_at_booking has a denominator of 0: nothing to measure",
                    )
                ],
            )
        ],
    )
    sbl = SchemeResult(
        id="sblcbv2",
        title="Saving Babies' Lives Care Bundle, version 2",
        version="v2 (2019)",
        publisher="NHS England",
        status="not_met",
        outcome="Not all elements are implemented.",
        level="element",
        level_plural="elements",
        requirement_level="requirement",
        counts={"not_met": 1, "not_applicable": 1},
        fired_rule="sblcbv2:not_met",
        sections=[e1, e5],
        parameter_overrides=[_param("TPS.AMB.stillbirth.2020", 3.5, unit="per 1,000", overridden=True, default=3.6)],
        unverified_requirements=1,
    )
    return Assessment(
        trust=TrustInfo(name=name, ods_code=ods),
        period_start=dt.date(2020, 10, 1),
        period_end=dt.date(2021, 3, 31),
        assessed_as_of=dt.date(2021, 3, 31),
        submitted_on=dt.date(2021, 7, 1),
        submitted_by="Alex Morgan, Director of Midwifery",
        source="examples/northfield.json",
        status="not_met",
        schemes=[mis, sbl],
    )


def met_assessment(name: str = "Southdale NHS Trust", ods: str = "RYY") -> Assessment:
    """Everything met."""
    req = _req(
        "MIS-Y3-SA5.a",
        "Establishment calculation within three years",
        "met",
        leaves=[
            LeafResult(
                measure="recency",
                describe="years since the establishment calculation",
                outcome="true",
                reason=_reason("holds", measured=1.0, threshold=3.0, comparison="<=", unit="years"),
                value=1.0,
                display="1 years old (dated 2020-03-31)",
                unit="years",
                comparison="<=",
                threshold=3.0,
            )
        ],
    )
    sec = SectionResult(
        id="MIS-Y3-SA5",
        title="Midwifery workforce",
        status="met",
        rollup="all",
        in_outcome=True,
        counts={"met": 1},
        fired_rule="MIS-Y3-SA5:met",
        requirements=[req],
    )
    scheme = SchemeResult(
        id="mis-y3",
        title="CNST Maternity Incentive Scheme, Year 3 (2020/21)",
        version="Y3-v4 (March 2021)",
        publisher="NHS Resolution",
        status="met",
        outcome="Incentive recovered.",
        level="safety action",
        level_plural="safety actions",
        counts={"met": 1},
        fired_rule="mis-y3:met",
        sections=[sec],
    )
    return Assessment(
        trust=TrustInfo(name=name, ods_code=ods),
        period_start=dt.date(2020, 10, 1),
        period_end=dt.date(2021, 3, 31),
        assessed_as_of=dt.date(2021, 3, 31),
        submitted_on=dt.date(2021, 7, 1),
        submitted_by="Sam Lee, Head of Midwifery",
        source=None,
        status="met",
        schemes=[scheme],
    )


SCHEME_DATA = {
    "id": "sample",
    "title": "Sample scheme",
    "version": "1 (test)",
    "publisher": "Test publisher",
    "description": "A small scheme for the renderer tests.",
    "sources": [{"key": "DOC-TEST", "title": "The test document", "date": "2021-03"}],
    "period": {"start": "2020-10-01", "end": "2021-03-31", "status": "unconfirmed"},
    "parameters": {
        "T.coverage": {"value": 95, "unit": "%", "description": "Share that must be on time", "status": "unconfirmed", "source": "DOC-TEST 1.3", "note": "From memory."},
        "T.within": {"value": 2, "unit": "months", "range": {"min": 1, "max": 24, "whole": True}, "description": "The time limit", "status": "confirmed", "source": "DOC-TEST 1.3"},
        "T.every": {"value": 3, "unit": "months", "range": {"min": 1, "max": 24, "whole": True}, "description": "How often", "status": "partly_confirmed", "source": "DOC-TEST 2"},
    },
    "outcome": {"met": "All met.", "not_met": "Not all met.", "action_plan_route": "Send a plan."},
    "sections": [
        {
            "id": "T-1",
            "title": "Reviews",
            "challenge": ["Are reviews resourced?"],
            "requirements": [
                {
                    "id": "T-1.a",
                    "title": "Reviews started in time",
                    "text": "Reviews start within two months of the death.",
                    "source": "DOC-TEST 1.3",
                    "status": "unconfirmed",
                    "evidence": ["cases.perinatal_deaths"],
                    "remediation": "Start reviews sooner.",
                    "challenge": ["Which reviews were late?"],
                    "notes": ["Counted from the date of death."],
                    "rule": {
                        "measure": {
                            "kind": "timeliness",
                            "records": "cases.perinatal_deaths",
                            "where": {"suitable_for_review": True},
                            "start": "died_on",
                            "end": "review_started_on",
                            "within": {"months": {"param": "T.within"}},
                        },
                        "compare": ">=",
                        "threshold": "T.coverage",
                        "describe": "reviews started within two months",
                    },
                },
                {
                    "id": "T-1.b",
                    "title": "Board reports and a pathway",
                    "text": "Quarterly board reports and an agreed pathway.",
                    "source": "DOC-TEST 2",
                    "status": "confirmed",
                    "severity": "medium",
                    "remediation": "Report quarterly.",
                    "rule": {
                        "all": [
                            {
                                "measure": {"kind": "cadence", "events": "events.pmrt_board_reports", "every_months": {"param": "T.every"}},
                                "compare": "<=",
                                "threshold": 0,
                                "describe": "quarterly board reports",
                            },
                            {
                                "measure": {"kind": "attestation", "item": "attestations.tc_pathway", "require_board_approval": True},
                                "compare": "==",
                                "threshold": True,
                                "describe": "an agreed pathway",
                            },
                        ]
                    },
                },
            ],
        },
        {
            "id": "T-2",
            "title": "Training",
            "in_outcome": False,
            "requirements": [
                {
                    "id": "T-2.a",
                    "title": "Staff trained",
                    "text": "Every staff group trained.",
                    "source": "DOC-TEST 3",
                    "status": "partly_confirmed",
                    "remediation": "Train them.",
                    "effective": {"from": "2020-10-01", "note": "from Year 3"},
                    "rule": {
                        "any": [
                            {"measure": {"kind": "group_minimum", "groups": "groups.training_maternity_emergencies"}, "compare": ">=", "threshold": 90, "describe": "staff trained"},
                            {"not": {"measure": {"kind": "trajectory", "rate": "rates.stillbirth", "per": 1000, "definition": {"denominator": "all_births"}, "points": {2020: 4.0, 2025: 2.6}, "min_events": 3}, "compare": "<=", "describe": "stillbirths per 1,000 births"}},
                        ]
                    },
                },
            ],
        },
    ],
    "not_encoded": [{"id": "T-9", "reason": "Not measurable from evidence."}],
}


def sample_scheme():
    """The sample scheme, checked (as the loader gives every scheme)."""
    from compliance.schemes.loader import checked
    from compliance.schemes.model import Scheme

    return checked(Scheme.model_validate(SCHEME_DATA))
