"""One input edge: every date option of every command refuses an implausible or malformed date the same way
(exit 2, one line naming the option), and several bad options are all reported at once (one line each)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from typer.main import get_command

from baclofen.entrypoints.cli.app import build_app

PUMP = ("--pump", "synchromed-ii-20", "--concentration-mcg-per-ml", "500", "--daily-dose-mcg", "200")
FORECAST = ("pump", "forecast", *PUMP, "--volume-ml", "20")
REFILL = ("pump", "refill", *PUMP)

#: (command path, option) -> a valid argument list of that command without the option.
DATE_OPTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("plan titrate", "--start-date"): ("plan", "titrate"),
    ("plan taper", "--start-date"): ("plan", "taper", "--from-mg-per-day", "30"),
    ("demo", "--start-date"): ("demo",),
    ("demo-data", "--as-of"): ("demo-data", "--database-url", "sqlite:///no-such-folder/demo.sqlite3"),
    ("itb transition", "--infusion-start"): (
        "itb",
        "transition",
        "--oral-mg-per-day",
        "30",
        "--itb-initial-mcg-per-day",
        "100",
    ),
    ("pump forecast", "--filled"): FORECAST,
    ("pump forecast", "--implanted"): (*FORECAST, "--filled", "2026-01-01"),
    ("pump forecast", "--eri-date"): (*FORECAST, "--filled", "2026-01-01", "--implanted", "2020-01-01"),
    ("pump forecast", "--mri-date"): (*FORECAST, "--filled", "2026-01-01"),
    ("pump forecast", "--as-of"): (*FORECAST, "--filled", "2026-01-01"),
    ("pump refill", "--refilled"): REFILL,
    ("pump refill", "--implanted"): (*REFILL, "--refilled", "2026-01-01"),
    ("pump refill", "--as-of"): (*REFILL, "--refilled", "2026-01-01"),
    ("pump refill", "--previous-filled"): (
        *REFILL,
        "--refilled",
        "2026-02-01",
        "--expected-ml",
        "2",
        "--aspirated-ml",
        "2",
        "--previous-fill-ml",
        "20",
    ),
    ("alternatives", "--start-date"): (
        "alternatives",
        "--failed",
        "--switch-to",
        "tizanidine",
        "--from-mg-per-day",
        "30",
    ),
}


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    subs = getattr(command, "commands", None)
    if subs:
        for name, sub in subs.items():
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path), command


def _date_options() -> set[tuple[str, str]]:
    """Every option whose help asks for a date (``YYYY-MM-DD``), found in the CLI itself."""
    found = set()
    for path, command in _commands(get_command(build_app())):
        for param in command.params:
            long = [o for o in param.opts if o.startswith("--")]
            if long and "YYYY-MM-DD" in (getattr(param, "help", None) or ""):
                found.add((path, long[0]))
    return found


def test_the_table_lists_every_date_option_of_the_cli() -> None:
    # A new date option must join DATE_OPTIONS (and so the checks below); help text that says the format is
    # how the CLI tells a user it takes a date.
    assert _date_options() <= set(DATE_OPTIONS)


@pytest.mark.parametrize("bad", ["9999-12-01", "1899-12-31", "2026-02-30", "tomorrow"])
@pytest.mark.parametrize("key", sorted(DATE_OPTIONS), ids=lambda k: f"{k[0]} {k[1]}")
def test_a_bad_date_on_any_date_option_is_one_line_naming_it(run_cli, key: tuple[str, str], bad: str) -> None:
    _, option = key

    result = run_cli(*DATE_OPTIONS[key], option, bad, "--json")

    assert result.exit_code == 2, result.stdout[:300]
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"error: {option}:"), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


#: Date options of commands that write a migrated database: their plausible dates are accepted in their own tests
#: (demo-data: tests/e2e/test_cli_demo_data.py); a bad date is refused before any database is opened.
NEEDS_A_DATABASE = {("demo-data", "--as-of")}


@pytest.mark.parametrize("key", sorted(set(DATE_OPTIONS) - NEEDS_A_DATABASE), ids=lambda k: f"{k[0]} {k[1]}")
def test_a_plausible_date_on_any_date_option_is_accepted(run_cli, key: tuple[str, str]) -> None:
    _, option = key
    value = {"--previous-filled": "2026-01-01", "--implanted": "2025-06-01"}.get(option, "2026-03-01")

    result = run_cli(*DATE_OPTIONS[key], option, value, "--json")

    assert result.exit_code == 0, result.stderr


def test_every_bad_option_of_a_command_is_reported_at_once_one_line_each(run_cli) -> None:
    result = run_cli(*FORECAST, "--filled", "2026-13-01", "--as-of", "9999-12-01", "--implanted", "soon")

    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 3, result.stderr
    assert all(line.startswith("error: ") for line in lines)
    assert [line.split(":")[1].strip() for line in lines] == ["--filled", "--implanted", "--as-of"]


def test_a_bad_flex_and_a_bad_date_are_both_reported(run_cli) -> None:
    args = ("pump", "forecast", "--pump", "synchromed-ii-20", "--concentration-mcg-per-ml", "500")

    result = run_cli(*args, "--volume-ml", "20", "--flex", "06:00=abc", "--filled", "9999-12-01")

    assert result.exit_code == 2
    assert {line.split(":")[1].strip() for line in result.stderr.splitlines()} == {"--flex", "--filled"}


def test_a_refill_reports_its_bad_history_and_visit_options_at_once(run_cli) -> None:
    result = run_cli(
        *REFILL,
        "--refilled",
        "2026-03-02",
        "--expected-ml",
        "4.9",
        "--aspirated-ml",
        "3.1",
        "--previous",
        "4.9:x",
        "--implanted",
        "soon",
        "--flex",
        "06:00=abc",
        "--as-of",
        "9999-12-01",
        "--json",
    )

    assert result.exit_code == 2
    named = [line.split(":")[1].strip() for line in result.stderr.splitlines()]
    assert sorted(named) == ["--as-of", "--flex", "--implanted", "--previous"], result.stderr


def test_a_simulation_reports_every_bad_option_at_once_one_line_each(run_cli) -> None:
    result = run_cli(
        "simulate",
        "oral",
        "--dose-mg",
        "10",
        "--hd-session",
        "48",
        "--model",
        "pbpk",
        "--setting",
        "nonsense",
        "--population",
        "100",
        "--crcl-range",
        "5-15",
        "--json",
    )

    assert result.exit_code == 2
    assert result.stdout == ""
    named = [line.split(":")[1].strip() for line in result.stderr.splitlines()]
    assert named == ["--hd-session", "--model", "--setting", "--crcl-range"], result.stderr


def test_a_bad_plan_file_and_bad_options_of_simulate_regimen_are_reported_together(run_cli, tmp_path) -> None:
    plan = run_cli("plan", "titrate", "--start-date", "2026-03-01", "--json")
    document = json.loads(plan.stdout)
    document["steps"][0]["doses"][0]["time"] = "8am"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))

    result = run_cli("simulate", "regimen", str(path), "--model", "pbpk", "--crcl-range", "x", "--json")

    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["FILE steps[0].doses[0].time", "--model", "--crcl-range"]


def test_a_scale_evaluation_reports_every_bad_option_at_once(run_cli) -> None:
    result = run_cli("scale", "evaluate", "--scale", "mas", "--baseline", "x", "--current", "9", "--context", "nope")

    assert result.exit_code == 2
    named = [line.split(":")[1].strip() for line in result.stderr.splitlines()]
    assert named == ["--context", "--baseline", "--current"], result.stderr


def test_an_error_inside_a_timeline_names_its_path_in_the_argument(run_cli, tmp_path) -> None:
    path = tmp_path / "timeline.json"
    path.write_text(json.dumps({"as_of": "yesterday"}))

    result = run_cli("risk", str(path), "--setting", "bad", "--json")

    assert result.exit_code == 2
    assert [line.split(":")[1].strip() for line in result.stderr.splitlines()] == ["TIMELINE as_of", "--setting"]
