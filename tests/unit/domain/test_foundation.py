"""The shared foundation: units, patient and kidney function, regimens, findings and overrides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from baclofen.domain.errors import InvalidInputError, UnitMismatchError
from baclofen.domain.patient import KidneySource, PatientSnapshot, Sex, cockcroft_gault_ml_min
from baclofen.domain.regimen import DoseEvent, Regimen, Route
from baclofen.domain.rules.core import Finding, Override, Rule, Severity, apply_overrides, is_offerable
from baclofen.domain.units import Quantity, Unit, mcg, mg, parse_unit

# --- units -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "unit", "expected"),
    [
        (Quantity(1, Unit.MG_PER_L), Unit.NG_PER_ML, 1000.0),  # 1 mg/L = 1 mcg/mL = 1000 ng/mL
        (Quantity(0.7, Unit.MG_PER_L), Unit.NG_PER_ML, 700.0),  # Brvar 2007: 0.70 mg/L "toxic range"
        (Quantity(1, Unit.MG_PER_ML), Unit.MCG_PER_ML, 1000.0),
        (Quantity(180, Unit.ML_PER_MIN), Unit.L_PER_HOUR, 10.8),  # Kochak 1985: 180 mL/min = 10.8 L/h
        (Quantity(30, Unit.ML_PER_HOUR), Unit.L_PER_HOUR, 0.03),  # CSF clearance 30 mL/h
        (Quantity(600, Unit.MCG_PER_DAY), Unit.MCG_PER_HOUR, 25.0),
        (Quantity(0.45, Unit.ML_PER_DAY), Unit.ML_PER_HOUR, 0.01875),
        (Quantity(90, Unit.MINUTE), Unit.HOUR, 1.5),
    ],
)
def test_conversions_match_the_fact_sheets(quantity: Quantity, unit: Unit, expected: float) -> None:
    assert quantity.in_(unit) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("mg", Unit.MG),
        ("Mg", Unit.MG),
        ("MG", Unit.MG),
        ("mcg", Unit.MCG),
        ("MCG", Unit.MCG),
        ("ug", Unit.MCG),
        ("µg", Unit.MCG),
        ("μg", Unit.MCG),  # micro sign and Greek small mu
        ("mcg/mL", Unit.MCG_PER_ML),
        ("MCG/ML", Unit.MCG_PER_ML),
        ("µg/mL", Unit.MCG_PER_ML),
        ("μg/mL", Unit.MCG_PER_ML),
        ("mg/mL", Unit.MG_PER_ML),
        ("MG/ML", Unit.MG_PER_ML),
        ("mg/l", Unit.MG_PER_L),
        ("ng/ml", Unit.NG_PER_ML),
        (" mL ", Unit.ML),
    ],
)
def test_unit_spellings_never_cross_mg_and_mcg(text: str, unit: Unit) -> None:
    assert parse_unit(text) is unit


@pytest.mark.parametrize("text", ["", "m", "g/", "mcg/hr", "mg/h", "microgramme"])
def test_an_unknown_unit_spelling_is_refused(text: str) -> None:
    with pytest.raises(UnitMismatchError, match="unit"):
        parse_unit(text)


def test_mixing_mass_and_volume_is_refused() -> None:
    with pytest.raises(UnitMismatchError):
        _ = mg(1) + Quantity(1, Unit.ML)


# --- patient and kidney function ---------------------------------------------------------------------------


def test_cockcroft_gault_applies_the_female_factor() -> None:
    male = cockcroft_gault_ml_min(46, 70, 1.0, Sex.MALE)
    female = cockcroft_gault_ml_min(46, 70, 1.0, Sex.FEMALE)

    assert male == pytest.approx(94 * 70 / 72)
    assert female == pytest.approx(0.85 * male)


@pytest.mark.parametrize("sex", ["female", "F", None, 1])
def test_cockcroft_gault_refuses_a_sex_that_is_not_a_sex_value(sex: object) -> None:
    # A plain "female" string once fell through to the male formula: CrCl 18 % too high, too little reduction.
    with pytest.raises(InvalidInputError, match="sex"):
        cockcroft_gault_ml_min(46, 70, 1.0, sex)  # type: ignore[arg-type]


def test_a_patient_with_a_sex_string_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="sex"):
        PatientSnapshot(age_years=46, weight_kg=70, sex="female", serum_creatinine_mg_dl=1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(("age", "ok"), [(120, True), (120.01, False), (-0.01, False)])
def test_cockcroft_gault_age_bounds(age: float, ok: bool) -> None:
    if ok:
        assert cockcroft_gault_ml_min(age, 70, 1.0, Sex.MALE) == pytest.approx(20 * 70 / 72)
    else:
        with pytest.raises(InvalidInputError, match="age_years"):
            cockcroft_gault_ml_min(age, 70, 1.0, Sex.MALE)


def test_a_condition_given_as_one_text_is_kept_whole_not_split_into_letters() -> None:
    # frozenset("pregnancy") is a set of letters: the pregnancy rule would silently not fire.
    with pytest.raises(InvalidInputError, match="conditions"):
        PatientSnapshot(conditions="pregnancy")  # type: ignore[arg-type]

    assert PatientSnapshot(conditions=["pregnancy"]).conditions == frozenset({"pregnancy"})


@pytest.mark.parametrize("value", ["no", "false", 0, None])
def test_dialysis_must_be_true_or_false(value: object) -> None:
    with pytest.raises(InvalidInputError, match="dialysis"):
        PatientSnapshot(dialysis=value)  # type: ignore[arg-type]


def test_an_egfr_used_as_crcl_says_so() -> None:
    kidney = PatientSnapshot(egfr_ml_min_1_73m2=55).kidney

    assert kidney.source is KidneySource.GIVEN_EGFR
    assert kidney.crcl_ml_min == 55
    assert "approximation" in kidney.to_dict()["note"]


def test_a_cockcroft_gault_kidney_function_names_its_method() -> None:
    data = PatientSnapshot(age_years=46, weight_kg=70, sex=Sex.FEMALE, serum_creatinine_mg_dl=1.0).kidney.to_dict()

    assert data["source"] == "cockcroft-gault"
    assert "Cockcroft-Gault" in data["note"]


# --- regimens and the event table --------------------------------------------------------------------------


def test_event_table_time_is_elapsed_hours_across_a_daylight_saving_change() -> None:
    london = ZoneInfo("Europe/London")  # clocks go forward on 2026-03-29: that day has 23 hours
    first = datetime(2026, 3, 28, 8, tzinfo=london)
    second = datetime(2026, 3, 29, 8, tzinfo=london)
    regimen = Regimen((DoseEvent(first, mg(5), Route.ORAL), DoseEvent(second, mg(5), Route.ORAL)))

    rows = regimen.to_event_rows(first)

    assert [r["TIME"] for r in rows] == [0.0, 23.0]


def test_event_table_time_is_the_same_whatever_zone_the_reference_is_in() -> None:
    t0 = datetime(2026, 1, 1, 8, tzinfo=UTC)
    regimen = Regimen((DoseEvent(t0 + timedelta(hours=8), mg(5), Route.ORAL),))

    rows = regimen.to_event_rows(t0.astimezone(timezone(timedelta(hours=-5))))

    assert rows[0]["TIME"] == 8.0


def test_a_naive_reference_time_is_refused_with_its_field_named() -> None:
    t0 = datetime(2026, 1, 1, 8, tzinfo=UTC)
    regimen = Regimen((DoseEvent(t0, mg(5), Route.ORAL),))

    with pytest.raises(InvalidInputError, match="reference"):
        regimen.to_event_rows(datetime(2026, 1, 1, 8))


def test_an_intrathecal_infusion_row_is_in_mg_and_mg_per_hour() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    regimen = Regimen((DoseEvent(t0, mcg(600), Route.INTRATHECAL, duration_h=24),))

    (row,) = regimen.to_event_rows(t0)

    assert (row["AMT"], row["RATE"], row["CMT"], row["AMT_UNIT"]) == (pytest.approx(0.6), pytest.approx(0.025), 3, "mg")


@pytest.mark.parametrize("duration", ["abc", None, [1]])
def test_a_dose_event_from_a_document_with_a_bad_duration_names_the_field(duration: object) -> None:
    data = {"time": "2026-01-01T08:00:00+00:00", "amount": 5, "unit": "mg", "route": "oral", "duration_h": duration}

    with pytest.raises(InvalidInputError, match="duration_h"):
        DoseEvent.from_dict(data)


# --- findings and overrides --------------------------------------------------------------------------------

_BLOCK = Rule(
    rule_id="TEST-BLOCK-001",
    title="t",
    severity=Severity.BLOCK,
    evidence=("S4",),
    check=lambda ctx: None,
)
_WARN = Rule(rule_id="TEST-WARN-001", title="t", severity=Severity.WARN, evidence=("S4",), check=lambda ctx: None)


def _block() -> Finding:
    return _BLOCK.finding("over the ceiling", reasoning="label maximum")


@pytest.mark.parametrize(("message", "reasoning"), [("", "why"), ("what", ""), ("what", "   "), ("  ", "why")])
def test_a_finding_without_a_message_or_reasoning_is_refused(message: str, reasoning: str) -> None:
    with pytest.raises(InvalidInputError, match="TEST-BLOCK-001"):
        _BLOCK.finding(message, reasoning=reasoning)


def test_an_override_lifts_a_block_and_is_recorded() -> None:
    (finding,) = apply_overrides([_block()], [Override("TEST-BLOCK-001", "in hospital", "Dr A")])

    assert is_offerable([finding])
    assert finding.to_dict()["override"] == {"rule_id": "TEST-BLOCK-001", "reason": "in hospital", "clinician": "Dr A"}


def test_an_override_of_a_warning_or_of_a_rule_that_did_not_fire_is_refused() -> None:
    warn = _WARN.finding("heads up", reasoning="because")

    with pytest.raises(InvalidInputError, match="override"):
        apply_overrides([warn], [Override("TEST-WARN-001", "acceptable here, reviewed", "Dr A")])
    with pytest.raises(InvalidInputError, match="override"):
        apply_overrides([_block()], [Override("TEST-OTHER-001", "acceptable here, reviewed", "Dr A")])


def test_two_different_overrides_of_one_rule_are_refused_not_silently_reduced_to_one() -> None:
    overrides = [
        Override("TEST-BLOCK-001", "in hospital", "Dr A"),
        Override("TEST-BLOCK-001", "patient insists", "Dr A"),
    ]

    with pytest.raises(InvalidInputError, match="TEST-BLOCK-001"):
        apply_overrides([_block()], overrides)


def test_the_same_override_given_twice_counts_once() -> None:
    same = Override("TEST-BLOCK-001", "in hospital", "Dr A")

    (finding,) = apply_overrides([_block()], [same, same])

    assert finding.overridden_by == same


@pytest.mark.parametrize(("rule_id", "reason"), [(None, "r"), (123, "r"), ("TEST-BLOCK-001", None)])
def test_an_override_of_the_wrong_type_is_refused_with_its_field_named(rule_id: object, reason: object) -> None:
    with pytest.raises(InvalidInputError, match="override"):
        Override(rule_id, reason)  # type: ignore[arg-type]
