"""Withdrawal and overdose risk engine: a pure function of a patient timeline (clinical.md §3, §4, §5.7).

:func:`assess_risk` looks at a :class:`~baclofen.domain.cds.timeline.PatientTimeline` up to its ``as_of``
and returns every risk it finds, each with a level (high / moderate / low), a message, reasoning,
evidence, what to do and the warning signs to watch for (:mod:`baclofen.domain.signs`):

* **pump**: refill overdue (HIGH) or near (MODERATE); low reservoir or empty by the program (HIGH);
  battery replacement due (MODERATE) or ERI / end of service (HIGH); residual discrepancies at the last
  refill and their trend; recent program changes (increase, decrease, concentration change) and a
  stopped pump (HIGH); a program above 2003 mcg/day (overdose, HIGH) and a cut larger than the refill decrease
  step, ``cds.risk.itb_max_cut_percent`` (withdrawal, HIGH; a cut to a tiny rate counts like a stop). Reservoir
  arithmetic, battery dates and reconciliation are those of the ITB domain
  (:mod:`baclofen.domain.itb`), never re-implemented here;
* **oral**: a prescription above the maximum daily dose (US 80 / UK 100 mg/day by locale, the lower one when
  the timeline names no locale; HIGH), missed doses, an abrupt stop (a stop faster than the minimum taper, or
  from a dose above the taper step, HIGH), a single reduction larger than the taper step setting, and a
  **planned** stop: a prescription ending after ``as_of`` with nothing lower after it (HIGH when its last dose
  is above the taper step or the reduction is shorter than the minimum taper; MODERATE when a planned step is
  too large);
* **diary**: red flags (emergency signs, withdrawal signs such as itching, fever, rebound spasticity) are
  HIGH with a message telling the patient what to do now and an alert for the clinic; overdose signs are
  MODERATE; unrecognised symptom texts (moderate) and free diary notes (low) are sent to a clinician for review,
  never dropped (journeys.md #6);
* **kidney**: oral exposure excess in kidney failure (dialysis above the dialysis dose, about 5 mg/day [S14] [S15];
  CrCl <= 30 mL/min above the maximum reduced by the planner's severe-band 2/3 [S22]: HIGH; CKD above 20 mg/day:
  MODERATE [S23]).

A refill counts as **overdue** when ``as_of`` is after the recommended refill date of the current fill
(the ITB forecast: a margin before the computed low-reservoir alarm, capped by drug stability from the
refill date).

>>> from baclofen.domain.cds.timeline import timeline_from_dict
>>> t = timeline_from_dict({"as_of": "2026-03-10T09:00:00+00:00", "pump": {"model": "synchromed-ii-20",
...     "refills": [{"time": "2026-01-01T10:00:00+00:00", "volume_ml": 20, "concentration_mcg_per_ml": 500,
...                  "daily_dose_mcg": 250}]}})
>>> a = assess_risk(t)
>>> a.level.value, [r.finding.rule_id for r in a.risks][:1]
('high', ['RISK-RESERVOIR-002'])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from baclofen.domain.cds.timeline import (
    OralPrescription,
    PatientTimeline,
    PumpRecord,
    RefillVisit,
    Symptom,
    SymptomKind,
)
from baclofen.domain.documents import RISK_SCHEMA, SCHEMA_VERSION_KEY
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.dates import as_pump_clock
from baclofen.domain.itb.dosing import HIGHEST_REPORTED_DAILY_DOSE, REFILL_DECREASE_PERCENT
from baclofen.domain.itb.limits import LOWEST_DAILY_DOSE_MCG, check_daily_dose_range
from baclofen.domain.itb.pumps import MAX_REFILL_INTERVAL_DAYS, PumpFamily
from baclofen.domain.itb.refill import (
    DiscrepancyTrend,
    RefillReconciliation,
    assess_discrepancy_trend,
    reconcile_refill,
)
from baclofen.domain.itb.reservoir import (
    MAX_FORECAST_DAYS,
    REFILL_MARGIN_DAYS,
    BatteryForecast,
    ReservoirFill,
    forecast_battery,
    forecast_reservoir,
)
from baclofen.domain.oral.limits import (
    CKD_CRCL_ML_MIN,
    CKD_HIGH_DOSE_MG_PER_DAY,
    DIALYSIS_MAX_START_MG_PER_DAY,
    MAX_DAILY_DOSE_IN_HOSPITAL_UK,
    MAX_DAILY_DOSE_IN_HOSPITAL_US,
    MAX_DAILY_DOSE_UK,
    MAX_DAILY_DOSE_US,
    TAPER_MAX_STEP_MG_PER_DAY,
    TAPER_MIN_DAYS_TO_ZERO,
    KidneyBand,
    in_hospital_ceiling_setting,
    kidney_band,
    kidney_reduced_max_mg_per_day,
    locale_ceiling_setting,
)
from baclofen.domain.patient import Locale
from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.rules.itb import (
    MRI_PROMETRA,
    PROMETRA_MRI_ACTION,
    PROMETRA_MRI_REASONING,
    RESERVOIR_STATE_SEVERITY,
    ReservoirState,
    prometra_mri_with_drug,
    reservoir_state,
)
from baclofen.domain.rules.oral import KIDNEY_REDUCTION_SEVERITY
from baclofen.domain.rules.scope import PAEDIATRIC_SCOPE
from baclofen.domain.settings import EvidenceStatus, Setting, SettingUse, SettingValues, settings_to_dicts
from baclofen.domain.signs import ITB_OVERDOSE, ITB_WITHDRAWAL, ORAL_OVERDOSE, ORAL_WITHDRAWAL, SignSet

_EPS = 1e-9


class RiskLevel(Enum):
    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"

    @property
    def rank(self) -> int:
        return {"high": 0, "moderate": 1, "low": 2}[self.value]


# --- settings ---------------------------------------------------------------------------------------------------
LOOKBACK_DAYS = Setting(
    name="cds.risk.lookback_days",
    default=7,
    unit="days",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S70", "S4"),
    description="How far back the engine looks for missed doses, abrupt stops, program changes and diary entries. "
    "ITB withdrawal usually starts within 1-3 days of stopping [S70]; 7 days (over twice that) is an "
    "assumption, not a sourced value.",
    minimum=1,
    maximum=60,
)
REFILL_NEAR_DAYS = Setting(
    name="cds.risk.refill_near_days",
    default=7,
    unit="days",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S107", "S65"),
    description="A refill whose recommended date is this many days away or less is 'near' (moderate): the pump "
    "clinic works from a weekly worklist (journeys.md #4). No source gives a number.",
    minimum=0,
    maximum=60,
)
MISSED_DOSES_MODERATE = Setting(
    name="cds.risk.missed_doses_moderate",
    default=2,
    unit="doses",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S4", "S9"),
    description="Missed oral doses within the look-back window from which the risk is moderate (fewer: low). "
    "Abrupt discontinuation causes withdrawal [S4]; no source says how many missed doses matter.",
    minimum=1,
    maximum=20,
)
ITB_MAX_CUT_PERCENT = Setting(
    name="cds.risk.itb_max_cut_percent",
    # The largest label decrease at a refill visit (10-20 %, spinal and cerebral origin) [S2] [S3].
    default=max(high for _, high in REFILL_DECREASE_PERCENT.values()),
    unit="%",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S2", "S3", "S118", "S37", "S69"),
    description="Largest cut of the intrathecal daily dose that is not treated as withdrawal. The label lowers "
    "the dose at refill visits by 10-20 % [S2] [S3]; a larger cut (measured from the highest daily dose "
    "programmed in the look-back window, so that several small cuts in a row add up; a stop or a tiny "
    "rate is a cut of about 100 %) is treated like the abrupt discontinuation of the boxed warning [S118] "
    "[S37] (elective removal is tapered by reprogramming [S69]): HIGH with a clinic alert. No source gives "
    "the cut size that causes withdrawal: using the label step as that limit is an assumption.",
    minimum=5.0,
    maximum=50.0,
)
RISK_SETTINGS: Mapping[str, Setting] = {
    s.name: s
    for s in (
        LOOKBACK_DAYS,
        REFILL_NEAR_DAYS,
        MISSED_DOSES_MODERATE,
        ITB_MAX_CUT_PERCENT,
        LOWEST_DAILY_DOSE_MCG,
        HIGHEST_REPORTED_DAILY_DOSE,
        MAX_DAILY_DOSE_US,
        MAX_DAILY_DOSE_UK,
        MAX_DAILY_DOSE_IN_HOSPITAL_US,
        MAX_DAILY_DOSE_IN_HOSPITAL_UK,
        TAPER_MIN_DAYS_TO_ZERO,
        TAPER_MAX_STEP_MG_PER_DAY,
        DIALYSIS_MAX_START_MG_PER_DAY,
        CKD_CRCL_ML_MIN,
        REFILL_MARGIN_DAYS,
        MAX_REFILL_INTERVAL_DAYS,
    )
}

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


# --- results --------------------------------------------------------------------------------------------------------
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
class PumpAnalysis:
    """The pump facts the risk rules look at, computed with the ITB domain."""

    refill: RefillVisit | None
    refill_index: int | None
    daily_dose_mcg: float | None
    stopped_at: datetime | None
    remaining_ml: float | None
    residual_ml: float | None
    low_reservoir_ml: float
    alarm_at: datetime | None
    empty_at: datetime | None
    recommended_refill_date: date | None
    stability_limit_date: date | None
    battery: BatteryForecast | None
    reconciliations: tuple[tuple[int, RefillReconciliation], ...]
    trend: DiscrepancyTrend | None
    reasoning: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        def iso(x: Any) -> Any:
            return None if x is None else x.isoformat()

        return {
            "last_refill": iso(self.refill.time) if self.refill else None,
            "daily_dose_mcg": self.daily_dose_mcg,
            "stopped_at": iso(self.stopped_at),
            "remaining_ml_at_as_of": None if self.remaining_ml is None else round(self.remaining_ml, 4),
            "low_reservoir_ml": self.low_reservoir_ml,
            "low_reservoir_at": iso(self.alarm_at),
            "empty_at": iso(self.empty_at),
            "recommended_refill_date": iso(self.recommended_refill_date),
            "stability_limit_date": iso(self.stability_limit_date),
            "battery": None if self.battery is None else self.battery.to_dict(),
            "reconciliations": [{"refill_index": i, **r.to_dict()} for i, r in self.reconciliations],
            "discrepancy_trend": None if self.trend is None else self.trend.to_dict(),
            "reasoning": list(self.reasoning),
        }


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


# --- context --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RiskContext:
    timeline: PatientTimeline
    values: SettingValues
    pump: PumpAnalysis | None
    oral_dose_today_mg: float

    def value(self, setting: Setting) -> Any:
        return self.values.get(setting)

    @property
    def as_of(self) -> datetime:
        return self.timeline.as_of

    @property
    def today(self) -> date:
        return self.timeline.as_of.date()

    def recent(self, moment: datetime) -> bool:
        days = float(self.value(LOOKBACK_DAYS))
        return timedelta(0) <= self.as_of - moment <= timedelta(days=days)

    @property
    def on_pump(self) -> bool:
        return self.timeline.pump is not None


def _withdrawal_signs(ctx: RiskContext) -> SignSet:
    return ITB_WITHDRAWAL if ctx.on_pump else ORAL_WITHDRAWAL


def _overdose_signs(ctx: RiskContext) -> SignSet:
    return ITB_OVERDOSE if ctx.on_pump else ORAL_OVERDOSE


def _f(
    rule: Rule[RiskContext],
    level: RiskLevel,
    message: str,
    reasoning: str,
    data: Mapping[str, Any],
    signs: SignSet | None = None,
    action: str = "",
    severity: Severity | None = None,
    evidence: tuple[str, ...] = (),
) -> Finding:
    sev = severity or (Severity.INFO if level is RiskLevel.LOW else Severity.WARN)
    return rule.finding(
        message,
        reasoning=reasoning,
        data={"level": level.value, **data},
        severity=sev,
        evidence=evidence + (signs.evidence if signs else ()),
        signs=signs.signs if signs else (),
        action=action or (signs.action if signs else ""),
    )


# --- pump analysis (calls the ITB domain) ----------------------------------------------------------------------
def _fill(pump: PumpRecord, visit: RefillVisit, index: int) -> ReservoirFill:
    try:
        return ReservoirFill(
            pump.model, visit.volume_ml, visit.concentration_mcg_per_ml, visit.program, as_pump_clock(visit.time)
        )
    except InvalidInputError as exc:
        raise InvalidInputError(f"pump.refills[{index}].{exc.field}", exc.expected, exc.actual) from None


def _chain(pump: PumpRecord, index: int, until: datetime) -> tuple[ReservoirFill, datetime | None]:
    """The fill segment delivering at ``until`` after refill ``index`` and program changes; and when stopped."""
    visit = pump.refills[index]
    seg = _fill(pump, visit, index)
    stopped_at: datetime | None = None
    for change in pump.program_changes:
        if not visit.time < change.time <= until:
            continue
        at = as_pump_clock(change.time)
        remaining = seg.remaining_ml(at) if stopped_at is None else seg.volume_ml
        if change.program is None:
            if stopped_at is None:
                seg = ReservoirFill(
                    pump.model,
                    max(remaining, seg.residual_ml + _EPS),
                    seg.concentration_mcg_per_ml,
                    seg.program,
                    at,
                    residual_ml=seg.residual_ml,
                )
                stopped_at = change.time
            continue
        if remaining <= seg.residual_ml + _EPS:
            if stopped_at is not None:
                stopped_at = None
            continue  # empty before the change: nothing left to deliver
        seg = ReservoirFill(
            pump.model, remaining, seg.concentration_mcg_per_ml, change.program, at, residual_ml=seg.residual_ml
        )
        stopped_at = None
    return seg, stopped_at


def _outlasts_forecast(seg: ReservoirFill) -> bool:
    """True when the fill (down to the residual) outlasts the forecast horizon at the programmed rate."""
    try:
        seg.time_when_remaining(seg.residual_ml)
    except InvalidInputError as exc:
        if exc.field == "daily_dose_mcg":  # "a program that delivers this fill within MAX_FORECAST_DAYS days"
            return True
        raise
    return False


def analyse_pump(pump: PumpRecord, as_of: datetime, values: SettingValues | None = None) -> PumpAnalysis:
    """Reservoir state, refill dates, battery and residual reconciliation of a pump at ``as_of`` (``values``: the
    risk settings, :func:`risk_setting_values`)."""
    values = values or risk_setting_values(None)
    low = float(pump.low_reservoir_ml if pump.low_reservoir_ml is not None else pump.model.low_reservoir_ml)
    margin = int(values.get(REFILL_MARGIN_DAYS))
    max_days = int(values.get(MAX_REFILL_INTERVAL_DAYS))
    now = as_pump_clock(as_of)
    reasoning: list[str] = []

    battery = None
    if pump.implanted is not None:
        battery = forecast_battery(pump.model, pump.implanted, eri_date=pump.eri_date)
        reasoning.extend(battery.reasoning)

    recs: list[tuple[int, RefillReconciliation]] = []
    for i, visit in enumerate(pump.refills):
        if visit.aspirated_ml is None:
            continue
        expected = visit.expected_residual_ml
        if expected is None and i > 0:
            prev, _ = _chain(pump, i - 1, visit.time)
            expected = prev.remaining_ml(as_pump_clock(visit.time))
            reasoning.append(f"refill {i}: expected residual {expected:.2f} mL computed from the previous fill")
        if expected is None:
            continue
        try:
            recs.append((i, reconcile_refill(expected, visit.aspirated_ml, pump=pump.model)))
        except InvalidInputError as exc:
            raise InvalidInputError(f"pump.refills[{i}].{exc.field}", exc.expected, exc.actual) from None
    trend = assess_discrepancy_trend([r for _, r in recs]) if recs else None

    if not pump.refills:
        return PumpAnalysis(
            None,
            None,
            None,
            None,
            None,
            None,
            low,
            None,
            None,
            None,
            None,
            battery,
            tuple(recs),
            trend,
            tuple(reasoning + ["no refill on record: the reservoir cannot be forecast"]),
        )

    index = len(pump.refills) - 1
    visit = pump.refills[index]
    seg, stopped_at = _chain(pump, index, as_of)
    stability = visit.time.date() + timedelta(days=max_days)
    remaining = seg.remaining_ml(now) if stopped_at is None else seg.volume_ml
    changes = [c for c in pump.program_changes if visit.time < c.time <= as_of]
    daily = changes[-1].daily_dose_mcg if changes else visit.program.daily_dose_mcg
    alarm_at = empty_at = None
    recommended = stability
    if stopped_at is not None:
        reasoning.append(f"pump stopped on {stopped_at.isoformat()}: {remaining:.2f} mL left, no delivery")
    elif seg.volume_ml <= low + _EPS:
        alarm_at = seg.filled_at
        empty_at = None if _outlasts_forecast(seg) else seg.time_when_remaining(seg.residual_ml)
        recommended = min(stability, seg.filled_at.date())
        reasoning.append(
            f"the reservoir was at or below {low:g} mL when the program last changed ({seg.filled_at.isoformat()})"
        )
    elif _outlasts_forecast(seg):
        # A tiny rate (a few mcg/day of a full reservoir): no alarm within the 100-year forecast horizon. Not an
        # input error: the program-change rules judge the rate (RISK-PROGRAM-006 rates a cut to it like a stop).
        reasoning.append(
            f"at {seg.program.daily_dose_mcg:g} mcg/day the fill lasts more than {MAX_FORECAST_DAYS} days: no "
            f"low-reservoir alarm to forecast; drug stability: refill by {stability.isoformat()}"
        )
    else:
        fc = forecast_reservoir(seg, low_reservoir_ml=low, margin_days=margin, max_refill_interval_days=max_days)
        alarm_at, empty_at = fc.low_reservoir_alarm_at, fc.empty_at
        # no refill date when the segment does not outlast the margin: count back from the alarm as before
        due = fc.recommended_refill_date or fc.low_reservoir_alarm_date - timedelta(days=fc.margin_days)
        recommended = min(due, stability)
        reasoning.extend(fc.reasoning)
        if recommended < due:
            reasoning.append(
                f"drug stability: refill by {stability.isoformat()} ({max_days} days after the refill "
                f"of {visit.time.date().isoformat()})"
            )
    return PumpAnalysis(
        visit,
        index,
        daily,
        stopped_at,
        remaining,
        seg.residual_ml,
        low,
        alarm_at,
        empty_at,
        recommended,
        stability,
        battery,
        tuple(recs),
        trend,
        tuple(reasoning),
    )


# --- pump rules ----------------------------------------------------------------------------------------------------
def _refill_state(ctx: RiskContext) -> tuple[date, dict[str, Any]] | None:
    p = ctx.pump
    if p is None or p.recommended_refill_date is None or p.stopped_at is not None:
        return None
    if _reservoir_state(p, ctx.as_of) is not None:
        return None  # the reservoir rules report it
    due = p.recommended_refill_date
    return due, {
        "recommended_refill_date": due,
        "as_of": ctx.today,
        "remaining_ml": p.remaining_ml,
        "low_reservoir_at": p.alarm_at,
        "days_overdue": (ctx.today - due).days,
    }


def _check_refill_overdue(ctx: RiskContext) -> Finding | None:
    state = _refill_state(ctx)
    if state is None or not ctx.today > state[0]:
        return None
    due, data = state
    return _f(
        REFILL_OVERDUE,
        RiskLevel.HIGH,
        f"Refill overdue since {due.isoformat()} ({(ctx.today - due).days} day(s))",
        "The refill date is set before the computed low-reservoir alarm because the alarm is computed from the "
        "program, not measured: an over-infusing pump can empty early without alarming, and withdrawal was "
        "seen with 2.1-3.8 mL still in the reservoir. Late refills are a named cause of ITB withdrawal.",
        data,
        ITB_WITHDRAWAL,
        "Refill now (today); check the reservoir volume and pump; brief the patient on withdrawal signs.",
    )


def _check_refill_near(ctx: RiskContext) -> Finding | None:
    state = _refill_state(ctx)
    near = int(ctx.value(REFILL_NEAR_DAYS))
    if state is None or ctx.today > state[0] or (state[0] - ctx.today).days > near:
        return None
    due, data = state
    return _f(
        REFILL_NEAR,
        RiskLevel.MODERATE,
        f"Refill due {due.isoformat()} (in {(due - ctx.today).days} day(s))",
        f"The recommended refill date is within {near} day(s) ({REFILL_NEAR_DAYS.name}).",
        data,
        ITB_WITHDRAWAL,
        "Book the refill on or before the recommended date.",
    )


def _check_refill_unknown(ctx: RiskContext) -> Finding | None:
    p = ctx.pump
    if p is None or p.refill is not None:
        return None
    return _f(
        REFILL_UNKNOWN,
        RiskLevel.MODERATE,
        "Pump on record but no refill (fill) recorded: the reservoir and refill date cannot be forecast",
        "Preventing ITB withdrawal requires careful attention to refill scheduling; without the last fill "
        "(time, volume, concentration, program) the engine cannot tell whether a refill is overdue, so the "
        "absence of a refill risk here means nothing.",
        {"refills": 0},
        ITB_WITHDRAWAL,
        "Record the last fill (or check the pump) so that the refill date can be computed.",
    )


REFILL_OVERDUE: Rule[RiskContext] = Rule(
    "RISK-REFILL-001",
    "Refill overdue",
    Severity.WARN,
    ("S118", "S60", "Neurosurgery2004", "S69"),
    _check_refill_overdue,
)
REFILL_NEAR: Rule[RiskContext] = Rule(
    "RISK-REFILL-002", "Refill near", Severity.WARN, ("S118", "S60"), _check_refill_near
)
REFILL_UNKNOWN: Rule[RiskContext] = Rule(
    "RISK-REFILL-003", "Refill state unknown (no fill on record)", Severity.WARN, ("S118",), _check_refill_unknown
)


def _reservoir_state(p: PumpAnalysis | None, as_of: datetime) -> ReservoirState | None:
    """Low / empty at ``as_of``, by the same decision as the pump forecast (``reservoir_state``)."""
    if p is None or p.remaining_ml is None or p.stopped_at is not None or p.residual_ml is None:
        return None
    return reservoir_state(as_pump_clock(as_of), p.alarm_at, p.empty_at)


def _reservoir_data(ctx: RiskContext) -> dict[str, Any] | None:
    p = ctx.pump
    if p is None or p.remaining_ml is None or p.stopped_at is not None or p.residual_ml is None:
        return None
    return {
        "remaining_ml": round(p.remaining_ml, 4),
        "low_reservoir_ml": p.low_reservoir_ml,
        "low_reservoir_at": p.alarm_at,
        "empty_at": p.empty_at,
    }


def _check_reservoir_empty(ctx: RiskContext) -> Finding | None:
    data = _reservoir_data(ctx)
    p = ctx.pump
    if data is None or p is None or _reservoir_state(p, ctx.as_of) is not ReservoirState.EMPTY:
        return None
    since = p.empty_at.date().isoformat() if p.empty_at else "unknown"
    return _f(
        RESERVOIR_EMPTY,
        RiskLevel.HIGH,
        f"By the program the reservoir is empty (since {since}): intrathecal delivery has stopped",
        "An empty reservoir interrupts intrathecal baclofen; untreated withdrawal can progress over 24-72 h to "
        "rhabdomyolysis, organ failure and death.",
        data,
        ITB_WITHDRAWAL,
        "Emergency: contact the patient now, refill and restore intrathecal delivery; treat withdrawal.",
        severity=RESERVOIR_STATE_SEVERITY[ReservoirState.EMPTY],
    )


def _check_reservoir_low(ctx: RiskContext) -> Finding | None:
    data = _reservoir_data(ctx)
    p = ctx.pump
    if data is None or p is None or p.remaining_ml is None or _reservoir_state(p, ctx.as_of) is not ReservoirState.LOW:
        return None
    return _f(
        RESERVOIR_LOW,
        RiskLevel.HIGH,
        f"Low reservoir: {p.remaining_ml:.2f} mL left by the program (threshold {p.low_reservoir_ml:g} mL)",
        "Withdrawal symptoms were seen with 2.1-3.8 mL still in the reservoir; the computed alarm may lag an "
        "over-infusing pump.",
        data,
        ITB_WITHDRAWAL,
        "Refill today.",
        severity=RESERVOIR_STATE_SEVERITY[ReservoirState.LOW],
    )


# One condition, one severity: the pump forecast's PUMP-REFILL-003 / -002 (RESERVOIR_STATE_SEVERITY, rules/itb.py).
RESERVOIR_EMPTY: Rule[RiskContext] = Rule(
    "RISK-RESERVOIR-002",
    "Reservoir empty by the program",
    RESERVOIR_STATE_SEVERITY[ReservoirState.EMPTY],
    ("S118", "S69", "S61", "S56", "S99", "MedtronicAlarms"),
    _check_reservoir_empty,
    settings=("pump.synchromed_ii.residual_volume_ml", "pump.prometra_ii.residual_volume_ml"),
    conditions=("pump.reservoir.empty",),
)
RESERVOIR_LOW: Rule[RiskContext] = Rule(
    "RISK-RESERVOIR-001",
    "Low reservoir reached",
    RESERVOIR_STATE_SEVERITY[ReservoirState.LOW],
    ("Neurosurgery2004", "S60", "S118", "S56", "MedtronicAlarms"),
    _check_reservoir_low,
    conditions=("pump.reservoir.low",),
)


def _battery(ctx: RiskContext) -> tuple[BatteryForecast, dict[str, Any]] | None:
    p = ctx.pump
    if p is None or p.battery is None:
        return None
    b = p.battery
    return b, {"replacement_date": b.replacement_date, "shutoff_date": b.shutoff_date, "eri_date": b.eri_date}


def _check_battery_stop(ctx: RiskContext) -> Finding | None:
    state = _battery(ctx)
    if state is None:
        return None
    b, data = state
    if ctx.today >= b.shutoff_date:
        return _f(
            BATTERY_STOP,
            RiskLevel.HIGH,
            f"Pump past its end of service ({b.shutoff_date.isoformat()}: {b.shutoff_reason}): it may have stopped",
            "A pump at end of service stops delivering; interruption causes withdrawal.",
            data,
            ITB_WITHDRAWAL,
            "Check the pump now; arrange replacement urgently.",
        )
    if b.eri_date is not None and b.eri_date <= ctx.today:
        stop = b.eri_stop_date.isoformat() if b.eri_stop_date else "unknown"
        return _f(
            BATTERY_STOP,
            RiskLevel.HIGH,
            f"Elective-replacement indicator since {b.eri_date.isoformat()}: the pump stops by {stop}",
            "After the ERI a SynchroMed II stops within 90 days.",
            data,
            ITB_WITHDRAWAL,
            "Replace the pump before it stops.",
        )
    return None


def _check_battery_due(ctx: RiskContext) -> Finding | None:
    state = _battery(ctx)
    if state is None or _check_battery_stop(ctx) is not None:
        return None
    b, data = state
    p = ctx.pump
    if ctx.today >= b.replacement_date:
        return _f(
            BATTERY_DUE,
            RiskLevel.MODERATE,
            f"Pump replacement due since {b.replacement_date.isoformat()} "
            f"(service ends by {b.shutoff_date.isoformat()})",
            "Medtronic recommends scheduling replacement about 6 months before automatic shut-off.",
            data,
            ITB_WITHDRAWAL,
            "Schedule the replacement.",
        )
    if p is not None and p.recommended_refill_date is not None and b.replacement_date <= p.recommended_refill_date:
        return _f(
            BATTERY_DUE,
            RiskLevel.LOW,
            f"Pump replacement due {b.replacement_date.isoformat()}, before the next refill",
            "Replacement is planned about 6 months before shut-off.",
            data,
            action="Plan the replacement with the next refill.",
        )
    return None


BATTERY_STOP: Rule[RiskContext] = Rule(
    "RISK-BATTERY-002",
    "Pump at ERI or end of service",
    Severity.BLOCK,
    ("S55", "S118"),
    _check_battery_stop,
    # One condition, one severity: the pump forecast's PUMP-BATT-002 (one shut-off computation).
    settings=("pump.synchromed_ii.planning_service_life_years", "pump.prometra_ii.planning_service_life_years"),
    conditions=("pump.battery.past_end_of_service",),
)
BATTERY_DUE: Rule[RiskContext] = Rule(
    "RISK-BATTERY-001", "Pump replacement horizon", Severity.WARN, ("S55", "S69"), _check_battery_due
)


# --- Prometra and MRI; SynchroMed critical alarms (clinical.md §5.7) -------------------------------------------
def _since_last_refill(ctx: RiskContext, moment: datetime) -> bool:
    """At or after the current fill (or no fill on record): a later refill visit has dealt with it."""
    pump = ctx.timeline.pump
    return pump is None or not pump.refills or moment >= pump.refills[-1].time


def _check_mri_prometra(ctx: RiskContext) -> Finding | None:
    pump = ctx.timeline.pump
    if pump is None:
        return None
    prometra = pump.model.family is PumpFamily.PROMETRA_II
    filled = pump.refills[-1].time if pump.refills else None
    scans = [m for m in pump.mri if filled is None or prometra_mri_with_drug(prometra, m, filled)]
    if not prometra or not scans:
        return None
    mri = scans[-1]
    when = "planned" if mri > ctx.as_of else "done"
    return _f(
        MRI_PROMETRA_RISK,
        RiskLevel.HIGH,
        f"MRI {when} on {mri.isoformat()} with drug in the {pump.model.name} (last fill "
        f"{filled.isoformat() if filled else 'not recorded'}): empty the pump before, reset the flow valve after",
        PROMETRA_MRI_REASONING,
        {"mri": mri, "last_refill": filled, "planned": mri > ctx.as_of},
        ITB_OVERDOSE,
        PROMETRA_MRI_ACTION,
        severity=MRI_PROMETRA.severity,
    )


# One condition, one severity: the pump forecast's PUMP-MRI-001 (same decision, texts and severity).
MRI_PROMETRA_RISK: Rule[RiskContext] = Rule(
    "RISK-MRI-001",
    MRI_PROMETRA.title,
    MRI_PROMETRA.severity,
    MRI_PROMETRA.evidence,
    _check_mri_prometra,
    settings=MRI_PROMETRA.settings,
)

#: A SynchroMed motor stall longer than this is a critical alarm [MedtronicAlarms] and an over-infusion risk
#: factor [S61] (clinical.md §5.7: "motor stalls >48 h"; verification update 1.2, VERIFIED).
MOTOR_STALL_CRITICAL_HOURS = 48.0


def _alarms(ctx: RiskContext, kind: str) -> list[Any]:
    pump = ctx.timeline.pump
    if pump is None:
        return []
    return [a for a in pump.alarms if a.kind == kind and _since_last_refill(ctx, a.time)]


def _check_two_tone(ctx: RiskContext) -> Finding | None:
    alarms = _alarms(ctx, "two-tone")
    if not alarms:
        return None
    alarm = alarms[-1]
    return _f(
        ALARM_TWO_TONE,
        RiskLevel.HIGH,
        f"Two-tone pump alarm on {alarm.time.isoformat()}: the drug is no longer flowing (pump empty, needs "
        "replacement, or a pump problem)",
        'A two-tone SynchroMed alarm means the drug "is no longer flowing": call immediately (S56, S99); it is a '
        "critical alarm (MedtronicAlarms). Interrupted intrathecal baclofen can progress over 24-72 h to "
        "rhabdomyolysis, organ failure and death (S118, S69).",
        {"alarm_time": alarm.time, "kind": alarm.kind},
        ITB_WITHDRAWAL,
        "Call the patient now: interrogate the pump (reservoir, battery, motor), restore intrathecal delivery "
        "(refill or replace the pump) and treat withdrawal; oral baclofen alone rarely reverses it.",
        severity=Severity.BLOCK,
    )


def _check_motor_stall(ctx: RiskContext) -> Finding | None:
    alarms = _alarms(ctx, "motor-stall")
    if not alarms:
        return None
    alarm = max(alarms, key=lambda a: (a.stall_hours or 0.0, a.time))
    hours = float(alarm.stall_hours or 0.0)
    critical = hours > MOTOR_STALL_CRITICAL_HOURS
    over = "over" if critical else "not over"
    return _f(
        ALARM_MOTOR_STALL,
        RiskLevel.HIGH if critical else RiskLevel.MODERATE,
        f"Motor stall of {hours:g} h on {alarm.time.isoformat()} ({over} {MOTOR_STALL_CRITICAL_HOURS:g} h): no "
        "intrathecal delivery while the motor stalled",
        f"A motor stall over {MOTOR_STALL_CRITICAL_HOURS:g} h is a critical SynchroMed alarm (MedtronicAlarms) and a "
        "risk factor for later over-infusion (S61); during the stall no drug is delivered, so withdrawal can "
        "follow (S118, S69). " + ("" if critical else "This stall is within the 48 h: check the pump and the patient."),
        {"alarm_time": alarm.time, "stall_hours": hours, "critical_hours": MOTOR_STALL_CRITICAL_HOURS},
        ITB_WITHDRAWAL,
        (
            "Call the patient now: interrogate the pump and restore delivery (replace the pump if the motor does "
            "not recover); treat withdrawal; afterwards watch for over-infusion (overdose signs; verify the "
            "residual volume at each refill, S61)."
            if critical
            else "Interrogate the pump, confirm delivery has resumed and watch for withdrawal signs; verify the "
            "residual volume at the next refill (S61)."
        ),
        severity=Severity.BLOCK if critical else Severity.WARN,
    )


ALARM_TWO_TONE: Rule[RiskContext] = Rule(
    "RISK-ALARM-001",
    "SynchroMed two-tone alarm: drug no longer flowing",
    Severity.BLOCK,
    ("S56", "S99", "MedtronicAlarms", "S118", "S69"),
    _check_two_tone,
    settings=(),
)
ALARM_MOTOR_STALL: Rule[RiskContext] = Rule(
    "RISK-ALARM-002",
    "SynchroMed motor stall (critical over 48 h)",
    Severity.BLOCK,
    ("MedtronicAlarms", "S61", "S118", "S69"),
    _check_motor_stall,
    settings=(),
)


def _discrepancy(ctx: RiskContext) -> tuple[RefillReconciliation, bool, set[str], dict[str, Any]] | None:
    """The last reconciliation, whether it belongs to the current fill, the trend rule ids, and the data."""
    p = ctx.pump
    if p is None or not p.reconciliations:
        return None
    last_index, last = p.reconciliations[-1]
    current = p.refill_index is not None and last_index == p.refill_index
    trend_ids = {f.rule_id for f in p.trend.findings} if p.trend else set()
    data = {
        "expected_ml": last.expected_ml,
        "aspirated_ml": last.aspirated_ml,
        "discrepancy_ml": round(last.discrepancy_ml, 4),
        "discrepancy_percent": last.discrepancy_percent,
        "trend": sorted(trend_ids),
        "consecutive_less": p.trend.consecutive_less if p.trend else 0,
        "consecutive_more": p.trend.consecutive_more if p.trend else 0,
    }
    return last, current, trend_ids, data


def _check_discrepancy_less(ctx: RiskContext) -> Finding | None:
    state = _discrepancy(ctx)
    if state is None:
        return None
    last, current, trend_ids, data = state
    now = current and last.flagged and last.direction == "less"
    trend = "PUMP-RECON-004" in trend_ids
    if not (now or trend):
        return None
    what = []
    if now:
        what.append(f"{last.aspirated_ml:g} mL aspirated vs {last.expected_ml:g} mL expected at the last refill")
    if trend:
        what.append(f"less than expected at {data['consecutive_less']} refills in a row")
    return _f(
        DISCREPANCY_LESS,
        RiskLevel.HIGH if now and trend else RiskLevel.MODERATE,
        "Possible over-infusion: " + "; ".join(what),
        "Less aspirated than expected may mean the pump over-infused: it can empty before the computed alarm "
        "and deliver more drug than programmed. Verification checks are required at each refill.",
        data,
        ITB_OVERDOSE,
        "Check for over-infusion (pump, catheter, programming); consider an earlier next refill; watch for "
        "overdose and, if the pump empties early, withdrawal.",
    )


def _check_discrepancy_more(ctx: RiskContext) -> Finding | None:
    state = _discrepancy(ctx)
    if state is None:
        return None
    last, current, trend_ids, data = state
    now = current and last.flagged and last.direction == "more"
    if not (now or "PUMP-RECON-005" in trend_ids):
        return None
    return _f(
        DISCREPANCY_MORE,
        RiskLevel.MODERATE,
        "Possible under-delivery: more aspirated than expected"
        + (f" ({last.aspirated_ml:g} vs {last.expected_ml:g} mL)" if now else " at repeated refills"),
        "More drug left than the program should have left suggests the drug is not being delivered (pump "
        "stall, catheter occlusion, kink or break).",
        data,
        ITB_WITHDRAWAL,
        "Check the catheter and pump function; watch for withdrawal signs.",
    )


DISCREPANCY_LESS: Rule[RiskContext] = Rule(
    "RISK-DISCREPANCY-001",
    "Residual shortfall: over-infusion",
    Severity.WARN,
    ("S60", "S61", "S62"),
    _check_discrepancy_less,
)
DISCREPANCY_MORE: Rule[RiskContext] = Rule(
    "RISK-DISCREPANCY-002", "Residual excess: under-delivery", Severity.WARN, ("S61", "S69"), _check_discrepancy_more
)


@dataclass(frozen=True, slots=True)
class ProgramStep:
    """One entry of the pump's program history: from ``time`` on the pump runs ``daily_dose_mcg`` (0: stopped)."""

    time: datetime
    kind: str  # "refill" or "change"
    daily_dose_mcg: float
    concentration_mcg_per_ml: float | None  # at a refill


