"""`baclofen pump forecast|refill --setting NAME=VALUE`, the observed-rate "today" findings and the target."""

from __future__ import annotations

import pytest

FORECAST = (
    "pump",
    "forecast",
    "--pump",
    "synchromed-ii-20",
    "--volume-ml",
    "20",
    "--concentration-mcg-per-ml",
    "500",
    "--daily-dose-mcg",
    "150",
    "--filled",
    "2026-01-01",
)
REFILL = (
    "pump",
    "refill",
    "--pump",
    "synchromed-ii-20",
    "--concentration-mcg-per-ml",
    "500",
    "--daily-dose-mcg",
    "500",
    "--refilled",
    "2026-03-02",
    "--expected-ml",
    "4.9",
    "--aspirated-ml",
    "3.1",
    "--previous-fill-ml",
    "20",
    "--previous-filled",
    "2026-02-02",
)


def test_pump_forecast_setting_overrides_the_flow_accuracy(run_cli) -> None:
    r = run_cli(*FORECAST, "--setting", "pump.synchromed_ii.flow_accuracy_percent=5", "--json")

    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["flow_accuracy_percent"] == 5
    assert data["low_reservoir_alarm_date_if_over_infusing"] == "2026-02-27"
    used = next(s for s in data["settings"] if s["name"] == "pump.synchromed_ii.flow_accuracy_percent")
    assert used["value"] == 5 and used["default"] == 14.5


def test_pump_refill_setting_shows_the_value_used_in_the_table(run_cli) -> None:
    r = run_cli(*REFILL, "--setting", "pump.synchromed_ii.flow_accuracy_percent=3")

    assert r.exit_code == 0, r.stderr
    assert "pump.synchromed_ii.flow_accuracy_percent" in r.stdout


@pytest.mark.parametrize("command", [FORECAST, REFILL])
@pytest.mark.parametrize(
    "value",
    [
        "pump.synchromed_ii.flow_accuracy_percent=80",
        "pump.synchromed_ii.flow_accuracy_percent=nan",
        "pump.synchromed_ii.flow_accuracy_percent=abc",
        "pump.refill_margin_days=3",
        "nonsense",
    ],
)
def test_a_bad_setting_is_one_line_naming_the_option(run_cli, command, value) -> None:
    r = run_cli(*command, "--setting", value, "--json")

    assert r.exit_code == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "--setting" in lines[0], r.stderr


def test_a_flow_accuracy_setting_on_a_prometra_is_refused_with_a_reason(run_cli) -> None:
    r = run_cli(
        "pump",
        "forecast",
        "--pump",
        "prometra-ii-20",
        "--volume-ml",
        "20",
        "--concentration-mcg-per-ml",
        "500",
        "--daily-dose-mcg",
        "150",
        "--filled",
        "2026-01-01",
        "--setting",
        "pump.synchromed_ii.flow_accuracy_percent=5",
    )

    assert r.exit_code == 2
    assert "--setting" in r.stderr and "flow-accuracy" in r.stderr


def test_pump_refill_as_of_the_observed_alarm_day_warns_low_reservoir(run_cli) -> None:
    data = run_cli(*REFILL, "--as-of", "2026-03-18", "--json").json()

    finding = next(f for f in data["findings"] if f["rule_id"] == "PUMP-REFILL-002")
    assert finding["severity"] == "warn"  # issue 9 item 10: one severity with RISK-RESERVOIR-001
    assert "2026-03-18 at the observed delivery rate" in finding["message"]
    assert "PUMP-REFILL-001" not in [f["rule_id"] for f in data["findings"]]


def test_pump_refill_target_interval_before_which_the_observed_rate_refill_comes(run_cli) -> None:
    data = run_cli(*REFILL, "--target-interval-days", "10", "--json").json()

    finding = next(f for f in data["findings"] if f["rule_id"] == "PUMP-REFILL-006")
    assert data["next_refill_date"] == "2026-03-10"
    assert "2026-03-10" in finding["message"] and "2026-03-12" in finding["message"]


def test_pump_refill_names_the_rate_of_the_empty_date_too(run_cli) -> None:
    r = run_cli(*REFILL)

    text = " ".join(r.stdout.split())
    assert "empty 2026-03-19 at the observed rate, 2026-03-22 at the programmed rate" in text
    assert run_cli(*REFILL, "--json").json()["empty_date_at_observed_rate"] == "2026-03-19"
