"""Oral safety rules: ceilings, kidney function, dialysis, populations, conditions and tapers.

Each rule is data plus a pure check on an :class:`OralPlanContext` (what the planner was asked and
what it planned) and returns findings with reasoning and citations (clinical.md §1.2, §1.3, §3.1,
§7). The planners in :mod:`baclofen.domain.oral` evaluate :data:`ORAL_RULES` on every plan.

>>> from baclofen.domain.patient import PatientSnapshot
>>> ctx = OralPlanContext(kind="titration", patient=PatientSnapshot(age_years=70),
...                       planned_daily_doses_mg=(15.0, 30.0), ceiling_mg_per_day=80)
>>> [f.rule_id for f in evaluate_oral_rules(ctx)]
['ORAL-ELDERLY-001', 'ORAL-LABEL-001', 'ORAL-RENAL-005']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from baclofen.domain.cds.contraindications import (
    BACLOFEN_CAUTION_CONDITIONS,
    BACLOFEN_CAUTION_RULES,
    ContraindicationContext,
)
from baclofen.domain.cds.drugs import get_drug
from baclofen.domain.conditions import Condition, condition_key, parse_condition
from baclofen.domain.oral.limits import (
    CKD_HIGH_DOSE_MG_PER_DAY,
    CKD_HIGH_DOSE_RISK_RATIO,
    KIDNEY_EVIDENCE,
    LABEL_DOSES_PER_DAY,
    LABEL_START_DOSE_MG,
    LABEL_STEP_DOSE_MG,
    LABEL_STEP_INTERVAL_DAYS,
    LABEL_TID_MAX_MG_PER_DAY,
    KidneyBand,
    kidney_band,
)
from baclofen.domain.patient import ELDERLY_AGE_YEARS, Locale, PatientSnapshot, SpasticityOrigin
from baclofen.domain.rules.core import Finding, Rule, Severity, evaluate_rules
from baclofen.domain.rules.scope import PAEDIATRIC_SCOPE
from baclofen.domain.signs import ORAL_OVERDOSE, ORAL_WITHDRAWAL

TITRATION = "titration"
TAPER = "taper"


@dataclass(frozen=True, slots=True)
class OralPlanContext:
    """What the oral rules look at: the request, the patient, the settings used and the plan made.

    Parameters (all doses mg/day, durations days)
    ----------
    kind : str
        ``"titration"`` or ``"taper"``.
    planned_daily_doses_mg : tuple of float
        The daily dose of each step of the plan, in order.
    requested_target_mg_per_day : float, optional
        The titration target the caller asked for (before any cap or kidney reduction).
    kidney_reduced_target_mg_per_day : float, optional
        That target after the kidney reduction (before the dialysis cap).
    ceiling_mg_per_day, in_hospital_ceiling_mg_per_day : float
        The locale's outpatient maximum and the in-hospital maximum in force.
    from_mg_per_day, to_mg_per_day : float, optional
        Taper start and target.
    days_to_zero : int, optional
        Days from the taper's start to the first day without baclofen (None unless tapering to zero).
    required_days_to_zero : int, optional
        The minimum the settings require for this patient (14 by default, longer after long high-dose use).
    sourced_min_days_to_zero : int, optional
        The part of that minimum that rests on the sources: the general setting, at most the sourced 14 days
        (TAPER-ABRUPT-001 blocks below it; between it and ``required_days_to_zero`` is TAPER-ABRUPT-002).
    block_on_clinic_limits : bool
        The clinic profile's ``taper.block_on_clinic_limits``: the limits that rest on no source (the step size,
        a minimum longer than the sourced one) are blocks instead of warnings.
    max_step_mg_per_day, largest_step_mg_per_day, last_step_to_zero_mg_per_day : float, optional
        The taper's step limit (the setting, or a smaller requested step), its largest reduction and the
        last one, down to zero (None unless tapering to zero).
    reduced_start_mg_per_day : float, optional
        The titration's first daily dose as asked for, after any kidney reduction (before rounding to
        the product): no offerable plan starts above it (ORAL-PRODUCT-001).
    product_name, product_quantum_mg, product_evidence
        The dispensed product, the smallest amount it gives (mg) and its citation keys.
    suggested_products : tuple of str
        Products of the locale that can give the reduced start dose exactly (``"name (display)"``), with
        ``suggested_evidence`` their citation keys.
    product_locales : frozenset of Locale
        Where the dispensed product is listed (ORAL-PRODUCT-002 when the patient's locale is not among them).
    """

    kind: str
    patient: PatientSnapshot
    planned_daily_doses_mg: tuple[float, ...]
    ceiling_mg_per_day: float
    in_hospital_ceiling_mg_per_day: float = 120.0
    requested_target_mg_per_day: float | None = None
    kidney_reduced_target_mg_per_day: float | None = None
    doses_per_day: int = 3
    dialysis_start_mg_per_day: float = 5.0
    ckd_crcl_ml_min: float = 60.0
    step_interval_days: int | None = None
    slowed_for_elderly: bool = False
    elderly_age_years: float = ELDERLY_AGE_YEARS.default
    from_mg_per_day: float | None = None
    to_mg_per_day: float | None = None
    days_to_zero: int | None = None
    required_days_to_zero: int | None = None
    sourced_min_days_to_zero: int | None = None
    block_on_clinic_limits: bool = False
    max_step_mg_per_day: float | None = None
    largest_step_mg_per_day: float | None = None
    last_step_to_zero_mg_per_day: float | None = None
    months_on_therapy: float | None = None
    long_term_months: float | None = None
    long_term_dose_mg_per_day: float | None = None
    held_lowest_dose: bool = False
    reduced_start_mg_per_day: float | None = None
    product_name: str | None = None
    product_quantum_mg: float | None = None
    product_evidence: tuple[str, ...] = ()
    suggested_products: tuple[str, ...] = ()
    suggested_evidence: tuple[str, ...] = ()
    product_locales: frozenset[Locale] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "planned_daily_doses_mg", tuple(self.planned_daily_doses_mg))
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))

    @property
    def max_planned_mg_per_day(self) -> float:
        return max(self.planned_daily_doses_mg, default=0.0)

    @property
    def band(self) -> KidneyBand | None:
        crcl = self.patient.kidney.crcl_ml_min
        return None if crcl is None else kidney_band(crcl)

    @property
    def is_long_term_high_dose(self) -> bool:
        return (
            self.months_on_therapy is not None
            and self.long_term_months is not None
            and self.from_mg_per_day is not None
            and self.long_term_dose_mg_per_day is not None
            and self.months_on_therapy >= self.long_term_months
            and self.from_mg_per_day >= self.long_term_dose_mg_per_day
        )


def _locale_text(ctx: OralPlanContext) -> str:
    return ctx.patient.locale.value.upper()


# --- Maximum daily dose -------------------------------------------------------------------------------
def _in_hospital_text(ctx: OralPlanContext) -> str:
    """What an override of ORAL-MAX-001 allows in the locale (setting oral.max_daily_dose_mg.in_hospital.*)."""
    name = f"oral.max_daily_dose_mg.in_hospital.{ctx.patient.locale.value}"
    if ctx.in_hospital_ceiling_mg_per_day <= ctx.ceiling_mg_per_day:
        return (
            f"The {_locale_text(ctx)} in-hospital maximum is the outpatient maximum ({name} = "
            f"{ctx.in_hospital_ceiling_mg_per_day:g} mg/day; the US labels allow nothing above 80 mg/day): an "
            "override does not raise the plan."
        )
    return (
        f"A clinician may override this finding with that reason; the plan then rises to the target but never above "
        f"the {_locale_text(ctx)} in-hospital maximum of {ctx.in_hospital_ceiling_mg_per_day:g} mg/day ({name})."
    )


def _check_max_001(ctx: OralPlanContext) -> Finding | None:
    target = ctx.requested_target_mg_per_day
    if ctx.kind != TITRATION or target is None or target <= ctx.ceiling_mg_per_day:
        return None
    planned = ctx.max_planned_mg_per_day
    return ORAL_MAX_001.finding(
        f"Requested target {target:g} mg/day is above the {_locale_text(ctx)} maximum of "
        f"{ctx.ceiling_mg_per_day:g} mg/day; the plan goes no higher than {planned:g} mg/day.",
        reasoning=(
            "Labels give 80 mg/day (20 mg four times a day) as the maximum in the US/Canada and 100 mg/day "
            "in the UK/Australia. Only in hospital under careful supervision does the Novartis core label "
            "allow 100-120 mg/day, framed against the UK 100 mg maximum. " + _in_hospital_text(ctx)
        ),
        data={
            "requested_target_mg_per_day": target,
            "ceiling_mg_per_day": ctx.ceiling_mg_per_day,
            "in_hospital_ceiling_mg_per_day": ctx.in_hospital_ceiling_mg_per_day,
            "max_planned_mg_per_day": planned,
            "locale": ctx.patient.locale.value,
        },
    )


ORAL_MAX_001: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-MAX-001",
    title="Titration target above the locale's maximum oral daily dose",
    severity=Severity.BLOCK,
    evidence=("S1", "S4", "S14", "S24", "S25", "S27", "NovartisCore"),
    check=_check_max_001,
    settings=(
        "oral.max_daily_dose_mg.us",
        "oral.max_daily_dose_mg.uk",
        "oral.max_daily_dose_mg.in_hospital.us",
        "oral.max_daily_dose_mg.in_hospital.uk",
    ),
    conditions=("baclofen.oral.above_max_daily_dose",),
)


def _check_max_002(ctx: OralPlanContext) -> Finding | None:
    target = ctx.requested_target_mg_per_day
    if ctx.kind != TITRATION or target is None or target <= ctx.in_hospital_ceiling_mg_per_day:
        return None
    return ORAL_MAX_002.finding(
        f"Requested target {target:g} mg/day is above {ctx.in_hospital_ceiling_mg_per_day:g} mg/day, the "
        f"{_locale_text(ctx)} in-hospital maximum (oral.max_daily_dose_mg.in_hospital."
        f"{ctx.patient.locale.value}); the plan never exceeds it.",
        reasoning=(
            "The Novartis core label allows 100-120 mg/day only in hospital; doses above 100 mg/day are 'not "
            "generally recommended' (Bangladesh label); the US labels give no dose above 80 mg/day. No override "
            "raises the plan above this maximum."
        ),
        data={
            "requested_target_mg_per_day": target,
            "in_hospital_ceiling_mg_per_day": ctx.in_hospital_ceiling_mg_per_day,
        },
    )


ORAL_MAX_002: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-MAX-002",
    title="Titration target above the in-hospital maximum",
    severity=Severity.BLOCK,
    evidence=("NovartisCore", "S28", "S1", "S4"),
    check=_check_max_002,
    settings=("oral.max_daily_dose_mg.in_hospital.us", "oral.max_daily_dose_mg.in_hospital.uk"),
)


def _check_max_003(ctx: OralPlanContext) -> Finding | None:
    current = ctx.from_mg_per_day
    if ctx.kind != TAPER or current is None or current <= ctx.ceiling_mg_per_day:
        return None
    return ORAL_MAX_003.finding(
        f"The current dose {current:g} mg/day is above the {_locale_text(ctx)} maximum of "
        f"{ctx.ceiling_mg_per_day:g} mg/day.",
        reasoning=(
            "Doses above the label maximum carry more adverse effects; the taper lowers the dose but the "
            "patient should be watched for overdose signs until the dose is within the label range, and for "
            "withdrawal signs as it falls."
        ),
        data={"from_mg_per_day": current, "ceiling_mg_per_day": ctx.ceiling_mg_per_day},
        signs=ORAL_OVERDOSE.signs,
        action=ORAL_OVERDOSE.action,
        evidence=ORAL_OVERDOSE.evidence,
    )


ORAL_MAX_003: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-MAX-003",
    title="Taper starts above the locale's maximum oral daily dose",
    severity=Severity.WARN,
    evidence=("S1", "S4", "S14", "S24", "S25", "S27"),
    check=_check_max_003,
)


def _check_freq_001(ctx: OralPlanContext) -> Finding | None:
    if ctx.kind != TITRATION or ctx.doses_per_day >= 4 or ctx.max_planned_mg_per_day <= LABEL_TID_MAX_MG_PER_DAY:
        return None
    return ORAL_FREQ_001.finding(
        f"The plan reaches {ctx.max_planned_mg_per_day:g} mg/day in {ctx.doses_per_day} doses a day; the "
        "label gives doses above 60 mg/day as four doses (80 mg/day = 20 mg four times a day).",
        reasoning="Titration is TID up to 20 mg TID (60 mg/day); the maximum of 80 mg/day is 20 mg QID.",
        data={"max_planned_mg_per_day": ctx.max_planned_mg_per_day, "doses_per_day": ctx.doses_per_day},
    )


ORAL_FREQ_001: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-FREQ-001",
    title="More than 60 mg/day given three times a day",
    severity=Severity.INFO,
    evidence=("S1", "S4"),
    check=_check_freq_001,
)


# --- Kidney function ----------------------------------------------------------------------------------
#: The one severity of the [S22] kidney reductions, decided here: the bands and their 1/3, 1/2 and 2/3
#: reductions come from one PK study (Vlavonou 2014), not from a label, so every rule that rests on them
#: (ORAL-RENAL-001..003, ORAL-PRODUCT-001 for the reduced start, DOSE-BAC-KIDNEY-003) is a warning.
KIDNEY_REDUCTION_SEVERITY = Severity.WARN


def _kidney_source(ctx: OralPlanContext) -> str:
    return ctx.patient.kidney.source.value


def _renal_band_check(band: KidneyBand) -> Any:
    def check(ctx: OralPlanContext) -> Finding | None:
        crcl = ctx.patient.kidney.crcl_ml_min
        if ctx.patient.kidney.dialysis or crcl is None or ctx.band is not band:
            return None
        rule = _RENAL_RULES[band]
        data = {
            "crcl_ml_min": crcl,
            "kidney_source": _kidney_source(ctx),
            "band": band.label,
            "crcl_range": band.crcl_range,
            "reduction": band.reduction_text,
            "factor": float(band.factor),
        }
        study = (
            "In the renal PK study of Vlavonou 2014 (Cockcroft-Gault groups >80, 50-80, 30-50, <30 mL/min) "
            f"the mean dose reduction for {band.label} CKD ({band.crcl_range}) was {band.reduction_text}. "
            "This is a study recommendation, not US label dosing; US labels say only that a reduction may "
            "be necessary because baclofen is excreted mainly unchanged by the kidney."
        )
        if ctx.kind == TITRATION:
            return rule.finding(
                f"CrCl {crcl:g} mL/min ({_kidney_source(ctx)}): each daily dose is reduced by "
                f"{band.reduction_text} (x {band.factor.numerator}/{band.factor.denominator}) and rounded "
                "down to what the product can give.",
                reasoning=study + " Edge values go to the more reduced band.",
                data=data,
            )
        current = ctx.from_mg_per_day or 0.0
        suggested = current * float(band.factor)
        return rule.finding(
            f"CrCl {crcl:g} mL/min ({_kidney_source(ctx)}): the cited reduction of {band.reduction_text} "
            f"would give about {suggested:.3g} mg/day for the current {current:g} mg/day; the taper lowers "
            "the dose from the current one.",
            reasoning=study + " Watch for signs of overdose until the dose is low.",
            data={**data, "suggested_max_mg_per_day": suggested},
            signs=ORAL_OVERDOSE.signs,
            action=ORAL_OVERDOSE.action,
            evidence=ORAL_OVERDOSE.evidence,
        )

    return check


ORAL_RENAL_001: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-RENAL-001",
    title="Mild CKD (CrCl 50-80 mL/min): daily doses x 2/3",
    severity=KIDNEY_REDUCTION_SEVERITY,
    evidence=KIDNEY_EVIDENCE + ("S6",),
    check=_renal_band_check(KidneyBand.MILD),
    conditions=("baclofen.oral.kidney_reduction",),
)
ORAL_RENAL_002: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-RENAL-002",
    title="Moderate CKD (CrCl 30-50 mL/min): daily doses x 1/2",
    severity=KIDNEY_REDUCTION_SEVERITY,
    evidence=KIDNEY_EVIDENCE + ("S6",),
    check=_renal_band_check(KidneyBand.MODERATE),
    conditions=("baclofen.oral.kidney_reduction",),
)
ORAL_RENAL_003: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-RENAL-003",
    title="Severe CKD (CrCl < 30 mL/min): daily doses x 1/3",
    severity=KIDNEY_REDUCTION_SEVERITY,
    evidence=KIDNEY_EVIDENCE + ("S6",),
    check=_renal_band_check(KidneyBand.SEVERE),
    conditions=("baclofen.oral.kidney_reduction",),
)
_RENAL_RULES = {
    KidneyBand.MILD: ORAL_RENAL_001,
    KidneyBand.MODERATE: ORAL_RENAL_002,
    KidneyBand.SEVERE: ORAL_RENAL_003,
}


def _check_renal_004(ctx: OralPlanContext) -> Finding | None:
    kidney = ctx.patient.kidney
    in_ckd = kidney.dialysis or (kidney.crcl_ml_min is not None and kidney.crcl_ml_min < ctx.ckd_crcl_ml_min)
    highest = max(ctx.max_planned_mg_per_day, ctx.from_mg_per_day or 0.0)
    if not in_ckd or highest <= CKD_HIGH_DOSE_MG_PER_DAY:
        return None
    where = "on dialysis" if kidney.dialysis else f"CrCl {kidney.crcl_ml_min:g} mL/min"
    return ORAL_RENAL_004.finding(
        f"Kidney impairment ({where}) with {highest:g} mg/day: above {CKD_HIGH_DOSE_MG_PER_DAY:g} mg/day "
        f"the risk of hospitalisation with encephalopathy was {CKD_HIGH_DOSE_RISK_RATIO:g}-fold.",
        reasoning=(
            f"In a Canadian CKD cohort, doses > {CKD_HIGH_DOSE_MG_PER_DAY:g} mg/day carried a "
            f"{CKD_HIGH_DOSE_RISK_RATIO:g}-fold risk of hospitalisation with encephalopathy compared with < "
            f"{CKD_HIGH_DOSE_MG_PER_DAY:g} mg/day. Patients with kidney impairment can show overdose signs "
            "on low doses. The CKD cut-off used here is the setting oral.ckd_crcl_ml_min "
            f"({ctx.ckd_crcl_ml_min:g} mL/min)."
        ),
        data={
            "max_mg_per_day": highest,
            "crcl_ml_min": kidney.crcl_ml_min,
            "dialysis": kidney.dialysis,
            "ckd_crcl_ml_min": ctx.ckd_crcl_ml_min,
        },
        signs=ORAL_OVERDOSE.signs,
        action=ORAL_OVERDOSE.action,
    )


ORAL_RENAL_004: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-RENAL-004",
    title="Kidney impairment with more than 20 mg/day",
    severity=Severity.WARN,
    evidence=("S23", "S111", "S16"),
    check=_check_renal_004,
)


def _check_renal_005(ctx: OralPlanContext) -> Finding | None:
    if ctx.kind != TITRATION or ctx.patient.kidney.is_known:
        return None
    return ORAL_RENAL_005.finding(
        "Kidney function not given: the plan is not reduced for kidney function.",
        reasoning=(
            "Baclofen is excreted mainly unchanged by the kidney (70-80% of a dose in urine); a renal PK "
            "study recommends dose reductions by creatinine clearance. Give a CrCl, an eGFR, a serum "
            "creatinine (with age, weight and sex) or the dialysis status to have the doses adjusted."
        ),
        data={"kidney_source": _kidney_source(ctx)},
    )


ORAL_RENAL_005: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-RENAL-005",
    title="Kidney function unknown",
    severity=Severity.INFO,
    evidence=("S18", "S6", "S22"),
    check=_check_renal_005,
)


def _check_dialysis_001(ctx: OralPlanContext) -> Finding | None:
    if not ctx.patient.kidney.dialysis:
        return None
    limit = ctx.dialysis_start_mg_per_day
    if ctx.kind == TITRATION:
        first = ctx.planned_daily_doses_mg[0] if ctx.planned_daily_doses_mg else 0.0
        relation = "no more than" if first <= limit + 1e-9 else "ABOVE"
        message = f"Dialysis: the plan starts at {first:g} mg/day, {relation} the {limit:g} mg/day for dialysis."
    else:
        current = ctx.from_mg_per_day or 0.0
        if current <= limit:
            return None
        message = (
            f"Dialysis: the current dose {current:g} mg/day is above the {limit:g} mg/day recommended for "
            "dialysis-dependent patients."
        )
    return ORAL_DIALYSIS_001.finding(
        message,
        reasoning=(
            "In patients dependent on dialysis 'a particularly low dose ... should be selected (i.e., "
            "approximately 5 mg daily)' (pms-Baclofen; MIMS HK 'Dialysis-dependent patient 5 mg daily'); "
            "with end-stage renal failure give baclofen only when benefit outweighs risk. Overdose signs "
            "occur on low doses in kidney failure."
        ),
        data={
            "dialysis_start_mg_per_day": limit,
            "first_mg_per_day": ctx.planned_daily_doses_mg[0] if ctx.planned_daily_doses_mg else None,
            "from_mg_per_day": ctx.from_mg_per_day,
        },
        signs=ORAL_OVERDOSE.signs,
        action=ORAL_OVERDOSE.action,
    )


ORAL_DIALYSIS_001: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-DIALYSIS-001",
    title="Dialysis: start at no more than about 5 mg/day",
    severity=Severity.WARN,
    evidence=("S14", "S15", "S111"),
    check=_check_dialysis_001,
)


@dataclass(frozen=True, slots=True)
class DialysisDose:
    """A daily dose (mg/day) judged against the dialysis dose in force: the one context of ORAL-DIALYSIS-002,
    which every path (the titration planner, ``check dose``) evaluates through :meth:`Rule.adapted`."""

    daily_mg: float
    limit_mg: float
    what: str = "the daily dose"
    consequence: str = ""


def check_dialysis_dose(dose: DialysisDose | None) -> Finding | None:
    """ORAL-DIALYSIS-002: a daily dose above the dialysis dose (about 5 mg daily [S14] [S15]) is a block."""
    if dose is None or dose.daily_mg <= dose.limit_mg + 1e-9:
        return None
    return ORAL_DIALYSIS_002.finding(
        f"Dialysis: {dose.what} of {dose.daily_mg:g} mg/day is above the dialysis dose of about "
        f"{dose.limit_mg:g} mg/day.{(' ' + dose.consequence) if dose.consequence else ''}",
        reasoning=(
            "Baclofen is 70-80 % excreted unchanged by the kidney; in patients dependent on dialysis 'a "
            "particularly low dose ... should be selected (i.e., approximately 5 mg daily)' (pms-Baclofen label; "
            "MIMS HK 'Dialysis-dependent patient 5 mg daily'), and toxicity appears on low doses in kidney failure. "
            "Going beyond it needs an explicit clinician override (e.g. nephrology agrees, levels monitored)."
        ),
        data={"daily_dose_mg": dose.daily_mg, "dialysis_dose_mg_per_day": dose.limit_mg},
        signs=ORAL_OVERDOSE.signs,
        action="Keep to the dialysis dose or record a clinician's override with the reason; watch for toxicity.",
    )


ORAL_DIALYSIS_002: Rule[DialysisDose | None] = Rule(
    rule_id="ORAL-DIALYSIS-002",
    title="Dialysis: daily dose above the dialysis dose",
    severity=Severity.BLOCK,
    evidence=("S14", "S15", "S22"),
    check=check_dialysis_dose,
    settings=("oral.dialysis_start_mg_per_day",),
    conditions=("baclofen.oral.above_dialysis_dose",),
)


def _titration_dialysis_dose(ctx: OralPlanContext) -> DialysisDose | None:
    target = ctx.kidney_reduced_target_mg_per_day
    if ctx.kind != TITRATION or not ctx.patient.kidney.dialysis or target is None:
        return None
    return DialysisDose(
        target,
        ctx.dialysis_start_mg_per_day,
        "the titration target after the kidney reduction",
        "Without an override the plan stays at the dialysis dose; with one it titrates with the reduction of the "
        "most impaired CrCl group (< 30 mL/min, x 1/3) of the renal PK study, starting at the dialysis dose.",
    )


# --- Populations --------------------------------------------------------------------------------------
def _check_elderly(ctx: OralPlanContext) -> Finding | None:
    if ctx.kind != TITRATION or not ctx.patient.is_elderly_from(ctx.elderly_age_years):
        return None
    slowed = (
        f"Steps are spaced {ctx.step_interval_days} days apart (setting titration.slow_elderly_steps)."
        if ctx.slowed_for_elderly
        else "Steps are not slowed (setting titration.slow_elderly_steps is off); consider a slower schedule."
    )
    return ORAL_ELDERLY_001.finding(
        f"Age {ctx.patient.age_years:g}: unwanted effects are more likely in elderly patients; titrate cautiously.",
        reasoning=(
            "Labels recommend 'a very cautious dosage schedule' and 'careful titration ... "
            "particularly in the elderly' without a specific starting dose or interval; elderly here is aged "
            f"{ctx.elderly_age_years:g} or over (setting patient.elderly_age_years, an assumption). " + slowed
        ),
        data={
            "age_years": ctx.patient.age_years,
            "elderly_age_years": ctx.elderly_age_years,
            "slowed": ctx.slowed_for_elderly,
            "step_interval_days": ctx.step_interval_days,
        },
    )


ORAL_ELDERLY_001: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-ELDERLY-001",
    title="Elderly patient (setting patient.elderly_age_years, 65 or over): cautious titration",
    severity=Severity.WARN,
    evidence=("S14", "NovartisCore"),
    check=_check_elderly,
)


def _check_cerebral(ctx: OralPlanContext) -> Finding | None:
    if ctx.kind != TITRATION or ctx.patient.origin is not SpasticityOrigin.CEREBRAL:
        return None
    return ORAL_CEREBRAL_001.finding(
        "Spasticity of cerebral origin: unwanted effects are more likely; titrate cautiously.",
        reasoning=(
            "The pms-Baclofen monograph warns that unwanted effects are more likely 'in patients with "
            "spastic states of cerebral origin' and recommends a very cautious dosage schedule."
        ),
        data={"origin": ctx.patient.origin.value},
    )


ORAL_CEREBRAL_001: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-CEREBRAL-001",
    title="Cerebral origin: cautious titration",
    severity=Severity.WARN,
    evidence=("S14", "S2"),
    check=_check_cerebral,
)


# --- Conditions (clinical.md §7) ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ConditionCaution:
    """The conditions (of the one vocabulary, :mod:`baclofen.domain.conditions`) a caution is about, and what
    the sources say about baclofen in them. Its rule names them by their keys (:func:`condition_key`), shared
    with the CI-BAC rules: one condition, one severity."""

    rule_id: str
    title: str
    applies_to: tuple[Condition, ...]
    severity: Severity
    message: str
    reasoning: str
    evidence: tuple[str, ...]


CONDITION_CAUTIONS: tuple[ConditionCaution, ...] = (
    ConditionCaution(
        "ORAL-PREGNANCY-001",
        "Pregnancy",
        (Condition.PREGNANCY,),
        Severity.WARN,
        "Pregnancy: baclofen may cause fetal harm; neonatal withdrawal has occurred.",
        "Based on animal data baclofen may cause fetal harm. Neonatal withdrawal has occurred, so gradually "
        "reduce the dosage and discontinue before delivery.",
        ("S6", "S4"),
    ),
    ConditionCaution(
        "ORAL-LACTATION-001",
        "Breastfeeding",
        (Condition.LACTATION,),
        Severity.WARN,
        "Breastfeeding: baclofen is present in breast milk at recommended oral doses.",
        "Withdrawal can occur in breast-fed infants when maternal dosing or breastfeeding stops.",
        ("S114",),
    ),
    ConditionCaution(
        "ORAL-EPILEPSY-001",
        "Epilepsy",
        (Condition.EPILEPSY,),
        Severity.WARN,
        "Epilepsy: baclofen may exacerbate it.",
        "US oral labels warn that baclofen may exacerbate epilepsy; seizures also occur on abrupt "
        "withdrawal, so never stop abruptly.",
        ("S6",),
    ),
    ConditionCaution(
        "ORAL-PSYCHOSIS-001",
        "Psychotic disorders, schizophrenia, confusional states",
        (Condition.PSYCHOTIC_DISORDER,),
        Severity.WARN,
        "Psychotic disorder, schizophrenia or confusional state: baclofen may exacerbate it.",
        "US oral labels warn that baclofen may exacerbate psychotic disorders, schizophrenia and confusional states.",
        ("S6", "S5", "S9"),
    ),
    ConditionCaution(
        "ORAL-DYSREFLEXIA-001",
        "Autonomic dysreflexia",
        (Condition.AUTONOMIC_DYSREFLEXIA,),
        Severity.WARN,
        "Autonomic dysreflexia: baclofen may exacerbate it.",
        "US oral labels list autonomic dysreflexia among the conditions baclofen may exacerbate.",
        ("S6",),
    ),
    ConditionCaution(
        "ORAL-STROKE-001",
        "After stroke",
        (Condition.STROKE,),
        Severity.WARN,
        "After a stroke: use baclofen with caution.",
        "US oral labels advise caution after stroke; unwanted effects are also more likely in spasticity of "
        "cerebral origin.",
        ("S6", "S14"),
    ),
    ConditionCaution(
        "ORAL-LABS-001",
        "Liver disease or diabetes: periodic laboratory tests",
        (Condition.LIVER_DISEASE, Condition.DIABETES),
        Severity.INFO,
        "Liver disease or diabetes: order periodic laboratory tests.",
        "Baclofen can raise AST, alkaline phosphatase and blood glucose; periodic tests are advised in "
        "liver disease or diabetes, and antidiabetic doses may need adjustment. There is no numeric hepatic "
        "dose adjustment.",
        ("S15", "S17"),
    ),
)


def normalise_condition(name: str) -> str:
    """Lower-case, hyphens for spaces and underscores.

    >>> normalise_condition("Autonomic dysreflexia")
    'autonomic-dysreflexia'
    """
    return "-".join(str(name).strip().lower().replace("_", " ").replace("-", " ").split())


#: The conditions the oral cautions above decide.
KNOWN_CONDITIONS: frozenset[Condition] = frozenset(c for caution in CONDITION_CAUTIONS for c in caution.applies_to)


def _baclofen_cautions(ctx: OralPlanContext) -> ContraindicationContext:
    """The patient's conditions as the contraindication screen reads them, for the caution rules it owns."""
    found = (parse_condition(name) for name in ctx.patient.conditions)
    cautions = frozenset(c for c in found if c in BACLOFEN_CAUTION_CONDITIONS)
    return ContraindicationContext(get_drug("baclofen"), cautions)


#: Peptic ulcer, respiratory impairment, bladder-sphincter hypertonia, posture-dependent spasticity and psychiatric
#: disorders [S15]: one rule each (CI-BAC-*), the same on the oral plans as in ``check contraindications``.
_CAUTION_RULES: tuple[Rule[OralPlanContext], ...] = tuple(r.adapted(_baclofen_cautions) for r in BACLOFEN_CAUTION_RULES)


def _is_checked(name: str) -> bool:
    return parse_condition(name) in KNOWN_CONDITIONS | BACLOFEN_CAUTION_CONDITIONS


def _condition_check(caution: ConditionCaution) -> Any:
    def check(ctx: OralPlanContext) -> Finding | None:
        present = sorted(
            {normalise_condition(c) for c in ctx.patient.conditions if parse_condition(c) in caution.applies_to}
        )
        if not present:
            return None
        return _CONDITION_RULES[caution.rule_id].finding(
            caution.message,
            reasoning=caution.reasoning,
            data={"conditions": present},
            signs=ORAL_WITHDRAWAL.signs if caution.rule_id == "ORAL-PREGNANCY-001" and ctx.kind == TAPER else (),
        )

    return check


_CONDITION_RULES: dict[str, Rule[OralPlanContext]] = {
    c.rule_id: Rule(
        rule_id=c.rule_id,
        title=c.title,
        severity=c.severity,
        evidence=c.evidence,
        check=_condition_check(c),
        conditions=tuple(condition_key(x) for x in c.applies_to),
    )
    for c in CONDITION_CAUTIONS
}


def _check_unknown_conditions(ctx: OralPlanContext) -> Finding | None:
    unknown = sorted({normalise_condition(c) for c in ctx.patient.conditions if not _is_checked(c)})
    if not unknown:
        return None
    return ORAL_CONDITIONS_001.finding(
        "Conditions not checked by the oral rules: " + ", ".join(unknown) + ".",
        reasoning=(
            "The oral rules know the warnings of the US oral labels and the pms-Baclofen monograph ("
            + ", ".join(sorted(c.value for c in KNOWN_CONDITIONS))
            + ") and the cautions of MIMS ("
            + ", ".join(sorted(c.value for c in BACLOFEN_CAUTION_CONDITIONS))
            + "); check the others against the label yourself."
        ),
        data={"unchecked": unknown},
    )


ORAL_CONDITIONS_001: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-CONDITIONS-001",
    title="Conditions the oral rules do not know",
    severity=Severity.INFO,
    evidence=("S6", "S15"),
    check=_check_unknown_conditions,
)


