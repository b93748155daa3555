"""The variants that group the class's rows first (MWMOTE, AssembledSMOTE, LVQSMOTE): groups,
weights and rows against their papers and the reference's loops."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_classification

from skcluster.over_sampling import (
    MWMOTE,
    AssembledSMOTE,
)


def test_mwmote_weights_the_border_and_ignores_noise():
    # majority blob at 0, minority blob at 6 whose near side faces the majority, and one
    # minority row inside the majority (noise: all its neighbours are majority). The noise
    # row makes no border row, but it can be informative (the paper takes the border rows'
    # nearest rows among all minority rows); alone in its cluster, it then only copies itself
    rng = np.random.default_rng(0)
    maj = rng.normal(0.0, 1.0, (400, 2))
    mino = rng.normal(6.0, 1.0, (60, 2))
    X = np.vstack([maj, mino, [[0.1, 0.0]]])
    y = np.r_[np.zeros(400, int), np.ones(61, int)]
    sampler = MWMOTE(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [400, 400]
    parents = sampler.synthetic_parents_
    noise = 460
    assert np.all(parents[parents[:, 0] == noise, 1] == noise)
    assert noise not in parents[parents[:, 0] != noise]
    assert np.all(y[parents] == 1)
    # every new row lies on the segment between its parents, at its step
    p0, p1, steps = parents[:, 0], parents[:, 1], sampler.synthetic_steps_
    np.testing.assert_allclose(X_res[461:], X[p0] + steps[:, None] * (X[p1] - X[p0]))
    # base rows come from the side of the minority blob that faces the majority
    facing = X[400:460].sum(axis=1) < np.median(X[400:460].sum(axis=1))
    base_counts = np.bincount(p0 - 400, minlength=61)[:60]
    assert base_counts[facing].sum() > 2 * base_counts[~facing].sum()


def test_mwmote_clusters_keep_partners_in_their_group():
    # two minority groups far apart: partners never cross between them
    X, y = make_blobs(
        [300, 40, 40], centers=[[0, 0], [5, 5], [-5, 5]], cluster_std=0.8, random_state=0
    )
    y = (y > 0).astype(int)
    s = MWMOTE(random_state=0)
    s.fit_resample(X, y)
    p0, p1 = s.synthetic_parents_.T
    assert np.all(np.sign(X[p0, 0]) == np.sign(X[p1, 0]))


@pytest.mark.parametrize(
    "params, message", [({"k1": 0}, "k1"), ({"cp": 0.0}, "cp"), ({"k3": 0}, "k3")]
)
def test_mwmote_bad_parameters(params, message):
    X, y = make_classification(n_samples=100, weights=[0.8], random_state=0)
    with pytest.raises(ValueError, match=message):
        MWMOTE(**params).fit_resample(X, y)


def test_mwmote_small_majority_and_a_single_survivor():
    # fewer majority rows than k2: clipped, no error
    X = np.r_[np.linspace(0, 1, 10), [5.0, 5.5, 6.0]][:, None]
    y = np.r_[np.zeros(10, int), np.ones(3, int)]
    X_res, y_res = MWMOTE(sampling_strategy={0: 12}, random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [12, 3]
    # one minority row survives the noise filter: the clusters still pair distinct rows
    maj = np.r_[0.95, np.arange(5.0, 41.0), -np.arange(3.0, 31.0)]
    X = np.r_[maj, [1.0, 1.5, 20.1]][:, None]
    y = np.r_[np.zeros(maj.size, int), np.ones(3, int)]
    s = MWMOTE(k1=1, random_state=0)
    X_res, _ = s.fit_resample(X, y)
    p0, p1 = s.synthetic_parents_.T
    assert np.any(p0 != p1)


def test_assembled_smote_clusters_border_rows_by_orientation():
    # a strip along x and a strip along the diagonal that meet at the origin: their principal
    # directions have cosine 0.71, so thres=0.9 keeps them apart and thres=0.5 merges them
    t = np.linspace(1.0, 5.0, 30)
    strip_x = np.column_stack([t, np.zeros(30)])
    strip_d = np.column_stack([t, t]) / np.sqrt(2) + [0, 0.2]
    rows = np.vstack([strip_x, strip_d])
    apart = AssembledSMOTE(thres=0.9)._cluster_border(rows)
    assert len(set(apart[:30]) & set(apart[30:])) == 0 and len(set(apart)) == 2
    assert len(set(AssembledSMOTE(thres=0.5)._cluster_border(rows))) == 1
    # fitted on rows that are all on the border: partners never cross between the strips
    X = np.vstack([rows, rows + [0.0, -0.05]])
    y = np.r_[np.ones(60, int), np.zeros(60, int)]
    s = AssembledSMOTE(k_neighbors=3, thres=0.9, sampling_strategy={1: 90}, random_state=0)
    s.fit_resample(X, y)
    p0, p1 = s.synthetic_parents_.T
    assert np.all((p0 < 30) == (p1 < 30))


def test_assembled_smote_rows_lie_within_their_group():
    X, y = make_classification(n_samples=400, weights=[0.85], random_state=1)
    s = AssembledSMOTE(random_state=0)
    X_res, y_res = s.fit_resample(X, y)
    p0, p1 = s.synthetic_parents_.T
    assert np.all(y[p0] == 1) and np.all(y[p1] == 1)
    steps = s.synthetic_steps_
    np.testing.assert_allclose(X_res[400:], X[p0] + steps[:, None] * (X[p1] - X[p0]))


def _union_find_clusters(Xb, pop, thres):
    """The border clustering as first written: a union-find over every edge in order."""
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

    sq = ((Xb[:, None, :] - Xb[None, :, :]) ** 2).sum(axis=2)
    iu, ju = np.triu_indices(b, k=1)
    for e in np.argsort(sq[iu, ju], kind="stable"):
        a, c = root(iu[e]), root(ju[e])
        if a == c:
            continue
        key = (min(a, c), max(a, c), version[a], version[c])
        if key in set_aside:
            continue
        if min(len(members[a]), len(members[c])) >= pop:
            if abs(float(direction(members[a]) @ direction(members[c]))) <= thres:
                set_aside.add(key)
                continue
        parent[c] = a
        members[a] += members.pop(c)
        version[a] += 1
    return np.unique([root(i) for i in range(b)], return_inverse=True)[1]


@pytest.mark.parametrize("pop, thres", [(1, 0.0), (2, 0.3), (3, 0.9), (2, 1.0)])
def test_assembled_smote_clusters_as_the_union_find_over_every_edge(pop, thres):
    # 150 rows: 11,175 edges, several blocks of the vectorised skip
    X = np.random.default_rng(0).normal(size=(150, 3)) * [1.0, 1.0, 0.2]
    ours = AssembledSMOTE(pop=pop, thres=thres)._cluster_border(X)
    np.testing.assert_array_equal(ours, _union_find_clusters(X, pop, thres))


# --------------------------------------------------------------------------------------
# LVQSMOTE
# --------------------------------------------------------------------------------------


def test_lvqsmote_best_pairs_match_the_reference_loop():
    from skcluster.over_sampling import LVQSMOTE

    rng = np.random.default_rng(0)
    for K in (3, 4, 7, 10):
        codes = rng.normal(size=(K, 3))
        bi, bj = LVQSMOTE._best_pairs(codes)
        for a in range(K):
            for b in range(K):
                if a == b:
                    continue
                best, arg = np.inf, None  # smote_variants' loop: first strict minimum
                for i in range(K):
                    for j in range(K):
                        if i not in (a, b) and j not in (a, b):
                            dd = np.linalg.norm(codes[a] - codes[b] - (codes[i] - codes[j]))
                            if dd < best:
                                best, arg = dd, (i, j)
                assert (bi[a, b], bj[a, b]) == arg


def test_lvqsmote_rows_are_translated_class_rows():
    from skcluster.over_sampling import LVQSMOTE

    X, y = make_classification(
        n_samples=600, n_classes=3, n_informative=4, weights=[0.7, 0.2, 0.1], random_state=0
    )
    lvq = LVQSMOTE(random_state=0, n_codes=6)
    X_res, y_res = lvq.fit_resample(X, y)
    counts = np.bincount(y_res)
    assert (counts == counts.max()).all()
    n = len(X)
    parents, codes = lvq.synthetic_parents_, lvq.synthetic_codes_
    assert (parents[:, 1] == -1).all() and len(parents) == len(X_res) - n
    for s in range(len(parents)):
        cls = y_res[n + s]
        assert y[parents[s, 0]] == cls  # a row of the class itself is moved
        book = lvq.codebooks_[cls]
        np.testing.assert_allclose(
            X_res[n + s], X[parents[s, 0]] + book[codes[s, 0]] - book[codes[s, 1]]
        )
    # the row is moved from another code to code a
    assert (codes[:, 0] != codes[:, 1]).all()
    for book in lvq.codebooks_.values():
        assert book.shape == (6, X.shape[1])
    # the same seed, the same rows
    X_again, _ = LVQSMOTE(random_state=0, n_codes=6).fit_resample(X, y)
    np.testing.assert_array_equal(X_again, X_res)


def test_lvqsmote_needs_three_distinct_rows():
    from skcluster.over_sampling import LVQSMOTE

    X = np.r_[np.random.default_rng(0).normal(size=(20, 2)), [[5.0, 5.0]] * 4]
    y = np.r_[np.zeros(20, int), np.ones(4, int)]
    with pytest.raises(ValueError, match="3 distinct rows"):
        LVQSMOTE(random_state=0).fit_resample(X, y)
    X[-2:] = [[6.0, 5.0], [5.0, 7.0]]
    X_res, y_res = LVQSMOTE(random_state=0).fit_resample(X, y)  # 3 codes from 3 rows
    assert np.bincount(y_res).tolist() == [20, 20]
