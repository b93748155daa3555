"""Synthetic data with known clusters."""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params

from ..utils.validation import RANDOM_STATE, check_random_state


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "separation": [Interval(Real, 0, None, closed="left")],
        "anisotropy": [Interval(Real, 1, None, closed="left")],
        "scale_range": [Interval(Real, 1, None, closed="left")],
        "weights": ["array-like", None],
        "random_state": RANDOM_STATE,
    },
    prefer_skip_nested_validation=True,
)
def make_gaussian_mixture(
    n_samples=1000,
    n_features=2,
    n_components=3,
    *,
    separation=3.0,
    anisotropy=1.0,
    scale_range=1.0,
    weights=None,
    random_state=None,
):
    """Rows drawn from a Gaussian mixture with rotated, stretched, well separated components.

    Component ``k`` has covariance ``s_k^2 R_k diag(a_k)^2 R_k^T`` with a random rotation
    ``R_k``, axis lengths ``a_k`` uniform in ``[1, anisotropy]`` and a scale ``s_k`` uniform
    in ``[1, scale_range]``. Means are placed at random, one after the other, so that any two
    components ``i, j`` satisfy ``||mu_i - mu_j|| >= separation * (sigma_i + sigma_j)`` where
    ``sigma`` is a component's longest standard deviation: with ``separation >= 2`` the
    components barely touch (about 2.3% of a component's rows lie past 2 sigma along one axis).

    Parameters
    ----------
    n_samples : int, default=1000
    n_features : int, default=2
    n_components : int, default=3
    separation : float, default=3.0
        Gap between components in units of their longest standard deviations.
    anisotropy : float, default=1.0
        Largest ratio between a component's axis lengths (1: spherical).
    scale_range : float, default=1.0
        Largest ratio between two components' sizes (1: equal sizes).
    weights : array-like of shape (n_components,), default=None
        Mixing proportions (normalised); equal when None. Counts are the proportions of
        ``n_samples`` rounded by largest remainder, with at least one row per component.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Component of each row.

    Examples
    --------
    >>> from skcluster.datasets import make_gaussian_mixture
    >>> X, y = make_gaussian_mixture(500, 3, 4, anisotropy=5, random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((500, 3), [0, 1, 2, 3])
    """
    rng = check_random_state(random_state)
    K, d = n_components, n_features
    if n_samples < K:
        raise ValueError(f"n_samples={n_samples} is smaller than n_components={K}.")
    counts = _sizes(weights, np.ones(K), n_samples)

    scales = rng.uniform(1.0, scale_range, K)
    axes = rng.uniform(1.0, anisotropy, (K, d)) * scales[:, None]
    rotations = [np.linalg.qr(rng.standard_normal((d, d)))[0] for _ in range(K)]
    sigma = axes.max(axis=1)

    # place means one by one in a box that grows until the next one fits
    box = separation * sigma.mean() * max(1.0, K ** (1.0 / d))
    means = np.empty((K, d))
    for k in range(K):
        for attempt in range(200 * (k + 1)):
            cand = rng.uniform(-box, box, d)
            gaps = np.linalg.norm(means[:k] - cand, axis=1) - separation * (sigma[:k] + sigma[k])
            if k == 0 or gaps.min() >= 0:
                break
            if attempt % 50 == 49:
                box *= 1.2
        means[k] = cand

    X = np.empty((n_samples, d))
    y = np.repeat(np.arange(K), counts)
    start = 0
    for k in range(K):
        z = rng.standard_normal((counts[k], d)) * axes[k]
        X[start : start + counts[k]] = z @ rotations[k].T + means[k]
        start += counts[k]
    perm = rng.permutation(n_samples)
    return X[perm], y[perm]


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "separation": [Interval(Real, 0, None, closed="left")],
        "scale_ratio": [Interval(Real, 1, None, closed="left")],
        "elongation": [Interval(Real, 1, None, closed="left")],
        "weights": ["array-like", None],
        "random_state": RANDOM_STATE,
    },
    prefer_skip_nested_validation=True,
)
def make_heterogeneous_mixture(
    n_samples=500,
    n_features=2,
    n_clusters=2,
    *,
    separation=5.0,
    scale_ratio=3.0,
    elongation=1.0,
    weights=None,
    random_state=None,
):
    """Gaussian clusters of different sizes and shapes at a fixed distance: iLA-SDP's setting.

    Cluster ``k`` has standard deviations ``scale_ratio ** (k / (K - 1))`` times axis lengths
    falling geometrically from ``elongation`` to 1, along random axes: the first cluster is
    the smallest, the last ``scale_ratio`` times wider. Means are ``separation`` apart: on
    orthogonal coordinate axes (``mu_k = separation / sqrt(2) e_k``) when ``n_features >=
    n_clusters``, else evenly on a circle in the first two coordinates (neighbours
    ``separation`` apart). With ``scale_ratio > 1`` the wide cluster's rows cross the
    perpendicular bisector that k-means and the SDP of k-means draw, while a model with one
    covariance per cluster separates them; growing ``n_features`` against the cluster sizes
    is where EM's full covariances start to struggle.

    The paper (Zhuang, Chen & Yang, ICML 2023) simulates clusters with different covariance
    matrices; its exact settings could not be consulted, so this generator is parametrised
    to span them rather than to copy them.

    Parameters
    ----------
    n_samples : int, default=500
    n_features : int, default=2
    n_clusters : int, default=2
    separation : float, default=5.0
        Euclidean distance between neighbouring means, in units of the first cluster's
        standard deviation.
    scale_ratio : float, default=3.0
        Ratio of the widest cluster's standard deviations to the narrowest's.
    elongation : float, default=1.0
        Ratio of a cluster's longest axis to its shortest (1: spherical).
    weights : array-like of shape (n_clusters,), default=None
        Mixing proportions (normalised); equal when None.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from skcluster.datasets import make_heterogeneous_mixture
    >>> X, y = make_heterogeneous_mixture(300, n_features=5, n_clusters=3, random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    ((300, 5), [0, 1, 2])
    """
    rng = check_random_state(random_state)
    K, d = n_clusters, n_features
    if n_samples < K:
        raise ValueError(f"n_samples={n_samples} is smaller than n_clusters={K}.")
    if d < 2 and K > 2:
        raise ValueError("more than two clusters need n_features >= 2 to be equally spaced.")
    counts = _sizes(weights, np.ones(K), n_samples)
    means = np.zeros((K, d))
    if K <= d:
        means[np.arange(K), np.arange(K)] = separation / math.sqrt(2)
    else:
        radius = separation / (2 * math.sin(math.pi / K))
        angles = 2 * math.pi * np.arange(K) / K
        means[:, 0], means[:, 1] = radius * np.cos(angles), radius * np.sin(angles)
    if K == 2 and d == 1:
        means[:, 0] = [0.0, separation]
    axes = elongation ** np.linspace(1.0, 0.0, d) if d > 1 else np.ones(1)
    X = np.empty((n_samples, d))
    y = np.repeat(np.arange(K), counts)
    start = 0
    for k in range(K):
        size = scale_ratio ** (k / max(K - 1, 1))
        rotation = np.linalg.qr(rng.standard_normal((d, d)))[0]
        z = rng.standard_normal((counts[k], d)) * (axes * size)
        X[start : start + counts[k]] = z @ rotation.T + means[k]
        start += counts[k]
    perm = rng.permutation(n_samples)
    return X[perm], y[perm]


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "separation": [Interval(Real, 0, None, closed="neither")],
        "condition_range": [tuple],
        "scale_range": [Interval(Real, 1, None, closed="left")],
        "weights": ["array-like", None],
        "random_state": RANDOM_STATE,
    },
    prefer_skip_nested_validation=True,
)
def make_rotated_mixture(
    n_samples=600,
    n_features=10,
    n_clusters=3,
    *,
    separation=1.5,
    condition_range=(3.0, 30.0),
    scale_range=2.0,
    weights=None,
    random_state=None,
):
    """Gaussian clusters of sizes 1:2:...:K with randomly rotated, ill-conditioned covariances.

    A second setting for model-based clustering, independent of
    :func:`make_heterogeneous_mixture`: cluster ``k`` has covariance ``s_k^2 R_k
    diag(lambda_k) R_k^T`` with a random rotation ``R_k``, eigenvalues ``lambda_k``
    log-spaced with a condition number drawn log-uniformly from ``condition_range`` (and
    geometric mean 1), and a scale ``s_k`` uniform in ``[1, scale_range]``. The means are a
    standard normal draw, scaled so that the closest pair of clusters is exactly
    ``separation`` apart along the line joining their means, in units of the sum of the
    two clusters' standard deviations along that line (1.5: the two clusters' 1.5-sigma
    slabs touch; every other pair is further apart). Sizes are in proportion ``1, 2, ...,
    K`` unless ``weights`` are given.

    Parameters
    ----------
    n_samples : int, default=600
    n_features : int, default=10
    n_clusters : int, default=3
    separation : float, default=1.5
        Separation of the closest pair of clusters (see above).
    condition_range : tuple of two floats, default=(3.0, 30.0)
        Range of the covariances' condition numbers (largest over smallest eigenvalue).
    scale_range : float, default=2.0
        Largest ratio between two clusters' overall standard deviations.
    weights : array-like of shape (n_clusters,), default=None
        Mixing proportions (normalised); ``1, 2, ..., K`` when None.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from skcluster.datasets import make_rotated_mixture
    >>> X, y = make_rotated_mixture(1000, n_features=5, n_clusters=4, random_state=0)
    >>> X.shape, np.bincount(y).tolist()
    ((1000, 5), [100, 200, 300, 400])
    """
    rng = check_random_state(random_state)
    K, d = n_clusters, n_features
    if n_samples < K:
        raise ValueError(f"n_samples={n_samples} is smaller than n_clusters={K}.")
    low, high = (float(c) for c in condition_range) if len(condition_range) == 2 else (0, 0)
    if not 1 <= low <= high:
        raise ValueError(
            f"condition_range must be two numbers 1 <= low <= high; got {condition_range!r}."
        )
    counts = _sizes(weights, np.arange(1.0, K + 1), n_samples)
    chols = []
    for _ in range(K):
        condition = math.exp(rng.uniform(math.log(low), math.log(high)))
        eigenvalues = condition ** np.linspace(-0.5, 0.5, d) if d > 1 else np.ones(1)
        eigenvalues *= rng.uniform(1.0, scale_range) ** 2
        rotation = np.linalg.qr(rng.standard_normal((d, d)))[0]
        chols.append(rotation * np.sqrt(eigenvalues))  # covariance = chol @ chol.T
    means = rng.standard_normal((K, d))
    closest = np.inf
    for i in range(K):
        for j in range(i):
            gap = means[i] - means[j]
            u = gap / np.linalg.norm(gap)
            spread = np.linalg.norm(chols[i].T @ u) + np.linalg.norm(chols[j].T @ u)
            closest = min(closest, np.linalg.norm(gap) / spread)
    if K > 1:
        means *= separation / closest
    X = np.empty((n_samples, d))
    y = np.repeat(np.arange(K), counts)
    start = 0
    for k in range(K):
        z = rng.standard_normal((counts[k], d))
        X[start : start + counts[k]] = z @ chols[k].T + means[k]
        start += counts[k]
    perm = rng.permutation(n_samples)
    return X[perm], y[perm]


