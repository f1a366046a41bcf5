"""Issue 8, pump part: domain-level tests of the refill / forecast / reconcile defects."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.dates import on_clock_of, pump_moment, same_clock
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.itb.refill import observe_delivery, reconcile_refill
from baclofen.domain.itb.reservoir import ReservoirFill, forecast_reservoir
from tests.pump_visits import refill_visit_from_options
from tests.unit.domain.test_pump_reservoir import fills

SM40 = get_pump("synchromed-ii-40")
PROMETRA40 = get_pump("prometra-ii-40")


def _ids(findings):
    return [f.rule_id for f in findings]


# --- defect 1: delivery judged against what was programmed ---------------------------------------------


def test_issue8_d1_near_full_reservoir_over_delivery_is_beyond_the_flow_accuracy() -> None:
    """Defect 1: 5.7 mL delivered against 2.0 mL programmed, over_delivery false, "within tolerance"."""
    obs = observe_delivery(reconcile_refill(38, 34.3, pump=SM40), 40, date(2026, 11, 14), date(2026, 11, 24), pump=SM40)

    assert obs.over_delivery is True and obs.beyond_accuracy is True
    assert obs.rate_factor == pytest.approx(2.85)
    assert _ids(obs.findings) == ["PUMP-RECON-006"]
    assert obs.findings[0].severity.value == "warn"
    assert obs.to_dict()["settings"][0]["name"] == "pump.synchromed_ii.flow_accuracy_percent"


@pytest.mark.parametrize(
    ("pump", "aspirated", "beyond"),
    [
        # programmed = 40 - 20 = 20 mL; SynchroMed II flow accuracy 14.5 % -> 2.9 mL
        (SM40, 17.1, False),  # +2.9 mL = exactly 14.5 %: not beyond
        (SM40, 17.09, True),  # +2.91 mL
        (SM40, 17.11, False),
        # Prometra II has no flow-accuracy setting: pump.delivery.tolerance_percent, 10 % -> 2 mL
        (PROMETRA40, 18.0, False),  # exactly 10 %
        (PROMETRA40, 17.99, True),
        (PROMETRA40, 18.01, False),
    ],
)
def test_issue8_d1_the_flow_accuracy_boundary_is_exact(pump, aspirated, beyond) -> None:
    rec = reconcile_refill(20, aspirated, pump=pump)
    obs = observe_delivery(rec, 40, date(2026, 1, 1), date(2026, 2, 1), pump=pump)

    assert obs.beyond_accuracy is beyond
    assert ("PUMP-RECON-006" in _ids(obs.findings)) is beyond
    assert obs.rate_factor is not None  # any excess: the next refill is forecast at the observed rate


def test_issue8_d1_the_flow_accuracy_can_be_overridden() -> None:
    rec = reconcile_refill(20, 18.5, pump=SM40)  # +1.5 mL = 7.5 % of 20 mL programmed

    assert not observe_delivery(rec, 40, date(2026, 1, 1), date(2026, 2, 1), pump=SM40).beyond_accuracy
    assert observe_delivery(rec, 40, date(2026, 1, 1), date(2026, 2, 1), pump=SM40, accuracy_percent=5).beyond_accuracy


# --- defects 6 and 8: forecast dates ---------------------------------------------------------------------

SM20 = get_pump("synchromed-ii-20")


def _fill(dose=300.0, filled=date(2026, 11, 24), volume=20.0):
    return ReservoirFill(SM20, volume, 500, continuous_program(dose), filled)


@pytest.mark.parametrize(
    ("filled", "blocked"),
    [(date(2023, 12, 31), False), (date(2024, 1, 1), True), (date(2026, 11, 24), True)],
)
def test_issue8_d6_a_fill_on_or_after_the_shut_off_is_blocked_without_as_of(filled, blocked) -> None:
    """Defect 6: a fill after the pump's shut-off only warns unless --as-of is given (shut-off 2024-01-01: the
    5-year planning life of a SynchroMed II implanted 2019-01-01)."""
    f = forecast_reservoir(_fill(filled=filled), implanted=date(2019, 1, 1))

    assert f.battery is not None and f.battery.shutoff_date == date(2024, 1, 1)
    assert ("PUMP-BATT-002" in _ids(f.findings)) is blocked
    if blocked:
        assert next(x for x in f.findings if x.rule_id == "PUMP-BATT-002").severity.value == "block"
        assert "PUMP-BATT-001" not in _ids(f.findings)


# 4500 mcg/day = 9 mL/day: the 2 mL alarm exactly 2 days after the fill, so the day after the fill is before it;
# 4501: the alarm during the day after the fill (no date after the fill is before it). 1500 (the defect's case): the
# alarm after 6 days, inside the 7-day margin: the day after the fill with a warn (issue 9, PUMP-FCST-005).
@pytest.mark.parametrize(("dose", "possible"), [(4501.0, False), (4500.0, True), (1500.0, True)])
def test_issue8_d8_no_refill_date_on_or_before_the_fill(dose, possible) -> None:
    """Defect 8: --daily-dose-mcg 1500 --filled 2027-03-02 gave 2027-03-01 (interval -1)."""
    f = forecast_reservoir(_fill(dose=dose, filled=date(2027, 3, 2)))

    assert f.refill_possible is possible
    if possible:
        assert date(2027, 3, 2) < f.recommended_refill_date < f.low_reservoir_alarm_date
    else:
        assert f.recommended_refill_date is None and f.to_dict()["recommended_refill_date"] is None
        block = next(x for x in f.findings if x.rule_id == "PUMP-FCST-003")
        assert block.message.startswith("Refill not possible at this dose and volume")
        assert "higher concentration" in block.action and "larger reservoir" in block.action
        assert not block.signs  # not the withdrawal-emergency text


def test_issue8_d8_an_observed_rate_that_leaves_no_refill_date_is_a_block_on_the_visit() -> None:
    visit = refill_visit_from_options(
        "synchromed-ii-20",
        concentration_mcg_per_ml=500,
        refilled="2026-03-02",
        daily_dose_mcg=1000,
        expected_ml=18,
        aspirated_ml=0.5,  # 19.5 mL delivered in a day against 2 mL programmed: x9.75, the alarm within a day
        previous_fill_ml=20,
        previous_filled="2026-03-01",
    )

    data = visit.to_dict()
    assert data["next_refill_date"] is None and data["refill_possible"] is False
    assert "PUMP-FCST-003" in [f["rule_id"] for f in data["findings"]]


# --- defect 11: empty and impossible aspirates -----------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "aspirated", "empty"), [(4.9, 0.0, True), (0.0, 0.0, True), (4.9, 0.01, False), (4.9, 0.6, False)]
)
def test_issue8_d11_empty_reservoir_is_block(expected, aspirated, empty) -> None:
    """Defect 11: an empty reservoir at refill (expected 4.9 mL, aspirated 0) is only a warn."""
    r = reconcile_refill(expected, aspirated)

    assert ("PUMP-RECON-007" in _ids(r.findings)) is empty
    if empty:
        assert r.findings[0].rule_id == "PUMP-RECON-007" and r.findings[0].severity.value == "block"
        assert "PUMP-RECON-003" not in _ids(r.findings) and r.flagged


@pytest.mark.parametrize(
    ("kwargs", "aspirated", "impossible"),
    [
        ({"previous_fill_ml": 15.0}, 15.0, False),
        ({"previous_fill_ml": 15.0}, 15.01, True),
        ({"pump": SM20}, 20.0, False),
        ({"pump": SM20}, 20.01, True),
        ({}, 40.0, False),  # no pump: the largest reservoir in the catalogue
        ({}, 40.5, True),
    ],
)
def test_issue8_d11_an_aspirate_above_the_previous_fill_or_the_capacity_is_an_inconsistency(
    kwargs, aspirated, impossible
) -> None:
    r = reconcile_refill(10.0, aspirated, **kwargs)

    assert ("PUMP-RECON-008" in _ids(r.findings)) is impossible
    if impossible:
        finding = next(f for f in r.findings if f.rule_id == "PUMP-RECON-008")
        assert finding.severity.value == "block" and "S71" in finding.evidence
        assert "Do not inject" in finding.action


# --- defect 14: UTC offsets --------------------------------------------------------------------------------


def test_issue8_d14_intervals_between_offsets_are_instants() -> None:
    """Defect 14: 2026-11-01T00:00+10:00 to 2026-11-24T00:00-10:00 gave 23.0 days, truly 23.83."""
    start, end = same_clock(
        (datetime.fromisoformat("2026-11-01T00:00+10:00"), "previous_filled"),
        (datetime.fromisoformat("2026-11-24T00:00-10:00"), "refilled"),
    )

    assert (end - start) / timedelta(days=1) == pytest.approx(23 + 20 / 24)
    rec = reconcile_refill(10, 10)
    obs = observe_delivery(rec, 20, start, end)
    assert obs.interval_days == pytest.approx(23 + 20 / 24)


def test_issue8_d14_naive_moments_stay_on_the_pump_clock() -> None:
    start, end = same_clock((date(2026, 11, 1), "previous_filled"), (datetime(2026, 11, 24, 0, 0), "refilled"))

    assert (end - start).days == 23 and start.tzinfo is None and end.tzinfo is None


@pytest.mark.parametrize(
    ("reference", "moment", "field"),
    [
        (datetime(2026, 1, 1, tzinfo=UTC), date(2026, 1, 2), "as_of"),
        (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2), "as_of"),
        (datetime(2026, 1, 1), datetime(2026, 1, 2, tzinfo=UTC), "as_of"),
    ],
)
def test_issue8_d14_a_mix_with_and_without_offset_is_refused(reference, moment, field) -> None:
    with pytest.raises(InvalidInputError) as err:
        on_clock_of(pump_moment(reference), moment, field)
    assert err.value.field == field and "UTC offset" in err.value.expected


def test_issue8_d14_a_zone_becomes_the_fixed_offset_of_the_fill() -> None:
    """The pump clock does not follow daylight-saving changes: the fill's offset is kept as it was."""
    fill_at = pump_moment(datetime(2026, 3, 28, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")))  # +01:00, DST on 29 Mar

    assert fill_at.utcoffset() == timedelta(hours=1) and (fill_at + timedelta(days=2)).utcoffset() == timedelta(hours=1)


@given(fills(), st.integers(min_value=-12 * 4, max_value=14 * 4))
def test_issue8_d14_an_offset_on_the_fill_keeps_its_wall_clock_dates(fill, quarter_hours) -> None:
    zone = timezone(timedelta(minutes=15 * quarter_hours))
    aware = ReservoirFill(
        fill.pump, fill.volume_ml, fill.concentration_mcg_per_ml, fill.program, fill.filled_at.replace(tzinfo=zone)
    )

    plain, shifted = forecast_reservoir(fill), forecast_reservoir(aware)

    assert shifted.recommended_refill_date == plain.recommended_refill_date
    assert shifted.low_reservoir_alarm_at.replace(tzinfo=None) == plain.low_reservoir_alarm_at
    as_of = aware.filled_at.astimezone(UTC) + timedelta(days=3)
    assert forecast_reservoir(aware, as_of=as_of).remaining_ml_at_as_of == pytest.approx(
        fill.remaining_ml(fill.filled_at + timedelta(days=3))
    )


# --- defect 15: exact tolerance comparison ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "aspirated", "rule"),
    [
        (7.7, 6.93, "PUMP-RECON-003"),  # exactly -10 % (float: -10.000000000000005 %)
        (7.7, 8.47, "PUMP-RECON-003"),  # exactly +10 %
        (9.3, 8.37, "PUMP-RECON-003"),  # exactly -10 % (float: -10.000000000000016 %)
        (6.1, 5.49, "PUMP-RECON-003"),  # exactly -10 % (float: -9.999999999999991 %)
        (7.7, 6.92, "PUMP-RECON-001"),  # just beyond
        (7.7, 6.94, "PUMP-RECON-003"),  # just within
        (7.7, 8.48, "PUMP-RECON-002"),
        (7.7, 8.46, "PUMP-RECON-003"),
        (1.07, 0.57, "PUMP-RECON-003"),  # exactly the 0.5 mL tolerance (float: -0.5000000000000001 mL)
        (0.6, 1.1, "PUMP-RECON-003"),  # exactly +0.5 mL (float: 0.5000000000000001 mL)
        (1.07, 0.56, "PUMP-RECON-001"),
    ],
)
def test_issue8_d15_exactly_10_percent_is_not_flagged_by_float_rounding(expected, aspirated, rule) -> None:
    """Defect 15: exactly 10 % discrepancy flagged or not by float rounding."""
    assert _ids(reconcile_refill(expected, aspirated).findings) == [rule]
