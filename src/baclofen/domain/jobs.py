"""Population jobs: a long simulation submitted by a user of a clinic, run in the background, kept with its
status, progress and result (or error).

A job is a frozen record; each step of its life is a new record made by one of the functions below, which
refuse a step the job cannot take (a finished job does not start again). Its life::

    queued --start--> running --finish--> succeeded
       |                 |----fail------> failed
       |                 '----cancel----> cancelled
       '----cancel / fail (never started: the server stopped) --> cancelled / failed

>>> from datetime import UTC, datetime
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
>>> job = JobRecord("j-1", "C-1", "clinician:clin1", "oral", {"dose_mg": 10}, submitted_at=at, total=1000)
>>> job = report_progress(start_job(job, at), 400)
>>> job.status.value, job.done, job.total
('running', 400, 1000)
>>> finish_job(job, {"kind": "oral"}, at).to_dict()["status"]
'succeeded'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum
from typing import Any

from baclofen.domain.errors import ConflictError, InvalidInputError, require
from baclofen.domain.records import MAX_AUDIT_TEXT_LENGTH, check_record_id

__all__ = [
    "JOB_KINDS",
    "MAX_JOB_ERROR_LENGTH",
    "INTERRUPTED",
    "JobRecord",
    "JobStatus",
    "cancel_job",
    "fail_job",
    "finish_job",
    "report_progress",
    "start_job",
]

#: What a job simulates: an oral regimen's population or a plan's (``simulate oral`` / ``simulate regimen``).
JOB_KINDS = ("oral", "regimen")
#: Longest error kept with a failed job (characters).
MAX_JOB_ERROR_LENGTH = 2000
#: The error of a job that was queued or running when its server stopped.
INTERRUPTED = "interrupted: the server stopped before the job finished; submit it again"


class JobStatus(Enum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """Whether the job has ended (succeeded, failed or cancelled): nothing changes it any more."""
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


def _check_instant(value: object, name: str) -> None:
    require(isinstance(value, datetime) and value.utcoffset() is not None, name, "an aware date-time", value)


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One population job: who submitted it (``submitted_by``, the audit log's ``role:username``) for which
    clinic, what (``kind`` and the ``request`` document as submitted), where it stands (``status``, ``done`` of
    ``total`` subjects), when it was submitted, started and finished, and its ``result`` document (the JSON of
    ``baclofen simulate ... --json``) or ``error``."""

    job_id: str
    clinic_id: str
    submitted_by: str
    kind: str
    request: Mapping[str, Any]
    submitted_at: datetime
    total: int
    status: JobStatus = JobStatus.QUEUED
    done: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: Mapping[str, Any] | None = None
    error: str | None = None

    def __post_init__(self) -> None:
        check_record_id(self.job_id, "job_id")
        check_record_id(self.clinic_id, "clinic_id")
        require(
            isinstance(self.submitted_by, str) and 0 < len(self.submitted_by) <= MAX_AUDIT_TEXT_LENGTH,
            "submitted_by",
            f"a user label of 1-{MAX_AUDIT_TEXT_LENGTH} characters",
            self.submitted_by,
        )
        require(self.kind in JOB_KINDS, "kind", f"one of {', '.join(JOB_KINDS)}", self.kind)
        require(isinstance(self.request, Mapping), "request", "a request document", self.request)
        require(isinstance(self.status, JobStatus), "status", "a job status", self.status)
        for name in ("total", "done"):
            value = getattr(self, name)
            require(isinstance(value, int) and not isinstance(value, bool) and value >= 0, name, "a count", value)
        if self.done > self.total:
            raise InvalidInputError("done", f"at most the total {self.total}", self.done)
        _check_instant(self.submitted_at, "submitted_at")
        for name in ("started_at", "finished_at"):
            if getattr(self, name) is not None:
                _check_instant(getattr(self, name), name)
        require((self.finished_at is not None) == self.status.finished, "finished_at", "set once finished", None)
        require((self.result is not None) == (self.status is JobStatus.SUCCEEDED), "result", "only on success", None)
        if self.error is not None:
            require(isinstance(self.error, str) and len(self.error) <= MAX_JOB_ERROR_LENGTH, "error", "a text", None)

    def to_dict(self) -> dict[str, Any]:
        """The job as a JSON-ready document (times ISO 8601, ``progress`` a fraction 0-1)."""
        return {
            "job_id": self.job_id,
            "clinic_id": self.clinic_id,
            "submitted_by": self.submitted_by,
            "kind": self.kind,
            "status": self.status.value,
            "progress": {
                "done": self.done,
                "total": self.total,
                "fraction": self.done / self.total if self.total else 0.0,
                "unit": "subjects",
            },
            "submitted_at": self.submitted_at.isoformat(),
            "started_at": None if self.started_at is None else self.started_at.isoformat(),
            "finished_at": None if self.finished_at is None else self.finished_at.isoformat(),
            "request": dict(self.request),
            "result": None if self.result is None else dict(self.result),
            "error": self.error,
        }


def _refuse(job: JobRecord, step: str) -> ConflictError:
    return ConflictError(f"job {job.job_id!r} is {job.status.value}: it cannot {step}")


def start_job(job: JobRecord, at: datetime) -> JobRecord:
    """The queued ``job`` running from ``at``."""
    if job.status is not JobStatus.QUEUED:
        raise _refuse(job, "start")
    return replace(job, status=JobStatus.RUNNING, started_at=at)


def report_progress(job: JobRecord, done: int, total: int | None = None) -> JobRecord:
    """The running ``job`` with ``done`` of ``total`` (unchanged when None) subjects simulated."""
    if job.status is not JobStatus.RUNNING:
        raise _refuse(job, "report progress")
    return replace(job, done=done, total=job.total if total is None else total)


def finish_job(job: JobRecord, result: Mapping[str, Any], at: datetime) -> JobRecord:
    """The running ``job`` succeeded at ``at`` with its ``result`` document (all subjects done)."""
    if job.status is not JobStatus.RUNNING:
        raise _refuse(job, "succeed")
    return replace(job, status=JobStatus.SUCCEEDED, done=job.total, finished_at=at, result=dict(result))


def fail_job(job: JobRecord, error: str, at: datetime) -> JobRecord:
    """The unfinished ``job`` failed at ``at`` with ``error`` (shortened to :data:`MAX_JOB_ERROR_LENGTH`)."""
    if job.status.finished:
        raise _refuse(job, "fail")
    text = error if len(error) <= MAX_JOB_ERROR_LENGTH else error[: MAX_JOB_ERROR_LENGTH - 3] + "..."
    return replace(job, status=JobStatus.FAILED, finished_at=at, error=text)


def cancel_job(job: JobRecord, at: datetime, by: str) -> JobRecord:
    """The unfinished ``job`` cancelled at ``at`` by ``by``."""
    if job.status.finished:
        raise _refuse(job, "be cancelled")
    return replace(job, status=JobStatus.CANCELLED, finished_at=at, error=f"cancelled by {by}")
