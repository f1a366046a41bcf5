"""The tables of the SQL store (SQLAlchemy 2 typed declarative), one module for SQLite and PostgreSQL.

What the ports store, in typed columns: patients (with their condition names), pumps, each pump's refill
visits in order (``seq`` 0, 1, ...) with the program of each fill (its rate steps and boluses), diary entries
(with their symptoms), alerts (with their transitions in order), saved oral plans and pump program changes (each an
append-only history, ``seq`` 0, 1, ...), the audit log and the responses stored with the
``Idempotency-Key`` of the requests that created a record (each inserted in the transaction of its record,
deleted once expired). Every patient, pump and
alert row carries a ``version`` that each committed change increments: the unit of work's optimistic lock. The
migrations (``migrations/versions``) create exactly this schema, plus the triggers that keep ``audit_log``, the
diary and alert transitions append-only and alerts undeleted; a test compares the two.

Times: an instant is stored in UTC (:class:`UtcDateTime`) with the name of its zone beside it (an IANA
name such as ``Europe/Paris``, or a fixed offset such as ``+01:00``); a visit dated without a time keeps
its date (``refilled_on``), and one timed on the pump clock without a zone its wall time (``refilled_local``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from baclofen.domain.clinic.alerts import MAX_SUBJECT_LENGTH
from baclofen.domain.clinic.diary import MAX_DIARY_NOTE_LENGTH
from baclofen.domain.clinic.regimens import MAX_CHANGE_REASON_LENGTH
from baclofen.domain.idempotency import MAX_IDEMPOTENCY_KEY_LENGTH, MAX_ROUTE_LENGTH
from baclofen.domain.records import (
    MAX_AUDIT_TEXT_LENGTH,
    MAX_CLINIC_NAME_LENGTH,
    MAX_RECORD_ID_LENGTH,
    MAX_USERNAME_LENGTH,
)

__all__ = [
    "AUDIT_LOG_TABLE",
    "SETTING_NAME_LENGTH",
    "CONDITION_LENGTH",
    "NAMING_CONVENTION",
    "ZONE_LENGTH",
    "ACTIVE_KEY_LENGTH",
    "AlertRow",
    "AlertTransitionRow",
    "AuditLogRow",
    "Base",
    "ClinicRow",
    "CovariateObservationRow",
    "ClinicSettingChangeRow",
    "DiaryEntryRow",
    "DiarySymptomRow",
    "IdempotencyKeyRow",
    "OutcomeScoreRow",
    "PatientConditionRow",
    "PopulationJobRow",
    "PatientRow",
    "ProgramBolusRow",
    "ProgramChangeRow",
    "ProgramStepRow",
    "PumpRow",
    "RefillVisitOverrideRow",
    "RefillVisitRow",
    "ScreeningTrialRow",
    "SavedPlanRow",
    "UserRow",
    "UtcDateTime",
]

AUDIT_LOG_TABLE = "audit_log"
#: Longest zone name kept beside a time (IANA names are at most about 30 characters).
ZONE_LENGTH = 64
#: Longest name of a setting (``itb.refill.reconcile_tolerance_percent``).
SETTING_NAME_LENGTH = 200
#: Longest condition name of a patient.
CONDITION_LENGTH = 200
#: Longest rule id kept (``PUMP-RECON-006``).
RULE_ID_LENGTH = 64
#: Longest ``alerts.active_key``: patient id, rule id (64) and subject, separated by spaces.
ACTIVE_KEY_LENGTH = MAX_RECORD_ID_LENGTH + RULE_ID_LENGTH + MAX_SUBJECT_LENGTH + 2

#: Constraint names the same on both engines, so that migrations can name them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """An instant stored in UTC: an aware datetime in, an aware UTC datetime out (a naive one is refused).

    PostgreSQL keeps a ``timestamp with time zone``; SQLite, which has no such type, the UTC wall time.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise ValueError(f"an instant with its UTC offset is stored, not {value!r}")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _record_id(*args: Any, **kw: Any) -> Any:
    """A column of a record identifier (a patient's or a pump's)."""
    return mapped_column(String(MAX_RECORD_ID_LENGTH), *args, **kw)


