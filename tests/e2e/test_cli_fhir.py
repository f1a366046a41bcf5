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

IMPORTED = ("Patient", "Observation")


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

    twice = run_cli("import", "fhir", str(exported), "--database-url", database_url)
    assert twice.exit_code == 1 and "already stored" in twice.stderr


def test_a_refused_element_is_named_and_nothing_is_stored(run_cli, demo_url, tmp_path: Path) -> None:
    result = run_cli("export", "fhir", "--patient", "P-0001", "--database-url", demo_url)
    bundle = json.loads(result.stdout)
    index = next(i for i, e in enumerate(bundle["entry"]) if "component" in e["resource"])
    bundle["entry"][index]["resource"]["component"][0]["valueQuantity"]["code"] = "[lb_av]"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(bundle), encoding="utf-8")
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    assert run_cli("db", "upgrade", "--database-url", empty).exit_code == 0

    refused = run_cli("import", "fhir", str(bad), "--database-url", empty)
    assert refused.exit_code == 2
    assert f"Bundle.entry[{index}].resource.component[0].valueQuantity.code" in refused.stderr
    missing = run_cli("export", "fhir", "--patient", "P-0001", "--database-url", empty)
    assert missing.exit_code != 0 and "P-0001" in missing.stderr
