"""Typed requests of the use cases: what each service is asked to do, in domain types only.

A command holds dates, date-times, clock times, numbers in named units, programs and domain enums, never
the text they were typed as: text is read at the edge (:mod:`baclofen.adapters.edge`), which builds these
values and reports every invalid field at once. Each command checks the types of its date and program
fields (a text where a date is meant is refused, naming the field), so that a caller who builds one
directly (a REST API, a test) gets the same one-field errors; the clinical and plausibility checks stay in
the domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from baclofen.domain.cds.alternatives import BaclofenOutcome
from baclofen.domain.cds.orders import MedicationOrder
from baclofen.domain.cds.scales import AshworthGrade, NrsScore, PennSpasmScore, ResponseContext, Scale, ScaleValue
from baclofen.domain.cds.timeline import PatientTimeline, Symptom
from baclofen.domain.clinic.patient_file import PatientFile
from baclofen.domain.dates import optional, require_date, require_datetime, require_moment
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.programs import InfusionProgram
from baclofen.domain.itb.screening import ScreeningDose
from baclofen.domain.oral.limits import LABEL_DOSES_PER_DAY, LABEL_START_DOSE_MG, LABEL_STEP_DOSE_MG
from baclofen.domain.oral.plan import Plan
from baclofen.domain.patient import Locale, PatientSnapshot, Sex, SpasticityOrigin
from baclofen.domain.pk.parameters import OralModel
from baclofen.domain.records import check_record_id
from baclofen.domain.rules.core import Override


def _program_or_none(value: Any, field_name: str) -> None:
    if value is not None and not isinstance(value, InfusionProgram):
        raise InvalidInputError(field_name, "a flex program (its text is read at the edge, adapters.edge)", value)


def _pairs(value: Any, field_name: str) -> tuple[tuple[float, float], ...]:
    if isinstance(value, str):
        raise InvalidInputError(field_name, "(expected, aspirated) mL pairs (text is read at the edge)", value)
    return tuple((e, a) for e, a in value)


# --- pumps ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PlanPumpProgram:
    """A simple continuous program for ``daily_dose_mcg``, or a ``flex`` program (with both: the same total)."""

    pump: str
    concentration_mcg_per_ml: float
    daily_dose_mcg: float | None = None
    flex: InfusionProgram | None = None
    confirm_high_dose: bool = False
    other_drugs_in_pump: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _program_or_none(self.flex, "flex")


@dataclass(frozen=True, slots=True)
class ForecastPump:
    """A reservoir forecast of a fill (see :func:`baclofen.services.itb.forecast_pump`)."""

    pump: str
    volume_ml: float
    concentration_mcg_per_ml: float
    filled: date | datetime
    daily_dose_mcg: float | None = None
    flex: InfusionProgram | None = None
    margin_days: int | None = None
    low_reservoir_ml: float | None = None
    residual_ml: float | None = None
    max_refill_interval_days: int | None = None
    implanted: date | None = None
    eri_date: date | None = None
    mri_date: date | None = None
    as_of: date | datetime | None = None
    observed_rate_factor: float | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    other_drugs_in_pump: tuple[str, ...] = ()
    #: The day the drug was put in the reservoir when ``volume_ml`` is what a program change left of an earlier
    #: fill (drug stability counts from it); None: the fill's own day.
    drug_filled_on: date | None = None

    def __post_init__(self) -> None:
        require_moment(self.filled, "filled")
        _program_or_none(self.flex, "flex")
        for name in ("implanted", "eri_date", "mri_date", "drug_filled_on"):
            optional(require_date, getattr(self, name), name)
        optional(require_moment, self.as_of, "as_of")


@dataclass(frozen=True, slots=True)
class ReconcileVisit:
    """Expected vs aspirated residual at this visit, with the earlier visits (oldest first) for the trend."""

    expected_ml: float
    aspirated_ml: float
    previous: tuple[tuple[float, float], ...] = ()
    pump: str | None = None
    tolerance_percent: float | None = None
    tolerance_ml: float | None = None
    trend_visits: int | None = None
    previous_fill_ml: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "previous", _pairs(self.previous, "previous"))


@dataclass(frozen=True, slots=True)
class PlanConcentrationChange:
    """A concentration change for the same daily dose; ``change_minute``: when (minute of the pump clock's day)."""

    pump: str
    daily_dose_mcg: float
    old_mcg_per_ml: float
    new_mcg_per_ml: float
    catheter_volume_ml: float | None = None
    catheter_trimmed_cm: float | None = None
    pump_internal_volume_ml: float | None = None
    flex: InfusionProgram | None = None
    change_minute: int | None = None

    def __post_init__(self) -> None:
        _program_or_none(self.flex, "flex")
        minute = self.change_minute
        if minute is not None and (isinstance(minute, bool) or not isinstance(minute, int) or not 0 <= minute < 1440):
            raise InvalidInputError("change_time", "a minute of the day, 0-1439 (00:00-23:59)", minute)


@dataclass(frozen=True, slots=True)
class RecordRefillVisit:
    """A refill visit of a stored pump (see :func:`baclofen.services.itb.record_refill_visit`): this visit's
    residuals (optional, together) and the new fill; the pump's model, implant date and history (the
    earlier residuals, the last fill) come from the pump repository."""

    pump_id: str
    concentration_mcg_per_ml: float
    refilled: date | datetime
    daily_dose_mcg: float | None = None
    flex: InfusionProgram | None = None
    expected_ml: float | None = None
    aspirated_ml: float | None = None
    target_interval_days: int | None = None
    margin_days: int | None = None
    as_of: date | datetime | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    other_drugs_in_pump: tuple[str, ...] = ()
    #: A clinician's overrides of this visit's blocking findings (each with a reason): a visit a block stands
    #: against is not recorded without one.
    overrides: tuple[Override, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.pump_id, str) or not self.pump_id.strip():
            raise InvalidInputError("pump_id", "the id of a stored pump", self.pump_id)
        require_moment(self.refilled, "refilled")
        object.__setattr__(self, "overrides", _overrides(self.overrides))
        _program_or_none(self.flex, "flex")
        optional(require_moment, self.as_of, "as_of")


# --- intrathecal --------------------------------------------------------------------------------------------
def _origin(value: Any, field_name: str) -> None:
    if not isinstance(value, SpasticityOrigin):
        raise InvalidInputError(field_name, "a spasticity origin (text is read at the edge)", value)


def _texts(value: Any, field_name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        raise InvalidInputError(field_name, "a sequence of names (a list text is read at the edge)", value)
    return tuple(value)


@dataclass(frozen=True, slots=True)
class ScreenTrial:
    """A screening trial so far: ``responses`` to the doses given (yes/no, in order; the last one's effect
    duration, reactions and Ashworth grades), or full dose ``records`` instead."""

    responses: tuple[bool, ...] = ()
    start_mcg: float = 50.0
    hours_since_last_dose: float | None = None
    effect_duration_hours: float | None = None
    negative_reactions: bool = False
    records: tuple[ScreeningDose, ...] | None = None
    as_of: datetime | None = None
    conditions: tuple[str, ...] = ()
    ashworth_before: str | float | None = None
    ashworth_after: str | float | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.responses, str):
            raise InvalidInputError("responses", "booleans (yes/no text is read at the edge)", self.responses)
        object.__setattr__(self, "responses", tuple(self.responses))
        if self.records is not None:
            object.__setattr__(self, "records", tuple(self.records))
        optional(require_datetime, self.as_of, "as_of")
        object.__setattr__(self, "conditions", _texts(self.conditions, "conditions"))


@dataclass(frozen=True, slots=True)
class PlanInitialDose:
    """The initial infusion dose from the effective screening dose (mcg) and its duration of effect (h)."""

    screening_dose_mcg: float
    response_hours: float
    negative_reactions: bool = False


@dataclass(frozen=True, slots=True)
class PlanItbTitrationStep:
    """The allowed next intrathecal daily dose (mcg/day) per 24 h or at a refill visit."""

    current_mcg_per_day: float
    origin: SpasticityOrigin
    at_refill: bool = False
    hours_since_start: float | None = None
    proposed_mcg_per_day: float | None = None
    confirm_high_dose: bool = False
    settings: Mapping[str, float] = field(default_factory=dict)
    planned_taper: bool = False
    hours_since_last_increase: float | None = None
    interruption_hours: float | None = None

    def __post_init__(self) -> None:
        _origin(self.origin, "origin")


@dataclass(frozen=True, slots=True)
class PlanTransition:
    """An oral taper alongside intrathecal titration from the day infusion starts."""

    infusion_start: date
    oral_mg_per_day: float
    itb_initial_mcg_per_day: float
    origin: SpasticityOrigin = SpasticityOrigin.SPINAL
    itb_target_mcg_per_day: float | None = None
    max_oral_cut_percent: float | None = None
    months_on_therapy: float | None = None
    patient: PatientSnapshot | None = None
    product: str | None = None
    other_oral_antispastics: tuple[str, ...] = ()
    overrides: tuple[Override, ...] = ()

    def __post_init__(self) -> None:
        require_date(self.infusion_start, "infusion_start")
        _origin(self.origin, "origin")
        object.__setattr__(
            self, "other_oral_antispastics", _texts(self.other_oral_antispastics, "other_oral_antispastics")
        )
        object.__setattr__(self, "overrides", _overrides(self.overrides))


def _overrides(value: Any) -> tuple[Override, ...]:
    items = tuple(value)
    for item in items:
        if not isinstance(item, Override):
            raise InvalidInputError("override", "Override values (RULE-ID=REASON text is read at the edge)", item)
    return items


# --- oral plans -----------------------------------------------------------------------------------------------
def _dose_times(value: Any) -> tuple[time, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) or not all(isinstance(t, time) for t in value):
        raise InvalidInputError("dose_times", "clock times (HH:MM text is read at the edge)", value)
    return tuple(value)


def _check_plan_fields(command: PlanTitration | PlanTaper) -> None:
    """The fields an oral plan command shares: a start date, clock times, overrides, other medicines."""
    require_date(command.start_date, "start_date")
    object.__setattr__(command, "dose_times", _dose_times(command.dose_times))
    object.__setattr__(command, "overrides", _overrides(command.overrides))
    object.__setattr__(command, "current_drugs", _texts(command.current_drugs, "drugs"))


@dataclass(frozen=True, slots=True)
class PlanTitration:
    """An oral titration (label schedule by default); doses in mg, daily doses in mg/day, intervals in days.
    ``current_drugs``: the patient's other medicines, screened with baclofen and with each other."""

    start_date: date
    patient: PatientSnapshot | None = None
    target_mg_per_day: float | None = None
    doses_per_day: int = LABEL_DOSES_PER_DAY
    product: str | None = None
    start_dose_mg: float = LABEL_START_DOSE_MG
    step_dose_mg: float = LABEL_STEP_DOSE_MG
    step_interval_days: int | None = None
    dose_times: tuple[time, ...] | None = None
    overrides: tuple[Override, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    current_drugs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_plan_fields(self)


@dataclass(frozen=True, slots=True)
class PlanTaper:
    """A gradual oral taper from ``from_mg_per_day`` to ``to_mg_per_day`` (mg/day)."""

    from_mg_per_day: float
    start_date: date
    to_mg_per_day: float = 0.0
    patient: PatientSnapshot | None = None
    product: str | None = None
    doses_per_day: int = 3
    months_on_therapy: float | None = None
    max_step_mg: float | None = None
    step_interval_days: int | None = None
    min_days_to_zero: int | None = None
    dose_times: tuple[time, ...] | None = None
    overrides: tuple[Override, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    current_drugs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_plan_fields(self)


# --- decision support -----------------------------------------------------------------------------------------
def _enum_or_none(value: Any, kind: type, field_name: str, what: str) -> None:
    if value is not None and not isinstance(value, kind):
        raise InvalidInputError(field_name, f"{what} (text is read at the edge)", value)


@dataclass(frozen=True, slots=True)
class CheckDrugDose:
    """A daily dose of one drug against its cited limits (mg/day; intrathecal mcg/day; nabiximols sprays/day)."""

    drug: str
    mg_per_day: float | None = None
    mcg_per_day: float | None = None
    sprays_per_day: float | None = None
    single_dose_mg: float | None = None
    doses_per_day: int | None = None
    locale: Locale = Locale.US
    crcl_ml_min: float | None = None
    dialysis: bool = False
    origin: SpasticityOrigin | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _enum_or_none(self.locale, Locale, "locale", "a locale")
        _enum_or_none(self.origin, SpasticityOrigin, "origin", "a spasticity origin")


@dataclass(frozen=True, slots=True)
class CheckContraindications:
    """One drug against conditions, age, sex, kidney function, route, implant depth and days since a TBI."""

    drug: str
    conditions: tuple[str, ...] = ()
    age_years: float | None = None
    sex: Sex | None = None
    crcl_ml_min: float | None = None
    dialysis: bool = False
    route: str | None = None
    implant_depth_cm: float | None = None
    days_since_tbi: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "conditions", _texts(self.conditions, "conditions"))
        _enum_or_none(self.sex, Sex, "sex", "female or male")


@dataclass(frozen=True, slots=True)
class AdviseAlternatives:
    """Alternatives to oral baclofen in guideline order for this patient, with an optional cross-taper plan
    (``switch_to`` from ``current_baclofen_mg_per_day`` starting ``start_date``)."""

    baclofen_outcome: BaclofenOutcome | str = BaclofenOutcome.FAILED
    focal: bool = False
    severe: bool = False
    liver_disease: bool = False
    crcl_ml_min: float | None = None
    dialysis: bool = False
    drugs: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    sex: Sex | None = None
    age_years: float | None = None
    locale: Locale = Locale.US
    guideline: str | None = None
    switch_to: str | None = None
    current_baclofen_mg_per_day: float | None = None
    months_on_therapy: float | None = None
    start_date: date | None = None
    overrides: tuple[Override, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "drugs", _texts(self.drugs, "drugs"))
        object.__setattr__(self, "conditions", _texts(self.conditions, "conditions"))
        _enum_or_none(self.sex, Sex, "sex", "female or male")
        _enum_or_none(self.locale, Locale, "locale", "a locale")
        optional(require_date, self.start_date, "start_date")
        object.__setattr__(self, "overrides", _overrides(self.overrides))


@dataclass(frozen=True, slots=True)
class CheckInteractions:
    """A medication list (names, any case, generic or brand) screened for interactions; ``other_drugs_in_pump``:
    drugs mixed with intrathecal baclofen in the pump or catheter."""

    drugs: tuple[str, ...]
    other_drugs_in_pump: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "drugs", _texts(self.drugs, "drugs"))
        object.__setattr__(self, "other_drugs_in_pump", _texts(self.other_drugs_in_pump, "other_drugs_in_pump"))


def _scale_value(value: Any, field_name: str) -> ScaleValue:
    if isinstance(value, (PennSpasmScore, NrsScore)):
        return value
    if isinstance(value, (tuple, list)) and value and all(isinstance(g, AshworthGrade) for g in value):
        return tuple(value)
    raise InvalidInputError(
        field_name, "Ashworth grades, a Penn score or an NRS rating (their text is read at the edge)", value
    )


@dataclass(frozen=True, slots=True)
class EvaluateScale:
    """A baseline and a current value on one outcome scale, judged under a responder definition (``context``)."""

    scale: Scale
    baseline: ScaleValue
    current: ScaleValue
    context: ResponseContext = ResponseContext.GENERAL
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _enum_or_none(self.scale, Scale, "scale", "an outcome scale")
        _enum_or_none(self.context, ResponseContext, "context", "a responder definition")
        object.__setattr__(self, "baseline", _scale_value(self.baseline, "baseline"))
        object.__setattr__(self, "current", _scale_value(self.current, "current"))


@dataclass(frozen=True, slots=True)
class AssessTimelineRisk:
    """Withdrawal and overdose risks of a patient timeline (read at the edge from its ``baclofen-timeline/1``
    document)."""

    timeline: PatientTimeline
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.timeline, PatientTimeline):
            raise InvalidInputError(
                "timeline", "a patient timeline (its baclofen-timeline/1 document is read at the edge)", self.timeline
            )


