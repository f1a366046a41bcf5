"""`baclofen pump ...` commands: catalogue, programs, forecast, refill visits, concentration change."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from baclofen.adapters.edge.pump import (
    forecast_pump_command,
    plan_concentration_change_command,
    plan_pump_program_command,
    reconcile_visit_command,
    refill_visit_from_options,
)
from baclofen.bootstrap import bootstrap
from baclofen.domain.itb.reservoir import ReservoirForecast
from baclofen.entrypoints.cli.errors import fail, map_errors
from baclofen.entrypoints.cli.itb import num, render_lines
from baclofen.entrypoints.cli.output import emit, render_findings, render_settings
from baclofen.services.itb import (
    assess_refill_visit,
    describe_pumps,
    forecast_pump,
    plan_concentration,
    plan_program,
    reconcile_visit,
)

app = typer.Typer(
    help="Intrathecal pumps: catalogue, programs, reservoir forecast, refill visits, concentration changes.",
    no_args_is_help=True,
)

FLEX_HELP = (
    "Flex program: steps HH:MM=RATE separated by commas, RATE in mcg/h from that time until the next step; "
    "the last step runs past midnight to the first. Times 00:00-23:59 in increasing order, at most the "
    "pump's step limit (13 a day for SynchroMed II). The daily dose is the integral, e.g. 06:00=20,22:00=10 "
    "= 16 h x 20 + 8 h x 10 = 400 mcg/day."
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for programs instead of tables.")]
PumpOpt = Annotated[
    str,
    typer.Option("--pump", help="Pump: synchromed-ii-20, synchromed-ii-40, prometra-ii-20, prometra-ii-40."),
]
ConcOpt = Annotated[float, typer.Option("--concentration-mcg-per-ml", help="Concentration in the reservoir, mcg/mL.")]
DailyOpt = Annotated[
    float | None,
    typer.Option(
        "--daily-dose-mcg",
        help="Daily dose, mcg/day (simple continuous; with --flex it must equal the flex total).",
    ),
]
FlexOpt = Annotated[str | None, typer.Option("--flex", help=FLEX_HELP)]
MarginOpt = Annotated[
    int | None,
    typer.Option(
        "--margin-days",
        help="Days between the recommended refill and the computed low-reservoir alarm (>= 1, "
        "default 7, setting pump.refill_margin_days).",
    ),
]
ImplantedOpt = Annotated[str | None, typer.Option("--implanted", help="Implant date YYYY-MM-DD (battery forecast).")]
#: Help text shared by the date-time options: how a UTC offset is read.
OFFSETS_HELP = (
    "A date-time may carry a UTC offset (YYYY-MM-DDTHH:MM+HH:MM): intervals then count real time between the "
    "instants; give the command's times all with an offset or all without."
)
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Today, YYYY-MM-DD (or YYYY-MM-DDTHH:MM), for overdue / empty / replacement findings. " + OFFSETS_HELP,
    ),
]
OtherDrugsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--other-drug-in-pump",
        help="Another drug in the pump or catheter with the baclofen (repeatable, one name each): no admixture, "
        "a block (PUMP-ADMIX-001).",
    ),
]
SettingOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--setting",
        help="Override a named setting: NAME=VALUE (repeatable), e.g. "
        "pump.synchromed_ii.flow_accuracy_percent=10 (UNCONFIRMED spec, default 14.5; SynchroMed II only).",
    ),
]


@app.command("list")
def list_pumps(as_json: JsonOpt = False) -> None:
    """The pump catalogue with its cited values and settings."""
    pumps = describe_pumps()
    data = {"pumps": pumps, "settings": []}  # the catalogue uses none: each pump lists its own

    def render(out: Console) -> None:
        table = Table(title="Pump catalogue")
        for col in (
            "Key",
            "Model",
            "Reservoir mL",
            "Low reservoir mL",
            "Steps/day",
            "Planning life y",
            "Evidence",
        ):
            table.add_column(col)
        for p in pumps:
            table.add_row(
                p["key"],
                f"{p['name']} ({p['model_ref']})",
                num(p["reservoir_ml"]),
                num(p["low_reservoir_ml"]),
                "-" if p["max_rate_steps_per_day"] is None else str(p["max_rate_steps_per_day"]),
                num(p["planning_service_life_years"]),
                ", ".join(sorted({k for v in p["evidence"].values() for k in v})),
            )
        out.print(table)

    emit(data, as_json, render)


def _render_program(out: Console, data: Mapping[str, Any]) -> None:
    out.print(
        f"[bold]{data['mode']} program[/bold] on {data['pump']} at {num(data['concentration_mcg_per_ml'])} "
        f"mcg/mL: [bold]{num(data['daily_dose_mcg'])} mcg/day = {num(data['daily_volume_ml'], 4)} "
        "mL/day[/bold]"
    )
    table = Table(title="Rates through the day")
    for col in ("From", "To", "mcg/h", "mL/h", "Hours", "mcg", "mL"):
        table.add_column(col, justify="right")
    for s in data["segments"]:
        table.add_row(
            s["from"],
            s["to"],
            num(s["rate_mcg_per_h"], 3),
            num(s["rate_ml_per_h"], 5),
            num(s["duration_h"]),
            num(s["dose_mcg"]),
            num(s["volume_ml"], 4),
        )
    out.print(table)
    render_findings(out, data["findings"])


@app.command("program")
def program(
    pump: PumpOpt,
    concentration_mcg_per_ml: ConcOpt,
    daily_dose_mcg: DailyOpt = None,
    flex: FlexOpt = None,
    confirm_high_dose: Annotated[
        bool, typer.Option("--confirm-high-dose", help="Explicitly confirm a daily dose above 1000 mcg.")
    ] = False,
    other_drug_in_pump: OtherDrugsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rates (mcg/h and mL/h per step), daily dose and mL/day of a simple continuous or flex program."""
    with map_errors():
        result = plan_program(
            plan_pump_program_command(
                pump=pump,
                concentration_mcg_per_ml=concentration_mcg_per_ml,
                daily_dose_mcg=daily_dose_mcg,
                flex=flex,
                confirm_high_dose=confirm_high_dose,
                other_drugs_in_pump=other_drug_in_pump or (),
            )
        )
    data = result.to_dict()
    emit(data, as_json, lambda out: _render_program(out, data))


