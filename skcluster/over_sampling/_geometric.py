"""SMOTE variants whose new rows fill regions around a row rather than segments.

GeometricSMOTE draws them in a hypersphere around a row of the class, truncated and
flattened towards a neighbour; CCR in L1 balls grown around every row of the class on an
energy budget, pushing the other classes' rows out of them. Among the best-ranked variants
of Kovacs' evaluation (Applied Soft Computing 83, 2019); multi-class through
``sampling_strategy`` like the imbalanced-learn twins: each class to over-sample is treated
against all rows of the other classes.
"""

from functools import partial
from numbers import Integral, Real

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils._param_validation import Interval, StrOptions

from .. import _backend
from ._base import STRATEGY_AND_SEED, BaseSMOTE, distance_blocks, fill_doc


def _row_norms(D):
    """Euclidean norm of each row, finite wherever it fits a float (each row divided by its
    largest magnitude first: no square of 1e200 or 1e-200)."""
    top = np.abs(D).max(axis=1)
    unit = np.where(top > 0, top, 1.0)
    return top * np.linalg.norm(D / unit[:, None], axis=1)


@fill_doc()
class GeometricSMOTE(BaseSMOTE):
    """Geometric SMOTE (Douzas and Bacao, 2019): new rows inside deformed, truncated spheres.

    For each new row a row ``c`` of the class is drawn, and a *surface* point ``s``: one of
    its ``k_neighbors`` nearest rows of the class (``"minority"``), its nearest row of another
    class (``"majority"``), or the closer of the two (``"combined"``). A point is drawn
    uniformly in the ball of centre ``c`` and radius ``|s - c|``; with ``truncation_factor``
    ``t > 0`` a point whose coordinate along ``s - c`` (in radius units) falls below ``t - 1``
    is mirrored across the plane through ``c`` orthogonal to that axis (``t = 1`` keeps the
    half-ball facing ``s``; ``t < 0`` mirrors those above ``t + 1``), and its part orthogonal to
    the axis is shrunk by ``1 - deformation_factor`` (1 squeezes it onto the segment).

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    k_neighbors : int, default=5
        Neighbours of the class among which the minority surface point is drawn.
    truncation_factor : float in [-1, 1], default=1.0
        How much of the ball is cut away, on the side of the surface point (< 0) or
        opposite it (> 0).
    deformation_factor : float in [0, 1], default=0.0
        How much the ball is flattened onto the axis ``s - c``.
    selection_strategy : {"combined", "majority", "minority"}, default="combined"
        Where the surface point comes from.

    Attributes
    ----------
    {sample_indices_}
    synthetic_parents_ : ndarray of shape (n_synthetic, 2)
        The centre row and the surface row of each new row.
    synthetic_steps_ : ndarray of shape (n_synthetic,)
        The new row's coordinate along ``s - c`` in units of ``|s - c|`` (its position
        projected on the segment; the row itself lies off the segment unless
        ``deformation_factor=1``).
    {n_features_in_}

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import GeometricSMOTE
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=0)
    >>> X_res, y_res = GeometricSMOTE(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [450, 450]
    """

    _parameter_constraints: dict = {
        **STRATEGY_AND_SEED,
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
        "truncation_factor": [Interval(Real, -1, 1, closed="both")],
        "deformation_factor": [Interval(Real, 0, 1, closed="both")],
        "selection_strategy": [StrOptions({"combined", "majority", "minority"})],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        truncation_factor=1.0,
        deformation_factor=0.0,
        selection_strategy="combined",
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, random_state=random_state, k_neighbors=k_neighbors
        )
        self.truncation_factor = truncation_factor
        self.deformation_factor = deformation_factor
        self.selection_strategy = selection_strategy

    def _surface(self, X, y, cls, rows, centre, rng):
        """The surface row of each drawn centre (positions ``centre`` within ``rows``)."""
        n = centre.size
        if self.selection_strategy != "majority":
            nns = self._neighbors(self.k_neighbors, "k_neighbors", X, rows, rows)
            minority = nns[centre, rng.randint(0, nns.shape[1], size=n)]
            if self.selection_strategy == "minority":
                return minority
        others = np.flatnonzero(y != cls)
        nearest_other = others[_backend.kneighbors(X[rows], X[others], 1)[1][:, 0]][centre]
        if self.selection_strategy == "majority":
            return nearest_other
        c = X[rows[centre]]
        d_min = ((X[minority] - c) ** 2).sum(axis=1)
        d_maj = ((X[nearest_other] - c) ** 2).sum(axis=1)
        return np.where(d_min <= d_maj, minority, nearest_other)

    def _fit_resample(self, X, y):
        return self._resample_per_class(X, y, partial(self._make, X, y))

    def _make(self, X, y, cls, rows, n_samples, rng):
        """The new rows of class ``cls`` (``rows``: its rows)."""
        d = X.shape[1]
        centre = rng.randint(0, rows.size, size=n_samples)
        surface = self._surface(X, y, cls, rows, centre, rng)
        c, s = X[rows[centre]].astype(float), X[surface].astype(float)
        radius = _row_norms(s - c)
        axis = np.divide(s - c, radius[:, None], out=np.zeros_like(c), where=radius[:, None] > 0)
        direction = rng.normal(size=(n_samples, d))
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        ball = direction * rng.uniform(size=(n_samples, 1)) ** (1 / d)  # uniform in the ball
        along = (ball * axis).sum(axis=1)
        t = self.truncation_factor
        mirror = (
            (along < t - 1) if t > 0 else (along > t + 1) if t < 0 else np.zeros(n_samples, bool)
        )
        ball[mirror] -= 2 * along[mirror, None] * axis[mirror]
        along = (ball * axis).sum(axis=1)
        ball = along[:, None] * axis + (1 - self.deformation_factor) * (
            ball - along[:, None] * axis
        )
        made = (c + radius[:, None] * ball).astype(X.dtype, copy=False)
        return self._record(rows[centre], surface, along, made)


