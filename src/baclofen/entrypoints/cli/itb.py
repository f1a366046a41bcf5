"""`baclofen itb ...` commands: screening trial, initial dose, titration, oral -> intrathecal transition."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from baclofen.adapters.edge.itb import (
    plan_initial_dose_command,
    plan_titration_step_command,
    plan_transition_command,
    screen_trial_command,
)
from baclofen.bootstrap import bootstrap
from baclofen.entrypoints.cli.errors import map_errors
from baclofen.entrypoints.cli.output import emit, render_findings, render_settings
from baclofen.services.itb import plan_initial_dose, plan_titration_step, plan_transition, screen_trial

app = typer.Typer(
    help="Intrathecal baclofen: screening trial, initial dose, titration, transition from oral.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for programs instead of tables.")]
OriginOpt = Annotated[str, typer.Option("--origin", help="Spasticity origin: spinal (includes MS) or cerebral.")]


def render_lines(out: Console, title: str, lines: Iterable[str]) -> None:
    lines = list(lines)
    if lines:
        out.print(f"[bold]{title}[/bold]")
        for line in lines:
            out.print(f"  - {line}")


def num(value: float | None, digits: int = 2) -> str:
    """A number for a table cell (``-`` for None)."""
    if value is None:
        return "-"
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@app.command("screen")
def screen(
    responses: Annotated[
        str,
        typer.Option(
            "--responses",
            help="Responses to the doses given so far, in order: yes/no separated by commas "
            "(e.g. no,no); empty = nothing given yet.",
        ),
    ] = "",
    start_mcg: Annotated[
        float,
        typer.Option("--start-mcg", help="First dose: 50 (label) or 25 (for patients who rely on their spasticity)."),
    ] = 50.0,
    hours_since_last: Annotated[
        float | None,
        typer.Option("--hours-since-last", help="Hours since the last dose (for the earliest next dose)."),
    ] = None,
    effect_hours: Annotated[
        float | None, typer.Option("--effect-hours", help="Duration of effect of the last dose, hours.")
    ] = None,
    negative_reactions: Annotated[
        bool, typer.Option("--negative-reactions", help="Negative reactions occurred during screening.")
    ] = False,
    condition: Annotated[
        list[str] | None,
        typer.Option(
            "--condition",
            help="A patient condition (repeatable): MS exacerbation, non-healing wound or active infection "
            "(UTI) make the test not offerable now.",
        ),
    ] = None,
    ashworth_before: Annotated[
        str | None,
        typer.Option("--ashworth-before", help="Modified Ashworth grade before the last dose: 0, 1, 1+, 2, 3 or 4."),
    ] = None,
    ashworth_after: Annotated[
        str | None,
        typer.Option("--ashworth-after", help="Modified Ashworth grade after the last dose (with --ashworth-before)."),
    ] = None,
    setting: Annotated[
        list[str] | None,
        typer.Option(
            "--setting",
            help="Override a named setting: NAME=VALUE (repeatable), e.g. "
            "cds.scales.itb_screening_ashworth_reduction_points; see the JSON 'settings'.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Screening trial: 50 -> 75 -> 100 mcg, 24 h apart; the next dose (if any) and candidacy."""
    with map_errors():
        command = screen_trial_command(
            responses=responses,
            start_mcg=start_mcg,
            hours_since_last_dose=hours_since_last,
            effect_duration_hours=effect_hours,
            negative_reactions=negative_reactions,
            conditions=condition or [],
            ashworth_before=ashworth_before,
            ashworth_after=ashworth_after,
            settings=setting,
        )
        result = screen_trial(command)
    data = result.to_dict()
    emit(data, as_json, lambda out: _render_screen(out, data))


def _render_screen(out: Console, data: Mapping[str, Any]) -> None:
    out.print(
        f"[bold]ITB screening trial[/bold]  ladder {' -> '.join(num(d) for d in data['ladder_mcg'])} mcg at "
        f"{num(data['concentration_mcg_per_ml'])} mcg/mL"
    )
    table = Table(title="Doses given")
    for col in ("#", "Dose mcg", "mL", "Response"):
        table.add_column(col)
    for i, d in enumerate(data["doses_given"], 1):
        table.add_row(str(i), num(d["dose_mcg"]), num(d["volume_ml"]), "yes" if d["responded"] else "no")
    out.print(table)
    candidate = {
        True: "[green]yes: pump candidate[/green]",
        False: "[bold red]no: not a pump candidate[/bold red]",
        None: "undecided",
    }[data["candidate"]]
    out.print(f"Candidate: {candidate}")
    if data["next_dose_mcg"] is None:
        out.print("Next dose: [bold]none[/bold]")
    else:
        out.print(
            f"Next dose: [bold]{num(data['next_dose_mcg'])} mcg[/bold] ({num(data['next_volume_ml'])} mL) in "
            f"{num(data['earliest_next_hours'], 1)} h at the earliest; observe "
            f"{num(data['observation_hours'][0])}-{num(data['observation_hours'][1])} h"
        )
    render_findings(out, data["findings"])


