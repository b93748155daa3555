"""K-means by its SDP relaxation (Peng & Wei 2007), solved exactly or at low rank (the solvers
are in ``_sdp_solvers``), and the sketch-and-lift fit it shares with iLA-SDP (``_ila_sdp``).
"""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .. import _backend
from ..utils._dask import blockwise
from ..utils.validation import (
    RANDOM_STATE,
    cast_attributes,
    centre_and_scale,
    check_float64,
    check_random_state,
)
from ._sdp_solvers import partition_factor, solve_admm, solve_nlr

_ADMM_MAX_ROWS = 500  # "auto" switches to the low-rank solver above (an eigh per step)


def _sketch_rows(sketch_size, n, n_clusters, random_state):
    """Sorted rows of the sketch, or None to solve on every row (Zhuang, Chen & Yang,
    "Sketch-and-lift: scalable subsampled semidefinite program for K-means clustering",
    AISTATS 2022: solve the SDP on a uniform subsample, then assign every row by the
    subsample's fitted clusters)."""
    if sketch_size is None or sketch_size >= n:
        return None
    if sketch_size < n_clusters:
        raise ValueError(
            f"sketch_size={sketch_size} is smaller than n_clusters={n_clusters}: the sketch "
            "must hold at least one row per cluster."
        )
    return np.sort(random_state.choice(n, sketch_size, replace=False))


def _fit_sketched(estimator, X, float_attributes):
    """The fit of both SDP estimators: ``X`` checked, ``estimator._solve`` on the sketch's
    rows (all rows without one), then every row labelled by the fit (``estimator._label``,
    what ``predict`` gives); the fitted arrays ``float_attributes`` in the data's float
    type (see ``check_float64``)."""
    X, dtype = check_float64(estimator, X, reset=True, ensure_min_samples=2)
    n, K = X.shape[0], estimator.n_clusters
    if K > n:
        raise ValueError(f"n_clusters={K} is larger than n_samples={n}.")
    rng = check_random_state(estimator.random_state)
    rows = _sketch_rows(estimator.sketch_size, n, K, rng)
    estimator.sketch_indices_ = rows
    if rows is None:
        estimator._solve(X, rng)
    else:
        estimator._solve(X[rows], rng)
        estimator._label(X)
    cast_attributes(estimator, dtype, float_attributes)
    return estimator


