"""Square brackets in clinical text or user input are shown as written, never taken for Rich markup."""

from __future__ import annotations

from rich.console import Console

from baclofen.entrypoints.cli.output import render_findings


def test_a_formula_in_square_brackets_is_printed_whole() -> None:
    out = Console(width=200, record=True)
    finding = {
        "rule_id": "PK-X-001",
        "severity": "warn",
        "message": "CL/F = 11.6 x [f_nr + (1 - f_nr) x CrCl/110]",
        "reasoning": "see [pk-models]",
        "evidence": ["[S22] title — url"],
    }

    render_findings(out, [finding])

    text = out.export_text()
    assert "[f_nr + (1 - f_nr) x CrCl/110]" in text
    assert "[pk-models]" in text


def test_a_drug_name_that_looks_like_markup_is_reported_not_a_crash(run_cli) -> None:
    result = run_cli("check", "interactions", "--drugs", "baclofen,[/x],[red]y")

    assert result.exit_code == 0
    assert "[/x]" in result.stdout and "[red]y" in result.stdout
    assert "Traceback" not in result.stderr
