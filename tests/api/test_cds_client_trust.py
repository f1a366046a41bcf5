"""A real EHR calls the CDS services with the JWT it signs (CDS Hooks 2.0 §Trusting CDS Clients,
https://cds-hooks.hl7.org/2.0/#trusting-cds-clients; the text quoted in :mod:`baclofen.adapters.cds_client_trust`):
keys generated here (RSA and EC P-384), the JWK Set served by a real HTTP server in a thread, the application real.

What the specification demands and each test checks: RS384 and ES384 accepted ("ES384 and RS384 are RECOMMENDED");
``aud`` "MUST be the URL of the CDS Service endpoint being invoked" (a string or an array); ``exp``/``iat``
required; ``jti`` "used to protect against replay attacks"; ``none`` and symmetric algorithms "SHALL NOT" be used;
an allowlist of ``iss`` and ``jku``. Discovery is open: it holds no sensitive data ("CDS Services SHOULD require
authentication if invoking the service poses any risk of exposing sensitive data to the caller")."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from baclofen.adapters.cds_client_trust import CDS_CLIENTS_ENV, read_cds_clients
from baclofen.bootstrap import bootstrap
from baclofen.domain.errors import InvalidInputError
from baclofen.entrypoints.api import ApiSettings, create_app
from baclofen.entrypoints.api.problems import PROBLEM_JSON
from baclofen.entrypoints.api.security import PUBLIC_BASE_URL_ENV, SECRET_KEY_ENV
from tests.api.cds_hooks_examples import patient_view
from tests.api.conftest import SECRET, START, Api, SettableClock, cheap_hasher, seed
from tests.api.json_server import JsonServer

EHR = "https://ehr.example.org/"  # acts as a clinician of clinic C-1 (P-1, P-2); its keys at its JWK Set URL
INLINE_EHR = "https://other-ehr.example.org"  # acts as a nurse of clinic C-2; its JWK Set written inline
SERVICE = "baclofen-patient-view"
ENDPOINT = f"http://testserver/cds-services/{SERVICE}"  # what the TestClient's requests reach

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP384R1())
STRANGER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key: Any, kid: str) -> dict[str, Any]:
    to_jwk = RSAAlgorithm.to_jwk if isinstance(key, rsa.RSAPrivateKey) else ECAlgorithm.to_jwk
    jwk: dict[str, Any] = to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig"}


class _JwksServer(JsonServer):
    """A CDS Client's JWK Set URL (a real HTTP server in a thread); ``keys`` may change (a key rotation)."""

    def __init__(self, *keys: dict[str, Any]) -> None:
        self.keys = list(keys)
        super().__init__(lambda path: {"keys": self.keys}, base_path="/jwks.json")

    @property
    def fetches(self) -> int:
        return len(self.requests)


@pytest.fixture
def jwks() -> Iterator[_JwksServer]:
    server = _JwksServer(_jwk(RSA_KEY, "rsa-1"), _jwk(EC_KEY, "ec-1"))
    yield server
    server.close()


def _registry(jwks_url: str) -> list[dict[str, Any]]:
    return [
        {"iss": EHR, "jwks_url": jwks_url, "clinic_id": "C-1", "acts_as": "clinician"},
        {"iss": INLINE_EHR, "jwks": {"keys": [_jwk(EC_KEY, "ec-9")]}, "clinic_id": "C-2", "acts_as": "nurse"},
    ]


def _api(jwks_url: str, **settings: Any) -> Api:
    clock = SettableClock(START)
    services = bootstrap(clock=clock, passwords=cheap_hasher())
    seed(services)
    clients = read_cds_clients(json.dumps(_registry(jwks_url)))
    app = create_app(services, ApiSettings(secret_key=SECRET, dask_workers=1, cds_clients=clients, **settings))
    return Api(app, TestClient(app, raise_server_exceptions=False), services, clock)


@pytest.fixture
def ehr_api(jwks: _JwksServer) -> Api:
    return _api(jwks.url)


