"""The clinic's patient pages (staff only), on the same use cases, authorisation and audit as the REST API.

* ``/patients``: the clinic's patients a page at a time (``after``: the last id of the page before), or the one
  whose id is searched (``q``);
* ``/patients/{patient_id}``: one patient: the risk engine's findings on the stored timeline (rule id, severity,
  reasoning, sources), one timeline of saved oral plans, screening trials, pump refills and program changes, a
  reservoir forecast chart of the current pump's last fill (``forecast_pump``), an exposure chart of the active
  oral plan (``simulate_plan``), the diary against the daily dose (oral mg/day and intrathecal mcg/day on their
  own axes), and the covariates and outcome scores over time.

Staff of the patient's clinic only: a patient has their own pages (``/today``) and gets a 403 page here, as the
worklist's; a patient out of the visitor's clinic is a 404 page, as the API answers. Every page read of patient
data is audited (``patient.list``, ``patient.page``). Everything is computed on each request (the pages are
``no-store``): nothing that could show stale safety data is cached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from baclofen.adapters.charts import DailyDose, render_diary_chart, render_exposure_chart, render_reservoir_chart
from baclofen.domain.clinic.observations import OutcomeScoreRecord
from baclofen.domain.clinic.regimens import (
    ProgramChangeRecord,
    SavedPlan,
    moment_in,
    oral_prescriptions,
    plan_statuses,
)
from baclofen.domain.dates import read_iso_date
from baclofen.domain.errors import InvalidInputError, NotFoundError
from baclofen.domain.evidence import format_evidence
from baclofen.domain.records import STAFF_ROLES, PatientRecord, PumpRecord, RefillVisitRecord, check_record_id
from baclofen.entrypoints.api.context import Caller, audited
from baclofen.entrypoints.api.fhir import fhir_json_response
from baclofen.entrypoints.api.records import audit_target, safe_filename, visible_patient
from baclofen.entrypoints.api.security import require_role
from baclofen.entrypoints.web.app import WebRoute, caller_of, render
from baclofen.services import simulation
from baclofen.services.commands import AssessPatientRisk, SimulatePlan
from baclofen.services.patient_summary import PatientRecords, PatientSummary, read_patient_records, summarize_patient
from baclofen.services.ports import UnitOfWork
from baclofen.services.simulation import SimulationResult

__all__ = ["PAGE_SIZE", "read_summary", "router"]

router = APIRouter(route_class=WebRoute, include_in_schema=False)

#: Patients on one page of the list.
PAGE_SIZE = 50


# --- the patient list ----------------------------------------------------------------------------------------------
@router.get("/patients")
def patient_list(request: Request, q: str = "", after: str | None = None) -> Response:
    who = caller_of(request)
    query = q.strip()
    with audited(who, "patient.list", audit_target("clinic", who.user.clinic_id)):
        require_role(who.user, STAFF_ROLES)
        if after is not None:
            check_record_id(after, "after")
        with who.services.uow as uow:
            if query:
                records = _searched(uow, who, query)
            else:
                records = uow.patients.for_clinic(who.user.clinic_id, after=after, limit=PAGE_SIZE)
    next_after = records[-1].patient_id if not query and len(records) == PAGE_SIZE else None
    return render(request, "patient_list.html", patients=records, q=query, after=after, next_after=next_after)


def _searched(uow: UnitOfWork, who: Caller, query: str) -> tuple[PatientRecord, ...]:
    """The patient of id ``query`` when the visitor may see it (else none: as if it did not exist)."""
    try:
        check_record_id(query, "q")
        return (visible_patient(uow, who, query),)
    except (InvalidInputError, NotFoundError):  # OutOfScope is a NotFoundError: both read as none
        return ()


# --- one patient ---------------------------------------------------------------------------------------------------
def read_summary(who: Caller, patient_id: str, now: datetime) -> PatientSummary:
    """The patient's :class:`~baclofen.services.patient_summary.PatientSummary` at ``now`` (the caller checked
    visible; call inside the access's audit)."""
    with who.services.uow as uow:
        records = read_patient_records(uow, visible_patient(uow, who, patient_id))
    risk = who.services.assess_patient_risk(AssessPatientRisk(patient_id, now))
    return summarize_patient(records, risk, now, clinic=who.services.settings)


