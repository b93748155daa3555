"""k-means on the backend: nearest centres, per-centre sums, Lloyd iterations and k-means++
seeding, for in-memory arrays (NumPy or CuPy) and, through ``_blocks``, for dask arrays
(callers never choose the engine)."""

import numpy as np

from . import _blocks
from ._dispatch import (
    _check_2d,
    _check_count,
    _host,
    _power_of_two_scale,
    _prepare,
    _same_features,
    _unscale,
    _weights,
    _working_memory,
    is_cupy_array,
    is_dask_collection,
    kernels,
    to_numpy,
)


def nearest_center(X, centers):
    """Index of and squared distance to the nearest centre for every row of ``X``.

    Returns
    -------
    labels : int array of shape (n_samples,)
        Ties go to the lowest centre index.
    sq_dist : array of shape (n_samples,)
    """
    name, xp, (X, C), to_host = _prepare(("X", X), ("centers", centers))
    _same_features(X, C, ("X", "centers"))
    X, C, exponent = _power_of_two_scale(X, C)  # the same labels for data of any scale
    labels = xp.empty(X.shape[0], dtype=xp.intp)
    dist = xp.empty(X.shape[0], dtype=X.dtype)
    kernels(name).assign_nearest(X, C, labels, dist, _working_memory())
    return _host(labels, to_host), _host(_unscale(xp, dist, exponent, True), to_host)


def center_sums(X, labels, n_centers, sample_weight=None):
    """Weighted per-centre sums of the rows of ``X`` and weighted counts.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    labels : int array of shape (n_samples,), values in ``[0, n_centers)``
    n_centers : int
    sample_weight : array of shape (n_samples,), default=None

    Returns
    -------
    sums : array of shape (n_centers, n_features), in X's float dtype
    counts : array of shape (n_centers,), in X's float dtype
    """
    name, xp, (X,), to_host = _prepare(("X", X))
    _check_count(n_centers, "n_centers")
    labels = xp.ascontiguousarray(xp.asarray(labels), dtype=xp.intp)
    if labels.shape != (X.shape[0],):
        raise ValueError(f"labels must have shape ({X.shape[0]},), got {tuple(labels.shape)}.")
    if int(labels.min()) < 0 or int(labels.max()) >= n_centers:
        raise ValueError(f"labels must lie in [0, {n_centers}).")
    w = _weights(xp, sample_weight, X.shape[0], X.dtype)
    sums = xp.empty((n_centers, X.shape[1]), dtype=X.dtype)
    counts = xp.empty(n_centers, dtype=X.dtype)
    kernels(name).center_sums(X, labels, w, sums, counts, _working_memory())
    return _host(sums, to_host), _host(counts, to_host)


def lloyd_step(X, centers, sample_weight=None):
    """One Lloyd iteration: assign rows to their nearest centre, then sum them per centre.

    Returns
    -------
    labels : int array of shape (n_samples,)
    sq_dist : array of shape (n_samples,)
        Squared distance of each row to its (old) nearest centre.
    sums, counts : arrays of shape (n_centers, n_features) and (n_centers,)
        Weighted sums and counts per centre; ``sums / counts[:, None]`` are the new centres
        where ``counts > 0`` (what to do with empty centres is the caller's choice).
    """
    labels, dist = nearest_center(X, centers)
    sums, counts = center_sums(X, labels, len(centers), sample_weight)
    return labels, dist, sums, counts


def two_means(X, side, *, sample_weight=None, max_iter=300):
    """2-means from a boolean split of the rows, until no row moves or a side empties.

    Not :func:`lloyd` with two centres: that keeps an empty centre and stops on centre
    shifts; here the split is what is iterated (a divisive path proposes and rejects
    splits by it, and needs to see a side empty).

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    side : bool array of shape (n_samples,)
        The initial split; not modified.
    sample_weight : array of shape (n_samples,), default=None
    max_iter : int, default=300

    Returns
    -------
    side : bool array of shape (n_samples,)
        The final split (rows nearer the centre of the ``True`` side, ties to the other).
    """
    name, xp, (X,), to_host = _prepare(("X", X))
    _check_count(max_iter, "max_iter")
    side = xp.array(xp.asarray(side), dtype=bool)
    if side.shape != (X.shape[0],):
        raise ValueError(f"side must have shape ({X.shape[0]},), got {tuple(side.shape)}.")
    w = _weights(xp, sample_weight, X.shape[0], X.dtype)
    kernels(name).two_means(X, w, side, int(max_iter))
    return _host(side, to_host)


