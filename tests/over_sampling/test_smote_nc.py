"""SMOTE-NC against imbalanced-learn: same rows (tie-breaks of the categorical vote
included), DataFrames, memory and errors."""

import imblearn.over_sampling as imb
import numpy as np
import pytest

from skcluster.over_sampling import (
    SMOTENC,
)


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
