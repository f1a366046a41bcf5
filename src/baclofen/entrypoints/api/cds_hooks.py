"""CDS Hooks 2.0 (https://cds-hooks.hl7.org/2.0/) at ``/cds-services``, the specification's paths:

* ``GET /cds-services``: the discovery document (the services, their hooks and prefetch templates);
* ``POST /cds-services/{service_id}``: a hook call (``hook``, ``hookInstance``, ``fhirServer``,
  ``fhirAuthorization``, ``context``, ``prefetch``) answered with ``cards`` (:mod:`baclofen.services.cds_hooks`);
  a prefetch the client left out is fetched from its ``fhirServer`` when the configuration allows that server
  (``ApiSettings.cds_fhir_servers``, ``$BACLOFEN_CDS_FHIR_SERVERS``; :mod:`baclofen.adapters.cds_hooks_fhir`),
  and what cannot be had is said in the answer (``extension``) and on an info card: a 200, never a 500;
* ``POST /cds-services/{service_id}/feedback``: what the clinician did with the cards (logged).

Authentication (CDS Hooks 2.0 §Trusting CDS Clients, https://cds-hooks.hl7.org/2.0/#trusting-cds-clients): a hook
call and its feedback carry either the bearer token of this API (``POST /api/v1/auth/token``) of a clinician or
nurse, or the JWT a registered CDS Client (an EHR) signed with its private key for the endpoint called
(:mod:`baclofen.adapters.cds_client_trust`, ``$BACLOFEN_CDS_CLIENTS``). A bearer token whose ``iss`` is not this
API's is checked as a CDS Client's; a refused one is a 401 problem naming what failed (``WWW-Authenticate``), logged
and audited (``cds_hooks.authenticate``, denied). A verified client acts as a clinician or nurse of the ONE clinic
it is registered for, and is audited as ``cds-client:<iss>``. Discovery is open: "CDS Services SHOULD require
authentication if invoking the service poses any risk of exposing sensitive data to the caller" (ibid.), and the
discovery document holds none (no patient, no clinic: the same three services for every caller). A malformed body
is a 400 problem naming each field; an unknown service a 404. ``patient-view`` reads the stored patient whose id is
``context.patientId`` (audited); another clinic's patient or an unknown one gets no card and says why.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from baclofen.adapters.cds_client_trust import (
    API_TOKEN_ISSUER,
    ClientTokenRefused,
    ClientTokenVerifier,
    unverified_issuer,
)
from baclofen.adapters.cds_hooks_fhir import (
    read_order_context,
    resolve_prefetch,
    review_orders_command,
    stop_requests,
    taper_request,
)
from baclofen.domain.errors import InvalidInputError, NotFoundError
from baclofen.domain.records import STAFF_ROLES, AuditEntry, AuditOutcome, UserRecord
from baclofen.entrypoints.api.context import Caller, audited, caller
from baclofen.entrypoints.api.problems import Problem, field_errors
from baclofen.entrypoints.api.records import audit_target, visible_patient
from baclofen.entrypoints.api.security import ApiSettings, require_role
from baclofen.services import cds_hooks
from baclofen.services.cds_hooks import HookAnswer, HookService, unanswered
from baclofen.services.commands import ViewPatient

__all__ = ["router"]

router = APIRouter(prefix="/cds-services", tags=["CDS Hooks"])
_log = logging.getLogger("baclofen.cds_hooks")

#: Who calls the hooks (an EHR on behalf of a clinician or nurse).
HOOK_CALLERS = STAFF_ROLES
MAX_TEXT = 2000
M = TypeVar("M", bound=BaseModel)


class HookRequestBody(BaseModel):
    """A hook call (CDS Hooks 2.0 §HTTP Request); members the specification adds later (``extension``) pass."""

    model_config = ConfigDict(extra="allow", strict=True)

    hook: str = Field(min_length=1, max_length=100)
    hookInstance: str = Field(min_length=1, max_length=200)  # noqa: N815 - the specification's name
    fhirServer: str | None = Field(default=None, max_length=MAX_TEXT)  # noqa: N815
    fhirAuthorization: dict[str, Any] | None = None  # noqa: N815
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None


class FeedbackBody(BaseModel):
    """Feedback (CDS Hooks 2.0 §Feedback): one item per card the clinician acted on."""

    model_config = ConfigDict(extra="allow", strict=True)

    feedback: list[dict[str, Any]] = Field(min_length=1, max_length=100)


_bearer = HTTPBearer(
    auto_error=False,
    description="A token from POST /api/v1/auth/token, or a registered CDS Client's JWT (CDS Hooks 2.0).",
)
#: A CDS Client's account is no user's: no password ever matches this (it is not stored anywhere).
_NO_PASSWORD = "$argon2id$cds-client-has-no-password"


def endpoint_url(request: Request, public_base_url: str | None) -> str:
    """The URL of the endpoint called, as a CDS Client names it in ``aud`` (CDS Hooks 2.0: "this value MUST be the
    URL of the CDS Service endpoint being invoked"): the configured public base URL (a proxy in front) and the path,
    else the URL the request names; never the query."""
    if public_base_url is not None:
        return public_base_url.rstrip("/") + request.url.path
    return str(request.url.replace(query=None, fragment=None))


def _refused(request: Request, reason: str, iss: str | None, registered: bool) -> Problem:
    """The 401 of a refused CDS Client token, logged and audited (no patient data: the reason and the path)."""
    services = request.app.state.services
    actor = f"cds-client:{iss}" if registered and iss is not None else "cds-client:unregistered"
    path = "".join(c if c.isprintable() and c.isascii() else "?" for c in request.url.path)  # a path anyone wrote
    _log.warning("CDS Client token refused on %s: %s (iss %s)", path[:200], ascii(reason), ascii(iss)[:160])
    target = f"cds-service:{path}"[:200]
    services.audit.append(
        AuditEntry(actor, "cds_hooks.authenticate", target, AuditOutcome.DENIED, services.clock.now())
    )
    description = reason.encode("ascii", "replace").decode().replace('"', "'").replace("\\", "/")
    challenge = f'Bearer realm="baclofen-cds-hooks", error="invalid_token", error_description="{description}"'
    return Problem(401, f"the CDS Client token is refused: {reason}", headers={"WWW-Authenticate": challenge})


def hook_caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Caller:
    """Who calls a hook: a registered CDS Client (its verified JWT) as a clinician or nurse of its clinic, or a user
    of this API (its own bearer token, :func:`baclofen.entrypoints.api.context.caller`)."""
    token = credentials.credentials if credentials is not None and credentials.scheme.lower() == "bearer" else None
    iss = unverified_issuer(token) if token is not None else None
    if token is None or iss is None or iss == API_TOKEN_ISSUER:
        return caller(request, credentials)
    verifier: ClientTokenVerifier = request.app.state.cds_verifier
    settings: ApiSettings = request.app.state.settings
    try:
        client = verifier.verify(token, endpoint_url(request, settings.public_base_url)).client
    except ClientTokenRefused as exc:
        raise _refused(request, exc.reason, iss, verifier.is_registered(iss)) from None
    services = request.app.state.services
    name = "cds-client-" + hashlib.sha256(client.iss.encode()).hexdigest()[:16]
    user = UserRecord(name, client.clinic_id, client.acts_as, name, _NO_PASSWORD)
    return Caller(user, services.for_request(client.clinic_id), actor=client.actor)


HookCallerDep = Annotated[Caller, Depends(hook_caller)]


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """A pydantic JSON Schema without ``$defs`` (OpenAPI resolves only its own components)."""
    definitions = schema.pop("$defs", {})

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk(definitions[ref.removeprefix("#/$defs/")])
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    result: dict[str, Any] = walk(schema)
    return result


def _body_of(model: type[BaseModel]) -> dict[str, Any]:
    schema = {"schema": _inline(model.model_json_schema())}
    return {"requestBody": {"required": True, "content": {"application/json": schema}}}


_BAD_REQUEST: dict[int | str, dict[str, Any]] = {
    400: {"description": "A malformed body: each invalid field named, as a problem"}
}


async def _json_body(request: Request) -> Any:
    """The request's JSON body (read after the caller is authenticated); not JSON: a 400 problem."""
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        error = {"field": "body", "in": "body", "detail": "expected a JSON object"}
        raise Problem(400, "the body is not JSON", errors=[error]) from None


RawBody = Annotated[Any, Depends(_json_body)]


def _read(model: type[M], body: Any) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        errors = [
            {
                "field": "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"]).lstrip(".") or "body",
                "in": "body",
                "detail": e.get("msg", "invalid"),
            }
            for e in exc.errors()
        ]
        raise Problem(400, f"{len(errors)} invalid field(s)", errors=errors) from None


