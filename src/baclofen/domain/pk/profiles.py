"""Typical-subject exposure profiles (oral and intrathecal) with their metrics, as serialisable results.

These are the domain entry points the simulation services call: they take plain values and engine
doses, run the exact engine, and return frozen results whose ``to_dict()`` holds only lists and numbers.

>>> exp = simulate_oral_exposure([oral_dose(0.0, 10.0)], times_h=time_grid(24.0, 0.5))
>>> round(exp.cmax_ng_per_ml), round(exp.tmax_h, 2), round(exp.auc_ng_h_per_ml)
(107, 1.57, 862)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.pk.bands import HEURISTIC_NOTE, Band, plasma_bands
from baclofen.domain.pk.engine import (
    ClearanceWindow,
    DoseInput,
    intrathecal_bolus,
    intrathecal_infusion,
    oral_dose,
    simulate,
)
from baclofen.domain.pk.metrics import (
    band_time_fractions,
    daily_metrics,
    first_time_at_or_above,
    grid_metrics,
    steady_state_initial_state,
    terminal_half_life_h,
    time_to_fraction_of_steady_state_h,
)
from baclofen.domain.pk.parameters import (
    CISTERNAL_TO_LUMBAR_RATIO,
    CSF_CLEARANCE_ML_PER_H,
    CSF_HALF_LIFE_H,
    HD_CLEARANCE_L_PER_H,
    KE0_PER_H,
    REFERENCE_CRCL_ML_MIN,
    IntrathecalParameters,
    KidneyInput,
    ModelSettings,
    OralModel,
    PlasmaParameters,
    oral_parameters,
)
from baclofen.domain.pk.system import (
    AUC_CSF_UG_H_PER_ML,
    AUC_PLASMA_NG_H_PER_ML,
    CSF_UG_PER_ML,
    EFFECT_SITE_UG_PER_ML,
    PLASMA_NG_PER_ML,
    Structure,
    SubjectParameters,
    build_system,
    structure_for,
)
from baclofen.domain.settings import SettingUse, settings_to_dicts

MAX_TIME_POINTS = 200_000
PEAK_REFINEMENT_POINTS = 201

__all__ = [
    "DialysisSession",
    "IntrathecalExposure",
    "OralExposure",
    "SteadyState",
    "dialysis_windows",
    "repeated_oral_doses",
    "simulate_intrathecal_exposure",
    "simulate_oral_exposure",
    "time_grid",
    "oral_dose",
    "intrathecal_bolus",
    "intrathecal_infusion",
]


def time_grid(horizon_h: float, step_h: float, extra_h: Sequence[float] = ()) -> tuple[float, ...]:
    """0, step, 2 step, ... up to ``horizon_h`` (included), plus ``extra_h`` times within it.

    >>> time_grid(1.0, 0.25)
    (0.0, 0.25, 0.5, 0.75, 1.0)
    """
    horizon = require_finite_number(horizon_h, "horizon_h", strictly_positive=True)
    step = require_finite_number(step_h, "step_h", strictly_positive=True)
    n = int(math.floor(horizon / step + 1e-9))
    if n + 1 > MAX_TIME_POINTS:
        raise InvalidInputError("step_h", f"a step giving at most {MAX_TIME_POINTS} time points", step)
    grid = np.arange(n + 1) * step
    extra = [float(t) for t in extra_h if 0.0 <= float(t) <= horizon]
    values = np.unique(np.round(np.concatenate([grid, [horizon], extra]), 9))
    return tuple(float(v) for v in values)


def repeated_oral_doses(dose_mg: float, interval_h: float, n_doses: int, start_h: float = 0.0) -> tuple[DoseInput, ...]:
    """``n_doses`` oral doses of ``dose_mg`` (mg) every ``interval_h`` (h) from ``start_h``."""
    require_finite_number(dose_mg, "dose_mg", minimum=0.0)
    interval = require_finite_number(interval_h, "interval_h", strictly_positive=True)
    if isinstance(n_doses, bool) or not isinstance(n_doses, int) or n_doses < 1:
        raise InvalidInputError("doses", "a whole number >= 1", n_doses)
    return tuple(oral_dose(start_h + i * interval, dose_mg) for i in range(n_doses))


@dataclass(frozen=True, slots=True)
class DialysisSession:
    """One haemodialysis session: start (h after the simulation start) and duration (h)."""

    start_h: float
    duration_h: float

    def __post_init__(self) -> None:
        require_finite_number(self.start_h, "start_h", minimum=0.0)
        require_finite_number(self.duration_h, "duration_h", strictly_positive=True, maximum=24.0)


def dialysis_windows(
    sessions: Sequence[DialysisSession], settings: ModelSettings | None = None
) -> tuple[ClearanceWindow, ...]:
    """Extra plasma clearance windows for haemodialysis sessions (HD clearance setting, [Brvar2007])."""
    cl = (settings or ModelSettings()).value(HD_CLEARANCE_L_PER_H)
    return tuple(ClearanceWindow(s.start_h, s.start_h + s.duration_h, cl) for s in sessions)


@dataclass(frozen=True)
class SteadyState:
    """Steady state of a repeated dosing period (exact fixed point), in ng/mL and h."""

    period_h: float
    cmax_ng_per_ml: float
    cmin_ng_per_ml: float
    cavg_ng_per_ml: float
    auc_tau_ng_h_per_ml: float
    time_to_90_percent_h: float

    def to_dict(self) -> dict[str, float | str]:
        return {
            "period_h": self.period_h,
            "cmax_ng_per_ml": self.cmax_ng_per_ml,
            "cmin_ng_per_ml": self.cmin_ng_per_ml,
            "cavg_ng_per_ml": self.cavg_ng_per_ml,
            "auc_tau_ng_h_per_ml": self.auc_tau_ng_h_per_ml,
            "time_to_90_percent_h": self.time_to_90_percent_h,
            "method": "exact fixed point of one dosing period; time to 90% = t1/2 x log2(10)",
        }


@dataclass(frozen=True)
class OralExposure:
    """A typical subject's plasma profile and metrics (ng/mL, h, ng.h/mL)."""

    model: OralModel
    parameters: PlasmaParameters
    kidney: KidneyInput
    kidney_description: str
    crcl_used_ml_min: float
    times_h: tuple[float, ...]
    concentration_ng_per_ml: tuple[float, ...]
    cmax_ng_per_ml: float
    tmax_h: float
    cmin_ng_per_ml: float
    cavg_ng_per_ml: float
    auc_ng_h_per_ml: float
    auc_kind: str
    metrics_window_h: tuple[float, float]
    half_life_h: float
    terminal_half_life_h: float
    max_concentration_ng_per_ml: float
    bands: tuple[Band, ...]
    band_fractions: tuple[float, ...]
    band_fractions_in_window: tuple[float, ...]
    first_time_in_band_h: tuple[float | None, ...]
    auc_ratio_vs_reference_kidney: float
    reference_half_life_h: float
    dialysis_windows: tuple[ClearanceWindow, ...] = ()
    half_life_during_dialysis_h: float | None = None
    steady_state: SteadyState | None = None
    settings_used: tuple[SettingUse, ...] = ()
    daily: tuple[dict[str, float], ...] = ()

    def band(self, name: str) -> Band:
        for b in self.bands:
            if b.name == name:
                return b
        raise InvalidInputError("band", "a band name", name)

    def to_dict(self) -> dict[str, object]:
        return {
            "model": self.model.value,
            "model_evidence": list(self.model.evidence),
            "parameters": self.parameters.to_dict(),
            "kidney": {
                "crcl_ml_min_given": self.kidney.crcl_ml_min,
                "dialysis": self.kidney.dialysis,
                "crcl_ml_min_used": self.crcl_used_ml_min,
                "given": self.kidney.is_given,
                "description": self.kidney_description,
                "auc_ratio_vs_reference_kidney": self.auc_ratio_vs_reference_kidney,
                "half_life_h": self.half_life_h,
                "reference_half_life_h": self.reference_half_life_h,
                "half_life_during_dialysis_h": self.half_life_during_dialysis_h,
            },
            "dialysis_sessions": [
                {"start_h": w.start_h, "end_h": w.end_h, "extra_clearance_l_per_h": w.extra_clearance_l_per_h}
                for w in self.dialysis_windows
            ],
            "times_h": list(self.times_h),
            "concentration_ng_per_ml": list(self.concentration_ng_per_ml),
            "cmax_ng_per_ml": self.cmax_ng_per_ml,
            "tmax_h": self.tmax_h,
            "cmin_ng_per_ml": self.cmin_ng_per_ml,
            "cavg_ng_per_ml": self.cavg_ng_per_ml,
            "auc_ng_h_per_ml": self.auc_ng_h_per_ml,
            "auc_kind": self.auc_kind,
            "metrics_window_h": list(self.metrics_window_h),
            "half_life_h": self.half_life_h,
            "terminal_half_life_h": self.terminal_half_life_h,
            "max_concentration_ng_per_ml": self.max_concentration_ng_per_ml,
            "bands": {
                "note": HEURISTIC_NOTE,
                "definitions": [b.to_dict() for b in self.bands],
                "time_fraction": {b.name: f for b, f in zip(self.bands, self.band_fractions, strict=True)},
                "time_fraction_in_metrics_window": {
                    b.name: f for b, f in zip(self.bands, self.band_fractions_in_window, strict=True)
                },
                "first_time_h": {b.name: t for b, t in zip(self.bands, self.first_time_in_band_h, strict=True)},
            },
            "steady_state": None if self.steady_state is None else self.steady_state.to_dict(),
            "settings": settings_to_dicts(self.settings_used),
            "daily": [dict(d) for d in self.daily],
        }