def program_steps(pump: PumpRecord | None) -> list[ProgramStep]:
    """Every refill and program change of ``pump`` as a program step, oldest first (a refill before a change
    at the same time)."""
    if pump is None:
        return []
    steps = [ProgramStep(v.time, "refill", v.program.daily_dose_mcg, v.concentration_mcg_per_ml) for v in pump.refills]
    steps += [ProgramStep(c.time, "change", c.daily_dose_mcg, None) for c in pump.program_changes]
    return sorted(steps, key=lambda st: (st.time, st.kind == "change"))


def _program_history(ctx: RiskContext) -> list[tuple[datetime, float, float, str]]:
    """(time, daily dose before, after, kind) for refills and program changes, oldest first."""
    out = []
    dose: float | None = None
    conc: float | None = None
    for step in program_steps(ctx.timeline.pump):
        if step.concentration_mcg_per_ml is not None:
            if conc is not None and abs(step.concentration_mcg_per_ml - conc) > _EPS:
                out.append((step.time, conc, step.concentration_mcg_per_ml, "concentration"))
            conc = step.concentration_mcg_per_ml
        if dose is not None and abs(step.daily_dose_mcg - dose) > _EPS:
            out.append((step.time, dose, step.daily_dose_mcg, "dose"))
        dose = step.daily_dose_mcg
    return out


