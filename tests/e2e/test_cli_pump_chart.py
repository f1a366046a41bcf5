"""`pump forecast --chart FILE.svg` writes the reservoir forecast chart (adapters/charts.py) beside the forecast."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

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
    "200",
    "--filled",
    "2027-01-06",
)


def test_the_forecast_chart_is_written_with_the_dates_of_the_forecast(run_cli, tmp_path: Path) -> None:
    chart = tmp_path / "forecast.svg"

    result = run_cli(*FORECAST, "--chart", str(chart), "--json")

    assert result.exit_code == 0, result.stderr
    data = result.json()
    svg = chart.read_text(encoding="utf-8")
    desc = ElementTree.fromstring(svg).find("{http://www.w3.org/2000/svg}desc")
    assert desc is not None and desc.text is not None
    assert f"empty on {data['empty_date']}" in desc.text
    assert f"refill by {data['recommended_refill_date']}" in desc.text


def test_a_chart_that_is_not_svg_or_in_a_missing_folder_is_refused_before_forecasting(run_cli, tmp_path: Path) -> None:
    for target in (tmp_path / "forecast.png", tmp_path / "missing" / "forecast.svg"):
        result = run_cli(*FORECAST, "--chart", str(target))

        assert result.exit_code != 0
        assert "--chart" in result.stderr
        assert not target.exists() and not (tmp_path / "missing").exists()
