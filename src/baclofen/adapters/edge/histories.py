"""A patient's dated histories from text (the REST API's JSON bodies): covariates observed, a screening trial, an
outcome score; every field read and every invalid one reported at once, none dated in the future.

>>> from datetime import datetime, timezone
>>> now = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
>>> record_covariates_command(patient_id="P-1", observed_on="2026-03-09", recorded_at=now, recorded_by="nurse:a",
...                           weight_kg=81.5, egfr_ml_min_1_73m2=40).observed_on
datetime.date(2026, 3, 9)
>>> record_outcome_score_command(patient_id="P-1", assessed_on="2026-03-09", scale="MAS", value="1+",
...                              muscle_group="left elbow flexors", recorded_at=now, recorded_by="nurse:a").value
<AshworthGrade.G1_PLUS: '1+'>
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from baclofen.adapters.edge.collect import InputCollector
from baclofen.adapters.edge.text import parse_date, parse_datetime
from baclofen.domain.cds.scales import Scale, parse_scale
from baclofen.domain.clinic.observations import (
    MAX_MUSCLE_GROUP_LENGTH,
    MAX_OBSERVATION_NOTE_LENGTH,
    SCREENING_TRIAL_DOSES_MCG,
    check_covariate,
    check_effect_duration,
    parse_score_value,
)
from baclofen.domain.dates import require_not_after
from baclofen.domain.errors import InvalidInputError, require
from baclofen.domain.itb.screening import ScreeningDose, ashworth_points
from baclofen.domain.records import check_record_id
from baclofen.services.commands import RecordCovariates, RecordOutcomeScore, RecordScreeningTrial

__all__ = ["record_covariates_command", "record_outcome_score_command", "record_screening_trial_command"]


def _not_after(fields: InputCollector, value: date | datetime | None, now: datetime, field: str, given: Any) -> None:
    """An observation reports what was, never what will be: on or before ``now`` (its day, for a date)."""
    if value is not None:
        fields.check(require_not_after, value, now, field, given)


def _instant(value: str | datetime, field: str) -> datetime:
    moment = parse_datetime(value, field)
    if moment.utcoffset() is None:
        raise InvalidInputError(field, "a date and time with its UTC offset (e.g. 2026-03-09T14:00+01:00)", value)
    return moment


def _text(value: object, field: str, max_length: int) -> str:
    require(isinstance(value, str), field, "a text", value)
    assert isinstance(value, str)
    text = value.strip()
    ok = len(text) <= max_length and all(c.isprintable() or c in "\n\t" for c in text)
    require(ok, field, f"a text of at most {max_length} printable characters", value)
    return text


def record_covariates_command(
    *,
    patient_id: str,
    observed_on: str | date,
    recorded_at: datetime,
    recorded_by: str,
    weight_kg: float | None = None,
    serum_creatinine_mg_dl: float | None = None,
    crcl_ml_min: float | None = None,
    egfr_ml_min_1_73m2: float | None = None,
    dialysis: bool | None = None,
) -> RecordCovariates:
    """:class:`RecordCovariates` from text: ``observed_on`` a date (not after ``recorded_at``'s day), each number
    within the bounds :class:`~baclofen.domain.patient.PatientSnapshot` takes (naming its field), at most one kidney
    function, at least one covariate."""
    fields = InputCollector()
    fields.check(check_record_id, patient_id, "patient_id")
    on = fields.read(parse_date, observed_on, "observed_on")
    _not_after(fields, on, recorded_at, "observed_on", observed_on)
    numbers = {
        "weight_kg": weight_kg,
        "serum_creatinine_mg_dl": serum_creatinine_mg_dl,
        "crcl_ml_min": crcl_ml_min,
        "egfr_ml_min_1_73m2": egfr_ml_min_1_73m2,
    }
    for name, value in numbers.items():  # each on its own: every invalid number is reported
        fields.read(check_covariate, value, name)
    if dialysis is not None and not isinstance(dialysis, bool):
        fields.add(InvalidInputError("dialysis", "true or false", dialysis))
    kidney = [name for name in numbers if name != "weight_kg" and numbers[name] is not None]
    if len(kidney) > 1:
        fields.add(InvalidInputError("kidney function", "only one of serum creatinine, CrCl or eGFR", kidney))
    if not fields.failed() and all(v is None for v in (*numbers.values(), dialysis)):
        fields.add(
            InvalidInputError("weight_kg", "at least one covariate (weight, a kidney function or dialysis)", None)
        )
    fields.raise_errors()
    assert on is not None
    return RecordCovariates(patient_id, on, recorded_at, recorded_by, dialysis=dialysis, **numbers)


def _grade_points(value: object, field: str) -> float:
    return ashworth_points(value, field)


def _penn_frequency(value: object, field: str) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 4
    require(ok, field, "a Penn spasm frequency score 0-4", value)
    assert isinstance(value, int)
    return value


def _dose(value: object, field: str) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value in SCREENING_TRIAL_DOSES_MCG
    expected = "a screening bolus of " + ", ".join(f"{d:g}" for d in SCREENING_TRIAL_DOSES_MCG) + " mcg"
    require(ok, field, expected, value)
    assert isinstance(value, (int, float))
    return float(value)


def record_screening_trial_command(
    *,
    patient_id: str,
    given_at: str | datetime,
    dose_mcg: float,
    responded: bool,
    recorded_at: datetime,
    recorded_by: str,
    effect_duration_hours: float | None = None,
    negative_reactions: bool = False,
    ashworth_before: str | int | None = None,
    ashworth_after: str | int | None = None,
    spasm_frequency_before: int | None = None,
    spasm_frequency_after: int | None = None,
    note: str = "",
) -> RecordScreeningTrial:
    """:class:`RecordScreeningTrial` from text: ``given_at`` a date-time with its UTC offset (not after
    ``recorded_at``), the dose a bolus of the ladder (25, 50, 75, 100 mcg), Modified Ashworth grades ``0``-``4`` or
    ``1+`` before and after, Penn spasm frequencies 0-4."""
    fields = InputCollector()
    fields.check(check_record_id, patient_id, "patient_id")
    at = fields.read(_instant, given_at, "given_at")
    _not_after(fields, at, recorded_at, "given_at", given_at)
    dose = fields.read(_dose, dose_mcg, "dose_mcg")
    for name, flag in (("responded", responded), ("negative_reactions", negative_reactions)):
        if not isinstance(flag, bool):
            fields.add(InvalidInputError(name, "true or false", flag))
    hours = fields.read(check_effect_duration, effect_duration_hours, "effect_duration_hours")
    before = fields.read(_grade_points, ashworth_before, "ashworth_before")
    after = fields.read(_grade_points, ashworth_after, "ashworth_after")
    penn_before = fields.read(_penn_frequency, spasm_frequency_before, "spasm_frequency_before")
    penn_after = fields.read(_penn_frequency, spasm_frequency_after, "spasm_frequency_after")
    text = fields.read(_text, note, "note", MAX_OBSERVATION_NOTE_LENGTH)
    fields.raise_errors()
    assert at is not None and dose is not None
    screening = ScreeningDose(
        dose,
        responded,
        given_at=at,
        effect_duration_hours=hours,
        negative_reactions=negative_reactions,
        ashworth_before=before,
        ashworth_after=after,
        spasm_frequency_before=penn_before,
        spasm_frequency_after=penn_after,
    )
    return RecordScreeningTrial(patient_id, screening, recorded_at, recorded_by, text or "")


def record_outcome_score_command(
    *,
    patient_id: str,
    assessed_on: str | date,
    scale: str | Scale,
    value: str | float,
    recorded_at: datetime,
    recorded_by: str,
    muscle_group: str | None = None,
    note: str = "",
) -> RecordOutcomeScore:
    """:class:`RecordOutcomeScore` from text: ``assessed_on`` a date (not after ``recorded_at``'s day), ``scale``
    by name (``modified-ashworth``/``mas``, ``penn``/``psfs``, ``nrs-spasticity``, ``nrs-pain``, ``nrs-sleep``),
    ``value`` on that scale (checked against its range, naming ``value``), ``muscle_group`` only for a Modified
    Ashworth grade."""
    fields = InputCollector()
    fields.check(check_record_id, patient_id, "patient_id")
    on = fields.read(parse_date, assessed_on, "assessed_on")
    _not_after(fields, on, recorded_at, "assessed_on", assessed_on)
    found = fields.read(lambda v, f: parse_scale(v), scale, "scale")
    read = fields.read(lambda v, f: parse_score_value(found, v, f), value, "value") if found else None
    group = fields.read(_text, muscle_group, "muscle_group", MAX_MUSCLE_GROUP_LENGTH)
    if muscle_group is not None and found is not None and found is not Scale.MODIFIED_ASHWORTH:
        fields.add(InvalidInputError("muscle_group", "given only with a Modified Ashworth grade", muscle_group))
    elif muscle_group is not None and group == "":
        fields.add(InvalidInputError("muscle_group", "the muscle group rated (a text), or left out", muscle_group))
    text = fields.read(_text, note, "note", MAX_OBSERVATION_NOTE_LENGTH)
    fields.raise_errors()
    assert on is not None and found is not None and read is not None
    return RecordOutcomeScore(patient_id, on, found, read, recorded_at, recorded_by, group, text or "")