def _refine_peak(
    params: SubjectParameters,
    doses: Sequence[DoseInput],
    windows: Sequence[ClearanceWindow],
    times: np.ndarray,
    conc: np.ndarray,
    mask: np.ndarray,
    output: str,
) -> tuple[float, float]:
    """Cmax and Tmax refined (two dense passes) around the sampled maximum within ``mask``."""
    idx_all = np.flatnonzero(mask)
    i = idx_all[int(np.argmax(conc[idx_all]))]
    best_c, best_t = float(conc[i]), float(times[i])
    lo = float(times[max(i - 1, idx_all[0])])
    hi = float(times[min(i + 1, idx_all[-1])])
    for _ in range(2):
        if hi <= lo:
            break
        dense = np.linspace(lo, hi, PEAK_REFINEMENT_POINTS)
        sim = simulate(
            params,
            doses,
            dense,
            windows=windows,
            outputs=(output,),
            start_h=float(times[0]),
            intrathecal=output != PLASMA_NG_PER_ML or None,
        )
        c = sim.output(output)[0]
        j = int(np.argmax(c))
        if c[j] >= best_c:
            best_c, best_t = float(c[j]), float(dense[j])
        step = (hi - lo) / (PEAK_REFINEMENT_POINTS - 1)
        lo, hi = max(lo, best_t - step), min(hi, best_t + step)
    return best_c, best_t


