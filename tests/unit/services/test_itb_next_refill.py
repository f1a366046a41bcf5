"""Refill visit after a shortfall: the next refill date at the observed delivery rate (journey 4)."""

from __future__ import annotations

from datetime import date

import pytest

from baclofen.domain.errors import InvalidInputError
from tests.pump_visits import refill_visit_from_options

VISIT = {
    "concentration_mcg_per_ml": 500,
    "refilled": "2026-03-02",
    "daily_dose_mcg": 500,
    "expected_ml": 4.9,
    "aspirated_ml": 3.1,
}


def _ids(visit):
    return [f.rule_id for f in visit.findings]


def test_journey_4_with_the_previous_fill_brings_the_next_refill_forward() -> None:
    plain = refill_visit_from_options("synchromed-ii-20", **VISIT)

    visit = refill_visit_from_options("synchromed-ii-20", **VISIT, previous_fill_ml=20, previous_filled="2026-02-02")

    assert plain.forecast.recommended_refill_date == date(2026, 3, 13)
    assert visit.forecast.recommended_refill_date == date(2026, 3, 11)  # 18 mL / 1.1192 mL/day = 16.1 d - 7
    data = visit.to_dict()
    assert data["next_refill_date"] == "2026-03-11"
    assert data["next_refill_date_at_programmed_rate"] == "2026-03-13"
    assert data["low_reservoir_alarm_date_at_observed_rate"] == "2026-03-18"
    assert data["observed_delivery"]["rate_factor"] == pytest.approx(16.9 / 15.1)
    assert "PUMP-REFILL-004" in _ids(visit) and "PUMP-REFILL-005" not in _ids(visit)
    assert "PUMP-RECON-001" in _ids(visit)  # the shortfall is still there to acknowledge


def test_journey_4_without_the_previous_fill_says_the_date_assumes_the_programmed_rate() -> None:
    visit = refill_visit_from_options("synchromed-ii-20", **VISIT)

    finding = next(f for f in visit.findings if f.rule_id == "PUMP-REFILL-005")
    assert "assumes the programmed rate" in finding.message
    assert "2026-03-13" in finding.message
    assert visit.to_dict()["observed_delivery"] is None


def test_a_shortfall_within_tolerance_is_not_flagged_but_the_date_follows_the_observed_rate() -> None:
    """Issue 8 defect 1 changed this: the date was kept at the programmed rate (2026-03-13) although the pump
    delivered 2 % more; now the next refill always comes before the alarm at the observed rate."""
    visit = refill_visit_from_options(
        "synchromed-ii-20", **(VISIT | {"aspirated_ml": 4.6}), previous_fill_ml=20, previous_filled="2026-02-02"
    )

    assert visit.observed is not None and visit.observed.over_delivery is False
    assert visit.forecast.recommended_refill_date <= date(2026, 3, 13)
    assert visit.forecast.recommended_refill_date < visit.forecast.observed_alarm_at.date()
    assert not {"PUMP-RECON-001", "PUMP-RECON-006", "PUMP-REFILL-005"} & set(_ids(visit))


def test_no_shortfall_keeps_the_programmed_date() -> None:
    visit = refill_visit_from_options(
        "synchromed-ii-20", **(VISIT | {"aspirated_ml": 4.9}), previous_fill_ml=20, previous_filled="2026-02-02"
    )

    assert visit.forecast.recommended_refill_date == date(2026, 3, 13)
    assert visit.observed is not None and visit.observed.rate_factor is None
    assert not {"PUMP-REFILL-004", "PUMP-REFILL-005"} & set(_ids(visit))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"previous_fill_ml": 20}, "previous_filled"),
        ({"previous_filled": "2026-02-02"}, "previous_fill_ml"),
        ({"previous_fill_ml": 20, "previous_filled": "2026-03-02"}, "previous_filled"),
        ({"previous_fill_ml": 20, "previous_filled": "2026-02-30"}, "previous_filled"),
        ({"previous_fill_ml": 21, "previous_filled": "2026-02-02"}, "previous_fill_ml"),
    ],
)
def test_bad_previous_fill_input_names_the_field(kwargs, field) -> None:
    with pytest.raises(InvalidInputError) as err:
        refill_visit_from_options("synchromed-ii-20", **VISIT, **kwargs)
    assert err.value.field == field


def test_the_previous_fill_needs_the_residuals() -> None:
    values = {k: v for k, v in VISIT.items() if k not in ("expected_ml", "aspirated_ml")}

    with pytest.raises(InvalidInputError) as err:
        refill_visit_from_options("synchromed-ii-20", **values, previous_fill_ml=20, previous_filled="2026-02-02")
    assert err.value.field == "previous_fill_ml"
