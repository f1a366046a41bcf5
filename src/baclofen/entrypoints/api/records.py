"""Patient records, pumps and refill visits: staff work on their clinic's, a patient reads their own; every
access, read or write, allowed or not, is audited. A patient's representation carries an ETag: an update
must send it back (``If-Match``), and one made on a record changed since is refused with 409."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from baclofen.adapters.csv_export import render_visits_csv
from baclofen.adapters.edge.collect import InputCollector
from baclofen.adapters.edge.plan import read_patient
from baclofen.adapters.edge.pump import pump_record_from_options, record_refill_visit_command
from baclofen.domain.errors import ConflictError, InvalidInputError
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import (
    STAFF_ROLES,
    PatientRecord,
    PumpRecord,
    RefillVisitRecord,
    Role,
    check_record_id,
)
from baclofen.entrypoints.api.context import Caller, CallerDep, audited
from baclofen.entrypoints.api.idempotency import IdempotencyKey, respond_once
from baclofen.entrypoints.api.problems import Problem
from baclofen.entrypoints.api.schemas import PatientFields, PatientRequest, PumpRequest, VisitRequest
from baclofen.entrypoints.api.security import (
    OutOfScope,
    actor_label,
    can_see_patient,
    check_pump_patient,
    require_role,
)
from baclofen.entrypoints.json_values import json_ready
from baclofen.services import itb
from baclofen.services.histories import observe_replaced_patient
from baclofen.services.ports import MAX_PAGE_SIZE, UnitOfWork

__all__ = [
    "CSV_RESPONSES",
    "audit_target",
    "csv_download",
    "file_download",
    "router",
    "safe_filename",
    "visible_patient",
    "visible_pump",
]

router = APIRouter(tags=["records"])

#: Who reads patient records, who writes them.
READERS = STAFF_ROLES | {Role.PATIENT}
WRITERS = STAFF_ROLES


def audit_target(kind: str, record_id: str) -> str:
    """The audit target of a record (an identifier that is not one is not written as given)."""
    try:
        return f"{kind}:{check_record_id(record_id, f'{kind}_id')}"
    except InvalidInputError:
        return f"{kind}:<invalid id>"


def _snapshot(body: PatientFields) -> PatientSnapshot:
    fields = InputCollector()
    snapshot = read_patient(fields, **body.model_dump(include=set(PatientFields.model_fields)))
    fields.raise_errors()
    assert snapshot is not None  # built, or its errors raised
    return snapshot


def patient_json(record: PatientRecord) -> dict[str, Any]:
    s = record.snapshot
    return {
        "patient_id": record.patient_id,
        "clinic_id": record.clinic_id,
        "age_years": s.age_years,
        "weight_kg": s.weight_kg,
        "sex": s.sex.value if s.sex is not None else None,
        "serum_creatinine_mg_dl": s.serum_creatinine_mg_dl,
        "crcl_ml_min": s.crcl_ml_min,
        "egfr_ml_min_1_73m2": s.egfr_ml_min_1_73m2,
        "dialysis": s.dialysis,
        "origin": s.origin.value,
        "locale": s.locale.value,
        "conditions": sorted(s.conditions),
    }


def patient_etag(record: PatientRecord) -> str:
    """A strong ETag of the stored record: its representation's digest (changes with any field)."""
    text = json.dumps(patient_json(record), sort_keys=True, allow_nan=False)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def _patient_response(record: PatientRecord, status: int = 200) -> JSONResponse:
    headers = {"ETag": patient_etag(record)}
    if status == 201:
        headers["Location"] = f"/api/v1/patients/{record.patient_id}"
    return JSONResponse(json_ready(patient_json(record)), status_code=status, headers=headers)


#: The OpenAPI answer of a CSV download (:func:`csv_download`).
CSV_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "CSV (RFC 4180, UTF-8, a header row)", "content": {"text/csv": {}}}
}
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


def safe_filename(filename: str) -> str:
    """``filename`` with each character outside ``[A-Za-z0-9._-]`` replaced by ``_`` (a download's name)."""
    return _UNSAFE_FILENAME.sub("_", filename)


def file_download(content: bytes, filename: str, media_type: str) -> Response:
    """``content`` as a download named ``filename`` (characters outside ``[A-Za-z0-9._-]`` replaced), kept in no
    cache (``no-store``: every download here is patient data)."""
    safe = safe_filename(filename)
    headers = {"Content-Disposition": f'attachment; filename="{safe}"', "Cache-Control": "no-store"}
    return Response(content, media_type=media_type, headers=headers)