# --- simulation (exposure) ---------------------------------------------------------------------------------------
def _hour_pairs(value: Any, field_name: str) -> tuple[Any, ...]:
    """Haemodialysis sessions as (start_h, duration_h) pairs (each pair checked by the use case)."""
    if isinstance(value, str):
        raise InvalidInputError(field_name, "(start_h, duration_h) pairs (their text is read at the edge)", value)
    return tuple(value)


def _crcl_range(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    if isinstance(value, str) or len(value) != 2:
        raise InvalidInputError("crcl_range", "a (low, high) mL/min pair (LOW:HIGH text is read at the edge)", value)
    return (value[0], value[1])


def _check_simulation_fields(command: SimulateOral | SimulatePlan) -> None:
    """The fields an oral simulation shares: sessions, the model, conditions, the population's CrCl range."""
    object.__setattr__(command, "hd_sessions", _hour_pairs(command.hd_sessions, "hd_sessions"))
    _enum_or_none(command.model, OralModel, "model", "an oral model")
    object.__setattr__(command, "conditions", _texts(command.conditions, "conditions"))
    object.__setattr__(command, "crcl_range", _crcl_range(command.crcl_range))


@dataclass(frozen=True, slots=True)
class SimulateOral:
    """``doses`` oral doses of ``dose_mg`` every ``interval_h`` hours (see
    :func:`baclofen.services.simulation.simulate_oral`); ``hours`` None: long enough for the doses;
    ``population``: also simulate that many virtual subjects (``seed``; CrCl uniform over ``crcl_range``)."""

    dose_mg: float
    interval_h: float = 8.0
    doses: int = 1
    crcl_ml_min: float | None = None
    dialysis: bool = False
    hd_sessions: tuple[tuple[float, float], ...] = ()
    model: OralModel = OralModel.DEFAULT
    hours: float | None = None
    step_h: float = 0.1
    conditions: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    population: int | None = None
    seed: int | None = None
    crcl_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        _check_simulation_fields(self)


@dataclass(frozen=True, slots=True)
class SimulateIntrathecal:
    """Continuous intrathecal infusion of ``daily_dose_mcg`` (and a lumbar ``bolus_mcg`` at time 0), from steady
    state or (``from_steady_state`` false) from no drug in the CSF (see
    :func:`baclofen.services.simulation.simulate_intrathecal`)."""

    daily_dose_mcg: float
    bolus_mcg: float = 0.0
    hours: float = 24.0
    step_h: float = 0.05
    from_steady_state: bool = True
    crcl_ml_min: float | None = None
    dialysis: bool = False
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SimulatePlan:
    """A titration or taper plan's doses, each day from its start to its end, then ``washout_h`` hours (see
    :func:`baclofen.services.simulation.simulate_plan`). ``plan``: the plan (its document is read at the edge);
    ``stated_daily_doses_mg``: the daily dose each step of its document stated (None where none), compared
    with the doses (an edited file is flagged, PK-PLAN-001)."""

    plan: Plan
    stated_daily_doses_mg: tuple[float | None, ...] = ()
    crcl_ml_min: float | None = None
    dialysis: bool = False
    hd_sessions: tuple[tuple[float, float], ...] = ()
    model: OralModel = OralModel.DEFAULT
    washout_h: float = 24.0
    step_h: float = 0.25
    conditions: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    population: int | None = None
    seed: int | None = None
    crcl_range: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.plan, Plan):
            raise InvalidInputError("plan", "a plan (its baclofen-plan/1 document is read at the edge)", self.plan)
        stated = self.stated_daily_doses_mg
        if isinstance(stated, str):
            raise InvalidInputError("stated_daily_doses_mg", "numbers or None, one per step", stated)
        object.__setattr__(self, "stated_daily_doses_mg", tuple(stated))
        _check_simulation_fields(self)


