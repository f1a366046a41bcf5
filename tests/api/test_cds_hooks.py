"""CDS Hooks 2.0 (issue 13 part 2) through the real application: discovery, the specification's own example
requests (``tests/api/cds_hooks_examples.py``, from cds-hooks/docs) adapted to our drugs, the prefetch fetched
from a real FHIR server (a small HTTP server in a thread), patient-view on stored patients, malformed bodies (400
naming the field) and fuzzed bodies that never make a server error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.R4B.medicationrequest import MedicationRequest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baclofen.bootstrap import bootstrap
from baclofen.entrypoints.api import ApiSettings, create_app
from baclofen.entrypoints.api.security import CDS_FHIR_SERVERS_ENV, SECRET_KEY_ENV
from tests.api.cds_hooks_examples import (
    SPEC_MEDICATION_REQUEST,
    bundle,
    fhir_authorization,
    kidney_bundle,
    medication_request,
    order_select,
    order_sign,
    patient_view,
)
from tests.api.conftest import SECRET, START, Api, SettableClock, cheap_hasher, seed
from tests.api.json_server import JsonServer
from tests.web.conftest import make_site

TIZANIDINE = medication_request("tiz-1", "Tizanidine 4 MG Oral Tablet", 4, 3)
CIPROFLOXACIN = medication_request("cipro-1", "Ciprofloxacin 500 MG Oral Tablet", 500, 2)
NO_PREFETCH_NEEDED = {
    "medications": bundle(kind="searchset"),
    "kidney": bundle(kind="searchset"),
    "conditions": bundle(kind="searchset"),
    "patient": {"resourceType": "Patient", "id": "1288992"},
}


def _call(api, service: str, body: Any, username: str = "clin1"):
    return api.client.post(f"/cds-services/{service}", json=body, headers=api.auth(username))


def _cards(response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def _rules(cards: list[dict[str, Any]]) -> list[str]:
    return [c["source"].get("topic", {}).get("code", "") for c in cards]


# --- discovery ----------------------------------------------------------------------------------------------------
def test_discovery_lists_the_three_services_with_their_hooks_and_prefetch_templates(memory_api) -> None:
    r = memory_api.client.get("/cds-services")  # open (CDS Hooks 2.0 asks authentication where data is at risk)

    services = {s["id"]: s for s in r.json()["services"]}
    assert r.status_code == 200
    assert {s: services[s]["hook"] for s in services} == {
        "baclofen-order-select": "order-select",
        "baclofen-order-sign": "order-sign",
        "baclofen-patient-view": "patient-view",
    }
    prefetch = services["baclofen-order-sign"]["prefetch"]
    assert prefetch["patient"] == "Patient/{{context.patientId}}"
    assert prefetch["medications"] == "MedicationRequest?patient={{context.patientId}}&status=active"
    assert "http://loinc.org|33914-3" in prefetch["kidney"] and "http://loinc.org|62238-1" in prefetch["kidney"]
    assert all("not medical advice" in s["description"] for s in services.values())


# --- the acceptance: the specification's examples -----------------------------------------------------------------
def test_tizanidine_selected_with_ciprofloxacin_gets_a_critical_card(memory_api) -> None:
    body = order_select(TIZANIDINE, CIPROFLOXACIN, prefetch=NO_PREFETCH_NEEDED)

    cards = _cards(_call(memory_api, "baclofen-order-select", body))

    critical = [c for c in cards if c["indicator"] == "critical"]
    assert _rules(critical) == ["INT-TIZ-CYP1A2-001"]
    card = critical[0]
    assert len(card["summary"]) < 140 and "tizanidine + ciprofloxacin" in card["summary"]
    assert "INT-TIZ-CYP1A2-001" in card["detail"] and "not medical advice" in card["detail"]
    assert "[S74]" in card["detail"] and card["source"]["url"].startswith("http")
    assert "overrideReasons" not in card  # an absolute block: no override lifts it


def test_an_abrupt_baclofen_stop_on_sign_gets_a_card_suggesting_the_planners_taper(memory_api) -> None:
    active = medication_request("bac-1", "Baclofen 20 MG Oral Tablet", 20, 3, status="active", rxnorm="1292")
    stop = medication_request("bac-1", "Baclofen 20 MG Oral Tablet", status="stopped", rxnorm="1292")
    prefetch = NO_PREFETCH_NEEDED | {"medications": bundle(active, kind="searchset")}

    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(stop, prefetch=prefetch)))

    [card] = [c for c in cards if c["source"]["topic"]["code"] == "TAPER-ABRUPT-001"]
    assert card["indicator"] == "critical" and card["summary"].startswith("Do not stop baclofen abruptly: taper")
    assert "from 60 mg/day" in card["detail"] and "[S4]" in card["detail"]
    [suggestion] = card["suggestions"]
    assert suggestion["isRecommended"] and card["selectionBehavior"] == "at-most-one"
    delete, create = suggestion["actions"]
    assert delete == {
        "type": "delete",
        "description": "Withdraw the order that stops baclofen at once (MedicationRequest/bac-1)",
        "resourceId": "MedicationRequest/bac-1",  # CDS Hooks 2.0: a relative reference (a string)
    }
    taper = MedicationRequest.model_validate(create["resource"])  # a valid FHIR R4 MedicationRequest
    assert create["type"] == "create" and taper.status == "draft" and taper.subject.reference == "Patient/1288992"
    assert "1292" in {c.code for c in taper.medicationCodeableConcept.coding}
    first_step = taper.dosageInstruction[0]
    assert first_step.text.startswith("Step 1: ") and "(50 mg/d)" in first_step.text
    assert str(first_step.timing.repeat.boundsPeriod.start) == "2026-03-02"


def test_a_stop_with_its_own_dose_and_no_active_orders_still_suggests_the_taper(memory_api) -> None:
    stop = medication_request("bac-2", "baclofen 10 mg tablet", 10, 3, status="cancelled")
    body = order_sign(stop, prefetch=NO_PREFETCH_NEEDED)

    [card] = [c for c in _cards(_call(memory_api, "baclofen-order-sign", body)) if c["indicator"] == "critical"]

    assert "from 30 mg/day" in card["detail"] and card["suggestions"][0]["actions"][1]["type"] == "create"


def test_a_stop_beside_a_new_lower_baclofen_order_is_no_abrupt_stop(memory_api) -> None:
    stop = medication_request("bac-1", "Baclofen 20 MG Oral Tablet", 20, 3, status="stopped", rxnorm="1292")
    lower = medication_request("bac-5", "Baclofen 10 MG Oral Tablet", 15, 3, rxnorm="197391")

    response = _call(memory_api, "baclofen-order-sign", order_sign(stop, lower, prefetch=NO_PREFETCH_NEEDED))

    assert "TAPER-ABRUPT-001" not in _rules(_cards(response))
    assert (
        "MedicationRequest/bac-1 stops baclofen beside MedicationRequest/bac-5: a change of dose (judged as one "
        "taper step), not a stop" in (response.json()["extension"]["org.baclofen.notes"])
    )


def test_a_stop_of_unknown_dose_warns_without_a_taper_to_create(memory_api) -> None:
    stop = medication_request("bac-3", "Baclofen", status="stopped")

    [card] = _cards(_call(memory_api, "baclofen-order-sign", order_sign(stop, prefetch=NO_PREFETCH_NEEDED)))

    assert card["indicator"] == "critical" and "suggestions" not in card
    assert "the current daily dose is not known" in card["detail"]


def test_the_specifications_amoxicillin_order_is_reported_as_not_recognised(memory_api) -> None:
    body = order_select(SPEC_MEDICATION_REQUEST, prefetch=NO_PREFETCH_NEEDED)

    cards = _cards(_call(memory_api, "baclofen-order-select", body))

    assert [c["indicator"] for c in cards] == ["info"]
    assert cards[0]["summary"].startswith("Not recognised: Amoxicillin")
    assert "NOT checked" in cards[0]["summary"] and "RxNorm:617993" in cards[0]["detail"]


def test_order_select_judges_only_the_selected_orders(memory_api) -> None:
    body = order_select(TIZANIDINE, CIPROFLOXACIN, selections=[], prefetch=NO_PREFETCH_NEEDED)

    assert _cards(_call(memory_api, "baclofen-order-select", body)) == []


def test_a_tizanidine_dose_above_the_maximum_is_critical(memory_api) -> None:
    body = order_select(medication_request("tiz-2", "Zanaflex", 16, 3), prefetch=NO_PREFETCH_NEEDED)

    cards = _cards(_call(memory_api, "baclofen-order-select", body))

    assert "DOSE-TIZ-MAX-001" in _rules([c for c in cards if c["indicator"] == "critical"])
    assert "- daily_dose_mg: 48" in next(c for c in cards if "DOSE-TIZ-MAX" in c["detail"])["detail"] or any(
        "48 mg/day" in c["summary"] for c in cards
    )


def test_the_kidney_function_of_the_prefetch_reduces_the_baclofen_maximum(memory_api) -> None:
    order = medication_request("bac-4", "baclofen 20 mg tablet", 20, 3, rxnorm="197391")
    prefetch = NO_PREFETCH_NEEDED | {"kidney": kidney_bundle("62238-1", 40, "mL/min/{1.73_m2}")}

    cards = _cards(_call(memory_api, "baclofen-order-select", order_select(order, prefetch=prefetch)))

    kidney = [c for c in cards if c["source"]["topic"]["code"].startswith("DOSE-BAC-KIDNEY")]
    assert kidney and all(c["indicator"] == "warning" for c in kidney)
    assert "CrCl 40 mL/min" in kidney[0]["detail"]


def _condition(text: str, status: str = "active", verification: str = "confirmed") -> dict[str, Any]:
    system = "http://terminology.hl7.org/CodeSystem/condition-"
    return {
        "resourceType": "Condition",
        "clinicalStatus": {"coding": [{"system": system + "clinical", "code": status}]},
        "verificationStatus": {"coding": [{"system": system + "ver-status", "code": verification}]},
        "code": {"text": text},
        "subject": {"reference": "Patient/1288992"},
    }


def test_the_patients_conditions_give_the_contraindications_of_the_selected_drug(memory_api) -> None:
    conditions = bundle(
        _condition("Hepatic impairment"),
        _condition("Epilepsy", verification="refuted"),
        _condition("Essential hypertension"),
        kind="searchset",
    )
    body = order_select(TIZANIDINE, prefetch=NO_PREFETCH_NEEDED | {"conditions": conditions})

    response = _call(memory_api, "baclofen-order-select", body)

    cards = [c for c in _cards(response) if "topic" in c["source"]]  # not the kidney-function info card
    assert _rules(cards) == ["CI-TIZ-LIVER-001"] and cards[0]["indicator"] == "warning"
    notes = response.json()["extension"]["org.baclofen.notes"]
    assert any("not recognised, NOT checked: Essential hypertension" in n for n in notes)


def test_a_prefetch_sent_as_null_means_none_and_an_operation_outcome_that_the_client_failed(memory_api) -> None:
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "timeout"}]}
    prefetch = {"medications": None, "conditions": None, "kidney": outcome, "patient": None}
    body = order_select(TIZANIDINE, CIPROFLOXACIN, prefetch=prefetch)

    response = _call(memory_api, "baclofen-order-select", body)

    cards = _cards(response)
    assert not any(c["summary"].startswith("Active medications not known") for c in cards)  # known: none
    assert response.json()["extension"]["org.baclofen.notes"] == [
        "prefetch 'kidney': the client could not prefetch it (timeout)"
    ]


# --- prefetch: fetched from the FHIR server the request names -----------------------------------------------------
@pytest.fixture
def fhir_server() -> Iterator[JsonServer]:
    active = medication_request("cipro-9", "Ciprofloxacin 500 MG Oral Tablet", 500, 2, status="active")
    answers = {
        "/fhir/MedicationRequest?patient=1288992&status=active": bundle(active, kind="searchset"),
        "/fhir/Observation?patient=1288992": kidney_bundle("33914-3", 55, "mL/min/{1.73_m2}"),
        "/fhir/Condition?patient=1288992&clinical-status=active": bundle(kind="searchset"),
        "/fhir/Patient/1288992": {
            "resourceType": "Patient",
            "id": "1288992",
            "birthDate": "1970-05-01",
            "gender": "female",
        },
    }
    with JsonServer(
        lambda path: next((v for k, v in answers.items() if path.startswith(k)), None),
        base_path="/fhir",
        content_type="application/fhir+json",
        missing={"resourceType": "OperationOutcome"},
    ) as server:
        yield server


def _api_fetching_from(*servers: str) -> Api:
    """The API over a seeded in-memory store, allowed to fetch a missing prefetch from ``servers``."""
    clock = SettableClock(START)
    services = bootstrap(clock=clock, passwords=cheap_hasher())
    seed(services)
    settings = ApiSettings(secret_key=SECRET, dask_workers=1, cds_fhir_servers=servers)
    app = create_app(services, settings)
    return Api(app, TestClient(app, raise_server_exceptions=False), services, clock)


def test_a_missing_prefetch_is_fetched_from_the_fhir_server_with_the_bearer_token(fhir_server) -> None:
    api = _api_fetching_from(fhir_server.url + "/")
    body = order_select(TIZANIDINE, fhirServer=fhir_server.url, fhirAuthorization=fhir_authorization("tok-123"))

    response = _call(api, "baclofen-order-select", body)

    assert _rules([c for c in _cards(response) if c["indicator"] == "critical"]) == ["INT-TIZ-CYP1A2-001"]
    assert sorted(p.split("?")[0] for p, _ in fhir_server.requests) == [
        "/fhir/Condition",
        "/fhir/MedicationRequest",
        "/fhir/Observation",
        "/fhir/Patient/1288992",
    ]
    assert {auth for _, auth in fhir_server.requests} == {"Bearer tok-123"}
    assert response.json()["extension"]["org.baclofen.notes"] == []


def test_a_prefetch_sent_is_not_fetched_again(fhir_server) -> None:
    body = order_select(TIZANIDINE, prefetch=NO_PREFETCH_NEEDED | {"patient": {"resourceType": "Patient"}})
    body["fhirServer"] = fhir_server.url

    _cards(_call(_api_fetching_from(fhir_server.url), "baclofen-order-select", body))

    assert fhir_server.requests == []


def test_a_malformed_context_is_refused_before_the_fhir_server_is_asked(fhir_server) -> None:
    body = order_select(TIZANIDINE, fhirServer=fhir_server.url)
    body["context"]["draftOrders"] = {"resourceType": "Patient"}

    response = _call(_api_fetching_from(fhir_server.url), "baclofen-order-select", body)

    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "context.draftOrders"
    assert fhir_server.requests == []


def test_a_fhir_server_the_configuration_does_not_allow_is_not_asked(memory_api, fhir_server) -> None:
    body = order_select(TIZANIDINE, fhirServer=fhir_server.url)

    response = _call(memory_api, "baclofen-order-select", body)

    assert fhir_server.requests == []
    notes = response.json()["extension"]["org.baclofen.notes"]
    assert any("is not a server this service may ask (BACLOFEN_CDS_FHIR_SERVERS)" in n for n in notes)


@pytest.mark.parametrize(
    ("server", "why"),
    [
        (None, "no fhirServer in the request"),
        ("http://127.0.0.1:9/fhir", "could not be fetched from the FHIR server (ConnectError)"),
        ("ftp://example.org/fhir", "fhirServer is not an http(s) URL"),
    ],
)
def test_without_the_prefetch_or_a_server_that_answers_the_hook_says_what_it_could_not_check(server, why) -> None:
    api = _api_fetching_from("http://127.0.0.1:9/fhir")  # nothing listens on the discard port
    body = order_select(TIZANIDINE, CIPROFLOXACIN)
    if server is not None:
        body["fhirServer"] = server

    response = _call(api, "baclofen-order-select", body)

    cards = _cards(response)
    assert "INT-TIZ-CYP1A2-001" in _rules(cards)  # the session's own orders are still checked against each other
    unknown = [c for c in cards if c["summary"].startswith("Active medications not known")]
    assert unknown and unknown[0]["indicator"] == "info"
    notes = response.json()["extension"]["org.baclofen.notes"]
    assert any(n.startswith("prefetch 'medications'") and why in n for n in notes), notes


def test_the_fhir_servers_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv(CDS_FHIR_SERVERS_ENV, "https://ehr.example/fhir, http://10.0.0.5/r4")
    monkeypatch.setenv(SECRET_KEY_ENV, SECRET)

    assert ApiSettings.from_environment().cds_fhir_servers == ("https://ehr.example/fhir", "http://10.0.0.5/r4")


# --- patient-view -------------------------------------------------------------------------------------------------
def test_patient_view_of_a_stored_patient_shows_the_refill_due_with_its_reasoning(memory_api) -> None:
    visit = {"concentration_mcg_per_ml": 500, "refilled": "2026-03-02", "daily_dose_mcg": 300}
    r = memory_api.client.post("/api/v1/pumps/pump-1/visits", json=visit, headers=memory_api.auth("nurse1"))
    assert r.status_code == 201, r.text
    memory_api.clock.advance(days=20)

    response = _call(memory_api, "baclofen-patient-view", patient_view("P-1"), "nurse1")

    cards = _cards(response)
    kinds = {c["summary"].split(" ")[0] for c in cards}
    assert "Refill" in kinds, [c["summary"] for c in cards]
    refill = next(c for c in cards if c["summary"].startswith("Refill"))
    assert "**Why** (rule" in refill["detail"] and "not medical advice" in refill["detail"]
    assert refill["source"]["label"].startswith("baclofen decision support")
    entries = memory_api.services.audit.entries(actor="nurse:nurse1")
    assert (entries[-1].action, entries[-1].target, entries[-1].outcome.value) == (
        "cds_hooks.patient_view",
        "patient:P-1",
        "success",
    )


@pytest.mark.parametrize(("patient", "outcome"), [("Q-1", "denied"), ("P-404", "failed")])
def test_patient_view_of_a_patient_not_in_the_callers_clinic_has_no_card_and_says_why(
    memory_api, patient, outcome
) -> None:
    response = _call(memory_api, "baclofen-patient-view", patient_view(patient))

    assert _cards(response) == []
    assert f"no stored patient {patient!r} in your clinic" in response.json()["extension"]["org.baclofen.notes"][0]
    assert memory_api.services.audit.entries(actor="clinician:clin1")[-1].outcome.value == outcome


# --- malformed requests: 400 naming the field; who may call -------------------------------------------------------
@pytest.mark.parametrize(
    ("service", "body", "field"),
    [
        ("baclofen-order-select", {"hook": "order-select", "context": {}}, "hookInstance"),
        ("baclofen-order-select", order_sign(TIZANIDINE), "hook"),
        ("baclofen-order-sign", {**order_sign(TIZANIDINE), "context": []}, "context"),
        ("baclofen-order-sign", order_sign(TIZANIDINE) | {"context": {"patientId": "1"}}, "context.draftOrders"),
        (
            "baclofen-order-sign",
            order_sign({k: v for k, v in TIZANIDINE.items() if k != "subject"}),
            "context.draftOrders.entry[1].resource.subject",
        ),
        ("baclofen-order-select", {**order_select(TIZANIDINE), "context": {"patientId": 7}}, "context.patientId"),
        ("baclofen-patient-view", {**patient_view("P-1"), "context": {}}, "context.patientId"),
        ("baclofen-order-select", [1, 2], "body"),
        (
            "baclofen-order-select",
            order_select(TIZANIDINE, fhirAuthorization={"token_type": "Bearer"}),
            "fhirAuthorization.access_token",
        ),
    ],
)
def test_a_malformed_body_is_a_400_naming_the_field(memory_api, service, body, field) -> None:
    response = _call(memory_api, service, body)

    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]], response.json()


def test_a_body_that_is_not_json_is_a_400_and_an_unknown_service_a_404(memory_api) -> None:
    headers = {**memory_api.auth("clin1"), "Content-Type": "application/json"}
    not_json = memory_api.client.post("/cds-services/baclofen-order-sign", content=b"{nope", headers=headers)
    unknown = _call(memory_api, "no-such-service", order_sign(TIZANIDINE))

    assert not_json.status_code == 400 and not_json.json()["errors"][0]["field"] == "body"
    assert unknown.status_code == 404 and "GET /cds-services" in unknown.json()["detail"]


@pytest.mark.parametrize("username", ["pat1", "admin1"])
def test_only_clinicians_and_nurses_call_the_hooks(memory_api, username) -> None:
    headers = memory_api.auth(username)
    assert memory_api.client.get("/cds-services", headers=headers).status_code == 200  # open: no sensitive data
    assert _call(memory_api, "baclofen-order-select", order_select(TIZANIDINE), username).status_code == 403


def test_feedback_is_received_and_a_malformed_one_named(memory_api) -> None:
    item = {
        "card": "9368d37b-283f-44a0-93ea-547cebab93ed",
        "outcome": "overridden",
        "outcomeTimestamp": "2026-03-02T09:00:00Z",
    }
    ok = memory_api.client.post(
        "/cds-services/baclofen-order-sign/feedback", json={"feedback": [item]}, headers=memory_api.auth("clin1")
    )
    bad = memory_api.client.post(
        "/cds-services/baclofen-order-sign/feedback",
        json={"feedback": [{"card": 1}]},
        headers=memory_api.auth("clin1"),
    )

    assert ok.status_code == 200 and ok.json() == {"received": 1}
    assert bad.status_code == 400
    assert [e["field"] for e in bad.json()["errors"]] == [
        "feedback[0].card",
        "feedback[0].outcome",
        "feedback[0].outcomeTimestamp",
    ]


def test_an_accepted_card_names_the_suggestions_accepted(memory_api) -> None:
    item = {"card": "c-1", "outcome": "accepted", "outcomeTimestamp": "2026-03-02T09:00:00Z"}
    url = "/cds-services/baclofen-order-sign/feedback"
    headers = memory_api.auth("clin1")

    without = memory_api.client.post(url, json={"feedback": [item]}, headers=headers)
    named = memory_api.client.post(
        url, json={"feedback": [item | {"acceptedSuggestions": [{"id": "s-1"}]}]}, headers=headers
    )

    assert without.status_code == 400 and without.json()["errors"][0]["field"] == "feedback[0].acceptedSuggestions"
    assert named.status_code == 200


# --- never a server error -----------------------------------------------------------------------------------------
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
_drug_text = st.sampled_from(
    ["baclofen", "Tizanidine 4 MG", "cipro", "Zanaflex", "", "x" * 200, "Lioresal", "ATC:M03BX01"]
)
_resource = (
    st.fixed_dictionaries(
        {
            "resourceType": st.sampled_from(["MedicationRequest", "Observation", "Patient", "Bundle"]),
            "id": st.text(min_size=1, max_size=10),
            "status": st.sampled_from(["draft", "active", "stopped", "cancelled", "bogus"]),
            "intent": st.sampled_from(["order", "plan"]),
            "subject": st.just({"reference": "Patient/1"}) | _json,
            "doNotPerform": st.booleans(),
            "medicationCodeableConcept": st.fixed_dictionaries({"text": _drug_text}) | _json,
            "dosageInstruction": st.lists(
                st.fixed_dictionaries(
                    {
                        "timing": st.fixed_dictionaries(
                            {
                                "repeat": st.fixed_dictionaries(
                                    {
                                        "frequency": st.integers(-2, 1000),
                                        "period": st.floats(-1, 1e6, allow_nan=False),
                                        "periodUnit": st.sampled_from(["d", "h", "wk", "min", "a"]),
                                    }
                                )
                            }
                        ),
                        "doseAndRate": st.just([])
                        | st.lists(
                            st.fixed_dictionaries(
                                {
                                    "doseQuantity": st.fixed_dictionaries(
                                        {
                                            "value": st.floats(-5, 1e9, allow_nan=False),
                                            "code": st.sampled_from(["mg", "g", "mL"]),
                                        }
                                    )
                                }
                            ),
                            max_size=2,
                        ),
                    }
                ),
                max_size=2,
            ),
        }
    )
    | _json
)


@given(
    hook=st.sampled_from(["order-select", "order-sign", "patient-view"]),
    drafts=st.lists(_resource, max_size=3),
    prefetch=st.dictionaries(
        st.sampled_from(["medications", "kidney", "patient", "x"]), _json | _resource.map(bundle), max_size=3
    ),
    context_extra=st.dictionaries(st.sampled_from(["patientId", "selections", "draftOrders"]), _json, max_size=2),
)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_fuzzed_hook_call_is_a_server_error(memory_api, hook, drafts, prefetch, context_extra) -> None:
    selections = [f"MedicationRequest/{d.get('id')}" for d in drafts if isinstance(d, dict)]
    context = {"patientId": "P-1", "selections": selections, "draftOrders": bundle(*drafts)} | context_extra
    body = {"hook": hook, "hookInstance": "fuzz", "context": context, "prefetch": prefetch}

    response = _call(memory_api, f"baclofen-{hook}", body)

    assert response.status_code in (200, 400), response.text
    if response.status_code == 200:
        assert all(len(c["summary"]) < 140 for c in response.json()["cards"])


def test_the_readmes_example_request_gets_the_critical_card(memory_api) -> None:
    """docs/examples/cds-hooks-order-select.json (README, "CDS Hooks") is a request this service answers as said."""
    body = json.loads((Path(__file__).parents[2] / "docs" / "examples" / "cds-hooks-order-select.json").read_text())

    cards = _cards(_call(memory_api, "baclofen-order-select", body))

    assert [(c["indicator"], c["source"]["topic"]["code"]) for c in cards if c["indicator"] != "info"] == [
        ("critical", "INT-TIZ-CYP1A2-001")
    ]


def test_patient_view_on_the_demo_clinic_through_the_site_shows_overdue_refills_and_red_flags() -> None:
    """The whole site (API and pages) over the demo clinic: its stored patients' worklists as cards."""
    site = make_site()
    login = site.logins["clinician"]
    token = site.client.post("/api/v1/auth/token", json={"username": login.username, "password": login.password})
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    patients = [p["patient_id"] for p in site.client.get("/api/v1/patients", headers=headers).json()["items"]]

    cards = []
    for patient in patients:
        r = site.client.post("/cds-services/baclofen-patient-view", json=patient_view(patient), headers=headers)
        cards += _cards(r)

    kinds = {(c["indicator"], c["summary"].split(" ")[0]) for c in cards}
    assert {("critical", "Refill"), ("critical", "Diary")} <= kinds, kinds
    assert all(
        len(c["summary"]) < 140 and c["detail"].endswith("_Decision support for professionals, not medical advice._")
        for c in cards
    )
    assert all(c["source"]["topic"]["system"] == "https://baclofen.invalid/fhir/rule" for c in cards)
    browser = site.client.get("/cds-services/baclofen-order-sign", headers={**headers, "Accept": "text/html"})
    assert browser.status_code == 405 and browser.headers["content-type"] == "application/problem+json"


