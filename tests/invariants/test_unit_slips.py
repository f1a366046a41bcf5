"""Invariant 4: no mg/mcg confusion passes silently. An ordinary command and the same command with one value
1000x off (mcg typed where mg is meant, or mg where mcg is meant): the slip is refused or warned/blocked.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from tests.invariants.helpers import examples, report, run_clean
from tests.invariants.invariants import alarmed, inv_slip_not_silent
from tests.invariants.strategies import unit_slips


@settings(max_examples=examples(300))
@given(pair=unit_slips())
def test_a_value_1000x_off_never_passes_silently(pair: tuple[list[str], list[str]]) -> None:
    ordinary, slipped = pair
    base = run_clean(*ordinary)
    assert base.exit_code == 0, report(base, ["the ordinary command was refused"])
    r = run_clean(*slipped)
    problems = inv_slip_not_silent(r)
    assert not problems, report(r, problems + [f"ordinary run alarmed: {alarmed(base.json())}"])


@pytest.mark.parametrize(
    "args",
    [
        [
            "pump",
            "program",
            "--pump",
            "synchromed-ii-40",
            "--concentration-mcg-per-ml",
            "500",
            "--daily-dose-mcg",
            "0.4",
        ],
        [
            "pump",
            "program",
            "--pump",
            "synchromed-ii-40",
            "--concentration-mcg-per-ml",
            "0.5",
            "--daily-dose-mcg",
            "400",
        ],
        ["itb", "initial-dose", "--screening-dose-mcg", "0.05", "--response-hours", "4"],
        ["check", "dose", "--drug", "Gablofen", "--mcg-per-day", "0.5"],
    ],
    ids=["program-dose-mg", "program-conc-mg-per-ml", "initial-dose-mg", "check-dose-gablofen-mg"],
)
def test_issue8_defect4_examples(args: list[str]) -> None:
    r = run_clean(*args, "--json")
    problems = inv_slip_not_silent(r)
    assert not problems, report(r, problems)
