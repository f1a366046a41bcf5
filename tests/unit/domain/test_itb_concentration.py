"""Concentration change: same daily dose, bridge arithmetic, Prometra catheter volume, warnings with signs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.concentration import plan_concentration_change, prometra_catheter_volume_ml
from baclofen.domain.itb.programs import parse_flex_schedule


def _by_id(change):
    return {f.rule_id: f for f in change.findings}


def test_the_journey_change_500_to_2000_keeps_900_mcg_a_day_and_shows_the_bridge() -> None:
    c = plan_concentration_change(
        "synchromed-ii-40", 900, 500, 2000, catheter_volume_ml=0.2, pump_internal_volume_ml=0.05
    )

    assert c.old_ml_per_day == pytest.approx(1.8)
    assert c.new_ml_per_day == pytest.approx(0.45)
    assert c.new_program.daily_dose_mcg == pytest.approx(900)
    assert c.dead_volume_ml == pytest.approx(0.25)
    assert c.bridge_drug_mcg == pytest.approx(125)
    assert c.bridge_hours == pytest.approx(0.25 / 1.8 * 24)
    assert c.clearing_hours_without_bridge == pytest.approx(0.25 / 0.45 * 24)
    assert c.dose_while_clearing_without_bridge_mcg_per_day == pytest.approx(225)
    assert any("900 mcg/day / 2000 mcg/mL = 0.4500 mL/day" in s for s in c.steps)
    assert any(s.startswith("bridge: 0.25 mL x 500 mcg/mL = 125.0 mcg") for s in c.steps)


def test_going_up_in_concentration_warns_of_a_silent_jump_and_underdosing_while_clearing() -> None:
    found = _by_id(plan_concentration_change("synchromed-ii-20", 900, 500, 2000, catheter_volume_ml=0.2))

    jump = found["ITB-CONC-001"]
    assert jump.data["dose_if_not_reprogrammed_mcg_per_day"] == pytest.approx(3600)
    assert "respiratory depression" in jump.signs  # overdose if the rate is not changed
    assert "pruritus without rash" in found["ITB-CONC-005"].signs  # withdrawal while the old drug clears
    assert "ITB-CONC-002" in found  # priming bolus warning (S64)
    assert "S64" in found["ITB-CONC-002"].evidence
    assert "ITB-CONC-003" in found  # pump tubing volume missing


def test_going_down_in_concentration_warns_of_overdosing_while_clearing() -> None:
    found = _by_id(
        plan_concentration_change(
            "synchromed-ii-20", 300, 2000, 500, catheter_volume_ml=0.2, pump_internal_volume_ml=0.1
        )
    )

    assert "respiratory depression" in found["ITB-CONC-005"].signs
    assert found["ITB-CONC-005"].data["dose_while_clearing_without_bridge_mcg_per_day"] == pytest.approx(1200)
    assert "ITB-CONC-003" not in found


@pytest.mark.parametrize(("trimmed", "volume"), [(0, 0.286), (10, 0.26), (60, 0.13), (109, 0.0026)])
def test_prometra_catheter_volume_is_110_minus_trimmed_cm_times_0_0026(trimmed, volume) -> None:
    assert prometra_catheter_volume_ml(trimmed) == pytest.approx(volume)


@pytest.mark.parametrize("trimmed", [-1, 109.5, 110])
def test_a_prometra_trim_beyond_the_catheter_is_refused(trimmed) -> None:
    with pytest.raises(InvalidInputError) as err:
        prometra_catheter_volume_ml(trimmed)
    assert err.value.field == "catheter_trimmed_cm"


def test_prometra_defaults_to_the_untrimmed_catheter_and_labels_its_source() -> None:
    c = plan_concentration_change("prometra-ii-20", 600, 500, 1000)

    assert c.catheter_volume_ml == pytest.approx(0.286)
    assert "PrometraIFU" in c.steps[0]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"pump": "synchromed-ii-20"}, "catheter_volume_ml"),
        ({"pump": "synchromed-ii-20", "catheter_trimmed_cm": 10}, "catheter_trimmed_cm"),
        ({"catheter_trimmed_cm": 10, "catheter_volume_ml": 0.2}, "catheter_volume_ml"),
        ({"new": 500}, "new_mcg_per_ml"),
        ({"new": 0}, "new_mcg_per_ml"),
        ({"catheter_volume_ml": 6}, "catheter_volume_ml"),
        ({"pump_internal_volume_ml": -0.1, "catheter_volume_ml": 0.2}, "pump_internal_volume_ml"),
        ({"daily": 0}, "daily_dose_mcg"),
    ],
)
def test_bad_concentration_change_input_names_the_field(kwargs, field) -> None:
    pump = kwargs.pop("pump", "prometra-ii-20")
    daily, new = kwargs.pop("daily", 600), kwargs.pop("new", 1000)

    with pytest.raises(InvalidInputError) as err:
        plan_concentration_change(pump, daily, 500, new, **kwargs)
    assert err.value.field == field


def test_a_concentration_outside_the_prometra_labelling_warns() -> None:
    c = plan_concentration_change("prometra-ii-20", 100, 500, 250)

    assert _by_id(c)["ITB-CONC-004"].severity.value == "warn"


def test_a_flex_shape_is_kept_for_the_same_daily_dose() -> None:
    shape = parse_flex_schedule("06:00=20,22:00=10")

    c = plan_concentration_change("prometra-ii-20", 400, 500, 1000, program_shape=shape)

    assert c.new_program.daily_dose_mcg == pytest.approx(400)
    assert c.to_dict()["new_program"]["daily_volume_ml"] == pytest.approx(0.4)


@given(
    st.floats(10, 2000),
    st.sampled_from([50.0, 500.0, 1000.0, 2000.0]),
    st.sampled_from([50.0, 500.0, 1000.0, 2000.0]),
    st.floats(0.01, 1.0),
)
def test_the_new_program_always_keeps_the_daily_dose_and_the_bridge_keeps_it_too(dose, old, new, catheter) -> None:
    if old == new:
        return
    c = plan_concentration_change(
        "synchromed-ii-20", dose, old, new, catheter_volume_ml=catheter, pump_internal_volume_ml=0.0
    )

    assert c.new_ml_per_day * c.new_mcg_per_ml == pytest.approx(dose)
    # during the bridge the old solution runs at the old rate: dose per day unchanged
    assert c.bridge_drug_mcg / (c.bridge_hours / 24) == pytest.approx(dose)
    assert c.dose_while_clearing_without_bridge_mcg_per_day / dose == pytest.approx(old / new)


@pytest.mark.parametrize(("dose", "blocked"), [(2003.0, False), (2500.0, True)])
def test_a_concentration_change_never_hides_a_dose_above_the_highest_reported(dose, blocked) -> None:
    change = plan_concentration_change("prometra-ii-20", dose, 500, 2000)

    assert ("ITB-DOSE-002" in _by_id(change)) is blocked
    assert "ITB-DOSE-001" in _by_id(change)  # above 1000 mcg/day: needs confirmation
