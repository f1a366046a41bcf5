"""The stored responses of idempotent requests in the SQL store (``idempotency_keys``): read one, and at a commit
delete the expired ones, then insert the transaction's own (a caller, route and key already stored: stale)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.exc import IntegrityError

from baclofen.adapters.overlay import Write
from baclofen.adapters.sql.schema import IdempotencyKeyRow
from baclofen.domain.idempotency import StoredResponse, split_stored_response_key

__all__ = ["load_stored_response", "store_responses"]

_T = IdempotencyKeyRow.__table__


def load_stored_response(connection: Connection, key: str) -> tuple[int, StoredResponse | None]:
    user_id, route, idem_key = split_stored_response_key(key)
    query = select(_T).where(_T.c.user_id == user_id, _T.c.route == route, _T.c.idem_key == idem_key)
    row = connection.execute(query).one_or_none()
    if row is None:
        return 0, None
    headers = tuple((str(name), str(value)) for name, value in json.loads(row.headers))
    response = StoredResponse(
        row.user_id, row.route, row.idem_key, row.fingerprint, row.status_code, row.body, headers, row.created_at_utc
    )
    return 1, response


def store_responses(
    connection: Connection, writes: Sequence[Write[StoredResponse]], purge_before: datetime | None
) -> str | None:
    """Delete the responses stored before ``purge_before``, then insert ``writes``; the first one whose caller, route
    and key is stored already is named (the caller rolls the transaction back)."""
    if purge_before is not None:
        connection.execute(delete(IdempotencyKeyRow).where(IdempotencyKeyRow.created_at_utc < purge_before))
    for write in writes:
        r = write.record
        values = {
            "user_id": r.user_id,
            "route": r.route,
            "idem_key": r.key,
            "fingerprint": r.fingerprint,
            "status_code": r.status,
            "body": r.body,
            "headers": json.dumps([list(h) for h in r.headers]),
            "created_at_utc": r.created_at,
        }
        try:
            connection.execute(insert(IdempotencyKeyRow).values(**values))
        except IntegrityError:
            return f"the stored response of Idempotency-Key {r.key!r} ({r.route})"
    return None
