"""A clinic's settings profile through the API (issue 11 item 6): staff and admins read every setting with the
clinic's own value, an admin changes or resets one within its bounds with a reason (422 naming ``value``
otherwise), the history keeps every change, and the plans, forecasts and refill visits of that clinic's users use
its values (``source: clinic``) while another clinic's do not; every access audited; on every store."""

from __future__ import annotations

from baclofen.domain.itb.refill import RECONCILE_TOLERANCE_PERCENT
from baclofen.domain.itb.reservoir import REFILL_MARGIN_DAYS
from baclofen.domain.oral.taper import TAPER_STEP_INTERVAL_DAYS
from baclofen.entrypoints.api.problems import PROBLEM_JSON
from tests.api.conftest import PASSWORD

SETTINGS = "/api/v1/clinic/settings"
MARGIN = REFILL_MARGIN_DAYS.name
STEP = TAPER_STEP_INTERVAL_DAYS.name
TOLERANCE = RECONCILE_TOLERANCE_PERCENT.name
TAPER = {"start_date": "2026-03-02", "from_mg_per_day": 60, "to_mg_per_day": 0}
FORECAST = {
    "pump": "synchromed-ii-20",
    "volume_ml": 20,
    "concentration_mcg_per_ml": 500,
    "filled": "2026-03-02",
    "daily_dose_mcg": 100,
}


def _used(response, name: str) -> dict:
    assert response.status_code == 200, response.text
    return next(s for s in response.json()["settings"] if s["name"] == name)


def _profile(api, username: str) -> dict[str, dict]:
    r = api.client.get(SETTINGS, headers=api.auth(username))
    assert r.status_code == 200, r.text
    return {s["name"]: s for s in r.json()["items"]}


def test_an_admins_value_is_used_by_their_clinics_plans_and_forecasts_not_by_another_clinics(api) -> None:
    admin, clinician, other = api.auth("admin1"), api.auth("clin1"), api.auth("clin2")

    step = api.client.put(f"{SETTINGS}/{STEP}", json={"value": 7, "reason": "our taper protocol"}, headers=admin)
    margin = api.client.put(f"{SETTINGS}/{MARGIN}", json={"value": 12, "reason": "pharmacy lead time"}, headers=admin)

    assert step.status_code == margin.status_code == 200, step.text
    assert step.json()["setting"] | {"evidence": [], "description": ""} == {
        "name": STEP,
        "value": 7,
        "default": 3,
        "unit": "days",
        "status": TAPER_STEP_INTERVAL_DAYS.status.value,
        "evidence": [],
        "description": "",
        "minimum": 1,
        "maximum": 60,
        "clinic_value": 7,
        "source": "clinic",
    }
    change = step.json()["change"]
    assert (change["old_value"], change["new_value"], change["by"], change["reason"]) == (
        None,
        7,
        "admin:admin1",
        "our taper protocol",
    )
    mine = _used(api.client.post("/api/v1/plans/taper", json=TAPER, headers=clinician), STEP)
    theirs = _used(api.client.post("/api/v1/plans/taper", json=TAPER, headers=other), STEP)
    asked = _used(
        api.client.post("/api/v1/plans/taper", json={**TAPER, "settings": {STEP: 2}}, headers=clinician), STEP
    )
    assert (mine["value"], mine["source"]) == (7, "clinic")
    assert theirs["value"] == 3 and "source" not in theirs
    assert asked["value"] == 2 and "source" not in asked
    forecast = _used(api.client.post("/api/v1/pumps/forecast", json=FORECAST, headers=clinician), MARGIN)
    elsewhere = _used(api.client.post("/api/v1/pumps/forecast", json=FORECAST, headers=other), MARGIN)
    assert (forecast["value"], forecast["source"], elsewhere["value"]) == (12, "clinic", 7)


