"""Nearest centres, per-centre sums, Lloyd and k-means++ against scikit-learn, on both CPU
backends."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import cdist

from skcluster import _backend as B
from skcluster import config_context

from ._helpers import _scaled_pair


def test_nearest_center_and_lloyd_step(backend, rng):
    X = rng.standard_normal((500, 5)).astype(np.float32)
    C = rng.standard_normal((7, 5)).astype(np.float32)
    w = rng.uniform(0.5, 2.0, 500)
    labels, dist, sums, counts = B.lloyd_step(X, C, sample_weight=w)
    full = cdist(X, C, "sqeuclidean")
    np.testing.assert_array_equal(labels, full.argmin(axis=1))
    np.testing.assert_allclose(dist, full.min(axis=1), rtol=1e-5)
    assert sums.dtype == np.float32 and counts.dtype == np.float32
    ref_sums = np.zeros((7, 5))
    np.add.at(ref_sums, labels, X * w[:, None])
    np.testing.assert_allclose(sums, ref_sums, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(counts, np.bincount(labels, weights=w, minlength=7), rtol=1e-6)


@pytest.mark.parametrize("n_centers", [3, 40])  # fused direct kernel, and the GEMM path
def test_lloyd_matches_scikit_learn(backend, rng, n_centers):
    from sklearn.cluster import KMeans

    X = rng.standard_normal((3000, 6))
    C0 = X[rng.choice(3000, n_centers, replace=False)]
    before = C0.copy()
    centers, n_iter = B.lloyd(X, C0, max_iter=50, tol=0.0)
    km = KMeans(n_centers, init=C0, n_init=1, max_iter=50, tol=0.0, algorithm="lloyd").fit(X)
    np.testing.assert_allclose(centers, km.cluster_centers_, rtol=1e-10, atol=1e-12)
    assert n_iter <= 50 and np.array_equal(C0, before)
    # one iteration is one lloyd_step
    labels, _, sums, counts = B.lloyd_step(X, C0)
    np.testing.assert_allclose(B.lloyd(X, C0, max_iter=1)[0], sums / counts[:, None])
    with pytest.raises(ValueError, match="max_iter"):
        B.lloyd(X, C0, max_iter=0)


def test_nearest_center_ties_go_to_lowest_index(backend):
    X = np.array([[0.0, 0.0, 0, 0, 0, 0]])
    C = np.array([[1.0, 0, 0, 0, 0, 0], [-1.0, 0, 0, 0, 0, 0]])
    labels, _ = B.nearest_center(X, C)
    assert labels.tolist() == [0]


def test_center_sums_rejects_bad_labels(backend, rng):
    X = rng.standard_normal((10, 2))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\)"):
        B.center_sums(X, np.full(10, 3), 3)
    with pytest.raises(ValueError, match="labels must have shape"):
        B.center_sums(X, np.zeros(9, dtype=int), 3)


def test_kmeans_plusplus_seeds_separated_blobs(backend, rng):
    centers = np.array([[0.0, 0.0], [20.0, 0.0], [0.0, 20.0], [20.0, 20.0]])
    X = np.vstack([c + rng.standard_normal((50, 2)) * 0.1 for c in centers])
    C, idx = B.kmeans_plusplus(X, 4, random_state=3)
    # one seed in each blob, taken from the data rows it names
    assert sorted(i // 50 for i in idx) == [0, 1, 2, 3]
    np.testing.assert_array_equal(C, X[idx])
    C2, idx2 = B.kmeans_plusplus(X, 4, random_state=3)
    np.testing.assert_array_equal(idx, idx2)


@pytest.mark.parametrize("power", [1, 2])
def test_kmeans_plusplus_continues_from_given_centres(backend, rng, power):
    blobs = np.array([[0.0, 0.0], [20.0, 0.0], [0.0, 20.0]])
    X = np.vstack([c + rng.standard_normal((40, 2)) * 0.1 for c in blobs])
    # the first two blobs are known: the new centre must land in the third
    C, idx = B.kmeans_plusplus(X, 1, init_centers=blobs[:2], power=power, random_state=0)
    assert idx[0] // 40 == 2


def test_kmeans_plusplus_same_draws_on_both_backends(rng):
    X = rng.standard_normal((300, 4))
    with config_context(backend="numba"):
        _, a = B.kmeans_plusplus(X, 6, random_state=11)
    with config_context(backend="numpy"):
        _, b = B.kmeans_plusplus(X, 6, random_state=11)
    np.testing.assert_array_equal(a, b)


def test_kmeans_plusplus_on_duplicates(backend):
    X = np.zeros((5, 3))
    C, idx = B.kmeans_plusplus(X, 3, random_state=0)
    assert len(set(idx.tolist())) == 3
    with pytest.raises(ValueError, match="n_clusters=6 is larger than n_samples=5"):
        B.kmeans_plusplus(X, 6)
    with pytest.raises(ValueError, match="power must be 1 or 2"):
        B.kmeans_plusplus(X, 2, power=3)


def test_kmeans_one_run_converges_to_scikit_learns_solution():
    from sklearn.cluster import KMeans
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(2000, centers=5, random_state=0)
    centers, labels, inertia = B.kmeans(X, 5, random_state=0)
    ref = KMeans(5, n_init=10, random_state=0).fit(X)
    assert inertia == pytest.approx(ref.inertia_, rel=1e-3)  # both stop at tol=1e-4
    assert labels.shape == (2000,) and centers.shape == (5, 2)
    np.testing.assert_allclose(inertia, ((X - centers[labels]) ** 2).sum())


@settings(max_examples=40, deadline=None)
@given(_scaled_pair(), st.integers(1, 4))
def test_nearest_center_property_scale(pair, n_centers):
    X, e = pair
    C = X[: min(n_centers, len(X))]
    labels, sq = B.nearest_center(X, C)
    ref = cdist(X.astype(np.float64), C.astype(np.float64), "sqeuclidean")
    np.testing.assert_allclose(sq, ref.min(axis=1), rtol=1e-5, atol=1e-6)
    assert np.all(ref[np.arange(len(X)), labels] <= ref.min(axis=1) * (1 + 1e-5) + 1e-6)
    Xs, Cs = np.ldexp(X, e).astype(X.dtype), np.ldexp(C, e).astype(X.dtype)
    np.testing.assert_array_equal(B.nearest_center(Xs, Cs)[0], labels)


def test_two_means_reaches_the_two_means_fixed_point(backend, rng):
    """From a poor split of two blobs, 2-means ends at the blobs; the final split is a
    fixed point (every row nearer its side's weighted centre) and the input is unchanged."""
    X = np.concatenate([rng.normal(0, 1, (60, 3)), rng.normal(6, 1, (40, 3))])
    w = rng.uniform(0.5, 2.0, 100)
    start = np.zeros(100, dtype=bool)
    start[::3] = True
    before = start.copy()
    side = B.two_means(X, start, sample_weight=w)
    np.testing.assert_array_equal(start, before)
    assert len(set(side[:60])) == len(set(side[60:])) == 1 and side[0] != side[-1]  # the blobs
    centres = [np.average(X[s], axis=0, weights=w[s]) for s in (~side, side)]
    d = cdist(X, np.array(centres), "sqeuclidean")
    np.testing.assert_array_equal(side, d[:, 1] < d[:, 0])


def test_two_means_stops_when_a_side_empties_and_checks_its_split(backend, rng):
    X = rng.normal(size=(20, 2))
    assert not B.two_means(X, np.zeros(20, dtype=bool)).any()
    with pytest.raises(ValueError, match="side must have shape"):
        B.two_means(X, np.zeros(19, dtype=bool))


@pytest.mark.parametrize("d", [3, 70])  # the covariance's eigenvector, power iterations
def test_bisect_cells_partitions_the_rows(rng, d):
    X = rng.standard_normal((3000, d))
    X[:1000] += 4.0
    before = X.copy()
    weights, means, covs = B.bisect_cells(X, 200)
    np.testing.assert_array_equal(X, before)  # the caller's rows are not reordered
    assert len(weights) == 200 and weights.sum() == 3000 and weights.min() >= 1
    # the cells' moments add up to the rows': mean, and within- plus between-cell spread
    mean = weights @ means / 3000
    np.testing.assert_allclose(mean, X.mean(axis=0), atol=1e-12)
    centred = means - mean
    total = (np.tensordot(weights, covs, 1) + (centred.T * weights) @ centred) / 3000
    np.testing.assert_allclose(total, np.cov(X.T, bias=True), atol=1e-10)
    # the sum of squares left inside the cells is a small share of the rows'
    assert np.tensordot(weights, covs, 1).trace() < 0.3 * 3000 * total.trace()


def test_bisect_cells_of_constant_rows_and_bad_input(rng):
    weights, means, covs = B.bisect_cells(np.ones((50, 2)), 10)
    assert weights.tolist() == [50.0] and np.all(covs == 0)
    with pytest.raises(ValueError, match="NaN"):
        B.bisect_cells(np.array([[0.0, np.nan], [1.0, 2.0]]), 2)
    with pytest.raises(ValueError, match="n_cells"):
        B.bisect_cells(rng.standard_normal((10, 2)), 0)
    with pytest.raises(ValueError, match="2-D"):
        B.bisect_cells(np.ones(5), 2)
