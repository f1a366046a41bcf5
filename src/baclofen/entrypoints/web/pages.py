"""The web pages, on the same use cases, accounts, authorisation and audit as the REST API.

* ``/login`` (the same authentication and login limiter as ``POST /api/v1/auth/token``), ``/logout`` (this
  session revoked in the store), ``/logout-everywhere`` (every session and API token of the account ended);
* ``/``: where a role starts (staff: the worklist; a patient: their day);
* ``/worklist`` (staff): the clinic's worklist, filtered by ``kind``, sorted by ``sort``; each item opens its
  reasoning and sources; ``POST /alerts/{alert_id}/acknowledge`` acknowledges an alert with a reason in one step;
* ``/diary/new`` and ``POST /diary`` (a patient): a diary entry, with the advice its red flags call for (the
  patient's day, schedule, warning signs and guide: :mod:`baclofen.entrypoints.web.patient_views`).

Every access to patient data is audited as the API's is; a record out of the visitor's scope is a 404 page.
Every form carries the CSRF token; a POST without it is a 403 page.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from baclofen.adapters.edge.clinic import log_diary_entry_command
from baclofen.domain.cds.risk import PATIENT_MESSAGE_RED_FLAG, RiskLevel
from baclofen.domain.cds.timeline import Symptom
from baclofen.domain.clinic.alerts import AlertState
from baclofen.domain.clinic.worklist import MAX_HORIZON_DAYS, WorklistItem, WorklistKind
from baclofen.domain.errors import ConflictError, InvalidInputError, InvalidInputs
from baclofen.domain.evidence import format_evidence
from baclofen.domain.records import STAFF_ROLES, Role
from baclofen.entrypoints.api.context import Caller, audited
from baclofen.entrypoints.api.problems import Problem
from baclofen.entrypoints.api.records import audit_target, visible_patient
from baclofen.entrypoints.api.security import LoginLimiter, OutOfScope, actor_label, require_role
from baclofen.entrypoints.web.app import (
    WebRoute,
    caller_of,
    check_csrf,
    render,
    render_fragment,
    visit_of,
)
from baclofen.services.commands import AlertDecision, AssessPatientRisk, ComputeWorklist
from baclofen.services.ports import MAX_PAGE_SIZE

__all__ = ["router"]

router = APIRouter(route_class=WebRoute, include_in_schema=False)

#: The worklist's orders: by urgency (the worklist's own), by date, by patient, by level.
SORTS = ("urgency", "due", "patient", "level")


# --- login and logout -----------------------------------------------------------------------------------------
@router.get("/")
def home(request: Request) -> Response:
    visit = visit_of(request)
    if visit.user is None:
        return RedirectResponse("/login", status_code=303)
    if visit.user.role in STAFF_ROLES:
        return RedirectResponse("/worklist", status_code=303)
    if visit.user.role is Role.PATIENT:
        return RedirectResponse("/today", status_code=303)
    return render(request, "home.html")


@router.get("/login")
def login_page(request: Request) -> Response:
    if visit_of(request).user is not None:
        return RedirectResponse("/", status_code=303)
    return render(request, "login.html")


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form)
    visit = visit_of(request)
    username, password = _text(form, "username"), _text(form, "password", strip=False)
    limiter: LoginLimiter = request.app.state.login_limiter
    address = request.client.host if request.client is not None else "unknown"
    try:
        limiter.check(username, address)
    except Problem as exc:
        return render(request, "login.html", 429, error=exc.detail, username=username)
    user = visit.services.authenticate(username, password) if username and password else None
    if user is None:
        limiter.failed(username, address)
        return render(request, "login.html", 401, error="Wrong username or password.", username=username)
    limiter.succeeded(username, address)
    # a new session and a new CSRF nonce: nothing of the anonymous visit carries over
    visit.new_session = visit.signer.issue(user)
    visit.nonce, visit.nonce_is_new = secrets.token_urlsafe(24), True
    return RedirectResponse("/", status_code=303)


async def _log_out(request: Request, *, everywhere: bool) -> Response:
    form = await request.form()
    check_csrf(request, form)
    visit = visit_of(request)
    if visit.session is not None and visit.user is not None:
        if everywhere:
            visit.services.end_sessions(visit.user.username)
        else:
            visit.services.revoke_token(visit.user.user_id, visit.session.session_id, visit.signer.revocation_until())
    visit.ended = True
    visit.nonce, visit.nonce_is_new = secrets.token_urlsafe(24), True
    return RedirectResponse("/login", status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End this session: revoked in the store (a copy of the cookie opens nothing after it), the cookie cleared."""
    return await _log_out(request, everywhere=False)


