"""A patient's dated histories through the API (issue 11 item 3): covariates over time (the record keeps today's,
a replaced record's changes are observations too), ITB screening trials and outcome scores; staff write, staff
and the patient read, oldest first a page at a time; 422 names every invalid field; every access audited; on
every store."""

from __future__ import annotations

import pytest

from baclofen.entrypoints.api.problems import PROBLEM_JSON

P1 = "/api/v1/patients/P-1"


def _fields(response) -> list[str]:
    assert response.status_code == 422 and response.headers["content-type"] == PROBLEM_JSON, response.text
    return sorted(e["field"] for e in response.json()["errors"])


def test_covariates_over_time_are_recorded_listed_and_the_record_keeps_todays(api) -> None:
    nurse, patient = api.auth("nurse1"), api.auth("pat1")

    old = api.client.post(f"{P1}/covariates", json={"observed_on": "2026-01-10", "weight_kg": 85}, headers=nurse)
    kidney = api.client.post(
        f"{P1}/covariates",
        json={"observed_on": "2026-02-10", "egfr_ml_min_1_73m2": 35, "dialysis": False},
        headers=nurse,
    )
    api.clock.advance(minutes=5)
    today = api.client.post(f"{P1}/covariates", json={"weight_kg": 82.5}, headers=nurse)
    listed = api.client.get(f"{P1}/covariates", headers=patient)
    record = api.client.get(P1, headers=nurse).json()

    assert old.status_code == kidney.status_code == today.status_code == 201, (old.text, kidney.text, today.text)
    assert today.json()["observed_on"] == "2026-03-02" and today.json()["recorded_by"] == "nurse:nurse1"
    assert today.json()["recorded_at"] == api.clock.now().isoformat()
    assert listed.status_code == 200, listed.text
    assert [(o["observed_on"], o["weight_kg"], o["egfr_ml_min_1_73m2"]) for o in listed.json()["items"]] == [
        ("2026-01-10", 85.0, None),
        ("2026-02-10", None, 35.0),
        ("2026-03-02", 82.5, None),
    ]
    assert (record["weight_kg"], record["egfr_ml_min_1_73m2"], record["age_years"]) == (82.5, 35.0, 50.0)


def test_a_back_dated_observation_changes_only_the_past(api) -> None:
    nurse = api.auth("nurse1")
    api.client.post(f"{P1}/covariates", json={"weight_kg": 82}, headers=nurse)

    back = api.client.post(f"{P1}/covariates", json={"observed_on": "2025-12-01", "weight_kg": 90}, headers=nurse)

    assert back.status_code == 201, back.text
    assert api.client.get(P1, headers=nurse).json()["weight_kg"] == 82.0


def test_replacing_a_patient_records_each_covariate_it_changed_as_an_observation(api) -> None:
    clinician = api.auth("clin1")
    created = api.client.post(
        "/api/v1/patients", json={"patient_id": "P-9", "age_years": 40, "weight_kg": 70}, headers=clinician
    )
    api.clock.advance(days=3)
    clinician = api.auth("clin1")  # a new token: the first has expired
    etag = api.client.get("/api/v1/patients/P-9", headers=clinician).headers["ETag"]
    replaced = api.client.put(
        "/api/v1/patients/P-9",
        json={"age_years": 40, "weight_kg": 70, "crcl_ml_min": 45},
        headers={**clinician, "If-Match": etag},
    )
    unchanged_etag = replaced.headers["ETag"]
    same = api.client.put(
        "/api/v1/patients/P-9",
        json={"age_years": 41, "weight_kg": 70, "crcl_ml_min": 45},
        headers={**clinician, "If-Match": unchanged_etag},
    )
    history = api.client.get("/api/v1/patients/P-9/covariates", headers=clinician).json()["items"]

    assert created.status_code == 201 and replaced.status_code == 200 and same.status_code == 200, same.text
    assert [(o["observed_on"], o["weight_kg"], o["crcl_ml_min"]) for o in history] == [
        ("2026-03-02", 70.0, None),  # the record's creation
        ("2026-03-05", None, 45.0),  # the kidney function the replacement changed (the age is not a covariate)
    ]


