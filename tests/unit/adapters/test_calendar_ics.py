"""The dose calendar (RFC 5545): one event per dose, local times across DST, stable UIDs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from baclofen.adapters.calendar_ics import (
    DTSTAMP_RULE,
    PlanRevision,
    calendar_key,
    plan_document_key,
    render_plan_calendar,
)
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


def _by_uid(ics: bytes) -> dict:
    return {str(e["UID"]): e for e in _events(ics)}


def _content(event) -> tuple:
    return tuple(str(event.get(name)) for name in ("STATUS", "SUMMARY", "DESCRIPTION", "DTSTART"))


def check_revision_updates(first: bytes, second: bytes) -> dict:
    """Every event of ``first`` is in ``second``: byte-identical where its content is unchanged, else with a higher
    SEQUENCE and a later DTSTAMP (RFC 5545 3.8.7.4, RFC 5546 2.1.5: a calendar keeps the newer copy). Returns
    ``second``'s events by UID."""
    old, new = _by_uid(first), _by_uid(second)
    assert set(old) <= set(new), "an event of the earlier revision is left behind (neither updated nor cancelled)"
    for uid, before in old.items():
        after = new[uid]
        if _content(before) == _content(after):
            assert before.to_ical() == after.to_ical(), uid
        else:
            assert int(after.get("SEQUENCE", 0)) > int(before.get("SEQUENCE", 0)), uid
            assert after["DTSTAMP"].dt > before["DTSTAMP"].dt, uid
    return new


T0, T1 = datetime(2026, 3, 19, 9, tzinfo=UTC), datetime(2026, 3, 22, 10, 30, tzinfo=UTC)
KEY = calendar_key("plan-key", "P-1")


def test_a_revision_cancels_the_doses_it_drops_adds_its_own_and_leaves_the_rest_byte_identical() -> None:
    plan = _titration()
    revised = plan_titration(start_date=date(2026, 3, 20), dose_times=(time(8), time(14), time(21)))

    first = render_plan_calendar(plan, LONDON, key=KEY, made_at=T0)
    second = render_plan_calendar(revised, LONDON, key=KEY, made_at=T1, earlier=(PlanRevision(plan, T0),))

    events = check_revision_updates(first, second)
    old = _by_uid(first)
    cancelled = [e for e in events.values() if str(e.get("STATUS")) == "CANCELLED"]
    assert len(cancelled) == 12 and {(e.start.hour, e.start.minute) for e in cancelled} == {(20, 0)}
    assert all(int(e["SEQUENCE"]) == 1 and e["DTSTAMP"].dt == T1 and not e.walk("VALARM") for e in cancelled)
    kept = [uid for uid, e in events.items() if uid in old and e.start.hour in (8, 14)]
    assert len(kept) == 24 and all(events[uid].to_ical() == old[uid].to_ical() for uid in kept)
    added = [e for uid, e in events.items() if uid not in old]
    assert len(added) == 12 and all(e.start.hour == 21 and int(e.get("SEQUENCE", 0)) == 0 for e in added)
    assert all(e["DTSTAMP"].dt == T1 for e in added)
    assert all(e["DTSTAMP"].dt == T0 for uid, e in events.items() if uid in kept)


def test_a_revision_that_changes_the_doses_raises_sequence_and_dtstamp_of_each_changed_event() -> None:
    plan = _titration()
    revised = plan_titration(start_date=date(2026, 3, 20), start_dose_mg=10)

    first = render_plan_calendar(plan, LONDON, key=KEY, made_at=T0)
    second = render_plan_calendar(revised, LONDON, key=KEY, made_at=T1, earlier=(PlanRevision(plan, T0),))

    events = check_revision_updates(first, second)
    changed = [e for uid, e in events.items() if uid in _by_uid(first) and str(e.get("STATUS")) != "CANCELLED"]
    assert changed and all(int(e["SEQUENCE"]) == 1 and e["DTSTAMP"].dt == T1 for e in changed)
    last = max(d for step in revised.steps for d in step.dates())
    assert all(str(e["STATUS"]) == "CANCELLED" for e in events.values() if e.start.date() > last)
    assert "revised" in " ".join(str(e["DESCRIPTION"]) for e in events.values() if str(e.get("STATUS")) == "CANCELLED")


