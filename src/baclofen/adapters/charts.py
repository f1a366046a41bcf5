"""Charts for pages and reports as SVG text: reservoir forecast, exposure with its bands, diary against dose.

Each ``render_*`` function takes the domain's or a use case's result (no I/O, no clock) and returns one SVG
document as a string that a web page can inline and a PDF can embed:

* **accessible**: ``role="img"`` with a ``<title>`` and a ``<desc>`` that say the key facts in words (the dates,
  the values and their units), text kept as text (``svg.fonttype`` ``none``: no embedded fonts, readable by
  assistive technology and searchable), the Okabe-Ito colour-blind-safe palette, and every distinction made by
  line style and marker as well as colour;
* **deterministic**: the same input gives the same bytes (a fixed hash salt derived from the content, so two
  different charts on one page never share element ids; no date or software metadata);
* **safe to inline**: no XML declaration or DOCTYPE, no script, every text escaped (matplotlib escapes drawn
  text; the title and description are escaped here);
* **one place for drawing**: matplotlib's Agg-backed :class:`~matplotlib.figure.Figure` without pyplot state,
  as in :mod:`baclofen.adapters.plots`; renders are serialised by a lock (matplotlib's settings are global).

Raises
------
InvalidInputError
    For an input that is not the result a chart draws, naming the field (``forecast``, ``simulation``,
    ``entries[2]``, ``daily_doses[0].unit``).
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import textwrap
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter
from matplotlib.transforms import blended_transform_factory

from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.dates import read_iso_datetime
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.reservoir import ReservoirFill, ReservoirForecast
from baclofen.domain.pk.bands import HEURISTIC_NOTE, Band
from baclofen.domain.pk.profiles import OralExposure
from baclofen.services.simulation import SimulationResult

__all__ = [
    "DOSE_UNITS",
    "DailyDose",
    "render_diary_chart",
    "render_exposure_chart",
    "render_reservoir_chart",
]

#: Okabe & Ito (2008) colour-blind-safe palette.
BLACK, ORANGE, SKY, GREEN, BLUE, VERMILLION, PURPLE, GREY = (
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#6E6E6E",
)
#: Band tints, light to dark with the risk (text labels name each band: never colour alone).
BAND_TINTS = {
    "low": "#F4F4F4",
    "usual": "#E3F1EA",
    "caution": "#FDF1D2",
    "encephalopathy_reported": "#FBE0C8",
    "overdose_range": "#F6CDBB",
    "severe_intoxication": "#EDB3A6",
}
DISCLAIMER = "Decision support, not medical advice."
#: Units of a daily dose on the diary chart, and the axis each gets (never two units on one axis).
DOSE_UNITS = {"mg/day": "Oral baclofen (mg/day)", "mcg/day": "Intrathecal baclofen (mcg/day)"}
_DOSE_WORDS = {"mg/day": "oral baclofen", "mcg/day": "intrathecal baclofen"}
_STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",
    "date.epoch": "1970-01-01T00:00:00",  # _EPOCH
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "Liberation Sans"],
    "font.size": 10.0,
    "axes.titlesize": 11.0,
    "axes.labelsize": 10.0,
    "xtick.labelsize": 9.0,
    "ytick.labelsize": 9.0,
    "legend.fontsize": 9.0,
    "axes.prop_cycle": __import__("cycler").cycler(color=[BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK]),
}
_LOCK = threading.Lock()
_STYLE_SHEET = re.compile(r"\s*<defs>\s*<style[^>]*>[^<]*</style>\s*</defs>")
_REFERENCE = re.compile(r"(?:url\(#|href=\"#)([^)\"]+)")
_ID = re.compile(r'\sid="([^"]+)"')
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
#: CSS properties matplotlib writes that are SVG presentation attributes too (an inline ``style`` attribute needs
#: a page's Content-Security-Policy to allow inline styles; a presentation attribute needs nothing).
_PRESENTATION = frozenset(
    {
        "fill",
        "fill-opacity",
        "fill-rule",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
    }
)
_WIDTH_IN = 9.0
_LINE_IN = 0.17  # a caption or legend line, inches
_TICKS_IN = 0.85  # rotated date ticks and the axis label under an axes, inches


@dataclass(frozen=True, slots=True)
class DailyDose:
    """The baclofen daily dose on one day: ``mg/day`` (oral) or ``mcg/day`` (intrathecal)."""

    day: date
    dose: float
    unit: str


# --- shared ---------------------------------------------------------------------------------------------------------


@contextmanager
def _figure(height_in: float) -> Iterator[Figure]:
    with _LOCK, rc_context(_STYLE):
        fig = Figure(figsize=(_WIDTH_IN, height_in), dpi=100)
        FigureCanvasAgg(fig)
        yield fig


def _svg(fig: Figure, kind: str, title: str, desc: str) -> str:
    """The figure as an inlinable, accessible, deterministic SVG document (call inside :func:`_figure`)."""
    digest = hashlib.sha256(f"{kind}\n{title}\n{desc}".encode()).hexdigest()[:10]
    buffer = io.BytesIO()
    with rc_context({"svg.hashsalt": f"{kind}-{digest}", "svg.id": None}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buffer.getvalue().decode("utf-8")
    text = text[text.index("<svg") :]  # no XML declaration or DOCTYPE: inline in HTML as it is
    # matplotlib's one style sheet ("*{stroke-linejoin...}") would style the whole page once inlined: the root
    # element's presentation attributes say the same to this chart only (and need no inline-style permission).
    text = _STYLE_SHEET.sub("", text, count=1)
    # Element ids a page would repeat (figure_1, axes_1, ...) go; the referenced ones (hashed with the salt) stay.
    referenced = set(_REFERENCE.findall(text))
    text = _ID.sub(lambda m: m.group(0) if m.group(1) in referenced else "", text)
    text = _STYLE_ATTRIBUTE.sub(_presentation_attributes, text)
    end = text.index(">")
    title_id, desc_id = f"{kind}-{digest}-title", f"{kind}-{digest}-desc"
    opening = (
        text[:end] + ' stroke-linejoin="round" stroke-linecap="butt" role="img"'
        f" aria-labelledby={quoteattr(f'{title_id} {desc_id}')}>"
    )
    heading = (
        f"<title id={quoteattr(title_id)}>{escape(title)}</title><desc id={quoteattr(desc_id)}>{escape(desc)}</desc>"
    )
    return opening + "\n" + heading + text[end + 1 :]


def _presentation_attributes(match: re.Match[str]) -> str:
    """``style="fill: #fff; stroke: none"`` as `` fill="#fff" stroke="none"`` (kept as it is if not all can be)."""
    pairs = [part.split(":", 1) for part in match.group(1).split(";") if part.strip()]
    if not all(len(pair) == 2 and pair[0].strip() in _PRESENTATION for pair in pairs):
        return match.group(0)
    return "".join(f' {name.strip()}="{value.strip()}"' for name, value in pairs)


def _caption(fig: Figure, lines: Sequence[str]) -> None:
    """``lines`` at the foot of the figure (the layout leaves :data:`_LINE_IN` per line)."""
    height = fig.get_figheight()
    for i, line in enumerate(lines):
        fig.text(0.012, (0.1 + _LINE_IN * (len(lines) - 1 - i)) / height, line, fontsize=8, color="#333333")


def _legend_below(fig: Figure, handles: Sequence[Any], labels: Sequence[str], top_in: float, ncol: int) -> None:
    """One legend for the figure, centred, its top ``top_in`` inches above the figure's foot."""
    anchor = (0.5, top_in / fig.get_figheight())
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=anchor, ncol=ncol, frameon=False)


