"""SMOTE, Borderline-SMOTE, SVM-SMOTE, ADASYN and K-Means SMOTE against imbalanced-learn:
same rows, same errors, plus provenance."""

import imblearn.over_sampling as imb
import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import NearestNeighbors as SkNN
from sklearn.tree import DecisionTreeClassifier

from skcluster.neighbors import NearestNeighbors
from skcluster.over_sampling import (
    ADASYN,
    SMOTE,
    SVMSMOTE,
    BorderlineSMOTE,
    KMeansSMOTE,
)

from ._helpers import _data

TWINS = [
    (SMOTE, imb.SMOTE, {}),
    (BorderlineSMOTE, imb.BorderlineSMOTE, {"kind": "borderline-1"}),
    (BorderlineSMOTE, imb.BorderlineSMOTE, {"kind": "borderline-2"}),
    (SVMSMOTE, imb.SVMSMOTE, {}),
    (SVMSMOTE, imb.SVMSMOTE, {"out_step": 0.2, "m_neighbors": 6}),
    (ADASYN, imb.ADASYN, {}),
]


@pytest.mark.parametrize("ours, theirs, params", TWINS)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("seed", [0, 1])
def test_same_rows_as_imbalanced_learn(ours, theirs, params, n_classes, seed):
    X, y = _data(n_classes, seed=seed)
    Xa, ya = ours(random_state=seed, **params).fit_resample(X, y)
    Xb, yb = theirs(random_state=seed, **params).fit_resample(X, y)
    np.testing.assert_array_equal(ya, yb)
    np.testing.assert_allclose(Xa, Xb, rtol=0, atol=1e-12)


@pytest.mark.parametrize("ours, theirs, params", TWINS)
def test_provenance_rebuilds_every_synthetic_row(ours, theirs, params):
    X, y = _data(3)
    sampler = ours(random_state=0, **params)
    X_res, y_res = sampler.fit_resample(X, y)
    n = X.shape[0]
    np.testing.assert_array_equal(X_res[:n], X[sampler.sample_indices_])
    p0, p1 = sampler.synthetic_parents_.T
    steps = sampler.synthetic_steps_
    lowest = -sampler.out_step if ours is SVMSMOTE else 0  # SVM-SMOTE also extrapolates
    assert len(p0) == len(X_res) - n and ((steps >= lowest) & (steps < 1)).all()
    np.testing.assert_allclose(X_res[n:], X[p0] + steps[:, None] * (X[p1] - X[p0]), atol=1e-12)
    # every synthetic row starts from a row of its own class
    np.testing.assert_array_equal(y[p0], y_res[n:])
    if ours in (SMOTE, SVMSMOTE) or params.get("kind") == "borderline-1":
        np.testing.assert_array_equal(y[p1], y_res[n:])


def test_smote_neighbours_are_the_k_nearest_of_the_class():
    X, y = _data()
    sampler = SMOTE(k_neighbors=3, random_state=0)
    sampler.fit_resample(X, y)
    minority = np.flatnonzero(y == 1)
    _, ref = SkNN(n_neighbors=4).fit(X[minority]).kneighbors(X[minority])
    allowed = {(minority[i], minority[j]) for i in range(len(minority)) for j in ref[i, 1:]}
    assert {tuple(p) for p in sampler.synthetic_parents_} <= allowed


def test_borderline_danger_sets_equal_imbalanced_learn():
    X, y = _data(3)
    ours = BorderlineSMOTE(random_state=0).fit(X, y)
    ours.fit_resample(X, y)
    theirs = imb.BorderlineSMOTE(random_state=0)
    theirs.fit_resample(X, y)
    assert ours.in_danger_indices.keys() == theirs.in_danger_indices.keys()
    for cls in ours.in_danger_indices:
        np.testing.assert_array_equal(ours.in_danger_indices[cls], theirs.in_danger_indices[cls])


@pytest.mark.parametrize("nn", [NearestNeighbors(n_neighbors=4), SkNN(n_neighbors=4)])
def test_neighbours_object_like_imbalanced_learn(nn):
    X, y = _data()
    Xa, _ = SMOTE(k_neighbors=nn, random_state=0).fit_resample(X, y)
    Xb, _ = imb.SMOTE(k_neighbors=SkNN(n_neighbors=4), random_state=0).fit_resample(X, y)
    np.testing.assert_allclose(Xa, Xb, atol=1e-12)


