"""Simulations as a caller asks for them: the fields' text read by the edge (``adapters/edge/simulate.py``) into
the typed command, then the use case (``services/simulation.py``); the population's runner and progress go to
the use case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from baclofen.adapters.edge.simulate import simulate_intrathecal_command, simulate_oral_command, simulate_plan_command
from baclofen.domain.oral.plan import Plan
from baclofen.services.simulation import (
    PopulationRunner,
    ProgressCallback,
    SimulationResult,
    simulate_intrathecal,
    simulate_oral,
    simulate_plan,
)


def oral_simulation(
    dose_mg: float,
    *,
    runner: PopulationRunner | None = None,
    progress: ProgressCallback | None = None,
    **fields: Any,
) -> SimulationResult:
    return simulate_oral(simulate_oral_command(dose_mg=dose_mg, **fields), runner=runner, progress=progress)


def intrathecal_simulation(daily_dose_mcg: float, **fields: Any) -> SimulationResult:
    return simulate_intrathecal(simulate_intrathecal_command(daily_dose_mcg=daily_dose_mcg, **fields))


def plan_simulation(
    plan: Plan | Mapping[str, Any],
    *,
    runner: PopulationRunner | None = None,
    progress: ProgressCallback | None = None,
    **fields: Any,
) -> SimulationResult:
    return simulate_plan(simulate_plan_command(plan=plan, **fields), runner=runner, progress=progress)
