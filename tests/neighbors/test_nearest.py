"""skcluster.neighbors.NearestNeighbors against scikit-learn's, and inside imbalanced-learn."""

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE
from sklearn.datasets import make_classification
from sklearn.neighbors import NearestNeighbors as SkNN

from skcluster.neighbors import NearestNeighbors


@pytest.mark.parametrize("metric", ["euclidean", "sqeuclidean"])
def test_same_neighbours_as_sklearn(backend, rng, metric):
    X = rng.standard_normal((400, 10))
    Q = rng.standard_normal((50, 10))
    nn = NearestNeighbors(n_neighbors=4, metric=metric).fit(X)
    ref = SkNN(n_neighbors=4).fit(X)
    d, i = nn.kneighbors(Q)
    rd, ri = ref.kneighbors(Q)
    np.testing.assert_array_equal(i, ri)
    np.testing.assert_allclose(d, rd if metric == "euclidean" else rd**2, rtol=1e-7)
    # X=None: the fitted set without each point itself; n_neighbors overrides
    np.testing.assert_array_equal(
        nn.kneighbors(n_neighbors=2, return_distance=False), ref.kneighbors(n_neighbors=2)[1]
    )


@pytest.mark.parametrize("mode", ["connectivity", "distance"])
def test_kneighbors_graph_matches_sklearn(rng, mode):
    X = rng.standard_normal((120, 3))
    G = NearestNeighbors(n_neighbors=3).fit(X).kneighbors_graph(mode=mode)
    R = SkNN(n_neighbors=3).fit(X).kneighbors_graph(mode=mode)
    assert G.shape == R.shape == (120, 120)
    np.testing.assert_allclose(G.toarray(), R.toarray(), rtol=1e-7)
    with pytest.raises(ValueError, match="mode must be"):
        NearestNeighbors().fit(X).kneighbors_graph(mode="weights")


def test_float32_is_kept_and_input_untouched(rng):
    X = np.asfortranarray(rng.standard_normal((60, 4)).astype(np.float32))
    X.setflags(write=False)
    before = X.copy()
    d, i = NearestNeighbors(n_neighbors=2).fit(X).kneighbors(X[:5])
    assert d.dtype == np.float32
    np.testing.assert_array_equal(i[:, 0], np.arange(5))
    np.testing.assert_array_equal(X, before)


def test_plugs_into_imblearn_smote():
    X, y = make_classification(n_samples=300, weights=[0.9], random_state=0)
    ours = SMOTE(k_neighbors=NearestNeighbors(n_neighbors=6), random_state=0).fit_resample(X, y)
    theirs = SMOTE(k_neighbors=SkNN(n_neighbors=6), random_state=0).fit_resample(X, y)
    np.testing.assert_allclose(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], theirs[1])


@pytest.mark.parametrize(
    "X, match",
    [
        ([[np.nan, 1.0], [1.0, 2.0]], "NaN"),
        ([[np.inf, 1.0], [1.0, 2.0]], "infinity"),
        (np.zeros((2, 2, 2)), "dim"),
        (np.zeros((0, 3)), "0 sample"),
    ],
)
def test_bad_fit_input(X, match):
    with pytest.raises(ValueError, match=match):
        NearestNeighbors().fit(X)


def test_bad_query_input(rng):
    nn = NearestNeighbors(n_neighbors=3).fit(rng.standard_normal((5, 2)))
    with pytest.raises(ValueError, match="n_neighbors <= n_samples_fit, but n_neighbors = 6"):
        nn.kneighbors(rng.standard_normal((2, 2)), n_neighbors=6)
    with pytest.raises(ValueError, match="n_samples_fit - 1"):
        nn.kneighbors(n_neighbors=5)
    with pytest.raises(ValueError, match="expecting 2 features"):
        nn.kneighbors(rng.standard_normal((2, 3)))
    with pytest.raises(ValueError, match="n_neighbors must be a positive integer"):
        nn.kneighbors(n_neighbors=0)
    with pytest.raises(ValueError, match="n_neighbors"):
        NearestNeighbors(n_neighbors=0).fit(rng.standard_normal((5, 2)))


def test_bad_parameters_are_caught_inside_a_sampler():
    # imbalanced-learn's fit_resample skips the validation of nested estimators
    from sklearn.utils._param_validation import InvalidParameterError

    X, y = make_classification(200, weights=[0.8], random_state=0)
    with pytest.raises(InvalidParameterError, match="metric"):
        SMOTE(k_neighbors=NearestNeighbors(n_neighbors=6, metric="bogus")).fit_resample(X, y)
