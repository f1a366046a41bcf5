"""The intrathecal and pump rules, one module per subject (issue 10 item 5): a rule is found from its id, each module
is a source of the catalogue, and ``baclofen.domain.rules.itb`` still offers every name it offered as one module."""

from __future__ import annotations

import pytest

from baclofen.domain.rules import itb
from baclofen.domain.rules.catalogue import CATALOGUE, SOURCES, RuleArea, get_rule


@pytest.mark.parametrize(
    ("rule_id", "module"),
    [
        ("ITB-SCREEN-001", "screening"),
        ("ITB-INIT-001", "dosing"),
        ("ITB-DOSE-002", "dosing"),
        ("ITB-TITR-001", "titration"),
        ("ITB-TITR-008", "titration"),
        ("ITB-TITR-006", "ceiling"),
        ("ITB-TRANS-004", "ceiling"),
        ("ITB-LIMIT-004", "limits"),
        ("ITB-CONC-004", "concentration"),
        ("ITB-CONC-005", "concentration"),
        ("ITB-TRANS-001", "transition"),
        ("PUMP-PROG-001", "program"),
        ("PUMP-ADMIX-001", "program"),
        ("PUMP-FCST-003", "forecast"),
        ("PUMP-REFILL-003", "forecast"),
        ("PUMP-BATT-003", "forecast"),
        ("PUMP-MRI-001", "forecast"),
        ("PUMP-RECON-001", "reconcile"),
        ("PUMP-RECON-009", "reconcile"),
        ("PUMP-REFILL-004", "refill"),
        ("PUMP-FILL-001", "refill"),
    ],
)
def test_each_rule_is_defined_in_the_module_of_its_subject(rule_id: str, module: str) -> None:
    entry = get_rule(rule_id)

    assert entry.module == f"baclofen.domain.rules.itb.{module}"
    assert entry.rule in getattr(itb, module).DEFINED_RULES


def test_each_module_of_the_package_is_a_source_of_the_catalogue_in_one_area() -> None:
    sources = {s.module: s.area for s in SOURCES if s.module.startswith("baclofen.domain.rules.itb.")}

    assert {m.rsplit(".", 1)[1] for m in sources} == {
        "screening",
        "dosing",
        "titration",
        "ceiling",
        "limits",
        "concentration",
        "transition",
        "program",
        "forecast",
        "reconcile",
        "refill",
    }
    assert set(sources.values()) == {RuleArea.ITB, RuleArea.PUMP}


@pytest.mark.parametrize(
    ("collection", "area"), [(itb.ITB_DEFINED_RULES, RuleArea.ITB), (itb.PUMP_DEFINED_RULES, RuleArea.PUMP)]
)
def test_the_package_s_collections_by_area_hold_every_rule_of_that_area_once(collection, area) -> None:
    assert len(collection) == len(set(collection))
    assert {r.rule_id for r in collection} == {e.rule_id for e in CATALOGUE.values() if e.area is area}
    assert all(CATALOGUE[r.rule_id].rule is r for r in collection)


def test_the_package_re_exports_each_public_name_of_its_modules() -> None:
    for name in itb.__all__:
        assert getattr(itb, name) is not None, name
    for source in SOURCES:
        if source.module.startswith("baclofen.domain.rules.itb."):
            module = getattr(itb, source.module.rsplit(".", 1)[1])
            for name in module.__all__:
                assert name == "DEFINED_RULES" or getattr(itb, name) is getattr(module, name), (source.module, name)
