"""The request bodies of the API (pydantic): their shape only. Dates, times, flex schedules and settings
arrive as the text the CLI takes and are read by the one input edge (``baclofen.adapters.edge``), which
reports every invalid field at once; unknown members are refused (a misspelt field is not ignored)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from baclofen.domain.oral.limits import LABEL_DOSES_PER_DAY, LABEL_START_DOSE_MG, LABEL_STEP_DOSE_MG

__all__ = [
    "AlertDecisionRequest",
    "AlternativesRequest",
    "CovariatesRequest",
    "ClinicSettingRequest",
    "ContraindicationsRequest",
    "DiaryRequest",
    "DoseCheckRequest",
    "ForecastRequest",
    "InteractionsRequest",
    "LoginRequest",
    "PatientFields",
    "PatientRequest",
    "PlanPatient",
    "PopulationRequest",
    "ProgramChangeRequest",
    "PumpRequest",
    "SavePlanRequest",
    "SaveSwitchRequest",
    "SaveTaperRequest",
    "SaveTitrationRequest",
    "SaveTransitionRequest",
    "ScaleRequest",
    "ScoreRequest",
    "ScreeningTrialRequest",
    "TaperRequest",
    "TimelineDocument",
    "TitrationRequest",
    "UserRequest",
    "VisitRequest",
]

#: A text field of a request (ids, dates, names, schedules): bounded.
Text = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=2000)]
Names = Annotated[list[Text], Field(max_length=50)]
#: Named settings: ``{"NAME": VALUE}`` (read and checked by the settings catalogue).
Settings = Annotated[dict[Text, float | bool | Text], Field(max_length=50)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class LoginRequest(Body):
    username: Text
    password: Annotated[str, Field(max_length=1000)]


class TokenResponse(BaseModel):
    """What a login answers: the bearer token, its type and its lifetime (seconds)."""

    access_token: str
    token_type: Literal["bearer"]
    expires_in: int


class UserRequest(Body):
    username: Text
    role: Text
    password: Annotated[str, Field(max_length=1000)]
    patient_id: Text | None = None


class PatientFields(Body):
    """A patient's covariates (sex ``female``/``male``, origin ``spinal``/``cerebral``, locale ``us``/``uk``)."""

    age_years: float | None = None
    weight_kg: float | None = None
    sex: Text | None = None
    serum_creatinine_mg_dl: float | None = None
    crcl_ml_min: float | None = None
    egfr_ml_min_1_73m2: float | None = None
    dialysis: bool = False
    origin: Text = "spinal"
    locale: Text = "us"
    conditions: Names = []


class PatientRequest(PatientFields):
    patient_id: Text


class PumpRequest(Body):
    """An implanted pump: ``pump`` is its model's key (``baclofen pump list``)."""

    pump_id: Text
    pump: Text
    patient_id: Text
    implanted: Text | None = None


class VisitRequest(Body):
    """A refill visit of a stored pump: the fields of ``baclofen pump refill`` (``refilled``: a date or a
    date-time; ``flex``: ``HH:MM=MCG_PER_H,...``); ``overrides``: ``RULE-ID=REASON`` of the visit's blocks,
    given by the calling clinician (a visit a block stands against is not recorded without one: 409)."""

    concentration_mcg_per_ml: float
    refilled: Text
    daily_dose_mcg: float | None = None
    flex: LongText | None = None
    expected_ml: float | None = None
    aspirated_ml: float | None = None
    target_interval_days: int | None = None
    margin_days: int | None = None
    as_of: Text | None = None
    settings: Settings = {}
    other_drugs_in_pump: Names = []
    overrides: Names = []


class ForecastRequest(Body):
    """A reservoir forecast: the fields of ``baclofen pump forecast``."""

    pump: Text
    volume_ml: float
    concentration_mcg_per_ml: float
    filled: Text
    daily_dose_mcg: float | None = None
    flex: LongText | None = None
    margin_days: int | None = None
    low_reservoir_ml: float | None = None
    residual_ml: float | None = None
    max_refill_interval_days: int | None = None
    implanted: Text | None = None
    eri_date: Text | None = None
    mri_date: Text | None = None
    as_of: Text | None = None
    observed_rate_factor: float | None = None
    settings: Settings = {}
    other_drugs_in_pump: Names = []


class PlanPatient(Body):
    """The patient of an oral plan."""

    locale: Text = "us"
    origin: Text = "spinal"
    age_years: float | None = None
    crcl_ml_min: float | None = None
    egfr_ml_min_1_73m2: float | None = None
    dialysis: bool = False
    conditions: Names = []


class _PlanFields(Body):
    start_date: Text
    product: Text | None = None
    step_interval_days: int | None = None
    dose_times: Names | None = None
    overrides: Names = []
    settings: Settings = {}
    current_drugs: Names = []


