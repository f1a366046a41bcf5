"""One transaction's view of stored records, and the repositories over it, shared by every storage adapter.

A unit of work with optimistic concurrency keeps, per kind of record, what it first read of the store
(with the version stored then) and what it wrote; the repositories of the ports work on that view only,
and the store is touched again at the commit, which stores the writes when no written record's version
changed since it was read. The in-memory store (:mod:`baclofen.adapters.memory`) and the SQL one
(:mod:`baclofen.adapters.sql`) differ only in how they load a record, list identifiers and store the
writes; the rules of the ports (not found, already stored, append-only history) live here once.

>>> from baclofen.domain.itb.pumps import get_pump
>>> from baclofen.domain.records import PumpRecord
>>> view: RecordView[PumpRecord] = RecordView(lambda key: (0, None), "pump")
>>> pumps = OverlayPumpRepository(view, lambda patient_id: ())
>>> pumps.add(PumpRecord("pump-1", get_pump("prometra-ii-40"), "P-1"))
>>> [p.pump_id for p in pumps.for_patient("P-1")], [w.key for w in view.writes()]
(['pump-1'], ['pump-1'])
"""

from __future__ import annotations

import functools
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Generic, Self, TypeVar

from baclofen.adapters.history import COVARIATES, HISTORY_KINDS, SCORES, SCREENING_TRIALS, OverlayHistoryRepository
from baclofen.adapters.idempotency import OverlayIdempotencyRepository, ResponseView
from baclofen.domain.clinic.alerts import Alert
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.clinic.observations import CovariateObservation, OutcomeScoreRecord, ScreeningTrialRecord
from baclofen.domain.clinic.regimens import ProgramChangeRecord, SavedPlan
from baclofen.domain.errors import ConflictError, NotFoundError, ServiceError, require
from baclofen.domain.idempotency import StoredResponse
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord, check_record_id
from baclofen.services.ports import (
    MAX_PAGE_SIZE,
    AlertRepository,
    DiaryRepository,
    IdempotencyRepository,
    PatientHistoryRepository,
    PatientRepository,
    PlanRepository,
    ProgramChangeRepository,
    PumpRepository,
    UnitOfWork,
)

__all__ = [
    "CommitWrites",
    "OverlayAlertRepository",
    "OverlayDiaryRepository",
    "OverlayPatientRepository",
    "OverlayPlanRepository",
    "OverlayProgramChangeRepository",
    "OverlayPumpRepository",
    "OverlayUnitOfWork",
    "PREFETCH_CHUNK",
    "PREFETCH_IDS_PER_QUERY",
    "RecordView",
    "StoredIdsOfPatient",
    "Write",
    "check_audit_query",
    "check_page",
    "check_type",
]

R = TypeVar("R")

#: A stored record by key: (its version, the record), or (0, None) when none is stored.
Loader = Callable[[str], tuple[int, R | None]]


@dataclass(frozen=True, slots=True)
class Write(Generic[R]):
    """A record this transaction wrote: its key, the version and record it read (0 and None: none was
    stored then, so the write is an insert) and the record to store."""

    key: str
    read_version: int
    read_record: R | None
    record: R


