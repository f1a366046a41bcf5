"""The web pages' downloads, behind the session, on the API's own handlers (the same scope, audit and bytes):

* ``/patients/{patient_id}/plans/{plan_id}/calendar.ics``: "Add to calendar (.ics)" of a saved plan (the saved
  plan page, the patient's schedule);
* ``/pumps/{pump_id}/refills.ics``: "Refill appointment (.ics)" (``time``: HH:MM in the clinic's zone, else all
  day) on the refill page, the patient page and the patient's schedule;
* ``/patients/{patient_id}/diary.csv`` and ``/pumps/{pump_id}/visits.csv``: "Diary (CSV)" and "Refill history
  (CSV)" on the clinician's patient page;
* the printed documents (PDF, :mod:`baclofen.entrypoints.api.reports`):
  ``/patients/{patient_id}/plans/{plan_id}/schedule.pdf`` "Print schedule (PDF)" (the saved plan page, the patient's
  schedule), ``/patients/{patient_id}/visit-summary.pdf`` "Visit summary (PDF)" and
  ``/pumps/{pump_id}/wallet-card.pdf?clinic_contact=&patient_label=`` "Wallet card (PDF)" (the clinician's patient
  page),
  ``/pumps/{pump_id}/visits/{number}/record.pdf`` "Refill record (PDF)" (a stored visit's record).

A patient downloads their own (their schedule's links); anything else out of scope is a 404 page, as the API
answers. Each download is ``no-store`` like the pages, and names its file (``Content-Disposition``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from baclofen.adapters.calendar_ics import DEFAULT_REMINDER_MINUTES
from baclofen.entrypoints.api.calendars import plan_calendar, refill_calendar
from baclofen.entrypoints.api.clinic import export_diary_csv
from baclofen.entrypoints.api.records import export_visits_csv
from baclofen.entrypoints.api.reports import (
    export_visit_record,
    export_visit_summary,
    export_wallet_card,
    saved_plan_schedule,
)
from baclofen.entrypoints.web.app import WebRoute, caller_of

__all__ = ["router"]

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/patients/{patient_id}/plans/{plan_id}/calendar.ics")
def plan_calendar_download(request: Request, patient_id: str, plan_id: str) -> Response:
    return plan_calendar(caller_of(request), patient_id, plan_id, None, DEFAULT_REMINDER_MINUTES)


@router.get("/pumps/{pump_id}/refills.ics")
def refill_calendar_download(request: Request, pump_id: str, time: str | None = None) -> Response:
    return refill_calendar(caller_of(request), pump_id, time, None, None)  # the clinic's reminder days


@router.get("/patients/{patient_id}/diary.csv")
def diary_csv_download(request: Request, patient_id: str) -> Response:
    return export_diary_csv(patient_id, caller_of(request))


@router.get("/pumps/{pump_id}/visits.csv")
def visits_csv_download(request: Request, pump_id: str) -> Response:
    return export_visits_csv(pump_id, caller_of(request))


@router.get("/patients/{patient_id}/plans/{plan_id}/schedule.pdf")
def plan_schedule_download(request: Request, patient_id: str, plan_id: str) -> Response:
    return saved_plan_schedule(caller_of(request), patient_id, plan_id)


@router.get("/patients/{patient_id}/visit-summary.pdf")
def visit_summary_download(request: Request, patient_id: str) -> Response:
    return export_visit_summary(patient_id, caller_of(request))


@router.get("/pumps/{pump_id}/wallet-card.pdf")
def wallet_card_download(request: Request, pump_id: str, clinic_contact: str = "", patient_label: str = "") -> Response:
    return export_wallet_card(pump_id, caller_of(request), clinic_contact, patient_label)


@router.get("/pumps/{pump_id}/visits/{number}/record.pdf")
def visit_record_download(
    request: Request, pump_id: str, number: int, target_interval_days: int | None = None
) -> Response:
    return export_visit_record(pump_id, number, caller_of(request), target_interval_days)
