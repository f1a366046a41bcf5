"""Screening trial rules (``ITB-SCREEN-*``): the next screening step, the interval between doses, the response
that makes a candidate or not, the starting dose and the Ashworth reading.

The context is built by :mod:`baclofen.domain.itb.screening`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.rules.itb._common import fmt, watch_signs, watch_text
from baclofen.domain.signs import ITB_OVERDOSE

__all__ = [
    "DEFINED_RULES",
    "SCREENING_RULES",
    "SCREEN_ASHWORTH",
    "SCREEN_CANDIDATE",
    "SCREEN_INTERVAL",
    "SCREEN_LOW_START",
    "SCREEN_NEXT",
    "SCREEN_NOT_CANDIDATE",
    "ScreeningContext",
]


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
                    **watch_signs(ITB_OVERDOSE),
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

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = SCREENING_RULES
