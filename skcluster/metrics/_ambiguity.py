"""CLAMS: how differently people would cluster a monochrome 2-D scatterplot.

Jeon, Quadri, Lee, Rosen, Szafir & Seo, "CLAMS: A Cluster Ambiguity Measure for Estimating
Perceptual Variability in Visual Clustering", IEEE VIS 2023. The pipeline follows the paper
and its research code (``hj-n/cluster-ambiguity`` at commit 9c28129, read for understanding;
nothing copied): a Gaussian mixture whose size is the knee of the BIC curve, pair features
of neighbouring components, a separability model giving the probability that people see a
pair as one cluster, and the mean binary entropy of those probabilities.
"""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import _backend
from ..cluster._mixture import Atoms, Mixture, fit_em, information_criterion
from ..utils._knee import kneedle
from ..utils.validation import RANDOM_STATE, check_covariance_scale, check_random_state
from ._ambiguity_scoring import (
    PAIR_FEATURES,
    _check_scatterplot,
    _draw_labels,
    _gabriel_pairs,
    _mean_entropy,
    _probabilities,
    _standardise,
    pair_features,
)


class ClusterAmbiguity(BaseEstimator):
    """CLAMS cluster ambiguity of a 2-D scatterplot: 0 clear, up to 1 ambiguous.

    The score predicts how much people would disagree when clustering the scatterplot by
    eye (Jeon et al., IEEE VIS 2023). It is 0 for one obvious blob and for clearly separate
    clusters, and grows when cluster boundaries are ambiguous.

    1. Gaussian mixtures (full covariance) with ``k = 1 .. min(max_components,
       floor(sqrt(n))) - 1`` components are fitted (k-means initialisation, EM through the
       shared backend); ``k`` is the knee of the BIC curve by Kneedle (sensitivity ``S``).
       ``k = 1`` gives ambiguity 0.
    2. Every row gets one component drawn from its posterior (seeded).
    3. For every pair of components that are neighbours in the Gabriel graph of the means,
       13 pair features are computed (:data:`PAIR_FEATURES`) on the rows drawn to either
       component, rescaled so that their longer axis spans [0, 1].
    4. A separability model maps each kept pair to ``p``, the probability that people see
       the two components as one cluster.
    5. The ambiguity is the mean binary entropy of ``p`` (clipped to [1e-5, 1 - 1e-5]).

    Read more in the :ref:`User Guide <ambiguity>`.

    Parameters
    ----------
    S : float, default=3.0
        Kneedle sensitivity for the knee of the BIC curve (the paper's value).
    max_components : int, default=18
        ``k`` runs up to ``min(max_components, floor(sqrt(n_samples))) - 1``.
    axis_scaling : {None, "minmax"}, default=None
        ``"minmax"`` stretches each axis to the same range first, as a plot drawn in a
        square shows it (the user study's stimuli were); ``None`` keeps the aspect ratio.
    separability_model : regressor or None, default=None
        A fitted regressor mapping the 13 pair features to ``p`` (see
        :func:`fit_separability_model` for fitting one on human judgements). ``None`` uses
        the built-in Gaussian model described in the Notes.
    reg_covar : float, default=1e-6
        Added to the covariance diagonals, in units of the standardised data.
    tol : float, default=1e-3
        EM stops when the mean log-likelihood gains less than this.
    max_iter : int, default=100
        EM iterations per mixture.
    random_state : int, RandomState instance or None, default=None
        Seeds the k-means initialisations and the posterior draws. None, as scikit-learn's
        estimators, draws them afresh on each fit; the paper's code fixes a seed (0), and
        an int makes the score of a plot reproducible.

    Attributes
    ----------
    ambiguity_ : float
        The score, in [0, 1].
    n_components_ : int
        Number of Gaussian components chosen by the knee of the BIC curve.
    bic_ : ndarray of shape (n_candidates,)
        BIC of each candidate ``k = 1, 2, ...`` (in standardised units: differences between
        candidates are those of the data's own units).
    weights_ : ndarray of shape (``n_components_``,)
    means_ : ndarray of shape (``n_components_``, 2)
    covariances_ : ndarray of shape (``n_components_``, 2, 2)
        The chosen mixture, in the units of ``X``.
    labels_ : ndarray of shape (n_samples,)
        Component drawn for each row from its posterior.
    pairs_ : ndarray of shape (n_pairs, 2)
        The pairs of components kept (Gabriel-graph neighbours).
    pair_features_ : ndarray of shape (n_pairs, 13)
        Their features, columns in the order of :data:`PAIR_FEATURES`.
    pair_probabilities_ : ndarray of shape (n_pairs,)
        Probability that each pair is seen as one cluster (clipped).
    n_features_in_ : int
        Always 2.

    See Also
    --------
    cluster_ambiguity_score : The score as a function, also for many scatterplots at once.
    make_ambiguity_scorer : A scorer for ``GridSearchCV`` over 2-D embeddings.
    plot_ambiguity : Draw the points, the components and the kept pairs.

    Notes
    -----
    **Invariance.** Rows are put in a canonical (lexicographic) order and the data are
    centred and divided by one overall scale before fitting, so the score does not change
    under a row permutation, a translation or a uniform scaling (the paper's code fits the
    raw data, whose absolute covariance regularisation is not scale-free).

    **Default separability model.** The paper trained an AutoML regressor on the ClustMe
    study's judgements; neither is public. The default maps each pair to
    ``p = 1 / (1 + exp(2 (D - 2)))`` with ``D = sqrt(2 delta^T (Sigma_i + Sigma_j)^-1
    delta)``, Ashman's D along the direction that separates the two Gaussians best.
    ``D = 2`` is where a mixture of two equal Gaussians turns from unimodal to bimodal, so
    a pair that just touches gets ``p = 0.5`` (entropy 1), a pair half as far apart
    ``p = 0.88``, one 1.5 times as far ``p = 0.12`` and one twice as far ``p = 0.02``. It
    is invariant under any affine map of the plane. Its limits: it ignores the weights and
    the number of points (a sparse or a much smaller cluster can look separate earlier),
    density and shape cues other than the covariances, and its slope is a reasoned choice,
    not one fitted to people. Pass a model fitted on judgements to replace it.

    **Departures from the paper's code.** Pairs are kept when they are Gabriel-graph
    neighbours (the code also kept every pair with a positive prediction, and its edge
    look-up compared keys ``"i_j"`` with Delaunay edges stored in arbitrary vertex order,
    missing some Gabriel edges); the Gabriel test is done directly on the means, so
    collinear means need no special case. Angles are axial (orientations modulo pi,
    differences in [0, pi/2], means by doubled angles) instead of raw ``arccos`` values of an
    SVD factor whose sign is arbitrary. Each component's density is its row count over its
    own axes' product (the code divided both by one component's major and the other's
    minor axis). When Kneedle finds no knee, or fewer than three candidates exist
    (``n < 16``), ``k`` is the BIC minimum (the code raised an error).

    Examples
    --------
    >>> import numpy as np
    >>> from skcluster.metrics import ClusterAmbiguity
    >>> rng = np.random.default_rng(0)
    >>> blob = rng.normal(size=(500, 2))
    >>> ClusterAmbiguity(random_state=0).fit(blob).ambiguity_
    0.0
    >>> near = ClusterAmbiguity(random_state=0).fit(np.vstack([blob, blob + [3.0, 0.0]]))
    >>> near.n_components_, round(near.ambiguity_, 2), near.pair_probabilities_.round(2)
    (2, 0.48, array([0.1]))
    >>> far = ClusterAmbiguity(random_state=0).fit(np.vstack([blob, blob + [10.0, 0.0]]))
    >>> far.n_components_, round(far.ambiguity_, 2)
    (2, 0.0)
    """

    _parameter_constraints: dict = {
        "S": [Interval(Real, 0, None, closed="neither")],
        "max_components": [Interval(Integral, 2, None, closed="left")],
        "axis_scaling": [StrOptions({"minmax"}), None],
        "separability_model": [HasMethods(["predict"]), None],
        "reg_covar": [Interval(Real, 0, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": RANDOM_STATE,
    }

    def __init__(
        self,
        *,
        S=3.0,
        max_components=18,
        axis_scaling=None,
        separability_model=None,
        reg_covar=1e-6,
        tol=1e-3,
        max_iter=100,
        random_state=None,
    ):
        self.S = S
        self.max_components = max_components
        self.axis_scaling = axis_scaling
        self.separability_model = separability_model
        self.reg_covar = reg_covar
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the mixture and score the scatterplot ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, 2)
            The scatterplot's points; at least 4. A CuPy array is copied to the host (the
            mixtures of a scatterplot are too small to gain from a GPU).
        y : Ignored

        Returns
        -------
        self : ClusterAmbiguity
        """
        # validated here too: _fit_context skips it when the estimator is nested
        self._validate_params()
        X = validate_data(self, _host(X), dtype=np.float64, ensure_min_samples=4)
        _check_scatterplot(X)
        rng = check_random_state(self.random_state)
        order = np.lexsort((X[:, 1], X[:, 0]))  # canonical order: permutation-invariant
        Z, center, scale = _standardise(X[order], self.axis_scaling)
        self._fit_X = X.copy()  # for plot_ambiguity
        if scale is None:  # all points identical: one component, nothing ambiguous
            self._set_single(X)
            return self
        for axis_scale in scale:  # covariances_ are in the data's units
            check_covariance_scale(self, float(axis_scale))
        n = len(Z)
        kmax = min(self.max_components, math.isqrt(n)) - 1
        seeds = rng.randint(np.iinfo(np.int32).max, size=kmax)
        fits = [self._fit_mixture(Z, k, seeds[k - 1]) for k in range(1, kmax + 1)]
        self.bic_ = np.array([f[1] for f in fits])
        knee = kneedle(np.arange(1, kmax + 1), self.bic_, S=self.S)
        k = int(np.argmin(self.bic_)) + 1 if knee is None else knee + 1
        mix = fits[k - 1][0]
        # a component EM emptied (duplicated rows) would sit in the Gabriel graph as a phantom
        keep = mix.weights > 0
        if not keep.all():
            w = mix.weights[keep]
            mix = Mixture(w / w.sum(), mix.means[keep], mix.covariances[keep])
            k = int(keep.sum())
        self.n_components_ = k
        self.weights_ = mix.weights
        self.means_ = mix.means * scale + center
        self.covariances_ = mix.covariances * np.outer(scale, scale)
        labels = np.empty(n, dtype=np.intp)
        labels[order] = _draw_labels(mix, Z, rng)
        self.labels_ = labels
        pairs = _gabriel_pairs(mix.means) if k > 1 else np.empty((0, 2), dtype=np.intp)
        self.pairs_ = pairs
        self.pair_features_ = np.array(
            [pair_features(Z, labels[order], mix, i, j) for i, j in pairs]
        ).reshape(len(pairs), len(PAIR_FEATURES))
        self.pair_probabilities_ = _probabilities(
            self.separability_model, mix, pairs, self.pair_features_
        )
        self.ambiguity_ = _mean_entropy(self.pair_probabilities_)
        return self

    def _fit_mixture(self, Z, k, seed):
        atoms = Atoms(np.ones(len(Z)), Z)
        if k == 1:
            resp = np.ones((len(Z), 1))
        else:  # k-means initialisation, as scikit-learn's GaussianMixture
            resp = np.eye(k)[_backend.kmeans(Z, k, random_state=seed)[1]]
        mix, _, loglik, _, _ = fit_em(
            atoms,
            resp,
            reg_covar=self.reg_covar,
            tol=self.tol,
            max_iter=self.max_iter,
            want_resp=False,
        )
        return mix, information_criterion(loglik, None, atoms, k)

    def _set_single(self, X):
        self.bic_ = np.zeros(0)
        self.n_components_ = 1
        self.weights_ = np.ones(1)
        self.means_ = X[:1].copy()
        self.covariances_ = np.zeros((1, 2, 2))
        self.labels_ = np.zeros(len(X), dtype=np.intp)
        self.pairs_ = np.empty((0, 2), dtype=np.intp)
        self.pair_features_ = np.empty((0, len(PAIR_FEATURES)))
        self.pair_probabilities_ = np.empty(0)
        self.ambiguity_ = 0.0

    def score(self, X, y=None):
        """Minus the cluster ambiguity of ``X`` with this estimator's parameters.

        Greater is better, as for every scikit-learn score (``KMeans.score`` is minus the
        inertia): ``GridSearchCV`` and ``cross_val_score`` then prefer the clearest
        scatterplot. ``ambiguity_`` holds the score itself, in [0, 1]. The fitted state is
        left unchanged (a copy is fitted on ``X``).

        Parameters
        ----------
        X : array-like of shape (n_samples, 2)
        y : Ignored

        Returns
        -------
        score : float in [-1, 0]
            ``-ambiguity``: 0 for a scatterplot people would all cluster alike.
        """
        check_is_fitted(self)
        validate_data(self, X, dtype=np.float64, ensure_min_samples=4, reset=False)
        return -clone(self).fit(X).ambiguity_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = True
        return tags


def _host(X):
    """A scatterplot is small: a CuPy array is copied to the host and scored on the CPU."""
    return X.get() if _backend.is_cupy_array(X) else X


def cluster_ambiguity_score(X, *, n_jobs=None, **params):
    """CLAMS cluster ambiguity of one scatterplot, or of many in parallel.

    Parameters
    ----------
    X : array-like of shape (n_samples, 2), or a list of them (or a 3-D array)
        One scatterplot, or several (of any sizes) to score in parallel.
    n_jobs : int, default=None
        Scatterplots scored at once (joblib; ``-1`` uses every core). Ignored for one.
    **params
        Parameters of :class:`ClusterAmbiguity`.

    Returns
    -------
    ambiguity : float, or ndarray of shape (n_scatterplots,)

    Examples
    --------
    >>> import numpy as np
    >>> from skcluster.metrics import cluster_ambiguity_score
    >>> rng = np.random.default_rng(0)
    >>> blob = rng.normal(size=(400, 2))
    >>> cluster_ambiguity_score(blob, random_state=0)
    0.0
    >>> plots = [np.vstack([blob, blob + [gap, 0]]) for gap in (3.0, 10.0)]
    >>> cluster_ambiguity_score(plots, random_state=0).round(2)
    array([0.55, 0.  ])
    """
    if isinstance(X, (list, tuple)) and len(X) == 0:
        return np.empty(0)
    if _is_batch(X):
        from joblib import Parallel, delayed

        scores = Parallel(n_jobs=n_jobs)(delayed(_score_one)(plot, params) for plot in X)
        return np.array(scores, dtype=float)
    return _score_one(X, params)


def _is_batch(X):
    if isinstance(X, (list, tuple)):
        return len(X) > 0 and np.ndim(X[0]) == 2
    return getattr(X, "ndim", 2) == 3


def _score_one(X, params):
    return ClusterAmbiguity(**params).fit(X).ambiguity_


class _AmbiguityScorer:
    """Negated cluster ambiguity of an estimator's 2-D output: greater is better."""

    def __init__(self, params):
        self.params = params

    def __call__(self, estimator, X, y=None):
        if hasattr(estimator, "transform"):
            Y = estimator.transform(X)
        else:  # e.g. TSNE: embeddings without a transform are refitted on X
            Y = estimator.fit_transform(X)
        return -_score_one(Y, self.params)

    def __repr__(self):
        return f"make_ambiguity_scorer({', '.join(f'{k}={v!r}' for k, v in self.params.items())})"


