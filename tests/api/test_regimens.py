"""Saved plans and program changes through the API, on every store (memory, SQLite, PostgreSQL): a clinician saves a
plan planned on the stored patient (a blocked one is refused with its findings), the history keeps every plan with
its status, a pump is reprogrammed between refills under the titration rules; staff and the patient read them."""

from __future__ import annotations

from typing import Any

import pytest

TITRATION = {"kind": "titration", "start_date": "2026-03-05", "target_mg_per_day": 30}
TAPER = {"kind": "taper", "start_date": "2026-04-20", "from_mg_per_day": 30}
SWITCH = {
    "kind": "switch",
    "switch_to": "tizanidine",
    "from_mg_per_day": 30,
    "start_date": "2026-03-05",
    "not_tolerated": True,
    "drugs": ["omeprazole"],
}
VISIT = {"concentration_mcg_per_ml": 500, "refilled": "2026-03-02T08:00+00:00", "daily_dose_mcg": 300}


def _save(api, body, username="clin1", patient="P-1"):
    return api.client.post(f"/api/v1/patients/{patient}/plans", json=body, headers=api.auth(username))


def test_a_clinician_saves_plans_and_the_history_keeps_each_with_its_status(api) -> None:
    first = _save(api, TITRATION)
    second = _save(api, TAPER)

    assert first.status_code == 201, first.text
    saved = first.json()
    assert first.headers["location"] == f"/api/v1/plans/{saved['plan_id']}"
    assert saved["kind"] == "titration" and saved["status"] == "active" and saved["saved_by"] == "clinician:clin1"
    assert saved["plan"]["patient"]["age_years"] == 50  # the stored patient's covariates
    assert saved["settings"] == saved["plan"]["settings"] and saved["settings"]
    assert second.status_code == 201 and second.json()["seq"] == 1

    history = api.client.get("/api/v1/patients/P-1/plans", headers=api.auth("nurse1")).json()["items"]
    assert [(p["kind"], p["status"], p["superseded_by"]) for p in history] == [
        ("titration", "superseded", second.json()["plan_id"]),
        ("taper", "active", None),
    ]
    own = api.client.get(f"/api/v1/plans/{saved['plan_id']}", headers=api.auth("pat1"))
    assert own.status_code == 200 and own.json()["status"] == "superseded"
    assert api.client.get(f"/api/v1/plans/{saved['plan_id']}", headers=api.auth("pat2")).status_code == 404
    actions = {(e.action, e.outcome.value) for e in api.services.audit.entries(actor="clinician:clin1")}
    assert ("plan.save", "success") in actions


def test_a_plan_with_a_standing_block_is_refused_with_its_findings_and_nothing_is_saved(api) -> None:
    r = _save(api, TITRATION | {"target_mg_per_day": 120})

    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert "ORAL-MAX-001" in {f["rule_id"] for f in r.json()["findings"] if f["severity"] == "block"}
    assert api.client.get("/api/v1/patients/P-1/plans", headers=api.auth("clin1")).json()["items"] == []


def test_an_overridden_block_is_saved_with_the_clinician_and_the_reason(api) -> None:
    reason = "inpatient titration under daily neurologist review"
    overrides = [f"ORAL-MAX-001={reason}", f"ORAL-MAX-002={reason}"]
    r = _save(api, TITRATION | {"target_mg_per_day": 120, "overrides": overrides})

    assert r.status_code == 201, r.text
    assert [(o["rule_id"], o["clinician"]) for o in r.json()["overrides"]] == [
        ("ORAL-MAX-001", "clinician:clin1"),
        ("ORAL-MAX-002", "clinician:clin1"),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (TITRATION | {"overrides": ["ORAL-MAX-001=x"]}, "override reason"),
        (TITRATION | {"start_date": "yesterday"}, "start_date"),
        (TITRATION | {"patient": {"age_years": 30}}, "patient"),
        ({"kind": "rotate", "start_date": "2026-03-05"}, "body"),
        ({"kind": "switch", "from_mg_per_day": 30, "start_date": "2026-03-05"}, "switch_to"),
        (SWITCH | {"from_mg_per_day": -5}, "from_mg_per_day"),
        (SWITCH | {"switch_to": "aspirin"}, "switch_to"),
    ],
)
def test_an_invalid_plan_names_its_field(memory_api, body, field) -> None:
    r = _save(memory_api, body)

    assert r.status_code == 422, r.text
    assert any(field in e["field"] for e in r.json()["errors"]), r.json()


