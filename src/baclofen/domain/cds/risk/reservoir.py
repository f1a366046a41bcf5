"""RISK-RESERVOIR-*: a low reservoir or one empty by the program, by the pump forecast's own decision
(:func:`baclofen.domain.rules.itb.reservoir_state`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from baclofen.domain.cds.risk.context import RiskContext, RiskLevel, risk_finding
from baclofen.domain.cds.risk.pump import PumpAnalysis
from baclofen.domain.itb.dates import as_pump_clock
from baclofen.domain.rules.core import Finding, Rule
from baclofen.domain.rules.itb import RESERVOIR_STATE_SEVERITY, ReservoirState, reservoir_state
from baclofen.domain.signs import ITB_WITHDRAWAL


def pump_reservoir_state(p: PumpAnalysis | None, as_of: datetime) -> ReservoirState | None:
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
    if data is None or p is None or pump_reservoir_state(p, ctx.as_of) is not ReservoirState.EMPTY:
        return None
    since = p.empty_at.date().isoformat() if p.empty_at else "unknown"
    return risk_finding(
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
    if (
        data is None
        or p is None
        or p.remaining_ml is None
        or pump_reservoir_state(p, ctx.as_of) is not ReservoirState.LOW
    ):
        return None
    return risk_finding(
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


# One condition, one severity: the pump forecast's PUMP-REFILL-003 / -002 (RESERVOIR_STATE_SEVERITY,
# rules/itb/forecast.py).
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


#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (RESERVOIR_LOW, RESERVOIR_EMPTY)
