"""Who is asking: short-lived signed tokens (JWT, HS256), login rate limiting, role checks and what each
user may see.

* A token is issued by ``POST /api/v1/auth/token`` for a username and password and names its user, its own id
  (``jti``) and the account's session generation (``gen``); it lives :attr:`ApiSettings.token_ttl_s` (15 minutes
  by default) on the clinic's clock. Every request but login and health carries it (``Authorization: Bearer
  ...``); the user is read again at each request, with whether the token was revoked (``POST
  /api/v1/auth/logout``) or the account's sessions ended since (a password change, ``POST
  /api/v1/auth/logout-everywhere``): a role comes from the store, never from the token alone.
* The signing secret comes from the environment (``BACLOFEN_SECRET_KEY``) or the caller's settings, never
  from code; a server without one refuses to start (a demo server makes a random one per process).
* Failed logins are limited per username and client address (:class:`LoginLimiter`, in memory, bounded).
* Population jobs run on the Dask scheduler of ``$BACLOFEN_DASK_SCHEDULER`` (unset: a local cluster in this
  process, :attr:`ApiSettings.dask_workers` workers), at most :attr:`ApiSettings.max_population_per_job` subjects.
* A patient sees only their own records, staff (clinicians, nurses) only their clinic's; anything else is
  answered as if it did not exist (404).
"""

from __future__ import annotations

import os
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jwt

from baclofen.adapters.cds_client_trust import (
    API_TOKEN_ISSUER,
    CDS_CLIENTS_ENV,
    CdsClient,
    TrustPolicy,
    read_cds_clients,
)
from baclofen.domain.errors import InvalidInputError, NotFoundError
from baclofen.domain.records import STAFF_ROLES, PatientRecord, PumpRecord, Role, UserRecord
from baclofen.entrypoints.api.problems import Problem
from baclofen.services.jobs import DEFAULT_MAX_SUBJECTS
from baclofen.services.ports import Clock

__all__ = [
    "CDS_CLIENTS_ENV",
    "CDS_FHIR_SERVERS_ENV",
    "PUBLIC_BASE_URL_ENV",
    "DASK_SCHEDULER_ENV",
    "SECRET_KEY_ENV",
    "SECURE_COOKIES_ENV",
    "ApiSettings",
    "ApiToken",
    "LoginLimiter",
    "OutOfScope",
    "TokenSigner",
    "actor_label",
    "cds_clients_from",
    "can_see_patient",
    "require_role",
    "unauthorized",
]

