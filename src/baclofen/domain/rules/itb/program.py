"""Pump program rules: a program whose steps the pump may not hold (``PUMP-PROG-*``) and other drugs in the pump
(``PUMP-ADMIX-001``).

The contexts are built by :mod:`baclofen.domain.itb.programs`, :mod:`baclofen.domain.itb.reservoir` and
:mod:`baclofen.domain.cds.interactions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baclofen.domain.rules.core import Finding, Rule, Severity

__all__ = [
    "ADMIXTURE",
    "AdmixtureContext",
    "DEFINED_RULES",
    "PROGRAM_RULES",
    "PROG_STEPS_UNKNOWN",
    "ProgramContext",
]


@dataclass(frozen=True, slots=True)
class ProgramContext:
    pump_name: str
    mode: str
    steps: int
    max_steps: int | None


def _prog_steps_unknown(ctx: ProgramContext) -> Finding | None:
    if ctx.max_steps is not None or ctx.mode == "simple-continuous":
        return None
    return PROG_STEPS_UNKNOWN.finding(
        f"The {ctx.pump_name}'s limit on rate changes a day is not in the sources: check that the programmer "
        f"accepts this {ctx.mode} program ({ctx.steps} step(s)).",
        reasoning="Only SynchroMed II's flex limit (13 rate changes a day) is documented (S57, S63); "
        "Prometra II's is UNCONFIRMED (S67).",
        data={"steps": ctx.steps},
    )


PROG_STEPS_UNKNOWN = Rule(
    rule_id="PUMP-PROG-001",
    title="Flex step limit unknown for this pump",
    severity=Severity.WARN,
    evidence=("S57", "S67"),
    check=_prog_steps_unknown,
)

PROGRAM_RULES = (PROG_STEPS_UNKNOWN,)


@dataclass(frozen=True, slots=True)
class AdmixtureContext:
    """Other drugs said to be in the pump (or catheter) with intrathecal baclofen."""

    other_drugs: tuple[str, ...]


def _admixture(ctx: AdmixtureContext) -> Finding | None:
    if not ctx.other_drugs:
        return None
    names = ", ".join(ctx.other_drugs)
    return ADMIXTURE.finding(
        f"Other drugs in the pump with intrathecal baclofen ({names}): do not mix intrathecal baclofen with other "
        "drugs in the pump or catheter.",
        reasoning="Label (Gablofen): do not mix with other drugs in the pump or catheter; the program, stability and "
        "concentration checks here assume baclofen alone.",
        data={"other_drugs_in_pump": list(ctx.other_drugs)},
        action="Fill the pump with intrathecal baclofen only (preservative-free, diluted only with preservative-free "
        "sodium chloride where needed); give other intrathecal drugs by a separate route or plan.",
    )


ADMIXTURE = Rule(
    rule_id="PUMP-ADMIX-001",
    title="No admixture with other drugs in the pump or catheter",
    severity=Severity.BLOCK,
    evidence=("S36", "S34"),
    check=_admixture,
    settings=(),
)

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (*PROGRAM_RULES, ADMIXTURE)
