"""The system clock names its zone when TZ names one (a clinic's calendars need an IANA zone, never a bare offset)."""

from __future__ import annotations

from pathlib import Path
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
        monkeypatch.setattr("baclofen.adapters.clock.LOCALTIME_PATH", Path("/nonexistent/localtime"))
    else:
        monkeypatch.setenv("TZ", tz)

    assert not isinstance(SystemClock().zone, ZoneInfo)


def test_without_tz_the_system_clock_zone_is_the_zone_the_machine_is_configured_with(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``/etc/localtime`` linked into a zoneinfo database (as timedatectl sets it) names the machine's zone; a
    plain file or a dangling link names none."""
    zoneinfo = tmp_path / "usr" / "share" / "zoneinfo" / "Europe"
    zoneinfo.mkdir(parents=True)
    (zoneinfo / "Lisbon").write_bytes(b"TZif")
    link = tmp_path / "localtime"
    link.symlink_to(zoneinfo / "Lisbon")
    monkeypatch.delenv("TZ", raising=False)
    monkeypatch.setattr("baclofen.adapters.clock.LOCALTIME_PATH", link)

    assert SystemClock().zone == ZoneInfo("Europe/Lisbon")

    monkeypatch.setenv("TZ", "")  # TZ set (to UTC in POSIX) wins over the link, and names no IANA zone
    assert not isinstance(SystemClock().zone, ZoneInfo)

    monkeypatch.delenv("TZ")
    link.unlink()
    link.write_bytes(b"TZif")  # a copied file: no name
    assert not isinstance(SystemClock().zone, ZoneInfo)
