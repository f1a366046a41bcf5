"""FHIR R4 export and import of a patient's records (issue 13 items 1 and 6): the whole demo clinic exports to
Bundles that fhir.resources parses back, each patient round-trips (export, import into an empty store, export
again: the same Patient and Observations), and bad input is refused with an OperationOutcome naming the element,
nothing stored."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from baclofen.adapters.fhir.codes import PROJECT_BASE, resource_uuid
from baclofen.adapters.fhir.export import (
    EXPORTED_TYPES,
    export_clinic_ndjson,
    export_patient_bundle,
    saved_plan_document,
)
from baclofen.adapters.fhir.reading import FhirConflictError, FhirInputError, operation_outcome, read_patient_bundle
from baclofen.adapters.passwords import Argon2PasswordHasher
from baclofen.bootstrap import Services, bootstrap
from baclofen.domain.clinic.patient_file import PatientFile
from baclofen.domain.clinic.regimens import ProgramChangeRecord
from baclofen.domain.errors import ConflictError, NotFoundError
from baclofen.domain.itb.programs import continuous_program, flex_program
from baclofen.domain.records import DEMO_CLINIC_ID
from baclofen.services.commands import ImportPatientFile
from baclofen.services.fhir import clinic_patient_files, import_patient_file, read_patient_file

AS_OF = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
EXPORTED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
IMPORTED = ("Patient", "Observation")


def new_services() -> Services:
    return bootstrap(passwords=Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1))


@pytest.fixture(scope="module")
def demo() -> Services:
    services = new_services()
    services.write_demo_clinic(AS_OF, seed=1)
    return services


@pytest.fixture(scope="module")
def files(demo: Services) -> list[PatientFile]:
    return list(clinic_patient_files(demo.uow, DEMO_CLINIC_ID))


def resources(bundle: dict[str, Any], *kinds: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if not kinds or e["resource"]["resourceType"] in kinds]


def test_the_whole_demo_clinic_exports_bundles_fhir_resources_parses_back(files) -> None:
    assert len(files) == 40
    kinds: Counter[str] = Counter()
    for file in files:
        bundle = export_patient_bundle(file, EXPORTED_AT)
        parsed = Bundle.model_validate(json.loads(json.dumps(bundle)))
        assert parsed.type == "collection" and len(parsed.entry) == len(bundle["entry"])
        kinds.update(r["resourceType"] for r in resources(bundle))
    # every type the export writes is one the bulk export serves (and all but Condition occur in the demo clinic)
    assert set(EXPORTED_TYPES) - {"Condition"} <= set(kinds) <= set(EXPORTED_TYPES), kinds
    assert kinds["Patient"] == kinds["Provenance"] == 40
    assert kinds["Device"] == 15


def test_an_export_is_deterministic_and_its_ids_derive_from_our_record_ids(files) -> None:
    file = files[0]
    first, again = export_patient_bundle(file, EXPORTED_AT), export_patient_bundle(file, EXPORTED_AT)
    assert json.dumps(first) == json.dumps(again)
    patient = resources(first, "Patient")[0]
    assert patient["id"] == resource_uuid("patient", file.patient_id)
    assert first["entry"][0]["fullUrl"] == f"urn:uuid:{patient['id']}"
    assert patient["identifier"][0]["value"] == file.patient_id
    provenance = resources(first, "Provenance")[0]
    assert datetime.fromisoformat(provenance["recorded"]) == EXPORTED_AT
    others = {f"urn:uuid:{r['id']}" for r in resources(first) if r["resourceType"] != "Provenance"}
    assert {t["reference"] for t in provenance["target"]} == others


def test_codes_are_the_documented_ones_and_units_ucum(files) -> None:
    text = json.dumps([export_patient_bundle(f, EXPORTED_AT) for f in files])
    systems = set(_values(json.loads(text), "system"))
    assert systems <= {
        "http://unitsofmeasure.org",
        "http://www.nlm.nih.gov/research/umls/rxnorm",
        "http://www.whocc.no/atc",
        "http://snomed.info/sct",
        "http://terminology.hl7.org/CodeSystem/observation-category",
        "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
    } | {s for s in systems if s.startswith(PROJECT_BASE + "/")}
    assert "loinc" not in text.lower()
    units = {q["code"] for q in _quantities(json.loads(text))}
    assert units <= {
        "mg",
        "mg/d",
        "ug",
        "ug/d",
        "ug/mL",
        "mL",
        "kg",
        "mL/min",
        "mL/min/{1.73_m2}",
        "mg/dL",
        "a",
        "{score}",
    }
    snomed = {c["code"] for c in _codings(json.loads(text)) if c["system"] == "http://snomed.info/sct"}
    rxnorm = {c["code"] for c in _codings(json.loads(text)) if "rxnorm" in c["system"]}
    assert snomed <= {"221360009", "24700007"} and "221360009" in snomed
    assert "1292" in rxnorm and rxnorm <= {"1292", "197391", "2593376", "1047437"}
    inferred = [c for c in _codings(json.loads(text)) if "rxnorm" in c["system"] and c["code"] != "1292"]
    assert inferred and all("inferred" in c["display"] and c["userSelected"] is False for c in inferred)


def _values(node: Any, key: str) -> list[Any]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == key] + [x for v in node.values() for x in _values(v, key)]
    if isinstance(node, list):
        return [x for v in node for x in _values(v, key)]
    return []


def _quantities(node: Any) -> list[dict[str, Any]]:
    found = [node] if isinstance(node, dict) and node.get("system") == "http://unitsofmeasure.org" else []
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    return found + [q for child in children for q in _quantities(child)]


def _codings(node: Any) -> list[dict[str, Any]]:
    return [c for codings in _values(node, "coding") for c in codings]


def test_every_demo_patient_round_trips_through_an_empty_store(files) -> None:
    store = new_services()
    for file in files:
        exported = export_patient_bundle(file, EXPORTED_AT)
        reading = read_patient_bundle(json.loads(json.dumps(exported)))
        stored = import_patient_file(store.uow, ImportPatientFile(reading.file, DEMO_CLINIC_ID))
        assert replace(stored, plans=()) == replace(file.importable(), plans=())
        assert _documents(stored.plans) == _documents(file.plans)
        again = export_patient_bundle(read_patient_file(store.uow, file.patient_id), EXPORTED_AT)
        assert resources(again, *IMPORTED) == resources(exported, *IMPORTED)
    assert any(f.scores for f in files) and any(f.covariates for f in files)


def test_export_only_resources_are_listed_as_not_imported(files) -> None:
    file = next(f for f in files if f.pumps and f.plans)
    reading = read_patient_bundle(export_patient_bundle(file, EXPORTED_AT))
    kinds = {kind for kind, _, _ in reading.not_imported}
    assert {"MedicationAdministration", "Provenance", "MedicationStatement"} <= kinds


def refusal(document: object) -> dict[str, Any]:
    with pytest.raises(FhirInputError) as caught:
        read_patient_bundle(document)
    return operation_outcome(caught.value.issues)


def expressions(outcome: dict[str, Any]) -> list[str]:
    return [e for issue in outcome["issue"] for e in issue["expression"]]


def test_a_malformed_element_is_named_in_an_operation_outcome(files) -> None:
    bundle = export_patient_bundle(files[0], EXPORTED_AT)
    index = next(i for i, e in enumerate(bundle["entry"]) if "valueQuantity" in e["resource"])
    bad = copy.deepcopy(bundle)
    bad["entry"][index]["resource"]["valueQuantity"]["unit"] = 5
    outcome = refusal(bad)
    assert outcome["resourceType"] == "OperationOutcome"
    assert f"Bundle.entry[{index}].resource.valueQuantity.unit" in expressions(outcome)


def test_our_own_checks_name_the_element_and_every_refusal_is_reported(files) -> None:
    bundle = copy.deepcopy(export_patient_bundle(files[0], EXPORTED_AT))
    covariates = next(i for i, e in enumerate(bundle["entry"]) if "component" in e["resource"])
    score = next(i for i, e in enumerate(bundle["entry"]) if "valueQuantity" in e["resource"])
    bundle["entry"][covariates]["resource"]["component"][0]["valueQuantity"]["code"] = "[lb_av]"
    bundle["entry"][score]["resource"]["valueQuantity"]["value"] = 11
    found = expressions(refusal(bundle))
    assert f"Bundle.entry[{covariates}].resource.component[0].valueQuantity.code" in found
    assert f"Bundle.entry[{score}].resource.valueQuantity" in found


def test_a_patient_without_origin_and_locale_or_a_bundle_without_one_patient_is_refused(files) -> None:
    bundle = copy.deepcopy(export_patient_bundle(files[0], EXPORTED_AT))
    del bundle["entry"][0]["resource"]["extension"]
    outcome = refusal(bundle)
    snapshot = f"Bundle.entry[0].resource.extension('{PROJECT_BASE}/StructureDefinition/patient-snapshot')"
    assert expressions(outcome) == [f"{snapshot}.extension('origin')", f"{snapshot}.extension('locale')"]
    assert ["CLI --origin, API ?origin=" in i["diagnostics"] for i in outcome["issue"]] == [True, False]
    assert all("no default" in i["diagnostics"] for i in outcome["issue"])
    assert expressions(refusal({"resourceType": "Bundle", "type": "collection"})) == ["Bundle.entry"]
    assert expressions(refusal({"resourceType": "Patient"})) == ["Bundle"]


def test_an_import_is_all_or_nothing_and_never_overwrites_a_patient(files) -> None:
    store = new_services()
    file = next(f for f in files if f.covariates and f.scores)
    reading = read_patient_bundle(export_patient_bundle(file, EXPORTED_AT))
    import_patient_file(store.uow, ImportPatientFile(reading.file, DEMO_CLINIC_ID))
    with pytest.raises(ConflictError):
        import_patient_file(store.uow, ImportPatientFile(reading.file, DEMO_CLINIC_ID))
    # a file whose last score is already stored (under another patient): the patient is not stored either
    other = PatientFile(
        file.record.__class__("P-NEW", file.record.snapshot),
        scores=tuple(s.__class__(**{**_fields(s), "patient_id": "P-NEW"}) for s in file.scores),
    )
    with pytest.raises(ConflictError):
        import_patient_file(store.uow, ImportPatientFile(other, DEMO_CLINIC_ID))
    with pytest.raises(NotFoundError):
        read_patient_file(store.uow, "P-NEW")


def _fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__dataclass_fields__}


def test_the_clinic_bulk_export_gives_every_resource_once_with_resolvable_references(files) -> None:
    lines = list(export_clinic_ndjson(files, EXPORTED_AT))
    bundles = [export_patient_bundle(f, EXPORTED_AT) for f in files]
    assert len(lines) == sum(len(b["entry"]) for b in bundles)
    resources_by_key = {}
    for kind, line in lines:
        assert "\n" not in line
        resource = json.loads(line)
        assert resource["resourceType"] == kind
        resources_by_key[f"{kind}/{resource['id']}"] = resource
    assert len(resources_by_key) == len(lines)  # every id once
    references = _values([json.loads(line) for _, line in lines], "reference")
    assert references and all(ref in resources_by_key for ref in references)


def test_an_unknown_resource_type_or_a_foreign_subject_is_named_not_a_crash(files) -> None:
    bundle = copy.deepcopy(export_patient_bundle(files[0], EXPORTED_AT))
    unknown = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Foo"}}]}
    assert expressions(refusal(unknown)) == ["Bundle.entry[0].resource.resourceType"]
    index = next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "Observation")
    bundle["entry"][index]["resource"]["subject"] = {"reference": "Patient/someone-else"}
    assert expressions(refusal(bundle)) == [f"Bundle.entry[{index}].resource.subject"]


FILL_VOLUME = f"{PROJECT_BASE}/StructureDefinition/fill-volume"
CONCENTRATION = f"{PROJECT_BASE}/StructureDefinition/concentration"


def test_an_itb_fill_gives_the_delivered_rate_never_the_reservoir_volume_as_a_dose(files) -> None:
    """A refill's mL (at 2000 ug/mL, 13 mL is 26,000 ug) read as ``dosage.dose`` is a 1000x-class error: the fill
    gives the program's ug/d as ``rateQuantity``, its volume and concentration in named extensions."""
    fills = [
        r
        for f in files
        for r in resources(export_patient_bundle(f, EXPORTED_AT), "MedicationAdministration")
        if r["id"] in {resource_uuid("fill", f"{p.pump.pump_id}/{i}") for p in f.pumps for i in range(99)}
    ]
    assert fills
    for fill in fills:
        assert "dose" not in fill.get("dosage", {}), fill
        extensions = {e["url"]: e["valueQuantity"] for e in fill["extension"]}
        assert extensions[FILL_VOLUME]["code"] == "mL" and extensions[FILL_VOLUME]["value"] > 0
    with_rate = [f for f in fills if "dosage" in f]
    assert with_rate and all(f["dosage"]["rateQuantity"]["code"] == "ug/d" for f in with_rate)
    assert all(
        e["valueQuantity"]["code"] == "ug/mL" for f in fills for e in f["extension"] if e["url"] == CONCENTRATION
    )


