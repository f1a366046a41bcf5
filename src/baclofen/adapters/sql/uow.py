"""The unit of work and repositories of the ports over a SQL database (SQLite or PostgreSQL).

Optimistic concurrency, as in memory: a unit of work reads each record once, in a short read
transaction, and keeps it with the ``version`` of its row; its writes stay in the unit of work until
:meth:`SqlUnitOfWork.commit`, which stores them in one write transaction: an update only where the row's
version is still the one read (``UPDATE ... WHERE version = :read``, and the version goes up by one), an
insert only where no row has the identifier. Should any of them find the row changed or taken, the whole
transaction is rolled back and :class:`~baclofen.domain.errors.ConflictError` is raised: nothing of it is
stored, and the next reads see the other unit of work's change. No connection or lock is held between a
unit of work's statements, so two open units of work never wait for each other.

A pump's refill history is append-only: committing a pump inserts the visits it gained since it was read
and never rewrites a stored one. So are diary entries (only inserted) and an alert's transitions (committing an
alert updates its row under its version and inserts the transitions it gained); the unique ``active_key`` of
``alerts`` keeps one active alert per patient, rule and subject: a second one is a conflict.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from baclofen.adapters.history import HISTORY_KINDS
from baclofen.adapters.overlay import CommitWrites, OverlayUnitOfWork, StoredIdsOfPatient, Write
from baclofen.adapters.sql.engine import write_transaction
from baclofen.adapters.sql.history import (
    HistoryStale,
    history_id_queries,
    history_ids_of_patient,
    load_histories,
    load_history,
    store_history,
)
from baclofen.adapters.sql.idempotency import load_stored_response, store_responses
from baclofen.adapters.sql.mapping import (
    alert_from_rows,
    alert_transition_rows,
    alert_values,
    diary_entry_from_rows,
    diary_entry_values,
    patient_from_rows,
    patient_values,
    program_change_from_row,
    program_change_values,
    pump_from_rows,
    pump_values,
    saved_plan_from_row,
    saved_plan_values,
    visit_rows,
)
from baclofen.adapters.sql.schema import (
    AlertRow,
    AlertTransitionRow,
    DiaryEntryRow,
    DiarySymptomRow,
    PatientConditionRow,
    PatientRow,
    ProgramBolusRow,
    ProgramChangeRow,
    ProgramStepRow,
    PumpRow,
    RefillVisitOverrideRow,
    RefillVisitRow,
    SavedPlanRow,
)
from baclofen.domain.clinic.alerts import Alert
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.clinic.regimens import ProgramChangeRecord, SavedPlan
from baclofen.domain.errors import ServiceError
from baclofen.domain.idempotency import StoredResponse
from baclofen.domain.records import PatientRecord, PumpRecord

__all__ = ["SqlUnitOfWork"]

R = TypeVar("R")


class _Stale(Exception):
    """A write found its row changed or taken by another unit of work (rolls the commit back)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


_PATIENTS = PatientRow.__table__
_CONDITIONS = PatientConditionRow.__table__
# Statements of the hot paths (a patient read at every request about them), built once, run without the ORM.
_PATIENT_BY_ID = select(_PATIENTS).where(_PATIENTS.c.patient_id == bindparam("key"))
_CONDITIONS_OF = select(_CONDITIONS.c.condition).where(_CONDITIONS.c.patient_id == bindparam("key"))
_PATIENTS_BY_IDS = select(_PATIENTS).where(_PATIENTS.c.patient_id.in_(bindparam("keys", expanding=True)))
_CONDITIONS_OF_IDS = select(_CONDITIONS.c.patient_id, _CONDITIONS.c.condition).where(
    _CONDITIONS.c.patient_id.in_(bindparam("keys", expanding=True))
)


def _load_patient(connection: Connection, patient_id: str) -> tuple[int, PatientRecord | None]:
    row = connection.execute(_PATIENT_BY_ID, {"key": patient_id}).one_or_none()
    if row is None:
        return 0, None
    conditions = connection.execute(_CONDITIONS_OF, {"key": patient_id}).scalars().all()
    return row.version, patient_from_rows(row, conditions)


def _load_patients(connection: Connection, keys: Sequence[str]) -> dict[str, tuple[int, PatientRecord | None]]:
    conditions: dict[str, list[str]] = defaultdict(list)
    for patient_id, condition in connection.execute(_CONDITIONS_OF_IDS, {"keys": keys}):
        conditions[patient_id].append(condition)
    found: dict[str, tuple[int, PatientRecord | None]] = dict.fromkeys(keys, (0, None))
    for row in connection.execute(_PATIENTS_BY_IDS, {"keys": keys}):
        found[row.patient_id] = (row.version, patient_from_rows(row, conditions[row.patient_id]))
    return found


