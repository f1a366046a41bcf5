"""`baclofen export fhir --patient ID` and `baclofen import fhir FILE` (issue 13 items 1 and 6): a demo patient
exported from one database and imported into an empty one exports again the same Patient and Observations (on
SQLite and PostgreSQL); a refused element is named with exit code 2 and nothing is stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.databases import empty_database_url
from tests.fhir_ndjson import check_ndjson_files

IMPORTED = ("Patient", "Observation", "MedicationRequest", "MedicationStatement", "Device", "MedicationAdministration")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, run_cli, tmp_path) -> Iterator[str]:
    with empty_database_url(request.param, tmp_path) as url:
        assert run_cli("db", "upgrade", "--database-url", url).exit_code == 0
        yield url


@pytest.fixture
def demo_url(run_cli, tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert run_cli("db", "upgrade", "--database-url", url).exit_code == 0
    assert run_cli("demo-data", "--database-url", url, "--as-of", "2026-12-01").exit_code == 0
    return url


def imported_part(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in bundle["entry"] if e["resource"]["resourceType"] in IMPORTED]


def test_a_demo_patient_round_trips_through_the_cli(run_cli, demo_url, database_url, tmp_path: Path) -> None:
    exported = tmp_path / "p1.json"
    result = run_cli("export", "fhir", "--patient", "P-0001", "--database-url", demo_url, "-o", str(exported))
    assert result.exit_code == 0, result.stderr
    bundle = json.loads(exported.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle" and len(imported_part(bundle)) > 1

    result = run_cli("import", "fhir", str(exported), "--database-url", database_url, "--clinic", "demo")
    assert result.exit_code == 0, result.stderr
    assert "imported patient P-0001 into clinic demo" in result.stdout

    again = run_cli("export", "fhir", "--patient", "P-0001", "--database-url", database_url)
    assert again.exit_code == 0, again.stderr
    assert imported_part(json.loads(again.stdout)) == imported_part(bundle)

    twice = run_cli("import", "fhir", str(exported), "--database-url", database_url, "--clinic", "demo")
    assert twice.exit_code == 1 and "already stored" in twice.stderr
    assert "Bundle.entry[0].resource.identifier" in twice.stderr


def test_a_refused_element_is_named_and_nothing_is_stored(run_cli, demo_url, tmp_path: Path) -> None:
    result = run_cli("export", "fhir", "--patient", "P-0001", "--database-url", demo_url)
    bundle = json.loads(result.stdout)
    index = next(i for i, e in enumerate(bundle["entry"]) if "component" in e["resource"])
    bundle["entry"][index]["resource"]["component"][0]["valueQuantity"]["code"] = "[lb_av]"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bundle), encoding="utf-8")
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert run_cli("db", "upgrade", "--database-url", empty).exit_code == 0

    refused = run_cli("import", "fhir", str(bad), "--database-url", empty, "--clinic", "demo")
    assert refused.exit_code == 2
    assert f"Bundle.entry[{index}].resource.component[0].valueQuantity.code" in refused.stderr
    missing = run_cli("export", "fhir", "--patient", "P-0001", "--database-url", empty)
    assert missing.exit_code != 0 and "P-0001" in missing.stderr


def test_an_impossible_pump_visit_is_refused_and_nothing_is_stored(run_cli, demo_url, tmp_path: Path) -> None:
    """A concentration 1000x (mg/mL for mcg/mL) in the last visit of the Device's pump-record: refused, nothing
    stored (the review's t_conc1000x.json)."""
    bundle = json.loads(run_cli("export", "fhir", "--patient", "P-0001", "--database-url", demo_url).stdout)
    index = next(i for i, e in enumerate(bundle["entry"]) if e["resource"]["resourceType"] == "Device")
    extension = next(x for x in bundle["entry"][index]["resource"]["extension"] if x["url"].endswith("/pump-record"))
    record = json.loads(extension["valueString"])
    record["visits"][-1]["concentration_mcg_per_ml"] = 2_000_000
    extension["valueString"] = json.dumps(record)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bundle), encoding="utf-8")
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert run_cli("db", "upgrade", "--database-url", empty).exit_code == 0

    refused = run_cli("import", "fhir", str(bad), "--database-url", empty, "--clinic", "demo")

    assert refused.exit_code == 2, refused.stdout
    last = len(record["visits"]) - 1
    assert f"Bundle.entry[{index}].resource.extension[" in refused.stderr
    assert f"valueString.visits[{last}].concentration_mcg_per_ml" in refused.stderr
    missing = run_cli("export", "fhir", "--patient", "P-0001", "--database-url", empty)
    assert missing.exit_code != 0 and "P-0001" in missing.stderr


