"""Plausibility limits (``ITB-LIMIT-*``): doses, concentrations, pump volumes and screening doses outside what the
sources report or a pump can deliver, and a likely mg/mcg confusion.

The ranges are named settings in :mod:`baclofen.domain.itb.limits`, which builds the context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.rules.itb._common import REL_TOLERANCE, fmt
from baclofen.domain.units import likely_unit_slip

__all__ = [
    "DEFINED_RULES",
    "LIMIT_CONCENTRATION",
    "LIMIT_DOSE",
    "LIMIT_SCREENING",
    "LIMIT_VOLUME",
    "PlausibleRangeContext",
]


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
    below = v < ctx.low * (1 - REL_TOLERANCE)
    above = ctx.high is not None and v > ctx.high * (1 + REL_TOLERANCE)
    off_ladder = (
        bool(ctx.ladder) and not below and not above and not any(abs(v - d) <= REL_TOLERANCE * d for d in ctx.ladder)
    )
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

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (LIMIT_DOSE, LIMIT_CONCENTRATION, LIMIT_VOLUME, LIMIT_SCREENING)
