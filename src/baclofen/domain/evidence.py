"""Citations: every clinical constant and rule points at references by key.

Keys are the source tags of ../shared/domain/clinical.md (``S4``) and named keys for sources that
pk-models.md cites (``Simon2018``). The catalogue is generated into :mod:`references_data`.

>>> format_citation("S4")
'[S4] MedLibrary, "OZOBAX – baclofen solution (Metacel) label" — https://medlibrary.org/lib/rx/meds/ozobax/'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from baclofen.domain.errors import UnknownNameError
from baclofen.domain.references_data import RAW_REFERENCES


@dataclass(frozen=True, slots=True)
class Reference:
    key: str
    title: str
    location: str

    @property
    def is_low_authority(self) -> bool:
        """Sources the fact sheet marks as low authority: hints only, never the basis of a hard rule."""
        text = self.title.lower()
        return "low authority" in text or "low-quality host" in text or "ai-generated" in text


REFERENCES: Mapping[str, Reference] = MappingProxyType(
    {key: Reference(key, title, location) for key, title, location in RAW_REFERENCES}
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
