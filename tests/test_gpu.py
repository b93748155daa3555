"""The CuPy kernels on a real GPU against the NumPy/Numba results (skipped without a GPU).

The same kernel code also runs on NumPy in every test module via backend="numpy"; these
tests add what only a GPU shows: CuPy arrays in, CuPy arrays out, and CuPy's own functions.
"""

import sys
from pathlib import Path

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


@pytest.mark.parametrize("dual", [False, True])
def test_nlr_step_on_gpu_matches_numba(cp, dual):
    rng = np.random.default_rng(3)
    B_, n, d, r = 2, 5000, 6, 4
    Xw = rng.normal(size=(B_, n, d))
    q = np.einsum("bid,bid->bi", Xw, Xw)
    offsets = rng.uniform(0, 1, B_)
    U = np.abs(rng.normal(size=(B_, n, r))) / np.sqrt(n * r)
    y = rng.normal(size=n)
    target = np.array([1.0, 2.0])
    kw = dict(beta=0.7, step=1e-4, target=target, dual=dual)
    out, y_cpu = np.empty_like(U), y.copy()
    ref = B.nlr_step(Xw, q, offsets, U, y_cpu, out=out, **kw)
    gU, gy = cp.asarray(U), cp.asarray(y)
    gout = cp.empty_like(gU)
    args = [cp.asarray(a) for a in (Xw, q, offsets)]
    got = B.nlr_step(*args, gU, gy, out=gout, **{**kw, "target": cp.asarray(target)})
    np.testing.assert_allclose(gout.get(), out, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gy.get(), y_cpu, rtol=1e-12)
    np.testing.assert_allclose(got, ref, rtol=1e-8)
    np.testing.assert_array_equal(gU.get(), U)


def test_gaussian_em_stats_on_gpu_matches_numba(cp):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(20000, 3)) * 2 + 30
    A = rng.normal(size=(3, 3, 3))
    covs = A @ A.transpose(0, 2, 1) + np.eye(3)
    means, w = X[:3] + 0.3, np.array([0.2, 0.3, 0.5])
    ref = B.gaussian_em_stats(X, w, means, covs)
    got = B.gaussian_em_stats(cp.asarray(X), w, means, covs)
    for a, b in zip(got, ref, strict=True):
        a = a.get() if hasattr(a, "get") else a
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


def test_samplers_with_cupy_backend_match_cpu(cp):
    from skcluster.over_sampling import SMOTE, BorderlineSMOTE

    rng = np.random.default_rng(5)
    X = rng.normal(size=(3000, 10))
    y = (rng.uniform(size=3000) < 0.1).astype(int)
    X[y == 1] += 1.0
    for sampler in (SMOTE(random_state=0), BorderlineSMOTE(random_state=0)):
        Xr, yr = sampler.fit_resample(X, y)
        with config_context(backend="cupy"):
            Xg, yg = sampler.fit_resample(X, y)
        assert isinstance(Xg, np.ndarray)
        np.testing.assert_array_equal(yg, yr)
        np.testing.assert_allclose(Xg, Xr, rtol=1e-10, atol=1e-10)


def test_kmeans_and_sdp_kernels_under_cupy_backend(cp):
    from skcluster.cluster import SDPKMeans

    rng = np.random.default_rng(6)
    X = np.concatenate([rng.normal(c, 0.5, size=(300, 4)) for c in (0, 4, 8)])
    ref = SDPKMeans(3, solver="lowrank", random_state=0).fit(X)
    with config_context(backend="cupy"):
        got = SDPKMeans(3, solver="lowrank", random_state=0).fit(X)
    np.testing.assert_array_equal(got.labels_, ref.labels_)
    assert got.objective_ == pytest.approx(ref.objective_, rel=1e-6)


