"""scikit-learn's (and, for samplers, imbalanced-learn's) estimator checks on every estimator."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skcluster.utils import all_estimators

# parameters the checks use: required ones, and imbalanced-learn's own choice for
# KMeansSMOTE (8 clusters leave no cluster with enough rows of one class in its data)
CHECK_PARAMS = {
    "SMOTENC": {"categorical_features": [0]},
    "KMeansSMOTE": {"kmeans_estimator": 12},
}


def _instance(cls):
    # seeded, as scikit-learn's and imbalanced-learn's own common tests do
    est = cls(**CHECK_PARAMS.get(cls.__name__, {}))
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    return est


ESTIMATORS = [_instance(cls) for _, cls in all_estimators()]
SAMPLERS = [_instance(cls) for _, cls in all_estimators(type_filter="sampler")]

# estimator class name -> {check name: why it is expected to fail}
_DENSE_ONLY = "sparse input is rejected with a clear TypeError: the kernels are dense"
# every sampler but SMOTENC (which turns sparse pandas input into dense arrays) rejects it
EXPECTED_FAILED_CHECKS = {
    name: {"check_samplers_pandas_sparse": _DENSE_ONLY}
    for name, _ in all_estimators(type_filter="sampler")
    if name != "SMOTENC"
}
EXPECTED_FAILED_CHECKS["SMOTENC"] = {
    "check_samplers_string": "its data has one (categorical) column and SMOTE-NC needs a "
    "continuous one too; all-categorical data is SMOTEN's",
}


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
