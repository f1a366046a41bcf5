"""Contract of the patients' dated histories (covariate observations, screening trials, outcome scores): records
come back whole in their zones, a patient's are listed oldest first and only theirs, an identifier is stored once
(also between concurrent units of work), nothing uncommitted is stored, and a stored record cannot change.

Runs on each adapter of ``conftest.UNITS_OF_WORK`` (memory, SQLite, PostgreSQL).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from baclofen.domain.cds.scales import AshworthGrade, NrsDomain, NrsScore, PennSpasmScore, Scale
from baclofen.domain.clinic.observations import CovariateObservation, OutcomeScoreRecord, ScreeningTrialRecord
from baclofen.domain.errors import ConflictError, NotFoundError
from baclofen.domain.itb.screening import ScreeningDose

AT = datetime(2026, 3, 9, 20, 0, tzinfo=ZoneInfo("Europe/Paris"))
NURSE = "nurse:n.one"

WEIGHT = CovariateObservation("C-2", "P-1", date(2026, 3, 1), AT, NURSE, weight_kg=81.5, dialysis=False)
KIDNEY = CovariateObservation("C-1", "P-1", date(2026, 2, 1), AT, NURSE, egfr_ml_min_1_73m2=42.0)
CORRECTION = CovariateObservation(
    "C-0", "P-1", date(2026, 3, 1), AT + timedelta(hours=1), "clinician:c.one", weight_kg=80.5
)
OTHER_COVARIATE = CovariateObservation("C-9", "P-2", date(2026, 1, 1), AT, NURSE, crcl_ml_min=60)

TRIAL_50 = ScreeningTrialRecord(
    "T-2",
    "P-1",
    ScreeningDose(
        50,
        False,
        given_at=datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("America/New_York")),
        effect_duration_hours=2.5,
        ashworth_before=3,
        ashworth_after=2.5,
        spasm_frequency_before=3,
        spasm_frequency_after=3,
    ),
    AT,
    "clinician:c.one",
    note="mild effect\nretry 75",
)
TRIAL_75 = ScreeningTrialRecord(
    "T-1",
    "P-1",
    ScreeningDose(75, True, given_at=datetime(2026, 3, 3, 9, 0, tzinfo=UTC), negative_reactions=True),
    AT,
    "clinician:c.one",
)

MAS = OutcomeScoreRecord(
    "S-3", "P-1", date(2026, 3, 1), Scale.MODIFIED_ASHWORTH, AshworthGrade.G1_PLUS, AT, NURSE, "left elbow flexors"
)
PENN = OutcomeScoreRecord("S-2", "P-1", date(2026, 3, 1), Scale.PENN, PennSpasmScore(3, 2), AT, NURSE, note="nights")
PAIN = OutcomeScoreRecord("S-1", "P-1", date(2026, 3, 5), Scale.NRS_PAIN, NrsScore(6.5, NrsDomain.PAIN), AT, NURSE)


def _add(new_uow, *records) -> None:
    with new_uow() as uow:
        for record in records:
            repository = {
                CovariateObservation: uow.covariates,
                ScreeningTrialRecord: uow.screening_trials,
                OutcomeScoreRecord: uow.scores,
            }[type(record)]
            repository.add(record)
        uow.commit()


def test_each_record_comes_back_whole_in_its_zone(new_uow) -> None:
    _add(new_uow, WEIGHT, KIDNEY, TRIAL_50, MAS, PENN, PAIN)

    with new_uow() as uow:
        assert uow.covariates.get("C-2") == WEIGHT and uow.covariates.get("C-1") == KIDNEY
        trial = uow.screening_trials.get("T-2")
        assert (uow.scores.get("S-3"), uow.scores.get("S-2"), uow.scores.get("S-1")) == (MAS, PENN, PAIN)

    assert trial == TRIAL_50
    assert trial.given_at.utcoffset() == timedelta(hours=-5) and trial.recorded_at.utcoffset() == AT.utcoffset()


def test_a_patients_records_come_oldest_first_and_only_theirs(new_uow) -> None:
    _add(new_uow, WEIGHT, OTHER_COVARIATE, TRIAL_75, PAIN, PENN)

    with new_uow() as uow:
        uow.covariates.add(KIDNEY)  # its own uncommitted records are seen, in order
        uow.covariates.add(CORRECTION)
        uow.screening_trials.add(TRIAL_50)
        uow.scores.add(MAS)
        assert [o.observation_id for o in uow.covariates.for_patient("P-1")] == ["C-1", "C-2", "C-0"]
        uow.commit()

    with new_uow() as uow:
        # observed on, then recorded at (a correction the same day comes after)
        assert [o.observation_id for o in uow.covariates.for_patient("P-1")] == ["C-1", "C-2", "C-0"]
        assert [t.trial_id for t in uow.screening_trials.for_patient("P-1")] == ["T-2", "T-1"]  # by the time given
        assert [s.score_id for s in uow.scores.for_patient("P-1")] == ["S-2", "S-3", "S-1"]  # by date, then id
        assert [o.observation_id for o in uow.covariates.for_patient("P-2")] == ["C-9"]
        assert uow.screening_trials.for_patient("P-2") == () and uow.scores.for_patient("P-3") == ()


def test_an_identifier_is_stored_once_and_an_unknown_one_is_not_found(new_uow) -> None:
    _add(new_uow, WEIGHT, TRIAL_50, MAS)

    with new_uow() as uow:
        with pytest.raises(ConflictError):
            uow.covariates.add(replace(WEIGHT, weight_kg=60))
        with pytest.raises(ConflictError):
            uow.screening_trials.add(TRIAL_50)
        with pytest.raises(ConflictError):
            uow.scores.add(MAS)
        for repository in (uow.covariates, uow.screening_trials, uow.scores):
            with pytest.raises(NotFoundError):
                repository.get("X-404")


def test_two_concurrent_records_with_one_id_cannot_both_commit(new_uow) -> None:
    first, second = new_uow(), new_uow()

    with first, second:
        first.covariates.add(WEIGHT)
        first.scores.add(PAIN)
        second.scores.add(PENN)
        second.covariates.add(replace(WEIGHT, weight_kg=99))
        first.commit()
        with pytest.raises(ConflictError):
            second.commit()

    with new_uow() as uow:  # nothing of the second is stored
        assert uow.covariates.get("C-2").weight_kg == 81.5 and uow.scores.for_patient("P-1") == (PAIN,)


def test_records_not_committed_are_not_stored(new_uow) -> None:
    with new_uow() as uow:
        uow.covariates.add(WEIGHT)
        uow.screening_trials.add(TRIAL_50)
        uow.scores.add(MAS)

    with new_uow() as uow:
        assert uow.covariates.for_patient("P-1") == ()
        assert uow.screening_trials.for_patient("P-1") == () and uow.scores.for_patient("P-1") == ()


def test_a_record_of_another_kind_is_refused(new_uow) -> None:
    with new_uow() as uow, pytest.raises(TypeError, match="covariate observation"):
        uow.covariates.add(MAS)  # type: ignore[arg-type]


def test_the_repositories_exist_only_inside_the_unit_of_work(new_uow) -> None:
    uow = new_uow()
    with pytest.raises(Exception, match="inside 'with unit_of_work:'"):
        uow.covariates.for_patient("P-1")