class PatientRow(Base):
    """A patient (:class:`~baclofen.domain.records.PatientRecord`): the covariates of its snapshot."""

    __tablename__ = "patients"

    patient_id: Mapped[str] = _record_id(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    age_years: Mapped[float | None] = mapped_column(Double)
    weight_kg: Mapped[float | None] = mapped_column(Double)
    sex: Mapped[str | None] = mapped_column(String(16))
    serum_creatinine_mg_dl: Mapped[float | None] = mapped_column(Double)
    crcl_ml_min: Mapped[float | None] = mapped_column(Double)
    egfr_ml_min_1_73m2: Mapped[float | None] = mapped_column(Double)
    dialysis: Mapped[bool] = mapped_column(Boolean)
    origin: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(16))
    #: Not a foreign key, as a pump's patient_id is not: the patient records and the accounts are stored
    #: apart (the records through a unit of work, the accounts each change at once).
    clinic_id: Mapped[str | None] = _record_id(index=True)

    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"),)


class PatientConditionRow(Base):
    """One condition name of a patient (``PatientSnapshot.conditions``)."""

    __tablename__ = "patient_conditions"

    patient_id: Mapped[str] = _record_id(ForeignKey("patients.patient_id", ondelete="CASCADE"), primary_key=True)
    condition: Mapped[str] = mapped_column(String(CONDITION_LENGTH), primary_key=True)


class PumpRow(Base):
    """An implanted pump (:class:`~baclofen.domain.records.PumpRecord`) without its visits.

    ``patient_id`` is not a foreign key: a pump may be recorded before (or without) its patient's record,
    as the ports allow."""

    __tablename__ = "pumps"

    pump_id: Mapped[str] = _record_id(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    model_key: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[str | None] = _record_id(index=True)
    implanted: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"),)


class RefillVisitRow(Base):
    """One refill visit of a pump, at position ``seq`` (0 = oldest) of its append-only history.

    At most one of ``refilled_on`` (a date), ``refilled_local`` (a pump-clock time, no zone) and
    ``refilled_at_utc`` (an instant, with ``refilled_zone`` beside it) is set."""

    __tablename__ = "refill_visits"

    pump_id: Mapped[str] = _record_id(ForeignKey("pumps.pump_id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    refilled_on: Mapped[date | None] = mapped_column(Date)
    refilled_local: Mapped[datetime | None] = mapped_column(DateTime(timezone=False))
    refilled_at_utc: Mapped[datetime | None] = mapped_column(UtcDateTime)
    refilled_zone: Mapped[str | None] = mapped_column(String(ZONE_LENGTH))
    expected_ml: Mapped[float | None] = mapped_column(Double)
    aspirated_ml: Mapped[float | None] = mapped_column(Double)
    fill_ml: Mapped[float | None] = mapped_column(Double)
    concentration_mcg_per_ml: Mapped[float | None] = mapped_column(Double)
    program_mode: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        CheckConstraint("seq >= 0", name="seq_not_negative"),
        CheckConstraint(
            "(CASE WHEN refilled_on IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN refilled_local IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN refilled_at_utc IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_kind_of_time",
        ),
        CheckConstraint("(refilled_at_utc IS NULL) = (refilled_zone IS NULL)", name="zone_with_instant"),
        CheckConstraint("(expected_ml IS NULL) = (aspirated_ml IS NULL)", name="residuals_together"),
    )


class ProgramStepRow(Base):
    """A rate step of the program of a visit's fill (``step_no`` 0, 1, ... in time order)."""

    __tablename__ = "refill_visit_program_steps"

    pump_id: Mapped[str] = _record_id(primary_key=True)
    visit_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    step_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    start_minute: Mapped[int] = mapped_column(Integer)
    rate_mcg_per_h: Mapped[float] = mapped_column(Double)

    __table_args__ = (
        ForeignKeyConstraint(
            ["pump_id", "visit_seq"], ["refill_visits.pump_id", "refill_visits.seq"], ondelete="CASCADE"
        ),
    )


class ProgramBolusRow(Base):
    """A periodic bolus of the program of a visit's fill (``bolus_no`` 0, 1, ...)."""

    __tablename__ = "refill_visit_program_boluses"

    pump_id: Mapped[str] = _record_id(primary_key=True)
    visit_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    bolus_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    start_minute: Mapped[int] = mapped_column(Integer)
    dose_mcg: Mapped[float] = mapped_column(Double)
    duration_minutes: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        ForeignKeyConstraint(
            ["pump_id", "visit_seq"], ["refill_visits.pump_id", "refill_visits.seq"], ondelete="CASCADE"
        ),
    )


class RefillVisitOverrideRow(Base):
    """A clinician's override of a block of a visit (``override_no`` 0, 1, ... in the order given): which rule,
    who and why (:class:`~baclofen.domain.rules.core.Override`). Only ever inserted with its visit (the
    migrations' triggers refuse UPDATE and DELETE), and its visit cannot be deleted while it stands."""

    __tablename__ = "refill_visit_overrides"

    pump_id: Mapped[str] = _record_id(primary_key=True)
    visit_seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    override_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rule_id: Mapped[str] = mapped_column(String(RULE_ID_LENGTH))
    clinician: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        ForeignKeyConstraint(["pump_id", "visit_seq"], ["refill_visits.pump_id", "refill_visits.seq"]),
        UniqueConstraint("pump_id", "visit_seq", "rule_id"),
        CheckConstraint("override_no >= 0", name="override_no_not_negative"),
    )