# --- Product cannot give the (kidney-reduced) start dose ----------------------------------------------
def _check_product_start(ctx: OralPlanContext) -> Finding | None:
    start = ctx.reduced_start_mg_per_day
    doses = ctx.planned_daily_doses_mg
    if ctx.kind != TITRATION or start is None or not doses or doses[0] <= start + 1e-9:
        return None
    kidney = ctx.patient.kidney
    band = KidneyBand.SEVERE if kidney.dialysis else ctx.band
    reduced = band is not None and band is not KidneyBand.NORMAL
    product = ctx.product_name or "the product"
    smallest = f" (it gives multiples of {ctx.product_quantum_mg:g} mg)" if ctx.product_quantum_mg else ""
    what = "kidney-reduced starting dose" if reduced else "starting dose"
    if ctx.suggested_products:
        suggestion = "Use a product that can, e.g. " + " or ".join(ctx.suggested_products[:2]) + "."
    else:
        suggestion = (
            "No listed product of this locale gives it exactly: lower the start dose to one a product can give."
        )
    if reduced:
        assert band is not None
        where = "on dialysis" if kidney.dialysis else f"CrCl {kidney.crcl_ml_min:g} mL/min"
        why = (
            f"Kidney function ({where}): the renal PK study reduces each daily dose by {band.reduction_text} "
            f"({band.crcl_range}); baclofen is excreted mainly unchanged by the kidney and patients with "
            "kidney impairment can show overdose signs on low doses. A product too coarse for the reduced "
            "starting dose would make the plan start above it."
        )
    else:
        why = (
            "The label starts with the lowest dose possible (5 mg three times a day) and adjusts to response "
            "and tolerability; a product too coarse for the starting dose would make the plan start above it."
        )
    return ORAL_PRODUCT_001.finding(
        f"{product} cannot give the {what} of {start:.3g} mg/day{smallest}: the plan would start at "
        f"{doses[0]:g} mg/day. {suggestion}",
        reasoning=why + f" The plan starts at {doses[0]:g} mg/day: a warning, like the kidney reduction itself "
        "(ORAL-RENAL-001..003), since the reduction comes from one PK study and not from a label.",
        data={
            "reduced_start_mg_per_day": start,
            "first_planned_mg_per_day": doses[0],
            "product": ctx.product_name,
            "product_quantum_mg": ctx.product_quantum_mg,
            "kidney_band": band.label if band is not None else None,
            "dialysis": kidney.dialysis,
            "suggested_products": list(ctx.suggested_products),
        },
        evidence=(("S111",) if reduced else ("S11", "S1", "S4")) + ctx.product_evidence + ctx.suggested_evidence,
    )


