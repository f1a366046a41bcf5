"""The refill visit in a real browser (the fixtures of :mod:`tests.web.test_browser`: the real server over a SQLite
demo clinic, Debian's Chromium, axe-core, console errors fail): a nurse opens a due refill from the worklist, types the
aspirated residual and sees the discrepancy before recording, records the visit and reads its record."""

from __future__ import annotations

import re
from typing import Any

from tests.web.test_browser import PHONE, Server, Tab, _log_in, browser, server, tab  # noqa: F401 (fixtures)

__all__ = ["browser", "server", "tab"]


def test_a_nurse_records_a_refill_and_sees_the_discrepancy_before_saving(tab: Tab, server: Server) -> None:
    page: Any = tab.page
    _log_in(tab, server, "nurse")
    page.wait_for_selector("h1:has-text('Clinic worklist')")
    page.goto(server.url + "/worklist?kind=refill")
    # a refill that is due (an overdue pump may be empty: nothing expected, no percentage)
    link = page.locator("ol.worklist > li:not(:has(.urgency-overdue)) a[href$='/refill']").first
    pump_id = re.sub(r".*pumps/([\w-]+)/refill$", r"\1", link.get_attribute("href"))
    link.click()
    page.wait_for_selector(f"h1:has-text('Refill visit: pump {pump_id}')")
    tab.check("refill-form")
    page.set_viewport_size(PHONE)
    tab.check("refill-form-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # typing the aspirated residual shows the expected residual and the discrepancy (htmx), nothing submitted yet
    page.get_by_label("Residual aspirated (mL)").type("3.1")
    discrepancy = page.locator("#refill-preview .discrepancy")
    discrepancy.wait_for()
    assert re.search(r"[+-]\d+\.\d\d mL \([+-]\d+\.\d %\)", discrepancy.inner_text())
    assert "Expected residual" in page.inner_text("#refill-preview")
    assert page.url.endswith(f"/pumps/{pump_id}/refill")
    next_refill = page.inner_text("#refill-preview .next-refill")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", next_refill.strip())
    tab.check("refill-preview")

    page.get_by_role("button", name="Record the visit").click()
    page.wait_for_selector("h1:has-text('Refill visit record')")
    assert re.search(rf"/pumps/{pump_id}/visits/\d+$", page.url)  # post/redirect/get: a reload posts nothing
    assert "is recorded" in page.inner_text("main")
    assert page.inner_text(".next-refill").strip() == next_refill.strip()
    assert page.locator(".discrepancy").count() == 1
    tab.check("refill-record")
    assert page.locator(".visit-record details[open]").count() >= 1  # reasoning and sources on the printed record
    page.emulate_media(media="print")
    assert page.locator("header.site").is_hidden() and page.locator(".visit-record .next-refill").is_visible()
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)  # the record on a 360 px phone: nothing scrolls sideways
    tab.check("refill-record-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="Back to the worklist").click()
    page.wait_for_selector("h1:has-text('Clinic worklist')")