def _numbers(node: Any) -> list[float]:
    """The numbers a reader sees (not those of the records' own JSON documents, as stored, read by machines)."""
    documents = {f"{PROJECT_BASE}/StructureDefinition/{n}" for n in ("saved-plan", "pump-record", "program-change")}
    if isinstance(node, dict) and node.get("url") in documents:
        return []
    if isinstance(node, dict):
        return [n for v in node.values() for n in _numbers(v)]
    if isinstance(node, list):
        return [n for v in node for n in _numbers(v)]
    if isinstance(node, str):
        return [float(m) for m in re.findall(r"\d+\.\d+", node)]
    return [float(node)] if isinstance(node, float) else []


def test_no_number_of_the_demo_export_carries_float_noise(files) -> None:
    """Every number of every demo patient's Bundle (values and the numbers in texts) has at most 3 decimals."""
    numbers = [n for f in files for n in _numbers(export_patient_bundle(f, EXPORTED_AT))]
    assert numbers
    noisy = sorted({n for n in numbers if round(n, 3) != n})
    assert not noisy, noisy[:10]


def _on(text: str) -> Any:
    return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)


def test_oral_periods_are_completed_active_or_intended_as_of_the_export(files) -> None:
    today = EXPORTED_AT.date()
    seen = set()
    for file in files:
        for statement in resources(export_patient_bundle(file, EXPORTED_AT), "MedicationStatement"):
            period = statement["effectivePeriod"]
            start, end = _on(period["start"]), _on(period["end"]) if "end" in period else None
            expected = "intended" if start > today else "completed" if end is not None and end < today else "active"
            assert statement["status"] == expected, period
            seen.add(expected)
    assert {"completed", "active"} <= seen


