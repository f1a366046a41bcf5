"""Shared pieces of the invariant tests: example counts, file writing, the assertion message."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from hypothesis import settings

from tests.invariants.cli import Run, run
from tests.invariants.invariants import inv_clean_exit


def examples(n: int) -> int:
    """``n`` examples in the dev and CI profiles; the ``thorough`` profile's count (1000) when larger."""
    profile = settings().max_examples
    return profile if profile > 100 else n


def write(folder: Path, content: str | dict[str, Any], suffix: str = ".json") -> str:
    path = folder / f"{uuid.uuid4().hex[:12]}{suffix}"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def report(r: Run, problems: list[str]) -> str:
    """The assertion message: the command to reproduce, the broken invariants and the exit."""
    return f"\n  $ {r.command}\n  exit {r.exit_code}\n  " + "\n  ".join(problems)


def run_clean(*args: str) -> Run:
    """Run and assert invariant 0 (clean exit: JSON, or exit 2 with one line naming an option)."""
    r = run(*args)
    problems = inv_clean_exit(r)
    assert not problems, report(r, problems)
    return r
