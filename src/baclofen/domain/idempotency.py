"""Idempotent requests: the response stored with the ``Idempotency-Key`` a client sent with a request that created
a record (IETF draft-ietf-httpapi-idempotency-key-header), so that a retry of it is answered with that response
instead of creating the record again.

A stored response belongs to one caller (``user_id``) and one route (``"POST /api/v1/pumps/{pump_id}/visits"``):
another user's key, or the same key on another route, is another request. ``fingerprint`` is the digest of the
request (its path and body): the same key sent with another request is an error, not a retry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from baclofen.domain.errors import require
from baclofen.domain.records import check_record_id

__all__ = [
    "MAX_IDEMPOTENCY_KEY_LENGTH",
    "MAX_ROUTE_LENGTH",
    "StoredResponse",
    "check_idempotency_key",
    "split_stored_response_key",
    "stored_response_key",
]

#: The longest key a client may send (1 to 255 printable characters).
MAX_IDEMPOTENCY_KEY_LENGTH = 255
#: The longest route (method and path template) a response is stored under.
MAX_ROUTE_LENGTH = 300
#: Printable ASCII, no leading or trailing space (a header value is trimmed).
_KEY = re.compile(r"[!-~](?:[ -~]*[!-~])?")
_ROUTE = re.compile(r"[A-Z]+ /[!-~]*")
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
#: Separates the parts of :func:`stored_response_key` (not a printable character: in no part).
_SEPARATOR = "\x1f"


def check_idempotency_key(key: object, field: str = "Idempotency-Key") -> str:
    """``key`` when it is 1 to 255 printable ASCII characters (no leading or trailing space)."""
    ok = isinstance(key, str) and len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH and _KEY.fullmatch(key) is not None
    require(ok, field, f"1 to {MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters (a UUID, say)", key)
    assert isinstance(key, str)
    return key


def stored_response_key(user_id: str, route: str, key: str) -> str:
    """The one text naming a stored response: its caller, route and key (``split_stored_response_key`` undoes it)."""
    return _SEPARATOR.join((user_id, route, key))


def split_stored_response_key(text: str) -> tuple[str, str, str]:
    """The caller, route and key of :func:`stored_response_key`."""
    user_id, route, key = text.split(_SEPARATOR)
    return user_id, route, key


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The response to a request sent with an ``Idempotency-Key``, stored with the record it created.

    Attributes
    ----------
    user_id : str
        The caller who sent it.
    route : str
        Its method and path template (``"POST /api/v1/patients"``).
    key : str
        The ``Idempotency-Key`` sent.
    fingerprint : str
        SHA-256 (hex) of the request: its path and body.
    status : int
        The response's HTTP status (a success: 2xx).
    body : str
        The response's body (JSON text).
    headers : tuple of (name, value)
        The response's headers a retry gets again (``Location``, ``ETag``).
    created_at : datetime
        When it was stored, with its UTC offset (it expires a retention after).
    """

    user_id: str
    route: str
    key: str
    fingerprint: str
    status: int
    body: str
    headers: tuple[tuple[str, str], ...]
    created_at: datetime

    def __post_init__(self) -> None:
        check_record_id(self.user_id, "user_id")
        ok_route = isinstance(self.route, str) and len(self.route) <= MAX_ROUTE_LENGTH
        require(ok_route and _ROUTE.fullmatch(self.route) is not None, "route", "METHOD /path", self.route)
        check_idempotency_key(self.key, "key")
        fingerprint_ok = isinstance(self.fingerprint, str) and _FINGERPRINT.fullmatch(self.fingerprint) is not None
        require(fingerprint_ok, "fingerprint", "a SHA-256 digest in hex", self.fingerprint)
        ok_status = isinstance(self.status, int) and not isinstance(self.status, bool) and 200 <= self.status <= 299
        require(ok_status, "status", "a success status (200 to 299)", self.status)
        require(isinstance(self.body, str), "body", "a text", self.body)
        require(isinstance(self.headers, tuple), "headers", "a tuple of (name, value)", self.headers)
        aware = isinstance(self.created_at, datetime) and self.created_at.utcoffset() is not None
        require(aware, "created_at", "a date and time with its UTC offset", self.created_at)

    @property
    def record_key(self) -> str:
        """Its key among stored responses (:func:`stored_response_key`)."""
        return stored_response_key(self.user_id, self.route, self.key)
