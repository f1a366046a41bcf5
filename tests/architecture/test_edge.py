"""One input edge: services and the domain name no CLI option in their errors, and the use cases' typed commands
take no text where they mean a date, a date-time, a clock time or a flex program."""

from __future__ import annotations

import ast
import dataclasses
import re
import typing
from pathlib import Path

import pytest

from baclofen.services import commands

SRC = Path(__file__).resolve().parents[2] / "src" / "baclofen"
CLI_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
ERRORS = {"InvalidInputError", "UnknownNameError", "UnitMismatchError"}


def _error_texts(path: Path) -> list[str]:
    """The string constants inside every ``raise SomeInputError(...)`` of a module."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in ERRORS:
                out += [c.value for c in ast.walk(node.exc) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
    return out


@pytest.mark.parametrize(
    "path",
    sorted([*(SRC / "services").rglob("*.py"), *(SRC / "domain").rglob("*.py"), *(SRC / "adapters").rglob("*.py")]),
    ids=lambda p: str(p.relative_to(SRC)),
)
def test_input_errors_below_the_cli_name_no_cli_option(path: Path) -> None:
    # The field is named as the caller knows it ("filled"); the CLI maps it to "--filled" in one place.
    assert [t for t in _error_texts(path) if CLI_OPTION.search(t)] == []


DATE_LIKE = re.compile(r"(date|_at$|^as_of$|^filled$|^refilled$|^previous_filled$|^implanted$|^infusion_start$)")
COMMANDS = [c for c in vars(commands).values() if isinstance(c, type) and dataclasses.is_dataclass(c)]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.__name__)
def test_commands_take_no_text_for_dates_times_or_programs(command: type) -> None:
    hints = typing.get_type_hints(command)
    textual = [
        name
        for name, hint in hints.items()
        if (DATE_LIKE.search(name) or name in TYPED_FIELDS) and str in typing.get_args(hint) + (hint,)
    ]

    assert textual == []


#: Fields a caller types as text that a command holds as domain values: programs, clock times, yes/no answers,
#: (a, b) pairs, the oral model, the plan a document describes.
TYPED_FIELDS = (
    "flex",
    "dose_times",
    "change_minute",
    "previous",
    "responses",
    "hd_sessions",
    "crcl_range",
    "model",
    "plan",
    "scale",
    "context",
    "baseline",
    "current",
    "timeline",
)


def _use_cases() -> dict[type, typing.Callable[..., typing.Any]]:
    from baclofen.services import cds, simulation

    return {
        commands.SimulateOral: simulation.simulate_oral,
        commands.SimulateIntrathecal: simulation.simulate_intrathecal,
        commands.SimulatePlan: simulation.simulate_plan,
        commands.CheckInteractions: cds.check_interactions,
        commands.EvaluateScale: cds.evaluate_scale,
        commands.AssessTimelineRisk: cds.assess_timeline_risk,
    }


@pytest.mark.parametrize("command", list(_use_cases()), ids=lambda c: c.__name__)
def test_the_use_cases_take_their_command(command: type) -> None:
    # Each use case takes its command (and only infrastructure besides: a population's runner and progress, the
    # clinic's settings provider).
    hints = typing.get_type_hints(_use_cases()[command])

    assert command in COMMANDS
    assert hints["command"] is command
    assert set(hints) - {"command", "return"} <= {"runner", "progress", "clinic"}


def test_every_command_is_frozen() -> None:
    assert COMMANDS and all(c.__dataclass_params__.frozen for c in COMMANDS)  # type: ignore[attr-defined]


def test_one_reader_of_dates_written_as_text() -> None:
    """Issue 10: six date parsers disagreed. Dates and date-times in text (CLI options, API bodies, plan, timeline
    and regimen documents) are read by ``domain.dates.read_iso_date``/``read_iso_datetime`` only: no other module of
    src calls ``fromisoformat`` or ``strptime``."""
    import ast
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "baclofen"
    offenders = []
    for path in sorted(src.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"fromisoformat", "strptime"}:
                offenders.append(f"{path.relative_to(src)}:{node.lineno}")
    assert offenders and all(o.startswith("domain/dates.py:") for o in offenders), offenders
