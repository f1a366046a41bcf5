"""Screen a patient's other medicines, for plans (journey 1: the opioid warning shows on the titration plan
itself, with its source): baclofen with each of them, and every pair among them (issue 8, defect 5).

Unrecognised names are never dropped: they give :data:`UNRECOGNISED_MEDICINES` (warn), saying that
their interactions were not checked.

>>> [f.rule_id for f in screen_comedications(["OxyContin"])]
['INT-BAC-OPIOID-001']
>>> [(f.rule_id, f.overridable) for f in screen_comedications(["tizanidine", "Cipro"])]
[('INT-TIZ-CYP1A2-001', False)]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from baclofen.domain.cds.drugs import DrugLookup, resolve_drugs
from baclofen.domain.cds.interactions import SCOPE_NOTE, screen_interactions
from baclofen.domain.names import parse_name_list
from baclofen.domain.rules.core import Finding, Rule, Severity, sort_findings

BACLOFEN_KEY = "baclofen"


@dataclass(frozen=True, slots=True)
class _Unrecognised:
    names: tuple[str, ...]


def _check_unrecognised(ctx: _Unrecognised) -> Finding | None:
    if not ctx.names:
        return None
    listed = ", ".join(repr(n) for n in ctx.names)
    return UNRECOGNISED_MEDICINES.finding(
        f"Not recognised, interactions NOT checked: {listed}",
        reasoning=(
            "These names are not in the drug catalogue built from the clinical fact sheet (clinical.md §6-§8), "
            "so no interaction with baclofen or the other medicines could be looked up. Baclofen adds to other "
            "CNS depressants (alcohol, opioids, benzodiazepines, sedatives)."
        ),
        data={"unrecognised": list(ctx.names)},
        action="Check these medicines against a full interaction reference before prescribing.",
    )


UNRECOGNISED_MEDICINES: Rule[_Unrecognised] = Rule(
    "MEDS-UNKNOWN-001",
    "Medicines not recognised: interactions not checked",
    Severity.WARN,
    ("S17", "S6"),
    _check_unrecognised,
)
#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (UNRECOGNISED_MEDICINES,)


@dataclass(frozen=True, slots=True)
class ComedicationScreen:
    """The patient's other medicines as recognised (``lookup``, baclofen not added) and the findings of every
    interacting pair among baclofen and all of them, plus ``MEDS-UNKNOWN-001`` for unrecognised names."""

    lookup: DrugLookup
    findings: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**self.lookup.to_dict(), "scope": SCOPE_NOTE}


def screen_plan_medicines(names: str | Iterable[str]) -> ComedicationScreen:
    """Screen baclofen and the patient's other medicines (generic or brand, any case): every pair.

    ``names``: a comma-separated text or a list, read by :func:`~baclofen.domain.names.parse_name_list`
    (an empty name or another separator such as ``;`` is refused, naming ``drugs``).

    A pair that does not involve baclofen counts too (issue 8, defect 5): tizanidine with ciprofloxacin or
    fluvoxamine is an absolute contraindication, and a plan for a patient on both must not be offerable.
    Unrecognised names give ``MEDS-UNKNOWN-001``.
    """
    cleaned = parse_name_list(names, "drugs")
    if not cleaned:
        return ComedicationScreen(DrugLookup(()), ())
    screen = screen_interactions([BACLOFEN_KEY, *cleaned])
    findings = list(screen.findings)
    unknown = tuple(u.query for u in screen.unknown)
    findings.extend(UNRECOGNISED_MEDICINES.evaluate(_Unrecognised(unknown)))
    return ComedicationScreen(resolve_drugs(cleaned), sort_findings(findings))


def screen_comedications(names: Iterable[str]) -> tuple[Finding, ...]:
    """The findings of :func:`screen_plan_medicines` (every interacting pair, most severe first)."""
    return screen_plan_medicines(names).findings
