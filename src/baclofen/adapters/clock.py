"""Clocks (the :class:`~baclofen.services.ports.Clock` port): the system clock, and a fixed one.

The only place the package reads the time: the domain and the services take dates as arguments, and the
entrypoints ask the clock that ``baclofen.bootstrap`` gives them.

>>> from datetime import datetime, timezone
>>> FixedClock(datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc)).today()
datetime.date(2026, 3, 1)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from baclofen.domain.errors import InvalidInputError

__all__ = ["LOCALTIME_PATH", "FixedClock", "SystemClock", "zone_named_by_tz"]


#: The machine's configured zone when ``TZ`` is unset (Debian and most Linux: a link into the zoneinfo database).
LOCALTIME_PATH = Path("/etc/localtime")


def zone_named_by_tz(environ: Mapping[str, str] | None = None) -> ZoneInfo | None:
    """The IANA zone ``TZ`` names (``Europe/Berlin``, ``:Europe/Berlin``); when ``TZ`` is unset, the zone the
    machine is configured with (``/etc/localtime`` linked into a zoneinfo database, as ``timedatectl`` sets it);
    None when TZ is set but names no zone, or the machine names none (a bare offset is never taken for a zone)."""
    env = os.environ if environ is None else environ
    if "TZ" not in env:
        return _zone_of_localtime_link(LOCALTIME_PATH)
    name = env["TZ"].lstrip(":").strip()
    return _zone_named(name) if name else None


def _zone_named(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _zone_of_localtime_link(path: Path) -> ZoneInfo | None:
    try:
        target = str(path.resolve(strict=True)) if path.is_symlink() else ""
    except OSError:
        return None
    _, marker, name = target.partition("/zoneinfo/")
    return _zone_named(name) if marker and name else None


class SystemClock:
    """The machine's clock, read in ``zone`` (default: the machine's local time zone, named when ``TZ`` names an
    IANA zone: a clinic's calendars need the zone's rules, not today's offset)."""

    def __init__(self, zone: tzinfo | None = None) -> None:
        if zone is not None and not isinstance(zone, tzinfo):
            raise InvalidInputError("zone", "a time zone (tzinfo)", zone)
        self._zone = zone

    @property
    def zone(self) -> tzinfo:
        if self._zone is not None:
            return self._zone
        named = zone_named_by_tz()
        if named is not None:
            return named
        local = datetime.now().astimezone().tzinfo
        assert local is not None  # astimezone() always attaches the local zone
        return local

    def now(self) -> datetime:
        return datetime.now(self._zone) if self._zone is not None else datetime.now().astimezone()

    def today(self) -> date:
        return self.now().date()


class FixedClock:
    """A clock that always shows one moment (timezone-aware), in its own zone: for replays and tests."""

    def __init__(self, moment: datetime) -> None:
        if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
            raise InvalidInputError("moment", "a date-time with a time zone", moment)
        self._moment = moment

    @property
    def zone(self) -> tzinfo:
        zone = self._moment.tzinfo
        assert zone is not None  # checked in __init__
        return zone

    def now(self) -> datetime:
        return self._moment

    def today(self) -> date:
        return self._moment.date()
