"""RISK-REFILL-*: a refill overdue (high) or near (moderate), or no fill on record (the refill state unknown)."""

from __future__ import annotations

from datetime import date
from typing import Any

from baclofen.domain.cds.risk.context import RiskContext, RiskLevel, risk_finding
from baclofen.domain.cds.risk.reservoir import pump_reservoir_state
from baclofen.domain.cds.risk.settings import REFILL_NEAR_DAYS
from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.signs import ITB_WITHDRAWAL


def _refill_state(ctx: RiskContext) -> tuple[date, dict[str, Any]] | None:
    p = ctx.pump
    if p is None or p.recommended_refill_date is None or p.stopped_at is not None:
        return None
    if pump_reservoir_state(p, ctx.as_of) is not None:
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
    return risk_finding(
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
    return risk_finding(
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
    return risk_finding(
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


# --- patient-facing text of a missed refill (calendars, reminders) --------------------------------------------
REFILL_MISSED_WARNING = (
    "Do not miss this refill: if the pump runs empty, intrathecal baclofen stops, and abrupt withdrawal can be "
    "life-threatening (high fever, altered mental status, rebound spasticity, muscle rigidity). Call your clinic "
    "at once if you notice itching, fever, returning spasticity or the pump's alarm."
)
"""What a patient reads next to a refill appointment: why a late refill matters (RISK-REFILL-001: late refills
are a named cause of ITB withdrawal) and the early signs to act on (:data:`~baclofen.domain.signs.ITB_WITHDRAWAL`);
cited by :data:`REFILL_MISSED_WARNING_EVIDENCE`."""
REFILL_MISSED_WARNING_EVIDENCE: tuple[str, ...] = tuple(
    dict.fromkeys((*REFILL_OVERDUE.evidence, *ITB_WITHDRAWAL.evidence))
)
"""The sources of :data:`REFILL_MISSED_WARNING`: RISK-REFILL-001's and the ITB withdrawal signs'."""
# --- end of the missed-refill text ------------------------------------------------------------------------------

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (REFILL_OVERDUE, REFILL_NEAR, REFILL_UNKNOWN)
