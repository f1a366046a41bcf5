"""Nothing is lost: the rule catalogue holds every rule the domain defines, once, in the right area, and
``baclofen rules list --json`` shows exactly the rules the architecture tests count.

A ``Rule`` registers nothing when it is constructed: the module that defines it must list it in its
``DEFINED_RULES`` (each module of ``rules/itb/`` its own) and the catalogue must name
that collection (:data:`baclofen.domain.rules.catalogue.SOURCES`). These tests find every rule two ways (walking
the domain modules' names, and every ``Rule`` object alive after importing them all in a fresh interpreter) and fail
on one the catalogue does not hold, on a catalogued rule that is not the module's own definition, and on two rules
with one id that differ in what they declare.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from collections.abc import Iterator
from types import MappingProxyType, ModuleType
from typing import Any

import baclofen.domain as domain_pkg
import tests.architecture.test_evidence as evidence_tests
import tests.architecture.test_evidence_policy as policy_tests
from baclofen.domain.rules.catalogue import CATALOGUE, RULES, SOURCES, RuleArea
from baclofen.domain.rules.core import Rule

#: The id prefixes of each area (a check on the collections, not how the area is decided: that is the collection).
AREA_PREFIXES: dict[RuleArea, tuple[str, ...]] = {
    RuleArea.SCOPE: ("SCOPE-",),
    RuleArea.ORAL: ("ORAL-", "TAPER-"),
    RuleArea.ITB: ("ITB-",),
    RuleArea.PUMP: ("PUMP-",),
    RuleArea.PK: ("PK-",),
    RuleArea.CDS: ("INT-", "CI-", "DOSE-", "SCALE-", "RISK-", "MEDS-"),
    RuleArea.DIARY: ("DIARY-",),
}


def _domain_modules() -> list[ModuleType]:
    return [importlib.import_module(m.name) for m in pkgutil.walk_packages(domain_pkg.__path__, "baclofen.domain.")]


def _rules_in(value: Any, seen: set[int], depth: int = 0) -> Iterator[Rule[Any]]:
    """Rules in a value: itself, or inside tuples, lists, sets and mappings (nested a few levels)."""
    if id(value) in seen or depth > 4:
        return
    seen.add(id(value))
    if isinstance(value, Rule):
        yield value
    elif isinstance(value, (tuple, list, set, frozenset)):
        for item in value:
            yield from _rules_in(item, seen, depth + 1)
    elif isinstance(value, (dict, MappingProxyType)):
        for item in value.values():
            yield from _rules_in(item, seen, depth + 1)


def _reachable_rules() -> list[tuple[str, Rule[Any]]]:
    """Every rule reachable from a domain module's names, with the module's name."""
    out = []
    for module in _domain_modules():
        seen: set[int] = set()
        for value in vars(module).values():
            out.extend((module.__name__, rule) for rule in _rules_in(value, seen))
    return out


def _declared(rule: Rule[Any]) -> tuple[Any, ...]:
    """What a rule declares (an adapted copy declares the same as its original)."""
    return (rule.title, rule.severity, rule.evidence, rule.overridable, rule.settings, rule.conditions)


def test_every_rule_reachable_in_the_domain_modules_is_catalogued_and_every_catalogued_rule_is_reachable() -> None:
    reachable = _reachable_rules()

    assert {rule.rule_id for _, rule in reachable} == set(CATALOGUE)
    for module, rule in reachable:
        catalogued = RULES[rule.rule_id]
        # The catalogued rule itself, or a copy of it adapted to another context (Rule.adapted): same declarations.
        assert rule is catalogued or _declared(rule) == _declared(catalogued), (module, rule.rule_id)


# Every Rule alive after importing every domain module, found by the garbage collector in a fresh interpreter
# (so that no rule a test made is counted): a rule kept only in a closure or an attribute is found too.
_ALIVE = """
import gc, importlib, json, pkgutil
import baclofen.domain as d
from baclofen.domain.rules.core import Rule
for m in pkgutil.walk_packages(d.__path__, "baclofen.domain."):
    importlib.import_module(m.name)
rules = [o for o in gc.get_objects() if isinstance(o, Rule)]
print(json.dumps([[r.rule_id, r.title, r.severity.value, r.evidence, r.overridable, r.settings, r.conditions]
                  for r in rules]))
"""


def test_no_rule_made_when_the_domain_is_imported_escapes_the_catalogue() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    result = subprocess.run([sys.executable, "-c", _ALIVE], capture_output=True, text=True, env=env, check=True)
    alive = json.loads(result.stdout)

    assert {a[0] for a in alive} == set(CATALOGUE)
    for rule_id, title, severity, evidence, overridable, settings, conditions in alive:
        rule = RULES[rule_id]
        assert (title, severity, evidence, overridable, settings, conditions) == (
            rule.title,
            rule.severity.value,
            list(rule.evidence),
            rule.overridable,
            None if rule.settings is None else list(rule.settings),
            list(rule.conditions),
        ), rule_id


def test_each_collection_holds_its_own_module_s_definitions_not_adapted_copies() -> None:
    for entry in CATALOGUE.values():
        assert entry.rule.check.__module__ == entry.module, (entry.rule_id, entry.rule.check.__module__)


def test_each_module_that_defines_rules_is_a_source_of_the_catalogue() -> None:
    defining = {rule.check.__module__ for _, rule in _reachable_rules()} - {"baclofen.domain.rules.core"}

    assert defining == {source.module for source in SOURCES}


def test_each_area_holds_the_ids_of_that_area() -> None:
    for entry in CATALOGUE.values():
        assert entry.rule_id.startswith(AREA_PREFIXES[entry.area]), (entry.rule_id, entry.area)


def test_rules_list_json_shows_the_catalogue_that_the_architecture_tests_count(run_cli) -> None:
    listed = [d["rule_id"] for d in run_cli("rules", "list", "--json").json()["rules"]]

    assert listed == list(CATALOGUE) == list(RULES)
    assert evidence_tests.RULES is RULES and policy_tests.RULES is RULES
    assert len(listed) == len(set(listed)) >= 200