def _claims(api: Api, **changes: Any) -> dict[str, Any]:
    now = int(api.clock.now().timestamp())
    claims = {"iss": EHR, "aud": ENDPOINT, "iat": now, "exp": now + 300, "jti": str(uuid.uuid4())}
    return {k: v for k, v in (claims | changes).items() if v is not None}


def _signed(api: Api, key: Any = RSA_KEY, alg: str = "RS384", kid: str = "rsa-1", jku: str | None = None, **changes):
    headers = {"kid": kid, "typ": "JWT"} | ({"jku": jku} if jku else {})
    return jwt.encode(_claims(api, **changes), key, algorithm=alg, headers=headers)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hand_made(api: Api, alg: str, secret: bytes) -> str:
    """A JWT PyJWT would not sign: ``none``, or HS256 keyed with the client's PUBLIC key (algorithm confusion)."""
    head = _b64(json.dumps({"alg": alg, "typ": "JWT", "kid": "rsa-1"}).encode())
    body = _b64(json.dumps(_claims(api)).encode())
    signature = _b64(hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()) if secret else ""
    return f"{head}.{body}.{signature}"


def _view(api: Api, token: str, patient: str = "P-1", service: str = SERVICE):
    headers = {"Authorization": f"Bearer {token}"}
    return api.client.post(f"/cds-services/{service}", json=patient_view(patient), headers=headers)


def _outcome(api: Api, actor: str) -> tuple[str, str, str]:
    entry = api.services.audit.entries(actor=actor)[-1]
    return entry.action, entry.target, entry.outcome.value


# --- accepted -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "alg", "kid", "aud"),
    [(RSA_KEY, "RS384", "rsa-1", ENDPOINT), (EC_KEY, "ES384", "ec-1", [ENDPOINT])],  # aud: a string or an array
    ids=["RS384", "ES384"],
)
def test_a_registered_ehrs_rs384_or_es384_jwt_calls_patient_view_as_its_clinic(ehr_api, key, alg, kid, aud) -> None:
    response = _view(ehr_api, _signed(ehr_api, key, alg, kid, aud=aud))

    assert response.status_code == 200, response.text
    assert _outcome(ehr_api, f"cds-client:{EHR}") == ("cds_hooks.patient_view", "patient:P-1", "success")


def test_our_own_bearer_tokens_keep_working_beside_the_ehrs(ehr_api) -> None:
    response = ehr_api.client.post(f"/cds-services/{SERVICE}", json=patient_view("P-1"), headers=ehr_api.auth("clin1"))

    assert response.status_code == 200
    assert _outcome(ehr_api, "clinician:clin1") == ("cds_hooks.patient_view", "patient:P-1", "success")


def test_patient_view_reads_only_the_patients_of_the_clinic_the_client_is_registered_for(ehr_api) -> None:
    def token() -> str:
        return _signed(ehr_api, EC_KEY, "ES384", "ec-9", iss=INLINE_EHR)

    own, other = _view(ehr_api, token(), "Q-1"), _view(ehr_api, token(), "P-1")

    assert own.status_code == other.status_code == 200
    assert (
        other.json()["cards"] == [] and "no stored patient 'P-1'" in other.json()["extension"]["org.baclofen.notes"][0]
    )
    entries = ehr_api.services.audit.entries(actor=f"cds-client:{INLINE_EHR}")
    assert [(e.target, e.outcome.value) for e in entries] == [("patient:Q-1", "success"), ("patient:P-1", "denied")]


def test_feedback_is_accepted_with_the_feedback_endpoint_as_audience(ehr_api) -> None:
    item = {"card": "9368d37b", "outcome": "overridden", "outcomeTimestamp": "2026-03-02T09:00:00Z"}
    token = _signed(ehr_api, aud=f"{ENDPOINT}/feedback")

    r = ehr_api.client.post(
        f"/cds-services/{SERVICE}/feedback", json={"feedback": [item]}, headers={"Authorization": f"Bearer {token}"}
    )

    assert r.status_code == 200 and r.json() == {"received": 1}


