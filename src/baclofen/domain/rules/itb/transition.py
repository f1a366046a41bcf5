"""Oral -> intrathecal transition rules (``ITB-TRANS-001..003``): the oral steps, other antispastic drugs and the oral
cut against the current dose.

``ITB-TRANS-004`` (the envelope cut at the daily-dose limit) is in :mod:`.ceiling`. The context is built by
:mod:`baclofen.domain.itb.transition`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.rules.itb._common import REL_TOLERANCE, fmt, watch_text
from baclofen.domain.signs import ITB_WITHDRAWAL

__all__ = [
    "DEFINED_RULES",
    "TRANSITION_RULES",
    "TRANS_CUT_OF_CURRENT",
    "TRANS_ORAL",
    "TRANS_OTHERS",
    "TransitionContext",
]


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
    over = [(a, b, c) for a, b, c in ctx.cuts_of_current if c > ctx.max_oral_cut_percent * (1 + REL_TOLERANCE)]
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

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = TRANSITION_RULES
