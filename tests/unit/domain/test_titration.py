"""Oral titration: label schedule, ceilings, kidney reductions, dialysis, options."""

from __future__ import annotations

from datetime import date, time, timedelta, timezone
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen.domain.errors import InvalidInputError, UnknownNameError
from baclofen.domain.oral.limits import KidneyBand, kidney_band
from baclofen.domain.oral.plan import Plan
from baclofen.domain.oral.titration import plan_titration
from baclofen.domain.patient import Locale, PatientSnapshot, SpasticityOrigin
from baclofen.domain.products import Dispensed, dispensable_quantum_mg, get_oral_product, is_dispensable
from baclofen.domain.regimen import Route
from baclofen.domain.rules import Override, Severity
from tests.strategies import oral_products, patients, start_dates

D0 = date(2026, 1, 5)
CEILING = {Locale.US: 80.0, Locale.UK: 100.0}


def _daily(plan: Plan) -> list[tuple[int, int, float]]:
    """(first day, last day, mg/day) with day 1 = the start date."""
    return [((s.start - plan.start).days + 1, (s.end - plan.start).days + 1, s.daily_dose_mg) for s in plan.steps]


def _ids(plan: Plan) -> set[str]:
    return {f.rule_id for f in plan.findings}


def test_the_us_label_schedule_is_15_30_45_60_mg_per_day_three_days_each() -> None:
    plan = plan_titration(start_date=D0, patient=PatientSnapshot(crcl_ml_min=100))

    assert _daily(plan) == [(1, 3, 15.0), (4, 6, 30.0), (7, 9, 45.0), (10, 12, 60.0)]
    assert [d.dose_mg for d in plan.steps[0].doses] == [5.0, 5.0, 5.0]
    assert [d.time for d in plan.steps[0].doses] == [time(8), time(14), time(20)]
    assert [d.dose_mg for d in plan.steps[-1].doses] == [20.0, 20.0, 20.0]
    assert plan.steps[-1].continues and not plan.steps[0].continues
    assert plan.offerable


def test_the_daily_totals_list_every_day_of_the_plan() -> None:
    plan = plan_titration(start_date=D0)

    totals = plan.daily_totals()

    assert len(totals) == 12
    assert totals[0] == (D0, 15.0) and totals[3] == (D0 + timedelta(days=3), 30.0) and totals[-1][1] == 60.0


def test_four_doses_a_day_follow_per_dose_and_reach_80_as_20_mg_qid() -> None:
    plan = plan_titration(start_date=D0, doses_per_day=4, target_mg_per_day=80)

    assert [s.daily_dose_mg for s in plan.steps] == [20.0, 40.0, 60.0, 80.0]
    assert [d.dose_mg for d in plan.steps[-1].doses] == [20.0] * 4
    assert [d.time for d in plan.steps[-1].doses] == [time(8), time(12), time(16), time(20)]
    assert plan.offerable


def test_the_plan_stops_at_a_target_between_steps() -> None:
    plan = plan_titration(start_date=D0, target_mg_per_day=40)

    assert [s.daily_dose_mg for s in plan.steps] == [15.0, 30.0, 40.0]
    assert [d.dose_mg for d in plan.steps[-1].doses] == [10.0, 15.0, 15.0]


def test_a_target_the_product_cannot_give_is_rounded_down_and_said_so() -> None:
    plan = plan_titration(start_date=D0, target_mg_per_day=42)

    assert plan.steps[-1].daily_dose_mg == 40.0
    assert any("rounded down to 40 mg/day" in n for n in plan.notes)


@pytest.mark.parametrize(("locale", "ceiling"), [(Locale.US, 80.0), (Locale.UK, 100.0)])
def test_a_target_above_the_ceiling_blocks_and_the_plan_stops_at_the_ceiling(locale: Locale, ceiling: float) -> None:
    plan = plan_titration(
        start_date=D0, patient=PatientSnapshot(locale=locale), target_mg_per_day=ceiling + 20, doses_per_day=4
    )

    assert plan.max_daily_dose_mg == ceiling
    assert not plan.offerable
    block = next(f for f in plan.findings if f.rule_id == "ORAL-MAX-001")
    assert block.severity is Severity.BLOCK
    assert block.data["ceiling_mg_per_day"] == ceiling
    assert block.evidence


