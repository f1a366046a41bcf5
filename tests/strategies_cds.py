"""Hypothesis strategies for the clinical decision-support domain (drug names, scale values, timelines)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from baclofen.domain.cds.drugs import CATALOGUE
from baclofen.domain.cds.scales import AshworthGrade

UTC = UTC
#: SynchroMed II 20 mL default low-reservoir threshold (mL) and refill margin (days) the oracle below uses.
LOW_ML = 2.0
MARGIN_DAYS = 7
STABILITY_DAYS = 180

catalogue_names = st.sampled_from(sorted({n for d in CATALOGUE.drugs for n in (d.key, *d.brands, *d.synonyms)}))
drug_keys = st.sampled_from(sorted(d.key for d in CATALOGUE.drugs))
ashworth_grades = st.sampled_from(list(AshworthGrade))


@st.composite
def case_and_space_variants(draw: Any, name: str) -> str:
    """The same name in random case with extra surrounding and inner whitespace."""
    chars = [c.upper() if draw(st.booleans()) else c.lower() for c in name]
    text = "".join(chars).replace(" ", " " * draw(st.integers(1, 3)))
    return " " * draw(st.integers(0, 3)) + text + " " * draw(st.integers(0, 3))


@st.composite
def pump_fills(draw: Any) -> dict[str, Any]:
    """A SynchroMed II 20 mL refill whose fill lasts at least margin + 2 days to the low-reservoir alarm."""
    volume = draw(st.integers(10, 20))
    conc = draw(st.sampled_from([500, 1000, 2000]))
    max_dose = min(800.0, (volume - LOW_ML) * conc / (MARGIN_DAYS + 2))
    dose = draw(st.floats(50.0, max_dose, allow_nan=False).map(lambda x: round(x, 1)))
    return {"volume_ml": volume, "concentration_mcg_per_ml": conc, "daily_dose_mcg": dose}


def _iso(t: datetime) -> str:
    return t.isoformat()


@st.composite
def overdue_pump_timelines(draw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(overdue timeline, the same timeline with a refill on time before as_of).

    The overdue ``as_of`` lies after the recommended refill date, computed here independently of the
    engine: alarm = fill time + (volume - low) x concentration / dose days; recommended = min(alarm day -
    margin, fill day + 180).
    """
    fill = draw(pump_fills())
    t0 = datetime(2026, 1, 1, 0, 0, tzinfo=UTC) + timedelta(
        days=draw(st.integers(0, 300)), minutes=draw(st.integers(0, 24 * 60 - 1))
    )
    days_to_alarm = (fill["volume_ml"] - LOW_ML) * fill["concentration_mcg_per_ml"] / fill["daily_dose_mcg"]
    alarm_day = (t0 + timedelta(days=days_to_alarm)).date()
    recommended = min(alarm_day - timedelta(days=MARGIN_DAYS), t0.date() + timedelta(days=STABILITY_DAYS))
    late_days = draw(st.integers(1, 90))
    as_of = datetime.combine(recommended + timedelta(days=late_days), datetime.min.time(), tzinfo=UTC) + timedelta(
        minutes=draw(st.integers(0, 24 * 60 - 1))
    )
    first = {"time": _iso(t0), **fill}
    overdue = {
        "schema": "baclofen-timeline/1",
        "as_of": _iso(as_of),
        "pump": {"model": "synchromed-ii-20", "refills": [first]},
    }
    refill_time = as_of - timedelta(hours=draw(st.integers(1, 48)))
    refill_time = max(refill_time, t0 + timedelta(hours=1))
    on_time = {
        "schema": "baclofen-timeline/1",
        "as_of": _iso(as_of),
        "pump": {"model": "synchromed-ii-20", "refills": [first, {"time": _iso(refill_time), **fill}]},
    }
    return overdue, on_time


@st.composite
def flex_pump_timelines_past_stability(draw: Any) -> dict[str, Any]:
    """A flex-programmed pump whose ``as_of`` is past the 180-day drug-stability limit of the last refill."""
    t0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 200)))
    day_rate = draw(st.floats(1.0, 8.0).map(lambda x: round(x, 2)))
    night_rate = draw(st.floats(1.0, 8.0).map(lambda x: round(x, 2)))
    as_of = t0 + timedelta(days=STABILITY_DAYS + draw(st.integers(1, 60)))
    return {
        "as_of": _iso(as_of),
        "pump": {
            "model": "synchromed-ii-40",
            "refills": [
                {
                    "time": _iso(t0),
                    "volume_ml": 40,
                    "concentration_mcg_per_ml": 2000,
                    "flex": f"06:00={day_rate},22:00={night_rate}",
                }
            ],
        },
    }
