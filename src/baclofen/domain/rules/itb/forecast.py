"""Intrathecal baclofen (ITB-*) and pump (PUMP-*) safety rules: stable ids, cited, with reasoning.

Each rule's check takes a small context built by :mod:`baclofen.domain.itb` (the thresholds travel in
the context, so a clinic's overridden settings reach the rule and appear in the finding). Withdrawal
and overdose signs (:mod:`baclofen.domain.signs`) are attached to the findings they belong to:
overdue refill, empty reservoir and under-delivery -> ITB withdrawal; over-infusion, concentration
change and dose jumps -> ITB overdose.

Ids are stable and never reused. Groups:

``ITB-SCREEN-*`` screening trial; ``ITB-INIT-*`` initial infusion dose; ``ITB-TITR-*`` titration and
refill-visit adjustments; ``ITB-DOSE-*`` daily-dose levels; ``ITB-CONC-*`` concentrations and
concentration changes; ``ITB-TRANS-*`` oral -> intrathecal transition; ``PUMP-PROG-*`` programs;
``PUMP-FCST-*`` reservoir forecast; ``PUMP-REFILL-*`` refill timing; ``PUMP-BATT-*`` battery and
service life; ``PUMP-RECON-*`` refill-visit reconciliation; ``PUMP-FILL-*`` refill volume.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import Any

from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.signs import ITB_OVERDOSE, ITB_WITHDRAWAL, SignSet
from baclofen.domain.units import likely_unit_slip

__all__ = [
    "CONCENTRATION_RULES",
    "CONCENTRATION_CHANGE_RULES",
    "DELIVERY_RULES",
    "DOSE_CHANGE_RULES",
    "DOSE_LEVEL_RULES",
    "FORECAST_RULES",
    "INITIAL_DOSE_RULES",
    "ITB_DEFINED_RULES",
    "LIMIT_CONCENTRATION",
    "LIMIT_DOSE",
    "LIMIT_SCREENING",
    "LIMIT_VOLUME",
    "NEXT_REFILL_RULES",
    "PROGRAM_RULES",
    "PUMP_DEFINED_RULES",
    "ADMIXTURE",
    "AdmixtureContext",
    "RECONCILE_RULES",
    "REFILL_VOLUME_RULES",
    "RESERVOIR_STATE_SEVERITY",
    "SCREENING_RULES",
    "TITR_CEILING",
    "TRANS_CEILING",
    "TRANSITION_RULES",
    "TREND_RULES",
    "ConcentrationChangeContext",
    "ConcentrationContext",
    "DeliveryContext",
    "DoseChangeContext",
    "DoseLevelContext",
    "ForecastContext",
    "InitialDoseContext",
    "PlausibleRangeContext",
    "RangeCeilingContext",
    "NextRefillContext",
    "ProgramContext",
    "ReconcileContext",
    "RefillVolumeContext",
    "ReservoirState",
    "ScreeningContext",
    "TransitionContext",
    "TrendContext",
    "fmt",
    "reservoir_state",
]


def fmt(value: float, digits: int = 2) -> str:
    """A number for a message: at most ``digits`` decimals, no trailing zeros.

    >>> fmt(1120.0), fmt(0.28600000001), fmt(2.5)
    ('1120', '0.29', '2.5')
    """
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def exact(value: float) -> Decimal:
    """The decimal a float was written as (its shortest repr), for exact tolerance comparisons: 4.9 - 4.41
    is 0.49 here, not 0.49000000000000021, so a difference of exactly 10 % is never flagged by rounding."""
    return Decimal(repr(float(value)))


def _with_signs(sign_set: SignSet) -> dict[str, Any]:
    return {"signs": sign_set.signs, "action": sign_set.action, "evidence": sign_set.evidence}


def watch_text(sign_set: SignSet) -> str:
    """Routine advice for a finding that is not itself an emergency: what to watch for, and that those signs
    are one (the emergency management itself belongs to the findings that report an emergency).

    >>> watch_text(ITB_OVERDOSE)  # doctest: +ELLIPSIS
    'Watch for signs of intrathecal baclofen overdose (listed) ...'
    """
    return (
        f"Watch for signs of {sign_set.name} (listed) and tell the patient and carers what they are; if any "
        "appear, treat them as an emergency and get urgent medical review."
    )


def _watch_signs(sign_set: SignSet) -> dict[str, Any]:
    """Signs to watch for on a routine finding, with :func:`watch_text` as its action (no emergency procedure)."""
    return {"signs": sign_set.signs, "action": watch_text(sign_set), "evidence": sign_set.evidence}


# =====================================================================================================
# Screening trial
# =====================================================================================================


@dataclass(frozen=True, slots=True)
class ScreeningContext:
    start_mcg: float
    standard_start_mcg: float
    ladder_mcg: tuple[float, ...]
    doses_mcg: tuple[float, ...]
    responses: tuple[bool, ...]
    intervals_h: tuple[float | None, ...]
    ashworth_reductions: tuple[float | None, ...]
    next_dose_mcg: float | None
    next_volume_ml: float | None
    earliest_next_hours: float | None
    candidate: bool | None
    effective_dose_mcg: float | None
    effect_duration_hours: float | None
    concentration_mcg_per_ml: float
    min_interval_h: float
    observation_h: tuple[float, float]
    monitoring_h: float
    ashworth_responder_points: float


def _screen_next(ctx: ScreeningContext) -> Finding | None:
    if ctx.next_dose_mcg is None:
        return None
    n = len(ctx.doses_mcg) + 1
    when = (
        "now"
        if not ctx.earliest_next_hours
        else f"in {fmt(ctx.earliest_next_hours, 1)} h at the earliest ({fmt(ctx.min_interval_h, 0)} h after "
        "the previous dose)"
    )
    lo, hi = ctx.observation_h
    return SCREEN_NEXT.finding(
        f"Screening dose {n}: {fmt(ctx.next_dose_mcg)} mcg = {fmt(ctx.next_volume_ml or 0)} mL of "
        f"{fmt(ctx.concentration_mcg_per_ml, 0)} mcg/mL by barbotage over at least 1 minute, {when}.",
        reasoning=(
            f"Label ladder {' -> '.join(fmt(d) for d in ctx.ladder_mcg)} mcg at "
            f"{fmt(ctx.concentration_mcg_per_ml, 0)} mcg/mL, each at least {fmt(ctx.min_interval_h, 0)} h "
            f"after the previous one, observed {fmt(lo, 0)}-{fmt(hi, 0)} h; {len(ctx.doses_mcg)} dose(s) "
            "given so far without a positive response. Be especially vigilant for overdose during screening "
            "(S30)."
        ),
        data={
            "dose_number": n,
            "next_dose_mcg": ctx.next_dose_mcg,
            "next_volume_ml": ctx.next_volume_ml,
            "earliest_next_hours": ctx.earliest_next_hours,
        },
        signs=ITB_OVERDOSE.signs,
        action=(
            "Give in a fully equipped, staffed setting with resuscitation equipment on stand-by; monitor "
            f"cardiopulmonary parameters frequently during the first {fmt(ctx.monitoring_h, 0)} h; assess "
            "spasticity (Ashworth, spasm frequency) at least twice within 4 h and record the duration of "
            "effect. " + watch_text(ITB_OVERDOSE)
        ),
        evidence=ITB_OVERDOSE.evidence,
    )


SCREEN_NEXT = Rule(
    rule_id="ITB-SCREEN-001",
    title="Next screening dose and how to give it",
    severity=Severity.INFO,
    evidence=("S1", "S38", "S41", "S39", "S36", "S30"),
    check=_screen_next,
)


def _screen_interval(ctx: ScreeningContext) -> list[Finding]:
    out = []
    for i, hours in enumerate(ctx.intervals_h):
        if hours is not None and hours < ctx.min_interval_h:
            out.append(
                SCREEN_INTERVAL.finding(
                    f"Screening dose {i + 1} ({fmt(ctx.doses_mcg[i])} mcg) was given {fmt(hours, 1)} h after "
                    f"the previous one, less than {fmt(ctx.min_interval_h, 0)} h.",
                    reasoning=(
                        f"Screening doses must be separated by at least {fmt(ctx.min_interval_h, 0)} h "
                        "(label; consensus); effects of close doses add up."
                    ),
                    data={"dose_number": i + 1, "interval_h": hours, "min_interval_h": ctx.min_interval_h},
                    **_watch_signs(ITB_OVERDOSE),
                )
            )
    return out


SCREEN_INTERVAL = Rule(
    rule_id="ITB-SCREEN-002",
    title="Screening doses at least 24 h apart",
    severity=Severity.WARN,
    evidence=("S1", "S38", "S41"),
    check=_screen_interval,
)


def _screen_not_candidate(ctx: ScreeningContext) -> Finding | None:
    if ctx.candidate is not False:
        return None
    top = ctx.ladder_mcg[-1]
    return SCREEN_NOT_CANDIDATE.finding(
        f"No response to {fmt(top)} mcg: not a pump candidate. No further screening dose is offered.",
        reasoning=(
            f"Patients who do not respond to the {fmt(top)} mcg screening dose should not be implanted "
            f"(label); the ladder {' -> '.join(fmt(d) for d in ctx.ladder_mcg)} mcg is complete."
        ),
        data={"doses_mcg": list(ctx.doses_mcg), "max_screening_dose_mcg": top},
        action="Do not implant a pump for baclofen; review other options for spasticity.",
    )


SCREEN_NOT_CANDIDATE = Rule(
    rule_id="ITB-SCREEN-003",
    title="No response to 100 mcg: not a pump candidate",
    severity=Severity.BLOCK,
    evidence=("S38", "S3", "S101"),
    check=_screen_not_candidate,
    # Decided by the clinician's recorded response to each dose (S38, S3); the UNCONFIRMED Ashworth threshold only
    # feeds ITB-SCREEN-006, which says when the grades disagree with the recorded response.
    settings=(),
)


def _screen_low_start(ctx: ScreeningContext) -> Finding | None:
    if ctx.start_mcg >= ctx.standard_start_mcg:
        return None
    return SCREEN_LOW_START.finding(
        f"Lower start: {fmt(ctx.start_mcg)} mcg instead of {fmt(ctx.standard_start_mcg)} mcg.",
        reasoning=(
            "Consensus allows a 25 mcg test dose in patients who rely on their spasticity for mobility (and "
            "very small children); later doses rise in 25 mcg steps 24 h apart up to 100 mcg."
        ),
        data={"start_mcg": ctx.start_mcg, "ladder_mcg": list(ctx.ladder_mcg)},
    )


SCREEN_LOW_START = Rule(
    rule_id="ITB-SCREEN-004",
    title="Optional 25 mcg start",
    severity=Severity.INFO,
    evidence=("S41", "S101"),
    check=_screen_low_start,
)


def _screen_candidate(ctx: ScreeningContext) -> Finding | None:
    if ctx.candidate is not True or ctx.effective_dose_mcg is None:
        return None
    duration = "" if ctx.effect_duration_hours is None else f"; effect lasted {fmt(ctx.effect_duration_hours, 1)} h"
    return SCREEN_CANDIDATE.finding(
        f"Positive response to {fmt(ctx.effective_dose_mcg)} mcg{duration}: pump candidate. No further "
        "screening dose is needed.",
        reasoning=(
            "The trial ends at the first positive response; the initial infusion dose is derived from the "
            "effective screening dose and the duration of its effect."
        ),
        data={
            "effective_dose_mcg": ctx.effective_dose_mcg,
            "effect_duration_hours": ctx.effect_duration_hours,
        },
        action="Record the duration of effect and any negative reactions: they set the initial infusion dose.",
    )


SCREEN_CANDIDATE = Rule(
    rule_id="ITB-SCREEN-005",
    title="Positive screening response",
    severity=Severity.INFO,
    evidence=("S1", "S38", "S2", "S40"),
    check=_screen_candidate,
)


def _screen_ashworth(ctx: ScreeningContext) -> list[Finding]:
    out = []
    for i, (responded, reduction) in enumerate(zip(ctx.responses, ctx.ashworth_reductions, strict=True)):
        if reduction is None:
            continue
        meets = reduction >= ctx.ashworth_responder_points
        if meets != responded:
            out.append(
                SCREEN_ASHWORTH.finding(
                    f"Screening dose {i + 1}: recorded as {'a response' if responded else 'no response'} "
                    f"with an Ashworth reduction of {fmt(reduction, 1)} point(s).",
                    reasoning=(
                        "A trial operationalised a positive response as a >= "
                        f"{fmt(ctx.ashworth_responder_points, 1)}-point Ashworth reduction (S108); the "
                        "label's own definition is UNCONFIRMED, so the clinician's judgement stands. Check "
                        "the record."
                    ),
                    data={"dose_number": i + 1, "responded": responded, "ashworth_reduction": reduction},
                )
            )
    return out


SCREEN_ASHWORTH = Rule(
    rule_id="ITB-SCREEN-006",
    title="Recorded response and Ashworth change disagree",
    severity=Severity.INFO,
    evidence=("S108", "S116"),
    check=_screen_ashworth,
)

SCREENING_RULES = (
    SCREEN_NOT_CANDIDATE,
    SCREEN_INTERVAL,
    SCREEN_NEXT,
    SCREEN_LOW_START,
    SCREEN_CANDIDATE,
    SCREEN_ASHWORTH,
)


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
# Titration and refill-visit adjustments
# =====================================================================================================


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


_REL = 1e-9  # relative tolerance so that a limit computed in floating point is not "exceeded" by itself


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
        **_watch_signs(ITB_OVERDOSE),
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
    if p is None or p <= ctx.increase_max_mcg_per_day * (1 + _REL):
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
        **_watch_signs(ITB_OVERDOSE),
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
        if change <= limit * (1 + _REL):
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
        **_watch_signs(ITB_OVERDOSE),
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
    if p is None or p >= ctx.decrease_min_mcg_per_day * (1 - _REL):
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
        **_watch_signs(ITB_OVERDOSE),
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


@dataclass(frozen=True, slots=True)
class RangeCeilingContext:
    """A dose range (titration range, transition envelope) cut at the daily-dose ceiling.

    ``ceiling`` is the confirmation threshold (1000 mcg/day) unless a higher dose was confirmed, then the
    highest reported dose (2003 mcg/day); ``reached_on`` names when an envelope reaches it.
    """

    label: str
    unclamped_max_mcg_per_day: float
    ceiling_mcg_per_day: float
    confirmed: bool
    confirmation_threshold_mcg_per_day: float
    highest_reported_mcg_per_day: float
    reached_on: str | None = None


def _ceiling_finding(rule: Rule[RangeCeilingContext], ctx: RangeCeilingContext) -> Finding | None:
    if ctx.unclamped_max_mcg_per_day <= ctx.ceiling_mcg_per_day * (1 + _REL):
        return None
    hard = ctx.ceiling_mcg_per_day >= ctx.highest_reported_mcg_per_day * (1 - _REL)
    when = f" from {ctx.reached_on}" if ctx.reached_on else ""
    if hard:
        why = (
            f"{fmt(ctx.highest_reported_mcg_per_day)} mcg/day is the highest reported adult maintenance dose "
            "(ITB-DOSE-002 blocks anything above it)"
        )
        todo = "No dose above it is offered; reassess the pump, catheter and diagnosis before going higher."
    else:
        why = (
            f"a dose above {fmt(ctx.confirmation_threshold_mcg_per_day)} mcg/day needs explicit confirmation "
            "(ITB-DOSE-001; the sources disagree on an upper bound)"
        )
        todo = (
            "To go higher, a clinician confirms the high dose explicitly (itb titrate --confirm-high-dose); "
            f"never above {fmt(ctx.highest_reported_mcg_per_day)} mcg/day."
        )
    return rule.finding(
        f"{ctx.label[:1].upper() + ctx.label[1:]} is cut at {fmt(ctx.ceiling_mcg_per_day)} mcg/day{when}: the "
        f"label steps alone would reach {fmt(ctx.unclamped_max_mcg_per_day)} mcg/day.",
        reasoning=f"The range never offers more than the dose limits allow: {why}.",
        severity=Severity.WARN if hard else Severity.INFO,
        data={
            "ceiling_mcg_per_day": ctx.ceiling_mcg_per_day,
            "unclamped_max_mcg_per_day": ctx.unclamped_max_mcg_per_day,
            "confirmed": ctx.confirmed,
            "reached_on": ctx.reached_on,
        },
        action=todo,
    )


def _ceiling_rule(rule_id: str, title: str) -> Rule[RangeCeilingContext]:
    def check(ctx: RangeCeilingContext) -> Finding | None:
        return _ceiling_finding(rule, ctx)

    rule: Rule[RangeCeilingContext] = Rule(
        rule_id=rule_id,
        title=title,
        severity=Severity.WARN,
        evidence=("S2", "S3", "S45", "HarrietLane24"),
        check=check,
    )
    return rule


TITR_CEILING = _ceiling_rule("ITB-TITR-006", "Titration range cut at the daily-dose limit")
TRANS_CEILING = _ceiling_rule("ITB-TRANS-004", "Transition envelope cut at the daily-dose limit")


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
        **_watch_signs(ITB_OVERDOSE),
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
        **_watch_signs(ITB_OVERDOSE),
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


# =====================================================================================================
# Plausibility limits: doses, concentrations, pump volumes and screening doses outside what the sources
# report or a pump can deliver (the ranges are named settings in baclofen.domain.itb.limits)
# =====================================================================================================


@dataclass(frozen=True, slots=True)
class PlausibleRangeContext:
    """A value checked against its plausible range ``[low, high]`` (``high`` None: checked by another rule).

    ``below`` / ``above`` are the severities outside the range; a value that lands inside the range when
    multiplied (or divided) by 1000 is a likely unit confusion and always a block. ``ladder`` lists the
    allowed values inside the range (screening doses), when only those are allowed.
    """

    label: str
    value: float
    unit: str
    slip_unit: str
    low: float
    high: float | None
    basis: str
    settings: tuple[str, ...]
    below: Severity
    above: Severity
    ladder: tuple[float, ...] = ()
    evidence: tuple[str, ...] = ()
    low_reason: str = "below"
    high_reason: str = "above"
    detect_slip: bool = True
    #: Where a value x1000 (or /1000) counts as the intended one, when wider than ``[low, high]``.
    slip_range: tuple[float, float] | None = None

    @property
    def range_text(self) -> str:
        hi = "" if self.high is None else f"-{fmt(self.high, 4)}"
        return f"{fmt(self.low, 4)}{hi} {self.unit}"

    def slip(self) -> float | None:
        """The value the input most likely meant when it is 1000x off (None when it is not)."""
        if not self.detect_slip:
            return None
        hi = self.high if self.high is not None else float("inf")
        return likely_unit_slip(self.value, *(self.slip_range or (self.low, hi)))


def _plausible(rule: Rule[PlausibleRangeContext], ctx: PlausibleRangeContext) -> Finding | None:
    v = ctx.value
    below = v < ctx.low * (1 - _REL)
    above = ctx.high is not None and v > ctx.high * (1 + _REL)
    off_ladder = bool(ctx.ladder) and not below and not above and not any(abs(v - d) <= _REL * d for d in ctx.ladder)
    if not (below or above or off_ladder):
        return None
    label = ctx.label[:1].upper() + ctx.label[1:]
    data: dict[str, Any] = {
        "value": v,
        "unit": ctx.unit,
        "expected_range": [ctx.low, ctx.high],
        "settings": list(ctx.settings),
        "likely_unit_confusion": False,
    }
    meant = ctx.slip()
    if meant is not None:
        smaller = meant > v
        data |= {"likely_unit_confusion": True, "likely_intended": meant}
        return rule.finding(
            f"{label} {fmt(v, 6)} {ctx.unit} is {'below' if smaller else 'above'} the plausible range "
            f"{ctx.range_text} and 1000x from inside it: likely a mg/mcg confusion ({fmt(v, 6)} "
            f"{ctx.slip_unit} = {fmt(meant, 4)} {ctx.unit}).",
            reasoning=(
                f"{ctx.basis} Read as {ctx.slip_unit} the value lies inside that range: intrathecal doses are "
                "mcg and oral doses mg, so a mix-up is a 1000-fold error. Not offerable until the value is "
                "corrected or a clinician overrides with a reason."
            ),
            severity=Severity.BLOCK,
            data=data,
            evidence=ctx.evidence,
            action=f"Check the unit: re-enter the value in {ctx.unit} (e.g. {fmt(meant, 4)} {ctx.unit}).",
        )
    if off_ladder:
        data["allowed"] = list(ctx.ladder)
        return rule.finding(
            f"{label} {fmt(v, 4)} {ctx.unit} is not one of the screening doses "
            f"({', '.join(fmt(d) for d in ctx.ladder)} {ctx.unit}).",
            reasoning=ctx.basis,
            severity=ctx.below,
            data=data,
            evidence=ctx.evidence,
            action="Check the screening record: give the dose that was actually given and produced the response.",
        )
    side = ctx.low_reason if below else ctx.high_reason
    return rule.finding(
        f"{label} {fmt(v, 6)} {ctx.unit} is {side} the plausible range {ctx.range_text}.",
        reasoning=ctx.basis,
        severity=ctx.below if below else ctx.above,
        data=data,
        evidence=ctx.evidence,
        action="Check the value and its unit against the prescription, the product and the pump.",
    )


def _range_rule(rule_id: str, title: str, evidence: tuple[str, ...]) -> Rule[PlausibleRangeContext]:
    """A plausibility rule: warn outside its range (severities from the context), block on a 1000x slip."""

    def check(ctx: PlausibleRangeContext) -> Finding | None:
        return _plausible(rule, ctx)

    rule: Rule[PlausibleRangeContext] = Rule(
        rule_id=rule_id, title=title, severity=Severity.WARN, evidence=evidence, check=check
    )
    return rule


LIMIT_DOSE = _range_rule(
    "ITB-LIMIT-001",
    "Intrathecal daily dose outside the plausible range (mg/mcg confusion)",
    ("HarrietLane24", "S2"),
)
LIMIT_CONCENTRATION = _range_rule(
    "ITB-LIMIT-002",
    "Intrathecal concentration outside the plausible range (mg/mL vs mcg/mL)",
    ("S34", "S36", "S47", "S25"),
)
LIMIT_VOLUME = _range_rule(
    "ITB-LIMIT-003",
    "Pump volume per day outside what the pump can deliver",
    ("HarrietLane24", "S58", "S67", "S65"),
)
LIMIT_SCREENING = _range_rule(
    "ITB-LIMIT-004",
    "Screening dose not on the screening ladder (mg/mcg confusion)",
    ("S1", "S38", "S41", "S101"),
)


# =====================================================================================================
# Concentrations and concentration changes
# =====================================================================================================


@dataclass(frozen=True, slots=True)
class ConcentrationContext:
    pump_name: str
    concentration_mcg_per_ml: float
    labelled_range_mcg_per_ml: tuple[float, float] | None
    marketed_mcg_per_ml: tuple[float, ...]


def _conc_labelled(ctx: ConcentrationContext) -> Finding | None:
    c = ctx.concentration_mcg_per_ml
    if ctx.labelled_range_mcg_per_ml is not None:
        lo, hi = ctx.labelled_range_mcg_per_ml
        if not lo <= c <= hi:
            return CONC_LABELLED.finding(
                f"{fmt(c)} mcg/mL is outside the {ctx.pump_name} labelling for baclofen ({fmt(lo)}-{fmt(hi)} mcg/mL).",
                reasoning="Prometra labelling: baclofen 500-2000 mcg/mL (S66).",
                data={"concentration_mcg_per_ml": c, "labelled_range_mcg_per_ml": [lo, hi]},
                evidence=("S66",),
            )
    if c not in ctx.marketed_mcg_per_ml and c < max(ctx.marketed_mcg_per_ml):  # stronger: ITB-LIMIT-002
        return CONC_LABELLED.finding(
            f"{fmt(c)} mcg/mL is not a marketed intrathecal concentration "
            f"({', '.join(fmt(m) for m in ctx.marketed_mcg_per_ml)} mcg/mL): it needs dilution.",
            reasoning=(
                "Concentrations other than those supplied need dilution with preservative-free sodium "
                "chloride (S34); do not mix with other drugs (S36)."
            ),
            severity=Severity.INFO,
            data={"concentration_mcg_per_ml": c, "marketed_mcg_per_ml": list(ctx.marketed_mcg_per_ml)},
            evidence=("S34", "S36", "S47", "S49"),
        )
    return None


CONC_LABELLED = Rule(
    rule_id="ITB-CONC-004",
    title="Concentration outside labelling or needing dilution",
    severity=Severity.WARN,
    evidence=("S34", "S66"),
    check=_conc_labelled,
)

CONCENTRATION_RULES = (CONC_LABELLED,)


@dataclass(frozen=True, slots=True)
class ConcentrationChangeContext:
    daily_dose_mcg: float
    old_mcg_per_ml: float
    new_mcg_per_ml: float
    old_ml_per_day: float
    new_ml_per_day: float
    dead_volume_ml: float
    pump_internal_volume_given: bool
    clearing_hours_without_bridge: float
    dose_while_clearing_without_bridge_mcg_per_day: float
    bridge_drug_mcg: float
    bridge_hours: float
    #: Along a flex program the times depend on when the change is made: the shortest over the day (equal to
    #: the value above when the time is given or the rate is constant).
    bridge_hours_min: float | None = None
    clearing_hours_min: float | None = None
    change_time: str | None = None

    def hours_text(self, lo: float | None, hi: float) -> str:
        if lo is None or hi - lo <= 1e-9:
            at = f" from {self.change_time}" if self.change_time else ""
            return f"{fmt(hi, 1)} h{at}"
        return f"{fmt(lo, 1)}-{fmt(hi, 1)} h depending on the time of the change"


def _conc_reprogram(ctx: ConcentrationChangeContext) -> Finding:
    jump = ctx.old_ml_per_day * ctx.new_mcg_per_ml
    ratio = ctx.new_mcg_per_ml / ctx.old_mcg_per_ml
    sign_set = ITB_OVERDOSE if ratio > 1 else ITB_WITHDRAWAL
    return CONC_REPROGRAM.finding(
        f"Reprogram the pump for {fmt(ctx.new_mcg_per_ml)} mcg/mL: {fmt(ctx.new_ml_per_day, 4)} mL/day keeps "
        f"{fmt(ctx.daily_dose_mcg)} mcg/day. Left at the old {fmt(ctx.old_ml_per_day, 4)} mL/day, the new "
        f"solution would deliver {fmt(jump)} mcg/day ({fmt(ratio, 2)} x).",
        reasoning=(
            "Rate in mL/day = dose (mcg/day) / concentration (mcg/mL). A concentration change without the "
            "matching program change is a silent dose jump."
        ),
        data={"dose_if_not_reprogrammed_mcg_per_day": jump, "ratio": ratio},
        **_watch_signs(sign_set),
    )


CONC_REPROGRAM = Rule(
    rule_id="ITB-CONC-001",
    title="Concentration change: reprogram for the same daily dose",
    severity=Severity.WARN,
    evidence=("S34", "S2"),
    check=_conc_reprogram,
)


def _conc_priming(ctx: ConcentrationChangeContext) -> Finding:
    return CONC_PRIMING.finding(
        "Do not use a priming bolus to clear the old solution.",
        reasoning=(
            "Medtronic: drug and non-drug fluids mix at the high flow rates of a priming bolus; drug "
            "delivered before its end and the reduced concentration after it can lead to overdose, underdose "
            "and withdrawal (S64). The bridge bolus procedure itself is UNCONFIRMED in the sources: follow "
            "the pump manufacturer's manual."
        ),
        data={},
    )


CONC_PRIMING = Rule(
    rule_id="ITB-CONC-002",
    title="Priming bolus mixing warning",
    severity=Severity.WARN,
    evidence=("S64",),
    check=_conc_priming,
)


def _conc_internal_volume(ctx: ConcentrationChangeContext) -> Finding | None:
    if ctx.pump_internal_volume_given:
        return None
    return CONC_INTERNAL_VOLUME.finding(
        "The pump's internal tubing volume was not given: the bridge covers the catheter volume only "
        f"({fmt(ctx.dead_volume_ml, 4)} mL).",
        reasoning=(
            "The pump tubing between reservoir and catheter port also holds old solution; its volume is "
            "UNCONFIRMED in the sources (clinical.md §5.6). Add it from the pump's manual or programmer."
        ),
        data={"dead_volume_ml": ctx.dead_volume_ml},
    )


CONC_INTERNAL_VOLUME = Rule(
    rule_id="ITB-CONC-003",
    title="Pump internal volume missing from the bridge",
    severity=Severity.WARN,
    evidence=("S64", "S58"),
    check=_conc_internal_volume,
)


def _conc_clearing(ctx: ConcentrationChangeContext) -> Finding:
    ratio = ctx.dose_while_clearing_without_bridge_mcg_per_day / ctx.daily_dose_mcg
    under = ratio < 1
    sign_set = ITB_WITHDRAWAL if under else ITB_OVERDOSE
    return CONC_CLEARING.finding(
        f"Without a bridge bolus the {fmt(ctx.dead_volume_ml, 4)} mL of old {fmt(ctx.old_mcg_per_ml)} mcg/mL "
        f"solution would run at the new rate for "
        f"{ctx.hours_text(ctx.clearing_hours_min, ctx.clearing_hours_without_bridge)}, delivering "
        f"{fmt(ctx.dose_while_clearing_without_bridge_mcg_per_day)} mcg/day ({fmt(ratio, 2)} x the dose): "
        f"{'under' if under else 'over'}-dosing.",
        reasoning=(
            "The solution in the catheter and pump tubing keeps the old concentration and is pushed out at "
            "the new programmed rate until it clears (clinical.md §5.6). The bridge delivers it at the old "
            f"rate instead: {fmt(ctx.bridge_drug_mcg)} mcg over "
            f"{ctx.hours_text(ctx.bridge_hours_min, ctx.bridge_hours)}, i.e. the prescribed dose; along a flex "
            "program the times follow its step rates, not the 24 h mean."
        ),
        data={
            "clearing_hours_without_bridge": ctx.clearing_hours_without_bridge,
            "clearing_hours_range": [ctx.clearing_hours_min, ctx.clearing_hours_without_bridge],
            "bridge_hours_range": [ctx.bridge_hours_min, ctx.bridge_hours],
            "change_time": ctx.change_time,
            "dose_while_clearing_without_bridge_mcg_per_day": (ctx.dose_while_clearing_without_bridge_mcg_per_day),
        },
        **_watch_signs(sign_set),
    )


CONC_CLEARING = Rule(
    rule_id="ITB-CONC-005",
    title="Old solution in the catheter: bridge bolus",
    severity=Severity.WARN,
    evidence=("S64", "S118"),
    check=_conc_clearing,
)

CONCENTRATION_CHANGE_RULES = (CONC_REPROGRAM, CONC_CLEARING, CONC_PRIMING, CONC_INTERNAL_VOLUME)


# =====================================================================================================
# Programs
# =====================================================================================================


@dataclass(frozen=True, slots=True)
class ProgramContext:
    pump_name: str
    mode: str
    steps: int
    max_steps: int | None


def _prog_steps_unknown(ctx: ProgramContext) -> Finding | None:
    if ctx.max_steps is not None or ctx.mode == "simple-continuous":
        return None
    return PROG_STEPS_UNKNOWN.finding(
        f"The {ctx.pump_name}'s limit on rate changes a day is not in the sources: check that the programmer "
        f"accepts this {ctx.mode} program ({ctx.steps} step(s)).",
        reasoning="Only SynchroMed II's flex limit (13 rate changes a day) is documented (S57, S63); "
        "Prometra II's is UNCONFIRMED (S67).",
        data={"steps": ctx.steps},
    )


PROG_STEPS_UNKNOWN = Rule(
    rule_id="PUMP-PROG-001",
    title="Flex step limit unknown for this pump",
    severity=Severity.WARN,
    evidence=("S57", "S67"),
    check=_prog_steps_unknown,
)

PROGRAM_RULES = (PROG_STEPS_UNKNOWN,)


@dataclass(frozen=True, slots=True)
class AdmixtureContext:
    """Other drugs said to be in the pump (or catheter) with intrathecal baclofen."""

    other_drugs: tuple[str, ...]


def _admixture(ctx: AdmixtureContext) -> Finding | None:
    if not ctx.other_drugs:
        return None
    names = ", ".join(ctx.other_drugs)
    return ADMIXTURE.finding(
        f"Other drugs in the pump with intrathecal baclofen ({names}): do not mix intrathecal baclofen with other "
        "drugs in the pump or catheter.",
        reasoning="Label (Gablofen): do not mix with other drugs in the pump or catheter; the program, stability and "
        "concentration checks here assume baclofen alone.",
        data={"other_drugs_in_pump": list(ctx.other_drugs)},
        action="Fill the pump with intrathecal baclofen only (preservative-free, diluted only with preservative-free "
        "sodium chloride where needed); give other intrathecal drugs by a separate route or plan.",
    )


ADMIXTURE = Rule(
    rule_id="PUMP-ADMIX-001",
    title="No admixture with other drugs in the pump or catheter",
    severity=Severity.BLOCK,
    evidence=("S36", "S34"),
    check=_admixture,
    settings=(),
)


# =====================================================================================================
# Reservoir forecast, refill timing and battery
# =====================================================================================================


@dataclass(frozen=True, slots=True)
class ForecastContext:
    pump_name: str
    low_reservoir_is_audible_alarm: bool
    filled_date: date
    low_reservoir_ml: float
    margin_days: int
    alarm_date: date
    empty_date: date
    recommended_refill_date: date | None  # None: refill not possible at this dose and volume (PUMP-FCST-003)
    stability_limit_date: date
    max_refill_interval_days: int
    limited_by_stability: bool
    volume_at_recommended_refill_ml: float | None
    replacement_date: date | None
    shutoff_date: date | None
    as_of: date | None
    remaining_ml_at_as_of: float | None
    daily_volume_ml: float | None = None
    volume_ml: float | None = None
    observed_rate_factor: float | None = None
    observed_alarm_date: date | None = None
    programmed_refill_date: date | None = None
    flow_accuracy_percent: float | None = None
    flow_accuracy_setting: str = ""
    flow_accuracy_status: str = ""
    over_infusion_alarm_date: date | None = None
    observed_empty_date: date | None = None
    observed_remaining_ml_at_as_of: float | None = None
    shutoff_reason: str = ""
    is_prometra: bool = False
    mri_date: date | None = None
    limited_by_shutoff: bool = False  # the pump's end of service comes before the reservoir's refill date
    margin_shortened: bool = False  # the margin could not be kept: the day after the fill (PUMP-FCST-005)

    @property
    def governing_alarm_date(self) -> date:
        """The alarm date the refill date is counted back from: the observed-rate one when earlier."""
        if self.observed_alarm_date is not None and self.observed_alarm_date < self.alarm_date:
            return self.observed_alarm_date
        return self.alarm_date

    @property
    def governing_empty_date(self) -> date:
        """The empty date "today" findings use: the observed-rate one when earlier."""
        if self.observed_empty_date is not None and self.observed_empty_date < self.empty_date:
            return self.observed_empty_date
        return self.empty_date

    @property
    def governing_remaining_ml(self) -> float | None:
        """Volume left at ``as_of``: at the observed rate when it is known (it is never more)."""
        if self.observed_remaining_ml_at_as_of is not None:
            return self.observed_remaining_ml_at_as_of
        return self.remaining_ml_at_as_of

    def _dated(self, observed: date, programmed: date) -> str:
        """``observed`` with the rate it comes from, and the programmed-rate date when they differ."""
        if observed < programmed:
            return (
                f"{observed.isoformat()} at the observed delivery rate (x {fmt(self.observed_rate_factor or 1.0, 4)}; "
                f"{programmed.isoformat()} at the programmed rate)"
            )
        return f"{programmed.isoformat()} at the programmed rate"

    @property
    def alarm_text(self) -> str:
        return self._dated(self.governing_alarm_date, self.alarm_date)

    @property
    def empty_text(self) -> str:
        return self._dated(self.governing_empty_date, self.empty_date)

    @property
    def past_shutoff(self) -> bool:
        """The fill date, or today, is on or after the planned shut-off (the pump may have stopped)."""
        if self.shutoff_date is None:
            return False
        return self.filled_date >= self.shutoff_date or (self.as_of is not None and self.as_of >= self.shutoff_date)

    def today_data(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "remaining_ml": self.governing_remaining_ml,
            "remaining_ml_at_programmed_rate": self.remaining_ml_at_as_of,
            "alarm_date": self.governing_alarm_date,
            "alarm_date_at_programmed_rate": self.alarm_date,
            "empty_date": self.governing_empty_date,
            "empty_date_at_programmed_rate": self.empty_date,
            "observed_rate_factor": self.observed_rate_factor,
        }


def _threshold_name(ctx: ForecastContext) -> str:
    return "low-reservoir alarm" if ctx.low_reservoir_is_audible_alarm else "programmer refill threshold"


def _fcst_reasoning(ctx: ForecastContext) -> Finding | None:
    if ctx.recommended_refill_date is None or ctx.volume_at_recommended_refill_ml is None:
        return None  # PUMP-FCST-003
    if ctx.governing_alarm_date < ctx.alarm_date:
        when = (
            f"the {_threshold_name(ctx)} ({fmt(ctx.low_reservoir_ml)} mL left) at the observed delivery rate "
            f"(x {fmt(ctx.observed_rate_factor or 1.0, 4)}) on {ctx.governing_alarm_date.isoformat()} (at the "
            f"programmed rate: {ctx.alarm_date.isoformat()})"
        )
    else:
        when = (
            f"the computed {_threshold_name(ctx)} ({fmt(ctx.low_reservoir_ml)} mL left) on {ctx.alarm_date.isoformat()}"
        )
    shortened = ctx.limited_by_shutoff or ctx.margin_shortened
    days = (ctx.governing_alarm_date - ctx.recommended_refill_date).days if shortened else ctx.margin_days
    return FCST_BEFORE_ALARM.finding(
        f"Refill by {ctx.recommended_refill_date.isoformat()}: {days} day(s) before {when}; "
        f"about {fmt(ctx.volume_at_recommended_refill_ml)} mL would remain.",
        reasoning=(
            "The low-reservoir alarm is calculated from the programmed rate, not measured: an over-infusing "
            "pump can empty early without it (S60). 24 % of patients had withdrawal symptoms while 2.1-3.8 "
            "mL remained (Neurosurgery2004). So the refill date is set before the alarm, never at it."
        ),
        data={
            "recommended_refill_date": ctx.recommended_refill_date,
            "alarm_date": ctx.alarm_date,
            "observed_alarm_date": ctx.observed_alarm_date,
            "margin_days": ctx.margin_days,
            "volume_at_recommended_refill_ml": ctx.volume_at_recommended_refill_ml,
        },
    )


FCST_BEFORE_ALARM = Rule(
    rule_id="PUMP-FCST-001",
    title="Refill date before the computed alarm",
    severity=Severity.INFO,
    evidence=("S60", "Neurosurgery2004"),
    check=_fcst_reasoning,
)


def _fcst_stability(ctx: ForecastContext) -> Finding | None:
    if not ctx.limited_by_stability:
        return None
    return FCST_STABILITY.finding(
        f"The refill date is set by drug stability: {ctx.max_refill_interval_days} days after filling "
        f"({ctx.stability_limit_date.isoformat()}), before the volume runs low.",
        reasoning="Maximum in-pump time for baclofen: 180 days (PARTLY VERIFIED, setting "
        "pump.max_refill_interval_days).",
        data={"stability_limit_date": ctx.stability_limit_date},
    )


FCST_STABILITY = Rule(
    rule_id="PUMP-FCST-002",
    title="Refill limited by drug stability",
    severity=Severity.INFO,
    evidence=("Stability2023", "S65"),
    check=_fcst_stability,
)


def _fcst_too_short(ctx: ForecastContext) -> Finding | None:
    if ctx.recommended_refill_date is not None:
        return None
    observed = " at the observed delivery rate" if ctx.governing_alarm_date < ctx.alarm_date else ""
    days = (ctx.governing_alarm_date - ctx.filled_date).days
    rate = f" ({fmt(ctx.daily_volume_ml, 4)} mL/day)" if ctx.daily_volume_ml is not None else ""
    return FCST_TOO_SHORT.finding(
        f"Refill not possible at this dose and volume: this fill reaches the {_threshold_name(ctx)}{observed} on "
        f"{ctx.governing_alarm_date.isoformat()}, {days} day(s) after the fill date {ctx.filled_date.isoformat()}; "
        "no refill date after the fill is before the alarm.",
        reasoning=(
            f"The program{rate} empties the reservoir down to the {fmt(ctx.low_reservoir_ml)} mL threshold by the "
            "day after the fill. The refill must come before the computed alarm: the alarm is calculated from the "
            "programmed rate, not measured (S60), and 24 % of patients had withdrawal symptoms while 2.1-3.8 mL "
            "remained (Neurosurgery2004). The rate in mL/day is the dose divided by the concentration: reservoirs "
            "hold 20 or 40 mL (S58, S67) and baclofen is available at 500, 1000 and 2000 mcg/mL (S34, S36)."
        ),
        data={
            "alarm_date": ctx.governing_alarm_date,
            "filled_date": ctx.filled_date,
            "margin_days": ctx.margin_days,
            "daily_volume_ml": ctx.daily_volume_ml,
            "refill_possible": False,
        },
        action=_REPLAN_ACTION,
    )


_REPLAN_ACTION = (
    "Do not rely on this fill: re-plan before filling. Use a higher concentration (up to 2000 mcg/mL) or a larger "
    "reservoir (fill volume) so that the fill outlasts the margin, or review whether this daily dose is intended "
    "(a 1000x or unit slip?). Until then keep intrathecal delivery uninterrupted."
)

FCST_TOO_SHORT = Rule(
    rule_id="PUMP-FCST-003",
    title="Refill not possible at this dose and volume: no date after the fill is before the alarm",
    severity=Severity.BLOCK,
    evidence=("S60", "Neurosurgery2004", "S58", "S67", "S34", "S36"),
    check=_fcst_too_short,
    settings=("pump.synchromed_ii.low_reservoir_alarm_ml", "pump.prometra_ii.refill_threshold_ml"),
)


def _fcst_margin_shortened(ctx: ForecastContext) -> Finding | None:
    if not ctx.margin_shortened or ctx.recommended_refill_date is None:
        return None
    before = (ctx.governing_alarm_date - ctx.recommended_refill_date).days
    observed = " at the observed delivery rate" if ctx.governing_alarm_date < ctx.alarm_date else ""
    rate = f" ({fmt(ctx.daily_volume_ml, 4)} mL/day)" if ctx.daily_volume_ml is not None else ""
    return FCST_MARGIN_SHORTENED.finding(
        f"Refill margin not kept: this fill reaches the {_threshold_name(ctx)}{observed} on "
        f"{ctx.governing_alarm_date.isoformat()}, {(ctx.governing_alarm_date - ctx.filled_date).days} day(s) after "
        f"the fill; the refill date is the day after the fill, {ctx.recommended_refill_date.isoformat()}, only "
        f"{before} day(s) before the alarm instead of the {ctx.margin_days}-day margin (setting "
        "pump.refill_margin_days).",
        reasoning=(
            f"The program{rate} leaves less time before the computed alarm than the clinic's scheduling margin. "
            "The refill is still strictly before the alarm, which is the sourced rule (S60); the margin itself "
            "is a project ASSUMPTION (no source gives a number), so falling short of it is a warning, not a block. "
            "The alarm is calculated from the programmed rate, not measured (S60), and 24 % of patients had "
            "withdrawal symptoms while 2.1-3.8 mL remained (Neurosurgery2004)."
        ),
        data={
            "recommended_refill_date": ctx.recommended_refill_date,
            "alarm_date": ctx.governing_alarm_date,
            "filled_date": ctx.filled_date,
            "margin_days": ctx.margin_days,
            "days_before_alarm": before,
            "daily_volume_ml": ctx.daily_volume_ml,
        },
        action=(
            "Refill no later than the date given. To keep the margin, use a higher concentration (up to 2000 "
            "mcg/mL) or a larger fill volume, or review whether this daily dose is intended (a 1000x or unit slip?)."
        ),
    )


FCST_MARGIN_SHORTENED = Rule(
    rule_id="PUMP-FCST-005",
    title="Refill margin not kept: the refill date is closer to the alarm than the configured margin",
    severity=Severity.WARN,
    evidence=("S60", "Neurosurgery2004"),
    check=_fcst_margin_shortened,
    settings=("pump.refill_margin_days",),
)


def _fcst_over_infusion(ctx: ForecastContext) -> Finding | None:
    if (
        ctx.over_infusion_alarm_date is None
        or ctx.flow_accuracy_percent is None
        or ctx.recommended_refill_date is None
        or ctx.over_infusion_alarm_date > ctx.recommended_refill_date
    ):
        return None
    factor = 1 + ctx.flow_accuracy_percent / 100.0
    status = ctx.flow_accuracy_status.upper() or "UNCONFIRMED"
    daily, volume = ctx.daily_volume_ml, ctx.volume_ml
    if daily is not None and volume is not None:
        rate = (
            f"at {fmt(daily, 4)} mL/day x {fmt(factor, 4)} = {fmt(daily * factor, 4)} mL/day, after "
            f"({fmt(volume)} - {fmt(ctx.low_reservoir_ml)}) mL / {fmt(daily * factor, 4)} mL/day = about "
            f"{fmt((volume - ctx.low_reservoir_ml) / (daily * factor), 1)} days (a flex program is integrated "
            "step by step)"
        )
    else:
        rate = f"at the programmed rate x {fmt(factor, 4)}"
    same = "on" if ctx.over_infusion_alarm_date == ctx.recommended_refill_date else "before"
    return FCST_OVER_INFUSION.finding(
        f"If the pump over-infuses by {fmt(ctx.flow_accuracy_percent, 1)} % (flow-accuracy spec, {status}), the "
        f"{_threshold_name(ctx)} comes on {ctx.over_infusion_alarm_date.isoformat()}, {same} the recommended "
        f"refill date {ctx.recommended_refill_date.isoformat()}: consider a shorter interval.",
        reasoning=(
            f"Over-infusing by {fmt(ctx.flow_accuracy_percent, 1)} %, the pump reaches the "
            f"{fmt(ctx.low_reservoir_ml)} mL {_threshold_name(ctx)} {rate} from the fill of "
            f"{ctx.filled_date.isoformat()}: {ctx.over_infusion_alarm_date.isoformat()}, instead of "
            f"{ctx.alarm_text}. "
            f"The {fmt(ctx.flow_accuracy_percent, 1)} % figure is {status} (setting "
            f"{ctx.flow_accuracy_setting or 'flow accuracy'}); clinically the pumps delivered on average +1 % "
            "to +2.5 % more than programmed (S62). The alarm is computed from the programmed rate, so an "
            "over-infusing pump empties before it sounds (S60)."
        ),
        data={
            "over_infusion_alarm_date": ctx.over_infusion_alarm_date,
            "recommended_refill_date": ctx.recommended_refill_date,
            "alarm_date": ctx.governing_alarm_date,
            "alarm_date_at_programmed_rate": ctx.alarm_date,
            "flow_accuracy_percent": ctx.flow_accuracy_percent,
            "flow_accuracy_status": ctx.flow_accuracy_status,
        },
    )


FCST_OVER_INFUSION = Rule(
    rule_id="PUMP-FCST-004",
    title="Alarm at the flow-accuracy limit on or before the refill date",
    severity=Severity.INFO,
    evidence=("S62", "S60"),
    check=_fcst_over_infusion,
)


def _refill_overdue(ctx: ForecastContext) -> Finding | None:
    # with no possible refill date (PUMP-FCST-003) the refill was due at the fill itself
    due = ctx.recommended_refill_date or ctx.filled_date
    if ctx.as_of is None or not due < ctx.as_of < ctx.governing_alarm_date:
        return None
    by = (
        f"recommended by {due.isoformat()}"
        if ctx.recommended_refill_date is not None
        else f"no refill date after the fill {due.isoformat()} was possible (PUMP-FCST-003)"
    )
    return REFILL_OVERDUE.finding(
        f"Refill overdue: {by}; the computed {_threshold_name(ctx)} comes on {ctx.alarm_text}.",
        reasoning="Late refills cause intrathecal baclofen withdrawal; the computed alarm cannot be relied on (S60).",
        data=ctx.today_data(),
        **_with_signs(ITB_WITHDRAWAL),
    )


REFILL_OVERDUE = Rule(
    rule_id="PUMP-REFILL-001",
    title="Refill overdue",
    severity=Severity.WARN,
    evidence=("S118", "S60"),
    check=_refill_overdue,
)


class ReservoirState(Enum):
    """The reservoir condition "today": at or below the low-reservoir threshold, or empty."""

    LOW = "low"
    EMPTY = "empty"


#: One condition, one severity (issue 9 item 10), for ``PUMP-REFILL-002/003`` and ``RISK-RESERVOIR-001/002``.
#: Low reservoir: the manufacturer's **non-critical** single-tone alarm (refill soon) [S56] [MedtronicAlarms];
#: the pump still delivers, but withdrawal was seen with 2.1-3.8 mL left [Neurosurgery2004] and the computed
#: alarm may lag an over-infusing pump [S60]: a warn (high risk), not a block. Empty: the drug "is no longer
#: flowing", the **critical** two-tone alarm, call immediately [S56] [S99] [MedtronicAlarms]; abrupt interruption
#: carries the boxed warning [S118] and can progress over 24-72 h to death [S69]: a block.
RESERVOIR_STATE_SEVERITY = MappingProxyType({ReservoirState.LOW: Severity.WARN, ReservoirState.EMPTY: Severity.BLOCK})


def reservoir_state(at: Any, low_at: Any, empty_at: Any) -> ReservoirState | None:
    """The reservoir condition at ``at``: the one decision both the pump forecast and the risk engine use.

    ``low_at`` / ``empty_at`` are when the governing delivery rate reaches the low-reservoir threshold and the
    residual (dates for the day-based forecast, pump-clock date-times for the risk engine; None: never within
    the forecast). On or after ``empty_at``: EMPTY; on or after ``low_at``: LOW; before: None.

    >>> reservoir_state(date(2026, 2, 6), date(2026, 2, 6), date(2026, 2, 10))
    <ReservoirState.LOW: 'low'>
    """
    if empty_at is not None and at >= empty_at:
        return ReservoirState.EMPTY
    if low_at is not None and at >= low_at:
        return ReservoirState.LOW
    return None


def _forecast_reservoir_state(ctx: ForecastContext) -> ReservoirState | None:
    if ctx.as_of is None:
        return None
    return reservoir_state(ctx.as_of, ctx.governing_alarm_date, ctx.governing_empty_date)


def _refill_low(ctx: ForecastContext) -> Finding | None:
    if _forecast_reservoir_state(ctx) is not ReservoirState.LOW:
        return None
    return REFILL_LOW.finding(
        f"The reservoir has reached the {_threshold_name(ctx)} ({fmt(ctx.low_reservoir_ml)} mL) on "
        f"{ctx.alarm_text}: empty on {ctx.empty_text}. Refill now.",
        reasoning=(
            "Withdrawal symptoms were seen with 2.1-3.8 mL still in the reservoir (Neurosurgery2004); an "
            "over-infusing pump may already be empty (S60)."
        ),
        data=ctx.today_data(),
        **_with_signs(ITB_WITHDRAWAL),
    )


REFILL_LOW = Rule(
    rule_id="PUMP-REFILL-002",
    title="Low reservoir reached",
    severity=RESERVOIR_STATE_SEVERITY[ReservoirState.LOW],
    evidence=("Neurosurgery2004", "S60", "S118", "S56", "MedtronicAlarms"),
    check=_refill_low,
    settings=("pump.synchromed_ii.low_reservoir_alarm_ml", "pump.prometra_ii.refill_threshold_ml"),
    conditions=("pump.reservoir.low",),
)


def _refill_empty(ctx: ForecastContext) -> Finding | None:
    if _forecast_reservoir_state(ctx) is not ReservoirState.EMPTY:
        return None
    return REFILL_EMPTY.finding(
        f"The reservoir is empty since {ctx.empty_text}: intrathecal delivery has stopped.",
        reasoning=(
            "An empty reservoir interrupts intrathecal baclofen: withdrawal can progress over 24-72 h to "
            "rhabdomyolysis, organ failure and death (S69, S118). Running a pump with an empty reservoir is "
            "also an over-infusion risk factor (S61)."
        ),
        data=ctx.today_data(),
        **_with_signs(ITB_WITHDRAWAL),
    )


REFILL_EMPTY = Rule(
    rule_id="PUMP-REFILL-003",
    title="Reservoir empty",
    severity=RESERVOIR_STATE_SEVERITY[ReservoirState.EMPTY],
    evidence=("S118", "S69", "S61", "S56", "S99", "MedtronicAlarms"),
    check=_refill_empty,
    settings=("pump.synchromed_ii.residual_volume_ml", "pump.prometra_ii.residual_volume_ml"),
    conditions=("pump.reservoir.empty",),
)


def _batt_due(ctx: ForecastContext) -> Finding | None:
    if ctx.replacement_date is None:
        return None
    before_refill = ctx.replacement_date <= (ctx.recommended_refill_date or ctx.governing_alarm_date)
    due_now = ctx.as_of is not None and ctx.replacement_date <= ctx.as_of
    if ctx.past_shutoff or not (before_refill or due_now):
        return None
    stop = f"; service ends by {ctx.shutoff_date.isoformat()}" if ctx.shutoff_date else ""
    return BATT_DUE.finding(
        f"Pump replacement due {ctx.replacement_date.isoformat()}{stop}"
        + (" (before the next refill)." if before_refill and not due_now else "."),
        reasoning=(
            "Schedule replacement about 6 months before automatic shut-off; after the elective-replacement "
            "indicator a SynchroMed II stops within 90 days (S55). End of pump life interrupts delivery "
            "(S69)."
        ),
        data={"replacement_date": ctx.replacement_date, "shutoff_date": ctx.shutoff_date},
        **_with_signs(ITB_WITHDRAWAL),
    )


BATT_DUE = Rule(
    rule_id="PUMP-BATT-001",
    title="Pump replacement due",
    severity=Severity.WARN,
    evidence=("S55", "S69"),
    check=_batt_due,
)


def _batt_past(ctx: ForecastContext) -> Finding | None:
    if not ctx.past_shutoff or ctx.shutoff_date is None:
        return None
    basis = f"; {ctx.shutoff_reason}" if ctx.shutoff_reason else ""
    if ctx.filled_date >= ctx.shutoff_date:
        message = (
            f"Filled on {ctx.filled_date.isoformat()}, on or after the pump's end of service "
            f"({ctx.shutoff_date.isoformat()}{basis}): the pump may already have stopped; this fill cannot be "
            "relied on."
        )
    else:
        message = f"The pump is past its end of service ({ctx.shutoff_date.isoformat()}{basis}): it may have stopped."
    return BATT_PAST.finding(
        message,
        reasoning=(
            "A pump at end of service stops delivering (S55); interruption causes withdrawal (S118). With a "
            "device-reported ERI date the pump stops 90 days after it (S55); only without one is the shut-off "
            "taken from the implant date and the planning service life (a DISAGREE setting, S55 vs S69): record "
            "the ERI status read from the pump."
        ),
        data={"shutoff_date": ctx.shutoff_date, "as_of": ctx.as_of, "filled_date": ctx.filled_date},
        **_with_signs(ITB_WITHDRAWAL),
    )


BATT_PAST = Rule(
    rule_id="PUMP-BATT-002",
    title="Pump past end of service",
    severity=Severity.BLOCK,
    evidence=("S55", "S118"),
    check=_batt_past,
    settings=("pump.synchromed_ii.planning_service_life_years", "pump.prometra_ii.planning_service_life_years"),
    conditions=("pump.battery.past_end_of_service",),
)

# --- Prometra and MRI (clinical.md §5.7) ----------------------------------------------------------------------

#: The one decision and texts for ``PUMP-MRI-001`` (pump forecast) and ``RISK-MRI-001`` (risk engine).
PROMETRA_MRI_EVIDENCE = ("S66", "PrometraIFU", "S100b")
PROMETRA_MRI_REASONING = (
    'Prometra: "Failure to empty the pump prior to exposure to MRI environment could result in drug overdose" '
    "(S66). Its flow-activated valve closes in a strong magnetic field and must be reset after the scan "
    "(PrometraIFU, p.14). The Prometra (I) was reclassified MR Unsafe in the EU in 2019 (S100b)."
)
PROMETRA_MRI_ACTION = (
    "Before the MRI: empty the pump reservoir (aspirate the drug) and bridge the patient against withdrawal. "
    "After the scan: reset and verify the flow-activated valve with the programmer, then refill and reprogram. "
    "Check the model's MR conditions first (Prometra I: MR Unsafe in the EU). Watch for overdose signs."
)


def prometra_mri_with_drug(is_prometra: bool, mri: Any, filled: Any) -> bool:
    """True when an MRI falls at or after the current fill of a Prometra pump (drug in the reservoir).

    ``mri`` and ``filled`` are dates (forecast) or date-times (risk engine). An MRI before the fill is followed
    by that fill, so it is not this fill's hazard.
    """
    return is_prometra and mri is not None and mri >= filled


def _mri_prometra(ctx: ForecastContext) -> Finding | None:
    if not prometra_mri_with_drug(ctx.is_prometra, ctx.mri_date, ctx.filled_date):
        return None
    assert ctx.mri_date is not None
    return MRI_PROMETRA.finding(
        f"MRI on {ctx.mri_date.isoformat()} during this {ctx.pump_name} fill (filled "
        f"{ctx.filled_date.isoformat()}): the pump must be emptied before the scan and its flow valve reset "
        "after it, or the patient risks an overdose.",
        reasoning=PROMETRA_MRI_REASONING,
        data={"mri_date": ctx.mri_date, "filled_date": ctx.filled_date},
        signs=ITB_OVERDOSE.signs,
        evidence=ITB_OVERDOSE.evidence,
        action=PROMETRA_MRI_ACTION,
    )


MRI_PROMETRA = Rule(
    rule_id="PUMP-MRI-001",
    title="Prometra pump with drug in it at an MRI",
    severity=Severity.BLOCK,
    evidence=PROMETRA_MRI_EVIDENCE,
    check=_mri_prometra,
    settings=(),
)


def _batt_before_refill(ctx: ForecastContext) -> Finding | None:
    if not ctx.limited_by_shutoff or ctx.past_shutoff or ctx.shutoff_date is None:
        return None
    refill = ctx.recommended_refill_date.isoformat() if ctx.recommended_refill_date else "none possible"
    return BATT_BEFORE_REFILL.finding(
        f"The reservoir outlasts the pump: its planned end of service {ctx.shutoff_date.isoformat()} comes "
        f"before the refill the reservoir needs (low-reservoir alarm {ctx.governing_alarm_date.isoformat()}). "
        f"The shut-off is the limiting date: replace the pump before {ctx.shutoff_date.isoformat()}; refill by "
        f"{refill} at the latest.",
        reasoning=(
            "A pump at end of service stops delivering (S55); the interruption causes withdrawal, which can "
            "progress over 24-72 h to rhabdomyolysis, organ failure and death (S118, S69). A refill date after "
            "the shut-off would never be reached with the pump running."
        ),
        data={
            "shutoff_date": ctx.shutoff_date,
            "limiting_date": ctx.shutoff_date,
            "recommended_refill_date": ctx.recommended_refill_date,
            "alarm_date": ctx.governing_alarm_date,
            "requires_acknowledgement": True,
        },
        **_with_signs(ITB_WITHDRAWAL),
    )


BATT_BEFORE_REFILL = Rule(
    rule_id="PUMP-BATT-003",
    title="Pump end of service before the reservoir's refill date",
    severity=Severity.BLOCK,
    evidence=("S55", "S118", "S69"),
    check=_batt_before_refill,
    settings=("pump.synchromed_ii.planning_service_life_years", "pump.prometra_ii.planning_service_life_years"),
)

FORECAST_RULES = (
    BATT_BEFORE_REFILL,
    MRI_PROMETRA,
    FCST_TOO_SHORT,
    FCST_MARGIN_SHORTENED,
    REFILL_EMPTY,
    REFILL_LOW,
    BATT_PAST,
    REFILL_OVERDUE,
    BATT_DUE,
    FCST_BEFORE_ALARM,
    FCST_STABILITY,
    FCST_OVER_INFUSION,
)


# =====================================================================================================
# Refill-visit reconciliation and trend
# =====================================================================================================


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
        **_with_signs(ITB_WITHDRAWAL),
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


# =====================================================================================================
# Oral -> intrathecal transition
# =====================================================================================================


@dataclass(frozen=True, slots=True)
class TransitionContext:
    oral_start_mg_per_day: float
    largest_oral_cut_percent: float
    max_oral_cut_percent: float
    other_oral_antispastics: tuple[str, ...]
    #: (from mg/day, to mg/day, cut as % of the dose being cut) for every step before the stop.
    cuts_of_current: tuple[tuple[float, float, float], ...] = ()
    #: The oral dose from which the taper stops (None when it does not end at zero).
    stop_from_mg_per_day: float | None = None


def _trans_steps(ctx: TransitionContext) -> Finding:
    stop = "" if ctx.stop_from_mg_per_day is None else f", stopping from {fmt(ctx.stop_from_mg_per_day)} mg/day"
    return TRANS_ORAL.finding(
        f"Taper oral baclofen from {fmt(ctx.oral_start_mg_per_day)} mg/day alongside intrathecal titration, "
        f"at most -{fmt(ctx.max_oral_cut_percent, 0)} % at one time{stop}, each step assessed within 24 h.",
        reasoning=(
            "Consensus: wean oral antispastics one drug at a time starting with oral baclofen; it may be "
            "decreased by 25-50 % at one time with assessment within 24 h, and kept available during "
            "titration for intrathecal withdrawal."
        ),
        data={
            "largest_oral_cut_percent": ctx.largest_oral_cut_percent,
            "largest_cut_percent_of_current": max((c for _, _, c in ctx.cuts_of_current), default=None),
            "stop_from_mg_per_day": ctx.stop_from_mg_per_day,
        },
        signs=ITB_WITHDRAWAL.signs,
        action=(
            "Keep oral baclofen available during intrathecal titration: 10-20 mg every 6 h may bridge a "
            "longer "
            "interruption of intrathecal delivery (S42). " + watch_text(ITB_WITHDRAWAL)
        ),
        evidence=ITB_WITHDRAWAL.evidence + ("S42",),
    )


TRANS_ORAL = Rule(
    rule_id="ITB-TRANS-001",
    title="Oral taper alongside intrathecal titration",
    severity=Severity.INFO,
    evidence=("S40",),
    check=_trans_steps,
)


def _trans_others(ctx: TransitionContext) -> Finding | None:
    if not ctx.other_oral_antispastics:
        return None
    return TRANS_OTHERS.finding(
        f"Other oral antispastics ({', '.join(ctx.other_oral_antispastics)}): wean them one at a time, after "
        "oral baclofen.",
        reasoning="Consensus: wean oral antispastics one drug at a time, starting with oral baclofen.",
        data={"other_oral_antispastics": list(ctx.other_oral_antispastics)},
    )


TRANS_OTHERS = Rule(
    rule_id="ITB-TRANS-002",
    title="One oral antispastic at a time",
    severity=Severity.INFO,
    evidence=("S40",),
    check=_trans_others,
)


def _trans_cut_of_current(ctx: TransitionContext) -> Finding | None:
    over = [(a, b, c) for a, b, c in ctx.cuts_of_current if c > ctx.max_oral_cut_percent * (1 + _REL)]
    if not over:
        return None
    a, b, c = max(over, key=lambda x: x[2])
    return TRANS_CUT_OF_CURRENT.finding(
        f"The oral step {fmt(a)} -> {fmt(b)} mg/day cuts {fmt(c, 0)} % of the dose being cut, more than the "
        f"configured {fmt(ctx.max_oral_cut_percent, 0)} %.",
        reasoning=(
            "Consensus allows oral baclofen to be decreased by 25-50 % at one time with assessment within 24 h; "
            "the oral taper's steps are even in mg/day, so near the end a step is a larger share of the dose. "
            "Setting itb.transition.max_oral_cut_percent."
        ),
        data={"steps_over": [[x, y, z] for x, y, z in over], "max_oral_cut_percent": ctx.max_oral_cut_percent},
        action="Assess within 24 h of that step and hold the step longer if spasticity or withdrawal signs "
        "return; or accept 50 %. " + watch_text(ITB_WITHDRAWAL),
        signs=ITB_WITHDRAWAL.signs,
        evidence=ITB_WITHDRAWAL.evidence,
    )


TRANS_CUT_OF_CURRENT = Rule(
    rule_id="ITB-TRANS-003",
    title="Oral cut above the configured share of the current dose",
    severity=Severity.WARN,
    evidence=("S40",),
    check=_trans_cut_of_current,
)

TRANSITION_RULES = (TRANS_ORAL, TRANS_OTHERS, TRANS_CUT_OF_CURRENT)

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`), by area:
#: ITB-* (screening, dosing, concentrations, transition, plausibility ranges) and PUMP-* (programs, reservoir,
#: refills, battery, reconciliation).
ITB_DEFINED_RULES: tuple[Rule[Any], ...] = (
    *SCREENING_RULES,
    *INITIAL_DOSE_RULES,
    *DOSE_CHANGE_RULES,
    TITR_CEILING,
    *DOSE_LEVEL_RULES,
    LIMIT_DOSE,
    LIMIT_CONCENTRATION,
    LIMIT_VOLUME,
    LIMIT_SCREENING,
    *CONCENTRATION_RULES,
    *CONCENTRATION_CHANGE_RULES,
    *TRANSITION_RULES,
    TRANS_CEILING,
)
PUMP_DEFINED_RULES: tuple[Rule[Any], ...] = (
    *PROGRAM_RULES,
    ADMIXTURE,
    *FORECAST_RULES,
    *RECONCILE_RULES,
    *TREND_RULES,
    *DELIVERY_RULES,
    *NEXT_REFILL_RULES,
    *REFILL_VOLUME_RULES,
)