def _auc_to_infinity_tail(
    params: SubjectParameters, structure: Structure, final_state: np.ndarray, states: tuple[str, ...]
) -> float:
    """Integral of plasma concentration from the last time to infinity for the free system (ng.h/mL)."""
    free = Structure(oral=structure.oral, peripheral=structure.peripheral, intrathecal=structure.intrathecal)
    system = build_system(params, free)
    x = np.array([final_state[0, states.index(s)] for s in system.states])
    a = system.matrix()[0]
    w = system.output_weights[PLASMA_NG_PER_ML][0]
    return float(w @ np.linalg.solve(-a, x))


def simulate_oral_exposure(
    doses: Sequence[DoseInput],
    *,
    times_h: Sequence[float],
    model: OralModel | str = OralModel.DEFAULT,
    kidney: KidneyInput | None = None,
    settings: ModelSettings | None = None,
    dialysis: Sequence[DialysisSession] = (),
    metrics_window_h: tuple[float, float] | None = None,
    single_dose_auc: bool | None = None,
    steady_state_period: tuple[float, Sequence[DoseInput]] | None = None,
    band_overrides: dict[str, float] | None = None,
    daily: bool = False,
) -> OralExposure:
    """Plasma exposure of the typical subject for oral (and IV) doses.

    Parameters
    ----------
    doses : engine doses (mcg); oral and intravenous
    times_h : strictly increasing output times (h)
    model, kidney, settings : which model, kidney function and setting overrides
    dialysis : haemodialysis sessions (extra clearance :data:`HD_CLEARANCE_L_PER_H`)
    metrics_window_h : (start, end) for Cmax/Cmin/Cavg/AUC; default the whole grid
    single_dose_auc : report AUC 0-infinity (default: when there is exactly one dose)
    steady_state_period : (period_h, doses of one period starting at 0) to compute the steady state
    daily : also report Cmax, Cmin and Cavg for each whole day of the grid

    Returns
    -------
    OralExposure
    """
    model = OralModel.parse(model)
    kidney = kidney or KidneyInput()
    settings = settings or ModelSettings()
    doses = tuple(doses)
    if not doses:
        raise InvalidInputError("doses", "at least one dose", 0)
    params = oral_parameters(model, kidney, settings)
    reference = oral_parameters(model, KidneyInput(), settings)
    subject = SubjectParameters.typical(params)
    windows = dialysis_windows(dialysis, settings)
    times = np.asarray(times_h, dtype=np.float64)
    sim = simulate(subject, doses, times, windows=windows, integrate=True, start_h=min(0.0, float(times[0])))
    conc = sim.output(PLASMA_NG_PER_ML)[0]
    auc_cum = sim.output(AUC_PLASMA_NG_H_PER_ML)[0]
    start_h, end_h = metrics_window_h or (float(times[0]), float(times[-1]))
    if end_h <= start_h:
        raise InvalidInputError("metrics_window_h", "end after start", (start_h, end_h))
    mask = (times >= start_h - 1e-9) & (times <= end_h + 1e-9)
    if not mask.any():
        raise InvalidInputError("metrics_window_h", "a window within the time grid", (start_h, end_h))
    gm = grid_metrics(times, conc, start_h, end_h)
    cmax, tmax = _refine_peak(subject, doses, windows, times, conc, mask, PLASMA_NG_PER_ML)
    idx = np.flatnonzero(mask)
    single = len(doses) == 1 if single_dose_auc is None else single_dose_auc
    if single:
        structure = structure_for({d.route for d in doses}, subject, integrate=True)
        auc = float(auc_cum[-1]) + _auc_to_infinity_tail(subject, structure, sim.final_state, sim.states)
        auc_kind = "0-infinity (exact)"
    else:
        auc = float(auc_cum[idx[-1]] - auc_cum[idx[0]])
        auc_kind = f"over [{times[idx[0]]:g}, {times[idx[-1]]:g}] h (exact)"
    duration = float(times[idx[-1]] - times[idx[0]])
    cavg = float(auc_cum[idx[-1]] - auc_cum[idx[0]]) / duration if duration > 0 else float(conc[idx[0]])
    bands = plasma_bands(band_overrides)
    fractions = band_time_fractions(times, conc, bands)[0]
    fractions_w = band_time_fractions(times, conc, bands, start_h, end_h)[0]
    first = [
        first_time_at_or_above(times, conc, b.lower_ng_per_ml)[0] if b.lower_ng_per_ml > 0 else float(times[0])
        for b in bands
    ]
    terminal = float(terminal_half_life_h(times, conc)[0])
    hl_dialysis = None
    if windows:
        k = params.elimination_rate_per_h + windows[0].extra_clearance_l_per_h / params.true_volume_l
        hl_dialysis = math.log(2.0) / k
    ss = None
    if steady_state_period is not None and not windows:
        ss = _steady_state(subject, params, steady_state_period)
    return OralExposure(
        model=model,
        parameters=params,
        kidney=kidney,
        kidney_description=kidney.describe(settings.value(REFERENCE_CRCL_ML_MIN)),
        crcl_used_ml_min=kidney.effective_crcl_ml_min(settings.value(REFERENCE_CRCL_ML_MIN)),
        times_h=tuple(float(t) for t in times),
        concentration_ng_per_ml=tuple(float(c) for c in conc),
        cmax_ng_per_ml=cmax,
        tmax_h=tmax,
        cmin_ng_per_ml=float(gm.cmin[0]),
        cavg_ng_per_ml=cavg,
        auc_ng_h_per_ml=auc,
        auc_kind=auc_kind,
        metrics_window_h=(float(times[idx[0]]), float(times[idx[-1]])),
        half_life_h=params.half_life_h,
        terminal_half_life_h=terminal,
        max_concentration_ng_per_ml=max(float(conc.max()), cmax),
        bands=bands,
        band_fractions=tuple(float(f) for f in fractions),
        band_fractions_in_window=tuple(float(f) for f in fractions_w),
        first_time_in_band_h=tuple(None if math.isnan(t) else float(t) for t in first),
        auc_ratio_vs_reference_kidney=reference.cl_f_l_per_h / params.cl_f_l_per_h,
        reference_half_life_h=reference.half_life_h,
        dialysis_windows=windows,
        half_life_during_dialysis_h=hl_dialysis,
        steady_state=ss,
        settings_used=settings.used(model),
        daily=tuple(daily_metrics(times, conc)) if daily else (),
    )


