"""ITB screening trial: 50 -> 75 -> 100 mcg test boluses, each at least 24 h apart, and what comes next.

The label ladder is 50, 75 and 100 mcg of 50 mcg/mL (1, 1.5 and 2 mL), each at least 24 h after the
previous dose, observed 4-8 h ([S1] [S38]). Consensus allows a 25 mcg start for patients who rely on
their spasticity ([S41]); later doses then rise in 25 mcg steps up to 100 mcg ([S101]). The trial
ends at the first positive response (pump candidate) or after no response to 100 mcg (not a
candidate: no further dose is ever offered, [S38] [S3]).

>>> a = assess_screening([ScreeningDose(50, responded=False), ScreeningDose(75, responded=False)])
>>> a.next_dose_mcg, a.next_volume_ml, a.earliest_next_hours, a.candidate
(100.0, 2.0, 24.0, None)
>>> assess_screening(responses_to_doses([False, False, False])).candidate
False
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from baclofen.domain.cds.scales import ITB_SCREENING_ASHWORTH_REDUCTION, MAS_ONE_PLUS_POINTS, parse_ashworth
from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.rules.core import Finding, evaluate_rules, findings_to_dicts, sort_findings
from baclofen.domain.rules.itb.screening import SCREENING_RULES, ScreeningContext
from baclofen.domain.settings import SettingUse, SettingValues, settings_to_dicts

if TYPE_CHECKING:  # for the annotation only: _judge_screening imports the module where used, as before
    from baclofen.domain.cds.contraindications import ContraindicationScreen

__all__ = [
    "SCREENING_SETTINGS",
    "LOW_START_SCREENING_DOSE_MCG",
    "MIN_HOURS_BETWEEN_SCREENING_DOSES",
    "SCREENING_CONCENTRATION_MCG_PER_ML",
    "STANDARD_SCREENING_DOSES_MCG",
    "ScreeningAssessment",
    "ScreeningDose",
    "ashworth_points",
    "assess_screening",
    "responses_to_doses",
    "screening_ladder",
]

#: Screening solution: 50 mcg/mL (Lioresal 0.05 mg/1 mL ampule; Gablofen 50 mcg/mL) [S34] [S48].
SCREENING_CONCENTRATION_MCG_PER_ML = 50.0
#: Label ladder: 50, then 75, then 100 mcg if the response is inadequate [S1] [S38] [S3].
STANDARD_SCREENING_DOSES_MCG = (50.0, 75.0, 100.0)
#: Optional lower start for patients who rely on spasticity for mobility [S41]; 25 mcg increments [S101].
LOW_START_SCREENING_DOSE_MCG = 25.0
#: Minimum interval between screening doses, hours [S1] [S38] [S41].
MIN_HOURS_BETWEEN_SCREENING_DOSES = 24.0
#: Observation after each dose, hours [S1] [S38].
OBSERVATION_HOURS = (4.0, 8.0)
#: Frequent cardiopulmonary monitoring during the first hours after a test dose [S41].
CARDIOPULMONARY_MONITORING_HOURS = 2.0
#: Settings :func:`assess_screening` reads (a caller may override them by name). The responder threshold (a trial's
#: >= 1.0-point Ashworth reduction [S108]) has one home: the setting of :mod:`baclofen.domain.cds.scales`, which
#: ``scale evaluate --context itb-screening`` reads too.
SCREENING_SETTINGS = (ITB_SCREENING_ASHWORTH_REDUCTION, MAS_ONE_PLUS_POINTS)


def ashworth_points(grade: Any, field_name: str, settings: Mapping[str, Any] | None = None) -> float:
    """A Modified Ashworth grade (``0``-``4`` or ``1+``) as points, 1+ counted as the setting
    ``cds.scales.mas_one_plus_points`` (as ``scale evaluate`` counts it).

    >>> ashworth_points("1+", "ashworth_after")
    1.5
    """
    values = SettingValues(SCREENING_SETTINGS, settings, field="setting")
    return parse_ashworth(grade, field_name).points(float(values.get(MAS_ONE_PLUS_POINTS)))


#: Plausibility bound on a recorded duration of effect, hours (structural, not clinical).
MAX_EFFECT_DURATION_HOURS = 72.0


def screening_ladder(start_mcg: float = STANDARD_SCREENING_DOSES_MCG[0]) -> tuple[float, ...]:
    """The screening doses in order for a start of 50 mcg (label) or 25 mcg (consensus option).

    >>> screening_ladder(25)
    (25.0, 50.0, 75.0, 100.0)
    """
    if start_mcg == STANDARD_SCREENING_DOSES_MCG[0]:
        return STANDARD_SCREENING_DOSES_MCG
    if start_mcg == LOW_START_SCREENING_DOSE_MCG:
        return (LOW_START_SCREENING_DOSE_MCG, *STANDARD_SCREENING_DOSES_MCG)
    raise InvalidInputError("start_mcg", "50 (label) or 25 (lower start, S41)", start_mcg)


@dataclass(frozen=True, slots=True)
class ScreeningDose:
    """One screening bolus and the response recorded for it.

    Parameters
    ----------
    dose_mcg : float
        Bolus in mcg (must be the ladder's dose for its position).
    responded : bool
        The clinician's judgement of a positive response (the label definition is UNCONFIRMED).
    given_at : datetime, optional
        When it was given (used to check the 24 h interval and the earliest next dose).
    effect_duration_hours : float, optional
        How long the effect lasted, hours (sets the initial infusion dose).
    negative_reactions : bool
        Adverse reactions during the trial (the initial dose is then not doubled, [S40]).
    ashworth_before, ashworth_after : float, optional
        Ashworth score (0-4; 1+ as 1.5) before and after.
    spasm_frequency_before, spasm_frequency_after : int, optional
        Penn spasm frequency score (0-4) before and after ([S93]).
    """

    dose_mcg: float
    responded: bool
    given_at: datetime | None = None
    effect_duration_hours: float | None = None
    negative_reactions: bool = False
    ashworth_before: float | None = None
    ashworth_after: float | None = None
    spasm_frequency_before: int | None = None
    spasm_frequency_after: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "dose_mcg", require_finite_number(self.dose_mcg, "dose_mcg", strictly_positive=True))
        if not isinstance(self.responded, bool):
            raise InvalidInputError("responded", "true or false", self.responded)
        if not isinstance(self.negative_reactions, bool):
            raise InvalidInputError("negative_reactions", "true or false", self.negative_reactions)
        if self.given_at is not None and not isinstance(self.given_at, datetime):
            raise InvalidInputError("given_at", "a datetime", self.given_at)
        if self.effect_duration_hours is not None:
            object.__setattr__(
                self,
                "effect_duration_hours",
                require_finite_number(
                    self.effect_duration_hours,
                    "effect_duration_hours",
                    minimum=0.0,
                    maximum=MAX_EFFECT_DURATION_HOURS,
                ),
            )
        for name in ("ashworth_before", "ashworth_after"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, require_finite_number(value, name, minimum=0.0, maximum=4.0))
        for name in ("spasm_frequency_before", "spasm_frequency_after"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or value not in (0, 1, 2, 3, 4)):
                raise InvalidInputError(name, "a Penn spasm frequency score 0-4", value)

    @property
    def volume_ml(self) -> float:
        """Volume of 50 mcg/mL screening solution, mL."""
        return self.dose_mcg / SCREENING_CONCENTRATION_MCG_PER_ML

    @property
    def ashworth_reduction(self) -> float | None:
        if self.ashworth_before is None or self.ashworth_after is None:
            return None
        return self.ashworth_before - self.ashworth_after

    def to_dict(self) -> dict[str, Any]:
        return {
            "dose_mcg": self.dose_mcg,
            "volume_ml": self.volume_ml,
            "responded": self.responded,
            "given_at": self.given_at.isoformat() if self.given_at else None,
            "effect_duration_hours": self.effect_duration_hours,
            "negative_reactions": self.negative_reactions,
            "ashworth_before": self.ashworth_before,
            "ashworth_after": self.ashworth_after,
            "ashworth_reduction": self.ashworth_reduction,
            "spasm_frequency_before": self.spasm_frequency_before,
            "spasm_frequency_after": self.spasm_frequency_after,
        }


@dataclass(frozen=True, slots=True)
class ScreeningAssessment:
    """Where a screening trial stands: what was given, what (if anything) comes next, candidate or not.

    ``candidate`` is True after a positive response, False after no response to 100 mcg, None while the
    trial is undecided. ``next_dose_mcg`` is None when no further dose may be given.
    """

    start_mcg: float
    ladder_mcg: tuple[float, ...]
    doses: tuple[ScreeningDose, ...]
    next_dose_mcg: float | None
    next_volume_ml: float | None
    earliest_next_hours: float | None
    earliest_next_at: datetime | None
    candidate: bool | None
    effective_dose_mcg: float | None
    effect_duration_hours: float | None
    negative_reactions: bool
    findings: tuple[Finding, ...]
    #: Recognised patient conditions checked before the test (MS exacerbation, non-healing wound, infection ...).
    conditions: tuple[str, ...] = ()
    #: Condition texts not recognised: reported, NOT checked.
    unknown_conditions: tuple[str, ...] = ()
    settings: tuple[SettingUse, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "start_mcg": self.start_mcg,
            "ladder_mcg": list(self.ladder_mcg),
            "concentration_mcg_per_ml": SCREENING_CONCENTRATION_MCG_PER_ML,
            "doses_given": [d.to_dict() for d in self.doses],
            "next_dose_mcg": self.next_dose_mcg,
            "next_volume_ml": self.next_volume_ml,
            "earliest_next_hours": self.earliest_next_hours,
            "earliest_next_at": self.earliest_next_at.isoformat() if self.earliest_next_at else None,
            "observation_hours": list(OBSERVATION_HOURS),
            "candidate": self.candidate,
            "effective_dose_mcg": self.effective_dose_mcg,
            "effect_duration_hours": self.effect_duration_hours,
            "negative_reactions": self.negative_reactions,
            "conditions": list(self.conditions),
            "unknown_conditions": [
                {"query": q, "message": f"'{q}' is not a recognised condition: it was NOT checked"}
                for q in self.unknown_conditions
            ],
            "findings": findings_to_dicts(self.findings),
            "offerable": not any(f.is_blocking for f in self.findings),
            "settings": settings_to_dicts(self.settings),
        }


def responses_to_doses(responses: Sequence[bool], start_mcg: float = 50.0) -> tuple[ScreeningDose, ...]:
    """Screening doses implied by yes/no responses in ladder order (too many responses are refused).

    >>> [d.dose_mcg for d in responses_to_doses([False, True])]
    [50.0, 75.0]
    """
    ladder = screening_ladder(start_mcg)
    if len(responses) > len(ladder):
        raise InvalidInputError(
            "responses",
            f"at most {len(ladder)} responses: no screening dose after {ladder[-1]:g} mcg",
            len(responses),
        )
    return tuple(ScreeningDose(dose, bool(r)) for dose, r in zip(ladder, responses, strict=False))


def _hours(delta: timedelta) -> float:
    return delta / timedelta(hours=1)


def assess_screening(
    doses: Sequence[ScreeningDose],
    *,
    start_mcg: float = 50.0,
    as_of: datetime | None = None,
    hours_since_last_dose: float | None = None,
    conditions: Iterable[str] = (),
    settings: Mapping[str, Any] | None = None,
) -> ScreeningAssessment:
    """Assess a screening trial and propose the next dose, if any.

    ``conditions`` (patient condition texts): no screening test during an MS exacerbation, an active infection
    (UTI) or with non-healing wounds [S41] - the contraindication rules CI-ITB-MSEXAC-001, CI-ITB-INFECTION-001
    and CI-ITB-WOUND-001 block the trial; unrecognised texts are reported, not ignored.

    Parameters
    ----------
    doses : sequence of ScreeningDose
        Doses given so far, in order; each must be the ladder's dose for its position, and none may
        follow a positive response or the last rung.
    start_mcg : float
        50 (label) or 25 (lower start for patients who rely on their spasticity, [S41]).
    as_of : datetime, optional
        Now, for the earliest time of the next dose (the domain never reads the clock). Needs ``given_at``
        on the last dose.
    hours_since_last_dose : float, optional
        Alternative to ``as_of``: hours since the last dose.
    settings : mapping, optional
        Overrides of :data:`SCREENING_SETTINGS` by name (the Ashworth responder threshold of ITB-SCREEN-006).

    Returns
    -------
    ScreeningAssessment

    Raises
    ------
    InvalidInputError
        A dose off the ladder, a dose after the trial ended, times out of order.

    Examples
    --------
    >>> a = assess_screening([ScreeningDose(50, False)], hours_since_last_dose=20)
    >>> a.next_dose_mcg, a.earliest_next_hours
    (75.0, 4.0)
    >>> assess_screening([]).next_dose_mcg
    50.0
    """
    values = SettingValues(SCREENING_SETTINGS, settings, field="setting")
    ladder = screening_ladder(start_mcg)
    given = _check_screening_doses(doses, ladder)
    intervals = _dose_intervals(given)
    if hours_since_last_dose is not None:
        hours_since_last_dose = require_finite_number(hours_since_last_dose, "hours_since_last_dose", minimum=0.0)
    step = _next_screening_step(given, ladder, as_of=as_of, hours_since_last_dose=hours_since_last_dose)
    ctx = _screening_context(given, ladder, intervals, step, values)
    findings, patient = _judge_screening(ctx, given, step, conditions)
    return ScreeningAssessment(
        start_mcg=ladder[0],
        ladder_mcg=ladder,
        doses=given,
        next_dose_mcg=step.next_dose_mcg,
        next_volume_ml=ctx.next_volume_ml,
        earliest_next_hours=step.earliest_next_hours,
        earliest_next_at=step.earliest_next_at,
        candidate=step.candidate,
        effective_dose_mcg=step.effective_dose_mcg,
        effect_duration_hours=ctx.effect_duration_hours,
        negative_reactions=any(d.negative_reactions for d in given),
        findings=findings,
        conditions=tuple(c.value for c in patient.conditions),
        unknown_conditions=patient.unknown_conditions,
        settings=values.used(),
    )


# --- the phases of assess_screening ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _NextScreeningStep:
    """Where the trial stands after the doses given: candidate or not, and the next dose and when."""

    candidate: bool | None
    next_dose_mcg: float | None
    earliest_next_hours: float | None
    earliest_next_at: datetime | None
    effective_dose_mcg: float | None


def _check_screening_doses(doses: Sequence[ScreeningDose], ladder: tuple[float, ...]) -> tuple[ScreeningDose, ...]:
    """Phase 1: each dose the ladder's dose for its position, none after a positive response or the last rung
    (raises InvalidInputError)."""
    given = tuple(doses)
    for i, dose in enumerate(given):
        if not isinstance(dose, ScreeningDose):
            raise InvalidInputError(f"doses[{i}]", "a ScreeningDose", dose)
        if i >= len(ladder):
            raise InvalidInputError(
                "responses",
                f"at most {len(ladder)} doses: no screening dose after {ladder[-1]:g} mcg",
                len(given),
            )
        if i > 0 and given[i - 1].responded:
            raise InvalidInputError("responses", "no further screening dose after a positive response", len(given))
        if dose.dose_mcg != ladder[i]:
            raise InvalidInputError(
                f"doses[{i}].dose_mcg", f"{ladder[i]:g} mcg (step {i + 1} of the ladder)", dose.dose_mcg
            )
    return given


def _dose_intervals(doses: tuple[ScreeningDose, ...]) -> tuple[float | None, ...]:
    """Phase 2: hours between each dose and the one before (None for the first, or a time not given); the times
    in order and all with or all without a timezone (raises InvalidInputError)."""
    intervals: list[float | None] = [None]
    for i in range(1, len(doses)):
        prev, cur = doses[i - 1].given_at, doses[i].given_at
        if prev is None or cur is None:
            intervals.append(None)
            continue
        try:
            gap = _hours(cur - prev)
        except TypeError:
            raise InvalidInputError(f"doses[{i}].given_at", "times all with or all without a timezone", cur) from None
        if gap <= 0:
            raise InvalidInputError(f"doses[{i}].given_at", "a time after the previous dose", cur.isoformat())
        intervals.append(gap)
    return tuple(intervals) if doses else ()


def _next_screening_step(
    doses: tuple[ScreeningDose, ...],
    ladder: tuple[float, ...],
    *,
    as_of: datetime | None,
    hours_since_last_dose: float | None,
) -> _NextScreeningStep:
    """Phase 3: a candidate after a positive response, not one after no response to the last rung, else the next
    rung and the earliest time for it (``as_of`` must be after the last dose: raises InvalidInputError)."""
    last = doses[-1] if doses else None
    candidate: bool | None = None
    next_dose: float | None = None
    if last is not None and last.responded:
        candidate = True
    elif len(doses) == len(ladder):
        candidate = False
    else:
        next_dose = ladder[len(doses)]

    earliest_hours: float | None = None
    earliest_at: datetime | None = None
    if next_dose is not None:
        if last is None:
            earliest_hours = 0.0
        else:
            since = hours_since_last_dose
            if as_of is not None and last.given_at is not None:
                try:
                    since = _hours(as_of - last.given_at)
                except TypeError:
                    raise InvalidInputError("as_of", "a time with the same timezone form as the doses", as_of) from None
                if since < 0:
                    raise InvalidInputError("as_of", "a time after the last dose", as_of.isoformat())
            earliest_hours = (
                MIN_HOURS_BETWEEN_SCREENING_DOSES
                if since is None
                else max(0.0, MIN_HOURS_BETWEEN_SCREENING_DOSES - since)
            )
            if last.given_at is not None:
                earliest_at = last.given_at + timedelta(hours=MIN_HOURS_BETWEEN_SCREENING_DOSES)
    effective = last.dose_mcg if candidate and last is not None else None
    return _NextScreeningStep(candidate, next_dose, earliest_hours, earliest_at, effective)


def _screening_context(
    doses: tuple[ScreeningDose, ...],
    ladder: tuple[float, ...],
    intervals: tuple[float | None, ...],
    step: _NextScreeningStep,
    values: SettingValues,
) -> ScreeningContext:
    """Phase 4: what the screening rules judge (the Ashworth responder threshold read from the settings)."""
    next_dose, last = step.next_dose_mcg, doses[-1] if doses else None
    ctx = ScreeningContext(
        start_mcg=ladder[0],
        standard_start_mcg=STANDARD_SCREENING_DOSES_MCG[0],
        ladder_mcg=ladder,
        doses_mcg=tuple(d.dose_mcg for d in doses),
        responses=tuple(d.responded for d in doses),
        intervals_h=intervals,
        ashworth_reductions=tuple(d.ashworth_reduction for d in doses),
        next_dose_mcg=next_dose,
        next_volume_ml=None if next_dose is None else next_dose / SCREENING_CONCENTRATION_MCG_PER_ML,
        earliest_next_hours=step.earliest_next_hours,
        candidate=step.candidate,
        effective_dose_mcg=step.effective_dose_mcg,
        effect_duration_hours=last.effect_duration_hours if step.candidate and last else None,
        concentration_mcg_per_ml=SCREENING_CONCENTRATION_MCG_PER_ML,
        min_interval_h=MIN_HOURS_BETWEEN_SCREENING_DOSES,
        observation_h=OBSERVATION_HOURS,
        monitoring_h=CARDIOPULMONARY_MONITORING_HOURS,
        ashworth_responder_points=float(values.get(ITB_SCREENING_ASHWORTH_REDUCTION)),
    )
    if any(d.ashworth_reduction is not None for d in doses):
        values.get(MAS_ONE_PLUS_POINTS)
    return ctx


def _judge_screening(
    ctx: ScreeningContext, doses: tuple[ScreeningDose, ...], step: _NextScreeningStep, conditions: Iterable[str]
) -> tuple[tuple[Finding, ...], ContraindicationScreen]:
    """Phase 5: the screening rules (ITB-SCREEN-*), the patient's conditions that block a trial, and each dose
    against the ladder (ITB-LIMIT-004), most severe first; with the screened conditions."""
    from baclofen.domain.itb.limits import check_screening_dose  # limits reads this module's ladder

    findings = evaluate_rules(SCREENING_RULES, ctx)
    from baclofen.domain.cds.contraindications import ITB_SCREENING_CONDITION_RULE_IDS, screen_contraindications

    patient = screen_contraindications("baclofen-intrathecal", conditions)
    findings += tuple(f for f in patient.findings if f.rule_id in ITB_SCREENING_CONDITION_RULE_IDS)
    next_dose = step.next_dose_mcg
    for given in [d.dose_mcg for d in doses] + ([] if next_dose is None else [next_dose]):
        findings += check_screening_dose(given)  # the ladder is enforced above: a safety net, never expected
    return sort_findings(findings), patient
