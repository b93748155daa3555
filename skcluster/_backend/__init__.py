"""skcluster's shared compute layer.

Estimators call the functions below and never write their own distance loops. Each function
checks its inputs, allocates its outputs and hands the work to one of two kernel modules with
the same functions and signatures:

- ``_numba_kernels`` for NumPy arrays (Numba loops, BLAS products, threads);
- ``_cupy_kernels`` for CuPy arrays, written against the array namespace so that the same code
  runs on NumPy as the reference path (``config_context(backend="numpy")``).

Which one runs is decided by the input's array type and ``skcluster.get_config()["backend"]``.
Neither module is imported before its first use: ``import skcluster`` loads neither Numba
nor CuPy. Float32 input stays float32; other real input is computed in float64.
"""

import importlib
import math
import numbers

import numpy as np

from .._config import get_config

__all__ = [
    "is_cupy_array",
    "cupy_is_usable",
    "get_backend_name",
    "array_module",
    "to_compute_device",
    "device_free_memory",
    "to_numpy",
    "sq_euclidean_distances",
    "kneighbors",
    "kneighbors_categorical",
    "nearest_center",
    "center_sums",
    "lloyd_step",
    "lloyd",
    "kmeans",
    "kmeans_plusplus",
    "logsumexp",
    "gaussian_log_density",
    "gaussian_em_stats",
    "interpolate",
    "precision_cholesky",
    "nlr_step",
    "self_expression",
]


def is_cupy_array(a):
    """True when ``a`` is a CuPy array (checked without importing CuPy)."""
    return type(a).__module__.split(".")[0] == "cupy"


_cupy_usable = None


def cupy_is_usable():
    """True when CuPy imports and can run a tiny operation on a GPU (checked once)."""
    global _cupy_usable
    if _cupy_usable is None:
        try:
            import cupy

            _cupy_usable = bool(int((cupy.arange(3) * 2).sum()) == 6)
        except Exception:  # no CuPy, no driver, no device: all mean "not usable"
            _cupy_usable = False
    return _cupy_usable


def get_backend_name(*arrays):
    """Name of the kernels that will run on ``arrays``: "numba", "numpy" or "cupy"."""
    backend = get_config()["backend"]
    on_gpu = any(is_cupy_array(a) for a in arrays)
    if on_gpu:
        if backend in ("numpy", "numba"):
            raise TypeError(
                f"backend={backend!r} runs on the CPU and cannot take CuPy arrays; "
                "move them to the host with .get() or use backend='auto'."
            )
        return "cupy"
    if backend == "auto":
        return "numba"
    if backend == "cupy" and not cupy_is_usable():
        raise ValueError("backend='cupy' was requested but CuPy cannot run on a GPU here.")
    return backend


def array_module(a):
    """``cupy`` for a CuPy array, else ``numpy`` (CuPy is not imported for NumPy input).

    For code written once for both (``xp = array_module(X); xp.abs(X)``): the estimators
    whose heavy work is whole-array algebra (products, inverses, elementwise updates)
    rather than a kernel here.
    """
    return _xp("cupy" if is_cupy_array(a) else "numpy")


def to_compute_device(X):
    """``X`` where its work runs: a CuPy copy of a NumPy array under ``backend="cupy"``,
    otherwise ``X`` itself (a CuPy array stays, NumPy input stays on the host)."""
    if get_backend_name(X) == "cupy" and not is_cupy_array(X):
        return _xp("cupy").asarray(X)
    return X


def device_free_memory(on_gpu):
    """Bytes free on the GPU (counting blocks CuPy's pool holds but no array uses), or on
    the host when ``on_gpu`` is false (None when it cannot be told)."""
    if not on_gpu:
        from ..utils._chunks import available_memory

        return available_memory()
    cupy = _xp("cupy")
    free, _ = cupy.cuda.Device().mem_info
    return free + cupy.get_default_memory_pool().free_bytes()


