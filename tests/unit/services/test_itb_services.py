"""ITB use cases from plain values: parsing, chaining and JSON-ready results."""

from __future__ import annotations

import json
from datetime import date

import pytest

from baclofen.adapters.edge.itb import plan_titration_step_command, screen_trial_command
from baclofen.adapters.edge.pump import (
    forecast_pump_command,
    plan_concentration_change_command,
    plan_pump_program_command,
    reconcile_visit_command,
)
from baclofen.adapters.edge.text import parse_responses, parse_volume_pairs
from baclofen.domain.errors import InvalidInputError, InvalidInputs, UnknownNameError
from baclofen.domain.patient import SpasticityOrigin
from baclofen.services.commands import PlanInitialDose, PlanItbTitrationStep, PlanTransition, ScreenTrial
from baclofen.services.itb import (
    describe_pumps,
    forecast_pump,
    plan_concentration,
    plan_initial_dose,
    plan_program,
    plan_titration_step,
    plan_transition,
    reconcile_visit,
    screen_trial,
)
from tests.pump_visits import refill_visit_from_options


def _json(result):
    return json.loads(json.dumps(result.to_dict(), default=str))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        ("no", (False,)),
        ("no,no", (False, False)),
        (" No , YES ", (False, True)),
        ("n,y", (False, True)),
        ([True, "no"], (True, False)),
    ],
)
def test_responses_parse_yes_and_no(text, expected) -> None:
    assert parse_responses(text, "responses") == expected
    assert screen_trial_command(responses=None).responses == ()


@pytest.mark.parametrize("text", ["maybe", "no,,no", "no;no", "1,2"])
def test_unparseable_responses_name_the_field(text) -> None:
    with pytest.raises(InvalidInputError) as err:
        screen_trial_command(responses=text)
    assert err.value.field == "responses"


def test_journey_3_screening_to_initial_dose_to_transition() -> None:
    """Day 1: 50 mcg, too short; day 2: 75 mcg, good response for 6 h -> 150 mcg/day and the oral taper."""
    first = screen_trial(screen_trial_command(responses="no", hours_since_last_dose=24))
    assert (first.next_dose_mcg, first.earliest_next_hours) == (75.0, 0.0)

    trial = screen_trial(ScreenTrial((False, True), effect_duration_hours=6))
    assert trial.candidate is True and trial.effective_dose_mcg == 75.0

    initial = plan_initial_dose(PlanInitialDose(trial.effective_dose_mcg, trial.effect_duration_hours))
    assert initial.daily_dose_mcg == 150.0

    transition = plan_transition(PlanTransition(date(2026, 5, 4), 60, initial.daily_dose_mcg))
    assert transition.oral_taper.steps[-1].daily_dose_mg == 0.0
    assert _json(transition)["itb_initial_mcg_per_day"] == 150.0


def test_screen_trial_accepts_full_records_with_times() -> None:
    records = [
        {"dose_mcg": 50, "responded": False, "given_at": "2026-03-02T09:00:00+00:00"},
        {
            "dose_mcg": 75,
            "responded": False,
            "given_at": "2026-03-03T10:00:00+00:00",
            "ashworth_before": 3,
            "ashworth_after": 3,
        },
    ]

    result = screen_trial(screen_trial_command(records=records, as_of="2026-03-04T08:00:00+00:00"))

    assert result.next_dose_mcg == 100.0
    assert result.earliest_next_hours == pytest.approx(2.0)


def test_screen_trial_refuses_unknown_record_fields_and_orphan_effect_duration() -> None:
    with pytest.raises(InvalidInputError) as err:
        screen_trial_command(records=[{"dose_mcg": 50, "responded": False, "colour": "red"}])
    assert err.value.field == "records[0]"
    with pytest.raises(InvalidInputError):
        screen_trial(ScreenTrial((), effect_duration_hours=5))


