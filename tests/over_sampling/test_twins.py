"""imbalanced-learn's twins, row for row: a sweep of configurations against imbalanced-learn
(dense and sparse input, strategies, neighbour objects, SMOTE-NC's tie-breaks, the combined
samplers) and the fitted attributes its users read."""

import imblearn.combine as imbc
import imblearn.over_sampling as imb
import numpy as np
import pytest
from imblearn.under_sampling import EditedNearestNeighbours, TomekLinks
from scipy import sparse
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.datasets import make_classification
from sklearn.exceptions import DataConversionWarning
from sklearn.neighbors import NearestNeighbors as SkNN
from sklearn.svm import SVC

import skcluster.over_sampling as sko
from skcluster import _backend
from skcluster.neighbors import NearestNeighbors


def _data(n_classes=2, seed=0, n=300, dtype=np.float64):
    weights = {2: [0.8, 0.2], 3: [0.6, 0.25, 0.15]}[n_classes]
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=4, n_classes=n_classes, weights=weights,
        random_state=seed,
    )  # fmt: skip
    return X.astype(dtype), y


def _sparse_data(fmt, n_classes=2, seed=0):
    X, y = _data(n_classes, seed)
    X[np.abs(X) < 0.8] = 0  # about half the entries
    return sparse.csr_matrix(X).asformat(fmt), y


def _same(a, b, atol=1e-12):
    (Xa, ya), (Xb, yb) = a, b
    np.testing.assert_array_equal(ya, yb)
    assert sparse.issparse(Xa) == sparse.issparse(Xb)
    if sparse.issparse(Xa):
        assert Xa.format == Xb.format and Xa.dtype == Xb.dtype
        Xa, Xb = Xa.toarray(), Xb.toarray()
    assert Xa.dtype == Xb.dtype
    if Xa.dtype == object:
        np.testing.assert_array_equal(Xa, Xb)
    else:
        np.testing.assert_allclose(Xa, Xb, rtol=0, atol=atol)


def _both(name, X, y, **params):
    ours = getattr(sko, name)(**params).fit_resample(X, y)
    theirs = getattr(imbc if name in ("SMOTEENN", "SMOTETomek") else imb, name)(**params)
    return ours, theirs.fit_resample(X, y)


STRATEGIES = {2: ["auto", 0.6, "minority", {1: 150}], 3: ["auto", "not majority", {1: 120}]}
SWEEP = [
    ("SMOTE", {}),
    ("SMOTE", {"k_neighbors": 3}),
    ("BorderlineSMOTE", {"kind": "borderline-1"}),
    ("BorderlineSMOTE", {"kind": "borderline-2", "m_neighbors": 8}),
    ("SVMSMOTE", {}),
    ("SVMSMOTE", {"out_step": 0.3, "svm_estimator": SVC(kernel="linear", random_state=0)}),
    ("ADASYN", {"n_neighbors": 4}),
    ("SMOTEENN", {}),
    ("SMOTETomek", {}),
]


@pytest.mark.parametrize("name, params", SWEEP)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("seed", [0, 3])
def test_same_rows_for_every_strategy(name, params, n_classes, seed):
    X, y = _data(n_classes, seed)
    for strategy in STRATEGIES[n_classes]:
        kw = dict(params, sampling_strategy=strategy, random_state=seed)
        _same(*_both(name, X, y, **kw))


@pytest.mark.parametrize("name", ["SMOTE", "BorderlineSMOTE", "SVMSMOTE", "ADASYN"])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_in_sparse_out_with_the_same_rows(name, fmt):
    X, y = _sparse_data(fmt, n_classes=3)
    ours, theirs = _both(name, X, y, random_state=0)
    _same(ours, theirs)
    # and the same rows as dense input gives
    dense = getattr(sko, name)(random_state=0).fit_resample(X.toarray(), y)
    np.testing.assert_allclose(ours[0].toarray(), dense[0], atol=1e-12)


