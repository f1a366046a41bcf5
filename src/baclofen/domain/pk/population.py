"""Virtual populations: seeded sampling, chunked simulation and streaming summaries in bounded memory.

Reproducibility does not depend on chunking or on the number of workers:

* subjects are grouped in fixed *seed blocks* of :data:`SUBJECTS_PER_SEED_BLOCK`; block ``b`` draws from
  ``Generator(PCG64(SeedSequence(seed).spawn(n_blocks)[b]))`` (built directly as
  ``SeedSequence(seed, spawn_key=(b,))``, the same child), so a subject's parameters depend only on the
  seed and its index;
* a *chunk* is any run of whole blocks; its result (:class:`PopulationPartial`) holds integer counts
  (histograms, counts above thresholds), which add exactly in any order, and per-block float sums,
  which are combined in block order at the end.

Percentiles per time point come from log-spaced histograms (:class:`HistogramSpec`, default 512 bins
per decade: 0.45% wide, interpolated within the bin), so memory is O(T x bins) whatever N; no N x T
array is kept beyond one chunk. Between-subject variability is log-normal (``P_i = P exp(eta_i)``);
kidney function may be a covariate distribution (:class:`CrclDistribution`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.patient import CRCL_MAX_ML_MIN
from baclofen.domain.pk.engine import ClearanceWindow, DoseInput, resolve_backend, simulate
from baclofen.domain.pk.metrics import window_mask
from baclofen.domain.pk.parameters import (
    CRCL_CAP_ML_MIN,
    NONRENAL_FRACTION,
    REFERENCE_CRCL_ML_MIN,
    RESIDUAL_PROPORTIONAL_SD,
    IntrathecalParameters,
    KidneyInput,
    ModelSettings,
    OralModel,
    Variability,
    oral_parameters,
)
from baclofen.domain.pk.system import (
    CSF_UG_PER_ML,
    EFFECT_SITE_UG_PER_ML,
    PLASMA_NG_PER_ML,
    SubjectParameters,
)

SUBJECTS_PER_SEED_BLOCK = 1024
"""Subjects per seed block: the unit of random streams (never change it: results would change)."""
DEFAULT_PERCENTILES = (5.0, 50.0, 95.0)
MAX_SUBJECTS = 100_000_000
OUTPUT_UNITS = {PLASMA_NG_PER_ML: "ng/mL", CSF_UG_PER_ML: "ug/mL", EFFECT_SITE_UG_PER_ML: "ug/mL"}


@dataclass(frozen=True, slots=True)
class CrclDistribution:
    """Creatinine clearance across the population (mL/min), clipped to [0, 250].

    ``kind`` "uniform" (``a`` low, ``b`` high) or "lognormal" (``a`` median, ``b`` CV). No default
    distribution is shipped: the sources give none, so the caller states it.
    """

    kind: str
    a: float
    b: float

    def __post_init__(self) -> None:
        if self.kind not in ("uniform", "lognormal"):
            raise InvalidInputError("crcl distribution", "uniform or lognormal", self.kind)
        a = require_finite_number(self.a, "crcl distribution a", minimum=0.0, maximum=CRCL_MAX_ML_MIN)
        b = require_finite_number(self.b, "crcl distribution b", minimum=0.0)
        if self.kind == "uniform" and not a <= b <= CRCL_MAX_ML_MIN:
            raise InvalidInputError("crcl range", f"low <= high <= {CRCL_MAX_ML_MIN:g} mL/min", (a, b))
        if self.kind == "lognormal" and a <= 0:
            raise InvalidInputError("crcl median", "> 0", a)
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.kind == "uniform":
            values = rng.uniform(self.a, self.b, n)
        else:
            omega = math.sqrt(math.log1p(self.b * self.b))
            values = self.a * np.exp(omega * rng.standard_normal(n))
        return np.clip(values, 0.0, CRCL_MAX_ML_MIN)

    def to_dict(self) -> dict[str, object]:
        if self.kind == "uniform":
            return {"kind": "uniform", "low_ml_min": self.a, "high_ml_min": self.b}
        return {"kind": "lognormal", "median_ml_min": self.a, "cv": self.b}


@dataclass(frozen=True, slots=True)
class HistogramSpec:
    """Log-spaced bins from ``lower`` to ``upper`` (output unit), ``bins_per_decade`` per factor 10.

    Values below ``lower`` (including 0) count in an underflow bin and read as 0; above ``upper`` in an
    overflow bin and read as ``upper`` (flagged).
    """

    lower: float = 1e-3
    upper: float = 1e5
    bins_per_decade: int = 512

    def __post_init__(self) -> None:
        if not (0 < self.lower < self.upper) or not math.isfinite(self.upper):
            raise InvalidInputError("histogram", "0 < lower < upper", (self.lower, self.upper))
        if not 1 <= self.bins_per_decade <= 4096:
            raise InvalidInputError("bins_per_decade", "1..4096", self.bins_per_decade)

    @property
    def n_bins(self) -> int:
        return int(math.ceil(math.log10(self.upper / self.lower) * self.bins_per_decade - 1e-9))

    @property
    def relative_resolution(self) -> float:
        """Width of one bin as a relative change (0.0045 for 512 per decade)."""
        return math.pow(10.0, 1.0 / self.bins_per_decade) - 1.0

    def index(self, values: np.ndarray) -> np.ndarray:
        """Bin index per value: 0 underflow (0 and below ``lower``), 1..n_bins, n_bins + 1 overflow."""
        with np.errstate(divide="ignore", invalid="ignore"):
            pos: np.ndarray = np.log10(values)
        pos -= math.log10(self.lower)
        pos *= self.bins_per_decade
        np.floor(pos, out=pos)
        np.clip(pos, -1.0, float(self.n_bins), out=pos)
        pos += 1.0
        return pos.astype(np.int64)

    def edge(self, i: np.ndarray | float) -> np.ndarray:
        return self.lower * 10.0 ** (np.asarray(i, dtype=np.float64) / self.bins_per_decade)


def histogram_quantiles(counts: np.ndarray, spec: HistogramSpec, percentiles: Sequence[float]) -> np.ndarray:
    """Percentiles from histogram rows ``counts`` (R, n_bins + 2) -> (len(percentiles), R).

    The rank follows numpy's default ('linear', position p (N - 1)); within a bin values are taken as
    spread evenly in log space.
    """
    counts = np.asarray(counts)
    total = counts.sum(axis=1)
    cum = np.cumsum(counts, axis=1)
    out = np.zeros((len(percentiles), counts.shape[0]))
    rows = np.arange(counts.shape[0])
    for i, p in enumerate(percentiles):
        rank = p / 100.0 * (total - 1)
        b = _searchsorted_rows(cum, rank)
        b = np.minimum(b, counts.shape[1] - 1)
        before = np.where(b > 0, cum[rows, np.maximum(b - 1, 0)], 0)
        in_bin = np.maximum(counts[rows, b], 1)
        frac = np.clip((rank - before + 0.5) / in_bin, 0.0, 1.0)
        value = spec.edge(b - 1 + frac)
        value = np.where(b == 0, 0.0, value)
        value = np.where(b == counts.shape[1] - 1, spec.upper, value)
        out[i] = np.where(total > 0, value, np.nan)
    return out


def _searchsorted_rows(cum: np.ndarray, rank: np.ndarray) -> np.ndarray:
    # first bin whose cumulative count exceeds the rank, for every row at once
    first_bins: np.ndarray = np.sum(cum <= rank[:, None], axis=1)
    return first_bins


@dataclass(frozen=True, eq=False)
class PopulationProblem:
    """Everything a chunk needs to simulate its subjects (picklable, sent to Dask workers).

    ``thresholds`` are concentrations (output unit) whose exceedance is counted per time point and per
    subject (band edges); ``metrics_window`` the (start_h, end_h) over which per-subject Cmax, Cmin
    and Cavg are taken.
    """

    n_subjects: int
    seed: int
    doses: tuple[DoseInput, ...]
    times_h: tuple[float, ...]
    model: OralModel = OralModel.DEFAULT
    kidney: KidneyInput = field(default_factory=KidneyInput)
    crcl_distribution: CrclDistribution | None = None
    settings: ModelSettings = field(default_factory=ModelSettings)
    intrathecal: IntrathecalParameters = field(default_factory=IntrathecalParameters)
    variability: Variability = field(default_factory=Variability)
    windows: tuple[ClearanceWindow, ...] = ()
    output: str = PLASMA_NG_PER_ML
    thresholds: tuple[float, ...] = ()
    metrics_window: tuple[float, float] | None = None
    percentiles: tuple[float, ...] = DEFAULT_PERCENTILES
    residual_error: bool = False
    residual_sd: float = RESIDUAL_PROPORTIONAL_SD.default
    histogram: HistogramSpec = field(default_factory=HistogramSpec)
    backend: str = "auto"

    def __post_init__(self) -> None:
        if (
            isinstance(self.n_subjects, bool)
            or not isinstance(self.n_subjects, int)
            or not 1 <= self.n_subjects <= MAX_SUBJECTS
        ):
            raise InvalidInputError("n_subjects", f"a whole number 1..{MAX_SUBJECTS}", self.n_subjects)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InvalidInputError("seed", "a whole number >= 0", self.seed)
        object.__setattr__(self, "doses", tuple(self.doses))
        object.__setattr__(self, "times_h", tuple(float(t) for t in self.times_h))
        object.__setattr__(self, "windows", tuple(self.windows))
        object.__setattr__(self, "thresholds", tuple(float(t) for t in self.thresholds))
        object.__setattr__(self, "percentiles", tuple(float(p) for p in self.percentiles))
        if any(not 0 <= p <= 100 for p in self.percentiles):
            raise InvalidInputError("percentiles", "values in 0..100", self.percentiles)
        if self.output not in OUTPUT_UNITS:
            raise InvalidInputError("output", f"one of {', '.join(OUTPUT_UNITS)}", self.output)
        RESIDUAL_PROPORTIONAL_SD.validate(self.residual_sd)
        object.__setattr__(self, "backend", resolve_backend(self.backend))
        if self.metrics_window is None:
            object.__setattr__(self, "metrics_window", (self.times_h[0], self.times_h[-1]))

    @property
    def n_blocks(self) -> int:
        return -(-self.n_subjects // SUBJECTS_PER_SEED_BLOCK)

    def block_bounds(self, block: int) -> tuple[int, int]:
        start = block * SUBJECTS_PER_SEED_BLOCK
        return start, min(start + SUBJECTS_PER_SEED_BLOCK, self.n_subjects)

    def to_dict(self) -> dict[str, object]:
        return {
            "n_subjects": self.n_subjects,
            "seed": self.seed,
            "model": self.model.value,
            "kidney": {"crcl_ml_min": self.kidney.crcl_ml_min, "dialysis": self.kidney.dialysis},
            "crcl_distribution": None if self.crcl_distribution is None else self.crcl_distribution.to_dict(),
            "variability": self.variability.to_dict(),
            "residual_error": self.residual_error,
            "output": self.output,
            "percentiles": list(self.percentiles),
            "subjects_per_seed_block": SUBJECTS_PER_SEED_BLOCK,
            "histogram_relative_resolution": self.histogram.relative_resolution,
        }


def block_generator(seed: int, block: int) -> np.random.Generator:
    """The random stream of seed block ``block``: child ``block`` of ``SeedSequence(seed).spawn(...)``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block,))))


