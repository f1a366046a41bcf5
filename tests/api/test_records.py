"""Patient records, pumps and refill visits through the API (issue 11 item 7): created in the caller's
clinic, updated with optimistic concurrency (ETag / If-Match, 409 on a conflicting edit), a refill visit
through the edge's command; 422 names every invalid field with its path; every access audited."""

from __future__ import annotations

from baclofen.entrypoints.api.problems import PROBLEM_JSON

NEW_PATIENT = {"patient_id": "P-9", "age_years": 46, "weight_kg": 70, "sex": "female", "locale": "uk"}


def _fields(response) -> list[str]:
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM_JSON, response.text
    return [e["field"] for e in response.json()["errors"]]


def test_a_created_patient_belongs_to_the_callers_clinic_and_reads_back(api) -> None:
    headers = api.auth("clin1")

    made = api.client.post("/api/v1/patients", json=NEW_PATIENT, headers=headers)
    read = api.client.get("/api/v1/patients/P-9", headers=headers)
    again = api.client.post("/api/v1/patients", json=NEW_PATIENT, headers=headers)

    assert made.status_code == 201 and made.headers["location"] == "/api/v1/patients/P-9"
    assert read.json() == made.json() and read.json()["clinic_id"] == "C-1" and read.json()["sex"] == "female"
    assert read.headers["etag"] == made.headers["etag"]
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM_JSON
    assert api.client.get("/api/v1/patients/P-9", headers=api.auth("clin2")).status_code == 404


def test_an_update_needs_the_etag_read_and_a_stale_one_is_a_conflict(api) -> None:
    headers = api.auth("clin1")
    etag = api.client.get("/api/v1/patients/P-1", headers=headers).headers["etag"]

    missing = api.client.put("/api/v1/patients/P-1", json={"age_years": 52}, headers=headers)
    first = api.client.put("/api/v1/patients/P-1", json={"age_years": 52}, headers={**headers, "If-Match": etag})
    stale = api.client.put("/api/v1/patients/P-1", json={"age_years": 53}, headers={**headers, "If-Match": etag})
    fresh = api.client.put(
        "/api/v1/patients/P-1", json={"age_years": 53}, headers={**headers, "If-Match": first.headers["etag"]}
    )

    assert missing.status_code == 428
    assert first.status_code == 200 and first.json()["age_years"] == 52 and first.headers["etag"] != etag
    assert stale.status_code == 409 and "changed since it was read" in stale.json()["detail"]
    assert fresh.status_code == 200 and fresh.json()["age_years"] == 53 and fresh.json()["clinic_id"] == "C-1"


def test_every_invalid_field_is_named_at_once_with_its_path(api) -> None:
    headers = api.auth("nurse1")
    bad_values = {"patient_id": "P-8", "age_years": -4, "weight_kg": 1e9, "sex": "x", "locale": "fr"}
    bad_types = {"patient_id": "P-8", "age_years": "old", "conditions": ["ok", 5], "extra": 1}

    values = api.client.post("/api/v1/patients", json=bad_values, headers=headers)
    types = api.client.post("/api/v1/patients", json=bad_types, headers=headers)
    plan = api.client.post(
        "/api/v1/plans/titration", json={"start_date": "2026-13-01", "patient": {"locale": "zz"}}, headers=headers
    )
    query = api.client.get("/api/v1/patients", params={"limit": 0}, headers=headers)

    assert sorted(_fields(values)) == ["age_years", "locale", "sex", "weight_kg"]
    assert sorted(_fields(types)) == ["age_years", "conditions[1]", "extra"]
    assert sorted(_fields(plan)) == ["patient.locale", "start_date"]
    assert _fields(query) == ["limit"] and query.json()["errors"][0]["in"] == "query"


def test_a_pump_is_registered_and_a_refill_visit_recorded_with_its_forecast(api) -> None:
    headers = api.auth("clin1")
    body = {"pump_id": "pump-9", "pump": "synchromed-ii-20", "patient_id": "P-1", "implanted": "2025-06-01"}

    made = api.client.post("/api/v1/pumps", json=body, headers=headers)
    first = api.client.post(
        "/api/v1/pumps/pump-9/visits",
        json={"concentration_mcg_per_ml": 500, "refilled": "2026-02-02", "daily_dose_mcg": 300},
        headers=api.auth("nurse1"),
    )
    second = api.client.post(
        "/api/v1/pumps/pump-9/visits",
        json={
            "concentration_mcg_per_ml": 500,
            "refilled": "2026-03-02",
            "daily_dose_mcg": 300,
            "expected_ml": 4.0,
            "aspirated_ml": 3.9,
        },
        headers=headers,
    )
    stored = api.client.get("/api/v1/pumps/pump-9", headers=api.auth("pat1"))
    listed = api.client.get("/api/v1/patients/P-1/pumps", headers=headers)

    assert made.status_code == 201, made.text
    assert first.status_code == 201 and first.json()["next_refill_date"]
    assert second.status_code == 201 and second.json()["reconciliation"] is not None
    assert isinstance(second.json()["findings"], list)
    assert [v["refilled_at"] for v in stored.json()["visits"]] == ["2026-02-02", "2026-03-02"]
    assert [p["pump_id"] for p in listed.json()["items"]] == ["pump-1", "pump-9"]


def test_a_refill_visit_reports_every_invalid_field_at_once(api) -> None:
    body = {"concentration_mcg_per_ml": 500, "refilled": "2026-13-01", "flex": "nonsense", "as_of": "soon"}

    r = api.client.post("/api/v1/pumps/pump-1/visits", json=body, headers=api.auth("nurse1"))

    assert sorted(_fields(r)) == ["as_of", "flex", "refilled"]