def make_ambiguity_scorer(**params):
    """A scorer that prefers 2-D embeddings whose clusters people would see alike.

    The scorer takes ``(estimator, X, y=None)``, embeds ``X`` with ``estimator.transform``
    (or ``fit_transform`` when there is no ``transform``, as for t-SNE) and returns minus
    its cluster ambiguity, so that ``GridSearchCV`` and ``cross_val_score``, which maximise,
    pick the least ambiguous embedding.

    Parameters
    ----------
    **params
        Parameters of :class:`ClusterAmbiguity`.

    Returns
    -------
    scorer : callable

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from skcluster.metrics import make_ambiguity_scorer
    >>> rng = np.random.default_rng(0)
    >>> blob = rng.normal(size=(300, 2))
    >>> X = np.hstack([np.vstack([blob, blob + [10, 0]]),      # columns 0-1: two clusters
    ...                np.vstack([blob, blob + [3.5, 0]])])    # columns 2-3: close
    >>> def columns(X, cols):
    ...     return X[:, cols]
    >>> search = GridSearchCV(
    ...     FunctionTransformer(columns),
    ...     {"kw_args": [{"cols": [2, 3]}, {"cols": [0, 1]}]},
    ...     scoring=make_ambiguity_scorer(), cv=[(np.arange(600), np.arange(600))],
    ... ).fit(X)
    >>> search.best_params_
    {'kw_args': {'cols': [0, 1]}}
    """
    ClusterAmbiguity(**params)._validate_params()
    return _AmbiguityScorer(params)


