"""Baclofen products as cited data, and the conversion of a dose into dispensable units.

Oral products (clinical.md §1.1): generic tablets 5/10/15/20 mg [S13], Ozobax 5 mg/5 mL solution [S4],
Fleqsuvy 25 mg/5 mL suspension [S10], generic 5 mg/mL suspension [S52], Lyvispah 5/10/20 mg granule
packets [S8], UK 10 mg and 5 mg tablets and 5 mg/5 mL solution [S24] [S25] [S95]. Intrathecal
strengths (clinical.md §5.6): Lioresal Intrathecal, Gablofen and generics, 50 to 2000 mcg/mL.

A dose converts into what a person can actually give: whole tablets, or half tablets where the
tablet is scored; millilitres of a liquid measured to a stated resolution; whole packets of granules
(packets are never split). A dose that cannot be given exactly is refused with the reason
(:class:`DispenseRefusal`); planners then round *down* with :func:`round_down_to_dispensable_mg`,
never up.

Which tablets are scored is not in the fact sheet, so it is the setting ``products.tablets_scored``
(status UNCONFIRMED); the measuring resolution of oral liquids is the setting
``products.liquid_resolution_ml`` (an assumption about the oral syringe).

>>> tab = get_oral_product("tablet-10mg")
>>> dispense_dose(15, tab).text
'1 1/2 x 10 mg tablets'
>>> dispense_dose(7.5, tab).reason
'7.5 mg is 3/4 of a 10 mg tablet: only whole or half tablets can be given'
>>> dispense_dose(15, get_oral_product("Lyvispah")).text
'1 x 10 mg packet + 1 x 5 mg packet'
>>> dispense_dose(12.5, get_oral_product("ozobax")).text
'12.5 mL of 5 mg/5 mL oral solution'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from types import MappingProxyType
from typing import Any

from baclofen.domain.documents import read_bool, read_object, read_text
from baclofen.domain.errors import InvalidInputError, UnknownNameError, require_finite_number
from baclofen.domain.evidence import get_reference
from baclofen.domain.patient import Locale
from baclofen.domain.settings import EvidenceStatus, Setting
from baclofen.domain.units import Quantity, Unit

# Tolerance for "is this an exact multiple of the dispensable quantum" (mg); far below any real dose step.
_EPS = 1e-9

TABLETS_SCORED = Setting(
    name="products.tablets_scored",
    default=True,
    unit="yes/no",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("S13", "S2", "S95"),
    description=(
        "Whether baclofen tablets may be halved. The fact sheet lists the strengths but not which tablets "
        "are scored; check the dispensed product's label and set false when it is not scored (only whole "
        "tablets are then planned)."
    ),
)

LIQUID_RESOLUTION_ML = Setting(
    name="products.liquid_resolution_ml",
    default=0.1,
    unit="mL",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S4", "S10", "S52"),
    description=(
        "Smallest volume step a patient can measure with the oral syringe supplied with a baclofen liquid "
        "(an assumption: the sources give the concentrations, not the syringe graduation). Liquid doses are "
        "planned in multiples of it."
    ),
    minimum=0.01,
    maximum=5.0,
)


class DoseForm(Enum):
    TABLET = "tablet"
    SOLUTION = "oral solution"
    SUSPENSION = "oral suspension"
    GRANULES = "granules"


@dataclass(frozen=True, slots=True)
class OralProduct:
    """An oral baclofen product.

    Parameters
    ----------
    name : str
        Catalogue key, lower case (``"tablet-10mg"``).
    display : str
        What a person calls it (``"baclofen 10 mg tablet"``).
    form : DoseForm
        Tablet, solution, suspension or granules.
    unit_strengths_mg : tuple of float
        mg per tablet or per packet; a granule family lists several packet strengths. Empty for liquids.
    concentration_mg_per_ml : float or None
        mg per mL for liquids; None for solid forms.
    scored : bool
        Whether a tablet may be halved (ignored for other forms).
    locales : frozenset of Locale
        Where the product is listed in the sources.
    evidence : tuple of str
        Citation keys.
    """

    name: str
    display: str
    form: DoseForm
    unit_strengths_mg: tuple[float, ...] = ()
    concentration_mg_per_ml: float | None = None
    scored: bool = False
    locales: frozenset[Locale] = field(default_factory=lambda: frozenset({Locale.US}))
    evidence: tuple[str, ...] = ()
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.evidence:
            raise InvalidInputError(f"product {self.name}.evidence", "at least one citation key", ())
        for key in self.evidence:
            get_reference(key)
        if self.is_liquid:
            if self.concentration_mg_per_ml is None or self.unit_strengths_mg:
                raise InvalidInputError(f"product {self.name}", "a concentration and no unit strengths", self)
            require_finite_number(self.concentration_mg_per_ml, "concentration_mg_per_ml", strictly_positive=True)
        else:
            if not self.unit_strengths_mg or self.concentration_mg_per_ml is not None:
                raise InvalidInputError(f"product {self.name}", "unit strengths and no concentration", self)
            for s in self.unit_strengths_mg:
                require_finite_number(s, "unit_strengths_mg", strictly_positive=True)
            object.__setattr__(self, "unit_strengths_mg", tuple(sorted(self.unit_strengths_mg, reverse=True)))
        object.__setattr__(self, "locales", frozenset(self.locales))

    @property
    def is_liquid(self) -> bool:
        return self.form in (DoseForm.SOLUTION, DoseForm.SUSPENSION)

    @property
    def concentration(self) -> Quantity | None:
        """The liquid's concentration as a quantity (mg/mL), None for solid forms."""
        if self.concentration_mg_per_ml is None:
            return None
        return Quantity(self.concentration_mg_per_ml, Unit.MG_PER_ML)

    @property
    def can_halve(self) -> bool:
        return self.form is DoseForm.TABLET and self.scored

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "display": self.display,
            "form": self.form.value,
            "unit_strengths_mg": list(self.unit_strengths_mg),
            "concentration_mg_per_ml": self.concentration_mg_per_ml,
            "scored": self.scored if self.form is DoseForm.TABLET else None,
            "locales": sorted(loc.value for loc in self.locales),
            "evidence": list(self.evidence),
            "notes": self.notes,
        }

    @classmethod
    def from_dict(cls, data: Any, path: str = "product") -> OralProduct:
        """The catalogue product named in :meth:`to_dict`'s ``name``, halved or not as its ``scored`` says (a
        tablet); the other keys are a copy of the catalogue entry for readers and are not read back."""
        data = read_object(data, path)
        name = read_text(data, "name", path)
        product = ORAL_PRODUCTS.get(name)
        if product is None:
            raise UnknownNameError(f"{path}.name", ORAL_PRODUCTS.keys(), name)
        if product.form is DoseForm.TABLET:
            product = replace(product, scored=read_bool(data, "scored", path))
        return product


