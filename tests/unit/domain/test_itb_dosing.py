"""Initial dose, titration per 24 h, refill-visit adjustments and dose levels, boundaries both sides."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.dosing import (
    check_daily_dose,
    compute_initial_daily_dose,
    parse_origin,
    titration_range,
)
from baclofen.domain.patient import SpasticityOrigin
from baclofen.domain.rules import Severity

SPINAL, CEREBRAL = SpasticityOrigin.SPINAL, SpasticityOrigin.CEREBRAL


def _ids(findings):
    return [f.rule_id for f in findings]


# --- initial dose -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dose", "hours", "negative", "daily"),
    [
        (50, 4.0, False, 100.0),
        (75, 7.99, False, 150.0),
        (75, 8.0, False, 150.0),  # exactly 8 h: doubled
        (75, 8.01, False, 75.0),  # more than 8 h: the dose itself
        (100, 12.0, False, 100.0),
        (50, 4.0, True, 50.0),  # negative reactions: not doubled
        (25, 0.0, False, 50.0),
    ],
)
def test_initial_dose_is_twice_the_screening_dose_unless_the_effect_lasted_more_than_8_h(
    dose, hours, negative, daily
) -> None:
    result = compute_initial_daily_dose(dose, hours, negative_reactions=negative)

    assert result.daily_dose_mcg == daily
    assert result.hourly_rate_mcg_per_h == pytest.approx(daily / 24)
    assert _ids(result.findings) == ["ITB-INIT-001"]
    assert "24 h" in result.findings[0].action


@pytest.mark.parametrize(
    ("field", "dose", "hours"),
    [
        ("screening_dose_mcg", 0, 4),
        ("screening_dose_mcg", 100.01, 4),
        ("screening_dose_mcg", float("nan"), 4),
        ("effect_duration_hours", 50, -0.1),
        ("effect_duration_hours", 50, 72.1),
    ],
)
def test_initial_dose_refuses_impossible_input(field, dose, hours) -> None:
    with pytest.raises(InvalidInputError) as err:
        compute_initial_daily_dose(dose, hours)
    assert err.value.field == field


# --- titration per 24 h ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "current", "low", "high"),
    [(SPINAL, 100, 110, 130), (SPINAL, 400, 440, 520), (CEREBRAL, 100, 105, 115), (CEREBRAL, 200, 210, 230)],
)
def test_titration_per_24_h_follows_the_label_percentages(origin, current, low, high) -> None:
    r = titration_range(current, origin)

    assert (r.min_mcg_per_day, r.max_mcg_per_day) == (pytest.approx(low), pytest.approx(high))
    assert r.decrease_percent is None


@pytest.mark.parametrize(
    ("origin", "proposed", "blocked"),
    [
        (SPINAL, 129.99, False),
        (SPINAL, 130.0, False),
        (SPINAL, 130.01, True),
        (CEREBRAL, 114.99, False),
        (CEREBRAL, 115.0, False),
        (CEREBRAL, 115.01, True),
    ],
)
def test_an_increase_beyond_the_24_h_step_is_blocked_with_overdose_signs(origin, proposed, blocked) -> None:
    r = titration_range(100, origin, hours_since_start=48, proposed_mcg_per_day=proposed)

    found = [f for f in r.findings if f.rule_id == "ITB-TITR-002"]
    assert bool(found) is blocked
    if blocked:
        assert found[0].severity is Severity.BLOCK
        assert "respiratory depression" in found[0].signs


@pytest.mark.parametrize(
    ("hours", "proposed", "blocked"),
    [
        (0.0, None, True),
        (23.99, None, True),
        (23.99, 110, True),
        (23.99, 100, False),
        (23.99, 90, False),
        (24.0, None, False),
        (24.0, 110, False),
        (None, None, False),
    ],
)
def test_no_increase_in_the_first_24_h(hours, proposed, blocked) -> None:
    r = titration_range(100, SPINAL, hours_since_start=hours, proposed_mcg_per_day=proposed)

    assert ("ITB-TITR-001" in _ids(r.findings)) is blocked


# --- refill-visit adjustments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "inc", "dec"),
    [(SPINAL, (440, 560), (320, 360)), (CEREBRAL, (420, 480), (320, 360))],
)
def test_refill_visit_ranges_follow_the_label(origin, inc, dec) -> None:
    r = titration_range(400, origin, at_refill=True)

    assert (r.increase_min_mcg_per_day, r.increase_max_mcg_per_day) == (
        pytest.approx(inc[0]),
        pytest.approx(inc[1]),
    )
    assert (r.decrease_min_mcg_per_day, r.decrease_max_mcg_per_day) == (
        pytest.approx(dec[0]),
        pytest.approx(dec[1]),
    )
    assert (r.min_mcg_per_day, r.max_mcg_per_day) == (pytest.approx(dec[0]), pytest.approx(inc[1]))


@pytest.mark.parametrize(
    ("origin", "proposed", "rule", "present"),
    [
        (SPINAL, 139.99, "ITB-TITR-002", False),
        (SPINAL, 140.0, "ITB-TITR-002", False),
        (SPINAL, 140.01, "ITB-TITR-002", True),
        (CEREBRAL, 119.99, "ITB-TITR-002", False),
        (CEREBRAL, 120.0, "ITB-TITR-002", False),
        (CEREBRAL, 120.01, "ITB-TITR-002", True),
        (SPINAL, 80.01, "ITB-TITR-004", False),
        (SPINAL, 80.0, "ITB-TITR-004", False),
        (SPINAL, 79.99, "ITB-TITR-004", True),
        (CEREBRAL, 80.0, "ITB-TITR-004", False),
        (CEREBRAL, 79.99, "ITB-TITR-004", True),
    ],
)
def test_refill_visit_adjustments_beyond_the_label_are_flagged(origin, proposed, rule, present) -> None:
    r = titration_range(100, origin, at_refill=True, proposed_mcg_per_day=proposed)

    assert (rule in _ids(r.findings)) is present


def test_a_cut_beyond_20_percent_blocks_with_withdrawal_signs() -> None:
    """Issue 9 item 4: a cut beyond the label step is a block (a warn only as a planned taper)."""
    r = titration_range(500, SPINAL, at_refill=True, proposed_mcg_per_day=350)

    finding = next(f for f in r.findings if f.rule_id == "ITB-TITR-004")
    assert finding.severity is Severity.BLOCK
    assert "pruritus without rash" in finding.signs


@pytest.mark.parametrize(
    ("current", "at_refill", "proposed", "flagged"),
    [
        (299.99, False, None, False),  # below the high-dose threshold: +30 % is fine
        (300.0, False, None, True),  # at the threshold the label's +30 % range draws the warning
        (400.0, False, 480.0, False),  # exactly +20 %
        (400.0, False, 480.01, True),  # just above +20 %
        (400.0, True, 440.0, False),
        (100.0, True, 140.0, False),
        (400.0, True, None, True),  # refill range +40 % > 20 %
    ],
)
def test_above_20_percent_at_high_doses_may_be_excessive(current, at_refill, proposed, flagged) -> None:
    r = titration_range(current, SPINAL, at_refill=at_refill, proposed_mcg_per_day=proposed)

    assert ("ITB-TITR-003" in _ids(r.findings)) is flagged


def test_cerebral_titration_never_exceeds_20_percent_so_the_high_dose_warning_does_not_apply() -> None:
    assert "ITB-TITR-003" not in _ids(titration_range(600, CEREBRAL, at_refill=True).findings)


def test_the_high_dose_threshold_is_a_setting_the_caller_may_change() -> None:
    r = titration_range(250, SPINAL, high_dose_threshold_mcg_per_day=200)

    assert "ITB-TITR-003" in _ids(r.findings)
    assert r.to_dict()["settings"][0]["value"] == 200


# --- dose levels ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dose", "confirm_warn", "block"),
    [
        (999.99, False, False),
        (1000.0, False, False),
        (1000.01, True, False),
        (2003.0, True, False),
        (2003.01, True, True),
    ],
)
def test_above_1000_needs_confirmation_and_above_2003_is_blocked(dose, confirm_warn, block) -> None:
    findings = check_daily_dose(dose)

    assert ("ITB-DOSE-001" in _ids(findings)) is confirm_warn
    assert ("ITB-DOSE-002" in _ids(findings)) is block
    if confirm_warn:
        warn = next(f for f in findings if f.rule_id == "ITB-DOSE-001")
        assert warn.severity is Severity.WARN
        assert warn.data["requires_confirmation"] is True
        assert warn.data["confirmed"] is False
        assert {"S2", "S45", "S46"} <= set(warn.evidence)


def test_a_confirmed_high_dose_still_shows_the_warning_as_confirmed() -> None:
    warn = check_daily_dose(1200, confirmed=True)[0]

    assert warn.data["confirmed"] is True
    assert "confirmed by the clinician" in warn.message


@pytest.mark.parametrize(
    ("origin", "dose", "outside"),
    [
        (SPINAL, 299.99, True),
        (SPINAL, 300, False),
        (SPINAL, 800, False),
        (SPINAL, 800.01, True),
        (CEREBRAL, 89.99, True),
        (CEREBRAL, 90, False),
        (CEREBRAL, 700, False),
        (CEREBRAL, 700.01, True),
    ],
)
def test_outside_the_usual_maintenance_range_is_noted(origin, dose, outside) -> None:
    assert ("ITB-DOSE-003" in _ids(check_daily_dose(dose, origin=origin))) is outside


def test_a_titration_range_reaching_above_1000_is_cut_at_1000_unless_confirmed() -> None:
    """Issue 8 (defects 9/10): the range never offers an unconfirmed dose above 1000 mcg/day (was: a warning
    on a range up to 1120 mcg/day)."""
    r = titration_range(800, SPINAL, at_refill=True)
    confirmed = titration_range(800, SPINAL, at_refill=True, confirm_high_dose=True)

    assert r.max_mcg_per_day == 1000.0 and "ITB-TITR-006" in _ids(r.findings)
    assert r.to_dict()["offerable"] is True
    assert confirmed.max_mcg_per_day == pytest.approx(1120.0) and "ITB-DOSE-001" in _ids(confirmed.findings)
    assert confirmed.to_dict()["offerable"] is True


def test_a_proposed_dose_above_2003_makes_the_step_not_offerable() -> None:
    r = titration_range(1800, SPINAL, at_refill=True, proposed_mcg_per_day=2100, confirm_high_dose=True)

    assert r.to_dict()["offerable"] is False


@pytest.mark.parametrize("bad", ["brain", "", None, 3])
def test_origin_must_be_spinal_or_cerebral(bad) -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_origin(bad)
    assert err.value.field == "origin"


@given(
    current=st.floats(min_value=1.0, max_value=2000.0, allow_nan=False),
    origin=st.sampled_from(list(SpasticityOrigin)),
    at_refill=st.booleans(),
)
def test_titration_never_goes_beyond_its_limits(current, origin, at_refill) -> None:
    r = titration_range(current, origin, at_refill=at_refill)

    hi = {(SPINAL, False): 1.30, (SPINAL, True): 1.40, (CEREBRAL, False): 1.15, (CEREBRAL, True): 1.20}
    lo = 0.80 if at_refill else (1.10 if origin is SPINAL else 1.05)
    assert r.max_mcg_per_day <= current * hi[(origin, at_refill)] * (1 + 1e-12)
    # issue 8: cut at the dose limits (1000 unconfirmed below it, never above 2003)
    assert r.max_mcg_per_day <= (1000.0 if current < 1000 else 2003.0)
    assert r.min_mcg_per_day >= min(current * lo, 1000.0 if current < 1000 else 2003.0) * (1 - 1e-12)
    assert r.min_mcg_per_day <= r.max_mcg_per_day
    if r.cautious_max_mcg_per_day is not None:
        assert r.cautious_max_mcg_per_day <= r.max_mcg_per_day


@given(
    current=st.floats(min_value=10.0, max_value=1500.0, allow_nan=False),
    factor=st.floats(min_value=0.5, max_value=2.0, allow_nan=False),
    origin=st.sampled_from(list(SpasticityOrigin)),
    at_refill=st.booleans(),
)
def test_a_proposal_inside_the_range_never_draws_a_step_finding_and_one_outside_always_does(
    current, factor, origin, at_refill
) -> None:
    proposed = current * factor
    r = titration_range(current, origin, at_refill=at_refill, proposed_mcg_per_day=proposed)

    ids = _ids(r.findings)
    assert ("ITB-TITR-002" in ids) is (proposed > r.label_step_max_mcg_per_day * (1 + 1e-9))
    assert ("ITB-TITR-004" in ids) is (proposed < current * 0.8 * (1 - 1e-9))


@pytest.mark.parametrize(("hours", "held"), [(0.0, True), (23.99, True), (24.0, False), (None, False)])
def test_within_the_first_24_h_the_allowed_range_is_the_current_dose(hours, held) -> None:
    r = titration_range(150, SPINAL, hours_since_start=hours)

    if held:
        assert (r.min_mcg_per_day, r.max_mcg_per_day) == (150.0, 150.0)
        assert r.to_dict()["hold_for_hours"] == pytest.approx(24.0 - hours)
    else:
        assert r.min_mcg_per_day == pytest.approx(165.0) and r.max_mcg_per_day == pytest.approx(195.0)
        assert r.to_dict()["hold_for_hours"] is None
