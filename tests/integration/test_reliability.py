"""Reliability of the served clinic service (issue 11 item 11), on SQLite and PostgreSQL, loopback only.

The real server (``baclofen serve``) runs as a subprocess on a database of its own:

* killed with SIGKILL while several clients write diary entries and refill visits, each with an
  ``Idempotency-Key``, then restarted on the same database: every write it acknowledged (a 2xx) is stored whole
  (its symptoms, its alert, its program), the audit log holds a success entry for each, and the database is
  consistent (SQLite: ``integrity_check``); the clients then retry the writes left unacknowledged with their keys,
  and every record attempted is stored exactly once (none lost, none doubled), each with its stored response;
* its database taken away mid-run (SQLite: the file renamed away; PostgreSQL: the server's role may no longer
  log in and its sessions are ended) or made read-only (PostgreSQL: ``default_transaction_read_only``): every
  request gets a 503 problem document with Retry-After, ``/readyz`` says 503, nothing of a refused write is
  stored, and once the database is back the same process serves again without a restart.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

import baclofen
from baclofen.adapters.passwords import Argon2PasswordHasher
from baclofen.adapters.sql import create_database_engine, upgrade_database
from baclofen.adapters.sql.engine import database_unavailable
from baclofen.bootstrap import bootstrap
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import AuditOutcome, PatientRecord, PumpRecord
from baclofen.entrypoints.api.problems import PROBLEM_JSON
from tests.databases import postgres_url

PASSWORD = "correct horse battery"
SECRET = "a-reliability-test-secret-long-enough-for-hs256"
#: How long a server may take to answer /readyz (start, or recovery) before the test fails.
READY_DEADLINE_S = 30.0
WRITERS_PER_KIND = 3
#: Acknowledged writes to wait for before the kill (the writers go on until it).
ACKED_BEFORE_KILL = 24
ENTRY_START = datetime(2025, 1, 1, tzinfo=UTC)
VISIT_START = date(2025, 1, 1)
FLEX = "00:00=10,12:00=15"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# -- the databases ------------------------------------------------------------------------------------------


@dataclass
class Database:
    """A database of one test: its URL, and how to take it away and bring it back."""

    kind: str
    url: str
    admin: Engine | None = None  # PostgreSQL: the test server as its own user (the tests' URL)
    name: str = ""  # PostgreSQL: the role the server logs in as, owner of the schema of that name

    def engine(self) -> Engine:
        return create_database_engine(self.url)

    @property
    def path(self) -> Path:
        return Path(make_url(self.url).database or "")

    def _admin(self, *statements: str) -> None:
        assert self.admin is not None
        with self.admin.connect() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)

    def _end_sessions(self) -> str:
        return f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{self.name}'"

    def take_away(self) -> None:
        if self.kind == "sqlite":
            self.path.rename(self.path.with_name(self.path.name + ".away"))
        else:
            self._admin(f"ALTER ROLE {self.name} NOLOGIN", self._end_sessions())

    def bring_back(self) -> None:
        if self.kind == "sqlite":
            self.path.with_name(self.path.name + ".away").rename(self.path)
        else:
            self._admin(f"ALTER ROLE {self.name} LOGIN")

    def make_read_only(self, read_only: bool) -> None:
        assert self.kind == "postgresql"
        self._admin(f"ALTER ROLE {self.name} SET default_transaction_read_only = {'on' if read_only else 'off'}")
        self._admin(self._end_sessions())  # the setting reaches new sessions only


def _seed(url: str) -> None:
    """A clinic C-1 with clinician clin1, patient P-1 and pumps pump-0.. (one per visit writer)."""
    engine = create_database_engine(url)
    upgrade_database(engine)
    engine.dispose()
    cheap = Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1)
    services = bootstrap(database_url=url, passwords=cheap)
    services.create_user(clinic_id="C-1", username="clin1", role="clinician", password=PASSWORD)
    with services.uow as uow:
        uow.patients.add(PatientRecord("P-1", PatientSnapshot(age_years=50), "C-1"))
        for n in range(WRITERS_PER_KIND):
            uow.pumps.add(PumpRecord(f"pump-{n}", get_pump("synchromed-ii-20"), "P-1", date(2024, 12, 1)))
        uow.commit()
    services.uow.engine.dispose()  # type: ignore[attr-defined]


@contextmanager
def _sqlite(tmp_path: Path) -> Iterator[Database]:
    database = Database("sqlite", f"sqlite:///{tmp_path / 'clinic.sqlite3'}")
    _seed(database.url)
    yield database


@contextmanager
def _postgres(tmp_path: Path) -> Iterator[Database]:
    """A role of its own on the test server, owning a schema of its name (the server logs in as that role:
    its connections are refused and ended mid-test, no one else's)."""
    admin = create_database_engine(postgres_url()).execution_options(isolation_level="AUTOCOMMIT")
    name, password = f"baclofen_rel_{uuid.uuid4().hex[:12]}", uuid.uuid4().hex
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
            connection.exec_driver_sql(f"CREATE SCHEMA {name} AUTHORIZATION {name}")
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL does not answer: {exc.orig}")
        pytest.skip(f"PostgreSQL does not answer: {exc.orig}")
    url = make_url(postgres_url()).set(username=name, password=password)
    url = url.update_query_dict({"options": f"-c search_path={name}"})
    database = Database("postgresql", url.render_as_string(hide_password=False), admin, name)
    try:
        _seed(database.url)
        yield database
    finally:
        database._admin(database._end_sessions(), f"DROP SCHEMA {name} CASCADE", f"DROP ROLE {name}")
        admin.dispose()


DATABASES: dict[str, Callable[[Path], Any]] = {"sqlite": _sqlite, "postgresql": _postgres}


@pytest.fixture(params=sorted(DATABASES))
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with DATABASES[request.param](tmp_path) as made:
        yield made


# -- the server ---------------------------------------------------------------------------------------------


class Server:
    """``baclofen serve`` on ``url`` as a subprocess (its output in a file of the test)."""

    def __init__(self, url: str, log: Path) -> None:
        self.url, self.log = url, log
        self.env = dict(os.environ, BACLOFEN_SECRET_KEY=SECRET)
        source = str(Path(baclofen.__file__).resolve().parents[1])
        self.env["PYTHONPATH"] = os.pathsep.join(p for p in (source, self.env.get("PYTHONPATH")) if p)
        self.launches = 0
        self._launch()

    def _launch(self) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.launches += 1
        self.log_offset = self.log.stat().st_size if self.log.exists() else 0
        command = [sys.executable, "-c", "from baclofen.entrypoints.cli.app import main; main()"]
        args = ["serve", "--host", "127.0.0.1", "--port", str(self.port), "--database-url", self.url]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen([*command, *args], env=self.env, stdout=out, stderr=subprocess.STDOUT)

    def _output(self) -> str:
        return self.log.read_bytes()[self.log_offset :].decode(errors="replace")

    def wait_ready(self, deadline_s: float = READY_DEADLINE_S) -> None:
        """Poll /readyz until it answers 200 (fails when the process ends or the deadline passes); a port taken
        by another process between choosing and binding it is another port's try."""
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            if self.process.poll() is not None:
                if "address already in use" in self._output().lower() and self.launches < 3:
                    self._launch()
                    continue
                pytest.fail(f"the server ended:\n{self._output()[-3000:]}")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        pytest.fail(f"the server was not ready in {deadline_s} s:\n{self._output()[-3000:]}")

    def token(self) -> dict[str, str]:
        r = httpx.post(f"{self.base}/api/v1/auth/token", json={"username": "clin1", "password": PASSWORD}, timeout=10)
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def serving(url: str, log: Path) -> Iterator[Server]:
    server = Server(url, log)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def _entry(n: int) -> dict[str, Any]:
    """Diary entry ``n`` (its own instant: its own identifier), with one red flag (a symptom row and an alert)."""
    return {"recorded_at": (ENTRY_START + timedelta(seconds=n)).isoformat(), "symptoms": ["fever"], "pain_nrs": 3}


def _visit(n: int) -> dict[str, Any]:
    """Refill visit ``n`` of a pump: a flex program of two steps."""
    return {"concentration_mcg_per_ml": 500, "refilled": (VISIT_START + timedelta(days=n)).isoformat(), "flex": FLEX}


# -- the store, read directly ------------------------------------------------------------------------------


def _check_consistent(database: Database, entries: set[str], visits: dict[str, set[str]]) -> None:
    """Everything acknowledged is stored whole; the database and its audit log are consistent."""
    engine = database.engine()
    try:
        with engine.connect() as c:
            if database.kind == "sqlite":
                assert c.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
                assert c.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            stored = set(c.execute(text("SELECT entry_id FROM diary_entries")).scalars())
            assert entries <= stored, f"acknowledged diary entries lost: {sorted(entries - stored)}"
            counted = c.execute(text("SELECT entry_id, count(*) FROM diary_entry_symptoms GROUP BY entry_id"))
            symptoms = dict(counted.all())
            alerts = set(c.execute(text("SELECT subject FROM alerts")).scalars())
            for entry_id in stored:  # all or nothing: each entry with its symptom and its alert
                assert symptoms.get(entry_id) == 1 and f"diary:{entry_id}" in alerts, entry_id
            for pump_id, refilled in visits.items():
                on = c.execute(text("SELECT refilled_on FROM refill_visits WHERE pump_id = :p"), {"p": pump_id})
                kept = {str(d) for d in on.scalars()}
                assert refilled <= kept, f"acknowledged visits of {pump_id} lost: {sorted(refilled - kept)}"
            steps = c.execute(
                text(
                    "SELECT v.pump_id, v.seq, count(s.step_no) FROM refill_visits v LEFT JOIN "
                    "refill_visit_program_steps s ON s.pump_id = v.pump_id AND s.visit_seq = v.seq "
                    "GROUP BY v.pump_id, v.seq"
                )
            ).all()
            assert all(count == 2 for _, _, count in steps), steps  # no visit without its program
        audit = bootstrap(database_url=database.url).audit
        succeeded = [e.action for e in audit.entries() if e.outcome is AuditOutcome.SUCCESS]
        assert succeeded.count("diary.create") >= len(entries)
        assert succeeded.count("pump.add_visit") >= sum(len(v) for v in visits.values())
        audit.engine.dispose()  # type: ignore[attr-defined]
    finally:
        engine.dispose()


# -- kill -9 during concurrent writes -----------------------------------------------------------------------


@dataclass
class Acknowledged:
    """What the server acknowledged (a 2xx) before it was killed; the other answers seen."""

    entries: set[str] = field(default_factory=set)
    visits: dict[str, set[str]] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)
    #: The writes sent but not acknowledged (the server went): (path, body, Idempotency-Key), to retry.
    unacknowledged: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return len(self.entries) + sum(len(v) for v in self.visits.values())


