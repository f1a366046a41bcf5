"""Oral titration planner: the label schedule by default, capped, reduced for kidney function.

The US label schedule is 5 mg TID for 3 days, then 10, 15 and 20 mg TID for 3 days each (days 1-3
15 mg/day, 4-6 30, 7-9 45, 10-12 60) [S1] [S4]. Start, step, interval, doses a day (3 or 4) and
target are configurable; the plan stops at the target. The target is capped by the locale's maximum
(US 80, UK 100 mg/day, settings); a higher request gives the BLOCK finding ORAL-MAX-001 and the plan
stops at the maximum. Only a clinician's override of ORAL-MAX-001 (in hospital) lets the plan go on
to the target, and never above the in-hospital maximum (120 mg/day, setting).

Kidney function: each daily dose is multiplied by 2/3, 1/2 or 1/3 for CrCl 50-80, 30-50 or < 30
mL/min [S22] and rounded *down* to what the product can give. A product too coarse for the (reduced)
starting dose never makes the plan start higher silently: it gives the finding ORAL-PRODUCT-001 (a warn, like
the [S22] reduction itself: one PK study), which names products that can. Dialysis: the plan starts at no
more than about 5 mg/day [S14] [S15] and stays there unless a clinician overrides ORAL-DIALYSIS-002.

>>> from datetime import date
>>> plan = plan_titration(start_date=date(2026, 1, 5))
>>> [(s.start.day, s.end.day, s.daily_dose_mg) for s in plan.steps]
[(5, 7, 15.0), (8, 10, 30.0), (11, 13, 45.0), (14, 16, 60.0)]
>>> plan.steps[0].doses[0].dispensed.text
'1/2 x 10 mg tablet'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from fractions import Fraction
from typing import Any

from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.oral._common import (
    check_date,
    check_overrides,
    check_patient,
    interval_setting_value,
    merge_repeated_doses,
    resolve_product,
)
from baclofen.domain.oral.limits import (
    CKD_CRCL_ML_MIN,
    DIALYSIS_MAX_START_MG_PER_DAY,
    ELDERLY_STEP_INTERVAL_DAYS,
    LABEL_DOSES_PER_DAY,
    LABEL_START_DOSE_MG,
    LABEL_STEP_DOSE_MG,
    LABEL_TARGET_MG_PER_DAY,
    MAX_DAILY_DOSE_IN_HOSPITAL_UK,
    MAX_DAILY_DOSE_IN_HOSPITAL_US,
    MAX_DAILY_DOSE_UK,
    MAX_DAILY_DOSE_US,
    ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG,
    SLOW_ELDERLY_STEPS,
    STEP_INTERVAL_UK,
    STEP_INTERVAL_US,
    TITRATION_DOSES_PER_DAY,
    KidneyBand,
    in_hospital_ceiling_setting,
    kidney_band,
    locale_ceiling_setting,
    step_interval_setting,
)
from baclofen.domain.oral.plan import (
    Plan,
    PlanKind,
    PlanStep,
    floor_to_quantum,
    resolve_dose_times,
    split_daily_dose,
)
from baclofen.domain.patient import ELDERLY_AGE_YEARS, PatientSnapshot
from baclofen.domain.products import (
    LIQUID_RESOLUTION_ML,
    TABLETS_SCORED,
    DoseForm,
    OralProduct,
    dispensable_quantum_mg,
    oral_products_giving,
)
from baclofen.domain.rules.core import Finding, Override, apply_overrides
from baclofen.domain.rules.oral import ORAL_DIALYSIS_002, ORAL_MAX_001, OralPlanContext, evaluate_oral_rules
from baclofen.domain.settings import SettingValues

#: Settings the titration planner reads (callers may override any of them by name).
TITRATION_SETTINGS = (
    MAX_DAILY_DOSE_US,
    MAX_DAILY_DOSE_UK,
    MAX_DAILY_DOSE_IN_HOSPITAL_UK,
    MAX_DAILY_DOSE_IN_HOSPITAL_US,
    ELDERLY_AGE_YEARS,
    STEP_INTERVAL_US,
    STEP_INTERVAL_UK,
    SLOW_ELDERLY_STEPS,
    ELDERLY_STEP_INTERVAL_DAYS,
    DIALYSIS_MAX_START_MG_PER_DAY,
    CKD_CRCL_ML_MIN,
    TABLETS_SCORED,
    LIQUID_RESOLUTION_ML,
)
#: A titration longer than this many steps is refused as a malformed request (structural bound).
MAX_TITRATION_STEPS = 100


def plan_titration(
    *,
    start_date: date,
    patient: PatientSnapshot | None = None,
    product: OralProduct | None = None,
    target_mg_per_day: float | None = None,
    start_dose_mg: float = LABEL_START_DOSE_MG,
    step_dose_mg: float = LABEL_STEP_DOSE_MG,
    step_interval_days: int | None = None,
    doses_per_day: int = LABEL_DOSES_PER_DAY,
    dose_times: Sequence[time] | None = None,
    overrides: Iterable[Override] = (),
    settings: Mapping[str, Any] | None = None,
) -> Plan:
    """Plan an oral titration as a dated schedule with its findings.

    Parameters
    ----------
    start_date : date
        Day 1 of the plan.
    patient : PatientSnapshot, optional
        Locale (ceiling, interval), kidney function, age, origin, conditions. Default: a US adult with
        unknown kidney function.
    product : OralProduct, optional
        The dispensed product; default the locale's 10 mg tablet.
    target_mg_per_day : float, optional
        Where titration stops (mg/day, before any kidney reduction). Default: the end of the label
        schedule, 60 mg/day (capped by the ceiling); on dialysis, the dialysis dose.
    start_dose_mg, step_dose_mg : float
        First dose and the increase per dose at each step (mg per dose); label 5 and 5 [S1] [S4].
    step_interval_days : int, optional
        Days per step; default the locale's setting (US 3, UK 7).
    doses_per_day : int
        3 (label, TID) or 4 (QID; 80 mg/day = 20 mg QID).
    dose_times : sequence of time, optional
        Clock times of the doses; default 08:00, 14:00, 20:00 (TID) or 08:00, 12:00, 16:00, 20:00 (QID).
    overrides : iterable of Override
        A clinician's overrides of blocking findings (ORAL-MAX-001 for in-hospital doses above the
        locale maximum, ORAL-DIALYSIS-002 for titration beyond the dialysis dose).
    settings : mapping, optional
        Setting name -> value for any of :data:`TITRATION_SETTINGS`.

    Returns
    -------
    Plan
        ``offerable`` is false while a block finding stands without an override.

    Raises
    ------
    InvalidInputError
        For malformed input (naming the field); never for a clinical condition.
    """
    inputs = _check_titration_inputs(
        start_date=start_date,
        patient=patient,
        product=product,
        target_mg_per_day=target_mg_per_day,
        start_dose_mg=start_dose_mg,
        step_dose_mg=step_dose_mg,
        step_interval_days=step_interval_days,
        doses_per_day=doses_per_day,
        dose_times=dose_times,
        overrides=overrides,
        settings=settings,
    )
    levels = _titration_levels(inputs)
    doses = _plan_daily_doses(inputs, levels)
    findings = _judge_titration(inputs, levels, doses)
    return Plan(
        PlanKind.TITRATION,
        _build_titration_steps(inputs, doses),
        inputs.product,
        inputs.patient,
        findings,
        inputs.values.used(),
        inputs.overrides,
        _titration_parameters(inputs, levels, doses),
        doses.notes,
    )


# --- the phases of plan_titration -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _TitrationInputs:
    """The titration's options, checked, and the settings resolved (the elderly step interval applied).

    ``values`` records every setting read, in the order read: the plan reports them (:meth:`SettingValues.used`).
    """

    start: date
    patient: PatientSnapshot
    overrides: tuple[Override, ...]
    values: SettingValues
    scored_setting_given: bool
    product: OralProduct
    resolution_ml: float
    times: tuple[time, ...]
    start_dose_mg: float
    step_dose_mg: float
    target_mg_per_day: float | None
    ceiling_mg_per_day: float
    in_hospital_ceiling_mg_per_day: float
    interval_days: int
    slowed_for_elderly: bool
    elderly_age_years: float
    dialysis_max_mg_per_day: float
    ckd_crcl_ml_min: float


@dataclass(frozen=True, slots=True)
class _TitrationLevels:
    """The label levels up to the capped target, and the kidney reduction and dispensable amount applied to them."""

    cap_mg_per_day: float  # the locale maximum, or the in-hospital one when ORAL-MAX-001 is overridden
    capped_target_mg_per_day: float
    levels_mg_per_day: tuple[float, ...]  # before the kidney reduction
    band: KidneyBand | None
    factor: Fraction  # each daily dose is multiplied by it (1 - the band's reduction)
    quantum_mg: float  # the smallest amount the product gives
    reduced_target_mg_per_day: float


@dataclass(frozen=True, slots=True)
class _DailyDoses:
    """The planned daily doses, each with the number of consecutive steps it holds, and the notes on them."""

    merged: tuple[tuple[float, int], ...]
    notes: tuple[str, ...]

    @property
    def planned_mg_per_day(self) -> tuple[float, ...]:
        return tuple(dose for dose, _ in self.merged)


def _check_titration_inputs(
    *,
    start_date: date,
    patient: PatientSnapshot | None,
    product: OralProduct | None,
    target_mg_per_day: float | None,
    start_dose_mg: float,
    step_dose_mg: float,
    step_interval_days: int | None,
    doses_per_day: int,
    dose_times: Sequence[time] | None,
    overrides: Iterable[Override],
    settings: Mapping[str, Any] | None,
) -> _TitrationInputs:
    """Phase 1: check every option and resolve the settings (raises InvalidInputError, in this order)."""
    start = check_date(start_date, "start_date")
    patient = check_patient(patient)
    checked_overrides = check_overrides(overrides)
    values = SettingValues(TITRATION_SETTINGS, settings)
    locale = patient.locale

    ceiling = float(values.get(locale_ceiling_setting(locale)))
    hospital = max(ceiling, float(values.get(in_hospital_ceiling_setting(locale))))
    interval = interval_setting_value(values, step_interval_setting(locale), step_interval_days, "step_interval_days")
    dialysis_max = float(values.get(DIALYSIS_MAX_START_MG_PER_DAY))
    ckd_crcl = float(values.get(CKD_CRCL_ML_MIN))
    scored_given = TABLETS_SCORED.name in (settings or {})
    product, resolution = resolve_product(product, patient, values, scored_given)
    times = resolve_dose_times(doses_per_day, dose_times, TITRATION_DOSES_PER_DAY)
    start_dose = require_finite_number(
        start_dose_mg, "start_dose_mg", strictly_positive=True, maximum=ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG
    )
    step_dose = require_finite_number(
        step_dose_mg, "step_dose_mg", strictly_positive=True, maximum=ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG
    )
    target = (
        None
        if target_mg_per_day is None
        else require_finite_number(
            target_mg_per_day,
            "target_mg_per_day",
            strictly_positive=True,
            maximum=ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG,
        )
    )

    slowed = False
    elderly_age = float(values.get(ELDERLY_AGE_YEARS))
    if patient.is_elderly_from(elderly_age) and values.get(SLOW_ELDERLY_STEPS):
        elderly_interval = int(values.get(ELDERLY_STEP_INTERVAL_DAYS))
        slowed = elderly_interval > interval
        interval = max(interval, elderly_interval)
    return _TitrationInputs(
        start=start,
        patient=patient,
        overrides=checked_overrides,
        values=values,
        scored_setting_given=scored_given,
        product=product,
        resolution_ml=resolution,
        times=times,
        start_dose_mg=start_dose,
        step_dose_mg=step_dose,
        target_mg_per_day=target,
        ceiling_mg_per_day=ceiling,
        in_hospital_ceiling_mg_per_day=hospital,
        interval_days=interval,
        slowed_for_elderly=slowed,
        elderly_age_years=elderly_age,
        dialysis_max_mg_per_day=dialysis_max,
        ckd_crcl_ml_min=ckd_crcl,
    )


def _titration_levels(inputs: _TitrationInputs) -> _TitrationLevels:
    """Phase 2: the target capped by the ceiling (the in-hospital one when ORAL-MAX-001 is overridden), the label
    levels up to it, the kidney band's factor and the product's dispensable amount."""
    overridden = {o.rule_id for o in inputs.overrides}
    target, ceiling = inputs.target_mg_per_day, inputs.ceiling_mg_per_day
    n_doses = len(inputs.times)
    cap = inputs.in_hospital_ceiling_mg_per_day if ORAL_MAX_001.rule_id in overridden else ceiling
    capped_target = min(LABEL_TARGET_MG_PER_DAY, ceiling) if target is None else min(target, cap)
    levels = _label_levels(inputs.start_dose_mg * n_doses, inputs.step_dose_mg * n_doses, capped_target)

    kidney = inputs.patient.kidney
    band: KidneyBand | None
    if kidney.dialysis:
        band = KidneyBand.SEVERE
    elif kidney.crcl_ml_min is not None:
        band = kidney_band(kidney.crcl_ml_min)
    else:
        band = None
    factor = band.factor if band is not None else Fraction(1)
    return _TitrationLevels(
        cap_mg_per_day=cap,
        capped_target_mg_per_day=capped_target,
        levels_mg_per_day=tuple(levels),
        band=band,
        factor=factor,
        quantum_mg=dispensable_quantum_mg(inputs.product, inputs.resolution_ml),
        reduced_target_mg_per_day=float(Fraction(capped_target) * factor),
    )


def _plan_daily_doses(inputs: _TitrationInputs, levels: _TitrationLevels) -> _DailyDoses:
    """Phase 3: each level reduced for the kidneys and rounded down to what the product gives, held at the
    dialysis dose, steps rounded to nothing left out, and repeated doses merged; raises InvalidInputError on
    ``product`` when the product cannot give the dose."""
    planned, notes = _reduce_and_round_down(inputs.product, levels)
    if inputs.patient.kidney.dialysis:
        planned, notes = _hold_at_dialysis_dose(inputs, levels, planned, notes)
    if any(dose <= 0 for dose in planned):
        dropped = sum(1 for dose in planned if dose <= 0)
        planned = [dose for dose in planned if dose > 0]
        if not planned:
            raise InvalidInputError(
                "product",
                f"a product that can give the planned daily dose (at most {levels.reduced_target_mg_per_day:.3g} "
                "mg/day) in measurable amounts, e.g. an oral solution",
                inputs.product.name,
            )
        notes.append(
            f"{dropped} step(s) rounded down to 0 mg/day were left out; the plan starts at {planned[0]:g} mg/day."
        )
    return _DailyDoses(tuple(merge_repeated_doses(planned)), tuple(notes))


def _reduce_and_round_down(product: OralProduct, levels: _TitrationLevels) -> tuple[list[float], list[str]]:
    """Each level times the kidney factor, rounded down to a multiple of the dispensable amount, with a note for
    each level rounded."""
    factor, q = levels.factor, levels.quantum_mg
    planned = [floor_to_quantum(float(Fraction(level) * factor), q) for level in levels.levels_mg_per_day]
    notes: list[str] = []
    for level, dose in zip(levels.levels_mg_per_day, planned, strict=True):
        exact = float(Fraction(level) * factor)
        if dose < exact - 1e-9:
            what = f"{level:g} mg/day x {factor.numerator}/{factor.denominator}" if factor != 1 else f"{level:g} mg/day"
            notes.append(
                f"{what} = {exact:.4g} mg/day rounded down to {dose:g} mg/day ({product.name} gives "
                f"multiples of {q:g} mg)."
            )
    return planned, notes


def _hold_at_dialysis_dose(
    inputs: _TitrationInputs, levels: _TitrationLevels, planned: list[float], notes: list[str]
) -> tuple[list[float], list[str]]:
    """On dialysis: every dose capped at the dialysis dose, or (ORAL-DIALYSIS-002 overridden with a target) only
    the first one; raises InvalidInputError on ``product`` when the product cannot give the dialysis dose."""
    dialysis_max = inputs.dialysis_max_mg_per_day
    dialysis_dose = floor_to_quantum(dialysis_max, levels.quantum_mg)
    if dialysis_dose <= 0:
        raise InvalidInputError(
            "product",
            f"a product that can give the dialysis start dose (at most {dialysis_max:g} mg/day) in "
            "measurable amounts, e.g. an oral solution",
            inputs.product.name,
        )
    overridden = {o.rule_id for o in inputs.overrides}
    if inputs.target_mg_per_day is None or ORAL_DIALYSIS_002.rule_id not in overridden:
        # Capped at the dialysis dose, never lifted to it: a lower start asked for is kept.
        planned = [min(dose, dialysis_dose) for dose in planned]
        if inputs.target_mg_per_day is None:
            notes = []
        return planned, notes
    # The override allows titration *beyond* the dialysis dose, never a start above it: a first step that rounds
    # down to nothing starts at the dialysis dose instead of being left out (which would make the plan start at
    # the next, higher step).
    if planned[0] <= 0:
        planned[0] = dialysis_dose
        notes.append(f"Dialysis: the plan starts at the dialysis dose, {dialysis_dose:g} mg/day.")
    planned[0] = min(planned[0], dialysis_dose)
    return [max(dose, planned[0]) for dose in planned], notes


def _build_titration_steps(inputs: _TitrationInputs, doses: _DailyDoses) -> tuple[PlanStep, ...]:
    """Phase 4: one dated step per planned daily dose, ``interval_days`` per step it holds; the last continues."""
    steps = []
    day = inputs.start
    for i, (dose, count) in enumerate(doses.merged):
        end = day + timedelta(days=count * inputs.interval_days - 1)
        split = split_daily_dose(dose, inputs.times, inputs.product, inputs.resolution_ml)
        steps.append(PlanStep(day, end, split, continues=i == len(doses.merged) - 1))
        day = end + timedelta(days=1)
    return tuple(steps)


def _judge_titration(inputs: _TitrationInputs, levels: _TitrationLevels, doses: _DailyDoses) -> tuple[Finding, ...]:
    """Phase 5: the oral plan rules on the planned doses (with products that could give the reduced start when
    this one starts above it), the clinician's overrides applied."""
    planned_daily = doses.planned_mg_per_day
    # The first daily dose asked for, after the kidney reduction: no offerable plan starts above it.
    reduced_start = float(Fraction(levels.levels_mg_per_day[0]) * levels.factor)
    suggested = _products_for_start(inputs, reduced_start) if planned_daily[0] > reduced_start + 1e-9 else ()
    ctx = OralPlanContext(
        kind="titration",
        patient=inputs.patient,
        planned_daily_doses_mg=planned_daily,
        ceiling_mg_per_day=inputs.ceiling_mg_per_day,
        in_hospital_ceiling_mg_per_day=inputs.in_hospital_ceiling_mg_per_day,
        requested_target_mg_per_day=inputs.target_mg_per_day,
        kidney_reduced_target_mg_per_day=(
            None if inputs.target_mg_per_day is None else levels.reduced_target_mg_per_day
        ),
        doses_per_day=len(inputs.times),
        dialysis_start_mg_per_day=inputs.dialysis_max_mg_per_day,
        ckd_crcl_ml_min=inputs.ckd_crcl_ml_min,
        step_interval_days=inputs.interval_days,
        slowed_for_elderly=inputs.slowed_for_elderly,
        elderly_age_years=inputs.elderly_age_years,
        reduced_start_mg_per_day=reduced_start,
        product_name=inputs.product.name,
        product_quantum_mg=levels.quantum_mg,
        product_evidence=inputs.product.evidence,
        suggested_products=tuple(f"{p.name} ({p.display})" for p in suggested),
        suggested_evidence=tuple(k for p in suggested for k in p.evidence),
        product_locales=inputs.product.locales,
    )
    return apply_overrides(evaluate_oral_rules(ctx), inputs.overrides)


