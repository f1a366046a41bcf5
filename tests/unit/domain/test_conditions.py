"""One vocabulary of patient conditions (issue 10 item 3).

A condition text means the same thing to every rule that reads it: the contraindication screen, the oral
planners' cautions, the ITB screening and the simulation's kidney check all read texts through
:mod:`baclofen.domain.conditions`, and the rules that decide one condition name it by one key.
"""

from __future__ import annotations

from datetime import date

import pytest

from baclofen.domain import conditions
from baclofen.domain.cds.contraindications import screen_contraindications
from baclofen.domain.conditions import Condition, condition_key, describes_kidney_disease, parse_condition
from baclofen.domain.oral.titration import plan_titration
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.rules.catalogue import RULES
from baclofen.domain.rules.oral import CONDITION_CAUTIONS


def test_the_condition_types_of_the_screen_are_those_of_the_vocabulary() -> None:
    from baclofen.domain.cds import contraindications

    assert contraindications.Condition is Condition
    assert contraindications.parse_conditions is conditions.parse_conditions


def test_the_oral_cautions_name_conditions_of_the_vocabulary_and_their_keys() -> None:
    for caution in CONDITION_CAUTIONS:
        assert caution.applies_to and all(isinstance(c, Condition) for c in caution.applies_to)
        assert RULES[caution.rule_id].conditions == tuple(condition_key(c) for c in caution.applies_to)


def test_every_patient_condition_key_of_a_rule_names_a_condition_of_the_vocabulary() -> None:
    keys = {condition_key(c) for c in Condition}
    tagged = {k for r in RULES.values() for k in r.conditions if k.startswith("baclofen.condition.")}

    assert tagged and tagged <= keys


@pytest.mark.parametrize(
    ("text", "rule_id", "condition"),
    [
        ("Breast feeding", "ORAL-LACTATION-001", Condition.LACTATION),
        ("nursing", "ORAL-LACTATION-001", Condition.LACTATION),
        ("dysreflexia", "ORAL-DYSREFLEXIA-001", Condition.AUTONOMIC_DYSREFLEXIA),
        ("post-stroke", "ORAL-STROKE-001", Condition.STROKE),
        ("Type 2 diabetes", "ORAL-LABS-001", Condition.DIABETES),
        ("seizure disorder", "ORAL-EPILEPSY-001", Condition.EPILEPSY),
    ],
)
def test_a_condition_text_means_the_same_to_the_screen_and_to_the_oral_plan(
    text: str, rule_id: str, condition: Condition
) -> None:
    screen = screen_contraindications("baclofen", [text])
    plan = plan_titration(start_date=date(2026, 1, 5), patient=PatientSnapshot(crcl_ml_min=100, conditions=[text]))

    assert parse_condition(text) is condition
    assert screen.conditions == (condition,) and not screen.unknown_conditions
    assert rule_id in {f.rule_id for f in plan.findings}
    assert "ORAL-CONDITIONS-001" not in {f.rule_id for f in plan.findings}


def test_a_text_the_vocabulary_does_not_know_is_unchecked_everywhere() -> None:
    screen = screen_contraindications("baclofen", ["gout"])
    plan = plan_titration(start_date=date(2026, 1, 5), patient=PatientSnapshot(crcl_ml_min=100, conditions=["gout"]))

    assert screen.unknown_conditions == ("gout",)
    unchecked = next(f for f in plan.findings if f.rule_id == "ORAL-CONDITIONS-001")
    assert unchecked.data["unchecked"] == ["gout"]


@pytest.mark.parametrize(
    ("text", "renal"),
    [
        ("CKD stage 4", True),
        ("on haemodialysis", True),
        ("diabetic nephropathy", True),
        ("adrenal insufficiency", False),
    ],
)
def test_kidney_disease_in_a_condition_text_is_read_by_the_vocabulary(text: str, renal: bool) -> None:
    assert describes_kidney_disease(text) is renal


def test_the_kidney_words_have_one_home() -> None:
    from baclofen.domain.pk import findings

    assert not hasattr(findings, "RENAL_CONDITION_TERMS")
    assert not hasattr(findings, "is_renal_condition")
    assert "ckd" in conditions.KIDNEY_DISEASE_WORDS
