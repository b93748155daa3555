"""The shared kernels against SciPy / scikit-learn references, on both CPU backends."""

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial.distance import cdist
from scipy.special import logsumexp as scipy_logsumexp
from scipy.stats import multivariate_normal
from sklearn.neighbors import NearestNeighbors as SkNN

from skcluster import _backend as B
from skcluster import config_context


def _frozen(a):
    a = np.array(a)
    a.setflags(write=False)
    return a


# ----------------------------------------------------------------- distances


@pytest.mark.parametrize("d", [1, 2, 3, 5, 33])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sq_euclidean_matches_cdist(backend, rng, d, dtype):
    X = rng.standard_normal((70, d)).astype(dtype)
    Y = (rng.standard_normal((130, d)) * 3 + 10).astype(dtype)  # offset: cancellation test
    D = B.sq_euclidean_distances(X, Y)
    assert D.dtype == dtype and D.shape == (70, 130)
    ref = cdist(X.astype(np.float64), Y.astype(np.float64), "sqeuclidean")
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(D, ref, rtol=tol, atol=tol * ref.max())
    assert (D >= 0).all()


def test_sq_euclidean_self_is_zero_and_symmetric(backend, rng):
    X = rng.standard_normal((40, 8))
    D = B.sq_euclidean_distances(X)
    np.testing.assert_allclose(np.diag(D), 0, atol=1e-12)
    np.testing.assert_allclose(D, D.T, atol=1e-12)


def test_sq_euclidean_out_and_layouts_unchanged(backend, rng):
    X = np.asfortranarray(rng.standard_normal((50, 6)))
    Y = _frozen(rng.standard_normal((20, 6)))
    X_before, Y_before = X.copy(), Y.copy()
    out = np.empty((50, 20))
    res = B.sq_euclidean_distances(X, Y, out=out)
    assert res is out
    np.testing.assert_allclose(out, cdist(X, Y, "sqeuclidean"), atol=1e-10)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(Y, Y_before)
    with pytest.raises(ValueError, match="out must have shape"):
        B.sq_euclidean_distances(X, Y, out=np.empty((50, 19)))


def test_small_working_memory_gives_same_result(backend, rng):
    X = rng.standard_normal((300, 9))
    D1 = B.sq_euclidean_distances(X, X[:200])
    d1, i1 = B.kneighbors(X, X, 4, exclude_self=True)
    with config_context(working_memory=0.05):
        D2 = B.sq_euclidean_distances(X, X[:200])
        d2, i2 = B.kneighbors(X, X, 4, exclude_self=True)
    np.testing.assert_allclose(D1, D2, atol=1e-12)
    np.testing.assert_array_equal(i1, i2)
    np.testing.assert_array_equal(d1, d2)


# ----------------------------------------------------------------- neighbours


@pytest.mark.parametrize("d", [1, 2, 7, 32])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kneighbors_matches_sklearn(backend, rng, d, dtype):
    X = rng.standard_normal((600, d)).astype(dtype)
    Q = rng.standard_normal((90, d)).astype(dtype)
    dist, ind = B.kneighbors(Q, X, 6)
    ref_d, ref_i = (
        SkNN(n_neighbors=6, algorithm="brute")
        .fit(X.astype(np.float64))
        .kneighbors(Q.astype(np.float64))
    )
    assert dist.dtype == dtype and ind.shape == (90, 6)
    np.testing.assert_array_equal(ind, ref_i)
    np.testing.assert_allclose(np.sqrt(dist), ref_d, rtol=1e-5 if dtype == np.float32 else 1e-7)
    # the distances returned are exact (sklearn's own use the GEMM trick)
    exact = np.take_along_axis(cdist(Q, X, "sqeuclidean"), ind, axis=1)
    np.testing.assert_allclose(dist, exact, rtol=1e-6 if dtype == np.float32 else 1e-14)


def test_kneighbors_exclude_self_matches_sklearn(backend, rng):
    X = rng.standard_normal((700, 12))  # more rows than one 512-row block
    _, ind = B.kneighbors(X, X, 5, exclude_self=True)
    _, ref = SkNN(n_neighbors=5).fit(X).kneighbors()
    np.testing.assert_array_equal(ind, ref)
    assert not (ind == np.arange(700)[:, None]).any()


