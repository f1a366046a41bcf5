"""The database itself keeps a refill visit's overrides append-only, on SQLite and PostgreSQL, whoever connects
(the triggers of migration 0009); their visit cannot go while they stand; the revision goes down and up cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from baclofen.adapters.sql import SqlUnitOfWork, create_database_engine, downgrade_database, upgrade_database
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.records import PumpRecord, RefillVisitRecord
from baclofen.domain.rules.core import Override
from tests.databases import postgres_schema

OVERRIDE = Override("PUMP-RECON-006", "reservoir found empty, patient examined, no withdrawal", "Dr A. Martin")


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
    visit = RefillVisitRecord(date(2026, 3, 2), expected_ml=3.0, aspirated_ml=0.0, fill_ml=20, overrides=(OVERRIDE,))
    with SqlUnitOfWork(database) as uow:
        uow.pumps.add(PumpRecord("pump-1", get_pump("synchromed-ii-20"), None, date(2026, 1, 1), (visit,)))
        uow.commit()
    return database


@pytest.mark.parametrize(
    "statement",
    ["UPDATE refill_visit_overrides SET reason = 'rewritten'", "DELETE FROM refill_visit_overrides"],
)
def test_the_database_refuses_to_rewrite_or_remove_an_override(stored, statement) -> None:
    with pytest.raises(DBAPIError, match="append-only"), stored.begin() as connection:
        connection.execute(text(statement))

    with SqlUnitOfWork(stored) as uow:
        assert uow.pumps.get("pump-1").visits[0].overrides == (OVERRIDE,)


def test_a_visit_with_an_override_cannot_be_deleted(stored) -> None:
    with pytest.raises((IntegrityError, DBAPIError)), stored.begin() as connection:
        connection.execute(text("DELETE FROM refill_visits"))

    with SqlUnitOfWork(stored) as uow:
        assert uow.pumps.get("pump-1").visits[0].overrides == (OVERRIDE,)


def test_the_revision_goes_down_to_0008_and_up_again(database) -> None:
    downgrade_database(database, "0008")
    assert "refill_visit_overrides" not in set(inspect(database).get_table_names())
    assert "refill_visits" in set(inspect(database).get_table_names())

    upgrade_database(database)
    assert "refill_visit_overrides" in set(inspect(database).get_table_names())
