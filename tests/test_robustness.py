"""No crash, no silent wrong answer, on any input a user can pass (issue 28).

The matrix itself (every estimator against ~35 kinds of input) is ``tests/fuzz_matrix.py``;
each estimator runs there in a subprocess with a time limit, so that a segmentation fault or
a hang fails one test with its case named instead of ending the run.
"""

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from skcluster.utils import all_estimators

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import fuzz_matrix  # noqa: E402

# (estimator, case) -> why an error message from another library stands
ACCEPTED = {
    ("SVMSMOTE", "scaled_1e+154"): "scikit-learn's SVC: 'the input data may contain large "
    "values and need to be preprocessed' (imbalanced-learn's SVMSMOTE stops there too)",
    ("SVMSMOTE", "scaled_1e+300"): "the same",
    ("KMeansSMOTE", "k_neighbors=45"): "imbalanced-learn's RuntimeError, 'No clusters found "
    "with sufficient samples of class 1 ...' (the twin raises what imbalanced-learn raises)",
}
NAMES = [name for name, _ in all_estimators()]


def _matrix(name):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    try:
        proc = subprocess.run(
            [sys.executable, str(HERE / "fuzz_matrix.py"), name],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
        )
        out, status = proc.stdout, proc.returncode
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        status = "timeout"
    verdicts, running = {}, None
    for line in out.splitlines():
        if line.startswith('{"case"'):
            row = json.loads(line)
            if row.get("started"):
                running = row["case"]
            else:
                verdicts[row["case"]] = (row["verdict"], row["detail"])
                running = None
    if running is not None:  # the case it died or hung in
        verdicts[running] = ("hang" if status == "timeout" else "crash", f"exit {status}")
    return verdicts, status


@pytest.mark.parametrize("name", NAMES)
def test_robustness_matrix(name):
    verdicts, status = _matrix(name)
    assert status == 0 or any(v in ("crash", "hang") for v, _ in verdicts.values()), status
    assert len(verdicts) >= 30  # every case ran
    bad = {
        case: f"{verdict}: {detail}"
        for case, (verdict, detail) in verdicts.items()
        if verdict not in ("ok", "clear-error") and (name, case) not in ACCEPTED
    }
    assert not bad, bad
    # input a user must hear about is rejected
    for case in ("nan", "inf", "empty", "3d", "1d"):
        assert verdicts[case][0] == "clear-error", (case, verdicts[case])


# ------------------------------------------------------------------ scale invariance


def _clusterers():
    out = []
    for name, cls in all_estimators():
        kind = fuzz_matrix.kind_of(name, cls)
        if kind in ("clusterer", "ncd", "ambiguity"):
            out.append(pytest.param(name, cls, kind, id=name))
    return out


def _blobs(kind):
    d = 2 if kind == "ambiguity" else 3
    X, y = make_blobs(90, n_features=d, centers=3, cluster_std=0.6, random_state=3)
    if kind == "ncd":  # class 0 known, the other two to discover
        y = np.where(y == 0, 0, -1)
        y[np.flatnonzero(y == 0)[:5]] = 1  # a second known class: five rows of it
    return X, y


def _labels(name, cls, kind, X, y, **params):
    est = fuzz_matrix.make(name, cls, **params)
    if kind == "ncd":
        est.fit(X, y)
    else:
        est.fit(X)
    return est


