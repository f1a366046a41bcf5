"""Services: the flow-accuracy setting override and the target-interval finding of a refill visit."""

from __future__ import annotations

from datetime import date

import pytest

from baclofen.adapters.edge.pump import forecast_pump_command
from baclofen.domain.errors import InvalidInputError
from baclofen.services.itb import forecast_pump
from tests.pump_visits import refill_visit_from_options

FILL = {"volume_ml": 20, "concentration_mcg_per_ml": 500, "daily_dose_mcg": 150, "filled": "2026-01-01"}
VISIT = {
    "concentration_mcg_per_ml": 500,
    "refilled": "2026-03-02",
    "daily_dose_mcg": 500,
    "expected_ml": 4.9,
    "aspirated_ml": 3.1,
}


@pytest.mark.parametrize(
    "settings", [{"pump.synchromed_ii.flow_accuracy_percent": 5.0}, ["pump.synchromed_ii.flow_accuracy_percent=5"]]
)
def test_forecast_pump_takes_the_flow_accuracy_override(settings) -> None:
    f = forecast_pump(forecast_pump_command(pump="synchromed-ii-20", **FILL, settings=settings))

    assert f.flow_accuracy_percent == 5.0
    assert f.to_dict()["low_reservoir_alarm_date_if_over_infusing"] == "2026-02-27"


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        (["pump.synchromed_ii.flow_accuracy_percent=60"], "pump.synchromed_ii.flow_accuracy_percent"),
        (["pump.synchromed_ii.flow_accuracy_percent=abc"], "pump.synchromed_ii.flow_accuracy_percent"),
        (["no-equals-sign"], "setting"),
        (["pump.unknown=1"], "setting"),
    ],
)
def test_a_bad_override_is_refused_naming_the_field(settings, field) -> None:
    with pytest.raises(InvalidInputError) as err:
        forecast_pump(forecast_pump_command(pump="synchromed-ii-20", **FILL, settings=settings))
    assert err.value.field == field


def test_a_refill_visit_passes_the_override_to_its_forecast() -> None:
    visit = refill_visit_from_options(
        "synchromed-ii-20", **VISIT, settings={"pump.synchromed_ii.flow_accuracy_percent": 3}
    )

    assert visit.forecast.flow_accuracy_percent == 3.0
    used = {s["name"]: s["value"] for s in visit.to_dict()["forecast"]["settings"]}
    assert used["pump.synchromed_ii.flow_accuracy_percent"] == 3


def test_a_refill_visit_with_a_target_and_an_observed_over_delivery_tells_the_nurse() -> None:
    visit = refill_visit_from_options(
        "synchromed-ii-20",
        **VISIT,
        previous_fill_ml=20,
        previous_filled="2026-02-02",
        target_interval_days=10,
    )

    assert visit.refill.fill_ml == pytest.approx(19.0)  # 1 mL/day x (10 + 7) + 2 mL
    assert visit.forecast.recommended_refill_date == date(2026, 3, 10)
    finding = next(f for f in visit.findings if f.rule_id == "PUMP-REFILL-006")
    assert "2026-03-10" in finding.message and "2026-03-12" in finding.message


def test_a_refill_visit_with_a_target_and_no_over_delivery_has_no_target_finding() -> None:
    visit = refill_visit_from_options(
        "synchromed-ii-20",
        **(VISIT | {"aspirated_ml": 4.9}),
        previous_fill_ml=20,
        previous_filled="2026-02-02",
        target_interval_days=10,
    )

    assert visit.forecast.recommended_refill_date == date(2026, 3, 12)
    assert "PUMP-REFILL-006" not in [f.rule_id for f in visit.findings]
