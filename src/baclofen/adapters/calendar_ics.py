"""A plan's doses as an RFC 5545 calendar (``icalendar``): one event per dose with a reminder.

Each dose is an event at its clock time on its day in the patient's time zone (``DTSTART;TZID=...`` with the
zone's ``VTIMEZONE``), so 08:00 stays 08:00 on both sides of a daylight-saving change.

Stable identity: the ``UID`` of a dose is ``baclofen-<kind>-<plan start>-<day>T<HHMM>@baclofen``, from the plan's
identity (its kind and first day) and the dose's day and clock time. Exporting the same plan again gives the
same bytes; a revised plan with the same kind and start gives the same UIDs for the same days and times, so a
calendar that imports it updates those events rather than adding duplicates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.oral.plan import Plan, PlanStep, ScheduledDose

PRODID = "-//baclofen//dose calendar//EN"
DISCLAIMER = (
    "Decision support for professionals, not medical advice. Follow your clinic's instructions and do not stop "
    "baclofen suddenly."
)
DTSTAMP_RULE = "DTSTAMP is the plan's first day at 00:00 UTC (never the clock), so an export is reproducible."
DEFAULT_REMINDER_MINUTES = 10
MAX_REMINDER_MINUTES = 7 * 24 * 60
MAX_EVENTS = 20_000
"""Most doses one calendar holds (a year of 6 doses a day is 2,190)."""
DOSE_MINUTES = 15
"""Length of a dose event in the calendar (it is shown as free time)."""


def dose_uid(plan: Plan, day: date, clock: time) -> str:
    """The stable UID of the dose at ``clock`` on ``day`` of ``plan``."""
    return f"baclofen-{plan.kind.value}-{plan.start:%Y%m%d}-{day:%Y%m%d}T{clock:%H%M}@baclofen"


def _summary(dose: ScheduledDose) -> str:
    return f"Baclofen {dose.dose_mg:g} mg ({dose.dispensed.text})"


def _description(plan: Plan, index: int, step: PlanStep) -> str:
    lines = [
        f"Step {index + 1} of {len(plan.steps)} of a {plan.kind.value}: {step.start.isoformat()} to "
        f"{step.end.isoformat()}, {step.daily_dose_mg:g} mg a day in {len(step.doses)} doses.",
    ]
    if step.note:
        lines.append(step.note)
    if step.continues and index == len(plan.steps) - 1:
        lines.append(f"This dose continues after {step.end.isoformat()} until your clinic changes it.")
    lines.append(DISCLAIMER)
    return "\n".join(lines)


def _dose_event(plan: Plan, day: date, dose: ScheduledDose, zone: ZoneInfo, description: str) -> Event:
    event = Event()
    event.add("uid", dose_uid(plan, day, dose.time))
    event.add("dtstamp", datetime.combine(plan.start, time(0), tzinfo=UTC))
    event.add("dtstart", datetime.combine(day, dose.time, tzinfo=zone))
    event.add("duration", timedelta(minutes=DOSE_MINUTES))
    event.add("summary", _summary(dose))
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    return event


def _reminder(summary: str, minutes: int) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", timedelta(minutes=-minutes))
    return alarm


def render_plan_calendar(plan: Plan, zone: ZoneInfo, *, reminder_minutes: int = DEFAULT_REMINDER_MINUTES) -> bytes:
    """The ICS bytes of ``plan``: one ``VEVENT`` per dose on the plan's days (a last step that continues is
    shown up to its end), each with a ``VALARM`` ``reminder_minutes`` before it.

    Raises
    ------
    InvalidInputError
        ``reminder_minutes`` not a whole number from 0 to 10080; a ``zone`` that is not a ZoneInfo; ``plan``
        with more than 20,000 doses.
    """
    if isinstance(reminder_minutes, bool) or not isinstance(reminder_minutes, int):
        raise InvalidInputError("reminder_minutes", "a whole number of minutes", reminder_minutes)
    if not 0 <= reminder_minutes <= MAX_REMINDER_MINUTES:
        raise InvalidInputError("reminder_minutes", f"0 to {MAX_REMINDER_MINUTES} minutes", reminder_minutes)
    if not isinstance(zone, ZoneInfo):
        raise InvalidInputError("zone", "an IANA time zone such as Europe/London", zone)
    doses = sum(step.days * len(step.doses) for step in plan.steps)
    if doses > MAX_EVENTS:
        raise InvalidInputError("plan", f"at most {MAX_EVENTS} doses in one calendar", doses)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Baclofen {plan.kind.value} from {plan.start.isoformat()}")
    for index, step in enumerate(plan.steps):
        description = _description(plan, index, step)
        for day in step.dates():
            for dose in step.doses:
                event = _dose_event(plan, day, dose, zone, description)
                event.add_component(_reminder(_summary(dose), reminder_minutes))
                calendar.add_component(event)
    calendar.add_missing_timezones(plan.start - timedelta(days=366), plan.end + timedelta(days=366))
    ics: bytes = calendar.to_ical()
    return ics


__all__ = ["DTSTAMP_RULE", "PRODID", "dose_uid", "render_plan_calendar"]
