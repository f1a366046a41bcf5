"""The planners as forms: plan a titration, taper, oral -> intrathecal transition or switch for a stored patient,
check it (nothing saved), then save it: the same bodies, edge builders and use cases as ``POST
/api/v1/patients/{patient_id}/plans`` (:mod:`baclofen.entrypoints.api.regimens`).

* ``GET /patients/{patient_id}/plans/new?kind=titration|taper|switch|itb-transition``: the form of the API body's
  fields, each labelled;
* ``POST /patients/{patient_id}/plans/check``: the planner run WITHOUT saving
  (:func:`baclofen.services.regimens.check_plan`): the plan's steps (dates, doses with units) and findings (rule id,
  severity, reasoning, sources, whether a clinician may override it); each overridable block offers an override,
  which needs a reason (the clinician is the logged-in user). A plan a block stands against has no Save button;
* ``POST /patients/{patient_id}/plans``: the checked plan saved through the API's use case
  (:func:`baclofen.services.regimens.save_plan`), audited as ``plan.save``; a plan that differs from the one the
  form checked (``checked``, its fingerprint) is shown again to check, never saved unseen; a blocked plan: 409;
* ``GET /plans/{plan_id}``: a saved plan with its findings, overrides and the settings it used (and their source).

Planning and saving are a clinician's (a plan is a prescription): anyone else gets a 403 page. Another clinic's
patient is a 404 page. Every form carries the CSRF token. Invalid fields: the form again (422), each named next to
its input.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from baclofen.adapters.edge.pump import plan_concentration_change_command
from baclofen.adapters.edge.regimens import change_pump_program_command, save_plan_command
from baclofen.domain.clinic.regimens import SavedPlan, plan_statuses
from baclofen.domain.errors import InvalidInputError, InvalidInputs
from baclofen.domain.itb.concentration import ConcentrationChange
from baclofen.domain.records import STAFF_ROLES, PumpRecord
from baclofen.domain.rules.core import Finding, Severity
from baclofen.entrypoints.api.context import Caller, audited
from baclofen.entrypoints.api.records import audit_target, visible_patient, visible_pump
from baclofen.entrypoints.api.regimens import PRESCRIBERS, READERS, planner_command, visible_plan
from baclofen.entrypoints.api.schemas import (
    ProgramChangeRequest,
    SaveSwitchRequest,
    SaveTaperRequest,
    SaveTitrationRequest,
    SaveTransitionRequest,
)
from baclofen.entrypoints.api.security import actor_label, require_role
from baclofen.entrypoints.api.stateless_schemas import ConcentrationChangeRequest
from baclofen.entrypoints.json_values import json_ready
from baclofen.entrypoints.web.app import WebRoute, caller_of, check_csrf, render
from baclofen.services import itb
from baclofen.services.commands import ChangePumpProgram, SavePlan
from baclofen.services.regimens import CheckedPlan, CheckedProgramChange, NotStored

__all__ = ["router"]

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@dataclass(frozen=True, slots=True)
class Field:
    """One input of a planner's form: the API body's field ``name``, its label and how its text is read
    (``date``, ``text``, ``number``, ``int``, ``bool``, ``list``: comma-separated, ``settings``: NAME=VALUE lines)."""

    name: str
    label: str
    kind: str = "number"
    hint: str = ""


_START = Field("start_date", "Start date", "date")
_COMMON = (
    Field("product", "Product (optional; the locale's default tablet when empty)", "text"),
    Field("step_interval_days", "Days between steps (optional)", "int"),
    Field("dose_times", "Dose times (optional)", "list", "HH:MM, comma-separated"),
    Field("current_drugs", "Current medicines (optional)", "list", "comma-separated"),
    Field("settings", "Settings (optional)", "settings", "NAME=VALUE, one a line"),
)
FORMS: dict[str, tuple[str, type[BaseModel], tuple[Field, ...]]] = {
    "titration": (
        "Oral titration",
        SaveTitrationRequest,
        (
            _START,
            Field("target_mg_per_day", "Target dose (mg/day, optional)"),
            Field("doses_per_day", "Doses a day", "int"),
            Field("start_dose_mg", "Start dose (mg a dose)"),
            Field("step_dose_mg", "Step (mg a dose)"),
            *_COMMON,
        ),
    ),
    "taper": (
        "Oral taper",
        SaveTaperRequest,
        (
            Field("from_mg_per_day", "Current dose (mg/day)"),
            Field("to_mg_per_day", "Target dose (mg/day; 0 to stop)"),
            _START,
            Field("doses_per_day", "Doses a day", "int"),
            Field("months_on_therapy", "Months on therapy (optional)"),
            Field("max_step_mg", "Largest step (mg/day, optional)"),
            Field("min_days_to_zero", "Fewest days to zero (optional)", "int"),
            *_COMMON,
        ),
    ),
    "itb-transition": (
        "Oral to intrathecal transition",
        SaveTransitionRequest,
        (
            Field("infusion_start", "Infusion start", "date"),
            Field("oral_mg_per_day", "Oral dose now (mg/day)"),
            Field("itb_initial_mcg_per_day", "Initial intrathecal dose (mcg/day)"),
            Field("itb_target_mcg_per_day", "Target intrathecal dose (mcg/day, optional)"),
            Field("max_oral_cut_percent", "Largest oral cut (% a step, optional)"),
            Field("months_on_therapy", "Months on therapy (optional)"),
            Field("product", "Oral product (optional)", "text"),
            Field("other_oral_antispastics", "Other oral antispastics (optional)", "list", "comma-separated"),
        ),
    ),
    "switch": (
        "Switch to an alternative",
        SaveSwitchRequest,
        (
            Field("switch_to", "Switch to (drug)", "text", "e.g. tizanidine"),
            Field("from_mg_per_day", "Current baclofen dose (mg/day)"),
            _START,
            Field("failed", "Baclofen failed", "bool"),
            Field("not_tolerated", "Baclofen not tolerated", "bool"),
            Field("current", "On baclofen now", "bool"),
            Field("focal", "Focal spasticity", "bool"),
            Field("severe", "Severe spasticity", "bool"),
            Field("liver_disease", "Liver disease", "bool"),
            Field("drugs", "Medication list (optional)", "list", "comma-separated"),
            Field("conditions", "More conditions (optional)", "list", "comma-separated"),
            Field("guideline", "Guideline (optional)", "text"),
            Field("months_on_therapy", "Months on baclofen (optional)"),
            Field("settings", "Settings (optional)", "settings", "NAME=VALUE, one a line"),
        ),
    ),
}
_OVERRIDE = "override"
_REASON = "override_reason."


class FormInvalid(Exception):
    """Fields of the form that are not valid: ``errors`` maps each field's name to what was expected."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _kind(kind: str) -> str:
    if kind not in FORMS:
        raise InvalidInputError("kind", "one of " + ", ".join(FORMS), kind)
    return kind


