"""Every command that defaults a date to today takes it from the clock of the composition root."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import baclofen.bootstrap
from baclofen.adapters.clock import FixedClock

#: A day no test run falls on, on a clock whose zone is far from UTC (late evening there).
TODAY = "2031-07-15"
CLOCK = FixedClock(datetime(2031, 7, 15, 23, 30, tzinfo=timezone(timedelta(hours=-10))))


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(baclofen.bootstrap, "SystemClock", lambda: CLOCK)


@pytest.mark.parametrize(
    "args",
    [
        (
            "pump",
            "refill",
            "--pump",
            "synchromed-ii-20",
            "--concentration-mcg-per-ml",
            "500",
            "--daily-dose-mcg",
            "500",
        ),
        ("plan", "titrate"),
        ("itb", "transition", "--oral-mg-per-day", "60", "--itb-initial-mcg-per-day", "100"),
        ("demo",),
        ("alternatives", "--failed", "--switch-to", "tizanidine", "--from-mg-per-day", "60"),
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_a_command_without_a_date_starts_today_on_the_clinic_clock(run_cli, args) -> None:
    result = run_cli(*args, "--json")

    assert result.exit_code == 0, result.stderr
    assert TODAY in result.stdout
