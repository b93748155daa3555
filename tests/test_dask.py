"""Dask arrays in, the same answers out: every dask path against the in-memory one, on a
LocalCluster of two worker processes (skipped without the ``dask`` extra)."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_classification
from sklearn.metrics import adjusted_rand_score

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")

from skcluster import _backend  # noqa: E402
from skcluster.cluster import (  # noqa: E402
    ILASDP,
    PPP,
    NCDKMeans,
    ProjectionNCD,
    SDPKMeans,
)
from skcluster.neighbors import NearestNeighbors  # noqa: E402
from skcluster.over_sampling import (  # noqa: E402
    ADASYN,
    SMOBD,
    SMOTE,
    PolynomFitSMOTE,
)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def _chunked(X, rows=700):
    return da.from_array(X, chunks=(rows, -1))


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(
        6000, n_features=4, centers=5, cluster_std=[1.0, 1.5, 0.5, 1.0, 2.0], random_state=0
    )
    return X, y


# -- neighbours and predictions ----------------------------------------------------------


def test_kneighbors_dask_queries(client, rng):
    X, Q = rng.normal(size=(2000, 5)), rng.normal(size=(900, 5))
    nn = NearestNeighbors(n_neighbors=4).fit(X)
    dist, ind = nn.kneighbors(_chunked(Q, 250))
    assert isinstance(ind, da.Array) and ind.chunks[0] == (250, 250, 250, 150)
    ref_dist, ref_ind = nn.kneighbors(Q)
    np.testing.assert_array_equal(ind.compute(), ref_ind)
    np.testing.assert_allclose(dist.compute(), ref_dist)
    np.testing.assert_array_equal(
        nn.kneighbors(_chunked(Q), 2, return_distance=False), ref_ind[:, :2]
    )
    graph = nn.kneighbors_graph(_chunked(Q), mode="distance")
    assert (graph != nn.kneighbors_graph(Q, mode="distance")).nnz == 0
    with pytest.raises(ValueError, match="n_neighbors"):
        nn.kneighbors(_chunked(Q), 5000)


def _fitted_models(X, y):
    y_semi = np.where(y < 2, y, -1)
    return [
        (PPP().fit(X), ["predict", "predict_proba", "score_samples"]),
        (SDPKMeans(3, random_state=0).fit(X[:300]), ["predict"]),
        (ILASDP(3, random_state=0).fit(X[:300]), ["predict", "predict_proba", "score_samples"]),
        (NCDKMeans(3, random_state=0).fit(X, y_semi), ["predict"]),
        (ProjectionNCD(3, max_epochs=3, random_state=0).fit(X, y_semi), ["predict", "transform"]),
    ]


def test_every_prediction_blockwise(client, blobs):
    X, y = blobs
    for model, methods in _fitted_models(X, y):
        for method in methods:
            out = getattr(model, method)(_chunked(X))
            assert isinstance(out, da.Array), (model, method)
            assert out.chunks[0] == _chunked(X).chunks[0]
            np.testing.assert_allclose(out.compute(), getattr(model, method)(X), rtol=1e-12)
    ppp = _fitted_models(X, y)[0][0]
    assert ppp.score(_chunked(X)) == pytest.approx(ppp.score(X))


def test_every_estimator_with_a_prediction_is_covered(blobs):
    from skcluster.utils import all_estimators

    names = ("predict", "predict_proba", "transform", "score_samples", "decision_function")
    expected = {
        (name, method)
        for name, cls in all_estimators()
        for method in names
        if hasattr(cls, method)
    }
    covered = {
        (type(model).__name__, method)
        for model, methods in _fitted_models(blobs[0][:400], blobs[1][:400])
        for method in methods
    }
    assert expected == covered


# -- fits on row blocks -------------------------------------------------------------------


@pytest.mark.parametrize("rows_per_block", [700, 6000])
def test_ppp_dask_fit_matches_memory(client, blobs, rows_per_block):
    X, _ = blobs
    ref = PPP().fit(X)
    got = PPP().fit(_chunked(X, rows_per_block))
    assert got.n_clusters_ == ref.n_clusters_ == 5
    assert isinstance(got.labels_, da.Array)
    assert adjusted_rand_score(ref.labels_, got.labels_.compute()) == 1.0
    order = [np.argsort(m[:, 0]) for m in (ref.means_, got.means_)]
    np.testing.assert_allclose(got.means_[order[1]], ref.means_[order[0]], atol=1e-3)
    assert got.lower_bound_ == pytest.approx(ref.lower_bound_, abs=1e-6)
    assert got.clusterability_ == pytest.approx(ref.clusterability_, abs=1e-6)
    assert got.n_cells_ <= ref.n_cells_ + X.shape[0] // rows_per_block
    np.testing.assert_array_equal(got.most_separable_.compute(), ref.most_separable_)


def test_ppp_dask_fit_of_rounded_data_adds_the_rounding_variance(client):
    """Rows rounded to integers (many tied values): the dask fit adds each feature's
    rounding variance, as the in-memory fit, from the smallest gap within a block
    (without it, 17 clusters for these 2 groups)."""
    X, _ = make_blobs(3000, centers=[[0, 0], [12, 0]], cluster_std=2.0, random_state=0)
    X = np.round(X)
    ref = PPP().fit(X)
    got = PPP().fit(_chunked(X, 700))
    assert got.n_clusters_ == ref.n_clusters_ == 2
    assert adjusted_rand_score(ref.labels_, got.labels_.compute()) == 1.0


def test_ppp_dask_fit_on_overlapping_groups_and_dataframes(client):
    rng = np.random.default_rng(3)
    X = np.vstack(
        [
            rng.multivariate_normal([0, 0, 0], [[4, 1.5, 0], [1.5, 1, 0], [0, 0, 1]], 4000),
            rng.normal([5, 3, 0], 0.7, (2500, 3)),
            rng.normal([0, 6, 2], 1.2, (1500, 3)),
        ]
    )
    ref = PPP().fit(X)
    frame = dd.from_pandas(pd.DataFrame(X, columns=["a", "b", "c"]), npartitions=5)
    got = PPP().fit(frame)
    assert got.n_clusters_ == ref.n_clusters_
    assert adjusted_rand_score(ref.labels_, got.labels_.compute()) > 0.99


def test_kmeans_plusplus_same_draws_as_the_backend(client, rng):
    X = rng.normal(size=(3000, 3))
    for kwargs in [{}, {"n_local_trials": 1, "power": 1, "init_centers": X[:2] + 5}]:
        ref_c, ref_i = _backend.kmeans_plusplus(X, 4, random_state=7, **kwargs)
        got_c, got_i = _backend.kmeans_plusplus(_chunked(X, 400), 4, random_state=7, **kwargs)
        np.testing.assert_array_equal(got_i, ref_i)
        np.testing.assert_array_equal(got_c, ref_c)


@pytest.mark.parametrize("update, dtype", [("novel", np.float32), ("both", np.float64)])
def test_ncd_kmeans_dask_fit_matches_memory(client, update, dtype):
    X, y = make_blobs(4000, n_features=5, centers=8, random_state=1)
    X = X.astype(dtype)
    y = np.where(y < 3, y, -1)
    params = dict(n_clusters=5, n_init=3, update=update, random_state=0)
    ref = NCDKMeans(**params).fit(X, y)
    got = NCDKMeans(**params).fit(_chunked(X, 500), da.from_array(y, chunks=500))
    tol = 1e-10 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(got.cluster_centers_, ref.cluster_centers_, rtol=tol, atol=tol)
    np.testing.assert_allclose(got.known_centroids_, ref.known_centroids_, rtol=tol, atol=tol)
    np.testing.assert_array_equal(got.labels_.compute(), ref.labels_)
    assert got.n_iter_ == ref.n_iter_
    assert got.inertia_ == pytest.approx(ref.inertia_, rel=1e-6)


# -- over-sampling ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def imbalanced():
    return make_classification(
        4000,
        n_features=6,
        n_informative=4,
        n_classes=3,
        weights=[0.8, 0.15, 0.05],
        random_state=0,
    )


@pytest.mark.parametrize(
    "sampler",
    [
        SMOTE(random_state=0),
        SMOTE(sampling_strategy={1: 900, 2: 400}, k_neighbors=3, random_state=1),
        SMOBD(random_state=0),
        PolynomFitSMOTE(topology="bus", random_state=0),
        PolynomFitSMOTE(topology="mesh", random_state=0),
    ],
    ids=lambda s: f"{type(s).__name__}-{s.get_params().get('topology', '')}",
)
def test_smote_family_dask_output_equals_memory(client, imbalanced, sampler):
    X, y = imbalanced
    X_ref, y_ref = sampler.fit_resample(X, y)
    parents, steps = sampler.synthetic_parents_, sampler.synthetic_steps_
    X_got, y_got = sampler.fit_resample(_chunked(X, 600), da.from_array(y, chunks=600))
    assert isinstance(X_got, da.Array) and isinstance(y_got, da.Array)
    np.testing.assert_array_equal(X_got.compute(), X_ref)
    np.testing.assert_array_equal(y_got.compute(), y_ref)
    np.testing.assert_array_equal(sampler.synthetic_parents_, parents)
    np.testing.assert_array_equal(sampler.synthetic_steps_, steps)
    np.testing.assert_array_equal(sampler.sample_indices_, np.arange(len(X)))


def test_smote_dask_dataframe_and_float32(client, imbalanced):
    X, y = imbalanced
    X = X.astype(np.float32)
    frame = dd.from_pandas(pd.DataFrame(X, columns=list("abcdef")), npartitions=4)
    X_res, y_res = SMOTE(random_state=0).fit_resample(frame, y)
    assert isinstance(X_res, dd.DataFrame) and list(X_res.columns) == list("abcdef")
    assert isinstance(y_res, np.ndarray)
    np.testing.assert_array_equal(np.bincount(y_res), [np.bincount(y).max()] * 3)
    X_ref, _ = SMOTE(random_state=0).fit_resample(X, y)
    got = X_res.compute().to_numpy()
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, X_ref)


def test_smote_says_when_the_classes_to_over_sample_do_not_fit(imbalanced, monkeypatch):
    from skcluster.over_sampling import _base

    monkeypatch.setattr(_base, "available_memory", lambda: 2**10)
    with pytest.raises(ValueError, match=r"hold 820 rows, which need about .* GiB"):
        SMOTE().fit_resample(_chunked(imbalanced[0]), imbalanced[1])


def test_samplers_without_a_dask_path_say_so(imbalanced):
    X, y = imbalanced
    with pytest.raises(ValueError, match="no dask path; use SMOTE"):
        ADASYN().fit_resample(_chunked(X), y)
    with pytest.raises(ValueError, match="no dask path"):
        PolynomFitSMOTE(topology="star").fit_resample(_chunked(X), y)


# -- tuning on a cluster ------------------------------------------------------------------


def test_grid_search_on_the_dask_joblib_backend(client, imbalanced):
    import joblib
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV

    X, y = imbalanced
    pipe = make_pipeline(SMOTE(random_state=0), LogisticRegression(max_iter=500))
    grid = {"smote__k_neighbors": [2, 5, 9]}
    search = GridSearchCV(pipe, grid, cv=3, scoring="balanced_accuracy", n_jobs=-1)
    with joblib.parallel_config(backend="dask"):
        search.fit(X, y)
    ref = GridSearchCV(pipe, grid, cv=3, scoring="balanced_accuracy").fit(X, y)
    assert search.best_params_ == ref.best_params_
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"]
    )


# -- bad input ----------------------------------------------------------------------------


def test_bad_dask_input(blobs, imbalanced):
    X, y = blobs
    masked = _chunked(X)[_chunked(X)[:, 0] > 0]
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        PPP().fit(masked)
    with pytest.raises(ValueError, match="chunked across columns"):
        PPP().fit(da.from_array(X, chunks=(1000, 2)))
    with pytest.raises(ValueError, match="numbers of one type"):
        PPP().fit(da.from_array(X.astype(object), chunks=(1000, -1)))
    frame = pd.DataFrame(X, columns=list("abcd")).assign(e="text")
    with pytest.raises(ValueError, match=r"non-numeric columns \['e'\]"):
        PPP().fit(dd.from_pandas(frame, npartitions=2))
    ppp = PPP().fit(X[:500])
    with pytest.raises(ValueError, match="3 features, but ProbabilisticPartitivePartitioning"):
        ppp.predict(_chunked(X[:, :3]))
    with pytest.raises(ValueError, match="one label per row"):
        SMOTE().fit_resample(_chunked(imbalanced[0]), imbalanced[1][:-1])
    bad = X.copy()
    bad[4321, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        PPP().fit(_chunked(bad))
    with pytest.raises(ValueError, match="larger than the"):
        NCDKMeans(50).fit(_chunked(X[:60]), np.r_[np.zeros(30, int), -np.ones(30, int)])


def test_dask_inputs_are_not_modified(blobs):
    X, y = blobs
    before = X.copy()
    PPP().fit(_chunked(X))
    SMOTE(random_state=0).fit_resample(_chunked(X), (y == 0).astype(int))[0].compute()
    np.testing.assert_array_equal(X, before)


def test_out_of_core_example_runs_small(tmp_path):
    """examples/dask_out_of_core.py end to end on 300,000 rows: Parquet in and out."""
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("pyarrow")
    script = Path(__file__).resolve().parents[1] / "examples" / "dask_out_of_core.py"
    args = ["--rows", "300000", "--memory-limit", "1GiB", "--workdir", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "PPP: 6 clusters (true 6)" in done.stdout
    labels = pd.read_parquet(tmp_path / "out" / "labels.parquet")
    assert len(labels) == 300_000 and labels["cluster"].nunique() == 6
    resampled = pd.read_parquet(tmp_path / "out" / "resampled.parquet")
    assert len(resampled) > 300_000
