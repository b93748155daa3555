"""The robustness matrix of tests/test_robustness.py: every estimator of ``all_estimators()``
against every kind of input a user can pass.

Run as ``python tests/fuzz_matrix.py NAME`` it tries each case on estimator NAME in this
process and prints one JSON line per case, ``{"case": ..., "verdict": ..., "detail": ...}``,
the line ``{"case": ..., "started": true}`` first, so that a crash is pinned to its case.
A verdict is one of

- ``ok``: it finished and the result is consistent (shapes, finite values, the original rows
  kept by a sampler, ``predict`` reproducing ``labels_``, the caller's arrays unchanged);
- ``clear-error``: a ``ValueError`` / ``TypeError`` (or ``NotFittedError``) with a message of
  its own, not a Numba typing error;
- ``missing-error``: it finished on input it should have rejected (NaN, a wrong ``y``
  length ...), a silent wrong answer;
- ``wrong``: it finished with an inconsistent result (detail says what);
- ``unclear-error``: any other exception (ZeroDivisionError, LinAlgError, ...).
"""

import io
import json
import pickle
import sys
import tempfile
import traceback
import warnings

import numpy as np
import scipy.sparse as sp

# estimator name -> kind and the parameters its small data need
SMALL = {
    "KMeansSMOTE": {"kmeans_estimator": 2, "cluster_balance_threshold": 0.05},
    "SMOTENC": {"categorical_features": [2]},
    "NCDKMeans": {"n_clusters": 2},
    "NCDSpectralClustering": {"n_clusters": 2},
    "ProjectionNCD": {"n_clusters": 2, "max_epochs": 5},
    "DeepSubspaceClustering": {"n_clusters": 2, "subspace_dim": 2, "max_epochs": 10},
    "LeastSquaresSubspaceClustering": {"n_clusters": 2, "subspace_dim": 2},
    "SDPKMeans": {"n_clusters": 2},
    "LikelihoodAdjustedSDP": {"n_clusters": 2},
    "NearestNeighbors": {"n_neighbors": 3},
}
NCD = {"NCDKMeans", "NCDSpectralClustering", "ProjectionNCD"}
# samplers that remove rows after over-sampling: their output need not start with X
CLEANING = {"SMOTEENN", "SMOTETomek", "SMOTEIPF"}
# fitted attributes that may hold inf by definition
INF_OK = {"separability_", "start_objectives_"}  # start_objectives_: too small to score
N_ROWS = 40


def kind_of(name, cls):
    if hasattr(cls, "fit_resample"):
        return "sampler"
    if name in NCD:
        return "ncd"
    if name == "NearestNeighbors":
        return "neighbors"
    if name == "ClusterAmbiguity":
        return "ambiguity"
    return "clusterer"


