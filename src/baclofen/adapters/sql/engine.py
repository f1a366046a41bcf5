"""Engines for the SQL store: SQLite (the embedded default) and PostgreSQL through psycopg 3.

SQLite is opened in WAL mode with ``synchronous=FULL`` (a committed change survives a power loss where
the storage honours fsync), foreign keys enforced and a busy timeout; SQLAlchemy emits the ``BEGIN``
itself (deferred for reads, ``IMMEDIATE`` for a commit's writes: see :func:`write_transaction`), so
that a read transaction is a real snapshot and a writer waits for the lock instead of failing midway. The
writers of one engine (the threads of one server) take turns on an in-process lock before ``BEGIN IMMEDIATE``:
SQLite's busy handler waits by sleeping (1, 2, 5 ... 100 ms), which made the slowest of concurrent requests
wait tens of milliseconds for a lock held a fraction of one; another process still waits on the busy timeout.
PostgreSQL is reached as ``postgresql+psycopg://user@host:port/db`` (``postgresql://`` means the same).

When the database goes away mid-run the engine does not hide it and does not need a restart to recover:

* PostgreSQL: each pooled connection is tested before use (``pool_pre_ping``): one the server ended (a
  restart, a failover, ``pg_terminate_backend``) is replaced by a new one, and while none can be made the
  error says so (:func:`database_unavailable`); a connection attempt gives up after ``connect_timeout``.
* SQLite: a pooled connection is used only while the file at the database's path is still the one it opened:
  a file removed, renamed away or replaced makes every pooled connection be dropped (otherwise they would
  go on writing into a file no one will read again), and once the engine has opened its database it never
  creates a new, empty one in its place: connecting fails until the file is back.

>>> engine = create_database_engine("postgresql://postgres@127.0.0.1:5432/test")
>>> engine.url.drivername, engine.dialect.name
('postgresql+psycopg', 'postgresql')
"""

from __future__ import annotations

import os
import re
import threading
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    InvalidatePoolError,
    OperationalError,
)

from baclofen.domain.errors import InvalidInputError, ServiceError

__all__ = [
    "DEFAULT_DATABASE_URL",
    "SQLITE_BUSY_TIMEOUT_MS",
    "check_database_writable",
    "create_database_engine",
    "database_unavailable",
    "normalise_database_url",
    "reaching",
    "write_lock",
    "write_transaction",
]

#: The embedded default: a SQLite file in the working directory.
DEFAULT_DATABASE_URL = "sqlite:///baclofen.sqlite3"
#: How long a SQLite writer waits for another's lock before giving up (ms).
SQLITE_BUSY_TIMEOUT_MS = 5000
#: How long connecting to a PostgreSQL server may take before it counts as down (s; the URL's own wins).
POSTGRES_CONNECT_TIMEOUT_S = 10
#: PostgreSQL error classes of a database that cannot serve now: connection exceptions (08), insufficient
#: resources (53: disk full, too many connections), operator intervention (57: shutdown, terminated, cannot
#: connect now) and a read-only transaction (25006: a read-only database or a standby).
_UNAVAILABLE_SQLSTATES = ("08", "53", "57", "25006")
#: SQLite result codes of a database that cannot serve now: BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN.
_UNAVAILABLE_SQLITE_CODES = frozenset({5, 6, 8, 10, 13, 14})
_EXPECTED_URL = "sqlite:///PATH (a database file) or postgresql+psycopg://USER@HOST:PORT/DATABASE"
_WRITE = "baclofen_write"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: The in-process write lock of each SQLite engine (re-entrant: a nested writer still meets SQLite's own lock).
_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.RLock] = weakref.WeakKeyDictionary()


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
        if "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
        return create_engine(parsed, connect_args=connect_args, echo=echo, pool_pre_ping=True)
    if schema is not None:
        raise InvalidInputError("schema", "no schema for SQLite (one database a file)", schema)
    engine = create_engine(parsed, echo=echo)
    database_file = _SqliteFile(Path(parsed.database or "").absolute())
    event.listen(engine, "do_connect", database_file.connect)
    event.listen(engine, "connect", database_file.opened)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "checkout", database_file.check_same_file)
    event.listen(engine, "begin", _on_sqlite_begin)
    _WRITE_LOCKS[engine] = threading.RLock()
    return engine