@dataclass(frozen=True, slots=True)
class ItbCut:
    """A recent lowering of the intrathecal daily dose (a stop or restart included), measured from ``reference``:
    the highest daily dose programmed within the look-back window before it."""

    time: datetime
    kind: str
    before_mcg_per_day: float
    after_mcg_per_day: float
    reference_mcg_per_day: float
    percent: float
    beyond: bool  # larger than cds.risk.itb_max_cut_percent


def _itb_cuts(ctx: RiskContext) -> list[ItbCut]:
    steps = program_steps(ctx.timeline.pump)
    lookback = timedelta(days=float(ctx.value(LOOKBACK_DAYS)))
    limit = float(ctx.value(ITB_MAX_CUT_PERCENT))
    out = []
    for i in range(1, len(steps)):
        step, before, after = steps[i], steps[i - 1].daily_dose_mcg, steps[i].daily_dose_mcg
        if not ctx.recent(step.time) or abs(after - before) <= _EPS or (before > _EPS and after > before):
            continue  # old, no change, or an increase (a restart after a stop is judged against the dose before it)
        # Highest dose of every step still running within the look-back window before this change, so that
        # several small cuts in a row add up (step j runs until step j + 1 starts).
        reference = max(steps[j].daily_dose_mcg for j in range(i) if steps[j + 1].time > step.time - lookback)
        if after >= reference - _EPS:
            continue
        percent = (reference - after) * 100.0 / reference
        out.append(ItbCut(step.time, step.kind, before, after, reference, percent, percent > limit + 1e-9))
    return out


