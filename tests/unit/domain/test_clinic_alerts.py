"""Alerts: raised from a finding, acknowledged and resolved with who/when/why, transitions validated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from baclofen.domain.cds.risk import RiskLevel
from baclofen.domain.cds.timeline import Symptom
from baclofen.domain.clinic.alerts import Alert, AlertState, AlertTransition, alert_from_finding
from baclofen.domain.clinic.diary import DiaryEntryRecord, assess_diary_entry
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.rules.core import Severity

AT = datetime(2026, 3, 9, 20, 0, tzinfo=UTC)


def seizure_alert() -> Alert:
    (finding,) = assess_diary_entry(DiaryEntryRecord("D-1", "P-1", AT, symptoms=(Symptom.SEIZURE,)))
    return alert_from_finding(finding, patient_id="P-1", subject="diary:D-1", raised_at=AT)


def test_an_alert_keeps_the_finding_its_level_and_starts_open() -> None:
    alert = seizure_alert()

    assert (alert.rule_id, alert.level, alert.severity, alert.state) == (
        "DIARY-SEIZURE-001",
        RiskLevel.HIGH,
        Severity.WARN,
        AlertState.OPEN,
    )
    assert alert.is_active and alert.dedup_key == "DIARY-SEIZURE-001 diary:D-1"
    assert "S118" in alert.evidence and alert.reasoning and alert.action
    assert alert.alert_id == seizure_alert().alert_id  # one id per patient, rule, subject and instant


def test_acknowledge_then_resolve_keeps_who_when_and_why_of_each() -> None:
    later = AT + timedelta(hours=1)

    alert = (
        seizure_alert()
        .acknowledge("clinician:jdoe", later, "called, going to A&E")
        .resolve("clinician:asmith", later + timedelta(days=1), "seen in A&E, pump refilled")
    )

    assert alert.state is AlertState.RESOLVED and not alert.is_active
    seen = AlertTransition(AlertState.ACKNOWLEDGED, "clinician:jdoe", later, "called, going to A&E")
    assert alert.acknowledged == seen
    assert alert.resolved is not None and alert.resolved.by == "clinician:asmith"
    assert [t["state"] for t in alert.to_dict()["transitions"]] == ["acknowledged", "resolved"]


def test_an_open_alert_can_be_resolved_directly() -> None:
    assert seizure_alert().resolve("clinician:jdoe", AT, "duplicate entry").state is AlertState.RESOLVED


@pytest.mark.parametrize(
    ("move", "field"),
    [
        (lambda a: a.resolve("u", AT, "done").resolve("u", AT, "again"), "state"),
        (lambda a: a.resolve("u", AT, "done").acknowledge("u", AT, "late"), "state"),
        (lambda a: a.acknowledge("u", AT, "seen").acknowledge("u", AT, "seen again"), "state"),
        (lambda a: a.acknowledge("u", AT - timedelta(seconds=1), "seen"), "at"),
        (lambda a: a.acknowledge("", AT, "seen"), "by"),
        (lambda a: a.acknowledge("u", AT, "  "), "reason"),
        (lambda a: a.acknowledge("u", AT, "..."), "reason"),
        (lambda a: a.acknowledge("u", datetime(2026, 3, 10), "seen"), "at"),
    ],
)
def test_invalid_transitions_are_refused_naming_the_field(move, field) -> None:
    with pytest.raises(InvalidInputError) as caught:
        move(seizure_alert())

    assert caught.value.field == field


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"subject": "visit:1"}, "subject"),
        ({"subject": "pump:"}, "subject"),
        ({"rule_id": "refill late"}, "rule_id"),
        ({"evidence": ()}, "evidence"),
        ({"message": ""}, "message"),
        ({"raised_at": datetime(2026, 3, 10)}, "raised_at"),
    ],
)
def test_an_alert_is_validated_by_field(kw, field) -> None:
    base = {
        "alert_id": "A-1",
        "patient_id": "P-1",
        "rule_id": "RISK-REFILL-001",
        "subject": "pump:pump-1",
        "level": RiskLevel.HIGH,
        "severity": Severity.WARN,
        "raised_at": AT,
        "message": "Refill overdue",
        "reasoning": "The recommended refill date has passed.",
        "evidence": ("S65",),
    }
    with pytest.raises(InvalidInputError) as caught:
        Alert(**(base | kw))

    assert caught.value.field == field