def test_the_audience_is_the_public_url_behind_a_proxy(jwks) -> None:
    api = _api(jwks.url, public_base_url="https://cds.example.org")

    behind = _view(api, _signed(api, aud=f"https://cds.example.org/cds-services/{SERVICE}"))
    as_reached = _view(api, _signed(api, aud=ENDPOINT))

    assert behind.status_code == 200 and as_reached.status_code == 401


def test_the_jwk_set_is_kept_and_fetched_again_for_a_new_key(ehr_api, jwks) -> None:
    first, second = _view(ehr_api, _signed(ehr_api)), _view(ehr_api, _signed(ehr_api))
    assert first.status_code == second.status_code == 200 and jwks.fetches == 1

    rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks.keys.append(_jwk(rotated, "rsa-2"))
    ehr_api.clock.advance(seconds=31)  # an unknown kid makes a fetch at most every 30 s (no fetch storm)

    assert _view(ehr_api, _signed(ehr_api, rotated, kid="rsa-2")).status_code == 200 and jwks.fetches == 2


def test_discovery_is_open_it_holds_no_sensitive_data(ehr_api) -> None:
    r = ehr_api.client.get("/cds-services")

    assert r.status_code == 200 and {s["id"] for s in r.json()["services"]} >= {SERVICE}


# --- refused: 401, what failed named, audited ---------------------------------------------------------------------
REFUSALS = {
    "wrong aud": (lambda api: _signed(api, aud="http://testserver/cds-services/baclofen-order-select"), "aud"),
    "expired": (lambda api: _signed(api, iat=_now(api) - 600, exp=_now(api) - 60), "exp: the token has expired"),
    "iat in the future": (lambda api: _signed(api, iat=_now(api) + 120, exp=_now(api) + 300), "iat"),
    "living too long": (lambda api: _signed(api, exp=_now(api) + 3600), "exp: more than 300 s"),
    "no jti": (lambda api: _signed(api, jti=None), "jti"),
    "unknown iss": (lambda api: _signed(api, iss="https://ehr.evil.example"), "iss: not a registered"),
    "wrong key": (lambda api: _signed(api, STRANGER_KEY), "signature"),
    "unknown kid": (lambda api: _signed(api, kid="rsa-404"), "kid"),
    "alg none": (lambda api: _hand_made(api, "none", b""), "alg"),
    "HS256 keyed with the public key": (lambda api: _hand_made(api, "HS256", _public_pem()), "alg"),
    "RS384 header on the EC key": (lambda api: _signed(api, RSA_KEY, "RS384", "ec-1"), "alg"),
}


def _now(api: Api) -> int:
    return int(api.clock.now().timestamp())


def _public_pem() -> bytes:
    return RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_jwt_that_fails_a_check_is_a_401_naming_what_failed(ehr_api, case) -> None:
    make, named = REFUSALS[case]

    response = _view(ehr_api, make(ehr_api))

    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM_JSON and named in response.json()["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    last = ehr_api.services.audit.entries()[-1]
    assert (last.action, last.outcome.value) == ("cds_hooks.authenticate", "denied")
    assert last.actor in (f"cds-client:{EHR}", "cds-client:unregistered")
    assert not any(e.action == "cds_hooks.patient_view" for e in ehr_api.services.audit.entries())


def test_a_replayed_jwt_is_refused(ehr_api) -> None:
    token = _signed(ehr_api)

    first, again = _view(ehr_api, token), _view(ehr_api, token)

    assert first.status_code == 200
    assert again.status_code == 401 and "replayed" in again.json()["detail"]


def test_a_jku_other_than_the_registered_url_is_never_fetched(ehr_api) -> None:
    attacker = _JwksServer(_jwk(STRANGER_KEY, "rsa-1"))
    try:
        response = _view(ehr_api, _signed(ehr_api, STRANGER_KEY, jku=attacker.url))
    finally:
        attacker.close()

    assert response.status_code == 401 and response.json()["detail"].startswith("the CDS Client token is refused: jku")
    assert attacker.fetches == 0


def test_the_registered_jku_is_accepted(ehr_api, jwks) -> None:
    assert _view(ehr_api, _signed(ehr_api, jku=jwks.url)).status_code == 200


def test_a_jwk_set_url_that_does_not_answer_is_a_401_not_a_server_error() -> None:
    gone = _JwksServer()
    gone.close()  # its port now refuses connections
    api = _api(gone.url)

    response = _view(api, _signed(api))

    assert response.status_code == 401 and "JWK Set could not be fetched" in response.json()["detail"]


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_ALGS = st.one_of(st.sampled_from(["RS384", "ES384", "PS384", "none", "HS256"]), _TEXT, st.integers())
_KIDS = st.one_of(st.sampled_from(["rsa-1", "ec-1", "ec-9"]), _TEXT, st.none())
_HEADERS = st.fixed_dictionaries({"alg": _ALGS}, optional={"kid": _KIDS, "jku": _TEXT, "typ": _TEXT})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=_HEADERS,
    claims=st.dictionaries(
        st.sampled_from(["iss", "aud", "exp", "iat", "jti", "sub"]), st.one_of(_TEXT, st.integers())
    ),
    iss=st.sampled_from([EHR, INLINE_EHR, "https://ehr.evil.example", None]),
    signature=st.binary(max_size=64),
)
def test_no_forged_token_is_a_server_error(ehr_api, header, claims, iss, signature) -> None:
    body = claims | ({"iss": iss} if iss else {})
    token = ".".join(_b64(p) for p in (json.dumps(header).encode(), json.dumps(body).encode(), signature))

    response = _view(ehr_api, token)

    assert response.status_code == 401, response.text


