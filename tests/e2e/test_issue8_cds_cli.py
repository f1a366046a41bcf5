"""Issue 8, defects 5 and 12 and the product owner's decisions, through the CLI JSON."""

from __future__ import annotations

import pytest

PAEDIATRIC = "SCOPE-PAEDIATRIC-001"
TIZ_BLOCK = "INT-TIZ-CYP1A2-001"


def _finding(data: dict, rule_id: str) -> dict:
    (found,) = [f for f in data["findings"] if f["rule_id"] == rule_id]
    return found


def _error_names(result, option: str) -> None:
    assert result.exit_code == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and option in lines[0], result.stderr


# --- defect 5 -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "inhibitor"),
    [
        (("plan", "titrate", "--start-date", "2026-12-01"), "ciprofloxacin"),
        (("plan", "titrate", "--start-date", "2026-12-01"), "fluvoxamine"),
        (("plan", "taper", "--from-mg-per-day", "30", "--start-date", "2026-12-01"), "fluvoxamine"),
        (("plan", "taper", "--from-mg-per-day", "30", "--start-date", "2026-12-01"), "ciprofloxacin"),
    ],
)
def test_issue8_d5_a_plan_with_tizanidine_and_a_potent_cyp1a2_inhibitor_is_blocked(run_cli, command, inhibitor):
    """Defect 5: '`plan titrate --drugs tizanidine,ciprofloxacin` (and `plan taper --drugs
    tizanidine,fluvoxamine`) is offerable with no finding; the medicines do not appear in the JSON.'"""
    result = run_cli(*command, "--drugs", f"tizanidine,{inhibitor}", "--json")

    assert result.exit_code == 0, result.stderr
    data = result.json()
    assert data["offerable"] is False
    block = _finding(data, TIZ_BLOCK)
    assert block["severity"] == "block" and block["overridable"] is False
    medicines = data["parameters"]["medicines"]
    assert [m["key"] for m in medicines["found"]] == ["tizanidine", inhibitor]
    assert medicines["complete"] is True


def test_issue8_d5_the_tizanidine_block_on_a_plan_cannot_be_overridden(run_cli) -> None:
    result = run_cli(
        "plan",
        "titrate",
        "--drugs",
        "tizanidine,ciprofloxacin",
        "--override",
        f"{TIZ_BLOCK}=ciprofloxacin stops tomorrow",
        "--clinician",
        "Dr A",
        "--json",
    )

    _error_names(result, "--override")
    assert "cannot be overridden" in result.stderr


def test_issue8_d5_check_interactions_flags_tizanidine_with_ethinylestradiol(run_cli) -> None:
    """Defect 5: '`check interactions --drugs tizanidine,ethinylestradiol` finds nothing and says complete'."""
    data = run_cli("check", "interactions", "--drugs", "tizanidine,ethinylestradiol", "--json").json()

    finding = _finding(data, "INT-TIZ-CYP1A2-002")
    assert finding["severity"] == "warn"
    assert {"S74", "S72"} <= set(finding["evidence_keys"])


def test_issue8_d5_alternatives_does_not_silently_recommend_tizanidine_with_ethinylestradiol(run_cli) -> None:
    """Defect 5: '`alternatives --failed --drugs ethinylestradiol` recommends tizanidine'."""
    data = run_cli("alternatives", "--failed", "--drugs", "ethinylestradiol", "--json").json()

    (tiz,) = [o for o in data["options"] if o["key"] == "tizanidine"]
    assert tiz["status"] == "caution"
    assert [f["rule_id"] for f in tiz["findings"]] == ["INT-TIZ-CYP1A2-002"]
    assert "CYP1A2" in tiz["findings"][0]["message"] and tiz["findings"][0]["severity"] == "warn"


@pytest.mark.parametrize("inhibitor", ["ciprofloxacin", "fluvoxamine"])
def test_issue8_alternatives_refuse_an_override_of_the_tizanidine_contraindication(run_cli, inhibitor) -> None:
    result = run_cli(
        "alternatives",
        "--failed",
        "--drugs",
        inhibitor,
        "--override",
        f"{TIZ_BLOCK}=short course ends today",
        "--clinician",
        "Dr B",
        "--json",
    )

    _error_names(result, "--override")


# --- defect 12 ------------------------------------------------------------------------------------------------

