"""`baclofen itb ...` and `baclofen pump ...` end to end: JSON fields, tables, one-line errors with exit 2."""

from __future__ import annotations

import pytest


def test_itb_screen_no_no_proposes_100_mcg(run_cli) -> None:
    r = run_cli("itb", "screen", "--responses", "no,no", "--json")

    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert (data["next_dose_mcg"], data["earliest_next_hours"], data["candidate"]) == (100.0, 24.0, None)
    assert [d["dose_mcg"] for d in data["doses_given"]] == [50.0, 75.0]
    assert data["findings"][0]["rule_id"] == "ITB-SCREEN-001"


@pytest.mark.parametrize(
    ("responses", "next_dose", "candidate"),
    [("", 50.0, None), ("no,no,no", None, False), ("no,yes", None, True)],
)
def test_itb_screen_decides(run_cli, responses, next_dose, candidate) -> None:
    data = run_cli("itb", "screen", "--responses", responses, "--json").json()

    assert (data["next_dose_mcg"], data["candidate"]) == (next_dose, candidate)


def test_itb_screen_no_response_to_100_is_a_blocking_finding(run_cli) -> None:
    data = run_cli("itb", "screen", "--responses", "no,no,no", "--json").json()

    assert data["earliest_next_hours"] is None
    finding = data["findings"][0]
    assert (finding["rule_id"], finding["severity"]) == ("ITB-SCREEN-003", "block")
    assert finding["evidence"] and finding["reasoning"] and finding["message"]


def test_itb_screen_low_start(run_cli) -> None:
    data = run_cli("itb", "screen", "--start-mcg", "25", "--json").json()

    assert data["next_dose_mcg"] == 25.0
    assert data["ladder_mcg"] == [25.0, 50.0, 75.0, 100.0]


def test_itb_screen_table(run_cli) -> None:
    r = run_cli("itb", "screen", "--responses", "no", "--hours-since-last", "20")

    assert r.exit_code == 0
    assert "Next dose: 75 mcg (1.5 mL) in 4 h" in r.stdout
    assert "not medical advice" in r.stdout


@pytest.mark.parametrize(("hours", "daily"), [("6", 150.0), ("8", 150.0), ("8.5", 75.0)])
def test_itb_initial_dose(run_cli, hours, daily) -> None:
    data = run_cli("itb", "initial-dose", "--screening-dose-mcg", "75", "--response-hours", hours, "--json").json()

    assert data["daily_dose_mcg"] == daily
    assert data["hourly_rate_mcg_per_h"] == pytest.approx(daily / 24)
    assert data["findings"][0]["rule_id"] == "ITB-INIT-001"


def test_itb_initial_dose_negative_reactions(run_cli) -> None:
    data = run_cli(
        "itb",
        "initial-dose",
        "--screening-dose-mcg",
        "50",
        "--response-hours",
        "4",
        "--negative-reactions",
        "--json",
    ).json()

    assert data["daily_dose_mcg"] == 50.0


def test_itb_titrate_spinal_and_at_refill(run_cli) -> None:
    daily = run_cli("itb", "titrate", "--current-mcg-per-day", "200", "--origin", "spinal", "--json").json()
    refill = run_cli(
        "itb", "titrate", "--current-mcg-per-day", "200", "--origin", "cerebral", "--at-refill", "--json"
    ).json()

    assert (daily["min_mcg_per_day"], daily["max_mcg_per_day"]) == (pytest.approx(220), pytest.approx(260))
    assert (refill["min_mcg_per_day"], refill["max_mcg_per_day"]) == (pytest.approx(160), pytest.approx(240))
    assert refill["decrease"]["max_mcg_per_day"] == pytest.approx(180)


def test_itb_titrate_before_24_h_is_blocked(run_cli) -> None:
    data = run_cli(
        "itb",
        "titrate",
        "--current-mcg-per-day",
        "150",
        "--origin",
        "spinal",
        "--hours-since-start",
        "12",
        "--json",
    ).json()

    assert [f["rule_id"] for f in data["findings"]] == ["ITB-TITR-001"]
    assert data["offerable"] is False
    assert (data["min_mcg_per_day"], data["max_mcg_per_day"]) == (150.0, 150.0)  # no increase offered


