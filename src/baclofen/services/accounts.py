"""User accounts of a clinic: create one (hashing its password), authenticate a login, and end sessions.

A password is checked for length only (12 to 128 characters: NIST SP 800-63B's advice is length, not
composition rules) and never stored: the account keeps its argon2id hash (the ``PasswordHasher`` port).

A web session or API token names its account, its own id and the account's *session generation* when it was
issued. It is honoured (:func:`signed_in_user`) only while it was not revoked (logout: :func:`revoke_token`)
and the account's generation is still that one: changing the password (:func:`change_password`) or logging
out everywhere (:func:`end_sessions`) moves to the next generation, which ends every session and token at once.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from baclofen.domain.errors import InvalidInputError, NotFoundError
from baclofen.domain.records import (
    DEMO_CLINIC_ID,
    DEMO_CLINIC_NAME,
    DEMO_USERNAME_PREFIX,
    ClinicRecord,
    Role,
    UserRecord,
    check_username,
    parse_role,
)
from baclofen.services.ports import ClinicRepository, Clock, PasswordHasher, UserRepository

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "authenticate",
    "change_password",
    "check_password",
    "create_user",
    "end_sessions",
    "revoke_token",
    "signed_in_user",
]

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128


def check_password(password: object, field: str = "password") -> str:
    """A password of 12 to 128 characters (its value is never shown in an error).

    >>> check_password("short")
    Traceback (most recent call last):
    ...
    baclofen.domain.errors.InvalidInputError: 'password' must be a text of 12-128 characters (got '<5 characters>')
    """
    if not isinstance(password, str) or not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        shown = f"<{len(password)} characters>" if isinstance(password, str) else type(password).__name__
        raise InvalidInputError(field, f"a text of {MIN_PASSWORD_LENGTH}-{MAX_PASSWORD_LENGTH} characters", shown)
    return password


def create_user(
    clinics: ClinicRepository,
    users: UserRepository,
    passwords: PasswordHasher,
    *,
    clinic_id: str,
    username: str,
    role: Role | str,
    password: str,
    patient_id: str | None = None,
    clinic_name: str | None = None,
) -> tuple[UserRecord, bool]:
    """Store a new account of ``clinic_id`` (created first, named ``clinic_name`` or its id, when it is not
    stored); return it and whether its clinic was created.

    Raises
    ------
    InvalidInputError
        An invalid username, role, password, patient id or clinic name; a demo login (``demo.*``) outside the
        demo clinic, or the demo clinic created under another name (demo logins exist only in a demo database).
    ConflictError
        The username is taken.
    """
    check_password(password)
    if username.startswith(DEMO_USERNAME_PREFIX) and clinic_id != DEMO_CLINIC_ID:
        raise InvalidInputError(
            "username", f"a username not starting with {DEMO_USERNAME_PREFIX!r} (kept for the demo clinic)", username
        )
    record = UserRecord(
        f"u-{uuid.uuid4().hex}", clinic_id, parse_role(role), username, passwords.hash(password), patient_id
    )
    created = False
    try:
        clinics.get(clinic_id)
    except NotFoundError:
        name = clinic_name if clinic_name is not None else clinic_id
        if clinic_id == DEMO_CLINIC_ID and name != DEMO_CLINIC_NAME:
            raise InvalidInputError(
                "clinic",
                f"another clinic id ({DEMO_CLINIC_ID!r} is the demo clinic of `baclofen demo-data`)",
                clinic_id,
            ) from None
        clinics.add(ClinicRecord(clinic_id, name))
        created = True
    users.add(record)
    return record, created


def authenticate(users: UserRepository, passwords: PasswordHasher, username: str, password: str) -> UserRecord | None:
    """The account of ``username`` when ``password`` is its password, else None. An unknown or malformed
    username costs as much time as a wrong password (no way to tell which usernames exist)."""
    try:
        user = users.by_username(check_username(username))
    except (InvalidInputError, NotFoundError):
        passwords.waste_time(password)
        return None
    return user if passwords.verify(user.password_hash, password) else None


def signed_in_user(users: UserRepository, user_id: str, token_id: str, session_generation: int) -> UserRecord | None:
    """The account a session or token names, when it still stands: the account exists, the token ``token_id``
    was not revoked and was issued in the account's current ``session_generation``; else None."""
    try:
        user = users.get_signed_in(user_id, token_id)
    except (InvalidInputError, NotFoundError):
        return None
    return user if user.session_generation == session_generation else None


def revoke_token(users: UserRepository, clock: Clock, user_id: str, token_id: str, expires_at: datetime) -> None:
    """Log out one session or token (refused from now on; forgotten once it would have expired anyway)."""
    users.revoke_token(user_id, token_id, expires_at, clock.now())


def end_sessions(users: UserRepository, username: str) -> UserRecord:
    """End every session and token of ``username``'s account ("log out everywhere"); the account as stored now.

    Raises
    ------
    NotFoundError
        No account of that username.
    """
    return users.end_sessions(users.by_username(check_username(username)).user_id)


def change_password(users: UserRepository, passwords: PasswordHasher, username: str, password: str) -> UserRecord:
    """Store a new password (12-128 characters, hashed) for ``username``'s account and end every one of its
    sessions and tokens (whoever held the old password is logged out); the account as stored now.

    Raises
    ------
    InvalidInputError
        The password is too short or too long.
    NotFoundError
        No account of that username.
    """
    check_password(password)
    user = users.by_username(check_username(username))
    return users.end_sessions(user.user_id, passwords.hash(password))