__all__ = [
    "AdviseAlternatives",
    "AssessTimelineRisk",
    "CheckContraindications",
    "CheckDrugDose",
    "CheckInteractions",
    "EvaluateScale",
    "ForecastPump",
    "PlanConcentrationChange",
    "PlanInitialDose",
    "PlanItbTitrationStep",
    "PlanPumpProgram",
    "PlanTaper",
    "PlanTitration",
    "PlanTransition",
    "ReconcileVisit",
    "RecordRefillVisit",
    "ScreenTrial",
    "SimulateIntrathecal",
    "SimulateOral",
    "SimulatePlan",
]


# --- the clinic: diary, alerts, worklist ----------------------------------------------------------------------
def _instant(value: Any, field_name: str) -> None:
    """A date and time with its UTC offset, in the plausible range."""
    require_datetime(value, field_name)
    if value.utcoffset() is None:
        raise InvalidInputError(field_name, "a date and time with its UTC offset (e.g. +01:00)", value)


def _symptoms(value: Any, field_name: str) -> tuple[Symptom, ...]:
    if isinstance(value, str) or not all(isinstance(s, Symptom) for s in value):
        raise InvalidInputError(field_name, "symptoms of the vocabulary (their text is read at the edge)", value)
    return tuple(value)


@dataclass(frozen=True, slots=True)
class LogDiaryEntry:
    """A patient's diary entry to store (see :func:`baclofen.services.clinic.log_diary_entry`); ``entry_id``
    defaults to one per patient and instant."""

    patient_id: str
    recorded_at: datetime
    doses_taken: int | None = None
    doses_missed: int = 0
    spasm_frequency: PennSpasmScore | None = None
    stiffness_nrs: float | None = None
    pain_nrs: float | None = None
    sleep_nrs: float | None = None
    symptoms: tuple[Symptom, ...] = ()
    note: str = ""
    entry_id: str | None = None

    def __post_init__(self) -> None:
        _instant(self.recorded_at, "recorded_at")
        object.__setattr__(self, "symptoms", _symptoms(self.symptoms, "symptoms"))
        if self.spasm_frequency is not None and not isinstance(self.spasm_frequency, PennSpasmScore):
            raise InvalidInputError(
                "spasm_frequency", "a Penn score (its text is read at the edge)", self.spasm_frequency
            )