NOT_POSSIBLE = "none: refill not possible at this dose and volume (PUMP-FCST-003)"


def _refill_date(value: str | None) -> str:
    return NOT_POSSIBLE if value is None else value


def _render_forecast(out: Console, data: Mapping[str, Any]) -> None:
    fill = data["fill"]
    out.print(
        f"[bold]Reservoir forecast[/bold] {data['pump']}: {num(fill['volume_ml'])} mL x "
        f"{num(fill['concentration_mcg_per_ml'])} mcg/mL filled {fill['filled_at']}; "
        f"{num(data['daily_dose_mcg'])} mcg/day = {num(data['daily_volume_ml'], 4)} mL/day"
    )
    table = Table(title="Dates")
    table.add_column("What")
    table.add_column("Date", no_wrap=True)
    table.add_row("[bold]Recommended refill[/bold]", f"[bold]{_refill_date(data['recommended_refill_date'])}[/bold]")
    alarm = "Low-reservoir alarm" if data["low_reservoir_is_audible_alarm"] else "Programmer refill threshold"
    table.add_row(f"{alarm} ({num(data['low_reservoir_ml'])} mL, computed)", data["low_reservoir_alarm_date"])
    table.add_row("Empty", data["empty_date"])
    table.add_row("Drug-stability limit", data["stability_limit_date"])
    if data.get("low_reservoir_alarm_date_if_over_infusing"):
        table.add_row(
            f"{alarm} if the pump over-infuses by {num(data['flow_accuracy_percent'])} % (UNCONFIRMED spec)",
            data["low_reservoir_alarm_date_if_over_infusing"],
        )
    if data.get("battery"):
        table.add_row("Battery replacement", data["battery"]["battery_replacement_date"])
        table.add_row("Pump may stop by", data["battery"]["shutoff_date"])
    out.print(table)
    render_lines(out, "Calculation", data["reasoning"])
    if data.get("battery"):
        render_lines(out, "Battery", data["battery"]["reasoning"])
    render_findings(out, data["findings"])
    render_settings(out, data["settings"])


