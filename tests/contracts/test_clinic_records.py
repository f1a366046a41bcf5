"""Contract of the diary and alert repositories: append-only diary, alerts never deleted whose updates only append
transitions, one active alert per patient, rule and subject (also between concurrent units of work).

Runs on each adapter of ``conftest.UNITS_OF_WORK``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from baclofen.domain.cds.risk import RiskLevel
from baclofen.domain.cds.scales import PennSpasmScore
from baclofen.domain.cds.timeline import Symptom
from baclofen.domain.clinic.alerts import Alert, AlertState
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.errors import ConflictError, NotFoundError, ServiceError
from baclofen.domain.rules.core import Severity

AT = datetime(2026, 3, 9, 20, 0, tzinfo=ZoneInfo("Europe/Paris"))
ENTRY = DiaryEntryRecord(
    "D-2",
    "P-1",
    AT,
    doses_taken=2,
    doses_missed=1,
    spasm_frequency=PennSpasmScore(3, 2),
    stiffness_nrs=7.5,
    pain_nrs=4,
    sleep_nrs=2,
    symptoms=(Symptom.ITCHING, Symptom.FEVER),
    note="bad evening\nitchy legs",
)
EARLIER = DiaryEntryRecord("D-9", "P-1", AT - timedelta(days=1), note="fine")
OTHER = DiaryEntryRecord("D-1", "P-2", AT)


def alert(alert_id: str = "A-1", rule_id: str = "RISK-REFILL-001", subject: str = "pump:pump-1", **kw) -> Alert:
    return Alert(
        alert_id,
        kw.pop("patient_id", "P-1"),
        rule_id,
        subject,
        RiskLevel.HIGH,
        Severity.BLOCK,
        kw.pop("raised_at", datetime(2026, 3, 10, 9, 0, tzinfo=timezone(timedelta(hours=-5)))),
        "Refill overdue",
        "The recommended refill date has passed.",
        ("S65", "S118"),
        "Refill today.",
        **kw,
    )


def _add(new_uow, *records) -> None:
    with new_uow() as uow:
        for record in records:
            (uow.diary if isinstance(record, DiaryEntryRecord) else uow.alerts).add(record)
        uow.commit()


# --- the diary --------------------------------------------------------------------------------------------------
def test_a_diary_entry_comes_back_whole_in_its_zone(new_uow) -> None:
    _add(new_uow, ENTRY)

    with new_uow() as uow:
        found = uow.diary.get("D-2")

    assert found == ENTRY and found.recorded_at.utcoffset() == AT.utcoffset()


def test_a_patients_entries_come_oldest_first_and_only_theirs(new_uow) -> None:
    _add(new_uow, ENTRY, OTHER)

    with new_uow() as uow:
        uow.diary.add(EARLIER)  # its own uncommitted entry is seen
        assert [e.entry_id for e in uow.diary.for_patient("P-1")] == ["D-9", "D-2"]
        uow.commit()

    with new_uow() as uow:
        assert [e.entry_id for e in uow.diary.for_patient("P-1")] == ["D-9", "D-2"]
        assert uow.diary.for_patient("P-3") == ()


def test_an_entry_id_is_stored_once_and_an_unknown_one_is_not_found(new_uow) -> None:
    _add(new_uow, ENTRY)

    with new_uow() as uow:
        with pytest.raises(ConflictError):
            uow.diary.add(ENTRY)
        with pytest.raises(NotFoundError):
            uow.diary.get("D-404")


def test_two_concurrent_entries_with_one_id_cannot_both_commit(new_uow) -> None:
    first, second = new_uow(), new_uow()

    with first, second:
        first.diary.add(ENTRY)
        second.diary.add(ENTRY)
        first.commit()
        with pytest.raises(ConflictError):
            second.commit()


def test_a_diary_entry_not_committed_is_not_stored(new_uow) -> None:
    with new_uow() as uow:
        uow.diary.add(ENTRY)

    with new_uow() as uow:
        assert uow.diary.for_patient("P-1") == ()


# --- alerts -----------------------------------------------------------------------------------------------------
def test_an_alert_comes_back_whole_with_its_transitions_in_their_zones(new_uow) -> None:
    at = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    handled = alert().acknowledge("clinician:jdoe", at, "called, refill booked")
    _add(new_uow, handled)

    with new_uow() as uow:
        found = uow.alerts.get("A-1")
        uow.alerts.update(found.resolve("clinician:asmith", at + timedelta(hours=3), "refilled"))
        uow.commit()

    with new_uow() as uow:
        stored = uow.alerts.get("A-1")
    assert found == handled and found.raised_at.utcoffset() == timedelta(hours=-5)
    assert [(t.state, t.by) for t in stored.transitions] == [
        (AlertState.ACKNOWLEDGED, "clinician:jdoe"),
        (AlertState.RESOLVED, "clinician:asmith"),
    ]


def test_an_update_only_appends_transitions(new_uow) -> None:
    at = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    _add(new_uow, alert().acknowledge("u", at, "seen it"))

    with new_uow() as uow:
        with pytest.raises(ServiceError):
            uow.alerts.update(alert())  # the acknowledgement dropped
        with pytest.raises(ServiceError):
            uow.alerts.update(alert(subject="pump:pump-2").acknowledge("u", at, "seen it"))
        with pytest.raises(NotFoundError):
            uow.alerts.update(alert("A-404"))


def test_one_active_alert_per_patient_rule_and_subject(new_uow) -> None:
    _add(new_uow, alert())

    with new_uow() as uow:
        with pytest.raises(ConflictError):
            uow.alerts.add(alert("A-2"))
        uow.alerts.add(alert("A-3", subject="pump:pump-2"))  # another subject
        uow.alerts.add(alert("A-4", rule_id="RISK-RESERVOIR-002"))  # another rule
        uow.alerts.add(alert("A-5", patient_id="P-2"))  # another patient
        uow.commit()


def test_once_resolved_the_rule_and_subject_may_alert_again_in_the_same_commit(new_uow) -> None:
    at = datetime(2026, 3, 11, tzinfo=UTC)
    _add(new_uow, alert())

    with new_uow() as uow:
        uow.alerts.update(uow.alerts.get("A-1").resolve("u", at, "refilled"))
        uow.alerts.add(alert("A-2", raised_at=at))
        uow.commit()

    with new_uow() as uow:
        assert [a.alert_id for a in uow.alerts.for_patient("P-1", active_only=True)] == ["A-2"]
        assert [a.alert_id for a in uow.alerts.for_patient("P-1")] == ["A-1", "A-2"]


def test_two_concurrent_alerts_for_one_rule_and_subject_cannot_both_commit(new_uow) -> None:
    first, second = new_uow(), new_uow()

    with first, second:
        first.alerts.add(alert("A-1"))
        second.alerts.add(alert("A-2"))
        first.commit()
        with pytest.raises(ConflictError):
            second.commit()

    with new_uow() as uow:
        assert [a.alert_id for a in uow.alerts.for_patient("P-1")] == ["A-1"]


def test_two_concurrent_transitions_of_one_alert_cannot_both_commit(new_uow) -> None:
    at = datetime(2026, 3, 11, tzinfo=UTC)
    _add(new_uow, alert())
    first, second = new_uow(), new_uow()

    with first, second:
        first.alerts.update(first.alerts.get("A-1").acknowledge("u1", at, "seen it"))
        second.alerts.update(second.alerts.get("A-1").resolve("u2", at, "fixed it"))
        first.commit()
        with pytest.raises(ConflictError):
            second.commit()

    with new_uow() as uow:
        assert uow.alerts.get("A-1").state is AlertState.ACKNOWLEDGED