@dataclass(frozen=True, slots=True)
class RaiseAlerts:
    """Raise the alerts of a stored patient at ``as_of`` (see
    :func:`baclofen.services.clinic.raise_alerts_for_patient`); ``settings``: the risk engine's, by name."""

    patient_id: str
    as_of: datetime
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _instant(self.as_of, "as_of")


@dataclass(frozen=True, slots=True)
class ReadPatientTimeline:
    """The ``baclofen-timeline/1`` document of a stored patient at ``as_of`` (see
    :func:`baclofen.services.clinic.read_patient_timeline`)."""

    patient_id: str
    as_of: datetime

    def __post_init__(self) -> None:
        _instant(self.as_of, "as_of")


@dataclass(frozen=True, slots=True)
class AssessPatientRisk:
    """The risks of a stored patient at ``as_of``, no alert raised (see
    :func:`baclofen.services.clinic.assess_patient_risk`); ``settings``: the risk engine's, by name."""

    patient_id: str
    as_of: datetime
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _instant(self.as_of, "as_of")


@dataclass(frozen=True, slots=True)
class ForecastNextRefill:
    """The next refill of stored pump ``pump_id`` at ``as_of`` as the worklist computes it (see
    :func:`baclofen.services.clinic.forecast_next_refill`)."""

    pump_id: str
    as_of: datetime

    def __post_init__(self) -> None:
        _instant(self.as_of, "as_of")


