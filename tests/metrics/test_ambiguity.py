"""CLAMS cluster ambiguity: known answers, invariances, the paper's behaviour, bad input."""

import math

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.preprocessing import FunctionTransformer

from skcluster import _backend
from skcluster.cluster._mixture import Atoms, Mixture, e_step
from skcluster.metrics import (
    PAIR_FEATURES,
    ClusterAmbiguity,
    cluster_ambiguity_score,
    cluster_ambiguity_scorer,
    fit_separability_model,
    make_ambiguity_scorer,
    plot_ambiguity,
)
from skcluster.metrics._ambiguity_scoring import (
    _gabriel_pairs,
    gaussian_separability,
    pair_features,
)
from skcluster.utils._knee import kneedle


def two_blobs(gap, n=500, seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(size=(n, 2)), rng.normal(size=(n, 2)) + [gap, 0.0]])


def three_blobs(ambiguous, n=400, seed=0):
    rng = np.random.default_rng(seed)
    third = [3.5, 0.0] if ambiguous else [6.0, 10.4]
    centers = np.array([[0.0, 0.0], [12.0, 0.0], third])
    return np.vstack([rng.normal(size=(n, 2)) + c for c in centers])


# --------------------------------------------------------------------------------------
# building blocks
# --------------------------------------------------------------------------------------


def test_kneedle_known_answers():
    x = np.arange(1, 11)
    elbow = np.array([100, 20, 12, 10, 9, 8.5, 8, 7.6, 7.3, 7.0])
    assert kneedle(x, elbow, S=1.0) == 1  # k = 2
    # a straight line has no knee; a constant or a 2-point curve has none either
    assert kneedle(x, -x.astype(float), S=1.0) is None
    assert kneedle(x, np.ones(10)) is None
    assert kneedle(x[:2], elbow[:2]) is None
    # a gentle bend passes at S=1 and not at a high sensitivity threshold
    gentle = 1.0 / np.sqrt(x)
    assert kneedle(x, gentle, S=1.0) is not None
    assert kneedle(x, gentle, S=20.0) is None
    # after a local minimum of the difference curve no knee is taken until the next maximum
    # (kneed's rule; a second review found the first port missing it on a bumpy curve)
    bumpy = np.array([10, 9.9, 7.6, 4.1, 5.1, 1.5])
    assert kneedle(np.arange(1, 7), bumpy, S=1.0) == 3
    assert kneedle(np.arange(1, 7), bumpy, S=3.0) is None


