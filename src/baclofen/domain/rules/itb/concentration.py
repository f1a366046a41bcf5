"""Concentration rules (``ITB-CONC-*``): a concentration the pump is not labelled for, and a change of concentration
(reprogramming, clearing the old drug, priming, the pump's internal volume).

The contexts are built by :mod:`baclofen.domain.itb.pumps` and :mod:`baclofen.domain.itb.concentration`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.rules.itb._common import fmt, watch_signs
from baclofen.domain.signs import ITB_OVERDOSE, ITB_WITHDRAWAL

__all__ = [
    "CONCENTRATION_CHANGE_RULES",
    "CONCENTRATION_RULES",
    "CONC_CLEARING",
    "CONC_INTERNAL_VOLUME",
    "CONC_LABELLED",
    "CONC_PRIMING",
    "CONC_REPROGRAM",
    "ConcentrationChangeContext",
    "ConcentrationContext",
    "DEFINED_RULES",
]


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
        **watch_signs(sign_set),
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
        **watch_signs(sign_set),
    )


CONC_CLEARING = Rule(
    rule_id="ITB-CONC-005",
    title="Old solution in the catheter: bridge bolus",
    severity=Severity.WARN,
    evidence=("S64", "S118"),
    check=_conc_clearing,
)

CONCENTRATION_CHANGE_RULES = (CONC_REPROGRAM, CONC_CLEARING, CONC_PRIMING, CONC_INTERNAL_VOLUME)

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (*CONCENTRATION_RULES, *CONCENTRATION_CHANGE_RULES)
