"""The refill visit form in-process: the pump shown, the check as one types (the same numbers as the service, nothing
stored), recording the visit through the API's use case (exactly one visit, audited), invalid fields named, a
patient refused, another clinic's staff shown nothing, and the CSRF token required."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from baclofen.domain.records import AuditOutcome, PumpRecord
from baclofen.entrypoints.web.refill_pages import expected_residual
from baclofen.services import itb
from baclofen.services.commands import RecordRefillVisit
from tests.web.conftest import AS_OF, ZONE, Site

PUMP = "PUMP-001"
URL = f"/pumps/{PUMP}/refill"
VISIT_AT = "2026-03-02T09:00"


def _audit(site: Site, action: str) -> list[object]:
    return [e for e in site.services.audit.entries() if e.action == action]


def _stored(site: Site, pump_id: str = PUMP) -> PumpRecord:
    with site.services.uow as uow:
        return uow.pumps.get(pump_id)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _form(site: Site, **changes: str) -> dict[str, str]:
    """The form's values as the page fills them in, with ``changes``, and its CSRF token."""
    page = site.client.get(URL)
    assert page.status_code == 200, page.text
    values = dict(re.findall(r'<input id="(\w+)" name="\w+" type="[\w-]+" [^>]*value="([^"]*)"', page.text))
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page.text)
    assert token is not None
    return values | {"csrf_token": token.group(1)} | changes


@pytest.fixture
def nurse(site: Site) -> Site:
    site.login("nurse")
    return site


def test_the_form_shows_the_pump_and_is_filled_in_with_its_last_fill(nurse: Site) -> None:
    page = nurse.client.get(URL)
    assert page.status_code == 200
    record = _stored(nurse)
    last = record.last_fill()
    assert last is not None and last.program is not None and last.concentration_mcg_per_ml is not None
    text = _text(page.text)
    assert record.model.name in text and f"{last.concentration_mcg_per_ml:g} mcg/mL" in text
    assert f"{last.program.daily_dose_mcg:g} mcg/day" in text
    values = _form(nurse)
    assert values["refilled"] == AS_OF.strftime("%Y-%m-%dT%H:%M")
    assert values["concentration_mcg_per_ml"] == f"{last.concentration_mcg_per_ml:g}"
    # every input has its label; the form posts its fields (the CSRF token among them) to the preview as one types
    for name in ("refilled", "aspirated_ml", "concentration_mcg_per_ml", "daily_dose_mcg", "flex"):
        assert f'<label for="{name}">' in page.text
    assert 'hx-trigger="input changed delay:300ms"' in page.text and f'hx-post="{URL}/preview"' in page.text
    assert _audit(nurse, "pump.read")[-1].outcome is AuditOutcome.SUCCESS


def test_the_preview_shows_the_services_numbers_and_stores_nothing(nurse: Site) -> None:
    before = _stored(nurse)
    data = _form(nurse, aspirated_ml="3.1", target_interval_days="60")
    answer = nurse.client.post(f"{URL}/preview", data=data, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "<html" not in answer.text  # the fragment only

    at = datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)
    expected = expected_residual(before, at)
    assert expected is not None and expected > 3.1
    last = before.last_fill()
    assert last is not None and last.program is not None and last.concentration_mcg_per_ml is not None
    command = RecordRefillVisit(
        PUMP,
        last.concentration_mcg_per_ml,
        at,
        daily_dose_mcg=last.program.daily_dose_mcg,
        expected_ml=expected,
        aspirated_ml=3.1,
        target_interval_days=60,
    )
    visit = itb.assess_refill_visit(before, command, clinic=nurse.services.settings)
    assert visit.reconciliation is not None
    current = visit.reconciliation.current
    text = _text(answer.text)
    assert f"{current.expected_ml:.2f} mL" in text
    assert f"{current.discrepancy_ml:+.2f} mL ({current.discrepancy_percent:+.1f} %)" in text
    assert f"{visit.refill.fill_ml:g} mL" in text
    assert visit.forecast.recommended_refill_date is not None
    assert visit.forecast.recommended_refill_date < visit.forecast.low_reservoir_alarm_date
    for day in (visit.forecast.recommended_refill_date, visit.forecast.low_reservoir_alarm_date):
        assert day.isoformat() in text
    assert visit.forecast.empty_date.isoformat() in text
    if visit.forecast.observed_alarm_at is not None:  # a shortfall: the alarm at the observed rate comes first
        observed_alarm = visit.forecast.observed_alarm_at.date()
        assert observed_alarm.isoformat() in text and visit.forecast.recommended_refill_date < observed_alarm
    rule_ids = {f.rule_id for f in visit.findings}
    assert "PUMP-RECON-001" in rule_ids  # possible over-infusion, with what to check and its sources
    for finding in visit.findings:
        assert finding.rule_id in text and finding.severity.value in text
    assert "What to check:" in text and "[S60]" in text

    assert _stored(nurse).visits == before.visits
    assert _audit(nurse, "pump.refill_check")[-1].outcome is AuditOutcome.SUCCESS