class RecordView(Generic[R]):
    """One kind of record inside a transaction: what it read (with the version read) and what it wrote."""

    def __init__(self, load: Loader[R], kind: str) -> None:
        self._load = load
        self.kind = kind
        self._read: dict[str, tuple[int, R | None]] = {}
        self._written: dict[str, R] = {}

    def find(self, key: str) -> R | None:
        """The record as this transaction sees it: its own write, else what it first read of the store."""
        if key in self._written:
            return self._written[key]
        if key not in self._read:
            self._read[key] = self._load(key)
        return self._read[key][1]

    def unread(self, keys: Iterable[str]) -> list[str]:
        """Those of ``keys`` this transaction has neither read nor written (in order, once each)."""
        return [k for k in dict.fromkeys(keys) if k not in self._read and k not in self._written]

    def prime(self, loaded: Mapping[str, tuple[int, R | None]]) -> None:
        """Keep records read ahead (prefetched) as read, each with its version, unless this transaction read or
        wrote it already (its first read and its own write win)."""
        for key, value in loaded.items():
            if key not in self._read and key not in self._written:
                self._read[key] = value

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

    def put(self, key: str, record: R) -> None:
        """Write ``record`` under ``key`` whatever is stored (the store's commit decides: a repository with rules
        of its own, as the stored responses' expiry)."""
        self.find(key)
        self._written[key] = record

    def keys(self, stored: Iterable[str]) -> list[str]:
        """``stored`` (keys of the store) with this transaction's own new keys, sorted."""
        return sorted(set(stored) | set(self._written))

    def written_keys(self) -> list[str]:
        """The keys this transaction wrote."""
        return list(self._written)

    def writes(self) -> list[Write[R]]:
        """What this transaction wrote, each with what it had read, in key order."""
        return [Write(k, *self._read[k], record) for k, record in sorted(self._written.items())]


def check_type(record: object, kind: type, name: str) -> None:
    if not isinstance(record, kind):
        raise TypeError(f"a {name} record ({kind.__name__}) is stored here, not {type(record).__name__}")


def check_page(after: str | None, limit: int) -> None:
    """The bounds of a page of a listing: a record identifier to start after, and 1 to MAX_PAGE_SIZE records."""
    if after is not None:
        check_record_id(after, "after")
    ok = isinstance(limit, int) and not isinstance(limit, bool) and 1 <= limit <= MAX_PAGE_SIZE
    require(ok, "limit", f"a whole number from 1 to {MAX_PAGE_SIZE}", limit)


#: The stored identifiers of a clinic's patients after ``after`` (or all), in order, the first ``limit``.
ClinicPatientIds = Callable[[str, str | None, int], Iterable[str]]


class OverlayPatientRepository:
    """:class:`~baclofen.services.ports.PatientRepository` over one transaction's view of patients;
    ``stored_patient_ids(clinic_id, after, limit)`` lists a page of the store's identifiers of a clinic."""

    def __init__(self, view: RecordView[PatientRecord], stored_patient_ids: ClinicPatientIds) -> None:
        self._view = view
        self._stored_patient_ids = stored_patient_ids

    def add(self, record: PatientRecord) -> None:
        check_type(record, PatientRecord, "patient")
        self._view.insert(record.patient_id, record)

    def get(self, patient_id: str) -> PatientRecord:
        return self._view.require(check_record_id(patient_id, "patient_id"))

    def update(self, record: PatientRecord) -> None:
        check_type(record, PatientRecord, "patient")
        self._view.replace(record.patient_id, record)

    def for_clinic(self, clinic_id: str, *, after: str | None = None, limit: int = 50) -> tuple[PatientRecord, ...]:
        check_record_id(clinic_id, "clinic_id")
        check_page(after, limit)
        # this transaction's own writes may move stored records out of the page: read as many more
        stored = self._stored_patient_ids(clinic_id, after, limit + len(self._view.written_keys()))
        found: list[PatientRecord] = []
        for key in self._view.keys(stored):
            record = self._view.find(key) if after is None or key > after else None
            if record is not None and record.clinic_id == clinic_id:
                found.append(record)
                if len(found) == limit:
                    break
        return tuple(found)


class OverlayPumpRepository:
    """:class:`~baclofen.services.ports.PumpRepository` over one transaction's view of pumps.

    ``stored_pump_ids(patient_id)`` gives the identifiers of the stored pumps that may be that patient's
    (a superset is fine: each is read and checked here)."""

    def __init__(self, view: RecordView[PumpRecord], stored_pump_ids: Callable[[str], Iterable[str]]) -> None:
        self._view = view
        self._stored_pump_ids = stored_pump_ids

    def add(self, record: PumpRecord) -> None:
        check_type(record, PumpRecord, "pump")
        self._view.insert(record.pump_id, record)

    def get(self, pump_id: str) -> PumpRecord:
        return self._view.require(check_record_id(pump_id, "pump_id"))

    def for_patient(self, patient_id: str) -> tuple[PumpRecord, ...]:
        check_record_id(patient_id, "patient_id")
        found = (self._view.find(key) for key in self._view.keys(self._stored_pump_ids(patient_id)))
        return tuple(r for r in found if r is not None and r.patient_id == patient_id)

    def add_visit(self, pump_id: str, visit: RefillVisitRecord) -> PumpRecord:
        record = self.get(pump_id).with_visit(visit)
        self._view.replace(pump_id, record)
        return record


