"""The patient guide is generated from the knowledge base (issue 12 item 6): every statement has sources that
resolve, every number comes from a constant or a setting (templates hold no digit), a changed setting changes the
guide, every topic the issue lists is covered, and the guide agrees with the rules it speaks for."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen.domain.cds.interactions import INTERACTIONS
from baclofen.domain.cds.therapies import ORDERINGS
from baclofen.domain.errors import InvalidInputError, UnknownNameError
from baclofen.domain.evidence import REFERENCES
from baclofen.domain.guide import (
    GUIDE_SETTINGS,
    PLAIN_INTERACTIONS,
    PLAIN_SIGNS,
    TOPICS,
    GuideStatement,
    baclofen_interactions,
    build_patient_guide,
    label_target_day,
    plain_signs,
    template_fields,
)
from baclofen.domain.itb.reservoir import REFILL_MARGIN_DAYS
from baclofen.domain.itb.screening import STANDARD_SCREENING_DOSES_MCG
from baclofen.domain.oral.limits import (
    LABEL_TARGET_MG_PER_DAY,
    MAX_DAILY_DOSE_UK,
    MAX_DAILY_DOSE_US,
    TAPER_MIN_DAYS_TO_ZERO,
)
from baclofen.domain.patient import Locale
from baclofen.domain.rules.catalogue import CATALOGUE
from baclofen.domain.settings import SETTINGS, SettingValues
from baclofen.domain.signs import ALL_SIGN_SETS, ITB_OVERDOSE, ITB_WITHDRAWAL, ORAL_OVERDOSE, ORAL_WITHDRAWAL


def guide_with(locale: Locale = Locale.US, **overrides: Any) -> Any:
    values = {name.replace("__", "."): value for name, value in overrides.items()}
    return build_patient_guide(SettingValues(GUIDE_SETTINGS, values), locale=locale)


@pytest.fixture(scope="module", params=list(Locale), ids=lambda loc: loc.value)
def guide(request: pytest.FixtureRequest) -> Any:
    return build_patient_guide(locale=request.param)


# --- sources ---------------------------------------------------------------------------------------------------------
def test_every_statement_has_a_source_that_resolves_to_the_reference_list(guide: Any) -> None:
    statements = list(guide.statements())
    assert len(statements) > 30
    for statement in statements:
        assert statement.sources, statement.statement_id
        for key in statement.sources:
            assert key in REFERENCES, (statement.statement_id, key)
        for source in statement.to_dict()["sources"]:
            assert source["citation"].startswith(f"[{source['key']}] ")
            assert source["url"] is None or source["url"].startswith("http")


def test_a_statement_without_a_source_or_with_an_unknown_one_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="sources"):
        GuideStatement("x", "text", (), ())
    with pytest.raises(UnknownNameError):
        GuideStatement("x", "text", (), ("S9999",))


def test_the_guide_lists_each_reference_it_cites_once(guide: Any) -> None:
    cited = [r["key"] for r in guide.to_dict()["references"]]
    assert len(cited) == len(set(cited))
    assert set(cited) == {k for s in guide.statements() for k in s.sources}


def test_statement_ids_are_unique(guide: Any) -> None:
    ids = [s.statement_id for s in guide.statements()]
    assert len(ids) == len(set(ids))


# --- numbers come from the domain ------------------------------------------------------------------------------------
def test_no_template_holds_a_digit_every_number_is_a_named_value(guide: Any) -> None:
    for statement in guide.statements():
        assert not re.search(r"\d", statement.template), statement.statement_id
        assert not any(re.search(r"\d", item) for item in statement.items), statement.statement_id
        assert set(template_fields(statement.template)) == set(statement.values_dict()), statement.statement_id
        # so every digit of the text comes from a value: the digits of the text are the digits of its values
        shown = "".join(re.findall(r"\d", " ".join(str(v) for v in statement.to_dict()["values"].values())))
        assert set(re.findall(r"\d", statement.text)) <= set(shown), statement.statement_id


@pytest.mark.parametrize(("locale", "setting"), [(Locale.US, MAX_DAILY_DOSE_US), (Locale.UK, MAX_DAILY_DOSE_UK)])
def test_the_oral_maximum_in_the_guide_is_the_domains_limit_of_the_locale(locale: Locale, setting: Any) -> None:
    statement = build_patient_guide(locale=locale).statement("oral-vs-intrathecal.dose.oral")

    assert statement.values_dict()["max_daily_dose_mg"] == setting.default
    assert f"The most in one day is {setting.default:g} mg ({locale.value.upper()} limit)" in statement.text
    assert setting.name in statement.settings
    assert "ORAL-MAX-001" in statement.rule_ids
    assert set(CATALOGUE["ORAL-MAX-001"].rule.settings or ()) >= {setting.name}


def test_a_changed_oral_maximum_changes_the_guide() -> None:
    statement = guide_with(**{"oral__max_daily_dose_mg__us": 60}).statement("oral-vs-intrathecal.dose.oral")
    assert "The most in one day is 60 mg (US limit)" in statement.text


def test_a_longer_taper_minimum_changes_every_statement_that_states_it() -> None:
    default = build_patient_guide()
    longer = guide_with(**{"taper__min_days_to_zero": 21})

    for statement_id in ("never-stop-abruptly.taper", "oral-vs-intrathecal.reversibility.oral"):
        assert "at least 14 days" in default.statement(statement_id).text
        assert "at least 21 days" in longer.statement(statement_id).text
        assert "at least 14 days" not in longer.statement(statement_id).text
    used = {s.setting.name: s.value for s in longer.settings}
    assert used["taper.min_days_to_zero"] == 21


def test_a_changed_refill_margin_changes_the_pump_statement() -> None:
    text = guide_with(**{"pump__refill_margin_days": 10}).statement("never-stop-abruptly.pump").text
    assert "at least 10 days before the pump's low-reservoir alarm" in text


def test_a_changed_step_interval_changes_how_fast_the_dose_goes_up() -> None:
    default = build_patient_guide().statement("questions.how-fast")
    weekly = guide_with(**{"titration__step_interval_days__us": 7}).statement("questions.how-fast")

    assert f"reaches {LABEL_TARGET_MG_PER_DAY:g} mg a day on day 10" in default.text  # days 10-12 give 60 mg (S1, S4)
    assert f"on day {label_target_day(7)}" in weekly.text
    assert label_target_day(7) == 22


def test_another_guideline_reorders_the_alternatives() -> None:
    nice = [s.statement_id for s in build_patient_guide().section("alternatives").statements][1:]
    scotland = guide_with(**{"cds__alternatives__guideline": "nhs-scotland-abi"})
    ids = [s.statement_id for s in scotland.section("alternatives").statements][1:]

    assert nice != ids
    assert ids == [
        f"alternatives.{p.key}" for p in ORDERINGS[next(g for g in ORDERINGS if g.value == "nhs-scotland-abi")]
    ]
    assert "NHS Scotland" in scotland.statement("alternatives.intro").text


def test_a_changed_dantrolene_stop_day_reaches_the_alternatives() -> None:
    text = guide_with(**{"cds__dantrolene__no_benefit_stop_days": 56}).statement("alternatives.dantrolene").text
    assert "within 56 days" in text


def test_the_screening_doses_are_the_ladders() -> None:
    guide = build_patient_guide()
    assert (
        f"test dose of {STANDARD_SCREENING_DOSES_MCG[0]:g} mcg"
        in guide.statement("oral-vs-intrathecal.dose.intrathecal").text
    )
    assert (
        f"respond to {STANDARD_SCREENING_DOSES_MCG[-1]:g} mcg"
        in guide.statement("oral-vs-intrathecal.effectiveness.intrathecal").text
    )


def test_an_unknown_setting_is_refused_naming_it() -> None:
    with pytest.raises(UnknownNameError):
        SettingValues(GUIDE_SETTINGS, {"pk.renal.nonrenal_fraction": 0.3})


def test_a_weakly_sourced_value_carries_a_caveat(guide: Any) -> None:
    for statement in guide.statements():
        statuses = {SETTINGS[name].status.value for name in statement.settings}
        if statuses & {"disagree", "unconfirmed", "assumption"}:
            assert statement.caveat, statement.statement_id
    assert "disagree" in (guide.statement("never-stop-abruptly.taper").caveat or "")


# --- every topic -----------------------------------------------------------------------------------------------------
ISSUE_TOPICS = [
    ("what-is-baclofen", "what-is-baclofen.how", "GABA"),
    ("oral-vs-intrathecal", "oral-vs-intrathecal.how-given.intrathecal", "pump"),
    ("oral-vs-intrathecal", "oral-vs-intrathecal.dose.oral", "mg"),
    ("oral-vs-intrathecal", "oral-vs-intrathecal.side-effects.intrathecal", "times lower"),
    ("oral-vs-intrathecal", "oral-vs-intrathecal.effectiveness.oral", "works best"),
    ("oral-vs-intrathecal", "oral-vs-intrathecal.reversibility.intrathecal", "removed"),
    ("oral-vs-intrathecal", "oral-vs-intrathecal.commitment.intrathecal", "refills"),
    ("side-effects", "side-effects.common", "drowsiness, dizziness and weakness"),
    ("side-effects", "side-effects.overdose", "slow or shallow breathing"),
    ("never-stop-abruptly", "never-stop-abruptly.why", "suddenly"),
    ("interactions", "interactions.int-bac-opioid-001", "opioids"),
    ("driving-and-alcohol", "driving-and-alcohol.driving", "Do not drive"),
    ("driving-and-alcohol", "driving-and-alcohol.alcohol", "Alcohol"),
    ("alternatives", "alternatives.tizanidine", "Tizanidine"),
    ("questions", "questions.how-fast", "How fast"),
    ("questions", "questions.pain", "pain"),
    ("questions", "questions.pump-permanent", "permanent"),
]


@pytest.mark.parametrize(("topic", "statement_id", "words"), ISSUE_TOPICS, ids=[t[1] for t in ISSUE_TOPICS])
def test_every_topic_of_the_issue_is_covered(guide: Any, topic: str, statement_id: str, words: str) -> None:
    section = guide.section(topic)
    statement = guide.statement(statement_id)
    assert statement in tuple(section.all_statements())
    assert words in " ".join((statement.text, *statement.items))


def test_the_sections_are_the_topics_in_order(guide: Any) -> None:
    assert [s.topic_id for s in guide.sections] == list(TOPICS)
    aspects = [row.aspect_id for row in guide.section("oral-vs-intrathecal").comparison]
    assert aspects == ["how-given", "dose", "side-effects", "effectiveness", "reversibility", "commitment"]


def test_the_disclaimer_says_decision_support_not_medical_advice_and_talk_to_your_clinic(guide: Any) -> None:
    assert "decision support, not medical advice" in guide.disclaimer
    assert "talk to your clinic" in guide.disclaimer
    assert guide.to_dict()["disclaimer"] == guide.disclaimer
    assert ("911" if guide.locale is Locale.US else "999") in guide.disclaimer


# --- agreement with the rules ----------------------------------------------------------------------------------------
def test_every_rule_a_statement_names_is_in_the_catalogue(guide: Any) -> None:
    for statement in guide.statements():
        for rule_id in statement.rule_ids:
            assert rule_id in CATALOGUE, (statement.statement_id, rule_id)


def test_never_stop_abruptly_is_linked_to_the_withdrawal_and_taper_rules(guide: Any) -> None:
    why = guide.statement("never-stop-abruptly.why")
    taper = guide.statement("never-stop-abruptly.taper")

    assert "Stopping baclofen suddenly" in why.text and "withdrawal" in why.text
    assert {"RISK-ORAL-STOP-001", "TAPER-ABRUPT-001"} <= set(why.rule_ids)
    assert "TAPER-ABRUPT-001" in taper.rule_ids
    # the value the guide states is the one the rule reads
    assert set(CATALOGUE["TAPER-ABRUPT-001"].rule.settings or ()) <= set(taper.settings)


def test_no_statement_says_baclofen_can_be_stopped_at_once(guide: Any) -> None:
    for statement in guide.statements():
        text = statement.text.lower()
        assert not re.search(r"\b(can|may) (be )?stop(ped)? (it )?(at once|suddenly|abruptly|any time)", text)


def test_every_baclofen_interaction_row_has_plain_words_and_a_statement(guide: Any) -> None:
    rows = baclofen_interactions()
    assert rows and set(PLAIN_INTERACTIONS) == {r.rule_id for r in rows}
    assert {r.rule_id for r in INTERACTIONS if r.rule_id.startswith("INT-BAC")} <= set(PLAIN_INTERACTIONS)
    linked = {rule for s in guide.section("interactions").statements for rule in s.rule_ids}
    assert linked == set(PLAIN_INTERACTIONS)


@pytest.mark.parametrize(
    ("statement_id", "signs"),
    [
        ("side-effects.overdose", ORAL_OVERDOSE),
        ("side-effects.pump-overdose", ITB_OVERDOSE),
        ("never-stop-abruptly.why", ORAL_WITHDRAWAL),
        ("never-stop-abruptly.pump-signs", ITB_WITHDRAWAL),
    ],
)
def test_the_warning_signs_are_those_of_the_sign_sets_and_cite_them(statement_id: str, signs: Any) -> None:
    statement = build_patient_guide().statement(statement_id)

    assert statement.items == plain_signs(signs)
    assert len(statement.items) == len({PLAIN_SIGNS[s] for s in signs.signs})
    assert set(signs.evidence) <= set(statement.sources)


def test_every_warning_sign_has_plain_words() -> None:
    for signs in ALL_SIGN_SETS:
        for sign in signs.signs:
            assert sign in PLAIN_SIGNS, (signs.name, sign)


def test_to_dict_is_versioned_and_reports_the_settings_used(guide: Any) -> None:
    data = guide.to_dict()
    assert data["schema_version"] == "baclofen-patient-guide/1"
    assert data["locale"] == guide.locale.value
    names = {s["name"] for s in data["settings"]}
    assert {
        "taper.min_days_to_zero",
        "pump.refill_margin_days",
        f"oral.max_daily_dose_mg.{guide.locale.value}",
    } <= names


@given(
    days=st.integers(
        min_value=int(TAPER_MIN_DAYS_TO_ZERO.minimum or 1), max_value=int(TAPER_MIN_DAYS_TO_ZERO.maximum or 365)
    ),
    margin=st.integers(min_value=int(REFILL_MARGIN_DAYS.minimum or 1), max_value=int(REFILL_MARGIN_DAYS.maximum or 60)),
    locale=st.sampled_from(list(Locale)),
)
@settings(max_examples=40, deadline=None)
def test_any_allowed_taper_minimum_and_refill_margin_is_what_the_guide_says(
    days: int, margin: int, locale: Locale
) -> None:
    guide = guide_with(locale, **{"taper__min_days_to_zero": days, "pump__refill_margin_days": margin})

    assert f"over at least {days} days" in guide.statement("never-stop-abruptly.taper").text
    assert f"over at least {days} days" in guide.statement("oral-vs-intrathecal.reversibility.oral").text
    assert f"at least {margin} days before" in guide.statement("never-stop-abruptly.pump").text
