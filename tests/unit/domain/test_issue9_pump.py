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
    a = _assess(
        {
            "as_of": as_of,
            "pump": {
                "model": "synchromed-ii-20",
                "refills": [
                    {"time": FILL_TIME, "volume_ml": 20, "concentration_mcg_per_ml": 500, "daily_dose_mcg": 250}
                ],
            },
        }
    )
    return [
        (r.finding.rule_id, r.finding.severity.value)
        for r in a.risks
        if r.finding.rule_id.startswith(("RISK-RESERVOIR", "RISK-REFILL"))
    ]


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
    assert itb.REFILL_EMPTY.severity is risk.RESERVOIR_EMPTY.severity is RESERVOIR_STATE_SEVERITY[ReservoirState.EMPTY]
    assert reservoir_state(date(2026, 2, 5), date(2026, 2, 6), date(2026, 2, 10)) is None
    assert reservoir_state(date(2026, 2, 6), date(2026, 2, 6), date(2026, 2, 10)) is ReservoirState.LOW
    assert reservoir_state(date(2026, 2, 10), date(2026, 2, 6), date(2026, 2, 10)) is ReservoirState.EMPTY


# --- missing rule: Prometra and MRI (clinical.md §5.7: S66, PrometraIFU, S100b) ------------------------------
PROMETRA20 = get_pump("prometra-ii-20")


@pytest.mark.parametrize(
    ("pump", "mri", "blocked"),
    [
        (PROMETRA20, None, False),  # no MRI recorded
        (PROMETRA20, date(2026, 1, 1), True),  # MRI on the fill day: drug in the pump
        (PROMETRA20, date(2026, 1, 20), True),
        (SM20, date(2026, 1, 20), False),  # the sheet's MRI warning is Prometra's
    ],
)
def test_issue9_prometra_mri_during_a_fill_is_a_block(pump, mri, blocked) -> None:
    """Missing rule: Prometra and MRI: empty the pump before MRI, reset the flow valve after, or risk overdose."""
    fill = ReservoirFill(pump, 20, 500, continuous_program(150), date(2026, 1, 1))

    f = forecast_reservoir(fill, mri_date=mri)

    mri_findings = [x for x in f.findings if x.rule_id == "PUMP-MRI-001"]
    assert bool(mri_findings) is blocked
    if blocked:
        finding = mri_findings[0]
        assert finding.severity.value == "block"
        assert {"S66", "PrometraIFU"} <= set(finding.evidence)
        assert "empty" in finding.action.lower() and "valve" in finding.action.lower()


def test_issue9_prometra_mri_before_the_fill_is_refused() -> None:
    from baclofen.domain.errors import InvalidInputError

    fill = ReservoirFill(PROMETRA20, 20, 500, continuous_program(150), date(2026, 1, 1))
    with pytest.raises(InvalidInputError) as err:
        forecast_reservoir(fill, mri_date=date(2025, 12, 31))
    assert err.value.field == "mri_date"


def _prometra_timeline(as_of: str, mri: list[dict]) -> dict:
    return {
        "as_of": as_of,
        "pump": {
            "model": "prometra-ii-20",
            "mri": mri,
            "refills": [
                {
                    "time": "2026-01-01T10:00:00+00:00",
                    "volume_ml": 20,
                    "concentration_mcg_per_ml": 500,
                    "daily_dose_mcg": 150,
                }
            ],
        },
    }


@pytest.mark.parametrize(
    ("mri_time", "expected"),
    [
        ("2026-01-01T09:59:00+00:00", False),  # a minute before the refill: the pump was refilled after it
        ("2026-01-01T10:00:00+00:00", True),  # at the refill: drug in the pump
        ("2026-01-15T08:00:00+00:00", True),  # planned after as_of
    ],
)
def test_issue9_risk_mri_on_a_prometra_with_drug_in_it(mri_time, expected) -> None:
    a = _assess(_prometra_timeline("2026-01-10T09:00:00+00:00", [{"time": mri_time}]))

    found = [r for r in a.risks if r.finding.rule_id == "RISK-MRI-001"]
    assert bool(found) is expected
    if expected:
        assert found[0].finding.severity.value == "block" and found[0].level.value == "high"


