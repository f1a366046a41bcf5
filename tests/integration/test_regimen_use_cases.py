"""The regimen use cases on every store (memory, SQLite, PostgreSQL: the contract suite's units of work): saved plans
reach the risk engine as the stored timeline's oral prescriptions, a pump's program changes as its program changes,
and a blocked plan or change leaves nothing behind."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord
from baclofen.domain.rules.core import Override
from baclofen.services.clinic import compute_clinic_worklist, raise_alerts_for_patient
from baclofen.services.commands import (
    ChangePumpProgram,
    ComputeWorklist,
    PlanTaper,
    PlanTitration,
    RaiseAlerts,
    SavePlan,
)
from baclofen.services.regimens import NotStored, change_pump_program, save_plan
from tests.contracts.conftest import migrated_postgres, migrated_sqlite_file, new_uow

__all__ = ["migrated_postgres", "migrated_sqlite_file", "new_uow"]  # the fixtures of the contract suite

AS_OF = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
FILLED = datetime(2026, 3, 1, 10, tzinfo=UTC)


@pytest.fixture
def stored(new_uow):
    fill = RefillVisitRecord(FILLED, fill_ml=20, concentration_mcg_per_ml=500, program=continuous_program(200))
    with new_uow() as uow:
        uow.patients.add(PatientRecord("P-1", PatientSnapshot(age_years=50)))
        uow.pumps.add(PumpRecord("pump-1", get_pump("synchromed-ii-20"), "P-1", date(2024, 5, 1), (fill,)))
        uow.commit()
    return new_uow


def test_an_abrupt_taper_saved_with_an_override_is_a_planned_stop_the_risk_engine_sees(stored) -> None:
    save_plan(stored(), SavePlan("P-1", PlanTitration(date(2026, 1, 1), target_mg_per_day=30), "clinician:a", AS_OF))
    fast = PlanTaper(
        30,
        date(2026, 3, 12),
        max_step_mg=30,
        min_days_to_zero=1,
        step_interval_days=1,
        overrides=(Override("TAPER-ABRUPT-001", "planned admission, stop under observation", "clinician:a"),),
    )
    saved = save_plan(stored(), SavePlan("P-1", fast, "clinician:a", AS_OF + timedelta(minutes=1)))

    raised = raise_alerts_for_patient(stored(), RaiseAlerts("P-1", AS_OF + timedelta(minutes=2)))

    assert saved.seq == 1 and [o.rule_id for o in saved.plan.overrides] == ["TAPER-ABRUPT-001"]
    assert "RISK-ORAL-PLANNED-STOP-001" in {r.finding.rule_id for r in raised.assessment.risks}


def test_a_program_change_is_stored_the_risk_engine_sees_it_and_a_blocked_one_leaves_nothing(stored) -> None:
    before = raise_alerts_for_patient(stored(), RaiseAlerts("P-1", AS_OF - timedelta(minutes=1)))
    change = change_pump_program(
        stored(), ChangePumpProgram("pump-1", AS_OF, continuous_program(230), "clinician:a", "spasms at night")
    )
    with pytest.raises(NotStored):
        change_pump_program(
            stored(),
            ChangePumpProgram("pump-1", AS_OF + timedelta(days=2), continuous_program(400), "clinician:a", "more"),
        )
    after = raise_alerts_for_patient(stored(), RaiseAlerts("P-1", AS_OF + timedelta(hours=1)))
    worklist = compute_clinic_worklist(stored(), ComputeWorklist(("P-1",), AS_OF + timedelta(hours=1), 14))

    with stored() as uow:
        assert uow.program_changes.for_pump("pump-1") == (change,)
    assert not before.assessment.has("RISK-PROGRAM-001") and after.assessment.has("RISK-PROGRAM-001")
    assert "P-1" not in worklist.omitted  # the change is held by the timeline, not left out