def _read_value(field: Field, text: str) -> Any:
    """The JSON value of a field's text (a text that is not a number stays a text: the body names it)."""
    if field.kind in ("number", "int"):
        try:
            return int(text) if field.kind == "int" else float(text)
        except ValueError:
            return text
    if field.kind == "list":
        return [x.strip() for x in text.split(",") if x.strip()]
    if field.kind == "settings":
        settings: dict[str, Any] = {}
        for line in filter(None, (x.strip() for x in text.splitlines())):
            name, sep, value = line.partition("=")
            if not sep or not name.strip():
                raise FormInvalid({"settings": "NAME=VALUE lines"})
            settings[name.strip()] = _setting_value(value.strip())
        return settings
    return text


def _setting_value(text: str) -> float | bool | str:
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return float(text)
    except ValueError:
        return text


def _overrides(form: FormData) -> list[str]:
    """``RULE-ID=REASON`` of each override ticked; one without a reason is refused (named)."""
    chosen = [x.strip() for x in form.getlist(_OVERRIDE) if isinstance(x, str) and x.strip()]
    missing = {_REASON + rule: f"a reason for overriding {rule}" for rule in chosen if not _text(form, _REASON + rule)}
    if missing:
        raise FormInvalid(missing)
    return [f"{rule}={_text(form, _REASON + rule)}" for rule in chosen]


