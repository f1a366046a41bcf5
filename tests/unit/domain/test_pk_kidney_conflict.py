"""PK-KIDNEY-005: simulating a plan with a kidney function from another band than the plan's is flagged."""

from __future__ import annotations

import json

import pytest

from baclofen.domain.pk.findings import KidneyConflict, check_kidney_conflict


@pytest.mark.parametrize(
    ("plan", "used", "flagged"),
    [
        ((None, True), (90.0, False), True),
        ((45.0, False), (45.0, False), False),
        ((45.0, False), (49.9, False), False),
        ((45.0, False), (50.0, False), True),
        ((29.9, False), (30.0, False), True),
        ((85.0, False), (120.0, False), False),
        ((79.9, False), (80.0, False), True),
        ((None, False), (20.0, False), False),
        ((20.0, False), (None, True), True),
    ],
)
def test_a_different_kidney_band_is_flagged_and_the_same_band_is_not(plan, used, flagged) -> None:
    findings = check_kidney_conflict(KidneyConflict(plan[0], plan[1], used[0], used[1]))

    assert bool(findings) is flagged
    if flagged:
        assert findings[0].rule_id == "PK-KIDNEY-005" and findings[0].severity.value == "warn"
        assert findings[0].evidence


def test_the_cli_flags_a_dialysis_plan_simulated_with_normal_kidneys(run_cli, tmp_path) -> None:
    plan = run_cli("plan", "titrate", "--dialysis", "--start-date", "2026-12-01", "--json")
    path = tmp_path / "plan.json"
    path.write_text(plan.stdout)

    conflicting = run_cli("simulate", "regimen", str(path), "--crcl-ml-min", "90", "--json")
    consistent = run_cli("simulate", "regimen", str(path), "--json")

    assert "PK-KIDNEY-005" in [f["rule_id"] for f in conflicting.json()["findings"]]
    assert "PK-KIDNEY-005" not in [f["rule_id"] for f in consistent.json()["findings"]]
    assert json.loads(plan.stdout)["patient"]["kidney"]["dialysis"] is True
