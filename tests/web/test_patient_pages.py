"""The clinic's patient pages in-process: the list (paged, searched by id), one patient's page (findings,
timeline, the three charts or why one is missing, covariates and scores), its scope (staff of the patient's
clinic; a patient or an administrator is refused, another clinic's staff see nothing) and its audit."""

from __future__ import annotations

import re
from datetime import date, timedelta

from baclofen.adapters.charts import render_reservoir_chart
from baclofen.domain.clinic.timeline import current_pump
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.records import AuditOutcome
from baclofen.services import itb
from baclofen.services.commands import ChangePumpProgram, ForecastNextRefill, ForecastPump, PlanTitration, SavePlan
from tests.web.conftest import AS_OF, Site

#: A demo patient with a pump, a diary, covariates and scores (patient index 0 of the demo clinic).
PATIENT = "P-0001"
#: A demo patient with neither pump nor diary (index 38: 38 % 3 == 2 keeps no diary, index >= 15 has no pump).
BARE = "P-0039"
_DESC = re.compile(r"<desc id=\"([a-z]+)-[0-9a-f]+-desc\">([^<]*)</desc>")


def _audit(site: Site, action: str) -> list[object]:
    return [e for e in site.services.audit.entries() if e.action == action]


def _descs(page: str) -> dict[str, str]:
    return dict(_DESC.findall(page))


def _save_titration(site: Site, patient_id: str = PATIENT) -> None:
    command = SavePlan(patient_id, PlanTitration(date(2026, 2, 20), target_mg_per_day=30), "clinician:test", AS_OF)
    site.services.save_plan(command)


def test_the_patient_list_pages_links_and_finds_a_patient_by_id(site: Site) -> None:
    site.login("nurse")

    first = site.client.get("/patients")
    after = site.client.get("/patients?after=P-0038")
    found = site.client.get("/patients?q=P-0002")
    missing = site.client.get("/patients?q=P-9999")

    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    assert first.text.count('<a href="/patients/P-') == 40 and 'rel="next"' not in first.text
    assert re.findall(r'href="/patients/(P-\d+)"', after.text) == ["P-0039", "P-0040"]
    assert re.findall(r'href="/patients/(P-\d+)"', found.text) == ["P-0002"]
    assert "No patient with the id P-9999" in missing.text
    assert 'for="q"' in first.text  # the search field is labelled
    assert [e.outcome for e in _audit(site, "patient.list")] == [AuditOutcome.SUCCESS] * 4  # type: ignore[attr-defined]


def test_the_patient_page_shows_findings_timeline_histories_and_the_three_charts(site: Site) -> None:
    _save_titration(site)
    site.login("clinician")

    page = site.client.get(f"/patients/{PATIENT}")

    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    text = page.text
    assert set(_descs(text)) == {"reservoir", "exposure", "diary"}
    assert text.count('role="img"') == 3 and text.count("<title id=") == 3
    assert "<script" not in text.split("</head>")[1] and " style=" not in text  # the CSP allows neither
    # one timeline: the saved plan and the pump's refills, newest first
    kinds = re.findall(r'<li data-kind="([a-z ]+)">', text)
    assert "oral plan" in kinds and kinds.count("refill") >= 2 and kinds[-1] == "pump"
    # the diary chart has both doses, each in its own unit: never mg and mcg on one axis
    diary = _descs(text)["diary"]
    assert re.search(r"oral baclofen \d+ mg/day on 2026-02-20", diary)
    assert "intrathecal baclofen" in diary and "mcg/day" in diary
    # covariates and outcome scores over time
    assert '<table class="covariates">' in text and text.count('<tr><th scope="row">') >= 3 + 9
    assert "modified-ashworth" in text and "penn" in text
    assert _audit(site, "patient.page")[-1].outcome is AuditOutcome.SUCCESS  # type: ignore[attr-defined]


