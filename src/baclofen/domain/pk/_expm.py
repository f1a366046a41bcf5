"""Matrix exponential of a stack of small matrices: scaling and squaring with a degree-13 Padé approximant.

Higham NJ. The scaling and squaring method for the matrix exponential revisited. SIAM J Matrix Anal
Appl 2005;26(4):1179-93 (the algorithm behind ``scipy.linalg.expm``), vectorised over the leading axes
with :func:`numpy.matmul` and :func:`numpy.linalg.solve`, each matrix with its own scaling power.

>>> import numpy as np
>>> a = np.array([[[-1.0, 0.0], [1.0, -2.0]]])
>>> e = expm_stack(a)
>>> bool(np.allclose(e[0], [[np.exp(-1), 0], [np.exp(-1) - np.exp(-2), np.exp(-2)]]))
True
"""

from __future__ import annotations

import numpy as np

_B13 = (
    64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0, 129060195264000.0,
    10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0,
)
_THETA13 = 5.371920351148152


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
    norm1 = np.abs(flat).sum(axis=-2).max(axis=-1)
    with np.errstate(divide="ignore"):
        s = np.where(norm1 > _THETA13, np.ceil(np.log2(np.maximum(norm1, 1e-300) / _THETA13)), 0.0)
    s = s.astype(np.int64)
    x = flat * np.ldexp(1.0, -s)[:, None, None]
    ident = np.broadcast_to(np.eye(k), x.shape)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    b = _B13
    u_inner = x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2 + b[1] * ident
    u = x @ u_inner
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * ident
    r = np.linalg.solve(v - u, v + u)
    max_s = int(s.max()) if s.size else 0
    for i in range(max_s):
        todo = s > i
        if todo.all():
            r = r @ r
        else:
            r[todo] = r[todo] @ r[todo]
    return r.reshape(batch_shape + (k, k))
