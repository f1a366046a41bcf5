"""Use cases of the rule catalogue: list the safety rules (of one area) and describe one rule.

Callable alike from the CLI, a REST API or a web page: arguments are plain values (an area name, a rule id);
each :class:`~baclofen.domain.rules.catalogue.CatalogueEntry` has a JSON-ready ``to_dict()``.

Raises
------
InvalidInputError
    For an unknown area (``area``, listing the areas) or rule id (``rule_id``, naming the closest ids).
"""

from __future__ import annotations

from baclofen.domain.rules.catalogue import CatalogueEntry, RuleArea, get_rule, rules_in_area


def list_rules(area: str | RuleArea | None = None) -> tuple[CatalogueEntry, ...]:
    """Every catalogued rule, or those of ``area`` (``scope``, ``oral``, ``itb``, ``pump``, ``pk``, ``cds``),
    ordered by area then id."""
    return rules_in_area(None if area is None else RuleArea.parse(area))


def describe_rule(rule_id: str) -> CatalogueEntry:
    """The catalogued rule with this id (any case)."""
    return get_rule(rule_id)


__all__ = ["describe_rule", "list_rules"]
