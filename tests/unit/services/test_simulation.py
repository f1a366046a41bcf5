"""Simulation use cases: plain values in, serialisable results out, kidney function always stated."""

from __future__ import annotations

import json
from datetime import date, time

import pytest

from baclofen.domain.errors import InvalidInputError, UnknownNameError
from baclofen.domain.oral.plan import Plan, PlanKind, PlanStep, ScheduledDose
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.products import dispense_dose, get_oral_product
from baclofen.domain.rules.core import Finding, Severity
from baclofen.services.simulation import (
    plan_doses,
    renal_reasons,
    split_settings,
)
from tests.simulations import intrathecal_simulation, oral_simulation, plan_simulation


def rule_ids(result) -> list[str]:
    return [f["rule_id"] for f in result.to_dict()["findings"]]


TABLET = get_oral_product("tablet-10mg")


def plan(
    *steps: tuple[str, str, list[tuple[str, float]]],
    findings: tuple[Finding, ...] = (),
    patient: PatientSnapshot | None = None,
) -> dict:
    """A ``baclofen-plan/1`` document of 10 mg tablets with these (start, end, [(time, mg)]) steps."""
    return Plan(
        kind=PlanKind.TITRATION,
        steps=tuple(
            PlanStep(
                date.fromisoformat(a),
                date.fromisoformat(b),
                tuple(ScheduledDose(time.fromisoformat(t), d, dispense_dose(d, TABLET)) for t, d in doses),
            )
            for a, b, doses in steps
        ),
        product=TABLET,
        patient=patient or PatientSnapshot(),
        findings=findings,
    ).to_dict()


def finding(rule_id: str, message: str, **data: object) -> Finding:
    return Finding(rule_id, Severity.WARN, message, "test", ("S22",), data)


TID5 = [("08:00", 5.0), ("14:00", 5.0), ("20:00", 5.0)]
TID10 = [("08:00", 10.0), ("14:00", 10.0), ("20:00", 10.0)]


def test_a_single_oral_dose_result_is_json_ready_with_the_required_keys() -> None:
    data = oral_simulation(10.0).to_dict()

    json.dumps(data)
    for key in (
        "cmax_ng_per_ml",
        "tmax_h",
        "auc_ng_h_per_ml",
        "half_life_h",
        "times_h",
        "concentration_ng_per_ml",
        "bands",
        "findings",
        "kidney",
        "settings",
    ):
        assert key in data
    assert data["auc_kind"].startswith("0-infinity")
    assert data["auc_ng_h_per_ml"] == pytest.approx(10000.0 / 11.6)
    assert len(data["times_h"]) == len(data["concentration_ng_per_ml"])


def test_several_doses_report_the_last_interval_and_the_steady_state() -> None:
    data = oral_simulation(20.0, interval_h=8.0, doses=9).to_dict()

    assert data["metrics_window_h"] == [64.0, 72.0]
    assert data["steady_state"]["cavg_ng_per_ml"] == pytest.approx(20000.0 / 11.6 / 8.0, rel=1e-9)


def test_the_kidney_function_used_is_always_reported() -> None:
    naive = oral_simulation(10.0).to_dict()["kidney"]
    given = oral_simulation(10.0, crcl_ml_min=40.0).to_dict()["kidney"]

    assert naive["given"] is False and naive["crcl_ml_min_used"] == 110.0
    assert given["crcl_ml_min_used"] == 40.0
    assert given["auc_ratio_vs_reference_kidney"] == pytest.approx(2.04, abs=0.01)


def test_a_renal_patient_without_kidney_function_gets_a_warning() -> None:
    """journeys.md #7: never a kidney-naive simulation presented as if it applied."""
    result = oral_simulation(10.0, conditions=["CKD stage 4"])

    assert "PK-KIDNEY-001" in rule_ids(result)
    assert "PK-KIDNEY-002" not in rule_ids(result)


