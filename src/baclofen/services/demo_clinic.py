"""A realistic, deterministic demo clinic, written through the use cases (``baclofen demo-data``).

Everything goes through the same use cases as real work: patients are stored in one unit of work, pumps with
:func:`~baclofen.services.itb.register_pump`, every refill visit with
:func:`~baclofen.services.itb.record_refill_visit` (so each passes the checks a real one does), diary entries with
:func:`~baclofen.services.clinic.log_diary_entry` and the risk alerts with
:func:`~baclofen.services.clinic.raise_alerts_for_patient`. The clinic (about 40 patients, 15 of them with a pump
refilled every one to three months for one to five years, a few reconciliation discrepancies, exactly one refill
overdue at ``as_of``, diaries with a couple of red flags) depends only on ``as_of`` and ``seed``.

The demo clinic is the clinic ``DEMO_CLINIC_ID`` (:mod:`baclofen.domain.records`): its presence marks a database
as a demo one, and the demo logins (usernames starting with ``DEMO_USERNAME_PREFIX``) exist only there
(:func:`baclofen.services.accounts.create_user` refuses them in any other clinic, and the demo clinic under any other
name). The patients and their data are fictional.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from baclofen.domain.cds.scales import AshworthGrade, NrsDomain, NrsScore, PennSpasmScore, Scale
from baclofen.domain.cds.timeline import Symptom
from baclofen.domain.errors import ConflictError, NotFoundError, require
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.itb.screening import ScreeningDose
from baclofen.domain.patient import PatientSnapshot, Sex, SpasticityOrigin
from baclofen.domain.records import (
    DEMO_CLINIC_ID,
    DEMO_CLINIC_NAME,
    DEMO_USERNAME_PREFIX,
    PatientRecord,
    PumpRecord,
    Role,
)
from baclofen.services import accounts, clinic, histories, itb, regimens
from baclofen.services.commands import (
    LogDiaryEntry,
    PlanTaper,
    PlanTitration,
    RaiseAlerts,
    RecordCovariates,
    RecordOutcomeScore,
    RecordRefillVisit,
    RecordScreeningTrial,
    SavePlan,
)
from baclofen.services.ports import ClinicRepository, PasswordHasher, SettingsProvider, UnitOfWork, UserRepository

__all__ = [
    "MAX_DEMO_PATIENTS",
    "DemoClinic",
    "DemoLogin",
    "demo_logins",
    "write_demo_clinic",
]

#: How many patients, and how many of them have a pump (a larger demo clinic repeats this block: patients
#: ``n`` with ``n % PATIENT_COUNT < PUMP_COUNT`` have a pump).
PATIENT_COUNT = 40
PUMP_COUNT = 15
#: The largest demo clinic written (patients): benchmarks grow the clinic to 4,000.
MAX_DEMO_PATIENTS = 10_000
#: The zone of the demo clinic's times.
DEMO_ZONE = ZoneInfo("Europe/Paris")
_PUMP_MODELS = ("synchromed-ii-20", "synchromed-ii-40", "prometra-ii-20", "prometra-ii-40")
#: Pumps (by index) with a reconciliation discrepancy years ago, the one with a shortfall at its latest visits
#: (on the worklist now), and the one whose refill is overdue.
_DISCREPANCY_PUMPS = (2, 7)
_RECENT_DISCREPANCY_PUMP = 11
_OVERDUE_PUMP = 5


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """A demo account: its role, username and password (printed for the demo; never kept anywhere else)."""

    role: Role
    username: str
    password: str
    patient_id: str | None = None


@dataclass(frozen=True, slots=True)
class DemoClinic:
    """What :func:`write_demo_clinic` wrote."""

    clinic_id: str
    as_of: datetime
    seed: int
    patient_ids: tuple[str, ...]
    pump_ids: tuple[str, ...]
    visit_count: int
    diary_entry_count: int
    alert_count: int
    overdue_pump_id: str
    logins: tuple[DemoLogin, ...]
    covariate_count: int = 0
    screening_trial_count: int = 0
    score_count: int = 0
    plan_count: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "clinic_id": self.clinic_id,
            "as_of": self.as_of.isoformat(),
            "seed": self.seed,
            "patients": len(self.patient_ids),
            "pumps": len(self.pump_ids),
            "refill_visits": self.visit_count,
            "diary_entries": self.diary_entry_count,
            "alerts": self.alert_count,
            "covariate_observations": self.covariate_count,
            "screening_trials": self.screening_trial_count,
            "outcome_scores": self.score_count,
            "saved_plans": self.plan_count,
            "overdue_pump_id": self.overdue_pump_id,
            "logins": [
                {"role": x.role.value, "username": x.username, "password": x.password, "patient_id": x.patient_id}
                for x in self.logins
            ],
        }


def demo_logins(seed: int, patient_id: str = "P-0001") -> tuple[DemoLogin, ...]:
    """The demo accounts of ``seed`` (their passwords depend only on it): an admin, a clinician, a nurse and the
    login of patient ``patient_id``."""
    rng = random.Random(f"demo-logins-{seed}")
    alphabet = string.ascii_letters + string.digits

    def password() -> str:
        return "".join(rng.choice(alphabet) for _ in range(16))

    return (
        DemoLogin(Role.ADMIN, f"{DEMO_USERNAME_PREFIX}admin", password()),
        DemoLogin(Role.CLINICIAN, f"{DEMO_USERNAME_PREFIX}clinician", password()),
        DemoLogin(Role.NURSE, f"{DEMO_USERNAME_PREFIX}nurse", password()),
        DemoLogin(Role.PATIENT, f"{DEMO_USERNAME_PREFIX}patient", password(), patient_id),
    )


def _snapshot(rng: random.Random, index: int) -> PatientSnapshot:
    """A patient with MS or another cause of spasticity: varied age, weight and kidney function, a few on
    dialysis."""
    sex = Sex.FEMALE if rng.random() < 0.65 else Sex.MALE  # MS is about twice as common in women
    age = rng.randint(24, 82)
    weight = round(rng.uniform(48, 105), 1)
    origin = SpasticityOrigin.CEREBRAL if index % 9 == 4 else SpasticityOrigin.SPINAL
    if index % PATIENT_COUNT in (6, 19, 33):  # on haemodialysis
        return PatientSnapshot(age_years=age, weight_kg=weight, sex=sex, dialysis=True, origin=origin)
    if index % 4 == 0:
        creatinine = round(rng.uniform(0.6, 1.1) if rng.random() < 0.75 else rng.uniform(1.4, 3.2), 2)
        return PatientSnapshot(
            age_years=age, weight_kg=weight, sex=sex, serum_creatinine_mg_dl=creatinine, origin=origin
        )
    egfr = round(rng.uniform(75, 115) if rng.random() < 0.7 else rng.uniform(18, 59))
    return PatientSnapshot(age_years=age, weight_kg=weight, sex=sex, egfr_ml_min_1_73m2=egfr, origin=origin)


def _at(day: date, rng: random.Random) -> datetime:
    """A clinic-hours time of ``day`` in the demo clinic's zone."""
    return datetime.combine(day, time(rng.randint(8, 16), rng.choice((0, 15, 30, 45))), tzinfo=DEMO_ZONE)