ORAL_PRODUCT_001: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-PRODUCT-001",
    title="The product cannot give the (kidney-reduced) starting dose",
    severity=KIDNEY_REDUCTION_SEVERITY,
    evidence=("S22",),
    check=_check_product_start,
    settings=("products.tablets_scored", "products.liquid_resolution_ml"),
    conditions=("baclofen.oral.kidney_reduction",),
)


# --- Titration summary --------------------------------------------------------------------------------
def _check_label(ctx: OralPlanContext) -> Finding | None:
    if ctx.kind != TITRATION:
        return None
    return ORAL_LABEL_001.finding(
        "Review the response at each step; stop increasing at the lowest dose that works.",
        reasoning=(
            "Start with the lowest dose possible and adjust to response and tolerability; the usual optimum "
            "is 40-80 mg/day. If benefit is not evident after a reasonable trial, withdraw slowly (UK: "
            "discontinue if no benefit within 6 weeks). Drowsiness, dizziness and weakness are the most "
            "common adverse reactions: avoid driving or machinery until the response is known."
        ),
        data={"planned_daily_doses_mg": list(ctx.planned_daily_doses_mg)},
    )


ORAL_LABEL_001: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-LABEL-001",
    title="Titration: review response, stop at the lowest effective dose",
    severity=Severity.INFO,
    evidence=("S11", "S14", "S24", "S6"),
    check=_check_label,
)


