"""Contract of the population job repository: a job comes back equal at every step of its life (request and
result documents included), ids are unique, a clinic lists only its own jobs, newest first, and the unfinished
jobs are found (what a server marks interrupted when it starts).

Runs on each adapter of ``conftest.JOB_REPOSITORIES``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from baclofen.domain.errors import ConflictError, InvalidInputError, NotFoundError
from baclofen.domain.jobs import JobRecord, JobStatus, cancel_job, fail_job, finish_job, report_progress, start_job

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REQUEST = {"kind": "oral", "dose_mg": 10.0, "population": 1000, "hd_sessions": [], "settings": {"a.b": 1}}
RESULT = {"schema_version": "x", "population": {"n_subjects": 1000, "percentiles": {"50": [0.0, 1.5, None]}}}


def job(job_id: str = "j-1", clinic_id: str = "C-1", minutes: int = 0) -> JobRecord:
    return JobRecord(job_id, clinic_id, "clinician:clin1", "oral", REQUEST, AT + timedelta(minutes=minutes), 1000)


def test_a_job_comes_back_equal_at_every_step_of_its_life(job_repository) -> None:
    queued = job()
    job_repository.add(queued)
    assert job_repository.get("j-1") == queued

    running = report_progress(start_job(queued, AT + timedelta(seconds=1)), 400)
    job_repository.update(running)
    assert job_repository.get("j-1") == running
    assert job_repository.get("j-1").done == 400

    done = finish_job(running, RESULT, AT + timedelta(seconds=9))
    job_repository.update(done)
    back = job_repository.get("j-1")
    assert back == done and back.result == RESULT and back.request == REQUEST
    assert back.status is JobStatus.SUCCEEDED and back.finished_at == AT + timedelta(seconds=9)


def test_times_in_any_zone_come_back_as_the_same_instants(job_repository) -> None:
    east = timezone(timedelta(hours=13))
    queued = JobRecord("j-z", "C-1", "nurse:n", "regimen", {}, AT.astimezone(east), 5)
    job_repository.add(queued)

    assert job_repository.get("j-z").submitted_at == AT


def test_failed_and_cancelled_jobs_keep_their_error(job_repository) -> None:
    job_repository.add(job("j-f"))
    job_repository.add(job("j-c"))
    job_repository.update(fail_job(start_job(job("j-f"), AT), "scheduler: no answer", AT))
    job_repository.update(cancel_job(job("j-c"), AT, "clinician:clin1"))

    assert job_repository.get("j-f").error == "scheduler: no answer"
    assert job_repository.get("j-c").status is JobStatus.CANCELLED


def test_ids_are_unique_and_a_missing_job_is_not_found(job_repository) -> None:
    job_repository.add(job())

    with pytest.raises(ConflictError):
        job_repository.add(job())
    with pytest.raises(NotFoundError):
        job_repository.get("j-404")
    with pytest.raises(NotFoundError):
        job_repository.update(job("j-404"))


def test_a_clinic_lists_its_own_jobs_newest_first(job_repository) -> None:
    for job_id, clinic, minutes in (("j-a", "C-1", 0), ("j-b", "C-2", 1), ("j-c", "C-1", 2), ("j-d", "C-1", 3)):
        job_repository.add(job(job_id, clinic, minutes))

    assert [j.job_id for j in job_repository.for_clinic("C-1")] == ["j-d", "j-c", "j-a"]
    assert [j.job_id for j in job_repository.for_clinic("C-1", limit=2)] == ["j-d", "j-c"]
    assert job_repository.for_clinic("C-3") == ()
    with pytest.raises(InvalidInputError):
        job_repository.for_clinic("C-1", limit=0)


def test_the_unfinished_jobs_are_the_queued_and_running_ones_oldest_first(job_repository) -> None:
    for job_id, minutes in (("j-1", 0), ("j-2", 1), ("j-3", 2), ("j-4", 3)):
        job_repository.add(job(job_id, minutes=minutes))
    job_repository.update(start_job(job("j-2", minutes=1), AT))
    job_repository.update(finish_job(start_job(job("j-3", minutes=2), AT), RESULT, AT))

    assert [j.job_id for j in job_repository.unfinished()] == ["j-1", "j-2", "j-4"]
