"""Screening trial: the 50 -> 75 -> 100 mcg ladder, 24 h intervals, candidacy, never a dose after 100 mcg."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.screening import (
    ScreeningDose,
    assess_screening,
    responses_to_doses,
    screening_ladder,
)
from baclofen.domain.rules import Severity

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _ids(findings):
    return [f.rule_id for f in findings]


@pytest.mark.parametrize(
    ("responses", "start", "next_dose", "volume", "candidate"),
    [
        ((), 50, 50.0, 1.0, None),
        ((False,), 50, 75.0, 1.5, None),
        ((False, False), 50, 100.0, 2.0, None),
        ((False, False, False), 50, None, None, False),
        ((True,), 50, None, None, True),
        ((False, True), 50, None, None, True),
        ((False, False, True), 50, None, None, True),
        ((), 25, 25.0, 0.5, None),
        ((False,), 25, 50.0, 1.0, None),
        ((False, False, False), 25, 100.0, 2.0, None),
        ((False, False, False, False), 25, None, None, False),
        ((False, False, False, True), 25, None, None, True),
    ],
)
def test_the_ladder_proposes_the_next_dose_or_decides(responses, start, next_dose, volume, candidate) -> None:
    result = assess_screening(responses_to_doses(responses, start), start_mcg=start)

    assert (result.next_dose_mcg, result.next_volume_ml, result.candidate) == (next_dose, volume, candidate)


def test_no_response_to_100_mcg_is_not_a_candidate_with_a_blocking_finding_and_no_further_dose() -> None:
    result = assess_screening(responses_to_doses([False, False, False]))

    assert result.next_dose_mcg is None
    assert result.earliest_next_hours is None
    blocking = [f for f in result.findings if f.severity is Severity.BLOCK]
    assert _ids(blocking) == ["ITB-SCREEN-003"]
    assert "not a pump candidate" in blocking[0].message
    assert "ITB-SCREEN-001" not in _ids(result.findings)


@pytest.mark.parametrize("start", [50, 25])
def test_a_dose_after_the_last_rung_is_refused(start) -> None:
    ladder = screening_ladder(start)

    with pytest.raises(InvalidInputError) as err:
        responses_to_doses([False] * (len(ladder) + 1), start)
    assert err.value.field == "responses"
    with pytest.raises(InvalidInputError):
        assess_screening([ScreeningDose(d, False) for d in ladder] + [ScreeningDose(100, False)], start_mcg=start)


def test_a_dose_after_a_positive_response_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="after a positive response"):
        assess_screening([ScreeningDose(50, True), ScreeningDose(75, False)])


@pytest.mark.parametrize(("position", "dose"), [(0, 75), (1, 100), (1, 50), (2, 75)])
def test_a_dose_off_the_ladder_is_refused_naming_its_position(position, dose) -> None:
    doses = [ScreeningDose(d, False) for d in (50.0, 75.0, 100.0)[:position]] + [ScreeningDose(dose, False)]

    with pytest.raises(InvalidInputError) as err:
        assess_screening(doses)
    assert err.value.field == f"doses[{position}].dose_mcg"


@pytest.mark.parametrize("start", [0, 30, 75, 100, -50])
def test_only_a_50_or_25_mcg_start_is_accepted(start) -> None:
    with pytest.raises(InvalidInputError) as err:
        assess_screening([], start_mcg=start)
    assert err.value.field == "start_mcg"


@pytest.mark.parametrize(
    ("hours_since", "earliest"),
    [(None, 24.0), (0.0, 24.0), (10.0, 14.0), (23.9, pytest.approx(0.1)), (24.0, 0.0), (30.0, 0.0)],
)
def test_the_next_dose_waits_24_h_after_the_previous(hours_since, earliest) -> None:
    result = assess_screening([ScreeningDose(50, False)], hours_since_last_dose=hours_since)

    assert result.earliest_next_hours == earliest


def test_the_first_dose_can_be_given_now() -> None:
    assert assess_screening([]).earliest_next_hours == 0.0


def test_with_times_the_earliest_next_dose_is_24_h_after_the_last_one() -> None:
    doses = [ScreeningDose(50, False, given_at=T0)]

    result = assess_screening(doses, as_of=T0 + timedelta(hours=20))

    assert result.earliest_next_hours == pytest.approx(4.0)
    assert result.earliest_next_at == T0 + timedelta(hours=24)


@pytest.mark.parametrize(("gap_h", "flagged"), [(23.99, True), (24.0, False), (30.0, False)])
def test_a_recorded_interval_under_24_h_is_a_warning_with_overdose_signs(gap_h, flagged) -> None:
    doses = [
        ScreeningDose(50, False, given_at=T0),
        ScreeningDose(75, False, given_at=T0 + timedelta(hours=gap_h)),
    ]

    findings = [f for f in assess_screening(doses).findings if f.rule_id == "ITB-SCREEN-002"]

    assert bool(findings) is flagged
    if flagged:
        assert findings[0].severity is Severity.WARN
        assert "respiratory depression" in findings[0].signs


def test_times_out_of_order_or_as_of_before_the_last_dose_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="after the previous dose"):
        assess_screening([ScreeningDose(50, False, given_at=T0), ScreeningDose(75, False, given_at=T0)])
    with pytest.raises(InvalidInputError) as err:
        assess_screening([ScreeningDose(50, False, given_at=T0)], as_of=T0 - timedelta(hours=1))
    assert err.value.field == "as_of"


def test_the_next_dose_finding_tells_how_to_give_it_and_what_to_watch_for() -> None:
    finding = next(f for f in assess_screening([]).findings if f.rule_id == "ITB-SCREEN-001")

    assert "50 mcg = 1 mL of 50 mcg/mL" in finding.message
    assert "4-8 h" in finding.reasoning
    assert "resuscitation" in finding.action
    assert "respiratory depression" in finding.signs
    assert {"S1", "S38", "S41"} <= set(finding.evidence)


def test_a_positive_response_records_the_effective_dose_and_its_duration() -> None:
    doses = [
        ScreeningDose(50, False),
        ScreeningDose(75, True, effect_duration_hours=6, negative_reactions=True),
    ]

    result = assess_screening(doses)

    assert (result.candidate, result.effective_dose_mcg, result.effect_duration_hours) == (True, 75.0, 6.0)
    assert result.negative_reactions
    assert "ITB-SCREEN-005" in _ids(result.findings)


def test_the_low_start_is_shown_as_an_option_with_its_source() -> None:
    finding = next(f for f in assess_screening([], start_mcg=25).findings if f.rule_id == "ITB-SCREEN-004")

    assert "S41" in finding.evidence


@pytest.mark.parametrize(
    ("responded", "before", "after", "flagged"),
    [
        (True, 3, 2, False),
        (True, 3, 2.5, True),
        (False, 3, 2, True),
        (False, 3, 2.5, False),
        (True, 3, None, False),
    ],
)
def test_a_recorded_response_that_disagrees_with_the_ashworth_change_is_noted(
    responded, before, after, flagged
) -> None:
    dose = ScreeningDose(50, responded, ashworth_before=before, ashworth_after=after)

    ids = _ids(assess_screening([dose]).findings)

    assert ("ITB-SCREEN-006" in ids) is flagged


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("dose_mcg", {"dose_mcg": 0}),
        ("responded", {"responded": "yes"}),
        ("effect_duration_hours", {"effect_duration_hours": -1}),
        ("ashworth_before", {"ashworth_before": 5}),
        ("spasm_frequency_after", {"spasm_frequency_after": 7}),
        ("given_at", {"given_at": "2026-01-01"}),
    ],
)
def test_a_malformed_dose_record_names_its_field(field, kwargs) -> None:
    values = {"dose_mcg": 50, "responded": False} | kwargs

    with pytest.raises(InvalidInputError) as err:
        ScreeningDose(**values)
    assert err.value.field == field


@given(st.sampled_from([50, 25]), st.lists(st.booleans(), max_size=4))
def test_never_more_doses_than_the_ladder_and_never_above_100_mcg(start, responses) -> None:
    ladder = screening_ladder(start)
    # keep the history the protocol allows: stop at the first positive response and at the last rung
    history = []
    for r in responses[: len(ladder)]:
        history.append(r)
        if r:
            break

    result = assess_screening(responses_to_doses(history, start), start_mcg=start)

    assert result.next_dose_mcg is None or result.next_dose_mcg <= 100.0
    assert len(result.doses) + (result.next_dose_mcg is not None) <= len(ladder)
    assert (result.candidate is None) == (result.next_dose_mcg is not None)
    for f in result.findings:
        assert f.rule_id and f.reasoning and f.evidence and f.severity in Severity


def test_to_dict_is_json_ready_with_the_cli_fields() -> None:
    data = assess_screening(responses_to_doses([False, False])).to_dict()

    assert {"next_dose_mcg", "earliest_next_hours", "candidate", "doses_given", "findings"} <= set(data)
    assert [d["dose_mcg"] for d in data["doses_given"]] == [50.0, 75.0]