class OverlayDiaryRepository:
    """:class:`~baclofen.services.ports.DiaryRepository` over one transaction's view of diary entries (insert only).

    ``stored_entry_ids(patient_id)``: the identifiers of the stored entries that may be that patient's."""

    def __init__(self, view: RecordView[DiaryEntryRecord], stored_entry_ids: Callable[[str], Iterable[str]]) -> None:
        self._view = view
        self._stored_entry_ids = stored_entry_ids

    def add(self, entry: DiaryEntryRecord) -> None:
        check_type(entry, DiaryEntryRecord, "diary entry")
        self._view.insert(entry.entry_id, entry)

    def get(self, entry_id: str) -> DiaryEntryRecord:
        return self._view.require(check_record_id(entry_id, "entry_id"))

    def for_patient(self, patient_id: str) -> tuple[DiaryEntryRecord, ...]:
        check_record_id(patient_id, "patient_id")
        found = (self._view.find(key) for key in self._view.keys(self._stored_entry_ids(patient_id)))
        mine = [e for e in found if e is not None and e.patient_id == patient_id]
        return tuple(sorted(mine, key=lambda e: (e.recorded_at, e.entry_id)))


def check_alert_update(stored: Alert, alert: Alert) -> None:
    """``alert`` is ``stored`` with transitions appended, nothing else changed (the one rule of every store)."""
    kept = len(stored.transitions)
    same = alert.transitions[:kept] == stored.transitions and all(
        getattr(alert, f.name) == getattr(stored, f.name) for f in fields(Alert) if f.name != "transitions"
    )
    if not same:
        raise ServiceError(f"alert {stored.alert_id!r}: only transitions can be appended to a stored alert")


class OverlayAlertRepository:
    """:class:`~baclofen.services.ports.AlertRepository` over one transaction's view of alerts.

    ``stored_alert_ids(patient_id)``: the identifiers of the stored alerts that may be that patient's."""

    def __init__(self, view: RecordView[Alert], stored_alert_ids: Callable[[str], Iterable[str]]) -> None:
        self._view = view
        self._stored_alert_ids = stored_alert_ids

    def add(self, alert: Alert) -> None:
        check_type(alert, Alert, "alert")
        if alert.is_active:
            taken = [a for a in self.for_patient(alert.patient_id, active_only=True) if a.dedup_key == alert.dedup_key]
            if taken:
                raise ConflictError(
                    f"patient {alert.patient_id!r} already has an active alert {taken[0].alert_id!r} for "
                    f"{alert.dedup_key}"
                )
        self._view.insert(alert.alert_id, alert)

    def get(self, alert_id: str) -> Alert:
        return self._view.require(check_record_id(alert_id, "alert_id"))

    def update(self, alert: Alert) -> None:
        check_type(alert, Alert, "alert")
        check_alert_update(self.get(alert.alert_id), alert)
        self._view.replace(alert.alert_id, alert)

    def for_patient(self, patient_id: str, *, active_only: bool = False) -> tuple[Alert, ...]:
        check_record_id(patient_id, "patient_id")
        found = (self._view.find(key) for key in self._view.keys(self._stored_alert_ids(patient_id)))
        mine = [a for a in found if a is not None and a.patient_id == patient_id and (a.is_active or not active_only)]
        return tuple(sorted(mine, key=lambda a: (a.raised_at, a.alert_id)))


