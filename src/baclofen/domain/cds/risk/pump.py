"""The pump analysis the pump rules read (reservoir state, refill dates, battery, residual reconciliation), computed
with the ITB domain (:mod:`baclofen.domain.itb`), never re-implemented here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from baclofen.domain.cds.risk.context import EPS
from baclofen.domain.cds.risk.settings import risk_setting_values
from baclofen.domain.cds.timeline import PumpRecord, RefillVisit
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.dates import as_pump_clock
from baclofen.domain.itb.pumps import MAX_REFILL_INTERVAL_DAYS
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
    follow_program_changes,
    forecast_battery,
    forecast_reservoir,
)
from baclofen.domain.settings import SettingValues


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


def _fill(pump: PumpRecord, visit: RefillVisit, index: int) -> ReservoirFill:
    try:
        return ReservoirFill(
            pump.model, visit.volume_ml, visit.concentration_mcg_per_ml, visit.program, as_pump_clock(visit.time)
        )
    except InvalidInputError as exc:
        raise InvalidInputError(f"pump.refills[{index}].{exc.field}", exc.expected, exc.actual) from None


def _chain(pump: PumpRecord, index: int, until: datetime) -> tuple[ReservoirFill, datetime | None]:
    """The fill segment delivering at ``until`` after refill ``index`` and program changes; and when stopped
    (:func:`follow_program_changes`, the computation the patient summary's forecast shares)."""
    visit = pump.refills[index]
    changes = [c for c in pump.program_changes if visit.time < c.time <= until]
    seg = follow_program_changes(_fill(pump, visit, index), [(as_pump_clock(c.time), c.program) for c in changes])
    return seg.fill, None if seg.stopped_by is None else changes[seg.stopped_by].time


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
    recs = _reconcile_refills(pump, reasoning)
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
    remaining = seg.remaining_ml(now) if stopped_at is None else seg.volume_ml
    changes = [c for c in pump.program_changes if visit.time < c.time <= as_of]
    daily = changes[-1].daily_dose_mcg if changes else visit.program.daily_dose_mcg
    outlook = _reservoir_outlook(
        _CurrentFill(visit, seg, stopped_at, remaining),
        low_reservoir_ml=low,
        margin_days=margin,
        max_refill_interval_days=max_days,
    )
    reasoning.extend(outlook.reasoning)
    return PumpAnalysis(
        visit,
        index,
        daily,
        stopped_at,
        remaining,
        seg.residual_ml,
        low,
        outlook.alarm_at,
        outlook.empty_at,
        outlook.recommended_refill_date,
        outlook.stability_limit_date,
        battery,
        tuple(recs),
        trend,
        tuple(reasoning),
    )


def _reconcile_refills(pump: PumpRecord, reasoning: list[str]) -> list[tuple[int, RefillReconciliation]]:
    """The residual reconciliation of each refill with an aspirated volume (by its index), the expected residual
    computed from the previous fill when the visit does not give it (said in ``reasoning``)."""
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
    return recs


@dataclass(frozen=True, slots=True)
class _CurrentFill:
    """The last refill and the fill segment delivering at ``as_of`` (after program changes), with when the pump was
    stopped and what is left in it."""

    visit: RefillVisit
    segment: ReservoirFill
    stopped_at: datetime | None
    remaining_ml: float


@dataclass(frozen=True, slots=True)
class _ReservoirOutlook:
    """When the current fill reaches the low-reservoir alarm and empties, and the refill dates that follow."""

    alarm_at: datetime | None
    empty_at: datetime | None
    recommended_refill_date: date
    stability_limit_date: date
    reasoning: tuple[str, ...]


def _reservoir_outlook(
    fill: _CurrentFill, *, low_reservoir_ml: float, margin_days: int, max_refill_interval_days: int
) -> _ReservoirOutlook:
    """The low-reservoir alarm, the empty time and the recommended refill date of the current fill: none for a
    stopped pump, the last program change for a reservoir already at the low mark, none within the forecast
    horizon for a tiny rate, else the ITB forecast; always capped by drug stability from the refill date."""
    seg, stopped_at, low, max_days = fill.segment, fill.stopped_at, low_reservoir_ml, max_refill_interval_days
    stability = fill.visit.time.date() + timedelta(days=max_days)
    reasoning: list[str] = []
    alarm_at = empty_at = None
    recommended = stability
    if stopped_at is not None:
        reasoning.append(f"pump stopped on {stopped_at.isoformat()}: {fill.remaining_ml:.2f} mL left, no delivery")
    elif seg.volume_ml <= low + EPS:
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
        fc = forecast_reservoir(seg, low_reservoir_ml=low, margin_days=margin_days, max_refill_interval_days=max_days)
        alarm_at, empty_at = fc.low_reservoir_alarm_at, fc.empty_at
        # no refill date when the segment does not outlast the margin: count back from the alarm as before
        due = fc.recommended_refill_date or fc.low_reservoir_alarm_date - timedelta(days=fc.margin_days)
        recommended = min(due, stability)
        reasoning.extend(fc.reasoning)
        if recommended < due:
            reasoning.append(
                f"drug stability: refill by {stability.isoformat()} ({max_days} days after the refill "
                f"of {fill.visit.time.date().isoformat()})"
            )
    return _ReservoirOutlook(alarm_at, empty_at, recommended, stability, tuple(reasoning))
