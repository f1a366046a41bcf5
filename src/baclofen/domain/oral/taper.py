"""Oral taper planner: from any daily dose to zero or to a lower dose, never abruptly.

Rules the plan keeps (clinical.md §3.1):

* the daily dose never increases from one step to the next, and the first step is not above the
  current dose;
* no step, the last one down to zero included, lowers the daily dose by more than the configured maximum
  (``taper.max_step_mg_per_day``, UNCONFIRMED in the sources: default 10 mg/day); a larger requested
  step is the WARN TAPER-STEP-001 (a BLOCK only where the clinic profile sets ``taper.block_on_clinic_limits``:
  an UNCONFIRMED value is never the basis of a hard rule);
* a taper to zero lasts at least ``taper.min_days_to_zero`` days (default 14 [S14] [S24] [S29] [S27]; shorter
  than that, or than the sourced 14 days, is the BLOCK TAPER-ABRUPT-001),
  or ``taper.long_term_min_days_to_zero`` (default 28, an assumption) after at least
  ``taper.long_term_months`` months (5 [S110]) at ``taper.long_term_dose_mg_per_day`` or more, and
  also at that dose when the time on therapy is not given (the conservative choice, TAPER-LONGTERM-002); a
  requested taper between the sourced and that longer minimum is the WARN TAPER-ABRUPT-002 (a BLOCK where the
  clinic profile says so);
* it ends exactly at the target, and every dose is one the product can give.

Steps are spread evenly between the current dose and the target, each rounded *up* to a dispensable
daily dose (so that no step is larger than planned), and last ``taper.step_interval_days`` days or
longer so that the minimum duration holds. The withdrawal signs are attached to the TAPER-INFO-001
finding so that they print on the schedule.

>>> from datetime import date
>>> plan = plan_taper(start_date=date(2026, 3, 2), from_mg_per_day=30)
>>> [(s.start.isoformat(), s.daily_dose_mg) for s in plan.steps]
[('2026-03-02', 20.0), ('2026-03-09', 10.0), ('2026-03-16', 0.0)]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.oral._common import (
    check_date,
    check_overrides,
    check_patient,
    interval_setting_value,
    merge_repeated_doses,
    resolve_product,
    whole_days,
)
from baclofen.domain.oral.limits import (
    CKD_CRCL_ML_MIN,
    DIALYSIS_MAX_START_MG_PER_DAY,
    MAX_DAILY_DOSE_UK,
    MAX_DAILY_DOSE_US,
    MONTHS_ON_THERAPY_MAX,
    ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG,
    TAPER_BLOCK_ON_CLINIC_LIMITS,
    TAPER_DOSES_PER_DAY,
    TAPER_LONG_TERM_DOSE_MG_PER_DAY,
    TAPER_LONG_TERM_MIN_DAYS_TO_ZERO,
    TAPER_LONG_TERM_MONTHS,
    TAPER_MAX_STEP_MG_PER_DAY,
    TAPER_MIN_DAYS_TO_ZERO,
    TAPER_SOURCED_MIN_DAYS_TO_ZERO,
    TAPER_STEP_INTERVAL_DAYS,
    locale_ceiling_setting,
)
from baclofen.domain.oral.plan import (
    Plan,
    PlanKind,
    PlanStep,
    ceil_to_quantum,
    floor_to_quantum,
    resolve_dose_times,
    split_daily_dose,
)
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.products import LIQUID_RESOLUTION_ML, TABLETS_SCORED, OralProduct, dispensable_quantum_mg
from baclofen.domain.rules.core import Finding, Override, apply_overrides
from baclofen.domain.rules.oral import OralPlanContext, evaluate_oral_rules
from baclofen.domain.settings import SettingValues

#: Settings the taper planner reads (callers may override any of them by name).
TAPER_SETTINGS = (
    TAPER_MIN_DAYS_TO_ZERO,
    TAPER_LONG_TERM_MONTHS,
    TAPER_LONG_TERM_DOSE_MG_PER_DAY,
    TAPER_LONG_TERM_MIN_DAYS_TO_ZERO,
    TAPER_MAX_STEP_MG_PER_DAY,
    TAPER_STEP_INTERVAL_DAYS,
    TAPER_BLOCK_ON_CLINIC_LIMITS,
    MAX_DAILY_DOSE_US,
    MAX_DAILY_DOSE_UK,
    CKD_CRCL_ML_MIN,
    DIALYSIS_MAX_START_MG_PER_DAY,
    TABLETS_SCORED,
    LIQUID_RESOLUTION_ML,
)
#: Longest taper duration a caller may request (days); structural bound.
MAX_MIN_DAYS_TO_ZERO = 365


def plan_taper(
    *,
    start_date: date,
    from_mg_per_day: float,
    to_mg_per_day: float = 0.0,
    patient: PatientSnapshot | None = None,
    product: OralProduct | None = None,
    doses_per_day: int = 3,
    dose_times: Sequence[time] | None = None,
    months_on_therapy: float | None = None,
    max_step_mg: float | None = None,
    step_interval_days: int | None = None,
    min_days_to_zero: int | None = None,
    overrides: Iterable[Override] = (),
    settings: Mapping[str, Any] | None = None,
) -> Plan:
    """Plan a gradual reduction of an oral daily dose as a dated schedule with its findings.

    Parameters
    ----------
    start_date : date
        Day of the first reduction.
    from_mg_per_day : float
        The current daily dose (mg/day, > 0).
    to_mg_per_day : float
        The target daily dose (mg/day, >= 0 and below the current dose); 0 stops baclofen. It must be a
        daily dose the product can give exactly.
    patient : PatientSnapshot, optional
        Locale, kidney function, conditions (pregnancy ...).
    product : OralProduct, optional
        The dispensed product; default the locale's 10 mg tablet.
    doses_per_day : int
        1 to 4 (default 3); clock times from ``dose_times`` or the defaults.
    months_on_therapy : float, optional
        Time on baclofen (months); with a high dose it lengthens the taper. Not given at a high dose,
        the taper is planned as after long-term use (give it to shorten the taper after short use).
    max_step_mg : float, optional
        Largest reduction of the daily dose per step (mg/day); default the setting (10). Smaller than the
        setting, it is the plan's step limit; larger, the plan is made with it but every step above the
        setting, the last one down to zero included, gives the finding TAPER-STEP-001 (a warn; a block a
        clinician may override where ``taper.block_on_clinic_limits`` is on).
    step_interval_days : int, optional
        Shortest time between steps (days); default the setting (3).
    min_days_to_zero : int, optional
        Requested minimum duration of a taper to zero (days). Shorter than the sourced 14 days (or a
        clinic's lower ``taper.min_days_to_zero``) gives the BLOCK finding TAPER-ABRUPT-001 (a clinician may
        override it, e.g. after a serious adverse effect); shorter than a longer minimum the settings require
        gives TAPER-ABRUPT-002 (a warn, a block where ``taper.block_on_clinic_limits`` is on); longer is
        always allowed.
    overrides : iterable of Override
        A clinician's overrides of blocking findings.
    settings : mapping, optional
        Setting name -> value for any of :data:`TAPER_SETTINGS`.

    Raises
    ------
    InvalidInputError
        For malformed input, a target the product cannot give exactly, a maximum step smaller than
        the product's smallest dose, or a product that cannot give any dose below the current one.
    """
    inputs = _check_taper_inputs(
        start_date=start_date,
        from_mg_per_day=from_mg_per_day,
        to_mg_per_day=to_mg_per_day,
        patient=patient,
        product=product,
        doses_per_day=doses_per_day,
        dose_times=dose_times,
        months_on_therapy=months_on_therapy,
        max_step_mg=max_step_mg,
        step_interval_days=step_interval_days,
        min_days_to_zero=min_days_to_zero,
        overrides=overrides,
        settings=settings,
    )
    schedule = _taper_schedule(inputs)
    steps = _build_taper_steps(inputs, schedule)
    days_to_target = (steps[-1].start - inputs.start).days
    findings = _judge_taper(inputs, schedule, days_to_target)
    return Plan(
        PlanKind.TAPER,
        steps,
        inputs.product,
        inputs.patient,
        findings,
        inputs.values.used(),
        inputs.overrides,
        _taper_parameters(inputs, schedule, days_to_target),
        _taper_notes(inputs, schedule),
    )


# --- the phases of plan_taper ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _TaperDuration:
    """How long a taper to zero must last (long-term use, the required, sourced and planned minimum days) and
    whether the clinic's limits are blocks (TAPER-ABRUPT-002, TAPER-STEP-001)."""

    long_term_months: float
    long_term_dose_mg_per_day: float
    long_term_assumed: bool  # a high dose with the time on therapy not given (TAPER-LONGTERM-002)
    long_term: bool
    required_days: int  # the settings' minimum (the long-term one after long-term use)
    sourced_days: int  # the minimum TAPER-ABRUPT-001 blocks below
    block_on_clinic_limits: bool
    planned_min_days: int  # the requested minimum, else the required one


