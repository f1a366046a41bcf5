"""Who sees what (issue 11 item 9): a patient only their own records, staff only their clinic's, an admin no
patient data; a record out of the caller's scope is answered as one that does not exist (404), and every
access, allowed or not, is in the audit log."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from baclofen.adapters.edge.clinic import log_diary_entry_command
from baclofen.domain.jobs import JobRecord
from baclofen.services.commands import PlanTitration, SavePlan
from tests.api.conftest import PATIENTS, START

VISIT = {"concentration_mcg_per_ml": 500, "refilled": "2026-03-02", "daily_dose_mcg": 300}
PATIENT_BODY = {"age_years": 51}
DECISION = {"reason": "called the patient"}
PLAN = {"kind": "titration", "start_date": "2026-03-05"}
PROGRAM_CHANGE = {"daily_dose_mcg": 330, "reason": "spasms at night"}

#: Every route on patient data: (method, path, body, roles that may use it at all).
READ = {"clinician", "nurse", "patient"}
WRITE = {"clinician", "nurse"}
ROUTES = [
    ("GET", "/api/v1/patients/{patient}", None, READ),
    ("PUT", "/api/v1/patients/{patient}", PATIENT_BODY, WRITE),
    ("GET", "/api/v1/patients/{patient}/pumps", None, READ),
    ("GET", "/api/v1/pumps/{pump}", None, READ),
    ("GET", "/api/v1/pumps/{pump}/visits.csv", None, READ),
    ("GET", "/api/v1/pumps/{pump}/refills.ics", None, READ),
    ("GET", "/api/v1/pumps/{pump}/wallet-card.pdf", None, WRITE),
    ("GET", "/api/v1/pumps/{pump}/visits/{number}/record.pdf", None, WRITE),
    ("GET", "/api/v1/patients/{patient}/visit-summary.pdf", None, WRITE),
    ("POST", "/api/v1/pumps/{pump}/visits", VISIT, WRITE),
    (
        "POST",
        "/api/v1/pumps",
        {"pump_id": "pump-new", "pump": "synchromed-ii-20", "patient_id": "{patient}"},
        {"clinician"},
    ),
    ("POST", "/api/v1/patients/{patient}/diary", {"pain_nrs": 2}, READ),
    ("GET", "/api/v1/patients/{patient}/diary", None, READ),
    ("GET", "/api/v1/patients/{patient}/diary.csv", None, READ),
    ("GET", "/api/v1/patients/{patient}/fhir", None, READ),
    ("GET", "/api/v1/patients/{patient}/alerts", None, READ),
    ("POST", "/api/v1/patients/{patient}/alerts/raise", None, WRITE),
    ("POST", "/api/v1/alerts/{alert}/acknowledge", DECISION, WRITE),
    ("POST", "/api/v1/alerts/{alert}/resolve", DECISION, WRITE),
    ("POST", "/api/v1/patients/{patient}/covariates", {"weight_kg": 70}, WRITE),
    ("GET", "/api/v1/patients/{patient}/covariates", None, READ),
    ("POST", "/api/v1/patients/{patient}/screening-trials", {"dose_mcg": 50, "responded": False}, WRITE),
    ("GET", "/api/v1/patients/{patient}/screening-trials", None, READ),
    ("POST", "/api/v1/patients/{patient}/scores", {"scale": "nrs", "value": 3}, WRITE),
    ("GET", "/api/v1/patients/{patient}/scores", None, READ),
    # population jobs hold no patient data, but are the clinic's: another clinic's is answered as missing
    ("GET", "/api/v1/jobs/{job}", None, WRITE),
    ("POST", "/api/v1/jobs/{job}/cancel", None, {"clinician"}),
    ("POST", "/api/v1/patients/{patient}/plans", PLAN, {"clinician"}),
    ("GET", "/api/v1/patients/{patient}/plans", None, READ),
    ("GET", "/api/v1/plans/{plan}", None, READ),
    ("GET", "/api/v1/patients/{patient}/plans/{plan}/calendar.ics", None, READ),
    ("GET", "/api/v1/patients/{patient}/plans/{plan}/schedule.pdf", None, READ),
    ("POST", "/api/v1/pumps/{pump}/program-changes", PROGRAM_CHANGE, {"clinician"}),
    ("GET", "/api/v1/pumps/{pump}/program-changes", None, READ),
    # one record, one timeline: the document a stored patient yields, and the risk engine's assessment of it
    ("GET", "/api/v1/patients/{patient}/timeline", None, READ),
    ("GET", "/api/v1/patients/{patient}/risk", None, READ),
]
#: Every route on the caller's own clinic (its settings profile): (method, path, body, roles that may use it). The
#: clinic is the caller's, from the token: no such path names a clinic, so none reaches another clinic's.
STAFF_AND_ADMIN = {"clinician", "nurse", "admin"}
CLINIC_ROUTES = [
    ("GET", "/api/v1/clinic/settings", None, STAFF_AND_ADMIN),
    ("GET", "/api/v1/clinic/settings/history", None, STAFF_AND_ADMIN),
    ("PUT", "/api/v1/clinic/settings/{name}", {"value": 10, "reason": "local protocol"}, {"admin"}),
    ("DELETE", "/api/v1/clinic/settings/{name}?reason=default", None, {"admin"}),
    # the clinic's FHIR bulk export: its manifest and one NDJSON file per resource type
    ("GET", "/api/v1/clinic/fhir/$export", None, WRITE),
    ("GET", "/api/v1/clinic/fhir/{resource_type}.ndjson", None, WRITE),
]
#: Every route on the rule catalogue (no patient data, no clinic's: not audited): (method, path, roles that may).
CATALOGUE_ROUTES = [
    ("GET", "/api/v1/rules", STAFF_AND_ADMIN),
    ("GET", "/api/v1/rules/{rule}", STAFF_AND_ADMIN),
]
#: The routes on the caller's own session (no patient data, no clinic's: not audited), open to every role with a
#: token: (method, path). Each ends what the token opened: ``logout`` that token, ``logout-everywhere`` every token
#: and web session of the account (tests/api/test_logout.py).
SESSION_ROUTES = [
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/logout-everywhere"),
]
#: The CDS Hooks routes (the specification's paths; the patient is named in the body, ``context.patientId``):
#: (method, path, body, roles that may use them). A patient-view of a patient out of the caller's scope is answered
#: as the specification answers a hook with nothing to say (200, no card, and why), and audited as denied.
FEEDBACK = {"feedback": [{"card": "9368d37b", "outcome": "overridden", "outcomeTimestamp": "2026-03-02T09:00:00Z"}]}
HOOK_ROUTES = [
    (
        "POST",
        "/cds-services/{service}",
        {
            "hook": "patient-view",
            "hookInstance": "h-1",
            "context": {"userId": "Practitioner/x", "patientId": "{patient}"},
        },
        WRITE,
    ),
    ("POST", "/cds-services/{service}/feedback", FEEDBACK, WRITE),
]
#: username -> (role, a patient and a pump of another patient or clinic it must not reach)
OUTSIDERS = {
    "clin1": ("clinician", "Q-1", "pump-q"),  # another clinic's
    "nurse1": ("nurse", "Q-1", "pump-q"),
    "clin2": ("clinician", "P-1", "pump-1"),
    "pat1": ("patient", "P-2", "pump-2"),  # same clinic, another patient
    "patq": ("patient", "P-1", "pump-1"),  # another clinic's patient
    "admin1": ("admin", "P-1", "pump-1"),  # an admin reads no patient data
}


def _open_alert(api, patient_id: str) -> str:
    """An open alert of ``patient_id`` (a red flag in their diary)."""
    with api.services.uow as uow:
        standing = uow.alerts.for_patient(patient_id, active_only=True)
    if standing:
        return standing[0].alert_id
    command = log_diary_entry_command(patient_id=patient_id, recorded_at="2026-03-01T08:00+00:00", symptoms=["seizure"])
    return api.services.log_diary_entry(command).alerts[0].alert_id


def _job_of(api, patient_id: str) -> str:
    """A queued population job of the clinic of ``patient_id`` (stored as a server would keep it)."""
    job_id = f"job-of-{PATIENTS[patient_id]}"
    try:
        api.services.jobs.get(job_id)
    except LookupError:
        api.services.jobs.add(JobRecord(job_id, PATIENTS[patient_id], "clinician:x", "oral", {}, START, 10))
    return job_id


def _saved_plan(api, patient_id: str) -> str:
    """A saved plan of ``patient_id``."""
    with api.services.uow as uow:
        history = uow.plans.for_patient(patient_id)
    if history:
        return history[-1].plan_id
    command = SavePlan(patient_id, PlanTitration(date(2026, 3, 5)), "clinician:test", api.clock.now())
    return api.services.save_plan(command).plan_id


def _request(api, username, method, path, body, patient, pump, headers=None):
    fill = {"patient": patient, "pump": pump, "alert": _open_alert(api, patient) if "{alert}" in path else ""}
    fill["job"] = _job_of(api, patient) if "{job}" in path else ""
    fill["plan"] = _saved_plan(api, patient) if "{plan}" in path else ""
    fill["number"] = "1"
    url = path.format(**fill)
    if isinstance(body, dict):
        body = {k: (v.format(**fill) if isinstance(v, str) else v) for k, v in body.items()}
    headers = {**api.auth(username), **(headers or {})}
    return api.client.request(method, url, json=body, headers=headers)


def test_every_route_on_a_record_is_in_the_scope_table(memory_api) -> None:
    """A new route on a patient, pump or alert cannot skip the checks below: it must be classified here."""
    paths = memory_api.app.openapi()["paths"]
    on_records = {
        (method.upper(), re.sub(r"\{(\w+)_id\}", r"{\1}", path)) for path, item in paths.items() for method in item
    }
    on_records = {(method, path) for method, path in on_records if "{" in path}

    on_clinic = {(method, path.partition("?")[0]) for method, path, _, _ in CLINIC_ROUTES}
    on_catalogue = {(method, path) for method, path, _ in CATALOGUE_ROUTES}
    on_hooks = {(method, path) for method, path, _, _ in HOOK_ROUTES}
    assert on_records <= {(method, path) for method, path, _, _ in ROUTES} | on_clinic | on_catalogue | on_hooks
    assert not any("{clinic" in path for _, path in on_clinic)


@pytest.mark.parametrize("username", sorted(OUTSIDERS))
def test_a_route_on_the_callers_clinic_refuses_the_other_roles_and_audits_it(memory_api, username) -> None:
    role = OUTSIDERS[username][0]
    for method, path, body, roles in CLINIC_ROUTES:
        before = len(memory_api.services.audit.entries())
        url = path.format(name="pump.refill_margin_days", resource_type="Patient")
        r = memory_api.client.request(method, url, json=body, headers=memory_api.auth(username))
        assert r.status_code == (200 if role in roles else 403), (username, method, path, r.status_code, r.text)
        entries = memory_api.audit_since(before)
        assert [e.outcome.value for e in entries] == ["success" if role in roles else "denied"], (method, path)
        assert entries[0].target == f"clinic:{memory_api.services.users.by_username(username).clinic_id}"


@pytest.mark.parametrize("username", sorted(OUTSIDERS))
def test_a_session_route_ends_the_callers_own_token_for_every_role_and_is_not_audited(memory_api, username) -> None:
    on_auth = {(m.upper(), p) for p, item in memory_api.app.openapi()["paths"].items() for m in item if "/auth/" in p}
    assert on_auth == {*SESSION_ROUTES, ("POST", "/api/v1/auth/token")}
    for method, path in SESSION_ROUTES:
        count = len(memory_api.services.audit.entries())
        headers = memory_api.auth(username)
        r = memory_api.client.request(method, path, headers=headers)
        assert r.status_code == 204, (path, username, r.text)
        assert memory_api.client.get("/api/v1/me", headers=headers).status_code == 401
        assert memory_api.audit_since(count) == ()


@pytest.mark.parametrize("username", sorted(OUTSIDERS))
def test_the_rule_catalogue_is_read_by_staff_and_admins_only_and_is_not_audited(memory_api, username) -> None:
    role = OUTSIDERS[username][0]
    for method, path, roles in CATALOGUE_ROUTES:
        before = len(memory_api.services.audit.entries())
        url = path.format(rule="ORAL-MAX-001")
        r = memory_api.client.request(method, url, headers=memory_api.auth(username))
        assert r.status_code == (200 if role in roles else 403), (username, method, path, r.status_code, r.text)
        assert memory_api.audit_since(before) == ()


@pytest.mark.parametrize("username", sorted(OUTSIDERS))
def test_no_user_reaches_a_patient_out_of_their_scope_through_cds_hooks(memory_api, username) -> None:
    role, patient, _ = OUTSIDERS[username]
    for method, path, body, roles in HOOK_ROUTES:
        before = len(memory_api.services.audit.entries())
        sent = json.loads(json.dumps(body).replace("{patient}", patient))
        url = path.format(service="baclofen-patient-view")
        r = memory_api.client.request(method, url, json=sent, headers=memory_api.auth(username))
        assert r.status_code == (200 if role in roles else 403), (username, path, r.status_code, r.text)
        if role in roles and path.endswith("{service}"):
            assert r.json()["cards"] == [] and "no stored patient" in r.json()["extension"]["org.baclofen.notes"][0]
        entries = memory_api.audit_since(before)
        if path.endswith("{service}"):  # patient data: audited; feedback names no patient
            assert [(e.action, e.target, e.outcome.value) for e in entries] == [
                ("cds_hooks.patient_view", f"patient:{patient}", "denied")
            ]


@pytest.mark.parametrize("username", sorted(OUTSIDERS))
def test_no_user_reaches_a_record_out_of_their_scope_on_any_patient_route(memory_api, username) -> None:
    role, patient, pump = OUTSIDERS[username]
    for method, path, body, roles in ROUTES:
        before = len(memory_api.services.audit.entries())
        r = _request(memory_api, username, method, path, body, patient, pump, {"If-Match": "*"})
        expected = 404 if role in roles else 403
        assert r.status_code == expected, (username, method, path, r.status_code, r.text)
        entries = memory_api.audit_since(before)
        assert [e.outcome.value for e in entries] == ["denied"], (method, path, entries)
        assert entries[0].actor == f"{role}:{username}"


def test_the_scope_holds_on_every_store(api) -> None:
    own = api.client.get("/api/v1/patients/P-1", headers=api.auth("pat1"))
    other = api.client.get("/api/v1/patients/P-2", headers=api.auth("pat1"))
    missing = api.client.get("/api/v1/patients/P-404", headers=api.auth("pat1"))
    clinic = api.client.get("/api/v1/pumps/pump-q", headers=api.auth("clin1"))

    assert own.status_code == 200 and own.json()["patient_id"] == "P-1"
    assert other.status_code == missing.status_code == clinic.status_code == 404
    assert other.json()["detail"] == "no patient record 'P-2'"  # as if it did not exist
    outcomes = {(e.target, e.outcome.value) for e in api.services.audit.entries(actor="patient:pat1")}
    assert {("patient:P-1", "success"), ("patient:P-2", "denied"), ("patient:P-404", "failed")} <= outcomes


def test_a_patient_lists_only_their_own_record(api) -> None:
    r = api.client.get("/api/v1/patients", headers=api.auth("pat2"))

    assert [p["patient_id"] for p in r.json()["items"]] == ["P-2"]


def test_staff_list_their_clinics_patients_a_page_at_a_time(api) -> None:
    headers = api.auth("nurse1")

    first = api.client.get("/api/v1/patients", params={"limit": 1}, headers=headers).json()
    second = api.client.get("/api/v1/patients", params={"limit": 1, "after": first["next_after"]}, headers=headers)
    everything = api.client.get("/api/v1/patients", headers=headers).json()

    assert [p["patient_id"] for p in first["items"]] == ["P-1"] and first["next_after"] == "P-1"
    assert [p["patient_id"] for p in second.json()["items"]] == ["P-2"]
    assert [p["patient_id"] for p in everything["items"]] == ["P-1", "P-2"] and everything["next_after"] is None


def test_an_admin_reads_no_patient_data_and_the_refusal_is_audited(api) -> None:
    r = api.client.get("/api/v1/patients", headers=api.auth("admin1"))

    assert r.status_code == 403
    assert [e.outcome.value for e in api.services.audit.entries(actor="admin:admin1")][-1] == "denied"


def test_calculators_are_for_staff(memory_api) -> None:
    body = {"drug": "baclofen", "mg_per_day": 30}

    assert (
        memory_api.client.post("/api/v1/checks/dose", json=body, headers=memory_api.auth("nurse1")).status_code == 200
    )
    assert memory_api.client.post("/api/v1/checks/dose", json=body, headers=memory_api.auth("pat1")).status_code == 403
