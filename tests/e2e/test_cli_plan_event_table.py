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


def test_issue8_d14_event_table_header_is_true_utc_under_another_tz(run_cli, tmp_path: Path, monkeypatch) -> None:
    """Defect 14: the event table header says UTC but writes local clock times under another TZ."""
    monkeypatch.setenv("TZ", "America/New_York")
    out = tmp_path / "events.csv"

    result = run_cli("plan", "titrate", "--start-date", "2026-12-01", "--event-table", str(out), "--json")

    assert result.exit_code == 0, result.stderr
    header = out.read_text().splitlines()[0]
    # the first dose is 08:00 on the patient's clock in New York (EST, -05:00) = 13:00 UTC
    assert "2026-12-01T13:00:00+00:00" in header and "UTC" in header
    assert "2026-12-01T08:00:00-05:00" in header


def test_issue8_d14_event_table_in_an_explicit_zone_is_written_in_utc() -> None:
    from datetime import date
    from zoneinfo import ZoneInfo

    from baclofen.adapters.event_table import format_event_table
    from baclofen.services.commands import PlanTitration
    from baclofen.services.planning import plan_oral_titration

    plan = plan_oral_titration(PlanTitration(date(2026, 12, 1)))
    header = format_event_table(plan.to_regimen(ZoneInfo("Australia/Sydney"))).splitlines()[0]

    assert "2026-11-30T21:00:00+00:00" in header  # 08:00 AEDT (+11:00) is 21:00 UTC the day before


def test_the_local_zone_comes_from_tz_or_the_machine() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from baclofen.adapters.event_table import local_zone

    assert local_zone({"TZ": "Europe/Berlin"}) == ZoneInfo("Europe/Berlin")
    assert local_zone({"TZ": ":Europe/Berlin"}) == ZoneInfo("Europe/Berlin")
    machine = local_zone({"TZ": "no such zone"})
    assert datetime(2026, 7, 1, 8, 0, tzinfo=machine).utcoffset() is not None
