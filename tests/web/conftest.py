"""The web pages in-process (FastAPI's TestClient) over the demo clinic in memory, with a clock the tests move."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from baclofen.adapters.passwords import Argon2PasswordHasher
from baclofen.bootstrap import Services, bootstrap
from baclofen.entrypoints.api import ApiSettings
from baclofen.entrypoints.web import create_site
from baclofen.services.demo_clinic import DemoLogin

SECRET = "a-web-test-secret-that-is-long-enough-for-hs256"
ZONE = ZoneInfo("Europe/Paris")
AS_OF = datetime(2026, 3, 2, 9, 0, tzinfo=ZONE)
_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


class MovableClock:
    def __init__(self, now: datetime) -> None:
        self.moment = now

    @property
    def zone(self) -> tzinfo:
        return ZONE

    def now(self) -> datetime:
        return self.moment

    def today(self) -> date:
        return self.moment.date()

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@dataclass
class Site:
    client: TestClient
    services: Services
    clock: MovableClock
    logins: dict[str, DemoLogin]

    def csrf(self, path: str = "/login") -> str:
        """The CSRF token of the form on the page at ``path`` (read as the visitor)."""
        page = self.client.get(path)
        found = _CSRF.search(page.text)
        assert found is not None, f"no CSRF token on {path}"
        return found.group(1)

    def login(self, role: str) -> None:
        login = self.logins[role]
        data = {"username": login.username, "password": login.password, "csrf_token": self.csrf()}
        answer = self.client.post("/login", data=data, follow_redirects=False)
        assert answer.status_code == 303, answer.text


def make_site(settings: ApiSettings | None = None, database_url: str | None = None) -> Site:
    """The demo clinic's site, in memory or in the (migrated, empty) database of ``database_url``."""
    clock = MovableClock(AS_OF)
    services = bootstrap(
        clock=clock,
        passwords=Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1),
        database_url=database_url,
    )
    demo = services.write_demo_clinic(AS_OF, seed=1)
    app = create_site(services, settings or ApiSettings(secret_key=SECRET))
    client = TestClient(app, base_url="http://testserver")
    return Site(client, services, clock, {x.role.value: x for x in demo.logins})


@pytest.fixture
def site() -> Iterator[Site]:
    made = make_site()
    with made.client:
        yield made
