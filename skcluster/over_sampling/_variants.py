"""Best-ranked SMOTE variants of Kovacs' evaluation (Applied Soft Computing 83, 2019).

Multi-class through ``sampling_strategy`` like the imbalanced-learn twins: each class to
over-sample is treated against all rows of the other classes.
"""

from numbers import Integral, Real

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils._param_validation import Interval, StrOptions

from .. import _backend
from ..utils._chunks import row_chunks
from ..utils.validation import check_random_state
from ._base import STRATEGY_AND_SEED, BaseSMOTE, class_label, rows_between


class PolynomFitSMOTE(BaseSMOTE):
    """Polynomial-fitting SMOTE (Gazzah and Amara, 2008), top-ranked in Kovacs (2019).

    New rows of a class are laid along a topology that joins its rows:

    - ``"star"``: on the segments from each row to the class mean, evenly spaced;
    - ``"bus"``: on the segments between consecutive rows (in the data's order), evenly
      spaced;
    - ``"mesh"``: at random points of segments between random pairs of rows;
    - ``"polynomial"``: on a curve of degree ``degree`` fitted, feature by feature, to the
      rows sorted by their mean, at random positions along it.

    The number of new rows is exactly what ``sampling_strategy`` asks for: the reference
    implementation (smote_variants) rounds it to a multiple of the class size for star and
    bus; here the extra rows go to the first rows' segments. For the polynomial topology
    one position on the curve is drawn per new row, so the row lies on the fitted curve;
    smote_variants draws a separate position for every feature, which leaves the curve.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        Which classes to over-sample and to how many rows, as in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws (mesh and polynomial).
    topology : {"star", "bus", "mesh", "polynomial"}, default="star"
        How the rows are joined.
    degree : int, default=2
        Degree of the polynomial topology.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of rows to add per class.
    sample_indices_ : ndarray
        The original rows, which come first in the output.
    synthetic_parents_ : ndarray of shape (n_synthetic, 2)
        The rows each new row lies between; ``-1`` stands for the class mean (star) and
        for the fitted curve (polynomial, both entries).
    synthetic_steps_ : ndarray of shape (n_synthetic,)
        Position on the segment, or on the curve (in row ranks) for the polynomial.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import PolynomFitSMOTE
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=0)
    >>> X_res, y_res = PolynomFitSMOTE(topology="star").fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [450, 450]
    """

    _parameter_constraints: dict = {
        **STRATEGY_AND_SEED,
        "topology": [StrOptions({"star", "bus", "mesh", "polynomial"})],
        "degree": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, topology="star", degree=2):
        BaseOverSampler.__init__(self, sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.topology = topology
        self.degree = degree

    def _fit_resample(self, X, y):
        self._start_provenance(X.shape[0])
        rng = check_random_state(self.random_state)
        X_new, y_new = [], []
        for cls, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            rows = np.flatnonzero(y == cls)
            if self.topology == "polynomial":
                X_new.append(self._polynomial(X, rows, n_samples, rng))
            else:
                X_new.append(self._segments(X, rows, n_samples, rng))
            y_new.append(np.full(n_samples, cls, dtype=y.dtype))
        return self._finish(X, y, X_new, y_new)

    def _takes_dask(self):
        return self.topology in ("bus", "mesh")  # star and polynomial leave the segments

    def _segments(self, X, rows, n_samples, rng):
        if self.topology == "mesh":
            if rows.size < 2:
                raise ValueError("the mesh topology needs at least 2 rows of each class.")
            p0 = rng.choice(rows, size=n_samples)
            p1 = rng.choice(rows, size=n_samples)
            return self._add_synthetic(X, p0, p1, rng.uniform(size=n_samples))
        starts = rows if self.topology == "star" else rows[:-1]
        if starts.size == 0:
            raise ValueError("the bus topology needs at least 2 rows of each class.")
        # n_samples points spread over the segments as evenly as possible
        per = np.full(starts.size, n_samples // starts.size)
        per[: n_samples % starts.size] += 1
        seg = np.repeat(np.arange(starts.size), per)
        rank = np.arange(n_samples) - np.repeat(np.cumsum(per) - per, per)
        steps = (rank + 1) / (per[seg] + 1)
        p0 = starts[seg]
        if self.topology == "bus":
            return self._add_synthetic(X, p0, rows[seg + 1], steps)
        mean = X[rows].mean(axis=0)
        made = (X[p0] + steps[:, None] * (mean - X[p0])).astype(X.dtype, copy=False)
        return self._record(p0, np.full(n_samples, -1), steps, made)

    def _polynomial(self, X, rows, n_samples, rng):
        ordered = X[rows[np.argsort(X[rows].mean(axis=1), kind="stable")]]
        ranks = np.arange(rows.size)
        degree = min(self.degree, rows.size - 1)
        coefs = np.polynomial.polynomial.polyfit(ranks, ordered, degree)  # (degree+1, d)
        t = rng.uniform(size=n_samples) * rows.size
        made = np.polynomial.polynomial.polyval(t, coefs).T.astype(X.dtype, copy=False)
        return self._record(np.full(n_samples, -1), np.full(n_samples, -1), t, made)


class ProWSyn(BaseSMOTE):
    """Proximity Weighted Synthetic over-sampling (Barua, Islam and Murase, 2013).

    The rows of the class to over-sample are split into proximity levels: level 1 holds
    those among the ``n_neighbors`` nearest rows (of the class) of any row of another
    class; they are removed and level 2 is found the same way, up to level ``L - 1``; the
    rest form level ``L``. Level ``i`` gets a share ``exp(-theta (i - 1))`` of the new
    rows (empty levels none), each made between two random rows of its level. Nearer to
    the boundary, more rows. Every neighbour search runs on skcluster's backend.

    The paper's loop is followed (``L - 1`` searches, the rest as level ``L``); the
    smote_variants reference runs ``L`` searches and puts the rest at level ``L`` again
    (measured: no difference on 20 data sets). New rows are SMOTE interpolations, uniform
    on the segment, as in the paper; smote_variants draws the position as ``u1 / (u1 + u2)``,
    which gathers rows near the midpoints and, in ``benchmarks/bench_smote_quality.py``,
    raises its mean AUC by about 0.005 of the 0.008 between the two.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        Which classes to over-sample and to how many rows, as in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.
    n_neighbors : int, default=5
        Rows of the class each row of another class marks per level.
    L : int, default=5
        Number of proximity levels.
    theta : float, default=1.0
        How fast the share of new rows falls with the level.

    Attributes
    ----------
    proximity_levels_ : dict
        Per over-sampled class, the level (1..L) of each of its rows, in row order.
    sample_indices_, synthetic_parents_, synthetic_steps_ : ndarray
        Provenance, see :class:`SMOTE`.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import ProWSyn
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=0)
    >>> X_res, y_res = ProWSyn(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [450, 450]
    """

    _parameter_constraints: dict = {
        **STRATEGY_AND_SEED,
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "L": [Interval(Integral, 1, None, closed="left")],
        "theta": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self, *, sampling_strategy="auto", random_state=None, n_neighbors=5, L=5, theta=1.0
    ):
        BaseOverSampler.__init__(self, sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.n_neighbors = n_neighbors
        self.L = L
        self.theta = theta

    def _levels(self, X, rows, others):
        level = np.full(rows.size, self.L)
        remaining = np.arange(rows.size)
        for i in range(1, self.L):
            if remaining.size == 0 or others.size == 0:
                break
            k = min(self.n_neighbors, remaining.size)
            _, nn = _backend.kneighbors(X[others], X[rows[remaining]], k)
            marked = np.unique(nn)
            level[remaining[marked]] = i
            remaining = np.delete(remaining, marked)
        return level

    def _fit_resample(self, X, y):
        self.proximity_levels_ = {}

        def draw(cls, rows, n_samples, rng):
            level = self._levels(X, rows, np.flatnonzero(y != cls))
            self.proximity_levels_[cls] = level
            present = np.unique(level)
            weights = np.exp(-self.theta * (present - 1))
            chosen = rng.choice(present, size=n_samples, p=weights / weights.sum())
            p0 = np.empty(n_samples, dtype=np.intp)
            p1 = np.empty(n_samples, dtype=np.intp)
            for lv in present:
                at = np.flatnonzero(chosen == lv)
                members = rows[level == lv]
                p0[at] = rng.choice(members, size=at.size)
                p1[at] = rng.choice(members, size=at.size)
            return p0, p1, rng.uniform(size=n_samples)

        return self._resample_on_segments(X, y, draw)


class SafeLevelSMOTE(BaseSMOTE):
    """Safe-Level-SMOTE (Bunkhumpornpat, Sinapiromsaran and Lursinsap, 2009).

    The *safe level* of a row is how many of its ``k_neighbors`` nearest neighbours in the
    whole data set share its class. A new row lies between a row ``p`` of the class and one
    of its ``k_neighbors`` nearest neighbours ``n`` within the class, at a step drawn by the
    paper's rule on ``ratio = sl(p) / sl(n)``: uniform in [0, 1] when the levels are equal,
    in [0, 1 / ratio] when ``p`` is safer (closer to ``p``), in [1 - ratio, 1] when ``n`` is
    safer, 0 (a copy of ``p``) when ``sl(n) = 0``; pairs with both levels 0 make no row.
    As in the paper, one step per row (smote_variants draws one per feature) and ``n`` is a
    neighbour of the same class (smote_variants takes any neighbour).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        Which classes to over-sample and to how many rows, as in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.
    k_neighbors : int, default=5
        Neighbours for the safe levels and for the interpolation.

    Attributes
    ----------
    safe_levels_ : dict
        Per over-sampled class, the safe level of each of its rows, in row order.
    sample_indices_, synthetic_parents_ : ndarray
        Provenance, see :class:`SMOTE`.
    synthetic_steps_ : ndarray of shape (n_synthetic, n_features)
        The step of each feature: ``X[p0] + steps * (X[p1] - X[p0])`` rebuilds the row.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import SafeLevelSMOTE
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=0)
    >>> X_res, y_res = SafeLevelSMOTE(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [450, 450]
    """

    _parameter_constraints: dict = {
        **STRATEGY_AND_SEED,
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
    }

    def _fit_resample(self, X, y):
        everyone = np.arange(X.shape[0])
        self.safe_levels_ = {}

        def draw(cls, rows, n_samples, rng):
            level = (
                y[self._neighbors(self.k_neighbors, "k_neighbors", X, everyone, rows)] == cls
            ).sum(axis=1)
            self.safe_levels_[cls] = level
            nns = self._neighbors(self.k_neighbors, "k_neighbors", X, rows, rows)
            position = np.searchsorted(rows, nns)  # neighbours as positions in the class
            slp = np.repeat(level, nns.shape[1])
            sln = level[position.ravel()]
            allowed = np.flatnonzero((slp > 0) | (sln > 0))
            if allowed.size == 0:
                raise ValueError(
                    f"every row of class {class_label(cls)} and its neighbours have safe "
                    "level 0; Safe-Level-SMOTE cannot place a row."
                )
            pair = rng.choice(allowed, size=n_samples)
            slp = slp[pair].astype(float)[:, None]
            sln = sln[pair].astype(float)[:, None]
            u = rng.uniform(size=(n_samples, X.shape[1]))  # the paper draws a gap per feature
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = slp / sln
                steps = np.select(
                    [sln == 0, ratio > 1, ratio < 1], [0.0, u / ratio, 1 - ratio + u * ratio], u
                )
            return rows[pair // nns.shape[1]], nns.ravel()[pair], steps  # a step per feature

        return self._resample_on_segments(X, y, draw)


class LeeSMOTE(BaseSMOTE):
    """SMOTE with rejection (Lee, Kim and Lee, 2015).

    SMOTE candidates are generated in batches and a candidate is kept only when fewer than
    ``rejection_level`` of its ``k_neighbors`` nearest rows of the original data belong to
    other classes, so that new rows stay out of the other classes' regions. When five
    batches in a row keep nothing, the level is raised by 0.1, as in the reference
    implementation (smote_variants), so that the loop always ends.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        Which classes to over-sample and to how many rows, as in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.
    k_neighbors : int, default=5
        Neighbours for the interpolation (within the class) and for the rejection test.
    rejection_level : float in [0, 1], default=0.5
        Largest share of other classes allowed among a candidate's neighbours (exclusive).

    Attributes
    ----------
    rejection_level_ : dict
        Per over-sampled class, the level finally used (above ``rejection_level`` only if
        it had to be raised).
    sample_indices_, synthetic_parents_, synthetic_steps_ : ndarray
        Provenance, see :class:`SMOTE`.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import LeeSMOTE
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=0)
    >>> X_res, y_res = LeeSMOTE(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [450, 450]
    """

    _parameter_constraints: dict = {
        **STRATEGY_AND_SEED,
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
        "rejection_level": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self, *, sampling_strategy="auto", random_state=None, k_neighbors=5, rejection_level=0.5
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, random_state=random_state, k_neighbors=k_neighbors
        )
        self.rejection_level = rejection_level

    def _fit_resample(self, X, y):
        self._start_provenance(X.shape[0])
        rng = check_random_state(self.random_state)
        self.rejection_level_ = {}
        X_new, y_new = [], []
        for cls, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            rows = np.flatnonzero(y == cls)
            nns = self._neighbors(self.k_neighbors, "k_neighbors", X, rows, rows)
            k = nns.shape[1]
            level, idle = self.rejection_level, 0
            kept_p0, kept_p1, kept_steps, kept_rows, n_kept = [], [], [], [], 0
            while n_kept < n_samples:
                batch = max(n_samples - n_kept, 20)
                flat = rng.randint(0, rows.size * k, size=batch)
                p0, p1 = rows[flat // k], nns[flat // k, flat % k]
                steps = rng.uniform(size=batch)
                cand = rows_between(X, p0, p1, steps)
                _, around = _backend.kneighbors(cand, X, min(self.k_neighbors, X.shape[0]))
                ok = (y[around] != cls).mean(axis=1) < level
                if not ok.any():
                    idle += 1
                    if idle > 5:
                        level, idle = level + 0.1, 0
                    continue
                kept_p0.append(p0[ok])
                kept_p1.append(p1[ok])
                kept_steps.append(steps[ok])
                kept_rows.append(cand[ok])
                n_kept += int(ok.sum())
            self.rejection_level_[cls] = level
            p0, p1, steps, made = (
                np.concatenate(a)[:n_samples] for a in (kept_p0, kept_p1, kept_steps, kept_rows)
            )
            X_new.append(self._record(p0, p1, steps, made))
            y_new.append(np.full(n_samples, cls, dtype=y.dtype))
        return self._finish(X, y, X_new, y_new)


def _row_norms(D):
    """Euclidean norm of each row, finite wherever it fits a float (each row divided by its
    largest magnitude first: no square of 1e200 or 1e-200)."""
    top = np.abs(D).max(axis=1)
    unit = np.where(top > 0, top, 1.0)
    return top * np.linalg.norm(D / unit[:, None], axis=1)


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
    sampling_strategy : float, str, dict or callable, default="auto"
        Which classes to over-sample and to how many rows, as in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.
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
    sample_indices_ : ndarray
        The original rows, which come first in the output.
    synthetic_parents_ : ndarray of shape (n_synthetic, 2)
        The centre row and the surface row of each new row.
    synthetic_steps_ : ndarray of shape (n_synthetic,)
        The new row's coordinate along ``s - c`` in units of ``|s - c|`` (its position
        projected on the segment; the row itself lies off the segment unless
        ``deformation_factor=1``).
    n_features_in_ : int
        Number of features seen in ``fit_resample``.

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
        self._start_provenance(X.shape[0])
        rng = check_random_state(self.random_state)
        d = X.shape[1]
        X_new, y_new = [], []
        for cls, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            rows = np.flatnonzero(y == cls)
            centre = rng.randint(0, rows.size, size=n_samples)
            surface = self._surface(X, y, cls, rows, centre, rng)
            c, s = X[rows[centre]].astype(float), X[surface].astype(float)
            radius = _row_norms(s - c)
            axis = np.divide(
                s - c, radius[:, None], out=np.zeros_like(c), where=radius[:, None] > 0
            )
            direction = rng.normal(size=(n_samples, d))
            direction /= np.linalg.norm(direction, axis=1, keepdims=True)
            ball = direction * rng.uniform(size=(n_samples, 1)) ** (1 / d)  # uniform in the ball
            along = (ball * axis).sum(axis=1)
            t = self.truncation_factor
            mirror = (
                (along < t - 1)
                if t > 0
                else (along > t + 1)
                if t < 0
                else np.zeros(n_samples, bool)
            )
            ball[mirror] -= 2 * along[mirror, None] * axis[mirror]
            along = (ball * axis).sum(axis=1)
            ball = along[:, None] * axis + (1 - self.deformation_factor) * (
                ball - along[:, None] * axis
            )
            made = (c + radius[:, None] * ball).astype(X.dtype, copy=False)
            X_new.append(self._record(rows[centre], surface, along, made))
            y_new.append(np.full(n_samples, cls, dtype=y.dtype))
        return self._finish(X, y, X_new, y_new)


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
    sampling_strategy : float, str, dict or callable, default="auto"
        Which classes to over-sample and to how many rows, as in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.
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
    n_features_in_ : int
        Number of features seen in ``fit_resample``.

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

    def _fit_resample(self, X, y):
        from scipy.spatial.distance import cdist

        self._start_provenance(X.shape[0])
        rng = check_random_state(self.random_state)
        n, d = X.shape
        budget = self.energy * d**self.scaling
        Xf = X.astype(float)
        self.translations_ = np.zeros((n, d))
        self.radii_ = {}
        X_new, y_new = [], []
        for cls, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            rows = np.flatnonzero(y == cls)
            others = np.flatnonzero(y != cls)
            radii = np.empty(rows.size)
            block = max(1, 2**22 // max(others.size, 1))
            for i0 in range(0, rows.size, block):
                sl = slice(i0, i0 + block)
                dist = cdist(Xf[rows[sl]], Xf[others], "cityblock")
                order = np.argsort(dist, axis=1, kind="stable")
                d_sorted = np.take_along_axis(dist, order, axis=1)
                r = self._radii(d_sorted, budget)
                radii[sl] = r
                # push the other rows inside each ball out to its surface
                # (a row on the centre itself has no direction to go: it stays)
                i, j = np.nonzero((dist < r[:, None]) & (dist > 0))
                push = ((r[i] - dist[i, j]) / dist[i, j])[:, None] * (
                    Xf[others[j]] - Xf[rows[sl]][i]
                )
                np.add.at(self.translations_, others[j], push)
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
            X_new.append(self._record(rows[centre], np.full(n_samples, -1), position, made))
            y_new.append(np.full(n_samples, cls, dtype=y.dtype))
        moved = (Xf + self.translations_).astype(X.dtype, copy=False)
        return self._finish(moved, y, X_new, y_new)


class MWMOTE(BaseSMOTE):
    """Majority Weighted Minority Over-sampling (MWMOTE, Barua et al. 2014).

    MWMOTE generates rows where the classes meet, weighted by how informative each minority
    row is for the majority rows near it. Following the paper's algorithm, per class to
    over-sample (the other classes being the majority):

    1. drop minority rows whose ``k1`` nearest neighbours are all of other classes (noise;
       when every row would go, all are kept);
    2. the border majority set: the ``k2`` nearest majority rows of each remaining minority row;
    3. the informative minority set: the ``k3`` nearest minority rows of each border row;
    4. each border row ``y`` gives each of its ``k3`` informative neighbours ``x`` the weight
       ``C_f(y, x) * D_f(y, x)``: the closeness ``C_f = min(1 / d_n, cf_th) / cf_th * cmax``
       (``d_n`` the distance divided by the number of features) times the density
       ``D_f = C_f / sum of C_f over y's informative neighbours``; a row's selection
       probability is proportional to the sum of its weights;
    5. the minority rows are clustered by average linkage, merging up to ``cp`` times the
       mean distance of a filtered minority row to its nearest filtered minority row (of any
       row of the class, when fewer than two are left);
    6. each synthetic row lies between an informative row drawn by its probability and a
       random row of its cluster, at a uniform random step.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        As in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
    k1 : int, default=5
        Neighbours (all classes) of the noise filter.
    k2 : int, default=3
        Majority neighbours that make the border majority set.
    k3 : int or None, default=None
        Minority neighbours of each border row; None is half the class's rows (the paper's
        choice).
    cp : float, default=3.0
        Clustering threshold as a multiple of the mean nearest-neighbour distance.
    cf_th : float, default=5.0
        Cut-off of the closeness factor.
    cmax : float, default=2.0
        Largest closeness factor.

    Attributes
    ----------
    sample_indices_, synthetic_parents_, synthetic_steps_ : ndarray
        Provenance, see :class:`SMOTE`.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.

    Notes
    -----
    Minority classes of more than 5,000 rows are clustered with average linkage restricted to
    each row's 10 nearest neighbours (memory O(n k) instead of O(n^2)). ``smote_variants``,
    the reference implementation, departs from the paper: k-means with 10 clusters instead of
    the average-linkage threshold, closeness for every border/informative pair, and other
    defaults (k2 = k3 = 5, cmax = 10).

    References
    ----------
    S. Barua, M. M. Islam, X. Yao, K. Murase, "MWMOTE — Majority Weighted Minority
    Oversampling Technique for Imbalanced Data Set Learning", IEEE Transactions on Knowledge
    and Data Engineering 26(2), 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import MWMOTE
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=0)
    >>> X_res, y_res = MWMOTE(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [450, 450]
    """

    _parameter_constraints: dict = {
        **STRATEGY_AND_SEED,
        "k1": [Interval(Integral, 1, None, closed="left")],
        "k2": [Interval(Integral, 1, None, closed="left")],
        "k3": [Interval(Integral, 1, None, closed="left"), None],
        "cp": [Interval(Real, 0, None, closed="neither")],
        "cf_th": [Interval(Real, 0, None, closed="neither")],
        "cmax": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k1=5,
        k2=3,
        k3=None,
        cp=3.0,
        cf_th=5.0,
        cmax=2.0,
    ):
        BaseOverSampler.__init__(self, sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.k1 = k1
        self.k2 = k2
        self.k3 = k3
        self.cp = cp
        self.cf_th = cf_th
        self.cmax = cmax

    def _selection(self, X, y, cls, rows, others):
        """Filtered minority rows, informative rows and their selection probabilities."""
        everyone = np.arange(X.shape[0])
        near = self._neighbors(min(self.k1, X.shape[0] - 1), "k1", X, everyone, rows)
        filtered = rows[(y[near] == cls).any(axis=1)]
        if filtered.size == 0:  # every row looks like noise: keep them all
            filtered = rows
        _, pos = _backend.kneighbors(X[filtered], X[others], min(self.k2, others.size))
        border = np.unique(others[pos])
        k3 = min(self.k3 or max(1, rows.size // 2), rows.size)
        dist, pos = _backend.kneighbors(X[border], X[rows], k3, squared=False)
        dn = dist / X.shape[1]
        with np.errstate(divide="ignore"):
            closeness = np.minimum(1.0 / dn, self.cf_th) / self.cf_th * self.cmax
        density = closeness / closeness.sum(axis=1, keepdims=True)
        weight = np.bincount(
            pos.ravel(), weights=(closeness * density).ravel(), minlength=rows.size
        )
        informative = np.flatnonzero(weight > 0)
        return filtered, rows[informative], weight[informative] / weight[informative].sum()

    def _clusters(self, X, rows, filtered):
        """Average-linkage clusters of the class's rows, threshold ``cp`` times the mean
        nearest-neighbour distance among the filtered rows."""
        from sklearn.cluster import AgglomerativeClustering
        from sklearn.neighbors import kneighbors_graph

        if rows.size < 2:
            return np.zeros(rows.size, dtype=np.intp)
        base = filtered if filtered.size >= 2 else rows  # one survivor: all the class's rows
        # linkage distances of rows scaled by a power of two (exact) where they would overflow
        Xr = X[rows] * 2.0 ** -_backend.safe_exponent(X[rows])
        Xb = Xr[np.searchsorted(rows, base)]
        dist, _ = _backend.kneighbors(Xb, Xb, 1, exclude_self=True, squared=False)
        threshold = self.cp * float(dist.mean())
        connectivity = None
        if rows.size > 5000:
            connectivity = kneighbors_graph(Xr, 10, include_self=False)
        model = AgglomerativeClustering(
            n_clusters=None,
            distance_threshold=threshold,
            linkage="average",
            connectivity=connectivity,
        )
        return model.fit_predict(Xr)

    def _fit_resample(self, X, y):
        def draw(cls, rows, n_samples, rng):
            if rows.size < 2:
                raise ValueError(f"class {class_label(cls)} needs at least 2 rows for MWMOTE.")
            filtered, informative, prob = self._selection(
                X, y, cls, rows, np.flatnonzero(y != cls)
            )
            labels = self._clusters(X, rows, filtered)
            # partner: a uniformly random row of the base row's cluster
            order = np.argsort(labels, kind="stable")
            counts = np.bincount(labels)
            starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
            where = np.searchsorted(rows, informative)
            base_pos = where[rng.choice(informative.size, size=n_samples, p=prob)]
            c = labels[base_pos]
            partner_pos = order[starts[c] + (rng.uniform(size=n_samples) * counts[c]).astype(int)]
            return rows[base_pos], rows[partner_pos], rng.uniform(size=n_samples)

        return self._resample_on_segments(X, y, draw)


class SMOBD(BaseSMOTE):
    """SMOTE based on data density (SMOBD, Cao & Wang 2011).

    Rows to interpolate from are drawn by a density score that mixes two views of each
    minority row's neighbourhood, computed with OPTICS on the class's rows:
    ``eta1 * core distance + (1 - eta1) * number of class rows within max_eps`` (each scaled
    to a maximum of 1); rows whose core distance and reachability both exceed ``t`` times
    their class means are noise and never drawn. Each new row lies between the drawn row and
    one of its ``k_neighbors`` nearest class rows, with one uniform step per feature.

    This follows the description of Kovacs' ``smote_variants``, the reference implementation
    (the paper's text was not available to us), with one difference: the noise test compares
    with the means of the finite core distances and reachabilities (the reference averages
    infinite values in, which disables the test whenever OPTICS leaves a row unreachable).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        As in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
    k_neighbors : int, default=5
        OPTICS' ``min_samples`` and the number of interpolation neighbours.
    eta1 : float in [0, 1], default=0.5
        Weight of the core distance in the density score.
    t : float, default=1.8
        Noise threshold, as a multiple of the mean core distance and reachability.
    max_eps : float, default=1.0
        OPTICS' largest radius, and the radius of the neighbour count (on standardised data).

    Attributes
    ----------
    sample_indices_, synthetic_parents_, synthetic_steps_ : ndarray
        Provenance, see :class:`SMOTE` (steps per feature, shape (n_new, n_features)).
    n_features_in_ : int
        Number of features seen in ``fit_resample``.

    References
    ----------
    Q. Cao, S. Wang, "Applying Over-sampling Technique Based on Data Density and
    Cost-sensitive SVM to Imbalanced Learning", ICIII 2011.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import SMOBD
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=0)
    >>> X_res, y_res = SMOBD(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [450, 450]
    """

    _parameter_constraints: dict = {
        **STRATEGY_AND_SEED,
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
        "eta1": [Interval(Real, 0, 1, closed="both")],
        "t": [Interval(Real, 0, None, closed="neither")],
        "max_eps": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        k_neighbors=5,
        eta1=0.5,
        t=1.8,
        max_eps=1.0,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, random_state=random_state, k_neighbors=k_neighbors
        )
        self.eta1 = eta1
        self.t = t
        self.max_eps = max_eps

    def _takes_dask(self):
        return True

    def _density(self, X_cls, k):
        """Drawing probability of each class row (zero for noise)."""
        import warnings

        from sklearn.cluster import OPTICS

        with warnings.catch_warnings():  # "all reachability values are inf": spread-out rows
            warnings.simplefilter("ignore", UserWarning)
            optics = OPTICS(min_samples=max(2, k), max_eps=self.max_eps).fit(X_cls)
        core, reach = optics.core_distances_.copy(), optics.reachability_
        finite_core, finite_reach = core[np.isfinite(core)], reach[np.isfinite(reach)]
        noise = np.zeros(len(X_cls), dtype=bool)
        if finite_core.size and finite_reach.size:
            noise = (core > self.t * finite_core.mean()) & (reach > self.t * finite_reach.mean())
        core[~np.isfinite(core)] = 1.1 * finite_core.max() if finite_core.size else 1.0
        count = np.empty(len(X_cls))
        for block in row_chunks(len(X_cls), len(X_cls)):  # no n x n matrix at once
            sq = _backend.sq_euclidean_distances(X_cls[block], X_cls)
            count[block] = (sq <= self.max_eps**2).sum(axis=1)
        density = self.eta1 * core / max(core.max(), 1e-8)
        density += (1 - self.eta1) * count / count.max()
        density[noise] = 0.0
        if density.sum() <= 0:  # everything looks like noise: draw uniformly
            density[:] = 1.0
        return density / density.sum()

    def _fit_resample(self, X, y):
        def draw(cls, rows, n_samples, rng):
            nns = self._neighbors(self.k_neighbors, "k_neighbors", X, rows, rows)
            prob = self._density(X[rows], nns.shape[1])
            base = rng.choice(rows.size, size=n_samples, p=prob)
            partner = nns[base, rng.randint(0, nns.shape[1], size=n_samples)]
            return rows[base], partner, rng.uniform(size=(n_samples, X.shape[1]))

        return self._resample_on_segments(X, y, draw)


class AssembledSMOTE(BaseSMOTE):
    """Assembled-SMOTE (Zhou et al. 2013): SMOTE inside clusters of the border rows that
    share an orientation.

    Per class to over-sample: a row is on the border when one of its ``k_neighbors`` nearest
    rows (itself included, as in the reference) is of another class. The border rows are
    clustered by single linkage, closest pair first, with a condition on each merge: two
    clusters of at least ``pop`` rows merge only when their first principal directions are
    aligned (absolute cosine above ``thres``), otherwise that pair is set aside. The clusters
    and the non-border rows (one more group) then share the new rows in proportion to their
    sizes, and each group runs SMOTE among its own rows (``k_neighbors`` within the group).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        As in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
    k_neighbors : int, default=5
    pop : int, default=2
        Clusters smaller than this merge without the orientation test.
    thres : float in [0, 1], default=0.3
        Smallest absolute cosine between principal directions for a merge.

    Attributes
    ----------
    sample_indices_, synthetic_parents_, synthetic_steps_ : ndarray
        Provenance, see :class:`SMOTE`.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.

    Notes
    -----
    The merges follow the edges between border rows in increasing length (Kruskal's order,
    which is single linkage); a pair set aside is tried again when one of its clusters has
    grown. Memory and time are O(b^2) in the number ``b`` of border rows of a class.

    References
    ----------
    B. Zhou, C. Yang, H. Guo, J. Hu, "A quasi-linear SVM combined with assembled SMOTE for
    imbalanced data classification", IJCNN 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import AssembledSMOTE
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=0)
    >>> X_res, y_res = AssembledSMOTE(random_state=0).fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [450, 450]
    """

    _parameter_constraints: dict = {
        **STRATEGY_AND_SEED,
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
        "pop": [Interval(Integral, 1, None, closed="left")],
        "thres": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self, *, sampling_strategy="auto", random_state=None, k_neighbors=5, pop=2, thres=0.3
    ):
        super().__init__(
            sampling_strategy=sampling_strategy, random_state=random_state, k_neighbors=k_neighbors
        )
        self.pop = pop
        self.thres = thres

    def _cluster_border(self, Xb):
        """Cluster labels of the border rows ``Xb`` (single linkage with the PCA test)."""
        b = len(Xb)
        parent = np.arange(b)
        members = {i: [i] for i in range(b)}
        version = np.zeros(b, dtype=int)
        set_aside = set()

        def root(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        def direction(rows):
            centred = Xb[rows] - Xb[rows].mean(axis=0)
            return np.linalg.svd(centred, full_matrices=False)[2][0]

        sq = _backend.sq_euclidean_distances(Xb)
        iu, ju = np.triu_indices(b, k=1)
        for e in np.argsort(sq[iu, ju], kind="stable"):
            a, c = root(iu[e]), root(ju[e])
            if a == c:
                continue
            key = (min(a, c), max(a, c), version[a], version[c])
            if key in set_aside:
                continue
            if min(len(members[a]), len(members[c])) >= self.pop:
                cos = abs(float(direction(members[a]) @ direction(members[c])))
                if cos <= self.thres:
                    set_aside.add(key)
                    continue
            parent[c] = a
            members[a] += members.pop(c)
            version[a] += 1
        roots = np.array([root(i) for i in range(b)])
        return np.unique(roots, return_inverse=True)[1]

    def _fit_resample(self, X, y):
        def draw(cls, rows, n_samples, rng):
            k = min(self.k_neighbors, X.shape[0] - 1)
            _, near = _backend.kneighbors(X[rows], X, k + 1)  # the row itself included
            border = (y[near] != cls).any(axis=1)
            groups = []
            if border.any():
                labels = self._cluster_border(X[rows[border]])
                groups = [rows[border][labels == g] for g in range(labels.max() + 1)]
            if (~border).any():
                groups.append(rows[~border])
            sizes = np.array([len(g) for g in groups], dtype=float)
            per_group = np.bincount(
                rng.choice(len(groups), size=n_samples, p=sizes / sizes.sum()),
                minlength=len(groups),
            )
            parts = []
            for group, count in zip(groups, per_group, strict=True):
                if count == 0:
                    continue
                if len(group) == 1:  # a lone row: copies of it
                    p0 = p1 = np.full(count, group[0])
                else:
                    nns = self._neighbors(
                        min(self.k_neighbors, len(group) - 1), "k_neighbors", X, group, group
                    )
                    base = rng.randint(0, len(group), size=count)
                    p0 = group[base]
                    p1 = nns[base, rng.randint(0, nns.shape[1], size=count)]
                parts.append((p0, p1, rng.uniform(size=count)))
            return tuple(np.concatenate(a) for a in zip(*parts, strict=True))

        return self._resample_on_segments(X, y, draw)


class LVQSMOTE(BaseSMOTE):
    """Codebook-translation over-sampling after LVQ-SMOTE (Nakamura et al., 2013).

    The paper learns codebooks by learning vector quantisation on many *other* data sets
    and copies patterns found there into the imbalanced one, which needs those data sets.
    Like smote_variants, the reference implementation (which calls itself "only a rough
    approximation"), this sampler works on one data set: the rows of the class to
    over-sample are summarised by a codebook of ``n_codes`` k-means centres; for a random
    ordered pair of codes ``(a, b)``, the pair ``(i, j)`` of the other codes whose offset
    ``c_i - c_j`` is closest to ``c_a - c_b`` is found (``i == j`` allowed, as in the
    reference), one of ``i, j`` is taken at random as ``o``, and one of the ``k_neighbors``
    class rows nearest to ``c_o`` is moved by ``c_a - c_o``: the new row sits around ``c_a``
    as that row sits around ``c_o``. The best pair of every ``(a, b)`` is computed once,
    vectorised, instead of per new row.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        As in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seed of the k-means codebook and of the draws.
    k_neighbors : int, default=5
        Class rows nearest to each code that may be moved.
    n_codes : int, default=10
        Codebook size (at most the number of rows of the class; at least 3 are needed).

    Attributes
    ----------
    codebooks_ : dict
        Per over-sampled class, its codes (n_codes, n_features).
    synthetic_codes_ : ndarray of shape (n_synthetic, 2)
        The codes ``(a, o)`` of each new row:
        ``X_res[n + s] == X[synthetic_parents_[s, 0]] + codebooks_[cls][a] - codebooks_[cls][o]``.
    sample_indices_ : ndarray
        The original rows, which come first in the output.
    synthetic_parents_ : ndarray of shape (n_synthetic, 2)
        The moved row, and ``-1`` (no second parent).
    synthetic_steps_ : ndarray of shape (n_synthetic,)
        Zeros: the rows are translations, not interpolations.
    n_features_in_ : int
        Number of features seen in ``fit_resample``.

    References
    ----------
    M. Nakamura, Y. Kajiwara, A. Otsuka, H. Kimura, "LVQ-SMOTE - Learning Vector
    Quantization based Synthetic Minority Over-sampling Technique for biomedical data",
    BioData Mining 6, 16 (2013).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_classification
    >>> from skcluster.over_sampling import LVQSMOTE
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=0)
    >>> lvq = LVQSMOTE(random_state=0)
    >>> X_res, y_res = lvq.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [450, 450]
    >>> (row, _), (a, o) = lvq.synthetic_parents_[0], lvq.synthetic_codes_[0]
    >>> code = lvq.codebooks_[1]
    >>> bool(np.allclose(X_res[500], X[row] + code[a] - code[o]))
    True
    """

    _parameter_constraints: dict = {
        **STRATEGY_AND_SEED,
        "k_neighbors": [Interval(Integral, 1, None, closed="left")],
        "n_codes": [Interval(Integral, 3, None, closed="left")],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, k_neighbors=5, n_codes=10):
        super().__init__(
            sampling_strategy=sampling_strategy, random_state=random_state, k_neighbors=k_neighbors
        )
        self.n_codes = n_codes

    @staticmethod
    def _best_pairs(codes):
        """For every ordered pair (a, b), the first (i, j) in row-major order, both outside
        {a, b}, minimising |(c_a - c_b) - (c_i - c_j)| (K^3 memory, one ``a`` at a time)."""
        K = len(codes)
        flat = (codes[:, None, :] - codes[None, :, :]).reshape(K * K, -1)  # c_i - c_j
        pair_i, pair_j = np.divmod(np.arange(K * K), K)
        best_i = np.empty((K, K), dtype=np.intp)
        best_j = np.empty((K, K), dtype=np.intp)
        for a in range(K):
            dist = _backend.sq_euclidean_distances(codes[a] - codes, flat)  # (b, pair)
            b = np.arange(K)[:, None]
            banned = (pair_i == a) | (pair_j == a) | (pair_i == b) | (pair_j == b)
            best = np.where(banned, np.inf, dist).argmin(axis=1)
            best_i[a], best_j[a] = pair_i[best], pair_j[best]
        return best_i, best_j

    def _fit_resample(self, X, y):
        self._start_provenance(X.shape[0])
        rng = check_random_state(self.random_state)
        self.codebooks_ = {}
        codes_used, X_new, y_new = [], [], []
        for cls, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            rows = np.flatnonzero(y == cls)
            Xc = X[rows].astype(np.float64)
            n_distinct = len(np.unique(Xc, axis=0))
            K = min(self.n_codes, n_distinct)
            if K < 3:
                raise ValueError(
                    f"LVQSMOTE needs at least 3 distinct rows of class {class_label(cls)} for a "
                    f"codebook of 3 codes, got {n_distinct}."
                )
            seed = rng.randint(np.iinfo(np.int32).max)
            codes = _backend.kmeans(Xc, K, random_state=seed)[0]
            self.codebooks_[cls] = codes
            k = min(self.k_neighbors, len(rows))
            near = _backend.kneighbors(codes, Xc, k)[1]  # (K, k) positions in rows
            bi, bj = self._best_pairs(codes)
            # an ordered pair of distinct codes, then i or j, then one of its near rows
            a = rng.randint(K, size=n_samples)
            b = (a + 1 + rng.randint(K - 1, size=n_samples)) % K
            o = np.where(rng.uniform(size=n_samples) < 0.5, bi[a, b], bj[a, b])
            moved = near[o, rng.randint(k, size=n_samples)]
            made = (Xc[moved] + codes[a] - codes[o]).astype(X.dtype, copy=False)
            X_new.append(
                self._record(rows[moved], np.full(n_samples, -1), np.zeros(n_samples), made)
            )
            y_new.append(np.full(n_samples, cls, dtype=y.dtype))
            codes_used.append(np.column_stack([a, o]))
        self.synthetic_codes_ = (
            np.vstack(codes_used).astype(np.intp) if codes_used else np.empty((0, 2), np.intp)
        )
        return self._finish(X, y, X_new, y_new)
