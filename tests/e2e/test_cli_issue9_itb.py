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
        "itb", "titrate", "--current-mcg-per-day", "300", "--hours-since-start", "200",
        "--hours-since-last-increase", hours, "--proposed-mcg-per-day", "330", "--json",
    ).json()
    assert _sev(data, "ITB-TITR-007") == severity
    assert data["hours_since_last_increase"] == float(hours)


def test_issue9_titrate_hours_since_last_increase_refuses_negative(run_cli) -> None:
    r = run_cli("itb", "titrate", "--current-mcg-per-day", "300", "--hours-since-last-increase", "-1")
    assert r.exit_code == 2 and "--hours-since-last-increase" in r.stderr


@pytest.mark.parametrize(("hours", "severity"), [("0", None), ("0.5", "warn")])
def test_issue9_item7_titrate_after_an_interruption(run_cli, hours, severity) -> None:
    data = run_cli(
        "itb", "titrate", "--current-mcg-per-day", "300", "--hours-since-start", "200",
        "--interruption-hours", hours, "--json",
    ).json()
    assert _sev(data, "ITB-TITR-008") == severity
