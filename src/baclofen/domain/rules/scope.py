"""Scope rules: patients this system does not plan for, whatever the drug or path.

The product owner's decision (issue 8): the system is for adults. clinical.md §1 lists paediatric
labelling only as a note (oral products not established under 12 years [S11] [S114]; UK oral products
licensed 0 to <18 years [S95]; intrathecal products from 4 years [S36] [S37]) and says "Pediatric dosing is out
of scope"; the current tizanidine label indicates it "in adults" [S75]. A patient under
:data:`ADULT_AGE_YEARS` therefore gets :data:`PAEDIATRIC_SCOPE`, a block that cannot be overridden.

Every path that takes an age evaluates it: oral plans (``rules/oral.py``), contraindication checks and the
alternatives advisor (``cds/contraindications.py``), through :meth:`Rule.adapted`.

>>> [(f.rule_id, f.overridable) for f in PAEDIATRIC_SCOPE.evaluate(16)]
[('SCOPE-PAEDIATRIC-001', False)]
>>> PAEDIATRIC_SCOPE.evaluate(18), PAEDIATRIC_SCOPE.evaluate(None)
((), ())
"""

from __future__ import annotations

from typing import Any

from baclofen.domain.rules.core import Finding, Rule, Severity

#: Adults only: from this age (years). A product owner's decision, not a configurable setting (a setting
#: could be lowered by a caller, and the block is absolute); "<18 years" is the UK paediatric licence [S95].
ADULT_AGE_YEARS = 18


def _check_paediatric(age_years: float | None) -> Finding | None:
    if age_years is None or age_years >= ADULT_AGE_YEARS:
        return None
    return PAEDIATRIC_SCOPE.finding(
        f"Age {age_years:g} years: under {ADULT_AGE_YEARS}, paediatric dosing is out of scope",
        reasoning=(
            f"This system plans and checks baclofen therapy for adults ({ADULT_AGE_YEARS} years and over). "
            "Paediatric labelling differs by product and age (oral products not established under 12 years; UK "
            "oral products licensed 0 to <18 years; intrathecal products from 4 years) and the fact sheet leaves "
            "paediatric dosing out of scope. This block cannot be overridden."
        ),
        data={"age_years": age_years, "adult_age_years": ADULT_AGE_YEARS},
        action="Refer to a paediatric specialist team and use paediatric dosing references; do not use this "
        "plan or check.",
    )


PAEDIATRIC_SCOPE: Rule[float | None] = Rule(
    "SCOPE-PAEDIATRIC-001",
    "Patients under 18: paediatric dosing is out of scope",
    Severity.BLOCK,
    ("S95", "S11", "S114", "S75"),
    _check_paediatric,
    overridable=False,
    settings=(),
)

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (PAEDIATRIC_SCOPE,)

__all__ = ["ADULT_AGE_YEARS", "DEFINED_RULES", "PAEDIATRIC_SCOPE"]