def _write_pump_history(
    uow: UnitOfWork,
    rng: random.Random,
    pump_index: int,
    patient_id: str,
    today: date,
    settings: SettingsProvider | None,
) -> tuple[str, int]:
    """Register pump ``pump_index`` and record its refill visits up to ``today``; return its id and visit count.

    Each visit is booked before the forecast's recommended refill date, so no refill is overdue at ``today``
    except the overdue pump's, whose last visit is followed by none."""
    pump_id = f"PUMP-{pump_index + 1:03d}"
    model = get_pump(_PUMP_MODELS[pump_index % len(_PUMP_MODELS)])
    # SynchroMed II batteries last about 7 years (less at high flow): the demo keeps them clear of replacement
    years = rng.uniform(1.0, 5.0 if model.max_service_life_years is None else 3.5)
    implanted = today - timedelta(days=round(years * 365))
    itb.register_pump(uow, PumpRecord(pump_id, model, patient_id, implanted))
    dose_mcg = float(rng.choice((150, 200, 250, 300, 350, 400, 500, 600)))
    titrations = rng.randint(0, 4)  # dose increases of 25 mcg/day over the years
    # the weakest concentration that lasts at least two months at the highest dose the pump will run
    usable_ml = model.reservoir_ml - model.low_reservoir_ml
    highest_mcg = dose_mcg + 25.0 * titrations
    concentration = next((c for c in (500.0, 1000.0, 2000.0) if usable_ml / (highest_mcg / c) >= 60), 2000.0)
    # the overdue pump's last visit is over 100 days ago and was booked for at most 75 days
    overdue = pump_index == _OVERDUE_PUMP
    last_possible = today - timedelta(days=100) if overdue else today
    day, previous_fill_ml, previous_day = implanted + timedelta(days=1), None, None
    discrepancy_at = rng.randint(3, 8) if pump_index in _DISCREPANCY_PUMPS else -1
    visits = 0
    while True:
        target_days = rng.randint(30, 75 if overdue else 90)
        expected = aspirated = None
        if previous_fill_ml is not None and previous_day is not None:
            used = dose_mcg / concentration * (day - previous_day).days
            expected = round(max(previous_fill_ml - used, 0.0), 1)
            # the usual residual: within a few percent of what the program should have left
            aspirated = round(max(expected * rng.uniform(0.96, 1.04), 0.0), 1)
            recent = pump_index == _RECENT_DISCREPANCY_PUMP and day + timedelta(days=target_days + 200) > last_possible
            if visits == discrepancy_at or recent:  # much less than expected: a pump or catheter problem to look into
                aspirated = round(expected * rng.uniform(0.45, 0.65), 1)
        visit = itb.record_refill_visit(
            uow,
            RecordRefillVisit(
                pump_id,
                concentration,
                _at(day, rng),
                daily_dose_mcg=dose_mcg,
                expected_ml=expected,
                aspirated_ml=aspirated,
                target_interval_days=target_days,
            ),
            clinic=settings,
        )
        visits += 1
        previous_fill_ml, previous_day = visit.refill.fill_ml, day
        recommended = visit.forecast.recommended_refill_date
        latest = recommended - timedelta(days=2) if recommended is not None else day + timedelta(days=target_days)
        next_day = min(day + timedelta(days=target_days), latest)
        next_day = max(next_day, day + timedelta(days=7))
        if next_day > last_possible:
            return pump_id, visits
        if titrations and rng.random() < 0.2:  # a dose adjustment at this visit (titration)
            dose_mcg += 25.0
            titrations -= 1
        day = next_day


