"""The clinic between visits through the API (issue 11): a patient's diary (logged by the patient or the clinic,
read a page at a time), alerts (listed, raised by the risk engine on the stored record, acknowledged and
resolved by staff: who from the token, when from the clock), the clinic's worklist; 422 names every invalid
field; every access audited; on every store."""

from __future__ import annotations

from datetime import timedelta

from baclofen.entrypoints.api.problems import PROBLEM_JSON

RED_FLAG = {
    "recorded_at": "2026-03-02T08:30+00:00",
    "symptoms": ["fever", "more spasms or stiffness", "Confusion"],
    "stiffness_nrs": 8,
    "note": "much stiffer since yesterday, a bit confused",
}
QUIET = {"recorded_at": "2026-03-01T20:00+00:00", "doses_taken": 3, "spasm_frequency": "1:1", "pain_nrs": 2}


def _fields(response) -> list[str]:
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM_JSON, response.text
    return sorted(e["field"] for e in response.json()["errors"])


def test_a_red_flag_reaches_the_clinicians_worklist_is_acknowledged_and_every_access_is_audited(api) -> None:
    before = len(api.services.audit.entries())
    patient, clinician = api.auth("pat1"), api.auth("clin1")

    logged = api.client.post("/api/v1/patients/P-1/diary", json=RED_FLAG, headers=patient)
    worklist = api.client.get("/api/v1/worklist", params={"horizon_days": 7}, headers=clinician)
    alert_ids = [i["alert_id"] for i in worklist.json()["items"] if i.get("alert_id")]
    api.clock.advance(minutes=10)
    acknowledged = api.client.post(
        f"/api/v1/alerts/{alert_ids[0]}/acknowledge",
        json={"reason": "called the patient: pump check today"},
        headers=clinician,
    )
    alerts = api.client.get("/api/v1/patients/P-1/alerts", params={"active_only": True}, headers=clinician)

    assert logged.status_code == 201, logged.text
    body = logged.json()
    assert body["entry"]["patient_id"] == "P-1" and body["entry"]["symptoms"] == [
        "confusion",
        "fever",
        "more spasms or stiffness",
    ]
    flagged = {a["rule_id"] for a in body["alerts"]}
    assert {"DIARY-MENTAL-001", "DIARY-WITHDRAWAL-001"} <= flagged
    assert {f["rule_id"] for f in body["red_flags"]} == flagged
    assert worklist.status_code == 200, worklist.text
    assert set(alert_ids) == {a["alert_id"] for a in body["alerts"]}
    assert {i["patient_id"] for i in worklist.json()["items"]} == {"P-1"}
    assert acknowledged.status_code == 200, acknowledged.text
    step = acknowledged.json()["transitions"][-1]
    assert acknowledged.json()["state"] == "acknowledged"
    assert step == {
        "state": "acknowledged",
        "by": "clinician:clin1",
        "at": api.clock.now().isoformat(),
        "reason": "called the patient: pump check today",
    }
    states = {a["alert_id"]: a["state"] for a in alerts.json()["items"]}
    assert states[alert_ids[0]] == "acknowledged" and len(states) == len(alert_ids)
    assert [(e.actor, e.action, e.target, e.outcome.value) for e in api.audit_since(before)] == [
        ("patient:pat1", "diary.create", "patient:P-1", "success"),
        ("clinician:clin1", "worklist.read", "clinic:C-1", "success"),
        ("clinician:clin1", "alert.acknowledge", f"alert:{alert_ids[0]}", "success"),
        ("clinician:clin1", "alert.list", "patient:P-1", "success"),
    ]


def test_a_diary_entry_without_a_time_is_recorded_now_and_a_second_at_that_instant_is_a_conflict(api) -> None:
    headers = api.auth("nurse1")

    first = api.client.post("/api/v1/patients/P-2/diary", json={"pain_nrs": 3}, headers=headers)
    again = api.client.post("/api/v1/patients/P-2/diary", json={"pain_nrs": 4}, headers=headers)

    assert first.status_code == 201 and first.json()["entry"]["recorded_at"] == api.clock.now().isoformat()
    assert first.json()["alerts"] == []
    assert again.status_code == 409 and again.headers["content-type"] == PROBLEM_JSON


def test_the_diary_is_read_oldest_first_a_page_at_a_time(api) -> None:
    headers = api.auth("pat1")
    for day in range(3):
        entry = {**QUIET, "recorded_at": f"2026-02-2{5 + day}T20:00+00:00"}
        assert api.client.post("/api/v1/patients/P-1/diary", json=entry, headers=headers).status_code == 201

    first = api.client.get("/api/v1/patients/P-1/diary", params={"limit": 2}, headers=headers).json()
    rest = api.client.get(
        "/api/v1/patients/P-1/diary", params={"limit": 2, "after": first["next_after"]}, headers=api.auth("clin1")
    ).json()
    unknown = api.client.get("/api/v1/patients/P-1/diary", params={"after": "D-nothing"}, headers=headers)

    assert [e["recorded_at"][:10] for e in first["items"]] == ["2026-02-25", "2026-02-26"]
    assert [e["recorded_at"][:10] for e in rest["items"]] == ["2026-02-27"] and rest["next_after"] is None
    assert first["items"][0]["spasm_frequency"]["frequency"] == 1
    assert _fields(unknown) == ["after"] and unknown.json()["errors"][0]["in"] == "query"