def sample_subjects(problem: PopulationProblem, first_block: int, stop_block: int) -> SubjectParameters:
    """Parameters of the subjects in blocks ``[first_block, stop_block)``, drawn block by block."""
    etas, crcls = [], []
    for b in range(first_block, stop_block):
        lo, hi = problem.block_bounds(b)
        rng = block_generator(problem.seed, b)
        etas.append(rng.standard_normal((hi - lo, 4)))
        if problem.crcl_distribution is not None:
            crcls.append(problem.crcl_distribution.sample(rng, hi - lo))
    eta = np.concatenate(etas)
    n = eta.shape[0]
    plasma = oral_parameters(problem.model, problem.kidney, problem.settings)
    typical = SubjectParameters.typical(plasma, problem.intrathecal, n)
    v = problem.variability
    factors = {
        "ka_per_h": np.exp(v.omega_ka * eta[:, 0]),
        "cl_f_l_per_h": np.exp(v.omega_cl * eta[:, 1]),
        "v_f_l": np.exp(v.omega_v * eta[:, 2]),
        "csf_cl_ml_per_h": np.exp(v.omega_csf_cl * eta[:, 3]),
    }
    if typical.has_peripheral:
        factors["v2_f_l"] = factors["v_f_l"]
    if problem.crcl_distribution is not None:
        s = problem.settings
        crcl = np.concatenate(crcls)
        ref_crcl = problem.kidney.effective_crcl_ml_min(s.value(REFERENCE_CRCL_ML_MIN))
        f_nr = s.value(NONRENAL_FRACTION)
        ref = s.value(REFERENCE_CRCL_ML_MIN)
        cap = s.value(CRCL_CAP_ML_MIN)
        factor_now = f_nr + (1 - f_nr) * min(ref_crcl, cap) / ref
        factors["cl_f_l_per_h"] = (
            factors["cl_f_l_per_h"] * (f_nr + (1 - f_nr) * np.minimum(crcl, cap) / ref) / factor_now
        )
    params = typical.scaled(**factors)
    # CSF volume follows the CSF clearance at a fixed half-life (V = CL t1/2 / ln 2).
    return SubjectParameters(
        params.ka_per_h,
        params.cl_f_l_per_h,
        params.v_f_l,
        params.q_f_l_per_h,
        params.v2_f_l,
        params.csf_cl_ml_per_h,
        params.csf_v_ml * factors["csf_cl_ml_per_h"],
        params.ke0_per_h,
        params.bioavailability,
    )


