"""SMOTE, Borderline-SMOTE, SVM-SMOTE and ADASYN: imbalanced-learn's semantics, on the backend."""

import math
import warnings
from numbers import Integral, Real

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.base import clone
from sklearn.cluster import MiniBatchKMeans
from sklearn.svm import SVC
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from .. import _backend
from ..neighbors._nearest import _threads
from ..utils.validation import legacy_seed
from ._base import BaseSMOTE, class_label, distance_blocks, fill_doc, neighbors_param


@fill_doc()
class SMOTE(BaseSMOTE):
    """Synthetic Minority Over-sampling Technique (Chawla et al., 2002).

    Each new row lies on the segment between a row of the class being over-sampled and one
    of its ``k_neighbors`` nearest neighbours within that class. Same parameters and output
    as :class:`imblearn.over_sampling.SMOTE`: with the same ``random_state`` and data
    without tied neighbours it returns exactly imbalanced-learn's rows, faster, because the
    neighbour search runs on skcluster's backend. A point is never its own neighbour (with
    duplicated rows imbalanced-learn may drop a duplicate instead of the point itself).

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    k_neighbors : int or object, default=5
        Number of neighbours to interpolate with, or a neighbours object with
        ``kneighbors`` (fitted on the class, its first neighbour dropped as the point itself).

    Attributes
    ----------
    {sampling_strategy_}
    sample_indices_ : ndarray of shape (n_samples,)
        The original rows, which come first in the output.
    synthetic_parents_ : ndarray of shape (n_synthetic, 2)
        For each synthetic row, the original rows it lies between.
    synthetic_steps_ : ndarray of shape (n_synthetic,)
        Its position on that segment, in [0, 1).
    {n_features_in_}

    See Also
    --------
    imblearn.over_sampling.SMOTE : the reference implementation.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import SMOTE
    >>> X, y = make_classification(n_samples=1000, weights=[0.9], random_state=0)
    >>> X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [898, 898]
    >>> sm = SMOTE(random_state=0).fit(X, y)
    >>> X_res, y_res = sm.fit_resample(X, y)
    >>> p0, p1 = sm.synthetic_parents_[0]
    >>> bool(abs(X_res[1000] - (X[p0] + sm.synthetic_steps_[0] * (X[p1] - X[p0]))).max() < 1e-12)
    True
    """

    _accepts_sparse = True

    def _takes_dask(self):
        return True

    def _fit_resample(self, X, y):
        def make(cls, rows, n_samples, rng):
            nns = self._neighbors(self.k_neighbors, "k_neighbors", X, rows, rows)
            return self._interpolate(X, rows, nns, n_samples)

        return self._resample_per_class(X, y, make)


def _count_other(neighbors, y, cls):
    return (y[neighbors] != cls).sum(axis=1)


def _in_danger(n_other, m):
    """Borderline rule: at least half, but not all, of the m neighbours are of other classes."""
    return (n_other >= m / 2) & (n_other < m)


