"""Follow-ups of the foundation review: UTC engine times across DST, plausible plan dates, bolus-only daily totals."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from baclofen.adapters.edge.text import parse_date
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.pk.engine import doses_from_regimen
from baclofen.domain.regimen import DoseEvent, Regimen, Route
from baclofen.domain.units import mg

LONDON = ZoneInfo("Europe/London")


def test_engine_dose_times_count_the_short_day_of_a_daylight_saving_change() -> None:
    before = datetime(2026, 3, 28, 8, 0, tzinfo=LONDON)
    after = datetime(2026, 3, 29, 8, 0, tzinfo=LONDON)  # clocks went forward at 01:00 on 29 March
    regimen = Regimen((DoseEvent(before, mg(5), Route.ORAL), DoseEvent(after, mg(5), Route.ORAL)))

    doses = doses_from_regimen(regimen, before)

    assert doses[1].time_h - doses[0].time_h == pytest.approx(23.0)


@pytest.mark.parametrize("text", ["9999-12-31", "1850-01-01"])
def test_implausible_plan_dates_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidInputError, match="'start_date'"):
        parse_date(text, "start_date")


def test_plausible_plan_dates_pass() -> None:
    assert parse_date("2026-12-01", "start_date") == date(2026, 12, 1)
    assert parse_date("2200-12-31", "start_date") == date(2200, 12, 31)


def test_daily_totals_count_boluses_only() -> None:
    t = datetime(2026, 1, 1, 8, tzinfo=LONDON)
    regimen = Regimen(
        (
            DoseEvent(t, mg(5), Route.ORAL),
            DoseEvent(t + timedelta(hours=6), mg(5), Route.ORAL),
            DoseEvent(t, mg(10), Route.ORAL, duration_h=48.0),
        )
    )

    assert regimen.daily_totals(Route.ORAL)[date(2026, 1, 1)].magnitude == 10.0
