"""With an observed over-delivery the "today" findings (PUMP-REFILL-001/002/003) and PUMP-FCST-004 use the
earlier, observed-rate dates, and say which rate each date comes from."""

from __future__ import annotations

from datetime import date, timedelta

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
#: Journey 4: 16.9 mL delivered where 15.1 mL were programmed.
FACTOR = 16.9 / 15.1
TODAY = ("PUMP-REFILL-001", "PUMP-REFILL-002", "PUMP-REFILL-003")
RANK = {Severity.INFO: 0, Severity.WARN: 1, Severity.BLOCK: 2}


def _fill():
    # 500 mcg/day at 500 mcg/mL = 1 mL/day: alarm (2 mL) 2026-03-20, empty 2026-03-22 at the programmed rate;
    # at x 1.1192 alarm 2026-03-18T01:59, empty 2026-03-19T20:52
    return ReservoirFill(SM20, 20, 500, continuous_program(500), date(2026, 3, 2))


def _today(forecast):
    return [f for f in forecast.findings if f.rule_id in TODAY]


def _stage(forecast) -> int:
    ids = {f.rule_id for f in forecast.findings}
    return max([0] + [i + 1 for i, rule in enumerate(TODAY) if rule in ids])


@pytest.mark.parametrize(
    ("as_of", "programmed", "observed"),
    [
        (date(2026, 3, 11), [], []),  # the recommended day itself (observed rate): not yet overdue
        (date(2026, 3, 12), [], ["PUMP-REFILL-001"]),  # after 2026-03-11 (observed) but before 2026-03-13
        (date(2026, 3, 17), ["PUMP-REFILL-001"], ["PUMP-REFILL-001"]),
        (date(2026, 3, 18), ["PUMP-REFILL-001"], ["PUMP-REFILL-002"]),  # observed alarm reached
        (date(2026, 3, 19), ["PUMP-REFILL-001"], ["PUMP-REFILL-003"]),  # observed empty
        (date(2026, 3, 20), ["PUMP-REFILL-002"], ["PUMP-REFILL-003"]),
        (date(2026, 3, 22), ["PUMP-REFILL-003"], ["PUMP-REFILL-003"]),
    ],
)
def test_today_findings_use_the_observed_rate_dates(as_of, programmed, observed) -> None:
    plain = forecast_reservoir(_fill(), as_of=as_of)
    f = forecast_reservoir(_fill(), as_of=as_of, observed_rate_factor=FACTOR)

    assert [x.rule_id for x in _today(plain)] == programmed
    assert [x.rule_id for x in _today(f)] == observed


def test_the_today_findings_say_which_rate_each_date_comes_from() -> None:
    low = _today(forecast_reservoir(_fill(), as_of=date(2026, 3, 18), observed_rate_factor=FACTOR))[0]
    empty = _today(forecast_reservoir(_fill(), as_of=date(2026, 3, 19), observed_rate_factor=FACTOR))[0]
    overdue = _today(forecast_reservoir(_fill(), as_of=date(2026, 3, 12), observed_rate_factor=FACTOR))[0]

    assert low.severity is Severity.WARN  # issue 9 item 10: one severity with RISK-RESERVOIR-001
    assert "2026-03-18 at the observed delivery rate" in low.message
    assert "2026-03-20 at the programmed rate" in low.message
    assert "2026-03-19 at the observed delivery rate" in low.message  # empty
    assert low.data["remaining_ml"] == pytest.approx(20 - 16 * FACTOR)  # at the observed rate
    assert low.data["remaining_ml_at_programmed_rate"] == pytest.approx(4.0)
    assert "2026-03-19 at the observed delivery rate" in empty.message
    assert "2026-03-22 at the programmed rate" in empty.message
    assert empty.data["empty_date"] == date(2026, 3, 19)
    assert "2026-03-18 at the observed delivery rate" in overdue.message


def test_without_an_observed_rate_the_dates_are_named_as_programmed() -> None:
    (low,) = _today(forecast_reservoir(_fill(), as_of=date(2026, 3, 20)))

    assert "2026-03-20 at the programmed rate" in low.message and "observed" not in low.message


def test_the_forecast_reports_the_observed_empty_date_and_volume_left() -> None:
    f = forecast_reservoir(_fill(), as_of=date(2026, 3, 12), observed_rate_factor=FACTOR)

    data = f.to_dict()
    assert data["empty_date_at_observed_rate"] == "2026-03-19"
    assert data["remaining_ml_at_as_of_at_observed_rate"] == pytest.approx(20 - 10 * FACTOR)
    assert any("empty (0 mL residual) at 2026-03-19" in line for line in f.reasoning)


