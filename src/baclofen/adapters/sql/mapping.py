"""Domain records to rows and back: the only place that knows both (the domain knows no SQLAlchemy).

>>> from datetime import timedelta, timezone
>>> zone_name(datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=1))))
'+01:00'
>>> zone_from_name("Europe/Paris").key, zone_from_name("-05:30").utcoffset(None)
('Europe/Paris', datetime.timedelta(days=-1, seconds=66600))
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Row

from baclofen.adapters.sql.schema import (
    AlertRow,
    AlertTransitionRow,
    AuditLogRow,
    ClinicRow,
    DiaryEntryRow,
    PatientRow,
    ProgramBolusRow,
    ProgramChangeRow,
    ProgramStepRow,
    PumpRow,
    RefillVisitOverrideRow,
    RefillVisitRow,
    SavedPlanRow,
    UserRow,
)
from baclofen.domain.cds.risk import RiskLevel
from baclofen.domain.cds.scales import PennSpasmScore
from baclofen.domain.cds.timeline import Symptom
from baclofen.domain.clinic.alerts import Alert, AlertState, AlertTransition
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.clinic.regimens import ITB_TRANSITION_KIND, SWITCH_KIND, ProgramChangeRecord, SavedPlan
from baclofen.domain.itb.programs import InfusionProgram, PeriodicBolus, ProgramMode, RateStep
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.oral.plan import Plan
from baclofen.domain.patient import Locale, PatientSnapshot, Sex, SpasticityOrigin
from baclofen.domain.records import (
    AuditEntry,
    AuditOutcome,
    ClinicRecord,
    PatientRecord,
    PumpRecord,
    RefillVisitRecord,
    Role,
    UserRecord,
)
from baclofen.domain.rules.core import Finding, Override, Severity
from baclofen.domain.settings import SettingUse, settings_to_dicts

__all__ = [
    "alert_from_rows",
    "alert_transition_rows",
    "alert_values",
    "audit_entry_from_row",
    "diary_entry_from_rows",
    "diary_entry_values",
    "audit_values",
    "clinic_from_row",
    "clinic_values",
    "patient_from_rows",
    "patient_values",
    "program_change_from_row",
    "program_change_values",
    "pump_from_rows",
    "pump_values",
    "saved_plan_from_row",
    "saved_plan_values",
    "user_from_row",
    "user_values",
    "visit_rows",
    "zone_from_name",
    "zone_name",
]

_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})(?::(\d{2}))?$")


def zone_name(moment: datetime) -> str:
    """The name kept beside an aware time: its IANA zone, ``UTC``, or its fixed offset (``+01:00``)."""
    zone = moment.tzinfo
    if isinstance(zone, ZoneInfo):
        return zone.key
    if zone is UTC:
        return "UTC"
    offset = moment.utcoffset()
    assert offset is not None
    sign = "-" if offset < timedelta(0) else "+"
    seconds = int(abs(offset).total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def zone_from_name(name: str) -> tzinfo:
    """The zone of a name written by :func:`zone_name`."""
    if name == "UTC":
        return UTC
    match = _OFFSET.match(name)
    if match:
        sign, hours, minutes, secs = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes), seconds=int(secs or 0))
        return timezone(-offset if sign == "-" else offset)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"stored zone name {name!r} is not a known time zone") from exc


def at_zone(utc: datetime, name: str) -> datetime:
    """A stored UTC instant shown in the zone kept beside it."""
    return utc.astimezone(zone_from_name(name))


# --- patients -------------------------------------------------------------------------------------------


def patient_values(record: PatientRecord) -> dict[str, Any]:
    """The columns of a patient's row but its identifier and version."""
    s = record.snapshot
    return {
        "age_years": s.age_years,
        "weight_kg": s.weight_kg,
        "sex": s.sex.value if s.sex is not None else None,
        "serum_creatinine_mg_dl": s.serum_creatinine_mg_dl,
        "crcl_ml_min": s.crcl_ml_min,
        "egfr_ml_min_1_73m2": s.egfr_ml_min_1_73m2,
        "dialysis": s.dialysis,
        "origin": s.origin.value,
        "locale": s.locale.value,
        "clinic_id": record.clinic_id,
    }


def patient_from_rows(row: PatientRow | Row[Any], conditions: Iterable[str]) -> PatientRecord:
    snapshot = PatientSnapshot(
        age_years=row.age_years,
        weight_kg=row.weight_kg,
        sex=Sex(row.sex) if row.sex is not None else None,
        serum_creatinine_mg_dl=row.serum_creatinine_mg_dl,
        crcl_ml_min=row.crcl_ml_min,
        egfr_ml_min_1_73m2=row.egfr_ml_min_1_73m2,
        dialysis=row.dialysis,
        origin=SpasticityOrigin(row.origin),
        locale=Locale(row.locale),
        conditions=frozenset(conditions),
    )
    return PatientRecord(row.patient_id, snapshot, row.clinic_id)


