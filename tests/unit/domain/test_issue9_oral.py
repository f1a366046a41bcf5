"""Issue 9 (evidence alignment), oral items 2, 3, 6 and 10: each rule's number and severity match its source."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from baclofen.domain.cds.contraindications import screen_contraindications
from baclofen.domain.cds.dose_limits import check_dose
from baclofen.domain.cds.risk import RiskLevel, assess_risk
from baclofen.domain.cds.timeline import timeline_from_dict
from baclofen.domain.oral.limits import KidneyBand, kidney_reduced_max_mg_per_day
from baclofen.domain.oral.plan import Plan
from baclofen.domain.oral.taper import plan_taper
from baclofen.domain.oral.titration import plan_titration
from baclofen.domain.patient import KidneyFunction, Locale, PatientSnapshot
from baclofen.domain.products import get_oral_product
from baclofen.domain.rules import Severity

D0 = date(2026, 12, 1)
BLOCK_ON_CLINIC = {"taper.block_on_clinic_limits": True}


def _sev(plan: Plan | Any, rule_id: str) -> str | None:
    found = [f.severity.value for f in plan.findings if f.rule_id == rule_id]
    return found[0] if found else None


# --- item 2: blocks resting on assumptions ----------------------------------------------------------------------
LONG_TERM_FROM_20 = {"taper.long_term_dose_mg_per_day": 20}


def test_issue9_i2_the_reported_case_60_to_0_over_15_days_with_months_unknown_is_offerable() -> None:
    """ "TAPER-ABRUPT-001 blocks 60 -> 0 mg/day over 15 days when the months on therapy are unknown (28 days
    required: the 28 days, 60 mg and 5 months are ASSUMPTION settings); the sources accept 1-2 weeks or more"."""
    plan = plan_taper(start_date=D0, from_mg_per_day=60, min_days_to_zero=15)

    assert plan.parameters["days_to_target"] == 15
    assert _sev(plan, "TAPER-ABRUPT-001") is None
    assert _sev(plan, "TAPER-ABRUPT-002") == "warn"
    assert plan.offerable


@pytest.mark.parametrize(
    ("min_days", "abrupt_001", "abrupt_002"),
    [
        (13, "block", None),  # below the sourced minimum (2 weeks: S29, S27; at least 1-2 weeks: S24)
        (14, None, "warn"),  # the sourced minimum met; the 28 days after assumed long-term use is an ASSUMPTION
        (27, None, "warn"),
        (28, None, None),
    ],
)
def test_issue9_i2_taper_shorter_than_the_assumed_long_term_minimum_is_a_warn(
    min_days: int, abrupt_001: str | None, abrupt_002: str | None
) -> None:
    plan = plan_taper(start_date=D0, from_mg_per_day=20, min_days_to_zero=min_days, settings=LONG_TERM_FROM_20)

    assert plan.parameters["days_to_target"] == min_days
    assert _sev(plan, "TAPER-ABRUPT-001") == abrupt_001
    assert _sev(plan, "TAPER-ABRUPT-002") == abrupt_002
    assert plan.offerable is (abrupt_001 is None)


@pytest.mark.parametrize(("min_days", "expected"), [(13, None), (14, "block"), (27, "block"), (28, None)])
def test_issue9_i2_the_clinic_profile_may_make_its_longer_minimum_a_block(min_days: int, expected: str | None) -> None:
    """ "A stricter clinic value may warn, or block where the clinic profile says so"."""
    plan = plan_taper(
        start_date=D0, from_mg_per_day=20, min_days_to_zero=min_days, settings={**LONG_TERM_FROM_20, **BLOCK_ON_CLINIC}
    )

    assert _sev(plan, "TAPER-ABRUPT-002") == expected


