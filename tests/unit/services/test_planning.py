"""Planning use cases: plain values in, serialisable plans out; blocks are returned, never dropped."""

from __future__ import annotations

import json
from datetime import date, datetime, time

import pytest

from baclofen.adapters.edge.plan import plan_taper_command, plan_titration_command
from baclofen.adapters.edge.text import parse_clock_times, parse_overrides
from baclofen.domain.errors import InvalidInputError, UnknownNameError
from baclofen.domain.patient import Locale, PatientSnapshot
from baclofen.domain.rules import Override
from baclofen.services.commands import PlanTitration
from baclofen.services.planning import (
    plan_oral_taper,
    plan_oral_titration,
)


def test_the_readme_example_runs() -> None:
    plan = plan_oral_taper(plan_taper_command(from_mg_per_day=60, to_mg_per_day=0, start_date=date(2026, 12, 1)))

    # 60 mg/day with the time on therapy unknown is planned as long-term use: 28 days or more, 6-day steps
    assert plan.to_dict()["steps"][0] == {
        "start": "2026-12-01",
        "end": "2026-12-06",
        "days": 6,
        "daily_dose_mg": 50.0,
        "continues": False,
        "doses": [
            {
                "time": "08:00",
                "dose_mg": 15.0,
                "dispense": "1 1/2 x 10 mg tablets",
                "units": [{"strength_mg": 10.0, "count": 1.5}],
            },
            {
                "time": "14:00",
                "dose_mg": 15.0,
                "dispense": "1 1/2 x 10 mg tablets",
                "units": [{"strength_mg": 10.0, "count": 1.5}],
            },
            {
                "time": "20:00",
                "dose_mg": 20.0,
                "dispense": "2 x 10 mg tablets",
                "units": [{"strength_mg": 10.0, "count": 2.0}],
            },
        ],
    }


def test_plain_values_are_accepted_and_the_result_is_json_ready() -> None:
    plan = plan_oral_titration(
        plan_titration_command(
            start_date="2026-12-01",
            target_mg_per_day=60,
            product="OZOBAX",
            dose_times="07:30,13:30,21:00",
            patient=PatientSnapshot(crcl_ml_min=45),
        )
    )

    data = json.loads(json.dumps(plan.to_dict()))

    assert data["product"]["name"] == "ozobax"
    assert data["steps"][0]["doses"][0]["time"] == "07:30"
    assert data["steps"][0]["doses"][0]["volume_ml"] == 2.5
    assert data["parameters"]["kidney"]["band"] == "moderate"
    assert data["daily_totals"][0] == {"date": "2026-12-01", "daily_dose_mg": 7.5}


def test_a_plan_with_a_standing_block_is_returned_marked_not_offerable() -> None:
    plan = plan_oral_titration(plan_titration_command(start_date=date(2026, 12, 1), target_mg_per_day=120))

    data = plan.to_dict()

    assert data["offerable"] is False
    assert data["max_daily_dose_mg"] == 80.0
    block = next(f for f in data["findings"] if f["rule_id"] == "ORAL-MAX-001")
    assert block["severity"] == "block" and block["evidence"] and "override" not in block


def test_a_clinician_override_with_a_reason_is_recorded_in_the_plan() -> None:
    plan = plan_oral_titration(
        plan_titration_command(
            start_date=date(2026, 12, 1),
            target_mg_per_day=110,
            doses_per_day=4,
            patient=PatientSnapshot(locale=Locale.UK, crcl_ml_min=90),
            overrides=["oral-max-001=in hospital"],
            clinician="Dr B",
        )
    )

    data = plan.to_dict()

    assert data["offerable"] is True and data["max_daily_dose_mg"] == 110.0
    plan_120 = plan_oral_titration(
        plan_titration_command(
            start_date=date(2026, 12, 1),
            target_mg_per_day=120,
            doses_per_day=4,
            patient=PatientSnapshot(locale=Locale.UK),
            overrides={"ORAL-MAX-001": "in hospital, supervised"},
            clinician="Dr B",
        )
    )
    out = plan_120.to_dict()
    assert out["offerable"] is True and out["max_daily_dose_mg"] == 120.0
    assert out["overrides"] == [{"rule_id": "ORAL-MAX-001", "reason": "in hospital, supervised", "clinician": "Dr B"}]
    assert next(f for f in out["findings"] if f["rule_id"] == "ORAL-MAX-001")["override"]["clinician"] == "Dr B"


