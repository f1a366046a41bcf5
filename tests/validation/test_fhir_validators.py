"""The acceptance of issue 13 item 1: the FHIR export of the whole demo clinic validates with a second,
independent validator, the npm ``fhir`` package (FHIR.js 4.12.0, ``tests/fhir``: its validator checks every
resource against the R4 core StructureDefinitions it ships), besides fhir.resources (tests/unit/adapters/test_fhir.py).

``make test`` installs it (``npm ci --prefix tests/fhir``); without node the test is skipped, saying so."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from baclofen.adapters.fhir.export import export_patient_bundle
from baclofen.adapters.passwords import Argon2PasswordHasher
from baclofen.bootstrap import bootstrap
from baclofen.domain.records import DEMO_CLINIC_ID
from baclofen.services.fhir import clinic_patient_files

FHIR_TESTS = Path(__file__).resolve().parents[1] / "fhir"
AS_OF = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed: the npm fhir validator cannot run")


def validate(files: list[Path]) -> list[dict[str, object]]:
    assert (FHIR_TESTS / "node_modules" / "fhir").is_dir(), "run `npm ci --prefix tests/fhir` (make test does)"
    assert NODE is not None
    run = subprocess.run(
        [NODE, str(FHIR_TESTS / "validate.js"), *map(str, files)], capture_output=True, text=True, check=False
    )
    assert run.returncode in (0, 1), run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def test_the_demo_clinic_export_validates_with_the_npm_fhir_package(tmp_path: Path) -> None:
    services = bootstrap(passwords=Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1))
    services.write_demo_clinic(AS_OF, seed=1)
    files = []
    for file in clinic_patient_files(services.uow, DEMO_CLINIC_ID):
        path = tmp_path / f"{file.patient_id}.json"
        path.write_text(json.dumps(export_patient_bundle(file, AS_OF)), encoding="utf-8")
        files.append(path)
    results = validate(files)
    assert len(results) == 40
    assert [r for r in results if not r["valid"]] == []


def test_the_npm_validator_would_catch_a_broken_bundle(tmp_path: Path) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Observation", "code": {"text": "x"}, "valueQuantity": {"value": "x"}}}
        ],
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    [result] = validate([path])
    assert result["valid"] is False
    locations = {m["location"] for m in result["messages"]}  # type: ignore[union-attr]
    assert {"Observation.status", "Observation.valueQuantity.value"} <= locations


def test_the_ehr_example_bundle_is_valid_fhir_r4() -> None:
    """The Synthea-like Bundle the import tests read (tests/data/fhir) is itself valid R4, so those tests import
    real FHIR, not something only our reader accepts."""
    [result] = validate([Path(__file__).resolve().parents[1] / "data" / "fhir" / "ehr_patient_bundle.json"])
    assert result["valid"] is True, result["messages"]
