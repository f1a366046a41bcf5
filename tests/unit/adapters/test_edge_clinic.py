"""The input edge of the diary: a diary entry's text read into :class:`LogDiaryEntry`, every invalid field
reported at once (the REST API's 422), an entry never dated after ``not_after``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from baclofen.adapters.edge.clinic import log_diary_entry_command
from baclofen.domain.cds.scales import PennSpasmScore
from baclofen.domain.cds.timeline import Symptom
from baclofen.domain.errors import InvalidInputError, InvalidInputs
from baclofen.services.commands import LogDiaryEntry

AT = "2026-03-09T20:00+01:00"


def _fields(error: InvalidInputError) -> list[str]:
    return [e.field for e in (error.errors if isinstance(error, InvalidInputs) else (error,))]


def test_a_diary_entry_is_read_into_its_command() -> None:
    command = log_diary_entry_command(
        patient_id="P-1",
        recorded_at=AT,
        doses_taken=2,
        doses_missed=1,
        spasm_frequency="2:3",
        stiffness_nrs=7,
        symptoms=["Fever", "more spasms or stiffness"],
        note="  stiff  ",
    )

    assert command == LogDiaryEntry(
        "P-1",
        datetime(2026, 3, 9, 19, 0, tzinfo=UTC),
        doses_taken=2,
        doses_missed=1,
        spasm_frequency=PennSpasmScore(2, 3),
        stiffness_nrs=7.0,
        symptoms=(Symptom.FEVER, Symptom.REBOUND_SPASTICITY),
        note="stiff",
    )
    assert log_diary_entry_command(patient_id="P-1", recorded_at=AT, spasm_frequency=0).spasm_frequency == (
        PennSpasmScore(0)
    )


def test_every_invalid_field_is_reported_at_once() -> None:
    with pytest.raises(InvalidInputs) as err:
        log_diary_entry_command(
            patient_id=" P-1",
            recorded_at="2026-03-09T20:00",
            doses_taken=-1,
            doses_missed=True,
            spasm_frequency="5:1",
            pain_nrs=float("nan"),
            sleep_nrs=10.5,
            symptoms=["itching", "headache", 3],
            note="\x00",
        )

    assert _fields(err.value) == [
        "patient_id",
        "recorded_at",
        "doses_taken",
        "doses_missed",
        "spasm_frequency",
        "pain_nrs",
        "sleep_nrs",
        "symptoms[1]",
        "symptoms[2]",
        "note",
    ]


def test_an_entry_is_not_dated_in_the_future_and_symptoms_are_a_list() -> None:
    now = datetime(2026, 3, 9, 18, 0, tzinfo=UTC)

    with pytest.raises(InvalidInputs) as err:
        log_diary_entry_command(patient_id="P-1", recorded_at=AT, symptoms="fever", not_after=now)

    assert _fields(err.value) == ["recorded_at", "symptoms"]
    assert "not in the future" in err.value.errors[0].expected
    assert log_diary_entry_command(patient_id="P-1", recorded_at=AT, not_after=datetime(2026, 3, 9, 19, 0, tzinfo=UTC))