#: The environment variable the token-signing secret comes from.
SECRET_KEY_ENV = "BACLOFEN_SECRET_KEY"
#: The environment variable that makes the web pages' cookies ``Secure`` (``1``/``true``: served over https).
SECURE_COOKIES_ENV = "BACLOFEN_SECURE_COOKIES"
#: The environment variable naming the Dask scheduler population jobs run on (unset: a local cluster).
DASK_SCHEDULER_ENV = "BACLOFEN_DASK_SCHEDULER"
#: The environment variable listing the FHIR servers (base URLs, comma-separated) the CDS Hooks services may fetch a
#: missing prefetch from (unset: none; a client then sends the prefetch).
CDS_FHIR_SERVERS_ENV = "BACLOFEN_CDS_FHIR_SERVERS"
#: The environment variable naming the URL this API is reached at from outside (``https://cds.example.org``), behind
#: a proxy: a CDS Client's JWT names the endpoint it called (``aud``) by that URL (unset: the URL the request names).
PUBLIC_BASE_URL_ENV = "BACLOFEN_PUBLIC_BASE_URL"
#: The shortest secret accepted (characters): HS256 wants at least 256 bits.
MIN_SECRET_KEY_LENGTH = 32
_ISSUER = API_TOKEN_ISSUER  # a bearer token with another issuer is a CDS Client's JWT, or none
_AUDIENCE = "baclofen-api"


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """What the API server is configured with (the secret is never shown)."""

    secret_key: str = field(repr=False)
    token_ttl_s: int = 900
    login_max_failures: int = 5
    login_window_s: int = 300
    login_max_tracked: int = 10_000
    demo: bool = False
    dask_scheduler: str | None = None
    dask_workers: int = 2
    max_population_per_job: int = DEFAULT_MAX_SUBJECTS
    #: The web pages' cookies are ``Secure`` (the site is served over https, e.g. behind a TLS proxy).
    secure_cookies: bool = False
    #: How long the response stored with an ``Idempotency-Key`` answers a retry (then it is purged), seconds.
    idempotency_retention_s: int = 24 * 3600
    #: The FHIR servers (base URLs) a CDS Hooks call may name as ``fhirServer`` to fetch a missing prefetch from;
    #: any other is not asked (the server would otherwise fetch any URL a caller names).
    cds_fhir_servers: tuple[str, ...] = ()
    #: The CDS Clients (EHRs) trusted to call the CDS Hooks services with their own signed JWT, each for one clinic
    #: (:mod:`baclofen.adapters.cds_client_trust`; ``$BACLOFEN_CDS_CLIENTS``).
    cds_clients: tuple[CdsClient, ...] = ()
    #: How their JWTs are checked (leeway, longest lifetime, JWK Set cache).
    cds_trust: TrustPolicy = TrustPolicy()
    #: The URL this API is reached at from outside (scheme and host, no path), when a proxy stands in front of it.
    public_base_url: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.secret_key, str) or len(self.secret_key) < MIN_SECRET_KEY_LENGTH:
            raise InvalidInputError(
                "secret_key",
                f"a secret of at least {MIN_SECRET_KEY_LENGTH} characters (set ${SECRET_KEY_ENV})",
                "<not set>" if not self.secret_key else "<too short>",
            )
        names = ("token_ttl_s", "login_max_failures", "login_window_s", "login_max_tracked", "dask_workers")
        for name in (*names, "max_population_per_job", "idempotency_retention_s"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InvalidInputError(name, "a whole number >= 1", value)
        for url in self.cds_fhir_servers:
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                raise InvalidInputError("cds_fhir_servers", "base URLs of FHIR servers (http or https)", url)
        if not all(isinstance(c, CdsClient) for c in self.cds_clients):
            raise InvalidInputError("cds_clients", "registered CDS Clients", self.cds_clients)
        base = self.public_base_url
        if base is not None and not (base.startswith(("https://", "http://")) and "?" not in base):
            raise InvalidInputError("public_base_url", "the https URL the API is reached at (no query)", base)

    @classmethod
    def from_environment(cls, *, demo: bool = False, **overrides: Any) -> ApiSettings:
        """The secret from ``$BACLOFEN_SECRET_KEY``; a demo server without one gets a random one (its tokens
        die with the process). A server that is not a demo refuses to start without one."""
        secret = os.environ.get(SECRET_KEY_ENV, "")
        if not secret and demo:
            secret = secrets.token_urlsafe(48)
        scheduler = os.environ.get(DASK_SCHEDULER_ENV) or None
        overrides.setdefault("dask_scheduler", scheduler)
        overrides.setdefault("secure_cookies", os.environ.get(SECURE_COOKIES_ENV, "").lower() in ("1", "true", "yes"))
        servers = os.environ.get(CDS_FHIR_SERVERS_ENV, "")
        overrides.setdefault("cds_fhir_servers", tuple(u.strip() for u in servers.split(",") if u.strip()))
        overrides.setdefault("cds_clients", cds_clients_from(os.environ.get(CDS_CLIENTS_ENV, "")))
        overrides.setdefault("public_base_url", os.environ.get(PUBLIC_BASE_URL_ENV) or None)
        return cls(secret_key=secret, demo=demo, **overrides)


def cds_clients_from(value: str) -> tuple[CdsClient, ...]:
    """The CDS Clients ``$BACLOFEN_CDS_CLIENTS`` registers: its JSON array, or the JSON file it names (unset: none)."""
    value = value.strip()
    if not value:
        return ()
    if value.startswith("["):
        return read_cds_clients(value)
    try:
        with open(value, encoding="utf-8") as registry:
            return read_cds_clients(registry.read(), source=value)
    except OSError:
        raise InvalidInputError(
            CDS_CLIENTS_ENV, "a JSON array of CDS Clients or the path of a JSON file", value
        ) from None


def actor_label(user: UserRecord) -> str:
    """How the audit log names a user: ``role:username``."""
    return f"{user.role.value}:{user.username}"


def unauthorized(detail: str) -> Problem:
    return Problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="baclofen"'})


@dataclass(frozen=True, slots=True)
class ApiToken:
    """What a validly signed, unexpired token says: its user, its id and the user's session generation it was
    issued in (whether it still stands is the store's to say: :func:`baclofen.services.accounts.signed_in_user`)."""

    user_id: str
    token_id: str
    session_generation: int


class TokenSigner:
    """Issues and checks the API's tokens (HS256, issuer and audience checked, expiry on the clinic's clock)."""

    def __init__(self, settings: ApiSettings, clock: Clock) -> None:
        self._secret = settings.secret_key
        self._ttl = timedelta(seconds=settings.token_ttl_s)
        self._clock = clock

    def issue(self, user: UserRecord) -> tuple[str, int]:
        """A token for ``user`` and its lifetime in seconds."""
        now = self._clock.now()
        claims = {
            "sub": user.user_id,
            "iss": _ISSUER,
            "aud": _AUDIENCE,
            "iat": int(now.timestamp()),
            "exp": int((now + self._ttl).timestamp()),
            "jti": secrets.token_hex(8),
            "gen": user.session_generation,
        }
        return jwt.encode(claims, self._secret, algorithm="HS256"), int(self._ttl.total_seconds())

    def revocation_until(self) -> datetime:
        """Until when a token revoked now must be refused: the latest expiry of any token issued so far."""
        return self._clock.now() + self._ttl

    def read(self, token: str) -> ApiToken:
        """What a valid token says; a 401 problem for a forged, malformed or expired one."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                audience=_AUDIENCE,
                issuer=_ISSUER,
                # expiry is checked below on the clinic's clock (the one source of "now")
                options={"require": ["sub", "exp", "iat", "jti", "gen"], "verify_exp": False, "verify_iat": False},
            )
        except jwt.InvalidTokenError:
            raise unauthorized("the token is not valid") from None
        now = self._clock.now().timestamp()
        expires, subject, token_id, generation = (
            claims.get("exp"),
            claims.get("sub"),
            claims.get("jti"),
            claims.get("gen"),
        )
        if not isinstance(expires, int | float) or expires <= now:
            raise unauthorized("the token has expired: log in again")
        if not isinstance(subject, str) or not isinstance(token_id, str) or type(generation) is not int:
            raise unauthorized("the token is not valid")
        return ApiToken(subject, token_id, generation)


class LoginLimiter:
    """Failed logins per (username, client address): after ``max_failures`` within ``window_s`` seconds,
    further attempts are refused (429 with Retry-After) until the window has passed; a success clears the
    count. At most ``max_tracked`` keys are kept (the oldest forgotten first), so memory stays bounded."""

    def __init__(self, settings: ApiSettings, clock: Clock) -> None:
        self._max = settings.login_max_failures
        self._window = timedelta(seconds=settings.login_window_s)
        self._max_tracked = settings.login_max_tracked
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: OrderedDict[tuple[str, str], list[datetime]] = OrderedDict()

    def _recent(self, key: tuple[str, str], now: datetime) -> list[datetime]:
        recent = [t for t in self._failures.get(key, []) if now - t < self._window]
        if recent:
            self._failures[key] = recent
        else:
            self._failures.pop(key, None)
        return recent

    def check(self, username: str, address: str) -> None:
        """A 429 problem when this username and address are locked out now."""
        now = self._clock.now()
        with self._lock:
            recent = self._recent((username, address), now)
        if len(recent) >= self._max:
            retry = max(1, int((recent[0] + self._window - now).total_seconds()) + 1)
            raise Problem(429, "too many failed logins: try again later", headers={"Retry-After": str(retry)})

    def failed(self, username: str, address: str) -> None:
        now = self._clock.now()
        key = (username, address)
        with self._lock:
            recent = self._recent(key, now)
            self._failures[key] = [*recent, now][-self._max :]
            self._failures.move_to_end(key)
            while len(self._failures) > self._max_tracked:
                self._failures.popitem(last=False)

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username, address), None)


class OutOfScope(NotFoundError):
    """A record this user may not see: answered exactly as one that does not exist (404), audited as denied."""


def require_role(user: UserRecord, roles: frozenset[Role] | set[Role]) -> None:
    """A 403 problem unless ``user`` has one of ``roles``."""
    if user.role not in roles:
        allowed = ", ".join(sorted(r.value for r in roles))
        raise Problem(403, f"this needs the role {allowed}; you are {user.role.value}")


def can_see_patient(user: UserRecord, record: PatientRecord) -> bool:
    """Staff see their clinic's patients, a patient only their own record (in their clinic)."""
    if record.clinic_id is None or record.clinic_id != user.clinic_id:
        return False
    if user.role is Role.PATIENT:
        return record.patient_id == user.patient_id
    return user.role in STAFF_ROLES


def check_pump_patient(pump: PumpRecord) -> str:
    """The patient of a pump; a pump of no patient is out of every user's scope."""
    if pump.patient_id is None:
        raise OutOfScope(f"no pump record {pump.pump_id!r}")
    return pump.patient_id
