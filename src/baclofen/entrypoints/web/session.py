"""Who is browsing: the signed session cookie and the CSRF token of every form.

* The session cookie (:data:`SESSION_COOKIE`) is a JWT (HS256) signed with the API's secret
  (``$BACLOFEN_SECRET_KEY``) for the audience ``baclofen-web`` (an API token is not a session and a session is not
  an API token); it names the user and expires :attr:`~baclofen.entrypoints.api.security.ApiSettings.token_ttl_s`
  after the last page (each page renews it). It is ``HttpOnly``, ``SameSite=Lax``, ``Path=/`` and ``Secure`` when
  the settings say the site is served over https (``$BACLOFEN_SECURE_COOKIES``) or the request came over https.
  The user is read again from the store at each request, so a role comes from the store, never from the cookie.
* Logging out holds: the cookie names its session (``sid``) and the account's session generation (``gen``); the
  session is honoured only while the store says it stands (read with the user, one lookup:
  :func:`baclofen.services.accounts.signed_in_user`). ``/logout`` revokes the session in the store, so a copy of
  the cookie opens nothing after it, in any server process; ``/logout-everywhere`` and a password change end every
  session and API token of the account.
* CSRF: a signed double-submit token bound to the session (OWASP). A random nonce lives in its own cookie
  (:data:`CSRF_COOKIE`, ``HttpOnly``, ``SameSite=Strict``); each form carries ``HMAC(secret, nonce, session id)``
  and every POST is refused (403) unless the form's token is that of the cookie's nonce and the current session.
  The nonce is renewed at login and logout, so a token of one session is worthless in the next.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from starlette.requests import Request
from starlette.responses import Response

from baclofen.domain.records import UserRecord
from baclofen.entrypoints.api.security import ApiSettings
from baclofen.services.ports import Clock

__all__ = ["CSRF_COOKIE", "CSRF_FIELD", "SESSION_COOKIE", "SessionSigner", "WebSession", "csrf_nonce"]

SESSION_COOKIE = "baclofen_session"
CSRF_COOKIE = "baclofen_csrf"
#: The name of the hidden field of every form that carries the CSRF token.
CSRF_FIELD = "csrf_token"
_ISSUER = "baclofen"
_AUDIENCE = "baclofen-web"


@dataclass(frozen=True, slots=True)
class WebSession:
    """A validly signed, unexpired session: the user it names, its identifier (the CSRF token is bound to it) and
    the account's session generation it was issued in (whether it still stands is the store's to say)."""

    user_id: str
    session_id: str
    session_generation: int


def csrf_nonce(request: Request) -> str | None:
    """The CSRF nonce of the request's cookie (None when absent or malformed)."""
    value = request.cookies.get(CSRF_COOKIE)
    if value is None or not (16 <= len(value) <= 128) or not value.replace("-", "").replace("_", "").isalnum():
        return None
    return value


class SessionSigner:
    """Issues and checks session cookies and CSRF tokens (the API's secret, the clinic's clock)."""

    def __init__(self, settings: ApiSettings, clock: Clock) -> None:
        self._secret = settings.secret_key
        self._ttl = timedelta(seconds=settings.token_ttl_s)
        self._clock = clock
        self._secure = settings.secure_cookies

    # --- the session ---------------------------------------------------------------------------------------
    def issue(self, user: UserRecord, session_id: str | None = None) -> str:
        """A session cookie value for ``user`` (a new session, or ``session_id`` renewed)."""
        now = self._clock.now()
        claims = {
            "sub": user.user_id,
            "sid": session_id or secrets.token_urlsafe(16),
            "gen": user.session_generation,
            "iss": _ISSUER,
            "aud": _AUDIENCE,
            "iat": int(now.timestamp()),
            "exp": int((now + self._ttl).timestamp()),
        }
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def read(self, request: Request) -> WebSession | None:
        """The session of the request's cookie; None when there is none, or it is forged, malformed or expired."""
        token = request.cookies.get(SESSION_COOKIE)
        if not token or len(token) > 4096:
            return None
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                audience=_AUDIENCE,
                issuer=_ISSUER,
                options={"require": ["sub", "sid", "exp", "gen"], "verify_exp": False, "verify_iat": False},
            )
        except jwt.InvalidTokenError:
            return None
        expires, subject, sid, generation = claims.get("exp"), claims.get("sub"), claims.get("sid"), claims.get("gen")
        if not isinstance(expires, int | float) or expires <= self._clock.now().timestamp():
            return None
        if not isinstance(subject, str) or not isinstance(sid, str) or type(generation) is not int:
            return None
        return WebSession(subject, sid, generation)

    def revocation_until(self) -> datetime:
        """Until when a session revoked now must be refused: the latest expiry of any cookie of it issued so far
        (each page renews it, a copy's included)."""
        return self._clock.now() + self._ttl

    def secure(self, request: Request) -> bool:
        return self._secure or request.url.scheme == "https"

    def set_session(self, response: Response, request: Request, value: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            value,
            max_age=int(self._ttl.total_seconds()),
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.secure(request),
        )

    def clear_session(self, response: Response, request: Request) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure(request))

    # --- CSRF ------------------------------------------------------------------------------------------------
    def set_nonce(self, response: Response, request: Request, nonce: str) -> None:
        response.set_cookie(CSRF_COOKIE, nonce, path="/", httponly=True, samesite="strict", secure=self.secure(request))

    def csrf_token(self, nonce: str, session_id: str | None) -> str:
        """The token the forms of this nonce and session carry."""
        message = f"csrf\n{nonce}\n{session_id or ''}".encode()
        return hmac.new(self._secret.encode(), message, hashlib.sha256).hexdigest()

    def csrf_valid(self, request: Request, given: object, session_id: str | None) -> bool:
        """True when ``given`` (the form's token) is the token of the request's nonce cookie and this session."""
        nonce = csrf_nonce(request)
        if nonce is None or not isinstance(given, str) or len(given) != 64:
            return False
        return hmac.compare_digest(given, self.csrf_token(nonce, session_id))
