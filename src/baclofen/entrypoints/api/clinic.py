"""The clinic between visits: the diary, alerts and the worklist (the use cases of :mod:`baclofen.services.clinic`).

A patient logs and reads their own diary and reads their own alerts; staff (clinicians, nurses) do so for their
clinic's patients, decide alerts (acknowledge, resolve: who from the token, when from the clinic's clock, why
from the body), run the risk engine on a stored patient and read their clinic's worklist. Anything out of the
caller's scope is answered as if it did not exist (404); every access, allowed or not, is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from baclofen.adapters.csv_export import render_diary_csv
from baclofen.adapters.edge.clinic import log_diary_entry_command
from baclofen.domain.clinic.alerts import Alert, AlertState
from baclofen.domain.clinic.worklist import MAX_HORIZON_DAYS
from baclofen.domain.errors import ConflictError
from baclofen.domain.records import STAFF_ROLES, Role
from baclofen.entrypoints.api.context import Caller, CallerDep, audited
from baclofen.entrypoints.api.idempotency import IdempotencyKey, respond_once
from baclofen.entrypoints.api.problems import Problem
from baclofen.entrypoints.api.records import CSV_RESPONSES, audit_target, csv_download, visible_patient
from baclofen.entrypoints.api.schemas import AlertDecisionRequest, DiaryRequest
from baclofen.entrypoints.api.security import OutOfScope, actor_label, require_role
from baclofen.entrypoints.json_values import json_ready
from baclofen.services.commands import AlertDecision, ComputeWorklist, RaiseAlerts
from baclofen.services.ports import MAX_PAGE_SIZE, UnitOfWork

__all__ = ["router"]

router = APIRouter(tags=["clinic"])

#: Who logs and reads a diary and reads alerts (a patient their own); who decides alerts and reads the worklist.
READERS = STAFF_ROLES | {Role.PATIENT}
STAFF = STAFF_ROLES
#: The states an alert may be acknowledged or resolved from.
_DECIDABLE = {"acknowledge": (AlertState.OPEN,), "resolve": (AlertState.OPEN, AlertState.ACKNOWLEDGED)}


def _visible_alert(uow: UnitOfWork, who: Caller, alert_id: str) -> Alert:
    """The alert if this caller may see its patient; else not found (as if it did not exist)."""
    alert = uow.alerts.get(alert_id)
    try:
        visible_patient(uow, who, alert.patient_id)
    except OutOfScope:
        raise OutOfScope(f"no alert {alert_id!r}") from None
    return alert


def _json(value: Any) -> dict[str, Any]:
    result: dict[str, Any] = json_ready(value.to_dict())
    return result


@router.post(
    "/patients/{patient_id}/diary",
    status_code=201,
    summary="Log a diary entry (the patient, or staff of the clinic); each red flag raises an alert",
)
def log_diary_entry(
    patient_id: str, body: DiaryRequest, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
) -> Response:
    with audited(who, "diary.create", audit_target("patient", patient_id)):
        require_role(who.user, READERS)
        return respond_once(who, request, idempotency_key, body, lambda: _log_diary_entry(patient_id, body, who))


def _log_diary_entry(patient_id: str, body: DiaryRequest, who: Caller) -> Response:
    with who.services.uow as uow:
        visible_patient(uow, who, patient_id)
    now = who.services.clock.now()
    fields = body.model_dump(exclude={"recorded_at"})
    recorded_at = body.recorded_at if body.recorded_at is not None else now
    command = log_diary_entry_command(patient_id=patient_id, recorded_at=recorded_at, not_after=now, **fields)
    logged = who.services.log_diary_entry(command)
    return JSONResponse(_json(logged), status_code=201)


@router.get("/patients/{patient_id}/diary", summary="A patient's diary entries, oldest first, a page at a time")
def read_diary(
    patient_id: str,
    who: CallerDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    after: Annotated[str | None, Query(max_length=64, description="The last entry_id of the page before.")] = None,
) -> dict[str, Any]:
    with audited(who, "diary.read", audit_target("patient", patient_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            visible_patient(uow, who, patient_id)
            entries = uow.diary.for_patient(patient_id)
        start = 0
        if after is not None:
            ids = [e.entry_id for e in entries]
            if after not in ids:
                error = {"field": "after", "in": "query", "detail": "expected the last entry_id of the page before"}
                raise Problem(422, "1 invalid field(s)", errors=[error])
            start = ids.index(after) + 1
        page = entries[start : start + limit]
    next_after = page[-1].entry_id if len(page) == limit and start + limit < len(entries) else None
    return {"items": [_json(e) for e in page], "next_after": next_after}


@router.get(
    "/patients/{patient_id}/diary.csv",
    summary="A patient's diary as CSV (one row an entry, oldest first; units in the column names)",
    response_class=Response,
    responses=CSV_RESPONSES,
)
def export_diary_csv(patient_id: str, who: CallerDep) -> Response:
    with audited(who, "diary.export", audit_target("patient", patient_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            record = visible_patient(uow, who, patient_id)
            entries = uow.diary.for_patient(patient_id)
    return csv_download(render_diary_csv(entries), f"diary-{record.patient_id}.csv")


@router.get("/patients/{patient_id}/alerts", summary="A patient's alerts, oldest first (only active ones: active_only)")
def read_alerts(patient_id: str, who: CallerDep, active_only: bool = False) -> dict[str, Any]:
    with audited(who, "alert.list", audit_target("patient", patient_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            visible_patient(uow, who, patient_id)
            alerts = uow.alerts.for_patient(patient_id, active_only=active_only)
    return {"items": [_json(a) for a in alerts]}


@router.post(
    "/patients/{patient_id}/alerts/raise",
    summary="Run the risk engine on the stored patient now; store an alert for each new risk that alerts the clinic",
)
def raise_alerts(patient_id: str, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None) -> Response:
    with audited(who, "alert.raise", audit_target("patient", patient_id)):
        require_role(who.user, STAFF)
        return respond_once(who, request, idempotency_key, None, lambda: _raise_alerts(patient_id, who))


def _raise_alerts(patient_id: str, who: Caller) -> Response:
    with who.services.uow as uow:
        visible_patient(uow, who, patient_id)
    raised = who.services.raise_alerts_for_patient(RaiseAlerts(patient_id, who.services.clock.now()))
    return JSONResponse(_json(raised))


def _decide(
    who: Caller,
    alert_id: str,
    body: AlertDecisionRequest,
    verb: str,
    decide: Callable[[AlertDecision], Alert],
    request: Request,
    idempotency_key: str | None,
) -> Response:
    with audited(who, f"alert.{verb}", audit_target("alert", alert_id)):
        require_role(who.user, STAFF)

        def respond() -> Response:
            with who.services.uow as uow:
                alert = _visible_alert(uow, who, alert_id)
            if alert.state not in _DECIDABLE[verb]:
                raise ConflictError(f"alert {alert_id!r} is {alert.state.value}: it cannot be {verb}d now")
            decided = decide(AlertDecision(alert_id, actor_label(who.user), who.services.clock.now(), body.reason))
            return JSONResponse(_json(decided))

        return respond_once(who, request, idempotency_key, body, respond)


@router.post("/alerts/{alert_id}/acknowledge", summary="Acknowledge an open alert (who and when: the caller, now)")
def acknowledge_alert(
    alert_id: str, body: AlertDecisionRequest, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
) -> Response:
    return _decide(who, alert_id, body, "acknowledge", who.services.acknowledge_alert, request, idempotency_key)


@router.post(
    "/alerts/{alert_id}/resolve", summary="Resolve an open or acknowledged alert (who and when: the caller, now)"
)
def resolve_alert(
    alert_id: str, body: AlertDecisionRequest, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
) -> Response:
    return _decide(who, alert_id, body, "resolve", who.services.resolve_alert, request, idempotency_key)


@router.get("/worklist", summary="The caller's clinic's worklist: refills, alarms, batteries, risks and open alerts")
def read_worklist(
    who: CallerDep,
    horizon_days: Annotated[int, Query(ge=0, le=MAX_HORIZON_DAYS, description="How many days ahead.")] = 14,
) -> dict[str, Any]:
    with audited(who, "worklist.read", audit_target("clinic", who.user.clinic_id)):
        require_role(who.user, STAFF)
        patient_ids: list[str] = []
        with who.services.uow as uow:
            while True:
                after = patient_ids[-1] if patient_ids else None
                page = uow.patients.for_clinic(who.user.clinic_id, after=after, limit=MAX_PAGE_SIZE)
                patient_ids += [p.patient_id for p in page]
                if len(page) < MAX_PAGE_SIZE:
                    break
        command = ComputeWorklist(tuple(patient_ids), who.services.clock.now(), horizon_days)
        worklist = who.services.compute_clinic_worklist(command)
    return _json(worklist)