def _module(name):
    # "numpy" (the reference path) runs the CuPy module's code on NumPy arrays
    mod = {"numba": "_numba_kernels", "sparse": "_sparse"}.get(name, "_cupy_kernels")
    return importlib.import_module(f"{__name__}.{mod}")


def _xp(name):
    if name == "cupy":
        import cupy

        return cupy
    return np


def _float_dtype(xp, *arrays):
    """float32 if every array is float32, else float64."""
    if all(a.dtype == xp.float32 for a in arrays):
        return xp.float32
    return xp.float64


def _check_numeric(a, name):
    if a.dtype.kind not in "fiub":
        raise ValueError(f"{name} must be numeric, got dtype {a.dtype}.")


def _check_2d(xp, a, name, dtype):
    """A C-contiguous, finite, non-empty 2-D copy-if-needed of ``a`` in ``dtype``."""
    a = xp.asarray(a)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got {a.ndim} dimension(s).")
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"{name} is empty: shape {tuple(a.shape)}.")
    _check_numeric(a, name)
    a = xp.ascontiguousarray(a, dtype=dtype)
    if not bool(xp.isfinite(a).all()):
        raise ValueError(f"{name} contains NaN or infinity.")
    return a


def _prepare(*named_arrays):
    """Decide the backend and convert the arrays; returns (name, xp, arrays, to_host)."""
    name = get_backend_name(*(a for _, a in named_arrays))
    to_host = False
    xp = _xp(name)
    if name == "cupy" and not any(is_cupy_array(a) for _, a in named_arrays):
        to_host = True  # backend="cupy" with NumPy input: compute there, bring results back
    for n, a in named_arrays:  # before any move to the GPU, which rejects strings its own way
        if not is_cupy_array(a):
            _check_numeric(np.asarray(a), n)
    arrays = [xp.asarray(a) if hasattr(a, "dtype") else np.asarray(a) for _, a in named_arrays]
    dtype = _float_dtype(xp, *(xp.asarray(a) for a in arrays))
    checked = [_check_2d(xp, a, n, dtype) for (n, _), a in zip(named_arrays, arrays, strict=True)]
    return name, xp, checked, to_host


def _is_sparse(a):
    """A SciPy sparse matrix or array (CPU only; CuPy's sparse matrices are not taken)."""
    return hasattr(a, "tocsr") and hasattr(a, "nnz") and not is_cupy_array(a)


def _prepare_sparse(*named_arrays):
    """CSR float64 copies-if-needed of host arrays (dense ones converted), checked like
    ``_check_2d``; returns (arrays, output dtype)."""
    from scipy import sparse

    out = []
    for name, a in named_arrays:
        a = a.tocsr() if _is_sparse(a) else sparse.csr_matrix(np.asarray(a))
        if not a.has_canonical_format:  # the kernels merge rows: one entry per column
            a = a.copy()
            a.sum_duplicates()
        if a.shape[0] == 0 or a.shape[1] == 0:
            raise ValueError(f"{name} is empty: shape {tuple(a.shape)}.")
        _check_numeric(a, name)
        if not np.isfinite(a.data).all():
            raise ValueError(f"{name} contains NaN or infinity.")
        out.append(a)
    dtype = _float_dtype(np, *out)
    return [a.astype(np.float64) for a in out], dtype


def _host(a, to_host):
    return a.get() if to_host else a


def _working_memory():
    return get_config()["working_memory"]


def sq_euclidean_distances(X, Y=None, *, out=None):
    """Squared Euclidean distances between the rows of ``X`` and of ``Y``.

    Parameters
    ----------
    X : array or SciPy sparse matrix of shape (n_samples_X, n_features)
    Y : array or SciPy sparse matrix of shape (n_samples_Y, n_features), default=None
        ``None`` means ``Y = X``.
    out : array of shape (n_samples_X, n_samples_Y), default=None
        Where to write the result (its dtype must be the computation's).

    Returns
    -------
    D : array of shape (n_samples_X, n_samples_Y)
        Non-negative; float32 when both inputs are float32.
    """
    if _is_sparse(X) or _is_sparse(Y):
        (X, Y), dtype = _prepare_sparse(("X", X), ("Y", X if Y is None else Y))
        _same_features(X, Y)
        D = _output(np, out, (X.shape[0], Y.shape[0]), dtype, "out")
        return _module("sparse").sq_euclidean(X, Y, D, _working_memory())
    name, xp, (X, Y), to_host = _prepare(("X", X), ("Y", X if Y is None else Y))
    _same_features(X, Y)
    D = _output(xp, out, (X.shape[0], Y.shape[0]), X.dtype, "out", to_host)
    D = _host(_module(name).sq_euclidean(X, Y, D, _working_memory()), to_host)
    if to_host and out is not None:  # computed on the GPU: the host's ``out`` gets the copy
        out[...] = D
        return out
    return D