@pytest.mark.parametrize("name, cls, kind", _clusterers())
def test_clusters_do_not_depend_on_units(name, cls, kind):
    X, y = _blobs(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = _labels(name, cls, kind, X, y)
        for c in (1e-8, 1e-4, 1e4, 1e8):
            est = _labels(name, cls, kind, X * c, y)
            assert adjusted_rand_score(ref.labels_, est.labels_) == 1.0, c
            if kind == "ambiguity":
                assert est.ambiguity_ == pytest.approx(ref.ambiguity_, abs=1e-9), c


@pytest.mark.parametrize(
    "name, cls, kind", [p for p in _clusterers() if hasattr(p.values[1], "predict")]
)
@pytest.mark.parametrize("data", ["blobs", "identical", "duplicated", "tiny"])
def test_predict_reproduces_labels(name, cls, kind, data):
    X, y = _blobs(kind)
    if data == "identical":
        X = np.ones_like(X)
    elif data == "duplicated":
        X, y = np.r_[X, X], np.r_[y, y] if y is not None else None
    elif data == "tiny":
        X = X * 1e-100  # (Gaussian models refuse 1e-300: see below)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            est = _labels(name, cls, kind, X, y)
        except ValueError as exc:  # identical rows may be refused, with a reason
            assert data == "identical", exc
            return
        rows = slice(None) if kind != "ncd" else y == -1  # NCD predicts novel classes
        np.testing.assert_array_equal(est.predict(X[rows]), est.labels_[rows])


# ------------------------------------------------------------------ single items


def test_smotenc_rejects_a_wrong_y_length():
    from skcluster.over_sampling import SMOTENC

    X, _ = fuzz_matrix.base_data("sampler")
    y = np.r_[np.zeros(28), np.ones(12)].astype(int)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        SMOTENC(categorical_features=[2]).fit_resample(X, y[:-1])


def test_samplers_take_bool_and_float16():
    from skcluster.over_sampling import SMOTE, SMOTENC

    rng = np.random.default_rng(0)
    X = rng.random((40, 3)) > 0.5
    y = np.r_[np.zeros(28), np.ones(12)].astype(int)
    X_res, _ = SMOTENC(categorical_features=[0], random_state=0).fit_resample(X, y)
    assert X_res.dtype == np.float64  # numbers, not objects
    np.testing.assert_array_equal(X_res[:40], X)
    X16 = rng.standard_normal((40, 3)).astype(np.float16)
    X_res, _ = SMOTE(random_state=0).fit_resample(X16, y)
    assert X_res.dtype == np.float16  # as imbalanced-learn gives it
    np.testing.assert_array_equal(X_res[:40], X16)


def test_borderline_smote_says_when_it_adds_nothing():
    from skcluster.over_sampling import BorderlineSMOTE

    X = np.ones((40, 3))
    y = np.r_[np.zeros(28), np.ones(12)].astype(int)
    with pytest.warns(UserWarning, match="no row of class 1 is in danger"):
        X_res, _ = BorderlineSMOTE(random_state=0).fit_resample(X, y)
    assert X_res.shape == X.shape


def test_kmeans_smote_on_identical_minority_rows():
    from skcluster.over_sampling import KMeansSMOTE

    X, _ = fuzz_matrix.base_data("sampler")
    y = np.r_[np.zeros(28), np.ones(12)].astype(int)
    X[y == 1] = X[y == 1][0]
    X_res, y_res = KMeansSMOTE(kmeans_estimator=1, random_state=0).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [28, 28]
    np.testing.assert_array_equal(X_res[40:], np.repeat(X[y == 1][:1], 16, axis=0))


def test_gaussian_models_say_when_covariances_overflow():
    from skcluster.cluster import PPP

    X, _ = _blobs("clusterer")
    with pytest.raises(ValueError, match="not representable in float64"):
        PPP().fit(X * 1e200)


def test_memory_check_reads_the_address_space_limit():
    # under ulimit -v the free memory of the machine is not what the process can take
    code = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30));"
        "from skcluster._backend import available_memory;"
        "print(available_memory())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 0 < int(out.stdout) < 3 * 2**30


@pytest.mark.parametrize("case", ["directory", "missing_folder"])
def test_cli_paths(tmp_path, case, capsys):
    from skcluster._cli import main

    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n3,4\n5,6\n")
    if case == "directory":
        argv = ["cluster", "--method", "ppp", str(tmp_path)]
        expected = "is a directory"
    else:
        argv = ["cluster", "--method", "ppp", str(data), "-o", str(tmp_path / "no" / "x.csv")]
        expected = "no such folder"
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0]