def test_itb_titrate_in_the_first_24_h_the_table_offers_no_increase(run_cli) -> None:
    r = run_cli("itb", "titrate", "--current-mcg-per-day", "150", "--hours-since-start", "12")

    assert r.exit_code == 0, r.stderr
    assert "hold" in r.stdout and "165" not in r.stdout.split("Reasoning")[0]


def test_itb_titrate_a_proposal_above_1000_needs_confirmation(run_cli) -> None:
    args = ("itb", "titrate", "--current-mcg-per-day", "900", "--at-refill", "--proposed-mcg-per-day", "1050")
    plain = run_cli(*args, "--json").json()
    confirmed = run_cli(*args, "--confirm-high-dose", "--json").json()

    warn = next(f for f in plain["findings"] if f["rule_id"] == "ITB-DOSE-001")
    assert warn["data"]["confirmed"] is False
    assert next(f for f in confirmed["findings"] if f["rule_id"] == "ITB-DOSE-001")["data"]["confirmed"] is True


def test_itb_transition(run_cli) -> None:
    r = run_cli(
        "itb",
        "transition",
        "--oral-mg-per-day",
        "60",
        "--itb-initial-mcg-per-day",
        "150",
        "--infusion-start",
        "2026-05-04",
        "--itb-target-mcg-per-day",
        "300",
        "--json",
    )

    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["oral_taper"]["steps"][0]["start"] == "2026-05-05"
    assert data["days"][0] == {
        "date": "2026-05-04",
        "oral_mg_per_day": 60.0,
        "itb_max_mcg_per_day": 150.0,
        "itb_cautious_max_mcg_per_day": 150.0,
    }


def test_pump_forecast(run_cli) -> None:
    r = run_cli(
        "pump",
        "forecast",
        "--pump",
        "synchromed-ii-20",
        "--volume-ml",
        "20",
        "--concentration-mcg-per-ml",
        "500",
        "--daily-dose-mcg",
        "500",
        "--filled",
        "2026-01-01",
        "--implanted",
        "2024-02-29",
        "--json",
    )

    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["empty_date"] == "2026-01-21"
    assert data["low_reservoir_alarm_date"] == "2026-01-19"
    assert data["recommended_refill_date"] == "2026-01-12"
    assert data["stability_limit_date"] == "2026-06-30"
    assert data["battery_replacement_date"] == "2028-08-28"
    for finding in data["findings"]:
        assert {"rule_id", "severity", "message", "evidence", "reasoning"} <= set(finding)


def test_pump_forecast_margin_and_table(run_cli) -> None:
    data = run_cli(
        "pump",
        "forecast",
        "--pump",
        "prometra-ii-20",
        "--volume-ml",
        "20",
        "--concentration-mcg-per-ml",
        "500",
        "--daily-dose-mcg",
        "500",
        "--filled",
        "2026-01-01",
        "--margin-days",
        "3",
        "--json",
    ).json()
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
        "500",
        "--filled",
        "2026-01-01",
    )

    assert (data["low_reservoir_alarm_date"], data["recommended_refill_date"]) == ("2026-01-18", "2026-01-15")
    assert "Recommended refill" in r.stdout and "2026-01-11" in r.stdout


def test_pump_reconcile(run_cli) -> None:
    data = run_cli("pump", "reconcile", "--expected-ml", "4.9", "--aspirated-ml", "3.1", "--json").json()

    assert data["discrepancy_ml"] == pytest.approx(-1.8)
    assert data["discrepancy_percent"] == pytest.approx(-36.7347, abs=1e-3)
    assert data["findings"][0]["rule_id"] == "PUMP-RECON-001"


def test_pump_reconcile_trend(run_cli) -> None:
    data = run_cli(
        "pump",
        "reconcile",
        "--expected-ml",
        "5",
        "--aspirated-ml",
        "4.8",
        "--previous",
        "5:4.8,5:4.7",
        "--json",
    ).json()

    assert [f["rule_id"] for f in data["findings"]] == ["PUMP-RECON-004", "PUMP-RECON-003"]
    assert data["trend"]["consecutive_less"] == 3


