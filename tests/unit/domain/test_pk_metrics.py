"""Exposure metrics, band time fractions, steady state and the typical-subject profiles."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.pk.bands import plasma_bands
from baclofen.domain.pk.engine import oral_dose, simulate
from baclofen.domain.pk.metrics import (
    band_time_fractions,
    daily_metrics,
    first_time_at_or_above,
    grid_metrics,
    steady_state_initial_state,
    terminal_half_life_h,
    time_to_fraction_of_steady_state_h,
)
from baclofen.domain.pk.parameters import KidneyInput, oral_parameters
from baclofen.domain.pk.profiles import (
    DialysisSession,
    repeated_oral_doses,
    simulate_intrathecal_exposure,
    simulate_oral_exposure,
    time_grid,
)
from baclofen.domain.pk.system import PLASMA_NG_PER_ML, Structure, SubjectParameters, build_system


def test_grid_metrics_over_a_window() -> None:
    t = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    c = np.array([[0.0, 10.0, 40.0, 20.0, 10.0]])

    m = grid_metrics(t, c, 1.0, 3.0)

    assert (m.cmax[0], m.tmax_h[0], m.cmin[0]) == (40.0, 2.0, 10.0)
    assert m.auc_trapezoid[0] == pytest.approx(55.0)
    assert m.cavg[0] == pytest.approx(27.5)


def test_band_fractions_interpolate_linearly_between_samples() -> None:
    """A ramp 0 -> 1000 ng/mL over 10 h spends 8% of its time below 80 and 40% in 400-1000 (usual 32%)."""
    t = np.array([0.0, 10.0])
    c = np.array([0.0, 1000.0])

    f = band_time_fractions(t, c, plasma_bands())[0]

    assert f == pytest.approx([0.08, 0.32, 0.2, 0.4, 0.0, 0.0])


@settings(max_examples=50)
@given(st.lists(st.floats(0.0, 5000.0), min_size=2, max_size=30))
def test_band_fractions_always_sum_to_one(values: list[float]) -> None:
    t = np.arange(len(values), dtype=float)

    f = band_time_fractions(t, np.array(values), plasma_bands())

    assert f.sum() == pytest.approx(1.0)
    assert np.all(f >= 0)


def test_first_time_at_or_above_and_never() -> None:
    t = np.array([0.0, 1.0, 2.0])

    got = first_time_at_or_above(t, np.array([[1.0, 5.0, 9.0], [1.0, 1.0, 1.0]]), 5.0)

    assert got[0] == 1.0
    assert math.isnan(got[1])


def test_terminal_half_life_of_an_exponential_is_exact() -> None:
    t = np.linspace(0, 20, 21)

    assert terminal_half_life_h(t, 100 * np.exp(-0.2 * t))[0] == pytest.approx(math.log(2) / 0.2)
    assert math.isnan(terminal_half_life_h(t, t)[0])
    with pytest.raises(InvalidInputError):
        terminal_half_life_h(t, t, n_points=1)


def test_the_steady_state_fixed_point_equals_a_long_simulation() -> None:
    """x_ss from (I - P)^-1 q equals the state after 40 intervals of repeated dosing."""
    params = SubjectParameters.typical(oral_parameters())
    system = build_system(params, Structure(oral=True))

    x_ss = steady_state_initial_state(system, [oral_dose(0.0, 10.0)], 8.0)
    long = simulate(params, repeated_oral_doses(10.0, 8.0, 40), [320.0 - 1e-9])

    assert long.final_state[0, 1] == pytest.approx(x_ss[0, 1], rel=1e-6)


def test_a_simulation_with_integrators_has_no_steady_state() -> None:
    system = build_system(SubjectParameters.typical(oral_parameters()), Structure(oral=True, integrate=True))

    with pytest.raises(InvalidInputError):
        steady_state_initial_state(system, [oral_dose(0.0, 10.0)], 8.0)


def test_time_to_90_percent_is_3_32_half_lives() -> None:
    assert time_to_fraction_of_steady_state_h(1.0) == pytest.approx(math.log2(10))


def test_daily_metrics_cover_whole_days() -> None:
    t = np.arange(0.0, 50.0)

    days = daily_metrics(t, np.where(t < 24, 10.0, 20.0))

    assert [d["day"] for d in days] == [1, 2]
    assert days[1]["cmin_ng_per_ml"] == 20.0


def test_the_oral_profile_reports_single_dose_auc_to_infinity() -> None:
    exp = simulate_oral_exposure([oral_dose(0.0, 20.0)], times_h=time_grid(12.0, 0.25))

    assert exp.auc_ng_h_per_ml == pytest.approx(20000.0 / 11.6, rel=1e-9)
    assert exp.auc_kind.startswith("0-infinity")
    assert exp.tmax_h == pytest.approx(math.log(1.64 / (11.6 / 72.8)) / (1.64 - 11.6 / 72.8), abs=1e-3)


def test_the_oral_profile_over_the_last_interval_is_exact() -> None:
    doses = repeated_oral_doses(10.0, 8.0, 3)

    exp = simulate_oral_exposure(
        doses,
        times_h=time_grid(24.0, 0.5),
        metrics_window_h=(16.0, 24.0),
        steady_state_period=(8.0, [oral_dose(0.0, 10.0)]),
    )

    direct = simulate(SubjectParameters.typical(oral_parameters()), doses, np.linspace(16, 24, 4001))
    trapz = np.trapezoid(direct.output(PLASMA_NG_PER_ML)[0], np.linspace(16, 24, 4001))
    assert exp.auc_ng_h_per_ml == pytest.approx(trapz, rel=1e-6)
    assert exp.steady_state is not None
    assert exp.steady_state.auc_tau_ng_h_per_ml == pytest.approx(10000.0 / 11.6, rel=1e-9)


def test_the_dialysis_profile_reports_the_session_half_life() -> None:
    exp = simulate_oral_exposure(
        repeated_oral_doses(5.0, 12.0, 8),
        times_h=time_grid(96.0, 0.5),
        kidney=KidneyInput(dialysis=True),
        dialysis=[DialysisSession(48.0, 4.0)],
    )

    k = 11.6 * 0.2 / 72.8 + 7.7 / (72.8 * 0.74)
    assert exp.half_life_during_dialysis_h == pytest.approx(math.log(2) / k)
    assert exp.auc_ratio_vs_reference_kidney == pytest.approx(5.0)
    assert exp.steady_state is None
    assert exp.to_dict()["dialysis_sessions"][0]["end_h"] == 52.0


def test_a_dialysis_session_lowers_the_concentration() -> None:
    doses = repeated_oral_doses(5.0, 12.0, 8)
    kidney = KidneyInput(dialysis=True)
    grid = time_grid(96.0, 0.5)

    without = simulate_oral_exposure(doses, times_h=grid, kidney=kidney)
    with_hd = simulate_oral_exposure(doses, times_h=grid, kidney=kidney, dialysis=[DialysisSession(48.0, 4.0)])

    i = grid.index(52.0)
    assert with_hd.concentration_ng_per_ml[i] < 0.6 * without.concentration_ng_per_ml[i]
    assert with_hd.concentration_ng_per_ml[grid.index(48.0)] == pytest.approx(
        without.concentration_ng_per_ml[grid.index(48.0)]
    )


def test_the_intrathecal_profile_starts_at_steady_state_by_default() -> None:
    exp = simulate_intrathecal_exposure(600.0, hours=12.0)

    assert exp.csf_ug_per_ml[0] == pytest.approx(exp.csf_steady_state_ug_per_ml, rel=1e-9)
    assert exp.csf_ug_per_ml[-1] == pytest.approx(exp.csf_steady_state_ug_per_ml, rel=1e-9)
    assert exp.plasma_ng_per_ml[-1] == pytest.approx(exp.plasma_steady_state_ng_per_ml, rel=1e-6)
    assert exp.effect_peak_h is None


def test_an_intrathecal_infusion_from_empty_rises_towards_steady_state() -> None:
    exp = simulate_intrathecal_exposure(600.0, hours=12.0, from_steady_state=False)

    assert exp.csf_ug_per_ml[0] == 0.0
    assert exp.csf_ug_per_ml[-1] == pytest.approx(exp.csf_steady_state_ug_per_ml, rel=1e-2)


def test_a_flex_program_changes_the_csf_level() -> None:
    exp = simulate_intrathecal_exposure(0.0, hours=24.0, program=[(0.0, 12.0, 480.0), (12.0, 12.0, 960.0)])

    t = exp.times_h
    k = math.log(2) / 1.51
    assert exp.csf_ug_per_ml[t.index(11.0)] == pytest.approx(20.0 / 30.0, rel=1e-9)
    assert exp.csf_ug_per_ml[t.index(23.0)] == pytest.approx(40.0 / 30.0 - 20.0 / 30.0 * math.exp(-k * 11.0), rel=1e-9)


@pytest.mark.parametrize(("horizon", "step"), [(0.0, 1.0), (10.0, 0.0), (1e6, 1e-3)])
def test_a_bad_time_grid_is_refused(horizon: float, step: float) -> None:
    with pytest.raises(InvalidInputError):
        time_grid(horizon, step)