def test_the_taper_use_case_takes_months_on_therapy_and_the_maximum_step() -> None:
    plan = plan_oral_taper(
        plan_taper_command(
            from_mg_per_day=60, start_date="2026-12-01", months_on_therapy=24, max_step_mg=10, product="fleqsuvy"
        )
    )

    data = plan.to_dict()

    assert data["parameters"]["long_term_high_dose"] is True
    assert data["parameters"]["days_to_target"] >= 28
    assert data["steps"][-1]["daily_dose_mg"] == 0.0 and data["steps"][-1]["doses"] == []
    info = next(f for f in data["findings"] if f["rule_id"] == "TAPER-INFO-001")
    assert "seizures" in info["signs"] and info["action"]


def test_settings_are_overridden_by_name_and_reported_with_status_and_evidence() -> None:
    plan = plan_oral_taper(
        plan_taper_command(from_mg_per_day=40, start_date="2026-12-01", settings={"taper.step_interval_days": 5})
    )

    setting = next(s for s in plan.to_dict()["settings"] if s["name"] == "taper.step_interval_days")

    assert setting["value"] == 5 and setting["default"] == 3
    assert setting["status"] == "unconfirmed" and setting["evidence"]
    with pytest.raises(UnknownNameError):
        plan_oral_taper(
            plan_taper_command(from_mg_per_day=40, start_date="2026-12-01", settings={"no.such.setting": 1})
        )


@pytest.mark.parametrize("bad", ["2026-02-30", "01/12/2026", "", 20261201])
def test_a_bad_date_names_the_field(bad: object) -> None:
    with pytest.raises(InvalidInputError) as err:
        plan_titration_command(start_date=bad)  # type: ignore[arg-type]

    assert err.value.field == "start_date"


@pytest.mark.parametrize("bad", [datetime(2026, 1, 1, 8), "2026-01-01", None])
def test_a_plan_command_takes_a_date_only(bad: object) -> None:
    with pytest.raises(InvalidInputError) as err:
        PlanTitration(bad)  # type: ignore[arg-type]

    assert err.value.field == "start_date"


def test_overrides_are_parsed_from_text_pairs_and_mappings() -> None:
    assert parse_overrides(["ORAL-MAX-001=in hospital"], "override", "Dr C") == (
        Override("ORAL-MAX-001", "in hospital", "Dr C"),
    )
    assert parse_overrides([("TAPER-ABRUPT-001", "overdose-related emergency")], "override", "Dr C") == (
        Override("TAPER-ABRUPT-001", "overdose-related emergency", "Dr C"),
    )
    assert parse_overrides(None, "override") == ()
    for bad in (["ORAL-MAX-001"], ["ORAL-MAX-001="], ["not an id=reason"], [42]):
        with pytest.raises(InvalidInputError):
            parse_overrides(bad, "override")  # type: ignore[arg-type]


def test_dose_times_are_parsed() -> None:
    assert parse_clock_times("08:00, 20:00", "dose_times") == (time(8), time(20))
    assert parse_clock_times([time(9), "21:30"], "dose_times") == (time(9), time(21, 30))
    assert plan_titration_command(start_date="2026-12-01").dose_times is None
    with pytest.raises(InvalidInputError) as err:
        plan_titration_command(start_date="2026-12-01", dose_times="8 am")
    assert err.value.field == "dose_times"


def test_an_unknown_product_names_the_field() -> None:
    with pytest.raises(UnknownNameError) as err:
        plan_oral_titration(plan_titration_command(start_date="2026-12-01", product="baclofen-xr"))

    assert err.value.field == "product"
