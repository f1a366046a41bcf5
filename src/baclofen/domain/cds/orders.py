"""Medication orders as an ordering system (a CDS Hooks client) sends them, read into typed values.

A :class:`MedicationOrder` is one medication request: which resource (``MedicationRequest/103``), the names it
can be recognised by (codes first, ``RxNorm:1292``, ``ATC:M03BX01``, then the coding displays and the text), whether
it stops the medicine (status ``stopped``/``cancelled``, or ``doNotPerform``), and its dose where the order gives
one in mg with a frequency. :func:`recognise_order` finds it in the drug catalogue
(:func:`~baclofen.domain.cds.drugs.find_drug`); an order none of whose names is there is *unrecognised*, which
the caller reports, never drops.

>>> order = MedicationOrder("MedicationRequest/1", ("RxNorm:000", "Zanaflex 4 mg tablet"), "Zanaflex 4 mg tablet")
>>> recognise_order(order).key
'tizanidine'
>>> recognise_order(MedicationOrder("MedicationRequest/2", ("Amoxicillin",), "Amoxicillin")) is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from baclofen.domain.cds.drugs import Drug, find_drug, get_drug
from baclofen.domain.errors import InvalidInputError, require_finite_number

__all__ = ["INTRATHECAL", "ORAL_PRODUCT_OF_RXCUI", "MedicationOrder", "order_oral_product", "recognise_order"]

#: The largest plausible daily dose in an order (mg/day): more is a unit or reading error, not a dose to check.
ORDER_DAILY_DOSE_MAX_MG = 100_000.0


@dataclass(frozen=True, slots=True)
class MedicationOrder:
    """One medication order (a FHIR MedicationRequest, draft or active).

    ``names`` are the texts to recognise it by, best first (``RxNorm:CODE``/``ATC:CODE``, displays, text);
    ``label`` names it to a person. ``stops``: the order stops the medicine. ``daily_dose_mg`` (with
    ``single_dose_mg`` and ``doses_per_day``) is set only when the order gives a dose in a mass unit and a
    frequency (the most it allows a day: ``dose_basis`` says how that was reached when more than its schedule);
    ``dose_note`` says why it is not, ``dose_unit_unknown`` when that is a dose unit that is not a mass or is
    ambiguous (never guessed). ``route``: ``"intrathecal"`` when a dosage of the order names that route (the
    order is then intrathecal baclofen whatever its medication's name says), else empty. ``starts_on``: the first
    day its dosages start (the earliest ``boundsPeriod.start``), None when they do not say.
    """

    reference: str
    names: tuple[str, ...]
    label: str
    stops: bool = False
    daily_dose_mg: float | None = None
    single_dose_mg: float | None = None
    doses_per_day: int | None = None
    dose_note: str = ""
    dose_basis: str = ""
    dose_unit_unknown: bool = False
    route: str = ""
    starts_on: date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.reference, str) or not self.reference.strip():
            raise InvalidInputError("reference", "a resource reference such as MedicationRequest/103", self.reference)
        object.__setattr__(self, "names", tuple(n for n in self.names if isinstance(n, str) and n.strip()))
        if not isinstance(self.label, str) or not self.label.strip():
            object.__setattr__(self, "label", self.names[0] if self.names else self.reference)
        for name in ("daily_dose_mg", "single_dose_mg"):
            value = getattr(self, name)
            if value is not None:
                require_finite_number(value, name, strictly_positive=True, maximum=ORDER_DAILY_DOSE_MAX_MG)
        if self.doses_per_day is not None and (
            not isinstance(self.doses_per_day, int) or isinstance(self.doses_per_day, bool) or self.doses_per_day < 1
        ):
            raise InvalidInputError("doses_per_day", "a whole number of doses per day, at least 1", self.doses_per_day)


#: The oral product (:mod:`baclofen.domain.products` name) of each product RxCUI an order can name (RxNorm; the
#: codes of :data:`~baclofen.domain.cds.drugs.BACLOFEN_CODES`, inferred): a taper keeps the product it replaces.
ORAL_PRODUCT_OF_RXCUI = {"197391": "tablet-10mg", "2593376": "suspension-5mg-ml"}
#: Oral product names a prescriber writes (brands), lower case -> the product.
_ORAL_PRODUCT_NAMES = {"ozobax": "ozobax", "fleqsuvy": "fleqsuvy", "lyvispah": "lyvispah"}


def order_oral_product(order: MedicationOrder) -> str | None:
    """The oral baclofen product the order names (its RxCUI, else a brand in its names), or None.

    >>> order_oral_product(MedicationOrder("MedicationRequest/4", ("RxNorm:2593376",), "baclofen 5 mg/mL"))
    'suspension-5mg-ml'
    """
    for name in order.names:
        system, _, code = name.partition(":")
        if system == "RxNorm" and code in ORAL_PRODUCT_OF_RXCUI:
            return ORAL_PRODUCT_OF_RXCUI[code]
    for name in order.names:
        for brand, product in _ORAL_PRODUCT_NAMES.items():
            if brand in name.lower():
                return product
    return None


#: The route that makes a baclofen order intrathecal baclofen (its doses micrograms, its limits the ITB ones).
INTRATHECAL = "intrathecal"


def recognise_order(order: MedicationOrder) -> Drug | None:
    """The catalogue drug the order names (its first name that the catalogue knows), or None; baclofen given by
    the intrathecal route is intrathecal baclofen.

    >>> recognise_order(MedicationOrder("MedicationRequest/3", ("baclofen",), "baclofen", route="intrathecal")).key
    'baclofen-intrathecal'
    """
    for name in order.names:
        drug = find_drug(name)
        if drug is not None:
            if order.route == INTRATHECAL and drug.key == "baclofen":
                return get_drug("baclofen-intrathecal", "route")
            return drug
    return None
