"""Oral plans as dated day-by-day schedules: ``Plan`` of ``PlanStep`` of ``ScheduledDose``.

A step runs from ``start`` to ``end`` (both inclusive) with the same doses every day; the last step of
a plan may ``continue`` after its end (the maintenance dose of a titration, the target of a partial
taper, or the stop of a taper to zero). Every plan carries its findings, the settings it used (value,
status and evidence), the overrides a clinician gave, and whether it may be offered.

>>> from datetime import date
>>> from baclofen.domain.products import get_oral_product
>>> doses = split_daily_dose(25, DEFAULT_DOSE_TIMES[3], get_oral_product("tablet-10mg"))
>>> [(d.time.strftime("%H:%M"), d.dose_mg) for d in doses]
[('08:00', 5.0), ('14:00', 10.0), ('20:00', 10.0)]
>>> doses[0].dispensed.text
'1/2 x 10 mg tablet'
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from enum import Enum
from types import MappingProxyType
from typing import Any

from baclofen.domain.documents import (
    PLAN_SCHEMA,
    SCHEMA_VERSION_KEY,
    check_schema_version,
    join,
    read_bool,
    read_clock_time,
    read_date,
    read_enum,
    read_key,
    read_list,
    read_mapping,
    read_number,
    read_object,
    read_text,
    read_texts,
    within,
)
from baclofen.domain.errors import InvalidInputError, UnknownNameError, require_finite_number
from baclofen.domain.oral.limits import DEFAULT_DOSE_TIMES
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.products import (
    Dispensed,
    OralProduct,
    dispensable_quantum_mg,
    dispense_dose,
)
from baclofen.domain.regimen import DoseEvent, Regimen, Route
from baclofen.domain.rules.core import Finding, Override, is_offerable
from baclofen.domain.settings import SettingUse, SettingValues, settings_to_dicts
from baclofen.domain.units import mg

_EPS = 1e-9


class PlanKind(Enum):
    TITRATION = "titration"
    TAPER = "taper"


@dataclass(frozen=True, slots=True)
class ScheduledDose:
    """One dose at a clock time: mg and what to give (tablets, packets, mL)."""

    time: time
    dose_mg: float
    dispensed: Dispensed

    def __post_init__(self) -> None:
        if not isinstance(self.time, time) or self.time.tzinfo is not None:
            raise InvalidInputError("time", "a clock time without time zone (HH:MM)", self.time)
        require_finite_number(self.dose_mg, "dose_mg", strictly_positive=True)
        if abs(self.dispensed.dose_mg - self.dose_mg) > _EPS:
            raise InvalidInputError("dispensed", f"the same dose as dose_mg {self.dose_mg:g}", self.dispensed.dose_mg)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "time": self.time.strftime("%H:%M"),
            "dose_mg": _num(self.dose_mg),
            "dispense": self.dispensed.text,
        }
        if self.dispensed.units:
            out["units"] = [{"strength_mg": _num(s), "count": _num(c)} for s, c in self.dispensed.units]
        if self.dispensed.volume_ml is not None:
            out["volume_ml"] = _num(self.dispensed.volume_ml)
        return out

    @classmethod
    def from_dict(cls, data: Any, path: str = "dose", *, product: str = "") -> ScheduledDose:
        """The dose of :meth:`to_dict`; ``product`` names the product it is dispensed from."""
        data = read_object(data, path)
        dose_mg = read_number(data, "dose_mg", path)
        units = []
        for i, item in enumerate(read_list(data, "units", path, required=False)):
            where = join(join(path, "units"), i)
            item = read_object(item, where)
            units.append((read_number(item, "strength_mg", where), read_number(item, "count", where)))
        volume_ml = read_number(data, "volume_ml", path) if "volume_ml" in data else None
        with within(path):
            return cls(
                read_clock_time(data, "time", path),
                require_finite_number(dose_mg, "dose_mg", strictly_positive=True),
                Dispensed(dose_mg, product, read_text(data, "dispense", path), tuple(units), volume_ml),
            )


@dataclass(frozen=True, slots=True)
class PlanStep:
    """Days ``start``..``end`` (inclusive) with the same doses each day."""

    start: date
    end: date
    doses: tuple[ScheduledDose, ...]
    continues: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, date) or isinstance(value, datetime):
                raise InvalidInputError(name, "a date (YYYY-MM-DD)", value)
        if self.end < self.start:
            raise InvalidInputError("end", f"on or after start {self.start.isoformat()}", self.end.isoformat())
        object.__setattr__(self, "doses", tuple(self.doses))
        times = [d.time for d in self.doses]
        if times != sorted(set(times)):
            raise InvalidInputError("doses", "distinct clock times in order", [t.isoformat() for t in times])

    @property
    def daily_dose_mg(self) -> float:
        return _num(sum(d.dose_mg for d in self.doses))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> Iterator[date]:
        for i in range(self.days):
            yield self.start + timedelta(days=i)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "daily_dose_mg": self.daily_dose_mg,
            "doses": [d.to_dict() for d in self.doses],
            "continues": self.continues,
        }
        if self.note:
            out["note"] = self.note
        return out

    @classmethod
    def from_dict(cls, data: Any, path: str = "step", *, product: str = "") -> PlanStep:
        """The step of :meth:`to_dict` (``days`` and ``daily_dose_mg`` are derived and not read back)."""
        data = read_object(data, path)
        doses = tuple(
            ScheduledDose.from_dict(item, join(join(path, "doses"), i), product=product)
            for i, item in enumerate(read_list(data, "doses", path))
        )
        with within(path):
            return cls(
                start=read_date(data, "start", path),
                end=read_date(data, "end", path),
                doses=doses,
                continues=read_bool(data, "continues", path),
                note=read_text(data, "note", path, required=False),
            )


@dataclass(frozen=True, slots=True)
class Plan:
    """A dated oral schedule with its findings, settings, overrides and inputs.

    ``offerable`` is false while any ``block`` finding stands without a clinician's override; the
    plan is still returned (never silently dropped) so that its findings can be shown.
    """

    kind: PlanKind
    steps: tuple[PlanStep, ...]
    product: OralProduct
    patient: PatientSnapshot
    findings: tuple[Finding, ...]
    settings: tuple[SettingUse, ...] = ()
    overrides: tuple[Override, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        steps = tuple(self.steps)
        if not steps:
            raise InvalidInputError("steps", "at least one step", ())
        for prev, nxt in zip(steps, steps[1:], strict=False):
            if nxt.start != prev.end + timedelta(days=1):
                raise InvalidInputError("steps", "consecutive steps without gaps or overlaps", nxt.start.isoformat())
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "findings", tuple(self.findings))
        object.__setattr__(self, "settings", tuple(self.settings))
        object.__setattr__(self, "overrides", tuple(self.overrides))
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))

    @property
    def offerable(self) -> bool:
        return is_offerable(self.findings)

    @property
    def start(self) -> date:
        return self.steps[0].start

    @property
    def end(self) -> date:
        return self.steps[-1].end

    @property
    def max_daily_dose_mg(self) -> float:
        return max(s.daily_dose_mg for s in self.steps)

    def step_on(self, day: date) -> PlanStep | None:
        """The step whose doses are taken on ``day``: the one whose dates hold it, or the last step after its end
        when it continues until the clinic changes it; None before the plan or after a last step that ends."""
        for step in self.steps:
            if step.start <= day <= step.end:
                return step
        last = self.steps[-1]
        return last if last.continues and day > last.end else None

    def daily_totals(self) -> tuple[tuple[date, float], ...]:
        """(date, mg) for every day of the plan, in order."""
        return tuple((day, step.daily_dose_mg) for step in self.steps for day in step.dates())

    def setting_value(self, name: str) -> Any:
        """The value this plan used for the setting ``name``."""
        for use in self.settings:
            if use.setting.name == name:
                return use.value
        raise UnknownNameError("setting", [u.setting.name for u in self.settings], name)

    def to_regimen(self, tz: tzinfo) -> Regimen:
        """The plan's doses as oral dose events, each day of each step at its clock time in ``tz``."""
        if not isinstance(tz, tzinfo):
            raise InvalidInputError("tz", "a time zone", tz)
        events = [
            DoseEvent(datetime.combine(day, dose.time, tzinfo=tz), mg(dose.dose_mg), Route.ORAL)
            for step in self.steps
            for day in step.dates()
            for dose in step.doses
        ]
        return Regimen.of(events)

    def to_dict(self) -> dict[str, Any]:
        """The plan as a ``baclofen-plan/1`` document (docs/serialisation.md); :meth:`from_dict` reads it back."""
        return {
            SCHEMA_VERSION_KEY: PLAN_SCHEMA,
            "kind": self.kind.value,
            "offerable": self.offerable,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "product": self.product.to_dict(),
            "parameters": _plain(dict(self.parameters)),
            "patient": self.patient.to_dict(),
            "steps": [s.to_dict() for s in self.steps],
            "daily_totals": [{"date": d.isoformat(), "daily_dose_mg": v} for d, v in self.daily_totals()],
            "max_daily_dose_mg": self.max_daily_dose_mg,
            "findings": [f.to_dict() for f in self.findings],
            "settings": settings_to_dicts(self.settings),
            "overrides": [o.to_dict() for o in self.overrides],
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Plan:
        """Read a ``baclofen-plan/1`` document (what :meth:`to_dict` writes) back into a plan.

        The keys derived from others (``offerable``, ``start``, ``end``, ``daily_totals``, ``max_daily_dose_mg``,
        a step's ``days`` and ``daily_dose_mg``, the patient's ``kidney``, a finding's ``evidence`` text, the
        descriptions of the product and the settings) are recomputed, not read back; keys a reader does not
        know are ignored (a later minor version may add some). ``from_dict(p.to_dict()) == p`` for every plan
        whose ``parameters`` and finding ``data`` hold JSON values.

        Raises
        ------
        InvalidInputError
            For a missing or unknown ``schema_version`` and for every malformed value, naming its path
            (``steps[2].doses[0].dose_mg``, ``findings[1].severity``, ``patient.crcl_ml_min``).
        """
        # Every planner's settings must be registered to be found by name (they register on import).
        from baclofen.domain.oral import taper, titration  # noqa: F401

        data = read_object(data, "plan")
        check_schema_version(data, PLAN_SCHEMA)
        kind = read_enum(data, "kind", "", PlanKind)
        product = OralProduct.from_dict(read_key(data, "product", ""))
        steps: list[PlanStep] = []
        for i, item in enumerate(read_list(data, "steps", "")):
            step = PlanStep.from_dict(item, f"steps[{i}]", product=product.name)
            if steps and step.start != steps[-1].end + timedelta(days=1):
                raise InvalidInputError(
                    f"steps[{i}].start",
                    f"the day after steps[{i - 1}].end {steps[-1].end.isoformat()} (steps follow without gaps)",
                    step.start.isoformat(),
                )
            steps.append(step)
        return cls(
            kind=kind,
            steps=tuple(steps),
            product=product,
            patient=PatientSnapshot.from_dict(read_key(data, "patient", "")),
            findings=tuple(
                Finding.from_dict(f, f"findings[{i}]") for i, f in enumerate(read_list(data, "findings", ""))
            ),
            settings=tuple(
                SettingUse.from_dict(u, f"settings[{i}]") for i, u in enumerate(read_list(data, "settings", ""))
            ),
            overrides=tuple(
                Override.from_dict(o, f"overrides[{i}]") for i, o in enumerate(read_list(data, "overrides", ""))
            ),
            parameters=read_mapping(data, "parameters", ""),
            notes=read_texts(data, "notes", ""),
        )


def stated_daily_doses(data: Mapping[str, Any]) -> tuple[float | None, ...]:
    """The ``daily_dose_mg`` each step of a plan document states (None where a step states no finite number): a
    derived key that :meth:`Plan.from_dict` does not read back, kept to compare with the doses."""
    rows = data.get("steps") if isinstance(data, Mapping) else None
    out: list[float | None] = []
    for row in rows if isinstance(rows, list) else ():
        stated = row.get("daily_dose_mg") if isinstance(row, Mapping) else None
        if isinstance(stated, (int, float)) and not isinstance(stated, bool) and math.isfinite(stated):
            out.append(float(stated))
        else:
            out.append(None)
    return tuple(out)


def daily_dose_mismatches(
    plan: Plan, stated_mg_per_day: Sequence[float | None]
) -> tuple[tuple[int, float, float], ...]:
    """(step index, stated mg/day, sum of the step's doses) where a step's stated daily dose disagrees (by more
    than 0.01 mg) with its doses: an edited file, flagged rather than refused."""
    return tuple(
        (i, stated, step.daily_dose_mg)
        for i, (stated, step) in enumerate(zip(stated_mg_per_day, plan.steps, strict=False))
        if stated is not None and abs(stated - step.daily_dose_mg) > 0.01
    )


def stated_daily_dose_mismatches(data: Mapping[str, Any], plan: Plan) -> tuple[tuple[int, float, float], ...]:
    """(step index, stated mg/day, sum of the step's doses) where a plan document's ``steps[i].daily_dose_mg``
    disagrees (by more than 0.01 mg) with the doses read back: an edited file, flagged rather than refused."""
    return daily_dose_mismatches(plan, stated_daily_doses(data))


def resolve_dose_times(
    doses_per_day: int, dose_times: Sequence[time] | None, allowed: Sequence[int]
) -> tuple[time, ...]:
    """Validate the number of doses a day and their clock times (default :data:`DEFAULT_DOSE_TIMES`)."""
    if isinstance(doses_per_day, bool) or not isinstance(doses_per_day, int) or doses_per_day not in allowed:
        raise InvalidInputError("doses_per_day", " or ".join(str(n) for n in allowed), doses_per_day)
    if dose_times is None:
        return DEFAULT_DOSE_TIMES[doses_per_day]
    times = tuple(dose_times)
    if len(times) != doses_per_day:
        raise InvalidInputError("dose_times", f"{doses_per_day} clock times", len(times))
    if any(not isinstance(t, time) or t.tzinfo is not None for t in times):
        raise InvalidInputError("dose_times", "clock times HH:MM", [str(t) for t in times])
    if list(times) != sorted(set(times)):
        raise InvalidInputError(
            "dose_times", "distinct times in increasing order", [t.strftime("%H:%M") for t in times]
        )
    return times


def split_daily_dose(
    daily_dose_mg: float,
    times: Sequence[time],
    product: OralProduct,
    liquid_resolution_ml: float | None = None,
) -> tuple[ScheduledDose, ...]:
    """Divide a daily dose (mg) over the clock ``times`` in dispensable amounts.

    The daily dose must be a multiple of the product's dispensable quantum
    (:func:`~baclofen.domain.products.dispensable_quantum_mg`). It is divided into quanta as evenly as
    possible; when it does not divide evenly the larger doses come later in the day (a convention of
    this software, not from a source), and a slot that would get nothing is left out, so a small daily
    dose may be given fewer times a day.

    Raises
    ------
    InvalidInputError
        When the daily dose is not a multiple of the quantum.
    """
    daily = require_finite_number(daily_dose_mg, "daily_dose_mg", minimum=0.0)
    q = dispensable_quantum_mg(product, liquid_resolution_ml)
    n_quanta = daily / q
    if abs(n_quanta - round(n_quanta)) > 1e-6:
        raise InvalidInputError(
            "daily_dose_mg", f"a multiple of {q:g} mg, the smallest amount {product.name} can give", daily
        )
    total = round(n_quanta)
    base, extra = divmod(total, len(times))
    doses = []
    for i, t in enumerate(times):
        count = base + (1 if i >= len(times) - extra else 0)
        if count == 0:
            continue
        dose = _num(count * q)
        dispensed = dispense_dose(dose, product, liquid_resolution_ml)
        if not isinstance(dispensed, Dispensed):  # cannot happen for a multiple of the quantum
            raise InvalidInputError("daily_dose_mg", f"a dose {product.name} can give", dispensed.reason)
        doses.append(ScheduledDose(t, dose, dispensed))
    return tuple(doses)


def floor_to_quantum(value_mg: float, quantum_mg: float) -> float:
    """Largest multiple of ``quantum_mg`` not above ``value_mg`` (never rounds up)."""
    return _num(math.floor(value_mg / quantum_mg + _EPS) * quantum_mg)


def ceil_to_quantum(value_mg: float, quantum_mg: float) -> float:
    """Smallest multiple of ``quantum_mg`` not below ``value_mg``."""
    return _num(math.ceil(value_mg / quantum_mg - _EPS) * quantum_mg)


def _num(value: float) -> float:
    """Drop float noise at a resolution far below any dose step."""
    return round(float(value), 9) + 0.0


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


__all__ = [
    "DEFAULT_DOSE_TIMES",
    "Plan",
    "PlanKind",
    "PlanStep",
    "ScheduledDose",
    "SettingValues",
    "ceil_to_quantum",
    "daily_dose_mismatches",
    "floor_to_quantum",
    "resolve_dose_times",
    "split_daily_dose",
    "stated_daily_dose_mismatches",
    "stated_daily_doses",
]
