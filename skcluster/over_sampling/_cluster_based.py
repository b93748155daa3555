"""SMOTE variants that group the class's rows before making new ones.

MWMOTE clusters the class by average linkage and pairs each informative row (weighted by
the other classes' rows near it) with a row of its cluster; AssembledSMOTE clusters the
border rows by single linkage, merging only clusters of one orientation, and runs SMOTE in
each group; LVQSMOTE summarises the class by a k-means codebook and moves rows between
codes. Among the best-ranked variants of Kovacs' evaluation (Applied Soft Computing 83,
2019); multi-class through ``sampling_strategy`` like the imbalanced-learn twins: each
class to over-sample is treated against all rows of the other classes.
"""

from numbers import Integral, Real

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.cluster import AgglomerativeClustering
from sklearn.neighbors import kneighbors_graph
from sklearn.utils._param_validation import Interval

from .. import _backend
from ._base import STRATEGY_AND_SEED, BaseSMOTE, class_label, fill_doc


@fill_doc()
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
    {sampling_strategy}
    {random_state}
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
    {provenance_}
    {n_features_in_}

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


@fill_doc()
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
    {sampling_strategy}
    {random_state}
    k_neighbors : int, default=5
        Nearest rows of the border test (the row itself included), and neighbours to
        interpolate with within a group.
    pop : int, default=2
        Clusters smaller than this merge without the orientation test.
    thres : float in [0, 1], default=0.3
        Smallest absolute cosine between principal directions for a merge.

    Attributes
    ----------
    {provenance_}
    {n_features_in_}

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
        # the cluster of each row, named after one of its rows (a merge keeps the name of
        # the first row's cluster, as a union-find keeps its root), its rows, its growth
        owner = np.arange(b)
        members = {i: [i] for i in range(b)}
        version = np.zeros(b, dtype=int)
        set_aside = set()

        def direction(rows):
            centred = Xb[rows] - Xb[rows].mean(axis=0)
            return np.linalg.svd(centred, full_matrices=False)[2][0]

        sq = _backend.sq_euclidean_distances(Xb)
        iu, ju = np.triu_indices(b, k=1)
        edges = np.argsort(sq[iu, ju], kind="stable")
        for start in range(0, edges.size, 4096):
            # merges only join clusters: an edge inside one cluster now stays inside
            chunk = edges[start : start + 4096]
            for e in chunk[owner[iu[chunk]] != owner[ju[chunk]]]:
                a, c = owner[iu[e]], owner[ju[e]]
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
                owner[members[c]] = a
                members[a] += members.pop(c)
                version[a] += 1
        return np.unique(owner, return_inverse=True)[1]

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


@fill_doc()
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
    {sampling_strategy}
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
    {sample_indices_}
    synthetic_parents_ : ndarray of shape (n_synthetic, 2)
        The moved row, and ``-1`` (no second parent).
    synthetic_steps_ : ndarray of shape (n_synthetic,)
        Zeros: the rows are translations, not interpolations.
    {n_features_in_}

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
        self.codebooks_ = {}
        codes_used = []

        def make(cls, rows, n_samples, rng):
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
            codes_used.append(np.column_stack([a, o]))
            return self._record(rows[moved], np.full(n_samples, -1), np.zeros(n_samples), made)

        X_res, y_res = self._resample_per_class(X, y, make)
        self.synthetic_codes_ = (
            np.vstack(codes_used).astype(np.intp) if codes_used else np.empty((0, 2), np.intp)
        )
        return X_res, y_res