def _legend_in(entries: int, ncol: int) -> float:
    return _LINE_IN * 1.4 * math.ceil(entries / ncol)


def _heading(ax: Axes, title: str) -> int:
    """The title drawn wrapped (the SVG <title> keeps it whole); the number of lines."""
    lines = textwrap.wrap(title, 95)
    ax.set_title("\n".join(lines))
    return len(lines)


def _wrap(text: str, width: int = 150) -> list[str]:
    return textwrap.wrap(text, width) or [""]


def _num(value: float, digits: int = 1) -> str:
    rounded = round(value, digits)
    return f"{rounded:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{rounded:.0f}"


_EPOCH = datetime(1970, 1, 1)  # matplotlib's date epoch (rcParams "date.epoch", the default since 3.3)


def _x(moment: datetime) -> float:
    """A naive wall time as matplotlib's date number (days since :data:`_EPOCH`)."""
    return (moment - _EPOCH) / timedelta(days=1)


def _xs(moments: Sequence[datetime]) -> list[float]:
    return [_x(t) for t in moments]


def _iso_day(value: float, _position: object = None) -> str:
    return (_EPOCH + timedelta(days=value)).date().isoformat()


_DAY_STEPS = (1, 2, 3, 7, 14, 28, 56, 91, 182, 364)


