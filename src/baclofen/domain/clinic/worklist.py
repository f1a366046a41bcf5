"""The clinic worklist: what needs doing for which patient, most urgent first, each item with its reasons.

:func:`compute_worklist` is pure: it takes each patient's records (:class:`PatientCase`: the patient, pumps,
diary entries and alerts), reads each as its ``baclofen-timeline/1`` document (:mod:`.timeline`), runs the risk
engine on it (whose pump analysis is the ITB forecast: reservoir, refill dates, battery, reconciliation) and lists:

* ``refill``: the recommended refill date passed (overdue) or within ``horizon_days``;
* ``alarm``: the low-reservoir alarm due within ``horizon_days`` (an alarm already reached is the risk
  ``RISK-RESERVOIR-001``/``-002``);
* ``battery``: the pump's replacement date passed or within ``horizon_days``;
* ``discrepancy``: a residual discrepancy trend across refill visits;
* ``risk``: every high withdrawal or overdose risk not listed above and not already an active alert;
* ``diary``: an unread (open) diary red flag; ``alert``: any other open alert (kept when its finding has left
  the look-back window).

Order: overdue first, then what blocks, then the nearest date (then level, patient, kind). Every item carries its
rule id, its reasoning and its sources (citation keys).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any

from baclofen.domain.cds.risk import RiskAssessment, RiskLevel, assess_risk
from baclofen.domain.clinic.alerts import Alert, AlertState
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.clinic.observations import CovariateObservation
from baclofen.domain.clinic.regimens import ProgramChangeRecord, SavedPlan
from baclofen.domain.clinic.timeline import stored_timeline
from baclofen.domain.errors import require
from baclofen.domain.evidence import format_evidence
from baclofen.domain.itb.dates import as_pump_clock
from baclofen.domain.records import PatientRecord, PumpRecord, check_record_id
from baclofen.domain.rules.catalogue import get_rule
from baclofen.domain.rules.core import Finding, Severity

__all__ = [
    "MAX_HORIZON_DAYS",
    "PatientCase",
    "Urgency",
    "Worklist",
    "WorklistItem",
    "WorklistKind",
    "compute_worklist",
]

#: The longest look-ahead of a worklist (days).
MAX_HORIZON_DAYS = 366


class WorklistKind(Enum):
    REFILL = "refill"
    ALARM = "alarm"
    BATTERY = "battery"
    DISCREPANCY = "discrepancy"
    RISK = "risk"
    DIARY = "diary"
    ALERT = "alert"


class Urgency(Enum):
    """How an item ranks: overdue (its date passed), blocks (a blocking finding), due (by date)."""

    OVERDUE = "overdue"
    BLOCK = "block"
    DUE = "due"

    @property
    def rank(self) -> int:
        return list(Urgency).index(self)


@dataclass(frozen=True, slots=True)
class WorklistItem:
    """One thing to do: what, for whom (and which pump), by when, how urgent, why and on what sources."""

    kind: WorklistKind
    patient_id: str
    pump_id: str | None
    due: date
    urgency: Urgency
    level: RiskLevel
    rule_id: str
    message: str
    reasoning: tuple[str, ...]
    sources: tuple[str, ...]
    alert_id: str | None = None

    def sort_key(self) -> tuple[Any, ...]:
        kinds = list(WorklistKind)
        # Within a tier the higher level first, then the earlier date: a high red flag is never listed after a
        # moderate or low item only because that one is older.
        return (self.urgency.rank, self.level.rank, self.due, self.patient_id, kinds.index(self.kind), self.rule_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "patient_id": self.patient_id,
            "pump_id": self.pump_id,
            "due": self.due.isoformat(),
            "urgency": self.urgency.value,
            "level": self.level.value,
            "rule_id": self.rule_id,
            "message": self.message,
            "reasoning": list(self.reasoning),
            "sources": format_evidence(self.sources),
            "source_keys": list(self.sources),
            "alert_id": self.alert_id,
        }


@dataclass(frozen=True, slots=True)
class PatientCase:
    """One patient's records for the worklist: the patient (None when only pumps are recorded), pumps, diary
    entries, alerts (any state), covariate observations (those in effect at the worklist's date count), saved oral
    plans and the pumps' program changes."""

    patient_id: str
    patient: PatientRecord | None = None
    pumps: tuple[PumpRecord, ...] = ()
    diary: tuple[DiaryEntryRecord, ...] = ()
    alerts: tuple[Alert, ...] = ()
    covariates: tuple[CovariateObservation, ...] = ()
    plans: tuple[SavedPlan, ...] = ()
    program_changes: tuple[ProgramChangeRecord, ...] = ()

    def __post_init__(self) -> None:
        check_record_id(self.patient_id, "patient_id")
        for name in ("pumps", "diary", "alerts", "covariates", "plans", "program_changes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))


@dataclass(frozen=True, slots=True)
class Worklist:
    """The items, most urgent first, and per patient what the timeline could not hold (never dropped silently)."""

    as_of: datetime
    horizon_days: int
    items: tuple[WorklistItem, ...]
    omitted: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "horizon_days": self.horizon_days,
            "items": [i.to_dict() for i in self.items],
            "omitted": {k: list(v) for k, v in self.omitted.items()},
        }


# --- the items of one patient ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Patient:
    case: PatientCase
    pump_id: str | None
    assessment: RiskAssessment
    today: date
    until: date

    def finding(self, *rule_ids: str) -> Finding | None:
        return next((r.finding for r in self.assessment.risks if r.finding.rule_id in rule_ids), None)

    def item(
        self,
        kind: WorklistKind,
        due: date,
        level: RiskLevel,
        finding: Finding | None,
        rule_id: str,
        message: str,
        reasoning: Iterable[str],
    ) -> WorklistItem:
        """An item on a date: overdue when the date passed, else blocking when its finding blocks, else due."""
        severity = finding.severity if finding is not None else get_rule(rule_id).rule.severity
        urgency = Urgency.OVERDUE if due < self.today else Urgency.BLOCK if severity is Severity.BLOCK else Urgency.DUE
        sources = finding.evidence if finding is not None else get_rule(rule_id).rule.evidence
        lines = ((finding.reasoning,) if finding is not None else ()) + tuple(reasoning)
        return WorklistItem(
            kind,
            self.case.patient_id,
            self.pump_id,
            due,
            urgency,
            level,
            finding.rule_id if finding is not None else rule_id,
            finding.message if finding is not None else message,
            tuple(dict.fromkeys(lines)),
            sources,
        )


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max)


