"""Regimens as dated dose events (time, amount, route), exportable in NONMEM-like columns.

Times are timezone-aware datetimes. An event with ``duration_h > 0`` is a zero-order infusion of
``amount`` over that duration (a pump program step); otherwise it is a bolus (oral dose, IT bolus).

>>> from datetime import datetime, timezone
>>> t0 = datetime(2026, 1, 1, 8, tzinfo=timezone.utc)
>>> reg = Regimen((DoseEvent(t0, mg(5), Route.ORAL),))
>>> reg.to_event_rows(t0)[0]["AMT"]
5.0
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from typing import Any

from baclofen.domain.dates import read_iso_datetime
from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.units import Dimension, Quantity, Unit, mg


class Route(Enum):
    ORAL = "oral"
    INTRATHECAL = "intrathecal"
    INTRAVENOUS = "intravenous"

    @property
    def dose_unit(self) -> Unit:
        """The unit this route is dosed in: oral mg, intrathecal mcg ([S2])."""
        return Unit.MCG if self is Route.INTRATHECAL else Unit.MG


# NONMEM compartment numbers used by the export (documented in docs/glossary.md).
CMT_BY_ROUTE = {Route.ORAL: 1, Route.INTRAVENOUS: 2, Route.INTRATHECAL: 3}


@dataclass(frozen=True, slots=True)
class DoseEvent:
    time: datetime
    amount: Quantity
    route: Route
    duration_h: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.time, datetime) or self.time.tzinfo is None:
            raise InvalidInputError("time", "a timezone-aware datetime", self.time)
        if not isinstance(self.amount, Quantity) or self.amount.dimension is not Dimension.MASS:
            raise InvalidInputError("amount", "a mass quantity (mg or mcg)", self.amount)
        if self.amount.magnitude < 0:
            raise InvalidInputError("amount", "a dose >= 0", str(self.amount))
        if not isinstance(self.route, Route):
            raise InvalidInputError("route", "oral, intrathecal or intravenous", self.route)
        require_finite_number(self.duration_h, "duration_h", minimum=0.0)

    @property
    def amount_mg(self) -> float:
        return self.amount.in_(Unit.MG)

    def to_dict(self) -> dict[str, Any]:
        unit = self.route.dose_unit
        return {
            "time": self.time.isoformat(),
            "amount": self.amount.in_(unit),
            "unit": unit.value,
            "route": self.route.value,
            "duration_h": self.duration_h,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DoseEvent:
        try:
            route = Route(data["route"])
            unit = Unit(data["unit"])
            time = read_iso_datetime(data["time"], "time")
        except (KeyError, ValueError, TypeError) as exc:
            raise InvalidInputError("dose event", "time, amount, unit, route", data) from exc
        duration = data.get("duration_h", 0.0)
        if isinstance(duration, bool) or not isinstance(duration, (int, float)):
            raise InvalidInputError("duration_h", "a number of hours >= 0", duration)
        return cls(time, Quantity(data["amount"], unit), route, float(duration))


@dataclass(frozen=True, slots=True)
class Regimen:
    """Dose events in time order."""

    events: tuple[DoseEvent, ...]

    def __post_init__(self) -> None:
        events = tuple(sorted(self.events, key=lambda e: e.time))
        object.__setattr__(self, "events", events)

    @classmethod
    def of(cls, events: Iterable[DoseEvent]) -> Regimen:
        return cls(tuple(events))

    @property
    def start(self) -> datetime | None:
        return self.events[0].time if self.events else None

    def daily_totals(self, route: Route) -> dict[date, Quantity]:
        """Total amount per calendar day (in the route's unit) for bolus events of ``route``."""
        unit = route.dose_unit
        totals: dict[date, float] = {}
        for e in self.events:
            if e.route is route and e.duration_h == 0:
                totals[e.time.date()] = totals.get(e.time.date(), 0.0) + e.amount.in_(unit)
        return {d: Quantity(v, unit) for d, v in sorted(totals.items())}

    def to_event_rows(self, reference: datetime, subject_id: int = 1) -> list[dict[str, Any]]:
        """NONMEM-like rows: ID, TIME (h after ``reference``), AMT (mg), RATE (mg/h), CMT, EVID, ROUTE.

        Amounts are in mg for every route so that the column has one unit (stated in AMT_UNIT). TIME is
        elapsed time (computed in UTC), so a daylight-saving change in the events' zone is counted correctly.
        """
        if not isinstance(reference, datetime) or reference.tzinfo is None:
            raise InvalidInputError("reference", "a timezone-aware datetime", reference)
        ref_utc = reference.astimezone(UTC)
        rows = []
        for e in self.events:
            amt = e.amount.in_(Unit.MG)
            rows.append(
                {
                    "ID": subject_id,
                    # Aware datetimes sharing one tzinfo subtract as wall-clock times (23 h days count 24 h): use UTC.
                    "TIME": (e.time.astimezone(UTC) - ref_utc) / timedelta(hours=1),
                    "AMT": amt,
                    "RATE": amt / e.duration_h if e.duration_h > 0 else 0.0,
                    "CMT": CMT_BY_ROUTE[e.route],
                    "EVID": 1,
                    "AMT_UNIT": "mg",
                    "ROUTE": e.route.value,
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {"events": [e.to_dict() for e in self.events]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Regimen:
        events = data.get("events")
        if not isinstance(events, list):
            raise InvalidInputError("events", "a list of dose events", type(events).__name__)
        return cls(tuple(DoseEvent.from_dict(e) for e in events))


__all__ = ["CMT_BY_ROUTE", "DoseEvent", "Regimen", "Route", "mg"]
