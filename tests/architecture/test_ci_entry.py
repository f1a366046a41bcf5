"""The CI entry point replays the derandomised Hypothesis profile even where the CI system sets no CI=true."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ci_run_selects_the_derandomised_profile_without_relying_on_the_environment() -> None:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    make_at = next(i for i, line in enumerate(lines) if line.strip() == "make test")
    exports = [line for line in lines[:make_at] if line.strip().startswith("export CI=")]
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "HYPOTHESIS_PROFILE")}
    # Evaluate only the export line(s) (the rest of the script may start services).
    probe = "\n".join(exports) + '\nprintf "%s" "${CI:-}"\n'
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, env=env, check=True)

    assert out.stdout == "true"


def test_ci_true_loads_the_derandomised_profile() -> None:
    code = (
        "import sys; sys.path.insert(0, 'tests'); import conftest; from hypothesis import settings; "
        "print(settings().derandomize)"
    )
    env = {**{k: v for k, v in os.environ.items() if k != "HYPOTHESIS_PROFILE"}, "CI": "true"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True)

    assert out.stdout.strip() == "True"
