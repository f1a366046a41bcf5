"""Exposure metrics: Cmax, Tmax, Cmin, Cavg, AUC, terminal half-life, time in band, steady state.

Grid metrics work on arrays of concentrations sampled at ``times_h`` (shape (T,) or (N, T)); exact
AUCs come from the engine's integrator outputs; the steady state is the exact fixed point of one
dosing period (``x_ss = (I - P)^-1 q``, P the period's state transition, q its dosing response).

>>> import numpy as np
>>> t = np.array([0.0, 1.0, 2.0, 3.0])
>>> c = np.array([0.0, 100.0, 50.0, 25.0])
>>> m = grid_metrics(t, c)
>>> float(m.cmax[0]), float(m.tmax_h[0]), float(m.auc_trapezoid[0])
(100.0, 1.0, 162.5)
>>> round(float(terminal_half_life_h(t, c, n_points=2)[0]), 6)
1.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.pk.bands import Band
from baclofen.domain.pk.engine import ClearanceWindow, DoseInput, compile_schedule, transition_matrices
from baclofen.domain.pk.system import LinearSystem


@dataclass(frozen=True, eq=False)
class GridMetrics:
    """Per-subject metrics over a window, each an array (N,): Cmax, Tmax (h), Cmin, Cavg, AUC (trapezoid)."""

    cmax: np.ndarray
    tmax_h: np.ndarray
    cmin: np.ndarray
    cavg: np.ndarray
    auc_trapezoid: np.ndarray
    start_h: float
    end_h: float


def _as_2d(conc: np.ndarray) -> np.ndarray:
    c = np.asarray(conc, dtype=np.float64)
    return c[None, :] if c.ndim == 1 else c


def window_mask(times_h: np.ndarray, start_h: float | None, end_h: float | None) -> np.ndarray:
    times = np.asarray(times_h, dtype=np.float64)
    lo = -math.inf if start_h is None else start_h
    hi = math.inf if end_h is None else end_h
    mask = (times >= lo - 1e-9) & (times <= hi + 1e-9)
    if mask.sum() < 1:
        raise InvalidInputError("window", "a window containing at least one time point", (start_h, end_h))
    return mask


def grid_metrics(
    times_h: np.ndarray, conc: np.ndarray, start_h: float | None = None, end_h: float | None = None
) -> GridMetrics:
    """Cmax, Tmax, Cmin, Cavg (AUC / duration) and the trapezoidal AUC over ``[start_h, end_h]``."""
    times = np.asarray(times_h, dtype=np.float64)
    c = _as_2d(conc)
    mask = window_mask(times, start_h, end_h)
    t = times[mask]
    cw = c[:, mask]
    imax = np.argmax(cw, axis=1)
    cmax = cw[np.arange(cw.shape[0]), imax]
    auc = np.trapezoid(cw, t, axis=1) if t.shape[0] > 1 else np.zeros(cw.shape[0])
    duration = float(t[-1] - t[0])
    cavg = auc / duration if duration > 0 else cw[:, 0].copy()
    return GridMetrics(cmax, t[imax], cw.min(axis=1), cavg, auc, float(t[0]), float(t[-1]))


def terminal_half_life_h(times_h: np.ndarray, conc: np.ndarray, n_points: int = 5) -> np.ndarray:
    """Terminal half-life (h) by log-linear regression on the last ``n_points`` positive samples (NCA-style).

    Returns NaN for a subject whose last samples do not decline.
    """
    if n_points < 2:
        raise InvalidInputError("n_points", "at least 2", n_points)
    times = np.asarray(times_h, dtype=np.float64)[-n_points:]
    c = _as_2d(conc)[:, -n_points:]
    with np.errstate(divide="ignore", invalid="ignore"):
        logc = np.where(c > 0, np.log(np.where(c > 0, c, 1.0)), np.nan)
        tc = times - times.mean()
        slope = ((logc - logc.mean(axis=1, keepdims=True)) * tc).sum(axis=1) / (tc * tc).sum()
        return np.where(slope < 0, math.log(2.0) / -slope, np.nan)


def band_time_fractions(
    times_h: np.ndarray,
    conc: np.ndarray,
    bands: Sequence[Band],
    start_h: float | None = None,
    end_h: float | None = None,
) -> np.ndarray:
    """Fraction of the time in each band (N, n_bands), concentrations linear between samples.

    Each interval between two samples contributes the part of its duration during which the linearly
    interpolated concentration lies in ``[lower, upper)``.
    """
    times = np.asarray(times_h, dtype=np.float64)
    c = _as_2d(conc)
    mask = window_mask(times, start_h, end_h)
    t = times[mask]
    cw = c[:, mask]
    n = cw.shape[0]
    if t.shape[0] < 2:
        out = np.zeros((n, len(bands)))
        for b, band in enumerate(bands):
            out[:, b] = (cw[:, 0] >= band.lower_ng_per_ml) & (cw[:, 0] < band.upper_ng_per_ml)
        return out
    dt = np.diff(t)
    c0, c1 = cw[:, :-1], cw[:, 1:]
    lo_c, hi_c = np.minimum(c0, c1), np.maximum(c0, c1)
    span = hi_c - lo_c
    flat = span <= 0
    safe_span = np.where(flat, 1.0, span)
    out = np.empty((n, len(bands)))
    for b, band in enumerate(bands):
        overlap = np.clip(np.minimum(hi_c, band.upper_ng_per_ml) - np.maximum(lo_c, band.lower_ng_per_ml), 0.0, None)
        frac = np.where(
            flat,
            ((c0 >= band.lower_ng_per_ml) & (c0 < band.upper_ng_per_ml)).astype(float),
            overlap / safe_span,
        )
        out[:, b] = (frac * dt).sum(axis=1) / (t[-1] - t[0])
    return out


def daily_metrics(times_h: np.ndarray, conc: np.ndarray, day_h: float = 24.0) -> list[dict[str, float]]:
    """Cmax, Cmin and Cavg (trapezoid) of one concentration curve for each whole day of the grid.

    >>> t = np.arange(0.0, 49.0)
    >>> [d["day"] for d in daily_metrics(t, np.ones_like(t))]
    [1, 2]
    """
    times = np.asarray(times_h, dtype=np.float64)
    c = np.asarray(conc, dtype=np.float64)
    out = []
    day = 0
    while times[0] + (day + 1) * day_h <= times[-1] + 1e-9:
        start, end = times[0] + day * day_h, times[0] + (day + 1) * day_h
        m = grid_metrics(times, c, start, end)
        out.append(
            {
                "day": day + 1,
                "start_h": float(start),
                "end_h": float(end),
                "cmax_ng_per_ml": float(m.cmax[0]),
                "cmin_ng_per_ml": float(m.cmin[0]),
                "cavg_ng_per_ml": float(m.cavg[0]),
            }
        )
        day += 1
    return out


def first_time_at_or_above(times_h: np.ndarray, conc: np.ndarray, threshold: float) -> np.ndarray:
    """First sample time (h) with concentration >= ``threshold`` per subject; NaN when never."""
    times = np.asarray(times_h, dtype=np.float64)
    c = _as_2d(conc)
    hit = c >= threshold
    first = np.argmax(hit, axis=1)
    return np.where(hit.any(axis=1), times[first], np.nan)


def period_map(
    system: LinearSystem, doses: Iterable[DoseInput], period_h: float, windows: Iterable[ClearanceWindow] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """State map of one dosing period starting at 0: ``x(period-) = P x(0-) + q``; P (N, m, m), q (N, m).

    Doses at or after ``period_h`` belong to the next period and are ignored.
    """
    if not period_h > 0:
        raise InvalidInputError("period_h", "> 0", period_h)
    inside = [d for d in doses if 0.0 <= d.time_h < period_h]
    if any(d.time_h < 0 or d.end_h > period_h + 1e-9 for d in doses if d.is_infusion):
        raise InvalidInputError("doses", f"infusions within one period [0, {period_h:g}) h", "an infusion outside")
    schedule = compile_schedule(system, inside, [0.0, period_h], windows, start_h=0.0)
    n, m = system.n_subjects, system.n_states
    p = np.broadcast_to(np.eye(m), (n, m, m)).copy()
    q = np.zeros((n, m))
    for k in range(schedule.n_breakpoints - 1):
        q = q + schedule.bolus[k]
        length, cl = schedule.keys[int(schedule.segment_key[k])]
        rate = schedule.rates[k]
        phi, gam = transition_matrices(system, length, cl, bool(np.any(rate != 0)))
        p = phi @ p
        q = np.einsum("nij,nj->ni", phi, q)
        if gam is not None:
            q = q + np.einsum("nij,j->ni", gam, rate)
    return p, q


def steady_state_initial_state(
    system: LinearSystem, doses: Iterable[DoseInput], period_h: float, windows: Iterable[ClearanceWindow] = ()
) -> np.ndarray:
    """State (N, m) just before the first dose of a period once the repeated period is at steady state.

    The system must have no integrator states (they never reach a steady state).
    """
    if system.structure.integrate:
        raise InvalidInputError("system", "a system without AUC integrator states", "integrate=True")
    p, q = period_map(system, doses, period_h, windows)
    m = system.n_states
    return np.linalg.solve(np.eye(m) - p, q[..., None])[..., 0]


def accumulation_ratio(half_life_h: float, interval_h: float) -> float:
    """Steady-state to single-dose AUC-over-the-interval ratio for a one-compartment drug: 1 / (1 -
    2^(-tau/t1/2)).

    >>> round(accumulation_ratio(4.35, 8.0), 3)
    1.388
    """
    return 1.0 / (1.0 - math.pow(2.0, -interval_h / half_life_h))


def time_to_fraction_of_steady_state_h(half_life_h: float, fraction: float = 0.9) -> float:
    """Time (h) to reach ``fraction`` of steady state for first-order elimination: t1/2 x log2(1/(1-f)).

    >>> round(time_to_fraction_of_steady_state_h(4.35), 2)
    14.45
    """
    if not 0 < fraction < 1:
        raise InvalidInputError("fraction", "between 0 and 1", fraction)
    return half_life_h * math.log2(1.0 / (1.0 - fraction))