@dataclass(frozen=True, slots=True)
class IntrathecalProduct:
    """A strength of intrathecal baclofen (mcg/mL), preservative-free, for pumps and screening."""

    name: str
    display: str
    concentration_mcg_per_ml: float
    locales: frozenset[Locale]
    evidence: tuple[str, ...]
    notes: str = ""

    def __post_init__(self) -> None:
        require_finite_number(self.concentration_mcg_per_ml, "concentration_mcg_per_ml", strictly_positive=True)
        if not self.evidence:
            raise InvalidInputError(f"product {self.name}.evidence", "at least one citation key", ())
        for key in self.evidence:
            get_reference(key)
        object.__setattr__(self, "locales", frozenset(self.locales))

    @property
    def concentration(self) -> Quantity:
        return Quantity(self.concentration_mcg_per_ml, Unit.MCG_PER_ML)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "display": self.display,
            "concentration_mcg_per_ml": self.concentration_mcg_per_ml,
            "locales": sorted(loc.value for loc in self.locales),
            "evidence": list(self.evidence),
            "notes": self.notes,
        }


_US = frozenset({Locale.US})
_UK = frozenset({Locale.UK})
_SCORED = bool(TABLETS_SCORED.default)

_ORAL: tuple[OralProduct, ...] = (
    *(
        OralProduct(
            name=f"tablet-{s}mg",
            display=f"baclofen {s} mg tablet",
            form=DoseForm.TABLET,
            unit_strengths_mg=(float(s),),
            scored=_SCORED,
            locales=_US,
            evidence=("S13", "S2"),
            notes="generic US tablets; some labels list only 5/10/20 mg [S2]" if s == 15 else "generic US tablets",
        )
        for s in (5, 10, 15, 20)
    ),
    OralProduct(
        name="ozobax",
        display="Ozobax 5 mg/5 mL oral solution",
        form=DoseForm.SOLUTION,
        concentration_mg_per_ml=1.0,
        locales=_US,
        evidence=("S4", "S5"),
        notes="1 mg/mL, grape; 473 mL bottle; refrigerate 2-8 °C",
    ),
    OralProduct(
        name="fleqsuvy",
        display="Fleqsuvy 25 mg/5 mL oral suspension",
        form=DoseForm.SUSPENSION,
        concentration_mg_per_ml=5.0,
        locales=_US,
        evidence=("S10", "S11", "S12"),
        notes="5 mg/mL; bottles 120 mL and 300 mL",
    ),
    OralProduct(
        name="suspension-5mg-ml",
        display="baclofen 5 mg/mL oral suspension (generic)",
        form=DoseForm.SUSPENSION,
        concentration_mg_per_ml=5.0,
        locales=_US,
        evidence=("S52",),
        notes="120 mL and 300 mL",
    ),
    OralProduct(
        name="lyvispah",
        display="Lyvispah oral granules (5, 10, 20 mg packets)",
        form=DoseForm.GRANULES,
        unit_strengths_mg=(20.0, 10.0, 5.0),
        locales=_US,
        evidence=("S8", "S9", "S2"),
        notes="single-dose packets, never split; mix with up to 15 mL of liquid or soft food, give in 2 h",
    ),
    *(
        OralProduct(
            name=f"lyvispah-{s}mg",
            display=f"Lyvispah {s} mg granules packet",
            form=DoseForm.GRANULES,
            unit_strengths_mg=(float(s),),
            locales=_US,
            evidence=("S8", "S9", "S2"),
            notes="single-dose packet, never split",
        )
        for s in (5, 10, 20)
    ),
    OralProduct(
        name="uk-tablet-10mg",
        display="baclofen 10 mg tablet (UK)",
        form=DoseForm.TABLET,
        unit_strengths_mg=(10.0,),
        scored=_SCORED,
        locales=_UK,
        evidence=("S25", "S95"),
    ),
    OralProduct(
        name="uk-tablet-5mg",
        display="baclofen 5 mg tablet (UK)",
        form=DoseForm.TABLET,
        unit_strengths_mg=(5.0,),
        scored=_SCORED,
        locales=_UK,
        evidence=("S25", "S95"),
    ),
    OralProduct(
        name="uk-solution-5mg-5ml",
        display="baclofen 5 mg/5 mL oral solution (UK)",
        form=DoseForm.SOLUTION,
        concentration_mg_per_ml=1.0,
        locales=_UK,
        evidence=("S24", "S25", "S95"),
    ),
)