def _service(service_id: str) -> HookService:
    service = cds_hooks.find_hook_service(service_id)
    if service is None:
        raise Problem(404, f"no CDS service {service_id!r}: GET /cds-services lists them")
    return service


@router.get("", summary="CDS Hooks discovery: the services, their hooks and prefetch templates")
def discover() -> dict[str, Any]:
    return cds_hooks.discovery()  # open: no patient or clinic data (module docstring)


@router.post(
    "/{service_id}",
    summary="Call a CDS service (CDS Hooks 2.0): cards with their reasoning, sources and suggestions",
    openapi_extra=_body_of(HookRequestBody),
    responses=_BAD_REQUEST,
)
def call_service(service_id: str, who: HookCallerDep, body: RawBody, request: Request) -> JSONResponse:
    service = _service(service_id)
    if service.hook != "patient-view":  # patient-view checks the role in its audited access to the patient
        require_role(who.user, HOOK_CALLERS)
    call = _read(HookRequestBody, body)
    if call.hook != service.hook:
        error = {"field": "hook", "in": "body", "detail": f"expected {service.hook!r} for the service {service.id}"}
        raise Problem(400, f"the service {service.id} answers the hook {service.hook}", errors=[error])
    if service.hook == "patient-view":
        answer = _patient_view(who, call)
    else:
        settings: ApiSettings = request.app.state.settings
        answer = _review_orders(who, service, call, settings.cds_fhir_servers)
    _log.info(  # no patient data in the log: the counts only (the notes may name a condition or a medicine)
        "CDS Hooks %s %s by %s: %d card(s), %d note(s) on what could not be checked",
        service.id,
        call.hookInstance,
        who.label,
        len(answer.cards),
        len(answer.notes),
    )
    return JSONResponse(answer.to_dict())


