"""The patient's own pages (phone first), on the same use cases, authorisation and audit as the REST API.

* ``/today``: today's doses of the active saved plan, each ticked off as taken or missed in one tap
  (``POST /today/doses``: one diary entry per scheduled dose, through the diary use case, so that missed doses
  reach the risk engine as the diary's do; a second tick of the same dose adds nothing), the next refill date,
  what to do now (the risk engine's patient messages and advice) and the warning signs;
* ``/schedule``: the active plan day by day (dose per time, tablets when the plan gives them; past days greyed),
  the next refill date and the pump's low-reservoir alarm date;
* ``/warning-signs``: withdrawal, overdose and the pump alarm, each in the patient guide's words (generated from
  the knowledge base, :mod:`baclofen.domain.signs` and :mod:`baclofen.domain.guide`) with its sources;
* ``/guide`` (any logged-in user): the patient guide with the caller's clinic's setting values.

Every read of patient data is audited; a patient sees only their own record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup
from starlette.responses import RedirectResponse, Response

from baclofen.adapters.edge.clinic import log_diary_entry_command
from baclofen.adapters.edge.guide import show_patient_guide_command
from baclofen.adapters.guide_html import render_guide_html
from baclofen.domain.cds.risk import RiskAssessment
from baclofen.domain.cds.risk.oral import ORAL_MISSED
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.clinic.regimens import SavedPlan
from baclofen.domain.clinic.timeline import current_pump
from baclofen.domain.errors import ConflictError, InvalidInputError
from baclofen.domain.evidence import get_reference
from baclofen.domain.guide import GuideStatement, PatientGuide
from baclofen.domain.oral.plan import ScheduledDose
from baclofen.domain.patient import Locale
from baclofen.domain.records import Role
from baclofen.entrypoints.api.context import Caller, audited
from baclofen.entrypoints.api.records import audit_target, visible_patient
from baclofen.entrypoints.api.security import OutOfScope, require_role
from baclofen.entrypoints.web.app import WebRoute, caller_of, check_csrf, render
from baclofen.services.commands import AssessPatientRisk, ShowPatientGuide
from baclofen.services.guide import show_patient_guide

__all__ = [
    "PATIENT_ADVICE_RULES",
    "PUMP_ALARM_STATEMENT",
    "SCHEDULE_MAX_DAYS",
    "dose_entry_id",
    "router",
]

router = APIRouter(route_class=WebRoute, include_in_schema=False)

#: Risk rules whose action is addressed to the patient (shown under "What to do now" with the engine's words).
PATIENT_ADVICE_RULES = (ORAL_MISSED.rule_id,)
#: The guide's statement about the pump alarm (what to do when it sounds), with its sources.
PUMP_ALARM_STATEMENT = "never-stop-abruptly.pump"
#: The guide's statements shown as warning signs: (heading, statement id, for the pump).
_SIGN_STATEMENTS = (
    ("Signs of withdrawal (baclofen by mouth)", "never-stop-abruptly.why", False),
    ("Signs of withdrawal (baclofen pump)", "never-stop-abruptly.pump-signs", True),
    ("Signs of too much baclofen (by mouth)", "side-effects.overdose", False),
    ("Signs of too much baclofen (pump)", "side-effects.pump-overdose", True),
    ("Missed doses", "never-stop-abruptly.missed-doses", False),
    ("If your pump alarms", PUMP_ALARM_STATEMENT, True),
)
#: The most days the schedule lists (a long taper is cut there, and says so).
SCHEDULE_MAX_DAYS = 120
_STATUSES = ("taken", "missed")


def dose_entry_id(patient_id: str, day: date, at: time) -> str:
    """The diary entry identifier of the dose scheduled on ``day`` at ``at``: one entry per scheduled dose, so a
    second tick of the same dose is the same entry (never a duplicate)."""
    text = f"{patient_id}\ndose\n{day.isoformat()}\n{at.strftime('%H:%M')}"
    return "D-" + hashlib.sha256(text.encode()).hexdigest()[:20]


# --- reading the patient's records ---------------------------------------------------------------------------------
def own_patient_id(who: Caller) -> str:
    """The patient record of a patient's login (403 for staff; out of scope for an account without one)."""
    require_role(who.user, {Role.PATIENT})
    if who.user.patient_id is None:
        raise OutOfScope("this account names no patient record")
    return who.user.patient_id


@dataclass(frozen=True, slots=True)
class PatientDay:
    """What the patient's pages show, read in one audited access: the active plan, pumps, locale, the diary
    entries of ticked doses and the risk assessment at ``now``."""

    now: datetime
    plan: SavedPlan | None
    on_pump: bool
    locale: Locale
    entries: Mapping[str, DiaryEntryRecord]
    risk: RiskAssessment
    #: The patient's current pump (the one the risk engine forecasts), None without a pump.
    pump_id: str | None = None


