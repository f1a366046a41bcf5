"""Printed documents as PDF downloads (``application/pdf``, ``Content-Disposition: attachment``), the documents of
``baclofen report``: a saved plan's schedule with its daily check-off table (a patient their own, staff their
clinic's), a plan document's schedule (staff, stored nowhere), a pump's emergency wallet card, a stored refill
visit's record and a patient's clinic visit summary (staff). Under the same scope as the records they print
(out of scope: 404, as if it did not exist) and audited as the CSV exports are."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field

from baclofen.adapters.edge.simulate import read_plan_document
from baclofen.adapters.pdf_documents import (
    MAX_LABEL_CHARS,
    PDF_MEDIA_TYPE,
    WalletCard,
    render_refill_visit_pdf,
    render_schedule_pdf,
    render_visit_summary_pdf,
    render_wallet_card_pdf,
)
from baclofen.domain.records import STAFF_ROLES, Role
from baclofen.entrypoints.api.answers import body_fields
from baclofen.entrypoints.api.context import Caller, CallerDep, audited
from baclofen.entrypoints.api.records import audit_target, file_download, visible_patient, visible_pump
from baclofen.entrypoints.api.regimens import visible_patient_plan
from baclofen.entrypoints.api.schemas import Body
from baclofen.entrypoints.api.security import require_role
from baclofen.services import itb
from baclofen.services.commands import AssessPatientRisk
from baclofen.services.patient_summary import PatientSummary, read_patient_records, summarize_patient

__all__ = ["PDF_RESPONSES", "pdf_download", "router"]

router = APIRouter(tags=["documents"])

#: Who prints a saved plan's schedule (a patient their own); who prints the clinic's documents.
READERS = STAFF_ROLES | {Role.PATIENT}
STAFF = STAFF_ROLES

#: The OpenAPI answer of a PDF download (:func:`pdf_download`).
PDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A PDF document (decision support for professionals, not medical advice)",
        "content": {PDF_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    }
}
Label = Annotated[str, Field(max_length=MAX_LABEL_CHARS)]


def pdf_download(pdf: bytes, filename: str) -> Response:
    """PDF bytes as a download named ``filename`` (:func:`~baclofen.entrypoints.api.records.file_download`: kept
    in no cache)."""
    return file_download(pdf, filename, PDF_MEDIA_TYPE)


class ScheduleRequest(Body):
    """A plan's ``baclofen-plan/1`` document (the JSON of ``baclofen plan titrate/taper --json``) and an optional
    patient label printed on it."""

    plan: Annotated[dict[Annotated[str, Field(max_length=200)], Any], Field(max_length=50)]
    patient_label: Label = ""


def saved_plan_schedule(who: Caller, patient_id: str, plan_id: str, patient_label: str = "") -> Response:
    """The schedule PDF of saved plan ``plan_id`` of ``patient_id`` (audited ``plan.export``; out of scope: 404)."""
    with audited(who, "plan.export", audit_target("plan", plan_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            _, saved = visible_patient_plan(uow, who, patient_id, plan_id)
    return pdf_download(render_schedule_pdf(saved.plan, patient_label=patient_label), f"schedule-{saved.plan_id}.pdf")


def wallet_card(who: Caller, pump_id: str, clinic_contact: str = "", patient_label: str = "") -> bytes:
    """The emergency wallet card of a pump the caller (staff) may see, as it delivers now (its last fill's
    concentration, the program in effect); ``clinic_contact`` empty: the clinic's name."""
    require_role(who.user, STAFF)
    with who.services.uow as uow:
        now = itb.read_pump_in_effect(uow, visible_pump(uow, who, pump_id), who.services.clock.now())
    contact = clinic_contact.strip() or who.services.clinics.get(who.user.clinic_id).name
    return render_wallet_card_pdf(WalletCard.of_pump(now, contact, patient_label))


