"""Calendars (RFC 5545, ``icalendar``): a plan's doses, and a pump's next refill appointment, with reminders.

Each dose is an event at its clock time on its day in the patient's time zone (``DTSTART;TZID=...`` with the
zone's ``VTIMEZONE``), so 08:00 stays 08:00 on both sides of a daylight-saving change. On the night of a change
(RFC 5545 3.3.5) a time the clocks skip (02:30 when they go forward at 02:00) means the same time after the gap,
03:30, and a time they repeat means its first occurrence; such a dose's description says so
(:func:`clock_change_note`). A refill appointment is an
all-day event on the refill date, or one at the clinic's chosen time in the clinic's zone, with reminders days
before it.

Stable identity (a re-import updates, never duplicates):

* a dose: ``baclofen-<kind>-<plan start>-<key>-<day>T<HHMM>@baclofen``; ``key`` (:func:`calendar_key`) is a
  digest of the clinic and patient id (all of a patient's saved plans), or, for a plan document exported on its
  own, of a caller's key or of the document itself. Two patients' plans never share UIDs; exporting the same plan
  again gives the same bytes. Given the plan's earlier revisions under the same key (:class:`PlanRevision`), each
  event's ``SEQUENCE`` counts the revisions that changed it and its ``DTSTAMP`` is the time of the last of them
  (:data:`DTSTAMP_RULE`), and a dose a revision drops is written ``STATUS:CANCELLED`` (RFC 5545 3.8.1.11, 3.8.7.4).
* a refill: ``baclofen-refill-<key>@baclofen``, ``key`` a digest of the clinic and pump id: ONE appointment per
  pump, whose date moves with each new visit or program change; its ``SEQUENCE`` (the pump's visits and program
  changes) and ``DTSTAMP`` (the day of the latest of them) grow so that a calendar replaces the older copy.

A key is a truncated SHA-256 of record ids (never a name): pseudonymous, not secret.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event

from baclofen.domain.cds.risk.refill import REFILL_MISSED_WARNING, REFILL_MISSED_WARNING_EVIDENCE
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.evidence import format_evidence
from baclofen.domain.itb.reservoir import refill_reminder_days
from baclofen.domain.oral.plan import Plan, PlanStep, ScheduledDose
from baclofen.services.clinic import NextRefill

PRODID = "-//baclofen//dose calendar//EN"
DISCLAIMER = (
    "Decision support for professionals, not medical advice. Follow your clinic's instructions and do not stop "
    "baclofen suddenly."
)
DTSTAMP_RULE = (
    "An event's DTSTAMP is when the plan revision that last changed it was made: a saved plan's saved time; for a "
    "plan document, which carries no time, its first day at 00:00 UTC, moved one second after the previous "
    "revision's when not later (never the clock), so an export is reproducible and a later revision's changed "
    "events always carry a later DTSTAMP."
)
DEFAULT_REMINDER_MINUTES = 10
MAX_REMINDER_MINUTES = 7 * 24 * 60
MAX_EVENTS = 20_000
"""Most doses one calendar holds (a year of 6 doses a day is 2,190)."""
DOSE_MINUTES = 15
"""Length of a dose event in the calendar (it is shown as free time)."""


KEY_HEX_DIGITS = 16
"""Hex digits of a calendar key (64 bits of SHA-256)."""
MAX_REFILL_REMINDER_DAYS = 60
REFILL_MINUTES = 30
"""Length of a timed refill appointment in the calendar (the clinic's booking decides the real one)."""


def calendar_key(*parts: str) -> str:
    """A stable, non-identifying key of ``parts`` (record ids): the first 16 hex digits of their SHA-256."""
    text = "\x1f".join(("baclofen-calendar/1", *parts))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_HEX_DIGITS]


def plan_document_key(plan: Plan) -> str:
    """The key of a plan exported on its own: a digest of its document (the same plan, the same key)."""
    text = json.dumps(plan.to_dict(), sort_keys=True, default=str, separators=(",", ":"))
    return calendar_key("plan-document", text)


def dose_uid(plan: Plan, day: date, clock: time, key: str) -> str:
    """The stable UID of the dose at ``clock`` on ``day`` of ``plan`` under calendar ``key``."""
    return f"baclofen-{plan.kind.value}-{plan.start:%Y%m%d}-{key}-{day:%Y%m%d}T{clock:%H%M}@baclofen"


def refill_uid(key: str) -> str:
    """The stable UID of a pump's next refill appointment under calendar ``key`` (one per pump)."""
    return f"baclofen-refill-{key}@baclofen"


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