@pytest.mark.parametrize(("locale", "ceiling"), [(Locale.US, 80.0), (Locale.UK, 100.0)])
def test_a_target_at_the_ceiling_is_offered_without_a_finding(locale: Locale, ceiling: float) -> None:
    plan = plan_titration(
        start_date=D0, patient=PatientSnapshot(locale=locale), target_mg_per_day=ceiling, doses_per_day=4
    )

    assert plan.max_daily_dose_mg == ceiling
    assert "ORAL-MAX-001" not in _ids(plan)


def test_an_in_hospital_override_allows_up_to_120_and_is_recorded() -> None:
    # UK: the core label's 100-120 mg/day in hospital is framed against the UK 100 mg maximum; a US plan stops at
    # the US in-hospital setting (80 by default, issue 9 item 9: test_issue9_item9_override_ceiling_follows_the_locale)
    override = Override("ORAL-MAX-001", "in hospital under careful supervision", "Dr A")
    uk = PatientSnapshot(locale=Locale.UK)

    plan = plan_titration(start_date=D0, patient=uk, target_mg_per_day=150, doses_per_day=4, overrides=[override])

    assert plan.max_daily_dose_mg == 120.0
    assert plan.overrides == (override,)
    assert not plan.offerable  # ORAL-MAX-002: above every maximum
    assert {"ORAL-MAX-001", "ORAL-MAX-002"} <= _ids(plan)
    assert next(f for f in plan.findings if f.rule_id == "ORAL-MAX-001").overridden_by == override

    plan_110 = plan_titration(start_date=D0, patient=uk, target_mg_per_day=110, doses_per_day=4, overrides=[override])
    assert plan_110.offerable and plan_110.max_daily_dose_mg == 110.0


def test_an_override_of_a_finding_the_plan_does_not_have_is_refused() -> None:
    with pytest.raises(InvalidInputError) as err:
        plan_titration(start_date=D0, target_mg_per_day=60, overrides=[Override("ORAL-MAX-001", "in hospital", "Dr A")])

    assert err.value.field == "override"


@settings(max_examples=120)
@given(
    patient=patients(),
    target=st.none() | st.floats(min_value=1, max_value=300),
    start_dose=st.floats(min_value=1, max_value=60),
    step=st.floats(min_value=1, max_value=60),
    doses=st.sampled_from([3, 4]),
    interval=st.none() | st.integers(min_value=1, max_value=28),
    product=oral_products,
    start=start_dates,
)
def test_no_option_ever_plans_a_daily_dose_above_the_locale_ceiling(
    patient: PatientSnapshot,
    target: float | None,
    start_dose: float,
    step: float,
    doses: int,
    interval: int | None,
    product,
    start: date,
) -> None:
    try:
        plan = plan_titration(
            start_date=start,
            patient=patient,
            product=product,
            target_mg_per_day=target,
            start_dose_mg=start_dose,
            step_dose_mg=step,
            doses_per_day=doses,
            step_interval_days=interval,
        )
    except InvalidInputError as exc:  # only a product that cannot give a tiny reduced dose is refused
        assert exc.field == "product"
        return

    ceiling = CEILING[patient.locale]
    assert all(s.daily_dose_mg <= ceiling for s in plan.steps)
    assert all(d.dose_mg > 0 and is_dispensable(d.dose_mg, product) for s in plan.steps for d in s.doses)
    assert [s.daily_dose_mg for s in plan.steps] == sorted(s.daily_dose_mg for s in plan.steps)
    assert all(b.start == a.end + timedelta(days=1) for a, b in zip(plan.steps, plan.steps[1:], strict=False))
    assert all(len(s.doses) <= doses for s in plan.steps)
    if target is not None and target > ceiling:
        assert not plan.offerable and "ORAL-MAX-001" in _ids(plan)
    if patient.kidney.dialysis:
        assert plan.steps[0].daily_dose_mg <= 5.0
        if target is None or target / 3 <= 5.0:
            assert plan.max_daily_dose_mg <= 5.0