def _recent_changes(ctx: RiskContext, kind: str) -> list[tuple[datetime, float, float]]:
    return [
        (w, b, a)
        for w, b, a, k in _program_history(ctx)
        if k == kind and ctx.recent(w) and b is not None and a is not None
    ]


@dataclass(frozen=True, slots=True)
class NearStop:
    """The program in effect at ``as_of`` when it delivers less than the lowest plausible daily dose."""

    rate_mcg_per_day: float
    since: datetime
    kind: str
    previous_mcg_per_day: float | None  # the dose before the near-stop run; None: no earlier dose on record
    lowest_mcg_per_day: float
    likely_intended_mcg_per_day: float | None  # the rate read in mg/day, when that lands in the plausible range


def near_stop(ctx: RiskContext) -> NearStop | None:
    """A rate in effect below ``itb.limits.lowest_daily_dose_mcg`` (above 0: an exact 0 is a stop), with the run
    of near-stop steps it ends and the dose before them. A 1000x slip is recognised by the ITB plausibility check
    (ITB-LIMIT-001, :func:`baclofen.domain.itb.limits.check_daily_dose_range`)."""
    steps = [s for s in program_steps(ctx.timeline.pump) if s.time <= ctx.as_of]
    low = float(ctx.value(LOWEST_DAILY_DOSE_MCG))
    if not steps or not _EPS < steps[-1].daily_dose_mcg < low - _EPS:
        return None
    first = len(steps) - 1
    while first > 0 and _EPS < steps[first - 1].daily_dose_mcg < low - _EPS:
        first -= 1
    rate = steps[-1].daily_dose_mcg
    slips = check_daily_dose_range(rate, lowest_mcg_per_day=low)
    meant = next((f.data["likely_intended"] for f in slips if f.data.get("likely_unit_confusion")), None)
    previous = steps[first - 1].daily_dose_mcg if first > 0 else None
    return NearStop(rate, steps[first].time, steps[first].kind, previous, low, meant)


