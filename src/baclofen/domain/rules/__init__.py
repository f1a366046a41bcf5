"""Safety rules engine: rules with stable ids, a pure check, reasoning and evidence.

Evaluation returns every finding and never raises on a clinical condition. A plan with an
un-overridden ``block`` finding is not offered (:func:`is_offerable`); a clinician may override a
block with a reason, which the plan records (:class:`Override`).

Each area keeps its rules in its own module (``rules/oral.py``, ``rules/itb.py`` ...); every
:class:`Rule` registers itself in :data:`RULES` so that tests can prove that each cites evidence.
"""

from baclofen.domain.rules.core import (
    RULES,
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
    "RULES",
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
