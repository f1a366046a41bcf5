"""User accounts of a clinic: create one (hashing its password) and authenticate a login.

A password is checked for length only (12 to 128 characters: NIST SP 800-63B's advice is length, not
composition rules) and never stored: the account keeps its argon2id hash (the ``PasswordHasher`` port).
"""

from __future__ import annotations

import uuid

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
from baclofen.services.ports import ClinicRepository, PasswordHasher, UserRepository

__all__ = ["MAX_PASSWORD_LENGTH", "MIN_PASSWORD_LENGTH", "authenticate", "check_password", "create_user"]

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
