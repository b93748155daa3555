"""SDP relaxation of k-means (Peng & Wei 2007) with two first-order solvers.

Work in progress for issue 8, not exported yet: SDPKMeans joins ``skcluster.cluster`` (with
the common checks, the quickstart and a benchmark against cvxpy) once the ADMM is fast
enough and iLA-SDP is built on the same solvers.

    maximise <A, Z>  subject to  Z PSD, Z >= 0, Z 1 = 1, tr Z = K,   A = Xc Xc^T

``admm`` solves it exactly on the full n x n matrix (small n); ``lowrank`` writes Z = U U^T
with U >= 0 of rank r and never forms an n x n array (Zhuang, Chen, Yang & Zhang, ICLR 2024,
"Statistically optimal K-means clustering via nonnegative low-rank semidefinite
programming"). Both read the data only through products with Xc, so centring is free: on the
feasible set every cost A + a 1^T + 1 a^T + c 1 1^T has the same optimiser.
"""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from .. import _backend

_ADMM_MAX_ROWS = 1000  # "auto" switches to the low-rank solver above (an eigh per step)


def _simplex_projection(mu, total):
    """Projection of ``mu`` onto {l >= 0, sum l = total} (sort-based threshold)."""
    u = np.sort(mu)[::-1]
    excess = np.cumsum(u) - total
    last = np.nonzero(u - excess / np.arange(1, len(u) + 1) > 0)[0][-1]
    return np.maximum(mu - excess[last] / (last + 1), 0.0)


def _spectral_projection(M, K):
    """Projection of a symmetric M onto {Z PSD, Z 1 = 1, tr Z = K}.

    Every such Z is ``1 1^T / n + P Y P`` with ``P = I - 1 1^T / n`` and ``P Y P`` PSD of
    trace K - 1, so the projection centres M (rows and columns), projects its eigenvalues
    onto the scaled simplex, and adds ``1 1^T / n`` back. The all-ones direction is pushed
    to a very negative eigenvalue first so that it is never kept.
    """
    n = M.shape[0]
    centred = M - M.mean(axis=0)[None, :] - M.mean(axis=1)[:, None] + M.mean()
    big = (np.abs(centred).max() + K + 1) * n
    vals, vecs = np.linalg.eigh(centred - big / n)
    lam = _simplex_projection(vals, K - 1)
    keep = lam > 0
    return np.full((n, n), 1.0 / n) + (vecs[:, keep] * lam[keep]) @ vecs[:, keep].T


def solve_admm(A, K, *, tol=1e-5, max_iter=5000, verbose=0):
    """Two-block ADMM on the full matrix: Z in {PSD, Z 1 = 1, tr Z = K} (exact spectral
    projection), W >= 0, Z = W (scaled dual U).

    The penalty starts at ||A||_2 / n and is rebalanced every 10 steps (doubled when the
    primal residual is 10x the dual one, halved in the opposite case). Returns Z (PSD, with
    exact row sums and trace; its negative entries are bounded by the residual), the number
    of iterations and whether both relative residuals fell below ``tol``.
    """
    n = A.shape[0]
    rho = max(np.linalg.norm(A, 2) / n, 1e-12)
    W = _spectral_projection(np.eye(n) * (K / n), K)
    U = np.zeros_like(A)
    Z = W
    for it in range(1, max_iter + 1):
        Z = _spectral_projection(W - U + A / rho, K)
        W_old = W
        W = np.maximum(Z + U, 0.0)
        U += Z - W
        primal = np.linalg.norm(Z - W)
        dual = rho * np.linalg.norm(W - W_old)
        scale_p = max(np.linalg.norm(Z), np.linalg.norm(W))
        scale_d = rho * max(np.linalg.norm(U), 1e-12)
        if verbose and it % 100 == 0:
            print(
                f"[SDPKMeans admm] iteration {it}: primal {primal / scale_p:.2e}, "
                f"dual {dual / scale_d:.2e}"
            )
        if primal <= tol * scale_p and dual <= tol * scale_d:
            return Z, it, True
        if it % 10 == 0:
            if primal > 10 * dual:
                rho, U = rho * 2, U / 2
            elif dual > 10 * primal:
                rho, U = rho / 2, U * 2
    return Z, max_iter, False


