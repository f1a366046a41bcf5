"""Dose ranges cut at the daily-dose ceiling: the titration range (``ITB-TITR-006``) and the transition envelope
(``ITB-TRANS-004``), one check for both.

The contexts are built by :mod:`baclofen.domain.itb.dosing` and :mod:`baclofen.domain.itb.transition`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.rules.itb._common import REL_TOLERANCE, fmt

__all__ = [
    "DEFINED_RULES",
    "RangeCeilingContext",
    "TITR_CEILING",
    "TRANS_CEILING",
]


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
    if ctx.unclamped_max_mcg_per_day <= ctx.ceiling_mcg_per_day * (1 + REL_TOLERANCE):
        return None
    hard = ctx.ceiling_mcg_per_day >= ctx.highest_reported_mcg_per_day * (1 - REL_TOLERANCE)
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

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (TITR_CEILING, TRANS_CEILING)
