"""Log-sum-exp, Gaussian log-densities and the fused EM pass against SciPy, on both CPU
backends."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import logsumexp as scipy_logsumexp
from scipy.stats import multivariate_normal

from skcluster import _backend as B
from skcluster import config_context


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


def test_row_kernels_small_and_large_inputs_agree_and_cache_apart(rng):
    """Small inputs run the serial twin of a row-parallel kernel, large ones the threaded
    one: the same rows either way, and each twin under its own Numba cache entry (keyed by
    name, not by compile flags: one name would load whichever was cached first)."""
    from skcluster._backend import _numba_gaussian as ng

    A = rng.standard_normal((6000, 4)) * 20  # 24,000 entries: threads
    lse, resp = B.logsumexp(A, responsibilities=True)
    np.testing.assert_allclose(lse, scipy_logsumexp(A, axis=1), rtol=1e-12)
    small_lse, small_resp = B.logsumexp(A[:100], responsibilities=True)  # serial
    np.testing.assert_array_equal(small_lse, lse[:100])
    np.testing.assert_array_equal(small_resp, resp[:100])
    X, means, var = rng.standard_normal((6000, 3)), rng.standard_normal((4, 3)), np.ones((4, 3))
    big = B.gaussian_log_density(X, means, var, covariance_type="diag")
    np.testing.assert_array_equal(
        B.gaussian_log_density(X[:50], means, var, covariance_type="diag"), big[:50]
    )
    for threads, serial in [
        (ng._logsumexp_threads, ng._logsumexp_serial),
        (ng._log_density_diag_threads, ng._log_density_diag_serial),
    ]:
        assert threads._cache._cache_file._index_name != serial._cache._cache_file._index_name
        assert threads.targetoptions.get("parallel") and not serial.targetoptions.get("parallel")


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


# the scalar loops, the general products, the triangular and symmetric ones over two blocks
@pytest.mark.parametrize("d, n", [(31, 300), (40, 300), (70, 1000)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_em_stats_in_many_dimensions_matches_scipy(rng, d, n, dtype):
    K = 3
    X = rng.standard_normal((n, d))
    w = rng.uniform(0.5, 2.0, n)
    means = 0.5 * rng.standard_normal((K, d))
    A = 0.2 * rng.standard_normal((K, d, d))
    covs = A @ A.transpose(0, 2, 1) + np.eye(d)
    weights = np.array([0.2, 0.3, 0.5])
    log_p = np.column_stack(
        [np.log(weights[k]) + multivariate_normal(means[k], covs[k]).logpdf(X) for k in range(K)]
    )
    ll = scipy_logsumexp(log_p, axis=1)
    resp = np.exp(log_p - ll[:, None]) * w[:, None]
    got_ll, nk, s1, s2 = B.gaussian_em_stats(
        X.astype(dtype), weights, means.astype(dtype), covs.astype(dtype), sample_weight=w
    )
    rtol = 1e-9 if dtype == np.float64 else 1e-4
    assert got_ll == pytest.approx(w @ ll, rel=rtol)
    np.testing.assert_allclose(nk, resp.sum(axis=0), rtol=rtol)
    centred = X[:, None, :] - means[None]
    scale = np.abs(np.einsum("nk,nkd,nke->kde", resp, centred, centred)).max()
    np.testing.assert_allclose(
        s1, np.einsum("nk,nkd->kd", resp, centred), rtol=rtol, atol=rtol * scale
    )
    np.testing.assert_allclose(
        s2, np.einsum("nk,nkd,nke->kde", resp, centred, centred), rtol=rtol, atol=rtol * scale
    )


def test_em_stats_of_separated_groups_match_the_dense_sums(rng):
    """Groups 40 sd apart in 70 features: each component's scatter leaves out the other
    group's rows (responsibilities below 1e-20 of its largest); the sums stay those of
    every row."""
    n, d, K = 1000, 70, 2
    X = rng.standard_normal((n, d))
    X[n // 2 :, 0] += 40.0
    means = np.array([X[: n // 2].mean(axis=0), X[n // 2 :].mean(axis=0)])
    covs = np.stack([np.cov(X[: n // 2].T), np.cov(X[n // 2 :].T)]) + 0.1 * np.eye(d)
    weights = np.array([0.5, 0.5])
    log_p = np.column_stack(
        [np.log(weights[k]) + multivariate_normal(means[k], covs[k]).logpdf(X) for k in range(K)]
    )
    resp = np.exp(log_p - scipy_logsumexp(log_p, axis=1)[:, None])
    assert resp[: n // 2, 1].max() < 1e-100  # the case the skipping is for
    _, nk, s1, s2 = B.gaussian_em_stats(X, weights, means, covs)
    centred = X[:, None, :] - means[None]
    np.testing.assert_allclose(nk, resp.sum(axis=0), rtol=1e-12)
    want_s2 = np.einsum("nk,nkd,nke->kde", resp, centred, centred)
    np.testing.assert_allclose(s2, want_s2, rtol=1e-9, atol=1e-9 * np.abs(want_s2).max())
    want_s1 = np.einsum("nk,nkd->kd", resp, centred)
    np.testing.assert_allclose(s1, want_s1, atol=1e-9 * np.abs(want_s2).max())


@pytest.mark.parametrize("backend", ["numba", "numpy"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_em_stats_of_diagonal_covariances_are_the_full_ones_diagonal(rng, backend, dtype):
    """``covariance_type="diag"`` (variances in, the scatter's diagonal out) against the
    full pass on the same diagonal matrices, on both CPU targets."""
    n, d, K = 700, 5, 3
    X = (rng.standard_normal((n, d)) * [1, 2, 3, 0.5, 1]).astype(dtype)
    w = rng.uniform(0.5, 2.0, n)
    means = rng.standard_normal((K, d)).astype(dtype)
    variances = rng.uniform(0.5, 3.0, (K, d))
    weights = np.array([0.2, 0.3, 0.5])
    with config_context(backend=backend):
        full = B.gaussian_em_stats(
            X, weights, means, (variances[:, :, None] * np.eye(d)).astype(dtype), sample_weight=w
        )
        diag = B.gaussian_em_stats(
            X, weights, means, variances.astype(dtype), covariance_type="diag", sample_weight=w
        )
    rtol = 1e-10 if dtype == np.float64 else 1e-4
    assert diag[0] == pytest.approx(full[0], rel=rtol)
    for got, want in [(diag[1], full[1]), (diag[2], full[2])]:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * np.abs(want).max())
    np.testing.assert_allclose(diag[3], np.einsum("kii->ki", full[3]), rtol=rtol)
    with pytest.raises(ValueError, match="shapes"):
        B.gaussian_em_stats(X, weights, means, variances[:, :2], covariance_type="diag")
    with pytest.raises(ValueError, match="covariance_type"):
        B.gaussian_em_stats(X, weights, means, variances, covariance_type="spherical")


@pytest.mark.parametrize("form", ["full", "diag", "spherical"])
def test_em_fit_in_one_call_is_the_loop_over_em_stats(rng, form):
    """gaussian_em_fit (the whole EM loop in one Numba call) against EM looped in Python
    over the array-namespace kernels: the same mixture, iterations and posteriors."""
    from skcluster.cluster._mixture import Atoms, Mixture, fit_em

    X = np.concatenate([rng.normal(0, 1, (120, 3)), rng.normal(2, 0.5, (80, 3))])
    w = rng.uniform(0.5, 2.0, len(X))
    resp = rng.dirichlet(np.ones(3), len(X))
    reg = np.array([1e-6, 1e-3, 1e-2])  # one value per feature, as PPP's rounding variance
    kw = dict(reg_covar=reg, tol=1e-10, max_iter=30, covariance_type=form)
    one = fit_em(Atoms(w, X), resp.copy(), **kw)
    with config_context(backend="numpy"):
        loop = fit_em(Atoms(w, X), resp.copy(), **kw)
    for a, b in zip(
        (one[0].weights, one[0].means, one[0].covariances),
        (loop[0].weights, loop[0].means, loop[0].covariances),
        strict=True,
    ):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(one[1], loop[1], rtol=1e-6, atol=1e-10)
    assert one[2] == pytest.approx(loop[2], rel=1e-10)
    assert one[3] == loop[3]
    # from a mixture instead of responsibilities: the first M-step from its posteriors
    start = Mixture(np.array([0.3, 0.7]), X[[0, -1]], np.stack([np.eye(3), 0.5 * np.eye(3)]))
    kw["max_iter"] = 5
    one = fit_em(Atoms(w, X), None, init=start, **kw)
    with config_context(backend="numpy"):
        loop = fit_em(Atoms(w, X), None, init=start, **kw)
    np.testing.assert_allclose(one[0].covariances, loop[0].covariances, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(one[0].means, loop[0].means, rtol=1e-7, atol=1e-10)
    assert one[2] == pytest.approx(loop[2], rel=1e-10)


@pytest.mark.parametrize("form", ["full", "diag", "spherical"])
def test_splits_in_one_call_are_their_five_calls(rng, form):
    """gaussian_splits against the pieces called one by one for each group: the rows'
    moments, the side of the principal direction, two_means, then gaussian_em_fit from the
    two sides; a group with a side lighter than min_weight gets no fit."""
    n, d = 400, 3
    X = rng.normal(size=(n, d)) @ np.diag([1.0, 0.5, 0.2])
    X[: n // 3] += [3.0, 1.0, 0.0]
    X[300:] = rng.normal(size=(100, d)) * 0.3  # a third group: one Gaussian
    X[300:310] += 40.0  # ten far rows, a side too light for min_weight
    w = rng.uniform(0.5, 2.0, n)
    reg = np.array([1e-3, 2e-3, 1e-6])
    bounds = [0, 150, 300, 400]
    kw = dict(covariance_type=form, tol=1e-6, max_iter=100)
    splits = B.gaussian_splits(X, bounds, reg, min_weight=20.0, sample_weight=w, **kw)
    for g in range(3):
        rows = slice(bounds[g], bounds[g + 1])
        Xg, wg = X[rows], w[rows]
        want_mean = wg @ Xg / wg.sum()
        centred = Xg - want_mean
        want_cov = (centred.T * wg) @ centred / wg.sum()
        np.testing.assert_allclose(splits.mean[g], want_mean, rtol=1e-12)
        np.testing.assert_allclose(splits.covariance[g], want_cov, rtol=1e-10)
        # the one Gaussian's log-likelihood: the mean of its log-densities over the rows
        var = np.diag(want_cov) + reg
        sigma = {
            "full": want_cov + np.diag(reg),
            "diag": np.diag(var),
            "spherical": var.mean() * np.eye(d),
        }[form]
        logpdf = multivariate_normal(want_mean, sigma).logpdf(Xg)
        assert splits.one_log_likelihood[g] == pytest.approx(wg @ logpdf / wg.sum(), rel=1e-12)
        assert B.gaussian_moments_loglik(want_cov, reg, form) == pytest.approx(
            splits.one_log_likelihood[g], rel=1e-12
        )
        direction = np.linalg.eigh(want_cov)[1][:, -1]
        start = centred @ direction > 0
        want_side = B.two_means(Xg, start, sample_weight=wg, max_iter=100)
        side = splits.side[rows]
        if side[0] != want_side[0]:  # an eigenvector's sign is LAPACK's choice
            want_side = B.two_means(Xg, ~start, sample_weight=wg, max_iter=100)
        np.testing.assert_array_equal(side, want_side)
        light = min(wg[side].sum(), wg[~side].sum()) < 20.0
        assert splits.fitted[g] == (not light) and light == (g == 2)
        if light:  # no mixture: NaN, not memory left as it was
            assert np.isnan(splits.means[g]).all() and np.isnan(splits.resp[rows]).all()
            assert np.isnan(splits.log_likelihood[g]) and splits.n_iter[g] == 0
            continue
        halves = np.column_stack([~side, side]).astype(float)
        want = B.gaussian_em_fit(Xg, halves, reg, sample_weight=wg, **kw)
        got = (
            splits.weights[g],
            splits.means[g],
            splits.covariances[g],
            splits.resp[rows],
            splits.log_likelihood[g],
            splits.n_iter[g],
            splits.converged[g],
        )
        for a, b in zip(got, want, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_moments_loglik_rejects_bad_input():
    with pytest.raises(ValueError, match="covariance_type"):
        B.gaussian_moments_loglik(np.eye(2), 0.0, "tied")
    with pytest.raises(ValueError, match="square"):
        B.gaussian_moments_loglik(np.ones((2, 3)), 0.0)


def test_splits_reject_bad_input(rng):
    X = rng.normal(size=(50, 2))
    kw = dict(tol=1e-3, max_iter=10)
    for bounds in ([0, 1, 50], [0, 20], [1, 50], [0, 30, 20, 50], [[0, 50]], [0], [0, 2.7, 50]):
        with pytest.raises(ValueError, match="bounds must be integers increasing from 0 to 50"):
            B.gaussian_splits(X, bounds, 1e-6, **kw)
    with pytest.raises(ValueError, match="covariance_type"):
        B.gaussian_splits(X, [0, 50], 1e-6, covariance_type="tied", **kw)
    with pytest.raises(ValueError, match="max_iter"):
        B.gaussian_splits(X, [0, 50], 1e-6, tol=1e-3, max_iter=0)
    with pytest.raises(ValueError, match="NaN"):
        B.gaussian_splits(np.full((5, 2), np.nan), [0, 5], 1e-6, **kw)
    with config_context(backend="numpy"), pytest.raises(ValueError, match="Numba backend"):
        B.gaussian_splits(X, [0, 50], 1e-6, **kw)


def test_em_fit_rejects_bad_input(rng):
    X = rng.normal(size=(50, 2))
    with pytest.raises(ValueError, match="resp must have shape"):
        B.gaussian_em_fit(X, np.ones((49, 2)), 1e-6, tol=1e-3, max_iter=10)
    with pytest.raises(ValueError, match="covariance_type"):
        B.gaussian_em_fit(
            X, np.ones((50, 2)) / 2, 1e-6, covariance_type="tied", tol=1e-3, max_iter=10
        )
    with pytest.raises(ValueError, match="init must be a mixture"):
        init = (np.ones(2) / 2, np.zeros((2, 3)), np.stack([np.eye(3)] * 2))
        B.gaussian_em_fit(X, None, 1e-6, tol=1e-3, max_iter=10, init=init)
    with config_context(backend="numpy"), pytest.raises(ValueError, match="Numba backend"):
        B.gaussian_em_fit(X, np.ones((50, 2)) / 2, 1e-6, tol=1e-3, max_iter=10)
