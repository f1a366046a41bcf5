"""Fixtures of the invariant suite (session-scoped only: Hypothesis re-runs the test body per example)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.invariants.cli import run


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("invariants")


@pytest.fixture(scope="session")
def plan_file(workdir: Path) -> str:
    """A valid plan JSON (from ``plan taper --json``) for ``simulate regimen``."""
    path = workdir / "plan.json"
    path.write_text(run("plan", "taper", "--from-mg-per-day", "30", "--start-date", "2026-06-01", "--json").stdout)
    return str(path)


@pytest.fixture(scope="session")
def timeline_file(workdir: Path) -> str:
    path = workdir / "timeline.json"
    path.write_text(
        '{"schema": "baclofen-timeline/1", "as_of": "2027-01-10T09:00:00+00:00", '
        '"oral": {"prescriptions": [{"start": "2026-06-01", "end": null, "daily_dose_mg": 30}]}}'
    )
    return str(path)
