"""Patient and pump records: identifiers, refill visits, the append-only history in time order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from baclofen.domain.errors import ConflictError, InvalidInputError
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord

SYNCHROMED = get_pump("synchromed-ii-20")


def _pump(*visits: RefillVisitRecord) -> PumpRecord:
    return PumpRecord("pump-1", SYNCHROMED, patient_id="P-1", implanted=date(2025, 1, 1), visits=visits)


@pytest.mark.parametrize("bad", ["", " P-1", "P-1 ", "x" * 65, "a\nb", 7, None])
def test_a_record_identifier_is_a_short_printable_text(bad) -> None:
    with pytest.raises(InvalidInputError) as err:
        PatientRecord(bad, PatientSnapshot())

    assert err.value.field == "patient_id"


def test_a_pump_record_keeps_its_visits_as_a_tuple_oldest_first() -> None:
    first = RefillVisitRecord(date(2026, 1, 5), fill_ml=20)
    second = RefillVisitRecord(date(2026, 2, 2), expected_ml=4.9, aspirated_ml=4.5, fill_ml=20)

    record = PumpRecord("pump-1", SYNCHROMED, visits=[first, second])

    assert record.visits == (first, second)
    assert record.residual_history() == ((4.9, 4.5),)
    assert record.last_fill() == second


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"expected_ml": 4.9}, "aspirated_ml"),
        ({"aspirated_ml": 4.9}, "expected_ml"),
        ({"expected_ml": -1, "aspirated_ml": 2}, "expected_ml"),
        ({"expected_ml": 2, "aspirated_ml": float("nan")}, "aspirated_ml"),
        ({"refilled_at": date(2026, 1, 1), "fill_ml": 0}, "fill_ml"),
        ({"fill_ml": 20}, "refilled_at"),
        ({"refilled_at": "2026-01-01", "fill_ml": 20}, "refilled_at"),
        ({"expected_ml": 1, "aspirated_ml": 1, "concentration_mcg_per_ml": 500}, "concentration_mcg_per_ml"),
        ({"refilled_at": date(2026, 1, 1), "fill_ml": 20, "program": "500 mcg/day"}, "program"),
        ({}, "expected_ml"),
    ],
)
def test_a_refill_visit_record_refuses_what_cannot_be_a_visit(kwargs, field) -> None:
    with pytest.raises(InvalidInputError) as err:
        RefillVisitRecord(**kwargs)

    assert err.value.field == field


def test_a_visit_is_appended_only_after_the_last_recorded_refill() -> None:
    record = _pump(RefillVisitRecord(date(2026, 2, 2), fill_ml=20))

    with pytest.raises(InvalidInputError) as err:
        record.with_visit(RefillVisitRecord(date(2026, 2, 2), fill_ml=20, expected_ml=20, aspirated_ml=20))

    assert err.value.field == "refilled_at"
    assert len(record.visits) == 1  # the record itself is unchanged (frozen)


def test_an_undated_visit_does_not_break_the_time_order() -> None:
    record = _pump(RefillVisitRecord(date(2026, 2, 2), fill_ml=20), RefillVisitRecord(expected_ml=5, aspirated_ml=5))

    later = record.with_visit(RefillVisitRecord(date(2026, 3, 2), fill_ml=20))

    assert [v.refilled_at for v in later.visits] == [date(2026, 2, 2), None, date(2026, 3, 2)]
    assert later.last_fill() is not None and later.last_fill().refilled_at == date(2026, 3, 2)


def test_a_stored_history_out_of_time_order_is_refused_naming_the_visit() -> None:
    with pytest.raises(InvalidInputError) as err:
        _pump(RefillVisitRecord(date(2026, 3, 2), fill_ml=20), RefillVisitRecord(date(2026, 2, 2), fill_ml=20))

    assert err.value.field == "visits[1].refilled_at"


def test_times_with_utc_offsets_are_ordered_as_instants() -> None:
    tokyo = timezone(timedelta(hours=9))
    record = _pump(RefillVisitRecord(datetime(2026, 2, 2, 8, 0, tzinfo=tokyo), fill_ml=20))

    # 2026-02-02 08:00 +09:00 is 2026-02-01 23:00 UTC: 22:30 UTC comes before it, 23:30 UTC after.
    with pytest.raises(InvalidInputError):
        record.with_visit(RefillVisitRecord(datetime(2026, 2, 1, 22, 30, tzinfo=UTC), fill_ml=20))
    later = record.with_visit(RefillVisitRecord(datetime(2026, 2, 1, 23, 30, tzinfo=UTC), fill_ml=20))

    assert len(later.visits) == 2


def test_the_last_fill_is_none_when_the_latest_visit_recorded_no_fill() -> None:
    record = _pump(
        RefillVisitRecord(date(2026, 2, 2), fill_ml=20, concentration_mcg_per_ml=500, program=continuous_program(500)),
        RefillVisitRecord(expected_ml=4.9, aspirated_ml=4.5),
    )

    assert record.last_fill() is None
    assert record.residual_history() == ((4.9, 4.5),)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"model": "synchromed-ii-20"}, "model"),
        ({"implanted": datetime(2025, 1, 1, 8, 0)}, "implanted"),
        ({"visits": [object()]}, "visits[0]"),
        ({"patient_id": ""}, "patient_id"),
    ],
)
def test_a_pump_record_refuses_values_of_the_wrong_kind(kwargs, field) -> None:
    values = {"pump_id": "pump-1", "model": SYNCHROMED} | kwargs

    with pytest.raises(InvalidInputError) as err:
        PumpRecord(**values)

    assert err.value.field == field


def test_a_visit_that_repeats_the_last_stored_one_exactly_is_refused_as_a_probable_duplicate() -> None:
    program = continuous_program(100.0)
    last = RefillVisitRecord(date(2026, 2, 2), 4.9, 4.5, fill_ml=20, concentration_mcg_per_ml=500, program=program)
    record = _pump(RefillVisitRecord(date(2026, 1, 5), fill_ml=20), last)

    with pytest.raises(ConflictError, match="probable duplicate") as err:
        record.with_visit(RefillVisitRecord(date(2026, 2, 2), 4.9, 4.5, 20, 500, continuous_program(100.0)))

    assert "2026-02-02" in str(err.value)
    # the same date with any other value is not a duplicate: it is a visit dated too early (InvalidInputError)
    with pytest.raises(InvalidInputError) as early:
        record.with_visit(RefillVisitRecord(date(2026, 2, 2), 4.9, 4.4, 20, 500, program))
    assert early.value.field == "refilled_at"
    # undated visits known only by their residuals (``pump refill --previous``) may repeat: no date, no duplicate
    undated = _pump(RefillVisitRecord(None, 3.0, 2.5))
    assert len(undated.with_visit(RefillVisitRecord(None, 3.0, 2.5)).visits) == 2
