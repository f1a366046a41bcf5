"""`baclofen plan titrate|taper` and `baclofen demo` end to end through the real entry point."""

from __future__ import annotations

import pytest


def test_titrate_json_gives_the_label_schedule(run_cli) -> None:
    result = run_cli("plan", "titrate", "--start-date", "2026-12-01", "--crcl-ml-min", "100", "--json")

    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert [(s["start"], s["end"], s["daily_dose_mg"]) for s in data["steps"]] == [
        ("2026-12-01", "2026-12-03", 15.0),
        ("2026-12-04", "2026-12-06", 30.0),
        ("2026-12-07", "2026-12-09", 45.0),
        ("2026-12-10", "2026-12-12", 60.0),
    ]
    assert data["steps"][0]["doses"][0] == {
        "time": "08:00",
        "dose_mg": 5.0,
        "dispense": "1/2 x 10 mg tablet",
        "units": [{"strength_mg": 10.0, "count": 0.5}],
    }
    for finding in data["findings"]:
        assert finding["severity"] in {"block", "warn", "info"}
        assert finding["rule_id"] and finding["message"] and finding["evidence"]


def test_titrate_reduces_for_kidney_function_and_shows_the_reason(run_cli) -> None:
    result = run_cli(
        "plan",
        "titrate",
        "--start-date",
        "2026-12-01",
        "--target-mg-per-day",
        "60",
        "--crcl-ml-min",
        "45",
        "--json",
    )

    data = result.json()
    assert [s["daily_dose_mg"] for s in data["steps"]] == [5.0, 15.0, 20.0, 30.0]
    renal = next(f for f in data["findings"] if f["rule_id"] == "ORAL-RENAL-002")
    assert renal["data"]["crcl_ml_min"] == 45.0 and "S22" in renal["evidence_keys"]


def test_titrate_with_dialysis_starts_at_5_mg(run_cli) -> None:
    data = run_cli("plan", "titrate", "--dialysis", "--start-date", "2026-12-01", "--json").json()

    assert data["steps"][0]["daily_dose_mg"] <= 5.0
    assert any(f["rule_id"] == "ORAL-DIALYSIS-001" for f in data["findings"])


def test_titrate_above_the_ceiling_is_not_offerable_and_an_override_makes_it_so(run_cli) -> None:
    blocked = run_cli("plan", "titrate", "--target-mg-per-day", "100", "--doses-per-day", "4", "--json").json()
    overridden = (
        "plan",
        "titrate",
        "--target-mg-per-day",
        "100",
        "--doses-per-day",
        "4",
        "--override",
        "ORAL-MAX-001=in hospital under supervision",
        "--clinician",
        "Dr A",
        "--json",
    )
    # issue 9 item 9: in the US the override ceiling is a setting, the US maximum (80) by default; a clinic that
    # follows the core label's in-hospital range raises it
    us_default = run_cli(*overridden).json()
    allowed = run_cli(*overridden, "--setting", "oral.max_daily_dose_mg.in_hospital.us=100").json()

    assert blocked["offerable"] is False and blocked["max_daily_dose_mg"] == 80.0
    assert us_default["offerable"] is False and us_default["max_daily_dose_mg"] == 80.0
    assert allowed["offerable"] is True and allowed["max_daily_dose_mg"] == 100.0
    assert allowed["overrides"][0]["reason"] == "in hospital under supervision"


def test_titrate_uk_uses_the_uk_tablet_and_weekly_steps(run_cli) -> None:
    data = run_cli("plan", "titrate", "--locale", "UK", "--start-date", "2026-12-01", "--json").json()

    assert data["product"]["name"] == "uk-tablet-10mg"
    assert data["steps"][0]["end"] == "2026-12-07"


def test_titrate_human_output_is_a_table_with_findings_and_the_disclaimer(run_cli) -> None:
    result = run_cli("plan", "titrate", "--start-date", "2026-12-01", "--age", "70", "--product", "Ozobax")

    assert result.exit_code == 0
    out = result.stdout
    assert "Schedule" in out and "2026-12-01" in out and "08:00" in out
    assert "mL of 5 mg/5 mL oral solution" in out
    assert "ORAL-ELDERLY-001" in out and "[S14]" in out
    assert "not medical advice" in out


def test_taper_json_is_gradual_and_lists_withdrawal_signs(run_cli) -> None:
    result = run_cli(
        "plan",
        "taper",
        "--from-mg-per-day",
        "60",
        "--months-on-therapy",
        "24",
        "--start-date",
        "2026-12-01",
        "--json",
    )

    assert result.exit_code == 0, result.stderr
    data = result.json()
    daily = [s["daily_dose_mg"] for s in data["steps"]]
    assert daily == sorted(daily, reverse=True) and daily[-1] == 0.0
    assert data["parameters"]["days_to_target"] >= 28
    info = next(f for f in data["findings"] if f["rule_id"] == "TAPER-INFO-001")
    assert "hallucinations" in info["signs"]


