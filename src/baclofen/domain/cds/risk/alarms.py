"""RISK-ALARM-*: SynchroMed critical alarms since the last refill: a two-tone alarm (drug no longer flowing) and a
motor stall (critical over 48 h) (clinical.md §5.7)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from baclofen.domain.cds.risk.context import RiskContext, RiskLevel, risk_finding
from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.signs import ITB_WITHDRAWAL


def _since_last_refill(ctx: RiskContext, moment: datetime) -> bool:
    """At or after the current fill (or no fill on record): a later refill visit has dealt with it."""
    pump = ctx.timeline.pump
    return pump is None or not pump.refills or moment >= pump.refills[-1].time


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
    return risk_finding(
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
    return risk_finding(
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


#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (ALARM_TWO_TONE, ALARM_MOTOR_STALL)
