"""The risk engine: :func:`assess_risk` runs every risk rule (:data:`RISK_RULES`) over a patient timeline and
returns a :class:`RiskAssessment`: the risks most severe first, each with its clinic alert and patient message."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from baclofen.domain.cds.risk.alarms import ALARM_MOTOR_STALL, ALARM_TWO_TONE
from baclofen.domain.cds.risk.battery import BATTERY_DUE, BATTERY_STOP
from baclofen.domain.cds.risk.context import RiskContext, RiskLevel
from baclofen.domain.cds.risk.diary import DIARY_EMERGENCY, DIARY_OVERDOSE, DIARY_UNRECOGNISED, DIARY_WITHDRAWAL
from baclofen.domain.cds.risk.discrepancy import DISCREPANCY_LESS, DISCREPANCY_MORE
from baclofen.domain.cds.risk.kidney import KIDNEY_HIGH, KIDNEY_MODERATE
from baclofen.domain.cds.risk.mri import MRI_PROMETRA_RISK
from baclofen.domain.cds.risk.oral import ORAL_MAX, ORAL_MISSED, ORAL_PLANNED_STOP, ORAL_STEP, ORAL_STOP
from baclofen.domain.cds.risk.program import (
    PROGRAM_ABOVE_HIGHEST,
    PROGRAM_CONCENTRATION,
    PROGRAM_CUT,
    PROGRAM_DOWN,
    PROGRAM_STOPPED,
    PROGRAM_UP,
)
from baclofen.domain.cds.risk.pump import PumpAnalysis, analyse_pump
from baclofen.domain.cds.risk.refill import REFILL_NEAR, REFILL_OVERDUE, REFILL_UNKNOWN
from baclofen.domain.cds.risk.reservoir import RESERVOIR_EMPTY, RESERVOIR_LOW
from baclofen.domain.cds.risk.settings import RISK_SETTINGS, risk_setting_values
from baclofen.domain.cds.timeline import PatientTimeline
from baclofen.domain.documents import RISK_SCHEMA, SCHEMA_VERSION_KEY
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.rules.core import Finding, Rule
from baclofen.domain.rules.scope import PAEDIATRIC_SCOPE
from baclofen.domain.settings import SettingUse, settings_to_dicts

PATIENT_MESSAGE_RED_FLAG = (
    "Contact your clinic now. If you have a seizure, a high fever, confusion, hallucinations or trouble breathing, "
    "call emergency services. Do not restart or increase baclofen on your own - never restart a previous high dose "
    "alone."
)
PATIENT_MESSAGE_PUMP = " If you have a pump, tell them when it was last refilled and whether it is alarming."
PATIENT_MESSAGE_OVERDOSE = (
    "Contact your clinic today. Do not take extra or catch-up doses. If you have trouble breathing, cannot stay "
    "awake or are confused, call emergency services."
)


@dataclass(frozen=True, slots=True)
class Risk:
    """One risk: its level and the finding (rule id, message, reasoning, evidence, signs, action)."""

    level: RiskLevel
    finding: Finding
    alert_clinic: bool = False
    patient_message: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = {"level": self.level.value, **self.finding.to_dict(), "alert_clinic": self.alert_clinic}
        if self.patient_message:
            out["patient_message"] = self.patient_message
        return out


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    """All risks at ``as_of``, most severe first; ``level`` is the highest (LOW when there is none)."""

    as_of: datetime
    risks: tuple[Risk, ...]
    pump: PumpAnalysis | None
    oral_daily_dose_mg: float
    settings: tuple[SettingUse, ...] = ()

    @property
    def level(self) -> RiskLevel:
        return min((r.level for r in self.risks), key=lambda lv: lv.rank, default=RiskLevel.LOW)

    @property
    def alert_clinic(self) -> bool:
        return any(r.alert_clinic for r in self.risks)

    @property
    def out_of_scope(self) -> bool:
        """True when the patient is outside what this system assesses (SCOPE-PAEDIATRIC-001: under 18)."""
        return any(r.finding.rule_id == PAEDIATRIC_SCOPE.rule_id for r in self.risks)

    @property
    def patient_messages(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.patient_message for r in self.risks if r.patient_message))

    def has(self, rule_id: str, level: RiskLevel | None = None) -> bool:
        return any(r.finding.rule_id == rule_id and (level is None or r.level is level) for r in self.risks)

    def to_dict(self) -> dict[str, Any]:
        """The assessment as a ``baclofen-risk/1`` document (docs/serialisation.md)."""
        return {
            SCHEMA_VERSION_KEY: RISK_SCHEMA,
            "as_of": self.as_of.isoformat(),
            "level": self.level.value,
            "alert_clinic": self.alert_clinic,
            "out_of_scope": self.out_of_scope,
            "patient_messages": list(self.patient_messages),
            "risks": [r.to_dict() for r in self.risks],
            "counts": {lv.value: sum(r.level is lv for r in self.risks) for lv in RiskLevel},
            "oral_daily_dose_mg": self.oral_daily_dose_mg,
            "pump": None if self.pump is None else self.pump.to_dict(),
            "settings": settings_to_dicts(self.settings),
        }


#: Every risk rule; each has its own check.
RISK_RULES: tuple[Rule[RiskContext], ...] = (
    REFILL_OVERDUE,
    REFILL_NEAR,
    REFILL_UNKNOWN,
    RESERVOIR_LOW,
    RESERVOIR_EMPTY,
    BATTERY_DUE,
    BATTERY_STOP,
    MRI_PROMETRA_RISK,
    ALARM_TWO_TONE,
    ALARM_MOTOR_STALL,
    DISCREPANCY_LESS,
    DISCREPANCY_MORE,
    PROGRAM_UP,
    PROGRAM_DOWN,
    PROGRAM_CONCENTRATION,
    PROGRAM_STOPPED,
    PROGRAM_ABOVE_HIGHEST,
    PROGRAM_CUT,
    ORAL_MAX,
    ORAL_STOP,
    ORAL_PLANNED_STOP,
    ORAL_STEP,
    ORAL_MISSED,
    DIARY_EMERGENCY,
    DIARY_WITHDRAWAL,
    DIARY_OVERDOSE,
    DIARY_UNRECOGNISED,
    KIDNEY_HIGH,
    KIDNEY_MODERATE,
)
ALL_RISK_RULES = RISK_RULES

_ALERT_RULES = {DIARY_EMERGENCY.rule_id, DIARY_WITHDRAWAL.rule_id, DIARY_OVERDOSE.rule_id, DIARY_UNRECOGNISED.rule_id}


def _scope_risks(timeline: PatientTimeline) -> list[Risk]:
    """SCOPE-PAEDIATRIC-001 for a patient under 18 (the adults-only decision, :mod:`baclofen.domain.rules.scope`):
    an absolute block, shown first with the age, that says the assessment is out of scope. The risks found are
    still listed under it (a child's stopped pump is not hidden), and the clinic is alerted."""
    age = None if timeline.patient is None else timeline.patient.age_years
    out = []
    for f in PAEDIATRIC_SCOPE.evaluate(age):
        f = replace(
            f,
            message=f"{f.message} - this withdrawal and overdose risk assessment is out of scope for this patient",
            reasoning=f"{f.reasoning} The risk levels, thresholds and look-back of this engine are adult values; any "
            "risk listed with this block is shown for a clinician to review, not as a paediatric assessment.",
            data={**f.data, "level": RiskLevel.HIGH.value, "out_of_scope": True},
            action="Do not rely on this risk assessment: refer to the paediatric specialist team and use paediatric "
            "references; a risk listed below (e.g. a stopped pump or an overdue refill) still needs that team today.",
        )
        out.append(Risk(RiskLevel.HIGH, f, alert_clinic=True))
    return out


def assess_risk(timeline: PatientTimeline, *, settings: Mapping[str, Any] | None = None) -> RiskAssessment:
    """Every withdrawal and overdose risk in ``timeline`` at its ``as_of``, most severe first.

    Parameters
    ----------
    timeline
        The patient timeline (see :func:`baclofen.domain.cds.timeline.timeline_from_dict`).
    settings
        Overrides of :data:`RISK_SETTINGS` by name.

    Returns
    -------
    RiskAssessment
        Risks (level, finding, clinic alert, patient message), the pump analysis and the settings used.
    """
    if not isinstance(timeline, PatientTimeline):
        raise InvalidInputError("timeline", "a PatientTimeline", type(timeline).__name__)
    values = risk_setting_values(settings)
    pump = None if timeline.pump is None else analyse_pump(timeline.pump, timeline.as_of, values)
    oral_today = timeline.oral_dose_on(timeline.as_of.date())
    ctx = RiskContext(timeline, values, pump, oral_today)
    risks = [_risk(finding, on_pump=timeline.pump is not None) for rule in RISK_RULES for finding in rule.evaluate(ctx)]
    risks.sort(key=lambda r: (r.level.rank, r.finding.rule_id))
    risks[:0] = _scope_risks(timeline)  # an out-of-scope patient: said first
    # Every risk setting is reported (a rule that did not fire still looked at its threshold), in catalogue order.
    used = tuple(SettingUse(s, values.get(s)) for s in RISK_SETTINGS.values())
    return RiskAssessment(timeline.as_of, tuple(risks), pump, oral_today, used)


def _risk(finding: Finding, *, on_pump: bool) -> Risk:
    """A rule's finding as a risk: its level, a clinic alert (a high risk or any diary risk) and the message for the
    patient (diary red flags and overdose signs)."""
    level = RiskLevel(finding.data["level"])
    diary = finding.rule_id in _ALERT_RULES
    message = ""
    if finding.rule_id in (DIARY_EMERGENCY.rule_id, DIARY_WITHDRAWAL.rule_id) or (
        finding.rule_id == DIARY_UNRECOGNISED.rule_id and finding.data["unrecognised"]
    ):
        message = PATIENT_MESSAGE_RED_FLAG + (PATIENT_MESSAGE_PUMP if on_pump else "")
    elif finding.rule_id == DIARY_OVERDOSE.rule_id:
        message = PATIENT_MESSAGE_OVERDOSE
    return Risk(level, finding, alert_clinic=diary or level is RiskLevel.HIGH, patient_message=message)


def overdue_refill(assessment: RiskAssessment) -> bool:
    """True when the assessment holds a high refill-overdue, low-reservoir or empty-reservoir risk."""
    return any(
        r.level is RiskLevel.HIGH
        and r.finding.rule_id in (REFILL_OVERDUE.rule_id, RESERVOIR_LOW.rule_id, RESERVOIR_EMPTY.rule_id)
        for r in assessment.risks
    )
