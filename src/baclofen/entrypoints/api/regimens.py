"""A patient's regimen (the use cases of :mod:`baclofen.services.regimens`): saved oral plans and pump program
changes between refills.

* ``POST /patients/{patient_id}/plans``: plan a titration, taper, oral -> intrathecal transition or switch to an
  alternative drug (the advisor's cross-taper, saved as its baclofen taper with the new drug's steps and the labs to
  order) (``kind``) on the STORED patient's covariates and save it; it supersedes the active plan. A clinician only:
  a plan is a prescription. A plan a block stands against (without an override, or one no override lifts; a switch
  to tizanidine beside ciprofloxacin or fluvoxamine) is not saved: 409 with its ``findings``.
* ``GET /patients/{patient_id}/plans``, ``GET /plans/{plan_id}``: the plan history with each plan's status
  (``active``, ``superseded`` and by which plan), findings, overrides (clinician, reason) and settings used.
* ``POST /pumps/{pump_id}/program-changes``: reprogram a pump between refills, judged by the intrathecal titration
  rules. A clinician only: a nurse records the refill visits (the fill as prescribed) but a dose change between
  refills is a prescription. A blocked change is not stored: 409 with its ``findings``.
* ``GET /pumps/{pump_id}/program-changes``: a pump's program changes, oldest first.

Staff read their clinic's, a patient their own; anything out of scope is answered as if it did not exist (404);
every access, allowed or not, is audited.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from baclofen.adapters.edge.cds import advise_alternatives_command
from baclofen.adapters.edge.itb import plan_transition_command
from baclofen.adapters.edge.plan import plan_taper_command, plan_titration_command
from baclofen.adapters.edge.regimens import change_pump_program_command, save_plan_command
from baclofen.domain.clinic.regimens import SavedPlan, plan_statuses
from baclofen.domain.errors import InvalidInputError, raise_input_errors
from baclofen.domain.records import STAFF_ROLES, PatientRecord, Role
from baclofen.entrypoints.api.context import Caller, CallerDep, audited
from baclofen.entrypoints.api.idempotency import IdempotencyKey, respond_once
from baclofen.entrypoints.api.problems import Problem
from baclofen.entrypoints.api.records import audit_target, visible_patient, visible_pump
from baclofen.entrypoints.api.schemas import (
    ProgramChangeRequest,
    SavePlanRequest,
    SaveSwitchRequest,
    SaveTitrationRequest,
    SaveTransitionRequest,
)
from baclofen.entrypoints.api.security import OutOfScope, actor_label, require_role
from baclofen.entrypoints.json_values import json_ready
from baclofen.services.commands import AdviseAlternatives, PlanTaper, PlanTitration, PlanTransition
from baclofen.services.regimens import NotStored

__all__ = ["PRESCRIBERS", "READERS", "planner_command", "router", "visible_patient_plan", "visible_plan"]

router = APIRouter(tags=["regimens"])

#: Who reads plans and program changes (a patient their own), who saves plans and changes programs.
READERS = STAFF_ROLES | {Role.PATIENT}
PRESCRIBERS = frozenset({Role.CLINICIAN})


def _not_stored(exc: NotStored) -> Problem:
    return Problem(409, str(exc), findings=json_ready([f.to_dict() for f in exc.findings]))


def _plans_json(history: tuple[SavedPlan, ...]) -> list[dict[str, Any]]:
    statuses = plan_statuses(history)
    return [json_ready(p.to_dict(*statuses[p.plan_id])) for p in history]


def _switch_command(body: SaveSwitchRequest, clinician: str) -> AdviseAlternatives:
    """The advisor's command of a switch (the patient's facts come from the record); more than one baclofen
    outcome: each named."""
    chosen = [name for name in ("failed", "not_tolerated", "current") if getattr(body, name)]
    if len(chosen) > 1:
        raise_input_errors(
            [InvalidInputError(n, "at most one of failed, not_tolerated, current", True) for n in chosen]
        )
    return advise_alternatives_command(
        baclofen_outcome=chosen[0].replace("_", "-") if chosen else "not-tried",
        focal=body.focal,
        severe=body.severe,
        liver_disease=body.liver_disease,
        drugs=body.drugs,
        conditions=body.conditions,
        guideline=body.guideline,
        switch_to=body.switch_to,
        current_baclofen_mg_per_day=body.from_mg_per_day,
        months_on_therapy=body.months_on_therapy,
        start_date=body.start_date,
        overrides=body.overrides,
        clinician=clinician,
        settings=body.settings,
    )


def planner_command(body: Any, clinician: str) -> PlanTitration | PlanTaper | PlanTransition | AdviseAlternatives:
    if isinstance(body, SaveSwitchRequest):
        return _switch_command(body, clinician)
    fields = body.model_dump(exclude={"kind"})
    if isinstance(body, SaveTitrationRequest):
        return plan_titration_command(**fields, clinician=clinician)
    if isinstance(body, SaveTransitionRequest):
        return plan_transition_command(**fields, clinician=clinician)
    return plan_taper_command(**fields, clinician=clinician)


@router.post(
    "/patients/{patient_id}/plans",
    status_code=201,
    summary="Plan a titration, taper, ITB transition or switch on the stored patient and save it (it supersedes the "
    "active plan)",
)
def save_plan(
    patient_id: str, body: SavePlanRequest, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
) -> Response:
    with audited(who, "plan.save", audit_target("patient", patient_id)):
        require_role(who.user, PRESCRIBERS)
        return respond_once(who, request, idempotency_key, body, lambda: _save_plan(patient_id, body, who))


def _save_plan(patient_id: str, body: SavePlanRequest, who: Caller) -> Response:
    with who.services.uow as uow:
        visible_patient(uow, who, patient_id)
    clinician = actor_label(who.user)
    plan = planner_command(body, clinician)
    command = save_plan_command(patient_id=patient_id, plan=plan, saved_by=clinician, saved_at=who.services.clock.now())
    try:
        saved = who.services.save_plan(command)
    except NotStored as exc:
        raise _not_stored(exc) from None
    statuses = plan_statuses((saved,))
    headers = {"Location": f"/api/v1/plans/{saved.plan_id}"}
    return JSONResponse(json_ready(saved.to_dict(*statuses[saved.plan_id])), status_code=201, headers=headers)


@router.get("/patients/{patient_id}/plans", summary="A patient's plan history, oldest first, with each plan's status")
def list_plans(patient_id: str, who: CallerDep) -> dict[str, Any]:
    with audited(who, "plan.list", audit_target("patient", patient_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            visible_patient(uow, who, patient_id)
            history = uow.plans.for_patient(patient_id)
    return {"items": _plans_json(history)}


def visible_plan(uow: Any, who: Caller, plan_id: str) -> tuple[SavedPlan, tuple[SavedPlan, ...]]:
    plan: SavedPlan = uow.plans.get(plan_id)
    try:
        visible_patient(uow, who, plan.patient_id)
    except OutOfScope:
        raise OutOfScope(f"no saved plan record {plan_id!r}") from None
    return plan, uow.plans.for_patient(plan.patient_id)


def visible_patient_plan(uow: Any, who: Caller, patient_id: str, plan_id: str) -> tuple[PatientRecord, SavedPlan]:
    """The patient and their saved plan ``plan_id`` when this caller may see them and the plan is that patient's;
    else not found (as if it did not exist)."""
    record = visible_patient(uow, who, patient_id)
    saved, _ = visible_plan(uow, who, plan_id)
    if saved.patient_id != record.patient_id:
        raise OutOfScope(f"no saved plan record {plan_id!r} of patient {patient_id!r}")
    return record, saved


@router.get("/plans/{plan_id}", summary="A saved plan with its status, findings, overrides and settings")
def read_plan(plan_id: str, who: CallerDep) -> dict[str, Any]:
    with audited(who, "plan.read", audit_target("plan", plan_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            plan, history = visible_plan(uow, who, plan_id)
    status = plan_statuses(history)[plan.plan_id]
    result: dict[str, Any] = json_ready(plan.to_dict(*status))
    return result


@router.post(
    "/pumps/{pump_id}/program-changes",
    status_code=201,
    summary="Reprogram a pump between refills, judged by the intrathecal titration rules (a blocked change: 409)",
)
def change_program(
    pump_id: str, body: ProgramChangeRequest, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
) -> Response:
    with audited(who, "pump.program_change", audit_target("pump", pump_id)):
        require_role(who.user, PRESCRIBERS)
        return respond_once(who, request, idempotency_key, body, lambda: _change_program(pump_id, body, who))


def _change_program(pump_id: str, body: ProgramChangeRequest, who: Caller) -> Response:
    with who.services.uow as uow:
        pump = visible_pump(uow, who, pump_id)
    now = who.services.clock.now()
    fields = body.model_dump(exclude={"changed_at"})
    command = change_pump_program_command(
        pump_id=pump_id,
        changed_at=body.changed_at if body.changed_at is not None else now,
        not_after=now,
        changed_by=actor_label(who.user),
        pump=pump.model,
        **fields,
    )
    try:
        change = who.services.change_pump_program(command)
    except NotStored as exc:
        raise _not_stored(exc) from None
    return JSONResponse(json_ready(change.to_dict()), status_code=201)


@router.get("/pumps/{pump_id}/program-changes", summary="A pump's program changes between refills, oldest first")
def list_program_changes(pump_id: str, who: CallerDep) -> dict[str, Any]:
    with audited(who, "pump.program_changes", audit_target("pump", pump_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            visible_pump(uow, who, pump_id)
            changes = uow.program_changes.for_pump(pump_id)
    return {"items": [json_ready(c.to_dict()) for c in changes]}
