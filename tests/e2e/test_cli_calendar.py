"""`baclofen calendar PLAN.json -o FILE.ics`: a plan document becomes a dose calendar."""

from __future__ import annotations

import json
from datetime import date, timedelta
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


@pytest.mark.parametrize("tz", [None, "", "Mars/Olympus"])
def test_without_zone_and_no_zone_in_tz_the_calendar_is_refused_naming_zone(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tz: str | None
) -> None:
    plan = _plan_file(run_cli, tmp_path)
    if tz is None:
        monkeypatch.delenv("TZ", raising=False)
        monkeypatch.setattr("baclofen.adapters.clock.LOCALTIME_PATH", tmp_path / "no-localtime")  # names no zone
    else:
        monkeypatch.setenv("TZ", tz)
    out = tmp_path / "doses.ics"

    result = run_cli("calendar", str(plan), "-o", str(out))

    assert result.exit_code == 2 and "--zone" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()  # never 08:00 UTC for a patient whose 08:00 is elsewhere


def test_previous_revisions_make_a_revised_plan_update_and_cancel_its_events(run_cli, tmp_path: Path) -> None:
    from tests.unit.adapters.test_calendar_ics import check_revision_updates

    plan = _plan_file(run_cli, tmp_path)
    result = run_cli("plan", "titrate", "--start-date", "2026-10-20", "--json", "--start-dose-mg", "10")
    assert result.exit_code == 0, result.stderr
    revised = tmp_path / "revised.json"
    revised.write_text(result.stdout)
    first, second = tmp_path / "a.ics", tmp_path / "b.ics"
    common = ("--zone", "Europe/London", "--calendar-key", "P-1")

    run_cli("calendar", str(plan), "-o", str(first), *common)
    done = run_cli("calendar", str(revised), "-o", str(second), *common, "--previous", str(plan))

    assert done.exit_code == 0, done.stderr
    events = check_revision_updates(first.read_bytes(), second.read_bytes())
    assert any(str(e.get("STATUS")) == "CANCELLED" for e in events.values())
    assert "cancel" in done.stdout


@pytest.fixture
def pump_database(run_cli, tmp_path: Path) -> str:
    """A clinic database with patient P-1 of clinic C-1 and pump pump-1 (SynchroMed II 20 mL) filled 2024-03-04."""
    from baclofen.bootstrap import bootstrap
    from baclofen.domain.itb.pumps import get_pump
    from baclofen.domain.patient import PatientSnapshot
    from baclofen.domain.records import PatientRecord, PumpRecord

    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert run_cli("db", "upgrade", "--database-url", url).exit_code == 0
    services = bootstrap(database_url=url)
    with services.uow as uow:
        uow.patients.add(PatientRecord("P-1", PatientSnapshot(age_years=50), "C-1"))
        uow.pumps.add(PumpRecord("pump-1", get_pump("synchromed-ii-20"), "P-1", date(2023, 1, 1)))
        uow.commit()
    _record_fill(services, "2024-03-04")
    return url


def _record_fill(services, day: str) -> None:
    from baclofen.adapters.edge.pump import record_refill_visit_command

    command = record_refill_visit_command(
        pump_id="pump-1", concentration_mcg_per_ml=500, refilled=day, daily_dose_mcg=300
    )
    services.record_refill_visit(command)


def test_calendar_of_a_stored_pump_is_its_next_refill_at_the_clinics_time(run_cli, pump_database, tmp_path) -> None:
    from baclofen.bootstrap import bootstrap

    out = tmp_path / "refill.ics"
    where = ("--pump", "pump-1", "--database-url", pump_database, "-o", str(out), "--zone", "Europe/London")

    first = run_cli("calendar", *where, "--time", "09:15", "--reminder-days", "14,2")
    before = Calendar.from_ical(out.read_bytes())
    _record_fill(bootstrap(database_url=pump_database), "2024-03-27")
    second = run_cli("calendar", *where, "--time", "09:15")
    after = Calendar.from_ical(out.read_bytes())

    assert first.exit_code == 0 and second.exit_code == 0, first.stderr + second.stderr
    assert "pump-1" in first.stdout
    (old,), (new,) = before.walk("VEVENT"), after.walk("VEVENT")
    assert old.start.date() == date(2024, 3, 27) and new.start.date() > date(2024, 3, 31)  # London: BST from 03-31
    assert (old.start.hour, old.start.minute) == (new.start.hour, new.start.minute) == (9, 15)
    assert (old.start.utcoffset(), new.start.utcoffset()) == (timedelta(0), timedelta(hours=1))
    assert [a["TRIGGER"].dt for a in old.walk("VALARM")] == [timedelta(days=-14), timedelta(days=-2)]
    assert str(old["UID"]) == str(new["UID"]) and int(new["SEQUENCE"]) == int(old["SEQUENCE"]) + 1


def test_a_pumps_refill_reminders_are_the_clinics_settings_and_an_all_day_one_needs_no_zone(
    run_cli, pump_database, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from baclofen.bootstrap import bootstrap
    from baclofen.services.commands import ChangeClinicSetting

    services = bootstrap(database_url=pump_database)
    at = datetime(2024, 3, 5, 9, tzinfo=UTC)
    services.change_clinic_setting(
        ChangeClinicSetting("C-1", "pump.refill_reminder_early_days", 10, "admin:ann", at, "our booking")
    )
    monkeypatch.delenv("TZ", raising=False)
    out = tmp_path / "refill.ics"

    result = run_cli("calendar", "--pump", "pump-1", "--database-url", pump_database, "-o", str(out))

    assert result.exit_code == 0, result.stderr
    (event,) = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert [a["TRIGGER"].dt for a in event.walk("VALARM")] == [timedelta(days=-10), timedelta(days=-1)]
    assert isinstance(event.start, date) and not hasattr(event.start, "hour")  # all day: no zone needed


def test_calendar_takes_a_plan_or_a_pump_not_both(run_cli, pump_database, tmp_path: Path) -> None:
    plan = _plan_file(run_cli, tmp_path)

    both = run_cli("calendar", str(plan), "--pump", "pump-1", "-o", str(tmp_path / "x.ics"))
    neither = run_cli("calendar", "-o", str(tmp_path / "x.ics"))
    bad_time = run_cli(
        "calendar", "--pump", "pump-1", "--database-url", pump_database, "-o", str(tmp_path / "x.ics"), "--time", "9"
    )

    assert both.exit_code == neither.exit_code == bad_time.exit_code == 2
    assert "PLAN" in both.stderr and "--time" in bad_time.stderr
    assert not (tmp_path / "x.ics").exists()


def test_a_calendar_key_keeps_the_uids_of_a_revised_plan(run_cli, tmp_path: Path) -> None:
    first, second = _plan_file(run_cli, tmp_path), tmp_path / "revised.json"
    revised = run_cli("plan", "titrate", "--start-date", "2026-10-20", "--start-dose-mg", "10", "--json")
    second.write_text(revised.stdout)
    uids = []
    for plan in (first, second):
        out = tmp_path / f"{plan.stem}.ics"
        run_cli("calendar", str(plan), "-o", str(out), "--zone", "UTC", "--calendar-key", "P-1")
        uids.append({str(e["UID"]) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")})

    assert uids[1] <= uids[0] and not any("P-1" in uid for uid in uids[0])