ORAL_PRODUCTS: Mapping[str, OralProduct] = MappingProxyType({p.name: p for p in _ORAL})

#: The product a planner uses when none is named: the 10 mg tablet of the locale.
DEFAULT_ORAL_PRODUCT: Mapping[Locale, str] = MappingProxyType({Locale.US: "tablet-10mg", Locale.UK: "uk-tablet-10mg"})

_ITB: tuple[IntrathecalProduct, ...] = (
    IntrathecalProduct("lioresal-it-50", "Lioresal Intrathecal 50 mcg/mL (screening)", 50.0, _US, ("S34", "S31")),
    IntrathecalProduct("lioresal-it-500", "Lioresal Intrathecal 500 mcg/mL (10 mg/20 mL)", 500.0, _US, ("S34", "S31")),
    IntrathecalProduct(
        "lioresal-it-2000",
        "Lioresal Intrathecal 2000 mcg/mL (10 mg/5 mL, 40 mg/20 mL)",
        2000.0,
        _US,
        ("S34", "S31"),
        notes="concentrations other than 500 or 2000 mcg/mL need dilution with preservative-free NaCl",
    ),
    *(
        IntrathecalProduct(
            f"gablofen-{c}",
            f"Gablofen {c} mcg/mL",
            float(c),
            _US,
            ("S36", "S47", "S48"),
            notes="preservative-free; do not mix with other drugs in the pump or catheter",
        )
        for c in (50, 500, 1000, 2000)
    ),
    IntrathecalProduct("generic-it-50", "baclofen intrathecal 50 mcg/mL (generic)", 50.0, _US, ("S50", "S2")),
    IntrathecalProduct(
        "generic-it-1000", "baclofen intrathecal 1000 mcg/mL (generic, 20 mL)", 1000.0, _US, ("S49", "S2")
    ),
    IntrathecalProduct(
        "generic-it-2000", "baclofen intrathecal 2000 mcg/mL (generic, 20 mL)", 2000.0, _US, ("S49", "S2")
    ),
    IntrathecalProduct("uk-lioresal-it-50", "Lioresal Intrathecal 50 micrograms/1 mL (UK)", 50.0, _UK, ("S53",)),
    IntrathecalProduct("uk-lioresal-it-500", "Lioresal Intrathecal 10 mg/20 mL (0.5 mg/mL, UK)", 500.0, _UK, ("S53",)),
    IntrathecalProduct("uk-lioresal-it-2000", "Lioresal Intrathecal 10 mg/5 mL (2 mg/mL, UK)", 2000.0, _UK, ("S53",)),
)

