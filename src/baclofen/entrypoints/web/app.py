"""The web pages' machinery: the templates (Jinja2, autoescaped), the vendored static files, the visit of each
request (its session, its user, its CSRF nonce), the security headers of every response and the error pages.

:func:`create_site` is the one application ``baclofen serve`` runs: the REST API of
:func:`baclofen.entrypoints.api.create_app` (``/api/v1``) with the web pages (``/``) installed on the same app, on
the same services, the same accounts and the same secret.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader
from jinja2_fragments import render_block
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from baclofen.bootstrap import Services
from baclofen.domain.errors import ConflictError, InvalidInputError, InvalidInputs, NotFoundError
from baclofen.domain.records import STAFF_ROLES, Role, UserRecord
from baclofen.entrypoints.api.context import Caller
from baclofen.entrypoints.api.problems import Problem
from baclofen.entrypoints.api.security import ApiSettings
from baclofen.entrypoints.web.session import CSRF_FIELD, SessionSigner, WebSession, csrf_nonce

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "HTMX_SRI",
    "HTMX_VERSION",
    "CsrfRefused",
    "LoginRequired",
    "Visit",
    "WebRoute",
    "caller_of",
    "check_csrf",
    "create_site",
    "install_web",
    "render",
    "render_fragment",
]

_log = logging.getLogger("baclofen.web")

#: The vendored htmx (npm ``htmx.org``, 0BSD licence): its version and the SRI hash of ``static/htmx.min.js``.
HTMX_VERSION = "2.0.11"
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"
#: Scripts and styles only from this site (no inline script, no ``hx-on``, no eval), never framed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
)
STATIC_DIR = Path(str(resources.files("baclofen.entrypoints.web") / "static"))

templates = Environment(
    loader=PackageLoader("baclofen.entrypoints.web", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.globals.update(htmx_version=HTMX_VERSION, htmx_sri=HTMX_SRI, csrf_field=CSRF_FIELD)


class LoginRequired(Exception):
    """The page needs a logged-in user: answered with a redirect to the login page."""


class CsrfRefused(Exception):
    """A form without the CSRF token of this visit: answered 403."""


@dataclass(slots=True)
class Visit:
    """One request's visitor: their session and user (None when not logged in), the CSRF nonce (a new one is set
    on the response), and what the page decided about the session (a new one, or ended)."""

    services: Services
    signer: SessionSigner
    session: WebSession | None
    user: UserRecord | None
    nonce: str
    nonce_is_new: bool
    new_session: str | None = None
    ended: bool = False

    @property
    def csrf_token(self) -> str:
        return self.signer.csrf_token(self.nonce, self.session.session_id if self.session else None)

    @property
    def role(self) -> str | None:
        return self.user.role.value if self.user is not None else None

    @property
    def is_staff(self) -> bool:
        return self.user is not None and self.user.role in STAFF_ROLES

    @property
    def is_patient(self) -> bool:
        return self.user is not None and self.user.role is Role.PATIENT


def _start_visit(request: Request) -> Visit:
    services: Services = request.app.state.services
    signer: SessionSigner = request.app.state.session_signer
    session = signer.read(request)
    user = None
    if session is not None:
        # None for an account that no longer exists, a session logged out, or the account's sessions ended
        user = services.signed_in_user(session.user_id, session.session_id, session.session_generation)
        if user is None:
            session = None
    nonce = csrf_nonce(request)
    return Visit(services, signer, session, user, nonce or secrets.token_urlsafe(24), nonce is None)


def _finish_visit(request: Request, visit: Visit, response: Response) -> None:
    if visit.nonce_is_new:
        visit.signer.set_nonce(response, request, visit.nonce)
    if visit.ended:
        visit.signer.clear_session(response, request)
    elif visit.new_session is not None:
        visit.signer.set_session(response, request, visit.new_session)
    elif visit.session is not None and visit.user is not None:  # each page renews the session
        visit.signer.set_session(response, request, visit.signer.issue(visit.user, visit.session.session_id))
    response.headers["Cache-Control"] = "no-store"


def visit_of(request: Request) -> Visit:
    visit: Visit = request.state.visit
    return visit


def caller_of(request: Request) -> Caller:
    """The logged-in user of this page and the services of the request (LoginRequired when there is none)."""
    visit = visit_of(request)
    if visit.user is None:
        raise LoginRequired()
    return Caller(visit.user, visit.services.for_request(visit.user.clinic_id))


def check_csrf(request: Request, form: Mapping[str, Any]) -> None:
    """Refuse (403) a form whose CSRF token is not this visit's."""
    visit = visit_of(request)
    session_id = visit.session.session_id if visit.session is not None else None
    if visit.nonce_is_new or not visit.signer.csrf_valid(request, form.get(CSRF_FIELD), session_id):
        raise CsrfRefused()


