"""Use cases of the clinic between visits: log a diary entry, raise and decide alerts, compute the worklist.

Each takes a unit of work (:class:`~baclofen.services.ports.UnitOfWork`) and one typed command
(:mod:`baclofen.services.commands`); none reads a clock (``recorded_at``, ``as_of`` and ``at`` come in the
command). A stored patient is read as its ``baclofen-timeline/1`` document
(:mod:`baclofen.domain.clinic.timeline`), with its saved oral plans as prescriptions and its pumps' program changes,
so the risk engine runs on stored data as on a document a user writes.

* :func:`log_diary_entry` stores an entry and an alert for each of its red flags (``DIARY-*``), in one commit.
* :func:`raise_alerts_for_patient` runs the risk engine (its pump findings are the ITB forecast's: refill,
  reservoir, battery, reconciliation) and stores an alert for each risk that alerts the clinic, unless an active
  alert already stands for that rule and subject (the pump, or the patient). Diary risks (``RISK-DIARY-*``) are
  left to the entry's own ``DIARY-*`` alerts, raised when it was logged.
* :func:`read_patient_timeline` answers the stored patient's timeline document (and what it could not hold), and
  :func:`assess_patient_risk` the risk engine's assessment of it, with no alert raised.
* :func:`forecast_next_refill` answers a stored pump's next refill date and low-reservoir alarm: the risk engine's
  pump analysis of the patient's timeline, the very dates the worklist lists (never computed another way).
* :func:`acknowledge_alert` and :func:`resolve_alert` append who, when and why.
* :func:`compute_clinic_worklist` builds the worklist of the given patients from their stored records.

Raises
------
InvalidInputError
    An invalid field, named (``recorded_at``, ``stiffness_nrs``, ``horizon_days``, ``reason`` ...).
NotFoundError
    An alert, or a patient with no record at all (no patient record, pump, diary entry or alert).
ConflictError
    A diary entry already stored for that patient and instant, or another unit of work's concurrent change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from baclofen.domain.cds.risk import RISK_SETTINGS, RiskAssessment
from baclofen.domain.cds.risk.pump import PumpAnalysis
from baclofen.domain.clinic.alerts import Alert, alert_from_finding
from baclofen.domain.clinic.diary import DiaryEntryRecord, assess_diary_entry, diary_entry_id
from baclofen.domain.clinic.timeline import StoredTimeline, stored_timeline
from baclofen.domain.clinic.worklist import PatientCase, Worklist, compute_worklist
from baclofen.domain.errors import InvalidInputError, NotFoundError
from baclofen.domain.records import PatientRecord, check_record_id
from baclofen.domain.rules.core import Finding
from baclofen.services.cds import assess_timeline_risk
from baclofen.services.commands import (
    AlertDecision,
    AssessPatientRisk,
    AssessTimelineRisk,
    ComputeWorklist,
    ForecastNextRefill,
    LogDiaryEntry,
    RaiseAlerts,
    ReadPatientTimeline,
)
from baclofen.services.ports import SettingsProvider, UnitOfWork

__all__ = [
    "AlertsRaised",
    "DiaryLogged",
    "NextRefill",
    "PatientRisk",
    "acknowledge_alert",
    "assess_patient_risk",
    "compute_clinic_worklist",
    "forecast_next_refill",
    "log_diary_entry",
    "raise_alerts_for_patient",
    "read_patient_timeline",
    "resolve_alert",
]

#: Risk rules about the pump (their alert's subject is the pump); the others are about the patient.
PUMP_RISK_PREFIXES = (
    "RISK-REFILL-",
    "RISK-RESERVOIR-",
    "RISK-BATTERY-",
    "RISK-MRI-",
    "RISK-ALARM-",
    "RISK-DISCREPANCY-",
    "RISK-PROGRAM-",
)


@dataclass(frozen=True, slots=True)
class DiaryLogged:
    """The stored entry, its red flags and the alerts they raised."""

    entry: DiaryEntryRecord
    findings: tuple[Finding, ...]
    alerts: tuple[Alert, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry": self.entry.to_dict(),
            "red_flags": [f.to_dict() for f in self.findings],
            "alerts": [a.to_dict() for a in self.alerts],
        }


@dataclass(frozen=True, slots=True)
class AlertsRaised:
    """The risk assessment of the stored patient, the alerts it raised, the active ones it found already standing
    for a risk, and what the timeline could not hold."""

    assessment: RiskAssessment
    raised: tuple[Alert, ...]
    already_active: tuple[Alert, ...]
    omitted: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "assessment": self.assessment.to_dict(),
            "raised": [a.to_dict() for a in self.raised],
            "already_active": [a.to_dict() for a in self.already_active],
            "omitted": list(self.omitted),
        }


def log_diary_entry(uow: UnitOfWork, command: LogDiaryEntry) -> DiaryLogged:
    """Store a diary entry and an open alert for each of its red flags (subject: the entry), all or nothing."""
    c = command
    entry = DiaryEntryRecord(
        c.entry_id if c.entry_id is not None else diary_entry_id(c.patient_id, c.recorded_at),
        c.patient_id,
        c.recorded_at,
        doses_taken=c.doses_taken,
        doses_missed=c.doses_missed,
        spasm_frequency=c.spasm_frequency,
        stiffness_nrs=c.stiffness_nrs,
        pain_nrs=c.pain_nrs,
        sleep_nrs=c.sleep_nrs,
        symptoms=c.symptoms,
        note=c.note,
    )
    findings = assess_diary_entry(entry)
    subject = f"diary:{entry.entry_id}"
    alerts = tuple(
        alert_from_finding(f, patient_id=entry.patient_id, subject=subject, raised_at=entry.recorded_at)
        for f in findings
    )
    with uow:
        uow.diary.add(entry)
        for alert in alerts:
            uow.alerts.add(alert)
        uow.commit()
    return DiaryLogged(entry, findings, alerts)


@dataclass(frozen=True, slots=True)
class PatientRisk:
    """The risk assessment of a stored patient (no alert raised) and what their timeline could not hold."""

    assessment: RiskAssessment
    omitted: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"assessment": self.assessment.to_dict(), "omitted": list(self.omitted)}


def _risk_settings(clinic: SettingsProvider | None, given: Mapping[str, Any]) -> dict[str, Any]:
    """The clinic's values of the risk settings under the request's own (which win)."""
    values = {} if clinic is None else dict(clinic.overrides(RISK_SETTINGS.values()))
    return values | dict(given)


def _stored_patient(uow: UnitOfWork, patient_id: str, as_of: datetime) -> tuple[PatientCase, StoredTimeline]:
    """A patient's records (inside ``uow``'s block) and their timeline; NotFoundError when there are none."""
    case = _stored_case(uow, patient_id)
    timeline = stored_timeline(
        case.patient,
        case.pumps,
        case.diary,
        as_of,
        case.covariates,
        plans=case.plans,
        program_changes=case.program_changes,
    )
    return case, timeline


def _stored_case(uow: UnitOfWork, patient_id: str) -> PatientCase:
    """A patient's records (inside ``uow``'s block); NotFoundError when there are none."""
    check_record_id(patient_id, "patient_id")
    patient: PatientRecord | None
    try:
        patient = uow.patients.get(patient_id)
    except NotFoundError:
        patient = None
    pumps = uow.pumps.for_patient(patient_id)
    case = PatientCase(
        patient_id,
        patient,
        pumps,
        uow.diary.for_patient(patient_id),
        uow.alerts.for_patient(patient_id),
        uow.covariates.for_patient(patient_id),
        uow.plans.for_patient(patient_id),
        tuple(change for pump in pumps for change in uow.program_changes.for_pump(pump.pump_id)),
    )
    if patient is None and not (case.pumps or case.diary or case.alerts):
        raise NotFoundError(f"no records of patient {patient_id!r}")
    return case


def _assess_stored(
    stored: StoredTimeline, settings: Mapping[str, Any], clinic: SettingsProvider | None
) -> RiskAssessment:
    """The risk engine on a stored patient's timeline: as on its document (:func:`assess_timeline_risk`)."""
    return assess_timeline_risk(AssessTimelineRisk(stored.timeline(), settings), clinic=clinic)