@settings(max_examples=80)
@given(
    target=st.floats(min_value=5, max_value=300),
    doses=st.sampled_from([3, 4]),
    locale=st.sampled_from(list(Locale)),
)
def test_even_with_the_in_hospital_override_no_plan_exceeds_120(target: float, doses: int, locale: Locale) -> None:
    overrides = [Override("ORAL-MAX-001", "in hospital", "Dr A")] if target > CEILING[locale] else []

    plan = plan_titration(
        start_date=D0,
        patient=PatientSnapshot(locale=locale),
        target_mg_per_day=target,
        doses_per_day=doses,
        overrides=overrides,
    )

    assert plan.max_daily_dose_mg <= 120.0
    assert plan.max_daily_dose_mg <= target + 1e-9


@pytest.mark.parametrize(
    ("crcl", "band", "expected"),
    [
        (80.01, KidneyBand.NORMAL, [15.0, 30.0, 45.0, 60.0]),
        (80.0, KidneyBand.MILD, [10.0, 20.0, 30.0, 40.0]),
        (50.01, KidneyBand.MILD, [10.0, 20.0, 30.0, 40.0]),
        (50.0, KidneyBand.MODERATE, [5.0, 15.0, 20.0, 30.0]),
        (30.01, KidneyBand.MODERATE, [5.0, 15.0, 20.0, 30.0]),
        (30.0, KidneyBand.SEVERE, [5.0, 10.0, 15.0, 20.0]),
        (5.0, KidneyBand.SEVERE, [5.0, 10.0, 15.0, 20.0]),
    ],
)
def test_kidney_bands_reduce_each_daily_dose_by_the_cited_fraction(
    crcl: float, band: KidneyBand, expected: list[float]
) -> None:
    plan = plan_titration(start_date=D0, patient=PatientSnapshot(crcl_ml_min=crcl), target_mg_per_day=60)

    assert kidney_band(crcl) is band
    assert [s.daily_dose_mg for s in plan.steps] == expected
    assert plan.parameters["kidney"]["band"] == band.label
    if band is not KidneyBand.NORMAL:
        finding = next(
            f for f in plan.findings if f.rule_id.startswith("ORAL-RENAL-00") and f.rule_id <= "ORAL-RENAL-003"
        )
        assert finding.data["crcl_ml_min"] == crcl
        assert finding.data["reduction"] == band.reduction_text
        assert "S22" in finding.evidence
        assert "not US label dosing" in finding.reasoning


def test_a_liquid_gives_the_reduced_doses_exactly_where_tablets_round_down() -> None:
    patient = PatientSnapshot(crcl_ml_min=45)

    liquid = plan_titration(start_date=D0, patient=patient, product=get_oral_product("ozobax"))
    mild = plan_titration(start_date=D0, patient=PatientSnapshot(crcl_ml_min=60), product=get_oral_product("ozobax"))

    assert [s.daily_dose_mg for s in liquid.steps] == [7.5, 15.0, 22.5, 30.0]
    assert liquid.steps[0].doses[0].dispensed.text == "2.5 mL of 5 mg/5 mL oral solution"
    assert liquid.notes == ()
    assert [d.dose_mg for d in mild.steps[0].doses] == [3.3, 3.3, 3.4]


@settings(max_examples=100)
@given(
    crcl=st.floats(min_value=0, max_value=250),
    product=oral_products,
    target=st.floats(min_value=5, max_value=80),
    doses=st.sampled_from([3, 4]),
)
def test_rounding_never_lifts_a_reduced_dose_above_the_reduced_amount(
    crcl: float, product, target: float, doses: int
) -> None:
    try:
        plan = plan_titration(
            start_date=D0,
            patient=PatientSnapshot(crcl_ml_min=crcl),
            product=product,
            target_mg_per_day=target,
            doses_per_day=doses,
        )
    except InvalidInputError as exc:
        assert exc.field == "product"
        return
    factor = kidney_band(crcl).factor
    unreduced = [5.0 * doses * (i + 1) for i in range(100)]

    for step in plan.steps:
        # each planned level is at most (its label level, capped at the target) x factor
        allowed = [float(Fraction(min(level, target)) * factor) for level in unreduced]
        assert any(step.daily_dose_mg <= a + 1e-9 for a in allowed)
    assert plan.max_daily_dose_mg <= float(Fraction(target) * factor) + 1e-9
    assert plan.max_daily_dose_mg >= float(Fraction(target) * factor) - dispensable_quantum_mg(product) - 1e-9