class _SqliteFile:
    """The database file of a SQLite engine: which file its connections opened (device and inode), so that a
    connection is not used once another file, or none, is at the path; and once one is opened, no connection
    creates a new one in its place."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity: tuple[int, int] | None = None

    def _stat(self) -> tuple[int, int] | None:
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return None
        return found.st_dev, found.st_ino

    def connect(self, dialect: Any, connection_record: Any, cargs: list[Any], cparams: dict[str, Any]) -> Any:
        if self.identity is None:
            return None  # the driver's own connect: it creates the file of a new database
        # an existing file only (mode=rw): the driver fails with "unable to open database file" without one
        uri = f"file:{quote(str(self.path))}?mode=rw"
        return dialect.loaded_dbapi.connect(uri, **{**cparams, "uri": True})

    def opened(self, dbapi_connection: Any, connection_record: Any) -> None:
        connection_record.info["sqlite_file"] = self.identity = self._stat()

    def check_same_file(self, dbapi_connection: Any, connection_record: Any, connection_proxy: Any) -> None:
        if self._stat() != connection_record.info.get("sqlite_file"):
            raise InvalidatePoolError(f"the SQLite database file {self.path} was removed or replaced")


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


def write_lock(engine: Engine) -> AbstractContextManager[Any]:
    """The in-process lock the writers of ``engine`` take turns on (SQLite; none for PostgreSQL, whose writers
    wait on its row locks): held by :func:`write_transaction`, re-entrant."""
    return _WRITE_LOCKS.get(engine) or nullcontext()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that will write: committed when the block ends, rolled back on an
    exception. On SQLite it takes the write lock at once (``BEGIN IMMEDIATE``), waiting up to the busy
    timeout for another writer, so that two writers never deadlock halfway; the writers of one engine in this
    process take turns before that, on the engine's own lock."""
    with write_lock(engine), engine.connect() as connection:
        connection.execution_options(**{_WRITE: True})
        with connection.begin():
            yield connection


def database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` (raised by SQLAlchemy) means the database cannot serve now, and may again later: not
    reachable, a connection lost or refused, locked, read-only, out of space. Such a request is worth retrying;
    any other database error (a statement the database refuses, a constraint) is a fault of the request or of
    this code.

    >>> import sqlite3
    >>> from sqlalchemy.exc import OperationalError
    >>> locked = sqlite3.OperationalError("database is locked")
    >>> locked.sqlite_errorcode = 5  # SQLITE_BUSY
    >>> database_unavailable(OperationalError("INSERT ...", {}, locked))
    True
    >>> syntax = sqlite3.OperationalError('near "SELEC": syntax error')
    >>> syntax.sqlite_errorcode = 1  # SQLITE_ERROR
    >>> database_unavailable(OperationalError("SELEC 1", {}, syntax))
    False
    """
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    code = getattr(error.orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _UNAVAILABLE_SQLITE_CODES
    state = getattr(error.orig, "sqlstate", None)
    if isinstance(state, str):
        return state.startswith(_UNAVAILABLE_SQLSTATES)
    # no code: the driver could not connect, or lost the connection
    return isinstance(error, OperationalError | InterfaceError)


def check_database_writable(engine: Engine) -> None:
    """Raise :class:`~baclofen.domain.errors.ServiceError` when the database does not take writes now (down, or
    PostgreSQL read-only: ``default_transaction_read_only``, a standby); a SQLite file is written by whoever
    may open it."""
    with reaching(engine), engine.connect() as connection:
        if engine.dialect.name != "postgresql":
            return
        if connection.exec_driver_sql("SHOW transaction_read_only").scalar() == "on":
            url = engine.url.render_as_string(hide_password=True)
            raise ServiceError(f"the database {url} is read-only: it cannot store records or the audit log")


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