@pytest.mark.parametrize("d", [2, 3])
def test_gaussian_em_stats_matches_the_dense_e_step(d):
    rng = np.random.default_rng(d)
    X = rng.normal(size=(3001, d)) * 3 + 50  # offset: the shifted sums must stay exact
    K = 4
    A = rng.normal(size=(K, d, d))
    mix = Mixture(
        np.array([0.1, 0.2, 0.3, 0.4]), X[:K] + 0.5, A @ A.transpose(0, 2, 1) + np.eye(d)
    )
    w = rng.uniform(0.5, 2.0, size=len(X))
    ll, nk, s1, s2 = _backend.gaussian_em_stats(
        X, mix.weights, mix.means, mix.covariances, sample_weight=w
    )
    lse, resp = e_step(Atoms(w, X), mix)
    wr = resp * w[:, None]
    np.testing.assert_allclose(ll, w @ lse, rtol=1e-12)
    np.testing.assert_allclose(nk, wr.sum(axis=0), rtol=1e-12)
    for k in range(K):
        diff = X - mix.means[k]
        np.testing.assert_allclose(s1[k], wr[:, k] @ diff, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(s2[k], (diff * wr[:, k, None]).T @ diff, rtol=1e-9)


def test_gaussian_em_stats_numpy_namespace_keeps_float32_digits_on_offset_data():
    import skcluster

    rng = np.random.default_rng(0)
    X = (rng.normal(size=(2000, 2)) + 1e4).astype(np.float32)
    means = np.array([[1e4, 1e4], [1e4 + 1, 1e4]], dtype=np.float32)
    covs = np.array([np.eye(2), np.eye(2)])
    ref = _backend.gaussian_em_stats(X.astype(float), [0.5, 0.5], means.astype(float), covs)
    with skcluster.config_context(backend="numpy"):
        got = _backend.gaussian_em_stats(X, [0.5, 0.5], means, covs)
    np.testing.assert_allclose(got[1], ref[1], rtol=1e-6)


def test_gaussian_em_stats_rejects_bad_parameters():
    X = np.zeros((5, 2))
    for weights in ([np.nan, 1.0], [np.inf, 1.0], [0.0, 0.0], [-1.0, 2.0]):
        with pytest.raises(ValueError, match="weights must be finite"):
            _backend.gaussian_em_stats(X, weights, np.zeros((2, 2)), np.array([np.eye(2)] * 2))
    with pytest.raises(ValueError, match="shapes"):
        _backend.gaussian_em_stats(X, np.ones(2), np.zeros((2, 2)), np.ones((3, 2, 2)))
    with pytest.raises(ValueError, match="positive definite"):
        _backend.gaussian_em_stats(X, np.ones(1), np.zeros((1, 2)), -np.eye(2)[None])


def test_mixtures_and_bic_match_scikit_learn():
    X = three_blobs(ambiguous=False)
    est = ClusterAmbiguity(random_state=0).fit(X)
    # k = 1 is closed form: the BIC must equal scikit-learn's in the same (standardised) units
    Z = (X - X.mean(axis=0)) / math.sqrt(((X - X.mean(axis=0)) ** 2).mean())
    gm = GaussianMixture(1, covariance_type="full").fit(Z)
    assert est.bic_[0] == pytest.approx(gm.bic(Z), rel=1e-9)
    # k = 3 from k-means: the same local optimum as scikit-learn's
    gm3 = GaussianMixture(3, covariance_type="full", random_state=0).fit(X)
    gm3z = GaussianMixture(3, covariance_type="full", random_state=0).fit(Z)
    assert est.bic_[2] == pytest.approx(gm3z.bic(Z), rel=1e-5)
    order = np.argsort(est.means_[:, 0] + 0.1 * est.means_[:, 1])
    ref = np.argsort(gm3.means_[:, 0] + 0.1 * gm3.means_[:, 1])
    assert est.n_components_ == 3
    np.testing.assert_allclose(est.means_[order], gm3.means_[ref], atol=1e-3)
    np.testing.assert_allclose(
        est.covariances_[order], gm3.covariances_[ref], rtol=1e-2, atol=1e-3
    )
    np.testing.assert_allclose(np.sort(est.weights_), np.sort(gm3.weights_), atol=1e-4)


def test_gabriel_pairs_known_answers():
    line = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [3.5, 0.0]])  # collinear
    assert _gabriel_pairs(line).tolist() == [[0, 1], [1, 2], [2, 3]]
    obtuse = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 0.3]])  # the third lies in AB's circle
    assert _gabriel_pairs(obtuse).tolist() == [[0, 2], [1, 2]]
    assert _gabriel_pairs(line[:2]).tolist() == [[0, 1]]


def test_gabriel_pairs_equal_the_delaunay_construction_with_sorted_keys():
    # the paper's code looked Delaunay edges up under keys in simplex order ("j_i" never
    # matched "i_j"); done right, its construction equals the direct test
    from scipy.spatial import Delaunay

    rng = np.random.default_rng(0)
    for _ in range(20):
        means = rng.uniform(size=(rng.integers(3, 18), 2))
        edges = set()
        for simplex in Delaunay(means).simplices:
            for a, b in ((0, 1), (1, 2), (2, 0)):
                edges.add(tuple(sorted((int(simplex[a]), int(simplex[b])))))
        gabriel = set()
        for i, j in edges:
            c, r = 0.5 * (means[i] + means[j]), 0.5 * np.linalg.norm(means[i] - means[j])
            others = np.delete(means, [i, j], axis=0)
            if not (np.linalg.norm(others - c, axis=1) < r).any():
                gabriel.add((i, j))
        assert set(map(tuple, _gabriel_pairs(means).tolist())) == gabriel


