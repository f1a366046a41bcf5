"""The adapters the contract tests run against, one parameter each.

A new adapter of a port joins by adding an entry here: every contract test then runs on it too. A
unit-of-work entry takes the test's request (for session fixtures: a migrated database) and ``tmp_path``
(a place for a database file) and returns a factory of units of work over one new, empty store; an
audit-log entry returns an audit log (not necessarily empty: the tests look at their own entries).
The SQL entries run on a SQLite file and a PostgreSQL schema of their own (``tests/databases.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from baclofen.adapters.clock import FixedClock, SystemClock
from baclofen.adapters.memory import (
    InMemoryAccounts,
    InMemoryAuditLog,
    InMemoryClinicRepository,
    InMemoryClinicSettings,
    InMemoryJobRepository,
    InMemoryStore,
    InMemoryUnitOfWork,
    InMemoryUserRepository,
    StaticSettings,
)
from baclofen.adapters.passwords import Argon2PasswordHasher
from baclofen.adapters.sql import (
    SqlAuditLog,
    SqlClinicRepository,
    SqlClinicSettings,
    SqlUnitOfWork,
    SqlUserRepository,
)
from baclofen.adapters.sql.jobs import SqlJobRepository
from baclofen.domain.clinic.settings_profile import SettingChange
from baclofen.services.clinic_settings import ClinicProfileSettings
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
from tests.databases import empty_store, fresh_sqlite, migrated_postgres, migrated_sqlite_file

__all__ = ["migrated_postgres", "migrated_sqlite_file"]  # session fixtures of the SQL entries

UowFactory = Callable[[], UnitOfWork]


def _memory(request: pytest.FixtureRequest, tmp_path: Path) -> UowFactory:
    store = InMemoryStore()
    return lambda: InMemoryUnitOfWork(store)


def _sqlite(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    return fresh_sqlite(request.getfixturevalue("migrated_sqlite_file"), tmp_path, request)


def _postgres(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    return empty_store(request.getfixturevalue("migrated_postgres"))


def _sql_uow(
    engine: Callable[[pytest.FixtureRequest, Path], Engine],
) -> Callable[[pytest.FixtureRequest, Path], UowFactory]:
    def factory(request: pytest.FixtureRequest, tmp_path: Path) -> UowFactory:
        found = engine(request, tmp_path)
        return lambda: SqlUnitOfWork(found)

    return factory


#: name -> ((request, tmp_path) -> a factory of units of work over one new, empty store)
UNITS_OF_WORK: dict[str, Callable[[pytest.FixtureRequest, Path], UowFactory]] = {
    "memory": _memory,
    "sqlite": _sql_uow(_sqlite),
    "postgresql": _sql_uow(_postgres),
}

#: name -> ((request, tmp_path) -> an audit log)
AUDIT_LOGS: dict[str, Callable[[pytest.FixtureRequest, Path], AuditLog]] = {
    "memory": lambda request, tmp_path: InMemoryAuditLog(),
    "sqlite": lambda request, tmp_path: SqlAuditLog(_sqlite(request, tmp_path)),
    "postgresql": lambda request, tmp_path: SqlAuditLog(request.getfixturevalue("migrated_postgres")),
}


def _memory_accounts(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[ClinicRepository, UserRepository]:
    known = InMemoryAccounts()
    return InMemoryClinicRepository(known), InMemoryUserRepository(known)


def _sql_accounts(
    engine: Callable[[pytest.FixtureRequest, Path], Engine],
) -> Callable[[pytest.FixtureRequest, Path], tuple[ClinicRepository, UserRepository]]:
    def factory(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[ClinicRepository, UserRepository]:
        found = engine(request, tmp_path)
        return SqlClinicRepository(found), SqlUserRepository(found)

    return factory


#: name -> ((request, tmp_path) -> the clinic and user repositories of one new, empty store)
ACCOUNTS: dict[str, Callable[[pytest.FixtureRequest, Path], tuple[ClinicRepository, UserRepository]]] = {
    "memory": _memory_accounts,
    "sqlite": _sql_accounts(_sqlite),
    "postgresql": _sql_accounts(_postgres),
}

#: name -> a password hasher (cheap parameters: the contract is the same)
PASSWORD_HASHERS: dict[str, Callable[[], PasswordHasher]] = {
    "argon2id": lambda: Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1),
}

#: name -> a clock
CLOCKS: dict[str, Callable[[], Clock]] = {
    "system-local": SystemClock,
    "system-utc": lambda: SystemClock(UTC),
    "system-plus-13": lambda: SystemClock(timezone(timedelta(hours=13))),
    "fixed": lambda: FixedClock(datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))),
}

#: name -> (the clinic's values by setting name -> a settings provider holding them)
SETTINGS_PROVIDERS: dict[str, Callable[[Mapping[str, Any]], SettingsProvider]] = {"static": StaticSettings}

#: name -> ((request, tmp_path) -> the clinics' settings profiles of one new, empty store)
CLINIC_SETTINGS: dict[str, Callable[[pytest.FixtureRequest, Path], ClinicSettingsRepository]] = {
    "memory": lambda request, tmp_path: InMemoryClinicSettings(),
    "sqlite": lambda request, tmp_path: SqlClinicSettings(_sqlite(request, tmp_path)),
    "postgresql": lambda request, tmp_path: SqlClinicSettings(_postgres(request, tmp_path)),
}
#: When the profile providers' changes are made.
PROFILE_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _profile_provider(repository: ClinicSettingsRepository) -> Callable[[Mapping[str, Any]], SettingsProvider]:
    """A clinic's profile holding the values (each stored as a change by an admin) as a settings provider."""

    def make(values: Mapping[str, Any]) -> SettingsProvider:
        for name, value in values.items():
            before = repository.values("C-1").get(name)
            repository.change(SettingChange("C-1", name, before, value, "admin:contract", PROFILE_AT, "contract"))
        return ClinicProfileSettings(repository, "C-1")

    return make