def _check_label_pace(ctx: OralPlanContext) -> Finding | None:
    doses = ctx.planned_daily_doses_mg
    if ctx.kind != TITRATION or not doses:
        return None
    label_start = LABEL_START_DOSE_MG * LABEL_DOSES_PER_DAY
    label_step = LABEL_STEP_DOSE_MG * LABEL_DOSES_PER_DAY
    largest_step = max((b - a for a, b in zip(doses, doses[1:], strict=False)), default=0.0)
    interval = ctx.step_interval_days
    faster = []
    if doses[0] > label_start + 1e-9:
        faster.append(f"starts at {doses[0]:g} mg/day (label {label_start:g})")
    if largest_step > label_step + 1e-9:
        faster.append(f"rises by {largest_step:g} mg/day at a step (label {label_step:g})")
    if interval is not None and len(doses) > 1 and interval < LABEL_STEP_INTERVAL_DAYS:
        faster.append(f"steps up every {interval} day{'s' if interval != 1 else ''} (label {LABEL_STEP_INTERVAL_DAYS})")
    if not faster:
        return None
    return ORAL_LABEL_002.finding(
        "Faster than the label schedule: the plan " + "; ".join(faster) + ".",
        reasoning=(
            f"The label titrates from {LABEL_START_DOSE_MG:g} mg three times a day and increases by "
            f"{LABEL_STEP_DOSE_MG:g} mg per dose ({label_step:g} mg/day) every {LABEL_STEP_INTERVAL_DAYS} days; "
            "drowsiness, dizziness and weakness are the most common adverse reactions. A faster schedule is "
            "the prescriber's decision: confirm it is intended and review the response at each step."
        ),
        data={
            "first_mg_per_day": doses[0],
            "largest_step_mg_per_day": largest_step,
            "step_interval_days": interval,
            "label_start_mg_per_day": label_start,
            "label_step_mg_per_day": label_step,
            "label_step_interval_days": LABEL_STEP_INTERVAL_DAYS,
        },
    )