def test_pair_features_known_answers():
    # two axis-aligned ellipses: sd (2, 1) horizontal at the origin, sd (2, 1) vertical at
    # (4, 0); rows drawn to them span [0, 10] on x, so the unit is 10
    mix = Mixture(
        np.array([0.5, 0.5]),
        np.array([[0.0, 0.0], [4.0, 0.0]]),
        np.array([np.diag([4.0, 1.0]), np.diag([1.0, 4.0])]),
    )
    X = np.array([[0.0, 0.0], [10.0, 1.0], [5.0, 0.0], [4.0, 2.0], [1.0, 1.0]])
    labels = np.array([0, 0, 1, 1, 0])
    f = dict(zip(PAIR_FEATURES, pair_features(X, labels, mix, 0, 1), strict=True))
    assert f["mean_diff"] == pytest.approx(0.4)
    assert f["rotation_diff"] == pytest.approx(math.pi / 2)
    assert f["scaling_diff"] == pytest.approx(0.0)
    assert f["scaling_size"] == pytest.approx(2 * math.sqrt(0.05))
    assert f["mean_diff_scaling_ratio"] == pytest.approx(0.4 / (2 * math.sqrt(0.05)))
    assert f["ellipticity_average"] == pytest.approx(2.0)
    assert f["ellipticity_diff"] == pytest.approx(0.0)
    assert f["density_average"] == pytest.approx((3 / 0.02 + 2 / 0.02) / 2)
    assert f["density_diff"] == pytest.approx(1 / 0.02)
    # the line between the means lies along the first major axis, across the second
    assert f["gaussian_mean_vector_angle_diff"] == pytest.approx(math.pi / 2)
    assert f["gaussian_mean_vector_angle_average"] == pytest.approx(math.pi / 4)
    # orientation mean of 0 and pi/2 by doubled angles: pi/4 (either diagonal is the same
    # distance; atan2 gives pi/4)
    assert f["rotation_average"] == pytest.approx(math.pi / 4)


def test_default_separability_model():
    eye = np.array([np.eye(2), np.eye(2)])
    p = [
        gaussian_separability(np.array([[0.0, 0], [gap, 0]]), eye, [(0, 1)])[0]
        for gap in (0.0, 1.0, 2.0, 3.0, 4.0)
    ]
    assert p[2] == pytest.approx(0.5)  # D = 2: the unimodality boundary
    assert p[0] > p[1] > p[2] > p[3] > p[4]
    assert p[1] == pytest.approx(1 / (1 + math.exp(-2)))
    # invariant under an affine map of the plane
    rng = np.random.default_rng(0)
    means = rng.normal(size=(2, 2))
    covs = np.array([np.diag([1.0, 3.0]), [[2.0, 0.5], [0.5, 1.0]]])
    A = np.array([[2.0, 1.0], [-0.5, 3.0]])
    before = gaussian_separability(means, covs, [(0, 1)])
    after = gaussian_separability(means @ A.T + 7, A @ covs @ A.T, [(0, 1)])
    np.testing.assert_allclose(before, after)


# --------------------------------------------------------------------------------------
# the paper's behaviour
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [50, 400, 3000])
def test_one_gaussian_scores_zero(n):
    rng = np.random.default_rng(n)
    est = ClusterAmbiguity(random_state=0).fit(rng.normal(size=(n, 2)) @ [[3.0, 1.0], [0.0, 1.0]])
    assert est.n_components_ == 1
    assert est.ambiguity_ == 0.0
    assert est.pairs_.shape == (0, 2) and est.pair_probabilities_.shape == (0,)


def test_two_gaussians_pulled_apart_rise_peak_and_fall():
    gaps = [0.0, 1.0, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 8.0, 12.0]
    scores = np.array(
        [cluster_ambiguity_score(two_blobs(g, n=1000), random_state=0) for g in gaps]
    )
    peak = int(np.argmax(scores))
    assert scores[0] == 0.0  # one blob
    assert 0 < peak < len(gaps) - 1 and 2.0 <= gaps[peak] <= 3.5  # where they touch
    assert scores[peak] > 0.5
    assert np.all(np.diff(scores[peak:]) <= 1e-12)  # falls monotonically afterwards
    assert scores[-1] < 0.01


