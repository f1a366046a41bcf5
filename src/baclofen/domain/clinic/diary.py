"""The patient diary: one entry as the clinic keeps it, and the red flags one entry raises.

An entry (:class:`DiaryEntryRecord`) holds what the patient reports at one moment: oral doses taken and
missed, spasm frequency (Penn Spasm Frequency Scale [S93]), stiffness, pain and sleep disruption on 0-10
numeric rating scales [S88] [S89], symptoms from the one fixed vocabulary of the risk engine
(:class:`~baclofen.domain.cds.timeline.Symptom`: side effects and the withdrawal and overdose signs of
clinical.md §3-§4) and a free note. Entries are only ever appended.

The red-flag rules (``DIARY-*``, :data:`DIARY_RULES`) judge one entry when it is logged; each finding says
its level (``data["level"]``: high, moderate, low) and the use case keeps it as an alert until a clinician
acknowledges or resolves it, so an entry never drops out of sight with the risk engine's look-back window
(whose ``RISK-DIARY-*`` rules read the same entries on the timeline).

>>> from datetime import datetime, timezone
>>> entry = DiaryEntryRecord("D-1", "P-1", datetime(2026, 3, 9, 20, 0, tzinfo=timezone.utc),
...                          symptoms=(Symptom.FEVER, Symptom.REBOUND_SPASTICITY, Symptom.CONFUSION))
>>> [(f.rule_id, f.data["level"]) for f in assess_diary_entry(entry)]
[('DIARY-MENTAL-001', 'high'), ('DIARY-WITHDRAWAL-001', 'high')]
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from baclofen.domain.cds.scales import NRS_MAX, NRS_MIN, PennSpasmScore
from baclofen.domain.cds.timeline import Symptom, SymptomKind
from baclofen.domain.errors import InvalidInputError, require, require_finite_number
from baclofen.domain.records import check_record_id
from baclofen.domain.rules.core import Finding, Rule, Severity, evaluate_rules
from baclofen.domain.signs import ITB_OVERDOSE, ITB_WITHDRAWAL, ORAL_OVERDOSE, ORAL_WITHDRAWAL

__all__ = [
    "DEFINED_RULES",
    "DIARY_RULES",
    "MAX_DIARY_NOTE_LENGTH",
    "MAX_DOSES_PER_ENTRY",
    "DiaryEntryRecord",
    "assess_diary_entry",
    "check_diary_note",
    "check_dose_count",
    "check_nrs",
    "diary_entry_id",
    "parse_diary_symptom",
]

#: Longest free note of a diary entry (characters).
MAX_DIARY_NOTE_LENGTH = 2000
#: Most doses an entry can report taken or missed (a plausibility bound: oral baclofen is 3-4 doses a day).
MAX_DOSES_PER_ENTRY = 50

_SYMPTOMS_EXPECTED = "one of " + ", ".join(s.value for s in Symptom)


def parse_diary_symptom(value: object, field: str = "symptoms") -> Symptom:
    """A symptom of the fixed vocabulary: a :class:`Symptom` or its exact value (any case, e.g. ``"itching"``).

    Free text belongs in the note: an unknown word is refused rather than guessed.

    >>> parse_diary_symptom("Fever").name
    'FEVER'
    """
    if isinstance(value, Symptom):
        return value
    if isinstance(value, str):
        for symptom in Symptom:
            if symptom.value == " ".join(value.casefold().split()):
                return symptom
    raise InvalidInputError(field, _SYMPTOMS_EXPECTED, value)


def check_dose_count(value: object, field: str) -> int:
    """A count of doses taken or missed: a whole number from 0 to :data:`MAX_DOSES_PER_ENTRY`."""
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_DOSES_PER_ENTRY
    require(ok, field, f"a whole number from 0 to {MAX_DOSES_PER_ENTRY}", value)
    assert isinstance(value, int)
    return value


def check_nrs(value: object, field: str) -> float:
    """A 0-10 numeric rating (stiffness, pain, sleep disruption)."""
    return require_finite_number(value, field, minimum=NRS_MIN, maximum=NRS_MAX)


def check_diary_note(value: object, field: str = "note") -> str:
    """A free note: at most :data:`MAX_DIARY_NOTE_LENGTH` printable characters (new lines and tabs allowed),
    without surrounding spaces."""
    require(isinstance(value, str), field, "a text", value)
    assert isinstance(value, str)
    note = value.strip()
    ok = len(note) <= MAX_DIARY_NOTE_LENGTH and all(c.isprintable() or c in "\n\t" for c in note)
    require(ok, field, f"a text of at most {MAX_DIARY_NOTE_LENGTH} printable characters", value)
    return note


def diary_entry_id(patient_id: str, recorded_at: datetime) -> str:
    """The identifier of a patient's entry at one instant (one entry per patient and instant).

    >>> from datetime import timezone
    >>> diary_entry_id("P-1", datetime(2026, 3, 9, 20, 0, tzinfo=timezone.utc))
    'D-de753845169b4dc29a72'
    """
    check_record_id(patient_id, "patient_id")
    aware = isinstance(recorded_at, datetime) and recorded_at.utcoffset() is not None
    require(aware, "recorded_at", "a date and time with its UTC offset", recorded_at)
    instant = recorded_at.astimezone(UTC).replace(tzinfo=None).isoformat()
    return "D-" + hashlib.sha256(f"{patient_id}\n{instant}".encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class DiaryEntryRecord:
    """One diary entry of a patient, as reported at ``recorded_at``.

    Attributes
    ----------
    entry_id, patient_id : str
        The entry's identifier (:func:`diary_entry_id` by default in the use case) and its patient's.
    recorded_at : datetime
        When the entry was made, with its UTC offset.
    doses_taken, doses_missed : int
        Oral baclofen doses taken (None: not said) and missed since the last entry.
    spasm_frequency : PennSpasmScore, optional
        Penn Spasm Frequency Scale: frequency 0-4 and severity 1-3 [S93].
    stiffness_nrs, pain_nrs, sleep_nrs : float, optional
        0-10 numeric ratings, higher is worse: stiffness (spasticity), pain, sleep disruption.
    symptoms : tuple of Symptom
        Side effects and warning signs from the fixed vocabulary (each once, in vocabulary order).
    note : str
        Free text, not interpreted (a note reaches a clinician: ``DIARY-NOTE-001``).
    """

    entry_id: str
    patient_id: str
    recorded_at: datetime
    doses_taken: int | None = None
    doses_missed: int = 0
    spasm_frequency: PennSpasmScore | None = None
    stiffness_nrs: float | None = None
    pain_nrs: float | None = None
    sleep_nrs: float | None = None
    symptoms: tuple[Symptom, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        check_record_id(self.entry_id, "entry_id")
        check_record_id(self.patient_id, "patient_id")
        aware = isinstance(self.recorded_at, datetime) and self.recorded_at.utcoffset() is not None
        require(aware, "recorded_at", "a date and time with its UTC offset", self.recorded_at)
        if self.doses_taken is not None:
            check_dose_count(self.doses_taken, "doses_taken")
        check_dose_count(self.doses_missed, "doses_missed")
        if self.spasm_frequency is not None:
            require(
                isinstance(self.spasm_frequency, PennSpasmScore),
                "spasm_frequency",
                "a Penn spasm score (frequency 0-4, severity 1-3 when above 0)",
                self.spasm_frequency,
            )
        for name in ("stiffness_nrs", "pain_nrs", "sleep_nrs"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, check_nrs(value, name))
        listed = isinstance(self.symptoms, Sequence) and not isinstance(self.symptoms, str)
        require(listed, "symptoms", "a list of symptoms", self.symptoms)
        found = {parse_diary_symptom(s, f"symptoms[{i}]") for i, s in enumerate(self.symptoms)}
        object.__setattr__(self, "symptoms", tuple(s for s in Symptom if s in found))
        object.__setattr__(self, "note", check_diary_note(self.note))

    def has(self, *symptoms: Symptom) -> tuple[Symptom, ...]:
        """Those of ``symptoms`` this entry reports."""
        return tuple(s for s in symptoms if s in self.symptoms)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry_id": self.entry_id,
            "patient_id": self.patient_id,
            "recorded_at": self.recorded_at.isoformat(),
            "doses_taken": self.doses_taken,
            "doses_missed": self.doses_missed,
            "spasm_frequency": None if self.spasm_frequency is None else self.spasm_frequency.to_dict(),
            "stiffness_nrs": self.stiffness_nrs,
            "pain_nrs": self.pain_nrs,
            "sleep_nrs": self.sleep_nrs,
            "symptoms": [s.value for s in self.symptoms],
            "note": self.note,
        }


# --- red flags ------------------------------------------------------------------------------------------------------
_HIGH, _MODERATE, _LOW = "high", "moderate", "low"
_EMERGENCY_ACTION = (
    "Call the patient now and direct them to emergency care; check the pump (reservoir, alarms, last refill) and "
    "any recent dose change or missed doses."
)


def _flag(
    rule: Rule[DiaryEntryRecord],
    entry: DiaryEntryRecord,
    level: str,
    found: Sequence[Symptom],
    *,
    what: str,
    reasoning: str,
    signs: tuple[str, ...] = (),
    action: str = "",
) -> Finding:
    """A red flag of ``rule`` on ``entry``: the symptoms found named in the message and the data."""
    data = {
        "level": level,
        "entry_id": entry.entry_id,
        "recorded_at": entry.recorded_at,
        "symptoms": [s.value for s in found],
    }
    message = f"{what}: {', '.join(s.value for s in found)}" if found else what
    return rule.finding(message, reasoning=reasoning, data=data, signs=signs, action=action)


def _check_seizure(entry: DiaryEntryRecord) -> Finding | None:
    found = entry.has(Symptom.SEIZURE)
    if not found:
        return None
    return _flag(
        SEIZURE,
        entry,
        _HIGH,
        found,
        what="Diary red flag: seizure reported",
        reasoning="Seizures follow abrupt baclofen withdrawal (label warning [S4], boxed warning [S118]) and are "
        "a sign of oral and intrathecal overdose [S16] [S30]: either way an emergency.",
        signs=ITB_WITHDRAWAL.signs,
        action=_EMERGENCY_ACTION,
    )


def _check_breathing(entry: DiaryEntryRecord) -> Finding | None:
    found = entry.has(Symptom.BREATHING_DIFFICULTY, Symptom.UNRESPONSIVE)
    if not found:
        return None
    return _flag(
        BREATHING,
        entry,
        _HIGH,
        found,
        what="Diary red flag: breathing problems or reduced consciousness",
        reasoning="Respiratory depression and loss of consciousness progressing to coma are signs of baclofen "
        "overdose, oral [S16] [S111] and intrathecal [S30]; an intrathecal overdose needs the residual drug removed "
        "from the pump as soon as possible and intubation if breathing is depressed [S30].",
        signs=ITB_OVERDOSE.signs,
        action=_EMERGENCY_ACTION + " " + ITB_OVERDOSE.action,
    )


def _check_mental(entry: DiaryEntryRecord) -> Finding | None:
    found = entry.has(Symptom.HALLUCINATIONS, Symptom.CONFUSION)
    if not found:
        return None
    return _flag(
        MENTAL,
        entry,
        _HIGH,
        found,
        what="Diary red flag: altered mental status",
        reasoning="Hallucinations and altered mental status follow abrupt withdrawal (oral label [S4]; intrathecal "
        "boxed warning [S118]) and are signs of overdose (confusion, hallucinations [S16]); both need assessment "
        "today, emergency care when severe.",
        signs=ORAL_WITHDRAWAL.signs,
        action=_EMERGENCY_ACTION,
    )


_SYNDROME_FEVER = (Symptom.HIGH_FEVER, Symptom.FEVER)
_SYNDROME_TONE = (Symptom.REBOUND_SPASTICITY, Symptom.RIGIDITY)
_EARLY_WITHDRAWAL = tuple(s for s in Symptom if s.kind is SymptomKind.WITHDRAWAL) + (Symptom.HIGH_FEVER,)


def _check_withdrawal(entry: DiaryEntryRecord) -> Finding | None:
    found = entry.has(*_EARLY_WITHDRAWAL)
    if not found:
        return None
    syndrome = bool(entry.has(*_SYNDROME_FEVER) and entry.has(*_SYNDROME_TONE)) or Symptom.HIGH_FEVER in found
    what = (
        "Diary red flag: withdrawal syndrome (fever with rebound spasticity or rigidity)"
        if syndrome
        else "Diary red flag: early withdrawal signs"
    )
    return _flag(
        WITHDRAWAL,
        entry,
        _HIGH,
        found,
        what=what,
        reasoning="High fever, exaggerated rebound spasticity and muscle rigidity are the sequelae of abrupt "
        "withdrawal in the boxed warning [S118] and the oral label [S4]; the early intrathecal signs are the return of "
        "spasticity and rigidity, tachycardia, piloerection and pruritus ('pruritus without a rash is very "
        "suggestive'), and priapism when therapy is interrupted [S69] [S29]. Untreated, the severe syndrome can "
        "progress over 24-72 h [S69].",
        signs=ITB_WITHDRAWAL.signs,
        action="Contact the patient today (now when fever comes with rebound spasticity or rigidity): check the "
        "pump, its reservoir and alarms, the last refill and missed oral doses; restore delivery. "
        + ITB_WITHDRAWAL.action,
    )


def _check_overdose(entry: DiaryEntryRecord) -> Finding | None:
    found = entry.has(*(s for s in Symptom if s.kind is SymptomKind.OVERDOSE))
    if not found:
        return None
    return _flag(
        OVERDOSE,
        entry,
        _MODERATE,
        found,
        what="Diary: possible overdose signs",
        reasoning="Drowsiness, lightheadedness and dizziness, hypotonia and hypothermia are the first signs of "
        "intrathecal overdose [S30]; somnolence, hypotonia, hypothermia, nausea and vomiting those of oral overdose "
        "[S16]. Kidney impairment can cause them even on low oral doses [S111].",
        signs=ORAL_OVERDOSE.signs,
        action="Contact the patient today; review the dose, recent increases or refills and kidney function. "
        "Trouble breathing or reduced consciousness: emergency care.",
    )


def _check_note(entry: DiaryEntryRecord) -> Finding | None:
    if not entry.note:
        return None
    return _flag(
        NOTE,
        entry,
        _LOW,
        (),
        what="Diary note for review",
        reasoning="A free note is not interpreted; it may describe a withdrawal or overdose sign in the patient's "
        "own words (warning signs: [S118] [S4]), so a clinician reads it rather than the system dropping it.",
        action="A clinician reads the note: " + entry.note[:200],
    )


SEIZURE: Rule[DiaryEntryRecord] = Rule(
    "DIARY-SEIZURE-001",
    "Seizure in the diary",
    Severity.WARN,
    ("S4", "S118", "S16", "S30"),
    _check_seizure,
    settings=(),
)
BREATHING: Rule[DiaryEntryRecord] = Rule(
    "DIARY-BREATHING-001",
    "Breathing problems or reduced consciousness in the diary",
    Severity.WARN,
    ("S30", "S16", "S111"),
    _check_breathing,
    settings=(),
)
MENTAL: Rule[DiaryEntryRecord] = Rule(
    "DIARY-MENTAL-001",
    "Hallucinations or confusion in the diary",
    Severity.WARN,
    ("S4", "S118", "S16"),
    _check_mental,
    settings=(),
)
WITHDRAWAL: Rule[DiaryEntryRecord] = Rule(
    "DIARY-WITHDRAWAL-001",
    "Withdrawal signs in the diary",
    Severity.WARN,
    ("S118", "S4", "S69", "S29"),
    _check_withdrawal,
    settings=(),
)
OVERDOSE: Rule[DiaryEntryRecord] = Rule(
    "DIARY-OVERDOSE-001",
    "Overdose signs in the diary",
    Severity.WARN,
    ("S30", "S16", "S111"),
    _check_overdose,
    settings=(),
)
NOTE: Rule[DiaryEntryRecord] = Rule(
    "DIARY-NOTE-001", "Diary note for a clinician", Severity.INFO, ("S118", "S4"), _check_note, settings=()
)

#: The red-flag rules of one diary entry, evaluated when it is logged.
DIARY_RULES: tuple[Rule[DiaryEntryRecord], ...] = (SEIZURE, BREATHING, MENTAL, WITHDRAWAL, OVERDOSE, NOTE)
#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = DIARY_RULES

_LEVEL_RANK = {_HIGH: 0, _MODERATE: 1, _LOW: 2}


def assess_diary_entry(entry: DiaryEntryRecord) -> tuple[Finding, ...]:
    """The red flags of one entry, highest level first (then by rule id); each says its ``data["level"]``."""
    require(isinstance(entry, DiaryEntryRecord), "entry", "a diary entry record", entry)
    findings = evaluate_rules(DIARY_RULES, entry)
    return tuple(sorted(findings, key=lambda f: (_LEVEL_RANK[f.data["level"]], f.rule_id)))
