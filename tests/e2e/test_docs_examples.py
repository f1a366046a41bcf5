"""The examples the documentation points at run as documented."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_timeline_example_gives_a_high_risk_with_a_clinic_alert(run_cli) -> None:
    result = run_cli("risk", str(ROOT / "docs" / "examples" / "timeline.json"), "--json")

    assert result.exit_code == 0
    data = result.json()
    assert data["level"] == "high"
    assert data["alert_clinic"] is True


def test_the_readme_names_both_commands_and_the_disclaimer() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")

    assert "make run" in text and "make test" in text
    assert "not medical advice" in text
