"""Data shared by the over-samplers' tests."""

import numpy as np
from sklearn.datasets import make_classification


def _data(n_classes=2, dtype=np.float64, seed=0):
    weights = [0.85, 0.15] if n_classes == 2 else [0.7, 0.2, 0.1]
    X, y = make_classification(
        n_samples=1500,
        n_features=8,
        n_informative=5,
        n_classes=n_classes,
        weights=weights,
        random_state=seed,
    )
    return X.astype(dtype), y
