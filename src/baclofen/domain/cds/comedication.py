"""Screen a patient's other medicines against baclofen, for plans (journey 1: the opioid warning shows
on the titration plan itself, with its source).

Unrecognised names are never dropped: they give :data:`UNRECOGNISED_MEDICINES` (warn), saying that
their interactions were not checked.

>>> [f.rule_id for f in screen_comedications(["OxyContin"])]
['INT-BAC-OPIOID-001']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from baclofen.domain.cds.interactions import screen_interactions
from baclofen.domain.errors import InvalidInputError
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
            "so no interaction with baclofen could be looked up. Baclofen adds to other CNS depressants "
            "(alcohol, opioids, benzodiazepines, sedatives)."
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


def screen_comedications(names: Iterable[str]) -> tuple[Finding, ...]:
    """Findings for baclofen with each of ``names`` (generic or brand, any case), most severe first.

    Only pairs that involve baclofen are returned (a plan for baclofen is not blocked by an interaction
    between two other medicines; ``baclofen check interactions`` shows those). Unrecognised names give
    ``MEDS-UNKNOWN-001``.
    """
    cleaned = [str(n).strip() for n in names]
    if any(not n for n in cleaned):
        raise InvalidInputError("drugs", "non-empty medicine names separated by commas", list(names))
    if not cleaned:
        return ()
    screen = screen_interactions([BACLOFEN_KEY, *cleaned])
    findings = [f for f in screen.findings if BACLOFEN_KEY in f.data.get("drugs", ())]
    unknown = tuple(u.query for u in screen.unknown)
    findings.extend(UNRECOGNISED_MEDICINES.evaluate(_Unrecognised(unknown)))
    return sort_findings(findings)
