"""A patient's dated histories on every store (memory, SQLite, PostgreSQL: the contract suite's units of work): the
use cases record covariates, trials and scores and keep the record's covariates those in effect today; the stored
timeline reads the covariates in effect at its as_of; the databases themselves refuse to rewrite a history
(the triggers of migration 0004)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from baclofen.adapters.sql import SqlUnitOfWork, create_database_engine, upgrade_database
from baclofen.domain.cds.scales import AshworthGrade, PennSpasmScore, Scale
from baclofen.domain.clinic.timeline import stored_timeline
from baclofen.domain.errors import ConflictError, InvalidInputError, NotFoundError
from baclofen.domain.itb.screening import ScreeningDose
from baclofen.domain.patient import PatientSnapshot, Sex
from baclofen.domain.records import PatientRecord
from baclofen.services.clinic import raise_alerts_for_patient
from baclofen.services.commands import RaiseAlerts, RecordCovariates, RecordOutcomeScore, RecordScreeningTrial
from baclofen.services.histories import record_covariates, record_outcome_score, record_screening_trial
from tests.contracts.conftest import migrated_postgres, migrated_sqlite_file, new_uow
from tests.databases import postgres_schema

__all__ = ["migrated_postgres", "migrated_sqlite_file", "new_uow"]  # the fixtures of the contract suite

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
NURSE = "nurse:n.one"


def _patient(new_uow, snapshot: PatientSnapshot | None = None) -> None:
    with new_uow() as uow:
        uow.patients.add(PatientRecord("P-1", snapshot or PatientSnapshot(age_years=60, weight_kg=90, sex=Sex.MALE)))
        uow.commit()


def _covariates(on: date, at: datetime = NOW, **values) -> RecordCovariates:
    return RecordCovariates("P-1", on, at, NURSE, **values)


def test_covariates_over_time_keep_the_record_current_and_the_timeline_at_its_as_of(new_uow) -> None:
    _patient(new_uow)

    record_covariates(new_uow(), _covariates(date(2026, 1, 5), NOW - timedelta(days=60), crcl_ml_min=70))
    record_covariates(new_uow(), _covariates(date(2026, 3, 1), crcl_ml_min=25, weight_kg=84))
    record_covariates(new_uow(), _covariates(date(2025, 12, 1), NOW + timedelta(minutes=1), weight_kg=95))  # past
    with new_uow() as uow:
        record = uow.patients.get("P-1")
        history = uow.covariates.for_patient("P-1")
    in_february = stored_timeline(record, (), (), datetime(2026, 2, 1, 9, 0, tzinfo=UTC), history)
    raised = raise_alerts_for_patient(new_uow(), RaiseAlerts("P-1", datetime(2026, 2, 1, 9, 0, tzinfo=UTC)))

    assert (record.snapshot.crcl_ml_min, record.snapshot.weight_kg, record.snapshot.age_years) == (25.0, 84.0, 60)
    assert [o.observed_on for o in history] == [date(2025, 12, 1), date(2026, 1, 5), date(2026, 3, 1)]
    assert (in_february.document["patient"]["crcl_ml_min"], in_february.document["patient"]["weight_kg"]) == (70, 95)
    assert any(line.startswith(f"covariates {history[-1].observation_id}") for line in raised.omitted)


def test_a_creatinine_without_the_sex_it_needs_is_refused_and_nothing_is_stored(new_uow) -> None:
    _patient(new_uow, PatientSnapshot(age_years=60))

    with pytest.raises(InvalidInputError) as caught:
        record_covariates(new_uow(), _covariates(date(2026, 3, 1), serum_creatinine_mg_dl=1.3))

    assert caught.value.field == "serum_creatinine_mg_dl"
    with new_uow() as uow:
        assert uow.covariates.for_patient("P-1") == ()


def test_the_same_observation_twice_is_a_conflict_and_an_unknown_patient_is_not_found(new_uow) -> None:
    _patient(new_uow)
    record_covariates(new_uow(), _covariates(date(2026, 3, 1), weight_kg=84))

    with pytest.raises(ConflictError):
        record_covariates(new_uow(), _covariates(date(2026, 3, 1), weight_kg=84))
    with pytest.raises(NotFoundError):
        record_covariates(new_uow(), RecordCovariates("P-404", date(2026, 3, 1), NOW, NURSE, weight_kg=84))


def test_trials_and_scores_are_stored_per_patient_oldest_first(new_uow) -> None:
    _patient(new_uow)
    for hours, dose in ((48, 50.0), (24, 75.0)):
        given = ScreeningDose(dose, dose == 75.0, given_at=NOW - timedelta(hours=hours), effect_duration_hours=4)
        record_screening_trial(new_uow(), RecordScreeningTrial("P-1", given, NOW, "clinician:c"))
    score = RecordOutcomeScore(
        "P-1", date(2026, 3, 9), Scale.MODIFIED_ASHWORTH, AshworthGrade.G2, NOW, NURSE, "right knee extensors"
    )
    record_outcome_score(new_uow(), score)

    with new_uow() as uow:
        trials = uow.screening_trials.for_patient("P-1")
        (stored,) = uow.scores.for_patient("P-1")

    assert [(t.dose.dose_mcg, t.dose.responded) for t in trials] == [(50.0, False), (75.0, True)]
    assert (stored.value, stored.muscle_group, stored.recorded_by) == (AshworthGrade.G2, "right knee extensors", NURSE)


# --- the databases keep the histories append-only --------------------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def stored(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    def fill(engine: Engine) -> Engine:
        upgrade_database(engine)
        _patient(lambda: SqlUnitOfWork(engine))
        record_covariates(SqlUnitOfWork(engine), _covariates(date(2026, 3, 1), weight_kg=84))
        given = ScreeningDose(50, False, given_at=NOW)
        record_screening_trial(SqlUnitOfWork(engine), RecordScreeningTrial("P-1", given, NOW, "clinician:c"))
        spasms = RecordOutcomeScore("P-1", date(2026, 3, 9), Scale.PENN, PennSpasmScore(2, 1), NOW, NURSE)
        record_outcome_score(SqlUnitOfWork(engine), spasms)
        return engine

    if request.param == "sqlite":
        engine = create_database_engine(f"sqlite:///{tmp_path / 'baclofen.sqlite3'}")
        yield fill(engine)
        engine.dispose()
    else:
        with postgres_schema() as engine:
            yield fill(engine)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE covariate_observations SET weight_kg = 50",
        "DELETE FROM covariate_observations",
        "UPDATE screening_trials SET responded = TRUE",
        "DELETE FROM screening_trials",
        "UPDATE outcome_scores SET value = '4:3'",
        "DELETE FROM outcome_scores",
    ],
)
def test_the_database_refuses_to_rewrite_a_history(stored, statement) -> None:
    with pytest.raises(DBAPIError, match="append-only"), stored.begin() as connection:
        connection.execute(text(statement))

    with SqlUnitOfWork(stored) as uow:
        assert uow.covariates.for_patient("P-1")[0].weight_kg == 84.0
        assert not uow.screening_trials.for_patient("P-1")[0].dose.responded
        assert str(uow.scores.for_patient("P-1")[0].value) == "2:1"
