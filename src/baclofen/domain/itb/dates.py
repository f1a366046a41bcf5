"""Exact calendar arithmetic for pump schedules (months and years, leap years included).

``timedelta`` has no months or years; a battery life of "7 years" or a replacement "6 months before"
needs calendar arithmetic. A day that does not exist in the target month is clamped to the month's
last day (29 February + 1 year -> 28 February), which is never later than the exact anniversary.

>>> add_years(date(2024, 2, 29), 1)
datetime.date(2025, 2, 28)
>>> add_months(date(2026, 8, 31), -6)
datetime.date(2026, 2, 28)
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timezone

from baclofen.domain.errors import InvalidInputError

__all__ = [
    "add_months",
    "add_years",
    "as_pump_clock",
    "days_between",
    "on_clock_of",
    "pump_moment",
    "same_clock",
    "years_to_months",
]


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (earlier when negative), clamped to month end.

    Parameters
    ----------
    day : date
        Start date.
    months : int
        Whole months to add; negative goes back.

    Returns
    -------
    date

    Examples
    --------
    >>> add_months(date(2026, 1, 31), 1)
    datetime.date(2026, 2, 28)
    >>> add_months(date(2028, 1, 31), 1)
    datetime.date(2028, 2, 29)
    """
    if isinstance(months, bool) or not isinstance(months, int):
        raise InvalidInputError("months", "a whole number of months", months)
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise InvalidInputError("months", "a shift that stays within years 1-9999", months)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later, 29 February clamped to 28 February in common years.

    >>> add_years(date(2024, 2, 29), 4)
    datetime.date(2028, 2, 29)
    """
    if isinstance(years, bool) or not isinstance(years, int):
        raise InvalidInputError("years", "a whole number of years", years)
    return add_months(day, 12 * years)


def years_to_months(years: float, field: str = "years") -> int:
    """Whole months in ``years`` (rounded to the nearest month): 5.5 y -> 66 months.

    >>> years_to_months(7)
    84
    """
    if isinstance(years, bool) or not isinstance(years, (int, float)) or years < 0:
        raise InvalidInputError(field, "a number of years >= 0", years)
    return int(round(years * 12))


def as_pump_clock(moment: date | datetime, field: str = "filled") -> datetime:
    """A naive pump-clock datetime: a date alone is taken as 00:00 that day (the earliest, conservative).

    Pump programs run on the pump's own clock, which does not follow daylight-saving changes, so a
    timezone-aware datetime is read as its wall-clock time (callers that compare moments with UTC offsets
    use :func:`pump_moment` / :func:`same_clock`, which keep the offsets).

    >>> as_pump_clock(date(2026, 3, 1))
    datetime.datetime(2026, 3, 1, 0, 0)
    """
    if isinstance(moment, datetime):
        return moment.replace(tzinfo=None)
    if isinstance(moment, date):
        return datetime.combine(moment, time(0, 0))
    raise InvalidInputError(field, "a date or datetime", moment)


def _is_aware(moment: date | datetime) -> bool:
    return isinstance(moment, datetime) and moment.tzinfo is not None and moment.utcoffset() is not None


def pump_moment(moment: date | datetime, field: str = "filled") -> datetime:
    """A moment for interval arithmetic, keeping a UTC offset when one is given.

    A date alone is 00:00 on the pump clock and a date-time without an offset is a pump-clock time (both
    naive, as :func:`as_pump_clock`). A date-time with an offset keeps it, as a fixed offset (the pump clock
    does not follow daylight-saving changes), so that intervals to other moments with offsets are exact
    instants (converted to UTC), while the time of day stays the wall-clock time at that offset.

    >>> pump_moment(datetime.fromisoformat("2026-11-01T00:00+10:00")).isoformat()
    '2026-11-01T00:00:00+10:00'
    >>> pump_moment(date(2026, 11, 1))
    datetime.datetime(2026, 11, 1, 0, 0)
    """
    offset = moment.utcoffset() if isinstance(moment, datetime) else None
    if isinstance(moment, datetime) and offset is not None:
        return moment.replace(tzinfo=timezone(offset))
    return as_pump_clock(moment, field)


def on_clock_of(reference: datetime, moment: date | datetime, field: str) -> datetime:
    """``moment`` on the clock of ``reference`` (a :func:`pump_moment`), for arithmetic with it.

    With an offset on both, ``moment`` is converted to ``reference``'s offset (the same instant); without
    an offset on either, both are pump-clock times. One with and one without is ambiguous and refused.

    >>> ref = pump_moment(datetime.fromisoformat("2026-11-01T00:00+10:00"))
    >>> on_clock_of(ref, datetime.fromisoformat("2026-11-01T00:00-10:00"), "as_of").isoformat()
    '2026-11-01T20:00:00+10:00'
    """
    if not isinstance(moment, date):
        raise InvalidInputError(field, "a date or datetime", moment)
    if _is_aware(reference) != _is_aware(moment):
        expected = (
            "a date-time with a UTC offset (YYYY-MM-DDTHH:MM+HH:MM), as the other times have one"
            if _is_aware(reference)
            else "a date or date-time without a UTC offset, as the other times have none"
        )
        raise InvalidInputError(field, expected, moment.isoformat())
    if isinstance(moment, datetime) and _is_aware(moment):
        return moment.astimezone(reference.tzinfo)
    return as_pump_clock(moment, field)


def same_clock(*moments: tuple[date | datetime, str]) -> tuple[datetime, ...]:
    """Named moments ``(value, field)`` on one clock (see :func:`on_clock_of`), each in its own offset.

    >>> a, b = same_clock((datetime.fromisoformat("2026-11-01T00:00+10:00"), "previous_filled"),
    ...                   (datetime.fromisoformat("2026-11-24T00:00-10:00"), "refilled"))
    >>> round((b - a).total_seconds() / 86400, 2)
    23.83
    """
    if not moments:
        return ()
    first, field = moments[0]
    reference = pump_moment(first, field)
    out = [reference]
    for value, name in moments[1:]:
        on_clock_of(reference, value, name)  # refuses a mix of moments with and without an offset
        out.append(pump_moment(value, name))
    return tuple(out)


def days_between(start: date, end: date) -> int:
    """Whole calendar days from ``start`` to ``end`` (negative when ``end`` is earlier).

    >>> days_between(date(2027, 12, 31), date(2028, 3, 1))
    61
    """
    return (end - start).days
