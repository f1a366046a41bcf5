"""Pump catalogue as cited data; every ITB/PUMP rule and setting cites resolving evidence."""

from __future__ import annotations

import pytest

from baclofen.domain.errors import UnknownNameError
from baclofen.domain.evidence import REFERENCES
from baclofen.domain.itb.pumps import PUMPS, get_pump
from baclofen.domain.rules.catalogue import RULES, RuleArea, rules_in_area
from baclofen.domain.settings import SETTINGS, EvidenceStatus


@pytest.mark.parametrize(
    ("name", "key", "reservoir", "low", "steps"),
    [
        ("synchromed-ii-20", "synchromed-ii-20", 20.0, 2.0, 13),
        ("SynchroMed II 40 mL", "synchromed-ii-40", 40.0, 2.0, 13),
        ("8637-20", "synchromed-ii-20", 20.0, 2.0, 13),
        ("prometra-ii-20", "prometra-ii-20", 20.0, 3.0, None),
        ("16827", "prometra-ii-40", 40.0, 3.0, None),
    ],
)
def test_the_catalogue_holds_the_cited_models(name, key, reservoir, low, steps) -> None:
    pump = get_pump(name)

    assert (pump.key, pump.reservoir_ml, pump.low_reservoir_ml, pump.max_rate_steps_per_day) == (
        key,
        reservoir,
        low,
        steps,
    )
    assert pump.all_evidence and all(k in REFERENCES for k in pump.all_evidence)


@pytest.mark.parametrize("name", ["synchromed-iii", "", "medtronic", 20])
def test_an_unknown_pump_lists_the_choices(name) -> None:
    with pytest.raises(UnknownNameError) as err:
        get_pump(name)
    assert err.value.field == "pump"
    assert "synchromed-ii-20" in err.value.expected


def test_unconfirmed_and_disagreeing_pump_values_are_named_settings() -> None:
    sm = get_pump("synchromed-ii-20")

    assert sm.residual_volume.status is EvidenceStatus.UNCONFIRMED
    assert sm.planning_service_life.status is EvidenceStatus.DISAGREE
    assert sm.low_reservoir.status is EvidenceStatus.PARTLY_VERIFIED
    assert SETTINGS["pump.max_refill_interval_days"].default == 180
    assert sm.flow_accuracy is not None and sm.flow_accuracy.status is EvidenceStatus.UNCONFIRMED


def test_catalogue_to_dict_lists_its_settings() -> None:
    data = get_pump("prometra-ii-40").to_dict()

    assert data["concentration_range_mcg_per_ml"] == [500.0, 2000.0]
    assert {s["name"] for s in data["settings"]} >= {"pump.prometra_ii.refill_threshold_ml"}


ITB_RULES = sorted(e.rule_id for area in (RuleArea.ITB, RuleArea.PUMP) for e in rules_in_area(area))


def test_the_itb_and_pump_rules_are_catalogued() -> None:
    assert len(ITB_RULES) >= 30
    assert all(r.startswith(("ITB-", "PUMP-")) for r in ITB_RULES)
    assert len(PUMPS) == 4


@pytest.mark.parametrize("rule_id", ITB_RULES)
def test_every_itb_rule_cites_resolving_evidence(rule_id) -> None:
    rule = RULES[rule_id]

    assert rule.title and rule.evidence and all(k in REFERENCES for k in rule.evidence)


