"""Oral review fixes through the real entry point: journey 2 without the months, coarse products in CKD."""

from __future__ import annotations


def test_journey_2_taper_from_60_without_the_months_is_planned_long_and_says_why(run_cli) -> None:
    result = run_cli("plan", "taper", "--from-mg-per-day", "60", "--start-date", "2026-12-01", "--json")

    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["parameters"]["required_days_to_zero"] == 28
    assert data["parameters"]["days_to_target"] >= 28
    warn = next(f for f in data["findings"] if f["rule_id"] == "TAPER-LONGTERM-002")
    assert warn["severity"] == "warn" and "S110" in warn["evidence_keys"]
    assert "at least 28 days" in warn["message"]

    short = run_cli(
        "plan",
        "taper",
        "--from-mg-per-day",
        "60",
        "--months-on-therapy",
        "2",
        "--start-date",
        "2026-12-01",
        "--json",
    ).json()
    assert short["parameters"]["required_days_to_zero"] == 14
    assert not any(f["rule_id"] == "TAPER-LONGTERM-002" for f in short["findings"])


def test_a_20_mg_tablet_in_severe_ckd_is_not_offered_and_the_table_says_which_product_can(run_cli) -> None:
    args = ("plan", "titrate", "--crcl-ml-min", "25", "--product", "tablet-20mg", "--start-date", "2026-12-01")

    # Issue 9 item 3: the reduction comes from one PK study (S22): a warn, like ORAL-RENAL-003, naming the product.
    data = run_cli(*args, "--json").json()
    assert data["offerable"] is True
    warn = next(f for f in data["findings"] if f["rule_id"] == "ORAL-PRODUCT-001")
    assert warn["severity"] == "warn" and {"S22", "S13"} <= set(warn["evidence_keys"])

    table = run_cli(*args)
    assert "ORAL-PRODUCT-001" in table.stdout and "tablet-5mg" in table.stdout
