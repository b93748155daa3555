"""Distances and exact top-k neighbours of SciPy sparse rows (CPU).

The same functions and signatures as ``_numba_distances`` for CSR matrices (float64). The
distance matrix is one sparse product per block of query rows, made dense for that block
only (memory bounded by ``working_memory``); the top-k search forms no product matrix at
all (see ``_topk_rows``). Neither ever densifies the data.
"""

import numpy as np
from numba import njit, prange

from ._numba_distances import _MARGIN, _push


def _sq_norms(A):
    return np.asarray(A.multiply(A).sum(axis=1), dtype=np.float64).ravel()


def _block_rows(n_rows, n_cols, working_memory):
    """Query rows per block: their dense distance block (float64) fits ``working_memory``."""
    return max(1, min(n_rows, int(working_memory * 2**20 // (8 * max(n_cols, 1)))))


def _blocks(n, rows):
    for start in range(0, n, rows):
        yield slice(start, min(start + rows, n))


def sq_euclidean(X, Y, out, working_memory):
    """``|x|^2 + |y|^2 - 2 x.y`` per block of X's rows, clipped at zero (as scikit-learn's
    ``euclidean_distances`` on sparse input)."""
    xn, yn = _sq_norms(X), _sq_norms(Y)
    YT = Y.T.tocsc()
    for s in _blocks(X.shape[0], _block_rows(X.shape[0], Y.shape[0], working_memory)):
        G = (X[s] @ YT).toarray()
        D = xn[s, None] + yn[None, :] - 2 * G
        np.maximum(D, 0, out=D)
        out[s] = D
    return out


@njit(inline="always")
def _sq_diff(ai, ad, a0, a1, bi, bd, b0, b1):
    """Exact squared distance of two CSR rows (sorted column indices), by merging them."""
    acc = 0.0
    p, q = a0, b0
    while p < a1 and q < b1:
        if ai[p] == bi[q]:
            diff = ad[p] - bd[q]
            p += 1
            q += 1
        elif ai[p] < bi[q]:
            diff = ad[p]
            p += 1
        else:
            diff = -bd[q]
            q += 1
        acc += diff * diff
    while p < a1:
        acc += ad[p] * ad[p]
        p += 1
    while q < b1:
        acc += bd[q] * bd[q]
        q += 1
    return acc


@njit(parallel=True, cache=True, nogil=True)
def _topk_rows(
    Xp, Xi, Xd, Yp, Yi, Yd, Cp, Ci, Cd, xn, yn, own, coef, radius, part, cand, dist, ind
):
    """Exact top-k of every CSR row of X among the CSR rows of Y (``Cp, Ci, Cd``: Y as CSC).

    Per query: its products with every row of Y accumulated column by column of Y (no
    product matrix is formed; memory is one dense row per thread), the ``kk`` smallest
    ``|y|^2 - 2 x.y`` kept, their distances recomputed exactly by merging the rows and
    sorted by (distance, index). The certificate of the dense kernels decides whether the
    candidates hold the answer; if not, every row of Y is compared exactly.
    """
    n = Xp.size - 1
    m = yn.size
    kk = part.shape[1]
    k = dist.shape[1]
    big = np.finfo(np.float64).max
    for i in prange(n):
        acc = np.zeros(m)
        for p in range(Xp[i], Xp[i + 1]):
            c = Xi[p]
            v = Xd[p]
            for r in range(Cp[c], Cp[c + 1]):
                acc[Ci[r]] += v * Cd[r]
        for a in range(kk):
            part[i, a] = big
            cand[i, a] = 0  # a valid row whatever the values (never an unset index)
        thr = big
        for j in range(m):
            value = yn[j] - 2.0 * acc[j]
            if value < thr and j != own[i]:
                _push(part, cand, i, value, j)
                thr = part[i, kk - 1]
        exact = np.empty(kk)
        for a in range(kk):
            j = cand[i, a]
            exact[a] = _sq_diff(Xi, Xd, Xp[i], Xp[i + 1], Yi, Yd, Yp[j], Yp[j + 1])
        for a in range(1, kk):  # insertion sort by (distance, index)
            v = exact[a]
            idx = cand[i, a]
            q = a
            while q > 0 and (exact[q - 1] > v or (exact[q - 1] == v and cand[i, q - 1] > idx)):
                exact[q] = exact[q - 1]
                cand[i, q] = cand[i, q - 1]
                q -= 1
            exact[q] = v
            cand[i, q] = idx
        last = part[i, 0]
        for a in range(1, kk):
            last = max(last, part[i, a])
        bound = coef * (np.sqrt(xn[i]) + radius) ** 2
        certified = m - (own[i] >= 0) <= kk or last + xn[i] - bound > exact[k - 1]
        if certified:
            for a in range(k):
                dist[i, a] = exact[a]
                ind[i, a] = cand[i, a]
            continue
        for a in range(k):  # every row of Y, exactly (ascending j: ties keep the lower one)
            dist[i, a] = np.inf
        thr = np.inf
        for j in range(m):
            if j == own[i]:
                continue
            d = _sq_diff(Xi, Xd, Xp[i], Xp[i + 1], Yi, Yd, Yp[j], Yp[j + 1])
            if d < thr:
                _push(dist, ind, i, d, j)
                thr = dist[i, k - 1]


def kneighbors(X, Y, exclude, dist, ind, working_memory):
    """The ``dist.shape[1]`` nearest rows of Y for every row of X, exact and sorted.

    Candidates (k + 3) come from the product formula in float64; their distances are then
    computed exactly from the rows' differences. A query is certified when its last
    candidate's formula value, less the rounding bound ``2 (d + 4) eps (|x| + max|y|)^2``,
    exceeds the exact k-th distance; the rare others are compared with every row of Y
    exactly. ``working_memory`` is not needed: no block of distances is held.
    """
    n, k = ind.shape
    own = np.full(n, -1, dtype=np.intp) if exclude is None else exclude
    available = Y.shape[0] - (exclude is not None and bool((exclude >= 0).any()))
    kk = min(k + _MARGIN, available)
    X, Y = X.copy(), Y.copy()  # sorted indices, without touching the caller's matrices
    X.sort_indices()
    Y.sort_indices()
    C = Y.tocsc()
    C.sort_indices()
    xn, yn = _sq_norms(X), _sq_norms(Y)
    coef = 2 * (X.shape[1] + 4) * float(np.finfo(np.float64).eps)
    radius = float(np.sqrt(yn.max()))
    part = np.empty((n, kk))
    cand = np.empty((n, kk), dtype=np.intp)
    d64 = np.empty((n, k))
    _topk_rows(
        X.indptr, X.indices, X.data, Y.indptr, Y.indices, Y.data, C.indptr, C.indices,
        C.data, xn, yn, np.ascontiguousarray(own, dtype=np.intp), coef, radius, part, cand,
        d64, ind,
    )  # fmt: skip
    dist[...] = d64
    return dist, ind
