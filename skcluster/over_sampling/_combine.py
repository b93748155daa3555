"""Over-sampling followed by cleaning (ENN, Tomek links, IPF), with any over-sampler."""

from numbers import Integral, Real

import numpy as np
from imblearn.base import BaseSampler
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.under_sampling import EditedNearestNeighbours, TomekLinks
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from .. import _backend
from ..neighbors import NearestNeighbors
from ._smote import SMOTE


class _OverSampleThenClean(BaseSampler):
    """Run ``sampler`` (default: skcluster's SMOTE), then a cleaning under-sampler.

    Like imbalanced-learn's combined samplers, a plain ``BaseSampler`` of the
    over-sampling type: the cleaning may leave a class below the majority's count.
    """

    _sampling_type = "over-sampling"
    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "sampler": [HasMethods(["fit_resample"]), None],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags

    def _check_X_y(self, X, y, accept_sparse=None):
        return super()._check_X_y(X, y, accept_sparse=False)

    def _oversampler(self):
        if self.sampler is not None:
            return clone(self.sampler)
        return SMOTE(sampling_strategy=self.sampling_strategy, random_state=self.random_state)

    def _fit_resample(self, X, y):
        self.sampler_ = self._oversampler()
        # as imbalanced-learn: the strategy is the over-sampler's, passed through unchanged
        self.sampling_strategy_ = self.sampling_strategy
        X_res, y_res = self.sampler_.fit_resample(X, y)
        keep = self._clean(X_res, y_res)
        self.kept_indices_ = keep
        return X_res[keep], y_res[keep]


class SMOTEENN(_OverSampleThenClean):
    """Over-sample, then remove rows their neighbours out-vote (Batista et al., 2004).

    :class:`imblearn.combine.SMOTEENN` accepts only imbalanced-learn's plain SMOTE; here
    ``sampler`` may be any over-sampler with ``fit_resample`` (every skcluster SMOTE
    variant, or imbalanced-learn's). The default cleaner is imbalanced-learn's
    ``EditedNearestNeighbours(sampling_strategy="all")`` with skcluster's neighbour search,
    so the default output equals imbalanced-learn's SMOTEENN for the same seed.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        Strategy of the default over-sampler.
    random_state : int, RandomState instance or None, default=None
        Seed of the default over-sampler.
    sampler : over-sampler, default=None
        ``None`` means ``skcluster.over_sampling.SMOTE(sampling_strategy, random_state)``.
    enn : under-sampler, default=None
        ``None`` means ``EditedNearestNeighbours(sampling_strategy="all")`` searching with
        :class:`skcluster.neighbors.NearestNeighbors`.

    Attributes
    ----------
    sampler_ : over-sampler
        The fitted over-sampler (its provenance attributes tell where synthetic rows
        come from).
    enn_ : under-sampler
        The fitted cleaner.
    kept_indices_ : ndarray
        Rows of the over-sampled set that the cleaning kept, in output order.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import SMOTEENN, BorderlineSMOTE
    >>> X, y = make_classification(n_samples=1000, weights=[0.9], random_state=0)
    >>> cleaner = SMOTEENN(sampler=BorderlineSMOTE(random_state=0))
    >>> X_res, y_res = cleaner.fit_resample(X, y)
    >>> X_res.shape[0] < 2 * 898
    True
    """

    _parameter_constraints: dict = {
        **_OverSampleThenClean._parameter_constraints,
        "enn": [HasMethods(["fit_resample"]), None],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, sampler=None, enn=None):
        super().__init__()
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.sampler = sampler
        self.enn = enn

    def _clean(self, X, y):
        if self.enn is None:
            self.enn_ = EditedNearestNeighbours(
                sampling_strategy="all", n_neighbors=NearestNeighbors(n_neighbors=4)
            )
        else:
            self.enn_ = clone(self.enn)
        self.enn_.fit_resample(X, y)
        return self.enn_.sample_indices_


class SMOTETomek(_OverSampleThenClean):
    """Over-sample, then remove Tomek links (Batista et al., 2003).

    A Tomek link is a pair of rows of different classes, each the other's nearest
    neighbour. ``sampler`` may be any over-sampler (see :class:`SMOTEENN`). By default
    both rows of every link are removed (``TomekLinks(sampling_strategy="all")``, the
    default of :class:`imblearn.combine.SMOTETomek`), with the nearest neighbours found on
    skcluster's backend; pass ``tomek`` to use another cleaner.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        Strategy of the default over-sampler.
    random_state : int, RandomState instance or None, default=None
        Seed of the default over-sampler.
    sampler : over-sampler, default=None
        ``None`` means ``skcluster.over_sampling.SMOTE(sampling_strategy, random_state)``.
    tomek : under-sampler, default=None
        ``None`` removes both rows of every Tomek link.

    Attributes
    ----------
    sampler_ : over-sampler
        The fitted over-sampler.
    kept_indices_ : ndarray
        Rows of the over-sampled set that the cleaning kept, in output order.

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
        **_OverSampleThenClean._parameter_constraints,
        "tomek": [HasMethods(["fit_resample"]), None],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, sampler=None, tomek=None):
        super().__init__()
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.sampler = sampler
        self.tomek = tomek

    def _clean(self, X, y):
        if self.tomek is not None:
            self.tomek_ = clone(self.tomek)
            self.tomek_.fit_resample(X, y)
            return self.tomek_.sample_indices_
        _, nn = _backend.kneighbors(X, X, 1, exclude_self=True)
        links = TomekLinks.is_tomek(y, nn[:, 0], class_type=np.unique(y))
        return np.flatnonzero(~links)


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
    sampling_strategy : float, str, dict or callable, default="auto"
        Strategy of the default over-sampler.
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
            DecisionTreeClassifier(random_state=self.random_state)
            if self.classifier is None
            else self.classifier
        )
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
