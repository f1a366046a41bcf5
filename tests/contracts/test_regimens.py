"""Contract of the saved-plan and program-change repositories: append-only histories (one position at a time, a
stored record never changes), each record back whole (its plan document, findings, settings, zone), and of two units
of work appending at one position only the first commits.

Runs on each adapter of ``conftest.UNITS_OF_WORK``.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from baclofen.domain.cds.alternatives import plan_cross_taper
from baclofen.domain.clinic.regimens import ProgramChangeRecord, SavedPlan
from baclofen.domain.errors import ConflictError, NotFoundError
from baclofen.domain.itb.dosing import titration_range
from baclofen.domain.itb.programs import continuous_program, flex_program
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.rules.core import apply_overrides
from baclofen.services.commands import PlanTaper, PlanTitration, PlanTransition
from baclofen.services.itb import plan_transition
from baclofen.services.planning import plan_oral_taper, plan_oral_titration

AT = datetime(2026, 3, 9, 10, 30, tzinfo=ZoneInfo("Europe/Paris"))
PATIENT = PatientSnapshot(age_years=52, crcl_ml_min=45)


def titration(**kw) -> SavedPlan:
    plan = plan_oral_titration(PlanTitration(date(2026, 3, 10), patient=PATIENT, target_mg_per_day=30))
    return SavedPlan(kw.pop("patient_id", "P-1"), kw.pop("seq", 0), plan, "clinician:a", kw.pop("saved_at", AT))


def taper(seq: int = 1) -> SavedPlan:
    plan = plan_oral_taper(PlanTaper(60, date(2026, 4, 1), patient=PATIENT, settings={"taper.step_interval_days": 5}))
    return SavedPlan("P-1", seq, plan, "clinician:b", AT + timedelta(days=20))


def transition(seq: int = 0) -> SavedPlan:
    planned = plan_transition(PlanTransition(date(2026, 3, 20), 60, 100, patient=PATIENT))
    document = {k: v for k, v in planned.to_dict().items() if k != "oral_taper"}
    return SavedPlan("P-1", seq, planned.oral_taper, "clinician:a", AT, document)


def switch(seq: int = 0) -> SavedPlan:
    cross = plan_cross_taper(
        start_date=date(2026, 3, 5),
        from_mg_per_day=30,
        new_drug="tizanidine",
        patient=PATIENT,
        current_drugs=["omeprazole"],
    )
    document = {k: v for k, v in cross.to_dict().items() if k != "taper"} | {"switch_to": "tizanidine"}
    return SavedPlan("P-1", seq, cross.taper, "clinician:a", AT, switch=document)


def change(seq: int = 0, pump_id: str = "pump-1", **kw) -> ProgramChangeRecord:
    judged = titration_range(200, "spinal", hours_since_start=2000, proposed_mcg_per_day=240)
    findings = apply_overrides(judged.findings, ())
    program = kw.pop("program", continuous_program(240))
    return ProgramChangeRecord(
        pump_id,
        seq,
        kw.pop("changed_at", datetime(2026, 3, 9, 9, 0, tzinfo=timezone(timedelta(hours=-5))) + timedelta(days=seq)),
        program,
        200.0,
        "clinician:a",
        "spasms at night",
        findings,
        judged.settings_used,
    )


def _plain(value):
    return json.loads(json.dumps(value))


# --- saved plans --------------------------------------------------------------------------------------------------
def test_a_saved_plan_comes_back_whole_in_its_zone(new_uow) -> None:
    saved = titration()
    with new_uow() as uow:
        uow.plans.add(saved)
        uow.commit()

    with new_uow() as uow:
        found = uow.plans.get(saved.plan_id)

    assert found.plan_id == saved.plan_id and found.seq == 0 and found.kind == "titration"
    assert found.saved_by == "clinician:a" and found.saved_at == AT and found.saved_at.utcoffset() == AT.utcoffset()
    assert _plain(found.plan.to_dict()) == _plain(saved.plan.to_dict())  # findings, settings, overrides included
    assert found.plan.settings and found.plan.findings == saved.plan.findings


def test_a_patients_plans_come_in_history_order_and_only_theirs(new_uow) -> None:
    with new_uow() as uow:
        uow.plans.add(titration(patient_id="P-2"))
        uow.plans.add(titration())
        uow.commit()
    with new_uow() as uow:
        uow.plans.add(taper(1))  # its own uncommitted plan is seen
        assert [p.seq for p in uow.plans.for_patient("P-1")] == [0, 1]
        uow.commit()

    with new_uow() as uow:
        assert [(p.seq, p.kind) for p in uow.plans.for_patient("P-1")] == [(0, "titration"), (1, "taper")]
        assert [p.patient_id for p in uow.plans.for_patient("P-2")] == ["P-2"]
        assert uow.plans.for_patient("P-9") == ()


@pytest.mark.parametrize("seq", [0, 2])
def test_a_plan_is_appended_at_the_next_position_only(new_uow, seq) -> None:
    with new_uow() as uow:
        uow.plans.add(titration())
        uow.commit()

    with new_uow() as uow, pytest.raises(ConflictError, match="append-only"):
        uow.plans.add(titration(seq=seq))


def test_of_two_plans_saved_at_one_position_concurrently_only_the_first_commits(new_uow) -> None:
    first, second = new_uow(), new_uow()
    with first, second:
        first.plans.add(titration())
        second.plans.add(titration(saved_at=AT + timedelta(minutes=1)))
        first.commit()
        with pytest.raises(ConflictError):
            second.commit()

    with new_uow() as uow:
        assert [p.saved_at for p in uow.plans.for_patient("P-1")] == [AT]


def test_a_plan_not_stored_is_not_found_and_a_rollback_stores_nothing(new_uow) -> None:
    with new_uow() as uow:
        uow.plans.add(titration())  # left without a commit

    with new_uow() as uow:
        assert uow.plans.for_patient("P-1") == ()
        with pytest.raises(NotFoundError):
            uow.plans.get(titration().plan_id)


def test_a_saved_transition_comes_back_with_its_oral_taper_and_its_envelope(new_uow) -> None:
    saved = transition()
    with new_uow() as uow:
        uow.plans.add(saved)
        uow.commit()

    with new_uow() as uow:
        found = uow.plans.get(saved.plan_id)

    assert found.kind == "itb-transition" and found.plan.kind.value == "taper"
    assert _plain(found.to_dict()) == _plain(saved.to_dict())
    assert "ITB-TRANS-001" in {f["rule_id"] for f in found.to_dict()["findings"]}


def test_a_saved_switch_comes_back_with_its_baclofen_taper_and_the_new_drug(new_uow) -> None:
    saved = switch(1)
    with new_uow() as uow:
        uow.plans.add(transition())
        uow.plans.add(saved)
        uow.commit()

    with new_uow() as uow:
        found = uow.plans.get(saved.plan_id)
        kinds = [p.kind for p in uow.plans.for_patient("P-1")]

    assert found.kind == "switch" and found.plan.kind.value == "taper" and found.transition is None
    assert _plain(found.to_dict()) == _plain(saved.to_dict())
    assert found.to_dict()["switch"]["new_drug"]["drug"] == "tizanidine"
    assert kinds == ["itb-transition", "switch"]


# --- program changes ----------------------------------------------------------------------------------------------
def test_a_program_change_comes_back_whole(new_uow) -> None:
    stored = change(program=flex_program([(0, 8.0), (20 * 60, 12.0)]))
    with new_uow() as uow:
        uow.program_changes.add(stored)
        uow.commit()

    with new_uow() as uow:
        found = uow.program_changes.get(stored.change_id)

    assert found == stored
    assert found.changed_at.utcoffset() == timedelta(hours=-5) and found.daily_dose_mcg == pytest.approx(208)


def test_a_pumps_changes_come_in_order_and_only_its_own(new_uow) -> None:
    with new_uow() as uow:
        uow.program_changes.add(change(0))
        uow.program_changes.add(change(0, pump_id="pump-2"))
        uow.program_changes.add(change(1))
        uow.commit()

    with new_uow() as uow:
        assert [c.seq for c in uow.program_changes.for_pump("pump-1")] == [0, 1]
        assert [c.pump_id for c in uow.program_changes.for_pump("pump-2")] == ["pump-2"]
        with pytest.raises(ConflictError, match="append-only"):
            uow.program_changes.add(change(1))


def test_of_two_changes_at_one_position_concurrently_only_the_first_commits(new_uow) -> None:
    first, second = new_uow(), new_uow()
    with first, second:
        first.program_changes.add(change(0))
        second.program_changes.add(change(0, program=continuous_program(220)))
        first.commit()
        with pytest.raises(ConflictError):
            second.commit()

    with new_uow() as uow:
        assert [c.daily_dose_mcg for c in uow.program_changes.for_pump("pump-1")] == [pytest.approx(240)]
