"""Oral -> intrathecal transition: an oral baclofen taper alongside intrathecal titration.

Consensus ([S40]): once intrathecal infusion has started, wean oral antispastics one drug at a time,
starting with oral baclofen; oral baclofen may be decreased by 25-50 % at one time, with assessment
within 24 h, and it is kept available during titration for intrathecal withdrawal. The oral taper is
planned by the oral taper planner (:func:`baclofen.domain.oral.taper.plan_taper`) with all its own rules
(never abrupt; at least 14 days to zero by default; no step larger than ``taper.max_step_mg_per_day``).

"25-50 % at one time" is read as a share of the dose being cut, at every step: a step is at most the
configured share of the starting oral dose *and* at most the oral taper's own largest step (10 mg/day by
default), so the final stop comes from a low dose (never 60 -> 30 -> 0, which would stop 30 mg/day at
once while the intrathecal dose is still being titrated), and with the default 50 % every cut before the
stop is at most half of the dose it cuts (ITB-TRANS-003 warns where a smaller configured share cannot be
kept). Alongside it, the intrathecal side shows the initial dose, no increase in the first 24 h, and the
fastest the label titration could reach a target.

>>> from datetime import date
>>> t = plan_oral_to_itb_transition(infusion_start=date(2026, 5, 4), oral_mg_per_day=60,
...                                 itb_initial_mcg_per_day=100, origin="spinal")
>>> [s.daily_dose_mg for s in t.oral_taper.steps]
[50.0, 40.0, 30.0, 20.0, 10.0, 0.0]
>>> t.oral_taper.start.isoformat(), t.oral_taper.steps[-1].start.isoformat()
('2026-05-05', '2026-06-04')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from baclofen.domain.cds.comedication import ComedicationScreen, screen_plan_medicines
from baclofen.domain.cds.drugs import DrugClass
from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.itb.dosing import (
    DAILY_DOSE_CONFIRMATION_THRESHOLD,
    EXCESSIVE_INCREASE_PERCENT_AT_HIGH_DOSE,
    HIGH_DOSE_THRESHOLD,
    HIGHEST_REPORTED_DAILY_DOSE,
    NO_INCREASE_HOURS,
    TITRATION_INCREASE_PERCENT,
    check_daily_dose,
    parse_origin,
)
from baclofen.domain.itb.limits import daily_dose_ceiling
from baclofen.domain.names import parse_name_list
from baclofen.domain.oral.limits import TAPER_MAX_STEP_MG_PER_DAY
from baclofen.domain.oral.plan import Plan
from baclofen.domain.oral.taper import plan_taper
from baclofen.domain.patient import PatientSnapshot, SpasticityOrigin
from baclofen.domain.products import OralProduct
from baclofen.domain.rules.core import Finding, Override, evaluate_rules, findings_to_dicts, sort_findings
from baclofen.domain.rules.itb.ceiling import TRANS_CEILING, RangeCeilingContext
from baclofen.domain.rules.itb.transition import TRANSITION_RULES, TransitionContext
from baclofen.domain.settings import EvidenceStatus, Setting, SettingUse, settings_to_dicts

__all__ = [
    "MAX_ORAL_CUT_PERCENT",
    "ORAL_TAPER_DELAY_DAYS",
    "TitrationDay",
    "TransitionPlan",
    "plan_oral_to_itb_transition",
]

MAX_ORAL_CUT_PERCENT = Setting(
    name="itb.transition.max_oral_cut_percent",
    default=50.0,
    unit="% of the starting oral daily dose",
    status=EvidenceStatus.CONFIRMED,
    evidence=("S40",),
    description=(
        "Largest cut of oral baclofen at one time while intrathecal titration runs: consensus allows 25-50 % "
        "at one time with assessment within 24 h (S40). Default the upper end, 50 %; smaller cuts are "
        "allowed."
    ),
    minimum=5.0,
    maximum=50.0,
)

ORAL_TAPER_DELAY_DAYS = Setting(
    name="itb.transition.oral_taper_delay_days",
    default=1,
    unit="day",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S40", "S2"),
    description=(
        "Days from the start of intrathecal infusion to the first oral cut. Consensus tapers oral baclofen "
        "after intrathecal therapy starts (S40) without a number; 1 day lets the first 24 h of infusion, in "
        "which the intrathecal dose is not changed (S2), pass first. An assumption."
    ),
    minimum=0,
    maximum=30,
)

#: How many days the intrathecal titration envelope shows at most.
MAX_ENVELOPE_DAYS = 60


@dataclass(frozen=True, slots=True)
class TitrationDay:
    """The intrathecal side on one day: the oral dose that day and the largest intrathecal dose reachable."""

    day: date
    oral_mg_per_day: float | None
    itb_max_mcg_per_day: float
    itb_cautious_max_mcg_per_day: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "oral_mg_per_day": self.oral_mg_per_day,
            "itb_max_mcg_per_day": self.itb_max_mcg_per_day,
            "itb_cautious_max_mcg_per_day": self.itb_cautious_max_mcg_per_day,
        }


@dataclass(frozen=True, slots=True)
class TransitionPlan:
    """The oral taper plan, the intrathecal titration envelope alongside it, findings and reasoning."""

    infusion_start: date
    origin: SpasticityOrigin
    itb_initial_mcg_per_day: float
    itb_target_mcg_per_day: float | None
    max_oral_cut_percent: float
    oral_taper: Plan
    days: tuple[TitrationDay, ...]
    days_to_target_at_max_step: int | None
    reasoning: tuple[str, ...]
    findings: tuple[Finding, ...]
    #: The other medicines as screened with baclofen and with each other (None when none were given).
    medicines: ComedicationScreen | None = None

    @property
    def offerable(self) -> bool:
        return not any(f.is_blocking for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "infusion_start": self.infusion_start.isoformat(),
            "origin": self.origin.value,
            "itb_initial_mcg_per_day": self.itb_initial_mcg_per_day,
            "itb_first_increase_after_hours": NO_INCREASE_HOURS,
            "itb_target_mcg_per_day": self.itb_target_mcg_per_day,
            "days_to_target_at_max_step": self.days_to_target_at_max_step,
            "max_oral_cut_percent": self.max_oral_cut_percent,
            "oral_taper": self.oral_taper.to_dict(),
            "days": [d.to_dict() for d in self.days],
            "offerable": self.offerable,
            "settings": settings_to_dicts([SettingUse(MAX_ORAL_CUT_PERCENT, self.max_oral_cut_percent)]),
            "reasoning": list(self.reasoning),
            "findings": findings_to_dicts(self.findings),
            **({"medicines": self.medicines.to_dict()} if self.medicines is not None else {}),
        }


def _oral_dose_on(plan: Plan, day: date) -> float | None:
    for step in plan.steps:
        if step.start <= day <= step.end or (step.continues and day >= step.start):
            return step.daily_dose_mg
    return None


def plan_oral_to_itb_transition(
    *,
    infusion_start: date,
    oral_mg_per_day: float,
    itb_initial_mcg_per_day: float,
    origin: SpasticityOrigin | str,
    itb_target_mcg_per_day: float | None = None,
    max_oral_cut_percent: float | None = None,
    oral_taper_delay_days: int | None = None,
    months_on_therapy: float | None = None,
    patient: PatientSnapshot | None = None,
    product: OralProduct | None = None,
    other_oral_antispastics: Sequence[str] = (),
    overrides: Iterable[Override] = (),
) -> TransitionPlan:
    """Plan the oral baclofen taper alongside intrathecal titration.

    Parameters
    ----------
    infusion_start : date
        Day intrathecal infusion starts (implant).
    oral_mg_per_day : float
        Current oral baclofen, mg/day.
    itb_initial_mcg_per_day : float
        Initial intrathecal daily dose, mcg/day (see
        :func:`~baclofen.domain.itb.dosing.compute_initial_daily_dose`).
    origin : SpasticityOrigin or str
        ``spinal`` (MS) or ``cerebral``: sets the titration step.
    itb_target_mcg_per_day : float, optional
        An expected maintenance dose, for the fastest time the label steps could reach it.
    max_oral_cut_percent : float, optional
        Largest oral cut at one time, percent of the starting oral dose (setting, 50 %, [S40]).
    oral_taper_delay_days : int, optional
        Days from infusion start to the first oral cut (setting, 1 day).
    months_on_therapy, patient, product, overrides
        Passed to the oral taper planner (longer taper after long high-dose use; locale; dispensed product).
    other_oral_antispastics : sequence of str
        Other oral antispastics the patient takes (tizanidine ...): weaned afterwards, one at a time.

    Raises
    ------
    InvalidInputError
        Bad input, or an oral dose whose allowed cut the product cannot give (field ``max_oral_cut_percent``).
    """
    inputs = _check_transition_inputs(
        infusion_start=infusion_start,
        oral_mg_per_day=oral_mg_per_day,
        itb_initial_mcg_per_day=itb_initial_mcg_per_day,
        origin=origin,
        itb_target_mcg_per_day=itb_target_mcg_per_day,
        max_oral_cut_percent=max_oral_cut_percent,
        oral_taper_delay_days=oral_taper_delay_days,
        other_oral_antispastics=other_oral_antispastics,
    )
    oral_side = _plan_oral_side(
        inputs, months_on_therapy=months_on_therapy, patient=patient, product=product, overrides=overrides
    )
    envelope = _titration_envelope(inputs, oral_side)
    reasoning = _explain_transition(inputs, oral_side, envelope)
    medicines = _screen_other_medicines(inputs.others)
    if medicines.note is not None:
        reasoning.append(medicines.note)
    return TransitionPlan(
        inputs.infusion_start,
        inputs.origin,
        inputs.initial_mcg_per_day,
        inputs.target_mcg_per_day,
        inputs.cut_percent,
        oral_side.taper,
        envelope.days,
        envelope.reached_day,
        tuple(reasoning),
        _judge_transition(inputs, oral_side, envelope, medicines),
        medicines.screen,
    )


# --- the phases of plan_oral_to_itb_transition ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _TransitionInputs:
    """The transition's own options, checked, and its two settings resolved (the oral taper checks its own)."""

    infusion_start: date
    origin: SpasticityOrigin
    oral_mg_per_day: float
    initial_mcg_per_day: float
    target_mcg_per_day: float | None
    cut_percent: float  # the largest oral cut at one time, percent of the starting oral dose
    delay_days: int  # from infusion start to the first oral cut
    others: tuple[str, ...]  # other oral antispastics (as given)


