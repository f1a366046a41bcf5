"""Issue 9 (pump area) through the CLI JSON."""

from __future__ import annotations

FORECAST = (
    "pump", "forecast", "--pump", "synchromed-ii-20", "--volume-ml", "20", "--concentration-mcg-per-ml", "500",
    "--daily-dose-mcg", "300",
)


def _ids(data) -> list[str]:
    return [f["rule_id"] for f in data["findings"]]


def test_issue9_i1_a_device_eri_date_is_not_blocked_at_the_five_year_date(run_cli) -> None:
    """Item 1: implant 2018-01-01 with a device ERI of 2023-06-01 is blocked as "past end of service 2023-01-01"."""
    data = run_cli(*FORECAST, "--filled", "2023-06-01", "--implanted", "2018-01-01", "--eri-date", "2023-06-01",
                   "--json").json()

    assert data["battery"]["shutoff_date"] == "2023-08-30"
    assert data["battery"]["shutoff_basis"] == "eri"
    assert "PUMP-BATT-002" not in _ids(data)


def test_issue9_i1_no_eri_date_keeps_the_planning_life_block(run_cli) -> None:
    data = run_cli(*FORECAST, "--filled", "2023-06-01", "--implanted", "2018-01-01", "--json").json()

    block = next(f for f in data["findings"] if f["rule_id"] == "PUMP-BATT-002")
    assert block["severity"] == "block" and "2023-01-01" in block["message"]
    assert "no ERI date recorded" in block["message"]
    assert data["battery"]["shutoff_basis"] == "planning_service_life"
