"""A pump's next refill appointment as a calendar: the worklist's refill date, reminders days before, local times
kept across daylight-saving changes, one stable UID per pump so that a re-export after a new visit updates it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from baclofen.adapters.calendar_ics import (
    calendar_key,
    dose_uid,
    refill_uid,
    render_plan_calendar,
    render_refill_calendar,
)
from baclofen.adapters.clock import FixedClock
from baclofen.adapters.edge.pump import record_refill_visit_command
from baclofen.bootstrap import Services, bootstrap
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.oral.titration import plan_titration
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import PatientRecord, PumpRecord
from baclofen.services.clinic import NextRefill
from baclofen.services.commands import AssessPatientRisk, ComputeWorklist, ForecastNextRefill

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def _clinic(pumps: dict[str, tuple[str, str]] | None = None) -> Services:
    """A clinic's store: pump id -> (patient, clinic), a SynchroMed II 20 mL each."""
    services = bootstrap(clock=FixedClock(datetime(2026, 12, 1, 9, tzinfo=UTC)))
    with services.uow as uow:
        for pump_id, (patient_id, clinic_id) in (pumps or {"pump-1": ("P-1", "C-1")}).items():
            uow.patients.add(PatientRecord(patient_id, PatientSnapshot(age_years=50), clinic_id))
            uow.pumps.add(PumpRecord(pump_id, get_pump("synchromed-ii-20"), patient_id, date(2025, 1, 1)))
        uow.commit()
    return services


def _refill(services: Services, day: str, pump_id: str = "pump-1") -> NextRefill:
    """Record a 20 mL fill at 500 mcg/mL, 300 mcg/day on ``day``; the next refill the day after."""
    command = record_refill_visit_command(
        pump_id=pump_id, concentration_mcg_per_ml=500, refilled=day, daily_dose_mcg=300
    )
    services.record_refill_visit(command)
    as_of = datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(12), tzinfo=UTC)
    return services.forecast_next_refill(ForecastNextRefill(pump_id, as_of))


