"""The catalogue of named evidence items that schemes may refer to.

A scheme names evidence by path (``counts.sbl_e1_co_at_booking``,
``cases.perinatal_deaths``); the scheme loader checks every path against these
models, so a scheme that asks for evidence nobody can submit fails when it is
loaded.  Each field's description is what ``compliance template`` writes as
the comment beside it, so write it for the person filling the file in.

``None`` means "not submitted" (the rule is then ``insufficient_evidence``);
an empty list means "submitted: there were none" (often ``not_applicable``).
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from pydantic import Field, field_validator

from .records import (
    PERCENT,
    Attestation,
    Count,
    DatedEvent,
    MonthlyCount,
    PerinatalDeath,
    QualifyingCase,
    Rate,
    Strict,
    StrictFloat,
    StrictInt,
    Team,
    check_series,
)

__all__ = ["Counts", "Figures", "Groups", "Events", "Attestations", "Rates", "Series", "Teams", "Cases", "SECTIONS", "Subgroup", "SUBGROUPS", "RENAMED"]


def _f(description: str) -> Any:
    return Field(None, description=description)


class Counts(Strict):
    """Proportions submitted as numerator / denominator."""

    msds_ethnicity_recorded: Count | None = _f("Bookings in the scorecard month with ethnic category recorded in MSDS / all bookings (MIS-Y3-SA2.b).")
    msds_coc_pathway_recorded: Count | None = _f("Women placed on a continuity-of-carer pathway whose pathway is recorded in MSDS / all women placed on one (MIS-Y3-SA2.c, CoC-MEAS-1).")
    supernumerary_coordinator_shifts: Count | None = _f("Shifts on which the labour ward coordinator was supernumerary / all shifts (MIS-Y3-SA5.c).")
    one_to_one_care_in_labour: Count | None = _f("Women in active labour who received one-to-one midwifery care / all women in active labour (MIS-Y3-SA5.d).")
    coc_booked_on_pathway: Count | None = _f("Women booked who were placed on a continuity-of-carer pathway / all women booked (CoC-TGT, MIS-Y3-SA9.c).")
    coc_black_asian_on_pathway: Count | None = _f("Black and Asian women placed on a continuity-of-carer pathway / all Black and Asian women booked (CoC-TGT-6).")
    coc_most_deprived_on_pathway: Count | None = _f("Women from the 10% most deprived neighbourhoods placed on a continuity-of-carer pathway / all such women booked (CoC-TGT-6).")
    coc_black_asian_receiving: Count | None = _f("Black and Asian women booked who received continuity of carer / all Black and Asian women booked (CoC-TGT-6; the MSDS 'receiving continuity of care' measure by ethnicity, CoC-MEAS-2).")
    coc_most_deprived_receiving: Count | None = _f("Women from the 10% most deprived neighbourhoods booked who received continuity of carer / all such women booked (CoC-TGT-6; the MSDS 'receiving continuity of care' measure by deprivation decile, CoC-MEAS-2).")
    coc_receiving_continuity: Count | None = _f("Women on a pathway who received continuity of care (ongoing) / women on a pathway (CoC-MEAS-2).")
    sbl_e1_co_at_booking: Count | None = _f("Women with a carbon monoxide reading recorded at booking / women booked (SBLv2-E1-P1).")
    sbl_e1_co_at_36_weeks: Count | None = _f("Women with a CO reading recorded at 36 weeks / women reaching 36 weeks (SBLv2-E1-P2).")
    sbl_e1_referred_to_stop_smoking: Count | None = _f("Women with raised CO or who smoke referred to stop-smoking support / all such women (SBLv2-E1-P3).")
    sbl_e2_risk_assessed_at_booking: Count | None = _f("Pregnancies with FGR risk status recorded at booking / pregnancies booked (SBLv2-E2-P1).")
    sbl_e2_serial_scans_high_risk: Count | None = _f("High-risk women receiving serial ultrasound as per pathway / high-risk women (SBLv2-E2-P2).")
    sbl_e3_rfm_information_timely: Count | None = _f("Women given reduced-fetal-movement information by the gestation the scheme sets (SBLv2.E3.rfm_info_by) / women reaching that gestation (SBLv2-E3-P1).")
    sbl_e3_rfm_computerised_ctg: Count | None = _f("Women presenting with reduced fetal movements who had a computerised CTG / all such women (SBLv2-E3-P2).")
    sbl_e4_risk_assessment_and_buddy: Count | None = _f("Audited labours with a documented risk assessment at onset and hourly buddy review / labours audited (SBLv2-E4-P3).")
    sbl_e5_steroids_full_course_timely: Count | None = _f("Singleton live births below the gestation the scheme sets (SBLv2.E5.steroids_gestation_upper) with a full course of antenatal corticosteroids in the days before birth it sets (SBLv2.E5.steroids_full_course_within) / all such births (SBLv2-E5-P1).")
    sbl_e5_steroids_after_window: Count | None = _f("Singleton live births more than the set number of days (SBLv2.E5.steroids_full_course_within) after completing the first course of steroids / births after steroids (SBLv2-E5-P2; lower is better).")
    sbl_e5_mgso4_timely: Count | None = _f("Singleton live births below the gestation the scheme sets (SBLv2.E5.mgso4_gestation_upper) with magnesium sulphate within the hours before birth it sets (SBLv2.E5.mgso4_within) / all such births (SBLv2-E5-P3).")
    sbl_e5_appropriate_setting: Count | None = _f("Women giving birth in a care setting appropriate for gestation / all preterm births (SBLv2-E5-P4).")


class Figures(Strict):
    """Single numbers."""

    msds_cqims_passed: StrictInt | None = Field(None, ge=0, description="Clinical Quality Improvement Metrics passed on the CNST scorecard in the named month (MIS-Y3-SA2.b).")
    coc_plan_target_percent: StrictFloat | None = Field(
        None,
        ge=0,
        le=100,
        json_schema_extra=PERCENT,
        description="The share of booking women the continuity-of-carer action plan aims to place on a pathway, in % (MIS-Y3-SA9.c).",
    )
    ccf_core_modules_in_plan: StrictInt | None = Field(None, ge=0, le=20, description="How many of the Core Competency Framework's six core modules the local training plan covers (MIS-Y4-SA8.a).")


class Groups(Strict):
    """Figures per staff group, as ``{group: {numerator, denominator}}``."""

    training_maternity_emergencies: dict[str, Count] | None = _f("Per staff group: staff who attended in-house multi-professional maternity emergencies training / staff in the group (MIS-Y3-SA8.a).")
    training_fetal_monitoring: dict[str, Count] | None = _f("Per staff group caring for women in labour: staff who completed annual fetal monitoring training / staff in the group (SBLv2-E4-P1, MIS-Y3-SA8).")
    competency_fetal_monitoring: dict[str, Count] | None = _f("Per staff group: staff who passed the annual fetal monitoring competency assessment / staff in the group (SBLv2-E4-P2).")
    training_newborn_life_support: dict[str, Count] | None = _f("Per staff group: staff who completed newborn life support training / staff in the group (MIS-Y3-SA8.c).")
    training_fetal_monitoring_sa8: dict[str, Count] | None = _f("Per staff group: staff who completed annual fetal monitoring training, as given in the MIS SA8 training return; must match training_fetal_monitoring (SBLv2-E4-P1) for the same period (MIS-Y3-CONSISTENCY).")


class Events(Strict):
    """Dated events: meetings, walkabouts, reports."""

    pmrt_board_reports: list[DatedEvent] | None = _f("Reports to the trust board on perinatal deaths reviewed with the PMRT (MIS-Y3-SA1.e).")
    msds_submissions: list[DatedEvent] | None = _f("Monthly MSDS submissions to NHS Digital (MIS-Y3-SA2.a).")
    atain_reviews: list[DatedEvent] | None = _f("Multidisciplinary reviews of term admissions (ATAIN) shared with board-level champions (MIS-Y3-SA3.c).")
    staffing_board_reports: list[DatedEvent] | None = _f("Midwifery staffing oversight reports to the board (MIS-Y3-SA5.e).")
    sbl_lms_quality_meetings: list[DatedEvent] | None = _f("Quality-improvement discussions with the LMS and commissioners on SBLCBv2 (MIS-Y3-SA6.c).")
    mvp_meetings: list[DatedEvent] | None = _f("Maternity Voices Partnership meetings (MIS-Y3-SA7.a).")
    champion_meetings: list[DatedEvent] | None = _f("Meetings of the board-level safety champion with the midwifery, obstetric and neonatal safety champions (TPS; MIS-Y3-SA9).")
    board_champion_walkabouts: list[DatedEvent] | None = _f("Board-level safety champion walkabouts or feedback sessions with staff (MIS-Y3-SA9.b).")
    board_reports: list[DatedEvent] | None = _f("Maternity reports to the trust board; list in 'covers' which dashboard items each one covered (TPS-DASH, PQSM-MDS).")


class Attestations(Strict):
    """Claims that something is in place, with the document that shows it."""

    commissioner_discussion: Attestation | None = _f("The submission was discussed with the commissioner before board sign-off (MIS-Y3-COND-2).")
    msds_board_assurance: Attestation | None = _f("The board has assurance that MSDS is submitted monthly to the required standard (MIS-Y3-SA2.a).")
    msds_near_miss_regime: Attestation | None = _f("Only if the trust came close to the SA2 data-quality criteria: it falls under NHS Resolution's March 2021 regime for trusts that came close, with the document that shows it (MIS-Y3-SA2.b). Leave it out otherwise.")
    tc_pathway: Attestation | None = _f("Pathways into transitional care agreed by maternity and neonatal teams, aligned to the BAPM framework (MIS-Y3-SA3.a; removed in March 2021, shown for information).")
    term_admissions_recording: Attestation | None = _f("A process records every term baby transferred to the neonatal unit, whatever the length of stay (MIS-Y3-SA3.b; removed in March 2021, shown for information).")
    atain_action_plan: Attestation | None = _f("An ATAIN action plan agreed with the LMS and commissioner, with progress reported (MIS-Y3-SA3.d).")
    late_preterm_tc: Attestation | None = _f("Data and action planning for late preterm babies suitable for transitional care (MIS-Y3-SA3.e; shown for information).")
    obstetric_workforce: Attestation | None = _f("Obstetric workforce concerns and the action plan escalated to the board via the safety champions (MIS-Y3-SA4.a, a recommendation since March 2021; shown for information).")
    anaesthetic_workforce: Attestation | None = _f("Duty anaesthetist immediately available to the obstetric unit 24 hours a day (MIS-Y3-SA4.b).")
    neonatal_medical_workforce: Attestation | None = _f("Neonatal medical workforce meets BAPM standards or a board-agreed action plan exists (MIS-Y3-SA4.c).")
    neonatal_nursing_workforce: Attestation | None = _f("Neonatal nursing workforce meets BAPM standards or a board-agreed action plan exists (MIS-Y3-SA4.d).")
    midwifery_establishment_calculation: Attestation | None = _f("A systematic, evidence-based calculation of the midwifery establishment (e.g. Birthrate Plus); date the document (MIS-Y3-SA5.a).")
    establishment_board_review: Attestation | None = _f("Board evidence that the funded establishment matches the calculation, with plans to close any gap (MIS-Y3-SA5.b).")
    sbl_board_consideration: Attestation | None = _f("The board has considered how each SBLCBv2 element is implemented (MIS-Y3-SA6.a).")
    mvp_terms_of_reference: Attestation | None = _f("A functioning Maternity Voices Partnership with written terms of reference and a service-user chair (MIS-Y3-SA7.a).")
    mvp_coproduction: Attestation | None = _f("Evidence of co-production and of acting on service-user feedback (MIS-Y3-SA7.b).")
    mvp_funding: Attestation | None = _f("The MVP work plan is funded and members' expenses reimbursed (MIS-Y3-SA7.c).")
    mvp_seldom_heard: Attestation | None = _f("The MVP reaches Black, Asian and minority ethnic women and women from deprived areas (MIS-Y3-SA7.d).")
    training_plan: Attestation | None = _f("A local training plan for multi-professional maternity emergencies training (MIS-Y3-SA8, March 2021 form).")
    floor_to_board_pathway: Attestation | None = _f("A documented pathway for sharing safety intelligence from floor to board and through the LMS (MIS-Y3-SA9.a).")
    coc_action_plan: Attestation | None = _f("A continuity-of-carer action plan reviewed by the board (MIS-Y3-SA9.c).")
    hsib_board_sight: Attestation | None = _f("The board has sight of governance records of qualifying HSIB / Early Notification cases (MIS-Y3-SA10.c).")
    sbl_e1_implemented: Attestation | None = _f("SBLCBv2 element 1 (reducing smoking in pregnancy) interventions implemented (SBLv2-E1-I1..I3).")
    sbl_e2_implemented: Attestation | None = _f("SBLCBv2 element 2 (fetal growth restriction) interventions implemented (SBLv2-E2-I1..I5).")
    sbl_e3_implemented: Attestation | None = _f("SBLCBv2 element 3 (reduced fetal movements) interventions implemented (SBLv2-E3-I1..I2).")
    sbl_e4_implemented: Attestation | None = _f("SBLCBv2 element 4 (fetal monitoring in labour) interventions implemented (SBLv2-E4-I1..I3).")
    sbl_e5_implemented: Attestation | None = _f("SBLCBv2 element 5 (reducing preterm birth) interventions implemented (SBLv2-E5-I1..I3).")
    sbl_e1_alternative_agreed: Attestation | None = _f("Only if an alternative to the SBLCBv2 element 1 interventions was agreed with the LMS or commissioner: that agreement, with their document (SBLv2-E1-I). Leave it out otherwise.")
    sbl_e2_alternative_agreed: Attestation | None = _f("Only if an alternative to the SBLCBv2 element 2 interventions was agreed with the LMS or commissioner: that agreement, with their document (SBLv2-E2-I). Leave it out otherwise.")
    sbl_e3_alternative_agreed: Attestation | None = _f("Only if an alternative to the SBLCBv2 element 3 interventions was agreed with the LMS or commissioner: that agreement, with their document (SBLv2-E3-I). Leave it out otherwise.")
    sbl_e4_alternative_agreed: Attestation | None = _f("Only if an alternative to the SBLCBv2 element 4 interventions was agreed with the LMS or commissioner: that agreement, with their document (SBLv2-E4-I). Leave it out otherwise.")
    sbl_e5_alternative_agreed: Attestation | None = _f("Only if an alternative to the SBLCBv2 element 5 interventions was agreed with the LMS or commissioner: that agreement, with their document (SBLv2-E5-I). Leave it out otherwise.")
    fetal_monitoring_lead: Attestation | None = _f("A dedicated fetal-monitoring lead is in post (SBLv2-E4-I4).")
    si_reports_to_board_and_lms: Attestation | None = _f("Every maternity Serious Incident report, with a summary of the key issues, goes to the trust board and at the same time to the LMS (TPS-BSC-3, PQSM-4).")
    board_safety_champion: Attestation | None = _f("A named board-level maternity safety champion is in post; the document is the one that names them, e.g. board minutes or an appointment letter (SAFCHAMP-1).")
    ned_supporting_board_champion: Attestation | None = _f("A named non-executive director supports the board maternity safety champion; the document is the one that names them, e.g. board minutes (PQSM-5, OCK1-UCP-4).")
    duty_of_candour_upheld: Attestation | None = _f("The board has assurance that the Duty of Candour is upheld for maternity and neonatal incidents, e.g. a Duty of Candour audit reported to the board (TPS-BSC-4).")
    msds_pcsp_criteria: Attestation | None = _f("The trust met the MSDS Personalised Care and Support Plan criteria of MIS Year 4 safety action 2 as launched, before they were withdrawn for revision on 16 Dec 2021 (MIS-Y4-SA2.c).")
    ccf_training_plan: Attestation | None = _f("A local training plan covering the six core modules of the Core Competency Framework over three years, approved by the board (MIS-Y4-SA8.a).")
    sblv3_e1_i1: Attestation | None = _f("SBLv3 element 1: CO measurement at booking and at 36 weeks in place (SBLv3-E1-I1, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e1_i2: Attestation | None = _f("SBLv3 element 1: smoking status asked and recorded at booking and 36 weeks in place (SBLv3-E1-I2, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e1_i3: Attestation | None = _f("SBLv3 element 1: opt-out referral to tobacco-dependence treatment in place (SBLv3-E1-I3, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e1_i4: Attestation | None = _f("SBLv3 element 1: in-house tobacco-dependence treatment with follow-up in place (SBLv3-E1-I4, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e2_i1: Attestation | None = _f("SBLv3 element 2: fetal growth restriction risk assessment at booking, re-assessed at the anomaly scan in place (SBLv3-E2-I1, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e2_i2: Attestation | None = _f("SBLv3 element 2: aspirin for women at risk of placental dysfunction in place (SBLv3-E2-I2, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e2_i3: Attestation | None = _f("SBLv3 element 2: uterine artery Doppler for high-risk women at the anomaly scan in place (SBLv3-E2-I3, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e2_i4: Attestation | None = _f("SBLv3 element 2: serial growth ultrasound for moderate- and high-risk women in place (SBLv3-E2-I4, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e2_i5: Attestation | None = _f("SBLv3 element 2: symphysis-fundal height measurement for low-risk women by trained staff in place (SBLv3-E2-I5, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e2_i6: Attestation | None = _f("SBLv3 element 2: a timing-of-birth pathway for suspected SGA/FGR in place (SBLv3-E2-I6, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e2_i7: Attestation | None = _f("SBLv3 element 2: audit and publication of antenatal SGA detection in place (SBLv3-E2-I7, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e3_i1: Attestation | None = _f("SBLv3 element 3: information and discussion on fetal movements for all women in place (SBLv3-E3-I1, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e3_i2: Attestation | None = _f("SBLv3 element 3: management of reduced fetal movements per a standard pathway in place (SBLv3-E3-I2, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e3_i3: Attestation | None = _f("SBLv3 element 3: additional assessment for recurrent reduced fetal movements in place (SBLv3-E3-I3, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e4_i1: Attestation | None = _f("SBLv3 element 4: annual fetal-monitoring training and competency assessment in place (SBLv3-E4-I1, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e4_i2: Attestation | None = _f("SBLv3 element 4: a dedicated fetal-monitoring lead midwife and lead obstetrician in place (SBLv3-E4-I2, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e4_i3: Attestation | None = _f("SBLv3 element 4: risk assessment of monitoring at the onset of labour and at each review in place (SBLv3-E4-I3, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e4_i4: Attestation | None = _f("SBLv3 element 4: structured hourly fresh-eyes review with escalation in place (SBLv3-E4-I4, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e5_i1: Attestation | None = _f("SBLv3 element 5: preterm-birth risk assessment and preterm-birth clinic referral in place (SBLv3-E5-I1, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e5_i2: Attestation | None = _f("SBLv3 element 5: prevention: progesterone or cerclage, and bacteriuria screening in place (SBLv3-E5-I2, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e5_i3: Attestation | None = _f("SBLv3 element 5: antenatal corticosteroids before preterm birth in place (SBLv3-E5-I3, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e5_i4: Attestation | None = _f("SBLv3 element 5: magnesium sulphate before very preterm birth in place (SBLv3-E5-I4, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e5_i5: Attestation | None = _f("SBLv3 element 5: birth in a service with an appropriate neonatal unit in place (SBLv3-E5-I5, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e5_i6: Attestation | None = _f("SBLv3 element 5: optimal cord management for preterm babies in place (SBLv3-E5-I6, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e5_i7: Attestation | None = _f("SBLv3 element 5: normothermia on admission for preterm babies in place (SBLv3-E5-I7, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e5_i8: Attestation | None = _f("SBLv3 element 5: early maternal breast milk for preterm babies in place (SBLv3-E5-I8, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e6_i1: Attestation | None = _f("SBLv3 element 6: care by a multidisciplinary diabetes-in-pregnancy team in place (SBLv3-E6-I1, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e6_i2: Attestation | None = _f("SBLv3 element 6: continuous glucose monitoring offered in type 1 diabetes in place (SBLv3-E6-I2, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e6_i3: Attestation | None = _f("SBLv3 element 6: regular glycaemic monitoring with individualised targets in place (SBLv3-E6-I3, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e6_i4: Attestation | None = _f("SBLv3 element 6: an individualised care plan in type 2 diabetes in place (SBLv3-E6-I4, unconfirmed wording; sbl-v3 skeleton).")
    sblv3_e6_i5: Attestation | None = _f("SBLv3 element 6: planned timing and place of birth and neonatal hypoglycaemia prevention in place (SBLv3-E6-I5, unconfirmed wording; sbl-v3 skeleton).")


class Rates(Strict):
    """Outcome rates for the national ambition trajectories (TPS-AMB)."""

    stillbirth: Rate | None = _f("Stillbirths / total births (TPS-AMB-1).")
    neonatal_death: Rate | None = _f("Neonatal deaths / births (TPS-AMB-2).")
    brain_injury: Rate | None = _f("Intrapartum brain injuries / births (TPS-AMB-3).")
    maternal_death: Rate | None = _f("Maternal deaths / maternities (TPS-AMB-4).")
    preterm_birth: Rate | None = _f("Births before 37+0 weeks / all births (TPS-AMB-5).")


class Series(Strict):
    """Monthly counts behind the outcome rates, for run charts against the trajectories (TPS-AMB).

    Each is read by the scheme measure that names it; it informs (a run chart and,
    when the latest month shows special-cause variation of concern, a signal beside
    the verdict) and never changes a verdict.
    """

    stillbirth: list[MonthlyCount] | None = _f("Stillbirths and total births, month by month (TPS-AMB-1).")
    neonatal_death: list[MonthlyCount] | None = _f("Neonatal deaths and live births, month by month (TPS-AMB-2).")
    brain_injury: list[MonthlyCount] | None = _f("Intrapartum brain injuries and births, month by month (TPS-AMB-3).")
    preterm_birth: list[MonthlyCount] | None = _f("Births before 37+0 weeks and all births, month by month (TPS-AMB-5).")

    @field_validator("*")
    @classmethod
    def _consecutive(cls, series: list[MonthlyCount] | None) -> list[MonthlyCount] | None:
        return check_series(series)


class Teams(Strict):
    coc: list[Team] | None = _f("Continuity-of-carer teams (CoC-DEF-3, CoC-DEF-4).")


class Cases(Strict):
    """Case records, so that a percentage can be traced to the cases behind it."""

    perinatal_deaths: list[PerinatalDeath] | None = _f("Every perinatal death in the period eligible for MBRRACE-UK notification and PMRT review (MIS-Y3-SA1).")
    qualifying_cases: list[QualifyingCase] | None = _f("Every case qualifying for HSIB or Early Notification (MIS-Y3-SA10).")


#: The catalogue's sections: the keys of the evidence whose every entry is an item a scheme can name.
SECTIONS: tuple[str, ...] = ("counts", "figures", "groups", "events", "attestations", "rates", "series", "teams", "cases")


class Subgroup(NamedTuple):
    """One count's part is a subgroup of another's: it can never be larger.

    ``Subgroup("counts.a", "numerator", "counts.b", "numerator")`` says that
    whoever ``counts.a`` counts as its numerator is also in ``counts.b``'s
    numerator.  The loader reports a violation at the subgroup's part.
    """

    sub_path: str
    sub_part: Literal["numerator", "denominator"]
    total_path: str
    total_part: Literal["numerator", "denominator"]


#: Subgroup relations between counts (audit: subgroup counts larger than their total were accepted).
#: Add a row for each new count that counts a subset of another's people.
SUBGROUPS: tuple[Subgroup, ...] = (
    # Black and Asian women on a pathway are women on a pathway; those booked are women booked.
    Subgroup("counts.coc_black_asian_on_pathway", "numerator", "counts.coc_booked_on_pathway", "numerator"),
    Subgroup("counts.coc_black_asian_on_pathway", "denominator", "counts.coc_booked_on_pathway", "denominator"),
    # Likewise women from the 10% most deprived neighbourhoods.
    Subgroup("counts.coc_most_deprived_on_pathway", "numerator", "counts.coc_booked_on_pathway", "numerator"),
    Subgroup("counts.coc_most_deprived_on_pathway", "denominator", "counts.coc_booked_on_pathway", "denominator"),
    # Women in a group receiving continuity receive continuity; the group's women booked are women booked (audit A8).
    Subgroup("counts.coc_black_asian_receiving", "numerator", "counts.coc_receiving_continuity", "numerator"),
    Subgroup("counts.coc_black_asian_receiving", "denominator", "counts.coc_booked_on_pathway", "denominator"),
    Subgroup("counts.coc_most_deprived_receiving", "numerator", "counts.coc_receiving_continuity", "numerator"),
    Subgroup("counts.coc_most_deprived_receiving", "denominator", "counts.coc_booked_on_pathway", "denominator"),
)


#: Evidence items renamed since an earlier version of the format, and why: an old name is
#: refused with the new one as the suggestion, never silently dropped.
RENAMED: dict[str, tuple[str, str]] = {
    "counts.sbl_e3_rfm_information_by_28_weeks": (
        "counts.sbl_e3_rfm_information_timely",
        "the 28+0 weeks is an unconfirmed value, now the parameter SBLv2.E3.rfm_info_by (audit C1)",
    ),
    "counts.sbl_e5_steroids_within_7_days": (
        "counts.sbl_e5_steroids_full_course_timely",
        "the 34+0 weeks and 7 days are unconfirmed values, now parameters (audit C2)",
    ),
    "counts.sbl_e5_steroids_over_7_days": (
        "counts.sbl_e5_steroids_after_window",
        "the 7 days is an unconfirmed value, now the parameter SBLv2.E5.steroids_full_course_within (audit C2)",
    ),
    "counts.sbl_e5_mgso4_within_24_hours": (
        "counts.sbl_e5_mgso4_timely",
        "the 30+0 weeks and 24 hours are now parameters (audit C3)",
    ),
}
