"""Every command's ``--json`` reports the settings it used in one shape (issue 10 item 2).

The commands are enumerated from the Typer application, so a new command with ``--json`` fails here until it
is given arguments below (and reports its settings): the shape is a list under ``"settings"`` at the top of
the document, one entry per setting with ``name``, ``value``, ``default``, ``unit``, ``status`` and
``evidence``; every nested ``"settings"`` (a plan inside a result, a pump in the catalogue) has the same shape.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command

from baclofen.domain.settings import SETTINGS, EvidenceStatus
from baclofen.entrypoints.cli.app import build_app

ROOT = Path(__file__).resolve().parents[2]
TIMELINE = str(ROOT / "docs" / "examples" / "timeline.json")
PLAN_FILE = "{plan}"  # replaced by a plan written by ``plan taper --json``
BACKUP_FILE = "{backup}"  # replaced by a backup file in the test's folder
DATABASE = "{database}"  # replaced by the URL of a new SQLite file

#: Valid arguments for each command that takes ``--json``, and a setting override it takes (or None).
COMMANDS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "alternatives": (("--failed",), "cds.dantrolene.no_benefit_stop_days=50"),
    "risk": ((TIMELINE,), "cds.risk.lookback_days=14"),
    "demo": (("--start-date", "2026-12-01"), None),
    "plan titrate": (("--start-date", "2026-12-01"), "patient.elderly_age_years=60"),
    "plan taper": (("--from-mg-per-day", "30", "--start-date", "2026-12-01"), None),
    "simulate oral": (("--dose-mg", "10"), "pk.renal.nonrenal_fraction=0.3"),
    "simulate intrathecal": (("--daily-dose-mcg", "100"), "pk.itb.csf_clearance_ml_per_h=25"),
    "simulate regimen": ((PLAN_FILE,), "pk.renal.nonrenal_fraction=0.3"),
    "itb screen": (("--responses", "no"), "cds.scales.itb_screening_ashworth_reduction_points=1.5"),
    "itb initial-dose": (("--screening-dose-mcg", "75", "--response-hours", "8"), None),
    "itb titrate": (("--current-mcg-per-day", "200"), None),
    "itb transition": (("--oral-mg-per-day", "60", "--itb-initial-mcg-per-day", "100"), None),
    "pump list": ((), None),
    "pump program": (
        ("--pump", "synchromed-ii-20", "--concentration-mcg-per-ml", "500", "--daily-dose-mcg", "200"),
        None,
    ),
    "pump forecast": (
        (
            "--pump",
            "synchromed-ii-20",
            "--volume-ml",
            "20",
            "--concentration-mcg-per-ml",
            "500",
            "--filled",
            "2026-06-01",
            "--daily-dose-mcg",
            "200",
        ),
        "pump.synchromed_ii.flow_accuracy_percent=5",
    ),
    "pump reconcile": (("--expected-ml", "4.9", "--aspirated-ml", "3.1"), None),
    "pump concentration-change": (
        (
            "--pump",
            "synchromed-ii-20",
            "--daily-dose-mcg",
            "200",
            "--old-mcg-per-ml",
            "500",
            "--new-mcg-per-ml",
            "1000",
            "--catheter-volume-ml",
            "0.2",
        ),
        None,
    ),
    "pump refill": (
        ("--pump", "synchromed-ii-20", "--concentration-mcg-per-ml", "500", "--daily-dose-mcg", "200"),
        "pump.synchromed_ii.flow_accuracy_percent=5",
    ),
    "check interactions": (("--drugs", "tizanidine,ciprofloxacin"), None),
    "check dose": (("--drug", "baclofen", "--mg-per-day", "30"), "oral.max_daily_dose_mg.us=60"),
    "check contraindications": (("--drug", "dantrolene"), None),
    "db upgrade": (("--database-url", DATABASE), None),
    "db current": (("--database-url", DATABASE), None),
    "db downgrade": (("base", "--database-url", DATABASE), None),
    "db backup": ((BACKUP_FILE, "--database-url", DATABASE), None),
    "db restore": ((BACKUP_FILE, "--database-url", DATABASE), None),
    "demo-data": (("--database-url", DATABASE, "--as-of", "2026-12-01"), None),
    "user create": (("--role", "admin", "--clinic", "C-1", "--username", "admin", "--database-url", DATABASE), None),
    "user set-password": (("--username", "admin", "--database-url", DATABASE), None),
    "user end-sessions": (("--username", "admin", "--database-url", DATABASE), None),
    "clinic-settings list": (("--clinic", "C-1", "--database-url", DATABASE), None),
    "clinic-settings set": (
        ("pump.refill_margin_days=10", "--clinic", "C-1", "--reason", "pharmacy", "--database-url", DATABASE),
        None,
    ),
    "clinic-settings reset": (
        ("pump.refill_margin_days", "--clinic", "C-1", "--reason", "default", "--database-url", DATABASE),
        None,
    ),
    "clinic-settings history": (("--clinic", "C-1", "--database-url", DATABASE), None),
    "guide": (("--locale", "uk"), "taper.min_days_to_zero=21"),
    "rules list": ((), None),
    "rules show": (("ORAL-MAX-001",), None),  # a rule that declares its settings (undeclared: null)
    "scale evaluate": (
        ("--scale", "nrs-spasticity", "--baseline", "8", "--current", "5", "--context", "nrs-30"),
        "cds.scales.nrs_responder_fraction=0.4",
    ),
}

SHAPE = {"name", "value", "default", "unit", "status", "evidence"}


def _json_commands() -> dict[str, set[str]]:
    """Every leaf command of the application that takes ``--json``, with its option names."""
    found: dict[str, set[str]] = {}

    def walk(command: Any, path: tuple[str, ...]) -> None:
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, (*path, name))
            return
        options = {o for p in command.params for o in getattr(p, "opts", ())}
        if "--json" in options:
            found[" ".join(path)] = options

    walk(get_command(build_app()), ())
    return found


def _settings_lists(data: Any, where: str = "") -> list[tuple[str, Any]]:
    """Every ``settings`` value in a document (the ``request`` echo of a simulation's inputs aside)."""
    out: list[tuple[str, Any]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "settings":
                out.append((f"{where}/settings", value))
            elif key != "request":
                out += _settings_lists(value, f"{where}/{key}")
    elif isinstance(data, list):
        for i, item in enumerate(data):
            out += _settings_lists(item, f"{where}[{i}]")
    return out


def _check_shape(where: str, used: Any) -> None:
    assert isinstance(used, list), f"{where}: a list, not {type(used).__name__}"
    for entry in used:
        assert isinstance(entry, dict) and SHAPE <= set(entry), f"{where}: {entry}"
        assert entry["name"] in SETTINGS, f"{where}: {entry['name']}"
        assert entry["status"] in {s.value for s in EvidenceStatus}, f"{where}: {entry['status']}"
        assert entry["evidence"] and all(isinstance(k, str) for k in entry["evidence"]), f"{where}: {entry}"
        assert entry["default"] == SETTINGS[entry["name"]].default, f"{where}: {entry}"


@pytest.fixture(autouse=True)
def _a_password_for_user_create(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACLOFEN_USER_PASSWORD", "correct horse battery")


def test_every_command_with_json_is_covered_here() -> None:
    assert set(_json_commands()) == set(COMMANDS)


def _args(run_cli: Any, tmp_path: Path, name: str, extra: tuple[str, ...] = ()) -> list[str]:
    args, _ = COMMANDS[name]
    if PLAN_FILE in args:
        plan = run_cli("plan", "taper", "--from-mg-per-day", "30", "--start-date", "2026-12-01", "--json")
        path = tmp_path / "plan.json"
        path.write_text(plan.stdout)
        args = tuple(str(path) if a == PLAN_FILE else a for a in args)
    if DATABASE in args:
        url = f"sqlite:///{tmp_path / 'baclofen.sqlite3'}"
        args = tuple(url if a == DATABASE else a for a in args)
        if name in ("user create", "demo-data", "db backup", "db restore") or name.startswith("clinic-settings"):
            # these need a migrated database
            assert run_cli("db", "upgrade", "--database-url", url).exit_code == 0
        if name in ("user set-password", "user end-sessions"):  # these need an account
            assert run_cli(*_args(run_cli, tmp_path, "user create")[:-1]).exit_code == 0
    if BACKUP_FILE in args:
        backup = str(tmp_path / "backup.sqlite3")
        if name == "db restore":
            assert run_cli("db", "backup", backup, "--database-url", url).exit_code == 0
        args = tuple(backup if a == BACKUP_FILE else a for a in args)
    return [*name.split(), *args, *extra, "--json"]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_json_reports_the_settings_used_as_one_list_shape(run_cli, tmp_path: Path, name: str) -> None:
    result = run_cli(*_args(run_cli, tmp_path, name))

    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert "settings" in data, f"{name}: no top-level 'settings'"
    for where, used in _settings_lists(data):
        _check_shape(f"{name} {where}", used)


@pytest.mark.parametrize("name", sorted(n for n, (_, override) in COMMANDS.items() if override))
def test_an_overridden_setting_is_reported_with_the_value_used(run_cli, tmp_path: Path, name: str) -> None:
    override = COMMANDS[name][1]
    assert override is not None and "--setting" in _json_commands()[name]
    setting, _, text = override.partition("=")

    data = json.loads(run_cli(*_args(run_cli, tmp_path, name, ("--setting", override))).stdout)

    used = {s["name"]: s for s in data["settings"]}
    assert used[setting]["value"] == pytest.approx(float(text))
    assert used[setting]["default"] == SETTINGS[setting].default


# --- one NAME=VALUE parser ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("noequals", "error: --setting: expected NAME=VALUE (a setting name, then = and its value) (got 'noequals')"),
        ("=0.3", "error: --setting: expected NAME=VALUE (a setting name, then = and its value) (got '=0.3')"),
        ("pk.renal.nonrenal_fraction=abc", "error: --setting pk.renal.nonrenal_fraction: expected a number in"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [
        ("simulate", "oral", "--dose-mg", "10"),
        ("simulate", "intrathecal", "--daily-dose-mcg", "100"),
        ("check", "dose", "--drug", "baclofen", "--mg-per-day", "30"),
    ],
)
def test_every_command_reads_name_value_settings_by_the_same_rules(
    run_cli, command: tuple[str, ...], text: str, expected: str
) -> None:
    """``simulate`` had its own NAME=NUMBER parser; every command now reads ``--setting`` by one parser."""
    if "pk." in text and command[0] == "check":
        text = text.replace("pk.renal.nonrenal_fraction", "oral.max_daily_dose_mg.us")
        expected = expected.replace("pk.renal.nonrenal_fraction", "oral.max_daily_dose_mg.us")

    result = run_cli(*command, "--setting", text)

    assert result.exit_code == 2
    assert result.stderr.startswith(expected), result.stderr
