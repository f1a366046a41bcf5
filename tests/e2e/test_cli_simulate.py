"""`baclofen simulate oral|intrathecal|regimen` end to end through the real entry point."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import pytest

from baclofen.domain.oral.plan import Plan, PlanKind, PlanStep, ScheduledDose
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.products import dispense_dose, get_oral_product


def _titration() -> dict:
    """A ``baclofen-plan/1`` document: 5 mg then 10 mg three times a day, three days each, 10 mg tablets."""
    tablet = get_oral_product("tablet-10mg")
    steps = tuple(
        PlanStep(
            date(2026, 5, first),
            date(2026, 5, first + 2),
            tuple(ScheduledDose(time(h), mg, dispense_dose(mg, tablet)) for h in (8, 14, 20)),
        )
        for first, mg in ((1, 5.0), (4, 10.0))
    )
    return Plan(PlanKind.TITRATION, steps, tablet, PatientSnapshot(), ()).to_dict()


TITRATION = _titration()


def one_line_error(result) -> str:
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error:")
    assert "Traceback" not in result.stderr
    return result.stderr


def test_oral_json_has_the_required_keys(run_cli) -> None:
    result = run_cli("simulate", "oral", "--dose-mg", "10", "--json")

    assert result.exit_code == 0
    data = result.json()
    for key in (
        "cmax_ng_per_ml",
        "tmax_h",
        "auc_ng_h_per_ml",
        "half_life_h",
        "times_h",
        "concentration_ng_per_ml",
        "findings",
        "kidney",
        "bands",
    ):
        assert key in data
    assert data["tmax_h"] == pytest.approx(1.57, abs=0.01)
    assert data["auc_ng_h_per_ml"] == pytest.approx(10000 / 11.6, rel=1e-6)


def test_oral_repeated_doses_with_kidney_function_and_a_population(run_cli) -> None:
    result = run_cli(
        "simulate",
        "oral",
        "--dose-mg",
        "20",
        "--interval-h",
        "8",
        "--doses",
        "6",
        "--crcl-ml-min",
        "40",
        "--population",
        "1200",
        "--seed",
        "7",
        "--json",
    )

    data = result.json()
    assert data["kidney"]["crcl_ml_min_used"] == 40.0
    assert data["auc_kind"].startswith("over [40, 48]")
    assert set(data["population"]["percentiles"]) == {"5", "50", "95"}
    assert data["population"]["seed"] == 7
    assert "PK-KIDNEY-004" in [f["rule_id"] for f in data["findings"]]


def test_oral_on_dialysis_shows_the_sessions_and_the_warnings(run_cli) -> None:
    result = run_cli(
        "simulate", "oral", "--dose-mg", "15", "--doses", "21", "--dialysis", "--hd-session", "48:4", "--json"
    )

    data = result.json()
    ids = {f["rule_id"] for f in data["findings"]}
    assert {"PK-BAND-001", "PK-KIDNEY-003", "PK-DIALYSIS-001"} <= ids
    assert data["dialysis_sessions"] == [{"start_h": 48.0, "end_h": 52.0, "extra_clearance_l_per_h": 7.7}]


def test_a_renal_condition_without_kidney_function_is_warned(run_cli) -> None:
    data = run_cli("simulate", "oral", "--dose-mg", "10", "--condition", "CKD stage 4", "--json").json()

    assert data["findings"][0]["rule_id"] == "PK-KIDNEY-001"


def test_oral_table_output_for_people(run_cli, tmp_path: Path) -> None:
    plot = tmp_path / "oral.svg"

    result = run_cli("simulate", "oral", "--dose-mg", "10", "--doses", "3", "--plot", str(plot))

    assert result.exit_code == 0
    assert "Cmax" in result.stdout and "not medical advice" in result.stdout
    assert plot.read_text().startswith("<?xml")


def test_intrathecal_json_with_a_bolus(run_cli) -> None:
    result = run_cli(
        "simulate", "intrathecal", "--daily-dose-mcg", "600", "--bolus-mcg", "50", "--hours", "12", "--json"
    )

    data = result.json()
    assert data["csf_steady_state_ug_per_ml"] == pytest.approx(0.8333, abs=1e-4)
    assert data["plasma_steady_state_ng_per_ml"] == pytest.approx(2.91, abs=0.01)
    assert data["effect_peak_h"] == pytest.approx(3.96, abs=0.05)
    assert len(data["csf_ug_per_ml"]) == len(data["times_h"])


def test_intrathecal_table_output(run_cli, tmp_path: Path) -> None:
    result = run_cli("simulate", "intrathecal", "--daily-dose-mcg", "300", "--plot", str(tmp_path / "itb.png"))

    assert result.exit_code == 0
    assert "Lumbar CSF steady state" in result.stdout
    assert (tmp_path / "itb.png").read_bytes()[:4] == b"\x89PNG"


def test_regimen_reads_a_plan_file(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(TITRATION))

    data = run_cli("simulate", "regimen", str(path), "--crcl-ml-min", "90", "--json").json()

    assert data["kind"] == "regimen"
    assert len(data["daily"]) == 7
    assert data["request"]["kidney_source"] == "arguments"
    assert data["daily"][5]["cavg_ng_per_ml"] > data["daily"][2]["cavg_ng_per_ml"]


def test_regimen_table_output(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(TITRATION))

    result = run_cli("simulate", "regimen", str(path))

    assert result.exit_code == 0
    assert "By day" in result.stdout


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("oral", "--dose-mg", "-5"), "--dose-mg"),
        (("oral", "--dose-mg", "5", "--crcl-ml-min", "-1"), "--crcl-ml-min"),
        (("oral", "--dose-mg", "5", "--crcl-ml-min", "251"), "--crcl-ml-min"),
        (("oral", "--dose-mg", "5", "--model", "pbpk"), "--model"),
        (("oral", "--dose-mg", "five"), "--dose-mg"),
        (("oral", "--dose-mg", "5", "--dialysis", "--crcl-ml-min", "20"), "--dialysis"),
        (("oral", "--dose-mg", "5", "--hd-session", "abc", "--dialysis"), "--hd-session"),
        (("oral", "--dose-mg", "5", "--setting", "pk.nope=1"), "--setting"),
        (("oral", "--dose-mg", "5", "--seed", "3"), "--seed"),
        (("oral", "--dose-mg", "5", "--plot", "out.pdf"), "--plot"),
        (("intrathecal", "--daily-dose-mcg", "-100"), "--daily-dose-mcg"),
        (("intrathecal", "--daily-dose-mcg", "100", "--bolus-mcg", "-1"), "--bolus-mcg"),
    ],
)
def test_bad_input_is_one_line_naming_the_option(run_cli, args: tuple[str, ...], option: str) -> None:
    assert option in one_line_error(run_cli("simulate", *args))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "valid JSON"),
        (json.dumps({"steps": []}), "schema_version"),
        (json.dumps({**TITRATION, "schema_version": "baclofen-plan/2"}), "schema_version"),
        (json.dumps({**TITRATION, "steps": []}), "steps"),
        (
            json.dumps(
                {
                    **TITRATION,
                    "steps": [
                        {**TITRATION["steps"][0], "doses": [{**TITRATION["steps"][0]["doses"][0], "time": "8am"}]},
                        TITRATION["steps"][1],
                    ],
                }
            ),
            "steps[0].doses[0].time",
        ),
    ],
)
def test_a_malformed_plan_file_names_the_field(run_cli, tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content)

    assert expected in one_line_error(run_cli("simulate", "regimen", str(path)))


def test_a_missing_plan_file_is_one_line(run_cli, tmp_path: Path) -> None:
    assert "FILE" in one_line_error(run_cli("simulate", "regimen", str(tmp_path / "none.json")))


def test_a_large_population_runs_with_a_progress_bar_and_a_table(run_cli) -> None:
    result = run_cli("simulate", "oral", "--dose-mg", "10", "--population", "20000", "--seed", "2", "--step-h", "1")

    assert result.exit_code == 0
    assert "Virtual population: 20000 subjects, seed 2" in result.stdout
    assert "Traceback" not in result.stderr


def test_regimen_reads_real_titration_and_taper_plans(run_cli, tmp_path: Path) -> None:
    """The JSON of `plan titrate/taper --json` as it is: a titration's last step continues, a taper stops."""
    titration = run_cli("plan", "titrate", "--start-date", "2024-02-20", "--json")
    taper = run_cli("plan", "taper", "--from-mg-per-day", "60", "--start-date", "2024-02-20", "--json")
    assert titration.exit_code == 0 and taper.exit_code == 0
    (tmp_path / "titration.json").write_text(titration.stdout)
    (tmp_path / "taper.json").write_text(taper.stdout)

    up = run_cli("simulate", "regimen", str(tmp_path / "titration.json"), "--json").json()
    down = run_cli("simulate", "regimen", str(tmp_path / "taper.json"), "--json").json()
    table = run_cli("simulate", "regimen", str(tmp_path / "titration.json"))

    assert up["request"]["last_step_continues"] is True
    assert up["daily"][-1]["cmin_ng_per_ml"] > 0.9 * up["daily"][-2]["cmin_ng_per_ml"]  # 60 mg/day goes on
    assert up["steady_state"]["cavg_ng_per_ml"] == pytest.approx(60000.0 / 24.0 / 11.6, rel=1e-6)
    assert [f["rule_id"] for f in up["findings"]] == ["PK-KIDNEY-002"]  # unknown kidney function is not CKD
    assert "continues" in table.stdout
    assert down["request"]["last_step_continues"] is False  # the stop step continues with no dose
    assert down["daily"][-1]["cmax_ng_per_ml"] < 2.0  # no dose after the taper's stop day
    assert down["steady_state"] is None


