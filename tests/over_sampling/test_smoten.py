"""SMOTE-N: the Value Difference Metric and the rows against imbalanced-learn, the vote,
the errors."""

import imblearn.over_sampling as imb
import numpy as np
import pytest

from skcluster.over_sampling import (
    SMOTEN,
)


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