@dataclass(frozen=True, eq=False)
class PopulationPartial:
    """What a run of whole seed blocks contributes (integer counts add in any order; block rows in order).

    ``hist`` (T, n_bins + 2) counts; ``above`` (T, n_thresholds) counts of values >= each threshold;
    ``block_sums`` (n_blocks, T) per-block sums of the output; ``metric_hist`` (3, n_bins + 2) of per-subject
    Cmax, Cmin, Cavg; ``metric_block_sums`` (n_blocks, 3); ``subjects_cmax_above`` (n_thresholds,).
    """

    first_block: int
    stop_block: int
    n_subjects: int
    hist: np.ndarray
    above: np.ndarray
    block_sums: np.ndarray
    metric_hist: np.ndarray
    metric_block_sums: np.ndarray
    subjects_cmax_above: np.ndarray


def simulate_blocks(problem: PopulationProblem, first_block: int, stop_block: int) -> PopulationPartial:
    """Simulate the subjects of blocks ``[first_block, stop_block)`` and summarise them."""
    if not 0 <= first_block < stop_block <= problem.n_blocks:
        raise InvalidInputError("blocks", f"a range within 0..{problem.n_blocks}", (first_block, stop_block))
    params = sample_subjects(problem, first_block, stop_block)
    it = problem.output != PLASMA_NG_PER_ML
    sim = simulate(
        params,
        problem.doses,
        problem.times_h,
        windows=problem.windows,
        intrathecal=it or None,
        outputs=(problem.output,),
        backend=problem.backend,
    )
    values = sim.output(problem.output).T  # (T, n) view of the engine's time-major array
    if not values.flags.c_contiguous:
        values = np.ascontiguousarray(values)
    if problem.residual_error and problem.residual_sd > 0:
        values = values.copy()
        for b in range(first_block, stop_block):
            lo, hi = problem.block_bounds(b)
            offset = lo - first_block * SUBJECTS_PER_SEED_BLOCK
            rng = block_generator(problem.seed, b)
            rng.standard_normal((hi - lo, 4))
            if problem.crcl_distribution is not None:
                problem.crcl_distribution.sample(rng, hi - lo)
            eps = rng.standard_normal((hi - lo, values.shape[0]))
            part = values[:, offset : offset + hi - lo]
            part *= 1.0 + problem.residual_sd * eps.T
            np.maximum(part, 0.0, out=part)
    return _summarise_values(problem, first_block, stop_block, values)