def test_progress_is_shown_on_stderr_when_asked_even_with_json_and_stdout_stays_json(run_cli) -> None:
    result = run_cli(
        "simulate", "oral", "--dose-mg", "10", "--population", "3000", "--step-h", "1", "--progress", "--json"
    )

    assert result.exit_code == 0, result.stderr
    assert result.json()["population"]["n_subjects"] == 3000
    lines = result.stderr.strip().splitlines()
    assert lines and lines[-1] == "virtual population: 3000/3000 subjects (100%)"


def test_progress_on_dask_comes_from_its_finished_chunks(run_cli) -> None:
    result = run_cli(
        "simulate", "oral", "--dose-mg", "10", "--population", "500", "--step-h", "1",
        "--dask", "--workers", "1", "--progress", "--json",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "virtual population: 500/500 subjects (100%)"


@pytest.mark.parametrize("option", [(), ("--no-progress",)])
def test_no_progress_when_stderr_is_not_a_terminal_or_when_refused(run_cli, option) -> None:
    result = run_cli("simulate", "oral", "--dose-mg", "10", "--population", "20000", "--step-h", "1", *option)

    assert result.exit_code == 0
    assert "virtual population" not in result.stderr


def test_a_large_population_shows_a_bar_on_a_terminal() -> None:
    """Run in a real pseudo-terminal (stderr a tty, stdout a pipe): the bar is drawn on stderr by default."""
    import os
    import pty
    import subprocess
    import sys

    main, replica = pty.openpty()
    code = "from baclofen.entrypoints.cli.app import main; main()"
    args = ["simulate", "oral", "--dose-mg", "10", "--population", "20000", "--step-h", "1"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=replica, env=env
    ) as process:
        os.close(replica)
        drawn = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the process closed the terminal
                break
            if not chunk:
                break
            drawn += chunk
        out = process.stdout.read()
    os.close(main)

    assert process.returncode == 0
    assert b"Virtual population: 20000 subjects" in out  # the tables on stdout, the bar on stderr only
    assert b"virtual population" in drawn and b"\x1b[" in drawn  # a bar, with terminal control sequences
