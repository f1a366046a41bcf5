"""Population simulations as jobs through the API (issue 11 item 8): submitted (202, Location), run on a real
in-process Dask cluster in the background, polled to completion with their progress and the result the CLI's
--json gives, on every store; bad requests refused at once with every field named; scoped to the clinic."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from baclofen.adapters.edge.simulate import simulate_oral_command
from baclofen.domain.jobs import INTERRUPTED, JobRecord, start_job
from baclofen.entrypoints.api import ApiSettings, create_app
from baclofen.entrypoints.api.jobs import result_document
from baclofen.services.simulation import simulate_oral
from tests.api.conftest import MAX_POPULATION, SECRET, START

BODY = {"dose_mg": 10.0, "doses": 3, "population": 800, "seed": 3, "step_h": 1.0, "crcl_range": "30:90"}
URL = "/api/v1/simulations/population"


def poll(api, location: str, username: str = "clin1", timeout_s: float = 120.0) -> dict:
    """The job at ``location`` once it has finished (polled as a client would)."""
    headers = api.auth(username)
    deadline = time.monotonic() + timeout_s
    while True:
        r = api.client.get(location, headers=headers)
        assert r.status_code == 200, r.text
        job = r.json()
        if job["status"] in ("succeeded", "failed", "cancelled") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_a_population_runs_as_a_job_and_keeps_the_result_the_cli_gives(api) -> None:
    r = api.client.post(URL, json=BODY, headers=api.auth("clin1"))

    assert r.status_code == 202, r.text
    submitted = r.json()
    assert r.headers["Location"] == f"/api/v1/jobs/{submitted['job_id']}"
    assert submitted["status"] == "queued" and submitted["progress"]["total"] == 800
    assert r.headers["Retry-After"] == "1"  # when to poll again
    assert submitted["submitted_by"] == "clinician:clin1" and submitted["request"]["dose_mg"] == 10.0
    job = poll(api, r.headers["Location"])
    assert job["status"] == "succeeded", job["error"]
    assert job["progress"] == {"done": 800, "total": 800, "fraction": 1.0, "unit": "subjects"}
    command = simulate_oral_command(dose_mg=10.0, doses=3, population=800, seed=3, step_h=1.0, crcl_range="30:90")
    assert job["result"] == result_document(simulate_oral(command))
    assert job["result"]["population"]["n_subjects"] == 800
    assert job["started_at"] is not None and job["finished_at"] is not None
    assert "Retry-After" not in api.client.get(r.headers["Location"], headers=api.auth("clin1")).headers
    actions = [(e.action, e.outcome.value) for e in api.services.audit.entries(actor="clinician:clin1")]
    assert ("submit population simulation", "success") in actions and ("read population job", "success") in actions


def test_a_plans_regimen_runs_as_a_job(memory_api) -> None:
    headers = memory_api.auth("clin1")
    plan = memory_api.client.post("/api/v1/plans/titration", json={"start_date": "2026-03-02"}, headers=headers)
    assert plan.status_code == 200, plan.text

    r = memory_api.client.post(URL, json={"plan": plan.json(), "population": 200, "step_h": 1.0}, headers=headers)

    assert r.status_code == 202, r.text
    job = poll(memory_api, r.headers["Location"])
    assert job["status"] == "succeeded", job["error"]
    assert job["kind"] == "regimen" and job["result"]["kind"] == "regimen"
    assert job["result"]["population"]["n_subjects"] == 200


def test_every_invalid_field_is_named_at_once_and_no_job_is_made(memory_api) -> None:
    body = {"dose_mg": -1, "step_h": 0, "crcl_range": "90", "population": 0, "hd_sessions": ["x"], "washout_h": 3}
    r = memory_api.client.post(URL, json=body, headers=memory_api.auth("clin1"))

    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"dose_mg", "step_h", "crcl_range", "population", "hd_sessions", "washout_h"} <= fields
    assert memory_api.client.get("/api/v1/jobs", headers=memory_api.auth("clin1")).json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"population": 100}, "dose_mg"),  # neither an oral dose nor a plan
        ({"population": 100, "dose_mg": 10, "plan": {"x": 1}}, "dose_mg"),  # both
        ({"population": MAX_POPULATION + 1, "dose_mg": 10}, "population"),  # over the server's bound
        ({"population": 100, "dose_mg": 10, "doses": 3, "hours": 2}, "hours"),  # checked by the use case
        ({"population": 100, "plan": {"schema_version": "nope"}}, "plan"),
    ],
)
def test_a_bad_request_is_a_422_naming_the_field(memory_api, body, field) -> None:
    r = memory_api.client.post(URL, json=body, headers=memory_api.auth("clin1"))

    assert r.status_code == 422, r.text
    assert any(e["field"].startswith(field) for e in r.json()["errors"]), r.json()


def test_clinicians_submit_staff_read_and_other_roles_are_refused(memory_api) -> None:
    small = {**BODY, "population": 50}
    for username in ("nurse1", "pat1", "admin1"):
        assert memory_api.client.post(URL, json=small, headers=memory_api.auth(username)).status_code == 403
    location = memory_api.client.post(URL, json=small, headers=memory_api.auth("clin1")).headers["Location"]

    assert memory_api.client.get(location, headers=memory_api.auth("nurse1")).status_code == 200
    for username in ("pat1", "admin1"):
        assert memory_api.client.get(location, headers=memory_api.auth(username)).status_code == 403
    assert poll(memory_api, location)["status"] == "succeeded"


def test_another_clinics_job_does_not_exist_for_the_caller(memory_api) -> None:
    location = memory_api.client.post(URL, json={**BODY, "population": 50}, headers=memory_api.auth("clin1"))
    location = location.headers["Location"]

    other = memory_api.client.get(location, headers=memory_api.auth("clin2"))
    missing = memory_api.client.get("/api/v1/jobs/job-404", headers=memory_api.auth("clin2"))
    listed = memory_api.client.get("/api/v1/jobs", headers=memory_api.auth("clin2")).json()["items"]

    assert other.status_code == missing.status_code == 404
    assert other.json()["detail"] == f"no job {location.rsplit('/', 1)[1]!r}"
    assert listed == []
    assert [e.outcome.value for e in memory_api.services.audit.entries(actor="clinician:clin2")][:2] == [
        "denied",
        "failed",
    ]
    poll(memory_api, location)


def test_the_clinics_jobs_are_listed_newest_first_without_their_results(memory_api) -> None:
    headers = memory_api.auth("clin1")
    first = memory_api.client.post(URL, json={**BODY, "population": 50}, headers=headers).json()["job_id"]
    memory_api.clock.advance(minutes=1)
    second = memory_api.client.post(URL, json={**BODY, "population": 60}, headers=headers).json()["job_id"]
    poll(memory_api, f"/api/v1/jobs/{second}")

    items = memory_api.client.get("/api/v1/jobs", headers=memory_api.auth("nurse1")).json()["items"]

    assert [j["job_id"] for j in items] == [second, first]
    assert all(j["result"] is None for j in items)


def test_a_finished_job_cannot_be_cancelled(memory_api) -> None:
    location = memory_api.client.post(URL, json={**BODY, "population": 50}, headers=memory_api.auth("clin1"))
    location = location.headers["Location"]
    poll(memory_api, location)

    r = memory_api.client.post(f"{location}/cancel", headers=memory_api.auth("clin1"))

    assert r.status_code == 409 and "succeeded" in r.json()["detail"]


def test_a_server_that_starts_marks_a_job_left_running_failed(api) -> None:
    left = start_job(JobRecord("job-left", "C-1", "clinician:clin1", "oral", BODY, START, 800), START)
    api.services.jobs.add(left)

    create_app(api.services, ApiSettings(secret_key=SECRET))  # the server starting again over the same store
    api.clock.advance(seconds=timedelta(minutes=1).total_seconds())
    job = api.client.get("/api/v1/jobs/job-left", headers=api.auth("clin1")).json()

    assert job["status"] == "failed" and job["error"] == INTERRUPTED


def test_the_scheduler_comes_from_the_environment_and_a_malformed_one_stops_the_server(run_cli, monkeypatch) -> None:
    monkeypatch.setenv("BACLOFEN_DASK_SCHEDULER", "tcp://10.0.0.5:8786")
    assert ApiSettings.from_environment(demo=True).dask_scheduler == "tcp://10.0.0.5:8786"

    result = run_cli("serve", "--demo", "--scheduler", "nope")

    assert result.exit_code == 2
    assert "--scheduler: expected a Dask scheduler address" in result.stderr
