"""The SMOTE family against imbalanced-learn: same rows, same errors, plus provenance."""

import imblearn.combine as imbc
import imblearn.over_sampling as imb
import imblearn.under_sampling as imbu
import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs, make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import NearestNeighbors as SkNN
from sklearn.tree import DecisionTreeClassifier

from skcluster.neighbors import NearestNeighbors
from skcluster.over_sampling import (
    ADASYN,
    CCR,
    MWMOTE,
    SMOBD,
    SMOTE,
    SMOTEENN,
    SMOTEIPF,
    SMOTEN,
    SMOTENC,
    SVMSMOTE,
    AssembledSMOTE,
    BorderlineSMOTE,
    GeometricSMOTE,
    KMeansSMOTE,
    LeeSMOTE,
    PolynomFitSMOTE,
    ProWSyn,
    SafeLevelSMOTE,
    SMOTETomek,
)

TWINS = [
    (SMOTE, imb.SMOTE, {}),
    (BorderlineSMOTE, imb.BorderlineSMOTE, {"kind": "borderline-1"}),
    (BorderlineSMOTE, imb.BorderlineSMOTE, {"kind": "borderline-2"}),
    (SVMSMOTE, imb.SVMSMOTE, {}),
    (SVMSMOTE, imb.SVMSMOTE, {"out_step": 0.2, "m_neighbors": 6}),
    (ADASYN, imb.ADASYN, {}),
]


def _data(n_classes=2, dtype=np.float64, seed=0):
    weights = [0.85, 0.15] if n_classes == 2 else [0.7, 0.2, 0.1]
    X, y = make_classification(
        n_samples=1500,
        n_features=8,
        n_informative=5,
        n_classes=n_classes,
        weights=weights,
        random_state=seed,
    )
    return X.astype(dtype), y


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


# ----------------------------------------------------------------- SMOTE-NC


