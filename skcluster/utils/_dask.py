"""Dask collections in, dask collections out.

The estimators whose algorithms decompose over row blocks take dask arrays (and dask
dataframes) as well as NumPy ones. This module holds what they share: recognising a dask
collection without importing dask, checking that its blocks hold whole rows of numbers,
running a prediction block by block, and reducing per-block sums. Each block goes through
the same backend kernels as an in-memory array; no function here collects the whole array
in one place.
"""

import copy
import functools

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .validation import check_random_state, float_dtype


def is_dask_collection(X):
    """True for a dask array, dataframe or series (checked without importing dask)."""
    return type(X).__module__.split(".")[0] == "dask"


def _dataframe_to_array(X, name):
    if X.ndim == 1:
        raise ValueError(f"{name} must be 2-D (rows x features); got a dask series.")
    bad = [str(c) for c, t in X.dtypes.items() if t.kind not in "biuf"]
    if bad:
        raise ValueError(
            f"{name} has non-numeric columns {bad}: every column must be numeric "
            "(encode categories as numbers first)."
        )
    dtypes = set(X.dtypes)
    dtype = np.float32 if dtypes == {np.dtype(np.float32)} else np.float64
    return X.to_dask_array(lengths=True).astype(dtype)


def check_dask_array(X, name="X", *, n_features=None, estimator=None):
    """A dask array whose row blocks can be handed one by one to the backend.

    Dask dataframes become arrays (numeric columns only; float32 if every column is
    float32, float64 otherwise). Raises a ``ValueError`` for unknown chunk sizes, chunks
    split across columns, non-numeric or mixed-type data and a wrong number of features.
    """
    import dask.array as da

    if hasattr(X, "dtypes") and hasattr(X, "to_dask_array"):
        X = _dataframe_to_array(X, name)
    if not isinstance(X, da.Array):
        raise TypeError(f"{name} must be a dask array or dataframe, got {type(X).__name__}.")
    if X.ndim != 2:
        raise ValueError(f"{name} must be a 2-D dask array, got {X.ndim} dimension(s).")
    if any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError(
            f"{name} has unknown chunk sizes (after boolean indexing or a dataframe "
            f"conversion); call {name}.compute_chunk_sizes() first."
        )
    if len(X.chunks[1]) > 1:
        raise ValueError(
            f"{name} is chunked across columns (column chunks {X.chunks[1]}); each block must "
            f"hold whole rows: use {name}.rechunk({{1: -1}})."
        )
    if X.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must hold numbers of one type, got dtype {X.dtype} (mixed or "
            "non-numeric values); convert it with astype(float) first."
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {X.shape}).")
    if n_features is not None and X.shape[1] != n_features:
        who = f"{type(estimator).__name__} is expecting" if estimator is not None else "expected"
        raise ValueError(f"{name} has {X.shape[1]} features, but {who} {n_features}.")
    return X


def check_dask_target(y, n_samples):
    """The target of a dask fit as a NumPy vector (one value per row is small enough)."""
    if is_dask_collection(y):
        y = y.compute()
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n_samples:
        raise ValueError(
            f"y must be 1-D with one label per row of X ({n_samples}), got {y.shape}."
        )
    return y


def share(obj):
    """``obj`` as one object the tasks of a graph can take: scattered to every worker when
    a distributed client is running (so it does not travel inside the graph), else a
    delayed value."""
    import dask

    try:
        from distributed import default_client

        return default_client().scatter(obj, broadcast=True, hash=False)
    except (ImportError, ValueError):  # no distributed, or no client: a local scheduler
        return dask.delayed(obj)


def blockwise(width=None, dtype=np.float64):
    """Decorate a predict-like method so that a dask array in gives a dask array out.

    The fitted estimator's method runs on every row block (as it would on a NumPy array);
    ``width(self)`` gives the number of output columns, or None for one value per row;
    ``dtype=None``: the output has the input's float dtype (float32 kept).
    """

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, X, *args, **kwargs):
            if not is_dask_collection(X):
                return method(self, X, *args, **kwargs)
            check_is_fitted(self)
            X = check_dask_array(X, n_features=self.n_features_in_, estimator=self)
            run = functools.partial(_run_block, method, _shippable(self), args, kwargs)
            out = float_dtype(X.dtype) if dtype is None else dtype
            if width is None:
                return X.map_blocks(run, dtype=out, drop_axis=1)
            return X.map_blocks(run, dtype=out, chunks=(X.chunks[0], (width(self),)))

        return wrapper

    return decorate


