"""The audit log of accesses to patient data in the SQL store (:class:`~baclofen.services.ports.AuditLog`).

Each :meth:`SqlAuditLog.append` is committed in a transaction of its own, at once: an access is audited
whether or not its unit of work commits (a refused or failed access too). The database keeps the table
append-only itself: the migrations install triggers that refuse UPDATE and DELETE on ``audit_log`` on
SQLite and PostgreSQL (and TRUNCATE on PostgreSQL), whoever connects.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from baclofen.adapters.overlay import check_audit_query, check_type
from baclofen.adapters.sql.engine import write_transaction
from baclofen.adapters.sql.mapping import audit_entry_from_row, audit_values
from baclofen.adapters.sql.schema import AuditLogRow
from baclofen.domain.records import AuditEntry

__all__ = ["SqlAuditLog"]


class SqlAuditLog:
    """The audit log in the SQL store of ``engine`` (migrated to the head revision)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def append(self, entry: AuditEntry) -> None:
        check_type(entry, AuditEntry, "audit")
        with write_transaction(self.engine) as connection:
            connection.execute(insert(AuditLogRow).values(**audit_values(entry)))

    def entries(
        self,
        *,
        actor: str | None = None,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> tuple[AuditEntry, ...]:
        check_audit_query(since, until, limit)
        query = select(AuditLogRow).order_by(AuditLogRow.entry_id)
        if actor is not None:
            query = query.where(AuditLogRow.actor == actor)
        if target is not None:
            query = query.where(AuditLogRow.target == target)
        if since is not None:
            query = query.where(AuditLogRow.at_utc >= since)
        if until is not None:
            query = query.where(AuditLogRow.at_utc < until)
        if limit is not None:
            query = query.limit(limit)
        with Session(self.engine) as session, session.begin():
            return tuple(audit_entry_from_row(row) for row in session.scalars(query))
