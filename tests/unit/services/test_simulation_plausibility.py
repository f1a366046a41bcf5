"""Issue 8, round 2 (invariant suite): "`simulate intrathecal --daily-dose-mcg 0.05 --json` (and any simulate
intrathecal dose/bolus outside the plausible ITB range) passes silently", and `simulate oral` with a dose 1000x
off (0.02 mg) passes silently. The simulation runs the ITB plausibility checks of ``itb.limits`` (the ones
``check dose`` and ``pump program`` use) and names a likely mg/mcg slip of an oral dose.
"""

from __future__ import annotations

from typing import Any

import pytest

from baclofen.domain.itb.limits import LOWEST_DAILY_DOSE_MCG, SCREENING_DOSES_MCG
from baclofen.domain.oral.limits import LOWEST_PLAUSIBLE_SINGLE_DOSE_MG, ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG
from tests.simulations import intrathecal_simulation, oral_simulation

LOWEST_ITB = float(LOWEST_DAILY_DOSE_MCG.default)
LOWEST_ORAL = float(LOWEST_PLAUSIBLE_SINGLE_DOSE_MG.default)


def _found(result: Any) -> dict[str, dict[str, Any]]:
    return {f["rule_id"]: f for f in result.to_dict()["findings"]}


# --- intrathecal ---------------------------------------------------------------------------------------------------
def test_issue8_r2_simulate_itb_0_05_mcg_per_day_is_a_named_mg_mcg_slip() -> None:
    """ "`simulate intrathecal --daily-dose-mcg 0.05 --json` ... passes silently" """
    found = _found(intrathecal_simulation(0.05))

    f = found["ITB-LIMIT-001"]
    assert f["severity"] == "block" and f["data"]["likely_unit_confusion"] is True
    assert f["data"]["likely_intended"] == pytest.approx(50)
    assert "PK-ITB-001" in found  # the model's own caveat stays


@pytest.mark.parametrize(
    ("daily", "rules"),
    [
        (LOWEST_ITB - 0.01, {"ITB-LIMIT-001"}),
        (LOWEST_ITB, set()),
        (600, set()),
        (1000, set()),
        (1000.1, {"ITB-DOSE-001"}),
        (2003, {"ITB-DOSE-001"}),
        (2003.1, {"ITB-DOSE-001", "ITB-DOSE-002"}),
        (15000, {"ITB-DOSE-001", "ITB-DOSE-002", "ITB-LIMIT-001"}),  # 15 mg/day typed in mcg: a slip too
    ],
)
def test_issue8_r2_simulate_itb_daily_dose_limits_both_sides(daily: float, rules: set[str]) -> None:
    found = _found(intrathecal_simulation(daily))

    assert {r for r in found if r.startswith("ITB-")} == rules
    if "ITB-DOSE-002" in rules:
        assert found["ITB-DOSE-002"]["severity"] == "block"


@pytest.mark.parametrize(
    ("bolus", "flag", "severity"),
    [
        (0.05, True, "block"),
        (SCREENING_DOSES_MCG[0] - 0.1, True, "warn"),
        (SCREENING_DOSES_MCG[0], False, None),
        (60, False, None),
        (SCREENING_DOSES_MCG[-1], False, None),
        (SCREENING_DOSES_MCG[-1] + 0.1, True, "warn"),
        (5000, True, "warn"),
    ],
)
def test_issue8_r2_simulate_itb_bolus_outside_the_plausible_range(bolus: float, flag: bool, severity: str) -> None:
    found = _found(intrathecal_simulation(600, bolus_mcg=bolus))

    assert ("ITB-LIMIT-004" in found) is flag
    if flag:
        assert found["ITB-LIMIT-004"]["severity"] == severity
        assert found["ITB-LIMIT-004"]["message"].startswith("Bolus")


def test_issue8_r2_simulate_itb_bolus_only_does_not_check_a_zero_daily_dose() -> None:
    found = _found(intrathecal_simulation(0, bolus_mcg=50))

    assert not [r for r in found if r.startswith("ITB-")]


# --- oral ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dose", "slip", "intended"),
    [
        (0.02, True, 20.0),
        (0.005, True, 5.0),
        (LOWEST_ORAL / 1000, True, LOWEST_ORAL),
        (LOWEST_ORAL / 1000 - 0.0001, False, None),
        (0.5, False, None),
        (LOWEST_ORAL, False, None),
        (10, False, None),
        (ORAL_DAILY_DOSE_PLAUSIBLE_MAX_MG, False, None),
        (999, False, None),
        (1000, True, 1.0),
        (5000, True, 5.0),
    ],
)
def test_issue8_r2_simulate_oral_dose_1000x_off_names_the_slip(dose: float, slip: bool, intended: float) -> None:
    """ "`simulate oral` with a dose that is 1000x off (e.g. --dose-mg 20000, or 0.02) should get a warn naming a
    likely mg/mcg slip" """
    found = _found(oral_simulation(dose))

    assert ("PK-DOSE-001" in found) is slip
    if slip:
        f = found["PK-DOSE-001"]
        assert f["severity"] == "warn" and "mg/mcg" in f["message"]
        assert f["data"]["likely_intended_mg"] == pytest.approx(intended)
        assert f["data"]["dose_mg"] == dose
