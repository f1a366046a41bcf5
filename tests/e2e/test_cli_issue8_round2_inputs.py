"""Issue 8, round 2 (after the invariant suite): name lists, option names in errors, CYP1A2 inhibitors.

Each test quotes the defect the invariant run (or the reviewer) found on main.
"""

from __future__ import annotations

import pytest

PLAN_TITRATE = ("plan", "titrate", "--start-date", "2026-12-01")
PLAN_TAPER = ("plan", "taper", "--from-mg-per-day", "30", "--start-date", "2026-12-01")
CHECK_INTERACTIONS = ("check", "interactions")
ALTERNATIVES = ("alternatives", "--failed")
CHECK_CONTRA = ("check", "contraindications", "--drug", "baclofen")

#: Texts that are not a comma-separated list of names.
BAD_LISTS = [
    "a;b",
    "tizanidine;ciprofloxacin",
    "a|b",
    "a\tb",
    "a\nb",
    "a\rb",
    "",
    " ",
    ",",
    ",,,",
    "a,,b",
    "a, ,b",
    "a,",
]


def _one_error_line(result, option: str) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {option}: "), result.stderr
    return lines[0]


# --- defect 1: one name-list parser on every path ---------------------------------------------------------
@pytest.mark.parametrize(
    "command",
    [PLAN_TITRATE, PLAN_TAPER, CHECK_INTERACTIONS, ALTERNATIVES],
    ids=["plan titrate", "plan taper", "check interactions", "alternatives"],
)
@pytest.mark.parametrize("value", BAD_LISTS, ids=repr)
def test_issue8_r2_d1_every_drugs_option_refuses_a_list_not_separated_by_commas(run_cli, command, value) -> None:
    """'`plan titrate --drugs 'a;b' --json` (and `plan taper`) exits 0; `check interactions` / `alternatives`
    already refuse a drug list with `;`, `|`, tab or newline (exit 2 naming --drugs)'."""
    _one_error_line(run_cli(*command, "--drugs", value, "--json"), "--drugs")


@pytest.mark.parametrize(
    "command",
    [PLAN_TITRATE, PLAN_TAPER, CHECK_CONTRA, ALTERNATIVES],
    ids=["plan titrate", "plan taper", "check contraindications", "alternatives"],
)
@pytest.mark.parametrize("value", ["epilepsy;pregnancy", "a|b", "a\tb", "a\nb", "", " ", ",", ";"], ids=repr)
def test_issue8_r2_d1_every_condition_option_refuses_a_malformed_list(run_cli, command, value) -> None:
    """'Also look at `--conditions` lists': `plan titrate --condition 'epilepsy;pregnancy'` was accepted
    (an unknown condition) while `check contraindications` refused it."""
    _one_error_line(run_cli(*command, "--condition", value, "--json"), "--condition")


@pytest.mark.parametrize(
    "command", [PLAN_TAPER, CHECK_CONTRA, ALTERNATIVES], ids=["plan taper", "check contraindications", "alternatives"]
)
def test_a_condition_whose_name_holds_a_comma_is_still_one_condition(run_cli, command) -> None:
    """A repeatable --condition takes one name per use: the sheet's "spasticity used for posture, balance or
    function" is not split at its comma."""
    data = run_cli(*command, "--condition", "spasticity used for posture, balance or function", "--json").json()

    assert not data.get("unknown_conditions")
    assert "MEDS-UNKNOWN-001" not in {f["rule_id"] for f in data.get("findings", [])}


# --- defect 2: alternatives names the option the user can change ------------------------------------------
@pytest.mark.parametrize("dose", ["0.001", "0.5", "1", "2.4"])
@pytest.mark.parametrize("new_drug", ["tizanidine", "gabapentin"])
def test_issue8_r2_d2_a_cross_taper_from_a_dose_tablets_cannot_give_names_from_mg_per_day(
    run_cli, dose, new_drug
) -> None:
    """'`alternatives --switch-to tizanidine --from-mg-per-day 0.001 --json` prints `error: product: expected a
    product that can give less than 0.001 mg/day ...`: `alternatives` has no --product option.'"""
    result = run_cli(
        "alternatives", "--switch-to", new_drug, "--from-mg-per-day", dose, "--start-date", "2026-12-01", "--json"
    )

    line = _one_error_line(result, "--from-mg-per-day")
    assert "product:" not in line


