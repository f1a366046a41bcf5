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

#: Pairs that fail on the code this suite was written against, with the defect of issue 8 (removed by the
#: lead once the fixes are merged).
_D4 = "issue 8 defect 4: ITB doses/concentrations/rates outside the reported ranges pass silently"
KNOWN: dict[tuple[str, str], str] = {
    ("inv_check_dose_limits", "check dose itb"): _D4 + " (check dose --drug Gablofen --mcg-per-day 0.05)",
    ("inv_itb_program_limits", "pump program"): _D4 + " (pump program --concentration-mcg-per-ml 0.05)",
    ("inv_itb_program_limits", "pump forecast"): _D4 + " (pump forecast --concentration-mcg-per-ml 2)",
    ("inv_itb_program_limits", "pump refill"): _D4 + " (pump refill --daily-dose-mcg 0.05)",
    ("inv_itb_initial_dose", "itb initial-dose"): _D4 + " (itb initial-dose --screening-dose-mcg 0.025/33)",
    ("inv_itb_titrate", "itb titrate"): "issue 8 defects 9, 10, 4: >1000 offerable without --confirm-high-dose, "
                                        "range not clamped at 2003, current 0.05 silent",
    ("inv_itb_transition", "itb transition"): "issue 8 defect 3: ITB max column unclamped (510,899 mcg/day); "
                                              "--itb-initial-mcg-per-day 4848 has no finding",
    ("inv_tizanidine_cyp1a2", "plan titrate"): "issue 8 defect 5: --drugs medicines do not appear in the plan JSON",
    ("inv_tizanidine_cyp1a2", "plan taper"): "issue 8 defect 5: tizanidine + fluvoxamine offerable, drugs not shown",
    ("inv_tizanidine_cyp1a2", "check interactions"): "issue 8 defect 5: tizanidine + ethinylestradiol finds nothing",
    ("inv_tizanidine_cyp1a2", "alternatives"): "issue 8 defect 5: tizanidine recommended with a CYP1A2 inhibitor; "
                                               "defect 15: --from-mg-per-day 2 --switch-to error names 'product'",
    ("inv_adult_only", "plan titrate"): "issue 8 decision: a patient under 18 gets a non-overridable block",
    ("inv_adult_only", "plan taper"): "issue 8 decision: a patient under 18 gets a non-overridable block",
    ("inv_adult_only", "check contraindications"): "issue 8 decision: a patient under 18 gets a block",
    ("inv_forecast_dates", "pump forecast"): "issue 8 defects 8, 6: refill date on/before the fill date; fill after "
                                             "the shut-off only warns",
    ("inv_refill_dates", "pump refill"): "issue 8 defects 8, 1: next refill before the refill (0.05 mcg/mL); "
                                         "over-delivery hidden",
    ("inv_reconcile", "pump reconcile"): "issue 8 defect 11: an empty reservoir at refill is only a warn",
    ("inv_taper_steps", "plan taper steps"): "issue 8 defect 7: 40 -> 20 -> 0 with a raised step limit, info only",
    ("inv_taper_steps", "alternatives"): "issue 8 defect 15: alternatives --switch-to X --from-mg-per-day 0.001 "
                                         "names 'product', not an option",
}


def _params() -> list[Any]:
    out = []
    for invariant, command in COVERAGE:
        reason = KNOWN.get((invariant.__name__, command))
        marks = [pytest.mark.xfail(strict=False, reason=reason)] if reason else []
        out.append(pytest.param(invariant, command, marks=marks, id=f"{invariant.__name__}[{command}]"))
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
