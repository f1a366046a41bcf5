"""The database itself keeps saved plans and program changes append-only, on SQLite and PostgreSQL, whoever connects
(the triggers of migration 0006), and the revision goes down and up again cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from baclofen.adapters.sql import (
    SqlUnitOfWork,
    count_stored_records,
    create_database_engine,
    downgrade_database,
    upgrade_database,
)
from baclofen.domain.clinic.regimens import ProgramChangeRecord, SavedPlan
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.patient import PatientSnapshot
from baclofen.services.commands import PlanTitration
from baclofen.services.planning import plan_oral_titration
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
    plan = plan_oral_titration(PlanTitration(date(2026, 3, 11), patient=PatientSnapshot(age_years=50)))
    with SqlUnitOfWork(database) as uow:
        uow.plans.add(SavedPlan("P-1", 0, plan, "clinician:a", AT))
        uow.program_changes.add(
            ProgramChangeRecord("pump-1", 0, AT, continuous_program(220), 200.0, "clinician:a", "spasms")
        )
        uow.commit()
    return database


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE saved_plans SET saved_by = 'someone else'",
        "DELETE FROM saved_plans",
        "UPDATE program_changes SET reason = 'rewritten'",
        "DELETE FROM program_changes",
    ],
)
def test_the_database_refuses_to_rewrite_a_plan_or_a_program_change(stored, statement) -> None:
    with pytest.raises(DBAPIError, match="append-only"), stored.begin() as connection:
        connection.execute(text(statement))

    with SqlUnitOfWork(stored) as uow:
        assert [p.saved_by for p in uow.plans.for_patient("P-1")] == ["clinician:a"]
        assert [c.reason for c in uow.program_changes.for_pump("pump-1")] == ["spasms"]


def test_the_revision_goes_down_to_0003_and_up_again(database) -> None:
    downgrade_database(database, "0003")
    assert not {"saved_plans", "program_changes"} & set(inspect(database).get_table_names())

    upgrade_database(database)
    assert {"saved_plans", "program_changes"} <= set(inspect(database).get_table_names())


def test_plans_and_program_changes_are_records_a_restore_would_replace(stored) -> None:
    assert count_stored_records(stored) == 2  # a plan and a change, nothing else