def test_issue8_r2_d2_a_cross_taper_from_an_ordinary_dose_still_plans(run_cli) -> None:
    data = run_cli(
        "alternatives", "--switch-to", "tizanidine", "--from-mg-per-day", "30", "--start-date", "2026-12-01", "--json"
    ).json()

    assert data["cross_taper"]["taper"]["steps"][-1]["daily_dose_mg"] == 0


# --- defect 3: pump reconcile names --tolerance-percent ------------------------------------------------------
@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--tolerance-percent", "nan"),
        ("--tolerance-percent", "-1"),
        ("--tolerance-percent", "101"),
        ("--tolerance-ml", "nan"),
        ("--tolerance-ml", "-1"),
        ("--trend-visits", "0"),
    ],
)
def test_issue8_r2_d3_reconcile_names_the_bad_tolerance_not_previous(run_cli, option, value) -> None:
    """'`pump reconcile --tolerance-percent nan --expected-ml 0 --aspirated-ml 0 --previous 1:0` prints
    `error: --previous: expected a finite number in % of expected residual (got nan)`: must name
    --tolerance-percent (and validate it before use).'"""
    result = run_cli(
        "pump", "reconcile", option, value, "--expected-ml", "0", "--aspirated-ml", "0", "--previous", "1:0", "--json"
    )

    _one_error_line(result, option)


def test_issue8_r2_d3_a_bad_earlier_visit_still_names_previous(run_cli) -> None:
    result = run_cli(
        "pump", "reconcile", "--expected-ml", "4.9", "--aspirated-ml", "4.5", "--previous", "4.9:-1", "--json"
    )

    _one_error_line(result, "--previous")


# --- defect 4: tizanidine with each CYP1A2 inhibitor of clinical.md §8.2, on every path ---------------------
#: clinical.md §8.2 [S74] [S72]: "Avoid other CYP1A2 inhibitors (zileuton, other fluoroquinolones, amiodarone,
#: mexiletine, propafenone, verapamil, cimetidine, famotidine, oral contraceptives, aciclovir, ticlopidine)".
CYP1A2_INHIBITORS = [
    "zileuton",
    "levofloxacin",
    "moxifloxacin",
    "ofloxacin",
    "norfloxacin",
    "enoxacin",
    "delafloxacin",
    "gemifloxacin",
    "amiodarone",
    "mexiletine",
    "propafenone",
    "verapamil",
    "cimetidine",
    "famotidine",
    "oral contraceptives",
    "ethinylestradiol",
    "aciclovir",
    "acyclovir",
    "ticlopidine",
]
TIZ_WARN = "INT-TIZ-CYP1A2-002"


def _warn(findings: list[dict]) -> dict:
    (found,) = [f for f in findings if f["rule_id"] == TIZ_WARN]
    assert found["severity"] == "warn"
    assert {"S74", "S72"} <= set(found["evidence_keys"])
    return found


@pytest.mark.parametrize("inhibitor", CYP1A2_INHIBITORS)
def test_issue8_r2_d4_check_interactions_warns_for_each_cyp1a2_inhibitor(run_cli, inhibitor) -> None:
    """'`check interactions --drugs tizanidine,verapamil` warns' -- one row per listed inhibitor."""
    data = run_cli("check", "interactions", "--drugs", f"tizanidine,{inhibitor}", "--json").json()

    _warn(data["findings"])
    assert data["unknown"] == []


@pytest.mark.parametrize("inhibitor", CYP1A2_INHIBITORS)
@pytest.mark.parametrize("outcome", ["--failed", "--not-tolerated"])
def test_issue8_r2_d4_alternatives_never_silently_recommend_tizanidine_with_a_cyp1a2_inhibitor(
    run_cli, inhibitor, outcome
) -> None:
    """'`alternatives --failed --drugs cimetidine` does not silently recommend tizanidine (caution with the
    finding)'."""
    data = run_cli("alternatives", outcome, "--drugs", inhibitor, "--json").json()

    (tiz,) = [o for o in data["options"] if o["key"] == "tizanidine"]
    assert tiz["status"] == "caution"
    _warn(tiz["findings"])


