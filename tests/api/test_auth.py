"""Authentication (issue 11 items 9-10): 401 without valid credentials on every route but login and health,
short-lived tokens, login rate limiting, a server that refuses to start without a secret."""

from __future__ import annotations

import re

import jwt
import pytest

from baclofen.domain.errors import InvalidInputError
from baclofen.entrypoints.api import ApiSettings
from baclofen.entrypoints.api.problems import PROBLEM_JSON
from tests.api.conftest import PASSWORD, SECRET

#: CDS Hooks discovery is open too: it holds no patient or clinic data (CDS Hooks 2.0 §Trusting CDS Clients).
OPEN_ROUTES = {("POST", "/api/v1/auth/token"), ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/cds-services")}


def _routes(app) -> list[tuple[str, str]]:
    """Every method and path of the application, from its OpenAPI schema (a new route is covered without
    editing this test)."""
    return [(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item]


def _filled(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "P-1", path)


def test_the_open_routes_are_exactly_login_health_and_cds_discovery(memory_api) -> None:
    routes = _routes(memory_api.app)

    assert OPEN_ROUTES <= set(routes) and len(routes) > len(OPEN_ROUTES) + 8


@pytest.mark.parametrize("credentials", [None, "Bearer not-a-token", "Basic Y2xpbjE6eA==", "forged", "expired"])
def test_every_other_route_answers_401_without_valid_credentials(memory_api, credentials) -> None:
    headers = {}
    if credentials == "forged":
        token = jwt.encode({"sub": "u-1", "exp": 4102444800, "iat": 0}, "another-secret-that-is-long-enough!!", "HS256")
        headers["Authorization"] = f"Bearer {token}"
    elif credentials == "expired":
        headers["Authorization"] = f"Bearer {memory_api.token('clin1')}"
        memory_api.clock.advance(minutes=16)
    elif credentials is not None:
        headers["Authorization"] = credentials

    for method, path in _routes(memory_api.app):
        if (method, path) in OPEN_ROUTES:
            continue
        r = memory_api.client.request(method, _filled(path), headers=headers, json={})
        assert r.status_code == 401, (method, path, r.status_code, r.text)
        assert r.headers["content-type"] == PROBLEM_JSON and r.headers["www-authenticate"].startswith("Bearer")
        assert r.json()["status"] == 401


def test_health_and_readiness_need_no_credentials(api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json() == {"status": "ready"}
    assert "/api/v1/patients" in api.client.get("/openapi.json").json()["paths"]


def test_readiness_fails_when_the_database_does_not_answer(memory_api) -> None:
    from dataclasses import replace

    from baclofen.domain.errors import ServiceError

    def down() -> None:
        raise ServiceError("cannot use the database")

    memory_api.app.state.services = replace(memory_api.services, check_ready=down)

    r = memory_api.client.get("/readyz")

    assert r.status_code == 503 and r.headers["content-type"] == PROBLEM_JSON


def test_a_token_is_short_lived_and_names_its_user(api) -> None:
    r = api.client.post("/api/v1/auth/token", json={"username": "nurse1", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {r.json()['access_token']}"}

    assert r.json()["token_type"] == "bearer" and r.json()["expires_in"] == 900
    assert r.headers["cache-control"] == "no-store"
    assert api.client.get("/api/v1/me", headers=headers).json()["username"] == "nurse1"
    api.clock.advance(minutes=15)
    assert api.client.get("/api/v1/me", headers=headers).status_code == 401


@pytest.mark.parametrize(
    ("username", "password"), [("clin1", "wrong password!"), ("nobody", PASSWORD), ("bad name", "x")]
)
def test_a_wrong_login_is_401_saying_nothing_about_which_part(memory_api, username, password) -> None:
    r = memory_api.client.post("/api/v1/auth/token", json={"username": username, "password": password})

    assert r.status_code == 401 and r.json()["detail"] == "wrong username or password"


def test_failed_logins_are_rate_limited_per_username_until_the_window_passes(memory_api) -> None:
    login = memory_api.client.post
    for _ in range(5):
        assert login("/api/v1/auth/token", json={"username": "clin1", "password": "wrong password!"}).status_code == 401

    locked = login("/api/v1/auth/token", json={"username": "clin1", "password": PASSWORD})
    other = login("/api/v1/auth/token", json={"username": "nurse1", "password": PASSWORD})
    memory_api.clock.advance(minutes=5)
    later = login("/api/v1/auth/token", json={"username": "clin1", "password": PASSWORD})

    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert locked.headers["content-type"] == PROBLEM_JSON
    assert other.status_code == 200 and later.status_code == 200


def test_the_login_limiter_stays_bounded() -> None:
    from baclofen.entrypoints.api.security import LoginLimiter
    from tests.api.conftest import START, SettableClock

    limiter = LoginLimiter(ApiSettings(secret_key=SECRET, login_max_tracked=3), SettableClock(START))
    for i in range(10):
        limiter.failed(f"user{i}", "10.0.0.1")

    assert len(limiter._failures) == 3


def test_a_server_without_a_secret_refuses_to_start_unless_it_is_a_demo(monkeypatch) -> None:
    monkeypatch.delenv("BACLOFEN_SECRET_KEY", raising=False)

    with pytest.raises(InvalidInputError) as err:
        ApiSettings.from_environment()
    demo = ApiSettings.from_environment(demo=True)
    monkeypatch.setenv("BACLOFEN_SECRET_KEY", "short")
    with pytest.raises(InvalidInputError):
        ApiSettings.from_environment()

    assert err.value.field == "secret_key" and "BACLOFEN_SECRET_KEY" in err.value.expected
    assert len(demo.secret_key) >= 32 and demo.secret_key not in repr(demo)


def test_an_admin_creates_accounts_of_their_own_clinic_only(memory_api) -> None:
    body = {"username": "nurse9", "role": "nurse", "password": PASSWORD}

    made = memory_api.client.post("/api/v1/users", json=body, headers=memory_api.auth("admin1"))
    refused = memory_api.client.post(
        "/api/v1/users", json={**body, "username": "n10"}, headers=memory_api.auth("clin1")
    )
    short = memory_api.client.post(
        "/api/v1/users", json={**body, "username": "n11", "password": "short"}, headers=memory_api.auth("admin1")
    )

    assert made.status_code == 201 and made.json()["clinic_id"] == "C-1"
    assert refused.status_code == 403
    assert short.status_code == 422 and short.json()["errors"][0]["field"] == "password"
    assert memory_api.token("nurse9")