def _check_next(kind: str, owner: str, seq: int, history: Sequence[object]) -> None:
    if seq != len(history):
        raise ConflictError(
            f"the {kind} history of {owner} is append-only: the next is seq {len(history)}, not {seq} "
            "(another was saved meanwhile: read the history again)"
        )


class OverlayPlanRepository:
    """:class:`~baclofen.services.ports.PlanRepository` over one transaction's view of saved plans (insert only).

    ``stored_plan_ids(patient_id)``: the identifiers of the stored plans that may be that patient's."""

    def __init__(self, view: RecordView[SavedPlan], stored_plan_ids: Callable[[str], Iterable[str]]) -> None:
        self._view = view
        self._stored_plan_ids = stored_plan_ids

    def add(self, plan: SavedPlan) -> None:
        check_type(plan, SavedPlan, "saved plan")
        _check_next("plan", f"patient {plan.patient_id!r}", plan.seq, self.for_patient(plan.patient_id))
        self._view.insert(plan.plan_id, plan)

    def get(self, plan_id: str) -> SavedPlan:
        return self._view.require(check_record_id(plan_id, "plan_id"))

    def for_patient(self, patient_id: str) -> tuple[SavedPlan, ...]:
        check_record_id(patient_id, "patient_id")
        found = (self._view.find(key) for key in self._view.keys(self._stored_plan_ids(patient_id)))
        return tuple(sorted((p for p in found if p is not None and p.patient_id == patient_id), key=lambda p: p.seq))


class OverlayProgramChangeRepository:
    """:class:`~baclofen.services.ports.ProgramChangeRepository` over one transaction's view of program changes
    (insert only). ``stored_change_ids(pump_id)``: the identifiers of the stored changes that may be that pump's."""

    def __init__(
        self, view: RecordView[ProgramChangeRecord], stored_change_ids: Callable[[str], Iterable[str]]
    ) -> None:
        self._view = view
        self._stored_change_ids = stored_change_ids

    def add(self, change: ProgramChangeRecord) -> None:
        check_type(change, ProgramChangeRecord, "program change")
        _check_next("program change", f"pump {change.pump_id!r}", change.seq, self.for_pump(change.pump_id))
        self._view.insert(change.change_id, change)

    def get(self, change_id: str) -> ProgramChangeRecord:
        return self._view.require(check_record_id(change_id, "change_id"))

    def for_pump(self, pump_id: str) -> tuple[ProgramChangeRecord, ...]:
        check_record_id(pump_id, "pump_id")
        found = (self._view.find(key) for key in self._view.keys(self._stored_change_ids(pump_id)))
        return tuple(sorted((c for c in found if c is not None and c.pump_id == pump_id), key=lambda c: c.seq))


def _prime(
    view: RecordView[R], load: Callable[[Sequence[str]], Mapping[str, tuple[int, R | None]]], keys: list[str]
) -> None:
    """Read ahead those of ``keys`` ``view`` has not read or written, :data:`PREFETCH_IDS_PER_QUERY` at a time (a
    database takes a bounded number of parameters in one statement; none read for none)."""
    unread = view.unread(keys)
    for start in range(0, len(unread), PREFETCH_IDS_PER_QUERY):
        view.prime(load(unread[start : start + PREFETCH_IDS_PER_QUERY]))


#: How many patients one prefetch trip reads (the store's queries take their ids as one list each).
PREFETCH_CHUNK = 500
#: The most record identifiers one prefetch query takes (SQLite and PostgreSQL bind each as a parameter: at most
#: 32,766 and 65,535 in one statement).
PREFETCH_IDS_PER_QUERY = 5000


