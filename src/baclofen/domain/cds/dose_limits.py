"""Per-drug dose limits and :func:`check_dose` (clinical.md §1.2, §1.3, §5.5, §8).

Limits the sources confirm are named constants with citation keys; limits they leave UNCONFIRMED or on
which they DISAGREE are :class:`Setting` objects a caller may override (the result records the values
used). Oral baclofen reuses the oral planner's settings (:mod:`baclofen.domain.oral.limits`) and intrathecal
baclofen the ITB domain's dose-level rules (:func:`baclofen.domain.itb.dosing.check_daily_dose`), so that
each limit is defined once.

Daily doses are given in the drug's unit: oral drugs in mg/day, intrathecal baclofen in mcg/day (a
mg/mcg mix-up is a 1000-fold error, so the other unit is refused, never converted), nabiximols in
sprays/day.

>>> [(f.rule_id, f.severity.value) for f in check_dose("tizanidine", mg_per_day=40).findings]
[('DOSE-TIZ-MAX-001', 'block'), ('DOSE-TIZ-USUAL-001', 'info')]
>>> check_dose("baclofen", mg_per_day=60).within_limits
True
>>> [f.rule_id for f in check_dose("Gablofen", mcg_per_day=1200).findings]
['ITB-DOSE-001']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from baclofen.domain.cds.contraindications import TIZANIDINE_KIDNEY, ContraindicationContext
from baclofen.domain.cds.drugs import Drug, get_drug
from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.itb.dosing import (
    DAILY_DOSE_CONFIRMATION_THRESHOLD,
    HIGHEST_REPORTED_DAILY_DOSE,
    MAINTENANCE_RANGE_MCG_PER_DAY,
    check_daily_dose,
)
from baclofen.domain.itb.limits import LOWEST_DAILY_DOSE_MCG
from baclofen.domain.oral.limits import (
    CKD_CRCL_ML_MIN,
    CKD_HIGH_DOSE_MG_PER_DAY,
    CKD_HIGH_DOSE_RISK_RATIO,
    DIALYSIS_MAX_START_MG_PER_DAY,
    LOWEST_PLAUSIBLE_SINGLE_DOSE_MG,
    MAX_DAILY_DOSE_IN_HOSPITAL_UK,
    MAX_DAILY_DOSE_IN_HOSPITAL_US,
    MAX_DAILY_DOSE_UK,
    MAX_DAILY_DOSE_US,
    KidneyBand,
    in_hospital_ceiling_setting,
    kidney_band,
    kidney_reduced_max_mg_per_day,
    likely_intended_oral_dose_mg,
    locale_ceiling_setting,
)
from baclofen.domain.patient import KidneyFunction, Locale, SpasticityOrigin
from baclofen.domain.rules.core import Finding, Rule, Severity, evaluate_rules, sort_findings
from baclofen.domain.rules.oral import KIDNEY_REDUCTION_SEVERITY, ORAL_DIALYSIS_002, DialysisDose
from baclofen.domain.settings import EvidenceStatus, Setting, SettingUse, SettingValues, settings_to_dicts
from baclofen.domain.signs import ORAL_OVERDOSE


class DoseUnit(Enum):
    MG_PER_DAY = "mg/day"
    MCG_PER_DAY = "mcg/day"
    SPRAYS_PER_DAY = "sprays/day"


# --- Confirmed limits (named constants) -----------------------------------------------------------------
#: Tizanidine maximum daily dose, the common ceiling of every source: 36 mg/day [S73] [S72] [S25] [S110b].
TIZANIDINE_MAX_MG_PER_DAY = 36.0
#: UK formulary usual maximum 24 mg/day in 3-4 doses [S25]; NHS Scotland usual maximum 24 mg/day [S26].
TIZANIDINE_USUAL_MAX_MG_PER_DAY = 24.0
#: Dantrolene maximum 100 mg four times a day = 400 mg/day [S77] [S80] [S25].
DANTROLENE_MAX_MG_PER_DAY = 400.0
#: Dantrolene maximum single dose 100 mg (100 mg QID) [S77].
DANTROLENE_MAX_SINGLE_DOSE_MG = 100.0
#: Dantrolene hepatotoxicity much higher at >= 800 mg/day [S78].
DANTROLENE_HEPATOTOXIC_MG_PER_DAY = 800.0
#: Diazepam for spasms: 2.5 mg at night, up to 5 mg (eTG) [S27].
DIAZEPAM_MAX_MG_PER_DAY = 5.0
#: Clonazepam for spasms: 0.5 mg at night, up to 2 mg (eTG) [S27].
CLONAZEPAM_MAX_MG_PER_DAY = 2.0

# --- Settings (UNCONFIRMED / DISAGREE) ---------------------------------------------------------------------
TIZANIDINE_MAX_SINGLE_DOSE_MG = Setting(
    name="cds.tizanidine.max_single_dose_mg",
    default=16.0,
    unit="mg",
    status=EvidenceStatus.DISAGREE,
    evidence=("S73", "S110b", "S72"),
    description="Tizanidine single doses > 16 mg have not been studied [S73]; the Zanaflex capsule summary gives a "
    "maximum of 12 mg per dose [S72] (clinical.md §8.2 DISAGREE).",
    minimum=2.0,
    maximum=16.0,
)
TIZANIDINE_MAX_DOSES_PER_DAY_US = Setting(
    name="cds.tizanidine.max_doses_per_day.us",
    default=3,
    unit="doses in 24 h",
    status=EvidenceStatus.DISAGREE,
    evidence=("S73", "S110b", "S25"),
    description="Tizanidine doses in 24 h, US: a dose can be repeated every 6-8 h, up to 3 doses in 24 h [S73] "
    "[S110b]. DISAGREE with the UK formulary's 3-4 doses a day [S25] (clinical.md §8.2).",
    minimum=1,
    maximum=4,
)
TIZANIDINE_MAX_DOSES_PER_DAY_UK = Setting(
    name="cds.tizanidine.max_doses_per_day.uk",
    default=4,
    unit="doses in 24 h",
    status=EvidenceStatus.DISAGREE,
    evidence=("S25", "S73"),
    description="Tizanidine doses in 24 h, UK: the Devon formulary gives usually up to 24 mg/day 'in 3-4 doses' "
    "[S25]. DISAGREE with the US label's up to 3 doses in 24 h [S73] (clinical.md §8.2). No source allows more "
    "than 4.",
    minimum=1,
    maximum=4,
)
_TIZANIDINE_DOSES = {Locale.US: TIZANIDINE_MAX_DOSES_PER_DAY_US, Locale.UK: TIZANIDINE_MAX_DOSES_PER_DAY_UK}


def tizanidine_doses_setting(locale: Locale) -> Setting:
    """The setting of the most tizanidine doses in 24 h in ``locale``."""
    return _TIZANIDINE_DOSES[locale]


GABAPENTIN_MAX_MG_PER_DAY = Setting(
    name="cds.gabapentin.max_daily_dose_mg",
    default=3600.0,
    unit="mg/day",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("S97", "S24", "S109"),
    description="Gabapentin is used off-label for spasticity 'as for neuropathic pain' [S24]; the US neuropathic "
    "pain label's efficacy range is 1800-3600 mg/day [S97, low-quality host]. A spasticity-specific "
    "maximum is UNCONFIRMED as guideline text (only low-authority sources [S109]).",
    minimum=300.0,
    maximum=3600.0,
)
NABIXIMOLS_MAX_SPRAYS_PER_DAY = Setting(
    name="cds.nabiximols.max_sprays_per_day",
    default=12,
    unit="sprays/day",
    status=EvidenceStatus.PARTLY_VERIFIED,
    evidence=("S87", "S90b"),
    description="Sativex maximum 12 sprays/day, at least 15 min apart (manufacturer page, verification update); "
    "the SmPC figure itself was UNCONFIRMED and older trials allowed up to 48 actuations/24 h [S90b].",
    minimum=1,
    maximum=48,
)

SETTINGS_BY_NAME: Mapping[str, Setting] = {
    s.name: s
    for s in (
        MAX_DAILY_DOSE_US,
        MAX_DAILY_DOSE_UK,
        MAX_DAILY_DOSE_IN_HOSPITAL_US,
        MAX_DAILY_DOSE_IN_HOSPITAL_UK,
        DIALYSIS_MAX_START_MG_PER_DAY,
        CKD_CRCL_ML_MIN,
        DAILY_DOSE_CONFIRMATION_THRESHOLD,
        HIGHEST_REPORTED_DAILY_DOSE,
        TIZANIDINE_MAX_SINGLE_DOSE_MG,
        TIZANIDINE_MAX_DOSES_PER_DAY_US,
        TIZANIDINE_MAX_DOSES_PER_DAY_UK,
        GABAPENTIN_MAX_MG_PER_DAY,
        NABIXIMOLS_MAX_SPRAYS_PER_DAY,
    )
}

#: The unit each drug with cited limits is checked in.
DOSE_UNITS: Mapping[str, DoseUnit] = {
    "baclofen": DoseUnit.MG_PER_DAY,
    "baclofen-intrathecal": DoseUnit.MCG_PER_DAY,
    "tizanidine": DoseUnit.MG_PER_DAY,
    "dantrolene": DoseUnit.MG_PER_DAY,
    "gabapentin": DoseUnit.MG_PER_DAY,
    "diazepam": DoseUnit.MG_PER_DAY,
    "clonazepam": DoseUnit.MG_PER_DAY,
    "nabiximols": DoseUnit.SPRAYS_PER_DAY,
}


@dataclass(frozen=True, slots=True)
class DoseContext:
    """What the dose rules look at (values already validated; settings resolved)."""

    drug: Drug
    daily: float
    unit: DoseUnit
    locale: Locale = Locale.US
    single_dose_mg: float | None = None
    doses_per_day: int | None = None
    kidney: KidneyFunction | None = None
    settings: SettingValues = field(default_factory=lambda: dose_setting_values(None))
    origin: SpasticityOrigin | None = None

    def value(self, setting: Setting) -> Any:
        return self.settings.get(setting)


def _fmt(x: float) -> str:
    return f"{x:g}"


# --- oral baclofen -------------------------------------------------------------------------------------------
def _check_bac_max(ctx: DoseContext) -> Finding | None:
    if ctx.drug.key != "baclofen":
        return None
    setting = locale_ceiling_setting(ctx.locale)
    ceiling = float(ctx.value(setting))
    if ctx.daily <= ceiling:
        return None
    hospital_setting = in_hospital_ceiling_setting(ctx.locale)
    hospital = max(ceiling, float(ctx.value(hospital_setting)))
    extra = (
        f" Up to {_fmt(hospital)} mg/day only in hospital under careful supervision (override with a reason; "
        f"{hospital_setting.name})."
        if ctx.daily <= hospital
        else f" It is also above the {_fmt(hospital)} mg/day {ctx.locale.value.upper()} in-hospital maximum "
        f"({hospital_setting.name})."
    )
    return BAC_ORAL_MAX.finding(
        f"oral baclofen {_fmt(ctx.daily)} mg/day is above the {ctx.locale.value.upper()} maximum of "
        f"{_fmt(ceiling)} mg/day",
        reasoning=f"Maximum oral dose: {_fmt(ceiling)} mg/day ({setting.name}; US/Canada 80, UK/Australia 100 - "
        "DISAGREE, chosen by locale)." + extra,
        data={
            "daily_dose_mg": ctx.daily,
            "max_daily_dose_mg": ceiling,
            "locale": ctx.locale.value,
            "in_hospital_max_mg": hospital,
        },
        evidence=setting.evidence,
        signs=ORAL_OVERDOSE.signs,
        action="Do not exceed the maximum.",
    )


BAC_ORAL_MAX: Rule[DoseContext] = Rule(
    "DOSE-BAC-ORAL-MAX-001",
    "Oral baclofen above the locale maximum",
    Severity.BLOCK,
    ("S1", "S4", "S14", "S24", "S25", "S27", "NovartisCore"),
    _check_bac_max,
    settings=(
        "oral.max_daily_dose_mg.us",
        "oral.max_daily_dose_mg.uk",
        "oral.max_daily_dose_mg.in_hospital.us",
        "oral.max_daily_dose_mg.in_hospital.uk",
    ),
    conditions=("baclofen.oral.above_max_daily_dose",),
)


def _check_bac_too_low(ctx: DoseContext) -> Finding | None:
    low = float(LOWEST_PLAUSIBLE_SINGLE_DOSE_MG.default)
    if ctx.drug.key != "baclofen" or not 0 < ctx.daily < low:
        return None
    meant = likely_intended_oral_dose_mg(ctx.daily)
    guess = f" ({_fmt(meant)} mg/day if it was typed 1000 times too small: a mg/mcg slip)" if meant else ""
    return BAC_TOO_LOW.finding(
        f"oral baclofen {_fmt(ctx.daily)} mg/day is below the lowest plausible single dose of {_fmt(low)} mg"
        f"{guess}: check the unit",
        reasoning=f"The label starts at 5 mg three times a day (S1, S4); even on dialysis about 5 mg a day is used "
        f"(S14). A dose below {_fmt(low)} mg ({LOWEST_PLAUSIBLE_SINGLE_DOSE_MG.name}, ASSUMPTION) is read as a "
        "likely unit slip, as simulate oral reads it (PK-DOSE-001). Oral doses are mg and intrathecal doses "
        "mcg: a mix-up is a 1000-fold error.",
        data={"daily_dose_mg": ctx.daily, "likely_intended_mg_per_day": meant, "lowest_plausible_mg": low},
        action="Check the unit: re-enter the daily dose in mg.",
    )


BAC_TOO_LOW: Rule[DoseContext] = Rule(
    "DOSE-BAC-ORAL-LOW-001",
    "Oral baclofen below a plausible dose (likely mg/mcg slip)",
    Severity.WARN,
    ("S1", "S4", "S14"),
    _check_bac_too_low,
)


def _dialysis_dose(ctx: DoseContext) -> DialysisDose | None:
    k = ctx.kidney
    if ctx.drug.key != "baclofen" or k is None or not k.dialysis:
        return None
    return DialysisDose(ctx.daily, float(ctx.value(DIALYSIS_MAX_START_MG_PER_DAY)), "oral baclofen")


#: A dose above the dialysis dose is decided by the one rule ORAL-DIALYSIS-002 (rules/oral.py) on every path.
BAC_DIALYSIS: Rule[DoseContext] = ORAL_DIALYSIS_002.adapted(_dialysis_dose)


def _check_bac_ckd(ctx: DoseContext) -> Finding | None:
    k = ctx.kidney
    if ctx.drug.key != "baclofen" or k is None or not k.is_known:
        return None
    threshold = float(ctx.value(CKD_CRCL_ML_MIN))
    in_ckd = k.dialysis or (k.crcl_ml_min is not None and k.crcl_ml_min < threshold)
    if not in_ckd or ctx.daily <= CKD_HIGH_DOSE_MG_PER_DAY:
        return None
    return BAC_CKD.finding(
        f"oral baclofen {_fmt(ctx.daily)} mg/day in CKD: above {_fmt(CKD_HIGH_DOSE_MG_PER_DAY)} mg/day",
        reasoning=f"In a Canadian CKD cohort, doses > {_fmt(CKD_HIGH_DOSE_MG_PER_DAY)} mg/day carried a "
        f"{_fmt(CKD_HIGH_DOSE_RISK_RATIO)}-fold risk of hospitalisation with encephalopathy. CKD here is "
        f"CrCl < {_fmt(threshold)} mL/min ({CKD_CRCL_ML_MIN.name}, an assumption) or dialysis.",
        data={
            "daily_dose_mg": ctx.daily,
            "crcl_ml_min": k.crcl_ml_min,
            "dialysis": k.dialysis,
            "ckd_crcl_threshold_ml_min": threshold,
            "risk_ratio": CKD_HIGH_DOSE_RISK_RATIO,
        },
        signs=ORAL_OVERDOSE.signs,
        action="Consider a lower dose; watch for confusion and drowsiness.",
    )


BAC_CKD: Rule[DoseContext] = Rule(
    "DOSE-BAC-KIDNEY-002", "Oral baclofen > 20 mg/day in CKD", Severity.WARN, ("S23",), _check_bac_ckd
)


def _check_bac_band(ctx: DoseContext) -> Finding | None:
    k = ctx.kidney
    if ctx.drug.key != "baclofen" or k is None or k.dialysis or k.crcl_ml_min is None:
        return None
    band = kidney_band(k.crcl_ml_min)
    if band is KidneyBand.NORMAL:
        return None
    ceiling = float(ctx.value(locale_ceiling_setting(ctx.locale)))
    reduced = kidney_reduced_max_mg_per_day(ceiling, k.crcl_ml_min)
    if ctx.daily <= reduced + 1e-9:
        return None
    return BAC_BAND.finding(
        f"oral baclofen {_fmt(ctx.daily)} mg/day with CrCl {_fmt(k.crcl_ml_min)} mL/min ({band.label} CKD): above "
        f"the kidney-reduced maximum of {reduced:.1f} mg/day",
        reasoning=f"The renal PK study (Vlavonou 2014) found mean dose reductions of 1/3, 1/2 and 2/3 in mild, "
        f"moderate and severe CKD; {band.crcl_range} is {band.label}, so the {_fmt(ceiling)} mg/day "
        f"maximum is reduced by {band.reduction_text} to {reduced:.1f} mg/day. This is study-derived, not "
        "label dosing.",
        data={
            "daily_dose_mg": ctx.daily,
            "crcl_ml_min": k.crcl_ml_min,
            "kidney_band": band.label,
            "reduction": band.reduction_text,
            "suggested_max_mg_per_day": round(reduced, 1),
        },
        signs=ORAL_OVERDOSE.signs,
        action=f"Suggested maximum about {reduced:.1f} mg/day; titrate to effect.",
    )


BAC_BAND: Rule[DoseContext] = Rule(
    "DOSE-BAC-KIDNEY-003",
    "Oral baclofen above the kidney-reduced maximum",
    KIDNEY_REDUCTION_SEVERITY,
    ("S22",),
    _check_bac_band,
)


# --- tizanidine ----------------------------------------------------------------------------------------------
def _check_tiz_max(ctx: DoseContext) -> Finding | None:
    if ctx.drug.key != "tizanidine" or ctx.daily <= TIZANIDINE_MAX_MG_PER_DAY:
        return None
    return TIZ_MAX.finding(
        f"tizanidine {_fmt(ctx.daily)} mg/day is above the maximum of {_fmt(TIZANIDINE_MAX_MG_PER_DAY)} mg/day",
        reasoning="Every source gives 36 mg/day as the tizanidine maximum (US label, Zanaflex capsules, UK formulary).",
        data={"daily_dose_mg": ctx.daily, "max_daily_dose_mg": TIZANIDINE_MAX_MG_PER_DAY},
        action="Do not exceed 36 mg/day.",
    )


TIZ_MAX: Rule[DoseContext] = Rule(
    "DOSE-TIZ-MAX-001",
    "Tizanidine above 36 mg/day",
    Severity.BLOCK,
    ("S73", "S72", "S25", "S110b"),
    _check_tiz_max,
    settings=(),
)


def _check_tiz_usual(ctx: DoseContext) -> Finding | None:
    if ctx.drug.key != "tizanidine" or ctx.daily <= TIZANIDINE_USUAL_MAX_MG_PER_DAY:
        return None
    return TIZ_USUAL.finding(
        f"tizanidine {_fmt(ctx.daily)} mg/day is above the usual UK maximum of "
        f"{_fmt(TIZANIDINE_USUAL_MAX_MG_PER_DAY)} mg/day",
        reasoning="UK formulary: usually up to 24 mg/day in 3-4 doses (maximum 36 mg/day); NHS Scotland gives a "
        "usual maximum of 24 mg/day.",
        data={"daily_dose_mg": ctx.daily, "usual_max_mg_per_day": TIZANIDINE_USUAL_MAX_MG_PER_DAY},
    )


TIZ_USUAL: Rule[DoseContext] = Rule(
    "DOSE-TIZ-USUAL-001", "Tizanidine above the usual 24 mg/day", Severity.INFO, ("S25", "S26"), _check_tiz_usual
)


def _check_tiz_single(ctx: DoseContext) -> Finding | None:
    if ctx.drug.key != "tizanidine" or ctx.single_dose_mg is None:
        return None
    limit = float(ctx.value(TIZANIDINE_MAX_SINGLE_DOSE_MG))
    if ctx.single_dose_mg <= limit:
        return None
    return TIZ_SINGLE.finding(
        f"tizanidine single dose {_fmt(ctx.single_dose_mg)} mg is above {_fmt(limit)} mg",
        reasoning="Single doses > 16 mg have not been studied (US label); the capsule summary gives 12 mg per dose "
        f"(DISAGREE; {TIZANIDINE_MAX_SINGLE_DOSE_MG.name} = {_fmt(limit)}).",
        data={"single_dose_mg": ctx.single_dose_mg, "max_single_dose_mg": limit},
        action="Split the daily dose into smaller doses.",
    )


TIZ_SINGLE: Rule[DoseContext] = Rule(
    "DOSE-TIZ-SINGLE-001",
    "Tizanidine single dose above the studied maximum",
    Severity.WARN,
    ("S73", "S110b", "S72"),
    _check_tiz_single,
)


def _check_tiz_frequency(ctx: DoseContext) -> Finding | None:
    if ctx.drug.key != "tizanidine" or ctx.doses_per_day is None:
        return None
    setting = tizanidine_doses_setting(ctx.locale)
    limit = int(ctx.value(setting))
    if ctx.doses_per_day <= limit:
        return None
    return TIZ_FREQ.finding(
        f"tizanidine {ctx.doses_per_day} doses a day: the {ctx.locale.value.upper()} sources allow up to {limit} in "
        "24 h",
        reasoning="US label: doses can be repeated every 6-8 h, up to 3 doses in 24 h [S73]; UK formulary: usually "
        f"in 3-4 doses a day [S25] (DISAGREE, chosen by locale: {setting.name} = {limit}).",
        data={"doses_per_day": ctx.doses_per_day, "max_doses_per_day": limit, "locale": ctx.locale.value},
    )


TIZ_FREQ: Rule[DoseContext] = Rule(
    "DOSE-TIZ-FREQ-001",
    "Tizanidine more doses in 24 h than the locale's sources allow",
    Severity.WARN,
    ("S73", "S110b", "S25"),
    _check_tiz_frequency,
)


# --- dantrolene ----------------------------------------------------------------------------------------------
def _check_dan_max(ctx: DoseContext) -> Finding | None:
    if ctx.drug.key != "dantrolene" or ctx.daily <= DANTROLENE_MAX_MG_PER_DAY:
        return None
    hepatic = ctx.daily >= DANTROLENE_HEPATOTOXIC_MG_PER_DAY
    return DAN_MAX.finding(
        f"dantrolene {_fmt(ctx.daily)} mg/day is above the maximum of {_fmt(DANTROLENE_MAX_MG_PER_DAY)} mg/day",
        reasoning="Maximum 100 mg four times a day (400 mg/day). Hepatotoxicity is dose-related and much higher at "
        f">= {_fmt(DANTROLENE_HEPATOTOXIC_MG_PER_DAY)} mg/day" + (" - this dose is in that range." if hepatic else "."),
        data={"daily_dose_mg": ctx.daily, "max_daily_dose_mg": DANTROLENE_MAX_MG_PER_DAY, "hepatotoxic_range": hepatic},
        action="Do not exceed 400 mg/day; check liver function tests.",
    )


DAN_MAX: Rule[DoseContext] = Rule(
    "DOSE-DAN-MAX-001",
    "Dantrolene above 400 mg/day",
    Severity.BLOCK,
    ("S77", "S80", "S25", "S78"),
    _check_dan_max,
    settings=(),
)


def _check_dan_single(ctx: DoseContext) -> Finding | None:
    if ctx.drug.key != "dantrolene" or ctx.single_dose_mg is None:
        return None
    if ctx.single_dose_mg <= DANTROLENE_MAX_SINGLE_DOSE_MG:
        return None
    return DAN_SINGLE.finding(
        f"dantrolene single dose {_fmt(ctx.single_dose_mg)} mg is above {_fmt(DANTROLENE_MAX_SINGLE_DOSE_MG)} mg",
        reasoning="The maximum is 100 mg four times a day.",
        data={"single_dose_mg": ctx.single_dose_mg, "max_single_dose_mg": DANTROLENE_MAX_SINGLE_DOSE_MG},
    )


DAN_SINGLE: Rule[DoseContext] = Rule(
    "DOSE-DAN-SINGLE-001", "Dantrolene single dose above 100 mg", Severity.WARN, ("S77",), _check_dan_single
)


# --- gabapentin, benzodiazepines, nabiximols --------------------------------------------------------------
def _check_simple(rule_id: str, drug_key: str, limit_of: Any, unit: str, reasoning: str, status: EvidenceStatus) -> Any:
    def check(ctx: DoseContext) -> Finding | None:
        if ctx.drug.key != drug_key:
            return None
        limit = float(ctx.value(limit_of)) if isinstance(limit_of, Setting) else float(limit_of)
        if ctx.daily <= limit:
            return None
        return RULES_BY_ID[rule_id].finding(
            f"{ctx.drug.generic_name} {_fmt(ctx.daily)} {unit} is above {_fmt(limit)} {unit}",
            reasoning=reasoning
            + (f" Evidence status: {status.value}." if status is not EvidenceStatus.CONFIRMED else ""),
            data={"daily_dose": ctx.daily, "unit": unit, "limit": limit, "evidence_status": status.value},
        )

    return check


RULES_BY_ID: dict[str, Rule[DoseContext]] = {}
GABA_MAX: Rule[DoseContext] = Rule(
    "DOSE-GABA-MAX-001",
    "Gabapentin above the neuropathic-pain maximum",
    Severity.WARN,
    GABAPENTIN_MAX_MG_PER_DAY.evidence,
    _check_simple(
        "DOSE-GABA-MAX-001",
        "gabapentin",
        GABAPENTIN_MAX_MG_PER_DAY,
        "mg/day",
        "Off-label for spasticity with doses as for neuropathic pain; label efficacy range 1800-3600 mg/day. "
        "A spasticity-specific maximum is UNCONFIRMED.",
        EvidenceStatus.UNCONFIRMED,
    ),
)
DZP_MAX: Rule[DoseContext] = Rule(
    "DOSE-DZP-MAX-001",
    "Diazepam above the eTG spasm range",
    Severity.WARN,
    ("S27",),
    _check_simple(
        "DOSE-DZP-MAX-001",
        "diazepam",
        DIAZEPAM_MAX_MG_PER_DAY,
        "mg/day",
        "eTG: diazepam 2.5 mg at night for spasms, up to 5 mg.",
        EvidenceStatus.CONFIRMED,
    ),
)
CZP_MAX: Rule[DoseContext] = Rule(
    "DOSE-CZP-MAX-001",
    "Clonazepam above the eTG spasm range",
    Severity.WARN,
    ("S27",),
    _check_simple(
        "DOSE-CZP-MAX-001",
        "clonazepam",
        CLONAZEPAM_MAX_MG_PER_DAY,
        "mg/day",
        "eTG: clonazepam 0.5 mg at night for spasms, up to 2 mg (better tolerated).",
        EvidenceStatus.CONFIRMED,
    ),
)
NABX_MAX: Rule[DoseContext] = Rule(
    "DOSE-NABX-MAX-001",
    "Nabiximols above the maximum sprays a day",
    Severity.WARN,
    NABIXIMOLS_MAX_SPRAYS_PER_DAY.evidence,
    _check_simple(
        "DOSE-NABX-MAX-001",
        "nabiximols",
        NABIXIMOLS_MAX_SPRAYS_PER_DAY,
        "sprays/day",
        "Sativex: maximum 12 sprays a day, at least 15 min apart (manufacturer).",
        EvidenceStatus.PARTLY_VERIFIED,
    ),
)
RULES_BY_ID.update({r.rule_id: r for r in (GABA_MAX, DZP_MAX, CZP_MAX, NABX_MAX)})

DOSE_RULES: tuple[Rule[DoseContext], ...] = (
    BAC_ORAL_MAX,
    BAC_TOO_LOW,
    BAC_DIALYSIS,
    BAC_CKD,
    BAC_BAND,
    TIZ_MAX,
    TIZ_USUAL,
    TIZ_SINGLE,
    TIZ_FREQ,
    DAN_MAX,
    DAN_SINGLE,
    GABA_MAX,
    DZP_MAX,
    CZP_MAX,
    NABX_MAX,
)
#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`): not
#: ORAL-DIALYSIS-002, which :data:`DOSE_RULES` evaluates adapted from ``rules/oral.py``.
DEFINED_RULES: tuple[Rule[Any], ...] = tuple(r for r in DOSE_RULES if r is not BAC_DIALYSIS)


def _limits_for(ctx: DoseContext) -> list[dict[str, Any]]:
    """The limits that apply to this drug, with their values, units, status and evidence."""
    key = ctx.drug.key
    rows: list[dict[str, Any]] = []

    def add(
        kind: str,
        value: float,
        unit: str,
        severity: Severity,
        evidence: tuple[str, ...],
        status: EvidenceStatus,
        setting: Setting | None = None,
    ) -> None:
        rows.append(
            {
                "kind": kind,
                "value": value,
                "unit": unit,
                "severity": severity.value,
                "evidence_keys": list(evidence),
                "status": status.value,
                "setting": setting.name if setting else None,
            }
        )

    if key == "baclofen":
        s = locale_ceiling_setting(ctx.locale)
        add(
            f"daily maximum ({ctx.locale.value})",
            float(ctx.value(s)),
            "mg/day",
            Severity.BLOCK,
            s.evidence,
            s.status,
            s,
        )
        if ctx.kidney is not None and ctx.kidney.dialysis:
            d = DIALYSIS_MAX_START_MG_PER_DAY
            add("dialysis dose", float(ctx.value(d)), "mg/day", Severity.WARN, d.evidence, d.status, d)
        if ctx.kidney is not None and ctx.kidney.is_known:
            add(
                "CKD high-dose threshold",
                CKD_HIGH_DOSE_MG_PER_DAY,
                "mg/day",
                Severity.WARN,
                ("S23",),
                CKD_CRCL_ML_MIN.status,
                CKD_CRCL_ML_MIN,
            )
    elif key == "baclofen-intrathecal":
        low = LOWEST_DAILY_DOSE_MCG
        add(
            "lowest reported adult dose (1000x below: block)",
            float(low.default),
            "mcg/day",
            Severity.WARN,
            low.evidence,
            low.status,
        )
        s = DAILY_DOSE_CONFIRMATION_THRESHOLD
        add("confirmation threshold", float(ctx.value(s)), "mcg/day", Severity.WARN, s.evidence, s.status, s)
        h = HIGHEST_REPORTED_DAILY_DOSE
        add(
            "highest reported adult maintenance dose",
            float(ctx.value(h)),
            "mcg/day",
            Severity.BLOCK,
            h.evidence,
            h.status,
            h,
        )
        if ctx.origin is not None:
            lo, hi = MAINTENANCE_RANGE_MCG_PER_DAY[ctx.origin]
            add(
                f"usual maintenance range ({ctx.origin.value}), low",
                lo,
                "mcg/day",
                Severity.INFO,
                ("S2", "S36"),
                EvidenceStatus.CONFIRMED,
            )
            add(
                f"usual maintenance range ({ctx.origin.value}), high",
                hi,
                "mcg/day",
                Severity.INFO,
                ("S2", "S36"),
                EvidenceStatus.CONFIRMED,
            )
    elif key == "tizanidine":
        add(
            "daily maximum",
            TIZANIDINE_MAX_MG_PER_DAY,
            "mg/day",
            Severity.BLOCK,
            TIZ_MAX.evidence,
            EvidenceStatus.CONFIRMED,
        )
        add(
            "usual UK maximum",
            TIZANIDINE_USUAL_MAX_MG_PER_DAY,
            "mg/day",
            Severity.INFO,
            TIZ_USUAL.evidence,
            EvidenceStatus.CONFIRMED,
        )
        s = TIZANIDINE_MAX_SINGLE_DOSE_MG
        add("single-dose maximum", float(ctx.value(s)), "mg", Severity.WARN, s.evidence, s.status, s)
        s = tizanidine_doses_setting(ctx.locale)
        add("doses in 24 h", int(ctx.value(s)), "doses", Severity.WARN, s.evidence, s.status, s)
    elif key == "dantrolene":
        add(
            "daily maximum",
            DANTROLENE_MAX_MG_PER_DAY,
            "mg/day",
            Severity.BLOCK,
            DAN_MAX.evidence,
            EvidenceStatus.CONFIRMED,
        )
        add(
            "single-dose maximum",
            DANTROLENE_MAX_SINGLE_DOSE_MG,
            "mg",
            Severity.WARN,
            DAN_SINGLE.evidence,
            EvidenceStatus.CONFIRMED,
        )
    elif key == "gabapentin":
        s = GABAPENTIN_MAX_MG_PER_DAY
        add(
            "daily maximum (neuropathic pain label)",
            float(ctx.value(s)),
            "mg/day",
            Severity.WARN,
            s.evidence,
            s.status,
            s,
        )
    elif key == "diazepam":
        add(
            "night-time spasm range maximum",
            DIAZEPAM_MAX_MG_PER_DAY,
            "mg/day",
            Severity.WARN,
            ("S27",),
            EvidenceStatus.CONFIRMED,
        )
    elif key == "clonazepam":
        add(
            "night-time spasm range maximum",
            CLONAZEPAM_MAX_MG_PER_DAY,
            "mg/day",
            Severity.WARN,
            ("S27",),
            EvidenceStatus.CONFIRMED,
        )
    elif key == "nabiximols":
        s = NABIXIMOLS_MAX_SPRAYS_PER_DAY
        add("daily maximum", float(ctx.value(s)), "sprays/day", Severity.WARN, s.evidence, s.status, s)
    return rows


@dataclass(frozen=True, slots=True)
class DoseCheck:
    """The result of :func:`check_dose`: the limits that apply, the findings and the settings used."""

    drug: Drug
    daily: float
    unit: DoseUnit
    locale: Locale
    limits: tuple[Mapping[str, Any], ...]
    findings: tuple[Finding, ...]
    settings: tuple[SettingUse, ...]
    single_dose_mg: float | None = None
    doses_per_day: int | None = None

    @property
    def within_limits(self) -> bool:
        """True when no finding is a ``block`` or ``warn``."""
        return all(f.severity is Severity.INFO for f in self.findings)

    @property
    def has_cited_limits(self) -> bool:
        return bool(self.limits)

    def to_dict(self) -> dict[str, Any]:
        note = (
            ""
            if self.limits
            else f"clinical.md gives no dose limit for {self.drug.generic_name}: the dose was NOT checked against a "
            "maximum."
        )
        return {
            "drug": self.drug.key,
            "generic_name": self.drug.generic_name,
            "daily_dose": self.daily,
            "unit": self.unit.value,
            "locale": self.locale.value,
            "single_dose_mg": self.single_dose_mg,
            "doses_per_day": self.doses_per_day,
            "limits": [dict(x) for x in self.limits],
            "within_limits": self.within_limits,
            "findings": [f.to_dict() for f in self.findings],
            "settings": settings_to_dicts(self.settings),
            "note": note,
        }


def dose_setting_values(overrides: Mapping[str, Any] | None) -> SettingValues:
    """The dose-limit settings (:data:`SETTINGS_BY_NAME`) with a caller's overrides by name, validated."""
    return SettingValues(SETTINGS_BY_NAME.values(), overrides, field="setting")