def _write(server: Server, headers: dict[str, str], writer: int, acked: Acknowledged, stop: threading.Event) -> None:
    """Writer ``writer``: diary entries (even) or refill visits of its own pump (odd), until the server goes."""
    pump_id = f"pump-{writer // 2}"
    with httpx.Client(base_url=server.base, headers=headers, timeout=10) as client:
        for n in range(10_000):
            if stop.is_set():
                return
            if writer % 2 == 0:
                path, body = "/api/v1/patients/P-1/diary", _entry(writer * 10_000 + n)
            else:
                path, body = f"/api/v1/pumps/{pump_id}/visits", _visit(n)
            key = f"{uuid.uuid4()}-w{writer}-n{n}"
            try:
                r = client.post(path, json=body, headers={"Idempotency-Key": key})
            except httpx.TransportError:  # killed: this request was not acknowledged (stored or not: unknown)
                with acked.lock:
                    acked.unacknowledged.append((path, body, key))
                return
            _acknowledged(acked, path, body, r)


def _acknowledged(acked: Acknowledged, path: str, body: dict[str, Any], r: httpx.Response) -> None:
    with acked.lock:
        if r.status_code != 201:
            acked.refused.append(f"{r.status_code} {r.text[:200]}")
        elif path.endswith("/diary"):
            acked.entries.add(r.json()["entry"]["entry_id"])
        else:
            acked.visits.setdefault(path.split("/")[4], set()).add(body["refilled"])