@pytest.mark.parametrize("name", ["SMOTEENN", "SMOTETomek"])
def test_combined_samplers_take_sparse_input(name):
    X, y = _sparse_data("csr")
    _same(*_both(name, X, y, random_state=0))


@pytest.mark.parametrize(
    "kmeans", [3, KMeans(3, n_init=1, random_state=0), MiniBatchKMeans(4, random_state=0)]
)
@pytest.mark.parametrize("sparse_input", [False, True])
def test_kmeans_smote_same_rows(kmeans, sparse_input):
    X, y = _sparse_data("csr") if sparse_input else _data()
    _same(
        *_both(
            "KMeansSMOTE", X, y, kmeans_estimator=kmeans, cluster_balance_threshold=0.05,
            random_state=0,
        ),
        atol=1e-10,
    )  # fmt: skip


@pytest.mark.parametrize("k", [4, SkNN(n_neighbors=5), NearestNeighbors(n_neighbors=5)])
def test_neighbours_int_or_object(k):
    X, y = _data(3)
    ours = sko.BorderlineSMOTE(k_neighbors=k, m_neighbors=k, random_state=0)
    theirs = imb.BorderlineSMOTE(k_neighbors=k, m_neighbors=k, random_state=0)
    _same(ours.fit_resample(X, y), theirs.fit_resample(X, y))
    # the fitted neighbours objects, as imbalanced-learn names them
    for attr in ("nn_k_", "nn_m_"):
        assert getattr(ours, attr).n_neighbors == getattr(theirs, attr).n_neighbors
        assert getattr(ours, attr).n_samples_fit_ == getattr(theirs, attr).n_samples_fit_


def test_fitted_neighbour_attributes():
    X, y = _data()
    adasyn = sko.ADASYN(n_neighbors=3, random_state=0)
    adasyn.fit_resample(X, y)
    assert adasyn.nn_.n_neighbors == 4
    smote = sko.SMOTE(k_neighbors=2, random_state=0)
    smote.fit_resample(X, y)
    ind = smote.nn_k_.kneighbors(return_distance=False)  # fitted on the minority class
    assert smote.nn_k_.n_samples_fit_ == np.sum(y == 1) and ind.shape[1] == 3


def test_float32_stays_float32_like_imbalanced_learn():
    X, y = _data(dtype=np.float32)
    ours, theirs = _both("SMOTE", X, y, random_state=0)
    assert ours[0].dtype == theirs[0].dtype == np.float32
    _same(ours, theirs, atol=1e-6)


# ------------------------------------------------------------------------- SMOTE-NC


def _mixed(n=400, seed=0, as_object=False):
    rng = np.random.default_rng(seed)
    cont = rng.normal(size=(n, 2))
    colour = rng.choice(["red", "green", "blue"], n)  # three levels: the vote ties often
    size = rng.integers(0, 2, n).astype(float)
    y = (rng.uniform(size=n) < 0.2).astype(int)
    if as_object:
        return np.column_stack([cont[:, 0], colour, cont[:, 1], size]).astype(object), y, [1, 3]
    return np.column_stack([cont[:, 0], size, cont[:, 1]]), y, [1]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("k", [2, 4, 5])
def test_smotenc_ties_break_like_imbalanced_learn(seed, k):
    X, y, cat = _mixed(seed=seed, as_object=True)
    ours = sko.SMOTENC(categorical_features=cat, k_neighbors=k, random_state=seed)
    theirs = imb.SMOTENC(categorical_features=cat, k_neighbors=k, random_state=seed)
    a, b = ours.fit_resample(X, y), theirs.fit_resample(X, y)
    _same(a, b)
    # ties were there to break: some new rows' neighbours split their votes evenly
    nns = ours.nn_k_.kneighbors(return_distance=False)[:, 1:]
    codes = ours.categorical_encoder_.transform(X[y == 1][:, cat]).toarray()[:, :3]
    counts = codes[nns].sum(axis=1)
    assert ((counts == counts.max(axis=1, keepdims=True)).sum(axis=1) > 1).any()