def test_without_javascript_the_check_is_a_whole_page(nurse: Site) -> None:
    answer = nurse.client.post(f"{URL}/preview", data=_form(nurse, aspirated_ml="3.1"))
    assert answer.status_code == 200
    assert "<html" in answer.text and "Expected residual" in answer.text and 'value="3.1"' in answer.text
    assert "Decision support, not medical advice." in answer.text


def test_recording_stores_exactly_one_visit_and_redirects_to_its_record(nurse: Site) -> None:
    before = _stored(nurse)
    answer = nurse.client.post(
        URL, data=_form(nurse, aspirated_ml="3.1", target_interval_days="60"), follow_redirects=False
    )
    assert answer.status_code == 303, answer.text  # post/redirect/get: a reload does not post again
    number = len(before.visits) + 1
    assert answer.headers["location"] == f"/pumps/{PUMP}/visits/{number}?target_interval_days=60"
    after = _stored(nurse)
    assert len(after.visits) == len(before.visits) + 1
    visit = after.visits[-1]
    assert visit.aspirated_ml == 3.1 and visit.expected_ml == expected_residual(before, visit.refilled_at)  # type: ignore[arg-type]
    assert visit.refilled_at == datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)
    assert _audit(nurse, "pump.add_visit")[-1].outcome is AuditOutcome.SUCCESS

    page = nurse.client.get(answer.headers["location"])
    assert page.status_code == 200, page.text
    text = _text(page.text)
    assert "Refill visit record" in text and "2026-03-02 09:00" in text and "3.10 mL" in text
    assert f"{visit.fill_ml:g} mL" in text and 'href="/worklist"' in page.text
    # checked again by the use case that recorded it: the same fill, its dates and findings, printable
    assert "Next refill" in text and "<details open>" in page.text
    assert "could not be made again" in _text(nurse.client.get(f"/pumps/{PUMP}/visits/{number}").text)
    assert _audit(nurse, "pump.read")[-1].outcome is AuditOutcome.SUCCESS
    assert nurse.client.get(f"/pumps/{PUMP}/visits/{number + 1}").status_code == 404
    assert nurse.client.get(f"/pumps/{PUMP}/visits/0").status_code == 404


def _empty(site: Site, **changes: str) -> dict[str, str]:
    """The form of a visit that finds the reservoir empty (PUMP-RECON-007, an overridable block)."""
    return _form(site, aspirated_ml="0", **changes)


def test_a_visit_a_block_stands_against_is_not_recorded_without_an_override(nurse: Site) -> None:
    before = _stored(nurse)
    answer = nurse.client.post(URL, data=_empty(nurse))
    assert answer.status_code == 409, answer.text
    text = _text(answer.text)
    assert "PUMP-RECON-007" in text and "nothing stored" in text
    assert "a clinician may override it, with a reason" in text
    assert 'name="override"' not in answer.text  # a nurse is not offered the override
    assert _stored(nurse).visits == before.visits
    # the preview says why: the residual is empty, not "beyond the tolerance"
    preview = nurse.client.post(f"{URL}/preview", data=_empty(nurse), headers={"HX-Request": "true"})
    assert "(reservoir empty)" in preview.text and "(beyond the tolerance)" not in preview.text


