"""`baclofen itb ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="itb commands", no_args_is_help=True)
