"""Exposure findings: what a simulation shows that a clinician must see, with reasoning and sources.

Rules (stable ids):

* ``PK-BAND-001`` warn: the typical concentration enters the "encephalopathy reported" band;
* ``PK-BAND-002`` warn: it enters the "overdose range";
* ``PK-BAND-003`` info: it enters the "caution" band (and no higher one);
* ``PK-BAND-004`` warn: in a virtual population, 5% or more of subjects (95th percentile of Cmax) reach the
  "encephalopathy reported" band;
* ``PK-KIDNEY-001`` warn: no kidney function was given for a patient described as having kidney disease:
  the simulation is kidney-naive and does not apply (journeys.md #7);
* ``PK-KIDNEY-002`` info: no kidney function was given: normal (reference) function was assumed;
* ``PK-KIDNEY-003`` warn: CrCl < 30 mL/min or dialysis: exposure x-fold, half-life, sources' advice;
* ``PK-KIDNEY-004`` info: CrCl 30-80 mL/min: exposure x-fold and the dose reduction the PK study proposes;
* ``PK-DIALYSIS-001`` info: haemodialysis sessions simulated, or none (accumulation between sessions only);
* ``PK-MODEL-001`` info: variant B (Kochak) selected: its scope and assumptions;
* ``PK-ITB-001`` info: intrathecal predictions are lumbar, typical and uncertain;
* ``PK-PLAN-001`` warn: a plan step's daily dose differs from the sum of its doses;
* ``PK-DOSE-001`` warn: an oral dose 1000x from the plausible single doses (a likely mg/mcg slip).

The intrathecal plausibility findings of a simulation (ITB-DOSE-*, ITB-LIMIT-*) are those of
:mod:`baclofen.domain.itb.limits`, added by the simulation service.

The band edges are settings (``pk.band.*``); kidney group boundaries are the Cockcroft-Gault groups of
the renal PK study ([S22]: > 80, 50-80, 30-50, < 30 mL/min) and the avoidance threshold of [AJKD2017].
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from baclofen.domain.oral.limits import (
    LOWEST_PLAUSIBLE_SINGLE_DOSE_MG,
    ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG,
    likely_intended_oral_dose_mg,
)
from baclofen.domain.pk.bands import Band
from baclofen.domain.pk.parameters import IntrathecalParameters, OralModel
from baclofen.domain.rules.core import Finding, Rule, Severity, evaluate_rules
from baclofen.domain.signs import ORAL_OVERDOSE

SEVERE_CKD_CRCL_ML_MIN = 30.0
"""Below 30 mL/min/1.73 m2 or on renal replacement: avoid baclofen [AJKD2017]; severe group of [S22]."""
MILD_CKD_UPPER_CRCL_ML_MIN = 80.0
"""Upper edge of the mild CKD group (50-80 mL/min) of the renal PK study [S22]."""
POPULATION_UPPER_PERCENTILE = "95"
"""The population finding reads the 95th percentile of per-subject Cmax (a reporting convention)."""


@dataclass(frozen=True)
class ExposureContext:
    """What the exposure rules look at (all plain values)."""

    route: str = "oral"
    max_concentration_ng_per_ml: float | None = None
    time_of_max_h: float | None = None
    bands: tuple[Band, ...] = ()
    first_time_in_band_h: Mapping[str, float | None] = field(default_factory=dict)
    kidney_given: bool = True
    crcl_used_ml_min: float | None = None
    dialysis: bool = False
    described_as_renal: bool = False
    renal_reasons: tuple[str, ...] = ()
    auc_ratio_vs_reference_kidney: float = 1.0
    half_life_h: float | None = None
    reference_half_life_h: float | None = None
    dialysis_sessions: int = 0
    half_life_during_dialysis_h: float | None = None
    model: OralModel = OralModel.DEFAULT
    population_cmax_upper_ng_per_ml: float | None = None
    population_fraction_cmax_in_encephalopathy_band: float | None = None
    plan_step_mismatches: tuple[tuple[int, float, float], ...] = ()
    intrathecal: IntrathecalParameters | None = None
    #: The single oral dose typed by the user (``simulate oral``), mg; checked for a 1000x slip.
    oral_dose_mg: float | None = None


def _band(ctx: ExposureContext, name: str) -> Band | None:
    for b in ctx.bands:
        if b.name == name:
            return b
    return None


def _entered(ctx: ExposureContext, name: str) -> bool:
    return ctx.first_time_in_band_h.get(name) is not None


def _band_message(ctx: ExposureContext, band: Band) -> tuple[str, str, dict[str, object]]:
    t = ctx.first_time_in_band_h.get(band.name)
    message = (
        f"The typical concentration reaches {ctx.max_concentration_ng_per_ml:.0f} ng/mL and enters the "
        f"'{band.label}' band (>= {band.lower_ng_per_ml:g} ng/mL) from {t:g} h."
    )
    reasoning = (
        f"Simulated plasma concentration of the typical subject against the literature-anchored bands "
        f"(pk-models.md §5.2). These are heuristics, not a validated PD model; tolerance matters. "
        f"Peak {ctx.max_concentration_ng_per_ml:.0f} ng/mL at {ctx.time_of_max_h:g} h."
    )
    data: dict[str, object] = {
        "max_concentration_ng_per_ml": ctx.max_concentration_ng_per_ml,
        "first_time_h": t,
        "band_lower_ng_per_ml": band.lower_ng_per_ml,
        "time_of_max_h": ctx.time_of_max_h,
    }
    return message, reasoning, data


def _check_encephalopathy(ctx: ExposureContext) -> Finding | None:
    band = _band(ctx, "encephalopathy_reported")
    if band is None or not _entered(ctx, band.name) or _entered(ctx, "overdose_range"):
        return None
    message, reasoning, data = _band_message(ctx, band)
    return PK_BAND_001.finding(
        message,
        reasoning=reasoning + " Encephalopathy and coma were reported at such "
        "levels, especially with kidney impairment.",
        data=data,
        evidence=band.evidence,
        signs=ORAL_OVERDOSE.signs,
        action=ORAL_OVERDOSE.action,
    )


def _check_overdose(ctx: ExposureContext) -> Finding | None:
    band = _band(ctx, "overdose_range")
    if band is None or not _entered(ctx, band.name):
        return None
    message, reasoning, data = _band_message(ctx, band)
    return PK_BAND_002.finding(
        message,
        reasoning=reasoning + " Levels seen in acute intoxications of non-tolerant patients.",
        data=data,
        evidence=band.evidence,
        signs=ORAL_OVERDOSE.signs,
        action=ORAL_OVERDOSE.action,
    )


def _check_caution(ctx: ExposureContext) -> Finding | None:
    band = _band(ctx, "caution")
    if band is None or not _entered(ctx, band.name) or _entered(ctx, "encephalopathy_reported"):
        return None
    message, reasoning, data = _band_message(ctx, band)
    return PK_BAND_003.finding(
        message,
        reasoning=reasoning + " Above the range quoted as usual by clinical labs.",
        data=data,
        evidence=band.evidence,
    )


def _check_population(ctx: ExposureContext) -> Finding | None:
    band = _band(ctx, "encephalopathy_reported")
    upper = ctx.population_cmax_upper_ng_per_ml
    if band is None or upper is None or upper < band.lower_ng_per_ml:
        return None
    frac = ctx.population_fraction_cmax_in_encephalopathy_band
    share = "" if frac is None else f" ({100 * frac:.1f}% of subjects)"
    return PK_BAND_004.finding(
        f"In the virtual population the {POPULATION_UPPER_PERCENTILE}th percentile of Cmax is {upper:.0f} "
        f"ng/mL: "
        f"5% or more of subjects{share} reach the '{band.label}' band.",
        reasoning="Between-subject variability (Simon 2018 log-normal IIV) spreads exposure; the band is a "
        "literature-anchored heuristic (pk-models.md §5.2).",
        data={
            "cmax_percentile": POPULATION_UPPER_PERCENTILE,
            "cmax_ng_per_ml": upper,
            "fraction_of_subjects": frac,
            "band_lower_ng_per_ml": band.lower_ng_per_ml,
        },
        evidence=band.evidence,
        signs=ORAL_OVERDOSE.signs,
        action=ORAL_OVERDOSE.action,
    )


def _check_kidney_naive_for_renal_patient(ctx: ExposureContext) -> Finding | None:
    if ctx.kidney_given or not ctx.described_as_renal:
        return None
    return PK_KIDNEY_001.finding(
        "This simulation assumes normal kidney function, but the patient is described as having kidney "
        "disease: "
        "it does not apply to this patient. Give the creatinine clearance or dialysis status.",
        reasoning="Baclofen is excreted mainly unchanged by the kidney; clearance falls with CrCl and "
        "exposure "
        f"rises up to about 5-fold in anuria (pk-models.md §3.2). Described as renal because: "
        f"{'; '.join(ctx.renal_reasons) or 'stated'}.",
        data={"crcl_used_ml_min": ctx.crcl_used_ml_min, "reasons": list(ctx.renal_reasons)},
        signs=ORAL_OVERDOSE.signs,
        action="Repeat the simulation with the patient's CrCl (or dialysis) before using it; " + ORAL_OVERDOSE.action,
    )


def _check_kidney_not_given(ctx: ExposureContext) -> Finding | None:
    if ctx.kidney_given or ctx.described_as_renal:
        return None
    return PK_KIDNEY_002.finding(
        f"Kidney function was not given: normal function (CrCl {ctx.crcl_used_ml_min:g} mL/min) was assumed.",
        reasoning="The renal covariate scales clearance with CrCl (pk-models.md §3.2); without a CrCl the "
        "simulation applies only to patients with normal kidney function.",
        data={"crcl_used_ml_min": ctx.crcl_used_ml_min},
    )


def _check_severe_kidney(ctx: ExposureContext) -> Finding | None:
    if not ctx.kidney_given:
        return None
    severe = ctx.dialysis or (ctx.crcl_used_ml_min is not None and ctx.crcl_used_ml_min < SEVERE_CKD_CRCL_ML_MIN)
    if not severe:
        return None
    who = "on dialysis" if ctx.dialysis else f"with CrCl {ctx.crcl_used_ml_min:g} mL/min"
    return PK_KIDNEY_003.finding(
        f"For a patient {who} the simulated exposure is {ctx.auc_ratio_vs_reference_kidney:.1f}x that with "
        f"normal "
        f"kidney function; half-life {ctx.half_life_h:.1f} h (normal {ctx.reference_half_life_h:.1f} h), so "
        "concentrations keep rising for days.",
        reasoning="Renal covariate CL/F = 11.6 x [f_nr + (1 - f_nr) CrCl/110] (pk-models.md §3.2); toxicity "
        "is "
        "reported in kidney disease at 5-60 mg/day (mean 20 mg), onset 2-3 days; a case review advises "
        "avoiding baclofen below 30 mL/min/1.73 m2 or on renal replacement therapy. The model's clearance "
        "without kidney function (the non-renal fraction, setting pk.renal.nonrenal_fraction) is derived from "
        "single 5 mg doses in CKD, not measured in dialysis patients: a haemodialysis patient with "
        "encephalopathy on 5 mg/day had > 600 ng/mL, far above this model's typical prediction, so an "
        "individual's exposure can be much higher than shown; judge toxicity clinically.",
        data={
            "auc_ratio_vs_reference_kidney": ctx.auc_ratio_vs_reference_kidney,
            "half_life_h": ctx.half_life_h,
            "reference_half_life_h": ctx.reference_half_life_h,
            "crcl_used_ml_min": ctx.crcl_used_ml_min,
            "dialysis": ctx.dialysis,
            "threshold_crcl_ml_min": SEVERE_CKD_CRCL_ML_MIN,
        },
        signs=ORAL_OVERDOSE.signs,
        action=ORAL_OVERDOSE.action,
    )


def _check_moderate_kidney(ctx: ExposureContext) -> Finding | None:
    crcl = ctx.crcl_used_ml_min
    if not ctx.kidney_given or ctx.dialysis or crcl is None:
        return None
    if not SEVERE_CKD_CRCL_ML_MIN <= crcl < MILD_CKD_UPPER_CRCL_ML_MIN:
        return None
    return PK_KIDNEY_004.finding(
        f"With CrCl {crcl:g} mL/min the simulated exposure is {ctx.auc_ratio_vs_reference_kidney:.2f}x that "
        f"with "
        f"normal kidney function (half-life {ctx.half_life_h:.1f} h).",
        reasoning="The renal PK study proposes mean dose reductions of 1/3 (50-80 mL/min) and 1/2 (30-50 "
        "mL/min); "
        "the renal covariate reproduces these exposure ratios (pk-models.md §3.2).",
        data={
            "auc_ratio_vs_reference_kidney": ctx.auc_ratio_vs_reference_kidney,
            "crcl_used_ml_min": crcl,
            "half_life_h": ctx.half_life_h,
        },
    )


def _check_dialysis(ctx: ExposureContext) -> Finding | None:
    if not ctx.dialysis:
        return None
    if ctx.dialysis_sessions:
        message = (
            f"{ctx.dialysis_sessions} haemodialysis session(s) simulated: half-life during a session "
            f"{ctx.half_life_during_dialysis_h:.1f} h, between sessions {ctx.half_life_h:.1f} h."
        )
    else:
        message = (
            "No haemodialysis session was given: the simulation shows accumulation as if no session "
            f"took place (half-life {ctx.half_life_h:.1f} h between sessions)."
        )
    return PK_DIALYSIS_001.finding(
        message,
        reasoning="Haemodialysis clearance 7.7 L/h (128 mL/min) measured in one patient is added during "
        "sessions; "
        "between sessions no residual renal function is assumed unless a CrCl is given.",
        data={
            "sessions": ctx.dialysis_sessions,
            "half_life_h": ctx.half_life_h,
            "half_life_during_dialysis_h": ctx.half_life_during_dialysis_h,
        },
    )


def _check_model(ctx: ExposureContext) -> Finding | None:
    if ctx.model is not OralModel.KOCHAK:
        return None
    return PK_MODEL_001.finding(
        "Variant B (Kochak two-compartment) was used: meant for healthy, fasted, single-dose scenarios.",
        reasoning="Disposition derived from Kochak 1985's alpha, beta, Vc/F and CL/F; its oral ka is "
        "UNCONFIRMED "
        "(1.0 /h calibrated); no published variability, Simon 2018's CVs are borrowed (assumption).",
        data={"model": ctx.model.value},
    )


def _check_itb(ctx: ExposureContext) -> Finding | None:
    if ctx.route != "intrathecal":
        return None
    it = ctx.intrathecal or IntrathecalParameters()
    changed = it != IntrathecalParameters()
    return PK_ITB_001.finding(
        "CSF concentrations are typical lumbar predictions; levels near the catheter tip are higher and the "
        "CSF "
        "clearance varies widely between patients.",
        reasoning=f"One-compartment lumbar CSF model (CL {it.csf_clearance_ml_per_h:g} mL/h, t1/2 "
        f"{it.csf_half_life_h:g} h, V {it.csf_volume_ml:.0f} mL derived"
        + ("; settings changed from the defaults CL 30 mL/h, t1/2 1.51 h, ke0 0.12 /h" if changed else "")
        + ") from the label via a "
        "secondary source; 4 patients showed 13-80 mL/h; a steep spinal gradient near the catheter tip "
        f"(Heetla 2016). The effect-site delay (ke0 {it.ke0_per_h:g} /h) is calibrated to a peak effect about "
        "4 h after a bolus.",
        data=it.to_dict(),
    )


def _check_plan_steps(ctx: ExposureContext) -> Finding | None:
    if not ctx.plan_step_mismatches:
        return None
    i, stated, summed = ctx.plan_step_mismatches[0]
    return PK_PLAN_001.finding(
        f"Plan step {i + 1} states {stated:g} mg/day but its doses add up to {summed:g} mg: the doses were simulated.",
        reasoning="The plan file is inconsistent; the simulation uses the individual doses.",
        data={
            "steps": [{"index": j, "daily_dose_mg": s, "sum_of_doses_mg": t} for j, s, t in ctx.plan_step_mismatches]
        },
    )


def _check_oral_dose_slip(ctx: ExposureContext) -> Finding | None:
    if ctx.route != "oral" or ctx.oral_dose_mg is None:
        return None
    meant = likely_intended_oral_dose_mg(ctx.oral_dose_mg)
    if meant is None:
        return None
    dose = ctx.oral_dose_mg
    low, high = float(LOWEST_PLAUSIBLE_SINGLE_DOSE_MG.default), ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG
    side = "below" if meant > dose else "above"
    return PK_DOSE_001.finding(
        f"Oral dose {dose:g} mg is 1000 times {side} a plausible single dose ({meant:g} mg): likely a mg/mcg slip; "
        "the exposure shown is that of the dose as typed.",
        reasoning=f"Plausible single oral doses lie between {low:g} mg ({LOWEST_PLAUSIBLE_SINGLE_DOSE_MG.name}, "
        f"ASSUMPTION) and {high:g} mg (the structural bound above the highest daily dose reported, 200 mg/day); "
        "the label starts at 5 mg three times a day and caps at 80 mg/day (US) or 100 mg/day (UK). Oral doses are "
        "mg and intrathecal doses mcg: a mix-up is a 1000-fold error.",
        data={
            "dose_mg": dose,
            "likely_intended_mg": meant,
            "plausible_range_mg": [low, high],
            "settings": [LOWEST_PLAUSIBLE_SINGLE_DOSE_MG.name],
        },
        action=f"Check the unit: re-enter the dose in mg (e.g. {meant:g} mg) before reading the exposure.",
    )


PK_BAND_001: Rule[ExposureContext] = Rule(
    "PK-BAND-001",
    "Typical concentration enters the encephalopathy-reported band",
    Severity.WARN,
    ("HDCase", "Brvar2007", "PKM-DERIVED"),
    _check_encephalopathy,
)
PK_BAND_002: Rule[ExposureContext] = Rule(
    "PK-BAND-002",
    "Typical concentration enters the overdose range",
    Severity.WARN,
    ("ToxBaclofene", "PKM-DERIVED"),
    _check_overdose,
)
PK_BAND_003: Rule[ExposureContext] = Rule(
    "PK-BAND-003",
    "Typical concentration enters the caution band",
    Severity.INFO,
    ("UMEM2020", "PKM-DERIVED"),
    _check_caution,
)
PK_BAND_004: Rule[ExposureContext] = Rule(
    "PK-BAND-004",
    "5% or more of a virtual population reach the encephalopathy-reported band",
    Severity.WARN,
    ("Simon2018", "HDCase", "PKM-DERIVED"),
    _check_population,
)
PK_KIDNEY_001: Rule[ExposureContext] = Rule(
    "PK-KIDNEY-001",
    "Kidney-naive simulation for a patient described as renal",
    Severity.WARN,
    ("PKM-DERIVED", "S22", "AmJNephrol2011"),
    _check_kidney_naive_for_renal_patient,
)
PK_KIDNEY_002: Rule[ExposureContext] = Rule(
    "PK-KIDNEY-002",
    "Kidney function not given: reference function assumed",
    Severity.INFO,
    ("PKM-DERIVED",),
    _check_kidney_not_given,
)
PK_KIDNEY_003: Rule[ExposureContext] = Rule(
    "PK-KIDNEY-003",
    "Severe kidney impairment or dialysis: exposure and half-life",
    Severity.WARN,
    ("PKM-DERIVED", "S22", "AJKD2017", "AmJNephrol2011", "HDCase"),
    _check_severe_kidney,
)
PK_KIDNEY_004: Rule[ExposureContext] = Rule(
    "PK-KIDNEY-004",
    "Mild to moderate kidney impairment: exposure ratio",
    Severity.INFO,
    ("PKM-DERIVED", "S22"),
    _check_moderate_kidney,
)
PK_DIALYSIS_001: Rule[ExposureContext] = Rule(
    "PK-DIALYSIS-001",
    "Haemodialysis sessions in the simulation",
    Severity.INFO,
    ("Brvar2007", "PKM-DERIVED"),
    _check_dialysis,
)
PK_MODEL_001: Rule[ExposureContext] = Rule(
    "PK-MODEL-001",
    "Variant B (Kochak) scope and assumptions",
    Severity.INFO,
    ("Kochak1985", "PKM-DERIVED"),
    _check_model,
)
PK_ITB_001: Rule[ExposureContext] = Rule(
    "PK-ITB-001",
    "Intrathecal predictions are lumbar, typical and uncertain",
    Severity.INFO,
    ("LioresalITPK", "S102", "Heetla2016", "PKM-DERIVED"),
    _check_itb,
)
PK_PLAN_001: Rule[ExposureContext] = Rule(
    "PK-PLAN-001",
    "Plan step daily dose differs from the sum of its doses",
    Severity.WARN,
    ("PKM-DERIVED",),
    _check_plan_steps,
)

PK_DOSE_001: Rule[ExposureContext] = Rule(
    "PK-DOSE-001",
    "Oral dose 1000x from the plausible single doses (mg/mcg slip)",
    Severity.WARN,
    ("S1", "S4", "S24", "S28"),
    _check_oral_dose_slip,
)

EXPOSURE_RULES: tuple[Rule[ExposureContext], ...] = (
    PK_BAND_001,
    PK_BAND_002,
    PK_BAND_003,
    PK_BAND_004,
    PK_KIDNEY_001,
    PK_KIDNEY_002,
    PK_KIDNEY_003,
    PK_KIDNEY_004,
    PK_DIALYSIS_001,
    PK_MODEL_001,
    PK_ITB_001,
    PK_PLAN_001,
    PK_DOSE_001,
)


def evaluate_exposure(
    ctx: ExposureContext, rules: Iterable[Rule[ExposureContext]] = EXPOSURE_RULES
) -> tuple[Finding, ...]:
    """All exposure findings for ``ctx``, most severe first."""
    return evaluate_rules(rules, ctx)


# --- A simulation whose kidney function contradicts the plan it simulates ---------------------------------

#: Cockcroft-Gault bands of the renal PK study behind the dose reductions ([S22]): a CrCl in another band
#: would have given the plan another reduction.
KIDNEY_BAND_EDGES_ML_MIN = (30.0, 50.0, 80.0)


def _kidney_band(crcl_ml_min: float | None, dialysis: bool) -> str:
    if dialysis:
        return "dialysis"
    if crcl_ml_min is None:
        return "unknown"
    below = [edge for edge in KIDNEY_BAND_EDGES_ML_MIN if crcl_ml_min < edge]
    return f"< {below[0]:g} mL/min" if below else f">= {KIDNEY_BAND_EDGES_ML_MIN[-1]:g} mL/min"


@dataclass(frozen=True, slots=True)
class KidneyConflict:
    """The kidney function a plan was made for and the one a simulation of it uses."""

    plan_crcl_ml_min: float | None
    plan_dialysis: bool
    used_crcl_ml_min: float | None
    used_dialysis: bool


def _check_kidney_conflict(ctx: KidneyConflict) -> Finding | None:
    planned = _kidney_band(ctx.plan_crcl_ml_min, ctx.plan_dialysis)
    used = _kidney_band(ctx.used_crcl_ml_min, ctx.used_dialysis)
    if planned == "unknown" or planned == used:
        return None

    def describe(crcl: float | None, dialysis: bool, band: str) -> str:
        if dialysis:
            return "dialysis"
        return "not given" if crcl is None else f"CrCl {crcl:g} mL/min ({band})"

    return PK_KIDNEY_005.finding(
        f"The plan was made for {describe(ctx.plan_crcl_ml_min, ctx.plan_dialysis, planned)}; this simulation "
        f"uses {describe(ctx.used_crcl_ml_min, ctx.used_dialysis, used)}.",
        reasoning=(
            "Exposure depends on kidney function (renal covariate, pk-models.md §3.2), and the plan's doses were "
            "reduced for the kidney band it was made for (Cockcroft-Gault groups >80, 50-80, 30-50, <30 mL/min). "
            "A simulation with another kidney function does not show what this plan does to this patient."
        ),
        data={
            "plan_band": planned,
            "simulated_band": used,
            "plan_crcl_ml_min": ctx.plan_crcl_ml_min,
            "plan_dialysis": ctx.plan_dialysis,
            "simulated_crcl_ml_min": ctx.used_crcl_ml_min,
            "simulated_dialysis": ctx.used_dialysis,
        },
        action="Simulate with the patient's current kidney function; if it has changed, make a new plan for it.",
    )


PK_KIDNEY_005: Rule[KidneyConflict] = Rule(
    "PK-KIDNEY-005",
    "The simulation's kidney function contradicts the plan's",
    Severity.WARN,
    ("S22", "PKM-DERIVED"),
    _check_kidney_conflict,
)

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (*EXPOSURE_RULES, PK_KIDNEY_005)


def check_kidney_conflict(conflict: KidneyConflict) -> tuple[Finding, ...]:
    """PK-KIDNEY-005 when the simulated kidney band differs from the plan's (never raises)."""
    return PK_KIDNEY_005.evaluate(conflict)