@dataclass(frozen=True, slots=True)
class _TaperInputs:
    """The taper's options, checked against the settings and the product, and the settings resolved.

    ``values`` records every setting read, in the order read: the plan reports them (:meth:`SettingValues.used`).
    """

    start: date
    patient: PatientSnapshot
    overrides: tuple[Override, ...]
    values: SettingValues
    from_mg_per_day: float
    to_mg_per_day: float
    months_on_therapy: float | None
    max_step_mg: float  # the step the plan is made with
    step_limit_mg: float  # the step TAPER-STEP-001 judges against
    interval_days: int
    duration: _TaperDuration
    ceiling_mg_per_day: float
    ckd_crcl_ml_min: float
    dialysis_max_mg_per_day: float
    product: OralProduct
    resolution_ml: float
    times: tuple[time, ...]
    quantum_mg: float  # the smallest amount the product gives


@dataclass(frozen=True, slots=True)
class _TaperSchedule:
    """The daily doses after the current one, the reduction of each step, the days a step lasts, and the
    doses merged where consecutive steps repeat one."""

    levels_mg_per_day: tuple[float, ...]
    reductions_mg_per_day: tuple[float, ...]
    step_days: int
    merged: tuple[tuple[float, int], ...]


def _check_taper_inputs(
    *,
    start_date: date,
    from_mg_per_day: float,
    to_mg_per_day: float,
    patient: PatientSnapshot | None,
    product: OralProduct | None,
    doses_per_day: int,
    dose_times: Sequence[time] | None,
    months_on_therapy: float | None,
    max_step_mg: float | None,
    step_interval_days: int | None,
    min_days_to_zero: int | None,
    overrides: Iterable[Override],
    settings: Mapping[str, Any] | None,
) -> _TaperInputs:
    """Phase 1: check every option, resolve the settings, then check the doses against what the product gives
    (raises InvalidInputError, in this order)."""
    start = check_date(start_date, "start_date")
    patient = check_patient(patient)
    checked_overrides = check_overrides(overrides)
    values = SettingValues(TAPER_SETTINGS, settings)
    current = require_finite_number(
        from_mg_per_day, "from_mg_per_day", strictly_positive=True, maximum=ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG
    )
    target = require_finite_number(
        to_mg_per_day, "to_mg_per_day", minimum=0.0, maximum=ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG
    )
    if target >= current:
        raise InvalidInputError("to_mg_per_day", f"a daily dose below the current {current:g} mg/day", target)
    months = (
        None
        if months_on_therapy is None
        else require_finite_number(months_on_therapy, "months_on_therapy", minimum=0.0, maximum=MONTHS_ON_THERAPY_MAX)
    )
    max_step, step_limit = _resolve_step_limit(values, max_step_mg)
    interval = interval_setting_value(values, TAPER_STEP_INTERVAL_DAYS, step_interval_days, "step_interval_days")
    duration = _resolve_taper_duration(values, current, months, min_days_to_zero)
    ceiling = float(values.get(locale_ceiling_setting(patient.locale)))
    ckd_crcl = float(values.get(CKD_CRCL_ML_MIN))
    dialysis_max = float(values.get(DIALYSIS_MAX_START_MG_PER_DAY))
    product, resolution = resolve_product(product, patient, values, TABLETS_SCORED.name in (settings or {}))
    times = resolve_dose_times(doses_per_day, dose_times, TAPER_DOSES_PER_DAY)

    q = dispensable_quantum_mg(product, resolution)
    if abs(target / q - round(target / q)) > 1e-6:
        raise InvalidInputError(
            "to_mg_per_day", f"a daily dose {product.name} can give exactly (a multiple of {q:g} mg)", target
        )
    if max_step < q - 1e-9:
        raise InvalidInputError(
            "max_step_mg", f"at least {q:g} mg/day, the smallest amount {product.name} can give", max_step
        )
    if floor_to_quantum(current, q) <= target and target == 0:
        raise InvalidInputError(
            "product",
            f"a product that can give less than {current:g} mg/day in measurable amounts, e.g. an oral solution",
            product.name,
        )
    return _TaperInputs(
        start=start,
        patient=patient,
        overrides=checked_overrides,
        values=values,
        from_mg_per_day=current,
        to_mg_per_day=target,
        months_on_therapy=months,
        max_step_mg=max_step,
        step_limit_mg=step_limit,
        interval_days=interval,
        duration=duration,
        ceiling_mg_per_day=ceiling,
        ckd_crcl_ml_min=ckd_crcl,
        dialysis_max_mg_per_day=dialysis_max,
        product=product,
        resolution_ml=resolution,
        times=times,
        quantum_mg=q,
    )


