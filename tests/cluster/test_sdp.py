"""SDP k-means (Peng-Wei) and iLA-SDP: solvers, fidelity, bad input."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture

from skcluster import _backend, config_context
from skcluster.cluster import ILASDP, LikelihoodAdjustedSDP, SDPKMeans
from skcluster.cluster._sdp_solvers import lifted_costs
from skcluster.datasets import make_heterogeneous_mixture, make_rotated_mixture
from skcluster.metrics import clustering_accuracy


def blobs(n=90, std=0.5, seed=0):
    return make_blobs(n, centers=3, cluster_std=std, random_state=seed)


def partition_matrix(y):
    same = (y[:, None] == y[None, :]).astype(float)
    return same / same.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("solver", ["admm", "lowrank"])
def test_exact_recovery_of_separated_blobs(solver):
    X, y = make_blobs(90, centers=[[0, 0], [10, 0], [0, 10]], random_state=0)
    sdp = SDPKMeans(3, solver=solver, random_state=0).fit(X)
    assert sdp.converged_ and sdp.solver_ == solver
    assert adjusted_rand_score(y, sdp.labels_) == 1.0
    Z = sdp.membership_ if solver == "admm" else sdp.membership_ @ sdp.membership_.T
    np.testing.assert_allclose(Z, partition_matrix(y), atol=2e-3)
    # tight relaxation: the objective is the k-means inertia of the true partition
    inertia = KMeans(3, n_init=10, random_state=0).fit(X).inertia_
    assert sdp.objective_ == pytest.approx(inertia, rel=1e-3)


def test_feasibility():
    X, _ = blobs(std=2.0)
    Z = SDPKMeans(3, solver="admm", random_state=0).fit(X).membership_
    np.testing.assert_allclose(Z.sum(axis=1), 1.0, atol=1e-10)
    assert np.trace(Z) == pytest.approx(3.0)
    assert np.linalg.eigvalsh(Z).min() > -1e-10
    assert Z.min() > -1e-3
    U = SDPKMeans(3, solver="lowrank", random_state=0).fit(X).membership_
    assert U.min() >= 0 and (U**2).sum() == pytest.approx(3.0)
    np.testing.assert_allclose(U @ U.sum(axis=0), 1.0, atol=1e-4)


def test_objective_is_a_lower_bound_of_kmeans_and_solvers_agree():
    X, _ = blobs(std=2.0, seed=3)
    admm = SDPKMeans(3, solver="admm", random_state=0).fit(X)
    low = SDPKMeans(3, solver="lowrank", random_state=0).fit(X)
    inertia = KMeans(3, n_init=10, random_state=0).fit(X).inertia_
    assert admm.objective_ <= inertia * (1 + 1e-6)
    assert low.objective_ == pytest.approx(admm.objective_, rel=5e-3)


def test_admm_matches_cvxpy():
    cp = pytest.importorskip("cvxpy")
    X, _ = blobs(n=45, std=1.5, seed=1)
    Xc = X - X.mean(axis=0)
    Z = cp.Variable((len(X), len(X)), PSD=True)
    problem = cp.Problem(
        cp.Maximize(cp.trace(Xc @ Xc.T @ Z)), [Z >= 0, cp.sum(Z, axis=1) == 1, cp.trace(Z) == 3]
    )
    problem.solve(solver="SCS", eps=1e-7)
    reference = float((Xc**2).sum() - problem.value)
    for solver in ("admm", "lowrank"):
        ours = SDPKMeans(3, solver=solver, random_state=0).fit(X).objective_
        assert ours == pytest.approx(reference, rel=1e-3), solver


@pytest.mark.parametrize(
    "X, k, match",
    [
        (np.zeros((5, 2)), 6, "larger than n_samples"),
        (np.array([[0.0, np.nan], [1, 1], [2, 2]]), 2, "NaN"),
    ],
)
def test_bad_input(X, k, match):
    with pytest.raises(ValueError, match=match):
        SDPKMeans(k).fit(X)


@pytest.mark.parametrize("solver", ["admm", "lowrank"])
def test_one_cluster_is_the_trivial_solution(solver):
    X = np.random.default_rng(0).normal(size=(10, 2))
    sdp = SDPKMeans(1, solver=solver).fit(X)
    assert np.all(sdp.labels_ == 0)
    assert sdp.objective_ == pytest.approx(((X - X.mean(axis=0)) ** 2).sum())
    ila = LikelihoodAdjustedSDP(1, covariance_type="full").fit(X)
    np.testing.assert_allclose(ila.means_[0], X.mean(axis=0))
    np.testing.assert_allclose(ila.covariances_[0], np.cov(X.T, bias=True), atol=1e-5)
    assert np.all(ila.predict(X) == 0)


def test_predict_assigns_to_nearest_rounded_mean():
    X, y = blobs()
    sdp = SDPKMeans(3, random_state=0).fit(X)
    np.testing.assert_array_equal(sdp.predict(X), sdp.labels_)


# --------------------------------------------------------------------------------------
# the backend step of the nonnegative low-rank solver
# --------------------------------------------------------------------------------------


def _nlr_inputs(seed=0, B=2, n=300, d=3, r=2):
    rng = np.random.default_rng(seed)
    Xw = rng.normal(size=(B, n, d))
    q = np.einsum("bid,bid->bi", Xw, Xw)
    offsets = rng.uniform(0, 1, B)
    U = np.abs(rng.normal(size=(B, n, r))) / np.sqrt(n * r)
    y = rng.normal(size=n)
    return Xw, q, offsets, U, y


@pytest.mark.parametrize("dual", [False, True])
def test_nlr_step_matches_dense_gradient(dual):
    Xw, q, offsets, U, y = _nlr_inputs()
    B, n, _ = Xw.shape
    beta, step, target = 0.7, 1e-3, np.array([1.0, 2.0])
    # the same step written with the n x n costs
    e = sum(U[b] @ U[b].T @ np.ones(n) for b in range(B)) - 1
    y_ref = y + beta * e if dual else y.copy()
    yt = y_ref + beta * e
    expected = []
    for b in range(B):
        D = ((Xw[b][:, None, :] - Xw[b][None, :, :]) ** 2).sum(-1)
        C = D / 2 + offsets[b]
        grad = 2 * C @ U[b] + np.outer(yt, U[b].sum(0)) + np.ones((n, 1)) @ (yt @ U[b])[None]
        V = np.maximum(U[b] - step * grad, 0)
        expected.append(V * np.sqrt(target[b] / (V**2).sum()))
    expected = np.stack(expected)
    for backend in ("numba", "numpy"):
        out, y_run = np.empty_like(U), y.copy()
        U_before = U.copy()
        with config_context(backend=backend):
            infeas, change = _backend.nlr_step(
                Xw, q, offsets, U, y_run, beta=beta, step=step, target=target, dual=dual, out=out
            )
        np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(y_run, y_ref)
        np.testing.assert_array_equal(U, U_before)
        assert infeas == pytest.approx((e**2).sum())
        assert change == pytest.approx(((expected - U) ** 2).sum())


@pytest.mark.parametrize("dual", [False, True])
def test_nlr_step_threads_and_serial_kernels_agree(dual):
    # one source compiled twice: threads over row chunks (large n), serial (one chunk)
    from skcluster._backend import _numba_solvers as kernels

    Xw, q, offsets, U, y = _nlr_inputs(n=900, d=4)
    args = (0.7, 1e-3, np.array([1.0, 2.0]), dual)
    results = []
    for kernel, chunk in [(kernels._nlr_step_serial, 900), (kernels._nlr_step_threads, 250)]:
        out, y_run = np.empty_like(U), y.copy()
        sums = kernel(Xw, q, offsets, U, y_run, *args[:2], args[2], args[3], chunk, out)
        results.append((out, y_run, sums))
    (out_s, y_s, sums_s), (out_t, y_t, sums_t) = results
    np.testing.assert_allclose(out_t, out_s, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(y_t, y_s, rtol=1e-12)
    np.testing.assert_allclose(sums_t, sums_s, rtol=1e-10)
    # a huge step (entries clipped or blown up): the factors still land on their norms
    out = np.empty_like(U)
    kernels._nlr_step_serial(
        Xw, q, offsets, U, y.copy(), 0.7, 1e6, np.array([1.0, 2.0]), dual, 900, out
    )
    np.testing.assert_allclose((out**2).sum(axis=(1, 2)), [1.0, 2.0])


def test_nlr_solver_is_invariant_to_the_scale_of_large_costs():
    # costs far above the penalty's scale are divided down before solving: the same
    # minimiser and the multiplier in the caller's units (the solve used to oscillate
    # for its whole budget on iLA-SDP's whitened distances)
    from skcluster.cluster._sdp_solvers import solve_nlr

    Xw, q, offsets, U, _ = _nlr_inputs(n=200)
    U /= np.sqrt((U**2).sum(axis=(1, 2)))[:, None, None]
    results = [
        solve_nlr(np.sqrt(c) * Xw, c * q, c * offsets, U, np.ones(2), max_iter=3000)
        for c in (10.0, 1000.0)
    ]
    (U1, y1, it1, _), (U2, y2, it2, _) = results
    assert it1 == it2
    np.testing.assert_allclose(U2, U1, atol=1e-10)
    np.testing.assert_allclose(y2, 100 * y1, rtol=1e-8)


def test_ilasdp_start_factors_give_the_partitions_moments():
    # the spare columns carry the start's noise; the indicator's column is exact, so the
    # first parameters are within 2% of the partition's own (noise there put 60-220% on)
    X, y = make_rotated_mixture(300, 2, 3, random_state=0)
    ila = LikelihoodAdjustedSDP(3, rank=3)
    U = ila._start(y, 3, 3, 0)
    weights, means, covs = ila._parameters(X, U)
    for k in range(3):
        np.testing.assert_allclose(means[k], X[y == k].mean(axis=0), atol=1e-2 * X.std())
        np.testing.assert_allclose(covs[k], np.cov(X[y == k].T, bias=True), rtol=0.05)
    np.testing.assert_allclose(weights, np.bincount(y) / len(y), atol=1e-3)


def test_nlr_step_rejects_inconsistent_shapes():
    Xw, q, offsets, U, y = _nlr_inputs()
    with pytest.raises(ValueError, match="inconsistent shapes"):
        _backend.nlr_step(
            Xw,
            q[:, :-1],
            offsets,
            U,
            y,
            beta=1.0,
            step=1e-3,
            target=np.ones(2),
            dual=False,
            out=np.empty_like(U),
        )


# --------------------------------------------------------------------------------------
# iLA-SDP
# --------------------------------------------------------------------------------------


def test_ilasdp_alias_and_attributes():
    assert ILASDP is LikelihoodAdjustedSDP
    X, y = make_heterogeneous_mixture(300, n_features=3, n_clusters=3, random_state=1)
    ila = ILASDP(3, random_state=0).fit(X)
    assert ila.labels_.shape == (300,) and ila.membership_.shape == (300, 3)
    np.testing.assert_allclose(ila.membership_.sum(axis=1), 1.0, atol=1e-2)
    np.testing.assert_array_equal(ila.labels_, ila.predict(X))  # the refined mixture labels
    assert ila.weights_.sum() == pytest.approx(1.0)
    assert ila.covariances_.shape == (3, 3, 3)
    assert np.all(np.linalg.eigvalsh(ila.covariances_) > 0)
    proba = ila.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(ila.predict(X), proba.argmax(axis=1))


def test_ilasdp_parameters_are_the_clusters_moments_when_tight():
    # far apart clusters: the relaxation is a partition and the updates are plain moments
    X, y = make_heterogeneous_mixture(
        300, n_features=2, n_clusters=2, separation=30.0, scale_ratio=3.0, random_state=0
    )
    ila = LikelihoodAdjustedSDP(2, covariance_type="full", random_state=0).fit(X)
    assert clustering_accuracy(y, ila.labels_) == 1.0
    for k in range(2):
        members = X[ila.labels_ == k]
        np.testing.assert_allclose(ila.means_[k], members.mean(axis=0), atol=1e-2)
        np.testing.assert_allclose(
            ila.covariances_[k], np.cov(members.T, bias=True), rtol=2e-2, atol=1e-2
        )
    assert ila.weights_ == pytest.approx([0.5, 0.5], abs=1e-2)


def test_ilasdp_beats_kmeans_and_sdp_on_heterogeneous_clusters():
    # a narrow and a three times wider cluster: the bisector of k-means and of the
    # Peng-Wei SDP cuts the wide one; a covariance per cluster does not
    errors = {"ila": [], "sdp": [], "kmeans": [], "em": []}
    for seed in range(3):
        X, y = make_heterogeneous_mixture(400, n_features=2, random_state=seed)
        errors["ila"].append(1 - clustering_accuracy(y, ILASDP(2, random_state=0).fit(X).labels_))
        sdp = SDPKMeans(2, solver="lowrank", random_state=0).fit(X)
        errors["sdp"].append(1 - clustering_accuracy(y, sdp.labels_))
        errors["kmeans"].append(
            1 - clustering_accuracy(y, KMeans(2, n_init=10, random_state=0).fit(X).labels_)
        )
        gmm = GaussianMixture(2, random_state=0).fit(X)
        errors["em"].append(1 - clustering_accuracy(y, gmm.predict(X)))
    mean = {k: np.mean(v) for k, v in errors.items()}
    assert mean["ila"] < 0.6 * mean["kmeans"] and mean["ila"] < 0.6 * mean["sdp"]
    assert mean["ila"] < mean["em"] + 0.02  # close to the Bayes rule EM approaches


def ila_errors(proportions, seeds, **setting):
    # the iteration's own labels (the single k-means-SDP start, no EM refinement)
    errors = []
    for seed in seeds:
        X, y = make_heterogeneous_mixture(**setting, random_state=seed)
        ila = ILASDP(
            setting["n_clusters"],
            proportions=proportions,
            init="sdp",
            refine="none",
            random_state=0,
        ).fit(X)
        errors.append(1 - clustering_accuracy(y, ila.labels_))
    return np.mean(errors)


def test_ilasdp_proportions_trade_off():
    # estimated proportions pull a classification likelihood towards unequal sizes: with
    # four equal clusters, equal proportions err less (3-4 points per seed); with sizes
    # 1:3 the estimated ones do (2-4 points per seed)
    same = dict(n_samples=400, n_features=2, n_clusters=4)
    assert ila_errors("equal", [0, 2], **same) < ila_errors("estimated", [0, 2], **same) - 0.02
    skewed = dict(n_samples=300, n_features=2, n_clusters=2, weights=[0.25, 0.75])
    seeds = range(3)
    assert ila_errors("estimated", seeds, **skewed) < ila_errors("equal", seeds, **skewed) - 0.01


def test_ilasdp_equal_proportions_are_the_prior_of_predict():
    X, _ = make_heterogeneous_mixture(300, n_features=2, weights=[0.2, 0.8], random_state=0)
    ila = ILASDP(2, covariance_type="full", proportions="equal", random_state=0).fit(X)
    np.testing.assert_array_equal(ila.weights_, [0.5, 0.5])
    log_density = np.asarray(_backend.gaussian_log_density(X, ila.means_, ila.covariances_))
    np.testing.assert_array_equal(ila.predict(X), np.argmax(log_density, axis=1))
    estimated = ILASDP(2, covariance_type="full", random_state=0).fit(X)  # the default estimates
    np.testing.assert_allclose(estimated.weights_, np.bincount(estimated.labels_) / 300, atol=0.01)
    assert not np.allclose(estimated.weights_, 0.5)


def test_ilasdp_objective_decreases(capsys):
    X, _ = make_heterogeneous_mixture(300, n_features=2, random_state=2)
    LikelihoodAdjustedSDP(2, covariance_type="full", random_state=0, verbose=1, tol=1e-6).fit(X)
    lines = [line for line in capsys.readouterr().out.splitlines() if "objective" in line]
    values = [float(line.split("objective ")[1].split(",")[0]) for line in lines]
    assert len(values) >= 2
    assert all(b <= a + 1e-3 for a, b in zip(values[:-1], values[1:], strict=True))


@pytest.mark.parametrize("covariance_type", ["diag", "spherical"])
def test_ilasdp_covariance_types(covariance_type):
    X, y = make_heterogeneous_mixture(300, n_features=4, random_state=0)
    ila = LikelihoodAdjustedSDP(2, covariance_type=covariance_type, random_state=0).fit(X)
    diagonal = np.einsum("kii->ki", ila.covariances_)
    off_diagonal = ila.covariances_ - diagonal[:, :, None] * np.eye(4)
    assert np.abs(off_diagonal).max() == 0
    if covariance_type == "spherical":
        for cov in ila.covariances_:
            assert np.ptp(np.diag(cov)) < 1e-12
    assert clustering_accuracy(y, ila.labels_) > 0.85


def test_ilasdp_small_cluster_is_regularised_with_a_warning():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(60, 8)), rng.normal(size=(4, 8)) + 12])
    with pytest.warns(UserWarning, match="effective points"):
        ila = LikelihoodAdjustedSDP(2, random_state=0).fit(X)
    assert np.all(np.isfinite(ila.covariances_))
    assert sorted(np.bincount(ila.labels_)) == [4, 60]


@pytest.mark.parametrize("Estimator", [SDPKMeans, LikelihoodAdjustedSDP])
def test_ilasdp_and_sdp_bad_input(Estimator):
    with pytest.raises(ValueError, match="larger than n_samples"):
        Estimator(6).fit(np.random.default_rng(0).normal(size=(5, 2)))
    with pytest.raises(ValueError, match="NaN"):
        Estimator(2).fit(np.array([[0.0, np.nan], [1, 1], [2, 2]]))
    with pytest.raises(ValueError, match="n_clusters"):
        Estimator(0).fit(np.random.default_rng(0).normal(size=(10, 2)))
    X = np.random.default_rng(0).normal(size=(20, 2))
    X_before = X.copy()
    Estimator(2, random_state=0).fit(X)
    np.testing.assert_array_equal(X, X_before)


def test_ilasdp_leaves_the_partition_where_the_sdp_start_gets_stuck():
    # rotated clusters of sizes 1:2:3 in 10-D: the k-means SDP's partition splits the large
    # cluster, and the iteration from it alone stays there (0.23 against EM's 0.14)
    X, y = make_rotated_mixture(300, n_features=10, n_clusters=3, random_state=2)
    em10 = GaussianMixture(3, n_init=10, random_state=0).fit(X)
    em10_error = 1 - clustering_accuracy(y, em10.predict(X))
    before = ILASDP(3, init="sdp", refine="none", random_state=0).fit(X)
    before_error = 1 - clustering_accuracy(y, before.labels_)
    assert before_error > em10_error + 0.05
    ila = ILASDP(3, random_state=0).fit(X)
    error = 1 - clustering_accuracy(y, ila.labels_)
    assert error < before_error - 0.05 and error <= em10_error + 0.05
    # the start chosen is the candidate with the smallest penalised profiled objective
    assert len(ila.start_objectives_) == 22 and ila.start_ == np.argmin(ila.start_objectives_)
    assert ila.start_ != 0 and ila.start_objectives_[0] > ila.start_objectives_.min() + 0.1
    # without k-means starts the candidates are the SDP's partition and EM from it
    alone = ILASDP(3, n_starts=0, refine="none", random_state=0).fit(X)
    assert len(alone.start_objectives_) == 2
    np.testing.assert_array_equal(ila.start_objectives_[:2], alone.start_objectives_)


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_ilasdp_fit_penalty_is_the_expected_optimism_of_a_gaussian_fit(covariance_type):
    # the in-sample Mahalanobis term of a fitted Gaussian is d per row; on new rows from the
    # same Gaussian it is d (n + 1) / (n - 1 - m) on average: Monte Carlo against the formula
    rng = np.random.default_rng(0)
    n, d, reps = 30, 4, 4000
    A = rng.normal(size=(d, d))
    cov = A @ A.T + np.eye(d)
    if covariance_type != "full":
        cov = np.diag(np.diag(cov)) if covariance_type == "diag" else np.eye(d) * 2.0
    L = np.linalg.cholesky(cov)
    fresh = []
    for _ in range(reps):
        Xr, Xnew = rng.normal(size=(n, d)) @ L.T, rng.normal(size=(200, d)) @ L.T
        mu, S = Xr.mean(axis=0), np.cov(Xr.T, bias=True)
        if covariance_type == "diag":
            S = np.diag(np.diag(S))
        elif covariance_type == "spherical":
            S = np.eye(d) * np.trace(S) / d
        diff = Xnew - mu
        fresh.append(np.mean(np.einsum("ij,ij->i", diff @ np.linalg.inv(S), diff)))
    ila = LikelihoodAdjustedSDP(1, covariance_type=covariance_type)
    labels = np.zeros(n, dtype=int)
    assert d + ila._fit_penalty(labels, d) == pytest.approx(np.mean(fresh), rel=0.01)
    # a cluster too small to estimate makes the partition unusable as a start
    assert LikelihoodAdjustedSDP(1)._fit_penalty(np.zeros(d + 2, dtype=int), d) == np.inf


def test_ilasdp_profiled_objective_of_a_partition():
    # minus twice the profiled classification log-likelihood per row, written out:
    # sum_k n_k [tr(S_k^-1 S_k) + log det S_k - 2 log(n_k / n)] / n on unit-scaled data
    X, y = make_rotated_mixture(400, n_features=3, n_clusters=3, random_state=0)
    Xc = X - X.mean(axis=0)
    Xs = Xc / np.sqrt((Xc**2).sum() / len(X))
    ila = LikelihoodAdjustedSDP(3, reg_covar=0.0)
    expected = 0.0
    for k in range(3):
        members = Xs[y == k]
        S = np.cov(members.T, bias=True)
        nk = len(members)
        expected += nk * (3 + np.linalg.slogdet(S)[1] - 2 * np.log(nk / len(X)))
    assert ila._partition_objective(Xs, y) == pytest.approx(expected / len(X), rel=1e-10)
    # label-free, and it ranks the true partition above a k-means one on this data
    kmeans = KMeans(3, n_init=10, random_state=0).fit(Xs).labels_
    assert ila._partition_objective(Xs, y) < ila._partition_objective(Xs, kmeans)


def test_ilasdp_refine_ends_at_a_maximum_of_the_observed_likelihood():
    X, _ = make_heterogeneous_mixture(800, n_features=2, n_clusters=4, random_state=5)
    ila = ILASDP(4, covariance_type="full", random_state=0).fit(X)  # scikit-learn's form
    assert ila.refine_iter_ > 0
    # EM from the fitted mixture does not move it: a fixed point of the mixture likelihood
    em = GaussianMixture(
        4,
        weights_init=ila.weights_,
        means_init=ila.means_,
        precisions_init=np.linalg.inv(ila.covariances_),
        tol=1e-9,
        max_iter=2000,
        reg_covar=1e-12,
    ).fit(X)
    np.testing.assert_allclose(em.means_, ila.means_, atol=2e-2 * X.std())
    assert (em.predict(X) != ila.labels_).mean() < 0.01
    # and it scores at least as well as EM with ten starts
    em10 = GaussianMixture(4, n_init=10, random_state=0).fit(X)
    assert em.score(X) >= em10.score(X) - 1e-3
    # without the refinement, labels are the unrefined mixture's (predict's), which keeps
    # nearly every row where the memberships put it
    raw = ILASDP(4, covariance_type="full", refine="none", random_state=0).fit(X)
    np.testing.assert_array_equal(raw.labels_, raw.predict(X))
    assert (raw.labels_ == raw.membership_.argmax(axis=1)).mean() > 0.95


def test_make_heterogeneous_mixture():
    X, y = make_heterogeneous_mixture(
        3000, n_features=4, n_clusters=2, separation=6.0, scale_ratio=3.0, random_state=0
    )
    assert X.shape == (3000, 4) and np.bincount(y).tolist() == [1500, 1500]
    spread = [np.sqrt(np.trace(np.cov(X[y == k].T)) / 4) for k in range(2)]
    assert spread[1] / spread[0] == pytest.approx(3.0, rel=0.1)
    means = np.array([X[y == k].mean(axis=0) for k in range(2)])
    assert np.linalg.norm(means[0] - means[1]) == pytest.approx(6.0, rel=0.1)
    X3, _ = make_heterogeneous_mixture(300, n_features=2, n_clusters=5, random_state=0)
    assert X3.shape == (300, 2)
    with pytest.raises(ValueError, match="smaller than n_clusters"):
        make_heterogeneous_mixture(2, n_clusters=3)


def test_ilasdp_start_keeps_every_cluster_when_the_rounding_left_one_empty():
    labels = np.array([0, 0, 0, 2, 2, 2])  # cluster 1 empty
    U = LikelihoodAdjustedSDP._start(labels, 3, 2, 0)
    assert U.shape == (3, 6, 2) and U.min() >= 0
    np.testing.assert_allclose((U**2).sum(axis=(1, 2)), 1.0)
    # the occupied clusters start on their members
    assert U[0, :3, 0].min() > 10 * U[0, 3:, 0].max()
    assert U[2, 3:, 0].min() > 10 * U[2, :3, 0].max()


# sketch-and-lift


def test_sketch_recovers_separated_blobs_from_a_few_rows():
    X, y = make_blobs(5_000, centers=[[0, 0], [10, 0], [0, 10]], random_state=0)
    X_before = X.copy()
    sdp = SDPKMeans(3, solver="lowrank", sketch_size=300, random_state=0).fit(X)
    np.testing.assert_array_equal(X, X_before)
    assert adjusted_rand_score(y, sdp.labels_) == 1.0
    rows = sdp.sketch_indices_
    assert len(rows) == 300 and np.all(np.diff(rows) > 0)
    assert sdp.membership_.shape == (300, 12)  # U of the sketch only: rank 4K
    np.testing.assert_array_equal(sdp.labels_, sdp.predict(X))
    # the same seed draws the same sketch and gives the same labels
    again = SDPKMeans(3, solver="lowrank", sketch_size=300, random_state=0).fit(X)
    np.testing.assert_array_equal(again.sketch_indices_, rows)
    np.testing.assert_array_equal(again.labels_, sdp.labels_)


def test_sketch_as_large_as_the_data_is_the_plain_fit():
    X, _ = blobs(120, std=1.5)
    plain = SDPKMeans(3, random_state=0).fit(X)
    sketched = SDPKMeans(3, sketch_size=500, random_state=0).fit(X)
    assert plain.sketch_indices_ is None and sketched.sketch_indices_ is None
    np.testing.assert_array_equal(plain.labels_, sketched.labels_)
    assert plain.objective_ == sketched.objective_


def test_ilasdp_sketch_lifts_by_the_fitted_mixture():
    # clusters of different shapes: the sketch's mixture labels the other rows nearly as
    # well as a fit on all of them (measured on 20,000 rows: full 0.912, sketch of 2,000
    # 0.904, EM 0.915)
    X, y = make_heterogeneous_mixture(
        4_000, n_features=3, n_clusters=3, separation=6.0, random_state=1
    )
    full = LikelihoodAdjustedSDP(3, random_state=0).fit(X)
    sketched = LikelihoodAdjustedSDP(3, sketch_size=800, random_state=0).fit(X)
    assert sketched.membership_.shape == (800, 3)
    np.testing.assert_array_equal(sketched.labels_, sketched.predict(X))
    acc_full = clustering_accuracy(y, full.labels_)
    acc_sketch = clustering_accuracy(y, sketched.labels_)
    assert acc_sketch > 0.9 and acc_sketch >= acc_full - 0.02, (acc_sketch, acc_full)


@pytest.mark.parametrize("Estimator", [SDPKMeans, LikelihoodAdjustedSDP])
def test_sketch_smaller_than_the_clusters_is_an_error(Estimator):
    X, _ = blobs(60)
    with pytest.raises(ValueError, match="sketch_size=2 is smaller than n_clusters=3"):
        Estimator(3, sketch_size=2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="sketch_size"):
        Estimator(3, sketch_size=0).fit(X)


# the exact solver of the lifted SDP


def true_cluster_costs(X, y, K):
    """iLA-SDP's cost matrices C_k under the true clusters' parameters (dense, small n)."""
    est = LikelihoodAdjustedSDP(K)
    X = (X - X.mean(0)) / np.sqrt(((X - X.mean(0)) ** 2).sum() / len(X))
    weights, _, covs = est._parameters(X, est._start(y, K, 1, 0))
    return lifted_costs(*est._costs(X, weights, covs))


def test_lifted_admm_matches_cvxpy_and_is_feasible():
    cp = pytest.importorskip("cvxpy")
    from skcluster.cluster._sdp_solvers import solve_admm_lifted

    X, y = make_heterogeneous_mixture(30, n_features=2, n_clusters=2, random_state=0)
    C = true_cluster_costs(X, y, 2)
    Z, _, converged = solve_admm_lifted(C, tol=1e-6)
    assert converged
    ours = float(np.einsum("kij,kij->", C, Z))
    Zs = [cp.Variable((30, 30), PSD=True) for _ in range(2)]
    constraints = [z >= 0 for z in Zs] + [cp.trace(z) == 1 for z in Zs]
    constraints.append(sum(cp.sum(z, axis=1) for z in Zs) == 1)
    problem = cp.Problem(cp.Minimize(sum(cp.trace(C[k] @ Zs[k]) for k in range(2))), constraints)
    problem.solve(solver="SCS", eps=1e-8)
    assert ours == pytest.approx(problem.value, rel=1e-3)
    np.testing.assert_allclose([np.trace(z) for z in Z], 1.0, atol=1e-9)
    np.testing.assert_allclose(Z.sum(axis=2).sum(axis=0), 1.0, atol=1e-3)
    assert Z.min() > -1e-3 and min(np.linalg.eigvalsh(z)[0] for z in Z) > -1e-9


def test_ilasdp_exact_solver_agrees_with_the_low_rank_one():
    X, y = make_heterogeneous_mixture(60, n_features=2, n_clusters=2, separation=8, random_state=0)
    exact = LikelihoodAdjustedSDP(2, solver="admm", random_state=0).fit(X)
    low = LikelihoodAdjustedSDP(2, random_state=0).fit(X)
    assert clustering_accuracy(y, exact.labels_) == clustering_accuracy(y, low.labels_) > 0.9
    # the exact relaxation is never above the factored one (measured 5.6042 vs 5.6071)
    assert exact.objective_ <= low.objective_ + 1e-6
    np.testing.assert_allclose(exact.membership_.sum(axis=1), 1.0, atol=1e-3)


def test_bad_parameters_are_caught_inside_kmeans_smote():
    # KMeansSMOTE's fit_resample skips the validation of nested estimators
    from imblearn.over_sampling import KMeansSMOTE
    from sklearn.datasets import make_classification
    from sklearn.utils._param_validation import InvalidParameterError

    X, y = make_classification(200, weights=[0.8], random_state=0)
    for est in (SDPKMeans(3, solver="bogus"), LikelihoodAdjustedSDP(3, solver="bogus")):
        with pytest.raises(InvalidParameterError, match="solver"):
            KMeansSMOTE(kmeans_estimator=est, random_state=0).fit_resample(X, y)


def test_ilasdp_auto_form_is_simpler_in_high_dimension_and_full_on_rotated_clusters():
    """80-row spherical clusters in 40-D: a full covariance per cluster costs more than
    its fit gains (error 0.11 with full covariances, EM with ten starts 0.5); the
    corrected objective chooses a simpler form. Rotated clusters keep full covariances."""
    X, y = make_heterogeneous_mixture(240, 40, 3, separation=6.0, random_state=0)
    auto = LikelihoodAdjustedSDP(3, random_state=0).fit(X)
    full = LikelihoodAdjustedSDP(3, covariance_type="full", random_state=0).fit(X)
    assert auto.covariance_type_ in ("diag", "spherical")
    assert 1 - clustering_accuracy(y, auto.labels_) < 0.02
    assert 1 - clustering_accuracy(y, full.labels_) > 0.08
    assert set(auto.covariance_scores_) == {"full", "diag", "spherical"}
    assert auto.covariance_type_ == min(auto.covariance_scores_, key=auto.covariance_scores_.get)
    assert list(full.covariance_scores_) == ["full"] and full.covariance_type_ == "full"
    X, y = make_rotated_mixture(600, n_features=5, n_clusters=3, random_state=0)
    rotated = LikelihoodAdjustedSDP(3, random_state=0).fit(X)
    same = LikelihoodAdjustedSDP(3, covariance_type="full", random_state=0).fit(X)
    assert rotated.covariance_type_ == "full"  # the kept form is the fit of that form alone
    np.testing.assert_array_equal(rotated.labels_, same.labels_)
    np.testing.assert_allclose(rotated.covariances_, same.covariances_)
