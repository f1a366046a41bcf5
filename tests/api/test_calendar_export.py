"""Calendars through the API (issue 13 item 4): a pump's next refill appointment, a saved plan's doses and a plan
document's doses as ``text/calendar`` downloads, under the same scope and audit as the JSON routes."""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar

from baclofen.services.commands import AssessPatientRisk

VISIT = {"concentration_mcg_per_ml": 500, "daily_dose_mcg": 300}


def _fill(api, day: str, pump: str = "pump-1") -> None:
    r = api.client.post(f"/api/v1/pumps/{pump}/visits", json={**VISIT, "refilled": day}, headers=api.auth("nurse1"))
    assert r.status_code == 201, r.text


def _events(response) -> list:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def test_a_patient_downloads_their_pumps_next_refill_the_worklists_date(api) -> None:
    _fill(api, "2026-03-02")
    before = len(api.services.audit.entries())

    own = api.client.get("/api/v1/pumps/pump-1/refills.ics", headers=api.auth("pat1"))
    other = api.client.get("/api/v1/pumps/pump-2/refills.ics", headers=api.auth("pat1"))

    (event,) = _events(own)
    pump = api.services.assess_patient_risk(AssessPatientRisk("P-1", api.clock.now())).assessment.pump
    assert pump is not None and event.start == pump.recommended_refill_date  # all day, the worklist's date
    assert own.headers["content-disposition"] == 'attachment; filename="refill-pump-1.ics"'
    assert "life-threatening" in str(event["DESCRIPTION"])
    assert other.status_code == 404
    entries = api.audit_since(before)
    assert [(e.action, e.target, e.outcome.value) for e in entries] == [
        ("pump.calendar", "pump:pump-1", "success"),
        ("pump.calendar", "pump:pump-2", "denied"),
    ]


def test_a_reexport_after_a_new_visit_keeps_the_uid_and_the_time_stays_local(api) -> None:
    query = {"time": "08:00", "zone": "America/New_York", "reminder_days": [3]}
    url = "/api/v1/pumps/pump-1/refills.ics"
    _fill(api, "2026-02-10")
    first = _events(api.client.get(url, params=query, headers=api.auth("clin1")))[0]
    api.clock.advance(days=4)
    _fill(api, "2026-03-05")
    second = _events(api.client.get(url, params=query, headers=api.auth("clin1")))[0]

    assert str(first["UID"]) == str(second["UID"]) and int(second["SEQUENCE"]) > int(first["SEQUENCE"])
    assert first.start.date() < date(2026, 3, 8) < second.start.date()  # EDT from 2026-03-08
    assert (first.start.hour, second.start.hour) == (8, 8)
    assert (first.start.utcoffset(), second.start.utcoffset()) == (timedelta(hours=-5), timedelta(hours=-4))
    assert [a["TRIGGER"].dt for a in second.walk("VALARM")] == [timedelta(days=-3)]


def test_bad_calendar_options_and_a_pump_without_a_fill_are_422_naming_the_field(memory_api) -> None:
    api = memory_api
    headers = api.auth("clin1")

    no_fill = api.client.get("/api/v1/pumps/pump-1/refills.ics", headers=headers)
    _fill(api, "2026-03-02")
    bad_time = api.client.get("/api/v1/pumps/pump-1/refills.ics", params={"time": "25:00"}, headers=headers)
    bad_zone = api.client.get("/api/v1/pumps/pump-1/refills.ics", params={"zone": "Mars/Olympus"}, headers=headers)
    bad_days = api.client.get("/api/v1/pumps/pump-1/refills.ics", params={"reminder_days": 90}, headers=headers)

    for response, field in ((no_fill, "pump_id"), (bad_time, "time"), (bad_zone, "zone"), (bad_days, "reminder_days")):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert field in response.text


def test_a_saved_plans_calendar_is_keyed_by_the_plan_and_a_patient_gets_their_own(api) -> None:
    body = {"kind": "titration", "start_date": "2026-03-25"}
    saved = api.client.post("/api/v1/patients/P-1/plans", json=body, headers=api.auth("clin1")).json()
    other = api.client.post("/api/v1/patients/P-2/plans", json=body, headers=api.auth("clin1")).json()
    url = "/api/v1/patients/{}/plans/{}/calendar.ics"

    own = api.client.get(
        url.format("P-1", saved["plan_id"]), params={"zone": "Europe/London"}, headers=api.auth("pat1")
    )
    again = api.client.get(
        url.format("P-1", saved["plan_id"]), params={"zone": "Europe/London"}, headers=api.auth("clin1")
    )
    theirs = api.client.get(
        url.format("P-2", other["plan_id"]), params={"zone": "Europe/London"}, headers=api.auth("clin1")
    )
    mixed = api.client.get(url.format("P-1", other["plan_id"]), headers=api.auth("pat1"))

    events = _events(own)
    assert own.content == again.content  # the same plan, the same bytes, whoever downloads it
    assert {str(e["UID"]) for e in events}.isdisjoint(str(e["UID"]) for e in _events(theirs))
    mornings = {e.start.date(): e.start for e in events if e.start.hour == 8}
    assert mornings[date(2026, 3, 28)].utcoffset() == timedelta(0)  # GMT
    assert mornings[date(2026, 3, 30)].utcoffset() == timedelta(hours=1)  # BST, still 08:00
    assert mixed.status_code == 404
    actions = [(e.action, e.outcome.value) for e in api.services.audit.entries(actor="patient:pat1")]
    assert ("plan.calendar", "success") in actions and ("plan.calendar", "denied") in actions