def _near_stop_finding(ns: NearStop) -> Finding:
    day = ns.since.date().isoformat()
    what = "refill" if ns.kind == "refill" else "program change"
    slip = (
        f"; or a mg/mcg slip ({ns.rate_mcg_per_day:g} mg/day = {ns.likely_intended_mcg_per_day:g} mcg/day)"
        if ns.likely_intended_mcg_per_day is not None
        else ""
    )
    if ns.previous_mcg_per_day is None:
        message = (
            f"First recorded intrathecal program {ns.rate_mcg_per_day:g} mcg/day ({what} of {day}, in effect now) "
            f"is a near-stop, below the lowest plausible dose of {ns.lowest_mcg_per_day:g} mcg/day, with no earlier "
            f"dose on record: effectively no intrathecal baclofen is delivered{slip}"
        )
    else:
        message = (
            f"Intrathecal program {ns.rate_mcg_per_day:g} mcg/day in effect since {day} ({what}; before: "
            f"{ns.previous_mcg_per_day:g} mcg/day) is a near-stop, below the lowest plausible dose of "
            f"{ns.lowest_mcg_per_day:g} mcg/day: in effect the pump is stopped{slip}"
        )
    return _f(
        PROGRAM_STOPPED,
        RiskLevel.HIGH,
        message,
        f"Reported adult intrathecal maintenance doses range {ns.lowest_mcg_per_day:g}-"
        f"{HIGHEST_REPORTED_DAILY_DOSE.default:g} mcg/day [HarrietLane24] ({LOWEST_DAILY_DOSE_MCG.name}); a rate "
        "below that delivers practically no baclofen, so it is judged like a stopped pump however long ago it was "
        "programmed. Abrupt discontinuation of intrathecal baclofen, regardless of the cause, has caused high fever, "
        "altered mental status, rebound spasticity and rigidity, rarely progressing to death [S118]. A rate 1000 "
        "times below a plausible dose is a likely mg/mcg confusion (ITB-LIMIT-001).",
        {
            "near_stop": True,
            "daily_dose_mcg": ns.rate_mcg_per_day,
            "since": ns.since,
            "kind": ns.kind,
            "previous_mcg_per_day": ns.previous_mcg_per_day,
            "lowest_plausible_mcg_per_day": ns.lowest_mcg_per_day,
            "likely_unit_confusion": ns.likely_intended_mcg_per_day is not None,
            "likely_intended_mcg_per_day": ns.likely_intended_mcg_per_day,
        },
        ITB_WITHDRAWAL,
        "Check the program and its unit now. Unless this is a planned, supervised stop, restore the intended "
        "intrathecal dose today; bridge with oral baclofen only as advised; watch for withdrawal.",
    )


def _check_program_stopped(ctx: RiskContext) -> Finding | None:
    p = ctx.pump
    if p is None:
        return None
    if p.stopped_at is None:
        ns = near_stop(ctx)
        return None if ns is None else _near_stop_finding(ns)
    return _f(
        PROGRAM_STOPPED,
        RiskLevel.HIGH,
        f"Pump stopped since {p.stopped_at.isoformat()}",
        "Abrupt discontinuation of intrathecal baclofen, regardless of the cause, has caused high fever, "
        "altered mental status, rebound spasticity and rigidity, rarely progressing to death.",
        {"stopped_at": p.stopped_at},
        ITB_WITHDRAWAL,
        "Unless this is a planned, supervised stop: restore intrathecal delivery; bridge with oral baclofen only "
        "as advised; watch for withdrawal.",
    )


def _check_concentration_change(ctx: RiskContext) -> list[Finding]:
    return [
        _f(
            PROGRAM_CONCENTRATION,
            RiskLevel.MODERATE,
            f"Concentration changed {before:g} -> {after:g} mcg/mL on {when.date().isoformat()}",
            "After a concentration change the old solution in the tubing and catheter is delivered at the new rate "
            "until it clears, and priming-bolus mixing can cause overdose, underdose or withdrawal.",
            {"time": when, "before": before, "after": after},
            ITB_OVERDOSE,
            "Watch for overdose and withdrawal signs until the old solution has cleared.",
        )
        for when, before, after in _recent_changes(ctx, "concentration")
    ]


def _check_dose_increase(ctx: RiskContext) -> list[Finding]:
    """Every recent increase; one from a stop (0) or a near-stop (below ``itb.limits.lowest_daily_dose_mcg``) is a
    re-introduction after an interruption: vigilance [S30] and the restart advice of the consensus [S42]."""
    low = float(ctx.value(LOWEST_DAILY_DOSE_MCG))
    out = []
    for when, before, after in _recent_changes(ctx, "dose"):
        if after <= before:
            continue
        day = when.date().isoformat()
        data = {"time": when, "before": before, "after": after, "reintroduction": before < low - _EPS}
        if before >= low - _EPS:
            out.append(
                _f(
                    PROGRAM_UP,
                    RiskLevel.MODERATE,
                    f"Daily dose increased {before:g} -> {after:g} mcg/day on {day}",
                    "Be especially vigilant for overdose during dose titration and re-introduction.",
                    data,
                    ITB_OVERDOSE,
                    "Watch for drowsiness, breathing problems and hypotonia.",
                )
            )
            continue
        out.append(
            _f(
                PROGRAM_UP,
                RiskLevel.MODERATE,
                f"Re-introduction after an interruption: intrathecal delivery restarted {before:g} -> {after:g} "
                f"mcg/day on {day}",
                f"A restart from {'a stop' if before <= _EPS else 'a near-stop rate'} (below the lowest plausible "
                f"dose, {LOWEST_DAILY_DOSE_MCG.name} = {low:g} mcg/day). The label asks for special vigilance for "
                "overdose during re-introduction after an interruption [S30]; the troubleshooting consensus says the "
                "previous dosing schedule can be used in withdrawal of short duration, and oral baclofen 10-20 mg "
                "every six hours in longer-duration withdrawal [S42].",
                data,
                ITB_OVERDOSE,
                "Confirm the cause of the interruption is fixed. After a short interruption the previous schedule can "
                "be used (S42); after a longer one the clinician decides the restart dose rather than restoring the "
                "old dose unseen. Monitor closely after the restart for drowsiness, breathing problems and hypotonia "
                "(S30), and for withdrawal signs until delivery is confirmed.",
                evidence=("S42",),
            )
        )
    return out


def _check_dose_decrease(ctx: RiskContext) -> list[Finding]:
    limit = float(ctx.value(ITB_MAX_CUT_PERCENT))
    return [
        _f(
            PROGRAM_DOWN,
            RiskLevel.LOW,
            f"Daily dose decreased {c.before_mcg_per_day:g} -> {c.after_mcg_per_day:g} mcg/day on "
            f"{c.time.date().isoformat()}",
            f"Reductions may bring back spasticity; withdrawal signs need review. The cut, {c.percent:.4g} %, is "
            f"within the refill-visit decrease step ({ITB_MAX_CUT_PERCENT.name} = {limit:g} %).",
            {
                "time": c.time,
                "before": c.before_mcg_per_day,
                "after": c.after_mcg_per_day,
                "cut_percent": round(c.percent, 6),
            },
            ITB_WITHDRAWAL,
            "Watch for return of spasticity and withdrawal signs.",
        )
        for c in _itb_cuts(ctx)
        if not c.beyond and 0 < c.after_mcg_per_day < c.before_mcg_per_day
    ]


def _cut_action(cut: ItbCut, limit: float) -> str:
    steps = f"lower it in steps of at most {limit:g} % and see the patient within 24-72 h."
    if cut.reference_mcg_per_day > float(HIGHEST_REPORTED_DAILY_DOSE.default):
        return (
            f"Do not restore {cut.reference_mcg_per_day:g} mcg/day: it is above the highest reported dose "
            f"(RISK-PROGRAM-005). Check the program now and, with the clinician, choose a dose the patient is safe "
            f"on; {steps} Watch for withdrawal and overdose signs."
        )
    return (
        "Check the program now: if the cut was not intended (a programming or concentration slip), restore the "
        f"previous dose today; if it was, {steps} Brief the patient on withdrawal signs."
    )


