"""Printed documents (issue 13 items 3 and 6): the PDF's text (pdftotext) says exactly what the plan, the sign sets
and the stored visit say."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baclofen.adapters.pdf_documents import (
    MAX_LABEL_CHARS,
    MAX_SCHEDULE_DAYS,
    MIN_CARD_FONT_PT,
    WalletCard,
    render_refill_visit_pdf,
    render_schedule_pdf,
    render_wallet_card_pdf,
)
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.oral.taper import plan_taper
from baclofen.domain.oral.titration import plan_titration
from baclofen.domain.products import get_oral_product
from baclofen.domain.records import PumpRecord, RefillVisitRecord
from baclofen.domain.rules.core import Override
from baclofen.domain.signs import ITB_EMERGENCY_TEAM, ITB_OVERDOSE, ITB_WITHDRAWAL
from baclofen.services.itb import read_stored_visit
from tests.pdf_text import assert_schedule_matches, flat, needs_pdftotext, pdf_fonts, pdf_pages, pdf_text, pdf_words

pytestmark = needs_pdftotext

#: A credit card (ISO/IEC 7810 ID-1), 85.6 x 54 mm, in points.
CARD_PTS = (85.6 / 25.4 * 72, 54 / 25.4 * 72)


def test_a_titration_prints_its_steps_and_one_check_off_row_a_day() -> None:
    plan = plan_titration(start_date=date(2026, 3, 20))

    pdf = render_schedule_pdf(plan, patient_label="Ada Lovelace")

    assert_schedule_matches(plan, pdf)
    text = flat(pdf_text(pdf))
    assert "Ada Lovelace" in text and plan.product.display in text
    assert "not medical advice" in text


def test_a_taper_to_zero_prints_the_stop_day_without_doses() -> None:
    plan = plan_taper(start_date=date(2026, 10, 20), from_mg_per_day=80, months_on_therapy=24, doses_per_day=4)

    pdf = render_schedule_pdf(plan)

    assert_schedule_matches(plan, pdf)
    assert plan.steps[-1].doses == ()
    assert "no baclofen" in pdf_text(pdf)


@pytest.mark.parametrize(
    ("product", "box"),
    [
        ("fleqsuvy", "08:00 2 mL (10 mg)"),  # 5 mg/mL: 2 mL, never 10 mL
        ("ozobax", "08:00 10 mL (10 mg)"),  # 1 mg/mL
        ("tablet-10mg", "08:00 1 1/2 x 10 mg tablets (15 mg)"),
        ("lyvispah", "08:00 1 x 10 mg packet + 1 x 5 mg packet (15 mg)"),
    ],
)
def test_each_check_off_box_says_what_to_take_with_its_mg_for_liquids_tablets_and_granules(product, box) -> None:
    plan = plan_titration(start_date=date(2026, 3, 2), product=get_oral_product(product))

    pdf = render_schedule_pdf(plan)

    assert_schedule_matches(plan, pdf)
    _, checkoff = flat(pdf_text(pdf)).split("Daily check-off")
    assert box in checkoff


def test_a_long_titration_prints_exactly_its_plan() -> None:
    plan = plan_titration(start_date=date(2026, 1, 1), target_mg_per_day=80, step_interval_days=14, doses_per_day=4)
    assert (plan.end - plan.start).days > 50

    assert_schedule_matches(plan, render_schedule_pdf(plan))


def test_a_long_taper_runs_over_pages_with_the_table_header_on_each() -> None:
    plan = plan_taper(start_date=date(2026, 1, 1), from_mg_per_day=100, min_days_to_zero=180, doses_per_day=4)
    assert (plan.end - plan.start).days >= 180

    pdf = render_schedule_pdf(plan)

    assert_schedule_matches(plan, pdf)
    pages, _ = pdf_pages(pdf)
    headers = flat(pdf_text(pdf)).count("Date Day Step Doses (time, what to take) Daily total")
    assert pages >= 4 and headers >= 3  # the check-off table's header repeats on each of its pages


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.dates(date(2025, 1, 1), date(2028, 12, 31)),
    doses_per_day=st.sampled_from([3, 4]),
    target=st.sampled_from([30.0, 45.0, 60.0, 80.0]),
)
def test_any_titration_prints_exactly_its_plan(start: date, doses_per_day: int, target: float) -> None:
    plan = plan_titration(start_date=start, target_mg_per_day=target, doses_per_day=doses_per_day)

    assert_schedule_matches(plan, render_schedule_pdf(plan))


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.dates(date(2025, 1, 1), date(2028, 12, 31)),
    doses_per_day=st.sampled_from([1, 2, 3, 4]),
    from_mg=st.sampled_from([20.0, 35.0, 60.0, 90.0]),
    months=st.sampled_from([None, 3.0, 30.0]),
)
def test_any_taper_prints_exactly_its_plan(start: date, doses_per_day: int, from_mg: float, months: float) -> None:
    plan = plan_taper(start_date=start, from_mg_per_day=from_mg, doses_per_day=doses_per_day, months_on_therapy=months)

    assert_schedule_matches(plan, render_schedule_pdf(plan))


def test_a_patient_label_is_text_never_markup() -> None:
    plan = plan_titration(start_date=date(2026, 3, 20))
    label = 'Jo <b>"O\'Neil"</b> </style> \\ é'

    text = flat(pdf_text(render_schedule_pdf(plan, patient_label=label)))

    assert label in text  # in the header and in every page's footer, as typed
    assert text.count(label) >= 2


def test_a_label_too_long_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInputError) as caught:
        render_schedule_pdf(plan_titration(start_date=date(2026, 3, 20)), patient_label="x" * 121)

    assert caught.value.field == "patient_label"


# --- the wallet card -------------------------------------------------------------------------------------------------
def test_the_wallet_card_is_two_credit_card_pages_with_every_sign_and_the_numbers_with_units() -> None:
    card = WalletCard("SynchroMed II 20 mL", 500, 150.5, "Pump clinic, +44 20 7946 0000", patient_label="Ada")

    pdf = render_wallet_card_pdf(card)

    pages, (width, height) = pdf_pages(pdf)
    assert pages == 2
    assert width == pytest.approx(CARD_PTS[0], abs=0.5) and height == pytest.approx(CARD_PTS[1], abs=0.5)
    text = flat(pdf_text(pdf))
    assert "SynchroMed II 20 mL" in text and "Pump clinic, +44 20 7946 0000" in text
    assert "500 mcg/mL" in text and "150.5 mcg/day" in text
    for sign in (*ITB_WITHDRAWAL.signs, *ITB_OVERDOSE.signs):
        assert sign in text, sign
    assert flat(ITB_WITHDRAWAL.action) in text and flat(ITB_OVERDOSE.action) in text
    for line in ITB_EMERGENCY_TEAM.lines:  # a line may break after a hyphen ("life-threatening")
        assert flat(line) in text.replace("- ", "-")
    for key in (*ITB_EMERGENCY_TEAM.evidence, *ITB_WITHDRAWAL.evidence, *ITB_OVERDOSE.evidence):
        assert key in text


def _assert_legible_card(pdf: bytes, tmp_path: Path) -> None:
    """Two card sides, DejaVu fonts only, no word under MIN_CARD_FONT_PT and none past the card's edge."""
    assert all(font.startswith("DejaVu") for font in pdf_fonts(pdf, tmp_path)), pdf_fonts(pdf, tmp_path)
    sides = pdf_words(pdf)
    assert len(sides) == 2
    for side in sides:
        small = [(w.text, round(w.size_pt, 2)) for w in side if w.size_pt < MIN_CARD_FONT_PT - 0.01]
        assert not small, small
        assert max(w.right_pt for w in side) <= CARD_PTS[0]
        assert max(w.bottom_pt for w in side) <= CARD_PTS[1]


