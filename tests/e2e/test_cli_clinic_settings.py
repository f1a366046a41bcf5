"""`baclofen clinic-settings`: a clinic's settings profile in the clinic database from the command line (the one
the API's users of that clinic work with): set within bounds, reset, list, history; an invalid value names it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baclofen.adapters.sql import SqlClinicSettings, create_database_engine

MARGIN = "pump.refill_margin_days"


@pytest.fixture
def url(run_cli, tmp_path: Path) -> str:
    database = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert run_cli("db", "upgrade", "--database-url", database).exit_code == 0
    return database


def test_an_operator_sets_lists_resets_and_reads_the_history(run_cli, url: str) -> None:
    where = ("--clinic", "C-1", "--database-url", url)

    made = run_cli("clinic-settings", "set", f"{MARGIN}=10", "--reason", "pharmacy lead time", *where, "--json")
    listed = json.loads(run_cli("clinic-settings", "list", *where, "--json").stdout)
    reset = run_cli("clinic-settings", "reset", MARGIN, "--reason", "back to the default", *where)
    history = json.loads(run_cli("clinic-settings", "history", *where, "--json").stdout)

    assert made.exit_code == 0, made.stderr
    assert json.loads(made.stdout) | {"at": ""} == {
        "clinic_id": "C-1",
        "name": MARGIN,
        "old_value": None,
        "new_value": 10,
        "reset": False,
        "by": "cli",
        "at": "",
        "reason": "pharmacy lead time",
        "settings": [],
    }
    entry = next(e for e in listed["items"] if e["name"] == MARGIN)
    assert (entry["value"], entry["clinic_value"], entry["source"]) == (10, 10, "clinic")
    assert reset.exit_code == 0 and "10 -> the default" in reset.stdout
    assert [(c["old_value"], c["new_value"]) for c in history["items"]] == [(None, 10), (10, None)]
    engine = create_database_engine(url)
    assert SqlClinicSettings(engine).values("C-1") == {} and len(SqlClinicSettings(engine).history("C-1")) == 2
    engine.dispose()


@pytest.mark.parametrize(
    ("setting", "expected"), [(f"{MARGIN}=0", ">= 1"), ("pump.no_such=1", "name: expected one of: cds.")]
)
def test_a_value_out_of_bounds_or_an_unknown_setting_is_refused_and_nothing_stored(
    run_cli, url: str, setting: str, expected: str
) -> None:
    result = run_cli("clinic-settings", "set", setting, "--reason", "typo", "--clinic", "C-1", "--database-url", url)

    assert result.exit_code == 2 and expected in result.stderr, result.stderr
    assert (
        json.loads(run_cli("clinic-settings", "history", "--clinic", "C-1", "--database-url", url, "--json").stdout)[
            "items"
        ]
        == []
    )