@dataclass(frozen=True, slots=True)
class StoredIdsOfPatient:
    """The stored identifiers of one patient's pumps, diary entries, alerts, histories (by kind) and saved plans
    (prefetched)."""

    pump_ids: tuple[str, ...] = ()
    diary_ids: tuple[str, ...] = ()
    alert_ids: tuple[str, ...] = ()
    history_ids: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    plan_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CommitWrites:
    """What one commit stores, by kind of record (each in key order)."""

    patients: Sequence[Write[PatientRecord]] = ()
    pumps: Sequence[Write[PumpRecord]] = ()
    diary: Sequence[Write[DiaryEntryRecord]] = ()
    alerts: Sequence[Write[Alert]] = ()
    #: The patients' dated histories (:data:`~baclofen.adapters.history.HISTORY_KINDS`), by kind name; insert only.
    history: dict[str, Sequence[Write[Any]]] = field(default_factory=dict)
    plans: Sequence[Write[SavedPlan]] = ()
    program_changes: Sequence[Write[ProgramChangeRecord]] = ()
    #: Responses of idempotent requests, inserted after those created before ``purge_responses_before`` are deleted
    #: (one whose caller, route and key is still stored: stale).
    responses: Sequence[Write[StoredResponse]] = ()
    purge_responses_before: datetime | None = None