def test_smotenc_dataframe_multiclass_and_attributes():
    pd = pytest.importorskip("pandas")
    X, _, cat = _mixed(as_object=True)
    y = np.random.default_rng(5).choice([0, 1, 2], len(X), p=[0.6, 0.3, 0.1])
    df = pd.DataFrame(X, columns=["a", "colour", "b", "size"]).astype({"a": float, "b": float})
    ours = sko.SMOTENC(categorical_features=["colour", "size"], random_state=0)
    theirs = imb.SMOTENC(categorical_features=["colour", "size"], random_state=0)
    a, b = ours.fit_resample(df, y), theirs.fit_resample(df, y)
    pd.testing.assert_frame_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert ours.n_features_ == theirs.n_features_ == 4
    assert ours.median_std_.keys() == theirs.median_std_.keys()
    for cls in ours.median_std_:
        assert ours.median_std_[cls] == pytest.approx(theirs.median_std_[cls], rel=1e-12)
    assert type(ours.categorical_encoder_) is type(theirs.categorical_encoder_)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_smotenc_sparse(fmt):
    X, y, cat = _mixed()
    Xs = sparse.csr_matrix(X).asformat(fmt)
    a = sko.SMOTENC(categorical_features=cat, random_state=0).fit_resample(Xs, y)
    b = imb.SMOTENC(categorical_features=cat, random_state=0).fit_resample(Xs, y)
    _same(a, b)


def test_smotenc_unsorted_categorical_columns_and_encoder():
    from sklearn.preprocessing import OneHotEncoder

    X, y, _ = _mixed(as_object=True)
    encoder = OneHotEncoder(sparse_output=False, handle_unknown="ignore")
    for params in ({"categorical_features": [3, 1]}, {"categorical_encoder": encoder}):
        params = {"categorical_features": [1, 3], **params, "random_state": 0}
        _same(
            (sko.SMOTENC(**params).fit_resample(X, y)),
            (imb.SMOTENC(**params).fit_resample(X, y)),
        )


# ------------------------------------------------------------------- combined samplers


def test_combined_samplers_take_imbalanced_learns_parameters():
    X, y = _data()
    smote = sko.SMOTE(k_neighbors=3, random_state=1)
    enn = EditedNearestNeighbours(n_neighbors=4)
    a = sko.SMOTEENN(smote=smote, enn=enn, random_state=0, n_jobs=1)
    b = imbc.SMOTEENN(smote=imb.SMOTE(k_neighbors=3, random_state=1), enn=enn, random_state=0)
    _same(a.fit_resample(X, y), b.fit_resample(X, y))
    assert a.smote_ is a.sampler_ and a.smote_ is not smote and a.enn_ is not enn
    t = sko.SMOTETomek(tomek=TomekLinks(sampling_strategy="majority"), random_state=0)
    u = imbc.SMOTETomek(tomek=TomekLinks(sampling_strategy="majority"), random_state=0)
    _same(t.fit_resample(X, y), u.fit_resample(X, y))
    # the default cleaners carry n_jobs, as imbalanced-learn's
    for est, attr in ((sko.SMOTEENN(n_jobs=2), "enn_"), (sko.SMOTETomek(n_jobs=2), "tomek_")):
        est._validate_estimator()
        assert getattr(est, attr).n_jobs == 2
    with pytest.raises(ValueError, match="pass one of them"):
        sko.SMOTEENN(smote=smote, sampler=sko.ADASYN()).fit_resample(X, y)


