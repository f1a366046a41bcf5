"""Reservoir forecast: mass balance, never negative, monotone in rate, refill < alarm <= empty, dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.dates import add_months, add_years
from baclofen.domain.itb.programs import continuous_program, parse_flex_schedule
from baclofen.domain.itb.pumps import PUMPS, get_pump
from baclofen.domain.itb.reservoir import ReservoirFill, forecast_battery, forecast_reservoir
from baclofen.domain.rules import Severity
from tests.unit.domain.test_pump_programs import programs

SM20 = get_pump("synchromed-ii-20")


@st.composite
def fills(draw):
    pump = draw(st.sampled_from(list(PUMPS.values())))
    volume = draw(st.floats(min_value=pump.low_reservoir_ml + 0.05, max_value=pump.reservoir_ml))
    conc = draw(st.floats(min_value=50, max_value=2000))
    shape = draw(programs())
    peak = max(seg.rate_mcg_per_h for seg in shape.segments())
    # scale to a realistic daily dose without pushing the peak rate past the structural 10 000 mcg/h bound
    ceiling = min(3000.0, shape.daily_dose_mcg * 9000.0 / peak)
    program = shape.scaled_to(draw(st.floats(min_value=min(10.0, ceiling), max_value=ceiling)))
    filled = draw(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 12, 31)))
    return ReservoirFill(pump, volume, conc, program, filled)


def _ids(findings):
    return [f.rule_id for f in findings]


def _fill(volume=20.0, conc=500.0, dose=500.0, filled=date(2026, 1, 1), pump=SM20, program=None):
    return ReservoirFill(pump, volume, conc, program or continuous_program(dose), filled)


# --- properties -----------------------------------------------------------------------------------------


@given(fills(), st.data())
def test_mass_balance_drug_in_equals_delivered_plus_remaining(fill, data) -> None:
    f = forecast_reservoir(fill)
    horizon = (f.empty_at - fill.filled_at) * 1.2 + timedelta(days=1)
    t = fill.filled_at + horizon * data.draw(st.floats(min_value=0, max_value=1))
    m0 = (
        fill.filled_at.hour * 60 + fill.filled_at.minute + fill.filled_at.second / 60 + fill.filled_at.microsecond / 6e7
    )
    minutes = (t - fill.filled_at) / timedelta(minutes=1)
    programmed_mcg = fill.program.mass_between_mcg(m0, m0 + minutes)

    delivered_mcg = min(programmed_mcg, fill.deliverable_ml * fill.concentration_mcg_per_ml)
    remaining_mcg = fill.remaining_ml(t) * fill.concentration_mcg_per_ml

    assert delivered_mcg + remaining_mcg == pytest.approx(fill.drug_mcg, rel=1e-9)
    assert fill.delivered_ml(t) == pytest.approx(delivered_mcg / fill.concentration_mcg_per_ml, rel=1e-9, abs=1e-12)


@given(fills(), st.lists(st.floats(min_value=0, max_value=1), min_size=2, max_size=6))
def test_volume_is_never_negative_and_never_rises(fill, fractions) -> None:
    f = forecast_reservoir(fill)
    span = (f.empty_at - fill.filled_at) * 1.5 + timedelta(days=2)
    times = sorted(fill.filled_at + span * x for x in fractions)

    volumes = [fill.remaining_ml(t) for t in times]

    assert all(v >= fill.residual_ml >= 0 for v in volumes)
    assert all(b <= a + 1e-12 for a, b in zip(volumes, volumes[1:], strict=False))


@given(fills(), st.integers(1, 30))
def test_recommended_refill_is_before_the_alarm_which_is_not_after_empty(fill, margin) -> None:
    f = forecast_reservoir(fill, margin_days=margin)

    # issue 8 defect 8: never a date on or before the fill; no date (and a block) when none is possible
    if f.recommended_refill_date is None:
        assert "PUMP-FCST-003" in _ids(f.findings) and f.refill_interval_days is None
    else:
        assert fill.filled_at.date() < f.recommended_refill_date < f.low_reservoir_alarm_date <= f.empty_date
        assert f.recommended_refill_date <= f.stability_limit_date
        assert "PUMP-FCST-003" not in _ids(f.findings)
    assert f.low_reservoir_alarm_at <= f.empty_at
    assert fill.remaining_ml(f.low_reservoir_alarm_at) == pytest.approx(f.low_reservoir_ml, rel=1e-6, abs=1e-9)
    assert fill.remaining_ml(f.empty_at) == pytest.approx(fill.residual_ml, abs=1e-6)


def _or_never(day: date | None) -> date:
    """A refill date, or (refill not possible) the earliest date: "not possible" is never later than a date."""
    return date.min if day is None else day


@given(fills(), st.floats(min_value=1.0, max_value=5.0))
def test_a_higher_rate_never_gives_a_later_refill_date(fill, factor) -> None:
    try:
        quicker = fill.program.scaled_to(fill.program.daily_dose_mcg * factor)
    except InvalidInputError:  # a rate beyond the structural bound: not a program a pump could run
        assume(False)
    faster = ReservoirFill(fill.pump, fill.volume_ml, fill.concentration_mcg_per_ml, quicker, fill.filled_at)

    slow, fast = forecast_reservoir(fill), forecast_reservoir(faster)

    assert _or_never(fast.recommended_refill_date) <= _or_never(slow.recommended_refill_date)
    assert fast.low_reservoir_alarm_at <= slow.low_reservoir_alarm_at
    assert fast.empty_at <= slow.empty_at


@given(fills())
def test_every_forecast_finding_names_its_rule_severity_reasoning_and_evidence(fill) -> None:
    for finding in forecast_reservoir(fill, as_of=fill.filled_at + timedelta(days=40)).findings:
        d = finding.to_dict()
        assert d["rule_id"] and d["severity"] in {"block", "warn", "info"} and d["reasoning"] and d["evidence"]


# --- worked examples and boundaries ----------------------------------------------------------------------


def test_a_simple_continuous_fill_gives_exact_dates() -> None:
    f = forecast_reservoir(_fill())

    assert f.fill.daily_volume_ml == 1.0
    assert f.low_reservoir_alarm_at == datetime(2026, 1, 19)
    assert f.empty_at == datetime(2026, 1, 21)
    assert f.recommended_refill_date == date(2026, 1, 12)
    assert f.stability_limit_date == date(2026, 6, 30)
    assert f.refill_interval_days == 11
    assert f.volume_at_recommended_refill_ml == pytest.approx(8.0)  # at the end of the refill day


@pytest.mark.parametrize(
    ("filled", "alarm"),
    [
        (date(2028, 2, 20), date(2028, 3, 9)),  # leap year: 29 February counts
        (date(2027, 2, 20), date(2027, 3, 10)),
        (date(2027, 12, 25), date(2028, 1, 12)),
    ],
)
def test_dates_are_exact_across_february_and_the_new_year(filled, alarm) -> None:
    assert forecast_reservoir(_fill(filled=filled)).low_reservoir_alarm_date == alarm


def test_a_fill_time_of_day_shifts_the_dates() -> None:
    f = forecast_reservoir(_fill(filled=datetime(2026, 1, 1, 18, 0)))

    assert f.low_reservoir_alarm_at == datetime(2026, 1, 19, 18, 0)


def test_a_flex_program_is_integrated_step_by_step() -> None:
    # 400 mcg/day at 500 mcg/mL = 0.8 mL/day; 18 mL (9000 mcg) to the alarm = 22 days (8800 mcg) + 200 mcg
    program = parse_flex_schedule("06:00=20,22:00=10")
    f = forecast_reservoir(_fill(program=program))

    # the last 200 mcg on day 23: 60 mcg by 06:00 at 10 mcg/h, then 140 mcg at 20 mcg/h = 7 h -> 13:00
    assert f.low_reservoir_alarm_at == datetime(2026, 1, 23, 13, 0)


def test_the_stability_limit_caps_the_refill_date() -> None:
    f = forecast_reservoir(_fill(volume=40, conc=2000, dose=100, pump=get_pump("synchromed-ii-40")))

    assert f.limited_by_stability
    assert f.recommended_refill_date == date(2026, 1, 1) + timedelta(days=180)
    assert "PUMP-FCST-002" in _ids(f.findings)


def test_prometra_uses_its_3_ml_refill_threshold() -> None:
    f = forecast_reservoir(_fill(pump=get_pump("prometra-ii-20")))

    assert f.low_reservoir_ml == 3.0
    assert f.low_reservoir_alarm_at == datetime(2026, 1, 18)


@pytest.mark.parametrize(
    ("margin", "recommended"), [(1, date(2026, 1, 18)), (7, date(2026, 1, 12)), (17, date(2026, 1, 2))]
)
def test_the_margin_is_a_setting_counted_back_from_the_alarm_date(margin, recommended) -> None:
    f = forecast_reservoir(_fill(), margin_days=margin)

    assert f.recommended_refill_date == recommended
    assert "PUMP-FCST-003" not in _ids(f.findings)


@pytest.mark.parametrize("margin", [18, 30])
def test_a_fill_that_does_not_outlast_the_margin_is_refilled_the_day_after_with_a_warn(margin) -> None:
    f = forecast_reservoir(_fill(), margin_days=margin)  # alarm 2026-01-19

    assert f.recommended_refill_date == date(2026, 1, 2)  # issue 8 defect 8: never on or before the fill
    assert "PUMP-FCST-003" not in _ids(f.findings)  # issue 9: the margin is an ASSUMPTION: no block on it
    warn = next(x for x in f.findings if x.rule_id == "PUMP-FCST-005")
    assert warn.data["days_before_alarm"] == 17 and warn.data["margin_days"] == margin


@pytest.mark.parametrize(("volume", "blocked"), [(2.5, True), (11.0, False)])
def test_a_fill_that_reaches_the_alarm_by_the_day_after_is_blocked(volume, blocked) -> None:
    """1 mL/day to the 2 mL alarm: 0.5 mL lasts half a day (no date after the fill is before the alarm); 9 mL
    lasts 9 days."""
    f = forecast_reservoir(_fill(volume=volume))

    assert (f.recommended_refill_date is None) is blocked
    assert ("PUMP-FCST-003" in _ids(f.findings)) is blocked


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 1, 12), []),
        (date(2026, 1, 13), ["PUMP-REFILL-001"]),
        (date(2026, 1, 18), ["PUMP-REFILL-001"]),
        (date(2026, 1, 19), ["PUMP-REFILL-002"]),
        (date(2026, 1, 20), ["PUMP-REFILL-002"]),
        (date(2026, 1, 21), ["PUMP-REFILL-003"]),
        (date(2026, 3, 1), ["PUMP-REFILL-003"]),
    ],
)
def test_overdue_low_and_empty_are_told_apart_by_as_of(as_of, expected) -> None:
    f = forecast_reservoir(_fill(), as_of=as_of)

    refill = [x for x in f.findings if x.rule_id.startswith("PUMP-REFILL")]
    assert _ids(refill) == expected
    for finding in refill:
        assert "pruritus without rash" in finding.signs  # ITB withdrawal signs
    # issue 9 item 10: low reservoir a warn (non-critical alarm), empty a block, as in RISK-RESERVOIR-001/002
    if expected and expected[0] == "PUMP-REFILL-002":
        assert refill[0].severity is Severity.WARN
    if expected and expected[0] == "PUMP-REFILL-003":
        assert refill[0].severity is Severity.BLOCK


def test_remaining_volume_at_as_of_is_reported() -> None:
    assert forecast_reservoir(_fill(), as_of=date(2026, 1, 6)).remaining_ml_at_as_of == pytest.approx(15.0)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"volume": 20.01}, "volume_ml"),
        ({"volume": 2.0}, "volume_ml"),
        ({"volume": 0}, "volume_ml"),
        ({"conc": 0}, "concentration_mcg_per_ml"),
        ({"conc": 3001}, "concentration_mcg_per_ml"),
    ],
)
def test_an_impossible_fill_is_refused_naming_the_field(kwargs, field) -> None:
    with pytest.raises(InvalidInputError) as err:
        forecast_reservoir(_fill(**kwargs))
    assert err.value.field == field


def test_overfilling_is_refused_with_its_reason() -> None:
    with pytest.raises(InvalidInputError, match="overfilling"):
        _fill(volume=21)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"margin_days": 0}, "pump.refill_margin_days"),
        ({"margin_days": 2.5}, "pump.refill_margin_days"),
        ({"low_reservoir_ml": 0.1}, "pump.synchromed_ii.low_reservoir_alarm_ml"),
        ({"max_refill_interval_days": 181}, "pump.max_refill_interval_days"),
        ({"implanted": date(2026, 1, 2)}, "implanted"),
        ({"eri_date": date(2025, 1, 2)}, "implanted"),
        ({"as_of": date(2025, 12, 31)}, "as_of"),
    ],
)
def test_bad_forecast_options_are_refused_naming_the_field(kwargs, field) -> None:
    with pytest.raises(InvalidInputError) as err:
        forecast_reservoir(_fill(), **kwargs)
    assert err.value.field == field


# --- battery ---------------------------------------------------------------------------------------------


def test_battery_replacement_is_planned_6_months_before_the_planning_life_with_exact_calendar_dates() -> None:
    b = forecast_battery(SM20, date(2024, 2, 29))

    assert b.end_of_service_date == date(2029, 2, 28)
    assert b.replacement_date == date(2028, 8, 28)
    assert b.max_service_life_date == date(2031, 2, 28)
    assert b.shutoff_date == date(2029, 2, 28)


def test_an_eri_date_brings_the_stop_to_90_days_and_replacement_to_now() -> None:
    b = forecast_battery(SM20, date(2022, 5, 1), eri_date=date(2025, 11, 20))

    assert b.eri_stop_date == date(2026, 2, 18)
    assert b.replacement_date == date(2025, 11, 20)
    assert b.shutoff_date == date(2026, 2, 18)
    # issue 9 item 1: with an ERI date recorded the device governs; the 5-year planning life is not used
    assert forecast_battery(SM20, date(2021, 5, 1), eri_date=date(2025, 11, 20)).replacement_date == date(2025, 11, 20)


def test_prometra_plans_ten_years_and_has_no_eri_interval() -> None:
    prometra = get_pump("prometra-ii-40")

    assert forecast_battery(prometra, date(2020, 3, 1)).replacement_date == date(2029, 9, 1)
    with pytest.raises(InvalidInputError) as err:
        forecast_battery(prometra, date(2020, 3, 1), eri_date=date(2026, 1, 1))
    assert err.value.field == "eri_date"


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # the reservoir outlasts the shut-off 2026-02-18: PUMP-BATT-003 (review of issue 8, defect 6)
        (date(2026, 1, 2), ["PUMP-BATT-003", "PUMP-BATT-001"]),
        (date(2026, 2, 17), ["PUMP-BATT-003", "PUMP-BATT-001"]),
        (date(2026, 2, 18), ["PUMP-BATT-002"]),
    ],
)
def test_replacement_due_and_past_end_of_service(as_of, expected) -> None:
    fill = _fill(dose=100, filled=date(2026, 1, 1))

    f = forecast_reservoir(fill, implanted=date(2021, 2, 18), as_of=as_of)

    assert [x for x in _ids(f.findings) if x.startswith("PUMP-BATT")] == expected


def test_a_replacement_due_before_the_next_refill_is_flagged_without_as_of() -> None:
    f = forecast_reservoir(_fill(dose=100), implanted=date(2021, 5, 1))

    assert "PUMP-BATT-001" in _ids(f.findings)
    assert f.to_dict()["battery_replacement_date"] == "2025-11-01"


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 8, 31), -6, date(2026, 2, 28)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_calendar_months_are_exact(start, months, expected) -> None:
    assert add_months(start, months) == expected


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2900, 12, 31)), st.integers(0, 50))
def test_adding_years_keeps_the_day_or_clamps_29_february(day, years) -> None:
    later = add_years(day, years)

    assert later.year == day.year + years and later.month == day.month
    assert later.day == day.day or (day.month, day.day, later.day) == (2, 29, 28)


def test_the_forecast_is_json_ready_with_the_cli_fields() -> None:
    data = forecast_reservoir(_fill(), implanted=date(2024, 2, 29)).to_dict()

    assert {
        "empty_date",
        "low_reservoir_alarm_date",
        "recommended_refill_date",
        "stability_limit_date",
        "battery_replacement_date",
        "findings",
        "settings",
        "reasoning",
    } <= set(data)
    assert {s["name"] for s in data["settings"]} >= {
        "pump.refill_margin_days",
        "pump.max_refill_interval_days",
        "pump.synchromed_ii.low_reservoir_alarm_ml",
    }


@pytest.mark.parametrize(
    ("dose", "expected"),
    [
        (1000.0, set()),
        (1000.5, {"ITB-DOSE-001"}),
        (2003.0, {"ITB-DOSE-001"}),
        (2100.0, {"ITB-DOSE-001", "ITB-DOSE-002"}),
    ],
)
def test_a_forecast_carries_the_dose_level_findings_of_the_programmed_dose(dose, expected) -> None:
    fill = ReservoirFill(SM20, 20, 2000, continuous_program(dose), date(2026, 1, 1))

    ids = {i for i in _ids(forecast_reservoir(fill).findings) if i.startswith("ITB-DOSE")}
    assert ids == expected