def test_a_clinician_overrides_a_block_with_a_reason_and_the_visit_is_recorded(site: Site) -> None:
    site.login("clinician")
    before = _stored(site)
    refused = site.client.post(URL, data=_empty(site))
    assert refused.status_code == 409
    assert 'name="override" type="checkbox" value="PUMP-RECON-007"' in refused.text
    assert 'form="refill-form"' in refused.text  # the override's inputs belong to the visit's form

    no_reason = site.client.post(URL, data=_empty(site, override="PUMP-RECON-007"))
    assert no_reason.status_code == 422 and "override_reason.PUMP-RECON-007" in no_reason.text
    short = site.client.post(
        URL, data=_empty(site, override="PUMP-RECON-007", **{"override_reason.PUMP-RECON-007": "x"})
    )
    assert short.status_code == 422 and "a real reason" in short.text
    assert _stored(site).visits == before.visits

    reason = "restarted at a low dose under observation"
    data = _empty(site, override="PUMP-RECON-007", **{"override_reason.PUMP-RECON-007": reason})
    answer = site.client.post(URL, data=data, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert len(_stored(site).visits) == len(before.visits) + 1
    stored = _stored(site).visits[-1]
    assert [(o.rule_id, o.reason) for o in stored.overrides] == [("PUMP-RECON-007", reason)]
    clinician = stored.overrides[0].clinician
    record = _text(site.client.get(answer.headers["location"]).text)
    kept = record.split("Blocks overridden", 1)[1]  # kept with the record: which block, who, why
    assert f"PUMP-RECON-007 : overridden by {clinician} ; reason: {reason}" in " ".join(kept.split())
    assert f"Overridden by {clinician} when the visit was recorded: {reason}" in record  # at its finding
    assert "does not keep" not in record


def test_invalid_fields_are_named_and_nothing_is_stored(nurse: Site) -> None:
    before = _stored(nurse)
    data = _form(nurse, aspirated_ml="lots", concentration_mcg_per_ml="", refilled="yesterday")
    answer = nurse.client.post(URL, data=data)
    assert answer.status_code == 422
    for name in ("aspirated_ml", "concentration_mcg_per_ml", "refilled"):
        assert f'id="{name}-error"' in answer.text
    assert 'value="lots"' in answer.text  # what was typed stays
    assert _stored(nurse).visits == before.visits
    # a visit before the last recorded refill is named too (the service's check)
    for before_last in ("2026-01-01T10:00", "2020-01-01T10:00"):  # before the last refill, before the implant
        answer = nurse.client.post(URL, data=_form(nurse, refilled=before_last))
        assert answer.status_code == 422 and 'id="refilled-error"' in answer.text
    assert _audit(nurse, "pump.add_visit")[-1].outcome is AuditOutcome.FAILED
    # the htmx check answers 200 (htmx swaps only a success in) with the fields named
    data = _form(nurse, aspirated_ml="-2")
    answer = nurse.client.post(f"{URL}/preview", data=data, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "aspirated ml" in answer.text and "Expected residual" not in answer.text
    assert _stored(nurse).visits == before.visits


def test_a_patient_is_refused(site: Site) -> None:
    site.login("patient")
    token = site.csrf("/today")
    assert site.client.get(URL).status_code == 403
    assert site.client.post(f"{URL}/preview", data={"csrf_token": token}).status_code == 403
    assert site.client.post(URL, data={"csrf_token": token, "aspirated_ml": "1"}).status_code == 403
    assert _audit(site, "pump.add_visit")[-1].outcome is AuditOutcome.DENIED


def test_staff_of_another_clinic_see_no_pump_of_this_clinic(site: Site) -> None:
    password = "another clinic's nurse password"
    site.services.create_user(
        clinic_id="C-2", username="nurse.two", role="nurse", password=password, clinic_name="Other clinic"
    )
    data = {"username": "nurse.two", "password": password, "csrf_token": site.csrf()}
    assert site.client.post("/login", data=data, follow_redirects=False).status_code == 303
    before = _stored(site)
    assert site.client.get(URL).status_code == 404
    token = site.csrf("/worklist")
    assert site.client.post(URL, data={"csrf_token": token, "aspirated_ml": "3.1"}).status_code == 404
    assert site.client.get("/pumps/NO-SUCH-PUMP/refill").status_code == 404
    assert _stored(site).visits == before.visits


def test_a_post_without_the_csrf_token_is_refused(nurse: Site) -> None:
    before = _stored(nurse)
    data = _form(nurse, aspirated_ml="3.1")
    del data["csrf_token"]
    assert nurse.client.post(URL, data=data).status_code == 403
    answer = nurse.client.post(f"{URL}/preview", data=data, headers={"HX-Request": "true"})
    assert answer.status_code == 403
    assert _stored(nurse).visits == before.visits


def test_the_worklists_refill_items_open_the_pumps_refill_form(nurse: Site) -> None:
    page = nurse.client.get("/worklist?kind=refill").text
    links = set(re.findall(r'href="/pumps/([\w-]+)/refill"', page))
    assert links, "no refill item links to its pump's form"
    for pump_id in links:
        assert nurse.client.get(f"/pumps/{pump_id}/refill").status_code == 200


def test_a_flex_program_is_checked_as_typed(nurse: Site) -> None:
    data = _form(nurse, daily_dose_mcg="", flex="00:00=15,12:00=20", aspirated_ml="5")
    answer = nurse.client.post(f"{URL}/preview", data=data, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    text = _text(answer.text)
    assert "flex 00:00=15,12:00=20 (420 mcg/day" in text and "Next refill" in text
    data = _form(nurse, daily_dose_mcg="", flex="noon=20")
    answer = nurse.client.post(f"{URL}/preview", data=data, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "flex (expected" in answer.text


def test_a_pump_recorded_on_its_own_clock_gets_a_visit_on_its_own_clock(nurse: Site) -> None:
    """Visits recorded without a UTC offset (the pump's clock): the form's time is read the same way."""
    from baclofen.domain.itb.programs import continuous_program
    from baclofen.domain.itb.pumps import get_pump
    from baclofen.domain.records import RefillVisitRecord

    last = RefillVisitRecord(
        datetime(2026, 2, 1, 10, 0), fill_ml=20.0, concentration_mcg_per_ml=500.0, program=continuous_program(250.0)
    )
    nurse.services.register_pump(PumpRecord("PUMP-CLOCK", get_pump("synchromed-ii-20"), "P-0001", None, (last,)))
    url = "/pumps/PUMP-CLOCK/refill"
    page = nurse.client.get(url).text
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page)
    assert token is not None
    data = {
        "csrf_token": token.group(1),
        "refilled": "2026-03-02T10:00",
        "aspirated_ml": "5.0",
        "concentration_mcg_per_ml": "500",
        "daily_dose_mcg": "250",
    }
    answer = nurse.client.post(url, data=data, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert "2026-03-02 10:00" in _text(nurse.client.get(answer.headers["location"]).text)
    visit = _stored(nurse, "PUMP-CLOCK").visits[-1]
    assert visit.refilled_at == datetime(2026, 3, 2, 10, 0)
    assert visit.expected_ml == 5.5  # 20 mL - 0.5 mL/day x 29 days


def test_a_residual_as_expected_says_so(nurse: Site) -> None:
    expected = expected_residual(_stored(nurse), datetime(2026, 3, 2, 9, 0, tzinfo=ZONE))
    assert expected is not None
    data = _form(nurse, aspirated_ml=f"{expected:.2f}")
    answer = nurse.client.post(f"{URL}/preview", data=data, headers={"HX-Request": "true"})
    text = _text(answer.text)
    assert "+0.00 mL" in text and "as expected" in text and "equal than" not in text


def test_a_nurse_cannot_override_a_block(nurse: Site) -> None:
    before = _stored(nurse)
    data = _empty(nurse, override="PUMP-RECON-007", **{"override_reason.PUMP-RECON-007": "restarted under observation"})
    assert nurse.client.post(URL, data=data).status_code == 403
    assert _stored(nurse).visits == before.visits
