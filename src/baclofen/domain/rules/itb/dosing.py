"""Intrathecal dose rules: the initial infusion dose (``ITB-INIT-*``) and daily-dose levels (``ITB-DOSE-*``: the
confirmation threshold, the highest reported dose, the usual maintenance range).

The contexts are built by :mod:`baclofen.domain.itb.dosing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.rules.itb._common import fmt, watch_signs, watch_text
from baclofen.domain.signs import ITB_OVERDOSE

__all__ = [
    "DEFINED_RULES",
    "DOSE_CONFIRM",
    "DOSE_HIGHEST",
    "DOSE_LEVEL_RULES",
    "DOSE_MAINTENANCE",
    "DoseLevelContext",
    "INITIAL_DOSE",
    "INITIAL_DOSE_RULES",
    "InitialDoseContext",
]


# =====================================================================================================
# Initial infusion dose
# =====================================================================================================


@dataclass(frozen=True, slots=True)
class InitialDoseContext:
    screening_dose_mcg: float
    effect_duration_hours: float
    negative_reactions: bool
    multiplier: float
    daily_dose_mcg: float
    not_doubled_after_h: float
    no_increase_h: float
    post_implant_monitoring_h: float


def _initial(ctx: InitialDoseContext) -> Finding:
    if ctx.negative_reactions:
        why = "negative reactions occurred during screening, so the screening dose is not doubled (consensus)"
    elif ctx.effect_duration_hours > ctx.not_doubled_after_h:
        why = (
            f"the effect lasted {fmt(ctx.effect_duration_hours, 1)} h, more than "
            f"{fmt(ctx.not_doubled_after_h, 0)} h, so the screening dose itself is used"
        )
    else:
        why = (
            f"the effect lasted {fmt(ctx.effect_duration_hours, 1)} h, not more than "
            f"{fmt(ctx.not_doubled_after_h, 0)} h, so the screening dose is doubled"
        )
    return INITIAL_DOSE.finding(
        f"Initial infusion: {fmt(ctx.daily_dose_mcg)} mcg/day ({fmt(ctx.daily_dose_mcg / 24, 3)} mcg/h) = "
        f"{fmt(ctx.multiplier, 0)} x {fmt(ctx.screening_dose_mcg)} mcg over 24 h.",
        reasoning="Label: twice the effective screening dose per 24 h, or the dose itself when its effect "
        f"lasted more than 8 h; {why}. No increase in the first {fmt(ctx.no_increase_h, 0)} h.",
        data={
            "daily_dose_mcg": ctx.daily_dose_mcg,
            "multiplier": ctx.multiplier,
            "screening_dose_mcg": ctx.screening_dose_mcg,
            "effect_duration_hours": ctx.effect_duration_hours,
        },
        action=(
            f"Do not increase during the first {fmt(ctx.no_increase_h, 0)} h. Monitor for at least "
            f"{fmt(ctx.post_implant_monitoring_h, 0)} h after the priming bolus; in tenuous cases start at a "
            "minimum rate. " + watch_text(ITB_OVERDOSE)
        ),
        signs=ITB_OVERDOSE.signs,
        evidence=ITB_OVERDOSE.evidence,
    )


INITIAL_DOSE = Rule(
    rule_id="ITB-INIT-001",
    title="Initial infusion dose from the screening dose",
    severity=Severity.INFO,
    evidence=("S2", "S3", "S40"),
    check=_initial,
)

INITIAL_DOSE_RULES = (INITIAL_DOSE,)
# =====================================================================================================
# Daily-dose levels
# =====================================================================================================


@dataclass(frozen=True, slots=True)
class DoseLevelContext:
    daily_dose_mcg: float
    label: str
    confirmation_threshold_mcg_per_day: float
    confirmed: bool
    highest_reported_mcg_per_day: float
    maintenance_range_mcg_per_day: tuple[float, float] | None
    origin: str | None
    #: The dose is being decided (a titration step, a program): unconfirmed it is not offerable (a block).
    require_confirmation: bool = False


def _dose_confirm(ctx: DoseLevelContext) -> Finding | None:
    if ctx.daily_dose_mcg <= ctx.confirmation_threshold_mcg_per_day:
        return None
    blocks = ctx.require_confirmation and not ctx.confirmed
    if ctx.confirmed:
        state = "confirmed by the clinician"
    elif blocks:
        state = "not offerable until a clinician explicitly confirms it (--confirm-high-dose)"
    else:
        state = "needs explicit confirmation"
    return DOSE_CONFIRM.finding(
        f"{ctx.label.capitalize()} {fmt(ctx.daily_dose_mcg)} mcg/day is above "
        f"{fmt(ctx.confirmation_threshold_mcg_per_day)} mcg/day: {state}.",
        reasoning=(
            "Sources disagree: Medscape says not to exceed 1000 mcg/day (S2, S3); 3 of 23 spinal patients "
            "needed more than 1000 mcg/day (S45); overdose events occurred at 800, 1920 and 2400 mcg/24 h "
            "(S46). Not an absolute limit but one that needs explicit confirmation: a dose being decided is "
            "blocked until confirmed, a confirmed or already running dose is a warning (setting "
            "itb.dose.confirmation_threshold_mcg_per_day)."
        ),
        severity=Severity.BLOCK if blocks else Severity.WARN,
        data={
            "daily_dose_mcg": ctx.daily_dose_mcg,
            "threshold_mcg_per_day": ctx.confirmation_threshold_mcg_per_day,
            "requires_confirmation": True,
            "confirmed": ctx.confirmed,
        },
        **watch_signs(ITB_OVERDOSE),
    )


DOSE_CONFIRM = Rule(
    rule_id="ITB-DOSE-001",
    title="Daily dose above 1000 mcg needs confirmation",
    severity=Severity.WARN,
    evidence=("S2", "S3", "S45", "S46"),
    check=_dose_confirm,
)


def _dose_highest(ctx: DoseLevelContext) -> Finding | None:
    if ctx.daily_dose_mcg <= ctx.highest_reported_mcg_per_day:
        return None
    return DOSE_HIGHEST.finding(
        f"{ctx.label.capitalize()} {fmt(ctx.daily_dose_mcg)} mcg/day is above the highest reported adult "
        f"maintenance dose, {fmt(ctx.highest_reported_mcg_per_day)} mcg/day.",
        reasoning="Reported adult maintenance doses range 12-2003 mcg/day (most 300-800); nothing supports more.",
        data={
            "daily_dose_mcg": ctx.daily_dose_mcg,
            "highest_reported_mcg_per_day": ctx.highest_reported_mcg_per_day,
        },
        **watch_signs(ITB_OVERDOSE),
    )


DOSE_HIGHEST = Rule(
    rule_id="ITB-DOSE-002",
    title="Daily dose above the highest reported (2003 mcg)",
    severity=Severity.BLOCK,
    evidence=("HarrietLane24", "S46"),
    check=_dose_highest,
    settings=("itb.dose.highest_reported_mcg_per_day",),
    conditions=("itb.daily_dose.above_highest_reported",),
)


def _dose_maintenance(ctx: DoseLevelContext) -> Finding | None:
    if ctx.maintenance_range_mcg_per_day is None or ctx.origin is None:
        return None
    lo, hi = ctx.maintenance_range_mcg_per_day
    if lo <= ctx.daily_dose_mcg <= hi:
        return None
    side = "below" if ctx.daily_dose_mcg < lo else "above"
    return DOSE_MAINTENANCE.finding(
        f"{ctx.label.capitalize()} {fmt(ctx.daily_dose_mcg)} mcg/day is {side} the usual {ctx.origin} "
        f"maintenance range of {fmt(lo)}-{fmt(hi)} mcg/day.",
        reasoning=(
            "Usual maintenance ranges: spinal origin 300-800, cerebral origin 90-700 mcg/day. People with MS "
            "may be more sensitive and need lower doses (S44); the MS cohort averaged 227 mcg/day at 1 year "
            "(S43)."
        ),
        data={"daily_dose_mcg": ctx.daily_dose_mcg, "range_mcg_per_day": [lo, hi]},
    )


DOSE_MAINTENANCE = Rule(
    rule_id="ITB-DOSE-003",
    title="Outside the usual maintenance range",
    severity=Severity.INFO,
    evidence=("S2", "S36", "S44", "S43"),
    check=_dose_maintenance,
)

DOSE_LEVEL_RULES = (DOSE_HIGHEST, DOSE_CONFIRM, DOSE_MAINTENANCE)

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (*INITIAL_DOSE_RULES, *DOSE_LEVEL_RULES)
