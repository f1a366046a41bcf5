"""Issue 8, pump part: domain-level tests of the refill / forecast / reconcile defects."""

from __future__ import annotations

from datetime import date

import pytest

from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.itb.refill import observe_delivery, reconcile_refill

SM40 = get_pump("synchromed-ii-40")
PROMETRA40 = get_pump("prometra-ii-40")


def _ids(findings):
    return [f.rule_id for f in findings]


# --- defect 1: delivery judged against what was programmed ---------------------------------------------


def test_issue8_d1_near_full_reservoir_over_delivery_is_beyond_the_flow_accuracy() -> None:
    """Defect 1: 5.7 mL delivered against 2.0 mL programmed, over_delivery false, "within tolerance"."""
    obs = observe_delivery(reconcile_refill(38, 34.3, pump=SM40), 40, date(2026, 11, 14), date(2026, 11, 24), pump=SM40)

    assert obs.over_delivery is True and obs.beyond_accuracy is True
    assert obs.rate_factor == pytest.approx(2.85)
    assert _ids(obs.findings) == ["PUMP-RECON-006"]
    assert obs.findings[0].severity.value == "warn"
    assert obs.to_dict()["settings"][0]["name"] == "pump.synchromed_ii.flow_accuracy_percent"


@pytest.mark.parametrize(
    ("pump", "aspirated", "beyond"),
    [
        # programmed = 40 - 20 = 20 mL; SynchroMed II flow accuracy 14.5 % -> 2.9 mL
        (SM40, 17.1, False),  # +2.9 mL = exactly 14.5 %: not beyond
        (SM40, 17.09, True),  # +2.91 mL
        (SM40, 17.11, False),
        # Prometra II has no flow-accuracy setting: pump.delivery.tolerance_percent, 10 % -> 2 mL
        (PROMETRA40, 18.0, False),  # exactly 10 %
        (PROMETRA40, 17.99, True),
        (PROMETRA40, 18.01, False),
    ],
)
def test_issue8_d1_the_flow_accuracy_boundary_is_exact(pump, aspirated, beyond) -> None:
    rec = reconcile_refill(20, aspirated, pump=pump)
    obs = observe_delivery(rec, 40, date(2026, 1, 1), date(2026, 2, 1), pump=pump)

    assert obs.beyond_accuracy is beyond
    assert ("PUMP-RECON-006" in _ids(obs.findings)) is beyond
    assert obs.rate_factor is not None  # any excess: the next refill is forecast at the observed rate


def test_issue8_d1_the_flow_accuracy_can_be_overridden() -> None:
    rec = reconcile_refill(20, 18.5, pump=SM40)  # +1.5 mL = 7.5 % of 20 mL programmed

    assert not observe_delivery(rec, 40, date(2026, 1, 1), date(2026, 2, 1), pump=SM40).beyond_accuracy
    assert observe_delivery(rec, 40, date(2026, 1, 1), date(2026, 2, 1), pump=SM40, accuracy_percent=5).beyond_accuracy
