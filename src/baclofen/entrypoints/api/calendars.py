"""Calendars (RFC 5545, ``text/calendar``) with reminders, as ``baclofen calendar`` writes them:

* ``GET /pumps/{pump_id}/refills.ics``: the pump's next refill appointment: the refill date the worklist lists
  (the risk engine's pump analysis, with the clinic's settings), all day or at ``time`` (HH:MM in ``zone``, default
  the clinic's), reminders ``reminder_days`` before (default: the clinic's settings
  ``pump.refill_reminder_early_days`` and ``pump.refill_reminder_late_days``, 7 and 1); one UID per pump, so a
  re-export after a new visit updates the appointment.
* ``GET /patients/{patient_id}/plans/{plan_id}/calendar.ics``: a saved plan's doses at their local times in
  ``zone`` (default the clinic's), a reminder ``reminder_minutes`` before each; UIDs keyed by the patient, so
  the calendar of a revision (a later saved plan) updates the events of the one before: SEQUENCE and DTSTAMP (the
  saved time) grow where it changes them, and the doses it drops are cancelled.
* ``POST /calendar``: the same of a plan document (stateless, as ``baclofen calendar PLAN``; ``previous``: the
  earlier revisions' documents, oldest first, under the same ``calendar_key``).

Staff read their clinic's, a patient their own (404 otherwise, as the JSON routes); every download of patient
data is audited (``pump.calendar``, ``plan.calendar``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query, Response
from pydantic import Field

from baclofen.adapters.calendar_ics import (
    DEFAULT_REMINDER_MINUTES,
    PlanRevision,
    calendar_key,
    read_clock_time,
    render_plan_calendar,
    render_refill_calendar,
)
from baclofen.adapters.edge.simulate import read_plan_document
from baclofen.domain.clinic.regimens import SavedPlan
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.reservoir import REFILL_REMINDER_SETTINGS, refill_reminder_days
from baclofen.domain.records import STAFF_ROLES, Role
from baclofen.entrypoints.api.answers import body_fields
from baclofen.entrypoints.api.context import Caller, CallerDep, audited
from baclofen.entrypoints.api.records import audit_target, file_download, visible_pump
from baclofen.entrypoints.api.regimens import visible_patient_plan
from baclofen.entrypoints.api.schemas import Body, Text
from baclofen.entrypoints.api.security import require_role
from baclofen.services.commands import ForecastNextRefill

__all__ = ["ICS_RESPONSES", "ics_download", "plan_calendar", "refill_calendar", "router"]

router = APIRouter(tags=["calendars"])

#: Who downloads a pump's or a saved plan's calendar (a patient their own).
READERS = STAFF_ROLES | {Role.PATIENT}

#: The OpenAPI answer of a calendar download (:func:`ics_download`).
ICS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "An iCalendar file (RFC 5545, UTF-8)", "content": {"text/calendar": {}}}
}

ZoneQuery = Annotated[
    str | None,
    Query(
        max_length=64,
        description="IANA time zone, e.g. Europe/London (default: the clinic clock's when it names one; else required)",
    ),
]


def ics_download(ics: bytes, filename: str) -> Response:
    """ICS bytes as a download named ``filename`` (:func:`~baclofen.entrypoints.api.records.file_download`)."""
    return file_download(ics, filename, "text/calendar; charset=utf-8")


def clinic_zone(who: Caller, name: str | None) -> ZoneInfo:
    """The zone ``name`` names; without it the clinic clock's zone when that is a named IANA zone, else an error
    naming ``zone`` (422): never a silent UTC, a dose at 08:00 is 08:00 where the patient lives."""
    if name is None:
        zone = who.services.clock.zone
        if isinstance(zone, ZoneInfo):
            return zone
        raise InvalidInputError("zone", "an IANA time zone such as Europe/London (the clinic's clock names none)", zone)
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError("zone", "an IANA time zone such as Europe/London", name) from None


def saved_plans_key(clinic_id: str | None, patient_id: str) -> str:
    """The calendar key of a patient's saved plans: one per patient, so a revision updates the same events."""
    return calendar_key("patient-plans", clinic_id or "", patient_id)


def earlier_revisions(history: Sequence[SavedPlan], saved: SavedPlan) -> tuple[PlanRevision, ...]:
    """The saved plans before ``saved`` in its patient's history, oldest first, with their saved times."""
    return tuple(PlanRevision(p.plan, p.saved_at) for p in sorted(history, key=lambda p: p.seq) if p.seq < saved.seq)