def test_default_tomek_links_equal_imbalanced_learns():
    X, y = _data(3)
    X = np.vstack([X, X[:5] + 1e-3])  # close cross-class pairs
    y = np.concatenate([y, (y[:5] + 1) % 3])
    ours = sko.SMOTETomek(random_state=0).fit(X, y)
    ours.fit_resample(X, y)
    theirs = TomekLinks(sampling_strategy="all").fit(X, y)
    X_res = ours.smote_.fit_resample(X, y)
    theirs.fit_resample(*X_res)
    np.testing.assert_array_equal(ours.kept_indices_, theirs.sample_indices_)


# ---------------------------------------------------------------- sparse elsewhere


def test_backend_sparse_search_equals_dense():
    X, _ = _sparse_data("csr", n_classes=3)
    X = sparse.vstack([X, X[:20]]).tocsr()  # duplicates: ties to the lower index
    d_s, i_s = _backend.kneighbors(X, X, 6, exclude_self=True)
    d_d, i_d = _backend.kneighbors(X.toarray(), X.toarray(), 6, exclude_self=True)
    np.testing.assert_array_equal(i_s, i_d)
    np.testing.assert_allclose(d_s, d_d, atol=1e-12)
    np.testing.assert_allclose(
        _backend.sq_euclidean_distances(X[:50], X),
        _backend.sq_euclidean_distances(X[:50].toarray(), X.toarray()),
        atol=1e-12,
    )
    # far from the origin the product formula cannot certify its candidates: the exact
    # comparison with every row takes over, and the answer is still the exact one
    rng = np.random.default_rng(0)
    far = np.column_stack([np.full(200, 1e6), rng.normal(size=(200, 3)) * 1e-3])
    d_s, i_s = _backend.kneighbors(sparse.csr_matrix(far), sparse.csr_matrix(far), 4)
    d_d, i_d = _backend.kneighbors(far, far, 4)
    np.testing.assert_array_equal(i_s, i_d)
    np.testing.assert_allclose(d_s, d_d, rtol=1e-9)
    # duplicate entries of a non-canonical CSR matrix count as their sum
    odd = sparse.csr_matrix(
        (np.array([0.5, 0.5, 1.0, 1.6]), np.array([0, 0, 0, 0]), np.array([0, 2, 3, 4])),
        shape=(3, 1),
    )
    d, i = _backend.kneighbors(sparse.csr_matrix([[1.0]]), odd, 3)
    np.testing.assert_array_equal(i, [[0, 1, 2]])
    assert not odd.has_canonical_format  # the caller's matrix is left as it was
    bad = X.copy()
    bad.data[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        _backend.kneighbors(bad, X, 2)


def test_variants_densify_sparse_input_with_a_warning():
    X, y = _sparse_data("csc")
    with pytest.warns(DataConversionWarning, match="converted to a dense array"):
        X_res, y_res = sko.ProWSyn(random_state=0).fit_resample(X, y)
    assert sparse.issparse(X_res) and X_res.format == "csc"
    dense, _ = sko.ProWSyn(random_state=0).fit_resample(X.toarray(), y)
    np.testing.assert_allclose(X_res.toarray(), dense)


@pytest.mark.parametrize("scale", [1e300, 1e160, 1e-300])
@pytest.mark.parametrize("as_sparse", [False, True])
def test_neighbours_of_huge_or_tiny_values(scale, as_sparse):
    # squares of 1e160 overflow: the search once read unset candidates (a segmentation
    # fault); now the data are scaled by a power of two, which keeps the neighbours exact
    X = np.random.default_rng(0).standard_normal((60, 4))
    make = sparse.csr_matrix if as_sparse else np.asarray
    _, ref = _backend.kneighbors(make(X), make(X), 3, exclude_self=True)
    dist, ind = _backend.kneighbors(make(X * scale), make(X * scale), 3, exclude_self=True)
    np.testing.assert_array_equal(ind, ref)
    assert np.all(dist >= 0)
    y = (np.arange(60) < 15).astype(int)
    X_res, _ = sko.SMOTE(random_state=0).fit_resample(make(X * scale), y)
    assert X_res.shape == (90, 4)
