"""The printed documents behind the web session: each page links its PDF ("Print schedule (PDF)", "Wallet card
(PDF)", "Visit summary (PDF)", "Refill record (PDF)"), and each link downloads the PDF of what the page shows, under
the page's access rules and audit."""

from __future__ import annotations

import re
from datetime import timedelta

from baclofen.domain.clinic.timeline import current_pump
from baclofen.domain.records import DEMO_CLINIC_ID
from baclofen.domain.signs import ITB_WITHDRAWAL
from tests.pdf_text import assert_schedule_matches, flat, needs_pdftotext, pdf_text
from tests.web.conftest import AS_OF, Site

pytestmark = needs_pdftotext


def _save_plan(site: Site) -> str:
    """The clinician saves an oral titration for the demo patient (through the API); its id."""
    clinician, patient_id = site.logins["clinician"], site.logins["patient"].patient_id
    auth = {"username": clinician.username, "password": clinician.password}
    token = site.client.post("/api/v1/auth/token", json=auth).json()["access_token"]
    body = {"kind": "titration", "start_date": (AS_OF.date() - timedelta(days=2)).isoformat()}
    saved = site.client.post(
        f"/api/v1/patients/{patient_id}/plans", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert saved.status_code == 201, saved.text
    return str(saved.json()["plan_id"])


def _link(html: str, text: str) -> str:
    found = re.search(rf'<a [^>]*href="([^"]+)"[^>]*>{re.escape(text)}</a>', html)
    assert found is not None, f"no link {text!r}"
    return found.group(1).replace("&amp;", "&")


def _pdf(site: Site, url: str, filename: str) -> bytes:
    r = site.client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="{filename}"'
    return r.content


def test_the_patient_prints_their_schedule_from_their_schedule_page(site: Site) -> None:
    plan_id = _save_plan(site)
    site.login("patient")

    url = _link(site.client.get("/schedule").text, "Print schedule (PDF)")
    pdf = _pdf(site, url, f"schedule-{plan_id}.pdf")

    with site.services.uow as uow:
        saved = uow.plans.get(plan_id)
    assert url == f"/patients/{site.logins['patient'].patient_id}/plans/{plan_id}/schedule.pdf"
    assert_schedule_matches(saved.plan, pdf)
    assert [e.outcome.value for e in site.services.audit.entries() if e.action == "plan.export"] == ["success"]


def test_the_saved_plan_page_links_its_schedule(site: Site) -> None:
    plan_id = _save_plan(site)
    site.login("clinician")

    url = _link(site.client.get(f"/plans/{plan_id}").text, "Print schedule (PDF)")

    assert url == f"/patients/{site.logins['patient'].patient_id}/plans/{plan_id}/schedule.pdf"
    assert _pdf(site, url, f"schedule-{plan_id}.pdf").startswith(b"%PDF-")


def test_the_patient_page_gives_the_visit_summary_and_the_wallet_card(site: Site) -> None:
    site.login("clinician")
    patient_id = _pump_patient(site)
    page = site.client.get(f"/patients/{patient_id}").text

    summary = _pdf(site, _link(page, "Visit summary (PDF)"), f"visit-summary-{patient_id}.pdf")
    action = re.search(r'<form class="wallet-card-form" method="get" action="(/pumps/([^/"]+)/wallet-card.pdf)">', page)
    assert action is not None
    assert 'name="clinic_contact"' in page and 'name="patient_label"' in page  # the API's two fields
    query = f"?clinic_contact=Spasticity+clinic+555&patient_label={patient_id}"
    card = _pdf(site, action.group(1) + query, f"wallet-card-{action.group(2)}.pdf")

    assert patient_id in flat(pdf_text(summary))
    card_text = flat(pdf_text(card))
    assert "Spasticity clinic 555" in card_text and all(sign in card_text for sign in ITB_WITHDRAWAL.signs)
    assert f"Name {patient_id}" in card_text


def _pump_patient(site: Site) -> str:
    """A demo patient whose current pump has a recorded fill."""
    with site.services.uow as uow:
        for record in uow.patients.for_clinic(DEMO_CLINIC_ID, limit=100):
            pump = current_pump(uow.pumps.for_patient(record.patient_id))
            if pump is not None and pump.last_fill() is not None:
                return record.patient_id
    raise AssertionError("no demo patient with a filled pump")


def test_the_refill_record_page_links_its_pdf_and_a_patient_gets_none(site: Site) -> None:
    site.login("nurse")
    patient_id = _pump_patient(site)
    with site.services.uow as uow:
        pump = current_pump(uow.pumps.for_patient(patient_id))
    assert pump is not None
    number = len(pump.visits)

    page = site.client.get(f"/pumps/{pump.pump_id}/visits/{number}")
    url = _link(page.text, "Refill record (PDF)")
    pdf = _pdf(site, url, f"refill-{pump.pump_id}-visit-{number}.pdf")

    visit = pump.visits[-1]
    text = flat(pdf_text(pdf))
    assert f"{number} of {number}" in text and f"Fill volume {visit.fill_ml:g} mL" in text
    site.client.post("/logout", data={"csrf_token": site.csrf("/worklist")})
    site.login("patient")
    assert site.client.get(url).status_code == 403
