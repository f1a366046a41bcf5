"""The planner pages in a real browser (the server, Chromium, axe-core and console checks of
``tests/web/test_browser.py``): a clinician plans a taper for a demo patient with the keyboard, checks it, reads its
findings, saves it and sees the saved plan."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_browser import PHONE, Server, Tab, _log_in, browser, server, tab

pytestmark = pytest.mark.browser

__all__ = ["browser", "server", "tab"]  # the fixtures this module uses


def _focus(page: Any, element_id: str, limit: int = 40) -> None:
    """Tab forward until the element ``element_id`` has the focus (the keyboard only)."""
    for _ in range(limit):
        if page.evaluate("document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"the keyboard never reached #{element_id}")


def _focus_button(page: Any, text: str, limit: int = 60) -> None:
    for _ in range(limit):
        focused = page.evaluate("[document.activeElement.tagName, document.activeElement.textContent]")
        if focused[0] == "BUTTON" and focused[1].strip() == text:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"the keyboard never reached the button {text!r}")


def test_a_clinician_plans_checks_and_saves_a_taper_with_the_keyboard(tab: Tab, server: Server) -> None:
    page = tab.page
    _log_in(tab, server, "clinician")
    page.wait_for_selector("h1:has-text('Clinic worklist')")
    patient_id = server.logins["patient"].get("patient_id") or "P-0001"  # the demo patient with a login

    page.goto(f"{server.url}/patients/{patient_id}/plans/new?kind=taper")
    page.wait_for_selector("h1:has-text('Oral taper')")
    tab.check("taper-form")
    _focus(page, "from_mg_per_day")
    page.keyboard.type("30")
    page.keyboard.press("Tab")
    page.keyboard.type("0")
    _focus(page, "doses_per_day")
    page.keyboard.type("3")
    page.keyboard.press("Enter")  # the form's first button: Check

    page.wait_for_selector("h2:has-text('Checked plan (not saved)')")
    assert page.locator("table.planner-steps tbody tr").count() >= 2
    assert "mg/day" in page.inner_text("table.planner-steps")
    findings = page.locator("li.planner-finding")
    assert findings.count() >= 1
    first = findings.first.inner_text()
    assert "Reasoning" in first and "Sources" in first
    tab.check("taper-checked")
    page.set_viewport_size(PHONE)  # the same page on a phone: no sideways scrolling, axe clean
    tab.check("taper-checked-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    _focus_button(page, "Save this plan")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Saved taper plan')")
    assert page.url.startswith(f"{server.url}/plans/")
    assert "clinician:" in page.inner_text("dl.planner-meta")
    assert page.locator("table.planner-steps tbody tr").count() >= 2
    assert page.locator("table.planner-settings tbody tr").count() >= 1
    tab.check("taper-saved")