def test_the_reservoir_charts_dates_are_the_forecast_services(site: Site) -> None:
    with site.services.uow as uow:
        pump = current_pump(uow.pumps.for_patient(PATIENT))
    assert pump is not None
    fill = pump.last_fill()
    assert fill is not None and fill.program is not None and fill.fill_ml and fill.concentration_mcg_per_ml
    expected = itb.forecast_pump(
        ForecastPump(
            pump.model.key,
            volume_ml=fill.fill_ml,
            concentration_mcg_per_ml=fill.concentration_mcg_per_ml,
            filled=fill.refilled_at,  # type: ignore[arg-type]
            daily_dose_mcg=fill.program.daily_dose_mcg,
            implanted=pump.implanted,
            as_of=AS_OF,
        ),
        clinic=site.services.settings,
    )
    site.login("nurse")

    page = site.client.get(f"/patients/{PATIENT}").text

    shown = _descs(page)["reservoir"]
    assert shown == _descs(render_reservoir_chart(expected))["reservoir"]
    assert expected.low_reservoir_alarm_date.isoformat() in shown and expected.empty_date.isoformat() in shown
    assert f'class="alarm-date">{expected.low_reservoir_alarm_date.isoformat()}<' in page
    assert f'class="empty-date">{expected.empty_date.isoformat()}<' in page


def test_a_chart_that_cannot_be_drawn_is_said_in_words(site: Site) -> None:
    site.login("nurse")

    page = site.client.get(f"/patients/{BARE}").text

    assert _descs(page) == {}
    assert "No reservoir chart: this patient has no pump on record." in page
    assert "No exposure chart: this patient has no saved oral plan." in page
    assert "No diary chart: this patient has no diary entries." in page


def test_findings_show_rule_id_severity_reasoning_and_sources(site: Site) -> None:
    site.login("nurse")
    pages = {p: site.client.get(f"/patients/P-{p:04d}").text for p in (4, 6, 12)}  # index 3: a red flag; 5: overdue

    with_findings = [t for t in pages.values() if '<li class="finding level-' in t]
    assert with_findings, "no demo patient page shows a finding"
    text = with_findings[0]
    assert re.search(r'<span class="rule">[A-Z]+-[A-Z0-9-]+</span>', text)
    assert re.search(r'<span class="severity">severity [a-z]+</span>', text)
    assert '<h3 class="sub">Reasoning</h3>' in text and '<ul class="sources"><li>' in text


def test_another_clinics_staff_get_a_404_page_and_are_audited_as_denied(site: Site) -> None:
    password = "another clinic's nurse password"
    site.services.create_user(
        clinic_id="C-2", username="nurse.two", role="nurse", password=password, clinic_name="Other clinic"
    )
    data = {"username": "nurse.two", "password": password, "csrf_token": site.csrf()}
    assert site.client.post("/login", data=data, follow_redirects=False).status_code == 303

    page = site.client.get(f"/patients/{PATIENT}")
    listed = site.client.get("/patients").text
    searched = site.client.get(f"/patients?q={PATIENT}").text

    assert page.status_code == 404 and "404: not found" in page.text and "Findings" not in page.text
    assert "/patients/P-" not in listed and "/patients/P-" not in searched
    assert _audit(site, "patient.page")[-1].outcome is AuditOutcome.DENIED  # type: ignore[attr-defined]


def test_a_patient_and_an_administrator_are_refused_as_the_api_refuses_them(site: Site) -> None:
    for role in ("patient", "admin"):
        site.login(role)
        own = site.logins["patient"].patient_id
        assert site.client.get(f"/patients/{own}").status_code == 403
        assert site.client.get("/patients").status_code == 403
        assert _audit(site, "patient.page")[-1].outcome is AuditOutcome.DENIED  # type: ignore[attr-defined]
    assert site.client.get("/patients/P-9999").status_code == 403  # the role first: no record is revealed