def _read_day(who: Caller, patient_id: str, action: str) -> PatientDay:
    now = who.services.clock.now()
    with audited(who, action, audit_target("patient", patient_id)):
        with who.services.uow as uow:
            record = visible_patient(uow, who, patient_id)
            plans = uow.plans.for_patient(patient_id)
            pumps = uow.pumps.for_patient(patient_id)
            entries = {e.entry_id: e for e in uow.diary.for_patient(patient_id)}
        risk = who.services.assess_patient_risk(AssessPatientRisk(patient_id, now)).assessment
    active = max(plans, key=lambda p: p.seq) if plans else None
    pump = current_pump(pumps)
    pump_id = None if pump is None else pump.pump_id
    return PatientDay(now, active, bool(pumps), record.snapshot.locale, entries, risk, pump_id)


def doses_on(plan: SavedPlan | None, day: date) -> tuple[ScheduledDose, ...]:
    """The doses of ``plan`` on ``day`` (none when no step covers it; the last step may continue)."""
    step = None if plan is None else plan.plan.step_on(day)
    return () if step is None else step.doses


@dataclass(frozen=True, slots=True)
class DoseTick:
    """One scheduled dose of today and its diary entry (None: not ticked yet)."""

    day: date
    dose: ScheduledDose
    entry: DiaryEntryRecord | None

    @property
    def key(self) -> str:
        return self.dose.time.strftime("%H%M")

    @property
    def clock(self) -> str:
        return self.dose.time.strftime("%H:%M")

    @property
    def status(self) -> str | None:
        if self.entry is None:
            return None
        return "missed" if self.entry.doses_missed else "taken"


def _ticks(patient_id: str, day: PatientDay) -> list[DoseTick]:
    today = day.now.date()
    return [
        DoseTick(today, d, day.entries.get(dose_entry_id(patient_id, today, d.time))) for d in doses_on(day.plan, today)
    ]


def _reference(key: str) -> dict[str, Any]:
    ref = get_reference(key)
    url = next((p for p in ref.location.split() if p.startswith(("http://", "https://"))), None)
    return {"key": ref.key, "title": ref.title, "url": url}


def _statement_view(title: str, statement: GuideStatement) -> dict[str, Any]:
    return {
        "title": title,
        "id": statement.statement_id,
        "text": statement.text,
        "items": statement.items,
        "caveat": statement.caveat,
        "sources": [_reference(k) for k in statement.sources],
    }


def _guide_for(who: Caller, locale: Locale) -> PatientGuide:
    return show_patient_guide(ShowPatientGuide(locale=locale), clinic=who.services.settings)


def warning_signs(who: Caller, day: PatientDay) -> list[dict[str, Any]]:
    """The warning signs that concern this patient (by mouth when they have a plan or no pump; the pump's when they
    have one), each the guide's statement with its sources."""
    guide = _guide_for(who, day.locale)
    oral = day.plan is not None or not day.on_pump
    return [
        _statement_view(title, guide.statement(statement_id))
        for title, statement_id, pump in _SIGN_STATEMENTS
        if (day.on_pump if pump else oral)
    ]


def what_to_do_now(risk: RiskAssessment) -> list[dict[str, Any]]:
    """The risk engine's words for the patient: its patient messages, then the advice of the rules addressed to
    the patient (e.g. missed doses), each with its reasoning and sources."""
    shown: list[dict[str, Any]] = [{"text": m, "rule_id": None, "sources": []} for m in risk.patient_messages]
    for r in risk.risks:
        if r.finding.rule_id in PATIENT_ADVICE_RULES:
            f = r.finding
            shown.append(
                {
                    "text": f.action,
                    "why": f.message,
                    "rule_id": f.rule_id,
                    "level": r.level.value,
                    "sources": [_reference(k) for k in f.evidence],
                }
            )
    return shown


# --- today ---------------------------------------------------------------------------------------------------------
@router.get("/today")
def today(request: Request, ticked: str = "") -> Response:
    who = caller_of(request)
    patient_id = own_patient_id(who)
    day = _read_day(who, patient_id, "patient.day")
    ticks = _ticks(patient_id, day)
    signs = warning_signs(who, day)
    alarm = next((s for s in signs if s["id"] == PUMP_ALARM_STATEMENT), None)
    return render(
        request,
        "me_today.html",
        now=day.now,
        plan=day.plan,
        ticks=ticks,
        ticked=next((t for t in ticks if t.key == ticked), None),
        pump=day.risk.pump,
        on_pump=day.on_pump,
        advice=what_to_do_now(day.risk),
        signs=[s for s in signs if s["id"] != PUMP_ALARM_STATEMENT],
        pump_alarm=alarm,
    )


