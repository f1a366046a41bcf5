"""The ``baclofen`` command: sub-commands per area, one error mapping, ``--json`` everywhere."""

from __future__ import annotations

import functools
import sys
from typing import Any

import typer

# Typer 0.29 vendors its own click as typer._click; its exceptions are the ones raised here.
from typer import _click as click
from typer.main import get_command

from baclofen.entrypoints.cli.errors import map_errors, report_and_exit


def build_app() -> typer.Typer:
    """Assemble the Typer application (no import-time side effects)."""
    from baclofen.entrypoints.cli import (
        calendar_export,
        cds,
        clinic_settings,
        db,
        demo,
        demo_data,
        fhir,
        guide,
        itb,
        plan,
        pump,
        report,
        rules,
        serve,
        simulate,
        user,
    )

    app = typer.Typer(
        name="baclofen",
        help="Baclofen therapy decision support (oral, intrathecal, exposure). "
        "Decision support for professionals, not medical advice.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    app.add_typer(plan.app, name="plan")
    app.add_typer(simulate.app, name="simulate")
    app.add_typer(itb.app, name="itb")
    app.add_typer(pump.app, name="pump")
    app.add_typer(rules.app, name="rules")
    app.add_typer(db.app, name="db")
    app.add_typer(user.app, name="user")
    app.add_typer(clinic_settings.app, name="clinic-settings")
    app.add_typer(fhir.export_app, name="export")
    app.add_typer(fhir.import_app, name="import")
    app.add_typer(report.app, name="report")
    calendar_export.register(app)
    cds.register(app)
    demo.register(app)
    demo_data.register(app)
    guide.register(app)
    serve.register(app)
    return app


def _map_errors_in_every_command(command: Any) -> None:
    """Run every command's body inside :func:`map_errors`, so that an input error a command does not map
    itself still names the option it came from (found by the field's name among the command's options)."""
    for sub in getattr(command, "commands", {}).values():
        _map_errors_in_every_command(sub)
    callback = getattr(command, "callback", None)
    if callback is None or getattr(callback, "_maps_errors", False):
        return

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        with map_errors():
            return callback(*args, **kwargs)

    # a marker on the wrapper so that a second pass does not wrap it again; mypy does not model attributes
    # set on a function object
    run._maps_errors = True  # type: ignore[attr-defined]
    command.callback = run


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI, mapping errors to one line and an exit code."""
    command = get_command(build_app())
    _map_errors_in_every_command(command)
    try:
        rc = command.main(args=argv if argv is not None else sys.argv[1:], prog_name="baclofen", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        print(exc.ctx.get_help() if exc.ctx is not None else "baclofen --help")
        raise SystemExit(0) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        print("error: aborted", file=sys.stderr)
        raise SystemExit(1) from None
    except Exception as exc:  # noqa: BLE001 - mapped in one place
        report_and_exit(exc)
    raise SystemExit(rc if isinstance(rc, int) else 0)