@pytest.fixture(params=sorted(UNITS_OF_WORK))
def new_uow(request: pytest.FixtureRequest, tmp_path: Path) -> UowFactory:
    """A factory of units of work that all share one new, empty store."""
    return UNITS_OF_WORK[request.param](request, tmp_path)


@pytest.fixture(params=sorted(AUDIT_LOGS))
def audit_log(request: pytest.FixtureRequest, tmp_path: Path) -> AuditLog:
    return AUDIT_LOGS[request.param](request, tmp_path)


@pytest.fixture(params=sorted(CLOCKS))
def clock(request: pytest.FixtureRequest) -> Clock:
    return CLOCKS[request.param]()


@pytest.fixture(params=[*sorted(SETTINGS_PROVIDERS), *(f"clinic-profile-{name}" for name in sorted(CLINIC_SETTINGS))])
def make_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[Mapping[str, Any]], SettingsProvider]:
    """A factory of a settings provider holding the given values: static, or a clinic's profile on each store."""
    if request.param in SETTINGS_PROVIDERS:
        return SETTINGS_PROVIDERS[request.param]
    return _profile_provider(CLINIC_SETTINGS[request.param.removeprefix("clinic-profile-")](request, tmp_path))


@pytest.fixture(params=sorted(CLINIC_SETTINGS))
def clinic_settings(request: pytest.FixtureRequest, tmp_path: Path) -> ClinicSettingsRepository:
    """The clinics' settings profiles of one new, empty store."""
    return CLINIC_SETTINGS[request.param](request, tmp_path)


@pytest.fixture(params=sorted(ACCOUNTS))
def accounts(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[ClinicRepository, UserRepository]:
    """The clinic and user repositories of one new, empty store."""
    return ACCOUNTS[request.param](request, tmp_path)


@pytest.fixture(params=sorted(PASSWORD_HASHERS))
def password_hasher(request: pytest.FixtureRequest) -> PasswordHasher:
    return PASSWORD_HASHERS[request.param]()


#: name -> ((request, tmp_path) -> the job repository of one new, empty store)
JOB_REPOSITORIES: dict[str, Callable[[pytest.FixtureRequest, Path], JobRepository]] = {
    "memory": lambda request, tmp_path: InMemoryJobRepository(),
    "sqlite": lambda request, tmp_path: SqlJobRepository(_sqlite(request, tmp_path)),
    "postgresql": lambda request, tmp_path: SqlJobRepository(_postgres(request, tmp_path)),
}


@pytest.fixture(params=sorted(JOB_REPOSITORIES))
def job_repository(request: pytest.FixtureRequest, tmp_path: Path) -> JobRepository:
    """The population jobs of one new, empty store."""
    return JOB_REPOSITORIES[request.param](request, tmp_path)