def _resolve_step_limit(values: SettingValues, max_step_mg: float | None) -> tuple[float, float]:
    """The step the plan is made with and the step limit it is judged against.

    The step limit is the setting (the clinic's); a requested smaller step becomes the plan's limit, a larger
    one plans larger steps but cannot raise the limit: each step above it, the last down to zero included,
    is the finding TAPER-STEP-001 (a warn: the step size is UNCONFIRMED; a block where the clinic says so).
    """
    clinic_step = float(values.get(TAPER_MAX_STEP_MG_PER_DAY))
    if max_step_mg is None:
        return clinic_step, clinic_step
    require_finite_number(max_step_mg, "max_step_mg", strictly_positive=True)
    try:
        max_step = float(TAPER_MAX_STEP_MG_PER_DAY.validate(max_step_mg))
    except InvalidInputError as exc:
        raise InvalidInputError("max_step_mg", exc.expected, max_step_mg) from None
    step_limit = float(values.set(TAPER_MAX_STEP_MG_PER_DAY, max_step)) if max_step < clinic_step else clinic_step
    return max_step, step_limit


def _resolve_taper_duration(
    values: SettingValues, current_mg_per_day: float, months: float | None, min_days_to_zero: int | None
) -> _TaperDuration:
    """Long-term use, and the minimum days of a taper to zero: required by the settings, sourced, requested."""
    long_term_months = float(values.get(TAPER_LONG_TERM_MONTHS))
    long_term_dose = float(values.get(TAPER_LONG_TERM_DOSE_MG_PER_DAY))
    # Unknown time on therapy at a high dose is planned as long-term use (the conservative choice,
    # TAPER-LONGTERM-002); the clinician gives the months on therapy to shorten it after short use.
    high_dose = current_mg_per_day >= long_term_dose
    assumed_long_term = months is None and high_dose
    long_term = assumed_long_term or (months is not None and months >= long_term_months and high_dose)
    required_days = whole_days(values.get(TAPER_MIN_DAYS_TO_ZERO), TAPER_MIN_DAYS_TO_ZERO.name)
    # The block rests on the sourced minimum (or a clinic's lower choice within the 1-2 week DISAGREE); a longer
    # minimum (a stricter clinic value, the long-term assumption) is TAPER-ABRUPT-002, a warn unless the clinic
    # profile makes its limits blocks (taper.block_on_clinic_limits).
    sourced_days = min(required_days, TAPER_SOURCED_MIN_DAYS_TO_ZERO)
    block_on_clinic = bool(values.get(TAPER_BLOCK_ON_CLINIC_LIMITS))
    if long_term:
        # Longer, never shorter: a clinic's long-term minimum below the general one does not shorten it.
        required_days = max(
            required_days,
            whole_days(values.get(TAPER_LONG_TERM_MIN_DAYS_TO_ZERO), TAPER_LONG_TERM_MIN_DAYS_TO_ZERO.name),
        )
    planned_min_days = required_days
    if min_days_to_zero is not None:
        planned_min_days = whole_days(min_days_to_zero, "min_days_to_zero")
        if not 1 <= planned_min_days <= MAX_MIN_DAYS_TO_ZERO:
            raise InvalidInputError(
                "min_days_to_zero", f"a number of days between 1 and {MAX_MIN_DAYS_TO_ZERO}", min_days_to_zero
            )
    return _TaperDuration(
        long_term_months=long_term_months,
        long_term_dose_mg_per_day=long_term_dose,
        long_term_assumed=assumed_long_term,
        long_term=long_term,
        required_days=required_days,
        sourced_days=sourced_days,
        block_on_clinic_limits=block_on_clinic,
        planned_min_days=planned_min_days,
    )


