"""The life of a population job: each step makes a new record, and a step the job cannot take is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from baclofen.domain.errors import ConflictError, InvalidInputError
from baclofen.domain.jobs import (
    MAX_JOB_ERROR_LENGTH,
    JobRecord,
    JobStatus,
    cancel_job,
    fail_job,
    finish_job,
    report_progress,
    start_job,
)

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
QUEUED = JobRecord("j-1", "C-1", "clinician:clin1", "oral", {"dose_mg": 10}, AT, 1000)


def test_a_job_goes_from_queued_to_running_to_succeeded() -> None:
    running = report_progress(start_job(QUEUED, AT), 500)
    done = finish_job(running, {"kind": "oral"}, AT)

    assert (running.status, running.done, running.started_at) == (JobStatus.RUNNING, 500, AT)
    assert done.status is JobStatus.SUCCEEDED and done.done == 1000 and done.result == {"kind": "oral"}
    assert done.to_dict()["progress"] == {"done": 1000, "total": 1000, "fraction": 1.0, "unit": "subjects"}


@pytest.mark.parametrize(
    "step",
    [
        lambda job: start_job(job, AT),
        lambda job: report_progress(job, 1),
        lambda job: finish_job(job, {}, AT),
        lambda job: fail_job(job, "x", AT),
        lambda job: cancel_job(job, AT, "clinician:clin1"),
    ],
)
def test_a_finished_job_takes_no_further_step(step) -> None:
    for finished in (
        finish_job(start_job(QUEUED, AT), {}, AT),
        fail_job(QUEUED, "boom", AT),
        cancel_job(QUEUED, AT, "nurse:n"),
    ):
        with pytest.raises(ConflictError, match="j-1"):
            step(finished)


def test_a_queued_job_neither_reports_progress_nor_succeeds() -> None:
    with pytest.raises(ConflictError):
        report_progress(QUEUED, 1)
    with pytest.raises(ConflictError):
        finish_job(QUEUED, {}, AT)


def test_a_record_is_checked() -> None:
    with pytest.raises(InvalidInputError) as err:
        report_progress(start_job(QUEUED, AT), 1001)
    assert err.value.field == "done"
    with pytest.raises(InvalidInputError):
        JobRecord("j-1", "C-1", "clinician:clin1", "intrathecal", {}, AT, 1)
    with pytest.raises(InvalidInputError):
        JobRecord("j-1", "C-1", "clinician:clin1", "oral", {}, datetime(2026, 3, 2), 1)


def test_a_long_error_is_shortened() -> None:
    assert len(fail_job(QUEUED, "x" * 5000, AT).error) == MAX_JOB_ERROR_LENGTH
