"""Over-sampling followed by cleaning (ENN, Tomek links, IPF), with any over-sampler."""

from numbers import Integral, Real

import numpy as np
from imblearn.base import BaseSampler
from imblearn.under_sampling import EditedNearestNeighbours, TomekLinks
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from .. import _backend
from ..neighbors import NearestNeighbors
from ..neighbors._nearest import _threads
from ..utils.validation import check_random_state, legacy_seed
from ._base import STRATEGY_AND_SEED, fill_doc
from ._smote import SMOTE

# docstring entries of the combined samplers (see ``fill_doc``)
_COMBINED_DOC = {
    "sampling_strategy": """
        sampling_strategy : float, str, dict or callable, default="auto"
            Strategy of the default over-sampler.""",
    "random_state": """
        random_state : int, RandomState instance or None, default=None
            Seed of the default over-sampler.""",
    "smote": """
        smote : over-sampler, default=None
            ``None`` means ``skcluster.over_sampling.SMOTE(sampling_strategy, random_state)``.""",
    "n_jobs": """
        n_jobs : int, default=None
            Threads of the default cleaner's neighbour search (its ``n_jobs``).""",
    "sampler": """
        sampler : over-sampler, default=None
            The same as ``smote`` (the name skcluster's other combined samplers use); give one.""",
    "smote_": """
        smote_ : over-sampler
            The fitted over-sampler (its provenance attributes tell where synthetic rows
            come from); ``sampler_`` is the same object.""",
    "kept_indices_": """
        kept_indices_ : ndarray
            Rows of the over-sampled set that the cleaning kept, in output order.""",
}


