"""Medication-list salt names and diary lead-in words are recognised (found by the journey acceptance tests)."""

from __future__ import annotations

import pytest

from baclofen.domain.cds.drugs import find_drug
from baclofen.domain.cds.timeline import Symptom, parse_symptom


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("ciprofloxacin hydrochloride", "ciprofloxacin"),
        ("Ciprofloxacin HCl 500 mg", "ciprofloxacin"),
        ("ciprofloxacin hydrochloride tablets", "ciprofloxacin"),
        ("fluvoxamine maleate 50 mg tablets", "fluvoxamine"),
        ("oxycodone hydrochloride", "oxycodone"),
        ("fluvoxamine", "fluvoxamine"),
    ],
)
def test_a_salt_name_finds_the_drug(name: str, key: str) -> None:
    drug = find_drug(name)

    assert drug is not None and drug.key == key


@pytest.mark.parametrize("name", ["hydrochloride", "maleate", "ciprofloxacin eye"])
def test_a_salt_word_alone_or_an_unknown_tail_is_not_guessed(name: str) -> None:
    assert find_drug(name) is None


@pytest.mark.parametrize(
    ("text", "symptom"),
    [
        ("feels feverish", Symptom.FEVER),
        ("I feel feverish", Symptom.FEVER),
        ("feeling very dizzy", Symptom.DIZZINESS),
        ("feeling cold", Symptom.FEELING_COLD),
        ("very high temperature", Symptom.HIGH_FEVER),
        ("feels very high temperature", Symptom.HIGH_FEVER),
    ],
)
def test_diary_lead_in_words_do_not_hide_a_sign(text: str, symptom: Symptom) -> None:
    assert parse_symptom(text) is symptom


@pytest.mark.parametrize("text", ["not feverish", "feeling", "very", "something odd"])
def test_diary_text_without_a_known_sign_stays_unrecognised(text: str) -> None:
    assert parse_symptom(text) is None