class AuditLogRow(Base):
    """An audit entry (:class:`~baclofen.domain.records.AuditEntry`); the database refuses to change or
    delete one (triggers of the migrations)."""

    __tablename__ = AUDIT_LOG_TABLE

    entry_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at_utc: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    at_zone: Mapped[str] = mapped_column(String(ZONE_LENGTH))
    actor: Mapped[str] = mapped_column(String(MAX_AUDIT_TEXT_LENGTH), index=True)
    action: Mapped[str] = mapped_column(String(MAX_AUDIT_TEXT_LENGTH))
    target: Mapped[str] = mapped_column(String(MAX_AUDIT_TEXT_LENGTH), index=True)
    outcome: Mapped[str] = mapped_column(String(16))


class DiaryEntryRow(Base):
    """A diary entry (:class:`~baclofen.domain.clinic.diary.DiaryEntryRecord`), never changed or deleted (the
    migrations' triggers refuse it). ``patient_id`` is not a foreign key, as for pumps."""

    __tablename__ = "diary_entries"

    entry_id: Mapped[str] = _record_id(primary_key=True)
    patient_id: Mapped[str] = _record_id(index=True)
    recorded_at_utc: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_zone: Mapped[str] = mapped_column(String(ZONE_LENGTH))
    doses_taken: Mapped[int | None] = mapped_column(Integer)
    doses_missed: Mapped[int] = mapped_column(Integer)
    penn_frequency: Mapped[int | None] = mapped_column(Integer)
    penn_severity: Mapped[int | None] = mapped_column(Integer)
    stiffness_nrs: Mapped[float | None] = mapped_column(Double)
    pain_nrs: Mapped[float | None] = mapped_column(Double)
    sleep_nrs: Mapped[float | None] = mapped_column(Double)
    note: Mapped[str] = mapped_column(String(MAX_DIARY_NOTE_LENGTH))

    __table_args__ = (
        CheckConstraint("doses_missed >= 0", name="doses_missed_not_negative"),
        CheckConstraint("(penn_frequency IS NULL) OR (penn_frequency BETWEEN 0 AND 4)", name="penn_frequency_range"),
    )


class DiarySymptomRow(Base):
    """One symptom of a diary entry (a value of :class:`~baclofen.domain.cds.timeline.Symptom`)."""

    __tablename__ = "diary_entry_symptoms"

    entry_id: Mapped[str] = _record_id(ForeignKey("diary_entries.entry_id", ondelete="CASCADE"), primary_key=True)
    symptom: Mapped[str] = mapped_column(String(64), primary_key=True)


