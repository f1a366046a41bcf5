"""Issue 9 (pump area): evidence alignment of the battery shut-off, one severity for a low or empty
reservoir, and the missing Prometra-MRI and SynchroMed critical-alarm rules (clinical.md §5.7)."""

from __future__ import annotations

from datetime import date

import pytest

from baclofen.domain.cds.risk import assess_risk
from baclofen.domain.cds.timeline import timeline_from_dict
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.itb.reservoir import ReservoirFill, forecast_battery, forecast_reservoir

SM20 = get_pump("synchromed-ii-20")


def _ids(findings) -> list[str]:
    return [f.rule_id for f in findings]


def _assess(doc: dict):
    return assess_risk(timeline_from_dict(doc))


# --- item 1: false battery block ---------------------------------------------------------------------------


def test_issue9_i1_a_device_eri_date_governs_the_shut_off() -> None:
    """Item 1: implant 2018-01-01 with a device ERI of 2023-06-01 is blocked as "past end of service
    2023-01-01"; with an ERI date recorded, the device-reported date governs (S55)."""
    b = forecast_battery(SM20, date(2018, 1, 1), eri_date=date(2023, 6, 1))

    assert b.shutoff_date == date(2023, 8, 30)  # ERI + 90 days (S55)
    assert b.shutoff_basis == "eri"
    assert b.replacement_date == date(2023, 6, 1)


def test_issue9_i1_without_an_eri_date_the_planning_life_setting_gives_the_shut_off() -> None:
    b = forecast_battery(SM20, date(2018, 1, 1))

    assert b.shutoff_date == date(2023, 1, 1)  # implant + 5 y, pump.synchromed_ii.planning_service_life_years
    assert b.shutoff_basis == "planning_service_life"


@pytest.mark.parametrize(
    ("filled", "eri", "blocked"),
    [
        # no ERI date: the 5-year planning life (DISAGREE setting) - day before / on the boundary
        (date(2022, 12, 31), None, False),
        (date(2023, 1, 1), None, True),
        # ERI 2023-06-01 recorded: the pump stops on 2023-08-30 - the 5-year date no longer blocks
        (date(2023, 1, 1), date(2023, 6, 1), False),
        (date(2023, 8, 29), date(2023, 6, 1), False),
        (date(2023, 8, 30), date(2023, 6, 1), True),
    ],
)
def test_issue9_i1_pump_batt_002_boundaries(filled, eri, blocked) -> None:
    fill = ReservoirFill(SM20, 20, 500, continuous_program(300), filled)

    f = forecast_reservoir(fill, implanted=date(2018, 1, 1), eri_date=eri)

    assert ("PUMP-BATT-002" in _ids(f.findings)) is blocked


@pytest.mark.parametrize(
    ("eri", "as_of", "expected"),
    [
        (None, "2022-12-31T09:00:00+00:00", "RISK-BATTERY-001"),  # replacement due, not past the 5-year date
        (None, "2023-01-01T09:00:00+00:00", "RISK-BATTERY-002"),  # 5-year planning life reached, no ERI known
        ("2023-06-01", "2023-08-29T09:00:00+00:00", "RISK-BATTERY-002"),  # ERI reported: stops by 2023-08-30
        ("2023-06-01", "2023-08-30T09:00:00+00:00", "RISK-BATTERY-002"),  # past ERI + 90 days
    ],
)
def test_issue9_i1_risk_battery_002_uses_the_same_shut_off(eri, as_of, expected) -> None:
    a = _assess({"as_of": as_of, "pump": {"model": "synchromed-ii-20", "implanted": "2018-01-01", "eri_date": eri}})

    battery = [r.finding for r in a.risks if r.finding.rule_id.startswith("RISK-BATTERY")]
    assert [f.rule_id for f in battery] == [expected]
    if eri and expected == "RISK-BATTERY-002":
        assert "2023-08-30" in battery[0].message and "2023-01-01" not in battery[0].message


