"""FHIR of a CDS Hooks call read into typed values: names (codes first), daily doses, stops, kidney function,
conditions; an invalid draft order names its path; a prefetch template rendered with the context."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fhir.resources.R4B.medicationrequest import MedicationRequest

from baclofen.adapters.cds_hooks_fhir import (
    Prefetched,
    read_medication_request,
    read_order_context,
    resolve_prefetch,
    review_orders_command,
)
from baclofen.adapters.fhir.dosage import read_daily_dose, read_dosage
from baclofen.adapters.fhir.export import covariate_observation
from baclofen.domain.cds.orders import recognise_order
from baclofen.domain.clinic.observations import CovariateObservation
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.patient import Sex
from tests.api.cds_hooks_examples import bundle, kidney_bundle, medication_request, order_sign

START = date(2026, 3, 2)


def _dosage(value: float, code: str, frequency: int, period: float, unit: str) -> list[dict[str, Any]]:
    repeat = {"frequency": frequency, "period": period, "periodUnit": unit}
    return [{"timing": {"repeat": repeat}, "doseAndRate": [{"doseQuantity": {"value": value, "code": code}}]}]


@pytest.mark.parametrize(
    ("dosage", "daily_mg", "doses"),
    [
        (_dosage(10, "mg", 3, 1, "d"), 30, 3),
        (_dosage(0.005, "g", 2, 1, "d"), 10, 2),
        (_dosage(4, "mg", 1, 8, "h"), 12, 3),
        (_dosage(70, "mg", 1, 1, "wk"), 10, None),
    ],
)
def test_a_daily_dose_is_read_from_a_dose_in_mg_and_a_frequency(dosage, daily_mg, doses) -> None:
    raw = medication_request("m-1", "baclofen") | {"dosageInstruction": dosage}

    order = read_medication_request(raw, "x")

    assert order.daily_dose_mg == pytest.approx(daily_mg) and order.doses_per_day == doses


@pytest.mark.parametrize(
    ("dosage", "why"),
    [
        (_dosage(5, "mL", 2, 1, "d"), "A dose in mg is not given"),
        (_dosage(5, "mg", 2, 1, "mo"), "A frequency per day, week or hour is not given"),
        ([{"text": "as directed"}], "A dose in mg is not given ('as directed')"),
    ],
)
def test_a_dose_that_cannot_be_read_says_why(dosage, why) -> None:
    order = read_medication_request(medication_request("m-1", "baclofen") | {"dosageInstruction": dosage}, "x")

    assert order.daily_dose_mg is None and order.dose_note.startswith(why)


def test_codes_come_before_texts_and_a_stop_is_recognised() -> None:
    raw = medication_request("m-2", "Some local name", status="stopped", rxnorm="1292")

    order = read_medication_request(raw, "x")

    assert order.names[0] == "RxNorm:1292" and order.stops and order.reference == "MedicationRequest/m-2"
    assert recognise_order(order) is not None and recognise_order(order).key == "baclofen"  # by its code


def test_a_contained_medication_is_named_by_its_code() -> None:
    raw = medication_request("m-3", "x")
    del raw["medicationCodeableConcept"]
    raw["contained"] = [{"resourceType": "Medication", "id": "med", "code": {"text": "Zanaflex 4 mg"}}]
    raw["medicationReference"] = {"reference": "#med"}

    order = read_medication_request(raw, "x")

    assert order.label == "Zanaflex 4 mg" and recognise_order(order).key == "tizanidine"


def test_an_invalid_order_names_its_path() -> None:
    raw = medication_request("m-4", "baclofen")
    del raw["subject"]

    with pytest.raises(InvalidInputError) as error:
        read_medication_request(raw, "context.draftOrders.entry[0].resource")

    assert error.value.field == "context.draftOrders.entry[0].resource.subject"


def test_the_latest_kidney_function_and_the_patient_are_read_from_the_prefetch() -> None:
    older = kidney_bundle("33914-3", 80, "mL/min/{1.73_m2}", when="2025-01-01")
    newer = kidney_bundle("62238-1", 35, "mL/min/{1.73_m2}", when="2026-02-01")
    kidney = bundle(older["entry"][0]["resource"], newer["entry"][0]["resource"])
    patient = {"resourceType": "Patient", "birthDate": "1956-03-03", "gender": "male"}
    prefetched = Prefetched({"kidney": kidney, "patient": patient})

    command = review_orders_command(
        "order-sign", "h", read_order_context("order-sign", order_sign()["context"]), prefetched, START
    )

    assert command.patient.egfr_ml_min_1_73m2 == 35 and command.patient.crcl_ml_min is None
    assert command.patient.age_years == 69 and command.patient.sex is Sex.MALE
    assert command.active is None and command.conditions is None  # not sent: not known, not "none"


def test_a_prefetch_template_is_rendered_with_the_context_and_unknown_tokens_are_not_fetched() -> None:
    templates = {"a": "Patient/{{context.patientId}}", "b": "Encounter/{{context.encounterId}}"}

    fetched = resolve_prefetch(templates, {"patientId": "1"}, {"a": {"resourceType": "Patient"}}, None, None)

    assert fetched.data == {"a": {"resourceType": "Patient"}}
    assert fetched.unavailable == ("prefetch 'b' not sent and not fetched: no fhirServer in the request",)


def test_the_kidney_function_of_our_own_fhir_export_is_read_with_dialysis() -> None:
    observed = CovariateObservation(
        "cov-1", "P-1", date(2026, 2, 1), datetime(2026, 2, 1, 9, tzinfo=UTC), "nurse:n", crcl_ml_min=25, dialysis=True
    )
    prefetched = Prefetched({"kidney": bundle(covariate_observation(observed))})

    command = review_orders_command(
        "order-sign", "h", read_order_context("order-sign", order_sign()["context"]), prefetched, START
    )

    assert command.patient.crcl_ml_min == 25 and command.patient.dialysis is True


def test_a_kidney_value_in_another_unit_than_its_code_says_is_not_used() -> None:
    prefetched = Prefetched({"kidney": kidney_bundle("33914-3", 1.2, "mL/s")})

    command = review_orders_command(
        "order-sign", "h", read_order_context("order-sign", order_sign()["context"]), prefetched, START
    )

    assert command.patient.crcl_ml_min is None
    assert command.patient.egfr_ml_min_1_73m2 is None
    assert "an eGFR of 1.2 (2026-02-20): the unit code 'mL/s'" in command.kidney_unknown_why


def _step(dose_mg: float, start: str, end: str, **more: Any) -> dict[str, Any]:
    repeat = {"frequency": 2, "period": 1, "periodUnit": "d", "boundsPeriod": {"start": start, "end": end}}
    return {"timing": {"repeat": repeat}, "doseAndRate": [{"doseQuantity": {"value": dose_mg, "code": "mg"}}]} | more


@pytest.mark.parametrize(
    ("dosages", "daily_mg"),
    [
        ([_step(10, "2026-03-01", "2026-03-08"), _step(20, "2026-03-08", "2026-03-15")], 40),  # periods in turn
        ([_step(10, "2026-03-01", "2026-03-10"), _step(20, "2026-03-05", "2026-03-15")], 60),  # overlapping
        ([_step(10, "2026-03-01", "2026-03-10", sequence=1), _step(20, "2026-03-05", "2026-03-15", sequence=2)], 40),
    ],
    ids=["successive", "overlapping", "other-sequence"],
)
def test_dosages_taken_together_are_summed_and_successive_ones_are_not(dosages, daily_mg) -> None:
    order = read_medication_request(medication_request("m-1", "baclofen") | {"dosageInstruction": dosages}, "x")

    assert order.daily_dose_mg == pytest.approx(daily_mg) and not order.dose_basis


def test_the_import_reads_the_scheduled_dose_and_the_order_review_the_most_allowed() -> None:
    dosage = _dosage(20, "mg", 1, 1, "d")
    dosage[0]["timing"]["repeat"]["frequencyMax"] = 4
    models = MedicationRequest.model_validate(medication_request("m-1", "baclofen") | {"dosageInstruction": dosage})

    assert read_daily_dose(models.dosageInstruction)[0] == 20  # a MedicationStatement's dose as taken
    assert read_dosage(models.dosageInstruction).max_daily_mg == 80
    assert "frequencyMax" in read_dosage(models.dosageInstruction).basis
