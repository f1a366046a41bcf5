"""The printed documents (PDF) behind the web session, on the same reads, access rules and audit as the API's
downloads (:mod:`baclofen.entrypoints.api.reports`) and as the pages that link to them:

* ``GET /plans/{plan_id}/schedule.pdf``: a saved plan's schedule with its daily check-off table (staff of the
  patient's clinic, the patient their own: "Print schedule (PDF)" on the saved plan and on the patient's schedule);
* ``GET /pumps/{pump_id}/wallet-card.pdf?clinic_contact=``: the pump's emergency wallet card (staff: "Wallet card
  (PDF)" on the patient page);
* ``GET /patients/{patient_id}/visit-summary.pdf``: the clinic visit summary (staff: "Visit summary (PDF)");
* ``GET /pumps/{pump_id}/visits/{number}/record.pdf``: a stored refill visit's record (staff: "Refill record (PDF)").

An error is a page (404 out of scope, 403 for a role that may not), as the pages' are.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from baclofen.adapters.pdf_documents import render_refill_visit_pdf, render_visit_summary_pdf
from baclofen.entrypoints.api.context import audited
from baclofen.entrypoints.api.records import audit_target
from baclofen.entrypoints.api.reports import (
    patient_summary,
    pdf_download,
    saved_plan_schedule,
    stored_visit,
    wallet_card,
)
from baclofen.entrypoints.web.app import WebRoute, caller_of

__all__ = ["router"]

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/plans/{plan_id}/schedule.pdf")
def plan_schedule(request: Request, plan_id: str, patient_label: str = "") -> Response:
    who = caller_of(request)
    with audited(who, "plan.export", audit_target("plan", plan_id)):
        pdf, filename = saved_plan_schedule(who, plan_id, patient_label)
    return pdf_download(pdf, filename)


@router.get("/pumps/{pump_id}/wallet-card.pdf")
def pump_wallet_card(request: Request, pump_id: str, clinic_contact: str = "", patient_label: str = "") -> Response:
    who = caller_of(request)
    with audited(who, "pump.export", audit_target("pump", pump_id)):
        pdf = wallet_card(who, pump_id, clinic_contact, patient_label)
    return pdf_download(pdf, f"wallet-card-{pump_id}.pdf")


@router.get("/patients/{patient_id}/visit-summary.pdf")
def visit_summary(request: Request, patient_id: str) -> Response:
    who = caller_of(request)
    with audited(who, "patient.export", audit_target("patient", patient_id)):
        summary = patient_summary(who, patient_id)
    return pdf_download(render_visit_summary_pdf(summary), f"visit-summary-{patient_id}.pdf")


@router.get("/pumps/{pump_id}/visits/{number}/record.pdf")
def visit_record(request: Request, pump_id: str, number: int, target_interval_days: int | None = None) -> Response:
    who = caller_of(request)
    with audited(who, "pump.export", audit_target("pump", pump_id)):
        stored = stored_visit(who, pump_id, number, target_interval_days)
    return pdf_download(render_refill_visit_pdf(stored), f"refill-{pump_id}-visit-{number}.pdf")