def fit_separability_model(
    scatterplots, prob_single, *, estimator=None, n_jobs=None, random_state=None, **params
):
    """Fit a separability model on human judgements of two-cluster scatterplots.

    This is how the paper built its model, from the ClustMe study (Abbas et al., EuroVis
    2019): each stimulus is a scatterplot drawn from two Gaussians, and its judgement
    ``probSingle`` is the share of participants who saw one cluster. For each scatterplot a
    two-component mixture is fitted exactly as :class:`ClusterAmbiguity` fits one, its 13
    pair features are computed, and ``estimator`` learns ``probSingle`` from them. Pass the
    result as ``ClusterAmbiguity(separability_model=...)``.

    ClustMe's release is a ``metadata.csv`` (columns ``XYposCSVfilename`` and
    ``probSingle``) and one CSV of x, y per stimulus; with pandas::

        meta = pd.read_csv("metadata.csv")
        plots = [pd.read_csv(f"scatterplots/{f}.csv").to_numpy()[:, :2]
                 for f in meta["XYposCSVfilename"]]
        model = fit_separability_model(plots, meta["probSingle"].to_numpy())

    Parameters
    ----------
    scatterplots : list of array-like of shape (n_i, 2)
    prob_single : array-like of shape (n_scatterplots,)
        Probability (share of people) that each scatterplot shows a single cluster.
    estimator : regressor, default=None
        Any scikit-learn regressor; ``None`` uses
        ``ExtraTreesRegressor(n_estimators=300, min_samples_leaf=3)`` (the paper's AutoML
        search is not reproducible offline; tree ensembles need no feature scaling).
    n_jobs : int, default=None
        Scatterplots whose features are computed at once (joblib).
    random_state : int, RandomState instance or None, default=None
        Seeds the mixtures, the posterior draws and the default estimator.
    **params
        Other parameters of :class:`ClusterAmbiguity` (``axis_scaling``, ``reg_covar`` ...).

    Returns
    -------
    model : fitted regressor

    Examples
    --------
    >>> import numpy as np
    >>> from skcluster.metrics import ClusterAmbiguity, fit_separability_model
    >>> rng = np.random.default_rng(0)
    >>> gaps = rng.uniform(0, 6, size=40)
    >>> plots = [np.vstack([rng.normal(size=(150, 2)), rng.normal(size=(150, 2)) + [g, 0]])
    ...          for g in gaps]
    >>> judged = 1 / (1 + np.exp(2 * (gaps - 2.5)))     # stand-in for people's judgements
    >>> model = fit_separability_model(plots, judged)
    >>> est = ClusterAmbiguity(separability_model=model).fit(plots[0])
    """
    from joblib import Parallel, delayed
    from sklearn.ensemble import ExtraTreesRegressor

    y = np.asarray(prob_single, dtype=float).reshape(-1)
    if len(scatterplots) != len(y):
        raise ValueError(
            f"scatterplots and prob_single have different lengths: {len(scatterplots)} "
            f"and {len(y)}."
        )
    if len(y) < 2 or not np.isfinite(y).all() or (y < 0).any() or (y > 1).any():
        raise ValueError("prob_single must hold at least two probabilities in [0, 1].")
    rng = check_random_state(random_state)
    seeds = rng.randint(np.iinfo(np.int32).max, size=len(y))
    features = Parallel(n_jobs=n_jobs)(
        delayed(_two_component_features)(plot, int(seed), params)
        for plot, seed in zip(scatterplots, seeds, strict=True)
    )
    if estimator is None:
        estimator = ExtraTreesRegressor(
            n_estimators=300, min_samples_leaf=3, random_state=int(seeds[0])
        )
    return clone(estimator).fit(np.vstack(features), y)