def _unit_trace(X):
    """X centred and scaled to tr(Xs^T Xs) = n, the scale the solvers' tolerances assume;
    returns (Xs, offset, scale)."""
    Xs, offset, scale = centre_and_scale(X)
    root = math.sqrt(X.shape[1])
    return Xs / root, offset, scale * root


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
        Number of clusters K. K = 1 has a single feasible point, ``1 1^T / n``: it is
        returned without solving (scikit-learn's KMeans accepts K = 1 too).
    solver : {"auto", "admm", "lowrank"}, default="auto"
        ``"admm"``: exact ADMM on the full n x n matrix (an eigendecomposition per
        iteration: n up to about a thousand). ``"lowrank"``: ``Z = U U^T`` with ``U >= 0``
        (n x rank), O(n d rank) per iteration and no n x n array (Zhuang et al., ICLR 2024),
        started from a k-means partition. ``"auto"``: ADMM up to 500 rows, low rank above.
    rank : int or "auto", default="auto"
        Columns of U for the low-rank solver; ``"auto"`` is 4K. The authors' 2K stalled
        1.4% above the SDP optimum on overlapping blobs (200 points, 4 clusters), 4K came
        within 6e-4; where the relaxation is tight rank K suffices.
    tol : float, default=None
        ADMM: relative primal and dual residuals, scaled by the fraction of variance the
        relaxation leaves unexplained, at which to stop (see ``solve_admm``). Low rank:
        relative step and row-sum violation. None: 3e-4 for ADMM and 1e-4 for the low-rank
        solver; both put the objective within 1e-3 of cvxpy + SCS's in the tests.
    max_iter : int, default=None
        Iteration cap; ``None`` is 5,000 for ADMM and 50,000 for the low-rank solver.
    n_init : int, default=10
        K-means restarts of the rounding.
    sketch_size : int or None, default=None
        Sketch-and-lift for large n (Zhuang, Chen & Yang, AISTATS 2022): solve on a uniform
        random subsample of this many rows, then label every row by the nearest of the
        sketch's rounded cluster means (``predict``). None (or a size of at least
        n_samples) solves on all rows. Memory and time then depend on ``sketch_size``, not
        on n, beyond one pass over the rows to lift them.
    random_state : int, RandomState instance or None, default=None
        Seeds the sketch, the low-rank start and the rounding's k-means.
    verbose : int, default=0
        Progress every 100 (ADMM) or 1,000 (low rank) iterations.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        ``predict(X)``: each row's nearest ``cluster_centers_``. It is the rounding's
        partition, except for rows that are nearer another rounded cluster's mean (the
        final E-step of scikit-learn's ``KMeans``). On the issue-23 settings it has
        0.001-0.018 more error than the rounding alone, which iLA-SDP still starts from.
    membership_ : ndarray
        The solution: Z (n, n) for ADMM, U (n, rank) with ``Z = U U^T`` for low rank (n:
        the rows solved on, the sketch's when there is one).
    sketch_indices_ : ndarray of shape (sketch_size,) or None
        The rows of the sketch (sorted), None when every row was solved on.
    objective_ : float
        The relaxed within-cluster sum of squares ``tr(Xc^T Xc) - <Xc Xc^T, Z>``, a lower
        bound of the k-means inertia of every partition into K clusters (equal to it when
        the relaxation is tight); of the sketch's rows when there is one.
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Means of the rounded clusters.
    inertia_ : float
        Sum of squared distances of every row to its nearest ``cluster_centers_`` (the
        k-means objective of ``labels_``, as ``KMeans.inertia_``; at least ``objective_``
        when nothing is sketched).
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
    >>> from skcluster.cluster import SDPKMeans
    >>> from sklearn.datasets import make_blobs
    >>> X, y = make_blobs(90, centers=3, cluster_std=0.5, random_state=0)
    >>> sdp = SDPKMeans(n_clusters=3, random_state=0).fit(X)
    >>> from sklearn.metrics import adjusted_rand_score
    >>> adjusted_rand_score(y, sdp.labels_)
    1.0
    >>> bool(np.allclose(sdp.membership_.sum(axis=1), 1, atol=1e-3))
    True

    Past about 10^5 rows, solve on a sketch and label every row from it:

    >>> X, y = make_blobs(50_000, centers=[[0, 0], [10, 0], [0, 10]], cluster_std=0.5,
    ...                   random_state=0)
    >>> big = SDPKMeans(n_clusters=3, sketch_size=300, random_state=0).fit(X)
    >>> adjusted_rand_score(y, big.labels_), len(big.sketch_indices_)
    (1.0, 300)
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "solver": [StrOptions({"auto", "admm", "lowrank"})],
        "rank": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "tol": [Interval(Real, 0, None, closed="neither"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "sketch_size": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": RANDOM_STATE,
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        solver="auto",
        rank="auto",
        tol=None,
        max_iter=None,
        n_init=10,
        sketch_size=None,
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.solver = solver
        self.rank = rank
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.sketch_size = sketch_size
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
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
        # validated here too: as KMeansSMOTE's kmeans_estimator, the sampler's fit_resample
        # skips the validation of nested estimators
        self._validate_params()
        return _fit_sketched(self, X, ("cluster_centers_", "membership_"))

    def _solve(self, X, rng):
        """The relaxation on the rows of ``X``, rounded: every fitted attribute but the sketch."""
        n, K = X.shape[0], self.n_clusters
        # one overall scale: the solvers' tolerances are relative, the step is scale-free
        Xs, offset, scale = _unit_trace(X)
        solver = self.solver
        if solver == "auto":
            solver = "admm" if n <= _ADMM_MAX_ROWS else "lowrank"
        if K == 1:  # the only feasible Z is 1 1^T / n
            self.n_iter_, self.converged_ = 0, True
            if solver == "admm":
                self.membership_ = np.full((n, n), 1.0 / n)
            else:
                self.membership_ = np.full((n, 1), 1.0 / math.sqrt(n))
            embed, captured = np.zeros((n, 1)), 0.0
        elif solver == "admm":
            # one BLAS thread: on these small dense matrices threads cost more than they give
            with threadpool_limits(1, user_api="blas"):
                Z, self.n_iter_, self.converged_ = solve_admm(
                    Xs @ Xs.T,
                    K,
                    tol=self.tol or 3e-4,
                    max_iter=self.max_iter or 5000,
                    verbose=self.verbose,
                )
            self.membership_ = Z
            vals, vecs = np.linalg.eigh(Z)
            embed = vecs[:, -K:] * np.sqrt(np.maximum(vals[-K:], 0))
            captured = float(np.sum(Xs * (Z @ Xs)))
        else:
            rank = 4 * K if self.rank == "auto" else self.rank
            _, start, _ = _backend.kmeans(Xs, K, random_state=rng.randint(np.iinfo(np.int32).max))
            U, _, self.n_iter_, self.converged_ = solve_nlr(
                Xs[None],
                np.zeros((1, n)),
                np.zeros(1),
                partition_factor(start, K, min(rank, n), rng)[None],
                np.array([float(K)]),
                tol=self.tol or 1e-4,
                max_iter=self.max_iter or 50_000,
                verbose=self.verbose,
            )
            U = U[0]
            self.membership_ = U
            left, sing, _ = np.linalg.svd(U, full_matrices=False)
            embed = left[:, :K] * sing[:K]
            captured = float(np.linalg.norm(Xs.T @ U) ** 2)
        self.solver_ = solver
        with np.errstate(over="ignore"):  # inf where the data's squares are
            self.objective_ = (n - captured) * scale * scale  # tr(Xs^T Xs) = n
        rounded = self._round(embed, K, rng) if K > 1 else np.zeros(n, dtype=np.intp)
        self._rounded = rounded  # the relaxation's own partition: iLA-SDP starts from it
        centres = np.array([Xs[rounded == k].mean(axis=0) for k in range(rounded.max() + 1)])
        self.cluster_centers_ = centres * scale + offset
        return self._label(X)

    def _label(self, X):
        """``labels_`` as predict's (scikit-learn's KMeans ends on the same E-step: a row
        the rounding put with a farther mean goes to the nearest) and ``inertia_``, as
        scikit-learn's: the sum of squared distances to the closest centre."""
        labels, sq_dist = _backend.nearest_center(X, self.cluster_centers_)
        self.labels_ = np.asarray(labels)
        with np.errstate(over="ignore"):
            self.inertia_ = float(np.sum(sq_dist))
        return self

    @blockwise(dtype=np.intp)
    def predict(self, X):
        """Index of the nearest rounded cluster's mean for each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = check_float64(self, X, reset=False)[0]
        centres = np.asarray(self.cluster_centers_, np.float64)
        return np.asarray(_backend.nearest_center(X, centres)[0])

    def _round(self, embed, K, rng):
        _, best, _ = _backend.kmeans(embed, K, random_state=rng, tol=1e-8, n_init=self.n_init)
        # clusters the rounding left empty cannot have a centre: renumber what exists
        _, labels = np.unique(best, return_inverse=True)
        return labels.astype(np.intp)
