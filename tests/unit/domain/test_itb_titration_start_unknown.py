"""ITB-TITR-005: without the time since the infusion started, the first-24-hours rule is said to be unchecked."""

from __future__ import annotations

import pytest

from baclofen.domain.itb.dosing import titration_range


@pytest.mark.parametrize(
    ("hours", "at_refill", "expected"),
    [(None, False, True), (30.0, False, False), (24.0, False, False), (None, True, False)],
)
def test_the_unchecked_first_day_rule_is_reported_only_when_the_start_is_unknown(hours, at_refill, expected) -> None:
    result = titration_range(200, "spinal", at_refill=at_refill, hours_since_start=hours)

    ids = [f.rule_id for f in result.findings]
    assert ("ITB-TITR-005" in ids) is expected


def test_before_24_hours_the_block_replaces_the_unchecked_note() -> None:
    result = titration_range(200, "spinal", hours_since_start=12, proposed_mcg_per_day=220)

    ids = [f.rule_id for f in result.findings]
    assert "ITB-TITR-001" in ids and "ITB-TITR-005" not in ids
