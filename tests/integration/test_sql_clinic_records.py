"""The database itself keeps diary entries and alert transitions append-only and never deletes an alert, on SQLite
and PostgreSQL, whoever connects (the triggers of migration 0003)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError

from baclofen.adapters.sql import SqlUnitOfWork, create_database_engine, upgrade_database
from baclofen.bootstrap import bootstrap
from baclofen.domain.cds.risk import RiskLevel
from baclofen.domain.cds.timeline import Symptom
from baclofen.domain.clinic.alerts import Alert
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.rules.core import Severity
from baclofen.services.commands import ComputeWorklist
from tests.databases import postgres_schema

AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = create_database_engine(f"sqlite:///{tmp_path / 'baclofen.sqlite3'}")
        upgrade_database(engine)
        yield engine
        engine.dispose()
    else:
        with postgres_schema() as engine:
            upgrade_database(engine)
            yield engine


@pytest.fixture
def stored(database: Engine) -> Engine:
    alert = Alert("A-1", "P-1", "RISK-REFILL-001", "pump:pump-1", RiskLevel.HIGH, Severity.WARN, AT, "m", "r", ("S65",))
    with SqlUnitOfWork(database) as uow:
        uow.diary.add(DiaryEntryRecord("D-1", "P-1", AT, symptoms=(Symptom.FEVER,)))
        uow.alerts.add(alert.acknowledge("clinician:a", AT, "seen it"))
        uow.commit()
    return database


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE diary_entries SET note = 'changed'",
        "DELETE FROM diary_entries",
        "UPDATE diary_entry_symptoms SET symptom = 'itching'",
        "DELETE FROM diary_entry_symptoms",
        "UPDATE alert_transitions SET reason = 'rewritten'",
        "DELETE FROM alert_transitions",
        "DELETE FROM alerts",
    ],
)
def test_the_database_refuses_to_rewrite_the_diary_or_an_alerts_history(stored, statement) -> None:
    with pytest.raises(DBAPIError, match="append-only"), stored.begin() as connection:
        connection.execute(text(statement))

    with SqlUnitOfWork(stored) as uow:
        assert uow.diary.get("D-1").note == "" and uow.alerts.get("A-1").acknowledged is not None


def test_the_worklist_reads_the_store_in_a_bounded_number_of_statements_for_10_or_40_patients(tmp_path) -> None:
    # No N+1: the records of every patient are read together (a few queries per 500 patients), whatever their number
    # (one patient at a time, the 40 took 256 statements).
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    upgrade_database(create_database_engine(url))
    services = bootstrap(database_url=url)
    as_of = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    demo = services.write_demo_clinic(as_of)
    statements: list[str] = []
    event.listen(services.uow.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    counts = []
    for patient_ids in (demo.patient_ids[:10], demo.patient_ids):
        statements.clear()
        worklist = services.compute_clinic_worklist(ComputeWorklist(patient_ids, as_of))
        counts.append(len(statements))

    assert worklist.items and counts[0] <= 40 and counts[1] <= 40
