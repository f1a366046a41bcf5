"""The one error mapping of the CLI: bad input is one line on stderr and exit code 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_help_lists_every_area(run_cli) -> None:
    result = run_cli("--help")

    assert result.exit_code == 0
    for area in ("plan", "simulate", "itb", "pump"):
        assert area in result.stdout
    assert "not medical advice" in result.stdout


def test_an_unknown_command_is_one_line_with_exit_code_2(run_cli) -> None:
    result = run_cli("frobnicate")

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error:")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "titrate", "--doses-per-day", "five"),
        ("plan", "taper", "--from-mg-per-day", "-10"),
        ("plan", "titrate", "--start-date", "2026-13-40"),
    ],
)
def test_bad_option_values_name_the_option_in_one_line(run_cli, args: tuple[str, ...]) -> None:
    result = run_cli(*args)

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert any(part in result.stderr for part in args if part.startswith("--"))


def test_the_installed_console_script_maps_errors_the_same_way() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from baclofen.entrypoints.cli.app import main; main()",
            "plan",
            "taper",
            "--from-mg-per-day",
            "abc",
        ],
        capture_output=True,
        text=True,
        check=False,
    )

    assert proc.returncode == 2
    assert "--from-mg-per-day" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "taper", "--from-mg-per-day", "60", "--start-date", "9999-12-31"),
        ("plan", "titrate", "--start-date", "9999-12-31"),
        (
            "pump",
            "forecast",
            "--pump",
            "synchromed-ii-20",
            "--volume-ml",
            "20",
            "--concentration-mcg-per-ml",
            "500",
            "--daily-dose-mcg",
            "400",
            "--filled",
            "9999-12-01",
        ),
    ],
)
def test_a_date_so_late_that_the_plan_runs_past_the_calendar_is_one_line_not_a_traceback(run_cli, args) -> None:
    result = run_cli(*args)

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error:") and "date" in result.stderr
    assert result.stdout == ""


def test_a_very_long_value_is_shortened_in_the_error_line(run_cli) -> None:
    result = run_cli("plan", "titrate", "--product", "x" * 5000)

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "--product" in result.stderr
    assert len(result.stderr) < 1000


def test_the_disclaimer_is_plain_text_even_when_the_content_fell_back_to_no_markup(capsys) -> None:
    from baclofen.entrypoints.cli.output import DISCLAIMER, emit

    emit({}, False, lambda out: out.print("a formula [/x] from a source"))

    out = capsys.readouterr().out
    assert "a formula [/x] from a source" in out
    assert DISCLAIMER in out
    assert "[dim]" not in out


def test_an_error_in_a_positional_argument_names_the_argument_as_usage_shows_it() -> None:
    """A domain error whose field is a command's positional argument names that argument ('file', as typer's
    usage line and 'Missing argument' show it), not a traceback (typer's click has no human_readable_name)."""
    import typer
    from typer.testing import CliRunner

    from baclofen.domain.errors import InvalidInputError
    from baclofen.entrypoints.cli.errors import map_errors

    app = typer.Typer()

    @app.command()
    def read(file: str, dose_mg: float = 1.0) -> None:
        with map_errors():
            raise InvalidInputError("file", "a plan JSON file", file)

    result = CliRunner().invoke(app, ["plan.json"])

    assert result.exit_code == 2, result.output
    assert "file: expected a plan JSON file (got 'plan.json')" in result.output