def test_an_unknown_patient_is_a_404_page_and_nothing_is_cached(site: Site) -> None:
    site.login("nurse")

    answer = site.client.get("/patients/P-9999")

    assert answer.status_code == 404 and "not found" in answer.text
    assert answer.headers["cache-control"] == "no-store"


def test_the_worklist_links_each_item_to_its_patient_page(site: Site) -> None:
    site.login("nurse")

    worklist = site.client.get("/worklist").text
    linked = re.findall(r'<a class="patient-link" href="/patients/(P-\d+)">', worklist)

    assert linked and site.client.get(f"/patients/{linked[0]}").status_code == 200


def test_a_program_change_after_the_fill_is_on_the_timeline_and_said_beside_the_reservoir_chart(site: Site) -> None:
    with site.services.uow as uow:
        pump = current_pump(uow.pumps.for_patient(PATIENT))
    assert pump is not None and pump.last_fill() is not None
    change = ChangePumpProgram(
        pump.pump_id, AS_OF - timedelta(days=1), continuous_program(400), "clinician:test", "spasms at night"
    )
    site.services.change_pump_program(change)
    site.login("nurse")

    page = site.client.get(f"/patients/{PATIENT}").text

    kinds = re.findall(r'<li data-kind="([a-z ]+)">', page)
    assert kinds[0] == "program change" and "spasms at night" in page
    assert "The program was changed after this fill" in page and "400 mcg/day" in page
    assert "375 mcg/day on 2026-02-02, 400 mcg/day on 2026-03-02" in _descs(page)["diary"]


def test_after_a_dose_increase_the_pages_reservoir_dates_are_the_worklists_earlier_ones(site: Site) -> None:
    with site.services.uow as uow:
        pump = current_pump(uow.pumps.for_patient(PATIENT))
    assert pump is not None and pump.last_fill() is not None
    site.login("nurse")
    before = site.client.get(f"/patients/{PATIENT}").text
    change = ChangePumpProgram(
        pump.pump_id, AS_OF - timedelta(days=1), continuous_program(450), "clinician:test", "spasms at night"
    )
    site.services.change_pump_program(change)

    page = site.client.get(f"/patients/{PATIENT}").text
    refill = site.services.forecast_next_refill(ForecastNextRefill(pump.pump_id, AS_OF))

    assert refill.analysis.alarm_at is not None and refill.analysis.empty_at is not None
    alarm, empty = refill.analysis.alarm_at.date().isoformat(), refill.analysis.empty_at.date().isoformat()
    assert f'class="refill-date">{refill.refill_date.isoformat()}<' in page
    assert f'class="alarm-date">{alarm}<' in page and f'class="empty-date">{empty}<' in page
    assert f'class="alarm-date">{alarm}<' not in before  # the last fill's program alone gave a later alarm
    assert "the chart and these dates follow the program in effect" in page
    assert alarm in _descs(page)["reservoir"] and "450 mcg/day" in _descs(page)["reservoir"]


def test_the_patient_page_links_the_fhir_download_which_is_the_apis_bundle(site: Site) -> None:
    site.login("clinician")

    page = site.client.get(f"/patients/{PATIENT}").text
    download = site.client.get(f"/patients/{PATIENT}/fhir.json")

    assert f'<a href="/patients/{PATIENT}/fhir.json" download>FHIR (JSON)</a>' in page
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/fhir+json"
    assert download.headers["content-disposition"] == f'attachment; filename="patient-{PATIENT}.fhir.json"'
    bundle = download.json()
    assert bundle["resourceType"] == "Bundle" and bundle["entry"][0]["resource"]["identifier"][0]["value"] == PATIENT
    assert bundle == site.services.export_patient_fhir(PATIENT)  # the clock stands still: the same document
    assert _audit(site, "patient.export_fhir")[-1].outcome is AuditOutcome.SUCCESS  # type: ignore[attr-defined]
    site.login("patient")
    assert site.client.get(f"/patients/{PATIENT}/fhir.json").status_code == 403
