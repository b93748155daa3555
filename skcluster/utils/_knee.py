"""Knees (elbows) of decreasing curves such as BIC or inertia against k, after Kneedle."""

import numpy as np


def _unit(v):
    """``v`` scaled to [0, 1] (constant ``v``: zeros)."""
    return (v - v.min()) / max(np.ptp(v), np.finfo(float).tiny)


def farthest_below_chord(x, y):
    """Index of the point of a decreasing curve farthest below the chord joining its ends,
    both axes scaled to [0, 1]: Kneedle's difference curve at its maximum, without the
    threshold that lets :func:`kneedle` find no knee (here there is always one). ``x`` in
    any order."""
    order = np.argsort(x)
    xs, ys = _unit(x[order]), _unit(y[order])
    chord = ys[0] + (ys[-1] - ys[0]) * xs
    return int(order[np.argmax(chord - ys)])


def kneedle(x, y, S=1.0):
    """Index of the first knee of a convex decreasing curve, or None when there is none.

    Satopaa, Albrecht, Irwin & Raghavan, "Finding a 'kneedle' in a haystack" (ICDCS
    workshops 2011), offline form, as the ``kneed`` package runs it (``curve="convex"``,
    ``direction="decreasing"``): both axes scaled to [0, 1], the difference curve
    ``(1 - y) - x``; a knee is a local maximum of it after which the curve falls below the
    maximum less ``S`` times the mean x step before reaching a local minimum.

    Parameters
    ----------
    x : array of shape (m,), increasing
    y : array of shape (m,)
    S : float, default=1.0
        Sensitivity: larger values need a sharper bend.

    Returns
    -------
    index : int or None
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    m = len(x)
    if m < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    xn = _unit(x)
    diff = (1.0 - _unit(y)) - xn
    # local extrema with neighbours clipped at the ends (scipy's argrelextrema, mode="clip")
    left = diff[np.maximum(np.arange(m) - 1, 0)]
    right = diff[np.minimum(np.arange(m) + 1, m - 1)]
    is_max = (diff >= left) & (diff >= right)
    is_min = (diff <= left) & (diff <= right)
    maxima = np.flatnonzero(is_max)
    if len(maxima) == 0:
        return None
    thresholds = diff[maxima] - S * np.abs(np.diff(xn)).mean()
    threshold, knee, seen, active = None, None, 0, False
    for i in range(maxima[0], m - 1):
        if is_max[i]:
            threshold, knee, active = thresholds[seen], i, True
            seen += 1
        if is_min[i]:  # after a local minimum, wait for the next maximum
            threshold, active = 0.0, False
        if active and diff[i + 1] < threshold:
            return knee
    return None
