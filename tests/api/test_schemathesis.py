"""No request makes the API fail with a server error, and every response conforms to the OpenAPI schema (issue 11
acceptance): schemathesis draws requests from the schema, valid and invalid, for every operation, in-process on the
in-memory store and on a SQLite file, as a clinician (so that the operations behind authentication are reached),
and checks each response's status code, content type and body against what the operation declares. Bounded: a
few examples each (``BACLOFEN_SCHEMATHESIS_EXAMPLES``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from baclofen.adapters.sql import create_database_engine, upgrade_database
from baclofen.bootstrap import bootstrap
from tests.api.conftest import START, Api, SettableClock, _sql_services, cheap_hasher, make_api

MAX_EXAMPLES = int(os.environ.get("BACLOFEN_SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# Built at collection: schemathesis reads the operations from the application's schema (in memory, cheap).
_clock = SettableClock(START)
API = make_api(bootstrap(clock=_clock, passwords=cheap_hasher()), _clock)
schema = schemathesis.openapi.from_asgi("/openapi.json", API.app)


@pytest.fixture(scope="module", params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The API over the in-memory store (the one the schema was read from) or over a migrated SQLite file."""
    if request.param == "memory":
        yield API
        return
    path: Path = tmp_path_factory.mktemp("schemathesis") / "baclofen.sqlite3"
    engine = create_database_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    clock = SettableClock(START)
    yield make_api(_sql_services(engine, clock), clock)
    engine.dispose()


@pytest.fixture(scope="module")
def clinician(store: Api) -> dict[str, str]:
    """The clinician's token (the clock stands still: it stays valid); login itself is drawn without one."""
    return store.auth("clin1")


@pytest.fixture(scope="module")
def admin(store: Api) -> dict[str, str]:
    """An admin's token, for the operations only an admin reaches past the role check (the clinic's settings)."""
    return store.auth("admin1")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_request_is_a_server_error_and_every_response_conforms(case, store, clinician) -> None:
    headers = clinician if case.path != "/api/v1/auth/token" else {}
    case.call_and_validate(app=store.app, headers=headers, checks=CHECKS)


@schema.include(path_regex="^/api/v1/clinic/settings").parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_request_of_an_admin_on_the_clinic_settings_is_a_server_error_and_conforms(case, store, admin) -> None:
    case.call_and_validate(app=store.app, headers=admin, checks=CHECKS)
