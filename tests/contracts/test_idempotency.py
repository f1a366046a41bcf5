"""Contract of the stored responses of idempotent requests (``uow.idempotency``) and of the enclosing transaction
that stores one with the record its request created: all or nothing, one per caller, route and key, expired ones
purged. Runs on each adapter of ``conftest.UNITS_OF_WORK`` (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from baclofen.domain.errors import ConflictError, InvalidInputError, NotFoundError
from baclofen.domain.idempotency import StoredResponse
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROUTE = "POST /api/v1/pumps/{pump_id}/visits"
PATIENT = PatientRecord("P-1", PatientSnapshot(age_years=46))
PUMP = PumpRecord("pump-1", get_pump("synchromed-ii-20"), patient_id="P-1", implanted=date(2025, 1, 1))


def _response(key: str = "k-1", *, user_id: str = "u-1", route: str = ROUTE, at: datetime = AT) -> StoredResponse:
    return StoredResponse(user_id, route, key, "ab" * 32, 201, '{"a": 1}', (("Location", "/api/v1/x"),), at)


def _find(new_uow, key: str = "k-1", *, user_id: str = "u-1", route: str = ROUTE) -> StoredResponse | None:
    with new_uow() as uow:
        return uow.idempotency.find(user_id, route, key)


def test_a_stored_response_is_found_whole_after_its_commit_and_only_then(new_uow) -> None:
    writer = new_uow()
    with writer:
        writer.idempotency.add(_response())
        assert writer.idempotency.find("u-1", ROUTE, "k-1") == _response()
        assert _find(new_uow) is None
        writer.commit()

    assert _find(new_uow) == _response()


def test_a_response_belongs_to_its_caller_route_and_key(new_uow) -> None:
    with new_uow() as uow:
        uow.idempotency.add(_response())
        uow.idempotency.add(_response(user_id="u-2"))  # another caller's key of the same text
        uow.idempotency.add(_response(route="POST /api/v1/patients"))
        uow.commit()

    assert _find(new_uow, user_id="u-3") is None
    assert _find(new_uow, "k-2") is None
    assert _find(new_uow, route="POST /api/v1/pumps") is None
    assert _find(new_uow, user_id="u-2") == _response(user_id="u-2")


def test_a_key_stored_already_is_a_conflict_at_once(new_uow) -> None:
    with new_uow() as uow:
        uow.idempotency.add(_response())
        uow.commit()

    with new_uow() as uow, pytest.raises(ConflictError, match="Idempotency-Key"):
        uow.idempotency.add(_response())


def test_of_two_concurrent_requests_with_one_key_only_the_first_commits_and_nothing_of_the_second_is_stored(
    new_uow,
) -> None:
    first, second = new_uow(), new_uow()
    with first, second:
        first.patients.add(PATIENT)
        first.idempotency.add(_response())
        second.patients.add(PatientRecord("P-2", PatientSnapshot(age_years=30)))
        second.idempotency.add(_response(at=AT + timedelta(seconds=1)))
        first.commit()
        with pytest.raises(ConflictError):
            second.commit()

    assert _find(new_uow) == _response()
    with new_uow() as uow, pytest.raises(NotFoundError):  # the second request's record went with its response
        uow.patients.get("P-2")


def test_expired_responses_are_purged_at_the_commit_and_their_keys_free_again(new_uow) -> None:
    with new_uow() as uow:
        uow.idempotency.add(_response("old", at=AT - timedelta(hours=25)))
        uow.idempotency.add(_response("new", at=AT - timedelta(hours=1)))
        uow.commit()

    with new_uow() as uow:
        uow.idempotency.purge(AT - timedelta(hours=24))
        assert uow.idempotency.find("u-1", ROUTE, "old") is None  # gone at once for this transaction
        assert _find(new_uow, "old") is not None  # and for the others at its commit
        uow.idempotency.add(_response("old", at=AT))  # its key is free again in the same commit
        uow.commit()

    assert _find(new_uow, "old") == _response("old", at=AT)
    assert _find(new_uow, "new") == _response("new", at=AT - timedelta(hours=1))


def test_an_invalid_key_or_instant_is_named(new_uow) -> None:
    with new_uow() as uow:
        with pytest.raises(InvalidInputError) as err:
            uow.idempotency.find("u-1", ROUTE, "")
        assert err.value.field == "Idempotency-Key"
        with pytest.raises(InvalidInputError) as naive:
            uow.idempotency.purge(datetime(2026, 1, 1))
        assert naive.value.field == "before"


def _use_case(uow, visit: RefillVisitRecord) -> None:
    """A use case as the services write them: a transaction of its own, committed."""
    with uow:
        uow.pumps.add_visit("pump-1", visit)
        uow.commit()


def test_an_enclosing_transaction_stores_the_use_case_and_its_response_together_or_nothing(new_uow) -> None:
    with new_uow() as uow:
        uow.patients.add(PATIENT)
        uow.pumps.add(PUMP)
        uow.commit()
    visit = RefillVisitRecord(date(2026, 2, 2), fill_ml=20)

    enclosing = new_uow()
    with enclosing.enclosing() as outer:
        _use_case(outer, visit)  # its commit stores nothing yet
        with new_uow() as other:
            assert other.pumps.get("pump-1").visits == ()
        outer.idempotency.add(_response())
        outer.commit()

    with new_uow() as uow:
        assert uow.pumps.get("pump-1").visits == (visit,)
        assert uow.idempotency.find("u-1", ROUTE, "k-1") == _response()

    # without the enclosing commit (an exception, or none made), neither is stored
    later = RefillVisitRecord(date(2026, 3, 2), fill_ml=20)
    with pytest.raises(RuntimeError), enclosing.enclosing() as outer:
        _use_case(outer, later)
        outer.idempotency.add(_response("k-2"))
        raise RuntimeError("the response could not be built")
    with enclosing.enclosing() as outer:
        _use_case(outer, later)
    assert _find(new_uow, "k-2") is None
    with new_uow() as uow:
        assert uow.pumps.get("pump-1").visits == (visit,)
    with enclosing:  # the unit of work is usable as before
        assert enclosing.pumps.get("pump-1").visits == (visit,)
