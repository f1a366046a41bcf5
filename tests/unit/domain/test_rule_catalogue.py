"""The rule catalogue (issue 10 item 4): every rule, built in one place from the collections the defining modules
export, with its area; ids unique; a rule looked up by id or refused naming the id and its near matches."""

from __future__ import annotations

from typing import Any

import pytest

from baclofen.domain.errors import InvalidInputError, UnknownNameError
from baclofen.domain.evidence import REFERENCES, Authority, format_citation
from baclofen.domain.rules.catalogue import (
    CATALOGUE,
    RULES,
    SOURCES,
    CatalogueEntry,
    RuleArea,
    RuleSource,
    build_catalogue,
    get_rule,
    rules_in_area,
)
from baclofen.domain.rules.core import Rule, Severity
from baclofen.domain.settings import SETTINGS


def _fake(rule_id: str, title: str = "fake rule") -> Rule[Any]:
    return Rule(rule_id, title, Severity.WARN, ("S4",), lambda ctx: None)


@pytest.mark.parametrize(
    ("rule_id", "area"),
    [
        ("SCOPE-PAEDIATRIC-001", RuleArea.SCOPE),
        ("ORAL-MAX-001", RuleArea.ORAL),
        ("TAPER-ABRUPT-001", RuleArea.ORAL),
        ("ORAL-DIALYSIS-002", RuleArea.ORAL),
        ("ITB-DOSE-002", RuleArea.ITB),
        ("ITB-LIMIT-001", RuleArea.ITB),
        ("ITB-TRANS-004", RuleArea.ITB),
        ("PUMP-REFILL-003", RuleArea.PUMP),
        ("PUMP-ADMIX-001", RuleArea.PUMP),
        ("PK-KIDNEY-005", RuleArea.PK),
        ("PK-DOSE-001", RuleArea.PK),
        ("INT-TIZ-CYP1A2-001", RuleArea.CDS),
        ("CI-DAN-HEPRISK-001", RuleArea.CDS),
        ("DOSE-GABA-MAX-001", RuleArea.CDS),
        ("SCALE-NRS-30-001", RuleArea.CDS),
        ("RISK-KIDNEY-002", RuleArea.CDS),
        ("MEDS-UNKNOWN-001", RuleArea.CDS),
    ],
)
def test_each_area_holds_its_rules(rule_id: str, area: RuleArea) -> None:
    entry = get_rule(rule_id)

    assert (entry.rule_id, entry.area) == (rule_id, area)
    assert entry in rules_in_area(area)
    assert RULES[rule_id] is entry.rule is CATALOGUE[rule_id].rule


def test_the_catalogue_is_ordered_by_area_then_id_and_every_area_has_rules() -> None:
    entries = list(CATALOGUE.values())

    assert entries == sorted(entries, key=lambda e: (list(RuleArea).index(e.area), e.rule_id))
    assert all(rules_in_area(area) for area in RuleArea)
    assert rules_in_area(None) == tuple(entries)
    assert sum(len(rules_in_area(area)) for area in RuleArea) == len(CATALOGUE) == len(RULES)


def test_the_catalogue_is_built_from_the_named_collections_only() -> None:
    assert set(CATALOGUE) == {r.rule_id for source in SOURCES for r in source.rules}
    assert all(isinstance(s, RuleSource) and s.module.startswith("baclofen.domain.") for s in SOURCES)


def test_constructing_a_rule_registers_nothing() -> None:
    before = dict(RULES)
    _fake("TEST-UNCATALOGUED-001")

    assert "TEST-UNCATALOGUED-001" not in RULES and dict(RULES) == before
    with pytest.raises(TypeError):
        Rule("TEST-REG-001", "t", Severity.WARN, ("S4",), lambda ctx: None, register=False)  # type: ignore[call-arg]


def test_a_duplicate_id_is_refused_naming_the_id_and_both_modules() -> None:
    a = RuleSource(RuleArea.ORAL, "baclofen.domain.rules.oral", (_fake("TEST-DUP-001"),))
    b = RuleSource(RuleArea.CDS, "baclofen.domain.cds.risk", (_fake("TEST-DUP-001", "another title"),))

    with pytest.raises(InvalidInputError) as exc:
        build_catalogue([a, b])
    assert exc.value.field == "rule_id" and exc.value.actual == "TEST-DUP-001"
    assert "baclofen.domain.rules.oral" in exc.value.expected and "baclofen.domain.cds.risk" in exc.value.expected
    # ... even the same object listed twice: one rule, one place
    with pytest.raises(InvalidInputError, match="TEST-DUP-001"):
        build_catalogue([a, RuleSource(RuleArea.ORAL, a.module, a.rules)])


