"""The pages' download links in-process: the same bytes, scope and audit as the API's, in the clinic's zone, behind
the session (a visitor not logged in gets the login page, a patient only their own)."""

from __future__ import annotations

import re

from icalendar import Calendar

from tests.web.conftest import Site
from tests.web.test_patient_views import _save_plan


def _link(page: str, label: str) -> str:
    found = re.search(rf'href="([^"]+)"[^>]*>{re.escape(label)}</a>', page)
    assert found is not None, f"no link {label!r}"
    return found.group(1)


def test_the_saved_plan_page_offers_its_calendar_in_the_clinics_zone(site: Site) -> None:
    _save_plan(site)
    patient_id = site.logins["patient"].patient_id
    with site.services.uow as uow:
        plan_id = uow.plans.for_patient(patient_id)[-1].plan_id
    site.login("clinician")

    href = _link(site.client.get(f"/plans/{plan_id}").text, "Add to calendar (.ics)")
    answer = site.client.get(href)

    assert answer.status_code == 200 and answer.headers["content-type"] == "text/calendar; charset=utf-8"
    assert answer.headers["content-disposition"] == f'attachment; filename="plan-{plan_id}.ics"'
    assert answer.headers["cache-control"] == "no-store"
    events = list(Calendar.from_ical(answer.content).walk("VEVENT"))
    assert events and {str(e["DTSTART"].params["TZID"]) for e in events} == {"Europe/Paris"}
    assert [e.outcome.value for e in site.services.audit.entries() if e.action == "plan.calendar"] == ["success"]


def test_a_patient_downloads_their_own_schedule_and_refill_but_not_anothers(site: Site) -> None:
    _save_plan(site)
    patient_id = site.logins["patient"].patient_id
    with site.services.uow as uow:
        own_pump = uow.pumps.for_patient(patient_id)[-1].pump_id
        other = next(p for p in ("P-0002", "P-0003", "P-0004") if uow.pumps.for_patient(p))
        other_pump = uow.pumps.for_patient(other)[-1].pump_id
    anonymous = site.client.get(f"/pumps/{own_pump}/refills.ics")
    site.login("patient")

    schedule = site.client.get("/schedule").text
    plan = site.client.get(_link(schedule, "Add to calendar (.ics)"))
    refill = site.client.get(_link(schedule, "Refill appointment (.ics)"))
    theirs = site.client.get(f"/pumps/{other_pump}/refills.ics")
    diary = site.client.get(f"/patients/{other}/diary.csv")

    assert "Log in" in anonymous.text and "BEGIN:VCALENDAR" not in anonymous.text
    assert plan.status_code == refill.status_code == 200
    assert len(list(Calendar.from_ical(refill.content).walk("VEVENT"))) == 1
    assert theirs.status_code == diary.status_code == 404 and "text/html" in theirs.headers["content-type"]


def test_the_clinicians_patient_page_offers_both_csv_files(site: Site) -> None:
    site.login("nurse")
    patient_id = site.logins["patient"].patient_id

    page = site.client.get(f"/patients/{patient_id}").text
    diary = site.client.get(_link(page, "Diary (CSV)"))
    visits = site.client.get(_link(page, "Refill history (CSV)"))

    assert diary.headers["content-type"] == visits.headers["content-type"] == "text/csv; charset=utf-8"
    assert diary.text.startswith("entry_id,") or "recorded_at" in diary.text.splitlines()[0]
    assert 'action="/pumps/' in page and "Refill appointment (.ics)" in page
