"""Patient snapshot: the covariates that change a plan (age, kidney function, origin, locale ...).

Kidney function is either computed with Cockcroft-Gault from age, weight, sex and serum creatinine
(the method of the renal PK study behind the dose reductions, [S22]), or given directly as a CrCl or
an eGFR, or the patient is on dialysis. Impossible values are refused with the field named.

>>> p = PatientSnapshot(age_years=46, weight_kg=70, sex=Sex.FEMALE, serum_creatinine_mg_dl=1.0)
>>> round(p.kidney.crcl_ml_min, 1)
77.7
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from baclofen.domain.documents import (
    read_bool,
    read_enum,
    read_object,
    read_optional_enum,
    read_optional_number,
    read_texts,
    within,
)
from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.names import parse_name_list
from baclofen.domain.settings import EvidenceStatus, Setting

# Plausibility bounds for inputs (structural validation, not clinical thresholds).
CRCL_MAX_ML_MIN = 250.0
EGFR_MAX = 250.0
CREATININE_MG_DL_RANGE = (0.1, 25.0)
AGE_YEARS_RANGE = (0.0, 120.0)
WEIGHT_KG_RANGE = (2.0, 400.0)
UMOL_PER_L_PER_MG_DL = 88.42

ELDERLY_AGE_YEARS = Setting(
    name="patient.elderly_age_years",
    default=65,
    unit="years",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S14", "NovartisCore", "S11"),
    description=(
        "Age from which the elderly cautions apply (ORAL-ELDERLY-001; titration.slow_elderly_steps). The sources "
        "ask for 'a very cautious dosage schedule' in the elderly (S14) and 'careful titration ... particularly in "
        "the elderly' (Novartis core label; clinical.md verification update 3.5, PARTLY VERIFIED) and Fleqsuvy "
        "lists the elderly (S11), but none gives an age: 65 is the usual convention, an assumption."
    ),
    minimum=50,
    maximum=90,
)


class Sex(Enum):
    FEMALE = "female"
    MALE = "male"


class SpasticityOrigin(Enum):
    """Spinal origin includes MS; cerebral origin (brain injury, CP, stroke) titrates more slowly ([S2])."""

    SPINAL = "spinal"
    CEREBRAL = "cerebral"


class Locale(Enum):
    """Which regulator's limits apply: US label (80 mg/day) or UK/BNF (100 mg/day) ([S1], [S24])."""

    US = "us"
    UK = "uk"


class KidneySource(Enum):
    COCKCROFT_GAULT = "cockcroft-gault"
    GIVEN_CRCL = "given crcl"
    GIVEN_EGFR = "given egfr"
    DIALYSIS = "dialysis"
    UNKNOWN = "unknown"

    @property
    def note(self) -> str:
        """How the CrCl was obtained, in words (shown with the kidney function so that the method is never hidden)."""
        return _KIDNEY_NOTES[self]


_KIDNEY_NOTES = {
    KidneySource.COCKCROFT_GAULT: (
        "CrCl by Cockcroft-Gault from age, actual body weight, sex and serum creatinine (the method of the "
        "renal PK study behind the dose bands, S22)."
    ),
    KidneySource.GIVEN_CRCL: "CrCl as given.",
    KidneySource.GIVEN_EGFR: (
        "eGFR (mL/min/1.73 m2) used in place of a Cockcroft-Gault CrCl (mL/min): an approximation. The dose "
        "bands come from Cockcroft-Gault groups (S22); in a small or large body the two can differ."
    ),
    KidneySource.DIALYSIS: "Dialysis-dependent.",
    KidneySource.UNKNOWN: "Kidney function not given.",
}


@dataclass(frozen=True, slots=True)
class KidneyFunction:
    """Kidney function as used by dosing and PK: CrCl in mL/min (None when unknown), dialysis flag."""

    crcl_ml_min: float | None
    dialysis: bool = False
    source: KidneySource = KidneySource.UNKNOWN

    def __post_init__(self) -> None:
        if self.crcl_ml_min is not None:
            object.__setattr__(
                self,
                "crcl_ml_min",
                require_finite_number(self.crcl_ml_min, "crcl_ml_min", minimum=0.0, maximum=CRCL_MAX_ML_MIN),
            )

    @property
    def is_known(self) -> bool:
        return self.dialysis or self.crcl_ml_min is not None

    def to_dict(self) -> dict[str, object]:
        return {
            "crcl_ml_min": self.crcl_ml_min,
            "dialysis": self.dialysis,
            "source": self.source.value,
            "note": self.source.note,
        }


