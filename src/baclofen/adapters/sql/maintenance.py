"""Operations on a whole clinic database: is it empty, back it up to a file, restore it from one.

* SQLite: the sqlite3 online backup API (a consistent copy while the service runs). A restore first copies the
  backup into a temporary file beside the database and checks it (``PRAGMA integrity_check``, a schema revision),
  then copies that into the database in one step of the backup API: one write transaction, so the database is
  either wholly the backup or unchanged.
* PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --single-transaction --clean --if-exists`` (both must be
  on ``PATH``; a clear error otherwise). The connection's ``search_path`` schema (the tests' own schema) is the one
  dumped and restored.

A restore refuses a database that holds any record (clinic, account, patient, pump, diary entry, alert) unless
forced: what it holds would be replaced.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from baclofen.adapters.sql import schema
from baclofen.adapters.sql.engine import reaching
from baclofen.domain.errors import ConflictError, InvalidInputError, ServiceError

__all__ = ["RECORD_TABLES", "backup_database", "count_stored_records", "restore_database"]

#: The tables whose rows make a database non-empty (the audit log alone does not).
RECORD_TABLES = (
    "clinics",
    "users",
    "patients",
    "pumps",
    "diary_entries",
    "alerts",
    "saved_plans",
    "program_changes",
    "covariate_observations",
    "screening_trials",
    "outcome_scores",
    "clinic_setting_changes",
    "population_jobs",
)


def count_stored_records(engine: Engine) -> int:
    """How many records (:data:`RECORD_TABLES`: clinics, accounts, patients and their histories, pumps, diary
    entries, alerts, saved plans, program changes, settings changes, population jobs) ``engine``'s database holds
    (0 when it has no schema yet)."""
    tables = schema.Base.metadata.tables
    total = 0
    with reaching(engine), engine.connect() as connection:
        for name in RECORD_TABLES:
            try:
                total += connection.execute(select(func.count()).select_from(tables[name])).scalar_one()
            except (OperationalError, ProgrammingError):  # no such table: a database without the schema
                connection.rollback()
    return total


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database:
        raise InvalidInputError("database_url", "a SQLite database file", engine.url.render_as_string())
    return Path(database)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ServiceError(f"{name} is not on PATH: install the PostgreSQL client tools to back up or restore")
    return found


def _pg_environment(engine: Engine) -> dict[str, str]:
    """The libpq environment of ``engine``'s database (``PGHOST``, ``PGPASSWORD`` ...): the tools get the password
    there, never on their command line (which any user of the machine may see)."""
    url = engine.url
    given = {
        "PGHOST": url.host,
        "PGPORT": None if url.port is None else str(url.port),
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }
    for name, variable in (
        ("options", "PGOPTIONS"),
        ("sslmode", "PGSSLMODE"),
        ("connect_timeout", "PGCONNECT_TIMEOUT"),
    ):
        value = url.query.get(name)
        given[variable] = value if isinstance(value, str) or value is None else value[-1]
    return os.environ | {k: str(v) for k, v in given.items() if v is not None}


def _pg_schema(engine: Engine) -> str | None:
    """The schema of the store when it is not ``public`` (an engine given ``schema=``: its ``search_path``)."""
    with reaching(engine), engine.connect() as connection:
        name = connection.exec_driver_sql("SELECT current_schema()").scalar_one()
    return None if name in (None, "public") else str(name)


def _run(command: list[str], what: str, environment: dict[str, str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)  # noqa: S603
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise ServiceError(f"{what} failed: {reason[-1] if reason else f'exit status {done.returncode}'}")


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copy the SQLite database ``source`` into ``target`` with the online backup API, all pages in one step (one
    write transaction on ``target``, which waits up to 5 s for another writer)."""
    reading = sqlite3.connect(source)
    try:
        writing = sqlite3.connect(target, timeout=5.0)
        try:
            reading.backup(writing)
        finally:
            writing.close()
    finally:
        reading.close()


def backup_database(engine: Engine, file: Path) -> None:
    """Write a consistent copy of ``engine``'s database to ``file`` (SQLite: a database file; PostgreSQL: a
    ``pg_dump`` custom-format archive). ``file`` is written beside itself first and renamed when complete."""
    file = Path(file)
    partial = file.with_name(file.name + ".partial")
    try:
        if engine.dialect.name == "sqlite":
            _copy_sqlite(_sqlite_path(engine), partial)
        else:
            only = _pg_schema(engine)
            command = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}"]
            _run([*command, *([f"--schema={only}"] if only else [])], "pg_dump", _pg_environment(engine))
        os.replace(partial, file)
    except sqlite3.Error as exc:
        raise ServiceError(f"cannot back up to {file}: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)


def _check_sqlite_backup(path: Path, shown: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = connection.execute("PRAGMA integrity_check").fetchone()
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise InvalidInputError("file", "a SQLite backup of a clinic database", f"{shown} ({exc})") from exc
    if ok != ("ok",) or revision is None:
        raise InvalidInputError("file", "a SQLite backup of a clinic database", f"{shown} (damaged or no schema)")


def restore_database(engine: Engine, file: Path, *, force: bool = False) -> None:
    """Replace ``engine``'s database with the backup ``file`` (written by :func:`backup_database`).

    Raises
    ------
    ConflictError
        The database holds records and ``force`` is not set.
    InvalidInputError
        ``file`` is missing or not a backup of a clinic database.
    ServiceError
        The restore failed (the database is left as it was), or ``pg_restore`` is not on PATH.
    """
    file = Path(file)
    if not file.is_file():
        raise InvalidInputError("file", "an existing backup file", str(file))
    held = count_stored_records(engine)
    if held and not force:
        raise ConflictError(
            f"the database holds {held} records (clinics, accounts, patients, pumps, diary entries, alerts, plans, "
            "program changes): "
            "give --force to replace them with the backup"
        )
    if engine.dialect.name != "sqlite":
        only = _pg_schema(engine)
        environment = _pg_environment(engine)
        command = [_pg_tool("pg_restore"), "--single-transaction", "--clean", "--if-exists", "--no-owner"]
        into = f"--dbname={environment.get('PGDATABASE', 'postgres')}"
        _run([*command, *([f"--schema={only}"] if only else []), into, str(file)], "pg_restore", environment)
        return
    database = _sqlite_path(engine)
    engine.dispose()
    with tempfile.TemporaryDirectory(dir=database.parent, prefix=".restore-") as scratch:
        staged = Path(scratch) / "staged.sqlite3"
        try:
            _copy_sqlite(file, staged)
        except sqlite3.Error as exc:
            raise InvalidInputError("file", "a SQLite backup of a clinic database", f"{file} ({exc})") from exc
        _check_sqlite_backup(staged, file)
        try:
            _copy_sqlite(staged, database)  # all pages in one step: one write transaction on the database
        except sqlite3.Error as exc:
            raise ServiceError(f"cannot restore into {database}: {exc} (the database is unchanged)") from exc