def test_the_program_in_effect_at_the_export_is_active_earlier_ones_completed(files) -> None:
    file = next(f for f in files if f.pumps)
    pump = file.pumps[0]
    at = [datetime(2026, 11, d, 9, 0, tzinfo=UTC) for d in (2, 20)] + [datetime(2026, 12, 2, 9, 0, tzinfo=UTC)]
    changes = tuple(
        ProgramChangeRecord(pump.pump.pump_id, i, when, continuous_program(200 + 10 * i), 200.0, "c:a", "spasms")
        for i, when in enumerate(at)
    )
    changed = replace(file, pumps=(replace(pump, program_changes=changes), *file.pumps[1:]))
    requests = {r["id"]: r for r in resources(export_patient_bundle(changed, EXPORTED_AT), "MedicationRequest")}
    status = [requests[resource_uuid("program-change", ch.change_id)]["status"] for ch in changes]
    # in effect at 1 December 09:30: the one of 20 November; the one of 2 December is still to come (an order
    # authorized and not yet done is active too), never completed
    assert status == ["completed", "active", "active"]


def test_an_alert_is_a_final_detected_issue_its_state_in_an_extension(files) -> None:
    url = f"{PROJECT_BASE}/StructureDefinition/alert-state"
    states = set()
    for file in files:
        bundle = export_patient_bundle(file, EXPORTED_AT)
        by_id = {resource_uuid("alert", a.alert_id): a for a in file.alerts}
        for issue in resources(bundle, "DetectedIssue"):
            assert issue["status"] == "final"  # R4 observation-status: the assessment is made, open or not
            if issue["id"] in by_id:
                (state,) = [e["valueCode"] for e in issue["extension"] if e["url"] == url]
                assert state == by_id[issue["id"]].state.value
                states.add(state)
    assert "open" in states