def age_years_on(birth_date: date, on: date) -> int:
    """Age in completed years on ``on`` of someone born on ``birth_date`` (the date is the caller's: no clock here).

    >>> age_years_on(date(1970, 5, 3), date(2026, 5, 2)), age_years_on(date(1970, 5, 3), date(2026, 5, 3))
    (55, 56)
    """
    for name, value in (("birth_date", birth_date), ("on", on)):
        if not isinstance(value, date):
            raise InvalidInputError(name, "a date (YYYY-MM-DD)", value)
    if birth_date > on:
        raise InvalidInputError("birth_date", f"a date on or before {on.isoformat()}", birth_date.isoformat())
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def creatinine_mg_dl_from_umol_l(serum_creatinine_umol_l: float) -> float:
    """Serum creatinine in mg/dL from umol/L (divided by :data:`UMOL_PER_L_PER_MG_DL`), to 2 decimals (as
    laboratories report mg/dL).

    >>> creatinine_mg_dl_from_umol_l(106.1)
    1.2
    """
    value = require_finite_number(serum_creatinine_umol_l, "serum_creatinine_umol_l", minimum=0.0)
    return round(value / UMOL_PER_L_PER_MG_DL, 2)


def cockcroft_gault_ml_min(age_years: float, weight_kg: float, serum_creatinine_mg_dl: float, sex: Sex) -> float:
    """Creatinine clearance (mL/min) by Cockcroft-Gault: (140 - age) x weight / (72 x SCr), x 0.85 if female.

    >>> round(cockcroft_gault_ml_min(60, 80, 1.2, Sex.MALE), 1)
    74.1
    """
    if not isinstance(sex, Sex):
        # Never fall through to the male formula for an unrecognised value: that overstates CrCl by 18 %.
        raise InvalidInputError("sex", "female or male", sex)
    age = require_finite_number(age_years, "age_years", minimum=AGE_YEARS_RANGE[0], maximum=AGE_YEARS_RANGE[1])
    weight = require_finite_number(weight_kg, "weight_kg", minimum=WEIGHT_KG_RANGE[0], maximum=WEIGHT_KG_RANGE[1])
    scr = require_finite_number(
        serum_creatinine_mg_dl,
        "serum_creatinine_mg_dl",
        minimum=CREATININE_MG_DL_RANGE[0],
        maximum=CREATININE_MG_DL_RANGE[1],
    )
    crcl = max(0.0, (140.0 - age) * weight / (72.0 * scr))
    if sex is Sex.FEMALE:
        crcl *= 0.85
    return min(crcl, CRCL_MAX_ML_MIN)