def _shippable(estimator):
    """A shallow copy without the lazy dask attributes of a dask fit (``labels_``...): a
    dask collection cannot travel inside another one's tasks, and blocks do not need them.
    """
    clone = copy.copy(estimator)  # a copy: attributes set later must not leak into tasks
    for key, value in vars(estimator).items():
        parts = value if isinstance(value, tuple | list) else (value,)
        if any(is_dask_collection(part) for part in parts):
            delattr(clone, key)
    return clone


def _run_block(method, estimator, args, kwargs, block):
    return method(estimator, block, *args, **kwargs)


def block_sums(X, func, *args, rows=()):
    """``sum(func(block, *row_parts, *args) for block in X's row blocks)``, computed by dask.

    ``rows`` are in-memory arrays with one entry per row of ``X``; each call gets the part
    that matches its block. ``func`` returns a number, an array or a tuple of them; results
    are added element by element on the caller's side (they are small: statistics, not rows).
    """
    import dask

    bounds = np.append(row_offsets(X), X.shape[0])
    calls = [
        dask.delayed(func)(b, *[r[bounds[i] : bounds[i + 1]] for r in rows], *args)
        for i, b in enumerate(X.to_delayed().ravel())
    ]
    return functools.reduce(_add, dask.compute(*calls))


def _add(a, b):
    if isinstance(a, tuple):
        return tuple(_add(x, y) for x, y in zip(a, b, strict=True))
    return a + b


def row_offsets(X):
    """First row of each row block of ``X``."""
    return np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]]).astype(np.intp)


# -- k-means over row blocks: the backend's seeding and Lloyd iterations, one pass each --


def _as_float(block):
    return np.asarray(block, dtype=np.float64 if block.dtype.kind != "f" else block.dtype)


def _potential_total(block, centers, power):
    from .. import _backend

    sq = _backend.nearest_center(_as_float(block), centers)[1]
    return float((sq if power == 2 else np.sqrt(sq)).sum(dtype=np.float64))


def _pick_in_block(block, centers, power, value):
    """Row of a block where the cumulative potential first reaches ``value``."""
    from .. import _backend

    block = _as_float(block)
    sq = _backend.nearest_center(block, centers)[1]
    cum = np.cumsum(sq if power == 2 else np.sqrt(sq), dtype=np.float64)
    row = min(int(np.searchsorted(cum, value)), len(block) - 1)
    return row, block[row]


def kmeans_plusplus(
    X, n_clusters, *, random_state=None, init_centers=None, power=2, n_local_trials=None
):
    """:func:`skcluster._backend.kmeans_plusplus` on a dask array, with the same draws.

    Each new centre costs one pass over the blocks (the potential of every block, from
    the distances to all centres so far) and one block (the row where the draw lands);
    each extra local trial costs one more pass. No per-row state is kept between passes.
    """
    import dask

    rng = check_random_state(random_state)
    n = X.shape[0]
    if n_clusters > n:
        raise ValueError(f"n_clusters={n_clusters} is larger than n_samples={n}.")
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    blocks, offsets = X.to_delayed().ravel(), row_offsets(X)
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


def _center_sums(block, centers):
    from .. import _backend

    _, _, sums, counts = _backend.lloyd_step(_as_float(block), centers)
    return sums.astype(np.float64), counts.astype(np.float64)


def lloyd(X, centers, *, max_iter=300, tol=0.0):
    """:func:`skcluster._backend.lloyd` on a dask array: per-block sums and counts, one
    pass per iteration; a centre that loses all its rows stays where it is."""
    C = np.array(centers, dtype=np.float64 if X.dtype.kind != "f" else X.dtype)
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        sums, counts = block_sums(X, _center_sums, C)
        moved = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1e-30)[:, None], C)
        shift = float(((moved - C) ** 2).sum())
        C = moved.astype(C.dtype)
        if shift <= tol:
            break
    return C, n_iter


def _distance_sums(block, centers):
    from .. import _backend

    sq = _backend.nearest_center(_as_float(block), centers)[1].astype(np.float64)
    return float(sq.sum()), float(np.sqrt(sq).sum())


def distance_sums(X, centers):
    """Sums of squared and of plain distances of the rows of ``X`` to their nearest centre."""
    if not is_dask_collection(X):
        return _distance_sums(X, centers)
    return block_sums(X, _distance_sums, centers)