def _steady_state(
    subject: SubjectParameters, params: PlasmaParameters, period: tuple[float, Sequence[DoseInput]]
) -> SteadyState:
    period_h, period_doses = period
    period_doses = tuple(period_doses)
    structure = structure_for({d.route for d in period_doses}, subject)
    system = build_system(subject, structure)
    x_ss = steady_state_initial_state(system, period_doses, period_h)
    init = {name: x_ss[:, i] for i, name in enumerate(system.states)}
    grid = np.linspace(0.0, period_h, 1201)
    sim = simulate(subject, period_doses, grid, integrate=True, initial_state=init, start_h=0.0)
    conc = sim.output(PLASMA_NG_PER_ML)[0]
    auc = float(sim.output(AUC_PLASMA_NG_H_PER_ML)[0][-1])
    return SteadyState(
        period_h,
        float(conc.max()),
        float(conc.min()),
        auc / period_h,
        auc,
        time_to_fraction_of_steady_state_h(params.half_life_h, 0.9),
    )


@dataclass(frozen=True)
class IntrathecalExposure:
    """Lumbar CSF (ug/mL), effect site (ug/mL) and plasma (ng/mL) of a typical subject on ITB."""

    parameters: IntrathecalParameters
    plasma_parameters: PlasmaParameters
    daily_dose_mcg: float
    bolus_mcg: float
    bolus_time_h: float | None
    started_at_steady_state: bool
    times_h: tuple[float, ...]
    csf_ug_per_ml: tuple[float, ...]
    effect_site_ug_per_ml: tuple[float, ...]
    plasma_ng_per_ml: tuple[float, ...]
    csf_steady_state_ug_per_ml: float
    cisternal_steady_state_ug_per_ml: float
    plasma_steady_state_ng_per_ml: float
    csf_peak_ug_per_ml: float
    plasma_peak_ng_per_ml: float
    effect_peak_h: float | None
    effect_half_max_duration_h: float | None
    csf_auc_ug_h_per_ml: float
    kidney: KidneyInput
    cisternal_to_lumbar_ratio: float = CISTERNAL_TO_LUMBAR_RATIO.default
    settings_used: tuple[SettingUse, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "parameters": self.parameters.to_dict(),
            "plasma_parameters": self.plasma_parameters.to_dict(),
            "daily_dose_mcg": self.daily_dose_mcg,
            "infusion_rate_mcg_per_h": self.daily_dose_mcg / 24.0,
            "bolus_mcg": self.bolus_mcg,
            "bolus_time_h": self.bolus_time_h,
            "started_at_steady_state": self.started_at_steady_state,
            "times_h": list(self.times_h),
            "csf_ug_per_ml": list(self.csf_ug_per_ml),
            "effect_site_ug_per_ml": list(self.effect_site_ug_per_ml),
            "plasma_ng_per_ml": list(self.plasma_ng_per_ml),
            "csf_steady_state_ug_per_ml": self.csf_steady_state_ug_per_ml,
            "csf_site": "lumbar (catheter-tip levels are expected to be higher: steep gradient, Heetla 2016)",
            "cisternal_steady_state_ug_per_ml": self.cisternal_steady_state_ug_per_ml,
            "cisternal_to_lumbar_ratio": CISTERNAL_TO_LUMBAR_RATIO.to_dict(self.cisternal_to_lumbar_ratio),
            "plasma_steady_state_ng_per_ml": self.plasma_steady_state_ng_per_ml,
            "csf_peak_ug_per_ml": self.csf_peak_ug_per_ml,
            "plasma_peak_ng_per_ml": self.plasma_peak_ng_per_ml,
            "effect_peak_h": self.effect_peak_h,
            "effect_half_max_duration_h": self.effect_half_max_duration_h,
            "csf_auc_ug_h_per_ml": self.csf_auc_ug_h_per_ml,
            "kidney": {
                "crcl_ml_min_given": self.kidney.crcl_ml_min,
                "dialysis": self.kidney.dialysis,
                "given": self.kidney.is_given,
            },
            "settings": settings_to_dicts(self.settings_used),
        }


