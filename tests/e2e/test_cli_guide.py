"""`baclofen guide`: the patient guide as Markdown (or JSON), for a locale, with settings changed by name."""

from __future__ import annotations

from typing import Any

from baclofen.domain.guide import TOPICS
from baclofen.domain.oral.limits import MAX_DAILY_DOSE_UK, MAX_DAILY_DOSE_US


def test_guide_prints_every_topic_with_the_us_limit_and_the_disclaimer(run_cli: Any) -> None:
    result = run_cli("guide")

    assert result.exit_code == 0, result.stderr
    for title in TOPICS.values():
        assert title in result.stdout
    assert f"The most in one day is {MAX_DAILY_DOSE_US.default:g} mg (US limit)" in result.stdout
    assert "decision support, not medical advice" in result.stdout
    assert "- [S4] " in result.stdout


def test_guide_for_the_uk_with_a_changed_setting(run_cli: Any) -> None:
    result = run_cli("guide", "--locale", "uk", "--setting", "pump.refill_margin_days=12")

    assert result.exit_code == 0, result.stderr
    assert f"The most in one day is {MAX_DAILY_DOSE_UK.default:g} mg (UK limit)" in result.stdout
    assert "at least 12 days before the pump's low-reservoir alarm" in result.stdout
    assert "In an emergency call 999." in result.stdout


def test_guide_json_reports_the_changed_setting(run_cli: Any) -> None:
    data = run_cli("guide", "--setting", "taper.min_days_to_zero=28", "--json").json()

    used = {s["name"]: s["value"] for s in data["settings"]}
    assert used["taper.min_days_to_zero"] == 28
    texts = [s["text"] for section in data["sections"] for s in section["statements"]]
    assert any("at least 28 days" in t for t in texts)


def test_guide_refuses_an_unknown_locale_naming_the_option(run_cli: Any) -> None:
    result = run_cli("guide", "--locale", "fr")

    assert result.exit_code == 2
    assert "--locale" in result.stderr and "us or uk" in result.stderr


def test_the_readme_guide_examples_run(run_cli: Any) -> None:
    import shlex
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = text.split("## Patient guide", 1)[1].split("\n## ", 1)[0]
    lines = [line.split("#", 1)[0].strip() for line in section.splitlines() if line.startswith("baclofen guide")]

    assert len(lines) >= 3
    for line in lines:
        result = run_cli(*shlex.split(line)[1:])
        assert result.exit_code == 0, (line, result.stderr)
