"""The database itself keeps each clinic's settings history append-only, on SQLite and PostgreSQL, whoever
connects (the triggers of migration 0007), and the migration goes down and up again."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from baclofen.adapters.sql import SqlClinicSettings, create_database_engine, downgrade_database, upgrade_database
from baclofen.domain.clinic.settings_profile import SettingChange
from baclofen.domain.itb.reservoir import REFILL_MARGIN_DAYS
from tests.databases import postgres_schema

AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
#: The revision before the clinic settings' (whatever the chain becomes).
BEFORE = importlib.import_module("baclofen.adapters.sql.migrations.versions.0007_clinic_settings").down_revision


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
    SqlClinicSettings(database).change(
        SettingChange("C-1", REFILL_MARGIN_DAYS.name, None, 10, "admin:ann", AT, "our pharmacy needs longer")
    )
    return database


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE clinic_setting_changes SET new_value = '3'",
        "UPDATE clinic_setting_changes SET reason = 'rewritten'",
        "DELETE FROM clinic_setting_changes",
    ],
)
def test_the_database_refuses_to_rewrite_a_clinics_settings_history(stored, statement) -> None:
    with pytest.raises(DBAPIError, match="append-only"), stored.begin() as connection:
        connection.execute(text(statement))

    assert SqlClinicSettings(stored).values("C-1") == {REFILL_MARGIN_DAYS.name: 10}


def test_the_migration_goes_down_and_up_again(stored) -> None:
    downgrade_database(stored, BEFORE)
    assert "clinic_setting_changes" not in inspect(stored).get_table_names()

    upgrade_database(stored)

    assert "clinic_setting_changes" in inspect(stored).get_table_names()
    assert SqlClinicSettings(stored).values("C-1") == {}
