"""The input edge of a patient's histories: every invalid field of a body reported at once, by name; nothing dated
in the future; text read into the domain's values (Ashworth grades as points, a scale by any of its names)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from baclofen.adapters.edge.histories import (
    record_covariates_command,
    record_outcome_score_command,
    record_screening_trial_command,
)
from baclofen.domain.cds.scales import PennSpasmScore, Scale
from baclofen.domain.errors import InvalidInputError, InvalidInputs

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
WHO = {"recorded_at": NOW, "recorded_by": "nurse:n"}


def _fields(error: InvalidInputError) -> list[str]:
    return sorted(e.field for e in (error.errors if isinstance(error, InvalidInputs) else (error,)))


def test_every_invalid_covariate_is_reported_at_once() -> None:
    with pytest.raises(InvalidInputError) as caught:
        record_covariates_command(
            patient_id=" P-1", observed_on="2026-03-11", weight_kg=0.5, crcl_ml_min=300, dialysis="no", **WHO
        )

    assert _fields(caught.value) == ["crcl_ml_min", "dialysis", "observed_on", "patient_id", "weight_kg"]


def test_covariates_are_read_into_a_command() -> None:
    command = record_covariates_command(patient_id="P-1", observed_on="2026-03-10", dialysis=True, **WHO)

    assert (command.observed_on, command.dialysis, command.weight_kg) == (date(2026, 3, 10), True, None)


def test_a_screening_trial_reads_grades_as_points_and_refuses_the_future() -> None:
    command = record_screening_trial_command(
        patient_id="P-1",
        given_at="2026-03-09T10:00+01:00",
        dose_mcg=25,
        responded=True,
        ashworth_before="2",
        ashworth_after="1+",
        **WHO,
    )
    assert (command.dose.dose_mcg, command.dose.ashworth_reduction) == (25.0, 0.5)

    with pytest.raises(InvalidInputError) as caught:
        record_screening_trial_command(
            patient_id="P-1", given_at="2026-03-10T11:00+00:00", dose_mcg=50, responded="yes", **WHO
        )
    assert _fields(caught.value) == ["given_at", "responded"]


def test_a_score_is_read_on_the_scale_named() -> None:
    command = record_outcome_score_command(patient_id="P-1", assessed_on="2026-03-01", scale="PSFS", value="2:3", **WHO)

    assert (command.scale, command.value, command.muscle_group) == (Scale.PENN, PennSpasmScore(2, 3), None)
    with pytest.raises(InvalidInputError) as caught:
        record_outcome_score_command(
            patient_id="P-1", assessed_on="2026-13-01", scale="nrs-pain", value=12, muscle_group="calf", **WHO
        )
    assert _fields(caught.value) == ["assessed_on", "muscle_group", "value"]