def _observation_indexes(bundle: dict[str, Any]) -> list[int]:
    return [i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "Observation"]


def test_an_invalid_observation_status_is_refused_naming_the_element(files) -> None:
    bundle = copy.deepcopy(export_patient_bundle(next(f for f in files if f.scores), EXPORTED_AT))
    index = _observation_indexes(bundle)[0]
    bundle["entry"][index]["resource"]["status"] = "bogus"
    outcome = refusal(bundle)
    assert expressions(outcome) == [f"Bundle.entry[{index}].resource.status"]
    assert "entered-in-error" in outcome["issue"][0]["diagnostics"]


@pytest.mark.parametrize("status", ["entered-in-error", "cancelled", "preliminary"])
def test_an_observation_entered_in_error_or_cancelled_is_not_imported_with_why(files, status: str) -> None:
    file = next(f for f in files if f.scores and f.covariates)
    bundle = copy.deepcopy(export_patient_bundle(file, EXPORTED_AT))
    first, *rest = _observation_indexes(bundle)
    bundle["entry"][first]["resource"]["status"] = status
    reading = read_patient_bundle(bundle)
    assert len(reading.file.covariates) + len(reading.file.scores) == len(rest)
    (why,) = [w for kind, i, w in reading.not_imported if i == first]
    assert status in why