@dataclass(frozen=True, slots=True)
class _OralSide:
    """The oral taper alongside the infusion, with its step limit and the cuts it makes."""

    oral_start: date
    oral_taper_step_mg: float  # the oral taper's own step setting
    max_step_mg: float  # the step the taper is planned with
    taper: Plan
    largest_cut_percent: float  # of the starting oral dose
    stop_from_mg_per_day: float | None  # the dose the stop comes from (a taper to zero)
    cuts_of_current: tuple[tuple[float, float, float], ...]  # (from, to, percent of from), stop left out


@dataclass(frozen=True, slots=True)
class _Envelope:
    """The intrathecal envelope: day by day, the largest dose reachable at the largest (and the cautious) step."""

    step_percent: tuple[float, float]
    ceiling_mcg_per_day: float
    days: tuple[TitrationDay, ...]
    unclamped_mcg_per_day: float  # the largest step's dose on the last day, before the cut at the ceiling
    fastest_mcg_per_day: float  # the same, cut at the ceiling
    ceiling_on: date | None  # the day the envelope reaches the ceiling
    reached_day: int | None  # the first day the target is reachable


@dataclass(frozen=True, slots=True)
class _OtherMedicines:
    """The other medicines screened with baclofen and each other, those weaned, and a note on those not weaned."""

    screen: ComedicationScreen | None
    wean: tuple[str, ...]
    note: str | None


