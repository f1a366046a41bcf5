"""Issue 9 (ITB area) through the CLI JSON: items 4, 5, 7 and the missing ITB rules."""

from __future__ import annotations

import pytest


def _sev(data, rule_id):
    return next((f["severity"] for f in data["findings"] if f["rule_id"] == rule_id), None)


def test_issue9_item4_cut_from_400_to_10_blocks_unless_a_planned_taper(run_cli) -> None:
    """Item 4: "`ITB-TITR-004`: a cut from 400 to 10 mcg/day is only a warn"."""
    base = ("itb", "titrate", "--current-mcg-per-day", "400", "--at-refill", "--proposed-mcg-per-day")
    data = run_cli(*base, "10", "--json").json()
    assert _sev(data, "ITB-TITR-004") == "block" and data["offerable"] is False
    assert data["planned_taper"] is False
    ok = run_cli(*base, "320", "--json").json()
    assert _sev(ok, "ITB-TITR-004") is None
    taper = run_cli(*base, "10", "--planned-taper", "--json").json()
    assert _sev(taper, "ITB-TITR-004") == "warn" and taper["planned_taper"] is True
    assert "taper" in next(f for f in taper["findings"] if f["rule_id"] == "ITB-TITR-004")["action"].lower()


@pytest.mark.parametrize(("hours", "severity"), [("23.9", "block"), ("24", None)])
def test_issue9_titrate_hours_since_last_increase(run_cli, hours, severity) -> None:
    data = run_cli(
        "itb",
        "titrate",
        "--current-mcg-per-day",
        "300",
        "--hours-since-start",
        "200",
        "--hours-since-last-increase",
        hours,
        "--proposed-mcg-per-day",
        "330",
        "--json",
    ).json()
    assert _sev(data, "ITB-TITR-007") == severity
    assert data["hours_since_last_increase"] == float(hours)


def test_issue9_titrate_hours_since_last_increase_refuses_negative(run_cli) -> None:
    r = run_cli("itb", "titrate", "--current-mcg-per-day", "300", "--hours-since-last-increase", "-1")
    assert r.exit_code == 2 and "--hours-since-last-increase" in r.stderr


@pytest.mark.parametrize(("hours", "severity"), [("0", None), ("0.5", "warn")])
def test_issue9_item7_titrate_after_an_interruption(run_cli, hours, severity) -> None:
    data = run_cli(
        "itb",
        "titrate",
        "--current-mcg-per-day",
        "300",
        "--hours-since-start",
        "200",
        "--interruption-hours",
        hours,
        "--json",
    ).json()
    assert _sev(data, "ITB-TITR-008") == severity


@pytest.mark.parametrize(
    ("args", "rule_id", "severity"),
    [
        (("--condition", "active infection"), "CI-ITB-INFECTION-001", "block"),
        (("--condition", "insufficient body size"), "CI-ITB-BODYSIZE-001", "block"),
        (("--condition", "spinal anomaly"), "CI-ITB-SPINE-001", "block"),
        (("--implant-depth-cm", "2.5"), "CI-ITB-DEPTH-001", None),
        (("--implant-depth-cm", "2.51"), "CI-ITB-DEPTH-001", "block"),
        (("--days-since-tbi", "364"), "CI-ITB-TBI-001", "block"),
        (("--days-since-tbi", "365"), "CI-ITB-TBI-001", None),
    ],
)
def test_issue9_item5_check_contraindications_for_pump_implantation(run_cli, args, rule_id, severity) -> None:
    """Item 5 and 5.1: active infection, body size, depth > 2.5 cm, spinal anomalies, >= 1 year after TBI."""
    r = run_cli("check", "contraindications", "--drug", "baclofen-intrathecal", *args, "--json")
    assert r.exit_code == 0, r.stderr
    assert _sev(r.json(), rule_id) == severity


def test_issue9_implant_depth_bad_input_names_the_option(run_cli) -> None:
    r = run_cli("check", "contraindications", "--drug", "baclofen-intrathecal", "--implant-depth-cm", "-1")
    assert r.exit_code == 2 and "--implant-depth-cm" in r.stderr


@pytest.mark.parametrize(
    ("condition", "rule_id"),
    [
        ("MS exacerbation", "CI-ITB-MSEXAC-001"),
        ("non-healing wound", "CI-ITB-WOUND-001"),
        ("UTI", "CI-ITB-INFECTION-001"),
    ],
)
def test_issue9_itb_screen_not_offerable_with_exacerbation_wound_or_infection(run_cli, condition, rule_id) -> None:
    """5.2: "No screening during an MS exacerbation or with non-healing wounds: today only display text"."""
    data = run_cli("itb", "screen", "--responses", "no", "--condition", condition, "--json").json()
    assert _sev(data, rule_id) == "block" and data["offerable"] is False
    plain = run_cli("itb", "screen", "--responses", "no", "--json").json()
    assert plain["offerable"] is True and _sev(plain, rule_id) is None
    unknown = run_cli("itb", "screen", "--responses", "no", "--condition", "zzz", "--json").json()
    assert unknown["unknown_conditions"][0]["query"] == "zzz"


@pytest.mark.parametrize(("extra", "severity"), [((), None), (("--other-drug-in-pump", "morphine"), "block")])
def test_issue9_no_admixture_with_other_drugs_in_the_pump(run_cli, extra, severity) -> None:
    """5.6: "Gablofen and other products: no admixture with other drugs (5.6) as a check, not only a note"."""
    data = run_cli(
        "pump",
        "program",
        "--pump",
        "synchromed-ii-20",
        "--concentration-mcg-per-ml",
        "500",
        "--daily-dose-mcg",
        "300",
        *extra,
        "--json",
    ).json()
    assert _sev(data, "PUMP-ADMIX-001") == severity
    assert data["other_drugs_in_pump"] == list(extra[1:])


def test_issue9_admixture_empty_name_is_refused(run_cli) -> None:
    r = run_cli(
        "pump",
        "program",
        "--pump",
        "synchromed-ii-20",
        "--concentration-mcg-per-ml",
        "500",
        "--daily-dose-mcg",
        "300",
        "--other-drug-in-pump",
        " ",
    )
    assert r.exit_code == 2 and "--other-drug-in-pump" in r.stderr