def _check_large_cut(ctx: RiskContext) -> list[Finding]:
    p = ctx.pump
    limit = float(ctx.value(ITB_MAX_CUT_PERCENT))
    out = []
    for c in _itb_cuts(ctx):
        if not c.beyond:
            continue
        stop = c.after_mcg_per_day <= _EPS
        if stop and p is not None and p.stopped_at == c.time:
            continue  # the pump is stopped now: RISK-PROGRAM-004
        day = c.time.date().isoformat()
        what = "refill" if c.kind == "refill" else "program change"
        if stop:
            message = f"Intrathecal delivery was stopped on {day} from {c.reference_mcg_per_day:g} mcg/day"
        else:
            message = (
                f"Intrathecal daily dose cut by {c.percent:.4g} % on {day} ({what}): "
                f"{c.reference_mcg_per_day:g} -> {c.after_mcg_per_day:g} mcg/day"
            )
        out.append(
            _f(
                PROGRAM_CUT,
                RiskLevel.HIGH,
                message + " - risk of withdrawal",
                f"The label lowers the intrathecal dose at a refill visit by 10-20 % [S2] [S3]; this cut of "
                f"{c.percent:.4g} % from the highest dose of the last {int(ctx.value(LOOKBACK_DAYS))} days is "
                f"larger ({ITB_MAX_CUT_PERCENT.name} = {limit:g} %, ASSUMPTION), so it is treated like the abrupt "
                "discontinuation of the boxed warning: high fever, altered mental status, exaggerated rebound "
                "spasticity and muscle rigidity, rarely rhabdomyolysis, multiple organ-system failure and death "
                "[S118]. A tiny rate is a stop in all but name.",
                {
                    "time": c.time,
                    "kind": c.kind,
                    "before": c.before_mcg_per_day,
                    "after": c.after_mcg_per_day,
                    "from_mcg_per_day": c.reference_mcg_per_day,
                    "cut_percent": round(c.percent, 6),
                    "max_cut_percent": limit,
                },
                ITB_WITHDRAWAL,
                _cut_action(c, limit),
            )
        )
    return out


def _check_itb_above_highest(ctx: RiskContext) -> list[Finding]:
    steps = program_steps(ctx.timeline.pump)
    since = ctx.as_of - timedelta(days=float(ctx.value(LOOKBACK_DAYS)))
    highest = float(ctx.value(HIGHEST_REPORTED_DAILY_DOSE))
    out = []
    for i, step in enumerate(steps):
        until = steps[i + 1].time if i + 1 < len(steps) else ctx.as_of
        if step.daily_dose_mcg <= highest or until < since:
            continue
        what = "refill" if step.kind == "refill" else "program change"
        when = "in effect now" if i + 1 == len(steps) else f"until {until.isoformat()}"
        out.append(
            _f(
                PROGRAM_ABOVE_HIGHEST,
                RiskLevel.HIGH,
                f"Intrathecal program {step.daily_dose_mcg:g} mcg/day ({what} of {step.time.date().isoformat()}, "
                f"{when}) is above the highest reported adult maintenance dose, "
                f"{highest:g} mcg/day - risk of overdose",
                "Reported adult maintenance doses range 12-2003 mcg/day [HarrietLane24] "
                f"({HIGHEST_REPORTED_DAILY_DOSE.name} = {highest:g}); overdose events occurred "
                "at 800, 1920 and 2400 mcg/24 h [S46]. A dose above the range is more likely a programming, unit "
                "or concentration slip than a plan (ITB-DOSE-002 blocks it when programming).",
                {
                    "time": step.time,
                    "kind": step.kind,
                    "daily_dose_mcg": step.daily_dose_mcg,
                    "until": until,
                    "highest_reported_mcg_per_day": highest,
                },
                ITB_OVERDOSE,
                "Check the program and the concentration now and reprogram to the intended dose (lower it in steps, "
                "not to zero, if the patient has been on it). " + ITB_OVERDOSE.action,
            )
        )
    return out


PROGRAM_STOPPED: Rule[RiskContext] = Rule(
    "RISK-PROGRAM-004",
    "Pump stopped, or at a near-stop rate below the lowest plausible dose",
    Severity.WARN,
    ("S118", "S69", "HarrietLane24"),
    _check_program_stopped,
)
PROGRAM_CONCENTRATION: Rule[RiskContext] = Rule(
    "RISK-PROGRAM-003", "Recent concentration change", Severity.WARN, ("S64",), _check_concentration_change
)
PROGRAM_UP: Rule[RiskContext] = Rule(
    "RISK-PROGRAM-001", "Recent dose increase", Severity.WARN, ("S30",), _check_dose_increase
)
PROGRAM_DOWN: Rule[RiskContext] = Rule(
    "RISK-PROGRAM-002", "Recent dose decrease", Severity.INFO, ("S2", "S118"), _check_dose_decrease
)
PROGRAM_ABOVE_HIGHEST: Rule[RiskContext] = Rule(
    "RISK-PROGRAM-005",
    "Intrathecal program above the highest reported dose (overdose)",
    Severity.BLOCK,  # one condition, one severity: ITB-DOSE-002
    ("HarrietLane24", "S46"),
    _check_itb_above_highest,
    settings=("itb.dose.highest_reported_mcg_per_day",),
    conditions=("itb.daily_dose.above_highest_reported",),
)
PROGRAM_CUT: Rule[RiskContext] = Rule(
    "RISK-PROGRAM-006",
    "Large intrathecal dose cut (withdrawal)",
    Severity.WARN,
    ("S2", "S3", "S118", "S37"),
    _check_large_cut,
)


# --- oral rules ---------------------------------------------------------------------------------------------------
def _oral_days(ctx: RiskContext) -> tuple[date, list[float]] | None:
    t = ctx.timeline
    if not t.oral:
        return None
    first = t.oral[0].start
    days = (ctx.today - first).days + 1
    return first, [t.oral_dose_on(first + timedelta(days=i)) for i in range(days)]


def _recent_oral_changes(ctx: RiskContext) -> list[tuple[date, int, list[float]]]:
    """(day, index, daily doses) for each day within the look-back window whose dose is below the day before."""
    series = _oral_days(ctx)
    if series is None:
        return []
    first, doses = series
    lookback = int(ctx.value(LOOKBACK_DAYS))
    out = []
    for i in range(1, len(doses)):
        day = first + timedelta(days=i)
        if (ctx.today - day).days <= lookback and doses[i] < doses[i - 1]:
            out.append((day, i, doses))
    return out


def _check_oral_stop(ctx: RiskContext) -> list[Finding]:
    min_days = int(ctx.value(TAPER_MIN_DAYS_TO_ZERO))
    max_step = float(ctx.value(TAPER_MAX_STEP_MG_PER_DAY))
    out: list[Finding] = []
    for day, i, doses in _recent_oral_changes(ctx):
        if doses[i] != 0:
            continue
        # Walk back over the non-increasing run that ended here; the taper began at its first reduction.
        j = i - 1
        while j > 0 and doses[j - 1] >= doses[j] and doses[j - 1] > 0:
            j -= 1
        peak = doses[j]
        k = j
        while k < i and doses[k] >= peak - _EPS:
            k += 1
        taper_days = i - k
        last = doses[i - 1]
        # A last dose above the step setting went to zero in one step: abrupt, however long ago an earlier
        # reduction was (an old 80 -> 60 mg/day change must not make a 60 -> 0 stop look tapered).
        if taper_days >= min_days and last <= max_step + _EPS:
            continue
        out.append(
            _f(
                ORAL_STOP,
                RiskLevel.HIGH,
                f"Oral baclofen stopped on {day.isoformat()} from {last:g} mg/day after {taper_days} day(s) of "
                f"reduction from {peak:g} mg/day (minimum taper {min_days} days, last step at most "
                f"{max_step:g} mg/day)",
                "Abrupt discontinuation of baclofen, regardless of the cause, has caused hallucinations, "
                "seizures, high fever, confusion, rebound spasticity and rigidity; reduce the dose slowly (over "
                f"at least 1-2 weeks; {TAPER_MIN_DAYS_TO_ZERO.name} = {min_days}; "
                f"{TAPER_MAX_STEP_MG_PER_DAY.name} = {max_step:g} mg/day, UNCONFIRMED).",
                {
                    "stop_date": day,
                    "taper_days": taper_days,
                    "from_mg_per_day": peak,
                    "last_dose_mg_per_day": last,
                    "min_taper_days": min_days,
                },
                ORAL_WITHDRAWAL,
                "Contact the prescriber today about a supervised plan; do not restart a previous high dose "
                "alone; seizures, high fever or confusion need emergency care.",
            )
        )
    return out


def _check_oral_step(ctx: RiskContext) -> list[Finding]:
    max_step = float(ctx.value(TAPER_MAX_STEP_MG_PER_DAY))
    out: list[Finding] = []
    for day, i, doses in _recent_oral_changes(ctx):
        prev, cur = doses[i - 1], doses[i]
        if cur == 0 or prev - cur <= max_step + _EPS:
            continue
        out.append(
            _f(
                ORAL_STEP,
                RiskLevel.MODERATE,
                f"Oral baclofen reduced by {prev - cur:g} mg/day in one step on {day.isoformat()} "
                f"({prev:g} -> {cur:g})",
                f"The reduction is larger than the taper step setting ({TAPER_MAX_STEP_MG_PER_DAY.name} = "
                f"{max_step:g} mg/day; the step size is UNCONFIRMED in the sources): withdrawal signs may "
                "follow a fast reduction.",
                {"date": day, "from_mg_per_day": prev, "to_mg_per_day": cur},
                ORAL_WITHDRAWAL,
            )
        )
    return out


def _continues_without_increase(prev: OralPrescription, cur: OralPrescription) -> bool:
    """``cur`` starts the day after a non-zero ``prev`` ends, at no higher a dose (one run of a taper)."""
    return (
        prev.end is not None
        and prev.end + timedelta(days=1) == cur.start
        and prev.daily_dose_mg >= cur.daily_dose_mg
        and prev.daily_dose_mg > 0
    )


