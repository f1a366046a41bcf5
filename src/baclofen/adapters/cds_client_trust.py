"""Trusting CDS Clients (CDS Hooks 2.0 §Security and Safety, "Trusting CDS Clients",
https://cds-hooks.hl7.org/2.0/#trusting-cds-clients): the EHRs allowed to call our CDS services, and the check of
the JWT each one signs for every call.

What the specification asks of a CDS Client's JWT, and what we check:

* header ``alg``: "JWTs SHALL NOT be signed using the ``none`` algorithm" nor "any symmetric algorithm" (HMAC);
  "ES384 and RS384 are RECOMMENDED". We accept the asymmetric algorithms of :data:`ACCEPTED_ALGORITHMS` only;
* header ``kid`` (REQUIRED): the key of the client's JWK Set that verifies the signature;
* header ``jku`` (OPTIONAL): "the URL to the JWK Set"; "CDS Services SHOULD limit the CDS Clients they trust by
  maintaining an allowlist of ``iss`` and ``jku`` urls". A ``jku`` is accepted only when it is the JWK Set URL
  registered for that ``iss``: an arbitrary URL is never fetched (it would let anyone bring their own key);
* payload ``iss`` (REQUIRED): a registered client (:class:`CdsClient`), else refused;
* ``aud`` (REQUIRED, a string or an array of strings): "this value MUST be the URL of the CDS Service endpoint
  being invoked" (the caller gives the URL the request reached, :func:`endpoint_url`);
* ``exp`` and ``iat`` (REQUIRED): checked on the clinic's clock with a small leeway; the specification sets no
  longest lifetime, we refuse one over :attr:`TrustPolicy.max_lifetime_s` (5 minutes, as SMART Backend Services
  asks of its client assertions): a short life bounds the replay cache;
* ``jti`` (REQUIRED): "a nonce ... used to protect against replay attacks": one seen before (until its ``exp``)
  is refused (:class:`ReplayCache`, in this process, bounded per client);
* ``sub`` and ``tenant`` are OPTIONAL in 2.0 and not used: a registered client acts for ONE clinic.

The keys come from the client's registered JWK Set URL (fetched with httpx, kept :attr:`TrustPolicy.jwks_ttl_s`,
fetched again when a ``kid`` is unknown, at most once per :attr:`TrustPolicy.jwks_refetch_s`) or from a JWK Set
written inline in the registration. Every refusal is a :class:`ClientTokenRefused` naming what failed.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.records import STAFF_ROLES, Role, check_record_id
from baclofen.services.ports import Clock

__all__ = [
    "ACCEPTED_ALGORITHMS",
    "API_TOKEN_ISSUER",
    "CDS_CLIENTS_ENV",
    "CdsClient",
    "ClientTokenRefused",
    "ClientTokenVerifier",
    "TrustPolicy",
    "VerifiedClient",
    "read_cds_clients",
    "unverified_issuer",
]

#: The environment variable that registers the trusted CDS Clients: a JSON array (or the path of a JSON file).
CDS_CLIENTS_ENV = "BACLOFEN_CDS_CLIENTS"
#: Asymmetric signatures only (CDS Hooks 2.0 §JWT Signing Algorithm: no ``none``, no HMAC); RS384 and ES384 are the
#: specification's RECOMMENDED pair.
ACCEPTED_ALGORITHMS = frozenset({"RS384", "ES384", "RS256", "RS512", "ES256", "ES512", "PS256", "PS384", "PS512"})
#: The ``iss`` of this API's own tokens: no CDS Client may claim it.
API_TOKEN_ISSUER = "baclofen"
_FIELDS = frozenset({"iss", "jwks_url", "jwks", "clinic_id", "acts_as"})
_MAX_JWKS_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class CdsClient:
    """A CDS Client (an EHR) we trust: its ``iss``, where its public keys are (``jwks_url``, or ``jwks`` inline),
    and the ONE clinic it calls for, as a clinician or a nurse of it (its patient-view reads that clinic's patients).
    """

    iss: str
    clinic_id: str
    acts_as: Role
    jwks_url: str | None = None
    jwks: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def actor(self) -> str:
        """How the audit log names the client: ``cds-client:<iss>``."""
        return f"cds-client:{self.iss}"


@dataclass(frozen=True, slots=True)
class TrustPolicy:
    """How CDS Client tokens are checked (seconds)."""

    #: Clock difference allowed on ``exp`` and ``iat``.
    leeway_s: int = 30
    #: The longest ``exp - iat`` accepted (our policy: the specification sets none; SMART Backend Services asks 5 min).
    max_lifetime_s: int = 300
    #: How long a fetched JWK Set is used before it is fetched again.
    jwks_ttl_s: int = 300
    #: The shortest time between two fetches of one JWK Set for an unknown ``kid`` (no fetch storm on forged kids).
    jwks_refetch_s: int = 30
    #: The most live ``jti`` kept per client (a client over it is refused until some expire).
    max_jti_per_client: int = 10_000
    #: How long a JWK Set fetch may take.
    fetch_timeout_s: float = 5.0

    def __post_init__(self) -> None:
        for name in ("leeway_s", "max_lifetime_s", "jwks_ttl_s", "jwks_refetch_s", "max_jti_per_client"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise InvalidInputError(name, "a whole number >= 0", value)


class ClientTokenRefused(Exception):
    """A CDS Client token that is not accepted; ``reason`` says what failed (no patient data in it)."""

    def __init__(self, reason: str, iss: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.iss = iss


@dataclass(frozen=True, slots=True)
class VerifiedClient:
    """A verified call: the client and the token's ``jti``."""

    client: CdsClient
    jti: str


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(value: object, name: str) -> str:
    """An https URL (plain http only to this machine: a test or a proxy beside us)."""
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or not parts.hostname or parts.scheme not in ("https", "http"):
        raise InvalidInputError(name, "an https URL", value)
    if parts.scheme == "http" and not _is_local(parts.hostname):
        raise InvalidInputError(name, "an https URL (http only for localhost)", value)
    return str(value)


def _check_jwks(value: object, name: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInputError(name, 'a JWK Set: {"keys": [...]}', "<not an object>")
    try:
        keys = jwt.PyJWKSet.from_dict(value)
    except (jwt.PyJWKSetError, jwt.InvalidKeyError, TypeError, ValueError):
        raise InvalidInputError(name, "a JWK Set of public keys with their kid", "<unreadable>") from None
    if any(key.key_id is None for key in keys.keys):
        raise InvalidInputError(name, "a kid on every key (the JWT header names it)", "<a key without kid>")
    return value


def _read_client(item: object, where: str) -> CdsClient:
    if not isinstance(item, dict):
        raise InvalidInputError(where, "an object {iss, jwks_url or jwks, clinic_id, acts_as}", type(item).__name__)
    unknown = sorted(set(item) - _FIELDS)
    if unknown:
        raise InvalidInputError(f"{where}.{unknown[0]}", "one of " + ", ".join(sorted(_FIELDS)), unknown[0])
    iss = item.get("iss")
    if not isinstance(iss, str) or not 0 < len(iss) <= 150 or iss != iss.strip():
        raise InvalidInputError(f"{where}.iss", "the issuer of the client's JWTs (a text of 1-150 characters)", iss)
    if iss == API_TOKEN_ISSUER:
        raise InvalidInputError(f"{where}.iss", f"an issuer other than this API's own ({API_TOKEN_ISSUER})", iss)
    try:
        clinic_id = check_record_id(item.get("clinic_id"), "clinic_id")
    except InvalidInputError as exc:
        expected = "the id of the ONE clinic the client calls for"
        raise InvalidInputError(f"{where}.clinic_id", expected, exc.actual) from None
    roles = sorted(r.value for r in STAFF_ROLES)
    acts_as = item.get("acts_as")
    if acts_as not in roles:
        raise InvalidInputError(f"{where}.acts_as", " or ".join(roles), acts_as)
    if ("jwks_url" in item) == ("jwks" in item):
        raise InvalidInputError(f"{where}.jwks_url", "either jwks_url or jwks (inline), not both nor neither", None)
    url = _check_url(item["jwks_url"], f"{where}.jwks_url") if "jwks_url" in item else None
    jwks = _check_jwks(item["jwks"], f"{where}.jwks") if "jwks" in item else None
    return CdsClient(iss, clinic_id, Role(acts_as), url, jwks)


def read_cds_clients(text: str, source: str = CDS_CLIENTS_ENV) -> tuple[CdsClient, ...]:
    """The clients a JSON array registers (``source`` names it in errors):
    ``[{"iss": ..., "jwks_url": ... | "jwks": {...}, "clinic_id": ..., "acts_as": "clinician" | "nurse"}]``."""
    try:
        items = json.loads(text)
    except ValueError:
        raise InvalidInputError(source, "a JSON array of CDS Clients", "<not JSON>") from None
    if not isinstance(items, list):
        raise InvalidInputError(source, "a JSON array of CDS Clients", type(items).__name__)
    clients = tuple(_read_client(item, f"{source}[{i}]") for i, item in enumerate(items))
    seen: set[str] = set()
    for i, client in enumerate(clients):
        if client.iss in seen:
            raise InvalidInputError(f"{source}[{i}].iss", "an issuer registered once", client.iss)
        seen.add(client.iss)
    return clients


def unverified_issuer(token: str) -> str | None:
    """The ``iss`` a JWT claims (NOT verified: only to tell which check applies); None for no JWT or no iss."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return None
    iss = claims.get("iss")
    return iss if isinstance(iss, str) else None


class _JwksCache:
    """The JWK Sets fetched from the registered URLs, per URL: (when fetched, the keys by kid)."""

    def __init__(self, policy: TrustPolicy, clock: Clock) -> None:
        self._policy = policy
        self._clock = clock
        self._lock = threading.Lock()
        self._sets: dict[str, tuple[datetime, dict[str, jwt.PyJWK]]] = {}

    def key(self, url: str, kid: str) -> jwt.PyJWK | None:
        now = self._clock.now()
        with self._lock:
            held = self._sets.get(url)
        fresh = held is not None and now - held[0] < timedelta(seconds=self._policy.jwks_ttl_s)
        if held is not None and fresh and kid in held[1]:
            return held[1][kid]
        may_fetch = held is None or now - held[0] >= timedelta(seconds=self._policy.jwks_refetch_s)
        if not may_fetch:
            return held[1].get(kid) if held is not None else None
        keys = self._fetch(url)
        with self._lock:
            self._sets[url] = (now, keys)
        return keys.get(kid)

    def _fetch(self, url: str) -> dict[str, jwt.PyJWK]:
        try:
            with httpx.Client(timeout=self._policy.fetch_timeout_s, follow_redirects=False) as client:
                response = client.get(url, headers={"Accept": "application/json"})
            if response.status_code != 200 or len(response.content) > _MAX_JWKS_BYTES:
                raise ValueError(f"HTTP {response.status_code}")
            return _keys_by_kid(response.json())
        except (httpx.HTTPError, ValueError, jwt.PyJWKSetError, jwt.InvalidKeyError) as exc:
            raise ClientTokenRefused(f"the client's JWK Set could not be fetched ({type(exc).__name__})") from None


def _keys_by_kid(jwks: Any) -> dict[str, jwt.PyJWK]:
    if not isinstance(jwks, dict):
        raise ValueError("not a JWK Set")
    return {k.key_id: k for k in jwt.PyJWKSet.from_dict(jwks).keys if k.key_id is not None}


class ReplayCache:
    """The ``jti`` of the accepted tokens, per client, until their ``exp`` (bounded per client)."""

    def __init__(self, max_per_client: int) -> None:
        self._max = max_per_client
        self._lock = threading.Lock()
        self._seen: dict[str, OrderedDict[str, float]] = {}

    def remember(self, iss: str, jti: str, expires: float, now: float) -> None:
        """Record ``jti``; ClientTokenRefused when it was seen (a replay) or the client has too many live ones."""
        with self._lock:
            seen = self._seen.setdefault(iss, OrderedDict())
            for old in [j for j, exp in seen.items() if exp < now]:
                del seen[old]
            if jti in seen:
                raise ClientTokenRefused("the token was replayed: its jti was used before", iss)
            if len(seen) >= self._max:
                raise ClientTokenRefused("too many live tokens from this client: try again shortly", iss)
            seen[jti] = expires


class ClientTokenVerifier:
    """Checks a CDS Client's JWT against the registered clients (module docstring)."""

    def __init__(self, clients: Sequence[CdsClient], policy: TrustPolicy, clock: Clock) -> None:
        self._clients = {c.iss: c for c in clients}
        self._inline = {c.iss: _keys_by_kid(dict(c.jwks)) for c in clients if c.jwks is not None}
        self._policy = policy
        self._clock = clock
        self._jwks = _JwksCache(policy, clock)
        self._replays = ReplayCache(policy.max_jti_per_client)

    def is_registered(self, iss: str | None) -> bool:
        return iss is not None and iss in self._clients

    def verify(self, token: str, audience: str) -> VerifiedClient:
        """The client that signed ``token`` for the endpoint ``audience``; ClientTokenRefused naming what failed."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise ClientTokenRefused("the bearer token is not a JWT") from None
        iss = unverified_issuer(token)
        client = self._clients.get(iss or "")
        if client is None:
            raise ClientTokenRefused("iss: not a registered CDS Client", iss)
        alg, kid, jku = header.get("alg"), header.get("kid"), header.get("jku")
        if alg not in ACCEPTED_ALGORITHMS:
            expected = ", ".join(sorted(ACCEPTED_ALGORITHMS))
            raise ClientTokenRefused(f"alg: {str(alg)[:20]!r} is not accepted (expected one of {expected})", iss)
        if not isinstance(kid, str) or not kid:
            raise ClientTokenRefused("kid: the JWT header names no key", iss)
        if jku is not None and jku != client.jwks_url:
            raise ClientTokenRefused("jku: not the JWK Set URL registered for this client", iss)
        key = self._key(client, kid)
        claims = self._decode(token, key, str(alg), audience, client)
        return VerifiedClient(client, self._check_times_and_jti(claims, client))

    def _key(self, client: CdsClient, kid: str) -> jwt.PyJWK:
        if client.jwks_url is not None:
            key = self._jwks.key(client.jwks_url, kid)
        else:
            key = self._inline[client.iss].get(kid)
        if key is None:
            raise ClientTokenRefused("kid: no such key in the client's JWK Set", client.iss)
        return key

    def _decode(self, token: str, key: jwt.PyJWK, alg: str, audience: str, client: CdsClient) -> dict[str, Any]:
        if key.algorithm_name != alg and not _same_family(key, alg):
            raise ClientTokenRefused(f"alg: {alg} does not fit the key {key.key_id!r}", client.iss)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                audience=audience,
                issuer=client.iss,
                # the times are checked on the clinic's clock below (the one source of "now")
                options={"require": ["iss", "aud", "exp", "iat", "jti"], "verify_exp": False, "verify_iat": False},
            )
        except jwt.InvalidAudienceError:
            raise ClientTokenRefused(f"aud: expected the endpoint called, {audience}", client.iss) from None
        except jwt.MissingRequiredClaimError as exc:
            raise ClientTokenRefused(f"{exc.claim}: a required claim is missing", client.iss) from None
        except jwt.InvalidSignatureError:
            raise ClientTokenRefused("signature: not made by the client's key", client.iss) from None
        except (jwt.InvalidTokenError, jwt.InvalidKeyError, ValueError, TypeError) as exc:
            raise ClientTokenRefused(f"the token is not valid ({type(exc).__name__})", client.iss) from None
        return claims

    def _check_times_and_jti(self, claims: Mapping[str, Any], client: CdsClient) -> str:
        now = self._clock.now().timestamp()
        leeway = self._policy.leeway_s
        expires, issued, jti = claims.get("exp"), claims.get("iat"), claims.get("jti")
        if not isinstance(expires, int | float) or isinstance(expires, bool):
            raise ClientTokenRefused("exp: expected seconds since the epoch", client.iss)
        if not isinstance(issued, int | float) or isinstance(issued, bool):
            raise ClientTokenRefused("iat: expected seconds since the epoch", client.iss)
        if expires <= now - leeway:
            raise ClientTokenRefused("exp: the token has expired", client.iss)
        if issued > now + leeway:
            raise ClientTokenRefused("iat: the token is issued in the future", client.iss)
        if expires - issued > self._policy.max_lifetime_s:
            raise ClientTokenRefused(f"exp: more than {self._policy.max_lifetime_s} s after iat", client.iss)
        if not isinstance(jti, str) or not jti or len(jti) > 200:
            raise ClientTokenRefused("jti: expected a unique text of 1-200 characters", client.iss)
        self._replays.remember(client.iss, jti, float(expires) + leeway, now)
        return jti


def _same_family(key: jwt.PyJWK, alg: str) -> bool:
    """A key of the algorithm's type and curve (an RSA key for RS*/PS*, a P-384 key for ES384, ...)."""
    kty = key.key_type
    if alg.startswith(("RS", "PS")):
        return kty == "RSA" and key.algorithm_name.startswith(("RS", "PS"))
    return False  # an EC key fixes its algorithm by its curve (PyJWK names it), which was not alg