def _taper_schedule(inputs: _TaperInputs) -> _TaperSchedule:
    """Phase 2: the levels down to the target, and steps long enough for the minimum days of a taper to zero."""
    current, target = inputs.from_mg_per_day, inputs.to_mg_per_day
    levels = _taper_levels(current, target, inputs.max_step_mg, inputs.quantum_mg)
    step_days = inputs.interval_days
    if target == 0:
        step_days = max(step_days, math.ceil(inputs.duration.planned_min_days / (len(levels) - 1)))
    reductions = [current - levels[0]] + [a - b for a, b in zip(levels, levels[1:], strict=False)]
    return _TaperSchedule(tuple(levels), tuple(reductions), step_days, tuple(merge_repeated_doses(levels)))


def _build_taper_steps(inputs: _TaperInputs, schedule: _TaperSchedule) -> tuple[PlanStep, ...]:
    """Phase 3: one dated step per daily dose, ``step_days`` per step it holds; the target dose continues, or
    (a taper to zero) a one-day stop step ends the plan."""
    steps: list[PlanStep] = []
    day = inputs.start
    for i, (level, count) in enumerate(schedule.merged):
        last = i == len(schedule.merged) - 1
        if last and inputs.to_mg_per_day == 0:
            steps.append(
                PlanStep(
                    day,
                    day,
                    (),
                    continues=True,
                    note="stop: no baclofen from this day; keep watching for withdrawal signs",
                )
            )
            break
        end = day + timedelta(days=(schedule.step_days if last else count * schedule.step_days) - 1)
        steps.append(
            PlanStep(
                day,
                end,
                split_daily_dose(level, inputs.times, inputs.product, inputs.resolution_ml),
                continues=last,
                note="target dose: continue" if last else "",
            )
        )
        day = end + timedelta(days=1)
    return tuple(steps)


