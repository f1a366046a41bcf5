"""`baclofen check | alternatives | scale | risk` end to end: JSON fields, human output, one-line errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Run = Callable[..., Any]

TIMELINE = {
    "schema": "baclofen-timeline/1",
    "as_of": "2026-03-10T09:00:00+00:00",
    "patient": {"age_years": 52, "sex": "female", "crcl_ml_min": 55},
    "oral": {"prescriptions": [{"start": "2025-01-01", "end": None, "daily_dose_mg": 30}]},
    "pump": {
        "model": "synchromed-ii-20",
        "refills": [
            {
                "time": "2025-12-01T10:00:00+00:00",
                "volume_ml": 20,
                "concentration_mcg_per_ml": 500,
                "daily_dose_mcg": 200,
            },
            {
                "time": "2026-02-20T10:00:00+00:00",
                "volume_ml": 20,
                "concentration_mcg_per_ml": 500,
                "daily_dose_mcg": 200,
                "expected_residual_ml": 4.9,
                "aspirated_ml": 3.1,
            },
        ],
    },
    "diary": [
        {
            "time": "2026-03-09T20:00:00+00:00",
            "symptoms": ["spasms more frequent", "itching", "feverish"],
            "missed_doses": 2,
        }
    ],
}


def _write(tmp_path: Path, data: Any, name: str = "timeline.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return str(path)


def test_check_interactions_json(run_cli: Run) -> None:
    r = run_cli("check", "interactions", "--drugs", "Zanaflex,ciprofloxacin,oxycodone,unobtainium", "--json")

    assert r.exit_code == 0
    data = r.json()
    assert [(f["rule_id"], f["severity"]) for f in data["findings"]] == [("INT-TIZ-CYP1A2-001", "block")]
    assert data["unknown"][0]["query"] == "unobtainium"
    assert data["findings"][0]["evidence_keys"] == ["S74", "S72"]


def test_check_interactions_human_output_shows_unknown_names_and_sources(run_cli: Run) -> None:
    r = run_cli("check", "interactions", "--drugs", "baclofen,oxycodone,unobtainium")

    assert r.exit_code == 0
    assert "NOT CHECKED" in r.stdout and "unobtainium" in r.stdout
    assert "INT-BAC-OPIOID-001" in r.stdout and "[S15]" in r.stdout
    assert "not medical advice" in r.stdout


def test_check_dose_tizanidine_above_36_is_block(run_cli: Run) -> None:
    r = run_cli("check", "dose", "--drug", "tizanidine", "--mg-per-day", "40", "--json")

    assert r.exit_code == 0
    data = r.json()
    assert data["findings"][0]["rule_id"] == "DOSE-TIZ-MAX-001"
    assert data["findings"][0]["severity"] == "block"
    assert data["within_limits"] is False


def test_check_dose_intrathecal_in_mcg(run_cli: Run) -> None:
    r = run_cli("check", "dose", "--drug", "Gablofen", "--mcg-per-day", "1200", "--origin", "spinal", "--json")

    assert r.exit_code == 0
    assert "ITB-DOSE-001" in [f["rule_id"] for f in r.json()["findings"]]


def test_check_dose_human_output(run_cli: Run) -> None:
    r = run_cli("check", "dose", "--drug", "baclofen", "--mg-per-day", "90", "--locale", "uk")

    assert r.exit_code == 0
    assert "Limits that apply" in r.stdout and "oral.max_daily_dose_mg.uk" in r.stdout


def test_check_contraindications(run_cli: Run) -> None:
    r = run_cli(
        "check",
        "contraindications",
        "--drug",
        "dantrolene",
        "--condition",
        "active liver disease",
        "--age",
        "50",
        "--sex",
        "female",
        "--json",
    )

    assert r.exit_code == 0
    assert {"CI-DAN-LIVER-001", "CI-DAN-HEPRISK-001"} <= {f["rule_id"] for f in r.json()["findings"]}


def test_check_contraindications_route_abbreviation_is_blocked_and_unknown_route_refused(run_cli: Run) -> None:
    blocked = run_cli("check", "contraindications", "--drug", "Gablofen", "--route", "IV", "--json")
    unknown = run_cli("check", "contraindications", "--drug", "Gablofen", "--route", "vein")

    assert blocked.exit_code == 0
    assert [f["rule_id"] for f in blocked.json()["findings"]] == ["CI-ITB-ROUTE-001"]
    assert unknown.exit_code == 2 and "--route" in unknown.stderr


def test_alternatives_json_with_cross_taper(run_cli: Run) -> None:
    r = run_cli(
        "alternatives",
        "--not-tolerated",
        "--drugs",
        "sertraline",
        "--crcl-ml-min",
        "55",
        "--switch-to",
        "tizanidine",
        "--from-mg-per-day",
        "60",
        "--months-on-therapy",
        "24",
        "--start-date",
        "2026-03-02",
        "--json",
    )

    assert r.exit_code == 0
    data = r.json()
    assert data["guideline"] == "nice"
    assert [o["key"] for o in data["options"]][:4] == ["physiotherapy", "baclofen", "gabapentin", "tizanidine"]
    assert data["cross_taper"]["new_drug"]["drug"] == "tizanidine"
    assert data["cross_taper"]["taper"]["steps"][-1]["daily_dose_mg"] == 0


def test_alternatives_never_offers_tizanidine_with_fluvoxamine(run_cli: Run) -> None:
    r = run_cli(
        "alternatives",
        "--failed",
        "--drugs",
        "fluvoxamine",
        "--switch-to",
        "tizanidine",
        "--from-mg-per-day",
        "40",
        "--start-date",
        "2026-03-02",
    )

    assert r.exit_code == 0
    assert "Switch refused" in r.stdout and "INT-TIZ-CYP1A2-001" in r.stdout
    assert "Cross-taper" not in r.stdout


def test_alternatives_focal_liver_and_guideline(run_cli: Run) -> None:
    r = run_cli(
        "alternatives",
        "--failed",
        "--focal",
        "--liver-disease",
        "--guideline",
        "european-consensus",
        "--sex",
        "female",
        "--age",
        "40",
        "--json",
    )

    data = r.json()
    status = {o["key"]: o["status"] for o in data["options"]}
    assert (status["botulinum-toxin"], status["dantrolene"]) == ("recommended", "excluded")
    assert data["guideline"] == "european-consensus"


def test_scale_evaluate_nabiximols(run_cli: Run) -> None:
    r = run_cli(
        "scale",
        "evaluate",
        "--scale",
        "nrs-spasticity",
        "--baseline",
        "6",
        "--current",
        "5",
        "--context",
        "nabiximols",
        "--json",
    )

    assert r.exit_code == 0
    data = r.json()
    assert (data["responder"], data["findings"][0]["rule_id"]) == (False, "SCALE-NABX-001")


def test_scale_evaluate_ashworth_human(run_cli: Run) -> None:
    r = run_cli(
        "scale", "evaluate", "--scale", "mas", "--baseline", "3,2", "--current", "2,1", "--context", "itb-screening"
    )

    assert r.exit_code == 0
    assert "responder" in r.stdout and "S108" in r.stdout


def test_risk_json(run_cli: Run, tmp_path: Path) -> None:
    r = run_cli("risk", _write(tmp_path, TIMELINE), "--json")

    assert r.exit_code == 0
    data = r.json()
    assert data["level"] == "high" and data["alert_clinic"] is True
    assert "RISK-DIARY-002" in [x["rule_id"] for x in data["risks"]]
    assert "never restart a previous high dose alone" in data["patient_messages"][0]


def test_risk_human_output(run_cli: Run, tmp_path: Path) -> None:
    r = run_cli("risk", _write(tmp_path, TIMELINE))

    assert r.exit_code == 0
    assert "HIGH" in r.stdout and "ALERT THE CLINIC" in r.stdout and "Tell the patient" in r.stdout


def test_risk_help_documents_the_schema(run_cli: Run) -> None:
    r = run_cli("risk", "--help")

    assert r.exit_code == 0
    assert "baclofen-timeline/1" in r.stdout and "refills" in r.stdout and "docs/timeline.md" in r.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check", "dose", "--drug", "Gablofen", "--mg-per-day", "1"], "--mg-per-day"),
        (["check", "dose", "--drug", "bacloffen", "--mg-per-day", "1"], "--drug"),
        (["check", "dose", "--drug", "baclofen", "--mg-per-day", "-3"], "--mg-per-day"),
        (["check", "dose", "--drug", "baclofen", "--mg-per-day", "30", "--locale", "fr"], "--locale"),
        (
            [
                "check",
                "dose",
                "--drug",
                "tizanidine",
                "--mg-per-day",
                "8",
                "--setting",
                "cds.tizanidine.max_single_dose_mg=99",
            ],
            "--setting",
        ),
        (["check", "interactions", "--drugs", "baclofen,,x"], "--drugs"),
        (["check", "dose", "--drug", "baclofen", "--mg-per-day", "abc"], "--mg-per-day"),
        (["alternatives", "--failed", "--current"], "--failed/--not-tolerated/--current"),
        (["alternatives", "--guideline", "who"], "--guideline"),
        (["alternatives", "--switch-to", "aspirin"], "--switch-to"),
        (["scale", "evaluate", "--scale", "barthel", "--baseline", "1", "--current", "1"], "--scale"),
        (["scale", "evaluate", "--scale", "penn", "--baseline", "0:2", "--current", "0"], "--baseline"),
        (
            ["scale", "evaluate", "--scale", "nrs", "--baseline", "5", "--current", "4", "--context", "itb-screening"],
            "--context",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_option_with_exit_2(run_cli: Run, args: list[str], expected: str) -> None:
    r = run_cli(*args)

    assert r.exit_code == 2
    assert r.stderr.startswith("error: ")
    assert expected in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "valid JSON"),
        (
            {
                "as_of": "2026-03-10T09:00:00+00:00",
                "pump": {
                    "model": "synchromed-ii-20",
                    "refills": [
                        {
                            "time": "2026-03-01T09:00:00+00:00",
                            "volume_ml": 50,
                            "concentration_mcg_per_ml": 500,
                            "daily_dose_mcg": 200,
                        }
                    ],
                },
            },
            "pump.refills[0].volume_ml",
        ),
        ({"pump": {}}, "as_of"),
        ({"as_of": "2026-03-10T09:00:00+00:00", "diary": [{"time": "2026-03-11T09:00:00+00:00"}]}, "diary[0].time"),
        (
            {
                "as_of": "2026-03-10T09:00:00+00:00",
                "oral": {"prescriptions": [{"start": "2026-01-01", "daily_dose_mg": "lots"}]},
            },
            "oral.prescriptions[0].daily_dose_mg",
        ),
    ],
)
def test_a_malformed_timeline_exits_2_naming_the_field(
    run_cli: Run, tmp_path: Path, content: Any, expected: str
) -> None:
    r = run_cli("risk", _write(tmp_path, content), "--json")

    assert r.exit_code == 2
    assert expected in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_a_missing_timeline_file_exits_2(run_cli: Run, tmp_path: Path) -> None:
    r = run_cli("risk", str(tmp_path / "absent.json"))

    assert r.exit_code == 2
    assert "TIMELINE" in r.stderr
