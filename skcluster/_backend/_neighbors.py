"""Distances and nearest neighbours on the backend: dense, sparse and categorical rows, and
the interpolation between rows that the SMOTE family generates new rows with."""

import numpy as np

from ._dispatch import (
    _check_count,
    _exclusions,
    _host,
    _is_sparse,
    _output,
    _power_of_two_scale,
    _prepare,
    _prepare_sparse,
    _same_features,
    _unscale,
    _working_memory,
    _xp,
    get_backend_name,
    is_cupy_array,
    kernels,
    to_numpy,
)


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
        return kernels("sparse").sq_euclidean(X, Y, D, _working_memory())
    name, xp, (X, Y), to_host = _prepare(("X", X), ("Y", X if Y is None else Y))
    _same_features(X, Y)
    D = _output(xp, out, (X.shape[0], Y.shape[0]), X.dtype, "out", to_host)
    D = _host(kernels(name).sq_euclidean(X, Y, D, _working_memory()), to_host)
    if to_host and out is not None:  # computed on the GPU: the host's ``out`` gets the copy
        out[...] = D
        return out
    return D


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
    kernels(name).kneighbors(X, Y, exclude, dist, ind, _working_memory())
    if not squared:
        dist = xp.sqrt(dist, out=dist)
    return _host(_unscale(xp, dist, exponent, squared), to_host), _host(ind, to_host)


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
    kernels(name).kneighbors_tables(
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
        kernels(name).interpolate(X, p0, p1, steps, out, _working_memory())
    return _host(out, to_host)
