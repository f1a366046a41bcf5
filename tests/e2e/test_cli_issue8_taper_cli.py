"""Issue 8 defects 7, 15 and 16 through the CLI: taper steps, hardened inputs, terminal width."""

from __future__ import annotations

from typing import Any


def test_issue8_d7_cli_a_taper_with_one_big_step_is_not_offerable(run_cli: Any) -> None:
    """`plan taper --from-mg-per-day 80 --max-step-mg 80 --months-on-therapy 1` gave 40 mg/day then 0 with info only.

    Issue 9 item 2: the step size is UNCONFIRMED (S109, never the basis of a hard rule): the finding is a warn,
    named, on the last step to zero too (a block only where the clinic profile says so)."""
    result = run_cli(
        "plan", "taper", "--from-mg-per-day", "80", "--max-step-mg", "80", "--months-on-therapy", "1", "--json"
    )

    assert result.exit_code == 0, result.stderr
    data = result.json()
    step = next(f for f in data["findings"] if f["rule_id"] == "TAPER-STEP-001")
    assert step["severity"] == "warn"
    assert step["data"]["last_step_to_zero_mg_per_day"] == 40.0


# --- defect 15: crashes and silent acceptance ------------------------------------------------------------------
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

HOSTILE_JSON = {
    "a 4,300-digit number": '{"steps": [' + "1" * 4300 + "]}",
    "a 100k-deep nesting": "[" * 100_000 + "]" * 100_000,
    "a long float": '{"x": 0.' + "1" * 5000 + "}",
    "NaN": '{"x": NaN}',
}


