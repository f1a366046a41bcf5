"""The population jobs in the SQL store (:class:`~baclofen.services.ports.JobRepository`): each call a
transaction of its own; the request and result documents kept as JSON text (a non-finite number refused:
the documents are JSON values already)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from baclofen.adapters.overlay import check_page, check_type
from baclofen.adapters.sql.engine import write_transaction
from baclofen.adapters.sql.schema import PopulationJobRow
from baclofen.domain.errors import ConflictError, NotFoundError
from baclofen.domain.jobs import JobRecord, JobStatus
from baclofen.domain.records import check_record_id

__all__ = ["SqlJobRepository"]


def _values(job: JobRecord) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "clinic_id": job.clinic_id,
        "submitted_by": job.submitted_by,
        "kind": job.kind,
        "status": job.status.value,
        "done": job.done,
        "total": job.total,
        "submitted_at_utc": job.submitted_at,
        "started_at_utc": job.started_at,
        "finished_at_utc": job.finished_at,
        "request_json": json.dumps(dict(job.request), allow_nan=False),
        "result_json": None if job.result is None else json.dumps(dict(job.result), allow_nan=False),
        "error": job.error,
    }


def _job(row: PopulationJobRow) -> JobRecord:
    return JobRecord(
        job_id=row.job_id,
        clinic_id=row.clinic_id,
        submitted_by=row.submitted_by,
        kind=row.kind,
        request=json.loads(row.request_json),
        submitted_at=row.submitted_at_utc,
        total=row.total,
        status=JobStatus(row.status),
        done=row.done,
        started_at=row.started_at_utc,
        finished_at=row.finished_at_utc,
        result=None if row.result_json is None else json.loads(row.result_json),
        error=row.error,
    )


class SqlJobRepository:
    """The population jobs in the SQL store of ``engine`` (migrated to the head revision)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, job: JobRecord) -> None:
        check_type(job, JobRecord, "job")
        values = _values(job)
        try:
            with write_transaction(self.engine) as connection:
                connection.execute(insert(PopulationJobRow).values(**values))
        except IntegrityError:
            raise ConflictError(f"a job {job.job_id!r} already exists") from None

    def get(self, job_id: str) -> JobRecord:
        check_record_id(job_id, "job_id")
        with Session(self.engine) as session, session.begin():
            row = session.get(PopulationJobRow, job_id)
            if row is None:
                raise NotFoundError(f"no job {job_id!r}")
            return _job(row)

    def update(self, job: JobRecord) -> None:
        check_type(job, JobRecord, "job")
        values = _values(job)
        with write_transaction(self.engine) as connection:
            changed = connection.execute(
                update(PopulationJobRow).where(PopulationJobRow.job_id == job.job_id).values(**values)
            ).rowcount
        if changed != 1:
            raise NotFoundError(f"no job {job.job_id!r}")

    def for_clinic(self, clinic_id: str, *, limit: int = 50) -> tuple[JobRecord, ...]:
        check_record_id(clinic_id, "clinic_id")
        check_page(None, limit)
        query = (
            select(PopulationJobRow)
            .where(PopulationJobRow.clinic_id == clinic_id)
            .order_by(PopulationJobRow.submitted_at_utc.desc(), PopulationJobRow.job_id.desc())
            .limit(limit)
        )
        with Session(self.engine) as session, session.begin():
            return tuple(_job(row) for row in session.scalars(query))

    def unfinished(self) -> tuple[JobRecord, ...]:
        query = (
            select(PopulationJobRow)
            .where(PopulationJobRow.status.in_((JobStatus.QUEUED.value, JobStatus.RUNNING.value)))
            .order_by(PopulationJobRow.submitted_at_utc, PopulationJobRow.job_id)
        )
        with Session(self.engine) as session, session.begin():
            return tuple(_job(row) for row in session.scalars(query))
