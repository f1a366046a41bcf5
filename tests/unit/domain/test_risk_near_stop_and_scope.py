"""Issue 8, round 2 (invariant suite): the risk engine's near-stop in place and the adults-only scope.

Defect r2-1: "a SynchroMed pump at 100 mcg/day reprogrammed to 0.2 mcg/day on 2027-01-03T08:00Z with as_of
2027-01-10T09:00Z rates low with no risk (the cut is just outside the 7-day look-back, so RISK-PROGRAM-006 does
not fire, and only an exact 0 counts as a stop in place for RISK-PROGRAM-004)". A rate in effect below the lowest
plausible ITB daily dose (itb.limits.lowest_daily_dose_mcg) is a stop in place, whatever its age; a first
recorded program below it is flagged too.

Defect r2-2: "The risk command takes patient.age_years but ignores it": a patient under 18 gets
SCOPE-PAEDIATRIC-001 (an absolute block, the age shown) and the assessment says it is out of scope.
"""

from __future__ import annotations

from typing import Any

import pytest

from baclofen.domain.cds.risk import RiskLevel, assess_risk
from baclofen.domain.cds.timeline import timeline_from_dict
from baclofen.domain.itb.limits import LOWEST_DAILY_DOSE_MCG
from baclofen.domain.rules.scope import ADULT_AGE_YEARS

AS_OF = "2027-01-10T09:00:00+00:00"
LOWEST = float(LOWEST_DAILY_DOSE_MCG.default)


def _refill(time: str, dose: float, conc: float = 500, volume: float = 20) -> dict[str, Any]:
    return {"time": time, "volume_ml": volume, "concentration_mcg_per_ml": conc, "daily_dose_mcg": dose}


def _pump_doc(
    refills: list[dict[str, Any]], changes: list[dict[str, Any]] | None = None, patient: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "schema": "baclofen-timeline/1",
        "as_of": AS_OF,
        "patient": patient or {"crcl_ml_min": 90},
        "pump": {
            "model": "synchromed-ii-20",
            "implanted": "2025-01-01",
            "refills": refills,
            "program_changes": changes or [],
        },
    }


def _invariant_case(rate: float, change_time: str = "2027-01-03T08:00:00+00:00") -> dict[str, Any]:
    """The timeline the invariant suite found (tests/invariants/test_risk.py)."""
    return _pump_doc(
        [_refill("2026-10-05T09:00:00+00:00", 100), _refill("2026-12-04T09:00:00+00:00", 100)],
        [{"time": change_time, "daily_dose_mcg": rate}],
    )


def _assess(doc: dict[str, Any], **kw: Any) -> Any:
    return assess_risk(timeline_from_dict(doc), **kw)


def _by_rule(a: Any, rule_id: str) -> list[Any]:
    return [r for r in a.risks if r.finding.rule_id == rule_id]


# --- r2-1: near-stop in place -----------------------------------------------------------------------------------
def test_issue8_r2_near_stop_just_outside_the_lookback_is_high() -> None:
    """ "100 mcg/day reprogrammed to 0.2 mcg/day on 2027-01-03T08:00Z with as_of 2027-01-10T09:00Z rates low" """
    a = _assess(_invariant_case(0.2))

    assert a.level is RiskLevel.HIGH and a.alert_clinic
    (risk,) = _by_rule(a, "RISK-PROGRAM-004")
    assert risk.level is RiskLevel.HIGH and risk.alert_clinic
    assert "near-stop" in risk.finding.message
    data = risk.finding.data
    assert data["near_stop"] is True and data["daily_dose_mcg"] == 0.2
    assert data["lowest_plausible_mcg_per_day"] == LOWEST
    assert data["previous_mcg_per_day"] == 100
    assert risk.finding.signs  # ITB withdrawal signs travel with it


@pytest.mark.parametrize("days_ago", [1, 8, 30, 200])
def test_issue8_r2_a_near_stop_in_place_is_high_whatever_its_age(days_ago: int) -> None:
    from datetime import datetime, timedelta

    when = (datetime.fromisoformat(AS_OF) - timedelta(days=days_ago)).isoformat()
    doc = _pump_doc([_refill("2026-06-01T09:00:00+00:00", 100, conc=2000)], [{"time": when, "daily_dose_mcg": 1}])

    a = _assess(doc)

    assert [r.level for r in _by_rule(a, "RISK-PROGRAM-004")] == [RiskLevel.HIGH]
    assert a.level is RiskLevel.HIGH and a.alert_clinic


@pytest.mark.parametrize(
    ("rate", "near_stop"),
    [
        (0.001, True),
        (0.2, True),
        (LOWEST - 0.01, True),
        (LOWEST, False),
        (LOWEST + 0.01, False),
        (60, False),
    ],
)
def test_issue8_r2_near_stop_boundary_at_the_lowest_plausible_dose(rate: float, near_stop: bool) -> None:
    a = _assess(_invariant_case(rate))

    assert bool(_by_rule(a, "RISK-PROGRAM-004")) is near_stop
    if near_stop:
        assert a.level is RiskLevel.HIGH and a.alert_clinic