def test_kneighbors_every_other_point_past_a_padded_block(backend, rng):
    # 700 columns: the second 512-column block is padded; asking for all 699 others must
    # return each exactly once, never a padding column or the point itself
    X = rng.standard_normal((700, 3))
    dist, ind = B.kneighbors(X, X, 699, exclude_self=True)
    everyone = np.arange(700)
    for i in (0, 511, 512, 699):
        np.testing.assert_array_equal(np.sort(ind[i]), np.delete(everyone, i))
    assert np.all(np.diff(dist, axis=1) >= 0)


def test_kneighbors_duplicates_and_ties(backend):
    # every point appears three times: the two copies come first, at distance exactly 0,
    # in index order; ties are broken towards the lower index
    base = np.array([[0.0, 0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0, 1.0], [3.0, 0, 0, 0, 0]])
    X = np.vstack([base, base, base])
    dist, ind = B.kneighbors(X, X, 3, exclude_self=True)
    assert dist.dtype == np.float64
    np.testing.assert_array_equal(dist[:, :2], 0.0)
    np.testing.assert_array_equal(ind[0], [3, 6, 1])
    np.testing.assert_array_equal(ind[4], [1, 7, 0])


def test_kneighbors_single_point_and_k_equals_n(backend):
    X = np.array([[1.5, -2.0]])
    dist, ind = B.kneighbors(X, X, 1)
    assert ind.tolist() == [[0]] and dist.tolist() == [[0.0]]
    Y = np.array([[0.0], [2.0], [1.0]])
    dist, ind = B.kneighbors(np.array([[0.9]]), Y, 3)
    np.testing.assert_array_equal(ind, [[2, 0, 1]])
    np.testing.assert_allclose(dist, [[0.01, 0.81, 1.21]])


def test_kneighbors_same_result_whatever_the_thread_count(rng):
    X = rng.standard_normal((2000, 16)).astype(np.float32)
    previous = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        d1, i1 = B.kneighbors(X, X, 4, exclude_self=True)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        d2, i2 = B.kneighbors(X, X, 4, exclude_self=True)
    finally:
        numba.set_num_threads(previous)
    np.testing.assert_array_equal(i1, i2)
    np.testing.assert_array_equal(d1, d2)


@settings(max_examples=25, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(2, 40), st.integers(1, 6)),
        elements=st.integers(-3, 3).map(float),
    ),
    st.integers(1, 3),
)
def test_kneighbors_property_sorted_and_exact(X, k):
    # integer grid data: many exact ties; the distances must still be the true k smallest
    k = min(k, len(X) - 1)
    dist, ind = B.kneighbors(X, X, k, exclude_self=True)
    full = cdist(X, X, "sqeuclidean")
    np.fill_diagonal(full, np.inf)
    np.testing.assert_array_equal(dist, np.sort(full, axis=1)[:, :k])
    np.testing.assert_array_equal(dist, np.take_along_axis(full, ind, axis=1))
    assert (np.diff(dist, axis=1) >= 0).all()


# ----------------------------------------------------------------- k-means pieces


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


# ----------------------------------------------------------------- mixture E-step


