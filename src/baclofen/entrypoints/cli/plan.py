"""`baclofen plan ...` commands: oral titration and taper schedules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from baclofen.adapters.edge.plan import plan_taper_command, plan_titration_command
from baclofen.adapters.event_table import local_zone, write_event_table
from baclofen.bootstrap import bootstrap
from baclofen.domain.oral.plan import Plan
from baclofen.entrypoints.cli.errors import fail, map_errors
from baclofen.entrypoints.cli.output import emit, render_findings, render_settings
from baclofen.services.planning import plan_oral_taper, plan_oral_titration

app = typer.Typer(help="Oral baclofen plans: titration and taper schedules.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for programs instead of tables.")]
StartDateOpt = Annotated[str | None, typer.Option("--start-date", help="Day 1, YYYY-MM-DD (default: today).")]
DosesOpt = Annotated[int, typer.Option("--doses-per-day", help="Doses a day.")]
DoseTimesOpt = Annotated[str | None, typer.Option("--dose-times", help="Clock times, e.g. 08:00,14:00,20:00.")]
LocaleOpt = Annotated[str, typer.Option("--locale", help="us (max 80 mg/day) or uk (max 100 mg/day).")]
CrclOpt = Annotated[float | None, typer.Option("--crcl-ml-min", help="Creatinine clearance, mL/min.")]
EgfrOpt = Annotated[float | None, typer.Option("--egfr", help="eGFR, mL/min/1.73 m2 (used as CrCl).")]
DialysisOpt = Annotated[bool, typer.Option("--dialysis", help="Patient is dialysis-dependent.")]
ProductOpt = Annotated[str | None, typer.Option("--product", help="Product name, e.g. tablet-10mg, ozobax, lyvispah.")]
AgeOpt = Annotated[float | None, typer.Option("--age", help="Age in years.")]
OriginOpt = Annotated[str, typer.Option("--origin", help="Spasticity origin: spinal (includes MS) or cerebral.")]
ConditionOpt = Annotated[
    list[str] | None,
    typer.Option("--condition", help="A condition to check, e.g. pregnancy, epilepsy (repeatable)."),
]
OverrideOpt = Annotated[
    list[str] | None,
    typer.Option("--override", help="Clinician override of a blocking finding: RULE-ID=REASON (repeatable)."),
]
ClinicianOpt = Annotated[str, typer.Option("--clinician", help="Who gives the overrides (required with them).")]
EventTableOpt = Annotated[
    Path | None,
    typer.Option("--event-table", help="Also write the doses as a NONMEM-like CSV event table (times in UTC)."),
]
DrugsOpt = Annotated[
    str | None,
    typer.Option("--drugs", help="The patient's other medicines, comma-separated (screened against baclofen)."),
]
WholeOpt = Annotated[bool, typer.Option("--whole-tablets-only", help="Tablets are not scored: no half tablets.")]
IntervalOpt = Annotated[int | None, typer.Option("--step-interval-days", help="Days between steps.")]


def _patient(
    locale: str,
    crcl: float | None,
    egfr: float | None,
    dialysis: bool,
    age: float | None,
    origin: str,
    conditions: list[str] | None,
) -> dict[str, Any]:
    """The patient's fields as typed, for the edge to read (one kidney measure at most)."""
    if dialysis and crcl is not None:
        fail("--dialysis", "either --dialysis or --crcl-ml-min, not both", "both")
    if dialysis and egfr is not None:
        fail("--dialysis", "either --dialysis or --egfr, not both", "both")
    if crcl is not None and egfr is not None:
        fail("--egfr", "either --egfr or --crcl-ml-min, not both", "both")
    return {
        "locale": locale,
        "origin": origin,
        "age_years": age,
        "crcl_ml_min": crcl,
        "egfr_ml_min_1_73m2": egfr,
        "dialysis": dialysis,
        "conditions": conditions,
    }


def _start(value: str | None) -> str | date:
    # Today on the clinic's clock (the composition root's); the domain and services never read a clock.
    return value if value is not None else bootstrap().clock.today()


def _settings(whole_tablets_only: bool, setting: list[str] | None = None) -> list[str]:
    return [*(setting or ()), *(["products.tablets_scored=false"] if whole_tablets_only else [])]


