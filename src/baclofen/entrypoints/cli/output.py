"""Shared output helpers: JSON for programs, Rich tables for people."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rich.console import Console
from rich.errors import MarkupError
from rich.markup import escape
from rich.table import Table

from baclofen.entrypoints.json_values import json_ready

DISCLAIMER = "Decision support for professionals, not medical advice. Check every value against the cited sources."

SEVERITY_STYLE = {"block": "bold red", "warn": "yellow", "info": "cyan"}


def dumps(data: Any) -> str:
    """JSON text of ``data`` (dates ISO, enums by value, NaN/inf as null: :func:`json_ready`)."""
    return json.dumps(json_ready(data), indent=2)


FALLBACK_COLUMNS = 120
"""Width of human output when it goes to a file or a pipe and COLUMNS is not set (stable for tests)."""
MIN_COLUMNS = 40
"""Narrowest width drawn: below it tables become unreadable."""


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _terminal_columns() -> int | None:
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return None


def output_width() -> int:
    """Columns of human output: ``COLUMNS`` when set, else the terminal's width when printing to a terminal,
    else :data:`FALLBACK_COLUMNS`; never below :data:`MIN_COLUMNS`."""
    env = os.environ.get("COLUMNS", "").strip()
    if env.isdigit() and int(env) > 0:
        return max(MIN_COLUMNS, int(env))
    columns = _terminal_columns() if _stdout_is_terminal() else None
    return max(MIN_COLUMNS, columns) if columns else FALLBACK_COLUMNS


def console(*, markup: bool = True) -> Console:
    return Console(highlight=False, soft_wrap=False, width=output_width(), markup=markup)


def emit(data: Mapping[str, Any], as_json: bool, render: Callable[[Console], None]) -> None:
    """Print ``data`` as JSON when ``as_json``; otherwise let ``render`` draw it for a person."""
    if as_json:
        print(dumps(data))
        return
    out = console()
    with out.capture() as captured:
        try:
            render(out)
        except MarkupError:
            # Text from a user or a source held square brackets that Rich took for markup: render it plain
            # rather than fail (the content matters more than the styling).
            out = console(markup=False)
            with out.capture() as captured:
                render(out)
    print(captured.get(), end="")
    out.print(DISCLAIMER, style="dim", markup=False)


def render_settings(out: Console, settings: Iterable[Mapping[str, Any]]) -> None:
    """The one table of the settings a result used (its ``"settings"`` list): value with unit, status, evidence."""
    settings = list(settings)
    if not settings:
        return
    table = Table(title="Settings used (values the sources leave open or that a clinic may set)")
    table.add_column("Setting", no_wrap=True)
    table.add_column("Value", justify="right")
    table.add_column("Status")
    table.add_column("Evidence")
    for s in settings:
        value = s["value"]
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        elif isinstance(value, (int, float)):
            shown = f"{value:g} {s['unit']}"
        else:
            shown = escape(str(value))
        table.add_row(escape(s["name"]), shown, s["status"], escape(", ".join(s["evidence"])))
    out.print(table)


def render_findings(out: Console, findings: Iterable[Mapping[str, Any]], title: str = "Findings") -> None:
    findings = list(findings)
    if not findings:
        out.print(f"[green]{title}: none[/green]")
        return
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("Rule", no_wrap=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Finding and reasoning", ratio=3)
    table.add_column("Evidence", ratio=2)
    for f in findings:
        sev = f["severity"]
        # Clinical text may hold square brackets (formulas, citations): never let Rich read them as markup.
        body = f"{escape(f['message'])}\n[dim]{escape(f.get('reasoning', ''))}[/dim]"
        if f.get("action"):
            body += f"\n[bold]What to do:[/bold] {escape(f['action'])}"
        if f.get("signs"):
            body += "\n[bold]Watch for:[/bold] " + escape(", ".join(f["signs"]))
        if f.get("override"):
            body += f"\n[magenta]Overridden: {escape(f['override']['reason'])}[/magenta]"
        table.add_row(
            escape(f["rule_id"]), f"[{SEVERITY_STYLE.get(sev, '')}]{sev}[/]", body, escape("\n".join(f["evidence"]))
        )
    out.print(table)
