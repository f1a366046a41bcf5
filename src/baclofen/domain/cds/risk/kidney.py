"""RISK-KIDNEY-*: oral exposure excess in kidney failure (dialysis, or the severe CrCl band) and above 20 mg/day in
CKD."""

from __future__ import annotations

from typing import Any

from baclofen.domain.cds.risk.context import EPS, RiskContext, RiskLevel, risk_finding
from baclofen.domain.cds.risk.oral import oral_cap
from baclofen.domain.oral.limits import (
    CKD_CRCL_ML_MIN,
    CKD_HIGH_DOSE_MG_PER_DAY,
    DIALYSIS_MAX_START_MG_PER_DAY,
    KidneyBand,
    kidney_band,
    kidney_reduced_max_mg_per_day,
)
from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.rules.oral import KIDNEY_REDUCTION_SEVERITY
from baclofen.domain.signs import ORAL_OVERDOSE


def _kidney(ctx: RiskContext) -> tuple[Any, float, str, dict[str, Any]] | None:
    patient = ctx.timeline.patient
    dose = ctx.oral_dose_today_mg
    if patient is None or dose <= 0 or not patient.kidney.is_known:
        return None
    k = patient.kidney
    where = "on dialysis" if k.dialysis else f"CrCl {k.crcl_ml_min:g} mL/min"
    return k, dose, where, {"daily_dose_mg": dose, "crcl_ml_min": k.crcl_ml_min, "dialysis": k.dialysis}


def _check_kidney_failure(ctx: RiskContext) -> Finding | None:
    state = _kidney(ctx)
    if state is None:
        return None
    k, dose, where, data = state
    if k.dialysis:
        # The dialysis dose, about 5 mg daily, is tied to dialysis only [S14] [S15].
        limit = float(ctx.value(DIALYSIS_MAX_START_MG_PER_DAY))
        why = (
            "Baclofen is cleared unchanged by the kidney: dialysis-dependent patients need a particularly low dose "
            "(about 5 mg daily); toxicity appears on low doses in kidney failure."
        )
        what = f"above about {limit:g} mg/day, the dialysis dose"
    elif k.crcl_ml_min is not None and kidney_band(k.crcl_ml_min) is KidneyBand.SEVERE:
        # Without dialysis, the planner's reduction of the severe band (x 1/3 [S22]) applied to the maximum.
        cap, _, cap_why, _ = oral_cap(ctx)
        limit = kidney_reduced_max_mg_per_day(cap, k.crcl_ml_min)
        band = KidneyBand.SEVERE
        why = (
            f"Baclofen is cleared unchanged by the kidney; in the renal PK study severe CKD ({band.crcl_range}) "
            f"needed a mean {band.reduction_text} dose reduction, the reduction the planner applies: {cap_why} "
            f"reduced by {band.reduction_text} is {limit:.3g} mg/day. Toxicity appears on low doses in kidney failure."
        )
        what = f"above {limit:.3g} mg/day, the kidney-reduced maximum"
    else:
        return None
    # One condition, one severity: above the dialysis dose blocks as ORAL-DIALYSIS-002 does; above the severe
    # band's reduction (one PK study, S22) warns as ORAL-RENAL-003 does (KIDNEY_REDUCTION_SEVERITY).
    severity = Severity.BLOCK if k.dialysis else KIDNEY_REDUCTION_SEVERITY
    if dose <= limit + EPS:
        return None
    return risk_finding(
        KIDNEY_HIGH,
        RiskLevel.HIGH,
        f"Oral baclofen {dose:g} mg/day {where}: exposure excess ({what})",
        why,
        data | {"threshold_mg_per_day": limit},
        ORAL_OVERDOSE,
        "Review the dose today; watch for drowsiness, confusion and breathing problems.",
        severity=severity,
    )


def _check_kidney_ckd(ctx: RiskContext) -> Finding | None:
    state = _kidney(ctx)
    if state is None or _check_kidney_failure(ctx) is not None:
        return None
    k, dose, where, data = state
    ckd = float(ctx.value(CKD_CRCL_ML_MIN))
    in_ckd = k.dialysis or (k.crcl_ml_min is not None and k.crcl_ml_min < ckd)
    if not in_ckd or dose <= CKD_HIGH_DOSE_MG_PER_DAY + EPS:
        return None
    return risk_finding(
        KIDNEY_MODERATE,
        RiskLevel.MODERATE,
        f"Oral baclofen {dose:g} mg/day with {where}: above {CKD_HIGH_DOSE_MG_PER_DAY:g} mg/day in CKD",
        "In CKD, doses > 20 mg/day carried a 3.5-fold risk of hospitalisation with encephalopathy "
        f"(CKD here: CrCl < {ckd:g} mL/min, {CKD_CRCL_ML_MIN.name}).",
        data,
        ORAL_OVERDOSE,
        "Consider a lower dose; watch for confusion and drowsiness.",
    )


KIDNEY_HIGH: Rule[RiskContext] = Rule(
    "RISK-KIDNEY-001",
    "Oral exposure excess in kidney failure",
    Severity.BLOCK,  # on dialysis; the severe band without dialysis warns (see _check_kidney_failure)
    ("S14", "S15", "S22", "S111"),
    _check_kidney_failure,
    settings=("oral.dialysis_start_mg_per_day",),
    conditions=("baclofen.oral.above_dialysis_dose",),
)
KIDNEY_MODERATE: Rule[RiskContext] = Rule(
    "RISK-KIDNEY-002", "Oral dose above 20 mg/day in CKD", Severity.WARN, ("S23",), _check_kidney_ckd
)


#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (KIDNEY_HIGH, KIDNEY_MODERATE)
