"""Cited constants and settings of oral baclofen dosing (clinical.md §1.2, §1.3, §3.1).

Values the fact sheet confirms are named constants with their citation keys. Values it marks
UNCONFIRMED or DISAGREE (or that rest on an assumption) are :class:`~baclofen.domain.settings.Setting`
objects: planners read their defaults, callers may override them, and every plan records the values
it used.

>>> kidney_band(45.0).reduction_text
'1/2'
>>> locale_ceiling_setting(Locale.UK).default
100
"""

from __future__ import annotations

from datetime import time
from enum import Enum
from fractions import Fraction
from types import MappingProxyType

from baclofen.domain.errors import require_finite_number
from baclofen.domain.patient import Locale
from baclofen.domain.settings import EvidenceStatus, Setting
from baclofen.domain.units import likely_unit_slip

# --- Label titration (US label; UK formularies start the same way) -------------------------------------
#: First dose of the label schedule, mg per dose: 5 mg TID for 3 days [S1] [S4]; UK same start [S24].
LABEL_START_DOSE_MG = 5.0
#: Increase per dose at each step, mg: 5 mg TID -> 10 -> 15 -> 20 mg TID [S1] [S4].
LABEL_STEP_DOSE_MG = 5.0
#: Doses a day during label titration (TID) [S1] [S4].
LABEL_DOSES_PER_DAY = 3
#: Where the label schedule ends: 20 mg TID = 60 mg/day on days 10-12 [S1] [S4].
LABEL_TARGET_MG_PER_DAY = 60.0
LABEL_EVIDENCE = ("S1", "S4")
#: Days each label step lasts: "for 3 days" at every dose [S1] [S4]. (How often a clinic steps is the
#: locale setting ``titration.step_interval_days.*``; this is the label's own pace, for ORAL-LABEL-002.)
LABEL_STEP_INTERVAL_DAYS = 3
#: Above this daily dose the label gives the maximum as 20 mg four times a day [S1] [S4].
LABEL_TID_MAX_MG_PER_DAY = 60.0

#: Structural plausibility bound for an oral daily dose input (mg/day); not a clinical limit. It lies above
#: the highest daily dose reported as used in the sources (200 mg/day, [S28]) so that tapers from
#: unusually high doses can still be planned.
ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG = 300.0
#: Smallest plausible single oral dose, mg: with the structural maximum above it bounds where a dose read 1000x
#: off (mg typed as mcg or back) is recognised as a likely unit slip (``simulate oral``, PK-DOSE-001).
LOWEST_PLAUSIBLE_SINGLE_DOSE_MG = Setting(
    name="oral.lowest_plausible_single_dose_mg",
    default=1.0,
    unit="mg",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S1", "S4", "S5", "S14", "S22"),
    description=(
        "Smallest plausible single oral dose, used only to recognise a mg/mcg slip. The label starts at 5 mg "
        "three times a day (S1, S4); dialysis patients take about 5 mg a day (S14) and severe kidney impairment "
        "needed a 2/3 reduction (S22), i.e. doses near 1.7 mg; the 1 mg/mL oral solution (S4, S5) measures 1 mg "
        "in 1 mL. No source gives a lowest dose: 1 mg is an assumption. A dose below it that lands between it and "
        "ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG when multiplied by 1000 (or one above that maximum that lands there "
        "when divided by 1000) is a likely unit slip: a warning."
    ),
    minimum=0.1,
    maximum=5.0,
)


def likely_intended_oral_dose_mg(dose_mg: float) -> float | None:
    """The dose a single oral dose 1000x off most likely meant (None when it is not 1000x off): the value x1000 or
    /1000 that lands in the plausible single doses, ``oral.lowest_plausible_single_dose_mg`` (1 mg) to
    ``ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG`` (300 mg).

    >>> likely_intended_oral_dose_mg(0.02), likely_intended_oral_dose_mg(5000), likely_intended_oral_dose_mg(10)
    (20.0, 5.0, None)
    """
    low, high = float(LOWEST_PLAUSIBLE_SINGLE_DOSE_MG.default), ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG
    return likely_unit_slip(dose_mg, low, high, rel_tol=1e-9)


