"""The SQL store on real databases, SQLite and PostgreSQL: migrations, the append-only audit log, the
engine's settings, times in UTC with their zone, and concurrent commits from threads.

(What every store must do is in ``tests/contracts``, which runs on both engines too.)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.exc import DBAPIError

from baclofen.adapters.sql import (
    SqlAuditLog,
    SqlUnitOfWork,
    check_database_current,
    create_database_engine,
    current_revision,
    downgrade_database,
    head_revision,
    upgrade_database,
)
from baclofen.adapters.sql.schema import Base
from baclofen.bootstrap import bootstrap
from baclofen.domain.errors import ConflictError, InvalidInputError, ServiceError
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.records import AuditEntry, AuditOutcome, PumpRecord, RefillVisitRecord
from tests.databases import postgres_schema

STORE_TABLES = {
    "clinics",
    "users",
    "patients",
    "patient_conditions",
    "pumps",
    "refill_visits",
    "refill_visit_program_steps",
    "refill_visit_program_boluses",
    "refill_visit_overrides",
    "audit_log",
    "diary_entries",
    "diary_entry_symptoms",
    "alerts",
    "alert_transitions",
    "covariate_observations",
    "screening_trials",
    "outcome_scores",
    "population_jobs",
    "saved_plans",
    "program_changes",
    "clinic_setting_changes",
    "idempotency_keys",
    "revoked_tokens",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database with nothing in it (not migrated)."""
    if request.param == "sqlite":
        engine = create_database_engine(f"sqlite:///{tmp_path / 'baclofen.sqlite3'}")
        yield engine
        engine.dispose()
    else:
        with postgres_schema() as engine:
            yield engine


@pytest.fixture
def database(empty_database: Engine) -> Engine:
    upgrade_database(empty_database)
    return empty_database


def _schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


# --- migrations ---------------------------------------------------------------------------------------


def test_migrations_take_an_empty_database_to_head_and_down_and_up_again(empty_database) -> None:
    assert current_revision(empty_database) is None

    upgrade_database(empty_database)
    assert current_revision(empty_database) == head_revision()
    assert _tables(empty_database) == STORE_TABLES
    assert _schema_differences(empty_database) == []  # the migrated schema is the ORM's

    downgrade_database(empty_database, "base")
    assert current_revision(empty_database) is None
    assert _tables(empty_database) == set()

    upgrade_database(empty_database)
    assert current_revision(empty_database) == head_revision()
    assert _schema_differences(empty_database) == []
    SqlAuditLog(empty_database).append(AuditEntry("t", "a", "x", AuditOutcome.SUCCESS, datetime.now(UTC)))


def test_the_store_is_used_only_at_the_revision_the_code_needs(empty_database) -> None:
    with pytest.raises(ServiceError, match="not migrated.*baclofen db upgrade"):
        check_database_current(empty_database)

    upgrade_database(empty_database)
    check_database_current(empty_database)


def test_an_unknown_revision_is_refused_naming_the_known_ones(database) -> None:
    with pytest.raises(InvalidInputError) as err:
        downgrade_database(database, "0042")

    assert err.value.field == "revision" and head_revision() in err.value.expected


# --- the audit log: append-only in the database itself -------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET outcome = 'success'", "DELETE FROM audit_log", "DELETE FROM audit_log WHERE entry_id = 1"],
)
def test_the_database_refuses_to_change_or_delete_an_audit_entry(database, statement) -> None:
    log = SqlAuditLog(database)
    entry = AuditEntry("clinician:a", "pump.read", "pump:pump-1", AuditOutcome.DENIED, datetime(2026, 3, 2, tzinfo=UTC))
    log.append(entry)

    with pytest.raises(DBAPIError, match="append-only"), database.begin() as connection:
        connection.execute(text(statement))

    assert log.entries() == (entry,)


def test_postgresql_refuses_to_truncate_the_audit_log(database) -> None:
    if database.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE is refused above)")
    SqlAuditLog(database).append(AuditEntry("a", "b", "c", AuditOutcome.SUCCESS, datetime(2026, 3, 2, tzinfo=UTC)))

    with pytest.raises(DBAPIError, match="append-only"), database.begin() as connection:
        connection.execute(text("TRUNCATE audit_log"))

    assert len(SqlAuditLog(database).entries()) == 1


# --- engine settings and stored values ------------------------------------------------------------------