def _day_of(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def daily_doses(
    plans: Sequence[SavedPlan],
    pumps: Sequence[PumpRecord],
    changes: Sequence[ProgramChangeRecord],
    first: date,
    last: date,
) -> list[DailyDose]:
    """Each day's oral dose (mg/day, the saved plans' periods) and intrathecal dose (mcg/day, the program in effect
    at the day's end: the latest fill or program change on or before it) from ``first`` to ``last``."""
    out: list[DailyDose] = []
    periods = oral_prescriptions(plans)
    for day in _days(first, last):
        for period in periods:
            start = read_iso_date(period["start"], "start", plausible=False)
            end = None if period["end"] is None else read_iso_date(period["end"], "end", plausible=False)
            if start <= day and (end is None or day <= end):
                out.append(DailyDose(day, float(period["daily_dose_mg"]), "mg/day"))
                break
    events: list[tuple[date, float]] = [
        (_day_of(v.refilled_at), v.program.daily_dose_mcg)
        for p in pumps
        for v in p.visits
        if v.refilled_at is not None and v.program is not None and v.fill_ml
    ]
    events += [(c.changed_at.date(), c.daily_dose_mcg) for c in changes]
    events.sort(key=lambda e: e[0])
    for day in _days(first, last):
        in_effect = [dose for when, dose in events if when <= day]
        if in_effect:
            out.append(DailyDose(day, float(in_effect[-1]), "mcg/day"))
    return out


def _timeline(r: PatientRecords) -> list[dict[str, Any]]:
    """One list of what happened, newest first: saved plans, screening trials, pump implants, refills and
    program changes."""
    events: list[dict[str, Any]] = []
    statuses = plan_statuses(r.plans)
    for saved in r.plans:
        status = statuses[saved.plan_id][0].value
        plan = saved.plan
        events.append(
            {
                "at": saved.saved_at,
                "kind": "oral plan",
                "text": f"Oral {saved.kind} plan {saved.plan_id} ({status}) saved by {saved.saved_by}: "
                f"{plan.start.isoformat()} to {plan.end.isoformat()}, up to {plan.max_daily_dose_mg:g} mg/day",
            }
        )
    for trial in r.trials:
        dose = trial.dose
        effect = "" if dose.effect_duration_hours is None else f", effect {dose.effect_duration_hours:g} h"
        events.append(
            {
                "at": dose.given_at,
                "kind": "screening trial",
                "text": f"Screening bolus {dose.dose_mcg:g} mcg: {'responded' if dose.responded else 'no response'}"
                f"{effect} (recorded by {trial.recorded_by})",
            }
        )
    for pump in r.pumps:
        if pump.implanted is not None:
            events.append(
                {"at": pump.implanted, "kind": "pump", "text": f"{pump.model.name} ({pump.pump_id}) implanted"}
            )
        for visit in pump.visits:
            if visit.refilled_at is None:
                continue
            events.append({"at": visit.refilled_at, "kind": "refill", "text": _refill_text(pump, visit)})
    for change in r.changes:
        events.append(
            {
                "at": change.changed_at,
                "kind": "program change",
                "text": f"Pump {change.pump_id} program {change.previous_daily_dose_mcg:g} -> "
                f"{change.daily_dose_mcg:g} mcg/day by {change.changed_by}: {change.reason}",
            }
        )
    for event in events:
        at = event["at"]
        event["day"] = _day_of(at).isoformat()
        event["when"] = at.strftime("%Y-%m-%d %H:%M") if isinstance(at, datetime) else at.isoformat()
    return sorted(events, key=lambda e: (e["day"], e["when"]), reverse=True)


def _ml(value: float) -> str:
    return f"{round(value, 1):g}"


def _refill_text(pump: PumpRecord, visit: RefillVisitRecord) -> str:
    parts = [f"Pump {pump.pump_id} refilled"]
    if visit.fill_ml is not None and visit.concentration_mcg_per_ml is not None:
        parts.append(f"with {_ml(visit.fill_ml)} mL of {visit.concentration_mcg_per_ml:g} mcg/mL")
    if visit.program is not None:
        parts.append(f"at {visit.program.daily_dose_mcg:g} mcg/day")
    text = " ".join(parts)
    if visit.expected_ml is not None and visit.aspirated_ml is not None:
        text += f"; residual expected {_ml(visit.expected_ml)} mL, aspirated {_ml(visit.aspirated_ml)} mL"
    return text


def _findings(risks: Sequence[Any]) -> list[dict[str, Any]]:
    return [
        {
            "level": r.level.value,
            "rule_id": r.finding.rule_id,
            "severity": r.finding.severity.value,
            "message": r.finding.message,
            "reasoning": r.finding.reasoning,
            "action": r.finding.action,
            "sources": format_evidence(r.finding.evidence),
        }
        for r in risks
    ]


@dataclass(frozen=True, slots=True)
class _Exposure:
    """The active saved plan, its simulation and chart, or why it could not be simulated."""

    plan: SavedPlan | None = None
    result: SimulationResult | None = None
    svg: str | None = None
    problem: str | None = None


def _exposure(plans: Sequence[SavedPlan]) -> _Exposure:
    if not plans:
        return _Exposure()
    active = max(plans, key=lambda p: p.seq)
    try:
        result = simulation.simulate_plan(SimulatePlan(active.plan))
    except InvalidInputError as exc:  # a plan the simulation does not take (said in words, never hidden)
        return _Exposure(active, problem=f"{exc.field}: expected {exc.expected}")
    return _Exposure(active, result, render_exposure_chart(result))


@router.get("/patients/{patient_id}")
def patient_page(request: Request, patient_id: str) -> Response:
    who = caller_of(request)
    now = who.services.clock.now()
    with audited(who, "patient.page", audit_target("patient", patient_id)):
        require_role(who.user, STAFF_ROLES)
        summary = read_summary(who, patient_id, now)
        records, risk, pump, forecast = summary.records, summary.risk, summary.pump, summary.forecast
        exposure = _exposure(records.plans)
    fill = None if pump is None else pump.last_fill()
    filled_at = None if fill is None or fill.refilled_at is None else moment_in(fill.refilled_at, now.tzinfo or UTC)
    later_changes = [
        c
        for c in records.changes
        if forecast is not None
        and pump is not None
        and filled_at is not None
        and c.pump_id == pump.pump_id
        and filled_at < c.changed_at <= now
    ]
    diary_svg = None
    if records.diary:
        first = min(e.recorded_at.date() for e in records.diary)
        # up to today: the doses since the last entry show too (a diary that stopped is visible as such)
        last = max(max(e.recorded_at.date() for e in records.diary), now.date())
        doses = daily_doses(records.plans, records.pumps, records.changes, first, last)
        diary_svg = render_diary_chart(records.diary, doses)
    return render(
        request,
        "patient_page.html",
        now=now,
        patient=records.record,
        risk=risk.assessment,
        omitted=risk.omitted,
        findings=_findings(risk.assessment.risks),
        timeline=_timeline(records),
        pump=pump,
        forecast=forecast,
        filled_at=filled_at,
        later_changes=later_changes,
        reservoir_svg=None if forecast is None else render_reservoir_chart(forecast),
        exposure=exposure,
        diary=records.diary,
        diary_svg=diary_svg,
        covariates=summary.covariates,
        scores=summary.scores,
        score_value=_score_value,
    )


def _score_value(score: OutcomeScoreRecord) -> str:
    return str(score.to_dict()["value"])


@router.get("/patients/{patient_id}/fhir.json")
def patient_fhir_download(request: Request, patient_id: str) -> Response:
    """The patient's records as the FHIR R4 Bundle of ``GET /api/v1/patients/{id}/fhir``, as a download (staff of
    the patient's clinic; audited ``patient.export_fhir``)."""
    who = caller_of(request)
    with audited(who, "patient.export_fhir", audit_target("patient", patient_id)):
        require_role(who.user, STAFF_ROLES)
        with who.services.uow as uow:
            record = visible_patient(uow, who, patient_id)
        bundle = who.services.export_patient_fhir(record.patient_id)
    filename = safe_filename(f"patient-{record.patient_id}.fhir.json")
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    return fhir_json_response(bundle, headers=headers)
