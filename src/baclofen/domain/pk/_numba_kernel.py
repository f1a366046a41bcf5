"""Optional numba kernel for :func:`baclofen.domain.pk.engine.propagate` (same arithmetic, subject-major).

Numba is an optional dependency (``pip install baclofen[fast]``); without it :data:`AVAILABLE` is False
and the engine uses its numpy path. The kernel loops subjects x breakpoints in compiled code, releasing
the GIL so that Dask threads run in parallel. Not ``parallel=True``: callers (Dask) parallelise chunks.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from baclofen.domain.pk.engine import Schedule


_NUMBA: ModuleType | None
try:  # pragma: no cover - depends on the environment
    import numba

    _NUMBA = numba
except ImportError:  # pragma: no cover
    _NUMBA = None
AVAILABLE = _NUMBA is not None

_KERNEL: Any = None


def _kernel_source(
    phi: np.ndarray,
    gam: np.ndarray,
    seg_key: np.ndarray,
    bolus: np.ndarray,
    rates: np.ndarray,
    has_rate: np.ndarray,
    obs_index: np.ndarray,
    weights: np.ndarray,
    wmask: np.ndarray,
    reach: np.ndarray,
    x0: np.ndarray,
    out: np.ndarray,
    final: np.ndarray,
) -> None:
    # Shapes (state-major, subjects innermost so the compiler vectorises over subjects):
    # phi, gam (U, m, m, N); bolus (K, m); rates (K-1, m); weights (n_out, m, N); x0 (m, N);
    # out (n_out, T, N).
    m = x0.shape[0]
    n_subjects = x0.shape[1]
    k_count = bolus.shape[0]
    n_out = weights.shape[0]
    x = x0.copy()
    new = np.empty_like(x)
    for k in range(k_count):
        for i in range(m):
            b = bolus[k, i]
            if b != 0.0:
                xi = x[i]
                for n in range(n_subjects):
                    xi[n] += b
        o = obs_index[k]
        if o >= 0:
            for q in range(n_out):
                row = out[q, o]
                first = True
                for i in range(m):
                    if wmask[q, i]:
                        wi = weights[q, i]
                        xi = x[i]
                        if first:
                            for n in range(n_subjects):
                                row[n] = wi[n] * xi[n]
                            first = False
                        else:
                            for n in range(n_subjects):
                                row[n] += wi[n] * xi[n]
                if first:
                    for n in range(n_subjects):
                        row[n] = 0.0
        if k == k_count - 1:
            break
        u = seg_key[k]
        for i in range(m):
            ni = new[i]
            first = True
            for j in range(m):
                if reach[i, j]:
                    p = phi[u, i, j]
                    xj = x[j]
                    if first:
                        for n in range(n_subjects):
                            ni[n] = p[n] * xj[n]
                        first = False
                    else:
                        for n in range(n_subjects):
                            ni[n] += p[n] * xj[n]
        if has_rate[k]:
            for j in range(m):
                r = rates[k, j]
                if r != 0.0:
                    for i in range(m):
                        if reach[i, j]:
                            g = gam[u, i, j]
                            ni = new[i]
                            for n in range(n_subjects):
                                ni[n] += g[n] * r
        tmp = x
        x = new
        new = tmp
    for i in range(m):
        for n in range(n_subjects):
            final[i, n] = x[i, n]


def _kernel() -> Any:
    global _KERNEL
    if _KERNEL is None:
        if _NUMBA is None:  # pragma: no cover
            raise RuntimeError("numba is not installed")
        _KERNEL = _NUMBA.njit(nogil=True, cache=False)(_kernel_source)
    return _KERNEL


def run(
    phi: np.ndarray,
    gam: np.ndarray,
    schedule: Schedule,
    weights: np.ndarray,
    wmask: np.ndarray,
    reach: np.ndarray,
    x0: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Outputs (n_out, T, N) and final state (m, N), from state-major inputs (see the kernel's shapes)."""
    m, n = x0.shape
    out = np.empty((weights.shape[0], schedule.times_h.shape[0], n))
    final = np.empty((m, n))
    rates = schedule.rates if schedule.rates.size else np.zeros((1, m))
    has_rate = np.any(rates != 0.0, axis=1)
    _kernel()(
        phi,
        gam,
        schedule.segment_key,
        schedule.bolus,
        np.ascontiguousarray(rates),
        has_rate,
        schedule.obs_index,
        weights,
        wmask,
        reach,
        x0,
        out,
        final,
    )
    return out, final
