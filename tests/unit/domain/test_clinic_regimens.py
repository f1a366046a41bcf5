"""Saved plans and program changes in the domain: the prescriptions a plan history gives the timeline, the statuses
of the history, what a new program is judged against, and the records' own checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from baclofen.domain.clinic.regimens import (
    PlanStatus,
    ProgramChangeRecord,
    SavedPlan,
    oral_prescriptions,
    plan_statuses,
    program_change_basis,
    program_in_effect,
)
from baclofen.domain.clinic.timeline import stored_timeline
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.programs import PeriodicBolus, continuous_program, periodic_bolus_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord
from baclofen.services.commands import PlanTaper, PlanTitration
from baclofen.services.planning import plan_oral_taper, plan_oral_titration

AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
PATIENT = PatientSnapshot(age_years=50)


def titration(start: date, seq: int = 0, target: float = 30) -> SavedPlan:
    plan = plan_oral_titration(PlanTitration(start, patient=PATIENT, target_mg_per_day=target))
    return SavedPlan("P-1", seq, plan, "clinician:a", AT)


def taper(start: date, seq: int = 1, from_mg: float = 30) -> SavedPlan:
    return SavedPlan("P-1", seq, plan_oral_taper(PlanTaper(from_mg, start, patient=PATIENT)), "clinician:a", AT)


def change(seq: int, at: datetime, dose: float, pump_id: str = "pump-1") -> ProgramChangeRecord:
    return ProgramChangeRecord(pump_id, seq, at, continuous_program(dose), 200.0, "clinician:a", "spasms")


# --- prescriptions and statuses -----------------------------------------------------------------------------------
def test_no_plan_gives_no_prescription_and_no_status() -> None:
    assert oral_prescriptions(()) == [] and plan_statuses(()) == {}


def test_a_titration_gives_its_steps_and_its_maintenance_stays_open() -> None:
    saved = titration(date(2026, 3, 1))
    periods = oral_prescriptions((saved,))

    assert periods[0] == {"start": "2026-03-01", "end": saved.plan.steps[0].end.isoformat(), "daily_dose_mg": 15.0}
    assert periods[-1]["end"] is None and periods[-1]["daily_dose_mg"] == 30.0
    assert len(periods) == len(saved.plan.steps)


def test_a_taper_to_zero_ends_its_last_period_the_day_before_the_stop() -> None:
    saved = taper(date(2026, 3, 20), seq=0)
    periods = oral_prescriptions((saved,))

    stop = saved.plan.steps[-1]
    assert stop.daily_dose_mg == 0 and periods[-1]["end"] == (stop.start - timedelta(days=1)).isoformat()
    assert all(p["daily_dose_mg"] > 0 for p in periods)


def test_a_later_plan_cuts_the_earlier_one_the_day_before_it_starts_and_never_overlaps() -> None:
    first, second = titration(date(2026, 3, 1)), taper(date(2026, 3, 5))
    periods = oral_prescriptions((second, first))  # any order: the history's seq decides

    starts = [date.fromisoformat(p["start"]) for p in periods]
    ends = [date.fromisoformat(p["end"]) for p in periods if p["end"] is not None]
    assert [p for p in periods if p["start"] < "2026-03-05"][-1]["end"] == "2026-03-04"
    assert all(end < start for end, start in zip(ends, starts[1:], strict=False))
    assert plan_statuses((first, second)) == {
        first.plan_id: (PlanStatus.SUPERSEDED, second.plan_id),
        second.plan_id: (PlanStatus.ACTIVE, None),
    }


def test_a_later_plan_starting_before_the_earlier_one_replaces_it_entirely() -> None:
    first, second = titration(date(2026, 4, 1)), taper(date(2026, 3, 20))

    assert oral_prescriptions((first, second)) == oral_prescriptions((taper(date(2026, 3, 20), seq=0),))


def test_a_blocked_plan_is_not_a_saved_plan() -> None:
    plan = plan_oral_titration(PlanTitration(date(2026, 3, 1), patient=PATIENT, target_mg_per_day=120))

    with pytest.raises(InvalidInputError) as caught:
        SavedPlan("P-1", 0, plan, "clinician:a", AT)
    assert caught.value.field == "plan"


def test_a_switch_is_saved_only_offerable_and_without_its_taper_in_the_document() -> None:
    plan = plan_oral_taper(PlanTaper(30, date(2026, 3, 5), patient=PATIENT))
    document = {"overlap_findings": [], "offerable": True, "new_drug": {"drug": "tizanidine"}}

    saved = SavedPlan("P-1", 0, plan, "clinician:a", AT, switch=document)

    assert saved.kind == "switch" and saved.to_dict()["switch"]["new_drug"]["drug"] == "tizanidine"
    for bad in ({**document, "offerable": False}, {**document, "taper": plan.to_dict()}, {"offerable": True}):
        with pytest.raises(InvalidInputError) as caught:
            SavedPlan("P-1", 0, plan, "clinician:a", AT, switch=bad)
        assert caught.value.field == "switch"


@pytest.mark.parametrize(
    ("kw", "field"),
    [({"seq": -1}, "seq"), ({"saved_at": datetime(2026, 3, 10)}, "saved_at"), ({"saved_by": ""}, "saved_by")],
)
def test_a_saved_plan_names_an_invalid_field(kw, field) -> None:
    plan = plan_oral_titration(PlanTitration(date(2026, 3, 1), patient=PATIENT))
    fields = {"patient_id": "P-1", "seq": 0, "plan": plan, "saved_by": "clinician:a", "saved_at": AT} | kw

    with pytest.raises(InvalidInputError) as caught:
        SavedPlan(**fields)
    assert caught.value.field == field


# --- program changes ----------------------------------------------------------------------------------------------
def pump(*visits: RefillVisitRecord) -> PumpRecord:
    return PumpRecord("pump-1", get_pump("synchromed-ii-20"), "P-1", date(2024, 5, 1), visits)


def fill(at: date | datetime, dose: float) -> RefillVisitRecord:
    return RefillVisitRecord(at, fill_ml=20, concentration_mcg_per_ml=500, program=continuous_program(dose))


def test_a_fill_dated_without_a_time_counts_from_the_end_of_its_day() -> None:
    same_day = program_change_basis(pump(fill(date(2026, 3, 10), 200)), (), AT)
    day_before = program_change_basis(pump(fill(date(2026, 3, 9), 200)), (), AT)

    assert same_day.hours_since_start == 0  # 9 h after midnight, but the fill may have been late that day
    assert day_before.hours_since_start == 9  # never more hours than have passed
    assert same_day.daily_dose_mcg == pytest.approx(200) and same_day.hours_since_last_increase is None


def test_the_program_in_effect_and_the_last_increase_come_from_fills_and_changes() -> None:
    record = pump(fill(datetime(2026, 2, 1, 10, tzinfo=UTC), 200), fill(datetime(2026, 3, 1, 10, tzinfo=UTC), 180))
    changes = (change(0, AT - timedelta(hours=30), 200), change(1, AT - timedelta(hours=6), 190))

    basis = program_change_basis(record, changes, AT)

    assert basis.daily_dose_mcg == pytest.approx(190)
    assert basis.hours_since_last_increase == pytest.approx(30)  # 180 -> 200; 200 -> 190 is a decrease
    assert basis.hours_since_start == pytest.approx((AT - datetime(2026, 2, 1, 10, tzinfo=UTC)).total_seconds() / 3600)


def test_the_program_in_effect_at_a_time_is_the_last_fill_or_a_later_change_up_to_then() -> None:
    first, second = datetime(2026, 2, 1, 10, tzinfo=UTC), datetime(2026, 3, 1, 10, tzinfo=UTC)
    record = pump(fill(first, 200), RefillVisitRecord(second, fill_ml=20, concentration_mcg_per_ml=1000, program=None))
    changes = (change(0, first + timedelta(days=3), 220), change(1, second + timedelta(days=3), 240))

    before_change = program_in_effect(record, changes, first + timedelta(days=1))
    after_change = program_in_effect(record, changes, first + timedelta(days=4))
    refilled_without_program = program_in_effect(record, changes, second + timedelta(days=1))
    now = program_in_effect(record, changes, AT)

    assert before_change is not None and before_change.daily_dose_mcg == 200 and not before_change.changed
    assert after_change is not None and (after_change.daily_dose_mcg, after_change.changed) == (220, True)
    assert after_change.concentration_mcg_per_ml == 500 and after_change.since == first + timedelta(days=3)
    assert refilled_without_program is not None and refilled_without_program.daily_dose_mcg == 220
    assert refilled_without_program.concentration_mcg_per_ml == 1000
    assert now is not None and now.daily_dose_mcg == 240 and now.concentration_mcg_per_ml == 1000


def test_no_program_is_in_effect_before_a_fill_or_after_a_visit_that_filled_nothing() -> None:
    filled = fill(AT - timedelta(days=10), 200)

    assert program_in_effect(pump(), (), AT) is None
    assert program_in_effect(pump(filled), (), AT - timedelta(days=11)) is None
    emptied = RefillVisitRecord(AT - timedelta(days=1), expected_ml=2, aspirated_ml=2)
    assert program_in_effect(pump(filled, emptied), (), AT) is None
    with pytest.raises(InvalidInputError) as caught:
        program_in_effect(pump(filled), (), datetime(2026, 3, 10, 9, 0))
    assert caught.value.field == "as_of"


@pytest.mark.parametrize(
    ("record", "changes", "field"),
    [
        (pump(), (), "pump_id"),
        (pump(RefillVisitRecord(expected_ml=2, aspirated_ml=2)), (), "pump_id"),
        (pump(fill(AT, 200)), (), "changed_at"),
        (pump(fill(AT - timedelta(days=2), 200)), (change(0, AT + timedelta(hours=1), 220),), "changed_at"),
    ],
)
def test_a_change_needs_a_fill_and_comes_after_the_last_event(record, changes, field) -> None:
    with pytest.raises(InvalidInputError) as caught:
        program_change_basis(record, changes, AT)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"program": periodic_bolus_program(8, [PeriodicBolus(600, 50, 30)])}, "program"),
        ({"reason": "  "}, "reason"),
        ({"previous_daily_dose_mcg": 0}, "previous_daily_dose_mcg"),
        ({"changed_at": datetime(2026, 3, 10)}, "changed_at"),
    ],
)
def test_a_program_change_names_an_invalid_field(kw, field) -> None:
    fields = {
        "pump_id": "pump-1",
        "seq": 0,
        "changed_at": AT,
        "program": continuous_program(220),
        "previous_daily_dose_mcg": 200.0,
        "changed_by": "clinician:a",
        "reason": "spasms",
    } | kw

    with pytest.raises(InvalidInputError) as caught:
        ProgramChangeRecord(**fields)
    assert caught.value.field == field


def test_the_timeline_holds_the_current_pumps_changes_up_to_as_of_and_names_the_later_ones() -> None:
    record = pump(fill(datetime(2026, 3, 1, 10, tzinfo=UTC), 200))
    changes = (
        change(0, AT - timedelta(days=1), 220),
        change(1, AT + timedelta(days=1), 240),
        change(0, AT - timedelta(days=2), 300, pump_id="pump-9"),
    )

    stored = stored_timeline(PatientRecord("P-1", PATIENT), (record,), (), AT, program_changes=changes)

    assert stored.document["pump"]["program_changes"] == [
        {"time": (AT - timedelta(days=1)).isoformat(), "daily_dose_mcg": 220.0}
    ]
    assert [line for line in stored.omitted if "program change" in line] == [
        f"pump pump-1 program change {changes[1].change_id}: {(AT + timedelta(days=1)).isoformat()}, after as_of"
    ]
    assert stored.timeline().pump.program_changes[0].daily_dose_mcg == pytest.approx(220)
