"""The rule catalogue: every safety rule of the system, built in one place.

A rule is defined next to the logic it guards, and the module that defines it exports the rules it defines in
one named collection: ``DEFINED_RULES``. :data:`SOURCES` names each collection with its area and module;
:func:`build_catalogue` builds :data:`CATALOGUE` from them and refuses an id defined twice. Constructing a
:class:`Rule` registers nothing: a rule that no collection lists is not in the catalogue
(tests/architecture/test_rule_catalogue.py walks the domain modules and fails on any such rule).

Areas and their id prefixes:

* ``scope``: ``SCOPE-*`` patients out of scope (:mod:`baclofen.domain.rules.scope`);
* ``oral``: ``ORAL-*`` and ``TAPER-*`` oral plans (:mod:`baclofen.domain.rules.oral`);
* ``itb``: ``ITB-*`` intrathecal screening, dosing, concentrations, transition, plausibility ranges and
  ``pump``: ``PUMP-*`` programs, reservoir, refills, battery, reconciliation (the modules of
  :mod:`baclofen.domain.rules.itb`, one per subject);
* ``pk``: ``PK-*`` exposure findings (:mod:`baclofen.domain.pk.findings`);
* ``cds``: ``INT-*`` interactions, ``CI-*`` contraindications, ``DOSE-*`` dose limits, ``SCALE-*`` responder
  definitions, ``RISK-*`` withdrawal and overdose risks, ``MEDS-*`` unrecognised medicines (the modules of
  :mod:`baclofen.domain.cds`);
* ``diary``: ``DIARY-*`` red flags of one patient diary entry (:mod:`baclofen.domain.clinic.diary`).

A rule evaluated on several paths (SCOPE-PAEDIATRIC-001 on oral plans and contraindication checks,
ORAL-DIALYSIS-002 on ``check dose``, the CI-BAC cautions on oral plans) is defined once, catalogued once, and
reaches the other paths through :meth:`Rule.adapted`.

>>> entry = get_rule("scope-paediatric-001")
>>> entry.rule_id, entry.area.value, entry.rule.severity.value, entry.rule.overridable
('SCOPE-PAEDIATRIC-001', 'scope', 'block', False)
>>> [e.rule_id for e in rules_in_area(RuleArea.SCOPE)]
['SCOPE-PAEDIATRIC-001']
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType
from typing import Any

from baclofen.domain.cds import comedication, contraindications, dose_limits, interactions, risk, scales
from baclofen.domain.clinic import diary
from baclofen.domain.errors import InvalidInputError, UnknownNameError
from baclofen.domain.evidence import format_citation, get_reference
from baclofen.domain.pk import findings as pk_findings
from baclofen.domain.rules import itb, oral, scope
from baclofen.domain.rules.core import Rule
from baclofen.domain.settings import SETTINGS, settings_to_dicts, use_defaults


class RuleArea(Enum):
    """Where a rule belongs, in the order the catalogue lists them."""

    SCOPE = "scope"
    ORAL = "oral"
    ITB = "itb"
    PUMP = "pump"
    PK = "pk"
    CDS = "cds"
    DIARY = "diary"

    @classmethod
    def parse(cls, name: str | RuleArea, field: str = "area") -> RuleArea:
        if isinstance(name, RuleArea):
            return name
        for member in cls:
            if member.value == str(name).strip().lower():
                return member
        raise UnknownNameError(field, [m.value for m in cls], name)


@dataclass(frozen=True, slots=True)
class RuleSource:
    """One named collection of rules: its area, the module that defines them, the rules."""

    area: RuleArea
    module: str
    rules: tuple[Rule[Any], ...]


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """A catalogued rule: the rule, its area and the module that defines it."""

    rule: Rule[Any]
    area: RuleArea
    module: str

    @property
    def rule_id(self) -> str:
        return self.rule.rule_id

    def to_dict(self, *, detail: bool = False) -> dict[str, Any]:
        """Id, area, severity, ``overridable``, title and evidence (each key with its source's authority).

        With ``detail``: each reference's citation, the settings the rule reads (``None`` when the rule does not
        declare them, ``[]`` when it reads none), the conditions it decides and the module that defines it.
        """
        rule = self.rule
        evidence = []
        for key in rule.evidence:
            item: dict[str, Any] = {"key": key, "authority": get_reference(key).authority.value}
            if detail:
                item["citation"] = format_citation(key)
            evidence.append(item)
        out: dict[str, Any] = {
            "rule_id": rule.rule_id,
            "area": self.area.value,
            "severity": rule.severity.value,
            "overridable": rule.overridable,
            "title": rule.title,
            "evidence_keys": list(rule.evidence),
            "evidence": evidence,
        }
        if detail:
            out["settings"] = (
                None if rule.settings is None else settings_to_dicts(use_defaults(SETTINGS[n] for n in rule.settings))
            )
            out["conditions"] = list(rule.conditions)
            out["defined_in"] = self.module
        return out


def build_catalogue(sources: Iterable[RuleSource]) -> Mapping[str, CatalogueEntry]:
    """Every rule of ``sources`` by id, ordered by area (as :class:`RuleArea` lists them) then id; an id listed
    twice (in one collection or two) is refused naming both modules."""
    entries: dict[str, CatalogueEntry] = {}
    for source in sources:
        for rule in source.rules:
            earlier = entries.get(rule.rule_id)
            if earlier is not None:
                raise InvalidInputError(
                    "rule_id",
                    f"one definition per rule id (defined in {earlier.module} and in {source.module})",
                    rule.rule_id,
                )
            entries[rule.rule_id] = CatalogueEntry(rule, source.area, source.module)
    areas = list(RuleArea)
    ordered = sorted(entries.values(), key=lambda e: (areas.index(e.area), e.rule_id))
    return MappingProxyType({e.rule_id: e for e in ordered})


#: The named collection of every module that defines rules. A new module that defines rules adds its line here.
SOURCES: tuple[RuleSource, ...] = (
    RuleSource(RuleArea.SCOPE, scope.__name__, scope.DEFINED_RULES),
    RuleSource(RuleArea.ORAL, oral.__name__, oral.DEFINED_RULES),
    RuleSource(RuleArea.ITB, itb.screening.__name__, itb.screening.DEFINED_RULES),
    RuleSource(RuleArea.ITB, itb.dosing.__name__, itb.dosing.DEFINED_RULES),
    RuleSource(RuleArea.ITB, itb.titration.__name__, itb.titration.DEFINED_RULES),
    RuleSource(RuleArea.ITB, itb.ceiling.__name__, itb.ceiling.DEFINED_RULES),
    RuleSource(RuleArea.ITB, itb.limits.__name__, itb.limits.DEFINED_RULES),
    RuleSource(RuleArea.ITB, itb.concentration.__name__, itb.concentration.DEFINED_RULES),
    RuleSource(RuleArea.ITB, itb.transition.__name__, itb.transition.DEFINED_RULES),
    RuleSource(RuleArea.PUMP, itb.program.__name__, itb.program.DEFINED_RULES),
    RuleSource(RuleArea.PUMP, itb.forecast.__name__, itb.forecast.DEFINED_RULES),
    RuleSource(RuleArea.PUMP, itb.reconcile.__name__, itb.reconcile.DEFINED_RULES),
    RuleSource(RuleArea.PUMP, itb.refill.__name__, itb.refill.DEFINED_RULES),
    RuleSource(RuleArea.PK, pk_findings.__name__, pk_findings.DEFINED_RULES),
    RuleSource(RuleArea.CDS, interactions.__name__, interactions.DEFINED_RULES),
    RuleSource(RuleArea.CDS, contraindications.__name__, contraindications.DEFINED_RULES),
    RuleSource(RuleArea.CDS, dose_limits.__name__, dose_limits.DEFINED_RULES),
    RuleSource(RuleArea.CDS, scales.__name__, scales.DEFINED_RULES),
    *(RuleSource(RuleArea.CDS, module.__name__, module.DEFINED_RULES) for module in risk.RULE_MODULES),
    RuleSource(RuleArea.CDS, comedication.__name__, comedication.DEFINED_RULES),
    RuleSource(RuleArea.DIARY, diary.__name__, diary.DEFINED_RULES),
)

#: Every rule by id, ordered by area then id.
CATALOGUE: Mapping[str, CatalogueEntry] = build_catalogue(SOURCES)
#: The same rules, id -> :class:`Rule`.
RULES: Mapping[str, Rule[Any]] = MappingProxyType({rule_id: e.rule for rule_id, e in CATALOGUE.items()})


def get_rule(rule_id: str) -> CatalogueEntry:
    """The catalogued rule with this id (case and surrounding space ignored); an unknown id raises
    :class:`InvalidInputError` on ``rule_id`` naming it and the closest ids."""
    key = rule_id.strip().upper() if isinstance(rule_id, str) else ""
    entry = CATALOGUE.get(key)
    if entry is not None:
        return entry
    near = difflib.get_close_matches(key, CATALOGUE, n=3, cutoff=0.8) if key else []
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    raise InvalidInputError("rule_id", f"the id of a rule in the catalogue ({len(CATALOGUE)} rules{hint})", rule_id)


def rules_in_area(area: RuleArea | None) -> tuple[CatalogueEntry, ...]:
    """The catalogued rules of ``area`` (every rule when ``None``), ordered by area then id."""
    return tuple(e for e in CATALOGUE.values() if area is None or e.area is area)


__all__ = [
    "CATALOGUE",
    "RULES",
    "SOURCES",
    "CatalogueEntry",
    "RuleArea",
    "RuleSource",
    "build_catalogue",
    "get_rule",
    "rules_in_area",
]