def test_an_ambiguous_pair_raises_the_score():
    clear = ClusterAmbiguity(random_state=0).fit(three_blobs(ambiguous=False))
    ambiguous = ClusterAmbiguity(random_state=0).fit(three_blobs(ambiguous=True))
    assert clear.n_components_ == 3 and ambiguous.n_components_ == 3
    assert clear.ambiguity_ < 0.01
    assert ambiguous.ambiguity_ > 0.1 > clear.ambiguity_ + 0.05
    # the far pair is not a Gabriel pair: the close blob's mean lies between theirs
    assert len(ambiguous.pairs_) == 2 and len(clear.pairs_) == 3
    assert ambiguous.pair_probabilities_.max() > 0.05


def test_score_is_in_unit_interval_and_reproducible():
    rng = np.random.default_rng(0)
    for t in range(8):
        k = rng.integers(1, 6)
        centers = rng.uniform(-4, 4, size=(k, 2))
        X = np.vstack([rng.normal(size=(200, 2)) * rng.uniform(0.3, 1.5) + c for c in centers])
        a = ClusterAmbiguity(random_state=t).fit(X)
        b = ClusterAmbiguity(random_state=t).fit(X)
        assert 0.0 <= a.ambiguity_ <= 1.0
        assert a.ambiguity_ == b.ambiguity_
        np.testing.assert_array_equal(a.labels_, b.labels_)
        assert a.pair_features_.shape == (len(a.pairs_), len(PAIR_FEATURES))


def test_invariant_to_permutation_translation_and_uniform_scaling():
    X = three_blobs(ambiguous=True, n=300)
    ref = ClusterAmbiguity(random_state=0).fit(X)
    perm = np.random.default_rng(1).permutation(len(X))
    permuted = ClusterAmbiguity(random_state=0).fit(X[perm])
    assert permuted.ambiguity_ == ref.ambiguity_
    np.testing.assert_array_equal(permuted.labels_, ref.labels_[perm])
    for Y in (X + [1e3, -250.0], X * 1e-3, X * 40 - 7, X * 1e-140, X * 1e140):
        moved = ClusterAmbiguity(random_state=0).fit(Y)
        assert moved.n_components_ == ref.n_components_
        assert moved.ambiguity_ == pytest.approx(ref.ambiguity_, abs=1e-9)
    # beyond, covariances_ (in the data's units) would be 0 or inf: refused, with the reason
    for c in (1e-170, 1e170):
        with pytest.raises(ValueError, match="not representable in float64"):
            ClusterAmbiguity(random_state=0).fit(X * c)


def test_minmax_axis_scaling():
    X = three_blobs(ambiguous=True, n=300)
    stretched = X * [1.0, 8.0]
    a = ClusterAmbiguity(random_state=0, axis_scaling="minmax").fit(X)
    b = ClusterAmbiguity(random_state=0, axis_scaling="minmax").fit(stretched)
    assert b.ambiguity_ == pytest.approx(a.ambiguity_, abs=1e-9)
    np.testing.assert_allclose(b.means_[:, 1], a.means_[:, 1] * 8.0, rtol=1e-9, atol=1e-9)
    # without it, stretching one axis changes what is seen
    assert ClusterAmbiguity(random_state=0).fit(stretched).ambiguity_ != pytest.approx(
        ClusterAmbiguity(random_state=0).fit(X).ambiguity_, abs=1e-3
    )


def test_attributes_are_in_the_data_units():
    X = two_blobs(6.0) * 10 + 100
    est = ClusterAmbiguity(random_state=0).fit(X)
    order = np.argsort(est.means_[:, 0])
    np.testing.assert_allclose(est.means_[order], [[100, 100], [160, 100]], atol=2.0)
    np.testing.assert_allclose(est.covariances_[order[0]], 100 * np.eye(2), atol=15)
    assert est.labels_.shape == (len(X),) and set(est.labels_) == {0, 1}
    assert est.n_features_in_ == 2


# --------------------------------------------------------------------------------------
# API: score, batches, scorer, separability models, plotting
# --------------------------------------------------------------------------------------


def test_default_random_state_is_none_as_in_scikit_learn():
    assert ClusterAmbiguity().random_state is None