#: Longest time on therapy accepted as input (months); structural.
MONTHS_ON_THERAPY_MAX = 1200.0

#: Doses a day the titration planner accepts (TID label schedule; QID at the 80 mg/day maximum [S1] [S4]).
TITRATION_DOSES_PER_DAY = (3, 4)
#: Doses a day the taper planner accepts (patients may already take fewer doses).
TAPER_DOSES_PER_DAY = (1, 2, 3, 4)

#: Default clock times of the doses; a scheduling convention of this software, not a clinical value.
DEFAULT_DOSE_TIMES: MappingProxyType[int, tuple[time, ...]] = MappingProxyType(
    {
        1: (time(8, 0),),
        2: (time(8, 0), time(20, 0)),
        3: (time(8, 0), time(14, 0), time(20, 0)),
        4: (time(8, 0), time(12, 0), time(16, 0), time(20, 0)),
    }
)

# --- Maximum daily dose ------------------------------------------------------------------------------
MAX_DAILY_DOSE_US = Setting(
    name="oral.max_daily_dose_mg.us",
    default=80,
    unit="mg/day",
    status=EvidenceStatus.DISAGREE,
    evidence=("S1", "S4", "S14"),
    description=(
        "US/Canada label maximum oral dose, 80 mg/day (20 mg four times a day). DISAGREE with the "
        "UK/Australia 100 mg/day. A clinic may lower it, never raise it; above it only with an in-hospital "
        "override."
    ),
    minimum=5,
    maximum=80,
)
MAX_DAILY_DOSE_UK = Setting(
    name="oral.max_daily_dose_mg.uk",
    default=100,
    unit="mg/day",
    status=EvidenceStatus.DISAGREE,
    evidence=("S24", "S25", "S26", "S27"),
    description=(
        "UK (BNF-derived formularies) and Australia maximum oral dose, 100 mg/day, the outpatient ceiling. "
        "DISAGREE with the US 80 mg/day. A clinic may lower it, never raise it."
    ),
    minimum=5,
    maximum=100,
)
MAX_DAILY_DOSE_IN_HOSPITAL_UK = Setting(
    name="oral.max_daily_dose_mg.in_hospital.uk",
    default=120,
    unit="mg/day",
    status=EvidenceStatus.DISAGREE,
    evidence=("NovartisCore", "S28", "S24", "S25"),
    description=(
        "UK/Australia ceiling of an overridden ORAL-MAX-001: the Novartis core label allows 100-120 mg/day in "
        "hospital under careful supervision (DISAGREE with the UK 100 mg maximum, S24, S25: clinical.md "
        "verification update keeps 100 as the UK outpatient ceiling, 120 only with an explicit in-hospital "
        "override). Used only when a clinician overrides ORAL-MAX-001 with a reason."
    ),
    minimum=5,
    maximum=120,
)
MAX_DAILY_DOSE_IN_HOSPITAL_US = Setting(
    name="oral.max_daily_dose_mg.in_hospital.us",
    default=80,
    unit="mg/day",
    status=EvidenceStatus.DISAGREE,
    evidence=("S1", "S4", "S14", "NovartisCore"),
    description=(
        "US/Canada ceiling of an overridden ORAL-MAX-001. The US and Canadian labels give 80 mg/day (20 mg four "
        "times a day) as the maximum with no in-hospital allowance above it (S1, S4, S14); the 100-120 mg/day in "
        "hospital is the Novartis core label's (non-US), framed against the UK 100 mg maximum (clinical.md "
        "verification update). The fact sheet says nothing of a US in-hospital dose, so the default is the US "
        "maximum itself: an override does not raise a US plan. A clinic that follows the core label may raise it, "
        "to at most 120 mg/day (DISAGREE)."
    ),
    minimum=5,
    maximum=120,
)