def test_every_invalid_diary_field_is_named_at_once(api) -> None:
    headers = api.auth("pat1")
    bad_values = {
        "recorded_at": "2026-03-01T20:00",  # no UTC offset
        "doses_taken": 500,
        "spasm_frequency": "3",  # a frequency above 0 needs its severity
        "stiffness_nrs": 11,
        "symptoms": ["fever", "headache"],
    }
    bad_types = {"doses_missed": "two", "symptoms": "fever", "extra": 1}

    before = len(api.services.audit.entries())
    values = api.client.post("/api/v1/patients/P-1/diary", json=bad_values, headers=headers)
    audited = api.audit_since(before)
    types = api.client.post("/api/v1/patients/P-1/diary", json=bad_types, headers=headers)
    future = api.client.post(
        "/api/v1/patients/P-1/diary",
        json={"recorded_at": (api.clock.now() + timedelta(hours=2)).isoformat()},
        headers=headers,
    )

    assert _fields(values) == ["doses_taken", "recorded_at", "spasm_frequency", "stiffness_nrs", "symptoms[1]"]
    assert _fields(types) == ["doses_missed", "extra", "symptoms"]
    assert _fields(future) == ["recorded_at"]
    assert [(e.action, e.target, e.outcome.value) for e in audited] == [("diary.create", "patient:P-1", "failed")]
    assert api.client.get("/api/v1/patients/P-1/diary", headers=headers).json()["items"] == []


def test_an_alert_is_resolved_once_and_a_decision_needs_a_reason(api) -> None:
    logged = api.client.post("/api/v1/patients/P-1/diary", json=RED_FLAG, headers=api.auth("pat1")).json()
    alert_id = logged["alerts"][0]["alert_id"]
    headers = api.auth("nurse1")

    empty = api.client.post(f"/api/v1/alerts/{alert_id}/resolve", json={"reason": "  "}, headers=headers)
    missing = api.client.post(f"/api/v1/alerts/{alert_id}/resolve", json={}, headers=headers)
    resolved = api.client.post(f"/api/v1/alerts/{alert_id}/resolve", json={"reason": "seen in clinic"}, headers=headers)
    twice = api.client.post(f"/api/v1/alerts/{alert_id}/acknowledge", json={"reason": "late"}, headers=headers)
    unknown = api.client.post("/api/v1/alerts/A-nothing/resolve", json={"reason": "x y"}, headers=headers)

    assert _fields(empty) == ["reason"] and _fields(missing) == ["reason"]
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"
    assert resolved.json()["transitions"][-1]["by"] == "nurse:nurse1"
    assert twice.status_code == 409 and "resolved" in twice.json()["detail"]
    assert unknown.status_code == 404


def test_the_risk_engine_raises_alerts_on_the_stored_record_once(api) -> None:
    headers = api.auth("clin1")
    visit = {"concentration_mcg_per_ml": 500, "refilled": "2025-12-01", "daily_dose_mcg": 300}
    assert api.client.post("/api/v1/pumps/pump-1/visits", json=visit, headers=headers).status_code == 201

    first = api.client.post("/api/v1/patients/P-1/alerts/raise", headers=headers)
    again = api.client.post("/api/v1/patients/P-1/alerts/raise", headers=headers)
    by_patient = api.client.post("/api/v1/patients/P-1/alerts/raise", headers=api.auth("pat1"))

    assert first.status_code == 200, first.text
    raised = first.json()["raised"]
    assert raised and all(a["patient_id"] == "P-1" and a["state"] == "open" for a in raised)
    assert again.json()["raised"] == [] and {a["alert_id"] for a in again.json()["already_active"]} == {
        a["alert_id"] for a in raised
    }
    assert by_patient.status_code == 403


def test_the_worklist_is_the_callers_clinics_and_for_staff_only(api) -> None:
    api.client.post("/api/v1/patients/Q-1/diary", json=RED_FLAG, headers=api.auth("patq"))

    own = api.client.get("/api/v1/worklist", headers=api.auth("nurse1"))
    other = api.client.get("/api/v1/worklist", headers=api.auth("clin2"))
    patient = api.client.get("/api/v1/worklist", headers=api.auth("pat1"))
    admin = api.client.get("/api/v1/worklist", headers=api.auth("admin1"))
    too_far = api.client.get("/api/v1/worklist", params={"horizon_days": 400}, headers=api.auth("nurse1"))

    assert own.status_code == 200 and own.json()["items"] == [] and own.json()["horizon_days"] == 14
    assert {i["patient_id"] for i in other.json()["items"]} == {"Q-1"}
    assert patient.status_code == admin.status_code == 403
    denied = api.services.audit.entries(actor="admin:admin1")[-1]
    assert (denied.action, denied.target, denied.outcome.value) == ("worklist.read", "clinic:C-1", "denied")
    assert _fields(too_far) == ["horizon_days"]
