"""The demo clinic (issue 11 item 10): written through the use cases, deterministic by seed, exactly one refill
overdue at ``as_of``, and demo logins only in the demo clinic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from baclofen.adapters.passwords import Argon2PasswordHasher
from baclofen.bootstrap import Services, bootstrap
from baclofen.domain.clinic.worklist import Urgency, WorklistKind
from baclofen.domain.errors import ConflictError, InvalidInputError
from baclofen.domain.records import DEMO_CLINIC_ID, DEMO_CLINIC_NAME, PumpRecord, Role
from baclofen.entrypoints.web.patient_views import doses_on
from baclofen.services.commands import ComputeWorklist
from baclofen.services.demo_clinic import DEMO_ZONE, DemoClinic, demo_logins

AS_OF = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def demo_services() -> Services:
    return bootstrap(passwords=Argon2PasswordHasher(time_cost=1, memory_cost_kib=8, parallelism=1))


@pytest.fixture(scope="module")
def written() -> tuple[Services, DemoClinic]:
    services = demo_services()
    return services, services.write_demo_clinic(AS_OF, seed=1)


def stored_pumps(services: Services, demo: DemoClinic) -> list[PumpRecord]:
    with services.uow as uow:
        return [uow.pumps.get(pump_id) for pump_id in demo.pump_ids]


def test_the_demo_clinic_has_40_patients_15_pumps_with_years_of_refills_diaries_and_alerts(written) -> None:
    services, demo = written

    with services.uow as uow:
        patients = uow.patients.for_clinic(DEMO_CLINIC_ID, limit=100)
    pumps = stored_pumps(services, demo)
    assert len(patients) == len(demo.patient_ids) == 40
    assert len(pumps) == 15 and {p.model.key for p in pumps} >= {"synchromed-ii-20", "prometra-ii-40"}
    assert sum(p.snapshot.dialysis for p in patients) >= 2
    assert len({p.snapshot.age_years for p in patients}) > 20
    for pump in pumps:
        first, last = pump.visits[0].refilled_at, pump.visits[-1].refilled_at
        assert pump.implanted is not None and AS_OF.date() - pump.implanted >= timedelta(days=360)
        assert AS_OF.date() - pump.implanted <= timedelta(days=5 * 366)
        gaps = [(b.refilled_at - a.refilled_at).days for a, b in zip(pump.visits, pump.visits[1:], strict=False)]
        assert all(14 <= gap <= 95 for gap in gaps), (pump.pump_id, gaps)
        assert (last - first).days >= 300
    assert demo.visit_count == sum(len(p.visits) for p in pumps)
    assert demo.diary_entry_count >= 60 and demo.alert_count >= 2
    assert [x.role for x in demo.logins] == [Role.ADMIN, Role.CLINICIAN, Role.NURSE, Role.PATIENT]
    for login in demo.logins:
        user = services.authenticate(login.username, login.password)
        assert user is not None and user.clinic_id == DEMO_CLINIC_ID


def test_every_visit_is_a_complete_plausible_refill(written) -> None:
    services, demo = written

    for pump in stored_pumps(services, demo):
        assert pump.visits[0].expected_ml is None
        for visit in pump.visits:
            assert visit.fill_ml is not None and 0 < visit.fill_ml <= pump.model.reservoir_ml
            assert visit.concentration_mcg_per_ml in (500.0, 1000.0, 2000.0)
            assert visit.program is not None and 100 <= visit.program.daily_dose_mcg <= 800
        for visit in pump.visits[1:]:
            assert visit.expected_ml is not None and visit.aspirated_ml is not None
            assert 0 <= visit.aspirated_ml <= pump.model.reservoir_ml


def test_exactly_one_refill_is_overdue_and_a_few_discrepancies_and_red_flags_are_on_the_worklist(written) -> None:
    services, demo = written

    worklist = services.compute_clinic_worklist(ComputeWorklist(demo.patient_ids, AS_OF))

    overdue = [i for i in worklist.items if i.kind is WorklistKind.REFILL and i.urgency is Urgency.OVERDUE]
    assert [i.patient_id for i in overdue] == [demo.patient_ids[demo.pump_ids.index(demo.overdue_pump_id)]]
    assert not [i for i in worklist.items if i.kind is WorklistKind.BATTERY]
    assert 1 <= len([i for i in worklist.items if i.kind is WorklistKind.DISCREPANCY]) <= 5
    assert {i.rule_id for i in worklist.items if i.kind is WorklistKind.DIARY} >= {
        "DIARY-WITHDRAWAL-001",
        "DIARY-OVERDOSE-001",
    }


def test_the_same_seed_writes_the_same_clinic_and_another_seed_another(written) -> None:
    services, demo = written
    again = demo_services()
    other = demo_services()

    same = again.write_demo_clinic(AS_OF, seed=1)
    different = other.write_demo_clinic(AS_OF, seed=2)

    assert stored_pumps(again, same) == stored_pumps(services, demo)
    assert same.logins == demo.logins == demo_logins(1)
    assert stored_pumps(other, different) != stored_pumps(services, demo)
    assert different.logins != demo.logins


def test_the_demo_clinic_is_written_once_and_demo_logins_exist_only_there(written) -> None:
    services, _ = written

    with pytest.raises(ConflictError, match="demo"):
        services.write_demo_clinic(AS_OF, seed=1)
    fresh = demo_services()
    with pytest.raises(InvalidInputError) as caught:
        fresh.create_user(clinic_id="C-1", username="demo.clinician", role="clinician", password="x" * 16)
    assert caught.value.field == "username"
    with pytest.raises(InvalidInputError) as caught:
        fresh.create_user(clinic_id=DEMO_CLINIC_ID, username="jane", role="clinician", password="x" * 16)
    assert caught.value.field == "clinic"
    user, created = fresh.create_user(
        clinic_id=DEMO_CLINIC_ID, username="demo.x", role="nurse", password="x" * 16, clinic_name=DEMO_CLINIC_NAME
    )
    assert created and user.clinic_id == DEMO_CLINIC_ID


def test_the_demo_clinic_has_covariates_over_time_scores_and_screening_trials(written) -> None:
    services, demo = written

    with services.uow as uow:
        patient = uow.patients.get("P-0001")
        covariates = uow.covariates.for_patient("P-0001")
        scores = uow.scores.for_patient("P-0001")
        trials = [t for p in demo.patient_ids for t in uow.screening_trials.for_patient(p)]

    assert (demo.covariate_count, demo.score_count, demo.screening_trial_count) == (24, 120, 6)
    assert len(covariates) == 3 and covariates[-1].weight_kg == patient.snapshot.weight_kg  # the record is today's
    assert len({o.weight_kg for o in covariates}) > 1 and covariates[0].observed_on < covariates[-1].observed_on
    assert {s.scale.value for s in scores} == {"modified-ashworth", "penn", "nrs-spasticity", "nrs-pain"}
    assert all(s.muscle_group for s in scores if s.scale.value == "modified-ashworth")
    assert sorted(t.dose.dose_mcg for t in trials) == [50.0, 50.0, 50.0, 75.0, 75.0, 75.0]
    assert demo.to_dict()["screening_trials"] == 6


def test_a_larger_demo_clinic_repeats_the_mix_of_the_40_and_begins_with_them(written) -> None:
    services, demo = written
    larger = demo_services()

    big = larger.write_demo_clinic(AS_OF, seed=1, patients=120)

    assert big.patient_ids[:40] == demo.patient_ids and len(big.patient_ids) == 120
    assert len(big.pump_ids) == 45 and big.pump_ids[:15] == demo.pump_ids
    assert stored_pumps(larger, big)[:15] == stored_pumps(services, demo)
    with larger.uow as uow:
        assert uow.patients.get("P-0041").clinic_id == DEMO_CLINIC_ID
        assert len(uow.pumps.for_patient("P-0041")) == 1 and not uow.pumps.for_patient("P-0056")
    worklist = larger.compute_clinic_worklist(ComputeWorklist(big.patient_ids, AS_OF))
    overdue = [i for i in worklist.items if i.kind is WorklistKind.REFILL and i.urgency is Urgency.OVERDUE]
    assert len(overdue) == 1  # the one overdue pump of the demo, however large


@pytest.mark.parametrize("patients", [39, 10_001, 40.5, True])
def test_a_demo_clinic_size_outside_40_to_10000_patients_is_refused_naming_it(patients) -> None:
    with pytest.raises(InvalidInputError) as caught:
        demo_services().write_demo_clinic(AS_OF, seed=1, patients=patients)
    assert caught.value.field == "patients"


def test_the_demo_clinic_has_saved_oral_plans_with_doses_today_for_the_demo_patient(written) -> None:
    services, demo = written
    today = AS_OF.astimezone(DEMO_ZONE).date()
    patient_id = next(x.patient_id for x in demo.logins if x.role is Role.PATIENT)

    with services.uow as uow:
        plans = {p: uow.plans.for_patient(p) for p in demo.patient_ids}
    saved = {p: v for p, v in plans.items() if v}

    assert demo.plan_count == sum(len(v) for v in saved.values()) == demo.to_dict()["saved_plans"] >= 3
    assert patient_id in saved  # the demo patient's "My day" shows doses
    kinds = {p.plan.kind.value for v in saved.values() for p in v}
    assert {"titration", "taper"} <= kinds
    for history in saved.values():
        assert doses_on(history[-1], today), history[-1].plan.kind  # today is within every active plan
        assert history[-1].plan.steps[0].start < today  # in progress, not starting today
