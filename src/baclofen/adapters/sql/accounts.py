"""The clinics and their user accounts in the SQL store (:class:`~baclofen.services.ports.ClinicRepository`,
:class:`~baclofen.services.ports.UserRepository`).

Each call is a transaction of its own: an account is stored when :meth:`SqlUserRepository.add` returns. The
database keeps usernames unique and every account's clinic stored (a foreign key), whoever connects. Revoked
sessions and tokens (``revoked_tokens``) are kept until they would have expired.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, bindparam, delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from baclofen.adapters.overlay import check_type
from baclofen.adapters.sql.engine import write_transaction
from baclofen.adapters.sql.mapping import clinic_from_row, clinic_values, user_from_row, user_values
from baclofen.adapters.sql.schema import ClinicRow, RevokedTokenRow, UserRow
from baclofen.domain.errors import ConflictError, NotFoundError
from baclofen.domain.records import ClinicRecord, UserRecord, check_record_id, check_username

__all__ = ["SqlClinicRepository", "SqlUserRepository"]

#: A user by identifier: read at every API request (the token's user, with their role as stored now), so
#: built once, without the ORM session's cost.
_USER_BY_ID = select(UserRow.__table__).where(UserRow.__table__.c.user_id == bindparam("user_id"))
_REVOKED = RevokedTokenRow.__table__.c
#: The user of a session or token not revoked: one query on two primary keys, at every request.
_SIGNED_IN_USER = _USER_BY_ID.where(
    ~exists().where(_REVOKED.user_id == bindparam("user_id"), _REVOKED.token_id == bindparam("token_id"))
)


class SqlClinicRepository:
    """The clinics in the SQL store of ``engine`` (migrated to the head revision)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, record: ClinicRecord) -> None:
        check_type(record, ClinicRecord, "clinic")
        try:
            with write_transaction(self.engine) as connection:
                connection.execute(insert(ClinicRow).values(**clinic_values(record)))
        except IntegrityError:
            raise ConflictError(f"a clinic {record.clinic_id!r} already exists") from None

    def get(self, clinic_id: str) -> ClinicRecord:
        check_record_id(clinic_id, "clinic_id")
        with Session(self.engine) as session, session.begin():
            row = session.get(ClinicRow, clinic_id)
            if row is None:
                raise NotFoundError(f"no clinic {clinic_id!r}")
            return clinic_from_row(row)


class SqlUserRepository:
    """The user accounts in the SQL store of ``engine`` (migrated to the head revision)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, record: UserRecord) -> None:
        check_type(record, UserRecord, "user")
        try:
            with write_transaction(self.engine) as connection:
                if (
                    connection.scalar(select(ClinicRow.clinic_id).where(ClinicRow.clinic_id == record.clinic_id))
                    is None
                ):
                    raise NotFoundError(f"no clinic {record.clinic_id!r}")
                connection.execute(insert(UserRow).values(**user_values(record)))
        except IntegrityError:
            raise ConflictError(f"a user {record.user_id!r} or the username {record.username!r} exists") from None

    def get(self, user_id: str) -> UserRecord:
        check_record_id(user_id, "user_id")
        with self.engine.connect() as connection, connection.begin():
            row = connection.execute(_USER_BY_ID, {"user_id": user_id}).one_or_none()
        if row is None:
            raise NotFoundError(f"no user {user_id!r}")
        return user_from_row(row)

    def by_username(self, username: str) -> UserRecord:
        check_username(username)
        with Session(self.engine) as session, session.begin():
            row = session.scalars(select(UserRow).where(UserRow.username == username)).one_or_none()
            if row is None:
                raise NotFoundError(f"no user {username!r}")
            return user_from_row(row)

    def get_signed_in(self, user_id: str, token_id: str) -> UserRecord:
        check_record_id(user_id, "user_id")
        check_record_id(token_id, "token_id")
        with self.engine.connect() as connection, connection.begin():
            row = connection.execute(_SIGNED_IN_USER, {"user_id": user_id, "token_id": token_id}).one_or_none()
        if row is None:
            raise NotFoundError(f"no user {user_id!r} signed in with this token")
        return user_from_row(row)

    def revoke_token(self, user_id: str, token_id: str, expires_at: datetime, now: datetime) -> None:
        check_record_id(user_id, "user_id")
        check_record_id(token_id, "token_id")
        with write_transaction(self.engine) as connection:
            connection.execute(delete(RevokedTokenRow).where(RevokedTokenRow.expires_at_utc <= now))
            connection.execute(
                delete(RevokedTokenRow).where(RevokedTokenRow.user_id == user_id, RevokedTokenRow.token_id == token_id)
            )
            if connection.scalar(select(UserRow.user_id).where(UserRow.user_id == user_id)) is not None:
                connection.execute(
                    insert(RevokedTokenRow).values(user_id=user_id, token_id=token_id, expires_at_utc=expires_at)
                )

    def end_sessions(self, user_id: str, password_hash: str | None = None) -> UserRecord:
        check_record_id(user_id, "user_id")
        changes: dict[str, object] = {"session_generation": UserRow.session_generation + 1}
        if password_hash is not None:
            changes["password_hash"] = password_hash
        with write_transaction(self.engine) as connection:
            connection.execute(update(UserRow).where(UserRow.user_id == user_id).values(**changes))
            row = connection.execute(_USER_BY_ID, {"user_id": user_id}).one_or_none()
        if row is None:
            raise NotFoundError(f"no user {user_id!r}")
        return user_from_row(row)