def test_sqlite_runs_in_wal_mode_with_full_sync_foreign_keys_and_a_busy_timeout(tmp_path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        with engine.connect() as connection:
            settings = [
                connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            ]
    finally:
        engine.dispose()

    assert settings == ["wal", 2, 1, 5000]  # synchronous 2 = FULL


@pytest.mark.parametrize(
    "url",
    ["sqlite://", "sqlite:///:memory:", "mysql://root@127.0.0.1/test", "not a url", "postgresql+asyncpg://x@y/z"],
)
def test_only_a_sqlite_file_or_postgresql_through_psycopg_is_accepted(url) -> None:
    with pytest.raises(InvalidInputError) as err:
        create_database_engine(url)

    assert err.value.field == "database_url"


def _as_utc(value: object) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def test_times_are_stored_in_utc_with_the_zone_beside_them(database) -> None:
    paris = datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    zoned = (
        RefillVisitRecord(datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=-5))), fill_ml=20),
        RefillVisitRecord(paris, fill_ml=20),
    )
    pump_clock = (  # a date, and a time on the pump's clock (no zone)
        RefillVisitRecord(date(2026, 1, 5), fill_ml=20),
        RefillVisitRecord(datetime(2026, 5, 4, 10, 15), fill_ml=20),
    )
    with SqlUnitOfWork(database) as uow:
        uow.pumps.add(PumpRecord("pump-1", get_pump("synchromed-ii-20"), visits=zoned))
        uow.pumps.add(PumpRecord("pump-2", get_pump("synchromed-ii-20"), visits=pump_clock))
        uow.commit()

    with database.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT refilled_on, refilled_local, refilled_at_utc, refilled_zone FROM refill_visits"
                " ORDER BY pump_id, seq"
            )
        ).all()
    with SqlUnitOfWork(database) as uow:
        stored = uow.pumps.get("pump-1").visits + uow.pumps.get("pump-2").visits

    # PostgreSQL keeps a timestamp with time zone, SQLite the UTC wall time as text
    utc = [_as_utc(r[2]) for r in rows]
    assert utc == [datetime(2026, 3, 2, 14, 0, tzinfo=UTC), datetime(2026, 7, 1, 7, 30, tzinfo=UTC), None, None]
    assert [r[3] for r in rows] == ["-05:00", "Europe/Paris", None, None]
    assert str(rows[2][0]) == "2026-01-05" and str(rows[3][1]).startswith("2026-05-04 10:15")
    assert [v.refilled_at for v in stored] == [v.refilled_at for v in zoned + pump_clock]
    assert stored[1].refilled_at.tzinfo == ZoneInfo("Europe/Paris") and stored[0].refilled_at.utcoffset() == timedelta(
        hours=-5
    )
    assert stored[3].refilled_at.tzinfo is None


# --- concurrency with real threads ---------------------------------------------------------------------


