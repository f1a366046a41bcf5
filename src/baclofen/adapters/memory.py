"""In-memory adapters of the ports: a store, its unit of work and repositories, and static settings.

They are real implementations, not test doubles: the CLI keeps one invocation's records here (the
options describe the pump and its history), and the service tests run on them. They honour the same
contract as a database (``tests/contracts``): a unit of work sees its own changes, others see them only
after :meth:`~InMemoryUnitOfWork.commit`, a rollback discards them, and of two units of work that
change one record concurrently only the first commit succeeds (the second raises ``ConflictError``).

>>> from baclofen.domain.itb.pumps import get_pump
>>> from baclofen.domain.records import PumpRecord
>>> store = InMemoryStore()
>>> with InMemoryUnitOfWork(store) as uow:
...     uow.pumps.add(PumpRecord("pump-1", get_pump("prometra-ii-40")))
...     uow.commit()
>>> with InMemoryUnitOfWork(store) as uow:
...     uow.pumps.get("pump-1").model.key
'prometra-ii-40'
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from baclofen.adapters.overlay import (
    OverlayPatientRepository,
    OverlayPumpRepository,
    RecordView,
    check_audit_query,
    check_type,
)
from baclofen.domain.errors import ConflictError, ServiceError, UnknownNameError
from baclofen.domain.records import AuditEntry, PatientRecord, PumpRecord
from baclofen.domain.settings import SETTINGS, Setting
from baclofen.services.ports import PatientRepository, PumpRepository, UnitOfWork

__all__ = [
    "InMemoryAuditLog",
    "InMemoryPatientRepository",
    "InMemoryPumpRepository",
    "InMemoryStore",
    "InMemoryUnitOfWork",
    "StaticSettings",
]

R = TypeVar("R")


class InMemoryStore:
    """Committed records, each kept with a version number that every committed change increments."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.patients: dict[str, tuple[int, PatientRecord]] = {}
        self.pumps: dict[str, tuple[int, PumpRecord]] = {}


class _Table(Generic[R]):
    """One kind of committed records and one transaction's view of them."""

    def __init__(self, committed: dict[str, tuple[int, R]], lock: threading.Lock, kind: str) -> None:
        self._committed = committed
        self._lock = lock
        self.view: RecordView[R] = RecordView(self._load, kind)

    def _load(self, key: str) -> tuple[int, R | None]:
        with self._lock:
            return self._committed.get(key, (0, None))

    def stored_keys(self) -> list[str]:
        with self._lock:
            return list(self._committed)

    def conflicts(self) -> list[str]:
        """Written keys that another transaction committed since this one read them (under the lock)."""
        return [w.key for w in self.view.writes() if self._committed.get(w.key, (0, None))[0] != w.read_version]

    def apply(self) -> None:
        """Store the writes, each at the next version (under the lock)."""
        for write in self.view.writes():
            self._committed[write.key] = (write.read_version + 1, write.record)


class InMemoryPatientRepository(OverlayPatientRepository):
    """:class:`~baclofen.services.ports.PatientRepository` over one in-memory transaction."""

    def __init__(self, table: _Table[PatientRecord]) -> None:
        super().__init__(table.view)


class InMemoryPumpRepository(OverlayPumpRepository):
    """:class:`~baclofen.services.ports.PumpRepository` over one in-memory transaction."""

    def __init__(self, table: _Table[PumpRecord]) -> None:
        super().__init__(table.view, lambda patient_id: table.stored_keys())


class InMemoryUnitOfWork(UnitOfWork):
    """A unit of work over an :class:`InMemoryStore` (a new, empty one unless given)."""

    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.store = store if store is not None else InMemoryStore()
        self._patients: _Table[PatientRecord] | None = None
        self._pumps: _Table[PumpRecord] | None = None

    @property
    def patients(self) -> PatientRepository:
        return InMemoryPatientRepository(self._active(lambda: self._patients))

    @property
    def pumps(self) -> PumpRepository:
        return InMemoryPumpRepository(self._active(lambda: self._pumps))

    def _active(self, table: Callable[[], _Table[R] | None]) -> _Table[R]:
        found = table()
        if found is None:
            raise ServiceError("the repositories are used inside 'with unit_of_work:' only")
        return found

    def _begin(self) -> None:
        if self._patients is not None:
            raise ServiceError("this unit of work is already in a transaction ('with' entered twice)")
        self._fresh()

    def _fresh(self) -> None:
        self._patients = _Table(self.store.patients, self.store.lock, "patient")
        self._pumps = _Table(self.store.pumps, self.store.lock, "pump")

    def commit(self) -> None:
        patients, pumps = self._active(lambda: self._patients), self._active(lambda: self._pumps)
        with self.store.lock:
            stale = [f"{t.view.kind} {k!r}" for t in (patients, pumps) for k in t.conflicts()]
            if not stale:
                patients.apply()
                pumps.apply()
        self._fresh()
        if stale:
            raise ConflictError(
                "changed by another unit of work since this one read it, nothing stored: " + ", ".join(stale)
            )

    def rollback(self) -> None:
        if self._patients is not None:
            self._fresh()

    def _end(self) -> None:
        self._patients = None
        self._pumps = None


class InMemoryAuditLog:
    """:class:`~baclofen.services.ports.AuditLog` kept in memory (for one CLI invocation, and tests)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[AuditEntry] = []

    def append(self, entry: AuditEntry) -> None:
        check_type(entry, AuditEntry, "audit")
        with self._lock:
            self._entries.append(entry)

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
        with self._lock:
            found = [
                e
                for e in self._entries
                if (actor is None or e.actor == actor)
                and (target is None or e.target == target)
                and (since is None or e.at >= since)
                and (until is None or e.at < until)
            ]
        return tuple(found[:limit])


class StaticSettings:
    """:class:`~baclofen.services.ports.SettingsProvider` from a fixed mapping of setting name to value.

    Every name must be a known setting and every value within its bounds, checked here, when the clinic's
    values are loaded (not at the first request that uses one).

    Raises
    ------
    UnknownNameError
        A name that is not a setting (of the catalogue imported so far: the services import all of theirs).
    InvalidInputError
        A value of the wrong type or outside the setting's bounds (named by the setting).
    """

    def __init__(self, values: Mapping[str, Any] | None = None, *, field: str = "clinic setting") -> None:
        checked: dict[str, Any] = {}
        for name, value in (values or {}).items():
            setting = SETTINGS.get(name)
            if setting is None:
                raise UnknownNameError(field, SETTINGS.keys(), name)
            checked[name] = setting.validate(value)
        self._values: Mapping[str, Any] = MappingProxyType(checked)

    def overrides(self, settings: Iterable[Setting]) -> Mapping[str, Any]:
        wanted = {s.name for s in settings}
        return {name: value for name, value in self._values.items() if name in wanted}
