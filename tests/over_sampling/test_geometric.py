"""The variants whose rows fill regions (GeometricSMOTE, CCR): rows inside their balls,
known answers."""

import numpy as np
import pytest

from skcluster.over_sampling import (
    CCR,
    GeometricSMOTE,
)

from ._helpers import _data


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
