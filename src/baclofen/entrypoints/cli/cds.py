"""Clinical decision support commands: check, alternatives, scale, risk."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the decision-support commands to the main app."""
