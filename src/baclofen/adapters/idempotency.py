"""The stored responses of idempotent requests inside one transaction, shared by every storage adapter: what the
transaction read and added (a :class:`~baclofen.adapters.overlay.RecordView` keyed by
:func:`~baclofen.domain.idempotency.stored_response_key`) and the expired ones it purges at its commit."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from baclofen.domain.errors import ConflictError, require
from baclofen.domain.idempotency import StoredResponse, check_idempotency_key, stored_response_key
from baclofen.domain.records import check_record_id

if TYPE_CHECKING:
    from baclofen.adapters.overlay import RecordView

__all__ = ["OverlayIdempotencyRepository", "ResponseView"]


class ResponseView:
    """Stored responses in a transaction (``records``), and the instant before which it purges them at its commit."""

    def __init__(self, records: RecordView[StoredResponse]) -> None:
        self.records = records
        self.purge_before: datetime | None = None

    def live(self, key: str) -> StoredResponse | None:
        """The stored response of ``key`` as this transaction sees it: one it purges is gone."""
        found = self.records.find(key)
        if found is None or key in self.records.written_keys():
            return found
        expired = self.purge_before is not None and found.created_at < self.purge_before
        return None if expired else found


class OverlayIdempotencyRepository:
    """:class:`~baclofen.services.ports.IdempotencyRepository` over one transaction's :class:`ResponseView`."""

    def __init__(self, view: ResponseView) -> None:
        self._view = view

    def add(self, response: StoredResponse) -> None:
        if not isinstance(response, StoredResponse):
            raise TypeError(f"a stored response is stored here, not {type(response).__name__}")
        key = response.record_key
        if self._view.live(key) is not None:
            raise ConflictError(
                f"a response is stored already with this Idempotency-Key ({response.key!r}) for {response.route}"
            )
        self._view.records.put(key, response)

    def find(self, user_id: str, route: str, key: str) -> StoredResponse | None:
        check_record_id(user_id, "user_id")
        require(isinstance(route, str) and bool(route), "route", "METHOD /path", route)
        return self._view.live(stored_response_key(user_id, route, check_idempotency_key(key)))

    def purge(self, before: datetime) -> None:
        aware = isinstance(before, datetime) and before.utcoffset() is not None
        require(aware, "before", "a date and time with its UTC offset", before)
        view = self._view
        view.purge_before = before if view.purge_before is None else max(view.purge_before, before)