def base_data(kind):
    rng = np.random.default_rng(0)
    d = 2 if kind == "ambiguity" else 3
    X = rng.standard_normal((N_ROWS, d))
    X[N_ROWS // 2 :] += 4.0  # two groups: every clusterer has something to find
    if kind == "sampler":
        y = np.r_[np.zeros(28), np.ones(12)].astype(int)
        X[:, 2] = rng.integers(0, 3, N_ROWS)  # SMOTENC's categorical column
    elif kind == "ncd":
        y = np.r_[np.zeros(10), np.ones(10), -np.ones(20)].astype(int)
        X[:10] -= 4.0  # known class 0, known class 1 at 0, novel rows around 4
    else:
        y = None
    return X, y


def cases(kind, categorical=False):
    """name -> (X, y, must_fail); X may be any array-like (must_fail None: either way)."""
    X, y = base_data(kind)
    out = {"normal": (X, y, False)}
    bad = X.copy()
    bad[3, 1] = np.nan
    out["nan"] = (bad, y, True)
    bad = X.copy()
    bad[3, 1] = np.inf
    out["inf"] = (bad, y, True)
    out["empty"] = (X[:0], None if y is None else y[:0], True)
    out["one_row"] = (X[:1], None if y is None else y[:1], None)
    same = np.ones_like(X)
    out["identical_rows"] = (same, y, None)
    const = X.copy()
    const[:, 0] = 7.0
    out["constant_column"] = (const, y, None)
    out["duplicated_rows"] = (np.r_[X, X], None if y is None else np.r_[y, y], None)
    for scale in (1e300, 1e-300, 1e154, 1e-154):
        out[f"scaled_{scale:.0e}"] = (X * scale, y, None)
    out["float32_1e19"] = ((X * 1e19).astype(np.float32), y, None)
    out["float32"] = (X.astype(np.float32), y, None)
    out["float16"] = (X.astype(np.float16), y, None)
    out["int"] = (np.round(X * 3).astype(np.int64), y, None)
    out["bool"] = (X > 0.5, y, None)
    out["object"] = (X.astype(object), y, None)
    out["strings"] = (np.full(X.shape, "a", dtype=object), y, None if categorical else True)
    out["list"] = (X.tolist(), None if y is None else y.tolist(), None)
    out["3d"] = (X[:, :, None], y, True)
    out["1d"] = (X[:, 0], y, True)
    out["sparse_csr"] = (sp.csr_matrix(X), y, None)
    out["fortran"] = (np.asfortranarray(X), y, None)
    ro = X.copy()
    ro.flags.writeable = False
    out["read_only"] = (ro, y, None)
    if kind == "sampler":  # a minority class of identical rows
        same_minority = X.copy()
        same_minority[y == 1] = X[y == 1][0]
        out["identical_minority"] = (same_minority, y, None)
    if y is not None:
        out["y_too_short"] = (X, y[:-1], True)
        out["y_2d"] = (X, np.c_[y, y], True)
    try:
        import pandas as pd

        cols = [f"f{j}" for j in range(X.shape[1])]
        out["dataframe"] = (pd.DataFrame(X, columns=cols), y, None)
    except ImportError:
        pass
    return out


def make(name, cls, **extra):
    est = cls(**SMALL.get(name, {}), **extra)
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    if "verbose" in est.get_params():
        est.set_params(verbose=0)
    return est


def snapshot(a):
    if sp.issparse(a):
        return a.copy()
    if hasattr(a, "copy"):
        return a.copy()
    return pickle.loads(pickle.dumps(a))


def same(a, b):
    if sp.issparse(a):
        return (a != b).nnz == 0
    if hasattr(a, "equals"):
        return a.equals(b)
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "fc" and b.dtype.kind in "fc":
        return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    return a.shape == b.shape and bool((a == b).all())


def finite_attributes(est):
    for key, val in vars(est).items():
        if key.endswith("_") and not key.startswith("_") and key not in INF_OK:
            if (
                isinstance(val, np.ndarray)
                and val.dtype.kind == "f"
                and not np.isfinite(val).all()
            ):
                return f"{key} holds NaN or inf"
    return None


def dense(a):
    if sp.issparse(a):
        return a.toarray()
    return np.asarray(a, dtype=float)


def check_result(name, kind, est, X, y, out):
    """None when the result is consistent, else what is wrong."""
    Xd = dense(X)
    n = Xd.shape[0]
    if kind == "sampler":
        X_res, y_res = out
        Xr = dense(X_res)
        if Xr.shape[0] != len(y_res):
            return f"{Xr.shape[0]} rows in X_res, {len(y_res)} in y_res"
        if not np.isfinite(Xr).all():
            return "X_res holds NaN or inf"
        if name == "CCR":  # cleans by translating the other classes' rows, in place
            if not np.allclose(Xr[:n], Xd + est.translations_, rtol=1e-3, atol=0):
                return "X_res does not start with the original rows, translated"
        elif name not in CLEANING and not np.array_equal(Xr[:n], Xd):
            return "X_res does not start with the original rows"
        if isinstance(X, np.ndarray) and X.dtype in (np.float32, np.float64):
            if np.asarray(X_res).dtype != X.dtype:
                return f"dtype {X.dtype} became {np.asarray(X_res).dtype}"
        if isinstance(X, np.ndarray) and X.dtype == bool and np.asarray(X_res).dtype == object:
            return "bool input became an object array"
        return None
    if kind == "neighbors":
        dist, ind = out
        if ind.shape != (n, est.n_neighbors) or ind.min() < 0 or ind.max() >= n:
            return f"indices of shape {ind.shape} out of range"
        if not (np.isfinite(dist).all() and (dist >= 0).all()):
            return "distances not finite and non-negative"
        return None
    if kind == "ambiguity":
        if not -1.0 <= out <= 0.0:  # score: minus the ambiguity
            return f"score {out} outside [-1, 0]"
        return finite_attributes(est)
    labels = np.asarray(est.labels_)
    if labels.shape != (n,):  # one label per row, NCD's known rows included
        return f"labels_ of shape {labels.shape}, expected ({n},)"
    if hasattr(est, "predict"):  # NCD predicts the novel classes of unlabelled rows
        rows = slice(None) if kind == "clusterer" else np.asarray(y) == -1
        pred = np.asarray(est.predict(X if kind == "clusterer" else Xd[rows]))
        if not np.array_equal(pred, labels[rows]):
            return f"predict(X) differs from labels_ on {int((pred != labels[rows]).sum())} rows"
    return finite_attributes(est)


def run(name, cls, kind, X, y):
    est = make(name, cls)
    return est, _fit_any(est, kind, X, y)


def _fit_any(est, kind, X, y):
    """The fit (and query) of the estimator's kind; what check_result inspects."""
    if kind == "sampler":
        return est.fit_resample(X, y)
    if kind == "ncd":
        return est.fit(X, y)
    if kind == "neighbors":
        return est.fit(X).kneighbors()
    if kind == "ambiguity":
        return est.fit(X).score(X)
    return est.fit(X)


# messages that, on finite input, tell of an internal overflow or a library's internals
# rather than of the user's data
INTERNAL = (
    "nopython",
    "numba",
    "typing of",
    "NaN",
    "infinit",
    "inf or",
    "finite",
    "fits failed",
    "boolean subtract",
    "float16",
    "does not support dtype",
    "convert float",
)


def is_clear(exc, input_valid):
    from sklearn.exceptions import NotFittedError

    msg = str(exc)
    if not isinstance(exc, (ValueError, TypeError, NotFittedError)) or not msg.strip():
        return False
    if not input_valid:
        return "nopython" not in msg and "numba" not in msg.lower()
    return not any(word in msg for word in INTERNAL)


def verdict_of(fn, input_valid=True):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            problem = fn()
    except Exception as exc:
        kind = "clear-error" if is_clear(exc, input_valid) else "unclear-error"
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        return kind, f"{type(exc).__name__}: {str(exc)[:200]} ({tb.filename}:{tb.lineno})"
    return ("ok", None) if problem is None else ("wrong", problem)


def extra_cases(name, cls, kind):
    """Cases about the fitted estimator: predict before fit, other widths, pickling, threads."""
    X, y = base_data(kind)
    out = {}

    def before_fit():
        est = make(name, cls)
        method = next(
            (m for m in ("predict", "transform", "kneighbors", "score") if hasattr(est, m)), None
        )
        if method is None:
            return None
        getattr(est, method)(X)
        return f"{method} before fit did not raise"

    def fitted():
        return run(name, cls, kind, X, y)[0]

    def other_width():
        est = fitted()
        method = next((m for m in ("predict", "transform", "kneighbors") if hasattr(est, m)), None)
        if method is None:
            return None
        getattr(est, method)(np.c_[X, X])
        return f"{method} on more features did not raise"

    def pickled():
        est = fitted()
        again = pickle.loads(pickle.dumps(est))
        for m in ("predict", "transform"):
            if hasattr(est, m) and not np.array_equal(getattr(est, m)(X), getattr(again, m)(X)):
                return f"{m} differs after pickling"
        return None

    def threads():
        import numba

        if numba.config.NUMBA_NUM_THREADS < 2:
            return None
        results = []
        for t in (1, 2):
            numba.set_num_threads(t)
            est, res = run(name, cls, kind, X, y)
            results.append(res if kind in ("sampler", "neighbors", "ambiguity") else est.labels_)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        a, b = results
        pairs = zip(a, b, strict=True) if isinstance(a, tuple) else [(a, b)]
        if not all(np.array_equal(dense(u), dense(v)) for u, v in pairs):
            return "results differ between one and two Numba threads"
        return None

    # integer parameters at their edges: negative, zero, one, more than the rows
    for param, default in make(name, cls).get_params().items():
        if isinstance(default, bool) or not isinstance(default, int) or param == "verbose":
            continue
        if param in ("random_state", "n_jobs"):
            continue
        for value in (-1, 0, 1, N_ROWS + 5):

            def edge(param=param, value=value):
                est = make(name, cls).set_params(**{param: value})
                X_, y_ = base_data(kind)
                res = _fit_any(est, kind, X_, y_)
                return check_result(name, kind, est, X_, y_, res)

            out[f"{param}={value}"] = edge
    out["predict_before_fit"] = before_fit
    out["more_features"] = other_width
    out["pickle"] = pickled
    out["threads"] = threads
    if kind != "ambiguity":  # a memmapped training set
        tmp = tempfile.NamedTemporaryFile(suffix=".dat", delete=False)
        mm = np.memmap(tmp.name, dtype=np.float64, mode="w+", shape=X.shape)
        mm[:] = X
        mm.flush()
        ro = np.memmap(tmp.name, dtype=np.float64, mode="r", shape=X.shape)

        def memmapped():
            est, res = run(name, cls, kind, ro, y)
            return check_result(name, kind, est, ro, y, res)

        out["memmap"] = memmapped
    return out


def main(name):
    from skcluster.utils import all_estimators

    cls = dict(all_estimators())[name]
    kind = kind_of(name, cls)
    sys.stdout = io.TextIOWrapper(sys.__stdout__.buffer, line_buffering=True)
    todo = {}
    for case, (X, y, must_fail) in cases(kind, categorical=name == "SMOTEN").items():

        def fn(X=X, y=y, must_fail=must_fail):
            before_X, before_y = snapshot(X), snapshot(y)
            est, res = run(name, cls, kind, X, y)
            if must_fail:
                return "finished without an error"
            if not same(X, before_X) or (y is not None and not same(y, before_y)):
                return "the input was modified"
            return check_result(name, kind, est, X, y, res)

        todo[case] = (fn, must_fail)
    for case, fn in extra_cases(name, cls, kind).items():
        todo[case] = (fn, False)
    for case, (fn, must_fail) in todo.items():
        print(json.dumps({"case": case, "started": True}))
        verdict, detail = verdict_of(fn, input_valid=not must_fail)
        if must_fail and verdict == "wrong":
            verdict = "missing-error"
        print(json.dumps({"case": case, "verdict": verdict, "detail": detail}))


if __name__ == "__main__":
    main(sys.argv[1])
