"""Import of another system's FHIR R4 (issue 13: "import Patient, MedicationStatement and Observation"): an EHR-style
Patient without our extension takes its sex from gender, its age from birthDate on the import's date and its origin
and locale from the import options (never a default); LOINC body weight, serum creatinine and eGFR Observations
become covariate observations (UCUM conversions); any other Observation is reported as not imported, with why; a
MedicationStatement is described (drug recognised by the catalogue or unknown)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from baclofen.adapters.fhir.codes import PROJECT_BASE
from baclofen.adapters.fhir.export import export_patient_bundle
from baclofen.adapters.fhir.reading import FhirInputError, ImportOptions, read_patient_bundle
from baclofen.domain.clinic.patient_file import PatientFile
from baclofen.domain.patient import Locale, PatientSnapshot, Sex, SpasticityOrigin
from baclofen.domain.records import PatientRecord

EHR_BUNDLE = Path(__file__).resolve().parents[2] / "data" / "fhir" / "ehr_patient_bundle.json"
TODAY = date(2026, 12, 5)
OPTIONS = ImportOptions(TODAY, SpasticityOrigin.CEREBRAL, Locale.UK)


@pytest.fixture
def ehr() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EHR_BUNDLE.read_text(encoding="utf-8"))
    return document


def _resource(bundle: dict[str, Any], loinc: str) -> dict[str, Any]:
    return next(
        e["resource"] for e in bundle["entry"] if loinc in json.dumps(e["resource"].get("code", {}).get("coding", []))
    )


def _with_observation(bundle: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``bundle`` with a copy of its weight Observation changed (its code, value, status ...)."""
    observation = copy.deepcopy(_resource(bundle, "29463-7")) | changes
    observation["id"] = "added"
    out = copy.deepcopy(bundle)
    out["entry"].append({"fullUrl": "urn:uuid:added", "resource": observation})
    return out


def test_an_ehr_patient_is_read_with_the_import_options_and_its_loinc_covariates(ehr) -> None:
    reading = read_patient_bundle(ehr, OPTIONS)

    snapshot = reading.file.record.snapshot
    assert reading.file.patient_id == "5f0c3b1e-8a2d-4c6e-9b7a-1d2e3f4a5b6c"
    assert (snapshot.sex, snapshot.age_years) == (Sex.FEMALE, 58)  # born 1968-04-12, imported 2026-12-05
    assert (snapshot.origin, snapshot.locale) == (SpasticityOrigin.CEREBRAL, Locale.UK)
    assert (snapshot.weight_kg, snapshot.serum_creatinine_mg_dl) == (72.5, 1.1)
    observed = {(o.observed_on, o.weight_kg, o.serum_creatinine_mg_dl) for o in reading.file.covariates}
    assert observed == {(date(2026, 1, 14), 72.5, None), (date(2026, 1, 14), None, 1.1)}
    creatinine = next(o for o in reading.file.covariates if o.serum_creatinine_mg_dl)
    assert creatinine.recorded_at == datetime(2026, 1, 14, 20, 45, tzinfo=UTC)  # issued
    assert creatinine.recorded_by == "not stated (FHIR import)"


def test_what_is_not_imported_is_reported_with_why_and_the_statement_is_described(ehr) -> None:
    result = read_patient_bundle(ehr, OPTIONS).to_dict()

    not_imported = {(n["resource_type"], n["entry"]): n["why"] for n in result["not_imported"]}
    assert set(not_imported) == {("Encounter", 1), ("Observation", 4), ("MedicationStatement", 5)}
    assert "Body Height" in not_imported[("Observation", 4)] and "29463-7" in not_imported[("Observation", 4)]
    [statement] = result["medication_statements"]
    assert statement["drug"] == "baclofen" and statement["recognised"] is True
    assert statement["dosage_text"] == ["10 mg by mouth three times a day"]
    assert (statement["daily_dose_mg"], statement["daily_dose_not_read"]) == (30.0, None)  # 10 mg three times a day


def test_an_unknown_drug_is_reported_as_unknown_not_refused(ehr) -> None:
    bundle = copy.deepcopy(ehr)
    statement = bundle["entry"][5]["resource"]
    statement["medicationCodeableConcept"] = {"text": "Zzyzx 5 mg"}
    statement["dosage"] = [{"text": "once a day"}]

    [described] = read_patient_bundle(bundle, OPTIONS).medication_statements

    assert (described["drug"], described["recognised"], described["medication"]) == (None, False, "Zzyzx 5 mg")
    assert described["daily_dose_mg"] is None
    assert described["daily_dose_not_read"] == "A dose in mg is not given ('once a day')."


