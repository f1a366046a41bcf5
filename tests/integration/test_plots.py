"""Concentration-time plots: SVG and PNG files with bands and ribbons, deterministic SVG."""

from __future__ import annotations

from pathlib import Path

import pytest

from baclofen.adapters.plots import plot_concentration, plot_simulation
from baclofen.domain.errors import InvalidInputError
from tests.simulations import intrathecal_simulation, oral_simulation


def test_an_oral_population_plot_has_bands_and_a_ribbon(tmp_path: Path) -> None:
    data = oral_simulation(20.0, doses=6, population=1100, seed=3).to_dict()

    path = plot_simulation(data, tmp_path / "oral.svg")

    svg = path.read_text()
    assert "population 5th-95th percentile" in svg
    assert "usual therapeutic" in svg
    assert "typical subject" in svg


def test_the_same_result_gives_the_same_svg(tmp_path: Path) -> None:
    data = oral_simulation(10.0).to_dict()

    a = plot_simulation(data, tmp_path / "a.svg").read_bytes()
    b = plot_simulation(data, tmp_path / "b.svg").read_bytes()

    assert a == b


def test_an_intrathecal_plot_as_png(tmp_path: Path) -> None:
    data = intrathecal_simulation(600.0, bolus_mcg=50.0).to_dict()

    path = plot_simulation(data, tmp_path / "itb.png")

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # issue 8 d15: a missing folder is refused, never created
    with pytest.raises(InvalidInputError, match="plot"):
        plot_simulation(data, tmp_path / "sub" / "itb.png")
    assert not (tmp_path / "sub").exists()


def test_unsupported_formats_and_mismatched_series_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="plot"):
        plot_concentration(tmp_path / "x.pdf", [0.0, 1.0], {"a": [0.0, 1.0]})
    with pytest.raises(InvalidInputError, match="series a"):
        plot_concentration(tmp_path / "x.svg", [0.0, 1.0], {"a": [0.0]})


def test_haemodialysis_sessions_are_marked_on_the_plot(tmp_path: Path) -> None:
    """Journey 7: a nephrologist sees when the sessions were, not only unexplained dips in the curve."""
    with_sessions = oral_simulation(
        10.0, interval_h=12.0, doses=10, dialysis=True, hd_sessions=[(48.0, 4.0), (96.0, 4.0)]
    ).to_dict()

    svg = plot_simulation(with_sessions, tmp_path / "hd.svg").read_text()
    plain = plot_simulation(oral_simulation(10.0, doses=3).to_dict(), tmp_path / "plain.svg").read_text()

    assert svg.count("haemodialysis session") == 1  # one legend entry for both sessions
    assert "haemodialysis session" not in plain
