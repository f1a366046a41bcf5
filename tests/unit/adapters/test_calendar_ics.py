"""The dose calendar (RFC 5545): one event per dose, local times across DST, stable UIDs."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from baclofen.adapters.calendar_ics import DTSTAMP_RULE, calendar_key, plan_document_key, render_plan_calendar
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.oral.plan import Plan
from baclofen.domain.oral.taper import plan_taper
from baclofen.domain.oral.titration import plan_titration

LONDON = ZoneInfo("Europe/London")


def _titration(start: date = date(2026, 3, 20)) -> Plan:
    return plan_titration(start_date=start)  # label schedule: 12 days x 3 doses at 08:00, 14:00, 20:00


def _events(ics: bytes) -> list:
    calendar = Calendar.from_ical(ics)
    return list(calendar.walk("VEVENT"))


def _dose_count(plan: Plan) -> int:
    return sum(step.days * len(step.doses) for step in plan.steps)


def test_the_calendar_parses_back_with_one_event_per_dose() -> None:
    plan = _titration()

    ics = render_plan_calendar(plan, LONDON)

    calendar = Calendar.from_ical(ics)
    assert calendar["PRODID"].startswith("-//baclofen//")
    assert str(calendar["VERSION"]) == "2.0"
    assert len(_events(ics)) == _dose_count(plan) == 36
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/London"]


def test_dst_change_keeps_0800_local_on_both_sides_with_different_utc_offsets() -> None:
    plan = _titration(date(2026, 3, 25))  # clocks go forward in London on 2026-03-29

    events = _events(render_plan_calendar(plan, LONDON))

    mornings = {e.start.date(): e.start for e in events if e.start.hour == 8}
    before, after = mornings[date(2026, 3, 28)], mornings[date(2026, 3, 30)]
    assert (before.hour, before.minute) == (after.hour, after.minute) == (8, 0)
    assert before.utcoffset() == timedelta(0) and after.utcoffset() == timedelta(hours=1)
    assert str(events[0]["DTSTART"].params["TZID"]) == "Europe/London"


def test_the_october_change_keeps_0800_local_too() -> None:
    plan = plan_taper(start_date=date(2026, 10, 20), from_mg_per_day=30)

    events = _events(render_plan_calendar(plan, LONDON))

    utc_hours = {e.start.date(): e.start.astimezone(ZoneInfo("UTC")).hour for e in events if e.start.hour == 8}
    assert utc_hours[date(2026, 10, 24)] == 7 and utc_hours[date(2026, 10, 26)] == 8


def test_uids_are_stable_across_exports_and_unique() -> None:
    plan = _titration()

    first = render_plan_calendar(plan, LONDON)
    second = render_plan_calendar(Plan.from_dict(plan.to_dict()), LONDON)

    uids = [str(e["UID"]) for e in _events(first)]
    assert first == second  # DTSTAMP comes from the plan, not the clock
    assert len(set(uids)) == len(uids)
    assert "20260320T0800" in uids[0]


def test_a_revised_plan_under_the_same_key_keeps_the_uids_so_a_reimport_updates() -> None:
    plan = _titration()
    revised = plan_titration(start_date=date(2026, 3, 20), start_dose_mg=10)
    key = calendar_key("plan", "C-1", "P-1:plan:0")

    old = {str(e["UID"]) for e in _events(render_plan_calendar(plan, LONDON, key=key))}
    new = {str(e["UID"]) for e in _events(render_plan_calendar(revised, LONDON, key=key))}

    assert new <= old  # the same days and times: the same UIDs


def test_without_a_key_the_uids_are_keyed_by_the_plan_document() -> None:
    plan = _titration()
    revised = plan_titration(start_date=date(2026, 3, 20), start_dose_mg=10)

    old = {str(e["UID"]) for e in _events(render_plan_calendar(plan, LONDON))}
    new = {str(e["UID"]) for e in _events(render_plan_calendar(revised, LONDON))}

    assert old.isdisjoint(new)  # two documents (two patients' plans alike) never collide
    assert all(plan_document_key(plan) in uid for uid in old)


@pytest.mark.parametrize("key", ["", "P-1", "0123456789ABCDEF", "0123456789abcdeff"])
def test_a_key_that_is_no_digest_is_refused(key: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        render_plan_calendar(_titration(), LONDON, key=key)

    assert err.value.field == "key"


def test_every_dose_appears_with_its_unit_and_what_to_take() -> None:
    plan = _titration()

    events = _events(render_plan_calendar(plan, LONDON))

    expected = [
        f"Baclofen {dose.dose_mg:g} mg ({dose.dispensed.text})"
        for step in plan.steps
        for _ in step.dates()
        for dose in step.doses
    ]
    assert [str(e["SUMMARY"]) for e in events] == expected
    assert str(events[0]["SUMMARY"]) == "Baclofen 5 mg (1/2 x 10 mg tablet)"


def test_description_names_the_step_and_the_disclaimer_and_each_event_has_a_reminder() -> None:
    plan = _titration()

    events = _events(render_plan_calendar(plan, LONDON, reminder_minutes=15))

    text = str(events[0]["DESCRIPTION"])
    assert f"Step 1 of {len(plan.steps)}" in text and "not medical advice" in text
    alarms = list(events[0].walk("VALARM"))
    assert len(alarms) == 1 and alarms[0]["TRIGGER"].dt == timedelta(minutes=-15)
    assert DTSTAMP_RULE  # the rule is documented


@pytest.mark.parametrize("minutes", [-1, 10081])
def test_a_reminder_out_of_range_is_refused_naming_the_field(minutes: int) -> None:
    with pytest.raises(InvalidInputError) as err:
        render_plan_calendar(_titration(), LONDON, reminder_minutes=minutes)

    assert err.value.field == "reminder_minutes"


def test_new_york_march_change_keeps_0800_local_and_moves_the_utc_instant() -> None:
    plan = _titration(date(2026, 3, 5))  # clocks go forward in New York on 2026-03-08
    new_york = ZoneInfo("America/New_York")

    events = _events(render_plan_calendar(plan, new_york))

    mornings = {e.start.date(): e.start for e in events if e.start.hour == 8}
    before, after = mornings[date(2026, 3, 7)], mornings[date(2026, 3, 9)]
    assert (before.hour, after.hour) == (8, 8)
    assert before.astimezone(ZoneInfo("UTC")).hour == 13 and after.astimezone(ZoneInfo("UTC")).hour == 12
    assert str(events[0]["DTSTART"].params["TZID"]) == "America/New_York"
