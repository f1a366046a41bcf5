"""Outcome scales: parsing, ordering, invalid values, and responder definitions on both sides of each threshold."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen.domain.cds.scales import (
    AshworthGrade,
    NrsDomain,
    PennSpasmScore,
    Scale,
    evaluate_response,
    parse_ashworth,
    parse_nrs,
    parse_penn,
    parse_scale,
)
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.rules.core import Severity
from tests.strategies_cds import ashworth_grades


# --- Modified Ashworth ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "grade"),
    [
        ("0", AshworthGrade.G0),
        (0, AshworthGrade.G0),
        ("1", AshworthGrade.G1),
        ("1+", AshworthGrade.G1_PLUS),
        (" 1 + ", AshworthGrade.G1_PLUS),
        ("1plus", AshworthGrade.G1_PLUS),
        ("2", AshworthGrade.G2),
        (3.0, AshworthGrade.G3),
        ("4", AshworthGrade.G4),
    ],
)
def test_ashworth_grades_parse(text: Any, grade: AshworthGrade) -> None:
    assert parse_ashworth(text) is grade


@pytest.mark.parametrize("bad", ["5", "-1", "1.5", 1.5, "1-", "2+", "", "one", True, None, [1]])
def test_invalid_ashworth_grades_are_refused_clearly(bad: Any) -> None:
    with pytest.raises(InvalidInputError, match=r"one of 0, 1, 1\+, 2, 3, 4"):
        parse_ashworth(bad)


def test_one_plus_lies_between_one_and_two() -> None:
    assert AshworthGrade.G1 < AshworthGrade.G1_PLUS < AshworthGrade.G2
    assert [g.value for g in sorted(AshworthGrade, reverse=True)] == ["4", "3", "2", "1+", "1", "0"]
    assert AshworthGrade.G1_PLUS.description.startswith("slight increase (catch followed by minimal resistance")


@settings(max_examples=50)
@given(ashworth_grades, ashworth_grades)
def test_ashworth_order_is_total_and_agrees_with_points(a: AshworthGrade, b: AshworthGrade) -> None:
    assert (a < b) + (a == b) + (a > b) == 1
    assert (a < b) == (a.points() < b.points())
    assert (a <= b) == (not a > b)


def test_comparing_a_grade_with_a_number_is_not_allowed() -> None:
    with pytest.raises(TypeError):
        _ = AshworthGrade.G1 < 2  # type: ignore[operator]


# --- Penn ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("0", PennSpasmScore(0)),
        (0, PennSpasmScore(0)),
        ("3:2", PennSpasmScore(3, 2)),
        ("4/3", PennSpasmScore(4, 3)),
        (" 1 : 1 ", PennSpasmScore(1, 1)),
        ({"frequency": 2, "severity": 1}, PennSpasmScore(2, 1)),
    ],
)
def test_penn_scores_parse(text: Any, score: PennSpasmScore) -> None:
    assert parse_penn(text) == score


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ("0:1", "penn severity"),  # severity refused when frequency is 0
        ("3", "penn severity"),  # severity required when frequency > 0
        ("5:1", "penn frequency"),
        ("2:4", "penn severity"),
        ("2:0", "penn severity"),
        ("x", "penn score"),
        (-1, "penn frequency"),
        (True, "penn frequency"),
    ],
)
def test_invalid_penn_scores_are_refused_naming_the_part(bad: Any, field: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_penn(bad)

    assert err.value.field == field


# --- NRS -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [0, 10, 6.1, "7"])
def test_nrs_accepts_0_to_10(value: Any) -> None:
    assert 0 <= parse_nrs(value).value <= 10


@pytest.mark.parametrize("bad", [-0.1, 10.5, "eleven", float("inf"), "nan", None, True])
def test_nrs_outside_0_to_10_is_refused(bad: Any) -> None:
    with pytest.raises(InvalidInputError, match="nrs"):
        parse_nrs(bad, NrsDomain.PAIN)


@pytest.mark.parametrize(
    ("name", "scale"),
    [
        ("MAS", Scale.MODIFIED_ASHWORTH),
        ("modified_ashworth", Scale.MODIFIED_ASHWORTH),
        ("PSFS", Scale.PENN),
        ("nrs", Scale.NRS_SPASTICITY),
        ("NRS-Sleep", Scale.NRS_SLEEP),
        ("nrs pain", Scale.NRS_PAIN),
    ],
)
def test_scale_names(name: str, scale: Scale) -> None:
    assert parse_scale(name) is scale


def test_an_unknown_scale_or_context_lists_the_choices() -> None:
    with pytest.raises(InvalidInputError, match="modified-ashworth"):
        parse_scale("barthel")
    with pytest.raises(InvalidInputError, match="nabiximols"):
        evaluate_response("nrs", 5, 4, "placebo")


# --- responder definitions ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("baseline", "current", "responder"),
    [
        (5, 4, True),  # exactly 20 %
        (6, 4.8, True),  # exactly 20 %
        (10, 8.1, False),  # 19 %
        (6, 6, False),
        (4, 6, False),
    ],
)
def test_nabiximols_continues_only_with_at_least_20_percent_improvement(
    baseline: float, current: float, responder: bool
) -> None:
    result = evaluate_response("nrs-spasticity", baseline, current, "nabiximols")

    assert result.responder is responder
    assert result.findings[0].rule_id == "SCALE-NABX-001"
    assert result.findings[0].severity is (Severity.INFO if responder else Severity.WARN)
    assert "S85" in result.evidence


def test_nabiximols_with_baseline_zero_cannot_be_evaluated() -> None:
    result = evaluate_response("nrs", 0, 0, "nabiximols")

    assert result.responder is None and result.findings == ()


@pytest.mark.parametrize(
    ("baseline", "current", "responder"),
    [
        ("3", "2", True),
        ("2", "1+", False),
        ("1+", "0", True),
        ("2,3", "1,2", True),
        ("2,3,1+", "1,2,1", False),
    ],
)
def test_itb_screening_needs_a_mean_reduction_of_one_ashworth_point(
    baseline: str, current: str, responder: bool
) -> None:
    result = evaluate_response("mas", baseline, current, "itb-screening")

    assert result.responder is responder
    assert result.threshold["status"] == "unconfirmed"
    assert "S108" in result.evidence


def test_the_itb_threshold_and_the_value_of_one_plus_are_settings() -> None:
    strict = evaluate_response(
        "mas", "2", "1", "itb-screening", settings={"cds.scales.itb_screening_ashworth_reduction_points": 1.5}
    )
    generous = evaluate_response("mas", "2", "1+", "itb-screening", settings={"cds.scales.mas_one_plus_points": 1.0})

    assert strict.responder is False
    assert generous.responder is True
    used = generous.to_dict()["settings"]
    assert [(s["name"], s["value"]) for s in used] == [
        ("cds.scales.mas_one_plus_points", 1.0),
        ("cds.scales.itb_screening_ashworth_reduction_points", 1.0),
    ]


@pytest.mark.parametrize(("baseline", "current", "responder"), [(10, 7, True), (10, 7.1, False)])
def test_the_30_percent_responder_is_a_setting_used_only_when_asked(
    baseline: float, current: float, responder: bool
) -> None:
    assert evaluate_response("nrs-pain", baseline, current, "nrs-30").responder is responder
    assert evaluate_response("nrs-pain", baseline, current).responder is None  # never the default


def test_penn_gives_change_but_no_responder_verdict() -> None:
    result = evaluate_response("penn", "3:2", "1:1")

    assert (result.change, result.direction, result.responder) == (2.0, "improved", None)
    assert result.details["severity_change"] == 1


@pytest.mark.parametrize(
    ("scale", "context"), [("penn", "nabiximols"), ("mas", "nabiximols"), ("nrs", "itb-screening"), ("mas", "nrs-30")]
)
def test_a_context_that_does_not_suit_the_scale_is_refused(scale: str, context: str) -> None:
    with pytest.raises(InvalidInputError, match="'context'"):
        evaluate_response(scale, "1", "1", context)


@pytest.mark.parametrize(
    ("scale", "baseline", "current", "field"),
    [
        ("mas", "5", "1", "baseline"),
        ("mas", "2", "x", "current"),
        ("mas", "2,3", "1", "current"),
        ("penn", "0:1", "0", "baseline"),
        ("nrs", "3", "11", "current"),
    ],
)
def test_bad_baseline_or_current_values_name_which_one(scale: str, baseline: str, current: str, field: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        evaluate_response(scale, baseline, current)

    assert err.value.field == field


@settings(max_examples=60)
@given(st.floats(0, 10), st.floats(0, 10))
def test_nrs_change_sign_matches_the_direction(baseline: float, current: float) -> None:
    result = evaluate_response("nrs", baseline, current)

    expected = "improved" if current < baseline - 1e-9 else "worsened" if current > baseline + 1e-9 else "unchanged"
    assert result.direction == expected
    assert result.to_dict()["responder"] is None


@pytest.mark.parametrize(("frequency", "severity"), [("0", 2), (0.0, 1), ("0", "1")])
def test_penn_severity_with_frequency_0_is_refused_even_when_given_as_text_or_float(
    frequency: object, severity: object
) -> None:
    with pytest.raises(InvalidInputError, match="'penn severity'"):
        PennSpasmScore(frequency, severity)  # type: ignore[arg-type]


def test_penn_values_given_as_text_are_stored_as_whole_numbers() -> None:
    score = PennSpasmScore("3", 2.0)  # type: ignore[arg-type]

    assert score == PennSpasmScore(3, 2)
    assert (type(score.frequency), type(score.severity)) == (int, int)


@settings(max_examples=80)
@given(st.floats(0, 10, allow_nan=False), st.floats(0, 10, allow_nan=False), st.sampled_from(["nabiximols", "nrs-30"]))
def test_the_nrs_responder_verdict_and_its_finding_always_agree(baseline: float, current: float, ctx: str) -> None:
    e = evaluate_response("nrs-spasticity", baseline, current, ctx)

    if e.responder is None:
        assert e.findings == ()
    else:
        (finding,) = e.findings
        said_yes = finding.message.startswith(("continue", "responder"))
        assert said_yes is e.responder


@settings(max_examples=60)
@given(
    st.lists(st.sampled_from(list(AshworthGrade)), min_size=1, max_size=4).flatmap(
        lambda base: st.tuples(
            st.just(base), st.lists(st.sampled_from(list(AshworthGrade)), min_size=len(base), max_size=len(base))
        )
    )
)
def test_the_itb_screening_verdict_and_its_finding_always_agree(
    pair: tuple[list[AshworthGrade], list[AshworthGrade]],
) -> None:
    base, cur = pair
    e = evaluate_response("mas", base, cur, "itb-screening")

    (finding,) = e.findings
    assert ("not positive" not in finding.message) is e.responder