def test_logsumexp_and_responsibilities(backend, rng):
    A = rng.standard_normal((30, 4)) * 50
    A[3] = -np.inf
    A[4, 1] = -np.inf
    lse, resp = B.logsumexp(A, responsibilities=True)
    with np.errstate(all="ignore"):
        ref = scipy_logsumexp(A, axis=1)
    np.testing.assert_allclose(lse, ref, rtol=1e-12)
    ok = np.isfinite(lse)
    np.testing.assert_allclose(resp[ok].sum(axis=1), 1.0)
    assert resp[4, 1] == 0.0 and np.isnan(resp[3]).all()
    lse32 = B.logsumexp(A.astype(np.float32))
    assert lse32.dtype == np.float32
    with pytest.raises(ValueError, match="NaN"):
        B.logsumexp(np.array([[np.nan, 0.0]]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gaussian_log_density_full_and_diag(backend, rng, dtype):
    d = 4
    X = (rng.standard_normal((200, d)) + 3).astype(dtype)
    means = rng.standard_normal((3, d))
    A = rng.standard_normal((3, d, d))
    covs = A @ A.transpose(0, 2, 1) + np.eye(d)
    lp = B.gaussian_log_density(X, means, covs, "full")
    assert lp.dtype == dtype and lp.shape == (200, 3)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    for k in range(3):
        ref = multivariate_normal(means[k], covs[k]).logpdf(X.astype(np.float64))
        np.testing.assert_allclose(lp[:, k], ref, rtol=tol)
    var = rng.uniform(0.5, 2, (3, d))
    lp = B.gaussian_log_density(X, means, var, "diag")
    for k in range(3):
        ref = multivariate_normal(means[k], np.diag(var[k])).logpdf(X.astype(np.float64))
        np.testing.assert_allclose(lp[:, k], ref, rtol=tol)


def test_gaussian_log_density_rejects_bad_covariances(backend, rng):
    X = rng.standard_normal((10, 2))
    means = np.zeros((1, 2))
    with pytest.raises(ValueError, match="not positive definite"):
        B.gaussian_log_density(X, means, np.array([[[1.0, 2.0], [2.0, 1.0]]]))
    with pytest.raises(ValueError, match="covariances must have shape"):
        B.gaussian_log_density(X, means, np.eye(2))
    with pytest.raises(ValueError, match="strictly positive"):
        B.gaussian_log_density(X, means, np.array([[1.0, 0.0]]), "diag")
    with pytest.raises(ValueError, match="covariance_type"):
        B.gaussian_log_density(X, means, np.eye(2)[None], "tied")


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.array([[np.nan, 1.0], [0.0, 1.0]]), "NaN or infinity"),
        (np.array([[np.inf, 1.0], [0.0, 1.0]]), "NaN or infinity"),
        (np.zeros((2, 2, 2)), "2-D array"),
        (np.zeros((0, 2)), "empty"),
        (np.zeros((3, 0)), "empty"),
        (np.array([["a", "b"]]), "numeric"),
    ],
)
def test_bad_input_is_a_clear_value_error(backend, bad, match):
    good = np.ones((3, 2))
    with pytest.raises(ValueError, match=match):
        B.sq_euclidean_distances(bad, good if bad.ndim != 2 or bad.shape[1] == 2 else None)
    with pytest.raises(ValueError, match=match):
        B.kneighbors(good, bad, 1)


def test_kneighbors_k_too_large_and_feature_mismatch(backend):
    X = np.ones((4, 2))
    with pytest.raises(ValueError, match="larger than the 4 sample"):
        B.kneighbors(X, X, 5)
    with pytest.raises(ValueError, match="larger than the 3 sample"):
        B.kneighbors(X, X, 4, exclude_self=True)
    with pytest.raises(ValueError, match="n_neighbors must be a positive integer"):
        B.kneighbors(X, X, 0)
    with pytest.raises(ValueError, match="X has 3 features but Y has 2"):
        B.kneighbors(np.ones((2, 3)), X, 1)


def test_cpu_backends_reject_cupy_like_input():
    class FakeCupyArray:  # only its module name matters to the dispatcher
        __module__ = "cupy._core.core"

    with config_context(backend="numba"), pytest.raises(TypeError, match="CPU"):
        B.get_backend_name(FakeCupyArray())


def test_array_module_and_compute_device_keep_numpy_on_the_host():
    X = np.ones((3, 2))
    assert B.array_module(X) is np
    assert B.to_compute_device(X) is X  # backend "auto": NumPy input is not copied anywhere
    with config_context(backend="numpy"):
        assert B.to_compute_device(X) is X
    assert B.device_free_memory(False) > 0


def test_float64_search_is_exact_where_float32_cannot_rank(backend, rng):
    # two tight clusters far apart: float32 cannot tell their points apart (spacing 1e-3 at
    # 1e5), so the float32 candidates are uncertified and the float64 search must take over
    X = np.vstack(
        [1e5 + 1e-3 * rng.standard_normal((300, 8)), -1e5 + 1e-3 * rng.standard_normal((300, 8))]
    )
    dist, ind = B.kneighbors(X, X, 4, exclude_self=True)
    full = cdist(X, X, "sqeuclidean")
    np.fill_diagonal(full, np.inf)
    np.testing.assert_array_equal(ind, np.argsort(full, axis=1, kind="stable")[:, :4])
    np.testing.assert_allclose(dist, np.sort(full, axis=1)[:, :4], rtol=1e-9)


def test_float64_search_matches_float64_brute_force(rng):
    X = rng.standard_normal((3000, 24))
    Q = rng.standard_normal((700, 24))
    dist, ind = B.kneighbors(Q, X, 7)
    full = cdist(Q, X, "sqeuclidean")
    np.testing.assert_array_equal(ind, np.argsort(full, axis=1, kind="stable")[:, :7])
    np.testing.assert_allclose(dist, np.sort(full, axis=1)[:, :7], rtol=1e-12)