def _check_transition_inputs(
    *,
    infusion_start: date,
    oral_mg_per_day: float,
    itb_initial_mcg_per_day: float,
    origin: SpasticityOrigin | str,
    itb_target_mcg_per_day: float | None,
    max_oral_cut_percent: float | None,
    oral_taper_delay_days: int | None,
    other_oral_antispastics: Sequence[str],
) -> _TransitionInputs:
    """Phase 1: check the transition's options and resolve its settings (raises InvalidInputError, in this order)."""
    if not isinstance(infusion_start, date) or isinstance(infusion_start, datetime):
        raise InvalidInputError("infusion_start", "a date (YYYY-MM-DD)", infusion_start)
    parsed_origin = parse_origin(origin)
    oral = require_finite_number(oral_mg_per_day, "oral_mg_per_day", strictly_positive=True, maximum=300.0)
    initial = require_finite_number(
        itb_initial_mcg_per_day, "itb_initial_mcg_per_day", strictly_positive=True, maximum=10_000.0
    )
    target = (
        None
        if itb_target_mcg_per_day is None
        else require_finite_number(
            itb_target_mcg_per_day, "itb_target_mcg_per_day", strictly_positive=True, maximum=10_000.0
        )
    )
    cut = float(
        MAX_ORAL_CUT_PERCENT.validate(
            MAX_ORAL_CUT_PERCENT.default if max_oral_cut_percent is None else max_oral_cut_percent
        )
    )
    delay = ORAL_TAPER_DELAY_DAYS.validate(
        ORAL_TAPER_DELAY_DAYS.default if oral_taper_delay_days is None else oral_taper_delay_days
    )
    if isinstance(delay, float) and not delay.is_integer():
        raise InvalidInputError("oral_taper_delay_days", "a whole number of days", delay)
    others = parse_name_list(other_oral_antispastics, "other_oral_antispastics")
    return _TransitionInputs(infusion_start, parsed_origin, oral, initial, target, cut, int(delay), others)