def csv_download(text: str, filename: str) -> Response:
    """CSV text as a UTF-8 download named ``filename`` (:func:`file_download`)."""
    return file_download(text.encode("utf-8"), filename, "text/csv; charset=utf-8")


def visible_patient(uow: UnitOfWork, who: Caller, patient_id: str) -> PatientRecord:
    """The patient record if this caller may see it; else not found (as if it did not exist)."""
    record = uow.patients.get(patient_id)
    if not can_see_patient(who.user, record):
        raise OutOfScope(f"no patient record {patient_id!r}")
    return record


def visible_pump(uow: UnitOfWork, who: Caller, pump_id: str) -> PumpRecord:
    """The pump if this caller may see its patient; else not found (as if it did not exist)."""
    pump = uow.pumps.get(pump_id)
    try:
        visible_patient(uow, who, check_pump_patient(pump))
    except OutOfScope:
        raise OutOfScope(f"no pump record {pump_id!r}") from None
    return pump


def _visit_json(visit: RefillVisitRecord) -> dict[str, Any]:
    return {
        "refilled_at": visit.refilled_at,
        "expected_ml": visit.expected_ml,
        "aspirated_ml": visit.aspirated_ml,
        "fill_ml": visit.fill_ml,
        "concentration_mcg_per_ml": visit.concentration_mcg_per_ml,
        "program": visit.program.to_dict() if visit.program is not None else None,
        "overrides": [o.to_dict() for o in visit.overrides],
    }


def pump_json(pump: PumpRecord) -> dict[str, Any]:
    return {
        "pump_id": pump.pump_id,
        "pump": pump.model.key,
        "patient_id": pump.patient_id,
        "implanted": pump.implanted,
        "visits": [_visit_json(v) for v in pump.visits],
    }


# --- patients ----------------------------------------------------------------------------------------------


@router.post("/patients", status_code=201, summary="Create a patient record in the caller's clinic")
def create_patient(
    body: PatientRequest, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
) -> Response:
    with audited(who, "patient.create", audit_target("patient", body.patient_id)):
        require_role(who.user, WRITERS)
        return respond_once(who, request, idempotency_key, body, lambda: _create_patient(body, who))


def _create_patient(body: PatientRequest, who: Caller) -> Response:
    given = PatientRecord(body.patient_id, _snapshot(body), who.user.clinic_id)
    with who.services.uow as uow:
        # the covariates given start the patient's history (observed today)
        blank = PatientRecord(given.patient_id, PatientSnapshot(), given.clinic_id)
        record, _ = observe_replaced_patient(uow, blank, given, by=actor_label(who.user), at=who.services.clock.now())
        uow.patients.add(record)
        uow.commit()
    return _patient_response(record, 201)