_CEILINGS = {Locale.US: MAX_DAILY_DOSE_US, Locale.UK: MAX_DAILY_DOSE_UK}
_IN_HOSPITAL = {Locale.US: MAX_DAILY_DOSE_IN_HOSPITAL_US, Locale.UK: MAX_DAILY_DOSE_IN_HOSPITAL_UK}


def in_hospital_ceiling_setting(locale: Locale) -> Setting:
    """The setting of the highest daily dose an override of ORAL-MAX-001 may reach in ``locale``."""
    return _IN_HOSPITAL[locale]


def locale_ceiling_setting(locale: Locale) -> Setting:
    """The outpatient maximum-daily-dose setting of ``locale``."""
    return _CEILINGS[locale]


# --- Titration step interval ---------------------------------------------------------------------------
STEP_INTERVAL_US = Setting(
    name="titration.step_interval_days.us",
    default=3,
    unit="days",
    status=EvidenceStatus.DISAGREE,
    evidence=("S1", "S4", "S27"),
    description=(
        "Days between titration steps: every 3 days in the US label (and Australia eTG). DISAGREE with the "
        "weekly steps of NHS Scotland."
    ),
    minimum=1,
    maximum=28,
)
STEP_INTERVAL_UK = Setting(
    name="titration.step_interval_days.uk",
    default=7,
    unit="days",
    status=EvidenceStatus.DISAGREE,
    evidence=("S26", "S24", "S1"),
    description=(
        "Days between titration steps in the UK: NHS Scotland increases in 5 mg TID steps weekly; NHS "
        "Highland says 'gradually increased'. DISAGREE with the 3-day interval of the US label."
    ),
    minimum=1,
    maximum=28,
)

_INTERVALS = {Locale.US: STEP_INTERVAL_US, Locale.UK: STEP_INTERVAL_UK}


def step_interval_setting(locale: Locale) -> Setting:
    """The titration step-interval setting of ``locale``."""
    return _INTERVALS[locale]


SLOW_ELDERLY_STEPS = Setting(
    name="titration.slow_elderly_steps",
    default=False,
    unit="yes/no",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("S14", "NovartisCore", "S109"),
    description=(
        "Whether titration steps are spaced further apart for patients aged 65 or more. Labels ask for 'a "
        "very cautious dosage schedule' in the elderly without a number; only a low-authority source "
        "suggests steps every 5-7 days, so this is off unless a clinic turns it on."
    ),
)
ELDERLY_STEP_INTERVAL_DAYS = Setting(
    name="titration.elderly_step_interval_days",
    default=7,
    unit="days",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("S109", "S14"),
    description=(
        "Days between titration steps for patients aged 65 or more when titration.slow_elderly_steps is on "
        "(low-authority hint: every 5-7 days)."
    ),
    minimum=1,
    maximum=28,
)

# --- Kidney function ----------------------------------------------------------------------------------
DIALYSIS_MAX_START_MG_PER_DAY = Setting(
    name="oral.dialysis_start_mg_per_day",
    default=5,
    unit="mg/day",
    status=EvidenceStatus.PARTLY_VERIFIED,
    evidence=("S14", "S15"),
    description=(
        "Starting daily dose for dialysis-dependent patients: 'a particularly low dose ... approximately 5 "
        "mg daily' (Canada pms-Baclofen, MIMS HK). Titration beyond it needs an explicit clinician override."
    ),
    minimum=0.5,
    maximum=5,
)
CKD_CRCL_ML_MIN = Setting(
    name="oral.ckd_crcl_ml_min",
    default=60,
    unit="mL/min",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S23",),
    description=(
        "CrCl below which the Canadian CKD cohort warning (>20 mg/day: 3.5-fold risk of hospitalisation with "
        "encephalopathy) is shown. The source does not state its CKD definition; 60 mL/min is the usual CKD "
        "cut-off (assumption)."
    ),
    minimum=15,
    maximum=90,
)
#: In CKD, > 20 mg/day carried a 3.5-fold risk of hospitalisation with encephalopathy vs < 20 mg/day [S23].
CKD_HIGH_DOSE_MG_PER_DAY = 20.0
CKD_HIGH_DOSE_RISK_RATIO = 3.5


