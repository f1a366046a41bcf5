"""Units and quantities: a closed unit set with explicit conversion.

Oral baclofen is dosed in mg, intrathecal in mcg: a mix-up is a 1000x error, so every
conversion is explicit and mixing dimensions raises :class:`UnitMismatchError`.

>>> Quantity(1.5, Unit.MG).to(Unit.MCG)
Quantity(magnitude=1500.0, unit=<Unit.MCG: 'mcg'>)
>>> Quantity(1, Unit.MG) + Quantity(500, Unit.MCG)
Quantity(magnitude=1.5, unit=<Unit.MG: 'mg'>)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from baclofen.domain.errors import InvalidInputError, UnitMismatchError


class Dimension(Enum):
    MASS = "mass"
    VOLUME = "volume"
    CONCENTRATION = "concentration"
    MASS_RATE = "mass per time"
    VOLUME_RATE = "volume per time"
    TIME = "time"


class Unit(Enum):
    """The closed set of units. Values are the spellings accepted at the edges."""

    NG = "ng"
    MCG = "mcg"
    MG = "mg"
    G = "g"
    ML = "mL"
    L = "L"
    NG_PER_ML = "ng/mL"
    MCG_PER_ML = "mcg/mL"
    MG_PER_ML = "mg/mL"
    MG_PER_L = "mg/L"
    MCG_PER_DAY = "mcg/day"
    MG_PER_DAY = "mg/day"
    MCG_PER_HOUR = "mcg/h"
    ML_PER_DAY = "mL/day"
    ML_PER_HOUR = "mL/h"
    L_PER_HOUR = "L/h"
    ML_PER_MIN = "mL/min"
    MINUTE = "min"
    HOUR = "h"
    DAY = "day"

    @property
    def dimension(self) -> Dimension:
        return _FACTORS[self][0]

    @property
    def factor(self) -> float:
        """Size of one of this unit in the base unit of its dimension."""
        return _FACTORS[self][1]


# Base units: mass mcg, volume mL, concentration mcg/mL, mass rate mcg/h, volume rate mL/h, time h.
_FACTORS: dict[Unit, tuple[Dimension, float]] = {
    Unit.NG: (Dimension.MASS, 1e-3),
    Unit.MCG: (Dimension.MASS, 1.0),
    Unit.MG: (Dimension.MASS, 1e3),
    Unit.G: (Dimension.MASS, 1e6),
    Unit.ML: (Dimension.VOLUME, 1.0),
    Unit.L: (Dimension.VOLUME, 1e3),
    Unit.NG_PER_ML: (Dimension.CONCENTRATION, 1e-3),
    Unit.MCG_PER_ML: (Dimension.CONCENTRATION, 1.0),
    Unit.MG_PER_ML: (Dimension.CONCENTRATION, 1e3),
    Unit.MG_PER_L: (Dimension.CONCENTRATION, 1.0),
    Unit.MCG_PER_DAY: (Dimension.MASS_RATE, 1.0 / 24.0),
    Unit.MG_PER_DAY: (Dimension.MASS_RATE, 1e3 / 24.0),
    Unit.MCG_PER_HOUR: (Dimension.MASS_RATE, 1.0),
    Unit.ML_PER_DAY: (Dimension.VOLUME_RATE, 1.0 / 24.0),
    Unit.ML_PER_HOUR: (Dimension.VOLUME_RATE, 1.0),
    Unit.L_PER_HOUR: (Dimension.VOLUME_RATE, 1e3),
    Unit.ML_PER_MIN: (Dimension.VOLUME_RATE, 60.0),
    Unit.MINUTE: (Dimension.TIME, 1.0 / 60.0),
    Unit.HOUR: (Dimension.TIME, 1.0),
    Unit.DAY: (Dimension.TIME, 24.0),
}

_ALIASES: dict[str, Unit] = {
    "ug": Unit.MCG,
    "µg": Unit.MCG,
    "μg": Unit.MCG,
    "microgram": Unit.MCG,
    "micrograms": Unit.MCG,
    "milligram": Unit.MG,
    "milligrams": Unit.MG,
    "ml": Unit.ML,
    "ug/ml": Unit.MCG_PER_ML,
    "µg/ml": Unit.MCG_PER_ML,
    "μg/ml": Unit.MCG_PER_ML,
    "mcg/ml": Unit.MCG_PER_ML,
    "mg/ml": Unit.MG_PER_ML,
    "ng/ml": Unit.NG_PER_ML,
    "mg/d": Unit.MG_PER_DAY,
    "mcg/d": Unit.MCG_PER_DAY,
    "ug/d": Unit.MCG_PER_DAY,
    "ml/day": Unit.ML_PER_DAY,
    "ml/d": Unit.ML_PER_DAY,
    "ml/h": Unit.ML_PER_HOUR,
    "ml/min": Unit.ML_PER_MIN,
    "l/h": Unit.L_PER_HOUR,
    "hour": Unit.HOUR,
    "hours": Unit.HOUR,
    "hr": Unit.HOUR,
    "d": Unit.DAY,
    "days": Unit.DAY,
}


def parse_unit(text: str, field: str = "unit") -> Unit:
    """Parse a unit spelling; unknown spellings raise with the accepted list.

    >>> parse_unit("ug")
    <Unit.MCG: 'mcg'>
    """
    if not isinstance(text, str):
        raise UnitMismatchError(field, "a unit name", text)
    stripped = text.strip()
    for unit in Unit:
        if unit.value == stripped:
            return unit
    lowered = stripped.lower()
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    for unit in Unit:
        if unit.value.lower() == lowered and unit is not Unit.MCG_PER_ML:
            return unit
    raise UnitMismatchError(field, "one of " + ", ".join(u.value for u in Unit), text)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A magnitude with a unit. Immutable; arithmetic only within one dimension.

    ``==`` is structural (same magnitude *and* same unit, so values hash consistently):
    ``Quantity(1, MG) == Quantity(1000, MCG)`` is False. Compare across units with ``<``, ``<=`` ...
    or convert first with :meth:`to` / :meth:`in_`.
    """

    magnitude: float
    unit: Unit

    def __post_init__(self) -> None:
        if not isinstance(self.unit, Unit):
            raise UnitMismatchError("unit", "a Unit", self.unit)
        if isinstance(self.magnitude, bool) or not isinstance(self.magnitude, (int, float)):
            raise InvalidInputError("magnitude", "a number", self.magnitude)
        if not math.isfinite(self.magnitude):
            raise InvalidInputError("magnitude", "a finite number", self.magnitude)
        object.__setattr__(self, "magnitude", float(self.magnitude))

    @property
    def dimension(self) -> Dimension:
        return self.unit.dimension

    def to(self, unit: Unit) -> Quantity:
        """Convert to ``unit`` of the same dimension."""
        if unit.dimension is not self.unit.dimension:
            raise UnitMismatchError("unit", f"a unit of {self.unit.dimension.value} like {self.unit.value}", unit.value)
        return Quantity(self.magnitude * self.unit.factor / unit.factor, unit)

    def in_(self, unit: Unit) -> float:
        """The magnitude expressed in ``unit``."""
        return self.to(unit).magnitude

    def _same(self, other: object) -> Quantity:
        if not isinstance(other, Quantity):
            raise UnitMismatchError("other", "a Quantity", other)
        if other.unit.dimension is not self.unit.dimension:
            raise UnitMismatchError(
                "other", f"a quantity of {self.unit.dimension.value}", f"{other.magnitude:g} {other.unit.value}"
            )
        return other.to(self.unit)

    def __add__(self, other: object) -> Quantity:
        return Quantity(self.magnitude + self._same(other).magnitude, self.unit)

    def __sub__(self, other: object) -> Quantity:
        return Quantity(self.magnitude - self._same(other).magnitude, self.unit)

    def __mul__(self, factor: float) -> Quantity:
        if isinstance(factor, Quantity):
            raise UnitMismatchError("factor", "a plain number (use a named function for unit algebra)", factor)
        return Quantity(self.magnitude * factor, self.unit)

    __rmul__ = __mul__

    def __lt__(self, other: object) -> bool:
        return self.magnitude < self._same(other).magnitude

    def __le__(self, other: object) -> bool:
        return self.magnitude <= self._same(other).magnitude

    def __gt__(self, other: object) -> bool:
        return self.magnitude > self._same(other).magnitude

    def __ge__(self, other: object) -> bool:
        return self.magnitude >= self._same(other).magnitude

    def __str__(self) -> str:
        return f"{self.magnitude:g} {self.unit.value}"