# --- review findings: units, intrathecal orders, dose steps, kidney units, one-step cuts ---------------------------
def _with_unit(order: dict[str, Any], unit: str, code: str | None = None) -> dict[str, Any]:
    """The order with its dose quantity in ``unit`` (UCUM ``code`` when given, else no code)."""
    quantity = order["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]
    quantity["unit"] = unit
    quantity.pop("code", None)
    quantity.pop("system", None)
    if code is not None:
        quantity |= {"code": code, "system": "http://unitsofmeasure.org"}
    return order


@pytest.mark.parametrize(
    "order",
    [
        medication_request("itb-1", "Baclofen intrathecal", 50, 1),
        medication_request("itb-2", "Baclofen 0.05 MG/ML intrathecal injection", 50, 1, rxnorm="1047437"),
    ],
    ids=["text", "rxnorm"],
)
def test_an_intrathecal_baclofen_order_in_mg_is_a_critical_mg_mcg_confusion(memory_api, order) -> None:
    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(order, prefetch=NO_PREFETCH_NEEDED)))

    critical = [c for c in cards if c["indicator"] == "critical"]
    assert "ITB-LIMIT-001" in _rules(critical), cards
    assert not any("mg_per_day" in c["detail"] or "not checked" in c["summary"] for c in cards)
    assert any("50000 mcg/day" in c["detail"] for c in critical)


