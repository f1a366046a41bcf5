"""Issue 9 (pump area) through the CLI JSON."""

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
    "300",
)


def _ids(data) -> list[str]:
    return [f["rule_id"] for f in data["findings"]]


def test_issue9_i1_a_device_eri_date_is_not_blocked_at_the_five_year_date(run_cli) -> None:
    """Item 1: implant 2018-01-01 with a device ERI of 2023-06-01 is blocked as "past end of service 2023-01-01"."""
    data = run_cli(
        *FORECAST, "--filled", "2023-06-01", "--implanted", "2018-01-01", "--eri-date", "2023-06-01", "--json"
    ).json()

    assert data["battery"]["shutoff_date"] == "2023-08-30"
    assert data["battery"]["shutoff_basis"] == "eri"
    assert "PUMP-BATT-002" not in _ids(data)


def test_issue9_i1_no_eri_date_keeps_the_planning_life_block(run_cli) -> None:
    data = run_cli(*FORECAST, "--filled", "2023-06-01", "--implanted", "2018-01-01", "--json").json()

    block = next(f for f in data["findings"] if f["rule_id"] == "PUMP-BATT-002")
    assert block["severity"] == "block" and "2023-01-01" in block["message"]
    assert "no ERI date recorded" in block["message"]
    assert data["battery"]["shutoff_basis"] == "planning_service_life"


PROMETRA = (
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
)


def test_issue9_prometra_mri_date_is_a_block(run_cli) -> None:
    """Missing rule: Prometra and MRI (empty before, reset the flow valve after, or risk overdose; S66)."""
    data = run_cli(*PROMETRA, "--mri-date", "2026-01-01", "--json").json()

    block = next(f for f in data["findings"] if f["rule_id"] == "PUMP-MRI-001")
    assert block["severity"] == "block" and "2026-01-01" in block["message"]
    assert "PUMP-MRI-001" not in _ids(run_cli(*PROMETRA, "--json").json())


def test_issue9_an_mri_date_before_the_fill_names_the_option(run_cli) -> None:
    r = run_cli(*PROMETRA, "--mri-date", "2025-12-31")

    assert r.exit_code == 2 and r.stdout == ""
    assert "--mri-date" in r.stderr and "2025-12-31" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_issue9_risk_reports_a_motor_stall_over_48_h(run_cli, tmp_path) -> None:
    import json

    doc = {
        "as_of": "2026-01-10T09:00:00+00:00",
        "pump": {
            "model": "synchromed-ii-20",
            "alarms": [{"time": "2026-01-08T10:00:00+00:00", "kind": "motor-stall", "stall_hours": 49}],
            "refills": [
                {
                    "time": "2026-01-01T10:00:00+00:00",
                    "volume_ml": 20,
                    "concentration_mcg_per_ml": 500,
                    "daily_dose_mcg": 150,
                }
            ],
        },
    }
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc))

    data = run_cli("risk", str(path), "--json").json()

    stall = next(r for r in data["risks"] if r["rule_id"] == "RISK-ALARM-002")
    assert stall["level"] == "high" and stall["severity"] == "block"


# --- 5.6: no admixture, checked wherever the pump's contents are stated ----------------------------------------
REFILL = (
    "pump",
    "refill",
    "--pump",
    "synchromed-ii-20",
    "--concentration-mcg-per-ml",
    "500",
    "--daily-dose-mcg",
    "400",
    "--refilled",
    "2026-11-24",
    "--expected-ml",
    "4.9",
    "--aspirated-ml",
    "4.6",
)


@pytest.mark.parametrize("command", [(*FORECAST, "--filled", "2026-11-24"), REFILL])
@pytest.mark.parametrize(
    ("extra", "others"),
    [
        ((), []),
        (("--other-drug-in-pump", "morphine"), ["morphine"]),
        (("--other-drug-in-pump", "clonidine", "--other-drug-in-pump", "bupivacaine"), ["clonidine", "bupivacaine"]),
    ],
)
def test_issue9_admixture_is_checked_on_forecast_and_refill(run_cli, command, extra, others) -> None:
    data = run_cli(*command, *extra, "--json").json()

    admix = [f for f in data["findings"] if f["rule_id"] == "PUMP-ADMIX-001"]
    assert bool(admix) is bool(others)
    if others:
        assert admix[0]["severity"] == "block" and admix[0]["data"]["other_drugs_in_pump"] == others


@pytest.mark.parametrize(("extra", "blocked"), [((), False), (("--other-drug-in-pump", "morphine"), True)])
def test_issue9_admixture_is_checked_by_check_interactions(run_cli, extra, blocked) -> None:
    data = run_cli("check", "interactions", "--drugs", "baclofen", *extra, "--json").json()

    admix = [f for f in data["findings"] if f["rule_id"] == "PUMP-ADMIX-001"]
    assert bool(admix) is blocked
    assert data["other_drugs_in_pump"] == list(extra[1:])


@pytest.mark.parametrize("name", ["", " ", "morphine;clonidine"])
def test_issue9_admixture_bad_names_are_refused_on_forecast(run_cli, name) -> None:
    r = run_cli(*FORECAST, "--filled", "2026-11-24", "--other-drug-in-pump", name)

    assert r.exit_code == 2
    assert "--other-drug-in-pump" in r.stderr
