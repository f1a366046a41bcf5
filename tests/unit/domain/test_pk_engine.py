"""The exact engine: closed forms, conventions, backends, the matrix exponential and input checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import scipy.linalg

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.pk._expm import expm_stack
from baclofen.domain.pk.engine import (
    ClearanceWindow,
    DoseInput,
    compile_schedule,
    doses_from_regimen,
    intrathecal_bolus,
    intrathecal_infusion,
    intravenous_dose,
    oral_dose,
    resolve_backend,
    simulate,
)
from baclofen.domain.pk.parameters import PlasmaParameters, oral_parameters
from baclofen.domain.pk.system import (
    AUC_PLASMA_NG_H_PER_ML,
    CSF_UG_PER_ML,
    PLASMA_NG_PER_ML,
    Structure,
    SubjectParameters,
    build_system,
)
from baclofen.domain.regimen import DoseEvent, Regimen, Route
from baclofen.domain.units import mcg, mg

KA, CL, V = 1.64, 11.6, 72.8
K = CL / V


def typical(n: int = 1) -> SubjectParameters:
    return SubjectParameters.typical(oral_parameters(), n_subjects=n)


def one_compartment_oral(t: np.ndarray, dose_mcg: float, t_dose: float = 0.0) -> np.ndarray:
    dt = np.clip(t - t_dose, 0.0, None)
    return dose_mcg * KA / (V * (KA - K)) * (np.exp(-K * dt) - np.exp(-KA * dt))


def test_a_single_oral_dose_follows_the_one_compartment_closed_form() -> None:
    t = np.linspace(0.0, 48.0, 193)

    c = simulate(typical(), [oral_dose(0.0, 20.0)], t).output(PLASMA_NG_PER_ML)[0]

    np.testing.assert_allclose(c, one_compartment_oral(t, 20000.0), rtol=1e-12, atol=1e-12)


def test_doses_between_grid_points_and_after_the_last_time_are_handled() -> None:
    t = np.array([0.0, 1.0, 2.0, 3.0])
    doses = [oral_dose(0.37, 10.0), oral_dose(2.5, 5.0), oral_dose(10.0, 100.0)]

    c = simulate(typical(), doses, t).output(PLASMA_NG_PER_ML)[0]

    expected = one_compartment_oral(t, 10000.0, 0.37) + one_compartment_oral(t, 5000.0, 2.5)
    np.testing.assert_allclose(c, expected, rtol=1e-12)


def test_a_dose_at_an_observation_time_counts_in_that_observation() -> None:
    """Right-continuous: an IV bolus at t shows at t."""
    sim = simulate(typical(), [intravenous_dose(1.0, 8.6)], [0.5, 1.0])

    c = sim.output(PLASMA_NG_PER_ML)[0]

    assert c[0] == 0.0
    assert c[1] == pytest.approx(8600.0 / (V * 0.74), rel=1e-12)


def test_an_iv_dose_uses_the_true_volume_and_clearance() -> None:
    """IV: C = D / V_true exp(-k t), V_true = V/F x F [Agarwal2015]."""
    t = np.array([0.0, 2.0, 8.0])

    c = simulate(typical(), [intravenous_dose(0.0, 10.0)], t).output(PLASMA_NG_PER_ML)[0]

    np.testing.assert_allclose(c, 10000.0 / (V * 0.74) * np.exp(-K * t), rtol=1e-12)


def test_an_iv_infusion_follows_the_zero_order_closed_form() -> None:
    t = np.array([0.0, 0.5, 1.0, 2.0, 5.0])
    dose, dur = 10000.0, 2.0
    vt = V * 0.74

    c = simulate(typical(), [DoseInput(0.0, Route.INTRAVENOUS, dose, dur)], t).output(PLASMA_NG_PER_ML)[0]

    during = dose / dur / (K * vt) * (1 - np.exp(-K * np.minimum(t, dur)))
    after = np.where(t > dur, np.exp(-K * (t - dur)), 1.0)
    np.testing.assert_allclose(c, during * after, rtol=1e-12)


def test_an_intrathecal_bolus_decays_with_the_csf_half_life() -> None:
    t = np.array([0.0, 1.51, 3.02])

    c = simulate(typical(), [intrathecal_bolus(0.0, 50.0)], t).output(CSF_UG_PER_ML)[0]

    np.testing.assert_allclose(c / c[0], [1.0, 0.5, 0.25], rtol=1e-12)


def test_a_constant_intrathecal_infusion_reaches_rate_over_clearance() -> None:
    """Lumbar Css = (daily/24) / CL_csf: 600 mcg/day -> 0.833 ug/mL (pk-models.md §4.2)."""
    c = simulate(typical(), [intrathecal_infusion(0.0, 100.0, 600.0)], [100.0]).output(CSF_UG_PER_ML)[0]

    assert c[0] == pytest.approx(25.0 / 30.0, rel=1e-12)


def test_a_dialysis_window_adds_clearance_only_while_it_lasts() -> None:
    t = np.array([0.0, 10.0, 14.0, 20.0])
    window = ClearanceWindow(10.0, 14.0, 7.7)
    vt = V * 0.74

    c = simulate(typical(), [intravenous_dose(0.0, 10.0)], t, windows=[window]).output(PLASMA_NG_PER_ML)[0]

    k_hd = K + 7.7 / vt
    expected = 10000.0 / vt * np.exp(-K * t - (k_hd - K) * np.clip(np.minimum(t, 14.0) - 10.0, 0.0, None))
    np.testing.assert_allclose(c, expected, rtol=1e-12)


def test_the_integrator_output_is_the_exact_auc() -> None:
    """AUC 0-inf of one oral dose = dose / (CL/F); after 200 h almost all of it has accrued."""
    sim = simulate(typical(), [oral_dose(0.0, 10.0)], [0.0, 200.0], integrate=True)

    assert sim.output(AUC_PLASMA_NG_H_PER_ML)[0, -1] == pytest.approx(10000.0 / CL, rel=1e-10)


@pytest.mark.parametrize("n", [1, 7, 300])
def test_the_numba_and_numpy_backends_give_the_same_numbers(n: int) -> None:
    rng = np.random.default_rng(n)
    params = typical(n).scaled(ka_per_h=np.exp(rng.normal(0, 0.4, n)), cl_f_l_per_h=np.exp(rng.normal(0, 0.2, n)))
    doses = [oral_dose(t, 10.0) for t in (0.0, 7.3, 16.0)] + [intrathecal_infusion(2.0, 5.0, 400.0)]
    t = np.linspace(0.0, 30.0, 61)

    a = simulate(params, doses, t, backend="numpy", integrate=True)
    b = simulate(params, doses, t, backend="numba", integrate=True)

    for name in a.outputs:
        np.testing.assert_allclose(a.output(name), b.output(name), rtol=1e-13, atol=0)


def test_subjects_do_not_interact() -> None:
    """Each subject of a batch gets exactly what it gets alone."""
    rng = np.random.default_rng(3)
    params = typical(5).scaled(cl_f_l_per_h=np.exp(rng.normal(0, 0.3, 5)))
    doses = [oral_dose(0.0, 20.0), oral_dose(8.0, 20.0)]
    t = np.linspace(0, 24, 25)

    batch = simulate(params, doses, t).output(PLASMA_NG_PER_ML)

    for i in range(5):
        alone = SubjectParameters(
            *(
                np.array([getattr(params, f)[i]])
                for f in (
                    "ka_per_h",
                    "cl_f_l_per_h",
                    "v_f_l",
                    "q_f_l_per_h",
                    "v2_f_l",
                    "csf_cl_ml_per_h",
                    "csf_v_ml",
                    "ke0_per_h",
                )
            ),
            params.bioavailability,
        )
        np.testing.assert_allclose(batch[i], simulate(alone, doses, t).output(PLASMA_NG_PER_ML)[0], rtol=1e-14)


def test_a_regular_grid_needs_one_transition_matrix() -> None:
    system = build_system(typical(), Structure(oral=True))
    doses = [oral_dose(float(h), 10.0) for h in range(0, 336, 8)]
    t = np.arange(0.0, 337.0) * 1.0

    schedule = compile_schedule(system, doses, t)

    assert len(schedule.keys) == 1
    assert schedule.n_breakpoints == 337


def test_an_initial_state_is_carried_forward() -> None:
    x0 = {"central": np.array([1000.0])}

    c = simulate(typical(), [], [0.0, 5.0], initial_state=x0).output(PLASMA_NG_PER_ML)[0]

    np.testing.assert_allclose(c, 1000.0 / V * np.exp(-K * np.array([0.0, 5.0])), rtol=1e-12)


def test_doses_from_a_dated_regimen_are_hours_after_the_reference_in_mcg() -> None:
    t0 = datetime(2026, 3, 1, 8, tzinfo=UTC)
    regimen = Regimen(
        (DoseEvent(t0 + timedelta(hours=6), mg(5), Route.ORAL), DoseEvent(t0, mcg(50), Route.INTRATHECAL))
    )

    doses = doses_from_regimen(regimen, t0)

    assert [(d.time_h, d.route, d.amount_mcg) for d in doses] == [
        (0.0, Route.INTRATHECAL, 50.0),
        (6.0, Route.ORAL, 5000.0),
    ]


@pytest.mark.parametrize("size", [1, 2, 3, 6])
def test_the_stacked_matrix_exponential_matches_scipy(size: int) -> None:
    rng = np.random.default_rng(size)
    a = rng.normal(0, 1, (40, size, size)) * np.exp(rng.uniform(-6, 4, (40, 1, 1)))

    ours = expm_stack(a)

    for i in range(40):
        np.testing.assert_allclose(ours[i], scipy.linalg.expm(a[i]), rtol=1e-11, atol=1e-13 * np.abs(ours[i]).max())


def test_a_two_compartment_system_has_the_kochak_disposition_rates() -> None:
    """The system matrix of variant B has eigenvalues alpha and beta (1.29, 0.191 /h) [Kochak1985]."""
    params = SubjectParameters.typical(oral_parameters("kochak"))
    a = build_system(params, Structure(oral=False, peripheral=True)).base[0]

    rates = sorted(-np.linalg.eigvals(a).real)

    np.testing.assert_allclose(rates, [0.191, 1.29], rtol=1e-9)


@pytest.mark.parametrize("times", [[], [1.0, 1.0], [2.0, 1.0], [0.0, float("nan")]])
def test_observation_times_must_be_strictly_increasing_and_finite(times: list[float]) -> None:
    with pytest.raises(InvalidInputError, match="times_h"):
        simulate(typical(), [oral_dose(0.0, 5.0)], times)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: DoseInput(0.0, Route.ORAL, -1.0), "amount_mcg"),
        (lambda: DoseInput(float("inf"), Route.ORAL, 1.0), "time_h"),
        (lambda: DoseInput(0.0, Route.ORAL, 1.0, -2.0), "duration_h"),
        (lambda: oral_dose(0.0, -5.0), "dose_mg"),
        (lambda: intrathecal_infusion(0.0, 0.0, 100.0), "duration_h"),
        (lambda: ClearanceWindow(5.0, 4.0, 1.0), "end_h"),
        (lambda: ClearanceWindow(0.0, 4.0, -1.0), "extra_clearance_l_per_h"),
        (lambda: PlasmaParameters(1.0, -1.0, 10.0), "cl_f_l_per_h"),
        (lambda: PlasmaParameters(1.0, 1.0, 10.0, 5.0, 0.0), "q_f_l_per_h"),
        (lambda: resolve_backend("fortran"), "backend"),
    ],
)
def test_bad_engine_input_names_its_field(make, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        make()

    assert info.value.field == field


def test_a_route_the_structure_does_not_have_is_refused() -> None:
    system = build_system(typical(), Structure(oral=True))

    with pytest.raises(InvalidInputError, match="route"):
        compile_schedule(system, [intrathecal_bolus(0.0, 50.0)], [0.0, 1.0])


def test_subject_parameters_refuse_mismatched_lengths_and_non_positive_values() -> None:
    with pytest.raises(InvalidInputError, match="cl_f_l_per_h"):
        SubjectParameters([1.0], [1.0, 2.0], [1.0], [0.0], [0.0], [30.0], [65.0], [0.1], 0.74)
    with pytest.raises(InvalidInputError, match="v_f_l"):
        SubjectParameters([1.0], [1.0], [0.0], [0.0], [0.0], [30.0], [65.0], [0.1], 0.74)
