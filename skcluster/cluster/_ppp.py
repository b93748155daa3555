"""Probabilistic Partitive Partitioning (PPP): k-means partitions validated by a Gaussian
mixture, the number of clusters found by the data, the same answer for every seed.

The estimator, its reduction of the rows to cells and its dask fit; the divisive path of
Gaussian components is in ``_ppp_path``, the mixtures' EM in ``_mixture``."""

import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted

from .. import _backend
from ..utils._dask import blockwise, check_dask_array, is_dask_collection
from ..utils._progress import log
from ..utils.validation import (
    RANDOM_STATE,
    cast_attributes,
    centre_and_scale,
    check_covariance_scale,
    check_float64,
    check_random_state,
    float_dtype,
)
from ._mixture import (
    COVARIANCE_TYPES,
    MIXTURE_ATTRIBUTES,
    Atoms,
    MixtureScoreMixin,
    bhattacharyya,
    e_step,
    em_update,
    entropy,
    fitted_mixture,
    information_criterion,
    iterate_em,
    mixture_modes,
    n_parameters,
    one_gaussian,
)
from ._ppp_path import _END, _DivisivePathMixin, _held, _StepsAhead, _Tally

# a fixed direction for the canonical row order (any generic vector will do)
_SORT_SEED = 20200311
# From this many features the full form's path walks only once full covariances pay on
# the cheaper forms' best mixtures: there a full step costs over 20 times a diagonal one
# (O(d^2) per row and component through BLAS against O(d); measured at 34 features).
_GATED_FULL_FEATURES = 32


