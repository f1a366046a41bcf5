"""RISK-BATTERY-*: the pump's replacement horizon, and a pump at its elective-replacement indicator or end of
service."""

from __future__ import annotations

from typing import Any

from baclofen.domain.cds.risk.context import RiskContext, RiskLevel, risk_finding
from baclofen.domain.itb.reservoir import BatteryForecast
from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.signs import ITB_WITHDRAWAL


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
        return risk_finding(
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
        return risk_finding(
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
        return risk_finding(
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
        return risk_finding(
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


#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (BATTERY_DUE, BATTERY_STOP)
