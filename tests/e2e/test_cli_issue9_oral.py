"""Issue 9 oral items through the CLI JSON: blocks rest on sourced numbers; one condition, one severity."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(("min_days", "abrupt_001", "offerable"), [("15", None, True), ("10", "block", False)])
def test_issue9_i2_cli_60_to_0_over_15_days_with_months_unknown_is_a_warn(
    run_cli: Any, min_days: str, abrupt_001: str | None, offerable: bool
) -> None:
    """ "TAPER-ABRUPT-001 blocks 60 -> 0 mg/day over 15 days when the months on therapy are unknown"."""
    data = run_cli(
        "plan", "taper", "--from-mg-per-day", "60", "--min-days", min_days, "--step-interval-days", "1", "--json"
    ).json()

    assert data["parameters"]["days_to_target"] == int(min_days)

    severities = {f["rule_id"]: f["severity"] for f in data["findings"]}
    assert severities.get("TAPER-ABRUPT-001") == abrupt_001
    assert data["offerable"] is offerable
    if offerable:
        assert severities["TAPER-ABRUPT-002"] == "warn"


@pytest.mark.parametrize(("mg", "expected"), [("5", None), ("6", "block")])
def test_issue9_i10_cli_check_dose_on_dialysis_is_the_planner_rule(run_cli: Any, mg: str, expected: str | None) -> None:
    """ "a dialysis dose is a block in ORAL-DIALYSIS-002 and a warn in DOSE-BAC-KIDNEY-001"."""
    result = run_cli("check", "dose", "--drug", "baclofen", "--mg-per-day", mg, "--dialysis", "--json")

    assert result.exit_code == 0, result.stderr
    severities = {f["rule_id"]: f["severity"] for f in result.json()["findings"]}
    assert severities.get("ORAL-DIALYSIS-002") == expected
    assert "DOSE-BAC-KIDNEY-001" not in severities
