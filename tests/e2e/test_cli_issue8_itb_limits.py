"""Issue 8, ITB dosing and plausibility limits (defects 3, 4, 9, 10, 13) through the CLI JSON."""

from __future__ import annotations

import pytest


def _ids(data) -> dict[str, str]:
    return {f["rule_id"]: f["severity"] for f in data["findings"]}


def test_issue8_d3_transition_envelope_is_clamped_at_the_itb_limits(run_cli) -> None:
    """Defect 3: `itb transition --oral-mg-per-day 60 --itb-initial-mcg-per-day 150 --infusion-start 2026-12-01
    --months-on-therapy 24`: the "ITB max" column climbs to 510,899 mcg/day, offerable, no finding."""
    r = run_cli(
        "itb",
        "transition",
        "--oral-mg-per-day",
        "60",
        "--itb-initial-mcg-per-day",
        "150",
        "--infusion-start",
        "2026-12-01",
        "--months-on-therapy",
        "24",
        "--json",
    )
    assert r.exit_code == 0, r.stderr
    data = r.json()

    assert max(d["itb_max_mcg_per_day"] for d in data["days"]) <= 1000.0
    assert max(d["itb_cautious_max_mcg_per_day"] for d in data["days"]) <= 1000.0
    assert "ITB-TRANS-004" in _ids(data)
    cut = next(f for f in data["findings"] if f["rule_id"] == "ITB-TRANS-004")
    assert cut["data"]["ceiling_mcg_per_day"] == 1000.0 and cut["data"]["reached_on"] == "2026-12-09"


def test_issue8_d3_transition_initial_dose_1000x_off_is_a_block(run_cli) -> None:
    data = run_cli(
        "itb",
        "transition",
        "--oral-mg-per-day",
        "60",
        "--itb-initial-mcg-per-day",
        "0.15",
        "--infusion-start",
        "2026-12-01",
        "--json",
    ).json()

    assert _ids(data)["ITB-LIMIT-001"] == "block" and data["offerable"] is False


@pytest.mark.parametrize(
    ("conc", "dose", "expected"),
    [
        ("500", "0.4", {"ITB-LIMIT-001": "block"}),
        ("0.5", "400", {"ITB-LIMIT-002": "block", "ITB-LIMIT-003": "block"}),
    ],
)
def test_issue8_d4_pump_program_1000x_slips_are_named_blocks(run_cli, conc, dose, expected) -> None:
    """Defect 4: `pump program ... --concentration-mcg-per-ml 500 --daily-dose-mcg 0.4` has no finding;
    `--concentration-mcg-per-ml 0.5 --daily-dose-mcg 400` gives an 800 mL/day program with an info."""
    r = run_cli(
        "pump",
        "program",
        "--pump",
        "synchromed-ii-40",
        "--concentration-mcg-per-ml",
        conc,
        "--daily-dose-mcg",
        dose,
        "--json",
    )
    assert r.exit_code == 0, r.stderr
    data = r.json()

    found = _ids(data)
    assert {k: found.get(k) for k in expected} == expected
    slip = next(f for f in data["findings"] if f["severity"] == "block")
    assert slip["data"]["likely_unit_confusion"] is True and "mg/mcg confusion" in slip["message"]
    assert slip["data"]["expected_range"] and slip["evidence"]


def test_issue8_d4_initial_dose_from_0_05_mcg_is_a_block_naming_the_mg_mcg_confusion(run_cli) -> None:
    """Defect 4: `itb initial-dose --screening-dose-mcg 0.05` gives 0.1 mcg/day."""
    data = run_cli("itb", "initial-dose", "--screening-dose-mcg", "0.05", "--response-hours", "6", "--json").json()

    found = _ids(data)
    assert found["ITB-LIMIT-004"] == "block" and found["ITB-LIMIT-001"] == "block"
    assert data["offerable"] is False
    screening = next(f for f in data["findings"] if f["rule_id"] == "ITB-LIMIT-004")
    assert screening["data"]["likely_intended"] == 50.0


def test_issue8_d4_initial_dose_off_the_screening_ladder_warns(run_cli) -> None:
    """Defect 4: `itb initial-dose` accepts 33 mcg although screening allows 25/50/75/100."""
    data = run_cli("itb", "initial-dose", "--screening-dose-mcg", "33", "--response-hours", "6", "--json").json()

    off = next(f for f in data["findings"] if f["rule_id"] == "ITB-LIMIT-004")
    assert off["severity"] == "warn" and off["data"]["allowed"] == [25.0, 50.0, 75.0, 100.0]
    ladder = run_cli("itb", "initial-dose", "--screening-dose-mcg", "25", "--response-hours", "6", "--json")
    assert "ITB-LIMIT-004" not in _ids(ladder.json())


def test_issue8_d4_check_dose_gablofen_0_5_mcg_is_not_silent(run_cli) -> None:
    """Defect 4: `check dose --drug Gablofen --mcg-per-day 0.5` is silent."""
    r = run_cli("check", "dose", "--drug", "Gablofen", "--mcg-per-day", "0.5", "--json")
    data = r.json()

    assert _ids(data).get("ITB-LIMIT-001") == "block"
    assert data["within_limits"] is False


