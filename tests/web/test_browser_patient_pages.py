"""The patient page in a real browser (Chromium through Playwright, axe-core injected, console errors fail): a nurse
goes from the worklist to a demo patient with a pump, and sees the reservoir, exposure and diary charts, each an
``svg`` of ``role="img"`` with its title and description, at desktop width and at 360 px.

The browser, tab and helpers are those of :mod:`tests.web.test_browser`; this module's server is a SQLite demo clinic
whose first pump patient also has a saved oral plan (the demo clinic saves none), so that all three charts draw.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.web.test_browser import PHONE, SECRET, Server, Tab, _cli, _free_port, browser, tab

__all__ = ["browser", "tab"]  # the fixtures of tests.web.test_browser, used here

pytestmark = pytest.mark.browser
#: The pump patients with a diary the server's clinic saved an oral plan for.
WITH_PLAN: set[str] = set()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    import uvicorn

    from baclofen.bootstrap import bootstrap
    from baclofen.domain.errors import ConflictError
    from baclofen.entrypoints.api import ApiSettings
    from baclofen.entrypoints.web import create_site
    from baclofen.services.commands import PlanTitration, SavePlan

    url = f"sqlite:///{tmp_path_factory.mktemp('web-patient') / 'demo.sqlite3'}"
    _cli("db", "upgrade", "--database-url", url)
    written = json.loads(_cli("demo-data", "--database-url", url, "--json"))
    logins = {x["role"]: x for x in written["logins"]}
    services = bootstrap(database_url=url)
    as_of = datetime.fromisoformat(written["as_of"])
    plan = PlanTitration((as_of - timedelta(days=10)).date(), target_mg_per_day=30)
    for n in range(1, 16):  # the demo clinic's pump patients (P-0001 to P-0015) who keep a diary
        with services.uow as uow:
            if not uow.diary.for_patient(f"P-{n:04d}"):
                continue
        try:
            services.save_plan(SavePlan(f"P-{n:04d}", plan, "clinician:browser-test", as_of))
        except ConflictError:  # a plan the patient's record blocks: not saved
            continue
        WITH_PLAN.add(f"P-{n:04d}")
    app = create_site(services, ApiSettings(secret_key=SECRET))
    port = _free_port()
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", logins)
    running.should_exit = True
    thread.join(timeout=10)


def _log_in(tab: Tab, server: Server, role: str) -> None:
    page = tab.page
    page.goto(server.url + "/login")
    page.get_by_label("Username").fill(server.logins[role]["username"])
    page.get_by_label("Password").fill(server.logins[role]["password"])
    page.get_by_label("Password").press("Enter")
    page.wait_for_url("**/worklist")


def _charts(tab: Tab) -> list[dict[str, Any]]:
    script = """() => [...document.querySelectorAll('figure.chart svg[role="img"]')].map(svg => ({
        title: svg.querySelector('title')?.textContent || '',
        desc: svg.querySelector('desc')?.textContent || '',
        labelledby: svg.getAttribute('aria-labelledby') || '',
        width: svg.getBoundingClientRect().width,
    }))"""
    charts: list[dict[str, Any]] = tab.page.evaluate(script)
    return charts


def test_a_nurse_opens_a_pump_patient_from_the_worklist_and_sees_the_three_charts(tab: Tab, server: Server) -> None:
    _log_in(tab, server, "nurse")
    page = tab.page
    pump_items = page.locator("ol.worklist > li a.patient-link", has_text="pump")
    hrefs = [pump_items.nth(i).get_attribute("href") for i in range(pump_items.count())]
    chosen = next(h for h in hrefs if h is not None and h.rsplit("/", 1)[1] in WITH_PLAN)
    page.locator(f'ol.worklist > li a.patient-link[href="{chosen}"]').first.click()
    page.wait_for_url("**" + chosen)
    page.wait_for_selector("h1:has-text('Patient P-')")

    charts = _charts(tab)
    assert [c["title"].split(":")[0].split(" ")[0] for c in charts] == ["Reservoir", "Plan", "Diary"], charts
    assert all(c["title"] and c["desc"] and c["labelledby"] for c in charts)
    # the dates said beside the reservoir chart are those of its description
    assert page.locator(".alarm-date").inner_text() in charts[0]["desc"]
    assert page.locator(".empty-date").inner_text() in charts[0]["desc"]
    tab.check("desktop")

    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_selector("h1:has-text('Patient P-')")
    assert all(0 < c["width"] <= PHONE["width"] for c in _charts(tab))
    tab.check("phone")
