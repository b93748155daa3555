"""Iterative likelihood-adjusted SDP (iLA-SDP, Zhuang, Chen & Yang, ICML 2023): the SDP
relaxation of k-means extended to Gaussian clusters of different shapes."""

import copy
import math
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.linalg
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .. import _backend
from ..utils._dask import blockwise
from ..utils.validation import (
    RANDOM_STATE,
    check_covariance_scale,
    check_float64,
    check_random_state,
)
from ._mixture import (
    COVARIANCE_TYPES,
    MIXTURE_ATTRIBUTES,
    Atoms,
    Mixture,
    MixtureScoreMixin,
    _row_step,
    constrain,
    fitted_mixture,
    iterate_em,
    n_parameters,
)
from ._sdp import SDPKMeans, _fit_sketched, _unit_trace
from ._sdp_solvers import _project_u, lifted_costs, solve_admm_lifted, solve_nlr

# the final EM on the observed likelihood: scikit-learn's tolerance of 1e-3 stopped it
# 0.5-5 points of error short of the maximum on overlapping clusters
_REFINE_TOL = 1e-6
_REFINE_MAX_ITER = 1000


class LikelihoodAdjustedSDP(MixtureScoreMixin, ClusterMixin, BaseEstimator):
    """Iterative likelihood-adjusted SDP (iLA-SDP) for Gaussian clusters of different shapes.

    Zhuang, Chen & Yang (ICML 2023) extend the SDP relaxation of k-means to Gaussian
    mixtures with cluster-specific covariances: the labels are parameters, the assignment
    is lifted to one membership matrix per cluster, and the method alternates
    likelihood-adjusted SDPs with parameter updates. No centroid is estimated inside the
    SDP, so the start matters less than for EM (but see below).

    With ``Z_k = 1_{G_k} 1_{G_k}^T / |G_k|`` and the means profiled out, minus twice the
    classification log-likelihood is linear in the ``Z_k``::

        sum_k <C_k, Z_k>,  C_k[i, j] = ||x_i - x_j||^2_{Sigma_k^-1} / 2
                                       + log det Sigma_k - 2 log pi_k

    so each iteration solves, for fixed ``(pi_k, Sigma_k)``, ``min sum_k <C_k, Z_k>`` over
    ``Z_k`` PSD, ``Z_k >= 0``, ``tr Z_k = 1`` and ``sum_k Z_k 1 = 1``, then minimises the
    same objective over the parameters in closed form::

        w_k = Z_k 1,  n_k = 1^T w_k,  pi_k = n_k / n,  mu_k = X^T w_k / n_k,
        Sigma_k = X^T (diag(w_k) - Z_k) X / n_k

    With ``proportions="equal"`` every ``pi_k`` stays ``1 / K`` and the ``log pi_k`` term is
    a constant: the likelihood of the labels as parameters and nothing else, whose case of
    one identity covariance for every cluster is exactly the Peng-Wei SDP of
    :class:`SDPKMeans`. Estimated proportions let a cluster's size enter its cost, which
    helps when the true sizes differ and, like every classification likelihood with
    proportions, pulls towards unequal sizes when they do not (``benchmarks/RESULTS.md``:
    equal proportions gain up to 2.2 points of error on clusters of equal size, estimated
    ones up to 3.9 points on sizes 1:3). The abstract of the paper does not settle which it
    uses; "estimated" is the default, the safer of the two when sizes are unknown.

    (``diag(w_k) - Z_k`` is the Laplacian of a nonnegative matrix, so Sigma_k is PSD; for a
    partition these are the cluster's mean and covariance). Each step lowers the objective,
    so the iteration stops when it changes by less than ``tol`` relatively or the labels
    stop changing.

    The iteration only descends from its start, and a start is a partition. From the k-means
    SDP's alone (``init="sdp"``) it stayed where that partition split a large elongated
    cluster and merged a small one with a neighbour (errors 0.23-0.33 where EM reached
    0.01-0.14). ``init="best"`` therefore gathers candidate partitions (the k-means SDP's and
    those of EM fits from it and from ``n_starts`` k-means starts) and starts from the one with the
    smallest objective at its partition matrix: minus twice the profiled classification
    log-likelihood, the quantity the method minimises, plus what that in-sample value owes
    to its own fit (the expected excess of the same quantity on new rows of the fitted
    Gaussians; see ``start_objectives_``), so the choice needs no labels. Without that
    correction, in 50 dimensions with 100 rows per cluster, EM partitions holding a cluster
    of about 50 rows won on their near-singular covariances (errors 0.49-0.52 where the
    SDP's start gave 0.15-0.17); in low dimension the correction is a fraction of a percent.
    Twenty EM candidates, not ten: a good basin was reached by 20-40% of single EM starts on
    four rotated clusters in 20-D, and ten candidates missed it on 2 of 20 draws.

    A classification likelihood is biased where clusters overlap (the hard assignment cuts
    the tails off each covariance): from EM's own solution the iteration moved 0.5-1.2
    points of error away from it. ``refine="em"`` ends with EM on the observed (mixture)
    likelihood from the fitted parameters, run to convergence, and labels every row by the
    refined mixture's most likely cluster, as :meth:`predict` does: the paper's goal is the
    observed likelihood, and the iteration's role is the basin it starts EM in. Where
    clusters are well separated the refinement changes nothing. ``benchmarks/RESULTS.md``
    compares the defaults with EM over 20 draws of 16 settings of two generators.

    Parameters
    ----------
    n_clusters : int, default=2
        Number of clusters K; K = 1 fits one Gaussian.
    covariance_type : {"auto", "full", "diag", "spherical"}, default="auto"
        Form of each cluster's covariance, as in scikit-learn's GaussianMixture. The paper's
        model has full covariances; "auto" fits each form (from the same random draws) and
        keeps the one whose final partition has the smallest corrected objective, the
        score that also chooses the start (``start_objectives_``): the profiled
        classification likelihood plus its expected excess on new rows, which charges a
        full covariance ``d (n_k + 1) / (n_k - d - 2) - d`` per row of a cluster of
        ``n_k`` rows. Measured (``benchmarks/RESULTS.md``, 20 draws): four spherical
        clusters of 100 rows in 50-D, error 0.176 with full covariances, 0.014 with the
        form chosen (EM with ten starts: 0.361); four rotated clusters in 20-D, full kept on
        every draw. BIC, tried first, chose spherical covariances on 11 of those 20
        rotated draws (error 0.061 against 0.020). Costs three fits.
    proportions : {"estimated", "equal"}, default="estimated"
        Mixing proportions in the likelihood: re-estimated as ``n_k / n`` at every
        iteration, or held at ``1 / K`` (clusters of about equal size; see above). Also the
        prior of :meth:`predict` and :meth:`predict_proba`.
    solver : {"lowrank", "admm"}, default="lowrank"
        ``"lowrank"``: one nonnegative factor per cluster, ``Z_k = U_k U_k^T`` (O(n d rank)
        per step, no n x n array). ``"admm"``: the exact ADMM on the K dense n x n
        matrices (K eigendecompositions per step: a few hundred rows), the reference the
        low-rank solver is tested against.
    rank : int, default=2
        Columns of each cluster's nonnegative factor ``Z_k = U_k U_k^T`` (low rank).
    reg_covar : float, default=1e-6
        Added to the diagonal of each covariance (in units of the data's mean variance).
    tol : float, default=1e-4
        Relative tolerance of the low-rank SDP solver; the outer loop stops when the
        objective changes by less than ``tol`` relatively.
    max_iter : int, default=20
        Outer iterations (SDP then parameters).
    n_init : int, default=10
        K-means restarts of the initial SDP k-means rounding.
    init : {"best", "sdp"}, default="best"
        The start of the iteration: ``"best"``, the candidate partition (the k-means SDP's,
        and the MAP partitions of EM fits in the estimator's model from the SDP's partition
        and from ``n_starts`` k-means partitions, with scikit-learn GaussianMixture's
        defaults: tolerance 1e-3, 100 iterations) with the smallest score
        (``start_objectives_``);
        ``"sdp"``, the k-means SDP's partition alone (the only start before ``init`` existed).
    n_starts : int, default=20
        EM candidates from k-means partitions of ``init="best"`` (one more starts from the
        SDP's partition); 0 keeps the k-means SDP's partition and its EM fit.
    refine : {"em", "none"}, default="em"
        ``"em"``: finish with EM on the observed likelihood from the fitted parameters
        (tolerance 1e-6 on the mean log-likelihood, at most 1,000 iterations) and label by
        the refined mixture. ``"none"``: the iteration's own parameters, and labels
        ``argmax_k (Z_k 1)_i``.
    sketch_size : int or None, default=None
        Sketch-and-lift for large n (after Zhuang, Chen & Yang, AISTATS 2022, who propose it
        for the k-means SDP): fit on a uniform random subsample of this many rows, then give
        every row (the sketch's included) the fitted mixture's most likely cluster
        (``predict``). None (or a size of at least n_samples) fits on all rows.
    random_state : int, RandomState instance or None, default=None
    verbose : int, default=0
        1: the objective and the relabelled count per outer iteration; 2: solver progress.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        ``predict(X)``: each row's most likely cluster under the fitted mixture (refined
        by EM with ``refine="em"``). With ``refine="none"`` this is the row's
        ``argmax_k (Z_k 1)_i`` (the cluster whose membership holds most of it), except
        for rows that the fitted Gaussians put elsewhere.
    membership_ : ndarray of shape (n_samples, n_clusters)
        The soft memberships ``(Z_k 1)_i`` (rows sum to 1 up to the solver's tolerance); of
        the sketch's rows when there is one.
    sketch_indices_ : ndarray of shape (sketch_size,) or None
        The rows of the sketch (sorted), None when every row was fitted on.
    weights_ : ndarray of shape (n_clusters,)
        Mixing proportions: the clusters' shares of the rows, or 1 / K each with
        ``proportions="equal"``.
    means_ : ndarray of shape (n_clusters, n_features)
    covariance_type_ : str
        The covariance form kept: ``covariance_type``, or the one "auto" chose.
    covariance_scores_ : dict
        The corrected objective (per sample, on the data scaled to unit mean squared norm)
        of each form's final partition; the smallest is kept.
    covariances_ : ndarray of shape (n_clusters, n_features, n_features)
        Full matrices whatever ``covariance_type`` (diagonal ones for "diag" and
        "spherical"), in the data's units.
    objective_ : float
        Minus twice the classification log-likelihood of the last relaxation (constant
        ``n d log(2 pi)`` dropped), per sample.
    start_objectives_ : ndarray of shape (n_candidates,)
        The score of each candidate start (per sample, on the data scaled to unit mean
        squared norm): the profiled objective plus ``sum_k n_k (d (n_k + 1) / (n_k - 1 - m)
        - d) / n`` (m = d + 1, 2 or 2 / d for full, diagonal or spherical covariances; the
        mean excess of the Mahalanobis term on new rows, from the inverse-Wishart and
        inverse-chi-square means), infinite for a cluster too small to estimate. The k-means
        SDP's partition first, then the EM candidates that hold every cluster (from the SDP's
        partition, then from the k-means partitions).
    start_ : int
        Index of the candidate the iteration started from: the smallest score (the SDP's
        when every score is infinite).
    refine_iter_ : int
        EM iterations of the refinement (``refine="em"``; 0 if it failed and the
        iteration's parameters were kept).
    n_iter_ : int
        Outer iterations run.
    converged_ : bool
    n_features_in_ : int

    See Also
    --------
    SDPKMeans : the equal-covariance case, which this estimator starts from.

    Notes
    -----
    The paper's full text could not be consulted when this was written: the formulation
    above follows its abstract (labels as parameters, group-specific membership matrices,
    SDPs alternating with parameter updates, no centroids) and is derived here; the
    choices the derivation leaves open are these. Start: see ``init`` above (the
    k-means SDP's partition, by :class:`SDPKMeans`' low-rank solver, is always a candidate).
    Each SDP is solved by the nonnegative low-rank method of :class:`SDPKMeans` with one
    factor per cluster, warm started from the previous iteration (``solver="admm"``: by
    ``solve_admm_lifted``, exactly). A cluster with fewer
    effective points than ``n_features + 1`` gets its covariance shrunk towards the
    data's mean variance (a conjugate-prior weight making up the missing points), with a
    warning. ``predict`` uses the fitted Gaussian likelihoods.

    Examples
    --------
    >>> from skcluster.cluster import LikelihoodAdjustedSDP
    >>> from skcluster.datasets import make_heterogeneous_mixture
    >>> X, y = make_heterogeneous_mixture(400, n_features=2, separation=8, random_state=0)
    >>> ila = LikelihoodAdjustedSDP(n_clusters=2, random_state=0).fit(X)
    >>> from skcluster.metrics import clustering_accuracy
    >>> bool(clustering_accuracy(y, ila.labels_) > 0.95)
    True
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "covariance_type": [StrOptions({"auto", *COVARIANCE_TYPES})],
        "proportions": [StrOptions({"estimated", "equal"})],
        "solver": [StrOptions({"lowrank", "admm"})],
        "rank": [Interval(Integral, 1, None, closed="left")],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions({"best", "sdp"})],
        "n_starts": [Interval(Integral, 0, None, closed="left")],
        "refine": [StrOptions({"em", "none"})],
        "sketch_size": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": RANDOM_STATE,
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_clusters=2,
        *,
        covariance_type="auto",
        proportions="estimated",
        solver="lowrank",
        rank=2,
        reg_covar=1e-6,
        tol=1e-4,
        max_iter=20,
        n_init=10,
        init="best",
        n_starts=20,
        refine="em",
        sketch_size=None,
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.covariance_type = covariance_type
        self.proportions = proportions
        self.solver = solver
        self.rank = rank
        self.reg_covar = reg_covar
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.init = init
        self.n_starts = n_starts
        self.refine = refine
        self.sketch_size = sketch_size
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Alternate likelihood-adjusted SDPs and parameter updates on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        self : LikelihoodAdjustedSDP
        """
        # validated here too: as KMeansSMOTE's kmeans_estimator, the sampler's fit_resample
        # skips the validation of nested estimators
        self._validate_params()
        return _fit_sketched(self, X, (*MIXTURE_ATTRIBUTES, "membership_"))

    def _solve(self, X, rng):
        """iLA-SDP on the rows of ``X`` for each covariance form asked for, each from the
        same random draws; keeps the form whose final partition has the smallest corrected
        objective (the score of the starts, ``start_objectives_``) and sets
        ``covariance_type_`` and ``covariance_scores_``."""
        forms = COVARIANCE_TYPES if self.covariance_type == "auto" else [self.covariance_type]
        Xs = _unit_trace(X)[0]
        scores, best = {}, None
        for form in forms:
            self._fitting = self.covariance_type_ = form
            self._solve_form(X, copy.deepcopy(rng) if len(forms) > 1 else rng)
            with warnings.catch_warnings():  # a cluster too small for a form: scored inf
                warnings.simplefilter("ignore", UserWarning)
                fitted = self._partition_objective(Xs, self.labels_)
                scores[form] = float(fitted + self._fit_penalty(self.labels_, X.shape[1]))
            if best is None or scores[form] < scores[best[0]]:
                best = (form, {k: v for k, v in vars(self).items() if k.endswith("_")})
        vars(self).update(best[1])
        self.covariance_scores_ = scores
        del self._fitting

    @property
    def _form(self):
        """The covariance form in use: the one being fitted, else the one kept by the last
        fit, else the one asked for ("auto" starts with full)."""
        form = vars(self).get("_fitting", getattr(self, "covariance_type_", None))
        form = form or self.covariance_type
        return "full" if form == "auto" else form

    def _solve_form(self, X, rng):
        """iLA-SDP on the rows of ``X`` with the covariance form being fitted: every fitted
        attribute but the sketch."""
        n, d = X.shape
        K = self.n_clusters
        Xs, center, scale = _unit_trace(X)
        check_covariance_scale(self, scale)
        if K == 1:  # one Gaussian: no assignment to relax
            U = np.full((1, n, 1), 1.0 / math.sqrt(n))
            weights, means, covs = self._parameters(Xs, U)
            Xw, q, offsets = self._costs(Xs, weights, covs)
            objective = self._objective(Xw, q, offsets, U, _memberships(U)) / n
            return self._store(X, U, weights, means, covs, objective, 0, True, center, scale)
        U, objective, it, converged = self._iterate(Xs, self._start_labels(Xs, rng), rng)
        weights, means, covs = self._parameters(Xs, U)
        if self.refine == "em":
            refined, self.refine_iter_ = self._em(
                Xs, (weights, means, covs), _REFINE_TOL, _REFINE_MAX_ITER
            )
            weights, means, covs = refined or (weights, means, covs)
        return self._store(X, U, weights, means, covs, objective, it, converged, center, scale)

    def _iterate(self, Xs, labels, rng):
        """iLA-SDP from the partition ``labels``: SDPs alternating with parameter updates.
        Returns the factors, the objective per row, the outer iterations and convergence."""
        n, K = Xs.shape[0], self.n_clusters
        U = self._start(labels, K, min(self.rank, n), rng)
        y_dual = None
        previous = np.inf
        converged = False
        for it in range(1, self.max_iter + 1):
            weights, _, covs = self._parameters(Xs, U)
            Xw, q, offsets = self._costs(Xs, weights, covs)
            if self.solver == "admm":
                U, n_inner = self._solve_exact(Xw, q, offsets)
            else:
                U, y_dual, n_inner, _ = solve_nlr(
                    Xw,
                    q - q.min(axis=0),  # a common per-row shift is constant on the feasible set
                    offsets - offsets.min(),
                    U,
                    np.ones(K),
                    tol=self.tol,
                    y0=y_dual,
                    verbose=max(0, self.verbose - 1),
                    name="LikelihoodAdjustedSDP",
                )
            w = _memberships(U)
            objective = self._objective(Xw, q, offsets, U, w) / n
            new_labels = np.argmax(w, axis=1)
            changed = int((new_labels != labels).sum())
            labels = new_labels
            if self.verbose:
                print(
                    f"[LikelihoodAdjustedSDP] iteration {it}: objective {objective:.6f}, "
                    f"{changed} labels changed, {n_inner} solver steps"
                )
            if abs(previous - objective) <= self.tol * max(1.0, abs(objective)) or changed == 0:
                converged = True
                break
            previous = objective
        return U, objective, it, converged

    def _start_labels(self, Xs, rng):
        """The partition the iteration starts from (see ``init``): the k-means SDP's, or the
        candidate with the smallest profiled objective."""
        K = self.n_clusters
        seed = rng.randint(np.iinfo(np.int32).max)
        sdp = SDPKMeans(K, solver="lowrank", tol=self.tol, n_init=self.n_init, random_state=seed)
        # the rounding itself, not labels_ (its nearest-mean E-step): 0.009 more error at
        # d = 50 (het, K = 4) with the E-step's partition
        candidates = [sdp.fit(Xs)._rounded]
        if self.init == "best":
            # EM (scikit-learn GaussianMixture's defaults) from the SDP's partition, then from
            # n_starts k-means partitions. The SDP's own EM candidate matters in high dimension:
            # its partition may hold a cluster too small to score (infinite penalty) while EM
            # from it is the best start (het d=50, K=4: 0.21 error against 0.30 without it)
            starts = [candidates[0]] + [
                _backend.kmeans(Xs, K, random_state=rng.randint(np.iinfo(np.int32).max))[1]
                for _ in range(self.n_starts)
            ]
            for start in starts:
                with warnings.catch_warnings():  # an empty k-means cluster is shrunk: no news
                    warnings.simplefilter("ignore", UserWarning)
                    parameters = self._parameters(Xs, _indicator_factors(start, K))
                mix, _ = self._em(Xs, parameters, 1e-3, 100)
                if mix is not None:
                    candidates.append(np.argmax(_log_joint(Xs, *mix), axis=1))
        # a start must hold every cluster; the SDP's is kept whatever its rounding gave
        candidates = [candidates[0]] + [c for c in candidates[1:] if len(np.unique(c)) == K]
        self.start_objectives_ = np.array(
            [
                self._partition_objective(Xs, c) + self._fit_penalty(c, Xs.shape[1])
                for c in candidates
            ]
        )
        self.start_ = int(np.argmin(self.start_objectives_))
        return candidates[self.start_]

    def _em(self, Xs, parameters, tol, max_iter):
        """EM on the observed likelihood in the estimator's model (covariance form, fixed or
        estimated proportions) from ``(weights, means, covariances)``. Returns the fitted
        parameters (None if a covariance degenerates, possible with ``reg_covar=0``) and the
        iterations."""
        K = self.n_clusters
        atoms = Atoms(np.ones(Xs.shape[0]), Xs)
        rows = _backend.check_rows(Xs)

        def step(mix):
            mean_loglik, new = _row_step(atoms, mix, self.reg_covar, rows)
            weights = new.weights if self.proportions == "estimated" else np.full(K, 1.0 / K)
            covariances = constrain(new.covariances, self._form)
            return mean_loglik, Mixture(weights, new.means, covariances)

        try:
            mix, n_iter, _ = iterate_em(step, Mixture(*parameters), tol=tol, max_iter=max_iter)
        except (np.linalg.LinAlgError, ValueError):
            return None, 0
        return (mix.weights, mix.means, mix.covariances), n_iter

    def _fit_penalty(self, labels, d):
        """What the profiled objective of a partition owes to its own fit, per row: the
        expected objective on new rows from the same Gaussians, at the fitted parameters,
        replaces the in-sample ``d`` per row of cluster k by ``d (n_k + 1) / (n_k - 1 - m)``
        (m = d + 1 full, 2 diagonal, 2 / d spherical covariances: the inverse-Wishart and
        inverse-chi-square means). Infinite for a cluster too small to estimate."""
        m = {"full": d + 1.0, "diag": 2.0, "spherical": 2.0 / d}[self._form]
        sizes = np.bincount(labels, minlength=self.n_clusters).astype(float)
        room = sizes - 1.0 - m
        if np.any(room <= 0):
            return np.inf
        return float(np.sum(sizes * (d * (sizes + 1.0) / room - d))) / len(labels)

    def _partition_objective(self, Xs, labels):
        """The objective (per row) at the partition matrix of ``labels``: minus twice the
        profiled classification log-likelihood of that hard partition."""
        U = _indicator_factors(labels, self.n_clusters)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            weights, _, covs = self._parameters(Xs, U)
        Xw, q, offsets = self._costs(Xs, weights, covs)
        return self._objective(Xw, q, offsets, U, _memberships(U)) / len(labels)

    def _solve_exact(self, Xw, q, offsets):
        """The SDP by the exact ADMM on the dense costs, returned as factors: each Z_k = U_k
        U_k^T from its eigendecomposition (columns padded with zeros to a common count)."""
        Z, n_inner, _ = solve_admm_lifted(
            lifted_costs(Xw, q, offsets), tol=self.tol, verbose=max(0, self.verbose - 1)
        )
        factors = []
        for Zk in Z:
            vals, vecs = np.linalg.eigh(Zk)
            keep = vals > 1e-12 * max(vals[-1], 1e-300)
            factors.append(vecs[:, keep] * np.sqrt(vals[keep]))
        U = np.zeros((len(Z), Z.shape[1], max(f.shape[1] for f in factors)))
        for k, f in enumerate(factors):
            U[k, :, : f.shape[1]] = f
        return U, n_inner

    def _store(self, X, U, weights, means, covs, objective, n_iter, converged, center, scale):
        """Fitted attributes in the data's units."""
        d = X.shape[1]
        self.n_iter_, self.converged_ = n_iter, converged
        self.objective_ = objective + 2 * d * math.log(scale)
        self.membership_ = _memberships(U)
        self.weights_ = weights
        self.means_ = means * scale + center
        self.covariances_ = covs * scale**2
        return self._label(X)

    def _label(self, X):
        # each row's most likely cluster under the (refined) mixture, as predict: with
        # refine="none" the SDP's own argmax, up to rows the fitted Gaussians assign elsewhere
        self.labels_ = self._most_likely(X)
        return self

    def _most_likely(self, X):
        return np.argmax(self._log_joint(X), axis=1).astype(np.intp)

    def _log_joint(self, X):  # in float64, float32 attributes widened
        mix = fitted_mixture(self)
        return _log_joint(X, mix.weights, mix.means, mix.covariances)

    @staticmethod
    def _start(labels, K, rank, random_state):
        """One factor per cluster: its normalised indicator, spare columns small, ||U_k|| = 1.

        K is given, not read off the labels: a rounding may leave a cluster empty, and its
        factor then starts from the small spare entries alone."""
        rng = check_random_state(random_state)
        n = len(labels)
        U = 0.01 * rng.random_sample((K, n, rank)) / math.sqrt(n)
        for k in range(K):
            members = labels == k
            if members.any():
                # noise on the indicator's own column linked every row to the cluster and
                # put 60-220% on its first covariance; only the spare columns get it
                U[k, :, 0] = members / math.sqrt(members.sum())
            U[k] = _project_u(U[k], 1.0)
        return U

    def _parameters(self, Xs, U):
        """Closed-form minimisers of the objective over (pi_k, mu_k, Sigma_k), Z_k = U_k U_k^T."""
        n, d = Xs.shape
        K = U.shape[0]
        w = _memberships(U)
        nk = np.maximum(w.sum(axis=0), 1e-10)
        weights = nk / nk.sum() if self.proportions == "estimated" else np.full(K, 1.0 / K)
        means = (w.T @ Xs) / nk[:, None]
        XtU = [Xs.T @ U[k] for k in range(K)]  # X^T Z_k X = (X^T U_k)(X^T U_k)^T
        covs = np.empty((K, d, d))
        for k in range(K):
            scatter = (Xs * w[:, k : k + 1]).T @ Xs - XtU[k] @ XtU[k].T
            if nk[k] < d + 1:  # too few points for a covariance: shrink towards the mean variance
                warnings.warn(
                    f"cluster {k} holds {nk[k]:.1f} effective points for {d} features; its "
                    "covariance is shrunk towards the data's mean variance.",
                    UserWarning,
                    stacklevel=3,
                )
                scatter = scatter + (d + 1 - nk[k]) * np.eye(d) / d
                cov = scatter / (d + 1)
            else:
                cov = scatter / nk[k]
            covs[k] = (cov + cov.T) / 2 + self.reg_covar * np.eye(d)
        return weights, means, constrain(covs, self._form)

    @staticmethod
    def _costs(Xs, weights, covs):
        """Each cluster's cost by its factors: whitened rows, their squared norms, offset."""
        chol = [np.linalg.cholesky(c) for c in covs]
        # x^T Sigma^-1 x = ||L^-1 x||^2 with Sigma = L L^T
        Xw = np.stack([scipy.linalg.solve_triangular(L, Xs.T, lower=True).T for L in chol])
        q = np.einsum("kid,kid->ki", Xw, Xw)
        log_det = np.array([2 * np.log(np.diag(L)).sum() for L in chol])
        offsets = log_det - 2 * np.log(np.maximum(weights, 1e-300))
        return np.ascontiguousarray(Xw), q, offsets

    @staticmethod
    def _objective(Xw, q, offsets, U, w):
        """sum_k <C_k, U_k U_k^T> without forming C_k."""
        total = 0.0
        for k in range(len(offsets)):
            G = Xw[k].T @ U[k]
            total += float(q[k] @ w[:, k]) - float((G * G).sum()) + offsets[k] * w[:, k].sum()
        return total

    @blockwise(lambda self: len(self.weights_), dtype=None)
    def predict_proba(self, X):
        """Posterior probability of each cluster under the fitted Gaussian mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_clusters)
        """
        check_is_fitted(self)
        X, dtype = check_float64(self, X, reset=False)
        return _backend.logsumexp(self._log_joint(X), responsibilities=True)[1].astype(dtype)

    @blockwise(dtype=None)
    def score_samples(self, X):
        """Log-likelihood of each row of ``X`` under the fitted Gaussian mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X, dtype = check_float64(self, X, reset=False)
        return np.asarray(_backend.logsumexp(self._log_joint(X))).astype(dtype)

    def _n_parameters(self):
        K, d = self.means_.shape
        fixed_weights = 0 if self.proportions == "estimated" else K - 1
        return n_parameters(K, d, self.covariance_type_) - fixed_weights

    @blockwise(dtype=np.intp)
    def predict(self, X):
        """The most likely cluster of each row under the fitted Gaussian mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self._most_likely(check_float64(self, X, reset=False)[0])


def _log_joint(X, weights, means, covariances):
    """``log pi_k + log N(x | mu_k, Sigma_k)`` of each row and cluster."""
    log_prob = np.asarray(_backend.gaussian_log_density(X, means, covariances))
    return log_prob + np.log(np.maximum(weights, 1e-300))


def _indicator_factors(labels, K):
    """One rank-one factor per cluster, ``U_k = 1_{G_k} / sqrt(|G_k|)``: ``U_k U_k^T`` is the
    partition's normalised membership matrix (an empty cluster's factor is zero)."""
    n = len(labels)
    sizes = np.bincount(labels, minlength=K)
    U = np.zeros((K, n, 1))
    U[labels, np.arange(n), 0] = 1.0 / np.sqrt(sizes[labels])
    return U


def _memberships(U):
    """Soft memberships ``(Z_k 1)_i = U_k[i] . (U_k^T 1)``, shape (n, K)."""
    return np.einsum("kir,kr->ik", U, U.sum(axis=1))


ILASDP = LikelihoodAdjustedSDP