@dataclass(frozen=True, slots=True)
class AlertDecision:
    """Acknowledge or resolve alert ``alert_id``: who (``by``), when (``at``) and why (``reason``)."""

    alert_id: str
    by: str
    at: datetime
    reason: str

    def __post_init__(self) -> None:
        _instant(self.at, "at")


@dataclass(frozen=True, slots=True)
class ComputeWorklist:
    """The worklist of the patients ``patient_ids`` at ``as_of``, ``horizon_days`` ahead (see
    :func:`baclofen.services.clinic.compute_clinic_worklist`)."""

    patient_ids: tuple[str, ...]
    as_of: datetime
    horizon_days: int = 14
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _instant(self.as_of, "as_of")
        if isinstance(self.patient_ids, str):
            raise InvalidInputError("patient_ids", "a sequence of patient ids", self.patient_ids)
        object.__setattr__(self, "patient_ids", tuple(dict.fromkeys(self.patient_ids)))


# --- the patients' dated histories: covariates, screening trials, outcome scores ---------------------------------
def _recorded(command: Any) -> None:
    _instant(command.recorded_at, "recorded_at")
    if not isinstance(command.recorded_by, str):
        raise InvalidInputError("recorded_by", "who recorded it (an actor label)", command.recorded_by)


@dataclass(frozen=True, slots=True)
class RecordCovariates:
    """Covariates of patient ``patient_id`` observed on ``observed_on`` (see
    :func:`baclofen.services.histories.record_covariates`): who recorded them, when, and each covariate observed
    (None: not observed)."""

    patient_id: str
    observed_on: date
    recorded_at: datetime
    recorded_by: str
    weight_kg: float | None = None
    serum_creatinine_mg_dl: float | None = None
    crcl_ml_min: float | None = None
    egfr_ml_min_1_73m2: float | None = None
    dialysis: bool | None = None

    def __post_init__(self) -> None:
        require_date(self.observed_on, "observed_on")
        _recorded(self)