_RED_FLAGS: tuple[tuple[Symptom, ...], ...] = (
    (Symptom.FEVER, Symptom.REBOUND_SPASTICITY, Symptom.ITCHING),  # withdrawal signs (pump patient)
    (Symptom.DROWSINESS, Symptom.DIZZINESS),  # overdose signs
)


def _write_diary(
    uow: UnitOfWork, rng: random.Random, patient_id: str, today: date, on_pump: bool, red_flag: int | None
) -> int:
    """A few weeks of diary entries (one every few days) ending before ``today``; the last carries red flag
    ``red_flag`` (an index of :data:`_RED_FLAGS`) when given."""
    count = rng.randint(3, 8)
    days = sorted(rng.sample(range(2, 45), count), reverse=True)
    for n, back in enumerate(days):
        last = n == count - 1
        symptoms = _RED_FLAGS[red_flag] if last and red_flag is not None else ()
        frequency = rng.randint(0, 3)
        clinic.log_diary_entry(
            uow,
            LogDiaryEntry(
                patient_id,
                _at(today - timedelta(days=back), rng),
                doses_taken=None if on_pump else rng.choice((3, 3, 3, 4)),
                doses_missed=0 if on_pump or rng.random() < 0.8 else 1,
                spasm_frequency=PennSpasmScore(frequency, None if frequency == 0 else rng.randint(1, 3)),
                stiffness_nrs=float(rng.randint(2, 7)),
                pain_nrs=float(rng.randint(0, 6)),
                sleep_nrs=float(rng.randint(3, 9)),
                symptoms=symptoms,
                note="worse since yesterday" if symptoms else "",
            ),
        )
    return count


