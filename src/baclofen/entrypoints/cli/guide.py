"""`baclofen guide`: the patient guide, generated from the knowledge base (Markdown, or JSON with --json)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from baclofen.adapters.edge.guide import show_patient_guide_command
from baclofen.adapters.guide_markdown import render_guide_markdown
from baclofen.entrypoints.cli.errors import map_errors
from baclofen.entrypoints.cli.output import emit
from baclofen.services.guide import show_patient_guide


def register(app: typer.Typer) -> None:
    """Add the guide command."""

    @app.command("guide")
    def guide(
        locale: Annotated[str, typer.Option("--locale", help="us (oral max 80 mg/day) or uk (100 mg/day).")] = "us",
        setting: Annotated[
            list[str] | None,
            typer.Option(
                "--setting", help="Override a named setting: NAME=VALUE (repeatable); see the JSON 'settings'."
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON for programs instead of Markdown.")] = False,
    ) -> None:
        """The patient guide: what baclofen is, oral and pump side by side, side effects, never stopping suddenly,
        interactions, driving and alcohol, alternatives and common questions, each statement with its sources."""
        with map_errors():
            result = show_patient_guide(show_patient_guide_command(locale=locale, settings=setting or []))
        markdown = render_guide_markdown(result)

        def render(out: Console) -> None:
            out.print(markdown, markup=False, highlight=False, soft_wrap=True)

        emit(result.to_dict(), as_json, render)
