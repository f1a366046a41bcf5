"""Contract of :meth:`UnitOfWork.prefetch_patients`: reading many patients' records at once (the worklist: patient,
pumps, diary, alerts, histories, plans, the pumps' program changes) changes how often the store is asked, never what
a transaction sees, nor the optimistic concurrency of its writes.

Runs on each adapter of ``conftest.UNITS_OF_WORK``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from baclofen.adapters import overlay
from baclofen.domain.cds.risk import RiskLevel
from baclofen.domain.clinic.alerts import Alert
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.errors import ConflictError, InvalidInputError, NotFoundError, ServiceError
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord
from baclofen.domain.rules.core import Severity
from tests.contracts.test_patient_histories import KIDNEY, OTHER_COVARIATE, WEIGHT
from tests.contracts.test_regimens import change, taper, titration

AT = datetime(2026, 3, 9, 20, 0, tzinfo=ZoneInfo("Europe/Paris"))
MODEL = get_pump("synchromed-ii-20")


def _alert(alert_id: str, patient_id: str, rule_id: str = "RISK-REFILL-001") -> Alert:
    return Alert(
        alert_id,
        patient_id,
        rule_id,
        f"patient:{patient_id}",
        RiskLevel.HIGH,
        Severity.BLOCK,
        AT,
        "Refill overdue",
        "The recommended refill date has passed.",
        ("S65",),
        "Refill today.",
    )


def _clinic(new_uow) -> list[str]:
    """Three patients with pumps (one of them two), diary entries and alerts, one with a pump and no record, one
    with a record only; the ids to ask for include one with nothing stored."""
    with new_uow() as uow:
        for n in (1, 2, 3, 5):
            uow.patients.add(PatientRecord(f"P-{n}", PatientSnapshot(age_years=40 + n), "C-1"))
        for n, patient in ((1, "P-1"), (2, "P-1"), (3, "P-2"), (4, "P-4")):
            visits = tuple(RefillVisitRecord(date(2026, 1, d), fill_ml=18 + d) for d in range(1, n + 1))
            uow.pumps.add(PumpRecord(f"pump-{n}", MODEL, patient, date(2025, 1, 1), visits))
        for n, patient in enumerate(("P-1", "P-1", "P-3", "P-2")):
            uow.diary.add(DiaryEntryRecord(f"D-{n}", patient, AT - timedelta(days=n), note=f"entry {n}"))
        uow.alerts.add(_alert("A-1", "P-1"))
        uow.alerts.add(_alert("A-2", "P-3", "RISK-BATTERY-001"))
        for observation in (WEIGHT, KIDNEY, OTHER_COVARIATE):
            uow.covariates.add(observation)
        uow.plans.add(titration())
        uow.plans.add(taper())
        uow.program_changes.add(change(0, "pump-2"))
        uow.program_changes.add(change(1, "pump-2"))
        uow.program_changes.add(change(0, "pump-3"))
        uow.commit()
    return ["P-1", "P-2", "P-3", "P-4", "P-5", "P-6"]


def _seen(uow, patient_id: str) -> tuple[object, ...]:
    try:
        patient: object = uow.patients.get(patient_id)
    except NotFoundError:
        patient = None
    pumps = uow.pumps.for_patient(patient_id)
    return (
        patient,
        pumps,
        uow.diary.for_patient(patient_id),
        uow.alerts.for_patient(patient_id),
        uow.covariates.for_patient(patient_id),
        uow.scores.for_patient(patient_id),
        uow.screening_trials.for_patient(patient_id),
        uow.plans.for_patient(patient_id),
        [uow.program_changes.for_pump(p.pump_id) for p in pumps],
    )


def test_prefetched_patients_read_exactly_as_without(new_uow) -> None:
    ids = _clinic(new_uow)
    with new_uow() as uow:
        expected = [_seen(uow, p) for p in ids]
    with new_uow() as uow:
        uow.prefetch_patients(ids)
        assert [_seen(uow, p) for p in ids] == expected
        assert uow.patients.for_clinic("C-1") == tuple(r for r, *_ in expected if r is not None)


def test_records_beyond_one_query_of_ids_are_read_in_several(new_uow, monkeypatch) -> None:
    ids = _clinic(new_uow)
    with new_uow() as uow:
        expected = [_seen(uow, p) for p in ids]
    monkeypatch.setattr(overlay, "PREFETCH_IDS_PER_QUERY", 1)
    with new_uow() as uow:
        uow.prefetch_patients(ids)
        assert [_seen(uow, p) for p in ids] == expected


def test_a_prefetched_record_keeps_its_version_for_the_commit(new_uow) -> None:
    _clinic(new_uow)
    first, second = new_uow(), new_uow()
    with first, second:
        first.prefetch_patients(["P-1"])
        second.pumps.add_visit("pump-1", RefillVisitRecord(date(2026, 2, 1), fill_ml=20))
        second.commit()
        first.pumps.add_visit("pump-1", RefillVisitRecord(date(2026, 2, 2), fill_ml=19))
        with pytest.raises(ConflictError):
            first.commit()


def test_prefetching_keeps_the_transactions_own_writes_and_first_reads(new_uow) -> None:
    _clinic(new_uow)
    with new_uow() as uow, uow.another() as other:
        first_read = uow.pumps.get("pump-2")
        other.pumps.add_visit("pump-2", RefillVisitRecord(date(2026, 2, 1), fill_ml=20))
        other.commit()
        uow.pumps.add(PumpRecord("pump-9", MODEL, "P-1", date(2026, 1, 1)))
        uow.diary.add(DiaryEntryRecord("D-9", "P-1", AT + timedelta(days=1)))
        uow.prefetch_patients(["P-1"])
        pumps = uow.pumps.for_patient("P-1")
        assert [p.pump_id for p in pumps] == ["pump-1", "pump-2", "pump-9"]
        assert pumps[1] == first_read  # what this transaction read first, not the other's later commit
        assert uow.diary.for_patient("P-1")[-1].entry_id == "D-9"


def test_many_patients_are_prefetched_in_one_call(new_uow) -> None:
    ids = [f"P-{n:04d}" for n in range(1200)]
    with new_uow() as uow:
        for n, patient_id in enumerate(ids):
            uow.patients.add(PatientRecord(patient_id, PatientSnapshot(age_years=20 + n % 60), "C-1"))
            if n % 7 == 0:
                uow.diary.add(DiaryEntryRecord(f"D-{n}", patient_id, AT))
        uow.commit()
    with new_uow() as uow:
        uow.prefetch_patients(ids)
        assert [uow.patients.get(p).snapshot.age_years for p in ids] == [20 + n % 60 for n in range(1200)]
        assert sum(len(uow.diary.for_patient(p)) for p in ids) == len(range(0, 1200, 7))


def test_prefetch_is_used_inside_the_block_only_and_names_a_bad_id(new_uow) -> None:
    uow = new_uow()
    with pytest.raises(ServiceError):
        uow.prefetch_patients(["P-1"])
    with uow, pytest.raises(InvalidInputError, match="patient_id"):
        uow.prefetch_patients(["P-1", " P-2"])
