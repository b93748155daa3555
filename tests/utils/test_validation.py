"""Helpers of skcluster.utils: validation, knees."""

import numpy as np
import pytest
from backend._helpers import _scaled_pair
from hypothesis import given, settings


@settings(max_examples=40, deadline=None)
@given(_scaled_pair())
def test_centre_and_scale_property(pair):
    # unit overall scale, means removed, and the same result for every exact rescaling
    from skcluster.utils.validation import centre_and_scale

    X, e = pair
    X = X.astype(np.float64)
    Xs, offset, scale = centre_and_scale(X)
    if np.ptp(X, axis=0).max() > 0:
        assert np.mean(Xs * Xs) == pytest.approx(1.0, rel=1e-9)
    np.testing.assert_allclose(Xs * scale + offset, X, rtol=1e-9, atol=1e-9 * np.abs(X).max())
    Y, off_y, scale_y = centre_and_scale(np.ldexp(X, e))
    np.testing.assert_allclose(Y, Xs, rtol=1e-12, atol=1e-12)
    if np.abs(X).max() > 0:  # (all zeros: scale 1 whatever e)
        assert scale_y == pytest.approx(np.ldexp(scale, e), rel=1e-12)


def test_farthest_below_chord_known_answer_in_any_order():
    # the knee NCD's elbow criterion uses (Kneedle's difference curve at its maximum)
    from skcluster.utils._knee import farthest_below_chord

    x = np.arange(1.0, 7.0)
    y = np.array([10.0, 4.0, 2.0, 1.5, 1.2, 1.0])
    # scaled: chord 1 - x, curve (y - 1) / 9: differences 0, .47, .49, .34, .18, 0
    assert farthest_below_chord(x, y) == 2
    perm = np.array([3, 0, 5, 2, 1, 4])
    assert farthest_below_chord(x[perm], y[perm]) == int(np.flatnonzero(perm == 2)[0])
