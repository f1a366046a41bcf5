"""The adapters the contract tests run against, one parameter each.

A new adapter of a port (SQLAlchemy on SQLite or PostgreSQL) joins by adding an entry here: every
contract test then runs on it too. A unit-of-work entry takes pytest's ``tmp_path`` (a place for a
database file) and returns a factory of units of work over one new, empty store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from baclofen.adapters.clock import FixedClock, SystemClock
from baclofen.adapters.memory import InMemoryStore, InMemoryUnitOfWork, StaticSettings
from baclofen.services.ports import Clock, SettingsProvider, UnitOfWork

UowFactory = Callable[[], UnitOfWork]


def _memory(tmp_path: Path) -> UowFactory:
    store = InMemoryStore()
    return lambda: InMemoryUnitOfWork(store)


#: name -> (tmp_path -> a factory of units of work over one new, empty store)
UNITS_OF_WORK: dict[str, Callable[[Path], UowFactory]] = {"memory": _memory}

#: name -> a clock
CLOCKS: dict[str, Callable[[], Clock]] = {
    "system-local": SystemClock,
    "system-utc": lambda: SystemClock(UTC),
    "system-plus-13": lambda: SystemClock(timezone(timedelta(hours=13))),
    "fixed": lambda: FixedClock(datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))),
}

#: name -> (the clinic's values by setting name -> a settings provider holding them)
SETTINGS_PROVIDERS: dict[str, Callable[[Mapping[str, Any]], SettingsProvider]] = {"static": StaticSettings}


@pytest.fixture(params=sorted(UNITS_OF_WORK))
def new_uow(request: pytest.FixtureRequest, tmp_path: Path) -> UowFactory:
    """A factory of units of work that all share one new, empty store."""
    return UNITS_OF_WORK[request.param](tmp_path)


@pytest.fixture(params=sorted(CLOCKS))
def clock(request: pytest.FixtureRequest) -> Clock:
    return CLOCKS[request.param]()


@pytest.fixture(params=sorted(SETTINGS_PROVIDERS))
def make_settings(request: pytest.FixtureRequest) -> Callable[[Mapping[str, Any]], SettingsProvider]:
    return SETTINGS_PROVIDERS[request.param]
