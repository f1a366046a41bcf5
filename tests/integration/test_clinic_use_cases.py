"""The clinic use cases on every store (memory, SQLite, PostgreSQL: the contract suite's units of work): a diary
entry and its alerts, alerts raised from the risk engine on stored data, decided and never lost, the worklist."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from baclofen.domain.cds.timeline import Symptom
from baclofen.domain.clinic.alerts import AlertState
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord
from baclofen.services.cds import assess_timeline_risk
from baclofen.services.clinic import (
    acknowledge_alert,
    assess_patient_risk,
    compute_clinic_worklist,
    log_diary_entry,
    raise_alerts_for_patient,
    read_patient_timeline,
    resolve_alert,
)
from baclofen.services.commands import (
    AlertDecision,
    AssessPatientRisk,
    AssessTimelineRisk,
    ComputeWorklist,
    LogDiaryEntry,
    RaiseAlerts,
    ReadPatientTimeline,
)
from tests.contracts.conftest import migrated_postgres, migrated_sqlite_file, new_uow

__all__ = ["migrated_postgres", "migrated_sqlite_file", "new_uow"]  # the fixtures of the contract suite

AS_OF = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def test_a_patients_follow_up_from_diary_to_worklist(new_uow) -> None:
    fill = RefillVisitRecord(
        datetime(2026, 1, 1, 10, tzinfo=UTC), fill_ml=20, concentration_mcg_per_ml=500, program=continuous_program(250)
    )
    with new_uow() as uow:
        uow.patients.add(PatientRecord("P-1", PatientSnapshot(age_years=50)))
        uow.pumps.add(PumpRecord("pump-1", get_pump("synchromed-ii-20"), "P-1", date(2024, 5, 1), (fill,)))
        uow.commit()

    logged = log_diary_entry(new_uow(), LogDiaryEntry("P-1", AS_OF - timedelta(hours=2), symptoms=(Symptom.ITCHING,)))
    raised = raise_alerts_for_patient(new_uow(), RaiseAlerts("P-1", AS_OF))
    again = raise_alerts_for_patient(new_uow(), RaiseAlerts("P-1", AS_OF + timedelta(minutes=5)))
    worklist = compute_clinic_worklist(new_uow(), ComputeWorklist(("P-1",), AS_OF, 14))
    # two months on, the entry has long left the risk engine's look-back window; its alert has not
    later = compute_clinic_worklist(new_uow(), ComputeWorklist(("P-1",), AS_OF + timedelta(days=60), 14))
    (diary_alert,) = logged.alerts
    acknowledge_alert(new_uow(), AlertDecision(diary_alert.alert_id, "clinician:jdoe", AS_OF, "called, pump checked"))
    (empty,) = [a for a in raised.raised if a.rule_id == "RISK-RESERVOIR-002"]
    resolve_alert(new_uow(), AlertDecision(empty.alert_id, "clinician:jdoe", AS_OF + timedelta(hours=4), "refilled"))

    assert raised.raised and again.raised == ()
    assert [(i.kind.value, i.rule_id) for i in worklist.items] == [
        ("refill", "RISK-REFILL-001"),
        ("alert", "RISK-RESERVOIR-002"),
        ("diary", "DIARY-WITHDRAWAL-001"),
    ]
    assert ("diary", "DIARY-WITHDRAWAL-001") in [(i.kind.value, i.rule_id) for i in later.items]
    with new_uow() as uow:
        alerts = {a.rule_id: a for a in uow.alerts.for_patient("P-1")}
    assert alerts["DIARY-WITHDRAWAL-001"].acknowledged.by == "clinician:jdoe"
    assert alerts["RISK-RESERVOIR-002"].state is AlertState.RESOLVED
    assert alerts["RISK-RESERVOIR-002"].resolved.reason == "refilled"


def test_a_stored_patients_risks_are_read_from_their_timeline_without_raising_an_alert(new_uow) -> None:
    fill = RefillVisitRecord(
        datetime(2026, 1, 1, 10, tzinfo=UTC), fill_ml=20, concentration_mcg_per_ml=500, program=continuous_program(250)
    )
    with new_uow() as uow:
        uow.patients.add(PatientRecord("P-1", PatientSnapshot(age_years=50)))
        uow.pumps.add(PumpRecord("pump-1", get_pump("synchromed-ii-20"), "P-1", date(2024, 5, 1), (fill,)))
        uow.commit()
    settings = {"cds.risk.lookback_days": 14}

    stored = read_patient_timeline(new_uow(), ReadPatientTimeline("P-1", AS_OF))
    risk = assess_patient_risk(new_uow(), AssessPatientRisk("P-1", AS_OF, settings))
    raised = raise_alerts_for_patient(new_uow(), RaiseAlerts("P-1", AS_OF, settings))

    assert stored.document["as_of"] == AS_OF.isoformat() and stored.pump_id == "pump-1"
    assert risk.assessment == assess_timeline_risk(AssessTimelineRisk(stored.timeline(), settings))
    assert risk.assessment == raised.assessment and risk.omitted == stored.omitted == raised.omitted
    assert {a.rule_id for a in raised.raised} >= {"RISK-RESERVOIR-002"}  # none were raised by reading the risks
