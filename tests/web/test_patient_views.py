"""The patient's own pages in-process: ticking off today's doses (one diary entry per dose, idempotent, feeding the
risk engine), the schedule, the warning signs from the knowledge base and the patient guide with the clinic's
settings; each read of patient data audited, a patient seeing only their own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from baclofen.domain.cds.risk.context import RiskLevel
from baclofen.domain.cds.risk.oral import ORAL_MISSED
from baclofen.domain.guide import build_patient_guide
from baclofen.domain.records import DEMO_CLINIC_ID, AuditOutcome
from baclofen.entrypoints.web.patient_views import dose_entry_id
from baclofen.services.commands import AssessPatientRisk, ChangeClinicSetting
from tests.web.conftest import AS_OF, Site

_TICK_FORM = re.compile(r'name="time" value="(\d\d:\d\d)"')
_OLD_PUMP_SENTENCE = "If your pump alarms, call your clinic the same day"


def _audit(site: Site, action: str) -> list[object]:
    return [e for e in site.services.audit.entries() if e.action == action]


def _save_plan(site: Site, *, days_ago: int = 0, target_mg: float = 30) -> None:
    """The clinician saves an oral titration for the demo patient (through the API, as a clinic would)."""
    clinician, patient_id = site.logins["clinician"], site.logins["patient"].patient_id
    auth = {"username": clinician.username, "password": clinician.password}
    token = site.client.post("/api/v1/auth/token", json=auth).json()["access_token"]
    start = AS_OF.date() - timedelta(days=days_ago)
    body = {"kind": "titration", "start_date": start.isoformat(), "target_mg_per_day": target_mg}
    saved = site.client.post(
        f"/api/v1/patients/{patient_id}/plans", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert saved.status_code == 201, saved.text


def _tick(site: Site, clock: str, status: str, **extra: str) -> object:
    data = {"csrf_token": site.csrf("/today"), "day": AS_OF.date().isoformat(), "time": clock, "status": status}
    return site.client.post("/today/doses", data=data | extra, follow_redirects=False)


def _dose_entries(site: Site) -> list[object]:
    patient_id = site.logins["patient"].patient_id
    with site.services.uow as uow:
        entries = uow.diary.for_patient(patient_id)
    ids = {dose_entry_id(patient_id, AS_OF.date(), t) for t in _times_today(site)}
    return [e for e in entries if e.entry_id in ids]


def _times_today(site: Site) -> list[object]:
    from datetime import time

    page = site.client.get("/today").text
    return [time.fromisoformat(t) for t in re.findall(r'<span class="time">(\d\d:\d\d)</span>', page)]


def test_a_patient_ticks_off_a_dose_once_and_the_page_shows_it_done(site: Site) -> None:
    _save_plan(site)
    site.login("patient")
    page = site.client.get("/today").text
    times = _TICK_FORM.findall(page)
    assert len(times) >= 3 and page.count('value="taken"') == len(times)

    first = _tick(site, times[0], "taken")
    assert first.status_code == 303 and first.headers["location"].startswith("/today?ticked=")
    done = site.client.get(first.headers["location"]).text
    assert "recorded as taken" in done and 'class="me-dose me-done me-taken"' in done
    assert _TICK_FORM.findall(done) == times[1:]  # the ticked dose has no form any more

    again = _tick(site, times[0], "missed")  # a second tick of the same dose: no new entry, the first stands
    assert again.status_code == 303
    assert "recorded as taken" in site.client.get(again.headers["location"]).text
    entries = _dose_entries(site)
    assert len(entries) == 1
    assert (entries[0].doses_taken, entries[0].doses_missed) == (1, 0)
    assert entries[0].recorded_at == site.clock.now()
    assert [e.outcome for e in _audit(site, "diary.dose")] == [AuditOutcome.SUCCESS, AuditOutcome.SUCCESS]


def test_missed_doses_of_a_high_dose_bring_the_risk_engines_withdrawal_advice(site: Site) -> None:
    _save_plan(site, days_ago=60, target_mg=60)  # long past the titration: 60 mg a day now
    site.login("patient")
    page = site.client.get("/today").text
    times = _TICK_FORM.findall(page)
    assert ORAL_MISSED.rule_id not in page

    for clock in times[:2]:
        assert _tick(site, clock, "missed").status_code == 303
    after = site.client.get("/today").text

    patient_id = site.logins["patient"].patient_id
    risk = site.services.for_request(DEMO_CLINIC_ID).assess_patient_risk(AssessPatientRisk(patient_id, AS_OF))
    missed = next(r for r in risk.assessment.risks if r.finding.rule_id == ORAL_MISSED.rule_id)
    assert missed.level is RiskLevel.MODERATE and missed.finding.data["missed_doses"] == 2
    assert "What to do now" in after and ORAL_MISSED.rule_id in after
    assert missed.finding.action in after  # the engine's words, not the page's
    assert after.count("me-missed") == 2


def test_a_tick_needs_the_csrf_token_a_dose_of_today_and_a_patient(site: Site) -> None:
    _save_plan(site)
    site.login("patient")
    clock = _TICK_FORM.findall(site.client.get("/today").text)[0]
    data = {"day": AS_OF.date().isoformat(), "time": clock, "status": "taken"}

    assert site.client.post("/today/doses", data=data).status_code == 403
    assert _tick(site, "03:17", "taken").status_code == 422
    yesterday = _tick(site, clock, "taken", day=(AS_OF.date() - timedelta(days=1)).isoformat())
    assert yesterday.status_code == 422 and "day: expected today" in yesterday.text
    assert _tick(site, clock, "maybe").status_code == 422
    assert _dose_entries(site) == []
    assert _audit(site, "diary.dose")[-1].outcome is AuditOutcome.FAILED

    site.login("nurse")
    assert _tick(site, clock, "taken").status_code == 403
    assert _dose_entries(site) == []


def test_the_schedule_lists_the_plan_by_day_with_past_days_greyed_and_the_pump_dates(site: Site) -> None:
    _save_plan(site, days_ago=3)
    site.login("patient")
    page = site.client.get("/schedule").text

    assert page.count('class="me-day me-past"') == 3
    assert page.count('aria-current="date"') == 1
    assert "mg tablet" in page and re.search(r'<span class="time">\d\d:\d\d</span>', page)
    assert re.search(r'class="refill-date">\d{4}-\d{2}-\d{2}<', page)
    assert re.search(r'class="alarm-date">\d{4}-\d{2}-\d{2}<', page)
    entry = _audit(site, "patient.schedule")[-1]
    assert entry.outcome is AuditOutcome.SUCCESS and entry.target == f"patient:{site.logins['patient'].patient_id}"


def test_the_warning_signs_are_the_guides_statements_with_their_sources(site: Site) -> None:
    _save_plan(site)
    site.login("patient")
    page = site.client.get("/warning-signs").text
    guide = build_patient_guide()

    for statement_id in (
        "never-stop-abruptly.why",
        "never-stop-abruptly.pump-signs",
        "side-effects.overdose",
        "side-effects.pump-overdose",
        "never-stop-abruptly.pump",
    ):
        statement = guide.statement(statement_id)
        assert statement.text.replace("'", "&#39;") in page, statement_id
        assert all(item in page for item in statement.items)
        assert all(f"[{key}]" in page for key in statement.sources)
    assert _audit(site, "patient.warning_signs")[-1].outcome is AuditOutcome.SUCCESS

    today = site.client.get("/today").text
    alarm = guide.statement("never-stop-abruptly.pump").text.replace("'", "&#39;")
    assert alarm in today and _OLD_PUMP_SENTENCE not in today


@pytest.mark.parametrize("role", ["patient", "nurse"])
def test_the_guide_follows_the_clinics_setting(site: Site, role: str) -> None:
    site.login(role)
    before = site.client.get("/guide")
    assert before.status_code == 200
    assert 'class="patient-guide"' in before.text and "at least 14 days" in before.text
    assert 'href="/guide" aria-current="page"' in before.text

    site.services.change_clinic_setting(
        ChangeClinicSetting(DEMO_CLINIC_ID, "taper.min_days_to_zero", 21, "admin:demo", AS_OF, "slower tapers")
    )
    after = site.client.get("/guide").text
    assert "at least 21 days" in after and "at least 14 days" not in after
    uk = site.client.get("/guide", params={"locale": "uk"}).text
    assert 'lang="en-GB"' in uk and "999" in uk
    assert site.client.get("/guide", params={"locale": "fr"}).status_code == 422
    reads = _audit(site, "patient.guide")  # a patient's guide is in their own locale: a read of their record
    assert [e.outcome for e in reads] == ([AuditOutcome.SUCCESS] * 2 if role == "patient" else [])


def test_staff_and_strangers_have_no_patient_pages(site: Site) -> None:
    for path in ("/schedule", "/warning-signs"):
        assert str(site.client.get(path).url).endswith("/login")
    site.login("clinician")
    for path in ("/today", "/schedule", "/warning-signs"):
        assert site.client.get(path).status_code == 403
    assert _audit(site, "patient.schedule") == []  # refused before any patient record is read
    assert _audit(site, "patient.guide") == []  # a clinician's guide reads no patient record
    assert site.client.get("/guide").status_code == 200
