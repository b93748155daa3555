"""scikit-learn conventions a user relies on (issue 29): float32 kept, inertia_ and the
information criteria, n_iter_ and ConvergenceWarning, verbose, Generator seeds, the
neighbours' minkowski metric and radius queries."""

import io
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import NearestNeighbors as SkNearestNeighbors

from skcluster.cluster import (
    PPP,
    DeepSubspaceClustering,
    LikelihoodAdjustedSDP,
    NCDKMeans,
    NCDSpectralClustering,
    SDPKMeans,
)
from skcluster.neighbors import NearestNeighbors
from skcluster.utils import all_estimators
from skcluster.utils._progress import EpochProgress

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_matrix import _fit_any, base_data, kind_of, make  # noqa: E402


@pytest.fixture(scope="module")
def blobs():
    X, _ = make_blobs(240, centers=[[0, 0, 0], [6, 0, 0], [0, 6, 1]], random_state=0)
    return X


GAUSSIAN_MODELS = [
    (PPP(random_state=0), ("weights_", "means_", "covariances_", "modes_")),
    (SDPKMeans(3, random_state=0), ("cluster_centers_", "membership_")),
    (LikelihoodAdjustedSDP(3, random_state=0), ("weights_", "means_", "covariances_")),
]


@pytest.mark.parametrize(("est", "names"), GAUSSIAN_MODELS, ids=lambda v: type(v).__name__)
def test_float32_data_gets_float32_attributes_and_outputs(blobs, est, names):
    X32 = blobs.astype(np.float32)
    a = est.fit(X32)
    for name in names:
        assert getattr(a, name).dtype == np.float32, name
    labels32 = a.labels_.copy()
    if hasattr(a, "predict_proba"):
        assert a.predict_proba(X32).dtype == np.float32
        assert a.predict_proba(blobs).dtype == np.float64
        assert a.score_samples(X32).dtype == np.float32
        np.testing.assert_allclose(a.predict_proba(X32).sum(axis=1), 1.0, rtol=1e-5)
    # computed in float64 either way: the same partition as the float64 fit
    b = est.fit(blobs)
    for name in names:
        assert getattr(b, name).dtype == np.float64, name
    np.testing.assert_array_equal(labels32, b.labels_)


def test_sdp_kmeans_inertia_is_the_kmeans_objective(blobs):
    model = SDPKMeans(3, random_state=0).fit(blobs)
    centres = model.cluster_centers_[model.labels_]
    assert model.inertia_ == pytest.approx(((blobs - centres) ** 2).sum(), rel=1e-10)
    assert model.inertia_ >= model.objective_ * (1 - 1e-3)  # the relaxation bounds it
    from sklearn.cluster import KMeans

    best = KMeans(3, n_init=10, random_state=0).fit(blobs).inertia_
    assert model.inertia_ == pytest.approx(best, rel=1e-6)  # well-separated: the optimum


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical"])
def test_ilasdp_criteria_are_those_of_its_gaussian_mixture(blobs, covariance_type):
    """score_samples / score / bic / aic against scikit-learn's GaussianMixture holding the
    same parameters (a known answer: the mixture's likelihood and parameter count)."""
    model = LikelihoodAdjustedSDP(3, covariance_type=covariance_type, random_state=0).fit(blobs)
    gm = GaussianMixture(3, covariance_type=covariance_type)
    gm.weights_, gm.means_ = model.weights_, model.means_
    covs = model.covariances_
    gm.covariances_ = {
        "full": covs,
        "diag": np.einsum("kii->ki", covs),
        "spherical": np.einsum("kii->k", covs) / covs.shape[1],
    }[covariance_type]
    from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky

    gm.precisions_cholesky_ = _compute_precision_cholesky(gm.covariances_, covariance_type)
    np.testing.assert_allclose(model.score_samples(blobs), gm.score_samples(blobs), rtol=1e-10)
    assert model.score(blobs) == pytest.approx(gm.score(blobs), rel=1e-12)
    assert model.bic(blobs) == pytest.approx(gm.bic(blobs), rel=1e-12)
    assert model.aic(blobs) == pytest.approx(gm.aic(blobs), rel=1e-12)
    # equal proportions: two fewer free parameters
    equal = LikelihoodAdjustedSDP(
        3, covariance_type="full", proportions="equal", random_state=0
    ).fit(blobs)
    penalty = equal.aic(blobs) + 2 * len(blobs) * equal.score(blobs)
    assert penalty == pytest.approx(2 * (3 * (3 + 6)), rel=1e-12)