def test_issue9_risk_mri_on_a_synchromed_is_not_the_prometra_rule() -> None:
    doc = _prometra_timeline("2026-01-10T09:00:00+00:00", [{"time": "2026-01-05T10:00:00+00:00"}])
    doc["pump"]["model"] = "synchromed-ii-20"

    assert "RISK-MRI-001" not in [r.finding.rule_id for r in _assess(doc).risks]


# --- missing rule: SynchroMed critical alarms (S56, S99, MedtronicAlarms, S61) --------------------------------


def _alarm_timeline(alarm: dict, refill_after: bool = False) -> dict:
    refills = [
        {"time": "2026-01-01T10:00:00+00:00", "volume_ml": 20, "concentration_mcg_per_ml": 500, "daily_dose_mcg": 150}
    ]
    if refill_after:
        refills.append(
            {
                "time": "2026-01-09T10:00:00+00:00",
                "volume_ml": 20,
                "concentration_mcg_per_ml": 500,
                "daily_dose_mcg": 150,
            }
        )
    return {
        "as_of": "2026-01-10T09:00:00+00:00",
        "pump": {"model": "synchromed-ii-20", "alarms": [alarm], "refills": refills},
    }


@pytest.mark.parametrize(
    ("alarm", "rule", "severity"),
    [
        ({"time": "2026-01-08T10:00:00+00:00", "kind": "two-tone"}, "RISK-ALARM-001", "block"),
        ({"time": "2026-01-08T10:00:00+00:00", "kind": "motor-stall", "stall_hours": 48}, "RISK-ALARM-002", "warn"),
        ({"time": "2026-01-08T10:00:00+00:00", "kind": "motor-stall", "stall_hours": 48.01}, "RISK-ALARM-002", "block"),
    ],
)
def test_issue9_synchromed_critical_alarms(alarm, rule, severity) -> None:
    """Missing rule: the two-tone "drug no longer flowing" alarm and a motor stall over 48 h."""
    found = [r.finding for r in _assess(_alarm_timeline(alarm)).risks if r.finding.rule_id == rule]

    assert [f.severity.value for f in found] == [severity]
    assert "MedtronicAlarms" in found[0].evidence


def test_issue9_an_alarm_before_the_last_refill_is_resolved() -> None:
    alarm = {"time": "2026-01-08T10:00:00+00:00", "kind": "two-tone"}

    ids = [r.finding.rule_id for r in _assess(_alarm_timeline(alarm, refill_after=True)).risks]
    assert "RISK-ALARM-001" not in ids


@pytest.mark.parametrize(
    ("alarm", "field"),
    [
        ({"time": "2026-01-08T10:00:00+00:00", "kind": "beep"}, "pump.alarms[0].kind"),
        ({"time": "2026-01-08T10:00:00+00:00", "kind": "motor-stall"}, "pump.alarms[0].stall_hours"),
        ({"time": "2026-01-08T10:00:00+00:00", "kind": "two-tone", "stall_hours": 3}, "pump.alarms[0].stall_hours"),
        ({"time": "2026-01-11T10:00:00+00:00", "kind": "two-tone"}, "pump.alarms[0].time"),
    ],
)
def test_issue9_bad_alarm_events_are_refused(alarm, field) -> None:
    from baclofen.domain.errors import InvalidInputError

    with pytest.raises(InvalidInputError) as err:
        timeline_from_dict(_alarm_timeline(alarm))
    assert err.value.field == field


def test_issue9_an_alarm_on_a_prometra_is_refused() -> None:
    from baclofen.domain.errors import InvalidInputError

    doc = _alarm_timeline({"time": "2026-01-08T10:00:00+00:00", "kind": "two-tone"})
    doc["pump"]["model"] = "prometra-ii-20"
    with pytest.raises(InvalidInputError) as err:
        timeline_from_dict(doc)
    assert err.value.field == "pump.alarms[0].kind"


# --- evidence policy: PUMP-FCST-003 rests on the sourced "strictly before the alarm", not on the margin ------------
# A 3 mL fill of 500 mcg/mL with the 2 mL SynchroMed alarm: 1 mL (500 mcg) is delivered before the alarm, so at
# 250 mcg/day the alarm comes exactly 2 days after a midnight fill (the day after the fill is still before it) and
# at 251 mcg/day during the day after the fill (no date after the fill is before the alarm).
def _small_fill(dose: float) -> ReservoirFill:
    return ReservoirFill(SM20, 3, 500, continuous_program(dose), date(2027, 3, 2))


