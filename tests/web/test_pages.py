"""The web pages in-process: login and logout, the session cookie, CSRF on every form, the same authorisation and
audit as the API, the worklist, acknowledging an alert, the patient's day and the diary."""

from __future__ import annotations

import base64
import hashlib
import re
import tomllib
from pathlib import Path

from baclofen.domain.cds.risk import PATIENT_MESSAGE_RED_FLAG
from baclofen.domain.clinic.alerts import AlertState
from baclofen.domain.records import DEMO_CLINIC_ID, AuditOutcome
from baclofen.entrypoints.api import ApiSettings
from baclofen.entrypoints.web.app import HTMX_SRI, STATIC_DIR
from baclofen.entrypoints.web.session import CSRF_COOKIE, SESSION_COOKIE
from tests.web.conftest import AS_OF, SECRET, Site, make_site

ROOT = Path(__file__).resolve().parents[2]
DISCLAIMER = "Decision support, not medical advice."


def _cookie_header(answer: object, name: str) -> str:
    headers = answer.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    return next(h for h in headers if h.startswith(name + "="))


def _audit(site: Site, action: str) -> list[object]:
    return [e for e in site.services.audit.entries() if e.action == action]


def _open_alert_id(site: Site) -> str:
    with site.services.uow as uow:
        patients = uow.patients.for_clinic(DEMO_CLINIC_ID, limit=100)
        for p in patients:
            for alert in uow.alerts.for_patient(p.patient_id, active_only=True):
                if alert.state is AlertState.OPEN:
                    return alert.alert_id
    raise AssertionError("the demo clinic has no open alert")


def test_the_root_shows_the_login_page_with_security_headers_and_the_disclaimer(site: Site) -> None:
    answer = site.client.get("/")

    assert answer.status_code == 200 and str(answer.url).endswith("/login")
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert DISCLAIMER in answer.text
    assert "<script>" not in answer.text and "hx-on" not in answer.text
    nonce = _cookie_header(answer.history[-1] if answer.history else answer, CSRF_COOKIE).lower()
    assert "httponly" in nonce and "samesite=strict" in nonce


def test_a_form_without_its_csrf_token_is_refused(site: Site) -> None:
    login = site.logins["nurse"]
    site.csrf()  # the visitor has a nonce cookie
    for token in (None, "0" * 64):
        data = {"username": login.username, "password": login.password}
        if token is not None:
            data["csrf_token"] = token
        answer = site.client.post("/login", data=data, follow_redirects=False)
        assert answer.status_code == 403
        assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")


def test_a_token_of_another_visitor_is_refused(site: Site) -> None:
    token = site.csrf()
    other = make_site(ApiSettings(secret_key=SECRET))
    other.csrf()
    login = site.logins["nurse"]
    data = {"username": login.username, "password": login.password, "csrf_token": token}

    assert other.client.post("/login", data=data, follow_redirects=False).status_code == 403


def test_wrong_passwords_are_refused_then_limited(site: Site) -> None:
    username = site.logins["nurse"].username
    codes = []
    for _ in range(6):
        data = {"username": username, "password": "wrong password", "csrf_token": site.csrf()}
        codes.append(site.client.post("/login", data=data).status_code)

    assert codes == [401] * 5 + [429]


def test_a_nurse_logs_in_and_sees_the_worklist_with_reasoning_and_sources(site: Site) -> None:
    site.login("nurse")
    answer = site.client.get("/")

    assert str(answer.url).endswith("/worklist")
    page = answer.text
    assert page.count('class="item level-') >= 5
    assert "<details>" in page and "Reasoning" in page and "Sources" in page
    assert 'href="/worklist" aria-current="page"' in page and 'href="/today"' not in page
    assert DISCLAIMER in page
    session = _cookie_header(answer, SESSION_COOKIE).lower()
    assert "httponly" in session and "samesite=lax" in session and "secure" not in session
    entries = _audit(site, "worklist.read")
    assert entries and entries[-1].outcome is AuditOutcome.SUCCESS
    assert entries[-1].actor == f"nurse:{site.logins['nurse'].username}"


def test_the_worklist_filters_by_kind_and_sorts(site: Site) -> None:
    site.login("nurse")
    refills = site.client.get("/worklist", params={"kind": "refill"}).text
    kinds = set(re.findall(r'data-kind="([a-z]+)"', refills))
    by_patient = site.client.get("/worklist", params={"sort": "patient"}).text
    patients = re.findall(r'<span class="patient">patient ([^,<]+)', by_patient)

    assert kinds == {"refill"}
    assert patients == sorted(patients) and len(patients) > 1
    assert site.client.get("/worklist", params={"kind": "nonsense"}).status_code == 422
    not_a_number = site.client.get("/worklist", params={"horizon_days": "soon"})
    assert not_a_number.status_code == 422 and "horizon_days" in not_a_number.text


