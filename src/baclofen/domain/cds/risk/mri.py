"""RISK-MRI-001: an MRI with drug in a Prometra pump (clinical.md §5.7), the pump forecast's PUMP-MRI-001 decision."""

from __future__ import annotations

from typing import Any

from baclofen.domain.cds.risk.context import RiskContext, RiskLevel, risk_finding
from baclofen.domain.itb.pumps import PumpFamily
from baclofen.domain.rules.core import Finding, Rule
from baclofen.domain.rules.itb import MRI_PROMETRA, PROMETRA_MRI_ACTION, PROMETRA_MRI_REASONING, prometra_mri_with_drug
from baclofen.domain.signs import ITB_OVERDOSE


def _check_mri_prometra(ctx: RiskContext) -> Finding | None:
    pump = ctx.timeline.pump
    if pump is None:
        return None
    prometra = pump.model.family is PumpFamily.PROMETRA_II
    filled = pump.refills[-1].time if pump.refills else None
    scans = [m for m in pump.mri if filled is None or prometra_mri_with_drug(prometra, m, filled)]
    if not prometra or not scans:
        return None
    mri = scans[-1]
    when = "planned" if mri > ctx.as_of else "done"
    return risk_finding(
        MRI_PROMETRA_RISK,
        RiskLevel.HIGH,
        f"MRI {when} on {mri.isoformat()} with drug in the {pump.model.name} (last fill "
        f"{filled.isoformat() if filled else 'not recorded'}): empty the pump before, reset the flow valve after",
        PROMETRA_MRI_REASONING,
        {"mri": mri, "last_refill": filled, "planned": mri > ctx.as_of},
        ITB_OVERDOSE,
        PROMETRA_MRI_ACTION,
        severity=MRI_PROMETRA.severity,
    )


# One condition, one severity: the pump forecast's PUMP-MRI-001 (same decision, texts and severity).
MRI_PROMETRA_RISK: Rule[RiskContext] = Rule(
    "RISK-MRI-001",
    MRI_PROMETRA.title,
    MRI_PROMETRA.severity,
    MRI_PROMETRA.evidence,
    _check_mri_prometra,
    settings=MRI_PROMETRA.settings,
)


#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (MRI_PROMETRA_RISK,)
