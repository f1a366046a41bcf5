"""Oral safety rules on hand-made contexts: thresholds on both sides, evidence, conditions."""

from __future__ import annotations

from typing import Any

import pytest

from baclofen.domain.evidence import REFERENCES
from baclofen.domain.oral.limits import (
    CKD_CRCL_ML_MIN,
    MAX_DAILY_DOSE_IN_HOSPITAL_UK,
    MAX_DAILY_DOSE_UK,
    MAX_DAILY_DOSE_US,
    TAPER_MAX_STEP_MG_PER_DAY,
    TAPER_MIN_DAYS_TO_ZERO,
    KidneyBand,
    kidney_band,
)
from baclofen.domain.patient import PatientSnapshot, SpasticityOrigin
from baclofen.domain.rules import Severity
from baclofen.domain.rules.catalogue import RULES
from baclofen.domain.rules.oral import (
    CONDITION_CAUTIONS,
    ORAL_RULES,
    OralPlanContext,
    evaluate_oral_rules,
    normalise_condition,
)
from baclofen.domain.settings import EvidenceStatus
from baclofen.domain.signs import ORAL_OVERDOSE, ORAL_WITHDRAWAL


def _titration(patient: PatientSnapshot | None = None, **kw: Any) -> OralPlanContext:
    args: dict[str, Any] = {
        "kind": "titration",
        "patient": patient or PatientSnapshot(crcl_ml_min=100),
        "planned_daily_doses_mg": (15.0, 30.0, 45.0, 60.0),
        "ceiling_mg_per_day": 80.0,
    }
    args.update(kw)
    return OralPlanContext(**args)


def _taper(patient: PatientSnapshot | None = None, **kw: Any) -> OralPlanContext:
    args: dict[str, Any] = {
        "kind": "taper",
        "patient": patient or PatientSnapshot(crcl_ml_min=100),
        "planned_daily_doses_mg": (40.0, 20.0, 0.0),
        "ceiling_mg_per_day": 80.0,
        "from_mg_per_day": 60.0,
        "to_mg_per_day": 0.0,
        "days_to_zero": 14,
        "required_days_to_zero": 14,
        "max_step_mg_per_day": 20.0,
        "largest_step_mg_per_day": 20.0,
        "long_term_months": 5.0,
        "long_term_dose_mg_per_day": 60.0,
        "months_on_therapy": 1.0,
    }
    args.update(kw)
    return OralPlanContext(**args)


def _ids(ctx: OralPlanContext) -> set[str]:
    return {f.rule_id for f in evaluate_oral_rules(ctx)}


def test_every_oral_rule_is_catalogued_with_a_unique_id_and_resolving_evidence() -> None:
    ids = [r.rule_id for r in ORAL_RULES]

    assert len(ids) == len(set(ids))
    for rule in ORAL_RULES:
        registered = RULES[rule.rule_id]
        # The rule itself, or a rule shared by several paths (Rule.adapted, e.g. SCOPE-PAEDIATRIC-001).
        assert registered is rule or (
            registered.title,
            registered.severity,
            registered.evidence,
            registered.overridable,
        ) == (rule.title, rule.severity, rule.evidence, rule.overridable)
        assert rule.evidence and all(k in REFERENCES for k in rule.evidence)


def test_a_plain_label_titration_gives_only_the_review_advice() -> None:
    assert _ids(_titration()) == {"ORAL-LABEL-001"}


@pytest.mark.parametrize(
    ("target", "ceiling", "fires"),
    [
        (80.0, 80.0, False),
        (80.5, 80.0, True),
        (100.0, 100.0, False),
        (101.0, 100.0, True),
        (None, 80.0, False),
    ],
)
def test_oral_max_001_blocks_a_target_above_the_ceiling(target: float | None, ceiling: float, fires: bool) -> None:
    ctx = _titration(requested_target_mg_per_day=target, ceiling_mg_per_day=ceiling)

    findings = [f for f in evaluate_oral_rules(ctx) if f.rule_id == "ORAL-MAX-001"]

    assert bool(findings) is fires
    if fires:
        assert findings[0].severity is Severity.BLOCK
        assert {"S1", "S4", "S24", "NovartisCore"} <= set(findings[0].evidence)


@pytest.mark.parametrize(("target", "fires"), [(120.0, False), (120.1, True)])
def test_oral_max_002_blocks_a_target_above_the_in_hospital_maximum(target: float, fires: bool) -> None:
    assert ("ORAL-MAX-002" in _ids(_titration(requested_target_mg_per_day=target))) is fires