def test_no_text_on_the_wallet_card_is_smaller_than_six_points_and_the_back_uses_its_side(tmp_path: Path) -> None:
    assert MIN_CARD_FONT_PT == 6.0
    card = WalletCard("SynchroMed II 20 mL", 500, 150.5, "Pump clinic, +44 20 7946 0000", patient_label="Ada")

    pdf = render_wallet_card_pdf(card)

    _assert_legible_card(pdf, tmp_path)
    back = pdf_words(pdf)[1]
    assert max(w.bottom_pt for w in back) > 0.85 * CARD_PTS[1]  # the signs fill the back, not two thirds of it
    assert min(w.size_pt for w in back) >= 6.5


def test_a_card_with_the_longest_name_model_and_contact_keeps_two_legible_sides(tmp_path: Path) -> None:
    def longest(word: str) -> str:
        return ((word + " ") * MAX_LABEL_CHARS)[:MAX_LABEL_CHARS].strip()

    card = WalletCard(longest("Medtronic"), 2000, 1999.5, longest("+44 20 7946 0000"), patient_label=longest("Ada"))

    pdf = render_wallet_card_pdf(card)

    _assert_legible_card(pdf, tmp_path)
    text = flat(pdf_text(pdf))
    for value in (card.pump_model, card.clinic_contact, card.patient_label):
        assert value in text
    for sign in (*ITB_WITHDRAWAL.signs, *ITB_OVERDOSE.signs):
        assert sign in text, sign


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"concentration_mcg_per_ml": 0}, "concentration_mcg_per_ml"),
        ({"concentration_mcg_per_ml": 2}, "concentration_mcg_per_ml"),  # 2 mg/mL typed as mcg/mL
        ({"concentration_mcg_per_ml": 3500}, "concentration_mcg_per_ml"),  # above the strongest in the sources
        ({"concentration_mcg_per_ml": 100_000}, "concentration_mcg_per_ml"),
        ({"daily_dose_mcg": float("nan")}, "daily_dose_mcg"),
        ({"daily_dose_mcg": 0.3}, "daily_dose_mcg"),  # 0.3 mg/day typed as mcg/day
        ({"daily_dose_mcg": 20_000}, "daily_dose_mcg"),
        ({"clinic_contact": "  "}, "clinic_contact"),
        ({"pump_model": ""}, "pump_model"),
    ],
)
def test_a_wallet_card_refuses_a_missing_or_impossible_value_naming_it(change: dict, field: str) -> None:
    values = {"pump_model": "X", "concentration_mcg_per_ml": 500, "daily_dose_mcg": 100, "clinic_contact": "C"}

    with pytest.raises(InvalidInputError) as caught:
        WalletCard(**(values | change))

    assert caught.value.field == field