ORAL_LABEL_002: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-LABEL-002",
    title="Titration faster than the label schedule",
    severity=Severity.WARN,
    evidence=("S1", "S4", "S6"),
    check=_check_label_pace,
)


# --- Taper --------------------------------------------------------------------------------------------
def _check_taper_info(ctx: OralPlanContext) -> Finding | None:
    if ctx.kind != TAPER:
        return None
    target = ctx.to_mg_per_day or 0.0
    where = "to stop" if target == 0 else f"to {target:g} mg/day"
    days = f" over {ctx.days_to_zero} days" if ctx.days_to_zero is not None else ""
    return TAPER_INFO_001.finding(
        f"Gradual reduction from {ctx.from_mg_per_day:g} mg/day {where}{days}; never stop abruptly.",
        reasoning=(
            "Abrupt discontinuation has caused hallucinations, seizures, high fever, altered mental status, "
            "rebound spasticity and rigidity, rarely rhabdomyolysis, multi-organ failure and death. Reduce "
            "over at least 1-2 weeks (longer if symptoms occur); if withdrawal signs appear, go back to the "
            "previous step and call the prescriber."
        ),
        data={
            "from_mg_per_day": ctx.from_mg_per_day,
            "to_mg_per_day": target,
            "days_to_zero": ctx.days_to_zero,
            "step_interval_days": ctx.step_interval_days,
        },
        signs=ORAL_WITHDRAWAL.signs,
        action=ORAL_WITHDRAWAL.action,
    )