#: Who records the demo's histories (the demo logins' actor labels).
_DEMO_NURSE = f"nurse:{DEMO_USERNAME_PREFIX}nurse"
_DEMO_CLINICIAN = f"clinician:{DEMO_USERNAME_PREFIX}clinician"
#: Patients (by index) with covariates and scores over the past year, and the candidates screened for ITB now.
_HISTORY_PATIENTS = (0, 1, 4, 8, 12, 16, 20, 24)
_SCREENED_PATIENTS = (PUMP_COUNT + 1, PUMP_COUNT + 2, PUMP_COUNT + 3)
_MUSCLE_GROUPS = ("left elbow flexors", "right elbow flexors", "left knee extensors", "right ankle plantarflexors")


def _write_covariates(uow: UnitOfWork, rng: random.Random, patient_id: str, as_of: datetime) -> int:
    """The weight a year, six months and a month ago (ending at the record's) and, for a patient whose kidney
    function is an eGFR, that eGFR six months ago (a little higher) and a month ago (the record's); written in
    date order, as a clinic records them."""
    with uow:
        snapshot = uow.patients.get(patient_id).snapshot
    assert snapshot.weight_kg is not None  # every demo patient has one
    today = as_of.astimezone(DEMO_ZONE).date()
    egfr = snapshot.egfr_ml_min_1_73m2
    earlier_egfr = None if egfr is None else min(egfr + rng.randint(2, 8), 250.0)
    observed = (
        (365, {"weight_kg": round(snapshot.weight_kg + rng.uniform(-4, 4), 1)}),
        (180, {"weight_kg": round(snapshot.weight_kg + rng.uniform(-2, 2), 1), "egfr_ml_min_1_73m2": earlier_egfr}),
        (30, {"weight_kg": snapshot.weight_kg, "egfr_ml_min_1_73m2": egfr}),
    )
    for back, values in observed:
        day = today - timedelta(days=back)
        histories.record_covariates(uow, RecordCovariates(patient_id, day, _at(day, rng), _DEMO_NURSE, **values))
    return len(observed)


def _write_scores(uow: UnitOfWork, rng: random.Random, patient_id: str, as_of: datetime) -> int:
    """Three assessments over the past year: a Modified Ashworth grade of two muscle groups, the Penn score and
    the 0-10 stiffness and pain ratings."""
    today = as_of.astimezone(DEMO_ZONE).date()
    groups = rng.sample(_MUSCLE_GROUPS, 2)
    count = 0
    for back in (330, 180, 20):
        day = today - timedelta(days=back)
        at = _at(day, rng)
        frequency = rng.randint(0, 3)
        values: list[tuple[Scale, AshworthGrade | PennSpasmScore | NrsScore, str | None]] = [
            (Scale.MODIFIED_ASHWORTH, rng.choice(tuple(AshworthGrade)[1:5]), group) for group in groups
        ]
        values += [
            (Scale.PENN, PennSpasmScore(frequency, None if frequency == 0 else rng.randint(1, 3)), None),
            (Scale.NRS_SPASTICITY, NrsScore(float(rng.randint(2, 8)), NrsDomain.SPASTICITY), None),
            (Scale.NRS_PAIN, NrsScore(float(rng.randint(0, 6)), NrsDomain.PAIN), None),
        ]
        for scale, value, group in values:
            command = RecordOutcomeScore(patient_id, day, scale, value, at, _DEMO_NURSE, muscle_group=group)
            histories.record_outcome_score(uow, command)
            count += 1
    return count


