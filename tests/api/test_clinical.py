"""Decision support over the API as the CLI gives it (issue 11 item 7): each route answers the document of the
CLI command's ``--json`` for the same input, names every invalid field (a timeline's by its path in the document),
is for staff (a patient: 403); and a stored patient's timeline and risks ("one record, one timeline"): the
document the record yields, whose risks are those of POST /risk on it, with no alert raised."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from baclofen.entrypoints.api.problems import PROBLEM_JSON
from baclofen.entrypoints.cli.app import build_app

ROOT = Path(__file__).resolve().parents[2]
TIMELINE_FILE = ROOT / "docs" / "examples" / "timeline.json"
TIMELINE = json.loads(TIMELINE_FILE.read_text())
MAS_ONE_PLUS = "cds.scales.mas_one_plus_points"


def _cli_json(*args: str) -> dict:
    result = CliRunner().invoke(build_app(), [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _fields(response) -> list[str]:
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM_JSON, response.text
    return [e["field"] for e in response.json()["errors"]]


#: (method, path, body, query, the CLI's arguments for the same input)
SAME_AS_CLI = [
    (
        "POST",
        "/api/v1/alternatives",
        {
            "not_tolerated": True,
            "drugs": "tizanidine",
            "conditions": ["epilepsy"],
            "age_years": 70,
            "locale": "uk",
            "switch_to": "tizanidine",
            "from_mg_per_day": 30,
            "start_date": "2026-03-02",
            "settings": {"cds.dantrolene.no_benefit_stop_days": 50},
        },
        None,
        (
            "alternatives",
            "--not-tolerated",
            "--drugs",
            "tizanidine",
            "--condition",
            "epilepsy",
            "--age",
            "70",
            "--locale",
            "uk",
            "--switch-to",
            "tizanidine",
            "--from-mg-per-day",
            "30",
            "--start-date",
            "2026-03-02",
            "--setting",
            "cds.dantrolene.no_benefit_stop_days=50",
        ),
    ),
    (
        "POST",
        "/api/v1/risk",
        TIMELINE,
        {"setting": "cds.risk.lookback_days=14"},
        ("risk", str(TIMELINE_FILE), "--setting", "cds.risk.lookback_days=14"),
    ),
    (
        "POST",
        "/api/v1/checks/interactions",
        {"drugs": ["baclofen", "Zanaflex"], "other_drugs_in_pump": ["morphine"]},
        None,
        ("check", "interactions", "--drugs", "baclofen,Zanaflex", "--other-drug-in-pump", "morphine"),
    ),
    (
        "POST",
        "/api/v1/checks/contraindications",
        {"drug": "baclofen", "conditions": ["epilepsy", "pregnancy"], "age_years": 70, "sex": "female"},
        None,
        (
            "check",
            "contraindications",
            "--drug",
            "baclofen",
            "--condition",
            "epilepsy",
            "--condition",
            "pregnancy",
            "--age",
            "70",
            "--sex",
            "female",
        ),
    ),
    (
        "POST",
        "/api/v1/scales/evaluate",
        {"scale": "mas", "baseline": "2,3", "current": "1,1+", "context": "itb-screening"},
        None,
        ("scale", "evaluate", "--scale", "mas", "--baseline", "2,3", "--current", "1,1+", "--context", "itb-screening"),
    ),
    ("GET", "/api/v1/rules", None, {"area": "pump"}, ("rules", "list", "--area", "pump")),
    ("GET", "/api/v1/rules", None, None, ("rules", "list")),
    ("GET", "/api/v1/rules/oral-max-001", None, None, ("rules", "show", "oral-max-001")),
]


@pytest.mark.parametrize(("method", "path", "body", "query", "cli"), SAME_AS_CLI, ids=lambda v: str(v)[:40])
def test_each_route_answers_the_json_of_the_cli_command(memory_api, method, path, body, query, cli) -> None:
    r = memory_api.client.request(method, path, json=body, params=query, headers=memory_api.auth("nurse1"))

    assert r.status_code == 200, r.text
    assert r.json() == _cli_json(*cli)


@pytest.mark.parametrize(("method", "path", "body", "query", "cli"), SAME_AS_CLI, ids=lambda v: str(v)[:40])
def test_decision_support_is_for_professionals(memory_api, method, path, body, query, cli) -> None:
    r = memory_api.client.request(method, path, json=body, params=query, headers=memory_api.auth("pat1"))

    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM_JSON


def test_an_admin_reads_the_rule_catalogue_but_no_calculator(memory_api) -> None:
    headers = memory_api.auth("admin1")

    assert memory_api.client.get("/api/v1/rules/ORAL-MAX-001", headers=headers).status_code == 200
    assert memory_api.client.post("/api/v1/risk", json=TIMELINE, headers=headers).status_code == 403


def test_every_invalid_field_is_named_as_sent(memory_api) -> None:
    headers = memory_api.auth("clin1")
    post = memory_api.client.post

    alternatives = post(
        "/api/v1/alternatives",
        json={"sex": "x", "locale": "zz", "start_date": "2026-13-01", "overrides": ["no-reason"]},
        headers=headers,
    )
    outcome = post("/api/v1/alternatives", json={"failed": True, "current": True, "sex": "x"}, headers=headers)
    interactions = post("/api/v1/checks/interactions", json={"drugs": []}, headers=headers)
    contraindications = post("/api/v1/checks/contraindications", json={"drug": "baclofen", "sex": "x"}, headers=headers)
    scale = post("/api/v1/scales/evaluate", json={"scale": "mas", "baseline": "5", "current": "x"}, headers=headers)
    no_scale = post("/api/v1/scales/evaluate", json={"scale": "zz", "baseline": 1, "current": 1}, headers=headers)
    shape = post("/api/v1/scales/evaluate", json={"scale": "mas", "current": [1]}, headers=headers)
    area = memory_api.client.get("/api/v1/rules", params={"area": "zz"}, headers=headers)

    assert sorted(_fields(alternatives)) == ["locale", "overrides", "sex", "start_date"]
    assert _fields(outcome) == ["failed", "current", "sex"]
    assert _fields(interactions) == ["drugs"]
    assert _fields(contraindications) == ["sex"]
    assert _fields(scale) == ["baseline", "current"]
    assert _fields(no_scale) == ["scale"]
    assert {f.partition(".")[0] for f in _fields(shape)} == {"baseline", "current"}  # missing; not a number or text
    assert _fields(area) == ["area"] and area.json()["errors"][0]["in"] == "query"


def test_a_timeline_that_is_no_document_is_named(memory_api) -> None:
    headers = memory_api.auth("clin1")

    not_an_object = memory_api.client.post("/api/v1/risk", json=[1], headers=headers)
    empty = memory_api.client.post("/api/v1/risk", json={}, headers=headers)
    unknown = memory_api.client.post("/api/v1/risk", json={**TIMELINE, "pumps": {}}, headers=headers)

    assert _fields(not_an_object) == ["body"]
    assert _fields(empty) == ["as_of"]
    assert _fields(unknown) == ["pumps"]  # a misspelt field is refused, not ignored


def test_a_timeline_with_one_bad_refill_names_its_path(memory_api) -> None:
    bad = copy.deepcopy(TIMELINE)
    bad["pump"]["refills"][1]["aspirated_ml"] = -1

    r = memory_api.client.post("/api/v1/risk", json=bad, headers=memory_api.auth("clin1"))

    assert _fields(r) == ["pump.refills[1].aspirated_ml"] and r.json()["errors"][0]["in"] == "body"


def test_an_unknown_setting_of_the_risk_engine_is_named_in_the_query(memory_api) -> None:
    r = memory_api.client.post(
        "/api/v1/risk", json=TIMELINE, params={"setting": "nope=1"}, headers=memory_api.auth("clin1")
    )

    assert _fields(r) == ["setting"] and r.json()["errors"][0]["in"] == "query"


def test_an_unknown_rule_is_not_found(memory_api) -> None:
    r = memory_api.client.get("/api/v1/rules/ORAL-MAX-00", headers=memory_api.auth("clin1"))

    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM_JSON
    assert "ORAL-MAX-001" in r.json()["detail"]  # the closest ids


def _set_clinic_setting(api, name: str, value: float) -> None:
    r = api.client.put(
        f"/api/v1/clinic/settings/{name}", json={"value": value, "reason": "local protocol"}, headers=api.auth("admin1")
    )
    assert r.status_code == 200, r.text


def test_the_risk_engine_uses_the_clinics_settings_under_the_requests_own(memory_api) -> None:
    _set_clinic_setting(memory_api, "cds.risk.lookback_days", 14)
    headers = memory_api.auth("clin1")

    clinic = memory_api.client.post("/api/v1/risk", json=TIMELINE, headers=headers).json()
    mine = memory_api.client.post(
        "/api/v1/risk", json=TIMELINE, params={"setting": "cds.risk.lookback_days=10"}, headers=headers
    ).json()

    used = {s["name"]: s for s in clinic["settings"]}["cds.risk.lookback_days"]
    given = {s["name"]: s for s in mine["settings"]}["cds.risk.lookback_days"]
    assert used["value"] == 14 and used.get("source") == "clinic"
    assert given["value"] == 10 and given.get("source") != "clinic"


# --- a stored patient's timeline and risks ---------------------------------------------------------------------


def _with_history(api) -> None:
    """P-1: a refill of pump-1 and a diary entry with a red flag (stored through the API)."""
    headers = api.auth("clin1")
    visit = {"concentration_mcg_per_ml": 500, "refilled": "2026-02-02", "daily_dose_mcg": 300, "as_of": "2026-02-02"}
    assert api.client.post("/api/v1/pumps/pump-1/visits", json=visit, headers=headers).status_code == 201
    diary = {"recorded_at": "2026-03-01T20:00+00:00", "symptoms": ["itching"], "doses_missed": 1}
    assert api.client.post("/api/v1/patients/P-1/diary", json=diary, headers=headers).status_code == 201


def test_a_stored_patients_risks_are_those_of_their_timeline_document(api) -> None:
    _with_history(api)
    _set_clinic_setting(api, "cds.risk.lookback_days", 14)
    headers = api.auth("nurse1")
    as_of = {"as_of": "2026-03-02T09:00+00:00"}
    alerts_before = api.client.get("/api/v1/patients/P-1/alerts", headers=headers).json()

    timeline = api.client.get("/api/v1/patients/P-1/timeline", params=as_of, headers=headers)
    stored = api.client.get("/api/v1/patients/P-1/risk", params=as_of, headers=headers)
    posted = api.client.post("/api/v1/risk", json=timeline.json()["timeline"], headers=headers)

    assert timeline.status_code == stored.status_code == posted.status_code == 200, (timeline.text, stored.text)
    document = timeline.json()
    assert document["timeline"]["schema"] == "baclofen-timeline/1" and document["pump_id"] == "pump-1"
    assert document["timeline"]["pump"]["refills"] and document["timeline"]["diary"]
    assert document["omitted"] == stored.json()["omitted"]
    assert stored.json()["assessment"] == posted.json()
    assert stored.json()["assessment"]["risks"]
    # the clinic's settings, as the alerts use them; and reading the risks raised no alert
    assert {s["name"]: s for s in posted.json()["settings"]}["cds.risk.lookback_days"]["source"] == "clinic"
    assert api.client.get("/api/v1/patients/P-1/alerts", headers=headers).json() == alerts_before


def test_the_timeline_defaults_to_the_clinics_now_and_a_patient_reads_their_own(memory_api) -> None:
    own = memory_api.client.get("/api/v1/patients/P-1/timeline", headers=memory_api.auth("pat1"))
    risk = memory_api.client.get("/api/v1/patients/P-1/risk", headers=memory_api.auth("pat1"))

    assert own.status_code == 200 and own.json()["timeline"]["as_of"] == "2026-03-02T09:00:00+00:00"
    assert risk.status_code == 200 and risk.json()["assessment"]["as_of"] == "2026-03-02T09:00:00+00:00"


def test_a_stored_view_names_an_invalid_as_of_and_is_audited(memory_api) -> None:
    before = len(memory_api.services.audit.entries())

    no_offset = memory_api.client.get(
        "/api/v1/patients/P-1/timeline", params={"as_of": "2026-03-02T09:00"}, headers=memory_api.auth("clin1")
    )
    bad_setting = memory_api.client.get(
        "/api/v1/patients/P-1/risk", params={"setting": "nope=1"}, headers=memory_api.auth("clin1")
    )
    read = memory_api.client.get("/api/v1/patients/P-1/risk", headers=memory_api.auth("clin1"))

    assert _fields(no_offset) == ["as_of"] and no_offset.json()["errors"][0]["in"] == "query"
    assert _fields(bad_setting) == ["setting"]
    assert read.status_code == 200
    entries = [(e.action, e.target, e.outcome.value) for e in memory_api.audit_since(before)]
    assert entries == [
        ("patient.timeline", "patient:P-1", "failed"),
        ("patient.risk", "patient:P-1", "failed"),
        ("patient.risk", "patient:P-1", "success"),
    ]


@pytest.mark.parametrize(
    ("path", "body", "name", "value"),
    [
        ("/api/v1/alternatives", {"failed": True}, "cds.dantrolene.no_benefit_stop_days", 50),
        ("/api/v1/scales/evaluate", {"scale": "mas", "baseline": "1+,2", "current": "1,1"}, MAS_ONE_PLUS, 1.25),
    ],
)
def test_alternatives_and_scales_use_the_clinics_settings_as_the_cli_its_setting(
    memory_api, path, body, name, value
) -> None:
    headers = memory_api.auth("clin1")
    _set_clinic_setting(memory_api, name, value)

    clinic = memory_api.client.post(path, json=body, headers=headers).json()
    given = memory_api.client.post(path, json={**body, "settings": {name: value}}, headers=headers).json()

    used = {s["name"]: s for s in clinic["settings"]}[name]
    assert used["value"] == value and used.get("source") == "clinic"
    assert {s["name"]: s for s in given["settings"]}[name].get("source") != "clinic"
    without_source = [{k: v for k, v in s.items() if k != "source"} for s in clinic["settings"]]
    assert {**clinic, "settings": without_source} == given  # the same answer as with the request's own value