def _body(
    model: type[BaseModel], fields: tuple[Field, ...], form: FormData, kind: str | None, *, model_key: str = ""
) -> tuple[BaseModel, dict[str, str]]:
    """The API body of the form (the same model, strict), and the fields whose text is not a number (each kept
    out of the body by a stand-in, so that the edge still names the other fields); invalid: :class:`FormInvalid`."""
    body: dict[str, Any] = {"kind": kind} if kind is not None else {}
    body |= {"pump": model_key} if model_key else {"overrides": _overrides(form)}
    not_numbers: dict[str, str] = {}
    for field in fields:
        text = _text(form, field.name)
        if field.kind == "bool":
            body[field.name] = text == "on"
        elif text:
            value = _read_value(field, text)
            if field.kind in ("number", "int") and isinstance(value, str):
                not_numbers[field.name] = "a whole number" if field.kind == "int" else "a number"
                value = 1
            body[field.name] = value
    try:
        return model.model_validate(body), not_numbers
    except ValidationError as exc:
        errors = {".".join(str(p) for p in e["loc"][:1]) or "form": e["msg"] for e in exc.errors()}
        raise FormInvalid(errors | not_numbers) from None


def _command(who: Caller, patient_id: str, kind: str, form: FormData) -> SavePlan:
    """The SavePlan command of the form, through the API's body and edge builders; invalid: :class:`FormInvalid`."""
    _, model, fields = FORMS[kind]
    body, not_numbers = _body(model, fields, form, kind)
    clinician = actor_label(who.user)
    try:
        plan = planner_command(body, clinician)
        command = save_plan_command(
            patient_id=patient_id, plan=plan, saved_by=clinician, saved_at=who.services.clock.now()
        )
    except InvalidInputError as exc:
        raise FormInvalid(_named(exc) | not_numbers) from None
    if not_numbers:
        raise FormInvalid(not_numbers)
    return command


def _named(exc: InvalidInputError) -> dict[str, str]:
    """Each invalid field of ``exc`` by its form name (``override``: the overrides' inputs)."""
    errors = exc.errors if isinstance(exc, InvalidInputs) else (exc,)
    return {e.field.split("[")[0].split(" ")[0]: f"expected {e.expected}" for e in errors}


def fingerprint(saved: SavedPlan) -> str:
    """What the clinician checked: the plan to save (its position, plan, findings, overrides, settings), not when."""
    shown = {k: v for k, v in saved.to_dict().items() if k != "saved_at"}
    return hashlib.sha256(json.dumps(json_ready(shown), sort_keys=True).encode()).hexdigest()


def _findings_view(findings: tuple[Finding, ...]) -> list[dict[str, Any]]:
    order = {Severity.BLOCK: 0, Severity.WARN: 1}
    ranked = sorted(findings, key=lambda f: (order.get(f.severity, 2), f.rule_id))
    return [f.to_dict() | {"blocking": f.is_blocking} for f in ranked]


