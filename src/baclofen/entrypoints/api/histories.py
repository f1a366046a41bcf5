"""A patient's dated histories: covariates observed over time, ITB screening trials and outcome scores (the use
cases of :mod:`baclofen.services.histories`).

Staff (clinicians, nurses) record them for their clinic's patients; staff and the patient (their own) read them,
oldest first, a page at a time (``limit``, ``after``: the last identifier of the page before). Who recorded a
record and when come from the token and the clinic's clock; a record is never changed (a correction is a newer
one). Anything out of the caller's scope is answered as if it did not exist (404); every access is audited.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from baclofen.adapters.edge.histories import (
    record_covariates_command,
    record_outcome_score_command,
    record_screening_trial_command,
)
from baclofen.domain.records import STAFF_ROLES, Role
from baclofen.entrypoints.api.context import Caller, CallerDep, audited
from baclofen.entrypoints.api.idempotency import IdempotencyKey, respond_once
from baclofen.entrypoints.api.problems import Problem
from baclofen.entrypoints.api.records import audit_target, visible_patient
from baclofen.entrypoints.api.schemas import CovariatesRequest, ScoreRequest, ScreeningTrialRequest
from baclofen.entrypoints.api.security import actor_label, require_role
from baclofen.entrypoints.json_values import json_ready
from baclofen.services.ports import MAX_PAGE_SIZE, UnitOfWork

__all__ = ["router"]

router = APIRouter(tags=["histories"])

READERS = STAFF_ROLES | {Role.PATIENT}
WRITERS = STAFF_ROLES

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
After = Annotated[str | None, Query(max_length=64, description="The last identifier of the page before.")]


def _page(records: Sequence[Any], id_field: str, after: str | None, limit: int) -> dict[str, Any]:
    """A page of ``records`` (oldest first) after the one whose ``id_field`` is ``after``."""
    start = 0
    if after is not None:
        ids = [getattr(r, id_field) for r in records]
        if after not in ids:
            error = {"field": "after", "in": "query", "detail": f"expected the last {id_field} of the page before"}
            raise Problem(422, "1 invalid field(s)", errors=[error])
        start = ids.index(after) + 1
    page = records[start : start + limit]
    more = len(page) == limit and start + limit < len(records)
    return {
        "items": [json_ready(r.to_dict()) for r in page],
        "next_after": getattr(page[-1], id_field) if more else None,
    }


def _read_history(
    who: Caller,
    patient_id: str,
    action: str,
    records_of: Callable[[UnitOfWork], Sequence[Any]],
    id_field: str,
    limit: int,
    after: str | None,
) -> dict[str, Any]:
    """One page of a patient's history (``records_of`` reads it in the unit of work), for a reader who may see the
    patient; audited as ``action``."""
    with audited(who, action, audit_target("patient", patient_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            visible_patient(uow, who, patient_id)
            records = records_of(uow)
        return _page(records, id_field, after, limit)


def _created(record: Any) -> JSONResponse:
    return JSONResponse(json_ready(record.to_dict()), status_code=201)


# --- covariates ----------------------------------------------------------------------------------------------------
@router.post(
    "/patients/{patient_id}/covariates",
    status_code=201,
    summary="Record covariates observed on a date (weight, kidney function, dialysis); the record keeps today's",
)
def record_covariates(
    patient_id: str, body: CovariatesRequest, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
) -> Response:
    with audited(who, "covariates.create", audit_target("patient", patient_id)):
        require_role(who.user, WRITERS)
        return respond_once(who, request, idempotency_key, body, lambda: _record_covariates(patient_id, body, who))


def _record_covariates(patient_id: str, body: CovariatesRequest, who: Caller) -> Response:
    with who.services.uow as uow:
        visible_patient(uow, who, patient_id)
    now = who.services.clock.now()
    fields = body.model_dump(exclude={"observed_on"})
    observed_on = body.observed_on if body.observed_on is not None else now.date()
    command = record_covariates_command(
        patient_id=patient_id, observed_on=observed_on, recorded_at=now, recorded_by=actor_label(who.user), **fields
    )
    observation = who.services.record_covariates(command)
    return _created(observation)


@router.get("/patients/{patient_id}/covariates", summary="A patient's covariate observations, oldest first")
def read_covariates(patient_id: str, who: CallerDep, limit: Limit = 50, after: After = None) -> dict[str, Any]:
    return _read_history(
        who,
        patient_id,
        "covariates.read",
        lambda uow: uow.covariates.for_patient(patient_id),
        "observation_id",
        limit,
        after,
    )


# --- screening trials ----------------------------------------------------------------------------------------------
@router.post(
    "/patients/{patient_id}/screening-trials",
    status_code=201,
    summary="Record an ITB screening bolus (25, 50, 75 or 100 mcg) and the response judged",
)
def record_screening_trial(
    patient_id: str,
    body: ScreeningTrialRequest,
    who: CallerDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    with audited(who, "screening_trial.create", audit_target("patient", patient_id)):
        require_role(who.user, WRITERS)
        return respond_once(who, request, idempotency_key, body, lambda: _record_screening_trial(patient_id, body, who))


def _record_screening_trial(patient_id: str, body: ScreeningTrialRequest, who: Caller) -> Response:
    with who.services.uow as uow:
        visible_patient(uow, who, patient_id)
    now = who.services.clock.now()
    fields = body.model_dump(exclude={"given_at"})
    given_at = body.given_at if body.given_at is not None else now
    command = record_screening_trial_command(
        patient_id=patient_id, given_at=given_at, recorded_at=now, recorded_by=actor_label(who.user), **fields
    )
    trial = who.services.record_screening_trial(command)
    return _created(trial)


@router.get("/patients/{patient_id}/screening-trials", summary="A patient's screening trials, oldest first")
def read_screening_trials(patient_id: str, who: CallerDep, limit: Limit = 50, after: After = None) -> dict[str, Any]:
    return _read_history(
        who,
        patient_id,
        "screening_trial.read",
        lambda uow: uow.screening_trials.for_patient(patient_id),
        "trial_id",
        limit,
        after,
    )


# --- outcome scores ------------------------------------------------------------------------------------------------
@router.post(
    "/patients/{patient_id}/scores",
    status_code=201,
    summary="Record an outcome score (Modified Ashworth with its muscle group, Penn, 0-10 ratings)",
)
def record_score(
    patient_id: str, body: ScoreRequest, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
) -> Response:
    with audited(who, "score.create", audit_target("patient", patient_id)):
        require_role(who.user, WRITERS)
        return respond_once(who, request, idempotency_key, body, lambda: _record_score(patient_id, body, who))


def _record_score(patient_id: str, body: ScoreRequest, who: Caller) -> Response:
    with who.services.uow as uow:
        visible_patient(uow, who, patient_id)
    now = who.services.clock.now()
    fields = body.model_dump(exclude={"assessed_on"})
    assessed_on = body.assessed_on if body.assessed_on is not None else now.date()
    command = record_outcome_score_command(
        patient_id=patient_id, assessed_on=assessed_on, recorded_at=now, recorded_by=actor_label(who.user), **fields
    )
    score = who.services.record_outcome_score(command)
    return _created(score)


@router.get("/patients/{patient_id}/scores", summary="A patient's outcome scores, oldest first")
def read_scores(patient_id: str, who: CallerDep, limit: Limit = 50, after: After = None) -> dict[str, Any]:
    return _read_history(
        who, patient_id, "score.read", lambda uow: uow.scores.for_patient(patient_id), "score_id", limit, after
    )
