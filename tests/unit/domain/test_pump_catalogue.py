"""Pump catalogue as cited data; every ITB/PUMP rule and setting cites resolving evidence."""

from __future__ import annotations

import pytest

from baclofen.domain.errors import UnknownNameError
from baclofen.domain.evidence import REFERENCES
from baclofen.domain.itb.pumps import PUMPS, get_pump
from baclofen.domain.rules.core import RULES
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


ITB_RULES = sorted(r for r in RULES if r.startswith(("ITB-", "PUMP-")))


def test_the_itb_and_pump_rules_are_registered() -> None:
    assert len(ITB_RULES) >= 30
    assert len(PUMPS) == 4


@pytest.mark.parametrize("rule_id", ITB_RULES)
def test_every_itb_rule_cites_resolving_evidence(rule_id) -> None:
    rule = RULES[rule_id]

    assert rule.title and rule.evidence and all(k in REFERENCES for k in rule.evidence)
