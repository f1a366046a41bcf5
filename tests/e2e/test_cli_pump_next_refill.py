"""`baclofen pump refill --previous-fill-ml --previous-filled` and the over-infusion alarm finding."""

from __future__ import annotations

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
)


def test_pump_refill_with_the_previous_fill_recommends_the_earlier_date_and_shows_the_arithmetic(run_cli) -> None:
    r = run_cli(*REFILL, "--previous-fill-ml", "20", "--previous-filled", "2026-02-02")

    assert r.exit_code == 0, r.stderr
    assert "next refill 2026-03-11 at the observed delivery rate" in r.stdout
    assert "at the programmed rate 2026-03-13" in r.stdout
    assert "16.9 mL" in r.stdout and "15.1 mL" in r.stdout
    assert "PUMP-REFILL-004" in r.stdout
    assert "pump.reconcile.tolerance_ml" in r.stdout  # the tolerance that decided it is shown


def test_pump_refill_json_with_the_previous_fill(run_cli) -> None:
    data = run_cli(*REFILL, "--previous-fill-ml", "20", "--previous-filled", "2026-02-02", "--json").json()

    assert data["next_refill_date"] == "2026-03-11"
    assert data["next_refill_date"] < data["low_reservoir_alarm_date_at_observed_rate"]
    assert data["observed_delivery"]["over_delivery"] is True


def test_pump_refill_without_the_previous_fill_warns_that_the_date_assumes_the_programmed_rate(run_cli) -> None:
    data = run_cli(*REFILL, "--json").json()

    finding = next(f for f in data["findings"] if f["rule_id"] == "PUMP-REFILL-005")
    assert finding["severity"] == "warn" and "assumes the programmed rate" in finding["message"]


def test_a_bad_previous_fill_date_is_one_line_naming_the_option(run_cli) -> None:
    r = run_cli(*REFILL, "--previous-fill-ml", "20", "--previous-filled", "2026-03-05", "--json")

    assert r.exit_code == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "--previous-filled" in lines[0], r.stderr


def test_pump_forecast_tells_when_the_over_infusion_alarm_comes_before_the_refill(run_cli) -> None:
    data = run_cli(
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
        "--json",
    ).json()

    finding = next(f for f in data["findings"] if f["rule_id"] == "PUMP-FCST-004")
    assert finding["severity"] == "info"
    assert data["low_reservoir_alarm_date_if_over_infusing"] == "2026-02-22"
    assert "2026-02-22" in finding["message"] and "UNCONFIRMED" in finding["message"]