def test_issue8_r2_the_lowest_plausible_dose_is_the_itb_limits_setting_and_a_clinic_may_change_it() -> None:
    doc = _invariant_case(20)

    assert not _by_rule(_assess(doc), "RISK-PROGRAM-004")
    a = _assess(doc, settings={LOWEST_DAILY_DOSE_MCG.name: 25})
    assert _by_rule(a, "RISK-PROGRAM-004")
    assert {u.setting.name: u.value for u in a.settings}[LOWEST_DAILY_DOSE_MCG.name] == 25


def test_issue8_r2_a_near_stop_that_no_longer_runs_is_not_a_stop_in_place() -> None:
    doc = _invariant_case(0.2)
    doc["pump"]["program_changes"].append({"time": "2027-01-05T08:00:00+00:00", "daily_dose_mcg": 100})

    assert not _by_rule(_assess(doc), "RISK-PROGRAM-004")


def test_issue8_r2_an_exact_stop_keeps_its_stop_message() -> None:
    (risk,) = _by_rule(_assess(_invariant_case(0)), "RISK-PROGRAM-004")

    assert risk.finding.message.startswith("Pump stopped since")
    assert "near-stop" not in risk.finding.message


@pytest.mark.parametrize(
    ("rate", "flagged", "slip"),
    [
        (0.3, True, True),
        (5, True, False),
        (LOWEST - 0.01, True, False),
        (LOWEST, False, False),
        (300, False, False),
    ],
)
def test_issue8_r2_a_first_recorded_program_below_the_lowest_dose_is_flagged(
    rate: float, flagged: bool, slip: bool
) -> None:
    """ "a first recorded program/refill below that plausible lowest dose (no earlier dose to cut from) should be
    flagged (high: effectively no ITB delivered, or a mg/mcg slip)" """
    doc = _pump_doc([_refill("2027-01-09T09:00:00+00:00", rate, conc=2000, volume=20)])

    a = _assess(doc)

    risks = _by_rule(a, "RISK-PROGRAM-004")
    assert bool(risks) is flagged
    if flagged:
        (risk,) = risks
        assert risk.level is RiskLevel.HIGH and risk.alert_clinic
        assert risk.finding.data["previous_mcg_per_day"] is None
        assert "no earlier dose" in risk.finding.message and "effectively no intrathecal" in risk.finding.message
        assert risk.finding.data["likely_unit_confusion"] is slip
        if slip:
            assert risk.finding.data["likely_intended_mcg_per_day"] == pytest.approx(rate * 1000)
            assert "mg/mcg" in risk.finding.message


# --- r2-2: adults only ---------------------------------------------------------------------------------------------
def _oral_doc(age: float | None) -> dict[str, Any]:
    patient: dict[str, Any] = {"crcl_ml_min": 90}
    if age is not None:
        patient["age_years"] = age
    return {
        "as_of": AS_OF,
        "patient": patient,
        "oral": {"prescriptions": [{"start": "2026-06-01", "end": None, "daily_dose_mg": 30}]},
    }


@pytest.mark.parametrize(
    ("age", "out_of_scope"),
    [
        (5, True),
        (16, True),
        (ADULT_AGE_YEARS - 0.1, True),
        (ADULT_AGE_YEARS, False),
        (46, False),
        (None, False),
    ],
)
def test_issue8_r2_a_patient_under_18_is_out_of_scope_of_the_risk_assessment(
    age: float | None, out_of_scope: bool
) -> None:
    """ "The risk command takes patient.age_years but ignores it" """
    a = _assess(_oral_doc(age))

    scope = _by_rule(a, "SCOPE-PAEDIATRIC-001")
    assert bool(scope) is out_of_scope
    assert a.out_of_scope is out_of_scope
    if out_of_scope:
        (risk,) = scope
        assert a.risks[0] is risk  # at the top
        assert risk.finding.severity.value == "block" and risk.finding.overridable is False
        assert risk.finding.data["age_years"] == age
        assert f"{age:g}" in risk.finding.message and "out of scope" in risk.finding.message
        assert "risk assessment" in risk.finding.message
        assert risk.level is RiskLevel.HIGH and risk.alert_clinic
        d = a.to_dict()
        assert d["out_of_scope"] is True and d["risks"][0]["rule_id"] == "SCOPE-PAEDIATRIC-001"
        assert d["risks"][0]["data"]["age_years"] == age
    else:
        assert a.to_dict()["out_of_scope"] is False


def test_issue8_r2_out_of_scope_still_lists_the_risks_found() -> None:
    """A child's withdrawal risk is not hidden: the clinic still sees it, under the scope block."""
    doc = _invariant_case(0.2)
    doc["patient"]["age_years"] = 12

    a = _assess(doc)

    ids = [r.finding.rule_id for r in a.risks]
    assert ids[0] == "SCOPE-PAEDIATRIC-001" and "RISK-PROGRAM-004" in ids