def _all_itb_findings():
    from datetime import date, datetime, timedelta

    from baclofen.domain.itb.concentration import plan_concentration_change
    from baclofen.domain.itb.dosing import compute_initial_daily_dose, titration_range
    from baclofen.domain.itb.programs import continuous_program, parse_flex_schedule, plan_pump_program
    from baclofen.domain.itb.refill import assess_discrepancy_trend, plan_refill_volume, reconcile_refill
    from baclofen.domain.itb.reservoir import ReservoirFill, forecast_reservoir
    from baclofen.domain.itb.screening import ScreeningDose, assess_screening, responses_to_doses
    from baclofen.domain.itb.transition import plan_oral_to_itb_transition

    results = [
        assess_screening(responses_to_doses(r, s), start_mcg=s)
        for s in (50, 25)
        for r in ([], [False], [False, False, False], [True])
    ]
    results += [
        compute_initial_daily_dose(75, 6),
        compute_initial_daily_dose(33, 6),  # ITB-LIMIT-004 (issue 8)
        titration_range(0.4, "spinal"),  # ITB-LIMIT-001
        plan_pump_program("synchromed-ii-40", 0.5, continuous_program(400)),  # ITB-LIMIT-002/003
        titration_range(1800, "spinal", at_refill=True, proposed_mcg_per_day=2100),
    ]
    results += [titration_range(100, "cerebral", hours_since_start=2, proposed_mcg_per_day=200)]
    results += [plan_pump_program("prometra-ii-20", 250, parse_flex_schedule("06:00=20,22:00=10"))]
    results += [plan_pump_program("synchromed-ii-20", 500, continuous_program(300), other_drugs_in_pump="morphine")]
    fill = ReservoirFill(get_pump("synchromed-ii-20"), 20, 500, continuous_program(100), date(2026, 1, 1))
    results += [forecast_reservoir(fill, implanted=date(2021, 2, 1), as_of=date(2026, 8, 1), margin_days=90)]
    # PUMP-FCST-003: a 3 mL fill at 1.2 mL/day reaches the 2 mL alarm on the fill day itself (the 90-day margin
    # above is only the PUMP-FCST-005 warn: the day after the fill is still before the alarm)
    tiny = ReservoirFill(get_pump("synchromed-ii-20"), 3, 500, continuous_program(600), date(2026, 1, 1))
    results += [forecast_reservoir(tiny)]
    results += [reconcile_refill(4.9, 3.1), reconcile_refill(3, 5), reconcile_refill(5, 5)]
    results += [reconcile_refill(4.9, 0), reconcile_refill(5, 25, pump=get_pump("synchromed-ii-20"))]
    results += [assess_discrepancy_trend([reconcile_refill(5, a) for a in (4.8, 4.7, 4.75)])]
    results += [plan_refill_volume(get_pump("synchromed-ii-20"), 1, 500, target_interval_days=60)]
    results += [plan_concentration_change("prometra-ii-20", 900, 500, 2000)]
    results += [
        plan_oral_to_itb_transition(
            infusion_start=date(2026, 5, 4),
            oral_mg_per_day=60,
            itb_initial_mcg_per_day=100,
            origin="spinal",
            other_oral_antispastics=["tizanidine"],
        ),
        plan_oral_to_itb_transition(
            infusion_start=date(2026, 5, 4),
            oral_mg_per_day=60,
            itb_initial_mcg_per_day=100,
            origin="spinal",
            max_oral_cut_percent=25,
        ),
    ]
    t0 = datetime(2026, 3, 2, 9)
    results += [
        assess_screening(
            [
                ScreeningDose(50, False, given_at=t0, ashworth_before=3, ashworth_after=1),
                ScreeningDose(75, False, given_at=t0 + timedelta(hours=20)),
            ]
        ),
        titration_range(400, "spinal"),
        titration_range(500, "spinal", at_refill=True, proposed_mcg_per_day=350),
        titration_range(
            300, "spinal", hours_since_start=200, hours_since_last_increase=10, interruption_hours=12
        ),  # ITB-TITR-007, ITB-TITR-008
        assess_discrepancy_trend([reconcile_refill(5, a) for a in (5.2, 5.3, 5.1)]),
    ]
    big = ReservoirFill(get_pump("synchromed-ii-40"), 40, 2000, continuous_program(100), date(2026, 1, 1))
    results += [forecast_reservoir(big, implanted=date(2021, 2, 1))]
    results += [forecast_reservoir(fill, as_of=day) for day in (date(2026, 3, 28), date(2026, 4, 5))]
    from baclofen.domain.itb.refill import assess_next_refill, observe_delivery

    slow = ReservoirFill(get_pump("synchromed-ii-20"), 20, 500, continuous_program(150), date(2026, 1, 1))
    results += [forecast_reservoir(slow)]  # PUMP-FCST-004: the +14.5 % alarm comes before the refill date
    prometra = ReservoirFill(get_pump("prometra-ii-20"), 20, 500, continuous_program(150), date(2026, 1, 1))
    results += [forecast_reservoir(prometra, mri_date=date(2026, 1, 10))]  # PUMP-MRI-001 (issue 9)
    short = reconcile_refill(4.9, 3.1)
    observed = observe_delivery(short, 20, date(2025, 12, 4), date(2026, 1, 1))
    shortened = forecast_reservoir(slow, observed_rate_factor=observed.rate_factor)
    findings = [f for r in results for f in r.findings]
    findings += assess_next_refill(short, observed, shortened)  # PUMP-REFILL-004
    findings += assess_next_refill(short, None, forecast_reservoir(slow))  # PUMP-REFILL-005
    findings += assess_next_refill(short, observed, shortened, target_interval_days=52)  # PUMP-REFILL-006
    near_full = observe_delivery(reconcile_refill(38, 34.3), 40, date(2025, 12, 22), date(2026, 1, 1))
    findings += near_full.findings  # PUMP-RECON-006: 5.7 mL delivered against 2 mL programmed
    stalled = observe_delivery(reconcile_refill(38, 39.9), 40, date(2025, 12, 22), date(2026, 1, 1))
    findings += stalled.findings  # PUMP-RECON-009: 0.1 mL delivered against 2 mL programmed
    return findings


def test_every_finding_names_its_rule_severity_message_reasoning_and_evidence() -> None:
    findings = _all_itb_findings()

    assert {f.rule_id for f in findings} >= set(ITB_RULES)  # every ITB/PUMP rule fires at least once
    for f in findings:
        d = f.to_dict()
        assert d["rule_id"] in RULES
        assert d["severity"] in {"block", "warn", "info"}
        assert d["message"] and d["reasoning"]
        assert d["evidence"] and len(d["evidence"]) == len(d["evidence_keys"])
