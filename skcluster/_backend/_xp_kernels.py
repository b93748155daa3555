"""Array-namespace kernels: CuPy arrays on the GPU, NumPy arrays as the reference path.

The functions mirror the Numba kernels (``_numba_distances``, ``_numba_gaussian``,
``_numba_solvers``) name for name and signature for signature, but for ``em_loop``, the
Numba backend's whole EM loop for small fits in one call (``gaussian_em_fit``): on other
backends its callers loop over ``em_stats``. They use
only operations that NumPy and CuPy share, so the same code also serves as the reference
implementation behind ``config_context(backend="numpy")`` and is tested on every machine,
GPU or not. This module never imports CuPy itself: it takes the namespace from the arrays.
"""

import math

import numpy as np


def _xp(a):
    if type(a).__module__.split(".")[0] == "cupy":
        import cupy

        return cupy
    return np


def _row_block(n_rows, bytes_per_row, working_memory):
    return max(1, min(n_rows, int(working_memory * 2**20 // max(1, bytes_per_row))))


def _sq_dist_block(xp, Xb, Ys, ynorm, shift):
    """Squared distances of a block of rows to the (shifted) base set, clipped at 0."""
    Xs = Xb - shift
    D = Xs @ Ys.T
    D *= -2
    D += (Xs * Xs).sum(axis=1)[:, None]
    D += ynorm[None, :]
    xp.maximum(D, 0, out=D)
    return D


def _shifted(xp, Y):
    shift = Y.mean(axis=0, dtype=xp.float64).astype(Y.dtype)
    Ys = Y - shift
    return Ys, (Ys * Ys).sum(axis=1), shift


def sq_euclidean(X, Y, out, working_memory):
    """Squared Euclidean distances between the rows of X and of Y, written into ``out``."""
    xp = _xp(X)
    Ys, ynorm, shift = _shifted(xp, Y)
    rows = _row_block(X.shape[0], Y.shape[0] * X.itemsize * 2, working_memory)
    for i0 in range(0, X.shape[0], rows):
        out[i0 : i0 + rows] = _sq_dist_block(xp, X[i0 : i0 + rows], Ys, ynorm, shift)
    return out


def _exact_sorted(xp, Xb, Y, ind):
    """Exact squared distances of the chosen neighbours, rows sorted by (distance, index)."""
    diff = Xb[:, None, :] - Y[ind]
    dist = (diff * diff).sum(axis=2)
    # sort by index, then stably by distance: ties end up in index order
    order = xp.argsort(ind, axis=1)
    ind = xp.take_along_axis(ind, order, axis=1)
    dist = xp.take_along_axis(dist, order, axis=1)
    order = xp.argsort(dist, axis=1, kind="stable") if xp is np else xp.argsort(dist, axis=1)
    return xp.take_along_axis(dist, order, axis=1), xp.take_along_axis(ind, order, axis=1)


def _smallest_k(xp, D, k):
    """Column indices (ascending) and values of the k smallest entries of each row, ties
    towards the lower index.

    On a GPU, k rounds of argmin (each returns the first of equal minima, then masks it; see
    ``_smallest_k_by_chunks``): CuPy's argpartition sorts whole rows, which costs far more
    than k reductions for the small k of neighbour searches. ``D`` may be overwritten there.
    On NumPy, argpartition, then every entry below the k-th value and the lowest-indexed
    entries equal to it (argpartition alone picks an arbitrary member of a tie at the k-th
    value).
    """
    n, m = D.shape
    if k == m:
        return xp.broadcast_to(xp.arange(m), (n, m)).copy(), D.copy()
    if xp is not np and k <= 64:
        return _smallest_k_by_chunks(xp, D, k)
    kth = xp.take_along_axis(D, xp.argpartition(D, k - 1, axis=1)[:, k - 1 : k], axis=1)
    below = D < kth
    equal = D == kth
    room = k - below.sum(axis=1, keepdims=True)
    keep = below | (equal & (xp.cumsum(equal, axis=1) <= room))
    ind = xp.nonzero(keep)[1].reshape(n, k)  # row-major: each row's k columns in order
    return ind, xp.take_along_axis(D, ind, axis=1)


def _smallest_k_by_chunks(xp, D, k):
    """The GPU branch of ``_smallest_k``: k argmin passes over a table of chunk minima.

    The columns are cut into about sqrt(m) chunks; one pass finds each chunk's minimum, then
    each of the k rounds takes the smallest chunk minimum (the first on ties: the lowest
    index), masks that entry and recomputes only its chunk. Every kernel runs over rows x
    chunks or rows x chunk-size entries, so a block of few, very long rows still fills the
    GPU (a plain argmin along the rows gives one thread block per row).
    """
    n, m = D.shape
    size = max(1, math.isqrt(m))
    n_chunks = -(-m // size)
    if n_chunks * size != m:  # pad with +inf so that the columns reshape into chunks
        D = xp.concatenate([D, xp.full((n, n_chunks * size - m), xp.inf, dtype=D.dtype)], 1)
    D = D.reshape(n, n_chunks, size)
    cmin, carg = D.min(axis=2), D.argmin(axis=2)
    rows = xp.arange(n)
    ind = xp.empty((n, k), dtype=xp.intp)
    val = xp.empty((n, k), dtype=D.dtype)
    for j in range(k):
        c = cmin.argmin(axis=1)
        at = carg[rows, c]
        ind[:, j] = c * size + at
        val[:, j] = cmin[rows, c]
        D[rows, c, at] = xp.inf
        chunk = D[rows, c]  # (n, size)
        cmin[rows, c], carg[rows, c] = chunk.min(axis=1), chunk.argmin(axis=1)
    order = xp.argsort(ind, axis=1)
    return xp.take_along_axis(ind, order, axis=1), xp.take_along_axis(val, order, axis=1)


def kneighbors(X, Y, exclude, dist, ind, working_memory):
    """The ``dist.shape[1]`` nearest rows of Y for every row of X (squared distances, sorted).

    As on the CPU: the GEMM trick finds ``k + 3`` candidates, their distances are computed
    exactly, and rows whose answer the rounding bound cannot certify are redone by direct
    differences, so the answer is exact.
    """
    xp = _xp(X)
    k = dist.shape[1]
    m = Y.shape[0]
    available = m - (exclude is not None and bool((exclude >= 0).any()))
    kk = min(k + 3, available)
    eps = float(np.finfo(X.dtype).eps)
    Ys, ynorm, shift = _shifted(xp, Y)
    radius = float(xp.sqrt(ynorm.max()))
    rows = _row_block(X.shape[0], m * X.itemsize * 3, working_memory)
    for i0 in range(0, X.shape[0], rows):
        Xb = X[i0 : i0 + rows]
        D = _sq_dist_block(xp, Xb, Ys, ynorm, shift)
        own = None if exclude is None else exclude[i0 : i0 + rows]
        if own is not None:
            r = xp.nonzero(own >= 0)[0]
            D[r, own[r]] = xp.inf
        cand, values = _smallest_k(xp, D, kk)
        last = values.max(axis=1)
        db, ib = _exact_sorted(xp, Xb, Y, cand)
        xs = xp.sqrt(((Xb - shift) ** 2).sum(axis=1))
        bound = 2 * (X.shape[1] + 4) * eps * (xs + radius) ** 2
        redo = xp.nonzero((last - bound <= db[:, k - 1]) & (kk < available))[0]
        for i in redo.tolist():  # rare: near-ties at the rounding level
            diff = Y - Xb[i]
            exact = (diff * diff).sum(axis=1)
            if own is not None and int(own[i]) >= 0:
                exact[int(own[i])] = xp.inf
            pick, _ = _smallest_k(xp, exact[None, :], k)
            db[i, :k], ib[i, :k] = _exact_sorted(xp, Xb[i : i + 1], Y, pick)
        dist[i0 : i0 + rows] = db[:, :k]
        ind[i0 : i0 + rows] = ib[:, :k]
    return dist, ind


def kneighbors_tables(Cq, Cb, tables, starts, sizes, exclude, dist, ind, working_memory):
    """Top-k under a distance that sums per-feature lookup tables over categorical codes."""
    xp = _xp(Cq)
    k = dist.shape[1]
    rows = _row_block(Cq.shape[0], Cb.shape[0] * 8 * 3, working_memory)
    for i0 in range(0, Cq.shape[0], rows):
        cq = Cq[i0 : i0 + rows]
        D = xp.zeros((cq.shape[0], Cb.shape[0]))
        for f in range(Cq.shape[1]):
            D += tables[starts[f] + cq[:, f, None] * sizes[f] + Cb[None, :, f]]
        own = exclude[i0 : i0 + rows]
        r = xp.nonzero(own >= 0)[0]
        D[r, own[r]] = xp.inf
        cand, d = _smallest_k(xp, D, k)
        order = xp.argsort(d, axis=1, kind="stable") if xp is np else xp.argsort(d, axis=1)
        dist[i0 : i0 + rows] = xp.take_along_axis(d, order, axis=1)
        ind[i0 : i0 + rows] = xp.take_along_axis(cand, order, axis=1)
    return dist, ind


def assign_nearest(X, centers, labels, distances, working_memory):
    """Index of and squared distance to the nearest centre for every row (ties: lowest index)."""
    xp = _xp(X)
    Cs, cnorm, shift = _shifted(xp, centers)
    rows = _row_block(X.shape[0], centers.shape[0] * X.itemsize * 2, working_memory)
    for i0 in range(0, X.shape[0], rows):
        Xb = X[i0 : i0 + rows]
        lab = xp.argmin(_sq_dist_block(xp, Xb, Cs, cnorm, shift), axis=1)
        diff = Xb - centers[lab]
        labels[i0 : i0 + rows] = lab
        distances[i0 : i0 + rows] = (diff * diff).sum(axis=1)
    return labels, distances


def interpolate(X, p0, p1, steps, out, working_memory):
    """``out[i] = X[p0[i]] + steps[i] * (X[p1[i]] - X[p0[i]])``, steps (n, 1) or (n, d)."""
    rows = _row_block(p0.shape[0], X.shape[1] * 8 * 3, working_memory)
    for i0 in range(0, p0.shape[0], rows):
        a, b = X[p0[i0 : i0 + rows]], X[p1[i0 : i0 + rows]]
        out[i0 : i0 + rows] = a + steps[i0 : i0 + rows] * (b - a)
    return out


def center_sums(X, labels, sample_weight, sums, counts, working_memory):
    """Weighted per-centre sums of the rows and weighted counts, by one-hot products."""
    xp = _xp(X)
    n_centers, d = sums.shape
    acc = xp.zeros((n_centers, d), dtype=xp.float64)
    cnt = xp.zeros(n_centers, dtype=xp.float64)
    ids = xp.arange(n_centers)
    rows = _row_block(X.shape[0], (n_centers + d) * 8, working_memory)
    for i0 in range(0, X.shape[0], rows):
        onehot = (labels[i0 : i0 + rows, None] == ids[None, :]).astype(xp.float64)
        w = sample_weight[i0 : i0 + rows].astype(xp.float64)
        acc += onehot.T @ (X[i0 : i0 + rows].astype(xp.float64) * w[:, None])
        cnt += onehot.T @ w
    sums[...] = acc
    counts[...] = cnt
    return sums, counts


def logsumexp(A, out, resp, working_memory):
    """Row-wise log-sum-exp into ``out``; with ``resp`` also ``exp(A - lse)``."""
    xp = _xp(A)
    mx = A.max(axis=1)
    finite = xp.isfinite(mx)  # a row of only -inf has no finite maximum
    safe = xp.where(finite, mx, 0)[:, None]
    total = xp.exp(A - safe).sum(axis=1)
    out[...] = xp.where(finite, xp.log(xp.where(finite, total, 1)) + safe[:, 0], mx)
    if resp is not None:
        resp[...] = xp.where(
            finite[:, None], xp.exp(A - xp.where(finite, out, 0)[:, None]), xp.nan
        )
    return out, resp


def gaussian_log_density(X, means, prec_chol, covariance_type, out, working_memory):
    """log N(x | mean_k, Sigma_k) for every row and component, into ``out`` (n, K)."""
    xp = _xp(X)
    d = X.shape[1]
    log2pi = math.log(2 * math.pi)
    if covariance_type == "diag":
        log_det = xp.log(prec_chol).sum(axis=1)
        for k in range(means.shape[0]):
            y = (X - means[k]) * prec_chol[k]
            out[:, k] = -0.5 * (d * log2pi + (y * y).sum(axis=1)) + log_det[k]
        return out
    log_det = xp.log(xp.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
    for k in range(means.shape[0]):
        y = X @ prec_chol[k] - means[k] @ prec_chol[k]
        out[:, k] = -0.5 * (d * log2pi + (y * y).sum(axis=1)) + log_det[k]
    return out


def em_stats(X, weights, means, prec_chol, log_weights, covariance_type, working_memory):
    """Log-likelihood sum and M-step sums of a mixture, in row blocks; ``s2`` is (K, d)
    for ``"diag"`` (``prec_chol``: 1 / sd, (K, d)), (K, d, d) for ``"full"``."""
    xp = _xp(X)
    n, d = X.shape
    K = means.shape[0]
    diag = covariance_type == "diag"
    ll = 0.0
    nk = xp.zeros(K)
    s1 = xp.zeros((K, d))
    s2 = xp.zeros((K, d) if diag else (K, d, d))
    rows = _row_block(n, 8 * K * (d + 4), working_memory)
    log_det = xp.log(prec_chol if diag else xp.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
    for i0 in range(0, n, rows):
        Xb = X[i0 : i0 + rows]
        # log-densities from the centred rows: X @ P - mu @ P loses float32 digits when
        # the data sit far from the origin
        A = xp.empty((Xb.shape[0], K))
        for k in range(K):
            z = (Xb - means[k]) * prec_chol[k] if diag else (Xb - means[k]) @ prec_chol[k]
            A[:, k] = log_det[k] - 0.5 * (d * math.log(2 * math.pi) + (z * z).sum(axis=1))
        A += log_weights[None, :]
        lse = xp.empty(A.shape[0])
        resp = xp.empty_like(A)
        logsumexp(A, lse, resp, working_memory)
        keep = xp.isfinite(lse)
        w = xp.where(keep, weights[i0 : i0 + rows], 0)
        wr = xp.where(keep[:, None], resp, 0) * w[:, None]
        ll += float((w * xp.where(keep, lse, 0)).sum())
        nk += wr.sum(axis=0)
        for k in range(K):
            diff = Xb.astype(xp.float64) - means[k]
            s1[k] += wr[:, k] @ diff
            s2[k] += wr[:, k] @ (diff * diff) if diag else (diff * wr[:, k, None]).T @ diff
    return ll, nk, s1, s2


def lloyd_step(X, centers, sample_weight, labels, distances, sums, counts, working_memory):
    """Nearest centre of every row, then weighted sums and counts per centre."""
    assign_nearest(X, centers, labels, distances, working_memory)
    return center_sums(X, labels, sample_weight, sums, counts, working_memory)


def nlr_step(Xw, q, offsets, U, y, beta, step, target, dual, out, working_memory):
    """One step of the nonnegative low-rank augmented Lagrangian (see ``_backend._solvers``)."""
    xp = _xp(U)
    n, r = U.shape[1], U.shape[2]
    cs = U.sum(axis=1)  # (B, r)
    G = xp.matmul(xp.swapaxes(Xw, 1, 2), U)  # (B, d, r)
    e = xp.einsum("bir,br->i", U, cs) - 1.0
    if dual:
        y += beta * e
    yt = y + beta * e
    h = xp.einsum("bi,bir->br", q + yt[None, :], U)
    coef = q + 2.0 * offsets[:, None] + yt[None, :]  # (B, n)
    grad = coef[:, :, None] * cs[:, None, :] + h[:, None, :] - 2.0 * xp.matmul(Xw, G)
    V = xp.maximum(U - step * grad, 0.0)
    ss = (V * V).sum(axis=(1, 2))
    flat = ss == 0
    scale = xp.sqrt(target / xp.where(flat, 1.0, ss))
    flat_value = xp.sqrt(target / (n * r))[:, None, None]
    V = xp.where(flat[:, None, None], flat_value, V * scale[:, None, None])
    out[...] = V
    return float((e * e).sum()), float(((V - U) ** 2).sum())


def self_expression(C, layers, want_layer_grads):
    """Layer-wise self-expression loss and its gradients (see ``_backend._solvers``)."""
    xp = _xp(C)
    norms = [float(xp.sqrt((H * H).sum())) for H in layers]
    Hn = xp.concatenate([H / max(s, 1e-30) for H, s in zip(layers, norms, strict=True)], 1)
    E = Hn - C @ Hn  # the three n x n x D products are the whole cost
    loss = float((E * E).sum())
    grad_C = (E @ Hn.T) * -2.0
    if not want_layer_grads:
        return loss, grad_C, None
    G = (E - C.T @ E) * 2.0
    grads, start = [], 0
    for H, s in zip(layers, norms, strict=True):
        d = H.shape[1]
        g, h = G[:, start : start + d], Hn[:, start : start + d]
        grads.append((g - h * float((h * g).sum())) / max(s, 1e-30))
        start += d
    return loss, grad_C, grads


def two_means(X, weights, side, max_iter):
    """2-means from the boolean split ``side`` (updated in place) until no row moves or a
    side empties (the Numba kernel's rule)."""
    xp = _xp(X)
    for _ in range(max_iter):
        n_true = int(side.sum())
        if n_true in (0, side.shape[0]):
            break
        centers = xp.stack(
            [
                (weights[~side] @ X[~side]) / weights[~side].sum(),
                (weights[side] @ X[side]) / weights[side].sum(),
            ]
        )
        d0 = ((X - centers[0]) ** 2).sum(axis=1)
        d1 = ((X - centers[1]) ** 2).sum(axis=1)
        new = d1 < d0
        if bool((new == side).all()):
            break
        side[...] = new