@app.command("initial-dose")
def initial_dose(
    screening_dose_mcg: Annotated[
        float,
        typer.Option("--screening-dose-mcg", help="The screening dose that gave a positive response, mcg."),
    ],
    response_hours: Annotated[
        float,
        typer.Option("--response-hours", help="How long its effect lasted, hours (more than 8 h: not doubled)."),
    ],
    negative_reactions: Annotated[
        bool,
        typer.Option(
            "--negative-reactions", help="Negative reactions during screening (the dose is then not doubled)."
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Initial infusion dose: 2 x the effective screening dose per 24 h, or 1 x after > 8 h of effect."""
    with map_errors():
        result = plan_initial_dose(
            plan_initial_dose_command(
                screening_dose_mcg=screening_dose_mcg,
                response_hours=response_hours,
                negative_reactions=negative_reactions,
            )
        )
    data = result.to_dict()

    def render(out: Console) -> None:
        out.print(
            f"[bold]Initial infusion dose: {num(data['daily_dose_mcg'])} mcg/day[/bold] "
            f"({num(data['hourly_rate_mcg_per_h'], 3)} mcg/h); no increase for "
            f"{num(data['no_increase_before_hours'])} h"
        )
        render_lines(out, "Reasoning", data["reasoning"])
        render_findings(out, data["findings"])

    emit(data, as_json, render)


@app.command("titrate")
def titrate(
    current_mcg_per_day: Annotated[
        float, typer.Option("--current-mcg-per-day", help="Current intrathecal daily dose, mcg/day.")
    ],
    origin: OriginOpt = "spinal",
    at_refill: Annotated[
        bool,
        typer.Option(
            "--at-refill",
            help="A maintenance adjustment at a refill visit (wider increase, and a decrease range).",
        ),
    ] = False,
    hours_since_start: Annotated[
        float | None,
        typer.Option("--hours-since-start", help="Hours since infusion started (no increase before 24 h)."),
    ] = None,
    proposed_mcg_per_day: Annotated[
        float | None,
        typer.Option("--proposed-mcg-per-day", help="A proposed new daily dose to check, mcg/day."),
    ] = None,
    confirm_high_dose: Annotated[
        bool,
        typer.Option(
            "--confirm-high-dose",
            help="Explicitly confirm a daily dose above 1000 mcg (the sources disagree).",
        ),
    ] = False,
    planned_taper: Annotated[
        bool,
        typer.Option(
            "--planned-taper",
            help="A cut beyond the label decrease step is a planned taper (a warning with taper advice, not a "
            "block; recorded in the JSON).",
        ),
    ] = False,
    hours_since_last_increase: Annotated[
        float | None,
        typer.Option(
            "--hours-since-last-increase", help="Hours since the last increase (at most one increase every 24 h)."
        ),
    ] = None,
    interruption_hours: Annotated[
        float | None,
        typer.Option(
            "--interruption-hours",
            help="Hours intrathecal delivery was interrupted before this re-introduction (restart advice).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Titration range per 24 h (spinal +10-30 %, cerebral +5-15 %) or at a refill visit."""
    with map_errors():
        command = plan_titration_step_command(
            current_mcg_per_day=current_mcg_per_day,
            origin=origin,
            at_refill=at_refill,
            hours_since_start=hours_since_start,
            proposed_mcg_per_day=proposed_mcg_per_day,
            confirm_high_dose=confirm_high_dose,
            planned_taper=planned_taper,
            hours_since_last_increase=hours_since_last_increase,
            interruption_hours=interruption_hours,
        )
        result = plan_titration_step(command)
    data = result.to_dict()

    def render(out: Console) -> None:
        inc = data["increase"]
        out.print(
            f"[bold]{data['origin']} origin, "
            f"{'at a refill visit' if data['at_refill'] else 'per 24 h'}[/bold]: from "
            f"{num(data['current_mcg_per_day'])} mcg/day"
        )
        table = Table(title="Allowed next daily dose")
        for col in ("Change", "%", "mcg/day"):
            table.add_column(col)
        if data.get("hold_for_hours") is not None:
            table.add_row(
                f"[bold]hold[/bold] (no increase for another {num(data['hold_for_hours'], 1)} h)",
                "0",
                num(data["current_mcg_per_day"], 1),
            )
        else:
            table.add_row(
                "increase",
                f"+{num(inc['min_percent'])} to +{num(inc['max_percent'])}",
                f"{num(inc['min_mcg_per_day'], 1)} - {num(inc['max_mcg_per_day'], 1)}",
            )
        if data["decrease"]:
            dec = data["decrease"]
            table.add_row(
                "decrease",
                f"-{num(dec['min_percent'])} to -{num(dec['max_percent'])}",
                f"{num(dec['min_mcg_per_day'], 1)} - {num(dec['max_mcg_per_day'], 1)}",
            )
        out.print(table)
        render_lines(out, "Reasoning", data["reasoning"])
        render_findings(out, data["findings"])

    emit(data, as_json, render)


@app.command("transition")
def transition(
    oral_mg_per_day: Annotated[float, typer.Option("--oral-mg-per-day", help="Current oral baclofen, mg/day.")],
    itb_initial_mcg_per_day: Annotated[
        float, typer.Option("--itb-initial-mcg-per-day", help="Initial intrathecal daily dose, mcg/day.")
    ],
    infusion_start: Annotated[
        str | None,
        typer.Option("--infusion-start", help="Day intrathecal infusion starts, YYYY-MM-DD (default: today)."),
    ] = None,
    origin: OriginOpt = "spinal",
    itb_target_mcg_per_day: Annotated[
        float | None,
        typer.Option("--itb-target-mcg-per-day", help="Expected intrathecal maintenance dose, mcg/day."),
    ] = None,
    max_oral_cut_percent: Annotated[
        float | None,
        typer.Option(
            "--max-oral-cut-percent",
            help="Largest oral cut at one time, % of the oral dose (25-50 %, default 50).",
        ),
    ] = None,
    months_on_therapy: Annotated[
        float | None,
        typer.Option("--months-on-therapy", help="Months on oral baclofen (long high-dose use lengthens the taper)."),
    ] = None,
    product: Annotated[str | None, typer.Option("--product", help="Oral product, e.g. tablet-10mg.")] = None,
    locale: Annotated[str, typer.Option("--locale", help="us or uk.")] = "us",
    other: Annotated[
        list[str] | None,
        typer.Option(
            "--other-antispastic",
            help="Other oral antispastics taken (repeatable or comma-separated), e.g. tizanidine.",
        ),
    ] = None,
    override: Annotated[
        list[str] | None,
        typer.Option("--override", help="Clinician override of a blocking finding: RULE-ID=REASON (repeatable)."),
    ] = None,
    clinician: Annotated[str, typer.Option("--clinician", help="Who gives the overrides (required with them).")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Oral baclofen taper alongside intrathecal titration (at most -50 % at one time, assessed in 24 h)."""
    with map_errors():
        command = plan_transition_command(
            infusion_start=infusion_start if infusion_start is not None else bootstrap().clock.today(),
            oral_mg_per_day=oral_mg_per_day,
            itb_initial_mcg_per_day=itb_initial_mcg_per_day,
            origin=origin,
            locale=locale,
            itb_target_mcg_per_day=itb_target_mcg_per_day,
            max_oral_cut_percent=max_oral_cut_percent,
            months_on_therapy=months_on_therapy,
            product=product,
            other_oral_antispastics=",".join(other) if other else (),  # repeatable and comma-separated
            overrides=override or (),
            clinician=clinician,
        )
        result = plan_transition(command)
    data = result.to_dict()

    def render(out: Console) -> None:
        out.print(
            f"[bold]Oral -> intrathecal transition[/bold] from {data['infusion_start']} ({data['origin']} origin)"
        )
        table = Table(title="Day by day (intrathecal: the largest dose reachable, not a plan)")
        for col in ("Date", "Oral mg/day", "ITB max mcg/day", "ITB max at <= +20 % (high doses)"):
            table.add_column(col)
        for d in data["days"]:
            table.add_row(
                d["date"],
                num(d["oral_mg_per_day"]),
                num(d["itb_max_mcg_per_day"], 1),
                num(d["itb_cautious_max_mcg_per_day"], 1),
            )
        out.print(table)
        render_lines(out, "Reasoning", data["reasoning"])
        render_findings(out, data["findings"])
        render_settings(out, data["settings"])

    emit(data, as_json, render)
