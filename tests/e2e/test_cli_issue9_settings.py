"""Issue 9 items 8 and 9 through the CLI: each `--setting NAME=VALUE` takes effect on every path that uses it."""

from __future__ import annotations

import pytest


def _ids(data: dict) -> set[str]:
    return {f["rule_id"] for f in data["findings"]}


# --- item 8 -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "flagged"),
    [
        (("--locale", "us", "--doses-per-day", "3"), False),
        (("--locale", "us", "--doses-per-day", "4"), True),
        (("--locale", "uk", "--doses-per-day", "4"), False),
        (("--locale", "uk", "--doses-per-day", "5"), True),
        (("--locale", "uk", "--doses-per-day", "3", "--setting", "cds.tizanidine.max_doses_per_day.uk=3"), False),
        (("--locale", "uk", "--doses-per-day", "4", "--setting", "cds.tizanidine.max_doses_per_day.uk=3"), True),
    ],
)
def test_issue9_item8_cli_check_dose_tizanidine_frequency_by_locale(run_cli, args: tuple, flagged: bool) -> None:
    """DOSE-TIZ-FREQ-001 hard-codes 3 doses a day; UK sources give 3-4 (S25): a locale setting."""
    r = run_cli("check", "dose", "--drug", "tizanidine", "--mg-per-day", "12", *args, "--json")

    assert r.exit_code == 0, r.stderr
    assert ("DOSE-TIZ-FREQ-001" in _ids(r.json())) is flagged


def test_issue9_item8_cli_tizanidine_frequency_setting_out_of_bounds_names_the_option(run_cli) -> None:
    r = run_cli(
        "check",
        "dose",
        "--drug",
        "tizanidine",
        "--mg-per-day",
        "12",
        "--setting",
        "cds.tizanidine.max_doses_per_day.us=5",
        "--json",
    )

    assert r.exit_code == 2 and "--setting" in r.stderr


# --- item 9: 2003 mcg/day ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dose", "extra", "blocked"),
    [
        ("2003", (), False),
        ("2004", (), True),
        ("1500", ("--setting", "itb.dose.highest_reported_mcg_per_day=1500"), False),
        ("1501", ("--setting", "itb.dose.highest_reported_mcg_per_day=1500"), True),
    ],
)
def test_issue9_item9_cli_highest_reported_itb_dose_setting(run_cli, dose: str, extra: tuple, blocked: bool) -> None:
    """2003 mcg/day (itb/dosing.py) is a setting: a clinic may lower it and `check dose` then blocks there."""
    r = run_cli("check", "dose", "--drug", "Gablofen", "--mcg-per-day", dose, *extra, "--json")

    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert ("ITB-DOSE-002" in _ids(data)) is blocked
    assert "itb.dose.highest_reported_mcg_per_day" in [s["name"] for s in data["settings"]]


def test_issue9_item9_cli_highest_reported_itb_dose_cannot_be_raised(run_cli) -> None:
    r = run_cli(
        "check",
        "dose",
        "--drug",
        "Gablofen",
        "--mcg-per-day",
        "1200",
        "--setting",
        "itb.dose.highest_reported_mcg_per_day=2500",
        "--json",
    )

    assert r.exit_code == 2 and "--setting" in r.stderr


# --- item 9: elderly age ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("age", "extra", "cautioned"),
    [
        ("64", (), False),
        ("65", (), True),
        ("59", ("--setting", "patient.elderly_age_years=60"), False),
        ("60", ("--setting", "patient.elderly_age_years=60"), True),
    ],
)
def test_issue9_item9_cli_plan_titrate_elderly_age_setting(run_cli, age: str, extra: tuple, cautioned: bool) -> None:
    """Age 65 for elderly cautions (patient.py) is a setting a clinic may change."""
    r = run_cli("plan", "titrate", "--start-date", "2026-12-01", "--age", age, *extra, "--json")

    assert r.exit_code == 0, r.stderr
    assert ("ORAL-ELDERLY-001" in _ids(r.json())) is cautioned


def test_issue9_item9_cli_plan_titrate_unknown_setting_names_the_option(run_cli) -> None:
    r = run_cli("plan", "titrate", "--start-date", "2026-12-01", "--setting", "no.such.setting=1", "--json")

    assert r.exit_code == 2 and "--setting" in r.stderr


# --- item 9: Ashworth threshold, one home for `scale evaluate` and `itb screen` -----------------------------
LOWER = ("--setting", "cds.scales.itb_screening_ashworth_reduction_points=0.5")


