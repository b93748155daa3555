"""Validation helpers of skcluster.utils."""

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
