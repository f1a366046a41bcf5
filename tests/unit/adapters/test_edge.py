"""The input edge: one parser per kind of text, every invalid field reported at once, typed commands."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen.adapters.edge.collect import InputCollector
from baclofen.adapters.edge.pump import (
    forecast_pump_command,
    pump_record_from_options,
    record_refill_visit_command,
    refill_visit_from_options,
)
from baclofen.adapters.edge.text import (
    parse_clock_minute,
    parse_date,
    parse_datetime,
    parse_flex,
    parse_moment,
    parse_responses,
    parse_volume_pairs,
)
from baclofen.domain.dates import PLAN_DATE_RANGE
from baclofen.domain.errors import InvalidInputError, InvalidInputs
from baclofen.services.commands import ForecastPump, RecordRefillVisit
from baclofen.services.itb import forecast_pump

FORECAST = {"pump": "synchromed-ii-20", "volume_ml": 20, "concentration_mcg_per_ml": 500, "daily_dose_mcg": 200}


@pytest.mark.parametrize("parser", [parse_date, parse_moment])
@pytest.mark.parametrize("text", ["9999-12-01", "1899-12-31", "2026-02-30", "01/12/2026", "tomorrow", "", "20261201"])
def test_every_date_parser_refuses_the_same_texts_naming_the_field(parser, text) -> None:
    with pytest.raises(InvalidInputError) as err:
        parser(text, "filled")

    assert err.value.field == "filled"


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_a_date_is_taken_exactly_when_it_lies_in_the_one_plausible_range(day: date) -> None:
    plausible = PLAN_DATE_RANGE[0] <= day <= PLAN_DATE_RANGE[1]
    for parser in (parse_date, parse_moment):
        try:
            assert parser(day.isoformat(), "start_date") == day
            assert plausible
        except InvalidInputError as exc:
            assert not plausible and exc.field == "start_date"


def test_a_date_time_keeps_its_time_and_offset() -> None:
    moment = parse_moment("2026-12-01T08:30+01:00", "filled")

    assert moment == datetime(2026, 12, 1, 8, 30, tzinfo=timezone(timedelta(hours=1)))
    assert parse_datetime("2026-12-01T08:30", "as_of") == datetime(2026, 12, 1, 8, 30)
    with pytest.raises(InvalidInputError, match="date-time"):
        parse_datetime("2026-12-01", "as_of")
    with pytest.raises(InvalidInputError):
        parse_date("2026-12-01T08:30", "start_date")


def test_clock_times_flex_pairs_and_responses() -> None:
    assert parse_clock_minute("22:30", "change_time") == 1350
    assert parse_flex("06:00=20,22:00=10", "flex").daily_dose_mcg == 400
    assert parse_volume_pairs("4.9:4.5, 5:4.6", "previous") == ((4.9, 4.5), (5.0, 4.6))
    assert parse_responses(" No , YES ", "responses") == (False, True)
    for parser, text, field in [
        (parse_clock_minute, "24:00", "change_time"),
        (parse_flex, " ", "flex"),
        (parse_flex, "06:00=abc", "flex"),
        (parse_volume_pairs, "4.9-4.5", "previous"),
        (parse_responses, "no,,no", "responses"),
    ]:
        with pytest.raises(InvalidInputError) as err:
            parser(text, field)
        assert err.value.field == field


def test_the_collector_keeps_every_error_and_raises_them_together() -> None:
    fields = InputCollector()
    start = fields.read(parse_date, "2026-13-01", "start_date")
    end = fields.read(parse_date, "2026-12-01", "end_date")
    as_of = fields.read(parse_moment, "9999-01-01", "as_of")
    skipped = fields.read(parse_date, None, "implanted")

    assert (start, end, as_of, skipped) == (None, date(2026, 12, 1), None, None)
    assert fields.failed("start_date") and not fields.failed("end_date")
    with pytest.raises(InvalidInputs) as err:
        fields.raise_errors()
    assert [e.field for e in err.value.errors] == ["start_date", "as_of"]
    assert err.value.field == "start_date"  # still one InvalidInputError for callers that handle one


def test_a_command_built_from_text_reports_every_invalid_field_at_once() -> None:
    with pytest.raises(InvalidInputs) as err:
        forecast_pump_command(
            **FORECAST, filled="2026-13-01", implanted="soon", as_of="9999-12-01", flex="06:00=x", settings=["x"]
        )

    assert [e.field for e in err.value.errors] == ["flex", "filled", "implanted", "as_of", "setting"]


def test_one_invalid_field_is_one_plain_error() -> None:
    with pytest.raises(InvalidInputError) as err:
        record_refill_visit_command(pump_id="pump-1", concentration_mcg_per_ml=500, refilled="9999-12-01")

    assert not isinstance(err.value, InvalidInputs)
    assert err.value.field == "refilled"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"filled": "2026-01-01"}, "filled"),
        ({"filled": date(9999, 12, 1)}, "filled"),
        ({"implanted": "2020-01-01"}, "implanted"),
        ({"as_of": "2026-02-01"}, "as_of"),
        ({"flex": "06:00=20,22:00=10"}, "flex"),
    ],
)
def test_a_command_takes_no_text_where_it_means_a_date_or_a_program(kwargs, field) -> None:
    values = {**FORECAST, "filled": date(2026, 1, 1)} | kwargs
    with pytest.raises(InvalidInputError) as err:
        ForecastPump(**values)

    assert err.value.field == field


def test_a_far_future_fill_date_is_a_named_input_error_not_an_overflow() -> None:
    """Review finding: forecast_pump(filled="9999-12-01") raised OverflowError; every path now names the field."""
    with pytest.raises(InvalidInputError) as err:
        forecast_pump(forecast_pump_command(**FORECAST, filled="9999-12-01"))
    assert err.value.field == "filled"
    with pytest.raises(InvalidInputError) as err:
        ForecastPump(**FORECAST, filled=datetime(9999, 12, 1, 8, 0))
    assert err.value.field == "filled"
    with pytest.raises(InvalidInputError) as err:
        RecordRefillVisit("pump-1", 500, datetime(9999, 12, 1, 8, 0), daily_dose_mcg=200)
    assert err.value.field == "refilled"


def test_a_pump_record_reports_every_invalid_history_field_at_once() -> None:
    with pytest.raises(InvalidInputs) as err:
        pump_record_from_options("zzz", implanted="soon", previous="4.9:x", previous_filled="2026-02-30")

    assert [e.field for e in err.value.errors] == [
        "pump",
        "implanted",
        "previous",
        "previous_filled",
        "previous_fill_ml",
    ]


def test_a_history_volume_out_of_range_names_the_field_it_was_given_in() -> None:
    with pytest.raises(InvalidInputs) as err:
        pump_record_from_options("synchromed-ii-20", previous="4.9:-1", implanted="soon")

    assert [e.field for e in err.value.errors] == ["implanted", "previous"]


def test_a_refill_without_stored_records_reads_the_record_and_the_visit_together() -> None:
    record, command = refill_visit_from_options(
        pump="synchromed-ii-20",
        previous="5:4.8",
        previous_fill_ml=20,
        previous_filled="2026-02-02",
        concentration_mcg_per_ml=500,
        refilled="2026-03-02",
        daily_dose_mcg=500,
        expected_ml=4.9,
        aspirated_ml=3.1,
    )

    assert command.pump_id == record.pump_id and command.refilled == date(2026, 3, 2)
    assert record.last_fill() is not None and record.last_fill().fill_ml == 20
    with pytest.raises(InvalidInputs) as err:
        refill_visit_from_options(
            pump="synchromed-ii-20",
            implanted="soon",
            concentration_mcg_per_ml=500,
            refilled="2026-13-02",
        )
    assert [e.field for e in err.value.errors] == ["implanted", "refilled"]
    with pytest.raises(InvalidInputs) as err:
        refill_visit_from_options(
            pump="synchromed-ii-20",
            concentration_mcg_per_ml=500,
            refilled="2026-13-02",
            flex=",".join(f"{hour:02d}:00=10" for hour in range(14)),  # the SynchroMed takes 13 steps a day
        )
    assert [e.field for e in err.value.errors] == ["flex", "refilled"]
