"""Pump programs: flex syntax, daily dose as the integral, exact delivery over any span, pump step limits."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.programs import (
    MAX_RATE_MCG_PER_H,
    MINUTES_PER_DAY,
    InfusionProgram,
    PeriodicBolus,
    ProgramMode,
    RateStep,
    continuous_program,
    flex_program,
    parse_clock,
    parse_flex_schedule,
    periodic_bolus_program,
    plan_pump_program,
    program_for_daily_dose,
)


@st.composite
def programs(draw):
    """Simple continuous, flex (1-13 steps) or periodic-bolus programs delivering > 0 mcg a day."""
    kind = draw(st.sampled_from(list(ProgramMode)))
    if kind is ProgramMode.SIMPLE_CONTINUOUS:
        return continuous_program(draw(st.floats(min_value=5, max_value=2000)))
    if kind is ProgramMode.FLEX:
        minutes = sorted(draw(st.sets(st.integers(0, MINUTES_PER_DAY - 1), min_size=1, max_size=13)))
        rates = draw(
            st.lists(
                st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=100)),
                min_size=len(minutes),
                max_size=len(minutes),
            )
        )
        if not any(r > 0 for r in rates):
            rates[0] = 1.0
        return flex_program(zip(minutes, rates, strict=True))
    boluses = draw(
        st.lists(
            st.builds(
                PeriodicBolus,
                st.integers(0, 1439),
                st.floats(min_value=1, max_value=200),
                st.integers(1, 240),
            ),
            min_size=1,
            max_size=4,
        )
    )
    return periodic_bolus_program(draw(st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=50))), boluses)


def _numeric_mass(program: InfusionProgram, start: float, end: float) -> float:
    """Independent oracle: rate x duration summed over the pieces between whole minutes (every step and
    bolus starts on a whole minute, so the rate is constant within each piece)."""
    cuts = [start, *range(math.floor(start) + 1, math.ceil(end)), end]
    return sum(
        program.rate_at(((a + b) / 2) % MINUTES_PER_DAY) * (b - a) / 60.0
        for a, b in zip(cuts, cuts[1:], strict=False)
        if b > a
    )


def test_the_flex_example_of_the_help_delivers_400_mcg_a_day() -> None:
    p = parse_flex_schedule("06:00=20,22:00=10")

    assert p.daily_dose_mcg == 400.0
    assert [(s.start_minute, s.end_minute, s.rate_mcg_per_h) for s in p.segments()] == [
        (0, 360, 10.0),
        (360, 1320, 20.0),
        (1320, 1440, 10.0),
    ]
    assert p.daily_volume_ml(500) == pytest.approx(0.8)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "06:00",
        "06:00=x",
        "24:00=10",
        "6:60=10",
        "06:00=-1",
        "22:00=10,06:00=20",
        "06:00=10,06:00=20",
        "06:00=0,12:00=0",
        "06:00=inf",
        "abc=10",
    ],
)
def test_a_malformed_flex_schedule_is_refused_naming_flex(text) -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_flex_schedule(text)
    assert err.value.field == "flex"


@pytest.mark.parametrize(("steps", "ok"), [(13, True), (14, False)])
def test_synchromed_allows_at_most_13_rate_changes_a_day(steps, ok) -> None:
    text = ",".join(f"{h:02d}:00=10" for h in range(steps))
    if ok:
        assert plan_pump_program("synchromed-ii-20", 500, parse_flex_schedule(text)).program.rate_changes_per_day == 13
        assert len(parse_flex_schedule(text, max_steps=13).steps) == 13
    else:
        with pytest.raises(InvalidInputError, match="at most 13 steps"):
            plan_pump_program("synchromed-ii-20", 500, parse_flex_schedule(text))
        with pytest.raises(InvalidInputError):
            parse_flex_schedule(text, max_steps=13)


def test_a_flex_program_on_a_pump_without_a_documented_step_limit_warns() -> None:
    plan = plan_pump_program("prometra-ii-20", 500, parse_flex_schedule("06:00=20,22:00=10"))

    assert [f.rule_id for f in plan.findings] == ["PUMP-PROG-001"]


def test_a_continuous_program_above_1000_mcg_warns_and_a_diluted_concentration_is_noted() -> None:
    plan = plan_pump_program("synchromed-ii-40", 750, continuous_program(1200))

    assert {f.rule_id for f in plan.findings} == {"ITB-DOSE-001", "ITB-CONC-004"}
    assert plan.to_dict()["daily_volume_ml"] == pytest.approx(1.6)


def test_periodic_boluses_add_to_the_basal_rate_and_wrap_midnight() -> None:
    p = periodic_bolus_program(10, [PeriodicBolus(23 * 60 + 30, 60, 60)])

    assert p.daily_dose_mcg == pytest.approx(300.0)
    assert p.rate_at(23 * 60 + 45) == pytest.approx(70.0)
    assert p.rate_at(15) == pytest.approx(70.0)
    assert p.rate_at(31) == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("mode", "steps", "boluses"),
    [
        (ProgramMode.SIMPLE_CONTINUOUS, (RateStep(0, 10), RateStep(60, 5)), ()),
        (ProgramMode.SIMPLE_CONTINUOUS, (RateStep(60, 10),), ()),
        (ProgramMode.PERIODIC_BOLUS, (RateStep(0, 10),), ()),
        (ProgramMode.FLEX, (RateStep(0, 10),), (PeriodicBolus(0, 10, 10),)),
        (ProgramMode.FLEX, (), ()),
        (ProgramMode.FLEX, (RateStep(0, 0),), ()),
    ],
)
def test_inconsistent_programs_are_refused(mode, steps, boluses) -> None:
    with pytest.raises(InvalidInputError):
        InfusionProgram(mode, steps, boluses)


@pytest.mark.parametrize("text", ["24:00", "7", "12:5", "-1:00"])
def test_clock_times_are_hh_mm_within_the_day(text) -> None:
    with pytest.raises(InvalidInputError):
        parse_clock(text)


@given(programs(), st.floats(min_value=1, max_value=3000))
def test_a_program_for_a_daily_dose_delivers_exactly_that_dose_with_the_same_shape(shape, target) -> None:
    factor = target / shape.daily_dose_mcg
    if max(s.rate_mcg_per_h for s in shape.steps) * factor > MAX_RATE_MCG_PER_H:
        # A shape whose dose sits in a few minutes would need an implausible hourly rate: refused, named.
        with pytest.raises(InvalidInputError, match="rate_mcg_per_h"):
            program_for_daily_dose(target, shape)
        return
    scaled = program_for_daily_dose(target, shape)

    assert scaled.daily_dose_mcg == pytest.approx(target, rel=1e-9)
    assert scaled.mode is shape.mode
    assert [s.start_minute for s in scaled.steps] == [s.start_minute for s in shape.steps]


@given(programs())
def test_the_daily_dose_is_the_integral_of_the_segments(program) -> None:
    segments = program.segments()

    assert segments[0].start_minute == 0 and segments[-1].end_minute == MINUTES_PER_DAY
    assert all(a.end_minute == b.start_minute for a, b in zip(segments, segments[1:], strict=False))
    assert sum(s.dose_mcg for s in segments) == pytest.approx(program.daily_dose_mcg, rel=1e-9)


@given(programs(), st.floats(min_value=0, max_value=3 * MINUTES_PER_DAY), st.floats(min_value=0, max_value=600))
def test_delivered_mass_matches_an_independent_numeric_integration(program, start, span) -> None:
    exact = program.mass_between_mcg(start, start + span)

    assert exact == pytest.approx(_numeric_mass(program, start, start + span), rel=1e-6, abs=1e-6)


@given(
    programs(),
    st.floats(min_value=0, max_value=2 * MINUTES_PER_DAY),
    st.floats(min_value=0, max_value=50_000),
)
def test_minutes_to_deliver_is_the_exact_inverse_of_the_delivered_mass(program, start, mass) -> None:
    minutes = program.minutes_to_deliver(mass, start)

    assert minutes >= 0
    assert program.mass_between_mcg(start, start + minutes) == pytest.approx(mass, rel=1e-9, abs=1e-6)
    if minutes > 1e-6:
        # the earliest such time: a moment before, less had been delivered
        assert program.mass_between_mcg(start, start + minutes - min(minutes, 1.0) * 0.5) < mass + 1e-6


@given(programs(), st.floats(min_value=0, max_value=5000), st.floats(min_value=0, max_value=5000))
def test_delivery_over_adjacent_spans_adds_up(program, a, b) -> None:
    whole = program.mass_between_mcg(0, a + b)

    assert program.mass_between_mcg(0, a) + program.mass_between_mcg(a, a + b) == pytest.approx(
        whole, rel=1e-9, abs=1e-9
    )