def stored_visit(who: Caller, pump_id: str, number: int, target_interval_days: int | None = None) -> itb.StoredVisit:
    """The stored visit ``number`` of a pump the caller (staff) may see, with its check made again."""
    require_role(who.user, STAFF)
    with who.services.uow as uow:
        pump = visible_pump(uow, who, pump_id)
        changes = uow.program_changes.for_pump(pump_id)
    return itb.read_stored_visit(pump, number, target_interval_days, clinic=who.services.settings, changes=changes)


def patient_summary(who: Caller, patient_id: str) -> PatientSummary:
    """The summary of a patient the caller (staff) may see, now (call inside the access's audit)."""
    require_role(who.user, STAFF)
    now = who.services.clock.now()
    with who.services.uow as uow:
        records = read_patient_records(uow, visible_patient(uow, who, patient_id))
    risk = who.services.assess_patient_risk(AssessPatientRisk(patient_id, now))
    return summarize_patient(records, risk, now, clinic=who.services.settings)


@router.get(
    "/patients/{patient_id}/plans/{plan_id}/schedule.pdf",
    summary="A saved plan's schedule with a daily check-off table, as PDF (baclofen report schedule)",
    response_class=Response,
    responses=PDF_RESPONSES,
)
def export_plan_schedule(
    patient_id: str,
    plan_id: str,
    who: CallerDep,
    patient_label: Annotated[str, Query(max_length=MAX_LABEL_CHARS)] = "",
) -> Response:
    return saved_plan_schedule(who, patient_id, plan_id, patient_label)


@router.post(
    "/reports/schedule",
    summary="A plan document's schedule with a daily check-off table, as PDF (stored nowhere)",
    response_class=Response,
    responses=PDF_RESPONSES,
)
def report_schedule(body: ScheduleRequest, who: CallerDep) -> Response:
    require_role(who.user, STAFF)
    with body_fields():
        plan = read_plan_document(body.plan, "plan")
        pdf = render_schedule_pdf(plan, patient_label=body.patient_label)
    return pdf_download(pdf, f"schedule-{plan.kind.value}-{plan.start.isoformat()}.pdf")


@router.get(
    "/pumps/{pump_id}/wallet-card.pdf",
    summary="An intrathecal baclofen emergency wallet card of the pump's last fill (85.6 x 54 mm, two sides), as PDF",
    response_class=Response,
    responses=PDF_RESPONSES,
)
def export_wallet_card(
    pump_id: str,
    who: CallerDep,
    clinic_contact: Annotated[str, Query(max_length=MAX_LABEL_CHARS)] = "",
    patient_label: Annotated[str, Query(max_length=MAX_LABEL_CHARS)] = "",
) -> Response:
    with audited(who, "pump.export", audit_target("pump", pump_id)):
        pdf = wallet_card(who, pump_id, clinic_contact, patient_label)
    return pdf_download(pdf, f"wallet-card-{pump_id}.pdf")


@router.get(
    "/pumps/{pump_id}/visits/{number}/record.pdf",
    summary="A stored refill visit's record (residual, discrepancy, fill, program, next refill, findings, "
    "overrides), as PDF",
    response_class=Response,
    responses=PDF_RESPONSES,
)
def export_visit_record(pump_id: str, number: int, who: CallerDep, target_interval_days: int | None = None) -> Response:
    with audited(who, "pump.export", audit_target("pump", pump_id)):
        stored = stored_visit(who, pump_id, number, target_interval_days)
    return pdf_download(render_refill_visit_pdf(stored), f"refill-{pump_id}-visit-{number}.pdf")


@router.get(
    "/patients/{patient_id}/visit-summary.pdf",
    summary="A clinic visit summary of the patient (covariates, plan, pump, alerts, risks, scores, diary), as PDF",
    response_class=Response,
    responses=PDF_RESPONSES,
)
def export_visit_summary(patient_id: str, who: CallerDep) -> Response:
    with audited(who, "patient.export", audit_target("patient", patient_id)):
        summary = patient_summary(who, patient_id)
    return pdf_download(render_visit_summary_pdf(summary), f"visit-summary-{patient_id}.pdf")
