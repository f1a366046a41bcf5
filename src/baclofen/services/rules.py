"""Use cases of the rule catalogue: list the safety rules (of one area) and describe one rule.

Callable alike from the CLI, a REST API or a web page: arguments are plain values (an area name, a rule id);
each :class:`~baclofen.domain.rules.catalogue.CatalogueEntry` has a JSON-ready ``to_dict()``.

Raises
------
InvalidInputError
    For an unknown area (``area``, listing the areas) or rule id (``rule_id``, naming the closest ids).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baclofen.domain.rules.catalogue import CatalogueEntry, RuleArea, get_rule, rules_in_area


@dataclass(frozen=True, slots=True)
class RuleListing:
    """The catalogued rules of one area (``area`` None: every area)."""

    area: RuleArea | None
    rules: tuple[CatalogueEntry, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "area": None if self.area is None else self.area.value,
            "count": len(self.rules),
            "rules": [e.to_dict() for e in self.rules],
            "settings": [],  # listing the catalogue uses no setting (a rule's description gives those it reads)
        }


def list_rules(area: str | RuleArea | None = None) -> tuple[CatalogueEntry, ...]:
    """Every catalogued rule, or those of ``area`` (``scope``, ``oral``, ``itb``, ``pump``, ``pk``, ``cds``),
    ordered by area then id."""
    return rules_in_area(None if area is None else RuleArea.parse(area))


def rule_listing(area: str | RuleArea | None = None) -> RuleListing:
    """:func:`list_rules` with the area they were listed for: the document of ``baclofen rules list --json``."""
    chosen = None if area is None else RuleArea.parse(area)
    return RuleListing(chosen, rules_in_area(chosen))


def describe_rule(rule_id: str) -> CatalogueEntry:
    """The catalogued rule with this id (any case)."""
    return get_rule(rule_id)


__all__ = ["RuleListing", "describe_rule", "list_rules", "rule_listing"]
