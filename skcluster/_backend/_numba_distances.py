"""CPU kernels of distances, neighbours and centres: Numba for the loops, BLAS for the
products, Python threads for parallelism (the thread helpers are shared with the other
Numba kernel modules).

Every function here takes C-contiguous float32 or float64 inputs that the dispatcher
(``skcluster._backend._dispatch``) has already validated, and writes into preallocated
outputs.

Why threads and not ``prange`` for the product-heavy kernels: a fused "GEMM then scan" per
block is fastest when each thread runs a single-threaded BLAS product on a block that stays
in its L2 cache and scans it at once; alternating a multi-threaded BLAS with a Numba parallel
region makes both thread pools spin against each other (measured on 16 cores: 5.2-8.2 s
against 1.3 s for a 104k x 104k search). The neighbour search calls BLAS from inside Numba
(SciPy's, held to one thread like NumPy's), so a thread takes the GIL once per row block,
not twice per block: with the Python loop 16 threads were slower than 8. Blocks are fixed by
the data's shape, never by the thread count, so results do not depend on how many threads ran.
"""

import heapq
import math
import types

import numpy as np
from numba import njit, prange

from ._memory import in_pool, numba_threads, single_blas_thread, thread_pool

# Up to this many rows of Y (k-means centres, k-means++ candidates), direct loops beat the
# blocked GEMM: measured on 2 cores at 100,000 x 32, 10 centres: 9 ms against 54 ms.
_FEW_ROWS = 32


def _use_direct(X, Y):
    """Direct loop or GEMM trick for the full distance matrix.

    Measured on 2 cores (20,000 x 5,000 output): the direct loop, exact as well, wins for
    float64 up to 4 features and ties for float32 at 1-2 features; beyond, the GEMM wins,
    unless Y has only a few rows (the GEMM's blocks and threads then cost more than they
    save). The top-k search always uses the GEMM (its block scan vectorises; a direct loop
    with an insertion branch does not), 4-7x faster even at one feature.
    """
    d = X.shape[1]
    return d <= 2 or (d <= 4 and X.dtype == np.float64) or Y.shape[0] <= _FEW_ROWS


# Queries x base points in one GEMM block. Measured on 2 cores (benchmarks/bench_neighbors.py):
# 512 x 512 10.1 s, 256 x 256 10.8 s at 100k x 100k x 32; 128-row blocks were slower.
_BLOCK_ROWS = 512
_BLOCK_COLS = 512


def threads_and_serial(func, **flags):
    """``func`` compiled twice: with threads over its ``prange`` loops, and on the caller's
    thread, for inputs so small that starting a parallel region costs more than the work.
    The serial twin is a copy under a name of its own: Numba's cache keys a function by its
    name and first line, not by its compile flags, so two compiles of one function would
    both load whichever of them was cached first."""
    name = func.__name__ + "_serial"
    serial = types.FunctionType(
        func.__code__, func.__globals__, name, func.__defaults__, func.__closure__
    )
    serial.__qualname__ = func.__qualname__ + "_serial"
    return (
        njit(parallel=True, cache=True, nogil=True, **flags)(func),
        njit(cache=True, nogil=True, **flags)(serial),
    )


def _run_blocks(func, n_blocks, min_parallel=2):
    """Run ``func(b)`` for every block ``b``, on up to ``numba.get_num_threads()`` threads:
    the caller's and those of the process's pool (``_memory.thread_pool``). Each thread takes the
    next block left (one shared iterator: the GIL hands each block out once); a call from
    one of the pool's own threads, or with fewer than ``min_parallel`` blocks, runs its
    blocks itself."""
    n_threads = min(numba_threads(), n_blocks)
    if n_threads <= 1 or n_blocks < min_parallel or in_pool():
        for b in range(n_blocks):
            func(b)
        return
    blocks = iter(range(n_blocks))

    def drain():
        for b in blocks:
            func(b)

    with single_blas_thread():
        others = [thread_pool().submit(drain) for _ in range(n_threads - 1)]
        try:
            drain()
        finally:
            for done in others:
                done.result()  # waits for every thread; re-raises a worker's exception