def _two_component_features(X, seed, params):
    """Pair features of a scatterplot fitted with exactly two components."""
    est = ClusterAmbiguity(random_state=seed, **params)
    est._validate_params()
    X = validate_data(est, X, dtype=np.float64, ensure_min_samples=4)
    _check_scatterplot(X)
    order = np.lexsort((X[:, 1], X[:, 0]))
    Z, _, scale = _standardise(X[order], est.axis_scaling)
    if scale is None:
        raise ValueError("a scatterplot has all its points identical.")
    rng = np.random.RandomState(seed)
    mix, _ = est._fit_mixture(Z, 2, rng.randint(np.iinfo(np.int32).max))
    labels = _draw_labels(mix, Z, rng)
    return pair_features(Z, labels, mix, 0, 1)


def plot_ambiguity(estimator, ax=None, *, n_std=2.0, cmap="coolwarm"):
    """Draw a fitted :class:`ClusterAmbiguity`: points, components and kept pairs.

    The points are drawn in grey (CLAMS is about monochrome scatterplots), each component
    as its ``n_std``-standard-deviation ellipse, and each kept pair as a segment between
    the two means, coloured and labelled by ``p``, the probability that people see the pair
    as one cluster; a legend says so. Fitted on a DataFrame, the axes carry its column
    names. Needs matplotlib.

    Parameters
    ----------
    estimator : ClusterAmbiguity
        Fitted.
    ax : matplotlib Axes, default=None
        Where to draw; ``None`` uses the current axes.
    n_std : float, default=2.0
        Ellipse radius in standard deviations.
    cmap : str or Colormap, default="coolwarm"
        Colours of ``p`` from 0 (seen apart) to 1 (seen as one).

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skcluster.metrics import ClusterAmbiguity, plot_ambiguity
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(size=(300, 2)), rng.normal(size=(300, 2)) + [2.5, 0]])
    >>> ax = plot_ambiguity(ClusterAmbiguity().fit(X))
    """
    try:
        import matplotlib.pyplot as plt
        from matplotlib.patches import Ellipse
    except ImportError as exc:  # pragma: no cover - matplotlib is an optional dependency
        raise ImportError("plot_ambiguity needs matplotlib: pip install matplotlib") from exc
    check_is_fitted(estimator, "ambiguity_")
    ax = plt.gca() if ax is None else ax
    colours = plt.get_cmap(cmap)
    X = estimator._fit_X
    ax.scatter(X[:, 0], X[:, 1], s=4, c="0.55", alpha=0.5, linewidths=0)
    for mean, cov in zip(estimator.means_, estimator.covariances_, strict=True):
        vals, vecs = np.linalg.eigh(cov)
        angle = math.degrees(math.atan2(vecs[1, -1], vecs[0, -1]))
        width, height = 2 * n_std * np.sqrt(np.maximum(vals[::-1], 0))
        ax.add_patch(Ellipse(mean, width, height, angle=angle, fill=False, lw=1.5, ec="0.15"))
    for (i, j), p in zip(estimator.pairs_, estimator.pair_probabilities_, strict=True):
        a, b = estimator.means_[i], estimator.means_[j]
        ax.plot([a[0], b[0]], [a[1], b[1]], color=colours(p), lw=2.5)
        ax.annotate(
            f"{p:.2f}",
            0.5 * (a + b),
            ha="center",
            va="center",
            fontsize=8,
            bbox={"boxstyle": "round", "fc": "white", "ec": colours(p)},
        )
    ax.set_title(f"ambiguity {estimator.ambiguity_:.2f} ({estimator.n_components_} components)")
    ax.set_aspect("equal" if estimator.axis_scaling is None else "auto")
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None:  # fitted on named columns: the axes say which
        ax.set_xlabel(str(names[0]))
        ax.set_ylabel(str(names[1]))
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color="0.15", lw=1.5, label=f"component ({n_std:g} sd)"),
        Line2D([], [], color=colours(0.5), lw=2.5, label="pair: p(seen as one cluster)"),
    ]
    ax.legend(handles=handles[: 1 + bool(len(estimator.pairs_))], loc="best", fontsize=8)
    return ax
