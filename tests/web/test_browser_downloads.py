"""The download buttons in a real browser (Chromium through Playwright, axe-core injected, console errors fail): a
nurse downloads a pump patient's diary and refill history as CSV and the next refill appointment at a chosen time as
a calendar from the patient page; the patient downloads their own plan and refill calendars from their schedule.
Each download is parsed back (``csv``, ``icalendar``).

The browser, tab and server are those of :mod:`tests.web.test_browser_patient_pages` (a SQLite demo clinic whose
pump patients with a diary also have a saved oral plan)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from tests.web.test_browser import Tab
from tests.web.test_browser_patient_pages import WITH_PLAN, _log_in, browser, server, tab

__all__ = ["browser", "server", "tab"]  # the fixtures of the browser modules, used here

pytestmark = pytest.mark.browser


def _download(page: Any, click: Any) -> tuple[str, bytes]:
    """Click, wait for the download; its suggested file name and bytes."""
    with page.expect_download() as info:
        click()
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_a_nurse_downloads_the_diary_refill_history_and_refill_appointment(tab: Tab, server: Any) -> None:
    _log_in(tab, server, "nurse")
    page = tab.page
    patient = sorted(WITH_PLAN)[0]
    page.goto(f"{server.url}/patients/{patient}")
    page.wait_for_selector("h2:has-text('Downloads')")
    tab.check("downloads")

    name, diary = _download(page, page.get_by_role("link", name="Diary (CSV)").click)
    rows = list(csv.DictReader(io.StringIO(diary.decode("utf-8"), newline="")))
    assert name == f"diary-{patient}.csv" and rows and "recorded_at" in rows[0]

    name, visits = _download(page, page.get_by_role("link", name="Refill history (CSV)").click)
    assert name.startswith("visits-") and list(csv.DictReader(io.StringIO(visits.decode("utf-8"), newline="")))

    page.get_by_label("Appointment time (optional, clinic time)").fill("09:30")
    name, ics = _download(page, page.get_by_role("button", name="Refill appointment (.ics)").click)
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    assert name.startswith("refill-") and name.endswith(".ics")
    assert (event.start.hour, event.start.minute) == (9, 30)
    refill_date = page.locator(".refill-date").first.inner_text()
    assert f"refill due by {event.start.date().isoformat()}" in str(event["DESCRIPTION"])
    assert len(event.walk("VALARM")) == 2 and refill_date


def test_a_patient_adds_their_plan_and_refill_to_their_calendar(tab: Tab, server: Any) -> None:
    page = tab.page
    page.goto(server.url + "/login")
    page.get_by_label("Username").fill(server.logins["patient"]["username"])
    page.get_by_label("Password").fill(server.logins["patient"]["password"])
    page.get_by_label("Password").press("Enter")
    page.wait_for_selector("h1:has-text('Your day')")
    page.goto(server.url + "/schedule")
    page.wait_for_selector("h1:has-text('My schedule')")
    tab.check("schedule")

    names = []
    for link in ("Add to calendar (.ics)", "Refill appointment (.ics)"):
        if page.get_by_role("link", name=link).count():
            name, ics = _download(page, page.get_by_role("link", name=link).click)
            events = list(Calendar.from_ical(ics).walk("VEVENT"))
            assert events and all(str(e["UID"]).endswith("@baclofen") for e in events)
            names.append(name)
    # the demo patient's login is P-0001's, a pump patient; its plan was saved when its record allowed it
    expected = ["refill-"] if "P-0001" not in WITH_PLAN else ["plan-", "refill-"]
    assert [n.split("-")[0] + "-" for n in names] == expected, names
