"""Engines for the SQL store: SQLite (the embedded default) and PostgreSQL through psycopg 3.

SQLite is opened in WAL mode with ``synchronous=FULL`` (a committed change survives a power loss where
the storage honours fsync), foreign keys enforced and a busy timeout; SQLAlchemy emits the ``BEGIN``
itself (deferred for reads, ``IMMEDIATE`` for a commit's writes: see :func:`write_transaction`), so
that a read transaction is a real snapshot and a writer waits for the lock instead of failing midway.
PostgreSQL is reached as ``postgresql+psycopg://user@host:port/db`` (``postgresql://`` means the same).

>>> engine = create_database_engine("postgresql://postgres@127.0.0.1:5432/test")
>>> engine.url.drivername, engine.dialect.name
('postgresql+psycopg', 'postgresql')
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from baclofen.domain.errors import InvalidInputError, ServiceError

__all__ = [
    "DEFAULT_DATABASE_URL",
    "SQLITE_BUSY_TIMEOUT_MS",
    "create_database_engine",
    "normalise_database_url",
    "reaching",
    "write_transaction",
]

#: The embedded default: a SQLite file in the working directory.
DEFAULT_DATABASE_URL = "sqlite:///baclofen.sqlite3"
#: How long a SQLite writer waits for another's lock before giving up (ms).
SQLITE_BUSY_TIMEOUT_MS = 5000
_EXPECTED_URL = "sqlite:///PATH (a database file) or postgresql+psycopg://USER@HOST:PORT/DATABASE"
_WRITE = "baclofen_write"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def normalise_database_url(url: str | URL) -> URL:
    """The URL of a supported database: a SQLite file, or PostgreSQL through psycopg 3.

    Raises
    ------
    InvalidInputError
        On ``database_url``: not a URL, another engine or driver, or an in-memory SQLite database (each
        connection would see its own, empty one: use no URL for an in-memory store).
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInputError("database_url", _EXPECTED_URL, str(url)) from None
    shown = parsed.render_as_string(hide_password=True)
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        if parsed.database in (None, "", ":memory:") or parsed.database.startswith("file::memory:"):
            raise InvalidInputError("database_url", _EXPECTED_URL, shown)
        return parsed.set(drivername="sqlite")
    if parsed.drivername in ("postgresql", "postgresql+psycopg"):
        return parsed.set(drivername="postgresql+psycopg")
    raise InvalidInputError("database_url", _EXPECTED_URL, shown)


def create_database_engine(url: str | URL, *, schema: str | None = None, echo: bool = False) -> Engine:
    """An engine for ``url`` (see :func:`normalise_database_url`) with the settings of this store.

    ``schema`` (PostgreSQL only) puts every table in that schema, first on the ``search_path``: the
    integration tests give each run its own.
    """
    parsed = normalise_database_url(url)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        if schema is not None:
            if not _SCHEMA_NAME.match(schema):
                raise InvalidInputError("schema", "a lower-case SQL name (letters, digits, _)", schema)
            connect_args["options"] = f"-c search_path={schema}"
        return create_engine(parsed, connect_args=connect_args, echo=echo)
    if schema is not None:
        raise InvalidInputError("schema", "no schema for SQLite (one database a file)", schema)
    engine = create_engine(parsed, echo=echo)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_connect(dbapi_connection: Any, connection_record: Any) -> None:
    # The sqlite3 driver's own transaction handling (legacy mode) is switched off: SQLAlchemy's "begin"
    # event below emits BEGIN, so that reads are in a transaction too.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that will write: committed when the block ends, rolled back on an
    exception. On SQLite it takes the write lock at once (``BEGIN IMMEDIATE``), waiting up to the busy
    timeout for another writer, so that two writers never deadlock halfway."""
    with engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            yield connection


@contextmanager
def reaching(engine: Engine) -> Iterator[None]:
    """Report a database that cannot be reached (down, refused, no such file or database, no access) as a
    :class:`~baclofen.domain.errors.ServiceError` naming it (without its password) and the driver's reason."""
    try:
        yield
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        url = engine.url.render_as_string(hide_password=True)
        raise ServiceError(f"cannot use the database {url}: {reason}") from exc
