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
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from baclofen.domain.errors import ConflictError, NotFoundError, ServiceError, UnknownNameError
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord, check_record_id
from baclofen.domain.settings import SETTINGS, Setting
from baclofen.services.ports import PatientRepository, PumpRepository, UnitOfWork

__all__ = [
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
    """One kind of record inside a transaction: its reads (with the version read) and its writes."""

    def __init__(self, committed: dict[str, tuple[int, R]], lock: threading.Lock, kind: str) -> None:
        self._committed = committed
        self._lock = lock
        self.kind = kind
        self._read: dict[str, tuple[int, R | None]] = {}
        self._written: dict[str, R] = {}

    def find(self, key: str) -> R | None:
        """The record as this transaction sees it: its own write, else what it first read of the store."""
        if key in self._written:
            return self._written[key]
        if key not in self._read:
            with self._lock:
                version, record = self._committed.get(key, (0, None))
            self._read[key] = (version, record)
        return self._read[key][1]

    def require(self, key: str) -> R:
        record = self.find(key)
        if record is None:
            raise NotFoundError(f"no {self.kind} record {key!r}")
        return record

    def insert(self, key: str, record: R) -> None:
        if self.find(key) is not None:
            raise ConflictError(f"a {self.kind} record {key!r} already exists")
        self._written[key] = record

    def replace(self, key: str, record: R) -> None:
        self.require(key)
        self._written[key] = record

    def keys(self) -> list[str]:
        with self._lock:
            stored = set(self._committed)
        return sorted(stored | set(self._written))

    def conflicts(self) -> list[str]:
        """Written keys that another transaction committed since this one read them (under the lock)."""
        return [k for k in self._written if self._committed.get(k, (0, None))[0] != self._read[k][0]]

    def apply(self) -> None:
        """Store the writes, each at the next version (under the lock)."""
        for key, record in self._written.items():
            self._committed[key] = (self._read[key][0] + 1, record)


class InMemoryPatientRepository:
    """:class:`~baclofen.services.ports.PatientRepository` over one in-memory transaction."""

    def __init__(self, table: _Table[PatientRecord]) -> None:
        self._table = table

    def add(self, record: PatientRecord) -> None:
        _check_type(record, PatientRecord, "patient")
        self._table.insert(record.patient_id, record)

    def get(self, patient_id: str) -> PatientRecord:
        return self._table.require(check_record_id(patient_id, "patient_id"))

    def update(self, record: PatientRecord) -> None:
        _check_type(record, PatientRecord, "patient")
        self._table.replace(record.patient_id, record)


class InMemoryPumpRepository:
    """:class:`~baclofen.services.ports.PumpRepository` over one in-memory transaction."""

    def __init__(self, table: _Table[PumpRecord]) -> None:
        self._table = table

    def add(self, record: PumpRecord) -> None:
        _check_type(record, PumpRecord, "pump")
        self._table.insert(record.pump_id, record)

    def get(self, pump_id: str) -> PumpRecord:
        return self._table.require(check_record_id(pump_id, "pump_id"))

    def for_patient(self, patient_id: str) -> tuple[PumpRecord, ...]:
        check_record_id(patient_id, "patient_id")
        found = (self._table.find(key) for key in self._table.keys())
        return tuple(r for r in found if r is not None and r.patient_id == patient_id)

    def add_visit(self, pump_id: str, visit: RefillVisitRecord) -> PumpRecord:
        record = self.get(pump_id).with_visit(visit)
        self._table.replace(pump_id, record)
        return record


def _check_type(record: object, kind: type, name: str) -> None:
    if not isinstance(record, kind):
        raise TypeError(f"a {name} record ({kind.__name__}) is stored here, not {type(record).__name__}")


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
            stale = [f"{t.kind} {k!r}" for t in (patients, pumps) for k in t.conflicts()]
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
