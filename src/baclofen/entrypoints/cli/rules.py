"""`baclofen rules ...` commands: the rule catalogue (every safety rule, its evidence and the settings it reads)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from baclofen.domain.rules.catalogue import RuleArea
from baclofen.entrypoints.cli.output import SEVERITY_STYLE, emit
from baclofen.services.rules import describe_rule, rule_listing

app = typer.Typer(
    help="The rule catalogue: every safety rule with its area, severity, evidence and the settings it reads.",
    no_args_is_help=True,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for programs instead of tables.")]
AREAS = ", ".join(a.value for a in RuleArea)

#: Severity is declared per rule; some checks report a finding at another severity, and say why in its reasoning.
SEVERITY_NOTE = (
    "Severity: the rule's declared severity; a finding may carry another where its check says why "
    "(e.g. a dose being decided blocks until confirmed)."
)


def _severity(sev: str) -> str:
    return f"[{SEVERITY_STYLE.get(sev, '')}]{sev}[/]"


def _overridable(rule: Mapping[str, Any]) -> str:
    return "yes" if rule["overridable"] else "no (absolute)"


def _evidence_cell(rule: Mapping[str, Any]) -> str:
    return escape(", ".join(f"{e['key']} ({e['authority']})" for e in rule["evidence"]))


@app.command("list")
def list_command(
    area: Annotated[str | None, typer.Option("--area", help=f"Only the rules of one area: {AREAS}.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every safety rule: id, area, severity, whether it can be overridden, title and evidence (with authority)."""
    data = rule_listing(area).to_dict()

    def render(out: Console) -> None:
        where = "every area" if data["area"] is None else f"area {data['area']}"
        count = data["count"]
        table = Table(title=f"Rule catalogue: {count} rule{'' if count == 1 else 's'} ({where})", show_lines=False)
        table.add_column("Rule", no_wrap=True)
        table.add_column("Area", no_wrap=True)
        table.add_column("Severity", no_wrap=True)
        table.add_column("Overridable", no_wrap=True)
        table.add_column("Title", ratio=3)
        table.add_column("Evidence (authority)", ratio=2)
        for r in data["rules"]:
            table.add_row(
                escape(r["rule_id"]),
                r["area"],
                _severity(r["severity"]),
                _overridable(r),
                escape(r["title"]),
                _evidence_cell(r),
            )
        out.print(table)
        out.print(f"[dim]{SEVERITY_NOTE} 'baclofen rules show RULE-ID' gives the citations and settings.[/dim]")

    emit(data, as_json, render)


def _render_rule(out: Console, r: Mapping[str, Any]) -> None:
    out.print(f"[bold]{escape(r['rule_id'])}[/bold]: {escape(r['title'])}")
    if r["overridable"]:
        override = "yes: a block of this rule may be overridden by a named clinician with a reason"
    else:
        override = "no: an absolute block, it cannot be overridden"
    out.print(f"[bold]Area:[/bold] {r['area']}   [bold]Severity:[/bold] {_severity(r['severity'])}")
    out.print(f"[bold]Overridable:[/bold] {override}")
    out.print(f"[bold]Defined in:[/bold] {escape(r['defined_in'])}")
    if r["conditions"]:
        out.print(f"[bold]Conditions it decides:[/bold] {escape(', '.join(r['conditions']))}")
    evidence = Table(title="Evidence", show_lines=True, expand=True)
    evidence.add_column("Key", no_wrap=True)
    evidence.add_column("Authority", no_wrap=True)
    evidence.add_column("Citation")
    for e in r["evidence"]:
        evidence.add_row(escape(e["key"]), e["authority"], escape(e["citation"]))
    out.print(evidence)
    settings = r["settings"]
    if settings is None:
        out.print("[bold]Settings it reads:[/bold] not declared (the rule does not list the settings it reads)")
    elif not settings:
        out.print("[bold]Settings it reads:[/bold] none (its thresholds are label facts or named constants)")
    else:
        out.print("[bold]Settings it reads[/bold] (defaults; --setting NAME=VALUE changes one):")
        for st in settings:
            default = st["default"]
            number = isinstance(default, (int, float)) and not isinstance(default, bool)
            shown = f"{default:g} {st['unit']}" if number else str(default)
            out.print(
                f"  - [bold]{escape(st['name'])}[/bold] = {escape(shown)} "
                f"({st['status']}; {escape(', '.join(st['evidence']))})"
            )
            out.print(f"    [dim]{escape(st['description'])}[/dim]")
    out.print(f"[dim]{SEVERITY_NOTE}[/dim]")


@app.command("show")
def show_command(
    rule_id: Annotated[str, typer.Argument(metavar="RULE-ID", help="A rule id, e.g. ORAL-MAX-001 (any case).")],
    as_json: JsonOpt = False,
) -> None:
    """One rule: severity, whether it can be overridden, evidence with citations and authority, settings it reads."""
    data = describe_rule(rule_id).to_dict(detail=True)
    emit(data, as_json, lambda out: _render_rule(out, data))
