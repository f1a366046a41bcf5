"""The CLI maps a field to its option in one place (``entrypoints/cli/errors.py``: a field named like a
parameter maps by itself, the true renames sit in one table): every field an input error names, raised by the
edge builder a command calls, maps to an option (or the document argument) of that very command."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer import _click as click
from typer.main import get_command

from baclofen.adapters.edge import cds, itb, plan, pump, simulate
from baclofen.domain.errors import InvalidInputError, InvalidInputs
from baclofen.entrypoints.cli import errors
from baclofen.entrypoints.cli.app import build_app

CLI = Path(errors.__file__).parent
JUNK = ",,?"

#: CLI command -> the edge builder it calls and the values it needs that are not text.
BUILDERS: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
    "check interactions": (cds.check_interactions_command, {}),
    "check dose": (cds.check_drug_dose_command, {}),
    "check contraindications": (cds.check_contraindications_command, {}),
    "alternatives": (cds.advise_alternatives_command, {}),
    "scale evaluate": (cds.evaluate_scale_command, {"scale": "mas", "baseline": JUNK, "current": JUNK}),
    "risk": (cds.assess_timeline_risk_command, {"timeline": {"as_of": JUNK}}),
    "itb screen": (itb.screen_trial_command, {}),
    "itb titrate": (itb.plan_titration_step_command, {"current_mcg_per_day": 100.0}),
    "itb transition": (itb.plan_transition_command, {"oral_mg_per_day": 30.0, "itb_initial_mcg_per_day": 100.0}),
    "plan titrate": (plan.plan_titration_command, {}),
    "plan taper": (plan.plan_taper_command, {"from_mg_per_day": 30.0}),
    "pump program": (pump.plan_pump_program_command, {"concentration_mcg_per_ml": 500.0}),
    "pump forecast": (pump.forecast_pump_command, {"volume_ml": 20.0, "concentration_mcg_per_ml": 500.0}),
    "pump reconcile": (pump.reconcile_visit_command, {"expected_ml": 2.0, "aspirated_ml": 2.0}),
    "pump concentration-change": (
        pump.plan_concentration_change_command,
        {"daily_dose_mcg": 100.0, "old_mcg_per_ml": 500.0, "new_mcg_per_ml": 1000.0},
    ),
    "simulate oral": (simulate.simulate_oral_command, {"dose_mg": 10.0}),
    "simulate intrathecal": (simulate.simulate_intrathecal_command, {"daily_dose_mcg": 100.0}),
    "simulate regimen": (simulate.simulate_plan_command, {"plan": {"steps": JUNK}}),
}
#: Builder fields a command fills itself (the clock's now; settings from --whole-tablets-only), never from text.
FILLED_BY_THE_CLI = {"itb screen": {"as_of"}, "plan taper": {"settings"}}
#: Annotations of the text a caller types (a name list, settings, overrides, pairs), each given junk.
TEXT = ("str", "Settings", "Pairs", "Pair", "Iterable[str]", "Sequence[str]")


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))
    if not getattr(command, "commands", None):
        yield " ".join(path), command


COMMANDS = dict(_commands(get_command(build_app())))


def _junk_errors(builder: Callable[..., Any], given: dict[str, Any], filled: set[str]) -> list[str]:
    """The fields of the errors ``builder`` raises with junk in every text field but ``filled``."""
    kwargs = dict(given)
    for name, param in inspect.signature(builder).parameters.items():
        skip = name in kwargs or name in filled or name == "clinician"
        if skip or not str(param.annotation).startswith(TEXT):
            continue
        iterable = str(param.annotation).startswith(("Settings", "Iterable", "Pairs"))
        kwargs[name] = [JUNK] if iterable else JUNK
    with pytest.raises(InvalidInputError) as err:
        builder(**kwargs)
    return [e.field for e in (err.value.errors if isinstance(err.value, InvalidInputs) else (err.value,))]


def _names_an_option_of(label: str, command: Any) -> bool:
    first = label.split(" ")[0].split("/")[0]
    return any(first in p.opts or first == p.metavar for p in command.params)


@pytest.mark.parametrize("path", sorted(BUILDERS))
def test_every_field_the_edge_names_maps_to_an_option_of_the_command(path: str) -> None:
    builder, given = BUILDERS[path]
    command = COMMANDS[path]
    fields = _junk_errors(builder, given, FILLED_BY_THE_CLI.get(path, set()))

    with click.Context(command):
        labels = {field: errors.option_label(field) for field in fields}

    assert len(fields) >= 1
    assert {f: label for f, label in labels.items() if not _names_an_option_of(label, command)} == {}


def test_every_renamed_field_names_an_option_some_command_has() -> None:
    options = {o for command in COMMANDS.values() for p in command.params for o in p.opts}

    stale = {f: opts for f, opts in errors.RENAMED_FIELDS.items() if not all(o.split("/")[0] in options for o in opts)}

    assert stale == {}


@pytest.mark.parametrize("path", sorted(p for p in CLI.glob("*.py") if p.name != "errors.py"), ids=lambda p: p.name)
def test_no_command_module_keeps_its_own_field_to_option_map(path: Path) -> None:
    # A dict literal of field -> "--option" strings is the per-command map this replaced.
    maps = [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Dict)
        and len(node.values) >= 2
        and all(isinstance(v, ast.Constant) and str(v.value).startswith("--") for v in node.values)
    ]

    assert maps == []