def _same_features(X, Y, names=("X", "Y")):
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"{names[0]} has {X.shape[1]} features but {names[1]} has {Y.shape[1]}.")


def _output(xp, out, shape, dtype, name, to_host=False):
    if out is None:
        return xp.empty(shape, dtype=dtype)
    if tuple(out.shape) != tuple(shape) or out.dtype != dtype:
        raise ValueError(
            f"{name} must have shape {tuple(shape)} and dtype {np.dtype(dtype).name}, "
            f"got {tuple(out.shape)} and {out.dtype}."
        )
    return xp.empty(shape, dtype=dtype) if to_host else out


def kneighbors(X, Y, n_neighbors, *, exclude_self=False, squared=True):
    """The ``n_neighbors`` nearest rows of ``Y`` for every row of ``X``.

    Parameters
    ----------
    X : array or SciPy sparse matrix of shape (n_queries, n_features)
    Y : array or SciPy sparse matrix of shape (n_samples, n_features)
        If either is sparse, both are searched as CSR on the CPU (``_sparse``).
    n_neighbors : int
    exclude_self : bool or int array of shape (n_queries,), default=False
        ``True``: ``X`` and ``Y`` are the same set and row ``i`` is not its own neighbour.
        An array: row ``exclude_self[i]`` of ``Y`` is not a neighbour of query ``i``
        (the queries are those rows of ``Y``; ``-1`` excludes nothing).
    squared : bool, default=True
        False returns the distances themselves, finite wherever they fit the dtype (their
        squares need not).

    Returns
    -------
    dist : array of shape (n_queries, n_neighbors)
        Squared distances (or distances), ascending per row, exact (see the kernels for how).
    indices : array of shape (n_queries, n_neighbors)
        Row indices into ``Y``; ties are broken towards the lower index.
    """
    if _is_sparse(X) or _is_sparse(Y):
        (X, Y), dtype = _prepare_sparse(("X", X), ("Y", Y))
        name, xp, to_host = "sparse", np, False
    else:
        name, xp, (X, Y), to_host = _prepare(("X", X), ("Y", Y))
        dtype = X.dtype
    _same_features(X, Y)
    exclude = _exclusions(xp, exclude_self, X.shape[0], Y.shape[0])
    available = Y.shape[0] - (exclude is not None and bool((exclude >= 0).any()))
    _check_count(n_neighbors, "n_neighbors")
    if n_neighbors > available:
        raise ValueError(
            f"n_neighbors={n_neighbors} is larger than the {available} sample(s) available"
            + (" (each point excluded from its own neighbours)." if exclude is not None else ".")
        )
    X, Y, exponent = _power_of_two_scale(X, Y)
    dist = xp.empty((X.shape[0], n_neighbors), dtype=dtype)
    ind = xp.empty((X.shape[0], n_neighbors), dtype=xp.intp)
    _module(name).kneighbors(X, Y, exclude, dist, ind, _working_memory())
    if not squared:
        dist = xp.sqrt(dist, out=dist)
    return _host(_unscale(xp, dist, exponent, squared), to_host), _host(ind, to_host)


def _unscale(xp, dist, exponent, squared):
    """Distances of data scaled by 2^-exponent back in the data's units (inf beyond the
    dtype); ldexp keeps zeros zero where 0 * inf would be NaN."""
    if not exponent:
        return dist
    with np.errstate(over="ignore"):
        return xp.ldexp(dist, (2 if squared else 1) * exponent).astype(dist.dtype, copy=False)