class _TitrationFields(_PlanFields):
    target_mg_per_day: float | None = None
    doses_per_day: int = LABEL_DOSES_PER_DAY
    start_dose_mg: float = LABEL_START_DOSE_MG
    step_dose_mg: float = LABEL_STEP_DOSE_MG


class _TaperFields(_PlanFields):
    from_mg_per_day: float
    to_mg_per_day: float = 0.0
    doses_per_day: int = 3
    months_on_therapy: float | None = None
    max_step_mg: float | None = None
    min_days_to_zero: int | None = None


class TitrationRequest(_TitrationFields):
    """An oral titration: the fields of ``baclofen plan titrate``."""

    patient: PlanPatient | None = None


class TaperRequest(_TaperFields):
    """An oral taper: the fields of ``baclofen plan taper``."""

    patient: PlanPatient | None = None


class SaveTitrationRequest(_TitrationFields):
    """An oral titration to save for the stored patient (whose covariates it is planned on)."""

    kind: Literal["titration"]


class SaveTaperRequest(_TaperFields):
    """An oral taper to save for the stored patient (whose covariates it is planned on)."""

    kind: Literal["taper"]


class SaveTransitionRequest(Body):
    """An oral -> intrathecal transition to save for the stored patient (the fields of ``baclofen itb transition``;
    origin, locale and covariates come from the record): saved as its oral taper with the intrathecal envelope."""

    kind: Literal["itb-transition"]
    infusion_start: Text
    oral_mg_per_day: float
    itb_initial_mcg_per_day: float
    itb_target_mcg_per_day: float | None = None
    max_oral_cut_percent: float | None = None
    months_on_therapy: float | None = None
    product: Text | None = None
    other_oral_antispastics: Names = []
    overrides: Names = []


#: A plan to save: ``kind`` says which planner reads the other fields.
class SaveSwitchRequest(Body):
    """A switch from oral baclofen to an alternative to save for the stored patient: the cross-taper of ``baclofen
    alternatives --switch-to DRUG --from-mg-per-day N`` (age, sex, locale, kidney function and conditions come from
    the record; ``conditions`` adds to them; ``drugs`` is the patient's medication list, screened against the new
    drug). Saved as its baclofen taper with the new drug's steps, the labs to order, findings and settings."""

    kind: Literal["switch"]
    switch_to: Text
    from_mg_per_day: float
    start_date: Text
    failed: bool = False
    not_tolerated: bool = False
    current: bool = False
    focal: bool = False
    severe: bool = False
    liver_disease: bool = False
    drugs: DrugNames = []
    conditions: Names = []
    guideline: Text | None = None
    months_on_therapy: float | None = None
    overrides: Names = []
    settings: Settings = {}


SavePlanRequest = Annotated[
    SaveTitrationRequest | SaveTaperRequest | SaveTransitionRequest | SaveSwitchRequest, Field(discriminator="kind")
]


class ProgramChangeRequest(Body):
    """A pump's new program between refills: ``daily_dose_mcg`` (continuous) or ``flex`` (``HH:MM=MCG_PER_H,...``),
    from ``changed_at`` (a date-time with its UTC offset, the clock's now when left out), why (``reason``), overrides
    ``RULE-ID=REASON`` of blocking titration findings, and the explicit confirmations of the titration rules."""

    reason: LongText
    changed_at: Text | None = None
    daily_dose_mcg: float | None = None
    flex: LongText | None = None
    overrides: Names = []
    confirm_high_dose: bool = False
    planned_taper: bool = False
    settings: Settings = {}


class DoseCheckRequest(Body):
    """A drug's dose against its limits: the fields of ``baclofen check dose``."""

    drug: Text
    mg_per_day: float | None = None
    mcg_per_day: float | None = None
    sprays_per_day: float | None = None
    single_dose_mg: float | None = None
    doses_per_day: int | None = None
    locale: Text | None = None
    crcl_ml_min: float | None = None
    dialysis: bool = False
    origin: Text | None = None
    settings: Settings = {}


#: Drug names: a list, or one comma-separated text (as the CLI's ``--drugs``).
DrugNames = Names | Text


class InteractionsRequest(Body):
    """A medication list screened for interactions: the fields of ``baclofen check interactions``."""

    drugs: DrugNames
    other_drugs_in_pump: Names = []


class ContraindicationsRequest(Body):
    """One drug against the patient: the fields of ``baclofen check contraindications`` (``conditions``: each
    ``--condition``; ``age_years``: ``--age``)."""

    drug: Text
    conditions: Names = []
    age_years: float | None = None
    sex: Text | None = None
    crcl_ml_min: float | None = None
    dialysis: bool = False
    route: Text | None = None
    implant_depth_cm: float | None = None
    days_since_tbi: float | None = None


