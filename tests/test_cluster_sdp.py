"""SDP k-means solvers (work in progress for issue 8: not public yet)."""

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from skcluster.cluster._sdp import SDPKMeans


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
    ours = SDPKMeans(3, solver="admm", random_state=0).fit(X).objective_
    assert ours == pytest.approx(reference, rel=1e-3)


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


def test_one_cluster_is_rejected():
    with pytest.raises(ValueError, match="n_clusters"):
        SDPKMeans(1).fit(np.random.default_rng(0).normal(size=(10, 2)))
