"""Issue 8, pump part: refill / forecast / reconcile defects, each reproduced through the CLI JSON."""

from __future__ import annotations

D1 = (
    "pump", "refill", "--pump", "synchromed-ii-40", "--concentration-mcg-per-ml", "2000", "--daily-dose-mcg", "400",
    "--refilled", "2026-11-24", "--expected-ml", "38", "--aspirated-ml", "34.3", "--previous-fill-ml", "40",
    "--previous-filled", "2026-11-14", "--json",
)


def _keys(finding):
    return {e.split("]")[0].lstrip("[") for e in finding["evidence"]}


def _finding(data, rule_id):
    return next(f for f in data["findings"] if f["rule_id"] == rule_id)


def test_issue8_d1_over_delivery_hidden_by_a_near_full_reservoir_is_a_warn(run_cli) -> None:
    """Defect 1: 5.7 mL delivered against 2.0 mL programmed (excess 185 %) yet over_delivery false, "within
    tolerance" (info), next refill 2027-05-23 although the observed-rate alarm comes 2027-01-29."""
    r = run_cli(*D1)

    assert r.exit_code == 0, r.stderr
    data = r.json()
    observed = data["observed_delivery"]
    assert observed["over_delivery"] is True
    assert observed["rate_factor"] == 5.7 / 2.0 or abs(observed["rate_factor"] - 2.85) < 1e-9
    warn = _finding(data, "PUMP-RECON-006")
    assert warn["severity"] == "warn"
    assert "5.7" in warn["message"] and "2" in warn["message"] and "14.5" in warn["message"]
    assert {"S60", "S62"} <= _keys(warn)
    assert data["low_reservoir_alarm_date_at_observed_rate"] == "2027-01-29"
    assert data["next_refill_date"] == "2027-01-22"
    assert data["next_refill_date"] < data["low_reservoir_alarm_date_at_observed_rate"]
    assert data["next_refill_date"] < data["low_reservoir_alarm_date"]