def _taper_notes(inputs: _TaperInputs, schedule: _TaperSchedule) -> tuple[str, ...]:
    """The plan's notes: a first step off the current dose, steps made longer for the minimum duration."""
    current, q, levels = inputs.from_mg_per_day, inputs.quantum_mg, schedule.levels_mg_per_day
    notes = []
    if abs(levels[0] - current) > 1e-9 and abs(current / q - round(current / q)) > 1e-6:
        notes.append(f"{current:g} mg/day is not a multiple of {q:g} mg: the first step is {levels[0]:g} mg/day.")
    if schedule.step_days > inputs.interval_days:
        notes.append(
            f"Steps last {schedule.step_days} days (not {inputs.interval_days}) so that the taper to zero takes at "
            f"least {inputs.duration.planned_min_days} days."
        )
    return tuple(notes)


def _judge_taper(inputs: _TaperInputs, schedule: _TaperSchedule, days_to_target: int) -> tuple[Finding, ...]:
    """Phase 4: the oral plan rules on the schedule (steps, duration, a held lowest dose), the clinician's
    overrides applied."""
    current, target, duration = inputs.from_mg_per_day, inputs.to_mg_per_day, inputs.duration
    nonzero = [lvl for lvl in schedule.levels_mg_per_day if lvl > 0]
    held = target == 0 and all(abs(lvl - current) < 1e-9 for lvl in nonzero)
    ctx = OralPlanContext(
        kind="taper",
        patient=inputs.patient,
        planned_daily_doses_mg=tuple(level for level, _ in schedule.merged),
        ceiling_mg_per_day=inputs.ceiling_mg_per_day,
        doses_per_day=len(inputs.times),
        dialysis_start_mg_per_day=inputs.dialysis_max_mg_per_day,
        ckd_crcl_ml_min=inputs.ckd_crcl_ml_min,
        step_interval_days=schedule.step_days,
        from_mg_per_day=current,
        to_mg_per_day=target,
        days_to_zero=days_to_target if target == 0 else None,
        required_days_to_zero=duration.required_days,
        sourced_min_days_to_zero=duration.sourced_days,
        block_on_clinic_limits=duration.block_on_clinic_limits,
        max_step_mg_per_day=inputs.step_limit_mg,
        largest_step_mg_per_day=max(schedule.reductions_mg_per_day),
        last_step_to_zero_mg_per_day=schedule.reductions_mg_per_day[-1] if target == 0 else None,
        months_on_therapy=inputs.months_on_therapy,
        long_term_months=duration.long_term_months,
        long_term_dose_mg_per_day=duration.long_term_dose_mg_per_day,
        held_lowest_dose=held,
        product_name=inputs.product.name,
        product_evidence=inputs.product.evidence,
        product_locales=inputs.product.locales,
    )
    return apply_overrides(evaluate_oral_rules(ctx), inputs.overrides)