def test_dialysis_starts_at_5_mg_once_daily_with_a_cited_finding() -> None:
    plan = plan_titration(start_date=D0, patient=PatientSnapshot(dialysis=True))

    assert [s.daily_dose_mg for s in plan.steps] == [5.0]
    assert len(plan.steps[0].doses) == 1
    assert plan.offerable
    finding = next(f for f in plan.findings if f.rule_id == "ORAL-DIALYSIS-001")
    assert {"S14", "S15"} <= set(finding.evidence)
    assert finding.signs


def test_dialysis_titration_beyond_5_mg_needs_an_override() -> None:
    patient = PatientSnapshot(dialysis=True)

    held = plan_titration(start_date=D0, patient=patient, target_mg_per_day=60)
    assert held.max_daily_dose_mg == 5.0
    assert not held.offerable and "ORAL-DIALYSIS-002" in _ids(held)

    titrated = plan_titration(
        start_date=D0,
        patient=patient,
        target_mg_per_day=60,
        overrides=[Override("ORAL-DIALYSIS-002", "nephrology agrees, levels monitored", "Dr A")],
    )
    assert titrated.offerable
    assert [s.daily_dose_mg for s in titrated.steps] == [5.0, 10.0, 15.0, 20.0]


def test_a_product_that_cannot_give_the_reduced_dose_is_refused_with_the_reason() -> None:
    with pytest.raises(InvalidInputError) as err:
        plan_titration(start_date=D0, patient=PatientSnapshot(dialysis=True), product=get_oral_product("tablet-20mg"))

    assert err.value.field == "product"
    assert "oral solution" in err.value.expected


def test_the_uk_steps_weekly_by_default_and_the_interval_is_a_recorded_setting() -> None:
    uk = plan_titration(start_date=D0, patient=PatientSnapshot(locale=Locale.UK))
    fast = plan_titration(start_date=D0, patient=PatientSnapshot(locale=Locale.UK), step_interval_days=3)
    by_setting = plan_titration(start_date=D0, settings={"titration.step_interval_days.us": 5})

    assert [s.days for s in uk.steps] == [7, 7, 7, 7]
    assert uk.setting_value("titration.step_interval_days.uk") == 7
    assert [s.days for s in fast.steps] == [3, 3, 3, 3]
    assert fast.setting_value("titration.step_interval_days.uk") == 3
    assert [s.days for s in by_setting.steps] == [5, 5, 5, 5]
    assert uk.steps[0].doses[0].dispensed.text == "1/2 x 10 mg tablet"
    assert uk.product.name == "uk-tablet-10mg"


def test_a_clinic_may_lower_the_ceiling_but_not_raise_it() -> None:
    lowered = plan_titration(start_date=D0, target_mg_per_day=60, settings={"oral.max_daily_dose_mg.us": 40})

    assert lowered.max_daily_dose_mg == 40.0 and "ORAL-MAX-001" in _ids(lowered)
    with pytest.raises(InvalidInputError):
        plan_titration(start_date=D0, settings={"oral.max_daily_dose_mg.us": 90})
    with pytest.raises(UnknownNameError):
        plan_titration(start_date=D0, settings={"taper.max_step_mg_per_day": 5})


def test_elderly_patients_get_a_caution_and_slower_steps_only_when_the_setting_is_on() -> None:
    patient = PatientSnapshot(age_years=72)

    default = plan_titration(start_date=D0, patient=patient)
    slowed = plan_titration(start_date=D0, patient=patient, settings={"titration.slow_elderly_steps": True})
    younger = plan_titration(start_date=D0, patient=PatientSnapshot(age_years=64.9))

    assert "ORAL-ELDERLY-001" in _ids(default) and [s.days for s in default.steps] == [3, 3, 3, 3]
    assert [s.days for s in slowed.steps] == [7, 7, 7, 7]
    assert "ORAL-ELDERLY-001" not in _ids(younger)
    with pytest.raises(InvalidInputError):
        plan_titration(start_date=D0, settings={"titration.slow_elderly_steps": "yes"})


