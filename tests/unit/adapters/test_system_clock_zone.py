"""The system clock names its zone when TZ names one (a clinic's calendars need an IANA zone, never a bare offset)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from baclofen.adapters.clock import SystemClock


def test_the_system_clock_zone_is_the_iana_zone_tz_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Paris")

    assert SystemClock().zone == ZoneInfo("Europe/Paris")
    assert SystemClock(ZoneInfo("America/New_York")).zone == ZoneInfo("America/New_York")  # a given zone wins


@pytest.mark.parametrize("tz", ["", "Mars/Olympus", None])
def test_without_a_zone_in_tz_the_system_clock_zone_is_the_machines_offset_not_a_named_zone(
    monkeypatch: pytest.MonkeyPatch, tz: str | None
) -> None:
    if tz is None:
        monkeypatch.delenv("TZ", raising=False)
    else:
        monkeypatch.setenv("TZ", tz)

    assert not isinstance(SystemClock().zone, ZoneInfo)