class AlternativesRequest(Body):
    """Alternatives to oral baclofen: the fields of ``baclofen alternatives`` (at most one of ``failed``,
    ``not_tolerated``, ``current``; none: not tried). The clinician of the overrides is the caller; the cross-taper
    starts on ``start_date`` (the clinic's today when left out)."""

    failed: bool = False
    not_tolerated: bool = False
    current: bool = False
    focal: bool = False
    severe: bool = False
    liver_disease: bool = False
    crcl_ml_min: float | None = None
    dialysis: bool = False
    drugs: DrugNames = []
    conditions: Names = []
    sex: Text | None = None
    age_years: float | None = None
    locale: Text = "us"
    guideline: Text | None = None
    switch_to: Text | None = None
    from_mg_per_day: float | None = None
    months_on_therapy: float | None = None
    start_date: Text | None = None
    overrides: Names = []
    settings: Settings = {}


class ScaleRequest(Body):
    """A response on an outcome scale: the fields of ``baclofen scale evaluate`` (values in the scale's form: MAS
    grades ``1+,2``, Penn ``F`` or ``F:S``, NRS ``0``-``10``)."""

    scale: Text
    baseline: int | float | Text
    current: int | float | Text
    context: Text | None = None
    settings: Settings = {}


#: A ``baclofen-timeline/1`` document (docs/timeline.md): read, field by field, by the one timeline reader.
TimelineDocument = Annotated[dict[Text, Any], Field(max_length=10)]


class DiaryRequest(Body):
    """A diary entry (``recorded_at``: a date-time with its UTC offset, the clock's now when left out;
    ``spasm_frequency``: the Penn score ``F`` or ``F:S``; ratings 0-10; ``symptoms`` from the fixed vocabulary)."""

    recorded_at: Text | None = None
    doses_taken: int | None = None
    doses_missed: int = 0
    spasm_frequency: int | Text | None = None
    stiffness_nrs: float | None = None
    pain_nrs: float | None = None
    sleep_nrs: float | None = None
    symptoms: Names = []
    note: LongText = ""


class AlertDecisionRequest(Body):
    """Why an alert is acknowledged or resolved (who and when come from the token and the clinic's clock)."""

    reason: LongText


class CovariatesRequest(Body):
    """Covariates observed on ``observed_on`` (``YYYY-MM-DD``, today when left out): any of weight, one kidney
    function (serum creatinine, CrCl or eGFR) and dialysis; at least one."""

    observed_on: Text | None = None
    weight_kg: float | None = None
    serum_creatinine_mg_dl: float | None = None
    crcl_ml_min: float | None = None
    egfr_ml_min_1_73m2: float | None = None
    dialysis: bool | None = None


class ScreeningTrialRequest(Body):
    """An ITB screening bolus: ``given_at`` a date-time with its UTC offset (now when left out), ``dose_mcg`` 25, 50,
    75 or 100, the response judged; Ashworth grades ``0``-``4`` or ``1+``, Penn spasm frequencies 0-4."""

    given_at: Text | None = None
    dose_mcg: float
    responded: bool
    effect_duration_hours: float | None = None
    negative_reactions: bool = False
    ashworth_before: int | Text | None = None
    ashworth_after: int | Text | None = None
    spasm_frequency_before: int | None = None
    spasm_frequency_after: int | None = None
    note: LongText = ""


class ScoreRequest(Body):
    """An outcome score assessed on ``assessed_on`` (today when left out): ``scale`` (``modified-ashworth``/``mas``,
    ``penn``/``psfs``, ``nrs-spasticity``, ``nrs-pain``, ``nrs-sleep``), ``value`` on it (``1+``, ``3:2``, ``6.5``),
    ``muscle_group`` for a Modified Ashworth grade only."""

    assessed_on: Text | None = None
    scale: Text
    value: int | float | Text
    muscle_group: Text | None = None
    note: LongText = ""


class PopulationRequest(Body):
    """A virtual population's exposure, run as a job: the fields of ``baclofen simulate oral`` (``dose_mg`` given)
    or of ``baclofen simulate regimen`` (``plan`` given: the plan's ``baclofen-plan/1`` document, the JSON of
    ``baclofen plan titrate/taper --json``), with ``population`` subjects. Sessions ``START_H:DURATION_H``, the CrCl
    range ``LOW:HIGH``, settings ``{"NAME": VALUE}``."""

    population: int
    seed: int | None = None
    dose_mg: float | None = None
    interval_h: float | None = None
    doses: int | None = None
    hours: float | None = None
    plan: Annotated[dict[Text, Any], Field(max_length=50)] | None = None
    washout_h: float | None = None
    crcl_ml_min: float | None = None
    dialysis: bool = False
    hd_sessions: Names = []
    model: Text = "default"
    step_h: float | None = None
    conditions: Names = []
    settings: Settings = {}
    crcl_range: Text | None = None


class ClinicSettingRequest(Body):
    """A clinic's own value of a setting (a number, true/false or one of its choices, checked against the
    setting's bounds) and why it changes (who and when come from the token and the clinic's clock)."""

    value: bool | int | float | Annotated[str, Field(max_length=200)]
    reason: LongText