@dataclass(frozen=True, slots=True)
class RecordScreeningTrial:
    """One ITB screening bolus given to patient ``patient_id`` (see
    :func:`baclofen.services.histories.record_screening_trial`); ``dose``'s ``given_at`` is an instant."""

    patient_id: str
    dose: ScreeningDose
    recorded_at: datetime
    recorded_by: str
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.dose, ScreeningDose):
            raise InvalidInputError("dose", "a screening dose (its text is read at the edge)", self.dose)
        _instant(self.dose.given_at, "given_at")
        _recorded(self)


@dataclass(frozen=True, slots=True)
class RecordOutcomeScore:
    """One outcome score of patient ``patient_id`` assessed on ``assessed_on`` (see
    :func:`baclofen.services.histories.record_outcome_score`): a value of ``scale`` (a Modified Ashworth grade
    with its ``muscle_group``, a Penn score, a 0-10 rating)."""

    patient_id: str
    assessed_on: date
    scale: Scale
    value: AshworthGrade | PennSpasmScore | NrsScore
    recorded_at: datetime
    recorded_by: str
    muscle_group: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        require_date(self.assessed_on, "assessed_on")
        if not isinstance(self.scale, Scale):
            raise InvalidInputError("scale", "a scale (its name is read at the edge)", self.scale)
        if not isinstance(self.value, (AshworthGrade, PennSpasmScore, NrsScore)):
            raise InvalidInputError("value", "a value of the scale (its text is read at the edge)", self.value)
        _recorded(self)