def test_an_intrathecal_order_in_micrograms_is_checked_against_the_itb_limits(memory_api) -> None:
    order = _with_unit(medication_request("itb-3", "Baclofen intrathecal", 3000, 1), "ug", "ug")

    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(order, prefetch=NO_PREFETCH_NEEDED)))

    assert "ITB-DOSE-002" in _rules([c for c in cards if c["indicator"] == "critical"]), cards
    assert not any("not checked" in c["summary"] for c in cards)


@pytest.mark.parametrize(("unit", "code"), [("ug", "ug"), ("mcg", None), ("micrograms", None)])
def test_an_oral_dose_in_micrograms_is_converted_and_checked(memory_api, unit, code) -> None:
    order = _with_unit(medication_request("bac-9", "baclofen", 40000, 3), unit, code)  # 120 mg/day

    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(order, prefetch=NO_PREFETCH_NEEDED)))

    assert any("120 mg/day" in c["summary"] for c in cards), cards
    assert not any("not checked" in c["summary"] for c in cards)


@pytest.mark.parametrize(("unit", "code"), [("tablet", None), ("mg", "ug"), ("mL", "mL")])
def test_a_dose_in_an_unknown_or_ambiguous_unit_is_a_visible_warning(memory_api, unit, code) -> None:
    order = _with_unit(medication_request("bac-9", "baclofen", 20, 3), unit, code)

    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(order, prefetch=NO_PREFETCH_NEEDED)))

    [card] = [c for c in cards if "not checked" in c["summary"]]
    assert card["indicator"] == "warning" and "unit" in card["detail"]


