"""CLI tests for the fixes of the defects the independent review of issue 8 left open."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_review_d15_duplicate_keys_in_a_plan_file_are_refused(run_cli: Any, tmp_path: Path) -> None:
    """A plan file with a key given twice was read last-wins: refused, naming the file and the key."""
    path = tmp_path / "plan.json"
    path.write_text('{"doses": [{"time": "08:00", "mg": 10}], "doses": []}')

    r = run_cli("simulate", "regimen", str(path), "--json")

    assert r.exit_code == 2
    line = r.stderr.strip()
    assert len(line.splitlines()) == 1 and "plan.json" in line and "doses" in line and "FILE" in line


def test_review_d15_a_key_repeated_in_a_nested_object_is_refused(run_cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "timeline.json"
    path.write_text('{"as_of": "2027-01-10T09:00:00+00:00", "patient": {"crcl_ml_min": 90, "crcl_ml_min": 20}}')

    r = run_cli("risk", str(path), "--json")

    assert r.exit_code == 2 and "crcl_ml_min" in r.stderr and "TIMELINE" in r.stderr
