"""Every stateless capability of the CLI through the API (issue 11 item 7): the simulations of the typical
subject, the intrathecal calculators and the pump calculators answer the same document as the CLI command's
``--json`` for the same input (the same edge and use case, hence the same dose and rate limits), name each invalid
field of the body in a 422, refuse a patient (403), and nothing they compute is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from baclofen.domain.itb.reservoir import REFILL_MARGIN_DAYS

FORECAST_PUMP = "synchromed-ii-20"

#: route -> (API body, the CLI's arguments for the same input)
SAME_AS_CLI: dict[str, tuple[dict, list[str]]] = {
    "/api/v1/simulations/oral": (
        {
            "dose_mg": 10,
            "interval_h": 8,
            "doses": 3,
            "crcl_ml_min": 40,
            "settings": {"pk.renal.nonrenal_fraction": 0.3},
        },
        ["simulate", "oral", "--dose-mg", "10", "--interval-h", "8", "--doses", "3", "--crcl-ml-min", "40"]
        + ["--setting", "pk.renal.nonrenal_fraction=0.3"],
    ),
    "/api/v1/simulations/intrathecal": (
        {"daily_dose_mcg": 300, "bolus_mcg": 50, "hours": 12, "from_empty": True},
        ["simulate", "intrathecal", "--daily-dose-mcg", "300", "--bolus-mcg", "50", "--hours", "12", "--from-empty"],
    ),
    "/api/v1/itb/screening": (
        {"responses": "no,yes", "effect_duration_hours": 6, "ashworth_before": "3", "ashworth_after": "1+"},
        ["itb", "screen", "--responses", "no,yes", "--effect-hours", "6", "--ashworth-before", "3"]
        + ["--ashworth-after", "1+"],
    ),
    "/api/v1/itb/initial-dose": (
        {"screening_dose_mcg": 75, "response_hours": 6},
        ["itb", "initial-dose", "--screening-dose-mcg", "75", "--response-hours", "6"],
    ),
    "/api/v1/itb/titration-range": (
        {"current_mcg_per_day": 1100, "proposed_mcg_per_day": 1300, "origin": "cerebral"},
        ["itb", "titrate", "--current-mcg-per-day", "1100", "--proposed-mcg-per-day", "1300", "--origin", "cerebral"],
    ),
    "/api/v1/itb/transition": (
        {
            "oral_mg_per_day": 60,
            "itb_initial_mcg_per_day": 100,
            "infusion_start": "2026-03-05",
            "other_oral_antispastics": ["tizanidine"],
        },
        ["itb", "transition", "--oral-mg-per-day", "60", "--itb-initial-mcg-per-day", "100"]
        + ["--infusion-start", "2026-03-05", "--other-antispastic", "tizanidine"],
    ),
    "/api/v1/pumps/program": (
        {"pump": FORECAST_PUMP, "concentration_mcg_per_ml": 500, "flex": "06:00=20,22:00=10"},
        [
            "pump",
            "program",
            "--pump",
            FORECAST_PUMP,
            "--concentration-mcg-per-ml",
            "500",
            "--flex",
            "06:00=20,22:00=10",
        ],
    ),
    "/api/v1/pumps/reconcile": (
        {"expected_ml": 4.9, "aspirated_ml": 3.1, "previous": "4.9:4.5,5.0:4.4", "pump": FORECAST_PUMP},
        ["pump", "reconcile", "--expected-ml", "4.9", "--aspirated-ml", "3.1", "--previous", "4.9:4.5,5.0:4.4"]
        + ["--pump", FORECAST_PUMP],
    ),
    "/api/v1/pumps/concentration-change": (
        {
            "pump": FORECAST_PUMP,
            "daily_dose_mcg": 200,
            "old_mcg_per_ml": 500,
            "new_mcg_per_ml": 1000,
            "catheter_volume_ml": 0.2,
        },
        ["pump", "concentration-change", "--pump", FORECAST_PUMP, "--daily-dose-mcg", "200", "--old-mcg-per-ml"]
        + ["500", "--new-mcg-per-ml", "1000", "--catheter-volume-ml", "0.2"],
    ),
    "/api/v1/pumps/refill-check": (
        {
            "pump": FORECAST_PUMP,
            "concentration_mcg_per_ml": 500,
            "daily_dose_mcg": 200,
            "refilled": "2026-03-02",
            "expected_ml": 4.9,
            "aspirated_ml": 3.0,
            "previous": "5:4.9",
            "previous_fill_ml": 20,
            "previous_filled": "2026-01-05",
            "implanted": "2024-01-01",
            "as_of": "2026-03-02",
            "settings": {"pump.synchromed_ii.flow_accuracy_percent": 5},
        },
        ["pump", "refill", "--pump", FORECAST_PUMP, "--concentration-mcg-per-ml", "500", "--daily-dose-mcg", "200"]
        + ["--refilled", "2026-03-02", "--expected-ml", "4.9", "--aspirated-ml", "3.0", "--previous", "5:4.9"]
        + ["--previous-fill-ml", "20", "--previous-filled", "2026-01-05", "--implanted", "2024-01-01"]
        + ["--as-of", "2026-03-02", "--setting", "pump.synchromed_ii.flow_accuracy_percent=5"],
    ),
}


def _cli_json(run_cli, args: list[str]) -> dict:
    result = run_cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    data: dict = json.loads(result.stdout)
    return data


@pytest.mark.parametrize("route", sorted(SAME_AS_CLI))
def test_each_calculator_answers_the_clis_json_for_the_same_input(memory_api, run_cli, route: str) -> None:
    body, args = SAME_AS_CLI[route]

    r = memory_api.client.post(route, json=body, headers=memory_api.auth("clin1"))

    assert r.status_code == 200, r.text
    assert r.json() == _cli_json(run_cli, args)


def test_a_plans_regimen_and_the_pump_catalogue_answer_as_the_cli_does(memory_api, run_cli, tmp_path: Path) -> None:
    headers = memory_api.auth("nurse1")
    plan = memory_api.client.post(
        "/api/v1/plans/taper", json={"start_date": "2026-03-02", "from_mg_per_day": 30}, headers=headers
    )
    path = tmp_path / "plan.json"
    path.write_text(plan.text)

    regimen = memory_api.client.post(
        "/api/v1/simulations/regimen", json={"plan": plan.json(), "washout_h": 12, "crcl_ml_min": 50}, headers=headers
    )
    catalogue = memory_api.client.get("/api/v1/pump-models", headers=headers)

    assert regimen.status_code == 200, regimen.text
    cli = ["simulate", "regimen", str(path), "--washout-h", "12", "--crcl-ml-min", "50"]
    assert regimen.json() == _cli_json(run_cli, cli)
    assert catalogue.status_code == 200 and catalogue.json() == _cli_json(run_cli, ["pump", "list"])


def test_the_dose_limits_apply_as_in_the_cli(memory_api) -> None:
    headers = memory_api.auth("clin1")
    high = {"current_mcg_per_day": 900, "proposed_mcg_per_day": 1200}

    unconfirmed = memory_api.client.post("/api/v1/itb/titration-range", json=high, headers=headers)
    confirmed = memory_api.client.post(
        "/api/v1/itb/titration-range", json={**high, "confirm_high_dose": True}, headers=headers
    )
    program = memory_api.client.post(
        "/api/v1/pumps/program",
        json={"pump": FORECAST_PUMP, "concentration_mcg_per_ml": 500, "daily_dose_mcg": 20_000},
        headers=headers,
    )
    oral = memory_api.client.post("/api/v1/simulations/oral", json={"dose_mg": 20_000}, headers=headers)

    blocks = {f["rule_id"] for f in unconfirmed.json()["findings"] if f["severity"] == "block"}
    # above 1000 mcg/day without the explicit confirmation: a block (ITB-DOSE-001), confirmed: none
    assert "ITB-DOSE-001" in blocks
    assert "ITB-DOSE-001" not in {f["rule_id"] for f in confirmed.json()["findings"] if f["severity"] == "block"}
    assert program.status_code == 422 and _fields(program) == ["daily_dose_mcg"]
    assert oral.status_code == 422 and _fields(oral) == ["dose_mg"]


def _fields(response) -> list[str]:
    assert response.status_code == 422, response.text
    return sorted(e["field"] for e in response.json()["errors"])


#: route -> (a body with invalid fields, the fields named)
INVALID: dict[str, tuple[dict, list[str]]] = {
    "/api/v1/simulations/oral": (
        {"dose_mg": 10, "hd_sessions": ["x"], "model": "nope", "population": 500},
        ["hd_sessions", "model", "population"],
    ),
    "/api/v1/simulations/intrathecal": (
        {"daily_dose_mcg": 100, "settings": {"pk.itb.csf_clearance_ml_per_h": -1}},
        ["settings.pk.itb.csf_clearance_ml_per_h"],
    ),
    "/api/v1/simulations/regimen": (
        {"plan": {"schema_version": "baclofen-plan/1"}, "population": 10, "model": "x"},
        ["model", "plan.kind", "population"],
    ),
    "/api/v1/itb/screening": ({"responses": "maybe", "settings": ["x"]}, ["settings"]),  # the shape first
    "/api/v1/itb/screening?": ({"responses": "maybe", "ashworth_before": 2}, ["responses"]),
    "/api/v1/itb/initial-dose": ({"screening_dose_mcg": "75", "response_hours": 6}, ["screening_dose_mcg"]),
    "/api/v1/itb/titration-range": ({"current_mcg_per_day": 100, "origin": "elbow"}, ["origin"]),
    "/api/v1/itb/transition": (
        {"oral_mg_per_day": 60, "itb_initial_mcg_per_day": 100, "infusion_start": "2026-13-01", "overrides": ["x"]},
        ["infusion_start", "overrides"],
    ),
    "/api/v1/pumps/program": (
        {"pump": "acme", "concentration_mcg_per_ml": 500, "flex": "nonsense"},
        ["flex", "pump"],
    ),
    "/api/v1/pumps/reconcile": ({"expected_ml": 4.9, "aspirated_ml": 3.1, "previous": "a:b"}, ["previous"]),
    "/api/v1/pumps/concentration-change": (
        {"pump": FORECAST_PUMP, "daily_dose_mcg": 200, "old_mcg_per_ml": 500, "new_mcg_per_ml": 1000}
        | {"change_time": "25:99", "flex": "x"},
        ["change_time", "flex"],
    ),
    "/api/v1/pumps/refill-check": (
        {"pump": FORECAST_PUMP, "concentration_mcg_per_ml": 500, "refilled": "soon", "previous_fill_ml": 20},
        ["previous_fill_ml", "previous_filled", "refilled"],  # and without this visit's residuals
    ),
}


@pytest.mark.parametrize("route", sorted(INVALID))
def test_each_invalid_field_of_a_calculator_is_named(memory_api, route: str) -> None:
    body, expected = INVALID[route]

    r = memory_api.client.post(route.rstrip("?"), json=body, headers=memory_api.auth("clin1"))

    assert _fields(r) == expected


def test_a_population_is_refused_with_the_route_that_runs_it(memory_api) -> None:
    r = memory_api.client.post(
        "/api/v1/simulations/oral", json={"dose_mg": 10, "population": 100}, headers=memory_api.auth("clin1")
    )

    assert _fields(r) == ["population"] and "/api/v1/simulations/population" in r.json()["errors"][0]["detail"]


@pytest.mark.parametrize("route", [*sorted(SAME_AS_CLI), "/api/v1/simulations/regimen", "/api/v1/pump-models"])
@pytest.mark.parametrize("username", ["pat1", "admin1"])
def test_a_patient_or_an_admin_may_not_use_the_calculators(memory_api, route: str, username: str) -> None:
    headers = memory_api.auth(username)
    body = SAME_AS_CLI.get(route, ({"plan": {}},))[0]

    r = (
        memory_api.client.get(route, headers=headers)
        if route.endswith("models")
        else memory_api.client.post(route, json=body, headers=headers)
    )

    assert r.status_code == 403
    assert memory_api.client.post(route, json=body).status_code in (401, 405)


def test_a_refill_check_uses_the_clinics_settings_and_stores_nothing(api) -> None:
    admin, nurse = api.auth("admin1"), api.auth("nurse1")
    name = REFILL_MARGIN_DAYS.name
    api.client.put(f"/api/v1/clinic/settings/{name}", json={"value": 12, "reason": "pharmacy"}, headers=admin)
    body = {"pump": FORECAST_PUMP, "concentration_mcg_per_ml": 500, "daily_dose_mcg": 200}
    before = api.client.get("/api/v1/pumps/pump-1", headers=nurse).json()

    clinic = api.client.post("/api/v1/pumps/refill-check", json=body, headers=nurse)
    own = api.client.post("/api/v1/pumps/refill-check", json={**body, "margin_days": 5}, headers=nurse)
    other = api.client.post("/api/v1/pumps/refill-check", json=body, headers=api.auth("clin2"))

    used = {s["name"]: s for s in clinic.json()["settings"]}
    assert clinic.status_code == 200, clinic.text
    assert used[name]["value"] == 12 and used[name]["source"] == "clinic"
    assert clinic.json()["refill"]["steps"] and clinic.json()["forecast"]["fill"]["filled_at"].startswith(
        "2026-03-02"
    )  # the clinic's today
    assert {s["name"]: s for s in own.json()["settings"]}[name]["value"] == 5
    assert {s["name"]: s for s in other.json()["settings"]}[name]["value"] == REFILL_MARGIN_DAYS.default
    assert api.client.get("/api/v1/pumps/pump-1", headers=nurse).json() == before


def test_a_dose_check_uses_the_clinics_settings(api) -> None:
    admin, clinician = api.auth("admin1"), api.auth("clin1")
    name = "oral.max_daily_dose_mg.us"
    changed = api.client.put(
        f"/api/v1/clinic/settings/{name}", json={"value": 60, "reason": "local formulary"}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    body = {"drug": "baclofen", "mg_per_day": 70, "locale": "us"}

    clinic = api.client.post("/api/v1/checks/dose", json=body, headers=clinician)
    own = api.client.post("/api/v1/checks/dose", json={**body, "settings": {name: 80}}, headers=clinician)
    other = api.client.post("/api/v1/checks/dose", json=body, headers=api.auth("clin2"))

    assert clinic.status_code == 200, clinic.text
    used = {s["name"]: s for s in clinic.json()["settings"]}
    assert used[name]["value"] == 60 and used[name]["source"] == "clinic"
    assert clinic.json()["within_limits"] is False  # 70 mg/day is above the clinic's 60
    assert own.json()["within_limits"] is True and "source" not in {s["name"]: s for s in own.json()["settings"]}[name]
    assert other.json()["within_limits"] is True
    assert {s["name"]: s for s in other.json()["settings"]}[name]["value"] == 80