def _field(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _parse_tick(form: Mapping[str, Any], ticks: list[DoseTick], today_: date) -> tuple[DoseTick, str]:
    day_text, clock, status = _field(form, "day"), _field(form, "time"), _field(form, "status")
    if day_text != today_.isoformat():
        raise InvalidInputError("day", f"today's date {today_.isoformat()} (reload the page)", day_text)
    tick = next((t for t in ticks if t.clock == clock), None)
    if tick is None:
        raise InvalidInputError("time", "the time of one of today's doses: " + ", ".join(t.clock for t in ticks), clock)
    if status not in _STATUSES:
        raise InvalidInputError("status", "taken or missed", status)
    return tick, status


@router.post("/today/doses")
async def tick_dose(request: Request) -> Response:
    """Mark one of today's doses taken or missed: a diary entry of one dose (its identifier is the dose's, so a
    second tick adds nothing and the first answer stands)."""
    form = await request.form()
    check_csrf(request, form)
    who = caller_of(request)
    patient_id = own_patient_id(who)
    now = who.services.clock.now()
    with audited(who, "diary.dose", audit_target("patient", patient_id)):
        with who.services.uow as uow:
            visible_patient(uow, who, patient_id)
            plans = uow.plans.for_patient(patient_id)
        plan = max(plans, key=lambda p: p.seq) if plans else None
        today_ = now.date()
        ticks = [DoseTick(today_, d, None) for d in doses_on(plan, today_)]
        tick, status = _parse_tick(form, ticks, today_)
        entry_id = dose_entry_id(patient_id, today_, tick.dose.time)
        with who.services.uow as uow:
            known = entry_id in {e.entry_id for e in uow.diary.for_patient(patient_id)}
        if not known:
            command = log_diary_entry_command(
                patient_id=patient_id,
                recorded_at=now,
                not_after=now,
                doses_taken=1 if status == "taken" else 0,
                doses_missed=1 if status == "missed" else 0,
                entry_id=entry_id,
            )
            try:
                who.services.log_diary_entry(command)
            except ConflictError:  # the same dose ticked at the same moment elsewhere: it is recorded
                pass
    return RedirectResponse(f"/today?ticked={tick.key}#dose-{tick.key}", status_code=303)


# --- the schedule --------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ScheduleDay:
    day: date
    doses: tuple[ScheduledDose, ...]
    past: bool
    today: bool

    @property
    def daily_mg(self) -> float:
        return sum(d.dose_mg for d in self.doses)


def schedule_days(plan: SavedPlan, today_: date) -> tuple[list[ScheduleDay], bool]:
    """Each day of ``plan`` from its first to its last (a continuing last step: a week past today or its end), at
    most :data:`SCHEDULE_MAX_DAYS`; and whether the list was cut."""
    steps = plan.plan.steps
    first, last = steps[0].start, steps[-1].end
    if steps[-1].continues:
        last = max(last, today_ + timedelta(days=7))
    count = (last - first).days + 1
    days = [first + timedelta(days=i) for i in range(min(count, SCHEDULE_MAX_DAYS))]
    shown = [ScheduleDay(d, doses_on(plan, d), d < today_, d == today_) for d in days]
    return shown, count > SCHEDULE_MAX_DAYS


@router.get("/schedule")
def schedule(request: Request) -> Response:
    who = caller_of(request)
    patient_id = own_patient_id(who)
    day = _read_day(who, patient_id, "patient.schedule")
    days, cut = schedule_days(day.plan, day.now.date()) if day.plan is not None else ([], False)
    return render(
        request,
        "me_schedule.html",
        now=day.now,
        plan=day.plan,
        days=days,
        cut=cut,
        max_days=SCHEDULE_MAX_DAYS,
        pump=day.risk.pump,
        on_pump=day.on_pump,
        pump_id=day.pump_id,
    )


# --- warning signs -------------------------------------------------------------------------------------------------
@router.get("/warning-signs")
def signs_page(request: Request) -> Response:
    who = caller_of(request)
    patient_id = own_patient_id(who)
    day = _read_day(who, patient_id, "patient.warning_signs")
    return render(
        request,
        "me_warning_signs.html",
        advice=what_to_do_now(day.risk),
        signs=warning_signs(who, day),
        on_pump=day.on_pump,
    )


# --- the patient guide ---------------------------------------------------------------------------------------------
def _guide_locale(who: Caller, asked: str) -> Locale:
    """The locale asked for (``us``, ``uk``); else a patient's own (an audited read of their record); else US."""
    if asked:
        return show_patient_guide_command(locale=asked).locale
    if who.user.role is not Role.PATIENT or who.user.patient_id is None:
        return Locale.US
    patient_id = who.user.patient_id
    with audited(who, "patient.guide", audit_target("patient", patient_id)):
        with who.services.uow as uow:
            return visible_patient(uow, who, patient_id).snapshot.locale


@router.get("/guide")
def guide(request: Request, locale: str = "") -> Response:
    who = caller_of(request)
    chosen = _guide_locale(who, locale)
    html = render_guide_html(_guide_for(who, chosen), heading_level=1)
    return render(request, "me_guide.html", guide_html=Markup(html), locale=chosen.value)  # noqa: S704