def _grouped(rows: Iterable[Any], column: str) -> dict[str, list[Any]]:
    """Rows by one of their columns, in the order they come."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        groups[getattr(row, column)].append(row)
    return groups


def _rows(connection: Connection, table: Any, column: str, keys: Sequence[str], *order: str) -> list[Any]:
    """The rows of ``table`` whose ``column`` is one of ``keys``, in ``order``: Core rows (no ORM objects built),
    which the mapping reads as it reads the ORM's (the same attribute names)."""
    t = table.__table__
    query = select(t).where(t.c[column].in_(keys)).order_by(*(t.c[o] for o in order))
    return list(connection.execute(query))


def _load_pumps(connection: Connection, keys: Sequence[str]) -> dict[str, tuple[int, PumpRecord | None]]:
    visits = _grouped(_rows(connection, RefillVisitRow, "pump_id", keys, "pump_id", "seq"), "pump_id")
    steps = _grouped(_rows(connection, ProgramStepRow, "pump_id", keys, "pump_id", "visit_seq", "step_no"), "pump_id")
    boluses = _grouped(
        _rows(connection, ProgramBolusRow, "pump_id", keys, "pump_id", "visit_seq", "bolus_no"), "pump_id"
    )
    overrides = _grouped(
        _rows(connection, RefillVisitOverrideRow, "pump_id", keys, "pump_id", "visit_seq", "override_no"), "pump_id"
    )
    found: dict[str, tuple[int, PumpRecord | None]] = dict.fromkeys(keys, (0, None))
    for row in _rows(connection, PumpRow, "pump_id", keys):
        k = row.pump_id
        found[k] = (
            row.version,
            pump_from_rows(row, visits.get(k, []), steps.get(k, []), boluses.get(k, []), overrides.get(k, [])),
        )
    return found


def _load_diary_entries(connection: Connection, keys: Sequence[str]) -> dict[str, tuple[int, DiaryEntryRecord | None]]:
    symptoms = _grouped(_rows(connection, DiarySymptomRow, "entry_id", keys), "entry_id")
    found: dict[str, tuple[int, DiaryEntryRecord | None]] = dict.fromkeys(keys, (0, None))
    for row in _rows(connection, DiaryEntryRow, "entry_id", keys):
        found[row.entry_id] = (1, diary_entry_from_rows(row, [s.symptom for s in symptoms.get(row.entry_id, [])]))
    return found


def _load_alerts(connection: Connection, keys: Sequence[str]) -> dict[str, tuple[int, Alert | None]]:
    transitions = _grouped(_rows(connection, AlertTransitionRow, "alert_id", keys, "alert_id", "seq"), "alert_id")
    found: dict[str, tuple[int, Alert | None]] = dict.fromkeys(keys, (0, None))
    for row in _rows(connection, AlertRow, "alert_id", keys):
        found[row.alert_id] = (row.version, alert_from_rows(row, transitions.get(row.alert_id, [])))
    return found


def _stored_ids_of_patients(connection: Connection, patient_ids: Sequence[str]) -> dict[str, StoredIdsOfPatient]:
    queries = {
        "pumps": select(PumpRow.patient_id, PumpRow.pump_id).where(PumpRow.patient_id.in_(patient_ids)),
        "diary": select(DiaryEntryRow.patient_id, DiaryEntryRow.entry_id).where(
            DiaryEntryRow.patient_id.in_(patient_ids)
        ),
        "alerts": select(AlertRow.patient_id, AlertRow.alert_id).where(AlertRow.patient_id.in_(patient_ids)),
        "plans": select(SavedPlanRow.patient_id, SavedPlanRow.plan_id).where(SavedPlanRow.patient_id.in_(patient_ids)),
        **history_id_queries(patient_ids),
    }
    listed: dict[str, dict[str, list[str]]] = {p: {name: [] for name in queries} for p in patient_ids}
    for name, query in queries.items():
        for patient_id, key in connection.execute(query):
            if patient_id is not None:
                listed[patient_id][name].append(key)
    return {
        p: StoredIdsOfPatient(
            tuple(ids["pumps"]),
            tuple(ids["diary"]),
            tuple(ids["alerts"]),
            {kind: tuple(ids[kind]) for kind in HISTORY_KINDS},
            tuple(ids["plans"]),
        )
        for p, ids in listed.items()
    }