@app.command("forecast")
def forecast(
    pump: PumpOpt,
    volume_ml: Annotated[float, typer.Option("--volume-ml", help="Volume filled, mL (at most the reservoir).")],
    concentration_mcg_per_ml: ConcOpt,
    filled: Annotated[
        str, typer.Option("--filled", help="Fill date YYYY-MM-DD (or YYYY-MM-DDTHH:MM). " + OFFSETS_HELP)
    ],
    daily_dose_mcg: DailyOpt = None,
    flex: FlexOpt = None,
    margin_days: MarginOpt = None,
    implanted: ImplantedOpt = None,
    eri_date: Annotated[
        str | None,
        typer.Option("--eri-date", help="Date the pump raised its elective-replacement indicator (SynchroMed II)."),
    ] = None,
    mri_date: Annotated[
        str | None,
        typer.Option(
            "--mri-date",
            help="Date of a planned or recent MRI during this fill (on or after the fill). On a Prometra pump: "
            "empty the pump before, reset the flow valve after (PUMP-MRI-001).",
        ),
    ] = None,
    low_reservoir_ml: Annotated[
        float | None,
        typer.Option(
            "--low-reservoir-ml",
            help="The pump's programmed low-reservoir threshold, mL (default: the model's).",
        ),
    ] = None,
    residual_ml: Annotated[
        float | None,
        typer.Option("--residual-ml", help="Undeliverable residual volume, mL (UNCONFIRMED; default 0)."),
    ] = None,
    max_refill_interval_days: Annotated[
        int | None,
        typer.Option("--max-refill-interval-days", help="Drug-stability limit, days (default 180)."),
    ] = None,
    as_of: AsOfOpt = None,
    other_drug_in_pump: OtherDrugsOpt = None,
    setting: SettingOpt = None,
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart",
            help="Also write the reservoir forecast chart (volume over time with the refill, alarm and empty dates) "
            "to this .svg file.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Empty date, low-reservoir alarm date, recommended refill date (before the alarm), battery."""
    _check_chart(chart)
    with map_errors():
        command = forecast_pump_command(
            pump=pump,
            volume_ml=volume_ml,
            concentration_mcg_per_ml=concentration_mcg_per_ml,
            filled=filled,
            daily_dose_mcg=daily_dose_mcg,
            flex=flex,
            margin_days=margin_days,
            low_reservoir_ml=low_reservoir_ml,
            residual_ml=residual_ml,
            max_refill_interval_days=max_refill_interval_days,
            implanted=implanted,
            eri_date=eri_date,
            mri_date=mri_date,
            as_of=as_of,
            settings=setting,
            other_drugs_in_pump=other_drug_in_pump or (),
        )
        result = forecast_pump(command)
    data = result.to_dict()
    _write_chart(chart, result)
    emit(data, as_json, lambda out: _render_forecast(out, data))


def _check_chart(path: Path | None) -> None:
    """Refuse a bad --chart target before forecasting (folders are never created)."""
    if path is None:
        return
    if path.suffix.lower() != ".svg":
        fail("--chart", "a file name ending in .svg", str(path))
    if not path.parent.is_dir():
        fail("--chart", "a file in an existing folder (folders are not created)", str(path))


def _write_chart(path: Path | None, result: ReservoirForecast) -> None:
    if path is None:
        return
    from baclofen.adapters.charts import render_reservoir_chart  # matplotlib only when a chart is asked for

    with map_errors():
        svg = render_reservoir_chart(result)
    try:
        path.write_text(svg, encoding="utf-8")
    except OSError as exc:
        fail("--chart", "a writable file", f"{path} ({exc.strerror})")


def _render_reconcile(out: Console, data: Mapping[str, Any]) -> None:
    pct = "" if data["discrepancy_percent"] is None else f" ({num(data['discrepancy_percent'], 1)} %)"
    out.print(
        f"[bold]Refill reconciliation[/bold]: expected {num(data['expected_ml'])} mL, aspirated "
        f"{num(data['aspirated_ml'])} mL, discrepancy {num(data['discrepancy_ml'])} mL{pct}"
    )
    trend = data["trend"]
    if len(trend["visits"]) > 1:
        table = Table(title="Visits, oldest first")
        for col in ("#", "Expected mL", "Aspirated mL", "Difference mL", "%", "Flagged"):
            table.add_column(col, justify="right")
        for i, v in enumerate(trend["visits"], 1):
            table.add_row(
                str(i),
                num(v["expected_ml"]),
                num(v["aspirated_ml"]),
                num(v["discrepancy_ml"]),
                num(v["discrepancy_percent"], 1),
                "yes" if v["flagged"] else "no",
            )
        out.print(table)
    render_findings(out, data["findings"])
    render_settings(out, data["settings"])


@app.command("reconcile")
def reconcile(
    expected_ml: Annotated[float, typer.Option("--expected-ml", help="Residual the program should have left, mL.")],
    aspirated_ml: Annotated[float, typer.Option("--aspirated-ml", help="Volume aspirated from the reservoir, mL.")],
    previous: Annotated[
        str | None,
        typer.Option(
            "--previous",
            help="Earlier visits, oldest first: expected:aspirated mL pairs, e.g. 4.9:4.5,5.0:4.6.",
        ),
    ] = None,
    pump: Annotated[str | None, typer.Option("--pump", help="Pump (bounds the volumes by its reservoir).")] = None,
    tolerance_percent: Annotated[
        float | None,
        typer.Option(
            "--tolerance-percent",
            help="Flag above this % of the expected residual (UNCONFIRMED; default 10).",
        ),
    ] = None,
    tolerance_ml: Annotated[
        float | None,
        typer.Option("--tolerance-ml", help="... and above this many mL (UNCONFIRMED; default 0.5)."),
    ] = None,
    trend_visits: Annotated[
        int | None,
        typer.Option(
            "--trend-visits", help="Consecutive same-direction visits that raise a trend finding (default 3)."
        ),
    ] = None,
    previous_fill_ml: Annotated[
        float | None,
        typer.Option(
            "--previous-fill-ml",
            help="Volume put in at the previous fill, mL, when known (more aspirated than that is impossible).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Expected vs aspirated residual: possible over-infusion (less) or under-delivery (more); trend."""
    with map_errors():
        command = reconcile_visit_command(
            expected_ml=expected_ml,
            aspirated_ml=aspirated_ml,
            previous=previous,
            pump=pump,
            tolerance_percent=tolerance_percent,
            tolerance_ml=tolerance_ml,
            trend_visits=trend_visits,
            previous_fill_ml=previous_fill_ml,
        )
        result = reconcile_visit(command)
    data = result.to_dict()
    emit(data, as_json, lambda out: _render_reconcile(out, data))


@app.command("concentration-change")
def concentration_change(
    pump: PumpOpt,
    daily_dose_mcg: Annotated[float, typer.Option("--daily-dose-mcg", help="Daily dose to keep, mcg/day.")],
    old_mcg_per_ml: Annotated[float, typer.Option("--old-mcg-per-ml", help="Current concentration, mcg/mL.")],
    new_mcg_per_ml: Annotated[float, typer.Option("--new-mcg-per-ml", help="New concentration, mcg/mL.")],
    catheter_volume_ml: Annotated[
        float | None,
        typer.Option(
            "--catheter-volume-ml",
            help="Catheter volume, mL (required for SynchroMed II: from the catheter labelling).",
        ),
    ] = None,
    catheter_trimmed_cm: Annotated[
        float | None,
        typer.Option("--catheter-trimmed-cm", help="Prometra II: cm trimmed from the 110 cm catheter."),
    ] = None,
    pump_volume_ml: Annotated[
        float | None,
        typer.Option("--pump-volume-ml", help="Pump internal tubing volume, mL (UNCONFIRMED in the sources)."),
    ] = None,
    flex: FlexOpt = None,
    change_time: Annotated[
        str | None,
        typer.Option(
            "--change-time",
            help="When the change is made, HH:MM on the pump clock: a flex program's bridge and clearing "
            "times follow its step rates from then (without it: the range over the day).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """New program for the same daily dose and the bridge for the old solution, with the arithmetic."""
    with map_errors():
        command = plan_concentration_change_command(
            pump=pump,
            daily_dose_mcg=daily_dose_mcg,
            old_mcg_per_ml=old_mcg_per_ml,
            new_mcg_per_ml=new_mcg_per_ml,
            catheter_volume_ml=catheter_volume_ml,
            catheter_trimmed_cm=catheter_trimmed_cm,
            pump_internal_volume_ml=pump_volume_ml,
            flex=flex,
            change_time=change_time,
        )
        result = plan_concentration(command)
    data = result.to_dict()

    def render(out: Console) -> None:
        out.print(
            f"[bold]Concentration change[/bold] on {data['pump']}: {num(data['old_mcg_per_ml'])} -> "
            f"{num(data['new_mcg_per_ml'])} mcg/mL at {num(data['daily_dose_mcg'])} mcg/day: new rate "
            f"[bold]{num(data['new_ml_per_day'], 4)} mL/day[/bold] (was {num(data['old_ml_per_day'], 4)})"
        )
        render_lines(out, "Calculation", data["steps"])
        render_findings(out, data["findings"])

    emit(data, as_json, render)


@app.command("refill")
def refill(
    pump: PumpOpt,
    concentration_mcg_per_ml: ConcOpt,
    daily_dose_mcg: DailyOpt = None,
    flex: FlexOpt = None,
    refilled: Annotated[
        str | None,
        typer.Option("--refilled", help="Refill date YYYY-MM-DD or YYYY-MM-DDTHH:MM (default: today). " + OFFSETS_HELP),
    ] = None,
    expected_ml: Annotated[
        float | None, typer.Option("--expected-ml", help="Residual the program should have left, mL.")
    ] = None,
    aspirated_ml: Annotated[float | None, typer.Option("--aspirated-ml", help="Volume aspirated, mL.")] = None,
    previous: Annotated[
        str | None,
        typer.Option("--previous", help="Earlier visits, oldest first: expected:aspirated mL pairs."),
    ] = None,
    target_interval_days: Annotated[
        int | None,
        typer.Option("--target-interval-days", help="Days to the next refill (default: fill to capacity)."),
    ] = None,
    margin_days: MarginOpt = None,
    implanted: ImplantedOpt = None,
    as_of: AsOfOpt = None,
    previous_fill_ml: Annotated[
        float | None,
        typer.Option(
            "--previous-fill-ml",
            help="Volume filled at the previous refill, mL (with --previous-filled and the residuals: after a "
            "shortfall the next refill is also forecast at the observed delivery rate).",
        ),
    ] = None,
    previous_filled: Annotated[
        str | None,
        typer.Option(
            "--previous-filled",
            help="Date of the previous refill, YYYY-MM-DD (or YYYY-MM-DDTHH:MM). " + OFFSETS_HELP,
        ),
    ] = None,
    other_drug_in_pump: OtherDrugsOpt = None,
    setting: SettingOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A refill visit: reconcile the residual, the volume to fill, and the next refill date."""
    services = bootstrap()
    with map_errors():
        # The pump and the history its options describe; the visit is checked as a stored one is, and stored
        # nowhere (a block is shown with its findings: recording a visit against a block is the clinic's, with a
        # clinician's override).
        record, command = refill_visit_from_options(
            pump=pump,
            implanted=implanted,
            previous=previous,
            previous_fill_ml=previous_fill_ml,
            previous_filled=previous_filled,
            concentration_mcg_per_ml=concentration_mcg_per_ml,
            refilled=refilled if refilled is not None else services.clock.today(),
            daily_dose_mcg=daily_dose_mcg,
            flex=flex,
            expected_ml=expected_ml,
            aspirated_ml=aspirated_ml,
            target_interval_days=target_interval_days,
            margin_days=margin_days,
            as_of=as_of,
            settings=setting,
            other_drugs_in_pump=other_drug_in_pump or (),
        )
        result = assess_refill_visit(record, command)
    data = result.to_dict()

    def render(out: Console) -> None:
        if data["reconciliation"]:
            rec = data["reconciliation"]
            out.print(
                f"Residual: expected {num(rec['expected_ml'])} mL, aspirated {num(rec['aspirated_ml'])} mL "
                f"({num(rec['discrepancy_ml'])} mL)"
            )
        observed_alarm = data["low_reservoir_alarm_date_at_observed_rate"]
        if observed_alarm:
            out.print(
                f"[bold]Fill {num(data['fill_ml'])} mL[/bold]; next refill "
                f"[bold]{_refill_date(data['next_refill_date'])}[/bold] at the observed delivery rate (at the "
                f"programmed rate {_refill_date(data['next_refill_date_at_programmed_rate'])}). Computed alarm "
                f"{observed_alarm} at the observed rate, {data['low_reservoir_alarm_date']} at the programmed "
                f"rate; empty {data['empty_date_at_observed_rate']} at the observed rate, {data['empty_date']} at the "
                "programmed rate."
            )
        else:
            out.print(
                f"[bold]Fill {num(data['fill_ml'])} mL[/bold]; next refill "
                f"[bold]{_refill_date(data['next_refill_date'])}[/bold] (computed alarm "
                f"{data['low_reservoir_alarm_date']}, "
                f"empty {data['empty_date']})"
            )
        if data["observed_delivery"]:
            render_lines(out, "Delivery over the last interval", data["observed_delivery"]["steps"])
        render_lines(out, "Refill volume", data["refill"]["steps"])
        render_lines(out, "Forecast", data["forecast"]["reasoning"])
        render_findings(out, data["findings"])
        render_settings(out, data["settings"])

    emit(data, as_json, render)
