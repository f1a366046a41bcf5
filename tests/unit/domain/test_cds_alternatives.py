"""Alternatives advisor: guideline order, exclusions with reasons, monitoring settings and the cross-taper."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen.domain.cds.alternatives import (
    Guideline,
    OptionStatus,
    advise_alternatives,
    plan_cross_taper,
)
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.patient import KidneyFunction, Locale, PatientSnapshot, Sex
from baclofen.domain.rules.core import Override


def _order(advice: object) -> list[str]:
    return [o.key for o in advice.options]  # type: ignore[attr-defined]


def test_nice_order_is_baclofen_or_gabapentin_then_tizanidine() -> None:
    keys = _order(advise_alternatives(baclofen_outcome="failed"))

    assert keys[:4] == ["physiotherapy", "baclofen", "gabapentin", "tizanidine"]


def test_european_consensus_puts_tizanidine_first_line() -> None:
    advice = advise_alternatives(baclofen_outcome="failed", guideline="european-consensus")

    assert _order(advice)[:4] == ["physiotherapy", "baclofen", "tizanidine", "gabapentin"]
    assert advice.option("tizanidine").line == "first line"
    used = advice.to_dict()["settings"]
    assert [s["name"] for s in used] == [
        "cds.alternatives.guideline",
        "cds.tizanidine.lft_schedule",
        "cds.dantrolene.no_benefit_stop_days",
        "cds.nabiximols.max_sprays_per_day",
        "cds.dantrolene.hepatotoxicity_age_years",
    ]
    assert used[0]["status"] == "disagree"
    assert used[0]["value"] == "european-consensus"
    assert used[0]["choices"] == ["nice", "european-consensus", "ms-ireland", "nhs-scotland-abi"]


def test_a_guideline_setting_is_checked_by_its_declared_choices() -> None:
    from baclofen.domain.cds.alternatives import GUIDELINE, TIZANIDINE_LFT_SCHEDULE
    from baclofen.domain.cds.therapies import TIZANIDINE_LFT_TEXT

    assert GUIDELINE.choices == tuple(g.value for g in Guideline)
    assert TIZANIDINE_LFT_SCHEDULE.choices == tuple(TIZANIDINE_LFT_TEXT)
    advice = advise_alternatives(settings={"cds.alternatives.guideline": "MS Ireland"})
    assert advice.guideline is Guideline.MS_IRELAND


def test_the_guideline_can_be_chosen_by_setting() -> None:
    advice = advise_alternatives(settings={"cds.alternatives.guideline": "ms-ireland"})

    assert advice.guideline is Guideline.MS_IRELAND


def test_unconfirmed_nice_positions_say_so() -> None:
    dantrolene = advise_alternatives().option("dantrolene")

    assert dantrolene.position_status.value == "unconfirmed"
    assert any("UNCONFIRMED" in r.text for r in dantrolene.reasons)


@pytest.mark.parametrize("guideline", [g.value for g in Guideline])
@pytest.mark.parametrize("inhibitor", ["ciprofloxacin", "fluvoxamine", "Cipro"])
def test_tizanidine_is_never_offered_with_ciprofloxacin_or_fluvoxamine(guideline: str, inhibitor: str) -> None:
    advice = advise_alternatives(baclofen_outcome="not-tolerated", current_drugs=[inhibitor], guideline=guideline)
    tiz = advice.option("tizanidine")

    assert tiz.status is OptionStatus.EXCLUDED
    assert not tiz.offered
    assert any(r.text.startswith("excluded: tizanidine +") for r in tiz.reasons)
    assert "tizanidine" not in advice.to_dict()["offered"]


def test_a_clinician_override_turns_the_exclusion_into_caution_with_the_reason_recorded() -> None:
    # Issue 8: the tizanidine + ciprofloxacin block is absolute now; an overridable block shows the mechanism.
    override = Override("CI-DAN-LIVER-001", "hepatology reviewed; enzymes normal", "Dr A")
    advice = advise_alternatives(liver_disease=True, overrides=[override])
    dan = advice.option("dantrolene")

    assert dan.status is OptionStatus.CAUTION
    assert next(f for f in dan.findings if f.rule_id == "CI-DAN-LIVER-001").overridden_by is not None


def test_the_tizanidine_contraindication_cannot_be_overridden() -> None:
    with pytest.raises(InvalidInputError, match="cannot be overridden"):
        advise_alternatives(
            current_drugs=["ciprofloxacin"],
            overrides=[Override("INT-TIZ-CYP1A2-001", "ciprofloxacin stops tomorrow", "Dr A")],
        )


def test_an_override_that_matches_nothing_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="override"):
        advise_alternatives(overrides=[Override("CI-DAN-LIVER-001", "hepatology reviewed", "Dr A")])


def test_other_cyp1a2_inhibitors_make_tizanidine_a_caution() -> None:
    assert advise_alternatives(current_drugs=["famotidine"]).option("tizanidine").status is OptionStatus.CAUTION


def test_dantrolene_is_excluded_in_liver_disease_and_tizanidine_needs_liver_tests() -> None:
    advice = advise_alternatives(liver_disease=True)

    assert advice.option("dantrolene").status is OptionStatus.EXCLUDED
    assert advice.option("tizanidine").status is OptionStatus.CAUTION
    assert any("liver" in m.text for m in advice.option("tizanidine").monitoring)


def test_tizanidine_dose_reduction_below_crcl_25() -> None:
    tiz = advise_alternatives(kidney=KidneyFunction(20)).option("tizanidine")

    assert tiz.status is OptionStatus.CAUTION
    assert "CI-TIZ-RENAL-001" in [f.rule_id for f in tiz.findings]


@pytest.mark.parametrize(("focal", "status"), [(True, OptionStatus.RECOMMENDED), (False, OptionStatus.NOT_APPLICABLE)])
def test_botulinum_toxin_is_for_focal_spasticity(focal: bool, status: OptionStatus) -> None:
    assert advise_alternatives(focal=focal).option("botulinum-toxin").status is status


@pytest.mark.parametrize(
    ("severe", "outcome", "status"),
    [
        (False, "failed", OptionStatus.NOT_APPLICABLE),
        (True, "failed", OptionStatus.RECOMMENDED),
        (True, "not-tolerated", OptionStatus.RECOMMENDED),
        (True, "not-tried", OptionStatus.CAUTION),
    ],
)
def test_itb_is_for_severe_spasticity_after_oral_baclofen(severe: bool, outcome: str, status: OptionStatus) -> None:
    assert advise_alternatives(severe=severe, baclofen_outcome=outcome).option("intrathecal-baclofen").status is status


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("failed", OptionStatus.TRIED),
        ("not-tolerated", OptionStatus.TRIED),
        ("current", OptionStatus.CURRENT),
        ("not-tried", OptionStatus.RECOMMENDED),
    ],
)
def test_baclofen_itself(outcome: str, status: OptionStatus) -> None:
    assert advise_alternatives(baclofen_outcome=outcome).option("baclofen").status is status


def test_monitoring_settings_tizanidine_lft_schedule_and_dantrolene_no_benefit_window() -> None:
    default = advise_alternatives()
    older = advise_alternatives(
        settings={"cds.tizanidine.lft_schedule": "older-label", "cds.dantrolene.no_benefit_stop_days": 56}
    )

    assert "1 month after the maximum dose" in default.option("tizanidine").monitoring[0].text
    assert "1, 3 and 6 months" in older.option("tizanidine").monitoring[0].text
    assert "45 days" in default.option("dantrolene").monitoring[1].text
    assert "56 days" in older.option("dantrolene").monitoring[1].text


def test_nabiximols_trial_and_physiotherapy_always() -> None:
    advice = advise_alternatives()

    assert advice.option("physiotherapy").status is OptionStatus.RECOMMENDED
    assert "continue only with at least 20% improvement" in advice.option("nabiximols").monitoring[0].text


def test_dantrolene_risk_factors_and_estrogens_are_shown() -> None:
    dan = advise_alternatives(sex=Sex.FEMALE, age_years=50, current_drugs=["estradiol"]).option("dantrolene")

    assert {"CI-DAN-HEPRISK-001", "INT-DAN-ESTROGEN-001"} <= {f.rule_id for f in dan.findings}
    assert dan.status is OptionStatus.CAUTION


def test_unknown_drugs_and_conditions_are_reported() -> None:
    advice = advise_alternatives(current_drugs=["unobtainium"], conditions=["gout"])

    assert [u["query"] for u in advice.to_dict()["unknown_drugs"]] == ["unobtainium"]
    assert advice.unknown_conditions == ("gout",)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"baclofen_outcome": "bad"}, "baclofen_outcome"),
        ({"guideline": "who"}, "guideline"),
        ({"settings": {"cds.tizanidine.lft_schedule": "weekly"}}, "cds.tizanidine.lft_schedule"),
        ({"settings": {"nope": 1}}, "setting"),
        ({"age_years": 200}, "age_years"),
        ({"switch_to": "aspirin"}, "switch_to"),
        ({"switch_to": "baclofen", "baclofen_outcome": "failed"}, "switch_to"),
        ({"switch_to": "tizanidine", "current_baclofen_mg_per_day": 30}, "start_date"),
    ],
)
def test_bad_input_is_named(kw: dict, field: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        advise_alternatives(**kw)

    assert err.value.field == field


# --- cross-taper ----------------------------------------------------------------------------------------------------
def test_switching_to_tizanidine_pairs_the_baclofen_taper_with_the_tizanidine_start() -> None:
    advice = advise_alternatives(
        baclofen_outcome="not-tolerated",
        switch_to="Zanaflex",
        current_baclofen_mg_per_day=60,
        months_on_therapy=24,
        start_date=date(2026, 3, 2),
    )
    cross = advice.cross_taper

    assert cross is not None
    assert cross.taper.start == date(2026, 3, 2)
    assert cross.taper.steps[-1].daily_dose_mg == 0
    assert (cross.taper.steps[-1].start - cross.taper.start).days >= 14
    assert cross.new_drug.drug_key == "tizanidine"
    assert cross.new_drug.steps[0] == (date(2026, 3, 2), "2 mg (may repeat every 6-8 h, up to 3 doses in 24 h)")
    assert cross.new_drug.earliest_next_increase == date(2026, 3, 3)
    assert "S73" in cross.new_drug.rule.evidence
    assert any("liver tests" in n for n in cross.notes)


def test_a_switch_to_an_excluded_drug_is_refused_with_the_blocking_finding() -> None:
    advice = advise_alternatives(
        switch_to="tizanidine",
        current_drugs=["fluvoxamine"],
        current_baclofen_mg_per_day=60,
        start_date=date(2026, 3, 2),
    )

    assert advice.cross_taper is None
    assert [f.rule_id for f in advice.switch_refused] == ["INT-TIZ-CYP1A2-001"]


def test_uk_tizanidine_start_and_the_start_day_setting() -> None:
    plan = plan_cross_taper(
        start_date=date(2026, 3, 2),
        from_mg_per_day=30,
        new_drug="tizanidine",
        patient=PatientSnapshot(locale=Locale.UK),
        settings={"cds.cross_taper.new_drug_start_day": 7},
    )

    assert plan.new_drug.start_date == date(2026, 3, 9)
    assert plan.new_drug.steps[0][1] == "2 mg once daily"
    assert plan.new_drug.earliest_next_increase == date(2026, 3, 12)
    assert "S25" in plan.new_drug.rule.evidence


def test_gabapentin_cross_taper_shows_the_additive_sedation_of_the_overlap() -> None:
    plan = plan_cross_taper(start_date=date(2026, 3, 2), from_mg_per_day=30, new_drug="gabapentin")

    assert [d for _, d in plan.new_drug.steps] == ["300 mg/day", "600 mg/day", "900 mg/day"]
    assert [f.rule_id for f in plan.overlap_findings] == ["INT-BAC-GABA-001"]


def test_a_new_drug_start_after_baclofen_has_stopped_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="cds.cross_taper.new_drug_start_day"):
        plan_cross_taper(
            start_date=date(2026, 3, 2),
            from_mg_per_day=30,
            new_drug="tizanidine",
            settings={"cds.cross_taper.new_drug_start_day": 200},
        )


def test_a_drug_without_a_cited_titration_start_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="new_drug"):
        plan_cross_taper(start_date=date(2026, 3, 2), from_mg_per_day=30, new_drug="pregabalin")


@settings(max_examples=25)
@given(st.integers(2, 24).map(lambda n: n * 5.0), st.integers(0, 60))
def test_the_cross_taper_never_stops_baclofen_abruptly(from_mg: float, months: int) -> None:
    plan = plan_cross_taper(
        start_date=date(2026, 1, 5), from_mg_per_day=from_mg, new_drug="tizanidine", months_on_therapy=months
    )
    totals = [v for _, v in plan.taper.daily_totals()]

    assert all(b <= a for a, b in zip(totals, totals[1:], strict=False))
    assert plan.taper.steps[-1].start - plan.taper.start >= timedelta(days=14)
    assert plan.new_drug.start_date <= plan.taper.steps[-1].start


@pytest.mark.parametrize("inhibitor", ["ciprofloxacin", "Cipro", "fluvoxamine", "Faverin"])
def test_a_cross_taper_to_tizanidine_screens_the_current_medicines_and_is_not_offerable_with_a_block(
    inhibitor: str,
) -> None:
    plan = plan_cross_taper(
        start_date=date(2026, 3, 2), from_mg_per_day=60, new_drug="tizanidine", current_drugs=["sertraline", inhibitor]
    )

    assert [f.rule_id for f in plan.overlap_findings if f.is_blocking] == ["INT-TIZ-CYP1A2-001"]
    assert plan.taper.offerable
    assert not plan.offerable
    assert plan.to_dict()["offerable"] is False


def test_a_cross_taper_block_of_tizanidine_with_ciprofloxacin_cannot_be_overridden() -> None:
    with pytest.raises(InvalidInputError, match="cannot be overridden"):
        Override("INT-TIZ-CYP1A2-001", "ciprofloxacin stops tomorrow; specialist decision", "Dr A")
    plan = plan_cross_taper(
        start_date=date(2026, 3, 2),
        from_mg_per_day=60,
        new_drug="tizanidine",
        current_drugs=["ciprofloxacin", "unobtainium"],
    )

    assert not plan.offerable
    assert plan.overlap_findings[0].overridable is False
    assert any("'unobtainium'" in n and "NOT checked" in n for n in plan.notes)


def test_an_advisor_override_of_an_overridable_block_lets_the_cross_taper_be_made() -> None:
    override = Override("CI-DAN-LIVER-001", "hepatology reviewed; enzymes normal", "Dr A")
    advice = advise_alternatives(
        switch_to="dantrolene",
        liver_disease=True,
        overrides=[override],
        current_baclofen_mg_per_day=60,
        start_date=date(2026, 3, 2),
    )

    assert advice.cross_taper is not None and advice.cross_taper.offerable
    assert advice.option("dantrolene").status is OptionStatus.CAUTION
