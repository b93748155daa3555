"""HiddenClassKFold: tune novel class discovery by playing known classes as novel ones."""

from itertools import combinations
from math import comb
from numbers import Integral

import numpy as np
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import column_or_1d

from ..utils.validation import RANDOM_STATE, check_random_state


class HiddenClassKFold(BaseCrossValidator):
    """Folds that hide some known classes, so that a novel class discovery setting can be
    scored on classes whose labels are known.

    In novel class discovery the classes to find have no labels, so a setting cannot be scored
    on them. Troisemaine et al. (2024) tune instead on the known classes: each fold hides
    ``n_hidden`` of them among the unlabelled rows, the model learns from the other known
    classes and from all unlabelled rows, and it is scored on how well it clusters the hidden
    classes. Each fold's training part is the visible known classes' rows plus the unlabelled
    rows (``y == -1``); its test part is the hidden classes' rows, whose labels reach only
    the scorer, never ``fit``. With :func:`skcluster.metrics.clustering_accuracy_scorer` as
    ``scoring``, a novel class discovery estimator refits on its training part plus the
    hidden rows (unlabelled), with ``n_clusters + n_hidden`` clusters, and the clusters of the
    hidden rows are scored against their classes: the paper's protocol, at the price of a
    second fit per fold and setting.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, each a different set of hidden classes drawn at random.
    n_hidden : int or None, default=None
        Known classes hidden in each fold; None hides half of them (rounded down, at least
        one). At least one known class stays visible.
    random_state : int, RandomState instance or None, default=None
        Draws the hidden sets.

    Examples
    --------
    >>> import numpy as np
    >>> from skcluster.model_selection import HiddenClassKFold
    >>> y = np.array([0, 0, 1, 1, 2, 2, 3, 3, -1, -1])
    >>> cv = HiddenClassKFold(n_splits=2, n_hidden=1, random_state=0)
    >>> for train, test in cv.split(np.zeros((10, 1)), y):
    ...     print(np.unique(y[train]).tolist(), np.unique(y[test]).tolist())
    [-1, 0, 1, 3] [2]
    [-1, 0, 1, 2] [3]
    """

    @validate_params(
        {
            "n_splits": [Interval(Integral, 1, None, closed="left")],
            "n_hidden": [Interval(Integral, 1, None, closed="left"), None],
            "random_state": RANDOM_STATE,
        },
        prefer_skip_nested_validation=True,
    )
    def __init__(self, n_splits=5, *, n_hidden=None, random_state=None):
        self.n_splits = n_splits
        self.n_hidden = n_hidden
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of folds.

        Parameters
        ----------
        X, y, groups : object
            Ignored.

        Returns
        -------
        n_splits : int
        """
        return self.n_splits

    def split(self, X, y, groups=None):
        """Indices of the training rows (visible known classes and unlabelled rows) and of
        the test rows (hidden known classes) of each fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Known classes, -1 for unlabelled rows.
        groups : object
            Ignored.

        Yields
        ------
        train, test : ndarray of int
        """
        if y is None:
            raise ValueError("HiddenClassKFold needs y: the known classes, -1 for unlabelled.")
        y = column_or_1d(y)
        known = np.unique(y[y != -1])
        n_hidden = max(1, len(known) // 2) if self.n_hidden is None else self.n_hidden
        if len(known) < 2 or n_hidden >= len(known):
            raise ValueError(
                f"HiddenClassKFold hides {n_hidden} known class(es) per fold and keeps at "
                f"least one visible; y has {len(known)} known class(es)."
            )
        if self.n_splits > comb(len(known), n_hidden):
            raise ValueError(
                f"n_splits={self.n_splits} is more than the {comb(len(known), n_hidden)} "
                f"ways to hide {n_hidden} of {len(known)} known classes."
            )
        rng = check_random_state(self.random_state)
        if comb(len(known), n_hidden) <= 10_000:
            sets = list(combinations(range(len(known)), n_hidden))
            chosen = [sets[i] for i in rng.choice(len(sets), self.n_splits, replace=False)]
        else:  # too many to list: draw until distinct
            seen = set()
            while len(seen) < self.n_splits:
                seen.add(tuple(sorted(rng.choice(len(known), n_hidden, replace=False))))
            chosen = sorted(seen)
        for hidden in chosen:
            test_mask = np.isin(y, known[list(hidden)])
            yield np.flatnonzero(~test_mask), np.flatnonzero(test_mask)
