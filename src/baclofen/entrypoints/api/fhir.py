"""FHIR R4 interchange (issue 13): a patient's records as a Bundle (``application/fhir+json``), and a Bundle's
patient, covariate observations, outcome scores and saved plans imported into the caller's clinic.

The export is read like the CSV exports: staff for their clinic's patients, a patient their own record, audited
(``patient.export_fhir``). An import is for the clinic's staff (clinicians and nurses; an administrator reads and
writes no patient data), into their own clinic, all or nothing: 201 with what was created, 422
``application/fhir+json`` with an OperationOutcome naming every refused element (nothing stored), 409
``application/fhir+json`` with an OperationOutcome naming the entry's identifier when the patient (or one of its
observations) is already stored; every attempt is audited (``patient.import_fhir``). Another system's Patient (no
``patient-snapshot`` extension) takes its origin and locale from the query parameters ``origin`` and ``locale`` (no
default: without them the OperationOutcome names each and the parameter).

A clinic's bulk export (FHIR Bulk Data ``$export`` style, synchronous): ``GET /clinic/fhir/$export`` answers the
manifest (``transactionTime``, ``request``, ``requiresAccessToken``, ``output`` [type, url, count], ``error``) and
``GET /clinic/fhir/{Type}.ndjson`` streams one resource a line (``application/fhir+ndjson``), references as
``Type/id`` resolving across the files; for the clinic's clinicians and nurses, each audited once with the number of
patients it covers (``clinic.export_fhir``, ``clinic.export_fhir_ndjson``). Each file is made afresh from the store,
at the manifest's ``transactionTime`` (each file's url carries it as a query parameter: the Provenance's
``recorded`` and every status are those of that time in every file), and only of its own type. Decision support for
professionals, not medical advice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from baclofen.adapters.fhir.export import EXPORTED_TYPES
from baclofen.adapters.fhir.reading import FhirConflictError, FhirInputError, operation_outcome
from baclofen.domain.errors import InvalidInputError, NotFoundError
from baclofen.domain.patient import Locale, SpasticityOrigin
from baclofen.domain.records import STAFF_ROLES, Role
from baclofen.entrypoints.api.context import Caller, CallerDep, audited
from baclofen.entrypoints.api.records import audit_target, visible_patient
from baclofen.entrypoints.api.security import require_role
from baclofen.entrypoints.json_values import json_ready
from baclofen.services.ports import MAX_PAGE_SIZE

__all__ = ["FHIR_JSON", "fhir_json_response", "router"]

router = APIRouter(tags=["fhir"])

#: The media types of FHIR JSON, and of FHIR NDJSON (one resource a line: the Bulk Data files).
FHIR_JSON = "application/fhir+json"
FHIR_NDJSON = "application/fhir+ndjson"
#: Who reads a patient's Bundle (a patient their own); who imports one (creates a patient, as POST /patients: the
#: clinic's staff; an administrator reads and writes no patient data).
READERS = STAFF_ROLES | {Role.PATIENT}
IMPORTERS = STAFF_ROLES
#: Who exports the whole clinic (its own).
CLINIC_EXPORTERS = frozenset({Role.CLINICIAN, Role.NURSE})

_OBJECT = {"schema": {"type": "object"}}


#: Every answer holding patient data is kept in no cache.
NO_STORE = {"Cache-Control": "no-store"}


def fhir_json_response(document: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``document`` as ``application/fhir+json``, kept in no cache (``no-store``)."""
    return JSONResponse(document, status_code=status, media_type=FHIR_JSON, headers=NO_STORE | (headers or {}))