def read_patient_timeline(uow: UnitOfWork, command: ReadPatientTimeline) -> StoredTimeline:
    """The ``baclofen-timeline/1`` document the stored patient yields at ``command.as_of``, and what it could not
    hold (NotFoundError when the patient has no records)."""
    with uow:
        return _stored_patient(uow, command.patient_id, command.as_of)[1]


def assess_patient_risk(
    uow: UnitOfWork, command: AssessPatientRisk, *, clinic: SettingsProvider | None = None
) -> PatientRisk:
    """The risks of the stored patient at ``command.as_of``, as the risk engine finds them on the patient's
    timeline document (what :func:`raise_alerts_for_patient` raises alerts from); no alert is raised. ``clinic``
    gives the clinic's values of the risk settings; ``command.settings`` win over them."""
    with uow:
        stored = _stored_patient(uow, command.patient_id, command.as_of)[1]
    return PatientRisk(_assess_stored(stored, command.settings, clinic), stored.omitted)


@dataclass(frozen=True, slots=True)
class NextRefill:
    """A stored pump's next refill as the worklist sees it: the risk engine's pump analysis of the patient's current
    pump (``analysis``: its ``recommended_refill_date``, ``alarm_at`` on the pump clock, ``reasoning``), whose
    clinic and patient it is, and how many records it rests on (``revision``: the pump's refill visits and program
    changes, append-only, so it grows with each new one) and the day of the latest of them (``updated_on``)."""

    pump_id: str
    patient_id: str
    clinic_id: str | None
    analysis: PumpAnalysis
    revision: int
    updated_on: date

    @property
    def refill_date(self) -> date:
        """The recommended refill date (a :class:`NextRefill` always has one)."""
        assert self.analysis.recommended_refill_date is not None  # checked by forecast_next_refill
        return self.analysis.recommended_refill_date


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def forecast_next_refill(
    uow: UnitOfWork, command: ForecastNextRefill, *, clinic: SettingsProvider | None = None
) -> NextRefill:
    """The next refill of stored pump ``command.pump_id`` at ``command.as_of``: the pump analysis the risk engine
    (and so the worklist and the patient's schedule page) makes of the patient's timeline, with the clinic's values
    of the risk settings (the refill margin among them).

    Raises
    ------
    NotFoundError
        No such pump.
    InvalidInputError
        ``pump_id``: a pump of no patient, not the patient's current pump (the latest implanted), or one without
        a recorded fill (no refill date can be computed).
    """
    check_record_id(command.pump_id, "pump_id")
    with uow:
        pump = uow.pumps.get(command.pump_id)
        if pump.patient_id is None:
            raise InvalidInputError("pump_id", "a pump registered to a patient", command.pump_id)
        case, stored = _stored_patient(uow, pump.patient_id, command.as_of)
    if stored.pump_id != pump.pump_id:
        raise InvalidInputError("pump_id", "the patient's current pump (the latest implanted)", command.pump_id)
    analysis = _assess_stored(stored, {}, clinic).pump
    if analysis is None or analysis.recommended_refill_date is None:
        expected = "a pump with its last fill recorded (time, volume, concentration, program)"
        raise InvalidInputError("pump_id", expected, command.pump_id)
    changes = [c for c in case.program_changes if c.pump_id == pump.pump_id]
    days = [_day(v.refilled_at) for v in pump.visits if v.refilled_at is not None]
    days += [c.changed_at.date() for c in changes]
    return NextRefill(
        pump.pump_id,
        pump.patient_id,
        case.patient.clinic_id if case.patient is not None else None,
        analysis,
        len(pump.visits) + len(changes),
        max(days),
    )