def test_cerebral_origin_gives_a_caution() -> None:
    plan = plan_titration(start_date=D0, patient=PatientSnapshot(origin=SpasticityOrigin.CEREBRAL))

    assert "ORAL-CEREBRAL-001" in _ids(plan)


def test_more_than_60_mg_tid_points_to_qid() -> None:
    plan = plan_titration(start_date=D0, target_mg_per_day=80)

    assert plan.steps[-1].daily_dose_mg == 80.0
    assert "ORAL-FREQ-001" in _ids(plan)
    assert "ORAL-FREQ-001" not in _ids(plan_titration(start_date=D0, target_mg_per_day=80, doses_per_day=4))


def test_custom_start_step_and_times_are_used() -> None:
    plan = plan_titration(
        start_date=D0,
        start_dose_mg=10,
        step_dose_mg=10,
        target_mg_per_day=60,
        dose_times=[time(7), time(13), time(22)],
        product=get_oral_product("lyvispah"),
    )

    assert [s.daily_dose_mg for s in plan.steps] == [30.0, 60.0]
    assert [d.time for d in plan.steps[0].doses] == [time(7), time(13), time(22)]
    assert isinstance(plan.steps[1].doses[0].dispensed, Dispensed)
    assert plan.steps[1].doses[0].dispensed.text == "1 x 20 mg packet"


def test_whole_tablets_only_plans_whole_tablets() -> None:
    plan = plan_titration(start_date=D0, settings={"products.tablets_scored": False})

    assert plan.setting_value("products.tablets_scored") is False
    assert all(d.dose_mg % 10 == 0 for s in plan.steps for d in s.doses)
    assert plan.max_daily_dose_mg <= 60.0


def test_to_regimen_gives_one_oral_event_per_dose_in_the_time_zone() -> None:
    tz = timezone(timedelta(hours=1))
    plan = plan_titration(start_date=D0)

    regimen = plan.to_regimen(tz)

    assert len(regimen.events) == 12 * 3
    assert regimen.events[0].time.isoformat() == "2026-01-05T08:00:00+01:00"
    assert all(e.route is Route.ORAL for e in regimen.events)
    assert sum(e.amount_mg for e in regimen.events) == sum(v for _, v in plan.daily_totals())


def test_to_dict_has_the_shared_json_shape() -> None:
    data = plan_titration(start_date=D0).to_dict()

    assert data["kind"] == "titration" and data["offerable"] is True
    step = data["steps"][0]
    assert (step["start"], step["end"], step["daily_dose_mg"]) == ("2026-01-05", "2026-01-07", 15.0)
    assert step["doses"][0] == {
        "time": "08:00",
        "dose_mg": 5.0,
        "dispense": "1/2 x 10 mg tablet",
        "units": [{"strength_mg": 10.0, "count": 0.5}],
    }
    assert all({"rule_id", "severity", "message", "evidence"} <= set(f) for f in data["findings"])
    assert {s["name"] for s in data["settings"]} >= {
        "oral.max_daily_dose_mg.us",
        "titration.step_interval_days.us",
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"doses_per_day": 5}, "doses_per_day"),
        ({"doses_per_day": 2}, "doses_per_day"),
        ({"target_mg_per_day": -5}, "target_mg_per_day"),
        ({"target_mg_per_day": 0}, "target_mg_per_day"),
        ({"target_mg_per_day": 1000}, "target_mg_per_day"),
        ({"start_dose_mg": 0}, "start_dose_mg"),
        ({"step_dose_mg": float("nan")}, "step_dose_mg"),
        ({"step_interval_days": 0}, "step_interval_days"),
        ({"step_interval_days": 2.5}, "step_interval_days"),
        ({"dose_times": [time(8), time(8), time(20)]}, "dose_times"),
        ({"dose_times": [time(8)]}, "dose_times"),
        ({"start_date": "2026-01-01"}, "start_date"),
        ({"patient": "someone"}, "patient"),
        ({"overrides": ["ORAL-MAX-001"]}, "override"),
        ({"step_dose_mg": 0.01, "target_mg_per_day": 300}, "step_dose_mg"),
    ],
)
def test_malformed_input_is_refused_naming_the_field(kwargs: dict, field: str) -> None:
    args = {"start_date": D0, **kwargs}

    with pytest.raises(InvalidInputError) as err:
        plan_titration(**args)

    assert err.value.field == field