@router.post("/logout-everywhere")
async def logout_everywhere(request: Request) -> Response:
    """End every session and API token of the account (another browser, a forgotten computer, a copied cookie)."""
    return await _log_out(request, everywhere=True)


# --- the clinic worklist -------------------------------------------------------------------------------------------
def _text(form: FormData | Mapping[str, Any], name: str, *, strip: bool = True) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value.strip() if strip else value


def _clinic_patient_ids(who: Caller) -> tuple[str, ...]:
    ids: list[str] = []
    with who.services.uow as uow:
        while True:
            page = uow.patients.for_clinic(who.user.clinic_id, after=ids[-1] if ids else None, limit=MAX_PAGE_SIZE)
            ids += [p.patient_id for p in page]
            if len(page) < MAX_PAGE_SIZE:
                return tuple(ids)


def _sorted(items: tuple[WorklistItem, ...], sort: str) -> list[WorklistItem]:
    if sort == "due":
        return sorted(items, key=lambda i: (i.due, i.sort_key()))
    if sort == "patient":
        return sorted(items, key=lambda i: (i.patient_id, i.sort_key()))
    if sort == "level":
        return sorted(items, key=lambda i: (i.level.rank, i.sort_key()))
    return list(items)


def _item_view(item: WorklistItem) -> dict[str, Any]:
    return {
        "item": item,
        "sources": format_evidence(item.sources),
        "key": f"{item.kind.value}-{item.patient_id}-{item.rule_id}-{item.alert_id or item.due.isoformat()}",
    }


@router.get("/worklist")
def worklist(request: Request, kind: str = "all", sort: str = "urgency", horizon_days: int = 14) -> Response:
    who = caller_of(request)
    kinds = [k.value for k in WorklistKind]
    if kind != "all" and kind not in kinds:
        raise InvalidInputError("kind", "all or one of " + ", ".join(kinds), kind)
    if sort not in SORTS:
        raise InvalidInputError("sort", "one of " + ", ".join(SORTS), sort)
    if not 0 <= horizon_days <= MAX_HORIZON_DAYS:
        raise InvalidInputError("horizon_days", f"a whole number of days from 0 to {MAX_HORIZON_DAYS}", horizon_days)
    with audited(who, "worklist.read", audit_target("clinic", who.user.clinic_id)):
        require_role(who.user, STAFF_ROLES)
        command = ComputeWorklist(_clinic_patient_ids(who), who.services.clock.now(), horizon_days)
        computed = who.services.compute_clinic_worklist(command)
    shown = [i for i in computed.items if kind == "all" or i.kind.value == kind]
    counts = {k: sum(1 for i in computed.items if i.kind.value == k) for k in kinds}
    return render(
        request,
        "worklist.html",
        worklist=computed,
        items=[_item_view(i) for i in _sorted(tuple(shown), sort)],
        kinds=kinds,
        counts=counts,
        kind=kind,
        sort=sort,
        sorts=SORTS,
        horizon_days=horizon_days,
        acknowledged=request.query_params.get("acknowledged"),
    )


