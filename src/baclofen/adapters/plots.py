"""Concentration-time plots (matplotlib, Agg canvas, no pyplot state): bands, percentile ribbons, SVG/PNG.

Reusable by the CLI, reports and web pages: :func:`plot_concentration` draws any series with optional
bands and ribbons; :func:`plot_simulation` draws the ``to_dict()`` of a simulation result. SVG output is
deterministic (fixed hash salt, no date metadata), so the same result gives the same file.

Raises
------
InvalidInputError
    For an unsupported file type or series of mismatched lengths.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib import rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from baclofen.domain.errors import InvalidInputError

FORMATS = ("svg", "png")
BAND_COLOURS = {
    "low": "#f2f2f2",
    "usual": "#e3f2e1",
    "caution": "#fff4cc",
    "encephalopathy_reported": "#ffd9b3",
    "overdose_range": "#ffc2c2",
    "severe_intoxication": "#f5a3a3",
}
RIBBON_COLOUR = "#4c72b0"
FOOTNOTE = (
    "Simulated typical exposure; bands are literature-anchored heuristics, not a validated PD model. "
    "Decision support, not medical advice."
)


def check_plot_path(path: str | Path) -> str:
    """The image format of ``path`` (svg or png); its folder must exist (folders are never created)."""
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise InvalidInputError("plot", "a file name ending in .svg or .png", str(path))
    if not target.parent.is_dir():
        raise InvalidInputError("plot", "a file in an existing folder (folders are not created)", str(path))
    return fmt


def _check_series(times: Sequence[float], values: Sequence[float | None], name: str) -> list[float]:
    if len(values) != len(times):
        raise InvalidInputError(name, f"{len(times)} values (one per time)", len(values))
    return [math.nan if v is None else float(v) for v in values]


def plot_concentration(
    path: str | Path,
    times_h: Sequence[float],
    series: Mapping[str, Sequence[float]],
    *,
    unit: str = "ng/mL",
    title: str = "",
    bands: Sequence[Mapping[str, Any]] = (),
    ribbons: Sequence[tuple[str, Sequence[float], Sequence[float]]] = (),
    secondary: Mapping[str, Sequence[float]] | None = None,
    secondary_unit: str = "",
    log_y: bool = False,
    footnote: str = FOOTNOTE,
    dpi: int = 120,
    spans: Sequence[tuple[str, float, float]] = (),
    xlabel: str = "Time (h)",
) -> Path:
    """Draw concentration-time curves and save them as SVG or PNG (chosen by the file suffix).

    Parameters
    ----------
    times_h : time points (h)
    series : label -> concentrations (``unit``) at ``times_h``
    bands : band dicts (``name``, ``label``, ``lower_ng_per_ml``, ``upper_ng_per_ml``) shaded behind the
    curves
    ribbons : (label, lower, upper) percentile ribbons
    secondary : label -> values drawn on a right-hand axis in ``secondary_unit``
    spans : (label, start_h, end_h) time windows shaded across the plot (e.g. haemodialysis sessions)
    """
    target = Path(path)
    fmt = check_plot_path(target)
    times = [float(t) for t in times_h]
    fig = Figure(figsize=(9, 4.8), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    top = 0.0
    for label, lower, upper in ribbons:
        lo = _check_series(times, lower, f"ribbon {label}")
        hi = _check_series(times, upper, f"ribbon {label}")
        ax.fill_between(times, lo, hi, color=RIBBON_COLOUR, alpha=0.18, linewidth=0, label=label)
        top = max(top, max((v for v in hi if math.isfinite(v)), default=0.0))
    for i, (label, values) in enumerate(series.items()):
        vals = _check_series(times, values, f"series {label}")
        ax.plot(times, vals, linewidth=1.8 if i == 0 else 1.2, label=label)
        top = max(top, max((v for v in vals if math.isfinite(v)), default=0.0))
    ymax = top * 1.15 if top > 0 else 1.0
    for band in bands:
        band_lower = float(band["lower_ng_per_ml"])
        given_upper = band.get("upper_ng_per_ml")
        band_upper = ymax * 10 if given_upper is None else float(given_upper)
        if band_lower >= ymax:
            continue
        ax.axhspan(
            band_lower,
            min(band_upper, ymax * 10),
            color=BAND_COLOURS.get(str(band["name"]), "#eeeeee"),
            zorder=0,
            linewidth=0,
        )
        if band_lower > 0:
            ax.text(
                times[-1],
                band_lower,
                f" {band.get('label', band['name'])}",
                fontsize=7,
                va="bottom",
                ha="right",
                color="#555555",
            )
    labelled = set()
    for label, start_h, end_h in spans:
        ax.axvspan(
            float(start_h),
            float(end_h),
            color="#7f7f7f",
            alpha=0.25,
            linewidth=0,
            zorder=0.5,
            label=None if label in labelled else label,
        )
        labelled.add(label)
    ax.set_xlim(times[0], times[-1])
    if log_y:
        ax.set_yscale("log")
    else:
        ax.set_ylim(0, ymax)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"Concentration ({unit})")
    if title:
        ax.set_title(title, fontsize=11)
    if secondary:
        ax2 = ax.twinx()
        for label, values in secondary.items():
            ax2.plot(
                times,
                _check_series(times, values, f"series {label}"),
                linestyle="--",
                linewidth=1.2,
                color="#8c564b",
                label=label,
            )
        ax2.set_ylabel(secondary_unit)
        ax2.set_ylim(bottom=0)
        handles, labels = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(handles + h2, labels + l2, loc="upper left", fontsize=8)
    else:
        ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    fig.text(0.01, 0.01, footnote, fontsize=6.5, color="#666666")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    buffer = io.BytesIO()
    salt = rcParams["svg.hashsalt"]
    rcParams["svg.hashsalt"] = "baclofen"
    try:
        metadata = {"Date": None} if fmt == "svg" else {"Software": "baclofen"}
        fig.savefig(buffer, format=fmt, metadata=metadata)
    finally:
        rcParams["svg.hashsalt"] = salt
    target.write_bytes(buffer.getvalue())
    return target


def plot_simulation(result: Mapping[str, Any], path: str | Path) -> Path:
    """Plot a simulation result's ``to_dict()`` (oral, regimen or intrathecal)."""
    times = result["times_h"]
    if result.get("kind") == "intrathecal":
        return plot_concentration(
            path,
            times,
            {
                "lumbar CSF (ug/mL)": result["csf_ug_per_ml"],
                "effect site (ug/mL)": result["effect_site_ug_per_ml"],
            },
            unit="ug/mL",
            title=f"Intrathecal baclofen {result['daily_dose_mcg']:g} mcg/day"
            + (f" + {result['bolus_mcg']:g} mcg bolus" if result.get("bolus_mcg") else ""),
            secondary={"plasma (ng/mL)": result["plasma_ng_per_ml"]},
            secondary_unit="Plasma (ng/mL)",
            footnote="Typical lumbar CSF prediction (catheter-tip levels are higher); decision support, not "
            "medical advice.",
        )
    ribbons = []
    population = result.get("population")
    if population:
        pct = population["percentiles"]
        if "5" in pct and "95" in pct:
            ribbons.append(("population 5th-95th percentile", pct["5"], pct["95"]))
    series = {"typical subject": result["concentration_ng_per_ml"]}
    if population and "50" in population["percentiles"]:
        series["population median"] = population["percentiles"]["50"]
    kidney = result.get("kidney", {}).get("description", "")
    title = {"oral": "Oral baclofen", "regimen": "Plan regimen"}.get(str(result.get("kind")), "Baclofen")
    sessions = [
        ("haemodialysis session", float(w["start_h"]), float(w["end_h"])) for w in result.get("dialysis_sessions") or ()
    ]
    origin = result.get("time_origin")
    xlabel = f"Time (h after {str(origin).replace('T', ' ')[:16]})" if origin else "Time (h)"
    return plot_concentration(
        path,
        times,
        series,
        unit="ng/mL",
        title=f"{title}: plasma ({kidney})",
        bands=result.get("bands", {}).get("definitions", ()),
        ribbons=ribbons,
        spans=sessions,
        xlabel=xlabel,
    )
