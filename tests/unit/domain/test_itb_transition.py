"""Oral -> intrathecal transition: the oral taper (issue 1 planner) alongside intrathecal titration."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.transition import plan_oral_to_itb_transition

START = date(2026, 5, 4)


def _plan(**kwargs):
    values = {
        "infusion_start": START,
        "oral_mg_per_day": 60,
        "itb_initial_mcg_per_day": 100,
        "origin": "spinal",
    }
    return plan_oral_to_itb_transition(**(values | kwargs))


def test_the_oral_taper_starts_after_infusion_and_never_cuts_more_than_half_at_once() -> None:
    t = _plan()

    assert t.oral_taper.start == START + timedelta(days=1)
    # never 60 -> 30 -> 0 (a stop of 30 mg/day at once while intrathecal titration runs): steps of at most
    # the oral taper's own 10 mg/day, each at most half of the dose it cuts, the stop from 10 mg/day
    assert [s.daily_dose_mg for s in t.oral_taper.steps] == [50.0, 40.0, 30.0, 20.0, 10.0, 0.0]
    assert t.oral_taper.steps[-1].start - t.oral_taper.start >= timedelta(days=14)  # the oral taper's own rule
    assert "ITB-TRANS-001" in [f.rule_id for f in t.findings]


@pytest.mark.parametrize(("cut", "largest"), [(50, 30.0), (25, 15.0)])
def test_the_cut_is_a_setting_within_the_consensus_25_to_50_percent(cut, largest) -> None:
    t = _plan(max_oral_cut_percent=cut)

    doses = [60.0] + [s.daily_dose_mg for s in t.oral_taper.steps]
    assert max(a - b for a, b in zip(doses, doses[1:], strict=False)) <= largest + 1e-9


@pytest.mark.parametrize("cut", [51, 4, 100])
def test_a_cut_outside_the_allowed_range_is_refused(cut) -> None:
    with pytest.raises(InvalidInputError) as err:
        _plan(max_oral_cut_percent=cut)
    assert err.value.field == "itb.transition.max_oral_cut_percent"


def test_a_cut_the_tablet_cannot_give_names_the_cut() -> None:
    with pytest.raises(InvalidInputError) as err:
        _plan(oral_mg_per_day=5, max_oral_cut_percent=25)
    assert err.value.field == "max_oral_cut_percent"


def test_the_intrathecal_side_holds_the_first_day_and_then_rises_by_at_most_the_label_step() -> None:
    t = _plan(itb_target_mcg_per_day=400)

    days = t.days
    assert days[0].day == START and days[0].itb_max_mcg_per_day == 100
    for a, b in zip(days, days[1:], strict=False):
        assert b.itb_max_mcg_per_day <= a.itb_max_mcg_per_day * 1.30 + 1e-9
        assert b.itb_cautious_max_mcg_per_day <= b.itb_max_mcg_per_day + 1e-9
    assert t.days_to_target_at_max_step == 6  # 100 x 1.3^5 = 371 < 400 <= 100 x 1.3^6
    assert days[-1].itb_cautious_max_mcg_per_day == 400


def test_cerebral_origin_rises_more_slowly() -> None:
    assert _plan(origin="cerebral", itb_target_mcg_per_day=400).days_to_target_at_max_step == 10


def test_other_antispastics_are_weaned_one_at_a_time_after_baclofen() -> None:
    t = _plan(other_oral_antispastics=[" tizanidine"])

    finding = next(f for f in t.findings if f.rule_id == "ITB-TRANS-002")
    assert finding.data["other_oral_antispastics"] == ["tizanidine"]


def test_issue8_r2_a_blank_or_malformed_other_antispastic_is_refused_not_dropped() -> None:
    """Issue 8 round 2 (sweep): a blank name was dropped silently; the one name-list parser refuses it."""
    for bad in (["tizanidine", " "], ["tizanidine;diazepam"]):
        with pytest.raises(InvalidInputError) as err:
            _plan(other_oral_antispastics=bad)
        assert err.value.field == "other_oral_antispastics"


def test_oral_baclofen_stays_available_with_the_withdrawal_bridge_dose() -> None:
    finding = next(f for f in _plan().findings if f.rule_id == "ITB-TRANS-001")

    assert "10-20 mg every 6 h" in finding.action
    assert "S42" in finding.evidence and "S40" in finding.evidence


def test_the_oral_taper_findings_travel_with_the_plan() -> None:
    ids = [f.rule_id for f in _plan().findings]

    assert "TAPER-INFO-001" in ids


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"infusion_start": "2026-05-04"}, "infusion_start"),
        ({"oral_mg_per_day": 0}, "oral_mg_per_day"),
        ({"itb_initial_mcg_per_day": -1}, "itb_initial_mcg_per_day"),
        ({"origin": "x"}, "origin"),
        ({"itb_target_mcg_per_day": 0}, "itb_target_mcg_per_day"),
    ],
)
def test_bad_input_names_the_field(kwargs, field) -> None:
    with pytest.raises(InvalidInputError) as err:
        _plan(**kwargs)
    assert err.value.field == field


@given(st.sampled_from([10, 15, 20, 30, 40, 45, 60, 80, 100]), st.floats(min_value=25, max_value=50))
def test_no_oral_cut_exceeds_the_allowed_share_and_the_taper_ends_at_zero(oral, cut) -> None:
    if oral * cut / 100 < 5 - 1e-6:  # below half a 10 mg tablet: the product cannot give such a cut
        with pytest.raises(InvalidInputError):
            _plan(oral_mg_per_day=oral, max_oral_cut_percent=cut)
        return
    if oral * cut / 100 < 5 + 1e-6:
        return  # at the tablet's resolution: either answer is acceptable
    t = _plan(oral_mg_per_day=oral, max_oral_cut_percent=cut)

    doses = [float(oral)] + [s.daily_dose_mg for s in t.oral_taper.steps]
    assert doses[-1] == 0.0
    assert all(b <= a for a, b in zip(doses, doses[1:], strict=False))
    assert max(a - b for a, b in zip(doses, doses[1:], strict=False)) <= oral * cut / 100 + 1e-9
    # the stop comes from at most the oral taper's own step (10 mg/day), never from 30 mg/day
    assert 0 < doses[-2] <= 10.0
    # before the stop, no cut is more than half of the dose it cuts; a cut above the configured share warns
    cuts = [(a - b) / a * 100 for a, b in zip(doses, doses[1:-1], strict=False)]
    assert all(c <= 50 + 1e-9 for c in cuts)
    assert ("ITB-TRANS-003" in [f.rule_id for f in t.findings]) == any(c > cut * (1 + 1e-9) for c in cuts)


def test_a_configured_share_below_half_that_the_even_steps_cannot_keep_is_a_warning() -> None:
    t = _plan(max_oral_cut_percent=25)

    finding = next(f for f in t.findings if f.rule_id == "ITB-TRANS-003")
    assert finding.severity.value == "warn"
    assert "20 -> 10 mg/day cuts 50 %" in finding.message
    assert finding.reasoning and finding.evidence and finding.signs
    assert "ITB-TRANS-003" not in [f.rule_id for f in _plan().findings]


def test_the_transition_finding_names_where_the_oral_taper_stops() -> None:
    finding = next(f for f in _plan().findings if f.rule_id == "ITB-TRANS-001")

    assert finding.data["stop_from_mg_per_day"] == 10.0
    assert finding.data["largest_cut_percent_of_current"] == 50.0
    assert "stopping from 10 mg/day" in finding.message
