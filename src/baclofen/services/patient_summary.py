"""What a clinician sees of one patient, gathered once: the stored records, the risk engine's assessment, the
current pump and its reservoir forecast, the active plan, recent scores, a summary of the recent diary and the
open alerts. The clinician's patient page and the printed visit summary (PDF) show this one gathering.

The caller checks that the patient is visible to whoever asks (:func:`read_patient_records` runs inside the
caller's unit of work, after that check); nothing here reads the clock: ``as_of`` is passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from baclofen.domain.clinic.alerts import Alert
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.clinic.observations import CovariateObservation, OutcomeScoreRecord, ScreeningTrialRecord
from baclofen.domain.clinic.regimens import ProgramChangeRecord, ProgramInEffect, SavedPlan, program_in_effect
from baclofen.domain.clinic.timeline import current_pump
from baclofen.domain.itb.reservoir import ReservoirForecast
from baclofen.domain.records import PatientRecord, PumpRecord
from baclofen.services import itb
from baclofen.services.clinic import PatientRisk
from baclofen.services.ports import SettingsProvider, UnitOfWork

__all__ = [
    "DIARY_SUMMARY_DAYS",
    "RECENT_SCORES",
    "DiarySummary",
    "PatientRecords",
    "PatientSummary",
    "read_patient_records",
    "summarize_diary",
    "summarize_patient",
]

#: The days of diary a visit summary sums up (the last four weeks before ``as_of``).
DIARY_SUMMARY_DAYS = 28
#: The most recent outcome scores a visit summary lists.
RECENT_SCORES = 10


@dataclass(frozen=True, slots=True)
class PatientRecords:
    """A patient's stored records: pumps, saved plans, program changes, screening trials, diary entries, covariate
    observations, outcome scores and the active (open or acknowledged) alerts."""

    record: PatientRecord
    pumps: tuple[PumpRecord, ...]
    plans: tuple[SavedPlan, ...]
    changes: tuple[ProgramChangeRecord, ...]
    trials: tuple[ScreeningTrialRecord, ...]
    diary: tuple[DiaryEntryRecord, ...]
    covariates: tuple[CovariateObservation, ...]
    scores: tuple[OutcomeScoreRecord, ...]
    alerts: tuple[Alert, ...] = ()


def read_patient_records(uow: UnitOfWork, record: PatientRecord) -> PatientRecords:
    """The stored records of the patient ``record`` (read inside the caller's open unit of work)."""
    patient_id = record.patient_id
    pumps = uow.pumps.for_patient(patient_id)
    return PatientRecords(
        record,
        pumps,
        uow.plans.for_patient(patient_id),
        tuple(c for p in pumps for c in uow.program_changes.for_pump(p.pump_id)),
        uow.screening_trials.for_patient(patient_id),
        uow.diary.for_patient(patient_id),
        uow.covariates.for_patient(patient_id),
        uow.scores.for_patient(patient_id),
        uow.alerts.for_patient(patient_id, active_only=True),
    )


@dataclass(frozen=True, slots=True)
class DiarySummary:
    """The diary entries recorded from ``since`` to ``until``: how many, the doses taken and missed they report,
    the mean of each 0-10 rating given (None: none given) and each symptom reported with the entries naming it."""

    since: datetime
    until: datetime
    entries: int
    doses_taken: int
    doses_missed: int
    mean_stiffness_nrs: float | None
    mean_pain_nrs: float | None
    mean_sleep_nrs: float | None
    symptoms: tuple[tuple[str, int], ...]


def _mean(values: Sequence[float | None]) -> float | None:
    given = [v for v in values if v is not None]
    return round(sum(given) / len(given), 1) if given else None


def summarize_diary(
    entries: Sequence[DiaryEntryRecord], as_of: datetime, days: int = DIARY_SUMMARY_DAYS
) -> DiarySummary:
    """The :class:`DiarySummary` of the entries recorded in the ``days`` days up to ``as_of``."""
    since = as_of - timedelta(days=days)
    recent = [e for e in entries if since <= e.recorded_at <= as_of]
    counts: dict[str, int] = {}
    for entry in recent:
        for symptom in entry.symptoms:
            counts[symptom.value] = counts.get(symptom.value, 0) + 1
    return DiarySummary(
        since,
        as_of,
        len(recent),
        sum(e.doses_taken or 0 for e in recent),
        sum(e.doses_missed for e in recent),
        _mean([e.stiffness_nrs for e in recent]),
        _mean([e.pain_nrs for e in recent]),
        _mean([e.sleep_nrs for e in recent]),
        tuple(sorted(counts.items())),
    )


@dataclass(frozen=True, slots=True)
class PatientSummary:
    """One patient at ``as_of``: the records, the risk assessment, the current pump and its forecast, the active
    saved plan (the latest), the latest covariates, the recent scores and the diary summary."""

    as_of: datetime
    records: PatientRecords
    risk: PatientRisk
    pump: PumpRecord | None
    forecast: ReservoirForecast | None
    active_plan: SavedPlan | None
    diary: DiarySummary

    @property
    def program_in_effect(self) -> ProgramInEffect | None:
        """The program the current pump runs at ``as_of`` (its last fill's or a later change's), with the
        concentration it delivers; None: no pump, or no fill with a program."""
        if self.pump is None:
            return None
        return program_in_effect(self.pump, self.records.changes, self.as_of)

    @property
    def covariates(self) -> tuple[CovariateObservation, ...]:
        """Covariate observations, oldest first."""
        return tuple(sorted(self.records.covariates, key=lambda c: (c.observed_on, c.recorded_at)))

    @property
    def scores(self) -> tuple[OutcomeScoreRecord, ...]:
        """Outcome scores, oldest first."""
        return tuple(sorted(self.records.scores, key=lambda s: (s.assessed_on, s.recorded_at)))

    @property
    def recent_scores(self) -> tuple[OutcomeScoreRecord, ...]:
        """The latest :data:`RECENT_SCORES` outcome scores, oldest first."""
        return self.scores[-RECENT_SCORES:]


def summarize_patient(
    records: PatientRecords, risk: PatientRisk, as_of: datetime, *, clinic: SettingsProvider | None = None
) -> PatientSummary:
    """The :class:`PatientSummary` of ``records`` with the risk assessment ``risk`` made at ``as_of``."""
    pump = current_pump(records.pumps)
    forecast = None if pump is None else itb.forecast_last_fill(pump, as_of, clinic=clinic, changes=records.changes)
    active = max(records.plans, key=lambda p: p.seq) if records.plans else None
    return PatientSummary(as_of, records, risk, pump, forecast, active, summarize_diary(records.diary, as_of))