@pytest.mark.parametrize(("current", "fires"), [(80.0, False), (85.0, True)])
def test_oral_max_003_warns_when_a_taper_starts_above_the_ceiling(current: float, fires: bool) -> None:
    findings = [f for f in evaluate_oral_rules(_taper(from_mg_per_day=current)) if f.rule_id == "ORAL-MAX-003"]

    assert bool(findings) is fires
    if fires:
        assert findings[0].signs == ORAL_OVERDOSE.signs


def test_the_ceilings_disagree_between_locales_and_are_settings_that_can_only_be_lowered() -> None:
    assert (MAX_DAILY_DOSE_US.default, MAX_DAILY_DOSE_UK.default, MAX_DAILY_DOSE_IN_HOSPITAL_UK.default) == (
        80,
        100,
        120,
    )
    for setting in (MAX_DAILY_DOSE_US, MAX_DAILY_DOSE_UK, MAX_DAILY_DOSE_IN_HOSPITAL_UK):
        assert setting.status is EvidenceStatus.DISAGREE
        assert setting.maximum == setting.default
    assert TAPER_MIN_DAYS_TO_ZERO.status is EvidenceStatus.DISAGREE and TAPER_MIN_DAYS_TO_ZERO.default == 14
    assert TAPER_MAX_STEP_MG_PER_DAY.status is EvidenceStatus.UNCONFIRMED
    assert "S109" in TAPER_MAX_STEP_MG_PER_DAY.evidence and REFERENCES["S109"].is_low_authority


@pytest.mark.parametrize(
    ("crcl", "rule_id"),
    [
        (100.0, None),
        (80.01, None),
        (80.0, "ORAL-RENAL-001"),
        (50.01, "ORAL-RENAL-001"),
        (50.0, "ORAL-RENAL-002"),
        (30.01, "ORAL-RENAL-002"),
        (30.0, "ORAL-RENAL-003"),
        (0.0, "ORAL-RENAL-003"),
    ],
)
def test_kidney_band_findings_on_both_sides_of_each_edge(crcl: float, rule_id: str | None) -> None:
    ids = _ids(_titration(PatientSnapshot(crcl_ml_min=crcl), planned_daily_doses_mg=(10.0,)))

    band_ids = {i for i in ids if i in {"ORAL-RENAL-001", "ORAL-RENAL-002", "ORAL-RENAL-003"}}
    assert band_ids == ({rule_id} if rule_id else set())


@pytest.mark.parametrize(
    ("crcl", "band", "factor"),
    [
        (81, KidneyBand.NORMAL, 1),
        (80, KidneyBand.MILD, 2 / 3),
        (50, KidneyBand.MODERATE, 1 / 2),
        (30, KidneyBand.SEVERE, 1 / 3),
    ],
)
def test_the_kidney_bands_carry_the_cited_factors(crcl: float, band: KidneyBand, factor: float) -> None:
    assert kidney_band(crcl) is band
    assert float(band.factor) == pytest.approx(factor)


def test_a_kidney_finding_shows_the_crcl_its_source_and_cites_vlavonou_not_the_label() -> None:
    patient = PatientSnapshot(age_years=60, weight_kg=80, sex=None, egfr_ml_min_1_73m2=42)

    finding = next(f for f in evaluate_oral_rules(_titration(patient)) if f.rule_id == "ORAL-RENAL-002")

    assert finding.data["crcl_ml_min"] == 42 and finding.data["kidney_source"] == "given egfr"
    assert "S22" in finding.evidence
    assert "not US label dosing" in finding.reasoning


def test_unknown_kidney_function_is_pointed_out_in_a_titration() -> None:
    assert "ORAL-RENAL-005" in _ids(_titration(PatientSnapshot()))
    assert "ORAL-RENAL-005" not in _ids(_taper(PatientSnapshot()))


@pytest.mark.parametrize(
    ("crcl", "dose", "fires"),
    [(59.9, 20.5, True), (59.9, 20.0, False), (60.0, 25.0, False), (20.0, 45.0, True)],
)
def test_the_ckd_high_dose_warning_edges(crcl: float, dose: float, fires: bool) -> None:
    ctx = _titration(PatientSnapshot(crcl_ml_min=crcl), planned_daily_doses_mg=(dose,))

    assert ("ORAL-RENAL-004" in _ids(ctx)) is fires
    assert CKD_CRCL_ML_MIN.status is EvidenceStatus.ASSUMPTION