def _write_screening(uow: UnitOfWork, rng: random.Random, patient_id: str, as_of: datetime) -> int:
    """An ITB screening trial under way: 50 mcg without a response, then 75 mcg a few days later (responded for
    one candidate in two), both in the past fortnight."""
    today = as_of.astimezone(DEMO_ZONE).date()
    first = today - timedelta(days=rng.randint(6, 14))
    responded = rng.random() < 0.5
    doses = (
        ScreeningDose(50, False, given_at=_at(first, rng), effect_duration_hours=1.5, ashworth_before=3,
                      ashworth_after=3, spasm_frequency_before=3, spasm_frequency_after=3),
        ScreeningDose(75, responded, given_at=_at(first + timedelta(days=2), rng),
                      effect_duration_hours=6.0 if responded else 2.0, ashworth_before=3,
                      ashworth_after=1.5 if responded else 2.5),
    )  # fmt: skip
    for dose in doses:
        assert dose.given_at is not None
        recorded = dose.given_at + timedelta(hours=8)
        histories.record_screening_trial(uow, RecordScreeningTrial(patient_id, dose, recorded, _DEMO_CLINICIAN))
    return len(doses)


# The saved oral plans (patient index -> plan, dated from today: in progress, so today has doses): the demo
# patient (P-0001, on a pump) tapering the oral baclofen left since the implant, two titrations and a taper.
def _oral_plans(today: date) -> dict[int, PlanTitration | PlanTaper]:
    days = timedelta(days=1)
    return {
        0: PlanTaper(from_mg_per_day=30.0, start_date=today - 6 * days, months_on_therapy=30.0),
        PUMP_COUNT + 5: PlanTitration(start_date=today - 9 * days, target_mg_per_day=45.0),
        PUMP_COUNT + 11: PlanTaper(from_mg_per_day=60.0, start_date=today - 12 * days, months_on_therapy=18.0),
        PUMP_COUNT + 14: PlanTitration(start_date=today - 2 * days, target_mg_per_day=30.0),
    }


def _write_plans(
    uow: UnitOfWork, patient_ids: tuple[str, ...], as_of: datetime, settings: SettingsProvider | None
) -> int:
    """Save the demo's oral plans through :func:`~baclofen.services.regimens.save_plan`, by the demo clinician."""
    today = as_of.astimezone(DEMO_ZONE).date()
    for n, plan in _oral_plans(today).items():
        saved_at = _at(plan.start_date - timedelta(days=1), random.Random(n))
        regimens.save_plan(uow, SavePlan(patient_ids[n], plan, _DEMO_CLINICIAN, saved_at), clinic=settings)
    return len(_oral_plans(today))


