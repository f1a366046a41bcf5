"""The clinic use cases on the in-memory adapters (through the bootstrap): log a diary entry (its red flags become
alerts), raise alerts from the risk engine on stored data (deduplicated while active), acknowledge and resolve
them, compute the worklist."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from baclofen.adapters.memory import StaticSettings
from baclofen.bootstrap import Services, bootstrap
from baclofen.domain.cds.timeline import Symptom
from baclofen.domain.clinic.alerts import AlertState
from baclofen.domain.errors import ConflictError, InvalidInputError, NotFoundError
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord
from baclofen.services.commands import AlertDecision, ComputeWorklist, LogDiaryEntry, RaiseAlerts

AS_OF = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def store_patient(services: Services, filled: datetime = datetime(2026, 1, 1, 10, tzinfo=UTC), dose=250.0) -> None:
    fill = RefillVisitRecord(filled, fill_ml=20, concentration_mcg_per_ml=500, program=continuous_program(dose))
    with services.uow as uow:
        uow.patients.add(PatientRecord("P-1", PatientSnapshot(age_years=50)))
        uow.pumps.add(PumpRecord("pump-1", get_pump("synchromed-ii-20"), "P-1", date(2024, 5, 1), (fill,)))
        uow.commit()


@pytest.fixture
def services() -> Services:
    return bootstrap()


def test_a_diary_entry_is_stored_with_an_alert_for_each_red_flag(services) -> None:
    logged = services.log_diary_entry(
        LogDiaryEntry("P-1", AS_OF, symptoms=(Symptom.SEIZURE, Symptom.DROWSINESS), stiffness_nrs=8, note="scared")
    )

    assert [a.rule_id for a in logged.alerts] == ["DIARY-SEIZURE-001", "DIARY-OVERDOSE-001", "DIARY-NOTE-001"]
    assert {a.subject for a in logged.alerts} == {f"diary:{logged.entry.entry_id}"}
    with services.uow as uow:
        assert uow.diary.for_patient("P-1") == (logged.entry,)
        assert len(uow.alerts.for_patient("P-1", active_only=True)) == 3


def test_a_second_entry_at_the_same_instant_is_refused_and_stores_nothing(services) -> None:
    services.log_diary_entry(LogDiaryEntry("P-1", AS_OF, symptoms=(Symptom.FEVER,)))

    with pytest.raises(ConflictError):
        services.log_diary_entry(LogDiaryEntry("P-1", AS_OF, symptoms=(Symptom.SEIZURE,)))

    with services.uow as uow:
        assert [a.rule_id for a in uow.alerts.for_patient("P-1")] == ["DIARY-WITHDRAWAL-001"]


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"recorded_at": datetime(2026, 3, 10, 9, 0)}, "recorded_at"),
        ({"symptoms": "seizure"}, "symptoms"),
        ({"spasm_frequency": "3:2"}, "spasm_frequency"),
    ],
)
def test_the_command_names_an_invalid_field(kw, field) -> None:
    with pytest.raises(InvalidInputError) as caught:
        LogDiaryEntry(**({"patient_id": "P-1", "recorded_at": AS_OF} | kw))

    assert caught.value.field == field


def test_an_invalid_score_stores_nothing(services) -> None:
    with pytest.raises(InvalidInputError) as caught:
        services.log_diary_entry(LogDiaryEntry("P-1", AS_OF, pain_nrs=11))

    assert caught.value.field == "pain_nrs"
    with services.uow as uow:
        assert uow.diary.for_patient("P-1") == ()


def test_risks_on_stored_data_become_alerts_once_while_active(services) -> None:
    store_patient(services)

    first = services.raise_alerts_for_patient(RaiseAlerts("P-1", AS_OF))
    again = services.raise_alerts_for_patient(RaiseAlerts("P-1", AS_OF + timedelta(hours=1)))

    assert ("RISK-RESERVOIR-002", "pump:pump-1") in {(a.rule_id, a.subject) for a in first.raised}
    assert all(a.level.value == "high" for a in first.raised)
    assert again.raised == () and {a.alert_id for a in again.already_active} == {a.alert_id for a in first.raised}


def test_diary_risks_are_left_to_the_entries_own_alerts(services) -> None:
    services.log_diary_entry(LogDiaryEntry("P-1", AS_OF - timedelta(hours=1), symptoms=(Symptom.SEIZURE,)))

    raised = services.raise_alerts_for_patient(RaiseAlerts("P-1", AS_OF))

    assert raised.assessment.has("RISK-DIARY-001") and raised.raised == ()


def test_a_resolved_alert_may_be_raised_again_an_acknowledged_one_not(services) -> None:
    store_patient(services)
    (empty,) = [
        a
        for a in services.raise_alerts_for_patient(RaiseAlerts("P-1", AS_OF)).raised
        if a.rule_id == "RISK-RESERVOIR-002"
    ]

    services.acknowledge_alert(AlertDecision(empty.alert_id, "clinician:jdoe", AS_OF, "refill booked today"))
    after_ack = services.raise_alerts_for_patient(RaiseAlerts("P-1", AS_OF + timedelta(hours=1)))
    done = services.resolve_alert(AlertDecision(empty.alert_id, "clinician:jdoe", AS_OF, "pump emptied"))
    after_resolve = services.raise_alerts_for_patient(RaiseAlerts("P-1", AS_OF + timedelta(hours=2)))

    assert "RISK-RESERVOIR-002" not in {a.rule_id for a in after_ack.raised}
    assert done.state is AlertState.RESOLVED and done.acknowledged.reason == "refill booked today"
    assert "RISK-RESERVOIR-002" in {a.rule_id for a in after_resolve.raised}


def test_deciding_an_alert_checks_the_transition_and_keeps_it_on_refusal(services) -> None:
    (alert,) = services.log_diary_entry(LogDiaryEntry("P-1", AS_OF, symptoms=(Symptom.SEIZURE,))).alerts
    services.resolve_alert(AlertDecision(alert.alert_id, "clinician:jdoe", AS_OF, "seen in A&E"))

    with pytest.raises(InvalidInputError) as caught:
        services.acknowledge_alert(AlertDecision(alert.alert_id, "clinician:jdoe", AS_OF, "late"))
    with pytest.raises(NotFoundError):
        services.resolve_alert(AlertDecision("A-404", "clinician:jdoe", AS_OF, "nothing"))

    assert caught.value.field == "state"
    with services.uow as uow:
        assert uow.alerts.get(alert.alert_id).state is AlertState.RESOLVED


def test_the_worklist_of_stored_patients(services) -> None:
    store_patient(services)
    services.log_diary_entry(LogDiaryEntry("P-2", AS_OF - timedelta(days=1), symptoms=(Symptom.HALLUCINATIONS,)))

    worklist = services.compute_clinic_worklist(ComputeWorklist(("P-1", "P-2"), AS_OF, 14))

    assert [(i.kind.value, i.patient_id, i.urgency.value) for i in worklist.items] == [
        ("refill", "P-1", "overdue"),
        ("diary", "P-2", "overdue"),  # logged yesterday, not yet seen
        ("risk", "P-1", "block"),
    ]
    with pytest.raises(NotFoundError):
        services.compute_clinic_worklist(ComputeWorklist(("P-404",), AS_OF, 14))


def test_the_clinics_risk_settings_apply_and_the_requests_win() -> None:
    services = bootstrap(settings=StaticSettings({"cds.risk.refill_near_days": 30}))
    store_patient(services, filled=datetime(2026, 3, 1, 10, tzinfo=UTC), dose=150.0)

    clinic = services.raise_alerts_for_patient(RaiseAlerts("P-1", AS_OF)).assessment
    request = services.raise_alerts_for_patient(
        RaiseAlerts("P-1", AS_OF, settings={"cds.risk.refill_near_days": 7})
    ).assessment

    used = {s.setting.name: s.value for s in clinic.settings}
    assert used["cds.risk.refill_near_days"] == 30
    assert {s.setting.name: s.value for s in request.settings}["cds.risk.refill_near_days"] == 7
