"""The exact engine against an independent ODE oracle (scipy solve_ivp), and linearity properties.

The oracle writes the model's differential equations out by hand from pk-models.md (§1.1, §2.2, §2.3,
§3.3, §4.2), not from the engine's matrices, and integrates them piecewise between events with DOP853
at rtol 1e-11. 1,200 random cases (48 random regimens x 25 random parameter sets) mix oral doses,
IV boluses and infusions, intrathecal boluses, intrathecal flex programs (piecewise-constant rates)
and haemodialysis windows, on irregular time grids.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from baclofen.domain.pk.engine import ClearanceWindow, DoseInput, oral_dose, simulate
from baclofen.domain.pk.system import (
    CSF_UG_PER_ML,
    EFFECT_SITE_UG_PER_ML,
    PLASMA_NG_PER_ML,
    SubjectParameters,
)
from baclofen.domain.regimen import Route

RTOL = 1e-6
"""Required relative agreement between the engine and the oracle."""
N_REGIMENS = 48
SUBJECTS_PER_REGIMEN = 25


def random_subjects(rng: np.random.Generator, n: int, two_compartment: bool) -> SubjectParameters:
    def logu(lo: float, hi: float) -> np.ndarray:
        return np.exp(rng.uniform(np.log(lo), np.log(hi), n))

    q = logu(2.0, 30.0) if two_compartment else np.zeros(n)
    v2 = logu(5.0, 100.0) if two_compartment else np.zeros(n)
    return SubjectParameters(
        logu(0.2, 5.0),
        logu(1.0, 30.0),
        logu(10.0, 200.0),
        q,
        v2,
        logu(10.0, 100.0),
        logu(30.0, 150.0),
        logu(0.05, 1.0),
        float(rng.uniform(0.5, 1.0)),
    )


def random_regimen(rng: np.random.Generator) -> tuple[list[DoseInput], list[ClearanceWindow], np.ndarray]:
    """A random mix of routes, with infusions, flex programs and dialysis windows, on an irregular grid."""
    horizon = float(rng.uniform(12.0, 48.0))
    doses: list[DoseInput] = []
    kinds = rng.choice(
        ["oral", "iv", "it_bolus", "it_program", "iv_infusion"], size=int(rng.integers(1, 4)), replace=False
    )
    for kind in kinds:
        if kind == "oral":
            for t in np.sort(rng.uniform(0.0, horizon, int(rng.integers(1, 6)))):
                doses.append(DoseInput(float(t), Route.ORAL, float(rng.uniform(1e3, 5e4))))
        elif kind == "iv":
            for t in np.sort(rng.uniform(0.0, horizon, int(rng.integers(1, 3)))):
                doses.append(DoseInput(float(t), Route.INTRAVENOUS, float(rng.uniform(1e3, 2e4))))
        elif kind == "iv_infusion":
            start = float(rng.uniform(0.0, horizon))
            doses.append(DoseInput(start, Route.INTRAVENOUS, float(rng.uniform(1e3, 2e4)), float(rng.uniform(0.2, 6))))
        elif kind == "it_bolus":
            for t in np.sort(rng.uniform(0.0, horizon, int(rng.integers(1, 3)))):
                doses.append(DoseInput(float(t), Route.INTRATHECAL, float(rng.uniform(25.0, 100.0))))
        else:  # a flex program: consecutive steps with different rates (mcg/h)
            edges = np.sort(rng.uniform(0.0, horizon * 1.1, int(rng.integers(2, 6))))
            for a, b in zip(edges[:-1], edges[1:], strict=True):
                doses.append(
                    DoseInput(
                        float(a),
                        Route.INTRATHECAL,
                        float(rng.uniform(5.0, 60.0)) * float(b - a),
                        float(b - a),
                    )
                )
    windows = []
    if rng.random() < 0.4:
        start = float(rng.uniform(0.0, horizon))
        windows.append(ClearanceWindow(start, start + float(rng.uniform(1.0, 5.0)), float(rng.uniform(2.0, 10.0))))
    times = np.unique(np.concatenate([[0.0, horizon], np.sort(rng.uniform(0.0, horizon, int(rng.integers(5, 40))))]))
    return doses, windows, times


def oracle(
    params: SubjectParameters, doses: list[DoseInput], windows: list[ClearanceWindow], times: np.ndarray
) -> dict[str, np.ndarray]:
    """Integrate the hand-written model equations with solve_ivp, piece by piece between events."""
    n = params.n_subjects
    ka, cl, v, q, v2 = params.ka_per_h, params.cl_f_l_per_h, params.v_f_l, params.q_f_l_per_h, params.v2_f_l
    clcsf, vcsf, ke0, f = params.csf_cl_ml_per_h, params.csf_v_ml, params.ke0_per_h, params.bioavailability
    safe_v2 = np.where(v2 > 0, v2, 1.0)
    k21 = np.where(v2 > 0, q / safe_v2, 0.0)
    edges = {0.0, float(times[-1])}
    for d in doses:
        edges.add(d.time_h)
        if d.duration_h > 0:
            edges.add(d.end_h)
    for w in windows:
        edges.update([w.start_h, w.end_h])
    edges = sorted(e for e in edges if 0.0 <= e <= times[-1])

    def rates_at(t: float) -> tuple[float, float, float, float]:
        r_iv = sum(
            d.rate_mcg_per_h
            for d in doses
            if d.duration_h > 0 and d.route is Route.INTRAVENOUS and d.time_h <= t < d.end_h
        )
        r_it = sum(
            d.rate_mcg_per_h
            for d in doses
            if d.duration_h > 0 and d.route is Route.INTRATHECAL and d.time_h <= t < d.end_h
        )
        cl_x = sum(w.extra_clearance_l_per_h for w in windows if w.start_h <= t < w.end_h)
        return 0.0, r_iv, r_it, cl_x

    y = np.zeros((n, 5))  # gut, central, peripheral (apparent mcg), csf (mcg), effect (ug/mL)
    out = {
        PLASMA_NG_PER_ML: np.zeros((n, times.size)),
        CSF_UG_PER_ML: np.zeros((n, times.size)),
        EFFECT_SITE_UG_PER_ML: np.zeros((n, times.size)),
    }

    def record(state: np.ndarray, columns: np.ndarray) -> None:
        out[PLASMA_NG_PER_ML][:, columns] = state[:, 1, :] / v[:, None]
        out[CSF_UG_PER_ML][:, columns] = state[:, 3, :] / vcsf[:, None]
        out[EFFECT_SITE_UG_PER_ML][:, columns] = state[:, 4, :]

    for i, a in enumerate(edges):
        for d in doses:
            if d.duration_h == 0 and d.time_h == a:
                if d.route is Route.ORAL:
                    y[:, 0] += d.amount_mcg
                elif d.route is Route.INTRAVENOUS:
                    y[:, 1] += d.amount_mcg / f
                else:
                    y[:, 3] += d.amount_mcg
        last = i == len(edges) - 1
        b = a if last else edges[i + 1]
        cols = np.flatnonzero((times >= a) & ((times < b) | (last & (times <= b))))
        if last:
            if cols.size:
                record(np.repeat(y[:, :, None], cols.size, axis=2), cols)
            break
        _, r_iv, r_it, cl_x = rates_at(a)

        def rhs(_t: float, flat: np.ndarray, r_iv: float = r_iv, r_it: float = r_it, cl_x: float = cl_x) -> np.ndarray:
            s = flat.reshape(n, 5)
            gut, cen, per, csf, eff = s.T
            d_gut = -ka * gut
            d_cen = (
                ka * gut
                - (cl / v) * cen
                - (q / v) * cen
                + k21 * per
                + (clcsf / vcsf) * csf / f
                - cl_x / (f * v) * cen
                + r_iv / f
            )
            d_per = (q / v) * cen - k21 * per
            d_csf = -(clcsf / vcsf) * csf + r_it
            d_eff = ke0 * (csf / vcsf - eff)
            return np.stack([d_gut, d_cen, d_per, d_csf, d_eff], axis=1).ravel()

        t_eval = times[cols]
        sol = solve_ivp(
            rhs,
            (a, b),
            y.ravel(),
            method="DOP853",
            rtol=1e-11,
            atol=1e-12,
            t_eval=np.concatenate([t_eval, [b]]) if t_eval.size else [b],
        )
        assert sol.success, sol.message
        states = sol.y.reshape(n, 5, -1)
        if cols.size:
            record(states[:, :, :-1], cols)
        y = states[:, :, -1].copy()
    return out


def assert_close(engine: np.ndarray, reference: np.ndarray) -> None:
    """Relative agreement RTOL, with an absolute floor of 1e-9 of each subject's peak for values near zero."""
    floor = 1e-9 * np.max(np.abs(reference), axis=1, keepdims=True) + 1e-300
    assert np.all(np.abs(engine - reference) <= RTOL * np.abs(reference) + floor)


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_engine_equals_the_ode_oracle_on_1200_random_cases(backend: str) -> None:
    """1,200 random parameter sets and regimens (infusions, flex programs, dialysis) agree within 1e-6."""
    rng = np.random.default_rng(20260101 if backend == "numpy" else 20260102)
    checked = 0
    for r in range(N_REGIMENS):
        doses, windows, times = random_regimen(rng)
        params = random_subjects(rng, SUBJECTS_PER_REGIMEN, two_compartment=r % 2 == 1)
        sim = simulate(params, doses, times, windows=windows, intrathecal=True, backend=backend)
        ref = oracle(params, doses, windows, times)
        for name in (PLASMA_NG_PER_ML, CSF_UG_PER_ML, EFFECT_SITE_UG_PER_ML):
            assert_close(sim.output(name), ref[name])
        checked += params.n_subjects
    assert checked >= 1000


