"""The input edge of interactions, outcome scales and timeline risks: names, scale values and the timeline
document read into typed commands, every invalid field reported at once; the commands take no text."""

from __future__ import annotations

from typing import Any

import pytest

from baclofen.adapters.edge.cds import (
    assess_timeline_risk_command,
    check_interactions_command,
    evaluate_scale_command,
)
from baclofen.domain.cds.scales import AshworthGrade, NrsDomain, NrsScore, PennSpasmScore, ResponseContext, Scale
from baclofen.domain.cds.timeline import timeline_from_dict
from baclofen.domain.errors import InvalidInputError, InvalidInputs
from baclofen.services.commands import AssessTimelineRisk, CheckInteractions, EvaluateScale

TIMELINE = {"as_of": "2026-03-10T09:00:00+00:00"}


def _fields(error: InvalidInputError) -> list[str]:
    return [e.field for e in (error.errors if isinstance(error, InvalidInputs) else (error,))]


def test_an_interaction_check_reads_names() -> None:
    command = check_interactions_command(drugs="Zanaflex, cipro", other_drugs_in_pump=["morphine"])

    assert command == CheckInteractions(("Zanaflex", "cipro"), ("morphine",))


def test_an_interaction_check_reports_both_bad_name_lists_and_no_drug_at_all() -> None:
    with pytest.raises(InvalidInputs) as err:
        check_interactions_command(drugs="baclofen,,x", other_drugs_in_pump="a,,b")
    assert _fields(err.value) == ["drugs", "other_drugs_in_pump"]

    with pytest.raises(InvalidInputError) as none:
        check_interactions_command(drugs=[])
    assert none.value.field == "drugs" and none.value.expected == "at least one drug name"


@pytest.mark.parametrize(
    ("scale", "baseline", "current", "expected"),
    [
        ("mas", "1+, 2", "1,1", ((AshworthGrade.G1_PLUS, AshworthGrade.G2), (AshworthGrade.G1, AshworthGrade.G1))),
        ("penn", "3:2", "0", (PennSpasmScore(3, 2), PennSpasmScore(0))),
        ("nrs", "6", "4.5", (NrsScore(6.0, NrsDomain.SPASTICITY), NrsScore(4.5, NrsDomain.SPASTICITY))),
    ],
)
def test_scale_values_are_read_in_the_form_of_their_scale(scale: str, baseline: str, current: str, expected) -> None:
    command = evaluate_scale_command(scale=scale, baseline=baseline, current=current)

    assert (command.baseline, command.current) == expected
    assert command.context is ResponseContext.GENERAL


def test_a_scale_evaluation_reports_every_invalid_field_at_once() -> None:
    with pytest.raises(InvalidInputs) as err:
        evaluate_scale_command(scale="mas", baseline="x", current="9", context="nope", settings=["bad"])
    assert _fields(err.value) == ["context", "baseline", "current", "setting"]

    # Without a known scale the values cannot be read: the scale (and the others) are named.
    with pytest.raises(InvalidInputs) as unknown:
        evaluate_scale_command(scale="mystery", baseline="x", current="9", context="nope")
    assert _fields(unknown.value) == ["scale", "context"]


def test_a_timeline_document_is_read_at_the_edge_its_errors_named_under_timeline() -> None:
    command = assess_timeline_risk_command(timeline=TIMELINE, settings=["cds.risk.lookback_days=3"])
    assert command == AssessTimelineRisk(timeline_from_dict(TIMELINE), {"cds.risk.lookback_days": 3})

    with pytest.raises(InvalidInputs) as err:
        assess_timeline_risk_command(timeline={"as_of": "yesterday"}, settings=["bad"])
    assert _fields(err.value) == ["timeline.as_of", "setting"]

    for document in (None, []):
        with pytest.raises(InvalidInputError) as root:
            assess_timeline_risk_command(timeline=document)  # type: ignore[arg-type]
        assert root.value.field == "timeline"


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: CheckInteractions("baclofen, tizanidine"), "drugs"),  # type: ignore[arg-type]
        (lambda: EvaluateScale("mas", (AshworthGrade.G1,), (AshworthGrade.G1,)), "scale"),  # type: ignore[arg-type]
        (lambda: EvaluateScale(Scale.PENN, "3:2", PennSpasmScore(1, 1)), "baseline"),  # type: ignore[arg-type]
        (lambda: EvaluateScale(Scale.PENN, PennSpasmScore(1, 1), 1), "current"),  # type: ignore[arg-type]
        (lambda: AssessTimelineRisk(TIMELINE), "timeline"),  # type: ignore[arg-type]
    ],
)
def test_the_commands_take_no_text(build: Any, field: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        build()

    assert err.value.field == field


def test_an_empty_context_is_refused_not_taken_as_general() -> None:
    with pytest.raises(InvalidInputError) as err:
        evaluate_scale_command(scale="nrs", baseline="1", current="1", context="")

    assert err.value.field == "context"
