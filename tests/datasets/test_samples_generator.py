"""Synthetic data generators."""

import numpy as np
import pytest

from skcluster.datasets import make_gaussian_mixture, make_rotated_mixture


def test_shapes_counts_and_seed():
    X, y = make_gaussian_mixture(1000, 5, 4, weights=[4, 3, 2, 1], random_state=0)
    assert X.shape == (1000, 5) and y.shape == (1000,)
    assert np.bincount(y).tolist() == [400, 300, 200, 100]
    X2, y2 = make_gaussian_mixture(1000, 5, 4, weights=[4, 3, 2, 1], random_state=0)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


def test_components_have_the_asked_shape_and_separation():
    X, y = make_gaussian_mixture(
        40000, 3, 5, separation=2.0, anisotropy=4.0, scale_range=3.0, random_state=1
    )
    sd = []
    for k in range(5):
        ev = np.linalg.eigvalsh(np.cov(X[y == k].T))
        sd.append(np.sqrt(ev.max()))
        assert 1.0 - 0.1 < np.sqrt(ev.min()) and np.sqrt(ev.max() / ev.min()) < 4.0 * 1.1
    means = np.stack([X[y == k].mean(axis=0) for k in range(5)])
    for i in range(5):
        for j in range(i + 1, 5):
            gap = np.linalg.norm(means[i] - means[j])
            assert gap >= 2.0 * (sd[i] + sd[j]) * 0.95  # sample estimates of the parameters
    ratio = max(sd) / min(sd)
    assert 1.0 < ratio < 3.0 * 4.0 * 1.1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_samples": 2, "n_components": 3}, "smaller than n_components"),
        ({"weights": [1, -1, 1]}, "weights"),
        ({"weights": [1, 1]}, "weights"),
        ({"anisotropy": 0.5}, "anisotropy"),
    ],
)
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_gaussian_mixture(**kwargs)


def test_counts_round_by_largest_remainder_with_a_row_each():
    for n, w in [(4, [0.5, 0.5, 0, 0]), (10, [1, 1, 1]), (7, [0.9, 0.05, 0.05])]:
        _, y = make_gaussian_mixture(n, 2, len(w), weights=w, random_state=0)
        counts = np.bincount(y, minlength=len(w))
        assert counts.sum() == n and counts.min() >= 1
    _, y = make_gaussian_mixture(10, 2, 3, random_state=0)
    assert sorted(np.bincount(y).tolist()) == [3, 3, 4]


def test_make_rotated_mixture_sizes_shapes_and_separation():
    X, y = make_rotated_mixture(
        40_000, n_features=4, n_clusters=4, separation=2.0, condition_range=(3, 30), random_state=0
    )
    assert X.shape == (40_000, 4) and np.bincount(y).tolist() == [4000, 8000, 12000, 16000]
    means = np.stack([X[y == k].mean(axis=0) for k in range(4)])
    covs = np.stack([np.cov(X[y == k].T) for k in range(4)])
    for cov in covs:
        ev = np.linalg.eigvalsh(cov)
        assert 3 * 0.8 < ev[-1] / ev[0] < 30 * 1.2
    gaps = []
    for i in range(4):
        for j in range(i):
            u = (means[i] - means[j]) / np.linalg.norm(means[i] - means[j])
            spread = np.sqrt(u @ covs[i] @ u) + np.sqrt(u @ covs[j] @ u)
            gaps.append(np.linalg.norm(means[i] - means[j]) / spread)
    assert min(gaps) == pytest.approx(2.0, rel=0.05)  # the closest pair, exactly as asked
    X2, y2 = make_rotated_mixture(
        40_000, n_features=4, n_clusters=4, separation=2.0, condition_range=(3, 30), random_state=0
    )
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"condition_range": (0.5, 3)}, "condition_range"),
        ({"condition_range": (30, 3)}, "condition_range"),
        ({"condition_range": (3,)}, "condition_range"),
        ({"n_samples": 2, "n_clusters": 3}, "smaller than n_clusters"),
        ({"weights": [1, 1]}, "weights"),
        ({"separation": 0}, "separation"),
    ],
)
def test_make_rotated_mixture_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_rotated_mixture(**kwargs)