def test_build_catalogue_returns_a_read_only_mapping_by_area_then_id() -> None:
    pump = RuleSource(RuleArea.PUMP, "m", (_fake("TEST-B-001"),))
    oral = RuleSource(RuleArea.ORAL, "m", (_fake("TEST-C-001"), _fake("TEST-A-001")))

    built = build_catalogue([pump, oral])

    assert list(built) == ["TEST-A-001", "TEST-C-001", "TEST-B-001"]
    assert built["TEST-B-001"] == CatalogueEntry(pump.rules[0], RuleArea.PUMP, "m")
    with pytest.raises(TypeError):
        built["TEST-D-001"] = built["TEST-A-001"]  # type: ignore[index]


@pytest.mark.parametrize("text", ["oral-max-001", "  ORAL-MAX-001 ", "Oral-Max-001"])
def test_a_rule_is_found_whatever_the_case_and_surrounding_space(text: str) -> None:
    assert get_rule(text).rule_id == "ORAL-MAX-001"


@pytest.mark.parametrize(
    ("text", "near"),
    [("ORAL-MAX-01", "ORAL-MAX-001"), ("ORAL-MAX-009", "ORAL-MAX-001"), ("PUMP-REFIL-003", "PUMP-REFILL-003")],
)
def test_an_unknown_id_is_refused_naming_it_and_its_near_matches(text: str, near: str) -> None:
    with pytest.raises(InvalidInputError) as exc:
        get_rule(text)

    assert exc.value.field == "rule_id" and exc.value.actual == text
    assert near in exc.value.expected


@pytest.mark.parametrize("text", ["", "   ", "NOTHING-LIKE-IT-999", None, 5])
def test_an_unknown_or_malformed_id_is_refused_without_a_guess(text: Any) -> None:
    with pytest.raises(InvalidInputError) as exc:
        get_rule(text)

    assert exc.value.field == "rule_id" and "did you mean" not in exc.value.expected


@pytest.mark.parametrize("text", ["oral", " PUMP ", "Cds"])
def test_an_area_is_parsed_from_its_name(text: str) -> None:
    assert RuleArea.parse(text).value == text.strip().lower()


@pytest.mark.parametrize("text", ["", "oral,itb", "zzz", "DROP TABLE"])
def test_an_unknown_area_is_refused_listing_the_areas(text: str) -> None:
    with pytest.raises(UnknownNameError) as exc:
        RuleArea.parse(text)

    assert exc.value.field == "area" and all(a.value in exc.value.expected for a in RuleArea)


def test_the_summary_of_a_rule_gives_id_area_severity_overridable_title_and_evidence_with_authority() -> None:
    data = get_rule("SCOPE-PAEDIATRIC-001").to_dict()

    assert data == {
        "rule_id": "SCOPE-PAEDIATRIC-001",
        "area": "scope",
        "severity": "block",
        "overridable": False,
        "title": "Patients under 18: paediatric dosing is out of scope",
        "evidence_keys": ["S95", "S11", "S114", "S75"],
        "evidence": [{"key": k, "authority": REFERENCES[k].authority.value} for k in ("S95", "S11", "S114", "S75")],
    }


def test_the_detail_of_a_rule_adds_citations_the_settings_it_reads_its_conditions_and_its_module() -> None:
    entry = get_rule("PUMP-FCST-003")
    data = entry.to_dict(detail=True)

    assert data["evidence"] == [
        {"key": k, "authority": REFERENCES[k].authority.value, "citation": format_citation(k)}
        for k in entry.rule.evidence
    ]
    assert entry.rule.settings and [s["name"] for s in data["settings"]] == list(entry.rule.settings)
    for shown in data["settings"]:
        setting = SETTINGS[shown["name"]]
        assert (shown["status"], shown["default"], shown["unit"]) == (
            setting.status.value,
            setting.default,
            setting.unit,
        )
    assert data["conditions"] == list(entry.rule.conditions)
    assert data["defined_in"] == "baclofen.domain.rules.itb.forecast"


def test_a_rule_that_does_not_declare_its_settings_says_so() -> None:
    undeclared = next(e for e in CATALOGUE.values() if e.rule.settings is None)
    none = next(e for e in CATALOGUE.values() if e.rule.settings == ())

    assert undeclared.to_dict(detail=True)["settings"] is None
    assert none.to_dict(detail=True)["settings"] == []


def test_every_authority_in_the_catalogue_is_a_known_authority() -> None:
    values = {a.value for a in Authority}
    for entry in CATALOGUE.values():
        assert {e["authority"] for e in entry.to_dict()["evidence"]} <= values