def test_of_concurrent_commits_to_one_pump_from_threads_exactly_one_is_stored(database) -> None:
    with SqlUnitOfWork(database) as uow:
        uow.pumps.add(PumpRecord("pump-1", get_pump("synchromed-ii-20"), "P-1"))
        uow.commit()
    writers = 4
    all_read = threading.Barrier(writers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def write(day: int) -> None:
        with SqlUnitOfWork(database) as uow:
            uow.pumps.get("pump-1")
            all_read.wait(timeout=10)
            uow.pumps.add_visit("pump-1", RefillVisitRecord(date(2026, 3, day), fill_ml=20))
            try:
                uow.commit()
                outcome = "stored"
            except ConflictError:
                outcome = "conflict"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=write, args=(day,)) for day in range(1, writers + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["conflict"] * (writers - 1) + ["stored"]
    with SqlUnitOfWork(database) as uow:
        assert len(uow.pumps.get("pump-1").visits) == 1


def test_writers_of_one_sqlite_engine_take_turns_instead_of_failing_or_sleeping_on_the_lock(tmp_path) -> None:
    # With no busy timeout at all, a writer that finds another's lock fails at once ("database is locked"): the
    # writers of one process wait for each other in the process (no busy-handler sleeps, no failures).
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    engine = create_database_engine(f"sqlite:///{tmp_path / 'baclofen.sqlite3'}")
    upgrade_database(engine)
    engine.dispose()
    event.listen(engine, "connect", lambda dbapi, record: dbapi.execute("PRAGMA busy_timeout=0"))
    log, writers, each = SqlAuditLog(engine), 6, 40
    failures: list[BaseException] = []
    start = threading.Barrier(writers)

    def append(n: int) -> None:
        start.wait(timeout=10)
        for i in range(each):
            try:
                log.append(AuditEntry(f"nurse:w{n}", "patient.read", f"patient:P-{i}", AuditOutcome.SUCCESS, now))
            except Exception as exc:  # noqa: BLE001 - what the test counts
                failures.append(exc)

    threads = [threading.Thread(target=append, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert len(log.entries(target=None)) == writers * each
    engine.dispose()


def _append_from_threads(log: SqlAuditLog, entries: list[AuditEntry]) -> dict[str, str]:
    """Append each entry from a thread of its own; per actor, ``stored`` or the exception's name."""
    outcomes: dict[str, str] = {}

    def append(entry: AuditEntry) -> None:
        try:
            log.append(entry)
            # stored when append returns: another connection sees it at once
            seen = log.entries(actor=entry.actor)
            outcomes[entry.actor] = "stored" if seen == (entry,) else f"not seen: {seen}"
        except Exception as exc:  # noqa: BLE001 - what the test looks at
            outcomes[entry.actor] = type(exc).__name__

    threads = [threading.Thread(target=append, args=(e,)) for e in entries]
    for thread in threads:
        thread.start()
    return outcomes if all(_joined(t) for t in threads) else {}


def _joined(thread: threading.Thread) -> bool:
    thread.join(timeout=30)
    return not thread.is_alive()


def test_concurrent_audit_appends_share_a_commit_and_each_returns_once_stored(database) -> None:
    log, inserts = SqlAuditLog(database), []
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    entries = [AuditEntry(f"nurse:g{n}", "patient.read", "patient:P-1", AuditOutcome.SUCCESS, at) for n in range(8)]

    def count_and_hold_the_first(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_LOG"):
            inserts.append(len(parameters) if executemany else 1)
            for _ in range(500 if len(inserts) == 1 else 0):  # the first waits until the seven others are queued
                if log._group.waiting == len(entries) - 1:
                    break
                threading.Event().wait(0.01)

    event.listen(database, "before_cursor_execute", count_and_hold_the_first)
    outcomes = _append_from_threads(log, entries)

    assert outcomes == {e.actor: "stored" for e in entries}
    assert inserts == [1, 7]  # the first alone, then the seven that came during its commit, together


def test_an_audit_entry_that_cannot_be_stored_fails_its_own_append_only(database) -> None:
    log = SqlAuditLog(database)
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    entries = [AuditEntry(f"nurse:f{n}", "patient.read", "patient:P-1", AuditOutcome.SUCCESS, at) for n in range(6)]

    def refuse_one(conn, cursor, statement, parameters, context, executemany) -> None:
        rows = parameters if executemany else [parameters]
        if statement.lstrip().upper().startswith("INSERT INTO AUDIT_LOG") and any(
            "nurse:f3" in (r.values() if isinstance(r, dict) else r) for r in rows
        ):
            raise RuntimeError("refused")

    event.listen(database, "before_cursor_execute", refuse_one)
    outcomes = _append_from_threads(log, entries)

    assert outcomes == {e.actor: "RuntimeError" if e.actor == "nurse:f3" else "stored" for e in entries}


# --- the bootstrap --------------------------------------------------------------------------------------


def test_the_bootstrap_wires_the_sql_store_of_a_database_url(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    with pytest.raises(ServiceError, match="baclofen db upgrade"):
        bootstrap(database_url=url)
    engine = create_database_engine(url)
    upgrade_database(engine)
    engine.dispose()

    services = bootstrap(database_url=url)
    services.register_pump(PumpRecord("pump-1", get_pump("prometra-ii-40")))
    services.audit.append(AuditEntry("cli", "pump.register", "pump:pump-1", AuditOutcome.SUCCESS, services.clock.now()))
    again = bootstrap(database_url=url)  # another process would see the same

    assert isinstance(services.uow, SqlUnitOfWork)
    with again.uow as uow:
        assert uow.pumps.get("pump-1").model.key == "prometra-ii-40"
    assert [e.action for e in again.audit.entries()] == ["pump.register"]


def test_the_bootstrap_takes_a_database_url_or_adapters_not_both(tmp_path) -> None:
    with pytest.raises(InvalidInputError) as err:
        bootstrap(database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}", uow=SqlUnitOfWork.__new__(SqlUnitOfWork))

    assert err.value.field == "database_url"


def test_every_table_of_records_counts_towards_a_non_empty_database() -> None:
    """``db restore`` refuses to overwrite a database holding records unless forced: every table but the audit
    log (an empty clinic may still have been audited) and the stored responses of idempotent requests (each stored
    with its record) must count, so a new table cannot be forgotten."""
    from baclofen.adapters.sql.maintenance import RECORD_TABLES

    uncounted = set(Base.metadata.tables) - set(RECORD_TABLES) - {"audit_log", "idempotency_keys"}
    child_tables = {name for name, table in Base.metadata.tables.items() if table.foreign_keys}  # parts of a record
    assert uncounted <= child_tables, (
        f"tables of records not counted by count_stored_records: {uncounted - child_tables}"
    )