def _form_page(
    request: Request,
    patient_id: str,
    kind: str,
    values: Mapping[str, Any],
    *,
    status: int = 200,
    errors: Mapping[str, str] | None = None,
    checked: CheckedPlan | None = None,
    notice: str = "",
) -> Response:
    title, _, fields = FORMS[kind]
    view = None
    if checked is not None:
        plan = checked.plan.to_dict() if checked.plan is not None else None
        view = {
            "plan": plan,
            "findings": _findings_view(checked.findings),
            "offerable": checked.offerable,
            "fingerprint": fingerprint(checked.draft) if checked.draft is not None else "",
            "overridable": [f.rule_id for f in checked.findings if f.is_blocking and f.overridable],
            "settings": plan["settings"] if plan is not None else [],
        }
    return render(
        request,
        "planner_form.html",
        status,
        heading=f"{title} for patient {patient_id}",
        kinds={f"/patients/{patient_id}/plans/new?kind={k}": v[0] for k, v in FORMS.items()},
        current=f"/patients/{patient_id}/plans/new?kind={kind}",
        check_action=f"/patients/{patient_id}/plans/check?kind={kind}",
        save_action=f"/patients/{patient_id}/plans?kind={kind}",
        title=title,
        fields=fields,
        values=values,
        errors=dict(errors or {}),
        checked=view,
        notice=notice,
    )


def _values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    values[_OVERRIDE] = [x for x in form.getlist(_OVERRIDE) if isinstance(x, str)]
    return values


class NotChecked(Exception):
    """The plan to save is not the one the form checked: shown again, nothing saved."""

    def __init__(self, checked: CheckedPlan) -> None:
        super().__init__("the plan is not the one checked")
        self.checked = checked


def _prescriber(request: Request, patient_id: str) -> Caller:
    who = caller_of(request)
    require_role(who.user, PRESCRIBERS)
    with who.services.uow as uow:
        visible_patient(uow, who, patient_id)
    return who


@router.get("/patients/{patient_id}/plans/new")
def plan_form(request: Request, patient_id: str, kind: str = "taper") -> Response:
    who = caller_of(request)
    kind = _kind(kind)
    with audited(who, "plan.form", audit_target("patient", patient_id)):
        _prescriber(request, patient_id)
    today = who.services.clock.now().date().isoformat()
    return _form_page(request, patient_id, kind, {"start_date": today, "infusion_start": today})


@router.post("/patients/{patient_id}/plans/check")
async def check_plan(request: Request, patient_id: str, kind: str = "taper") -> Response:
    form = await request.form()
    check_csrf(request, form)
    who = caller_of(request)
    kind = _kind(kind)
    values = _values(form)
    try:
        with audited(who, "plan.check", audit_target("patient", patient_id)):
            _prescriber(request, patient_id)
            checked = who.services.check_plan(_command(who, patient_id, kind, form))
    except FormInvalid as exc:
        return _form_page(request, patient_id, kind, values, status=422, errors=exc.errors)
    return _form_page(request, patient_id, kind, values, checked=checked)


@router.post("/patients/{patient_id}/plans")
async def save_plan(request: Request, patient_id: str, kind: str = "taper") -> Response:
    form = await request.form()
    check_csrf(request, form)
    who = caller_of(request)
    kind = _kind(kind)
    values = _values(form)
    try:
        with audited(who, "plan.save", audit_target("patient", patient_id)):
            _prescriber(request, patient_id)
            command = _command(who, patient_id, kind, form)
            checked = who.services.check_plan(command)
            if checked.draft is None:
                raise NotStored("a block stands against this plan: nothing saved", checked.findings, checked.plan)
            if fingerprint(checked.draft) != _text(form, "checked"):
                raise NotChecked(checked)
            saved = who.services.save_plan(command)
    except FormInvalid as exc:
        return _form_page(request, patient_id, kind, values, status=422, errors=exc.errors)
    except NotChecked as exc:
        notice = "This is not the plan you checked (the form or the record changed): check it, then save."
        return _form_page(request, patient_id, kind, values, status=409, checked=exc.checked, notice=notice)
    except NotStored as exc:
        blocked = CheckedPlan(exc.plan, exc.findings, None)
        return _form_page(request, patient_id, kind, values, status=409, checked=blocked, notice=str(exc))
    return RedirectResponse(f"/plans/{saved.plan_id}", status_code=303)


