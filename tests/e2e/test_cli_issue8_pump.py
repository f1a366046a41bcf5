"""Issue 8, pump part: refill / forecast / reconcile defects, each reproduced through the CLI JSON."""

from __future__ import annotations

import pytest

D1 = (
    "pump",
    "refill",
    "--pump",
    "synchromed-ii-40",
    "--concentration-mcg-per-ml",
    "2000",
    "--daily-dose-mcg",
    "400",
    "--refilled",
    "2026-11-24",
    "--expected-ml",
    "38",
    "--aspirated-ml",
    "34.3",
    "--previous-fill-ml",
    "40",
    "--previous-filled",
    "2026-11-14",
    "--json",
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


FORECAST = (
    "pump",
    "forecast",
    "--pump",
    "synchromed-ii-20",
    "--volume-ml",
    "20",
    "--concentration-mcg-per-ml",
    "500",
)


def test_issue8_d6_a_fill_after_the_pump_shut_off_is_a_block_without_as_of(run_cli) -> None:
    """Defect 6: a fill after the pump's shut-off only warns unless --as-of is given."""
    data = run_cli(
        *FORECAST, "--daily-dose-mcg", "300", "--filled", "2026-11-24", "--implanted", "2019-01-01", "--json"
    ).json()

    block = _finding(data, "PUMP-BATT-002")
    assert block["severity"] == "block"
    assert "2026-11-24" in block["message"] and data["battery"]["shutoff_date"] in block["message"]
    assert "PUMP-BATT-001" not in [f["rule_id"] for f in data["findings"]]


def test_issue8_d6_a_fill_before_the_shut_off_is_not_blocked(run_cli) -> None:
    data = run_cli(
        *FORECAST, "--daily-dose-mcg", "300", "--filled", "2023-11-24", "--implanted", "2019-01-01", "--json"
    ).json()

    assert "PUMP-BATT-002" not in [f["rule_id"] for f in data["findings"]]


# 2.5 mL at 1 mL/day reaches the 2 mL alarm on the fill day: no date after the fill is before it (PUMP-FCST-003)
TOO_SHORT = (
    "pump",
    "forecast",
    "--pump",
    "synchromed-ii-20",
    "--volume-ml",
    "2.5",
    "--concentration-mcg-per-ml",
    "500",
    "--daily-dose-mcg",
    "500",
    "--filled",
    "2027-03-02",
)


def test_issue8_d8_a_refill_date_before_the_fill_is_never_given(run_cli) -> None:
    """Defect 8: --daily-dose-mcg 1500 --filled 2027-03-02 gives 2027-03-01 (interval -1) and the block's advice
    is the withdrawal-emergency text. Issue 9: the block comes only when no date after the fill is before the
    alarm; a fill inside the (ASSUMPTION) margin gets the day after the fill with a warn."""
    data = run_cli(*TOO_SHORT, "--json").json()

    assert data["recommended_refill_date"] is None and data["refill_interval_days"] is None
    assert data["refill_possible"] is False
    block = _finding(data, "PUMP-FCST-003")
    assert block["severity"] == "block"
    assert "refill not possible at this dose and volume" in block["message"].lower()
    assert "concentration" in block["action"] and "reservoir" in block["action"] and "dose" in block["action"]
    assert "Emergency" not in block["action"] and "Oral baclofen alone" not in block["action"]
    assert "PUMP-FCST-001" not in [f["rule_id"] for f in data["findings"]]

    inside_margin = run_cli(*FORECAST, "--daily-dose-mcg", "1500", "--filled", "2027-03-02", "--json").json()

    assert inside_margin["recommended_refill_date"] == "2027-03-03" and inside_margin["refill_interval_days"] == 1
    assert _finding(inside_margin, "PUMP-FCST-005")["severity"] == "warn"
    assert "PUMP-FCST-003" not in [f["rule_id"] for f in inside_margin["findings"]]


def test_issue8_d8_the_human_output_says_no_date(run_cli) -> None:
    r = run_cli(*TOO_SHORT)

    assert r.exit_code == 0, r.stderr
    row = next(line for line in r.stdout.splitlines() if "Recommended refill" in line)
    assert "2027-03-01" not in row and "2027-03-02" not in row and "not possible" in row


def test_issue8_d11_empty_reservoir_is_block(run_cli) -> None:
    """Defect 11: an empty reservoir at refill (pump reconcile --expected-ml 4.9 --aspirated-ml 0) is only a warn."""
    r = run_cli("pump", "reconcile", "--expected-ml", "4.9", "--aspirated-ml", "0", "--json")

    assert r.exit_code == 0, r.stderr
    data = r.json()
    block = _finding(data, "PUMP-RECON-007")
    assert block["severity"] == "block" and data["findings"][0]["rule_id"] == "PUMP-RECON-007"
    assert "empty" in block["message"].lower()
    assert {"S69", "S118", "S60", "S61"} <= _keys(block)
    assert "withdrawal" in block["reasoning"] and "over-infus" in block["reasoning"]


def test_issue8_d11_aspirated_above_the_previous_fill_is_an_inconsistency(run_cli) -> None:
    """Defect 11: an aspirated volume above the previous fill is accepted without an inconsistency finding."""
    r = run_cli(
        "pump",
        "refill",
        "--pump",
        "synchromed-ii-20",
        "--concentration-mcg-per-ml",
        "500",
        "--daily-dose-mcg",
        "100",
        "--refilled",
        "2026-03-02",
        "--expected-ml",
        "11",
        "--aspirated-ml",
        "16",
        "--previous-fill-ml",
        "15",
        "--previous-filled",
        "2026-02-02",
        "--json",
    )

    assert r.exit_code == 0, r.stderr
    block = _finding(r.json(), "PUMP-RECON-008")
    assert block["severity"] == "block"
    assert "16" in block["message"] and "15" in block["message"]
    assert "S71" in _keys(block)


def test_issue8_d11_reconcile_takes_the_previous_fill_too(run_cli) -> None:
    data = run_cli(
        "pump", "reconcile", "--expected-ml", "11", "--aspirated-ml", "16", "--previous-fill-ml", "15", "--json"
    ).json()

    assert _finding(data, "PUMP-RECON-008")["severity"] == "block"


def test_issue8_d11_aspirated_above_the_reservoir_capacity_is_an_inconsistency(run_cli) -> None:
    r = run_cli(
        "pump", "reconcile", "--pump", "synchromed-ii-20", "--expected-ml", "5", "--aspirated-ml", "25", "--json"
    )

    assert r.exit_code == 0, r.stderr
    block = _finding(r.json(), "PUMP-RECON-008")
    assert block["severity"] == "block" and "20" in block["message"]


OFFSETS = (
    "pump",
    "refill",
    "--pump",
    "synchromed-ii-20",
    "--concentration-mcg-per-ml",
    "500",
    "--daily-dose-mcg",
    "100",
    "--expected-ml",
    "10",
    "--aspirated-ml",
    "10",
    "--previous-fill-ml",
    "20",
    "--json",
)


def test_issue8_d14_utc_offsets_are_honoured_in_intervals(run_cli) -> None:
    """Defect 14: --previous-filled 2026-11-01T00:00+10:00 --refilled 2026-11-24T00:00-10:00 gives 23.0 days,
    truly 23.83."""
    r = run_cli(*OFFSETS, "--previous-filled", "2026-11-01T00:00+10:00", "--refilled", "2026-11-24T00:00-10:00")

    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert abs(data["observed_delivery"]["interval_days"] - (23 + 20 / 24)) < 1e-9
    assert data["forecast"]["fill"]["filled_at"] == "2026-11-24T00:00:00-10:00"


def test_issue8_d14_naive_date_times_stay_pump_clock_times(run_cli) -> None:
    data = run_cli(*OFFSETS, "--previous-filled", "2026-11-01T00:00", "--refilled", "2026-11-24T00:00").json()

    assert data["observed_delivery"]["interval_days"] == 23.0


def test_issue8_d14_a_mix_of_times_with_and_without_offset_is_refused_naming_the_option(run_cli) -> None:
    r = run_cli(*OFFSETS, "--previous-filled", "2026-11-01T00:00+10:00", "--refilled", "2026-11-24T00:00")

    assert r.exit_code == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "--refilled" in lines[0] and "UTC offset" in lines[0], r.stderr


def test_issue8_d14_forecast_as_of_with_another_offset_is_the_same_instant(run_cli) -> None:
    base = (*FORECAST, "--daily-dose-mcg", "500", "--json")  # 1 mL/day
    utc = run_cli(*base, "--filled", "2026-01-01T00:00+00:00", "--as-of", "2026-01-03T00:00+00:00").json()
    shifted = run_cli(*base, "--filled", "2026-01-01T00:00+00:00", "--as-of", "2026-01-03T10:00+10:00").json()
    later = run_cli(*base, "--filled", "2026-01-01T00:00+00:00", "--as-of", "2026-01-03T00:00-12:00").json()

    assert utc["remaining_ml_at_as_of"] == shifted["remaining_ml_at_as_of"] == 18.0
    assert later["remaining_ml_at_as_of"] == 17.5
    r = run_cli(*base, "--filled", "2026-01-01T00:00+00:00", "--as-of", "2026-01-03")
    assert r.exit_code == 2 and "--as-of" in r.stderr and "UTC offset" in r.stderr


REFILL_OK = (
    "pump",
    "refill",
    "--pump",
    "synchromed-ii-20",
    "--concentration-mcg-per-ml",
    "500",
    "--daily-dose-mcg",
    "400",
    "--refilled",
    "2026-03-02",
)


def _one_line_naming(r, option):
    lines = r.stderr.strip().splitlines()
    return r.exit_code == 2 and r.stdout == "" and len(lines) == 1 and option in lines[0]


def test_issue8_d15_a_bad_target_interval_names_its_own_option(run_cli) -> None:
    """Defect 15: the error for --target-interval-days names --max-refill-interval-days."""
    for bad in ("0", "-1", "181"):
        r = run_cli(*REFILL_OK, "--target-interval-days", bad, "--json")
        assert _one_line_naming(r, "--target-interval-days"), r.stderr
        assert "--max-refill-interval-days" not in r.stderr


def test_issue8_d15_an_implausible_pump_date_names_its_option(run_cli) -> None:
    """Defect 15: --filled 9999-12-31 names no option (and 0001-01-01 is accepted)."""
    for bad in ("9999-12-31", "0001-01-01"):
        forecast = run_cli(*FORECAST, "--daily-dose-mcg", "400", "--filled", bad, "--json")
        assert _one_line_naming(forecast, "--filled"), forecast.stderr
        refill = run_cli(*REFILL_OK[:-2], "--refilled", bad, "--json")
        assert _one_line_naming(refill, "--refilled"), refill.stderr


PUMP_COMMANDS = {
    "program": (
        {"--pump": "synchromed-ii-20", "--concentration-mcg-per-ml": "500", "--daily-dose-mcg": "400"},
        {"--flex": "06:00=20,22:00=10"},
    ),
    "forecast": (
        {
            "--pump": "synchromed-ii-20",
            "--volume-ml": "20",
            "--concentration-mcg-per-ml": "500",
            "--daily-dose-mcg": "400",
            "--filled": "2026-01-01",
        },
        {
            "--margin-days": "7",
            "--implanted": "2025-01-01",
            "--eri-date": "2025-06-01",
            "--low-reservoir-ml": "2",
            "--residual-ml": "0",
            "--max-refill-interval-days": "90",
            "--as-of": "2026-01-05",
            "--setting": "pump.synchromed_ii.flow_accuracy_percent=10",
        },
    ),
    "reconcile": (
        {"--expected-ml": "4.9", "--aspirated-ml": "4.5"},
        {
            "--previous": "4.9:4.5",
            "--pump": "synchromed-ii-20",
            "--tolerance-percent": "10",
            "--tolerance-ml": "0.5",
            "--trend-visits": "3",
            "--previous-fill-ml": "20",
        },
    ),
    "refill": (
        {
            "--pump": "synchromed-ii-20",
            "--concentration-mcg-per-ml": "500",
            "--daily-dose-mcg": "400",
            "--refilled": "2026-03-02",
            "--expected-ml": "4.9",
            "--aspirated-ml": "4.5",
            "--previous-fill-ml": "20",
            "--previous-filled": "2026-02-02",
        },
        {
            "--previous": "4.9:4.5",
            "--target-interval-days": "30",
            "--margin-days": "7",
            "--implanted": "2025-01-01",
            "--as-of": "2026-03-05",
            "--setting": "pump.synchromed_ii.flow_accuracy_percent=10",
        },
    ),
    "concentration-change": (
        {"--pump": "prometra-ii-20", "--daily-dose-mcg": "400", "--old-mcg-per-ml": "500", "--new-mcg-per-ml": "1000"},
        {"--catheter-trimmed-cm": "10", "--pump-volume-ml": "0.1"},
    ),
}
BAD_VALUES = ("nan", "-1", "0", "1e12", "abc", "0001-01-01", "9999-12-31")
OPTION_CASES = [(command, option) for command, (base, extra) in PUMP_COMMANDS.items() for option in [*base, *extra]]


@pytest.mark.parametrize(("command", "option"), OPTION_CASES)
def test_issue8_d15_every_pump_option_error_names_that_option(run_cli, command, option) -> None:
    """Defect 15: wrong option names in errors (--target-interval-days reported as --max-refill-interval-days)."""
    base, extra = PUMP_COMMANDS[command]
    for bad in BAD_VALUES:
        args = dict(base) | ({option: extra[option]} if option in extra else {}) | {option: bad}
        r = run_cli("pump", command, "--json", *[x for pair in args.items() for x in pair])
        assert r.exit_code in (0, 2), (option, bad, r.stderr)
        if r.exit_code == 2:
            assert _one_line_naming(r, option), (option, bad, r.stderr)
