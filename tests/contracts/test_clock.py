"""Contract of every clock: an aware "now" in the clinic's zone, and today's date there."""

from __future__ import annotations

from datetime import date, datetime

from baclofen.services.ports import Clock


def test_now_is_timezone_aware_in_the_clocks_zone(clock: Clock) -> None:
    now = clock.now()

    assert isinstance(now, datetime) and now.utcoffset() is not None
    assert now.utcoffset() == clock.zone.utcoffset(now.replace(tzinfo=None))


def test_today_is_the_date_of_now_in_the_clocks_zone(clock: Clock) -> None:
    before = clock.now().date()
    today = clock.today()
    after = clock.now().date()

    assert type(today) is date
    assert today in {before, after}  # a system clock may pass midnight between the reads
