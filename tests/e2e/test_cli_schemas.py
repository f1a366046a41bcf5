"""The serialisation contract (docs/serialisation.md): what the CLI prints with --json validates against the
JSON Schemas in docs/schemas, each document names its version, and the schemas refuse an undocumented key."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from baclofen.domain.documents import SCHEMAS
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.oral.taper import plan_taper
from baclofen.domain.oral.titration import plan_titration
from baclofen.domain.patient import PatientSnapshot
from tests.strategies import patients, start_dates
from tests.strategies_risk import itb_cut_timelines, itb_rate_timelines, oral_timelines

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "docs" / "schemas"
EXAMPLE_TIMELINE = ROOT / "docs" / "examples" / "timeline.json"


def _load() -> dict[str, dict[str, Any]]:
    return {p.name.removesuffix(".schema.json"): json.loads(p.read_text()) for p in sorted(SCHEMA_DIR.glob("*.json"))}


SCHEMA_FILES = _load()
REGISTRY = Registry().with_resources(
    [(schema["$id"], Resource.from_contents(schema)) for schema in SCHEMA_FILES.values()]
)


def errors(name: str, document: Any) -> list[str]:
    validator = Draft202012Validator(SCHEMA_FILES[name], registry=REGISTRY)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(document)]


def test_every_versioned_document_has_a_valid_2020_12_schema_and_a_section_in_the_doc_page() -> None:
    page = (ROOT / "docs" / "serialisation.md").read_text()
    assert set(SCHEMAS) | {"common"} == set(SCHEMA_FILES)
    for name, schema in SCHEMA_FILES.items():
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"urn:baclofen:schema:{name}"
        assert f"docs/schemas/{name}.schema.json" in page
    for name, version in SCHEMAS.items():
        assert version in page and version in SCHEMA_FILES[name]["title"]


def _cli(run_cli: Any, *args: str) -> dict[str, Any]:
    result = run_cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()


PLANS = [
    ("plan", "titrate", "--start-date", "2026-03-01"),
    ("plan", "titrate", "--start-date", "2026-03-01", "--product", "ozobax", "--doses-per-day", "4", "--age", "70"),
    ("plan", "titrate", "--start-date", "2026-03-01", "--product", "lyvispah", "--dialysis", "--drugs", "tizanidine"),
    (
        "plan",
        "titrate",
        "--start-date",
        "2026-03-01",
        "--target-mg-per-day",
        "120",
        "--locale",
        "uk",
        "--override",
        "ORAL-MAX-001=in hospital under supervision",
        "--clinician",
        "Dr A",
    ),
    ("plan", "taper", "--from-mg-per-day", "60", "--start-date", "2026-03-01"),
    ("plan", "taper", "--from-mg-per-day", "45", "--to-mg-per-day", "20", "--egfr", "50", "--whole-tablets-only"),
]


@pytest.mark.parametrize("args", PLANS, ids=lambda a: " ".join(a[1:4]))
def test_plan_json_validates_and_reads_back_in_simulate_regimen(run_cli: Any, tmp_path: Path, args: tuple) -> None:
    plan = _cli(run_cli, *args)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))

    simulation = _cli(run_cli, "simulate", "regimen", str(path))

    assert plan["schema_version"] == SCHEMAS["plan"] and errors("plan", plan) == []
    assert simulation["schema_version"] == SCHEMAS["simulation"] and errors("simulation", simulation) == []


@pytest.mark.parametrize(
    "args",
    [
        ("oral", "--dose-mg", "10"),
        ("oral", "--dose-mg", "10", "--doses", "6", "--crcl-ml-min", "30", "--condition", "ckd 4"),
        ("oral", "--dose-mg", "10", "--doses", "4", "--population", "200", "--seed", "1", "--crcl-range", "20:90"),
        ("oral", "--dose-mg", "10", "--doses", "3", "--dialysis", "--hd-session", "10:4", "--model", "kochak"),
        ("intrathecal", "--daily-dose-mcg", "300"),
        ("intrathecal", "--daily-dose-mcg", "300", "--bolus-mcg", "50", "--crcl-ml-min", "50", "--from-empty"),
        ("intrathecal", "--daily-dose-mcg", "0", "--bolus-mcg", "50", "--hours", "12"),
    ],
    ids=lambda a: " ".join(a),
)
def test_simulate_json_validates(run_cli: Any, args: tuple) -> None:
    data = _cli(run_cli, "simulate", *args)

    assert data["schema_version"] == SCHEMAS["simulation"]
    assert errors("simulation", data) == []


FILL = ("--volume-ml", "20", "--concentration-mcg-per-ml", "500", "--filled", "2026-03-01")
IMPLANTED = ("--implanted", "2019-05-01")


@pytest.mark.parametrize(
    "args",
    [
        ("--pump", "synchromed-ii-20", *FILL, "--daily-dose-mcg", "200"),
        ("--pump", "synchromed-ii-20", *FILL, "--daily-dose-mcg", "200", *IMPLANTED, "--eri-date", "2025-12-01"),
        ("--pump", "synchromed-ii-40", *FILL, "--flex", "06:00=20,22:00=10", *IMPLANTED, "--as-of", "2026-03-20"),
        ("--pump", "prometra-ii-20", *FILL, "--daily-dose-mcg", "400", *IMPLANTED, "--mri-date", "2026-03-10"),
        ("--pump", "synchromed-ii-20", *FILL[:1], "4", *FILL[2:], "--daily-dose-mcg", "1000"),
    ],
    ids=["simple", "eri", "flex-as-of", "prometra-mri", "no-refill-date"],
)
def test_pump_forecast_json_validates(run_cli: Any, args: tuple) -> None:
    data = _cli(run_cli, "pump", "forecast", *args)

    assert data["schema_version"] == SCHEMAS["pump-forecast"]
    assert errors("pump-forecast", data) == []


def test_the_example_timeline_and_its_risk_assessment_validate(run_cli: Any) -> None:
    timeline = json.loads(EXAMPLE_TIMELINE.read_text())

    risk = _cli(run_cli, "risk", str(EXAMPLE_TIMELINE))

    assert errors("timeline", timeline) == []
    assert risk["schema_version"] == SCHEMAS["risk"] and errors("risk", risk) == []


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    document=st.one_of(
        oral_timelines().map(lambda x: x[0]),
        itb_rate_timelines().map(lambda x: x[0]),
        itb_cut_timelines(beyond=True).map(lambda x: x[0]),
    )
)
def test_generated_timelines_and_their_assessments_validate(run_cli: Any, tmp_path: Path, document: dict) -> None:
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(document))

    risk = _cli(run_cli, "risk", str(path))

    assert errors("timeline", document) == []
    assert errors("risk", risk) == []


@settings(max_examples=40)
@given(
    patient=patients(),
    target=st.none() | st.floats(min_value=5, max_value=150),
    taper_from=st.none() | st.integers(min_value=1, max_value=24).map(lambda n: 5.0 * n),
    start=start_dates,
)
def test_every_plan_of_the_planners_validates(
    patient: PatientSnapshot, target: float | None, taper_from: float | None, start: date
) -> None:
    try:
        if taper_from is None:
            plan = plan_titration(start_date=start, patient=patient, target_mg_per_day=target)
        else:
            plan = plan_taper(start_date=start, from_mg_per_day=taper_from, patient=patient)
    except InvalidInputError as exc:  # a tablet that cannot give a tiny reduced dose (an oral solution can)
        assert exc.field == "product"
        return

    assert errors("plan", json.loads(json.dumps(plan.to_dict()))) == []


def test_a_key_the_schema_does_not_document_is_refused(run_cli: Any) -> None:
    """The schemas are closed: a key added to a document without its schema (and doc page) fails these tests."""
    plan = _cli(run_cli, *PLANS[0])
    plan["undocumented_mg"] = 5
    plan["steps"][0]["doses"][0]["undocumented"] = True

    assert len(errors("plan", plan)) == 2


def test_a_plan_and_a_forecast_with_the_clinics_values_validate_and_an_unknown_source_does_not() -> None:
    from baclofen.adapters.edge.plan import plan_taper_command
    from baclofen.adapters.edge.pump import forecast_pump_command
    from baclofen.adapters.memory import StaticSettings
    from baclofen.services import itb, planning

    clinic = StaticSettings({"taper.step_interval_days": 7, "pump.refill_margin_days": 12})
    plan = planning.plan_oral_taper(
        plan_taper_command(start_date="2026-03-02", from_mg_per_day=60, to_mg_per_day=0), clinic=clinic
    ).to_dict()
    forecast = itb.forecast_pump(
        forecast_pump_command(
            pump="synchromed-ii-20", volume_ml=20, concentration_mcg_per_ml=500, filled="2026-03-02", daily_dose_mcg=100
        ),
        clinic=clinic,
    ).to_dict()

    assert [s["source"] for s in plan["settings"] if "source" in s] == ["clinic"]
    assert errors("plan", plan) == [] and errors("pump-forecast", forecast) == []
    plan["settings"][0]["source"] = "request"
    assert errors("plan", plan) != []


@pytest.mark.parametrize("args", [("--locale", "us"), ("--locale", "uk", "--setting", "pump.refill_margin_days=10")])
def test_the_patient_guide_json_validates(run_cli: Any, args: tuple) -> None:
    data = _cli(run_cli, "guide", *args)

    assert data["schema_version"] == SCHEMAS["patient-guide"]
    assert errors("patient-guide", data) == []