def test_deep_model_counts_epochs_and_warns_at_the_cap():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 6))
    with pytest.warns(
        ConvergenceWarning, match="self_expression and structured stage ended at max_epochs=3"
    ) as record:
        model = DeepSubspaceClustering(3, subspace_dim=2, max_epochs=3, random_state=0).fit(X)
    assert model.n_iter_ == sum(model.n_epochs_.values()) == 9
    assert not any(model.stopped_early_.values())
    assert record[0].filename == __file__  # points at the caller's line


def test_deep_model_live_progress_goes_to_stderr(capsys):
    X = np.random.default_rng(0).standard_normal((40, 6))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        DeepSubspaceClustering(3, subspace_dim=2, max_epochs=3, verbose=1, random_state=0).fit(X)
    out = capsys.readouterr().out
    assert "pretrain: 3 epochs (reached max_epochs)" in out
    assert " s in all)" in out  # per-stage seconds, then the running total


def test_epoch_progress_in_a_log_and_on_a_terminal():
    log = io.StringIO()
    progress = EpochProgress("Model", "stage", 10, every=0.0, stream=log)
    for epoch in range(1, 4):
        progress.update(epoch, 1.0 / epoch)
    progress.close()
    lines = log.getvalue().splitlines()
    assert len(lines) == 3 and lines[-1].startswith("[Model] stage: epoch 3/10, loss 0.333333")
    assert "at most" in lines[-1] and lines[-1].endswith("left")

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    tty = Terminal()
    progress = EpochProgress("Model", "stage", 10, stream=tty)
    progress.shown -= 1.0  # as if the last redraw were a second ago
    progress.update(1, 0.5)
    progress.close()
    text = tty.getvalue()
    assert text.startswith("\r[Model] stage: epoch 1/10") and "\n" not in text
    assert text.endswith("\r")  # the live line is erased
    silent = io.StringIO()
    quiet = EpochProgress("Model", "stage", 10, enabled=False, every=0.0, stream=silent)
    quiet.update(1, 0.5)
    assert silent.getvalue() == ""