TAPER_INFO_001: Rule[OralPlanContext] = Rule(
    rule_id="TAPER-INFO-001",
    title="Taper: warning signs of withdrawal",
    severity=Severity.INFO,
    evidence=("S4", "S9", "S14", "S24", "S29", "S27", "NovartisCore"),
    check=_check_taper_info,
)


def _taper_days(ctx: OralPlanContext) -> tuple[int, int, int] | None:
    """(days to zero, sourced minimum, required minimum) of a taper to zero; None for other plans."""
    if ctx.kind != TAPER or ctx.to_mg_per_day not in (0, 0.0) or ctx.required_days_to_zero is None:
        return None
    required = ctx.required_days_to_zero
    sourced = required if ctx.sourced_min_days_to_zero is None else min(ctx.sourced_min_days_to_zero, required)
    return ctx.days_to_zero or 0, sourced, required


def _clinic_severity(ctx: OralPlanContext) -> Severity:
    """A limit that rests on no source is a warn, a block where the clinic profile says so."""
    return Severity.BLOCK if ctx.block_on_clinic_limits else Severity.WARN


_RAPID_WITHDRAWAL = (
    "Labels ask to reduce the dosage slowly unless the clinical situation justifies a rapid withdrawal "
    "(overdose-related emergencies or serious adverse effects)."
)