@pytest.mark.parametrize(
    ("current", "extra", "responder"),
    [("1", (), True), ("1+", (), False), ("1+", LOWER, True), ("2", LOWER, False)],
)
def test_issue9_item9_cli_scale_evaluate_uses_the_ashworth_setting(
    run_cli, current: str, extra: tuple, responder: bool
) -> None:
    r = run_cli(
        "scale",
        "evaluate",
        "--scale",
        "ashworth",
        "--baseline",
        "2",
        "--current",
        current,
        "--context",
        "itb-screening",
        *extra,
        "--json",
    )

    assert r.exit_code == 0, r.stderr
    assert r.json()["responder"] is responder


@pytest.mark.parametrize(
    ("after", "extra", "disagrees"),
    [("1", (), False), ("1+", (), True), ("1+", LOWER, False), ("2", LOWER, True)],
)
def test_issue9_item9_cli_itb_screen_uses_the_same_ashworth_setting(
    run_cli, after: str, extra: tuple, disagrees: bool
) -> None:
    """The Ashworth screening threshold (itb/screening.py) is the setting of cds/scales.py: one home, so a
    lowered threshold changes both `scale evaluate` and `itb screen`."""
    r = run_cli(
        "itb", "screen", "--responses", "yes", "--ashworth-before", "2", "--ashworth-after", after, *extra, "--json"
    )

    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert ("ITB-SCREEN-006" in _ids(data)) is disagrees
    assert "cds.scales.itb_screening_ashworth_reduction_points" in [s["name"] for s in data["settings"]]


@pytest.mark.parametrize(
    "args",
    [
        ("--responses", "yes", "--ashworth-before", "2"),
        ("--responses", "yes", "--ashworth-before", "2", "--ashworth-after", "5"),
        ("--ashworth-before", "2", "--ashworth-after", "1"),
        ("--responses", "yes", "--setting", "cds.scales.nrs_responder_fraction=0.2"),
    ],
)
def test_issue9_item9_cli_itb_screen_bad_ashworth_input_names_an_option(run_cli, args: tuple) -> None:
    r = run_cli("itb", "screen", *args, "--json")

    assert r.exit_code == 2
    assert r.stderr.startswith("error:") and ("--ashworth" in r.stderr or "--setting" in r.stderr)


# --- item 9: the in-hospital ceiling per locale -----------------------------------------------------------
OVERRIDE = ("--override", "ORAL-MAX-001=in hospital under careful supervision", "--clinician", "Dr A")


@pytest.mark.parametrize(
    ("locale", "target", "extra", "top", "offerable"),
    [
        ("uk", "120", (), 120.0, True),
        ("uk", "121", (), 120.0, False),
        ("us", "100", (), 80.0, False),
        ("us", "100", ("--setting", "oral.max_daily_dose_mg.in_hospital.us=100"), 100.0, True),
        ("us", "101", ("--setting", "oral.max_daily_dose_mg.in_hospital.us=100"), 100.0, False),
    ],
)
def test_issue9_item9_cli_plan_titrate_override_ceiling_per_locale(
    run_cli, locale: str, target: str, extra: tuple, top: float, offerable: bool
) -> None:
    """ORAL-MAX-001's override ceiling of 120 mg/day applied to US plans too: it is a setting per locale."""
    r = run_cli(
        "plan",
        "titrate",
        "--start-date",
        "2026-12-01",
        "--locale",
        locale,
        "--target-mg-per-day",
        target,
        "--doses-per-day",
        "4",
        *OVERRIDE,
        *extra,
        "--json",
    )

    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert max(s["daily_dose_mg"] for s in data["steps"]) == top
    assert data["offerable"] is offerable


# --- item 9: the 2003 mcg/day setting on the risk path ----------------------------------------------------
@pytest.mark.parametrize(
    ("dose", "extra", "flagged"),
    [
        (2003, (), False),
        (2004, (), True),
        (1500, ("--setting", "itb.dose.highest_reported_mcg_per_day=1500"), False),
        (1501, ("--setting", "itb.dose.highest_reported_mcg_per_day=1500"), True),
    ],
)
def test_issue9_item9_cli_risk_highest_reported_itb_dose_setting(
    run_cli, tmp_path, dose: float, extra: tuple, flagged: bool
) -> None:
    """The one home of 2003 mcg/day is a setting: `risk` (RISK-PROGRAM-005) reads the clinic's value too."""
    import json

    refill = {
        "time": "2026-03-01T10:00:00+00:00",
        "volume_ml": 20,
        "concentration_mcg_per_ml": 2000,
        "daily_dose_mcg": dose,
    }
    doc = {"as_of": "2026-03-10T09:00:00+00:00", "pump": {"model": "synchromed-ii-20", "refills": [refill]}}
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps(doc))

    r = run_cli("risk", str(path), *extra, "--json")

    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert ("RISK-PROGRAM-005" in {x["rule_id"] for x in data["risks"]}) is flagged
    assert "itb.dose.highest_reported_mcg_per_day" in [s["name"] for s in data["settings"]]