# Beyond 2^+-50 the kernels' float32 search overflows or underflows (squares of 1e20 are inf
# in float32, those of 1e-20 zero): every neighbour then ties, and inf/NaN partial distances
# once left candidates unset (a segmentation fault).
_SAFE_EXPONENT = 50


def safe_exponent(*arrays):
    """``e`` such that the arrays times ``2**-e`` have their largest magnitude near 1, when
    it is outside 2^+-50 (else 0): an exact scaling after which squares, and sums of them,
    neither overflow nor underflow. Dense or SciPy sparse arrays."""

    def largest(a):
        values = a.data if _is_sparse(a) else a
        return float(abs(values).max()) if values.size else 0.0

    top = max(largest(a) for a in arrays)
    if top == 0 or abs(math.log2(top)) < _SAFE_EXPONENT:
        return 0
    return math.floor(math.log2(top))


def _power_of_two_scale(X, Y):
    """X and Y scaled by ``2**-safe_exponent(X, Y)``; the scaling is exact, so the
    neighbours are those of the data. Returns (X, Y, exponent), the distances to be
    multiplied by 4^exponent."""
    exponent = safe_exponent(X, Y)
    if not exponent:
        return X, Y, 0
    factor = 2.0**-exponent
    return X * factor, Y * factor, exponent


def kneighbors_categorical(X_codes, Y_codes, tables, n_neighbors, *, exclude_self=False):
    """Nearest rows under a sum of per-feature distance tables over categorical codes.

    ``d(x, y) = sum_f tables[f][x_f, y_f]``: the shape of the Value Difference Metric and of
    any other per-feature categorical dissimilarity. Exact, ties towards the lower index.

    Parameters
    ----------
    X_codes : int array of shape (n_queries, n_features)
    Y_codes : int array of shape (n_samples, n_features)
        Codes in ``[0, tables[f].shape[0])`` for feature ``f``.
    tables : list of n_features square float arrays
    n_neighbors : int
    exclude_self : bool or int array of shape (n_queries,), default=False
        As in :func:`kneighbors`.

    Returns
    -------
    dist : float64 array of shape (n_queries, n_neighbors)
    indices : int array of shape (n_queries, n_neighbors)
    """
    name = get_backend_name(X_codes, Y_codes)
    xp = _xp(name)
    to_host = name == "cupy" and not is_cupy_array(X_codes)
    Cq = xp.ascontiguousarray(xp.asarray(X_codes), dtype=xp.intp)
    Cb = xp.ascontiguousarray(xp.asarray(Y_codes), dtype=xp.intp)
    if Cq.ndim != 2 or Cb.ndim != 2 or Cq.shape[1] != Cb.shape[1] or len(tables) != Cq.shape[1]:
        raise ValueError("X_codes and Y_codes must be 2-D with one table per column.")
    sizes = np.array([np.shape(t)[0] for t in tables], dtype=np.intp)
    for f, t in enumerate(tables):
        if np.shape(t) != (sizes[f], sizes[f]):
            raise ValueError(f"tables[{f}] must be square, got shape {np.shape(t)}.")
        for codes, label in ((Cq, "X_codes"), (Cb, "Y_codes")):
            if int(codes[:, f].min()) < 0 or int(codes[:, f].max()) >= sizes[f]:
                raise ValueError(f"{label}[:, {f}] must lie in [0, {sizes[f]}).")
    starts = np.concatenate([[0], np.cumsum(sizes**2)[:-1]]).astype(np.intp)
    flat = xp.asarray(
        np.concatenate([np.asarray(to_numpy(t), np.float64).ravel() for t in tables])
    )
    exclude = _exclusions(xp, exclude_self, Cq.shape[0], Cb.shape[0])
    if exclude is None:
        exclude = xp.full(Cq.shape[0], -1, dtype=xp.intp)
    _check_count(n_neighbors, "n_neighbors")
    available = Cb.shape[0] - bool((exclude >= 0).any())
    if n_neighbors > available:
        raise ValueError(
            f"n_neighbors={n_neighbors} is larger than the {available} sample(s) available."
        )
    dist = xp.empty((Cq.shape[0], n_neighbors))
    ind = xp.empty((Cq.shape[0], n_neighbors), dtype=xp.intp)
    _module(name).kneighbors_tables(
        Cq, Cb, flat, starts, sizes, exclude, dist, ind, _working_memory()
    )
    return _host(dist, to_host), _host(ind, to_host)


