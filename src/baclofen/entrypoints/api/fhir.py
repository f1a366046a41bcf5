"""FHIR R4 interchange (issue 13): a patient's records as a Bundle (``application/fhir+json``), and a Bundle's
patient, covariate observations and outcome scores imported into the caller's clinic.

The export is read like the CSV exports: staff for their clinic's patients, a patient their own record, audited
(``patient.export_fhir``). An import is for clinicians and administrators, into their own clinic, all or nothing:
201 with what was created, 422 ``application/fhir+json`` with an OperationOutcome naming every refused element
(nothing stored), 409 when the patient is already stored; every attempt is audited (``patient.import_fhir``).
Decision support for professionals, not medical advice.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from fastapi.responses import JSONResponse

from baclofen.adapters.fhir.reading import FhirInputError, operation_outcome
from baclofen.domain.records import STAFF_ROLES, Role
from baclofen.entrypoints.api.context import CallerDep, audited
from baclofen.entrypoints.api.records import audit_target, visible_patient
from baclofen.entrypoints.api.security import require_role
from baclofen.entrypoints.json_values import json_ready

__all__ = ["FHIR_JSON", "fhir_json_response", "router"]

router = APIRouter(tags=["fhir"])

#: The media type of FHIR JSON.
FHIR_JSON = "application/fhir+json"
#: Who reads a patient's Bundle (a patient their own); who imports one.
READERS = STAFF_ROLES | {Role.PATIENT}
IMPORTERS = frozenset({Role.CLINICIAN, Role.ADMIN})

_OBJECT = {"schema": {"type": "object"}}


def fhir_json_response(document: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(document, status_code=status, media_type=FHIR_JSON, headers=headers)


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
    summary="Import a FHIR R4 Bundle's Patient, covariate Observations and outcome scores into your clinic",
    responses={
        201: {"description": "What was created (and what was not imported: export-only resources)"},
        422: {
            "description": "or a FHIR OperationOutcome naming every refused element",
            "content": {FHIR_JSON: _OBJECT},
        },
    },
)
def import_fhir_bundle(
    bundle: Annotated[dict[str, Any], Body(description="A FHIR R4 Bundle holding one Patient")], who: CallerDep
) -> Response:
    clinic_id = who.user.clinic_id
    try:
        with audited(who, "patient.import_fhir", f"clinic:{clinic_id}"):
            require_role(who.user, IMPORTERS)
            result = who.services.import_fhir_bundle(bundle, clinic_id)
    except FhirInputError as error:
        return fhir_json_response(operation_outcome(error.issues), 422)
    location = {"Location": f"/api/v1/patients/{result.file.patient_id}"}
    return JSONResponse(json_ready(result.to_dict()), status_code=201, headers=location)