def test_a_third_revision_counts_each_events_own_changes_and_keeps_a_cancelled_dose_cancelled() -> None:
    one = _titration()
    two = plan_titration(start_date=date(2026, 3, 20), dose_times=(time(8), time(14), time(21)))
    three = plan_titration(start_date=date(2026, 3, 20), dose_times=(time(8), time(14), time(21)), start_dose_mg=10)
    t2 = datetime(2026, 3, 23, 8, tzinfo=UTC)
    history = (PlanRevision(one, T0), PlanRevision(two, T1))

    second = render_plan_calendar(two, LONDON, key=KEY, made_at=T1, earlier=history[:1])
    third = render_plan_calendar(three, LONDON, key=KEY, made_at=t2, earlier=history)

    events = check_revision_updates(second, third)
    eight_pm = [e for e in events.values() if e.start.hour == 20]
    assert eight_pm and all(int(e["SEQUENCE"]) == 1 and e["DTSTAMP"].dt == T1 for e in eight_pm)  # as cancelled


def test_without_times_of_revision_dtstamp_still_grows_from_one_revision_to_the_next() -> None:
    plan = _titration()
    revised = plan_titration(start_date=date(2026, 3, 20), start_dose_mg=10)

    first = render_plan_calendar(plan, LONDON, key=KEY)
    second = render_plan_calendar(revised, LONDON, key=KEY, earlier=(PlanRevision(plan),))

    check_revision_updates(first, second)
    assert {e["DTSTAMP"].dt for e in _events(first)} == {datetime(2026, 3, 20, tzinfo=UTC)}


def test_a_revision_starting_later_leaves_the_days_before_it_alone() -> None:
    plan = _titration()
    revised = plan_titration(start_date=date(2026, 3, 26), start_dose_mg=10)

    events = _by_uid(render_plan_calendar(revised, LONDON, key=KEY, made_at=T1, earlier=(PlanRevision(plan, T0),)))

    cancelled = [e for e in events.values() if str(e.get("STATUS")) == "CANCELLED"]
    assert cancelled and min(e.start.date() for e in cancelled) == date(2026, 3, 26)
    assert all(e.start.date() >= date(2026, 3, 26) for e in events.values())  # the past doses are history


@pytest.mark.parametrize(
    ("zone", "day", "clock", "utc", "note"),
    [
        (
            "Europe/Paris",
            date(2027, 3, 28),
            time(2, 30),
            datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
            "take at 03:30 local",
        ),
        (
            "America/New_York",
            date(2027, 3, 14),
            time(2, 30),
            datetime(2027, 3, 14, 7, 30, tzinfo=UTC),
            "take at 03:30 local",
        ),
        ("Europe/Paris", date(2027, 10, 31), time(2, 30), datetime(2027, 10, 31, 0, 30, tzinfo=UTC), "the first 02:30"),
        (
            "America/New_York",
            date(2027, 11, 7),
            time(1, 30),
            datetime(2027, 11, 7, 5, 30, tzinfo=UTC),
            "the first 01:30",
        ),
    ],
)
def test_a_dose_at_a_local_time_the_clock_change_skips_or_repeats_carries_a_note(
    zone: str, day: date, clock: time, utc: datetime, note: str
) -> None:
    """RFC 5545 3.3.5: a nonexistent local time is read with the offset before the gap (the same time after it,
    03:30 for 02:30), an ambiguous one is its first occurrence; the event says so to the patient."""
    plan = plan_titration(start_date=day - timedelta(days=2), dose_times=(clock, time(14), time(20)))

    events = _events(render_plan_calendar(plan, ZoneInfo(zone)))

    night = [
        e for e in events if e.start.date() == day and (e.start.hour, e.start.minute) == (clock.hour, clock.minute)
    ]
    assert len(night) == 1
    (event,) = night
    assert event.start.astimezone(UTC) == utc
    text = " ".join(str(event["DESCRIPTION"]).split())
    assert "Clocks change tonight" in text and note in text
    others = [e for e in events if e is not event]
    assert not any("Clocks change" in str(e["DESCRIPTION"]) for e in others)