def test_a_plan_document_becomes_a_calendar_without_storing_anything(memory_api) -> None:
    api = memory_api
    headers = api.auth("clin1")
    plan = api.client.post("/api/v1/plans/titration", json={"start_date": "2026-10-20"}, headers=headers)
    assert plan.status_code == 200, plan.text
    body = {"plan": plan.json(), "zone": "Europe/London", "reminder_minutes": 5}

    first = api.client.post("/api/v1/calendar", json=body, headers=headers)
    second = api.client.post("/api/v1/calendar", json=body, headers=api.auth("pat1"))
    broken = api.client.post("/api/v1/calendar", json={**body, "plan": {"steps": []}}, headers=headers)
    admin = api.client.post("/api/v1/calendar", json=body, headers=api.auth("admin1"))

    events = _events(first)
    assert len(events) == 36 and first.content == second.content
    assert {(e.start.hour, e.start.minute) for e in events} == {(8, 0), (14, 0), (20, 0)}
    assert "attachment" in first.headers["content-disposition"]
    assert broken.status_code == 422 and "plan" in broken.text
    assert admin.status_code == 403


def test_without_zone_a_clinic_clock_without_an_iana_zone_is_422_naming_zone(memory_api) -> None:
    api = memory_api  # the test clinic's clock is datetime.UTC: an offset, not a named zone
    headers = api.auth("clin1")
    _fill(api, "2026-03-02")
    saved = api.client.post(
        "/api/v1/patients/P-1/plans", json={"kind": "titration", "start_date": "2026-03-25"}, headers=headers
    ).json()
    plan = api.client.post("/api/v1/plans/titration", json={"start_date": "2026-10-20"}, headers=headers).json()

    timed = api.client.get("/api/v1/pumps/pump-1/refills.ics", params={"time": "08:00"}, headers=headers)
    doses = api.client.get(f"/api/v1/patients/P-1/plans/{saved['plan_id']}/calendar.ics", headers=headers)
    document = api.client.post("/api/v1/calendar", json={"plan": plan}, headers=headers)
    all_day = api.client.get("/api/v1/pumps/pump-1/refills.ics", headers=headers)  # a date needs no zone

    for response in (timed, doses, document):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert "zone" in response.text
    assert all_day.status_code == 200, all_day.text


def test_a_revised_saved_plan_updates_the_same_events_and_cancels_the_dropped_doses(api) -> None:
    from tests.unit.adapters.test_calendar_ics import check_revision_updates

    headers, params = api.auth("clin1"), {"zone": "Europe/Paris"}
    url = "/api/v1/patients/P-1/plans/{}/calendar.ics"
    body = {"kind": "titration", "start_date": "2026-03-25"}
    first = api.client.post("/api/v1/patients/P-1/plans", json=body, headers=headers).json()
    before = api.client.get(url.format(first["plan_id"]), params=params, headers=headers)
    api.clock.advance(hours=2)
    headers = api.auth("clin1")
    revised = {**body, "dose_times": ["08:00", "14:00", "21:00"], "start_dose_mg": 10}
    second = api.client.post("/api/v1/patients/P-1/plans", json=revised, headers=headers)
    assert second.status_code == 201, second.text
    after = api.client.get(url.format(second.json()["plan_id"]), params=params, headers=headers)
    _events(before), _events(after)

    events = check_revision_updates(before.content, after.content)
    cancelled = [e for e in events.values() if str(e.get("STATUS")) == "CANCELLED"]
    assert cancelled and {e.start.hour for e in cancelled} >= {20}
    assert all(e["DTSTAMP"].dt == api.clock.now().replace(microsecond=0) for e in cancelled)


def test_the_refill_reminders_default_to_the_clinics_settings_and_the_request_wins(memory_api) -> None:
    api = memory_api
    url = "/api/v1/pumps/pump-1/refills.ics"
    _fill(api, "2026-03-02")
    default = _events(api.client.get(url, headers=api.auth("clin1")))[0]
    for name, value in (("pump.refill_reminder_early_days", 14), ("pump.refill_reminder_late_days", 2)):
        r = api.client.put(
            f"/api/v1/clinic/settings/{name}",
            json={"value": value, "reason": "our booking"},
            headers=api.auth("admin1"),
        )
        assert r.status_code == 200, r.text

    clinic = _events(api.client.get(url, headers=api.auth("clin1")))[0]
    asked = _events(api.client.get(url, params={"reminder_days": [3]}, headers=api.auth("clin1")))[0]

    assert [a["TRIGGER"].dt for a in default.walk("VALARM")] == [timedelta(days=-7), timedelta(days=-1)]
    assert [a["TRIGGER"].dt for a in clinic.walk("VALARM")] == [timedelta(days=-14), timedelta(days=-2)]
    assert [a["TRIGGER"].dt for a in asked.walk("VALARM")] == [timedelta(days=-3)]
