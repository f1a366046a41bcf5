"""Stateless intrathecal and pump calculators (nothing stored, no patient record read), each the CLI command it
names: the body goes through the same edge builder and use case, and the answer is the command's ``--json``
document; every dose and rate limit applies as in the CLI (the same use case). Staff only. A refill check uses the
caller's clinic's settings profile (its refill margin, reconciliation tolerances, flow accuracy; the body's own
values win), as a stored refill visit does; the other use cases take no clinic setting.

* ``POST /itb/screening``, ``/itb/initial-dose``, ``/itb/titration-range``, ``/itb/transition``:
  ``baclofen itb screen|initial-dose|titrate|transition``;
* ``GET /pump-models``: ``baclofen pump list`` (the catalogue; ``/pumps/{pump_id}`` is a stored pump);
* ``POST /pumps/program``, ``/pumps/reconcile``, ``/pumps/concentration-change``, ``/pumps/refill-check``:
  ``baclofen pump program|reconcile|concentration-change|refill`` (a stored pump's refill visit is
  ``POST /pumps/{pump_id}/visits``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from baclofen.adapters.edge.itb import (
    plan_initial_dose_command,
    plan_titration_step_command,
    plan_transition_command,
    screen_trial_command,
)
from baclofen.adapters.edge.pump import (
    plan_concentration_change_command,
    plan_pump_program_command,
    reconcile_visit_command,
    refill_visit_from_options,
)
from baclofen.domain.records import STAFF_ROLES
from baclofen.entrypoints.api.answers import body_fields, cli_document
from baclofen.entrypoints.api.context import CallerDep
from baclofen.entrypoints.api.security import actor_label, require_role
from baclofen.entrypoints.api.stateless_schemas import (
    ConcentrationChangeRequest,
    InitialDoseRequest,
    ItbScreeningRequest,
    ItbTitrationRequest,
    ItbTransitionRequest,
    PumpProgramRequest,
    ReconcileRequest,
    RefillCheckRequest,
)
from baclofen.entrypoints.json_values import json_ready
from baclofen.services import itb

__all__ = ["router"]

router = APIRouter(tags=["calculators"])


@router.post("/itb/screening", summary="An intrathecal screening trial: next dose and candidacy (baclofen itb screen)")
def screening(body: ItbScreeningRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    with body_fields(body.settings):
        return cli_document(itb.screen_trial(screen_trial_command(**body.model_dump())))


@router.post("/itb/initial-dose", summary="The initial intrathecal infusion dose (baclofen itb initial-dose)")
def initial_dose(body: InitialDoseRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    with body_fields():
        return cli_document(itb.plan_initial_dose(plan_initial_dose_command(**body.model_dump())))


@router.post("/itb/titration-range", summary="The allowed next intrathecal daily dose (baclofen itb titrate)")
def titration_range(body: ItbTitrationRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    with body_fields():
        return cli_document(itb.plan_titration_step(plan_titration_step_command(**body.model_dump())))


@router.post("/itb/transition", summary="Oral taper alongside intrathecal titration (baclofen itb transition)")
def transition(body: ItbTransitionRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    given = body.model_dump()
    if given["infusion_start"] is None:
        given["infusion_start"] = who.services.clock.today()
    with body_fields():
        command = plan_transition_command(**given, clinician=actor_label(who.user))
        return cli_document(itb.plan_transition(command))


@router.get("/pump-models", summary="The pump catalogue with its cited values and settings (baclofen pump list)")
def pump_models(who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    data: dict[str, Any] = json_ready({"pumps": itb.describe_pumps(), "settings": []})
    return data


@router.post("/pumps/program", summary="A pump program's rates and daily volume (baclofen pump program)")
def program(body: PumpProgramRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    with body_fields():
        return cli_document(itb.plan_program(plan_pump_program_command(**body.model_dump())))


@router.post("/pumps/reconcile", summary="Expected vs aspirated residual and its trend (baclofen pump reconcile)")
def reconcile(body: ReconcileRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    with body_fields():
        return cli_document(itb.reconcile_visit(reconcile_visit_command(**body.model_dump())))


@router.post(
    "/pumps/concentration-change",
    summary="A concentration change for the same daily dose, with the bridge (baclofen pump concentration-change)",
)
def concentration_change(body: ConcentrationChangeRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    with body_fields():
        return cli_document(itb.plan_concentration(plan_concentration_change_command(**body.model_dump())))


@router.post(
    "/pumps/refill-check",
    summary="A refill visit checked without stored records: reconciliation, fill and next refill "
    "(baclofen pump refill; nothing stored)",
)
def refill_check(body: RefillCheckRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, STAFF_ROLES)
    given = body.model_dump()
    if given["refilled"] is None:
        given["refilled"] = who.services.clock.today()
    with body_fields(body.settings):
        record, command = refill_visit_from_options(**given)
        return cli_document(itb.assess_refill_visit(record, command, clinic=who.services.settings))