def refill_calendar(
    who: Caller, pump_id: str, at: str | None, zone: str | None, reminder_days: list[int] | tuple[int, ...] | None
) -> Response:
    """The next refill appointment of ``pump_id`` (audited ``pump.calendar``; out of scope: 404)."""
    with audited(who, "pump.calendar", audit_target("pump", pump_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            visible_pump(uow, who, pump_id)
        clock_time = read_clock_time(at)
        tz = None if clock_time is None and zone is None else clinic_zone(who, zone)  # a date needs no zone
        refill = who.services.forecast_next_refill(ForecastNextRefill(pump_id, who.services.clock.now()))
        if reminder_days is None:  # the clinic's reminders (its settings profile), else the settings' defaults
            reminder_days = refill_reminder_days(who.services.settings.overrides(REFILL_REMINDER_SETTINGS))
        ics = render_refill_calendar(refill, tz, at=clock_time, reminder_days=reminder_days)
    return ics_download(ics, f"refill-{pump_id}.ics")


def plan_calendar(who: Caller, patient_id: str, plan_id: str, zone: str | None, reminder_minutes: int) -> Response:
    """The doses of saved plan ``plan_id`` of ``patient_id`` (audited ``plan.calendar``; out of scope: 404)."""
    with audited(who, "plan.calendar", audit_target("plan", plan_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            record, saved = visible_patient_plan(uow, who, patient_id, plan_id)
            history = uow.plans.for_patient(record.patient_id)
        ics = render_plan_calendar(
            saved.plan,
            clinic_zone(who, zone),
            reminder_minutes=reminder_minutes,
            key=saved_plans_key(record.clinic_id, record.patient_id),
            made_at=saved.saved_at,
            earlier=earlier_revisions(history, saved),
        )
    return ics_download(ics, f"plan-{saved.plan_id}.ics")


@router.get(
    "/pumps/{pump_id}/refills.ics",
    summary="A pump's next refill appointment as a calendar (the worklist's refill date; reminders days before)",
    response_class=Response,
    responses=ICS_RESPONSES,
)
def export_refill_calendar(
    pump_id: str,
    who: CallerDep,
    at: Annotated[
        str | None, Query(alias="time", max_length=5, description="HH:MM in zone (default: an all-day event)")
    ] = None,
    zone: ZoneQuery = None,
    reminder_days: Annotated[
        list[int] | None,
        Query(
            max_length=5,
            description="Reminders this many days before, 0 to 60 (default: the clinic's "
            "pump.refill_reminder_early_days and pump.refill_reminder_late_days, 7 and 1)",
        ),
    ] = None,
) -> Response:
    return refill_calendar(who, pump_id, at, zone, None if reminder_days is None else tuple(reminder_days))


@router.get(
    "/patients/{patient_id}/plans/{plan_id}/calendar.ics",
    summary="A saved plan's doses as a calendar (local times kept across daylight saving; a reminder before each)",
    response_class=Response,
    responses=ICS_RESPONSES,
)
def export_plan_calendar(
    patient_id: str,
    plan_id: str,
    who: CallerDep,
    zone: ZoneQuery = None,
    reminder_minutes: Annotated[int, Query(ge=0, le=10080)] = DEFAULT_REMINDER_MINUTES,
) -> Response:
    return plan_calendar(who, patient_id, plan_id, zone, reminder_minutes)


class CalendarRequest(Body):
    """A plan document's calendar: ``plan`` the ``baclofen-plan/1`` document (the JSON of ``baclofen plan
    titrate/taper --json``), the options of ``baclofen calendar PLAN`` (``calendar_key``: a stable id of the
    patient's schedule, only its digest written, so that a revised plan updates the same events; ``previous``: the
    earlier revisions' documents under that key, oldest first, so that changed events get a higher SEQUENCE and the
    doses the revision drops are cancelled)."""

    plan: Annotated[dict[Text, Any], Field(max_length=50)]
    zone: Text | None = None
    reminder_minutes: int = DEFAULT_REMINDER_MINUTES
    calendar_key: Text | None = None
    previous: Annotated[list[dict[Text, Any]], Field(max_length=20)] = []


@router.post(
    "/calendar",
    summary="A plan document's doses as a calendar (baclofen calendar PLAN)",
    response_class=Response,
    responses=ICS_RESPONSES,
)
def plan_document_calendar(body: CalendarRequest, who: CallerDep) -> Response:
    require_role(who.user, READERS)
    with body_fields():
        plan = read_plan_document(body.plan, "plan")
        earlier = tuple(PlanRevision(read_plan_document(p, f"previous[{i}]")) for i, p in enumerate(body.previous))
        key = None if body.calendar_key is None else calendar_key("plan-key", body.calendar_key)
        ics = render_plan_calendar(
            plan, clinic_zone(who, body.zone), reminder_minutes=body.reminder_minutes, key=key, earlier=earlier
        )
    return ics_download(ics, f"plan-{plan.kind.value}-{plan.start.isoformat()}.ics")
