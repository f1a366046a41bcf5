"""The composition root: the one place that chooses the adapters and gives them to the use cases.

An entrypoint calls :func:`bootstrap` once (the CLI once per invocation) and then only the
:class:`Services` it returns: the use cases with their unit of work and clinic settings injected, and
the clinic's clock for "today" when the user gives no date. Nothing is built at import time. The
defaults are the system clock, no clinic setting overrides and an empty in-memory store and audit log
(the one-shot CLI's, for one invocation). Given a ``database_url`` (SQLite or PostgreSQL), the unit of
work and the audit log are the SQL store's (:mod:`baclofen.adapters.sql`), once its schema is at the
revision this version needs (``baclofen db upgrade``); the clinic service (issue 8/10) starts that way. Each
clinic's settings profile is kept beside the records (:attr:`Services.clinic_settings`); a request's services
(:meth:`Services.for_request` with the caller's clinic) take that clinic's values over the configured ``settings``.

>>> from datetime import datetime, timezone
>>> from baclofen.adapters.clock import FixedClock
>>> services = bootstrap(clock=FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)))
>>> services.clock.today()
datetime.date(2026, 3, 2)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Any

from baclofen.adapters.clock import SystemClock
from baclofen.adapters.fhir.export import export_clinic_ndjson, export_patient_bundle
from baclofen.adapters.fhir.reading import BundleReading, ImportOptions, read_patient_bundle
from baclofen.adapters.memory import (
    InMemoryAccounts,
    InMemoryAuditLog,
    InMemoryClinicRepository,
    InMemoryClinicSettings,
    InMemoryJobRepository,
    InMemoryUnitOfWork,
    InMemoryUserRepository,
    StaticSettings,
)
from baclofen.adapters.passwords import Argon2PasswordHasher
from baclofen.domain.clinic.alerts import Alert
from baclofen.domain.clinic.observations import CovariateObservation, OutcomeScoreRecord, ScreeningTrialRecord
from baclofen.domain.clinic.regimens import ProgramChangeRecord, SavedPlan
from baclofen.domain.clinic.settings_profile import SettingChange, SettingProfileEntry
from baclofen.domain.clinic.timeline import StoredTimeline
from baclofen.domain.clinic.worklist import Worklist
from baclofen.domain.documents import read_optional_enum
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.patient import Locale, SpasticityOrigin
from baclofen.domain.records import PumpRecord, Role, UserRecord
from baclofen.services import accounts, cds_hooks, clinic, clinic_settings, demo_clinic, fhir, histories, itb, regimens
from baclofen.services.commands import (
    AlertDecision,
    AssessPatientRisk,
    ChangeClinicSetting,
    ChangePumpProgram,
    ComputeWorklist,
    ForecastNextRefill,
    ImportPatientFile,
    LogDiaryEntry,
    RaiseAlerts,
    ReadPatientTimeline,
    RecordCovariates,
    RecordOutcomeScore,
    RecordRefillVisit,
    RecordScreeningTrial,
    SavePlan,
    ViewPatient,
)
from baclofen.services.jobs import DEFAULT_MAX_SUBJECTS, PopulationJobs
from baclofen.services.ports import (
    AuditLog,
    ClinicRepository,
    ClinicSettingsRepository,
    Clock,
    JobRepository,
    PasswordHasher,
    SettingsProvider,
    UnitOfWork,
    UserRepository,
)
from baclofen.services.simulation import SimulationResult

__all__ = ["Services", "bootstrap", "population_jobs"]


@dataclass(frozen=True, slots=True)
class Services:
    """The use cases an entrypoint calls, with their dependencies injected.

    ``uow`` is one unit of work (one transaction at a time): a server gives each request its own,
    :meth:`for_request`. ``check_ready`` raises :class:`~baclofen.domain.errors.ServiceError` when the
    store cannot serve (the database does not answer or is not at the revision this version needs)."""

    clock: Clock
    settings: SettingsProvider
    uow: UnitOfWork
    audit: AuditLog
    clinics: ClinicRepository
    users: UserRepository
    passwords: PasswordHasher
    check_ready: Callable[[], None]
    jobs: JobRepository = field(default_factory=InMemoryJobRepository)
    #: Each clinic's settings profile (its own values of named settings, and their history of changes).
    clinic_settings: ClinicSettingsRepository = field(default_factory=InMemoryClinicSettings)
    #: The clinic whose profile :attr:`settings` includes (None: the service's configuration only).
    clinic_id: str | None = None

    def for_request(self, clinic_id: str | None = None) -> Services:
        """These services with a unit of work of their own over the same store (for one request), and, given
        the caller's ``clinic_id``, that clinic's settings profile over the service's configured settings."""
        base = self._base_settings()
        settings: SettingsProvider = (
            base if clinic_id is None else clinic_settings.ClinicProfileSettings(self.clinic_settings, clinic_id, base)
        )
        return replace(self, settings=settings, uow=self.uow.another(), clinic_id=clinic_id)

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

    def read_patient_timeline(self, command: ReadPatientTimeline) -> StoredTimeline:
        """:func:`baclofen.services.clinic.read_patient_timeline` on this store."""
        return clinic.read_patient_timeline(self.uow, command)

    def assess_patient_risk(self, command: AssessPatientRisk) -> clinic.PatientRisk:
        """:func:`baclofen.services.clinic.assess_patient_risk` on this store with the clinic's settings."""
        return clinic.assess_patient_risk(self.uow, command, clinic=self.settings)

    def forecast_next_refill(self, command: ForecastNextRefill) -> clinic.NextRefill:
        """:func:`baclofen.services.clinic.forecast_next_refill` on this store with the clinic's settings."""
        return clinic.forecast_next_refill(self.uow, command, clinic=self.settings)

    def acknowledge_alert(self, command: AlertDecision) -> Alert:
        """:func:`baclofen.services.clinic.acknowledge_alert` on this store."""
        return clinic.acknowledge_alert(self.uow, command)

    def resolve_alert(self, command: AlertDecision) -> Alert:
        """:func:`baclofen.services.clinic.resolve_alert` on this store."""
        return clinic.resolve_alert(self.uow, command)

    def compute_clinic_worklist(self, command: ComputeWorklist) -> Worklist:
        """:func:`baclofen.services.clinic.compute_clinic_worklist` on this store with the clinic's settings."""
        return clinic.compute_clinic_worklist(self.uow, command, clinic=self.settings)

    def view_patient(self, command: ViewPatient) -> cds_hooks.HookAnswer:
        """:func:`baclofen.services.cds_hooks.view_patient` on this store with the clinic's settings."""
        return cds_hooks.view_patient(self.uow, command, clinic=self.settings)

    def record_covariates(self, command: RecordCovariates) -> CovariateObservation:
        """:func:`baclofen.services.histories.record_covariates` on this store."""
        return histories.record_covariates(self.uow, command)

    def record_screening_trial(self, command: RecordScreeningTrial) -> ScreeningTrialRecord:
        """:func:`baclofen.services.histories.record_screening_trial` on this store."""
        return histories.record_screening_trial(self.uow, command)

    def record_outcome_score(self, command: RecordOutcomeScore) -> OutcomeScoreRecord:
        """:func:`baclofen.services.histories.record_outcome_score` on this store."""
        return histories.record_outcome_score(self.uow, command)

    def save_plan(self, command: SavePlan) -> SavedPlan:
        """:func:`baclofen.services.regimens.save_plan` on this store with the clinic's settings."""
        return regimens.save_plan(self.uow, command, clinic=self.settings)

    def check_plan(self, command: SavePlan) -> regimens.CheckedPlan:
        """:func:`baclofen.services.regimens.check_plan` (nothing stored) on this store with the clinic's settings."""
        return regimens.check_plan(self.uow, command, clinic=self.settings)

    def check_pump_program(self, command: ChangePumpProgram) -> regimens.CheckedProgramChange:
        """:func:`baclofen.services.regimens.check_pump_program` (nothing stored) with the clinic's settings."""
        return regimens.check_pump_program(self.uow, command, clinic=self.settings)

    def change_pump_program(self, command: ChangePumpProgram) -> ProgramChangeRecord:
        """:func:`baclofen.services.regimens.change_pump_program` on this store with the clinic's settings."""
        return regimens.change_pump_program(self.uow, command, clinic=self.settings)

    def export_patient_fhir(self, patient_id: str) -> dict[str, Any]:
        """The FHIR R4 Bundle of everything stored about ``patient_id``
        (:func:`baclofen.services.fhir.read_patient_file` mapped by :mod:`baclofen.adapters.fhir.export`), made now
        by this service's clock."""
        return export_patient_bundle(fhir.read_patient_file(self.uow, patient_id), self.clock.now())

    def export_clinic_fhir_ndjson(
        self, clinic_id: str, at: datetime | None = None, resource_type: str | None = None
    ) -> Iterator[tuple[str, str]]:
        """Every resource (of ``resource_type``, or of every type) of every patient of clinic ``clinic_id`` as
        (resource type, one NDJSON line), patient by patient (:func:`baclofen.services.fhir.clinic_patient_files`
        mapped by :func:`baclofen.adapters.fhir.export.export_clinic_ndjson`), made at ``at`` (default: now, by this
        service's clock). Lazy: each page of patients is read as the lines are consumed."""
        files = fhir.clinic_patient_files(self.uow, clinic_id)
        return export_clinic_ndjson(files, at or self.clock.now(), resource_type)

    def import_fhir_bundle(
        self,
        document: object,
        clinic_id: str | None,
        *,
        origin: SpasticityOrigin | str | None = None,
        locale: Locale | str | None = None,
    ) -> BundleReading:
        """Read a FHIR R4 Bundle (``FhirInputError`` with every refused element, nothing stored) and store its
        patient, covariate observations, outcome scores and saved plans under ``clinic_id`` in one commit
        (:func:`baclofen.services.fhir.import_patient_file`; ``FhirConflictError`` naming the entry's identifier when
        the patient or an observation is already stored).

        Another system's Patient (without our snapshot extension) takes ``origin`` and ``locale`` from here (no
        default: without them it is refused, naming them) and its age from its birthDate on today's date (this
        service's clock)."""
        choices = {"origin": origin, "locale": locale}
        given = {k: (v.value if isinstance(v, Enum) else v) for k, v in choices.items()}
        options = ImportOptions(
            on=self.clock.now().date(),
            origin=read_optional_enum(given, "origin", "", SpasticityOrigin),
            locale=read_optional_enum(given, "locale", "", Locale),
        )
        reading = read_patient_bundle(document, options)
        try:
            stored = fhir.import_patient_file(self.uow, ImportPatientFile(reading.file, clinic_id))
        except fhir.AlreadyStoredError as error:
            raise reading.conflict(error.kind, error.record_id, str(error)) from None
        return reading.stored_as(stored)

    def create_user(
        self,
        *,
        clinic_id: str,
        username: str,
        role: Role | str,
        password: str,
        patient_id: str | None = None,
        clinic_name: str | None = None,
    ) -> tuple[UserRecord, bool]:
        """:func:`baclofen.services.accounts.create_user` in this store."""
        return accounts.create_user(
            self.clinics,
            self.users,
            self.passwords,
            clinic_id=clinic_id,
            username=username,
            role=role,
            password=password,
            patient_id=patient_id,
            clinic_name=clinic_name,
        )

    def write_demo_clinic(
        self, as_of: datetime, seed: int = 1, patients: int = demo_clinic.PATIENT_COUNT
    ) -> demo_clinic.DemoClinic:
        """:func:`baclofen.services.demo_clinic.write_demo_clinic` in this store with the clinic's settings."""
        return demo_clinic.write_demo_clinic(
            self.uow,
            self.clinics,
            self.users,
            self.passwords,
            as_of=as_of,
            seed=seed,
            settings=self.settings,
            patients=patients,
        )

    def read_clinic_settings(self, clinic_id: str) -> tuple[SettingProfileEntry, ...]:
        """:func:`baclofen.services.clinic_settings.read_clinic_settings` of ``clinic_id``."""
        return clinic_settings.read_clinic_settings(self.clinic_settings, clinic_id, base=self._base_settings())

    def change_clinic_setting(self, command: ChangeClinicSetting) -> SettingChange:
        """:func:`baclofen.services.clinic_settings.change_clinic_setting` in this store."""
        return clinic_settings.change_clinic_setting(self.clinic_settings, command)

    def clinic_settings_history(self, clinic_id: str, name: str | None = None) -> tuple[SettingChange, ...]:
        """:func:`baclofen.services.clinic_settings.clinic_settings_history` in this store."""
        return clinic_settings.clinic_settings_history(self.clinic_settings, clinic_id, name=name)

    def _base_settings(self) -> SettingsProvider:
        """The service's configured settings, without any clinic's profile."""
        if isinstance(self.settings, clinic_settings.ClinicProfileSettings):
            return self.settings.base if self.settings.base is not None else StaticSettings()
        return self.settings

    def authenticate(self, username: str, password: str) -> UserRecord | None:
        """:func:`baclofen.services.accounts.authenticate` in this store."""
        return accounts.authenticate(self.users, self.passwords, username, password)

    def signed_in_user(self, user_id: str, token_id: str, session_generation: int) -> UserRecord | None:
        """:func:`baclofen.services.accounts.signed_in_user` in this store."""
        return accounts.signed_in_user(self.users, user_id, token_id, session_generation)

    def revoke_token(self, user_id: str, token_id: str, expires_at: datetime) -> None:
        """:func:`baclofen.services.accounts.revoke_token` in this store, on its clock."""
        accounts.revoke_token(self.users, self.clock, user_id, token_id, expires_at)

    def end_sessions(self, username: str) -> UserRecord:
        """:func:`baclofen.services.accounts.end_sessions` in this store."""
        return accounts.end_sessions(self.users, username)

    def change_password(self, username: str, password: str) -> UserRecord:
        """:func:`baclofen.services.accounts.change_password` in this store."""
        return accounts.change_password(self.users, self.passwords, username, password)


