"""Exact solution of linear compartment models for any mix of doses, on any time grid, for N subjects.

Between two consecutive *breakpoints* (observation times, dose times, infusion starts and ends,
dialysis windows) the system ``dx/dt = A x + r`` has constant ``A`` and constant input ``r``, so

    x(t + h) = Phi(h) x(t) + Gamma(h) r,   Phi = exp(A h),   Gamma = integral_0^h exp(A s) ds,

both read off one matrix exponential of the augmented matrix ``[[A, I], [0, 0]] h``. Boluses are jumps
of the state at their breakpoint. This is exact (up to floating point) for oral doses, IV and
intrathecal boluses, piecewise-constant infusions (pump programs, flex schedules) and time-limited
extra clearance (haemodialysis sessions), and needs no ODE solver.

Vectorisation: the loop runs over breakpoints (time), never over doses per subject; every step
updates all subjects at once with numpy (state-major arrays), or with an optional numba kernel. The
transition matrices are computed once per distinct (segment length, clearance mode) for all subjects.

Conventions: times in hours; amounts in mcg; a dose at time t counts in the value reported at t
(right-continuous); the state is zero before the first breakpoint unless an initial state is given.

>>> from baclofen.domain.pk.parameters import oral_parameters
>>> from baclofen.domain.pk.system import SubjectParameters
>>> sim = simulate(SubjectParameters.typical(oral_parameters()), [oral_dose(0.0, 10.0)], [0.0, 1.0, 2.0])
>>> [round(float(v), 1) for v in sim.output("plasma_ng_per_ml")[0]]
[0.0, 100.2, 104.9]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.pk._expm import expm_stack
from baclofen.domain.pk.system import LinearSystem, Structure, SubjectParameters, build_system, structure_for
from baclofen.domain.regimen import Regimen, Route
from baclofen.domain.units import Unit

TIME_KEY_RESOLUTION_H = 1e-12
"""Segment lengths equal to within this (h) share one transition matrix (float noise of a time grid)."""
TRANSITION_CACHE_BYTES = 256 * 1024 * 1024
"""Largest memory spent on cached transition matrices; beyond it the numpy path computes them per step."""
BACKENDS = ("numpy", "numba", "auto")


@dataclass(frozen=True, slots=True)
class DoseInput:
    """One dose as the engine sees it: time (h), route, amount (mcg) and infusion duration (h, 0 = bolus)."""

    time_h: float
    route: Route
    amount_mcg: float
    duration_h: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "time_h", require_finite_number(self.time_h, "time_h"))
        object.__setattr__(self, "amount_mcg", require_finite_number(self.amount_mcg, "amount_mcg", minimum=0.0))
        object.__setattr__(self, "duration_h", require_finite_number(self.duration_h, "duration_h", minimum=0.0))
        if not isinstance(self.route, Route):
            raise InvalidInputError("route", "oral, intrathecal or intravenous", self.route)

    @property
    def is_infusion(self) -> bool:
        return self.duration_h > 0

    @property
    def end_h(self) -> float:
        return self.time_h + self.duration_h

    @property
    def rate_mcg_per_h(self) -> float:
        return self.amount_mcg / self.duration_h if self.duration_h > 0 else math.inf

    def scaled(self, factor: float) -> DoseInput:
        return DoseInput(self.time_h, self.route, self.amount_mcg * factor, self.duration_h)


def oral_dose(time_h: float, dose_mg: float) -> DoseInput:
    """An oral dose of ``dose_mg`` (mg) at ``time_h`` (h)."""
    return DoseInput(time_h, Route.ORAL, require_finite_number(dose_mg, "dose_mg", minimum=0.0) * 1000.0)


def intravenous_dose(time_h: float, dose_mg: float, duration_h: float = 0.0) -> DoseInput:
    """An intravenous bolus (or infusion over ``duration_h``) of ``dose_mg`` (mg)."""
    return DoseInput(
        time_h, Route.INTRAVENOUS, require_finite_number(dose_mg, "dose_mg", minimum=0.0) * 1000.0, duration_h
    )


def intrathecal_bolus(time_h: float, dose_mcg: float) -> DoseInput:
    """An intrathecal (lumbar) bolus of ``dose_mcg`` (mcg)."""
    return DoseInput(time_h, Route.INTRATHECAL, require_finite_number(dose_mcg, "dose_mcg", minimum=0.0))


def intrathecal_infusion(start_h: float, duration_h: float, daily_dose_mcg: float) -> DoseInput:
    """A constant intrathecal infusion at ``daily_dose_mcg`` (mcg/day) for ``duration_h`` (h)."""
    rate = require_finite_number(daily_dose_mcg, "daily_dose_mcg", minimum=0.0) / 24.0
    duration = require_finite_number(duration_h, "duration_h", strictly_positive=True)
    return DoseInput(start_h, Route.INTRATHECAL, rate * duration, duration)


def doses_from_regimen(regimen: Regimen, reference: datetime) -> tuple[DoseInput, ...]:
    """Engine doses (h after ``reference``, mcg) from a dated :class:`Regimen`."""
    if not isinstance(reference, datetime) or reference.tzinfo is None:
        raise InvalidInputError("reference", "a timezone-aware datetime", reference)
    return tuple(
        DoseInput(
            (e.time.astimezone(UTC) - reference.astimezone(UTC)) / timedelta(hours=1),
            e.route,
            e.amount.in_(Unit.MCG),
            e.duration_h,
        )
        for e in regimen.events
    )


@dataclass(frozen=True, slots=True)
class ClearanceWindow:
    """Extra true plasma clearance (L/h) from ``start_h`` to ``end_h`` (e.g. a haemodialysis session)."""

    start_h: float
    end_h: float
    extra_clearance_l_per_h: float

    def __post_init__(self) -> None:
        start = require_finite_number(self.start_h, "start_h")
        end = require_finite_number(self.end_h, "end_h")
        if end <= start:
            raise InvalidInputError("end_h", f"after start_h ({start:g} h)", end)
        object.__setattr__(self, "start_h", start)
        object.__setattr__(self, "end_h", end)
        object.__setattr__(
            self,
            "extra_clearance_l_per_h",
            require_finite_number(self.extra_clearance_l_per_h, "extra_clearance_l_per_h", minimum=0.0),
        )

    @property
    def duration_h(self) -> float:
        return self.end_h - self.start_h


def _check_times(times_h: Sequence[float] | np.ndarray) -> np.ndarray:
    times = np.asarray(times_h, dtype=np.float64)
    if times.ndim != 1 or times.size == 0:
        raise InvalidInputError("times_h", "a non-empty 1-D sequence of times (h)", times.shape)
    if not np.all(np.isfinite(times)):
        raise InvalidInputError("times_h", "finite times", "a non-finite time")
    if times.size > 1 and np.any(np.diff(times) <= 0):
        raise InvalidInputError("times_h", "strictly increasing times", "times that do not increase")
    return times


@dataclass(frozen=True, eq=False)
class Schedule:
    """A regimen compiled against a time grid and a system's inputs.

    ``breakpoints_h`` (K,), ``bolus`` (K, m) state jumps, ``rates`` (K-1, m) state input rates per segment,
    ``segment_key`` (K-1,) index of each segment's (length, clearance mode) in ``keys``; ``obs_index`` (K,)
    the output column of each breakpoint (-1 = not observed).
    """

    breakpoints_h: np.ndarray
    bolus: np.ndarray
    rates: np.ndarray
    segment_key: np.ndarray
    keys: tuple[tuple[float, float], ...]
    key_has_rate: np.ndarray
    obs_index: np.ndarray
    times_h: np.ndarray

    @property
    def n_breakpoints(self) -> int:
        return int(self.breakpoints_h.shape[0])


def compile_schedule(
    system: LinearSystem,
    doses: Iterable[DoseInput],
    times_h: Sequence[float] | np.ndarray,
    windows: Iterable[ClearanceWindow] = (),
    start_h: float | None = None,
) -> Schedule:
    """Merge doses, infusion edges, clearance windows and observation times into segments.

    Events after the last observation time do not matter and are dropped; the simulation starts at
    ``start_h`` (default: the earliest time or event) from the initial state.
    """
    times = _check_times(times_h)
    doses = tuple(doses)
    windows = tuple(windows)
    for d in doses:
        if not isinstance(d, DoseInput):
            raise InvalidInputError("doses", "DoseInput values", d)
        system.input_vector(d.route)
    t_end = float(times[-1])
    candidates = [times]
    if doses:
        candidates.append(np.array([d.time_h for d in doses]))
        candidates.append(np.array([d.end_h for d in doses if d.is_infusion] or [t_end]))
    for w in windows:
        candidates.append(np.array([w.start_h, w.end_h]))
    first = float(min(float(np.min(c)) for c in candidates))
    start = first if start_h is None else min(float(start_h), first)
    bp = np.unique(np.concatenate(candidates + [np.array([start])]))
    bp = bp[(bp >= start) & (bp <= t_end)]
    k_count = bp.shape[0]
    m = system.n_states
    bolus = np.zeros((k_count, m))
    rates = np.zeros((max(k_count - 1, 0), m))
    for d in doses:
        state, scale = system.input_vector(d.route)
        if d.is_infusion:
            i0 = int(np.searchsorted(bp, d.time_h))
            i1 = int(np.searchsorted(bp, d.end_h))
            if i1 > i0:
                rates[i0:i1, state] += d.rate_mcg_per_h * scale
        elif d.time_h <= t_end:
            bolus[int(np.searchsorted(bp, d.time_h)), state] += d.amount_mcg * scale
    extra = np.zeros(max(k_count - 1, 0))
    for w in windows:
        i0 = int(np.searchsorted(bp, w.start_h))
        i1 = int(np.searchsorted(bp, w.end_h))
        if i1 > i0:
            extra[i0:i1] += w.extra_clearance_l_per_h
    lengths = np.diff(bp)
    quantised = np.rint(lengths / TIME_KEY_RESOLUTION_H).astype(np.int64)
    if lengths.size:
        pairs = np.stack([quantised.astype(np.float64), extra], axis=1)
        unique, first_rows, seg_key = np.unique(pairs, axis=0, return_index=True, return_inverse=True)
        seg_key = seg_key.reshape(-1).astype(np.int64)
        keys = tuple((float(lengths[i]), float(extra[i])) for i in first_rows.tolist())
    else:
        seg_key = np.zeros(0, dtype=np.int64)
        keys = ()
    has_rate = np.zeros(len(keys), dtype=bool)
    if rates.size:
        seg_has_rate = np.any(rates != 0.0, axis=1)
        has_rate[np.unique(seg_key[seg_has_rate])] = True
    obs_index = np.full(k_count, -1, dtype=np.int64)
    obs_index[np.searchsorted(bp, times)] = np.arange(times.shape[0])
    return Schedule(bp, bolus, rates, seg_key, keys, has_rate, obs_index, times)


def transition_matrices(
    system: LinearSystem, length_h: float, extra_clearance_l_per_h: float, with_input: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    """Phi = exp(A h) and (if ``with_input``) Gamma = int_0^h exp(A s) ds, each (N, m, m)."""
    a = system.matrix(extra_clearance_l_per_h)
    n, m = system.n_subjects, system.n_states
    if not with_input:
        return expm_stack(a * length_h), None
    aug = np.zeros((n, 2 * m, 2 * m))
    aug[:, :m, :m] = a * length_h
    aug[:, :m, m:] = np.eye(m) * length_h
    e = expm_stack(aug)
    return np.ascontiguousarray(e[:, :m, :m]), np.ascontiguousarray(e[:, :m, m:])


@dataclass(frozen=True, eq=False)
class Simulation:
    """Outputs at the observation times: name -> array (N subjects, T times); the final state (N, m)."""

    times_h: np.ndarray
    outputs: Mapping[str, np.ndarray]
    final_state: np.ndarray
    states: tuple[str, ...]

    def output(self, name: str) -> np.ndarray:
        try:
            return self.outputs[name]
        except KeyError:
            raise InvalidInputError("output", f"one of {', '.join(self.outputs)}", name) from None


def _numba_available() -> bool:
    from baclofen.domain.pk import _numba_kernel

    return _numba_kernel.AVAILABLE


def resolve_backend(backend: str) -> str:
    """'auto' -> 'numba' where numba is installed, else 'numpy'."""
    if backend not in BACKENDS:
        raise InvalidInputError("backend", "one of numpy, numba, auto", backend)
    if backend == "auto":
        return "numba" if _numba_available() else "numpy"
    if backend == "numba" and not _numba_available():
        raise InvalidInputError("backend", "numpy (numba is not installed)", backend)
    return backend


def _initial_state(system: LinearSystem, initial_state: Mapping[str, np.ndarray] | None) -> np.ndarray:
    n, m = system.n_subjects, system.n_states
    x0 = np.zeros((n, m))
    for name, values in (initial_state or {}).items():
        if name not in system.states:
            continue
        x0[:, system.index(name)] = np.broadcast_to(np.asarray(values, dtype=np.float64), (n,))
    return x0


def propagate(
    system: LinearSystem,
    schedule: Schedule,
    *,
    outputs: Sequence[str] | None = None,
    initial_state: Mapping[str, np.ndarray] | None = None,
    backend: str = "numpy",
) -> Simulation:
    """Run ``schedule`` on ``system`` for all subjects; record ``outputs`` at the observation times.

    Both backends do the same arithmetic in the same order (state-major arrays, subjects innermost).
    """
    names = tuple(outputs) if outputs is not None else tuple(system.output_weights)
    for name in names:
        if name not in system.output_weights:
            raise InvalidInputError("output", f"one of {', '.join(system.output_weights)}", name)
    backend = resolve_backend(backend)
    n, m = system.n_subjects, system.n_states
    n_keys = len(schedule.keys)
    any_rate = bool(schedule.key_has_rate.any())
    cache = n_keys * n * m * m * 8 * (1 + int(any_rate)) <= TRANSITION_CACHE_BYTES
    x0 = np.ascontiguousarray(_initial_state(system, initial_state).T)
    if names:
        weights = np.ascontiguousarray(np.stack([system.output_weights[name].T for name in names]))
    else:
        weights = np.zeros((0, m, n))
    wmask = np.any(weights != 0.0, axis=2)
    reach = system.reachability()
    if backend == "numba" and cache:
        from baclofen.domain.pk import _numba_kernel

        phi = np.empty((n_keys, m, m, n))
        gam = np.zeros((n_keys, m, m, n)) if any_rate else np.zeros((1, 1, 1, 1))
        for u in range(n_keys):
            p, g = _state_major_transition(system, schedule, u)
            phi[u] = p
            if g is not None:
                gam[u] = g
        out, final = _numba_kernel.run(phi, gam, schedule, weights, wmask, reach, x0)
    else:
        out, final = _propagate_numpy(system, schedule, weights, wmask, reach, x0, cache)
    return Simulation(
        schedule.times_h,
        {name: out[i].T for i, name in enumerate(names)},
        np.ascontiguousarray(final.T),
        system.states,
    )


def _state_major_transition(system: LinearSystem, schedule: Schedule, u: int) -> tuple[np.ndarray, np.ndarray | None]:
    length, cl = schedule.keys[u]
    p, g = transition_matrices(system, length, cl, bool(schedule.key_has_rate[u]))
    return (
        np.ascontiguousarray(np.transpose(p, (1, 2, 0))),
        None if g is None else np.ascontiguousarray(np.transpose(g, (1, 2, 0))),
    )


def _propagate_numpy(
    system: LinearSystem,
    schedule: Schedule,
    weights: np.ndarray,
    wmask: np.ndarray,
    reach: np.ndarray,
    x0: np.ndarray,
    cache: bool,
) -> tuple[np.ndarray, np.ndarray]:
    n, m = system.n_subjects, system.n_states
    n_out, t_count = weights.shape[0], schedule.times_h.shape[0]
    pattern = [[j for j in range(m) if reach[i, j]] for i in range(m)]
    w_nz = [[i for i in range(m) if wmask[q, i]] for q in range(n_out)]
    table: dict[int, tuple[np.ndarray, np.ndarray | None]] = {}
    out = np.empty((n_out, t_count, n))
    x = x0.copy()
    new = np.empty_like(x)
    tmp = np.empty(n)
    bolus_rows = np.any(schedule.bolus != 0.0, axis=1)
    rate_rows = np.any(schedule.rates != 0.0, axis=1) if schedule.rates.size else np.zeros(0, dtype=bool)
    k_count = schedule.n_breakpoints
    for k in range(k_count):
        if bolus_rows[k]:
            for dosed in np.flatnonzero(schedule.bolus[k]):
                x[dosed] += schedule.bolus[k, dosed]
        o = schedule.obs_index[k]
        if o >= 0:
            for q in range(n_out):
                row = out[q, o]
                nz = w_nz[q]
                if not nz:
                    row[:] = 0.0
                    continue
                np.multiply(weights[q, nz[0]], x[nz[0]], out=row)
                for i in nz[1:]:
                    np.multiply(weights[q, i], x[i], out=tmp)
                    row += tmp
        if k == k_count - 1:
            break
        u = int(schedule.segment_key[k])
        got = table.get(u)
        if got is None:
            got = _state_major_transition(system, schedule, u)
            if cache:
                table[u] = got
        phi, gam = got
        for i in range(m):
            cols = pattern[i]
            np.multiply(phi[i, cols[0]], x[cols[0]], out=new[i])
            for j in cols[1:]:
                np.multiply(phi[i, j], x[j], out=tmp)
                new[i] += tmp
        if rate_rows[k]:
            assert gam is not None
            r = schedule.rates[k]
            for infused in np.flatnonzero(r):
                for i in range(m):
                    if reach[i, infused]:
                        np.multiply(gam[i, infused], r[infused], out=tmp)
                        new[i] += tmp
        x, new = new, x
    return out, x


def simulate(
    params: SubjectParameters,
    doses: Iterable[DoseInput],
    times_h: Sequence[float] | np.ndarray,
    *,
    windows: Iterable[ClearanceWindow] = (),
    integrate: bool = False,
    intrathecal: bool | None = None,
    outputs: Sequence[str] | None = None,
    initial_state: Mapping[str, np.ndarray] | None = None,
    start_h: float | None = None,
    backend: str = "numpy",
) -> Simulation:
    """Simulate ``doses`` for every subject of ``params`` and report concentrations at ``times_h``.

    Parameters
    ----------
    params : subjects (N)
    doses : engine doses (h, mcg); oral, intravenous, intrathecal; boluses or infusions
    times_h : strictly increasing observation times (h)
    windows : extra plasma clearance windows (haemodialysis sessions)
    integrate : also report cumulative AUC outputs (exact, by integrator states)
    intrathecal : include the CSF and effect-site states even without intrathecal doses
    outputs : names of outputs to record (default all of the structure's)
    initial_state : state name -> values (N,) at the start (amounts in mcg, effect in ug/mL)
    backend : "numpy", "numba" or "auto"
    """
    doses = tuple(doses)
    structure = structure_for({d.route for d in doses}, params, integrate=integrate, intrathecal=intrathecal)
    if initial_state:
        structure = _structure_with_states(structure, initial_state)
    system = build_system(params, structure)
    schedule = compile_schedule(system, doses, times_h, windows, start_h)
    return propagate(system, schedule, outputs=outputs, initial_state=initial_state, backend=backend)


def _structure_with_states(structure: Structure, initial_state: Mapping[str, np.ndarray]) -> Structure:
    from baclofen.domain.pk.system import CSF, EFFECT, GUT

    names = {k for k, v in initial_state.items() if np.any(np.asarray(v) != 0)}
    return Structure(
        oral=structure.oral or GUT in names,
        peripheral=structure.peripheral,
        intrathecal=structure.intrathecal or bool(names & {CSF, EFFECT}),
        integrate=structure.integrate,
    )
