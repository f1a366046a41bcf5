"""Invariant 1 (limits) and 2-3 (refill dates, tapers) on generated valid and extreme arguments.

Each (invariant, command) pair is one test: the command's generated arguments (band edges, 0, tiny, huge,
1000x values included) run through the real entry point with ``--json``; the run must end cleanly and the
invariant must hold on the JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.invariants import invariants as inv
from tests.invariants.cli import Run
from tests.invariants.helpers import examples, report, run_clean
from tests.invariants.strategies import valid_args

Invariant = Callable[[Run, dict[str, Any]], list[str]]

#: Which commands each invariant covers (listed in README.md, "Safety invariants").
COVERAGE: list[tuple[Invariant, str]] = [
    (inv.inv_oral_cap, "plan titrate"),
    (inv.inv_oral_cap, "plan taper"),
    (inv.inv_check_dose_limits, "check dose"),
    (inv.inv_check_dose_limits, "check dose itb"),
    (inv.inv_itb_program_limits, "pump program"),
    (inv.inv_itb_program_limits, "pump forecast"),
    (inv.inv_itb_program_limits, "pump refill"),
    (inv.inv_itb_program_limits, "pump concentration-change"),
    (inv.inv_itb_initial_dose, "itb initial-dose"),
    (inv.inv_itb_titrate, "itb titrate"),
    (inv.inv_itb_transition, "itb transition"),
    (inv.inv_tizanidine_cyp1a2, "plan titrate"),
    (inv.inv_tizanidine_cyp1a2, "plan taper"),
    (inv.inv_tizanidine_cyp1a2, "check interactions"),
    (inv.inv_tizanidine_cyp1a2, "alternatives"),
    (inv.inv_adult_only, "plan titrate"),
    (inv.inv_adult_only, "plan taper"),
    (inv.inv_adult_only, "check contraindications"),
    (inv.inv_forecast_dates, "pump forecast"),
    (inv.inv_refill_dates, "pump refill"),
    (inv.inv_reconcile, "pump reconcile"),
    (inv.inv_taper_steps, "plan taper"),
    (inv.inv_taper_steps, "plan taper steps"),
    (inv.inv_taper_steps, "itb transition"),
    (inv.inv_taper_steps, "alternatives"),
    (inv.inv_taper_steps, "demo"),
]


def _params() -> list[Any]:
    out = []
    for invariant, command in COVERAGE:
        out.append(pytest.param(invariant, command, id=f"{invariant.__name__}[{command}]"))
    return out


@pytest.mark.parametrize(("invariant", "command"), _params())
@settings(max_examples=examples(150))
@given(data=st.data())
def test_invariant_holds_on_generated_commands(invariant: Invariant, command: str, data: st.DataObject) -> None:
    args = data.draw(valid_args(command), label="args")
    r = run_clean(*args)
    if r.exit_code != 0:
        return  # refused with one line naming an option: nothing offered
    problems = invariant(r, r.json())
    assert not problems, report(r, problems)