def _retry_unacknowledged(server: Server, headers: dict[str, str], acked: Acknowledged) -> int:
    """Each write left unacknowledged, sent again with its key and body (as a client retries): acknowledged now,
    whether the killed server had stored it (its stored response replayed) or not (stored now). How many replayed."""
    replayed = 0
    with httpx.Client(base_url=server.base, headers=headers, timeout=10) as client:
        for path, body, key in acked.unacknowledged:
            r = client.post(path, json=body, headers={"Idempotency-Key": key})
            assert r.status_code == 201, r.text
            replayed += r.headers.get("Idempotent-Replayed") == "true"
            _acknowledged(acked, path, body, r)
    return replayed


def _check_exactly_once(database: Database, acked: Acknowledged) -> None:
    """Every record attempted (acknowledged at once, or after its retry) is stored exactly once, nothing else is,
    and each has the response stored with its key (in its transaction)."""
    engine = database.engine()
    try:
        with engine.connect() as c:
            entries = c.execute(text("SELECT entry_id FROM diary_entries")).scalars().all()
            assert sorted(entries) == sorted(acked.entries)
            visits = c.execute(text("SELECT pump_id, refilled_on FROM refill_visits")).all()
            stored = sorted((pump_id, str(on)) for pump_id, on in visits)
            assert stored == sorted((p, d) for p, dates in acked.visits.items() for d in dates)  # none doubled
            keys = c.execute(text("SELECT count(*) FROM idempotency_keys")).scalar_one()
            assert keys == len(entries) + len(visits)
    finally:
        engine.dispose()