def test_acknowledging_an_alert_takes_a_reason_and_the_csrf_token(site: Site) -> None:
    site.login("nurse")
    alert_id = _open_alert_id(site)
    token = site.csrf("/worklist")
    url = f"/alerts/{alert_id}/acknowledge"

    assert site.client.post(url, data={"reason": "called"}, follow_redirects=False).status_code == 403
    assert site.client.post(url, data={"reason": "  ", "csrf_token": token}).status_code == 422
    done = site.client.post(url, data={"reason": "called the patient", "csrf_token": token}, follow_redirects=False)

    assert done.status_code == 303
    with site.services.uow as uow:
        alert = uow.alerts.get(alert_id)
    assert alert.state is AlertState.ACKNOWLEDGED
    assert alert.transitions[-1].reason == "called the patient"
    assert alert.transitions[-1].by == f"nurse:{site.logins['nurse'].username}"
    outcomes = [e.outcome for e in _audit(site, "alert.acknowledge")]
    assert outcomes == [AuditOutcome.FAILED, AuditOutcome.SUCCESS]
    again = site.client.post(url, data={"reason": "again", "csrf_token": token})
    assert again.status_code == 409


def test_an_htmx_acknowledgement_answers_the_item_only(site: Site) -> None:
    site.login("clinician")
    alert_id = _open_alert_id(site)
    data = {"reason": "seen in clinic", "csrf_token": site.csrf("/worklist")}
    answer = site.client.post(f"/alerts/{alert_id}/acknowledge", data=data, headers={"HX-Request": "true"})

    assert answer.status_code == 200
    assert answer.text.lstrip().startswith("<li") and "seen in clinic" in answer.text and "<html" not in answer.text


def test_a_patient_sees_only_their_own_pages(site: Site) -> None:
    alert_id = _open_alert_id(site)
    site.login("patient")

    assert str(site.client.get("/").url).endswith("/today")
    assert site.client.get("/worklist").status_code == 403
    data = {"reason": "me", "csrf_token": site.csrf("/today")}
    assert site.client.post(f"/alerts/{alert_id}/acknowledge", data=data).status_code == 403
    assert _audit(site, "alert.acknowledge")[-1].outcome is AuditOutcome.DENIED
    with site.services.uow as uow:
        assert uow.alerts.get(alert_id).state is AlertState.OPEN


def test_staff_have_no_patient_day(site: Site) -> None:
    site.login("nurse")

    assert site.client.get("/today").status_code == 403
    assert site.client.get("/diary/new").status_code == 403


def test_the_patients_day_shows_the_refill_date_and_warning_signs(site: Site) -> None:
    site.login("patient")
    page = site.client.get("/today").text

    assert "Today's doses" in page and "Warning signs" in page
    assert re.search(r'class="refill-date">\d{4}-\d{2}-\d{2}<', page)
    assert 'href="/diary/new"' in page and DISCLAIMER in page
    entries = _audit(site, "patient.day")
    assert entries[-1].target == f"patient:{site.logins['patient'].patient_id}"
    assert entries[-1].outcome is AuditOutcome.SUCCESS


def test_a_diary_red_flag_shows_what_to_do_and_reaches_the_clinic(site: Site) -> None:
    site.login("patient")
    patient_id = site.logins["patient"].patient_id
    token = site.csrf("/diary/new")
    data = {
        "csrf_token": token,
        "doses_taken": "1",
        "doses_missed": "2",
        "spasm_frequency": "3",
        "spasm_severity": "2",
        "symptoms": ["high fever", "more spasms or stiffness", "itching"],
        "note": "bad evening",
    }
    answer = site.client.post("/diary", data=data)

    assert answer.status_code == 201
    assert "What to do now" in answer.text and PATIENT_MESSAGE_RED_FLAG.split(".")[0] in answer.text
    with site.services.uow as uow:
        alerts = uow.alerts.for_patient(patient_id, active_only=True)
    assert any(a.rule_id.startswith("DIARY-") and a.raised_at == site.clock.now() for a in alerts)
    assert _audit(site, "diary.create")[-1].outcome is AuditOutcome.SUCCESS