class _OverSampleThenClean(BaseSampler):
    """Run ``sampler`` (default: skcluster's SMOTE), then a cleaning under-sampler.

    Like imbalanced-learn's combined samplers, a plain ``BaseSampler`` of the
    over-sampling type: the cleaning may leave a class below the majority's count.
    """

    _sampling_type = "over-sampling"
    _parameter_constraints: dict = {
        **STRATEGY_AND_SEED,
        "sampler": [HasMethods(["fit_resample"]), None],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # as the over-sampler takes it (see BaseSMOTE)
        return tags

    def _oversampler(self):
        if self.sampler is not None:
            return clone(self.sampler)
        return SMOTE(sampling_strategy=self.sampling_strategy, random_state=self.random_state)

    def _validate_estimator(self):
        self.sampler_ = self._oversampler()

    def _fit_resample(self, X, y):
        self._validate_estimator()
        # as imbalanced-learn: the strategy is the over-sampler's, passed through unchanged
        self.sampling_strategy_ = self.sampling_strategy
        X_res, y_res = self.sampler_.fit_resample(X, y)
        keep = self._clean(X_res, y_res)
        self.kept_indices_ = keep
        return X_res[keep], y_res[keep]


class _ImblearnCombined(_OverSampleThenClean):
    """imbalanced-learn's ``smote=`` and ``n_jobs=`` on top of skcluster's ``sampler=``."""

    _parameter_constraints: dict = {
        **_OverSampleThenClean._parameter_constraints,
        "smote": [HasMethods(["fit_resample"]), None],
        "n_jobs": [Integral, None],
    }

    def _oversampler(self):
        if self.smote is not None and self.sampler is not None:
            raise ValueError(
                "smote and sampler name the same over-sampler; pass one of them (sampler "
                "takes any over-sampler, smote is imbalanced-learn's name)."
            )
        return clone(self.smote) if self.smote is not None else super()._oversampler()

    def _validate_estimator(self):
        super()._validate_estimator()
        self.smote_ = self.sampler_
        self._validate_cleaner()


@fill_doc(**_COMBINED_DOC)
class SMOTEENN(_ImblearnCombined):
    """Over-sample, then remove rows their neighbours out-vote (Batista et al., 2004).

    Same parameters, attributes and, for the same seed, output as
    :class:`imblearn.combine.SMOTEENN`; ``smote`` (or, skcluster's name, ``sampler``) may
    be any over-sampler with ``fit_resample`` (every skcluster SMOTE variant, or
    imbalanced-learn's). The default cleaner is imbalanced-learn's
    ``EditedNearestNeighbours(sampling_strategy="all")`` with skcluster's neighbour search.
    Sparse input gives sparse output (see the over-sampler for how it handles it).

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    {smote}
    enn : under-sampler, default=None
        ``None`` means ``EditedNearestNeighbours(sampling_strategy="all", n_jobs=n_jobs)``
        searching with :class:`skcluster.neighbors.NearestNeighbors`.
    {n_jobs}
    {sampler}

    Attributes
    ----------
    {smote_}
    enn_ : under-sampler
        The fitted cleaner.
    {kept_indices_}

    See Also
    --------
    imblearn.combine.SMOTEENN : the reference implementation.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import SMOTEENN, BorderlineSMOTE
    >>> X, y = make_classification(n_samples=1000, weights=[0.9], random_state=0)
    >>> cleaner = SMOTEENN(smote=BorderlineSMOTE(random_state=0))
    >>> X_res, y_res = cleaner.fit_resample(X, y)
    >>> X_res.shape[0] < 2 * 898
    True
    """

    _parameter_constraints: dict = {
        **_ImblearnCombined._parameter_constraints,
        "enn": [HasMethods(["fit_resample"]), None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        smote=None,
        enn=None,
        n_jobs=None,
        sampler=None,
    ):
        super().__init__()
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.smote = smote
        self.enn = enn
        self.n_jobs = n_jobs
        self.sampler = sampler

    def _validate_cleaner(self):
        if self.enn is None:
            self.enn_ = EditedNearestNeighbours(
                sampling_strategy="all",
                n_neighbors=NearestNeighbors(n_neighbors=4),
                n_jobs=self.n_jobs,
            )
        else:
            self.enn_ = clone(self.enn)

    def _clean(self, X, y):
        self.enn_.fit_resample(X, y)
        return self.enn_.sample_indices_


class _TomekLinks(TomekLinks):
    """imbalanced-learn's ``TomekLinks`` with the nearest neighbours from skcluster's
    backend (its own search is scikit-learn's); the same links and attributes."""

    def _fit_resample(self, X, y):
        with _threads(self.n_jobs):
            _, nn = _backend.kneighbors(X, X, 1, exclude_self=True)
        nn = nn[:, 0]
        # imbalanced-learn's is_tomek, without its Python loop over the rows
        links = (
            np.isin(y, list(self.sampling_strategy_))
            & (y[nn] != y)
            & (nn[nn] == np.arange(len(y)))
        )
        self.sample_indices_ = np.flatnonzero(~links)
        return _safe_indexing(X, self.sample_indices_), _safe_indexing(y, self.sample_indices_)


@fill_doc(**_COMBINED_DOC)
class SMOTETomek(_ImblearnCombined):
    """Over-sample, then remove Tomek links (Batista et al., 2003).

    A Tomek link is a pair of rows of different classes, each the other's nearest
    neighbour. Same parameters, attributes and output as
    :class:`imblearn.combine.SMOTETomek`; ``smote`` (or ``sampler``) may be any
    over-sampler (see :class:`SMOTEENN`). By default both rows of every link are removed
    (``TomekLinks(sampling_strategy="all")``, imbalanced-learn's default), the nearest
    neighbours found on skcluster's backend. Sparse input gives sparse output.

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    {smote}
    tomek : under-sampler, default=None
        ``None`` means ``TomekLinks(sampling_strategy="all", n_jobs=n_jobs)`` searching on
        skcluster's backend.
    {n_jobs}
    {sampler}

    Attributes
    ----------
    {smote_}
    tomek_ : under-sampler
        The fitted cleaner.
    {kept_indices_}

    See Also
    --------
    imblearn.combine.SMOTETomek : the reference implementation.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import SMOTETomek
    >>> X, y = make_classification(n_samples=1000, weights=[0.9], random_state=0)
    >>> X_res, y_res = SMOTETomek(random_state=0).fit_resample(X, y)
    >>> X_res.shape[0] <= 2 * 898
    True
    """

    _parameter_constraints: dict = {
        **_ImblearnCombined._parameter_constraints,
        "tomek": [HasMethods(["fit_resample"]), None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        smote=None,
        tomek=None,
        n_jobs=None,
        sampler=None,
    ):
        super().__init__()
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.smote = smote
        self.tomek = tomek
        self.n_jobs = n_jobs
        self.sampler = sampler

    def _validate_cleaner(self):
        if self.tomek is None:
            self.tomek_ = _TomekLinks(sampling_strategy="all", n_jobs=self.n_jobs)
        else:
            self.tomek_ = clone(self.tomek)

    def _clean(self, X, y):
        self.tomek_.fit_resample(X, y)
        return self.tomek_.sample_indices_


@fill_doc(**_COMBINED_DOC)
class SMOTEIPF(_OverSampleThenClean):
    """SMOTE-IPF (Saez, Luengo, Stefanowski and Herrera, 2015): over-sample, then filter noise.

    After over-sampling (any over-sampler; SMOTE by default), the Iterative-Partitioning
    Filter removes rows that the classifiers trained on ``n_folds`` disjoint partitions of the
    data mislabel: by a majority of them (``voting="majority"``) or all of them
    (``"consensus"``). It repeats until ``k`` iterations in a row each remove fewer than
    ``p`` times the size of the over-sampled set. The paper's C4.5 trees are scikit-learn's
    decision trees here (any classifier may be given). A class is never filtered away
    entirely: an iteration that would do so stops the filter.

    Parameters
    ----------
    {sampling_strategy}
    random_state : int, RandomState instance or None, default=None
        Seed of the default over-sampler, the partitions and the default trees.
    sampler : over-sampler, default=None
        ``None`` means ``skcluster.over_sampling.SMOTE(sampling_strategy, random_state)``.
    n_folds : int, default=9
        Partitions per iteration (the paper's 9).
    k : int, default=3
        Quiet iterations in a row that stop the filter.
    p : float, default=0.01
        Share of the over-sampled set below which an iteration counts as quiet.
    voting : {"majority", "consensus"}, default="majority"
        How many partitions' classifiers must mislabel a row for it to go.
    classifier : classifier, default=None
        ``None`` means ``DecisionTreeClassifier(random_state=random_state)``.

    Attributes
    ----------
    sampler_ : over-sampler
        The fitted over-sampler.
    kept_indices_ : ndarray
        Rows of the over-sampled set that the filter kept, in output order.
    n_iterations_ : int
        Filter iterations run.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import SMOTEIPF
    >>> X, y = make_classification(n_samples=600, weights=[0.9], flip_y=0.05, random_state=0)
    >>> X_res, y_res = SMOTEIPF(random_state=0).fit_resample(X, y)
    >>> X_res.shape[0] < 2 * 536
    True
    """

    _parameter_constraints: dict = {
        **_OverSampleThenClean._parameter_constraints,
        "n_folds": [Interval(Integral, 2, None, closed="left")],
        "k": [Interval(Integral, 1, None, closed="left")],
        "p": [Interval(Real, 0, 1, closed="both")],
        "voting": [StrOptions({"majority", "consensus"})],
        "classifier": [HasMethods(["fit", "predict"]), None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        sampler=None,
        n_folds=9,
        k=3,
        p=0.01,
        voting="majority",
        classifier=None,
    ):
        super().__init__()
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.sampler = sampler
        self.n_folds = n_folds
        self.k = k
        self.p = p
        self.voting = voting
        self.classifier = classifier

    def _clean(self, X, y):
        rng = check_random_state(self.random_state)
        base = (
            DecisionTreeClassifier(random_state=legacy_seed(self.random_state))
            if self.classifier is None
            else self.classifier
        )
        if self.classifier is None:  # a tree is scale-free; scikit-learn's are float32
            X = X * 2.0 ** -_backend.safe_exponent(X)  # exact; beyond 2^+-50 only
        keep = np.arange(len(y))
        quiet, self.n_iterations_ = 0, 0
        need = self.n_folds if self.voting == "consensus" else self.n_folds // 2 + 1
        while quiet < self.k:
            self.n_iterations_ += 1
            Xk, yk = X[keep], y[keep]
            if np.bincount(np.unique(yk, return_inverse=True)[1]).min() < self.n_folds:
                break  # too few rows of a class to split it over the partitions
            wrong = np.zeros(len(keep), dtype=int)
            folds = StratifiedKFold(
                self.n_folds, shuffle=True, random_state=rng.randint(np.iinfo(np.int32).max)
            )
            for _, part in folds.split(Xk, yk):  # a classifier trained on each partition
                wrong += clone(base).fit(Xk[part], yk[part]).predict(Xk) != yk
            noisy = wrong >= need
            if len(np.unique(yk[~noisy])) < len(np.unique(yk)):
                break  # never filter a class away
            keep = keep[~noisy]
            quiet = quiet + 1 if noisy.sum() < self.p * len(y) else 0
        return keep