def test_kneighbors_categorical_matches_full_table_distances(backend, rng):
    C = rng.integers(0, 4, (300, 3))
    Q = rng.integers(0, 4, (40, 3))
    tables = []
    for _ in range(3):
        t = rng.uniform(size=(4, 4))
        t = t + t.T
        np.fill_diagonal(t, 0)
        tables.append(t)
    full = sum(t[Q[:, f][:, None], C[:, f][None, :]] for f, t in enumerate(tables))
    d, i = B.kneighbors_categorical(Q, C, tables, 7)
    np.testing.assert_array_equal(i, np.argsort(full, axis=1, kind="stable")[:, :7])
    np.testing.assert_allclose(d, np.sort(full, axis=1)[:, :7], atol=1e-12)
    with pytest.raises(ValueError, match=r"must lie in \[0, 4\)"):
        B.kneighbors_categorical(Q + 4, C, tables, 2)
    with pytest.raises(ValueError, match="must be square"):
        B.kneighbors_categorical(Q, C, [np.zeros((4, 3))] * 3, 2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_interpolate_matches_numpy_bit_for_bit(backend, rng, dtype):
    X = rng.standard_normal((50, 7)).astype(dtype)
    p0, p1 = rng.integers(0, 50, 300), rng.integers(0, 50, 300)
    steps = rng.uniform(size=300)
    out = B.interpolate(X, p0, p1, steps)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, (X[p0] + steps[:, None] * (X[p1] - X[p0])).astype(dtype))
    per_feature = rng.uniform(size=(300, 7))
    np.testing.assert_array_equal(
        B.interpolate(X, p0, p1, per_feature),
        (X[p0] + per_feature * (X[p1] - X[p0])).astype(dtype),
    )
    with pytest.raises(ValueError, match="same number of new rows"):
        B.interpolate(X, p0, p1[:5], steps)
    with pytest.raises(ValueError, match="1 or 7 columns"):
        B.interpolate(X, p0, p1, np.ones((300, 3)))


def test_kmeans_one_run_converges_to_scikit_learns_solution():
    from sklearn.cluster import KMeans
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(2000, centers=5, random_state=0)
    centers, labels, inertia = B.kmeans(X, 5, random_state=0)
    ref = KMeans(5, n_init=10, random_state=0).fit(X)
    assert inertia == pytest.approx(ref.inertia_, rel=1e-3)  # both stop at tol=1e-4
    assert labels.shape == (2000,) and centers.shape == (5, 2)
    np.testing.assert_allclose(inertia, ((X - centers[labels]) ** 2).sum())


def test_gpu_top_k_by_repeated_argmin_matches_the_partition_path(rng):
    # the GPU branch of _smallest_k (k passes of argmin) run on NumPy through a stand-in module
    import types

    from skcluster._backend import _cupy_kernels as ck

    fake = types.ModuleType("fake_xp")
    fake.__dict__.update(np.__dict__)
    for m, k in [(40, 1), (40, 3), (40, 7), (40, 40), (1, 1), (2, 2), (37, 5), (101, 9)]:
        D = rng.integers(0, 5, size=(200, m)).astype(float)  # many ties at every rank
        ind, val = ck._smallest_k(np, D.copy(), k)
        ind_g, val_g = ck._smallest_k(fake, D.copy(), k)
        np.testing.assert_array_equal(ind_g, ind)
        np.testing.assert_array_equal(val_g, val)
        np.testing.assert_array_equal(val, np.take_along_axis(D, ind, axis=1))
        ref = np.sort(np.argsort(D, axis=1, kind="stable")[:, :k], axis=1)
        np.testing.assert_array_equal(ind, ref)


# ------------------------------------------ properties: random shapes, dtypes and scales

_shapes = st.tuples(st.integers(2, 30), st.integers(1, 5))
_dtypes = st.sampled_from([np.float32, np.float64])


def _data(draw, shape, dtype):
    # values of magnitude 2^-8 .. 2^8 with exact float32 representations
    ints = draw(arrays(np.int32, shape, elements=st.integers(-(2**12), 2**12)))
    return (ints.astype(np.float64) / 2**4).astype(dtype)


@st.composite
def _scaled_pair(draw):
    """Data and a power of two that keeps it finite and normal in its dtype."""
    dtype = draw(_dtypes)
    X = _data(draw, draw(_shapes), dtype)
    limit = 100 if dtype == np.float32 else 1000
    return X, draw(st.integers(-limit, limit))


