"""RISK-DISCREPANCY-*: residual shortfall (over-infusion) or excess (under-delivery) at the last refill and its
trend (:func:`baclofen.domain.itb.refill.assess_discrepancy_trend`)."""

from __future__ import annotations

from typing import Any

from baclofen.domain.cds.risk.context import RiskContext, RiskLevel, risk_finding
from baclofen.domain.itb.refill import RefillReconciliation
from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.signs import ITB_OVERDOSE, ITB_WITHDRAWAL


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
    return risk_finding(
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
    return risk_finding(
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


#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (DISCREPANCY_LESS, DISCREPANCY_MORE)
