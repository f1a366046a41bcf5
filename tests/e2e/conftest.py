"""End-to-end fixtures: human output is drawn at the fallback width unless a test sets COLUMNS itself."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fixed_output_width(monkeypatch: pytest.MonkeyPatch) -> None:
    # The CLI follows the terminal width (COLUMNS when set): keep the tables' expected layout stable.
    monkeypatch.delenv("COLUMNS", raising=False)