@router.get("/plans/{plan_id}")
def saved_plan(request: Request, plan_id: str) -> Response:
    who = caller_of(request)
    with audited(who, "plan.read", audit_target("plan", plan_id)):
        require_role(who.user, READERS)
        with who.services.uow as uow:
            plan, history = visible_plan(uow, who, plan_id)
    status, superseded_by = plan_statuses(history)[plan.plan_id]
    document = json_ready(plan.to_dict(status, superseded_by))
    findings = [Finding.from_dict(f) for f in document["findings"]]
    return render(request, "planner_saved.html", saved=document, findings=_findings_view(tuple(findings)))


# --- a pump's program change between refills ------------------------------------------------------------------------
PROGRAM_FIELDS = (
    Field("daily_dose_mcg", "New daily dose (mcg/day, a continuous program)"),
    Field("flex", "Or a flex program (optional)", "text", "HH:MM=MCG_PER_H, comma-separated"),
    Field("reason", "Why the program changes", "text"),
    Field("changed_at", "Changed at (optional; now when empty)", "text", "YYYY-MM-DDTHH:MM+01:00"),
    Field("confirm_high_dose", "I confirm a high daily dose", "bool"),
    Field("planned_taper", "A planned taper (a decrease on purpose)", "bool"),
    Field("settings", "Settings (optional)", "settings", "NAME=VALUE, one a line"),
)


def _program_command(who: Caller, pump: PumpRecord, form: FormData) -> ChangePumpProgram:
    body, not_numbers = _body(ProgramChangeRequest, PROGRAM_FIELDS, form, None)
    now = who.services.clock.now()
    fields = body.model_dump(exclude={"changed_at"})
    changed_at = getattr(body, "changed_at", None)
    try:
        command = change_pump_program_command(
            pump_id=pump.pump_id,
            changed_at=changed_at if changed_at is not None else now,
            not_after=now,
            changed_by=actor_label(who.user),
            pump=pump.model,
            **fields,
        )
    except InvalidInputError as exc:
        raise FormInvalid(_named(exc) | not_numbers) from None
    if not_numbers:
        raise FormInvalid(not_numbers)
    return command


class ShownAgain(Exception):
    """A program change not stored (a block stands, or it is not the one checked): the form again, with why."""

    def __init__(self, checked: CheckedProgramChange, notice: str) -> None:
        super().__init__(notice)
        self.checked = checked
        self.notice = notice


def program_fingerprint(checked: CheckedProgramChange) -> str:
    """What the clinician checked: the change to store (its position, program, findings), not when it was asked."""
    assert checked.draft is not None
    shown = {k: v for k, v in checked.draft.to_dict().items() if k != "changed_at"}
    return hashlib.sha256(json.dumps(json_ready(shown), sort_keys=True).encode()).hexdigest()


def _program_page(
    request: Request,
    pump_id: str,
    values: Mapping[str, Any],
    *,
    status: int = 200,
    errors: Mapping[str, str] | None = None,
    checked: CheckedProgramChange | None = None,
    notice: str = "",
    saved_notice: str = "",
) -> Response:
    view = None
    if checked is not None:
        draft = checked.draft
        summary = [f"Program in effect: {checked.previous_daily_dose_mcg:g} mcg/day."]
        if draft is not None:
            summary.append(f"New program: {draft.daily_dose_mcg:g} mcg/day ({draft.program.mode.value}).")
        view = {
            "plan": None,
            "summary": summary,
            "findings": _findings_view(checked.findings),
            "offerable": checked.offerable,
            "fingerprint": program_fingerprint(checked) if draft is not None else "",
            "overridable": [f.rule_id for f in checked.findings if f.is_blocking and f.overridable],
            "settings": [u.to_dict() for u in checked.settings],
        }
    return render(
        request,
        "planner_form.html",
        status,
        heading=f"Program change of pump {pump_id}",
        kinds={},
        check_action=f"/pumps/{pump_id}/program/check",
        save_action=f"/pumps/{pump_id}/program",
        save_label="Save this program change",
        checked_heading="Checked program change (not stored)",
        title="Program change",
        fields=PROGRAM_FIELDS,
        values=values,
        errors=dict(errors or {}),
        checked=view,
        notice=notice,
        saved_notice=saved_notice,
    )