class AlertRow(Base):
    """An alert (:class:`~baclofen.domain.clinic.alerts.Alert`) without its transitions; never deleted.

    ``active_key`` (patient, rule and subject) is set while the alert is open or acknowledged and NULL once
    resolved: its unique constraint keeps one active alert per rule and subject of a patient, whichever unit of
    work commits first. ``evidence`` holds the citation keys separated by spaces."""

    __tablename__ = "alerts"

    alert_id: Mapped[str] = _record_id(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    patient_id: Mapped[str] = _record_id(index=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(MAX_SUBJECT_LENGTH))
    level: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    raised_at_utc: Mapped[datetime] = mapped_column(UtcDateTime)
    raised_zone: Mapped[str] = mapped_column(String(ZONE_LENGTH))
    message: Mapped[str] = mapped_column(Text)
    reasoning: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(String(1000))
    active_key: Mapped[str | None] = mapped_column(String(ACTIVE_KEY_LENGTH), unique=True)

    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"),)


class AlertTransitionRow(Base):
    """A transition of an alert at position ``seq`` (0 = first): the state entered, who, when, why. Only ever
    inserted (the migrations' triggers refuse UPDATE and DELETE)."""

    __tablename__ = "alert_transitions"

    alert_id: Mapped[str] = _record_id(ForeignKey("alerts.alert_id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(MAX_AUDIT_TEXT_LENGTH))
    at_utc: Mapped[datetime] = mapped_column(UtcDateTime)
    at_zone: Mapped[str] = mapped_column(String(ZONE_LENGTH))
    reason: Mapped[str] = mapped_column(Text)

    __table_args__ = (CheckConstraint("seq >= 0", name="seq_not_negative"),)


class ClinicRow(Base):
    """A clinic (:class:`~baclofen.domain.records.ClinicRecord`)."""

    __tablename__ = "clinics"

    clinic_id: Mapped[str] = _record_id(primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_CLINIC_NAME_LENGTH))


class UserRow(Base):
    """A user account (:class:`~baclofen.domain.records.UserRecord`): a patient's names its patient record."""

    __tablename__ = "users"

    user_id: Mapped[str] = _record_id(primary_key=True)
    clinic_id: Mapped[str] = _record_id(ForeignKey("clinics.clinic_id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(MAX_USERNAME_LENGTH))
    password_hash: Mapped[str] = mapped_column(String(255))
    patient_id: Mapped[str | None] = _record_id()
    #: Migration 0010: how many times every session and token of the account was ended.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (
        UniqueConstraint("username"),
        CheckConstraint("role IN ('clinician', 'nurse', 'patient', 'admin')", name="known_role"),
        CheckConstraint("(role = 'patient') = (patient_id IS NOT NULL)", name="patient_id_for_patients"),
    )


class RevokedTokenRow(Base):
    """A web session or API token revoked before it expires (migration 0010): refused until ``expires_at_utc``,
    then forgotten (it has expired on its own). Goes with its account (ON DELETE CASCADE)."""

    __tablename__ = "revoked_tokens"

    user_id: Mapped[str] = _record_id(ForeignKey("users.user_id", ondelete="CASCADE"), primary_key=True)
    token_id: Mapped[str] = _record_id(primary_key=True)
    expires_at_utc: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


# --- the patients' dated histories (migration 0004): never changed or deleted (its triggers refuse it) ------------
#: Longest "who recorded it" of a history record (an actor label of the audit log).
RECORDED_BY_LENGTH = MAX_AUDIT_TEXT_LENGTH


class CovariateObservationRow(Base):
    """A covariate observation (:class:`~baclofen.domain.clinic.observations.CovariateObservation`): weight,
    one kidney function, dialysis, each NULL when not observed."""

    __tablename__ = "covariate_observations"

    observation_id: Mapped[str] = _record_id(primary_key=True)
    patient_id: Mapped[str] = _record_id(index=True)
    observed_on: Mapped[date] = mapped_column(Date)
    recorded_at_utc: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_zone: Mapped[str] = mapped_column(String(ZONE_LENGTH))
    recorded_by: Mapped[str] = mapped_column(String(RECORDED_BY_LENGTH))
    weight_kg: Mapped[float | None] = mapped_column(Double)
    serum_creatinine_mg_dl: Mapped[float | None] = mapped_column(Double)
    crcl_ml_min: Mapped[float | None] = mapped_column(Double)
    egfr_ml_min_1_73m2: Mapped[float | None] = mapped_column(Double)
    dialysis: Mapped[bool | None] = mapped_column(Boolean)

    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN serum_creatinine_mg_dl IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN crcl_ml_min IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN egfr_ml_min_1_73m2 IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_kidney_function",
        ),
    )


class ScreeningTrialRow(Base):
    """An ITB screening bolus (:class:`~baclofen.domain.clinic.observations.ScreeningTrialRecord`)."""

    __tablename__ = "screening_trials"

    trial_id: Mapped[str] = _record_id(primary_key=True)
    patient_id: Mapped[str] = _record_id(index=True)
    given_at_utc: Mapped[datetime] = mapped_column(UtcDateTime)
    given_zone: Mapped[str] = mapped_column(String(ZONE_LENGTH))
    dose_mcg: Mapped[float] = mapped_column(Double)
    responded: Mapped[bool] = mapped_column(Boolean)
    effect_duration_hours: Mapped[float | None] = mapped_column(Double)
    negative_reactions: Mapped[bool] = mapped_column(Boolean)
    ashworth_before: Mapped[float | None] = mapped_column(Double)
    ashworth_after: Mapped[float | None] = mapped_column(Double)
    spasm_frequency_before: Mapped[int | None] = mapped_column(Integer)
    spasm_frequency_after: Mapped[int | None] = mapped_column(Integer)
    recorded_at_utc: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_zone: Mapped[str] = mapped_column(String(ZONE_LENGTH))
    recorded_by: Mapped[str] = mapped_column(String(RECORDED_BY_LENGTH))
    note: Mapped[str] = mapped_column(String(MAX_DIARY_NOTE_LENGTH))

    __table_args__ = (CheckConstraint("dose_mcg > 0", name="dose_positive"),)


class OutcomeScoreRow(Base):
    """An outcome score (:class:`~baclofen.domain.clinic.observations.OutcomeScoreRecord`): its scale's name and
    its value as text (``1+``, ``3:2``, ``6.5``), read back through the scale."""

    __tablename__ = "outcome_scores"

    score_id: Mapped[str] = _record_id(primary_key=True)
    patient_id: Mapped[str] = _record_id(index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    scale: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(32))
    muscle_group: Mapped[str | None] = mapped_column(String(100))
    recorded_at_utc: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_zone: Mapped[str] = mapped_column(String(ZONE_LENGTH))
    recorded_by: Mapped[str] = mapped_column(String(RECORDED_BY_LENGTH))
    note: Mapped[str] = mapped_column(String(MAX_DIARY_NOTE_LENGTH))


class PopulationJobRow(Base):
    """A population job (:class:`~baclofen.domain.jobs.JobRecord`): its request and result documents as JSON
    text. ``clinic_id`` is not a foreign key, as a patient's is not."""

    __tablename__ = "population_jobs"

    job_id: Mapped[str] = _record_id(primary_key=True)
    clinic_id: Mapped[str] = _record_id(index=True)
    submitted_by: Mapped[str] = mapped_column(String(MAX_AUDIT_TEXT_LENGTH))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    done: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    submitted_at_utc: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at_utc: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at_utc: Mapped[datetime | None] = mapped_column(UtcDateTime)
    request_json: Mapped[str] = mapped_column(Text)
    result_json: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name="known_status"),
        CheckConstraint("done >= 0 AND done <= total", name="done_within_total"),
    )


