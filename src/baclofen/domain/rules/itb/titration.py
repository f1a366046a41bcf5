"""Titration and refill-visit dose changes (``ITB-TITR-001..005``, ``-007``, ``-008``): the first day, the step, a high
dose, a decrease, the interval between increases, a re-introduction and an unknown start.

``ITB-TITR-006`` (the titration range cut at the daily-dose limit) is in :mod:`.ceiling`. The context is built by
:mod:`baclofen.domain.itb.dosing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.rules.itb._common import REL_TOLERANCE, fmt, watch_signs
from baclofen.domain.signs import ITB_OVERDOSE, ITB_WITHDRAWAL

__all__ = [
    "DEFINED_RULES",
    "DOSE_CHANGE_RULES",
    "DoseChangeContext",
    "TITR_DECREASE",
    "TITR_FIRST_DAY",
    "TITR_HIGH_DOSE",
    "TITR_INCREASE_INTERVAL",
    "TITR_REINTRODUCTION",
    "TITR_START_UNKNOWN",
    "TITR_STEP",
]


@dataclass(frozen=True, slots=True)
class DoseChangeContext:
    origin: str
    current_mcg_per_day: float
    at_refill: bool
    hours_since_start: float | None
    proposed_mcg_per_day: float | None
    increase_percent: tuple[float, float]
    decrease_percent: tuple[float, float]
    increase_max_mcg_per_day: float
    decrease_min_mcg_per_day: float
    high_dose_threshold_mcg_per_day: float
    excessive_increase_percent: float
    no_increase_h: float
    #: The clinician declares a cut beyond the label step a planned taper (ITB-TITR-004 warns instead of blocking).
    planned_taper: bool = False
    #: Hours since the last increase (any increase, not only the first day: ITB-TITR-007), when given.
    hours_since_last_increase: float | None = None
    #: Hours intrathecal delivery was interrupted before this re-introduction (ITB-TITR-008), when given.
    interruption_hours: float | None = None

    @property
    def is_increase(self) -> bool:
        """A proposed dose above the current one, or (no proposal) the increase range itself."""
        return self.proposed_mcg_per_day is None or self.proposed_mcg_per_day > self.current_mcg_per_day

    @property
    def proposed_change_percent(self) -> float | None:
        if self.proposed_mcg_per_day is None:
            return None
        return (self.proposed_mcg_per_day / self.current_mcg_per_day - 1.0) * 100.0


def _titr_first_day(ctx: DoseChangeContext) -> Finding | None:
    if ctx.at_refill or ctx.hours_since_start is None or ctx.hours_since_start >= ctx.no_increase_h:
        return None
    if ctx.proposed_mcg_per_day is not None and ctx.proposed_mcg_per_day <= ctx.current_mcg_per_day:
        return None
    wait = ctx.no_increase_h - ctx.hours_since_start
    return TITR_FIRST_DAY.finding(
        f"No increase in the first {fmt(ctx.no_increase_h, 0)} h of intrathecal infusion: "
        f"{fmt(ctx.hours_since_start, 1)} h have passed; the first increase can come in {fmt(wait, 1)} h.",
        reasoning="Label: titration starts after the initial 24 h; the initial dose needs that time to be judged.",
        data={"hours_since_start": ctx.hours_since_start, "earliest_increase_in_hours": wait},
        **watch_signs(ITB_OVERDOSE),
    )


TITR_FIRST_DAY = Rule(
    rule_id="ITB-TITR-001",
    title="No increase in the first 24 h",
    severity=Severity.BLOCK,
    evidence=("S2", "S3"),
    check=_titr_first_day,
    settings=(),
)


def _titr_step(ctx: DoseChangeContext) -> Finding | None:
    p = ctx.proposed_mcg_per_day
    if p is None or p <= ctx.increase_max_mcg_per_day * (1 + REL_TOLERANCE):
        return None
    lo, hi = ctx.increase_percent
    when = "at a refill visit" if ctx.at_refill else "per 24 h"
    return TITR_STEP.finding(
        f"{fmt(p)} mcg/day is +{fmt(ctx.proposed_change_percent or 0, 1)} %, above the largest step {when} "
        f"for {ctx.origin} origin (+{fmt(hi, 0)} % = {fmt(ctx.increase_max_mcg_per_day)} mcg/day).",
        reasoning=f"Label: {ctx.origin} origin +{fmt(lo, 0)}-{fmt(hi, 0)} % {when}.",
        data={
            "proposed_mcg_per_day": p,
            "max_mcg_per_day": ctx.increase_max_mcg_per_day,
            "change_percent": ctx.proposed_change_percent,
        },
        **watch_signs(ITB_OVERDOSE),
    )


TITR_STEP = Rule(
    rule_id="ITB-TITR-002",
    title="Increase above the label step",
    severity=Severity.BLOCK,
    evidence=("S2", "S3", "S40"),
    check=_titr_step,
    settings=("itb.dose.confirmation_threshold_mcg_per_day",),
)


def _titr_high_dose(ctx: DoseChangeContext) -> Finding | None:
    if ctx.current_mcg_per_day < ctx.high_dose_threshold_mcg_per_day:
        return None
    limit = ctx.excessive_increase_percent
    change = ctx.proposed_change_percent
    if change is None:
        if ctx.increase_percent[1] <= limit:
            return None
        subject = f"The label range allows up to +{fmt(ctx.increase_percent[1], 0)} %"
    else:
        if change <= limit * (1 + REL_TOLERANCE):
            return None
        subject = f"The proposed change is +{fmt(change, 1)} %"
    cautious = ctx.current_mcg_per_day * (1 + limit / 100.0)
    return TITR_HIGH_DOSE.finding(
        f"{subject} at {fmt(ctx.current_mcg_per_day)} mcg/day: above +{fmt(limit, 0)} % may be excessive at "
        f"high doses (+{fmt(limit, 0)} % = {fmt(cautious)} mcg/day).",
        reasoning=(
            "Consensus: higher increments are reasonable at low doses, but at high doses an increase above "
            f"{fmt(limit, 0)} % may be excessive. 'High dose' here means at least "
            f"{fmt(ctx.high_dose_threshold_mcg_per_day)} mcg/day (setting "
            "itb.titration.high_dose_threshold_mcg_per_day)."
        ),
        data={
            "cautious_max_mcg_per_day": cautious,
            "high_dose_threshold_mcg_per_day": ctx.high_dose_threshold_mcg_per_day,
        },
        **watch_signs(ITB_OVERDOSE),
    )


TITR_HIGH_DOSE = Rule(
    rule_id="ITB-TITR-003",
    title="Increase above 20 % at high doses",
    severity=Severity.WARN,
    evidence=("S40",),
    check=_titr_high_dose,
)


def _titr_decrease(ctx: DoseChangeContext) -> Finding | None:
    p = ctx.proposed_mcg_per_day
    if p is None or p >= ctx.decrease_min_mcg_per_day * (1 - REL_TOLERANCE):
        return None
    step = f"-{fmt(ctx.decrease_percent[0], 0)} to -{fmt(ctx.decrease_percent[1], 0)} %"
    reasoning = (
        f"Label: decreases at refill visits of {step} (for side effects) [S2] [S3]. A larger cut is treated like "
        "the abrupt discontinuation of the boxed warning: high fever, altered mental status, exaggerated rebound "
        "spasticity and muscle rigidity, rarely rhabdomyolysis, multiple organ-system failure and death [S118]."
    )
    if ctx.planned_taper:
        reasoning += (
            " The clinician declared it a planned taper (elective removal: taper by reprogramming and/or lowering "
            "the concentration [S69]), so it is a warning, not a block."
        )
        action = (
            "Planned taper: lower the dose by reprogramming and/or lowering the concentration in steps of at most "
            f"{fmt(ctx.decrease_percent[1], 0)} % (S69, S2, S3), review the patient after each step and brief the "
            "patient and carers on withdrawal signs; restore the previous dose if they appear."
        )
    else:
        action = (
            f"Cut in label steps ({step} per adjustment). If the cut is meant (elective removal, a planned stop), "
            "plan it as a taper (itb titrate --planned-taper) by reprogramming and/or lowering the concentration "
            "(S69). Watch for withdrawal signs."
        )
    return TITR_DECREASE.finding(
        f"{fmt(p)} mcg/day is {fmt(ctx.proposed_change_percent or 0, 1)} %, a larger cut than "
        f"-{fmt(ctx.decrease_percent[1], 0)} % ({fmt(ctx.decrease_min_mcg_per_day)} mcg/day)"
        + (": a planned taper." if ctx.planned_taper else ": risk of intrathecal baclofen withdrawal."),
        reasoning=reasoning,
        severity=Severity.WARN if ctx.planned_taper else None,
        evidence=("S69",) if ctx.planned_taper else (),
        data={
            "proposed_mcg_per_day": p,
            "min_mcg_per_day": ctx.decrease_min_mcg_per_day,
            "change_percent": ctx.proposed_change_percent,
            "planned_taper": ctx.planned_taper,
        },
        signs=ITB_WITHDRAWAL.signs,
        action=action,
    )


TITR_DECREASE = Rule(
    rule_id="ITB-TITR-004",
    title="Decrease larger than the label step (a block unless a planned taper)",
    severity=Severity.BLOCK,
    evidence=("S2", "S3", "S118"),
    check=_titr_decrease,
    settings=(),
)


def _titr_increase_interval(ctx: DoseChangeContext) -> Finding | None:
    h = ctx.hours_since_last_increase
    if h is None or h >= ctx.no_increase_h or not ctx.is_increase:
        return None
    wait = ctx.no_increase_h - h
    return TITR_INCREASE_INTERVAL.finding(
        f"At most one increase every {fmt(ctx.no_increase_h, 0)} h: the last increase was {fmt(h, 1)} h ago; the "
        f"next can come in {fmt(wait, 1)} h.",
        reasoning="Label: spinal origin +10-30 %, cerebral origin +5-15 %, each 'once every 24 h' - between any "
        "two increases, not only after the first day; a dose needs that time to be judged.",
        data={"hours_since_last_increase": h, "earliest_increase_in_hours": wait},
        **watch_signs(ITB_OVERDOSE),
    )


TITR_INCREASE_INTERVAL = Rule(
    rule_id="ITB-TITR-007",
    title="At most one increase every 24 h",
    severity=Severity.BLOCK,
    evidence=("S2", "S3", "S40"),
    check=_titr_increase_interval,
    settings=(),
)


def _titr_reintroduction(ctx: DoseChangeContext) -> Finding | None:
    h = ctx.interruption_hours
    if h is None or h <= 0:
        return None
    return TITR_REINTRODUCTION.finding(
        f"Re-introduction after a {fmt(h, 1)} h interruption of intrathecal baclofen: be especially vigilant for "
        "overdose.",
        reasoning="Label: be especially vigilant during screening, dose titration and re-introduction after an "
        "interruption [S30]. Troubleshooting consensus: the previous dosing schedule can be used in withdrawal of "
        "short duration; in longer withdrawal oral baclofen 10-20 mg every six hours can be used [S42]. The sheet "
        "gives no number for 'short': the clinician judges it.",
        data={"interruption_hours": h, "current_mcg_per_day": ctx.current_mcg_per_day},
        signs=ITB_OVERDOSE.signs,
        action="Find and fix the cause of the interruption first (reservoir, battery, catheter, programming). "
        "After a short interruption the previous schedule can be used (S42); after a longer one decide the restart "
        "dose with the clinician rather than restoring the old dose unseen, and bridge with oral baclofen 10-20 mg "
        "every 6 h if needed (S42). Monitor closely after the restart for drowsiness, breathing problems and "
        "hypotonia (S30), and for withdrawal signs until delivery is confirmed.",
    )


TITR_REINTRODUCTION = Rule(
    rule_id="ITB-TITR-008",
    title="Re-introduction after an interruption",
    severity=Severity.WARN,
    evidence=("S30", "S42"),
    check=_titr_reintroduction,
)


def _titr_start_unknown(ctx: DoseChangeContext) -> Finding | None:
    if ctx.at_refill or ctx.hours_since_start is not None:
        return None
    return TITR_START_UNKNOWN.finding(
        f"The time since the intrathecal infusion started was not given: the rule 'no increase in the first "
        f"{fmt(ctx.no_increase_h, 0)} h' could not be checked.",
        reasoning="Label: titration starts after the initial 24 h; the range shown assumes that time has passed.",
        data={"no_increase_h": ctx.no_increase_h},
        action="Check when the infusion started (or give the hours since the start) before increasing the dose.",
    )


TITR_START_UNKNOWN = Rule(
    rule_id="ITB-TITR-005",
    title="The first-24-hours rule could not be checked",
    severity=Severity.INFO,
    evidence=("S2", "S3"),
    check=_titr_start_unknown,
)

DOSE_CHANGE_RULES = (
    TITR_FIRST_DAY,
    TITR_STEP,
    TITR_HIGH_DOSE,
    TITR_DECREASE,
    TITR_START_UNKNOWN,
    TITR_INCREASE_INTERVAL,
    TITR_REINTRODUCTION,
)

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = DOSE_CHANGE_RULES