def _stored_change_ids_of_pumps(connection: Connection, pump_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    listed: dict[str, list[str]] = {p: [] for p in pump_ids}
    query = select(ProgramChangeRow.pump_id, ProgramChangeRow.change_id).where(ProgramChangeRow.pump_id.in_(pump_ids))
    for pump_id, key in connection.execute(query):
        listed[pump_id].append(key)
    return {p: tuple(ids) for p, ids in listed.items()}


def _load_plans(connection: Connection, keys: Sequence[str]) -> dict[str, tuple[int, SavedPlan | None]]:
    found: dict[str, tuple[int, SavedPlan | None]] = dict.fromkeys(keys, (0, None))
    for row in _rows(connection, SavedPlanRow, "plan_id", keys):
        found[row.plan_id] = (1, saved_plan_from_row(row))
    return found


def _load_program_changes(
    connection: Connection, keys: Sequence[str]
) -> dict[str, tuple[int, ProgramChangeRecord | None]]:
    found: dict[str, tuple[int, ProgramChangeRecord | None]] = dict.fromkeys(keys, (0, None))
    for row in _rows(connection, ProgramChangeRow, "change_id", keys):
        found[row.change_id] = (1, program_change_from_row(row))
    return found


def _patient_ids_of_clinic(session: Session, clinic_id: str, after: str | None, limit: int) -> Sequence[str]:
    query = select(PatientRow.patient_id).where(PatientRow.clinic_id == clinic_id)
    if after is not None:
        query = query.where(PatientRow.patient_id > after)
    return session.scalars(query.order_by(PatientRow.patient_id).limit(limit)).all()


def _pump_ids_of_patient(session: Session, patient_id: str) -> Sequence[str]:
    return session.scalars(select(PumpRow.pump_id).where(PumpRow.patient_id == patient_id)).all()


def _diary_ids_of_patient(session: Session, patient_id: str) -> Sequence[str]:
    return session.scalars(select(DiaryEntryRow.entry_id).where(DiaryEntryRow.patient_id == patient_id)).all()


def _alert_ids_of_patient(session: Session, patient_id: str) -> Sequence[str]:
    return session.scalars(select(AlertRow.alert_id).where(AlertRow.patient_id == patient_id)).all()


def _load_plan(session: Session, plan_id: str) -> tuple[int, SavedPlan | None]:
    row = session.get(SavedPlanRow, plan_id)
    return (0, None) if row is None else (1, saved_plan_from_row(row))


def _plan_ids_of_patient(session: Session, patient_id: str) -> Sequence[str]:
    return session.scalars(select(SavedPlanRow.plan_id).where(SavedPlanRow.patient_id == patient_id)).all()


def _load_program_change(session: Session, change_id: str) -> tuple[int, ProgramChangeRecord | None]:
    row = session.get(ProgramChangeRow, change_id)
    return (0, None) if row is None else (1, program_change_from_row(row))


def _program_change_ids_of_pump(session: Session, pump_id: str) -> Sequence[str]:
    return session.scalars(select(ProgramChangeRow.change_id).where(ProgramChangeRow.pump_id == pump_id)).all()


def _insert_checked(connection: Connection, statement: Any, what: str) -> None:
    """Insert a record's main row; a row already there with its identifier is a conflict."""
    try:
        connection.execute(statement)
    except IntegrityError:
        raise _Stale(what) from None


def _store_patient(connection: Connection, write: Write[PatientRecord]) -> None:
    record, what = write.record, f"patient {write.key!r}"
    values = patient_values(record)
    if write.read_record is None:
        _insert_checked(connection, insert(PatientRow).values(patient_id=write.key, version=1, **values), what)
    else:
        result = connection.execute(
            update(PatientRow)
            .where(PatientRow.patient_id == write.key, PatientRow.version == write.read_version)
            .values(version=write.read_version + 1, **values)
        )
        if result.rowcount != 1:
            raise _Stale(what)
        connection.execute(delete(PatientConditionRow).where(PatientConditionRow.patient_id == write.key))
    conditions = [{"patient_id": write.key, "condition": c} for c in sorted(record.snapshot.conditions)]
    if conditions:
        connection.execute(insert(PatientConditionRow), conditions)


def _store_pump(connection: Connection, write: Write[PumpRecord]) -> None:
    record, what = write.record, f"pump {write.key!r}"
    values = pump_values(record)
    stored_visits = 0
    if write.read_record is None:
        _insert_checked(connection, insert(PumpRow).values(pump_id=write.key, version=1, **values), what)
    else:
        stored_visits = len(write.read_record.visits)
        if record.visits[:stored_visits] != write.read_record.visits:
            raise ServiceError(f"pump {write.key!r}: a stored refill visit cannot change (the history is append-only)")
        result = connection.execute(
            update(PumpRow)
            .where(PumpRow.pump_id == write.key, PumpRow.version == write.read_version)
            .values(version=write.read_version + 1, **values)
        )
        if result.rowcount != 1:
            raise _Stale(what)
    visits, steps, boluses, overrides = visit_rows(write.key, stored_visits, record.visits[stored_visits:])
    for table, rows in (
        (RefillVisitRow, visits),
        (ProgramStepRow, steps),
        (ProgramBolusRow, boluses),
        (RefillVisitOverrideRow, overrides),
    ):
        if rows:
            connection.execute(insert(table), rows)


def _store_diary_entry(connection: Connection, write: Write[DiaryEntryRecord]) -> None:
    if write.read_record is not None:
        raise ServiceError(f"diary entry {write.key!r}: a stored entry cannot change (the diary is append-only)")
    row, symptoms = diary_entry_values(write.record)
    _insert_checked(connection, insert(DiaryEntryRow).values(**row), f"diary entry {write.key!r}")
    if symptoms:
        connection.execute(insert(DiarySymptomRow), symptoms)


def _store_alert(connection: Connection, write: Write[Alert]) -> None:
    alert, what = write.record, f"alert {write.key!r}"
    values = alert_values(alert)
    stored = 0
    try:
        if write.read_record is None:
            connection.execute(insert(AlertRow).values(version=1, **values))
        else:
            stored = len(write.read_record.transitions)
            result = connection.execute(
                update(AlertRow)
                .where(AlertRow.alert_id == write.key, AlertRow.version == write.read_version)
                .values(version=write.read_version + 1, **values)
            )
            if result.rowcount != 1:
                raise _Stale(what)
    except IntegrityError:  # the identifier, or the active rule and subject, is taken
        raise _Stale(f"{what} ({alert.dedup_key} of patient {alert.patient_id!r})") from None
    rows = alert_transition_rows(alert, stored)
    if rows:
        connection.execute(insert(AlertTransitionRow), rows)


def _store_inserted(connection: Connection, write: Write[Any], table: Any, values: dict[str, Any], what: str) -> None:
    """Insert a record of an append-only history; its identifier (or its position) taken is a conflict."""
    if write.read_record is not None:
        raise ServiceError(f"{what}: a stored record cannot change (the history is append-only)")
    _insert_checked(connection, insert(table).values(**values), what)


class SqlUnitOfWork(OverlayUnitOfWork):
    """A unit of work over the SQL store of ``engine`` (made by
    :func:`~baclofen.adapters.sql.engine.create_database_engine`, migrated to the head revision)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    def _read(self, query: Callable[[Session, str], R], key: str) -> R:
        """``query`` in a read transaction of its own (nothing is held after it)."""
        with Session(self.engine) as session, session.begin():
            return query(session, key)

    def _load_patient(self, patient_id: str) -> tuple[int, PatientRecord | None]:
        with self.engine.connect() as connection, connection.begin():
            return _load_patient(connection, patient_id)

    def _load_patients(self, patient_ids: Sequence[str]) -> dict[str, tuple[int, PatientRecord | None]]:
        return self._read_many(_load_patients, patient_ids)

    def _load_pumps(self, pump_ids: Sequence[str]) -> dict[str, tuple[int, PumpRecord | None]]:
        return self._read_many(_load_pumps, pump_ids)

    def _load_diary_entries(self, entry_ids: Sequence[str]) -> dict[str, tuple[int, DiaryEntryRecord | None]]:
        return self._read_many(_load_diary_entries, entry_ids)

    def _load_alerts(self, alert_ids: Sequence[str]) -> dict[str, tuple[int, Alert | None]]:
        return self._read_many(_load_alerts, alert_ids)

    def _stored_ids_of_patients(self, patient_ids: Sequence[str]) -> dict[str, StoredIdsOfPatient]:
        return self._read_many(_stored_ids_of_patients, patient_ids)

    def _load_histories(self, kind: str, record_ids: Sequence[str]) -> dict[str, tuple[int, Any]]:
        with self.engine.connect() as connection, connection.begin():
            return load_histories(connection, kind, record_ids)

    def _load_plans(self, plan_ids: Sequence[str]) -> dict[str, tuple[int, SavedPlan | None]]:
        return self._read_many(_load_plans, plan_ids)

    def _load_program_changes(self, change_ids: Sequence[str]) -> dict[str, tuple[int, ProgramChangeRecord | None]]:
        return self._read_many(_load_program_changes, change_ids)

    def _stored_change_ids_of_pumps(self, pump_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        return self._read_many(_stored_change_ids_of_pumps, pump_ids)

    def _read_many(self, query: Callable[[Connection, Sequence[str]], R], keys: Sequence[str]) -> R:
        """``query`` of several keys in a read transaction of its own (nothing is held after it)."""
        with self.engine.connect() as connection, connection.begin():
            return query(connection, keys)

    def _load_pump(self, pump_id: str) -> tuple[int, PumpRecord | None]:
        return self._load_pumps([pump_id])[pump_id]

    def another(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    def _stored_patient_ids(self, clinic_id: str, after: str | None, limit: int) -> Sequence[str]:
        with Session(self.engine) as session, session.begin():
            return _patient_ids_of_clinic(session, clinic_id, after, limit)

    def _stored_pump_ids(self, patient_id: str) -> Sequence[str]:
        return self._read(_pump_ids_of_patient, patient_id)

    def _load_diary_entry(self, entry_id: str) -> tuple[int, DiaryEntryRecord | None]:
        return self._load_diary_entries([entry_id])[entry_id]

    def _stored_diary_ids(self, patient_id: str) -> Sequence[str]:
        return self._read(_diary_ids_of_patient, patient_id)

    def _load_alert(self, alert_id: str) -> tuple[int, Alert | None]:
        return self._load_alerts([alert_id])[alert_id]

    def _stored_alert_ids(self, patient_id: str) -> Sequence[str]:
        return self._read(_alert_ids_of_patient, patient_id)

    def _load_history(self, kind: str, record_id: str) -> tuple[int, Any]:
        with Session(self.engine) as session, session.begin():
            return load_history(session, kind, record_id)

    def _stored_history_ids(self, kind: str, patient_id: str) -> Sequence[str]:
        with Session(self.engine) as session, session.begin():
            return history_ids_of_patient(session, kind, patient_id)

    def _load_plan(self, plan_id: str) -> tuple[int, SavedPlan | None]:
        return self._read(_load_plan, plan_id)

    def _stored_plan_ids(self, patient_id: str) -> Sequence[str]:
        return self._read(_plan_ids_of_patient, patient_id)

    def _load_program_change(self, change_id: str) -> tuple[int, ProgramChangeRecord | None]:
        return self._read(_load_program_change, change_id)

    def _stored_program_change_ids(self, pump_id: str) -> Sequence[str]:
        return self._read(_program_change_ids_of_pump, pump_id)

    def _load_stored_response(self, key: str) -> tuple[int, StoredResponse | None]:
        with self.engine.connect() as connection, connection.begin():
            return load_stored_response(connection, key)

    def _store(self, writes: CommitWrites) -> list[str]:
        try:
            with write_transaction(self.engine) as connection:
                taken = store_responses(connection, writes.responses, writes.purge_responses_before)
                if taken is not None:
                    raise _Stale(taken)
                for patient in writes.patients:
                    _store_patient(connection, patient)
                for pump in writes.pumps:
                    _store_pump(connection, pump)
                for entry in writes.diary:
                    _store_diary_entry(connection, entry)
                # resolutions first: an alert resolved frees its rule and subject for one raised in this commit
                for alert in sorted(writes.alerts, key=lambda w: w.record.is_active):
                    _store_alert(connection, alert)
                for name, history_writes in writes.history.items():
                    for write in history_writes:
                        store_history(connection, name, HISTORY_KINDS[name].label, write)
                for plan in writes.plans:
                    what = f"saved plan {plan.key!r} (seq {plan.record.seq} of patient {plan.record.patient_id!r})"
                    _store_inserted(connection, plan, SavedPlanRow, saved_plan_values(plan.record), what)
                for change in writes.program_changes:
                    what = f"program change {change.key!r} (seq {change.record.seq} of pump {change.record.pump_id!r})"
                    _store_inserted(connection, change, ProgramChangeRow, program_change_values(change.record), what)
        except (_Stale, HistoryStale) as exc:  # raised inside the transaction: it is rolled back
            return [exc.what]
        return []
