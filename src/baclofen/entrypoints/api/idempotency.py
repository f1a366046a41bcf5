"""Safe retries of the requests that create a record: the ``Idempotency-Key`` request header (IETF
draft-ietf-httpapi-idempotency-key-header).

A client sends a unique key (a UUID, say: 1 to 255 printable characters) with a POST that creates a record, and the
same key and body again when it retries one whose response it did not get (a timeout, a lost connection, a 503). The
first request's response (status, body, ``Location``/``ETag``) is stored with the key, scoped to the caller and the
route, in the transaction of the record it created (:meth:`~baclofen.services.ports.UnitOfWork.enclosing`): a
committed record always has its stored response, and a response is stored only with its record. A retry gets that
response again, marked ``Idempotent-Replayed: true``, and creates nothing; the same key with another request (path
or body) is a 422 naming ``Idempotency-Key``; a retry while the first is still in progress in this server is a 409
(two servers: the second to commit gets the 409). A stored response answers for ``ApiSettings.idempotency_retention_s``
(24 h by default), and is purged lazily after. Without the header a request runs as before.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated

from fastapi import Header, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel

from baclofen.domain.idempotency import MAX_IDEMPOTENCY_KEY_LENGTH, StoredResponse
from baclofen.entrypoints.api.context import Caller
from baclofen.entrypoints.api.problems import Problem
from baclofen.entrypoints.api.security import ApiSettings

__all__ = ["HEADER", "REPLAYED_HEADER", "IdempotencyKey", "InFlight", "respond_once"]

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
#: The headers of a response stored with it (and given again on a replay).
_KEPT_HEADERS = {"location": "Location", "etag": "ETag"}

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=MAX_IDEMPOTENCY_KEY_LENGTH,
        pattern=r"^[!-~]([ -~]*[!-~])?$",
        description=(
            "A unique key of this request (a UUID, say), sent again with the same body to retry it safely: a "
            "retry gets the first response (Idempotent-Replayed: true) and creates nothing "
            "(draft-ietf-httpapi-idempotency-key-header)."
        ),
    ),
]


class InFlight:
    """The keyed requests this server is running now (a retry of one of them is a 409)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[tuple[str, str, str]] = set()

    @contextmanager
    def hold(self, user_id: str, route: str, key: str) -> Iterator[None]:
        held = (user_id, route, key)
        with self._lock:
            if held in self._running:
                raise Problem(
                    409,
                    f"a request with this {HEADER} ({key!r}) is still in progress: retry it once it has ended",
                    headers={"Retry-After": "1"},
                )
            self._running.add(held)
        try:
            yield
        finally:
            with self._lock:
                self._running.discard(held)


def _route(request: Request) -> str:
    """The method and path template of the request (``POST /api/v1/pumps/{pump_id}/visits``)."""
    route, path = request.scope.get("route"), request.url.path
    if isinstance(route, APIRoute):
        matched = route.path_format.format(**request.path_params)  # the template's own part (the router's prefix not)
        prefix = path[: len(path) - len(matched)] if path.endswith(matched) else ""
        path = prefix + route.path_format
    return f"{request.method} {path}"


def _fingerprint(request: Request, body: BaseModel | None) -> str:
    """The digest of what the request asks: its path, query and body (as validated: the same JSON written
    differently is the same request)."""
    request_text = json.dumps(
        {
            "path": request.url.path,
            "query": sorted(request.query_params.multi_items()),
            "body": body.model_dump(mode="json") if body is not None else None,
        },
        sort_keys=True,
        allow_nan=False,
    )
    return hashlib.sha256(request_text.encode()).hexdigest()


def _replay(stored: StoredResponse) -> Response:
    headers = dict(stored.headers)
    headers[REPLAYED_HEADER] = "true"
    return Response(stored.body, status_code=stored.status, headers=headers, media_type="application/json")


def _key_reused(key: str) -> Problem:
    detail = f"the {HEADER} {key!r} was sent before with another request: a new request needs a new key"
    error = {"field": HEADER, "in": "header", "detail": "a key not used before with another request (path or body)"}
    return Problem(422, detail, errors=[error])


def respond_once(
    who: Caller, request: Request, key: str | None, body: BaseModel | None, respond: Callable[[], Response]
) -> Response:
    """``respond()`` (which runs the use case that creates the record, and builds its response) at most once per
    ``key``: see the module's docstring. Without a key, just ``respond()``."""
    if key is None:
        return respond()
    settings: ApiSettings = request.app.state.settings
    in_flight: InFlight = request.app.state.in_flight
    user_id, route, fingerprint = who.user.user_id, _route(request), _fingerprint(request, body)
    now = who.services.clock.now()
    expired_before = now - timedelta(seconds=settings.idempotency_retention_s)
    uow = who.services.uow
    with uow:
        uow.idempotency.purge(expired_before)  # an expired response answers no more (deleted at a commit)
        stored = uow.idempotency.find(user_id, route, key)
    if stored is not None:
        if stored.fingerprint != fingerprint:
            raise _key_reused(key)
        return _replay(stored)
    with in_flight.hold(user_id, route, key), uow.enclosing() as outer:
        response = respond()  # the use case's commit joins this transaction
        if 200 <= response.status_code <= 299:
            kept = _KEPT_HEADERS.items()
            headers = tuple((shown, response.headers[name]) for name, shown in kept if name in response.headers)
            body_text = bytes(response.body).decode()
            outer.idempotency.purge(expired_before)
            outer.idempotency.add(
                StoredResponse(user_id, route, key, fingerprint, response.status_code, body_text, headers, now)
            )
        outer.commit()  # the record and its response, or nothing (ConflictError: 409)
    return response
