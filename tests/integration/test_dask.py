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


# --- population jobs on Dask (services/jobs.py) ------------------------------------------------------------


def test_a_population_job_runs_on_a_local_dask_cluster_reporting_progress_into_the_sql_store(tmp_path) -> None:
    from baclofen.adapters.clock import SystemClock
    from baclofen.adapters.edge.simulate import simulate_oral_command
    from baclofen.adapters.sql import create_database_engine, upgrade_database
    from baclofen.adapters.sql.jobs import SqlJobRepository
    from baclofen.domain.jobs import JobStatus
    from baclofen.services.jobs import PopulationJobs, SubmitPopulationJob

    engine = create_database_engine(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    upgrade_database(engine)
    store = SqlJobRepository(engine)
    seen: list[int] = []

    def runner(problem, progress=None):
        def record(done: int, total: int) -> None:
            progress(done, total)
            seen.append(store.get(job_id).done)  # the stored job, as GET /api/v1/jobs/{job_id} reads it

        return DaskRunner(n_workers=1, blocks_per_chunk=1)(problem, record)

    jobs = PopulationJobs(store, SystemClock(), runner, to_document=lambda r: r.to_dict())
    command = simulate_oral_command(dose_mg=20.0, doses=3, population=3000, seed=5)
    job_id = jobs.submit(SubmitPopulationJob(command, {"dose_mg": 20.0}, "C-1", "clinician:c")).job_id
    done = jobs.wait(job_id, timeout_s=120)
    jobs.close()
    engine.dispose()

    assert done.status is JobStatus.SUCCEEDED, done.error
    assert done.result["population"] == oral_simulation(20.0, doses=3, population=3000, seed=5).to_dict()["population"]
    assert len(seen) >= 2 and seen == sorted(seen) and seen[-1] == 3000


def test_a_population_job_on_a_scheduler_that_does_not_answer_fails_with_a_clear_error() -> None:
    from baclofen.adapters.clock import SystemClock
    from baclofen.adapters.edge.simulate import simulate_oral_command
    from baclofen.adapters.memory import InMemoryJobRepository
    from baclofen.domain.jobs import JobStatus
    from baclofen.services.jobs import PopulationJobs, SubmitPopulationJob

    jobs = PopulationJobs(
        InMemoryJobRepository(), SystemClock(), DaskRunner(address="tcp://127.0.0.1:1"), to_document=lambda r: {}
    )
    command = simulate_oral_command(dose_mg=20.0, population=100)
    failed = jobs.wait(jobs.submit(SubmitPopulationJob(command, {}, "C-1", "clinician:c")).job_id, timeout_s=60)
    jobs.close()

    assert failed.status is JobStatus.FAILED
    assert failed.error.startswith("'scheduler' must be a Dask scheduler that answers within")
