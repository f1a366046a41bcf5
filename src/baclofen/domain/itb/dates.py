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
from datetime import date, datetime, time

from baclofen.domain.errors import InvalidInputError

__all__ = ["add_months", "add_years", "as_pump_clock", "days_between", "years_to_months"]


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
    timezone-aware datetime is read as its wall-clock time.

    >>> as_pump_clock(date(2026, 3, 1))
    datetime.datetime(2026, 3, 1, 0, 0)
    """
    if isinstance(moment, datetime):
        return moment.replace(tzinfo=None)
    if isinstance(moment, date):
        return datetime.combine(moment, time(0, 0))
    raise InvalidInputError(field, "a date or datetime", moment)


def days_between(start: date, end: date) -> int:
    """Whole calendar days from ``start`` to ``end`` (negative when ``end`` is earlier).

    >>> days_between(date(2027, 12, 31), date(2028, 3, 1))
    61
    """
    return (end - start).days
