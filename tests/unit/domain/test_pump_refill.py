"""Refill visits: expected vs aspirated residual, tolerance boundaries, trend across visits, refill volume."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.itb.refill import (
    assess_discrepancy_trend,
    expected_residual_ml,
    plan_refill_volume,
    reconcile_refill,
)
from baclofen.domain.itb.reservoir import ReservoirFill
from baclofen.domain.rules import Severity
from baclofen.domain.settings import SETTINGS


def _ids(findings):
    return [f.rule_id for f in findings]


def test_the_journey_visit_flags_possible_over_infusion_with_what_to_check() -> None:
    r = reconcile_refill(4.9, 3.1)

    assert r.discrepancy_ml == pytest.approx(-1.8)
    assert r.discrepancy_percent == pytest.approx(-36.73, abs=0.01)
    finding = r.findings[0]
    assert finding.rule_id == "PUMP-RECON-001" and finding.severity is Severity.WARN
    assert "over-infusion" in finding.message
    assert "respiratory depression" in finding.signs
    assert "programmer log" in finding.action
    assert finding.data["requires_acknowledgement"] is True
    assert {"S60", "S61", "S62"} <= set(finding.evidence)


@pytest.mark.parametrize(
    ("expected", "aspirated", "rule"),
    [
        (10.0, 9.0, "PUMP-RECON-003"),  # -1.0 mL = -10 %: at the percent tolerance, not beyond
        (10.0, 8.99, "PUMP-RECON-001"),  # -10.1 %
        (10.0, 11.0, "PUMP-RECON-003"),  # +10 %
        (10.0, 11.01, "PUMP-RECON-002"),  # +10.1 %
        (4.0, 3.5, "PUMP-RECON-003"),  # -0.5 mL = -12.5 %: at the mL tolerance, not beyond
        (4.0, 3.49, "PUMP-RECON-001"),  # -0.51 mL, -12.75 %
        (4.0, 4.51, "PUMP-RECON-002"),
        (0.0, 0.4, "PUMP-RECON-003"),  # nothing expected, 0.4 mL left: within the 0.5 mL tolerance, not empty
        (0.0, 0.6, "PUMP-RECON-002"),
        (5.0, 5.0, "PUMP-RECON-003"),
    ],
)
def test_a_discrepancy_is_flagged_only_beyond_both_tolerances(expected, aspirated, rule) -> None:
    assert _ids(reconcile_refill(expected, aspirated).findings) == [rule]


def test_more_than_expected_points_at_under_delivery_catheter_or_pocket_with_withdrawal_signs() -> None:
    finding = reconcile_refill(3.0, 5.0).findings[0]

    assert finding.rule_id == "PUMP-RECON-002"
    assert "pocket" in finding.message and "catheter" in finding.message
    assert "pruritus without rash" in finding.signs
    assert "S71" in finding.evidence


def test_the_tolerances_are_settings_a_clinic_may_change() -> None:
    assert _ids(reconcile_refill(10, 9.5, tolerance_percent=2, tolerance_ml=0.1).findings) == ["PUMP-RECON-001"]
    assert SETTINGS["pump.reconcile.tolerance_percent"].status.value == "unconfirmed"
    data = reconcile_refill(10, 9.5, tolerance_percent=2).to_dict()
    assert data["settings"][0]["value"] == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"expected_ml": -0.1}, "expected_ml"),
        ({"aspirated_ml": 401}, "aspirated_ml"),  # issue 8 d11: 40-400 mL is a finding (PUMP-RECON-008)
        ({"tolerance_percent": -1}, "pump.reconcile.tolerance_percent"),
        ({"tolerance_ml": 11}, "pump.reconcile.tolerance_ml"),
    ],
)
def test_bad_reconcile_input_names_the_field(kwargs, field) -> None:
    values = {"expected_ml": 5.0, "aspirated_ml": 5.0} | kwargs
    expected, aspirated = values.pop("expected_ml"), values.pop("aspirated_ml")

    with pytest.raises(InvalidInputError) as err:
        reconcile_refill(expected, aspirated, **values)
    assert err.value.field == field


def test_a_pump_bounds_the_volumes_by_its_reservoir() -> None:
    with pytest.raises(InvalidInputError):
        reconcile_refill(21, 20, pump=get_pump("synchromed-ii-20"))


@pytest.mark.parametrize(
    ("aspirated", "expected_rules"),
    [
        ((4.8, 4.7, 4.75), ["PUMP-RECON-004"]),  # three small shortfalls in a row
        ((4.8, 5.0, 4.75), []),  # interrupted
        ((5.0, 4.8, 4.75), []),  # only two
        ((5.2, 5.3, 5.1), ["PUMP-RECON-005"]),
        ((4.8, 4.7, 4.75, 4.9), ["PUMP-RECON-004"]),  # four in a row
    ],
)
def test_the_trend_across_visits_catches_repeated_shortfalls_within_tolerance(aspirated, expected_rules) -> None:
    visits = [reconcile_refill(5.0, a) for a in aspirated]

    trend = assess_discrepancy_trend(visits)

    assert _ids(trend.findings) == expected_rules
    assert all(not v.flagged for v in visits)


def test_trend_statistics_are_computed() -> None:
    trend = assess_discrepancy_trend([reconcile_refill(5, a) for a in (4.9, 4.8, 4.7)])

    assert trend.consecutive_less == 3
    assert trend.cumulative_discrepancy_ml == pytest.approx(-0.6)
    assert trend.mean_discrepancy_percent == pytest.approx(-4.0)
    assert trend.slope_percent_per_visit == pytest.approx(-2.0)
    assert trend.to_dict()["settings"][0]["name"] == "pump.reconcile.trend_visits"


def test_the_trend_length_is_a_setting() -> None:
    visits = [reconcile_refill(5, a) for a in (4.8, 4.7)]

    assert _ids(assess_discrepancy_trend(visits, trend_visits=2).findings) == ["PUMP-RECON-004"]
    with pytest.raises(InvalidInputError):
        assess_discrepancy_trend(visits, trend_visits=1)


@given(st.lists(st.tuples(st.floats(0, 40), st.floats(0, 40)), max_size=8))
def test_run_lengths_count_the_latest_same_direction_visits(pairs) -> None:
    visits = [reconcile_refill(e, a) for e, a in pairs]

    trend = assess_discrepancy_trend(visits)

    assert trend.consecutive_less == 0 or trend.consecutive_more == 0
    n = max(trend.consecutive_less, trend.consecutive_more)
    assert all(v.direction == visits[-1].direction for v in visits[len(visits) - n :]) if n else True


def test_the_expected_residual_comes_from_the_fill_and_program() -> None:
    fill = ReservoirFill(get_pump("synchromed-ii-20"), 20, 500, continuous_program(450), datetime(2026, 1, 1, 10))

    assert expected_residual_ml(fill, datetime(2026, 1, 16, 10)) == pytest.approx(20 - 15 * 0.9)
    assert expected_residual_ml(fill, date(2026, 3, 1)) == 0.0


@pytest.mark.parametrize(
    ("pump", "daily_ml", "days", "fill", "capped"),
    [
        ("synchromed-ii-40", 0.5, 60, 35.5, False),  # 0.5 x (60 + 7) + 2
        ("synchromed-ii-20", 0.5, 60, 20.0, True),
        ("synchromed-ii-20", 0.5, None, 20.0, False),
        ("prometra-ii-20", 1.0, 10, 20.0, False),  # 1 x 17 + 3 = 20: exactly the capacity
        ("prometra-ii-20", 1.0, 11, 20.0, True),
    ],
)
def test_refill_volume_covers_the_interval_plus_margin_above_the_threshold_and_never_exceeds_capacity(
    pump, daily_ml, days, fill, capped
) -> None:
    plan = plan_refill_volume(get_pump(pump), daily_ml, 500, target_interval_days=days)

    assert plan.fill_ml == pytest.approx(fill)
    assert ("PUMP-FILL-001" in _ids(plan.findings)) is capped
    assert plan.drug_mcg == pytest.approx(fill * 500)
    assert any("aspirate" in s for s in plan.steps)


@pytest.mark.parametrize("days", [0, 181, 2.5])
def test_the_target_interval_is_a_whole_number_of_days_within_the_stability_limit(days) -> None:
    with pytest.raises(InvalidInputError):
        plan_refill_volume(get_pump("synchromed-ii-20"), 0.5, 500, target_interval_days=days)


@given(
    st.floats(0.01, 5),
    st.integers(1, 180),
    st.sampled_from(["synchromed-ii-20", "synchromed-ii-40", "prometra-ii-20", "prometra-ii-40"]),
)
def test_a_refill_volume_never_exceeds_the_reservoir(daily_ml, days, pump) -> None:
    model = get_pump(pump)

    plan = plan_refill_volume(model, daily_ml, 1000, target_interval_days=days)

    assert model.low_reservoir_ml < plan.fill_ml <= model.reservoir_ml
