"""Invariant 6: bad input always exits 2 with exactly one ``error:`` line naming the option; never a
traceback, never exit 0. Plus invariant 0 for every command: a well-formed run ends cleanly.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.invariants.cli import run
from tests.invariants.helpers import examples, report, run_clean, write
from tests.invariants.invariants import inv_bad_input_line
from tests.invariants.strategies import COMMANDS, bad_args, commands_with_bad_values, malformed_json_texts, valid_args


def _files(command: str, plan_file: str, timeline_file: str) -> list[str]:
    return {"risk": [timeline_file], "simulate regimen": [plan_file]}.get(command, [])


def _param(command: str) -> object:
    return pytest.param(command, id=command)


@pytest.mark.parametrize("command", [_param(c) for c in COMMANDS])
@settings(max_examples=examples(40))
@given(data=st.data())
def test_every_command_ends_cleanly_on_generated_arguments(
    command: str, data: st.DataObject, plan_file: str, timeline_file: str
) -> None:
    args = data.draw(valid_args(command), label="args")
    run_clean(*args, *_files(command, plan_file, timeline_file))


@pytest.mark.parametrize("command", [_param(c) for c in commands_with_bad_values()])
@settings(max_examples=examples(60), suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(data=st.data())
def test_a_bad_value_exits_2_with_one_line_naming_the_option(
    command: str, data: st.DataObject, plan_file: str, timeline_file: str
) -> None:
    base, args, option = data.draw(bad_args(command), label="args")
    files = _files(command, plan_file, timeline_file)
    assume(run(*base, *files).exit_code == 0)  # the base is accepted: only ``option`` is wrong
    r = run(*args, *files)
    problems = inv_bad_input_line(r, option)
    assert not problems, report(r, problems)


@pytest.mark.parametrize("command", [_param(c) for c in ("risk", "simulate regimen")])
@settings(max_examples=examples(30))
@given(text=malformed_json_texts())
def test_a_malformed_input_file_exits_2_with_one_line_naming_the_file(command: str, text: str, workdir) -> None:
    path = write(workdir, text)
    r = run(*COMMANDS[command].path, path, "--json")
    problems = inv_bad_input_line(r, None)
    assert not problems, report(r, problems)
