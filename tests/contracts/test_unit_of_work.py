"""Contract of every unit of work: all or nothing, own changes visible, no lost update.

Runs on each adapter of ``conftest.UNITS_OF_WORK``.
"""

from __future__ import annotations

from datetime import date

import pytest

from baclofen.domain.errors import ConflictError, NotFoundError, ServiceError
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord

PATIENT = PatientRecord("P-1", PatientSnapshot(age_years=46))
PUMP = PumpRecord("pump-1", get_pump("synchromed-ii-20"), patient_id="P-1", implanted=date(2025, 1, 1))
VISIT = RefillVisitRecord(date(2026, 2, 2), fill_ml=20)


def _store(new_uow, *records) -> None:
    with new_uow() as uow:
        for record in records:
            (uow.patients if isinstance(record, PatientRecord) else uow.pumps).add(record)
        uow.commit()


def _pump_ids_seen_by_a_new_unit_of_work(new_uow) -> tuple[str, ...]:
    with new_uow() as uow:
        return tuple(p.pump_id for p in uow.pumps.for_patient("P-1"))


def test_committed_changes_are_seen_by_a_later_unit_of_work(new_uow) -> None:
    _store(new_uow, PATIENT, PUMP)

    with new_uow() as uow:
        assert uow.patients.get("P-1") == PATIENT
        assert uow.pumps.get("pump-1") == PUMP


def test_a_unit_of_work_sees_its_own_changes_and_others_do_not_before_the_commit(new_uow) -> None:
    _store(new_uow, PATIENT)
    writer, reader = new_uow(), new_uow()

    with writer, reader:
        writer.pumps.add(PUMP)
        assert writer.pumps.get("pump-1") == PUMP
        assert reader.pumps.for_patient("P-1") == ()
        writer.commit()

    assert _pump_ids_seen_by_a_new_unit_of_work(new_uow) == ("pump-1",)


def test_leaving_without_a_commit_stores_nothing(new_uow) -> None:
    _store(new_uow, PATIENT)

    with new_uow() as uow:
        uow.pumps.add(PUMP)

    assert _pump_ids_seen_by_a_new_unit_of_work(new_uow) == ()


def test_an_exception_rolls_back_and_propagates(new_uow) -> None:
    _store(new_uow, PATIENT, PUMP)

    with pytest.raises(RuntimeError), new_uow() as uow:
        uow.pumps.add_visit("pump-1", VISIT)
        raise RuntimeError("the use case failed")

    with new_uow() as uow:
        assert uow.pumps.get("pump-1").visits == ()


def test_rollback_discards_only_what_came_after_the_last_commit(new_uow) -> None:
    _store(new_uow, PATIENT)

    with new_uow() as uow:
        uow.pumps.add(PUMP)
        uow.commit()
        uow.pumps.add_visit("pump-1", VISIT)
        uow.rollback()
        assert uow.pumps.get("pump-1").visits == ()  # still usable after the rollback
        uow.pumps.add(PumpRecord("pump-2", get_pump("prometra-ii-40"), patient_id="P-1"))

    assert _pump_ids_seen_by_a_new_unit_of_work(new_uow) == ("pump-1",)


def test_a_unit_of_work_can_be_used_again_after_its_block(new_uow) -> None:
    uow = new_uow()
    with uow:
        uow.patients.add(PATIENT)
        uow.commit()

    with uow:
        uow.pumps.add(PUMP)
        uow.commit()

    assert _pump_ids_seen_by_a_new_unit_of_work(new_uow) == ("pump-1",)


def test_the_repositories_are_used_inside_the_block_only(new_uow) -> None:
    uow = new_uow()

    with pytest.raises(ServiceError):
        uow.pumps.get("pump-1")
    with pytest.raises(ServiceError):
        uow.commit()


def test_a_unit_of_work_holds_one_transaction_at_a_time(new_uow) -> None:
    uow = new_uow()

    with uow, pytest.raises(ServiceError), uow:
        pass


def test_another_unit_of_work_shares_the_store_and_runs_its_own_transaction(new_uow) -> None:
    first = new_uow()

    with first, first.another() as second:  # both open at once: a server's two requests
        second.patients.add(PATIENT)
        second.commit()
        assert first.patients.get("P-1") == PATIENT


def test_of_two_concurrent_changes_to_one_pump_only_the_first_commit_is_stored(new_uow) -> None:
    _store(new_uow, PATIENT, PUMP)
    first, second = new_uow(), new_uow()

    with first, second:
        first.pumps.get("pump-1")
        second.pumps.get("pump-1")
        first.pumps.add_visit("pump-1", VISIT)
        second.pumps.add_visit("pump-1", RefillVisitRecord(date(2026, 2, 3), fill_ml=18))
        second.patients.add(PatientRecord("P-2", PatientSnapshot()))
        first.commit()
        with pytest.raises(ConflictError):
            second.commit()

    with new_uow() as uow:
        assert uow.pumps.get("pump-1").visits == (VISIT,)
        assert uow.patients.get("P-1") == PATIENT
        with pytest.raises(NotFoundError):  # nothing of the refused transaction is stored
            uow.patients.get("P-2")


def test_two_concurrent_adds_of_one_identifier_cannot_both_commit(new_uow) -> None:
    first, second = new_uow(), new_uow()

    with first, second:
        first.patients.add(PATIENT)
        second.patients.add(PatientRecord("P-1", PatientSnapshot(age_years=70)))
        first.commit()
        with pytest.raises(ConflictError):
            second.commit()

    with new_uow() as uow:
        assert uow.patients.get("P-1") == PATIENT


def test_after_a_refused_commit_the_unit_of_work_can_read_again_and_retry(new_uow) -> None:
    _store(new_uow, PATIENT, PUMP)
    first, second = new_uow(), new_uow()

    with first, second:
        second.pumps.get("pump-1")
        first.pumps.add_visit("pump-1", VISIT)
        first.commit()
        second.pumps.add_visit("pump-1", VISIT)
        with pytest.raises(ConflictError):
            second.commit()
        second.pumps.add_visit("pump-1", RefillVisitRecord(date(2026, 3, 2), fill_ml=20))  # reads afresh
        second.commit()

    with new_uow() as uow:
        assert [v.refilled_at for v in uow.pumps.get("pump-1").visits] == [date(2026, 2, 2), date(2026, 3, 2)]