def test_a_refill_visit_of_the_clinic_uses_its_margin_and_tolerance(api) -> None:
    admin = api.auth("admin1")
    api.client.put(f"{SETTINGS}/{MARGIN}", json={"value": 12, "reason": "lead time"}, headers=admin)
    api.client.put(f"{SETTINGS}/{TOLERANCE}", json={"value": 15, "reason": "our pumps"}, headers=admin)
    visit = {
        "concentration_mcg_per_ml": 500,
        "refilled": "2026-03-02",
        "daily_dose_mcg": 100,
        "expected_ml": 4.9,
        "aspirated_ml": 4.5,
    }

    r = api.client.post("/api/v1/pumps/pump-1/visits", json=visit, headers=api.auth("clin1"))
    q = api.client.post("/api/v1/pumps/pump-q/visits", json=visit, headers=api.auth("clin2"))

    assert r.status_code == q.status_code == 201, r.text
    assert [(s["value"], s.get("source")) for s in r.json()["settings"] if s["name"] == MARGIN] == [(12, "clinic")]
    assert [(s["value"], s.get("source")) for s in q.json()["settings"] if s["name"] == MARGIN] == [(7, None)]
    assert [(s["value"], s.get("source")) for s in r.json()["settings"] if s["name"] == TOLERANCE] == [(15, "clinic")]
    assert [s.get("source") for s in q.json()["settings"] if s["name"] == TOLERANCE] == [None]


def test_the_history_keeps_every_change_and_a_reset_puts_the_default_back(api) -> None:
    admin = api.auth("admin1")
    api.client.put(f"{SETTINGS}/{MARGIN}", json={"value": 10, "reason": "first"}, headers=admin)
    api.clock.advance(minutes=5)
    api.client.put(f"{SETTINGS}/{MARGIN}", json={"value": 14, "reason": "second"}, headers=admin)
    api.clock.advance(minutes=5)
    reset = api.client.delete(f"{SETTINGS}/{MARGIN}", params={"reason": "back to the default"}, headers=admin)

    history = api.client.get(f"{SETTINGS}/history", headers=api.auth("nurse1"))
    only = api.client.get(f"{SETTINGS}/history", params={"name": STEP}, headers=admin)

    assert reset.status_code == 200 and reset.json()["setting"]["source"] == "default"
    assert [(c["old_value"], c["new_value"], c["reset"], c["reason"]) for c in history.json()["items"]] == [
        (None, 10, False, "first"),
        (10, 14, False, "second"),
        (14, None, True, "back to the default"),
    ]
    assert [c["at"] for c in history.json()["items"]] == [
        "2026-03-02T09:00:00+00:00",
        "2026-03-02T09:05:00+00:00",
        "2026-03-02T09:10:00+00:00",
    ]
    assert only.json()["items"] == []
    entry = _profile(api, "clin1")[MARGIN]
    assert (entry["value"], entry["clinic_value"], entry["source"]) == (7, None, "default")


def test_a_value_out_of_bounds_or_of_the_wrong_type_is_a_422_naming_value_and_nothing_changes(api) -> None:
    admin = api.auth("admin1")

    for value in (0, 2.5, "seven", True):
        r = api.client.put(f"{SETTINGS}/{MARGIN}", json={"value": value, "reason": "typo"}, headers=admin)
        assert r.status_code == 422 and r.headers["content-type"] == PROBLEM_JSON, (value, r.text)
        assert [e["field"] for e in r.json()["errors"]] == ["value"], r.text
    blank = api.client.put(f"{SETTINGS}/{MARGIN}", json={"value": 10, "reason": " "}, headers=admin)
    unknown = api.client.put(f"{SETTINGS}/pump.no_such", json={"value": 1, "reason": "x"}, headers=admin)

    assert [e["field"] for e in blank.json()["errors"]] == ["reason"]
    assert unknown.status_code == 404
    assert api.client.get(f"{SETTINGS}/history", headers=admin).json()["items"] == []