def raise_alerts_for_patient(
    uow: UnitOfWork, command: RaiseAlerts, *, clinic: SettingsProvider | None = None
) -> AlertsRaised:
    """Assess the stored patient at ``command.as_of`` and store an open alert for each risk that alerts the clinic
    and has no active alert for its rule and subject yet (raised at ``as_of``). ``clinic`` gives the clinic's
    values of the risk settings; ``command.settings`` win over them."""
    raised: list[Alert] = []
    standing: list[Alert] = []
    with uow:
        case, stored = _stored_patient(uow, command.patient_id, command.as_of)
        assessment = _assess_stored(stored, command.settings, clinic)
        active = {a.dedup_key: a for a in case.alerts if a.is_active}
        for risk in assessment.risks:
            rule_id = risk.finding.rule_id
            if not risk.alert_clinic or rule_id.startswith("RISK-DIARY-"):
                continue
            on_pump = stored.pump_id is not None and rule_id.startswith(PUMP_RISK_PREFIXES)
            subject = f"pump:{stored.pump_id}" if on_pump else f"patient:{case.patient_id}"
            alert = alert_from_finding(
                risk.finding, patient_id=case.patient_id, subject=subject, raised_at=command.as_of
            )
            if alert.dedup_key in active:
                if active[alert.dedup_key] not in standing:
                    standing.append(active[alert.dedup_key])
                continue
            uow.alerts.add(alert)
            active[alert.dedup_key] = alert
            raised.append(alert)
        uow.commit()
    return AlertsRaised(assessment, tuple(raised), tuple(standing), stored.omitted)


def acknowledge_alert(uow: UnitOfWork, command: AlertDecision) -> Alert:
    """Acknowledge an open alert: who, when and why are kept with it."""
    with uow:
        alert = uow.alerts.get(command.alert_id).acknowledge(command.by, command.at, command.reason)
        uow.alerts.update(alert)
        uow.commit()
    return alert


def resolve_alert(uow: UnitOfWork, command: AlertDecision) -> Alert:
    """Resolve an open or acknowledged alert: who, when and why are kept with it; its rule and subject may alert
    again."""
    with uow:
        alert = uow.alerts.get(command.alert_id).resolve(command.by, command.at, command.reason)
        uow.alerts.update(alert)
        uow.commit()
    return alert


def compute_clinic_worklist(
    uow: UnitOfWork, command: ComputeWorklist, *, clinic: SettingsProvider | None = None
) -> Worklist:
    """The worklist of ``command.patient_ids`` from their stored records (read in one unit of work, all the
    patients' records read ahead together: a few queries per few hundred patients, not several per patient)."""
    with uow:
        uow.prefetch_patients(command.patient_ids)
        cases = [_stored_case(uow, patient_id) for patient_id in command.patient_ids]
    return compute_worklist(
        cases, command.as_of, command.horizon_days, settings=_risk_settings(clinic, command.settings)
    )
