"""Ports: what the use cases need from the outside world, stated as interfaces the adapters implement.

The use cases depend on these, never on an adapter: the repositories of patient and pump records, of diary
entries and of alerts, of saved plans and pump program changes, the unit of work that makes a use case's
changes all-or-nothing, the clinics and their user accounts, the password hasher, the audit log of accesses to
patient data, the clinic's clock and its setting overrides. ``baclofen.adapters`` implements them (in memory,
and SQLAlchemy on SQLite and PostgreSQL) and ``baclofen.bootstrap`` chooses the implementations.
``tests/contracts`` holds the tests that every implementation must pass.

What is stored are domain values (:mod:`baclofen.domain.records`); records are frozen, so a change is
a new record handed back to the repository, and nothing changes in storage until
:meth:`UnitOfWork.commit`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime, tzinfo
from types import TracebackType
from typing import Any, Protocol, Self, TypeVar

from baclofen.domain.clinic.alerts import Alert
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.clinic.observations import CovariateObservation, OutcomeScoreRecord, ScreeningTrialRecord
from baclofen.domain.clinic.regimens import ProgramChangeRecord, SavedPlan
from baclofen.domain.clinic.settings_profile import SettingChange
from baclofen.domain.idempotency import StoredResponse
from baclofen.domain.jobs import JobRecord
from baclofen.domain.records import (
    AuditEntry,
    ClinicRecord,
    PatientRecord,
    PumpRecord,
    RefillVisitRecord,
    UserRecord,
    check_record_id,
)
from baclofen.domain.settings import Setting

__all__ = [
    "MAX_PAGE_SIZE",
    "AlertRepository",
    "AuditLog",
    "ClinicRepository",
    "ClinicSettingsRepository",
    "Clock",
    "DiaryRepository",
    "IdempotencyRepository",
    "JobRepository",
    "PasswordHasher",
    "PatientHistoryRepository",
    "PatientRepository",
    "PlanRepository",
    "ProgramChangeRepository",
    "PumpRepository",
    "SettingsProvider",
    "UnitOfWork",
    "UserRepository",
]

#: The most records one listing returns.
MAX_PAGE_SIZE = 100


class PatientRepository(Protocol):
    """Patient records by ``patient_id``.

    Raises
    ------
    NotFoundError
        ``get`` or ``update`` of an identifier that is not stored.
    ConflictError
        ``add`` of an identifier that is already stored.
    """

    def add(self, record: PatientRecord) -> None:
        """Store a new patient."""
        ...

    def get(self, patient_id: str) -> PatientRecord:
        """The stored patient (including this unit of work's uncommitted changes)."""
        ...

    def update(self, record: PatientRecord) -> None:
        """Replace a stored patient's record (new covariates) with ``record``."""
        ...

    def for_clinic(self, clinic_id: str, *, after: str | None = None, limit: int = 50) -> tuple[PatientRecord, ...]:
        """The patients of a clinic in ``patient_id`` order: the first ``limit`` (1 to :data:`MAX_PAGE_SIZE`)
        of those after ``after`` (a page; the next starts after the last one's identifier).

        Raises ``InvalidInputError`` for an invalid ``clinic_id`` or ``after`` or a ``limit`` out of range."""
        ...


class PumpRepository(Protocol):
    """Pump records by ``pump_id``, each with its refill visits (append-only, oldest first).

    Raises
    ------
    NotFoundError
        ``get`` or ``add_visit`` of an identifier that is not stored.
    ConflictError
        ``add`` of an identifier that is already stored.
    InvalidInputError
        ``add_visit`` of a visit dated before the last recorded refill (see :meth:`PumpRecord.with_visit`).
    """

    def add(self, record: PumpRecord) -> None:
        """Store a new pump (with any visits it already has)."""
        ...

    def get(self, pump_id: str) -> PumpRecord:
        """The stored pump with all its visits (including this unit of work's uncommitted changes)."""
        ...

    def for_patient(self, patient_id: str) -> tuple[PumpRecord, ...]:
        """The pumps of a patient, in ``pump_id`` order (none: an empty tuple)."""
        ...

    def add_visit(self, pump_id: str, visit: RefillVisitRecord) -> PumpRecord:
        """Append a refill visit to a pump's history; return the pump record with it."""
        ...


class DiaryRepository(Protocol):
    """Diary entries by ``entry_id``; append-only (an entry is never changed or removed).

    Raises
    ------
    NotFoundError
        ``get`` of an identifier that is not stored.
    ConflictError
        ``add`` of an identifier that is already stored.
    """

    def add(self, entry: DiaryEntryRecord) -> None:
        """Store a new entry."""
        ...

    def get(self, entry_id: str) -> DiaryEntryRecord:
        """The stored entry (including this unit of work's uncommitted ones)."""
        ...

    def for_patient(self, patient_id: str) -> tuple[DiaryEntryRecord, ...]:
        """The entries of a patient, oldest first (by ``recorded_at``, then ``entry_id``)."""
        ...


class AlertRepository(Protocol):
    """Alerts by ``alert_id``; never removed, and an update only appends transitions (acknowledged, resolved:
    who, when, why). A patient has at most one active (open or acknowledged) alert per rule and subject
    (:attr:`~baclofen.domain.clinic.alerts.Alert.dedup_key`).

    Raises
    ------
    NotFoundError
        ``get`` or ``update`` of an identifier that is not stored.
    ConflictError
        ``add`` of an identifier that is already stored, or of an active alert whose rule and subject already
        have one (also at the commit, when another unit of work stored it meanwhile).
    ServiceError
        ``update`` that changes anything but appending transitions.
    """

    def add(self, alert: Alert) -> None:
        """Store a new alert."""
        ...

    def get(self, alert_id: str) -> Alert:
        """The stored alert with all its transitions (including this unit of work's uncommitted changes)."""
        ...

    def update(self, alert: Alert) -> None:
        """Store ``alert``: the stored one with transitions appended."""
        ...

    def for_patient(self, patient_id: str, *, active_only: bool = False) -> tuple[Alert, ...]:
        """The alerts of a patient (only the open and acknowledged ones with ``active_only``), oldest first (by
        ``raised_at``, then ``alert_id``)."""
        ...


H = TypeVar("H")


class PatientHistoryRepository(Protocol[H]):
    """One kind of dated record of patients (covariate observations, screening trials, outcome scores) by its
    identifier; append-only: a record is never changed or removed (a correction is a newer record).

    Raises
    ------
    NotFoundError
        ``get`` of an identifier that is not stored.
    ConflictError
        ``add`` of an identifier that is already stored (also at the commit, when another unit of work stored it
        meanwhile).
    """

    def add(self, record: H) -> None:
        """Store a new record."""
        ...

    def get(self, record_id: str) -> H:
        """The stored record (including this unit of work's uncommitted ones)."""
        ...

    def for_patient(self, patient_id: str) -> tuple[H, ...]:
        """The records of a patient, oldest first (covariates by the date observed, then the time recorded;
        screening trials by the time given; scores by the date assessed, then the time recorded; then the
        identifier)."""
        ...


class PlanRepository(Protocol):
    """Saved oral plans by ``plan_id``; append-only: a patient's history grows one plan at a time (``seq`` 0, 1, ...)
    and a stored plan never changes (a new one supersedes it).

    Raises
    ------
    NotFoundError
        ``get`` of an identifier that is not stored.
    ConflictError
        ``add`` of a plan whose ``seq`` is not the next of its patient's history (also at the commit, when another
        unit of work stored that position meanwhile).
    """

    def add(self, plan: SavedPlan) -> None:
        """Append a plan to its patient's history."""
        ...

    def get(self, plan_id: str) -> SavedPlan:
        """The stored plan (including this unit of work's uncommitted ones)."""
        ...

    def for_patient(self, patient_id: str) -> tuple[SavedPlan, ...]:
        """The plan history of a patient, oldest first (by ``seq``)."""
        ...


class ProgramChangeRepository(Protocol):
    """Program changes of pumps by ``change_id``; append-only: a pump's changes grow one at a time (``seq`` 0, 1,
    ...) and a stored change never changes.

    Raises
    ------
    NotFoundError
        ``get`` of an identifier that is not stored.
    ConflictError
        ``add`` of a change whose ``seq`` is not the next of its pump's changes (also at the commit, when another
        unit of work stored that position meanwhile).
    """

    def add(self, change: ProgramChangeRecord) -> None:
        """Append a change to its pump's changes."""
        ...

    def get(self, change_id: str) -> ProgramChangeRecord:
        """The stored change (including this unit of work's uncommitted ones)."""
        ...

    def for_pump(self, pump_id: str) -> tuple[ProgramChangeRecord, ...]:
        """The program changes of a pump, oldest first (by ``seq``)."""
        ...


class IdempotencyRepository(Protocol):
    """The responses stored with the ``Idempotency-Key`` of the requests that created a record (one per caller,
    route and key), each committed with that record: a record created under a key always has its response.

    Raises
    ------
    ConflictError
        ``add`` of a response whose caller, route and key another one holds (here, or at the commit: a concurrent
        request with the same key stored its response first, and nothing of this transaction is stored).
    """

    def add(self, response: StoredResponse) -> None:
        """Store ``response`` at the commit (``ConflictError``: one with its caller, route and key is stored)."""
        ...

    def find(self, user_id: str, route: str, key: str) -> StoredResponse | None:
        """The stored response of this caller, route and key, or None."""
        ...

    def purge(self, before: datetime) -> None:
        """Delete, at the commit, every stored response created before ``before`` (expired), before this
        transaction's own are added; :meth:`find` sees them gone at once."""
        ...


class UnitOfWork(ABC):
    """One use case's changes, all or nothing: used as ``with uow: ...; uow.commit()``.

    Inside the ``with`` block the repositories (patients, pumps, diary entries, alerts) read and write one
    transaction; :meth:`commit` makes its
    changes visible to every later unit of work, and leaving the block without a commit (or on an
    exception) rolls them back. Two units of work that change the same record concurrently cannot both
    commit: the second :meth:`commit` raises :class:`~baclofen.domain.errors.ConflictError` and stores
    nothing (no lost update).
    """

    @property
    @abstractmethod
    def patients(self) -> PatientRepository:
        """Patient records in this transaction (only inside the ``with`` block)."""

    @property
    @abstractmethod
    def pumps(self) -> PumpRepository:
        """Pump records in this transaction (only inside the ``with`` block)."""

    @property
    @abstractmethod
    def diary(self) -> DiaryRepository:
        """Diary entries in this transaction (only inside the ``with`` block)."""

    @property
    @abstractmethod
    def alerts(self) -> AlertRepository:
        """Alerts in this transaction (only inside the ``with`` block)."""

    @property
    @abstractmethod
    def covariates(self) -> PatientHistoryRepository[CovariateObservation]:
        """Covariate observations in this transaction (only inside the ``with`` block)."""

    @property
    @abstractmethod
    def screening_trials(self) -> PatientHistoryRepository[ScreeningTrialRecord]:
        """Screening trials in this transaction (only inside the ``with`` block)."""

    @property
    @abstractmethod
    def scores(self) -> PatientHistoryRepository[OutcomeScoreRecord]:
        """Outcome scores in this transaction (only inside the ``with`` block)."""

    @property
    @abstractmethod
    def plans(self) -> PlanRepository:
        """Saved oral plans in this transaction (only inside the ``with`` block)."""

    @property
    @abstractmethod
    def program_changes(self) -> ProgramChangeRepository:
        """Pump program changes in this transaction (only inside the ``with`` block)."""

    @property
    @abstractmethod
    def idempotency(self) -> IdempotencyRepository:
        """Stored responses of idempotent requests in this transaction (only inside the ``with`` block)."""

    @abstractmethod
    def enclosing(self) -> AbstractContextManager[Self]:
        """A transaction enclosing the use cases run inside its block: their ``with uow:`` joins it (opens none of
        its own) and their :meth:`commit` stores nothing yet; the caller's own :meth:`commit` at the end of the
        block stores it all (the use cases' writes and the caller's: a stored response) at once, or nothing
        (``ConflictError``). Leaving the block without that commit, or on an exception, stores nothing."""

    def __enter__(self) -> Self:
        self._begin()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        try:
            self.rollback()
        finally:
            self._end()

    @abstractmethod
    def another(self) -> UnitOfWork:
        """A new unit of work over the same store, for a use case running at the same time as this one's
        (a unit of work is one transaction at a time: a server gives each request its own)."""

    @abstractmethod
    def _begin(self) -> None:
        """Start a transaction and make the repositories available (a unit of work already inside its
        ``with`` block raises :class:`~baclofen.domain.errors.ServiceError`: one transaction at a time)."""

    @abstractmethod
    def _end(self) -> None:
        """Close the transaction (after the rollback of :meth:`__exit__`); the repositories are gone."""

    @abstractmethod
    def commit(self) -> None:
        """Make this transaction's changes durable and visible; the unit of work stays open for more.

        Raises ``ConflictError`` (storing nothing of this transaction) when another unit of work committed
        a change to a record this one changed since it first read it."""

    @abstractmethod
    def rollback(self) -> None:
        """Discard this transaction's uncommitted changes (after a commit: nothing to discard)."""

    def prefetch_patients(self, patient_ids: Sequence[str]) -> None:
        """Read these patients' records (the patient, pumps, diary entries, alerts) now, in as few trips to the
        store as it can (before a use case reads many patients: the worklist). What this transaction sees and
        commits is the same as without it: its own writes and first reads win, and a prefetched record keeps the
        version read for the commit's check. Only inside the ``with`` block; an invalid id is named
        (``patient_id``). This default reads nothing ahead."""
        for patient_id in patient_ids:
            check_record_id(patient_id, "patient_id")


class AuditLog(Protocol):
    """Every access to patient data, read or write: who, what, which record, when, and the outcome.

    Append-only: there is no way to change or remove an entry (a database refuses UPDATE and DELETE on it
    itself). An entry is stored when :meth:`append` returns, whatever becomes of the unit of work of the
    access (a refused or failed access is audited too).
    """

    def append(self, entry: AuditEntry) -> None:
        """Store ``entry`` durably."""
        ...

    def entries(
        self,
        *,
        actor: str | None = None,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> tuple[AuditEntry, ...]:
        """The stored entries, oldest first (in the order appended), of ``actor`` and on ``target`` when
        given, at or after ``since`` and before ``until`` (aware times); the first ``limit`` of them.

        Raises ``InvalidInputError`` for a naive ``since``/``until`` or a ``limit`` below 1."""
        ...


class ClinicRepository(Protocol):
    """The clinics by ``clinic_id``. Each call is a transaction of its own, committed when it returns
    (accounts change rarely and alone; they are not part of a use case's unit of work).

    Raises
    ------
    NotFoundError
        ``get`` of an identifier that is not stored.
    ConflictError
        ``add`` of an identifier that is already stored.
    """

    def add(self, record: ClinicRecord) -> None:
        """Store a new clinic."""
        ...

    def get(self, clinic_id: str) -> ClinicRecord:
        """The stored clinic."""
        ...


class UserRepository(Protocol):
    """The user accounts, by ``user_id`` and by ``username`` (both unique). Each call is a transaction of
    its own, committed when it returns.

    Raises
    ------
    NotFoundError
        ``get`` or ``by_username`` of a user that is not stored; ``add`` of a user of a clinic that is not.
    ConflictError
        ``add`` of a ``user_id`` or ``username`` that is already stored.
    """

    def add(self, record: UserRecord) -> None:
        """Store a new account (its clinic must be stored)."""
        ...

    def get(self, user_id: str) -> UserRecord:
        """The stored account."""
        ...

    def by_username(self, username: str) -> UserRecord:
        """The stored account of ``username`` (exactly as stored: usernames are case-sensitive)."""
        ...

    def get_signed_in(self, user_id: str, token_id: str) -> UserRecord:
        """The stored account of a session or token ``token_id`` of ``user_id`` that was not revoked (one indexed
        lookup, read at each request); NotFoundError when there is no such account or the token was revoked."""
        ...

    def revoke_token(self, user_id: str, token_id: str, expires_at: datetime, now: datetime) -> None:
        """Refuse the session or token ``token_id`` of ``user_id`` from now on, until ``expires_at`` (when it
        would have expired anyway); revocations expired at ``now`` are forgotten. Revoking twice is harmless."""
        ...

    def end_sessions(self, user_id: str, password_hash: str | None = None) -> UserRecord:
        """End every session and token of ``user_id`` (its ``session_generation`` + 1), storing
        ``password_hash`` as its new hash when given; the account as stored now."""
        ...


class PasswordHasher(Protocol):
    """Password hashes (argon2id): the only place a password is seen; it is never stored."""

    def hash(self, password: str) -> str:
        """A new hash of ``password`` (a fresh salt each time)."""
        ...

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` is the one ``password_hash`` was made of (False for a malformed hash)."""
        ...

    def waste_time(self, password: str) -> None:
        """Spend what :meth:`verify` spends, for a username that does not exist (no timing difference)."""
        ...


class Clock(Protocol):
    """The clinic's clock: the only source of "now" (the domain and the services never read one)."""

    @property
    def zone(self) -> tzinfo:
        """The clinic's time zone."""
        ...

    def now(self) -> datetime:
        """The current time, timezone-aware, in :attr:`zone`."""
        ...

    def today(self) -> date:
        """Today's date in :attr:`zone`."""
        ...


class SettingsProvider(Protocol):
    """The clinic's own values of named settings (:class:`~baclofen.domain.settings.Setting`).

    A use case asks for the settings it takes and passes the answer as the overrides of
    :class:`~baclofen.domain.settings.SettingValues`; a caller's own overrides for one request win over the
    clinic's.
    """

    def overrides(self, settings: Iterable[Setting]) -> Mapping[str, Any]:
        """The clinic's values of those of ``settings`` it overrides, by setting name, each validated."""
        ...


class JobRepository(Protocol):
    """Population jobs by ``job_id`` (:class:`~baclofen.domain.jobs.JobRecord`). Each call is a transaction of
    its own, committed when it returns: a job's progress is seen by every reader as soon as it is reported.
    Times come back as the same instants (in UTC).

    Raises
    ------
    NotFoundError
        ``get`` or ``update`` of an identifier that is not stored.
    ConflictError
        ``add`` of an identifier that is already stored.
    """

    def add(self, job: JobRecord) -> None:
        """Store a new job."""
        ...

    def get(self, job_id: str) -> JobRecord:
        """The stored job."""
        ...

    def update(self, job: JobRecord) -> None:
        """Replace the stored job of ``job.job_id`` with ``job`` (its new status, progress, result)."""
        ...

    def for_clinic(self, clinic_id: str, *, limit: int = 50) -> tuple[JobRecord, ...]:
        """The clinic's latest ``limit`` (1 to :data:`MAX_PAGE_SIZE`) jobs, newest first (by ``submitted_at``,
        then ``job_id``). Raises ``InvalidInputError`` for an invalid ``clinic_id`` or a ``limit`` out of range."""
        ...

    def unfinished(self) -> tuple[JobRecord, ...]:
        """Every job still queued or running, oldest first (what a server finds when it starts)."""
        ...


class ClinicSettingsRepository(Protocol):
    """Each clinic's settings profile: its own values of named settings, kept as the append-only history of
    their changes (:class:`~baclofen.domain.clinic.settings_profile.SettingChange`; a database refuses UPDATE and
    DELETE on it itself). Each call is a transaction of its own, committed when it returns.

    Raises
    ------
    ConflictError
        ``change`` whose ``old_value`` is not the clinic's value in force when it is stored (another change came
        first: no lost update).
    InvalidInputError
        An invalid ``clinic_id``.
    """

    def values(self, clinic_id: str) -> Mapping[str, Any]:
        """The clinic's values in force, by setting name (none set: an empty mapping)."""
        ...

    def change(self, change: SettingChange) -> None:
        """Append ``change`` to the clinic's history (its ``new_value`` is then in force)."""
        ...

    def history(self, clinic_id: str, *, name: str | None = None) -> tuple[SettingChange, ...]:
        """The clinic's changes (of the setting ``name`` when given), oldest first."""
        ...
