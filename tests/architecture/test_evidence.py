"""Every rule (the catalogue) and every named setting cites evidence that resolves; rule ids are stable and unique."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import baclofen.domain as domain_pkg
from baclofen.domain.evidence import REFERENCES, format_evidence
from baclofen.domain.rules.catalogue import RULES
from baclofen.domain.rules.core import RULE_ID_PATTERN, Finding, Severity
from baclofen.domain.settings import SETTINGS


def _import_all_domain_modules() -> None:
    """Settings register themselves when their module is imported (the rules are in the catalogue)."""
    for mod in pkgutil.walk_packages(domain_pkg.__path__, "baclofen.domain."):
        importlib.import_module(mod.name)


_import_all_domain_modules()


def test_the_catalogue_holds_every_source_of_the_clinical_fact_sheet() -> None:
    assert {f"S{n}" for n in (1, 4, 14, 22, 24, 30, 37, 118)} <= set(REFERENCES)
    assert all(ref.title and ref.location for ref in REFERENCES.values())


def test_there_are_rules_to_check() -> None:
    assert len(RULES) >= 5


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_has_a_valid_id_and_cites_resolving_evidence(rule_id: str) -> None:
    rule = RULES[rule_id]

    assert RULE_ID_PATTERN.match(rule.rule_id)
    assert rule.evidence
    assert all(key in REFERENCES for key in rule.evidence)
    assert len(format_evidence(rule.evidence)) == len(set(rule.evidence))


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_cites_resolving_evidence(name: str) -> None:
    setting = SETTINGS[name]

    assert setting.evidence and all(key in REFERENCES for key in setting.evidence)
    assert setting.description


def test_a_finding_without_evidence_or_with_an_unknown_key_is_refused() -> None:
    with pytest.raises(ValueError, match="citation"):
        Finding("X-Y-001", Severity.INFO, "m", "r", ())
    with pytest.raises(ValueError, match="citation key"):
        Finding("X-Y-001", Severity.INFO, "m", "r", ("S99999",))