# --- Review fixes (dialysis start with an override) ---------------------------------------------------
def test_an_overridden_dialysis_titration_still_starts_at_no_more_than_5_mg_per_day() -> None:
    # A low start (1 mg QID x 1/3 = 1.3 mg/day) rounds down to nothing with 10 mg tablets; dropping that
    # step used to make the plan start at 10 mg/day while ORAL-DIALYSIS-001 said "no more than 5".
    override = Override("ORAL-DIALYSIS-002", "nephrology agrees, levels monitored", "Dr A")

    plan = plan_titration(
        start_date=D0,
        patient=PatientSnapshot(dialysis=True),
        target_mg_per_day=30,
        start_dose_mg=1,
        step_dose_mg=7,
        doses_per_day=4,
        overrides=[override],
    )

    assert plan.steps[0].daily_dose_mg <= 5.0
    assert [s.daily_dose_mg for s in plan.steps] == [5.0, 10.0]
    finding = next(f for f in plan.findings if f.rule_id == "ORAL-DIALYSIS-001")
    assert "starts at 5 mg/day" in finding.message


def test_an_overridden_dialysis_titration_refuses_a_product_that_cannot_give_the_dialysis_dose() -> None:
    # 20 mg tablets give 10 mg at the least: the plan used to start a dialysis patient at 10 mg/day.
    with pytest.raises(InvalidInputError) as err:
        plan_titration(
            start_date=D0,
            patient=PatientSnapshot(dialysis=True),
            target_mg_per_day=60,
            product=get_oral_product("tablet-20mg"),
            overrides=[Override("ORAL-DIALYSIS-002", "nephrology agrees", "Dr A")],
        )

    assert err.value.field == "product"
    assert "5 mg/day" in err.value.expected and "oral solution" in err.value.expected


@settings(max_examples=80)
@given(
    target=st.floats(min_value=5, max_value=300),
    start_dose=st.floats(min_value=1, max_value=60),
    step=st.floats(min_value=1, max_value=60),
    doses=st.sampled_from([3, 4]),
    product=oral_products,
)
def test_a_dialysis_plan_never_starts_above_the_dialysis_dose_even_with_the_override(
    target: float, start_dose: float, step: float, doses: int, product
) -> None:
    try:
        plan = plan_titration(
            start_date=D0,
            patient=PatientSnapshot(dialysis=True),
            product=product,
            target_mg_per_day=target,
            start_dose_mg=start_dose,
            step_dose_mg=step,
            doses_per_day=doses,
            overrides=[Override("ORAL-DIALYSIS-002", "nephrology agrees", "Dr A")] if target / 3 > 5 else [],
        )
    except InvalidInputError as exc:
        assert exc.field == "product"
        return

    assert plan.steps[0].daily_dose_mg <= 5.0


# --- Review fixes (a schedule faster than the label is never silent) -----------------------------------
@pytest.mark.parametrize(
    ("kwargs", "what"),
    [
        ({"step_interval_days": 1}, "every 1 day"),
        ({"step_dose_mg": 20, "target_mg_per_day": 80}, "by 60 mg/day"),
        ({"start_dose_mg": 20}, "starts at 60 mg/day"),
        ({"doses_per_day": 4}, "starts at 20 mg/day"),
    ],
)
def test_a_schedule_faster_than_the_label_gives_a_cited_warning(kwargs: dict, what: str) -> None:
    plan = plan_titration(start_date=D0, patient=PatientSnapshot(crcl_ml_min=100), **kwargs)

    finding = next(f for f in plan.findings if f.rule_id == "ORAL-LABEL-002")
    assert finding.severity is Severity.WARN
    assert what in finding.message
    assert {"S1", "S4"} <= set(finding.evidence)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"patient": PatientSnapshot(locale=Locale.UK)},
        {"target_mg_per_day": 100, "overrides": [Override("ORAL-MAX-001", "in hospital", "Dr A")]},
        {"patient": PatientSnapshot(crcl_ml_min=20)},
        {"start_dose_mg": 2.5, "step_dose_mg": 2.5},
        {"step_interval_days": 3, "patient": PatientSnapshot(locale=Locale.UK)},
    ],
)
def test_the_label_schedule_and_slower_ones_give_no_pace_warning(kwargs: dict) -> None:
    plan = plan_titration(start_date=D0, **kwargs)

    assert "ORAL-LABEL-002" not in _ids(plan)