# --- the clinic: saved plans and program changes ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SavePlan:
    """Plan an oral titration or taper, an oral -> intrathecal transition, or a switch to an alternative (the
    advisor's cross-taper: :class:`AdviseAlternatives` with ``switch_to``, ``current_baclofen_mg_per_day`` and
    ``start_date``) for the stored patient ``patient_id`` and save it (see
    :func:`baclofen.services.regimens.save_plan`): ``plan`` holds the planner's fields (its own ``patient``, a
    transition's ``origin`` and a switch's age, sex, locale and kidney function are not used: they come from the
    record), who saves it and when."""

    patient_id: str
    plan: PlanTitration | PlanTaper | PlanTransition | AdviseAlternatives
    saved_by: str
    saved_at: datetime

    def __post_init__(self) -> None:
        if not isinstance(self.plan, PlanTitration | PlanTaper | PlanTransition | AdviseAlternatives):
            raise InvalidInputError(
                "plan",
                "an oral titration or taper, an ITB transition or a switch (its text is read at the edge)",
                self.plan,
            )
        if isinstance(self.plan, AdviseAlternatives):
            for name, value in (
                ("switch_to", self.plan.switch_to),
                ("from_mg_per_day", self.plan.current_baclofen_mg_per_day),
                ("start_date", self.plan.start_date),
            ):
                if value is None:
                    raise InvalidInputError(name, "a value: a saved switch is a cross-taper plan", None)
        _instant(self.saved_at, "saved_at")


