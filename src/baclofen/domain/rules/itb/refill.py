"""Refill-visit rules: the next refill date (``PUMP-REFILL-004..006``: at the observed or the programmed rate, before
the target) and the refill volume (``PUMP-FILL-*``).

``PUMP-REFILL-001..003`` (overdue, low and empty reservoir) are in :mod:`.forecast`. The contexts are built by
:mod:`baclofen.domain.itb.refill`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.rules.itb._common import fmt

__all__ = [
    "DEFINED_RULES",
    "FILL_CAPACITY",
    "NEXT_REFILL_RULES",
    "NextRefillContext",
    "REFILL_BEFORE_TARGET",
    "REFILL_OBSERVED",
    "REFILL_PROGRAMMED_ONLY",
    "REFILL_VOLUME_RULES",
    "RefillVolumeContext",
]


@dataclass(frozen=True, slots=True)
class NextRefillContext:
    """A refill visit's shortfall and the next refill date: at the observed rate or the programmed one."""

    shortfall_flagged: bool
    expected_ml: float
    aspirated_ml: float
    recommended_refill_date: date | None  # None: not possible (the forecast's PUMP-FCST-003 block says why)
    programmed_refill_date: date | None
    alarm_date: date
    observed_alarm_date: date | None
    rate_factor: float | None
    observation_steps: tuple[str, ...]
    target_interval_days: int | None = None
    target_date: date | None = None


def _refill_before_target(ctx: NextRefillContext) -> Finding | None:
    if (
        ctx.rate_factor is None
        or ctx.target_date is None
        or ctx.target_interval_days is None
        or ctx.recommended_refill_date is None
        or ctx.programmed_refill_date is None
        or ctx.recommended_refill_date >= ctx.target_date
    ):
        return None
    days = (ctx.target_date - ctx.recommended_refill_date).days
    return REFILL_BEFORE_TARGET.finding(
        f"The next refill {ctx.recommended_refill_date.isoformat()} (at the observed delivery rate, x "
        f"{fmt(ctx.rate_factor, 4)}) comes {days} day(s) before the {ctx.target_interval_days}-day target "
        f"interval ({ctx.target_date.isoformat()}); at the programmed rate it would be "
        f"{ctx.programmed_refill_date.isoformat()}.",
        reasoning=(
            "The fill volume covers the target interval at the programmed rate; the pump delivered more than "
            "programmed over the last interval, so at that rate the low reservoir comes on "
            f"{(ctx.observed_alarm_date or ctx.alarm_date).isoformat()} (programmed: {ctx.alarm_date.isoformat()}) "
            "and the refill must come earlier than planned (S60; clinical mean pump error +1 to +2.5 % per "
            "refill, S62)."
        ),
        data={
            "recommended_refill_date": ctx.recommended_refill_date,
            "target_date": ctx.target_date,
            "target_interval_days": ctx.target_interval_days,
            "refill_date_at_programmed_rate": ctx.programmed_refill_date,
            "rate_factor": ctx.rate_factor,
        },
        action=(
            f"Book the next refill for {ctx.recommended_refill_date.isoformat()}, not the target date "
            f"{ctx.target_date.isoformat()}; investigate the shortfall (PUMP-RECON-001)."
        ),
    )


REFILL_BEFORE_TARGET = Rule(
    rule_id="PUMP-REFILL-006",
    title="Next refill before the target interval at the observed delivery rate",
    severity=Severity.INFO,
    evidence=("S60", "S62"),
    check=_refill_before_target,
)


