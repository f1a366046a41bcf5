"""Exposure findings: table tests with the boundaries on both sides."""

from __future__ import annotations

import pytest

from baclofen.domain.conditions import describes_kidney_disease
from baclofen.domain.pk.bands import plasma_bands
from baclofen.domain.pk.findings import (
    ExposureContext,
    evaluate_exposure,
)
from baclofen.domain.pk.parameters import OralModel
from baclofen.domain.rules.catalogue import RULES

BANDS = plasma_bands()


def ctx_for_max(max_ng: float, **kw) -> ExposureContext:
    first = {b.name: (1.0 if max_ng >= b.lower_ng_per_ml else None) for b in BANDS}
    return ExposureContext(
        max_concentration_ng_per_ml=max_ng,
        time_of_max_h=2.0,
        bands=BANDS,
        first_time_in_band_h=first,
        kidney_given=True,
        crcl_used_ml_min=110.0,
        **kw,
    )


def ids(findings) -> list[str]:
    return [f.rule_id for f in findings]


@pytest.mark.parametrize(
    ("max_ng", "expected"),
    [
        (399.9, []),
        (400.0, ["PK-BAND-003"]),
        (599.9, ["PK-BAND-003"]),
        (600.0, ["PK-BAND-001"]),
        (999.9, ["PK-BAND-001"]),
        (1000.0, ["PK-BAND-002"]),
        (5000.0, ["PK-BAND-002"]),
    ],
)
def test_the_highest_band_reached_gives_one_band_finding(max_ng: float, expected: list[str]) -> None:
    assert [i for i in ids(evaluate_exposure(ctx_for_max(max_ng))) if i.startswith("PK-BAND")] == expected


def test_band_findings_carry_signs_action_and_sources() -> None:
    [f] = evaluate_exposure(ctx_for_max(700.0))

    d = f.to_dict()
    assert d["severity"] == "warn"
    assert "coma" in d["signs"]
    assert d["action"]
    assert "HDCase" in d["evidence_keys"]


@pytest.mark.parametrize(
    ("crcl", "dialysis", "expected"),
    [
        (29.9, False, "PK-KIDNEY-003"),
        (30.0, False, "PK-KIDNEY-004"),
        (79.9, False, "PK-KIDNEY-004"),
        (80.0, False, None),
        (None, True, "PK-KIDNEY-003"),
    ],
)
def test_kidney_groups_on_both_sides_of_30_and_80(crcl, dialysis, expected) -> None:
    ctx = ExposureContext(
        kidney_given=True,
        crcl_used_ml_min=0.0 if crcl is None else crcl,
        dialysis=dialysis,
        auc_ratio_vs_reference_kidney=2.0,
        half_life_h=9.0,
        reference_half_life_h=4.35,
    )

    got = [i for i in ids(evaluate_exposure(ctx)) if i.startswith("PK-KIDNEY")]

    assert got == ([] if expected is None else [expected])


def test_a_kidney_naive_simulation_of_a_renal_patient_warns() -> None:
    """journeys.md #7: never a kidney-naive simulation presented as if it applied."""
    ctx = ExposureContext(
        kidney_given=False,
        crcl_used_ml_min=110.0,
        described_as_renal=True,
        renal_reasons=("condition 'CKD 4'",),
    )

    findings = evaluate_exposure(ctx)

    assert ids(findings) == ["PK-KIDNEY-001"]
    assert findings[0].to_dict()["severity"] == "warn"
    assert "does not apply" in findings[0].message


def test_kidney_function_not_given_is_stated() -> None:
    assert ids(evaluate_exposure(ExposureContext(kidney_given=False, crcl_used_ml_min=110.0))) == ["PK-KIDNEY-002"]


@pytest.mark.parametrize(("sessions", "text"), [(0, "No haemodialysis session"), (2, "2 haemodialysis session")])
def test_the_dialysis_finding_says_what_was_simulated(sessions: int, text: str) -> None:
    ctx = ExposureContext(
        kidney_given=True,
        dialysis=True,
        crcl_used_ml_min=0.0,
        dialysis_sessions=sessions,
        half_life_h=21.8,
        reference_half_life_h=4.35,
        half_life_during_dialysis_h=4.0,
        auc_ratio_vs_reference_kidney=5.0,
    )

    dialysis = [f for f in evaluate_exposure(ctx) if f.rule_id == "PK-DIALYSIS-001"]

    assert text in dialysis[0].message


@pytest.mark.parametrize(("p95", "expected"), [(599.9, False), (600.0, True)])
def test_the_population_finding_reads_the_95th_percentile(p95: float, expected: bool) -> None:
    ctx = ctx_for_max(100.0, population_cmax_upper_ng_per_ml=p95, population_fraction_cmax_in_encephalopathy_band=0.05)

    assert ("PK-BAND-004" in ids(evaluate_exposure(ctx))) is expected


def test_model_itb_and_plan_findings() -> None:
    assert "PK-MODEL-001" in ids(evaluate_exposure(ExposureContext(model=OralModel.KOCHAK)))
    assert "PK-MODEL-001" not in ids(evaluate_exposure(ExposureContext()))
    assert ids(evaluate_exposure(ExposureContext(route="intrathecal"))) == ["PK-ITB-001"]
    plan = evaluate_exposure(ExposureContext(plan_step_mismatches=((1, 30.0, 25.0),)))
    assert ids(plan) == ["PK-PLAN-001"]
    assert "step 2" in plan[0].message


@pytest.mark.parametrize(
    ("text", "renal"),
    [
        ("CKD stage 4", True),
        ("chronic kidney disease", True),
        ("Renal impairment", True),
        ("ESRD", True),
        ("on haemodialysis", True),
        ("diabetic nephropathy", True),
        ("epilepsy", False),
        ("depression", False),
        ("adrenal insufficiency", False),
    ],
)
def test_renal_conditions_are_recognised(text: str, renal: bool) -> None:
    assert describes_kidney_disease(text) is renal


def test_every_pk_rule_is_catalogued_with_evidence() -> None:
    pk = [r for r in RULES.values() if r.rule_id.startswith("PK-")]

    assert len(pk) == 14  # 13 exposure rules (PK-DOSE-001 included) + PK-KIDNEY-005 (plan vs simulation kidney)
    assert all(r.evidence for r in pk)