@pytest.mark.parametrize(("part", "found"), [("weight", "a second 'weight'"), ("height", "'height'")])
def test_a_duplicated_or_unknown_part_of_the_snapshot_extension_is_refused(files, part: str, found: str) -> None:
    bundle = copy.deepcopy(export_patient_bundle(files[0], EXPORTED_AT))
    parts = bundle["entry"][0]["resource"]["extension"][0]["extension"]
    parts.append(
        {"url": part, "valueQuantity": {"value": 50, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}}
    )
    outcome = refusal(bundle)
    assert expressions(outcome) == [f"Bundle.entry[0].resource.extension[0].extension[{len(parts) - 1}]"]
    assert found in outcome["issue"][0]["diagnostics"]


def test_the_same_observation_twice_in_one_bundle_is_refused_naming_the_second(files) -> None:
    bundle = copy.deepcopy(export_patient_bundle(next(f for f in files if f.scores), EXPORTED_AT))
    first = _observation_indexes(bundle)[0]
    bundle["entry"].append(copy.deepcopy(bundle["entry"][first]))
    outcome = refusal(bundle)
    assert expressions(outcome) == [f"Bundle.entry[{len(bundle['entry']) - 1}].resource.identifier"]
    assert outcome["issue"][0]["code"] == "duplicate" and f"entry {first}" in outcome["issue"][0]["diagnostics"]


def test_a_patient_or_observation_already_stored_is_an_operation_outcome_naming_the_element(files) -> None:
    store = new_services()
    file = next(f for f in files if f.covariates and f.scores)
    bundle = export_patient_bundle(file, EXPORTED_AT)
    store.import_fhir_bundle(bundle, DEMO_CLINIC_ID)
    with pytest.raises(FhirConflictError) as twice:
        store.import_fhir_bundle(bundle, DEMO_CLINIC_ID)
    outcome = operation_outcome(twice.value.issues)
    assert expressions(outcome) == ["Bundle.entry[0].resource.identifier"]
    assert outcome["issue"][0]["code"] == "duplicate" and file.patient_id in outcome["issue"][0]["diagnostics"]
    moved = copy.deepcopy(bundle)
    moved["entry"][0]["resource"]["identifier"][0]["value"] = "P-MOVED"
    index = _observation_indexes(moved)[0]
    with pytest.raises(FhirConflictError) as stored:
        store.import_fhir_bundle(moved, DEMO_CLINIC_ID)
    assert expressions(operation_outcome(stored.value.issues)) == [f"Bundle.entry[{index}].resource.identifier"]
    with pytest.raises(NotFoundError):
        read_patient_file(store.uow, "P-MOVED")


