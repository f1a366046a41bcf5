"""The evidence policy in code (issue 9/10, "Build"): a clinician trusts a block only if the source behind it
says so, and one condition gets one severity whichever path reports it.

Three checks over every rule of the catalogue (``RULES``, :mod:`baclofen.domain.rules.catalogue`):

(a) ``low-evidence``: a rule that blocks whose evidence is only sources the fact sheet marks low authority
    (``Reference.authority``, derived by scripts/build_references.py from clinical.md);
(b) ``assumption-threshold``: a rule that blocks whose threshold is an ASSUMPTION or UNCONFIRMED setting at its
    default (``Rule.settings`` names the settings that decide when it fires; every blocking rule declares
    them, ``()`` when none). A rule that blocks only where a clinic configures it declares its default severity;
(c) ``severity-conflict``: rules that decide one condition (``Rule.conditions``) with different severities.

A rule "blocks" when its declared severity is ``block``. Each check is proven to catch a violation
(``test_the_policy_would_catch_...``), as tests/architecture/test_layers.py does for the layering.

Current violations are listed in :data:`KNOWN_VIOLATIONS`, each with its issue 9 item (or why it is listed):
the test fails on any violation not listed there, and on any listed entry that no longer violates, so the
list shrinks as the fixes land and cannot go stale.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

import baclofen.domain as domain_pkg
from baclofen.domain.evidence import REFERENCES, Authority
from baclofen.domain.rules.catalogue import RULES
from baclofen.domain.rules.core import Rule, Severity
from baclofen.domain.settings import SETTINGS, EvidenceStatus, Setting

# Settings register themselves when their module is imported (the rules are in the catalogue).
for _mod in pkgutil.walk_packages(domain_pkg.__path__, "baclofen.domain."):
    importlib.import_module(_mod.name)

#: Setting statuses that may not, at their default, be the threshold of a block.
WEAK_STATUSES = frozenset({EvidenceStatus.ASSUMPTION, EvidenceStatus.UNCONFIRMED})

Violation = tuple[str, ...]

#: Violations accepted for now, each with the reason or the issue that fixes it. Empty since issue 9 landed; an
#: entry must still violate (the test fails on a stale one), so the list cannot hide a fixed rule.
KNOWN_VIOLATIONS: Mapping[Violation, str] = {}


# --- the checks ---------------------------------------------------------------------------------------------------
def blocks(rule: Rule[Any]) -> bool:
    return rule.severity is Severity.BLOCK


def low_evidence(rule: Rule[Any], references: Mapping[str, Any] = REFERENCES) -> list[Violation]:
    """(a) A blocking rule whose every citation is low authority."""
    if blocks(rule) and all(references[k].authority is Authority.LOW for k in rule.evidence):
        return [("low-evidence", rule.rule_id)]
    return []


def assumption_thresholds(rule: Rule[Any], settings: Mapping[str, Setting] = SETTINGS) -> list[Violation]:
    """(b) A blocking rule that reads an ASSUMPTION or UNCONFIRMED setting (at its default), unless that default
    is the least-blocking value the setting allows (:attr:`Setting.is_least_blocking_default`: e.g. a 0 mL
    residual volume, below which nothing can be "empty"), which cannot cause a false block."""
    if not blocks(rule):
        return []
    return [
        ("assumption-threshold", rule.rule_id, name)
        for name in rule.settings or ()
        if settings[name].status in WEAK_STATUSES and not settings[name].is_least_blocking_default
    ]


def severity_conflicts(rules: Iterable[Rule[Any]]) -> list[Violation]:
    """(c) Conditions decided by rules of different severities."""
    by_condition: dict[str, set[Severity]] = {}
    for rule in rules:
        for key in rule.conditions:
            by_condition.setdefault(key, set()).add(rule.severity)
    return [("severity-conflict", key) for key, severities in sorted(by_condition.items()) if len(severities) > 1]


def policy_violations(rules: Iterable[Rule[Any]]) -> set[Violation]:
    rules = list(rules)
    found: set[Violation] = set(severity_conflicts(rules))
    for rule in rules:
        found.update(low_evidence(rule))
        found.update(assumption_thresholds(rule))
    return found


def _explain(violations: Iterable[Violation]) -> list[str]:
    out = []
    for v in sorted(violations):
        if v[0] == "severity-conflict":
            rules = sorted((r.rule_id, r.severity.value) for r in RULES.values() if v[1] in r.conditions)
            out.append(f"{v}: {rules}")
        else:
            out.append(str(v))
    return out


# --- the policy on the catalogued rules ---------------------------------------------------------------------------
def test_there_are_blocking_rules_and_declared_conditions_to_check() -> None:
    assert sum(blocks(r) for r in RULES.values()) >= 20
    assert sum(bool(r.conditions) for r in RULES.values()) >= 20


def test_every_reference_carries_its_authority_from_the_fact_sheet() -> None:
    assert all(isinstance(ref.authority, Authority) for ref in REFERENCES.values())
    # The sheet's explicit marks ("low authority", "low-quality host") ...
    assert {k for k, ref in REFERENCES.items() if ref.authority is Authority.LOW} == {"S76", "S97", "S103", "S109"}
    # ... and its ranking by type: label text, guideline/formulary, peer-reviewed study, manufacturer, secondary.
    assert REFERENCES["S118"].authority is Authority.LABEL  # openFDA ITB label (boxed warning)
    assert REFERENCES["S24"].authority is Authority.GUIDELINE  # NHS Highland formulary
    assert REFERENCES["S22"].authority is Authority.STUDY  # renal PK study
    assert REFERENCES["S55"].authority is Authority.MANUFACTURER  # Medtronic UK page
    assert REFERENCES["S1"].authority is Authority.SECONDARY  # Drugs.com
    assert Authority.LABEL.rank < Authority.GUIDELINE.rank < Authority.STUDY.rank < Authority.LOW.rank


@pytest.mark.parametrize("rule_id", sorted(r.rule_id for r in RULES.values() if blocks(r)))
def test_every_blocking_rule_declares_the_settings_it_reads(rule_id: str) -> None:
    """``settings=()`` when its threshold is a label fact or a named constant; the names must resolve, and a
    setting the check names in its own text must be among them."""
    rule = RULES[rule_id]
    assert rule.settings is not None, f"{rule_id}: declare Rule(..., settings=(...)) (() when none)"
    assert all(name in SETTINGS for name in rule.settings), rule.settings
    named_in_check = {n for n in SETTINGS if re.search(re.escape(n) + r"\b", inspect.getsource(rule.check))}
    assert named_in_check <= set(rule.settings)


def test_declared_settings_and_conditions_are_well_formed() -> None:
    for rule in RULES.values():
        assert all(name in SETTINGS for name in rule.settings or ()), (rule.rule_id, rule.settings)
        assert all(re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)+", c) for c in rule.conditions), rule.conditions


def test_no_rule_violates_the_evidence_policy_beyond_the_known_violations() -> None:
    new = policy_violations(RULES.values()) - set(KNOWN_VIOLATIONS)

    assert not new, "evidence policy violated (fix the rule, do not list it):\n" + "\n".join(_explain(new))


def test_every_known_violation_still_violates() -> None:
    """When a fix lands the entry must go: the allow-list cannot go stale."""
    fixed = set(KNOWN_VIOLATIONS) - policy_violations(RULES.values())

    assert not fixed, f"no longer violated: remove from KNOWN_VIOLATIONS: {sorted(fixed)}"


# --- each check would catch a violation ---------------------------------------------------------------------------
def _rule(rule_id: str, severity: Severity, evidence: tuple[str, ...], **kw: Any) -> Rule[Any]:
    return Rule(rule_id, "fake rule for the policy test", severity, evidence, lambda ctx: None, **kw)


def _weak_setting() -> str:
    return next(
        n
        for n, s in sorted(SETTINGS.items())
        if s.status is EvidenceStatus.ASSUMPTION and not s.is_least_blocking_default
    )


def _sourced_setting() -> str:
    return next(n for n, s in sorted(SETTINGS.items()) if s.status is EvidenceStatus.DISAGREE)


def test_the_policy_would_catch_a_block_resting_only_on_low_authority_sources() -> None:
    bad = _rule("FAKE-LOW-001", Severity.BLOCK, ("S109", "S103"), settings=())

    assert policy_violations([bad]) == {("low-evidence", "FAKE-LOW-001")}
    # One source of standing is enough; a warn may rest on a hint.
    assert policy_violations([_rule("FAKE-LOW-002", Severity.BLOCK, ("S109", "S14"), settings=())]) == set()
    assert policy_violations([_rule("FAKE-LOW-003", Severity.WARN, ("S109",))]) == set()


def test_the_policy_would_catch_a_block_on_an_assumption_or_unconfirmed_setting() -> None:
    weak = _weak_setting()
    unconfirmed = next(
        n
        for n, s in sorted(SETTINGS.items())
        if s.status is EvidenceStatus.UNCONFIRMED and not s.is_least_blocking_default
    )
    bad = _rule("FAKE-SET-001", Severity.BLOCK, ("S4",), settings=(weak, unconfirmed, _sourced_setting()))

    assert policy_violations([bad]) == {
        ("assumption-threshold", "FAKE-SET-001", weak),
        ("assumption-threshold", "FAKE-SET-001", unconfirmed),
    }
    # A sourced (here DISAGREE, configurable) threshold may block; an assumption may warn.
    assert policy_violations([_rule("FAKE-SET-002", Severity.BLOCK, ("S4",), settings=(_sourced_setting(),))]) == set()
    assert policy_violations([_rule("FAKE-SET-003", Severity.WARN, ("S4",), settings=(weak,))]) == set()


def test_the_policy_would_catch_one_condition_with_two_severities() -> None:
    block = _rule("FAKE-COND-001", Severity.BLOCK, ("S118",), settings=(), conditions=("pump.fake.low",))
    warn = _rule("FAKE-COND-002", Severity.WARN, ("S118",), conditions=("pump.fake.low", "pump.fake.other"))
    also_warn = _rule("FAKE-COND-003", Severity.WARN, ("S118",), conditions=("pump.fake.other",))

    assert policy_violations([block, warn, also_warn]) == {("severity-conflict", "pump.fake.low")}
    assert policy_violations([warn, also_warn]) == set()


def test_the_declarations_survive_adapting_a_rule_to_another_context() -> None:
    rule = _rule("FAKE-ADAPT-001", Severity.BLOCK, ("S4",), settings=(_weak_setting(),), conditions=("x.y",))
    adapted = rule.adapted(lambda ctx: ctx)

    assert (adapted.settings, adapted.conditions) == (rule.settings, rule.conditions)


def test_the_allow_list_check_would_catch_a_stale_entry() -> None:
    """An entry whose rule was fixed (here: a block that now cites a label) is reported as stale."""
    known = {("low-evidence", "FAKE-LOW-004"): "a fake entry"}
    fixed = _rule("FAKE-LOW-004", Severity.BLOCK, ("S109", "S118"), settings=())

    assert set(known) - policy_violations([fixed]) == set(known)
    assert set(known) - policy_violations([_rule("FAKE-LOW-004", Severity.BLOCK, ("S109",), settings=())]) == set()


def _variant(name: str, **changes: Any) -> Setting:
    """A copy of a registered setting with some fields changed, not registered (``copy`` skips __post_init__)."""
    variant = copy.copy(SETTINGS[name])
    for field, value in changes.items():
        object.__setattr__(variant, field, value)
    return variant


def test_a_least_blocking_weak_default_is_allowed_and_any_other_default_is_caught() -> None:
    """The residual volume (UNCONFIRMED, 0 mL) can only make "empty" come sooner when raised: at its minimum it
    never causes a false block. Raised above the minimum, or declared in the other direction, it is a violation."""
    name = "pump.synchromed_ii.residual_volume_ml"
    block = _rule("FAKE-DIR-001", Severity.BLOCK, ("S61",), settings=(name,))

    assert SETTINGS[name].is_least_blocking_default
    assert assumption_thresholds(block) == []
    for variant in (_variant(name, default=0.5), _variant(name, stricter="lower"), _variant(name, stricter=None)):
        assert not variant.is_least_blocking_default
        assert assumption_thresholds(block, {**SETTINGS, name: variant}) == [
            ("assumption-threshold", "FAKE-DIR-001", name)
        ]


def test_every_declared_direction_is_true_of_the_rules_that_read_it() -> None:
    """A direction is a claim about the rules: check it on the three residual settings by running the rules. At the
    0 mL default nothing but an empty aspirate is "empty" (PUMP-RECON-007); raising the setting blocks more."""
    from baclofen.domain.itb.pumps import get_pump
    from baclofen.domain.itb.refill import reconcile_refill

    pump = get_pump("synchromed-ii-20")

    def empty(aspirated: float) -> bool:
        return "PUMP-RECON-007" in [f.rule_id for f in reconcile_refill(4.9, aspirated, pump=pump).findings]

    assert empty(0.0) and not empty(0.01) and not empty(0.4)
    # a pump whose residual is raised to 0.5 mL: a 0.4 mL aspirate is now "empty" (more blocks)
    raised = dataclasses.replace(pump, residual_volume=_variant("pump.synchromed_ii.residual_volume_ml", default=0.5))
    assert "PUMP-RECON-007" in [f.rule_id for f in reconcile_refill(4.9, 0.4, pump=raised).findings]
    declared = {n for n, s in SETTINGS.items() if s.stricter is not None}
    assert declared >= {
        "pump.synchromed_ii.residual_volume_ml",
        "pump.prometra_ii.residual_volume_ml",
        "pump.reconcile.empty_ml",
    }