def test_an_observation_changes_the_records_etag(api) -> None:
    nurse = api.auth("nurse1")
    etag = api.client.get(P1, headers=nurse).headers["ETag"]
    api.client.post(f"{P1}/covariates", json={"weight_kg": 77}, headers=nurse)

    stale = api.client.put(P1, json={"age_years": 50}, headers={**nurse, "If-Match": etag})

    assert stale.status_code == 409, stale.text


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"weight_kg": 1000, "crcl_ml_min": -3}, ["crcl_ml_min", "weight_kg"]),
        ({"crcl_ml_min": 50, "egfr_ml_min_1_73m2": 50}, ["kidney function"]),
        ({"observed_on": "2026-03-03", "weight_kg": 80}, ["observed_on"]),  # the future
        ({"observed_on": "03/01/2026", "weight_kg": 80}, ["observed_on"]),
        ({}, ["weight_kg"]),
        ({"serum_creatinine_mg_dl": 1.2}, ["serum_creatinine_mg_dl"]),  # P-1 has no weight or sex for it
    ],
)
def test_an_impossible_observation_is_refused_naming_each_field(memory_api, body, fields) -> None:
    r = memory_api.client.post(f"{P1}/covariates", json=body, headers=memory_api.auth("nurse1"))

    assert _fields(r) == fields
    assert memory_api.client.get(f"{P1}/covariates", headers=memory_api.auth("nurse1")).json()["items"] == []


def test_screening_trials_are_recorded_and_listed_oldest_first(api) -> None:
    clinician = api.auth("clin1")

    second = api.client.post(
        f"{P1}/screening-trials",
        json={"given_at": "2026-03-01T09:00+01:00", "dose_mcg": 75, "responded": True, "effect_duration_hours": 6},
        headers=clinician,
    )
    first = api.client.post(
        f"{P1}/screening-trials",
        json={
            "given_at": "2026-02-28T09:00+01:00",
            "dose_mcg": 50,
            "responded": False,
            "ashworth_before": "3",
            "ashworth_after": "1+",
            "spasm_frequency_before": 3,
            "note": "little change",
        },
        headers=clinician,
    )
    listed = api.client.get(f"{P1}/screening-trials", headers=api.auth("pat1"))

    assert second.status_code == first.status_code == 201, (second.text, first.text)
    assert first.json()["ashworth_after"] == 1.5 and first.json()["volume_ml"] == 1.0
    items = listed.json()["items"]
    assert [(t["dose_mcg"], t["responded"], t["given_at"]) for t in items] == [
        (50.0, False, "2026-02-28T09:00:00+01:00"),
        (75.0, True, "2026-03-01T09:00:00+01:00"),
    ]
    assert items[0]["recorded_by"] == "clinician:clin1" and items[0]["note"] == "little change"


def test_an_invalid_screening_trial_names_each_field(memory_api) -> None:
    body = {
        "given_at": "2026-03-01T09:00",  # no offset
        "dose_mcg": 60,
        "responded": True,
        "ashworth_before": "5",
        "spasm_frequency_after": 7,
        "effect_duration_hours": 100,
    }
    r = memory_api.client.post(f"{P1}/screening-trials", json=body, headers=memory_api.auth("clin1"))

    assert _fields(r) == [
        "ashworth_before",
        "dose_mcg",
        "effect_duration_hours",
        "given_at",
        "spasm_frequency_after",
    ]


