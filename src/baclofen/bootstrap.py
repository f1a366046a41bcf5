"""The composition root: the one place that chooses the adapters and gives them to the use cases.

An entrypoint calls :func:`bootstrap` once (the CLI once per invocation) and then only the
:class:`Services` it returns: the use cases with their unit of work and clinic settings injected, and
the clinic's clock for "today" when the user gives no date. Nothing is built at import time. The
defaults are the system clock, no clinic setting overrides and an empty in-memory store and audit log
(the one-shot CLI's, for one invocation). Given a ``database_url`` (SQLite or PostgreSQL), the unit of
work and the audit log are the SQL store's (:mod:`baclofen.adapters.sql`), once its schema is at the
revision this version needs (``baclofen db upgrade``); the clinic service (issue 8/10) starts that way.

>>> from datetime import datetime, timezone
>>> from baclofen.adapters.clock import FixedClock
>>> services = bootstrap(clock=FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)))
>>> services.clock.today()
datetime.date(2026, 3, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

from baclofen.adapters.clock import SystemClock
from baclofen.adapters.memory import InMemoryAuditLog, InMemoryUnitOfWork, StaticSettings
from baclofen.domain.clinic.alerts import Alert
from baclofen.domain.clinic.worklist import Worklist
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.records import PumpRecord
from baclofen.services import clinic, itb
from baclofen.services.commands import AlertDecision, ComputeWorklist, LogDiaryEntry, RaiseAlerts, RecordRefillVisit
from baclofen.services.ports import AuditLog, Clock, SettingsProvider, UnitOfWork

__all__ = ["Services", "bootstrap"]


@dataclass(frozen=True, slots=True)
class Services:
    """The use cases an entrypoint calls, with their dependencies injected."""

    clock: Clock
    settings: SettingsProvider
    uow: UnitOfWork
    audit: AuditLog

    def register_pump(self, record: PumpRecord) -> None:
        """:func:`baclofen.services.itb.register_pump` on this store."""
        itb.register_pump(self.uow, record)

    def record_refill_visit(self, command: RecordRefillVisit) -> itb.PumpVisit:
        """:func:`baclofen.services.itb.record_refill_visit` on this store with the clinic's settings."""
        return itb.record_refill_visit(self.uow, command, clinic=self.settings)

    def log_diary_entry(self, command: LogDiaryEntry) -> clinic.DiaryLogged:
        """:func:`baclofen.services.clinic.log_diary_entry` on this store."""
        return clinic.log_diary_entry(self.uow, command)

    def raise_alerts_for_patient(self, command: RaiseAlerts) -> clinic.AlertsRaised:
        """:func:`baclofen.services.clinic.raise_alerts_for_patient` on this store with the clinic's settings."""
        return clinic.raise_alerts_for_patient(self.uow, command, clinic=self.settings)

    def acknowledge_alert(self, command: AlertDecision) -> Alert:
        """:func:`baclofen.services.clinic.acknowledge_alert` on this store."""
        return clinic.acknowledge_alert(self.uow, command)

    def resolve_alert(self, command: AlertDecision) -> Alert:
        """:func:`baclofen.services.clinic.resolve_alert` on this store."""
        return clinic.resolve_alert(self.uow, command)

    def compute_clinic_worklist(self, command: ComputeWorklist) -> Worklist:
        """:func:`baclofen.services.clinic.compute_clinic_worklist` on this store with the clinic's settings."""
        return clinic.compute_clinic_worklist(self.uow, command, clinic=self.settings)


def bootstrap(
    *,
    clock: Clock | None = None,
    settings: SettingsProvider | None = None,
    uow: UnitOfWork | None = None,
    audit: AuditLog | None = None,
    database_url: str | None = None,
) -> Services:
    """Wire the use cases: the given adapters, else the system clock, no clinic overrides and a new
    in-memory store and audit log, or, given ``database_url``, the SQL store there.

    Raises
    ------
    InvalidInputError
        On ``database_url``: not a SQLite file or PostgreSQL URL, or given with ``uow`` or ``audit``.
    ServiceError
        The database does not answer, or its schema is not at the revision this version needs.
    """
    if database_url is not None:
        if uow is not None or audit is not None:
            raise InvalidInputError("database_url", "a database URL or a unit of work and audit log, not both", "both")
        uow, audit = _sql_store(database_url)
    return Services(
        clock=clock if clock is not None else SystemClock(),
        settings=settings if settings is not None else StaticSettings(),
        uow=uow if uow is not None else InMemoryUnitOfWork(),
        audit=audit if audit is not None else InMemoryAuditLog(),
    )


def _sql_store(database_url: str) -> tuple[UnitOfWork, AuditLog]:
    # imported here: SQLAlchemy is loaded only by the commands that use a database
    from baclofen.adapters.sql import SqlAuditLog, SqlUnitOfWork, check_database_current, create_database_engine

    engine = create_database_engine(database_url)
    check_database_current(engine)
    return SqlUnitOfWork(engine), SqlAuditLog(engine)
