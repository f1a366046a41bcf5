"""The stored response of an idempotent request: its key (1 to 255 printable characters), caller, route and status."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.idempotency import (
    StoredResponse,
    check_idempotency_key,
    split_stored_response_key,
    stored_response_key,
)

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("key", ["a", "8e03978e-40d5-43e8-bc93-6894a57f9324", "x" * 255, '"quoted key"', "a b"])
def test_a_key_is_1_to_255_printable_ascii_characters(key: str) -> None:
    assert check_idempotency_key(key) == key


@pytest.mark.parametrize("key", ["", " a", "a ", "x" * 256, "a\tb", "clé", None, 7])
def test_another_key_is_refused_naming_the_header(key: object) -> None:
    with pytest.raises(InvalidInputError) as err:
        check_idempotency_key(key)

    assert err.value.field == "Idempotency-Key"


def test_a_stored_response_is_named_by_its_caller_route_and_key() -> None:
    response = StoredResponse("u-1", "POST /api/v1/patients", "k 1", "0" * 64, 201, "{}", (("ETag", '"x"'),), AT)

    assert split_stored_response_key(response.record_key) == ("u-1", "POST /api/v1/patients", "k 1")
    assert stored_response_key("u-1", "POST /api/v1/patients", "k 1") == response.record_key


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("route", {"route": "/api/v1/patients"}),
        ("fingerprint", {"fingerprint": "not a digest"}),
        ("status", {"status": 409}),
        ("created_at", {"created_at": datetime(2026, 3, 2, 9, 0)}),
        ("user_id", {"user_id": ""}),
    ],
)
def test_a_stored_response_is_checked_field_by_field(field: str, change: dict[str, object]) -> None:
    values: dict[str, object] = {
        "user_id": "u-1",
        "route": "POST /api/v1/patients",
        "key": "k-1",
        "fingerprint": "0" * 64,
        "status": 201,
        "body": "{}",
        "headers": (),
        "created_at": AT,
    } | change
    with pytest.raises(InvalidInputError) as err:
        StoredResponse(**values)  # type: ignore[arg-type]

    assert err.value.field == field