def test_dialysis_findings() -> None:
    dialysis = PatientSnapshot(dialysis=True)

    start = _titration(dialysis, planned_daily_doses_mg=(5.0,))
    beyond = _titration(
        dialysis,
        planned_daily_doses_mg=(5.0,),
        requested_target_mg_per_day=60,
        kidney_reduced_target_mg_per_day=20.0,
    )
    taper_high = _taper(dialysis, from_mg_per_day=20.0)
    taper_low = _taper(dialysis, from_mg_per_day=5.0)

    assert "ORAL-DIALYSIS-001" in _ids(start) and "ORAL-DIALYSIS-002" not in _ids(start)
    assert "ORAL-DIALYSIS-002" in _ids(beyond)
    assert "ORAL-DIALYSIS-001" in _ids(taper_high)
    assert "ORAL-DIALYSIS-001" not in _ids(taper_low)


@pytest.mark.parametrize(("age", "fires"), [(64.99, False), (65, True), (90, True), (None, False)])
def test_elderly_caution_from_65(age: float | None, fires: bool) -> None:
    assert ("ORAL-ELDERLY-001" in _ids(_titration(PatientSnapshot(age_years=age, crcl_ml_min=100)))) is fires


def test_cerebral_origin_caution_only_in_titration() -> None:
    patient = PatientSnapshot(origin=SpasticityOrigin.CEREBRAL, crcl_ml_min=100)

    assert "ORAL-CEREBRAL-001" in _ids(_titration(patient))
    assert "ORAL-CEREBRAL-001" not in _ids(_taper(patient))


@pytest.mark.parametrize("caution", CONDITION_CAUTIONS, ids=lambda c: c.rule_id)
def test_each_condition_gives_its_cited_caution(caution) -> None:
    name = caution.applies_to[0].name.replace("_", " ").title()  # e.g. "Autonomic Dysreflexia"
    ctx = _titration(PatientSnapshot(crcl_ml_min=100, conditions=frozenset({name})))

    findings = [f for f in evaluate_oral_rules(ctx) if f.rule_id == caution.rule_id]

    assert len(findings) == 1
    assert findings[0].severity is caution.severity
    assert set(caution.evidence) <= set(findings[0].evidence)
    assert "ORAL-CONDITIONS-001" not in _ids(ctx)


def test_pregnancy_during_a_taper_lists_withdrawal_signs() -> None:
    ctx = _taper(PatientSnapshot(conditions=frozenset({"pregnancy"})))

    finding = next(f for f in evaluate_oral_rules(ctx) if f.rule_id == "ORAL-PREGNANCY-001")

    assert finding.signs == ORAL_WITHDRAWAL.signs
    assert "before delivery" in finding.reasoning


def test_conditions_the_rules_do_not_know_are_listed() -> None:
    ctx = _titration(PatientSnapshot(crcl_ml_min=100, conditions=frozenset({"gout", "Epilepsy"})))

    finding = next(f for f in evaluate_oral_rules(ctx) if f.rule_id == "ORAL-CONDITIONS-001")

    assert finding.data["unchecked"] == ["gout"]
    assert "ORAL-EPILEPSY-001" in _ids(ctx)


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("Autonomic dysreflexia", "autonomic-dysreflexia"),
        ("peptic_ulcer", "peptic-ulcer"),
        ("  STROKE ", "stroke"),
    ],
)
def test_condition_names_are_normalised(raw: str, norm: str) -> None:
    assert normalise_condition(raw) == norm


@pytest.mark.parametrize(("days", "required", "fires"), [(14, 14, False), (13, 14, True), (27, 28, True)])
def test_taper_abrupt_blocks_a_taper_to_zero_shorter_than_required(days: int, required: int, fires: bool) -> None:
    findings = [
        f
        for f in evaluate_oral_rules(_taper(days_to_zero=days, required_days_to_zero=required))
        if f.rule_id == "TAPER-ABRUPT-001"
    ]

    assert bool(findings) is fires
    if fires:
        assert findings[0].severity is Severity.BLOCK and findings[0].signs == ORAL_WITHDRAWAL.signs


def test_taper_abrupt_does_not_apply_to_a_partial_taper() -> None:
    assert "TAPER-ABRUPT-001" not in _ids(_taper(to_mg_per_day=20.0, days_to_zero=None))


@pytest.mark.parametrize(("largest", "fires"), [(20.0, False), (20.5, True)])
def test_taper_step_blocks_a_step_above_the_configured_maximum(largest: float, fires: bool) -> None:
    assert ("TAPER-STEP-001" in _ids(_taper(largest_step_mg_per_day=largest))) is fires


@pytest.mark.parametrize(
    ("months", "dose", "fires"),
    [(5.0, 60.0, True), (4.99, 60.0, False), (5.0, 59.9, False), (None, 60.0, False)],
)
def test_taper_long_term_edges(months: float | None, dose: float, fires: bool) -> None:
    ctx = _taper(
        months_on_therapy=months,
        from_mg_per_day=dose,
        required_days_to_zero=28 if fires else 14,
        days_to_zero=28,
    )

    assert ("TAPER-LONGTERM-001" in _ids(ctx)) is fires


