"""`baclofen clinic-settings list|set|reset|history`: a clinic's settings profile in the clinic database (the same
profile as ``/api/v1/clinic/settings``), for whoever runs the service (as ``baclofen user create``).

The CLI's own calculators read no clinic profile: they take their ``--setting NAME=VALUE`` options, so a command
line gives the same result whoever runs it. A change made here is recorded as by ``cli`` (the history keeps it
with its reason, like one made through the API by an admin)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console

from baclofen.entrypoints.cli.db import DatabaseUrlOpt, JsonOpt
from baclofen.entrypoints.cli.errors import map_errors
from baclofen.entrypoints.cli.output import emit

app = typer.Typer(help="A clinic's own values of the named settings (in the clinic database).", no_args_is_help=True)

#: Who a change made here is recorded as.
CLI_ACTOR = "cli"

ClinicOpt = Annotated[str, typer.Option("--clinic", help="The clinic's id.")]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why the value changes (kept in the history).")]


def _services(database_url: str | None) -> Any:
    from baclofen.adapters.sql import DEFAULT_DATABASE_URL
    from baclofen.bootstrap import bootstrap

    return bootstrap(database_url=database_url or DEFAULT_DATABASE_URL)


def _change(clinic: str, name: str, value: Any, reason: str, database_url: str | None, as_json: bool) -> None:
    from baclofen.adapters.edge.clinic_settings import change_clinic_setting_command

    services = _services(database_url)
    with map_errors():
        command = change_clinic_setting_command(
            clinic_id=clinic, name=name, value=value, by=CLI_ACTOR, at=services.clock.now(), reason=reason
        )
        change = services.change_clinic_setting(command)
    data = {**change.to_dict(), "settings": []}  # no clinical setting is used here

    def render(out: Console) -> None:
        after = "the default" if change.is_reset else repr(change.new_value)
        before = "the default" if change.old_value is None else repr(change.old_value)
        out.print(f"{clinic}: {name} {before} -> {after} ({reason})", highlight=False, soft_wrap=True)

    emit(data, as_json, render)


@app.command("list")
def list_command(clinic: ClinicOpt, database_url: DatabaseUrlOpt = None, as_json: JsonOpt = False) -> None:
    """Every named setting with the clinic's own value where it has one."""
    services = _services(database_url)
    with map_errors():
        entries = services.read_clinic_settings(clinic)
    data = {"clinic_id": clinic, "items": [e.to_dict() for e in entries], "settings": []}

    def render(out: Console) -> None:
        for e in entries:
            mark = f"clinic {e.clinic_value!r}" if e.clinic_value is not None else "default"
            out.print(f"{e.setting.name} = {e.value!r} {e.setting.unit} ({mark})", highlight=False, soft_wrap=True)

    emit(data, as_json, render)


@app.command("set")
def set_command(
    setting: Annotated[str, typer.Argument(help="NAME=VALUE, e.g. pump.refill_margin_days=10.")],
    clinic: ClinicOpt,
    reason: ReasonOpt,
    database_url: DatabaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set the clinic's own value of a setting (within its bounds)."""
    from baclofen.adapters.edge.settings import read_settings

    with map_errors():
        ((name, value),) = read_settings([setting]).items()
    _change(clinic, name, value, reason, database_url, as_json)


@app.command("reset")
def reset_command(
    name: Annotated[str, typer.Argument(help="The setting's name.")],
    clinic: ClinicOpt,
    reason: ReasonOpt,
    database_url: DatabaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Put a setting back to its default (a change too)."""
    _change(clinic, name, None, reason, database_url, as_json)


@app.command("history")
def history_command(
    clinic: ClinicOpt,
    name: Annotated[str | None, typer.Option("--name", help="Only the changes of this setting.")] = None,
    database_url: DatabaseUrlOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The clinic's changes of its settings, oldest first."""
    services = _services(database_url)
    with map_errors():
        changes = services.clinic_settings_history(clinic, name)
    data = {"clinic_id": clinic, "items": [c.to_dict() for c in changes], "settings": []}

    def render(out: Console) -> None:
        for c in changes:
            after = "default" if c.is_reset else repr(c.new_value)
            before = "default" if c.old_value is None else repr(c.old_value)
            line = f"{c.at.isoformat()} {c.by}: {c.name} {before} -> {after} ({c.reason})"
            out.print(line, highlight=False, soft_wrap=True)

    emit(data, as_json, render)
