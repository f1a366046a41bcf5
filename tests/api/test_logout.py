"""Logging out holds (issue: logout did not revoke): a token sent to ``POST /api/v1/auth/logout`` is refused
from then on, on every store and by every server process over that store; ``/auth/logout-everywhere`` and a
password change end every token of the account, and no other account's."""

from __future__ import annotations

from fastapi.testclient import TestClient

from baclofen.entrypoints.api import ApiSettings, create_app
from baclofen.entrypoints.api.problems import PROBLEM_JSON
from tests.api.conftest import PASSWORD, SECRET

NEW_PASSWORD = "a brand new passphrase"


def _me(api, token: str) -> int:
    return api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_logged_out_token_gets_401_and_another_token_of_the_account_still_works(api) -> None:
    kept, logged_out = api.token("clin1"), api.token("clin1")
    assert _me(api, logged_out) == 200

    r = api.client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {logged_out}"})

    assert r.status_code == 204 and r.content == b""
    refused = api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {logged_out}"})
    assert refused.status_code == 401 and refused.headers["content-type"] == PROBLEM_JSON
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert _me(api, kept) == 200
    again = api.client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {logged_out}"})
    assert again.status_code == 401


def test_a_revocation_is_seen_by_another_server_process_over_the_same_store(api) -> None:
    token = api.token("nurse1")
    other = create_app(api.services, ApiSettings(secret_key=SECRET, dask_workers=1))  # a second worker
    with TestClient(other) as second:
        assert second.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        api.client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})

        assert second.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_logging_out_everywhere_ends_every_token_of_the_account_only(memory_api) -> None:
    first, second, someone_else = memory_api.token("clin1"), memory_api.token("clin1"), memory_api.token("nurse1")

    r = memory_api.client.post("/api/v1/auth/logout-everywhere", headers={"Authorization": f"Bearer {first}"})

    assert r.status_code == 204
    assert _me(memory_api, first) == 401 and _me(memory_api, second) == 401
    assert _me(memory_api, someone_else) == 200
    assert _me(memory_api, memory_api.token("clin1")) == 200  # a new login is a new session


def test_a_password_change_ends_every_token_of_the_account(api) -> None:
    token = api.token("clin1")

    api.services.change_password("clin1", NEW_PASSWORD)

    assert _me(api, token) == 401
    old = api.client.post("/api/v1/auth/token", json={"username": "clin1", "password": PASSWORD})
    assert old.status_code == 401
    new = api.client.post("/api/v1/auth/token", json={"username": "clin1", "password": NEW_PASSWORD})
    assert new.status_code == 200 and _me(api, new.json()["access_token"]) == 200
