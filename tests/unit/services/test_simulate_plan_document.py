"""`simulate regimen` reads a plan document through ``Plan.from_dict`` and ``Plan.to_regimen``: the exposure of a
plan file is the same, number for number, as when the plan was read by hand (hashes taken before the change)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from baclofen.adapters.edge.plan import plan_taper_command, plan_titration_command
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.oral.plan import Plan
from baclofen.domain.patient import PatientSnapshot
from baclofen.services.planning import plan_oral_taper, plan_oral_titration
from tests.simulations import plan_simulation

SERIES = ("times_h", "concentration_ng_per_ml", "daily", "steady_state", "cmax_ng_per_ml", "auc_ng_h_per_ml")


def _titration() -> Plan:
    return plan_oral_titration(plan_titration_command(start_date="2026-03-01", dose_times="07:30,13:20,21:10"))


def _taper() -> Plan:
    return plan_oral_taper(
        plan_taper_command(from_mg_per_day=60, start_date="2026-03-01", patient=PatientSnapshot(crcl_ml_min=45.0))
    )


def _liquid() -> Plan:
    return plan_oral_titration(
        plan_titration_command(start_date="2026-03-01", product="ozobax", target_mg_per_day=30, doses_per_day=4)
    )


def _fingerprint(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps({k: data[k] for k in SERIES}, sort_keys=True).encode()).hexdigest()


@pytest.mark.parametrize(
    ("make", "sha256", "doses", "rule_ids"),
    [
        (_titration, "1c89802c4de9ffe436e6130c193f27e8d4242daf8c02f0fec28527577fb54d22", 40, ["PK-KIDNEY-002"]),
        (
            _taper,
            "998b7f1462f74cf9a7b40a211ce36bb06db1b0f6271236cb5a4361d753ee5114",
            84,
            ["PK-BAND-003", "PK-KIDNEY-004"],
        ),
        (_liquid, "10bb8dd9e26b2fa6c98ff335440b7ffe0d374200cb3e10af64fc4bb8509157f5", 30, ["PK-KIDNEY-002"]),
    ],
    ids=["titration", "taper", "liquid"],
)
def test_the_exposure_of_a_plan_file_is_unchanged(make: Any, sha256: str, doses: int, rule_ids: list[str]) -> None:
    plan = make()
    document = json.loads(json.dumps(plan.to_dict()))

    from_file = plan_simulation(document, washout_h=36.0).to_dict()
    from_plan = plan_simulation(plan, washout_h=36.0).to_dict()

    assert _fingerprint(from_file) == sha256
    assert from_plan == from_file
    assert from_file["request"]["doses"] == doses
    assert [f["rule_id"] for f in from_file["findings"]] == rule_ids
    assert from_file["plan_findings"] == document["findings"]
    assert from_file["plan_offerable"] is document["offerable"]


def test_a_plan_document_of_another_version_is_refused_naming_schema_version() -> None:
    document = _titration().to_dict()
    document["schema_version"] = "baclofen-plan/2"

    with pytest.raises(InvalidInputError) as info:
        plan_simulation(document)

    assert info.value.field == "plan.schema_version"


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("steps", 0, "start"), "1850-01-01", "steps[0].start"),
        (("steps", 0, "doses", 0, "dose_mg"), 20000, "steps[0].doses[0].dose_mg"),
    ],
)
def test_dates_and_doses_beyond_what_a_simulation_takes_are_refused(path: tuple, value: Any, field: str) -> None:
    document = json.loads(json.dumps(_titration().to_dict()))
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    if field == "steps[0].doses[0].dose_mg":
        target["dispense"] = "many tablets"

    with pytest.raises(InvalidInputError) as info:
        plan_simulation(document)

    assert info.value.field == f"plan.{field}"