@pytest.mark.parametrize(
    ("clinic_min", "min_days", "abrupt_001", "abrupt_002"),
    [
        (21, 13, "block", None),  # below the 14 sourced days: a block whatever the clinic value
        (21, 14, None, "warn"),  # the stricter clinic value alone: a warn
        (21, 20, None, "warn"),
        (21, 21, None, None),
        (10, 9, "block", None),  # a clinic choosing the 1-2 week side of the DISAGREE blocks below its own value
        (10, 10, None, None),
    ],
)
def test_issue9_i2_the_block_rests_on_the_sourced_minimum(
    clinic_min: int, min_days: int, abrupt_001: str | None, abrupt_002: str | None
) -> None:
    plan = plan_taper(
        start_date=D0,
        from_mg_per_day=20,
        months_on_therapy=1,
        min_days_to_zero=min_days,
        settings={"taper.min_days_to_zero": clinic_min},
    )

    assert plan.parameters["days_to_target"] == min_days
    assert (_sev(plan, "TAPER-ABRUPT-001"), _sev(plan, "TAPER-ABRUPT-002")) == (abrupt_001, abrupt_002)


@pytest.mark.parametrize(("max_step", "expected"), [(10, None), (15, "warn"), (80, "warn")])
def test_issue9_i2_a_step_above_the_unconfirmed_step_size_is_a_warn(max_step: float, expected: str | None) -> None:
    """ "TAPER-STEP-001 blocks on an UNCONFIRMED step size citing S109, which the sheet says is never the basis of
    a hard rule"; every step is still checked, the last one down to zero included."""
    plan = plan_taper(start_date=D0, from_mg_per_day=80, max_step_mg=max_step, months_on_therapy=1)

    assert _sev(plan, "TAPER-STEP-001") == expected
    assert plan.offerable
    if max_step == 80:
        step = next(f for f in plan.findings if f.rule_id == "TAPER-STEP-001")
        assert step.data["last_step_to_zero_mg_per_day"] == 40.0 and "last step" in step.message


@pytest.mark.parametrize(("max_step", "expected"), [(10, None), (15, "block")])
def test_issue9_i2_the_clinic_profile_may_make_the_step_limit_a_block(max_step: float, expected: str | None) -> None:
    plan = plan_taper(
        start_date=D0, from_mg_per_day=80, max_step_mg=max_step, months_on_therapy=1, settings=BLOCK_ON_CLINIC
    )

    assert _sev(plan, "TAPER-STEP-001") == expected
    assert plan.offerable is (expected is None)


# --- item 3: one severity for the S22 kidney reduction ---------------------------------------------------------
@pytest.mark.parametrize(("product", "expected"), [("tablet-20mg", "warn"), ("tablet-5mg", None)])
def test_issue9_i3_a_product_too_coarse_for_the_kidney_reduced_start_is_a_warn(
    product: str, expected: str | None
) -> None:
    """ "ORAL-PRODUCT-001 blocks products that cannot give the 1/3-reduced start at CrCl 25 ... and ORAL-RENAL-003
    for the same reduction is a warn: one severity"."""
    plan = plan_titration(start_date=D0, patient=PatientSnapshot(crcl_ml_min=25), product=get_oral_product(product))

    assert _sev(plan, "ORAL-PRODUCT-001") == expected
    assert _sev(plan, "ORAL-RENAL-003") == "warn"
    assert plan.offerable


# --- item 6: the risk engine uses the planner's kidney reductions ------------------------------------------------
def _risk(patient: dict[str, Any], dose: float) -> list[tuple[str, RiskLevel]]:
    doc = {
        "as_of": "2026-03-10T09:00:00+00:00",
        "patient": {"locale": "us", **patient},
        "oral": {"prescriptions": [{"start": "2025-01-01", "end": None, "daily_dose_mg": dose}]},
    }
    return [
        (r.finding.rule_id, r.level)
        for r in assess_risk(timeline_from_dict(doc)).risks
        if r.finding.rule_id.startswith("RISK-KIDNEY")
    ]