def _block_shape(n_rows, n_cols, itemsize, working_memory):
    """Block (rows, cols) of the distance matrix one thread holds at a time."""
    cols = min(n_cols, _BLOCK_COLS)
    rows = max(1, (_BLOCK_ROWS * _BLOCK_COLS) // cols)
    budget = int(working_memory * 2**20 / (itemsize * cols * max(1, numba_threads())))
    rows = max(1, min(rows, budget, n_rows))
    return rows, cols


def _augment(X, Y):
    """Shift both sets by Y's mean and fold the base norms into the product.

    ``Xa @ YaT`` gives ``|y|^2 - 2 x.y`` (the squared distance less ``|x|^2``) in one GEMM;
    the shift removes most of the cancellation error of the GEMM trick on offset data.
    """
    d = X.shape[1]
    shift = Y.mean(axis=0, dtype=np.float64).astype(X.dtype)
    Xa = np.empty((X.shape[0], d + 1), dtype=X.dtype)
    np.subtract(X, shift, out=Xa[:, :d])
    Xa[:, d] = 1
    Ys = Y - shift
    YaT = np.empty((d + 1, Y.shape[0]), dtype=X.dtype)
    np.multiply(Ys.T, -2, out=YaT[:d])
    YaT[d] = np.einsum("ij,ij->i", Ys, Ys)
    xnorm = np.einsum("ij,ij->i", Xa[:, :d], Xa[:, :d])
    return Xa, YaT, xnorm


def _column_blocks(YaT, cols):
    """``YaT`` cut into ``(n_blocks, d + 1, cols)`` for the GIL-free row-block kernels; the
    last block is padded with columns whose product is the dtype's largest value (zero
    coordinates, that value as the norm): the top-k scan never keeps them, the distance
    kernel skips them."""
    rows, m = YaT.shape
    n_blocks = -(-m // cols)
    padded = np.zeros((rows, n_blocks * cols), dtype=YaT.dtype)
    padded[-1] = np.finfo(YaT.dtype).max
    padded[:, :m] = YaT
    return np.ascontiguousarray(padded.reshape(rows, n_blocks, cols).transpose(1, 0, 2))


# --------------------------------------------------------------------------------------
# squared Euclidean distances
# --------------------------------------------------------------------------------------


@njit(parallel=True, cache=True, nogil=True)
def _sq_euclidean_direct(X, Y, out):
    n, d = X.shape
    m = Y.shape[0]
    for i in prange(n):
        for j in range(m):
            acc = 0.0
            for t in range(d):
                diff = X[i, t] - Y[j, t]
                acc += diff * diff
            out[i, j] = acc


@njit(cache=True, nogil=True)
def _distance_rows(q, blocks, xnorm, out):
    """One row block of the distance matrix: GEMM per column block (BLAS, called from
    Numba, without the GIL), then the row norms added and rounding negatives clipped."""
    cols = blocks.shape[2]
    m = out.shape[1]
    g = np.empty((q.shape[0], cols), dtype=q.dtype)
    for b in range(blocks.shape[0]):
        np.dot(q, blocks[b], g)
        j0 = b * cols
        for i in range(q.shape[0]):
            for j in range(min(cols, m - j0)):  # the last block's padding is skipped
                v = g[i, j] + xnorm[i]
                out[i, j0 + j] = v if v > 0 else 0


def sq_euclidean(X, Y, out, working_memory):
    """Squared Euclidean distances between the rows of X and of Y, written into ``out``."""
    if _use_direct(X, Y):
        _sq_euclidean_direct(X, Y, out)
        return out
    Xa, YaT, xnorm = _augment(X, Y)
    rows, cols = _block_shape(X.shape[0], Y.shape[0], X.itemsize, working_memory)
    blocks = _column_blocks(YaT, cols)

    def work(b):
        s = slice(b * rows, (b + 1) * rows)
        _distance_rows(Xa[s], blocks, xnorm[s], out[s])

    _run_blocks(work, -(-X.shape[0] // rows))
    return out


# --------------------------------------------------------------------------------------
# top-k neighbours and nearest-centre assignment
# --------------------------------------------------------------------------------------


@njit(inline="always")
def _push(dist, ind, i, value, index):
    """Insert (value, index) into row i of the sorted top-k lists; ties keep the lower index."""
    p = dist.shape[1] - 1
    while p > 0 and dist[i, p - 1] > value:
        dist[i, p] = dist[i, p - 1]
        ind[i, p] = ind[i, p - 1]
        p -= 1
    dist[i, p] = value
    ind[i, p] = index


# fastmath lets LLVM vectorise the min-reduction; it assumes no NaN/inf, so "empty" slots
# hold the dtype's largest finite value instead of inf.
@njit(cache=True, nogil=True, fastmath=True)
def _scan_topk(G, j0, own, dist, ind):
    """Merge a block of (partial) distances into the running top-k lists.

    Sixteen values at a time are first reduced to their minimum (vectorised); only a group
    that beats the current k-th distance is inserted element by element. Column ``own[i]``
    (an index of the whole base set, -1 for none) is never inserted into row ``i``: the
    exclusion is checked here, on the rare insertion path, rather than by masking every
    block in Python, which serialised the threads on the GIL (6.0 s against 3.4 s on 16
    cores at 104k x 104k).
    """
    n, m = G.shape
    k = dist.shape[1]
    W = 16
    for i in range(n):
        thr = dist[i, k - 1]
        me = own[i] - j0
        j = 0
        while j + W <= m:
            lo = G[i, j]
            for t in range(1, W):
                lo = min(lo, G[i, j + t])
            if lo < thr:
                for t in range(W):
                    v = G[i, j + t]
                    if v < thr and j + t != me:
                        _push(dist, ind, i, v, j0 + j + t)
                        thr = dist[i, k - 1]
            j += W
        while j < m:
            v = G[i, j]
            if v < thr and j != me:
                _push(dist, ind, i, v, j0 + j)
                thr = dist[i, k - 1]
            j += 1


@njit(parallel=True, cache=True, nogil=True)
def _exact_sorted(X, Y, dist, ind):
    """Recompute the found neighbours' distances exactly and sort each row by (distance, index)."""
    n, k = ind.shape
    d = X.shape[1]
    for i in prange(n):
        for a in range(k):
            j = ind[i, a]
            acc = 0.0
            for t in range(d):
                diff = X[i, t] - Y[j, t]
                acc += diff * diff
            dist[i, a] = acc
        # insertion sort of k items
        for a in range(1, k):
            v = dist[i, a]
            idx = ind[i, a]
            p = a
            while p > 0 and (dist[i, p - 1] > v or (dist[i, p - 1] == v and ind[i, p - 1] > idx)):
                dist[i, p] = dist[i, p - 1]
                ind[i, p] = ind[i, p - 1]
                p -= 1
            dist[i, p] = v
            ind[i, p] = idx


def _search(X, Y, self_index, dist, ind, working_memory):
    """GEMM + scan: the candidates with the smallest ``|y|^2 - 2 x.y`` (shifted coordinates).

    ``dist`` receives those partial values (not yet distances), unsorted beyond the scan's
    order. ``self_index[i]``, when given, is the row of Y that row i of X must not return.
    """
    big = np.finfo(dist.dtype).max
    dist.fill(big)
    ind.fill(0)
    if self_index is None:
        self_index = np.full(X.shape[0], -1, dtype=np.intp)
    Xa, YaT, xnorm = _augment(X, Y)
    rows, cols = _block_shape(X.shape[0], Y.shape[0], X.itemsize, working_memory)
    blocks = _column_blocks(YaT, cols)

    def work(b):
        s = slice(b * rows, (b + 1) * rows)
        _search_rows(Xa[s], blocks, self_index[s], dist[s], ind[s])

    _run_blocks(work, -(-X.shape[0] // rows))
    return xnorm


@njit(cache=True, nogil=True)
def _search_rows(q, blocks, own, dist, ind):
    """One row block against every column block: GEMM (BLAS, called from Numba) and scan.

    The whole loop runs without the GIL. A Python loop over column blocks took the GIL
    twice per block, and on 16 cores the threads queued for it: the 104k x 1M search of
    BorderlineSMOTE ran slower there than imbalanced-learn's.
    """
    cols = blocks.shape[2]
    g = np.empty((q.shape[0], cols), dtype=q.dtype)
    for b in range(blocks.shape[0]):
        np.dot(q, blocks[b], g)
        _scan_topk(g, b * cols, own, dist, ind)


@njit(parallel=True, cache=True, nogil=True)
def _topk_direct(X, Y, self_index, dist, ind):
    """Exact top-k by direct differences (float64 sums): the fallback for uncertified rows."""
    n, d = X.shape
    k = dist.shape[1]
    for i in prange(n):
        for a in range(k):
            dist[i, a] = np.inf
        thr = np.inf
        for j in range(Y.shape[0]):
            if j == self_index[i]:
                continue
            acc = 0.0
            for t in range(d):
                diff = X[i, t] - Y[j, t]
                acc += diff * diff
            if acc < thr:
                _push(dist, ind, i, acc, j)
                thr = dist[i, k - 1]


# Extra candidates per query that the certificate can lean on (see kneighbors).
_MARGIN = 3


def _certified_search(X, Y, self_index, k, search_dtype, working_memory):
    """Top-k by the GEMM trick in ``search_dtype``, exact distances, and a per-row certificate.

    Returns exact squared distances and indices (n, k), sorted, and a mask of the rows whose
    answer is proven exact.
    """
    n = X.shape[0]
    available = Y.shape[0] - (self_index is not None and bool((self_index >= 0).any()))
    kk = min(k + _MARGIN, available)
    shift = Y.mean(axis=0, dtype=np.float64)
    Xs = (X - shift).astype(search_dtype)
    Ys = (Y - shift).astype(search_dtype)
    part = np.empty((n, kk), search_dtype)
    cand = np.empty((n, kk), np.intp)
    xnorm = _search(Xs, Ys, self_index, part, cand, working_memory)
    last = part.max(axis=1).astype(np.float64) + xnorm  # GEMM-trick distance of the last one
    exact = np.empty((n, kk))
    _exact_sorted(X, Y, exact, cand)
    if kk == available:  # every point is a candidate
        return exact[:, :k], cand[:, :k], np.ones(n, dtype=bool)
    # rounding bound of the GEMM trick (inputs rounded to search_dtype, then d products summed)
    eps = float(np.finfo(search_dtype).eps)
    xs = np.sqrt(np.einsum("ij,ij->i", Xs, Xs, dtype=np.float64))
    radius = np.sqrt(np.einsum("ij,ij->i", Ys, Ys, dtype=np.float64).max())
    bound = 2 * (X.shape[1] + 4) * eps * (xs + radius) ** 2
    return exact[:, :k], cand[:, :k], last - bound > exact[:, k - 1]


def kneighbors(X, Y, exclude, dist, ind, working_memory):
    """The ``dist.shape[1]`` nearest rows of Y for every row of X (squared distances, sorted).

    ``exclude`` is None or, per query, the row of Y it must not return (-1: none): a point
    is not its own neighbour (its duplicates still are), as in scikit-learn's
    ``kneighbors()`` without queries.

    The search runs in float32 (twice float64's GEMM rate) for ``k + 3`` candidates, whose
    distances are then computed exactly. A query's answer is certified when the GEMM-trick
    value of its last candidate, less a rounding bound ``2 (d + 4) eps (|x| + max|y|)^2``,
    still exceeds the exact k-th distance: no point left out can then be closer. Queries
    without the certificate (near-ties at the rounding level, or tight clusters far from
    the data's mean) are searched again in float64 (float64 input) and, if still
    uncertified, by exact direct differences. The answer is therefore always exact.
    """
    n, k = ind.shape
    rows = np.arange(n)
    own = np.full(n, -1) if exclude is None else exclude
    dtypes = [np.float32, np.float64] if X.dtype == np.float64 else [np.float32]
    for search_dtype in dtypes:
        Xr = X if rows.size == n else X[rows]
        d_r, i_r, ok = _certified_search(
            Xr, Y, None if exclude is None else own[rows], k, search_dtype, working_memory
        )
        dist[rows[ok]] = d_r[ok]
        ind[rows[ok]] = i_r[ok]
        rows = rows[~ok]
        if rows.size == 0:
            return dist, ind
    d_r = np.empty((rows.size, k))
    i_r = np.empty((rows.size, k), np.intp)
    _topk_direct(X[rows], Y, own[rows], d_r, i_r)
    _exact_sorted(X[rows], Y, d_r, i_r)  # same tie order as the certified rows
    dist[rows] = d_r
    ind[rows] = i_r
    return dist, ind


@njit(parallel=True, cache=True, nogil=True)
def _topk_tables(Cq, Cb, tables, starts, sizes, exclude, dist, ind):
    n, q = Cq.shape
    k = dist.shape[1]
    for i in prange(n):
        for a in range(k):
            dist[i, a] = np.inf
        thr = np.inf
        for j in range(Cb.shape[0]):
            if j == exclude[i]:
                continue
            acc = 0.0
            for f in range(q):
                acc += tables[starts[f] + Cq[i, f] * sizes[f] + Cb[j, f]]
            if acc < thr:
                _push(dist, ind, i, acc, j)
                thr = dist[i, k - 1]


def kneighbors_tables(Cq, Cb, tables, starts, sizes, exclude, dist, ind, working_memory):
    """Top-k under a distance that sums per-feature lookup tables over categorical codes.

    ``d(x, y) = sum_f tables[starts[f] + x_f * sizes[f] + y_f]`` (each feature's square
    table flattened into ``tables``); ties keep the lower index.
    """
    _topk_tables(Cq, Cb, tables, starts, sizes, exclude, dist, ind)
    return dist, ind


@njit(inline="always", fastmath=True)
def _nearest_of_row(X, i, C):
    """Index of and squared distance to the nearest row of C (ties: lowest index)."""
    best = np.inf
    arg = 0
    for j in range(C.shape[0]):
        acc = 0.0
        for t in range(X.shape[1]):
            diff = X[i, t] - C[j, t]
            acc += diff * diff
        if acc < best:
            best = acc
            arg = j
    return arg, best


@njit(parallel=True, cache=True, nogil=True, fastmath=True)
def _nearest_direct(X, C, labels, distances):
    for i in prange(X.shape[0]):
        labels[i], distances[i] = _nearest_of_row(X, i, C)


def assign_nearest(X, centers, labels, distances, working_memory):
    """Index of and squared distance to the nearest centre for every row (ties: lowest index)."""
    if centers.shape[0] <= _FEW_ROWS:  # k-means' usual case: exact direct differences
        _nearest_direct(X, centers, labels, distances)
        return labels, distances
    dist = np.empty((X.shape[0], 1), dtype=X.dtype)
    ind = np.empty((X.shape[0], 1), dtype=np.intp)
    kneighbors(X, centers, None, dist, ind, working_memory)
    labels[:] = ind[:, 0]
    distances[:] = dist[:, 0]
    return labels, distances


# --------------------------------------------------------------------------------------
# interpolation between rows (the SMOTE family's generation step)
# --------------------------------------------------------------------------------------


@njit(parallel=True, cache=True, nogil=True)
def _interpolate_rows(X, p0, p1, steps, out):
    d = X.shape[1]
    per_feature = steps.shape[1] > 1
    for i in prange(p0.shape[0]):
        a = p0[i]
        b = p1[i]
        for t in range(d):
            s = steps[i, t] if per_feature else steps[i, 0]
            # the difference in X's dtype, the step in float64, as NumPy would do it
            out[i, t] = X[a, t] + s * (X[b, t] - X[a, t])


def interpolate(X, p0, p1, steps, out, working_memory):
    """``out[i] = X[p0[i]] + steps[i] * (X[p1[i]] - X[p0[i]])``, steps (n, 1) or (n, d)."""
    _interpolate_rows(X, p0, p1, steps, out)
    return out


# --------------------------------------------------------------------------------------
# Lloyd step: per-centre weighted sums and counts
# --------------------------------------------------------------------------------------


@njit(parallel=True, cache=True, nogil=True)
def _center_sums_chunks(X, labels, weights, chunk, part_sums, part_counts):
    n, d = X.shape
    for c in prange(part_sums.shape[0]):
        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            lab = labels[i]
            w = weights[i]
            part_counts[c, lab] += w
            for t in range(d):
                part_sums[c, lab, t] += w * X[i, t]


def _chunk_buffers(n, shape, working_memory):
    """Zeroed per-chunk sums and counts for at most 32 fixed chunks of rows."""
    n_centers, d = shape
    budget_chunks = int(working_memory * 2**20 / (8 * n_centers * (d + 1)))
    n_chunks = max(1, min(32, budget_chunks, -(-n // 4096)))
    chunk = -(-n // n_chunks)
    return np.zeros((n_chunks, n_centers, d)), np.zeros((n_chunks, n_centers)), chunk


def center_sums(X, labels, sample_weight, sums, counts, working_memory):
    """Weighted per-centre sums of the rows and weighted counts (accumulated in float64).

    Rows are cut into at most 32 fixed chunks whose partial sums are added in order, so the
    result is the same whatever the number of threads.
    """
    part_sums, part_counts, chunk = _chunk_buffers(X.shape[0], sums.shape, working_memory)
    _center_sums_chunks(X, labels, sample_weight, chunk, part_sums, part_counts)
    sums[:] = part_sums.sum(axis=0)
    counts[:] = part_counts.sum(axis=0)
    return sums, counts


@njit(parallel=True, cache=True, nogil=True, fastmath=True)
def _lloyd_chunks(X, C, weights, chunk, labels, distances, part_sums, part_counts):
    """Assignment and per-centre sums in one pass over each fixed chunk of rows."""
    n, d = X.shape
    for c in prange(part_sums.shape[0]):
        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            arg, best = _nearest_of_row(X, i, C)
            labels[i] = arg
            distances[i] = best
            w = weights[i]
            part_counts[c, arg] += w
            for t in range(d):
                part_sums[c, arg, t] += w * X[i, t]


def lloyd_step(X, centers, sample_weight, labels, distances, sums, counts, working_memory):
    """Nearest centre of every row, then weighted sums and counts per centre (the same
    fixed chunks as ``center_sums``, so the same result whatever the thread count)."""
    if centers.shape[0] > _FEW_ROWS:
        assign_nearest(X, centers, labels, distances, working_memory)
        return center_sums(X, labels, sample_weight, sums, counts, working_memory)
    part_sums, part_counts, chunk = _chunk_buffers(X.shape[0], sums.shape, working_memory)
    _lloyd_chunks(X, centers, sample_weight, chunk, labels, distances, part_sums, part_counts)
    sums[:] = part_sums.sum(axis=0)
    counts[:] = part_counts.sum(axis=0)
    return sums, counts


@njit(cache=True, nogil=True)
def two_means(X, weights, side, max_iter):
    """2-means from the boolean split ``side`` (updated in place): weighted centres of the
    two sides, every row to the nearer (the first on a tie), until no row moves or a side
    empties. Sequential: for the many small splits of a divisive path."""
    n, d = X.shape
    centers = np.empty((2, d))
    totals = np.empty(2)
    for _ in range(max_iter):
        n_true = 0
        for i in range(n):
            n_true += side[i]
        if n_true == 0 or n_true == n:
            break
        centers[:] = 0.0
        totals[:] = 0.0
        for i in range(n):
            s = 1 if side[i] else 0
            totals[s] += weights[i]
            for a in range(d):
                centers[s, a] += weights[i] * X[i, a]
        for s in range(2):
            for a in range(d):
                centers[s, a] /= totals[s]
        moved = False
        for i in range(n):
            new = _nearest_of_row(X, i, centers)[0] == 1
            if new != side[i]:
                side[i] = new
                moved = True
        if not moved:
            break


# --------------------------------------------------------------------------------------
# cells of rows by recursive principal-direction bisection (PPP's reduction stage)
# --------------------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def bisect_cells(X, n_cells, weight, mean, cov):
    """Split the rows of ``X`` (reordered in place) into at most ``n_cells`` cells, each
    time the cell of largest sum of squares at the 1-D 2-means cut of its projections on
    its principal direction; writes the cells' counts, means and covariances (in row order
    of the cells) and returns their number. One call: as a Python loop over the
    bisections, the per-cell overhead was most of a PPP fit on 30,000 rows (1.2 s of 1.9)."""
    n, d = X.shape
    heap = [(-_cell_sse(X, 0, n), 0, n)]
    done = np.empty((n_cells, 2), dtype=np.int64)
    n_done = 0
    centre = np.empty(d)
    while len(heap) > 0 and len(heap) + n_done < n_cells:
        neg, start, stop = heapq.heappop(heap)
        block = X[start:stop]
        _column_means(block, centre)
        direction = _principal_direction(block, centre)
        proj = block @ direction
        right = _two_means_cut(proj, centre @ direction)
        n_right = 0
        for i in range(stop - start):
            n_right += right[i]
        n_left = stop - start - n_right
        if neg == 0 or n_left == 0 or n_right == 0:  # constant or unsplittable
            done[n_done, 0], done[n_done, 1] = start, stop
            n_done += 1
            continue
        # a stable partition: the left rows first, each side in its order
        left_rows, right_rows = block[~right], block[right]
        block[:n_left] = left_rows
        block[n_left:] = right_rows
        heapq.heappush(heap, (-_cell_sse(X, start, start + n_left), start, start + n_left))
        heapq.heappush(heap, (-_cell_sse(X, start + n_left, stop), start + n_left, stop))
    for _, start, stop in heap:
        done[n_done, 0], done[n_done, 1] = start, stop
        n_done += 1
    bounds = done[:n_done]
    bounds = bounds[np.argsort(bounds[:, 0])]
    for c in range(n_done):
        block = X[bounds[c, 0] : bounds[c, 1]]
        m = block.shape[0]
        weight[c] = m
        _column_means(block, mean[c])
        _covariance(block, np.ones(m), m, mean[c], cov[c])
    return n_done


# bytes of ``_covariance``'s (rows, d) buffer: below glibc's mmap threshold (128 KiB), so
# that it comes from the heap; an (n, d) temporary is mapped afresh each call, and its
# page faults cost more than the product (2,048 x 128: 4.2 ms against 1.4 for the product)
_COV_BYTES = 2**16


@njit(cache=True, nogil=True)
def _covariance(X, w, total, mean, S):
    """The weighted covariance of the rows about ``mean`` into ``S``: BLAS products over
    blocks of rows scaled by ``sqrt(w / total)``, through buffers reused block to block."""
    n, d = X.shape
    rows = max(1, min(n, _COV_BYTES // (8 * d)))
    B = np.empty((rows, d))
    P = np.empty((d, d))
    S[:] = 0.0
    for start in range(0, n, rows):
        m = min(rows, n - start)
        for i in range(m):
            f = math.sqrt(w[start + i] / total)
            for a in range(d):
                B[i, a] = (X[start + i, a] - mean[a]) * f
        np.dot(B[:m].T, B[:m], P)
        S += P


@njit(cache=True, nogil=True)
def _column_means(block, out):
    out[:] = 0.0
    for i in range(block.shape[0]):
        out += block[i]
    out /= block.shape[0]


@njit(cache=True, nogil=True)
def _cell_sse(X, start, stop):
    """Sum of squares of rows ``start .. stop`` about their mean."""
    d = X.shape[1]
    total = np.zeros(d)
    squares = 0.0
    for i in range(start, stop):
        for a in range(d):
            total[a] += X[i, a]
            squares += X[i, a] * X[i, a]
    m = stop - start
    mean = total / m
    return max(0.0, squares - m * (mean @ mean))


@njit(cache=True, nogil=True)
def _principal_direction(block, centre):
    """Leading eigenvector of a block's covariance, with a fixed sign (the largest entry
    positive). Above 64 features, 30 power iterations (O(m d) each) instead of the
    covariance (O(m d^2))."""
    m, d = block.shape
    if d <= 64:
        covariance = (block.T @ block) / m - np.outer(centre, centre)
        v = np.linalg.eigh(covariance)[1][:, d - 1].copy()
    else:
        v = np.zeros(d)
        for i in range(m):
            v += block[i] * block[i]
        v = v / m - centre * centre
        for _ in range(30):
            v = (block.T @ (block @ v)) / m - centre * (centre @ v)
            norm = np.sqrt(v @ v)
            if norm == 0:
                break
            v /= norm
    top = np.argmax(np.abs(v))
    return -v if v[top] < 0 else v


@njit(cache=True, nogil=True)
def _two_means_cut(proj, start):
    """Rows on the right of the 1-D 2-means threshold of the projections (from ``start``),
    iterated on a 256-bin histogram of (at most 65,536 evenly spaced of) the projections.
    Cutting at the mean instead would slice the tail off a group that sits near the mean
    and leave it, for good, in a cell of a group far away."""
    sample = proj[:: max(1, len(proj) // 65536)]
    counts, centres = _histogram(sample, 256)
    cut = start
    for _ in range(100):
        n_right = n_left = 0.0
        mass_right = mass_left = 0.0
        for b in range(256):
            if centres[b] > cut:
                n_right += counts[b]
                mass_right += counts[b] * centres[b]
            else:
                n_left += counts[b]
                mass_left += counts[b] * centres[b]
        if n_right == 0 or n_left == 0:
            return proj > start
        new = 0.5 * (mass_right / n_right + mass_left / n_left)
        if new == cut:
            break
        cut = new
    return proj > cut


@njit(cache=True, nogil=True)
def _histogram(a, n_bins):
    """``numpy.histogram(a, bins=n_bins)``'s counts and bin centres (its equal-width rule:
    edges from the minimum to the maximum, the last bin closed)."""
    lo, hi = a.min(), a.max()
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    step = (hi - lo) / n_bins
    edges = np.arange(n_bins + 1) * step + lo
    edges[n_bins] = hi
    counts = np.zeros(n_bins)
    for x in a:
        b = int((x - lo) / (hi - lo) * n_bins)
        if b == n_bins:
            b -= 1
        if x < edges[b]:
            b -= 1
        elif b != n_bins - 1 and x >= edges[b + 1]:
            b += 1
        counts[b] += 1
    return counts, 0.5 * (edges[1:] + edges[:-1])
