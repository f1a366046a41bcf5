"""`baclofen calendar PLAN.json -o FILE.ics`: a plan document becomes a dose calendar."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from icalendar import Calendar


def _plan_file(run_cli, tmp_path: Path, *args: str) -> Path:
    result = run_cli("plan", "titrate", "--start-date", "2026-10-20", "--json", *args)
    assert result.exit_code == 0, result.stderr
    path = tmp_path / "plan.json"
    path.write_text(result.stdout)
    return path


def test_calendar_writes_one_event_per_dose_at_local_times_across_the_october_change(run_cli, tmp_path: Path) -> None:
    plan = _plan_file(run_cli, tmp_path)
    out = tmp_path / "doses.ics"

    result = run_cli("calendar", str(plan), "-o", str(out), "--zone", "Europe/London", "--reminder-minutes", "5")

    assert result.exit_code == 0, result.stderr
    assert str(out) in result.stdout and "36" in result.stdout
    events = list(Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    assert len(events) == 36  # 12 days x 3 doses
    assert {(e.start.hour, e.start.minute) for e in events} == {(8, 0), (14, 0), (20, 0)}
    offsets = {e.start.utcoffset() for e in events}
    assert offsets == {timedelta(0), timedelta(hours=1)}  # London changes on 2026-10-25
    assert events[0].walk("VALARM")[0]["TRIGGER"].dt == timedelta(minutes=-5)


def test_a_second_export_is_byte_identical(run_cli, tmp_path: Path) -> None:
    plan = _plan_file(run_cli, tmp_path)
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"

    run_cli("calendar", str(plan), "-o", str(first), "--zone", "Europe/London")
    run_cli("calendar", str(plan), "-o", str(second), "--zone", "Europe/London")

    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize(
    ("name", "option"),
    [("missing/doses.ics", "-o"), ("doses.txt", "-o")],
)
def test_an_output_path_in_no_folder_or_without_ics_is_refused(run_cli, tmp_path: Path, name: str, option: str) -> None:
    plan = _plan_file(run_cli, tmp_path)

    result = run_cli("calendar", str(plan), "-o", str(tmp_path / name))

    assert result.exit_code == 2
    assert option in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / name).exists()


def test_a_bad_plan_file_is_one_line_naming_the_argument(run_cli, tmp_path: Path) -> None:
    plan = _plan_file(run_cli, tmp_path)
    document = json.loads(plan.read_text())
    document["steps"][0]["start"] = "not a date"
    plan.write_text(json.dumps(document))

    result = run_cli("calendar", str(plan), "-o", str(tmp_path / "x.ics"))

    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "PLAN" in lines[0] and "steps[0].start" in lines[0]


def test_a_missing_plan_file_and_an_unknown_zone_are_refused(run_cli, tmp_path: Path) -> None:
    missing = run_cli("calendar", str(tmp_path / "none.json"), "-o", str(tmp_path / "x.ics"))
    plan = _plan_file(run_cli, tmp_path)
    bad_zone = run_cli("calendar", str(plan), "-o", str(tmp_path / "x.ics"), "--zone", "Mars/Olympus")

    assert missing.exit_code == 2 and "PLAN" in missing.stderr
    assert bad_zone.exit_code == 2 and "--zone" in bad_zone.stderr
    assert not (tmp_path / "x.ics").exists()


def test_without_zone_the_zone_tz_names_is_used(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = _plan_file(run_cli, tmp_path)
    monkeypatch.setenv("TZ", "America/New_York")
    out = tmp_path / "doses.ics"

    result = run_cli("calendar", str(plan), "-o", str(out))

    assert result.exit_code == 0, result.stderr
    events = list(Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    assert {str(e["DTSTART"].params["TZID"]) for e in events} == {"America/New_York"}
    assert events[0].start.hour == 8
