"""Safety rules engine: rules with stable ids, a pure check, reasoning and evidence.

Evaluation returns every finding and never raises on a clinical condition. A plan with an
un-overridden ``block`` finding is not offered (:func:`is_offerable`); a clinician may override a
block with a reason, which the plan records (:class:`Override`).

A rule is defined next to the logic it guards (``rules/oral.py``, ``rules/itb/*.py``, ``cds/*.py``,
``pk/findings.py``, ``rules/scope.py``); each of those modules exports the rules it defines (``DEFINED_RULES``),
and :mod:`baclofen.domain.rules.catalogue` builds the catalogue of every rule from those collections in one place
(``baclofen rules list`` shows it). Constructing a :class:`Rule` registers nothing.
"""

from baclofen.domain.rules.core import (
    Finding,
    Override,
    Rule,
    Severity,
    apply_overrides,
    evaluate_rules,
    findings_to_dicts,
    has_blocking,
    is_offerable,
)

__all__ = [
    "Finding",
    "Override",
    "Rule",
    "Severity",
    "apply_overrides",
    "evaluate_rules",
    "findings_to_dicts",
    "has_blocking",
    "is_offerable",
]
