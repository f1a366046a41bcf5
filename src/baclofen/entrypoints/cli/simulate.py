"""`baclofen simulate ...` commands: oral, intrathecal and a plan's regimen as exposure (PK simulation)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from baclofen.adapters.edge.simulate import (
    simulate_intrathecal_command,
    simulate_oral_command,
    simulate_plan_command,
)
from baclofen.entrypoints.cli.errors import fail, map_errors
from baclofen.entrypoints.cli.files import read_json_file
from baclofen.entrypoints.cli.output import emit, render_findings
from baclofen.services.commands import SimulateOral, SimulatePlan
from baclofen.services.simulation import (
    PopulationRunner,
    SimulationResult,
    simulate_intrathecal,
    simulate_oral,
    simulate_plan,
)

app = typer.Typer(
    help="Simulate exposure (PK model): oral doses, intrathecal infusion and boluses, a plan's "
    "regimen. Decision support for professionals, not medical advice.",
    no_args_is_help=True,
)

PROGRESS_MIN_SUBJECTS = 20_000
"""Population runs of at least this many subjects show a progress bar on their own (on stderr when it is a
terminal, not with --json); ``--progress`` shows one for any population, ``--no-progress`` never."""

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for programs instead of tables.")]
CrclOpt = Annotated[
    float | None, typer.Option("--crcl-ml-min", help="Creatinine clearance (Cockcroft-Gault), mL/min, 0-250.")
]
DialysisOpt = Annotated[bool, typer.Option("--dialysis", help="Haemodialysis patient (anuric between sessions).")]
SessionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--hd-session",
        help="A haemodialysis session START_H:DURATION_H in hours after the start (repeatable).",
    ),
]
ModelOpt = Annotated[str, typer.Option("--model", help="Oral model: default (Simon 2018) or kochak (variant B).")]
ConditionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--condition",
        help="A patient condition, e.g. 'CKD stage 4' (repeatable); renal ones need a kidney function.",
    ),
]
SettingOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--setting",
        help="Override a PK setting NAME=VALUE, e.g. pk.renal.nonrenal_fraction=0.3 (repeatable).",
    ),
]
PopulationOpt = Annotated[int | None, typer.Option("--population", help="Also simulate N virtual subjects.")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Seed of the virtual population (default 0).")]
CrclRangeOpt = Annotated[
    str | None,
    typer.Option("--crcl-range", help="Population CrCl uniform between LOW:HIGH mL/min (a covariate distribution)."),
]
DaskOpt = Annotated[bool, typer.Option("--dask", help="Run the population on a local Dask cluster.")]
SchedulerOpt = Annotated[
    str | None,
    typer.Option("--scheduler", help="Run the population on this Dask scheduler address (tcp://host:8786)."),
]
WorkersOpt = Annotated[int, typer.Option("--workers", help="Workers of the local Dask cluster.")]
ProgressOpt = Annotated[
    bool | None,
    typer.Option(
        "--progress/--no-progress",
        help="Show the population's progress on stderr (default: for large populations, on a terminal, "
        "not with --json); a bar on a terminal, a line per chunk of subjects elsewhere.",
    ),
]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Write a concentration-time plot (.svg or .png).")]
StepOpt = Annotated[float | None, typer.Option("--step-h", help="Time step of the output grid (h).")]


def _runner(dask: bool, scheduler: str | None, workers: int) -> PopulationRunner | None:
    if workers < 1:
        fail("--workers", "a whole number >= 1", workers)
    if not dask and scheduler is None:
        return None
    from baclofen.adapters.distributed import DaskRunner, check_scheduler_address

    with map_errors():
        address = None if scheduler is None else check_scheduler_address(scheduler)
    return DaskRunner(address=address, n_workers=workers)


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _plain_progress(done: int, total: int) -> None:
    """One line per chunk of subjects (stderr that is not a terminal: a log, a pipe)."""
    print(f"virtual population: {done}/{total} subjects ({100 * done / max(total, 1):.0f}%)", file=sys.stderr)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """The population's progress callback (``progress(done, total)``, the one Dask and the in-process runner
    report to, as population jobs do): a bar on a terminal's stderr, plain lines elsewhere; None when off."""
    if not enabled:
        yield None
        return
    if not _stderr_is_terminal():
        yield _plain_progress
        return
    with Progress(
        TextColumn("[bold]virtual population[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True, force_terminal=True),  # checked above: stderr is a terminal
        transient=True,
    ) as bar:
        task = bar.add_task("subjects", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _run_population(
    simulate: Callable[..., SimulationResult],
    command: SimulateOral | SimulatePlan,
    runner: PopulationRunner | None,
    as_json: bool,
    show_progress: bool | None = None,
) -> SimulationResult:
    """Run ``simulate(command)`` on ``runner`` with its progress on stderr: as ``show_progress`` says, else
    (None) for large populations on a terminal and not with --json."""
    population = command.population
    if population is None:
        show = False
    elif show_progress is None:
        show = population >= PROGRESS_MIN_SUBJECTS and not as_json and _stderr_is_terminal()
    else:
        show = show_progress
    with _progress(show) as progress:
        return simulate(command, runner=runner, progress=progress)


def _check_plot(path: Path | None) -> None:
    """Refuse a bad --plot target before simulating (not after a long population run)."""
    if path is None:
        return
    from baclofen.adapters.plots import check_plot_path

    with map_errors():
        check_plot_path(path)


def _plot(path: Path | None, data: Mapping[str, Any]) -> None:
    if path is None:
        return
    from baclofen.adapters.plots import plot_simulation

    with map_errors():
        try:
            plot_simulation(data, path)
        except OSError as exc:
            fail("--plot", "a writable file", f"{path} ({exc.strerror})")


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def render_oral(out: Console, data: Mapping[str, Any], title: str) -> None:
    """Draw an oral or regimen simulation (its ``to_dict()``) for a person."""
    kidney = data["kidney"]
    out.print(f"[bold]{title}[/bold]  model {data['model']}  ·  kidney: {kidney['description']}")
    table = Table(title="Typical subject (plasma)", show_lines=False)
    table.add_column("Metric")
    table.add_column("Value", justify="right")
    window = data["metrics_window_h"]
    rows = [
        ("Cmax (ng/mL)", _num(data["cmax_ng_per_ml"])),
        ("Tmax (h)", _num(data["tmax_h"], 2)),
        (f"Cmin over {window[0]:g}-{window[1]:g} h (ng/mL)", _num(data["cmin_ng_per_ml"])),
        ("Cavg (ng/mL)", _num(data["cavg_ng_per_ml"])),
        (f"AUC {data['auc_kind']} (ng.h/mL)", _num(data["auc_ng_h_per_ml"], 0)),
        ("Half-life (h)", _num(data["half_life_h"], 2)),
        ("Exposure vs normal kidney function", f"{kidney['auc_ratio_vs_reference_kidney']:.2f}x"),
        ("Highest concentration (ng/mL)", _num(data["max_concentration_ng_per_ml"])),
    ]
    if kidney.get("half_life_during_dialysis_h"):
        rows.append(("Half-life during dialysis (h)", _num(kidney["half_life_during_dialysis_h"], 2)))
    ss = data.get("steady_state")
    if ss:
        rows += [
            (
                "Steady state Cmax / Cmin / Cavg (ng/mL)",
                f"{ss['cmax_ng_per_ml']:.0f} / {ss['cmin_ng_per_ml']:.0f} / {ss['cavg_ng_per_ml']:.0f}",
            ),
            ("Time to 90% of steady state (h)", _num(ss["time_to_90_percent_h"])),
        ]
    for row in rows:
        table.add_row(*row)
    out.print(table)
    bands = Table(title="Time in plasma bands (heuristics, not a validated PD model)")
    bands.add_column("Band")
    bands.add_column("ng/mL", justify="right")
    bands.add_column("Time fraction", justify="right")
    bands.add_column("First reached (h)", justify="right")
    for b in data["bands"]["definitions"]:
        upper = "" if b["upper_ng_per_ml"] is None else f"{b['upper_ng_per_ml']:g}"
        first = data["bands"]["first_time_h"][b["name"]]
        bands.add_row(
            b["label"],
            f"{b['lower_ng_per_ml']:g}-{upper}",
            f"{100 * data['bands']['time_fraction'][b['name']]:.1f}%",
            _num(first),
        )
    out.print(bands)
    if data.get("daily"):
        days = Table(title="By day")
        for col in ("Day", "Cmax", "Cmin", "Cavg (ng/mL)"):
            days.add_column(col, justify="right")
        for d in data["daily"]:
            days.add_row(str(d["day"]), _num(d["cmax_ng_per_ml"]), _num(d["cmin_ng_per_ml"]), _num(d["cavg_ng_per_ml"]))
        out.print(days)
    _render_population(out, data.get("population"))
    render_findings(out, data["findings"])


def _render_population(out: Console, pop: Mapping[str, Any] | None) -> None:
    if not pop:
        return
    table = Table(title=f"Virtual population: {pop['n_subjects']} subjects, seed {pop['seed']}")
    table.add_column("Per subject")
    keys = list(pop["metrics"]["cmax"])
    for k in keys:
        table.add_column(k, justify="right")
    for name in ("cmax", "cmin", "cavg"):
        table.add_row(f"{name} (ng/mL)", *(_num(pop["metrics"][name][k]) for k in keys))
    out.print(table)


def render_intrathecal(out: Console, data: Mapping[str, Any]) -> None:
    """Draw an intrathecal simulation for a person."""
    out.print(
        f"[bold]Intrathecal baclofen[/bold]  {data['daily_dose_mcg']:g} mcg/day"
        + (f" + {data['bolus_mcg']:g} mcg bolus" if data["bolus_mcg"] else "")
    )
    table = Table(title="Typical subject")
    table.add_column("Metric")
    table.add_column("Value", justify="right")
    table.add_row("Lumbar CSF steady state (ug/mL)", _num(data["csf_steady_state_ug_per_ml"], 3))
    table.add_row(
        "Cisternal CSF steady state (ug/mL, UNCONFIRMED ratio)",
        _num(data["cisternal_steady_state_ug_per_ml"], 3),
    )
    table.add_row("Plasma steady state (ng/mL)", _num(data["plasma_steady_state_ng_per_ml"], 2))
    table.add_row("Lumbar CSF peak (ug/mL)", _num(data["csf_peak_ug_per_ml"], 3))
    if data.get("effect_peak_h") is not None:
        table.add_row("Effect peak after the bolus (h)", _num(data["effect_peak_h"], 2))
    if data.get("effect_half_max_duration_h") is not None:
        table.add_row("Effect above half its peak for (h)", _num(data["effect_half_max_duration_h"], 1))
    out.print(table)
    render_findings(out, data["findings"])


@app.command("oral")
def oral(
    dose_mg: Annotated[float, typer.Option("--dose-mg", help="Oral dose (mg).")],
    interval_h: Annotated[float, typer.Option("--interval-h", help="Dosing interval (h).")] = 8.0,
    doses: Annotated[int, typer.Option("--doses", help="Number of doses.")] = 1,
    crcl_ml_min: CrclOpt = None,
    dialysis: DialysisOpt = False,
    hd_session: SessionOpt = None,
    model: ModelOpt = "default",
    hours: Annotated[float | None, typer.Option("--hours", help="Simulated time (h).")] = None,
    step_h: StepOpt = None,
    condition: ConditionOpt = None,
    setting: SettingOpt = None,
    population: PopulationOpt = None,
    seed: SeedOpt = None,
    crcl_range: CrclRangeOpt = None,
    dask: DaskOpt = False,
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = 2,
    progress: ProgressOpt = None,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Plasma exposure to oral baclofen (typical subject, optional virtual population)."""
    if dialysis and crcl_ml_min is not None:
        fail("--dialysis", "either --dialysis or --crcl-ml-min, not both", "both")
    _check_plot(plot)
    with map_errors():
        command = simulate_oral_command(
            dose_mg=dose_mg,
            interval_h=interval_h,
            doses=doses,
            crcl_ml_min=crcl_ml_min,
            dialysis=dialysis,
            hd_sessions=hd_session,
            model=model,
            hours=hours,
            step_h=step_h,
            conditions=condition,
            settings=setting,
            population=population,
            seed=seed,
            crcl_range=crcl_range,
        )
        runner = _runner(dask, scheduler, workers)
        result = _run_population(simulate_oral, command, runner, as_json, progress)
    data = result.to_dict()
    _plot(plot, data)
    emit(data, as_json, lambda out: render_oral(out, data, "Oral baclofen"))


@app.command("intrathecal")
def intrathecal(
    daily_dose_mcg: Annotated[float, typer.Option("--daily-dose-mcg", help="Continuous infusion (mcg/day).")],
    bolus_mcg: Annotated[float, typer.Option("--bolus-mcg", help="Lumbar bolus at time 0 (mcg).")] = 0.0,
    hours: Annotated[float, typer.Option("--hours", help="Simulated time (h).")] = 24.0,
    step_h: StepOpt = None,
    from_empty: Annotated[
        bool,
        typer.Option("--from-empty", help="Start with no drug in the CSF (new infusion) instead of at steady state."),
    ] = False,
    crcl_ml_min: CrclOpt = None,
    dialysis: DialysisOpt = False,
    setting: SettingOpt = None,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Lumbar CSF, effect-site and plasma levels on intrathecal baclofen (typical subject)."""
    if dialysis and crcl_ml_min is not None:
        fail("--dialysis", "either --dialysis or --crcl-ml-min, not both", "both")
    _check_plot(plot)
    with map_errors():
        command = simulate_intrathecal_command(
            daily_dose_mcg=daily_dose_mcg,
            bolus_mcg=bolus_mcg,
            hours=hours,
            step_h=step_h,
            from_steady_state=not from_empty,
            crcl_ml_min=crcl_ml_min,
            dialysis=dialysis,
            settings=setting,
        )
        result = simulate_intrathecal(command)
    data = result.to_dict()
    _plot(plot, data)
    emit(data, as_json, lambda out: render_intrathecal(out, data))


def _regimen_title(request: Mapping[str, Any]) -> str:
    title = f"Plan regimen {request['plan_start']} to {request['plan_end']}"
    if request.get("last_step_continues") and request.get("washout_h"):
        title += f" (last step continues: {request['washout_h']:g} h after the plan end simulated)"
    elif request.get("washout_h"):
        title += f" (then {request['washout_h']:g} h without doses)"
    return title


@app.command("regimen")
def regimen(
    plan: Annotated[Path, typer.Argument(metavar="FILE", help="Plan JSON from `baclofen plan titrate/taper --json`.")],
    crcl_ml_min: CrclOpt = None,
    dialysis: DialysisOpt = False,
    hd_session: SessionOpt = None,
    model: ModelOpt = "default",
    washout_h: Annotated[
        float,
        typer.Option(
            "--washout-h",
            help="Hours simulated after the plan ends (a last step that continues keeps its doses).",
        ),
    ] = 24.0,
    step_h: StepOpt = None,
    condition: ConditionOpt = None,
    setting: SettingOpt = None,
    population: PopulationOpt = None,
    seed: SeedOpt = None,
    crcl_range: CrclRangeOpt = None,
    dask: DaskOpt = False,
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = 2,
    progress: ProgressOpt = None,
    plot: PlotOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Exposure over a titration or taper plan: each step's doses every day from its start to its end."""
    if dialysis and crcl_ml_min is not None:
        fail("--dialysis", "either --dialysis or --crcl-ml-min, not both", "both")
    _check_plot(plot)
    document = read_json_file(plan, "FILE", "plan JSON file")
    with map_errors():  # an error inside the plan names its path in FILE (FILE steps[0].start)
        command = simulate_plan_command(
            plan=document,
            crcl_ml_min=crcl_ml_min,
            dialysis=dialysis,
            hd_sessions=hd_session,
            model=model,
            washout_h=washout_h,
            step_h=step_h,
            conditions=condition,
            settings=setting,
            population=population,
            seed=seed,
            crcl_range=crcl_range,
        )
        runner = _runner(dask, scheduler, workers)
        result = _run_population(simulate_plan, command, runner, as_json, progress)
    data = result.to_dict()
    _plot(plot, data)
    emit(
        data,
        as_json,
        lambda out: render_oral(out, data, _regimen_title(data["request"])),
    )