BACLOFEN_80 = medication_request("bac-80", "Baclofen 20 MG Oral Tablet", 20, 4, status="active", rxnorm="197391")


@pytest.mark.parametrize(
    ("drafts", "medications"),
    [
        (
            [
                medication_request("bac-80", "Baclofen 20 MG Oral Tablet", 20, 4, status="stopped", rxnorm="197391"),
                medication_request("bac-5", "Baclofen 5 MG Oral Tablet", 5, 1),
            ],
            bundle(kind="searchset"),
        ),
        ([medication_request("bac-5", "Baclofen 5 MG Oral Tablet", 5, 1)], bundle(BACLOFEN_80, kind="searchset")),
    ],
    ids=["stop-and-new", "new-beside-active"],
)
def test_a_large_one_step_cut_of_oral_baclofen_is_critical_and_suggests_the_taper(
    memory_api, drafts, medications
) -> None:
    body = order_sign(*drafts, prefetch=NO_PREFETCH_NEEDED | {"medications": medications})

    cards = _cards(_call(memory_api, "baclofen-order-sign", body))

    [card] = [c for c in cards if "80 mg/day to 5 mg/day" in c["summary"]]
    assert card["indicator"] == "critical" and _rules([card]) == ["TAPER-ABRUPT-001"]
    assert "taper.max_step_mg_per_day" in card["detail"] and "10 mg/day" in card["detail"]
    actions = card["suggestions"][0]["actions"]
    assert {"type": "delete", "resourceId": "MedicationRequest/bac-5"}.items() <= actions[0].items()
    taper = MedicationRequest.model_validate(actions[-1]["resource"])
    assert taper.status == "draft" and taper.dosageInstruction