_ABOVE_CEILING = ("plan", "titrate", "--target-mg-per-day", "100", "--doses-per-day", "4")


@pytest.mark.parametrize(
    ("extra", "option"),
    [
        (("--override", "ORAL-MAX-001=x", "--clinician", "Dr A"), "--override"),
        (("--override", "ORAL-MAX-001=   ", "--clinician", "Dr A"), "--override"),
        (("--override", "ORAL-MAX-001=in hospital under supervision"), "--clinician"),
        (("--override", "ORAL-MAX-001=in hospital under supervision", "--clinician", ""), "--clinician"),
        (("--override", "ORAL-MAX-001=in hospital under supervision", "--clinician", "  "), "--clinician"),
    ],
)
def test_issue8_d12_an_override_needs_a_named_clinician_and_a_real_reason(run_cli, extra, option) -> None:
    """Defect 12: 'A block can be overridden with no clinician named (`--override ORAL-MAX-001=x`,
    `clinician: ""`)'."""
    _error_names(run_cli(*_ABOVE_CEILING, *extra, "--json"), option)


def test_issue8_d12_a_named_override_is_recorded_with_its_clinician(run_cli) -> None:
    # issue 9 item 9: a US override reaches above 80 only where the clinic raised the US in-hospital setting
    data = run_cli(
        *_ABOVE_CEILING,
        "--override",
        "ORAL-MAX-001=in hospital under supervision",
        "--clinician",
        "Dr A",
        "--setting",
        "oral.max_daily_dose_mg.in_hospital.us=100",
        "--json",
    ).json()

    assert data["offerable"] is True
    assert data["overrides"] == [
        {"rule_id": "ORAL-MAX-001", "reason": "in hospital under supervision", "clinician": "Dr A"}
    ]


# --- decision: adults only ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("plan", "titrate", "--start-date", "2026-12-01"),
        ("plan", "taper", "--from-mg-per-day", "30", "--start-date", "2026-12-01"),
    ],
)
def test_issue8_a_patient_under_18_gets_a_block_that_cannot_be_overridden(run_cli, command) -> None:
    data = run_cli(*command, "--age", "16", "--json").json()

    assert data["offerable"] is False
    block = _finding(data, PAEDIATRIC)
    assert block["overridable"] is False and block["data"]["age_years"] == 16
    assert "16" in block["message"] and "paediatric dosing is out of scope" in block["message"]
    refused = run_cli(
        *command,
        "--age",
        "16",
        "--override",
        f"{PAEDIATRIC}=specialist paediatric team agrees",
        "--clinician",
        "Dr A",
        "--json",
    )
    _error_names(refused, "--override")
    adult = run_cli(*command, "--age", "18", "--json").json()
    assert PAEDIATRIC not in [f["rule_id"] for f in adult["findings"]]


def test_issue8_under_18_in_the_human_output_says_it_cannot_be_overridden(run_cli) -> None:
    result = run_cli("plan", "titrate", "--start-date", "2026-12-01", "--age", "9")

    assert result.exit_code == 0
    assert "NOT OFFERABLE" in result.stdout and "cannot be overridden" in result.stdout


def test_issue8_under_18_blocks_contraindication_checks_and_alternatives(run_cli) -> None:
    check = run_cli("check", "contraindications", "--drug", "baclofen", "--age", "12", "--json").json()
    assert _finding(check, PAEDIATRIC)["overridable"] is False

    advice = run_cli("alternatives", "--failed", "--age", "12", "--json").json()
    assert advice["offered"] == ["physiotherapy"]


# --- decision: Lioresal ---------------------------------------------------------------------------------------


def test_issue8_lioresal_10_mg_tablets_is_oral_and_a_bare_lioresal_stays_ambiguous(run_cli) -> None:
    tablets = run_cli("check", "interactions", "--drugs", "Lioresal 10 mg tablets,oxycodone", "--json").json()
    bare = run_cli("check", "interactions", "--drugs", "Lioresal,oxycodone", "--json").json()

    assert tablets["complete"] is True and tablets["drugs"][0]["key"] == "baclofen"
    assert "INT-BAC-OPIOID-001" in [f["rule_id"] for f in tablets["findings"]]
    assert bare["complete"] is False and bare["unknown"][0]["ambiguous"] is True
