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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar

from baclofen.adapters.history import HISTORY_KINDS
from baclofen.adapters.overlay import (
    CommitWrites,
    OverlayUnitOfWork,
    Write,
    check_audit_query,
    check_page,
    check_type,
)
from baclofen.domain.clinic.alerts import Alert
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.clinic.regimens import ProgramChangeRecord, SavedPlan
from baclofen.domain.clinic.settings_profile import SettingChange, values_in_force
from baclofen.domain.errors import ConflictError, NotFoundError, UnknownNameError
from baclofen.domain.idempotency import StoredResponse
from baclofen.domain.jobs import JobRecord
from baclofen.domain.records import (
    AuditEntry,
    ClinicRecord,
    PatientRecord,
    PumpRecord,
    UserRecord,
    check_record_id,
    check_username,
)
from baclofen.domain.settings import SETTINGS, Setting

__all__ = [
    "InMemoryAccounts",
    "InMemoryAuditLog",
    "InMemoryClinicRepository",
    "InMemoryJobRepository",
    "InMemoryClinicSettings",
    "InMemoryStore",
    "InMemoryUnitOfWork",
    "InMemoryUserRepository",
    "StaticSettings",
]

R = TypeVar("R")


class InMemoryStore:
    """Committed records, each kept with a version number that every committed change increments."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.patients: dict[str, tuple[int, PatientRecord]] = {}
        self.pumps: dict[str, tuple[int, PumpRecord]] = {}
        self.diary: dict[str, tuple[int, DiaryEntryRecord]] = {}
        self.alerts: dict[str, tuple[int, Alert]] = {}
        #: The patients' dated histories, by kind name (``HISTORY_KINDS``), each by record id.
        self.history: dict[str, dict[str, tuple[int, Any]]] = {name: {} for name in HISTORY_KINDS}
        self.plans: dict[str, tuple[int, SavedPlan]] = {}
        self.program_changes: dict[str, tuple[int, ProgramChangeRecord]] = {}
        #: Responses of idempotent requests, by :func:`~baclofen.domain.idempotency.stored_response_key`.
        self.responses: dict[str, tuple[int, StoredResponse]] = {}


def _stale(committed: dict[str, tuple[int, R]], writes: Sequence[Write[R]], kind: str) -> list[str]:
    """The writes whose record another transaction committed since it was read (under the lock)."""
    return [f"{kind} {w.key!r}" for w in writes if committed.get(w.key, (0, None))[0] != w.read_version]


def _active_taken(committed: dict[str, tuple[int, Alert]], writes: Sequence[Write[Alert]]) -> list[str]:
    """The active alerts written whose patient, rule and subject another active alert holds (under the lock)."""
    after = {key: alert for key, (_, alert) in committed.items()} | {w.key: w.record for w in writes}
    holders: dict[tuple[str, str], str] = {}
    taken = []
    for key, alert in sorted(after.items()):
        if alert.is_active:
            holder = holders.setdefault((alert.patient_id, alert.dedup_key), key)
            if holder != key:
                taken.append(f"alert {alert.dedup_key!r} of patient {alert.patient_id!r} (active: {holder!r})")
    return taken


def _apply(committed: dict[str, tuple[int, R]], writes: Sequence[Write[R]]) -> None:
    """Store the writes, each at the next version (under the lock)."""
    for write in writes:
        committed[write.key] = (write.read_version + 1, write.record)


class InMemoryUnitOfWork(OverlayUnitOfWork):
    """A unit of work over an :class:`InMemoryStore` (a new, empty one unless given)."""

    def __init__(self, store: InMemoryStore | None = None) -> None:
        super().__init__()
        self.store = store if store is not None else InMemoryStore()

    def _load_patient(self, patient_id: str) -> tuple[int, PatientRecord | None]:
        with self.store.lock:
            return self.store.patients.get(patient_id, (0, None))

    def _load_pump(self, pump_id: str) -> tuple[int, PumpRecord | None]:
        with self.store.lock:
            return self.store.pumps.get(pump_id, (0, None))

    def another(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store)

    def _stored_patient_ids(self, clinic_id: str, after: str | None, limit: int) -> list[str]:
        with self.store.lock:
            found = sorted(
                key
                for key, (_, record) in self.store.patients.items()
                if record.clinic_id == clinic_id and (after is None or key > after)
            )
        return found[:limit]

    def _stored_pump_ids(self, patient_id: str) -> list[str]:
        with self.store.lock:
            return [key for key, (_, record) in self.store.pumps.items() if record.patient_id == patient_id]

    def _load_diary_entry(self, entry_id: str) -> tuple[int, DiaryEntryRecord | None]:
        with self.store.lock:
            return self.store.diary.get(entry_id, (0, None))

    def _stored_diary_ids(self, patient_id: str) -> list[str]:
        with self.store.lock:
            return [key for key, (_, entry) in self.store.diary.items() if entry.patient_id == patient_id]

    def _load_alert(self, alert_id: str) -> tuple[int, Alert | None]:
        with self.store.lock:
            return self.store.alerts.get(alert_id, (0, None))

    def _stored_alert_ids(self, patient_id: str) -> list[str]:
        with self.store.lock:
            return [key for key, (_, alert) in self.store.alerts.items() if alert.patient_id == patient_id]

    def _load_history(self, kind: str, record_id: str) -> tuple[int, Any]:
        with self.store.lock:
            return self.store.history[kind].get(record_id, (0, None))

    def _stored_history_ids(self, kind: str, patient_id: str) -> list[str]:
        with self.store.lock:
            return [key for key, (_, r) in self.store.history[kind].items() if r.patient_id == patient_id]

    def _load_plan(self, plan_id: str) -> tuple[int, SavedPlan | None]:
        with self.store.lock:
            return self.store.plans.get(plan_id, (0, None))

    def _stored_plan_ids(self, patient_id: str) -> list[str]:
        with self.store.lock:
            return [key for key, (_, plan) in self.store.plans.items() if plan.patient_id == patient_id]

    def _load_program_change(self, change_id: str) -> tuple[int, ProgramChangeRecord | None]:
        with self.store.lock:
            return self.store.program_changes.get(change_id, (0, None))

    def _stored_program_change_ids(self, pump_id: str) -> list[str]:
        with self.store.lock:
            return [key for key, (_, change) in self.store.program_changes.items() if change.pump_id == pump_id]

    def _load_stored_response(self, key: str) -> tuple[int, StoredResponse | None]:
        with self.store.lock:
            return self.store.responses.get(key, (0, None))

    def _store(self, writes: CommitWrites) -> list[str]:
        s = self.store
        with s.lock:
            before = writes.purge_responses_before
            taken = [
                f"the stored response of Idempotency-Key {w.record.key!r}"
                for w in writes.responses
                if w.key in s.responses and (before is None or s.responses[w.key][1].created_at >= before)
            ]
            stale = (
                _stale(s.patients, writes.patients, "patient")
                + _stale(s.pumps, writes.pumps, "pump")
                + _stale(s.diary, writes.diary, "diary entry")
                + _stale(s.alerts, writes.alerts, "alert")
                + _stale(s.plans, writes.plans, "saved plan")
                + _stale(s.program_changes, writes.program_changes, "program change")
            )
            for name, history_writes in writes.history.items():
                stale += _stale(s.history[name], history_writes, HISTORY_KINDS[name].label)
            stale = stale or _active_taken(s.alerts, writes.alerts) or taken
            if not stale:
                if before is not None:
                    s.responses = {k: v for k, v in s.responses.items() if v[1].created_at >= before}
                s.responses.update((w.key, (1, w.record)) for w in writes.responses)
                _apply(s.patients, writes.patients)
                _apply(s.pumps, writes.pumps)
                _apply(s.diary, writes.diary)
                _apply(s.alerts, writes.alerts)
                for name, history_writes in writes.history.items():
                    _apply(s.history[name], history_writes)
                _apply(s.plans, writes.plans)
                _apply(s.program_changes, writes.program_changes)
        return stale


class InMemoryAccounts:
    """The clinics and user accounts kept in memory (each change stored at once)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clinics: dict[str, ClinicRecord] = {}
        self.users: dict[str, UserRecord] = {}
        #: The revoked sessions and tokens: (user id, token id) -> when the token expires anyway.
        self.revoked: dict[tuple[str, str], datetime] = {}


