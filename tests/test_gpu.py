"""The CuPy kernels on a real GPU against the NumPy/Numba results (skipped without a GPU).

The same kernel code also runs on NumPy in every test module via backend="numpy"; these
tests add what only a GPU shows: CuPy arrays in, CuPy arrays out, and CuPy's own functions.
"""

import numpy as np
import pytest

from skcluster import _backend as B
from skcluster import config_context
from skcluster.neighbors import NearestNeighbors

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not B.cupy_is_usable(), reason="no usable CuPy GPU"),
]


@pytest.fixture
def cp():
    import cupy

    return cupy


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernels_match_cpu(cp, dtype):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3000, 20)).astype(dtype)
    C = rng.standard_normal((9, 20)).astype(dtype)
    gX, gC = cp.asarray(X), cp.asarray(C)
    tol = 1e-4 if dtype == np.float32 else 1e-10

    D = B.sq_euclidean_distances(gX[:500], gC)
    assert isinstance(D, cp.ndarray) and D.dtype == dtype
    np.testing.assert_allclose(D.get(), B.sq_euclidean_distances(X[:500], C), rtol=tol, atol=tol)

    d, i = B.kneighbors(gX, gX, 5, exclude_self=True)
    rd, ri = B.kneighbors(X, X, 5, exclude_self=True)
    assert isinstance(i, cp.ndarray)
    np.testing.assert_array_equal(i.get(), ri)
    np.testing.assert_allclose(d.get(), rd, rtol=tol)

    labels, dist, sums, counts = B.lloyd_step(gX, gC)
    r_labels, r_dist, r_sums, r_counts = B.lloyd_step(X, C)
    np.testing.assert_array_equal(labels.get(), r_labels)
    np.testing.assert_allclose(sums.get(), r_sums, rtol=tol, atol=1e-3)
    np.testing.assert_allclose(counts.get(), r_counts)

    _, idx = B.kmeans_plusplus(gX, 5, random_state=0)
    _, r_idx = B.kmeans_plusplus(X, 5, random_state=0)
    np.testing.assert_array_equal(idx, r_idx)

    A = rng.standard_normal((100, 4)).astype(dtype)
    lse, resp = B.logsumexp(cp.asarray(A), responsibilities=True)
    r_lse, r_resp = B.logsumexp(A, responsibilities=True)
    np.testing.assert_allclose(lse.get(), r_lse, rtol=tol)
    np.testing.assert_allclose(resp.get(), r_resp, rtol=tol, atol=tol)

    covs = np.stack([np.eye(20) * (k + 1) for k in range(3)]).astype(dtype)
    lp = B.gaussian_log_density(gX, gC[:3], cp.asarray(covs))
    np.testing.assert_allclose(lp.get(), B.gaussian_log_density(X, C[:3], covs), rtol=tol)


def test_nearest_neighbors_estimator_on_gpu(cp):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2000, 8)).astype(np.float32)
    nn_gpu = NearestNeighbors(n_neighbors=3).fit(cp.asarray(X))
    nn_cpu = NearestNeighbors(n_neighbors=3).fit(X)
    d, i = nn_gpu.kneighbors(cp.asarray(X[:100]))
    assert isinstance(d, cp.ndarray)
    np.testing.assert_array_equal(i.get(), nn_cpu.kneighbors(X[:100])[1])
    G = nn_gpu.kneighbors_graph()
    np.testing.assert_allclose(G.get().toarray(), nn_cpu.kneighbors_graph().toarray())
    with pytest.raises(ValueError, match="NaN"):
        NearestNeighbors().fit(cp.asarray([[np.nan, 1.0], [1.0, 1.0]]))


def test_backend_cupy_moves_numpy_input_and_back(cp):
    X = np.random.default_rng(2).standard_normal((500, 6))
    with config_context(backend="cupy"):
        d, i = B.kneighbors(X, X, 4, exclude_self=True)
    assert isinstance(i, np.ndarray)
    np.testing.assert_array_equal(i, B.kneighbors(X, X, 4, exclude_self=True)[1])