def test_every_access_to_patient_data_is_audited(api) -> None:
    before = len(api.services.audit.entries())
    headers = api.auth("clin1")
    api.client.post("/api/v1/patients", json=NEW_PATIENT, headers=headers)
    api.client.get("/api/v1/patients/P-9", headers=headers)
    api.client.get("/api/v1/patients", headers=headers)
    api.client.post("/api/v1/patients", json={**NEW_PATIENT, "age_years": -1}, headers=headers)

    entries = api.audit_since(before)

    assert [(e.actor, e.action, e.target, e.outcome.value) for e in entries] == [
        ("clinician:clin1", "patient.create", "patient:P-9", "success"),
        ("clinician:clin1", "patient.read", "patient:P-9", "success"),
        ("clinician:clin1", "patient.list", "clinic:C-1", "success"),
        ("clinician:clin1", "patient.create", "patient:P-9", "failed"),
    ]
    assert all(e.at == api.clock.now() for e in entries)


def test_the_calculators_answer_as_the_cli_does(memory_api) -> None:
    headers = memory_api.auth("clin1")

    plan = memory_api.client.post("/api/v1/plans/titration", json={"start_date": "2026-03-02"}, headers=headers)
    taper = memory_api.client.post(
        "/api/v1/plans/taper", json={"start_date": "2026-03-02", "from_mg_per_day": 30}, headers=headers
    )
    forecast = memory_api.client.post(
        "/api/v1/pumps/forecast",
        json={
            "pump": "synchromed-ii-20",
            "volume_ml": 20,
            "concentration_mcg_per_ml": 500,
            "filled": "2026-03-02",
            "daily_dose_mcg": 300,
        },
        headers=headers,
    )
    dose = memory_api.client.post("/api/v1/checks/dose", json={"drug": "baclofen", "mg_per_day": 120}, headers=headers)

    assert plan.status_code == 200 and plan.json()["kind"] == "titration"
    assert taper.status_code == 200 and taper.json()["steps"]
    assert forecast.status_code == 200 and forecast.json()["empty_date"]
    assert dose.status_code == 200 and "DOSE-BAC-ORAL-MAX-001" in {f["rule_id"] for f in dose.json()["findings"]}


def _empty_reservoir_visit(api, **extra: object):
    """pump-9, filled on 2026-02-02, found EMPTY on 2026-04-03 (PUMP-RECON-007, an overridable block)."""
    api.client.post(
        "/api/v1/pumps",
        json={"pump_id": "pump-9", "pump": "synchromed-ii-20", "patient_id": "P-1", "implanted": "2025-06-01"},
        headers=api.auth("clin1"),
    )
    first = {"concentration_mcg_per_ml": 500, "refilled": "2026-02-02", "daily_dose_mcg": 300}
    assert api.client.post("/api/v1/pumps/pump-9/visits", json=first, headers=api.auth("nurse1")).status_code == 201
    return {**first, "refilled": "2026-04-03", "expected_ml": 2.0, "aspirated_ml": 0.0, **extra}


def _visits(api) -> int:
    return len(api.client.get("/api/v1/pumps/pump-9", headers=api.auth("clin1")).json()["visits"])


def test_a_visit_a_block_stands_against_is_not_recorded_without_an_override(api) -> None:
    body = _empty_reservoir_visit(api)

    refused = api.client.post("/api/v1/pumps/pump-9/visits", json=body, headers=api.auth("nurse1"))

    assert refused.status_code == 409, refused.text
    blocks = [f for f in refused.json()["findings"] if f["severity"] == "block"]
    assert "PUMP-RECON-007" in [f["rule_id"] for f in blocks] and all(f["overridable"] for f in blocks)
    assert _visits(api) == 1  # nothing stored


def test_a_clinician_overrides_a_visits_block_with_a_reason_and_it_is_recorded(api) -> None:
    reason = "PUMP-RECON-007=restarted at a low dose under observation"
    body = _empty_reservoir_visit(api, overrides=[reason])

    by_nurse = api.client.post("/api/v1/pumps/pump-9/visits", json=body, headers=api.auth("nurse1"))
    no_reason = api.client.post(
        "/api/v1/pumps/pump-9/visits", json={**body, "overrides": ["PUMP-RECON-007=x"]}, headers=api.auth("clin1")
    )
    recorded = api.client.post("/api/v1/pumps/pump-9/visits", json=body, headers=api.auth("clin1"))

    assert by_nurse.status_code == 403  # a clinician overrides a block
    assert no_reason.status_code == 422 and "override reason" in _fields(no_reason)
    assert recorded.status_code == 201, recorded.text
    empty = [f for f in recorded.json()["findings"] if f["rule_id"] == "PUMP-RECON-007"]
    assert empty and empty[0]["override"]["reason"] == "restarted at a low dose under observation"
    assert empty[0]["override"]["clinician"]
    assert _visits(api) == 2
    # the override is kept with the visit: read back from the store, who overrode which block and why
    stored = api.client.get("/api/v1/pumps/pump-9", headers=api.auth("clin1")).json()["visits"]
    assert stored[0]["overrides"] == []
    assert stored[1]["overrides"] == [
        {
            "rule_id": "PUMP-RECON-007",
            "reason": "restarted at a low dose under observation",
            "clinician": empty[0]["override"]["clinician"],
        }
    ]
