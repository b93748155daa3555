"""Distances, exact top-k neighbours (dense, sparse, categorical) and interpolation against
SciPy / scikit-learn references, on both CPU backends."""

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial.distance import cdist
from sklearn.neighbors import NearestNeighbors as SkNN

from skcluster import _backend as B
from skcluster import config_context

from ._helpers import _frozen, _scaled_pair


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


def test_gpu_top_k_by_repeated_argmin_matches_the_partition_path(rng):
    # the GPU branch of _smallest_k (k passes of argmin) run on NumPy through a stand-in module
    import types

    from skcluster._backend import _xp_kernels as ck

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