# --- the registry: configuration, errors naming the field ---------------------------------------------------------
GOOD = {"iss": EHR, "jwks_url": "https://ehr.example.org/jwks", "clinic_id": "C-1", "acts_as": "nurse"}


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([{k: v for k, v in GOOD.items() if k != "clinic_id"}], f"{CDS_CLIENTS_ENV}[0].clinic_id"),
        ([GOOD | {"acts_as": "admin"}], f"{CDS_CLIENTS_ENV}[0].acts_as"),
        ([GOOD | {"jwks": {"keys": []}}], f"{CDS_CLIENTS_ENV}[0].jwks_url"),
        ([GOOD | {"jwks_url": "http://ehr.example.org/jwks"}], f"{CDS_CLIENTS_ENV}[0].jwks_url"),
        ([{k: v for k, v in GOOD.items() if k != "jwks_url"} | {"jwks": {"keys": [1]}}], f"{CDS_CLIENTS_ENV}[0].jwks"),
        ([GOOD | {"tenant": "x"}], f"{CDS_CLIENTS_ENV}[0].tenant"),
        ([GOOD, GOOD], f"{CDS_CLIENTS_ENV}[1].iss"),
        ([GOOD | {"iss": "baclofen"}], f"{CDS_CLIENTS_ENV}[0].iss"),  # this API's own tokens' issuer
        ([GOOD | {"clinic_id": " C-1"}], f"{CDS_CLIENTS_ENV}[0].clinic_id"),
        ({"iss": EHR}, CDS_CLIENTS_ENV),
    ],
)
def test_a_wrong_registration_names_the_field(items, field) -> None:
    with pytest.raises(InvalidInputError) as error:
        read_cds_clients(json.dumps(items))

    assert error.value.field == field


def test_the_clients_come_from_the_environment_as_json_or_a_file(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv(SECRET_KEY_ENV, SECRET)
    monkeypatch.setenv(PUBLIC_BASE_URL_ENV, "https://cds.example.org")
    monkeypatch.setenv(CDS_CLIENTS_ENV, json.dumps([GOOD]))
    inline = ApiSettings.from_environment()
    registry = tmp_path / "cds-clients.json"
    registry.write_text(json.dumps([GOOD | {"acts_as": "clinician"}]))
    monkeypatch.setenv(CDS_CLIENTS_ENV, str(registry))
    from_file = ApiSettings.from_environment()

    assert [(c.iss, c.clinic_id, c.acts_as.value) for c in inline.cds_clients] == [(EHR, "C-1", "nurse")]
    assert [c.acts_as.value for c in from_file.cds_clients] == ["clinician"]
    assert inline.public_base_url == "https://cds.example.org"