def _project_u(V, K):
    """Projection onto {U >= 0, ||U||_F^2 = K}."""
    V = np.maximum(V, 0.0)
    norm = np.linalg.norm(V)
    if norm == 0:  # every entry clipped: restart from the flattest feasible point
        return np.full(V.shape, math.sqrt(K / V.size))
    return V * (math.sqrt(K) / norm)


def solve_lowrank(
    X,
    K,
    rank,
    *,
    beta=10.0,
    tol=1e-6,
    inner_tol=1e-3,
    max_iter=50_000,
    random_state=None,
    verbose=0,
):
    """Nonnegative low-rank augmented Lagrangian (NLR) with Z = U U^T, U >= 0 (n x rank).

    ``{U >= 0, ||U||_F^2 = K}`` is kept by projection (so tr Z = K, Z PSD and Z >= 0 hold
    exactly); ``U U^T 1 = 1`` goes into the augmented Lagrangian with multiplier y and
    penalty ``beta``. Projected-gradient steps of size ``1 / (2 ||A||_2 + beta n)`` (the
    Lipschitz bound, instead of the authors' fixed constant, which depends on the data's
    scale); the multiplier moves once a step changes U by less than ``inner_tol``; stop when
    that change and ``||U U^T 1 - 1|| / sqrt(n)`` are both below ``tol``. Costs O(n d rank)
    per step: A is only applied as ``Xc (Xc^T U)``.
    """
    n = X.shape[0]
    rng = check_random_state(random_state)
    lip = 2 * np.linalg.eigvalsh(X.T @ X)[-1] + beta * n
    step = 1.0 / lip
    U = _project_u(np.abs(rng.standard_normal((n, rank))), K)
    y = np.zeros(n)
    ones = np.ones(n)
    sqrt_k, sqrt_n = math.sqrt(K), math.sqrt(n)
    for it in range(1, max_iter + 1):
        colsum = U.sum(axis=0)  # 1^T U
        e = U @ colsum - ones  # U U^T 1 - 1
        yt = y + beta * e
        grad = -2.0 * (X @ (X.T @ U)) + np.outer(yt, colsum) + (yt @ U)[None, :]
        U_new = _project_u(U - step * grad, K)
        change = np.linalg.norm(U_new - U) / sqrt_k
        U = U_new
        if change < inner_tol:
            e = U @ U.sum(axis=0) - ones
            infeas = np.linalg.norm(e) / sqrt_n
            if verbose and it % 1000 == 0:
                print(
                    f"[SDPKMeans lowrank] iteration {it}: step {change:.2e}, "
                    f"infeasibility {infeas:.2e}"
                )
            if max(change, infeas) < tol:
                return U, it, True
            y += beta * e
    return U, max_iter, False