def simulate_intrathecal_exposure(
    daily_dose_mcg: float,
    *,
    bolus_mcg: float = 0.0,
    hours: float = 24.0,
    step_h: float = 0.05,
    bolus_time_h: float = 0.0,
    from_steady_state: bool = True,
    parameters: IntrathecalParameters | None = None,
    kidney: KidneyInput | None = None,
    settings: ModelSettings | None = None,
    program: Sequence[tuple[float, float, float]] | None = None,
    cisternal_to_lumbar_ratio: float | None = None,
) -> IntrathecalExposure:
    """Lumbar CSF, effect-site and plasma time courses for continuous ITB (and an optional bolus).

    Parameters
    ----------
    daily_dose_mcg : continuous infusion (mcg/day); 0 for a bolus alone (screening)
    bolus_mcg : lumbar bolus (mcg) at ``bolus_time_h`` (h)
    hours : simulated time (h)
    from_steady_state : start with the infusion at steady state (a patient on a pump) instead of empty
    program : optional flex program ``(start_h, duration_h, daily_dose_mcg)`` steps replacing the constant
    rate
    """
    daily = require_finite_number(daily_dose_mcg, "daily_dose_mcg", minimum=0.0)
    bolus = require_finite_number(bolus_mcg, "bolus_mcg", minimum=0.0)
    horizon = require_finite_number(hours, "hours", strictly_positive=True)
    it = parameters or IntrathecalParameters()
    ratio = CISTERNAL_TO_LUMBAR_RATIO.validate(
        CISTERNAL_TO_LUMBAR_RATIO.default if cisternal_to_lumbar_ratio is None else cisternal_to_lumbar_ratio
    )
    settings = settings or ModelSettings()
    kidney = kidney or KidneyInput()
    plasma = oral_parameters(OralModel.DEFAULT, kidney, settings)
    subject = SubjectParameters.typical(plasma, it)
    if program:
        infusions = [intrathecal_infusion(s, d, r) for s, d, r in program]
    elif daily > 0:
        infusions = [intrathecal_infusion(0.0, horizon, daily)]
    else:
        infusions = []
    doses = list(infusions)
    if bolus > 0:
        doses.append(intrathecal_bolus(bolus_time_h, bolus))
    if not doses:
        raise InvalidInputError("daily_dose_mcg", "> 0 or a bolus", daily)
    times = np.asarray(time_grid(horizon, step_h, [bolus_time_h]))
    init = None
    rate_0 = daily if not program else program[0][2] if program[0][0] <= 0 else 0.0
    if from_steady_state and rate_0 > 0:
        system = build_system(subject, Structure(oral=False, intrathecal=True))
        x_ss = steady_state_initial_state(system, [intrathecal_infusion(0.0, 24.0, rate_0)], 24.0)
        init = {name: x_ss[:, i] for i, name in enumerate(system.states)}
    sim = simulate(subject, doses, times, integrate=True, intrathecal=True, initial_state=init, start_h=0.0)
    csf = sim.output(CSF_UG_PER_ML)[0]
    eff = sim.output(EFFECT_SITE_UG_PER_ML)[0]
    pl = sim.output(PLASMA_NG_PER_ML)[0]
    rate = daily / 24.0
    effect_peak = None
    half_max_duration = None
    if bolus > 0:
        base = simulate(
            subject,
            infusions or [intrathecal_infusion(0.0, horizon, 0.0)],
            times,
            intrathecal=True,
            initial_state=init,
            start_h=0.0,
            outputs=(EFFECT_SITE_UG_PER_ML,),
        )
        component = eff - base.output(EFFECT_SITE_UG_PER_ML)[0]
        after = times >= bolus_time_h
        j = int(np.argmax(np.where(after, component, -np.inf)))
        effect_peak = float(times[j] - bolus_time_h)
        if j < len(times) - 1:
            above = np.flatnonzero(after & (component >= component[j] / 2.0))
            if above.size and above[-1] < len(times) - 1:
                half_max_duration = float(times[above[-1]] - times[above[0]])
    return IntrathecalExposure(
        parameters=it,
        plasma_parameters=plasma,
        daily_dose_mcg=daily,
        bolus_mcg=bolus,
        bolus_time_h=bolus_time_h if bolus > 0 else None,
        started_at_steady_state=init is not None,
        times_h=tuple(float(t) for t in times),
        csf_ug_per_ml=tuple(float(v) for v in csf),
        effect_site_ug_per_ml=tuple(float(v) for v in eff),
        plasma_ng_per_ml=tuple(float(v) for v in pl),
        csf_steady_state_ug_per_ml=rate / it.csf_clearance_ml_per_h,
        cisternal_steady_state_ug_per_ml=rate / it.csf_clearance_ml_per_h * ratio,
        plasma_steady_state_ng_per_ml=rate / plasma.true_clearance_l_per_h,
        csf_peak_ug_per_ml=float(csf.max()),
        plasma_peak_ng_per_ml=float(pl.max()),
        effect_peak_h=effect_peak,
        effect_half_max_duration_h=half_max_duration,
        csf_auc_ug_h_per_ml=float(sim.output(AUC_CSF_UG_H_PER_ML)[0][-1]),
        kidney=kidney,
        cisternal_to_lumbar_ratio=ratio,
        settings_used=(
            SettingUse(CSF_CLEARANCE_ML_PER_H, it.csf_clearance_ml_per_h),
            SettingUse(CSF_HALF_LIFE_H, it.csf_half_life_h),
            SettingUse(KE0_PER_H, it.ke0_per_h),
            SettingUse(CISTERNAL_TO_LUMBAR_RATIO, ratio),
            *settings.used(OralModel.DEFAULT),
        ),
    )
