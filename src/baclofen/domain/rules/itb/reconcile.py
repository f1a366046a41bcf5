"""Refill-visit reconciliation (``PUMP-RECON-*``): the aspirated residual against the expected one, the trend over
visits, and delivery over the last fill interval (over- and under-delivery).

The contexts are built by :mod:`baclofen.domain.itb.refill`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.rules.itb._common import exact, fmt, with_signs
from baclofen.domain.signs import ITB_OVERDOSE, ITB_WITHDRAWAL

__all__ = [
    "DEFINED_RULES",
    "DELIVERY_OVER",
    "DELIVERY_RULES",
    "DELIVERY_UNDER",
    "DeliveryContext",
    "RECONCILE_RULES",
    "RECON_EMPTY",
    "RECON_IMPOSSIBLE",
    "RECON_LESS",
    "RECON_MORE",
    "RECON_OK",
    "ReconcileContext",
    "TREND_LESS",
    "TREND_MORE",
    "TREND_RULES",
    "TrendContext",
]


@dataclass(frozen=True, slots=True)
class ReconcileContext:
    expected_ml: float
    aspirated_ml: float
    discrepancy_ml: float
    discrepancy_percent: float | None
    tolerance_percent: float
    tolerance_ml: float
    capacity_ml: float | None = None  # the pump's reservoir (or the largest in the catalogue)
    capacity_label: str = ""
    empty_ml: float = 0.0  # at or below this the reservoir is empty (the pump's undeliverable residual)
    previous_fill_ml: float | None = None

    @property
    def empty(self) -> bool:
        return self.aspirated_ml <= self.empty_ml

    @property
    def impossible(self) -> list[str]:
        """Why the aspirated volume cannot have come from the reservoir (empty when it can)."""
        out = []
        if self.previous_fill_ml is not None and exact(self.aspirated_ml) > exact(self.previous_fill_ml):
            out.append(f"more than the {fmt(self.previous_fill_ml)} mL put in at the previous fill")
        if self.capacity_ml is not None and exact(self.aspirated_ml) > exact(self.capacity_ml):
            out.append(f"more than the {fmt(self.capacity_ml)} mL the {self.capacity_label or 'reservoir'} holds")
        return out

    @property
    def beyond_tolerance(self) -> bool:
        """Beyond both tolerances, strictly, in exact decimal arithmetic (exactly 10 % is never flagged)."""
        expected = exact(self.expected_ml)
        difference = abs(exact(self.aspirated_ml) - expected)
        if difference <= exact(self.tolerance_ml):
            return False
        return expected == 0 or difference * 100 > exact(self.tolerance_percent) * expected


def _tolerance_text(ctx: ReconcileContext) -> str:
    return (
        f"beyond the tolerance of {fmt(ctx.tolerance_ml)} mL and {fmt(ctx.tolerance_percent, 1)} % of the "
        "expected residual (settings pump.reconcile.tolerance_ml and pump.reconcile.tolerance_percent, "
        "UNCONFIRMED)"
    )


def _pct(ctx: ReconcileContext) -> str:
    return "" if ctx.discrepancy_percent is None else f", {fmt(ctx.discrepancy_percent, 1)} %"


_OVER_INFUSION_CHECKS = (
    "Acknowledge and investigate before relying on the next refill date: repeat the aspiration, check the "
    "programmer log and the pump (contact the manufacturer), watch for overdose signs"
)


def _recon_less(ctx: ReconcileContext) -> Finding | None:
    if ctx.discrepancy_ml >= 0 or not ctx.beyond_tolerance:
        return None
    return RECON_LESS.finding(
        f"Aspirated {fmt(ctx.aspirated_ml)} mL, expected {fmt(ctx.expected_ml)} mL "
        f"({fmt(ctx.discrepancy_ml)} mL{_pct(ctx)}): possible over-infusion or pump fault.",
        reasoning=(
            "Medtronic: reservoir contents aspirated at refill that are less than expected may indicate that "
            "the pump has over-infused (S60); the shortfall is " + _tolerance_text(ctx) + ". Mean pump error "
            "in clinical use was +1 to +2.5 % per refill (S62)."
        ),
        data={
            "discrepancy_ml": ctx.discrepancy_ml,
            "discrepancy_percent": ctx.discrepancy_percent,
            "requires_acknowledgement": True,
        },
        signs=ITB_OVERDOSE.signs,
        action=_OVER_INFUSION_CHECKS + " and shorten the next interval. " + ITB_OVERDOSE.action,
        evidence=ITB_OVERDOSE.evidence,
    )


RECON_LESS = Rule(
    rule_id="PUMP-RECON-001",
    title="Less aspirated than expected: possible over-infusion",
    severity=Severity.WARN,
    evidence=("S60", "S61", "S62"),
    check=_recon_less,
)


def _recon_more(ctx: ReconcileContext) -> Finding | None:
    if ctx.discrepancy_ml <= 0 or not ctx.beyond_tolerance:
        return None
    return RECON_MORE.finding(
        f"Aspirated {fmt(ctx.aspirated_ml)} mL, expected {fmt(ctx.expected_ml)} mL "
        f"(+{fmt(ctx.discrepancy_ml)} mL{_pct(ctx)}): possible under-delivery, catheter problem, or "
        "aspiration from the pump pocket.",
        reasoning=(
            "More than expected left means less was delivered: pump stall, catheter occlusion, kink or "
            "migration (S61, S69), or the needle is in the pocket rather than the reservoir (pocket-fill "
            "hazard: 851 reports and 8 deaths 1996-2010, S71); the excess is " + _tolerance_text(ctx) + "."
        ),
        data={
            "discrepancy_ml": ctx.discrepancy_ml,
            "discrepancy_percent": ctx.discrepancy_percent,
            "requires_acknowledgement": True,
        },
        signs=ITB_WITHDRAWAL.signs,
        action=(
            "Acknowledge and investigate: confirm the needle is in the reservoir (ultrasound guidance is "
            "used at some centres) before injecting anything, check the catheter and the pump, watch for "
            "withdrawal. " + ITB_WITHDRAWAL.action
        ),
        evidence=ITB_WITHDRAWAL.evidence,
    )


RECON_MORE = Rule(
    rule_id="PUMP-RECON-002",
    title="More aspirated than expected: possible under-delivery",
    severity=Severity.WARN,
    evidence=("S61", "S71", "S69"),
    check=_recon_more,
)


def _recon_ok(ctx: ReconcileContext) -> Finding | None:
    if ctx.beyond_tolerance or ctx.empty or ctx.impossible:
        return None
    return RECON_OK.finding(
        f"Aspirated {fmt(ctx.aspirated_ml)} mL, expected {fmt(ctx.expected_ml)} mL "
        f"({fmt(ctx.discrepancy_ml)} mL{_pct(ctx)}): within tolerance.",
        reasoning=(
            "Within the configured tolerance (UNCONFIRMED; no source gives a number). Perform verification "
            "checks at each refill (S61); small errors accumulate: see the trend across visits."
        ),
        data={"discrepancy_ml": ctx.discrepancy_ml, "discrepancy_percent": ctx.discrepancy_percent},
    )


RECON_OK = Rule(
    rule_id="PUMP-RECON-003",
    title="Residual within tolerance",
    severity=Severity.INFO,
    evidence=("S61", "S62"),
    check=_recon_ok,
)


def _recon_empty(ctx: ReconcileContext) -> Finding | None:
    if not ctx.empty:
        return None
    return RECON_EMPTY.finding(
        f"The reservoir was empty at refill (aspirated {fmt(ctx.aspirated_ml)} mL, expected "
        f"{fmt(ctx.expected_ml)} mL): intrathecal delivery has stopped, and the pump may have over-infused.",
        reasoning=(
            "An empty reservoir interrupts intrathecal baclofen (withdrawal): abrupt discontinuation can progress over "
            "24-72 h to high fever, rigidity, rhabdomyolysis, organ failure and death (S118, S69). Less aspirated than "
            "expected may mean the pump over-infused (S60), so the patient may have had an overdose before the "
            "reservoir ran dry; running a pump with an empty reservoir is itself an over-infusion risk factor "
            "(S61)."
        ),
        data={
            "aspirated_ml": ctx.aspirated_ml,
            "expected_ml": ctx.expected_ml,
            "empty_ml": ctx.empty_ml,
            "requires_acknowledgement": True,
        },
        signs=ITB_WITHDRAWAL.signs + ITB_OVERDOSE.signs,
        action=(
            "Assess the patient now for withdrawal and for overdose. Check the pump (programmer log, alarms, "
            "motor) and contact the manufacturer before refilling and restarting; do not rely on the next refill "
            "date. Withdrawal: " + ITB_WITHDRAWAL.action + " Overdose: " + ITB_OVERDOSE.action
        ),
        evidence=ITB_WITHDRAWAL.evidence + ITB_OVERDOSE.evidence,
    )


RECON_EMPTY = Rule(
    rule_id="PUMP-RECON-007",
    title="Reservoir empty at refill: withdrawal and over-infusion risk",
    severity=Severity.BLOCK,
    evidence=("S118", "S69", "S60", "S61"),
    check=_recon_empty,
    settings=(
        "pump.synchromed_ii.residual_volume_ml",
        "pump.prometra_ii.residual_volume_ml",
        "pump.reconcile.empty_ml",
    ),
)


def _recon_impossible(ctx: ReconcileContext) -> Finding | None:
    reasons = ctx.impossible
    if not reasons:
        return None
    return RECON_IMPOSSIBLE.finding(
        f"Aspirated {fmt(ctx.aspirated_ml)} mL: " + " and ".join(reasons) + ". The volume cannot all have come "
        "from the reservoir: check the needle position and the records before injecting anything.",
        reasoning=(
            "A reservoir cannot give back more than it holds or more than was put in. Fluid beyond that suggests "
            "the needle is not in the reservoir (pump pocket) or a recording error. Injecting the new fill into "
            "the pocket is a named hazard: 851 reports and 8 deaths 1996-2010 (S71); verification checks are "
            "required at each refill (S61)."
        ),
        data={
            "aspirated_ml": ctx.aspirated_ml,
            "previous_fill_ml": ctx.previous_fill_ml,
            "capacity_ml": ctx.capacity_ml,
            "requires_acknowledgement": True,
        },
        action=(
            "Do not inject: confirm the needle is in the reservoir (ultrasound guidance is used at some centres), "
            "re-check the aspirated volume and the previous fill record, then reconcile again."
        ),
    )


RECON_IMPOSSIBLE = Rule(
    rule_id="PUMP-RECON-008",
    title="Aspirated volume impossible for the reservoir: needle position or records",
    severity=Severity.BLOCK,
    evidence=("S71", "S61"),
    check=_recon_impossible,
    settings=(),
)

RECONCILE_RULES = (RECON_EMPTY, RECON_IMPOSSIBLE, RECON_LESS, RECON_MORE, RECON_OK)


@dataclass(frozen=True, slots=True)
class TrendContext:
    discrepancies_ml: tuple[float, ...]
    discrepancy_percents: tuple[float | None, ...]
    consecutive_less: int
    consecutive_more: int
    trend_visits: int


def _trend_less(ctx: TrendContext) -> Finding | None:
    if ctx.consecutive_less < ctx.trend_visits:
        return None
    recent = ctx.discrepancies_ml[-ctx.consecutive_less :]
    return TREND_LESS.finding(
        f"The last {ctx.consecutive_less} refills all aspirated less than expected "
        f"({', '.join(fmt(d) for d in recent)} mL; total {fmt(sum(recent))} mL).",
        reasoning=(
            "A repeated shortfall, even within the single-visit tolerance, suggests the pump delivers more "
            f"than programmed (S60); {ctx.trend_visits} visits in a row is the configured trend length "
            "(setting pump.reconcile.trend_visits, UNCONFIRMED)."
        ),
        data={
            "consecutive_less": ctx.consecutive_less,
            "recent_discrepancies_ml": list(recent),
            "requires_acknowledgement": True,
        },
        signs=ITB_OVERDOSE.signs,
        action="Acknowledge and review the pump's delivery accuracy with the manufacturer. " + ITB_OVERDOSE.action,
        evidence=ITB_OVERDOSE.evidence,
    )


TREND_LESS = Rule(
    rule_id="PUMP-RECON-004",
    title="Repeated shortfall across refills",
    severity=Severity.WARN,
    evidence=("S60", "S62"),
    check=_trend_less,
)


def _trend_more(ctx: TrendContext) -> Finding | None:
    if ctx.consecutive_more < ctx.trend_visits:
        return None
    recent = ctx.discrepancies_ml[-ctx.consecutive_more :]
    return TREND_MORE.finding(
        f"The last {ctx.consecutive_more} refills all aspirated more than expected "
        f"({', '.join('+' + fmt(d) for d in recent)} mL).",
        reasoning=(
            "A repeated excess suggests chronic under-delivery (catheter problem, pump stall) (S61, S69); "
            f"{ctx.trend_visits} visits in a row is the configured trend length (UNCONFIRMED)."
        ),
        data={
            "consecutive_more": ctx.consecutive_more,
            "recent_discrepancies_ml": list(recent),
            "requires_acknowledgement": True,
        },
        **with_signs(ITB_WITHDRAWAL),
    )


TREND_MORE = Rule(
    rule_id="PUMP-RECON-005",
    title="Repeated excess across refills",
    severity=Severity.WARN,
    evidence=("S61", "S69"),
    check=_trend_more,
)

TREND_RULES = (TREND_LESS, TREND_MORE)


@dataclass(frozen=True, slots=True)
class DeliveryContext:
    """Delivery over the last fill interval: previous fill, expected and aspirated residuals (mL)."""

    previous_fill_ml: float
    expected_ml: float
    aspirated_ml: float
    interval_days: float
    accuracy_percent: float
    accuracy_setting: str
    accuracy_status: str

    @property
    def programmed_ml(self) -> float:
        return self.previous_fill_ml - self.expected_ml

    @property
    def observed_ml(self) -> float:
        return self.previous_fill_ml - self.aspirated_ml

    def _beyond_accuracy(self, difference: Decimal) -> bool:
        """``difference`` (mL, > 0) > accuracy % of the programmed delivery (strictly; exact decimal arithmetic)."""
        programmed = exact(self.previous_fill_ml) - exact(self.expected_ml)
        return difference > 0 and difference * 100 > exact(self.accuracy_percent) * programmed

    @property
    def beyond_accuracy(self) -> bool:
        """Observed - programmed (= expected - aspirated residual) beyond the flow accuracy."""
        return self._beyond_accuracy(exact(self.expected_ml) - exact(self.aspirated_ml))

    @property
    def under_beyond_accuracy(self) -> bool:
        """Programmed - observed (= aspirated - expected residual) beyond the flow accuracy."""
        return self._beyond_accuracy(exact(self.aspirated_ml) - exact(self.expected_ml))


def _delivery_arithmetic(ctx: DeliveryContext) -> str:
    return (
        f"Programmed delivery = previous fill {fmt(ctx.previous_fill_ml)} mL - expected residual "
        f"{fmt(ctx.expected_ml)} mL = {fmt(ctx.programmed_ml)} mL; observed = previous fill "
        f"{fmt(ctx.previous_fill_ml)} mL - aspirated {fmt(ctx.aspirated_ml)} mL = {fmt(ctx.observed_ml)} mL. "
    )


def _delivery_data(ctx: DeliveryContext, key: str, percent: float) -> dict[str, Any]:
    return {
        "programmed_ml": ctx.programmed_ml,
        "observed_ml": ctx.observed_ml,
        key: percent,
        "interval_days": ctx.interval_days,
        "accuracy_percent": ctx.accuracy_percent,
        "requires_acknowledgement": True,
    }


def _delivery_over(ctx: DeliveryContext) -> Finding | None:
    if not ctx.beyond_accuracy:
        return None
    programmed, observed = ctx.programmed_ml, ctx.observed_ml
    excess_pct = (observed - programmed) / programmed * 100.0
    status = ctx.accuracy_status.upper() or "UNCONFIRMED"
    return DELIVERY_OVER.finding(
        f"The pump delivered {fmt(observed)} mL over the last {fmt(ctx.interval_days, 2)} days against "
        f"{fmt(programmed)} mL programmed (+{fmt(excess_pct, 1)} %, x {fmt(observed / programmed, 4)}): beyond "
        f"its flow accuracy of {fmt(ctx.accuracy_percent, 1)} %: possible over-infusion.",
        reasoning=(
            _delivery_arithmetic(ctx) + "The residual check alone can hide this when the reservoir is nearly "
            "full (the shortfall is a small "
            "share of a large residual). Less aspirated than expected may mean the pump over-infused (S60); "
            "clinically pumps delivered on average +1 % to +2.5 % per refill (S62); the "
            f"{fmt(ctx.accuracy_percent, 1)} % flow accuracy is {status} (setting {ctx.accuracy_setting}). The "
            "next refill is forecast at the observed rate."
        ),
        data=_delivery_data(ctx, "excess_percent", excess_pct),
        signs=ITB_OVERDOSE.signs,
        action=_OVER_INFUSION_CHECKS
        + "; the next refill is brought forward to the observed rate. "
        + ITB_OVERDOSE.action,
        evidence=ITB_OVERDOSE.evidence,
    )


DELIVERY_OVER = Rule(
    rule_id="PUMP-RECON-006",
    title="Delivery over the last interval beyond the pump's flow accuracy",
    severity=Severity.WARN,
    evidence=("S60", "S62", "S61"),
    check=_delivery_over,
)


def _delivery_under(ctx: DeliveryContext) -> Finding | None:
    if not ctx.under_beyond_accuracy:
        return None
    programmed, observed = ctx.programmed_ml, ctx.observed_ml
    shortfall_pct = (programmed - observed) / programmed * 100.0
    status = ctx.accuracy_status.upper() or "UNCONFIRMED"
    return DELIVERY_UNDER.finding(
        f"The pump delivered {fmt(observed)} mL over the last {fmt(ctx.interval_days, 2)} days against "
        f"{fmt(programmed)} mL programmed (-{fmt(shortfall_pct, 1)} %): beyond its flow accuracy of "
        f"{fmt(ctx.accuracy_percent, 1)} %: possible under-delivery (occlusion, pump stall or catheter "
        "problem) and a risk of withdrawal.",
        reasoning=(
            _delivery_arithmetic(ctx) + "The residual check alone can hide this when the reservoir is nearly "
            "full (the excess is a small share "
            "of a large residual). Catheter occlusion and pump stops or motor stalls are named pump problems "
            "(S61); an interrupted intrathecal delivery causes withdrawal, which can progress over 24-72 h to "
            "rhabdomyolysis, organ failure and death (S118, S69). The "
            f"{fmt(ctx.accuracy_percent, 1)} % flow accuracy is {status} (setting {ctx.accuracy_setting})."
        ),
        data=_delivery_data(ctx, "shortfall_percent", shortfall_pct),
        signs=ITB_WITHDRAWAL.signs,
        action=(
            "Acknowledge and investigate: confirm the needle is in the reservoir before injecting anything, "
            "check the programmer log, the pump (motor stall) and the catheter (occlusion, kink, migration), "
            "watch for withdrawal. " + ITB_WITHDRAWAL.action
        ),
        evidence=ITB_WITHDRAWAL.evidence,
    )


DELIVERY_UNDER = Rule(
    rule_id="PUMP-RECON-009",
    title="Under-delivery over the last interval beyond the pump's flow accuracy",
    severity=Severity.WARN,
    evidence=("S61", "S118", "S69"),
    check=_delivery_under,
)

DELIVERY_RULES = (DELIVERY_OVER, DELIVERY_UNDER)

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (*RECONCILE_RULES, *TREND_RULES, *DELIVERY_RULES)