def test_a_dialysis_patient_on_20_mg_a_day_accumulates_for_days() -> None:
    """journeys.md #7: 20 mg/day on dialysis: concentrations climb for days, half-life and sessions shown."""
    result = oral_simulation(10.0, interval_h=12.0, doses=14, dialysis=True, hd_sessions=[(48.0, 4.0), (120.0, 4.0)])
    data = result.to_dict()

    assert {"PK-KIDNEY-003", "PK-DIALYSIS-001"} <= set(rule_ids(result))
    assert data["kidney"]["half_life_h"] == pytest.approx(21.8, abs=0.05)
    assert data["kidney"]["half_life_during_dialysis_h"] < 5.0
    no_sessions = oral_simulation(10.0, interval_h=12.0, doses=14, dialysis=True)
    assert "PK-BAND-003" in rule_ids(no_sessions)
    assert no_sessions.to_dict()["bands"]["first_time_h"]["caution"] > 72.0
    assert data["max_concentration_ng_per_ml"] < no_sessions.to_dict()["max_concentration_ng_per_ml"]
    troughs = [data["concentration_ng_per_ml"][data["times_h"].index(h)] for h in (12.0, 24.0, 48.0)]
    assert troughs[0] < troughs[1] < troughs[2]


def test_a_higher_dose_on_dialysis_enters_the_encephalopathy_band() -> None:
    result = oral_simulation(15.0, interval_h=8.0, doses=21, dialysis=True)

    assert "PK-BAND-001" in rule_ids(result)
    assert result.to_dict()["bands"]["first_time_h"]["encephalopathy_reported"] > 24.0


def test_a_population_adds_percentiles_and_is_reproducible() -> None:
    a = oral_simulation(20.0, doses=3, population=1500, seed=4).to_dict()
    b = oral_simulation(20.0, doses=3, population=1500, seed=4).to_dict()

    pop = a["population"]
    assert set(pop["percentiles"]) == {"5", "50", "95"}
    assert len(pop["percentiles"]["50"]) == len(a["times_h"])
    assert a == b


def test_a_population_with_a_crcl_range_is_wider() -> None:
    narrow = oral_simulation(20.0, population=1200, seed=1).to_dict()["population"]["metrics"]["cavg"]
    wide = oral_simulation(20.0, population=1200, seed=1, crcl_range=(10.0, 110.0)).to_dict()["population"]
    wide = wide["metrics"]["cavg"]

    assert wide["p95"] / wide["p5"] > narrow["p95"] / narrow["p5"]


def test_a_custom_runner_and_progress_are_used() -> None:
    calls = []

    def runner(problem, progress):
        from baclofen.domain.pk.population import run_population

        calls.append(problem.n_subjects)
        return run_population(problem, progress=progress)

    seen: list[tuple[int, int]] = []
    oral_simulation(10.0, population=2100, runner=runner, progress=lambda d, t: seen.append((d, t)))

    assert calls == [2100]
    assert seen[-1] == (2100, 2100)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"dose_mg": -5.0}, "dose_mg"),
        ({"dose_mg": 0.0}, "dose_mg"),
        ({"crcl_ml_min": -1.0}, "crcl_ml_min"),
        ({"crcl_ml_min": 250.1}, "crcl_ml_min"),
        ({"interval_h": 0.0}, "interval_h"),
        ({"doses": 0}, "doses"),
        ({"seed": 3}, "seed"),
        ({"population": 0}, "population"),
        ({"crcl_ml_min": 30.0, "dialysis": True}, "crcl_ml_min"),
        ({"hd_sessions": [(1.0, 4.0)]}, "hd_sessions"),
        ({"crcl_range": (10.0, 20.0)}, "crcl_range"),
    ],
)
def test_bad_oral_input_names_the_field(kwargs: dict, field: str) -> None:
    args = {"dose_mg": 10.0, **kwargs}
    dose = args.pop("dose_mg")

    with pytest.raises(InvalidInputError) as info:
        oral_simulation(dose, **args)

    assert info.value.field == field