@fill_doc()
class BorderlineSMOTE(BaseSMOTE):
    """Borderline-SMOTE (Han et al., 2005): SMOTE from the rows in danger only.

    A row of the class being over-sampled is *in danger* when at least half, but not all,
    of its ``m_neighbors`` nearest neighbours in the whole data set belong to other classes;
    new rows are made from those only. ``kind="borderline-1"`` interpolates with
    neighbours of the same class; ``"borderline-2"`` with neighbours from the whole data set,
    a step towards another class being shortened by a random factor below 0.5. Same
    parameters and output as :class:`imblearn.over_sampling.BorderlineSMOTE`.

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    {k_neighbors}
    m_neighbors : int or object, default=10
        Neighbours that decide whether a row is in danger.
    kind : {"borderline-1", "borderline-2"}, default="borderline-1"
        Which neighbours to interpolate with.

    Attributes
    ----------
    {sampling_strategy_}
    in_danger_indices : dict
        Per class, the rows of ``X`` found in danger (imbalanced-learn's name).
    {provenance_}
    {n_features_in_}

    See Also
    --------
    imblearn.over_sampling.BorderlineSMOTE : the reference implementation.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import BorderlineSMOTE
    >>> X, y = make_classification(n_samples=1000, weights=[0.9], random_state=0)
    >>> X_res, y_res = BorderlineSMOTE(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [898, 898]
    """

    _accepts_sparse = True

    _parameter_constraints: dict = {
        **BaseSMOTE._parameter_constraints,
        "m_neighbors": neighbors_param(),
        "kind": [StrOptions({"borderline-1", "borderline-2"})],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        m_neighbors=10,
        kind="borderline-1",
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, random_state=random_state, k_neighbors=k_neighbors
        )
        self.m_neighbors = m_neighbors
        self.kind = kind

    def _fit_resample(self, X, y):
        everyone = np.arange(X.shape[0])
        self.in_danger_indices = {}

        def make(cls, rows, n_samples, rng):
            m_nns = self._neighbors(self.m_neighbors, "m_neighbors", X, everyone, rows)
            danger = rows[_in_danger(_count_other(m_nns, y, cls), m_nns.shape[1])]
            if danger.size == 0:  # imbalanced-learn adds nothing too, but says nothing
                warnings.warn(
                    f"BorderlineSMOTE: no row of class {class_label(cls)} is in danger (half "
                    f"or more, but not all, of its {m_nns.shape[1]} nearest neighbours of "
                    "other classes), so the class is not over-sampled. SMOTE over-samples "
                    "it whatever its neighbours.",
                    UserWarning,
                    stacklevel=5,  # make() and the per-class loop add two frames
                )
                return []
            self.in_danger_indices[cls] = danger
            if self.kind == "borderline-1":
                nns = self._neighbors(self.k_neighbors, "k_neighbors", X, rows, danger)
                return self._interpolate(X, danger, nns, n_samples)
            nns = self._neighbors(self.k_neighbors, "k_neighbors", X, everyone, danger)
            return self._interpolate(X, danger, nns, n_samples, y=y, cls=cls)

        return self._resample_per_class(X, y, make)


