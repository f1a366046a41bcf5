"""The printed documents in the real browser: the patient's "Print schedule (PDF)" and the clinician's "Visit
summary (PDF)" and "Wallet card (PDF)" (its form's contact and name fields) download a PDF; the pages that carry the
buttons stay axe-core clean. The server, browser and tab fixtures are those of :mod:`tests.web.test_browser`
(skipped with it where there is no Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pdf_text import flat, needs_pdftotext, pdf_text
from tests.web.test_browser import Server, Tab, _log_in, browser, server, tab  # noqa: F401  (fixtures)
from tests.web.test_browser_patient_views import _save_plan

pytestmark = [pytest.mark.browser, needs_pdftotext]


def _download(tab: Tab, link: str, folder: Path) -> Path:  # noqa: F811
    """Click the link named ``link`` and keep what it downloads in ``folder``."""
    with tab.page.expect_download() as caught:
        tab.page.get_by_role("link", name=link).click()
    saved = folder / caught.value.suggested_filename
    caught.value.save_as(saved)
    return saved


def test_a_patient_on_a_phone_downloads_the_schedule_pdf(tab: Tab, server: Server, tmp_path: Path) -> None:  # noqa: F811
    _save_plan(server)
    page = tab.page
    _log_in(tab, server, "patient")
    page.wait_for_selector("h1:has-text('Your day')")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Schedule").click()
    page.wait_for_selector("h1:has-text('My schedule')")
    tab.check("schedule-with-print")

    saved = _download(tab, "Print schedule (PDF)", tmp_path)

    assert saved.name.startswith("schedule-") and saved.suffix == ".pdf"
    text = flat(pdf_text(saved.read_bytes()))
    assert "Baclofen titration schedule" in text and "Daily check-off" in text


def test_a_clinician_downloads_the_visit_summary_pdf(tab: Tab, server: Server, tmp_path: Path) -> None:  # noqa: F811
    page = tab.page
    _log_in(tab, server, "clinician")
    page.wait_for_selector("h1")
    page.goto(server.url + "/patients/P-0001")
    page.wait_for_selector("h2#downloads-title")
    tab.check("patient-documents")

    saved = _download(tab, "Visit summary (PDF)", tmp_path)

    assert saved.name == "visit-summary-P-0001.pdf"
    assert "Clinic visit summary" in flat(pdf_text(saved.read_bytes()))

    # P-0001 is the demo clinic's patient on a pump with a recorded fill: the page has the card's form
    page.get_by_label("Clinic contact printed on the card").fill("Spasticity clinic 0161 555 0100")
    page.get_by_label("Name or label printed on the card").fill("P-0001")
    with page.expect_download() as caught:
        page.get_by_role("button", name="Wallet card (PDF)").click()
    card = flat(pdf_text(Path(caught.value.path()).read_bytes()))
    assert "Name P-0001" in card and "Spasticity clinic 0161 555 0100" in card