def _products_for_start(inputs: _TitrationInputs, reduced_start_mg_per_day: float) -> tuple[OralProduct, ...]:
    """One product of each form that can give the reduced start dose (none when that dose is 0)."""
    if reduced_start_mg_per_day <= 0:
        return ()
    values, product = inputs.values, inputs.product
    scored = bool(values.get(TABLETS_SCORED)) if inputs.scored_setting_given else None
    liquid_ml = inputs.resolution_ml if product.is_liquid else None
    return _one_per_form(
        oral_products_giving(
            reduced_start_mg_per_day, inputs.patient.locale, tablets_scored=scored, liquid_resolution_ml=liquid_ml
        )
    )


def _titration_parameters(inputs: _TitrationInputs, levels: _TitrationLevels, doses: _DailyDoses) -> dict[str, Any]:
    """Phase 6: the inputs and the values the plan was made with, for the plan's ``parameters``."""
    band, kidney = levels.band, inputs.patient.kidney
    return {
        "start_date": inputs.start,
        "target_mg_per_day": inputs.target_mg_per_day,
        "capped_target_mg_per_day": levels.capped_target_mg_per_day,
        "planned_target_mg_per_day": doses.planned_mg_per_day[-1],
        "ceiling_mg_per_day": levels.cap_mg_per_day,
        "start_dose_mg": inputs.start_dose_mg,
        "step_dose_mg": inputs.step_dose_mg,
        "step_interval_days": inputs.interval_days,
        "doses_per_day": len(inputs.times),
        "dose_times": list(inputs.times),
        "locale": inputs.patient.locale,
        "kidney": {
            **kidney.to_dict(),
            "band": band.label if band is not None else None,
            "reduction": band.reduction_text if band is not None else None,
            "factor": float(levels.factor),
        },
        "dispensable_quantum_mg": levels.quantum_mg,
    }


def _one_per_form(products: tuple[OralProduct, ...]) -> tuple[OralProduct, ...]:
    """The first tablet, the first liquid and the first granules of ``products`` (catalogue order)."""
    seen: dict[bool | DoseForm, OralProduct] = {}
    for p in products:
        seen.setdefault(p.is_liquid or p.form, p)
    return tuple(seen.values())


def _label_levels(start_mg_per_day: float, step_mg_per_day: float, target_mg_per_day: float) -> list[float]:
    """Daily doses start, start + step, ... below the target, then the target itself."""
    levels: list[float] = []
    i = 0
    while True:
        level = start_mg_per_day + i * step_mg_per_day
        if level >= target_mg_per_day - 1e-9:
            levels.append(target_mg_per_day)
            return levels
        levels.append(level)
        i += 1
        if i > MAX_TITRATION_STEPS:
            raise InvalidInputError(
                "step_dose_mg",
                f"a step that reaches the target in at most {MAX_TITRATION_STEPS} steps",
                step_mg_per_day,
            )
