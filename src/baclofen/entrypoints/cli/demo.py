"""`baclofen demo`: what `make run` shows until the clinic service exists.

Two plans from the user journeys (docs in ../shared/product/journeys.md): starting oral baclofen for
a 46-year-old with MS and an eGFR of 55 (label schedule reduced for kidney function, target 60 mg/day),
and stopping 60 mg/day after two years (a lengthened taper with the withdrawal signs).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console

from baclofen.adapters.edge.plan import plan_taper_command, plan_titration_command
from baclofen.bootstrap import bootstrap
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.settings import settings_to_dicts
from baclofen.entrypoints.cli.errors import map_errors
from baclofen.entrypoints.cli.output import emit
from baclofen.entrypoints.cli.plan import render_plan
from baclofen.services.planning import plan_oral_taper, plan_oral_titration


def register(app: typer.Typer) -> None:
    """Add the demo command."""

    @app.command("demo")
    def demo(
        start_date: Annotated[
            str | None, typer.Option("--start-date", help="Day 1 of both plans, YYYY-MM-DD (default: today).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON for programs instead of tables.")] = False,
    ) -> None:
        """Show a demo titration plan and a demo taper plan."""
        start: str | date = start_date if start_date is not None else bootstrap().clock.today()
        with map_errors():
            titration = plan_oral_titration(
                plan_titration_command(
                    start_date=start,
                    patient=PatientSnapshot(age_years=46, egfr_ml_min_1_73m2=55),
                    target_mg_per_day=60,
                    current_drugs=("sertraline", "oxycodone"),
                )
            )
            taper = plan_oral_taper(plan_taper_command(from_mg_per_day=60, months_on_therapy=24, start_date=start))
        data: dict[str, Any] = {
            "titration": {
                "scenario": "Start oral baclofen: 46 years, MS, eGFR 55, on sertraline and oxycodone, target 60 mg/day",
                **titration.to_dict(),
            },
            "taper": {"scenario": "Stop 60 mg/day after two years on therapy", **taper.to_dict()},
            "settings": settings_to_dicts(titration.settings + taper.settings),
        }

        def render(out: Console) -> None:
            out.print("[bold]baclofen demo[/bold]: two plans from the user journeys.\n")
            render_plan(out, data["titration"], title="1. Start oral baclofen (46 years, MS, eGFR 55, target 60)")
            out.print()
            render_plan(out, data["taper"], title="2. Stop 60 mg/day after two years")

        emit(data, as_json, render)