def test_one_type_of_the_bulk_export_is_that_type_of_the_whole_export(files) -> None:
    everything = list(export_clinic_ndjson(files, EXPORTED_AT))
    for kind in ("Patient", "MedicationAdministration", "Provenance"):
        only = list(export_clinic_ndjson(files, EXPORTED_AT, kind))
        assert only and only == [(k, line) for k, line in everything if k == kind]
    with pytest.raises(ValueError, match="resource_type"):
        list(export_clinic_ndjson(files, EXPORTED_AT, "Foo"))


def _plan_parts(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The resources of the saved plans: their MedicationRequests, the dose periods and the plans' findings."""
    plans = [r for r in resources(bundle, "MedicationRequest") if r["intent"] == "plan"]
    refs = {f"urn:uuid:{r['id']}" for r in plans}
    findings = [
        r for r in resources(bundle, "DetectedIssue") if any(i["reference"] in refs for i in r.get("implicated", []))
    ]
    return plans + resources(bundle, "MedicationStatement") + findings


def test_saved_plans_round_trip_exactly_through_an_empty_store(files) -> None:
    store = new_services()
    with_plans = [f for f in files if f.plans]
    assert with_plans
    for file in with_plans:
        exported = export_patient_bundle(file, EXPORTED_AT)
        reading = read_patient_bundle(json.loads(json.dumps(exported)))
        assert _documents(reading.file.plans) == _documents(file.plans)
        import_patient_file(store.uow, ImportPatientFile(reading.file, DEMO_CLINIC_ID))
        stored = read_patient_file(store.uow, file.patient_id)
        assert _documents(stored.plans) == _documents(file.plans)
        again = export_patient_bundle(stored, EXPORTED_AT)
        assert _plan_parts(again) == _plan_parts(exported) and _plan_parts(exported)


def _documents(plans: Any) -> list[str]:
    """Saved plans as the JSON they are stored as (a plan read back holds its parameters as JSON values)."""
    return [json.dumps(saved_plan_document(p), sort_keys=True) for p in plans]


def test_pumps_with_their_visits_and_program_changes_round_trip_through_an_empty_store(files) -> None:
    store = new_services()
    file = next(f for f in files if f.pumps)
    pump = file.pumps[0]
    at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    change = ProgramChangeRecord(pump.pump.pump_id, 0, at, continuous_program(220), 200.0, "c:a", "spasms")
    changed = replace(file, pumps=(replace(pump, program_changes=(change,)), *file.pumps[1:]))
    exported = export_patient_bundle(changed, EXPORTED_AT)
    reading = read_patient_bundle(json.loads(json.dumps(exported)))
    assert reading.file.pumps == changed.pumps
    import_patient_file(store.uow, ImportPatientFile(reading.file, DEMO_CLINIC_ID))
    stored = read_patient_file(store.uow, file.patient_id)
    assert stored.pumps == changed.pumps
    again = export_patient_bundle(stored, EXPORTED_AT)
    kinds = ("Device", "MedicationAdministration", "MedicationRequest")
    assert resources(again, *kinds) == resources(exported, *kinds)


PUMP_RECORD = f"{PROJECT_BASE}/StructureDefinition/pump-record"


def _pump_bundle(files: list[PatientFile]) -> tuple[dict[str, Any], int, int, dict[str, Any]]:
    """An exported bundle of a patient with a pump: (bundle, the Device's entry, its extension, its pump record)."""
    bundle = copy.deepcopy(export_patient_bundle(next(f for f in files if f.pumps), EXPORTED_AT))
    index = next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "Device")
    extensions = bundle["entry"][index]["resource"]["extension"]
    at = next(j for j, x in enumerate(extensions) if x["url"] == PUMP_RECORD)
    return bundle, index, at, json.loads(extensions[at]["valueString"])


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("concentration_mcg_per_ml", 2_000_000, "<= 3000"),
        ("fill_ml", 2000, "capacity"),
        ("refilled_at", "2099-01-05T09:00:00+00:00", "not in the future"),
    ],
)
def test_an_impossible_pump_visit_is_refused_naming_it_and_nothing_is_stored(files, field, value, expected) -> None:
    bundle, index, at, record = _pump_bundle(files)
    last = len(record["visits"]) - 1
    record["visits"][last][field] = value
    bundle["entry"][index]["resource"]["extension"][at]["valueString"] = json.dumps(record)
    store = new_services()
    with pytest.raises(FhirInputError) as caught:
        store.import_fhir_bundle(bundle, DEMO_CLINIC_ID)
    outcome = operation_outcome(caught.value.issues)
    element = f"Bundle.entry[{index}].resource.extension[{at}].valueString.visits[{last}].{field}"
    assert expressions(outcome) == [element]
    assert expected in outcome["issue"][0]["diagnostics"]
    with pytest.raises(NotFoundError):
        read_patient_file(store.uow, next(f for f in files if f.pumps).patient_id)