def test_only_an_admin_changes_staff_read_and_a_patient_reaches_nothing_every_try_audited(api) -> None:
    body = {"value": 10, "reason": "mine"}
    before = len(api.services.audit.entries())

    for username in ("clin1", "nurse1", "pat1"):
        assert api.client.put(f"{SETTINGS}/{MARGIN}", json=body, headers=api.auth(username)).status_code == 403
        r = api.client.delete(f"{SETTINGS}/{MARGIN}", params={"reason": "x"}, headers=api.auth(username))
        assert r.status_code == 403
    for path in (SETTINGS, f"{SETTINGS}/history"):
        assert api.client.get(path, headers=api.auth("pat1")).status_code == 403
        assert api.client.get(path, headers=api.auth("nurse1")).status_code == 200
        assert api.client.get(path, headers=api.auth("admin1")).status_code == 200

    outcomes = [(e.actor, e.action, e.target, e.outcome.value) for e in api.audit_since(before)]
    assert ("clinician:clin1", "clinic_settings.change", "clinic:C-1", "denied") in outcomes
    assert ("patient:pat1", "clinic_settings.read", "clinic:C-1", "denied") in outcomes
    assert ("nurse:nurse1", "clinic_settings.history", "clinic:C-1", "success") in outcomes
    assert _profile(api, "admin1")[MARGIN]["clinic_value"] is None


def test_an_admin_changes_only_their_own_clinics_profile(api) -> None:
    api.services.create_user(clinic_id="C-2", username="admin2", role="admin", password=PASSWORD)
    before = len(api.services.audit.entries())

    r = api.client.put(f"{SETTINGS}/{MARGIN}", json={"value": 3, "reason": "ours"}, headers=api.auth("admin2"))

    assert r.status_code == 200 and r.json()["change"]["clinic_id"] == "C-2"
    assert _profile(api, "admin2")[MARGIN]["clinic_value"] == 3
    assert _profile(api, "admin1")[MARGIN]["clinic_value"] is None
    assert api.client.get(f"{SETTINGS}/history", headers=api.auth("clin1")).json()["items"] == []
    changed = [e for e in api.audit_since(before) if e.action == "clinic_settings.change"]
    assert [(e.actor, e.target, e.outcome.value) for e in changed] == [("admin:admin2", "clinic:C-2", "success")]


def test_the_risk_engine_on_a_stored_patient_uses_the_clinics_value(api) -> None:
    name = "cds.risk.lookback_days"
    api.client.put(f"{SETTINGS}/{name}", json={"value": 14, "reason": "two weeks"}, headers=api.auth("admin1"))

    mine = api.client.post("/api/v1/patients/P-1/alerts/raise", headers=api.auth("clin1"))
    theirs = api.client.post("/api/v1/patients/Q-1/alerts/raise", headers=api.auth("clin2"))

    assert mine.status_code == theirs.status_code == 200, mine.text
    used = [s for s in mine.json()["assessment"]["settings"] if s["name"] == name]
    other = [s for s in theirs.json()["assessment"]["settings"] if s["name"] == name]
    assert [(s["value"], s.get("source")) for s in used] == [(14, "clinic")]
    assert [(s["value"], s.get("source")) for s in other] == [(7, None)]


def test_a_saved_plan_records_the_clinics_values_it_used_and_reads_them_back(api) -> None:
    api.client.put(f"{SETTINGS}/{STEP}", json={"value": 7, "reason": "our protocol"}, headers=api.auth("admin1"))
    clinician = api.auth("clin1")
    body = {"kind": "taper", "start_date": "2026-03-10", "from_mg_per_day": 60}

    saved = api.client.post("/api/v1/patients/P-1/plans", json=body, headers=clinician)
    plan_id = saved.json()["plan_id"]
    read = api.client.get(f"/api/v1/plans/{plan_id}", headers=clinician)
    other = api.client.post("/api/v1/patients/Q-1/plans", json=body, headers=api.auth("clin2"))

    assert saved.status_code == other.status_code == 201, saved.text
    used = [s for s in _walk_settings(read.json()) if s["name"] == STEP]
    theirs = [s for s in _walk_settings(other.json()) if s["name"] == STEP]
    assert used and {(s["value"], s.get("source")) for s in used} == {(7, "clinic")}
    assert theirs and {(s["value"], s.get("source")) for s in theirs} == {(3, None)}


def _walk_settings(document) -> list[dict]:
    """Every entry of every ``settings`` list in a document."""
    found: list[dict] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "settings" and isinstance(value, list):
                found += [v for v in value if isinstance(v, dict)]
            else:
                found += _walk_settings(value)
    elif isinstance(document, list):
        for item in document:
            found += _walk_settings(item)
    return found
