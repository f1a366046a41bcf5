"""RFC 9457 problem details: every error of the API is ``application/problem+json`` with a type, title,
status and detail; a 422 lists every invalid field (``errors``: its path in the request, where it was, what
was expected), whether the request's shape (FastAPI's validation) or the input edge found it.

A database that cannot serve now (down, unreachable, a connection lost, read-only, locked, out of space) is a
503 with ``Retry-After``, never a 500: the request changed nothing (a write is one transaction, rolled back) or,
when only the audit entry of a completed access could not be stored, its answer is withheld all the same."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from baclofen.domain.errors import ConflictError, InvalidInputError, InvalidInputs, NotFoundError, ServiceError

__all__ = [
    "PROBLEM_JSON",
    "RETRY_AFTER_S",
    "Problem",
    "field_errors",
    "install_problem_handlers",
    "problem_response",
    "unavailable_response",
]

PROBLEM_JSON = "application/problem+json"
MAX_SHOWN_CHARS = 120
#: The Retry-After of a 503 (seconds): a database outage is seldom shorter.
RETRY_AFTER_S = 5

_log = logging.getLogger("baclofen.api")


class Problem(Exception):
    """An error answered as a problem document (``status``, ``detail``, extra members, headers)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = extra


def problem_response(status: int, detail: str, headers: Mapping[str, str] | None = None, **extra: Any) -> JSONResponse:
    phrase = HTTPStatus(status).phrase
    body = {
        "type": f"https://baclofen.invalid/problems/{phrase.lower().replace(' ', '-')}",
        "title": phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON)


def unavailable_response(detail: str) -> JSONResponse:
    """A 503 problem with ``Retry-After``: the service cannot serve now, and may in a while."""
    return problem_response(503, detail, {"Retry-After": str(RETRY_AFTER_S)})


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_SHOWN_CHARS else f"{text[:MAX_SHOWN_CHARS]}... ({len(text)} characters)"


def field_errors(error: InvalidInputError, prefixes: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Every invalid field of an input error (one, or all of :class:`InvalidInputs`), each with its path in
    the request body (``prefixes`` puts a field under an object: ``{"locale": "patient"}``)."""
    errors: Sequence[InvalidInputError] = error.errors if isinstance(error, InvalidInputs) else (error,)
    named = prefixes or {}
    return [
        {
            "field": f"{named[e.field]}.{e.field}" if e.field in named else e.field,
            "in": "body",
            "detail": f"expected {e.expected} (got {_shown(e.actual)})",
        }
        for e in errors
    ]


def _path(loc: Iterable[Any]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    found = []
    for error in exc.errors():
        where, *loc = error.get("loc", ("body",))
        found.append({"field": _path(loc) if loc else where, "in": where, "detail": error.get("msg", "invalid")})
    return found


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error as a problem document (no stack trace, no stored value in a 500)."""

    async def problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc.status, exc.detail, exc.headers, **exc.extra)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return problem_response(exc.status_code, str(exc.detail), exc.headers)

    async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = _validation_errors(exc)
        return problem_response(422, f"{len(errors)} invalid field(s)", errors=errors)

    async def invalid_input(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InvalidInputError)
        errors = field_errors(exc)
        return problem_response(422, f"{len(errors)} invalid field(s)", errors=errors)

    async def out_of_range(request: Request, exc: Exception) -> JSONResponse:
        detail = f"a date or number is out of range ({exc}): use a realistic date and values"
        return problem_response(422, detail, errors=[])

    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(404, str(exc))

    async def conflict(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(409, str(exc))

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(503, "the service cannot serve this request now")

    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(500, "an unexpected error; it was logged")

    async def database_error(request: Request, exc: Exception) -> JSONResponse:
        from baclofen.adapters.sql.engine import database_unavailable

        if database_unavailable(exc):
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            _log.warning("database unavailable (%s %s): %s", request.method, request.url.path, reason)
            return unavailable_response("the database cannot serve now (down, unreachable or read-only): retry later")
        _log.error("database error (%s %s)", request.method, request.url.path, exc_info=exc)
        return problem_response(500, "an unexpected error; it was logged")

    app.add_exception_handler(Problem, problem)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(InvalidInputError, invalid_input)
    app.add_exception_handler(OverflowError, out_of_range)
    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(ConflictError, conflict)
    app.add_exception_handler(ServiceError, unavailable)
    app.add_exception_handler(Exception, server_error)
    if "sqlalchemy" in sys.modules:  # a SQL store was opened (an in-memory one raises no database errors)
        from sqlalchemy.exc import SQLAlchemyError

        app.add_exception_handler(SQLAlchemyError, database_error)
