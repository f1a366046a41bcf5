"""`baclofen demo`: what `make run` shows until the clinic service exists."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the demo command."""
