"""Population runs on a real Dask LocalCluster: equal to in-process; a million subjects in bounded memory."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest

from baclofen.adapters.distributed import DaskRunner, run_population_on_dask
from baclofen.domain.pk.engine import oral_dose
from baclofen.domain.pk.population import CrclDistribution, PopulationProblem, run_population
from tests.simulations import oral_simulation

FOURTEEN_DAYS_TID = tuple(oral_dose(d * 24.0 + h, 20.0) for d in range(14) for h in (0.0, 6.0, 12.0))
HOURLY_14_DAYS = tuple(float(h) for h in range(337))


def test_dask_equals_in_process_for_the_same_seed_whatever_the_chunking() -> None:
    problem = PopulationProblem(
        12_000,
        2026,
        FOURTEEN_DAYS_TID,
        HOURLY_14_DAYS,
        thresholds=(80.0, 400.0, 600.0),
        crcl_distribution=CrclDistribution("uniform", 20.0, 120.0),
        residual_error=True,
    )

    local = run_population(problem, blocks_per_chunk=4)
    on_dask = run_population_on_dask(problem, n_workers=2, processes=False, blocks_per_chunk=3)

    assert on_dask.to_dict() == local.to_dict()


def test_the_dask_runner_plugs_into_the_simulation_service() -> None:
    progress: list[int] = []

    with_dask = oral_simulation(
        20.0,
        doses=3,
        population=3000,
        seed=5,
        runner=DaskRunner(n_workers=2),
        progress=lambda done, total: progress.append(done),
    )
    in_process = oral_simulation(20.0, doses=3, population=3000, seed=5)

    assert with_dask.to_dict() == in_process.to_dict()
    assert progress[-1] == 3000


@pytest.mark.slow
def test_a_million_subjects_by_337_time_points_run_in_bounded_memory() -> None:
    """The full N x T float64 array would be 2.7 GB; the streaming run stays far below it."""
    problem = PopulationProblem(
        1_000_000,
        1,
        FOURTEEN_DAYS_TID,
        HOURLY_14_DAYS,
        thresholds=(80.0, 400.0, 600.0, 1000.0, 3000.0),
        metrics_window=(312.0, 336.0),
    )
    full_bytes = problem.n_subjects * len(problem.times_h) * 8

    tracemalloc.start()
    try:
        started = time.perf_counter()
        summary = run_population_on_dask(problem, n_workers=2, processes=False)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < full_bytes / 5
    assert elapsed < 120
    p50 = np.array(summary.percentiles["50"])
    assert summary.problem["n_subjects"] == 1_000_000
    assert np.all(np.array(summary.percentiles["5"]) <= p50)
    assert np.all(p50 <= np.array(summary.percentiles["95"]))
    assert 150 < summary.metrics["cavg"]["p50"] < 300