@pytest.mark.parametrize(
    ("loinc", "quantity", "field", "expected"),
    [
        ("29463-7", {"value": 160, "code": "[lb_av]", "system": "http://unitsofmeasure.org"}, "weight_kg", 72.57),
        ("2160-0", {"value": 106.1, "code": "umol/L"}, "serum_creatinine_mg_dl", 1.2),
        ("62238-1", {"value": 55, "code": "mL/min/{1.73_m2}"}, "egfr_ml_min_1_73m2", 55.0),
        ("33914-3", {"value": 48, "unit": "mL/min/{1.73_m2}"}, "egfr_ml_min_1_73m2", 48.0),
    ],
)
def test_loinc_covariates_are_converted_from_their_ucum_units(ehr, loinc, quantity, field, expected) -> None:
    code = {"coding": [{"system": "http://loinc.org", "code": loinc}]}
    bundle = _with_observation(ehr, code=code, valueQuantity=quantity, issued="2026-02-01T08:00:00Z")

    added = [o for o in read_patient_bundle(bundle, OPTIONS).file.covariates if o.recorded_at.month == 2]

    assert [round(getattr(o, field), 2) for o in added] == [expected]


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"status": "preliminary"}, "only final, amended or corrected"),
        ({"valueQuantity": {"value": 12, "code": "[stone_av]"}}, "we convert only kg, [lb_av]"),
        ({"valueQuantity": None, "valueString": "heavy"}, "without a valueQuantity"),
        ({"code": {"coding": [{"system": "http://loinc.org", "code": "2164-2"}]}}, "not a covariate we keep"),
        ({"effectiveDateTime": "2026-01", "issued": None}, "without a full effectiveDateTime"),
        ({"effectiveDateTime": "2026-01-15", "issued": None}, "without the instant it was recorded"),
        ({}, "the same observation as entry 2"),
    ],
)
def test_an_observation_we_cannot_read_is_not_imported_with_why_and_the_rest_is(ehr, changes, why) -> None:
    bundle = _with_observation(ehr, **changes)
    for key in [k for k, v in changes.items() if v is None]:
        del bundle["entry"][-1]["resource"][key]

    reading = read_patient_bundle(bundle, OPTIONS)

    last = len(bundle["entry"]) - 1
    [(kind, said)] = [(kind, w) for kind, i, w in reading.not_imported if i == last]
    assert kind == "Observation" and why in said, said
    assert len(reading.file.covariates) == 2


def test_without_the_options_origin_and_locale_are_refused_naming_the_element_and_the_option(ehr) -> None:
    with pytest.raises(FhirInputError) as caught:
        read_patient_bundle(ehr, ImportOptions(TODAY, origin=SpasticityOrigin.SPINAL))

    [issue] = caught.value.issues
    assert issue.expression == (
        f"Bundle.entry[0].resource.extension('{PROJECT_BASE}/StructureDefinition/patient-snapshot').extension('locale')"
    )
    assert "CLI --locale, API ?locale=" in issue.diagnostics and "no default" in issue.diagnostics


def test_an_impossible_value_or_an_unusable_birth_date_is_named(ehr) -> None:
    heavy = _with_observation(ehr, valueQuantity={"value": 4000, "code": "kg"}, issued="2026-02-01T08:00:00Z")
    with pytest.raises(FhirInputError) as caught:
        read_patient_bundle(heavy, OPTIONS)
    assert [i.expression for i in caught.value.issues] == [
        f"Bundle.entry[{len(heavy['entry']) - 1}].resource.valueQuantity"
    ]

    unborn = copy.deepcopy(ehr)
    unborn["entry"][0]["resource"]["birthDate"] = "2027-01-01"
    with pytest.raises(FhirInputError) as caught:
        read_patient_bundle(unborn, OPTIONS)
    assert [i.expression for i in caught.value.issues] == ["Bundle.entry[0].resource.birthDate"]

    no_weight = copy.deepcopy(ehr)
    del no_weight["entry"][2]  # a serum creatinine without a weight: Cockcroft-Gault cannot be computed
    with pytest.raises(FhirInputError) as caught:
        read_patient_bundle(no_weight, OPTIONS)
    [issue] = caught.value.issues
    assert issue.expression == "Bundle.entry[0].resource" and "serum_creatinine_mg_dl" in issue.diagnostics

    year_only = copy.deepcopy(ehr)
    year_only["entry"][0]["resource"]["birthDate"] = "1968"
    del year_only["entry"][3]  # a serum creatinine needs the age (Cockcroft-Gault)
    reading = read_patient_bundle(year_only, OPTIONS)
    assert reading.file.record.snapshot.age_years is None
    assert (
        "Patient",
        0,
        "birthDate '1968' is not a full date (YYYY-MM-DD): the age is not set",
    ) in reading.not_imported


def test_our_extension_wins_over_the_options() -> None:
    snapshot = PatientSnapshot(age_years=40, sex=Sex.MALE, origin=SpasticityOrigin.SPINAL, locale=Locale.US)
    bundle = export_patient_bundle(PatientFile(PatientRecord("P-OURS", snapshot)), datetime(2026, 12, 1, tzinfo=UTC))

    reading = read_patient_bundle(bundle, OPTIONS)

    assert reading.file.record.snapshot == snapshot