def _plan_oral_side(
    inputs: _TransitionInputs,
    *,
    months_on_therapy: float | None,
    patient: PatientSnapshot | None,
    product: OralProduct | None,
    overrides: Iterable[Override],
) -> _OralSide:
    """Phase 2: the oral taper from the day after infusion starts, each cut within the allowed share of the starting
    dose; a cut the product cannot give is refused on ``max_oral_cut_percent``."""
    oral, cut = inputs.oral_mg_per_day, inputs.cut_percent
    oral_start = inputs.infusion_start + timedelta(days=inputs.delay_days)
    oral_taper_step = float(TAPER_MAX_STEP_MG_PER_DAY.default)
    max_step = min(oral * cut / 100.0, oral_taper_step)
    try:
        taper = plan_taper(
            start_date=oral_start,
            from_mg_per_day=oral,
            patient=patient,
            product=product,
            months_on_therapy=months_on_therapy,
            max_step_mg=max_step,
            overrides=overrides,
        )
    except InvalidInputError as exc:
        if exc.field != "max_step_mg":
            raise
        raise InvalidInputError(
            "max_oral_cut_percent",
            f"a cut the oral product can give: {exc.expected}; consider an oral solution for finer steps",
            cut,
        ) from None
    largest_cut = float(taper.parameters["largest_step_mg"]) / oral * 100.0
    levels = [oral] + [s.daily_dose_mg for s in taper.steps]
    stop_from = levels[-2] if len(levels) >= 2 and levels[-1] == 0 else None
    cuts_of_current = [(a, b, (a - b) / a * 100.0) for a, b in zip(levels, levels[1:], strict=False) if a > 0 and b > 0]
    return _OralSide(oral_start, oral_taper_step, max_step, taper, largest_cut, stop_from, tuple(cuts_of_current))


