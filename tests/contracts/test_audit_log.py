"""Contract of every audit log: entries come back as appended, in order, with their time zone; queries by
actor, target and time; nothing but appending.

Runs on each adapter of ``conftest.AUDIT_LOGS``. A log may hold other tests' entries (a database's is
append-only), so each test acts as an actor of its own.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.records import AuditEntry, AuditOutcome

PARIS = ZoneInfo("Europe/Paris")
T0 = datetime(2026, 3, 29, 1, 30, tzinfo=PARIS)  # the night the clocks go forward in Paris
T1 = (T0.astimezone(UTC) + timedelta(hours=1)).astimezone(PARIS)  # an hour later: 03:30, summer time


@pytest.fixture
def actor() -> str:
    return f"clinician:test-{uuid.uuid4().hex[:12]}"


def _entries(actor: str) -> list[AuditEntry]:
    return [
        AuditEntry(actor, "patient.read", "patient:P-1", AuditOutcome.SUCCESS, T0),
        AuditEntry(actor, "pump.add_visit", "pump:pump-1", AuditOutcome.FAILED, T1),
        AuditEntry(actor, "pump.read", "pump:pump-1", AuditOutcome.DENIED, datetime(2026, 3, 29, 2, 0, tzinfo=UTC)),
        AuditEntry(
            actor,
            "patient.update",
            "patient:P-1",
            AuditOutcome.SUCCESS,
            datetime(2026, 3, 29, 9, 0, 0, 123456, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
        ),
    ]


def test_entries_come_back_as_appended_in_order_with_their_zones(audit_log, actor) -> None:
    entries = _entries(actor)
    for entry in entries:
        audit_log.append(entry)

    found = audit_log.entries(actor=actor)

    assert found == tuple(entries)
    assert [e.at.utcoffset() for e in found] == [e.at.utcoffset() for e in entries]
    assert found[0].at.tzinfo == PARIS and found[1].at.utcoffset() == timedelta(hours=2)  # after the change
    assert found[3].at.microsecond == 123456


def test_entries_of_a_target_and_a_time_window(audit_log, actor) -> None:
    entries = _entries(actor)
    for entry in entries:
        audit_log.append(entry)

    on_pump = audit_log.entries(actor=actor, target="pump:pump-1")
    window = audit_log.entries(actor=actor, since=T1, until=entries[3].at)
    first_two = audit_log.entries(actor=actor, limit=2)

    assert on_pump == (entries[1], entries[2])
    assert window == (entries[1], entries[2])  # since is inclusive, until exclusive
    assert first_two == tuple(entries[:2])


def test_an_actor_with_no_entries_finds_none(audit_log, actor) -> None:
    assert audit_log.entries(actor=actor) == ()


@pytest.mark.parametrize(
    ("bounds", "field"),
    [({"since": datetime(2026, 1, 1)}, "since"), ({"until": datetime(2026, 1, 1)}, "until"), ({"limit": 0}, "limit")],
)
def test_a_naive_time_bound_or_a_limit_below_one_is_refused_naming_it(audit_log, actor, bounds, field) -> None:
    with pytest.raises(InvalidInputError) as err:
        audit_log.entries(actor=actor, **bounds)

    assert err.value.field == field


def test_only_audit_entries_are_appended(audit_log) -> None:
    with pytest.raises(TypeError):
        audit_log.append({"actor": "x"})


def test_an_audit_log_has_no_way_to_change_or_remove_an_entry(audit_log) -> None:
    public = {name for name in dir(audit_log) if not name.startswith("_")}

    assert {"append", "entries"} <= public
    assert not public & {"update", "delete", "remove", "clear", "truncate", "replace", "pop"}


def test_an_entry_is_an_instant_by_a_named_actor_with_a_known_outcome() -> None:
    with pytest.raises(InvalidInputError) as naive:
        AuditEntry("cli", "pump.read", "pump:pump-1", AuditOutcome.SUCCESS, datetime(2026, 3, 2, 9, 0))
    with pytest.raises(InvalidInputError) as nobody:
        AuditEntry(" ", "pump.read", "pump:pump-1", AuditOutcome.SUCCESS, datetime(2026, 3, 2, tzinfo=UTC))
    with pytest.raises(InvalidInputError) as outcome:
        AuditEntry("cli", "pump.read", "pump:pump-1", "maybe", datetime(2026, 3, 2, tzinfo=UTC))

    assert (naive.value.field, nobody.value.field, outcome.value.field) == ("at", "actor", "outcome")
    assert AuditEntry("cli", "a", "t", "denied", datetime(2026, 3, 2, tzinfo=UTC)).outcome is AuditOutcome.DENIED