@fill_doc()
class CCR(BaseSMOTE):
    """Combined Cleaning and Resampling (Koziarski and Wozniak, 2017).

    Around every row ``x`` of the class to over-sample a ball grows with an energy budget
    ``energy * n_features ** scaling``: growing the radius by ``dr`` costs
    ``dr * (m + 1)`` when ``m`` rows of other classes are already inside. Rows of other
    classes left inside the final ball (radius ``r``) are pushed out to its surface (their
    pushes add up over all balls). New rows are drawn uniformly in the balls, each ball
    getting a share proportional to ``1 / r`` (small balls, in crowded regions, get more).
    Distances and balls are L1 (taxicab), as in the authors' implementation.

    CCR moves rows of the other classes: the output starts with the original rows plus
    ``translations_``. For several classes to over-sample, each treats all other rows as
    its opposite and the pushes add up. The counts per ball are rounded so that the total
    is exactly what ``sampling_strategy`` asks (smote_variants' normalisation does not sum
    to it).

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    energy : float, default=1.0
        Energy budget of a ball.
    scaling : float, default=0.0
        The budget is multiplied by ``n_features ** scaling``.

    Attributes
    ----------
    radii_ : dict
        Per over-sampled class, the radius of each of its rows' balls, in row order.
    translations_ : ndarray of shape (n_samples, n_features)
        How each original row was moved (zero for the over-sampled classes' rows).
    sample_indices_ : ndarray
        The original rows, which come first in the output (moved by ``translations_``).
    synthetic_parents_ : ndarray of shape (n_synthetic, 2)
        The centre row of each new row's ball, and ``-1``.
    synthetic_steps_ : ndarray of shape (n_synthetic,)
        The new row's L1 distance to the centre, in units of the ball's radius.
    {n_features_in_}

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import CCR
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=0)
    >>> X_res, y_res = CCR(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [450, 450]
    """

    _parameter_constraints: dict = {
        **STRATEGY_AND_SEED,
        "energy": [Interval(Real, 0, None, closed="neither")],
        "scaling": [Real],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, energy=1.0, scaling=0.0):
        BaseOverSampler.__init__(self, sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.energy = energy
        self.scaling = scaling

    def _radii(self, d_sorted, budget):
        """Radius of each ball from its sorted distances to the other rows (vectorised)."""
        n, m = d_sorted.shape
        inside = np.arange(1, m + 1)
        previous = np.concatenate([np.zeros((n, 1)), d_sorted[:, :-1]], axis=1)
        # energy spent to reach the j-th nearest other row, with j - 1 rows already inside
        spent = np.cumsum((d_sorted - previous) * inside, axis=1)
        reached = (spent <= budget).sum(axis=1)  # other rows the ball reaches
        base = np.where(reached > 0, d_sorted[np.arange(n), np.maximum(reached - 1, 0)], 0.0)
        left = budget - np.where(reached > 0, spent[np.arange(n), np.maximum(reached - 1, 0)], 0)
        return base + left / (reached + 1)

    def _balls(self, Xf, rows, others, budget):
        """Radius of the ball around each of ``rows``; pushes the rows ``others`` inside
        it out to its surface (adding to ``translations_``)."""
        radii = np.empty(rows.size)
        # several temporaries of the block's distances: argsort, sorted, spent energy ...
        for sl, dist in distance_blocks(Xf[rows], Xf[others], "cityblock", temporaries=6):
            order = np.argsort(dist, axis=1, kind="stable")
            d_sorted = np.take_along_axis(dist, order, axis=1)
            r = self._radii(d_sorted, budget)
            radii[sl] = r
            # push the other rows inside each ball out to its surface
            # (a row on the centre itself has no direction to go: it stays)
            i, j = np.nonzero((dist < r[:, None]) & (dist > 0))
            push = ((r[i] - dist[i, j]) / dist[i, j])[:, None] * (Xf[others[j]] - Xf[rows[sl]][i])
            np.add.at(self.translations_, others[j], push)
        return radii

    def _fit_resample(self, X, y):
        n, d = X.shape
        budget = self.energy * d**self.scaling
        Xf = X.astype(float)
        self.translations_ = np.zeros((n, d))
        self.radii_ = {}

        def make(cls, rows, n_samples, rng):
            radii = self._balls(Xf, rows, np.flatnonzero(y != cls), budget)
            self.radii_[cls] = radii
            share = (1 / radii) / (1 / radii).sum() * n_samples
            count = np.floor(share).astype(int)
            short = n_samples - count.sum()  # largest remainders get the rest
            count[np.argsort(count - share, kind="stable")[:short]] += 1
            centre = np.repeat(np.arange(rows.size), count)
            # uniform in the L1 ball: Dirichlet weights, random signs
            w = rng.dirichlet(np.ones(d + 1), size=n_samples)[:, :d]
            offset = w * rng.choice([-1.0, 1.0], size=(n_samples, d)) * radii[centre, None]
            made = (Xf[rows[centre]] + offset).astype(X.dtype, copy=False)
            position = np.abs(offset).sum(axis=1) / radii[centre]
            return self._record(rows[centre], np.full(n_samples, -1), position, made)

        X_res, y_res = self._resample_per_class(X, y, make)
        # the pushes of all the balls move the original rows (once every class is done)
        X_res[:n] = (Xf + self.translations_).astype(X.dtype, copy=False)
        return X_res, y_res