def _block_rows(problem: PopulationProblem, first_block: int, stop_block: int) -> list[tuple[int, int]]:
    base = first_block * SUBJECTS_PER_SEED_BLOCK
    return [(lo - base, hi - base) for lo, hi in (problem.block_bounds(b) for b in range(first_block, stop_block))]


def _summarise_values(
    problem: PopulationProblem, first_block: int, stop_block: int, values: np.ndarray
) -> PopulationPartial:
    """Counts and sums of ``values`` (T times, n subjects), C-contiguous."""
    spec = problem.histogram
    t_count, n = values.shape
    n_cols = spec.n_bins + 2
    idx = spec.index(values)
    idx += (np.arange(t_count, dtype=np.int64) * n_cols)[:, None]
    hist = np.bincount(idx.ravel(), minlength=t_count * n_cols).reshape(t_count, n_cols)
    del idx
    above = np.empty((t_count, len(problem.thresholds)), dtype=np.int64)
    for e, thr in enumerate(problem.thresholds):
        above[:, e] = np.count_nonzero(values >= thr, axis=1)
    rows = _block_rows(problem, first_block, stop_block)
    block_sums = np.stack([values[:, lo:hi].sum(axis=1) for lo, hi in rows])
    times = np.asarray(problem.times_h)
    start_h, end_h = problem.metrics_window or (problem.times_h[0], problem.times_h[-1])
    mask = window_mask(times, start_h, end_h)
    window = values[mask]
    t = times[mask]
    cmax = window.max(axis=0)
    cmin = window.min(axis=0)
    if t.shape[0] > 1:
        cavg = np.trapezoid(window, t, axis=0) / float(t[-1] - t[0])
    else:
        cavg = window[0].copy()
    metrics = np.stack([cmax, cmin, cavg])  # (3, n)
    metric_hist = np.stack([np.bincount(spec.index(m), minlength=n_cols) for m in metrics])
    metric_block_sums = np.stack([metrics[:, lo:hi].sum(axis=1) for lo, hi in rows])
    cmax_above = np.array([np.count_nonzero(cmax >= thr) for thr in problem.thresholds], dtype=np.int64)
    return PopulationPartial(
        first_block, stop_block, n, hist, above, block_sums, metric_hist, metric_block_sums, cmax_above
    )