def bootstrap(
    *,
    clock: Clock | None = None,
    settings: SettingsProvider | None = None,
    uow: UnitOfWork | None = None,
    audit: AuditLog | None = None,
    passwords: PasswordHasher | None = None,
    database_url: str | None = None,
) -> Services:
    """Wire the use cases: the given adapters, else the system clock, no clinic overrides, argon2id with
    its default cost, and a new in-memory store, audit log and accounts, or, given ``database_url``, the
    SQL store there (records, audit log and accounts).

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
        return _sql_store(
            database_url,
            clock if clock is not None else SystemClock(),
            settings if settings is not None else StaticSettings(),
            passwords if passwords is not None else Argon2PasswordHasher(),
        )
    known = InMemoryAccounts()
    return Services(
        clock=clock if clock is not None else SystemClock(),
        settings=settings if settings is not None else StaticSettings(),
        uow=uow if uow is not None else InMemoryUnitOfWork(),
        audit=audit if audit is not None else InMemoryAuditLog(),
        clinics=InMemoryClinicRepository(known),
        users=InMemoryUserRepository(known),
        passwords=passwords if passwords is not None else Argon2PasswordHasher(),
        check_ready=_always_ready,
        jobs=InMemoryJobRepository(),
    )


def _always_ready() -> None:
    """An in-memory store is ready as long as the process runs."""


def _sql_store(database_url: str, clock: Clock, settings: SettingsProvider, passwords: PasswordHasher) -> Services:
    # imported here: SQLAlchemy is loaded only by the commands that use a database
    from baclofen.adapters.sql import (
        SqlAuditLog,
        SqlClinicRepository,
        SqlClinicSettings,
        SqlUnitOfWork,
        SqlUserRepository,
        check_database_current,
        check_database_writable,
        create_database_engine,
    )
    from baclofen.adapters.sql.jobs import SqlJobRepository

    engine = create_database_engine(database_url)
    check_database_current(engine)

    def check_ready() -> None:
        check_database_current(engine)
        check_database_writable(engine)

    return Services(
        clock=clock,
        settings=settings,
        uow=SqlUnitOfWork(engine),
        audit=SqlAuditLog(engine),
        clinics=SqlClinicRepository(engine),
        users=SqlUserRepository(engine),
        passwords=passwords,
        check_ready=check_ready,
        jobs=SqlJobRepository(engine),
        clinic_settings=SqlClinicSettings(engine),
    )


def population_jobs(
    services: Services,
    *,
    to_document: Callable[[SimulationResult], Mapping[str, Any]],
    scheduler: str | None = None,
    workers: int = 2,
    max_subjects: int = DEFAULT_MAX_SUBJECTS,
) -> PopulationJobs:
    """The population jobs of a server over ``services``' job store and clock, run on Dask: the scheduler at
    ``scheduler`` (``tcp://host:8786``), else a local cluster of ``workers`` threads started in this process for
    each job. Jobs found queued or running (a server that stopped) are marked failed, interrupted.

    Raises ``InvalidInputError`` (field ``scheduler``) for a malformed scheduler address."""
    from baclofen.adapters.distributed import DaskRunner, check_scheduler_address

    address = None if scheduler is None else check_scheduler_address(scheduler)
    jobs = PopulationJobs(
        services.jobs,
        services.clock,
        DaskRunner(address=address, n_workers=workers),
        to_document=to_document,
        max_subjects=max_subjects,
    )
    jobs.interrupt_unfinished()
    return jobs