@router.get("/patients", summary="The patient records the caller may see, a page at a time")
def list_patients(
    who: CallerDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    after: Annotated[str | None, Query(max_length=64, description="The last patient_id of the page before.")] = None,
) -> dict[str, Any]:
    with audited(who, "patient.list", audit_target("clinic", who.user.clinic_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            if who.user.role is Role.PATIENT:
                own = uow.patients.get(who.user.patient_id) if who.user.patient_id else None
                visible = (
                    own is not None and can_see_patient(who.user, own) and (after is None or own.patient_id > after)
                )
                records: tuple[PatientRecord, ...] = (own,) if visible and own is not None else ()
            else:
                records = uow.patients.for_clinic(who.user.clinic_id, after=after, limit=limit)
    next_after = records[-1].patient_id if len(records) == limit else None
    return {"items": [json_ready(patient_json(r)) for r in records], "next_after": next_after}


@router.get("/patients/{patient_id}", summary="A patient record (with its ETag)")
def read_patient_record(patient_id: str, who: CallerDep) -> Response:
    with audited(who, "patient.read", audit_target("patient", patient_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            record = visible_patient(uow, who, patient_id)
    return _patient_response(record)


@router.put(
    "/patients/{patient_id}",
    summary="Replace a patient's covariates (If-Match: the ETag read; 409 when it changed since); each covariate "
    "changed is also recorded as an observation of today",
)
def update_patient(
    patient_id: str,
    body: PatientFields,
    who: CallerDep,
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Response:
    with audited(who, "patient.update", audit_target("patient", patient_id)):
        require_role(who.user, WRITERS)
        snapshot = _snapshot(body)
        if if_match is None:
            raise Problem(428, "an update needs If-Match: the ETag of the record as read (GET it first)")
        with who.services.uow as uow:
            current = visible_patient(uow, who, patient_id)
            if if_match.strip() not in ("*", patient_etag(current)):
                raise ConflictError(
                    f"patient record {patient_id!r} changed since it was read (ETag {patient_etag(current)}): "
                    "read it again and redo the change"
                )
            # each covariate changed is an observation of today (GET /patients/{id}/covariates); one left out
            # keeps its last observed value
            record, _ = observe_replaced_patient(
                uow,
                current,
                PatientRecord(patient_id, snapshot, current.clinic_id),
                by=actor_label(who.user),
                at=who.services.clock.now(),
            )
            uow.patients.update(record)
            uow.commit()  # a concurrent commit in between: ConflictError, 409
    return _patient_response(record)


@router.get("/patients/{patient_id}/pumps", summary="The pumps of a patient")
def list_patient_pumps(patient_id: str, who: CallerDep) -> dict[str, Any]:
    with audited(who, "patient.pumps", audit_target("patient", patient_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            visible_patient(uow, who, patient_id)
            pumps = uow.pumps.for_patient(patient_id)
    return {"items": [json_ready(pump_json(p)) for p in pumps]}


# --- pumps and refill visits ---------------------------------------------------------------------------------


@router.post("/pumps", status_code=201, summary="Register an implanted pump of a patient")
def register_pump(
    body: PumpRequest, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
) -> Response:
    with audited(who, "pump.register", audit_target("pump", body.pump_id)):
        require_role(who.user, {Role.CLINICIAN})
        return respond_once(who, request, idempotency_key, body, lambda: _register_pump(body, who))


def _register_pump(body: PumpRequest, who: Caller) -> Response:
    record = pump_record_from_options(body.pump, pump_id=body.pump_id, implanted=body.implanted)
    with who.services.uow as uow:
        visible_patient(uow, who, body.patient_id)
    record = replace(record, patient_id=body.patient_id)
    itb.register_pump(who.services.uow, record)
    headers = {"Location": f"/api/v1/pumps/{record.pump_id}"}
    return JSONResponse(json_ready(pump_json(record)), status_code=201, headers=headers)


@router.get("/pumps/{pump_id}", summary="A pump with its refill visits")
def read_pump(pump_id: str, who: CallerDep) -> dict[str, Any]:
    with audited(who, "pump.read", audit_target("pump", pump_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            pump = visible_pump(uow, who, pump_id)
    result: dict[str, Any] = json_ready(pump_json(pump))
    return result


@router.get(
    "/pumps/{pump_id}/visits.csv",
    summary="A pump's refill visits as CSV (one row a visit, in the order recorded; units in the column names)",
    response_class=Response,
    responses=CSV_RESPONSES,
)
def export_visits_csv(pump_id: str, who: CallerDep) -> Response:
    with audited(who, "pump.export", audit_target("pump", pump_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            pump = visible_pump(uow, who, pump_id)
    return csv_download(render_visits_csv(pump.pump_id, pump.visits), f"visits-{pump.pump_id}.csv")


@router.post(
    "/pumps/{pump_id}/visits",
    status_code=201,
    summary="Record a refill visit: reconciliation, the new fill, its forecast and findings (a block without a "
    "clinician's override: 409, nothing stored)",
)
def record_visit(
    pump_id: str, body: VisitRequest, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
) -> Response:
    with audited(who, "pump.add_visit", audit_target("pump", pump_id)):
        require_role(who.user, WRITERS)
        return respond_once(who, request, idempotency_key, body, lambda: _record_visit(pump_id, body, who))


def _record_visit(pump_id: str, body: VisitRequest, who: Caller) -> Response:
    with who.services.uow as uow:
        pump = visible_pump(uow, who, pump_id)
    if body.overrides:  # a clinician overrides a block
        require_role(who.user, {Role.CLINICIAN})
    command = record_refill_visit_command(
        pump_id=pump_id, pump=pump.model, clinician=actor_label(who.user), **body.model_dump()
    )
    try:
        visit = who.services.record_refill_visit(command)
    except itb.NotStored as exc:
        raise Problem(409, str(exc), findings=json_ready([f.to_dict() for f in exc.findings])) from None
    return JSONResponse(json_ready(visit.to_dict()), status_code=201)