def test_an_unknown_model_or_setting_is_refused() -> None:
    with pytest.raises(UnknownNameError):
        oral_simulation(10.0, model="pbpk")
    with pytest.raises(UnknownNameError):
        split_settings({"pk.unknown": 1.0})


def test_settings_are_split_into_model_settings_and_band_edges() -> None:
    model, bands = split_settings({"pk.renal.nonrenal_fraction": 0.3, "pk.band.caution_lower_ng_per_ml": 350.0})

    assert model.nonrenal_fraction == 0.3
    assert bands == {"pk.band.caution_lower_ng_per_ml": 350.0}
    data = oral_simulation(10.0, crcl_ml_min=0.0, settings={"pk.renal.nonrenal_fraction": 0.3}).to_dict()
    assert data["kidney"]["auc_ratio_vs_reference_kidney"] == pytest.approx(1 / 0.3)


def test_the_kochak_variant_is_flagged() -> None:
    assert "PK-MODEL-001" in rule_ids(oral_simulation(10.0, model="kochak"))


def test_intrathecal_result_has_the_required_keys() -> None:
    data = intrathecal_simulation(600.0, bolus_mcg=50.0).to_dict()

    assert data["csf_steady_state_ug_per_ml"] == pytest.approx(25 / 30)
    assert data["plasma_steady_state_ng_per_ml"] == pytest.approx(25 / 8.584)
    assert data["effect_peak_h"] == pytest.approx(3.96, abs=0.05)
    assert len(data["csf_ug_per_ml"]) == len(data["times_h"])
    assert [f["rule_id"] for f in data["findings"]] == ["PK-ITB-001"]


