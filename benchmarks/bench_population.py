"""Population throughput: our exact engine vs a scipy solve_ivp per-subject loop vs naive numpy superposition.

One problem for all three: 10,000 virtual subjects (Simon 2018 default model with its log-normal
between-subject variability, seed 2026), 14 days observed hourly (337 time points), 20 mg three times a
day (06:00-12:00-18:00 pattern every 24 h, 42 doses). Prints one JSON line (see benchmarks/README.md).

* engine: ``baclofen.domain.pk.engine.simulate`` (backend "auto": numba when installed), best of 5 after a
  warm-up (the numba compile time is reported separately); the numpy backend is timed too;
* naive: for each dose, add ``D ka / (V (ka - k)) (exp(-k dt) - exp(-ka dt))`` to an (N, T) array;
* solve_ivp: one ``scipy.integrate.solve_ivp`` (LSODA, rtol 1e-8, atol 1e-8) per subject, restarted at every
  dose; timed on a subset of subjects and extrapolated per subject-time point (the JSON says how many);
* floor: ``numpy.copyto`` of an (N, T) float64 array into a preallocated array, best of 5 (and into a fresh
  one, which pays the page faults our output array pays too).

Usage: ``python benchmarks/bench_population.py [--subjects N] [--ivp-subjects K]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import tracemalloc

import numpy as np
from scipy.integrate import solve_ivp

from baclofen.domain.pk.engine import oral_dose, resolve_backend, simulate
from baclofen.domain.pk.population import PopulationProblem, sample_subjects
from baclofen.domain.pk.system import PLASMA_NG_PER_ML, SubjectParameters

DOSE_MG = 20.0
DAYS = 14


def best_of(fn, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def naive_superposition(params: SubjectParameters, dose_times: np.ndarray, times: np.ndarray) -> np.ndarray:
    ka = params.ka_per_h[:, None]
    k = (params.cl_f_l_per_h / params.v_f_l)[:, None]
    coef = DOSE_MG * 1000.0 * ka / (params.v_f_l[:, None] * (ka - k))
    out = np.zeros((params.n_subjects, times.size))
    for td in dose_times:
        dt = times[None, :] - td
        on = dt >= 0
        dt = np.where(on, dt, 0.0)
        out += np.where(on, coef * (np.exp(-k * dt) - np.exp(-ka * dt)), 0.0)
    return out


def ivp_subject(ka: float, cl: float, v: float, dose_times: np.ndarray, times: np.ndarray) -> np.ndarray:
    k = cl / v

    def rhs(_t: float, y: np.ndarray) -> list[float]:
        return [-ka * y[0], ka * y[0] - k * y[1]]

    y = np.zeros(2)
    out = np.zeros(times.size)
    edges = list(dose_times) + [times[-1]]
    for i, start in enumerate(dose_times):
        y[0] += DOSE_MG * 1000.0
        end = edges[i + 1]
        last = i == len(dose_times) - 1
        mask = (times >= start) & ((times < end) | last)
        t_eval = times[mask]
        sol = solve_ivp(
            rhs,
            (start, end),
            y,
            method="LSODA",
            rtol=1e-8,
            atol=1e-8,
            t_eval=np.append(t_eval, end) if t_eval.size == 0 or t_eval[-1] != end else t_eval,
        )
        values = sol.y[1][: t_eval.size] / v
        out[mask] = values
        y = sol.y[:, -1].copy()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--ivp-subjects", type=int, default=20)
    args = parser.parse_args()

    times = np.arange(0.0, DAYS * 24 + 1.0)
    dose_times = np.array([d * 24.0 + h for d in range(DAYS) for h in (0.0, 6.0, 12.0)])
    doses = [oral_dose(float(t), DOSE_MG) for t in dose_times]
    problem = PopulationProblem(args.subjects, 2026, tuple(doses), tuple(times))
    params = sample_subjects(problem, 0, problem.n_blocks)
    n, t_count = params.n_subjects, times.size
    values = n * t_count
    backend = resolve_backend("auto")

    started = time.perf_counter()
    result = simulate(params, doses, times, backend=backend, outputs=(PLASMA_NG_PER_ML,))
    first_call = time.perf_counter() - started
    engine_s = best_of(lambda: simulate(params, doses, times, backend=backend, outputs=(PLASMA_NG_PER_ML,)))
    ours = result.output(PLASMA_NG_PER_ML)

    numpy_s = best_of(lambda: simulate(params, doses, times, backend="numpy", outputs=(PLASMA_NG_PER_ML,)))

    tracemalloc.start()
    simulate(params, doses, times, backend=backend, outputs=(PLASMA_NG_PER_ML,))
    _, engine_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    naive = naive_superposition(params, dose_times, times)
    naive_s = best_of(lambda: naive_superposition(params, dose_times, times), repeats=2)
    naive_max_rel = float(np.max(np.abs(naive - ours) / np.maximum(np.abs(naive), 1e-300)))

    k = min(args.ivp_subjects, n)
    started = time.perf_counter()
    ivp = np.stack(
        [ivp_subject(params.ka_per_h[i], params.cl_f_l_per_h[i], params.v_f_l[i], dose_times, times) for i in range(k)]
    )
    ivp_subset_s = time.perf_counter() - started
    ivp_per_value_s = ivp_subset_s / (k * t_count)
    ivp_max_rel = float(np.max(np.abs(ivp[:, 1:] - ours[:k, 1:]) / np.abs(ours[:k, 1:])))

    src = np.ascontiguousarray(ours)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    floor_s = best_of(lambda: np.copyto(dst, src))
    floor_fresh_s = best_of(lambda: np.copyto(np.empty_like(src), src))

    report = {
        "benchmark": "population",
        "problem": {
            "subjects": n,
            "time_points": t_count,
            "doses": len(doses),
            "days": DAYS,
            "model": "Simon 2018 one-compartment, log-normal IIV",
            "values": values,
        },
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "processor": platform.machine(),
        },
        "engine": {
            "backend": backend,
            "seconds": engine_s,
            "values_per_second": values / engine_s,
            "first_call_seconds_including_jit": first_call,
            "peak_traced_bytes": engine_peak,
            "output_bytes": values * 8,
        },
        "engine_numpy_backend": {"seconds": numpy_s, "values_per_second": values / numpy_s},
        "naive_numpy_superposition": {
            "seconds": naive_s,
            "values_per_second": values / naive_s,
            "max_relative_difference_vs_engine": naive_max_rel,
        },
        "solve_ivp_loop": {
            "method": "LSODA rtol 1e-8 atol 1e-8, restarted at each dose",
            "subjects_timed": k,
            "seconds_for_subset": ivp_subset_s,
            "values_per_second": 1.0 / ivp_per_value_s,
            "extrapolated_seconds_for_all_subjects": ivp_per_value_s * values,
            "max_relative_difference_vs_engine": ivp_max_rel,
        },
        "floor_copyto": {"seconds_preallocated": floor_s, "seconds_fresh_array": floor_fresh_s},
        "speedup_vs_solve_ivp": ivp_per_value_s * values / engine_s,
        "speedup_vs_naive_numpy": naive_s / engine_s,
        "ratio_to_floor": engine_s / floor_s,
        "ratio_to_floor_fresh_array": engine_s / floor_fresh_s,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