@pytest.mark.parametrize(
    ("given_at", "field"),
    [("yesterday", "records[1].given_at"), ("9999-03-02T09:00", "records[1].given_at"), (12, "records[1].given_at")],
)
def test_a_bad_record_time_is_an_input_error_naming_the_field(given_at, field) -> None:
    """Review finding: a bad given_at raised a bare ValueError from datetime.fromisoformat."""
    records = [{"dose_mcg": 50, "responded": False}, {"dose_mcg": 75, "responded": False, "given_at": given_at}]

    with pytest.raises(InvalidInputError) as err:
        screen_trial(screen_trial_command(records=records))

    assert err.value.field == field


def test_every_bad_record_is_reported_at_once() -> None:
    records = [{"dose_mcg": 50, "responded": False, "given_at": "x"}, "not a record", {"dose_mcg": 75}]

    with pytest.raises(InvalidInputs) as err:
        screen_trial_command(records=records, as_of="later")

    assert [e.field for e in err.value.errors] == ["records[0].given_at", "records[1]", "records[2]", "as_of"]


def test_titration_settings_can_be_overridden_by_name_and_unknown_names_are_refused() -> None:
    r = plan_titration_step(
        plan_titration_step_command(
            current_mcg_per_day=900, origin="spinal", settings={"itb.dose.confirmation_threshold_mcg_per_day": 1500}
        )
    )
    assert "ITB-DOSE-001" not in [f.rule_id for f in r.findings]

    with pytest.raises(InvalidInputError) as err:
        plan_titration_step(PlanItbTitrationStep(900, SpasticityOrigin.SPINAL, settings={"nope": 1}))
    assert err.value.field == "settings"


def test_program_from_a_daily_dose_or_a_flex_schedule() -> None:
    simple = plan_program(
        plan_pump_program_command(pump="synchromed-ii-20", concentration_mcg_per_ml=500, daily_dose_mcg=480)
    )
    flex = plan_program(
        plan_pump_program_command(
            pump="synchromed-ii-20", concentration_mcg_per_ml=500, flex="06:00=20,22:00=10", daily_dose_mcg=400
        )
    )

    assert _json(simple)["steps"] == [{"start": "00:00", "rate_mcg_per_h": 20.0, "rate_ml_per_h": 0.04}]
    assert _json(flex)["daily_volume_ml"] == pytest.approx(0.8)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "daily_dose_mcg"),
        ({"flex": "06:00=20,22:00=10", "daily_dose_mcg": 600}, "daily_dose_mcg"),
        ({"flex": "bad"}, "flex"),
    ],
)
def test_program_input_errors_name_the_field(kwargs, field) -> None:
    with pytest.raises(InvalidInputError) as err:
        plan_program(plan_pump_program_command(pump="synchromed-ii-20", concentration_mcg_per_ml=500, **kwargs))
    assert err.value.field == field


def test_forecast_from_plain_values() -> None:
    f = forecast_pump(
        forecast_pump_command(
            pump="SynchroMed II 20 mL",
            volume_ml=20,
            concentration_mcg_per_ml=500,
            daily_dose_mcg=500,
            filled="2026-01-01",
            implanted="2024-02-29",
            as_of="2026-01-13",
        )
    )

    data = _json(f)
    assert (data["recommended_refill_date"], data["low_reservoir_alarm_date"], data["empty_date"]) == (
        "2026-01-12",
        "2026-01-19",
        "2026-01-21",
    )
    assert data["battery_replacement_date"] == "2028-08-28"
    assert "PUMP-REFILL-001" in [x["rule_id"] for x in data["findings"]]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"filled": "01/01/2026"}, "filled"),
        ({"implanted": "2024-02-30"}, "implanted"),
        ({"as_of": "tomorrow"}, "as_of"),
        ({"volume_ml": 20.5}, "volume_ml"),
    ],
)
def test_forecast_input_errors_name_the_field(kwargs, field) -> None:
    values = {"volume_ml": 20, "concentration_mcg_per_ml": 500, "daily_dose_mcg": 500, "filled": "2026-01-01"}
    with pytest.raises(InvalidInputError) as err:
        forecast_pump(forecast_pump_command(pump="synchromed-ii-20", **(values | kwargs)))
    assert err.value.field == field