def lloyd(X, centers, *, sample_weight=None, max_iter=300, tol=0.0):
    """Lloyd iterations from ``centers`` until the centres move less than ``tol``.

    ``tol`` bounds the squared shift summed over centres (an absolute value: scikit-learn
    uses ``1e-4`` times the mean feature variance). A centre that loses all its rows stays
    where it is. ``X`` is checked once, not at every iteration. A dask ``X`` is iterated
    over its row blocks (per-block sums and counts, one pass per iteration; no
    ``sample_weight``).

    Returns
    -------
    centers : array of shape (n_centers, n_features)
    n_iter : int
    """
    if is_dask_collection(X):
        _check_count(max_iter, "max_iter")
        _no_weights_on_blocks(sample_weight)
        return _lloyd_blocks(X, centers, max_iter=max_iter, tol=tol)
    name, xp, (X, C), to_host = _prepare(("X", X), ("centers", centers))
    _same_features(X, C, ("X", "centers"))
    _check_count(max_iter, "max_iter")
    module, wm = kernels(name), _working_memory()
    n, k = X.shape[0], C.shape[0]
    w = _weights(xp, sample_weight, n, X.dtype)
    labels = xp.empty(n, dtype=xp.intp)
    dist = xp.empty(n, dtype=X.dtype)
    sums = xp.empty((k, X.shape[1]), dtype=X.dtype)
    counts = xp.empty(k, dtype=X.dtype)
    C = C.copy()
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        module.lloyd_step(X, C, w, labels, dist, sums, counts, wm)
        moved = xp.where(counts[:, None] > 0, sums / xp.maximum(counts, 1e-30)[:, None], C)
        shift = float(((moved - C) ** 2).sum())
        C = moved
        if shift <= tol:
            break
    return _host(C, to_host), n_iter


def kmeans(X, n_clusters, *, random_state=None, tol=1e-4, n_init=1):
    """k-means: k-means++ seeding, then Lloyd iterations to convergence; the best of
    ``n_init`` runs.

    ``tol`` is relative, as scikit-learn's ``KMeans``: the squared centre shift is compared
    with ``tol`` times the mean feature variance. With ``n_init > 1``, or a ``RandomState``
    instance, each run is seeded by an integer drawn from ``random_state`` (one draw per
    run), and the run with the lowest inertia is kept.

    Returns
    -------
    centers : array of shape (n_clusters, n_features)
    labels : int array of shape (n_samples,)
    inertia : float
        Sum of squared distances of the rows to their centre.
    """
    if n_init > 1 or isinstance(random_state, np.random.RandomState):
        from sklearn.utils import check_random_state

        rng = check_random_state(random_state)
        runs = [
            kmeans(X, n_clusters, random_state=rng.randint(np.iinfo(np.int32).max), tol=tol)
            for _ in range(n_init)
        ]
        return min(runs, key=lambda run: run[2])
    centers, _ = kmeans_plusplus(X, n_clusters, random_state=random_state)
    centers, _ = lloyd(X, centers, tol=tol * float(X.var(axis=0).mean()))
    labels, dist = nearest_center(X, centers)
    return centers, labels, float(dist.sum())