@dataclass(frozen=True, slots=True)
class PatientSnapshot:
    """What is known about the patient at one moment. Every field is optional except origin and locale.

    Give at most one of: ``serum_creatinine_mg_dl`` (with age, weight, sex), ``crcl_ml_min``,
    ``egfr_ml_min_1_73m2``; or set ``dialysis``.
    """

    age_years: float | None = None
    weight_kg: float | None = None
    sex: Sex | None = None
    serum_creatinine_mg_dl: float | None = None
    crcl_ml_min: float | None = None
    egfr_ml_min_1_73m2: float | None = None
    dialysis: bool = False
    origin: SpasticityOrigin = SpasticityOrigin.SPINAL
    locale: Locale = Locale.US
    conditions: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.age_years is not None:
            require_finite_number(self.age_years, "age_years", minimum=AGE_YEARS_RANGE[0], maximum=AGE_YEARS_RANGE[1])
        if self.weight_kg is not None:
            require_finite_number(self.weight_kg, "weight_kg", minimum=WEIGHT_KG_RANGE[0], maximum=WEIGHT_KG_RANGE[1])
        if self.serum_creatinine_mg_dl is not None:
            require_finite_number(
                self.serum_creatinine_mg_dl,
                "serum_creatinine_mg_dl",
                minimum=CREATININE_MG_DL_RANGE[0],
                maximum=CREATININE_MG_DL_RANGE[1],
            )
        if self.crcl_ml_min is not None:
            require_finite_number(self.crcl_ml_min, "crcl_ml_min", minimum=0.0, maximum=CRCL_MAX_ML_MIN)
        if self.egfr_ml_min_1_73m2 is not None:
            require_finite_number(self.egfr_ml_min_1_73m2, "egfr_ml_min_1_73m2", minimum=0.0, maximum=EGFR_MAX)
        if self.sex is not None and not isinstance(self.sex, Sex):
            raise InvalidInputError("sex", "female or male", self.sex)
        if not isinstance(self.dialysis, bool):
            raise InvalidInputError("dialysis", "true or false", self.dialysis)
        if isinstance(self.conditions, (str, bytes)):
            # frozenset("pregnancy") would be a set of letters and the condition's rules would never fire.
            raise InvalidInputError("conditions", "a collection of condition names", self.conditions)
        given = [
            n for n in ("serum_creatinine_mg_dl", "crcl_ml_min", "egfr_ml_min_1_73m2") if getattr(self, n) is not None
        ]
        if len(given) > 1:
            raise InvalidInputError("kidney function", "only one of serum creatinine, CrCl or eGFR", given)
        if self.serum_creatinine_mg_dl is not None and (
            self.age_years is None or self.weight_kg is None or self.sex is None
        ):
            raise InvalidInputError("serum_creatinine_mg_dl", "given together with age, weight and sex", "missing")
        if not isinstance(self.origin, SpasticityOrigin):
            raise InvalidInputError("origin", "spinal or cerebral", self.origin)
        if not isinstance(self.locale, Locale):
            raise InvalidInputError("locale", "us or uk", self.locale)
        # The one name-list parser: an empty name, "a;b" or a tab is refused (naming "conditions").
        object.__setattr__(self, "conditions", frozenset(parse_name_list(self.conditions, "conditions")))

    @property
    def kidney(self) -> KidneyFunction:
        """Kidney function, from whichever input was given (dialysis wins)."""
        if self.dialysis:
            crcl = self.crcl_ml_min
            return KidneyFunction(crcl_ml_min=crcl, dialysis=True, source=KidneySource.DIALYSIS)
        if self.crcl_ml_min is not None:
            return KidneyFunction(self.crcl_ml_min, source=KidneySource.GIVEN_CRCL)
        if self.egfr_ml_min_1_73m2 is not None:
            # eGFR stands in for CrCl when no creatinine clearance is available (a stated approximation).
            return KidneyFunction(min(self.egfr_ml_min_1_73m2, CRCL_MAX_ML_MIN), source=KidneySource.GIVEN_EGFR)
        if self.serum_creatinine_mg_dl is not None:
            assert self.age_years is not None and self.weight_kg is not None and self.sex is not None
            return KidneyFunction(
                cockcroft_gault_ml_min(self.age_years, self.weight_kg, self.serum_creatinine_mg_dl, self.sex),
                source=KidneySource.COCKCROFT_GAULT,
            )
        return KidneyFunction(None)

    @property
    def is_elderly(self) -> bool:
        """Aged at least :data:`ELDERLY_AGE_YEARS` (its default; see :meth:`is_elderly_from` for a clinic's value)."""
        return self.is_elderly_from(ELDERLY_AGE_YEARS.default)

    def is_elderly_from(self, elderly_age_years: float) -> bool:
        """Aged at least ``elderly_age_years`` (a validated value of :data:`ELDERLY_AGE_YEARS`)."""
        return self.age_years is not None and self.age_years >= float(ELDERLY_AGE_YEARS.validate(elderly_age_years))

    def to_dict(self) -> dict[str, object]:
        return {
            "age_years": self.age_years,
            "weight_kg": self.weight_kg,
            "sex": self.sex.value if self.sex else None,
            "serum_creatinine_mg_dl": self.serum_creatinine_mg_dl,
            "crcl_ml_min": self.crcl_ml_min,
            "egfr_ml_min_1_73m2": self.egfr_ml_min_1_73m2,
            "dialysis": self.dialysis,
            "origin": self.origin.value,
            "locale": self.locale.value,
            "conditions": sorted(self.conditions),
            "kidney": self.kidney.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Any, path: str = "patient") -> PatientSnapshot:
        """The patient of :meth:`to_dict` (``kidney`` is derived from the other keys and not read back)."""
        data = read_object(data, path)
        numbers = {
            key: read_optional_number(data, key, path)
            for key in ("age_years", "weight_kg", "serum_creatinine_mg_dl", "crcl_ml_min", "egfr_ml_min_1_73m2")
        }
        with within(path):
            return cls(
                **numbers,
                sex=read_optional_enum(data, "sex", path, Sex),
                dialysis=read_bool(data, "dialysis", path),
                origin=read_enum(data, "origin", path, SpasticityOrigin),
                locale=read_enum(data, "locale", path, Locale),
                conditions=frozenset(read_texts(data, "conditions", path)),
            )