def test_an_itb_transition_is_saved_as_its_oral_taper_with_its_envelope(api) -> None:
    body = {
        "kind": "itb-transition",
        "infusion_start": "2026-03-20",
        "oral_mg_per_day": 60,
        "itb_initial_mcg_per_day": 100,
    }

    r = _save(api, body)

    assert r.status_code == 201, r.text
    saved = r.json()
    assert saved["kind"] == "itb-transition" and saved["plan"]["kind"] == "taper"
    assert saved["transition"]["origin"] == "spinal" and saved["transition"]["days"]
    assert "ITB-TRANS-001" in {f["rule_id"] for f in saved["findings"]}
    assert api.client.get(f"/api/v1/plans/{saved['plan_id']}", headers=api.auth("pat1")).json() == saved


def test_only_a_clinician_saves_a_plan(memory_api) -> None:
    assert _save(memory_api, TITRATION, "nurse1").status_code == 403
    assert _save(memory_api, TITRATION, "pat1").status_code == 403


def _refilled(api) -> None:
    r = api.client.post("/api/v1/pumps/pump-1/visits", json=VISIT, headers=api.auth("nurse1"))
    assert r.status_code == 201, r.text
    api.clock.advance(days=3)


def test_a_clinician_reprograms_a_pump_within_the_titration_step(api) -> None:
    _refilled(api)
    body = {"daily_dose_mcg": 330, "reason": "spasms at night"}

    r = api.client.post("/api/v1/pumps/pump-1/program-changes", json=body, headers=api.auth("clin1"))

    assert r.status_code == 201, r.text
    change = r.json()
    assert change["previous_daily_dose_mcg"] == pytest.approx(300) and change["daily_dose_mcg"] == pytest.approx(330)
    assert change["changed_by"] == "clinician:clin1" and change["reason"] == "spasms at night"
    items = api.client.get("/api/v1/pumps/pump-1/program-changes", headers=api.auth("pat1")).json()["items"]
    assert [c["change_id"] for c in items] == [change["change_id"]]
    assert api.client.post("/api/v1/patients/P-1/alerts/raise", headers=api.auth("nurse1")).status_code == 200


def test_a_blocked_program_change_is_refused_with_its_findings_and_not_stored(api) -> None:
    _refilled(api)
    body = {"daily_dose_mcg": 500, "reason": "spasms at night"}

    r = api.client.post("/api/v1/pumps/pump-1/program-changes", json=body, headers=api.auth("clin1"))

    assert r.status_code == 409
    assert "ITB-TITR-002" in {f["rule_id"] for f in r.json()["findings"] if f["severity"] == "block"}
    assert api.client.get("/api/v1/pumps/pump-1/program-changes", headers=api.auth("clin1")).json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"daily_dose_mcg": 330, "reason": "x", "changed_at": "2026-03-01T09:00+00:00"}, "changed_at"),
        ({"daily_dose_mcg": 330, "reason": "x", "changed_at": "2026-04-01T09:00+00:00"}, "changed_at"),
        ({"reason": "x"}, "daily_dose_mcg"),
        ({"daily_dose_mcg": 330, "reason": " "}, "reason"),
        ({"flex": "00:00=abc", "reason": "x"}, "flex"),
    ],
)
def test_an_invalid_program_change_names_its_field(memory_api, body, field) -> None:
    _refilled(memory_api)

    r = memory_api.client.post("/api/v1/pumps/pump-1/program-changes", json=body, headers=memory_api.auth("clin1"))

    assert r.status_code == 422, r.text
    assert any(field in e["field"] for e in r.json()["errors"]), r.json()


def test_a_nurse_records_visits_but_does_not_reprogram(memory_api) -> None:
    _refilled(memory_api)
    body = {"daily_dose_mcg": 330, "reason": "spasms at night"}

    r = memory_api.client.post("/api/v1/pumps/pump-1/program-changes", json=body, headers=memory_api.auth("nurse1"))

    assert r.status_code == 403


def test_a_switch_is_saved_as_its_baclofen_taper_with_the_new_drug_and_its_labs(api) -> None:
    r = _save(api, SWITCH)

    assert r.status_code == 201, r.text
    saved = r.json()
    assert saved["kind"] == "switch" and saved["plan"]["kind"] == "taper"
    assert saved["plan"]["patient"]["age_years"] == 50  # the stored patient's covariates
    switch = saved["switch"]
    assert switch["new_drug"]["drug"] == "tizanidine" and switch["new_drug"]["steps"]
    assert any("liver" in m["text"] for m in switch["option"]["monitoring"])  # the labs to order
    assert any("liver tests" in n for n in switch["notes"])
    assert {s["name"] for s in saved["settings"]} >= {"cds.cross_taper.new_drug_start_day"}
    assert api.client.get(f"/api/v1/plans/{saved['plan_id']}", headers=api.auth("pat1")).json() == saved
    history = api.client.get("/api/v1/patients/P-1/plans", headers=api.auth("nurse1")).json()["items"]
    assert [(p["kind"], p["status"]) for p in history] == [("switch", "active")]
    timeline = api.client.get(
        "/api/v1/patients/P-1/timeline", params={"as_of": "2026-03-06T09:00+00:00"}, headers=api.auth("clin1")
    )
    assert timeline.status_code == 200, timeline.text
    prescriptions = timeline.json()["timeline"]["oral"]["prescriptions"]
    taper = [(s["start"], s["daily_dose_mg"]) for s in saved["plan"]["steps"] if s["daily_dose_mg"] > 0]
    assert [(p["start"], p["daily_dose_mg"]) for p in prescriptions] == taper
    assert prescriptions[-1]["end"] is not None  # baclofen stops: the taper feeds the timeline


