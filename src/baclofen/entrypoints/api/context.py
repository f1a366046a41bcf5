"""What every protected route starts from: the caller (from the bearer token) with the services of this
request (a unit of work of its own, and the settings profile of the caller's clinic), and the audit of each
access to patient data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from baclofen.bootstrap import Services
from baclofen.domain.records import AuditEntry, AuditOutcome, UserRecord
from baclofen.entrypoints.api.problems import Problem
from baclofen.entrypoints.api.security import ApiToken, OutOfScope, TokenSigner, actor_label, unauthorized

__all__ = ["AuditNote", "Caller", "CallerDep", "audited", "caller"]

_bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/token.")


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated user of a request, and the services it runs on (a unit of work of its own); for an API
    request, the token it came with; ``actor`` names a caller that is no user account in the audit log (a CDS
    Client: ``cds-client:<iss>``)."""

    user: UserRecord
    services: Services
    token: ApiToken | None = None
    actor: str | None = None

    @property
    def label(self) -> str:
        """How the audit log names the caller."""
        return self.actor if self.actor is not None else actor_label(self.user)


def caller(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Caller:
    """The user a valid bearer token names (401 without one, or with a forged, expired, revoked or stale one:
    logged out, or issued before the account's password changed or its sessions were ended)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized("credentials are needed: a bearer token from POST /api/v1/auth/token")
    services: Services = request.app.state.services
    signer: TokenSigner = request.app.state.signer
    token = signer.read(credentials.credentials)
    user = services.signed_in_user(token.user_id, token.token_id, token.session_generation)
    if user is None:  # an account that no longer exists, a token logged out or its sessions ended
        raise unauthorized("the token is no longer valid: log in again")
    return Caller(user, services.for_request(user.clinic_id), token)


CallerDep = Annotated[Caller, Depends(caller)]


@dataclass(slots=True)
class AuditNote:
    """What an audited block adds to its entry's action, once it knows it (``detail``: e.g. ``"40 patients"``, how
    many patients a bulk export read); written after the action, in parentheses."""

    detail: str = ""


@contextmanager
def audited(who: Caller, action: str, target: str) -> Iterator[AuditNote]:
    """Audit one access to patient data: success when the block ends, denied when the caller may not (a
    403, or a record out of their scope), failed on any other error; the entry is stored in any case (with the
    detail the block put in the :class:`AuditNote` it is given, if any)."""
    outcome = AuditOutcome.FAILED
    note = AuditNote()
    try:
        yield note
        outcome = AuditOutcome.SUCCESS
    except OutOfScope:
        outcome = AuditOutcome.DENIED
        raise
    except Problem as exc:
        if exc.status == 403:
            outcome = AuditOutcome.DENIED
        raise
    finally:
        services = who.services
        done = f"{action} ({note.detail})" if note.detail else action
        services.audit.append(AuditEntry(who.label, done, target, outcome, services.clock.now()))
