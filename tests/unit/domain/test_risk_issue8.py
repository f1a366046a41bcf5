"""Issue 8 defect 2: the risk engine misses overdose and abrupt ITB cuts.

"A timeline with only "patient": {"crcl_ml_min": 90} and an oral prescription of 300 mg/day since 2026-06-01
(as_of 2027-01-10) rates low with no risk; a SynchroMed refill reprogrammed from 200 to 5 mcg/day gives low
(RISK-PROGRAM-002); 3000 mcg/day at 2000 mcg/mL gives moderate with no clinic alert; a program change to
0.2 mcg/day is low while 0 is high. A dose above the oral cap or above 2003 mcg/day, and any large ITB cut
(withdrawal), must be high with a clinic alert."
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from baclofen.domain.cds.risk import RiskLevel, assess_risk
from baclofen.domain.cds.timeline import timeline_from_dict
from tests.strategies_risk import (
    ITB_MAX_CUT_PERCENT,
    itb_cut_timelines,
    itb_rate_timelines,
    oral_timelines,
)

AS_OF = "2026-03-10T09:00:00+00:00"


def _assess(doc: dict[str, Any], **kw: Any) -> Any:
    return assess_risk(timeline_from_dict(doc), **kw)


def _levels(a: Any) -> dict[str, RiskLevel]:
    out: dict[str, RiskLevel] = {}
    for r in a.risks:
        out.setdefault(r.finding.rule_id, r.level)
    return out


def _risk(a: Any, rule_id: str) -> Any:
    return next(r for r in a.risks if r.finding.rule_id == rule_id)


def _pump(
    refills: list[dict[str, Any]], changes: list[dict[str, Any]] | None = None, model: str = "synchromed-ii-20"
) -> dict[str, Any]:
    return {"model": model, "refills": refills, "program_changes": changes or []}


def _refill(time: str, dose: float, conc: float = 500, volume: float = 20) -> dict[str, Any]:
    return {"time": time, "volume_ml": volume, "concentration_mcg_per_ml": conc, "daily_dose_mcg": dose}


def _oral(dose: float, locale: str | None = None, as_of: str = "2027-01-10T09:00:00+00:00") -> dict[str, Any]:
    patient: dict[str, Any] = {"crcl_ml_min": 90}
    if locale:
        patient["locale"] = locale
    return {
        "as_of": as_of,
        "patient": patient,
        "oral": {"prescriptions": [{"start": "2026-06-01", "end": None, "daily_dose_mg": dose}]},
    }


# --- the four cases of the issue -------------------------------------------------------------------------------
def test_issue8_d2_oral_300_mg_without_locale_is_high_with_a_clinic_alert() -> None:
    """ "an oral prescription of 300 mg/day since 2026-06-01 (as_of 2027-01-10) rates low with no risk" """
    a = _assess(_oral(300))

    assert a.level is RiskLevel.HIGH and a.alert_clinic
    risk = _risk(a, "RISK-ORAL-MAX-001")
    assert risk.level is RiskLevel.HIGH and risk.alert_clinic
    data = risk.finding.data
    # issue 9 item 9: no locale applies the conservative (US) maximum and its in-hospital setting (80 by default)
    assert data["max_daily_dose_mg"] == 80 and data["locale"] is None and data["in_hospital_max_mg"] == 80
    assert data["in_hospital_setting"] == "oral.max_daily_dose_mg.in_hospital.us"
    assert "no locale" in risk.finding.reasoning and "lower" in risk.finding.reasoning
    assert risk.finding.signs  # oral overdose signs travel with it


@pytest.mark.parametrize(
    ("locale", "dose", "high"),
    [
        (None, 80, False),
        (None, 80.5, True),
        (None, 100, True),
        ("us", 80, False),
        ("us", 81, True),
        ("uk", 100, False),
        ("uk", 100.5, True),
        ("uk", 90, False),
        ("uk", 120, True),
        ("uk", 121, True),
    ],
)
def test_issue8_d2_oral_cap_by_locale_both_sides(locale: str | None, dose: float, high: bool) -> None:
    a = _assess(_oral(dose, locale))

    assert ("RISK-ORAL-MAX-001" in _levels(a)) is high
    if high:
        risk = _risk(a, "RISK-ORAL-MAX-001")
        assert risk.level is RiskLevel.HIGH and risk.alert_clinic
        hospital = "in-hospital maximum" in risk.finding.reasoning
        assert hospital


def test_issue8_d2_a_planned_prescription_above_the_cap_is_high() -> None:
    doc = {
        "as_of": AS_OF,
        "patient": {"locale": "us"},
        "oral": {
            "prescriptions": [
                {"start": "2026-01-01", "end": "2026-03-20", "daily_dose_mg": 60},
                {"start": "2026-03-21", "end": None, "daily_dose_mg": 90},
            ]
        },
    }

    assert _levels(_assess(doc)).get("RISK-ORAL-MAX-001") is RiskLevel.HIGH


def test_issue8_d2_an_old_prescription_above_the_cap_outside_the_lookback_is_history() -> None:
    doc = {
        "as_of": AS_OF,
        "patient": {"locale": "us"},
        "oral": {
            "prescriptions": [
                {"start": "2025-01-01", "end": "2026-01-31", "daily_dose_mg": 90},
                {"start": "2026-02-01", "end": None, "daily_dose_mg": 80},
            ]
        },
    }

    assert "RISK-ORAL-MAX-001" not in _levels(_assess(doc))


def test_issue8_d2_a_clinic_may_lower_the_oral_cap_never_raise_it() -> None:
    assert "RISK-ORAL-MAX-001" in _levels(_assess(_oral(70, "us"), settings={"oral.max_daily_dose_mg.us": 60}))
    with pytest.raises(ValueError, match="oral.max_daily_dose_mg.us"):
        _assess(_oral(70, "us"), settings={"oral.max_daily_dose_mg.us": 90})


def test_issue8_d2_refill_reprogrammed_from_200_to_5_mcg_is_high_withdrawal() -> None:
    """ "a SynchroMed refill reprogrammed from 200 to 5 mcg/day gives low (RISK-PROGRAM-002)" """
    doc = {
        "as_of": AS_OF,
        "pump": _pump([_refill("2026-02-01T10:00:00+00:00", 200), _refill("2026-03-08T10:00:00+00:00", 5)]),
    }

    a = _assess(doc)

    assert a.level is RiskLevel.HIGH and a.alert_clinic
    risk = _risk(a, "RISK-PROGRAM-006")
    assert risk.level is RiskLevel.HIGH and risk.alert_clinic
    assert risk.finding.data["cut_percent"] == pytest.approx(97.5)
    assert risk.finding.data["max_cut_percent"] == ITB_MAX_CUT_PERCENT
    assert {"S118", "S2"} <= set(risk.finding.evidence)
    assert "RISK-PROGRAM-002" not in _levels(a)  # not also called a low-risk decrease


@pytest.mark.parametrize("rate", [0.2, 0.001, 1.0, 5.0])
def test_issue8_d2_a_program_change_to_a_tiny_rate_rates_like_a_stop(rate: float) -> None:
    """ "a program change to 0.2 mcg/day is low while 0 is high" """
    base = {"as_of": AS_OF, "pump": _pump([_refill("2026-03-01T10:00:00+00:00", 200, conc=2000)])}
    tiny = {
        **base,
        "pump": {**base["pump"], "program_changes": [{"time": "2026-03-08T10:00:00+00:00", "daily_dose_mcg": rate}]},
    }
    stop = {
        **base,
        "pump": {**base["pump"], "program_changes": [{"time": "2026-03-08T10:00:00+00:00", "daily_dose_mcg": 0}]},
    }

    a, s = _assess(tiny), _assess(stop)

    assert s.level is RiskLevel.HIGH and s.alert_clinic
    assert a.level is RiskLevel.HIGH and a.alert_clinic
    assert _levels(a)["RISK-PROGRAM-006"] is RiskLevel.HIGH


@pytest.mark.parametrize(("after", "high"), [(160, False), (160.1, False), (159.9, True), (150, True)])
def test_issue8_d2_itb_cut_boundary_at_the_20_percent_refill_step(after: float, high: bool) -> None:
    doc = {
        "as_of": AS_OF,
        "pump": _pump(
            [_refill("2026-02-20T10:00:00+00:00", 200)],
            [{"time": "2026-03-09T10:00:00+00:00", "daily_dose_mcg": after}],
        ),
    }

    levels = _levels(_assess(doc))

    assert ("RISK-PROGRAM-006" in levels) is high
    if not high:
        assert levels["RISK-PROGRAM-002"] is RiskLevel.LOW


def test_issue8_d2_the_cut_limit_is_a_setting() -> None:
    doc = {
        "as_of": AS_OF,
        "pump": _pump(
            [_refill("2026-02-20T10:00:00+00:00", 200)], [{"time": "2026-03-09T10:00:00+00:00", "daily_dose_mcg": 170}]
        ),
    }

    assert "RISK-PROGRAM-006" not in _levels(_assess(doc))
    a = _assess(doc, settings={"cds.risk.itb_max_cut_percent": 10})
    assert _levels(a)["RISK-PROGRAM-006"] is RiskLevel.HIGH
    assert {u.setting.name: u.value for u in a.settings}["cds.risk.itb_max_cut_percent"] == 10


def test_issue8_d2_small_cuts_in_a_row_within_the_lookback_add_up() -> None:
    """Three 15 % cuts in three days are a 39 % cut from the dose the patient was on."""
    doc = {
        "as_of": AS_OF,
        "pump": _pump(
            [_refill("2026-02-20T10:00:00+00:00", 200)],
            [
                {"time": "2026-03-07T10:00:00+00:00", "daily_dose_mcg": 170},
                {"time": "2026-03-08T10:00:00+00:00", "daily_dose_mcg": 144.5},
                {"time": "2026-03-09T10:00:00+00:00", "daily_dose_mcg": 122.8},
            ],
        ),
    }

    risk = _risk(_assess(doc), "RISK-PROGRAM-006")

    assert risk.level is RiskLevel.HIGH
    assert risk.finding.data["from_mcg_per_day"] == 200


def test_issue8_d2_3000_mcg_at_2000_mcg_per_ml_is_high_overdose() -> None:
    """ "3000 mcg/day at 2000 mcg/mL gives moderate with no clinic alert" """
    doc = {
        "as_of": AS_OF,
        "pump": _pump(
            [
                _refill("2026-02-20T10:00:00+00:00", 1500, conc=2000, volume=40),
                _refill("2026-03-08T10:00:00+00:00", 3000, conc=2000, volume=40),
            ],
            model="synchromed-ii-40",
        ),
    }

    a = _assess(doc)

    assert a.level is RiskLevel.HIGH and a.alert_clinic
    risk = _risk(a, "RISK-PROGRAM-005")
    assert risk.level is RiskLevel.HIGH and risk.alert_clinic
    assert risk.finding.data["highest_reported_mcg_per_day"] == 2003
    assert "HarrietLane24" in risk.finding.evidence


@pytest.mark.parametrize(("dose", "high"), [(2003, False), (2003.1, True), (1999, False), (10_000, True)])
def test_issue8_d2_itb_rate_boundary_at_2003(dose: float, high: bool) -> None:
    doc = {
        "as_of": AS_OF,
        "pump": _pump([_refill("2026-03-09T10:00:00+00:00", dose, conc=2000, volume=40)], model="synchromed-ii-40"),
    }

    assert ("RISK-PROGRAM-005" in _levels(_assess(doc))) is high


def test_issue8_d2_a_program_change_above_2003_is_high_even_after_it_was_lowered_within_the_lookback() -> None:
    doc = {
        "as_of": AS_OF,
        "pump": _pump(
            [_refill("2026-03-01T10:00:00+00:00", 500, conc=2000, volume=40)],
            [
                {"time": "2026-03-05T10:00:00+00:00", "daily_dose_mcg": 2500},
                {"time": "2026-03-06T10:00:00+00:00", "daily_dose_mcg": 2000},
            ],
            model="synchromed-ii-40",
        ),
    }

    assert _levels(_assess(doc))["RISK-PROGRAM-005"] is RiskLevel.HIGH


def test_issue8_d2_a_tiny_rate_does_not_crash_the_reservoir_forecast() -> None:
    """A 0.2 mcg/day program would take over 100 years to empty 40 mL at 2000 mcg/mL: no input error."""
    doc = {
        "as_of": AS_OF,
        "pump": _pump([_refill("2026-03-09T10:00:00+00:00", 0.2, conc=2000, volume=40)], model="synchromed-ii-40"),
    }

    a = _assess(doc)

    assert a.pump is not None and a.pump.alarm_at is None


# --- properties ---------------------------------------------------------------------------------------------------
def _assert_flagged_high_exactly_when(case: tuple[dict[str, Any], bool], rule_id: str) -> None:
    """``rule_id`` is reported exactly when the strategy's oracle says the limit is breached, and then it is high
    with a clinic alert (and so is the whole assessment)."""
    doc, breach = case

    a = _assess(doc)

    flagged = [r for r in a.risks if r.finding.rule_id == rule_id]
    assert bool(flagged) is breach
    if breach:
        assert a.level is RiskLevel.HIGH and a.alert_clinic
        assert all(r.level is RiskLevel.HIGH and r.alert_clinic for r in flagged)


@settings(max_examples=150)
@given(oral_timelines())
def test_issue8_d2_every_oral_cap_breach_is_high_with_a_clinic_alert(case: tuple[dict[str, Any], bool]) -> None:
    _assert_flagged_high_exactly_when(case, "RISK-ORAL-MAX-001")


@settings(max_examples=150)
@given(itb_rate_timelines())
def test_issue8_d2_every_itb_rate_above_2003_is_high_with_a_clinic_alert(case: tuple[dict[str, Any], bool]) -> None:
    _assert_flagged_high_exactly_when(case, "RISK-PROGRAM-005")


@settings(max_examples=150)
@given(itb_cut_timelines(beyond=True))
def test_issue8_d2_every_itb_cut_beyond_the_step_is_high_with_a_clinic_alert(case: tuple[Any, float]) -> None:
    doc, cut = case
    assert cut > ITB_MAX_CUT_PERCENT

    a = _assess(doc)

    assert a.level is RiskLevel.HIGH and a.alert_clinic
    risk = _risk(a, "RISK-PROGRAM-006")
    assert risk.level is RiskLevel.HIGH and risk.alert_clinic
    assert risk.finding.data["cut_percent"] == pytest.approx(cut, abs=1e-6)
    assert "RISK-PROGRAM-002" not in _levels(a)


@settings(max_examples=150)
@given(itb_cut_timelines(beyond=False))
def test_issue8_d2_a_cut_within_the_step_is_not_high_by_that_rule(case: tuple[dict[str, Any], float]) -> None:
    doc, cut = case
    assert 0 < cut <= ITB_MAX_CUT_PERCENT

    levels = _levels(_assess(doc))

    assert "RISK-PROGRAM-006" not in levels
    assert levels["RISK-PROGRAM-002"] is RiskLevel.LOW