class ProbabilisticPartitivePartitioning(
    _DivisivePathMixin, MixtureScoreMixin, ClusterMixin, BaseEstimator
):
    """Probabilistic Partitive Partitioning: divisive k-means validated by Gaussian mixtures.

    PPP (Sultan, 2020) combines a combinatorial clusterer, k-means, which proposes partitions,
    with a probabilistic one, a Gaussian mixture, which validates them. It needs no number of
    clusters and returns the same clustering whatever the seed. Only the paper's abstract can
    be read from here (its goals: repeatable, no k given, large data through a reduced input
    space); what follows is our algorithm for those goals, chosen by measurement on the 28
    sets of the clustering-benchmarks development suite against a ``GaussianMixture`` BIC
    sweep (``benchmarks/bench_ppp_quality.py``, RESULTS.md):

    1. **Reduce.** Rows are put in a canonical order (so a row permutation changes nothing)
       and, when ``min(50 * sqrt(n), max_cells)`` cells are at most a quarter of them,
       split into that many cells by recursive principal-direction bisection of the cell
       with the largest sum of squares (deterministic, no seed): from 32,000 rows with the
       defaults. Each cell is kept as its count, mean and covariance; the next stage works
       on cells, not rows. A cell costs about four times a row in the path (its covariance
       enters every E-step, and its proposals and fits run through NumPy, not one backend
       call each): on 25 sets of 2,300-10,000 rows held out from the development suite,
       cells (then from 2,500 rows) took 45.7 s and rows 11.8 s, at mean ARI 0.545 and
       0.544.
    2. **Divisive path, validated globally.** From one Gaussian, each step proposes a
       2-means split of every component's rows (seeded along its principal direction, Lloyd
       through the backend, then a two-component EM), refits the *whole* mixture by EM from
       the proposal with the largest local gain and, when seven or more gain, from the
       better half of those at once, and keeps the fit with the better ``criterion``. (One
       split a step takes 100 steps to 100 groups and stalled on ``birch1`` at 85 clusters,
       ARI 0.69, with components fitting crossing rows and columns of its grid of groups;
       half at once: 100 clusters, ARI 0.96, in less time. All at once over-split round
       groups. Refitting from the three proposals of largest gain, as before, took 1.5 times
       as long on the development suite for a mean ARI 0.017 lower.) The path goes on
       ``patience`` steps past the last best mixture with more components than before, so
       that a first split that does not pay (many small groups) does not end the search,
       and the mixture with the best criterion along the path is kept. A step that only
       rearranges as many components (a split whose refit drops another component) counts
       towards patience even when it betters the criterion: on a 64-feature set held out
       from the suite the diagonal path spent 9 of its 20 steps at 8-10 components, each
       dropping a component of 60-63 rows that a split had made (2.8 -> 2.0 s, the same
       clusters). A split is judged against the whole mixture, not
       the cluster alone: judged alone, a half of a Gaussian is not Gaussian and splits
       again (36 clusters instead of 2 on a 1-D pair of Gaussians). Components that EM
       shrinks below ``min_cluster_size`` rows are dropped; after the path, the most
       overlapping pair of components is merged while that improves the criterion (splits at
       once can cut a group in two). The path runs for each covariance form (full, diagonal,
       spherical) and the form whose path reaches the best criterion is kept, as mclust
       chooses a model by BIC over forms and numbers of components: in many dimensions a
       full covariance costs so many parameters that BIC keeps one Gaussian where two
       spherical ones are plain (the suite's 64- and 128-dimensional pairs: ARI 0 -> 0.93
       and 1.0; the mean ARI over the suite 0.476 -> 0.600, the sweep's 0.463). From 32
       features on, where a full step costs over 20 times a diagonal one, the full form
       starts its path only once full covariances beat the cheaper forms' best so far with
       one Gaussian or refitted on that best mixture (mclust compares its models on one set
       of partitions), and not after ``patience`` such refits that did not improve: on
       the suite this changed no answer and took the 64- and 128-dimensional pairs from
       0.28 and 0.29 s to 0.09 and 0.16 s. The forms' paths are independent, and while
       the walk computes one path's step, a second thread (where Numba has two or more)
       computes the next step of another, taken when the walk gets to it: the same fit,
       reported in the same order, in 16% less time on the suite on 2 cores
       (``numba.set_num_threads(1)`` keeps a fit on one thread; paths that draw from one
       shared random generator, k-means++ splits without an int ``random_state``, step
       in turn). Every
       variance gets, besides ``reg_covar``, the variance of rounding to the data's
       resolution (``h^2 / 12``, ``h`` the smallest gap between a feature's values:
       Sheppard's correction), so that rows sharing a value (iris is given to 0.1 cm) cannot
       make a component of zero variance and unbounded likelihood.
    3. **Refine.** With cells, EM on the rows starts from the mixture on cells. This gives
       ``weights_``, ``means_`` and ``covariances_`` (``n_components_`` Gaussians).
    4. **Clusters are the modes** (``merge="modes"``). BIC fits a skewed, heavy-tailed or
       flat group with several Gaussians; the components whose means climb, by the modal EM
       fixed point of Li, Ray & Lindsay (2007), to the same mode of the fitted density form
       one cluster. Overlapping Gaussians stay apart as long as the density has a dip between
       them; no threshold is involved. ``merge=None`` makes each component a cluster.
    5. **Separability.** Bhattacharyya distances between clusters (``separability_``), a
       clusterability score (one minus the mean normalised entropy of the cluster
       posteriors, 0 for one cluster) and ``most_separable_``, the rows whose posterior for
       their cluster is at least ``confidence``.

    Parameters
    ----------
    max_clusters : int or "auto", default="auto"
        Most Gaussian components of the path; "auto" is ``max(100, sqrt(n_samples))``.
        The path usually stops before, ``patience`` steps past the best criterion.
    min_cluster_size : int or "auto", default="auto"
        Fewest rows a component may have (EM drops smaller ones); "auto" is
        ``n_features + 1``, the fewest rows that give a full-rank covariance. (Twice that,
        the former default, lost real groups of a few rows, e.g. the 5 rows of a class in
        the development suite's ``iris5``.)
    criterion : {"bic", "icl"}, default="bic"
        Criterion of the path; ICL adds the entropy of the assignment to BIC and so keeps
        fewer, clearly separated components (it missed overlapping pairs and stopped at one
        component on the 100-cluster ``birch1``, so it is not the default).
    covariance_type : {"auto", "full", "diag", "spherical"}, default="auto"
        Form of the components' covariances; "auto" runs the path for each and keeps the
        form with the best criterion (3 paths; a diagonal one costs O(n K d) per EM
        iteration, a full one O(n K d^2); from 32 features the full path runs only where
        full covariances pay on the cheaper paths' best mixtures, see step 2).
    patience : int, default=3
        Steps the path goes on after its last best mixture with more components than
        before (5 gave the same clusters on the development suite, at 1.5 times the time).
    merge : {"modes"} or None, default="modes"
        How components become clusters: by the modes of the fitted density, or one cluster
        per component.
    max_cells : int or None, default=8000
        Most cells of the reduction stage, which keeps ``min(50 * sqrt(n), max_cells)``
        cells when that is at most a quarter of the ``n`` rows and works on rows otherwise
        (below 32,000 rows with the default); None works on rows whatever ``n`` (exact EM
        throughout, at a cost per iteration proportional to ``n``).
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance, as in scikit-learn's ``GaussianMixture``
        but relative to the data's overall variance (PPP fits the rows centred and divided
        by their root mean square, so ``c * X`` gets the clusters of ``X``), besides the
        variance of rounding of step 2 (in-memory data; a dask array gets ``reg_covar``
        alone: its resolution would need a sort of every column). Data whose spread is
        beyond 1e+-150 is rejected: its covariances are not float64 numbers.
    tol : float, default=1e-3
        EM stops when the mean log-likelihood per row gains less than this.
    max_iter : int, default=200
        Most EM iterations of each fit (split validation, cell and row refinement).
    split_init : {"pca", "k-means++"}, default="pca"
        Seeds of each 2-means proposal: the two halves across the principal direction
        (deterministic), or k-means++ with ``random_state``. Random seeds give the same
        clusters on separated groups, not on overlapping ones (standardised iris: 2 clusters
        for half of ten seeds, 5 for the others), so the seedless default is the one that
        keeps the paper's promise of one answer.
    confidence : float in (0, 1), default=0.95
        Posterior at least this puts a row in ``most_separable_``.
    random_state : int, RandomState instance or None, default=None
        Only used by ``split_init="k-means++"``.
    verbose : int, default=0
        1 prints each stage and each step of the path, 2 every proposed split too.

    Attributes
    ----------
    n_clusters_ : int
        Number of clusters found.
    labels_ : ndarray of shape (n_samples,)
        Cluster of each training row (clusters are numbered by decreasing weight).
    n_components_ : int
        Number of Gaussian components of the fitted mixture (``n_clusters_`` or more).
    weights_, means_, covariances_ : ndarray
        The fitted mixture: (``n_components_``,), (``n_components_``, n_features) and
        (``n_components_``, n_features, n_features), grouped by cluster; covariances are
        full matrices whatever their form (diagonal ones hold zeros off the diagonal).
    covariance_type_ : str
        The covariance form kept: ``covariance_type``, or the one "auto" chose.
    component_labels_ : ndarray of shape (``n_components_``,)
        Cluster of each component.
    modes_ : ndarray of shape (``n_clusters_``, n_features)
        The mode of the fitted density that each cluster's components climb to (with
        ``merge=None``, the components' means).
    separability_ : ndarray of shape (``n_clusters_``, ``n_clusters_``)
        Bhattacharyya distance between clusters: the smallest between their components
        (larger: better separated).
    clusterability_ : float
        ``1 - mean(H(posterior)) / log(K)`` over training rows for the ``K`` clusters; 0
        when K is 1.
    most_separable_ : ndarray of int
        Training rows whose posterior for their cluster is at least ``confidence``.
    n_cells_ : int
        Number of cells the reduction stage used (``n_samples`` when it used rows).
    path_ : list of dict
        Every step of the divisive path of each form tried: the covariance form, the number
        of components and the criterion of the mixture kept at that step (lower is better).
        With ``covariance_type="auto"`` and 32 features or more, a full path that did not
        pay is absent.
    lower_bound_ : float
        Mean log-likelihood per training row of the final mixture.
    n_iter_ : int
        EM iterations of the whole fit: every refit of the paths (and of the full form's
        check from 32 features), on rows, of every merge.
    converged_ : bool
        Whether the last EM fit converged.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``, when ``X`` has string column names.

    See Also
    --------
    sklearn.mixture.GaussianMixture : a mixture with a given number of components; the usual
        alternative is a BIC sweep over that number.
    sklearn.cluster.BisectingKMeans : divisive k-means with a given number of clusters.

    Notes
    -----
    Cost: the reduction is O(n d^2 log(max_cells)), the divisive path depends on the number
    of cells only, and each row EM iteration is O(n K d^2). Memory is O(n d + n K); there is
    no n x n matrix. Measured on 2 cores: 200,000 x 16 from 20 Gaussians in 3.2 s,
    2,000,000 x 16 in 17 s; the 100,000-row, 100-cluster ``birch1`` in 8-11 s.

    References
    ----------
    M. Sultan, "Probabilistic Partitive Partitioning (PPP)", arXiv:2003.04372, 2020.

    J. Li, S. Ray and B. G. Lindsay, "A nonparametric statistical approach to clustering via
    mode identification", JMLR 8, 2007 (modal EM).

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from skcluster.cluster import PPP
    >>> X, y = make_blobs(600, centers=[[0, 0], [8, 0], [0, 8], [8, 8]], random_state=0)
    >>> ppp = PPP().fit(X)
    >>> ppp.n_clusters_
    4
    >>> ppp.predict_proba(X[:3]).shape
    (3, 4)
    >>> ppp.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        "max_clusters": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "min_cluster_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "criterion": [StrOptions({"bic", "icl"})],
        "covariance_type": [StrOptions({"auto", *COVARIANCE_TYPES})],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "merge": [StrOptions({"modes"}), None],
        "max_cells": [Interval(Integral, 2, None, closed="left"), None],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "split_init": [StrOptions({"pca", "k-means++"})],
        "confidence": [Interval(Real, 0, 1, closed="neither")],
        "random_state": RANDOM_STATE,
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        max_clusters="auto",
        min_cluster_size="auto",
        criterion="bic",
        covariance_type="auto",
        patience=3,
        merge="modes",
        max_cells=8000,
        reg_covar=1e-6,
        tol=1e-3,
        max_iter=200,
        split_init="pca",
        confidence=0.95,
        random_state=None,
        verbose=0,
    ):
        self.max_clusters = max_clusters
        self.min_cluster_size = min_cluster_size
        self.criterion = criterion
        self.covariance_type = covariance_type
        self.patience = patience
        self.merge = merge
        self.max_cells = max_cells
        self.reg_covar = reg_covar
        self.tol = tol
        self.max_iter = max_iter
        self.split_init = split_init
        self.confidence = confidence
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Find the clusters of ``X``.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
            At least two rows. A dask array (or dataframe) is fitted block by block,
            never gathered: each block is reduced to its share of the cells, and each EM
            iteration on the rows is one pass; ``labels_`` and ``most_separable_`` are then
            lazy dask arrays (see the user guide's Dask page).
        y : Ignored

        Returns
        -------
        self : object
        """
        start = time.perf_counter()
        # one BLAS thread: between EM's small products BLAS threads spin against the Numba
        # kernels' (the development suite ran 1.7x slower on 2 cores, small sets 3-4x)
        with _backend.single_blas_thread():
            if is_dask_collection(X):
                self._fit_dask(X)
            else:
                self._fit_array(X)
        return self._summary(start)

    def _fit_array(self, X):
        X, dtype = check_float64(self, X, reset=True, ensure_min_samples=2)
        n = X.shape[0]
        order = _canonical_order(X)
        # centred (accurate second moments) and of unit overall scale: reg_covar and the
        # tolerances are relative to the data's spread, and c * X gets the clusters of X
        Xs, self._offset, self._scale = centre_and_scale(X[order])
        check_covariance_scale(self, self._scale)
        self._reg = self.reg_covar + _quantisation_variance(_smallest_gaps(Xs))
        rows = Atoms(np.ones(n), Xs)
        n_cells = self._n_cells(n)
        atoms = rows if n_cells >= n else _reduce(Xs, n_cells)

        mix, resp, lower = self._fit_cells(atoms, n)
        min_size = self._min_size(X.shape[1])
        if atoms is not rows:  # EM on rows from the responsibilities under mix
            form = self.covariance_type_
            mix, resp, lower, it, _ = self._em(rows, None, form, init=mix)
            mix, resp, lower = self._prune(rows, mix, resp, lower, min_size, form)
            self._log(1, f"refinement on rows: {it} EM iterations")
            mix, resp, lower = self._merge(rows, mix, resp, lower, min_size, form)

        rank = self._set_mixture(mix, lower)
        post = np.empty((n, self.n_clusters_))
        post[order] = resp[:, rank] @ self._membership()  # rows back in the caller's order
        self.labels_ = post.argmax(axis=1)
        self.clusterability_ = _clusterability(entropy(post).mean(), self.n_clusters_)
        self.most_separable_ = np.flatnonzero(post.max(axis=1) >= self.confidence)
        cast_attributes(self, dtype, _FLOAT_ATTRIBUTES)

    def _summary(self, start):
        self._log(
            1,
            f"{self.n_components_} component(s) in {self.n_clusters_} cluster(s), "
            f"clusterability {self.clusterability_:.3f}, {time.perf_counter() - start:.1f} s",
        )
        return self

    def _fit_dask(self, X):
        """The same three stages on a dask array: each row block is reduced to cells (its
        share of ``max_cells``; below 32,000 rows in all, where cells would not pay, every
        block keeps its rows, with no covariances) in one pass, the divisive stage and the
        cell refinement run on all blocks' cells, then EM on rows adds up per-block sums,
        one pass per iteration (on rows kept as they are, a few iterations that confirm the
        path's fit). ``labels_`` and ``most_separable_`` stay lazy dask arrays."""
        import dask
        import dask.array as da

        X = check_dask_array(X)
        n, d = X.shape
        if n < 2:
            raise ValueError(f"Found array with {n} sample(s) while a minimum of 2 is required.")
        self.n_features_in_ = d
        n_cells = self._n_cells(n)
        quotas = [max(1, round(n_cells * m / n)) for m in X.chunks[0]]
        blocks = X.to_delayed().ravel()
        parts, gaps = zip(
            *dask.compute(
                *[dask.delayed(_block_cells)(b, q) for b, q in zip(blocks, quotas, strict=True)]
            ),
            strict=True,
        )
        weight = np.concatenate([p.weight for p in parts])
        mean = np.concatenate([p.mean for p in parts])
        # rows kept as they are carry no covariance (an (m, d, d) array of zeros per block
        # cost O(n d^2) memory: 1.9 GiB for 30,000 x 64); zeros only beside real cells
        cov = None
        if any(p.cov is not None for p in parts):
            cov = np.concatenate(
                [np.zeros((len(p.weight), d, d)) if p.cov is None else p.cov for p in parts]
            )
        self._offset = weight @ mean / n
        mean -= self._offset
        # the rows' overall spread from the cells' (the same scale as in-memory data)
        within = 0.0 if cov is None else np.einsum("kii->k", cov)
        spread = weight @ ((mean * mean).sum(axis=1) + within) / (n * d)
        self._scale = float(np.sqrt(spread)) if spread > 0 else 1.0
        check_covariance_scale(self, self._scale)
        # the rounding variance of the smallest gap within a block (a gap between two
        # blocks' values is not seen: on rounded data each block holds the resolution's
        # gap, on continuous data the variance is negligible either way)
        gaps = np.min(gaps, axis=0) / self._scale
        self._reg = self.reg_covar + _quantisation_variance(gaps)
        atoms = Atoms(weight, mean / self._scale, None if cov is None else cov / self._scale**2)

        mix = self._fit_cells(atoms, n)[0]
        min_size = self._min_size(d)

        def step(mix):  # one pass over the blocks: E-step sums, then the M-step
            stats = _backend.block_sums(X, _block_em_stats, self._offset, self._scale, mix)
            return em_update(mix, stats, n, self._reg, self.covariance_type_)

        def refit(mix):  # EM on rows from the responsibilities under mix
            lower, mix = step(mix)
            mix, it, self._em_converged = iterate_em(
                step, mix, tol=self.tol, max_iter=self.max_iter, start=1, lower=lower
            )
            self._em_iter += it
            return mix, it

        mix, it = refit(mix)
        while (smaller := self._without_smallest(mix, n, min_size)) is not None:
            mix = refit(smaller)[0]
        self._log(1, f"refinement on rows: {it} EM iterations")

        self._set_mixture(mix, None)
        ll, ent = _backend.block_sums(
            X, _block_ll_entropy, fitted_mixture(self), self._membership()
        )
        self.lower_bound_ = ll / n
        self.labels_ = self.predict(X)
        self.clusterability_ = _clusterability(ent / n, self.n_clusters_)
        proba = self.predict_proba(X)
        self.most_separable_ = da.flatnonzero(proba.max(axis=1) >= self.confidence)
        cast_attributes(self, float_dtype(X.dtype), _FLOAT_ATTRIBUTES)
        return self

    def _n_cells(self, n):
        """Atoms of the path: cells where they are at most a quarter of the rows (a cell
        costs about four times a row, step 1), else the ``n`` rows."""
        cap = n if self.max_cells is None else min(np.ceil(50 * np.sqrt(n)), self.max_cells)
        return int(cap) if 4 * cap <= n else n

    def _fit_cells(self, atoms, n):
        """The divisive path on the atoms (cells or rows), for each covariance form tried;
        sets ``covariance_type_`` to the form of the best criterion and returns its
        mixture, responsibilities and mean log-likelihood per row."""
        min_size = self._min_size(atoms.mean.shape[1])
        self.n_cells_ = len(atoms)
        self._log(1, f"{n} rows, {atoms.mean.shape[1]} features -> {len(atoms)} cells")
        self._em_iter, self._em_converged, self.path_ = 0, True, []
        forms = COVARIANCE_TYPES if self.covariance_type == "auto" else [self.covariance_type]
        gated = len(forms) > 1 and atoms.mean.shape[1] >= _GATED_FULL_FEATURES
        now = self._walk(atoms, n, min_size, forms, gated)

        def merged(form):
            with _held(_Tally()) as tally:
                return self._merge(atoms, *now[form][1][1], min_size, form), tally

        # each form's merges are independent: the last form's on a thread of the pool (one:
        # another stays free for the blocks of this thread's passes)
        forms = list(now)
        aside = _backend.run_aside(merged, forms[-1]) if len(forms) > 1 else None
        best = {}
        try:
            for form in forms:
                self._log(
                    1, f"divisive path, {form}: {len(now[form][1][1][0].weights)} component(s)"
                )
                fit, tally = merged(form) if aside is None or form != forms[-1] else aside.result()
                self._apply(tally)
                best[form] = (self._criterion(fit, atoms, form), fit)
        finally:
            if aside is not None:
                aside.exception()  # nothing left running past the fit
        self.covariance_type_ = min(best, key=lambda form: best[form][0])
        return best[self.covariance_type_][1]

    def _walk(self, atoms, n, min_size, forms, gated):
        """The divisive paths of ``forms`` in step; with ``gated``, the full form's path
        starts only once :meth:`_full_gate` says full covariances pay. Returns each walked
        path's last yield, ``(size, best)``. Steps may be computed ahead on a second
        thread (:class:`_StepsAhead`); the walk takes them in its own order."""
        # steps computed ahead draw from no shared random generator: the default split
        # draws nothing, and an int random_state gives each path a generator of its own
        shared_rng = self.split_init != "pca" and not isinstance(self.random_state, Integral)
        steps, now, ended = _StepsAhead(ahead=not shared_rng), {}, {}

        def take(form):
            out, tally = steps.take(form, {f: now[f][0] for f in now})
            self._apply(tally)
            return out

        def start(form):
            rng = check_random_state(self.random_state)
            steps.add(form, self._path(atoms, n, min_size, rng, form))
            now[form] = take(form)

        try:
            for form in forms:
                if not (gated and form == "full"):
                    start(form)
            gate = self._full_gate(atoms, min_size) if gated else None
            if gate is not None:
                next(gate)
            # the path with the fewest components advances a step; past the number of
            # components where one path ended, another goes on only while its best is
            # better than that path's best (a form that fits the groups badly would
            # otherwise grow to max_clusters: the spherical path of the standardised birch2
            # went to 317 components, 187 s; paths that split many components a step run
            # ahead by steps)
            while True:
                if gate is not None:  # the cheaper paths' best so far: does full pay on it?
                    crit, (mix, _, _) = min((now[f][1] for f in now), key=lambda b: b[0])
                    verdict = gate.send((crit, mix))
                    if verdict is not None:
                        gate = None
                        if verdict:
                            start("full")
                if len(ended) == len(now):
                    return now
                form = min((f for f in now if f not in ended), key=lambda f: now[f][0])
                out = take(form)
                if out is _END:
                    steps.drop(form)
                    ended[form] = now[form]
                else:
                    now[form] = out
                for form in now:
                    size, (crit, _) = now[form]
                    if form not in ended and any(
                        size > now[g][0] and crit > now[g][1][0] for g in ended
                    ):
                        steps.drop(form)
                        ended[form] = now[form]
        finally:
            steps.wait()

    def _full_gate(self, atoms, min_size):
        """From 32 features, whether full covariances pay: a generator, sent the cheaper
        paths' best criterion so far with its mixture, that yields True once full
        covariances beat it with one Gaussian or refitted on such a best mixture, False
        once ``patience`` refits in a row have not bettered the full form's best, None until
        then. One refit per number of components, on the first best mixture of that size:
        mclust, too, compares its models on one partition per number of components (the
        full fits from the diagonal and the spherical best pair of the suite's 64- and
        128-feature sets reached the same criterion within 3 of 392,000, at 20-35 ms each)."""
        lower = one_gaussian(atoms, self._reg, "full")[1]
        crit = information_criterion(
            lower, np.ones((len(atoms), 1)), atoms, 1, self.criterion, "full"
        )
        since, sizes, verdict = 0, {1}, None
        while verdict is None:
            top, mix = yield None
            if crit >= top and len(mix.weights) not in sizes:  # refit there
                sizes.add(len(mix.weights))
                with _held(_Tally()) as tally:
                    new = self._criterion(self._refit(atoms, mix, min_size, "full"), atoms, "full")
                self._apply(tally, convergence=False)  # not a fit of the walk
                crit, since = (new, 0) if new < crit else (crit, since + 1)
            if crit < top:
                verdict = True
            elif since >= self.patience:
                verdict = False
        self._log(1, f"full covariances: {crit - top:+.1f} against the best path")
        yield verdict

    def _set_mixture(self, mix, lower):
        """Store the final mixture with its clusters (the modes of the density, clusters by
        decreasing weight, components by cluster); returns the components' order."""
        if self.merge == "modes":
            modes, group = mixture_modes(mix)
        else:
            modes, group = mix.means, np.arange(len(mix.weights))
        G = group.max() + 1
        mass = np.bincount(group, weights=mix.weights, minlength=G)
        cluster_rank = np.argsort(-mass, kind="stable")
        new_id = np.empty(G, dtype=np.intp)
        new_id[cluster_rank] = np.arange(G)
        group = new_id[group]
        rank = np.lexsort((-mix.weights, group))
        # back in the data's units (log-densities gain -d log(scale) per row)
        offset, scale, d = self._offset, self._scale, mix.means.shape[1]
        self.weights_ = mix.weights[rank]
        self.means_ = mix.means[rank] * scale + offset
        self.covariances_ = mix.covariances[rank] * scale**2
        self.component_labels_ = group[rank]
        self.modes_ = modes[cluster_rank] * scale + offset
        self.n_components_, self.n_clusters_ = len(rank), int(G)
        self.lower_bound_ = None if lower is None else lower - d * np.log(scale)
        self.n_iter_ = self._em_iter
        self.converged_ = self._em_converged
        dist = bhattacharyya(self.means_, self.covariances_)
        sep = np.full((G, G), np.inf)  # between clusters: the closest pair of components
        g = self.component_labels_
        np.minimum.at(sep, (g[:, None], g[None, :]), dist)
        np.fill_diagonal(sep, 0.0)
        self.separability_ = sep
        del self._offset, self._scale, self._em_iter, self._em_converged, self._reg
        return rank

    def _membership(self):
        """(n_components_, n_clusters_) indicator of each component's cluster."""
        return np.eye(self.n_clusters_)[self.component_labels_]

    def _log(self, level, message):
        log(self, level, message, name="PPP")

    def _log_joint(self, X):
        """Log-likelihood and posteriors of each component, in the float type of ``X``."""
        check_is_fitted(self)
        X, dtype = check_float64(self, X, reset=False)
        lse, post = e_step(Atoms(np.ones(len(X)), X), fitted_mixture(self))
        return lse.astype(dtype, copy=False), post.astype(dtype, copy=False)

    @blockwise(dtype=np.intp)
    def predict(self, X):
        """Cluster of each row of ``X`` (the component of highest posterior).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return self.predict_proba(X).argmax(axis=1)

    @blockwise(lambda self: self.n_clusters_, dtype=None)
    def predict_proba(self, X):
        """Posterior probability of each cluster for each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, ``n_clusters_``)
            The posteriors of each cluster's components, summed.
        """
        post = self._log_joint(X)[1]
        return post @ self._membership().astype(post.dtype)

    @blockwise(dtype=None)
    def score_samples(self, X):
        """Log-likelihood of each row of ``X`` under the fitted mixture.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_prob : ndarray of shape (n_samples,)
        """
        return self._log_joint(X)[0]

    def _n_parameters(self):
        return n_parameters(self.n_components_, self.n_features_in_, self.covariance_type_)


PPP = ProbabilisticPartitivePartitioning

# given back in the data's float type: float32 data, float32 attributes (check_float64)
_FLOAT_ATTRIBUTES = (*MIXTURE_ATTRIBUTES, "modes_", "separability_")


def _clusterability(mean_entropy, K):
    return float(1.0 - mean_entropy / np.log(K)) if K > 1 else 0.0


def _block_cells(block, n_cells):
    """One row block of a dask fit as at most ``n_cells`` cells (its rows when it has
    no more rows than that), and the smallest gaps between its values per feature."""
    block = check_array(block, dtype=np.float64)
    m, d = block.shape
    gaps = _smallest_gaps(block)
    if n_cells >= m:
        return Atoms(np.ones(m), block), gaps  # its rows: no covariances
    shift = block.mean(axis=0)  # centred, as the in-memory fit, for accurate moments
    cells = _reduce(block - shift, n_cells)
    cells.mean += shift
    return cells, gaps


def _block_em_stats(block, offset, scale, mix):
    X = (check_array(block, dtype=np.float64) - offset) / scale
    return _backend.gaussian_em_stats(X, mix.weights, mix.means, mix.covariances)


def _block_ll_entropy(block, mix, membership):
    lse, post = e_step(Atoms(None, check_array(block, dtype=np.float64)), mix)
    return float(lse.sum()), float(entropy(post @ membership).sum())


def _canonical_order(X):
    """A row order that depends on the rows' values only, so that any permutation of the
    input gives bit-identical arithmetic: sort by a generic projection, then lexically
    within ties of distinct rows (duplicates may stay in any order)."""
    key = X @ np.random.default_rng(_SORT_SEED).standard_normal(X.shape[1])
    order = np.argsort(key, kind="stable")
    same = np.flatnonzero(np.diff(key[order]) == 0)
    if len(same) and np.any(X[order[same]] != X[order[same + 1]]):
        order = np.lexsort(X.T[::-1])
    return order


def _reduce(X, n_cells):
    """Cells of rows by recursive principal-direction bisection of the cell with the largest
    sum of squares (``_backend.bisect_cells``: the 1-D 2-means cut of the projections, not
    their mean, so that a group near the mean keeps its tail); the cells' counts, means and
    covariances as atoms."""
    return Atoms(*_backend.bisect_cells(X, n_cells))


def _smallest_gaps(X):
    """Per feature, the smallest gap between distinct values (inf for a constant one)."""
    gaps = np.diff(np.sort(X, axis=0), axis=0)
    return np.where(gaps > 0, gaps, np.inf).min(axis=0, initial=np.inf)


def _quantisation_variance(gaps):
    """Per feature, the variance ``h^2 / 12`` of rounding to the data's resolution ``h``
    (the smallest gap between distinct values, ``gaps``; Sheppard's correction). Added to
    every component's variances, it keeps a group of tied values (iris's petal widths,
    given to 0.1 cm) from a zero variance and an unbounded likelihood; on continuous data
    it is negligible."""
    return np.where(np.isfinite(gaps), gaps**2 / 12.0, 0.0)