@router.post("/alerts/{alert_id}/acknowledge")
async def acknowledge(request: Request, alert_id: str) -> Response:
    form = await request.form()
    check_csrf(request, form)
    who = caller_of(request)
    reason = _text(form, "reason")
    with audited(who, "alert.acknowledge", audit_target("alert", alert_id)):
        require_role(who.user, STAFF_ROLES)
        with who.services.uow as uow:
            alert = uow.alerts.get(alert_id)
            try:
                visible_patient(uow, who, alert.patient_id)
            except OutOfScope:
                raise OutOfScope(f"no alert {alert_id!r}") from None
        if alert.state is not AlertState.OPEN:
            raise ConflictError(f"alert {alert_id!r} is {alert.state.value}: it cannot be acknowledged now")
        if not reason:
            raise InvalidInputError("reason", "why the alert is acknowledged (a text of 1-2000 characters)", reason)
        decision = AlertDecision(alert_id, actor_label(who.user), who.services.clock.now(), reason)
        decided = who.services.acknowledge_alert(decision)
    if request.headers.get("HX-Request") == "true":
        return render_fragment(request, "worklist.html", "acknowledged", alert=decided)
    return RedirectResponse(f"/worklist?acknowledged={alert_id}", status_code=303)


# --- the patient's day and diary -------------------------------------------------------------------------------
def _own_patient_id(who: Caller) -> str:
    require_role(who.user, {Role.PATIENT})
    if who.user.patient_id is None:
        raise OutOfScope("this account names no patient record")
    return who.user.patient_id


def _diary_form(request: Request, status: int = 200, **context: Any) -> Response:
    return render(request, "diary_form.html", status, symptoms=[s.value for s in Symptom], **context)


@router.get("/diary/new")
def diary_form(request: Request) -> Response:
    who = caller_of(request)
    _own_patient_id(who)
    return _diary_form(request, values={}, errors={})


def _number(text: str, whole: bool) -> int | float | str | None:
    """A form's number: None when empty, else the number, else the text (the edge names the field)."""
    if not text:
        return None
    try:
        return int(text) if whole else float(text)
    except ValueError:
        return text


def _penn_text(frequency: str, severity: str) -> str | None:
    """The Penn score's text (``F`` or ``F:S``) of the form's two fields; None when not rated."""
    if not frequency:
        return None
    return f"{frequency}:{severity}" if severity and frequency != "0" else frequency


@router.post("/diary")
async def log_diary(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, form)
    who = caller_of(request)
    patient_id = _own_patient_id(who)
    names = ("doses_taken", "doses_missed", "spasm_frequency", "spasm_severity", "note")
    values = {name: _text(form, name) for name in names}
    values |= {name: _text(form, name) for name in ("stiffness_nrs", "pain_nrs", "sleep_nrs")}
    symptoms = [s for s in form.getlist("symptoms") if isinstance(s, str)]
    try:
        with audited(who, "diary.create", audit_target("patient", patient_id)):
            with who.services.uow as uow:
                visible_patient(uow, who, patient_id)
            now = who.services.clock.now()
            command = log_diary_entry_command(
                patient_id=patient_id,
                recorded_at=now,
                not_after=now,
                doses_taken=_number(values["doses_taken"], whole=True),  # type: ignore[arg-type]
                doses_missed=_number(values["doses_missed"], whole=True) or 0,  # type: ignore[arg-type]
                spasm_frequency=_penn_text(values["spasm_frequency"], values["spasm_severity"]),
                stiffness_nrs=_number(values["stiffness_nrs"], whole=False),  # type: ignore[arg-type]
                pain_nrs=_number(values["pain_nrs"], whole=False),  # type: ignore[arg-type]
                sleep_nrs=_number(values["sleep_nrs"], whole=False),  # type: ignore[arg-type]
                symptoms=symptoms,
                note=values["note"],
            )
            logged = who.services.log_diary_entry(command)
            risk = who.services.assess_patient_risk(AssessPatientRisk(patient_id, now))
    except InvalidInputError as exc:  # audited as failed; the form again, each invalid field named
        errors = exc.errors if isinstance(exc, InvalidInputs) else (exc,)
        shown = {e.field.split("[")[0]: f"expected {e.expected}" for e in errors}
        return _diary_form(request, 422, values=values | {"symptoms": symptoms}, errors=shown)
    high = any(f.data.get("level") == RiskLevel.HIGH.value for f in logged.findings)
    messages = risk.assessment.patient_messages or ((PATIENT_MESSAGE_RED_FLAG,) if logged.findings else ())
    return render(request, "diary_logged.html", 201, logged=logged, high=high, messages=messages)