@dataclass(frozen=True, slots=True)
class ChangePumpProgram:
    """Reprogram the stored pump ``pump_id`` between refills from ``changed_at`` (see
    :func:`baclofen.services.regimens.change_pump_program`): the new continuous or flex program, who and why, the
    overrides of blocking titration findings, the explicit confirmations of the titration rules
    (``confirm_high_dose``, ``planned_taper``) and settings by name."""

    pump_id: str
    changed_at: datetime
    program: InfusionProgram
    changed_by: str
    reason: str
    overrides: tuple[Override, ...] = ()
    confirm_high_dose: bool = False
    planned_taper: bool = False
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _instant(self.changed_at, "changed_at")
        if not isinstance(self.program, InfusionProgram):
            raise InvalidInputError("program", "a pump program (its text is read at the edge)", self.program)
        object.__setattr__(self, "overrides", _overrides(self.overrides))


@dataclass(frozen=True, slots=True)
class ChangeClinicSetting:
    """Set clinic ``clinic_id``'s own value of the setting ``name`` to ``value`` (``None``: back to the default):
    who (``by``), when (``at``) and why (``reason``); see
    :func:`baclofen.services.clinic_settings.change_clinic_setting`. ``value`` is checked against the setting by
    the domain (type, bounds, choices)."""

    clinic_id: str
    name: str
    value: Any
    by: str
    at: datetime
    reason: str

    def __post_init__(self) -> None:
        _instant(self.at, "at")


@dataclass(frozen=True, slots=True)
class ShowPatientGuide:
    """The patient guide for ``locale`` with ``settings`` (setting values by name) in place of the defaults; see
    :func:`baclofen.services.guide.show_patient_guide`."""

    locale: Locale = Locale.US
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.locale, Locale):
            raise InvalidInputError("locale", "a locale (text is read at the edge)", self.locale)


@dataclass(frozen=True, slots=True)
class ImportPatientFile:
    """Store an imported patient file (see :func:`baclofen.services.fhir.import_patient_file`): its record (kept
    by clinic ``clinic_id``, None: outside any clinic), covariate observations and outcome scores."""

    file: PatientFile
    clinic_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.file, PatientFile):
            raise InvalidInputError("file", "a patient file", self.file)
        if self.clinic_id is not None:
            check_record_id(self.clinic_id, "clinic_id")


# --- CDS Hooks ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ReviewOrders:
    """The medication orders of an ``order-select`` or ``order-sign`` hook call (see
    :func:`baclofen.services.cds_hooks.review_orders`), read from FHIR at the edge.

    ``drafts``: the orders of the ordering session; ``selections``: the references the clinician just selected
    (``order-select``; ``None``: every draft is in focus, ``order-sign``); ``active``: the patient's active
    medication orders, ``None`` when they are not known (no prefetch and no FHIR server to ask); ``patient``:
    age, sex and kidney function as far as known; ``conditions``: the patient's active conditions as named in the
    record (``None`` when not known); ``start_date``: the first day of a suggested taper (today);
    ``unavailable``: what could not be read or fetched, and why (each said in the answer);
    ``kidney_unknown_why``: why the patient's kidney function is not known (no value, a unit that cannot be read).
    """

    hook: str
    hook_instance: str
    patient_id: str
    drafts: tuple[MedicationOrder, ...]
    start_date: date
    selections: tuple[str, ...] | None = None
    active: tuple[MedicationOrder, ...] | None = None
    conditions: tuple[str, ...] | None = None
    patient: PatientSnapshot = field(default_factory=PatientSnapshot)
    unavailable: tuple[str, ...] = ()
    kidney_unknown_why: str = ""

    def __post_init__(self) -> None:
        require_date(self.start_date, "start_date")
        for name, orders in (("drafts", self.drafts), ("active", self.active or ())):
            if not all(isinstance(o, MedicationOrder) for o in orders):
                raise InvalidInputError(name, "medication orders (FHIR is read at the edge)", orders)
        if not isinstance(self.patient, PatientSnapshot):
            raise InvalidInputError("patient", "a patient snapshot", self.patient)


@dataclass(frozen=True, slots=True)
class ViewPatient:
    """A ``patient-view`` hook call: the stored patient ``patient_id`` of clinic ``clinic_id`` at ``as_of``, the
    worklist ``horizon_days`` ahead (see :func:`baclofen.services.cds_hooks.view_patient`)."""

    hook_instance: str
    patient_id: str
    clinic_id: str
    as_of: datetime
    horizon_days: int = 14

    def __post_init__(self) -> None:
        _instant(self.as_of, "as_of")
