"""RISK-DIARY-*: the patient's diary in the look-back window: emergency, withdrawal and overdose signs, and symptom
texts or free notes the engine does not recognise (sent to a clinician, never dropped; journeys.md #6)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from baclofen.domain.cds.risk.context import RiskContext, RiskLevel, risk_finding
from baclofen.domain.cds.timeline import Symptom, SymptomKind
from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.signs import ITB_OVERDOSE, ITB_WITHDRAWAL, ORAL_OVERDOSE, ORAL_WITHDRAWAL, SignSet


def _withdrawal_signs(ctx: RiskContext) -> SignSet:
    return ITB_WITHDRAWAL if ctx.on_pump else ORAL_WITHDRAWAL


def _overdose_signs(ctx: RiskContext) -> SignSet:
    return ITB_OVERDOSE if ctx.on_pump else ORAL_OVERDOSE


def _diary(ctx: RiskContext) -> tuple[dict[SymptomKind, list[Symptom]], list[str], datetime, list[str]] | None:
    """Recent diary: symptoms by kind, unrecognised symptom texts, the latest entry time and the free notes."""
    recent = [d for d in ctx.timeline.diary if ctx.recent(d.time)]
    if not recent:
        return None
    by_kind: dict[SymptomKind, list[Symptom]] = {k: [] for k in SymptomKind}
    unrecognised: list[str] = []
    notes: list[str] = []
    for entry in recent:
        for s in entry.symptoms:
            if s not in by_kind[s.kind]:
                by_kind[s.kind].append(s)
        unrecognised.extend(u for u in entry.unrecognised if u not in unrecognised)
        note = " ".join(entry.note.split())
        if note and note not in notes:
            notes.append(note)
    return by_kind, unrecognised, max(d.time for d in recent), notes


def _check_diary_kind(kind: SymptomKind) -> Any:
    def check(ctx: RiskContext) -> Finding | None:
        state = _diary(ctx)
        if state is None or not state[0][kind]:
            return None
        names = [s.value for s in state[0][kind]]
        data = {"symptoms": names, "latest_entry": state[2]}
        if kind is SymptomKind.EMERGENCY:
            return risk_finding(
                DIARY_EMERGENCY,
                RiskLevel.HIGH,
                "Diary red flag (emergency signs): " + ", ".join(names),
                "Seizures, high fever, confusion, hallucinations and breathing problems are signs of severe "
                "withdrawal or overdose and need emergency care.",
                data,
                _withdrawal_signs(ctx),
                "Call the patient now; direct to emergency care; check pump/refill and recent dose changes.",
            )
        if kind is SymptomKind.WITHDRAWAL:
            return risk_finding(
                DIARY_WITHDRAWAL,
                RiskLevel.HIGH,
                "Diary red flag (possible withdrawal): " + ", ".join(names),
                "Return of spasticity, itching (pruritus without rash is very suggestive), fever, fast heartbeat "
                "and goosebumps are early withdrawal signs; untreated, withdrawal can progress over 24-72 h.",
                data,
                _withdrawal_signs(ctx),
                "Contact the patient today; check the pump, refill date and missed doses; restore delivery.",
            )
        return risk_finding(
            DIARY_OVERDOSE,
            RiskLevel.MODERATE,
            "Diary: possible overdose signs: " + ", ".join(names),
            "Drowsiness, dizziness, weakness and low temperature are early overdose signs; kidney impairment can "
            "cause them even on low oral doses.",
            data,
            _overdose_signs(ctx),
            "Contact the patient today; review the dose and kidney function.",
        )

    return check


def _check_diary_unrecognised(ctx: RiskContext) -> Finding | None:
    state = _diary(ctx)
    if state is None or not (state[1] or state[3]):
        return None
    unrecognised, notes = state[1], state[3]
    parts = []
    if unrecognised:
        parts.append("symptoms not recognised by the engine: " + ", ".join(unrecognised))
    if notes:
        parts.append("free notes (not interpreted): " + " | ".join(notes))
    return risk_finding(
        DIARY_UNRECOGNISED,
        # A free note alone is low (it may be "bad evening"); it still reaches a clinician (alert_clinic).
        RiskLevel.MODERATE if unrecognised else RiskLevel.LOW,
        "Diary text for review - " + "; ".join(parts),
        "The text could describe a withdrawal or overdose sign; it is sent to a clinician rather than ignored.",
        {"unrecognised": unrecognised, "notes": notes, "latest_entry": state[2]},
        _withdrawal_signs(ctx),
        "A clinician reviews the entry.",
    )


DIARY_EMERGENCY: Rule[RiskContext] = Rule(
    "RISK-DIARY-001",
    "Diary emergency signs",
    Severity.WARN,
    ("S4", "S16", "S30", "S118"),
    _check_diary_kind(SymptomKind.EMERGENCY),
)
DIARY_WITHDRAWAL: Rule[RiskContext] = Rule(
    "RISK-DIARY-002",
    "Diary withdrawal signs",
    Severity.WARN,
    ("S69", "S118", "S4"),
    _check_diary_kind(SymptomKind.WITHDRAWAL),
)
DIARY_OVERDOSE: Rule[RiskContext] = Rule(
    "RISK-DIARY-003",
    "Diary overdose signs",
    Severity.WARN,
    ("S30", "S16", "S111"),
    _check_diary_kind(SymptomKind.OVERDOSE),
)
DIARY_UNRECOGNISED: Rule[RiskContext] = Rule(
    "RISK-DIARY-004", "Diary text not recognised", Severity.WARN, ("S118", "S4"), _check_diary_unrecognised
)


#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = (DIARY_EMERGENCY, DIARY_WITHDRAWAL, DIARY_OVERDOSE, DIARY_UNRECOGNISED)