def test_score_fits_a_copy():
    est = ClusterAmbiguity(random_state=0).fit(two_blobs(8.0))
    other = two_blobs(3.0)
    # greater is better, as every scikit-learn score: minus the ambiguity
    assert est.score(other) == -cluster_ambiguity_score(other, random_state=0) < 0
    assert est.score(two_blobs(12.0)) > est.score(other)  # the clearer plot scores higher
    assert est.ambiguity_ == cluster_ambiguity_score(two_blobs(8.0), random_state=0)  # unchanged
    with pytest.raises(ValueError, match="3 features"):
        est.score(np.zeros((10, 3)))


def test_batch_scoring_in_parallel():
    plots = [two_blobs(g, n=200, seed=g) for g in (0, 3, 3, 10)]
    plots[1] = plots[1][:350]  # scatterplots of different sizes
    one_by_one = np.array([cluster_ambiguity_score(p, random_state=0) for p in plots])
    np.testing.assert_array_equal(
        cluster_ambiguity_score(plots, n_jobs=2, random_state=0), one_by_one
    )
    same_size = np.stack([plots[0], plots[3]])
    np.testing.assert_array_equal(
        cluster_ambiguity_score(same_size, random_state=0), one_by_one[[0, 3]]
    )
    # parameters reach every plot: at most one candidate k, so no ambiguity anywhere
    assert cluster_ambiguity_score(plots, max_components=2, n_jobs=2, random_state=0).max() == 0.0


def test_scorer_selects_the_clear_embedding():
    rng = np.random.default_rng(0)
    blob = rng.normal(size=(300, 2))
    X = np.hstack([np.vstack([blob, blob + [3.5, 0]]), np.vstack([blob, blob + [12, 0]])])

    def columns(X, cols):
        return X[:, cols]

    all_rows = [(np.arange(600), np.arange(600))]
    search = GridSearchCV(
        FunctionTransformer(columns),
        {"kw_args": [{"cols": [0, 1]}, {"cols": [2, 3]}]},
        scoring=cluster_ambiguity_scorer,
        cv=all_rows,
    ).fit(X)
    assert search.best_params_ == {"kw_args": {"cols": [2, 3]}}
    scores = cross_val_score(
        FunctionTransformer(columns, kw_args={"cols": [0, 1]}),
        X,
        scoring=make_ambiguity_scorer(S=3.0, random_state=0),
        cv=all_rows,
    )
    assert scores[0] == pytest.approx(-cluster_ambiguity_score(X[:, :2], random_state=0))
    assert scores[0] < -0.2
    with pytest.raises(ValueError, match="S"):
        make_ambiguity_scorer(S=-1)


def test_custom_separability_model():
    X = three_blobs(ambiguous=False)
    half = DummyRegressor(strategy="constant", constant=0.5).fit(np.zeros((1, 13)), [0.5])
    est = ClusterAmbiguity(random_state=0, separability_model=half).fit(X)
    assert est.ambiguity_ == pytest.approx(1.0)  # every kept pair a coin toss
    never = DummyRegressor(strategy="constant", constant=-3.0).fit(np.zeros((1, 13)), [-3.0])
    assert (
        ClusterAmbiguity(random_state=0, separability_model=never).fit(X).pair_probabilities_.min()
        == 1e-5
    )

    class Wrong:
        def predict(self, F):
            return np.zeros(len(F) + 1)

    with pytest.raises(ValueError, match="one finite value per pair"):
        ClusterAmbiguity(random_state=0, separability_model=Wrong()).fit(X)


