"""Stateless calculators over the use cases (nothing stored, no patient record read): oral titration and
taper plans, a pump's reservoir forecast, a drug's dose check. Plans and forecasts use the caller's clinic's
settings profile (a body's own ``settings`` win), and list each value used, the clinic's with ``"source":
"clinic"``. Each body is read by the same edge builder
as the CLI's command, so a field is checked the same way and every invalid one is reported at once."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from baclofen.adapters.edge.cds import check_drug_dose_command
from baclofen.adapters.edge.plan import plan_taper_command, plan_titration_command
from baclofen.adapters.edge.pump import forecast_pump_command
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.records import STAFF_ROLES
from baclofen.entrypoints.api.context import CallerDep
from baclofen.entrypoints.api.problems import Problem, field_errors
from baclofen.entrypoints.api.schemas import (
    DoseCheckRequest,
    ForecastRequest,
    PlanPatient,
    TaperRequest,
    TitrationRequest,
)
from baclofen.entrypoints.api.security import actor_label, require_role
from baclofen.entrypoints.json_values import json_ready
from baclofen.services import cds, itb, planning

__all__ = ["router"]

router = APIRouter(tags=["calculators"])

#: The fields of a plan's patient, reported under ``patient.`` (the edge names them as the CLI options).
_PATIENT_FIELDS = dict.fromkeys((*PlanPatient.model_fields, "dialysis"), "patient")


def _plan_fields(body: TitrationRequest | TaperRequest, who: CallerDep) -> dict[str, Any]:
    return {
        "start_date": body.start_date,
        "patient": body.patient.model_dump() if body.patient is not None else None,
        "product": body.product,
        "step_interval_days": body.step_interval_days,
        "dose_times": body.dose_times,
        "overrides": body.overrides,
        "clinician": actor_label(who.user),
        "settings": body.settings,
        "current_drugs": body.current_drugs,
        "doses_per_day": body.doses_per_day,
    }


def _patient_errors(exc: InvalidInputError) -> Problem:
    """A plan's input errors with the patient's fields under ``patient.``."""
    errors = field_errors(exc, _PATIENT_FIELDS)
    return Problem(422, f"{len(errors)} invalid field(s)", errors=errors)


def _ready(result: Any) -> dict[str, Any]:
    data: dict[str, Any] = json_ready(result.to_dict())
    return data


@router.post("/plans/titration", summary="An oral titration plan (baclofen plan titrate)")
def plan_titration(body: TitrationRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    try:
        command = plan_titration_command(
            **_plan_fields(body, who),
            target_mg_per_day=body.target_mg_per_day,
            start_dose_mg=body.start_dose_mg,
            step_dose_mg=body.step_dose_mg,
        )
        return _ready(planning.plan_oral_titration(command, clinic=who.services.settings))
    except InvalidInputError as exc:
        raise _patient_errors(exc) from None


@router.post("/plans/taper", summary="An oral taper plan (baclofen plan taper)")
def plan_taper(body: TaperRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    try:
        command = plan_taper_command(
            **_plan_fields(body, who),
            from_mg_per_day=body.from_mg_per_day,
            to_mg_per_day=body.to_mg_per_day,
            months_on_therapy=body.months_on_therapy,
            max_step_mg=body.max_step_mg,
            min_days_to_zero=body.min_days_to_zero,
        )
        return _ready(planning.plan_oral_taper(command, clinic=who.services.settings))
    except InvalidInputError as exc:
        raise _patient_errors(exc) from None


@router.post("/pumps/forecast", summary="A reservoir forecast of a fill (baclofen pump forecast)")
def forecast(body: ForecastRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    return _ready(itb.forecast_pump(forecast_pump_command(**body.model_dump()), clinic=who.services.settings))


@router.post("/checks/dose", summary="A drug's daily dose against its limits (baclofen check dose)")
def check_dose(body: DoseCheckRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    return _ready(cds.check_drug_dose(check_drug_dose_command(**body.model_dump()), clinic=who.services.settings))