def test_issue8_d4_forecast_names_a_concentration_slip(run_cli) -> None:
    data = run_cli(
        "pump",
        "forecast",
        "--pump",
        "synchromed-ii-20",
        "--volume-ml",
        "20",
        "--concentration-mcg-per-ml",
        "0.5",
        "--daily-dose-mcg",
        "0.4",
        "--filled",
        "2026-11-24",
        "--json",
    ).json()

    assert _ids(data).get("ITB-LIMIT-002") == "block"


def test_issue8_d9_confirm_high_dose_decides_whether_a_dose_above_1000_is_offerable(run_cli) -> None:
    """Defect 9: `itb titrate --confirm-high-dose` changes nothing: offerable with or without it. Without
    confirmation a dose above 1000 mcg/day is not offerable."""
    args = ("itb", "titrate", "--current-mcg-per-day", "900", "--at-refill", "--proposed-mcg-per-day", "1050")
    plain = run_cli(*args, "--json").json()
    confirmed = run_cli(*args, "--confirm-high-dose", "--json").json()

    assert plain["offerable"] is False and _ids(plain)["ITB-DOSE-001"] == "block"
    assert confirmed["offerable"] is True and _ids(confirmed)["ITB-DOSE-001"] == "warn"


def test_issue8_d10_titrate_1600_range_is_clamped_at_2003(run_cli) -> None:
    """Defect 10: `itb titrate --current-mcg-per-day 1600` (no proposal) is not offerable because the
    range's top exceeds 2003: clamp the range."""
    plain = run_cli("itb", "titrate", "--current-mcg-per-day", "1600", "--json").json()
    confirmed = run_cli("itb", "titrate", "--current-mcg-per-day", "1600", "--confirm-high-dose", "--json").json()

    for data in (plain, confirmed):
        assert data["max_mcg_per_day"] == 2003.0 and "ITB-DOSE-002" not in _ids(data)
        assert _ids(data)["ITB-TITR-006"] == "warn"
    assert confirmed["offerable"] is True
    assert plain["offerable"] is False and _ids(plain)["ITB-DOSE-001"] == "block"  # needs the confirmation


def test_issue8_d10_initial_dose_finding_gives_routine_advice_not_the_emergency_procedure(run_cli) -> None:
    """Defect 10: emergency advice text on routine findings (ITB-INIT-001) is wrong."""
    data = run_cli("itb", "initial-dose", "--screening-dose-mcg", "75", "--response-hours", "6", "--json").json()

    init = next(f for f in data["findings"] if f["rule_id"] == "ITB-INIT-001")
    assert "Emergency:" not in init["action"] and "remove residual drug" not in init["action"]
    assert "Watch for signs" in init["action"] and init["signs"]


def test_issue8_d13_flex_bridge_follows_the_step_rates(run_cli) -> None:
    """Defect 13: flex programs: bridge and clearing times use the 24 h mean rate; follow the schedule (say
    when the change is made, or give the range)."""
    args = (
        "pump",
        "concentration-change",
        "--pump",
        "synchromed-ii-20",
        "--daily-dose-mcg",
        "400",
        "--old-mcg-per-ml",
        "500",
        "--new-mcg-per-ml",
        "2000",
        "--catheter-volume-ml",
        "0.2",
        "--flex",
        "06:00=20,22:00=10",
    )
    open_time = run_cli(*args, "--json").json()
    at_noon = run_cli(*args, "--change-time", "12:00", "--json").json()
    at_night = run_cli(*args, "--change-time", "22:00", "--json").json()

    # 100 mcg of old solution: 5 h at the daytime 20 mcg/h, 10 h at night's 10 mcg/h (the mean says 6 h)
    assert open_time["bridge"]["duration_h_range"] == [pytest.approx(5.0), pytest.approx(9.0)]
    assert open_time["bridge"]["duration_h"] is None and open_time["times_depend_on_change_time"] is True
    assert at_noon["bridge"]["duration_h"] == pytest.approx(5.0)
    assert at_night["bridge"]["duration_h"] == pytest.approx(8.0 + 20 / 20)  # 80 mcg by 06:00, then 1 h
    assert at_night["change_time"] == "22:00"
    clearing = next(f for f in at_noon["findings"] if f["rule_id"] == "ITB-CONC-005")
    assert "from 12:00" in clearing["message"]


def test_issue8_d13_change_time_is_validated(run_cli) -> None:
    r = run_cli(
        "pump",
        "concentration-change",
        "--pump",
        "synchromed-ii-20",
        "--daily-dose-mcg",
        "400",
        "--old-mcg-per-ml",
        "500",
        "--new-mcg-per-ml",
        "2000",
        "--catheter-volume-ml",
        "0.2",
        "--change-time",
        "25:00",
    )

    assert r.exit_code == 2 and "--change-time" in r.stderr and len(r.stderr.strip().splitlines()) == 1