@pytest.mark.parametrize(
    ("months", "dose", "to", "fires"),
    [(None, 60.0, 0.0, True), (None, 59.9, 0.0, False), (0.0, 60.0, 0.0, False), (None, 60.0, 30.0, True)],
)
def test_taper_unknown_time_on_therapy_at_a_high_dose_warns_with_the_duration(
    months: float | None, dose: float, to: float, fires: bool
) -> None:
    ctx = _taper(months_on_therapy=months, from_mg_per_day=dose, to_mg_per_day=to, required_days_to_zero=28)

    findings = [f for f in evaluate_oral_rules(ctx) if f.rule_id == "TAPER-LONGTERM-002"]
    assert bool(findings) is fires
    if fires:
        assert findings[0].severity is Severity.WARN
        assert findings[0].reasoning and "S110" in findings[0].evidence
        assert ("at least 28 days" in findings[0].message) is (to == 0.0)


def test_every_finding_has_id_severity_message_and_resolving_evidence() -> None:
    contexts = [
        _titration(
            PatientSnapshot(
                dialysis=True,
                age_years=80,
                origin=SpasticityOrigin.CEREBRAL,
                conditions=frozenset({"pregnancy", "epilepsy", "gout", "diabetes"}),
            ),
            requested_target_mg_per_day=150,
            kidney_reduced_target_mg_per_day=50,
            doses_per_day=3,
            planned_daily_doses_mg=(5.0, 70.0),
        ),
        _taper(
            PatientSnapshot(crcl_ml_min=20),
            from_mg_per_day=90,
            days_to_zero=5,
            largest_step_mg_per_day=30,
            months_on_therapy=None,
            held_lowest_dose=True,
        ),
    ]

    for ctx in contexts:
        for finding in evaluate_oral_rules(ctx):
            data = finding.to_dict()
            assert data["rule_id"] and data["message"] and data["reasoning"]
            assert data["severity"] in {"block", "warn", "info"}
            assert data["evidence"] and all(line.startswith("[") for line in data["evidence"])


def test_the_dialysis_finding_never_claims_a_start_above_5_mg_is_within_it() -> None:
    dialysis = PatientSnapshot(dialysis=True)

    within = next(
        f
        for f in evaluate_oral_rules(_titration(dialysis, planned_daily_doses_mg=(5.0, 10.0)))
        if f.rule_id == "ORAL-DIALYSIS-001"
    )
    above = next(
        f
        for f in evaluate_oral_rules(_titration(dialysis, planned_daily_doses_mg=(10.0, 20.0)))
        if f.rule_id == "ORAL-DIALYSIS-001"
    )

    assert "no more than the 5 mg/day" in within.message
    assert "no more than" not in above.message and "ABOVE the 5 mg/day" in above.message


@pytest.mark.parametrize(
    ("patient", "reduced_start", "first", "fires"),
    [
        (PatientSnapshot(crcl_ml_min=25), 5.0, 10.0, True),
        (PatientSnapshot(crcl_ml_min=25), 5.0, 5.0, False),
        (PatientSnapshot(crcl_ml_min=25), 5.0, 4.5, False),
        (PatientSnapshot(dialysis=True), 1.0, 5.0, True),
        (PatientSnapshot(), 15.0, 20.0, True),
        (PatientSnapshot(), 15.0, 15.0, False),
        (PatientSnapshot(), None, 20.0, False),
    ],
)
def test_oral_product_001_blocks_a_start_above_the_reduced_start_dose(
    patient: PatientSnapshot, reduced_start: float | None, first: float, fires: bool
) -> None:
    ctx = _titration(
        patient,
        planned_daily_doses_mg=(first, 20.0),
        reduced_start_mg_per_day=reduced_start,
        product_name="tablet-20mg",
        product_quantum_mg=10.0,
        product_evidence=("S13",),
    )

    findings = [f for f in evaluate_oral_rules(ctx) if f.rule_id == "ORAL-PRODUCT-001"]
    assert bool(findings) is fires
    if fires:
        assert findings[0].severity is Severity.WARN and findings[0].reasoning  # issue 9 item 3: one PK study
        assert {"S22", "S13"} <= set(findings[0].evidence)
        assert ("kidney-reduced" in findings[0].message) is patient.kidney.is_known
        assert "No listed product" in findings[0].message  # no suggestion given in this context
    assert "ORAL-PRODUCT-001" not in _ids(_taper(reduced_start_mg_per_day=reduced_start))