def test_pump_program_flex(run_cli) -> None:
    data = run_cli(
        "pump",
        "program",
        "--pump",
        "synchromed-ii-20",
        "--concentration-mcg-per-ml",
        "500",
        "--flex",
        "06:00=20,22:00=10",
        "--json",
    ).json()

    assert data["daily_dose_mcg"] == 400.0
    assert data["daily_volume_ml"] == pytest.approx(0.8)
    assert [(s["start"], s["rate_mcg_per_h"], s["rate_ml_per_h"]) for s in data["steps"]] == [
        ("06:00", 20.0, 0.04),
        ("22:00", 10.0, 0.02),
    ]
    assert data["findings"] == []


def test_pump_program_continuous(run_cli) -> None:
    data = run_cli(
        "pump",
        "program",
        "--pump",
        "prometra-ii-40",
        "--concentration-mcg-per-ml",
        "1000",
        "--daily-dose-mcg",
        "600",
        "--json",
    ).json()

    assert data["steps"] == [{"start": "00:00", "rate_mcg_per_h": 25.0, "rate_ml_per_h": 0.025}]
    assert data["daily_volume_ml"] == pytest.approx(0.6)


def test_pump_concentration_change(run_cli) -> None:
    r = run_cli(
        "pump",
        "concentration-change",
        "--pump",
        "synchromed-ii-40",
        "--daily-dose-mcg",
        "900",
        "--old-mcg-per-ml",
        "500",
        "--new-mcg-per-ml",
        "2000",
        "--catheter-volume-ml",
        "0.2",
        "--json",
    )

    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["new_ml_per_day"] == pytest.approx(0.45)
    assert data["bridge"]["drug_mcg"] == pytest.approx(100)
    assert {"ITB-CONC-001", "ITB-CONC-002", "ITB-CONC-003", "ITB-CONC-005"} == {f["rule_id"] for f in data["findings"]}


def test_pump_refill_visit(run_cli) -> None:
    data = run_cli(
        "pump",
        "refill",
        "--pump",
        "synchromed-ii-20",
        "--concentration-mcg-per-ml",
        "500",
        "--daily-dose-mcg",
        "450",
        "--refilled",
        "2026-03-02",
        "--expected-ml",
        "4.9",
        "--aspirated-ml",
        "3.1",
        "--json",
    ).json()

    assert data["fill_ml"] == 20.0
    assert data["next_refill_date"] < data["low_reservoir_alarm_date"]
    assert data["reconciliation"]["discrepancy_ml"] == pytest.approx(-1.8)


