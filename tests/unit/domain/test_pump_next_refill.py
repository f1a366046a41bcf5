"""Next refill date after a shortfall (observed over-delivery) and the over-infusion alarm finding."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.itb.refill import assess_next_refill, observe_delivery, reconcile_refill
from baclofen.domain.itb.reservoir import ReservoirFill, forecast_reservoir
from baclofen.domain.rules import Severity
from tests.unit.domain.test_pump_reservoir import fills

SM20 = get_pump("synchromed-ii-20")


def _ids(findings):
    return [f.rule_id for f in findings]


def _journey_observation(previous_fill_ml=20.0, aspirated_ml=3.1):
    rec = reconcile_refill(4.9, aspirated_ml, pump=SM20)
    return observe_delivery(rec, previous_fill_ml, date(2026, 2, 2), date(2026, 3, 2), pump=SM20)


# --- observed delivery over the last interval -----------------------------------------------------------


def test_the_journey_shortfall_is_an_observed_over_delivery_with_its_arithmetic() -> None:
    obs = _journey_observation()

    assert obs.interval_days == pytest.approx(28)
    assert obs.programmed_ml == pytest.approx(15.1)  # 20 - 4.9
    assert obs.observed_ml == pytest.approx(16.9)  # 20 - 3.1
    assert obs.excess_ml == pytest.approx(1.8)
    assert obs.excess_percent == pytest.approx(11.92, abs=0.01)
    assert obs.over_delivery is True
    assert obs.rate_factor == pytest.approx(16.9 / 15.1)
    text = " ".join(obs.steps)
    assert "20 mL - expected residual 4.9 mL = 15.1 mL" in text and "20 mL - aspirated 3.1 mL = 16.9 mL" in text
    assert "28" in text
    data = obs.to_dict()
    assert data["rate_factor"] == pytest.approx(16.9 / 15.1) and data["over_delivery"] is True


@pytest.mark.parametrize(
    ("aspirated", "over", "faster"),
    [
        (4.45, False, True),  # -0.45 mL: within the mL tolerance, +3 % of the programmed delivery
        (4.3, True, True),  # -0.6 mL, -12.2 % of the expected residual: flagged PUMP-RECON-001
        (4.9, False, False),
        (6.0, False, False),  # more than expected: under-delivery, never a reason to lengthen or shorten
    ],
)
def test_over_delivery_is_flagged_beyond_a_tolerance_and_any_excess_sets_the_observed_rate(
    aspirated, over, faster
) -> None:
    """Issue 8 defect 1 changed this: any delivery above the programmed one forecasts the next refill at the
    observed rate (the refill always comes before the observed-rate alarm); only the flag needs a tolerance."""
    obs = _journey_observation(aspirated_ml=aspirated)

    assert obs.over_delivery is over
    assert (obs.rate_factor is not None) is faster
    assert obs.over_delivery == ("PUMP-RECON-001" in _ids(obs.reconciliation.findings))


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((4.0, date(2026, 2, 2), date(2026, 3, 2)), "previous_fill_ml"),  # below the expected residual
        ((4.9, date(2026, 2, 2), date(2026, 3, 2)), "previous_fill_ml"),  # the program delivered nothing
        ((21.0, date(2026, 2, 2), date(2026, 3, 2)), "previous_fill_ml"),  # above the reservoir
        ((float("nan"), date(2026, 2, 2), date(2026, 3, 2)), "previous_fill_ml"),
        ((20.0, date(2026, 3, 2), date(2026, 3, 2)), "previous_filled"),  # same day
        ((20.0, date(2026, 3, 3), date(2026, 3, 2)), "previous_filled"),  # after the refill
        ((20.0, "2026-02-02", date(2026, 3, 2)), "previous_filled"),
    ],
)
def test_an_impossible_previous_fill_is_refused_naming_the_field(args, field) -> None:
    rec = reconcile_refill(4.9, 3.1)

    with pytest.raises(InvalidInputError) as err:
        observe_delivery(rec, *args, pump=SM20)
    assert err.value.field == field


def test_the_interval_is_exact_across_29_february() -> None:
    rec = reconcile_refill(4.9, 3.1)

    obs = observe_delivery(rec, 20, datetime(2028, 2, 1, 12), date(2028, 3, 1))

    assert obs.interval_days == pytest.approx(28.5)


# --- the forecast at the observed rate ------------------------------------------------------------------


def _fill(dose=500.0, filled=date(2026, 3, 2)):
    return ReservoirFill(SM20, 20, 500, continuous_program(dose), filled)


def test_an_observed_over_delivery_brings_the_refill_date_forward_before_the_observed_alarm() -> None:
    fill = _fill(dose=100)  # 0.2 mL/day: 18 mL to the 2 mL alarm = 90 days at the programmed rate
    plain = forecast_reservoir(fill)

    f = forecast_reservoir(fill, observed_rate_factor=1.2)  # 0.24 mL/day: 75 days to the alarm

    assert plain.recommended_refill_date == date(2026, 5, 24)  # 2026-05-31 - 7
    assert f.programmed_refill_date == date(2026, 5, 24)
    assert f.observed_alarm_at.date() == date(2026, 5, 16)
    assert f.recommended_refill_date == date(2026, 5, 9)  # 2026-05-16 - 7
    assert f.low_reservoir_alarm_date == plain.low_reservoir_alarm_date  # the pump's own alarm is unchanged
    assert any("1.2" in line and "2026-05-16" in line for line in f.reasoning)
    data = f.to_dict()
    assert data["recommended_refill_date"] == "2026-05-09"
    assert data["refill_date_at_programmed_rate"] == "2026-05-24"
    assert data["observed_rate_factor"] == pytest.approx(1.2)
    assert data["low_reservoir_alarm_date_at_observed_rate"] == "2026-05-16"
    fcst = next(x for x in f.findings if x.rule_id == "PUMP-FCST-001")
    assert "2026-05-16" in fcst.message and "observed" in fcst.message


@pytest.mark.parametrize("factor", [0.9, float("inf"), float("nan"), "1.2"])
def test_an_observed_rate_factor_below_1_or_not_a_number_is_refused(factor) -> None:
    with pytest.raises(InvalidInputError) as err:
        forecast_reservoir(_fill(), observed_rate_factor=factor)
    assert err.value.field == "observed_rate_factor"


def test_a_fill_that_does_not_outlast_the_margin_at_the_observed_rate_is_a_warn() -> None:
    f = forecast_reservoir(_fill(dose=500), observed_rate_factor=3.0)  # 3 mL/day: alarm after 6 days

    assert f.recommended_refill_date == date(2026, 3, 3)  # the day after the fill, before the observed alarm
    warn = next(x for x in f.findings if x.rule_id == "PUMP-FCST-005")
    assert warn.severity is Severity.WARN
    assert "2026-03-08" in warn.message  # the alarm at the observed rate
    assert "PUMP-FCST-003" not in _ids(f.findings)


@pytest.mark.parametrize(("factor", "blocked"), [(18.0, True), (9.0, False)])
def test_a_fill_that_reaches_the_alarm_by_the_next_day_at_the_observed_rate_is_blocked(factor, blocked) -> None:
    """18 mL to the alarm at 1 mL/day: x18 reaches it at midnight after the fill day (no date before it), x9 after
    2 days (the day after the fill is before it)."""
    f = forecast_reservoir(_fill(dose=500), observed_rate_factor=factor)

    assert ("PUMP-FCST-003" in _ids(f.findings)) is blocked
    assert (f.recommended_refill_date is None) is blocked
    if blocked:
        block = next(x for x in f.findings if x.rule_id == "PUMP-FCST-003")
        assert block.severity is Severity.BLOCK and "2026-03-03" in block.message


@given(fills(), st.floats(min_value=1.0, max_value=5.0), st.integers(1, 30))
def test_an_observed_over_delivery_never_gives_a_later_refill_date_and_stays_before_both_alarms(
    fill, factor, margin
) -> None:
    plain = forecast_reservoir(fill, margin_days=margin)

    observed = forecast_reservoir(fill, margin_days=margin, observed_rate_factor=factor)

    if observed.recommended_refill_date is None:  # not possible at the observed rate: a block, no date
        assert "PUMP-FCST-003" in _ids(observed.findings)
    else:
        assert plain.recommended_refill_date is not None
        assert observed.recommended_refill_date <= plain.recommended_refill_date
        assert fill.filled_at.date() < observed.recommended_refill_date < observed.low_reservoir_alarm_date
        assert observed.recommended_refill_date < observed.observed_alarm_at.date()
    assert observed.observed_alarm_at <= observed.low_reservoir_alarm_at


# --- findings on the next refill date -------------------------------------------------------------------


def test_with_the_previous_fill_the_finding_shows_both_dates_and_the_arithmetic() -> None:
    obs = _journey_observation()
    f = forecast_reservoir(_fill(dose=100), observed_rate_factor=obs.rate_factor)

    findings = assess_next_refill(obs.reconciliation, obs, f)

    assert _ids(findings) == ["PUMP-REFILL-004"]
    finding = findings[0]
    assert f.recommended_refill_date.isoformat() in finding.message
    assert f.programmed_refill_date.isoformat() in finding.message
    assert "16.9 mL" in finding.reasoning and "15.1 mL" in finding.reasoning
    assert {"S60", "S62"} <= set(finding.evidence)


def test_without_the_previous_fill_the_finding_says_the_date_assumes_the_programmed_rate() -> None:
    rec = reconcile_refill(4.9, 3.1)
    f = forecast_reservoir(_fill(dose=100))

    findings = assess_next_refill(rec, None, f)

    assert _ids(findings) == ["PUMP-REFILL-005"]
    finding = findings[0]
    assert finding.severity is Severity.WARN
    assert "assumes the programmed rate" in finding.message
    assert "cannot account for the suspected over-infusion" in finding.message
    assert f.recommended_refill_date.isoformat() in finding.message


@pytest.mark.parametrize("aspirated", [4.9, 4.5, 6.0])
def test_no_next_refill_finding_when_nothing_was_flagged_short(aspirated) -> None:
    rec = reconcile_refill(4.9, aspirated)

    assert assess_next_refill(rec, None, forecast_reservoir(_fill())) == ()


# --- the over-infusion alarm on or before the refill date (PUMP-FCST-004) -------------------------------


@pytest.mark.parametrize(
    ("margin", "fires"),
    [
        (7, True),  # alarm at +14.5 %: day 52 after the fill; refill day 53
        (8, True),  # refill day 52: on the same day
        (9, False),  # refill day 51: before it
    ],
)
def test_the_over_infusion_alarm_on_or_before_the_refill_date_is_an_unconfirmed_info_finding(margin, fires) -> None:
    # 150 mcg/day at 500 mcg/mL = 0.3 mL/day: 18 mL to the 2 mL alarm = 60 days; at +14.5 % 52.4 days
    fill = ReservoirFill(SM20, 20, 500, continuous_program(150), date(2026, 1, 1))

    f = forecast_reservoir(fill, margin_days=margin)

    assert f.early_alarm_at.date() == date(2026, 2, 22)  # day 52
    found = [x for x in f.findings if x.rule_id == "PUMP-FCST-004"]
    assert bool(found) is fires
    if fires:
        finding = found[0]
        assert finding.severity is Severity.INFO
        assert "2026-02-22" in finding.message and f.recommended_refill_date.isoformat() in finding.message
        assert "14.5 %" in finding.message and "UNCONFIRMED" in finding.message
        assert "0.3435 mL/day" in finding.reasoning  # 0.3 x 1.145
        assert "+1" in finding.reasoning and "2.5 %" in finding.reasoning and "S62" in finding.evidence


def test_prometra_has_no_flow_accuracy_spec_so_no_over_infusion_finding() -> None:
    fill = ReservoirFill(get_pump("prometra-ii-20"), 20, 500, continuous_program(50), date(2026, 1, 1))

    assert "PUMP-FCST-004" not in _ids(forecast_reservoir(fill).findings)


def test_the_refill_reminder_days_are_named_assumed_settings_a_clinic_may_change() -> None:
    from baclofen.domain.itb.reservoir import (
        REFILL_MARGIN_DAYS,
        REFILL_REMINDER_EARLY_DAYS,
        REFILL_REMINDER_LATE_DAYS,
        REFILL_REMINDER_SETTINGS,
        refill_reminder_days,
    )
    from baclofen.domain.settings import SETTINGS, EvidenceStatus

    for setting in REFILL_REMINDER_SETTINGS:
        assert SETTINGS[setting.name] is setting and setting.status is EvidenceStatus.ASSUMPTION
        assert REFILL_MARGIN_DAYS.name in setting.description and "booking" in setting.description
    assert refill_reminder_days() == (7, 1)
    assert refill_reminder_days({REFILL_REMINDER_EARLY_DAYS.name: 14}) == (14, 1)
    assert refill_reminder_days({REFILL_REMINDER_LATE_DAYS.name: 7}) == (7,)  # one reminder, not two alike
