"""Clinical decision support commands: check (interactions, dose, contraindications), alternatives, scale, risk."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from baclofen.adapters.edge.cds import (
    advise_alternatives_command,
    assess_timeline_risk_command,
    check_contraindications_command,
    check_drug_dose_command,
    check_interactions_command,
    evaluate_scale_command,
)
from baclofen.bootstrap import bootstrap
from baclofen.entrypoints.cli.errors import fail, map_errors
from baclofen.entrypoints.cli.files import read_json_file
from baclofen.entrypoints.cli.output import SEVERITY_STYLE, emit, render_findings
from baclofen.services.cds import (
    advise_on_alternatives,
    assess_timeline_risk,
    check_drug_contraindications,
    check_drug_dose,
    check_interactions,
    evaluate_scale,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for programs instead of tables.")]
SettingOpt = Annotated[
    list[str] | None,
    typer.Option("--setting", help="Override a named setting: NAME=VALUE (repeatable); see the JSON 'settings'."),
]
LocaleOpt = Annotated[str, typer.Option("--locale", help="us (baclofen max 80 mg/day) or uk (100 mg/day).")]
CrclOpt = Annotated[float | None, typer.Option("--crcl-ml-min", help="Creatinine clearance, mL/min.")]
DialysisOpt = Annotated[bool, typer.Option("--dialysis", help="Patient is dialysis-dependent.")]
AgeOpt = Annotated[float | None, typer.Option("--age", help="Age in years.")]
SexOpt = Annotated[str | None, typer.Option("--sex", help="female or male.")]
ConditionOpt = Annotated[
    list[str] | None,
    typer.Option("--condition", help="A condition, e.g. epilepsy, pregnancy, active liver disease (repeatable)."),
]


def _style(sev: str) -> str:
    return SEVERITY_STYLE.get(sev, "")


# --- check -------------------------------------------------------------------------------------------------------
check_app = typer.Typer(help="Safety checks: drug interactions, dose limits, contraindications.", no_args_is_help=True)


@check_app.command("interactions")
def interactions(
    drugs: Annotated[str, typer.Option("--drugs", help="Drug names, comma-separated (generic or brand, any case).")],
    other_drug_in_pump: Annotated[
        list[str] | None,
        typer.Option(
            "--other-drug-in-pump",
            help="A drug mixed with intrathecal baclofen in the pump or catheter (repeatable, one name each): no "
            "admixture, a block (PUMP-ADMIX-001).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Screen a medication list for interactions (clinical.md §6-§8); unknown names are reported, not ignored."""
    with map_errors():
        screen = check_interactions(check_interactions_command(drugs=drugs, other_drugs_in_pump=other_drug_in_pump))
    data = screen.to_dict()

    def render(out: Console) -> None:
        found = ", ".join(f"{d['query']} -> {d['key']}" for d in data["drugs"]) or "none"
        out.print(f"[bold]Recognised:[/bold] {escape(found)}")
        for u in data["unknown"]:
            hint = f" (did you mean: {', '.join(u['suggestions'])}?)" if u["suggestions"] else ""
            out.print(f"[bold red]NOT CHECKED:[/bold red] {escape(u['message'] + hint)}")
        for d in data["duplicates"]:
            out.print(f"[yellow]Same drug listed more than once:[/yellow] {escape(', '.join(d))}")
        render_findings(out, data["findings"], "Interactions")
        out.print(f"[dim]{data['scope']}[/dim]")

    emit(data, as_json, render)


