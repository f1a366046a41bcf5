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

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from baclofen.adapters.history import HISTORY_KINDS
from baclofen.adapters.overlay import CommitWrites, OverlayUnitOfWork, Write
from baclofen.adapters.sql.engine import write_transaction
from baclofen.adapters.sql.history import HistoryStale, history_ids_of_patient, load_history, store_history
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
    RefillVisitRow,
    SavedPlanRow,
)
from baclofen.domain.clinic.alerts import Alert
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.clinic.regimens import ProgramChangeRecord, SavedPlan
from baclofen.domain.errors import ServiceError
from baclofen.domain.records import PatientRecord, PumpRecord

__all__ = ["SqlUnitOfWork"]

R = TypeVar("R")


class _Stale(Exception):
    """A write found its row changed or taken by another unit of work (rolls the commit back)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _load_patient(session: Session, patient_id: str) -> tuple[int, PatientRecord | None]:
    row = session.get(PatientRow, patient_id)
    if row is None:
        return 0, None
    conditions = session.scalars(
        select(PatientConditionRow.condition).where(PatientConditionRow.patient_id == patient_id)
    ).all()
    return row.version, patient_from_rows(row, conditions)


def _load_pump(session: Session, pump_id: str) -> tuple[int, PumpRecord | None]:
    row = session.get(PumpRow, pump_id)
    if row is None:
        return 0, None
    visits = session.scalars(
        select(RefillVisitRow).where(RefillVisitRow.pump_id == pump_id).order_by(RefillVisitRow.seq)
    ).all()
    steps = session.scalars(
        select(ProgramStepRow)
        .where(ProgramStepRow.pump_id == pump_id)
        .order_by(ProgramStepRow.visit_seq, ProgramStepRow.step_no)
    ).all()
    boluses = session.scalars(
        select(ProgramBolusRow)
        .where(ProgramBolusRow.pump_id == pump_id)
        .order_by(ProgramBolusRow.visit_seq, ProgramBolusRow.bolus_no)
    ).all()
    return row.version, pump_from_rows(row, visits, steps, boluses)


def _patient_ids_of_clinic(session: Session, clinic_id: str, after: str | None, limit: int) -> Sequence[str]:
    query = select(PatientRow.patient_id).where(PatientRow.clinic_id == clinic_id)
    if after is not None:
        query = query.where(PatientRow.patient_id > after)
    return session.scalars(query.order_by(PatientRow.patient_id).limit(limit)).all()


def _pump_ids_of_patient(session: Session, patient_id: str) -> Sequence[str]:
    return session.scalars(select(PumpRow.pump_id).where(PumpRow.patient_id == patient_id)).all()


def _load_diary_entry(session: Session, entry_id: str) -> tuple[int, DiaryEntryRecord | None]:
    row = session.get(DiaryEntryRow, entry_id)
    if row is None:
        return 0, None
    symptoms = session.scalars(select(DiarySymptomRow.symptom).where(DiarySymptomRow.entry_id == entry_id)).all()
    return 1, diary_entry_from_rows(row, symptoms)


def _diary_ids_of_patient(session: Session, patient_id: str) -> Sequence[str]:
    return session.scalars(select(DiaryEntryRow.entry_id).where(DiaryEntryRow.patient_id == patient_id)).all()


def _load_alert(session: Session, alert_id: str) -> tuple[int, Alert | None]:
    row = session.get(AlertRow, alert_id)
    if row is None:
        return 0, None
    transitions = session.scalars(
        select(AlertTransitionRow).where(AlertTransitionRow.alert_id == alert_id).order_by(AlertTransitionRow.seq)
    ).all()
    return row.version, alert_from_rows(row, transitions)


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
    visits, steps, boluses = visit_rows(write.key, stored_visits, record.visits[stored_visits:])
    for table, rows in ((RefillVisitRow, visits), (ProgramStepRow, steps), (ProgramBolusRow, boluses)):
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
        return self._read(_load_patient, patient_id)

    def _load_pump(self, pump_id: str) -> tuple[int, PumpRecord | None]:
        return self._read(_load_pump, pump_id)

    def another(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    def _stored_patient_ids(self, clinic_id: str, after: str | None, limit: int) -> Sequence[str]:
        with Session(self.engine) as session, session.begin():
            return _patient_ids_of_clinic(session, clinic_id, after, limit)

    def _stored_pump_ids(self, patient_id: str) -> Sequence[str]:
        return self._read(_pump_ids_of_patient, patient_id)

    def _load_diary_entry(self, entry_id: str) -> tuple[int, DiaryEntryRecord | None]:
        return self._read(_load_diary_entry, entry_id)

    def _stored_diary_ids(self, patient_id: str) -> Sequence[str]:
        return self._read(_diary_ids_of_patient, patient_id)

    def _load_alert(self, alert_id: str) -> tuple[int, Alert | None]:
        return self._read(_load_alert, alert_id)

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

    def _store(self, writes: CommitWrites) -> list[str]:
        try:
            with write_transaction(self.engine) as connection:
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
