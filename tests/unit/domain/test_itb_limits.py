"""Issue 8: the ITB plausibility ranges (baclofen.domain.itb.limits) and where they are applied."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen.domain.itb.concentration import plan_concentration_change
from baclofen.domain.itb.dosing import check_daily_dose, compute_initial_daily_dose, titration_range
from baclofen.domain.itb.limits import (
    MAX_DAILY_VOLUME_ML,
    MIN_DAILY_VOLUME_ML,
    WARN_DAILY_VOLUME_ML,
    check_concentration_range,
    check_daily_dose_range,
    check_daily_volume,
    check_pump_delivery,
    check_screening_dose,
    daily_dose_ceiling,
)
from baclofen.domain.itb.programs import (
    InfusionProgram,
    PeriodicBolus,
    continuous_program,
    flex_program,
    parse_flex_schedule,
    periodic_bolus_program,
    plan_pump_program,
)
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.itb.reservoir import ReservoirFill, forecast_reservoir
from baclofen.domain.itb.transition import plan_oral_to_itb_transition
from baclofen.domain.settings import SETTINGS


def _sev(findings, rule_id: str) -> str | None:
    return next((f.severity.value for f in findings if f.rule_id == rule_id), None)


@pytest.mark.parametrize(
    ("dose", "severity", "slip"),
    [
        (0.011, "warn", False),  # x1000 = 11, still below 12
        (0.012, "block", True),
        (0.4, "block", True),
        (2.003, "block", True),
        (2.004, "warn", False),  # x1000 = 2004, above 2003: not a plausible dose either way
        (11.99, "warn", False),
        (12.0, None, False),
        (2003.0, None, False),
        (2100.0, None, False),  # the upper side is ITB-DOSE-002's
    ],
)
def test_issue8_daily_dose_range_boundaries(dose, severity, slip) -> None:
    findings = check_daily_dose_range(dose)

    assert _sev(findings, "ITB-LIMIT-001") == severity
    if severity:
        assert findings[0].data["likely_unit_confusion"] is slip
        assert findings[0].data["expected_range"] == [12.0, 2003.0]
        assert ("mg/mcg confusion" in findings[0].message) is slip


@pytest.mark.parametrize(
    ("conc", "severity"),
    [
        (0.049, "warn"),
        (0.05, "block"),
        (0.5, "block"),
        (2.0, "block"),
        (3.0, "block"),
        (3.01, "warn"),
        (49.9, "warn"),
        (50.0, None),
        (250.0, None),
        (2000.0, None),
        (2000.1, "warn"),
        (3000.0, "warn"),
    ],
)
def test_issue8_concentration_range_boundaries(conc, severity) -> None:
    assert _sev(check_concentration_range(conc), "ITB-LIMIT-002") == severity


@pytest.mark.parametrize(
    ("ml", "severity"),
    [
        (0.0039, "warn"),
        (0.004, None),
        (4.006, None),
        (4.01, "warn"),
        (40.06, "warn"),
        (40.07, "block"),
        (800.0, "block"),
    ],
)
def test_issue8_daily_volume_boundaries(ml, severity) -> None:
    assert _sev(check_daily_volume(ml), "ITB-LIMIT-003") == severity


def test_issue8_volume_settings_are_derived_from_the_dose_and_concentration_limits() -> None:
    assert MIN_DAILY_VOLUME_ML.default == pytest.approx(12 / 3000)
    assert WARN_DAILY_VOLUME_ML.default == pytest.approx(2003 / 500)
    assert MAX_DAILY_VOLUME_ML.default == pytest.approx(2003 / 50)
    for name in ("itb.limits.lowest_daily_dose_mcg", "itb.limits.max_daily_volume_ml"):
        assert SETTINGS[name].evidence


@pytest.mark.parametrize(
    ("dose", "severity"),
    [
        (0.024, "warn"),
        (0.025, "block"),
        (0.05, "block"),
        (0.1, "block"),
        (0.11, "warn"),
        (24.9, "warn"),
        (25.0, None),
        (33.0, "warn"),
        (50.0, None),
        (75.0, None),
        (99.0, "warn"),
        (100.0, None),
    ],
)
def test_issue8_screening_dose_is_a_ladder_dose(dose, severity) -> None:
    assert _sev(check_screening_dose(dose), "ITB-LIMIT-004") == severity


def test_issue8_d4_initial_dose_of_a_mg_screening_dose_is_not_offerable() -> None:
    """Defect 4: `itb initial-dose --screening-dose-mcg 0.05` gives 0.1 mcg/day."""
    plan = compute_initial_daily_dose(0.05, 6)

    assert _sev(plan.findings, "ITB-LIMIT-004") == "block" and plan.to_dict()["offerable"] is False


def test_issue8_d4_program_and_concentration_change_and_forecast_check_the_ranges() -> None:
    program = plan_pump_program("synchromed-ii-40", 0.5, continuous_program(400))
    change = plan_concentration_change("prometra-ii-20", 400, 0.5, 2000)
    fill = ReservoirFill(get_pump("synchromed-ii-20"), 20, 0.5, continuous_program(0.4), date(2026, 1, 1))
    forecast = forecast_reservoir(fill)

    assert _sev(program.findings, "ITB-LIMIT-002") == "block" and _sev(program.findings, "ITB-LIMIT-003") == "block"
    assert _sev(change.findings, "ITB-LIMIT-002") == "block"  # the old concentration, 0.5 mcg/mL
    assert _sev(forecast.findings, "ITB-LIMIT-002") == "block" and _sev(forecast.findings, "ITB-LIMIT-001") == "block"
    assert [f.rule_id for f in check_pump_delivery(get_pump("synchromed-ii-20"), 500, 400)] == []


@pytest.mark.parametrize(
    ("require", "confirmed", "severity"),
    [(False, False, "warn"), (True, False, "block"), (True, True, "warn"), (False, True, "warn")],
)
def test_issue8_d9_a_decided_dose_above_1000_blocks_until_confirmed(require, confirmed, severity) -> None:
    findings = check_daily_dose(1000.01, confirmed=confirmed, require_confirmation=require)

    assert _sev(findings, "ITB-DOSE-001") == severity
    assert _sev(check_daily_dose(1000.0, require_confirmation=True), "ITB-DOSE-001") is None


def test_issue8_d9_titration_proposal_above_1000() -> None:
    plain = titration_range(900, "spinal", at_refill=True, proposed_mcg_per_day=1050)
    confirmed = titration_range(900, "spinal", at_refill=True, proposed_mcg_per_day=1050, confirm_high_dose=True)

    assert plain.to_dict()["offerable"] is False and confirmed.to_dict()["offerable"] is True


@given(
    current=st.floats(min_value=12.0, max_value=2003.0, allow_nan=False),
    origin=st.sampled_from(["spinal", "cerebral"]),
    at_refill=st.booleans(),
    confirm=st.booleans(),
)
def test_issue8_d10_a_titration_range_never_offers_a_dose_beyond_the_limits(
    current, origin, at_refill, confirm
) -> None:
    r = titration_range(current, origin, at_refill=at_refill, confirm_high_dose=confirm)
    data = r.to_dict()

    assert r.max_mcg_per_day <= 2003.0
    if data["offerable"]:
        assert r.max_mcg_per_day <= daily_dose_ceiling(confirmed=confirm) * (1 + 1e-12)
    if r.max_mcg_per_day > 1000.0 and not confirm:
        assert data["offerable"] is False


@given(
    initial=st.floats(min_value=12.0, max_value=1000.0, allow_nan=False),
    target=st.none() | st.floats(min_value=12.0, max_value=2003.0, allow_nan=False),
)
def test_issue8_d3_the_transition_envelope_stays_within_the_limits(initial, target) -> None:
    t = plan_oral_to_itb_transition(
        infusion_start=date(2026, 12, 1),
        oral_mg_per_day=60,
        itb_initial_mcg_per_day=initial,
        origin="spinal",
        itb_target_mcg_per_day=target,
    )

    assert all(d.itb_max_mcg_per_day <= 1000.0 + 1e-9 for d in t.days)
    assert all(d.itb_cautious_max_mcg_per_day <= d.itb_max_mcg_per_day + 1e-9 for d in t.days)


def test_issue8_d13_flex_bridge_time_follows_the_steps_from_the_change_time() -> None:
    """Defect 13: flex programs: bridge and clearing times use the 24 h mean rate."""
    flex = parse_flex_schedule("06:00=20,22:00=10")  # 400 mcg/day
    kwargs = {"catheter_volume_ml": 0.2, "program_shape": flex}
    anytime = plan_concentration_change("synchromed-ii-20", 400, 500, 2000, **kwargs)
    at_0550 = plan_concentration_change("synchromed-ii-20", 400, 500, 2000, change_minute=5 * 60 + 50, **kwargs)
    continuous = plan_concentration_change("synchromed-ii-20", 400, 500, 2000, catheter_volume_ml=0.2)

    assert anytime.bridge_hours_range == pytest.approx((5.0, 9.0))  # mean rate would say 6 h
    # 05:50: 10 min at 10 mcg/h (1.67 mcg), then 98.33 mcg at 20 mcg/h = 4.92 h
    assert at_0550.bridge_hours == pytest.approx(10 / 60 + (100 - 10 / 6) / 20)
    assert continuous.bridge_hours_range == pytest.approx((6.0, 6.0))
    assert continuous.to_dict()["bridge"]["duration_h"] == pytest.approx(6.0)


def test_issue8_d13_the_longest_time_counts_a_zero_rate_step_crossed_just_after_a_start() -> None:
    """Hypothesis counterexample (rates 25/0/51 mcg/h from 00:00/08:00/16:00, 805 mcg, start 00:08): the end of
    the delivery jumps over the zero-rate step for every start just after 00:07.2, so the longest time is that
    right limit (about 2392.8 min), not the 2151.8 min found at the break points alone."""
    flex = parse_flex_schedule("00:00=25,08:00=0,16:00=51")
    (_, _), (hi, _) = flex.delivery_minutes_range(805.0)

    assert flex.minutes_to_deliver(805.0, 8) == pytest.approx(2392.392, abs=1e-3)
    assert hi >= flex.minutes_to_deliver(805.0, 8)
    assert hi == pytest.approx(2400 - 7.2, abs=1e-3)


@given(
    rates=st.lists(st.integers(min_value=0, max_value=60), min_size=2, max_size=5),
    mass=st.floats(min_value=0.5, max_value=900.0, allow_nan=False),
    start=st.integers(min_value=0, max_value=1439),
)
def test_issue8_d13_the_range_holds_every_start_time(rates, mass, start) -> None:
    if not any(rates):
        rates[0] = 10
    times = [i * (1440 // len(rates)) for i in range(len(rates))]
    flex = parse_flex_schedule(",".join(f"{m // 60:02d}:{m % 60:02d}={r}" for m, r in zip(times, rates, strict=True)))
    (lo, _), (hi, _) = flex.delivery_minutes_range(mass)

    assert lo - 1e-6 <= flex.minutes_to_deliver(mass, start) <= hi + 1e-6


def test_issue8_d13_the_shortest_time_is_where_the_end_lands_on_a_zero_rate_step() -> None:
    """Hypothesis counterexample (9/27/0/0/1 mcg/h from 00:00/04:48/09:36/14:24/19:12, 130 mcg): the range said
    480.89 min at the shortest, but a start at 00:01 takes 480.22 min. The shortest is from the start whose
    delivery ends exactly where the zero-rate steps begin (09:36): 42.8 mcg before 04:48 + 129.6 mcg at 27 mcg/h
    fills the 130 mcg, from 04:45.33, in 290.67 min; a moment later the end jumps past the zero-rate steps."""
    flex = parse_flex_schedule("00:00=9,04:48=27,09:36=0,14:24=0,19:12=1")
    (lo, lo_start), (hi, _) = flex.delivery_minutes_range(130.0)

    assert flex.minutes_to_deliver(130.0, 1) == pytest.approx(480.222, abs=1e-3)
    start = (172.8 - 130.0) * 60 / 9  # 04:45.33: C(start) = C(09:36) - 130 mcg
    assert lo == pytest.approx(576 - start, abs=1e-9)
    assert lo_start == 285
    assert lo <= flex.minutes_to_deliver(130.0, 1) <= hi


def test_issue8_d13_the_shortest_time_holds_for_a_start_between_the_steps() -> None:
    """Hypothesis counterexample (18/34/60/0/29 mcg/h from 00:00/04:48/09:36/14:24/19:12, 492 mcg, start 02:27):
    the range said 818.4 min at the shortest, but from 02:27 it takes 715.5 min. From 02:32 the delivery ends
    exactly at 14:24 (45.6 mcg before, 86.4 - 45.6 + 163.2 + 288 = 492 mcg): 712 min, the shortest."""
    flex = parse_flex_schedule("00:00=18,04:48=34,09:36=60,14:24=0,19:12=29")
    (lo, lo_start), (hi, _) = flex.delivery_minutes_range(492.0)

    assert flex.minutes_to_deliver(492.0, 147) == pytest.approx(715.5, abs=1e-9)
    assert lo == pytest.approx(712.0, abs=1e-9)
    assert lo_start == 152
    assert lo <= flex.minutes_to_deliver(492.0, 147) <= hi
    assert hi == pytest.approx(1255.2, abs=1e-9)  # the right limit just after 12:41 (end jumps 14:24-19:12)


@st.composite
def _daily_programs(draw: st.DrawFn) -> InfusionProgram:
    """A flex program with zero rates among its steps (evenly spread over the day, as the counterexamples, or at
    any minutes), or a basal rate with periodic boluses."""
    kind = draw(st.sampled_from(["even", "any", "boluses"]))
    if kind != "boluses":
        rates = draw(st.lists(st.integers(min_value=0, max_value=60).map(float), min_size=1, max_size=6))
        if not any(rates):
            rates[-1] = 10.0
        if kind == "even":
            times = [i * (1440 // len(rates)) for i in range(len(rates))]
        else:
            times = sorted(
                draw(st.sets(st.integers(min_value=0, max_value=1439), min_size=len(rates), max_size=len(rates)))
            )
        return flex_program(zip(times, rates, strict=False))
    boluses = draw(
        st.lists(
            st.builds(
                PeriodicBolus,
                start_minute=st.integers(min_value=0, max_value=1439),
                dose_mcg=st.sampled_from([5.0, 25.0, 100.0]),
                duration_minutes=st.integers(min_value=1, max_value=300),
            ),
            min_size=1,
            max_size=3,
        )
    )
    return periodic_bolus_program(draw(st.sampled_from([0.0, 2.5, 10.0, 40.0])), boluses)


@settings(max_examples=50)
@given(program=_daily_programs(), mass=st.floats(min_value=0.5, max_value=1500.0, allow_nan=False))
def test_issue8_d13_the_range_matches_a_scan_of_every_half_minute(program: InfusionProgram, mass: float) -> None:
    """Brute force: every start time on a half-minute grid lies in the range, and the range's ends are reached on
    the grid within half a minute. The end of the delivery never moves back as the start moves on, so the time
    falls by at most one minute per minute of start: the grid point just before the shortest start is at most
    0.5 min longer, the one just after the longest start (a right limit) at most 0.5 min shorter."""
    (lo, lo_start), (hi, hi_start) = program.delivery_minutes_range(mass)
    scanned = [program.minutes_to_deliver(mass, i / 2) for i in range(2 * 1440)]

    assert all(lo - 1e-6 <= t <= hi + 1e-6 for t in scanned)
    assert min(scanned) <= lo + 0.5 + 1e-6
    assert max(scanned) >= hi - 0.5 - 1e-6
    assert 0 <= lo_start < 1440 and 0 <= hi_start < 1440