def test_a_server_killed_during_concurrent_writes_loses_no_acknowledged_record_and_retries_store_each_once(
    database: Database, tmp_path: Path
) -> None:
    acked, stop = Acknowledged(), threading.Event()
    server = Server(database.url, tmp_path / "server.log")
    try:
        server.wait_ready()
        headers = server.token()
        writers = [
            threading.Thread(target=_write, args=(server, headers, w, acked, stop)) for w in range(2 * WRITERS_PER_KIND)
        ]
        for thread in writers:
            thread.start()
        end = time.monotonic() + READY_DEADLINE_S
        while acked.count() < ACKED_BEFORE_KILL and time.monotonic() < end:
            time.sleep(0.01)
        server.kill()  # mid-stream: the writers are still sending
        stop.set()
        for thread in writers:
            thread.join(timeout=30)
    finally:
        stop.set()
        server.stop()

    assert acked.count() >= ACKED_BEFORE_KILL, acked.refused[:5]
    assert acked.refused == []
    with serving(database.url, tmp_path / "server.log") as again:
        headers = again.token()
        for pump_id, refilled in acked.visits.items():
            stored = httpx.get(f"{again.base}/api/v1/pumps/{pump_id}", headers=headers, timeout=10).json()
            assert refilled <= {v["refilled_at"] for v in stored["visits"]}
        listed: set[str] = set()
        after: str | None = None
        while True:
            params = {"limit": 100, **({"after": after} if after else {})}
            page = httpx.get(f"{again.base}/api/v1/patients/P-1/diary", params=params, headers=headers, timeout=10)
            assert page.status_code == 200, page.text
            listed |= {e["entry_id"] for e in page.json()["items"]}
            after = page.json().get("next_after")
            if not after:
                break
        assert acked.entries <= listed
    _check_consistent(database, acked.entries, acked.visits)

    # the clients retry what was left unacknowledged, with its Idempotency-Key: exactly once, every record
    assert acked.unacknowledged, "the kill left no write in flight"
    with serving(database.url, tmp_path / "server.log") as again:
        _retry_unacknowledged(again, again.token(), acked)
    assert acked.refused == []
    _check_exactly_once(database, acked)
    _check_consistent(database, acked.entries, acked.visits)


# -- the database gone or read-only mid-run -----------------------------------------------------------------


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["status"] == 503 and body["title"] == "Service Unavailable" and body["detail"]
    assert "Traceback" not in response.text and "sqlalchemy" not in response.text.lower()


def _outage(server: Server, headers: dict[str, str], first: int) -> None:
    """Requests while the database is away or read-only: writes and reads, each a 503 problem; /readyz too."""
    with httpx.Client(base_url=server.base, headers=headers, timeout=15) as client:
        for n in range(first, first + 3):
            _assert_unavailable(client.post("/api/v1/patients/P-1/diary", json=_entry(n)))
            _assert_unavailable(client.post("/api/v1/pumps/pump-0/visits", json=_visit(n)))
            _assert_unavailable(client.get("/api/v1/patients/P-1"))  # a read: its audit entry is a write
        _assert_unavailable(client.get("/readyz"))
        assert client.get("/healthz").status_code == 200  # the process itself answers