def _prescribers_pump(request: Request, pump_id: str) -> tuple[Caller, PumpRecord]:
    who = caller_of(request)
    require_role(who.user, PRESCRIBERS)
    with who.services.uow as uow:
        return who, visible_pump(uow, who, pump_id)


@router.get("/pumps/{pump_id}/program/new")
def program_form(request: Request, pump_id: str, saved: int | None = None) -> Response:
    who = caller_of(request)
    with audited(who, "pump.program_form", audit_target("pump", pump_id)):
        _prescribers_pump(request, pump_id)
        with who.services.uow as uow:
            changes = uow.program_changes.for_pump(pump_id)
    done = next((c for c in changes if c.seq == saved), None) if saved is not None else None
    notice = ""
    if done is not None:
        notice = f"Program change {done.change_id} stored: {done.daily_dose_mcg:g} mcg/day from "
        notice += f"{done.changed_at.isoformat()}, by {done.changed_by}."
    return _program_page(request, pump_id, {}, saved_notice=notice)


@router.post("/pumps/{pump_id}/program/check")
async def check_program(request: Request, pump_id: str) -> Response:
    form = await request.form()
    check_csrf(request, form)
    who = caller_of(request)
    values = _values(form)
    try:
        with audited(who, "pump.program_check", audit_target("pump", pump_id)):
            who, pump = _prescribers_pump(request, pump_id)
            checked = who.services.check_pump_program(_program_command(who, pump, form))
    except FormInvalid as exc:
        return _program_page(request, pump_id, values, status=422, errors=exc.errors)
    return _program_page(request, pump_id, values, checked=checked)


@router.post("/pumps/{pump_id}/program")
async def save_program(request: Request, pump_id: str) -> Response:
    form = await request.form()
    check_csrf(request, form)
    who = caller_of(request)
    values = _values(form)
    try:
        with audited(who, "pump.program_change", audit_target("pump", pump_id)):
            who, pump = _prescribers_pump(request, pump_id)
            command = _program_command(who, pump, form)
            checked = who.services.check_pump_program(command)
            if checked.draft is None:
                raise ShownAgain(checked, "A block stands against this program change: nothing stored.")
            if program_fingerprint(checked) != _text(form, "checked"):
                raise ShownAgain(
                    checked, "This is not the change you checked (the form or the record changed): check it, then save."
                )
            change = who.services.change_pump_program(command)
    except FormInvalid as exc:
        return _program_page(request, pump_id, values, status=422, errors=exc.errors)
    except ShownAgain as exc:
        return _program_page(request, pump_id, values, status=409, checked=exc.checked, notice=exc.notice)
    except NotStored as exc:  # stored meanwhile by another change: nothing stored
        return _program_page(request, pump_id, values, status=409, notice=str(exc))
    return RedirectResponse(f"/pumps/{pump_id}/program/new?saved={change.seq}", status_code=303)


# --- a concentration change with its bridge bolus (a calculator: nothing stored) ------------------------------------
CONCENTRATION_FIELDS = (
    Field("daily_dose_mcg", "Daily dose (mcg/day, kept the same)"),
    Field("old_mcg_per_ml", "Old concentration (mcg/mL)"),
    Field("new_mcg_per_ml", "New concentration (mcg/mL)"),
    Field("catheter_volume_ml", "Catheter volume (mL; the pump model may give it)"),
    Field("catheter_trimmed_cm", "Catheter trimmed by (cm, optional)"),
    Field("pump_internal_volume_ml", "Pump internal volume (mL, optional)"),
    Field("flex", "Flex program (optional)", "text", "HH:MM=MCG_PER_H, comma-separated"),
    Field("change_time", "Change time on the pump clock (optional)", "text", "HH:MM"),
)