class SavedPlanRow(Base):
    """A saved oral plan (:class:`~baclofen.domain.clinic.regimens.SavedPlan`) at position ``seq`` of its patient's
    history: the plan as its ``baclofen-plan/1`` JSON document (findings, settings and overrides inside), who saved it
    and when. Only ever inserted (the migrations' triggers refuse UPDATE and DELETE); ``(patient_id, seq)`` is unique,
    so of two plans saved at one position concurrently only the first commits. ``patient_id`` is not a foreign key,
    as for pumps."""

    __tablename__ = "saved_plans"

    plan_id: Mapped[str] = _record_id(primary_key=True)
    patient_id: Mapped[str] = _record_id(index=True)
    seq: Mapped[int] = mapped_column(Integer, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))
    document: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(MAX_AUDIT_TEXT_LENGTH))
    saved_at_utc: Mapped[datetime] = mapped_column(UtcDateTime)
    saved_zone: Mapped[str] = mapped_column(String(ZONE_LENGTH))

    __table_args__ = (
        UniqueConstraint("patient_id", "seq"),
        CheckConstraint("seq >= 0", name="seq_not_negative"),
    )


class ProgramChangeRow(Base):
    """A pump's program change between refills (:class:`~baclofen.domain.clinic.regimens.ProgramChangeRecord`) at
    position ``seq`` of its pump's changes: the program (mode and its rate steps as JSON ``[[minute, mcg/h], ...]``),
    when, by whom, why, and the findings and settings of the titration rules (JSON). Only ever inserted;
    ``(pump_id, seq)`` is unique. ``pump_id`` is not a foreign key (a pump's row may be replaced in tests)."""

    __tablename__ = "program_changes"

    change_id: Mapped[str] = _record_id(primary_key=True)
    pump_id: Mapped[str] = _record_id(index=True)
    seq: Mapped[int] = mapped_column(Integer, autoincrement=False)
    changed_at_utc: Mapped[datetime] = mapped_column(UtcDateTime)
    changed_zone: Mapped[str] = mapped_column(String(ZONE_LENGTH))
    program_mode: Mapped[str] = mapped_column(String(32))
    program_steps: Mapped[str] = mapped_column(Text)
    previous_daily_dose_mcg: Mapped[float] = mapped_column(Double)
    changed_by: Mapped[str] = mapped_column(String(MAX_AUDIT_TEXT_LENGTH))
    reason: Mapped[str] = mapped_column(String(MAX_CHANGE_REASON_LENGTH))
    findings: Mapped[str] = mapped_column(Text)
    settings: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("pump_id", "seq"),
        CheckConstraint("seq >= 0", name="seq_not_negative"),
    )