@pytest.mark.parametrize(
    ("dose", "possible", "margin_warn"),
    [(250.0, True, True), (251.0, False, False), (20.0, True, False)],
)
def test_issue9_fcst003_blocks_only_when_no_date_before_the_alarm_exists(dose, possible, margin_warn) -> None:
    """The block "refill not possible" rests on the sourced rule (the refill before the computed alarm, S60); the
    7-day margin (pump.refill_margin_days, ASSUMPTION) can only shorten to a warn (PUMP-FCST-005)."""
    f = forecast_reservoir(_small_fill(dose))

    assert f.refill_possible is possible
    assert ("PUMP-FCST-003" in _ids(f.findings)) is (not possible)
    assert ("PUMP-FCST-005" in _ids(f.findings)) is margin_warn
    if possible:
        assert date(2027, 3, 2) < f.recommended_refill_date < f.low_reservoir_alarm_date


# 1125 mcg/day from a 20 mL fill of 500 mcg/mL: the alarm exactly 8 days after the fill (the 7-day margin is kept);
# 1126 mcg/day: the alarm on day 7, so the margin cannot be kept: the day after the fill, 6 days before it (warn).
@pytest.mark.parametrize(
    ("dose", "refill", "warn"), [(1125.0, date(2027, 3, 3), False), (1126.0, date(2027, 3, 3), True)]
)
def test_issue9_fcst005_the_margin_shortens_to_the_day_after_the_fill_with_a_warn(dose, refill, warn) -> None:
    f = forecast_reservoir(ReservoirFill(SM20, 20, 500, continuous_program(dose), date(2027, 3, 2)))

    assert f.recommended_refill_date == refill
    assert ("PUMP-FCST-005" in _ids(f.findings)) is warn
    assert "PUMP-FCST-003" not in _ids(f.findings)
    if warn:
        w = next(x for x in f.findings if x.rule_id == "PUMP-FCST-005")
        assert w.severity.value == "warn"
        assert w.data["margin_days"] == 7 and w.data["days_before_alarm"] == 6
        assert "pump.refill_margin_days" in w.message or "margin" in w.message
        assert "higher concentration" in w.action
        info = next(x for x in f.findings if x.rule_id == "PUMP-FCST-001")
        assert "6 day(s) before" in info.message


def test_issue9_fcst005_a_clinic_margin_of_one_day_gives_no_warn() -> None:
    f = forecast_reservoir(ReservoirFill(SM20, 20, 500, continuous_program(1126.0), date(2027, 3, 2)), margin_days=1)

    assert f.recommended_refill_date == date(2027, 3, 8)
    assert "PUMP-FCST-005" not in _ids(f.findings)


# --- 5.6: no admixture, on the forecast (and so the refill visit) and the interaction screen -----------------------
@pytest.mark.parametrize(("others", "blocked"), [((), False), (("morphine",), True), ("clonidine, bupivacaine", True)])
def test_issue9_admixture_on_the_forecast_and_the_interaction_screen(others, blocked) -> None:
    from baclofen.domain.cds.interactions import screen_interactions

    forecast = forecast_reservoir(
        ReservoirFill(SM20, 20, 500, continuous_program(300), date(2026, 11, 24)), other_drugs_in_pump=others
    )
    screen = screen_interactions("baclofen", other_drugs_in_pump=others)

    for findings in (forecast.findings, screen.findings):
        assert ("PUMP-ADMIX-001" in _ids(findings)) is blocked
    assert forecast.to_dict()["other_drugs_in_pump"] == screen.to_dict()["other_drugs_in_pump"]


@pytest.mark.parametrize("bad", ["", "morphine;clonidine", ["morphine", " "]])
def test_issue9_admixture_names_are_parsed_by_the_one_name_list_parser(bad) -> None:
    from baclofen.domain.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="other_drugs_in_pump"):
        forecast_reservoir(
            ReservoirFill(SM20, 20, 500, continuous_program(300), date(2026, 11, 24)), other_drugs_in_pump=bad
        )
