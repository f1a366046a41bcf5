"""ITB dosing: initial infusion dose, titration per 24 h, refill-visit adjustments, dose levels.

* Initial daily dose: twice the effective screening dose over 24 h, or the screening dose itself when
  its effect lasted more than 8 h (exactly 8 h: doubled) or negative reactions occurred ([S2] [S3] [S40]).
  No increase in the first 24 h ([S2] [S3]).
* Titration per 24 h: spinal origin (includes MS) +10-30 %, cerebral origin +5-15 % ([S2] [S3] [S40]).
* At refill visits: spinal +10-40 % or -10-20 %, cerebral +5-20 % or -10-20 % ([S2] [S3]).
* At high doses an increase above 20 % may be excessive ([S40]).
* Usual maintenance: spinal 300-800, cerebral 90-700 mcg/day ([S2] [S36]); above 1000 mcg/day a warning
  that needs explicit confirmation (sources DISAGREE); above 2003 mcg/day a block ([HarrietLane24]).

>>> compute_initial_daily_dose(75, 6).daily_dose_mcg
150.0
>>> compute_initial_daily_dose(75, 8.5).daily_dose_mcg
75.0
>>> r = titration_range(400, SpasticityOrigin.SPINAL)
>>> round(r.min_mcg_per_day, 6), round(r.max_mcg_per_day, 6)
(440.0, 520.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.patient import SpasticityOrigin
from baclofen.domain.rules.core import Finding, evaluate_rules, findings_to_dicts, sort_findings
from baclofen.domain.rules.itb.ceiling import TITR_CEILING, RangeCeilingContext
from baclofen.domain.rules.itb.dosing import DOSE_LEVEL_RULES, INITIAL_DOSE_RULES, DoseLevelContext, InitialDoseContext
from baclofen.domain.rules.itb.titration import DOSE_CHANGE_RULES, DoseChangeContext
from baclofen.domain.settings import EvidenceStatus, Setting, SettingUse, settings_to_dicts, use_defaults

__all__ = [
    "DAILY_DOSE_CONFIRMATION_THRESHOLD",
    "HIGHEST_REPORTED_DAILY_DOSE",
    "HIGH_DOSE_THRESHOLD",
    "MAINTENANCE_RANGE_MCG_PER_DAY",
    "REFILL_DECREASE_PERCENT",
    "REFILL_INCREASE_PERCENT",
    "TITRATION_INCREASE_PERCENT",
    "InitialDose",
    "TitrationRange",
    "check_daily_dose",
    "compute_initial_daily_dose",
    "daily_dose_value",
    "parse_origin",
    "titration_range",
]

#: Effect lasting more than this many hours: the screening dose is not doubled [S2] [S3] [S40].
EFFECT_HOURS_NOT_DOUBLED = 8.0
#: Initial daily dose = this x the effective screening dose [S2] [S3] [S40].
INITIAL_DOSE_MULTIPLIER = 2.0
#: No increase during the first hours of infusion [S2] [S3].
NO_INCREASE_HOURS = 24.0
#: Monitor at least this long after the pre-implant priming bolus [S40].
POST_IMPLANT_MONITORING_HOURS = 8.0
#: Largest screening dose; the effective dose cannot exceed it [S38] [S3].
MAX_SCREENING_DOSE_MCG = 100.0
#: Increase per 24 h during titration, percent (low, high) [S2] [S3] [S40].
TITRATION_INCREASE_PERCENT = {SpasticityOrigin.SPINAL: (10.0, 30.0), SpasticityOrigin.CEREBRAL: (5.0, 15.0)}
#: Maintenance adjustment at refill visits, increase percent (low, high) [S2] [S3].
REFILL_INCREASE_PERCENT = {SpasticityOrigin.SPINAL: (10.0, 40.0), SpasticityOrigin.CEREBRAL: (5.0, 20.0)}
#: Maintenance adjustment at refill visits, decrease percent (low, high) for side effects [S2] [S3].
REFILL_DECREASE_PERCENT = {SpasticityOrigin.SPINAL: (10.0, 20.0), SpasticityOrigin.CEREBRAL: (10.0, 20.0)}
#: At high doses an increase above this percentage may be excessive [S40].
EXCESSIVE_INCREASE_PERCENT_AT_HIGH_DOSE = 20.0
#: Usual maintenance ranges, mcg/day [S2] [S36].
MAINTENANCE_RANGE_MCG_PER_DAY = {
    SpasticityOrigin.SPINAL: (300.0, 800.0),
    SpasticityOrigin.CEREBRAL: (90.0, 700.0),
}
#: Plausibility bound on any ITB daily dose input (structural): 10 000 mcg/day.
MAX_PLAUSIBLE_DAILY_DOSE_MCG = 10_000.0

HIGHEST_REPORTED_DAILY_DOSE = Setting(
    name="itb.dose.highest_reported_mcg_per_day",
    default=2003.0,
    unit="mcg/day",
    status=EvidenceStatus.PARTLY_VERIFIED,
    evidence=("HarrietLane24", "S2", "S45", "S46"),
    description=(
        "Highest reported adult intrathecal maintenance dose: adult range 12-2003 mcg/day, most 300-800 (Harriet "
        "Lane 24e, a secondary source: clinical.md verification update 4.3 'VERIFIED (secondary)'; the label "
        "statistics themselves were not retrieved, §5.5). Above it a dose is blocked (ITB-DOSE-002) and no range "
        "offers more. Overdose events occurred at 1920 and 2400 mcg/24 h (S46); 3 of 23 spinal patients needed "
        "more than 1000 (S45). A clinic may lower it (not below the 1000 mcg/day confirmation ceiling of the "
        "label, S2), never raise it."
    ),
    minimum=1000.0,
    maximum=2003.0,
)

DAILY_DOSE_CONFIRMATION_THRESHOLD = Setting(
    name="itb.dose.confirmation_threshold_mcg_per_day",
    default=1000.0,
    unit="mcg/day",
    status=EvidenceStatus.DISAGREE,
    evidence=("S2", "S3", "S45", "S46"),
    description=(
        "Intrathecal daily dose above which a warning needs explicit confirmation. Medscape: 'not to exceed "
        "1000 mcg/day' (S2, S3); 3 of 23 spinal patients needed more (S45); overdose events at 800, 1920 and "
        "2400 mcg/24 h (S46). A confirmation, not an absolute block (clinical.md §5.5)."
    ),
    minimum=100.0,
    maximum=HIGHEST_REPORTED_DAILY_DOSE.default,
)

HIGH_DOSE_THRESHOLD = Setting(
    name="itb.titration.high_dose_threshold_mcg_per_day",
    default=300.0,
    unit="mcg/day",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S40", "S2"),
    description=(
        "Daily dose from which S40's 'at high doses an increase above 20 % may be excessive' applies. No "
        "source gives a number; default: the lower bound of the usual spinal maintenance range, 300 mcg/day "
        "(S2)."
    ),
    minimum=0.0,
    maximum=HIGHEST_REPORTED_DAILY_DOSE.default,
)


def parse_origin(value: SpasticityOrigin | str, field: str = "origin") -> SpasticityOrigin:
    """``spinal`` or ``cerebral`` (MS is spinal origin, [S2]).

    >>> parse_origin("Cerebral")
    <SpasticityOrigin.CEREBRAL: 'cerebral'>
    """
    if isinstance(value, SpasticityOrigin):
        return value
    if isinstance(value, str):
        for origin in SpasticityOrigin:
            if origin.value == value.strip().lower():
                return origin
    raise InvalidInputError(field, "spinal or cerebral", value)


def daily_dose_value(value: float, field: str = "daily_dose_mcg") -> float:
    """An intrathecal daily dose in mcg/day, checked: > 0 and at most :data:`MAX_PLAUSIBLE_DAILY_DOSE_MCG`.

    >>> daily_dose_value(300)
    300.0
    """
    return float(require_finite_number(value, field, strictly_positive=True, maximum=MAX_PLAUSIBLE_DAILY_DOSE_MCG))


# =====================================================================================================
# Initial dose
# =====================================================================================================


@dataclass(frozen=True, slots=True)
class InitialDose:
    """Initial ITB infusion after implant, with the reasoning and findings."""

    screening_dose_mcg: float
    effect_duration_hours: float
    negative_reactions: bool
    multiplier: float
    daily_dose_mcg: float
    reasoning: tuple[str, ...]
    findings: tuple[Finding, ...]
    settings_used: tuple[SettingUse, ...] = ()

    @property
    def hourly_rate_mcg_per_h(self) -> float:
        return self.daily_dose_mcg / 24.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "screening_dose_mcg": self.screening_dose_mcg,
            "effect_duration_hours": self.effect_duration_hours,
            "negative_reactions": self.negative_reactions,
            "multiplier": self.multiplier,
            "daily_dose_mcg": self.daily_dose_mcg,
            "hourly_rate_mcg_per_h": self.hourly_rate_mcg_per_h,
            "no_increase_before_hours": NO_INCREASE_HOURS,
            "reasoning": list(self.reasoning),
            "findings": findings_to_dicts(self.findings),
            "offerable": not any(f.is_blocking for f in self.findings),
            "settings": settings_to_dicts(self.settings_used),
        }


def compute_initial_daily_dose(
    screening_dose_mcg: float, effect_duration_hours: float, *, negative_reactions: bool = False
) -> InitialDose:
    """Initial daily infusion dose from the effective screening dose.

    Parameters
    ----------
    screening_dose_mcg : float
        The screening bolus that gave a positive response, mcg (0 < dose <= 100).
    effect_duration_hours : float
        How long its effect lasted, hours. More than 8 h: not doubled; exactly 8 h: doubled.
    negative_reactions : bool
        Negative reactions during screening: not doubled ([S40]).

    Returns
    -------
    InitialDose
        ``daily_dose_mcg`` (mcg/day over 24 h) and ``hourly_rate_mcg_per_h``.

    Examples
    --------
    >>> compute_initial_daily_dose(50, 8).daily_dose_mcg
    100.0
    >>> compute_initial_daily_dose(50, 4, negative_reactions=True).multiplier
    1.0
    """
    dose = require_finite_number(
        screening_dose_mcg, "screening_dose_mcg", strictly_positive=True, maximum=MAX_SCREENING_DOSE_MCG
    )
    hours = require_finite_number(effect_duration_hours, "effect_duration_hours", minimum=0.0, maximum=72.0)
    if not isinstance(negative_reactions, bool):
        raise InvalidInputError("negative_reactions", "true or false", negative_reactions)
    doubled = not negative_reactions and hours <= EFFECT_HOURS_NOT_DOUBLED
    multiplier = INITIAL_DOSE_MULTIPLIER if doubled else 1.0
    daily = dose * multiplier
    reasoning = (
        f"effective screening dose {dose:g} mcg; effect {hours:g} h "
        f"({'more than' if hours > EFFECT_HOURS_NOT_DOUBLED else 'not more than'} "
        f"{EFFECT_HOURS_NOT_DOUBLED:g} h)" + ("; negative reactions during screening" if negative_reactions else ""),
        f"daily dose = {multiplier:g} x {dose:g} mcg = {daily:g} mcg/day = {daily / 24:.3f} mcg/h",
        f"no increase during the first {NO_INCREASE_HOURS:g} h (S2, S3)",
    )
    ctx = InitialDoseContext(
        screening_dose_mcg=dose,
        effect_duration_hours=hours,
        negative_reactions=negative_reactions,
        multiplier=multiplier,
        daily_dose_mcg=daily,
        not_doubled_after_h=EFFECT_HOURS_NOT_DOUBLED,
        no_increase_h=NO_INCREASE_HOURS,
        post_implant_monitoring_h=POST_IMPLANT_MONITORING_HOURS,
    )
    from baclofen.domain.itb.limits import DAILY_DOSE_SETTINGS, check_screening_dose  # limits imports this module

    findings = (
        evaluate_rules(INITIAL_DOSE_RULES, ctx)
        + check_screening_dose(dose, label="effective screening dose")
        + check_daily_dose(daily, label="initial daily dose", require_confirmation=True)
    )
    return InitialDose(
        dose,
        hours,
        negative_reactions,
        multiplier,
        daily,
        reasoning,
        sort_findings(findings),
        use_defaults(DAILY_DOSE_SETTINGS),
    )


# =====================================================================================================
# Dose levels
# =====================================================================================================


def check_daily_dose(
    daily_dose_mcg: float,
    *,
    label: str = "daily dose",
    origin: SpasticityOrigin | None = None,
    confirmed: bool = False,
    confirmation_threshold_mcg_per_day: float | None = None,
    refuse_implausible: bool = True,
    require_confirmation: bool = False,
    highest_reported_mcg_per_day: float | None = None,
) -> tuple[Finding, ...]:
    """Findings on an intrathecal daily dose (mcg/day): > confirmation threshold, > 2003, maintenance range,
    and below the plausible range or 1000x off (ITB-LIMIT-001, :mod:`baclofen.domain.itb.limits`).

    Parameters
    ----------
    daily_dose_mcg : float
        The dose, mcg/day.
    label : str
        How the message names the dose ("proposed dose", "programmed dose" ...).
    origin : SpasticityOrigin, optional
        When given, the dose is compared with the usual maintenance range of that origin.
    confirmed : bool
        The clinician explicitly confirmed a dose above the confirmation threshold.
    confirmation_threshold_mcg_per_day : float, optional
        Override of :data:`DAILY_DOSE_CONFIRMATION_THRESHOLD` (1000 mcg/day).
    refuse_implausible : bool
        Refuse a dose above the structural bound (10 000 mcg/day) as invalid input; False for a dose that
        was already accepted elsewhere (a program's integral), which then just gets its findings.
    require_confirmation : bool
        The dose is being decided (a titration step, a new program): above the confirmation threshold and
        not ``confirmed`` it is a block (not offerable until confirmed); otherwise a warning.
    highest_reported_mcg_per_day : float, optional
        Override of :data:`HIGHEST_REPORTED_DAILY_DOSE` (2003 mcg/day; a clinic may only lower it).

    Examples
    --------
    >>> [f.rule_id for f in check_daily_dose(1200)]
    ['ITB-DOSE-001']
    >>> [f.severity.value for f in check_daily_dose(2100)]
    ['block', 'warn']
    """
    dose = (
        daily_dose_value(daily_dose_mcg, "daily_dose_mcg")
        if refuse_implausible
        else require_finite_number(daily_dose_mcg, "daily_dose_mcg", strictly_positive=True)
    )
    threshold = DAILY_DOSE_CONFIRMATION_THRESHOLD.validate(
        DAILY_DOSE_CONFIRMATION_THRESHOLD.default
        if confirmation_threshold_mcg_per_day is None
        else confirmation_threshold_mcg_per_day
    )
    highest = float(
        HIGHEST_REPORTED_DAILY_DOSE.default
        if highest_reported_mcg_per_day is None
        else HIGHEST_REPORTED_DAILY_DOSE.validate(highest_reported_mcg_per_day)
    )
    ctx = DoseLevelContext(
        daily_dose_mcg=dose,
        label=label,
        confirmation_threshold_mcg_per_day=float(threshold),
        confirmed=bool(confirmed),
        highest_reported_mcg_per_day=highest,
        maintenance_range_mcg_per_day=MAINTENANCE_RANGE_MCG_PER_DAY[origin] if origin else None,
        origin=origin.value if origin else None,
        require_confirmation=bool(require_confirmation),
    )
    from baclofen.domain.itb.limits import check_daily_dose_range  # limits imports this module's limits

    return sort_findings(
        evaluate_rules(DOSE_LEVEL_RULES, ctx) + check_daily_dose_range(dose, label=label, highest_mcg_per_day=highest)
    )


# =====================================================================================================
# Titration and refill-visit adjustments
# =====================================================================================================


@dataclass(frozen=True, slots=True)
class TitrationRange:
    """The allowed next daily dose, mcg/day.

    During titration (per 24 h) the range is the label increase; at a refill visit it spans the label
    decrease (for side effects) to the label increase, and both sub-ranges are given.
    """

    origin: SpasticityOrigin
    current_mcg_per_day: float
    at_refill: bool
    hours_since_start: float | None
    increase_percent: tuple[float, float]
    decrease_percent: tuple[float, float] | None
    increase_min_mcg_per_day: float
    increase_max_mcg_per_day: float
    decrease_min_mcg_per_day: float | None
    decrease_max_mcg_per_day: float | None
    cautious_max_mcg_per_day: float | None
    proposed_mcg_per_day: float | None
    settings_used: tuple[SettingUse, ...]
    reasoning: tuple[str, ...]
    findings: tuple[Finding, ...]
    #: The largest label step before the range is cut at the dose limits (what ITB-TITR-002 judges).
    label_step_max_mcg_per_day: float = 0.0
    #: A cut beyond the label step is a planned taper (ITB-TITR-004 warns instead of blocking).
    planned_taper: bool = False
    #: Hours since the last increase (ITB-TITR-007), when given.
    hours_since_last_increase: float | None = None
    #: Hours delivery was interrupted before this re-introduction (ITB-TITR-008), when given.
    interruption_hours: float | None = None

    @property
    def hold_for_hours(self) -> float | None:
        """Hours until the next increase is allowed, None when one is allowed now: no increase in the first 24 h
        of infusion (not at a refill, [S2] [S3]) and at most one every 24 h ([S2] [S3] [S40])."""
        waits = []
        if not self.at_refill and self.hours_since_start is not None and self.hours_since_start < NO_INCREASE_HOURS:
            waits.append(NO_INCREASE_HOURS - self.hours_since_start)
        if self.hours_since_last_increase is not None and self.hours_since_last_increase < NO_INCREASE_HOURS:
            waits.append(NO_INCREASE_HOURS - self.hours_since_last_increase)
        return max(waits) if waits else None

    @property
    def holds_first_day(self) -> bool:
        """No increase allowed yet (first 24 h of infusion, or less than 24 h since the last increase): the dose
        is held."""
        return self.hold_for_hours is not None

    @property
    def min_mcg_per_day(self) -> float:
        """Lowest allowed next dose: the largest label decrease at a refill, else the smallest increase.

        While increases are held (first 24 h of infusion, or within 24 h of the last increase) the lowest is the
        largest label decrease at a refill, else the current dose.
        """
        if self.decrease_min_mcg_per_day is not None:
            return self.decrease_min_mcg_per_day
        return self.current_mcg_per_day if self.holds_first_day else self.increase_min_mcg_per_day

    @property
    def max_mcg_per_day(self) -> float:
        """Highest allowed next dose: the largest label increase (the current dose in the first 24 h)."""
        if self.holds_first_day:
            return self.current_mcg_per_day
        return self.increase_max_mcg_per_day

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin.value,
            "current_mcg_per_day": self.current_mcg_per_day,
            "at_refill": self.at_refill,
            "hours_since_start": self.hours_since_start,
            "min_mcg_per_day": self.min_mcg_per_day,
            "max_mcg_per_day": self.max_mcg_per_day,
            "hold_for_hours": self.hold_for_hours,
            "hours_since_last_increase": self.hours_since_last_increase,
            "interruption_hours": self.interruption_hours,
            "planned_taper": self.planned_taper,
            "increase": {
                "min_percent": self.increase_percent[0],
                "max_percent": self.increase_percent[1],
                "min_mcg_per_day": self.increase_min_mcg_per_day,
                "max_mcg_per_day": self.increase_max_mcg_per_day,
                "label_step_max_mcg_per_day": self.label_step_max_mcg_per_day,
            },
            "decrease": None
            if self.decrease_percent is None
            else {
                "min_percent": self.decrease_percent[0],
                "max_percent": self.decrease_percent[1],
                "min_mcg_per_day": self.decrease_min_mcg_per_day,
                "max_mcg_per_day": self.decrease_max_mcg_per_day,
            },
            "cautious_max_mcg_per_day": self.cautious_max_mcg_per_day,
            "proposed_mcg_per_day": self.proposed_mcg_per_day,
            "maintenance_range_mcg_per_day": list(MAINTENANCE_RANGE_MCG_PER_DAY[self.origin]),
            "settings": settings_to_dicts(self.settings_used),
            "reasoning": list(self.reasoning),
            "findings": findings_to_dicts(self.findings),
            "offerable": not any(f.is_blocking for f in self.findings),
        }


def titration_range(
    current_mcg_per_day: float,
    origin: SpasticityOrigin | str,
    *,
    at_refill: bool = False,
    hours_since_start: float | None = None,
    proposed_mcg_per_day: float | None = None,
    confirm_high_dose: bool = False,
    high_dose_threshold_mcg_per_day: float | None = None,
    confirmation_threshold_mcg_per_day: float | None = None,
    planned_taper: bool = False,
    hours_since_last_increase: float | None = None,
    interruption_hours: float | None = None,
) -> TitrationRange:
    """The label range for the next daily dose, with findings on a proposed dose.

    Parameters
    ----------
    current_mcg_per_day : float
        Current intrathecal daily dose, mcg/day.
    origin : SpasticityOrigin or str
        ``spinal`` (includes MS) or ``cerebral``.
    at_refill : bool
        A maintenance adjustment at a refill visit (wider increase, and a decrease range) instead of the
        per-24 h titration step.
    hours_since_start : float, optional
        Hours since the infusion started; an increase before 24 h is blocked (ITB-TITR-001).
    proposed_mcg_per_day : float, optional
        A dose the clinician proposes; checked against the step limits and dose levels.
    confirm_high_dose : bool
        Explicit confirmation of a dose above the confirmation threshold (ITB-DOSE-001).
    high_dose_threshold_mcg_per_day, confirmation_threshold_mcg_per_day : float, optional
        Overrides of the settings :data:`HIGH_DOSE_THRESHOLD` and :data:`DAILY_DOSE_CONFIRMATION_THRESHOLD`.
    planned_taper : bool
        A cut beyond the label decrease step is a planned taper: ITB-TITR-004 warns with taper advice instead
        of blocking (abrupt discontinuation carries the boxed warning [S118]).
    hours_since_last_increase : float, optional
        Hours since the last increase: at most one increase every 24 h (ITB-TITR-007, [S2] [S3] [S40]).
    interruption_hours : float, optional
        Hours intrathecal delivery was interrupted before this re-introduction: ITB-TITR-008 asks for
        vigilance [S30] and gives the restart advice [S42].

    Returns
    -------
    TitrationRange

    Examples
    --------
    >>> r = titration_range(500, "spinal", at_refill=True)
    >>> round(r.min_mcg_per_day, 6), round(r.max_mcg_per_day, 6)
    (400.0, 700.0)
    >>> [f.rule_id for f in titration_range(100, "cerebral", hours_since_start=12).findings]
    ['ITB-TITR-001']
    """
    inputs = _check_range_inputs(
        current_mcg_per_day,
        origin,
        at_refill=at_refill,
        hours_since_start=hours_since_start,
        proposed_mcg_per_day=proposed_mcg_per_day,
        confirm_high_dose=confirm_high_dose,
        high_dose_threshold_mcg_per_day=high_dose_threshold_mcg_per_day,
        confirmation_threshold_mcg_per_day=confirmation_threshold_mcg_per_day,
        planned_taper=planned_taper,
        hours_since_last_increase=hours_since_last_increase,
        interruption_hours=interruption_hours,
    )
    steps = _compute_range(inputs)
    at_refill = inputs.at_refill
    return TitrationRange(
        origin=inputs.origin,
        current_mcg_per_day=inputs.current_mcg_per_day,
        at_refill=at_refill,
        hours_since_start=inputs.hours_since_start,
        increase_percent=steps.increase_percent,
        decrease_percent=steps.decrease_percent if at_refill else None,
        increase_min_mcg_per_day=steps.increase_min_mcg_per_day,
        increase_max_mcg_per_day=steps.increase_max_mcg_per_day,
        decrease_min_mcg_per_day=steps.decrease_min_mcg_per_day if at_refill else None,
        decrease_max_mcg_per_day=steps.decrease_max_mcg_per_day if at_refill else None,
        cautious_max_mcg_per_day=steps.cautious_max_mcg_per_day,
        proposed_mcg_per_day=inputs.proposed_mcg_per_day,
        settings_used=(
            SettingUse(HIGH_DOSE_THRESHOLD, inputs.high_dose_mcg_per_day),
            SettingUse(DAILY_DOSE_CONFIRMATION_THRESHOLD, inputs.confirm_at_mcg_per_day),
        ),
        reasoning=_explain_range(inputs, steps),
        findings=_judge_range(inputs, steps),
        label_step_max_mcg_per_day=steps.step_max_mcg_per_day,
        planned_taper=inputs.planned_taper,
        hours_since_last_increase=inputs.hours_since_last_increase,
        interruption_hours=inputs.interruption_hours,
    )


# --- the phases of titration_range ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _RangeInputs:
    """The options of :func:`titration_range`, checked, and its two settings resolved."""

    current_mcg_per_day: float
    origin: SpasticityOrigin
    at_refill: bool
    hours_since_start: float | None
    hours_since_last_increase: float | None
    interruption_hours: float | None
    planned_taper: bool
    proposed_mcg_per_day: float | None
    confirm_high_dose: bool
    high_dose_mcg_per_day: float
    confirm_at_mcg_per_day: float


@dataclass(frozen=True, slots=True)
class _RangeSteps:
    """The label steps from the current dose, and the increase cut at the dose limits."""

    increase_percent: tuple[float, float]
    decrease_percent: tuple[float, float]
    step_min_mcg_per_day: float
    step_max_mcg_per_day: float  # the largest label step, before the cut (what ITB-TITR-002 judges)
    decrease_min_mcg_per_day: float
    decrease_max_mcg_per_day: float
    ceiling_mcg_per_day: float
    increase_min_mcg_per_day: float
    increase_max_mcg_per_day: float
    cautious_max_mcg_per_day: float | None


def _check_range_inputs(
    current_mcg_per_day: float,
    origin: SpasticityOrigin | str,
    *,
    at_refill: bool,
    hours_since_start: float | None,
    proposed_mcg_per_day: float | None,
    confirm_high_dose: bool,
    high_dose_threshold_mcg_per_day: float | None,
    confirmation_threshold_mcg_per_day: float | None,
    planned_taper: bool,
    hours_since_last_increase: float | None,
    interruption_hours: float | None,
) -> _RangeInputs:
    """Phase 1: check every option and resolve the settings (raises InvalidInputError, in this order)."""
    current = daily_dose_value(current_mcg_per_day, "current_mcg_per_day")
    parsed_origin = parse_origin(origin)
    if not isinstance(at_refill, bool):
        raise InvalidInputError("at_refill", "true or false", at_refill)
    if hours_since_start is not None:
        hours_since_start = require_finite_number(hours_since_start, "hours_since_start", minimum=0.0)
    if hours_since_last_increase is not None:
        hours_since_last_increase = require_finite_number(
            hours_since_last_increase, "hours_since_last_increase", minimum=0.0
        )
    if interruption_hours is not None:
        interruption_hours = require_finite_number(interruption_hours, "interruption_hours", minimum=0.0)
    if not isinstance(planned_taper, bool):
        raise InvalidInputError("planned_taper", "true or false", planned_taper)
    proposed = None if proposed_mcg_per_day is None else daily_dose_value(proposed_mcg_per_day, "proposed_mcg_per_day")
    high_dose = float(
        HIGH_DOSE_THRESHOLD.validate(
            HIGH_DOSE_THRESHOLD.default if high_dose_threshold_mcg_per_day is None else high_dose_threshold_mcg_per_day
        )
    )
    confirm_at = float(
        DAILY_DOSE_CONFIRMATION_THRESHOLD.validate(
            DAILY_DOSE_CONFIRMATION_THRESHOLD.default
            if confirmation_threshold_mcg_per_day is None
            else confirmation_threshold_mcg_per_day
        )
    )
    return _RangeInputs(
        current_mcg_per_day=current,
        origin=parsed_origin,
        at_refill=at_refill,
        hours_since_start=hours_since_start,
        hours_since_last_increase=hours_since_last_increase,
        interruption_hours=interruption_hours,
        planned_taper=planned_taper,
        proposed_mcg_per_day=proposed,
        confirm_high_dose=confirm_high_dose,
        high_dose_mcg_per_day=high_dose,
        confirm_at_mcg_per_day=confirm_at,
    )


def _compute_range(inputs: _RangeInputs) -> _RangeSteps:
    """Phase 2: the label increase (per 24 h or at a refill) and decrease, the ceiling that cuts the increase, and
    the cautious top at a high dose."""
    current, origin = inputs.current_mcg_per_day, inputs.origin
    inc = REFILL_INCREASE_PERCENT[origin] if inputs.at_refill else TITRATION_INCREASE_PERCENT[origin]
    dec = REFILL_DECREASE_PERCENT[origin]
    step_min, step_max = current * (1 + inc[0] / 100), current * (1 + inc[1] / 100)
    dec_min, dec_max = current * (1 - dec[1] / 100), current * (1 - dec[0] / 100)
    # The range never offers more than the dose limits: the confirmation threshold unless a higher dose was
    # confirmed (or the current dose is already above it, when the range needs that confirmation: ITB-DOSE-001
    # blocks its top), and never more than the highest reported dose (ITB-DOSE-002).
    ceiling = float(HIGHEST_REPORTED_DAILY_DOSE.default)
    if not inputs.confirm_high_dose and current < inputs.confirm_at_mcg_per_day:
        ceiling = inputs.confirm_at_mcg_per_day
    inc_min, inc_max = min(step_min, ceiling), min(step_max, ceiling)
    cautious = None
    if current >= inputs.high_dose_mcg_per_day and inc[1] > EXCESSIVE_INCREASE_PERCENT_AT_HIGH_DOSE:
        cautious = min(current * (1 + EXCESSIVE_INCREASE_PERCENT_AT_HIGH_DOSE / 100), inc_max)
    return _RangeSteps(inc, dec, step_min, step_max, dec_min, dec_max, ceiling, inc_min, inc_max, cautious)


def _explain_range(inputs: _RangeInputs, steps: _RangeSteps) -> tuple[str, ...]:
    """Phase 3: the arithmetic and each limit that applies, line by line."""
    current, at_refill = inputs.current_mcg_per_day, inputs.at_refill
    inc, dec, ceiling = steps.increase_percent, steps.decrease_percent, steps.ceiling_mcg_per_day
    when = "at a refill visit" if at_refill else "per 24 h"
    reasoning = [
        f"{inputs.origin.value} origin, {when}: increase +{inc[0]:g} to +{inc[1]:g} % -> "
        f"{steps.increase_min_mcg_per_day:.1f}-{steps.increase_max_mcg_per_day:.1f} mcg/day (S2, S3"
        + ("" if at_refill else ", S40")
        + ")",
    ]
    if steps.step_max_mcg_per_day > ceiling:
        reasoning.append(
            f"the label step would reach {steps.step_max_mcg_per_day:.1f} mcg/day: cut at {ceiling:g} mcg/day ("
            + (
                "the highest reported adult dose, HarrietLane24)"
                if ceiling >= float(HIGHEST_REPORTED_DAILY_DOSE.default)
                else f"above it a dose needs explicit confirmation, setting {DAILY_DOSE_CONFIRMATION_THRESHOLD.name})"
            )
        )
    if at_refill:
        reasoning.append(
            f"decrease for side effects -{dec[0]:g} to -{dec[1]:g} % -> {steps.decrease_min_mcg_per_day:.1f}-"
            f"{steps.decrease_max_mcg_per_day:.1f} mcg/day (S2, S3)"
        )
    since_start, since_increase = inputs.hours_since_start, inputs.hours_since_last_increase
    if not at_refill and since_start is not None and since_start < NO_INCREASE_HOURS:
        reasoning.append(
            f"{since_start:g} h since the infusion started: no increase in the first {NO_INCREASE_HOURS:g} h "
            f"(S2, S3), so the allowed dose is the current {current:g} mcg/day for another "
            f"{NO_INCREASE_HOURS - since_start:g} h"
        )
    if since_increase is not None and since_increase < NO_INCREASE_HOURS:
        reasoning.append(
            f"{since_increase:g} h since the last increase: at most one increase every "
            f"{NO_INCREASE_HOURS:g} h (S2, S3, S40), so the allowed dose is the current {current:g} mcg/day for "
            f"another {NO_INCREASE_HOURS - since_increase:g} h"
        )
    if steps.cautious_max_mcg_per_day is not None:
        reasoning.append(
            f"at {current:g} mcg/day (>= {inputs.high_dose_mcg_per_day:g}) an increase above "
            f"{EXCESSIVE_INCREASE_PERCENT_AT_HIGH_DOSE:g} % may be excessive: "
            f"{steps.cautious_max_mcg_per_day:.1f} mcg/day (S40)"
        )
    return tuple(reasoning)


def _judge_range(inputs: _RangeInputs, steps: _RangeSteps) -> tuple[Finding, ...]:
    """Phase 4: the dose-change rules (ITB-TITR-*), the cut at the ceiling (ITB-TITR-006), and the dose levels of
    the current dose and of the proposed dose (or, none proposed, of the top of the range), most severe first."""
    current, origin, at_refill = inputs.current_mcg_per_day, inputs.origin, inputs.at_refill
    confirm_high_dose, confirm_at = inputs.confirm_high_dose, inputs.confirm_at_mcg_per_day
    change_ctx = DoseChangeContext(
        origin=origin.value,
        current_mcg_per_day=current,
        at_refill=at_refill,
        hours_since_start=inputs.hours_since_start,
        proposed_mcg_per_day=inputs.proposed_mcg_per_day,
        increase_percent=steps.increase_percent,
        decrease_percent=steps.decrease_percent,
        increase_max_mcg_per_day=steps.step_max_mcg_per_day,
        decrease_min_mcg_per_day=steps.decrease_min_mcg_per_day,
        high_dose_threshold_mcg_per_day=inputs.high_dose_mcg_per_day,
        excessive_increase_percent=EXCESSIVE_INCREASE_PERCENT_AT_HIGH_DOSE,
        no_increase_h=NO_INCREASE_HOURS,
        planned_taper=inputs.planned_taper,
        hours_since_last_increase=inputs.hours_since_last_increase,
        interruption_hours=inputs.interruption_hours,
    )
    findings = list(evaluate_rules(DOSE_CHANGE_RULES, change_ctx))
    findings += TITR_CEILING.evaluate(
        RangeCeilingContext(
            label="the increase range",
            unclamped_max_mcg_per_day=steps.step_max_mcg_per_day,
            ceiling_mcg_per_day=steps.ceiling_mcg_per_day,
            confirmed=bool(confirm_high_dose),
            confirmation_threshold_mcg_per_day=confirm_at,
            highest_reported_mcg_per_day=float(HIGHEST_REPORTED_DAILY_DOSE.default),
        )
    )
    # the current dose: implausibly low or 1000x off (ITB-LIMIT-001), or above the highest reported (ITB-DOSE-002)
    findings += [
        f for f in check_daily_dose(current, label="current dose") if f.rule_id in ("ITB-LIMIT-001", "ITB-DOSE-002")
    ]
    if inputs.proposed_mcg_per_day is not None:
        findings += check_daily_dose(
            inputs.proposed_mcg_per_day,
            label="proposed dose",
            origin=origin if at_refill else None,
            confirmed=confirm_high_dose,
            confirmation_threshold_mcg_per_day=confirm_at,
            require_confirmation=True,
        )
    else:
        findings += [
            f
            for f in check_daily_dose(
                steps.increase_max_mcg_per_day,
                label="the upper end of the range",
                confirmed=confirm_high_dose,
                confirmation_threshold_mcg_per_day=confirm_at,
                require_confirmation=True,
            )
            if f.rule_id != "ITB-LIMIT-001"  # the current dose's own finding names a slip
        ]
        if at_refill:
            findings += [
                f for f in check_daily_dose(current, label="current dose", origin=origin) if f.rule_id == "ITB-DOSE-003"
            ]
    return sort_findings(findings)
