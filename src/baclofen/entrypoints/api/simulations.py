"""Exposure of the typical subject, answered in the request (nothing stored): ``POST /simulations/oral``,
``/simulations/intrathecal`` and ``/simulations/regimen`` are ``baclofen simulate oral|intrathecal|regimen``: each
body goes through the same edge builder and use case as the CLI command and is answered with the same document
as its ``--json``, within the same bounds (at most a year simulated and 200,000 time points, a few seconds). A
virtual population is refused here (422 on ``population``): it runs as a job, ``POST /simulations/population``.
Staff only; the simulations take no clinic setting (their settings are the request's own)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from baclofen.adapters.edge.collect import InputCollector
from baclofen.adapters.edge.simulate import (
    simulate_intrathecal_command,
    simulate_oral_command,
    simulate_plan_command,
)
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.records import STAFF_ROLES
from baclofen.entrypoints.api.answers import body_fields, cli_document
from baclofen.entrypoints.api.context import CallerDep
from baclofen.entrypoints.api.security import require_role
from baclofen.entrypoints.api.stateless_schemas import (
    SimulateIntrathecalRequest,
    SimulateOralRequest,
    SimulateRegimenRequest,
)
from baclofen.services.commands import SimulateOral, SimulatePlan
from baclofen.services.simulation import simulate_intrathecal, simulate_oral, simulate_plan

__all__ = ["POPULATION_PATH", "router"]

router = APIRouter(tags=["simulations"])

POPULATION_PATH = "/api/v1/simulations/population"


def _no_population(fields: InputCollector, population: int | None) -> None:
    if population is not None:
        fields.add(
            InvalidInputError(
                "population", f"left out: a virtual population runs as a job (POST {POPULATION_PATH})", population
            )
        )


def _oral_fields(body: SimulateOralRequest | SimulateRegimenRequest) -> dict[str, Any]:
    return {
        "crcl_ml_min": body.crcl_ml_min,
        "dialysis": body.dialysis,
        "hd_sessions": body.hd_sessions,
        "model": body.model,
        "step_h": body.step_h,
        "conditions": body.conditions,
        "settings": body.settings,
    }


@router.post("/simulations/oral", summary="Oral doses' plasma exposure, typical subject (baclofen simulate oral)")
def oral(body: SimulateOralRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    with body_fields(body.settings):
        fields = InputCollector()
        _no_population(fields, body.population)
        command: SimulateOral | None = fields.check(
            simulate_oral_command,
            dose_mg=body.dose_mg,
            interval_h=body.interval_h,
            doses=body.doses,
            hours=body.hours,
            **_oral_fields(body),
        )
        fields.raise_errors()
        assert command is not None  # built, or its errors raised
        return cli_document(simulate_oral(command))


@router.post(
    "/simulations/intrathecal",
    summary="Intrathecal infusion and bolus: CSF, effect site and plasma, typical subject "
    "(baclofen simulate intrathecal)",
)
def intrathecal(body: SimulateIntrathecalRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    with body_fields(body.settings):
        command = simulate_intrathecal_command(
            daily_dose_mcg=body.daily_dose_mcg,
            bolus_mcg=body.bolus_mcg,
            hours=body.hours,
            step_h=body.step_h,
            from_steady_state=not body.from_empty,
            crcl_ml_min=body.crcl_ml_min,
            dialysis=body.dialysis,
            settings=body.settings,
        )
        return cli_document(simulate_intrathecal(command))


@router.post(
    "/simulations/regimen", summary="A plan's regimen as exposure, typical subject (baclofen simulate regimen)"
)
def regimen(body: SimulateRegimenRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    with body_fields(body.settings):
        fields = InputCollector()
        _no_population(fields, body.population)
        command: SimulatePlan | None = fields.check(
            simulate_plan_command, plan=body.plan, washout_h=body.washout_h, **_oral_fields(body)
        )
        fields.raise_errors()
        assert command is not None  # built, or its errors raised
        return cli_document(simulate_plan(command))
