"""Use cases of a patient's dated histories: record covariates observed, an ITB screening trial, an outcome score.

Each takes a unit of work and one typed command (:mod:`baclofen.services.commands`) and reads no clock (the
command says when it was recorded and by whom). Records are only ever appended: a wrong value is corrected by a
newer observation (on the same date: the later recorded wins, :func:`~baclofen.domain.clinic.observations.snapshot_on`).

The patient record keeps the covariates in effect today: storing an observation updates the record's weight,
kidney function and dialysis to those in effect on the day it was recorded (an observation back-dated behind a
newer one changes only the past). Replacing a patient's record (``PUT /patients/{id}``,
:func:`observe_replaced_patient`) appends an observation, dated the day of the change, of each covariate it changed,
so that the history and the record agree; a covariate left out of the replacement is not an observation: the
record keeps its last observed value (the record always shows what the stored timeline uses today).

Raises
------
InvalidInputError
    An invalid field, named (``weight_kg``, ``dose_mcg``, ``value``, ``muscle_group``...), or a serum creatinine
    the patient's age, weight and sex do not come with (``serum_creatinine_mg_dl``).
NotFoundError
    No record of the patient.
ConflictError
    The same record already stored, or another unit of work's concurrent change of the patient.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from baclofen.domain.clinic.observations import (
    CovariateObservation,
    OutcomeScoreRecord,
    ScreeningTrialRecord,
    covariates_changed,
    observation_id,
    snapshot_on,
)
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import PatientRecord
from baclofen.services.commands import RecordCovariates, RecordOutcomeScore, RecordScreeningTrial
from baclofen.services.ports import UnitOfWork

__all__ = [
    "observe_replaced_patient",
    "record_covariates",
    "record_outcome_score",
    "record_screening_trial",
]

_COVARIATE_FIELDS = ("weight_kg", "serum_creatinine_mg_dl", "crcl_ml_min", "egfr_ml_min_1_73m2", "dialysis")


def _current(record: PatientRecord, observations: Sequence[CovariateObservation], today: date) -> PatientSnapshot:
    """The record's snapshot with the covariates in effect ``today`` (checked as a whole, naming the field)."""
    return snapshot_on(record.snapshot, observations, today)


def record_covariates(uow: UnitOfWork, command: RecordCovariates) -> CovariateObservation:
    """Append an observation of the patient's covariates and keep the record's current covariates in step."""
    c = command
    values = {name: getattr(c, name) for name in _COVARIATE_FIELDS}
    observation = CovariateObservation(
        observation_id("C", c.patient_id, c.recorded_at, c.observed_on, *values.values()),
        c.patient_id,
        c.observed_on,
        c.recorded_at,
        c.recorded_by,
        **values,
    )
    with uow:
        record = uow.patients.get(c.patient_id)
        history = (*uow.covariates.for_patient(c.patient_id), observation)
        snapshot_on(record.snapshot, history, c.observed_on)  # the patient as observed: a valid snapshot
        current = _current(record, history, c.recorded_at.date())
        uow.covariates.add(observation)
        if current != record.snapshot:
            uow.patients.update(replace(record, snapshot=current))
        uow.commit()
    return observation


def observe_replaced_patient(
    uow: UnitOfWork, before: PatientRecord, after: PatientRecord, *, by: str, at: datetime
) -> tuple[PatientRecord, CovariateObservation | None]:
    """Inside ``uow``'s block, as ``before`` is replaced by ``after``: append an observation, dated ``at``'s day, of
    each covariate ``after`` changed (None when none changed), and give back the record to store: ``after`` with
    the covariates in effect that day (a covariate ``after`` leaves out keeps its last observed value).

    Raises ``InvalidInputError`` when that is not a valid snapshot (naming the field)."""
    history = uow.covariates.for_patient(after.patient_id)
    changed = covariates_changed(before.snapshot, after.snapshot)
    observation = None
    if changed:
        observation = CovariateObservation(
            observation_id("C", after.patient_id, at, at.date(), *changed.items()),
            after.patient_id,
            at.date(),
            at,
            by,
            **changed,
        )
        history = (*history, observation)
    current = replace(after, snapshot=_current(after, history, at.date()))
    if observation is not None:
        uow.covariates.add(observation)
    return current, observation


def record_screening_trial(uow: UnitOfWork, command: RecordScreeningTrial) -> ScreeningTrialRecord:
    """Append a screening bolus to the patient's trials."""
    c = command
    d = c.dose
    trial = ScreeningTrialRecord(
        observation_id("T", c.patient_id, c.recorded_at, d.given_at, d.dose_mcg, d.responded),
        c.patient_id,
        d,
        c.recorded_at,
        c.recorded_by,
        c.note,
    )
    with uow:
        uow.patients.get(c.patient_id)
        uow.screening_trials.add(trial)
        uow.commit()
    return trial


def record_outcome_score(uow: UnitOfWork, command: RecordOutcomeScore) -> OutcomeScoreRecord:
    """Append an outcome score to the patient's scores."""
    c = command
    score = OutcomeScoreRecord(
        observation_id("S", c.patient_id, c.recorded_at, c.assessed_on, c.scale.value, c.value, c.muscle_group),
        c.patient_id,
        c.assessed_on,
        c.scale,
        c.value,
        c.recorded_at,
        c.recorded_by,
        muscle_group=c.muscle_group,
        note=c.note,
    )
    with uow:
        uow.patients.get(c.patient_id)
        uow.scores.add(score)
        uow.commit()
    return score