def _date_axis(ax: Axes, *, noon: bool = False, most: int = 9) -> None:
    """ISO dates (never a locale's day/month order) at midnight or ``noon`` (a day's values sit there), at most
    ``most`` ticks (call after set_xlim)."""
    shift = 0.5 if noon else 0.0
    low, high = ax.get_xlim()
    first, last = math.ceil(low - shift), math.floor(high - shift)
    step = next((s for s in _DAY_STEPS if (last - first) // s + 1 <= most), _DAY_STEPS[-1])
    ax.xaxis.set_major_locator(FixedLocator([day + shift for day in range(first, last + 1, step)]))
    ax.xaxis.set_major_formatter(FuncFormatter(_iso_day))
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")


# --- reservoir ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Event:
    label: str
    at: datetime
    colour: str
    linestyle: str
    marker: str
    volume_ml: float | None = None  # where its marker sits (None: on the programmed curve)


def _wall(moment: datetime, fill: datetime) -> datetime:
    """``moment`` on the fill's clock, without its offset (matplotlib draws naive wall times)."""
    if moment.tzinfo is not None and fill.tzinfo is not None:
        moment = moment.astimezone(fill.tzinfo)
    return moment.replace(tzinfo=None)


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _reservoir_events(f: ReservoirForecast) -> list[_Event]:
    fill = f.fill.filled_at
    events = []
    if f.recommended_refill_date is not None:
        refill = f.recommended_refill_date.isoformat()
        events.append(_Event(f"Refill by {refill}", _midnight(f.recommended_refill_date), GREEN, "-", "v"))
    alarm, empty = f.low_reservoir_alarm_date.isoformat(), f.empty_date.isoformat()
    low, rest = f.low_reservoir_ml, f.fill.residual_ml
    events.append(_Event(f"Low-reservoir alarm {alarm}", _wall(f.low_reservoir_alarm_at, fill), ORANGE, ":", "^", low))
    events.append(_Event(f"Empty {empty}", _wall(f.empty_at, fill), VERMILLION, "--", "X", rest))
    if f.observed_alarm_at is not None:
        day = _wall(f.observed_alarm_at, fill)
        events.append(_Event(f"Alarm at observed rate {day.date().isoformat()}", day, PURPLE, ":", "<", low))
    if f.observed_empty_at is not None:
        day = _wall(f.observed_empty_at, fill)
        events.append(_Event(f"Empty at observed rate {day.date().isoformat()}", day, PURPLE, "--", "P", rest))
    if f.as_of is not None:
        events.append(_Event(f"As of {f.as_of.date().isoformat()}", _wall(f.as_of, fill), GREY, "-.", "o"))
    if f.battery is not None:
        stop = f.battery.shutoff_date
        events.append(_Event(f"Pump may stop by {stop.isoformat()}", _midnight(stop), BLACK, "-", "s"))
    events.append(
        _Event(
            f"Drug-stability limit {f.stability_limit_date.isoformat()}",
            _midnight(f.stability_limit_date),
            BLUE,
            "-.",
            "D",
        )
    )
    return events


def _day(fill: ReservoirFill) -> str:
    return fill.filled_at.date().isoformat()


def _reservoir_desc(f: ReservoirForecast) -> str:
    fill, program = f.fill, f.fill.program
    filled = f"filled {_day(fill)} with {fill.volume_ml:g}"
    if f.drug_filled_on is not None:  # what a program change left of the fill
        filled = (
            f"filled {f.drug_filled_on.isoformat()}; from the program change of {_day(fill)} {_num(fill.volume_ml)}"
        )
    parts = [
        f"{fill.pump.name} {filled} mL of "
        f"{fill.concentration_mcg_per_ml:g} mcg/mL at {program.daily_dose_mcg:g} mcg/day "
        f"({_num(fill.daily_volume_ml, 3)} mL/day)."
    ]
    if f.recommended_refill_date is None:
        parts.append("There is no refill date before the alarm after this fill (refill now).")
    else:
        left = (
            "" if f.volume_at_recommended_refill_ml is None else f" ({_num(f.volume_at_recommended_refill_ml)} mL left)"
        )
        parts.append(f"Recommended: refill by {f.recommended_refill_date.isoformat()}{left}.")
    parts.append(
        f"The low-reservoir alarm at {f.low_reservoir_ml:g} mL on {f.low_reservoir_alarm_date.isoformat()}; "
        f"empty on {f.empty_date.isoformat()} ({fill.residual_ml:g} mL undeliverable residual)."
    )
    if f.observed_rate_factor is not None and f.observed_alarm_at is not None:
        empty = "" if f.observed_empty_at is None else f" and empty on {f.observed_empty_at.date().isoformat()}"
        parts.append(
            f"Delivering at the observed rate (x{f.observed_rate_factor:g}) the alarm is on "
            f"{f.observed_alarm_at.date().isoformat()}{empty}."
        )
    parts.append(f"Drug-stability limit {f.stability_limit_date.isoformat()}.")
    if f.battery is not None:
        parts.append(
            f"The pump may stop by {f.battery.shutoff_date.isoformat()} ({f.battery.shutoff_reason}); battery "
            f"replacement planned by {f.battery.replacement_date.isoformat()}."
        )
    if f.as_of is not None and f.remaining_ml_at_as_of is not None:
        parts.append(f"As of {f.as_of.date().isoformat()}: {_num(f.remaining_ml_at_as_of)} mL left.")
    return " ".join(parts)


def _reservoir_curve(
    f: ReservoirForecast, start: datetime, end: datetime
) -> tuple[list[datetime], list[float], list[float]]:
    fill = f.fill
    span = end - start
    steps = [start + span * (i / 300) for i in range(301)]
    keys = [_wall(t, fill.filled_at) for t in (f.low_reservoir_alarm_at, f.empty_at)]
    times = sorted(set(steps) | {t for t in keys if start <= t <= end})
    clock = fill.filled_at.tzinfo
    moments = [t.replace(tzinfo=clock) for t in times]
    programmed = [fill.remaining_ml(t) for t in moments]
    factor = f.observed_rate_factor
    observed = (
        []
        if factor is None
        else [fill.volume_ml - min(fill.deliverable_ml, factor * fill.delivered_ml(t)) for t in moments]
    )
    return times, programmed, observed


def render_reservoir_chart(forecast: ReservoirForecast) -> str:
    """The volume in the reservoir over time from a fill, with the refill, alarm, empty and shut-off dates.

    ``forecast`` is :func:`baclofen.services.itb.forecast_pump`'s result. The curve follows the program
    (a flex program's steps included); an observed over-infusion rate is drawn as its own curve. Dates past
    the chart's span (a stability limit months away) are said in the description and the caption.
    """
    if not isinstance(forecast, ReservoirForecast):
        raise InvalidInputError(
            "forecast", "a reservoir forecast of a fill (forecast_pump's result)", type(forecast).__name__
        )
    f = forecast
    start = _wall(f.fill.filled_at, f.fill.filled_at)
    events = _reservoir_events(f)
    core = [e.at for e in events if not e.label.startswith(("Pump may stop", "Drug-stability"))]
    last = max(core)
    span = max(last - start, timedelta(days=2))
    end = last + max(span * 0.06, timedelta(days=1))
    # The shut-off and stability dates extend the chart a little when close; further away they are said in words.
    for e in events:
        if e.label.startswith(("Pump may stop", "Drug-stability")) and end < e.at <= end + span * 0.3:
            end = e.at + span * 0.03
    shown = [e for e in events if start <= e.at <= end]
    hidden = [e.label for e in events if e not in shown]
    times, programmed, observed = _reservoir_curve(f, start, end)
    title = f"Reservoir forecast: {f.fill.pump.name}, fill of {_day(f.fill)}"
    if f.drug_filled_on is not None:
        title = (
            f"Reservoir forecast: {f.fill.pump.name}, fill of {f.drug_filled_on.isoformat()}, "
            f"from the program change of {_day(f.fill)}"
        )
    desc = _reservoir_desc(f)
    caption = []
    if hidden:
        caption += _wrap("Outside the chart: " + "; ".join(hidden) + ".")
    caption += _wrap(
        f"Volume at the programmed rate ({f.fill.program.daily_dose_mcg:g} mcg/day of "
        f"{f.fill.concentration_mcg_per_ml:g} mcg/mL); the refill date keeps a {f.margin_days}-day margin before "
        f"the alarm. {DISCLAIMER}"
    )
    entries = 2 + int(observed != []) + int(f.fill.residual_ml > 0) + len(shown)
    bottom_in = _TICKS_IN + _legend_in(entries, 2) + _LINE_IN * len(caption) + 0.25
    with _figure(4.4 + bottom_in) as fig:
        ax = fig.add_subplot(1, 1, 1)
        fig.subplots_adjust(
            left=0.08, right=0.97, top=1 - 0.45 / fig.get_figheight(), bottom=bottom_in / fig.get_figheight()
        )
        ax.plot(_xs(times), programmed, color=BLUE, linewidth=2.2, label="Volume at the programmed rate")
        if observed:
            ax.plot(
                _xs(times),
                observed,
                color=PURPLE,
                linewidth=1.6,
                linestyle=(0, (6, 2)),
                label=f"Volume at the observed rate (x{f.observed_rate_factor:g})",
            )
        ax.axhline(
            f.low_reservoir_ml,
            color=ORANGE,
            linewidth=1.4,
            linestyle=(0, (1, 1.5)),
            label=f"Low-reservoir alarm level {f.low_reservoir_ml:g} mL",
        )
        if f.fill.residual_ml > 0:
            ax.axhline(
                f.fill.residual_ml,
                color=GREY,
                linewidth=1.0,
                linestyle="-.",
                label=f"Undeliverable residual {f.fill.residual_ml:g} mL",
            )
        top = f.fill.volume_ml * 1.08
        label_at = blended_transform_factory(ax.transData, ax.transAxes)
        previous: datetime | None = None
        side = 1
        for e in sorted(shown, key=lambda e: e.at):
            volume = e.volume_ml
            if volume is None:
                volume = f.fill.remaining_ml(e.at.replace(tzinfo=f.fill.filled_at.tzinfo))
            ax.axvline(_x(e.at), color=e.colour, linestyle=e.linestyle, linewidth=1.3)
            ax.plot(
                [_x(e.at)],
                [volume],
                linestyle="none",
                marker=e.marker,
                markersize=8,
                color=e.colour,
                markeredgecolor=BLACK,
                clip_on=False,
                zorder=3,
                label=e.label,
            )
            side = -side if previous is not None and (e.at - previous) < span * 0.04 else 1
            previous = e.at
            ax.text(
                _x(e.at),
                0.97,
                f" {e.label} ",
                transform=label_at,
                rotation=90,
                va="top",
                ha="right" if side > 0 else "left",
                fontsize=8.5,
                color=BLACK,
            )
        if f.recommended_refill_date is None:
            ax.text(
                0.5,
                0.55,
                "No refill date before the alarm after this fill: refill now",
                transform=ax.transAxes,
                ha="center",
                fontsize=11,
                fontweight="bold",
                color=BLACK,
                bbox={"facecolor": "white", "edgecolor": VERMILLION, "linewidth": 1.5, "pad": 4.0},
            )
        ax.set_xlim(_x(start), _x(end))
        ax.set_ylim(0, top)
        ax.set_xlabel("Date (pump clock)")
        ax.set_ylabel("Volume in reservoir (mL)")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        _date_axis(ax)
        _legend_below(fig, *ax.get_legend_handles_labels(), bottom_in - _TICKS_IN, 2)
        _caption(fig, caption)
        return _svg(fig, "reservoir", title, desc)


# --- exposure -------------------------------------------------------------------------------------------------------


def _band_range(band: Band) -> str:
    if math.isinf(band.upper_ng_per_ml):
        return f"{band.label} from {band.lower_ng_per_ml:g} ng/mL"
    return f"{band.label} {band.lower_ng_per_ml:g}-{band.upper_ng_per_ml:g} ng/mL"


def _band_of(bands: Sequence[Band], value: float) -> Band | None:
    return next((b for b in bands if b.contains(value)), None)


def _at_hour(hours: float, origin: datetime | None) -> str:
    """``hours`` after the start, with the date and time when the simulation starts on a date."""
    if origin is None:
        return f"{hours:.1f} h"
    return f"{hours:.1f} h ({(origin + timedelta(hours=hours)).strftime('%Y-%m-%d %H:%M')})"


def _exposure_desc(kind: str, exp: OralExposure, ribbon: bool, origin: datetime | None) -> str:
    start, stop = exp.metrics_window_h
    peak_band = _band_of(exp.bands, exp.cmax_ng_per_ml)
    where = "" if peak_band is None else f" (in the band '{peak_band.label}')"
    parts = [
        f"{kind}, typical subject, kidney: {exp.kidney_description}.",
        f"Over {start:g}-{stop:g} h: peak {exp.cmax_ng_per_ml:.0f} ng/mL at {_at_hour(exp.tmax_h, origin)}{where}, "
        f"trough {exp.cmin_ng_per_ml:.0f} ng/mL, average {exp.cavg_ng_per_ml:.0f} ng/mL.",
        "Time in each band over that window: "
        + "; ".join(
            f"{b.label} {f * 100:.0f}%" for b, f in zip(exp.bands, exp.band_fractions_in_window, strict=True) if f > 0
        )
        + ".",
        "Bands (heuristic, not a validated PD model): " + "; ".join(_band_range(b) for b in exp.bands) + ".",
    ]
    if exp.dialysis_windows:
        parts.append(f"{len(exp.dialysis_windows)} haemodialysis session(s) shaded.")
    if ribbon:
        parts.append("The shaded ribbon is the simulated population's 5th-95th percentile.")
    return " ".join(parts)


def _exposure_ymax(exp: OralExposure, top: float) -> float:
    """Up to the next band edge above the peak (the headroom), unless that squeezes the curve below a quarter."""
    edges = sorted(b.lower_ng_per_ml for b in exp.bands if b.lower_ng_per_ml > top)
    ymax = top * 1.15 if top > 0 else 1.0
    if edges and edges[0] <= top * 4:
        ymax = max(ymax, edges[0] * 1.08)
    return ymax


def render_exposure_chart(simulation: SimulationResult) -> str:
    """Plasma concentration (ng/mL) over time of an oral or regimen simulation, with the plasma bands it reports.

    ``simulation`` is :func:`~baclofen.services.simulation.simulate_oral`'s or ``simulate_plan``'s result. The
    bands are drawn as labelled tints with dashed edges, and the caption gives each band's sources. An
    intrathecal simulation (CSF in ug/mL, no plasma bands) is refused.
    """
    if not isinstance(simulation, SimulationResult) or not isinstance(simulation.exposure, OralExposure):
        got = simulation.kind if isinstance(simulation, SimulationResult) else type(simulation).__name__
        raise InvalidInputError("simulation", "an oral or regimen simulation result (plasma bands are oral)", got)
    exp = simulation.exposure
    kind = {"oral": "Oral baclofen", "regimen": "Plan regimen"}.get(simulation.kind, "Baclofen")
    percentiles = simulation.population.percentiles if simulation.population is not None else {}
    ribbon = "5" in percentiles and "95" in percentiles
    origin = simulation.extra.get("time_origin")
    # A plan's simulation starts on a date: its axis is dates (hours since then would need arithmetic to read).
    starts = read_iso_datetime(origin, "simulation.time_origin", plausible=False) if origin else None
    base = None if starts is None else _x(starts)
    xlabel = (
        f"Date (the plan starts {str(origin).replace('T', ' ')[:16]})" if origin else "Time (h after the first dose)"
    )

    def tx(hours: Sequence[float]) -> list[float]:
        return list(hours) if base is None else [base + h / 24.0 for h in hours]

    title = f"{kind}: simulated plasma concentration ({exp.kidney_description})"
    desc = _exposure_desc(kind, exp, ribbon, starts)
    caption = _wrap(
        "Band sources: "
        + "; ".join(f"{b.label}: {', '.join(b.evidence)}" for b in exp.bands)
        + f". {HEURISTIC_NOTE} Simulated typical exposure. {DISCLAIMER}"
    )
    entries = 2 + 2 * int(ribbon) + int(bool(exp.dialysis_windows))
    ticks_in = 0.6 if base is None else _TICKS_IN
    bottom_in = ticks_in + _legend_in(entries, 3) + _LINE_IN * len(caption) + 0.25
    title_lines = len(textwrap.wrap(title, 95))
    times = tx(exp.times_h)
    top = max(exp.concentration_ng_per_ml)
    if ribbon:
        top = max(top, max(percentiles["95"]))
    ymax = _exposure_ymax(exp, top)
    top_in = 0.25 + 0.2 * title_lines
    with _figure(3.6 + top_in + bottom_in) as fig:
        ax = fig.add_subplot(1, 1, 1)
        height = fig.get_figheight()
        fig.subplots_adjust(left=0.08, right=0.97, top=1 - top_in / height, bottom=bottom_in / height)
        for band in exp.bands:
            if band.lower_ng_per_ml >= ymax:
                continue
            ax.axhspan(
                band.lower_ng_per_ml,
                min(band.upper_ng_per_ml, ymax),
                color=BAND_TINTS.get(band.name, "#EEEEEE"),
                zorder=0,
                linewidth=0,
            )
            if band.lower_ng_per_ml > 0:
                ax.axhline(band.lower_ng_per_ml, color=GREY, linestyle=(0, (4, 3)), linewidth=0.8, zorder=0.5)
                ax.text(
                    times[-1],
                    band.lower_ng_per_ml,
                    f"{band.lower_ng_per_ml:g} ng/mL: {band.label} ",
                    fontsize=8,
                    va="bottom",
                    ha="right",
                    color="#333333",
                    bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.0},
                    zorder=4,
                )
        for start_h, end_h in ((w.start_h, w.end_h) for w in exp.dialysis_windows):
            ax.axvspan(*tx((start_h, end_h)), facecolor="none", edgecolor=GREY, hatch="//", linewidth=0, zorder=0.6)
        if exp.dialysis_windows:
            ax.plot(
                [],
                [],
                color=GREY,
                linestyle="none",
                marker="s",
                fillstyle="none",
                label="haemodialysis session (hatched)",
            )
        if ribbon:
            assert simulation.population is not None
            pop_t = tx(simulation.population.times_h)
            ax.fill_between(
                pop_t,
                percentiles["5"],
                percentiles["95"],
                color=SKY,
                alpha=0.35,
                linewidth=0,
                label="population 5th-95th percentile",
            )
            if "50" in percentiles:
                ax.plot(pop_t, percentiles["50"], color=BLUE, linestyle="--", linewidth=1.3, label="population median")
        ax.plot(times, exp.concentration_ng_per_ml, color=BLACK, linewidth=2.0, label="typical subject")
        ax.plot(
            tx([exp.tmax_h]),
            [exp.cmax_ng_per_ml],
            linestyle="none",
            marker="v",
            markersize=8,
            color=VERMILLION,
            markeredgecolor=BLACK,
            label=f"peak {exp.cmax_ng_per_ml:.0f} ng/mL at {_at_hour(exp.tmax_h, starts)}",
        )
        ax.set_xlim(times[0], times[-1])
        ax.set_ylim(0, ymax)
        ax.set_xlabel(xlabel)
        if base is not None:
            _date_axis(ax)
        ax.set_ylabel("Plasma concentration (ng/mL)")
        _heading(ax, title)
        ax.grid(alpha=0.3)
        _legend_below(fig, *ax.get_legend_handles_labels(), bottom_in - ticks_in, 3)
        _caption(fig, caption)
        return _svg(fig, "exposure", title, desc)


# --- diary ----------------------------------------------------------------------------------------------------------

_SCORES: tuple[tuple[str, str, str, str, Any], ...] = (
    # (attribute, words, colour, marker, linestyle)
    ("stiffness_nrs", "stiffness (NRS 0-10)", ORANGE, "o", "-"),
    ("pain_nrs", "pain (NRS 0-10)", VERMILLION, "s", "--"),
    ("sleep_nrs", "sleep disruption (NRS 0-10)", GREEN, "^", ":"),
)


def _check_diary(entries: Sequence[DiaryEntryRecord], daily_doses: Sequence[DailyDose]) -> None:
    if isinstance(entries, str | bytes) or not isinstance(entries, Sequence) or not entries:
        raise InvalidInputError("entries", "a list of at least one diary entry", repr(entries)[:80])
    if isinstance(daily_doses, str | bytes) or not isinstance(daily_doses, Sequence):
        raise InvalidInputError("daily_doses", "a list of daily doses (may be empty)", repr(daily_doses)[:80])
    for i, entry in enumerate(entries):
        if not isinstance(entry, DiaryEntryRecord):
            raise InvalidInputError(f"entries[{i}]", "a diary entry", type(entry).__name__)
        if entry.patient_id != entries[0].patient_id:
            raise InvalidInputError(
                f"entries[{i}].patient_id", f"the patient of entries[0] ({entries[0].patient_id})", entry.patient_id
            )
    seen: set[tuple[date, str]] = set()
    for i, dose in enumerate(daily_doses):
        if not isinstance(dose, DailyDose):
            raise InvalidInputError(f"daily_doses[{i}]", "a daily dose (day, dose, unit)", type(dose).__name__)
        if not isinstance(dose.day, date) or isinstance(dose.day, datetime):
            raise InvalidInputError(f"daily_doses[{i}].day", "a date", dose.day)
        if dose.unit not in DOSE_UNITS:
            raise InvalidInputError(f"daily_doses[{i}].unit", "mg/day (oral) or mcg/day (intrathecal)", dose.unit)
        ok = isinstance(dose.dose, int | float) and not isinstance(dose.dose, bool) and math.isfinite(dose.dose)
        if not ok or dose.dose < 0:
            raise InvalidInputError(f"daily_doses[{i}].dose", f"a number >= 0 ({dose.unit})", dose.dose)
        if (dose.day, dose.unit) in seen:
            raise InvalidInputError(f"daily_doses[{i}].day", f"one dose per day in {dose.unit}", dose.day.isoformat())
        seen.add((dose.day, dose.unit))


def _worst_by_day(entries: Sequence[DiaryEntryRecord], value: Any) -> list[tuple[date, float]]:
    """The highest (worst) value of each day that has one (the day on the entry's own clock)."""
    days: dict[date, float] = {}
    for entry in entries:
        v = value(entry)
        if v is not None:
            day = entry.recorded_at.date()
            days[day] = max(days.get(day, v), v)
    return sorted(days.items())


def _trend(words: str, points: Sequence[tuple[date, float]], unit: str = "") -> str:
    if not points:
        return f"{words}: not reported"
    (d0, v0), (d1, v1) = points[0], points[-1]
    first = f"{words} {v0:g}{unit} on {d0.isoformat()}"
    if len(points) == 1:
        return first
    highest = max(v for _, v in points)
    return f"{first}, {v1:g}{unit} on {d1.isoformat()} (highest {highest:g}{unit})"


def _diary_series(entries: Sequence[DiaryEntryRecord]) -> dict[str, list[tuple[date, float]]]:
    series = {
        "spasm": _worst_by_day(
            entries, lambda e: None if e.spasm_frequency is None else float(e.spasm_frequency.frequency)
        )
    }
    for attribute, *_ in _SCORES:
        series[attribute] = _worst_by_day(entries, lambda e, a=attribute: getattr(e, a))
    return series


def _diary_desc(
    entries: Sequence[DiaryEntryRecord],
    series: dict[str, list[tuple[date, float]]],
    doses: dict[str, list[tuple[date, float]]],
    first: date,
    last: date,
) -> str:
    count = f"{len(entries)} diary entr{'y' if len(entries) == 1 else 'ies'}"
    span = first.isoformat() if first == last else f"from {first.isoformat()} to {last.isoformat()}"
    trends = [_trend("spasm frequency (Penn 0-4)", series["spasm"])]
    trends += [_trend(words, series[attribute]) for attribute, words, *_ in _SCORES]
    dose_words = [_trend(_DOSE_WORDS[unit], points, f" {unit}") for unit, points in doses.items() if points]
    return (
        f"{count} {span}; the worst score of each day is drawn. "
        + "; ".join(trends)
        + ". Daily dose: "
        + ("; ".join(dose_words) if dose_words else "no daily dose given")
        + "."
    )


def _days(points: Sequence[tuple[date, float]]) -> list[float]:
    """Each day's noon: a day's value sits in the middle of its day."""
    return [_x(_midnight(d) + timedelta(hours=12)) for d, _ in points]


def render_diary_chart(entries: Sequence[DiaryEntryRecord], daily_doses: Sequence[DailyDose]) -> str:
    """Spasm frequency and NRS scores per day above the daily dose, each quantity on its own labelled axis.

    The top panel has the 0-10 numeric ratings (stiffness, pain, sleep disruption) on the left axis and the
    Penn spasm frequency (0-4) on the right; the bottom panel the oral dose (mg/day) on the left and the
    intrathecal dose (mcg/day) on the right, each drawn only when given. One entry gives a one-day chart; no
    entry is refused (``entries``).
    """
    _check_diary(entries, daily_doses)
    series = _diary_series(entries)
    doses = {unit: sorted((d.day, float(d.dose)) for d in daily_doses if d.unit == unit) for unit in DOSE_UNITS}
    days = [e.recorded_at.date() for e in entries] + [d.day for d in daily_doses]
    first, last = min(days), max(days)
    span = first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
    title = f"Diary {span}: spasms and NRS scores against the daily dose"
    desc = _diary_desc(entries, series, doses, first, last)
    caption = _wrap(
        "Worst score of each day. NRS: 0-10 numeric rating scale, higher is worse (S88, S89). Penn Spasm Frequency "
        f"Scale 0-4 (S93). Daily doses as given, each unit on its own axis. {DISCLAIMER}"
    )
    keys = sum(1 for points in series.values() if points) + sum(1 for points in doses.values() if points)
    bottom_in = _TICKS_IN + _legend_in(max(keys, 1), 3) + _LINE_IN * len(caption) + 0.25
    with _figure(5.2 + bottom_in) as fig:
        height = fig.get_figheight()
        top_ax, dose_ax = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2], "hspace": 0.12})
        fig.subplots_adjust(left=0.08, right=0.9, top=1 - 0.45 / height, bottom=bottom_in / height)
        handles: list[Line2D] = []
        for attribute, words, colour, marker, style in _SCORES:
            points = series[attribute]
            if points:
                handles += top_ax.plot(
                    _days(points),
                    [v for _, v in points],
                    color=colour,
                    marker=marker,
                    linestyle=style,
                    linewidth=1.6,
                    markersize=7,
                    label=words,
                )
        spasm_ax = top_ax.twinx()
        if series["spasm"]:
            handles += spasm_ax.plot(
                _days(series["spasm"]),
                [v for _, v in series["spasm"]],
                color=BLACK,
                marker="D",
                linestyle="-.",
                linewidth=1.6,
                markersize=6,
                label="spasm frequency (Penn 0-4)",
            )
        top_ax.set_ylim(-0.3, 10.3)
        spasm_ax.set_ylim(-0.12, 4.12)
        spasm_ax.set_yticks(range(5))
        top_ax.set_ylabel("NRS (0-10)")
        spasm_ax.set_ylabel("Penn spasm frequency (0-4)")
        _heading(top_ax, title)
        top_ax.grid(alpha=0.3)
        handles += _dose_panel(dose_ax, doses)
        if handles:
            _legend_below(fig, handles, [str(h.get_label()) for h in handles], bottom_in - _TICKS_IN, 3)
        dose_ax.set_xlim(_x(_midnight(first) - timedelta(hours=6)), _x(_midnight(last) + timedelta(hours=30)))
        dose_ax.set_xlabel("Date")
        _date_axis(dose_ax, noon=True)
        _caption(fig, caption)
        return _svg(fig, "diary", title, desc)


