"""Dask collections in, dask collections out.

The estimators whose algorithms decompose over row blocks take dask arrays (and dask
dataframes) as well as NumPy ones. This module holds what they share: recognising a dask
collection without importing dask, checking that its blocks hold whole rows of numbers,
running a prediction block by block. Sums over blocks and k-means over blocks are the
backend's (``skcluster._backend``: dask is one of its targets). Each block goes through the
same backend kernels as an in-memory array; no function here collects the whole array in
one place.
"""

import copy
import functools

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._backend import is_dask_collection
from .validation import float_dtype


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
