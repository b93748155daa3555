"""Clustering accuracy: the best one-to-one matching of clusters to classes (Hungarian)."""

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.utils._param_validation import validate_params
from sklearn.utils.validation import check_consistent_length, column_or_1d


@validate_params(
    {"labels_true": ["array-like"], "labels_pred": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def clustering_accuracy(labels_true, labels_pred):
    """Fraction of rows whose cluster is matched to their class by the best one-to-one map.

    The map between cluster labels and class labels is the assignment that maximises the
    number of matched rows (Hungarian algorithm, :func:`scipy.optimize.linear_sum_assignment`).
    With more clusters than classes the extra clusters count as errors, and conversely. This
    is the "ACC" of the clustering and novel class discovery literature.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Ground-truth classes.
    labels_pred : array-like of shape (n_samples,)
        Cluster labels (any values, any number of clusters).

    Returns
    -------
    accuracy : float in [0, 1]

    Examples
    --------
    >>> from skcluster.metrics import clustering_accuracy
    >>> clustering_accuracy([0, 0, 1, 1, 2, 2], [5, 5, 3, 3, 3, 9])
    0.8333...
    """
    labels_true = column_or_1d(labels_true)
    labels_pred = column_or_1d(labels_pred)
    check_consistent_length(labels_true, labels_pred)
    if len(labels_true) == 0:
        raise ValueError("clustering_accuracy needs at least one sample.")
    _, t = np.unique(labels_true, return_inverse=True)
    _, p = np.unique(labels_pred, return_inverse=True)
    C = np.zeros((t.max() + 1, p.max() + 1), dtype=np.int64)
    np.add.at(C, (t, p), 1)
    rows, cols = linear_sum_assignment(C, maximize=True)
    return float(C[rows, cols].sum() / len(labels_true))


def clustering_accuracy_scorer(estimator, X, y):
    """Scorer (``scoring=`` of ``GridSearchCV``) of a clustering of ``X`` against ``y``.

    Novel class discovery estimators (those with a ``cluster_novel`` method) cluster ``X``,
    whose classes are new to them, together with the unlabelled rows of their fit, into
    ``len(np.unique(y))`` more clusters: that is how
    :class:`~skcluster.model_selection.HiddenClassKFold` scores the hidden classes. Other
    estimators are scored on ``estimator.predict(X)``.

    Parameters
    ----------
    estimator : fitted estimator
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)

    Returns
    -------
    accuracy : float

    Examples
    --------
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.datasets import make_blobs
    >>> from skcluster.metrics import clustering_accuracy_scorer
    >>> X, y = make_blobs(300, centers=3, random_state=0)
    >>> model = KMeans(3, n_init=10, random_state=0).fit(X)
    >>> round(clustering_accuracy_scorer(model, X, y), 2)
    0.92
    """
    y = column_or_1d(y)
    if hasattr(estimator, "cluster_novel"):
        labels = estimator.cluster_novel(X, n_new_classes=len(np.unique(y)))
    else:
        labels = estimator.predict(X)
    return clustering_accuracy(y, labels)
