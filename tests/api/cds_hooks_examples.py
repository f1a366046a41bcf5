"""Hook request bodies built from the CDS Hooks specification's own examples (cds-hooks/docs):

* ``docs/hooks/order-select.md``, "Example (R4)": ``context`` with ``userId`` ``PractitionerRole/123``, ``patientId``
  ``1288992``, ``encounterId`` ``89284``, ``selections`` and a ``draftOrders`` Bundle holding the NutritionOrder
  ``pureeddiet-simple`` and the MedicationRequest ``smart-MedicationRequest-103`` (amoxicillin/clavulanate, R4
  ``doseAndRate.doseQuantity``, ``timing.repeat`` twice a day);
* ``docs/hooks/order-sign.md``, "Example (R4)": the same two draft orders without ``selections``;
* ``docs/hooks/patient-view.md``: ``context`` ``userId`` ``Practitioner/example``, ``patientId``;
* the specification's HTTP request (``hook``, ``hookInstance``, ``fhirServer``, ``fhirAuthorization`` with
  ``access_token``, ``token_type``, ``expires_in``, ``scope``, ``subject``; ``prefetch``).

The medication of ``smart-MedicationRequest-103`` is replaced by the drug a test needs (tizanidine, ciprofloxacin,
baclofen) with its dose; everything else is kept as the specification writes it.
"""

from __future__ import annotations

import copy
from typing import Any

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SPEC_PATIENT_ID = "1288992"

#: The NutritionOrder of the specification's examples, verbatim (not a medication: the checks pass it by).
NUTRITION_ORDER: dict[str, Any] = {
    "resourceType": "NutritionOrder",
    "id": "pureeddiet-simple",
    "identifier": [{"system": "http://goodhealthhospital.org/nutrition-requests", "value": "123"}],
    "status": "draft",
    "patient": {"reference": "Patient/1288992"},
    "dateTime": "2014-09-17",
    "orderer": {"reference": "Practitioner/example", "display": "Dr Adam Careful"},
    "oralDiet": {
        "type": [
            {
                "coding": [{"system": "http://snomed.info/sct", "code": "226211001", "display": "Pureed diet"}],
                "text": "Pureed diet",
            }
        ],
        "schedule": [
            {"repeat": {"boundsPeriod": {"start": "2015-02-10"}, "frequency": 3, "period": 1, "periodUnit": "d"}}
        ],
    },
}

#: The MedicationRequest of the specification's R4 examples, verbatim.
SPEC_MEDICATION_REQUEST: dict[str, Any] = {
    "resourceType": "MedicationRequest",
    "id": "smart-MedicationRequest-103",
    "meta": {"lastUpdated": "2018-04-30T13:25:40.845-04:00"},
    "status": "draft",
    "intent": "order",
    "medicationCodeableConcept": {
        "coding": [
            {
                "system": RXNORM,
                "code": "617993",
                "display": "Amoxicillin 120 MG/ML / clavulanate potassium 8.58 MG/ML Oral Suspension",
            }
        ],
        "text": "Amoxicillin 120 MG/ML / clavulanate potassium 8.58 MG/ML Oral Suspension",
    },
    "subject": {"reference": "Patient/1288992"},
    "dosageInstruction": [
        {
            "text": "5 mL bid x 10 days",
            "timing": {
                "repeat": {"boundsPeriod": {"start": "2005-01-04"}, "frequency": 2, "period": 1, "periodUnit": "d"}
            },
            "doseAndRate": [
                {"doseQuantity": {"value": 5, "unit": "mL", "system": "http://unitsofmeasure.org", "code": "mL"}}
            ],
        }
    ],
    "dispenseRequest": {
        "numberOfRepeatsAllowed": 1,
        "quantity": {"value": 1, "unit": "mL", "system": "http://unitsofmeasure.org", "code": "mL"},
        "expectedSupplyDuration": {"value": 10, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d"},
    },
}


def medication_request(
    resource_id: str,
    text: str,
    dose_mg: float | None = None,
    per_day: int = 3,
    *,
    status: str = "draft",
    rxnorm: str | None = None,
    patient_id: str = SPEC_PATIENT_ID,
) -> dict[str, Any]:
    """The specification's MedicationRequest with another id, medication, dose (mg, ``per_day`` times) and status."""
    resource = copy.deepcopy(SPEC_MEDICATION_REQUEST)
    resource["id"] = resource_id
    resource["status"] = status
    resource["subject"] = {"reference": f"Patient/{patient_id}"}
    coding = [{"system": RXNORM, "code": rxnorm, "display": text}] if rxnorm else []
    resource["medicationCodeableConcept"] = {"coding": coding, "text": text}
    resource.pop("text", None)
    if dose_mg is None:
        resource.pop("dosageInstruction")
    else:
        dosage = resource["dosageInstruction"][0]
        dosage["text"] = f"{dose_mg:g} mg {per_day} times a day"
        dosage["timing"]["repeat"]["frequency"] = per_day
        dosage["doseAndRate"] = [
            {"doseQuantity": {"value": dose_mg, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}}
        ]
    return resource


def bundle(*resources: dict[str, Any], kind: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]}
    if kind:
        out["type"] = kind
    return out


def order_select(
    *drafts: dict[str, Any],
    selections: list[str] | None = None,
    prefetch: dict[str, Any] | None = None,
    patient_id: str = SPEC_PATIENT_ID,
    **call: Any,
) -> dict[str, Any]:
    """The specification's R4 order-select request with these draft MedicationRequests (and its NutritionOrder)."""
    chosen = selections if selections is not None else [f"MedicationRequest/{drafts[0]['id']}"]
    context = {
        "userId": "PractitionerRole/123",
        "patientId": patient_id,
        "encounterId": "89284",
        "selections": ["NutritionOrder/pureeddiet-simple", *chosen],
        "draftOrders": bundle(NUTRITION_ORDER, *drafts),
    }
    body = {"hook": "order-select", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": context}
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body | call


def order_sign(
    *drafts: dict[str, Any], prefetch: dict[str, Any] | None = None, patient_id: str = SPEC_PATIENT_ID, **call: Any
) -> dict[str, Any]:
    """The specification's R4 order-sign request with these draft MedicationRequests (and its NutritionOrder)."""
    context = {
        "userId": "PractitionerRole/123",
        "patientId": patient_id,
        "encounterId": "89284",
        "draftOrders": bundle(NUTRITION_ORDER, *drafts),
    }
    body = {"hook": "order-sign", "hookInstance": "2b8ad5e4-4f3c-4c26-9d1a-7f1b5c1e0a11", "context": context}
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body | call


def patient_view(patient_id: str) -> dict[str, Any]:
    """The specification's patient-view request for ``patient_id``."""
    return {
        "hook": "patient-view",
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/example", "patientId": patient_id},
    }


def fhir_authorization(token: str) -> dict[str, Any]:
    """The specification's fhirAuthorization example with this access token."""
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": 300,
        "scope": "user/Patient.read user/Observation.read user/MedicationRequest.read",
        "subject": "cds-service4",
    }


def kidney_bundle(code: str, value: float, unit: str, when: str = "2026-02-20") -> dict[str, Any]:
    """A search Bundle of one kidney-function Observation (LOINC ``code``)."""
    observation = {
        "resourceType": "Observation",
        "id": f"kidney-{code}",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": f"Patient/{SPEC_PATIENT_ID}"},
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
    }
    return bundle(observation, kind="searchset")