def _check_taper_abrupt(ctx: OralPlanContext) -> Finding | None:
    state = _taper_days(ctx)
    if state is None or state[0] >= state[1]:
        return None
    days, sourced, _ = state
    return TAPER_ABRUPT_001.finding(
        f"The taper reaches zero in {days} days, less than the {sourced} days required.",
        reasoning=(
            "Sources ask for a reduction over approximately 1 to 2 weeks (Canada), at least 1 to 2 weeks (UK), 2 "
            "weeks or more (PDR) or 2 weeks (eTG); the minimum used here is the setting taper.min_days_to_zero, at "
            f"most the sourced 14 days. {_RAPID_WITHDRAWAL} A clinician may override this finding with that "
            "reason; the patient then needs close watch for withdrawal."
        ),
        data={"days_to_zero": days, "required_days_to_zero": sourced},
        signs=ORAL_WITHDRAWAL.signs,
        action=ORAL_WITHDRAWAL.action,
    )


TAPER_ABRUPT_001: Rule[OralPlanContext] = Rule(
    rule_id="TAPER-ABRUPT-001",
    title="Taper to zero shorter than the minimum duration",
    severity=Severity.BLOCK,
    evidence=("S4", "S14", "S24", "S29", "S27", "NovartisCore"),
    check=_check_taper_abrupt,
    # Blocks only below the sourced 14 days (or a lower clinic value); the long-term assumption is TAPER-ABRUPT-002.
    settings=("taper.min_days_to_zero",),
)


def _check_taper_abrupt_clinic(ctx: OralPlanContext) -> Finding | None:
    state = _taper_days(ctx)
    if state is None or not state[1] <= state[0] < state[2]:
        return None
    days, sourced, required = state
    why = (
        "after long-term high-dose use (taper.long_term_min_days_to_zero, an assumption)"
        if ctx.is_long_term_high_dose or ctx.months_on_therapy is None
        else "by the clinic's taper.min_days_to_zero"
    )
    return TAPER_ABRUPT_002.finding(
        f"The taper reaches zero in {days} days: the sourced minimum of {sourced} days is met, but {required} "
        f"days are set {why}.",
        reasoning=(
            f"The sources accept 1-2 weeks or more; the longer {required}-day minimum is a setting no source "
            "gives as a number ('longer if symptoms occur', '2 weeks or more'). It is a warning unless the clinic "
            f"profile makes it a block (taper.block_on_clinic_limits). {_RAPID_WITHDRAWAL}"
        ),
        data={
            "days_to_zero": days,
            "required_days_to_zero": required,
            "sourced_min_days_to_zero": sourced,
            "block_on_clinic_limits": ctx.block_on_clinic_limits,
        },
        severity=_clinic_severity(ctx),
        signs=ORAL_WITHDRAWAL.signs,
        action=ORAL_WITHDRAWAL.action,
    )


TAPER_ABRUPT_002: Rule[OralPlanContext] = Rule(
    rule_id="TAPER-ABRUPT-002",
    title="Taper to zero shorter than a minimum longer than the sourced one (clinic value or assumption)",
    severity=Severity.WARN,
    evidence=("S24", "S29", "S110"),
    check=_check_taper_abrupt_clinic,
)


def _check_taper_step(ctx: OralPlanContext) -> Finding | None:
    if (
        ctx.kind != TAPER
        or ctx.max_step_mg_per_day is None
        or ctx.largest_step_mg_per_day is None
        or ctx.largest_step_mg_per_day <= ctx.max_step_mg_per_day + 1e-9
    ):
        return None
    last = ctx.last_step_to_zero_mg_per_day
    stop = (
        f" The last step stops {last:g} mg/day at once: effectively an abrupt stop."
        if last is not None and last > ctx.max_step_mg_per_day + 1e-9
        else ""
    )
    return TAPER_STEP_001.finding(
        f"A taper step lowers the daily dose by {ctx.largest_step_mg_per_day:g} mg, more than the "
        f"maximum of {ctx.max_step_mg_per_day:g} mg per step (setting taper.max_step_mg_per_day).{stop}",
        reasoning=(
            "The maximum step (setting taper.max_step_mg_per_day) is UNCONFIRMED: no label or guideline gives a "
            "step size, and the low-authority pages that propose one are never the basis of a hard rule, so a "
            "larger step is a warning unless the clinic profile makes it a block (taper.block_on_clinic_limits). "
            "Every step is checked, the last one down to zero included. Larger steps raise the risk of "
            f"withdrawal. {_RAPID_WITHDRAWAL}"
        ),
        data={
            "largest_step_mg_per_day": ctx.largest_step_mg_per_day,
            "max_step_mg_per_day": ctx.max_step_mg_per_day,
            "last_step_to_zero_mg_per_day": last,
            "block_on_clinic_limits": ctx.block_on_clinic_limits,
        },
        severity=_clinic_severity(ctx),
        signs=ORAL_WITHDRAWAL.signs,
        action=ORAL_WITHDRAWAL.action,
    )


TAPER_STEP_001: Rule[OralPlanContext] = Rule(
    rule_id="TAPER-STEP-001",
    title="Taper step larger than the configured maximum",
    severity=Severity.WARN,
    evidence=("S109", "S14", "S4"),
    check=_check_taper_step,
    settings=("taper.max_step_mg_per_day",),
)


def _check_taper_long_term(ctx: OralPlanContext) -> Finding | None:
    if ctx.kind != TAPER or not ctx.is_long_term_high_dose:
        return None
    return TAPER_LONGTERM_001.finding(
        f"Long-term high-dose use ({ctx.months_on_therapy:g} months at {ctx.from_mg_per_day:g} mg/day): the "
        f"taper to zero lasts at least {ctx.required_days_to_zero} days.",
        reasoning=(
            "Oral withdrawal cases had at least 5 months of prior treatment; guidance says to reduce over 2 "
            f"weeks or more and longer if symptoms occur. Thresholds ({ctx.long_term_months:g} months, "
            f"{ctx.long_term_dose_mg_per_day:g} mg/day) and the longer duration are settings (assumptions)."
        ),
        data={
            "months_on_therapy": ctx.months_on_therapy,
            "from_mg_per_day": ctx.from_mg_per_day,
            "required_days_to_zero": ctx.required_days_to_zero,
        },
    )