# --- item 10: one condition, one severity (low / empty reservoir) -------------------------------------------
# 20 mL at 500 mcg/mL, 250 mcg/day = 0.5 mL/day from 2026-01-01 10:00: 2 mL left (alarm) on 2026-02-06 10:00,
# empty on 2026-02-10 10:00.
FILL_TIME = "2026-01-01T10:00:00+00:00"


def _risk_reservoir(as_of: str) -> list[tuple[str, str]]:
    a = _assess({"as_of": as_of, "pump": {"model": "synchromed-ii-20", "refills": [
        {"time": FILL_TIME, "volume_ml": 20, "concentration_mcg_per_ml": 500, "daily_dose_mcg": 250}]}})
    return [(r.finding.rule_id, r.finding.severity.value) for r in a.risks
            if r.finding.rule_id.startswith(("RISK-RESERVOIR", "RISK-REFILL"))]


def _forecast_reservoir(as_of: date) -> list[tuple[str, str]]:
    from datetime import datetime

    fill = ReservoirFill(SM20, 20, 500, continuous_program(250), datetime(2026, 1, 1, 10))
    f = forecast_reservoir(fill, as_of=as_of)
    return [(x.rule_id, x.severity.value) for x in f.findings if x.rule_id.startswith("PUMP-REFILL")]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2026-02-06T09:00:00+00:00", [("RISK-REFILL-001", "warn")]),  # 2.02 mL left: overdue, not yet low
        ("2026-02-06T11:00:00+00:00", [("RISK-RESERVOIR-001", "warn")]),  # low reservoir reached
        ("2026-02-10T09:00:00+00:00", [("RISK-RESERVOIR-001", "warn")]),  # 0.02 mL left: still low
        ("2026-02-10T11:00:00+00:00", [("RISK-RESERVOIR-002", "block")]),  # empty: delivery has stopped
    ],
)
def test_issue9_i10_risk_reservoir_severity_is_that_of_the_pump_forecast(as_of, expected) -> None:
    """Item 10: a low or empty reservoir is a block in PUMP-REFILL-002/003 and a warn in RISK-RESERVOIR-001/002:
    one condition, one severity (low: warn, the non-critical alarm; empty: block, drug no longer flowing)."""
    assert _risk_reservoir(as_of) == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 2, 5), [("PUMP-REFILL-001", "warn")]),  # the day before the alarm day
        (date(2026, 2, 6), [("PUMP-REFILL-002", "warn")]),  # the alarm day
        (date(2026, 2, 9), [("PUMP-REFILL-002", "warn")]),  # the day before the empty day
        (date(2026, 2, 10), [("PUMP-REFILL-003", "block")]),  # the empty day
    ],
)
def test_issue9_i10_pump_forecast_reservoir_severity(as_of, expected) -> None:
    assert _forecast_reservoir(as_of) == expected


def test_issue9_i10_one_function_decides_the_reservoir_condition_for_both_paths() -> None:
    from baclofen.domain.cds import risk
    from baclofen.domain.rules import itb
    from baclofen.domain.rules.itb import RESERVOIR_STATE_SEVERITY, ReservoirState, reservoir_state

    assert RESERVOIR_STATE_SEVERITY[ReservoirState.LOW].value == "warn"
    assert RESERVOIR_STATE_SEVERITY[ReservoirState.EMPTY].value == "block"
    # the rules declare the severity the shared map gives
    assert itb.REFILL_LOW.severity is risk.RESERVOIR_LOW.severity is RESERVOIR_STATE_SEVERITY[ReservoirState.LOW]
    assert itb.REFILL_EMPTY.severity is risk.RESERVOIR_EMPTY.severity is RESERVOIR_STATE_SEVERITY[
        ReservoirState.EMPTY]
    assert reservoir_state(date(2026, 2, 5), date(2026, 2, 6), date(2026, 2, 10)) is None
    assert reservoir_state(date(2026, 2, 6), date(2026, 2, 6), date(2026, 2, 10)) is ReservoirState.LOW
    assert reservoir_state(date(2026, 2, 10), date(2026, 2, 6), date(2026, 2, 10)) is ReservoirState.EMPTY