def test_a_cut_larger_than_one_taper_step_but_no_stop_is_a_warning(memory_api) -> None:
    draft = medication_request("bac-40", "Baclofen 20 MG Oral Tablet", 20, 2)  # 80 -> 40 mg/day
    body = order_sign(draft, prefetch=NO_PREFETCH_NEEDED | {"medications": bundle(BACLOFEN_80, kind="searchset")})

    cards = _cards(_call(memory_api, "baclofen-order-sign", body))

    [card] = [c for c in cards if "80 mg/day to 40 mg/day" in c["summary"]]
    assert card["indicator"] == "warning" and _rules([card]) == ["TAPER-STEP-001"]


def test_a_cut_within_one_taper_step_gets_no_card(memory_api) -> None:
    draft = medication_request("bac-70", "Baclofen 10 MG Oral Tablet", 10, 7)  # 80 -> 70 mg/day
    body = order_sign(draft, prefetch=NO_PREFETCH_NEEDED | {"medications": bundle(BACLOFEN_80, kind="searchset")})

    assert not [c for c in _cards(_call(memory_api, "baclofen-order-sign", body)) if c["indicator"] != "info"]


def _dosage(dose: dict[str, Any], repeat: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"timing": {"repeat": {"period": 1, "periodUnit": "d"} | repeat}, "doseAndRate": [dose]} | more


