"""Issue 8 defects 7, 15 and 16 through the CLI: taper steps, hardened inputs, terminal width."""

from __future__ import annotations

from typing import Any


def test_issue8_d7_cli_a_taper_with_one_big_step_is_not_offerable(run_cli: Any) -> None:
    """`plan taper --from-mg-per-day 80 --max-step-mg 80 --months-on-therapy 1` gave 40 mg/day then 0, offerable."""
    result = run_cli(
        "plan", "taper", "--from-mg-per-day", "80", "--max-step-mg", "80", "--months-on-therapy", "1", "--json"
    )

    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["offerable"] is False
    block = next(f for f in data["findings"] if f["rule_id"] == "TAPER-STEP-001")
    assert block["severity"] == "block"
    assert block["data"]["last_step_to_zero_mg_per_day"] == 40.0