def write_demo_clinic(
    uow: UnitOfWork,
    clinics: ClinicRepository,
    users: UserRepository,
    passwords: PasswordHasher,
    *,
    as_of: datetime,
    seed: int = 1,
    settings: SettingsProvider | None = None,
    patients: int = PATIENT_COUNT,
) -> DemoClinic:
    """Write the demo clinic of ``seed`` as it stands at ``as_of`` (aware): patients, pumps and their refill
    visits, diaries, alerts and the demo logins (:func:`demo_logins`). ``patients`` (40 to
    :data:`MAX_DEMO_PATIENTS`) grows the clinic for benchmarks: the 40 of the default clinic come first, and
    each further block of 40 has the same mix (15 with a pump, diaries, red flags), the specials (the overdue
    pump, the discrepancies, the covariate, score and screening histories) only once.

    Raises
    ------
    ConflictError
        The demo clinic is already stored.
    InvalidInputError
        ``as_of`` without its UTC offset, or ``patients`` not a whole number from 40 to 10,000.
    """
    RaiseAlerts("demo", as_of)  # checks as_of before anything is written
    whole = isinstance(patients, int) and not isinstance(patients, bool)
    expected = f"a whole number of patients from {PATIENT_COUNT} to {MAX_DEMO_PATIENTS}"
    require(whole and PATIENT_COUNT <= patients <= MAX_DEMO_PATIENTS, "patients", expected, patients)
    try:
        clinics.get(DEMO_CLINIC_ID)
    except NotFoundError:
        pass
    else:
        raise ConflictError(f"clinic {DEMO_CLINIC_ID!r} is already stored: the demo clinic is written once")
    rng = random.Random(seed)
    further = random.Random(f"demo-further-{seed}")  # the patients after the first 40 (theirs stay as they are)

    def rng_of(n: int) -> random.Random:
        return rng if n < PATIENT_COUNT else further

    today = as_of.astimezone(DEMO_ZONE).date()
    patient_ids = tuple(f"P-{n + 1:04d}" for n in range(patients))
    with uow:
        for n, patient_id in enumerate(patient_ids):
            uow.patients.add(PatientRecord(patient_id, _snapshot(rng_of(n), n), DEMO_CLINIC_ID))
        uow.commit()
    on_pump = [n % PATIENT_COUNT < PUMP_COUNT for n in range(patients)]
    pump_ids: list[str] = []
    visit_count = diary_count = 0
    for n in (n for n in range(patients) if on_pump[n]):
        pump_id, visits = _write_pump_history(uow, rng_of(n), len(pump_ids), patient_ids[n], today, settings)
        pump_ids.append(pump_id)
        visit_count += visits
    red_flags = {3: 0, PUMP_COUNT + 4: 1}  # patient index (in its block of 40) -> red flag
    for n, patient_id in enumerate(patient_ids):
        if n % 3 != 2:  # about two in three keep a diary
            red_flag = red_flags.get(n % PATIENT_COUNT)
            diary_count += _write_diary(uow, rng_of(n), patient_id, today, on_pump[n], red_flag)
    for n in range(len(patient_ids)):
        if on_pump[n] or n % PATIENT_COUNT in red_flags:
            clinic.raise_alerts_for_patient(uow, RaiseAlerts(patient_ids[n], as_of), clinic=settings)
    with uow:
        uow.prefetch_patients(patient_ids)
        alert_count = sum(len(uow.alerts.for_patient(p)) for p in patient_ids)
    # the histories draw on their own random numbers: the rest of the clinic is as it was without them
    more = random.Random(f"demo-histories-{seed}")
    covariate_count = score_count = trial_count = 0
    for n in _HISTORY_PATIENTS:
        covariate_count += _write_covariates(uow, more, patient_ids[n], as_of)
        score_count += _write_scores(uow, more, patient_ids[n], as_of)
    for n in _SCREENED_PATIENTS:
        trial_count += _write_screening(uow, more, patient_ids[n], as_of)
    plan_count = _write_plans(uow, patient_ids, as_of, settings)
    logins = demo_logins(seed, patient_ids[0])
    for login in logins:
        accounts.create_user(
            clinics,
            users,
            passwords,
            clinic_id=DEMO_CLINIC_ID,
            username=login.username,
            role=login.role,
            password=login.password,
            patient_id=login.patient_id,
            clinic_name=DEMO_CLINIC_NAME,
        )
    return DemoClinic(
        DEMO_CLINIC_ID,
        as_of,
        seed,
        patient_ids,
        tuple(pump_ids),
        visit_count,
        diary_count,
        alert_count,
        pump_ids[_OVERDUE_PUMP],
        logins,
        covariate_count,
        trial_count,
        score_count,
        plan_count,
    )
