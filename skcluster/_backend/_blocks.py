"""Sums over the row blocks of a dask array, computed by dask and added on the caller's side.

The third target of the backend beside in-memory NumPy and CuPy arrays: each block goes
through the same kernels as an in-memory array, and no function here gathers the rows.
"""

import functools

import numpy as np


def row_offsets(X):
    """First row of each row block of ``X``."""
    return np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]]).astype(np.intp)


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


def as_float(block):
    """A block as a float array (float32 and float64 kept, anything else float64)."""
    return np.asarray(block, dtype=np.float64 if block.dtype.kind != "f" else block.dtype)
