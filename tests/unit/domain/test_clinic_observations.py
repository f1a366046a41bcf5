"""A patient's dated histories (issue 11 item 3): covariates over time and the snapshot in effect on a date,
screening trials on the ladder, outcome scores checked against their scale; the stored timeline uses the
covariates in effect at its as_of."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from baclofen.domain.cds.scales import AshworthGrade, PennSpasmScore, Scale
from baclofen.domain.clinic.observations import (
    CovariateObservation,
    OutcomeScoreRecord,
    ScreeningTrialRecord,
    covariates_changed,
    snapshot_on,
)
from baclofen.domain.clinic.timeline import stored_timeline
from baclofen.domain.clinic.worklist import PatientCase, compute_worklist
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.screening import ScreeningDose
from baclofen.domain.patient import PatientSnapshot, Sex
from baclofen.domain.records import PatientRecord

AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
BASE = PatientSnapshot(age_years=60, weight_kg=90, sex=Sex.MALE, crcl_ml_min=80)


def obs(obs_id: str, on: date, recorded: datetime = AT, **covariates) -> CovariateObservation:
    return CovariateObservation(obs_id, "P-1", on, recorded, "nurse:n.one", **covariates)


JAN = obs("C-1", date(2026, 1, 10), weight_kg=85, crcl_ml_min=70)
FEB = obs("C-2", date(2026, 2, 10), egfr_ml_min_1_73m2=35)
MAR = obs("C-3", date(2026, 3, 1), dialysis=True)
HISTORY = (MAR, JAN, FEB)  # any order


@pytest.mark.parametrize(
    ("on", "weight", "crcl", "egfr", "dialysis"),
    [
        (date(2026, 1, 9), 90.0, 80.0, None, False),  # before any observation: the record's
        (date(2026, 1, 10), 85.0, 70.0, None, False),  # on the day observed
        (date(2026, 2, 9), 85.0, 70.0, None, False),
        (date(2026, 2, 10), 85.0, None, 35.0, False),  # a new kidney function replaces the other kind
        (date(2026, 3, 1), 85.0, None, 35.0, True),
        (date(2026, 12, 31), 85.0, None, 35.0, True),
    ],
)
def test_the_snapshot_on_a_date_takes_the_latest_observation_of_each_covariate(
    on, weight, crcl, egfr, dialysis
) -> None:
    snapshot = snapshot_on(BASE, HISTORY, on)

    assert (snapshot.weight_kg, snapshot.crcl_ml_min, snapshot.egfr_ml_min_1_73m2, snapshot.dialysis) == (
        weight,
        crcl,
        egfr,
        dialysis,
    )
    assert (snapshot.age_years, snapshot.sex) == (60, Sex.MALE)  # not covariates over time: the record's


def test_a_correction_is_a_later_recorded_observation_of_the_same_day() -> None:
    wrong = obs("C-9", date(2026, 1, 10), weight_kg=58)
    corrected = obs("C-0", date(2026, 1, 10), AT + timedelta(minutes=5), weight_kg=85)

    assert snapshot_on(BASE, (corrected, wrong), date(2026, 1, 10)).weight_kg == 85
    assert snapshot_on(BASE, (wrong,), date(2026, 1, 10)).weight_kg == 58  # the history itself is kept


@pytest.mark.parametrize(
    ("covariates", "field"),
    [
        ({"weight_kg": 1.0}, "weight_kg"),
        ({"weight_kg": 800}, "weight_kg"),
        ({"crcl_ml_min": -5}, "crcl_ml_min"),
        ({"egfr_ml_min_1_73m2": 900}, "egfr_ml_min_1_73m2"),
        ({"serum_creatinine_mg_dl": 0}, "serum_creatinine_mg_dl"),
        ({"weight_kg": float("nan")}, "weight_kg"),
        ({"crcl_ml_min": 50, "egfr_ml_min_1_73m2": 40}, "kidney function"),
        ({"dialysis": "yes"}, "dialysis"),
        ({}, "weight_kg"),  # nothing observed
    ],
)
def test_an_impossible_observation_is_refused_naming_the_field(covariates, field) -> None:
    with pytest.raises(InvalidInputError) as caught:
        obs("C-1", date(2026, 1, 1), **covariates)

    assert caught.value.field == field


def test_observed_and_recorded_times_are_checked() -> None:
    with pytest.raises(InvalidInputError, match="recorded_at"):
        obs("C-1", date(2026, 1, 1), datetime(2026, 1, 1, 9, 0), weight_kg=80)  # naive
    with pytest.raises(InvalidInputError, match="observed_on"):
        obs("C-1", datetime(2026, 1, 1, 9, 0, tzinfo=UTC), weight_kg=80)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="recorded_by"):
        CovariateObservation("C-1", "P-1", date(2026, 1, 1), AT, "", weight_kg=80)


def test_a_serum_creatinine_needs_age_weight_and_sex_in_the_snapshot() -> None:
    creatinine = obs("C-4", date(2026, 1, 1), serum_creatinine_mg_dl=1.4)

    assert snapshot_on(BASE, (creatinine,), date(2026, 1, 1)).kidney.crcl_ml_min is not None
    with pytest.raises(InvalidInputError) as caught:
        snapshot_on(PatientSnapshot(age_years=60), (creatinine,), date(2026, 1, 1))
    assert caught.value.field == "serum_creatinine_mg_dl"


def test_the_covariates_a_replaced_snapshot_changed() -> None:
    assert covariates_changed(BASE, BASE) == {}
    assert covariates_changed(BASE, PatientSnapshot(age_years=61, weight_kg=90, crcl_ml_min=80, sex=Sex.MALE)) == {}
    changed = covariates_changed(BASE, PatientSnapshot(weight_kg=88, egfr_ml_min_1_73m2=50, dialysis=True))
    assert changed == {
        "weight_kg": 88.0,
        "serum_creatinine_mg_dl": None,
        "crcl_ml_min": None,
        "egfr_ml_min_1_73m2": 50.0,
        "dialysis": True,
    }


def test_the_stored_timeline_uses_the_covariates_in_effect_at_as_of() -> None:
    patient = PatientRecord("P-1", BASE)
    early = stored_timeline(patient, (), (), datetime(2026, 1, 15, 9, 0, tzinfo=UTC), covariates=HISTORY)
    late = stored_timeline(patient, (), (), AT, covariates=HISTORY)

    assert (early.document["patient"]["weight_kg"], early.document["patient"]["crcl_ml_min"]) == (85.0, 70.0)
    assert "egfr_ml_min_1_73m2" not in early.document["patient"]
    assert late.document["patient"]["egfr_ml_min_1_73m2"] == 35.0 and late.document["patient"]["dialysis"] is True
    assert "crcl_ml_min" not in late.document["patient"]
    assert late.timeline().patient.kidney.dialysis
    # what was observed after as_of is named, never dropped silently
    assert any("C-2" in line and "after as_of" in line for line in early.omitted)


# --- screening trials and outcome scores -----------------------------------------------------------------------------
def trial(dose_mcg: float = 50, given_at: datetime | None = AT, **kw) -> ScreeningTrialRecord:
    return ScreeningTrialRecord(
        "T-1", "P-1", ScreeningDose(dose_mcg, False, given_at=given_at), AT, "clinician:c", **kw
    )


def test_a_screening_trial_is_a_bolus_of_the_ladder_given_at_an_instant() -> None:
    assert [trial(d).dose.volume_ml for d in (25, 50, 75, 100)] == [0.5, 1.0, 1.5, 2.0]
    with pytest.raises(InvalidInputError, match="dose_mcg"):
        trial(60)
    with pytest.raises(InvalidInputError, match="given_at"):
        trial(given_at=None)
    with pytest.raises(InvalidInputError, match="given_at"):
        trial(given_at=datetime(2026, 3, 1, 9, 0))
    assert trial(note="felt legs relax").to_dict()["volume_ml"] == 1.0


def score(scale: object, value: object, **kw) -> OutcomeScoreRecord:
    return OutcomeScoreRecord("S-1", "P-1", date(2026, 3, 1), scale, value, AT, "nurse:n", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("scale", "value", "stored"),
    [
        ("mas", "1+", AshworthGrade.G1_PLUS),
        ("modified-ashworth", 3, AshworthGrade.G3),
        ("psfs", "3:2", PennSpasmScore(3, 2)),
        ("penn", 0, PennSpasmScore(0)),
        ("nrs-pain", 6.5, 6.5),
        ("nrs-sleep", "2", 2.0),
        ("nrs", 10, 10.0),
    ],
)
def test_a_score_is_read_on_its_scale(scale, value, stored) -> None:
    record = score(scale, value)

    assert (record.value.value if record.scale.value.startswith("nrs") else record.value) == stored


@pytest.mark.parametrize(
    ("scale", "value", "field"),
    [
        ("mas", "5", "value"),
        ("mas", "1+, 2", "value"),  # one grade per muscle group
        ("penn", "0:2", "value"),
        ("penn", "5", "value"),
        ("nrs-pain", 11, "value"),
        ("nrs-spasticity", -1, "value"),
        ("nrs-pain", "much", "value"),
        ("borg", 3, "scale"),
    ],
)
def test_a_value_out_of_its_scale_is_refused_naming_the_field(scale, value, field) -> None:
    with pytest.raises(InvalidInputError) as caught:
        score(scale, value)

    assert caught.value.field == field


def test_a_muscle_group_goes_only_with_a_modified_ashworth_grade() -> None:
    assert score(Scale.MODIFIED_ASHWORTH, "2", muscle_group="right knee extensors").muscle_group is not None
    with pytest.raises(InvalidInputError, match="muscle_group"):
        score(Scale.NRS_PAIN, 3, muscle_group="right knee extensors")
    with pytest.raises(InvalidInputError, match="muscle_group"):
        score(Scale.MODIFIED_ASHWORTH, "2", muscle_group=" ")


def test_the_worklist_reads_each_patients_covariates_at_its_as_of() -> None:
    case = PatientCase("P-1", PatientRecord("P-1", BASE), covariates=HISTORY)

    worklist = compute_worklist((case,), datetime(2026, 2, 15, 9, 0, tzinfo=UTC), 7)

    assert [line.split(":")[0] for line in worklist.omitted["P-1"]] == ["covariates C-3"]