EHR_BUNDLE = Path(__file__).resolve().parents[1] / "data" / "fhir" / "ehr_patient_bundle.json"
EHR_PATIENT = "5f0c3b1e-8a2d-4c6e-9b7a-1d2e3f4a5b6c"


def test_an_ehr_bundle_is_imported_with_origin_and_locale_and_what_is_not_is_listed(run_cli, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ehr.sqlite3'}"
    assert run_cli("db", "upgrade", "--database-url", url).exit_code == 0

    refused = run_cli("import", "fhir", str(EHR_BUNDLE), "--database-url", url, "--clinic", "C-1")
    assert refused.exit_code == 2
    assert ".extension('origin'): the patient's origin" in refused.stderr and "CLI --origin" in refused.stderr
    assert ".extension('locale')" in refused.stderr and "CLI --locale" in refused.stderr

    bad = run_cli("import", "fhir", str(EHR_BUNDLE), "--database-url", url, "--clinic", "C-1", "--origin", "spine")
    assert bad.exit_code == 2 and "--origin" in bad.stderr

    args = ("--database-url", url, "--clinic", "C-1", "--origin", "cerebral", "--locale", "uk")
    result = run_cli("import", "fhir", str(EHR_BUNDLE), *args)
    assert result.exit_code == 0, result.stderr
    assert f"imported patient {EHR_PATIENT} into clinic C-1: 2 covariate observations" in result.stdout
    assert "not imported: entry 4 Observation: not a covariate we keep (Body Height)" in result.stdout
    assert "not imported: entry 1 Encounter" in result.stdout
    assert "'baclofen 10 MG Oral Tablet' (recognised as baclofen, 30 mg/day; status active)" in result.stdout

    exported = run_cli("export", "fhir", "--patient", EHR_PATIENT, "--database-url", url)
    assert exported.exit_code == 0, exported.stderr
    patient = json.loads(exported.stdout)["entry"][0]["resource"]
    parts = {p["url"]: p for p in patient["extension"][0]["extension"]}
    assert (parts["origin"]["valueCode"], parts["locale"]["valueCode"]) == ("cerebral", "uk")
    assert (
        parts["weight"]["valueQuantity"]["value"] == 72.5 and parts["serum-creatinine"]["valueQuantity"]["value"] == 1.1
    )
    assert patient["gender"] == "female" and parts["age"]["valueQuantity"]["value"] >= 58


def test_a_clinic_bulk_export_writes_one_valid_ndjson_file_per_type(run_cli, demo_url, tmp_path: Path) -> None:
    from baclofen.domain.records import DEMO_CLINIC_ID

    folder = tmp_path / "bulk"
    result = run_cli(
        "export", "fhir", "--all", "--clinic", DEMO_CLINIC_ID, "--ndjson-dir", str(folder), "--database-url", demo_url
    )
    assert result.exit_code == 0, result.stderr
    assert f"exported 40 patients of clinic {DEMO_CLINIC_ID}" in result.stdout

    files = {
        path.name.removesuffix(".ndjson"): path.read_text(encoding="utf-8").splitlines() for path in folder.iterdir()
    }
    assert {"Patient", "Observation", "Device", "Provenance"} <= set(files)
    keys = check_ndjson_files(files)  # every line valid, every reference resolves across the files
    assert len([k for k in keys if k.startswith("Patient/")]) == 40

    again = run_cli(
        "export", "fhir", "--all", "--clinic", DEMO_CLINIC_ID, "--ndjson-dir", str(folder), "--database-url", demo_url
    )
    assert again.exit_code == 2 and "--ndjson-dir" in again.stderr and "DetectedIssue.ndjson" in again.stderr
    for args in (("--all", "--ndjson-dir", str(tmp_path / "x")), ("--all", "--clinic", "demo"), ("--clinic", "demo")):
        wrong = run_cli("export", "fhir", *args, "--database-url", demo_url)
        assert wrong.exit_code == 2, (args, wrong.stderr)


def test_an_import_names_the_clinic_that_keeps_the_patient(run_cli, demo_url, tmp_path: Path) -> None:
    """Without --clinic the imported patient would be visible to no one: the option is required, and named."""
    exported = tmp_path / "p1.json"
    assert (
        run_cli("export", "fhir", "--patient", "P-0001", "--database-url", demo_url, "-o", str(exported)).exit_code == 0
    )
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert run_cli("db", "upgrade", "--database-url", empty).exit_code == 0

    refused = run_cli("import", "fhir", str(exported), "--database-url", empty)

    assert refused.exit_code == 2 and "--clinic" in refused.stderr
    assert run_cli("export", "fhir", "--patient", "P-0001", "--database-url", empty).exit_code != 0