@dataclass(frozen=True)
class PlanRevision:
    """An earlier revision of the plan being exported (under the same calendar key), oldest first, and when it was
    made (a saved plan's ``saved_at``; None for a plan document: :data:`DTSTAMP_RULE`)."""

    plan: Plan
    made_at: datetime | None = None


@dataclass(frozen=True)
class _Dose:
    """One dose event's content at one revision (what SEQUENCE counts the changes of)."""

    day: date
    clock: time
    summary: str
    description: str
    cancelled: bool = False


def _revision_stamps(revisions: Sequence[tuple[Plan, datetime | None]]) -> list[datetime]:
    stamps: list[datetime] = []
    for plan, made_at in revisions:
        if made_at is not None and (not isinstance(made_at, datetime) or made_at.utcoffset() is None):
            raise InvalidInputError("made_at", "a date-time with a time zone", made_at)
        stamp = datetime.combine(plan.start, time(0), tzinfo=UTC) if made_at is None else made_at.astimezone(UTC)
        stamp = stamp.replace(microsecond=0)
        if stamps and stamp <= stamps[-1]:
            stamp = stamps[-1] + timedelta(seconds=1)
        stamps.append(stamp)
    return stamps


def clock_change_note(day: date, clock: time, zone: ZoneInfo) -> str | None:
    """What to tell the patient when ``clock`` on ``day`` in ``zone`` falls in a clock change (RFC 5545 3.3.5): a
    local time the change skips is read with the offset before the gap, i.e. the same time after it (02:30 on a
    spring-forward night is taken at 03:30); a local time it repeats is its first occurrence. None on other nights."""
    local = datetime.combine(day, clock, tzinfo=zone)
    actual = local.astimezone(UTC).astimezone(zone)
    if actual.replace(tzinfo=None) != local.replace(tzinfo=None):
        return (
            f"Clocks change tonight: {clock:%H:%M} does not exist on {day.isoformat()} in {zone.key} (the clocks go "
            f"forward); take at {actual:%H:%M} local time."
        )
    if local.replace(fold=1).utcoffset() != local.utcoffset():
        return (
            f"Clocks change tonight: {clock:%H:%M} happens twice on {day.isoformat()} in {zone.key} (the clocks go "
            f"back); take this dose at the first {clock:%H:%M}, before the clocks go back, and not again."
        )
    return None


def _plan_doses(plan: Plan, key: str, zone: ZoneInfo) -> dict[str, _Dose]:
    doses: dict[str, _Dose] = {}
    for index, step in enumerate(plan.steps):
        description = _description(plan, index, step)
        for day in step.dates():
            for dose in step.doses:
                note = clock_change_note(day, dose.time, zone)
                text = description if note is None else f"{note}\n{description}"
                doses[dose_uid(plan, day, dose.time, key)] = _Dose(day, dose.time, _summary(dose), text)
    return doses


def _cancelled(dose: _Dose, revision: int, plan: Plan) -> _Dose:
    note = (
        f"Cancelled: the plan was revised (revision {revision + 1}, a {plan.kind.value} from "
        f"{plan.start.isoformat()}); this dose is no longer planned. Follow the revised plan."
    )
    return replace(dose, description=f"{note}\n{DISCLAIMER}", cancelled=True)


def _dose_history(
    revisions: Sequence[tuple[Plan, datetime | None]], key: str, zone: ZoneInfo
) -> dict[str, tuple[_Dose, int, datetime]]:
    """Each event's content, SEQUENCE and DTSTAMP after the last of ``revisions`` (oldest first): a revision that
    changes an event's content raises its SEQUENCE and sets its DTSTAMP to the revision's time; a dose an earlier
    revision planned on or after the new plan's first day that the new plan lacks is cancelled (the days before are
    history, left as they were)."""
    state: dict[str, tuple[_Dose, int, datetime]] = {}
    for index, ((plan, _), stamp) in enumerate(zip(revisions, _revision_stamps(revisions), strict=True)):
        doses = _plan_doses(plan, key, zone)
        for uid, (dose, sequence, _) in list(state.items()):
            if uid not in doses and not dose.cancelled and dose.day >= plan.start:
                state[uid] = (_cancelled(dose, index, plan), sequence + 1, stamp)
        for uid, dose in doses.items():
            before = state.get(uid)
            if before is None:
                state[uid] = (dose, 0, stamp)
            elif before[0] != dose:
                state[uid] = (dose, before[1] + 1, stamp)
    last = _plan_doses(revisions[-1][0], key, zone)
    return {uid: entry for uid, entry in state.items() if uid in last or entry[0].cancelled}