def mg(value: float) -> Quantity:
    return Quantity(value, Unit.MG)


def mcg(value: float) -> Quantity:
    return Quantity(value, Unit.MCG)


def ml(value: float) -> Quantity:
    return Quantity(value, Unit.ML)


def volume_for_mass(mass: Quantity, concentration: Quantity) -> Quantity:
    """Volume (mL) holding ``mass`` at ``concentration``.

    >>> volume_for_mass(mcg(1000), Quantity(500, Unit.MCG_PER_ML))
    Quantity(magnitude=2.0, unit=<Unit.ML: 'mL'>)
    """
    if mass.dimension is not Dimension.MASS:
        raise UnitMismatchError("mass", "a mass", str(mass))
    if concentration.dimension is not Dimension.CONCENTRATION:
        raise UnitMismatchError("concentration", "a concentration", str(concentration))
    if concentration.magnitude <= 0:
        raise InvalidInputError("concentration", "> 0", str(concentration))
    return Quantity(mass.in_(Unit.MCG) / concentration.in_(Unit.MCG_PER_ML), Unit.ML)


def mass_in_volume(volume: Quantity, concentration: Quantity) -> Quantity:
    """Mass (mcg) in ``volume`` at ``concentration``."""
    if volume.dimension is not Dimension.VOLUME:
        raise UnitMismatchError("volume", "a volume", str(volume))
    if concentration.dimension is not Dimension.CONCENTRATION:
        raise UnitMismatchError("concentration", "a concentration", str(concentration))
    return Quantity(volume.in_(Unit.ML) * concentration.in_(Unit.MCG_PER_ML), Unit.MCG)


#: A value this many times too small or too large is read as a mg/mcg (or mg/mL vs mcg/mL) confusion.
UNIT_SLIP_FACTOR = 1000.0


def likely_unit_slip(value: float, low: float, high: float, rel_tol: float = 0.0) -> float | None:
    """The value ``value`` most likely meant when it is 1000x off: None when it lies in ``[low, high]``
    (widened by ``rel_tol``), else its x1000 or /1000 that does (None when neither does).

    >>> likely_unit_slip(0.02, 1, 300), likely_unit_slip(5000, 1, 300), likely_unit_slip(10, 1, 300)
    (20.0, 5.0, None)
    """
    lo, hi = low * (1 - rel_tol), high * (1 + rel_tol)
    if lo <= value <= hi:
        return None
    for candidate in (value * UNIT_SLIP_FACTOR, value / UNIT_SLIP_FACTOR):
        if lo <= candidate <= hi:
            return candidate
    return None