def _mg(value: float) -> dict[str, Any]:
    return {"value": value, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}


def _baclofen(*dosages: dict[str, Any]) -> dict[str, Any]:
    return medication_request("bac-t", "baclofen", 10, 3) | {"dosageInstruction": list(dosages)}


def test_successive_titration_steps_are_not_summed(memory_api) -> None:
    steps = [
        _dosage(
            {"doseQuantity": _mg(dose)},
            {"frequency": 3, "boundsPeriod": {"start": f"2026-03-{2 + 7 * i:02d}", "end": f"2026-03-{8 + 7 * i:02d}"}},
            sequence=i + 1,
        )
        for i, dose in enumerate((5, 10, 15, 20))
    ]

    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(_baclofen(*steps), prefetch=NO_PREFETCH_NEEDED)))

    assert not any("150 mg/day" in c["summary"] or "mg/day" in c["summary"] for c in cards), cards


def test_dosages_of_one_sequence_are_summed(memory_api) -> None:
    morning = _dosage({"doseQuantity": _mg(50)}, {"frequency": 1, "timeOfDay": ["08:00:00"]}, sequence=1)
    evening = _dosage({"doseQuantity": _mg(50)}, {"frequency": 1, "timeOfDay": ["20:00:00"]}, sequence=1)

    cards = _cards(
        _call(memory_api, "baclofen-order-sign", order_sign(_baclofen(morning, evening), prefetch=NO_PREFETCH_NEEDED))
    )

    assert any("100 mg/day" in c["summary"] for c in cards), cards


@pytest.mark.parametrize(
    ("dosage", "basis"),
    [
        (_dosage({"doseQuantity": _mg(20)}, {"frequency": 1, "frequencyMax": 8}), "frequencyMax"),
        (_dosage({"doseRange": {"low": _mg(10), "high": _mg(40)}}, {"frequency": 3}), "dose range"),
        (
            _dosage(
                {"doseQuantity": _mg(20)},
                {"frequency": 3},
                maxDosePerPeriod={"numerator": _mg(200), "denominator": {"value": 1, "unit": "d", "code": "d"}},
            ),
            "maxDosePerPeriod",
        ),
    ],
    ids=["frequencyMax", "doseRange", "maxDosePerPeriod"],
)
def test_the_most_an_order_allows_a_day_is_checked_and_said(memory_api, dosage, basis) -> None:
    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(_baclofen(dosage), prefetch=NO_PREFETCH_NEEDED)))

    over = [c for c in cards if c["indicator"] in ("warning", "critical") and "DOSE-BAC" in _rules([c])[0]]
    assert over, cards
    assert "the most the order allows a day" in over[0]["detail"] and basis in over[0]["detail"]


def _kidney_without_code(code: str, value: float, unit: str) -> dict[str, Any]:
    """A kidney Observation whose quantity gives a unit text and no UCUM code."""
    kidney = kidney_bundle(code, value, unit)
    quantity = kidney["entry"][0]["resource"]["valueQuantity"]
    del quantity["code"], quantity["system"]
    return kidney


@pytest.mark.parametrize(
    "kidney",
    [
        kidney_bundle("33914-3", 0.4, "mL/s/{1.73_m2}"),  # 24 mL/min/1.73 m2
        _kidney_without_code("33914-3", 24, "mL/min/1.73m2"),
        _kidney_without_code("62238-1", 24, "mL/min/1.73 m²"),
    ],
    ids=["ucum-mL/s", "text-mL/min/1.73m2", "text-superscript"],
)
def test_an_egfr_in_a_common_unit_is_converted_and_used(memory_api, kidney) -> None:
    order = medication_request("bac-k", "baclofen", 20, 3)

    cards = _cards(
        _call(memory_api, "baclofen-order-sign", order_sign(order, prefetch=NO_PREFETCH_NEEDED | {"kidney": kidney}))
    )

    assert any("CrCl 24 mL/min" in c["detail"] for c in cards if "DOSE-BAC-KIDNEY" in _rules([c])[0]), cards