subject_values = st.tuples(
    st.floats(0.2, 5.0),
    st.floats(1.0, 30.0),
    st.floats(10.0, 200.0),
    st.floats(0.0, 1.0),
)
oral_regimens = st.lists(st.tuples(st.floats(0.0, 48.0), st.floats(0.5, 100.0)), min_size=1, max_size=12)


def _params(values: tuple[float, float, float, float]) -> SubjectParameters:
    ka, cl, v, two = values
    q, v2 = (10.0, 20.0) if two > 0.5 else (0.0, 0.0)
    return SubjectParameters([ka], [cl], [v], [q], [v2], [30.0], [65.0], [0.12], 0.74)


GRID = np.linspace(0.0, 60.0, 97)


@settings(max_examples=60)
@given(subject_values, oral_regimens, st.floats(0.1, 10.0))
def test_scaling_every_dose_scales_every_concentration(values, regimen, factor) -> None:
    """Linearity: k times every dose gives k times every concentration."""
    params = _params(values)
    doses = [oral_dose(t, mg) for t, mg in regimen]

    base = simulate(params, doses, GRID).output(PLASMA_NG_PER_ML)
    scaled = simulate(params, [d.scaled(factor) for d in doses], GRID).output(PLASMA_NG_PER_ML)

    np.testing.assert_allclose(scaled, factor * base, rtol=1e-12, atol=1e-12 * factor * base.max())