def _check_oral_planned_stop(ctx: RiskContext) -> list[Finding]:
    """Each future day on which the prescribed oral dose falls to zero (the last ``end`` or a gap)."""
    oral = ctx.timeline.oral
    today = ctx.today
    min_days = int(ctx.value(TAPER_MIN_DAYS_TO_ZERO))
    max_step = float(ctx.value(TAPER_MAX_STEP_MG_PER_DAY))
    out: list[Finding] = []
    for idx, p in enumerate(oral):
        if p.end is None or p.end >= date.max or p.daily_dose_mg <= _EPS:
            continue
        stop = p.end + timedelta(days=1)
        if stop <= today:
            continue  # a past stop: RISK-ORAL-STOP-001
        nxt = oral[idx + 1] if idx + 1 < len(oral) else None
        if nxt is not None and nxt.start == stop and nxt.daily_dose_mg > _EPS:
            continue  # the next prescription follows on: no stop here
        # Walk back over the contiguous non-increasing run that ends here; the taper began at its first reduction.
        q = idx
        while q > 0 and _continues_without_increase(oral[q - 1], oral[q]):
            q -= 1
        peak = oral[q].daily_dose_mg
        first_cut = next((r.start for r in oral[q : idx + 1] if r.daily_dose_mg < peak - _EPS), None)
        taper_days = 0 if first_cut is None else (stop - first_cut).days
        # Planned (future) reductions larger than the step; past ones are RISK-ORAL-STEP-001's.
        planned_steps = [
            oral[r - 1].daily_dose_mg - oral[r].daily_dose_mg for r in range(q + 1, idx + 1) if oral[r].start > today
        ]
        largest = max(planned_steps, default=0.0)
        last = p.daily_dose_mg
        if last > max_step + _EPS or taper_days < min_days:
            level = RiskLevel.HIGH
        elif largest > max_step + _EPS:
            level = RiskLevel.MODERATE
        else:
            continue  # the end of a compliant taper
        how = "with no taper" if taper_days == 0 else f"after {taper_days} day(s) of reduction from {peak:g} mg/day"
        why = []
        if last > max_step + _EPS:
            why.append(f"the last dose, {last:g} mg/day, is above the taper step {max_step:g} mg/day")
        if taper_days < min_days:
            why.append(f"the reduction lasts {taper_days} day(s), less than {min_days} days")
        if not why:
            why.append(f"one planned reduction is {largest:g} mg/day, above the taper step {max_step:g} mg/day")
        out.append(
            _f(
                ORAL_PLANNED_STOP,
                level,
                f"Oral baclofen is planned to stop on {stop.isoformat()} (last dose {last:g} mg/day on "
                f"{p.end.isoformat()}) {how}: nothing lower is prescribed after it",
                f"The prescriptions end on {p.end.isoformat()} and nothing follows, so the dose falls from {last:g} "
                f"mg/day to 0 on {stop.isoformat()}: {'; '.join(why)}. Abrupt discontinuation of baclofen, "
                "regardless of the cause, has caused hallucinations, seizures, high fever, altered mental status, "
                "rebound spasticity and rigidity [S4]; reduce the dose gradually over about 1-2 weeks [S14] / at "
                f"least 1-2 weeks [S24] ({TAPER_MIN_DAYS_TO_ZERO.name} = {min_days}, sources DISAGREE; "
                f"{TAPER_MAX_STEP_MG_PER_DAY.name} = {max_step:g} mg/day, UNCONFIRMED).",
                {
                    "stop_date": stop,
                    "last_day": p.end,
                    "days_until_stop": (stop - today).days,
                    "last_dose_mg_per_day": last,
                    "from_mg_per_day": peak,
                    "taper_days": taper_days,
                    "largest_planned_step_mg_per_day": largest,
                    "min_taper_days": min_days,
                    "max_step_mg_per_day": max_step,
                },
                ORAL_WITHDRAWAL,
                f"Plan a taper before {stop.isoformat()} (`baclofen plan taper`) and prescribe its steps after "
                f"{p.end.isoformat()}, or confirm that an immediate stop is clinically justified (overdose, serious "
                "adverse reaction). Tell the patient the withdrawal signs and not to stop on their own.",
            )
        )
    return out


ORAL_PLANNED_STOP: Rule[RiskContext] = Rule(
    "RISK-ORAL-PLANNED-STOP-001",
    "Planned stop of oral baclofen without a taper",
    Severity.WARN,
    ("S4", "S14", "S24"),
    _check_oral_planned_stop,
)
ORAL_STOP: Rule[RiskContext] = Rule(
    "RISK-ORAL-STOP-001", "Abrupt stop of oral baclofen", Severity.WARN, ("S4", "S9", "S14", "S24"), _check_oral_stop
)
ORAL_STEP: Rule[RiskContext] = Rule(
    "RISK-ORAL-STEP-001",
    "Large single reduction of oral baclofen",
    Severity.WARN,
    ("S4", "S14", "S109"),
    _check_oral_step,
)


def _check_missed(ctx: RiskContext) -> list[Finding]:
    t = ctx.timeline
    count = sum(m.count for m in t.missed_doses if ctx.recent(m.time))
    count += sum(d.missed_doses for d in t.diary if ctx.recent(d.time))
    if count == 0:
        return []
    needed = int(ctx.value(MISSED_DOSES_MODERATE))
    level = RiskLevel.MODERATE if count >= needed else RiskLevel.LOW
    return [
        _f(
            ORAL_MISSED,
            level,
            f"{count} missed oral dose(s) in the last {int(ctx.value(LOOKBACK_DAYS))} days",
            "Interrupting baclofen can cause withdrawal; missed doses are a partial interruption "
            f"({MISSED_DOSES_MODERATE.name} = {needed} for a moderate risk).",
            {"missed_doses": count},
            ORAL_WITHDRAWAL,
            "Take the next dose as prescribed (no double doses); contact the clinic if withdrawal signs appear.",
        )
    ]


ORAL_MISSED: Rule[RiskContext] = Rule(
    "RISK-ORAL-MISSED-001", "Missed oral doses", Severity.WARN, ("S4", "S9"), _check_missed
)


def _oral_cap(ctx: RiskContext) -> tuple[float, float, str, dict[str, Any]]:
    """(outpatient maximum, in-hospital maximum, where the maximum comes from, data) for the timeline's locale."""
    locale = ctx.timeline.locale
    if locale is not None:
        setting = locale_ceiling_setting(locale)
        cap = float(ctx.value(setting))
        why = f"the {locale.value.upper()} maximum ({setting.name} = {cap:g} mg/day)"
        assumed = locale.value
    else:
        us, uk = float(ctx.value(MAX_DAILY_DOSE_US)), float(ctx.value(MAX_DAILY_DOSE_UK))
        cap = min(us, uk)
        assumed = "us" if us <= uk else "uk"
        why = (
            f"the timeline gives no locale (patient.locale), so the lower, conservative maximum applies: {cap:g} "
            f"mg/day ({MAX_DAILY_DOSE_US.name} = {us:g}, {MAX_DAILY_DOSE_UK.name} = {uk:g})"
        )
    hospital_setting = in_hospital_ceiling_setting(Locale(assumed))
    hospital = max(cap, float(ctx.value(hospital_setting)))
    data = {
        "in_hospital_setting": hospital_setting.name,
        "max_daily_dose_mg": cap,
        "locale": None if locale is None else locale.value,
        "locale_applied": assumed,
        "in_hospital_max_mg": hospital,
    }
    return cap, hospital, why, data


def _check_oral_max(ctx: RiskContext) -> list[Finding]:
    """Each prescription above the maximum that runs on or after the start of the look-back window."""
    cap, hospital, why, cap_data = _oral_cap(ctx)
    since = ctx.today - timedelta(days=int(ctx.value(LOOKBACK_DAYS)))
    out = []
    for p in ctx.timeline.oral:
        if p.daily_dose_mg <= cap or (p.end is not None and p.end < since):
            continue
        period = f"from {p.start.isoformat()} " + ("(ongoing)" if p.end is None else f"to {p.end.isoformat()}")
        planned = " (planned)" if p.start > ctx.today else ""
        hospital_text = (
            f"Above the outpatient maximum baclofen is given only in hospital under careful supervision, up to the "
            f"in-hospital maximum of {hospital:g} mg/day ({cap_data['in_hospital_setting']}), with a recorded "
            "override."
            if p.daily_dose_mg <= hospital
            else f"It is also above the in-hospital maximum of {hospital:g} mg/day ({cap_data['in_hospital_setting']})."
        )
        out.append(
            _f(
                ORAL_MAX,
                RiskLevel.HIGH,
                f"Oral baclofen {p.daily_dose_mg:g} mg/day {period}{planned} is above the maximum of {cap:g} mg/day "
                "- risk of overdose",
                f"Maximum oral dose: {why}; US/Canada 80 mg/day [S1] [S4], UK/Australia 100 mg/day [S24] [S27] "
                f"(DISAGREE, chosen by locale). {hospital_text}",
                {"start": p.start, "end": p.end, "daily_dose_mg": p.daily_dose_mg, **cap_data},
                ORAL_OVERDOSE,
                f"Review the prescription today: at most {cap:g} mg/day outside hospital. If the patient already takes "
                "it, lower it by a taper (`baclofen plan taper`), never by an abrupt stop; watch for drowsiness, "
                "confusion and breathing problems.",
            )
        )
    return out


ORAL_MAX: Rule[RiskContext] = Rule(
    "RISK-ORAL-MAX-001",
    "Oral baclofen above the maximum daily dose (overdose)",
    Severity.BLOCK,  # one condition, one severity: ORAL-MAX-001 and DOSE-BAC-ORAL-MAX-001
    ("S1", "S4", "S14", "S24", "S25", "S27", "NovartisCore"),
    _check_oral_max,
    settings=(
        "oral.max_daily_dose_mg.us",
        "oral.max_daily_dose_mg.uk",
        "oral.max_daily_dose_mg.in_hospital.us",
        "oral.max_daily_dose_mg.in_hospital.uk",
    ),
    conditions=("baclofen.oral.above_max_daily_dose",),
)


# --- diary rules --------------------------------------------------------------------------------------------------
def _diary(ctx: RiskContext) -> tuple[dict[SymptomKind, list[Symptom]], list[str], datetime, list[str]] | None:
    """Recent diary: symptoms by kind, unrecognised symptom texts, the latest entry time and the free notes."""
    recent = [d for d in ctx.timeline.diary if ctx.recent(d.time)]
    if not recent:
        return None
    by_kind: dict[SymptomKind, list[Symptom]] = {k: [] for k in SymptomKind}
    unrecognised: list[str] = []
    notes: list[str] = []
    for entry in recent:
        for s in entry.symptoms:
            if s not in by_kind[s.kind]:
                by_kind[s.kind].append(s)
        unrecognised.extend(u for u in entry.unrecognised if u not in unrecognised)
        note = " ".join(entry.note.split())
        if note and note not in notes:
            notes.append(note)
    return by_kind, unrecognised, max(d.time for d in recent), notes