def test_a_program_change_in_the_future_is_refused_naming_its_changed_at(files) -> None:
    file = next(f for f in files if f.pumps)
    pump = file.pumps[0]
    at = datetime(2099, 1, 1, 9, 0, tzinfo=UTC)
    change = ProgramChangeRecord(pump.pump.pump_id, 0, at, continuous_program(220), 200.0, "c:a", "spasms")
    changed = replace(file, pumps=(replace(pump, program_changes=(change,)), *file.pumps[1:]))
    exported = json.loads(json.dumps(export_patient_bundle(changed, EXPORTED_AT)))
    index = next(
        i
        for i, e in enumerate(exported["entry"])
        if any(x["url"].endswith("/program-change") for x in e["resource"].get("extension", []))
    )
    with pytest.raises(FhirInputError) as caught:
        new_services().import_fhir_bundle(exported, DEMO_CLINIC_ID)
    found = expressions(operation_outcome(caught.value.issues))
    assert len(found) == 1 and found[0].startswith(f"Bundle.entry[{index}].resource.extension[")
    assert found[0].endswith(".valueString.changed_at")


def test_a_program_change_beyond_the_pumps_flex_steps_is_refused_as_a_reprogramming_is(files) -> None:
    file = next(f for f in files if f.pumps)
    pump = file.pumps[0]
    at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    steps = pump.pump.model.max_rate_steps_per_day
    assert steps is not None
    program = flex_program([(m * 10, 8.0 + m % 2) for m in range(steps + 1)])
    change = ProgramChangeRecord(pump.pump.pump_id, 0, at, program, 200.0, "c:a", "spasms")
    changed = replace(file, pumps=(replace(pump, program_changes=(change,)), *file.pumps[1:]))
    exported = json.loads(json.dumps(export_patient_bundle(changed, EXPORTED_AT)))
    with pytest.raises(FhirInputError) as caught:
        new_services().import_fhir_bundle(exported, DEMO_CLINIC_ID)
    outcome = operation_outcome(caught.value.issues)
    assert len(expressions(outcome)) == 1 and expressions(outcome)[0].endswith(".valueString.program")
    assert f"at most {steps} steps a day" in outcome["issue"][0]["diagnostics"]


def test_a_saved_plan_saved_in_the_future_is_refused_naming_its_saved_at(files) -> None:
    bundle = copy.deepcopy(export_patient_bundle(next(f for f in files if f.plans), EXPORTED_AT))
    url = f"{PROJECT_BASE}/StructureDefinition/saved-plan"
    index, at = next(
        (i, j)
        for i, e in enumerate(bundle["entry"])
        for j, x in enumerate(e["resource"].get("extension", []))
        if x["url"] == url
    )
    extension = bundle["entry"][index]["resource"]["extension"][at]
    document = json.loads(extension["valueString"])
    document["saved_at"] = "2099-01-01T09:00:00+00:00"
    extension["valueString"] = json.dumps(document)
    with pytest.raises(FhirInputError) as caught:
        new_services().import_fhir_bundle(bundle, DEMO_CLINIC_ID)
    outcome = operation_outcome(caught.value.issues)
    assert expressions(outcome) == [f"Bundle.entry[{index}].resource.extension[{at}].valueString.saved_at"]
