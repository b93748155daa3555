"""Input validation that keeps CuPy arrays on the GPU and NumPy input scikit-learn's way."""

import numpy as np
from sklearn.utils.validation import validate_data

from .._backend import is_cupy_array


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
