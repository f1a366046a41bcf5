"""FHIR R4 ``Dosage`` lists (``MedicationRequest.dosageInstruction``, ``MedicationStatement.dosage``): the daily
dose they say, shared by the CDS Hooks order review and the import of another system's MedicationStatement, and
the Dosage list of a planned taper (one per step and clock time), shared by the FHIR export and the CDS Hooks
card that suggests the taper.

Reading (:func:`read_dosage`): each dosage a dose (``doseQuantity``, or the high end of a ``doseRange``) in a mass
unit (UCUM ``mg``, ``g``, ``ug``; the texts mg, g, mcg, µg, microgram(s), milligram(s)) and a ``timing.repeat``
frequency per period (min, h, d, wk) or, without them, its ``timeOfDay`` or ``when`` (so many doses a day);
or a rate (``rateQuantity`` in a mass per time such as ``ug/d`` or ``mg/h``, ``rateRatio`` a mass over a time:
the form of an intrathecal pump's dose) read as that many mg a day.
Dosages of the same ``sequence`` whose ``boundsPeriod`` overlap are taken together (summed); different
sequences, or periods that do not overlap, are successive steps: the daily dose is that of the largest step.
``frequencyMax`` and ``maxDosePerPeriod`` make the most the order allows a day (:attr:`DailyDose.max_daily_mg`),
which a limit check uses. A unit that is not a mass, or a code and a text that disagree, is never guessed:
:attr:`DailyDose.unit_unknown`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from baclofen.adapters.fhir.codes import quantity, unit_factor
from baclofen.domain.cds.orders import ORDER_DAILY_DOSE_MAX_MG
from baclofen.domain.oral.plan import Plan

__all__ = ["DailyDose", "DosageReading", "plan_step_dosages", "read_daily_dose", "read_dosage"]

#: A UCUM mass code (case-sensitive, and its case-insensitive form) -> mg per unit.
_UCUM_MG_PER_UNIT = {"mg": 1.0, "g": 1000.0, "ug": 0.001, "MG": 1.0, "G": 1000.0, "UG": 0.001}
#: A unit as people write it (lower case) -> mg per unit.
_TEXT_MG_PER_UNIT = {
    "mg": 1.0,
    "milligram": 1.0,
    "milligrams": 1.0,
    "g": 1000.0,
    "gram": 1000.0,
    "grams": 1000.0,
    "ug": 0.001,
    "mcg": 0.001,
    "µg": 0.001,  # noqa: RUF001 (the micro sign)
    "μg": 0.001,  # noqa: RUF001 (the Greek mu)
    "microgram": 0.001,
    "micrograms": 0.001,
}
#: A timing period unit -> its length in days.
_DAYS_PER_UNIT = {"min": 1 / 1440, "h": 1 / 24, "d": 1.0, "wk": 7.0}

#: (daily mg, largest single dose mg, doses per day, why not): the numbers None and a reason when not read.
DosageReading = tuple[float | None, float | None, int | None, str]


@dataclass(frozen=True, slots=True)
class DailyDose:
    """What a Dosage list says a day.

    ``daily_mg``: the daily dose as scheduled (``doseQuantity`` times ``frequency``; the largest step);
    ``max_daily_mg``: the most the order allows a day (the high end of a ``doseRange``, ``frequencyMax``,
    ``maxDosePerPeriod``), equal to ``daily_mg`` when it allows no more, with ``basis`` saying how it was reached
    otherwise. ``why_not``: why no dose was read (the numbers None); ``unit_unknown`` when that is a dose unit that
    is not a mass or is ambiguous.
    """

    daily_mg: float | None
    max_daily_mg: float | None
    single_mg: float | None
    doses_per_day: int | None
    why_not: str = ""
    basis: str = ""
    unit_unknown: bool = False


@dataclass(frozen=True, slots=True)
class _Read:
    """One dosage read: its step (sequence, period start, end), mg per dose and doses per day, scheduled and most."""

    sequence: int | None
    start: str | None
    end: str | None
    dose_mg: float | None
    most_dose_mg: float
    per_day: float | None
    most_per_day: float
    cap_mg_per_day: float | None


def _not_read(why: str, *, unit_unknown: bool = False) -> DailyDose:
    return DailyDose(None, None, None, None, why, unit_unknown=unit_unknown)


def _mg(quantity: Any) -> tuple[float | None, str]:
    """A Quantity in mg, or None and why."""
    if quantity is None or quantity.value is None:
        return None, ""
    factor, why = unit_factor(quantity, _UCUM_MG_PER_UNIT, _TEXT_MG_PER_UNIT)
    return (float(quantity.value) * factor, "") if factor is not None else (None, f"{why} (mg, g, ug; or mcg)")


#: A time unit of a rate as written (UCUM and text) -> its length in days.
_RATE_DAYS_PER_UNIT = _DAYS_PER_UNIT | {"day": 1.0, "hr": 1 / 24, "hour": 1 / 24}


def _per_days(unit: str) -> float | None:
    unit = unit.strip()
    return _RATE_DAYS_PER_UNIT.get(unit) or _RATE_DAYS_PER_UNIT.get(unit.lower())


def _rate_mg_per_day(dosage: Any) -> float | str | None:
    """The mg per day of the dosage's ``rateQuantity`` (a mass per time: ug/d, mg/h) or ``rateRatio`` (a mass
    over a time); None when it gives neither, a text saying why when it gives one that is not a mass per time."""
    for entry in dosage.doseAndRate or []:
        if entry.rateQuantity is not None and entry.rateQuantity.value is not None:
            q = entry.rateQuantity
            unit = (q.code or q.unit or "").strip()
            mass, _, per = unit.partition("/")
            factor = _UCUM_MG_PER_UNIT.get(mass) or _TEXT_MG_PER_UNIT.get(mass.lower())
            days = _per_days(per)
            if not factor or not days:
                return f"the rate unit '{unit}' is not a mass per time (mg/d, ug/d, mg/h)"
            return float(q.value) * factor / days
        if entry.rateRatio is not None:
            amount, why = _mg(entry.rateRatio.numerator)
            per = entry.rateRatio.denominator
            days = _per_days(per.code or per.unit or "") if per is not None and per.value else None
            if why or amount is None or not days:
                return f"the rate is not a mass over a time ({why or 'no time'})"
            return amount / (float(per.value) * days)
    return None


def _date_text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _read_one(dosage: Any) -> _Read | DailyDose:
    """One dosage read, or why it could not be (a :class:`DailyDose` of no numbers)."""
    label = dosage.text or "no text"
    dose = next((r.doseQuantity for r in dosage.doseAndRate or [] if r.doseQuantity is not None), None)
    dose_range = next((r.doseRange for r in dosage.doseAndRate or [] if r.doseRange is not None), None)
    dose_mg, why = _mg(dose)
    if why:
        return _not_read(f"A dose in mg is not given: {why} ('{label}').", unit_unknown=True)
    most_mg = dose_mg
    if dose_range is not None:
        most_mg, why = _mg(dose_range.high)
        if why:
            return _not_read(f"A dose in mg is not given: {why} ('{label}').", unit_unknown=True)
    if most_mg is None:
        rate = _rate_mg_per_day(dosage)
        if isinstance(rate, str):
            return _not_read(f"A dose in mg is not given: {rate} ('{label}').", unit_unknown=True)
        if rate is None:
            return _not_read(f"A dose in mg is not given ('{label}').")
        bounds = dosage.timing.repeat.boundsPeriod if dosage.timing and dosage.timing.repeat else None
        start, end = (_date_text(bounds.start), _date_text(bounds.end)) if bounds is not None else (None, None)
        return _Read(dosage.sequence, start, end, rate, rate, 1.0, 1.0, None)  # a continuous rate: mg/day, once
    repeat = dosage.timing.repeat if dosage.timing is not None else None
    # times of the day (timeOfDay) or daily events (when: MORN, EVE...) without a period: so many doses a day
    a_day = len(set(repeat.timeOfDay or [])) or len(set(repeat.when or [])) if repeat is not None else 0
    frequency: int | None
    if repeat is not None and repeat.period is None and repeat.frequency is None and a_day:
        frequency, period_days = a_day, 1.0
    else:
        if repeat is None or repeat.period is None or repeat.periodUnit not in _DAYS_PER_UNIT:
            return _not_read(f"A frequency per day, week or hour is not given ('{label}').")
        frequency = repeat.frequency if repeat.frequency is not None else a_day or None
        if frequency is None:
            return _not_read(f"A frequency per day, week or hour is not given ('{label}').")
        period_days = float(repeat.period) * _DAYS_PER_UNIT[repeat.periodUnit]
    if period_days <= 0:
        return _not_read("The timing period is not positive.")
    cap: float | None = None
    caps = dosage.maxDosePerPeriod
    for ratio in caps if isinstance(caps, list) else [caps] if caps is not None else []:
        cap_mg, why = _mg(ratio.numerator)
        per = ratio.denominator
        per_unit = (per.code or per.unit or "").strip() if per is not None else ""
        if why or cap_mg is None or per is None or per.value is None or per_unit not in _DAYS_PER_UNIT:
            return _not_read(
                f"maxDosePerPeriod is not a mass per min, h, d or wk ({why or 'no period'}; '{label}').",
                unit_unknown=bool(why),
            )
        per_days = float(per.value) * _DAYS_PER_UNIT[per_unit]
        if per_days > 0:
            cap = max(cap or 0.0, cap_mg / per_days if per_days <= 1 else cap_mg)  # a longer period: all in a day
    most_frequency = max(frequency, repeat.frequencyMax or 0)
    bounds = repeat.boundsPeriod
    return _Read(
        dosage.sequence,
        _date_text(bounds.start) if bounds is not None else None,
        _date_text(bounds.end) if bounds is not None else None,
        dose_mg,
        most_mg,
        frequency / period_days if dose_mg is not None else None,
        most_frequency / period_days,
        cap,
    )


def _together(a: _Read, b: _Read) -> bool:
    """Whether two dosages are taken at the same time: the same sequence and periods that overlap."""
    if a is b:
        return True
    if a.sequence != b.sequence:
        return False
    return (a.start is None or b.end is None or a.start < b.end) and (
        b.start is None or a.end is None or b.start < a.end
    )


def read_dosage(dosages: Sequence[Any]) -> DailyDose:
    """The daily dose of ``dosages`` (fhir.resources Dosage models): the largest step, each step the sum of the
    dosages taken together."""
    if not dosages:
        return _not_read("The order has no dosage instruction.")
    reads: list[_Read] = []
    for dosage in dosages:
        one = _read_one(dosage)
        if isinstance(one, DailyDose):
            return one
        reads.append(one)
    steps = [[b for b in reads if _together(a, b)] for a in reads]
    scheduled: list[tuple[float, float]] = []
    for step in steps:
        pairs = [(r.dose_mg, r.per_day) for r in step if r.dose_mg is not None and r.per_day is not None]
        if len(pairs) == len(step):
            scheduled.append((sum(d * n for d, n in pairs), sum(n for _, n in pairs)))
    daily, per_day_total = max(scheduled) if len(scheduled) == len(steps) else (None, None)
    most = max(
        max(sum(r.most_dose_mg * r.most_per_day for r in step), *(r.cap_mg_per_day or 0.0 for r in step))
        for step in steps
    )
    singles = [r.most_dose_mg for r in reads]
    if not 0 < most <= ORDER_DAILY_DOSE_MAX_MG or not 0 < max(singles) <= ORDER_DAILY_DOSE_MAX_MG:
        return _not_read(f"The dose read ({most:g} mg/day) is not a plausible daily dose.")
    basis = _basis(reads, daily, most)
    doses = (
        round(per_day_total)
        if per_day_total is not None and abs(per_day_total - round(per_day_total)) < 1e-9 and per_day_total >= 1
        else None
    )
    return DailyDose(round(daily, 6) if daily else None, round(most, 6), max(singles), doses, "", basis)


def _basis(reads: Sequence[_Read], daily: float | None, most: float) -> str:
    """How the most a day was reached, when the order allows more than its schedule (or has no fixed dose)."""
    if daily is not None and abs(most - daily) < 1e-9:
        return ""
    why = []
    if any(r.dose_mg is None or r.most_dose_mg > r.dose_mg for r in reads):
        why.append("the high end of the dose range")
    if any(r.per_day is None or r.most_per_day > r.per_day for r in reads):
        why.append("the most doses a day (frequencyMax)")
    if any(r.cap_mg_per_day is not None for r in reads):
        why.append("the maximum dose per period (maxDosePerPeriod)")
    scheduled = f" (as scheduled: {daily:g} mg/day)" if daily is not None else ""
    return f"the most the order allows a day, {most:g} mg/day, from " + " and ".join(why) + scheduled


def read_daily_dose(dosages: Sequence[Any]) -> DosageReading:
    """(daily mg as scheduled, largest single dose mg, doses per day, why not) of ``dosages``: see
    :func:`read_dosage`."""
    dose = read_dosage(dosages)
    if dose.why_not or dose.daily_mg is None:
        return None, None, None, dose.why_not or "A single daily dose is not given (only a dose range)."
    return dose.daily_mg, dose.single_mg, dose.doses_per_day, ""


def plan_step_dosages(plan: Plan) -> list[dict[str, Any]]:
    """A Dosage per step and clock time: ``sequence`` the step's number (doses of one step share it), the dose in
    mg once a day at that time over the step's days (open-ended for a last step that continues), by mouth; the
    steps of no dose (a stop) have none."""
    dosages: list[dict[str, Any]] = []
    steps = plan.steps
    for number, step in enumerate(steps, start=1):
        period: dict[str, Any] = {"start": step.start.isoformat()}
        if not (step.continues and number == len(steps)):
            period["end"] = step.end.isoformat()
        for dose in step.doses:
            clock = dose.time.strftime("%H:%M")
            text = f"Step {number}: {dose.dose_mg:g} mg at {clock} ({step.daily_dose_mg:g} mg/d); {dose.dispensed.text}"
            dosages.append(
                {
                    "sequence": number,
                    "text": text,
                    "timing": {
                        "repeat": {
                            "boundsPeriod": period,
                            "frequency": 1,
                            "period": 1,
                            "periodUnit": "d",
                            "timeOfDay": [dose.time.strftime("%H:%M:%S")],
                        }
                    },
                    "route": {"text": "oral"},
                    "doseAndRate": [{"doseQuantity": quantity(dose.dose_mg, "mg")}],
                }
            )
    return dosages
