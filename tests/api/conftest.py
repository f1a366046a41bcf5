"""The REST API in-process (FastAPI's TestClient) on each store: in memory, a SQLite file and a PostgreSQL
schema (``tests/databases.py``), every one seeded with two clinics, their staff, patients and pumps.

Clinic C-1: clinician ``clin1``, nurse ``nurse1``, admin ``admin1``, patients P-1 (account ``pat1``) and
P-2 (``pat2``), pumps pump-1 (of P-1) and pump-2 (of P-2). Clinic C-2: clinician ``clin2``, patient Q-1
(``patq``), pump pump-q. Every password is :data:`PASSWORD`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from baclofen.adapters.memory import StaticSettings
from baclofen.adapters.passwords import Argon2PasswordHasher
from baclofen.adapters.sql import (
    SqlAuditLog,
    SqlClinicRepository,
    SqlClinicSettings,
    SqlUnitOfWork,
    SqlUserRepository,
    check_database_current,
)
from baclofen.adapters.sql.jobs import SqlJobRepository
from baclofen.bootstrap import Services, bootstrap
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import AuditEntry, PatientRecord, PumpRecord
from baclofen.entrypoints.api import ApiSettings, create_app
from tests.databases import empty_store, fresh_sqlite, migrated_postgres, migrated_sqlite_file

__all__ = ["migrated_postgres", "migrated_sqlite_file"]

PASSWORD = "correct horse battery"
#: The largest population of one job in the tests (small: schemathesis submits jobs too).
MAX_POPULATION = 3000
SECRET = "a-test-secret-that-is-long-enough-for-hs256"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

#: username -> (clinic, role, patient record of a patient's account)
USERS = {
    "clin1": ("C-1", "clinician", None),
    "nurse1": ("C-1", "nurse", None),
    "admin1": ("C-1", "admin", None),
    "pat1": ("C-1", "patient", "P-1"),
    "pat2": ("C-1", "patient", "P-2"),
    "clin2": ("C-2", "clinician", None),
    "patq": ("C-2", "patient", "Q-1"),
}
PATIENTS = {"P-1": "C-1", "P-2": "C-1", "Q-1": "C-2"}
PUMPS = {"pump-1": "P-1", "pump-2": "P-2", "pump-q": "Q-1"}


class SettableClock:
    """The clinic's clock, moved by the tests (token expiry, the login window)."""

    def __init__(self, now: datetime) -> None:
        self.moment = now

    @property
    def zone(self) -> tzinfo:
        return UTC

    def now(self) -> datetime:
        return self.moment

    def today(self) -> date:
        return self.moment.date()

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


def cheap_hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1)


def _sql_services(engine: Engine, clock: SettableClock) -> Services:
    return Services(
        clock=clock,
        settings=StaticSettings(),
        uow=SqlUnitOfWork(engine),
        audit=SqlAuditLog(engine),
        clinics=SqlClinicRepository(engine),
        users=SqlUserRepository(engine),
        passwords=cheap_hasher(),
        check_ready=lambda: check_database_current(engine),
        jobs=SqlJobRepository(engine),
        clinic_settings=SqlClinicSettings(engine),
    )


def _memory(request: pytest.FixtureRequest, tmp_path: Path, clock: SettableClock) -> Services:
    return bootstrap(clock=clock, passwords=cheap_hasher())


def _sqlite(request: pytest.FixtureRequest, tmp_path: Path, clock: SettableClock) -> Services:
    return _sql_services(fresh_sqlite(request.getfixturevalue("migrated_sqlite_file"), tmp_path, request), clock)


def _postgres(request: pytest.FixtureRequest, tmp_path: Path, clock: SettableClock) -> Services:
    return _sql_services(empty_store(request.getfixturevalue("migrated_postgres")), clock)


STORES: dict[str, Callable[[pytest.FixtureRequest, Path, SettableClock], Services]] = {
    "memory": _memory,
    "sqlite": _sqlite,
    "postgresql": _postgres,
}


def seed(services: Services) -> None:
    """The two clinics of the module docstring."""
    for username, (clinic, role, patient_id) in USERS.items():
        services.create_user(clinic_id=clinic, username=username, role=role, password=PASSWORD, patient_id=patient_id)
    with services.uow as uow:
        for patient_id, clinic in PATIENTS.items():
            uow.patients.add(PatientRecord(patient_id, PatientSnapshot(age_years=50), clinic))
        for pump_id, patient_id in PUMPS.items():
            uow.pumps.add(PumpRecord(pump_id, get_pump("synchromed-ii-20"), patient_id, date(2025, 1, 1)))
        uow.commit()


@dataclass
class Api:
    """A client of the API over one seeded store."""

    app: FastAPI
    client: TestClient
    services: Services
    clock: SettableClock

    def token(self, username: str) -> str:
        r = self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        token: str = r.json()["access_token"]
        return token

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}

    def audit_since(self, count: int) -> tuple[AuditEntry, ...]:
        """The audit entries appended after the first ``count`` (the PostgreSQL log is shared by the tests)."""
        return self.services.audit.entries()[count:]


def make_api(services: Services, clock: SettableClock) -> Api:
    seed(services)
    app = create_app(services, ApiSettings(secret_key=SECRET, dask_workers=1, max_population_per_job=MAX_POPULATION))
    return Api(app, TestClient(app, raise_server_exceptions=False), services, clock)


@pytest.fixture(params=sorted(STORES))
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Api:
    """The API over one new, seeded store of each kind."""
    clock = SettableClock(START)
    return make_api(STORES[request.param](request, tmp_path, clock), clock)


@pytest.fixture
def memory_api(request: pytest.FixtureRequest, tmp_path: Path) -> Api:
    """The API over a new, seeded in-memory store (for the checks that enumerate many cases)."""
    clock = SettableClock(START)
    return make_api(_memory(request, tmp_path, clock), clock)