INTRATHECAL_PRODUCTS: Mapping[str, IntrathecalProduct] = MappingProxyType({p.name: p for p in _ITB})

#: Every intrathecal concentration on the market in the sources (mcg/mL), clinical.md §5.6.
INTRATHECAL_CONCENTRATIONS_MCG_PER_ML: tuple[float, ...] = tuple(sorted({p.concentration_mcg_per_ml for p in _ITB}))


def get_oral_product(name: str, *, tablets_scored: bool | None = None) -> OralProduct:
    """Look an oral product up by name (case-insensitive).

    Parameters
    ----------
    name : str
        Catalogue key such as ``"tablet-10mg"``, ``"Ozobax"``, ``"lyvispah-5mg"``.
    tablets_scored : bool, optional
        Overrides the ``products.tablets_scored`` setting for tablets.

    Raises
    ------
    UnknownNameError
        When the name is not in the catalogue; the message lists the choices.

    >>> get_oral_product("OZOBAX").concentration_mg_per_ml
    1.0
    """
    key = name.strip().lower() if isinstance(name, str) else name
    product = ORAL_PRODUCTS.get(key) if isinstance(key, str) else None
    if product is None:
        raise UnknownNameError("product", ORAL_PRODUCTS.keys(), name)
    if tablets_scored is not None and product.form is DoseForm.TABLET:
        product = replace(product, scored=bool(tablets_scored))
    return product


def get_intrathecal_product(name: str) -> IntrathecalProduct:
    """Look an intrathecal strength up by name (case-insensitive); unknown names list the choices.

    >>> get_intrathecal_product("Gablofen-1000").concentration_mcg_per_ml
    1000.0
    """
    key = name.strip().lower() if isinstance(name, str) else name
    product = INTRATHECAL_PRODUCTS.get(key) if isinstance(key, str) else None
    if product is None:
        raise UnknownNameError("product", INTRATHECAL_PRODUCTS.keys(), name)
    return product


