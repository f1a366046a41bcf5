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
        [sys.executable, "-c", "from baclofen.entrypoints.cli.app import main; main()", "plan", "taper",
         "--from-mg-per-day", "abc"],
        capture_output=True, text=True, check=False,
    )

    assert proc.returncode == 2
    assert "--from-mg-per-day" in proc.stderr
    assert "Traceback" not in proc.stderr
