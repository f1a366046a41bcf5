"""The patient's pages in the real browser on a 360 x 740 phone: the demo patient ticks off a dose, opens the
schedule and the guide; axe-core clean, console clean, screenshots kept (``tests/web/artifacts/``). The server,
browser and tab fixtures are those of :mod:`tests.web.test_browser` (skipped with it where there is no Chromium)."""

from __future__ import annotations

import json
import urllib.request
from datetime import date, timedelta
from typing import Any

import pytest

from tests.web.test_browser import Server, Tab, _log_in, browser, server, tab  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def _api(site: Server, path: str, body: dict[str, Any] | None, token: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    data, method = (None, "GET") if body is None else (json.dumps(body).encode(), "POST")
    request = urllib.request.Request(site.url + path, data, headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (the test's own loopback server)
        found: dict[str, Any] = json.loads(answer.read())
        return found


def _token(site: Server, role: str) -> str:
    login = site.logins[role]
    token: str = _api(site, "/api/v1/auth/token", {"username": login["username"], "password": login["password"]})[
        "access_token"
    ]
    return token


def _save_plan(site: Server) -> None:
    """The clinician saves an oral titration for the demo patient through the API (started yesterday)."""
    patient_id = _api(site, "/api/v1/me", None, _token(site, "patient"))["patient_id"]
    token = _token(site, "clinician")
    start = (date.today() - timedelta(days=1)).isoformat()
    body = {"kind": "titration", "start_date": start, "target_mg_per_day": 30}
    _api(site, f"/api/v1/patients/{patient_id}/plans", body, token)


def test_a_patient_on_a_phone_ticks_off_a_dose_and_opens_the_schedule_and_the_guide(
    tab: Tab,  # noqa: F811
    server: Server,  # noqa: F811
) -> None:
    _save_plan(server)
    page = tab.page
    _log_in(tab, server, "patient")
    page.wait_for_selector("h1:has-text('Your day')")
    doses = page.locator("li.me-dose")
    assert doses.count() >= 3
    tab.check("today")

    first = doses.first
    first.get_by_role("button", name="Taken").click()
    page.wait_for_selector("p[role=status]:has-text('recorded as taken')")
    assert "Taken (recorded" in page.locator("li.me-dose").first.inner_text()
    assert page.locator("li.me-dose.me-taken").count() == 1
    tab.check("ticked")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Schedule").click()
    page.wait_for_selector("h1:has-text('My schedule')")
    assert page.locator("li.me-day.me-past").count() >= 1 and page.locator("li.me-today").count() == 1
    assert page.locator(".refill-date").count() == 1
    tab.check("schedule")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Guide").click()
    page.wait_for_selector("article.patient-guide")
    assert page.locator("table.guide-comparison").count() >= 1
    tab.check("guide")