def interpolate(X, p0, p1, steps):
    """Rows on the segments between pairs of rows of ``X``, without temporaries.

    ``out[i] = X[p0[i]] + steps[i] * (X[p1[i]] - X[p0[i]])``, the difference taken in X's
    dtype and the step applied in float64, then stored in X's dtype (bit for bit what the
    NumPy expression gives).

    Parameters
    ----------
    X : array of shape (n_samples, n_features), float
    p0, p1 : int arrays of shape (n_new,)
    steps : array of shape (n_new,) or (n_new, n_features)
        One step per new row, or one per feature.

    Returns
    -------
    out : array of shape (n_new, n_features), X's dtype
    """
    name = get_backend_name(X)
    xp = _xp(name)
    to_host = name == "cupy" and not is_cupy_array(X)
    X = xp.ascontiguousarray(xp.asarray(X))
    p0 = xp.ascontiguousarray(xp.asarray(p0), dtype=xp.intp)
    p1 = xp.ascontiguousarray(xp.asarray(p1), dtype=xp.intp)
    steps = xp.asarray(steps, dtype=xp.float64)
    steps = xp.ascontiguousarray(steps.reshape(-1, 1) if steps.ndim == 1 else steps)
    if p0.shape != p1.shape or p0.ndim != 1 or steps.shape[0] != p0.shape[0]:
        raise ValueError("p0, p1 and steps must describe the same number of new rows.")
    if steps.shape[1] not in (1, X.shape[1]):
        raise ValueError(f"steps must have 1 or {X.shape[1]} columns, got {steps.shape[1]}.")
    out = xp.empty((p0.shape[0], X.shape[1]), dtype=X.dtype)
    if p0.shape[0]:
        _module(name).interpolate(X, p0, p1, steps, out, _working_memory())
    return _host(out, to_host)


def _exclusions(xp, exclude_self, n_queries, n_samples):
    """None, or the row of Y each query must not return (-1: none)."""
    if exclude_self is True:
        if n_queries != n_samples:
            raise ValueError("exclude_self=True needs X and Y to be the same set of rows.")
        return xp.arange(n_queries, dtype=xp.intp)
    if exclude_self is False or exclude_self is None:
        return None
    exclude = xp.ascontiguousarray(xp.asarray(exclude_self), dtype=xp.intp)
    if (
        exclude.shape != (n_queries,)
        or bool((exclude >= n_samples).any())
        or bool((exclude < -1).any())
    ):
        raise ValueError(f"exclude_self must be a bool or {n_queries} row indices of Y (or -1).")
    return exclude


def _check_count(k, name):
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"{name} must be a positive integer, got {k!r}.")


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
    _module(name).assign_nearest(X, C, labels, dist, _working_memory())
    return _host(labels, to_host), _host(_unscale(xp, dist, exponent, True), to_host)


def _weights(xp, sample_weight, n, dtype):
    if sample_weight is None:
        return xp.ones(n, dtype=dtype)
    w = xp.ascontiguousarray(xp.asarray(sample_weight), dtype=dtype)
    if w.shape != (n,):
        raise ValueError(f"sample_weight must have shape ({n},), got {tuple(w.shape)}.")
    if not bool(xp.isfinite(w).all()) or bool((w < 0).any()):
        raise ValueError("sample_weight must be finite and non-negative.")
    return w


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
    _module(name).center_sums(X, labels, w, sums, counts, _working_memory())
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