@pytest.mark.parametrize("value", [float("nan"), float("-inf")])
@pytest.mark.parametrize("name", ["oral.max_daily_dose_mg.us", "oral.max_daily_dose_mg.in_hospital.uk"])
def test_a_non_finite_setting_is_refused_and_never_lifts_the_ceiling(name: str, value: float) -> None:
    # NaN passed the bounds check (every comparison with NaN is false) and made the ceiling vanish.
    with pytest.raises(InvalidInputError) as err:
        plan_titration(start_date=D0, target_mg_per_day=200, doses_per_day=4, settings={name: value})

    assert err.value.field == name


# --- Review fixes (a product too coarse for the reduced start dose never starts the plan higher) --------
@pytest.mark.parametrize(
    ("patient", "product", "whole_only", "first", "blocks"),
    [
        (PatientSnapshot(crcl_ml_min=25), "tablet-20mg", False, 10.0, True),  # 15 x 1/3 = 5: 20 mg gives 10
        (PatientSnapshot(crcl_ml_min=25), "tablet-10mg", False, 5.0, False),
        (PatientSnapshot(crcl_ml_min=25), "tablet-5mg", False, 5.0, False),
        (PatientSnapshot(crcl_ml_min=25), "ozobax", False, 5.0, False),
        (PatientSnapshot(crcl_ml_min=30.0), "tablet-20mg", False, 10.0, True),
        (PatientSnapshot(crcl_ml_min=50.0), "tablet-20mg", False, 10.0, True),  # 15 x 1/2 = 7.5
        (PatientSnapshot(crcl_ml_min=50.01), "tablet-20mg", False, 10.0, False),  # 15 x 2/3 = 10
        (PatientSnapshot(crcl_ml_min=45), "tablet-10mg", False, 5.0, False),  # 7.5 rounded down to 5
        (PatientSnapshot(crcl_ml_min=45), "tablet-10mg", True, 10.0, True),  # whole tablets: 7.5 -> 0
        (PatientSnapshot(), "tablet-20mg", False, 10.0, False),  # 15 rounded down to 10
        (PatientSnapshot(), "tablet-20mg", True, 20.0, True),  # whole 20 mg tablets: 15 -> 0
        (PatientSnapshot(locale=Locale.UK, crcl_ml_min=25), "uk-tablet-10mg", True, 10.0, True),
        (PatientSnapshot(locale=Locale.UK, crcl_ml_min=25), "uk-tablet-5mg", True, 5.0, False),
    ],
)
def test_a_product_that_cannot_give_the_reduced_start_dose_blocks_instead_of_starting_higher(
    patient: PatientSnapshot, product: str, whole_only: bool, first: float, blocks: bool
) -> None:
    plan = plan_titration(
        start_date=D0,
        patient=patient,
        product=get_oral_product(product),
        settings={"products.tablets_scored": False} if whole_only else None,
    )

    assert plan.steps[0].daily_dose_mg == first
    assert ("ORAL-PRODUCT-001" in _ids(plan)) is blocks
    # Issue 9 item 3: the reduction comes from one PK study (S22): ORAL-PRODUCT-001 is a warn, like ORAL-RENAL-00x.
    assert plan.offerable
    if blocks:
        finding = next(f for f in plan.findings if f.rule_id == "ORAL-PRODUCT-001")
        assert finding.severity is Severity.WARN
        assert finding.reasoning and finding.data["first_planned_mg_per_day"] == first
        assert set(get_oral_product(product).evidence) <= set(finding.evidence)
        if patient.kidney.is_known:
            assert "S22" in finding.evidence and "kidney-reduced" in finding.message