def _context(request: Request, context: Mapping[str, Any]) -> dict[str, Any]:
    visit = visit_of(request)
    return {"visit": visit, "csrf_token": visit.csrf_token, "path": request.url.path, **context}


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page of template ``name`` (the visit and its CSRF token in its context)."""
    html = templates.get_template(name).render(_context(request, context))
    return HTMLResponse(html, status_code=status)


def render_fragment(request: Request, name: str, block: str, status: int = 200, **context: Any) -> HTMLResponse:
    """One block of template ``name``: what an htmx request swaps in."""
    return HTMLResponse(render_block(templates, name, block, _context(request, context)), status_code=status)


def _invalid_fields(exc: InvalidInputError) -> list[str]:
    errors = exc.errors if isinstance(exc, InvalidInputs) else (exc,)
    return [f"{e.field}: expected {e.expected}" for e in errors]


def _error_page(request: Request, exc: Exception) -> Response:
    if isinstance(exc, LoginRequired):
        return RedirectResponse("/login", status_code=303)
    if isinstance(exc, CsrfRefused):
        status, detail = 403, "This form has expired or did not come from this site: go back, reload and try again."
    elif isinstance(exc, Problem):
        status, detail = exc.status, exc.detail
    elif isinstance(exc, NotFoundError):
        status, detail = 404, "There is nothing here (or it is not yours to see)."
    elif isinstance(exc, ConflictError):
        status, detail = 409, str(exc)
    elif isinstance(exc, InvalidInputError):
        status, detail = 422, "Some fields are not valid: " + "; ".join(_invalid_fields(exc))
    elif isinstance(exc, RequestValidationError):
        fields = [f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg', 'invalid')}" for e in exc.errors()]
        status, detail = 422, "Some fields are not valid: " + "; ".join(fields)
    else:
        _log.error("web page error (%s %s)", request.method, request.url.path, exc_info=exc)
        status, detail = 500, "An unexpected error; it was logged."
    response = render(request, "error.html", status, code=status, detail=detail)
    if isinstance(exc, Problem):
        response.headers.update(exc.headers)
    return response


class WebRoute(APIRoute):
    """A web page's route: the visit is read before the page, cookies are set after it, and errors are pages
    (a login page for a visitor who is not logged in), never problem documents."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            visit = _start_visit(request)
            request.state.visit = visit
            try:
                response = await handler(request)
            except Exception as exc:  # every error of a page is a page
                response = _error_page(request, exc)
            _finish_visit(request, visit, response)
            return response

        return page


class SecurityHeaders:
    """Adds the CSP, nosniff, referrer and framing headers to every response (pages, static files, the API)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in _SECURITY_HEADERS if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def _wants_page(request: Request) -> bool:
    """A browser asking for a page outside the API and CDS Hooks (their errors stay problem documents)."""
    from baclofen.entrypoints.api import API_PREFIX

    path = request.url.path
    in_api = path.startswith((API_PREFIX + "/", "/cds-services/")) or path == "/cds-services"
    outside_api = not (in_api or path in ("/openapi.json", "/healthz", "/readyz"))
    return outside_api and "text/html" in request.headers.get("accept", "")


def _install_page_errors(app: FastAPI) -> None:
    """A path no route serves (404, 405), asked for by a browser outside the API, is an error page."""
    problem = app.exception_handlers[StarletteHTTPException]

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if not _wants_page(request):
            answer = problem(request, exc)
            return answer if isinstance(answer, Response) else await answer
        request.state.visit = _start_visit(request)
        detail = "There is no such page." if exc.status_code == 404 else str(exc.detail)
        response = render(request, "error.html", exc.status_code, code=exc.status_code, detail=detail)
        response.headers.update(exc.headers or {})
        return response

    app.add_exception_handler(StarletteHTTPException, http_error)


def install_web(app: FastAPI, services: Services, settings: ApiSettings) -> None:
    """Install the web pages on ``app`` (at ``/``; static files at ``/static``), on ``services``."""
    from baclofen.entrypoints.web import (
        downloads,
        pages,
        patient_pages,
        patient_views,
        planner_pages,
        refill_pages,
    )

    app.state.session_signer = SessionSigner(settings, services.clock)
    app.include_router(pages.router)
    app.include_router(patient_views.router)
    app.include_router(patient_pages.router)
    app.include_router(refill_pages.router)
    app.include_router(planner_pages.router)
    app.include_router(downloads.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityHeaders)
    _install_page_errors(app)


def create_site(services: Services, settings: ApiSettings | None = None) -> FastAPI:
    """The REST API (``/api/v1``) and the web pages (``/``) on one app over ``services``."""
    from baclofen.entrypoints.api import create_app

    settings = settings if settings is not None else ApiSettings.from_environment()
    app = create_app(services, settings)
    install_web(app, services, settings)
    return app