def test_an_unknown_pump_is_an_unknown_name() -> None:
    with pytest.raises(UnknownNameError):
        forecast_pump(
            forecast_pump_command(
                pump="isomed", volume_ml=5, concentration_mcg_per_ml=500, daily_dose_mcg=100, filled="2026-01-01"
            )
        )


def test_previous_visits_parse_and_feed_the_trend() -> None:
    assert parse_volume_pairs("4.9:4.5, 5:4.6", "previous") == ((4.9, 4.5), (5.0, 4.6))
    with pytest.raises(InvalidInputError) as err:
        reconcile_visit_command(expected_ml=4.9, aspirated_ml=4.5, previous="4.9-4.5")
    assert err.value.field == "previous"

    result = reconcile_visit(reconcile_visit_command(expected_ml=4.9, aspirated_ml=3.1, previous="5:4.8,5:4.7"))

    data = _json(result)
    assert data["discrepancy_ml"] == pytest.approx(-1.8)
    assert [f["rule_id"] for f in data["findings"]] == ["PUMP-RECON-001", "PUMP-RECON-004"]
    assert len(data["trend"]["visits"]) == 3


def test_an_impossible_previous_visit_is_reported_against_previous() -> None:
    with pytest.raises(InvalidInputError) as err:
        reconcile_visit(reconcile_visit_command(expected_ml=4, aspirated_ml=4, previous="-1:3"))
    assert err.value.field == "previous"


def test_journey_4_refill_visit_flags_over_infusion_and_sets_the_next_refill_before_the_alarm() -> None:
    visit = refill_visit_from_options(
        "synchromed-ii-20",
        concentration_mcg_per_ml=500,
        refilled="2026-03-02",
        daily_dose_mcg=450,
        expected_ml=4.9,
        aspirated_ml=3.1,
    )

    data = _json(visit)
    assert data["fill_ml"] == 20.0
    assert data["next_refill_date"] < data["low_reservoir_alarm_date"]
    assert "PUMP-RECON-001" in [f["rule_id"] for f in data["findings"]]


def test_a_refill_visit_needs_both_residuals_or_neither() -> None:
    with pytest.raises(InvalidInputError) as err:
        refill_visit_from_options(
            "synchromed-ii-20",
            concentration_mcg_per_ml=500,
            refilled="2026-03-02",
            daily_dose_mcg=450,
            expected_ml=4.9,
        )
    assert err.value.field == "aspirated_ml"


def test_a_refill_visit_with_a_target_interval_fills_only_what_is_needed() -> None:
    visit = refill_visit_from_options(
        "synchromed-ii-40",
        concentration_mcg_per_ml=500,
        refilled=date(2026, 3, 2),
        daily_dose_mcg=250,
        target_interval_days=60,
    )

    assert visit.refill.fill_ml == pytest.approx(0.5 * 67 + 2)
    assert visit.forecast.recommended_refill_date == date(2026, 5, 1)


def test_concentration_change_from_plain_values() -> None:
    change = plan_concentration(
        plan_concentration_change_command(
            pump="prometra-ii-20", daily_dose_mcg=900, old_mcg_per_ml=500, new_mcg_per_ml=2000, catheter_trimmed_cm=10
        )
    )

    data = _json(change)
    assert data["new_ml_per_day"] == pytest.approx(0.45)
    assert data["bridge"]["drug_mcg"] == pytest.approx(130)


def test_the_catalogue_is_serialisable() -> None:
    pumps = describe_pumps()

    assert [p["key"] for p in pumps] == [
        "synchromed-ii-20",
        "synchromed-ii-40",
        "prometra-ii-20",
        "prometra-ii-40",
    ]
    json.dumps(pumps)