def dispensable_quantum_mg(product: OralProduct, liquid_resolution_ml: float | None = None) -> float:
    """The smallest dose step (mg) the product can give exactly.

    Half the tablet strength where scored, else the tablet strength; for granules the greatest common
    step of the packet strengths; for liquids the measuring resolution times the concentration.

    >>> dispensable_quantum_mg(get_oral_product("tablet-10mg"))
    5.0
    >>> dispensable_quantum_mg(get_oral_product("fleqsuvy"))
    0.5
    """
    if product.is_liquid:
        resolution = LIQUID_RESOLUTION_ML.validate(
            LIQUID_RESOLUTION_ML.default if liquid_resolution_ml is None else liquid_resolution_ml
        )
        assert product.concentration_mg_per_ml is not None
        return _clean(resolution * product.concentration_mg_per_ml)
    if product.form is DoseForm.TABLET:
        strength = product.unit_strengths_mg[0]
        return strength / 2 if product.scored else strength
    return _float_gcd(product.unit_strengths_mg)


def round_down_to_dispensable_mg(
    dose_mg: float, product: OralProduct, liquid_resolution_ml: float | None = None
) -> float:
    """The largest amount (mg) not above ``dose_mg`` that the product can give exactly (0 if none).

    Rounding is always down so that a reduced dose is never rounded above the reduced amount.

    >>> round_down_to_dispensable_mg(13.3, get_oral_product("tablet-10mg"))
    10.0
    >>> round_down_to_dispensable_mg(3.3, get_oral_product("ozobax"))
    3.3
    """
    dose = require_finite_number(dose_mg, "dose_mg", minimum=0.0)
    q = dispensable_quantum_mg(product, liquid_resolution_ml)
    return _clean(math.floor(dose / q + _EPS) * q)


def is_dispensable(dose_mg: float, product: OralProduct, liquid_resolution_ml: float | None = None) -> bool:
    """Whether ``dose_mg`` (> 0) can be given exactly with ``product``."""
    return isinstance(dispense_dose(dose_mg, product, liquid_resolution_ml), Dispensed)


def oral_products_giving(
    daily_dose_mg: float,
    locale: Locale,
    *,
    tablets_scored: bool | None = None,
    liquid_resolution_ml: float | None = None,
) -> tuple[OralProduct, ...]:
    """The catalogue's oral products of ``locale`` that can give ``daily_dose_mg`` (> 0) exactly.

    Catalogue order (tablets, then liquids, then granules). ``tablets_scored`` overrides the catalogue's
    halving for tablets; ``liquid_resolution_ml`` the measuring resolution of liquids.

    >>> [p.name for p in oral_products_giving(5, Locale.UK)]
    ['uk-tablet-10mg', 'uk-tablet-5mg', 'uk-solution-5mg-5ml']
    >>> [p.name for p in oral_products_giving(5, Locale.UK, tablets_scored=False)]
    ['uk-tablet-5mg', 'uk-solution-5mg-5ml']
    """
    dose = require_finite_number(daily_dose_mg, "daily_dose_mg", strictly_positive=True)
    out = []
    for product in _ORAL:
        if locale not in product.locales:
            continue
        if tablets_scored is not None and product.form is DoseForm.TABLET:
            product = replace(product, scored=bool(tablets_scored))
        if is_dispensable(dose, product, liquid_resolution_ml):
            out.append(product)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Dispensed:
    """A dose expressed in what is given: tablets (count may be a half), packets or millilitres."""

    dose_mg: float
    product: str
    text: str
    units: tuple[tuple[float, float], ...] = ()
    volume_ml: float | None = None

    ok = True

    @property
    def measure(self) -> str:
        """What is measured or counted out, shortest: a liquid's millilitres (``2.4 mL``), else :attr:`text`
        (``1 1/2 x 10 mg tablets``, ``1 x 10 mg packet + 1 x 5 mg packet``)."""
        return self.text if self.volume_ml is None else f"{self.volume_ml:g} mL"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"dose_mg": self.dose_mg, "product": self.product, "dispense": self.text}
        if self.units:
            out["units"] = [{"strength_mg": s, "count": c} for s, c in self.units]
        if self.volume_ml is not None:
            out["volume_ml"] = self.volume_ml
        return out


