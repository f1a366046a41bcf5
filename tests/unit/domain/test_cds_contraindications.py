"""Drug-condition contraindications and warnings: one row per item of clinical.md §7 and §8."""

from __future__ import annotations

import pytest

from baclofen.domain.cds.contraindications import screen_contraindications
from baclofen.domain.conditions import Condition, parse_conditions
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.patient import KidneyFunction, Sex
from baclofen.domain.rules.core import Severity

# (drug, condition text, rule id, severity, a source key) - clinical.md §7 (baclofen) and §8 (alternatives)
ROWS = [
    ("baclofen", "hypersensitivity to baclofen", "CI-BAC-HYPERSENS-001", Severity.BLOCK, "S4"),
    ("Gablofen", "baclofen allergy", "CI-BAC-HYPERSENS-001", Severity.BLOCK, "S30"),
    ("baclofen", "schizophrenia", "CI-BAC-PSYCH-001", Severity.WARN, "S6"),
    ("baclofen", "psychiatric disorder", "CI-BAC-PSYCH-002", Severity.WARN, "S15"),
    ("baclofen", "epilepsy", "CI-BAC-EPILEPSY-001", Severity.WARN, "S6"),
    ("baclofen", "autonomic dysreflexia", "CI-BAC-AD-001", Severity.WARN, "S6"),
    ("baclofen", "stroke", "CI-BAC-STROKE-001", Severity.WARN, "S6"),
    ("baclofen", "pregnant", "CI-BAC-PREG-001", Severity.WARN, "S6"),
    ("baclofen", "breastfeeding", "CI-BAC-LACT-001", Severity.WARN, "S114"),
    ("baclofen", "beneficial spasticity", "CI-BAC-POSTURE-001", Severity.WARN, "S15"),
    ("baclofen", "peptic ulcer", "CI-BAC-PEPTIC-001", Severity.WARN, "S15"),
    ("baclofen", "respiratory impairment", "CI-BAC-RESP-001", Severity.WARN, "S15"),
    ("baclofen", "bladder-sphincter hypertonia", "CI-BAC-BLADDER-001", Severity.WARN, "S15"),
    ("baclofen", "liver disease", "CI-BAC-LABS-001", Severity.INFO, "S15"),
    ("baclofen", "diabetes", "CI-BAC-LABS-003", Severity.INFO, "S15"),
    ("baclofen", "ovarian cysts", "CI-BAC-OVARY-001", Severity.INFO, "S11"),
    ("intrathecal baclofen", "spinal cord injury at T6 or above", "CI-ITB-WDRISK-001", Severity.WARN, "S118"),
    ("intrathecal baclofen", "communication difficulties", "CI-ITB-WDRISK-002", Severity.WARN, "S118"),
    ("baclofen", "history of baclofen withdrawal", "CI-ITB-WDRISK-003", Severity.WARN, "S118"),
    ("intrathecal baclofen", "active UTI", "CI-ITB-INFECTION-001", Severity.BLOCK, "S117"),  # issue 9 item 5
    ("tizanidine", "liver disease", "CI-TIZ-LIVER-001", Severity.WARN, "S75"),
    ("dantrolene", "active liver disease", "CI-DAN-LIVER-001", Severity.BLOCK, "S77"),
    ("dantrolene", "hepatic impairment", "CI-DAN-LIVER-002", Severity.WARN, "S78"),
    ("dantrolene", "spasticity used for posture, balance or function", "CI-DAN-POSTURE-001", Severity.BLOCK, "S77"),
]


@pytest.mark.parametrize(("drug", "condition", "rule_id", "severity", "source"), ROWS, ids=[r[2] for r in ROWS])
def test_each_contraindication_and_warning_of_the_fact_sheet(
    drug: str, condition: str, rule_id: str, severity: Severity, source: str
) -> None:
    findings = screen_contraindications(drug, [condition]).findings

    hit = [f for f in findings if f.rule_id == rule_id]
    assert len(hit) == 1
    assert hit[0].severity is severity
    assert source in hit[0].evidence


def test_the_same_condition_does_not_fire_for_an_unrelated_drug() -> None:
    assert screen_contraindications("gabapentin", ["active liver disease", "epilepsy"]).findings == ()


