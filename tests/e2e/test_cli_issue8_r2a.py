"""Issue 8, round 2 (invariant suite findings) through the CLI JSON: a near-stop in place, the adults-only scope
of ``risk``, and the plausibility of ``simulate`` doses."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Run = Callable[..., Any]

#: The timeline the invariant suite found (tests/invariants/test_risk.py).
NEAR_STOP = {
    "schema": "baclofen-timeline/1",
    "as_of": "2027-01-10T09:00:00+00:00",
    "patient": {"crcl_ml_min": 90},
    "pump": {
        "model": "synchromed-ii-20",
        "implanted": "2025-01-01",
        "refills": [
            {
                "time": "2026-10-05T09:00:00+00:00",
                "volume_ml": 20,
                "concentration_mcg_per_ml": 500,
                "daily_dose_mcg": 100,
            },
            {
                "time": "2026-12-04T09:00:00+00:00",
                "volume_ml": 20,
                "concentration_mcg_per_ml": 500,
                "daily_dose_mcg": 100,
            },
        ],
        "program_changes": [{"time": "2027-01-03T08:00:00+00:00", "daily_dose_mcg": 0.2}],
    },
}


def _write(tmp_path: Path, doc: dict[str, Any]) -> str:
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(doc))
    return str(path)


def test_issue8_r2_cli_near_stop_outside_the_lookback_is_high(run_cli: Run, tmp_path: Path) -> None:
    """ "100 mcg/day reprogrammed to 0.2 mcg/day on 2027-01-03T08:00Z with as_of 2027-01-10T09:00Z rates low" """
    data = run_cli("risk", _write(tmp_path, NEAR_STOP), "--json").json()

    assert data["level"] == "high" and data["alert_clinic"] is True and data["out_of_scope"] is False
    risk = next(r for r in data["risks"] if r["rule_id"] == "RISK-PROGRAM-004")
    assert risk["level"] == "high" and "near-stop" in risk["message"]
    assert risk["data"]["lowest_plausible_mcg_per_day"] == 12
    assert "itb.limits.lowest_daily_dose_mcg" in [s["name"] for s in data["settings"]]


def test_issue8_r2_cli_risk_for_a_patient_under_18_says_out_of_scope_first(run_cli: Run, tmp_path: Path) -> None:
    """ "The risk command takes patient.age_years but ignores it" """
    doc = {
        "as_of": "2027-01-10T09:00:00+00:00",
        "patient": {"age_years": 16},
        "oral": {"prescriptions": [{"start": "2026-06-01", "end": None, "daily_dose_mg": 30}]},
    }
    path = _write(tmp_path, doc)

    data = run_cli("risk", path, "--json").json()
    human = run_cli("risk", path).stdout

    assert data["out_of_scope"] is True
    first = data["risks"][0]
    assert first["rule_id"] == "SCOPE-PAEDIATRIC-001" and first["severity"] == "block"
    assert first["overridable"] is False and first["data"]["age_years"] == 16
    assert "Age 16" in first["message"] and "out of scope" in first["message"]
    assert human.lstrip().startswith("OUT OF SCOPE (SCOPE-PAEDIATRIC-001): Age 16 years")


@pytest.mark.parametrize(
    ("args", "rule_id"),
    [
        (("intrathecal", "--daily-dose-mcg", "0.05"), "ITB-LIMIT-001"),
        (("intrathecal", "--daily-dose-mcg", "5000"), "ITB-DOSE-002"),
        (("intrathecal", "--daily-dose-mcg", "400", "--bolus-mcg", "0.05"), "ITB-LIMIT-004"),
        (("oral", "--dose-mg", "0.02"), "PK-DOSE-001"),
        (("oral", "--dose-mg", "5000"), "PK-DOSE-001"),
    ],
)
def test_issue8_r2_cli_simulate_doses_outside_the_plausible_range_are_named(
    run_cli: Run, args: tuple[str, ...], rule_id: str
) -> None:
    """ "`simulate intrathecal --daily-dose-mcg 0.05 --json` ... passes silently" """
    r = run_cli("simulate", *args, "--json")

    assert r.exit_code == 0, r.stderr
    found = {f["rule_id"]: f["severity"] for f in r.json()["findings"]}
    assert found.get(rule_id) in ("warn", "block")


@pytest.mark.parametrize("args", [("intrathecal", "--daily-dose-mcg", "50000"), ("oral", "--dose-mg", "20000")])
def test_issue8_r2_cli_simulate_beyond_the_structural_bound_is_refused(run_cli: Run, args: tuple[str, ...]) -> None:
    r = run_cli("simulate", *args, "--json")

    assert r.exit_code == 2 and r.stderr.startswith("error: " + args[1])