TAPER_LONGTERM_001: Rule[OralPlanContext] = Rule(
    rule_id="TAPER-LONGTERM-001",
    title="Long-term high-dose use: longer taper",
    severity=Severity.WARN,
    evidence=("S110", "S24", "S29"),
    check=_check_taper_long_term,
)


def _check_taper_unknown_duration(ctx: OralPlanContext) -> Finding | None:
    if (
        ctx.kind != TAPER
        or ctx.months_on_therapy is not None
        or ctx.from_mg_per_day is None
        or ctx.long_term_dose_mg_per_day is None
        or ctx.from_mg_per_day < ctx.long_term_dose_mg_per_day
    ):
        return None
    data = {
        "from_mg_per_day": ctx.from_mg_per_day,
        "long_term_months": ctx.long_term_months,
        "long_term_dose_mg_per_day": ctx.long_term_dose_mg_per_day,
        "required_days_to_zero": ctx.required_days_to_zero,
        "assumed_long_term": True,
    }
    reasoning = (
        f"Oral withdrawal cases had at least 5 months of prior treatment; guidance says to reduce over 2 "
        f"weeks or more and longer if symptoms occur. At {ctx.from_mg_per_day:g} mg/day (at or above "
        f"{ctx.long_term_dose_mg_per_day:g} mg/day) with the time on therapy unknown, the plan assumes "
        f"long-term use ({ctx.long_term_months:g} months or more), the conservative choice. Thresholds and "
        "the longer duration are settings (assumptions)."
    )
    if ctx.to_mg_per_day in (0, 0.0) and ctx.required_days_to_zero is not None:
        return TAPER_LONGTERM_002.finding(
            f"Time on therapy not given for {ctx.from_mg_per_day:g} mg/day: the taper is planned as after "
            f"long-term high-dose use and needs at least {ctx.required_days_to_zero} days to zero. If "
            f"baclofen was taken for less than {ctx.long_term_months:g} months, give the months on therapy "
            "to shorten it.",
            reasoning=reasoning,
            data=data,
        )
    return TAPER_LONGTERM_002.finding(
        f"Time on therapy not given for {ctx.from_mg_per_day:g} mg/day: assume long-term high-dose use and "
        "reduce slowly; a taper to zero needs the longer minimum duration unless the months on therapy show "
        "short use.",
        reasoning=reasoning,
        data=data,
    )


TAPER_LONGTERM_002: Rule[OralPlanContext] = Rule(
    rule_id="TAPER-LONGTERM-002",
    title="High dose with unknown time on therapy: planned as long-term use",
    severity=Severity.WARN,
    evidence=("S110", "S24", "S29"),
    check=_check_taper_unknown_duration,
)


def _check_taper_lowest(ctx: OralPlanContext) -> Finding | None:
    if ctx.kind != TAPER or not ctx.held_lowest_dose:
        return None
    return TAPER_LOWEST_001.finding(
        f"The product cannot give a daily dose between {ctx.from_mg_per_day:g} mg and zero: the plan keeps "
        f"{ctx.from_mg_per_day:g} mg/day for {ctx.days_to_zero} days, then stops.",
        reasoning=("An oral liquid can be measured in smaller steps and allows a gradual reduction from a low dose."),
        data={"from_mg_per_day": ctx.from_mg_per_day, "days_to_zero": ctx.days_to_zero},
    )


TAPER_LOWEST_001: Rule[OralPlanContext] = Rule(
    rule_id="TAPER-LOWEST-001",
    title="Taper from the lowest dose the product can give",
    severity=Severity.WARN,
    evidence=("S4", "S10"),
    check=_check_taper_lowest,
)


def _check_product_locale(ctx: OralPlanContext) -> Finding | None:
    if ctx.product_name is None or not ctx.product_locales or ctx.patient.locale in ctx.product_locales:
        return None
    listed = ", ".join(sorted(loc.value.upper() for loc in ctx.product_locales))
    here = ctx.patient.locale.value.upper()
    return ORAL_PRODUCT_002.finding(
        f"{ctx.product_name} is listed for {listed}; the plan is for a patient in {here}.",
        reasoning=(
            "Products, strengths and labels differ between the US and the UK (US tablets 5/10/15/20 mg, Ozobax, "
            "Fleqsuvy, Lyvispah; UK 10 mg and 5 mg tablets and a 5 mg/5 mL solution). The plan applies the "
            f"{here} limits to a product listed elsewhere."
        ),
        data={
            "product": ctx.product_name,
            "product_locales": sorted(loc.value for loc in ctx.product_locales),
            "patient_locale": ctx.patient.locale.value,
        },
        evidence=ctx.product_evidence,
        action="Check that the product can be dispensed where the patient lives, or choose a product of that locale.",
    )


ORAL_PRODUCT_002: Rule[OralPlanContext] = Rule(
    rule_id="ORAL-PRODUCT-002",
    title="The product is not listed for the patient's locale",
    severity=Severity.WARN,
    evidence=("S13", "S95"),
    check=_check_product_locale,
)


#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (
    ORAL_PRODUCT_002,
    ORAL_MAX_001,
    ORAL_MAX_002,
    ORAL_MAX_003,
    ORAL_FREQ_001,
    ORAL_RENAL_001,
    ORAL_RENAL_002,
    ORAL_RENAL_003,
    ORAL_RENAL_004,
    ORAL_RENAL_005,
    ORAL_DIALYSIS_001,
    ORAL_DIALYSIS_002,
    ORAL_ELDERLY_001,
    ORAL_CEREBRAL_001,
    ORAL_PRODUCT_001,
    *_CONDITION_RULES.values(),
    ORAL_CONDITIONS_001,
    ORAL_LABEL_001,
    ORAL_LABEL_002,
    TAPER_INFO_001,
    TAPER_ABRUPT_001,
    TAPER_ABRUPT_002,
    TAPER_STEP_001,
    TAPER_LONGTERM_001,
    TAPER_LONGTERM_002,
    TAPER_LOWEST_001,
)

#: What every oral plan evaluates: the rules defined here (ORAL-DIALYSIS-002 on the plan's dialysis dose) and,
#: adapted to the plan, rules defined elsewhere (SCOPE-PAEDIATRIC-001, the CI-BAC cautions).
ORAL_RULES: tuple[Rule[OralPlanContext], ...] = (
    PAEDIATRIC_SCOPE.adapted(lambda ctx: ctx.patient.age_years),
    *(ORAL_DIALYSIS_002.adapted(_titration_dialysis_dose) if r is ORAL_DIALYSIS_002 else r for r in DEFINED_RULES),
    *_CAUTION_RULES,
)


def evaluate_oral_rules(ctx: OralPlanContext) -> tuple[Finding, ...]:
    """All findings of :data:`ORAL_RULES` on ``ctx``, most severe first; never raises."""
    return evaluate_rules(ORAL_RULES, ctx)


__all__ = [
    "CONDITION_CAUTIONS",
    "DEFINED_RULES",
    "KNOWN_CONDITIONS",
    "ORAL_RULES",
    "OralPlanContext",
    "evaluate_oral_rules",
    "normalise_condition",
]
