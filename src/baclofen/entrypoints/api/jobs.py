"""Population simulations as jobs: ``POST /simulations/population`` checks the request at once (every invalid
field in one 422) and answers 202 with the job's ``Location``; ``GET /jobs/{job_id}`` gives its status, progress
and, once it succeeded, its result (the document of ``baclofen simulate ... --json``); ``GET /jobs`` the clinic's
latest; ``POST /jobs/{job_id}/cancel`` stops one. Clinicians submit and cancel, staff (clinicians, nurses) read
their clinic's jobs; another clinic's job is answered as one that does not exist (404). Every access is audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from baclofen.adapters.edge.simulate import simulate_population_command
from baclofen.domain.jobs import JobRecord
from baclofen.domain.records import STAFF_ROLES, Role
from baclofen.entrypoints.api.context import Caller, CallerDep, audited
from baclofen.entrypoints.api.idempotency import IdempotencyKey, respond_once
from baclofen.entrypoints.api.records import audit_target
from baclofen.entrypoints.api.schemas import PopulationRequest
from baclofen.entrypoints.api.security import OutOfScope, actor_label, require_role
from baclofen.entrypoints.json_values import json_ready
from baclofen.services.jobs import PopulationJobs, SubmitPopulationJob
from baclofen.services.ports import MAX_PAGE_SIZE
from baclofen.services.simulation import SimulationResult

__all__ = ["JOB_PATH", "result_document", "router"]

router = APIRouter(tags=["population jobs"])

#: Who submits and cancels population jobs, who reads them.
SUBMITTERS = frozenset({Role.CLINICIAN})
READERS = STAFF_ROLES
JOB_PATH = "/api/v1/jobs/{job_id}"


def result_document(result: SimulationResult) -> dict[str, Any]:
    """A simulation's result as the CLI's ``--json`` prints it (its JSON values)."""
    data: dict[str, Any] = json_ready(result.to_dict())
    return data


def _jobs(request: Request) -> PopulationJobs:
    jobs: PopulationJobs = request.app.state.jobs
    return jobs


def _visible_job(jobs: PopulationJobs, who: Caller, job_id: str) -> JobRecord:
    job = jobs.jobs.get(job_id)
    if job.clinic_id != who.user.clinic_id:
        raise OutOfScope(f"no job {job_id!r}")
    return job


#: Seconds a client is asked to wait before polling an unfinished job again (``Retry-After``).
POLL_AFTER_S = 1


def _job_response(job: JobRecord, status: int = 200) -> JSONResponse:
    headers = {"Location": JOB_PATH.format(job_id=job.job_id)} if status == 202 else {}
    if not job.status.finished:
        headers["Retry-After"] = str(POLL_AFTER_S)
    return JSONResponse(json_ready(job.to_dict()), status_code=status, headers=headers)


@router.post(
    "/simulations/population",
    status_code=202,
    summary="Simulate a virtual population as a job (baclofen simulate oral/regimen --population)",
)
def submit_population(
    body: PopulationRequest, who: CallerDep, request: Request, idempotency_key: IdempotencyKey = None
) -> Response:
    jobs = _jobs(request)
    with audited(who, "submit population simulation", f"clinic:{who.user.clinic_id}"):
        require_role(who.user, SUBMITTERS)

        def respond() -> Response:
            given = body.model_dump()
            command = simulate_population_command(**given)
            kind = "regimen" if body.plan is not None else "oral"
            submitted = SubmitPopulationJob(
                command, json_ready({"kind": kind, **given}), who.user.clinic_id, actor_label(who.user)
            )
            # the job is stored by the job repository, its response just after with the key (two writes: a job is
            # no clinical record, and a second one, should a kill fall between them, only computes twice)
            return _job_response(jobs.submit(submitted), 202)

        return respond_once(who, request, idempotency_key, body, respond)


@router.get("/jobs", summary="The clinic's latest population jobs, newest first")
def list_jobs(
    who: CallerDep,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> dict[str, Any]:
    jobs = _jobs(request)
    with audited(who, "list population jobs", f"clinic:{who.user.clinic_id}"):
        require_role(who.user, READERS)
        found = jobs.for_clinic(who.user.clinic_id, limit=limit)
    # A listing leaves the results out (each can be large): GET /jobs/{job_id} gives one.
    return {"items": [json_ready({**j.to_dict(), "result": None}) for j in found]}


@router.get("/jobs/{job_id}", summary="A population job: status, progress, and its result once it succeeded")
def get_job(job_id: str, who: CallerDep, request: Request) -> JSONResponse:
    jobs = _jobs(request)
    with audited(who, "read population job", audit_target("job", job_id)):
        require_role(who.user, READERS)
        job = _visible_job(jobs, who, job_id)
    return _job_response(job)


@router.post("/jobs/{job_id}/cancel", summary="Cancel a queued or running population job")
def cancel_job(job_id: str, who: CallerDep, request: Request) -> JSONResponse:
    jobs = _jobs(request)
    with audited(who, "cancel population job", audit_target("job", job_id)):
        require_role(who.user, SUBMITTERS)
        _visible_job(jobs, who, job_id)
        job = jobs.cancel(job_id, who.user.clinic_id, actor_label(who.user))
    return _job_response(job)