def _refill_observed(ctx: NextRefillContext) -> Finding | None:
    if (
        ctx.rate_factor is None
        or ctx.observed_alarm_date is None
        or ctx.recommended_refill_date is None
        or ctx.programmed_refill_date is None
    ):
        return None
    earlier = ctx.recommended_refill_date < ctx.programmed_refill_date
    change = (
        f"instead of {ctx.programmed_refill_date.isoformat()} at the programmed rate"
        if earlier
        else f"the same as at the programmed rate ({ctx.programmed_refill_date.isoformat()})"
    )
    return REFILL_OBSERVED.finding(
        f"Next refill {ctx.recommended_refill_date.isoformat()} at the delivery rate observed over the last "
        f"interval (x {fmt(ctx.rate_factor, 4)}, +{fmt((ctx.rate_factor - 1) * 100, 1)} %), {change}; at that "
        f"rate the low reservoir comes on {ctx.observed_alarm_date.isoformat()} (programmed: "
        f"{ctx.alarm_date.isoformat()}).",
        reasoning=(
            "; ".join(ctx.observation_steps)
            + ". A shortfall at refill may mean the pump over-infuses (S60); the computed alarm assumes the "
            "programmed rate, so the refill date is counted back from the alarm at the observed rate, the "
            "earlier of the two (clinical mean pump error +1 to +2.5 % per refill, S62)."
        ),
        data={
            "rate_factor": ctx.rate_factor,
            "recommended_refill_date": ctx.recommended_refill_date,
            "refill_date_at_programmed_rate": ctx.programmed_refill_date,
            "observed_alarm_date": ctx.observed_alarm_date,
        },
    )


REFILL_OBSERVED = Rule(
    rule_id="PUMP-REFILL-004",
    title="Next refill at the observed delivery rate",
    severity=Severity.INFO,
    evidence=("S60", "S62"),
    check=_refill_observed,
)


def _refill_programmed_only(ctx: NextRefillContext) -> Finding | None:
    if not ctx.shortfall_flagged or ctx.rate_factor is not None or ctx.recommended_refill_date is None:
        return None
    return REFILL_PROGRAMMED_ONLY.finding(
        f"The next refill date {ctx.recommended_refill_date.isoformat()} assumes the programmed rate and "
        f"cannot account for the suspected over-infusion (aspirated {fmt(ctx.aspirated_ml)} mL, expected "
        f"{fmt(ctx.expected_ml)} mL).",
        reasoning=(
            "The low-reservoir alarm and the refill date are computed from the programmed rate, not measured "
            "(S60). Without the previous fill volume and date the delivery over the last interval cannot be "
            "compared with the programmed delivery, so the date is not brought forward."
        ),
        data={"recommended_refill_date": ctx.recommended_refill_date, "requires_acknowledgement": True},
        action=(
            "Give the previous fill volume and date to forecast at the observed rate, or shorten the next "
            "interval; investigate the shortfall (PUMP-RECON-001)."
        ),
    )


REFILL_PROGRAMMED_ONLY = Rule(
    rule_id="PUMP-REFILL-005",
    title="Next refill date assumes the programmed rate after a shortfall",
    severity=Severity.WARN,
    evidence=("S60", "S61"),
    check=_refill_programmed_only,
)

NEXT_REFILL_RULES = (REFILL_PROGRAMMED_ONLY, REFILL_OBSERVED, REFILL_BEFORE_TARGET)
# =====================================================================================================
# Refill volume
# =====================================================================================================


@dataclass(frozen=True, slots=True)
class RefillVolumeContext:
    reservoir_ml: float
    fill_ml: float
    needed_ml: float | None
    target_interval_days: int | None


def _fill_capacity(ctx: RefillVolumeContext) -> Finding | None:
    if ctx.needed_ml is None or ctx.needed_ml <= ctx.reservoir_ml:
        return None
    return FILL_CAPACITY.finding(
        f"{ctx.target_interval_days} days need {fmt(ctx.needed_ml)} mL, more than the "
        f"{fmt(ctx.reservoir_ml)} mL "
        "reservoir: filled to capacity; refill sooner or use a higher concentration.",
        reasoning="Never fill above the reservoir capacity: overfilling is a named over-infusion risk (S61).",
        data={"needed_ml": ctx.needed_ml, "fill_ml": ctx.fill_ml},
    )


FILL_CAPACITY = Rule(
    rule_id="PUMP-FILL-001",
    title="Target interval beyond reservoir capacity",
    severity=Severity.INFO,
    evidence=("S61",),
    check=_fill_capacity,
)

REFILL_VOLUME_RULES = (FILL_CAPACITY,)

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (*NEXT_REFILL_RULES, *REFILL_VOLUME_RULES)
