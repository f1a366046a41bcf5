"""FHIR R4 through the API (issue 13 items 1 and 6): a patient's Bundle (application/fhir+json) under the scope and
audit of the CSV exports, and an import into the caller's clinic by a clinician or an administrator: 201 with what
was created, a 422 OperationOutcome naming the element with nothing stored, a 409 for a patient already stored."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from baclofen.adapters.fhir.reading import read_patient_bundle
from tests.fhir_ndjson import check_ndjson_files

SCORE = {"scale": "mas", "value": "1+", "muscle_group": "left elbow flexors", "assessed_on": "2026-03-01"}


def _bundle_with_history(api) -> dict[str, Any]:
    clinician = api.auth("clin1")
    assert (
        api.client.post("/api/v1/patients/P-1/covariates", json={"weight_kg": 71}, headers=clinician).status_code == 201
    )
    assert api.client.post("/api/v1/patients/P-1/scores", json=SCORE, headers=clinician).status_code == 201
    r = api.client.get("/api/v1/patients/P-1/fhir", headers=clinician)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/fhir+json"
    bundle: dict[str, Any] = r.json()
    return bundle


def _as_new_patient(bundle: dict[str, Any], patient_id: str) -> dict[str, Any]:
    """The same bundle about another patient id (its identifier), without its pumps' records (a pump is one device:
    already stored, it would be a conflict)."""
    moved = copy.deepcopy(bundle)
    moved["entry"][0]["resource"]["identifier"][0]["value"] = patient_id
    moved["entry"] = [e for e in moved["entry"] if e["resource"]["resourceType"] != "Device"]
    for entry in moved["entry"][1:]:
        for identifier in entry["resource"].get("identifier", []):
            identifier["value"] += "-copy"
    return moved


def test_a_patient_bundle_is_read_under_the_record_scope_and_audited(api) -> None:
    bundle = _bundle_with_history(api)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds[0] == "Patient" and "Observation" in kinds and kinds[-1] == "Provenance"
    before = len(api.services.audit.entries())

    own = api.client.get("/api/v1/patients/P-1/fhir", headers=api.auth("pat1"))
    other = api.client.get("/api/v1/patients/P-2/fhir", headers=api.auth("pat1"))

    assert own.status_code == 200 and own.json()["entry"][0] == bundle["entry"][0]
    assert other.status_code == 404
    outcomes = [(e.action, e.target, e.outcome.value) for e in api.audit_since(before)]
    assert outcomes == [
        ("patient.export_fhir", "patient:P-1", "success"),
        ("patient.export_fhir", "patient:P-2", "denied"),
    ]


def test_a_clinician_imports_a_bundle_into_their_clinic_once(api) -> None:
    bundle = _as_new_patient(_bundle_with_history(api), "P-NEW")
    before = len(api.services.audit.entries())

    created = api.client.post("/api/v1/fhir/import", json=bundle, headers=api.auth("clin1"))
    again = api.client.post("/api/v1/fhir/import", json=bundle, headers=api.auth("clin1"))

    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/api/v1/patients/P-NEW"
    body = created.json()
    assert body["patient_id"] == "P-NEW" and body["clinic_id"] == "C-1"
    assert len(body["covariate_observations"]) >= 1 and len(body["outcome_scores"]) == 1
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/fhir+json"
    issue = again.json()["issue"][0]
    assert issue["expression"] == ["Bundle.entry[0].resource.identifier"] and issue["code"] == "duplicate"
    declared = api.app.openapi()["paths"]["/api/v1/fhir/import"]["post"]["responses"]["409"]
    assert "application/fhir+json" in declared["content"]
    exported = api.client.get("/api/v1/patients/P-NEW/fhir", headers=api.auth("nurse1")).json()
    sent, stored = read_patient_bundle(bundle).file, read_patient_bundle(exported).file
    assert (stored.covariates, stored.scores) == (sent.covariates, sent.scores)
    assert [(e.action, e.outcome.value) for e in api.audit_since(before)][:2] == [
        ("patient.import_fhir", "success"),
        ("patient.import_fhir", "failed"),
    ]


def test_a_bad_bundle_gets_an_operation_outcome_naming_the_element_and_nothing_is_stored(api) -> None:
    bundle = _as_new_patient(_bundle_with_history(api), "P-BAD")
    index = next(i for i, e in enumerate(bundle["entry"]) if "valueCodeableConcept" in e["resource"])
    bundle["entry"][index]["resource"]["valueCodeableConcept"]["coding"][0]["code"] = "5"

    r = api.client.post("/api/v1/fhir/import", json=bundle, headers=api.auth("nurse1"))

    assert r.status_code == 422
    assert r.headers["content-type"] == "application/fhir+json"
    outcome = r.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert [i["expression"] for i in outcome["issue"]] == [[f"Bundle.entry[{index}].resource.valueCodeableConcept"]]
    assert api.client.get("/api/v1/patients/P-BAD", headers=api.auth("clin1")).status_code == 404


def test_only_the_clinics_staff_import_and_export_and_a_refusal_is_audited(memory_api) -> None:
    """Like every other route on patient data: clinicians and nurses write (an import creates a patient, as POST
    /patients does) and read; an administrator reads and writes no patient data (403, audited as denied)."""
    bundle = {"resourceType": "Bundle", "type": "collection"}
    for username in ("admin1", "pat1"):
        before = len(memory_api.services.audit.entries())
        r = memory_api.client.post("/api/v1/fhir/import", json=bundle, headers=memory_api.auth(username))
        assert r.status_code == 403, (username, r.text)
        assert [e.outcome.value for e in memory_api.audit_since(before)] == ["denied"]
    admin_reads = memory_api.client.get("/api/v1/patients/P-1/fhir", headers=memory_api.auth("admin1"))
    assert admin_reads.status_code == 403
    for username in ("clin1", "nurse1"):
        r = memory_api.client.post("/api/v1/fhir/import", json=bundle, headers=memory_api.auth(username))
        assert r.status_code == 422 and r.json()["issue"][0]["expression"] == ["Bundle.entry"], username


def test_the_openapi_schema_declares_fhir_json_answers(memory_api) -> None:
    paths = memory_api.app.openapi()["paths"]
    export = paths["/api/v1/patients/{patient_id}/fhir"]["get"]["responses"]
    imported = paths["/api/v1/fhir/import"]["post"]["responses"]
    assert "application/fhir+json" in export["200"]["content"]
    assert {"application/fhir+json", "application/problem+json"} <= set(imported["422"]["content"])


EHR_BUNDLE = Path(__file__).resolve().parents[1] / "data" / "fhir" / "ehr_patient_bundle.json"
EHR_PATIENT = "5f0c3b1e-8a2d-4c6e-9b7a-1d2e3f4a5b6c"


def test_an_ehr_bundle_is_imported_with_the_origin_and_locale_query_parameters(memory_api) -> None:
    bundle = json.loads(EHR_BUNDLE.read_text(encoding="utf-8"))
    clinician = memory_api.auth("clin1")

    refused = memory_api.client.post("/api/v1/fhir/import", json=bundle, headers=clinician)
    bad = memory_api.client.post("/api/v1/fhir/import?origin=spine&locale=us", json=bundle, headers=clinician)
    created = memory_api.client.post("/api/v1/fhir/import?origin=spinal&locale=us", json=bundle, headers=clinician)

    assert refused.status_code == 422 and refused.headers["content-type"] == "application/fhir+json"
    issues = refused.json()["issue"]
    assert [i["expression"][0].rsplit(".", 1)[1] for i in issues] == ["extension('origin')", "extension('locale')"]
    assert "API ?origin=" in issues[0]["diagnostics"] and "API ?locale=" in issues[1]["diagnostics"]
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["patient_id"] == EHR_PATIENT and len(body["covariate_observations"]) == 2
    assert {(n["entry"], n["resource_type"]) for n in body["not_imported"]} == {
        (1, "Encounter"),
        (4, "Observation"),
        (5, "MedicationStatement"),
    }
    assert body["medication_statements"][0]["drug"] == "baclofen"
    stored = memory_api.client.get(f"/api/v1/patients/{EHR_PATIENT}", headers=clinician).json()
    assert (stored["origin"], stored["locale"], stored["weight_kg"], stored["sex"]) == ("spinal", "us", 72.5, "female")


def test_the_clinic_bulk_export_answers_a_manifest_and_valid_ndjson_files(api) -> None:
    _bundle_with_history(api)  # P-1 with a covariate observation and a score
    nurse = api.auth("nurse1")
    before = len(api.services.audit.entries())

    manifest = api.client.get("/api/v1/clinic/fhir/$export", headers=nurse)

    assert manifest.status_code == 200, manifest.text
    body = manifest.json()
    assert set(body) == {"transactionTime", "request", "requiresAccessToken", "output", "error"}
    assert body["requiresAccessToken"] is True and body["error"] == []
    assert body["request"].endswith("/api/v1/clinic/fhir/$export")
    counts = {o["type"]: o["count"] for o in body["output"]}
    assert counts["Patient"] == 2 and counts["Observation"] >= 2  # P-1 and P-2 of C-1, not Q-1 of C-2
    files = {}
    for output in body["output"]:
        r = api.client.get(output["url"], headers=nurse)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+ndjson")
        files[output["type"]] = r.text.splitlines()
        assert len(files[output["type"]]) == output["count"]
    check_ndjson_files(files)  # every line valid, every reference resolves across the files
    # one snapshot: each file is made at the manifest's transactionTime (its url says so)
    assert all(f"transactionTime={body['transactionTime']}" in unquote(o["url"]) for o in body["output"])
    recorded = {datetime.fromisoformat(json.loads(line)["recorded"]) for line in files["Provenance"]}
    assert recorded == {datetime.fromisoformat(body["transactionTime"])}
    entries = [(e.action, e.target, e.outcome.value) for e in api.audit_since(before)]
    assert entries[0] == ("clinic.export_fhir (2 patients)", "clinic:C-1", "success")
    assert entries[1] == ("clinic.export_fhir_ndjson (Patient, 2 patients)", "clinic:C-1", "success")
    assert len(entries) == 1 + len(body["output"])


def test_an_unknown_ndjson_file_is_not_found_and_other_roles_are_refused(memory_api) -> None:
    missing = memory_api.client.get("/api/v1/clinic/fhir/Foo.ndjson", headers=memory_api.auth("clin1"))
    admin = memory_api.client.get("/api/v1/clinic/fhir/$export", headers=memory_api.auth("admin1"))
    patient = memory_api.client.get("/api/v1/clinic/fhir/Patient.ndjson", headers=memory_api.auth("pat1"))

    assert missing.status_code == 404 and "Patient" in missing.json()["detail"]
    assert admin.status_code == patient.status_code == 403


def test_the_openapi_schema_declares_the_bulk_export(memory_api) -> None:
    paths = memory_api.app.openapi()["paths"]
    manifest = paths["/api/v1/clinic/fhir/$export"]["get"]["responses"]["200"]["content"]["application/json"]
    ndjson = paths["/api/v1/clinic/fhir/{resource_type}.ndjson"]["get"]["responses"]["200"]["content"]
    imported = paths["/api/v1/fhir/import"]["post"]["parameters"]
    assert manifest["schema"]["required"] == ["transactionTime", "request", "requiresAccessToken", "output", "error"]
    assert "application/fhir+ndjson" in ndjson
    assert {p["name"] for p in imported} >= {"origin", "locale"}


def test_an_ndjson_file_of_a_time_to_come_or_without_an_offset_is_refused(memory_api) -> None:
    nurse = memory_api.auth("nurse1")
    for at in ("2999-01-01T00:00:00+00:00", "2026-03-01T10:00:00"):
        r = memory_api.client.get("/api/v1/clinic/fhir/Patient.ndjson", params={"transactionTime": at}, headers=nurse)
        assert r.status_code == 422 and "transactionTime" in r.text, (at, r.text)


def test_an_id_stored_in_another_clinic_is_the_same_conflict_as_creating_it_there(api) -> None:
    """Ids are unique across clinics: creating a patient or a pump whose id another clinic holds is a 409 (POST
    /patients, POST /pumps), and so is an import of them; none names the other clinic or says more than the
    create would."""
    bundle = _bundle_with_history(api)  # P-1 of clinic C-1, with its pump pump-1
    other = api.auth("clin2")  # clinic C-2
    patient = {"patient_id": "P-1", "age_years": 46, "weight_kg": 70, "sex": "female", "locale": "uk"}
    pump = {"pump_id": "pump-1", "pump": "synchromed-ii-20", "patient_id": "Q-1"}

    created_patient = api.client.post("/api/v1/patients", json=patient, headers=other)
    created_pump = api.client.post("/api/v1/pumps", json=pump, headers=other)
    imported = api.client.post("/api/v1/fhir/import", json=bundle, headers=other)
    moved = _as_new_patient(bundle, "Q-NEW")
    moved["entry"] += [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Device"]
    imported_pump = api.client.post("/api/v1/fhir/import", json=moved, headers=other)

    answers = [created_patient, created_pump, imported, imported_pump]
    assert [r.status_code for r in answers] == [409, 409, 409, 409], [r.text for r in answers]
    assert all("C-1" not in r.text for r in answers)
    assert api.client.get("/api/v1/patients/Q-NEW", headers=other).status_code == 404