class InMemoryClinicRepository:
    """:class:`~baclofen.services.ports.ClinicRepository` over :class:`InMemoryAccounts`."""

    def __init__(self, accounts: InMemoryAccounts) -> None:
        self._accounts = accounts

    def add(self, record: ClinicRecord) -> None:
        check_type(record, ClinicRecord, "clinic")
        with self._accounts.lock:
            if record.clinic_id in self._accounts.clinics:
                raise ConflictError(f"a clinic {record.clinic_id!r} already exists")
            self._accounts.clinics[record.clinic_id] = record

    def get(self, clinic_id: str) -> ClinicRecord:
        check_record_id(clinic_id, "clinic_id")
        with self._accounts.lock:
            found = self._accounts.clinics.get(clinic_id)
        if found is None:
            raise NotFoundError(f"no clinic {clinic_id!r}")
        return found


class InMemoryUserRepository:
    """:class:`~baclofen.services.ports.UserRepository` over :class:`InMemoryAccounts`."""

    def __init__(self, accounts: InMemoryAccounts) -> None:
        self._accounts = accounts

    def add(self, record: UserRecord) -> None:
        check_type(record, UserRecord, "user")
        with self._accounts.lock:
            if record.clinic_id not in self._accounts.clinics:
                raise NotFoundError(f"no clinic {record.clinic_id!r}")
            if record.user_id in self._accounts.users:
                raise ConflictError(f"a user {record.user_id!r} already exists")
            if any(u.username == record.username for u in self._accounts.users.values()):
                raise ConflictError(f"the username {record.username!r} is taken")
            self._accounts.users[record.user_id] = record

    def get(self, user_id: str) -> UserRecord:
        check_record_id(user_id, "user_id")
        with self._accounts.lock:
            found = self._accounts.users.get(user_id)
        if found is None:
            raise NotFoundError(f"no user {user_id!r}")
        return found

    def by_username(self, username: str) -> UserRecord:
        check_username(username)
        with self._accounts.lock:
            found = [u for u in self._accounts.users.values() if u.username == username]
        if not found:
            raise NotFoundError(f"no user {username!r}")
        return found[0]

    def get_signed_in(self, user_id: str, token_id: str) -> UserRecord:
        check_record_id(user_id, "user_id")
        check_record_id(token_id, "token_id")
        with self._accounts.lock:
            found = self._accounts.users.get(user_id)
            revoked = (user_id, token_id) in self._accounts.revoked
        if found is None or revoked:
            raise NotFoundError(f"no user {user_id!r} signed in with this token")
        return found

    def revoke_token(self, user_id: str, token_id: str, expires_at: datetime, now: datetime) -> None:
        check_record_id(user_id, "user_id")
        check_record_id(token_id, "token_id")
        with self._accounts.lock:
            revoked = self._accounts.revoked
            for key in [key for key, expires in revoked.items() if expires <= now]:
                del revoked[key]
            revoked[(user_id, token_id)] = expires_at

    def end_sessions(self, user_id: str, password_hash: str | None = None) -> UserRecord:
        check_record_id(user_id, "user_id")
        with self._accounts.lock:
            found = self._accounts.users.get(user_id)
            if found is None:
                raise NotFoundError(f"no user {user_id!r}")
            ended = replace(
                found,
                session_generation=found.session_generation + 1,
                password_hash=found.password_hash if password_hash is None else password_hash,
            )
            self._accounts.users[user_id] = ended
        return ended


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