def test_a_switch_blocked_by_an_interaction_is_refused_with_its_findings_and_not_saved(api) -> None:
    for drugs in (["ciprofloxacin"], ["fluvoxamine"]):
        r = _save(api, SWITCH | {"drugs": drugs})

        assert r.status_code == 409, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert "INT-TIZ-CYP1A2-001" in {f["rule_id"] for f in r.json()["findings"] if f["severity"] == "block"}
    assert api.client.get("/api/v1/patients/P-1/plans", headers=api.auth("clin1")).json()["items"] == []


def test_a_switch_uses_the_clinics_settings(api) -> None:
    name = "cds.cross_taper.new_drug_start_day"
    admin = api.auth("admin1")
    changed = api.client.put(f"/api/v1/clinic/settings/{name}", json={"value": 3, "reason": "overlap"}, headers=admin)
    assert changed.status_code == 200, changed.text

    r = _save(api, SWITCH)

    assert r.status_code == 201, r.text
    used = {s["name"]: s for s in r.json()["settings"]}
    assert used[name]["value"] == 3 and used[name]["source"] == "clinic"
    assert r.json()["switch"]["new_drug"]["start_date"] == "2026-03-08"


def test_a_switchs_baclofen_taper_uses_the_clinics_taper_settings(api) -> None:
    name = "taper.step_interval_days"
    admin = api.auth("admin1")
    changed = api.client.put(f"/api/v1/clinic/settings/{name}", json={"value": 10, "reason": "slower"}, headers=admin)
    assert changed.status_code == 200, changed.text

    saved = _save(api, SWITCH)
    advised = api.client.post(
        "/api/v1/alternatives", json={k: v for k, v in SWITCH.items() if k != "kind"}, headers=api.auth("clin1")
    )

    assert saved.status_code == 201, saved.text
    taper = saved.json()["plan"]
    assert {s["name"]: s for s in taper["settings"]}[name] | {"value": 10, "source": "clinic"} == {
        s["name"]: s for s in taper["settings"]
    }[name]
    assert taper["steps"][0]["days"] == 10
    assert {s["name"]: s for s in saved.json()["settings"]}[name]["source"] == "clinic"
    assert advised.status_code == 200, advised.text
    assert advised.json()["cross_taper"]["taper"]["steps"] == taper["steps"]  # POST /alternatives: the same taper


def test_checking_a_plan_or_a_program_change_stores_nothing_and_drafts_what_saving_stores(api) -> None:
    from baclofen.adapters.edge.plan import plan_titration_command
    from baclofen.adapters.edge.regimens import change_pump_program_command, save_plan_command
    from baclofen.domain.itb.pumps import get_pump

    at = api.clock.now()
    plan = plan_titration_command(start_date="2026-03-05", target_mg_per_day=30, clinician="clinician:clin1")
    command = save_plan_command(patient_id="P-1", plan=plan, saved_by="clinician:clin1", saved_at=at)
    checked = api.services.check_plan(command)
    assert checked.offerable
    with api.services.uow as uow:
        assert uow.plans.for_patient("P-1") == ()
    assert api.services.save_plan(command) == checked.draft

    _refilled(api)

    def change_to(mcg_per_day: float) -> Any:
        return change_pump_program_command(
            pump_id="pump-1",
            changed_at=api.clock.now(),
            reason="spasms at night",
            changed_by="clinician:clin1",
            daily_dose_mcg=mcg_per_day,
            pump=get_pump("synchromed-ii-20"),
        )

    blocked = api.services.check_pump_program(change_to(500))
    assert not blocked.offerable and "ITB-TITR-002" in {f.rule_id for f in blocked.findings if f.is_blocking}
    change = change_to(330)
    judged = api.services.check_pump_program(change)
    with api.services.uow as uow:
        assert uow.program_changes.for_pump("pump-1") == ()
    assert judged.offerable and api.services.change_pump_program(change) == judged.draft