def test_float32_stays_float32_and_input_untouched():
    X, y = _data(dtype=np.float32)
    X.setflags(write=False)
    before = X.copy()
    X_res, _ = SMOTE(random_state=0).fit_resample(X, y)
    assert X_res.dtype == np.float32
    np.testing.assert_array_equal(X, before)


def test_in_imblearn_pipeline_and_grid_search():
    X, y = _data()
    pipe = make_pipeline(SMOTE(random_state=0), DecisionTreeClassifier(random_state=0))
    grid = GridSearchCV(pipe, {"smote__k_neighbors": [3, 5]}, cv=3, scoring="roc_auc").fit(X, y)
    assert grid.best_params_["smote__k_neighbors"] in (3, 5)
    assert grid.best_score_ > 0.7


@pytest.mark.parametrize("sampler", [SMOTE(), BorderlineSMOTE(), SVMSMOTE(), ADASYN()])
def test_bad_input(sampler):
    X, y = _data()
    small_y = y.copy()
    small_y[np.flatnonzero(y == 1)[4:]] = 0  # 4 minority rows, k_neighbors=5
    with pytest.raises(ValueError, match="needs at least 6 samples"):
        SMOTE().fit_resample(X, small_y)
    with pytest.raises(ValueError, match="more than 1 class"):
        sampler.fit_resample(X, np.zeros_like(y))
    X_nan = X.copy()
    X_nan[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        sampler.fit_resample(X_nan, y)
    with pytest.raises(ValueError, match="greater or equal to the original"):
        type(sampler)(sampling_strategy={0: 10, 1: 10}).fit_resample(X, y)
    X_cat = X.astype(object)
    X_cat[:, 0] = "red"
    with pytest.raises(ValueError, match="could not convert string to float"):
        sampler.fit_resample(X_cat, y)


def test_adasyn_without_hard_region_is_a_clear_error():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.standard_normal((50, 2)), rng.standard_normal((20, 2)) + 100])
    y = np.array([0] * 50 + [1] * 20)
    with pytest.raises(ValueError, match="use SMOTE instead"):
        ADASYN().fit_resample(X, y)


def test_svmsmote_needs_an_svm():
    from sklearn.tree import DecisionTreeClassifier

    X, y = _data()
    with pytest.raises(RuntimeError, match="support_"):  # imbalanced-learn's error type
        SVMSMOTE(svm_estimator=DecisionTreeClassifier()).fit_resample(X, y)


# ----------------------------------------------------------------- K-Means SMOTE


def _clustered(seed=0):
    X, y = make_blobs(
        n_samples=[900, 60, 40, 300],
        centers=[[0, 0], [5, 5], [-5, 5], [0, 9]],
        cluster_std=[1.5, 1.0, 0.7, 1.0],
        random_state=seed,
    )
    return X, np.isin(y, [1, 2]).astype(int)


@pytest.mark.parametrize("kmeans", [None, 4, KMeans(n_clusters=6, n_init=1, random_state=0)])
@pytest.mark.parametrize("seed", [0, 1])
def test_kmeans_smote_same_rows_as_imbalanced_learn(kmeans, seed):
    X, y = _clustered(seed)
    Xa, ya = KMeansSMOTE(kmeans_estimator=kmeans, random_state=seed).fit_resample(X, y)
    Xb, yb = imb.KMeansSMOTE(kmeans_estimator=kmeans, random_state=seed).fit_resample(X, y)
    np.testing.assert_array_equal(ya, yb)
    np.testing.assert_allclose(Xa, Xb, atol=1e-12)


def test_kmeans_smote_samples_only_inside_minority_clusters():
    X, y = _clustered()
    sampler = KMeansSMOTE(kmeans_estimator=4, random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    p0, p1 = sampler.synthetic_parents_.T
    labels = sampler.kmeans_estimator_.predict(X)
    np.testing.assert_array_equal(labels[p0], labels[p1])  # both parents in one cluster
    assert set(labels[p0]) <= set(labels[y == 1])


def test_kmeans_smote_without_valid_cluster_is_a_clear_error():
    X, y = _clustered()
    with pytest.raises(RuntimeError, match="No clusters found"):  # imbalanced-learn's type
        KMeansSMOTE(kmeans_estimator=4, cluster_balance_threshold=0.99).fit_resample(X, y)
