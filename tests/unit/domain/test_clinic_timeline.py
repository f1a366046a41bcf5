"""One record, one timeline: a stored patient yields exactly the baclofen-timeline/1 document, and the risk engine
runs on it as on the document a user writes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from baclofen.domain.cds.risk import assess_risk
from baclofen.domain.cds.timeline import Symptom, timeline_from_dict
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.clinic.timeline import current_pump, stored_timeline
from baclofen.domain.itb.programs import PeriodicBolus, continuous_program, parse_flex_schedule, periodic_bolus_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.patient import PatientSnapshot, Sex
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord

AS_OF = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
PATIENT = PatientRecord("P-1", PatientSnapshot(age_years=52, sex=Sex.FEMALE, crcl_ml_min=55))


def pump(*visits: RefillVisitRecord, pump_id: str = "pump-1", implanted: date = date(2022, 5, 1)) -> PumpRecord:
    return PumpRecord(pump_id, get_pump("synchromed-ii-20"), "P-1", implanted, visits)


DOSE_200 = continuous_program(200)
FILLS = (
    RefillVisitRecord(
        datetime(2025, 12, 1, 10, 0, tzinfo=UTC), fill_ml=20, concentration_mcg_per_ml=500, program=DOSE_200
    ),
    RefillVisitRecord(
        datetime(2026, 2, 20, 10, 0, tzinfo=UTC),
        expected_ml=4.9,
        aspirated_ml=3.1,
        fill_ml=20,
        concentration_mcg_per_ml=500,
        program=continuous_program(200),
    ),
)
DIARY = (
    DiaryEntryRecord(
        "D-1",
        "P-1",
        datetime(2026, 3, 9, 20, 0, tzinfo=UTC),
        doses_missed=1,
        symptoms=(Symptom.REBOUND_SPASTICITY, Symptom.ITCHING, Symptom.FEVER),
        note="bad evening",
    ),
)
#: The same patient as a user writes the document (docs/timeline.md's example, without oral and program changes).
WRITTEN = {
    "schema": "baclofen-timeline/1",
    "as_of": "2026-03-10T09:00:00+00:00",
    "patient": {
        "age_years": 52,
        "sex": "female",
        "crcl_ml_min": 55,
        "dialysis": False,
        "origin": "spinal",
        "locale": "us",
    },  # fmt: skip
    "pump": {
        "model": "synchromed-ii-20",
        "implanted": "2022-05-01",
        "refills": [
            {
                "time": "2025-12-01T10:00:00+00:00",
                "volume_ml": 20,
                "concentration_mcg_per_ml": 500,
                "daily_dose_mcg": 200,
            },  # fmt: skip
            {
                "time": "2026-02-20T10:00:00+00:00",
                "volume_ml": 20,
                "concentration_mcg_per_ml": 500,
                "daily_dose_mcg": 200,
                "expected_residual_ml": 4.9,
                "aspirated_ml": 3.1,
            },  # fmt: skip
        ],
    },
    "diary": [
        {
            "time": "2026-03-09T20:00:00+00:00",
            "symptoms": ["fever", "itching", "more spasms or stiffness"],
            "missed_doses": 1,
            "note": "bad evening",
        },  # fmt: skip
    ],
}


def test_a_stored_patient_yields_exactly_the_document_a_user_writes() -> None:
    stored = stored_timeline(PATIENT, (pump(*FILLS),), DIARY, AS_OF)

    assert stored.document == WRITTEN
    assert stored.omitted == () and stored.pump_id == "pump-1"


def test_the_risk_engine_gives_the_same_assessment_on_stored_data() -> None:
    stored = stored_timeline(PATIENT, (pump(*FILLS),), DIARY, AS_OF)

    assert assess_risk(stored.timeline()).to_dict() == assess_risk(timeline_from_dict(WRITTEN)).to_dict()


def test_times_are_shown_in_the_as_of_zone_dates_at_midnight_and_pump_clock_times_as_wall_times() -> None:
    paris = timezone(timedelta(hours=1))
    visits = (
        RefillVisitRecord(date(2026, 1, 5), fill_ml=20, concentration_mcg_per_ml=500, program=continuous_program(100)),
        RefillVisitRecord(
            datetime(2026, 2, 5, 10, 0), fill_ml=20, concentration_mcg_per_ml=500, program=continuous_program(100)
        ),
    )
    flex = RefillVisitRecord(
        datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        fill_ml=20,
        concentration_mcg_per_ml=500,
        program=parse_flex_schedule("06:00=5,22:00=3.5"),
    )

    on_pump_clock = stored_timeline(None, (pump(*visits),), (), AS_OF.astimezone(paris))
    with_offset = stored_timeline(None, (pump(flex),), (), AS_OF.astimezone(paris))

    times = [r["time"] for r in on_pump_clock.document["pump"]["refills"]]
    assert times == ["2026-01-05T00:00:00+01:00", "2026-02-05T10:00:00+01:00"]
    (refill,) = with_offset.document["pump"]["refills"]
    assert (refill["time"], refill["flex"]) == ("2026-03-01T10:00:00+01:00", "06:00=5.0,22:00=3.5")
    assert with_offset.timeline().pump.refills[0].program == flex.program
    assert "patient" not in on_pump_clock.document


def test_what_the_document_cannot_hold_is_listed_never_dropped_silently() -> None:
    bolus = periodic_bolus_program(4.0, (PeriodicBolus(360, 50.0, 30),))
    old = pump(FILLS[0], pump_id="pump-0", implanted=date(2015, 1, 1))
    current = pump(
        RefillVisitRecord(expected_ml=2.0, aspirated_ml=2.0),
        FILLS[0],
        RefillVisitRecord(AS_OF - timedelta(days=60), fill_ml=20, concentration_mcg_per_ml=500, program=bolus),
        RefillVisitRecord(AS_OF + timedelta(days=1), fill_ml=20, concentration_mcg_per_ml=500, program=DOSE_200),
    )
    patient = PatientRecord("P-1", PatientSnapshot(conditions=frozenset({"epilepsy"})))
    late = DiaryEntryRecord("D-9", "P-1", AS_OF + timedelta(minutes=1), note="later")

    stored = stored_timeline(patient, (old, current), (late,), AS_OF)

    assert len(stored.document["pump"]["refills"]) == 1
    assert "diary" not in stored.document
    text = "\n".join(stored.omitted)
    for expected in ("epilepsy", "visits[0]: a residual without a fill", "periodic boluses", "after as_of",
                     "pump pump-0: not the current pump", "diary D-9"):  # fmt: skip
        assert expected in text


def test_the_current_pump_is_the_latest_implanted() -> None:
    assert current_pump(()) is None
    newer = pump(pump_id="pump-b", implanted=date(2024, 1, 1))
    assert current_pump((newer, pump(pump_id="pump-a"))) is newer