def _pump_items(p: _Patient) -> tuple[list[WorklistItem], set[str]]:
    """The date items of the pump and the risk rule ids they stand for."""
    pump = p.assessment.pump
    items: list[WorklistItem] = []
    covered: set[str] = set()
    if pump is None:
        return items, covered
    due = pump.recommended_refill_date
    if due is not None and pump.stopped_at is None and due <= p.until:
        finding = p.finding("RISK-REFILL-001", "RISK-REFILL-002")
        level = RiskLevel.HIGH if due < p.today else RiskLevel.MODERATE
        items.append(
            p.item(
                WorklistKind.REFILL,
                due,
                level,
                finding,
                "RISK-REFILL-001" if due < p.today else "RISK-REFILL-002",
                f"Refill due {due.isoformat()}",
                pump.reasoning,
            )
        )
        covered |= {"RISK-REFILL-001", "RISK-REFILL-002"}
    # The forecast runs on the pump clock: the wall time of as_of in the clinic's zone.
    if pump.alarm_at is not None and as_pump_clock(p.assessment.as_of) < pump.alarm_at <= _end_of(p.until):
        day = pump.alarm_at.date()
        items.append(
            p.item(
                WorklistKind.ALARM,
                day,
                RiskLevel.MODERATE,
                None,
                "RISK-RESERVOIR-001",
                f"Low-reservoir alarm due {pump.alarm_at.isoformat(timespec='minutes')} (pump clock, "
                f"{pump.low_reservoir_ml:g} mL)",
                pump.reasoning,
            )
        )
    battery = pump.battery
    if battery is not None and battery.replacement_date <= p.until:
        finding = p.finding("RISK-BATTERY-002", "RISK-BATTERY-001")
        level = RiskLevel.HIGH if battery.shutoff_date <= p.until else RiskLevel.MODERATE
        items.append(
            p.item(
                WorklistKind.BATTERY,
                battery.replacement_date,
                level,
                finding,
                "RISK-BATTERY-001",
                f"Pump replacement due {battery.replacement_date.isoformat()} (service ends by "
                f"{battery.shutoff_date.isoformat()}: {battery.shutoff_reason})",
                battery.reasoning,
            )
        )
        covered |= {"RISK-BATTERY-001", "RISK-BATTERY-002"}
    if pump.trend is not None:
        high = p.assessment.has("RISK-DISCREPANCY-001", RiskLevel.HIGH)
        level = RiskLevel.HIGH if high else RiskLevel.MODERATE
        for finding in pump.trend.findings:
            items.append(
                p.item(WorklistKind.DISCREPANCY, p.today, level, finding, finding.rule_id, finding.message, ())
            )
            covered |= {"RISK-DISCREPANCY-001", "RISK-DISCREPANCY-002"}
    return items, covered