def _taper_parameters(inputs: _TaperInputs, schedule: _TaperSchedule, days_to_target: int) -> dict[str, Any]:
    """Phase 5: the inputs and the values the plan was made with, for the plan's ``parameters``."""
    target, duration = inputs.to_mg_per_day, inputs.duration
    return {
        "start_date": inputs.start,
        "from_mg_per_day": inputs.from_mg_per_day,
        "to_mg_per_day": target,
        "months_on_therapy": inputs.months_on_therapy,
        "long_term_high_dose": duration.long_term,
        "long_term_assumed": duration.long_term_assumed,
        "max_step_mg": inputs.max_step_mg,
        "step_limit_mg": inputs.step_limit_mg,
        "largest_step_mg": max(schedule.reductions_mg_per_day),
        "step_interval_days": schedule.step_days,
        "min_days_to_zero": duration.planned_min_days if target == 0 else None,
        "required_days_to_zero": duration.required_days if target == 0 else None,
        "days_to_target": days_to_target,
        "doses_per_day": len(inputs.times),
        "dose_times": list(inputs.times),
        "locale": inputs.patient.locale,
        "kidney": inputs.patient.kidney.to_dict(),
        "dispensable_quantum_mg": inputs.quantum_mg,
    }


def _taper_levels(current: float, target: float, max_step: float, q: float) -> list[float]:
    """Daily doses of the steps after ``current``, ending at ``target``; each a multiple of ``q``.

    The k levels are ``target + ceil_q((current - target) * (k - i) / k)`` for i = 1..k, capped at the
    largest dispensable dose not above ``current``; k grows from the fewest steps the maximum allows
    (at least 2 to zero, so that stopping is never the first step) until no reduction exceeds it.
    """
    span = current - target
    top = floor_to_quantum(current, q)
    k = max(1, math.ceil(span / max_step - 1e-9))
    if target == 0:
        k = max(k, 2)
    limit = k + math.ceil(span / q) + 2
    while k <= limit:
        levels = [min(top, target + ceil_to_quantum(span * (k - i) / k, q)) for i in range(1, k + 1)]
        steps = [current - levels[0]] + [a - b for a, b in zip(levels, levels[1:], strict=False)]
        if max(steps) <= max_step + 1e-9:
            return levels
        k += 1
    raise InvalidInputError("max_step_mg", f"a step of at least {q:g} mg/day", max_step)  # pragma: no cover
