"""The one plausible range of every date the domain takes, and the checks of typed dates and date-times.

Text is read at the edge (:mod:`baclofen.adapters.edge`); here a date is already a ``date`` (or, where a time
of day matters, a ``datetime``). A year like 9999 is a typing error and would overflow date arithmetic at the
end of a plan or a forecast, so every date is checked against :data:`PLAN_DATE_RANGE` where it enters.

>>> require_date(date(2026, 1, 1), "start_date")
datetime.date(2026, 1, 1)
>>> require_date(date(9999, 12, 1), "filled")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
baclofen.domain.errors.InvalidInputError: 'filled' must be a date from 1900-01-01 to 2200-12-31 (got ...)
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, TypeVar

from baclofen.domain.errors import InvalidInputError

#: Plausible dates of every date input (plan starts, fills, refills, implants, as-of; one range for all).
PLAN_DATE_RANGE = (date(1900, 1, 1), date(2200, 12, 31))

DateT = TypeVar("DateT", date, datetime)


def check_date_range(parsed: DateT, field: str, given: Any = None) -> DateT:
    """``parsed`` (a date or date-time) if its day lies in :data:`PLAN_DATE_RANGE`; else InvalidInputError
    naming ``field`` (``given``: the value as the caller wrote it, shown in the error)."""
    day = parsed.date() if isinstance(parsed, datetime) else parsed
    if not PLAN_DATE_RANGE[0] <= day <= PLAN_DATE_RANGE[1]:
        raise InvalidInputError(
            field,
            f"a date from {PLAN_DATE_RANGE[0].isoformat()} to {PLAN_DATE_RANGE[1].isoformat()}",
            parsed if given is None else given,
        )
    return parsed


#: ``YYYY-MM-DD``, exactly (``date.fromisoformat`` also takes ``20261201`` and week dates).
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_iso_date(value: Any, field: str, *, plausible: bool = True) -> date:
    """The one reader of a date written as text (the input edge and every document reader use it): exactly
    ``YYYY-MM-DD``, a real calendar day, in the plausible range (``plausible=False``: any calendar day, for a
    document whose far dates mean "open-ended", as a timeline prescription ending 9999-12-31).

    >>> read_iso_date("2026-02-29", "start")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    baclofen.domain.errors.InvalidInputError: 'start' must be a date YYYY-MM-DD (got '2026-02-29')
    """
    parsed = None
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        raise InvalidInputError(field, "a date YYYY-MM-DD", value)
    return check_date_range(parsed, field, value) if plausible else parsed


def read_iso_datetime(
    value: Any, field: str, *, expected: str = "a date-time YYYY-MM-DDTHH:MM", plausible: bool = True
) -> datetime:
    """The one reader of a date and time written as text: ``YYYY-MM-DDTHH:MM[:SS]`` with an optional UTC offset
    (the caller decides whether an offset is required), in the plausible range (unless ``plausible=False``)."""
    parsed = None
    if isinstance(value, str) and len(value) > 10 and ISO_DATE.match(value[:10]):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        raise InvalidInputError(field, expected, value)
    return check_date_range(parsed, field, value) if plausible else parsed


def require_date(value: Any, field: str) -> date:
    """``value`` if it is a ``date`` (not a date-time) in the plausible range."""
    if isinstance(value, datetime):
        raise InvalidInputError(field, "a date (YYYY-MM-DD), not a date and time", value.isoformat())
    if not isinstance(value, date):
        raise InvalidInputError(field, "a date", value)
    return check_date_range(value, field)


def require_moment(value: Any, field: str) -> date | datetime:
    """``value`` if it is a ``date`` or a ``datetime`` in the plausible range."""
    if not isinstance(value, date):
        raise InvalidInputError(field, "a date or a date and time", value)
    return check_date_range(value, field)


def require_datetime(value: Any, field: str) -> datetime:
    """``value`` if it is a ``datetime`` in the plausible range."""
    if not isinstance(value, datetime):
        raise InvalidInputError(field, "a date and time (YYYY-MM-DDTHH:MM)", value)
    return check_date_range(value, field)


def optional(check: Any, value: Any, field: str) -> Any:
    """``check(value, field)``, or None when ``value`` is None."""
    return None if value is None else check(value, field)


__all__ = [
    "ISO_DATE",
    "PLAN_DATE_RANGE",
    "check_date_range",
    "optional",
    "read_iso_date",
    "require_not_after",
    "read_iso_datetime",
    "require_date",
    "require_datetime",
    "require_moment",
]


def require_not_after(value: date | datetime, not_after: date | datetime, field: str, given: Any = None) -> None:
    """A moment that records what was, never what will be: at or before ``not_after`` (by day, unless both are
    date-times with UTC offsets); else InvalidInputError naming ``field`` (``given``: the value as written).

    >>> require_not_after(date(2099, 1, 1), date(2026, 12, 1), "refilled_at")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    baclofen.domain.errors.InvalidInputError: 'refilled_at' must be at or before 2026-12-01 (not in the future) ...
    """
    exact = (
        isinstance(value, datetime)
        and isinstance(not_after, datetime)
        and value.utcoffset() is not None
        and not_after.utcoffset() is not None
    )
    if exact:
        late, limit = value > not_after, not_after.isoformat()
    else:
        day = value.date() if isinstance(value, datetime) else value
        last = not_after.date() if isinstance(not_after, datetime) else not_after
        late, limit = day > last, last.isoformat()
    if late:
        raise InvalidInputError(
            field, f"at or before {limit} (not in the future)", value.isoformat() if given is None else given
        )
