"""Issue 8 defect 2 through the CLI JSON: oral cap, ITB overdose and large ITB cuts are high with a clinic alert."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Run = Callable[..., Any]
AS_OF = "2026-03-10T09:00:00+00:00"


def _write(tmp_path: Path, doc: dict[str, Any]) -> str:
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(doc))
    return str(path)


def _refill(time: str, dose: float, conc: float = 500, volume: float = 20) -> dict[str, Any]:
    return {"time": time, "volume_ml": volume, "concentration_mcg_per_ml": conc, "daily_dose_mcg": dose}


CASES = {
    "oral 300 mg/day, no locale": (
        {
            "as_of": "2027-01-10T09:00:00+00:00",
            "patient": {"crcl_ml_min": 90},
            "oral": {"prescriptions": [{"start": "2026-06-01", "end": None, "daily_dose_mg": 300}]},
        },
        "RISK-ORAL-MAX-001",
    ),
    "refill 200 -> 5 mcg/day": (
        {
            "as_of": AS_OF,
            "pump": {
                "model": "synchromed-ii-20",
                "refills": [_refill("2026-02-01T10:00:00+00:00", 200), _refill("2026-03-08T10:00:00+00:00", 5)],
            },
        },
        "RISK-PROGRAM-006",
    ),
    "program change to 0.2 mcg/day": (
        {
            "as_of": AS_OF,
            "pump": {
                "model": "synchromed-ii-20",
                "refills": [_refill("2026-03-01T10:00:00+00:00", 200, conc=50)],
                "program_changes": [{"time": "2026-03-08T10:00:00+00:00", "daily_dose_mcg": 0.2}],
            },
        },
        "RISK-PROGRAM-006",
    ),
    "3000 mcg/day at 2000 mcg/mL": (
        {
            "as_of": AS_OF,
            "pump": {
                "model": "synchromed-ii-40",
                "refills": [
                    _refill("2026-02-20T10:00:00+00:00", 1500, conc=2000, volume=40),
                    _refill("2026-03-08T10:00:00+00:00", 3000, conc=2000, volume=40),
                ],
            },
        },
        "RISK-PROGRAM-005",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_issue8_d2_cli_cap_breaches_and_large_itb_cuts_are_high_with_a_clinic_alert(
    run_cli: Run, tmp_path: Path, case: str
) -> None:
    """ "A dose above the oral cap or above 2003 mcg/day, and any large ITB cut (withdrawal), must be high with a
    clinic alert." """
    doc, rule_id = CASES[case]

    r = run_cli("risk", _write(tmp_path, doc), "--json")

    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["level"] == "high" and data["alert_clinic"] is True
    risk = next(x for x in data["risks"] if x["rule_id"] == rule_id)
    assert risk["level"] == "high" and risk["alert_clinic"] is True
    assert risk["evidence"]


def test_issue8_d2_cli_lists_the_new_settings(run_cli: Run, tmp_path: Path) -> None:
    doc, _ = CASES["oral 300 mg/day, no locale"]

    data = run_cli("risk", _write(tmp_path, doc), "--json").json()

    for name in (
        "cds.risk.itb_max_cut_percent",
        "oral.max_daily_dose_mg.us",
        "oral.max_daily_dose_mg.uk",
        "oral.max_daily_dose_mg.in_hospital.us",
        "oral.max_daily_dose_mg.in_hospital.uk",
    ):
        assert name in [s["name"] for s in data["settings"]]


def test_issue8_d2_cli_the_cut_setting_is_overridable_and_checked(run_cli: Run, tmp_path: Path) -> None:
    doc = {
        "as_of": AS_OF,
        "pump": {
            "model": "synchromed-ii-20",
            "refills": [_refill("2026-02-20T10:00:00+00:00", 200)],
            "program_changes": [{"time": "2026-03-09T10:00:00+00:00", "daily_dose_mcg": 170}],
        },
    }
    path = _write(tmp_path, doc)

    assert run_cli("risk", path, "--json").json()["level"] != "high"
    assert run_cli("risk", path, "--json", "--setting", "cds.risk.itb_max_cut_percent=10").json()["level"] == "high"
    bad = run_cli("risk", path, "--json", "--setting", "cds.risk.itb_max_cut_percent=90")
    assert bad.exit_code == 2 and len(bad.stderr.strip().splitlines()) == 1