def _event(ics: bytes):
    events = list(Calendar.from_ical(ics).walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def test_the_appointment_is_the_worklists_refill_date_with_reminders_and_the_withdrawal_warning() -> None:
    services = _clinic()
    refill = _refill(services, "2026-03-02")
    as_of = datetime(2026, 3, 3, 12, tzinfo=UTC)

    event = _event(render_refill_calendar(refill, LONDON))

    risk = services.assess_patient_risk(AssessPatientRisk("P-1", as_of)).assessment.pump
    worklist = services.compute_clinic_worklist(ComputeWorklist(("P-1",), as_of, 60))
    due = [i.due for i in worklist.items if i.kind.value == "refill"]
    assert risk is not None and event.start == risk.recommended_refill_date == refill.refill_date
    assert due == [refill.refill_date]
    assert event.end == refill.refill_date + timedelta(days=1)  # all day
    assert [a["TRIGGER"].dt for a in event.walk("VALARM")] == [timedelta(days=-7), timedelta(days=-1)]
    text = str(event["DESCRIPTION"])
    assert f"refill due by {refill.refill_date.isoformat()}" in text
    assert f"low-reservoir alarm: {refill.analysis.alarm_at.date().isoformat()}" in text
    assert "life-threatening" in text and "[S118]" in text and "not medical advice" in text


def test_the_withdrawal_warning_is_the_domains_cited_text_not_the_adapters() -> None:
    import baclofen.adapters.calendar_ics as calendar_ics
    from baclofen.domain.cds.risk.refill import REFILL_MISSED_WARNING, REFILL_MISSED_WARNING_EVIDENCE, REFILL_OVERDUE
    from baclofen.domain.signs import ITB_WITHDRAWAL

    text = " ".join(
        str(_event(render_refill_calendar(_refill(_clinic(), "2026-03-02"), LONDON))["DESCRIPTION"]).split()
    )

    assert " ".join(REFILL_MISSED_WARNING.split()) in text
    assert set(REFILL_OVERDUE.evidence) | set(ITB_WITHDRAWAL.evidence) == set(REFILL_MISSED_WARNING_EVIDENCE)
    assert all(f"[{source}]" in text for source in REFILL_MISSED_WARNING_EVIDENCE)
    assert not hasattr(calendar_ics, "REFILL_WARNING")


def test_a_reexport_after_a_new_visit_updates_the_same_appointment() -> None:
    services = _clinic()
    refill = _refill(services, "2026-03-02")
    first = _event(render_refill_calendar(refill, LONDON))
    second = _event(render_refill_calendar(_refill(services, "2026-03-25"), LONDON))

    assert render_refill_calendar(refill, LONDON) == render_refill_calendar(refill, LONDON)  # no clock in it
    assert str(first["UID"]) == str(second["UID"])
    assert int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert second["DTSTAMP"].dt > first["DTSTAMP"].dt
    assert second.start > first.start


@pytest.mark.parametrize(
    ("zone", "visits", "offsets"),
    [
        (LONDON, ("2026-03-02", "2026-03-25"), (timedelta(0), timedelta(hours=1))),  # BST from 2026-03-29
        (NEW_YORK, ("2026-02-10", "2026-03-05"), (timedelta(hours=-5), timedelta(hours=-4))),  # EDT from 03-08
    ],
)
def test_an_appointment_time_stays_local_across_the_change(zone, visits, offsets) -> None:
    services = _clinic()
    before = _event(render_refill_calendar(_refill(services, visits[0]), zone, at=time(8, 30)))
    after = _event(render_refill_calendar(_refill(services, visits[1]), zone, at=time(8, 30)))

    assert (before.start.hour, before.start.minute) == (after.start.hour, after.start.minute) == (8, 30)
    assert (before.start.utcoffset(), after.start.utcoffset()) == offsets
    assert str(after["DTSTART"].params["TZID"]) == zone.key
    utc = [e.start.astimezone(UTC).time() for e in (before, after)]
    assert utc[0] != utc[1]  # the instant moves by an hour, the wall clock does not


def test_two_pumps_or_clinics_give_different_uids() -> None:
    services = _clinic({"pump-1": ("P-1", "C-1"), "pump-2": ("P-2", "C-1")})
    one = _event(render_refill_calendar(_refill(services, "2026-03-02", "pump-1"), LONDON))
    two = _event(render_refill_calendar(_refill(services, "2026-03-02", "pump-2"), LONDON))

    assert str(one["UID"]) != str(two["UID"])
    assert "pump-1" not in str(one["UID"]) and "P-1" not in str(one["UID"])  # a digest, not the ids
    assert calendar_key("pump", "C-1", "pump-1") != calendar_key("pump", "C-2", "pump-1")


def test_a_pump_without_a_fill_has_no_appointment() -> None:
    services = _clinic()

    with pytest.raises(InvalidInputError) as err:
        services.forecast_next_refill(ForecastNextRefill("pump-1", datetime(2026, 3, 3, tzinfo=UTC)))

    assert err.value.field == "pump_id" and "fill" in err.value.expected


@pytest.mark.parametrize("days", [[-1], [61], [1, 2, 3, 4, 5, 6], "7"])
def test_bad_reminder_days_are_refused_naming_the_field(days) -> None:
    refill = _refill(_clinic(), "2026-03-02")

    with pytest.raises(InvalidInputError) as err:
        render_refill_calendar(refill, LONDON, reminder_days=days)

    assert err.value.field == "reminder_days"


def test_two_saved_plans_with_the_same_days_never_share_a_uid() -> None:
    plan = plan_titration(start_date=date(2026, 3, 20))
    keys = calendar_key("plan", "C-1", "P-1:plan:0"), calendar_key("plan", "C-1", "P-2:plan:0")

    one, two = (
        {str(e["UID"]) for e in Calendar.from_ical(render_plan_calendar(plan, LONDON, key=k)).walk("VEVENT")}
        for k in keys
    )

    assert one.isdisjoint(two) and len(one) == len(two) == 36


IDS = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,30}", fullmatch=True)


@given(clinic=IDS, pump=IDS, other=IDS)
def test_uids_are_a_function_of_the_ids_only(clinic: str, pump: str, other: str) -> None:
    key = calendar_key("pump", clinic, pump)

    assert key == calendar_key("pump", clinic, pump) and len(key) == 16
    assert refill_uid(key) == f"baclofen-refill-{key}@baclofen"
    if other != pump:
        assert calendar_key("pump", clinic, other) != key
    plan = plan_titration(start_date=date(2026, 3, 20))
    assert dose_uid(plan, date(2026, 3, 21), time(8), key) == dose_uid(plan, date(2026, 3, 21), time(8), key)
