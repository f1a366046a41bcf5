"""`baclofen calendar PLAN -o FILE.ics`: a plan document's doses as a calendar with reminders (RFC 5545)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from baclofen.adapters.calendar_ics import DEFAULT_REMINDER_MINUTES, render_plan_calendar
from baclofen.adapters.edge.simulate import read_plan_document
from baclofen.adapters.event_table import local_zone
from baclofen.entrypoints.cli.errors import fail, map_errors
from baclofen.entrypoints.cli.files import read_json_file

ZONE_HELP = "IANA time zone of the patient's clock times, e.g. Europe/London (default: TZ when it names one, else UTC)."


def _zone(name: str | None) -> ZoneInfo:
    """The zone ``--zone`` names; without it the zone ``TZ`` names, else UTC."""
    if name is None:
        default = local_zone()
        return default if isinstance(default, ZoneInfo) else ZoneInfo("UTC")
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        fail("--zone", "an IANA time zone such as Europe/London", name)


def _check_output(path: Path) -> None:
    if path.suffix.lower() != ".ics":
        fail("-o", "a file name ending in .ics", str(path))
    if not path.parent.is_dir():
        fail("-o", "a file in an existing folder", str(path))
    if path.is_dir():
        fail("-o", "a file path (not a folder)", str(path))


def register(app: typer.Typer) -> None:
    """Add the calendar command."""

    @app.command("calendar")
    def calendar(
        plan: Annotated[
            Path, typer.Argument(metavar="PLAN", help="Plan JSON from `baclofen plan titrate/taper --json`.")
        ],
        output: Annotated[Path, typer.Option("-o", "--output", help="The .ics file to write.")],
        zone: Annotated[str | None, typer.Option("--zone", help=ZONE_HELP)] = None,
        reminder_minutes: Annotated[
            int, typer.Option("--reminder-minutes", help="Reminder this many minutes before each dose (0 to 10080).")
        ] = DEFAULT_REMINDER_MINUTES,
    ) -> None:
        """Write the plan's doses as a calendar: one event per dose at its local time (daylight saving kept), a
        reminder before each, stable UIDs so that importing a re-export updates the events instead of adding."""
        _check_output(output)
        tz = _zone(zone)
        document = read_json_file(plan, "PLAN", "plan JSON file")
        with map_errors():  # an error inside the plan names its path in PLAN (PLAN steps[0].start)
            ics = render_plan_calendar(read_plan_document(document, "plan"), tz, reminder_minutes=reminder_minutes)
        try:
            output.write_bytes(ics)
        except OSError as exc:
            fail("-o", "a writable file path", f"{output} ({exc.strerror})")
        events = ics.count(b"BEGIN:VEVENT")
        typer.echo(f"Wrote {events} doses to {output} (time zone {tz.key}).")
