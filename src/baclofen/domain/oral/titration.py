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
from datetime import date, time, timedelta
from fractions import Fraction
from typing import Any

from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.oral._common import (
    check_date,
    check_overrides,
    check_patient,
    interval_setting_value,
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
from baclofen.domain.rules.core import Override, apply_overrides
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
    start = check_date(start_date, "start_date")
    patient = check_patient(patient)
    overrides = check_overrides(overrides)
    overridden = {o.rule_id for o in overrides}
    values = SettingValues(TITRATION_SETTINGS, settings)
    locale = patient.locale

    ceiling = float(values.get(locale_ceiling_setting(locale)))
    hospital = max(ceiling, float(values.get(in_hospital_ceiling_setting(locale))))
    interval = interval_setting_value(values, step_interval_setting(locale), step_interval_days, "step_interval_days")
    dialysis_max = float(values.get(DIALYSIS_MAX_START_MG_PER_DAY))
    ckd_crcl = float(values.get(CKD_CRCL_ML_MIN))
    product, resolution = resolve_product(product, patient, values, TABLETS_SCORED.name in (settings or {}))
    times = resolve_dose_times(doses_per_day, dose_times, TITRATION_DOSES_PER_DAY)
    n_doses = len(times)
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

    cap = hospital if ORAL_MAX_001.rule_id in overridden else ceiling
    capped_target = min(LABEL_TARGET_MG_PER_DAY, ceiling) if target is None else min(target, cap)
    levels = _label_levels(start_dose * n_doses, step_dose * n_doses, capped_target)

    kidney = patient.kidney
    band: KidneyBand | None
    if kidney.dialysis:
        band = KidneyBand.SEVERE
    elif kidney.crcl_ml_min is not None:
        band = kidney_band(kidney.crcl_ml_min)
    else:
        band = None
    factor = band.factor if band is not None else Fraction(1)
    q = dispensable_quantum_mg(product, resolution)
    notes: list[str] = []

    reduced_target = float(Fraction(capped_target) * factor)
    planned = [floor_to_quantum(float(Fraction(level) * factor), q) for level in levels]
    for level, dose in zip(levels, planned, strict=True):
        exact = float(Fraction(level) * factor)
        if dose < exact - 1e-9:
            what = f"{level:g} mg/day x {factor.numerator}/{factor.denominator}" if factor != 1 else f"{level:g} mg/day"
            notes.append(
                f"{what} = {exact:.4g} mg/day rounded down to {dose:g} mg/day ({product.name} gives "
                f"multiples of {q:g} mg)."
            )
    if kidney.dialysis:
        dialysis_dose = floor_to_quantum(dialysis_max, q)
        if dialysis_dose <= 0:
            raise InvalidInputError(
                "product",
                f"a product that can give the dialysis start dose (at most {dialysis_max:g} mg/day) in "
                "measurable amounts, e.g. an oral solution",
                product.name,
            )
        if target is None or ORAL_DIALYSIS_002.rule_id not in overridden:
            # Capped at the dialysis dose, never lifted to it: a lower start asked for is kept.
            planned = [min(dose, dialysis_dose) for dose in planned]
            if target is None:
                notes = []
        else:
            # The override allows titration *beyond* the dialysis dose, never a start above it: a first
            # step that rounds down to nothing starts at the dialysis dose instead of being left out
            # (which would make the plan start at the next, higher step).
            if planned[0] <= 0:
                planned[0] = dialysis_dose
                notes.append(f"Dialysis: the plan starts at the dialysis dose, {dialysis_dose:g} mg/day.")
            planned[0] = min(planned[0], dialysis_dose)
            planned = [max(dose, planned[0]) for dose in planned]
    if any(dose <= 0 for dose in planned):
        dropped = sum(1 for dose in planned if dose <= 0)
        planned = [dose for dose in planned if dose > 0]
        if not planned:
            raise InvalidInputError(
                "product",
                f"a product that can give the planned daily dose (at most {reduced_target:.3g} mg/day) in "
                "measurable amounts, e.g. an oral solution",
                product.name,
            )
        notes.append(
            f"{dropped} step(s) rounded down to 0 mg/day were left out; the plan starts at {planned[0]:g} mg/day."
        )

    merged: list[tuple[float, int]] = []
    for dose in planned:
        if merged and abs(merged[-1][0] - dose) < 1e-9:
            merged[-1] = (dose, merged[-1][1] + 1)
        else:
            merged.append((dose, 1))

    steps = []
    day = start
    for i, (dose, count) in enumerate(merged):
        end = day + timedelta(days=count * interval - 1)
        steps.append(
            PlanStep(day, end, split_daily_dose(dose, times, product, resolution), continues=i == len(merged) - 1)
        )
        day = end + timedelta(days=1)

    planned_daily = tuple(dose for dose, _ in merged)
    # The first daily dose asked for, after the kidney reduction: no offerable plan starts above it.
    reduced_start = float(Fraction(levels[0]) * factor)
    suggested: tuple[OralProduct, ...] = ()
    if planned_daily[0] > reduced_start + 1e-9 and reduced_start > 0:
        scored = bool(values.get(TABLETS_SCORED)) if TABLETS_SCORED.name in (settings or {}) else None
        liquid_ml = resolution if product.is_liquid else None
        suggested = _one_per_form(
            oral_products_giving(reduced_start, locale, tablets_scored=scored, liquid_resolution_ml=liquid_ml)
        )
    ctx = OralPlanContext(
        kind="titration",
        patient=patient,
        planned_daily_doses_mg=planned_daily,
        ceiling_mg_per_day=ceiling,
        in_hospital_ceiling_mg_per_day=hospital,
        requested_target_mg_per_day=target,
        kidney_reduced_target_mg_per_day=None if target is None else reduced_target,
        doses_per_day=n_doses,
        dialysis_start_mg_per_day=dialysis_max,
        ckd_crcl_ml_min=ckd_crcl,
        step_interval_days=interval,
        slowed_for_elderly=slowed,
        elderly_age_years=elderly_age,
        reduced_start_mg_per_day=reduced_start,
        product_name=product.name,
        product_quantum_mg=q,
        product_evidence=product.evidence,
        suggested_products=tuple(f"{p.name} ({p.display})" for p in suggested),
        suggested_evidence=tuple(k for p in suggested for k in p.evidence),
        product_locales=product.locales,
    )
    findings = apply_overrides(evaluate_oral_rules(ctx), overrides)
    parameters = {
        "start_date": start,
        "target_mg_per_day": target,
        "capped_target_mg_per_day": capped_target,
        "planned_target_mg_per_day": planned_daily[-1],
        "ceiling_mg_per_day": cap,
        "start_dose_mg": start_dose,
        "step_dose_mg": step_dose,
        "step_interval_days": interval,
        "doses_per_day": n_doses,
        "dose_times": list(times),
        "locale": locale,
        "kidney": {
            **kidney.to_dict(),
            "band": band.label if band is not None else None,
            "reduction": band.reduction_text if band is not None else None,
            "factor": float(factor),
        },
        "dispensable_quantum_mg": q,
    }
    return Plan(
        PlanKind.TITRATION,
        tuple(steps),
        product,
        patient,
        findings,
        values.used(),
        overrides,
        parameters,
        tuple(notes),
    )


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