@check_app.command("dose")
def dose(
    drug: Annotated[str, typer.Option("--drug", help="Drug name, e.g. baclofen, tizanidine, Gablofen (intrathecal).")],
    mg_per_day: Annotated[float | None, typer.Option("--mg-per-day", help="Daily dose, mg/day (oral drugs).")] = None,
    mcg_per_day: Annotated[
        float | None, typer.Option("--mcg-per-day", help="Daily dose, mcg/day (intrathecal baclofen only).")
    ] = None,
    sprays_per_day: Annotated[
        float | None, typer.Option("--sprays-per-day", help="Sprays a day (nabiximols only).")
    ] = None,
    single_dose_mg: Annotated[
        float | None, typer.Option("--single-dose-mg", help="Largest single dose, mg (tizanidine, dantrolene).")
    ] = None,
    doses_per_day: Annotated[int | None, typer.Option("--doses-per-day", help="Doses a day.")] = None,
    locale: LocaleOpt = "us",
    crcl_ml_min: CrclOpt = None,
    dialysis: DialysisOpt = False,
    origin: Annotated[str | None, typer.Option("--origin", help="spinal or cerebral (ITB usual range).")] = None,
    setting: SettingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a daily dose against the drug's cited maximum and kidney limits."""
    with map_errors():
        command = check_drug_dose_command(
            drug=drug,
            mg_per_day=mg_per_day,
            mcg_per_day=mcg_per_day,
            sprays_per_day=sprays_per_day,
            single_dose_mg=single_dose_mg,
            doses_per_day=doses_per_day,
            locale=locale,
            crcl_ml_min=crcl_ml_min,
            dialysis=dialysis,
            origin=origin,
            settings=setting,
        )
        result = check_drug_dose(command)
    data = result.to_dict()

    def render(out: Console) -> None:
        out.print(
            f"[bold]{data['generic_name']}[/bold] {data['daily_dose']:g} {data['unit']} ({data['locale'].upper()})"
        )
        if data["limits"]:
            table = Table(title="Limits that apply", expand=True)
            for col in ("Limit", "Value", "Severity if exceeded", "Status", "Evidence"):
                table.add_column(col)
            for lim in data["limits"]:
                table.add_row(
                    lim["kind"],
                    f"{lim['value']:g} {lim['unit']}",
                    lim["severity"],
                    lim["status"] + (f" ({lim['setting']})" if lim["setting"] else ""),
                    ", ".join(lim["evidence_keys"]),
                )
            out.print(table)
        if data["note"]:
            out.print(f"[bold yellow]{data['note']}[/bold yellow]")
        render_findings(out, data["findings"], "Dose findings")

    emit(data, as_json, render)


@check_app.command("contraindications")
def contraindications(
    drug: Annotated[str, typer.Option("--drug", help="Drug name.")],
    condition: ConditionOpt = None,
    age: AgeOpt = None,
    sex: SexOpt = None,
    crcl_ml_min: CrclOpt = None,
    dialysis: DialysisOpt = False,
    route: Annotated[str | None, typer.Option("--route", help="Intended route (intrathecal baclofen).")] = None,
    implant_depth_cm: Annotated[
        float | None, typer.Option("--implant-depth-cm", help="Planned pump implant depth, cm (intrathecal baclofen).")
    ] = None,
    days_since_tbi: Annotated[
        float | None,
        typer.Option("--days-since-tbi", help="Days since a traumatic brain injury (intrathecal baclofen)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check one drug against the patient's conditions, age, sex, kidney function and route."""
    with map_errors():
        command = check_contraindications_command(
            drug=drug,
            conditions=condition or [],
            age_years=age,
            sex=sex,
            crcl_ml_min=crcl_ml_min,
            dialysis=dialysis,
            route=route,
            implant_depth_cm=implant_depth_cm,
            days_since_tbi=days_since_tbi,
        )
        result = check_drug_contraindications(command)
    data = result.to_dict()

    def render(out: Console) -> None:
        for u in data["unknown_conditions"]:
            out.print(f"[bold red]NOT CHECKED:[/bold red] {escape(u['message'])}")
        render_findings(out, data["findings"], f"Contraindications and warnings: {data['drug']}")

    emit(data, as_json, render)


# --- alternatives ----------------------------------------------------------------------------------------------
def alternatives(
    failed: Annotated[bool, typer.Option("--failed", help="Oral baclofen was not effective.")] = False,
    not_tolerated: Annotated[bool, typer.Option("--not-tolerated", help="Oral baclofen was not tolerated.")] = False,
    current: Annotated[bool, typer.Option("--current", help="Oral baclofen is the current, effective drug.")] = False,
    focal: Annotated[bool, typer.Option("--focal", help="Focal (not generalised) spasticity.")] = False,
    severe: Annotated[bool, typer.Option("--severe", help="Severe spasticity (ITB applies).")] = False,
    liver_disease: Annotated[bool, typer.Option("--liver-disease", help="Liver disease (treated as active).")] = False,
    crcl_ml_min: CrclOpt = None,
    dialysis: DialysisOpt = False,
    drugs: Annotated[str | None, typer.Option("--drugs", help="Current medicines, comma-separated.")] = None,
    condition: ConditionOpt = None,
    sex: SexOpt = None,
    age: AgeOpt = None,
    locale: LocaleOpt = "us",
    guideline: Annotated[
        str | None,
        typer.Option("--guideline", help="nice (default), european-consensus, ms-ireland or nhs-scotland-abi."),
    ] = None,
    switch_to: Annotated[str | None, typer.Option("--switch-to", help="Plan a cross-taper to this option.")] = None,
    from_mg_per_day: Annotated[
        float | None, typer.Option("--from-mg-per-day", help="Current oral baclofen dose for the cross-taper.")
    ] = None,
    months_on_therapy: Annotated[
        float | None, typer.Option("--months-on-therapy", help="Months on baclofen (may lengthen the taper).")
    ] = None,
    start_date: Annotated[
        str | None, typer.Option("--start-date", help="First day of the cross-taper, YYYY-MM-DD (default today).")
    ] = None,
    override: Annotated[
        list[str] | None, typer.Option("--override", help="Clinician override of a block: RULE-ID=REASON.")
    ] = None,
    clinician: Annotated[str, typer.Option("--clinician", help="Who gives the overrides (required with them).")] = "",
    setting: SettingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Alternatives to oral baclofen in guideline order, with doses, monitoring, exclusions and a cross-taper."""
    chosen = [
        name for flag, name in ((failed, "failed"), (not_tolerated, "not-tolerated"), (current, "current")) if flag
    ]
    if len(chosen) > 1:
        fail("--failed/--not-tolerated/--current", "at most one of them", " ".join(chosen))
    outcome = chosen[0] if chosen else "not-tried"
    start: str | date | None = start_date
    if switch_to is not None and from_mg_per_day is not None and start is None:
        start = bootstrap().clock.today()  # today on the clinic's clock (the composition root's)
    with map_errors():
        command = advise_alternatives_command(
            baclofen_outcome=outcome,
            focal=focal,
            severe=severe,
            liver_disease=liver_disease,
            crcl_ml_min=crcl_ml_min,
            dialysis=dialysis,
            drugs=drugs,
            conditions=condition or [],
            sex=sex,
            age_years=age,
            locale=locale,
            guideline=guideline,
            switch_to=switch_to,
            current_baclofen_mg_per_day=from_mg_per_day,
            months_on_therapy=months_on_therapy,
            start_date=start,
            overrides=override or (),
            clinician=clinician,
            settings=setting,
        )
        advice = advise_on_alternatives(command)
    data = advice.to_dict()
    emit(data, as_json, lambda out: render_alternatives(out, data))


STATUS_STYLE = {
    "recommended": "green",
    "caution": "yellow",
    "excluded": "bold red",
    "tried": "dim",
    "current": "cyan",
    "not applicable": "dim",
}


def render_alternatives(out: Console, data: Mapping[str, Any]) -> None:
    out.print(f"[bold]Guideline:[/bold] {data['guideline']}   [bold]Oral baclofen:[/bold] {data['baclofen_outcome']}")
    for u in data["unknown_drugs"]:
        out.print(f"[bold red]NOT CHECKED:[/bold red] {escape(u['message'])}")
    for u in data["unknown_conditions"]:
        out.print(f"[bold red]NOT CHECKED:[/bold red] {escape(u['message'])}")
    table = Table(title="Options in guideline order", show_lines=True, expand=True)
    table.add_column("#", no_wrap=True)
    table.add_column("Option and line", ratio=2)
    table.add_column("Status", no_wrap=True)
    table.add_column("Dose", ratio=3)
    table.add_column("Monitoring and reasons", ratio=3)
    for o in data["options"]:
        reasons = [r["text"] for r in o["reasons"]] + [f"{f['rule_id']}: {f['message']}" for f in o["findings"]]
        table.add_row(
            str(o["rank"]),
            f"[bold]{o['name']}[/bold]\n[dim]{o['line']}[/dim]",
            f"[{STATUS_STYLE.get(o['status'], '')}]{o['status']}[/]",
            "\n".join(d["text"] + " [" + ", ".join(d["evidence_keys"]) + "]" for d in o["dose"]),
            "\n".join([m["text"] + " [" + ", ".join(m["evidence_keys"]) + "]" for m in o["monitoring"]] + reasons),
        )
    out.print(table)
    for f in data["switch_refused"]:
        out.print(f"[bold red]Switch refused:[/bold red] {f['rule_id']}: {f['message']}")
    cross = data.get("cross_taper")
    if cross:
        if not cross["offerable"]:
            out.print("[bold red]Cross-taper NOT OFFERABLE:[/bold red] a block finding stands without an override.")
        steps = Table(title="Cross-taper: baclofen taper", expand=True)
        for col in ("From", "To", "Baclofen mg/day", "Note"):
            steps.add_column(col)
        for s in cross["taper"]["steps"]:
            steps.add_row(s["start"], s["end"], f"{s['daily_dose_mg']:g}", s.get("note", ""))
        out.print(steps)
        nd = cross["new_drug"]
        out.print(
            f"[bold]New drug:[/bold] {nd['drug']} from {nd['start_date']}: "
            + "; ".join(f"{s['date']}: {s['dose']}" for s in nd["steps"])
        )
        out.print(f"  {nd['titration']['text']} [{', '.join(nd['titration']['evidence_keys'])}]")
        for note in cross["notes"]:
            out.print(f"  [dim]{note}[/dim]")
        render_findings(out, cross["taper"]["findings"] + cross["overlap_findings"], "Cross-taper findings")
    for note in data["notes"]:
        out.print(f"[dim]{note}[/dim]")


# --- scale -------------------------------------------------------------------------------------------------------
scale_app = typer.Typer(help="Outcome scales: Modified Ashworth, Penn spasm frequency, 0-10 NRS.", no_args_is_help=True)


@scale_app.command("evaluate")
def scale_evaluate(
    scale: Annotated[
        str, typer.Option("--scale", help="modified-ashworth (mas), penn, nrs-spasticity (nrs), nrs-pain or nrs-sleep.")
    ],
    baseline: Annotated[
        str,
        typer.Option(
            "--baseline",
            help="Baseline: MAS grade(s) 0,1,1+,2,3,4 (comma-separated per muscle group), Penn F or F:S, or NRS 0-10.",
        ),
    ],
    current: Annotated[str, typer.Option("--current", help="Current value, same form as --baseline.")],
    context: Annotated[
        str | None,
        typer.Option(
            "--context",
            help="general (default), nabiximols (>= 20 % NRS), itb-screening (>= 1 Ashworth point), "
            "nrs-30 (30 % NRS, UNCONFIRMED).",
        ),
    ] = None,
    setting: SettingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Evaluate the response from a baseline to a current score under a cited responder definition."""
    with map_errors():
        command = evaluate_scale_command(
            scale=scale, baseline=baseline, current=current, context=context, settings=setting
        )
        result = evaluate_scale(command)
    data = result.to_dict()

    def render(out: Console) -> None:
        verdict = {True: "[green]responder[/green]", False: "[red]not a responder[/red]", None: "no responder verdict"}[
            data["responder"]
        ]
        rel = "" if data["relative_change"] is None else f" ({data['relative_change'] * 100:.1f} %)"
        out.print(
            f"[bold]{data['scale']}[/bold] ({data['context']}): change {data['change']:g}{rel}, "
            f"{data['direction']}; {verdict}"
        )
        out.print(data["reasoning"])
        for line in data["evidence"]:
            out.print(f"[dim]{line}[/dim]")
        if data["findings"]:
            render_findings(out, data["findings"], "Response")

    emit(data, as_json, render)


# --- risk --------------------------------------------------------------------------------------------------------
RISK_HELP = """Withdrawal and overdose risks from a patient timeline (JSON file; schema baclofen-timeline/1,
documented in docs/timeline.md).

Top-level fields: as_of (required, date-time with offset, e.g. 2026-03-10T09:00:00+00:00); schema
("baclofen-timeline/1", optional); patient {age_years, weight_kg, sex, crcl_ml_min | egfr_ml_min_1_73m2 |
serum_creatinine_mg_dl, dialysis, origin, locale}; oral {prescriptions: [{start, end|null, daily_dose_mg}],
missed_doses: [{time, count}]}; pump {model, implanted, eri_date, low_reservoir_ml, refills: [{time, volume_ml,
concentration_mcg_per_ml, daily_dose_mcg | flex, expected_residual_ml, aspirated_ml}], program_changes: [{time,
daily_dose_mcg | flex}] (daily_dose_mcg 0 = pump stopped)}; diary [{time, symptoms: [text], missed_doses, note}].
Dates are YYYY-MM-DD; times are ISO date-times with offset, at or before as_of. A malformed file exits with
code 2 and names the field."""


def risk(
    timeline: Annotated[Path, typer.Argument(metavar="TIMELINE", help="TIMELINE.json (schema baclofen-timeline/1).")],
    setting: SettingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    document = read_json_file(timeline, "TIMELINE")
    with map_errors():  # an error inside the timeline names its path in TIMELINE (TIMELINE as_of)
        result = assess_timeline_risk(assess_timeline_risk_command(timeline=document, settings=setting))
    data = result.to_dict()
    emit(data, as_json, lambda out: render_risk(out, data))


risk.__doc__ = RISK_HELP


LEVEL_STYLE = {"high": "bold red", "moderate": "yellow", "low": "cyan"}


def render_risk(out: Console, data: Mapping[str, Any]) -> None:
    style = LEVEL_STYLE.get(data["level"], "")
    alert = "  [bold red]ALERT THE CLINIC[/bold red]" if data["alert_clinic"] else ""
    for r in data["risks"]:
        if r["data"].get("out_of_scope"):  # SCOPE-PAEDIATRIC-001: said before anything else
            out.print(f"[bold red]OUT OF SCOPE ({r['rule_id']}):[/bold red] {r['message']}")
    out.print(f"[bold]Overall risk at {data['as_of']}:[/bold] [{style}]{data['level'].upper()}[/]{alert}")
    for message in data["patient_messages"]:
        out.print(f"[bold]Tell the patient:[/bold] {message}")
    if not data["risks"]:
        out.print("[green]No risk found in this timeline.[/green]")
        return
    table = Table(title="Risks", show_lines=True, expand=True)
    table.add_column("Level", no_wrap=True)
    table.add_column("Rule", no_wrap=True)
    table.add_column("Risk, reasoning and what to do", ratio=3)
    table.add_column("Evidence", ratio=2)
    for r in data["risks"]:
        body = f"{r['message']}\n[dim]{r['reasoning']}[/dim]"
        if r.get("action"):
            body += f"\n[bold]What to do:[/bold] {r['action']}"
        if r.get("signs"):
            body += "\n[bold]Watch for:[/bold] " + ", ".join(r["signs"])
        table.add_row(
            f"[{LEVEL_STYLE.get(r['level'], '')}]{r['level']}[/]", r["rule_id"], body, "\n".join(r["evidence"])
        )
    out.print(table)
    pump = data.get("pump")
    if pump and pump.get("recommended_refill_date"):
        out.print(
            f"[dim]Pump: last refill {pump['last_refill']}, recommended refill "
            f"{pump['recommended_refill_date']}, low reservoir {pump['low_reservoir_at']}, empty "
            f"{pump['empty_at']}, {pump['remaining_ml_at_as_of']} mL left at as_of.[/dim]"
        )


def register(app: typer.Typer) -> None:
    """Add the decision-support commands to the main app."""
    app.add_typer(check_app, name="check")
    app.command("alternatives")(alternatives)
    app.add_typer(scale_app, name="scale")
    app.command("risk", help=RISK_HELP)(risk)