class ClinicSettingChangeRow(Base):
    """A change of a clinic's value of a setting (:class:`~baclofen.domain.clinic.settings_profile.SettingChange`),
    the ``seq``-th (0 = first) of that clinic and setting; only ever inserted (the migrations' triggers refuse UPDATE
    and DELETE). A value is its JSON text (a number, true/false or a choice); NULL is the default. The unique
    ``(clinic_id, name, seq)`` makes the second of two concurrent changes of one setting fail (no lost update).
    ``clinic_id`` is not a foreign key, as a patient's is not: the accounts are stored apart."""

    __tablename__ = "clinic_setting_changes"

    change_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    clinic_id: Mapped[str] = _record_id(index=True)
    name: Mapped[str] = mapped_column(String(SETTING_NAME_LENGTH))
    seq: Mapped[int] = mapped_column(Integer)
    old_value: Mapped[str | None] = mapped_column(String(200))
    new_value: Mapped[str | None] = mapped_column(String(200))
    by: Mapped[str] = mapped_column(String(MAX_AUDIT_TEXT_LENGTH))
    at_utc: Mapped[datetime] = mapped_column(UtcDateTime)
    at_zone: Mapped[str] = mapped_column(String(ZONE_LENGTH))
    reason: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("clinic_id", "name", "seq"),
        CheckConstraint("seq >= 0", name="seq_not_negative"),
    )


class IdempotencyKeyRow(Base):
    """The response to a request sent with an ``Idempotency-Key``
    (:class:`~baclofen.domain.idempotency.StoredResponse`), inserted in the transaction of the record it created;
    one per caller, route and key (the primary key: of two concurrent requests with one key only the first
    commits). Deleted once expired (``created_at_utc``). ``headers`` is JSON text (a list of [name, value])."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[str] = _record_id(primary_key=True)
    route: Mapped[str] = mapped_column(String(MAX_ROUTE_LENGTH), primary_key=True)
    idem_key: Mapped[str] = mapped_column(String(MAX_IDEMPOTENCY_KEY_LENGTH), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    headers: Mapped[str] = mapped_column(Text)
    created_at_utc: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