def _sizes(weights, default, n):
    """Rows per component from ``weights`` (``default`` when None), validated."""
    K = len(default)
    w = default if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (K,) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"weights must be {K} non-negative numbers with a positive sum.")
    return _counts(w / w.sum(), n)


def _counts(w, n):
    """Largest-remainder rounding of ``w * n`` with at least one row per component."""
    raw = w * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    short = np.flatnonzero(counts == 0)
    for k in short:  # take each missing row from the largest component
        counts[np.argmax(counts)] -= 1
        counts[k] = 1
    return counts


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "n_subspaces": [Interval(Integral, 1, None, closed="left")],
        "subspace_dim": [Interval(Integral, 1, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "random_state": RANDOM_STATE,
    },
    prefer_skip_nested_validation=True,
)
def make_subspaces(
    n_samples=300,
    n_features=30,
    n_subspaces=3,
    subspace_dim=3,
    *,
    noise=0.0,
    random_state=None,
):
    """Points on a union of linear subspaces through the origin, one subspace per label.

    Each subspace is spanned by ``subspace_dim`` random orthonormal directions; its points
    are Gaussian combinations of them (so they span it), plus isotropic Gaussian ``noise``
    of that standard deviation per feature. The subspaces are independent (their sum has
    dimension ``n_subspaces * subspace_dim``) when that is at most ``n_features``: the
    setting in which self-expression recovers them exactly.

    Parameters
    ----------
    n_samples : int, default=300
        Spread as evenly as possible over the subspaces.
    n_features : int, default=30
    n_subspaces : int, default=3
    subspace_dim : int, default=3
    noise : float, default=0.0
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        The subspace of each row.

    Examples
    --------
    >>> import numpy as np
    >>> from skcluster.datasets import make_subspaces
    >>> X, y = make_subspaces(100, n_features=10, n_subspaces=2, subspace_dim=2,
    ...                       random_state=0)
    >>> int(np.linalg.matrix_rank(X[y == 0]))
    2
    """
    if subspace_dim > n_features:
        raise ValueError(f"subspace_dim={subspace_dim} exceeds n_features={n_features}.")
    rng = check_random_state(random_state)
    y = np.arange(n_samples) % n_subspaces
    X = np.empty((n_samples, n_features))
    for s in range(n_subspaces):
        basis, _ = np.linalg.qr(rng.standard_normal((n_features, subspace_dim)))
        rows = y == s
        X[rows] = rng.standard_normal((int(rows.sum()), subspace_dim)) @ basis.T
    X += noise * rng.standard_normal(X.shape)
    return X, y