@pytest.mark.parametrize(
    ("route", "blocked"),
    [
        ("epidural", True),
        ("intravenous", True),
        ("Intramuscular", True),
        ("subcutaneous", True),
        ("intrathecal", False),
    ],
)
def test_intrathecal_baclofen_only_intrathecally(route: str, blocked: bool) -> None:
    ids = [f.rule_id for f in screen_contraindications("baclofen-intrathecal", route=route).findings]

    assert ("CI-ITB-ROUTE-001" in ids) is blocked


@pytest.mark.parametrize(
    ("kidney", "flagged"),
    [
        (KidneyFunction(24.9), True),
        (KidneyFunction(25.0), False),
        (KidneyFunction(None, dialysis=True), True),
        (KidneyFunction(None), False),
    ],
)
def test_tizanidine_dose_reduction_below_crcl_25(kidney: KidneyFunction, flagged: bool) -> None:
    ids = [f.rule_id for f in screen_contraindications("tizanidine", kidney=kidney).findings]

    assert ("CI-TIZ-RENAL-001" in ids) is flagged


@pytest.mark.parametrize(("age", "flagged"), [(17.9, True), (18, False)])
def test_tizanidine_is_indicated_in_adults(age: float, flagged: bool) -> None:
    ids = [f.rule_id for f in screen_contraindications("tizanidine", age_years=age).findings]

    assert ("CI-TIZ-AGE-001" in ids) is flagged


@pytest.mark.parametrize(
    ("age", "sex", "limit", "flagged"),
    [
        (35, Sex.MALE, None, False),
        (36, Sex.MALE, None, True),
        (30, Sex.FEMALE, None, True),
        (31, Sex.MALE, 30, True),
        (30, Sex.MALE, 30, False),
    ],
)
def test_dantrolene_hepatotoxicity_risk_factors_with_the_age_setting(
    age: float, sex: Sex, limit: float | None, flagged: bool
) -> None:
    screen = screen_contraindications("dantrolene", age_years=age, sex=sex, dantrolene_hepatotoxicity_age_years=limit)

    assert ("CI-DAN-HEPRISK-001" in [f.rule_id for f in screen.findings]) is flagged
    assert [(s["name"], s["status"]) for s in screen.to_dict()["settings"]] == [
        ("cds.dantrolene.hepatotoxicity_age_years", "disagree")
    ]


def test_unknown_conditions_are_reported_not_ignored() -> None:
    known, unknown = parse_conditions(["Epilepsy", "gout", "EPILEPSY"])
    screen = screen_contraindications("baclofen", ["gout"])

    assert known == (Condition.EPILEPSY,)
    assert unknown == ("gout",)
    assert "NOT checked" in screen.to_dict()["unknown_conditions"][0]["message"]


def test_bad_inputs_are_named() -> None:
    with pytest.raises(InvalidInputError, match="'age_years'"):
        screen_contraindications("baclofen", age_years=-1)
    with pytest.raises(InvalidInputError, match="'drug'"):
        screen_contraindications("not-a-drug")
    with pytest.raises(InvalidInputError, match="cds.dantrolene.hepatotoxicity_age_years"):
        screen_contraindications("dantrolene", dantrolene_hepatotoxicity_age_years=5)


@pytest.mark.parametrize(
    ("route", "blocked"),
    [
        ("IV", True),
        ("i.v.", True),
        ("IM", True),
        ("SC", True),
        ("subcut", True),
        ("s.c.", True),
        ("Epidural", True),
        ("IT", False),
        ("lumbar puncture", False),
        (" intrathecal ", False),
    ],
)
def test_route_abbreviations_cannot_bypass_the_intrathecal_only_block(route: str, blocked: bool) -> None:
    ids = [f.rule_id for f in screen_contraindications("Gablofen", route=route).findings]

    assert ("CI-ITB-ROUTE-001" in ids) is blocked


@pytest.mark.parametrize("route", ["intravenus", "vein", "", "inhaled"])
def test_an_unrecognised_route_is_refused_not_silently_accepted(route: str) -> None:
    with pytest.raises(InvalidInputError, match="'route'"):
        screen_contraindications("baclofen-intrathecal", route=route)