def test_taper_to_a_lower_dose_with_a_smaller_step(run_cli) -> None:
    data = run_cli(
        "plan",
        "taper",
        "--from-mg-per-day",
        "40",
        "--to-mg-per-day",
        "20",
        "--max-step-mg",
        "5",
        "--start-date",
        "2026-12-01",
        "--json",
    ).json()

    assert [s["daily_dose_mg"] for s in data["steps"]] == [35.0, 30.0, 25.0, 20.0]


def test_taper_human_output_shows_the_stop_and_the_signs(run_cli) -> None:
    result = run_cli("plan", "taper", "--from-mg-per-day", "30", "--start-date", "2026-12-01")

    assert result.exit_code == 0
    assert "stop: no baclofen" in result.stdout
    assert "Watch for:" in result.stdout and "seizures" in result.stdout
    assert "not medical advice" in result.stdout


def test_a_rapid_taper_request_is_shown_as_not_offerable(run_cli) -> None:
    result = run_cli("plan", "taper", "--from-mg-per-day", "30", "--min-days", "5")

    assert result.exit_code == 0
    assert "NOT OFFERABLE" in result.stdout and "TAPER-ABRUPT-001" in result.stdout


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("plan", "titrate", "--doses-per-day", "5"), "--doses-per-day"),
        (("plan", "titrate", "--crcl-ml-min", "-3"), "--crcl-ml-min"),
        (("plan", "titrate", "--crcl-ml-min", "400"), "--crcl-ml-min"),
        (("plan", "titrate", "--start-date", "2026-02-30"), "--start-date"),
        (("plan", "titrate", "--start-date", "tomorrow"), "--start-date"),
        (("plan", "titrate", "--crcl-ml-min", "40", "--dialysis"), "--dialysis"),
        (("plan", "titrate", "--product", "tablet-25mg"), "--product"),
        (("plan", "titrate", "--target-mg-per-day", "-10"), "--target-mg-per-day"),
        (("plan", "titrate", "--locale", "fr"), "--locale"),
        (("plan", "titrate", "--origin", "muscular"), "--origin"),
        (("plan", "titrate", "--override", "ORAL-MAX-001"), "--override"),
        (("plan", "titrate", "--override", "ORAL-MAX-001=no block to override", "--clinician", "Dr A"), "--override"),
        (("plan", "titrate", "--override", "ORAL-MAX-001=no block to override"), "--clinician"),
        (("plan", "titrate", "--dose-times", "8am,2pm,8pm"), "--dose-times"),
        (("plan", "titrate", "--step-interval-days", "0"), "--step-interval-days"),
        (("plan", "taper", "--from-mg-per-day", "-10"), "--from-mg-per-day"),
        (("plan", "taper", "--from-mg-per-day", "40", "--to-mg-per-day", "50"), "--to-mg-per-day"),
        (("plan", "taper", "--from-mg-per-day", "40", "--to-mg-per-day", "7"), "--to-mg-per-day"),
        (("plan", "taper", "--from-mg-per-day", "40", "--max-step-mg", "1"), "--max-step-mg"),
        (("plan", "taper", "--from-mg-per-day", "40", "--months-on-therapy", "-2"), "--months-on-therapy"),
        (("plan", "taper", "--from-mg-per-day", "3"), "--product"),
        (("demo", "--start-date", "2026-99-01"), "--start-date"),
    ],
)
def test_bad_input_is_one_line_naming_the_option_with_exit_code_2(run_cli, args: tuple[str, ...], option: str) -> None:
    result = run_cli(*args)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error:")
    assert option in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_prints_a_titration_and_a_taper(run_cli) -> None:
    result = run_cli("demo", "--start-date", "2026-12-01")

    assert result.exit_code == 0
    assert "1. Start oral baclofen" in result.stdout and "2. Stop 60 mg/day" in result.stdout
    assert result.stdout.count("Schedule") == 2
    assert "not medical advice" in result.stdout


def test_demo_json_holds_both_plans_in_the_shared_shape(run_cli) -> None:
    data = run_cli("demo", "--start-date", "2026-12-01", "--json").json()

    assert set(data) == {"titration", "taper", "settings"}  # the settings both plans used, as every command
    assert data["titration"]["steps"][-1]["daily_dose_mg"] == 40.0  # 60 x 2/3 for eGFR 55
    assert data["taper"]["steps"][-1]["daily_dose_mg"] == 0.0
    assert all(data[k]["offerable"] for k in ("titration", "taper"))
    names = [s["name"] for s in data["settings"]]
    assert set(names) == {s["name"] for k in ("titration", "taper") for s in data[k]["settings"]}


def test_demo_without_a_date_uses_today(run_cli) -> None:
    from datetime import date

    data = run_cli("demo", "--json").json()

    assert data["titration"]["start"] == date.today().isoformat()
