"""The input edge of the simulations: sessions, the CrCl range, the model, conditions, settings and the plan
document read into typed commands, every invalid field reported at once; the commands take no text."""

from __future__ import annotations

import json
from typing import Any

import pytest

from baclofen.adapters.edge.plan import plan_titration_command
from baclofen.adapters.edge.simulate import (
    simulate_intrathecal_command,
    simulate_oral_command,
    simulate_plan_command,
    simulate_population_command,
)
from baclofen.adapters.edge.text import parse_number_pair, parse_number_pairs
from baclofen.domain.errors import InvalidInputError, InvalidInputs
from baclofen.domain.oral.plan import Plan
from baclofen.domain.pk.parameters import OralModel
from baclofen.services.commands import SimulateIntrathecal, SimulateOral, SimulatePlan
from baclofen.services.planning import plan_oral_titration
from baclofen.services.simulation import simulate_plan


def _plan() -> Plan:
    return plan_oral_titration(plan_titration_command(start_date="2026-03-01"))


def _fields(error: InvalidInputError) -> list[str]:
    return [e.field for e in (error.errors if isinstance(error, InvalidInputs) else (error,))]


def test_number_pairs_from_text_or_pairs() -> None:
    assert parse_number_pair("10:90", "crcl_range") == (10.0, 90.0)
    assert parse_number_pair((10, 90), "crcl_range") == (10.0, 90.0)
    assert parse_number_pairs(["2:4", "50:4.5"], "hd_sessions") == ((2.0, 4.0), (50.0, 4.5))
    for bad in ("10", "a:b", "1:2:3", (1.0,)):
        with pytest.raises(InvalidInputError) as err:
            parse_number_pair(bad, "crcl_range", "LOW:HIGH in mL/min")
        assert err.value.field == "crcl_range" and err.value.expected == "LOW:HIGH in mL/min"


def test_an_oral_simulation_is_read_from_text() -> None:
    command = simulate_oral_command(
        dose_mg=10,
        dialysis=True,
        hd_sessions=["48:4"],
        model="Kochak",
        conditions="CKD stage 5, asthma",
        settings=["pk.renal.nonrenal_fraction=0.3"],
        population=100,
        crcl_range="5:15",
    )

    assert command == SimulateOral(
        10,
        dialysis=True,
        hd_sessions=((48.0, 4.0),),
        model=OralModel.KOCHAK,
        conditions=("CKD stage 5", "asthma"),
        settings={"pk.renal.nonrenal_fraction": 0.3},
        population=100,
        crcl_range=(5.0, 15.0),
    )


def test_an_oral_simulation_reports_every_invalid_text_field_at_once() -> None:
    with pytest.raises(InvalidInputs) as err:
        simulate_oral_command(
            dose_mg=10, hd_sessions=["48"], model="pbpk", settings=["nonsense"], crcl_range="5-15", conditions=[""]
        )

    assert _fields(err.value) == ["hd_sessions", "model", "conditions", "setting", "crcl_range"]


def test_an_intrathecal_simulation_is_read_from_text() -> None:
    command = simulate_intrathecal_command(daily_dose_mcg=600, settings=["pk.itb.ke0_per_h=0.5"])

    assert command == SimulateIntrathecal(600, settings={"pk.itb.ke0_per_h": 0.5})
    with pytest.raises(InvalidInputError) as err:
        simulate_intrathecal_command(daily_dose_mcg=600, settings=["pk.itb.ke0_per_h"])
    assert err.value.field == "setting"


def test_a_plan_document_is_read_at_the_edge_with_the_daily_doses_it_states() -> None:
    plan = _plan()
    document = json.loads(json.dumps(plan.to_dict()))
    document["steps"][0]["daily_dose_mg"] = 99.0

    command = simulate_plan_command(plan=document, washout_h=36.0)

    assert command.plan.steps == plan.steps
    assert command.stated_daily_doses_mg[0] == 99.0
    assert command.stated_daily_doses_mg[1:] == tuple(s.daily_dose_mg for s in plan.steps[1:])
    assert "PK-PLAN-001" in [f.rule_id for f in simulate_plan(command).findings]
    assert simulate_plan_command(plan=plan).stated_daily_doses_mg == ()


def test_errors_inside_a_plan_document_name_their_path_under_plan_with_the_other_fields() -> None:
    document: Any = json.loads(json.dumps(_plan().to_dict()))
    document["steps"][0]["start"] = "2026-02-30"

    with pytest.raises(InvalidInputs) as err:
        simulate_plan_command(plan=document, hd_sessions=["x"], model="pbpk")

    assert _fields(err.value) == ["plan.steps[0].start", "hd_sessions", "model"]
    with pytest.raises(InvalidInputError) as one:
        simulate_plan_command(plan=[])
    assert one.value.field == "plan"


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: SimulateOral(10, hd_sessions="48:4"), "hd_sessions"),  # type: ignore[arg-type]
        (lambda: SimulateOral(10, model="kochak"), "model"),  # type: ignore[arg-type]
        (lambda: SimulateOral(10, conditions="CKD"), "conditions"),  # type: ignore[arg-type]
        (lambda: SimulateOral(10, crcl_range="5:15"), "crcl_range"),  # type: ignore[arg-type]
        (lambda: SimulatePlan({"steps": []}), "plan"),  # type: ignore[arg-type]
        (lambda: SimulatePlan(_plan(), model="default"), "model"),  # type: ignore[arg-type]
    ],
)
def test_a_simulation_command_takes_no_text(build: Any, field: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        build()

    assert err.value.field == field


def test_a_null_plan_document_is_refused_naming_plan() -> None:
    with pytest.raises(InvalidInputError) as err:
        simulate_plan_command(plan=None)  # type: ignore[arg-type]

    assert err.value.field == "plan"


def test_a_population_request_is_an_oral_or_a_plan_simulation() -> None:
    oral = simulate_population_command(dose_mg=10.0, doses=3, population=500, seed=2, crcl_range="30:90")
    regimen = simulate_population_command(plan=json.loads(json.dumps(_plan().to_dict())), population=50, washout_h=0)

    assert isinstance(oral, SimulateOral) and (oral.doses, oral.population, oral.crcl_range) == (3, 500, (30.0, 90.0))
    assert isinstance(regimen, SimulatePlan) and regimen.population == 50 and regimen.washout_h == 0


def test_a_population_request_reports_every_invalid_field_at_once() -> None:
    with pytest.raises(InvalidInputs) as err:
        simulate_population_command(
            dose_mg=0, interval_h=-8, doses=0, step_h=99, crcl_ml_min=400, population=0, seed=-1, model="x"
        )

    assert set(_fields(err.value)) == {
        "dose_mg",
        "interval_h",
        "doses",
        "step_h",
        "crcl_ml_min",
        "population",
        "seed",
        "model",
    }


@pytest.mark.parametrize(
    ("given", "fields"),
    [
        ({"population": 10}, ["dose_mg"]),
        ({"population": 10, "dose_mg": 5, "plan": {}}, ["dose_mg"]),
        ({"population": 10, "dose_mg": 5, "washout_h": 3}, ["washout_h"]),
        ({"population": 10, "plan": {}, "doses": 3, "hours": 24}, ["doses", "hours", "plan.schema_version"]),
        ({"dose_mg": 5}, ["population"]),
    ],
)
def test_a_population_request_is_one_kind_of_simulation_with_a_population(given: dict[str, Any], fields) -> None:
    with pytest.raises(InvalidInputError) as err:
        simulate_population_command(**given)

    assert sorted(_fields(err.value)) == fields