@dataclass(frozen=True, slots=True)
class DispenseRefusal:
    """A dose that the product cannot give exactly, with the reason."""

    dose_mg: float
    product: str
    reason: str

    ok = False

    def to_dict(self) -> dict[str, Any]:
        return {"dose_mg": self.dose_mg, "product": self.product, "refused": self.reason}


def dispense_dose(
    dose_mg: float, product: OralProduct, liquid_resolution_ml: float | None = None
) -> Dispensed | DispenseRefusal:
    """Convert one dose (mg) into dispensable units of ``product``, or refuse with the reason.

    Parameters
    ----------
    dose_mg : float
        The dose in mg (> 0).
    product : OralProduct
        The dispensed product.
    liquid_resolution_ml : float, optional
        Measuring resolution for liquids (mL); default the ``products.liquid_resolution_ml`` setting.

    Returns
    -------
    Dispensed or DispenseRefusal
        ``Dispensed.text`` reads like "1/2 x 10 mg tablet", "5 mL of 5 mg/5 mL oral solution",
        "1 x 10 mg packet"; ``DispenseRefusal.reason`` says why not.

    Raises
    ------
    InvalidInputError
        When ``dose_mg`` is not a finite number.
    """
    dose = require_finite_number(dose_mg, "dose_mg")
    if dose <= 0:
        return DispenseRefusal(dose, product.name, f"a dose must be more than 0 mg (got {dose:g} mg)")
    if product.is_liquid:
        return _dispense_liquid(dose, product, liquid_resolution_ml)
    if product.form is DoseForm.TABLET:
        return _dispense_tablet(dose, product)
    return _dispense_packets(dose, product)


def _dispense_liquid(dose: float, product: OralProduct, resolution_ml: float | None) -> Dispensed | DispenseRefusal:
    assert product.concentration_mg_per_ml is not None
    resolution = LIQUID_RESOLUTION_ML.validate(LIQUID_RESOLUTION_ML.default if resolution_ml is None else resolution_ml)
    volume = dose / product.concentration_mg_per_ml
    steps = volume / resolution
    if abs(steps - round(steps)) > 1e-6 or round(steps) == 0:
        return DispenseRefusal(
            dose,
            product.name,
            f"{dose:g} mg is {volume:g} mL of {product.concentration_mg_per_ml:g} mg/mL, which cannot be "
            f"measured in steps of {resolution:g} mL",
        )
    volume = _clean(round(steps) * resolution)
    return Dispensed(dose, product.name, f"{volume:g} mL of {_liquid_label(product)}", volume_ml=volume)


def _liquid_label(product: OralProduct) -> str:
    conc = product.concentration_mg_per_ml
    assert conc is not None
    per_5 = conc * 5
    return f"{per_5:g} mg/5 mL {product.form.value}"


def _dispense_tablet(dose: float, product: OralProduct) -> Dispensed | DispenseRefusal:
    strength = product.unit_strengths_mg[0]
    halves = dose / (strength / 2)
    n_halves = round(halves)
    if abs(halves - n_halves) > 1e-6 or n_halves == 0:
        fraction = _fraction_text(dose / strength)
        return DispenseRefusal(
            dose,
            product.name,
            f"{dose:g} mg is {fraction} of a {strength:g} mg tablet: only whole or half tablets can be given",
        )
    if n_halves % 2 == 1 and not product.scored:
        return DispenseRefusal(
            dose,
            product.name,
            f"{dose:g} mg needs half a {strength:g} mg tablet, and this tablet is not marked as scored "
            "(setting products.tablets_scored)",
        )
    count = n_halves / 2
    return Dispensed(dose, product.name, _count_text(count, strength, "tablet"), units=((strength, count),))