@pytest.mark.parametrize(
    ("kidney", "why"),
    [
        (_kidney_without_code("33914-3", 0.2, "mL/s"), "mL/s"),  # an eGFR without its /1.73 m2: not guessed
        (kidney_bundle("33914-3", 30, "mL/h/{1.73_m2}"), "mL/h/{1.73_m2}"),
        (bundle(kind="searchset"), "no eGFR"),
    ],
    ids=["unit-without-area", "unknown-ucum", "none"],
)
def test_a_dose_checked_without_kidney_function_says_so_and_why_on_a_card(memory_api, kidney, why) -> None:
    order = medication_request("bac-k", "baclofen", 20, 3)

    cards = _cards(
        _call(memory_api, "baclofen-order-sign", order_sign(order, prefetch=NO_PREFETCH_NEEDED | {"kidney": kidney}))
    )

    [card] = [c for c in cards if c["summary"].startswith("Kidney function not known")]
    assert card["indicator"] == "info" and why in card["detail"] and "baclofen" in card["summary"]
    assert not any("DOSE-BAC-KIDNEY" in code for code in _rules(cards))


def test_a_creatinine_clearance_loinc_without_a_citation_is_not_read(memory_api) -> None:
    order = medication_request("bac-k", "baclofen", 20, 3)
    kidney = kidney_bundle("2164-2", 10, "mL/min")  # no confirmed LOINC code of a creatinine clearance

    cards = _cards(
        _call(memory_api, "baclofen-order-sign", order_sign(order, prefetch=NO_PREFETCH_NEEDED | {"kidney": kidney}))
    )

    assert not any("DOSE-BAC-KIDNEY" in code for code in _rules(cards))
    assert any(c["summary"].startswith("Kidney function not known") for c in cards)


def test_the_suggested_taper_has_a_structured_dose_per_step_and_clock_time(memory_api) -> None:
    stop = medication_request("bac-2", "baclofen 10 mg tablet", 10, 3, status="cancelled")

    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(stop, prefetch=NO_PREFETCH_NEEDED)))

    [card] = [c for c in cards if c["indicator"] == "critical"]
    taper = MedicationRequest.model_validate(card["suggestions"][0]["actions"][1]["resource"])
    first = taper.dosageInstruction[0]
    assert first.sequence == 1 and first.route.text == "oral"
    assert first.doseAndRate[0].doseQuantity.code == "mg" and first.doseAndRate[0].doseQuantity.value > 0
    repeat = first.timing.repeat
    assert repeat.boundsPeriod.start is not None and repeat.timeOfDay and repeat.frequency == 1
    assert len({d.sequence for d in taper.dosageInstruction}) > 1  # one sequence per step
    # read back as an order, the taper is its largest step: the 30 mg/day it starts below, not the steps summed
    again = taper.model_dump(mode="json", exclude_none=True) | {"id": "taper-1"}
    answer = _cards(_call(memory_api, "baclofen-order-sign", order_sign(again, prefetch=NO_PREFETCH_NEEDED)))
    assert not [c for c in answer if c["indicator"] != "info"], answer


# --- second review: intrathecal baclofen, rates, when/timeOfDay, MedicationStatement, the old order, the form ------
def _in_ug(resource: dict[str, Any]) -> dict[str, Any]:
    resource["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"].update(unit="ug", code="ug")
    return resource


@pytest.mark.parametrize(
    "stop",
    [
        _in_ug(medication_request("itb-1", "Baclofen intrathecal", 300, 1, status="stopped")),
        medication_request("itb-2", "Baclofen 0.05 MG/ML Injection", status="cancelled", rxnorm="1047437"),
        medication_request("itb-3", "Gablofen", 0.3, 1, status="draft") | {"doNotPerform": True},
    ],
)
def test_stopping_intrathecal_baclofen_gets_a_critical_withdrawal_card(memory_api, stop) -> None:
    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(stop, prefetch=NO_PREFETCH_NEEDED)))

    [card] = [c for c in cards if c["indicator"] == "critical"]
    assert card["summary"].startswith("Do not stop intrathecal baclofen")
    assert "boxed warning" in card["detail"] and "[S118]" in card["detail"] and "[S69]" in card["detail"]
    assert "high fever" in card["detail"] and "not medical advice" in card["detail"]


def _route(resource: dict[str, Any], route: dict[str, Any]) -> dict[str, Any]:
    resource["dosageInstruction"][0]["route"] = route
    return resource


@pytest.mark.parametrize(
    "route",
    [
        {"coding": [{"system": "http://snomed.info/sct", "code": "72607000", "display": "Intrathecal route"}]},
        {"text": "intrathecal"},
        {"coding": [{"system": "http://example.org/routes", "code": "IT", "display": "Intrathecal"}]},
    ],
)
def test_baclofen_by_the_intrathecal_route_is_judged_against_the_intrathecal_limits(memory_api, route) -> None:
    order = _route(medication_request("bac-it", "baclofen", 50, 1), route)

    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(order, prefetch=NO_PREFETCH_NEEDED)))

    critical = [c for c in cards if c["indicator"] == "critical"]
    assert critical and all("50000 mcg/day by the intrathecal route" in c["detail"] for c in critical)


@pytest.mark.parametrize(
    ("rate", "mcg_per_day"),
    [
        (
            {"rateQuantity": {"value": 3300, "unit": "ug/d", "system": "http://unitsofmeasure.org", "code": "ug/d"}},
            3300,
        ),
        ({"rateQuantity": {"value": 0.15, "unit": "mg/h"}}, 3600),
        (
            {
                "rateRatio": {
                    "numerator": {"value": 20, "unit": "mg", "code": "mg", "system": "http://unitsofmeasure.org"},
                    "denominator": {"value": 1, "unit": "d", "code": "d", "system": "http://unitsofmeasure.org"},
                }
            },
            20000,
        ),
    ],
)
def test_an_intrathecal_dose_given_as_a_rate_is_judged_per_day(memory_api, rate, mcg_per_day) -> None:
    order = medication_request("itb-rate", "Baclofen intrathecal", 1, 1)
    order["dosageInstruction"][0]["doseAndRate"] = [rate]

    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(order, prefetch=NO_PREFETCH_NEEDED)))

    critical = [c for c in cards if c["indicator"] == "critical"]
    assert critical and all(f"{mcg_per_day:g} mcg/day" in c["detail"] for c in critical)
    assert not any("not checked" in c["summary"] for c in cards)


