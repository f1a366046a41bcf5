"""Real databases for the tests: a SQLite file and a PostgreSQL schema of their own, migrated to head.

PostgreSQL is taken from ``BACLOFEN_TEST_POSTGRES_URL`` (default: the server of ``.ci/run``,
``postgresql+psycopg://postgres@127.0.0.1:5432/test``, trust auth). Every test session (every xdist
worker) creates its own schema with a random name, puts it first on the ``search_path`` and drops it at
the end, so parallel runs never see each other's tables. When the server does not answer, the PostgreSQL
tests fail under CI (``CI=true``) naming the URL, and are skipped with that message elsewhere.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from baclofen.adapters.sql import create_database_engine, upgrade_database

POSTGRES_URL_ENV = "BACLOFEN_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: The store's tables a test empties (the others go with them: ON DELETE CASCADE), users before their clinics;
#: never the audit log.
DATA_TABLES = ("users", "clinics", "pumps", "patients", "population_jobs", "idempotency_keys")
#: The append-only tables a test empties with TRUNCATE (their triggers refuse DELETE; PostgreSQL only).
APPEND_ONLY_TABLES = (
    "alert_transitions",
    "alerts",
    "diary_entry_symptoms",
    "diary_entries",
    "covariate_observations",
    "screening_trials",
    "outcome_scores",
    "saved_plans",
    "program_changes",
    "clinic_setting_changes",
    "refill_visit_overrides",
)


def postgres_url() -> str:
    """The test server's URL, with a connect timeout so that a server that is down fails fast."""
    url = make_url(os.environ.get(POSTGRES_URL_ENV) or DEFAULT_POSTGRES_URL)
    return url.update_query_dict({"connect_timeout": "5"}).render_as_string(hide_password=False)


def _unavailable(reason: str) -> NoReturn:
    shown = make_url(postgres_url()).render_as_string(hide_password=True)
    message = (
        f"PostgreSQL does not answer at {shown} ({reason}). Start it (.ci/run does: "
        f"pg_ctlcluster --skip-systemctl-redirect VERSION main start) or point {POSTGRES_URL_ENV} at a server."
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@contextmanager
def postgres_schema() -> Iterator[Engine]:
    """An engine on a new, empty schema of the test server (dropped afterwards)."""
    admin = create_database_engine(postgres_url())
    schema = f"baclofen_test_{uuid.uuid4().hex[:16]}"
    try:
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except OperationalError as exc:
        admin.dispose()
        _unavailable(str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__)
    engine = create_database_engine(postgres_url(), schema=schema)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@contextmanager
def empty_database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a new SQLite file (``kind`` "sqlite"), or a new PostgreSQL schema named in
    the URL's libpq options, as a clinic would name its own (dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
        return
    with postgres_schema() as engine:
        with engine.connect() as connection:
            schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
        url = make_url(postgres_url()).update_query_dict({"options": f"-c search_path={schema}"})
        yield url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def migrated_postgres() -> Iterator[Engine]:
    """This session's PostgreSQL schema, migrated to head once (empty it with :func:`empty_store`)."""
    with postgres_schema() as engine:
        upgrade_database(engine)
        yield engine


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once, to be copied (:func:`fresh_sqlite`)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "baclofen.sqlite3"
    engine = create_database_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


def fresh_sqlite(template: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Engine:
    """An engine on a copy of the migrated ``template`` in ``tmp_path`` (disposed after the test)."""
    path = tmp_path / "baclofen.sqlite3"
    shutil.copyfile(template, path)
    engine = create_database_engine(f"sqlite:///{path}")
    request.addfinalizer(engine.dispose)
    return engine


def empty_store(engine: Engine) -> Engine:
    """``engine`` (PostgreSQL) with no patient, pump, visit, diary entry or alert left (the audit log stays)."""
    with engine.begin() as connection:
        # first: a visit's overrides keep their visit (and its pump) from being deleted
        connection.execute(text(f"TRUNCATE {', '.join(APPEND_ONLY_TABLES)}"))
        for table in DATA_TABLES:
            connection.execute(text(f"DELETE FROM {table}"))
    return engine
