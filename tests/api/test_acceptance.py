"""The acceptance flow of issue 11 in one test, on SQLite and on PostgreSQL, from an EMPTY database: the operator
migrates it (``baclofen db upgrade``) and creates the first admin and the clinic (``baclofen user create --role
admin``, in-process through the real CLI); then everything goes through the API only: the admin creates the staff,
the clinician the patient records and a pump, the admin the patients' accounts, the nurse records refill visits
(one with a discrepancy), the worklist shows the overdue refill with its reasoning and sources, the patient logs a
diary entry with a red flag, the clinician sees the alert on the worklist and acknowledges it with a reason, and the
audit log read back from the database has every access in order (who, what, outcome). Around it: 401 without
credentials on every route but login and health, a patient never reads another patient (404), and an invalid input
is 422 naming the field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from baclofen.adapters.sql import SqlAuditLog, create_database_engine
from baclofen.bootstrap import bootstrap
from baclofen.entrypoints.api import ApiSettings, create_app
from baclofen.entrypoints.api.problems import PROBLEM_JSON
from tests.api.conftest import MAX_POPULATION, PASSWORD, SECRET, START, SettableClock, cheap_hasher
from tests.databases import empty_database_url

#: The routes open without credentials: login, health and CDS Hooks discovery (no data; and the API's own description).
OPEN = {("POST", "/api/v1/auth/token"), ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/cds-services")}
RED_FLAG = {
    "recorded_at": "2026-03-02T08:30+00:00",
    "symptoms": ["fever", "more spasms or stiffness", "confusion"],
    "stiffness_nrs": 8,
    "note": "much stiffer since yesterday",
}
VISITS = (
    {"concentration_mcg_per_ml": 500, "refilled": "2026-01-05T09:00+00:00", "daily_dose_mcg": 300},
    {
        "concentration_mcg_per_ml": 500,
        "refilled": "2026-02-02T09:00+00:00",
        "daily_dose_mcg": 300,
        "expected_ml": 11.6,
        "aspirated_ml": 6.0,  # 48 % less than expected: a discrepancy
    },
)


class Client:
    """The API as its users reach it: log in, then call with the bearer token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    def login(self, username: str) -> None:
        r = self.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        self.tokens[username] = r.json()["access_token"]

    def call(self, username: str, method: str, path: str, status: int, **kw):
        r = self.client.request(method, path, headers={"Authorization": f"Bearer {self.tokens[username]}"}, **kw)
        assert r.status_code == status, (method, path, r.status_code, r.text)
        return r.json()


