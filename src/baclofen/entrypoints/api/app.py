"""The REST API of the clinic service (FastAPI): ``create_app(services)`` over the one bootstrap.

* ``/healthz`` (the process answers) and ``/readyz`` (the database answers, at the revision needed);
* ``/api/v1/auth/token``: a username and password for a short-lived bearer token (rate limited);
  ``/api/v1/auth/logout`` revokes the token it is sent with, ``/api/v1/auth/logout-everywhere`` every token and web
  session of the caller's account;
* ``/api/v1/me``, ``/api/v1/users`` (an admin creates accounts of their clinic);
* ``/api/v1/patients``, ``/api/v1/pumps``, refill visits (:mod:`.records`): audited, scoped to the caller;
* the diary, alerts and the worklist (:mod:`.clinic`): audited, scoped to the caller;
* saved oral plans and pump program changes (:mod:`.regimens`): audited, scoped to the caller;
* ``/api/v1/plans/*``, ``/api/v1/pumps/forecast``, ``/api/v1/checks/dose`` (:mod:`.calculators`);
* ``/api/v1/itb/*``, ``/api/v1/pump-models``, ``/api/v1/pumps/program``, ``/reconcile``, ``/concentration-change``,
  ``/refill-check`` (:mod:`.itb_calculators`) and ``/api/v1/simulations/oral``, ``/intrathecal``, ``/regimen``
  (:mod:`.simulations`): stateless, each the CLI command's ``--json`` document;
* ``/api/v1/alternatives``, ``/api/v1/risk``, ``/api/v1/checks/interactions|contraindications``,
  ``/api/v1/scales/evaluate``, ``/api/v1/rules``, and a stored patient's timeline and risks (:mod:`.clinical`);
* ``/api/v1/simulations/population`` and ``/api/v1/jobs`` (:mod:`.jobs`): population simulations run as jobs
  on Dask in the background of the server, with their status, progress and result;
* ``/api/v1/clinic/settings``: the caller's clinic's settings profile and its history (:mod:`.clinic_settings`);
* ``/cds-services``: CDS Hooks 2.0 (:mod:`.cds_hooks`): discovery, order-select/order-sign and patient-view, feedback;
* ``/openapi.json``: the schema. Every error is an RFC 9457 problem document (:mod:`.problems`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

import baclofen
from baclofen.adapters.cds_client_trust import ClientTokenVerifier
from baclofen.bootstrap import Services, population_jobs
from baclofen.domain.errors import ServiceError
from baclofen.domain.records import Role, UserRecord
from baclofen.entrypoints.api import (
    calculators,
    calendars,
    cds_hooks,
    clinic,
    clinic_settings,
    clinical,
    fhir,
    histories,
    itb_calculators,
    jobs,
    records,
    regimens,
    reports,
    simulations,
)
from baclofen.entrypoints.api.context import CallerDep
from baclofen.entrypoints.api.idempotency import InFlight
from baclofen.entrypoints.api.openapi import install_document_schemas
from baclofen.entrypoints.api.problems import install_problem_handlers, unavailable_response
from baclofen.entrypoints.api.schemas import LoginRequest, TokenResponse, UserRequest
from baclofen.entrypoints.api.security import ApiSettings, LoginLimiter, TokenSigner, require_role, unauthorized
from baclofen.services.jobs import PopulationJobs

__all__ = ["API_PREFIX", "create_app"]

API_PREFIX = "/api/v1"

auth = APIRouter(tags=["authentication"])
accounts = APIRouter(tags=["accounts"])
health = APIRouter(tags=["health"])


def _user_json(user: UserRecord) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "username": user.username,
        "role": user.role.value,
        "clinic_id": user.clinic_id,
        "patient_id": user.patient_id,
    }


@health.get("/healthz", summary="The process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@health.get("/readyz", summary="The database answers and is at the schema revision this version needs")
def readyz(request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    try:
        services.check_ready()
    except ServiceError:
        return unavailable_response("the database is not ready (down, read-only, or not migrated: baclofen db upgrade)")
    return JSONResponse({"status": "ready"})


@auth.post(
    "/auth/token",
    summary="Log in: a short-lived bearer token for a username and password",
    response_model=TokenResponse,
)
def login(body: LoginRequest, request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    limiter: LoginLimiter = request.app.state.login_limiter
    address = request.client.host if request.client is not None else "unknown"
    limiter.check(body.username, address)
    user = services.authenticate(body.username, body.password)
    if user is None:
        limiter.failed(body.username, address)
        raise unauthorized("wrong username or password")
    limiter.succeeded(body.username, address)
    signer: TokenSigner = request.app.state.signer
    token, lifetime = signer.issue(user)
    return JSONResponse(
        {"access_token": token, "token_type": "bearer", "expires_in": lifetime},
        headers={"Cache-Control": "no-store"},
    )


@auth.post(
    "/auth/logout",
    status_code=204,
    response_class=Response,
    summary="Log out: the bearer token this request carries is refused from now on (401)",
)
def logout(who: CallerDep, request: Request) -> Response:
    signer: TokenSigner = request.app.state.signer
    if who.token is not None:
        who.services.revoke_token(who.user.user_id, who.token.token_id, signer.revocation_until())
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@auth.post(
    "/auth/logout-everywhere",
    status_code=204,
    response_class=Response,
    summary="Log out everywhere: every token and web session of the caller's account is refused from now on (401)",
)
def logout_everywhere(who: CallerDep) -> Response:
    who.services.end_sessions(who.user.username)
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


@accounts.get("/me", summary="The caller's account")
def me(who: CallerDep) -> dict[str, Any]:
    return _user_json(who.user)


@accounts.post("/users", status_code=201, summary="An admin creates an account of their clinic")
def create_user(body: UserRequest, who: CallerDep) -> dict[str, Any]:
    require_role(who.user, {Role.ADMIN})
    user, _ = who.services.create_user(
        clinic_id=who.user.clinic_id,
        username=body.username,
        role=body.role,
        password=body.password,
        patient_id=body.patient_id,
    )
    return _user_json(user)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.jobs.close()  # a job still queued or running is marked interrupted when a server starts again


def create_app(
    services: Services, settings: ApiSettings | None = None, population: PopulationJobs | None = None
) -> FastAPI:
    """The API over ``services`` (from :func:`baclofen.bootstrap.bootstrap`); ``settings`` default to the
    environment's (:meth:`ApiSettings.from_environment`: no secret key, no server); ``population`` (its population
    jobs) to :func:`baclofen.bootstrap.population_jobs` on Dask as ``settings`` say, which marks the jobs a stopped
    server left unfinished as failed (one server per database)."""
    settings = settings if settings is not None else ApiSettings.from_environment()
    if population is None:
        population = population_jobs(
            services,
            to_document=jobs.result_document,
            scheduler=settings.dask_scheduler,
            workers=settings.dask_workers,
            max_subjects=settings.max_population_per_job,
        )
    app = FastAPI(
        title="baclofen clinic service",
        version=baclofen.__version__,
        description="Decision support for baclofen therapy, for professionals; not medical advice.",
        lifespan=_lifespan,
    )
    app.state.services = services
    app.state.jobs = population
    app.state.settings = settings
    app.state.signer = TokenSigner(settings, services.clock)
    app.state.login_limiter = LoginLimiter(settings, services.clock)
    app.state.cds_verifier = ClientTokenVerifier(settings.cds_clients, settings.cds_trust, services.clock)
    app.state.in_flight = InFlight()
    install_problem_handlers(app)
    app.include_router(health)
    for router in (
        auth,
        accounts,
        records.router,
        histories.router,
        clinic.router,
        regimens.router,
        calendars.router,
        calculators.router,
        clinical.router,
        itb_calculators.router,
        simulations.router,
        jobs.router,
        clinic_settings.router,
        fhir.router,
        reports.router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(cds_hooks.router)  # CDS Hooks 2.0: the specification's paths, /cds-services
    install_document_schemas(app)
    return app
