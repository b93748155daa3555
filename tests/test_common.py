"""scikit-learn's (and, for samplers, imbalanced-learn's) estimator checks on every estimator."""

import numpy as np
import pytest
from scipy.sparse import issparse
from sklearn.utils.estimator_checks import parametrize_with_checks

from skcluster.utils import all_estimators

# parameters the checks use: required ones, and imbalanced-learn's own choice for
# KMeansSMOTE (8 clusters leave no cluster with enough rows of one class in its data)
CHECK_PARAMS = {
    "SMOTENC": {"categorical_features": [0]},
    "KMeansSMOTE": {"kmeans_estimator": 12},
    "NCDKMeansChecked": {"n_clusters": 2},
    "NCDSpectralClusteringChecked": {"n_clusters": 2},
    "ProjectionNCDChecked": {"n_clusters": 2, "max_epochs": 5},
    # a short fit: the checks test the interface, tests/test_cluster_subspace.py the method
    "DeepSubspaceClustering": {"n_clusters": 3, "subspace_dim": 3, "max_epochs": 15},
    "LeastSquaresSubspaceClustering": {"n_clusters": 3, "subspace_dim": 3},
}


class _SemiSupervisedView:
    """Novel class discovery needs unlabelled rows (y == -1), which the checks' data lack: the
    checks run on a subclass whose fit hides the largest class (or, with one class, the second
    half of the rows) and then runs the estimator's own fit unchanged."""

    def fit(self, X, y=None):
        if y is not None:
            y = np.array(y)
            if y.ndim == 1 and len(y) > 1:
                classes = np.unique(y)
                y = np.where(y == classes[-1], -1, y) if len(classes) > 1 else y.copy()
                if len(classes) == 1:
                    y[len(y) // 2 :] = -1
        return super().fit(X, y)


class _ScatterplotView:
    """ClusterAmbiguity scores 2-D scatterplots and rejects other widths (tested in
    test_metrics_ambiguity.py); the checks' data have 1 to 5 columns, so they run on a
    subclass that keeps the first two (n_features_in_ still counts them all)."""

    def fit(self, X, y=None):
        if not hasattr(X, "iloc") and not issparse(X):
            X = np.asarray(X)
        n = X.shape[1] if getattr(X, "ndim", 0) == 2 and not issparse(X) else None
        cols = X.iloc[:, :2] if hasattr(X, "iloc") else X[:, :2] if n else X
        super().fit(cols, y)
        if n:
            self.n_features_in_ = n
        return self

    def score(self, X, y=None):
        from sklearn.utils.validation import validate_data

        from skcluster.metrics import ClusterAmbiguity

        validate_data(self, X, reset=False)
        cols = np.asarray(X)[:, :2]
        return ClusterAmbiguity(**self.get_params()).fit(cols).score(cols, y)


def _checked_class(cls):
    views = {"ClusterAmbiguity": _ScatterplotView}
    if cls.__name__ not in SEMI_SUPERVISED and cls.__name__ not in views:
        return cls
    view = views.get(cls.__name__, _SemiSupervisedView)
    view = type(f"{cls.__name__}Checked", (view, cls), {"__module__": __name__})
    globals()[view.__name__] = view  # picklable
    return view


# transductive clusterers whose labels_ cover the unlabelled rows only
SEMI_SUPERVISED = {"NCDKMeans", "NCDSpectralClustering", "ProjectionNCD"}
_UNLABELLED_ONLY = "labels_ covers the unlabelled rows (y == -1) only, by design"


def _instance(cls):
    cls = _checked_class(cls)
    # seeded, as scikit-learn's and imbalanced-learn's own common tests do
    est = cls(**CHECK_PARAMS.get(cls.__name__, {}))
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    return est


ESTIMATORS = [_instance(cls) for _, cls in all_estimators()]
SAMPLERS = [_instance(cls) for _, cls in all_estimators(type_filter="sampler")]

# estimator class name -> {check name: why it is expected to fail}
EXPECTED_FAILED_CHECKS = {}
EXPECTED_FAILED_CHECKS["SMOTENC"] = {
    "check_samplers_string": "its data has one (categorical) column and SMOTE-NC needs a "
    "continuous one too; all-categorical data is SMOTEN's",
}


for name in SEMI_SUPERVISED:
    EXPECTED_FAILED_CHECKS[f"{name}Checked"] = {"check_clustering": _UNLABELLED_ONLY}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


def test_all_estimators_finds_the_public_ones():
    names = [name for name, _ in all_estimators()]
    assert "NearestNeighbors" in names
    assert names == sorted(set(names))
    with pytest.raises(ValueError, match="unknown type_filter"):
        all_estimators(type_filter="sorter")


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


if SAMPLERS:
    from imblearn.utils.estimator_checks import parametrize_with_checks as imblearn_checks

    @imblearn_checks(SAMPLERS, expected_failed_checks=_expected_failed_checks)
    def test_imblearn_compatible(estimator, check):
        check(estimator)
