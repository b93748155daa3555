"""Over-sampling then cleaning: SMOTEENN and SMOTETomek against imbalanced-learn, with any
over-sampler; SMOTE-IPF's filter."""

import imblearn.combine as imbc
import imblearn.over_sampling as imb
import imblearn.under_sampling as imbu
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors as SkNN

from skcluster.over_sampling import (
    ADASYN,
    SMOTEENN,
    SMOTEIPF,
    BorderlineSMOTE,
    SMOTETomek,
)

from ._helpers import _data


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