class KidneyBand(Enum):
    """Creatinine-clearance groups of the renal PK study (Vlavonou 2014) and its mean dose reductions [S22].

    The study grouped by Cockcroft-Gault CrCl > 80, 50-80, 30-50 and < 30 mL/min and found mean dose
    reductions of 1/3, 1/2 and 2/3 in mild, moderate and severe CKD. These are **not** US label dosing
    (clinical.md verification update). The study does not say where a value on an edge belongs; this
    software puts each edge value in the more reduced band: 80 -> mild, 50 -> moderate, 30 -> severe.
    """

    NORMAL = ("normal", "CrCl > 80 mL/min", Fraction(0))
    MILD = ("mild", "CrCl 50-80 mL/min", Fraction(1, 3))
    MODERATE = ("moderate", "CrCl 30-50 mL/min", Fraction(1, 2))
    SEVERE = ("severe", "CrCl < 30 mL/min", Fraction(2, 3))

    def __init__(self, label: str, crcl_range: str, reduction: Fraction) -> None:
        self.label = label
        self.crcl_range = crcl_range
        self.reduction = reduction

    @property
    def factor(self) -> Fraction:
        """What each daily dose is multiplied by (1 - reduction)."""
        return 1 - self.reduction

    @property
    def reduction_text(self) -> str:
        return f"{self.reduction.numerator}/{self.reduction.denominator}" if self.reduction else "0"


#: Upper CrCl edges (mL/min, inclusive) of the reduced bands [S22].
KIDNEY_MILD_MAX_CRCL = 80.0
KIDNEY_MODERATE_MAX_CRCL = 50.0
KIDNEY_SEVERE_MAX_CRCL = 30.0
KIDNEY_EVIDENCE = ("S22",)


def kidney_band(crcl_ml_min: float) -> KidneyBand:
    """The [S22] band of a creatinine clearance (mL/min); edge values go to the more reduced band.

    Parameters
    ----------
    crcl_ml_min : float
        Creatinine clearance in mL/min (>= 0).

    >>> [kidney_band(c).label for c in (80.01, 80, 50.01, 50, 30.01, 30)]
    ['normal', 'mild', 'mild', 'moderate', 'moderate', 'severe']
    """
    crcl = require_finite_number(crcl_ml_min, "crcl_ml_min", minimum=0.0)
    if crcl <= KIDNEY_SEVERE_MAX_CRCL:
        return KidneyBand.SEVERE
    if crcl <= KIDNEY_MODERATE_MAX_CRCL:
        return KidneyBand.MODERATE
    if crcl <= KIDNEY_MILD_MAX_CRCL:
        return KidneyBand.MILD
    return KidneyBand.NORMAL


def kidney_reduced_max_mg_per_day(max_mg_per_day: float, crcl_ml_min: float) -> float:
    """A maximum daily dose (mg/day) reduced by the [S22] band of ``crcl_ml_min``: the one home of the reduction
    that the planner applies to each daily dose, the dose check (DOSE-BAC-KIDNEY-003) and the risk engine
    (RISK-KIDNEY-001) apply to the maximum.

    >>> round(kidney_reduced_max_mg_per_day(80, 30), 2), kidney_reduced_max_mg_per_day(100, 45)
    (26.67, 50.0)
    """
    return float(Fraction(max_mg_per_day) * kidney_band(crcl_ml_min).factor)


