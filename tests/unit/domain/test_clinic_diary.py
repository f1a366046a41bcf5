"""A diary entry (validation naming the field) and the red-flag rules of one entry (DIARY-*)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from baclofen.domain.cds.scales import PennSpasmScore
from baclofen.domain.cds.timeline import Symptom
from baclofen.domain.clinic.diary import (
    DIARY_RULES,
    MAX_DIARY_NOTE_LENGTH,
    DiaryEntryRecord,
    assess_diary_entry,
    diary_entry_id,
)
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.rules.catalogue import CATALOGUE, RuleArea

AT = datetime(2026, 3, 9, 20, 0, tzinfo=UTC)


def entry(**kw) -> DiaryEntryRecord:
    return DiaryEntryRecord(kw.pop("entry_id", "D-1"), kw.pop("patient_id", "P-1"), kw.pop("recorded_at", AT), **kw)


def flags(**kw) -> dict[str, str]:
    return {f.rule_id: f.data["level"] for f in assess_diary_entry(entry(**kw))}


def test_an_entry_keeps_every_field_and_orders_its_symptoms_once_each() -> None:
    e = entry(
        doses_taken=2,
        doses_missed=1,
        spasm_frequency=PennSpasmScore(3, 2),
        stiffness_nrs=7,
        pain_nrs=4.5,
        sleep_nrs=0,
        symptoms=(Symptom.ITCHING, "fever", Symptom.ITCHING),
        note="  bad evening ",
    )

    assert e.symptoms == (Symptom.FEVER, Symptom.ITCHING)
    assert e.note == "bad evening"
    assert e.to_dict()["spasm_frequency"]["frequency"] == 3
    assert e.to_dict()["symptoms"] == ["fever", "itching"]


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"entry_id": ""}, "entry_id"),
        ({"patient_id": " P-1"}, "patient_id"),
        ({"recorded_at": datetime(2026, 3, 9, 20, 0)}, "recorded_at"),
        ({"doses_missed": -1}, "doses_missed"),
        ({"doses_missed": True}, "doses_missed"),
        ({"doses_taken": 51}, "doses_taken"),
        ({"stiffness_nrs": 10.5}, "stiffness_nrs"),
        ({"pain_nrs": -0.1}, "pain_nrs"),
        ({"sleep_nrs": float("nan")}, "sleep_nrs"),
        ({"symptoms": ("itching", "feels odd")}, "symptoms[1]"),
        ({"symptoms": "itching"}, "symptoms"),
        ({"spasm_frequency": 3}, "spasm_frequency"),
        ({"note": "x" * (MAX_DIARY_NOTE_LENGTH + 1)}, "note"),
        ({"note": 5}, "note"),
    ],
)
def test_an_invalid_field_is_named(kw, field) -> None:
    with pytest.raises(InvalidInputError) as caught:
        entry(**kw)

    assert caught.value.field == field


@pytest.mark.parametrize(("kw"), [{"doses_missed": 50, "doses_taken": 0}, {"stiffness_nrs": 10, "pain_nrs": 0}])
def test_the_bounds_themselves_are_accepted(kw) -> None:
    entry(**kw)


def test_the_entry_id_is_one_per_patient_and_instant_whatever_the_zone() -> None:
    paris = AT.astimezone(timezone(timedelta(hours=1)))

    assert diary_entry_id("P-1", AT) == diary_entry_id("P-1", paris)
    assert diary_entry_id("P-1", AT) != diary_entry_id("P-2", AT)
    assert diary_entry_id("P-1", AT) != diary_entry_id("P-1", AT + timedelta(seconds=1))


@pytest.mark.parametrize(
    ("symptoms", "expected"),
    [
        ((), {}),
        ((Symptom.SEIZURE,), {"DIARY-SEIZURE-001": "high"}),
        ((Symptom.BREATHING_DIFFICULTY,), {"DIARY-BREATHING-001": "high"}),
        ((Symptom.UNRESPONSIVE,), {"DIARY-BREATHING-001": "high"}),
        ((Symptom.HALLUCINATIONS,), {"DIARY-MENTAL-001": "high"}),
        ((Symptom.CONFUSION,), {"DIARY-MENTAL-001": "high"}),
        ((Symptom.ITCHING,), {"DIARY-WITHDRAWAL-001": "high"}),
        ((Symptom.HIGH_FEVER,), {"DIARY-WITHDRAWAL-001": "high"}),
        ((Symptom.DROWSINESS,), {"DIARY-OVERDOSE-001": "moderate"}),
        ((Symptom.FEELING_COLD, Symptom.WEAKNESS), {"DIARY-OVERDOSE-001": "moderate"}),
        (
            (Symptom.FEVER, Symptom.REBOUND_SPASTICITY, Symptom.CONFUSION),
            {"DIARY-MENTAL-001": "high", "DIARY-WITHDRAWAL-001": "high"},
        ),
    ],
)
def test_each_red_flag_rule_fires_on_its_signs_only(symptoms, expected) -> None:
    assert flags(symptoms=symptoms) == expected


def test_fever_with_rebound_spasticity_is_called_the_withdrawal_syndrome_and_either_alone_early_signs() -> None:
    def message(*symptoms: Symptom) -> str:
        (finding,) = assess_diary_entry(entry(symptoms=symptoms))
        return finding.message

    assert "withdrawal syndrome" in message(Symptom.FEVER, Symptom.RIGIDITY)
    assert "early withdrawal signs" in message(Symptom.FEVER)
    assert "early withdrawal signs" in message(Symptom.REBOUND_SPASTICITY)


def test_a_note_reaches_a_clinician_at_low_level_and_scores_alone_raise_nothing() -> None:
    assert flags(note="felt strange after the refill") == {"DIARY-NOTE-001": "low"}
    assert flags(stiffness_nrs=10, pain_nrs=10, sleep_nrs=10, spasm_frequency=PennSpasmScore(4, 3)) == {}


def test_findings_come_highest_level_first_and_cite_their_evidence() -> None:
    found = assess_diary_entry(entry(symptoms=(Symptom.DROWSINESS, Symptom.SEIZURE), note="help"))

    assert [f.data["level"] for f in found] == ["high", "moderate", "low"]
    assert all(f.evidence and f.reasoning and f.data["entry_id"] == "D-1" for f in found)


def test_every_red_flag_rule_is_in_the_catalogue_under_diary() -> None:
    assert {r.rule_id for r in DIARY_RULES} == {e.rule_id for e in CATALOGUE.values() if e.area is RuleArea.DIARY}