def kmeans_plusplus(
    X,
    n_clusters,
    *,
    random_state=None,
    sample_weight=None,
    init_centers=None,
    power=2,
    n_local_trials=None,
):
    """Greedy k-means++ seeding, optionally continuing from given centres.

    Each new centre is drawn with probability proportional to ``w * D(x)^power``, where
    ``D(x)`` is the distance to the nearest centre chosen so far (``init_centers`` included),
    and the best of ``n_local_trials`` candidates (lowest potential) is kept, as in
    scikit-learn's ``kmeans_plusplus``. Random numbers come from a NumPy generator on the
    host, so a seed gives the same draws on every backend.

    Parameters
    ----------
    X : array of shape (n_samples, n_features), or a dask array
        A dask array is seeded over its row blocks with the same draws (no
        ``sample_weight``).
    n_clusters : int
        Number of new centres to choose.
    random_state : int, RandomState instance or None, default=None
    sample_weight : array of shape (n_samples,), default=None
    init_centers : array of shape (n_init_centers, n_features), default=None
        Centres that are already fixed (for example the known classes' means in novel
        class discovery). New centres are seeded against them.
    power : {1, 2}, default=2
        Exponent of the distance in the sampling probability.
    n_local_trials : int, default=None
        Candidates per step; ``None`` means ``2 + int(log(n_clusters))``.

    Returns
    -------
    centers : array of shape (n_clusters, n_features)
        The new centres only (``init_centers`` not repeated).
    indices : int array of shape (n_clusters,)
        Row of ``X`` each new centre was taken from.
    """
    from sklearn.utils import check_random_state

    if not is_dask_collection(X):
        name, xp, (X,), to_host = _prepare(("X", X))
    _check_count(n_clusters, "n_clusters")
    if power not in (1, 2):
        raise ValueError(f"power must be 1 or 2, got {power!r}.")
    if is_dask_collection(X):
        _no_weights_on_blocks(sample_weight)
        return _kmeans_plusplus_blocks(
            X,
            n_clusters,
            random_state=random_state,
            init_centers=init_centers,
            power=power,
            n_local_trials=n_local_trials,
        )
    n = X.shape[0]
    if n_clusters > n:
        raise ValueError(f"n_clusters={n_clusters} is larger than n_samples={n}.")
    rng = check_random_state(random_state)
    w = _weights(xp, sample_weight, n, X.dtype)
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))

    def potential_of(sq):
        return w * (sq if power == 2 else xp.sqrt(sq))

    module, wm = kernels(name), _working_memory()

    def sq_dist(Y):  # X is validated once, not at every centre
        out = xp.empty((n, Y.shape[0]), dtype=X.dtype)
        return module.sq_euclidean(X, xp.ascontiguousarray(Y), out, wm)

    indices = np.empty(n_clusters, dtype=np.intp)
    if init_centers is None:
        p = to_numpy(w) / float(w.sum()) if sample_weight is not None else None
        indices[0] = rng.choice(n, p=p)
        closest = sq_dist(X[indices[0] : indices[0] + 1])[:, 0]
        start = 1
    else:
        C = _check_2d(xp, init_centers, "init_centers", X.dtype)
        _same_features(X, C, ("X", "init_centers"))
        closest = nearest_center(X, C)[1]
        start = 0
    pot = potential_of(closest)
    for c in range(start, n_clusters):
        total = float(pot.sum())
        if total > 0:
            cum = to_numpy(xp.cumsum(pot, dtype=xp.float64))
            cand = np.minimum(
                np.searchsorted(cum, rng.uniform(size=n_local_trials) * total), n - 1
            )
            # (n, trials) then transposed: the kernels parallelise over the rows of X
            D = xp.minimum(sq_dist(X[xp.asarray(cand)]).T, closest[None, :])
            best = int(xp.argmin(potential_of(D).sum(axis=1)))
            indices[c] = cand[best]
            closest = D[best]
        else:
            # every point already sits on a centre (duplicates): take the first unused row
            indices[c] = np.setdiff1d(np.arange(n), indices[:c])[0]
            new = sq_dist(X[indices[c] : indices[c] + 1])[:, 0]
            closest = xp.minimum(closest, new)
        pot = potential_of(closest)
    centers = X[xp.asarray(indices)]
    return _host(centers, to_host), indices


def distance_sums(X, centers):
    """Sums of squared and of plain distances of the rows of ``X`` (a NumPy or a dask
    array) to their nearest centre, as float64 numbers."""
    if is_dask_collection(X):
        return _blocks.block_sums(X, _distance_sums, centers)
    return _distance_sums(X, centers)


def _distance_sums(X, centers):
    sq = to_numpy(nearest_center(_blocks.as_float(X), centers)[1]).astype(np.float64)
    return float(sq.sum()), float(np.sqrt(sq).sum())


# -- k-means over the row blocks of a dask array: the same steps, one pass over the blocks
# per step, no per-row state kept between passes --


def _no_weights_on_blocks(sample_weight):
    if sample_weight is not None:
        raise ValueError("sample_weight is not supported for dask arrays.")


def _potential_total(block, centers, power):
    sq = nearest_center(_blocks.as_float(block), centers)[1]
    return float((sq if power == 2 else np.sqrt(sq)).sum(dtype=np.float64))


def _pick_in_block(block, centers, power, value):
    """Row of a block where the cumulative potential first reaches ``value``."""
    block = _blocks.as_float(block)
    sq = nearest_center(block, centers)[1]
    cum = np.cumsum(sq if power == 2 else np.sqrt(sq), dtype=np.float64)
    row = min(int(np.searchsorted(cum, value)), len(block) - 1)
    return row, block[row]


