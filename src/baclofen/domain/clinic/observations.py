"""What the clinic observes of a patient over time: covariates, ITB screening trials and outcome scores.

Each is a dated record of one patient, only ever appended (a mistake is corrected by a newer record, never by
rewriting one), with when it was recorded and by whom:

* :class:`CovariateObservation`: weight, kidney function (one of serum creatinine, CrCl or eGFR, as
  :class:`~baclofen.domain.patient.PatientSnapshot` takes it) and dialysis, observed on a date.
  :func:`snapshot_on` gives the patient's snapshot on any date: the latest observation of each covariate on or
  before that date (of two on one date, the later recorded: a correction), over the patient record's snapshot
  for what no observation covers.
* :class:`ScreeningTrialRecord`: one intrathecal test bolus of the screening ladder
  (:mod:`baclofen.domain.itb.screening`: 25/50/75/100 mcg, the response judged, the effect's duration).
* :class:`OutcomeScoreRecord`: one rating on an outcome scale of :class:`~baclofen.domain.cds.scales.Scale`
  (Modified Ashworth grade with its muscle group, Penn spasm score, 0-10 ratings of spasticity, pain, sleep).

>>> from datetime import UTC
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
>>> first = CovariateObservation("C-1", "P-1", date(2026, 1, 5), at, "nurse:a", weight_kg=80, crcl_ml_min=90)
>>> later = CovariateObservation("C-2", "P-1", date(2026, 3, 1), at, "nurse:a", egfr_ml_min_1_73m2=40)
>>> s = snapshot_on(PatientSnapshot(age_years=60), (first, later), date(2026, 3, 1))
>>> s.weight_kg, s.crcl_ml_min, s.egfr_ml_min_1_73m2
(80.0, None, 40.0)
>>> snapshot_on(PatientSnapshot(age_years=60), (first, later), date(2026, 2, 1)).crcl_ml_min
90.0
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from baclofen.domain.cds.scales import (
    AshworthGrade,
    NrsScore,
    PennSpasmScore,
    Scale,
    parse_scale,
    parse_scale_value,
)
from baclofen.domain.dates import check_date_range
from baclofen.domain.errors import InvalidInputError, require, require_finite_number
from baclofen.domain.itb.screening import MAX_EFFECT_DURATION_HOURS, ScreeningDose, screening_ladder
from baclofen.domain.patient import (
    CRCL_MAX_ML_MIN,
    CREATININE_MG_DL_RANGE,
    EGFR_MAX,
    WEIGHT_KG_RANGE,
    PatientSnapshot,
)
from baclofen.domain.records import MAX_AUDIT_TEXT_LENGTH, check_record_id

__all__ = [
    "KIDNEY_FIELDS",
    "MAX_MUSCLE_GROUP_LENGTH",
    "MAX_OBSERVATION_NOTE_LENGTH",
    "SCREENING_TRIAL_DOSES_MCG",
    "CovariateObservation",
    "OutcomeScoreRecord",
    "ScoreValue",
    "ScreeningTrialRecord",
    "check_covariate",
    "check_effect_duration",
    "covariates_changed",
    "observation_id",
    "parse_score_value",
    "score_text",
    "snapshot_on",
]

#: The kidney function inputs of a snapshot: an observation gives at most one, and it replaces the others.
KIDNEY_FIELDS = ("serum_creatinine_mg_dl", "crcl_ml_min", "egfr_ml_min_1_73m2")
#: The covariates an observation may give (kidney function counts as one covariate).
_COVARIATES = ("weight_kg", "kidney", "dialysis")
#: Longest muscle group of a Modified Ashworth grade, and longest note of a trial or score (characters).
MAX_MUSCLE_GROUP_LENGTH = 100
MAX_OBSERVATION_NOTE_LENGTH = 2000
#: The test boluses of the screening ladder, mcg (the label's 50-75-100, and the 25 mcg lower start [S41]).
SCREENING_TRIAL_DOSES_MCG = screening_ladder(25.0)


def observation_id(prefix: str, patient_id: str, recorded_at: datetime, *parts: object) -> str:
    """A record's identifier from its patient, the instant it was recorded and its content (one record per
    patient, instant and content: the same one sent twice is a conflict, not a second record).

    >>> observation_id("C", "P-1", datetime(2026, 3, 2, 9, 0, tzinfo=UTC), 80.0)
    'C-d85badae28aff3c3e36d'
    """
    check_record_id(patient_id, "patient_id")
    _require_instant(recorded_at, "recorded_at")
    instant = recorded_at.astimezone(UTC).replace(tzinfo=None).isoformat()
    text = "\n".join([patient_id, instant, *(repr(p) for p in parts)])
    return f"{prefix}-" + hashlib.sha256(text.encode()).hexdigest()[:20]


def _require_instant(value: object, field: str) -> None:
    aware = isinstance(value, datetime) and value.utcoffset() is not None
    require(aware, field, "a date and time with its UTC offset", value)
    assert isinstance(value, datetime)
    check_date_range(value, field)


def _require_day(value: object, field: str) -> None:
    require(isinstance(value, date) and not isinstance(value, datetime), field, "a date", value)
    assert isinstance(value, date)
    check_date_range(value, field)


def _check_text(value: object, field: str, max_length: int, *, empty: bool = True) -> str:
    ok = (
        isinstance(value, str)
        and (empty or value != "")
        and len(value) <= max_length
        and value == value.strip()
        and all(c.isprintable() or c in "\n\t" for c in value)
    )
    require(ok, field, f"a text of at most {max_length} printable characters without surrounding spaces", value)
    assert isinstance(value, str)
    return value


def _check_recorded(record: Any, id_field: str) -> None:
    check_record_id(getattr(record, id_field), id_field)
    check_record_id(record.patient_id, "patient_id")
    _require_instant(record.recorded_at, "recorded_at")
    _check_text(record.recorded_by, "recorded_by", MAX_AUDIT_TEXT_LENGTH, empty=False)


# --- covariates over time ------------------------------------------------------------------------------------------
#: The bounds of each number an observation gives: those of :class:`~baclofen.domain.patient.PatientSnapshot`.
_BOUNDS = {
    "weight_kg": WEIGHT_KG_RANGE,
    "serum_creatinine_mg_dl": CREATININE_MG_DL_RANGE,
    "crcl_ml_min": (0.0, CRCL_MAX_ML_MIN),
    "egfr_ml_min_1_73m2": (0.0, EGFR_MAX),
}


def check_covariate(value: object, field: str) -> float:
    """A weight (kg) or kidney function (``field``: ``weight_kg``, ``serum_creatinine_mg_dl``, ``crcl_ml_min``,
    ``egfr_ml_min_1_73m2``) within the bounds a patient snapshot takes.

    >>> check_covariate(900, "egfr_ml_min_1_73m2")
    Traceback (most recent call last):
    ...
    baclofen.domain.errors.InvalidInputError: 'egfr_ml_min_1_73m2' must be a number between 0 and 250 (got 900)
    """
    low, high = _BOUNDS[field]
    return require_finite_number(value, field, minimum=low, maximum=high)


@dataclass(frozen=True, slots=True)
class CovariateObservation:
    """Covariates of a patient observed on ``observed_on``, recorded at ``recorded_at`` by ``recorded_by``.

    Each covariate is optional (None: not observed), at least one is given, and at most one kidney function
    (serum creatinine mg/dL, CrCl mL/min or eGFR mL/min/1.73 m2), each within the bounds of
    :class:`~baclofen.domain.patient.PatientSnapshot` (an impossible value is refused naming its field).
    """

    observation_id: str
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
        _check_recorded(self, "observation_id")
        _require_day(self.observed_on, "observed_on")
        for name in _BOUNDS:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check_covariate(value, name))
        if self.dialysis is not None:
            require(isinstance(self.dialysis, bool), "dialysis", "true or false", self.dialysis)
        kidney = [n for n in KIDNEY_FIELDS if getattr(self, n) is not None]
        if len(kidney) > 1:
            raise InvalidInputError("kidney function", "only one of serum creatinine, CrCl or eGFR", kidney)
        if not self.covariates():
            raise InvalidInputError(
                "weight_kg", "at least one covariate (weight, a kidney function or dialysis) observed", None
            )

    def covariates(self) -> tuple[str, ...]:
        """The covariates this observation gives: ``weight_kg``, ``kidney``, ``dialysis``."""
        given = {
            "weight_kg": self.weight_kg is not None,
            "kidney": any(getattr(self, n) is not None for n in KIDNEY_FIELDS),
            "dialysis": self.dialysis is not None,
        }
        return tuple(name for name in _COVARIATES if given[name])

    def to_dict(self) -> dict[str, Any]:
        return {
            "observation_id": self.observation_id,
            "patient_id": self.patient_id,
            "observed_on": self.observed_on.isoformat(),
            "recorded_at": self.recorded_at.isoformat(),
            "recorded_by": self.recorded_by,
            "weight_kg": self.weight_kg,
            "serum_creatinine_mg_dl": self.serum_creatinine_mg_dl,
            "crcl_ml_min": self.crcl_ml_min,
            "egfr_ml_min_1_73m2": self.egfr_ml_min_1_73m2,
            "dialysis": self.dialysis,
        }


def _order(observation: CovariateObservation) -> tuple[date, datetime, str]:
    return (observation.observed_on, observation.recorded_at, observation.observation_id)


def snapshot_on(base: PatientSnapshot, observations: Iterable[CovariateObservation], on: date) -> PatientSnapshot:
    """The patient's snapshot on ``on``: ``base`` (the patient record's) with each covariate (weight, kidney
    function, dialysis) taken from the latest observation of it on or before ``on`` (of two observed the same
    day, the later recorded); a covariate never observed by then keeps ``base``'s value.

    Raises ``InvalidInputError`` when the result is not a valid snapshot (a serum creatinine without the age
    and sex it needs), naming the field, as :class:`~baclofen.domain.patient.PatientSnapshot` does.
    """
    require(isinstance(base, PatientSnapshot), "base", "a patient snapshot", base)
    _require_day(on, "on")
    changes: dict[str, Any] = {}
    for observation in sorted((o for o in observations if o.observed_on <= on), key=_order):
        require(isinstance(observation, CovariateObservation), "observations", "covariate observations", observation)
        given = observation.covariates()
        if "weight_kg" in given:
            changes["weight_kg"] = observation.weight_kg
        if "kidney" in given:
            changes |= {name: getattr(observation, name) for name in KIDNEY_FIELDS}
        if "dialysis" in given:
            changes["dialysis"] = observation.dialysis
    return replace(base, **changes) if changes else base


def covariates_changed(before: PatientSnapshot, after: PatientSnapshot) -> dict[str, Any]:
    """The covariates of ``after`` that differ from ``before``'s, as the fields of an observation (a kidney
    function changed gives all three kidney fields' new values; one removed is not an observation).

    >>> covariates_changed(PatientSnapshot(weight_kg=80), PatientSnapshot(weight_kg=78, crcl_ml_min=60))
    {'weight_kg': 78.0, 'serum_creatinine_mg_dl': None, 'crcl_ml_min': 60.0, 'egfr_ml_min_1_73m2': None}
    """
    changed: dict[str, Any] = {}
    if after.weight_kg is not None and after.weight_kg != before.weight_kg:
        changed["weight_kg"] = float(after.weight_kg)
    kidney_after = {n: getattr(after, n) for n in KIDNEY_FIELDS}
    if any(v is not None for v in kidney_after.values()) and kidney_after != {
        n: getattr(before, n) for n in KIDNEY_FIELDS
    }:
        changed |= {n: None if v is None else float(v) for n, v in kidney_after.items()}
    if after.dialysis != before.dialysis:
        changed["dialysis"] = after.dialysis
    return changed


# --- screening trials ----------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ScreeningTrialRecord:
    """One intrathecal screening bolus of a patient as recorded: the dose (its ``given_at`` an instant; the
    dose one of :data:`SCREENING_TRIAL_DOSES_MCG`), the response judged and what was observed, and a note."""

    trial_id: str
    patient_id: str
    dose: ScreeningDose
    recorded_at: datetime
    recorded_by: str
    note: str = ""

    def __post_init__(self) -> None:
        _check_recorded(self, "trial_id")
        require(isinstance(self.dose, ScreeningDose), "dose", "a screening dose", self.dose)
        _require_instant(self.dose.given_at, "given_at")
        require(
            self.dose.dose_mcg in SCREENING_TRIAL_DOSES_MCG,
            "dose_mcg",
            "a screening bolus of " + ", ".join(f"{d:g}" for d in SCREENING_TRIAL_DOSES_MCG) + " mcg",
            self.dose.dose_mcg,
        )
        _check_text(self.note, "note", MAX_OBSERVATION_NOTE_LENGTH)

    @property
    def given_at(self) -> datetime:
        assert self.dose.given_at is not None  # checked
        return self.dose.given_at

    def to_dict(self) -> dict[str, Any]:
        dose = self.dose.to_dict()
        return {
            "trial_id": self.trial_id,
            "patient_id": self.patient_id,
            **dose,
            "recorded_at": self.recorded_at.isoformat(),
            "recorded_by": self.recorded_by,
            "note": self.note,
        }


def check_effect_duration(value: object, field: str = "effect_duration_hours") -> float:
    """How long a test bolus's effect lasted, hours (0 to the screening module's plausibility bound)."""
    return require_finite_number(value, field, minimum=0.0, maximum=MAX_EFFECT_DURATION_HOURS)


# --- outcome scores ------------------------------------------------------------------------------------------------
#: A value of one outcome score: a Modified Ashworth grade (one muscle group), a Penn score, or a 0-10 rating.
ScoreValue = AshworthGrade | PennSpasmScore | NrsScore


def parse_score_value(scale: Scale, value: object, field: str = "value") -> ScoreValue:
    """One value on ``scale``: a Modified Ashworth grade (``0``-``4``, ``1+``), a Penn score (``F`` or ``F:S``)
    or a 0-10 rating; an error names ``field`` and what the scale expects.

    >>> parse_score_value(Scale.MODIFIED_ASHWORTH, "1+"), parse_score_value(Scale.NRS_PAIN, 6.5).value
    (<AshworthGrade.G1_PLUS: '1+'>, 6.5)
    """
    if isinstance(value, (AshworthGrade, PennSpasmScore, NrsScore)):
        parsed: Any = value
    else:
        parsed = parse_scale_value(value, field, scale)
        if isinstance(parsed, tuple):  # Ashworth grades of several groups: one score is one group
            require(len(parsed) == 1, field, "one Modified Ashworth grade (one muscle group per score)", value)
            parsed = parsed[0]
    expected = {Scale.MODIFIED_ASHWORTH: AshworthGrade, Scale.PENN: PennSpasmScore}.get(scale, NrsScore)
    require(isinstance(parsed, expected), field, f"a value on the {scale.value} scale", value)
    if isinstance(parsed, NrsScore):
        require(parsed.domain is scale.nrs_domain, field, f"a value on the {scale.value} scale", value)
    result: ScoreValue = parsed
    return result


def score_text(value: ScoreValue) -> str:
    """A score's value as text (``1+``, ``3:2``, ``6.5``): what is stored and shown."""
    if isinstance(value, AshworthGrade):
        return value.value
    if isinstance(value, PennSpasmScore):
        return str(value)
    return repr(value.value)


