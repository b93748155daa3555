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
    "NCDKMeans": {"n_clusters": 2},
    "NCDSpectralClustering": {"n_clusters": 2},
    "ProjectionNCD": {"n_clusters": 2, "max_epochs": 5},
    # a short fit: the checks test the interface, tests/cluster/test_subspace.py the method
    "DeepSubspaceClustering": {"n_clusters": 3, "subspace_dim": 3, "max_epochs": 15},
    "LeastSquaresSubspaceClustering": {"n_clusters": 3, "subspace_dim": 3},
}


class _ScatterplotView:
    """ClusterAmbiguity scores 2-D scatterplots and refuses other widths, where most checks'
    data have 3 to 10 columns; besides the raw estimator (with those checks listed below),
    the checks run on a subclass that keeps the first two columns, so that what they test
    (pickling, dtypes, NaN, invariances ...) is tested for this estimator too."""

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


def _two_column_view(cls):
    view = type(f"{cls.__name__}OnTwoColumns", (_ScatterplotView, cls), {"__module__": __name__})
    globals()[view.__name__] = view  # picklable
    return view


def _instance(cls):
    # seeded, as scikit-learn's and imbalanced-learn's own common tests do
    est = cls(**CHECK_PARAMS.get(cls.__name__, {}))
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    return est


# every estimator as users construct it, and ClusterAmbiguity once more on two columns
ESTIMATORS = [_instance(cls) for _, cls in all_estimators()]
ESTIMATORS.append(_instance(_two_column_view(dict(all_estimators())["ClusterAmbiguity"])))
SAMPLERS = [_instance(cls) for _, cls in all_estimators(type_filter="sampler")]

# estimator class name -> {check name: why it is expected to fail}
EXPECTED_FAILED_CHECKS = {}
EXPECTED_FAILED_CHECKS["SMOTENC"] = {
    "check_samplers_string": "its data has one (categorical) column and SMOTE-NC needs a "
    "continuous one too; all-categorical data is SMOTEN's",
}


# the checks' data have 3 to 10 columns (iris's 4 for the positive-only check): a CLAMS
# score of anything but a 2-D scatterplot would be a silent wrong answer, so it is refused
_NOT_A_SCATTERPLOT = (
    "the check's data have more than 2 columns; ClusterAmbiguity scores 2-D scatterplots and "
    "refuses other widths with a ValueError (the same checks pass on two columns: "
    "ClusterAmbiguityOnTwoColumns)"
)
EXPECTED_FAILED_CHECKS["ClusterAmbiguity"] = dict.fromkeys(
    [
        "check_fit_score_takes_y",
        "check_dont_overwrite_parameters",
        "check_n_features_in_after_fitting",
        "check_positive_only_tag_during_fit",
        "check_estimators_dtypes",
        "check_dtype_object",
        "check_pipeline_consistency",
        "check_estimators_nan_inf",
        "check_estimators_pickle",
        "check_f_contiguous_array_estimator",
        "check_methods_sample_order_invariance",
        "check_methods_subset_invariance",
        "check_dict_unchanged",
        "check_fit2d_predict1d",
    ],
    _NOT_A_SCATTERPLOT,
)


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