@given(fills(), st.floats(min_value=1.0, max_value=5.0), st.floats(min_value=0.0, max_value=1.2))
def test_an_observed_over_delivery_never_makes_a_today_finding_less_severe(fill, factor, share) -> None:
    plain_empty = forecast_reservoir(fill).empty_at
    as_of = fill.filled_at + (plain_empty - fill.filled_at) * share + timedelta(days=1)

    plain = forecast_reservoir(fill, as_of=as_of)
    observed = forecast_reservoir(fill, as_of=as_of, observed_rate_factor=factor)

    assert _stage(observed) >= _stage(plain)
    worst = [RANK[f.severity] for f in _today(observed)] or [-1]
    for f in _today(plain):
        assert max(worst) >= RANK[f.severity]
    # and the stage follows the dates at the observed rate (not only the programmed ones)
    today = as_of.date()
    if today >= fill.time_when_remaining(fill.residual_ml, rate_factor=factor).date():
        assert _stage(observed) == 3
    elif today >= fill.time_when_remaining(observed.low_reservoir_ml, rate_factor=factor).date():
        assert _stage(observed) == 2


# --- PUMP-FCST-004 with an observed rate ----------------------------------------------------------------


def test_the_over_infusion_finding_compares_with_the_observed_rate_alarm() -> None:
    # 150 mcg/day = 0.3 mL/day: alarm day 60 (2026-03-02); x 1.05: day 57.1 (2026-02-27); x 1.145: 2026-02-22
    fill = ReservoirFill(SM20, 20, 500, continuous_program(150), date(2026, 1, 1))

    f = forecast_reservoir(fill, margin_days=2, observed_rate_factor=1.05)

    finding = next(x for x in f.findings if x.rule_id == "PUMP-FCST-004")
    assert f.recommended_refill_date == date(2026, 2, 25)
    assert "2026-02-27 at the observed delivery rate" in finding.reasoning
    assert "2026-03-02 at the programmed rate" in finding.reasoning
    assert finding.data["alarm_date"] == date(2026, 2, 27)


# --- the flow-accuracy setting can be overridden ----------------------------------------------------------


def test_the_flow_accuracy_setting_is_overridden_and_reported() -> None:
    fill = ReservoirFill(SM20, 20, 500, continuous_program(150), date(2026, 1, 1))

    f = forecast_reservoir(fill, settings={"pump.synchromed_ii.flow_accuracy_percent": 5})

    assert f.flow_accuracy_percent == 5.0
    assert f.early_alarm_at.date() == date(2026, 2, 27)  # 18 mL / 0.315 mL/day = 57.1 days
    used = next(s.to_dict() for s in f.settings_used if s.setting.name == "pump.synchromed_ii.flow_accuracy_percent")
    assert used["value"] == 5 and used["default"] == 14.5
    assert "PUMP-FCST-004" not in [x.rule_id for x in f.findings]  # 2026-02-27 after the 2026-02-22 refill


FLOW = "pump.synchromed_ii.flow_accuracy_percent"


@pytest.mark.parametrize(
    ("pump", "settings", "field"),
    [
        ("synchromed-ii-20", {FLOW: 51}, FLOW),
        ("synchromed-ii-20", {FLOW: float("nan")}, FLOW),
        ("synchromed-ii-20", {FLOW: -1}, FLOW),
        ("synchromed-ii-20", {"pump.refill_margin_days": 3}, "setting"),
        ("prometra-ii-20", {FLOW: 5}, "setting"),
    ],
)
def test_a_bad_setting_override_is_refused_naming_the_field(pump, settings, field) -> None:
    fill = ReservoirFill(get_pump(pump), 20, 500, continuous_program(150), date(2026, 1, 1))

    with pytest.raises(InvalidInputError) as err:
        forecast_reservoir(fill, settings=settings)
    assert err.value.field == field


# --- PUMP-REFILL-006: the observed-rate date before the target interval -------------------------------------


def _visit(target_days, factor_fill=20.0):
    rec = reconcile_refill(4.9, 3.1, pump=SM20)
    obs = observe_delivery(rec, factor_fill, date(2026, 2, 2), date(2026, 3, 2), pump=SM20)
    # 1 mL/day, fill 19 mL = 10 days + 7 margin + 2 mL threshold: at the programmed rate refill 2026-03-12
    fill = ReservoirFill(SM20, 19, 500, continuous_program(500), date(2026, 3, 2))
    forecast = forecast_reservoir(fill, observed_rate_factor=obs.rate_factor)
    return forecast, assess_next_refill(rec, obs, forecast, target_interval_days=target_days)


def test_the_nurse_is_told_when_the_observed_rate_refill_comes_before_the_target_interval() -> None:
    forecast, findings = _visit(10)

    finding = next(f for f in findings if f.rule_id == "PUMP-REFILL-006")
    assert forecast.programmed_refill_date == date(2026, 3, 12)
    assert forecast.recommended_refill_date == date(2026, 3, 10)
    assert finding.severity is Severity.INFO
    assert "2026-03-10" in finding.message and "2026-03-12" in finding.message
    assert "10-day target" in finding.message and "2 day(s) before" in finding.message
    assert {"S60", "S62"} <= set(finding.evidence) and finding.reasoning


@pytest.mark.parametrize("target", [None, 8])
def test_no_target_finding_without_a_target_or_when_the_refill_is_not_before_it(target) -> None:
    _, findings = _visit(target)  # 8 days: target 2026-03-10, the recommended day itself

    assert "PUMP-REFILL-006" not in [f.rule_id for f in findings]