@pytest.mark.parametrize(
    ("daily", "bolus", "field"),
    [(-1.0, 0.0, "daily_dose_mcg"), (0.0, 0.0, "daily_dose_mcg"), (100.0, -5.0, "bolus_mcg")],
)
def test_bad_intrathecal_input_names_the_field(daily: float, bolus: float, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        intrathecal_simulation(daily, bolus_mcg=bolus)

    assert info.value.field == field


def test_plan_doses_repeat_every_day_of_each_step() -> None:
    parsed = plan_doses(Plan.from_dict(plan(("2026-01-01", "2026-01-03", TID5), ("2026-01-04", "2026-01-04", TID10))))

    assert len(parsed.doses) == 12
    assert parsed.doses[0].time_h == 8.0
    assert parsed.doses[-1].time_h == 3 * 24 + 20.0
    assert parsed.doses[-1].amount_mcg == 10000.0


def _edited(change) -> dict:
    document = plan(("2026-01-01", "2026-01-03", TID5), ("2026-01-04", "2026-01-05", TID10))
    change(document)
    return document


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"schema_version": "baclofen-plan/1", "steps": []}, "kind"),
        (_edited(lambda d: d.update(steps=[])), "steps"),
        (_edited(lambda d: d.update(steps="x")), "steps"),
        (_edited(lambda d: d["steps"][0].update(start="2026-02-30")), "steps[0].start"),
        (_edited(lambda d: d["steps"][0].update(end="2025-12-31")), "steps[0].end"),
        (_edited(lambda d: d["steps"][0]["doses"][0].update(time="25:00")), "steps[0].doses[0].time"),
        (_edited(lambda d: d["steps"][0]["doses"][0].update(dose_mg="five")), "steps[0].doses[0].dose_mg"),
        (_edited(lambda d: d["steps"][1].update(start="2026-01-03")), "steps[1].start"),
    ],
)
def test_a_malformed_plan_names_the_field(bad: dict, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        plan_simulation(bad)

    assert info.value.field == f"plan.{field}"


def test_a_titration_plan_is_seen_as_exposure_day_by_day() -> None:
    result = plan_simulation(plan(("2026-01-01", "2026-01-03", TID5), ("2026-01-04", "2026-01-06", TID10)))
    data = result.to_dict()

    daily = [d["cavg_ng_per_ml"] for d in data["daily"]]
    assert len(daily) == 7
    assert daily[5] > 1.8 * daily[2]
    assert data["request"]["kidney_source"] == "not given"
    assert "PK-KIDNEY-002" in rule_ids(result)


def test_a_plan_made_for_a_renal_patient_warns_when_simulated_without_kidney_function() -> None:
    p = plan(
        ("2026-01-01", "2026-01-03", TID5),
        findings=(finding("ORAL-KIDNEY-001", "CrCl 25: reduce the dose"),),
    )

    assert "PK-KIDNEY-001" in rule_ids(plan_simulation(p))
    assert "PK-KIDNEY-001" not in rule_ids(plan_simulation(p, crcl_ml_min=25.0))


def test_the_plans_own_kidney_function_is_used_when_none_is_given() -> None:
    p = plan(
        ("2026-01-01", "2026-01-03", TID5),
        patient=PatientSnapshot(crcl_ml_min=40.0),
    )

    data = plan_simulation(p).to_dict()

    assert data["request"]["kidney_source"] == "plan patient"
    assert data["kidney"]["crcl_ml_min_used"] == 40.0


def test_an_inconsistent_plan_step_is_flagged_not_refused() -> None:
    p = plan(("2026-01-01", "2026-01-02", TID5))
    p["steps"][0]["daily_dose_mg"] = 20.0

    assert "PK-PLAN-001" in rule_ids(plan_simulation(p))


def test_renal_reasons_come_from_conditions_and_plan_findings() -> None:
    reasons = renal_reasons(
        ["CKD 3b", "asthma"],
        [{"rule_id": "ORAL-DIALYSIS-002", "message": "x"}, {"rule_id": "ORAL-MAX-001", "message": "ceiling"}],
    )

    assert reasons == ("condition 'CKD 3b'", "plan finding ORAL-DIALYSIS-002")


def test_a_plan_finding_that_kidney_function_is_unknown_does_not_make_the_patient_renal() -> None:
    """`plan titrate` without a kidney function says so (ORAL-RENAL-005); that is not kidney disease."""
    unknown = finding(
        "ORAL-RENAL-005",
        "Kidney function not given: the plan is not reduced for kidney function.",
        kidney_source="unknown",
    )
    p = plan(("2026-01-01", "2026-01-03", TID5), findings=(unknown,))

    ids = rule_ids(plan_simulation(p))

    assert renal_reasons((), [unknown.to_dict()]) == ()
    assert "PK-KIDNEY-001" not in ids
    assert "PK-KIDNEY-002" in ids


@pytest.mark.parametrize(
    ("finding", "renal"),
    [
        # A kidney rule's finding is read by its id and data, whatever its message says.
        ({"rule_id": "ORAL-RENAL-002", "message": "Kidney function not known", "data": {"crcl_ml_min": 40}}, True),
        ({"rule_id": "ORAL-DIALYSIS-001", "message": "", "data": {}}, True),
        # A message that mentions kidney disease does not make a finding of another rule a kidney one.
        ({"rule_id": "ORAL-CONDITIONS-001", "message": "Conditions not checked: ckd-stage-4.", "data": {}}, False),
        ({"rule_id": "ORAL-MAX-001", "message": "above the ceiling in CKD", "data": {}}, False),
        # Kidney function not given (its data says so) is not kidney disease.
        ({"rule_id": "ORAL-RENAL-005", "message": "anything", "data": {"kidney_source": "unknown"}}, False),
    ],
)
def test_renal_reasons_read_the_findings_rule_and_data_never_the_message(finding: dict, renal: bool) -> None:
    """Issue 10 item 3: the simulation decided kidney status by regular expressions on finding messages."""
    assert bool(renal_reasons((), [finding])) is renal


def test_a_plan_patients_renal_condition_is_read_from_the_patient() -> None:
    p = plan(("2026-01-01", "2026-01-03", TID5), patient=PatientSnapshot(conditions=("CKD stage 4",)))

    data = plan_simulation(p).to_dict()

    kidney = next(f for f in data["findings"] if f["rule_id"] == "PK-KIDNEY-001")
    assert kidney["data"]["reasons"] == ["condition 'CKD stage 4'"]


def test_a_continuing_last_step_keeps_its_doses_after_the_plan_ends() -> None:
    """A titration's last step 'continues': the patient stays on it, so the simulation must not stop it."""
    p = plan(("2026-01-01", "2026-01-03", TID5), ("2026-01-04", "2026-01-06", TID10))
    p["steps"][-1]["continues"] = True
    stopped = plan(("2026-01-01", "2026-01-03", TID5), ("2026-01-04", "2026-01-06", TID10))

    data = plan_simulation(p, washout_h=48.0).to_dict()
    ended = plan_simulation(stopped, washout_h=48.0).to_dict()

    assert data["request"]["last_step_continues"] is True
    assert ended["request"]["last_step_continues"] is False
    assert data["request"]["doses"] == ended["request"]["doses"] + 6  # two more days of 10 mg TID
    last_day = data["daily"][-1]
    assert last_day["cavg_ng_per_ml"] == pytest.approx(30000.0 / 24.0 / 11.6, rel=0.02)
    assert ended["daily"][-1]["cmax_ng_per_ml"] < 0.2 * last_day["cmin_ng_per_ml"]
    assert data["steady_state"]["cavg_ng_per_ml"] == pytest.approx(30000.0 / 24.0 / 11.6, rel=1e-6)
    assert ended["steady_state"] is None


def test_a_tapers_final_stop_step_adds_no_dose_after_the_plan() -> None:
    """A taper ends with a 0 mg/day step that 'continues' (no baclofen from that day on)."""
    p = plan(("2026-01-01", "2026-01-03", TID5), ("2026-01-04", "2026-01-04", []))
    p["steps"][-1]["continues"] = True

    data = plan_simulation(p, washout_h=48.0).to_dict()

    assert data["request"]["doses"] == 9
    assert data["request"]["last_step_continues"] is False
    assert data["concentration_ng_per_ml"][-1] < 1.0
    assert data["steady_state"] is None


def test_hours_shorter_than_the_doses_is_refused_not_a_sliver_of_an_interval() -> None:
    """10 doses q8h need 80 h; 20 h would drop 7 doses and report metrics over [19.9, 20] h."""
    with pytest.raises(InvalidInputError) as info:
        oral_simulation(10.0, doses=10, hours=20.0)

    assert info.value.field == "hours"
    assert oral_simulation(10.0, doses=10, hours=80.0).to_dict()["metrics_window_h"] == [72.0, 80.0]
    assert oral_simulation(10.0, doses=1, hours=2.0).to_dict()["auc_kind"].startswith("0-infinity")


def test_the_unconfirmed_intrathecal_values_are_settings_a_caller_can_override() -> None:
    """CSF clearance, CSF half-life, ke0 and the cisternal ratio are UNCONFIRMED/CALIBRATED settings."""
    data = intrathecal_simulation(
        600.0,
        bolus_mcg=50.0,
        settings={
            "pk.itb.csf_clearance_ml_per_h": 15.0,
            "pk.itb.csf_half_life_h": 3.0,
            "pk.itb.ke0_per_h": 0.2,
            "pk.itb.cisternal_to_lumbar_ratio": 0.5,
        },
    ).to_dict()

    assert data["csf_steady_state_ug_per_ml"] == pytest.approx(25 / 15)
    assert data["cisternal_steady_state_ug_per_ml"] == pytest.approx(25 / 15 * 0.5)
    assert data["cisternal_to_lumbar_ratio"]["value"] == 0.5
    assert data["parameters"]["ke0_per_h"] == 0.2
    assert data["parameters"]["csf_half_life_h"] == 3.0
    reasoning = data["findings"][0]["reasoning"]
    assert "CL 15 mL/h" in reasoning and "t1/2 3 h" in reasoning and "ke0 0.2 /h" in reasoning
    with pytest.raises(InvalidInputError) as info:
        intrathecal_simulation(600.0, settings={"pk.itb.ke0_per_h": 0.0})
    assert info.value.field == "pk.itb.ke0_per_h"
