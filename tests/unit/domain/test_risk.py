"""Risk engine: overdue refill property, each risk rule on both sides of its boundary, timeline parsing."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings

from baclofen.domain.cds.risk import (
    PATIENT_MESSAGE_RED_FLAG,
    RiskLevel,
    analyse_pump,
    assess_risk,
    overdue_refill,
)
from baclofen.domain.cds.timeline import Symptom, parse_symptom, timeline_from_dict
from baclofen.domain.errors import InvalidInputError
from tests.strategies_cds import flex_pump_timelines_past_stability, overdue_pump_timelines

AS_OF = "2026-03-10T09:00:00+00:00"


def _assess(doc: dict[str, Any], **kw: Any) -> Any:
    return assess_risk(timeline_from_dict(doc), **kw)


def _ids(a: Any, level: RiskLevel | None = None) -> list[str]:
    return [r.finding.rule_id for r in a.risks if level is None or r.level is level]


def _pump(refills: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"model": "synchromed-ii-20", "refills": refills, **extra}


def _refill(time: str, volume: float = 20, conc: float = 500, dose: float = 250, **extra: Any) -> dict[str, Any]:
    return {"time": time, "volume_ml": volume, "concentration_mcg_per_ml": conc, "daily_dose_mcg": dose, **extra}


# --- the acceptance property -----------------------------------------------------------------------------------
@settings(max_examples=60)
@given(overdue_pump_timelines())
def test_an_overdue_refill_is_always_high_and_the_same_timeline_refilled_on_time_is_not(pair: Any) -> None:
    overdue, on_time = pair

    late = _assess(overdue)
    refilled = _assess(on_time)

    assert overdue_refill(late)
    assert late.level is RiskLevel.HIGH
    assert not overdue_refill(refilled)
    assert refilled.level is not RiskLevel.HIGH


@settings(max_examples=25)
@given(flex_pump_timelines_past_stability())
def test_a_flex_program_past_the_drug_stability_limit_is_overdue_and_high(doc: dict[str, Any]) -> None:
    a = _assess(doc)

    assert overdue_refill(a)
    assert "RISK-REFILL-001" in _ids(a, RiskLevel.HIGH)


# --- pump rules, both sides of each boundary -------------------------------------------------------------------
# 20 mL at 500 mcg/mL, 250 mcg/day = 0.5 mL/day: alarm (2 mL left) after 36 days, recommended 7 days before.
FILL_TIME = "2026-01-01T10:00:00+00:00"


@pytest.mark.parametrize(
    ("as_of", "expected", "level"),
    [
        ("2026-01-21T09:00:00+00:00", [], None),  # recommended 2026-01-30: 9 days away
        ("2026-01-23T09:00:00+00:00", ["RISK-REFILL-002"], RiskLevel.MODERATE),  # 7 days away: near
        ("2026-01-30T09:00:00+00:00", ["RISK-REFILL-002"], RiskLevel.MODERATE),  # on the day: still near
        ("2026-01-31T09:00:00+00:00", ["RISK-REFILL-001"], RiskLevel.HIGH),  # one day late: overdue
        ("2026-02-06T12:00:00+00:00", ["RISK-RESERVOIR-001"], RiskLevel.HIGH),  # 2 mL left: low reservoir
        ("2026-02-20T12:00:00+00:00", ["RISK-RESERVOIR-002"], RiskLevel.HIGH),  # empty
    ],
)
def test_refill_and_reservoir_risks_follow_the_itb_forecast(
    as_of: str, expected: list[str], level: RiskLevel | None
) -> None:
    a = _assess({"as_of": as_of, "pump": _pump([_refill(FILL_TIME)])})

    assert _ids(a) == expected
    if level is not None:
        assert a.risks[0].level is level
        assert a.risks[0].finding.signs  # ITB withdrawal signs travel with it


def test_the_recommended_refill_date_is_before_the_alarm_and_the_arithmetic_is_shown() -> None:
    t = timeline_from_dict({"as_of": "2026-01-10T09:00:00+00:00", "pump": _pump([_refill(FILL_TIME)])})

    p = analyse_pump(t.pump, t.as_of)

    assert p.recommended_refill_date.isoformat() == "2026-01-30"
    assert p.alarm_at.date().isoformat() == "2026-02-06"
    assert any("recommended refill" in line for line in p.reasoning)


def test_a_program_increase_after_the_refill_brings_the_refill_date_forward() -> None:
    base = {"as_of": "2026-01-26T09:00:00+00:00", "pump": _pump([_refill(FILL_TIME)])}
    faster = copy.deepcopy(base)
    faster["pump"]["program_changes"] = [{"time": "2026-01-05T10:00:00+00:00", "daily_dose_mcg": 400}]

    assert "RISK-REFILL-001" not in _ids(_assess(base))
    assert "RISK-REFILL-001" in _ids(_assess(faster)) or "RISK-RESERVOIR-001" in _ids(_assess(faster))


@pytest.mark.parametrize(
    ("implanted", "eri", "as_of", "expected", "level"),
    [
        ("2022-01-01", None, "2026-06-30T09:00:00+00:00", None, None),  # replacement 2026-07-01
        ("2022-01-01", None, "2026-07-01T09:00:00+00:00", "RISK-BATTERY-001", RiskLevel.MODERATE),
        ("2022-01-01", None, "2027-01-01T09:00:00+00:00", "RISK-BATTERY-002", RiskLevel.HIGH),  # end of service
        ("2024-01-01", "2026-05-01", "2026-05-02T09:00:00+00:00", "RISK-BATTERY-002", RiskLevel.HIGH),  # ERI
    ],
)
def test_battery_replacement_horizon(
    implanted: str, eri: str | None, as_of: str, expected: str | None, level: RiskLevel | None
) -> None:
    a = _assess({"as_of": as_of, "pump": {"model": "synchromed-ii-20", "implanted": implanted, "eri_date": eri}})

    battery = [r for r in a.risks if r.finding.rule_id.startswith("RISK-BATTERY")]
    if expected is None:
        assert battery == []
    else:
        assert [(r.finding.rule_id, r.level) for r in battery] == [(expected, level)]


def test_a_shortfall_at_the_last_refill_is_possible_over_infusion() -> None:
    refills = [
        _refill("2026-01-01T10:00:00+00:00"),
        _refill("2026-01-25T10:00:00+00:00", expected_residual_ml=4.9, aspirated_ml=3.1),
    ]

    a = _assess({"as_of": "2026-01-26T09:00:00+00:00", "pump": _pump(refills)})

    risk = next(r for r in a.risks if r.finding.rule_id == "RISK-DISCREPANCY-001")
    assert risk.level is RiskLevel.MODERATE
    assert risk.finding.data["discrepancy_ml"] == pytest.approx(-1.8)


def test_a_shortfall_now_and_a_trend_of_shortfalls_is_high() -> None:
    times = ["2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01"]
    refills = [_refill(f"{times[0]}T10:00:00+00:00")] + [
        _refill(f"{t}T10:00:00+00:00", expected_residual_ml=5.0, aspirated_ml=a)
        for t, a in zip(times[1:], (4.8, 4.7, 3.0), strict=True)
    ]

    a = _assess({"as_of": "2025-12-02T09:00:00+00:00", "pump": _pump(refills)})

    assert ("RISK-DISCREPANCY-001", RiskLevel.HIGH) in [(r.finding.rule_id, r.level) for r in a.risks]


def test_a_residual_within_tolerance_is_not_a_risk() -> None:
    refills = [
        _refill("2026-01-01T10:00:00+00:00"),
        _refill("2026-01-25T10:00:00+00:00", expected_residual_ml=5.0, aspirated_ml=5.2),
    ]

    a = _assess({"as_of": "2026-01-26T09:00:00+00:00", "pump": _pump(refills)})

    assert not [i for i in _ids(a) if i.startswith("RISK-DISCREPANCY")]


def test_more_aspirated_than_expected_is_possible_under_delivery() -> None:
    refills = [
        _refill("2026-01-01T10:00:00+00:00"),
        _refill("2026-01-25T10:00:00+00:00", expected_residual_ml=5.0, aspirated_ml=7.0),
    ]

    assert "RISK-DISCREPANCY-002" in _ids(_assess({"as_of": "2026-01-26T09:00:00+00:00", "pump": _pump(refills)}))


@pytest.mark.parametrize(
    ("change", "rule", "level"),
    [
        ({"time": "2026-01-09T10:00:00+00:00", "daily_dose_mcg": 300}, "RISK-PROGRAM-001", RiskLevel.MODERATE),
        ({"time": "2026-01-09T10:00:00+00:00", "daily_dose_mcg": 200}, "RISK-PROGRAM-002", RiskLevel.LOW),
        ({"time": "2026-01-09T10:00:00+00:00", "daily_dose_mcg": 0}, "RISK-PROGRAM-004", RiskLevel.HIGH),
    ],
)
def test_recent_program_changes(change: dict[str, Any], rule: str, level: RiskLevel) -> None:
    a = _assess({"as_of": "2026-01-10T09:00:00+00:00", "pump": _pump([_refill(FILL_TIME)], program_changes=[change])})

    assert (rule, level) in [(r.finding.rule_id, r.level) for r in a.risks]


def test_a_program_change_older_than_the_lookback_is_not_reported() -> None:
    doc = {
        "as_of": "2026-01-20T09:00:00+00:00",
        "pump": _pump(
            [_refill(FILL_TIME)], program_changes=[{"time": "2026-01-12T09:00:00+00:00", "daily_dose_mcg": 260}]
        ),
    }

    assert "RISK-PROGRAM-001" not in _ids(_assess(doc))
    assert "RISK-PROGRAM-001" in _ids(_assess(doc, settings={"cds.risk.lookback_days": 10}))


def test_a_concentration_change_at_a_recent_refill() -> None:
    refills = [_refill("2025-12-20T10:00:00+00:00"), _refill("2026-01-08T10:00:00+00:00", conc=2000)]

    assert "RISK-PROGRAM-003" in _ids(_assess({"as_of": "2026-01-10T09:00:00+00:00", "pump": _pump(refills)}))


# --- oral rules -------------------------------------------------------------------------------------------------
def _oral(prescriptions: list[tuple[str, str | None, float]], as_of: str = AS_OF, **extra: Any) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "oral": {"prescriptions": [{"start": s, "end": e, "daily_dose_mg": d} for s, e, d in prescriptions], **extra},
    }


def test_an_abrupt_stop_is_high_and_prints_oral_withdrawal_signs() -> None:
    a = _assess(_oral([("2025-01-01", "2026-03-07", 60)]))

    risk = next(r for r in a.risks if r.finding.rule_id == "RISK-ORAL-STOP-001")
    assert risk.level is RiskLevel.HIGH
    assert "seizures" in risk.finding.signs
    assert risk.finding.data["taper_days"] == 0


@pytest.mark.parametrize(
    ("steps", "abrupt"),
    [
        ([("2025-01-01", "2026-02-19", 30), ("2026-02-20", "2026-02-26", 20), ("2026-02-27", "2026-03-05", 10)], False),
        ([("2025-01-01", "2026-02-20", 30), ("2026-02-21", "2026-02-26", 20), ("2026-02-27", "2026-03-05", 10)], True),
    ],
)
def test_a_taper_shorter_than_14_days_is_abrupt_and_14_days_is_not(steps: list[Any], abrupt: bool) -> None:
    # Stop on 2026-03-06; first reduction on 2026-02-20 (14 days before) or 2026-02-21 (13 days before).
    assert ("RISK-ORAL-STOP-001" in _ids(_assess(_oral(steps)))) is abrupt


def test_a_stop_from_above_the_step_is_abrupt_even_after_an_old_reduction() -> None:
    # 80 mg/day for a year, 60 mg/day for a year, then nothing: the 80 -> 60 change long ago is no taper.
    a = _assess(_oral([("2024-01-01", "2025-01-01", 80), ("2025-01-02", "2026-03-07", 60)]))
    tapered = _assess(
        _oral(
            [
                ("2024-01-01", "2025-01-01", 80),
                ("2025-01-02", "2026-02-19", 60),
                ("2026-02-20", "2026-02-26", 20),
                ("2026-02-27", "2026-03-05", 10),
            ]
        )
    )

    risk = next(r for r in a.risks if r.finding.rule_id == "RISK-ORAL-STOP-001")
    assert risk.level is RiskLevel.HIGH
    assert risk.finding.data["last_dose_mg_per_day"] == 60
    assert "RISK-ORAL-STOP-001" not in _ids(tapered)


def test_a_reduction_larger_than_the_taper_step_setting_is_moderate() -> None:
    a = _assess(_oral([("2025-01-01", "2026-03-05", 60), ("2026-03-06", None, 40)]))

    assert ("RISK-ORAL-STEP-001", RiskLevel.MODERATE) in [(r.finding.rule_id, r.level) for r in a.risks]
    assert "RISK-ORAL-STEP-001" not in _ids(
        _assess(_oral([("2025-01-01", "2026-03-05", 60), ("2026-03-06", None, 50)]))
    )


@pytest.mark.parametrize(("count", "level"), [(1, RiskLevel.LOW), (2, RiskLevel.MODERATE)])
def test_missed_doses(count: int, level: RiskLevel) -> None:
    doc = _oral([("2025-01-01", None, 30)], missed_doses=[{"time": "2026-03-09T08:00:00+00:00", "count": count}])

    assert ("RISK-ORAL-MISSED-001", level) in [(r.finding.rule_id, r.level) for r in _assess(doc).risks]


def test_missed_doses_older_than_the_lookback_do_not_count() -> None:
    doc = _oral([("2025-01-01", None, 30)], missed_doses=[{"time": "2026-03-01T08:00:00+00:00", "count": 3}])

    assert "RISK-ORAL-MISSED-001" not in _ids(_assess(doc))


# --- kidney -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("patient", "dose", "expected"),
    [
        ({"dialysis": True}, 5, None),
        ({"dialysis": True}, 5.5, ("RISK-KIDNEY-001", RiskLevel.HIGH)),
        ({"crcl_ml_min": 30}, 10, None),  # issue 9 item 6: 5 mg/day is tied to dialysis only
        ({"crcl_ml_min": 30}, 27, ("RISK-KIDNEY-001", RiskLevel.HIGH)),  # above 80 x 1/3 (S22, the planner's band)
        ({"crcl_ml_min": 31}, 10, None),
        ({"crcl_ml_min": 45}, 20, None),
        ({"crcl_ml_min": 45}, 25, ("RISK-KIDNEY-002", RiskLevel.MODERATE)),
        ({"crcl_ml_min": 90}, 60, None),
    ],
)
def test_oral_exposure_excess_in_kidney_failure(
    patient: dict[str, Any], dose: float, expected: tuple[str, RiskLevel] | None
) -> None:
    doc = {**_oral([("2025-01-01", None, dose)]), "patient": patient}

    found = [(r.finding.rule_id, r.level) for r in _assess(doc).risks if r.finding.rule_id.startswith("RISK-KIDNEY")]
    assert found == ([] if expected is None else [expected])


# --- diary (journeys.md #6) -----------------------------------------------------------------------------------------
def test_a_bad_day_at_home_is_a_high_risk_alert_with_what_to_do_now() -> None:
    doc = {
        "as_of": AS_OF,
        "oral": {"prescriptions": [{"start": "2025-01-01", "end": None, "daily_dose_mg": 60}]},
        "diary": [
            {
                "time": "2026-03-09T20:00:00+00:00",
                "symptoms": ["spasms more frequent", "itching", "feverish"],
                "missed_doses": 2,
            }
        ],
    }

    a = _assess(doc)

    assert a.level is RiskLevel.HIGH
    assert a.alert_clinic
    assert PATIENT_MESSAGE_RED_FLAG in a.patient_messages
    assert "never restart a previous high dose alone" in PATIENT_MESSAGE_RED_FLAG
    assert {"RISK-DIARY-002", "RISK-ORAL-MISSED-001"} <= set(_ids(a))


@pytest.mark.parametrize(
    ("symptom", "rule", "level"),
    [
        ("seizure", "RISK-DIARY-001", RiskLevel.HIGH),
        ("Confused", "RISK-DIARY-001", RiskLevel.HIGH),
        ("hallucinations", "RISK-DIARY-001", RiskLevel.HIGH),
        ("itchy", "RISK-DIARY-002", RiskLevel.HIGH),
        ("fever", "RISK-DIARY-002", RiskLevel.HIGH),
        ("rebound spasticity", "RISK-DIARY-002", RiskLevel.HIGH),
        ("drowsy", "RISK-DIARY-003", RiskLevel.MODERATE),
        ("my left toe tingles", "RISK-DIARY-004", RiskLevel.MODERATE),
    ],
)
def test_every_diary_red_flag_reaches_a_clinician(symptom: str, rule: str, level: RiskLevel) -> None:
    a = _assess({"as_of": AS_OF, "diary": [{"time": "2026-03-09T20:00:00+00:00", "symptoms": [symptom]}]})

    risk = next(r for r in a.risks if r.finding.rule_id == rule)
    assert risk.level is level
    assert risk.alert_clinic
    assert risk.patient_message


def test_an_old_diary_entry_is_outside_the_lookback() -> None:
    a = _assess({"as_of": AS_OF, "diary": [{"time": "2026-02-01T20:00:00+00:00", "symptoms": ["seizure"]}]})

    assert a.risks == ()
    assert a.level is RiskLevel.LOW


def test_symptom_texts_are_matched_in_any_case() -> None:
    assert parse_symptom("  ITCHY ") is Symptom.ITCHING
    assert parse_symptom("Trouble-Breathing") is Symptom.BREATHING_DIFFICULTY
    assert parse_symptom("happy") is None


# --- timeline parsing: every malformed field is named ---------------------------------------------------------------
GOOD = {"as_of": AS_OF, "pump": _pump([_refill(FILL_TIME)])}


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("as_of"), "as_of"),
        (lambda d: d.update(as_of="2026-03-10T09:00:00"), "as_of"),
        (lambda d: d.update(schema="baclofen-timeline/2"), "schema"),
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d["pump"].update(model="acme-9000"), "pump.model"),
        (lambda d: d["pump"]["refills"][0].update(volume_ml=25), "pump.refills[0].volume_ml"),
        (lambda d: d["pump"]["refills"][0].update(volume_ml="twenty"), "pump.refills[0].volume_ml"),
        (
            lambda d: d["pump"]["refills"][0].update(concentration_mcg_per_ml=-1),
            "pump.refills[0].concentration_mcg_per_ml",
        ),
        (lambda d: d["pump"]["refills"][0].pop("daily_dose_mcg"), "pump.refills[0].daily_dose_mcg"),
        (
            lambda d: (d["pump"]["refills"][0].pop("daily_dose_mcg"), d["pump"]["refills"][0].update(flex="25:00=1")),
            "pump.refills[0].flex",
        ),
        (lambda d: d["pump"]["refills"][0].update(flex="06:00=10"), "pump.refills[0].daily_dose_mcg"),
        (lambda d: d["pump"]["refills"][0].update(time="2027-01-01T00:00:00+00:00"), "pump.refills[0].time"),
        (lambda d: d["pump"]["refills"][0].update(aspirated_ml=-2), "pump.refills[0].aspirated_ml"),
        (lambda d: d["pump"].update(eri_date="2026-01-01"), "pump.implanted"),
        (lambda d: d["pump"].update(refills={}), "pump.refills"),
        (lambda d: d.update(diary=[{"time": AS_OF, "symptoms": [3]}]), "diary[0].symptoms[0]"),
        (lambda d: d.update(diary=[{"time": AS_OF, "missed_doses": -1}]), "diary[0].missed_doses"),
        (
            lambda d: d.update(
                oral={"prescriptions": [{"start": "2026-01-10", "end": "2026-01-01", "daily_dose_mg": 5}]}
            ),
            "oral.prescriptions[0].end",
        ),
        (
            lambda d: d.update(
                oral={
                    "prescriptions": [
                        {"start": "2026-01-01", "end": None, "daily_dose_mg": 5},
                        {"start": "2026-02-01", "end": None, "daily_dose_mg": 5},
                    ]
                }
            ),
            "oral.prescriptions",
        ),
        (lambda d: d.update(patient={"sex": "x"}), "patient.sex"),
        (lambda d: d.update(patient={"crcl_ml_min": 30, "egfr_ml_min_1_73m2": 30}), "patient.kidney function"),
    ],
)
def test_a_malformed_timeline_names_the_field(mutate: Any, field: str) -> None:
    doc = copy.deepcopy(GOOD)
    mutate(doc)

    with pytest.raises(InvalidInputError) as err:
        timeline_from_dict(doc)

    assert err.value.field == field


def test_a_timeline_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="timeline"):
        timeline_from_dict([1, 2])


def test_an_empty_timeline_has_no_risk() -> None:
    a = _assess({"as_of": AS_OF})

    assert a.risks == () and a.level is RiskLevel.LOW and not a.alert_clinic
    assert a.to_dict()["counts"] == {"high": 0, "moderate": 0, "low": 0}


def test_an_unknown_setting_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="setting"):
        _assess({"as_of": AS_OF}, settings={"cds.risk.nope": 1})


@pytest.mark.parametrize("note", ["can't breathe properly, burning hot", "shaking all night"])
def test_a_diary_note_without_recognised_symptoms_still_reaches_a_clinician(note: str) -> None:
    a = _assess({"as_of": AS_OF, "diary": [{"time": "2026-03-09T20:00:00+00:00", "note": note}]})

    risk = next(r for r in a.risks if r.finding.rule_id == "RISK-DIARY-004")
    assert risk.alert_clinic and a.alert_clinic
    assert note in risk.finding.message
    assert risk.finding.data["notes"] == [note]
    assert risk.level is RiskLevel.LOW


def test_an_unrecognised_symptom_with_a_note_stays_moderate_and_tells_the_patient_what_to_do() -> None:
    a = _assess(
        {
            "as_of": AS_OF,
            "diary": [{"time": "2026-03-09T20:00:00+00:00", "symptoms": ["toe tingles"], "note": "bad evening"}],
        }
    )

    (risk,) = a.risks
    assert (risk.level, risk.finding.data["unrecognised"], risk.finding.data["notes"]) == (
        RiskLevel.MODERATE,
        ["toe tingles"],
        ["bad evening"],
    )
    assert risk.patient_message


def test_a_pump_without_any_fill_on_record_is_never_reported_as_no_risk() -> None:
    a = _assess({"as_of": AS_OF, "pump": {"model": "synchromed-ii-20", "implanted": "2025-01-01"}})
    refilled = _assess({"as_of": AS_OF, "pump": _pump([_refill("2026-03-01T10:00:00+00:00")])})

    assert _ids(a) == ["RISK-REFILL-003"]
    assert a.level is RiskLevel.MODERATE
    assert a.risks[0].finding.signs
    assert "RISK-REFILL-003" not in _ids(refilled)