def _dose_event(uid: str, entry: tuple[_Dose, int, datetime], zone: ZoneInfo, reminder_minutes: int) -> Event:
    dose, sequence, stamp = entry
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("dtstart", datetime.combine(dose.day, dose.clock, tzinfo=zone))
    event.add("duration", timedelta(minutes=DOSE_MINUTES))
    event.add("summary", dose.summary)
    event.add("description", dose.description)
    event.add("status", "CANCELLED" if dose.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    if not dose.cancelled:
        event.add_component(_reminder(dose.summary, timedelta(minutes=reminder_minutes)))
    return event


def _reminder(summary: str, before: timedelta) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", -before)
    return alarm


def _check_zone(zone: ZoneInfo | None) -> None:
    if not isinstance(zone, ZoneInfo):
        raise InvalidInputError("zone", "an IANA time zone such as Europe/London", zone)


def _check_key(key: str) -> None:
    ok = isinstance(key, str) and len(key) == KEY_HEX_DIGITS and all(c in "0123456789abcdef" for c in key)
    if not ok:
        raise InvalidInputError("key", f"a calendar key ({KEY_HEX_DIGITS} lower-case hex digits, calendar_key)", key)


def _new_calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def render_plan_calendar(
    plan: Plan,
    zone: ZoneInfo,
    *,
    reminder_minutes: int = DEFAULT_REMINDER_MINUTES,
    key: str | None = None,
    made_at: datetime | None = None,
    earlier: Sequence[PlanRevision] = (),
) -> bytes:
    """The ICS bytes of ``plan``: one ``VEVENT`` per dose on the plan's days (a last step that continues is
    shown up to its end), each with a ``VALARM`` ``reminder_minutes`` before it. ``key`` (:func:`calendar_key` of
    the clinic and patient, or of a caller's key) goes into every UID; without it, :func:`plan_document_key`.

    ``plan`` is the latest revision of a patient's plan, made at ``made_at``; ``earlier`` the revisions before it
    under the same key, oldest first (RFC 5545 3.8.7.4, RFC 5546 2.1.5): each event's ``SEQUENCE`` counts the
    revisions that changed it and its ``DTSTAMP`` is the time of the last of them (:data:`DTSTAMP_RULE`), so an
    unchanged event is byte-identical and a changed one replaces the older copy on import; a dose an earlier
    revision planned on or after ``plan``'s first day that ``plan`` lacks is written ``STATUS:CANCELLED`` (same UID,
    higher SEQUENCE) so that importing the new file removes it.

    Raises
    ------
    InvalidInputError
        ``reminder_minutes`` not a whole number from 0 to 10080; a ``zone`` that is not a ZoneInfo; a ``key``
        that is not a calendar key; ``made_at`` without a time zone; a plan with more than 20,000 doses.
    """
    if isinstance(reminder_minutes, bool) or not isinstance(reminder_minutes, int):
        raise InvalidInputError("reminder_minutes", "a whole number of minutes", reminder_minutes)
    if not 0 <= reminder_minutes <= MAX_REMINDER_MINUTES:
        raise InvalidInputError("reminder_minutes", f"0 to {MAX_REMINDER_MINUTES} minutes", reminder_minutes)
    _check_zone(zone)
    key = plan_document_key(plan) if key is None else key
    _check_key(key)
    revisions = [(r.plan, r.made_at) for r in earlier] + [(plan, made_at)]
    for revision, _ in revisions:
        doses = sum(step.days * len(step.doses) for step in revision.steps)
        if doses > MAX_EVENTS:
            raise InvalidInputError("plan", f"at most {MAX_EVENTS} doses in one calendar", doses)
    calendar = _new_calendar(f"Baclofen {plan.kind.value} from {plan.start.isoformat()}")
    history = _dose_history(revisions, key, zone)
    for uid in sorted(history, key=lambda u: (history[u][0].day, history[u][0].clock, u)):
        calendar.add_component(_dose_event(uid, history[uid], zone, reminder_minutes))
    days = [plan.start, plan.end, *(entry[0].day for entry in history.values())]
    calendar.add_missing_timezones(min(days) - timedelta(days=366), max(days) + timedelta(days=366))
    ics: bytes = calendar.to_ical()
    return ics


_CLOCK_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def read_clock_time(text: str | None) -> time | None:
    """``HH:MM`` (00:00 to 23:59) as a time of day (a refill appointment's); None for none or empty text."""
    if text is None or text == "":
        return None
    match = _CLOCK_TIME.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise InvalidInputError("time", "a clock time HH:MM, e.g. 09:30", text)
    return time(int(match[1]), int(match[2]))


def check_reminder_days(days: Sequence[int]) -> tuple[int, ...]:
    """Reminder lead times in whole days, 0 to 60, at most 5, largest first, without duplicates."""
    if isinstance(days, (str, bytes)) or not isinstance(days, Sequence):
        raise InvalidInputError("reminder_days", "a list of whole numbers of days", days)
    for value in days:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_REFILL_REMINDER_DAYS:
            raise InvalidInputError(
                "reminder_days", f"whole numbers of days from 0 to {MAX_REFILL_REMINDER_DAYS}", value
            )
    unique = tuple(sorted(set(days), reverse=True))
    if len(unique) > 5:
        raise InvalidInputError("reminder_days", "at most 5 reminders", len(unique))
    return unique


def _refill_description(refill: NextRefill, at: time | None, zone: ZoneInfo | None) -> str:
    analysis = refill.analysis
    when = f" at {at:%H:%M} ({zone.key})" if at is not None and zone is not None else ""
    lines = [f"Intrathecal baclofen pump refill due by {refill.refill_date.isoformat()}{when}."]
    if analysis.alarm_at is not None:
        alarm_day = analysis.alarm_at.date()
        before = refill.refill_date < alarm_day
        relation = "the refill date lies before it" if before else "the refill is due now, not after it"
        lines.append(
            f"Computed low-reservoir alarm: {alarm_day.isoformat()} (pump clock, "
            f"{analysis.low_reservoir_ml:g} mL left); {relation}."
        )
    if analysis.stability_limit_date is not None:
        lines.append(f"Drug-stability limit: {analysis.stability_limit_date.isoformat()}.")
    lines.append(
        f"Computed from the pump's records (revision {refill.revision}); a new refill visit or program change "
        "moves this appointment: export it again to update it."
    )
    lines.append(REFILL_MISSED_WARNING)
    lines.append("Sources: " + "; ".join(format_evidence(REFILL_MISSED_WARNING_EVIDENCE)))
    lines.append(DISCLAIMER)
    return "\n".join(lines)


def render_refill_calendar(
    refill: NextRefill,
    zone: ZoneInfo | None,
    *,
    at: time | None = None,
    reminder_days: Sequence[int] | None = None,
) -> bytes:
    """The ICS bytes of ``refill``'s appointment: an all-day event on the refill date, or one at ``at`` in
    ``zone`` (the clinic's; None only for an all-day event), each reminder ``reminder_days`` days before it (None:
    the defaults of :data:`~baclofen.domain.itb.reservoir.REFILL_REMINDER_SETTINGS`; a clinic's values are the
    caller's to pass); its
    UID is the pump's (:func:`refill_uid` of :func:`calendar_key` of the clinic and pump id), its ``SEQUENCE`` the
    records it rests on and its ``DTSTAMP`` the day of the latest of them, so a re-export after a new visit replaces
    the appointment.

    Raises
    ------
    InvalidInputError
        A ``zone`` that is not a ZoneInfo (or None with ``at``); ``at`` not a time of day without a zone; bad
        ``reminder_days``.
    """
    if at is not None and (not isinstance(at, time) or at.tzinfo is not None):
        raise InvalidInputError("time", "a clock time HH:MM (in the clinic's zone)", at)
    if zone is not None or at is not None:
        _check_zone(zone)
    days = check_reminder_days(refill_reminder_days() if reminder_days is None else reminder_days)
    due = refill.refill_date
    summary = "Baclofen pump refill due"
    calendar = _new_calendar(f"Baclofen pump refill from {refill.updated_on.isoformat()}")
    event = Event()
    event.add("uid", refill_uid(calendar_key("pump", refill.clinic_id or "", refill.pump_id)))
    event.add("dtstamp", datetime.combine(refill.updated_on, time(0), tzinfo=UTC))
    event.add("sequence", refill.revision)
    if at is None:
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
    else:
        event.add("dtstart", datetime.combine(due, at, tzinfo=zone))
        event.add("duration", timedelta(minutes=REFILL_MINUTES))
    event.add("summary", summary)
    event.add("description", _refill_description(refill, at, zone))
    event.add("transp", "OPAQUE" if at is not None else "TRANSPARENT")
    for before in days:
        event.add_component(_reminder(f"{summary} {due.isoformat()} (in {before} day(s))", timedelta(days=before)))
    calendar.add_component(event)
    if at is not None:
        calendar.add_missing_timezones(due - timedelta(days=366), due + timedelta(days=366))
    ics: bytes = calendar.to_ical()
    return ics


__all__ = [
    "DTSTAMP_RULE",
    "PRODID",
    "PlanRevision",
    "calendar_key",
    "check_reminder_days",
    "clock_change_note",
    "dose_uid",
    "plan_document_key",
    "read_clock_time",
    "refill_uid",
    "render_plan_calendar",
    "render_refill_calendar",
]
