"""Plans carry the interaction findings of baclofen with the patient's other medicines (journey 1)."""

from __future__ import annotations

import pytest

from baclofen.adapters.edge.plan import plan_taper_command, plan_titration_command
from baclofen.domain.cds.comedication import screen_comedications
from baclofen.domain.patient import PatientSnapshot
from baclofen.services.planning import plan_oral_taper, plan_oral_titration


def _ids(plan) -> list[str]:
    return [f.rule_id for f in plan.findings]


def test_an_opioid_on_the_medication_list_shows_as_a_cited_warning_on_the_titration_plan() -> None:
    plan = plan_oral_titration(
        plan_titration_command(
            start_date="2026-12-01",
            patient=PatientSnapshot(age_years=46, egfr_ml_min_1_73m2=55),
            target_mg_per_day=60,
            current_drugs=["sertraline", "OxyContin"],
        )
    )

    opioid = [f for f in plan.findings if f.rule_id == "INT-BAC-OPIOID-001"]
    assert len(opioid) == 1
    assert opioid[0].severity.value == "warn"
    assert opioid[0].to_dict()["evidence"]
    assert plan.offerable


def test_without_a_medication_list_there_is_no_interaction_finding() -> None:
    plan = plan_oral_titration(plan_titration_command(start_date="2026-12-01", target_mg_per_day=30))

    assert not [i for i in _ids(plan) if i.startswith(("INT-", "MEDS-"))]


def test_an_unrecognised_medicine_is_reported_not_dropped() -> None:
    plan = plan_oral_taper(
        plan_taper_command(from_mg_per_day=30, start_date="2026-12-01", current_drugs=["notadrug-xyz"])
    )

    unknown = [f for f in plan.findings if f.rule_id == "MEDS-UNKNOWN-001"]
    assert unknown and "notadrug-xyz" in unknown[0].message


def test_an_absolute_interaction_between_two_other_medicines_blocks_a_baclofen_plan() -> None:
    # Issue 8, defect 5 (this test used to assert the opposite): every pair among the patient's medicines is
    # screened, and tizanidine with ciprofloxacin is an absolute contraindication.
    findings = screen_comedications(["tizanidine", "ciprofloxacin"])
    plan = plan_oral_titration(
        plan_titration_command(start_date="2026-12-01", current_drugs=["tizanidine", "ciprofloxacin"])
    )

    assert [f.rule_id for f in findings if f.is_blocking] == ["INT-TIZ-CYP1A2-001"]
    assert not plan.offerable
    assert [m["key"] for m in plan.to_dict()["parameters"]["medicines"]["found"]] == ["tizanidine", "ciprofloxacin"]


def test_an_empty_medicine_name_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match="'drugs'"):
        screen_comedications(["", "oxycodone"])


def test_the_cli_plan_accepts_a_medication_list(run_cli) -> None:
    result = run_cli("plan", "titrate", "--start-date", "2026-12-01", "--drugs", "oxycodone", "--json")

    assert result.exit_code == 0
    assert "INT-BAC-OPIOID-001" in [f["rule_id"] for f in result.json()["findings"]]
