"""The clinic worklist: pump dates, risks and open alerts of every patient, overdue first, then blocks, then the
nearest date; each item with its rule, reasoning and sources."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from baclofen.domain.cds.risk.context import RiskLevel
from baclofen.domain.cds.timeline import Symptom
from baclofen.domain.clinic.alerts import alert_from_finding
from baclofen.domain.clinic.diary import DiaryEntryRecord, assess_diary_entry
from baclofen.domain.clinic.worklist import PatientCase, Urgency, WorklistKind, compute_worklist
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord

AS_OF = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def pump(pump_id: str, patient_id: str, filled: datetime, dose: float, implanted: date) -> PumpRecord:
    fill = RefillVisitRecord(filled, fill_ml=20, concentration_mcg_per_ml=500, program=continuous_program(dose))
    return PumpRecord(pump_id, get_pump("synchromed-ii-20"), patient_id, implanted, (fill,))


SEIZURE = DiaryEntryRecord("D-1", "P-3", AS_OF - timedelta(days=2), symptoms=(Symptom.SEIZURE,))


def seizure_alert():
    (finding,) = assess_diary_entry(SEIZURE)
    return alert_from_finding(finding, patient_id="P-3", subject="diary:D-1", raised_at=SEIZURE.recorded_at)


CASES = (
    # empty by the program since February: refill overdue, and the reservoir-empty block
    PatientCase(
        "P-1",
        PatientRecord("P-1", PatientSnapshot(age_years=50)),
        (pump("pump-1", "P-1", datetime(2026, 1, 1, 10, tzinfo=UTC), 250, date(2024, 5, 1)),),
    ),
    # filled 9 days ago at 100 mcg/day: refill and alarm late in May; implanted 2021: replacement overdue
    PatientCase("P-2", None, (pump("pump-2", "P-2", datetime(2026, 3, 1, 10, tzinfo=UTC), 100, date(2021, 4, 1)),)),
    # no pump; an unread seizure in the diary
    PatientCase("P-3", None, (), (SEIZURE,), (seizure_alert(),)),
)


def rows(horizon_days: int, cases=CASES):
    return [
        (i.kind.value, i.patient_id, i.urgency.value, i.rule_id)
        for i in compute_worklist(cases, AS_OF, horizon_days).items
    ]


def test_overdue_first_then_blocks_then_the_nearest_date() -> None:
    """An unread red flag raised before today waits already: it is overdue, like a refill whose date passed; among
    the overdue, the high ones (an empty pump, a seizure) before the moderate battery replacement."""
    assert rows(14) == [
        ("refill", "P-1", "overdue", "RISK-REFILL-001"),
        ("diary", "P-3", "overdue", "DIARY-SEIZURE-001"),
        ("battery", "P-2", "overdue", "RISK-BATTERY-001"),
        ("risk", "P-1", "block", "RISK-RESERVOIR-002"),
    ]


def test_within_a_tier_the_higher_level_comes_before_the_earlier_date() -> None:
    """A high withdrawal red flag is not listed after a moderate or low item because theirs is older."""
    fever = DiaryEntryRecord("D-9", "P-9", AS_OF - timedelta(hours=2), symptoms=(Symptom.SEIZURE,))
    (finding,) = assess_diary_entry(fever)
    high = alert_from_finding(finding, patient_id="P-9", subject="diary:D-9", raised_at=fever.recorded_at)
    older = AS_OF - timedelta(days=3)
    low = replace(high, alert_id="A-low", patient_id="P-8", level=RiskLevel.LOW, raised_at=older, subject="diary:D-8")
    cases = (PatientCase("P-8", None, (), (), (low,)), PatientCase("P-9", None, (), (fever,), (high,)))

    items = compute_worklist(cases, AS_OF + timedelta(days=3), 14).items

    assert [(i.patient_id, i.urgency.value, i.level.value) for i in items] == [
        ("P-9", "overdue", "high"),
        ("P-8", "overdue", "low"),
    ]


def test_a_longer_horizon_adds_the_refills_and_alarms_due_within_it() -> None:
    assert rows(120)[4:] == [
        ("refill", "P-2", "due", "RISK-REFILL-002"),
        ("alarm", "P-2", "due", "RISK-RESERVOIR-001"),
    ]


def test_every_item_says_why_and_on_what_sources() -> None:
    items = compute_worklist(CASES, AS_OF, 120).items

    assert all(i.reasoning and i.sources and i.message for i in items)
    diary = next(i for i in items if i.kind is WorklistKind.DIARY)
    assert diary.alert_id == seizure_alert().alert_id and diary.to_dict()["sources"]


def test_an_acknowledged_alert_leaves_the_worklist_and_a_resolved_one_too() -> None:
    seen = seizure_alert().acknowledge("clinician:jdoe", AS_OF, "called, seen in A&E")
    case = PatientCase("P-3", None, (), (SEIZURE,), (seen,))

    assert rows(14, (case,)) == []
    assert rows(14, (PatientCase("P-3", None, (), (SEIZURE,), (seen.resolve("u", AS_OF, "treated"),)),)) == []


def test_an_open_alert_stays_after_its_finding_left_the_look_back_window() -> None:
    case = PatientCase("P-3", None, (), (SEIZURE,), (seizure_alert(),))

    later = compute_worklist((case,), AS_OF + timedelta(days=60), 14).items

    assert [(i.kind, i.urgency) for i in later] == [(WorklistKind.DIARY, Urgency.OVERDUE)]


def test_a_high_risk_with_an_active_alert_is_listed_once_as_the_alert() -> None:
    from baclofen.domain.cds.risk import assess_risk
    from baclofen.domain.clinic.timeline import stored_timeline

    p1 = CASES[0]
    risk = next(
        r
        for r in assess_risk(stored_timeline(p1.patient, p1.pumps, (), AS_OF).timeline()).risks
        if r.finding.rule_id == "RISK-RESERVOIR-002"
    )
    alert = alert_from_finding(risk.finding, patient_id="P-1", subject="pump:pump-1", raised_at=AS_OF)
    case = PatientCase("P-1", p1.patient, p1.pumps, (), (alert,))

    found = [(k, rule) for k, _, _, rule in rows(14, (case,)) if rule == "RISK-RESERVOIR-002"]
    assert found == [("alert", "RISK-RESERVOIR-002")]


def test_omissions_of_the_timeline_are_reported_per_patient() -> None:
    patient = PatientRecord("P-9", PatientSnapshot(conditions=frozenset({"epilepsy"})))

    worklist = compute_worklist((PatientCase("P-9", patient),), AS_OF, 7)

    assert "epilepsy" in worklist.omitted["P-9"][0] and worklist.to_dict()["items"] == []


@pytest.mark.parametrize(
    ("as_of", "horizon", "field"),
    [
        (AS_OF, -1, "horizon_days"),
        (AS_OF, 367, "horizon_days"),
        (AS_OF, 1.5, "horizon_days"),
        (datetime(2026, 3, 10), 7, "as_of"),
    ],  # fmt: skip
)
def test_invalid_arguments_are_named(as_of, horizon, field) -> None:
    with pytest.raises(InvalidInputError) as caught:
        compute_worklist((), as_of, horizon)

    assert caught.value.field == field