def _dose_panel(ax: Axes, doses: dict[str, list[tuple[date, float]]]) -> list[Line2D]:
    oral, itb = doses["mg/day"], doses["mcg/day"]
    handles: list[Line2D] = []
    if oral:
        handles += ax.step(
            _days(oral),
            [v for _, v in oral],
            where="mid",
            color=BLUE,
            marker="P",
            markersize=8,
            linestyle="-",
            linewidth=1.8,
            label=DOSE_UNITS["mg/day"],
        )
        ax.set_ylim(0, max(v for _, v in oral) * 1.2 or 1.0)
    if oral:
        ax.set_ylabel(DOSE_UNITS["mg/day"])
    else:
        ax.set_yticks([])
    if itb:
        right = ax.twinx()
        handles += right.step(
            _days(itb),
            [v for _, v in itb],
            where="mid",
            color=PURPLE,
            marker="X",
            markersize=8,
            linestyle="--",
            linewidth=1.8,
            label=DOSE_UNITS["mcg/day"],
        )
        right.set_ylim(0, max(v for _, v in itb) * 1.2 or 1.0)
        right.set_ylabel(DOSE_UNITS["mcg/day"])
    if not handles:
        ax.text(0.5, 0.5, "No daily dose given", transform=ax.transAxes, ha="center", va="center", color="#333333")
    ax.grid(alpha=0.3)
    return handles
