"""The regimen use cases on the in-memory adapters (through the bootstrap): save an oral plan for a stored patient
(planned on the record's covariates, refused while a block stands, appended to an append-only history), reprogram a
pump between refills (judged by the intrathecal titration rules, a blocked change not stored), and both seen by the
stored timeline the risk engine reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from baclofen.adapters.memory import StaticSettings
from baclofen.bootstrap import Services, bootstrap
from baclofen.domain.clinic.regimens import PlanStatus, plan_statuses
from baclofen.domain.clinic.timeline import stored_timeline
from baclofen.domain.errors import ConflictError, InvalidInputError, NotFoundError
from baclofen.domain.itb.programs import continuous_program, flex_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import PatientSnapshot, SpasticityOrigin
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord
from baclofen.domain.rules.core import Override
from baclofen.services.commands import ChangePumpProgram, PlanTaper, PlanTitration, PlanTransition, SavePlan
from baclofen.services.regimens import NotStored

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
FILLED = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
SNAPSHOT = PatientSnapshot(age_years=70, crcl_ml_min=20)


@pytest.fixture
def services() -> Services:
    services = bootstrap()
    fill = RefillVisitRecord(FILLED, fill_ml=20, concentration_mcg_per_ml=500, program=continuous_program(200))
    with services.uow as uow:
        uow.patients.add(PatientRecord("P-1", SNAPSHOT, "C-1"))
        uow.pumps.add(PumpRecord("pump-1", get_pump("synchromed-ii-20"), "P-1", date(2024, 5, 1), (fill,)))
        uow.commit()
    return services


def save(services: Services, plan: PlanTitration | PlanTaper | PlanTransition, at: datetime = NOW):
    return services.save_plan(SavePlan("P-1", plan, "clinician:a", at))


def change(services: Services, dose: float = 230, at: datetime = NOW, **kw):
    program = kw.pop("program", continuous_program(dose))
    return services.change_pump_program(ChangePumpProgram("pump-1", at, program, "clinician:a", "spasms", **kw))


# --- saved plans --------------------------------------------------------------------------------------------------
def test_a_plan_is_planned_on_the_stored_patient_and_saved_with_its_findings(services) -> None:
    other = PatientSnapshot(age_years=30)  # a second patient model is never used
    saved = save(services, PlanTitration(date(2026, 3, 11), patient=other, target_mg_per_day=30))

    assert saved.plan.patient == SNAPSHOT and saved.seq == 0 and saved.saved_by == "clinician:a"
    assert "ORAL-RENAL-003" in {f.rule_id for f in saved.plan.findings}  # the stored kidney function counts
    assert saved.plan.settings  # the settings values it used
    with services.uow as uow:
        assert uow.plans.for_patient("P-1") == (saved,)


def test_a_plan_with_a_standing_block_is_not_saved_and_its_findings_come_back(services) -> None:
    with pytest.raises(NotStored) as refused:
        save(services, PlanTitration(date(2026, 3, 11), target_mg_per_day=120))

    assert {"ORAL-MAX-001", "ORAL-MAX-002"} <= {f.rule_id for f in refused.value.findings if f.is_blocking}
    assert isinstance(refused.value, ConflictError)
    with services.uow as uow:
        assert uow.plans.for_patient("P-1") == ()


def test_a_block_no_override_lifts_keeps_the_plan_out(services) -> None:
    with pytest.raises(NotStored) as refused:
        save(services, PlanTitration(date(2026, 3, 11), current_drugs=("tizanidine", "ciprofloxacin")))

    assert [f.rule_id for f in refused.value.findings if f.is_blocking] == ["INT-TIZ-CYP1A2-001"]


def test_an_overridden_block_is_saved_with_the_clinician_and_the_reason(services) -> None:
    reason = "inpatient titration under daily neurologist review"
    overrides = tuple(Override(r, reason, "clinician:a") for r in ("ORAL-MAX-001", "ORAL-MAX-002"))
    saved = save(services, PlanTitration(date(2026, 3, 11), target_mg_per_day=120, overrides=overrides))

    assert [(o.rule_id, o.clinician, o.reason) for o in saved.plan.overrides] == [
        ("ORAL-MAX-001", "clinician:a", reason),
        ("ORAL-MAX-002", "clinician:a", reason),
    ]


def test_a_new_plan_supersedes_the_active_one_which_stays_as_it_was(services) -> None:
    first = save(services, PlanTitration(date(2026, 3, 11), target_mg_per_day=30))
    second = save(services, PlanTaper(30, date(2026, 4, 20)), NOW + timedelta(days=1))

    with services.uow as uow:
        history = uow.plans.for_patient("P-1")
    assert history == (first, second)
    assert plan_statuses(history) == {
        first.plan_id: (PlanStatus.SUPERSEDED, second.plan_id),
        second.plan_id: (PlanStatus.ACTIVE, None),
    }


def test_a_plan_for_a_patient_not_stored_is_not_found(services) -> None:
    with pytest.raises(NotFoundError):
        services.save_plan(SavePlan("P-9", PlanTitration(date(2026, 3, 11)), "clinician:a", NOW))


def test_the_saved_plans_become_the_timelines_oral_prescriptions(services) -> None:
    save(services, PlanTitration(date(2026, 3, 1), target_mg_per_day=15))
    save(services, PlanTaper(15, date(2026, 3, 20)))

    with services.uow as uow:
        plans = uow.plans.for_patient("P-1")
        stored = stored_timeline(uow.patients.get("P-1"), uow.pumps.for_patient("P-1"), (), NOW, plans=plans)
    timeline = stored.timeline()

    assert timeline.oral_dose_on(date(2026, 2, 28)) == 0
    assert timeline.oral_dose_on(date(2026, 3, 1)) == 5  # CrCl 20 mL/min: the titration holds 5 mg/day
    assert timeline.oral_dose_on(date(2026, 3, 19)) == 5  # it continues until the taper starts
    assert timeline.oral_dose_on(date(2026, 3, 20)) == 10 and timeline.oral_dose_on(date(2026, 6, 1)) == 0


def test_a_transition_is_planned_on_the_stored_patients_origin_and_saved_as_its_oral_taper(services) -> None:
    with services.uow as uow:
        uow.patients.update(PatientRecord("P-1", replace(SNAPSHOT, origin=SpasticityOrigin.CEREBRAL), "C-1"))
        uow.commit()

    saved = save(services, PlanTransition(date(2026, 3, 20), 60, 100, origin=SpasticityOrigin.SPINAL))

    assert saved.kind == "itb-transition" and saved.transition is not None
    assert saved.transition["origin"] == "cerebral" and saved.plan.patient.origin is SpasticityOrigin.CEREBRAL
    with services.uow as uow:
        stored = stored_timeline(uow.patients.get("P-1"), (), (), NOW, plans=uow.plans.for_patient("P-1"))
    assert stored.timeline().oral_dose_on(saved.plan.start) == saved.plan.steps[0].daily_dose_mg


# --- program changes ----------------------------------------------------------------------------------------------
def test_a_change_within_the_titration_step_is_stored_and_reaches_the_timeline(services) -> None:
    stored = change(services, 230)

    assert stored.previous_daily_dose_mcg == pytest.approx(200) and stored.seq == 0
    assert stored.reason == "spasms" and stored.changed_by == "clinician:a"
    assert {s.setting.name for s in stored.settings} == {
        "itb.titration.high_dose_threshold_mcg_per_day",
        "itb.dose.confirmation_threshold_mcg_per_day",
    }
    with services.uow as uow:
        changes = uow.program_changes.for_pump("pump-1")
        timeline = stored_timeline(
            uow.patients.get("P-1"), uow.pumps.for_patient("P-1"), (), NOW, program_changes=changes
        )
    assert changes == (stored,)
    assert timeline.document["pump"]["program_changes"] == [{"time": NOW.isoformat(), "daily_dose_mcg": 230.0}]
    assert timeline.timeline().pump.program_changes[0].daily_dose_mcg == pytest.approx(230)


def test_a_change_above_the_step_is_not_stored_and_its_findings_come_back(services) -> None:
    with pytest.raises(NotStored) as refused:
        change(services, 300)

    assert [f.rule_id for f in refused.value.findings if f.is_blocking] == ["ITB-TITR-002"]
    with services.uow as uow:
        assert uow.program_changes.for_pump("pump-1") == ()


def test_an_overridden_step_is_stored_with_the_override(services) -> None:
    override = Override("ITB-TITR-002", "in hospital with continuous monitoring", "clinician:a")
    stored = change(services, 300, overrides=(override,))

    assert [f.overridden_by for f in stored.findings if f.rule_id == "ITB-TITR-002"] == [override]


def test_a_second_increase_within_24_hours_is_blocked(services) -> None:
    change(services, 230)

    with pytest.raises(NotStored) as refused:
        change(services, 250, NOW + timedelta(hours=12))

    assert "ITB-TITR-007" in {f.rule_id for f in refused.value.findings if f.is_blocking}
    assert change(services, 250, NOW + timedelta(hours=25)).previous_daily_dose_mcg == pytest.approx(230)


def test_a_large_cut_is_blocked_unless_a_planned_taper(services) -> None:
    with pytest.raises(NotStored):
        change(services, 150)

    stored = change(services, 150, planned_taper=True)
    assert [f.severity.value for f in stored.findings if f.rule_id == "ITB-TITR-004"] == ["warn"]


def test_the_origin_comes_from_the_stored_patient(services) -> None:
    with services.uow as uow:
        uow.patients.update(PatientRecord("P-1", replace(SNAPSHOT, origin=SpasticityOrigin.CEREBRAL), "C-1"))
        uow.commit()

    with pytest.raises(NotStored):  # +20 % is above the cerebral step (+5-15 %)
        change(services, 240)


def test_the_clinics_settings_judge_the_change(services) -> None:
    strict = bootstrap(uow=services.uow, settings=StaticSettings({"itb.dose.confirmation_threshold_mcg_per_day": 220}))

    with pytest.raises(NotStored) as refused:
        change(strict, 230)
    assert "ITB-DOSE-001" in {f.rule_id for f in refused.value.findings if f.is_blocking}


@pytest.mark.parametrize(
    ("at", "program", "field"),
    [
        (FILLED, continuous_program(220), "changed_at"),
        (FILLED - timedelta(days=1), continuous_program(220), "changed_at"),
        (NOW, flex_program([(m * 60, 9.0) for m in range(14)]), "flex"),
    ],
)
def test_an_invalid_change_names_its_field_and_stores_nothing(services, at, program, field) -> None:
    with pytest.raises(InvalidInputError) as caught:
        change(services, at=at, program=program)

    assert caught.value.field == field
    with services.uow as uow:
        assert uow.program_changes.for_pump("pump-1") == ()


def test_a_pump_with_no_fill_has_nothing_to_change(services) -> None:
    with services.uow as uow:
        uow.pumps.add(PumpRecord("pump-2", get_pump("synchromed-ii-20"), "P-1", date(2026, 3, 1)))
        uow.commit()

    with pytest.raises(InvalidInputError) as caught:
        services.change_pump_program(ChangePumpProgram("pump-2", NOW, continuous_program(100), "clinician:a", "x"))
    assert caught.value.field == "pump_id"
