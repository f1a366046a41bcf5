"""Risk engine: a planned oral stop in the future (RISK-ORAL-PLANNED-STOP-001).

An oral prescription that ends after ``as_of`` with nothing after it is a planned abrupt stop; the engine
used to look only at the past and reported no risk until the patient was already in withdrawal.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen.domain.cds.risk import RiskLevel, assess_risk
from baclofen.domain.cds.timeline import timeline_from_dict
from baclofen.domain.oral.limits import TAPER_MAX_STEP_MG_PER_DAY, TAPER_MIN_DAYS_TO_ZERO

RULE = "RISK-ORAL-PLANNED-STOP-001"
AS_OF = "2026-03-10T09:00:00+00:00"
TODAY = date(2026, 3, 10)


def _doc(prescriptions: list[tuple[str, str | None, float]], as_of: str = AS_OF) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "oral": {"prescriptions": [{"start": s, "end": e, "daily_dose_mg": d} for s, e, d in prescriptions]},
    }


def _planned(prescriptions: list[tuple[str, str | None, float]], **kw: Any) -> list[Any]:
    a = assess_risk(timeline_from_dict(_doc(prescriptions)), **kw)
    return [r for r in a.risks if r.finding.rule_id == RULE]


def test_a_prescription_ending_in_the_future_with_nothing_after_is_a_high_planned_stop() -> None:
    (risk,) = _planned([("2025-01-01", "2026-03-20", 60)])

    f = risk.finding
    assert risk.level is RiskLevel.HIGH and risk.alert_clinic
    assert f.data["stop_date"] == date(2026, 3, 21)
    assert f.data["last_dose_mg_per_day"] == 60
    assert f.data["taper_days"] == 0
    assert "2026-03-21" in f.message and "60" in f.message
    assert {"S4", "S14", "S24"} <= set(f.to_dict()["evidence_keys"])
    assert "seizures" in f.signs and "hallucinations" in f.signs
    assert "baclofen plan taper" in f.action
    assert TAPER_MAX_STEP_MG_PER_DAY.name in f.reasoning and TAPER_MIN_DAYS_TO_ZERO.name in f.reasoning


@pytest.mark.parametrize(
    ("prescriptions", "level"),
    [
        # ends today: the stop (tomorrow) is still in the future
        ([("2025-01-01", "2026-03-10", 60)], RiskLevel.HIGH),
        # ended yesterday: the stop is today, the past-stop rule (RISK-ORAL-STOP-001) covers it, not this one
        ([("2025-01-01", "2026-03-09", 60)], None),
        # ongoing: no stop planned
        ([("2025-01-01", None, 60)], None),
        # last dose 10 mg/day = the step setting, but the reduction starts only 13 days before the stop: too short
        (
            [("2025-01-01", "2026-03-07", 30), ("2026-03-08", "2026-03-14", 20), ("2026-03-15", "2026-03-20", 10)],
            RiskLevel.HIGH,
        ),
        # the same with 14 days of reduction: a compliant taper, not flagged
        ([("2025-01-01", "2026-03-06", 30), ("2026-03-07", "2026-03-13", 20), ("2026-03-14", "2026-03-20", 10)], None),
        # last dose 10.5 mg/day (> 10 mg/day step) after a 14-day reduction: high
        (
            [("2025-01-01", "2026-03-06", 30), ("2026-03-07", "2026-03-13", 20), ("2026-03-14", "2026-03-20", 10.5)],
            RiskLevel.HIGH,
        ),
        # 14 days, last dose within the step, but one planned step of 20 mg/day: moderate
        (
            [("2025-01-01", "2026-03-12", 40), ("2026-03-13", "2026-03-19", 20), ("2026-03-20", "2026-03-26", 10)],
            RiskLevel.MODERATE,
        ),
        # the same 20 mg/day step already taken (within the look-back): RISK-ORAL-STEP-001's, not this rule's
        ([("2025-01-01", "2026-03-06", 40), ("2026-03-07", "2026-03-13", 20), ("2026-03-14", "2026-03-20", 10)], None),
        # a low dose (5 mg/day) stopped with no reduction at all: still shorter than the minimum taper
        ([("2025-01-01", "2026-03-20", 5)], RiskLevel.HIGH),
        # a taper planned entirely in the future (prescriptions starting after as_of) that complies
        ([("2025-01-01", "2026-03-12", 30), ("2026-03-13", "2026-03-19", 20), ("2026-03-20", "2026-03-26", 10)], None),
        # a planned gap (interruption) between two prescriptions is a stop too
        ([("2025-01-01", "2026-03-15", 40), ("2026-03-20", None, 40)], RiskLevel.HIGH),
        # a planned 0 mg/day prescription is a stop
        ([("2025-01-01", "2026-03-15", 40), ("2026-03-16", None, 0)], RiskLevel.HIGH),
        # a dose increase after the end is no stop
        ([("2025-01-01", "2026-03-15", 20), ("2026-03-16", None, 40)], None),
    ],
)
def test_planned_stop_levels_on_both_sides(prescriptions: list[Any], level: RiskLevel | None) -> None:
    found = _planned(prescriptions)

    assert [r.level for r in found] == ([] if level is None else [level])


def test_the_taper_settings_move_the_boundaries() -> None:
    steps = [("2025-01-01", "2026-03-06", 30), ("2026-03-07", "2026-03-13", 20), ("2026-03-14", "2026-03-20", 10)]

    assert _planned(steps) == []
    assert [r.level for r in _planned(steps, settings={"taper.min_days_to_zero": 21})] == [RiskLevel.HIGH]
    assert [r.level for r in _planned(steps, settings={"taper.max_step_mg_per_day": 5})] == [RiskLevel.HIGH]


def test_an_end_date_at_the_end_of_the_calendar_is_not_a_stop() -> None:
    assert _planned([("2025-01-01", "9999-12-31", 60)]) == []


def test_a_stop_on_a_leap_day_is_dated_29_february() -> None:
    doc = _doc([("2027-01-01", "2028-02-28", 60)], as_of="2028-02-20T09:00:00+00:00")

    (risk,) = [r for r in assess_risk(timeline_from_dict(doc)).risks if r.finding.rule_id == RULE]

    assert risk.finding.data["stop_date"] == date(2028, 2, 29)
    assert risk.finding.data["days_until_stop"] == 9


# --- property ----------------------------------------------------------------------------------------------------
@st.composite
def _future_stop(draw: Any) -> tuple[list[tuple[str, str | None, float]], list[tuple[str, str | None, float]]]:
    """A prescription ending in the future at a dose above the step setting, and the same followed by a taper."""
    max_step = float(TAPER_MAX_STEP_MG_PER_DAY.default)
    min_days = int(TAPER_MIN_DAYS_TO_ZERO.default)
    dose = draw(st.integers(min_value=int(max_step) + 1, max_value=120).map(float))
    started = TODAY - timedelta(days=draw(st.integers(min_value=1, max_value=800)))
    end = TODAY + timedelta(days=draw(st.integers(min_value=0, max_value=60)))
    history: list[tuple[str, str | None, float]] = []
    if draw(st.booleans()):  # an earlier, higher dose before
        earlier = started - timedelta(days=draw(st.integers(min_value=1, max_value=100)))
        history.append(
            (
                earlier.isoformat(),
                (started - timedelta(days=1)).isoformat(),
                dose + draw(st.integers(min_value=0, max_value=40)),
            )
        )
    stop_only = [*history, (started.isoformat(), end.isoformat(), dose)]
    # compliant taper: steps of at most max_step, each lasting `interval` days, at least min_days in total
    step = draw(st.integers(min_value=1, max_value=int(max_step)).map(float))
    levels: list[float] = []
    d = dose
    while d > step:
        d -= step
        levels.append(d)
    if levels and levels[-1] > max_step:  # pragma: no cover - cannot happen: the last level is <= step
        levels.append(max_step)
    interval = max(1, -(-min_days // max(1, len(levels)))) + draw(st.integers(min_value=0, max_value=5))
    taper: list[tuple[str, str | None, float]] = []
    day = end + timedelta(days=1)
    for level in levels:
        last = day + timedelta(days=interval - 1)
        taper.append((day.isoformat(), last.isoformat(), level))
        day = last + timedelta(days=1)
    return stop_only, stop_only + taper


@settings(max_examples=80, deadline=None)
@given(_future_stop())
def test_a_future_stop_above_the_step_is_always_flagged_and_the_same_followed_by_a_compliant_taper_is_not(
    pair: Any,
) -> None:
    stop_only, tapered = pair

    flagged = _planned(stop_only)
    assert flagged and flagged[0].level is RiskLevel.HIGH
    assert _planned(tapered) == []