def _kmeans_plusplus_blocks(X, n_clusters, *, random_state, init_centers, power, n_local_trials):
    """:func:`kmeans_plusplus` on a dask array, with the same draws.

    Each new centre costs one pass over the blocks (the potential of every block, from
    the distances to all centres so far) and one block (the row where the draw lands);
    each extra local trial costs one more pass.
    """
    import dask
    from sklearn.utils import check_random_state

    rng = check_random_state(random_state)
    n = X.shape[0]
    if n_clusters > n:
        raise ValueError(f"n_clusters={n_clusters} is larger than n_samples={n}.")
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    blocks, offsets = X.to_delayed().ravel(), _blocks.row_offsets(X)
    dtype = np.float64 if X.dtype.kind != "f" else X.dtype
    if init_centers is None:
        first = int(rng.choice(n))
        centers = np.asarray(X[first : first + 1].compute(), dtype=dtype)
        indices, start = [first], 1
    else:
        centers = np.asarray(init_centers, dtype=dtype)
        indices, start = [], 0
    fixed = len(centers) - start  # centres that are not returned (the given ones)

    def totals(C):
        return np.array(
            dask.compute(*[dask.delayed(_potential_total)(b, C, power) for b in blocks])
        )

    for _ in range(start, n_clusters):
        per_block = totals(centers)
        cum = np.cumsum(per_block)
        total = float(cum[-1])
        if not total > 0:  # every row sits on a centre: the first row not taken yet
            row = int(np.setdiff1d(np.arange(n), indices)[0])
            indices.append(row)
            centers = np.vstack([centers, X[row : row + 1].compute().astype(dtype)])
            continue
        picks = []
        for value in rng.uniform(size=n_local_trials) * total:
            b = min(int(np.searchsorted(cum, value)), len(blocks) - 1)
            before = cum[b - 1] if b else 0.0
            picks.append(
                (b, dask.delayed(_pick_in_block)(blocks[b], centers, power, value - before))
            )
        found = dask.compute(*[p for _, p in picks])
        candidates = [(offsets[b] + row, x) for (b, _), (row, x) in zip(picks, found, strict=True)]
        if len(candidates) > 1:  # the candidate that leaves the least potential
            scores = [totals(np.vstack([centers, x[None]])).sum() for _, x in candidates]
            candidates = [candidates[int(np.argmin(scores))]]
        row, x = candidates[0]
        indices.append(int(row))
        centers = np.vstack([centers, x[None].astype(dtype)])
    return centers[fixed:], np.array(indices, dtype=np.intp)


def _center_sums_of_block(block, centers):
    _, _, sums, counts = lloyd_step(_blocks.as_float(block), centers)
    return sums.astype(np.float64), counts.astype(np.float64)


def _lloyd_blocks(X, centers, *, max_iter, tol):
    """:func:`lloyd` on a dask array: per-block sums and counts, one pass per iteration; a
    centre that loses all its rows stays where it is."""
    C = np.array(centers, dtype=np.float64 if X.dtype.kind != "f" else X.dtype)
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        sums, counts = _blocks.block_sums(X, _center_sums_of_block, C)
        moved = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1e-30)[:, None], C)
        shift = float(((moved - C) ** 2).sum())
        C = moved.astype(C.dtype)
        if shift <= tol:
            break
    return C, n_iter


def bisect_cells(X, n_cells):
    """Cells of rows by recursive principal-direction bisection, in one call.

    Each step splits the cell of largest sum of squares at the 1-D 2-means cut of its
    rows' projections on their principal direction (iterated on a 256-bin histogram of the
    projections), until there are ``n_cells`` cells or none can be split. For the
    reduction stage of a divisive mixture fit on many rows (PPP): as a Python loop, the
    per-cell overhead was most of the fit. NumPy rows; the bisections are sequential, so
    it runs on the Numba backend whatever the configured one (CuPy rows are refused).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Not modified.
    n_cells : int
        At most this many cells (at least 1).

    Returns
    -------
    weights : ndarray of shape (n_cells_found,)
        Rows per cell.
    means, covariances : ndarray of shape (n_cells_found, n_features) and
        (n_cells_found, n_features, n_features)
        Each cell's mean and (biased) covariance; cells in no particular order.

    Examples
    --------
    >>> import numpy as np
    >>> from skcluster._backend import bisect_cells
    >>> X = np.r_[np.zeros((4, 2)), np.full((4, 2), 10.0)] + np.arange(8)[:, None] * 0.01
    >>> weights, means, covs = bisect_cells(X, 2)
    >>> weights.tolist(), np.round(means[:, 0], 3).tolist()
    ([4.0, 4.0], [0.015, 10.055])
    """
    if is_cupy_array(X):
        raise TypeError("bisect_cells takes NumPy rows (its bisections run on the CPU).")
    _check_count(n_cells, "n_cells")
    X = np.array(_check_2d(np, X, "X", np.float64))  # a copy: the kernel reorders its rows
    n, d = X.shape
    n_cells = min(int(n_cells), n)
    weights, means, covs = np.empty(n_cells), np.empty((n_cells, d)), np.empty((n_cells, d, d))
    found = kernels("numba").bisect_cells(X, n_cells, weights, means, covs)
    return weights[:found], means[:found], covs[:found]
