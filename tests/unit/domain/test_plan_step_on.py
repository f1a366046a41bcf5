"""Which step of a plan is taken on a day (Plan.step_on): the pages, the visit summary and the today view share it."""

from __future__ import annotations

from datetime import date, timedelta

from baclofen.domain.oral.taper import plan_taper
from baclofen.domain.oral.titration import plan_titration


def test_each_day_of_a_titration_is_its_step_and_the_last_step_continues() -> None:
    plan = plan_titration(start_date=date(2026, 3, 20))
    assert plan.steps[-1].continues

    for step in plan.steps:
        assert plan.step_on(step.start) is step and plan.step_on(step.end) is step
    assert plan.step_on(plan.start - timedelta(days=1)) is None
    assert plan.step_on(plan.end + timedelta(days=400)) is plan.steps[-1]


def test_after_a_taper_to_zero_its_stop_step_continues_without_doses() -> None:
    plan = plan_taper(start_date=date(2026, 10, 20), from_mg_per_day=40, doses_per_day=2)

    after = plan.step_on(plan.end + timedelta(days=30))

    assert after is plan.steps[-1] and after.doses == ()
    assert plan.step_on(plan.start) is plan.steps[0]
