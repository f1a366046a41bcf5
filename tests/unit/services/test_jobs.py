"""Population jobs (services/jobs.py) on the in-memory store and the in-process population runner: a job is
checked when submitted, runs in the background reporting its progress, and ends succeeded with the result the
CLI's --json gives, failed with its error, or cancelled; a restarted server marks what it finds running failed."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from baclofen.adapters.clock import FixedClock
from baclofen.adapters.edge.simulate import simulate_oral_command
from baclofen.adapters.memory import InMemoryJobRepository
from baclofen.domain.errors import ConflictError, InvalidInputError, NotFoundError, ServiceError
from baclofen.domain.jobs import INTERRUPTED, JobRecord, JobStatus, start_job
from baclofen.domain.pk.population import run_population
from baclofen.services.jobs import PopulationJobs, SubmitPopulationJob
from baclofen.services.simulation import in_process_runner, simulate_oral

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def document(result) -> dict:
    return json.loads(json.dumps(result.to_dict()))


def submit(jobs: PopulationJobs, clinic: str = "C-1", **fields) -> JobRecord:
    fields = {"dose_mg": 10.0, "doses": 3, "population": 600, "seed": 4, "step_h": 1.0, **fields}
    command = simulate_oral_command(**fields)
    return jobs.submit(SubmitPopulationJob(command, fields, clinic, "clinician:clin1"))


@pytest.fixture
def jobs() -> PopulationJobs:
    runner = PopulationJobs(InMemoryJobRepository(), FixedClock(AT), in_process_runner, to_document=document)
    yield runner
    runner.close()


def test_a_job_runs_in_the_background_and_keeps_the_result_the_cli_gives(jobs) -> None:
    queued = submit(jobs)
    done = jobs.wait(queued.job_id, timeout_s=60)

    expected = simulate_oral(simulate_oral_command(dose_mg=10.0, doses=3, population=600, seed=4, step_h=1.0))
    assert queued.status is JobStatus.QUEUED and queued.total == 600 and queued.request["dose_mg"] == 10.0
    assert done.status is JobStatus.SUCCEEDED, done.error
    assert (done.done, done.total) == (600, 600)
    assert done.result == document(expected)
    assert done.started_at == done.finished_at == AT


def test_progress_is_reported_chunk_by_chunk_into_the_stored_job() -> None:
    store = InMemoryJobRepository()
    seen: list[int] = []

    def small_chunks(problem, progress=None):
        def record(done: int, total: int) -> None:
            progress(done, total)
            seen.append(store.get(job_id).done)

        return run_population(problem, blocks_per_chunk=1, progress=record)

    jobs = PopulationJobs(store, FixedClock(AT), small_chunks, to_document=document)
    job_id = submit(jobs, population=2500).job_id
    assert jobs.wait(job_id, timeout_s=60).status is JobStatus.SUCCEEDED
    jobs.close()

    assert len(seen) > 1 and seen == sorted(seen) and seen[-1] == 2500


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"population": None}, "population"),
        ({"population": 10_000_001}, "population"),
        ({"dose_mg": -1.0}, "dose_mg"),
        ({"hours": 1.0}, "hours"),
        ({"seed": -3}, "seed"),
    ],
)
def test_a_bad_simulation_is_refused_at_once_naming_the_field_and_nothing_is_stored(jobs, fields, field) -> None:
    with pytest.raises(InvalidInputError) as err:
        submit(jobs, **fields)

    assert err.value.field == field
    assert jobs.jobs.for_clinic("C-1") == ()


def test_the_population_of_a_job_is_bounded() -> None:
    jobs = PopulationJobs(
        InMemoryJobRepository(), FixedClock(AT), in_process_runner, to_document=document, max_subjects=500
    )

    with pytest.raises(InvalidInputError, match="at most 500 subjects") as err:
        submit(jobs, population=501)
    assert err.value.field == "population"


def test_a_failing_run_is_recorded_with_a_clear_error() -> None:
    def broken(problem, progress=None):
        raise InvalidInputError("scheduler", "a Dask scheduler that answers", "tcp://nowhere:1")

    jobs = PopulationJobs(InMemoryJobRepository(), FixedClock(AT), broken, to_document=document)
    failed = jobs.wait(submit(jobs).job_id, timeout_s=60)
    jobs.close()

    assert failed.status is JobStatus.FAILED and failed.finished_at == AT and failed.result is None
    assert "'scheduler' must be a Dask scheduler that answers" in failed.error


def test_a_queued_and_a_running_job_are_cancelled_and_the_cancellation_stands() -> None:
    release = threading.Event()
    started = threading.Event()

    def held(problem, progress=None):
        started.set()
        release.wait(30)
        return run_population(problem, blocks_per_chunk=1, progress=progress)

    jobs = PopulationJobs(
        InMemoryJobRepository(), FixedClock(AT), held, to_document=document, executor=ThreadPoolExecutor(1)
    )
    running, queued = submit(jobs, population=2500), submit(jobs)
    assert started.wait(30)

    assert jobs.cancel(queued.job_id, "C-1", "clinician:clin1").status is JobStatus.CANCELLED
    assert jobs.cancel(running.job_id, "C-1", "nurse:nurse1").error == "cancelled by nurse:nurse1"
    release.set()
    ended = jobs.wait(running.job_id, timeout_s=60)
    jobs.close()

    assert ended.status is JobStatus.CANCELLED and ended.result is None
    assert jobs.jobs.get(queued.job_id).started_at is None
    with pytest.raises(ConflictError):
        jobs.cancel(running.job_id, "C-1", "clinician:clin1")


def test_another_clinics_job_is_not_found(jobs) -> None:
    job = submit(jobs, clinic="C-2")

    assert jobs.get(job.job_id, "C-2").clinic_id == "C-2"
    with pytest.raises(NotFoundError, match="no job"):
        jobs.get(job.job_id, "C-1")
    with pytest.raises(NotFoundError):
        jobs.cancel(job.job_id, "C-1", "clinician:clin1")
    assert jobs.for_clinic("C-1") == ()


def test_a_server_holds_a_bounded_number_of_unfinished_jobs() -> None:
    release = threading.Event()

    def held(problem, progress=None):
        release.wait(30)
        return in_process_runner(problem, progress)

    jobs = PopulationJobs(InMemoryJobRepository(), FixedClock(AT), held, to_document=document, max_unfinished=2)
    submit(jobs)
    submit(jobs)
    with pytest.raises(ServiceError, match="try again later"):
        submit(jobs)
    release.set()
    jobs.close()


def test_a_starting_server_marks_the_jobs_left_running_or_queued_failed() -> None:
    store = InMemoryJobRepository()
    left_running = start_job(JobRecord("j-1", "C-1", "clinician:clin1", "oral", {}, AT, 100), AT)
    left_queued = JobRecord("j-2", "C-1", "clinician:clin1", "oral", {}, AT, 100)
    store.add(left_running)
    store.add(left_queued)

    restarted = PopulationJobs(store, FixedClock(AT), in_process_runner, to_document=document)
    failed = restarted.interrupt_unfinished()

    assert [j.job_id for j in failed] == ["j-1", "j-2"]
    assert {store.get(i).status for i in ("j-1", "j-2")} == {JobStatus.FAILED}
    assert store.get("j-1").error == INTERRUPTED and "interrupted" in INTERRUPTED
    assert store.unfinished() == ()