@pytest.mark.parametrize(
    ("patient", "dose", "expected"),
    [
        ({"crcl_ml_min": 30}, 10, []),  # was RISK-KIDNEY-001 HIGH: 5 mg/day is tied to dialysis only
        ({"crcl_ml_min": 30}, 26, [("RISK-KIDNEY-002", RiskLevel.MODERATE)]),  # 80 x 1/3 = 26.7
        ({"crcl_ml_min": 30}, 27, [("RISK-KIDNEY-001", RiskLevel.HIGH)]),
        ({"crcl_ml_min": 30.5}, 27, [("RISK-KIDNEY-002", RiskLevel.MODERATE)]),
        ({"dialysis": True}, 5, []),
        ({"dialysis": True}, 5.5, [("RISK-KIDNEY-001", RiskLevel.HIGH)]),
    ],
)
def test_issue9_i6_kidney_failure_risk_follows_the_planner_reductions(
    patient: dict[str, Any], dose: float, expected: list[tuple[str, RiskLevel]]
) -> None:
    """ "RISK-KIDNEY-001 flags more than 5 mg/day at CrCl <= 30 without dialysis, a figure the sheet ties only to
    dialysis; align it with the planner's kidney reductions (S22)"."""
    assert _risk(patient, dose) == expected


def test_issue9_i6_one_home_for_the_kidney_reduced_maximum() -> None:
    assert kidney_reduced_max_mg_per_day(80, 30) == pytest.approx(80 * float(KidneyBand.SEVERE.factor))
    assert kidney_reduced_max_mg_per_day(100, 45) == pytest.approx(50.0)
    assert kidney_reduced_max_mg_per_day(80, 81) == 80.0


# --- item 10: one condition, one severity ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("condition", "rule_id"),
    [
        ("peptic-ulcer", "CI-BAC-PEPTIC-001"),
        ("respiratory-impairment", "CI-BAC-RESP-001"),
        ("bladder-sphincter-hypertonia", "CI-BAC-BLADDER-001"),
        ("spasticity-for-posture", "CI-BAC-POSTURE-001"),
        ("beneficial spasticity", "CI-BAC-POSTURE-001"),
        ("psychiatric-disorder", "CI-BAC-PSYCH-002"),
    ],
)
def test_issue9_i10_a_caution_condition_is_one_rule_with_one_severity_on_every_path(
    condition: str, rule_id: str
) -> None:
    """ "peptic ulcer, respiratory impairment, bladder-sphincter hypertonia and posture-dependent spasticity are info
    in ORAL-CAUTION-001 and warn in the CI-BAC rules"."""
    patient = PatientSnapshot(conditions=(condition,))
    titration = plan_titration(start_date=D0, patient=patient)
    taper = plan_taper(start_date=D0, from_mg_per_day=30, patient=patient, months_on_therapy=1)
    screen = screen_contraindications("baclofen", [condition])

    assert _sev(titration, rule_id) == _sev(taper, rule_id) == _sev(screen, rule_id) == "warn"
    assert "ORAL-CAUTION-001" not in {f.rule_id for f in (*titration.findings, *taper.findings)}
    assert "ORAL-CONDITIONS-001" not in {f.rule_id for f in titration.findings}


def test_issue9_i10_an_unrelated_condition_gives_no_caution() -> None:
    plan = plan_titration(start_date=D0, patient=PatientSnapshot(conditions=("gout",)))

    assert not [f for f in plan.findings if f.rule_id.startswith("CI-BAC")]
    assert "ORAL-CONDITIONS-001" in {f.rule_id for f in plan.findings}


@pytest.mark.parametrize(("mg", "expected"), [(5, None), (5.5, "block")])
def test_issue9_i10_a_dose_above_the_dialysis_dose_is_one_rule_on_every_path(mg: float, expected: str | None) -> None:
    """ "a dialysis dose is a block in ORAL-DIALYSIS-002 and a warn in DOSE-BAC-KIDNEY-001"."""
    dose = check_dose("baclofen", mg_per_day=mg, kidney=KidneyFunction(None, dialysis=True), locale=Locale.US)
    titration = plan_titration(
        start_date=D0,
        target_mg_per_day=mg * 3,
        patient=PatientSnapshot(dialysis=True),
        product=get_oral_product("ozobax"),
    )

    assert _sev(dose, "ORAL-DIALYSIS-002") == _sev(titration, "ORAL-DIALYSIS-002") == expected
    assert "DOSE-BAC-KIDNEY-001" not in {f.rule_id for f in dose.findings}
    assert Severity.BLOCK.value == "block"