def check_dose(
    drug: str | Drug,
    *,
    mg_per_day: float | None = None,
    mcg_per_day: float | None = None,
    sprays_per_day: float | None = None,
    single_dose_mg: float | None = None,
    doses_per_day: int | None = None,
    locale: Locale = Locale.US,
    kidney: KidneyFunction | None = None,
    origin: SpasticityOrigin | None = None,
    settings: Mapping[str, Any] | None = None,
) -> DoseCheck:
    """Check a daily dose of one drug against its cited limits.

    Parameters
    ----------
    drug
        Catalogue name (generic, brand, code) or entry.
    mg_per_day
        Daily dose in mg/day (oral drugs).
    mcg_per_day
        Daily dose in mcg/day (intrathecal baclofen only).
    sprays_per_day
        Sprays per day (nabiximols only).
    single_dose_mg
        Largest single dose in mg (tizanidine, dantrolene), optional.
    doses_per_day
        Number of doses a day (tizanidine), optional.
    locale
        US or UK: chooses the oral baclofen maximum.
    kidney
        Kidney function: dialysis dose, CKD high-dose warning, [S22] band, tizanidine CrCl < 25.
    origin
        Spinal or cerebral origin: for intrathecal baclofen, the usual maintenance range (info).
    settings
        Overrides of the named settings in :data:`SETTINGS_BY_NAME`.

    Returns
    -------
    DoseCheck

    Raises
    ------
    InvalidInputError
        When the dose is missing, negative or given in the wrong unit for the drug (named field).
    """
    entry = drug if isinstance(drug, Drug) else get_drug(drug)
    if not isinstance(locale, Locale):
        raise InvalidInputError("locale", "us or uk", locale)
    expected = DOSE_UNITS.get(entry.key, DoseUnit.MG_PER_DAY)
    given = {
        DoseUnit.MG_PER_DAY: mg_per_day,
        DoseUnit.MCG_PER_DAY: mcg_per_day,
        DoseUnit.SPRAYS_PER_DAY: sprays_per_day,
    }
    field_names = {
        DoseUnit.MG_PER_DAY: "mg_per_day",
        DoseUnit.MCG_PER_DAY: "mcg_per_day",
        DoseUnit.SPRAYS_PER_DAY: "sprays_per_day",
    }
    for unit, value in given.items():
        if value is not None and unit is not expected:
            raise InvalidInputError(
                field_names[unit],
                f"left out for {entry.generic_name}: its daily dose is given in {expected.value}",
                value,
            )
    value = given[expected]
    if value is None:
        raise InvalidInputError(
            field_names[expected], f"the daily dose of {entry.generic_name} in {expected.value}", None
        )
    daily = require_finite_number(value, field_names[expected], minimum=0.0)
    single = (
        None
        if single_dose_mg is None
        else require_finite_number(single_dose_mg, "single_dose_mg", strictly_positive=True)
    )
    if single is not None and expected is DoseUnit.MG_PER_DAY and single > daily > 0:
        raise InvalidInputError("single_dose_mg", f"at most the daily dose ({daily:g} mg)", single)
    if doses_per_day is not None and (
        isinstance(doses_per_day, bool) or not isinstance(doses_per_day, int) or doses_per_day < 1 or doses_per_day > 24
    ):
        raise InvalidInputError("doses_per_day", "a whole number between 1 and 24", doses_per_day)
    resolved = dose_setting_values(settings)
    if origin is not None and not isinstance(origin, SpasticityOrigin):
        raise InvalidInputError("origin", "spinal or cerebral", origin)
    ctx = DoseContext(entry, daily, expected, locale, single, doses_per_day, kidney, resolved, origin)
    findings = evaluate_rules(DOSE_RULES, ctx)
    if entry.key == "baclofen-intrathecal":
        # The ITB domain's dose-level rules (ITB-DOSE-001/002/003) are the single definition of these limits.
        findings = sort_findings(
            findings
            + check_daily_dose(
                daily,
                label="intrathecal baclofen daily dose",
                origin=origin,
                confirmation_threshold_mcg_per_day=ctx.value(DAILY_DOSE_CONFIRMATION_THRESHOLD),
                highest_reported_mcg_per_day=ctx.value(HIGHEST_REPORTED_DAILY_DOSE),
            )
        )
    if entry.key == "tizanidine":
        # CrCl < 25 mL/min: individual doses reduced [S72] [S73] (the contraindication screen's rule).
        findings = sort_findings(findings + TIZANIDINE_KIDNEY.evaluate(ContraindicationContext(entry, kidney=kidney)))
    limits = tuple(_limits_for(ctx))
    # The settings reported are those behind the limits shown (one entry each).
    used = tuple(
        SettingUse(SETTINGS_BY_NAME[row["setting"]], ctx.value(SETTINGS_BY_NAME[row["setting"]]))
        for row in limits
        if row["setting"]
    )
    return DoseCheck(entry, daily, expected, locale, limits, findings, used, single, doses_per_day)
