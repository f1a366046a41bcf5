"""The daily dose a FHIR R4 ``Dosage`` list says (``MedicationRequest.dosageInstruction``,
``MedicationStatement.dosage``), shared by the CDS Hooks order review and the import of another system's
MedicationStatement: each dosage a ``doseQuantity`` in mg (or g) and a ``timing.repeat`` frequency per period
(min, h, d, wk); pure, fhir.resources models in, numbers or why not out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from baclofen.domain.cds.orders import ORDER_DAILY_DOSE_MAX_MG

__all__ = ["DosageReading", "read_daily_dose"]

#: A dose unit -> mg per unit.
_MG_PER_UNIT = {"mg": 1.0, "g": 1000.0}
#: A timing period unit -> its length in days.
_DAYS_PER_UNIT = {"min": 1 / 1440, "h": 1 / 24, "d": 1.0, "wk": 7.0}

#: (daily mg, largest single dose mg, doses per day, why not): the numbers None and a reason when not read.
DosageReading = tuple[float | None, float | None, int | None, str]


def read_daily_dose(dosages: Sequence[Any]) -> DosageReading:
    """(daily mg, largest single dose mg, doses per day, why not) from ``dosages`` (summed: each one taken)."""
    if not dosages:
        return None, None, None, "The order has no dosage instruction."
    daily = 0.0
    singles: list[float] = []
    per_day_total = 0.0
    for dosage in dosages:
        quantity = next((r.doseQuantity for r in dosage.doseAndRate or [] if r.doseQuantity is not None), None)
        repeat = dosage.timing.repeat if dosage.timing is not None else None
        unit = ((quantity.code or quantity.unit or "").strip().lower()) if quantity is not None else ""
        if quantity is None or quantity.value is None or unit not in _MG_PER_UNIT:
            return None, None, None, f"A dose in mg is not given ('{dosage.text or 'no text'}')."
        if (
            repeat is None
            or repeat.frequency is None
            or repeat.period is None
            or repeat.periodUnit not in _DAYS_PER_UNIT
        ):
            return None, None, None, f"A frequency per day, week or hour is not given ('{dosage.text or 'no text'}')."
        period_days = float(repeat.period) * _DAYS_PER_UNIT[repeat.periodUnit]
        if period_days <= 0:
            return None, None, None, "The timing period is not positive."
        dose_mg = float(quantity.value) * _MG_PER_UNIT[unit]
        per_day = repeat.frequency / period_days
        daily += dose_mg * per_day
        per_day_total += per_day
        singles.append(dose_mg)
    if not 0 < daily <= ORDER_DAILY_DOSE_MAX_MG or not 0 < max(singles) <= ORDER_DAILY_DOSE_MAX_MG:
        return None, None, None, f"The dose read ({daily:g} mg/day) is not a plausible daily dose."
    doses = round(per_day_total) if abs(per_day_total - round(per_day_total)) < 1e-9 and per_day_total >= 1 else None
    return round(daily, 6), max(singles), doses, ""
