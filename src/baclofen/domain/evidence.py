"""Citations: every clinical constant and rule points at references by key.

Keys are the source tags of ../shared/domain/clinical.md (``S4``) and named keys for sources that
pk-models.md cites (``Simon2018``). The catalogue is generated into :mod:`references_data`, each
reference with its :class:`Authority` in the fact sheet's ranking of sources.

>>> format_citation("S4")
'[S4] MedLibrary, "OZOBAX – baclofen solution (Metacel) label" — https://medlibrary.org/lib/rx/meds/ozobax/'
>>> get_reference("S4").authority.value, get_reference("S109").authority.value, get_reference("S109").is_low_authority
('label', 'low', True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType

from baclofen.domain.errors import UnknownNameError
from baclofen.domain.references_data import RAW_REFERENCES


class Authority(Enum):
    """The fact sheet's ranking of sources (clinical.md, "How to read this file"), highest first.

    ``LOW`` is the sheet's "low authority" / "low-quality host" mark (AI-generated or aggregator pages):
    hints only, never the basis of a hard rule. scripts/build_references.py derives each source's authority.
    """

    LABEL = "label"  # regulator label text or a faithful label mirror (device labelling, regulator notices)
    GUIDELINE = "guideline"  # national guideline or formulary
    STUDY = "study"  # peer-reviewed consensus or trial
    MANUFACTURER = "manufacturer"  # manufacturer patient or HCP web page
    SECONDARY = "secondary"  # secondary drug-information sites
    LOW = "low"  # marked low authority by the sheet

    @property
    def rank(self) -> int:
        """0 for the highest authority (label) ... 5 for low."""
        return list(Authority).index(self)


@dataclass(frozen=True, slots=True)
class Reference:
    key: str
    title: str
    location: str
    authority: Authority

    @property
    def is_low_authority(self) -> bool:
        """Sources the fact sheet marks as low authority: hints only, never the basis of a hard rule."""
        return self.authority is Authority.LOW


REFERENCES: Mapping[str, Reference] = MappingProxyType(
    {key: Reference(key, title, location, Authority(authority)) for key, title, location, authority in RAW_REFERENCES}
)


def get_reference(key: str) -> Reference:
    """Look a citation key up; an unknown key raises :class:`UnknownNameError`."""
    try:
        return REFERENCES[key]
    except KeyError:
        raise UnknownNameError("citation key", REFERENCES.keys(), key) from None


def format_citation(key: str) -> str:
    ref = get_reference(key)
    return f"[{ref.key}] {ref.title} — {ref.location}"


def format_evidence(keys: Iterable[str]) -> list[str]:
    """Human-readable evidence lines for citation keys, in order, without duplicates."""
    seen: list[str] = []
    for key in keys:
        if key not in seen:
            seen.append(key)
    return [format_citation(k) for k in seen]
