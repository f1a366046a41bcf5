"""Contract of the patient and pump repositories: what goes in comes out equal; identifiers are unique;
a pump's refill history is append-only and in time order.

Runs on each adapter of ``conftest.UNITS_OF_WORK``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from baclofen.domain.errors import ConflictError, InvalidInputError, NotFoundError
from baclofen.domain.itb.programs import continuous_program, parse_flex_schedule
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import Locale, PatientSnapshot, Sex, SpasticityOrigin
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord
from baclofen.domain.rules.core import Override

PATIENT = PatientRecord(
    "P-1",
    PatientSnapshot(
        age_years=46,
        weight_kg=70,
        sex=Sex.FEMALE,
        serum_creatinine_mg_dl=1.0,
        origin=SpasticityOrigin.CEREBRAL,
        locale=Locale.UK,
        conditions=frozenset({"epilepsy"}),
    ),
)
CET = timezone(timedelta(hours=1))
#: A history with every kind of visit: a first fill, a visit known only by its residuals, a visit with
#: residuals, fill and a flex program; times with a UTC offset.
HISTORY = (
    RefillVisitRecord(
        datetime(2025, 1, 2, 10, 0, tzinfo=CET),
        fill_ml=20,
        concentration_mcg_per_ml=500,
        program=continuous_program(300),
    ),
    RefillVisitRecord(expected_ml=4.9, aspirated_ml=4.5),
    RefillVisitRecord(
        datetime(2025, 3, 1, 9, 30, tzinfo=CET),
        expected_ml=5.0,
        aspirated_ml=4.6,
        fill_ml=18.5,
        concentration_mcg_per_ml=1000,
        program=parse_flex_schedule("06:00=20,22:00=10"),
    ),
)
PUMP = PumpRecord("pump-1", get_pump("synchromed-ii-20"), "P-1", date(2025, 1, 1), HISTORY)


def _in_one(new_uow, action):
    with new_uow() as uow:
        result = action(uow)
        uow.commit()
    return result


# --- patients ---------------------------------------------------------------------------------------------


def test_a_stored_patient_comes_back_equal(new_uow) -> None:
    _in_one(new_uow, lambda uow: uow.patients.add(PATIENT))

    with new_uow() as uow:
        assert uow.patients.get("P-1") == PATIENT


def test_a_patient_identifier_is_stored_once(new_uow) -> None:
    _in_one(new_uow, lambda uow: uow.patients.add(PATIENT))

    with new_uow() as uow, pytest.raises(ConflictError):
        uow.patients.add(PatientRecord("P-1", PatientSnapshot()))


def test_an_updated_patient_replaces_the_stored_one(new_uow) -> None:
    _in_one(new_uow, lambda uow: uow.patients.add(PATIENT))
    newer = PatientRecord("P-1", PatientSnapshot(age_years=47, dialysis=True))

    _in_one(new_uow, lambda uow: uow.patients.update(newer))

    with new_uow() as uow:
        assert uow.patients.get("P-1") == newer


def test_a_patients_clinic_is_stored_with_it(new_uow) -> None:
    kept = PatientRecord("P-7", PATIENT.snapshot, "C-1")
    _in_one(new_uow, lambda uow: uow.patients.add(kept))

    with new_uow() as uow:
        assert uow.patients.get("P-7") == kept and uow.patients.get("P-7").clinic_id == "C-1"


def test_the_patients_of_a_clinic_come_in_pages_in_identifier_order(new_uow) -> None:
    ids = ["P-03", "P-01", "P-05", "P-02", "P-04"]
    _in_one(new_uow, lambda uow: [uow.patients.add(PatientRecord(i, PatientSnapshot(), "C-1")) for i in ids])
    _in_one(new_uow, lambda uow: uow.patients.add(PatientRecord("P-00", PatientSnapshot(), "C-2")))

    with new_uow() as uow:
        first = uow.patients.for_clinic("C-1", limit=2)
        second = uow.patients.for_clinic("C-1", after=first[-1].patient_id, limit=2)
        last = uow.patients.for_clinic("C-1", after="P-04", limit=2)
        other = uow.patients.for_clinic("C-2")
        none = uow.patients.for_clinic("C-404")

    assert [p.patient_id for p in first + second + last] == ["P-01", "P-02", "P-03", "P-04", "P-05"]
    assert [p.patient_id for p in other] == ["P-00"] and none == ()


def test_a_clinic_listing_sees_this_unit_of_works_own_changes(new_uow) -> None:
    _in_one(new_uow, lambda uow: [uow.patients.add(PatientRecord(i, PatientSnapshot(), "C-1")) for i in ("P-1", "P-3")])

    with new_uow() as uow:
        uow.patients.add(PatientRecord("P-2", PatientSnapshot(), "C-1"))
        uow.patients.update(PatientRecord("P-1", PatientSnapshot(), "C-2"))
        found = uow.patients.for_clinic("C-1", limit=2)

    assert [p.patient_id for p in found] == ["P-2", "P-3"]


@pytest.mark.parametrize(
    ("kwargs", "field"), [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"after": " x"}, "after")]
)
def test_a_page_out_of_bounds_is_refused_naming_it(new_uow, kwargs, field) -> None:
    with new_uow() as uow, pytest.raises(InvalidInputError) as err:
        uow.patients.for_clinic("C-1", **kwargs)

    assert err.value.field == field


@pytest.mark.parametrize("action", ["get", "update"])
def test_an_unknown_patient_is_not_found(new_uow, action) -> None:
    with new_uow() as uow, pytest.raises(NotFoundError):
        if action == "get":
            uow.patients.get("P-404")
        else:
            uow.patients.update(PatientRecord("P-404", PatientSnapshot()))


@pytest.mark.parametrize("bad", ["", " P-1", "x" * 65])
def test_a_malformed_identifier_is_refused_naming_it(new_uow, bad) -> None:
    with new_uow() as uow:
        with pytest.raises(InvalidInputError) as patient_err:
            uow.patients.get(bad)
        with pytest.raises(InvalidInputError) as pump_err:
            uow.pumps.get(bad)

    assert (patient_err.value.field, pump_err.value.field) == ("patient_id", "pump_id")


# --- pumps --------------------------------------------------------------------------------------------------


def test_a_stored_pump_comes_back_equal_with_its_whole_history(new_uow) -> None:
    _in_one(new_uow, lambda uow: uow.pumps.add(PUMP))

    with new_uow() as uow:
        stored = uow.pumps.get("pump-1")

    assert stored == PUMP
    assert stored.visits[2].refilled_at.utcoffset() == timedelta(hours=1)
    assert stored.visits[2].program.daily_dose_mcg == pytest.approx(400)


def test_a_pump_identifier_is_stored_once(new_uow) -> None:
    _in_one(new_uow, lambda uow: uow.pumps.add(PUMP))

    with new_uow() as uow, pytest.raises(ConflictError):
        uow.pumps.add(PumpRecord("pump-1", get_pump("prometra-ii-20")))


def test_the_pumps_of_a_patient_in_identifier_order(new_uow) -> None:
    later = PumpRecord("pump-0", get_pump("prometra-ii-40"), "P-1", date(2032, 5, 1))
    other = PumpRecord("pump-9", get_pump("prometra-ii-40"), "P-2")
    _in_one(new_uow, lambda uow: [uow.pumps.add(r) for r in (PUMP, other)])

    with new_uow() as uow:
        uow.pumps.add(later)  # this unit of work's own change counts
        found = uow.pumps.for_patient("P-1")
        nobody = uow.pumps.for_patient("P-404")

    assert [p.pump_id for p in found] == ["pump-0", "pump-1"]
    assert nobody == ()


def test_a_visit_is_appended_to_the_history(new_uow) -> None:
    _in_one(new_uow, lambda uow: uow.pumps.add(PUMP))
    visit = RefillVisitRecord(
        datetime(2025, 5, 1, 10, 0, tzinfo=timezone(timedelta(hours=2))), expected_ml=3.0, aspirated_ml=3.1, fill_ml=20
    )

    returned = _in_one(new_uow, lambda uow: uow.pumps.add_visit("pump-1", visit))

    with new_uow() as uow:
        stored = uow.pumps.get("pump-1")
    assert stored == returned
    assert stored.visits == (*HISTORY, visit)


def test_a_visits_overrides_are_stored_with_it_who_which_block_and_why(new_uow) -> None:
    _in_one(new_uow, lambda uow: uow.pumps.add(PUMP))
    overrides = (
        Override("PUMP-RECON-006", "reservoir found empty, patient examined, no withdrawal", "Dr A. Martin"),
        Override("PUMP-REFILL-001", "fill volume checked twice with the pump programmer", "Dr A. Martin"),
    )
    visit = RefillVisitRecord(
        datetime(2025, 5, 1, 10, 0, tzinfo=CET), expected_ml=3.0, aspirated_ml=0.0, fill_ml=20, overrides=overrides
    )
    plain = RefillVisitRecord(datetime(2025, 6, 1, 10, 0, tzinfo=CET), expected_ml=3.0, aspirated_ml=2.9, fill_ml=20)

    _in_one(new_uow, lambda uow: uow.pumps.add_visit("pump-1", visit))
    _in_one(new_uow, lambda uow: uow.pumps.add_visit("pump-1", plain))

    with new_uow() as uow:
        stored = uow.pumps.get("pump-1")
    assert stored.visits == (*HISTORY, visit, plain)
    assert stored.visits[3].overrides == overrides  # in the order given, each with its clinician and reason
    assert stored.visits[4].overrides == ()


def test_a_visit_before_the_last_recorded_refill_is_refused_and_changes_nothing(new_uow) -> None:
    _in_one(new_uow, lambda uow: uow.pumps.add(PUMP))

    with new_uow() as uow:
        with pytest.raises(InvalidInputError) as err:
            uow.pumps.add_visit("pump-1", RefillVisitRecord(datetime(2025, 2, 1, 9, 0, tzinfo=CET), fill_ml=20))
        uow.commit()

    assert err.value.field == "refilled_at" and "after the last recorded refill" in err.value.expected
    with new_uow() as uow:
        assert uow.pumps.get("pump-1") == PUMP


@pytest.mark.parametrize("action", ["get", "add_visit"])
def test_an_unknown_pump_is_not_found(new_uow, action) -> None:
    with new_uow() as uow, pytest.raises(NotFoundError):
        if action == "get":
            uow.pumps.get("pump-404")
        else:
            uow.pumps.add_visit("pump-404", RefillVisitRecord(date(2026, 1, 1), fill_ml=20))
