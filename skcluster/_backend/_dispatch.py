"""Backend choice, input preparation and outputs: what every function of the backend shares.

``get_backend_name`` decides which kernels run (the input's array type and
``skcluster.get_config()["backend"]``); ``kernels(name)`` returns them, from the one table
``_KERNELS``. The ``_prepare*`` helpers check and convert inputs once at the public
boundary (2-D, numeric, finite, C-contiguous; float32 stays float32, other real input is
computed in float64); rows checked once by ``check_rows`` (``CheckedRows``) skip them in
an estimator's loop.
"""

import functools
import importlib
import math
import numbers
import types

import numpy as np

from .._config import get_config


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
        from ._memory import available_memory

        return available_memory()
    cupy = _xp("cupy")
    free, _ = cupy.cuda.Device().mem_info
    return free + cupy.get_default_memory_pool().free_bytes()


def to_numpy(a):
    """A NumPy array of ``a`` (copied from the GPU for a CuPy array)."""
    return a.get() if is_cupy_array(a) else np.asarray(a)


# Which kernels run for each backend name. Every target offers the same functions with the
# same signatures; a target may be split over modules by topic. None is imported before its
# first use: ``import skcluster`` loads neither Numba nor CuPy.
_KERNELS = {
    # NumPy arrays: Numba loops, BLAS products, Python threads
    "numba": ("_numba_distances", "_numba_gaussian", "_numba_solvers"),
    # the reference path (config_context(backend="numpy")): the array-namespace code on NumPy
    "numpy": ("_xp_kernels",),
    # CuPy arrays: the same array-namespace code on the GPU
    "cupy": ("_xp_kernels",),
    # SciPy CSR matrices on the CPU (distances and neighbours only)
    "sparse": ("_sparse_kernels",),
}


@functools.cache
def kernels(name):
    """The kernel functions of backend ``name`` (a module, or the public functions of the
    target's modules gathered in one namespace)."""
    modules = [importlib.import_module(f"{__package__}.{m}") for m in _KERNELS[name]]
    if len(modules) == 1:
        return modules[0]
    merged = {}
    for module in modules:  # the kernels a module defines (not what it imports)
        merged.update(
            {
                k: v
                for k, v in vars(module).items()
                if not k.startswith("_") and getattr(v, "__module__", None) == module.__name__
            }
        )
    return types.SimpleNamespace(**merged)


def is_dask_collection(X):
    """True for a dask array, dataframe or series (checked without importing dask). Dask
    arrays are the third target of ``kmeans_plusplus``, ``lloyd`` and ``distance_sums``,
    which then run over the row blocks (dataframes are turned into arrays by the
    estimators, ``skcluster.utils._dask.check_dask_array``)."""
    return type(X).__module__.split(".")[0] == "dask"


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


class CheckedRows:
    """Rows checked once by :func:`check_rows`: 2-D, numeric, finite, C-contiguous, in their
    compute dtype and on the device their kernels run on.

    The backend's row functions (``nearest_center``, ``center_sums``, ``lloyd``,
    ``kmeans_plusplus``, ``sq_euclidean_distances``, ``kneighbors``,
    ``gaussian_log_density``, ``gaussian_em_stats``) take them wherever they take ``X`` and
    skip the checks and copies: the private entry point for an estimator's loop, as
    scikit-learn's ``_kmeans_plusplus`` sits behind ``kmeans_plusplus``.
    """

    __slots__ = ("data", "backend", "to_host")

    def __init__(self, data, backend, to_host):
        self.data, self.backend, self.to_host = data, backend, to_host

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype


def check_rows(X, name="X"):
    """``X`` checked and converted once, for repeated calls of the backend's row functions."""
    backend, _, (data,), to_host = _prepare((name, X))
    return CheckedRows(data, backend, to_host)


def _prepare(*named_arrays):
    """Decide the backend and convert the arrays; returns (name, xp, arrays, to_host).
    ``CheckedRows`` pass unchecked when the other arrays share their dtype."""
    rows = [a for _, a in named_arrays if isinstance(a, CheckedRows)]
    if rows:
        return _prepare_with_checked(named_arrays, rows[0])
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


def _prepare_with_checked(named_arrays, rows):
    """``_prepare`` for calls holding ``CheckedRows``: their data pass as they are when the
    call would check them into the same place (backend, dtype); otherwise the call takes
    the general path on the rows' data, as if they had never been checked."""
    checked = [a for _, a in named_arrays if isinstance(a, CheckedRows)]
    others = [(n, a) for n, a in named_arrays if not isinstance(a, CheckedRows)]
    general = [(n, _unchecked(a)) for n, a in named_arrays]
    if any(_is_sparse(a) or is_cupy_array(a) for _, a in others) or any(
        c.backend != rows.backend or c.to_host != rows.to_host for c in checked
    ):
        return _prepare(*general)
    # the backend the call would pick today (the configuration may have changed since)
    device_rows = [] if rows.to_host else [rows.data]
    if get_backend_name(*device_rows, *(a for _, a in others)) != rows.backend:
        return _prepare(*general)
    xp = _xp(rows.backend)
    for n, a in others:
        _check_numeric(np.asarray(a), n)
    dtype = _float_dtype(xp, *(c.data for c in checked), *(xp.asarray(a) for _, a in others))
    if any(c.dtype != dtype for c in checked):  # the general path's dtype rule
        return _prepare(*general)
    arrays = [
        a.data if isinstance(a, CheckedRows) else _check_2d(xp, a, n, dtype)
        for n, a in named_arrays
    ]
    return rows.backend, xp, arrays, rows.to_host


def _unchecked(a):
    """The data of ``CheckedRows`` as the caller gave them (back on the host when the check
    moved them to the GPU), anything else unchanged."""
    if not isinstance(a, CheckedRows):
        return a
    return a.data.get() if a.to_host else a.data


def _is_sparse(a):
    """A SciPy sparse matrix or array (CPU only; CuPy's sparse matrices are not taken)."""
    return hasattr(a, "tocsr") and hasattr(a, "nnz") and not is_cupy_array(a)


def _prepare_sparse(*named_arrays):
    """CSR float64 copies-if-needed of host arrays (dense ones converted), checked like
    ``_check_2d``; returns (arrays, output dtype)."""
    from scipy import sparse

    out = []
    for name, a in named_arrays:
        a = _unchecked(a)
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


def _weights(xp, sample_weight, n, dtype):
    if sample_weight is None:
        return xp.ones(n, dtype=dtype)
    w = xp.ascontiguousarray(xp.asarray(sample_weight), dtype=dtype)
    if w.shape != (n,):
        raise ValueError(f"sample_weight must have shape ({n},), got {tuple(w.shape)}.")
    if not bool(xp.isfinite(w).all()) or bool((w < 0).any()):
        raise ValueError("sample_weight must be finite and non-negative.")
    return w


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