# --- Taper --------------------------------------------------------------------------------------------
TAPER_MIN_DAYS_TO_ZERO = Setting(
    name="taper.min_days_to_zero",
    default=14,
    unit="days",
    status=EvidenceStatus.DISAGREE,
    evidence=("S14", "S24", "S29", "S27", "NovartisCore"),
    description=(
        "Shortest taper to zero: 'approximately 1 to 2 weeks' (Canada), 'at least 1 to 2 weeks (longer if "
        "symptoms occur)' (UK), '2 weeks or more' (PDR), '2 weeks' (eTG). DISAGREE (1-2 vs >= 2 weeks): the "
        "conservative default is 14 days."
    ),
    minimum=7,
    maximum=365,
)
TAPER_LONG_TERM_MONTHS = Setting(
    name="taper.long_term_months",
    default=5,
    unit="months",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S110",),
    description=(
        "Time on therapy from which a taper is lengthened: a review of 23 oral withdrawal cases found at "
        "least 5 months of prior treatment (low-moderate authority). Using it as a threshold is an "
        "assumption."
    ),
    minimum=0,
    maximum=MONTHS_ON_THERAPY_MAX,
)
TAPER_LONG_TERM_DOSE_MG_PER_DAY = Setting(
    name="taper.long_term_dose_mg_per_day",
    default=60,
    unit="mg/day",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S25", "S14", "S110"),
    description=(
        "Daily dose from which long-term use counts as high-dose for the taper: the top of the usual UK "
        "maintenance dose (up to 60 mg daily) and within the usual optimum of 40-80 mg/day. No source gives "
        "a threshold: an assumption."
    ),
    minimum=5,
    maximum=ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG,
)
TAPER_LONG_TERM_MIN_DAYS_TO_ZERO = Setting(
    name="taper.long_term_min_days_to_zero",
    default=28,
    unit="days",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S24", "S29", "S110"),
    description=(
        "Shortest taper to zero after long-term high-dose use: sources say 'longer if symptoms occur' and '2 "
        "weeks or more' without a number; twice the 14-day default is an assumption."
    ),
    minimum=7,
    maximum=365,
)
TAPER_MAX_STEP_MG_PER_DAY = Setting(
    name="taper.max_step_mg_per_day",
    default=10,
    unit="mg/day",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("S109", "S14"),
    description=(
        "Largest reduction of the daily dose at one taper step. UNCONFIRMED: no label or guideline gives a "
        "step size; low-authority pages propose 5-10 mg every 3-7 days."
    ),
    minimum=0.1,
    maximum=ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG,
)
TAPER_STEP_INTERVAL_DAYS = Setting(
    name="taper.step_interval_days",
    default=3,
    unit="days",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("S109", "S14"),
    description=(
        "Shortest time between taper steps. UNCONFIRMED (low-authority hint: every 3-7 days); steps are "
        "lengthened so that a taper to zero lasts at least the minimum duration."
    ),
    minimum=1,
    maximum=60,
)

#: The longest minimum taper duration a source states, days: "2 weeks or more" (PDR [S29]), "2 weeks" (eTG [S27]),
#: "at least 1 to 2 weeks" (UK [S24]); Canada "approximately 1 to 2 weeks" [S14]. A taper to zero shorter than
#: this (or than a clinic's lower ``taper.min_days_to_zero``) is the BLOCK TAPER-ABRUPT-001; a longer minimum (a
#: clinic's stricter value, the long-term assumption) is only enforced as a block where the clinic says so.
TAPER_SOURCED_MIN_DAYS_TO_ZERO = 14
TAPER_SOURCED_EVIDENCE = ("S14", "S24", "S29", "S27")
TAPER_BLOCK_ON_CLINIC_LIMITS = Setting(
    name="taper.block_on_clinic_limits",
    default=False,
    unit="yes/no",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S109", "S110", "S24", "S29"),
    description=(
        "Whether the taper limits that rest on no source are blocks: a step above taper.max_step_mg_per_day "
        "(UNCONFIRMED, S109 is never the basis of a hard rule: TAPER-STEP-001) and a taper to zero shorter than a "
        "minimum longer than the sourced 14 days (the long-term assumption taper.long_term_min_days_to_zero or a "
        "clinic's stricter taper.min_days_to_zero: TAPER-ABRUPT-002). Off by default: they are warnings; a clinic "
        "profile that adopts these values as its own policy turns it on."
    ),
)