class OverlayUnitOfWork(UnitOfWork):
    """A unit of work with optimistic concurrency over per-transaction :class:`RecordView`\\ s.

    A store says how to load a record with its version, which stored pumps may be a patient's, and how to
    store a commit's writes (:meth:`_store`: all of them, or none and the list of those found stale).
    """

    def __init__(self) -> None:
        self._patients: RecordView[PatientRecord] | None = None
        self._pumps: RecordView[PumpRecord] | None = None
        self._diary: RecordView[DiaryEntryRecord] | None = None
        self._alerts: RecordView[Alert] | None = None
        self._history: dict[str, RecordView[Any]] | None = None
        self._plans: RecordView[SavedPlan] | None = None
        self._program_changes: RecordView[ProgramChangeRecord] | None = None
        self._responses: ResponseView | None = None
        #: inside :meth:`enclosing`; and whether a use case's ``with`` block joined that transaction now
        self._enclosing = False
        self._joined = False
        #: per patient, the stored identifiers of their records as prefetched; per pump, of its program changes
        self._listed: dict[str, StoredIdsOfPatient] = {}
        self._listed_changes: dict[str, tuple[str, ...]] = {}

    @abstractmethod
    def _load_patient(self, patient_id: str) -> tuple[int, PatientRecord | None]:
        """The stored patient with its version, or (0, None)."""

    @abstractmethod
    def _load_pump(self, pump_id: str) -> tuple[int, PumpRecord | None]:
        """The stored pump with its version, or (0, None)."""

    @abstractmethod
    def _stored_patient_ids(self, clinic_id: str, after: str | None, limit: int) -> Iterable[str]:
        """The identifiers of the stored patients of a clinic after ``after``, in order, the first ``limit``."""

    @abstractmethod
    def _stored_pump_ids(self, patient_id: str) -> Iterable[str]:
        """The identifiers of the stored pumps of a patient."""

    @abstractmethod
    def _load_diary_entry(self, entry_id: str) -> tuple[int, DiaryEntryRecord | None]:
        """The stored diary entry with its version (1: entries never change), or (0, None)."""

    @abstractmethod
    def _stored_diary_ids(self, patient_id: str) -> Iterable[str]:
        """The identifiers of the stored diary entries of a patient."""

    @abstractmethod
    def _load_alert(self, alert_id: str) -> tuple[int, Alert | None]:
        """The stored alert with its version, or (0, None)."""

    @abstractmethod
    def _stored_alert_ids(self, patient_id: str) -> Iterable[str]:
        """The identifiers of the stored alerts of a patient."""

    @abstractmethod
    def _load_history(self, kind: str, record_id: str) -> tuple[int, Any]:
        """The stored record of a history kind (``"covariates"``...) with its version (1), or (0, None)."""

    @abstractmethod
    def _stored_history_ids(self, kind: str, patient_id: str) -> Iterable[str]:
        """The identifiers of the stored records of a history kind of a patient."""

    @abstractmethod
    def _load_plan(self, plan_id: str) -> tuple[int, SavedPlan | None]:
        """The stored plan with its version (1: plans never change), or (0, None)."""

    @abstractmethod
    def _stored_plan_ids(self, patient_id: str) -> Iterable[str]:
        """The identifiers of the stored plans of a patient."""

    @abstractmethod
    def _load_program_change(self, change_id: str) -> tuple[int, ProgramChangeRecord | None]:
        """The stored program change with its version (1: changes never change), or (0, None)."""

    @abstractmethod
    def _stored_program_change_ids(self, pump_id: str) -> Iterable[str]:
        """The identifiers of the stored program changes of a pump."""

    @abstractmethod
    def _load_stored_response(self, key: str) -> tuple[int, StoredResponse | None]:
        """The stored response of a :func:`~baclofen.domain.idempotency.stored_response_key` (version 1), or
        (0, None)."""

    @abstractmethod
    def _store(self, writes: CommitWrites) -> list[str]:
        """Store every write atomically when none is stale (and no active alert's rule and subject is taken by
        another active alert of its patient); else store nothing and name the stale ones (``"pump 'pump-1'"``)."""

    # --- reading many at once (prefetch): a store overrides these to read in a few trips; these defaults read
    # --- one record or patient at a time through the methods above.

    def _load_patients(self, patient_ids: Sequence[str]) -> Mapping[str, tuple[int, PatientRecord | None]]:
        """The stored patients of ``patient_ids`` with their versions (every one: (0, None) when none is stored)."""
        return {key: self._load_patient(key) for key in patient_ids}

    def _load_pumps(self, pump_ids: Sequence[str]) -> Mapping[str, tuple[int, PumpRecord | None]]:
        return {key: self._load_pump(key) for key in pump_ids}

    def _load_diary_entries(self, entry_ids: Sequence[str]) -> Mapping[str, tuple[int, DiaryEntryRecord | None]]:
        return {key: self._load_diary_entry(key) for key in entry_ids}

    def _load_alerts(self, alert_ids: Sequence[str]) -> Mapping[str, tuple[int, Alert | None]]:
        return {key: self._load_alert(key) for key in alert_ids}

    def _load_histories(self, kind: str, record_ids: Sequence[str]) -> Mapping[str, tuple[int, Any]]:
        return {key: self._load_history(kind, key) for key in record_ids}

    def _load_plans(self, plan_ids: Sequence[str]) -> Mapping[str, tuple[int, SavedPlan | None]]:
        return {key: self._load_plan(key) for key in plan_ids}

    def _load_program_changes(self, change_ids: Sequence[str]) -> Mapping[str, tuple[int, ProgramChangeRecord | None]]:
        return {key: self._load_program_change(key) for key in change_ids}

    def _stored_ids_of_patients(self, patient_ids: Sequence[str]) -> Mapping[str, StoredIdsOfPatient]:
        """Per patient of ``patient_ids`` (every one), the stored identifiers of their records."""
        return {
            p: StoredIdsOfPatient(
                tuple(self._stored_pump_ids(p)),
                tuple(self._stored_diary_ids(p)),
                tuple(self._stored_alert_ids(p)),
                {kind: tuple(self._stored_history_ids(kind, p)) for kind in HISTORY_KINDS},
                tuple(self._stored_plan_ids(p)),
            )
            for p in patient_ids
        }

    def _stored_change_ids_of_pumps(self, pump_ids: Sequence[str]) -> Mapping[str, tuple[str, ...]]:
        """Per pump of ``pump_ids`` (every one), the stored identifiers of its program changes."""
        return {p: tuple(self._stored_program_change_ids(p)) for p in pump_ids}

    def prefetch_patients(self, patient_ids: Sequence[str]) -> None:
        self._active(self._patients)
        wanted = [check_record_id(p, "patient_id") for p in patient_ids]
        for start in range(0, len(wanted), PREFETCH_CHUNK):
            chunk = [p for p in dict.fromkeys(wanted[start : start + PREFETCH_CHUNK]) if p not in self._listed]
            if chunk:
                self._prefetch_chunk(chunk)

    def _prefetch_chunk(self, chunk: list[str]) -> None:
        listed = self._stored_ids_of_patients(chunk)
        _prime(self._active(self._patients), self._load_patients, chunk)
        pump_ids = [k for p in chunk for k in listed[p].pump_ids]
        _prime(self._active(self._pumps), self._load_pumps, pump_ids)
        _prime(self._active(self._diary), self._load_diary_entries, [k for p in chunk for k in listed[p].diary_ids])
        _prime(self._active(self._alerts), self._load_alerts, [k for p in chunk for k in listed[p].alert_ids])
        for kind, view in self._active(self._history).items():
            load = functools.partial(self._load_histories, kind)
            _prime(view, load, [k for p in chunk for k in listed[p].history_ids[kind]])
        _prime(self._active(self._plans), self._load_plans, [k for p in chunk for k in listed[p].plan_ids])
        listed_changes: dict[str, tuple[str, ...]] = {}
        for start in range(0, len(pump_ids), PREFETCH_IDS_PER_QUERY):
            listed_changes.update(self._stored_change_ids_of_pumps(pump_ids[start : start + PREFETCH_IDS_PER_QUERY]))
        changes = [k for p in pump_ids for k in listed_changes[p]]
        _prime(self._active(self._program_changes), self._load_program_changes, changes)
        self._listed.update(listed)
        self._listed_changes.update(listed_changes)

    def _pump_ids_of(self, patient_id: str) -> Iterable[str]:
        listed = self._listed.get(patient_id)
        return listed.pump_ids if listed is not None else self._stored_pump_ids(patient_id)

    def _diary_ids_of(self, patient_id: str) -> Iterable[str]:
        listed = self._listed.get(patient_id)
        return listed.diary_ids if listed is not None else self._stored_diary_ids(patient_id)

    def _alert_ids_of(self, patient_id: str) -> Iterable[str]:
        listed = self._listed.get(patient_id)
        return listed.alert_ids if listed is not None else self._stored_alert_ids(patient_id)

    def _history_ids_of(self, kind: str, patient_id: str) -> Iterable[str]:
        listed = self._listed.get(patient_id)
        return listed.history_ids[kind] if listed is not None else self._stored_history_ids(kind, patient_id)

    def _plan_ids_of(self, patient_id: str) -> Iterable[str]:
        listed = self._listed.get(patient_id)
        return listed.plan_ids if listed is not None else self._stored_plan_ids(patient_id)

    def _change_ids_of(self, pump_id: str) -> Iterable[str]:
        listed = self._listed_changes.get(pump_id)
        return listed if listed is not None else self._stored_program_change_ids(pump_id)

    def _clinic_patient_ids(self, clinic_id: str, after: str | None, limit: int) -> Iterable[str]:
        """A page of a clinic's stored patient ids, their records read ahead in one trip."""
        found = list(self._stored_patient_ids(clinic_id, after, limit))
        view = self._active(self._patients)
        view.prime(self._load_patients(view.unread(found)))
        return found

    @property
    def patients(self) -> PatientRepository:
        return OverlayPatientRepository(self._active(self._patients), self._clinic_patient_ids)

    @property
    def pumps(self) -> PumpRepository:
        return OverlayPumpRepository(self._active(self._pumps), self._pump_ids_of)

    @property
    def diary(self) -> DiaryRepository:
        return OverlayDiaryRepository(self._active(self._diary), self._diary_ids_of)

    @property
    def alerts(self) -> AlertRepository:
        return OverlayAlertRepository(self._active(self._alerts), self._alert_ids_of)

    @property
    def covariates(self) -> PatientHistoryRepository[CovariateObservation]:
        return self._history_repository(COVARIATES.name)

    @property
    def screening_trials(self) -> PatientHistoryRepository[ScreeningTrialRecord]:
        return self._history_repository(SCREENING_TRIALS.name)

    @property
    def scores(self) -> PatientHistoryRepository[OutcomeScoreRecord]:
        return self._history_repository(SCORES.name)

    def _history_repository(self, kind: str) -> OverlayHistoryRepository[Any]:
        views = self._active(self._history)
        return OverlayHistoryRepository(
            HISTORY_KINDS[kind], views[kind], lambda patient_id: self._history_ids_of(kind, patient_id)
        )

    @property
    def plans(self) -> PlanRepository:
        return OverlayPlanRepository(self._active(self._plans), self._plan_ids_of)

    @property
    def program_changes(self) -> ProgramChangeRepository:
        return OverlayProgramChangeRepository(self._active(self._program_changes), self._change_ids_of)

    @property
    def idempotency(self) -> IdempotencyRepository:
        return OverlayIdempotencyRepository(self._active(self._responses))

    @contextmanager
    def enclosing(self) -> Iterator[Self]:
        with self:
            self._enclosing = True
            try:
                yield self
            finally:
                self._enclosing = self._joined = False

    def _active(self, view: R | None) -> R:
        if view is None:
            raise ServiceError("the repositories are used inside 'with unit_of_work:' only")
        return view

    def _begin(self) -> None:
        if self._patients is not None and self._enclosing and not self._joined:
            self._joined = True  # a use case's block inside enclosing(): it joins that transaction
            return
        if self._patients is not None:
            raise ServiceError("this unit of work is already in a transaction ('with' entered twice)")
        self._fresh()

    def _fresh(self) -> None:
        self._listed, self._listed_changes = {}, {}
        self._patients = RecordView(self._load_patient, "patient")
        self._pumps = RecordView(self._load_pump, "pump")
        self._diary = RecordView(self._load_diary_entry, "diary entry")
        self._alerts = RecordView(self._load_alert, "alert")
        self._history = {
            name: RecordView(self._history_loader(name), kind.label) for name, kind in HISTORY_KINDS.items()
        }
        self._plans = RecordView(self._load_plan, "saved plan")
        self._program_changes = RecordView(self._load_program_change, "program change")
        self._responses = ResponseView(RecordView(self._load_stored_response, "stored response"))

    def _history_loader(self, kind: str) -> Loader[Any]:
        return lambda key: self._load_history(kind, key)

    def commit(self) -> None:
        if self._joined:
            return  # a use case's commit inside enclosing(): the enclosing commit stores it
        responses = self._active(self._responses)
        writes = CommitWrites(
            self._active(self._patients).writes(),
            self._active(self._pumps).writes(),
            self._active(self._diary).writes(),
            self._active(self._alerts).writes(),
            {name: view.writes() for name, view in self._active(self._history).items()},
            plans=self._active(self._plans).writes(),
            program_changes=self._active(self._program_changes).writes(),
            responses=responses.records.writes(),
            purge_responses_before=responses.purge_before,
        )
        try:
            stale = self._store(writes)
        finally:
            self._fresh()  # what comes next reads the store afresh
        if stale:
            raise ConflictError(
                "changed by another unit of work since this one read it, nothing stored: " + ", ".join(stale)
            )

    def rollback(self) -> None:
        if self._patients is not None and not self._joined:
            self._fresh()

    def _end(self) -> None:
        if self._joined:  # the end of a use case's block inside enclosing(): the transaction goes on
            self._joined = False
            return
        self._listed, self._listed_changes = {}, {}
        self._patients = None
        self._pumps = None
        self._diary = None
        self._alerts = None
        self._history = None
        self._plans = None
        self._program_changes = None
        self._responses = None


def check_audit_query(since: datetime | None, until: datetime | None, limit: int | None) -> None:
    """The bounds of an audit log query (:meth:`~baclofen.services.ports.AuditLog.entries`): aware times
    and a positive whole limit."""
    for name, value in (("since", since), ("until", until)):
        if value is not None:
            aware = isinstance(value, datetime) and value.utcoffset() is not None
            require(aware, name, "a date and time with its UTC offset", value)
    if limit is not None:
        require(
            isinstance(limit, int) and not isinstance(limit, bool) and limit >= 1, "limit", "a whole number >= 1", limit
        )
