"""`baclofen pump ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="pump commands", no_args_is_help=True)
