"""The refill visit of a stored pump as a form (staff: nurse and clinician), on the same use cases as the API.

* ``GET /pumps/{pump_id}/refill``: the pump (model, last fill, concentration, program) and the visit's form,
  filled in with the last fill's concentration and program and the clinic's time now;
* ``POST /pumps/{pump_id}/refill/preview``: the refill check of the typed visit, stored nowhere
  (:func:`baclofen.services.itb.assess_refill_visit`, the code a stored visit runs): the expected residual
  (what the last fill's program should have left at the visit's time), the discrepancy (mL and %), the new fill
  and its forecast (next refill date, low-reservoir alarm and empty dates) and the findings. htmx posts the
  form there as one types (``input changed delay:300ms``) and swaps in the ``preview`` block; without
  JavaScript the "Check" button posts it there and gets the whole page back;
* ``POST /pumps/{pump_id}/refill``: records the visit (``services.record_refill_visit``, the use case of
  ``POST /api/v1/pumps/{pump_id}/visits``) and answers 303 to the visit's record (post/redirect/get: a reload
  does not post the visit again). A block standing against the visit: nothing stored, the form again (409) with
  the findings; next to each overridable block a clinician (only) ticks an override and gives a reason
  (``override`` = the rule id, ``override_reason.RULE-ID``), checked by the domain's override rules;
* ``GET /pumps/{pump_id}/visits/{number}``: the stored visit ``number`` (1 = the first) of the pump, printable,
  with the blocks a clinician overrode to record it (who, which block, why: kept with the visit).

Every access is audited as the API's is (``pump.read``, ``pump.refill_check``, ``pump.add_visit``); a pump out of
the visitor's clinic is a 404 page; a patient is refused (403). Every POST carries the form's CSRF token (htmx posts
the form's own fields, the token among them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from baclofen.adapters.edge.pump import record_refill_visit_command
from baclofen.adapters.edge.text import describe_program, format_flex, parse_moment
from baclofen.domain.errors import InvalidInputError, InvalidInputs
from baclofen.domain.evidence import format_evidence
from baclofen.domain.itb.programs import ProgramMode
from baclofen.domain.itb.refill import expected_residual_ml
from baclofen.domain.itb.reservoir import ReservoirFill
from baclofen.domain.records import STAFF_ROLES, PumpRecord, RefillVisitRecord, Role
from baclofen.domain.rules.core import Finding, Override
from baclofen.entrypoints.api.context import Caller, audited
from baclofen.entrypoints.api.records import audit_target, visible_pump
from baclofen.entrypoints.api.security import actor_label, require_role
from baclofen.entrypoints.web.app import WebRoute, caller_of, check_csrf, render, render_fragment
from baclofen.services import itb
from baclofen.services.commands import RecordRefillVisit
from baclofen.services.itb import PumpVisit

__all__ = ["FORM_FIELDS", "expected_residual", "router", "visit_command"]

router = APIRouter(route_class=WebRoute, include_in_schema=False)

#: The form's fields (the names of the API's visit fields).
FORM_FIELDS = ("refilled", "aspirated_ml", "concentration_mcg_per_ml", "daily_dose_mcg", "flex", "target_interval_days")
_TEMPLATE = "refill_form.html"
#: The form's override of a block: the rule id ticked, and its reason.
_OVERRIDE = "override"
_REASON = "override_reason."
#: The services' names of the visit's time (a fill, checked against the implant date and the last refill).
_VISIT_TIME_FIELDS = ("filled", "filled_at", "refilled_at", "implanted", "as_of")


# --- reading the stored pump and the form ---------------------------------------------------------------------
def _pump(who: Caller, pump_id: str) -> PumpRecord:
    require_role(who.user, STAFF_ROLES)
    with who.services.uow as uow:
        return visible_pump(uow, who, pump_id)


def _defaults(record: PumpRecord, now: datetime) -> dict[str, str]:
    """The form's first values: the last fill's concentration and program, the clinic's time now."""
    values = dict.fromkeys(FORM_FIELDS, "")
    values["refilled"] = now.strftime("%Y-%m-%dT%H:%M")
    last = record.last_fill()
    if last is not None and last.concentration_mcg_per_ml is not None:
        values["concentration_mcg_per_ml"] = f"{last.concentration_mcg_per_ml:g}"
    if last is not None and last.program is not None:
        if last.program.mode is ProgramMode.FLEX:
            values["flex"] = format_flex(last.program)
        elif last.program.mode is ProgramMode.SIMPLE_CONTINUOUS:
            values["daily_dose_mcg"] = f"{last.program.daily_dose_mcg:g}"
    return values


