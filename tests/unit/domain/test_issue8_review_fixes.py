"""Domain tests for the defects the independent review of issue 8 left open (tests/e2e/test_issue8_review.py)."""

from __future__ import annotations

from datetime import date

import pytest

from baclofen.domain.cds.dose_limits import check_dose
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.itb.refill import RECONCILE_EMPTY_ML, observe_delivery, reconcile_refill
from baclofen.domain.itb.reservoir import ReservoirFill, forecast_reservoir
from baclofen.domain.itb.transition import plan_oral_to_itb_transition
from baclofen.domain.oral.limits import likely_intended_oral_dose_mg
from baclofen.domain.rules.core import Override


def _ids(findings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f.rule_id: f.severity.value for f in findings}


def test_review_d1_under_delivery_beyond_flow_accuracy_is_a_warn() -> None:
    """0.1 mL delivered against 2.0 mL programmed (-95 %) with a near-full reservoir: the residual is within
    tolerance, the delivery is not (PUMP-RECON-009, S61, S118, S69)."""
    pump = get_pump("synchromed-ii-40")
    rec = reconcile_refill(38, 39.9, pump=pump, previous_fill_ml=40)
    assert "PUMP-RECON-002" not in _ids(rec.findings)
    obs = observe_delivery(rec, 40, date(2026, 11, 14), date(2026, 11, 24), pump=pump)
    assert _ids(obs.findings) == {"PUMP-RECON-009": "warn"}
    assert not obs.over_delivery


def test_review_d1_under_delivery_within_flow_accuracy_is_silent() -> None:
    """-10 % of the programmed delivery is within the 14.5 % flow accuracy of a SynchroMed II."""
    pump = get_pump("synchromed-ii-40")
    rec = reconcile_refill(20, 22, pump=pump, previous_fill_ml=40)  # 18 mL delivered, 20 programmed
    obs = observe_delivery(rec, 40, date(2026, 11, 1), date(2026, 11, 24), pump=pump)
    assert "PUMP-RECON-009" not in _ids(obs.findings)


def test_review_d11_empty_reservoir_block_rests_on_the_default_empty_volume() -> None:
    """aspirated 0.05 mL of 4.9 mL expected: flagged PUMP-RECON-001 (warn); only at or below the empty volume
    (pump.reconcile.empty_ml, 0 mL by default: no source gives a 'practically empty' volume) PUMP-RECON-007 blocks."""
    assert RECONCILE_EMPTY_ML.default == 0.0
    near = reconcile_refill(4.9, 0.05)
    assert _ids(near.findings).get("PUMP-RECON-001") == "warn" and "PUMP-RECON-007" not in _ids(near.findings)
    assert _ids(reconcile_refill(4.9, RECONCILE_EMPTY_ML.default).findings)["PUMP-RECON-007"] == "block"
    assert "PUMP-RECON-007" not in _ids(reconcile_refill(4.9, 0.6).findings)


def test_review_d5_transition_screens_its_medicines_tizanidine_with_ciprofloxacin_blocks() -> None:
    """itb transition with tizanidine and ciprofloxacin as 'other antispastics' was offerable: the medicines are
    screened as the oral plans' are (INT-TIZ-CYP1A2-001, absolute block); ciprofloxacin is not weaned."""
    plan = plan_oral_to_itb_transition(
        infusion_start=date(2026, 12, 1),
        oral_mg_per_day=60,
        itb_initial_mcg_per_day=150,
        origin="spinal",
        other_oral_antispastics="tizanidine,ciprofloxacin",
    )
    ids = _ids(plan.findings)
    assert ids["INT-TIZ-CYP1A2-001"] == "block" and not plan.offerable
    wean = next(f for f in plan.findings if f.rule_id == "ITB-TRANS-002")
    assert wean.data["other_oral_antispastics"] == ["tizanidine"]
    assert "medicines" in plan.to_dict()


def test_review_d6_no_refill_date_after_the_pump_shut_off() -> None:
    """forecast: shut-off 2024-01-01 and recommended refill 2024-01-04 with a warn only. The refill date is capped
    the day before the shut-off and the reservoir outlasting the pump is a block naming the shut-off."""
    fill = ReservoirFill(
        pump=get_pump("synchromed-ii-20"),
        volume_ml=20,
        concentration_mcg_per_ml=500,
        program=continuous_program(400),
        filled_at=date(2023, 12, 20),
    )
    forecast = forecast_reservoir(fill, implanted=date(2019, 1, 1))
    assert forecast.battery is not None and forecast.battery.shutoff_date == date(2024, 1, 1)
    assert forecast.recommended_refill_date == date(2023, 12, 31)
    block = next(f for f in forecast.findings if f.rule_id == "PUMP-BATT-003")
    assert block.severity.value == "block" and "2024-01-01" in block.message
    assert "PUMP-BATT-003" not in _ids(forecast_reservoir(fill, implanted=date(2020, 1, 1)).findings)


@pytest.mark.parametrize("clinician", ["none", "N/A", "unknown", "nobody", "Anonymous", " n.a. ", "Not known"])
def test_review_d12_an_override_by_a_placeholder_is_refused(clinician: str) -> None:
    """--clinician none / n/a / unknown / nobody / anonymous was taken as a named clinician."""
    with pytest.raises(InvalidInputError) as err:
        Override("ORAL-MAX-001", "in hospital under supervision", clinician)
    assert err.value.field == "override clinician"


@pytest.mark.parametrize("clinician", ["Dr A. Noneman", "Nobody Jones", "Ana"])
def test_review_d12_real_names_that_contain_a_placeholder_are_accepted(clinician: str) -> None:
    assert Override("ORAL-MAX-001", "in hospital under supervision", clinician).clinician == clinician


@pytest.mark.parametrize(("mg", "meant"), [(0.08, 80.0), (0.005, 5.0), (0.5, None)])
def test_review_d4_check_dose_oral_value_below_a_plausible_dose_warns(mg: float, meant: float | None) -> None:
    """check dose --drug baclofen --mg-per-day 0.08 was silent; simulate oral flags the slip (PK-DOSE-001): one
    plausibility setting, oral.lowest_plausible_single_dose_mg, and one reading of the slip."""
    check = check_dose("baclofen", mg_per_day=mg)
    finding = next(f for f in check.findings if f.rule_id == "DOSE-BAC-ORAL-LOW-001")
    assert finding.severity.value == "warn" and finding.data["likely_intended_mg_per_day"] == meant
    assert likely_intended_oral_dose_mg(mg) == meant


def test_review_d4_plausible_oral_doses_are_not_flagged_as_too_low() -> None:
    for mg in (1.0, 5.0, 30.0):
        assert "DOSE-BAC-ORAL-LOW-001" not in _ids(check_dose("baclofen", mg_per_day=mg).findings)
