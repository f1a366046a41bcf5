"""The audit log of accesses to patient data in the SQL store (:class:`~baclofen.services.ports.AuditLog`).

Each :meth:`SqlAuditLog.append` returns once its entry is committed (durably: SQLite's ``synchronous=FULL``), in a
transaction apart from any unit of work: an access is audited whether or not its unit of work commits (a refused or
failed access too). The database keeps the table append-only itself: the migrations install triggers that refuse
UPDATE and DELETE on ``audit_log`` on SQLite and PostgreSQL (and TRUNCATE on PostgreSQL), whoever connects.

Group commit: the appends of concurrent requests share a commit. An append queues its entry; when no commit of
the log is under way, it commits every entry queued (its own among them) in one transaction, else it waits for the
commit under way and then for the one that carries its entry. So one fsync serves the requests that came during
the previous one, and none returns before its own entry is stored. Should such a shared commit fail, its entries
are committed again one by one, so that each append fails or succeeds on its own entry alone.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from baclofen.adapters.overlay import check_audit_query, check_type
from baclofen.adapters.sql.engine import write_lock, write_transaction
from baclofen.adapters.sql.mapping import audit_entry_from_row, audit_values
from baclofen.adapters.sql.schema import AuditLogRow
from baclofen.domain.records import AuditEntry

__all__ = ["SqlAuditLog"]

_APPEND = insert(AuditLogRow)


class _GroupCommit:
    """Entries queued by concurrent appends, committed together by one of them at a time (see the module). An append
    waits for the commit under way: it must not be made by a thread that holds the engine's write lock (none is:
    the API appends after its unit of work has committed)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._changed = threading.Condition()
        self._queued: list[tuple[int, dict[str, Any]]] = []
        self._next = 0  # the number of the next entry queued
        self._done = 0  # every entry numbered below is committed or has failed
        self._failed: dict[int, BaseException] = {}
        self._committing = False

    @property
    def waiting(self) -> int:
        """How many entries are queued for the next commit."""
        with self._changed:
            return len(self._queued)

    def append(self, values: dict[str, Any]) -> None:
        """Return once ``values`` is committed; raise what its commit raised."""
        with self._changed:
            number = self._next
            self._next += 1
            self._queued.append((number, values))
            while self._committing and self._done <= number:
                self._changed.wait()
            if self._done > number:  # carried by another append's commit
                failure = self._failed.pop(number, None)
                if failure is not None:
                    raise failure
                return
            self._committing = True
        batch: list[tuple[int, dict[str, Any]]] = []
        failures: dict[int, BaseException] = {}
        try:
            with write_lock(self.engine):
                with self._changed:  # what was queued while the lock was awaited goes too
                    batch, self._queued = self._queued, []
                failures = self._commit(batch)
        except BaseException as exc:  # nothing of the batch is known to be stored: each append fails
            failures = {n: exc for n, _ in batch if n != number}
            raise
        finally:
            with self._changed:
                self._failed.update(failures)
                self._done = self._next if not self._queued else self._queued[0][0]
                self._committing = False
                self._changed.notify_all()
        if number in failures:
            raise self._failed.pop(number)

    def _commit(self, batch: list[tuple[int, dict[str, Any]]]) -> dict[int, BaseException]:
        """Commit ``batch`` in one transaction; when that fails, each entry in one of its own. The failures."""
        try:
            with write_transaction(self.engine) as connection:
                # one entry alone is inserted as such (an executemany of one costs more)
                connection.execute(_APPEND, batch[0][1] if len(batch) == 1 else [values for _, values in batch])
            return {}
        except Exception:
            if len(batch) == 1:
                raise
        failures: dict[int, BaseException] = {}
        for number, values in batch:
            try:
                with write_transaction(self.engine) as connection:
                    connection.execute(_APPEND, values)
            except Exception as exc:  # noqa: BLE001 - handed to the append of this entry
                failures[number] = exc
        return failures


class SqlAuditLog:
    """The audit log in the SQL store of ``engine`` (migrated to the head revision)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._group = _GroupCommit(engine)

    def append(self, entry: AuditEntry) -> None:
        check_type(entry, AuditEntry, "audit")
        self._group.append(audit_values(entry))

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