def test_the_block_names_a_product_that_can_give_the_reduced_start_and_an_override_is_recorded() -> None:
    patient = PatientSnapshot(crcl_ml_min=25)
    blocked = plan_titration(start_date=D0, patient=patient, product=get_oral_product("tablet-20mg"))

    finding = next(f for f in blocked.findings if f.rule_id == "ORAL-PRODUCT-001")
    assert "5 mg/day" in finding.message and "10 mg/day" in finding.message
    assert "tablet-5mg" in finding.message and "ozobax" in finding.message
    assert {"S22", "S13", "S4"} <= set(finding.evidence)
    assert finding.data["reduced_start_mg_per_day"] == 5.0
    for name in ("tablet-5mg", "ozobax"):
        again = plan_titration(start_date=D0, patient=patient, product=get_oral_product(name))
        assert again.offerable and again.steps[0].daily_dose_mg == 5.0

    uk = plan_titration(
        start_date=D0,
        patient=PatientSnapshot(locale=Locale.UK, crcl_ml_min=25),
        settings={"products.tablets_scored": False},
    )
    uk_finding = next(f for f in uk.findings if f.rule_id == "ORAL-PRODUCT-001")
    assert "uk-tablet-5mg" in uk_finding.message and "uk-solution-5mg-5ml" in uk_finding.message

    # Issue 9 item 3: a warn (the S22 reduction is one PK study), so the plan is offerable without an override.
    assert blocked.offerable and finding.severity is Severity.WARN


def test_dialysis_without_a_target_keeps_a_lower_start_asked_for() -> None:
    plan = plan_titration(
        start_date=D0,
        patient=PatientSnapshot(dialysis=True),
        product=get_oral_product("ozobax"),
        start_dose_mg=1,
        step_dose_mg=1,
    )

    assert plan.steps[0].daily_dose_mg == 1.0  # 1 mg TID x 1/3, not lifted to the 5 mg/day dialysis dose
    assert plan.max_daily_dose_mg <= 5.0
    assert plan.offerable


@settings(max_examples=200)
@given(
    patient=patients(),
    target=st.none() | st.floats(min_value=1, max_value=300),
    start_dose=st.just(5.0) | st.floats(min_value=0.5, max_value=60),
    step=st.floats(min_value=1, max_value=60),
    doses=st.sampled_from([3, 4]),
    product=oral_products,
    whole_only=st.booleans(),
)
def test_no_offerable_titration_starts_above_the_kidney_reduced_start_dose(
    patient: PatientSnapshot,
    target: float | None,
    start_dose: float,
    step: float,
    doses: int,
    product,
    whole_only: bool,
) -> None:
    ceiling = CEILING[patient.locale]
    overrides = []
    if target is not None and target > ceiling:
        overrides.append(Override("ORAL-MAX-001", "in hospital", "Dr A"))
    if patient.kidney.dialysis and target is not None:
        overrides.append(Override("ORAL-DIALYSIS-002", "nephrology agrees", "Dr A"))
    try:
        plan = plan_titration(
            start_date=D0,
            patient=patient,
            product=product,
            target_mg_per_day=target,
            start_dose_mg=start_dose,
            step_dose_mg=step,
            doses_per_day=doses,
            overrides=overrides,
            settings={"products.tablets_scored": False} if whole_only else None,
        )
    except InvalidInputError as exc:
        # a product that cannot give any planned dose, or an override the plan has no block for
        assert exc.field in {"product", "override"}
        return

    if patient.kidney.dialysis:
        factor = Fraction(1, 3)
    elif patient.kidney.crcl_ml_min is not None:
        factor = kidney_band(patient.kidney.crcl_ml_min).factor
    else:
        factor = Fraction(1)
    capped = min(60.0, ceiling) if target is None else min(target, 120.0 if target > ceiling else ceiling)
    reduced_start = float(Fraction(min(start_dose * doses, capped)) * factor)
    label_start = float(Fraction(min(15.0, capped)) * factor)

    if plan.offerable:
        # Issue 9 item 3: a start above the (kidney-reduced) start is named by the warn ORAL-PRODUCT-001.
        above = plan.steps[0].daily_dose_mg > reduced_start + 1e-9 or (
            start_dose == 5.0 and doses == 3 and plan.steps[0].daily_dose_mg > label_start + 1e-9
        )
        if above:
            assert "ORAL-PRODUCT-001" in _ids(plan)
    else:
        assert any(f.is_blocking for f in plan.findings)