def expected_residual(record: PumpRecord, at: date | datetime) -> float | None:
    """What the last fill's program should have left in the reservoir at ``at``, mL (to 0.01 mL); None when the
    pump has no recorded fill with its concentration and program."""
    last = record.last_fill()
    if last is None or last.refilled_at is None or last.program is None or last.concentration_mcg_per_ml is None:
        return None
    assert last.fill_ml is not None  # a last fill has its volume
    fill = ReservoirFill(record.model, last.fill_ml, last.concentration_mcg_per_ml, last.program, last.refilled_at)
    return round(expected_residual_ml(fill, at), 2)


def _number(errors: list[InvalidInputError], text: str, name: str, expected: str, *, whole: bool = False) -> Any:
    if not text:
        return None
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        errors.append(InvalidInputError(name, expected, text))
        return None
    return value


def _pump_clock_only(record: PumpRecord) -> bool:
    """True when the pump's last dated visit has no UTC offset (pump-clock times): the next one has none either."""
    dated = [v.refilled_at for v in record.visits if v.refilled_at is not None]
    return bool(dated) and (not isinstance(dated[-1], datetime) or dated[-1].tzinfo is None)


def _moment(errors: list[InvalidInputError], text: str, zone: Any) -> date | datetime | None:
    """The visit's time: the form's local date-time, in the clinic's zone (``zone`` None: as the pump's clock)."""
    if not text:
        errors.append(InvalidInputError("refilled", "the date and time of the visit YYYY-MM-DDTHH:MM", text))
        return None
    try:
        moment = parse_moment(text, "refilled")
    except InvalidInputError as exc:
        errors.append(exc)
        return None
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(0))
    return moment if moment.tzinfo is not None or zone is None else moment.replace(tzinfo=zone)


def visit_command(record: PumpRecord, values: Mapping[str, str], zone: Any) -> RecordRefillVisit:
    """The visit of the form's ``values`` on the stored pump ``record`` (its expected residual computed from the
    last fill); every invalid field named at once (:class:`InvalidInputs`)."""
    errors: list[InvalidInputError] = []
    refilled = _moment(errors, values["refilled"], None if _pump_clock_only(record) else zone)
    aspirated = _number(errors, values["aspirated_ml"], "aspirated_ml", "the volume aspirated, mL (e.g. 3.1)")
    concentration = _number(
        errors, values["concentration_mcg_per_ml"], "concentration_mcg_per_ml", "the new fill's concentration, mcg/mL"
    )
    if not values["concentration_mcg_per_ml"]:
        errors.append(InvalidInputError("concentration_mcg_per_ml", "the new fill's concentration, mcg/mL", ""))
    dose = _number(errors, values["daily_dose_mcg"], "daily_dose_mcg", "the daily dose, mcg/day")
    days = _number(errors, values["target_interval_days"], "target_interval_days", "a whole number of days", whole=True)
    flex = values["flex"] or None
    if dose is None and flex is None and not values["daily_dose_mcg"]:
        errors.append(InvalidInputError("daily_dose_mcg", "a daily dose (mcg/day) or a flex program", ""))
    expected = None
    if aspirated is not None and refilled is not None:
        try:
            expected = expected_residual(record, refilled)
        except InvalidInputError as exc:  # a visit time the last fill cannot be compared with
            errors.append(InvalidInputError("refilled", exc.expected, values["refilled"]))
        else:
            if expected is None:
                errors.append(
                    InvalidInputError(
                        "aspirated_ml", "empty: this pump has no recorded fill to expect a residual of", aspirated
                    )
                )
    command = None
    try:
        command = record_refill_visit_command(
            pump_id=record.pump_id,
            pump=record.model,
            concentration_mcg_per_ml=concentration,
            refilled=refilled if refilled is not None else values["refilled"] or "",
            daily_dose_mcg=None if flex else dose,
            flex=flex,
            expected_ml=expected if aspirated is not None else None,
            aspirated_ml=aspirated if expected is not None else None,
            target_interval_days=days,
        )
    except InvalidInputError as exc:
        errors += [e for e in (exc.errors if isinstance(exc, InvalidInputs) else (exc,)) if e.field != "refilled"]
    if errors or command is None:
        raise InvalidInputs(errors or [InvalidInputError("refilled", "a valid visit", values["refilled"])])
    return command