def _check_diary_kind(kind: SymptomKind) -> Any:
    def check(ctx: RiskContext) -> Finding | None:
        state = _diary(ctx)
        if state is None or not state[0][kind]:
            return None
        names = [s.value for s in state[0][kind]]
        data = {"symptoms": names, "latest_entry": state[2]}
        if kind is SymptomKind.EMERGENCY:
            return _f(
                DIARY_EMERGENCY,
                RiskLevel.HIGH,
                "Diary red flag (emergency signs): " + ", ".join(names),
                "Seizures, high fever, confusion, hallucinations and breathing problems are signs of severe "
                "withdrawal or overdose and need emergency care.",
                data,
                _withdrawal_signs(ctx),
                "Call the patient now; direct to emergency care; check pump/refill and recent dose changes.",
            )
        if kind is SymptomKind.WITHDRAWAL:
            return _f(
                DIARY_WITHDRAWAL,
                RiskLevel.HIGH,
                "Diary red flag (possible withdrawal): " + ", ".join(names),
                "Return of spasticity, itching (pruritus without rash is very suggestive), fever, fast heartbeat "
                "and goosebumps are early withdrawal signs; untreated, withdrawal can progress over 24-72 h.",
                data,
                _withdrawal_signs(ctx),
                "Contact the patient today; check the pump, refill date and missed doses; restore delivery.",
            )
        return _f(
            DIARY_OVERDOSE,
            RiskLevel.MODERATE,
            "Diary: possible overdose signs: " + ", ".join(names),
            "Drowsiness, dizziness, weakness and low temperature are early overdose signs; kidney impairment can "
            "cause them even on low oral doses.",
            data,
            _overdose_signs(ctx),
            "Contact the patient today; review the dose and kidney function.",
        )

    return check


def _check_diary_unrecognised(ctx: RiskContext) -> Finding | None:
    state = _diary(ctx)
    if state is None or not (state[1] or state[3]):
        return None
    unrecognised, notes = state[1], state[3]
    parts = []
    if unrecognised:
        parts.append("symptoms not recognised by the engine: " + ", ".join(unrecognised))
    if notes:
        parts.append("free notes (not interpreted): " + " | ".join(notes))
    return _f(
        DIARY_UNRECOGNISED,
        # A free note alone is low (it may be "bad evening"); it still reaches a clinician (alert_clinic).
        RiskLevel.MODERATE if unrecognised else RiskLevel.LOW,
        "Diary text for review - " + "; ".join(parts),
        "The text could describe a withdrawal or overdose sign; it is sent to a clinician rather than ignored.",
        {"unrecognised": unrecognised, "notes": notes, "latest_entry": state[2]},
        _withdrawal_signs(ctx),
        "A clinician reviews the entry.",
    )


DIARY_EMERGENCY: Rule[RiskContext] = Rule(
    "RISK-DIARY-001",
    "Diary emergency signs",
    Severity.WARN,
    ("S4", "S16", "S30", "S118"),
    _check_diary_kind(SymptomKind.EMERGENCY),
)
DIARY_WITHDRAWAL: Rule[RiskContext] = Rule(
    "RISK-DIARY-002",
    "Diary withdrawal signs",
    Severity.WARN,
    ("S69", "S118", "S4"),
    _check_diary_kind(SymptomKind.WITHDRAWAL),
)
DIARY_OVERDOSE: Rule[RiskContext] = Rule(
    "RISK-DIARY-003",
    "Diary overdose signs",
    Severity.WARN,
    ("S30", "S16", "S111"),
    _check_diary_kind(SymptomKind.OVERDOSE),
)
DIARY_UNRECOGNISED: Rule[RiskContext] = Rule(
    "RISK-DIARY-004", "Diary text not recognised", Severity.WARN, ("S118", "S4"), _check_diary_unrecognised
)


# --- kidney ---------------------------------------------------------------------------------------------------------
def _kidney(ctx: RiskContext) -> tuple[Any, float, str, dict[str, Any]] | None:
    patient = ctx.timeline.patient
    dose = ctx.oral_dose_today_mg
    if patient is None or dose <= 0 or not patient.kidney.is_known:
        return None
    k = patient.kidney
    where = "on dialysis" if k.dialysis else f"CrCl {k.crcl_ml_min:g} mL/min"
    return k, dose, where, {"daily_dose_mg": dose, "crcl_ml_min": k.crcl_ml_min, "dialysis": k.dialysis}


def _check_kidney_failure(ctx: RiskContext) -> Finding | None:
    state = _kidney(ctx)
    if state is None:
        return None
    k, dose, where, data = state
    if k.dialysis:
        # The dialysis dose, about 5 mg daily, is tied to dialysis only [S14] [S15].
        limit = float(ctx.value(DIALYSIS_MAX_START_MG_PER_DAY))
        why = (
            "Baclofen is cleared unchanged by the kidney: dialysis-dependent patients need a particularly low dose "
            "(about 5 mg daily); toxicity appears on low doses in kidney failure."
        )
        what = f"above about {limit:g} mg/day, the dialysis dose"
    elif k.crcl_ml_min is not None and kidney_band(k.crcl_ml_min) is KidneyBand.SEVERE:
        # Without dialysis, the planner's reduction of the severe band (x 1/3 [S22]) applied to the maximum.
        cap, _, cap_why, _ = _oral_cap(ctx)
        limit = kidney_reduced_max_mg_per_day(cap, k.crcl_ml_min)
        band = KidneyBand.SEVERE
        why = (
            f"Baclofen is cleared unchanged by the kidney; in the renal PK study severe CKD ({band.crcl_range}) "
            f"needed a mean {band.reduction_text} dose reduction, the reduction the planner applies: {cap_why} "
            f"reduced by {band.reduction_text} is {limit:.3g} mg/day. Toxicity appears on low doses in kidney failure."
        )
        what = f"above {limit:.3g} mg/day, the kidney-reduced maximum"
    else:
        return None
    # One condition, one severity: above the dialysis dose blocks as ORAL-DIALYSIS-002 does; above the severe
    # band's reduction (one PK study, S22) warns as ORAL-RENAL-003 does (KIDNEY_REDUCTION_SEVERITY).
    severity = Severity.BLOCK if k.dialysis else KIDNEY_REDUCTION_SEVERITY
    if dose <= limit + _EPS:
        return None
    return _f(
        KIDNEY_HIGH,
        RiskLevel.HIGH,
        f"Oral baclofen {dose:g} mg/day {where}: exposure excess ({what})",
        why,
        data | {"threshold_mg_per_day": limit},
        ORAL_OVERDOSE,
        "Review the dose today; watch for drowsiness, confusion and breathing problems.",
        severity=severity,
    )


def _check_kidney_ckd(ctx: RiskContext) -> Finding | None:
    state = _kidney(ctx)
    if state is None or _check_kidney_failure(ctx) is not None:
        return None
    k, dose, where, data = state
    ckd = float(ctx.value(CKD_CRCL_ML_MIN))
    in_ckd = k.dialysis or (k.crcl_ml_min is not None and k.crcl_ml_min < ckd)
    if not in_ckd or dose <= CKD_HIGH_DOSE_MG_PER_DAY + _EPS:
        return None
    return _f(
        KIDNEY_MODERATE,
        RiskLevel.MODERATE,
        f"Oral baclofen {dose:g} mg/day with {where}: above {CKD_HIGH_DOSE_MG_PER_DAY:g} mg/day in CKD",
        "In CKD, doses > 20 mg/day carried a 3.5-fold risk of hospitalisation with encephalopathy "
        f"(CKD here: CrCl < {ckd:g} mL/min, {CKD_CRCL_ML_MIN.name}).",
        data,
        ORAL_OVERDOSE,
        "Consider a lower dose; watch for confusion and drowsiness.",
    )


KIDNEY_HIGH: Rule[RiskContext] = Rule(
    "RISK-KIDNEY-001",
    "Oral exposure excess in kidney failure",
    Severity.BLOCK,  # on dialysis; the severe band without dialysis warns (see _check_kidney_failure)
    ("S14", "S15", "S22", "S111"),
    _check_kidney_failure,
    settings=("oral.dialysis_start_mg_per_day",),
    conditions=("baclofen.oral.above_dialysis_dose",),
)
KIDNEY_MODERATE: Rule[RiskContext] = Rule(
    "RISK-KIDNEY-002", "Oral dose above 20 mg/day in CKD", Severity.WARN, ("S23",), _check_kidney_ckd
)

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
#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = RISK_RULES

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


def risk_setting_values(overrides: Mapping[str, Any] | None) -> SettingValues:
    """The risk settings (:data:`RISK_SETTINGS`) with a caller's overrides by name, validated (a count of days or
    doses must be a whole number; an unknown name is refused)."""
    return SettingValues(RISK_SETTINGS.values(), overrides, field="setting")


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
    risks: list[Risk] = []
    for rule in RISK_RULES:
        for finding in rule.evaluate(ctx):
            level = RiskLevel(finding.data["level"])
            diary = finding.rule_id in _ALERT_RULES
            message = ""
            if finding.rule_id in (DIARY_EMERGENCY.rule_id, DIARY_WITHDRAWAL.rule_id) or (
                finding.rule_id == DIARY_UNRECOGNISED.rule_id and finding.data["unrecognised"]
            ):
                message = PATIENT_MESSAGE_RED_FLAG + (PATIENT_MESSAGE_PUMP if timeline.pump is not None else "")
            elif finding.rule_id == DIARY_OVERDOSE.rule_id:
                message = PATIENT_MESSAGE_OVERDOSE
            risks.append(Risk(level, finding, alert_clinic=diary or level is RiskLevel.HIGH, patient_message=message))
    risks.sort(key=lambda r: (r.level.rank, r.finding.rule_id))
    risks[:0] = _scope_risks(timeline)  # an out-of-scope patient: said first
    # Every risk setting is reported (a rule that did not fire still looked at its threshold), in catalogue order.
    used = tuple(SettingUse(s, values.get(s)) for s in RISK_SETTINGS.values())
    return RiskAssessment(timeline.as_of, tuple(risks), pump, oral_today, used)


def overdue_refill(assessment: RiskAssessment) -> bool:
    """True when the assessment holds a high refill-overdue, low-reservoir or empty-reservoir risk."""
    return any(
        r.level is RiskLevel.HIGH
        and r.finding.rule_id in (REFILL_OVERDUE.rule_id, RESERVOIR_LOW.rule_id, RESERVOIR_EMPTY.rule_id)
        for r in assessment.risks
    )


__all__ = [
    "ALL_RISK_RULES",
    "DEFINED_RULES",
    "ITB_MAX_CUT_PERCENT",
    "LOOKBACK_DAYS",
    "MISSED_DOSES_MODERATE",
    "PATIENT_MESSAGE_RED_FLAG",
    "REFILL_NEAR_DAYS",
    "RISK_RULES",
    "RISK_SETTINGS",
    "ItbCut",
    "ProgramStep",
    "PumpAnalysis",
    "Risk",
    "RiskAssessment",
    "RiskLevel",
    "analyse_pump",
    "assess_risk",
    "overdue_refill",
    "program_steps",
    "risk_setting_values",
]