def lloyd(X, centers, *, sample_weight=None, max_iter=300, tol=0.0):
    """Lloyd iterations from ``centers`` until the centres move less than ``tol``.

    ``tol`` bounds the squared shift summed over centres (an absolute value: scikit-learn
    uses ``1e-4`` times the mean feature variance). A centre that loses all its rows stays
    where it is. ``X`` is checked once, not at every iteration.

    Returns
    -------
    centers : array of shape (n_centers, n_features)
    n_iter : int
    """
    name, xp, (X, C), to_host = _prepare(("X", X), ("centers", centers))
    _same_features(X, C, ("X", "centers"))
    _check_count(max_iter, "max_iter")
    module, wm = _module(name), _working_memory()
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
    X : array of shape (n_samples, n_features)
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

    name, xp, (X,), to_host = _prepare(("X", X))
    _check_count(n_clusters, "n_clusters")
    if power not in (1, 2):
        raise ValueError(f"power must be 1 or 2, got {power!r}.")
    n = X.shape[0]
    if n_clusters > n:
        raise ValueError(f"n_clusters={n_clusters} is larger than n_samples={n}.")
    rng = check_random_state(random_state)
    w = _weights(xp, sample_weight, n, X.dtype)
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))

    def potential_of(sq):
        return w * (sq if power == 2 else xp.sqrt(sq))

    module, wm = _module(name), _working_memory()

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


def to_numpy(a):
    """A NumPy array of ``a`` (copied from the GPU for a CuPy array)."""
    return a.get() if is_cupy_array(a) else np.asarray(a)


def logsumexp(A, *, responsibilities=False):
    """Row-wise log-sum-exp of ``A`` (n, K), optionally with ``exp(A - lse)``.

    Rows that are all ``-inf`` give ``-inf`` (and NaN responsibilities).

    Returns
    -------
    lse : array of shape (n,)
    resp : array of shape (n, K), only when ``responsibilities=True``
    """
    name = get_backend_name(A)
    xp = _xp(name)
    to_host = name == "cupy" and not is_cupy_array(A)
    A = xp.asarray(A)
    if A.ndim != 2 or 0 in A.shape:
        raise ValueError(f"A must be a non-empty 2-D array, got shape {tuple(A.shape)}.")
    A = xp.ascontiguousarray(A, dtype=_float_dtype(xp, A))
    if bool(xp.isnan(A).any()) or bool(xp.isposinf(A).any()):
        raise ValueError("A contains NaN or +infinity.")
    out = xp.empty(A.shape[0], dtype=A.dtype)
    resp = xp.empty_like(A) if responsibilities else None
    _module(name).logsumexp(A, out, resp, _working_memory())
    if responsibilities:
        return _host(out, to_host), _host(resp, to_host)
    return _host(out, to_host)


def precision_cholesky(covariances, covariance_type="full"):
    """Cholesky factors of the precision matrices, with a clear error when one is not PD.

    ``full``: covariances (K, d, d) -> P (K, d, d), upper triangular, ``Sigma^-1 = P P^T``;
    ``diag``: variances (K, d) -> ``1 / sqrt(var)``.
    """
    xp = _xp("cupy") if is_cupy_array(covariances) else np
    cov = xp.asarray(covariances)
    if covariance_type == "diag":
        if not bool((cov > 0).all()):
            raise ValueError("diagonal covariances must be strictly positive.")
        return 1.0 / xp.sqrt(cov)
    d = cov.shape[-1]
    try:
        L = xp.linalg.cholesky(cov)
    except Exception as exc:  # LinAlgError on NumPy, a different one on CuPy
        raise ValueError(
            "a covariance matrix is not positive definite; increase the regularisation."
        ) from exc
    if not bool(xp.isfinite(L).all()):  # CuPy returns NaN instead of raising
        raise ValueError(
            "a covariance matrix is not positive definite; increase the regularisation."
        )
    eye = xp.broadcast_to(xp.eye(d, dtype=L.dtype), L.shape)
    Linv = xp.linalg.solve(L, eye)  # lower triangular inverse
    return xp.ascontiguousarray(xp.swapaxes(Linv, 1, 2))


