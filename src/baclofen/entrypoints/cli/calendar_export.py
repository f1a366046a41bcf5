"""`baclofen calendar`: a calendar with reminders (RFC 5545), of a plan document's doses
(`baclofen calendar PLAN -o FILE.ics`) or of a stored pump's next refill appointment
(`baclofen calendar --pump ID --database-url URL -o FILE.ics [--time HH:MM]`)."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from baclofen.adapters.calendar_ics import (
    DEFAULT_REMINDER_MINUTES,
    PlanRevision,
    calendar_key,
    check_reminder_days,
    read_clock_time,
    render_plan_calendar,
    render_refill_calendar,
)
from baclofen.adapters.edge.simulate import read_plan_document
from baclofen.adapters.event_table import local_zone
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.reservoir import REFILL_REMINDER_SETTINGS, refill_reminder_days
from baclofen.domain.oral.plan import Plan
from baclofen.entrypoints.cli.db import DatabaseUrlOpt
from baclofen.entrypoints.cli.errors import fail, map_errors
from baclofen.entrypoints.cli.files import check_output_path, read_json_file

ZONE_HELP = (
    "IANA time zone of the clock times (a plan's doses, a refill's --time), e.g. Europe/London (default: the zone "
    "TZ names, else the machine's configured zone; required when neither names one)."
)


def _zone(name: str | None) -> ZoneInfo:
    """The zone ``--zone`` names; without it the zone ``TZ`` names; else an error naming ``--zone`` (never a silent
    UTC: a dose at 08:00 must be 08:00 where the patient lives)."""
    if name is None:
        default = local_zone()
        if isinstance(default, ZoneInfo):
            return default
        fail("--zone", "an IANA time zone such as Europe/London (TZ names none)", "none given")
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        fail("--zone", "an IANA time zone such as Europe/London", name)


def _clock_time(text: str | None) -> time | None:
    try:
        return read_clock_time(text)
    except InvalidInputError:
        fail("--time", "a clock time HH:MM, e.g. 09:30", text)


def _reminder_days(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        days = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        fail("--reminder-days", "whole numbers of days separated by commas, e.g. 7,1", text)
    with map_errors():
        return check_reminder_days(days)


def _previous_plan(path: Path) -> Plan:
    document = read_json_file(path, "--previous", "plan JSON file")
    try:
        return read_plan_document(document, "plan")
    except InvalidInputError as exc:
        fail("--previous", f"a plan JSON file ({exc})", str(path))


def _write(output: Path, ics: bytes) -> None:
    try:
        output.write_bytes(ics)
    except OSError as exc:
        fail("-o", "a writable file path", f"{output} ({exc.strerror})")


def _refill_calendar(
    pump: str, database_url: str | None, at: time | None, zone: ZoneInfo | None, days: tuple[int, ...] | None
) -> bytes:
    from baclofen.adapters.sql import DEFAULT_DATABASE_URL
    from baclofen.bootstrap import bootstrap
    from baclofen.services.commands import ForecastNextRefill

    with map_errors():
        services = bootstrap(database_url=database_url or DEFAULT_DATABASE_URL)
        # the clinic of the pump's patient first: its settings (the refill margin) are the worklist's
        clinic_id = services.forecast_next_refill(ForecastNextRefill(pump, services.clock.now())).clinic_id
        clinic = services.for_request(clinic_id)
        refill = clinic.forecast_next_refill(ForecastNextRefill(pump, services.clock.now()))
        if days is None:  # the clinic's reminders (its settings profile), else the settings' defaults
            days = refill_reminder_days(clinic.settings.overrides(REFILL_REMINDER_SETTINGS))
        return render_refill_calendar(refill, zone, at=at, reminder_days=days)


def register(app: typer.Typer) -> None:
    """Add the calendar command."""

    @app.command("calendar")
    def calendar(
        output: Annotated[Path, typer.Option("-o", "--output", help="The .ics file to write.")],
        plan: Annotated[
            Path | None,
            typer.Argument(metavar="[PLAN]", help="Plan JSON from `baclofen plan titrate/taper --json`."),
        ] = None,
        pump: Annotated[
            str | None,
            typer.Option("--pump", help="Instead of PLAN: a stored pump's id: its next refill appointment."),
        ] = None,
        database_url: DatabaseUrlOpt = None,
        at: Annotated[
            str | None,
            typer.Option("--time", help="With --pump: the appointment's time HH:MM in --zone (default: all day)."),
        ] = None,
        zone: Annotated[str | None, typer.Option("--zone", help=ZONE_HELP)] = None,
        reminder_minutes: Annotated[
            int, typer.Option("--reminder-minutes", help="Reminder this many minutes before each dose (0 to 10080).")
        ] = DEFAULT_REMINDER_MINUTES,
        reminder_days: Annotated[
            str | None,
            typer.Option(
                "--reminder-days",
                help="With --pump: reminders this many days before the refill, e.g. 7,1 (default: the clinic's "
                "settings pump.refill_reminder_early_days and pump.refill_reminder_late_days, 7 and 1).",
            ),
        ] = None,
        calendar_id: Annotated[
            str | None,
            typer.Option(
                "--calendar-key",
                help="With PLAN: a stable id of the patient's schedule (e.g. the record id; only its digest is "
                "written) so that a revised plan updates the same events (default: a digest of the plan document).",
            ),
        ] = None,
        previous: Annotated[
            list[Path] | None,
            typer.Option(
                "--previous",
                help="With PLAN and --calendar-key: an earlier revision's plan JSON (repeat, oldest first): events "
                "PLAN changes get a higher SEQUENCE, doses it drops are written cancelled.",
            ),
        ] = None,
    ) -> None:
        """Write a calendar with reminders: the doses of PLAN (one event per dose at its local time, daylight
        saving kept) or the next refill appointment of a stored --pump (the worklist's refill date, reminders days
        before). UIDs are stable: importing a re-export updates the events instead of adding."""
        check_output_path(output, ".ics")
        if (plan is None) == (pump is None):
            fail("PLAN", "a plan JSON file or --pump ID (one of them)", "both" if plan else "neither")
        if pump is not None:
            clock_time = _clock_time(at)
            refill_zone = None if clock_time is None and zone is None else _zone(zone)  # a date needs no zone
            ics = _refill_calendar(pump, database_url, clock_time, refill_zone, _reminder_days(reminder_days))
            _write(output, ics)
            where = "all day" if refill_zone is None else f"time zone {refill_zone.key}"
            typer.echo(f"Wrote the next refill appointment of pump {pump} to {output} ({where}).")
            return
        assert plan is not None
        document = read_json_file(plan, "PLAN", "plan JSON file")
        key = None if calendar_id is None else calendar_key("plan-key", calendar_id)
        with map_errors():  # an error inside the plan names its path in PLAN (PLAN steps[0].start)
            doses = read_plan_document(document, "plan")
        earlier = tuple(PlanRevision(_previous_plan(path)) for path in previous or ())
        if earlier and key is None:
            fail("--calendar-key", "a stable id of the patient's schedule with --previous", "none given")
        tz = _zone(zone)
        with map_errors():
            ics = render_plan_calendar(doses, tz, reminder_minutes=reminder_minutes, key=key, earlier=earlier)
        _write(output, ics)
        cancelled = ics.count(b"STATUS:CANCELLED")
        events = ics.count(b"BEGIN:VEVENT") - cancelled
        dropped = f", {cancelled} dropped doses cancelled" if earlier else ""
        typer.echo(f"Wrote {events} doses{dropped} to {output} (time zone {tz.key}).")