def merge_partials(partials: Iterable[PopulationPartial]) -> PopulationPartial:
    """Combine partials of adjacent block runs (any order in, block order out)."""
    parts = sorted(partials, key=lambda p: p.first_block)
    if not parts:
        raise InvalidInputError("partials", "at least one", 0)
    for a, b in zip(parts, parts[1:], strict=False):
        if a.stop_block != b.first_block:
            raise InvalidInputError("partials", "adjacent block ranges", (a.stop_block, b.first_block))
    if len(parts) == 1:
        return parts[0]
    return PopulationPartial(
        parts[0].first_block,
        parts[-1].stop_block,
        sum(p.n_subjects for p in parts),
        np.sum([p.hist for p in parts], axis=0),
        np.sum([p.above for p in parts], axis=0),
        np.concatenate([p.block_sums for p in parts]),
        np.sum([p.metric_hist for p in parts], axis=0),
        np.concatenate([p.metric_block_sums for p in parts]),
        np.sum([p.subjects_cmax_above for p in parts], axis=0),
    )


class PartialAccumulator:
    """Merges partials as they arrive, keeping only the counts and the small per-block rows."""

    def __init__(self) -> None:
        self._counts: PopulationPartial | None = None
        self._rows: dict[int, tuple[np.ndarray, np.ndarray, int]] = {}

    def add(self, part: PopulationPartial) -> None:
        self._rows[part.first_block] = (part.block_sums, part.metric_block_sums, part.stop_block)
        if self._counts is None:
            self._counts = part
            return
        c = self._counts
        self._counts = PopulationPartial(
            0,
            0,
            c.n_subjects + part.n_subjects,
            c.hist + part.hist,
            c.above + part.above,
            c.block_sums,
            c.metric_hist + part.metric_hist,
            c.metric_block_sums,
            c.subjects_cmax_above + part.subjects_cmax_above,
        )

    def result(self) -> PopulationPartial:
        if self._counts is None:
            raise InvalidInputError("partials", "at least one", 0)
        order = sorted(self._rows)
        for a, b in zip(order, order[1:], strict=False):
            if self._rows[a][2] != b:
                raise InvalidInputError("partials", "adjacent block ranges", (self._rows[a][2], b))
        c = self._counts
        return PopulationPartial(
            order[0],
            self._rows[order[-1]][2],
            c.n_subjects,
            c.hist,
            c.above,
            np.concatenate([self._rows[b][0] for b in order]),
            c.metric_hist,
            np.concatenate([self._rows[b][1] for b in order]),
            c.subjects_cmax_above,
        )