def _recovered(server: Server, headers: dict[str, str], n: int) -> str:
    """Poll until the same process serves writes again; the identifier of the entry it stored."""
    server.wait_ready()
    end = time.monotonic() + READY_DEADLINE_S
    while True:
        r = httpx.post(f"{server.base}/api/v1/patients/P-1/diary", json=_entry(n), headers=headers, timeout=15)
        if r.status_code == 201 or time.monotonic() > end:
            break
        _assert_unavailable(r)  # a pooled connection of the outage, found dead and replaced
        time.sleep(0.05)
    assert r.status_code == 201, r.text
    entry_id: str = r.json()["entry"]["entry_id"]
    return entry_id


def _stored(database: Database) -> tuple[set[str], int]:
    """The diary entries and the number of refill visits stored."""
    engine = database.engine()
    try:
        with engine.connect() as c:
            entries = set(c.execute(text("SELECT entry_id FROM diary_entries")).scalars())
            return entries, c.execute(text("SELECT count(*) FROM refill_visits")).scalar_one()
    finally:
        engine.dispose()


def test_the_database_gone_or_read_only_mid_run_is_a_clean_503_and_the_same_server_recovers(
    database: Database, tmp_path: Path
) -> None:
    outages = [(database.take_away, database.bring_back)]
    if database.kind == "postgresql":
        outages.append((partial(database.make_read_only, True), partial(database.make_read_only, False)))
    with serving(database.url, tmp_path / "server.log") as server:
        headers = server.token()
        acked = {_recovered(server, headers, 0)}
        pid = server.process.pid
        for n, (begin, end) in enumerate(outages, start=1):
            begin()
            try:
                _outage(server, headers, 100 * n)
            finally:
                end()
            acked.add(_recovered(server, headers, n))

        assert server.process.poll() is None and server.process.pid == pid  # the same process, no restart
    assert _stored(database) == (acked, 0)  # nothing of a refused write: no entry, no visit
    _check_consistent(database, acked, {})


# -- the SQLite file under a running engine -----------------------------------------------------------------


def _sqlite_with(path: Path, value: int) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (v INTEGER)")
        connection.execute("INSERT INTO t VALUES (?)", (value,))
    connection.close()


def _values(engine: Engine) -> list[int]:
    with engine.connect() as connection:
        return list(connection.exec_driver_sql("SELECT v FROM t ORDER BY v").scalars())


def test_a_sqlite_engine_whose_file_is_taken_away_fails_to_connect_and_creates_no_empty_database(
    tmp_path: Path,
) -> None:
    path, away = tmp_path / "clinic.sqlite3", tmp_path / "elsewhere.sqlite3"
    _sqlite_with(path, 1)
    engine = create_database_engine(f"sqlite:///{path}")
    try:
        assert _values(engine) == [1]  # a pooled connection on the file

        path.rename(away)
        with pytest.raises(OperationalError, match="unable to open database file") as gone:
            _values(engine)
        created = path.exists()
        away.rename(path)
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO t VALUES (2)")
        back = _values(engine)
    finally:
        engine.dispose()

    assert database_unavailable(gone.value) and not created
    assert back == [1, 2]


def test_a_sqlite_engine_drops_its_pooled_connections_when_the_file_is_replaced(tmp_path: Path) -> None:
    path, other = tmp_path / "clinic.sqlite3", tmp_path / "restored.sqlite3"
    _sqlite_with(path, 1)
    _sqlite_with(other, 7)
    engine = create_database_engine(f"sqlite:///{path}")
    try:
        assert _values(engine) == [1]

        os.replace(other, path)  # as a restore that swaps the file would
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO t VALUES (8)")
        seen = _values(engine)
    finally:
        engine.dispose()

    with sqlite3.connect(path) as connection:
        stored = [v for (v,) in connection.execute("SELECT v FROM t ORDER BY v")]
    connection.close()
    assert seen == stored == [7, 8]  # the write went into the file at the path, not the one replaced


def test_only_a_database_that_cannot_serve_now_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite3"
    _sqlite_with(path, 1)
    engine = create_database_engine(f"sqlite:///{path}")
    errors = []
    try:
        for statement in ("SELEC 1", "SELECT v FROM no_such_table", "INSERT INTO t VALUES ('x', 'y')"):
            with pytest.raises(DBAPIError) as raised, engine.connect() as connection:
                connection.exec_driver_sql(statement)
            errors.append(raised.value)
    finally:
        engine.dispose()

    assert [database_unavailable(e) for e in errors] == [False, False, False]