class InMemoryJobRepository:
    """:class:`~baclofen.services.ports.JobRepository` kept in memory (the demo server's, and tests)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, JobRecord] = {}

    def add(self, job: JobRecord) -> None:
        check_type(job, JobRecord, "job")
        with self._lock:
            if job.job_id in self._jobs:
                raise ConflictError(f"a job {job.job_id!r} already exists")
            self._jobs[job.job_id] = job

    def get(self, job_id: str) -> JobRecord:
        check_record_id(job_id, "job_id")
        with self._lock:
            found = self._jobs.get(job_id)
        if found is None:
            raise NotFoundError(f"no job {job_id!r}")
        return found

    def update(self, job: JobRecord) -> None:
        check_type(job, JobRecord, "job")
        with self._lock:
            if job.job_id not in self._jobs:
                raise NotFoundError(f"no job {job.job_id!r}")
            self._jobs[job.job_id] = job

    def for_clinic(self, clinic_id: str, *, limit: int = 50) -> tuple[JobRecord, ...]:
        check_record_id(clinic_id, "clinic_id")
        check_page(None, limit)
        with self._lock:
            found = [j for j in self._jobs.values() if j.clinic_id == clinic_id]
        found.sort(key=lambda j: (j.submitted_at, j.job_id), reverse=True)
        return tuple(found[:limit])

    def unfinished(self) -> tuple[JobRecord, ...]:
        with self._lock:
            found = [j for j in self._jobs.values() if not j.status.finished]
        return tuple(sorted(found, key=lambda j: (j.submitted_at, j.job_id)))


class InMemoryClinicSettings:
    """:class:`~baclofen.services.ports.ClinicSettingsRepository` kept in memory: each clinic's changes in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changes: dict[str, list[SettingChange]] = {}

    def values(self, clinic_id: str) -> Mapping[str, Any]:
        check_record_id(clinic_id, "clinic_id")
        with self._lock:
            return values_in_force(self._changes.get(clinic_id, ()))

    def change(self, change: SettingChange) -> None:
        check_type(change, SettingChange, "setting change")
        with self._lock:
            changes = self._changes.setdefault(change.clinic_id, [])
            in_force = values_in_force(changes).get(change.name)
            if in_force != change.old_value:
                raise ConflictError(
                    f"the clinic's value of {change.name} is {in_force!r} now, not {change.old_value!r}: read it again"
                )
            changes.append(change)

    def history(self, clinic_id: str, *, name: str | None = None) -> tuple[SettingChange, ...]:
        check_record_id(clinic_id, "clinic_id")
        with self._lock:
            return tuple(c for c in self._changes.get(clinic_id, ()) if name is None or c.name == name)