def _titration_envelope(inputs: _TransitionInputs, oral_side: _OralSide) -> _Envelope:
    """Phase 3: day by day from infusion start, the oral dose and the largest intrathecal dose reachable (every
    increase at the largest step, and at the cautious step above the high dose), cut at the ceiling and the
    target, until the oral taper ends and the cautious dose reaches the target."""
    initial, target, infusion_start = inputs.initial_mcg_per_day, inputs.target_mcg_per_day, inputs.infusion_start
    step_lo, step_hi = TITRATION_INCREASE_PERCENT[inputs.origin]
    high_dose = float(HIGH_DOSE_THRESHOLD.default)
    taper = oral_side.taper
    horizon = max((taper.steps[-1].start - infusion_start).days + 1, 2)
    days: list[TitrationDay] = []
    # The envelope never shows more than a dose the plan could offer: the confirmation threshold (1000
    # mcg/day; a transition confirms no high dose), and never more than the highest reported dose.
    ceiling = max(daily_dose_ceiling(confirmed=False), min(initial, float(HIGHEST_REPORTED_DAILY_DOSE.default)))
    fastest = cautious = min(initial, ceiling)
    unclamped = initial
    ceiling_on: date | None = None
    reached: int | None = 0 if target is not None and initial >= target else None
    i = 0
    while i < MAX_ENVELOPE_DAYS:
        day = infusion_start + timedelta(days=i)
        if i >= 1:
            unclamped = unclamped * (1 + step_hi / 100.0)
            fastest = fastest * (1 + step_hi / 100.0)
            cautious_pct = step_hi if cautious < high_dose else min(step_hi, EXCESSIVE_INCREASE_PERCENT_AT_HIGH_DOSE)
            cautious = cautious * (1 + cautious_pct / 100.0)
            if target is not None:
                fastest, cautious = min(fastest, target), min(cautious, target)
                if reached is None and fastest >= target:
                    reached = i
            if fastest > ceiling and ceiling_on is None:
                ceiling_on = day
            fastest, cautious = min(fastest, ceiling), min(cautious, ceiling)
        oral_that_day = _oral_dose_on(taper, day) if day >= oral_side.oral_start else inputs.oral_mg_per_day
        days.append(TitrationDay(day, oral_that_day, fastest, cautious))
        i += 1
        if i >= horizon and (target is None or cautious >= min(target, ceiling)):
            break
    return _Envelope((step_lo, step_hi), ceiling, tuple(days), unclamped, fastest, ceiling_on, reached)


def _explain_transition(inputs: _TransitionInputs, oral_side: _OralSide, envelope: _Envelope) -> list[str]:
    """Phase 4: the oral taper's limits, the intrathecal steps, the target and the ceiling, line by line."""
    oral, cut, target = inputs.oral_mg_per_day, inputs.cut_percent, inputs.target_mcg_per_day
    stop_from, (step_lo, step_hi) = oral_side.stop_from_mg_per_day, envelope.step_percent
    reasoning = [
        f"intrathecal infusion starts {inputs.infusion_start.isoformat()} at {inputs.initial_mcg_per_day:g} mcg/day; "
        f"no increase in the first {NO_INCREASE_HOURS:g} h (S2, S3)",
        f"oral baclofen {oral:g} mg/day tapered from {oral_side.oral_start.isoformat()} (after intrathecal infusion "
        f"started, S40): each cut at most -{cut:g} % of {oral:g} mg/day = {oral * cut / 100:g} mg/day and at "
        f"most the oral taper's own step of {oral_side.oral_taper_step_mg:g} mg/day (setting "
        f"{TAPER_MAX_STEP_MG_PER_DAY.name}), so the steps are at most {oral_side.max_step_mg:g} mg/day"
        + (f" and the stop comes from {stop_from:g} mg/day" if stop_from is not None else "")
        + "; each step assessed within 24 h (S40)",
        f"{inputs.origin.value} origin: intrathecal increases of +{step_lo:g} to +{step_hi:g} % once every 24 h "
        "(S2, S3, S40); "
        "the table shows the largest dose each day could reach if every increase used the largest step (an "
        "upper bound, not a plan)",
    ]
    if target is not None:
        reached = envelope.reached_day
        reasoning.append(
            f"target {target:g} mcg/day: reachable at the earliest on day {reached} at the largest step"
            if reached is not None
            else f"target {target:g} mcg/day: not reached within {MAX_ENVELOPE_DAYS} days at the largest step"
        )
    if envelope.ceiling_on is not None:
        reasoning.append(
            f"the envelope is cut at {envelope.ceiling_mcg_per_day:g} mcg/day from {envelope.ceiling_on.isoformat()}: "
            f"above {float(DAILY_DOSE_CONFIRMATION_THRESHOLD.default):g} mcg/day a dose needs explicit confirmation, "
            f"and {float(HIGHEST_REPORTED_DAILY_DOSE.default):g} mcg/day is the highest reported (ITB-TRANS-004)"
        )
    return reasoning


