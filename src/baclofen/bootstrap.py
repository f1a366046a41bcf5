"""The composition root: the one place that chooses the adapters and gives them to the use cases.

An entrypoint calls :func:`bootstrap` once (the CLI once per invocation) and then only the
:class:`Services` it returns: the use cases with their unit of work and clinic settings injected, and
the clinic's clock for "today" when the user gives no date. Nothing is built at import time. The
defaults are the system clock, no clinic setting overrides and an empty in-memory store (the CLI's
store for one invocation); the clinic service (issue 8/10) passes a SQLAlchemy unit of work instead.

>>> from datetime import datetime, timezone
>>> from baclofen.adapters.clock import FixedClock
>>> services = bootstrap(clock=FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)))
>>> services.clock.today()
datetime.date(2026, 3, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

from baclofen.adapters.clock import SystemClock
from baclofen.adapters.memory import InMemoryUnitOfWork, StaticSettings
from baclofen.domain.records import PumpRecord
from baclofen.services import itb
from baclofen.services.commands import RecordRefillVisit
from baclofen.services.ports import Clock, SettingsProvider, UnitOfWork

__all__ = ["Services", "bootstrap"]


@dataclass(frozen=True, slots=True)
class Services:
    """The use cases an entrypoint calls, with their dependencies injected."""

    clock: Clock
    settings: SettingsProvider
    uow: UnitOfWork

    def register_pump(self, record: PumpRecord) -> None:
        """:func:`baclofen.services.itb.register_pump` on this store."""
        itb.register_pump(self.uow, record)

    def record_refill_visit(self, command: RecordRefillVisit) -> itb.PumpVisit:
        """:func:`baclofen.services.itb.record_refill_visit` on this store with the clinic's settings."""
        return itb.record_refill_visit(self.uow, command, clinic=self.settings)


def bootstrap(
    *,
    clock: Clock | None = None,
    settings: SettingsProvider | None = None,
    uow: UnitOfWork | None = None,
) -> Services:
    """Wire the use cases: the given adapters, else the system clock, no clinic overrides, a new in-memory store."""
    return Services(
        clock=clock if clock is not None else SystemClock(),
        settings=settings if settings is not None else StaticSettings(),
        uow=uow if uow is not None else InMemoryUnitOfWork(),
    )