@pytest.mark.parametrize("Est", [NCDKMeans, NCDSpectralClustering])
def test_ncd_estimators_report_progress(Est, capsys):
    centers = [[i % 3 * 10, i // 3 * 10] for i in range(6)]
    X, y = make_blobs(300, centers=centers, random_state=0)
    y_semi = np.where(y < 3, y, -1)
    Est(3, n_init=2, verbose=1, random_state=0).fit(X, y_semi)
    out = capsys.readouterr().out
    expected = "init 2/2" if Est is NCDKMeans else "hidden-class accuracy"
    assert f"[{Est.__name__}]" in out and expected in out
    Est(3, n_init=2, random_state=0).fit(X, y_semi)
    assert capsys.readouterr().out == ""


def test_ppp_ends_with_a_summary_line(blobs, capsys):
    model = PPP(verbose=1, random_state=0).fit(blobs)
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith(f"[PPP] {model.n_components_} component(s) in ")
    assert "clusterability" in last


SEEDED = [
    (name, cls)
    for name, cls in all_estimators()
    if "random_state" in cls._get_param_names() and name != "ClusterAmbiguity"
]


@pytest.mark.parametrize(("name", "cls"), SEEDED, ids=[n for n, _ in SEEDED])
def test_a_numpy_generator_is_a_seed(name, cls):
    """SPEC 7: ``random_state=np.random.default_rng(0)`` works, and the same generator
    state gives the same result."""
    kind = kind_of(name, cls)
    X, y = base_data(kind)
    results = []
    for _ in range(2):
        est = make(name, cls)
        est.set_params(random_state=np.random.default_rng(0))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = _fit_any(est, kind, X, y)
        results.append(out[0] if kind == "sampler" else np.asarray(est.labels_))
    np.testing.assert_array_equal(results[0], results[1])


def test_cluster_ambiguity_takes_a_generator():
    from skcluster.metrics import ClusterAmbiguity

    X, _ = make_blobs(150, centers=3, n_features=2, random_state=0)
    scores = [
        ClusterAmbiguity(random_state=np.random.default_rng(1)).fit(X).ambiguity_ for _ in range(2)
    ]
    assert scores[0] == scores[1]


def test_minkowski_with_p_2_is_euclidean():
    X = np.random.default_rng(0).standard_normal((100, 4))
    ours = NearestNeighbors(n_neighbors=4, metric="minkowski", p=2).fit(X)
    theirs = SkNearestNeighbors(n_neighbors=4).fit(X)  # scikit-learn's default metric
    assert ours.effective_metric_ == theirs.effective_metric_ == "euclidean"
    for a, b in zip(ours.kneighbors(X[:10]), theirs.kneighbors(X[:10]), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    with pytest.raises(ValueError, match="p=2"):
        NearestNeighbors(metric="minkowski", p=1).fit(X)


def _brute_within(Q, F, r2, exclude_self=False):
    D = ((Q[:, None, :] - F[None, :, :]) ** 2).sum(axis=-1)
    if exclude_self:
        np.fill_diagonal(D, np.inf)
    return [np.flatnonzero(row <= r2) for row in D], D


@pytest.mark.parametrize("offset", [0.0, 1e4])
@pytest.mark.parametrize("metric", ["euclidean", "sqeuclidean"])
def test_radius_neighbors_are_exact(offset, metric):
    rng = np.random.default_rng(1)
    F = rng.standard_normal((300, 3)) + offset
    Q = F[:40] + 0.05
    radius = 0.9
    r2 = radius if metric == "sqeuclidean" else radius**2
    nn = NearestNeighbors(radius=radius, metric=metric).fit(F)
    for query, exclude in ((Q, False), (None, True)):
        dist, ind = nn.radius_neighbors(query, sort_results=True)
        expected, D = _brute_within(F if query is None else Q, F, r2, exclude)
        for i, (d_row, i_row) in enumerate(zip(dist, ind, strict=True)):
            np.testing.assert_array_equal(np.sort(i_row), expected[i])
            assert np.all(np.diff(d_row) >= 0)
            want = D[i, i_row] if metric == "sqeuclidean" else np.sqrt(D[i, i_row])
            np.testing.assert_allclose(d_row, want, rtol=1e-12, atol=1e-12)
    theirs = SkNearestNeighbors(radius=radius, metric=metric).fit(F)
    G = nn.radius_neighbors_graph(Q, mode="connectivity")
    H = theirs.radius_neighbors_graph(Q, mode="connectivity")
    if offset == 0:  # far from the origin scikit-learn's products round at the boundary
        assert (G != H).nnz == 0


def test_radius_neighbors_on_sparse_rows_and_bad_input():
    X = sp.random(150, 20, density=0.2, format="csr", random_state=0)
    ours = NearestNeighbors(radius=0.7).fit(X).radius_neighbors(return_distance=False)
    theirs = SkNearestNeighbors(radius=0.7).fit(X).radius_neighbors(return_distance=False)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(np.sort(a), np.sort(b))
    nn = NearestNeighbors().fit(X.toarray())
    for bad in (-1.0, np.inf, "1"):
        with pytest.raises(ValueError, match="radius"):
            nn.radius_neighbors(radius=bad)
    with pytest.raises(ValueError, match="sort_results"):
        nn.radius_neighbors(return_distance=False, sort_results=True)
    with pytest.raises(ValueError, match="mode"):
        nn.radius_neighbors_graph(mode="weights")
    empty = nn.radius_neighbors(X.toarray()[:3] + 100.0, radius=0.1, return_distance=False)
    assert [len(row) for row in empty] == [0, 0, 0]
    graph = nn.radius_neighbors_graph(X.toarray()[:3] + 100.0, radius=0.1)
    assert graph.shape == (3, 150) and graph.nnz == 0