def _values(form: FormData) -> dict[str, str]:
    return {name: v.strip() if isinstance(v := form.get(name), str) else "" for name in FORM_FIELDS}


def _override_form(who: Caller, form: FormData, errors: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """What the form's override inputs hold (the rules ticked, the reasons typed, their errors); None for a
    caller who may not override a block (not a clinician)."""
    if who.user.role is not Role.CLINICIAN:
        return None
    chosen = {x.strip() for x in form.getlist(_OVERRIDE) if isinstance(x, str) and x.strip()}
    reasons = {
        key[len(_REASON) :]: v.strip()
        for key, v in form.multi_items()
        if key.startswith(_REASON) and isinstance(v, str)
    }
    return {"chosen": chosen, "reasons": reasons, "errors": dict(errors or {})}


def _overrides(who: Caller, form: FormData) -> tuple[Override, ...]:
    """The overrides ticked, each given by the caller (a clinician) with its reason; each invalid one named
    ``override_reason.RULE-ID`` (:class:`InvalidInputs`)."""
    given = _override_form(who, form)
    if given is None:
        if form.getlist(_OVERRIDE):
            require_role(who.user, {Role.CLINICIAN})  # a clinician overrides a block: 403
        return ()
    out, errors = [], []
    for rule in sorted(given["chosen"]):
        reason = given["reasons"].get(rule, "")
        try:
            out.append(Override(rule, reason, actor_label(who.user)))
        except InvalidInputError as exc:
            expected = f"a reason for overriding {rule}" if not reason else exc.expected
            errors.append(InvalidInputError(_REASON + rule, expected, reason))
    if errors:
        raise InvalidInputs(errors)
    return tuple(out)


def _errors(exc: InvalidInputError) -> dict[str, str]:
    """Each invalid field (by the form's name) and what it expected."""
    shown: dict[str, str] = {}
    for e in exc.errors if isinstance(exc, InvalidInputs) else (exc,):
        if e.field.startswith(_REASON):
            shown.setdefault(e.field, f"expected {e.expected}")
            continue
        name = e.field.split("[")[0].split(".")[0]
        name = "refilled" if name in _VISIT_TIME_FIELDS else name
        shown.setdefault(name, f"expected {e.expected}")
    return shown


# --- what the pages show ------------------------------------------------------------------------------------
def _finding_view(finding: Finding) -> dict[str, Any]:
    return {"finding": finding, "sources": format_evidence(finding.evidence)}


def _pump_view(record: PumpRecord) -> dict[str, Any]:
    last: RefillVisitRecord | None = record.last_fill()
    return {
        "record": record,
        "last": last,
        "program": describe_program(last.program, last.concentration_mcg_per_ml) if last is not None else "",
        "visits": len(record.visits),
    }


def _visit_view(visit: PumpVisit) -> dict[str, Any]:
    reconciliation = visit.reconciliation.current if visit.reconciliation is not None else None
    forecast = visit.forecast
    return {
        "visit": visit,
        "reconciliation": reconciliation,
        "trend": visit.reconciliation.trend if visit.reconciliation is not None else None,
        "forecast": forecast,
        "program": describe_program(forecast.fill.program, forecast.fill.concentration_mcg_per_ml),
        "findings": [_finding_view(f) for f in visit.findings],
    }


def _form(request: Request, record: PumpRecord, values: dict[str, str], status: int = 200, **context: Any) -> Response:
    context.setdefault("errors", {})
    context.setdefault("preview", None)
    return render(request, _TEMPLATE, status, pump=_pump_view(record), values=values, **context)


# --- the pages -------------------------------------------------------------------------------------------------
@router.get("/pumps/{pump_id}/refill")
def refill_form(request: Request, pump_id: str) -> Response:
    who = caller_of(request)
    with audited(who, "pump.read", audit_target("pump", pump_id)):
        record = _pump(who, pump_id)
    return _form(request, record, _defaults(record, who.services.clock.now()))


@router.post("/pumps/{pump_id}/refill/preview")
async def refill_preview(request: Request, pump_id: str) -> Response:
    form = await request.form()
    check_csrf(request, form)
    who = caller_of(request)
    values = _values(form)
    fragment = request.headers.get("HX-Request") == "true"
    with audited(who, "pump.refill_check", audit_target("pump", pump_id)):
        record = _pump(who, pump_id)
    try:
        command = visit_command(record, values, who.services.clock.zone)
        visit = itb.assess_refill_visit(record, command, clinic=who.services.settings)
    except InvalidInputError as exc:  # the fields to fix, named (htmx swaps only a 2xx answer in)
        if fragment:
            return render_fragment(request, _TEMPLATE, "preview", preview=None, errors=_errors(exc))
        return _form(request, record, values, 422, errors=_errors(exc))
    overrides = _override_form(who, form)
    if fragment:
        view = _visit_view(visit)
        return render_fragment(request, _TEMPLATE, "preview", preview=view, errors={}, override_form=overrides)
    return _form(request, record, values, preview=_visit_view(visit), override_form=overrides)


@router.post("/pumps/{pump_id}/refill")
async def record_refill(request: Request, pump_id: str) -> Response:
    form = await request.form()
    check_csrf(request, form)
    who = caller_of(request)
    values = _values(form)
    record: PumpRecord | None = None
    command: RecordRefillVisit | None = None
    try:
        with audited(who, "pump.add_visit", audit_target("pump", pump_id)):
            record = _pump(who, pump_id)
            command = visit_command(record, values, who.services.clock.zone)
            command = replace(command, overrides=_overrides(who, form))
            who.services.record_refill_visit(command)
    except itb.NotStored as exc:  # a block stands: nothing stored, the findings and the overrides to give
        assert record is not None and command is not None
        visit = itb.assess_refill_visit(record, command, clinic=who.services.settings)
        view, overrides = _visit_view(visit), _override_form(who, form)
        return _form(request, record, values, 409, preview=view, refused=str(exc), override_form=overrides)
    except InvalidInputError as exc:  # audited as failed; the form again, each invalid field named
        if record is None:  # not a field of the form (the pump's id)
            raise
        errors = _errors(exc)
        if command is not None and all(name.startswith(_REASON) for name in errors):  # the visit checked: show it
            visit = itb.assess_refill_visit(record, replace(command, overrides=()), clinic=who.services.settings)
            overrides = _override_form(who, form, errors)
            return _form(request, record, values, 422, preview=_visit_view(visit), override_form=overrides)
        return _form(request, record, values, 422, errors=errors, override_form=_override_form(who, form))
    where = f"/pumps/{pump_id}/visits/{len(record.visits) + 1}"
    if command.target_interval_days is not None:  # what the check of the record page needs to find the same fill
        where += f"?target_interval_days={command.target_interval_days}"
    return RedirectResponse(where, status_code=303)


@router.get("/pumps/{pump_id}/visits/{number}")
def visit_record(request: Request, pump_id: str, number: int, target_interval_days: int | None = None) -> Response:
    who = caller_of(request)
    with audited(who, "pump.read", audit_target("pump", pump_id)):
        record = _pump(who, pump_id)
    stored = itb.read_stored_visit(record, number, target_interval_days, clinic=who.services.settings)
    visit = stored.visit
    return render(
        request,
        "refill_record.html",
        pump=_pump_view(stored.earlier),
        record=record,
        number=number,
        stored=visit,
        discrepancy=stored.discrepancy_ml,
        program=describe_program(visit.program, visit.concentration_mcg_per_ml),
        preview=None if stored.checked is None else _visit_view(stored.checked),
        kept_overrides={o.rule_id: o for o in visit.overrides},
        target_interval_days=target_interval_days,
        recorded=True,
        printable=True,
    )