def gaussian_log_density(X, means, covariances, covariance_type="full"):
    """Gaussian log-densities ``log N(x_i | mean_k, Sigma_k)`` for a mixture's E-step.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    means : array of shape (n_components, n_features)
    covariances : array
        (n_components, n_features, n_features) for ``"full"``,
        (n_components, n_features) variances for ``"diag"``.
    covariance_type : {"full", "diag"}, default="full"

    Returns
    -------
    log_prob : array of shape (n_samples, n_components)
    """
    if covariance_type not in ("full", "diag"):
        raise ValueError(f"covariance_type must be 'full' or 'diag', got {covariance_type!r}.")
    name, xp, (X,), to_host = _prepare(("X", X))  # parameters follow X's dtype
    M = _check_2d(xp, means, "means", X.dtype)
    _same_features(X, M, ("X", "means"))
    K, d = M.shape
    cov = xp.asarray(covariances, dtype=X.dtype)
    want = (K, d, d) if covariance_type == "full" else (K, d)
    if tuple(cov.shape) != want:
        raise ValueError(
            f"covariances must have shape {want} for covariance_type={covariance_type!r}, "
            f"got {tuple(cov.shape)}."
        )
    if not bool(xp.isfinite(cov).all()):
        raise ValueError("covariances contain NaN or infinity.")
    P = xp.ascontiguousarray(precision_cholesky(cov, covariance_type), dtype=X.dtype)
    out = xp.empty((X.shape[0], K), dtype=X.dtype)
    _module(name).gaussian_log_density(X, M, P, covariance_type, out, _working_memory())
    return _host(out, to_host)


def gaussian_em_stats(X, weights, means, covariances, *, sample_weight=None):
    """One EM pass of a full-covariance Gaussian mixture, without the (n, K) matrices.

    The E-step under the given parameters and the sums the M-step needs, fused in one pass
    over fixed row chunks (the same result whatever the thread count).

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
    weights : array of shape (n_components,)
        Mixing weights, used as given (zero weights are allowed, not all of them).
    means : array of shape (n_components, n_features)
    covariances : array of shape (n_components, n_features, n_features)
    sample_weight : array of shape (n_samples,), default=None

    Returns
    -------
    log_likelihood : float
        ``sum_i w_i log sum_k pi_k N(x_i | mu_k, Sigma_k)``.
    nk : ndarray of shape (n_components,)
        ``sum_i w_i r_ik``.
    shifted_sums : ndarray of shape (n_components, n_features)
        ``sum_i w_i r_ik (x_i - mu_k)``.
    shifted_scatter : ndarray of shape (n_components, n_features, n_features)
        ``sum_i w_i r_ik (x_i - mu_k)(x_i - mu_k)^T``.

    Notes
    -----
    The new means are ``mu_k + shifted_sums / nk`` and the new covariances
    ``shifted_scatter / nk - delta delta^T`` with ``delta = shifted_sums / nk``: shifting by
    the current means avoids the cancellation of raw second moments. Outputs are float64
    NumPy arrays on the host (they are tiny) whatever the input's backend.
    """
    name, xp, (X,), to_host = _prepare(("X", X))
    M = _check_2d(xp, means, "means", X.dtype)
    _same_features(X, M, ("X", "means"))
    K, d = M.shape
    pi = xp.asarray(weights, dtype=xp.float64)
    cov = xp.asarray(covariances, dtype=X.dtype)
    if tuple(pi.shape) != (K,) or tuple(cov.shape) != (K, d, d):
        raise ValueError(
            f"weights and covariances must have shapes {(K,)} and {(K, d, d)}, "
            f"got {tuple(pi.shape)} and {tuple(cov.shape)}."
        )
    if not bool(xp.isfinite(cov).all()):
        raise ValueError("covariances contain NaN or infinity.")
    if not bool(xp.isfinite(pi).all()) or bool((pi < 0).any()) or not float(pi.sum()) > 0:
        raise ValueError(
            "weights must be finite, non-negative and not all zero (they are used as given, "
            "not normalised)."
        )
    P = xp.ascontiguousarray(precision_cholesky(cov), dtype=X.dtype)
    w = _weights(xp, sample_weight, X.shape[0], X.dtype)
    with np.errstate(divide="ignore"):
        log_pi = xp.log(pi)
    ll, nk, s1, s2 = _module(name).em_stats(X, w, M, P, log_pi, _working_memory())
    return ll, to_numpy(nk), to_numpy(s1), to_numpy(s2)