@router.get(
    "/patients/{patient_id}/fhir",
    summary="A patient's records as a FHIR R4 Bundle (Patient, Observations, MedicationRequest, Device, ...)",
    response_class=Response,
    responses={200: {"description": "A FHIR R4 Bundle (type collection)", "content": {FHIR_JSON: _OBJECT}}},
)
def export_patient_fhir(patient_id: str, who: CallerDep) -> Response:
    with audited(who, "patient.export_fhir", audit_target("patient", patient_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            visible_patient(uow, who, patient_id)
        bundle = who.services.export_patient_fhir(patient_id)
    return fhir_json_response(bundle)


@router.post(
    "/fhir/import",
    status_code=201,
    summary="Import a FHIR R4 Bundle's Patient, Observations and saved plans into your clinic",
    responses={
        201: {"description": "What was created, what was not imported (with why) and the medication statements read"},
        409: {
            "description": "or a FHIR OperationOutcome naming the entry's identifier already stored (nothing stored)",
            "content": {FHIR_JSON: _OBJECT},
        },
        422: {
            "description": "or a FHIR OperationOutcome naming every refused element",
            "content": {FHIR_JSON: _OBJECT},
        },
    },
)
def import_fhir_bundle(
    bundle: Annotated[dict[str, Any], Body(description="A FHIR R4 Bundle holding one Patient")],
    who: CallerDep,
    origin: Annotated[
        SpasticityOrigin | None,
        Query(description="The patient's spasticity origin, for a Patient without our patient-snapshot extension"),
    ] = None,
    locale: Annotated[
        Locale | None,
        Query(description="Which label's limits apply (us or uk), for a Patient without our extension"),
    ] = None,
) -> Response:
    clinic_id = who.user.clinic_id
    try:
        with audited(who, "patient.import_fhir", f"clinic:{clinic_id}"):
            require_role(who.user, IMPORTERS)
            result = who.services.import_fhir_bundle(bundle, clinic_id, origin=origin, locale=locale)
    except FhirConflictError as error:
        return fhir_json_response(operation_outcome(error.issues), 409)
    except FhirInputError as error:
        return fhir_json_response(operation_outcome(error.issues), 422)
    location = {"Location": f"/api/v1/patients/{result.file.patient_id}"} | NO_STORE
    return JSONResponse(json_ready(result.to_dict()), status_code=201, headers=location)


def _clinic_patient_count(who: Caller) -> int:
    """How many patients the caller's clinic keeps (what a bulk export covers)."""
    count, after = 0, None
    with who.services.uow as uow:
        while True:
            page = uow.patients.for_clinic(who.user.clinic_id, after=after, limit=MAX_PAGE_SIZE)
            count += len(page)
            if len(page) < MAX_PAGE_SIZE:
                return count
            after = page[-1].patient_id


_MANIFEST = {
    "schema": {
        "type": "object",
        "required": ["transactionTime", "request", "requiresAccessToken", "output", "error"],
        "properties": {
            "transactionTime": {"type": "string", "format": "date-time"},
            "request": {"type": "string"},
            "requiresAccessToken": {"type": "boolean"},
            "output": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "url", "count"],
                    "properties": {"type": {"type": "string"}, "url": {"type": "string"}, "count": {"type": "integer"}},
                },
            },
            "error": {"type": "array", "items": {"type": "object"}},
        },
    }
}


@router.get(
    "/clinic/fhir/$export",
    summary="Bulk export of your clinic (FHIR Bulk Data style, synchronous): the manifest of its NDJSON files",
    responses={200: {"description": "The Bulk Data manifest", "content": {"application/json": _MANIFEST}}},
)
def export_clinic_fhir(who: CallerDep, request: Request) -> dict[str, Any]:
    clinic_id = who.user.clinic_id
    with audited(who, "clinic.export_fhir", audit_target("clinic", clinic_id)) as note:
        require_role(who.user, CLINIC_EXPORTERS)
        at = who.services.clock.now()
        counts = Counter(kind for kind, _ in who.services.export_clinic_fhir_ndjson(clinic_id, at))
        note.detail = f"{counts['Patient']} patients"
    output = [
        {
            "type": kind,
            "url": str(
                request.url_for("export_clinic_fhir_ndjson", resource_type=kind).include_query_params(
                    transactionTime=at.isoformat()
                )
            ),
            "count": n,
        }
        for kind, n in counts.items()
    ]
    return {
        "transactionTime": at.isoformat(),
        "request": str(request.url),
        "requiresAccessToken": True,
        "output": output,
        "error": [],
    }


def _lines(who: Caller, resource_type: str, at: datetime) -> Iterator[str]:
    for _, line in who.services.export_clinic_fhir_ndjson(who.user.clinic_id, at, resource_type):
        yield line + "\n"


def _transaction_time(who: Caller, at: datetime | None) -> datetime:
    """The time a file is made at: the manifest's ``transactionTime`` (aware, not to come), else now."""
    now = who.services.clock.now()
    if at is None:
        return now
    if at.utcoffset() is None or at > now:
        expected = "the manifest's transactionTime: a past date and time with its UTC offset"
        raise InvalidInputError("transactionTime", expected, at.isoformat())
    return at


@router.get(
    "/clinic/fhir/{resource_type}.ndjson",
    summary="One NDJSON file of your clinic's bulk export: every resource of one type, one a line",
    response_class=Response,
    responses={200: {"description": "FHIR NDJSON (one resource a line)", "content": {FHIR_NDJSON: {}}}},
)
def export_clinic_fhir_ndjson(
    resource_type: str,
    who: CallerDep,
    transaction_time: Annotated[
        datetime | None,
        Query(
            alias="transactionTime",
            description="The manifest's transactionTime: every file of one export is made at it (default: now)",
        ),
    ] = None,
) -> Response:
    with audited(who, "clinic.export_fhir_ndjson", audit_target("clinic", who.user.clinic_id)) as note:
        require_role(who.user, CLINIC_EXPORTERS)
        if resource_type not in EXPORTED_TYPES:
            raise NotFoundError(f"no such file: the export writes {', '.join(EXPORTED_TYPES)}")
        at = _transaction_time(who, transaction_time)
        note.detail = f"{resource_type}, {_clinic_patient_count(who)} patients"
    headers = {"Content-Disposition": f'attachment; filename="{resource_type}.ndjson"'} | NO_STORE
    return StreamingResponse(_lines(who, resource_type, at), media_type=FHIR_NDJSON, headers=headers)