# --- pumps and their visits -------------------------------------------------------------------------------


def pump_values(record: PumpRecord) -> dict[str, Any]:
    """The columns of a pump's row but its identifier and version."""
    return {"model_key": record.model.key, "patient_id": record.patient_id, "implanted": record.implanted}


def _time_values(refilled_at: date | datetime | None) -> dict[str, Any]:
    values: dict[str, Any] = {"refilled_on": None, "refilled_local": None, "refilled_at_utc": None}
    values["refilled_zone"] = None
    if isinstance(refilled_at, datetime):
        if refilled_at.utcoffset() is None:
            values["refilled_local"] = refilled_at
        else:
            values["refilled_at_utc"] = refilled_at
            values["refilled_zone"] = zone_name(refilled_at)
    elif refilled_at is not None:
        values["refilled_on"] = refilled_at
    return values


def visit_rows(
    pump_id: str, first_seq: int, visits: Sequence[RefillVisitRecord]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of ``visits`` stored from position ``first_seq`` on: (visits, program steps, boluses, the
    clinicians' overrides)."""
    visit_values: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    boluses: list[dict[str, Any]] = []
    overrides: list[dict[str, Any]] = []
    for seq, visit in enumerate(visits, start=first_seq):
        overrides.extend(
            {
                "pump_id": pump_id,
                "visit_seq": seq,
                "override_no": i,
                "rule_id": override.rule_id,
                "clinician": override.clinician,
                "reason": override.reason,
            }
            for i, override in enumerate(visit.overrides)
        )
        program = visit.program
        visit_values.append(
            {
                "pump_id": pump_id,
                "seq": seq,
                **_time_values(visit.refilled_at),
                "expected_ml": visit.expected_ml,
                "aspirated_ml": visit.aspirated_ml,
                "fill_ml": visit.fill_ml,
                "concentration_mcg_per_ml": visit.concentration_mcg_per_ml,
                "program_mode": program.mode.value if program is not None else None,
            }
        )
        if program is None:
            continue
        steps.extend(
            {
                "pump_id": pump_id,
                "visit_seq": seq,
                "step_no": i,
                "start_minute": step.start_minute,
                "rate_mcg_per_h": step.rate_mcg_per_h,
            }
            for i, step in enumerate(program.steps)
        )
        boluses.extend(
            {
                "pump_id": pump_id,
                "visit_seq": seq,
                "bolus_no": i,
                "start_minute": bolus.start_minute,
                "dose_mcg": bolus.dose_mcg,
                "duration_minutes": bolus.duration_minutes,
            }
            for i, bolus in enumerate(program.boluses)
        )
    return visit_values, steps, boluses, overrides


def _refilled_at(row: RefillVisitRow) -> date | datetime | None:
    if row.refilled_at_utc is not None:
        assert row.refilled_zone is not None  # a CHECK constraint keeps them together
        return at_zone(row.refilled_at_utc, row.refilled_zone)
    if row.refilled_local is not None:
        return row.refilled_local
    return row.refilled_on


def _visit_from_rows(
    row: RefillVisitRow,
    steps: Sequence[ProgramStepRow],
    boluses: Sequence[ProgramBolusRow],
    overrides: Sequence[RefillVisitOverrideRow],
) -> RefillVisitRecord:
    program = None
    if row.program_mode is not None:
        program = InfusionProgram(
            ProgramMode(row.program_mode),
            tuple(RateStep(s.start_minute, s.rate_mcg_per_h) for s in steps),
            tuple(PeriodicBolus(b.start_minute, b.dose_mcg, b.duration_minutes) for b in boluses),
        )
    return RefillVisitRecord(
        _refilled_at(row),
        expected_ml=row.expected_ml,
        aspirated_ml=row.aspirated_ml,
        fill_ml=row.fill_ml,
        concentration_mcg_per_ml=row.concentration_mcg_per_ml,
        program=program,
        overrides=tuple(Override(o.rule_id, o.reason, o.clinician) for o in overrides),
    )


def pump_from_rows(
    row: PumpRow,
    visits: Sequence[RefillVisitRow],
    steps: Sequence[ProgramStepRow],
    boluses: Sequence[ProgramBolusRow],
    overrides: Sequence[RefillVisitOverrideRow] = (),
) -> PumpRecord:
    """The pump record of its row, its visits (in ``seq`` order), their programs' steps and boluses
    (in ``step_no``/``bolus_no`` order) and their clinicians' overrides (in ``override_no`` order)."""
    overrides_of: dict[int, list[RefillVisitOverrideRow]] = {}
    for override in overrides:
        overrides_of.setdefault(override.visit_seq, []).append(override)
    steps_of: dict[int, list[ProgramStepRow]] = {}
    for step in steps:
        steps_of.setdefault(step.visit_seq, []).append(step)
    boluses_of: dict[int, list[ProgramBolusRow]] = {}
    for bolus in boluses:
        boluses_of.setdefault(bolus.visit_seq, []).append(bolus)
    history = tuple(
        _visit_from_rows(v, steps_of.get(v.seq, []), boluses_of.get(v.seq, []), overrides_of.get(v.seq, []))
        for v in visits
    )
    return PumpRecord(row.pump_id, get_pump(row.model_key), row.patient_id, row.implanted, history)


# --- the audit log ---------------------------------------------------------------------------------------


def audit_values(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at_utc": entry.at,
        "at_zone": zone_name(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "target": entry.target,
        "outcome": entry.outcome.value,
    }


def audit_entry_from_row(row: AuditLogRow) -> AuditEntry:
    return AuditEntry(row.actor, row.action, row.target, AuditOutcome(row.outcome), at_zone(row.at_utc, row.at_zone))


# --- diary entries and alerts ------------------------------------------------------------------------------------


def diary_entry_values(entry: DiaryEntryRecord) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The row of an entry and the rows of its symptoms."""
    penn = entry.spasm_frequency
    row = {
        "entry_id": entry.entry_id,
        "patient_id": entry.patient_id,
        "recorded_at_utc": entry.recorded_at,
        "recorded_zone": zone_name(entry.recorded_at),
        "doses_taken": entry.doses_taken,
        "doses_missed": entry.doses_missed,
        "penn_frequency": None if penn is None else penn.frequency,
        "penn_severity": None if penn is None else penn.severity,
        "stiffness_nrs": entry.stiffness_nrs,
        "pain_nrs": entry.pain_nrs,
        "sleep_nrs": entry.sleep_nrs,
        "note": entry.note,
    }
    return row, [{"entry_id": entry.entry_id, "symptom": s.value} for s in entry.symptoms]


def diary_entry_from_rows(row: DiaryEntryRow, symptoms: Iterable[str]) -> DiaryEntryRecord:
    penn = None if row.penn_frequency is None else PennSpasmScore(row.penn_frequency, row.penn_severity)
    return DiaryEntryRecord(
        row.entry_id,
        row.patient_id,
        at_zone(row.recorded_at_utc, row.recorded_zone),
        doses_taken=row.doses_taken,
        doses_missed=row.doses_missed,
        spasm_frequency=penn,
        stiffness_nrs=row.stiffness_nrs,
        pain_nrs=row.pain_nrs,
        sleep_nrs=row.sleep_nrs,
        symptoms=tuple(Symptom(s) for s in symptoms),
        note=row.note,
    )


def alert_values(alert: Alert) -> dict[str, Any]:
    """The columns of an alert's row but its version."""
    active = f"{alert.patient_id} {alert.dedup_key}" if alert.is_active else None
    return {
        "alert_id": alert.alert_id,
        "patient_id": alert.patient_id,
        "rule_id": alert.rule_id,
        "subject": alert.subject,
        "level": alert.level.value,
        "severity": alert.severity.value,
        "raised_at_utc": alert.raised_at,
        "raised_zone": zone_name(alert.raised_at),
        "message": alert.message,
        "reasoning": alert.reasoning,
        "action": alert.action,
        "evidence": " ".join(alert.evidence),
        "active_key": active,
    }


def alert_transition_rows(alert: Alert, first_seq: int) -> list[dict[str, Any]]:
    """The rows of the alert's transitions from position ``first_seq`` on."""
    return [
        {
            "alert_id": alert.alert_id,
            "seq": seq,
            "state": t.state.value,
            "by": t.by,
            "at_utc": t.at,
            "at_zone": zone_name(t.at),
            "reason": t.reason,
        }
        for seq, t in enumerate(alert.transitions[first_seq:], start=first_seq)
    ]


def alert_from_rows(row: AlertRow, transitions: Sequence[AlertTransitionRow]) -> Alert:
    """The alert of its row and its transitions (in ``seq`` order)."""
    return Alert(
        row.alert_id,
        row.patient_id,
        row.rule_id,
        row.subject,
        RiskLevel(row.level),
        Severity(row.severity),
        at_zone(row.raised_at_utc, row.raised_zone),
        row.message,
        row.reasoning,
        tuple(row.evidence.split()),
        row.action,
        tuple(AlertTransition(AlertState(t.state), t.by, at_zone(t.at_utc, t.at_zone), t.reason) for t in transitions),
    )


# --- clinics and their users -------------------------------------------------------------------------------


def clinic_values(record: ClinicRecord) -> dict[str, Any]:
    return {"clinic_id": record.clinic_id, "name": record.name}


def clinic_from_row(row: ClinicRow) -> ClinicRecord:
    return ClinicRecord(row.clinic_id, row.name)


def user_values(record: UserRecord) -> dict[str, Any]:
    return {
        "user_id": record.user_id,
        "clinic_id": record.clinic_id,
        "role": record.role.value,
        "username": record.username,
        "password_hash": record.password_hash,
        "patient_id": record.patient_id,
        "session_generation": record.session_generation,
    }


def user_from_row(row: UserRow | Row[Any]) -> UserRecord:
    return UserRecord(
        row.user_id,
        row.clinic_id,
        Role(row.role),
        row.username,
        row.password_hash,
        row.patient_id,
        row.session_generation,
    )


# --- saved plans and program changes ---------------------------------------------------------------------------


def _json_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, allow_nan=False, ensure_ascii=False)


def _plan_document(plan: SavedPlan) -> dict[str, Any]:
    """The stored document: the ``baclofen-plan/1`` plan, or a transition's or a switch's document with it as
    ``oral_taper``."""
    document = plan.plan.to_dict()
    rest = plan.document
    return document if rest is None else {**rest, "oral_taper": document}


def saved_plan_values(plan: SavedPlan) -> dict[str, Any]:
    """The row of a saved plan: its plan as the ``baclofen-plan/1`` JSON document (a transition's document holds it
    as its ``oral_taper``)."""
    return {
        "plan_id": plan.plan_id,
        "patient_id": plan.patient_id,
        "seq": plan.seq,
        "kind": plan.kind,
        "document": _json_text(_plan_document(plan)),
        "saved_by": plan.saved_by,
        "saved_at_utc": plan.saved_at,
        "saved_zone": zone_name(plan.saved_at),
    }


def saved_plan_from_row(row: SavedPlanRow) -> SavedPlan:
    """The saved plan of its row (the document read by :meth:`Plan.from_dict`, every field checked there)."""
    document = json.loads(row.document)
    rest = None
    if row.kind in (ITB_TRANSITION_KIND, SWITCH_KIND):
        rest = {k: v for k, v in document.items() if k != "oral_taper"}
        document = document["oral_taper"]
    plan = Plan.from_dict(document)
    saved_at = at_zone(row.saved_at_utc, row.saved_zone)
    if row.kind == SWITCH_KIND:
        return SavedPlan(row.patient_id, row.seq, plan, row.saved_by, saved_at, switch=rest)
    return SavedPlan(row.patient_id, row.seq, plan, row.saved_by, saved_at, rest)


def program_change_values(change: ProgramChangeRecord) -> dict[str, Any]:
    """The row of a program change: the program's rate steps, findings and settings as JSON."""
    return {
        "change_id": change.change_id,
        "pump_id": change.pump_id,
        "seq": change.seq,
        "changed_at_utc": change.changed_at,
        "changed_zone": zone_name(change.changed_at),
        "program_mode": change.program.mode.value,
        "program_steps": _json_text([[s.start_minute, s.rate_mcg_per_h] for s in change.program.steps]),
        "previous_daily_dose_mcg": change.previous_daily_dose_mcg,
        "changed_by": change.changed_by,
        "reason": change.reason,
        "findings": _json_text([f.to_dict() for f in change.findings]),
        "settings": _json_text(settings_to_dicts(change.settings)),
    }


def program_change_from_row(row: ProgramChangeRow) -> ProgramChangeRecord:
    steps = tuple(RateStep(int(minute), float(rate)) for minute, rate in json.loads(row.program_steps))
    return ProgramChangeRecord(
        row.pump_id,
        row.seq,
        at_zone(row.changed_at_utc, row.changed_zone),
        InfusionProgram(ProgramMode(row.program_mode), steps),
        row.previous_daily_dose_mcg,
        row.changed_by,
        row.reason,
        tuple(Finding.from_dict(f, f"findings[{i}]") for i, f in enumerate(json.loads(row.findings))),
        tuple(SettingUse.from_dict(u, f"settings[{i}]") for i, u in enumerate(json.loads(row.settings))),
    )