def nlr_step(Xw, q, offsets, U, y, *, beta, step, target, dual, out):
    """One projected-gradient step of the nonnegative low-rank SDP's augmented Lagrangian.

    The SDP ``min sum_b <C_b, Z_b>`` over ``Z_b = U_b U_b^T`` with ``U_b >= 0``,
    ``||U_b||_F^2 = target_b`` and ``sum_b Z_b 1 = 1``, where each cost is given by its
    factors, never as an n x n matrix::

        C_b = -Xw_b Xw_b^T + (q_b 1^T + 1 q_b^T) / 2 + offsets_b 1 1^T

    (``C_b[i, j] = ||xw_bi - xw_bj||^2 / 2 + offsets_b`` when ``q_b`` holds the squared row
    norms of ``Xw_b``). With ``e = sum_b U_b U_b^T 1 - 1`` and the multiplier ``y``, the
    step is ``U_b <- P(U_b - step * grad_b)`` with ``grad_b = 2 C_b U_b + yt 1^T U_b +
    1 yt^T U_b``, ``yt = y + beta e``, and ``P`` the projection onto ``{U >= 0,
    ||U||_F^2 = target_b}``. Cost O(n B d r) per step.

    Parameters
    ----------
    Xw : array of shape (B, n, d)
    q : array of shape (B, n)
    offsets : array of shape (B,)
    U : array of shape (B, n, r)
        The current factors (not modified).
    y : array of shape (n,)
        The multiplier; when ``dual`` it is first moved in place by ``beta * e``.
    beta, step : float
    target : array of shape (B,)
    dual : bool
    out : array of shape (B, n, r)
        Receives the new factors.

    Returns
    -------
    infeasibility_sq : float
        ``||e||^2`` at the current U.
    change_sq : float
        ``||U_new - U||_F^2``.
    """
    name = get_backend_name(Xw, U)
    B, n, r = U.shape
    if Xw.shape[:2] != (B, n) or q.shape != (B, n) or out.shape != U.shape or y.shape != (n,):
        raise ValueError("nlr_step: Xw, q, U, y and out have inconsistent shapes.")
    return _module(name).nlr_step(
        Xw, q, offsets, U, y, float(beta), float(step), target, bool(dual), out, _working_memory()
    )


def self_expression(C, layers, *, layer_grads=True):
    """Layer-wise self-expression loss ``sum_l ||H_l - C H_l||_F^2 / ||H_l||_F^2`` and its
    gradients, for deep subspace clustering.

    Each layer is scaled to unit Frobenius norm, so every layer weighs the same and no layer
    can lower its term by shrinking. The cost is three (n x n) by (n x D) products,
    ``D = sum_l d_l``: GEMMs, so BLAS on the CPU and cuBLAS on the GPU are the kernel, and
    one array-namespace implementation serves NumPy and CuPy arrays alike.

    Parameters
    ----------
    C : array of shape (n, n)
    layers : list of arrays of shape (n, d_l)
        Same namespace and dtype as ``C``.
    layer_grads : bool, default=True
        Also return the gradients with respect to the layers.

    Returns
    -------
    loss : float
    grad_C : array of shape (n, n)
    layer_grads : list of arrays of shape (n, d_l), or None
    """
    n = C.shape[0]
    if C.ndim != 2 or C.shape[1] != n or any(H.ndim != 2 or H.shape[0] != n for H in layers):
        raise ValueError("self_expression: C must be (n, n) and every layer (n, d_l).")
    return _module("cupy").self_expression(C, list(layers), bool(layer_grads))