@app.command("titrate")
def titrate(
    start_date: StartDateOpt = None,
    target_mg_per_day: Annotated[
        float | None,
        typer.Option(
            "--target-mg-per-day",
            help="Where titration stops, mg/day (default 60, the end of the label schedule).",
        ),
    ] = None,
    doses_per_day: DosesOpt = 3,
    locale: LocaleOpt = "us",
    crcl_ml_min: CrclOpt = None,
    egfr: EgfrOpt = None,
    dialysis: DialysisOpt = False,
    product: ProductOpt = None,
    age: AgeOpt = None,
    origin: OriginOpt = "spinal",
    condition: ConditionOpt = None,
    start_dose_mg: Annotated[float, typer.Option("--start-dose-mg", help="First dose, mg per dose.")] = 5.0,
    step_mg: Annotated[float, typer.Option("--step-mg", help="Increase per dose at each step, mg.")] = 5.0,
    step_interval_days: IntervalOpt = None,
    dose_times: DoseTimesOpt = None,
    override: OverrideOpt = None,
    clinician: ClinicianOpt = "",
    whole_tablets_only: WholeOpt = False,
    drugs: DrugsOpt = None,
    event_table: EventTableOpt = None,
    setting: Annotated[
        list[str] | None,
        typer.Option(
            "--setting",
            help="Override a named setting: NAME=VALUE (repeatable), e.g. patient.elderly_age_years or "
            "oral.max_daily_dose_mg.in_hospital.us; see the JSON 'settings'.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan an oral titration: label schedule by default, capped and reduced for kidney function."""
    with map_errors():
        patient = _patient(locale, crcl_ml_min, egfr, dialysis, age, origin, condition)
        command = plan_titration_command(
            start_date=_start(start_date),
            patient=patient,
            target_mg_per_day=target_mg_per_day,
            doses_per_day=doses_per_day,
            product=product,
            start_dose_mg=start_dose_mg,
            step_dose_mg=step_mg,
            step_interval_days=step_interval_days,
            dose_times=dose_times,
            overrides=override or (),
            clinician=clinician,
            settings=_settings(whole_tablets_only, setting),
            current_drugs=drugs,
        )
        plan = plan_oral_titration(command)
    _write_event_table(plan, event_table)
    data = plan.to_dict()
    emit(data, as_json, lambda out: render_plan(out, data))


@app.command("taper")
def taper(
    from_mg_per_day: Annotated[float, typer.Option("--from-mg-per-day", help="Current daily dose, mg/day.")],
    to_mg_per_day: Annotated[
        float, typer.Option("--to-mg-per-day", help="Target daily dose, mg/day (0 = stop).")
    ] = 0.0,
    start_date: StartDateOpt = None,
    months_on_therapy: Annotated[
        float | None,
        typer.Option("--months-on-therapy", help="Months on baclofen (long high-dose use lengthens the taper)."),
    ] = None,
    max_step_mg: Annotated[
        float | None,
        typer.Option("--max-step-mg", help="Largest reduction per step, mg/day (default: setting, 10)."),
    ] = None,
    step_interval_days: IntervalOpt = None,
    min_days: Annotated[
        int | None,
        typer.Option(
            "--min-days", help="Minimum days to zero (shorter than 14 needs an override of TAPER-ABRUPT-001)."
        ),
    ] = None,
    doses_per_day: DosesOpt = 3,
    product: ProductOpt = None,
    locale: LocaleOpt = "us",
    crcl_ml_min: CrclOpt = None,
    egfr: EgfrOpt = None,
    dialysis: DialysisOpt = False,
    age: AgeOpt = None,
    origin: OriginOpt = "spinal",
    condition: ConditionOpt = None,
    dose_times: DoseTimesOpt = None,
    override: OverrideOpt = None,
    clinician: ClinicianOpt = "",
    whole_tablets_only: WholeOpt = False,
    drugs: DrugsOpt = None,
    event_table: EventTableOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan a gradual oral taper: never abrupt, at least 14 days to zero by default."""
    with map_errors():
        patient = _patient(locale, crcl_ml_min, egfr, dialysis, age, origin, condition)
        command = plan_taper_command(
            from_mg_per_day=from_mg_per_day,
            to_mg_per_day=to_mg_per_day,
            start_date=_start(start_date),
            patient=patient,
            product=product,
            doses_per_day=doses_per_day,
            months_on_therapy=months_on_therapy,
            max_step_mg=max_step_mg,
            step_interval_days=step_interval_days,
            min_days_to_zero=min_days,
            dose_times=dose_times,
            overrides=override or (),
            clinician=clinician,
            settings=_settings(whole_tablets_only),
            current_drugs=drugs,
        )
        plan = plan_oral_taper(command)
    _write_event_table(plan, event_table)
    data = plan.to_dict()
    emit(data, as_json, lambda out: render_plan(out, data))


def _write_event_table(plan: Plan, path: Path | None) -> None:
    if path is None:
        return
    if not path.name or path.is_dir():
        fail("--event-table", "a file path (not a folder)", str(path))
    try:
        write_event_table(plan.to_regimen(local_zone()), path)  # clock times in the patient's zone
    except OSError as exc:
        fail("--event-table", "a writable file path", f"{path} ({exc.strerror})")


def render_plan(out: Console, plan: Mapping[str, Any], title: str | None = None) -> None:
    """Draw a plan (its ``to_dict()``) for a person: status, schedule, notes, settings, findings."""
    kind = plan["kind"]
    params = plan.get("parameters", {})
    product = plan["product"]
    heading = title or f"Oral {kind} plan"
    out.print(f"[bold]{heading}[/bold]  {plan['start']} to {plan['end']}  ·  {product['display']}")
    out.print(_patient_line(plan))
    absolute = [f["rule_id"] for f in plan["findings"] if f["severity"] == "block" and not f["overridable"]]
    if plan["offerable"]:
        out.print("[green]Offerable: no blocking finding stands.[/green]")
    elif absolute:
        out.print(
            "[bold red]NOT OFFERABLE: an absolute block that cannot be overridden stands "
            f"({', '.join(absolute)}).[/bold red]"
        )
    else:
        out.print(
            "[bold red]NOT OFFERABLE: a blocking finding needs a clinician's override with a reason "
            "(--override RULE-ID=REASON --clinician NAME) or changed options.[/bold red]"
        )
    if kind == "taper":
        target = params.get("to_mg_per_day", 0)
        out.print(
            f"From {params.get('from_mg_per_day'):g} mg/day to "
            f"{'stop' if not target else f'{target:g} mg/day'}; largest step "
            f"{params.get('largest_step_mg'):g} mg/day; {params.get('days_to_target')} days to the target."
        )

    table = Table(title="Schedule", show_lines=True)
    table.add_column("Dates", no_wrap=True)
    table.add_column("Days", justify="right")
    table.add_column("mg/day", justify="right")
    table.add_column("Time", no_wrap=True)
    table.add_column("mg", justify="right")
    table.add_column("Give")
    for step in plan["steps"]:
        dates = f"{step['start']} to {step['end']}" if step["start"] != step["end"] else step["start"]
        if step.get("continues"):
            dates += "\nthen continue" if step["doses"] else "\nand after"
        doses = step["doses"]
        times = "\n".join(d["time"] for d in doses) or "-"
        amounts = "\n".join(f"{d['dose_mg']:g}" for d in doses) or "0"
        give = "\n".join(d["dispense"] for d in doses) or (step.get("note") or "no doses")
        table.add_row(dates, str(step["days"]), f"{step['daily_dose_mg']:g}", times, amounts, give)
    out.print(table)
    for note in plan.get("notes", []):
        out.print(f"[dim]Note: {note}[/dim]")

    if plan.get("overrides"):
        for o in plan["overrides"]:
            who = f" by {o['clinician']}" if o.get("clinician") else ""
            out.print(f"[magenta]Override {o['rule_id']}{who}: {o['reason']}[/magenta]")
    render_findings(out, plan["findings"])
    render_settings(out, plan.get("settings", []))


def _patient_line(plan: Mapping[str, Any]) -> str:
    patient = plan.get("patient", {})
    kidney = plan.get("parameters", {}).get("kidney") or patient.get("kidney", {})
    parts = [f"locale {patient.get('locale', 'us').upper()}", f"origin {patient.get('origin', 'spinal')}"]
    if patient.get("age_years") is not None:
        parts.append(f"age {patient['age_years']:g}")
    if kidney.get("dialysis"):
        parts.append("dialysis")
    elif kidney.get("crcl_ml_min") is not None:
        band = f", {kidney['band']} band x {kidney['factor']:.3g}" if kidney.get("band") else ""
        parts.append(f"CrCl {kidney['crcl_ml_min']:g} mL/min ({kidney.get('source')}{band})")
    else:
        parts.append("kidney function not given")
    if patient.get("conditions"):
        parts.append("conditions: " + ", ".join(patient["conditions"]))
    return "Patient: " + "; ".join(parts)