def _new_dose_in_ml() -> dict[str, Any]:
    new = medication_request("bac-ml", "baclofen oral solution", 10, 3)
    new["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"] = {"value": 10, "unit": "mL", "code": "mL"}
    return new


def _new_after_a_gap() -> dict[str, Any]:
    new = medication_request("bac-gap", "Baclofen 10 MG Oral Tablet", 10, 3, rxnorm="197391")
    new["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"] = {"start": "2026-03-20"}
    return new


@pytest.mark.parametrize("new", [_new_dose_in_ml(), _new_after_a_gap()])
def test_a_stop_beside_a_new_order_of_unknown_dose_or_after_a_gap_is_still_an_abrupt_stop(memory_api, new) -> None:
    stop = medication_request("bac-1", "Baclofen 20 MG Oral Tablet", 20, 3, status="stopped", rxnorm="1292")

    response = _call(memory_api, "baclofen-order-sign", order_sign(stop, new, prefetch=NO_PREFETCH_NEEDED))

    [card] = [c for c in _cards(response) if c["summary"].startswith("Do not stop baclofen abruptly")]
    assert card["indicator"] == "critical" and "from 60 mg/day" in card["detail"]


@pytest.mark.parametrize(
    "repeat",
    [
        {"timeOfDay": ["08:00:00", "12:00:00", "16:00:00", "20:00:00"]},
        {"when": ["MORN", "NOON", "EVE", "NIGHT"]},
    ],
)
def test_doses_at_times_of_day_or_events_count_as_doses_a_day(memory_api, repeat) -> None:
    order = medication_request("bac-tod", "baclofen", 40, 1)
    order["dosageInstruction"][0]["timing"] = {"repeat": repeat}

    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(order, prefetch=NO_PREFETCH_NEEDED)))

    assert any("160 mg/day" in c["detail"] for c in cards if c["indicator"] == "critical")
    assert not any("not checked" in c["summary"] for c in cards)


def test_an_active_medication_statement_in_the_prefetch_is_an_active_medication(memory_api) -> None:
    statement = {
        "resourceType": "MedicationStatement",
        "id": "ms-1",
        "status": "active",
        "subject": {"reference": "Patient/1288992"},
        "medicationCodeableConcept": {"text": "fluvoxamine 100 mg tablet"},
    }
    prefetch = NO_PREFETCH_NEEDED | {"medications": bundle(statement, kind="searchset")}

    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(TIZANIDINE, prefetch=prefetch)))

    assert "INT-TIZ-CYP1A2-001" in _rules(cards)


def test_an_unreadable_medication_statement_makes_the_active_medications_unknown(memory_api) -> None:
    statement = {
        "resourceType": "MedicationStatement",
        "id": "ms-2",
        "status": "active",
        "medicationCodeableConcept": 7,
    }
    prefetch = NO_PREFETCH_NEEDED | {"medications": bundle(statement, kind="searchset")}

    response = _call(memory_api, "baclofen-order-sign", order_sign(TIZANIDINE, prefetch=prefetch))

    assert any(c["summary"].startswith("Active medications not known") for c in _cards(response))


def test_the_taper_instead_of_a_one_step_cut_also_stops_the_active_order(memory_api) -> None:
    active = medication_request("bac-act", "Baclofen 20 MG Oral Tablet", 20, 4, status="active", rxnorm="197392")
    cut = medication_request("bac-cut", "Baclofen 10 MG Oral Tablet", 10, 1, rxnorm="197391")
    prefetch = NO_PREFETCH_NEEDED | {"medications": bundle(active, kind="searchset")}

    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(cut, prefetch=prefetch)))

    [card] = [c for c in cards if c["summary"].startswith("Baclofen cut from 80 mg/day to 10 mg/day")]
    actions = card["suggestions"][0]["actions"]
    assert [a["type"] for a in actions] == ["delete", "update", "create"]
    update = actions[1]
    assert update["resource"]["id"] == "bac-act" and update["resource"]["status"] == "stopped"
    assert update["resource"]["dosageInstruction"] == active["dosageInstruction"]  # the rest unchanged
    MedicationRequest.model_validate(update["resource"])


def test_the_taper_instead_of_a_stop_also_stops_the_other_active_baclofen_order(memory_api) -> None:
    active = medication_request("bac-act", "Baclofen 20 MG Oral Tablet", 20, 3, status="active", rxnorm="197392")
    stop = medication_request("bac-stop", "Baclofen 20 MG Oral Tablet", 20, 3, status="stopped", rxnorm="197392")
    prefetch = NO_PREFETCH_NEEDED | {"medications": bundle(active, kind="searchset")}

    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(stop, prefetch=prefetch)))

    [card] = [c for c in cards if c["summary"].startswith("Do not stop baclofen abruptly")]
    actions = card["suggestions"][0]["actions"]
    assert [(a["type"], a.get("resource", {}).get("status")) for a in actions] == [
        ("delete", None),
        ("update", "stopped"),
        ("create", "draft"),
    ]


def test_the_taper_of_a_patient_on_the_oral_suspension_keeps_the_suspension(memory_api) -> None:
    stop = medication_request("bac-liq", "Baclofen 5 MG/ML oral suspension", 20, 3, status="stopped", rxnorm="2593376")

    cards = _cards(_call(memory_api, "baclofen-order-sign", order_sign(stop, prefetch=NO_PREFETCH_NEEDED)))

    [card] = [c for c in cards if c["summary"].startswith("Do not stop baclofen abruptly")]
    create = card["suggestions"][0]["actions"][-1]["resource"]
    codes = {c["code"] for c in create["medicationCodeableConcept"]["coding"]}
    assert "2593376" in codes and "197391" not in codes
    texts = [d["text"] for d in create["dosageInstruction"]]
    assert all("mL" in t and "tablet" not in t for t in texts)