def test_fit_separability_model_learns_judgements():
    # stand-in judgements: a known function of the gap; a model fitted on the features of
    # the two-component fits must predict it on new scatterplots
    rng = np.random.default_rng(0)

    def plots(gaps):
        return [
            np.vstack([rng.normal(size=(150, 2)), rng.normal(size=(150, 2)) + [g, 0]])
            for g in gaps
        ]

    def judged(gaps):
        return 1 / (1 + np.exp(1.5 * (gaps - 3.0)))

    train, test = rng.uniform(0, 7, size=80), rng.uniform(0.5, 6.5, size=20)
    model = fit_separability_model(plots(train), judged(train), n_jobs=2)
    feats = np.array([_features_of(p) for p in plots(test)])
    pred = model.predict(feats)
    assert np.corrcoef(pred, judged(test))[0, 1] > 0.9
    assert np.abs(pred - judged(test)).mean() < 0.1
    with pytest.raises(ValueError, match="different lengths"):
        fit_separability_model(plots(train[:3]), judged(train[:2]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        fit_separability_model(plots(train[:2]), [0.5, 1.5])


def _features_of(X):
    from skcluster.metrics._ambiguity import _two_component_features

    return _two_component_features(X, 0, {})


def test_plot_ambiguity():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    est = ClusterAmbiguity(random_state=0).fit(three_blobs(ambiguous=True, n=200))
    fig, ax = plt.subplots()
    assert plot_ambiguity(est, ax=ax) is ax
    assert len(ax.patches) == est.n_components_
    assert len(ax.lines) == len(est.pairs_)
    assert "ambiguity" in ax.get_title()
    assert ax.get_xlabel() == ""  # an array has no column names
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["component (2 sd)", "pair: p(seen as one cluster)"]
    plt.close(fig)
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(three_blobs(ambiguous=True, n=200), columns=["height", "weight"])
    fig, ax = plt.subplots()
    plot_ambiguity(ClusterAmbiguity(random_state=0).fit(frame), ax=ax)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("height", "weight")
    plt.close(fig)
    with pytest.raises(Exception, match="not fitted"):
        plot_ambiguity(ClusterAmbiguity(random_state=0))


# --------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros((20, 3)), "exactly 2 columns"),
        (np.zeros((20, 1)), "exactly 2 columns"),
        (np.zeros((3, 2)), "minimum of 4"),
        (np.array([[0.0, 1.0], [np.nan, 2.0], [1, 1], [2, 2], [3, 3]]), "NaN"),
        (np.array([[0.0, 1.0], [np.inf, 2.0], [1, 1], [2, 2], [3, 3]]), "infinity"),
    ],
)
def test_bad_input_is_rejected(X, match):
    with pytest.raises(ValueError, match=match):
        ClusterAmbiguity(random_state=0).fit(X)
    with pytest.raises(ValueError, match=match):
        cluster_ambiguity_score(X, random_state=0)


def test_degenerate_scatterplots():
    same = np.ones((30, 2))
    est = ClusterAmbiguity(random_state=0).fit(same)
    assert est.ambiguity_ == 0.0 and est.n_components_ == 1
    # points on a line (singular covariances) and heavy duplicates still give a score
    t = np.linspace(0, 1, 400)
    line = np.c_[t, 2 * t]
    assert 0.0 <= cluster_ambiguity_score(line, random_state=0) <= 1.0
    dup = np.repeat(two_blobs(3.0, n=50), 6, axis=0)
    assert 0.0 <= cluster_ambiguity_score(dup, random_state=0) <= 1.0
    # the smallest scatterplots: one candidate (n < 9) and two candidates (n < 16)
    assert cluster_ambiguity_score(np.arange(8.0).reshape(4, 2), random_state=0) == 0.0
    assert 0.0 <= cluster_ambiguity_score(two_blobs(20.0, n=6), random_state=0) <= 1.0


def test_input_is_not_modified():
    X = three_blobs(ambiguous=True, n=100)
    X.flags.writeable = False
    ClusterAmbiguity(random_state=0, axis_scaling="minmax").fit(X)
    cluster_ambiguity_score([X, X], random_state=0)


def test_empty_batch():
    assert cluster_ambiguity_score([], random_state=0).shape == (0,)


def test_cupy_arrays_are_scored_on_the_host():
    class FakeCupyArray:  # the backend recognises CuPy arrays by their module
        __module__ = "cupy._core.core"

        def __init__(self, a):
            self.a = a

        def get(self):
            return self.a

    X = two_blobs(3.5, n=200)
    assert ClusterAmbiguity(random_state=0).fit(
        FakeCupyArray(X)
    ).ambiguity_ == cluster_ambiguity_score(X, random_state=0)