def test_outcome_scores_are_recorded_on_their_scale_and_listed_by_date(api) -> None:
    nurse = api.auth("nurse1")
    scores = [
        {"assessed_on": "2026-02-01", "scale": "MAS", "value": "1+", "muscle_group": "left elbow flexors"},
        {"assessed_on": "2026-01-15", "scale": "psfs", "value": "3:2"},
        {"scale": "nrs-pain", "value": 6.5, "note": "after physio"},
    ]
    created = [api.client.post(f"{P1}/scores", json=s, headers=nurse) for s in scores]
    page = api.client.get(f"{P1}/scores", params={"limit": 2}, headers=api.auth("pat1")).json()
    rest = api.client.get(f"{P1}/scores", params={"after": page["next_after"]}, headers=nurse).json()

    assert [c.status_code for c in created] == [201, 201, 201], [c.text for c in created]
    items = page["items"] + rest["items"]
    assert [(s["assessed_on"], s["scale"], s["value"], s["muscle_group"]) for s in items] == [
        ("2026-01-15", "penn", "3:2", None),
        ("2026-02-01", "modified-ashworth", "1+", "left elbow flexors"),
        ("2026-03-02", "nrs-pain", 6.5, None),
    ]
    assert rest["next_after"] is None


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"scale": "mas", "value": "5"}, ["value"]),
        ({"scale": "penn", "value": "0:2"}, ["value"]),
        ({"scale": "nrs-pain", "value": 11}, ["value"]),
        ({"scale": "nrs-pain", "value": 3, "muscle_group": "calf"}, ["muscle_group"]),
        ({"scale": "borg", "value": 3}, ["scale"]),
        ({"scale": "mas", "value": "2", "assessed_on": "2027-01-01"}, ["assessed_on"]),
    ],
)
def test_a_score_out_of_its_scale_is_refused_naming_the_field(memory_api, body, fields) -> None:
    r = memory_api.client.post(f"{P1}/scores", json=body, headers=memory_api.auth("nurse1"))

    assert _fields(r) == fields


def test_an_unknown_page_start_is_refused(memory_api) -> None:
    r = memory_api.client.get(f"{P1}/scores", params={"after": "S-404"}, headers=memory_api.auth("nurse1"))

    assert _fields(r) == ["after"]


def test_every_access_is_audited(memory_api) -> None:
    before = len(memory_api.services.audit.entries())
    nurse = memory_api.auth("nurse1")
    memory_api.client.post(f"{P1}/scores", json={"scale": "nrs", "value": 4}, headers=nurse)
    memory_api.client.post(f"{P1}/scores", json={"scale": "nrs", "value": 40}, headers=nurse)
    memory_api.client.get(f"{P1}/covariates", headers=memory_api.auth("pat1"))
    memory_api.client.post(f"{P1}/covariates", json={"weight_kg": 70}, headers=memory_api.auth("pat1"))

    entries = [(e.actor, e.action, e.target, e.outcome.value) for e in memory_api.audit_since(before)]
    assert entries == [
        ("nurse:nurse1", "score.create", "patient:P-1", "success"),
        ("nurse:nurse1", "score.create", "patient:P-1", "failed"),
        ("patient:pat1", "covariates.read", "patient:P-1", "success"),
        ("patient:pat1", "covariates.create", "patient:P-1", "denied"),  # a patient reads, staff write
    ]


def test_a_replacement_that_leaves_a_covariate_out_keeps_its_last_observed_value(memory_api) -> None:
    nurse = memory_api.auth("nurse1")
    memory_api.client.post(f"{P1}/covariates", json={"weight_kg": 77, "dialysis": True}, headers=nurse)
    etag = memory_api.client.get(P1, headers=nurse).headers["ETag"]
    memory_api.clock.advance(minutes=1)

    replaced = memory_api.client.put(P1, json={"age_years": 51}, headers={**nurse, "If-Match": etag})

    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["age_years"], replaced.json()["weight_kg"]) == (51.0, 77.0)
    # dialysis false is a value, not a left-out covariate: it is observed
    assert replaced.json()["dialysis"] is False
    history = memory_api.client.get(f"{P1}/covariates", headers=nurse).json()["items"]
    assert [(o["weight_kg"], o["dialysis"]) for o in history] == [(77.0, True), (None, False)]