class SDPKMeans(ClusterMixin, BaseEstimator):
    """K-means by its semidefinite relaxation (Peng & Wei, 2007).

    Solves ``max <Xc Xc^T, Z>`` over ``Z`` positive semidefinite, entrywise nonnegative,
    with ``Z 1 = 1`` and ``tr Z = K`` (``Xc``: the centred data), then rounds ``Z`` to
    labels. For well separated clusters the relaxation is tight: ``Z`` is the normalised
    partition matrix (``1/|G_k|`` inside each cluster, 0 across) and the labels are exact,
    with no initialisation to get wrong.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters K (at least 2).
    solver : {"auto", "admm", "lowrank"}, default="auto"
        ``"admm"``: exact ADMM on the full n x n matrix (an eigendecomposition per
        iteration: n up to about a thousand). ``"lowrank"``: ``Z = U U^T`` with ``U >= 0``
        (n x rank), O(n d rank) per iteration and no n x n array (Zhuang et al., ICLR 2024).
        ``"auto"``: ADMM up to 1,000 rows, low rank above.
    rank : int or "auto", default="auto"
        Columns of U for the low-rank solver; ``"auto"`` is 2K (the authors' choice).
    tol : float, default=1e-5
        Relative residual (ADMM) or step-and-infeasibility (low rank) at which to stop.
    max_iter : int, default=None
        Iteration cap; ``None`` is 5,000 for ADMM and 50,000 for the low-rank solver.
    n_init : int, default=10
        K-means restarts of the rounding.
    random_state : int, RandomState instance or None, default=None
        Seeds the low-rank start and the rounding's k-means.
    verbose : int, default=0
        Progress every 100 (ADMM) or 1,000 (low rank) iterations.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
    membership_ : ndarray
        The solution: Z (n, n) for ADMM, U (n, rank) with ``Z = U U^T`` for low rank.
    objective_ : float
        The relaxed within-cluster sum of squares ``tr(Xc^T Xc) - <Xc Xc^T, Z>``, a lower
        bound of the k-means inertia of every partition into K clusters (equal to it when
        the relaxation is tight).
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Means of the rounded clusters.
    solver_ : str
        The solver that ran.
    n_iter_ : int
    converged_ : bool
    n_features_in_ : int

    Notes
    -----
    Rounding: the top-K eigenvectors of Z (left singular vectors of U), scaled by their
    singular values, clustered by k-means (``n_init`` restarts) -- rows of the same cluster
    share a row of the embedding when the relaxation is tight.

    Examples
    --------
    >>> import numpy as np
    >>> from skcluster.cluster._sdp import SDPKMeans
    >>> from sklearn.datasets import make_blobs
    >>> X, y = make_blobs(90, centers=3, cluster_std=0.5, random_state=0)
    >>> sdp = SDPKMeans(n_clusters=3, random_state=0).fit(X)
    >>> from sklearn.metrics import adjusted_rand_score
    >>> adjusted_rand_score(y, sdp.labels_)
    1.0
    >>> bool(np.allclose(sdp.membership_.sum(axis=1), 1, atol=1e-3))
    True
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 2, None, closed="left")],
        "solver": [StrOptions({"auto", "admm", "lowrank"})],
        "rank": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        solver="auto",
        rank="auto",
        tol=1e-5,
        max_iter=None,
        n_init=10,
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.solver = solver
        self.rank = rank
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y=None):
        """Solve the relaxation on ``X`` and round it to ``n_clusters`` clusters.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        self : SDPKMeans
        """
        self._validate_params()
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        n, K = X.shape[0], self.n_clusters
        if K > n:
            raise ValueError(f"n_clusters={K} is larger than n_samples={n}.")
        rng = check_random_state(self.random_state)
        Xc = X - X.mean(axis=0)
        # one overall scale: the solvers' tolerances are relative, the step is scale-free
        scale = math.sqrt(max(float((Xc * Xc).sum()) / n, np.finfo(float).tiny))
        Xs = Xc / scale
        solver = self.solver
        if solver == "auto":
            solver = "admm" if n <= _ADMM_MAX_ROWS else "lowrank"
        if solver == "admm":
            Z, self.n_iter_, self.converged_ = solve_admm(
                Xs @ Xs.T,
                K,
                tol=self.tol,
                max_iter=self.max_iter or 5000,
                verbose=self.verbose,
            )
            self.membership_ = Z
            vals, vecs = np.linalg.eigh(Z)
            embed = vecs[:, -K:] * np.sqrt(np.maximum(vals[-K:], 0))
            captured = float(np.sum(Xs * (Z @ Xs)))
        else:
            rank = 2 * K if self.rank == "auto" else self.rank
            U, self.n_iter_, self.converged_ = solve_lowrank(
                Xs,
                K,
                min(rank, n),
                tol=self.tol,
                max_iter=self.max_iter or 50_000,
                random_state=rng,
                verbose=self.verbose,
            )
            self.membership_ = U
            left, sing, _ = np.linalg.svd(U, full_matrices=False)
            embed = left[:, :K] * sing[:K]
            captured = float(np.linalg.norm(Xs.T @ U) ** 2)
        self.solver_ = solver
        self.objective_ = (n - captured) * scale**2  # tr(Xs^T Xs) = n after scaling
        self.labels_ = self._round(embed, K, rng)
        self.cluster_centers_ = np.array(
            [X[self.labels_ == k].mean(axis=0) for k in range(self.labels_.max() + 1)]
        )
        return self

    def _round(self, embed, K, rng):
        runs = [
            _backend.kmeans(embed, K, random_state=rng.randint(np.iinfo(np.int32).max), tol=1e-8)
            for _ in range(self.n_init)
        ]
        best = min(runs, key=lambda run: run[2])[1]
        # clusters the rounding left empty cannot have a centre: renumber what exists
        _, labels = np.unique(best, return_inverse=True)
        return labels.astype(np.intp)
