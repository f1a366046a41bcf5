"""Warning signs of withdrawal and overdose, with what to do, as cited data (clinical.md §3, §4).

Findings about missed refills, abrupt stops, tapers, over-infusion and kidney failure attach the
matching :class:`SignSet` so that the person reading the finding knows what to look for. What a person with a pump
(or someone with them) tells an emergency team first is cited data too (:data:`ITB_EMERGENCY_TEAM`): the emergency
wallet card prints it, and any other surface (the patient guide, a page) can say the same words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SignSet:
    name: str
    signs: tuple[str, ...]
    action: str
    evidence: tuple[str, ...]


ORAL_WITHDRAWAL = SignSet(
    name="oral baclofen withdrawal",
    signs=(
        "hallucinations",
        "seizures",
        "high fever",
        "altered mental status / confusion",
        "exaggerated rebound spasticity",
        "muscle rigidity",
    ),
    action=(
        "Do not stop baclofen abruptly. If these signs appear during a taper, contact the prescriber the same "
        "day; seizures, high fever or confusion need emergency care. Never restart a previous high dose alone."
    ),
    evidence=("S4", "S9", "S24"),
)

ITB_WITHDRAWAL = SignSet(
    name="intrathecal baclofen withdrawal",
    signs=(
        "return of baseline spasticity and rigidity",
        "pruritus without rash",
        "tachycardia",
        "piloerection",
        "high fever",
        "altered mental status",
        "exaggerated rebound spasticity",
        "muscle rigidity",
        "labile blood pressure",
        "seizures",
        "hallucinations",
        "priapism",
    ),
    action=(
        "Treat as an emergency: restore intrathecal delivery (check reservoir, pump, catheter). Oral baclofen alone "
        "rarely reverses it; 10-20 mg oral every 6 h may bridge a longer interruption; consider seizure "
        "prevention and benzodiazepines. Untreated it can progress over 24-72 h to rhabdomyolysis, organ failure "
        "and death."
    ),
    evidence=("S118", "S69", "S70", "S42", "S29"),
)

ORAL_OVERDOSE = SignSet(
    name="oral baclofen overdose / toxicity",
    signs=(
        "somnolence, depressed consciousness",
        "respiratory depression",
        "coma",
        "seizures",
        "confusion",
        "hallucinations",
        "muscular hypotonia",
        "hypothermia",
        "bradycardia or tachycardia",
        "hypotension",
        "vomiting",
    ),
    action=(
        "No specific antidote: supportive care; activated charcoal within 60 min in selected cases; haemodialysis "
        "in severe poisoning with renal failure. Patients with kidney impairment can show these signs on low doses."
    ),
    evidence=("S16", "S111"),
)

ITB_OVERDOSE = SignSet(
    name="intrathecal baclofen overdose",
    signs=(
        "drowsiness",
        "lightheadedness, dizziness",
        "somnolence",
        "respiratory depression",
        "hypothermia",
        "seizures",
        "rostral progression of hypotonia",
        "loss of consciousness, coma",
    ),
    action=(
        "Emergency: remove residual drug from the pump as soon as possible; intubate if respiratory depression; "
        "consider withdrawing 30-40 mL of CSF if lumbar puncture is not contraindicated. No specific antidote."
    ),
    evidence=("S30", "S46", "S106"),
)

ALL_SIGN_SETS = (ORAL_WITHDRAWAL, ITB_WITHDRAWAL, ORAL_OVERDOSE, ITB_OVERDOSE)


@dataclass(frozen=True, slots=True)
class EmergencyMessage:
    """What to tell an emergency team first, line by line (the first line the most urgent), and its sources."""

    lines: tuple[str, ...]
    evidence: tuple[str, ...]


#: What to tell an emergency team about a person with an intrathecal baclofen pump, before the signs: the boxed
#: warning's essence (abrupt discontinuation can be life-threatening [S118]) and where interruptions come from
#: (reservoir, pump, catheter [S69] [S42]); the sources are those of :data:`ITB_WITHDRAWAL`.
ITB_EMERGENCY_TEAM = EmergencyMessage(
    lines=(
        "This person has an implanted intrathecal baclofen pump. Do not stop intrathecal baclofen: withdrawal can "
        "be life-threatening.",
        "Contact the pump clinic now and check the pump, reservoir and catheter.",
    ),
    evidence=ITB_WITHDRAWAL.evidence,
)