@dataclass(frozen=True, slots=True)
class OutcomeScoreRecord:
    """One outcome score of a patient assessed on ``assessed_on``: the scale, its value (checked against the
    scale's range, naming ``value``) and, for a Modified Ashworth grade, the muscle group rated (given only there).
    """

    score_id: str
    patient_id: str
    assessed_on: date
    scale: Scale
    value: ScoreValue
    recorded_at: datetime
    recorded_by: str
    muscle_group: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        _check_recorded(self, "score_id")
        _require_day(self.assessed_on, "assessed_on")
        object.__setattr__(self, "scale", parse_scale(self.scale))
        object.__setattr__(self, "value", parse_score_value(self.scale, self.value))
        if self.muscle_group is not None:
            require(
                self.scale is Scale.MODIFIED_ASHWORTH,
                "muscle_group",
                "given only with a Modified Ashworth grade",
                self.muscle_group,
            )
            _check_text(self.muscle_group, "muscle_group", MAX_MUSCLE_GROUP_LENGTH, empty=False)
        _check_text(self.note, "note", MAX_OBSERVATION_NOTE_LENGTH)

    @property
    def text(self) -> str:
        return score_text(self.value)

    def to_dict(self) -> dict[str, Any]:
        value = self.value
        return {
            "score_id": self.score_id,
            "patient_id": self.patient_id,
            "assessed_on": self.assessed_on.isoformat(),
            "scale": self.scale.value,
            "value": value.value if isinstance(value, NrsScore) else score_text(value),
            "muscle_group": self.muscle_group,
            "recorded_at": self.recorded_at.isoformat(),
            "recorded_by": self.recorded_by,
            "note": self.note,
        }