def _mixed(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    X = np.column_stack(
        [rng.normal(size=n), rng.integers(0, 4, n), rng.normal(size=n) * 3, rng.integers(0, 2, n)]
    ).astype(float)
    y = (rng.uniform(size=n) < 0.1).astype(int)
    return X, y


def test_smotenc_equals_imbalanced_learn_tie_breaks_included():
    X, y = _mixed()
    Xa, ya = SMOTENC(categorical_features=[1, 3], random_state=0).fit_resample(X, y)
    Xb, yb = imb.SMOTENC(categorical_features=[1, 3], random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(ya, yb)
    np.testing.assert_allclose(Xa[:, [0, 2]], Xb[:, [0, 2]], atol=1e-12)
    np.testing.assert_array_equal(Xa[:, [1, 3]], Xb[:, [1, 3]])
    assert set(np.unique(Xa[:, 1])) <= {0.0, 1.0, 2.0, 3.0}


def test_smotenc_category_is_the_neighbours_majority():
    # class 1's rows near each other share category "x" except one: the vote gives "x"
    rng = np.random.default_rng(1)
    cont = np.vstack([rng.normal(size=(200, 2)), rng.normal(size=(12, 2)) * 0.01 + 50])
    cat = np.array(["y"] * 200 + ["x"] * 11 + ["z"], dtype=object)
    X = np.column_stack([cont[:, 0], cat, cont[:, 1]]).astype(object)
    y = np.array([0] * 200 + [1] * 12)
    X_res, _ = SMOTENC(categorical_features=[1], k_neighbors=5, random_state=0).fit_resample(X, y)
    assert set(X_res[212:, 1]) == {"x"}
    assert X_res.dtype == object


def test_smotenc_pandas_auto_and_names():
    pd = pytest.importorskip("pandas")
    X, y = _mixed()
    df = pd.DataFrame(
        {"a": X[:, 0], "c": pd.Categorical(X[:, 1].astype(int).astype(str)), "b": X[:, 2]}
    )
    X_res, y_res = SMOTENC(categorical_features="auto", random_state=0).fit_resample(df, y)
    assert list(X_res.columns) == ["a", "c", "b"] and len(X_res) == len(y_res)
    X_res2, _ = SMOTENC(categorical_features=["c"], random_state=0).fit_resample(df, y)
    np.testing.assert_array_equal(X_res.to_numpy(), X_res2.to_numpy())


def test_smotenc_memory_does_not_grow_with_categories_times_neighbours():
    # imbalanced-learn builds an (n_new x k x n_one_hot) array: 18,000 more new rows with
    # 3000 categories and k=5 would cost it 2.2 GB more; here only the output grows
    import tracemalloc

    rng = np.random.default_rng(0)
    n = 22_000
    X = np.column_stack([rng.normal(size=n), rng.integers(0, 3000, n)]).astype(float)
    y = np.zeros(n, dtype=int)
    y[:2000] = 1

    def peak(n_minority_after):
        tracemalloc.start()
        SMOTENC(
            categorical_features=[1], sampling_strategy={1: n_minority_after}, random_state=0
        ).fit_resample(X, y)
        used = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return used

    assert peak(20_000) - peak(2_000 + 2_000) < 50 * 2**20


def test_smotenc_bad_input():
    X, y = _mixed()
    with pytest.raises(ValueError, match="requires some numerical features"):
        SMOTENC(categorical_features=[0, 1, 2, 3]).fit_resample(X, y)
    with pytest.raises(ValueError, match="should be a pandas.DataFrame"):
        SMOTENC(categorical_features="auto").fit_resample(X, y)
    Xs = X.astype(object)
    Xs[:, 0] = "text"
    with pytest.raises(ValueError, match="must be numeric"):
        SMOTENC(categorical_features=[1]).fit_resample(Xs, y)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SMOTENC(categorical_features=[1]).fit_resample(X_nan, y)
    with pytest.raises(ValueError, match="names a column twice"):
        SMOTENC(categorical_features=[1, 1]).fit_resample(X, y)


# ----------------------------------------------------------------- combined samplers


@pytest.mark.parametrize(
    "ours, theirs", [(SMOTEENN, imbc.SMOTEENN), (SMOTETomek, imbc.SMOTETomek)]
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_combined_defaults_equal_imbalanced_learn(ours, theirs, n_classes):
    X, y = _data(n_classes)
    sampler = ours(random_state=0)
    Xa, ya = sampler.fit_resample(X, y)
    Xb, yb = theirs(random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(ya, yb)
    np.testing.assert_allclose(Xa, Xb, atol=1e-12)
    # kept_indices_ points into the over-sampled set, whose provenance is the sampler's
    X_over, _ = sampler.sampler_.fit_resample(X, y)
    np.testing.assert_array_equal(Xa, X_over[sampler.kept_indices_])


@pytest.mark.parametrize("combined", [SMOTEENN, SMOTETomek])
@pytest.mark.parametrize(
    "inner",
    [BorderlineSMOTE(random_state=0), ADASYN(random_state=0), imb.SVMSMOTE(random_state=0)],
)
def test_combined_accept_any_over_sampler(combined, inner):
    X, y = _data()
    X_res, y_res = combined(sampler=inner).fit_resample(X, y)
    X_over, y_over = clone(inner).fit_resample(X, y)
    assert len(y_res) < len(y_over)  # something was cleaned
    # the rows kept are rows of the over-sampled set
    assert len({tuple(r) for r in X_res} - {tuple(r) for r in X_over}) == 0


def test_smotetomek_removes_exactly_the_tomek_links():
    X, y = _data()
    sampler = SMOTETomek(random_state=0)
    sampler.fit_resample(X, y)
    X_over, y_over = sampler.sampler_.fit_resample(X, y)
    nn = SkNN(n_neighbors=2).fit(X_over).kneighbors(X_over, return_distance=False)[:, 1]
    link = (nn[nn] == np.arange(len(nn))) & (y_over != y_over[nn])
    np.testing.assert_array_equal(sampler.kept_indices_, np.flatnonzero(~link))
    custom = SMOTETomek(random_state=0, tomek=imbu.TomekLinks(sampling_strategy="majority"))
    _, y_custom = custom.fit_resample(X, y)
    assert np.bincount(y_custom)[1] == np.bincount(y_over)[1]  # minority rows all kept


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


# ----------------------------------------------------------------- SMOTE-N


def _categorical(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = np.column_stack(
        [
            rng.choice(list("abc"), n),
            rng.choice(list("xyzw"), n, p=[0.4, 0.3, 0.2, 0.1]),
            rng.choice(list("pq"), n),
        ]
    ).astype(object)
    y = (rng.uniform(size=n) < 0.15).astype(int)
    y[(X[:, 0] == "a") & (rng.uniform(size=n) < 0.3)] = 2
    return X, y


def test_vdm_tables_equal_imbalanced_learn_metric():
    from imblearn.metrics.pairwise import ValueDifferenceMetric
    from sklearn.preprocessing import OrdinalEncoder

    from skcluster.over_sampling._smoten import vdm_tables

    X, y = _categorical()
    codes = OrdinalEncoder(dtype=np.int32).fit_transform(X).astype(int)
    ref = ValueDifferenceMetric(n_categories=[3, 4, 2]).fit(codes, y).pairwise(codes[:80])
    tables = vdm_tables(codes, y, [3, 4, 2])
    ours = sum(t[codes[:80, f][:, None], codes[:80, f][None, :]] for f, t in enumerate(tables))
    np.testing.assert_allclose(ours, ref, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_smoten_matches_imbalanced_learn(seed):
    X, y = _categorical(seed=seed)
    Xa, ya = SMOTEN(random_state=seed).fit_resample(X, y)
    Xb, yb = imb.SMOTEN(random_state=seed).fit_resample(X, y)
    np.testing.assert_array_equal(ya, yb)
    n = len(X)
    for f in range(X.shape[1]):  # the same category frequencies among the new rows
        va, ca = np.unique(Xa[n:, f], return_counts=True)
        vb, cb = np.unique(Xb[n:, f], return_counts=True)
        np.testing.assert_array_equal(va, vb)
        np.testing.assert_allclose(ca / ca.sum(), cb / cb.sum(), atol=0.02)


def test_smoten_new_rows_take_their_voters_majority():
    X, y = _categorical()
    sampler = SMOTEN(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    voters = sampler.synthetic_parents_
    assert voters.shape == (len(X_res) - len(X), 6)
    np.testing.assert_array_equal(y[voters], np.broadcast_to(y_res[len(X) :, None], voters.shape))
    for f in range(X.shape[1]):
        values, counts = np.unique(X[voters[0], f], return_counts=True)
        assert X_res[len(X), f] == values[counts.argmax()]


def test_smoten_bad_input():
    X, y = _categorical()
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SMOTEN().fit_resample(X_nan, y)
    with pytest.raises(ValueError, match="needs at least 6 samples"):
        SMOTEN().fit_resample(X[:40], np.r_[np.zeros(36, int), np.ones(4, int)])


# ----------------------------------------------------------------- Kovacs' best variants


@pytest.mark.parametrize("topology", ["star", "bus", "mesh"])
def test_polynom_fit_rows_lie_on_their_topology(topology):
    X, y = _data(3)
    sampler = PolynomFitSMOTE(topology=topology, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n = len(X)
    np.testing.assert_array_equal(np.bincount(y_res), [np.bincount(y).max()] * 3)
    p0, p1 = sampler.synthetic_parents_.T
    steps = sampler.synthetic_steps_
    assert ((steps > 0) & (steps < 1)).all() if topology != "mesh" else (steps < 1).all()
    if topology == "star":
        assert (p1 == -1).all()
        means = {c: X[y == c].mean(axis=0) for c in np.unique(y)}
        end = np.array([means[c] for c in y_res[n:]])
    else:
        end = X[p1]
        assert (y[p1] == y_res[n:]).all()
        if topology == "bus":  # consecutive rows of the class
            for c in np.unique(y_res[n:]):
                rows = np.flatnonzero(y == c)
                pos = np.searchsorted(rows, p0[y_res[n:] == c])
                np.testing.assert_array_equal(rows[pos + 1], p1[y_res[n:] == c])
    np.testing.assert_allclose(X_res[n:], X[p0] + steps[:, None] * (end - X[p0]), atol=1e-12)


def test_polynom_fit_polynomial_recovers_a_quadratic_curve():
    # minority rows on an exact quadratic curve in 3-D: new rows stay on it
    t = np.linspace(0, 1, 40)
    curve = np.column_stack([t, 2 * t**2 - 1, 3 - t + t**2])
    rng = np.random.default_rng(0)
    X = np.vstack([curve, rng.normal(size=(400, 3)) + 10])
    y = np.r_[np.ones(40, int), np.zeros(400, int)]
    X_res, _ = PolynomFitSMOTE(topology="polynomial", degree=2, random_state=0).fit_resample(X, y)
    new = X_res[440:]
    s = new[:, 0]  # first coordinate parametrises the curve
    np.testing.assert_allclose(new[:, 1], 2 * s**2 - 1, atol=1e-8)
    np.testing.assert_allclose(new[:, 2], 3 - s + s**2, atol=1e-8)


def test_prowsyn_proximity_levels_known_answer():
    # one feature: other class on the left, the class at 1..20; each other row marks the
    # 2 nearest remaining rows of the class, so levels go 1,1,2,2,3,3,... from the boundary
    X = np.r_[np.linspace(-5, -1, 30), np.arange(1, 21)].reshape(-1, 1).astype(float)
    y = np.r_[np.zeros(30, int), np.ones(20, int)]
    sampler = ProWSyn(n_neighbors=2, L=4, theta=1.0, sampling_strategy={1: 20_000}, random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(sampler.proximity_levels_[1], [1, 1, 2, 2, 3, 3] + [4] * 14)
    # share of new rows per level: exp(-(level - 1)), normalised
    level_of_row = dict(zip(np.flatnonzero(y == 1), sampler.proximity_levels_[1], strict=True))
    made = np.array([level_of_row[p] for p in sampler.synthetic_parents_[:, 0]])
    share = np.bincount(made, minlength=5)[1:] / len(made)
    expected = np.exp(-np.arange(4.0))
    np.testing.assert_allclose(share, expected / expected.sum(), atol=0.01)
    # both parents of a new row come from the same level
    p0, p1 = sampler.synthetic_parents_.T
    assert all(level_of_row[a] == level_of_row[b] for a, b in zip(p0[:500], p1[:500], strict=True))


def test_safe_level_steps_follow_the_papers_rule():
    X, y = _data(3)
    sampler = SafeLevelSMOTE(k_neighbors=5, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n = len(X)
    np.testing.assert_array_equal(np.bincount(y_res), [np.bincount(y).max()] * 3)
    p0, p1 = sampler.synthetic_parents_.T
    steps = sampler.synthetic_steps_
    level = np.zeros(n, int)
    nn = SkNN(n_neighbors=6).fit(X).kneighbors(X, return_distance=False)[:, 1:]
    for cls, lv in sampler.safe_levels_.items():
        level[y == cls] = lv
        # safe levels: same-class counts among the 5 nearest neighbours in all data
        np.testing.assert_array_equal(lv, (y[nn[y == cls]] == cls).sum(axis=1))
    slp, sln = level[p0].astype(float), level[p1].astype(float)
    assert steps.shape == (len(p0), X.shape[1])  # one step per feature, as in the paper
    assert ((slp > 0) | (sln > 0)).all()
    assert (steps[sln == 0] == 0).all()
    both = (sln > 0) & (slp > 0)
    ratio = (slp[both] / sln[both])[:, None]
    s = steps[both]
    assert (s[(ratio > 1)[:, 0]] <= 1 / ratio[ratio > 1][:, None] + 1e-12).all()
    assert (s[(ratio < 1)[:, 0]] >= 1 - ratio[ratio < 1][:, None] - 1e-12).all()
    assert ((s >= 0) & (s <= 1)).all()
    np.testing.assert_allclose(X_res[n:], X[p0] + steps * (X[p1] - X[p0]), atol=1e-12)
    assert (y[p1] == y_res[n:]).all()


@pytest.mark.parametrize("level", [0.3, 0.5])
def test_lee_smote_rejects_rows_in_other_classes_regions(level):
    X, y = _data(3)
    sampler = LeeSMOTE(k_neighbors=5, rejection_level=level, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n = len(X)
    np.testing.assert_array_equal(np.bincount(y_res), [np.bincount(y).max()] * 3)
    nn = SkNN(n_neighbors=5).fit(X).kneighbors(X_res[n:], return_distance=False)
    other = (y[nn] != y_res[n:, None]).mean(axis=1)
    used = np.array([sampler.rejection_level_[c] for c in y_res[n:]])
    assert (other < used).all()
    assert all(v >= level for v in sampler.rejection_level_.values())
    # plain SMOTE from the same data puts some rows where Lee's rule would reject them
    X_sm, y_sm = SMOTE(random_state=0).fit_resample(X, y)
    nn = SkNN(n_neighbors=5).fit(X).kneighbors(X_sm[n:], return_distance=False)
    assert ((y[nn] != y_sm[n:, None]).mean(axis=1) >= level).any()


@pytest.mark.parametrize("strategy", ["combined", "majority", "minority"])
@pytest.mark.parametrize(
    "truncation, deformation", [(1.0, 0.0), (0.0, 0.0), (-0.5, 0.3), (0.5, 1.0)]
)
def test_geometric_smote_rows_lie_in_the_truncated_deformed_ball(
    strategy, truncation, deformation
):
    X, y = _data(3)
    sampler = GeometricSMOTE(
        selection_strategy=strategy,
        truncation_factor=truncation,
        deformation_factor=deformation,
        random_state=0,
    )
    X_res, y_res = sampler.fit_resample(X, y)
    n = len(X)
    np.testing.assert_array_equal(np.bincount(y_res), [np.bincount(y).max()] * 3)
    c_idx, s_idx = sampler.synthetic_parents_.T
    assert (y[c_idx] == y_res[n:]).all()
    if strategy == "minority":
        assert (y[s_idx] == y_res[n:]).all()
    if strategy == "majority":
        assert (y[s_idx] != y_res[n:]).all()
    c, s, new = X[c_idx], X[s_idx], X_res[n:]
    radius = np.linalg.norm(s - c, axis=1)
    ok = radius > 0
    offset = (new - c)[ok] / radius[ok, None]
    axis = (s - c)[ok] / radius[ok, None]
    along = (offset * axis).sum(axis=1)
    across = np.linalg.norm(offset - along[:, None] * axis, axis=1)
    assert (np.linalg.norm(offset, axis=1) <= 1 + 1e-9).all()  # inside the ball
    np.testing.assert_allclose(along, sampler.synthetic_steps_[ok], atol=1e-9)
    if truncation > 0:
        assert (along >= truncation - 1 - 1e-9).all()  # truncated side
    if truncation < 0:
        assert (along <= truncation + 1 + 1e-9).all()
    if deformation == 1.0:
        np.testing.assert_allclose(across, 0, atol=1e-9)  # on the segment
    else:
        assert across.max() > 0.1


def test_smote_ipf_filters_mislabelled_rows():
    # two far-apart blobs; 12 rows deep inside the majority blob carry the minority label:
    # the filter removes them (and the synthetic rows SMOTE drew towards them)
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(600, 2)), rng.normal(size=(80, 2)) + 8])
    y = np.r_[np.zeros(600, int), np.ones(80, int)]
    planted = rng.choice(np.flatnonzero(np.linalg.norm(X[:600], axis=1) < 1), 12, replace=False)
    y[planted] = 1
    sampler = SMOTEIPF(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.n_iterations_ >= sampler.k
    assert not np.isin(planted, sampler.kept_indices_).any()
    kept_new = sampler.kept_indices_[sampler.kept_indices_ >= len(X)] - len(X)
    p0, p1 = sampler.sampler_.synthetic_parents_[kept_new].T
    assert not (np.isin(p0, planted) & np.isin(p1, planted)).any()
    # the genuine minority blob is kept whole
    assert np.isin(np.arange(600, 680), sampler.kept_indices_).all()
    np.testing.assert_array_equal(
        X_res, sampler.sampler_.fit_resample(X, y)[0][sampler.kept_indices_]
    )


def test_ccr_known_answer_in_one_dimension():
    # the ball at 0 reaches 0.3 (cost 0.3), then 0.5 (cost 0.2 x 2), then has 0.3 left for
    # 3 rows inside: r = 0.5 + 0.3 / 3 = 0.6; the ball at 100 reaches nothing: r = 1
    X = np.array([0.0, 100.0, 0.3, 0.5, 2.0, 50.0, 60.0, 70.0]).reshape(-1, 1)
    y = np.array([1, 1, 0, 0, 0, 0, 0, 0])
    sampler = CCR(energy=1.0, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_allclose(sampler.radii_[1], [0.6, 1.0])
    np.testing.assert_allclose(sampler.translations_[:, 0], [0, 0, 0.3, 0.1, 0, 0, 0, 0])
    np.testing.assert_allclose(X_res[:8, 0], X[:, 0] + [0, 0, 0.3, 0.1, 0, 0, 0, 0])
    assert np.bincount(y_res).tolist() == [6, 6]
    centre, _ = sampler.synthetic_parents_.T
    np.testing.assert_array_equal(np.bincount(centre), [3, 1])  # 1/r shares, rounded to 4
    r = sampler.radii_[1][centre]
    assert (np.abs(X_res[8:, 0] - X[centre, 0]) <= r + 1e-12).all()


def test_ccr_rows_lie_in_their_l1_balls():
    X, y = _data(3)
    sampler = CCR(energy=2.0, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    n = len(X)
    np.testing.assert_array_equal(np.bincount(y_res), [np.bincount(y).max()] * 3)
    centre = sampler.synthetic_parents_[:, 0]
    radius = np.concatenate([sampler.radii_[c] for c in sorted(sampler.radii_)])
    position = {
        row: i for c in sorted(sampler.radii_) for i, row in enumerate(np.flatnonzero(y == c))
    }
    r = np.array([sampler.radii_[y[c]][position[c]] for c in centre])
    l1 = np.abs(X_res[n:] - X[centre]).sum(axis=1)
    assert (l1 <= r + 1e-9).all() and radius.min() > 0
    np.testing.assert_allclose(sampler.synthetic_steps_, l1 / r, atol=1e-9)
    np.testing.assert_allclose(X_res[:n], X + sampler.translations_)


def test_mwmote_weights_the_border_and_ignores_noise():
    # majority blob at 0, minority blob at 6 whose near side faces the majority, and one
    # minority row inside the majority (noise: all its neighbours are majority). The noise
    # row makes no border row, but it can be informative (the paper takes the border rows'
    # nearest rows among all minority rows); alone in its cluster, it then only copies itself
    rng = np.random.default_rng(0)
    maj = rng.normal(0.0, 1.0, (400, 2))
    mino = rng.normal(6.0, 1.0, (60, 2))
    X = np.vstack([maj, mino, [[0.1, 0.0]]])
    y = np.r_[np.zeros(400, int), np.ones(61, int)]
    sampler = MWMOTE(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [400, 400]
    parents = sampler.synthetic_parents_
    noise = 460
    assert np.all(parents[parents[:, 0] == noise, 1] == noise)
    assert noise not in parents[parents[:, 0] != noise]
    assert np.all(y[parents] == 1)
    # every new row lies on the segment between its parents, at its step
    p0, p1, steps = parents[:, 0], parents[:, 1], sampler.synthetic_steps_
    np.testing.assert_allclose(X_res[461:], X[p0] + steps[:, None] * (X[p1] - X[p0]))
    # base rows come from the side of the minority blob that faces the majority
    facing = X[400:460].sum(axis=1) < np.median(X[400:460].sum(axis=1))
    base_counts = np.bincount(p0 - 400, minlength=61)[:60]
    assert base_counts[facing].sum() > 2 * base_counts[~facing].sum()


def test_mwmote_clusters_keep_partners_in_their_group():
    # two minority groups far apart: partners never cross between them
    X, y = make_blobs(
        [300, 40, 40], centers=[[0, 0], [5, 5], [-5, 5]], cluster_std=0.8, random_state=0
    )
    y = (y > 0).astype(int)
    s = MWMOTE(random_state=0)
    s.fit_resample(X, y)
    p0, p1 = s.synthetic_parents_.T
    assert np.all(np.sign(X[p0, 0]) == np.sign(X[p1, 0]))


@pytest.mark.parametrize(
    "params, message", [({"k1": 0}, "k1"), ({"cp": 0.0}, "cp"), ({"k3": 0}, "k3")]
)
def test_mwmote_bad_parameters(params, message):
    X, y = make_classification(n_samples=100, weights=[0.8], random_state=0)
    with pytest.raises(ValueError, match=message):
        MWMOTE(**params).fit_resample(X, y)


def test_mwmote_small_majority_and_a_single_survivor():
    # fewer majority rows than k2: clipped, no error
    X = np.r_[np.linspace(0, 1, 10), [5.0, 5.5, 6.0]][:, None]
    y = np.r_[np.zeros(10, int), np.ones(3, int)]
    X_res, y_res = MWMOTE(sampling_strategy={0: 12}, random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [12, 3]
    # one minority row survives the noise filter: the clusters still pair distinct rows
    maj = np.r_[0.95, np.arange(5.0, 41.0), -np.arange(3.0, 31.0)]
    X = np.r_[maj, [1.0, 1.5, 20.1]][:, None]
    y = np.r_[np.zeros(maj.size, int), np.ones(3, int)]
    s = MWMOTE(k1=1, random_state=0)
    X_res, _ = s.fit_resample(X, y)
    p0, p1 = s.synthetic_parents_.T
    assert np.any(p0 != p1)


def test_smobd_draws_by_density_and_skips_noise():
    rng = np.random.default_rng(0)
    dense = rng.normal(0.0, 0.2, (60, 2))  # a tight group: many rows within max_eps
    outlier = np.array([[6.0, 6.0]])  # far from everything: noise
    maj = rng.normal(3.0, 1.0, (300, 2))
    X = np.vstack([maj, dense, outlier])
    y = np.r_[np.zeros(300, int), np.ones(61, int)]
    s = SMOBD(random_state=0)
    X_res, y_res = s.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [300, 300]
    p0, p1 = s.synthetic_parents_.T
    assert 360 not in p0  # the outlier is never a base row
    assert np.all(y[s.synthetic_parents_] == 1)
    steps = s.synthetic_steps_
    assert steps.shape == (239, 2)  # one step per feature
    np.testing.assert_allclose(X_res[361:], X[p0] + steps * (X[p1] - X[p0]))
    prob = s._density(X[300:], 5)
    assert prob[-1] == 0.0 and np.isclose(prob.sum(), 1.0)


def test_assembled_smote_clusters_border_rows_by_orientation():
    # a strip along x and a strip along the diagonal that meet at the origin: their principal
    # directions have cosine 0.71, so thres=0.9 keeps them apart and thres=0.5 merges them
    t = np.linspace(1.0, 5.0, 30)
    strip_x = np.column_stack([t, np.zeros(30)])
    strip_d = np.column_stack([t, t]) / np.sqrt(2) + [0, 0.2]
    rows = np.vstack([strip_x, strip_d])
    apart = AssembledSMOTE(thres=0.9)._cluster_border(rows)
    assert len(set(apart[:30]) & set(apart[30:])) == 0 and len(set(apart)) == 2
    assert len(set(AssembledSMOTE(thres=0.5)._cluster_border(rows))) == 1
    # fitted on rows that are all on the border: partners never cross between the strips
    X = np.vstack([rows, rows + [0.0, -0.05]])
    y = np.r_[np.ones(60, int), np.zeros(60, int)]
    s = AssembledSMOTE(k_neighbors=3, thres=0.9, sampling_strategy={1: 90}, random_state=0)
    s.fit_resample(X, y)
    p0, p1 = s.synthetic_parents_.T
    assert np.all((p0 < 30) == (p1 < 30))


def test_assembled_smote_rows_lie_within_their_group():
    X, y = make_classification(n_samples=400, weights=[0.85], random_state=1)
    s = AssembledSMOTE(random_state=0)
    X_res, y_res = s.fit_resample(X, y)
    p0, p1 = s.synthetic_parents_.T
    assert np.all(y[p0] == 1) and np.all(y[p1] == 1)
    steps = s.synthetic_steps_
    np.testing.assert_allclose(X_res[400:], X[p0] + steps[:, None] * (X[p1] - X[p0]))


# --------------------------------------------------------------------------------------
# LVQSMOTE
# --------------------------------------------------------------------------------------


def test_lvqsmote_best_pairs_match_the_reference_loop():
    from skcluster.over_sampling import LVQSMOTE

    rng = np.random.default_rng(0)
    for K in (3, 4, 7, 10):
        codes = rng.normal(size=(K, 3))
        bi, bj = LVQSMOTE._best_pairs(codes)
        for a in range(K):
            for b in range(K):
                if a == b:
                    continue
                best, arg = np.inf, None  # smote_variants' loop: first strict minimum
                for i in range(K):
                    for j in range(K):
                        if i not in (a, b) and j not in (a, b):
                            dd = np.linalg.norm(codes[a] - codes[b] - (codes[i] - codes[j]))
                            if dd < best:
                                best, arg = dd, (i, j)
                assert (bi[a, b], bj[a, b]) == arg


def test_lvqsmote_rows_are_translated_class_rows():
    from skcluster.over_sampling import LVQSMOTE

    X, y = make_classification(
        n_samples=600, n_classes=3, n_informative=4, weights=[0.7, 0.2, 0.1], random_state=0
    )
    lvq = LVQSMOTE(random_state=0, n_codes=6)
    X_res, y_res = lvq.fit_resample(X, y)
    counts = np.bincount(y_res)
    assert (counts == counts.max()).all()
    n = len(X)
    parents, codes = lvq.synthetic_parents_, lvq.synthetic_codes_
    assert (parents[:, 1] == -1).all() and len(parents) == len(X_res) - n
    for s in range(len(parents)):
        cls = y_res[n + s]
        assert y[parents[s, 0]] == cls  # a row of the class itself is moved
        book = lvq.codebooks_[cls]
        np.testing.assert_allclose(
            X_res[n + s], X[parents[s, 0]] + book[codes[s, 0]] - book[codes[s, 1]]
        )
    # the row is moved from another code to code a
    assert (codes[:, 0] != codes[:, 1]).all()
    for book in lvq.codebooks_.values():
        assert book.shape == (6, X.shape[1])
    # the same seed, the same rows
    X_again, _ = LVQSMOTE(random_state=0, n_codes=6).fit_resample(X, y)
    np.testing.assert_array_equal(X_again, X_res)


def test_lvqsmote_needs_three_distinct_rows():
    from skcluster.over_sampling import LVQSMOTE

    X = np.r_[np.random.default_rng(0).normal(size=(20, 2)), [[5.0, 5.0]] * 4]
    y = np.r_[np.zeros(20, int), np.ones(4, int)]
    with pytest.raises(ValueError, match="3 distinct rows"):
        LVQSMOTE(random_state=0).fit_resample(X, y)
    X[-2:] = [[6.0, 5.0], [5.0, 7.0]]
    X_res, y_res = LVQSMOTE(random_state=0).fit_resample(X, y)  # 3 codes from 3 rows
    assert np.bincount(y_res).tolist() == [20, 20]