@fill_doc()
class ADASYN(BaseSMOTE):
    """Adaptive Synthetic sampling (He et al., 2008).

    Like SMOTE, but each row of the class being over-sampled makes a number of new rows
    proportional to the share of other classes among its ``n_neighbors`` nearest
    neighbours in the whole data set: harder regions get more. Same parameters and output
    as :class:`imblearn.over_sampling.ADASYN` (class counts may differ from the target by
    rounding, as there).

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    n_neighbors : int or object, default=5
        Neighbours for the difficulty ratio and for the interpolation.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of rows to add per class (before rounding).
    {provenance_}
    {n_features_in_}

    See Also
    --------
    imblearn.over_sampling.ADASYN : the reference implementation.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import ADASYN
    >>> X, y = make_classification(n_samples=1000, weights=[0.9], random_state=0)
    >>> X_res, y_res = ADASYN(random_state=0).fit_resample(X, y)
    >>> X_res.shape[0] > X.shape[0]
    True
    """

    _accepts_sparse = True

    _parameter_constraints: dict = {
        **BaseSMOTE._parameter_constraints,
        "n_neighbors": neighbors_param(),
    }
    _parameter_constraints.pop("k_neighbors")

    def __init__(self, *, sampling_strategy="auto", random_state=None, n_neighbors=5):
        BaseOverSampler.__init__(self, sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.n_neighbors = n_neighbors

    def _fit_resample(self, X, y):
        everyone = np.arange(X.shape[0])

        def make(cls, rows, n_samples, rng):
            nns = self._neighbors(self.n_neighbors, "n_neighbors", X, everyone, rows)
            ratio = _count_other(nns, y, cls) / nns.shape[1]
            if not ratio.sum():
                raise ValueError(
                    f"no neighbour of class {class_label(cls)} belongs to another class, so "
                    "ADASYN has no hard region to sample; use SMOTE instead."
                )
            per_row = np.rint(ratio / ratio.sum() * n_samples).astype(int)
            n_samples = int(per_row.sum())
            if not n_samples:
                raise ValueError("No samples will be generated with the provided ratio settings.")
            nns = self._neighbors(self.n_neighbors, "n_neighbors", X, rows, rows)
            p0 = np.repeat(rows, per_row)
            cols = rng.choice(nns.shape[1], size=n_samples)
            p1 = nns[np.repeat(np.arange(rows.size), per_row), cols]
            return self._add_synthetic(X, p0, p1, rng.uniform(size=n_samples))

        return self._resample_per_class(X, y, make)


@fill_doc()
class SVMSMOTE(BaseSMOTE):
    """SVM-SMOTE (Nguyen, Cooper and Kamei, 2011): SMOTE around an SVM's support vectors.

    An SVM is fitted on the whole data; the support vectors of the class being over-sampled
    that are not noise (all ``m_neighbors`` neighbours of other classes) seed the new rows.
    Support vectors in danger (see :class:`BorderlineSMOTE`) interpolate towards a
    neighbour of their class; safe ones extrapolate away from it, up to ``out_step``. A
    Beta(10, 10) draw splits the new rows between the two. Same parameters and output as
    :class:`imblearn.over_sampling.SVMSMOTE`, including its rule that when one group is
    empty only the other group's share is generated.

    Parameters
    ----------
    {sampling_strategy}
    random_state : int, RandomState instance or None, default=None
        Seed of the draws (and of the default SVM).
    {k_neighbors}
    m_neighbors : int or object, default=10
        Neighbours that decide noise and danger.
    svm_estimator : estimator with ``support_``, default=None
        ``None`` means ``sklearn.svm.SVC(gamma="scale", random_state=random_state)``.
    out_step : float in [0, 1], default=0.5
        Longest extrapolation step from a safe support vector.

    Attributes
    ----------
    {sampling_strategy_}
    svm_estimator_ : estimator
        The fitted SVM.
    sample_indices_, synthetic_parents_, synthetic_steps_ : ndarray
        Provenance, see :class:`SMOTE`; steps are negative for extrapolated rows.
    {n_features_in_}

    See Also
    --------
    imblearn.over_sampling.SVMSMOTE : the reference implementation.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import SVMSMOTE
    >>> X, y = make_classification(n_samples=1000, weights=[0.9], random_state=0)
    >>> X_res, y_res = SVMSMOTE(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [898, 898]
    """

    _accepts_sparse = True

    _parameter_constraints: dict = {
        **BaseSMOTE._parameter_constraints,
        "m_neighbors": neighbors_param(),
        "svm_estimator": [HasMethods(["fit", "predict"]), None],
        "out_step": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        m_neighbors=10,
        svm_estimator=None,
        out_step=0.5,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, random_state=random_state, k_neighbors=k_neighbors
        )
        self.m_neighbors = m_neighbors
        self.svm_estimator = svm_estimator
        self.out_step = out_step

    def _fit_resample(self, X, y):
        if self.svm_estimator is None:
            self.svm_estimator_ = SVC(gamma="scale", random_state=legacy_seed(self.random_state))
        else:
            self.svm_estimator_ = clone(self.svm_estimator)
        everyone = np.arange(X.shape[0])

        def make(cls, rows, n_samples, rng):
            self.svm_estimator_.fit(X, y)
            if not hasattr(self.svm_estimator_, "support_"):
                # imbalanced-learn's error type and words (its tests match them)
                raise RuntimeError(
                    "`svm_estimator` is required to exposed a `support_` fitted attribute. "
                    f"Such estimator belongs to the family of Support Vector Machines; "
                    f"{type(self.svm_estimator_).__name__} has none."
                )
            support = self.svm_estimator_.support_
            support = support[y[support] == cls]
            m_nns = self._neighbors(self.m_neighbors, "m_neighbors", X, everyone, support)
            n_other = _count_other(m_nns, y, cls)
            keep = n_other != m_nns.shape[1]  # drop noise
            support, n_other = support[keep], n_other[keep]
            if support.size == 0:
                raise ValueError(
                    "All support vectors are considered as noise. SVM-SMOTE is not "
                    "adapted to your dataset. Try another SMOTE variant."
                )
            danger = _in_danger(n_other, m_nns.shape[1])
            n_danger = int(rng.beta(10, 10) * (n_samples + 1))
            made = []
            if danger.any():  # interpolated from the support vectors in danger
                nns = self._neighbors(self.k_neighbors, "k_neighbors", X, rows, support[danger])
                made.append(self._interpolate(X, support[danger], nns, n_danger))
            if (~danger).any():  # extrapolated from the safe ones
                nns = self._neighbors(self.k_neighbors, "k_neighbors", X, rows, support[~danger])
                made.append(
                    self._interpolate(
                        X, support[~danger], nns, n_samples - n_danger, step_size=-self.out_step
                    )
                )
            return made

        return self._resample_per_class(X, y, make)


@fill_doc()
class KMeansSMOTE(BaseSMOTE):
    """K-Means SMOTE (Douzas, Bacao and Last, 2018): SMOTE inside sparse minority clusters.

    The data are clustered; clusters where the class being over-sampled makes up at least
    ``cluster_balance_threshold`` of the rows (and has more than ``k_neighbors`` rows) are
    kept, each gets new rows in proportion to its sparsity (mean pairwise distance of its
    rows of that class, to the ``density_exponent``, over their count), and SMOTE runs
    inside each. Same parameters and, with the default clustering, the same output as
    :class:`imblearn.over_sampling.KMeansSMOTE`; the mean pairwise distances are computed
    in bounded blocks on skcluster's backend instead of a full distance matrix.

    Parameters
    ----------
    {sampling_strategy}
    random_state : int, RandomState instance or None, default=None
        Seed of the draws and of the default clustering.
    k_neighbors : int or object, default=2
        Neighbours to interpolate with, within a cluster.
    n_jobs : int, default=None
        Threads of the distance computations, as :class:`skcluster.neighbors.NearestNeighbors`
        counts them (None: Numba's thread count); the result does not depend on it.
    kmeans_estimator : int or clustering estimator, default=None
        ``None``: ``MiniBatchKMeans(random_state=random_state)``; an int: the same with
        that many clusters; or an estimator with ``fit_predict`` and ``n_clusters``.
    cluster_balance_threshold : "auto" or float, default="auto"
        Smallest share of the class in a cluster for the cluster to be used; ``"auto"`` is
        imbalanced-learn's rule (half the class's share of all rows to generate).
    density_exponent : "auto" or float, default="auto"
        Exponent of the mean distance in the sparsity; ``"auto"`` is
        ``0.16 * log_1.6(n)^1.8`` as in imbalanced-learn.

    Attributes
    ----------
    kmeans_estimator_ : estimator
        The fitted clustering.
    cluster_balance_threshold_ : "auto" or float
        The threshold used.
    {provenance_}
    {n_features_in_}

    See Also
    --------
    imblearn.over_sampling.KMeansSMOTE : the reference implementation.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_blobs
    >>> from skcluster.over_sampling import KMeansSMOTE
    >>> X, y = make_blobs(n_samples=[900, 60, 40], centers=[[0, 0], [5, 5], [-5, 5]],
    ...                   random_state=0)
    >>> y = (y > 0).astype(int)
    >>> sampler = KMeansSMOTE(kmeans_estimator=3, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> int(np.bincount(y_res)[1]) >= 900
    True
    """

    _accepts_sparse = True

    _parameter_constraints: dict = {
        **BaseSMOTE._parameter_constraints,
        "kmeans_estimator": [
            HasMethods(["fit", "predict"]),
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
        "cluster_balance_threshold": [StrOptions({"auto"}), Real],
        "density_exponent": [StrOptions({"auto"}), Real],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=2,
        n_jobs=None,
        kmeans_estimator=None,
        cluster_balance_threshold="auto",
        density_exponent="auto",
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, random_state=random_state, k_neighbors=k_neighbors
        )
        self.n_jobs = n_jobs
        self.kmeans_estimator = kmeans_estimator
        self.cluster_balance_threshold = cluster_balance_threshold
        self.density_exponent = density_exponent

    def _sparsity(self, X_class):
        """(mean pairwise distance)^exponent / n, the mean over distinct pairs, in blocks."""
        n = X_class.shape[0]
        total = 0.0
        for _, block in distance_blocks(X_class, X_class):
            total += float(np.sqrt(block, out=block).sum())
        # the diagonal is zero up to rounding; imbalanced-learn zeroes it explicitly
        mean = total / (n * n - n)
        exponent = (
            math.log(n, 1.6) ** 1.8 * 0.16
            if self.density_exponent == "auto"
            else self.density_exponent
        )
        return mean**exponent / n

    def _fit_resample(self, X, y):
        with _threads(self.n_jobs):
            return self._fit_resample_threads(X, y)

    def _fit_resample_threads(self, X, y):
        if self.kmeans_estimator is None:
            self.kmeans_estimator_ = MiniBatchKMeans(random_state=legacy_seed(self.random_state))
        elif isinstance(self.kmeans_estimator, Integral):
            self.kmeans_estimator_ = MiniBatchKMeans(
                n_clusters=self.kmeans_estimator, random_state=legacy_seed(self.random_state)
            )
        else:
            self.kmeans_estimator_ = clone(self.kmeans_estimator)
        n_clusters = self.kmeans_estimator_.n_clusters
        self.cluster_balance_threshold_ = (
            self.cluster_balance_threshold if n_clusters != 1 else -np.inf
        )
        k = (
            self.k_neighbors
            if isinstance(self.k_neighbors, Integral)
            else (self.k_neighbors.n_neighbors - 1)
        )
        total = sum(self.sampling_strategy_.values())
        # the weights are ratios of sparsities, (s * mean)^e alike: distances of rows scaled
        # by a power of two (exact) where their squares would overflow or underflow
        unit = 2.0 ** -_backend.safe_exponent(X)

        def make(cls, class_rows, n_samples, rng):
            labels = self.kmeans_estimator_.fit_predict(X)
            threshold = (
                n_samples / total / 2
                if self.cluster_balance_threshold_ == "auto"
                else self.cluster_balance_threshold_
            )
            valid, sparsity = [], []
            for c in range(n_clusters):
                members = np.flatnonzero(labels == c)
                if members.size == 0:
                    continue
                share = (y[members] == cls).mean()
                if share < threshold or share * members.size < k + 1:
                    continue
                rows = members[y[members] == cls]
                valid.append(rows)
                sparsity.append(self._sparsity(X[rows] * unit))
            if not valid:  # imbalanced-learn's error type
                raise RuntimeError(
                    f"No clusters found with sufficient samples of class {class_label(cls)}. Try "
                    "lowering the cluster_balance_threshold or increasing the number of "
                    "clusters."
                )
            weights = np.array(sparsity)
            # clusters of identical rows have sparsity 0: with nothing else, share equally
            weights = (
                weights / weights.sum()
                if weights.sum() > 0
                else np.full(len(valid), 1 / len(valid))
            )
            made = []
            for rows, weight in zip(valid, weights, strict=True):
                nns = self._neighbors(self.k_neighbors, "k_neighbors", X, rows, rows)
                made.append(self._interpolate(X, rows, nns, int(math.ceil(n_samples * weight))))
            return made

        return self._resample_per_class(X, y, make)