def test_pump_list(run_cli) -> None:
    data = run_cli("pump", "list", "--json").json()

    assert len(data["pumps"]) == 4


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("itb", "screen", "--responses", "no,no,no,no"), "--responses"),
        (("itb", "screen", "--responses", "maybe"), "--responses"),
        (("itb", "screen", "--start-mcg", "30"), "--start-mcg"),
        (
            ("itb", "initial-dose", "--screening-dose-mcg", "0", "--response-hours", "4"),
            "--screening-dose-mcg",
        ),
        (("itb", "initial-dose", "--screening-dose-mcg", "50", "--response-hours", "-1"), "--response-hours"),
        (("itb", "titrate", "--current-mcg-per-day", "100", "--origin", "brain"), "--origin"),
        (("itb", "titrate", "--current-mcg-per-day", "-5"), "--current-mcg-per-day"),
        (("itb", "titrate", "--current-mcg-per-day", "abc"), "--current-mcg-per-day"),
        (
            (
                "pump",
                "forecast",
                "--pump",
                "synchromed-ii-20",
                "--volume-ml",
                "25",
                "--concentration-mcg-per-ml",
                "500",
                "--daily-dose-mcg",
                "500",
                "--filled",
                "2026-01-01",
            ),
            "--volume-ml",
        ),
        (
            (
                "pump",
                "forecast",
                "--pump",
                "isomed",
                "--volume-ml",
                "5",
                "--concentration-mcg-per-ml",
                "500",
                "--daily-dose-mcg",
                "500",
                "--filled",
                "2026-01-01",
            ),
            "--pump",
        ),
        (
            (
                "pump",
                "forecast",
                "--pump",
                "synchromed-ii-20",
                "--volume-ml",
                "10",
                "--concentration-mcg-per-ml",
                "500",
                "--daily-dose-mcg",
                "500",
                "--filled",
                "2026-02-30",
            ),
            "--filled",
        ),
        (
            (
                "pump",
                "forecast",
                "--pump",
                "synchromed-ii-20",
                "--volume-ml",
                "10",
                "--concentration-mcg-per-ml",
                "500",
                "--daily-dose-mcg",
                "500",
                "--filled",
                "2026-02-01",
                "--margin-days",
                "0",
            ),
            "--margin-days",
        ),
        (
            (
                "pump",
                "forecast",
                "--pump",
                "synchromed-ii-20",
                "--volume-ml",
                "10",
                "--concentration-mcg-per-ml",
                "0",
                "--daily-dose-mcg",
                "500",
                "--filled",
                "2026-02-01",
            ),
            "--concentration-mcg-per-ml",
        ),
        (
            (
                "pump",
                "forecast",
                "--pump",
                "synchromed-ii-20",
                "--volume-ml",
                "10",
                "--concentration-mcg-per-ml",
                "500",
                "--filled",
                "2026-02-01",
            ),
            "--daily-dose-mcg",
        ),
        (("pump", "reconcile", "--expected-ml", "4", "--aspirated-ml", "-3"), "--aspirated-ml"),
        (
            ("pump", "reconcile", "--expected-ml", "4", "--aspirated-ml", "3", "--previous", "4-3"),
            "--previous",
        ),
        (
            (
                "pump",
                "program",
                "--pump",
                "synchromed-ii-20",
                "--concentration-mcg-per-ml",
                "500",
                "--flex",
                "22:00=10,06:00=20",
            ),
            "--flex",
        ),
        (
            (
                "pump",
                "program",
                "--pump",
                "synchromed-ii-20",
                "--concentration-mcg-per-ml",
                "500",
                "--flex",
                ",".join(f"{h:02d}:00=5" for h in range(14)),
            ),
            "--flex",
        ),
        (
            (
                "pump",
                "program",
                "--pump",
                "synchromed-ii-20",
                "--concentration-mcg-per-ml",
                "500",
                "--flex",
                "06:00=20,22:00=10",
                "--daily-dose-mcg",
                "600",
            ),
            "--daily-dose-mcg",
        ),
        (
            (
                "pump",
                "concentration-change",
                "--pump",
                "synchromed-ii-20",
                "--daily-dose-mcg",
                "900",
                "--old-mcg-per-ml",
                "500",
                "--new-mcg-per-ml",
                "2000",
            ),
            "--catheter-volume-ml",
        ),
        (
            (
                "pump",
                "concentration-change",
                "--pump",
                "prometra-ii-20",
                "--daily-dose-mcg",
                "900",
                "--old-mcg-per-ml",
                "500",
                "--new-mcg-per-ml",
                "500",
            ),
            "--new-mcg-per-ml",
        ),
        (
            (
                "pump",
                "refill",
                "--pump",
                "synchromed-ii-20",
                "--concentration-mcg-per-ml",
                "500",
                "--daily-dose-mcg",
                "450",
                "--refilled",
                "2026-03-02",
                "--expected-ml",
                "4",
            ),
            "--aspirated-ml",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_option_with_exit_2(run_cli, args, option) -> None:
    r = run_cli(*args, "--json")

    assert r.exit_code == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and option in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_pump_refill_never_hides_a_programmed_dose_above_the_highest_reported(run_cli) -> None:
    data = run_cli(
        "pump",
        "refill",
        "--pump",
        "synchromed-ii-40",
        "--concentration-mcg-per-ml",
        "2000",
        "--daily-dose-mcg",
        "2500",
        "--refilled",
        "2026-03-02",
        "--json",
    ).json()

    blocks = [f for f in data["findings"] if f["severity"] == "block"]
    assert [f["rule_id"] for f in blocks] == ["ITB-DOSE-002"]


def test_pump_forecast_names_the_over_infusion_row_as_a_date_not_a_volume(run_cli) -> None:
    r = run_cli(
        "pump",
        "forecast",
        "--pump",
        "synchromed-ii-20",
        "--volume-ml",
        "20",
        "--concentration-mcg-per-ml",
        "500",
        "--daily-dose-mcg",
        "900",
        "--filled",
        "2026-03-02",
    )

    assert r.exit_code == 0, r.stderr
    assert "Alarm volume" not in r.stdout
    assert "Low-reservoir alarm if the pump over-infuses by 14.5 %" in r.stdout
