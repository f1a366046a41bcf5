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
  ``POST /api/v1/pumps/{pump_id}/visits``) and shows the visit record (a printable page).

Every access is audited as the API's is (``pump.read``, ``pump.refill_check``, ``pump.add_visit``); a pump out of
the visitor's clinic is a 404 page; a patient is refused (403). Every POST carries the form's CSRF token (htmx posts
the form's own fields, the token among them).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from baclofen.adapters.edge.pump import record_refill_visit_command
from baclofen.adapters.edge.text import parse_moment
from baclofen.domain.errors import InvalidInputError, InvalidInputs
from baclofen.domain.evidence import format_evidence
from baclofen.domain.itb.programs import InfusionProgram, ProgramMode
from baclofen.domain.itb.refill import expected_residual_ml
from baclofen.domain.itb.reservoir import ReservoirFill
from baclofen.domain.records import STAFF_ROLES, PumpRecord, RefillVisitRecord
from baclofen.domain.rules.core import Finding
from baclofen.entrypoints.api.context import Caller, audited
from baclofen.entrypoints.api.records import audit_target, visible_pump
from baclofen.entrypoints.api.security import require_role
from baclofen.entrypoints.web.app import WebRoute, caller_of, check_csrf, render, render_fragment
from baclofen.services import itb
from baclofen.services.commands import RecordRefillVisit
from baclofen.services.itb import PumpVisit

__all__ = ["FORM_FIELDS", "expected_residual", "router", "visit_command"]

router = APIRouter(route_class=WebRoute, include_in_schema=False)

#: The form's fields (the names of the API's visit fields).
FORM_FIELDS = ("refilled", "aspirated_ml", "concentration_mcg_per_ml", "daily_dose_mcg", "flex", "target_interval_days")
_TEMPLATE = "refill_form.html"
#: The services' names of the visit's time (a fill, checked against the implant date and the last refill).
_VISIT_TIME_FIELDS = ("filled", "filled_at", "refilled_at", "implanted", "as_of")


# --- reading the stored pump and the form ---------------------------------------------------------------------
def _pump(who: Caller, pump_id: str) -> PumpRecord:
    require_role(who.user, STAFF_ROLES)
    with who.services.uow as uow:
        return visible_pump(uow, who, pump_id)


def _flex_text(program: InfusionProgram) -> str:
    """A flex program as the form's text ``HH:MM=MCG_PER_H,...``."""
    return ",".join(f"{s.start_minute // 60:02d}:{s.start_minute % 60:02d}={s.rate_mcg_per_h:g}" for s in program.steps)


def _defaults(record: PumpRecord, now: datetime) -> dict[str, str]:
    """The form's first values: the last fill's concentration and program, the clinic's time now."""
    values = dict.fromkeys(FORM_FIELDS, "")
    values["refilled"] = now.strftime("%Y-%m-%dT%H:%M")
    last = record.last_fill()
    if last is not None and last.concentration_mcg_per_ml is not None:
        values["concentration_mcg_per_ml"] = f"{last.concentration_mcg_per_ml:g}"
    if last is not None and last.program is not None:
        if last.program.mode is ProgramMode.FLEX:
            values["flex"] = _flex_text(last.program)
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


def _errors(exc: InvalidInputError) -> dict[str, str]:
    """Each invalid field (by the form's name) and what it expected."""
    shown: dict[str, str] = {}
    for e in exc.errors if isinstance(exc, InvalidInputs) else (exc,):
        name = e.field.split("[")[0].split(".")[0]
        name = "refilled" if name in _VISIT_TIME_FIELDS else name
        shown.setdefault(name, f"expected {e.expected}")
    return shown


# --- what the pages show ------------------------------------------------------------------------------------
def _finding_view(finding: Finding) -> dict[str, Any]:
    return {"finding": finding, "sources": format_evidence(finding.evidence)}


def _program_text(program: InfusionProgram | None, concentration: float | None) -> str:
    if program is None:
        return "not recorded"
    rate = f", {program.daily_dose_mcg / concentration:.3g} mL/day" if concentration else ""
    if program.mode is ProgramMode.FLEX:
        return f"flex {_flex_text(program)} ({program.daily_dose_mcg:g} mcg/day{rate})"
    return f"{program.mode.value} {program.daily_dose_mcg:g} mcg/day{rate}"


def _pump_view(record: PumpRecord) -> dict[str, Any]:
    last: RefillVisitRecord | None = record.last_fill()
    return {
        "record": record,
        "last": last,
        "program": _program_text(last.program, last.concentration_mcg_per_ml) if last is not None else "",
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
        "program": _program_text(forecast.fill.program, forecast.fill.concentration_mcg_per_ml),
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
    if fragment:
        return render_fragment(request, _TEMPLATE, "preview", preview=_visit_view(visit), errors={})
    return _form(request, record, values, preview=_visit_view(visit))


@router.post("/pumps/{pump_id}/refill")
async def record_refill(request: Request, pump_id: str) -> Response:
    form = await request.form()
    check_csrf(request, form)
    who = caller_of(request)
    values = _values(form)
    record: PumpRecord | None = None
    try:
        with audited(who, "pump.add_visit", audit_target("pump", pump_id)):
            record = _pump(who, pump_id)
            command = visit_command(record, values, who.services.clock.zone)
            visit = who.services.record_refill_visit(command)
    except InvalidInputError as exc:  # audited as failed; the form again, each invalid field named
        if record is None:  # not a field of the form (the pump's id)
            raise
        return _form(request, record, values, 422, errors=_errors(exc))
    return render(
        request,
        "refill_record.html",
        201,
        pump=_pump_view(record),
        refilled=command.refilled,
        preview=_visit_view(visit),
        printable=True,
    )
