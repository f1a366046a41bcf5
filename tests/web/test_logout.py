"""Logging out of the web pages holds (the earlier defect: the cookie, a signed JWT, stayed valid until it
expired): a copy of the session cookie taken before ``/logout`` opens no page after it, in this server process or
another over the same database; ``/logout-everywhere`` and a password change end every session and API token of
the account, and no one else's."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from baclofen.adapters.sql import create_database_engine, upgrade_database
from baclofen.bootstrap import bootstrap
from baclofen.entrypoints.api import ApiSettings
from baclofen.entrypoints.web import create_site
from baclofen.entrypoints.web.session import SESSION_COOKIE
from tests.web.conftest import SECRET, Site, make_site


def _opens_worklist(client: TestClient, cookie: str) -> bool:
    """Whether a browser holding only this session cookie gets the worklist (else it is sent to log in)."""
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)
    answer = client.get("/worklist", follow_redirects=False)
    assert answer.status_code in (200, 303), answer.text
    return answer.status_code == 200


def _log_out(site: Site, path: str = "/logout") -> None:
    answer = site.client.post(path, data={"csrf_token": site.csrf("/worklist")}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_a_cookie_copied_before_logout_opens_no_page_after_it(site: Site) -> None:
    site.login("nurse")
    copied = site.client.cookies[SESSION_COOKIE]
    thief = TestClient(site.client.app, base_url="http://testserver")
    assert _opens_worklist(thief, copied)

    _log_out(site)

    assert not _opens_worklist(thief, copied)
    assert str(thief.get("/worklist").url).endswith("/login")


def test_logging_out_one_session_leaves_the_accounts_other_sessions(site: Site) -> None:
    site.login("nurse")
    first = site.client.cookies[SESSION_COOKIE]
    site.client.cookies.clear()
    site.login("nurse")
    other = TestClient(site.client.app, base_url="http://testserver")

    _log_out(site)

    assert _opens_worklist(other, first)


def test_logging_out_everywhere_ends_every_session_and_api_token_of_the_account(site: Site) -> None:
    login = site.logins["nurse"]
    token = site.client.post(
        "/api/v1/auth/token", json={"username": login.username, "password": login.password}
    ).json()["access_token"]
    site.login("nurse")
    elsewhere = site.client.cookies[SESSION_COOKIE]
    site.client.cookies.clear()
    site.login("clinician")
    someone_else = site.client.cookies[SESSION_COOKIE]
    site.client.cookies.clear()
    site.login("nurse")
    other = TestClient(site.client.app, base_url="http://testserver")

    _log_out(site, "/logout-everywhere")

    assert not _opens_worklist(other, elsewhere)
    assert _opens_worklist(other, someone_else)
    assert site.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    site.client.cookies.clear()
    site.login("nurse")  # a new login is a new session
    assert site.client.get("/worklist", follow_redirects=False).status_code == 200


def test_the_page_offers_to_log_out_everywhere(site: Site) -> None:
    site.login("nurse")

    assert 'formaction="/logout-everywhere"' in site.client.get("/worklist").text


def test_a_password_change_ends_the_accounts_sessions(site: Site) -> None:
    site.login("patient")
    copied = site.client.cookies[SESSION_COOKIE]

    site.services.change_password(site.logins["patient"].username, "another long passphrase")

    answer = site.client.get("/today", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    site.client.cookies.set(SESSION_COOKIE, copied)
    assert site.client.get("/today", follow_redirects=False).status_code == 303


def test_on_sqlite_a_logout_holds_in_another_server_process_and_after_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'baclofen.sqlite3'}"
    engine = create_database_engine(url)
    upgrade_database(engine)
    engine.dispose()
    site = make_site(database_url=url)
    with site.client:
        site.login("nurse")
        copied = site.client.cookies[SESSION_COOKIE]
        # another worker, or the server restarted: a process of its own over the same database
        restarted = bootstrap(clock=site.clock, passwords=site.services.passwords, database_url=url)
        worker = TestClient(create_site(restarted, ApiSettings(secret_key=SECRET)), base_url="http://testserver")
        assert _opens_worklist(worker, copied)

        _log_out(site)

        assert not _opens_worklist(worker, copied)
