"""The one vocabulary of patient conditions: what a condition text means, to every rule that reads one.

A patient's conditions arrive as free texts (``PatientSnapshot.conditions``, ``--condition``, a timeline). They
are read here and nowhere else: :func:`parse_condition` names the :class:`Condition` a text denotes (any case,
synonyms), :func:`parse_conditions` splits texts into recognised conditions and texts that are reported as NOT
checked, and :func:`describes_kidney_disease` says whether a text describes kidney disease (the dose rules take
kidney disease from the kidney function, CrCl or dialysis; a text only marks a patient as described as renal).
The rules that decide one condition (the contraindication screen's CI-BAC rows, the oral planners' cautions) name
it by one key, :func:`condition_key`, so that they are held to one severity.

>>> parse_condition("Breast feeding"), parse_condition("gout")
(<Condition.LACTATION: 'breastfeeding'>, None)
>>> condition_key(Condition.PREGNANCY)
'baclofen.condition.pregnancy'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import Enum

from baclofen.domain.cds.drugs import normalise_name
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.names import parse_name_list

__all__ = [
    "KIDNEY_DISEASE_WORDS",
    "Condition",
    "condition_key",
    "describes_kidney_disease",
    "parse_condition",
    "parse_conditions",
]


class Condition(Enum):
    """Patient conditions that clinical.md §7-§8 ties to a contraindication, warning or caution."""

    BACLOFEN_HYPERSENSITIVITY = "hypersensitivity to baclofen"
    PSYCHOTIC_DISORDER = "psychotic disorder / schizophrenia / confusional state"
    PSYCHIATRIC_DISORDER = "psychiatric disorder"
    EPILEPSY = "epilepsy"
    AUTONOMIC_DYSREFLEXIA = "autonomic dysreflexia"
    STROKE = "stroke"
    PREGNANCY = "pregnancy"
    LACTATION = "breastfeeding"
    POSTURE_DEPENDENT_SPASTICITY = "spasticity used for posture, balance or function"
    PEPTIC_ULCER = "peptic ulceration"
    RESPIRATORY_IMPAIRMENT = "respiratory impairment"
    BLADDER_SPHINCTER_HYPERTONIA = "bladder-sphincter hypertonia"
    DIABETES = "diabetes"
    LIVER_DISEASE = "liver disease"
    ACTIVE_LIVER_DISEASE = "active liver disease"
    OVARIAN_CYSTS = "ovarian cysts"
    SCI_T6_OR_ABOVE = "spinal cord injury at T6 or above"
    COMMUNICATION_DIFFICULTIES = "communication difficulties"
    BACLOFEN_WITHDRAWAL_HISTORY = "history of baclofen withdrawal"
    ACTIVE_INFECTION = "active infection"
    INSUFFICIENT_BODY_SIZE = "insufficient body size"
    SPINAL_ANOMALY = "spinal anomaly"
    MS_EXACERBATION = "MS exacerbation"
    NON_HEALING_WOUND = "non-healing wound"


_SYNONYMS: Mapping[Condition, tuple[str, ...]] = {
    Condition.BACLOFEN_HYPERSENSITIVITY: ("baclofen allergy", "allergy to baclofen", "baclofen hypersensitivity"),
    Condition.PSYCHOTIC_DISORDER: (
        "psychosis",
        "psychotic disorder",
        "schizophrenia",
        "confusional state",
        "confusion",
    ),
    Condition.PSYCHIATRIC_DISORDER: ("psychiatric disorder", "mental illness"),
    Condition.EPILEPSY: ("seizure disorder", "seizures"),
    Condition.AUTONOMIC_DYSREFLEXIA: ("dysreflexia",),
    Condition.STROKE: ("post-stroke", "cerebrovascular accident"),
    Condition.PREGNANCY: ("pregnant",),
    Condition.LACTATION: ("lactation", "breast feeding", "breast-feeding", "nursing"),
    Condition.POSTURE_DEPENDENT_SPASTICITY: (
        "beneficial spasticity",
        "spasticity needed for posture",
        "spasticity needed for function",
        "spasticity aids transfers",
        "posture dependent spasticity",
        "spasticity for posture",
    ),
    Condition.PEPTIC_ULCER: ("peptic ulcer", "peptic ulcer disease"),
    Condition.RESPIRATORY_IMPAIRMENT: ("respiratory disease", "respiratory insufficiency"),
    Condition.BLADDER_SPHINCTER_HYPERTONIA: ("bladder sphincter hypertonia", "sphincter hypertonia"),
    Condition.DIABETES: ("diabetes mellitus", "type 1 diabetes", "type 2 diabetes"),
    Condition.LIVER_DISEASE: ("hepatic impairment", "hepatic disease", "liver impairment"),
    Condition.ACTIVE_LIVER_DISEASE: ("active hepatic disease", "hepatitis", "active hepatitis"),
    Condition.OVARIAN_CYSTS: ("ovarian cyst",),
    Condition.SCI_T6_OR_ABOVE: (
        "sci t6 or above",
        "high spinal cord injury",
        "spinal cord injury t6 or above",
        "spinal cord injury above t6",
    ),
    Condition.COMMUNICATION_DIFFICULTIES: ("communication difficulty", "cannot communicate"),
    Condition.BACLOFEN_WITHDRAWAL_HISTORY: ("previous baclofen withdrawal", "baclofen withdrawal history"),
    Condition.ACTIVE_INFECTION: ("infection", "active uti", "urinary tract infection", "uti"),
    Condition.INSUFFICIENT_BODY_SIZE: ("small body size", "body size too small", "insufficient body mass"),
    Condition.SPINAL_ANOMALY: ("spinal anomalies", "spinal deformity", "spine anomaly"),
    Condition.MS_EXACERBATION: ("ms relapse", "multiple sclerosis exacerbation", "ms flare"),
    Condition.NON_HEALING_WOUND: ("non-healing wounds", "non healing wound", "nonhealing wound", "chronic wound"),
}


def _condition_index() -> dict[str, Condition]:
    index: dict[str, Condition] = {}
    for cond in Condition:
        for text in (cond.value, cond.name.replace("_", " "), *_SYNONYMS.get(cond, ())):
            index[normalise_name(text)] = cond
    return index


_CONDITION_INDEX = _condition_index()


def parse_condition(text: str | Condition) -> Condition | None:
    """The :class:`Condition` a text names (any case, synonyms), or None."""
    if isinstance(text, Condition):
        return text
    if not isinstance(text, str):
        raise InvalidInputError("condition", "a text", text)
    return _CONDITION_INDEX.get(normalise_name(text))


def parse_conditions(
    texts: str | Condition | Iterable[str | Condition],
) -> tuple[tuple[Condition, ...], tuple[str, ...]]:
    """Split texts into recognised conditions (in order, no duplicates) and unrecognised texts.

    Texts are read by the one name-list parser (:func:`~baclofen.domain.names.parse_name_list`): a text is
    a comma-separated list, a sequence holds one name per item; an empty name or another separator (``;``,
    ``|``, tab, new line) is refused, naming ``conditions``.
    """
    if isinstance(texts, Condition):
        names: list[str | Condition] = [texts]
    elif isinstance(texts, str):
        names = list(parse_name_list(texts, "conditions"))
    else:
        names = [t if isinstance(t, Condition) else parse_name_list([t], "conditions")[0] for t in texts]
    known: list[Condition] = []
    unknown: list[str] = []
    for text in names:
        cond = parse_condition(text)
        if cond is None:
            unknown.append(str(text).strip())
        elif cond not in known:
            known.append(cond)
    return tuple(known), tuple(unknown)


def condition_key(condition: Condition) -> str:
    """The key by which the rules that decide ``condition`` for baclofen name it (``Rule.conditions``)."""
    return f"baclofen.condition.{condition.name.lower()}"


KIDNEY_DISEASE_WORDS = frozenset(
    {
        "kidney",
        "renal",
        "ckd",
        "nephropathy",
        "nephritis",
        "dialysis",
        "esrd",
        "eskd",
        "aki",
        "uraemia",
        "uremia",
        "nephrotic",
    }
)
"""Words that describe a patient as having kidney disease in a free-text condition."""


def describes_kidney_disease(text: str) -> bool:
    """True when a condition text describes kidney disease.

    >>> describes_kidney_disease("CKD stage 4"), describes_kidney_disease("haemodialysis")
    (True, True)
    >>> describes_kidney_disease("epilepsy"), describes_kidney_disease("adrenal insufficiency")
    (False, False)
    """
    words = re.findall(r"[a-z0-9]+", str(text).lower())
    return any(
        w in KIDNEY_DISEASE_WORDS or w.startswith(("nephr", "renal", "kidney")) or w.endswith("dialysis") for w in words
    )
