"""No request makes the API fail with a server error (issue 11 acceptance): schemathesis draws requests from
the OpenAPI schema, valid and invalid, for every operation, in-process on the in-memory store, as a
clinician (so that the operations behind authentication are reached). Bounded: a few examples each."""

from __future__ import annotations

import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from baclofen.bootstrap import bootstrap
from tests.api.conftest import START, SettableClock, cheap_hasher, make_api

MAX_EXAMPLES = int(os.environ.get("BACLOFEN_SCHEMATHESIS_EXAMPLES", "12"))

# Built at collection: schemathesis reads the operations from the application's schema (in memory, cheap).
_clock = SettableClock(START)
API = make_api(bootstrap(clock=_clock, passwords=cheap_hasher()), _clock)
schema = schemathesis.openapi.from_asgi("/openapi.json", API.app)
#: The clinician's token (the clock stands still: it stays valid); login itself is drawn without one.
HEADERS = API.auth("clin1")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_request_is_a_server_error(case) -> None:
    case.call_and_validate(headers=HEADERS if case.path != "/api/v1/auth/token" else {}, checks=[not_a_server_error])


#: An admin's token, for the operations only an admin reaches past the role check (the clinic's settings).
ADMIN_HEADERS = API.auth("admin1")


@schema.include(path_regex="^/api/v1/clinic/settings").parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_request_of_an_admin_on_the_clinic_settings_is_a_server_error(case) -> None:
    case.call_and_validate(headers=ADMIN_HEADERS, checks=[not_a_server_error])
