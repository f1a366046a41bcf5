"""Matrix exponential of a stack of small matrices: scaling and squaring with a degree-13 Padé approximant.

Higham NJ. The scaling and squaring method for the matrix exponential revisited. SIAM J Matrix Anal
Appl 2005;26(4):1179-93 (the algorithm behind ``scipy.linalg.expm``), vectorised over the stack: the
matrices are held entry-major (k, k, N) so that every product of small matrices is a handful of
operations on length-N vectors; each matrix has its own scaling power. The Padé denominator is
inverted by the adjugate for k <= 3 (it is well conditioned for norms below theta_13, Higham 2005) and
by :func:`numpy.linalg.solve` otherwise.

>>> import numpy as np
>>> a = np.array([[[-1.0, 0.0], [1.0, -2.0]]])
>>> e = expm_stack(a)
>>> bool(np.allclose(e[0], [[np.exp(-1), 0], [np.exp(-1) - np.exp(-2), np.exp(-2)]]))
True
"""

from __future__ import annotations

import numpy as np

_B13 = (
    64764752532480000.0,
    32382376266240000.0,
    7771770303897600.0,
    1187353796428800.0,
    129060195264000.0,
    10559470521600.0,
    670442572800.0,
    33522128640.0,
    1323241920.0,
    40840800.0,
    960960.0,
    16380.0,
    182.0,
    1.0,
)
_THETA13 = 5.371920351148152


def _mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Entry-major product: (k, k, N) x (k, k, N) -> (k, k, N)."""
    product: np.ndarray = (a[:, :, None, :] * b[None, :, :, :]).sum(axis=1)
    return product


def _solve_small(den: np.ndarray, num: np.ndarray) -> np.ndarray:
    """den^-1 num for entry-major stacks of 1x1, 2x2 or 3x3 matrices (adjugate / determinant)."""
    k = den.shape[0]
    if k == 1:
        quotient: np.ndarray = num / den
        return quotient
    if k == 2:
        a, b, c, d = den[0, 0], den[0, 1], den[1, 0], den[1, 1]
        det = a * d - b * c
        inv = np.stack([np.stack([d, -b]), np.stack([-c, a])]) / det
        return _mm(inv, num)
    m = den
    cof = np.empty_like(m)
    for i in range(3):
        for j in range(3):
            r = [x for x in range(3) if x != i]
            c = [x for x in range(3) if x != j]
            minor = m[r[0], c[0]] * m[r[1], c[1]] - m[r[0], c[1]] * m[r[1], c[0]]
            cof[j, i] = minor if (i + j) % 2 == 0 else -minor  # adjugate = transposed cofactors
    det = m[0, 0] * cof[0, 0] + m[0, 1] * cof[1, 0] + m[0, 2] * cof[2, 0]
    return _mm(cof / det, num)


def expm_stack(a: np.ndarray) -> np.ndarray:
    """``exp(a)`` for every square matrix in ``a`` (shape ``(..., k, k)``), float64."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError("expm_stack needs an array of square matrices")
    k = a.shape[-1]
    batch_shape = a.shape[:-2]
    flat = a.reshape((-1, k, k))
    if flat.shape[0] == 0:
        return np.empty_like(a)
    x = np.ascontiguousarray(np.transpose(flat, (1, 2, 0)))  # (k, k, N)
    norm1 = np.abs(x).sum(axis=0).max(axis=0)
    with np.errstate(divide="ignore"):
        s = np.where(norm1 > _THETA13, np.ceil(np.log2(np.maximum(norm1, 1e-300) / _THETA13)), 0.0)
    s = s.astype(np.int64)
    x = x * np.ldexp(1.0, -s)
    ident = np.eye(k)[:, :, None]
    x2 = _mm(x, x)
    x4 = _mm(x2, x2)
    x6 = _mm(x4, x2)
    b = _B13
    u = _mm(x, _mm(x6, b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2 + b[1] * ident)
    v = _mm(x6, b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * ident
    if k <= 3:
        r = _solve_small(v - u, v + u)
    else:
        den = np.transpose(v - u, (2, 0, 1))
        num = np.transpose(v + u, (2, 0, 1))
        r = np.ascontiguousarray(np.transpose(np.linalg.solve(den, num), (1, 2, 0)))
    for i in range(int(s.max())):
        r = np.where(s > i, _mm(r, r), r)
    return np.ascontiguousarray(np.transpose(r, (2, 0, 1))).reshape(batch_shape + (k, k))