@settings(max_examples=40, deadline=None)
@given(_scaled_pair(), st.integers(1, 4))
def test_kneighbors_property_scale(pair, k):
    # an exact (power-of-two) scaling gives the same neighbours and scaled distances, also
    # where the squares overflow or underflow the dtype (1e300, 1e-300; 1e19 in float32)
    X, e = pair
    k = min(k, len(X) - 1)
    dist, ind = B.kneighbors(X, X, k, exclude_self=True, squared=False)
    Xs = np.ldexp(X, e).astype(X.dtype)
    dist_s, ind_s = B.kneighbors(Xs, Xs, k, exclude_self=True, squared=False)
    np.testing.assert_array_equal(ind_s, ind)
    assert np.isfinite(dist_s).all()
    np.testing.assert_allclose(dist_s, np.ldexp(dist.astype(np.float64), e), rtol=1e-5)
    # and the unscaled distances are the true ones
    full = np.sqrt(cdist(X.astype(np.float64), X.astype(np.float64), "sqeuclidean"))
    np.fill_diagonal(full, np.inf)
    np.testing.assert_allclose(dist, np.sort(full, axis=1)[:, :k], rtol=1e-5, atol=1e-6)


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


@settings(max_examples=40, deadline=None)
@given(_scaled_pair(), st.integers(1, 20), st.integers(0, 2**31 - 1))
def test_interpolate_property(pair, n_new, seed):
    # bit for bit NumPy's expression, at any scale
    X, e = pair
    X = np.ldexp(X, e).astype(X.dtype)
    rng = np.random.default_rng(seed)
    p0, p1 = rng.integers(0, len(X), n_new), rng.integers(0, len(X), n_new)
    steps = rng.random(n_new)
    with np.errstate(over="ignore", invalid="ignore"):
        ref = (X[p0] + steps[:, None] * (X[p1] - X[p0])).astype(X.dtype)
    np.testing.assert_array_equal(B.interpolate(X, p0, p1, steps), ref)


@settings(max_examples=30, deadline=None)
@given(
    arrays(
        np.float64, st.tuples(st.integers(5, 40), st.integers(1, 3)), elements=st.floats(-5, 5)
    ),
    st.integers(1, 3),
    st.integers(0, 2**31 - 1),
)
def test_em_stats_property(X, K, seed):
    # the fused E-step sums against the (n, K) responsibilities computed with SciPy
    rng = np.random.default_rng(seed)
    d = X.shape[1]
    means = rng.standard_normal((K, d))
    A = rng.standard_normal((K, d, d))
    covs = A @ A.transpose(0, 2, 1) + np.eye(d)
    weights = rng.random(K) + 0.1
    weights /= weights.sum()
    log_p = np.column_stack(
        [np.log(weights[k]) + multivariate_normal(means[k], covs[k]).logpdf(X) for k in range(K)]
    ).reshape(len(X), K)
    ll = scipy_logsumexp(log_p, axis=1)
    resp = np.exp(log_p - ll[:, None])
    got_ll, nk, s1, s2 = B.gaussian_em_stats(X, weights, means, covs)
    assert got_ll == pytest.approx(ll.sum(), rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(nk, resp.sum(axis=0), rtol=1e-9, atol=1e-12)
    centred = X[:, None, :] - means[None]
    np.testing.assert_allclose(s1, np.einsum("nk,nkd->kd", resp, centred), rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(
        s2, np.einsum("nk,nkd,nke->kde", resp, centred, centred), rtol=1e-8, atol=1e-9
    )


@settings(max_examples=40, deadline=None)
@given(_scaled_pair())
def test_centre_and_scale_property(pair):
    # unit overall scale, means removed, and the same result for every exact rescaling
    from skcluster.utils.validation import centre_and_scale

    X, e = pair
    X = X.astype(np.float64)
    Xs, offset, scale = centre_and_scale(X)
    if np.ptp(X, axis=0).max() > 0:
        assert np.mean(Xs * Xs) == pytest.approx(1.0, rel=1e-9)
    np.testing.assert_allclose(Xs * scale + offset, X, rtol=1e-9, atol=1e-9 * np.abs(X).max())
    Y, off_y, scale_y = centre_and_scale(np.ldexp(X, e))
    np.testing.assert_allclose(Y, Xs, rtol=1e-12, atol=1e-12)
    if np.abs(X).max() > 0:  # (all zeros: scale 1 whatever e)
        assert scale_y == pytest.approx(np.ldexp(scale, e), rel=1e-12)