@dataclass(frozen=True)
class PopulationSummary:
    """Serialisable population result: percentiles and mean per time, exceedances, metric percentiles."""

    problem: dict[str, object]
    times_h: tuple[float, ...]
    unit: str
    percentiles: dict[str, tuple[float, ...]]
    mean: tuple[float, ...]
    thresholds: tuple[float, ...]
    fraction_at_or_above: tuple[tuple[float, ...], ...]
    metrics: dict[str, dict[str, float]]
    subjects_cmax_at_or_above: tuple[float, ...]
    overflow: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "problem": self.problem,
            "n_subjects": self.problem["n_subjects"],
            "seed": self.problem["seed"],
            "unit": self.unit,
            "times_h": list(self.times_h),
            "percentiles": {k: list(v) for k, v in self.percentiles.items()},
            "mean": list(self.mean),
            "thresholds": list(self.thresholds),
            "fraction_at_or_above": [list(row) for row in self.fraction_at_or_above],
            "metrics": self.metrics,
            "fraction_of_subjects_with_cmax_at_or_above": list(self.subjects_cmax_at_or_above),
            "histogram_overflow": self.overflow,
            "method": "percentiles from log-spaced histograms (relative resolution "
            f"{self.problem['histogram_relative_resolution']:.4f}); seed blocks of "
            f"{SUBJECTS_PER_SEED_BLOCK} subjects from SeedSequence.spawn",
        }


def _pkey(p: float) -> str:
    return f"{p:g}"


def summarise_population(problem: PopulationProblem, partial: PopulationPartial) -> PopulationSummary:
    """Percentiles, means and exceedance fractions from the merged partial of all blocks."""
    if partial.first_block != 0 or partial.stop_block != problem.n_blocks or partial.n_subjects != problem.n_subjects:
        raise InvalidInputError(
            "partial",
            f"all {problem.n_blocks} blocks of the problem",
            (partial.first_block, partial.stop_block),
        )
    n = float(problem.n_subjects)
    q = histogram_quantiles(partial.hist, problem.histogram, problem.percentiles)
    mean = np.add.reduce(partial.block_sums, axis=0) / n
    frac = partial.above / n
    mq = histogram_quantiles(partial.metric_hist, problem.histogram, problem.percentiles)
    mmean = np.add.reduce(partial.metric_block_sums, axis=0) / n
    metrics = {}
    for i, name in enumerate(("cmax", "cmin", "cavg")):
        entry = {f"p{_pkey(p)}": float(mq[j, i]) for j, p in enumerate(problem.percentiles)}
        entry["mean"] = float(mmean[i])
        metrics[name] = entry
    overflow = bool(partial.hist[:, -1].any() or partial.metric_hist[:, -1].any())
    return PopulationSummary(
        problem.to_dict(),
        problem.times_h,
        OUTPUT_UNITS[problem.output],
        {_pkey(p): tuple(float(v) for v in q[j]) for j, p in enumerate(problem.percentiles)},
        tuple(float(v) for v in mean),
        problem.thresholds,
        tuple(tuple(float(v) for v in frac[:, e]) for e in range(len(problem.thresholds))),
        metrics,
        tuple(float(c) / n for c in partial.subjects_cmax_above),
        overflow,
    )


def chunk_ranges(problem: PopulationProblem, blocks_per_chunk: int) -> list[tuple[int, int]]:
    """Block ranges of at most ``blocks_per_chunk`` blocks covering the problem."""
    if isinstance(blocks_per_chunk, bool) or not isinstance(blocks_per_chunk, int) or blocks_per_chunk < 1:
        raise InvalidInputError("blocks_per_chunk", "a whole number >= 1", blocks_per_chunk)
    return [(b, min(b + blocks_per_chunk, problem.n_blocks)) for b in range(0, problem.n_blocks, blocks_per_chunk)]


def default_blocks_per_chunk(problem: PopulationProblem, max_values: int = 6_000_000) -> int:
    """Blocks per chunk so that a chunk holds at most ``max_values`` subject-time values (memory bound)."""
    per_block = SUBJECTS_PER_SEED_BLOCK * max(len(problem.times_h), 1)
    return max(1, max_values // per_block)


def run_population(
    problem: PopulationProblem,
    *,
    blocks_per_chunk: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PopulationSummary:
    """Simulate the population in-process, chunk by chunk; ``progress(done, total)`` after each chunk."""
    ranges = chunk_ranges(problem, blocks_per_chunk or default_blocks_per_chunk(problem))
    acc = PartialAccumulator()
    done = 0
    for first, stop in ranges:
        part = simulate_blocks(problem, first, stop)
        acc.add(part)
        done += part.n_subjects
        if progress is not None:
            progress(done, problem.n_subjects)
    return summarise_population(problem, acc.result())