def _dispense_packets(dose: float, product: OralProduct) -> Dispensed | DispenseRefusal:
    strengths = product.unit_strengths_mg
    q = _float_gcd(strengths)
    n_q = dose / q
    if abs(n_q - round(n_q)) > 1e-6:
        listed = ", ".join(f"{s:g}" for s in sorted(strengths))
        return DispenseRefusal(
            dose,
            product.name,
            f"{dose:g} mg cannot be made of whole {listed} mg packets: packets are never split",
        )
    counts = _fewest_units(round(n_q), tuple(round(s / q) for s in strengths))
    parts = tuple((s, float(c)) for s, c in zip(strengths, counts, strict=True) if c)
    text = " + ".join(_count_text(c, s, "packet") for s, c in parts)
    return Dispensed(dose, product.name, text, units=parts)


def _fewest_units(total: int, sizes: tuple[int, ...]) -> tuple[int, ...]:
    """Counts per size (same order as ``sizes``) summing to ``total`` with the fewest units (small DP)."""
    best: list[tuple[int, ...] | None] = [None] * (total + 1)
    best[0] = tuple(0 for _ in sizes)
    for amount in range(1, total + 1):
        for i, size in enumerate(sizes):
            if size <= amount and best[amount - size] is not None:
                prev = best[amount - size]
                assert prev is not None
                cand = tuple(c + (1 if j == i else 0) for j, c in enumerate(prev))
                current = best[amount]
                if current is None or sum(cand) < sum(current):
                    best[amount] = cand
    result = best[total]
    assert result is not None  # the smallest size is the gcd, so every multiple is reachable
    return result


def _count_text(count: float, strength: float, noun: str) -> str:
    whole = int(count)
    half = count - whole >= 0.5 - 1e-9
    number = f"{whole} 1/2" if whole and half else ("1/2" if half else f"{whole}")
    plural = "s" if count > 1 else ""
    return f"{number} x {strength:g} mg {noun}{plural}"


def _fraction_text(ratio: float) -> str:
    from fractions import Fraction

    frac = Fraction(ratio).limit_denominator(16)
    if abs(float(frac) - ratio) > 1e-6:
        return f"{ratio:.3g}"
    if frac.denominator == 1:
        return f"{frac.numerator}"
    whole, rest = divmod(frac.numerator, frac.denominator)
    return f"{whole} {rest}/{frac.denominator}" if whole else f"{rest}/{frac.denominator}"


def _float_gcd(values: tuple[float, ...]) -> float:
    # Work in 1/1000 mg so that 2.5 and 7.5 mg tablets have an exact common step.
    g = 0
    for v in values:
        g = math.gcd(g, round(v * 1000))
    return g / 1000


def _clean(value: float) -> float:
    """Drop float noise (0.30000000000000004 -> 0.3) at a resolution far below any dose step."""
    return round(value, 9)


__all__ = [
    "DEFAULT_ORAL_PRODUCT",
    "INTRATHECAL_CONCENTRATIONS_MCG_PER_ML",
    "INTRATHECAL_PRODUCTS",
    "LIQUID_RESOLUTION_ML",
    "ORAL_PRODUCTS",
    "TABLETS_SCORED",
    "DispenseRefusal",
    "Dispensed",
    "DoseForm",
    "IntrathecalProduct",
    "OralProduct",
    "dispensable_quantum_mg",
    "dispense_dose",
    "get_intrathecal_product",
    "get_oral_product",
    "is_dispensable",
    "oral_products_giving",
    "round_down_to_dispensable_mg",
]