def _review_orders(
    who: Caller, service: HookService, call: HookRequestBody, fhir_servers: tuple[str, ...]
) -> HookAnswer:
    token = None
    if call.fhirAuthorization is not None:
        token = call.fhirAuthorization.get("access_token")
        if not isinstance(token, str) or not token:
            detail = "expected the OAuth 2.0 access token for the fhirServer (a text)"
            error = {"field": "fhirAuthorization.access_token", "in": "body", "detail": detail}
            raise Problem(400, "1 invalid field(s)", errors=[error])
    try:
        orders = read_order_context(call.hook, call.context)
    except InvalidInputError as exc:
        errors = field_errors(exc)
        raise Problem(400, f"{len(errors)} invalid field(s)", errors=errors) from None
    prefetched = resolve_prefetch(
        service.prefetch,
        call.context,
        call.prefetch,
        call.fhirServer,
        token,
        allowed_servers=fhir_servers,
    )
    command = review_orders_command(call.hook, call.hookInstance, orders, prefetched, who.services.clock.today())
    return cds_hooks.review_orders(
        command, clinic=who.services.settings, render_taper=taper_request, render_stop=stop_requests(prefetched)
    )


def _patient_view(who: Caller, call: HookRequestBody) -> HookAnswer:
    patient_id = call.context.get("patientId")
    if not isinstance(patient_id, str) or not patient_id.strip():
        error = {"field": "context.patientId", "in": "body", "detail": "expected the id of the patient (a text)"}
        raise Problem(400, "1 invalid field(s)", errors=[error])
    why = (
        f"no stored patient {patient_id!r} in your clinic: no card (the patient-view service reads only the stored "
        "patients of the caller's clinic, by the id given as context.patientId)"
    )
    try:
        with audited(who, "cds_hooks.patient_view", audit_target("patient", patient_id)):
            require_role(who.user, HOOK_CALLERS)
            with who.services.uow as uow:
                visible_patient(uow, who, patient_id)
            command = ViewPatient(call.hookInstance, patient_id, who.user.clinic_id, who.services.clock.now())
            return who.services.view_patient(command)
    except (NotFoundError, InvalidInputError):
        return unanswered(why)


def _feedback_errors(item: dict[str, Any]) -> list[tuple[str, str]]:
    """(member, what was expected) of each invalid member of one feedback item (CDS Hooks 2.0 §Feedback)."""
    errors = []
    if not isinstance(item.get("card"), str) or not item["card"]:
        errors.append(("card", "the uuid of the card (a text)"))
    outcome = item.get("outcome")
    if outcome not in ("accepted", "overridden"):
        errors.append(("outcome", "accepted or overridden"))
    if not isinstance(item.get("outcomeTimestamp"), str):
        errors.append(("outcomeTimestamp", "when the clinician acted (ISO 8601, UTC)"))
    accepted = item.get("acceptedSuggestions")
    well_formed = isinstance(accepted, list) and all(
        isinstance(a, dict) and isinstance(a.get("id"), str) for a in accepted
    )
    if (outcome == "accepted" and not (well_formed and accepted)) or (accepted is not None and not well_formed):
        errors.append(("acceptedSuggestions", "the suggestions accepted, each {id: its uuid} (for an accepted card)"))
    return errors


@router.post(
    "/{service_id}/feedback",
    summary="Feedback on a CDS service's cards (CDS Hooks 2.0): accepted or overridden, and why",
    openapi_extra=_body_of(FeedbackBody),
    responses=_BAD_REQUEST,
)
def feedback(service_id: str, who: HookCallerDep, body: RawBody) -> dict[str, Any]:
    require_role(who.user, HOOK_CALLERS)
    service = _service(service_id)
    items = _read(FeedbackBody, body).feedback
    errors = [
        {"field": f"feedback[{i}].{name}", "in": "body", "detail": f"expected {expected}"}
        for i, item in enumerate(items)
        for name, expected in _feedback_errors(item)
    ]
    if errors:
        raise Problem(400, f"{len(errors)} invalid field(s)", errors=errors)
    for item in items:
        reason = item.get("overrideReason")
        coding = reason.get("reason") if isinstance(reason, dict) else None
        _log.info(  # the reason's code, not the clinician's free-text comment (it may hold patient data)
            "CDS Hooks feedback on %s by %s: card %s %s%s",
            service.id,
            who.label,
            str(item["card"])[:100],
            item["outcome"],
            f" ({str(coding.get('code'))[:100]})" if isinstance(coding, dict) else "",
        )
    return {"received": len(items)}