def _alert_item(p: _Patient, alert: Alert) -> WorklistItem:
    """An open alert, due the day it was raised: overdue once that day passed unattended (like any dated item)."""
    kind = WorklistKind.DIARY if alert.rule_id.startswith("DIARY-") else WorklistKind.ALERT
    pump_id = alert.subject.partition(":")[2] if alert.subject.startswith("pump:") else p.pump_id
    raised_on = alert.raised_at.astimezone(p.assessment.as_of.tzinfo).date()
    blocks = alert.severity is Severity.BLOCK
    return WorklistItem(
        kind,
        alert.patient_id,
        pump_id,
        raised_on,
        Urgency.OVERDUE if raised_on < p.today else Urgency.BLOCK if blocks else Urgency.DUE,
        alert.level,
        alert.rule_id,
        alert.message,
        (alert.reasoning,),
        alert.evidence,
        alert.alert_id,
    )


def _patient_items(p: _Patient) -> list[WorklistItem]:
    items, covered = _pump_items(p)
    active = {a.rule_id for a in p.case.alerts if a.is_active}
    for risk in p.assessment.risks:
        rule_id = risk.finding.rule_id
        # A stored diary entry raises its own DIARY-* alerts when logged: its red flags are the alert items.
        skip = rule_id in covered or rule_id in active or rule_id.startswith("RISK-DIARY-")
        if risk.level is RiskLevel.HIGH and not skip:
            items.append(p.item(WorklistKind.RISK, p.today, RiskLevel.HIGH, risk.finding, rule_id, "", ()))
    items += [_alert_item(p, a) for a in p.case.alerts if a.state is AlertState.OPEN]
    return items


def compute_worklist(
    cases: Iterable[PatientCase],
    as_of: datetime,
    horizon_days: int,
    *,
    settings: Mapping[str, Any] | None = None,
) -> Worklist:
    """The worklist of ``cases`` at ``as_of`` (aware; the clinic's zone) looking ``horizon_days`` ahead.

    ``settings``: overrides of the risk engine's settings by name (:data:`~baclofen.domain.cds.risk.RISK_SETTINGS`).

    Raises
    ------
    InvalidInputError
        ``as_of`` without a UTC offset, ``horizon_days`` outside 0-366, or a stored record the timeline refuses
        (named by its document path, e.g. ``pump.refills[0].volume_ml``).
    """
    aware = isinstance(as_of, datetime) and as_of.utcoffset() is not None
    require(aware, "as_of", "a date and time with its UTC offset", as_of)
    whole = isinstance(horizon_days, int) and not isinstance(horizon_days, bool)
    expected = f"a whole number of days from 0 to {MAX_HORIZON_DAYS}"
    require(whole and 0 <= horizon_days <= MAX_HORIZON_DAYS, "horizon_days", expected, horizon_days)
    items: list[WorklistItem] = []
    omitted: dict[str, tuple[str, ...]] = {}
    for case in cases:
        require(isinstance(case, PatientCase), "cases", "patient cases", case)
        stored = stored_timeline(
            case.patient,
            case.pumps,
            case.diary,
            as_of,
            case.covariates,
            plans=case.plans,
            program_changes=case.program_changes,
        )
        if stored.omitted:
            omitted[case.patient_id] = stored.omitted
        assessment = assess_risk(stored.timeline(), settings=settings)
        today = as_of.date()
        patient = _Patient(case, stored.pump_id, assessment, today, today + timedelta(days=horizon_days))
        items += _patient_items(patient)
    items.sort(key=WorklistItem.sort_key)
    return Worklist(as_of, horizon_days, tuple(items), omitted)