def test_a_wallet_card_refuses_a_mg_figure_given_as_mcg_with_the_range_and_the_value_it_likely_meant() -> None:
    with pytest.raises(InvalidInputError) as caught:
        WalletCard("X", 2, 100, "C")

    assert "50, 500, 1000, 2000 mcg/mL" in caught.value.expected and "at most 3000" in caught.value.expected
    assert "2000 mcg/mL" in caught.value.expected  # what the 2 likely meant


# --- the refill visit record ---------------------------------------------------------------------------------------
def _pump() -> PumpRecord:
    filled = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    first = RefillVisitRecord(filled, fill_ml=20, concentration_mcg_per_ml=500, program=continuous_program(100))
    second = RefillVisitRecord(
        filled + timedelta(days=60),
        expected_ml=8.0,
        aspirated_ml=7.25,
        fill_ml=20,
        concentration_mcg_per_ml=1000,
        program=continuous_program(150),
        overrides=(Override("PUMP-RECON-001", "residual checked twice", "dr.who"),),
    )
    return PumpRecord("PUMP-9", get_pump("synchromed-ii-20"), "P-9", date(2025, 6, 1), (first, second))


def test_the_refill_record_prints_the_stored_numbers_and_overrides() -> None:
    stored = read_stored_visit(_pump(), 2)

    text = flat(pdf_text(render_refill_visit_pdf(stored)))

    assert "PUMP-9" in text and "SynchroMed II 20 mL" in text and "2 of 2" in text
    assert "Expected residual 8.00 mL" in text and "Aspirated 7.25 mL" in text
    assert stored.discrepancy_ml == -0.75 and "Discrepancy -0.75 mL" in text
    assert "Fill volume 20 mL" in text and "Concentration 1000 mcg/mL" in text and "150 mcg/day" in text
    assert "PUMP-RECON-001 dr.who residual checked twice" in text
    if stored.checked is not None:
        forecast = stored.checked.forecast
        assert f"Low-reservoir alarm {forecast.low_reservoir_alarm_date.isoformat()}" in text
        for finding in stored.checked.findings:
            assert finding.rule_id in text


def test_the_first_fill_has_no_residual_to_reconcile() -> None:
    text = flat(pdf_text(render_refill_visit_pdf(read_stored_visit(_pump(), 1))))

    assert "not reconciled" in text and "Fill volume 20 mL" in text and "Concentration 500 mcg/mL" in text
    assert "No block was overridden" in text


def test_a_visit_number_out_of_range_is_not_found() -> None:
    from baclofen.domain.errors import NotFoundError

    with pytest.raises(NotFoundError):
        read_stored_visit(replace(_pump()), 3)


def test_a_schedule_longer_than_two_years_is_refused_naming_the_plan() -> None:
    plan = plan_titration(start_date=date(2026, 3, 20))
    last = plan.steps[-1]
    long = replace(plan, steps=(*plan.steps[:-1], replace(last, end=plan.start + timedelta(days=MAX_SCHEDULE_DAYS))))

    with pytest.raises(InvalidInputError) as caught:
        render_schedule_pdf(long)

    assert caught.value.field == "plan"


def test_texts_that_fit_no_legible_two_sided_card_are_refused_naming_the_card() -> None:
    wide = "W" * MAX_LABEL_CHARS  # one unbroken word of the widest letter, in every field

    with pytest.raises(InvalidInputError) as caught:
        render_wallet_card_pdf(WalletCard(wide, 500, 100, wide, patient_label=wide))

    assert caught.value.field == "card"


def test_the_longest_printed_schedule_holds_the_longest_taper_the_planner_makes() -> None:
    from baclofen.domain.oral.taper import MAX_MIN_DAYS_TO_ZERO

    assert MAX_SCHEDULE_DAYS > MAX_MIN_DAYS_TO_ZERO