def _operator_creates_the_admin(run_cli, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_cli("db", "upgrade", "--database-url", url).exit_code == 0
    monkeypatch.setenv("BACLOFEN_USER_PASSWORD", PASSWORD)
    made = run_cli(
        "user", "create", "--role", "admin", "--clinic", "C-9", "--clinic-name", "Spasticity clinic",
        "--username", "boss", "--database-url", url, "--json",
    )  # fmt: skip
    assert made.exit_code == 0, made.stderr
    assert (made.json()["role"], made.json()["clinic_created"]) == ("admin", True)


def _every_route_but_login_and_health_is_401(app, client: TestClient) -> None:
    """Each method of each route of the application (its included routers' too), without credentials."""
    description = {app.openapi_url, app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url}
    checked = 0
    for route in iter_route_contexts(app.routes):
        for method in sorted(route.methods - {"HEAD"}):
            if (method, route.path) in OPEN or route.path in description:
                continue  # login, health and the API's own description (no data)
            r = client.request(method, re.sub(r"\{[^}]+\}", "P-A", route.path), json={})
            assert r.status_code == 401, (method, route.path, r.status_code, r.text)
            assert r.headers["content-type"] == PROBLEM_JSON
            checked += 1
    assert checked > 60
    for method, path in OPEN - {("POST", "/api/v1/auth/token")}:
        assert client.request(method, path).status_code == 200


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_clinic_flow_through_the_api_from_an_empty_database(kind, tmp_path: Path, run_cli, monkeypatch) -> None:
    with empty_database_url(kind, tmp_path) as url:
        _operator_creates_the_admin(run_cli, url, monkeypatch)
        clock = SettableClock(START)
        services = bootstrap(database_url=url, clock=clock, passwords=cheap_hasher())
        app = create_app(
            services, ApiSettings(secret_key=SECRET, dask_workers=1, max_population_per_job=MAX_POPULATION)
        )
        api = Client(TestClient(app, raise_server_exceptions=False))
        _every_route_but_login_and_health_is_401(app, api.client)

        # The admin creates the staff; the clinician the patient records and a pump; the admin the patients' logins.
        api.login("boss")
        for username, role in (("dr.ames", "clinician"), ("nurse.bo", "nurse")):
            user = {"username": username, "role": role, "password": PASSWORD}
            assert api.call("boss", "POST", "/api/v1/users", 201, json=user)["clinic_id"] == "C-9"
            api.login(username)
        for patient_id in ("P-A", "P-B"):
            record = {"patient_id": patient_id, "age_years": 47, "weight_kg": 70, "origin": "spinal"}
            api.call("dr.ames", "POST", "/api/v1/patients", 201, json=record)
        pump = {"pump_id": "pump-A", "pump": "synchromed-ii-20", "patient_id": "P-A", "implanted": "2025-01-01"}
        api.call("dr.ames", "POST", "/api/v1/pumps", 201, json=pump)
        for username, patient_id in (("pat.a", "P-A"), ("pat.b", "P-B")):
            user = {"username": username, "role": "patient", "password": PASSWORD, "patient_id": patient_id}
            api.call("boss", "POST", "/api/v1/users", 201, json=user)
            api.login(username)

        # The nurse records the refill visits; an invalid one is 422 naming the field, and nothing is stored.
        bad = api.call(
            "nurse.bo", "POST", "/api/v1/pumps/pump-A/visits", 422, json={**VISITS[0], "refilled": "last week"}
        )
        assert [e["field"] for e in bad["errors"]] == ["refilled"]
        visits = [api.call("nurse.bo", "POST", "/api/v1/pumps/pump-A/visits", 201, json=v) for v in VISITS]
        assert visits[1]["reconciliation"]["flagged"] is True and visits[1]["reconciliation"]["direction"] == "less"

        # The worklist shows what is due: the refill is overdue, with its reasoning and sources.
        worklist = api.call("nurse.bo", "GET", "/api/v1/worklist", 200)["items"]
        refill = next(i for i in worklist if i["kind"] == "refill")
        assert (refill["patient_id"], refill["pump_id"], refill["urgency"]) == ("P-A", "pump-A", "overdue")
        assert refill["due"] == "2026-02-25" and refill["reasoning"] and refill["sources"]
        assert worklist[0] == refill  # the most urgent first

        # The patient logs a red flag; patient A never reads patient B (404, as if it did not exist).
        logged = api.call("pat.a", "POST", "/api/v1/patients/P-A/diary", 201, json=RED_FLAG)
        alert_ids = {a["alert_id"] for a in logged["alerts"]}
        assert alert_ids and {"DIARY-MENTAL-001", "DIARY-WITHDRAWAL-001"} <= {a["rule_id"] for a in logged["alerts"]}
        assert api.call("pat.a", "GET", "/api/v1/patients/P-B", 404)["status"] == 404
        assert api.call("pat.a", "GET", "/api/v1/patients/P-B/diary", 404)["status"] == 404

        # The clinician sees the alert on the worklist and acknowledges it with a reason.
        clock.advance(minutes=10)  # within the tokens' 15 minutes
        seen = api.call("dr.ames", "GET", "/api/v1/worklist", 200)["items"]
        on_list = sorted(i["alert_id"] for i in seen if i.get("alert_id"))
        assert set(on_list) == alert_ids
        reason = {"reason": "phoned the patient: pump check today"}
        acknowledged = api.call("dr.ames", "POST", f"/api/v1/alerts/{on_list[0]}/acknowledge", 200, json=reason)
        assert acknowledged["state"] == "acknowledged"
        assert acknowledged["transitions"][-1] == {
            "state": "acknowledged",
            "by": "clinician:dr.ames",
            "at": clock.now().isoformat(),
            "reason": reason["reason"],
        }

        # The audit log, read back from the database: every access to patient data in order.
        engine = create_database_engine(url)
        try:
            entries = SqlAuditLog(engine).entries()
        finally:
            engine.dispose()
        audit = [(e.actor, e.action, e.target, e.outcome.value) for e in entries]
        assert [e.at for e in entries] == sorted(e.at for e in entries) and entries[-1].at == clock.now()
        assert audit == [
            ("clinician:dr.ames", "patient.create", "patient:P-A", "success"),
            ("clinician:dr.ames", "patient.create", "patient:P-B", "success"),
            ("clinician:dr.ames", "pump.register", "pump:pump-A", "success"),
            ("nurse:nurse.bo", "pump.add_visit", "pump:pump-A", "failed"),
            ("nurse:nurse.bo", "pump.add_visit", "pump:pump-A", "success"),
            ("nurse:nurse.bo", "pump.add_visit", "pump:pump-A", "success"),
            ("nurse:nurse.bo", "worklist.read", "clinic:C-9", "success"),
            ("patient:pat.a", "diary.create", "patient:P-A", "success"),
            ("patient:pat.a", "patient.read", "patient:P-B", "denied"),
            ("patient:pat.a", "diary.read", "patient:P-B", "denied"),
            ("clinician:dr.ames", "worklist.read", "clinic:C-9", "success"),
            ("clinician:dr.ames", "alert.acknowledge", f"alert:{on_list[0]}", "success"),
        ]
