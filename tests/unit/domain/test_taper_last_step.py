"""Issue 8 defect 7: the last step down to zero obeys the same step rules as every other step.

"`plan taper --from-mg-per-day 80 --max-step-mg 80 --months-on-therapy 1` gives 40 mg/day for 14 days
then 0: effectively abrupt, offerable with info only (24 of 500 random tapers; one dialysis case
100 -> 60 -> 0)."
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.oral.limits import TAPER_MAX_STEP_MG_PER_DAY
from baclofen.domain.oral.plan import Plan
from baclofen.domain.oral.taper import plan_taper
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.products import ORAL_PRODUCTS, get_oral_product
from baclofen.domain.rules import Override, Severity
from tests.strategies import patients

D0 = date(2026, 12, 5)


def _reductions(plan: Plan) -> list[float]:
    daily = [float(plan.parameters["from_mg_per_day"])] + [s.daily_dose_mg for s in plan.steps]
    return [a - b for a, b in zip(daily, daily[1:], strict=False)]


def _block(plan: Plan, rule_id: str) -> Any:
    return next((f for f in plan.findings if f.rule_id == rule_id and f.severity is Severity.BLOCK), None)


def _finding(plan: Plan, rule_id: str) -> Any:
    return next((f for f in plan.findings if f.rule_id == rule_id), None)


#: Issue 9 item 2: the step size is UNCONFIRMED (S109 is never the basis of a hard rule): a step above it is a
#: warn, a block only where the clinic profile says so.
BLOCK_ON_CLINIC = {"taper.block_on_clinic_limits": True}


def test_issue8_d7_a_requested_step_above_the_step_limit_is_a_block() -> None:
    """80 mg/day with --max-step-mg 80: 40 mg/day then 0 is not offerable without a clinician's override (where the
    clinic profile makes its step limit a block; by default a warn, issue 9 item 2)."""
    warned = plan_taper(start_date=D0, from_mg_per_day=80, max_step_mg=80, months_on_therapy=1)
    assert warned.offerable and _finding(warned, "TAPER-STEP-001").severity is Severity.WARN
    assert "last step" in _finding(warned, "TAPER-STEP-001").message

    plan = plan_taper(start_date=D0, from_mg_per_day=80, max_step_mg=80, months_on_therapy=1, settings=BLOCK_ON_CLINIC)

    assert [s.daily_dose_mg for s in plan.steps] == [40.0, 0.0]
    assert not plan.offerable
    block = _block(plan, "TAPER-STEP-001")
    assert block is not None
    assert block.data["largest_step_mg_per_day"] == 40.0
    assert block.data["max_step_mg_per_day"] == float(TAPER_MAX_STEP_MG_PER_DAY.default)
    assert "last step" in block.message  # the stop from 40 mg/day is named
    assert plan.setting_value("taper.max_step_mg_per_day") == TAPER_MAX_STEP_MG_PER_DAY.default
    assert plan.parameters["max_step_mg"] == 80.0

    overridden = plan_taper(
        start_date=D0,
        from_mg_per_day=80,
        max_step_mg=80,
        months_on_therapy=1,
        settings=BLOCK_ON_CLINIC,
        overrides=[Override("TAPER-STEP-001", "serious adverse effect: encephalopathy", "Dr A. Example")],
    )
    assert overridden.offerable


def test_issue8_d7_the_dialysis_case_with_20_mg_granules_is_a_block() -> None:
    """The dialysis case 100 -> 60 -> 0 (a 20 mg product rounds the only intermediate step up)."""
    plan = plan_taper(
        start_date=D0,
        from_mg_per_day=100,
        max_step_mg=60,
        months_on_therapy=1,
        patient=PatientSnapshot(dialysis=True),
        product=get_oral_product("lyvispah-20mg"),
        settings=BLOCK_ON_CLINIC,
    )

    assert [s.daily_dose_mg for s in plan.steps] == [60.0, 0.0]
    assert _block(plan, "TAPER-STEP-001") is not None
    assert not plan.offerable


def test_a_smaller_requested_step_is_the_plans_limit() -> None:
    plan = plan_taper(start_date=D0, from_mg_per_day=30, max_step_mg=5)

    assert max(_reductions(plan)) == 5.0
    assert plan.setting_value("taper.max_step_mg_per_day") == 5
    assert plan.offerable


def test_a_clinic_step_limit_lets_the_plan_use_it() -> None:
    plan = plan_taper(start_date=D0, from_mg_per_day=40, settings={"taper.max_step_mg_per_day": 20})

    assert max(_reductions(plan)) <= 20
    assert _block(plan, "TAPER-STEP-001") is None and plan.offerable


_products = st.sampled_from(sorted(ORAL_PRODUCTS))


@settings(max_examples=300)
@given(
    current=st.integers(min_value=1, max_value=400).map(lambda n: n / 2),
    target_fraction=st.sampled_from([0.0, 0.0, 0.0, 0.25, 0.5]),
    requested=st.none() | st.floats(min_value=0.1, max_value=200, allow_nan=False),
    limit=st.none() | st.sampled_from([2.5, 5, 7.5, 10, 12.5, 20, 40]),
    product=_products,
    scored=st.none() | st.booleans(),
    patient=patients(),
    months=st.none() | st.floats(min_value=0, max_value=240, allow_nan=False),
    interval=st.none() | st.integers(min_value=1, max_value=14),
    min_days=st.none() | st.integers(min_value=1, max_value=60),
    block_on_clinic=st.booleans(),
)
def test_issue8_d7_no_offerable_taper_has_a_step_above_the_limit_the_last_included(
    current: float,
    target_fraction: float,
    requested: float | None,
    limit: float | None,
    product: str,
    scored: bool | None,
    patient: PatientSnapshot,
    months: float | None,
    interval: int | None,
    min_days: int | None,
    block_on_clinic: bool,
) -> None:
    """Random tapers (kidney, dialysis, product rounding): every step, the last one to zero included, is within
    the plan's step limit and the taper to zero lasts the minimum duration, or a standing block says otherwise."""
    prod = get_oral_product(product, tablets_scored=scored)
    target = round(current * target_fraction / 10) * 10.0
    chosen: dict[str, Any] = {} if limit is None else {"taper.max_step_mg_per_day": limit}
    chosen["taper.block_on_clinic_limits"] = block_on_clinic
    try:
        plan = plan_taper(
            start_date=D0,
            from_mg_per_day=current,
            to_mg_per_day=target,
            patient=patient,
            product=prod,
            months_on_therapy=months,
            max_step_mg=requested,
            step_interval_days=interval,
            min_days_to_zero=min_days,
            settings=chosen,
        )
    except InvalidInputError:
        assume(False)
        return

    step_limit = float(plan.setting_value("taper.max_step_mg_per_day"))
    clinic_limit = float(TAPER_MAX_STEP_MG_PER_DAY.default if limit is None else limit)
    assert step_limit <= clinic_limit + 1e-9, "a requested step never raises the plan's limit"
    reductions = _reductions(plan)
    too_big = max(reductions) > step_limit + 1e-9
    step = _finding(plan, "TAPER-STEP-001")
    assert (step is not None) is too_big
    assert step is None or step.severity is (Severity.BLOCK if block_on_clinic else Severity.WARN)
    sourced_days = min(14, plan.setting_value("taper.min_days_to_zero"))
    if target == 0:
        assert plan.steps[0].daily_dose_mg > 0, "never stops on the first day"
        days = plan.parameters["days_to_target"]
        too_short = days < plan.parameters["required_days_to_zero"]
        assert (_block(plan, "TAPER-ABRUPT-001") is not None) is (days < sourced_days)
        abrupt_002 = _finding(plan, "TAPER-ABRUPT-002")
        assert (abrupt_002 is not None) is (too_short and days >= sourced_days)
        last_dose = plan.steps[-2]
        assert last_dose.days >= plan.parameters["step_interval_days"], "the last dose lasts a whole step"
    if plan.offerable:
        if target == 0:
            assert plan.parameters["days_to_target"] >= sourced_days
        if block_on_clinic:
            assert max(reductions) <= step_limit + 1e-9
            if target == 0:
                assert plan.parameters["days_to_target"] >= plan.parameters["required_days_to_zero"]