def test_subspace_clustering_on_gpu(cp):
    from cupyx.scipy import sparse as cpsparse
    from sklearn.metrics import adjusted_rand_score

    from skcluster.cluster import DeepSubspaceClustering, LeastSquaresSubspaceClustering
    from skcluster.datasets import make_subspaces

    X, y = make_subspaces(300, n_features=20, n_subspaces=4, subspace_dim=3, random_state=0)
    Xg = cp.asarray(X)
    X_before = Xg.copy()

    # the closed form in float64: the same C and partition on the GPU as on the CPU
    ref = LeastSquaresSubspaceClustering(4, subspace_dim=3, random_state=0).fit(X)
    got = LeastSquaresSubspaceClustering(4, subspace_dim=3, random_state=0).fit(Xg)
    assert isinstance(got.labels_, cp.ndarray)
    assert isinstance(got.self_expression_, cpsparse.csr_matrix)
    assert got.alpha_ == ref.alpha_
    np.testing.assert_allclose(
        got.self_expression_.get().toarray(), ref.self_expression_.toarray(), atol=1e-8
    )
    assert adjusted_rand_score(ref.labels_, got.labels_.get()) == 1.0  # numbering may differ

    # the deep model starts from the same weights (drawn on the host); float32 products
    # add up in another order on the GPU, so the curves agree closely, not bitwise
    deep = DeepSubspaceClustering(4, subspace_dim=3, random_state=0).fit(Xg)
    cp.testing.assert_array_equal(Xg, X_before)
    assert isinstance(deep.labels_, cp.ndarray)
    ref = DeepSubspaceClustering(4, subspace_dim=3, random_state=0).fit(X)
    # the CPU fit misplaces one or two rows here (ARI 0.991): the GPU's must be as good
    assert adjusted_rand_score(y, deep.labels_.get()) >= 0.98
    assert adjusted_rand_score(ref.labels_, deep.labels_.get()) >= 0.98
    curve, ref_curve = deep.loss_curve_["pretrain"], ref.loss_curve_["pretrain"]
    np.testing.assert_allclose(curve[:50], ref_curve[:50], rtol=1e-2)

    # NumPy in under backend="cupy": trained on the GPU, NumPy out
    with config_context(backend="cupy"):
        host = DeepSubspaceClustering(4, subspace_dim=3, random_state=0, max_epochs=30).fit(X)
    assert isinstance(host.labels_, np.ndarray)
    np.testing.assert_allclose(host.loss_curve_["pretrain"], ref_curve[:30], rtol=1e-2)

    bad = Xg.copy()
    bad[0, 0] = cp.nan
    with pytest.raises(ValueError, match="NaN"):
        DeepSubspaceClustering(4, subspace_dim=3).fit(bad)


def test_convolutional_subspace_clustering_on_gpu(cp):
    from sklearn.metrics import adjusted_rand_score

    from skcluster.cluster import DeepSubspaceClustering
    from skcluster.cluster._network import ConvNet

    # the layers: the same code on CuPy gives NumPy's outputs and gradients (float64)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 8 * 8 * 2))
    for decoder in (False, True):
        host = ConvNet((8, 8, 2), (3, 4), (3, 5), rng=np.random.RandomState(0), decoder=decoder)
        dev = ConvNet(
            (8, 8, 2), (3, 4), (3, 5), rng=np.random.RandomState(0), decoder=decoder, xp=cp
        )
        inp = X if not decoder else X[:, : int(np.prod(host.layers[0].in_shape))]
        out, cache = host.forward(inp)
        out_d, cache_d = dev.forward(cp.asarray(inp))
        np.testing.assert_allclose(out_d.get(), out, rtol=1e-10, atol=1e-12)
        G = rng.normal(size=out.shape)
        grads, g_in = host.backward(cache, G)
        grads_d, g_in_d = dev.backward(cache_d, cp.asarray(G))
        for a, b in zip(grads_d, grads, strict=True):
            np.testing.assert_allclose(a.get(), b, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(g_in_d.get(), g_in, rtol=1e-10, atol=1e-12)

    # the estimator: shifted patterns clustered the same on the GPU as on the CPU
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from cluster.test_subspace import _shifted_patterns

    X, y = _shifted_patterns(30)
    kw = dict(n_clusters=3, subspace_dim=3, image_shape=(12, 12), random_state=0)
    ref = DeepSubspaceClustering(**kw).fit(X)
    got = DeepSubspaceClustering(**kw).fit(cp.asarray(X))
    assert isinstance(got.labels_, cp.ndarray)
    assert adjusted_rand_score(ref.labels_, got.labels_.get()) == 1.0
    assert adjusted_rand_score(y, got.labels_.get()) == 1.0
