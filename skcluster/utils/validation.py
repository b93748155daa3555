"""Input validation that keeps CuPy arrays on the GPU and NumPy input scikit-learn's way."""

import math

import numpy as np
from sklearn.utils import check_random_state as _sklearn_check_random_state
from sklearn.utils.validation import validate_data

from .._backend import array_module, is_cupy_array

# the ``random_state`` constraint of every estimator: scikit-learn's, and a NumPy Generator
RANDOM_STATE = ["random_state", np.random.Generator]


def check_random_state(seed):
    """scikit-learn's ``check_random_state``, also taking a NumPy ``Generator`` (SPEC 7).

    A Generator becomes a ``RandomState`` drawing from the generator's own bit stream, so
    the generator advances with every fit, as it would in code written for it.
    """
    if isinstance(seed, np.random.Generator):
        return np.random.RandomState(seed.bit_generator)
    return _sklearn_check_random_state(seed)


def legacy_seed(seed):
    """``seed`` as scikit-learn estimators take it: a Generator as a ``RandomState`` on its
    bit stream, anything else unchanged (an int stays an int)."""
    return check_random_state(seed) if isinstance(seed, np.random.Generator) else seed


def check_X(
    estimator,
    X,
    *,
    reset,
    dtype=(np.float64, np.float32),
    ensure_min_samples=1,
    accept_sparse=False,
):
    """Validate ``X`` for ``estimator`` and record/check ``n_features_in_``.

    NumPy-like input goes through scikit-learn's ``validate_data`` (float32 kept, everything
    else as float64, NaN/inf rejected, caller's array never modified). A CuPy array is checked
    on the GPU with the same rules and returned as a CuPy array.
    """
    if not is_cupy_array(X):
        return validate_data(
            estimator,
            X,
            reset=reset,
            dtype=list(dtype),
            ensure_min_samples=ensure_min_samples,
            accept_sparse=accept_sparse,
        )
    import cupy

    if X.ndim != 2:
        raise ValueError(f"Expected 2D array, got {X.ndim}D array instead.")
    if X.shape[0] < ensure_min_samples or X.shape[1] == 0:
        raise ValueError(
            f"Found array with shape {X.shape}; need at least "
            f"{ensure_min_samples} sample(s) and 1 feature."
        )
    if X.dtype not in dtype:
        X = X.astype(dtype[0])
    if not bool(cupy.isfinite(X).all()):
        raise ValueError("Input X contains NaN or infinity.")
    if reset:
        estimator.n_features_in_ = X.shape[1]
        if hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
    elif X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input."
        )
    return X


def float_dtype(dtype):
    """The float type results are given back in: float32 for float32 data, else float64."""
    return np.dtype(np.float32) if dtype == np.float32 else np.dtype(np.float64)


def check_float64(estimator, X, *, reset, ensure_min_samples=1):
    """``(X as float64, the dtype to give results back in)``.

    The Gaussian and SDP models compute in float64 (EM's log-densities and the solvers'
    tolerances need its range), but float32 data gets float32 attributes and outputs back,
    as scikit-learn's ``KMeans`` and ``GaussianMixture`` keep float32.
    """
    X = validate_data(
        estimator,
        X,
        reset=reset,
        dtype=[np.float64, np.float32],
        ensure_min_samples=ensure_min_samples,
    )
    return X.astype(np.float64, copy=False), X.dtype


def cast_attributes(estimator, dtype, names):
    """Fitted float arrays ``names`` of ``estimator`` in ``dtype`` (see ``check_float64``)."""
    for name in names:
        setattr(estimator, name, np.asarray(getattr(estimator, name)).astype(dtype, copy=False))


def centre_and_scale(X):
    """``(X - offset) / scale``, with the column means as offset and one overall scale, the
    root mean square of the centred entries (the largest magnitude for constant data).

    Scale-free methods fit on the result so that their absolute constants (regularisation,
    tolerances, a graph's smallest edge) act on data of unit size: a clustering of ``c * X``
    is then that of ``X`` for every ``c`` at which ``c * X`` is finite. Computed through
    ``X / max|X|``, so neither the squares of 1e300 nor those of 1e-300 are formed.

    Returns
    -------
    Xs : array of the shape and float dtype of X (a new array)
    offset : array of shape (n_features,)
    scale : float
    """
    xp = array_module(X)
    top = float(xp.abs(X).max()) if X.size else 0.0
    if top == 0:
        return X.astype(X.dtype, copy=True), xp.zeros(X.shape[1], dtype=X.dtype), 1.0
    Y = X / top
    mean = Y.mean(axis=0)
    Y -= mean
    rms = math.sqrt(float((Y * Y).mean()))
    if rms > 0:
        Y /= rms
    return Y, mean * top, top * (rms if rms > 0 else 1.0)


# float64's largest square is ~1.8e308, its smallest normal ~2.2e-308
_COVARIANCE_SCALE = (1e-150, 1e150)


def check_covariance_scale(estimator, scale):
    """Gaussian models report covariances in the data's units: reject data whose spread
    squared is not a float64 (beyond 1e+-150) with a message that says so."""
    low, high = _COVARIANCE_SCALE
    if not low <= scale <= high:
        raise ValueError(
            f"{type(estimator).__name__}: the data's spread is about {scale:.0e}, and its "
            "squares (the covariances of a Gaussian model) are not representable in "
            f"float64 beyond {low:.0e}..{high:.0e}. Rescale X first, e.g. with "
            "sklearn.preprocessing.StandardScaler."
        )