def _concentration_view(change: ConcentrationChange) -> dict[str, Any]:
    bridge = change.to_dict()["bridge"]
    hours = bridge["duration_h"]
    low, high = bridge["duration_h_range"]
    summary = [
        f"Daily dose {change.daily_dose_mcg:g} mcg/day: {change.old_ml_per_day:.3f} mL/day at "
        f"{change.old_mcg_per_ml:g} mcg/mL, {change.new_ml_per_day:.3f} mL/day at {change.new_mcg_per_ml:g} mcg/mL.",
        f"Dead volume (catheter and pump tubing): {change.dead_volume_ml:.3f} mL holding "
        f"{change.bridge_drug_mcg:.1f} mcg of the old solution.",
        "Bridge bolus: "
        + (f"{hours:.1f} h" if hours is not None else f"{low:.1f} to {high:.1f} h")
        + f" at {bridge['rate_ml_per_h']:.4f} mL/h (the programmer shows "
        f"{bridge['programmer_shows_mcg_at_new_concentration']:.1f} mcg at the new concentration).",
    ]
    return {
        "plan": None,
        "summary": summary,
        "steps": list(change.steps),
        "findings": _findings_view(change.findings),
        "offerable": False,
        "fingerprint": "",
        "overridable": [],
        "settings": [u.to_dict() for u in change.settings_used],
    }


def _concentration_page(
    request: Request,
    pump_id: str,
    values: Mapping[str, Any],
    *,
    status: int = 200,
    errors: Mapping[str, str] | None = None,
    change: ConcentrationChange | None = None,
) -> Response:
    return render(
        request,
        "planner_form.html",
        status,
        heading=f"Concentration change of pump {pump_id}",
        kinds={},
        check_action=f"/pumps/{pump_id}/concentration-change",
        check_label="Compute",
        calculator=True,
        checked_heading="Concentration change and bridge bolus (nothing stored)",
        title="Concentration change",
        fields=CONCENTRATION_FIELDS,
        values=values,
        errors=dict(errors or {}),
        checked=_concentration_view(change) if change is not None else None,
        notice="",
    )


def _staff_pump(request: Request, pump_id: str) -> tuple[Caller, PumpRecord]:
    who = caller_of(request)
    require_role(who.user, STAFF_ROLES)
    with who.services.uow as uow:
        return who, visible_pump(uow, who, pump_id)


@router.get("/pumps/{pump_id}/concentration-change")
def concentration_form(request: Request, pump_id: str) -> Response:
    who = caller_of(request)
    with audited(who, "pump.concentration_form", audit_target("pump", pump_id)):
        _staff_pump(request, pump_id)
    return _concentration_page(request, pump_id, {})


@router.post("/pumps/{pump_id}/concentration-change")
async def concentration_change(request: Request, pump_id: str) -> Response:
    """The stateless calculator (``POST /api/v1/pumps/concentration-change``) on the stored pump's model."""
    form = await request.form()
    check_csrf(request, form)
    who = caller_of(request)
    values = _values(form)
    try:
        with audited(who, "pump.concentration_change", audit_target("pump", pump_id)):
            who, pump = _staff_pump(request, pump_id)
            body, not_numbers = _body(
                ConcentrationChangeRequest, CONCENTRATION_FIELDS, form, None, model_key=pump.model.key
            )
            try:
                change = itb.plan_concentration(plan_concentration_change_command(**body.model_dump()))
            except InvalidInputError as exc:
                raise FormInvalid(_named(exc) | not_numbers) from None
            if not_numbers:
                raise FormInvalid(not_numbers)
    except FormInvalid as exc:
        return _concentration_page(request, pump_id, values, status=422, errors=exc.errors)
    return _concentration_page(request, pump_id, values, change=change)