@pytest.mark.parametrize("inhibitor", CYP1A2_INHIBITORS)
def test_issue8_r2_d4_a_cross_taper_to_tizanidine_carries_the_cyp1a2_warn(run_cli, inhibitor) -> None:
    data = run_cli(
        "alternatives",
        "--failed",
        "--drugs",
        inhibitor,
        "--switch-to",
        "tizanidine",
        "--from-mg-per-day",
        "30",
        "--start-date",
        "2026-12-01",
        "--json",
    ).json()

    _warn(data["cross_taper"]["overlap_findings"])


@pytest.mark.parametrize("inhibitor", CYP1A2_INHIBITORS)
@pytest.mark.parametrize("command", [PLAN_TITRATE, PLAN_TAPER], ids=["plan titrate", "plan taper"])
def test_issue8_r2_d4_a_plan_with_tizanidine_and_a_cyp1a2_inhibitor_carries_the_warn(
    run_cli, command, inhibitor
) -> None:
    """'plans with these medicines carry the warn'."""
    data = run_cli(*command, "--drugs", f"tizanidine,{inhibitor}", "--json").json()

    _warn(data["findings"])
    medicines = data["parameters"]["medicines"]
    assert len(medicines["found"]) == 2 and medicines["complete"] is True


# --- defect 5: the sweep (every option given a bad value names that option) ---------------------------------
@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("plan", "taper", "--from-mg-per-day", "30", "--event-table", "/"), "--event-table"),
        (("plan", "titrate", "--event-table", ""), "--event-table"),
        (
            ("pump", "program", "--pump", "synchromed-ii-20", "--concentration-mcg-per-ml", "500", "--flex", ""),
            "--flex",
        ),
        (
            (
                "pump",
                "forecast",
                "--pump",
                "synchromed-ii-20",
                "--concentration-mcg-per-ml",
                "500",
                "--volume-ml",
                "20",
                "--filled",
                "2026-12-01",
                "--daily-dose-mcg",
                "100",
                "--flex",
                " ",
            ),
            "--flex",
        ),
        (("simulate", "oral", "--dose-mg", "10", "--condition", "ckd;dialysis"), "--condition"),
        (("simulate", "oral", "--dose-mg", "10", "--condition", ""), "--condition"),
        (
            (
                "itb",
                "transition",
                "--oral-mg-per-day",
                "60",
                "--itb-initial-mcg-per-day",
                "100",
                "--infusion-start",
                "2026-12-01",
                "--other-antispastic",
                "tizanidine;diazepam",
            ),
            "--other-antispastic",
        ),
        (
            (
                "itb",
                "transition",
                "--oral-mg-per-day",
                "60",
                "--itb-initial-mcg-per-day",
                "100",
                "--infusion-start",
                "2026-12-01",
                "--other-antispastic",
                " ",
            ),
            "--other-antispastic",
        ),
    ],
)
def test_issue8_r2_d5_a_bad_value_of_an_option_the_suite_did_not_cover_names_it(run_cli, args, option) -> None:
    """'For every CLI command, every option that can be given a bad value should produce exit 2 with one
    `error: --option: ...` line naming THAT option' (the invariant suite did not generate these options;
    `--event-table /` gave a traceback, `--flex ''` named --daily-dose-mcg, the lists were accepted)."""
    _one_error_line(run_cli(*args, "--json"), option)


def test_issue8_r2_d5_simulate_regimen_refuses_a_crcl_range_without_a_population(run_cli, tmp_path) -> None:
    """Found by the sweep: `simulate regimen PLAN --crcl-range 90:10` exited 0 (the range was ignored), while
    `simulate oral` refuses a CrCl range without a population."""
    plan = tmp_path / "plan.json"
    plan.write_text(run_cli("plan", "taper", "--from-mg-per-day", "30", "--start-date", "2026-12-01", "--json").stdout)

    _one_error_line(run_cli("simulate", "regimen", str(plan), "--crcl-range", "90:10", "--json"), "--crcl-range")