def test_an_invalid_diary_field_is_named_on_the_form(site: Site) -> None:
    site.login("patient")
    data = {"csrf_token": site.csrf("/diary/new"), "pain_nrs": "11", "doses_taken": "two"}
    answer = site.client.post("/diary", data=data)

    assert answer.status_code == 422
    assert 'id="pain_nrs-error"' in answer.text and 'id="doses_taken-error"' in answer.text
    assert _audit(site, "diary.create")[-1].outcome is AuditOutcome.FAILED


def test_logout_ends_the_session_and_an_expired_session_logs_out(site: Site) -> None:
    site.login("nurse")
    answer = site.client.post("/logout", data={"csrf_token": site.csrf("/worklist")}, follow_redirects=False)
    assert answer.status_code == 303 and "Max-Age=0" in _cookie_header(answer, SESSION_COOKIE)
    assert str(site.client.get("/worklist").url).endswith("/login")

    site.login("nurse")
    site.clock.advance(seconds=ApiSettings(secret_key=SECRET).token_ttl_s + 1)
    assert str(site.client.get("/worklist").url).endswith("/login")


def test_a_session_is_not_an_api_token_and_a_token_is_not_a_session(site: Site) -> None:
    site.login("nurse")
    session = site.client.cookies.get(SESSION_COOKIE)
    login = site.logins["nurse"]
    token = site.client.post(
        "/api/v1/auth/token", json={"username": login.username, "password": login.password}
    ).json()["access_token"]

    assert site.client.get("/api/v1/me", headers={"Authorization": f"Bearer {session}"}).status_code == 401
    site.client.cookies.set(SESSION_COOKIE, token)
    assert str(site.client.get("/worklist").url).endswith("/login")


def test_cookies_are_secure_when_the_settings_say_https() -> None:
    site = make_site(ApiSettings(secret_key=SECRET, secure_cookies=True))
    answer = site.client.get("/login")

    assert "secure" in _cookie_header(answer, CSRF_COOKIE).lower()


def test_the_vendored_htmx_is_the_pinned_one_and_ships_in_the_wheel() -> None:
    digest = hashlib.sha384((STATIC_DIR / "htmx.min.js").read_bytes()).digest()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = config["tool"]["setuptools"]["package-data"]["baclofen"]

    assert "sha384-" + base64.b64encode(digest).decode() == HTMX_SRI
    assert {"entrypoints/web/templates/*.html", "entrypoints/web/static/*"} <= set(package_data)


def test_the_patients_day_lists_todays_doses_of_the_active_plan(site: Site) -> None:
    clinician, patient_id = site.logins["clinician"], site.logins["patient"].patient_id
    auth = {"username": clinician.username, "password": clinician.password}
    token = site.client.post("/api/v1/auth/token", json=auth).json()["access_token"]
    body = {"kind": "titration", "start_date": AS_OF.date().isoformat(), "target_mg_per_day": 30}
    saved = site.client.post(
        f"/api/v1/patients/{patient_id}/plans", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert saved.status_code == 201, saved.text
    site.login("patient")
    page = site.client.get("/today").text

    doses = re.findall(r'<span class="time">(\d\d:\d\d)</span>([^<]*)</p>', page)
    assert len(doses) >= 3 and all("mg" in text for _, text in doses)


def test_staff_of_another_clinic_see_none_of_this_clinics_patients(site: Site) -> None:
    alert_id = _open_alert_id(site)
    password = "another clinic's nurse password"
    site.services.create_user(
        clinic_id="C-2", username="nurse.two", role="nurse", password=password, clinic_name="Other clinic"
    )
    data = {"username": "nurse.two", "password": password, "csrf_token": site.csrf()}
    assert site.client.post("/login", data=data, follow_redirects=False).status_code == 303

    worklist = site.client.get("/worklist").text
    assert 'class="item level-' not in worklist and "Nothing to do" in worklist
    answer = site.client.post(
        f"/alerts/{alert_id}/acknowledge", data={"reason": "not mine", "csrf_token": site.csrf("/worklist")}
    )
    assert answer.status_code == 404
    assert _audit(site, "alert.acknowledge")[-1].outcome is AuditOutcome.DENIED
    with site.services.uow as uow:
        assert uow.alerts.get(alert_id).state is AlertState.OPEN


def test_a_page_that_does_not_exist_is_an_error_page_for_a_browser_and_a_problem_for_the_api(site: Site) -> None:
    page = site.client.get("/no-such-page", headers={"Accept": "text/html"})
    api = site.client.get("/api/v1/no-such-route", headers={"Accept": "text/html"})

    assert page.status_code == 404 and "There is no such page." in page.text and DISCLAIMER in page.text
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")
