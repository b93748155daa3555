"""The variants whose rows lie on segments (PolynomFitSMOTE, ProWSyn, SafeLevelSMOTE, LeeSMOTE,
SMOBD): known answers and the rules of their papers."""

import numpy as np
import pytest
from sklearn.neighbors import NearestNeighbors as SkNN

from skcluster.over_sampling import (
    SMOBD,
    SMOTE,
    LeeSMOTE,
    PolynomFitSMOTE,
    ProWSyn,
    SafeLevelSMOTE,
)

from ._helpers import _data


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