def _screen_other_medicines(others: tuple[str, ...]) -> _OtherMedicines:
    """Phase 5: every other medicine screened with baclofen and with each other (tizanidine with ciprofloxacin is
    an absolute block); a recognised medicine that is not an antispastic is screened but not weaned."""
    screen = screen_plan_medicines(others) if others else None
    not_antispastic = (
        {m.query for m in screen.lookup.found if not m.drug.has_class(DrugClass.ANTISPASTIC)} if screen else set()
    )
    note = None
    if not_antispastic:
        note = "not antispastics in the drug catalogue, screened for interactions but not part of the weaning: " + (
            ", ".join(n for n in others if n in not_antispastic)
        )
    return _OtherMedicines(screen, tuple(n for n in others if n not in not_antispastic), note)


def _judge_transition(
    inputs: _TransitionInputs, oral_side: _OralSide, envelope: _Envelope, medicines: _OtherMedicines
) -> tuple[Finding, ...]:
    """Phase 6: the transition rules (ITB-TRANS-*), the oral taper's findings, the other medicines', the envelope's
    cut (ITB-TRANS-004) and the dose levels of the initial and target doses, most severe first."""
    ctx = TransitionContext(
        inputs.oral_mg_per_day,
        oral_side.largest_cut_percent,
        inputs.cut_percent,
        medicines.wean,
        oral_side.cuts_of_current,
        oral_side.stop_from_mg_per_day,
    )
    findings = list(evaluate_rules(TRANSITION_RULES, ctx)) + list(oral_side.taper.findings)
    findings += medicines.screen.findings if medicines.screen else ()
    if envelope.ceiling_on is not None:
        findings += TRANS_CEILING.evaluate(
            RangeCeilingContext(
                label="the intrathecal envelope",
                unclamped_max_mcg_per_day=max(envelope.unclamped_mcg_per_day, envelope.fastest_mcg_per_day),
                ceiling_mcg_per_day=envelope.ceiling_mcg_per_day,
                confirmed=False,
                confirmation_threshold_mcg_per_day=float(DAILY_DOSE_CONFIRMATION_THRESHOLD.default),
                highest_reported_mcg_per_day=float(HIGHEST_REPORTED_DAILY_DOSE.default),
                reached_on=envelope.ceiling_on.isoformat(),
            )
        )
    # the initial dose: plausible (ITB-LIMIT-001), and a dose being started, so above 1000 needs confirmation
    initial, target = inputs.initial_mcg_per_day, inputs.target_mcg_per_day
    findings += check_daily_dose(initial, label="initial intrathecal dose", require_confirmation=True)
    if target is not None:
        findings += check_daily_dose(target, label="target dose", origin=inputs.origin)
    return sort_findings(findings)
