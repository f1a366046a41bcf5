"""`--event-table` writes the plan's doses as a NONMEM-like CSV."""

from __future__ import annotations

import csv
from pathlib import Path


def test_the_label_titration_event_table_has_36_doses_of_the_right_amounts(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "events.csv"

    result = run_cli("plan", "titrate", "--start-date", "2026-12-01", "--event-table", str(out), "--json")

    assert result.exit_code == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("# baclofen event table")
    rows = list(csv.DictReader(lines[1:]))
    assert len(rows) == 36  # 12 days x 3 doses
    assert [float(r["AMT"]) for r in rows[:3]] == [5.0, 5.0, 5.0]
    assert float(rows[-1]["AMT"]) == 20.0
    assert float(rows[1]["TIME"]) == 6.0
    assert {r["CMT"] for r in rows} == {"1"} and {r["EVID"] for r in rows} == {"1"}


def test_an_unwritable_event_table_path_is_one_line_naming_the_option(run_cli, tmp_path: Path) -> None:
    result = run_cli("plan", "taper", "--from-mg-per-day", "30", "--event-table", str(tmp_path / "no" / "x.csv"))

    assert result.exit_code == 2
    assert "--event-table" in result.stderr and "Traceback" not in result.stderr
