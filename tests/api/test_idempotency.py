"""Safe retries (the ``Idempotency-Key`` header, draft-ietf-httpapi-idempotency-key-header) on every store: a POST
that creates a record, retried with its key and body, is answered with the first response and creates nothing; the
same key with another body is a 422 naming the header; a key expires; a refused request stores no key; without a key
a refill visit repeating the last stored one exactly is a 409 (a probable duplicate)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import text

from baclofen.domain.errors import ServiceError
from baclofen.entrypoints.api.idempotency import REPLAYED_HEADER
from baclofen.services.ports import UnitOfWork

VISIT = {"concentration_mcg_per_ml": 500, "refilled": "2026-03-02T08:00+00:00", "daily_dose_mcg": 300}
ENTRY = {"recorded_at": "2026-03-02T08:30+00:00", "symptoms": ["fever"], "stiffness_nrs": 8}
P1 = "/api/v1/patients/P-1"


def _items(api, path: str, key: str = "items") -> list[Any]:
    r = api.client.get(path, headers=api.auth("clin1"))
    assert r.status_code == 200, r.text
    found: list[Any] = r.json()[key]
    return found


def _refilled(api) -> None:
    assert api.client.post("/api/v1/pumps/pump-1/visits", json=VISIT, headers=api.auth("nurse1")).status_code == 201
    api.clock.advance(days=3)


def _alert_id(api) -> str:
    assert api.client.post(f"{P1}/diary", json=ENTRY, headers=api.auth("pat1")).status_code == 201
    return str(_items(api, f"{P1}/alerts")[0]["alert_id"])


#: name -> (setup, user, path (``{alert}``: the setup's alert), body, how many records the request made)
CASES: dict[str, tuple[Callable[[Any], Any], str, str, dict[str, Any] | None, Callable[[Any], int]]] = {
    "patient": (
        lambda api: None,
        "clin1",
        "/api/v1/patients",
        {"patient_id": "P-9", "age_years": 46, "weight_kg": 70},
        lambda api: sum(p["patient_id"] == "P-9" for p in _items(api, "/api/v1/patients")),
    ),
    "pump": (
        lambda api: None,
        "clin1",
        "/api/v1/pumps",
        {"pump_id": "pump-9", "pump": "synchromed-ii-20", "patient_id": "P-1", "implanted": "2025-06-01"},
        lambda api: sum(p["pump_id"] == "pump-9" for p in _items(api, f"{P1}/pumps")),
    ),
    "refill visit": (
        lambda api: None,
        "nurse1",
        "/api/v1/pumps/pump-1/visits",
        VISIT,
        lambda api: len(_items(api, "/api/v1/pumps/pump-1", "visits")),
    ),
    "diary entry": (lambda api: None, "pat1", f"{P1}/diary", ENTRY, lambda api: len(_items(api, f"{P1}/diary"))),
    "covariates": (
        lambda api: None,
        "nurse1",
        f"{P1}/covariates",
        {"observed_on": "2026-01-10", "weight_kg": 85},
        lambda api: len(_items(api, f"{P1}/covariates")),
    ),
    "screening trial": (
        lambda api: None,
        "clin1",
        f"{P1}/screening-trials",
        {"given_at": "2026-03-01T09:00+01:00", "dose_mcg": 75, "responded": True, "effect_duration_hours": 6},
        lambda api: len(_items(api, f"{P1}/screening-trials")),
    ),
    "score": (
        lambda api: None,
        "nurse1",
        f"{P1}/scores",
        {"assessed_on": "2026-02-01", "scale": "MAS", "value": "1+", "muscle_group": "left elbow flexors"},
        lambda api: len(_items(api, f"{P1}/scores")),
    ),
    "saved plan": (
        lambda api: None,
        "clin1",
        f"{P1}/plans",
        {"kind": "titration", "start_date": "2026-03-05", "target_mg_per_day": 30},
        lambda api: len(_items(api, f"{P1}/plans")),
    ),
    "program change": (
        _refilled,
        "clin1",
        "/api/v1/pumps/pump-1/program-changes",
        {"daily_dose_mcg": 330, "reason": "spasms at night"},
        lambda api: len(_items(api, "/api/v1/pumps/pump-1/program-changes")),
    ),
    "alerts raised": (
        lambda api: None,
        "clin1",
        f"{P1}/alerts/raise",
        None,
        lambda api: 1,  # the risk engine's alerts: the replay's body is the first one's
    ),
    "alert acknowledged": (
        _alert_id,
        "clin1",
        "/api/v1/alerts/{alert}/acknowledge",
        {"reason": "called the patient"},
        lambda api: sum(t["state"] == "acknowledged" for a in _items(api, f"{P1}/alerts") for t in a["transitions"]),
    ),
    "alert resolved": (
        _alert_id,
        "clin1",
        "/api/v1/alerts/{alert}/resolve",
        {"reason": "pump checked"},
        lambda api: sum(t["state"] == "resolved" for a in _items(api, f"{P1}/alerts") for t in a["transitions"]),
    ),
}


def _post(api, user: str, path: str, body: dict[str, Any] | None, key: str | None):
    headers = api.auth(user) | ({"Idempotency-Key": key} if key is not None else {})
    return (
        api.client.post(path, json=body, headers=headers)
        if body is not None
        else api.client.post(path, headers=headers)
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_retry_with_its_key_gets_the_first_response_and_creates_nothing(api, case: str) -> None:
    setup, user, path, body, count = CASES[case]
    alert = setup(api)
    path = path.format(alert=alert)

    first = _post(api, user, path, body, "a7c1e0f2-retry-1")
    api.clock.advance(minutes=5)  # a retry a little later: the record is not made again at a new time
    again = _post(api, user, path, body, "a7c1e0f2-retry-1")

    assert first.status_code in (200, 201), first.text
    assert REPLAYED_HEADER not in first.headers
    assert again.status_code == first.status_code and again.headers[REPLAYED_HEADER] == "true"
    assert again.json() == first.json()
    assert again.headers.get("location") == first.headers.get("location")
    assert count(api) == 1


def test_the_same_key_with_another_body_is_refused_naming_the_header(api) -> None:
    first = _post(api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT, "k-1")
    other = _post(api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT | {"refilled": "2026-03-03"}, "k-1")

    assert first.status_code == 201
    assert other.status_code == 422 and other.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in other.json()["errors"]] == ["Idempotency-Key"]
    assert len(_items(api, "/api/v1/pumps/pump-1", "visits")) == 1


def test_a_key_belongs_to_its_caller_and_route(memory_api) -> None:
    api = memory_api
    mine = _post(api, "pat1", f"{P1}/diary", ENTRY, "k-1")
    theirs = _post(api, "nurse1", f"{P1}/diary", ENTRY | {"recorded_at": "2026-03-02T08:40+00:00"}, "k-1")
    visit = _post(api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT, "k-1")

    assert (mine.status_code, theirs.status_code, visit.status_code) == (201, 201, 201)
    assert REPLAYED_HEADER not in theirs.headers and REPLAYED_HEADER not in visit.headers
    assert len(_items(api, f"{P1}/diary")) == 2


@pytest.mark.parametrize("bad", ["", " ", "x" * 256, "a\tb", "é-key"])
def test_a_key_is_1_to_255_printable_characters(memory_api, bad: str) -> None:
    headers = memory_api.auth("nurse1")
    r = memory_api.client.post(
        "/api/v1/pumps/pump-1/visits",
        json=VISIT,
        headers=[*headers.items(), ("Idempotency-Key", bad.encode("utf-8"))],
    )

    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["Idempotency-Key"]
    assert _items(memory_api, "/api/v1/pumps/pump-1", "visits") == []


def test_a_refused_request_stores_no_key_and_its_corrected_retry_is_made(api) -> None:
    bad = _post(api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT | {"concentration_mcg_per_ml": -5}, "k-1")
    good = _post(api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT, "k-2")
    refused = _post(
        api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT | {"expected_ml": 4.0}, "k-3"
    )  # dated as the last

    assert bad.status_code == 422 and good.status_code == 201 and refused.status_code == 422
    again = _post(api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT | {"refilled": "2026-03-05T08:00+00:00"}, "k-3")
    assert again.status_code == 201 and REPLAYED_HEADER not in again.headers


def test_a_key_expires_after_the_retention_and_is_purged(api) -> None:
    first = _post(api, "clin1", "/api/v1/patients", {"patient_id": "P-9", "age_years": 46}, "k-1")
    api.clock.advance(hours=23)
    replayed = _post(api, "clin1", "/api/v1/patients", {"patient_id": "P-9", "age_years": 46}, "k-1")
    api.clock.advance(hours=2)
    expired = _post(api, "clin1", "/api/v1/patients", {"patient_id": "P-9", "age_years": 46}, "k-1")

    assert first.status_code == 201 and replayed.headers[REPLAYED_HEADER] == "true"
    assert expired.status_code == 409  # made again: the patient exists
    _post(api, "clin1", "/api/v1/patients", {"patient_id": "P-8", "age_years": 46}, "k-2")  # purges k-1 at its commit
    uow: UnitOfWork = api.services.uow.another()
    with uow:
        assert (
            uow.idempotency.find(api.services.users.by_username("clin1").user_id, "POST /api/v1/patients", "k-1")
            is None
        )


def test_a_record_and_its_stored_response_are_one_transaction(api) -> None:
    engine = getattr(api.services.uow, "engine", None)
    if engine is None:
        pytest.skip("the SQL stores show their rows")
    _post(api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT, "k-1")
    with engine.connect() as c:
        rows = c.execute(text("SELECT route, idem_key, status_code FROM idempotency_keys")).all()
    assert [tuple(r) for r in rows] == [("POST /api/v1/pumps/{pump_id}/visits", "k-1", 201)]


def test_without_a_key_a_refill_visit_repeating_the_last_one_exactly_is_a_probable_duplicate(api) -> None:
    first = _post(api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT, None)
    again = _post(api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT, None)

    assert first.status_code == 201
    assert again.status_code == 409 and "probable duplicate" in again.json()["detail"]
    assert len(_items(api, "/api/v1/pumps/pump-1", "visits")) == 1


def test_a_retry_while_the_first_request_is_still_in_progress_is_a_conflict(memory_api) -> None:
    api = memory_api
    user_id = api.services.users.by_username("nurse1").user_id
    with api.app.state.in_flight.hold(user_id, "POST /api/v1/pumps/{pump_id}/visits", "k-1"):
        busy = _post(api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT, "k-1")
    done = _post(api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT, "k-1")

    assert busy.status_code == 409 and "in progress" in busy.json()["detail"] and busy.headers["retry-after"]
    assert done.status_code == 201 and len(_items(api, "/api/v1/pumps/pump-1", "visits")) == 1


class _AuditFailingOnce:
    """An audit log that fails (a ServiceError: 503) on the first ``action`` appended, after the record committed:
    the client gets no acknowledgement of a stored record."""

    def __init__(self, audit: Any, action: str) -> None:
        self.audit, self.action, self.failed = audit, action, False

    def append(self, entry: Any) -> None:
        if entry.action == self.action and not self.failed:
            self.failed = True
            raise ServiceError("the audit log cannot be written now")
        self.audit.append(entry)

    def entries(self, **query: Any) -> Any:
        return self.audit.entries(**query)


def test_a_visit_stored_but_answered_503_is_retried_with_its_key_and_stored_once(api) -> None:
    api.app.state.services = replace(api.services, audit=_AuditFailingOnce(api.services.audit, "pump.add_visit"))

    lost = _post(api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT, "k-1")
    retried = _post(api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT, "k-1")

    assert lost.status_code == 503  # stored, but not acknowledged
    assert retried.status_code == 201 and retried.headers[REPLAYED_HEADER] == "true"
    assert retried.json()["refill"]["fill_ml"] > 0
    assert len(_items(api, "/api/v1/pumps/pump-1", "visits")) == 1


def test_without_a_key_the_same_lost_visit_retried_is_refused_as_a_probable_duplicate(memory_api) -> None:
    api = memory_api
    api.app.state.services = replace(api.services, audit=_AuditFailingOnce(api.services.audit, "pump.add_visit"))

    lost = _post(api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT, None)
    retried = _post(api, "nurse1", "/api/v1/pumps/pump-1/visits", VISIT, None)

    assert lost.status_code == 503 and retried.status_code == 409
    assert len(_items(api, "/api/v1/pumps/pump-1", "visits")) == 1


def test_a_population_job_submitted_again_with_its_key_is_the_first_job(memory_api) -> None:
    api = memory_api
    body = {"dose_mg": 10.0, "doses": 3, "population": 50, "seed": 3, "step_h": 1.0}

    first = _post(api, "clin1", "/api/v1/simulations/population", body, "job-k-1")
    again = _post(api, "clin1", "/api/v1/simulations/population", body, "job-k-1")

    assert first.status_code == 202 and again.status_code == 202 and again.headers[REPLAYED_HEADER] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert len(_items(api, "/api/v1/jobs")) == 1