@settings(max_examples=60)
@given(subject_values, oral_regimens, oral_regimens)
def test_two_regimens_together_give_the_sum_of_their_concentrations(values, first, second) -> None:
    """Superposition: simulating A and B together equals sim(A) + sim(B)."""
    params = _params(values)
    a = [oral_dose(t, mg) for t, mg in first]
    b = [oral_dose(t, mg) for t, mg in second]

    together = simulate(params, a + b, GRID).output(PLASMA_NG_PER_ML)
    apart = simulate(params, a, GRID).output(PLASMA_NG_PER_ML) + simulate(params, b, GRID).output(PLASMA_NG_PER_ML)

    np.testing.assert_allclose(together, apart, rtol=1e-9, atol=1e-12 * together.max())


@settings(max_examples=30)
@given(st.floats(1.0, 200.0), st.floats(0.5, 24.0), st.floats(10.0, 1000.0))
def test_doubling_an_intrathecal_program_doubles_csf_and_plasma(bolus_mcg, duration_h, daily_mcg) -> None:
    """Linearity holds for intrathecal boluses and infusions too (CSF, effect site and plasma)."""
    params = _params((1.64, 11.6, 72.8, 0.0))
    doses = [
        DoseInput(1.0, Route.INTRATHECAL, bolus_mcg),
        DoseInput(0.0, Route.INTRATHECAL, daily_mcg / 24 * duration_h, duration_h),
    ]

    one = simulate(params, doses, GRID)
    two = simulate(params, [d.scaled(2.0) for d in doses], GRID)

    for name in (PLASMA_NG_PER_ML, CSF_UG_PER_ML, EFFECT_SITE_UG_PER_ML):
        np.testing.assert_allclose(
            two.output(name), 2 * one.output(name), rtol=1e-12, atol=1e-13 * one.output(name).max()
        )
