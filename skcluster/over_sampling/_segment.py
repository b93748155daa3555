"""SMOTE variants whose new rows lie on segments between rows of the class.

What sets them apart is which segments and where on them: along a topology or a fitted
curve (PolynomFitSMOTE), between rows of a proximity level to the other classes (ProWSyn),
at a step set by the two rows' safe levels (SafeLevelSMOTE), only where the other classes
do not crowd the candidate (LeeSMOTE), or from rows drawn by their density (SMOBD). Among
the best-ranked variants of Kovacs' evaluation (Applied Soft Computing 83, 2019);
multi-class through ``sampling_strategy`` like the imbalanced-learn twins: each class to
over-sample is treated against all rows of the other classes.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.cluster import OPTICS
from sklearn.utils._param_validation import Interval, StrOptions

from .. import _backend
from ._base import (
    STRATEGY_AND_SEED,
    BaseSMOTE,
    class_label,
    distance_blocks,
    fill_doc,
    rows_between,
)


@fill_doc()
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
    {sampling_strategy}
    random_state : int, RandomState instance or None, default=None
        Seed of the draws (mesh and polynomial).
    topology : {"star", "bus", "mesh", "polynomial"}, default="star"
        How the rows are joined.
    degree : int, default=2
        Degree of the polynomial topology.

    Attributes
    ----------
    {sampling_strategy_}
    {sample_indices_}
    synthetic_parents_ : ndarray of shape (n_synthetic, 2)
        The rows each new row lies between; ``-1`` stands for the class mean (star) and
        for the fitted curve (polynomial, both entries).
    synthetic_steps_ : ndarray of shape (n_synthetic,)
        Position on the segment, or on the curve (in row ranks) for the polynomial.
    {n_features_in_}

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
        def make(cls, rows, n_samples, rng):
            if self.topology == "polynomial":
                return self._polynomial(X, rows, n_samples, rng)
            return self._segments(X, rows, n_samples, rng)

        return self._resample_per_class(X, y, make)

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


@fill_doc()
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
    {sampling_strategy}
    {random_state}
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
    {provenance_}
    {n_features_in_}

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


@fill_doc()
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
    {sampling_strategy}
    {random_state}
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
    {n_features_in_}

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


@fill_doc()
class LeeSMOTE(BaseSMOTE):
    """SMOTE with rejection (Lee, Kim and Lee, 2015).

    SMOTE candidates are generated in batches and a candidate is kept only when fewer than
    ``rejection_level`` of its ``k_neighbors`` nearest rows of the original data belong to
    other classes, so that new rows stay out of the other classes' regions. When five
    batches in a row keep nothing, the level is raised by 0.1, as in the reference
    implementation (smote_variants), so that the loop always ends.

    Parameters
    ----------
    {sampling_strategy}
    {random_state}
    k_neighbors : int, default=5
        Neighbours for the interpolation (within the class) and for the rejection test.
    rejection_level : float in [0, 1], default=0.5
        Largest share of other classes allowed among a candidate's neighbours (exclusive).

    Attributes
    ----------
    rejection_level_ : dict
        Per over-sampled class, the level finally used (above ``rejection_level`` only if
        it had to be raised).
    {provenance_}
    {n_features_in_}

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
        self.rejection_level_ = {}

        def make(cls, rows, n_samples, rng):
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
            return self._record(p0, p1, steps, made)

        return self._resample_per_class(X, y, make)


@fill_doc()
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
    {sampling_strategy}
    {random_state}
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
    {n_features_in_}

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
        for block, sq in distance_blocks(X_cls, X_cls):  # no n x n matrix at once
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