def _one_error_line(result: Any, *names: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout[-300:], result.stderr[-300:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr[-500:]
    assert "Traceback" not in result.stderr
    for name in names:
        assert name in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("command", [("simulate", "regimen"), ("risk",)])
@pytest.mark.parametrize("content", list(HOSTILE_JSON.values()), ids=list(HOSTILE_JSON))
def test_issue8_d15_hostile_json_files_exit_2_naming_the_file(
    run_cli: Any, tmp_path: Path, command: tuple[str, ...], content: str
) -> None:
    """`simulate regimen` and `risk` on a JSON with a 4,300-digit number or 100k nesting gave a traceback."""
    path = tmp_path / "hostile.json"
    path.write_text(content, encoding="utf-8")

    _one_error_line(run_cli(*command, str(path)), "hostile.json")


def test_issue8_d15_a_too_large_json_file_is_refused(run_cli: Any, tmp_path: Path) -> None:
    from baclofen.entrypoints.cli.files import MAX_JSON_BYTES

    path = tmp_path / "big.json"
    path.write_text('{"x": "' + "a" * MAX_JSON_BYTES + '"}', encoding="utf-8")

    _one_error_line(run_cli("risk", str(path)), "big.json")


@pytest.mark.parametrize("address", ["notaurl", "tcp://", "http://example.org:8786", "tcp://host:port"])
def test_issue8_d15_a_malformed_scheduler_address_exits_2_naming_scheduler(run_cli: Any, address: str) -> None:
    """`--scheduler notaurl` gave a traceback after 30 s."""
    started = time.monotonic()
    result = run_cli("simulate", "oral", "--dose-mg", "10", "--population", "10", "--scheduler", address)

    _one_error_line(result, "--scheduler")
    assert time.monotonic() - started < 5


def test_issue8_d15_an_unreachable_scheduler_fails_fast_naming_scheduler(run_cli: Any) -> None:
    """An unreachable scheduler gave a traceback after 30 s: a short connect timeout and a clear error."""
    pytest.importorskip("distributed")
    started = time.monotonic()
    result = run_cli("simulate", "oral", "--dose-mg", "10", "--population", "10", "--scheduler", "tcp://127.0.0.1:9")

    line = _one_error_line(result, "--scheduler")
    assert "tcp://127.0.0.1:9" in line
    assert time.monotonic() - started < 25


def test_issue8_d15_a_population_above_the_in_process_limit_names_population(run_cli: Any) -> None:
    """`--population 10000000` ran without limit or warning."""
    line = _one_error_line(
        run_cli("simulate", "oral", "--dose-mg", "10", "--population", "10000000", "--json"), "--population"
    )
    assert "simulation.max_population_in_process" in line


FORECAST = (
    "pump",
    "forecast",
    "--pump",
    "synchromed-ii-20",
    "--volume-ml",
    "20",
    "--concentration-mcg-per-ml",
    "500",
    "--daily-dose-mcg",
    "500",
)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01"])
@pytest.mark.parametrize(
    ("args", "option"),
    [
        ((*FORECAST, "--filled", "{}"), "--filled"),
        ((*FORECAST, "--filled", "{}T08:00"), "--filled"),
        ((*FORECAST, "--filled", "2026-01-01", "--as-of", "{}"), "--as-of"),
        ((*FORECAST, "--filled", "2026-01-01", "--implanted", "{}"), "--implanted"),
        (("plan", "taper", "--from-mg-per-day", "30", "--start-date", "{}"), "--start-date"),
    ],
)
def test_issue8_d15_every_date_option_has_one_range_and_names_the_option(
    run_cli: Any, args: tuple[str, ...], option: str, value: str
) -> None:
    """`--filled 0001-01-01` was accepted and `9999-12-31` named no option."""
    line = _one_error_line(run_cli(*(a.replace("{}", value) for a in args), "--json"), option)
    assert "1900-01-01" in line and "2200-12-31" in line


@pytest.mark.parametrize("value", ["nan", "-1", "inf", "0"])
def test_issue8_d15_alternatives_refuses_a_bad_current_dose(run_cli: Any, value: str) -> None:
    """`alternatives --from-mg-per-day nan`/`-1` were silently accepted."""
    _one_error_line(run_cli("alternatives", "--failed", "--from-mg-per-day", value, "--json"), "--from-mg-per-day")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_issue8_d15_no_float_option_accepts_nan_or_infinity(run_cli: Any, value: str) -> None:
    _one_error_line(run_cli("simulate", "oral", "--dose-mg", value, "--json"), "--dose-mg")
    _one_error_line(run_cli("check", "dose", "--drug", "baclofen", "--mg-per-day", value, "--json"), "--mg-per-day")


@pytest.mark.parametrize("extra", [(), ("--dask",)])
def test_issue8_d15_workers_below_one_is_refused(run_cli: Any, extra: tuple[str, ...]) -> None:
    """`--workers -1` was silently accepted (without --dask)."""
    _one_error_line(run_cli("simulate", "oral", "--dose-mg", "10", "--workers", "-1", *extra, "--json"), "--workers")


@pytest.mark.parametrize(
    "args", [("check", "interactions", "--drugs", "a;b"), ("alternatives", "--failed", "--drugs", "a;b")]
)
def test_issue8_d15_a_drug_list_with_semicolons_is_refused(run_cli: Any, args: tuple[str, ...]) -> None:
    """`--drugs "a;b"` exited 0."""
    line = _one_error_line(run_cli(*args, "--json"), "--drugs")
    assert "comma" in line


def test_issue8_d15_plot_into_a_missing_folder_is_refused(run_cli: Any, tmp_path: Path) -> None:
    """`--plot` into a missing folder created the folders."""
    target = tmp_path / "missing" / "deeper" / "plot.svg"

    _one_error_line(run_cli("simulate", "oral", "--dose-mg", "10", "--plot", str(target), "--json"), "--plot")
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("simulate", "oral", "--dose-mg", "10", "--setting", "nope=1"),
        ("simulate", "intrathecal", "--daily-dose-mcg", "100", "--setting", "nope=1"),
        ("check", "dose", "--drug", "baclofen", "--mg-per-day", "30", "--setting", "nope=1"),
    ],
)
def test_issue8_d15_a_bad_setting_is_reported_as_the_setting_option(run_cli: Any, args: tuple[str, ...]) -> None:
    """Wrong option names in errors (`setting:` for `--setting`)."""
    line = _one_error_line(run_cli(*args, "--json"), "--setting")
    assert line.startswith("error: --setting: ") and "setting:" not in line.replace("--setting:", "")


# --- defect 16: human output follows the terminal width -------------------------------------------------------
TAPER = ("plan", "taper", "--from-mg-per-day", "60", "--months-on-therapy", "24", "--start-date", "2026-12-01")


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


@pytest.mark.parametrize("columns", [60, 80, 200])
def test_issue8_d16_human_output_follows_the_columns_setting(
    run_cli: Any, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    """Human output was fixed at 120 columns (`Console(width=120)`): follow the terminal width."""
    monkeypatch.setenv("COLUMNS", str(columns))
    result = run_cli(*TAPER)

    assert result.exit_code == 0, result.stderr
    assert _widest(result.stdout) <= columns
    assert _widest(result.stdout) > columns - 10  # tables use the width they are given


def test_issue8_d16_a_terminal_width_is_used(run_cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from baclofen.entrypoints.cli import output

    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(output, "_stdout_is_terminal", lambda: True)
    monkeypatch.setattr(output, "_terminal_columns", lambda: 90)

    assert 80 < _widest(run_cli(*TAPER).stdout) <= 90


def test_issue8_d16_without_a_terminal_or_columns_the_width_is_120(
    run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)

    assert _widest(run_cli(*TAPER).stdout) == 120
