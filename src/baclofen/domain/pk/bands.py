"""Plasma concentration bands: literature-anchored heuristics, not a validated PD model.

pk-models.md §5.2 suggests flags built on reported observations: < 80 ng/mL "low"; 80-400 "usual
therapeutic"; 400-600 "caution"; >= 600-700 "encephalopathy reported (esp. renal impairment /
non-tolerant)"; >= 1000 "overdose range in non-tolerant patients"; > 3000 "severe intoxication". The
sheet labels them an assumption; every edge is therefore a :class:`Setting` with its sources, and every
band carries the label :data:`HEURISTIC_NOTE`. Tolerance matters: 300 mg/day (predicted Cavg about
1080 ng/mL) was tolerated after titration in Simon 2018.

>>> [b.name for b in plasma_bands()]
['low', 'usual', 'caution', 'encephalopathy_reported', 'overdose_range', 'severe_intoxication']
>>> band_for(450.0).name
'caution'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from baclofen.domain.errors import InvalidInputError, UnknownNameError, require_finite_number
from baclofen.domain.settings import EvidenceStatus, Setting, SettingValues

HEURISTIC_NOTE = (
    "Literature-anchored heuristic bands (pk-models.md §5.2), not a validated PD model; plasma thresholds "
    "are not "
    "universal and tolerance matters (Simon 2018: up to 300 mg/day tolerated after titration)."
)

BAND_USUAL_LOWER_NG_PER_ML = Setting(
    name="pk.band.usual_lower_ng_per_ml",
    default=80.0,
    unit="ng/mL",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("UMEM2020", "HDCase", "PKM-DERIVED"),
    description="Lower edge of the 'usual therapeutic' plasma band (80-400 ng/mL quoted by clinical labs; "
    "original "
    "reference UNCONFIRMED; pk-models.md §5.2).",
    minimum=0.0,
    maximum=100000.0,
)
BAND_CAUTION_LOWER_NG_PER_ML = Setting(
    name="pk.band.caution_lower_ng_per_ml",
    default=400.0,
    unit="ng/mL",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("UMEM2020", "PKM-DERIVED"),
    description="Upper edge of the quoted therapeutic range, start of the 'caution' band (pk-models.md §5.2).",
    minimum=0.0,
    maximum=100000.0,
)
BAND_ENCEPHALOPATHY_LOWER_NG_PER_ML = Setting(
    name="pk.band.encephalopathy_lower_ng_per_ml",
    default=600.0,
    unit="ng/mL",
    status=EvidenceStatus.DISAGREE,
    evidence=("HDCase", "Brvar2007", "AmJNephrol2011", "PKM-DERIVED"),
    description="Start of the 'encephalopathy reported' band: >600 ng/mL in an HD patient on 5 mg/day, coma "
    "at "
    "700 ng/mL in renal failure; the sheet gives '>= 600-700' (lower end used; pk-models.md §5.2).",
    minimum=0.0,
    maximum=100000.0,
)
BAND_OVERDOSE_LOWER_NG_PER_ML = Setting(
    name="pk.band.overdose_lower_ng_per_ml",
    default=1000.0,
    unit="ng/mL",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("ToxBaclofene", "UMEM2020", "Leung2006", "PKM-DERIVED"),
    description="Start of the 'overdose range in non-tolerant patients' (acute intoxications 700-3300 ng/mL; "
    "1200 mg overdose 882 ng/mL; pk-models.md §5.2).",
    minimum=0.0,
    maximum=100000.0,
)
BAND_SEVERE_LOWER_NG_PER_ML = Setting(
    name="pk.band.severe_lower_ng_per_ml",
    default=3000.0,
    unit="ng/mL",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("ToxBaclofene", "PKM-DERIVED"),
    description="Start of the 'severe intoxication' band (upper end of acute intoxications 3300 ng/mL; "
    "pk-models.md §5.2).",
    minimum=0.0,
    maximum=100000.0,
)

BAND_EDGE_SETTINGS = (
    BAND_USUAL_LOWER_NG_PER_ML,
    BAND_CAUTION_LOWER_NG_PER_ML,
    BAND_ENCEPHALOPATHY_LOWER_NG_PER_ML,
    BAND_OVERDOSE_LOWER_NG_PER_ML,
    BAND_SEVERE_LOWER_NG_PER_ML,
)

_BAND_NAMES = ("low", "usual", "caution", "encephalopathy_reported", "overdose_range", "severe_intoxication")
_BAND_LABELS = (
    "low",
    "usual therapeutic (as quoted by clinical labs)",
    "caution",
    "encephalopathy reported (esp. renal impairment / non-tolerant)",
    "overdose range in non-tolerant patients",
    "severe intoxication",
)
_BAND_EVIDENCE: tuple[tuple[str, ...], ...] = (
    ("UMEM2020", "PKM-DERIVED"),
    ("UMEM2020", "HDCase", "PKM-DERIVED"),
    ("UMEM2020", "PKM-DERIVED"),
    ("HDCase", "Brvar2007", "AmJNephrol2011", "PKM-DERIVED"),
    ("ToxBaclofene", "UMEM2020", "Leung2006", "PKM-DERIVED"),
    ("ToxBaclofene", "PKM-DERIVED"),
)


@dataclass(frozen=True, slots=True)
class Band:
    """A plasma concentration band [lower, upper) in ng/mL with its label and sources."""

    name: str
    label: str
    lower_ng_per_ml: float
    upper_ng_per_ml: float
    evidence: tuple[str, ...]

    def contains(self, concentration_ng_per_ml: float) -> bool:
        return self.lower_ng_per_ml <= concentration_ng_per_ml < self.upper_ng_per_ml

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "label": self.label,
            "lower_ng_per_ml": self.lower_ng_per_ml,
            "upper_ng_per_ml": None if math.isinf(self.upper_ng_per_ml) else self.upper_ng_per_ml,
            "evidence": list(self.evidence),
            "heuristic": True,
        }


def plasma_bands(overrides: Mapping[str, float] | None = None) -> tuple[Band, ...]:
    """The six plasma bands, edges from the settings (``overrides`` by setting name).

    Parameters
    ----------
    overrides : optional mapping of band setting name (e.g. ``"pk.band.encephalopathy_lower_ng_per_ml"``)
        to a value in ng/mL.

    Raises
    ------
    InvalidInputError : an unknown setting name, or edges that do not increase.
    """
    values = SettingValues(BAND_EDGE_SETTINGS, overrides, field="band setting")
    edges = [float(values.get(s)) for s in BAND_EDGE_SETTINGS]
    if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise InvalidInputError("band edges", "strictly increasing", edges)
    lowers = [0.0, *edges]
    uppers = [*edges, math.inf]
    return tuple(
        Band(name, label, lo, hi, ev)
        for name, label, lo, hi, ev in zip(_BAND_NAMES, _BAND_LABELS, lowers, uppers, _BAND_EVIDENCE, strict=True)
    )


def band_for(concentration_ng_per_ml: float, bands: tuple[Band, ...] | None = None) -> Band:
    """The band a plasma concentration (ng/mL) falls in."""
    c = require_finite_number(concentration_ng_per_ml, "concentration_ng_per_ml", minimum=0.0)
    for band in bands or plasma_bands():
        if band.contains(c):
            return band
    raise AssertionError("bands cover [0, inf)")  # pragma: no cover


def get_band(name: str, bands: tuple[Band, ...] | None = None) -> Band:
    for band in bands or plasma_bands():
        if band.name == name:
            return band
    raise UnknownNameError("band", _BAND_NAMES, name)
