"""Reservoir forecast, refill timing and battery rules: ``PUMP-FCST-*`` the forecast itself, ``PUMP-REFILL-001..003``
an overdue refill, a low or empty reservoir, ``PUMP-BATT-*`` battery and service life, ``PUMP-MRI-001`` a Prometra
and MRI.

:func:`reservoir_state` and the Prometra MRI decision are shared with the risk engine (:mod:`baclofen.domain.cds.risk`):
one condition, one severity. The context is built by :mod:`baclofen.domain.itb.reservoir`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from types import MappingProxyType
from typing import Any

from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.rules.itb._common import fmt, with_signs
from baclofen.domain.signs import ITB_OVERDOSE, ITB_WITHDRAWAL

__all__ = [
    "BATT_BEFORE_REFILL",
    "BATT_DUE",
    "BATT_PAST",
    "DEFINED_RULES",
    "FCST_BEFORE_ALARM",
    "FCST_MARGIN_SHORTENED",
    "FCST_OVER_INFUSION",
    "FCST_STABILITY",
    "FCST_TOO_SHORT",
    "FORECAST_RULES",
    "ForecastContext",
    "MRI_PROMETRA",
    "PROMETRA_MRI_ACTION",
    "PROMETRA_MRI_EVIDENCE",
    "PROMETRA_MRI_REASONING",
    "REFILL_EMPTY",
    "REFILL_LOW",
    "REFILL_OVERDUE",
    "RESERVOIR_STATE_SEVERITY",
    "ReservoirState",
    "prometra_mri_with_drug",
    "reservoir_state",
]


@dataclass(frozen=True, slots=True)
class ForecastContext:
    pump_name: str
    low_reservoir_is_audible_alarm: bool
    filled_date: date
    low_reservoir_ml: float
    margin_days: int
    alarm_date: date
    empty_date: date
    recommended_refill_date: date | None  # None: refill not possible at this dose and volume (PUMP-FCST-003)
    stability_limit_date: date
    max_refill_interval_days: int
    limited_by_stability: bool
    volume_at_recommended_refill_ml: float | None
    replacement_date: date | None
    shutoff_date: date | None
    as_of: date | None
    remaining_ml_at_as_of: float | None
    daily_volume_ml: float | None = None
    volume_ml: float | None = None
    observed_rate_factor: float | None = None
    observed_alarm_date: date | None = None
    programmed_refill_date: date | None = None
    flow_accuracy_percent: float | None = None
    flow_accuracy_setting: str = ""
    flow_accuracy_status: str = ""
    over_infusion_alarm_date: date | None = None
    observed_empty_date: date | None = None
    observed_remaining_ml_at_as_of: float | None = None
    shutoff_reason: str = ""
    is_prometra: bool = False
    mri_date: date | None = None
    limited_by_shutoff: bool = False  # the pump's end of service comes before the reservoir's refill date
    margin_shortened: bool = False  # the margin could not be kept: the day after the fill (PUMP-FCST-005)

    @property
    def governing_alarm_date(self) -> date:
        """The alarm date the refill date is counted back from: the observed-rate one when earlier."""
        if self.observed_alarm_date is not None and self.observed_alarm_date < self.alarm_date:
            return self.observed_alarm_date
        return self.alarm_date

    @property
    def governing_empty_date(self) -> date:
        """The empty date "today" findings use: the observed-rate one when earlier."""
        if self.observed_empty_date is not None and self.observed_empty_date < self.empty_date:
            return self.observed_empty_date
        return self.empty_date

    @property
    def governing_remaining_ml(self) -> float | None:
        """Volume left at ``as_of``: at the observed rate when it is known (it is never more)."""
        if self.observed_remaining_ml_at_as_of is not None:
            return self.observed_remaining_ml_at_as_of
        return self.remaining_ml_at_as_of

    def _dated(self, observed: date, programmed: date) -> str:
        """``observed`` with the rate it comes from, and the programmed-rate date when they differ."""
        if observed < programmed:
            return (
                f"{observed.isoformat()} at the observed delivery rate (x {fmt(self.observed_rate_factor or 1.0, 4)}; "
                f"{programmed.isoformat()} at the programmed rate)"
            )
        return f"{programmed.isoformat()} at the programmed rate"

    @property
    def alarm_text(self) -> str:
        return self._dated(self.governing_alarm_date, self.alarm_date)

    @property
    def empty_text(self) -> str:
        return self._dated(self.governing_empty_date, self.empty_date)

    @property
    def past_shutoff(self) -> bool:
        """The fill date, or today, is on or after the planned shut-off (the pump may have stopped)."""
        if self.shutoff_date is None:
            return False
        return self.filled_date >= self.shutoff_date or (self.as_of is not None and self.as_of >= self.shutoff_date)

    def today_data(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "remaining_ml": self.governing_remaining_ml,
            "remaining_ml_at_programmed_rate": self.remaining_ml_at_as_of,
            "alarm_date": self.governing_alarm_date,
            "alarm_date_at_programmed_rate": self.alarm_date,
            "empty_date": self.governing_empty_date,
            "empty_date_at_programmed_rate": self.empty_date,
            "observed_rate_factor": self.observed_rate_factor,
        }


def _threshold_name(ctx: ForecastContext) -> str:
    return "low-reservoir alarm" if ctx.low_reservoir_is_audible_alarm else "programmer refill threshold"


def _fcst_reasoning(ctx: ForecastContext) -> Finding | None:
    if ctx.recommended_refill_date is None or ctx.volume_at_recommended_refill_ml is None:
        return None  # PUMP-FCST-003
    if ctx.governing_alarm_date < ctx.alarm_date:
        when = (
            f"the {_threshold_name(ctx)} ({fmt(ctx.low_reservoir_ml)} mL left) at the observed delivery rate "
            f"(x {fmt(ctx.observed_rate_factor or 1.0, 4)}) on {ctx.governing_alarm_date.isoformat()} (at the "
            f"programmed rate: {ctx.alarm_date.isoformat()})"
        )
    else:
        when = (
            f"the computed {_threshold_name(ctx)} ({fmt(ctx.low_reservoir_ml)} mL left) on {ctx.alarm_date.isoformat()}"
        )
    shortened = ctx.limited_by_shutoff or ctx.margin_shortened
    days = (ctx.governing_alarm_date - ctx.recommended_refill_date).days if shortened else ctx.margin_days
    return FCST_BEFORE_ALARM.finding(
        f"Refill by {ctx.recommended_refill_date.isoformat()}: {days} day(s) before {when}; "
        f"about {fmt(ctx.volume_at_recommended_refill_ml)} mL would remain.",
        reasoning=(
            "The low-reservoir alarm is calculated from the programmed rate, not measured: an over-infusing "
            "pump can empty early without it (S60). 24 % of patients had withdrawal symptoms while 2.1-3.8 "
            "mL remained (Neurosurgery2004). So the refill date is set before the alarm, never at it."
        ),
        data={
            "recommended_refill_date": ctx.recommended_refill_date,
            "alarm_date": ctx.alarm_date,
            "observed_alarm_date": ctx.observed_alarm_date,
            "margin_days": ctx.margin_days,
            "volume_at_recommended_refill_ml": ctx.volume_at_recommended_refill_ml,
        },
    )


FCST_BEFORE_ALARM = Rule(
    rule_id="PUMP-FCST-001",
    title="Refill date before the computed alarm",
    severity=Severity.INFO,
    evidence=("S60", "Neurosurgery2004"),
    check=_fcst_reasoning,
)


def _fcst_stability(ctx: ForecastContext) -> Finding | None:
    if not ctx.limited_by_stability:
        return None
    return FCST_STABILITY.finding(
        f"The refill date is set by drug stability: {ctx.max_refill_interval_days} days after filling "
        f"({ctx.stability_limit_date.isoformat()}), before the volume runs low.",
        reasoning="Maximum in-pump time for baclofen: 180 days (PARTLY VERIFIED, setting "
        "pump.max_refill_interval_days).",
        data={"stability_limit_date": ctx.stability_limit_date},
    )


FCST_STABILITY = Rule(
    rule_id="PUMP-FCST-002",
    title="Refill limited by drug stability",
    severity=Severity.INFO,
    evidence=("Stability2023", "S65"),
    check=_fcst_stability,
)


def _fcst_too_short(ctx: ForecastContext) -> Finding | None:
    if ctx.recommended_refill_date is not None:
        return None
    observed = " at the observed delivery rate" if ctx.governing_alarm_date < ctx.alarm_date else ""
    days = (ctx.governing_alarm_date - ctx.filled_date).days
    rate = f" ({fmt(ctx.daily_volume_ml, 4)} mL/day)" if ctx.daily_volume_ml is not None else ""
    return FCST_TOO_SHORT.finding(
        f"Refill not possible at this dose and volume: this fill reaches the {_threshold_name(ctx)}{observed} on "
        f"{ctx.governing_alarm_date.isoformat()}, {days} day(s) after the fill date {ctx.filled_date.isoformat()}; "
        "no refill date after the fill is before the alarm.",
        reasoning=(
            f"The program{rate} empties the reservoir down to the {fmt(ctx.low_reservoir_ml)} mL threshold by the "
            "day after the fill. The refill must come before the computed alarm: the alarm is calculated from the "
            "programmed rate, not measured (S60), and 24 % of patients had withdrawal symptoms while 2.1-3.8 mL "
            "remained (Neurosurgery2004). The rate in mL/day is the dose divided by the concentration: reservoirs "
            "hold 20 or 40 mL (S58, S67) and baclofen is available at 500, 1000 and 2000 mcg/mL (S34, S36)."
        ),
        data={
            "alarm_date": ctx.governing_alarm_date,
            "filled_date": ctx.filled_date,
            "margin_days": ctx.margin_days,
            "daily_volume_ml": ctx.daily_volume_ml,
            "refill_possible": False,
        },
        action=_REPLAN_ACTION,
    )


_REPLAN_ACTION = (
    "Do not rely on this fill: re-plan before filling. Use a higher concentration (up to 2000 mcg/mL) or a larger "
    "reservoir (fill volume) so that the fill outlasts the margin, or review whether this daily dose is intended "
    "(a 1000x or unit slip?). Until then keep intrathecal delivery uninterrupted."
)

FCST_TOO_SHORT = Rule(
    rule_id="PUMP-FCST-003",
    title="Refill not possible at this dose and volume: no date after the fill is before the alarm",
    severity=Severity.BLOCK,
    evidence=("S60", "Neurosurgery2004", "S58", "S67", "S34", "S36"),
    check=_fcst_too_short,
    settings=("pump.synchromed_ii.low_reservoir_alarm_ml", "pump.prometra_ii.refill_threshold_ml"),
)


def _fcst_margin_shortened(ctx: ForecastContext) -> Finding | None:
    if not ctx.margin_shortened or ctx.recommended_refill_date is None:
        return None
    before = (ctx.governing_alarm_date - ctx.recommended_refill_date).days
    observed = " at the observed delivery rate" if ctx.governing_alarm_date < ctx.alarm_date else ""
    rate = f" ({fmt(ctx.daily_volume_ml, 4)} mL/day)" if ctx.daily_volume_ml is not None else ""
    return FCST_MARGIN_SHORTENED.finding(
        f"Refill margin not kept: this fill reaches the {_threshold_name(ctx)}{observed} on "
        f"{ctx.governing_alarm_date.isoformat()}, {(ctx.governing_alarm_date - ctx.filled_date).days} day(s) after "
        f"the fill; the refill date is the day after the fill, {ctx.recommended_refill_date.isoformat()}, only "
        f"{before} day(s) before the alarm instead of the {ctx.margin_days}-day margin (setting "
        "pump.refill_margin_days).",
        reasoning=(
            f"The program{rate} leaves less time before the computed alarm than the clinic's scheduling margin. "
            "The refill is still strictly before the alarm, which is the sourced rule (S60); the margin itself "
            "is a project ASSUMPTION (no source gives a number), so falling short of it is a warning, not a block. "
            "The alarm is calculated from the programmed rate, not measured (S60), and 24 % of patients had "
            "withdrawal symptoms while 2.1-3.8 mL remained (Neurosurgery2004)."
        ),
        data={
            "recommended_refill_date": ctx.recommended_refill_date,
            "alarm_date": ctx.governing_alarm_date,
            "filled_date": ctx.filled_date,
            "margin_days": ctx.margin_days,
            "days_before_alarm": before,
            "daily_volume_ml": ctx.daily_volume_ml,
        },
        action=(
            "Refill no later than the date given. To keep the margin, use a higher concentration (up to 2000 "
            "mcg/mL) or a larger fill volume, or review whether this daily dose is intended (a 1000x or unit slip?)."
        ),
    )


FCST_MARGIN_SHORTENED = Rule(
    rule_id="PUMP-FCST-005",
    title="Refill margin not kept: the refill date is closer to the alarm than the configured margin",
    severity=Severity.WARN,
    evidence=("S60", "Neurosurgery2004"),
    check=_fcst_margin_shortened,
    settings=("pump.refill_margin_days",),
)


def _fcst_over_infusion(ctx: ForecastContext) -> Finding | None:
    if (
        ctx.over_infusion_alarm_date is None
        or ctx.flow_accuracy_percent is None
        or ctx.recommended_refill_date is None
        or ctx.over_infusion_alarm_date > ctx.recommended_refill_date
    ):
        return None
    factor = 1 + ctx.flow_accuracy_percent / 100.0
    status = ctx.flow_accuracy_status.upper() or "UNCONFIRMED"
    daily, volume = ctx.daily_volume_ml, ctx.volume_ml
    if daily is not None and volume is not None:
        rate = (
            f"at {fmt(daily, 4)} mL/day x {fmt(factor, 4)} = {fmt(daily * factor, 4)} mL/day, after "
            f"({fmt(volume)} - {fmt(ctx.low_reservoir_ml)}) mL / {fmt(daily * factor, 4)} mL/day = about "
            f"{fmt((volume - ctx.low_reservoir_ml) / (daily * factor), 1)} days (a flex program is integrated "
            "step by step)"
        )
    else:
        rate = f"at the programmed rate x {fmt(factor, 4)}"
    same = "on" if ctx.over_infusion_alarm_date == ctx.recommended_refill_date else "before"
    return FCST_OVER_INFUSION.finding(
        f"If the pump over-infuses by {fmt(ctx.flow_accuracy_percent, 1)} % (flow-accuracy spec, {status}), the "
        f"{_threshold_name(ctx)} comes on {ctx.over_infusion_alarm_date.isoformat()}, {same} the recommended "
        f"refill date {ctx.recommended_refill_date.isoformat()}: consider a shorter interval.",
        reasoning=(
            f"Over-infusing by {fmt(ctx.flow_accuracy_percent, 1)} %, the pump reaches the "
            f"{fmt(ctx.low_reservoir_ml)} mL {_threshold_name(ctx)} {rate} from the fill of "
            f"{ctx.filled_date.isoformat()}: {ctx.over_infusion_alarm_date.isoformat()}, instead of "
            f"{ctx.alarm_text}. "
            f"The {fmt(ctx.flow_accuracy_percent, 1)} % figure is {status} (setting "
            f"{ctx.flow_accuracy_setting or 'flow accuracy'}); clinically the pumps delivered on average +1 % "
            "to +2.5 % more than programmed (S62). The alarm is computed from the programmed rate, so an "
            "over-infusing pump empties before it sounds (S60)."
        ),
        data={
            "over_infusion_alarm_date": ctx.over_infusion_alarm_date,
            "recommended_refill_date": ctx.recommended_refill_date,
            "alarm_date": ctx.governing_alarm_date,
            "alarm_date_at_programmed_rate": ctx.alarm_date,
            "flow_accuracy_percent": ctx.flow_accuracy_percent,
            "flow_accuracy_status": ctx.flow_accuracy_status,
        },
    )


FCST_OVER_INFUSION = Rule(
    rule_id="PUMP-FCST-004",
    title="Alarm at the flow-accuracy limit on or before the refill date",
    severity=Severity.INFO,
    evidence=("S62", "S60"),
    check=_fcst_over_infusion,
)


def _refill_overdue(ctx: ForecastContext) -> Finding | None:
    # with no possible refill date (PUMP-FCST-003) the refill was due at the fill itself
    due = ctx.recommended_refill_date or ctx.filled_date
    if ctx.as_of is None or not due < ctx.as_of < ctx.governing_alarm_date:
        return None
    by = (
        f"recommended by {due.isoformat()}"
        if ctx.recommended_refill_date is not None
        else f"no refill date after the fill {due.isoformat()} was possible (PUMP-FCST-003)"
    )
    return REFILL_OVERDUE.finding(
        f"Refill overdue: {by}; the computed {_threshold_name(ctx)} comes on {ctx.alarm_text}.",
        reasoning="Late refills cause intrathecal baclofen withdrawal; the computed alarm cannot be relied on (S60).",
        data=ctx.today_data(),
        **with_signs(ITB_WITHDRAWAL),
    )


REFILL_OVERDUE = Rule(
    rule_id="PUMP-REFILL-001",
    title="Refill overdue",
    severity=Severity.WARN,
    evidence=("S118", "S60"),
    check=_refill_overdue,
)


class ReservoirState(Enum):
    """The reservoir condition "today": at or below the low-reservoir threshold, or empty."""

    LOW = "low"
    EMPTY = "empty"


#: One condition, one severity (issue 9 item 10), for ``PUMP-REFILL-002/003`` and ``RISK-RESERVOIR-001/002``.
#: Low reservoir: the manufacturer's **non-critical** single-tone alarm (refill soon) [S56] [MedtronicAlarms];
#: the pump still delivers, but withdrawal was seen with 2.1-3.8 mL left [Neurosurgery2004] and the computed
#: alarm may lag an over-infusing pump [S60]: a warn (high risk), not a block. Empty: the drug "is no longer
#: flowing", the **critical** two-tone alarm, call immediately [S56] [S99] [MedtronicAlarms]; abrupt interruption
#: carries the boxed warning [S118] and can progress over 24-72 h to death [S69]: a block.
RESERVOIR_STATE_SEVERITY = MappingProxyType({ReservoirState.LOW: Severity.WARN, ReservoirState.EMPTY: Severity.BLOCK})


def reservoir_state(at: Any, low_at: Any, empty_at: Any) -> ReservoirState | None:
    """The reservoir condition at ``at``: the one decision both the pump forecast and the risk engine use.

    ``low_at`` / ``empty_at`` are when the governing delivery rate reaches the low-reservoir threshold and the
    residual (dates for the day-based forecast, pump-clock date-times for the risk engine; None: never within
    the forecast). On or after ``empty_at``: EMPTY; on or after ``low_at``: LOW; before: None.

    >>> reservoir_state(date(2026, 2, 6), date(2026, 2, 6), date(2026, 2, 10))
    <ReservoirState.LOW: 'low'>
    """
    if empty_at is not None and at >= empty_at:
        return ReservoirState.EMPTY
    if low_at is not None and at >= low_at:
        return ReservoirState.LOW
    return None


def _forecast_reservoir_state(ctx: ForecastContext) -> ReservoirState | None:
    if ctx.as_of is None:
        return None
    return reservoir_state(ctx.as_of, ctx.governing_alarm_date, ctx.governing_empty_date)


def _refill_low(ctx: ForecastContext) -> Finding | None:
    if _forecast_reservoir_state(ctx) is not ReservoirState.LOW:
        return None
    return REFILL_LOW.finding(
        f"The reservoir has reached the {_threshold_name(ctx)} ({fmt(ctx.low_reservoir_ml)} mL) on "
        f"{ctx.alarm_text}: empty on {ctx.empty_text}. Refill now.",
        reasoning=(
            "Withdrawal symptoms were seen with 2.1-3.8 mL still in the reservoir (Neurosurgery2004); an "
            "over-infusing pump may already be empty (S60)."
        ),
        data=ctx.today_data(),
        **with_signs(ITB_WITHDRAWAL),
    )


REFILL_LOW = Rule(
    rule_id="PUMP-REFILL-002",
    title="Low reservoir reached",
    severity=RESERVOIR_STATE_SEVERITY[ReservoirState.LOW],
    evidence=("Neurosurgery2004", "S60", "S118", "S56", "MedtronicAlarms"),
    check=_refill_low,
    settings=("pump.synchromed_ii.low_reservoir_alarm_ml", "pump.prometra_ii.refill_threshold_ml"),
    conditions=("pump.reservoir.low",),
)


def _refill_empty(ctx: ForecastContext) -> Finding | None:
    if _forecast_reservoir_state(ctx) is not ReservoirState.EMPTY:
        return None
    return REFILL_EMPTY.finding(
        f"The reservoir is empty since {ctx.empty_text}: intrathecal delivery has stopped.",
        reasoning=(
            "An empty reservoir interrupts intrathecal baclofen: withdrawal can progress over 24-72 h to "
            "rhabdomyolysis, organ failure and death (S69, S118). Running a pump with an empty reservoir is "
            "also an over-infusion risk factor (S61)."
        ),
        data=ctx.today_data(),
        **with_signs(ITB_WITHDRAWAL),
    )


REFILL_EMPTY = Rule(
    rule_id="PUMP-REFILL-003",
    title="Reservoir empty",
    severity=RESERVOIR_STATE_SEVERITY[ReservoirState.EMPTY],
    evidence=("S118", "S69", "S61", "S56", "S99", "MedtronicAlarms"),
    check=_refill_empty,
    settings=("pump.synchromed_ii.residual_volume_ml", "pump.prometra_ii.residual_volume_ml"),
    conditions=("pump.reservoir.empty",),
)


def _batt_due(ctx: ForecastContext) -> Finding | None:
    if ctx.replacement_date is None:
        return None
    before_refill = ctx.replacement_date <= (ctx.recommended_refill_date or ctx.governing_alarm_date)
    due_now = ctx.as_of is not None and ctx.replacement_date <= ctx.as_of
    if ctx.past_shutoff or not (before_refill or due_now):
        return None
    stop = f"; service ends by {ctx.shutoff_date.isoformat()}" if ctx.shutoff_date else ""
    return BATT_DUE.finding(
        f"Pump replacement due {ctx.replacement_date.isoformat()}{stop}"
        + (" (before the next refill)." if before_refill and not due_now else "."),
        reasoning=(
            "Schedule replacement about 6 months before automatic shut-off; after the elective-replacement "
            "indicator a SynchroMed II stops within 90 days (S55). End of pump life interrupts delivery "
            "(S69)."
        ),
        data={"replacement_date": ctx.replacement_date, "shutoff_date": ctx.shutoff_date},
        **with_signs(ITB_WITHDRAWAL),
    )


BATT_DUE = Rule(
    rule_id="PUMP-BATT-001",
    title="Pump replacement due",
    severity=Severity.WARN,
    evidence=("S55", "S69"),
    check=_batt_due,
)


def _batt_past(ctx: ForecastContext) -> Finding | None:
    if not ctx.past_shutoff or ctx.shutoff_date is None:
        return None
    basis = f"; {ctx.shutoff_reason}" if ctx.shutoff_reason else ""
    if ctx.filled_date >= ctx.shutoff_date:
        message = (
            f"Filled on {ctx.filled_date.isoformat()}, on or after the pump's end of service "
            f"({ctx.shutoff_date.isoformat()}{basis}): the pump may already have stopped; this fill cannot be "
            "relied on."
        )
    else:
        message = f"The pump is past its end of service ({ctx.shutoff_date.isoformat()}{basis}): it may have stopped."
    return BATT_PAST.finding(
        message,
        reasoning=(
            "A pump at end of service stops delivering (S55); interruption causes withdrawal (S118). With a "
            "device-reported ERI date the pump stops 90 days after it (S55); only without one is the shut-off "
            "taken from the implant date and the planning service life (a DISAGREE setting, S55 vs S69): record "
            "the ERI status read from the pump."
        ),
        data={"shutoff_date": ctx.shutoff_date, "as_of": ctx.as_of, "filled_date": ctx.filled_date},
        **with_signs(ITB_WITHDRAWAL),
    )


BATT_PAST = Rule(
    rule_id="PUMP-BATT-002",
    title="Pump past end of service",
    severity=Severity.BLOCK,
    evidence=("S55", "S118"),
    check=_batt_past,
    settings=("pump.synchromed_ii.planning_service_life_years", "pump.prometra_ii.planning_service_life_years"),
    conditions=("pump.battery.past_end_of_service",),
)

# --- Prometra and MRI (clinical.md §5.7) ----------------------------------------------------------------------

#: The one decision and texts for ``PUMP-MRI-001`` (pump forecast) and ``RISK-MRI-001`` (risk engine).
PROMETRA_MRI_EVIDENCE = ("S66", "PrometraIFU", "S100b")
PROMETRA_MRI_REASONING = (
    'Prometra: "Failure to empty the pump prior to exposure to MRI environment could result in drug overdose" '
    "(S66). Its flow-activated valve closes in a strong magnetic field and must be reset after the scan "
    "(PrometraIFU, p.14). The Prometra (I) was reclassified MR Unsafe in the EU in 2019 (S100b)."
)
PROMETRA_MRI_ACTION = (
    "Before the MRI: empty the pump reservoir (aspirate the drug) and bridge the patient against withdrawal. "
    "After the scan: reset and verify the flow-activated valve with the programmer, then refill and reprogram. "
    "Check the model's MR conditions first (Prometra I: MR Unsafe in the EU). Watch for overdose signs."
)


def prometra_mri_with_drug(is_prometra: bool, mri: Any, filled: Any) -> bool:
    """True when an MRI falls at or after the current fill of a Prometra pump (drug in the reservoir).

    ``mri`` and ``filled`` are dates (forecast) or date-times (risk engine). An MRI before the fill is followed
    by that fill, so it is not this fill's hazard.
    """
    return is_prometra and mri is not None and mri >= filled


def _mri_prometra(ctx: ForecastContext) -> Finding | None:
    if not prometra_mri_with_drug(ctx.is_prometra, ctx.mri_date, ctx.filled_date):
        return None
    assert ctx.mri_date is not None
    return MRI_PROMETRA.finding(
        f"MRI on {ctx.mri_date.isoformat()} during this {ctx.pump_name} fill (filled "
        f"{ctx.filled_date.isoformat()}): the pump must be emptied before the scan and its flow valve reset "
        "after it, or the patient risks an overdose.",
        reasoning=PROMETRA_MRI_REASONING,
        data={"mri_date": ctx.mri_date, "filled_date": ctx.filled_date},
        signs=ITB_OVERDOSE.signs,
        evidence=ITB_OVERDOSE.evidence,
        action=PROMETRA_MRI_ACTION,
    )


MRI_PROMETRA = Rule(
    rule_id="PUMP-MRI-001",
    title="Prometra pump with drug in it at an MRI",
    severity=Severity.BLOCK,
    evidence=PROMETRA_MRI_EVIDENCE,
    check=_mri_prometra,
    settings=(),
)


def _batt_before_refill(ctx: ForecastContext) -> Finding | None:
    if not ctx.limited_by_shutoff or ctx.past_shutoff or ctx.shutoff_date is None:
        return None
    refill = ctx.recommended_refill_date.isoformat() if ctx.recommended_refill_date else "none possible"
    return BATT_BEFORE_REFILL.finding(
        f"The reservoir outlasts the pump: its planned end of service {ctx.shutoff_date.isoformat()} comes "
        f"before the refill the reservoir needs (low-reservoir alarm {ctx.governing_alarm_date.isoformat()}). "
        f"The shut-off is the limiting date: replace the pump before {ctx.shutoff_date.isoformat()}; refill by "
        f"{refill} at the latest.",
        reasoning=(
            "A pump at end of service stops delivering (S55); the interruption causes withdrawal, which can "
            "progress over 24-72 h to rhabdomyolysis, organ failure and death (S118, S69). A refill date after "
            "the shut-off would never be reached with the pump running."
        ),
        data={
            "shutoff_date": ctx.shutoff_date,
            "limiting_date": ctx.shutoff_date,
            "recommended_refill_date": ctx.recommended_refill_date,
            "alarm_date": ctx.governing_alarm_date,
            "requires_acknowledgement": True,
        },
        **with_signs(ITB_WITHDRAWAL),
    )


BATT_BEFORE_REFILL = Rule(
    rule_id="PUMP-BATT-003",
    title="Pump end of service before the reservoir's refill date",
    severity=Severity.BLOCK,
    evidence=("S55", "S118", "S69"),
    check=_batt_before_refill,
    settings=("pump.synchromed_ii.planning_service_life_years", "pump.prometra_ii.planning_service_life_years"),
)

FORECAST_RULES = (
    BATT_BEFORE_REFILL,
    MRI_PROMETRA,
    FCST_TOO_SHORT,
    FCST_MARGIN_SHORTENED,
    REFILL_EMPTY,
    REFILL_LOW,
    BATT_PAST,
    REFILL_OVERDUE,
    BATT_DUE,
    FCST_BEFORE_ALARM,
    FCST_STABILITY,
    FCST_OVER_INFUSION,
)

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = FORECAST_RULES
