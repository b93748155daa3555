"""The ``skcluster`` command line: cluster, resample or score a CSV file without a script.

    skcluster cluster --method ppp data.csv -o labels.csv
    skcluster cluster --method sdpkmeans --n-clusters 3 data.csv -o labels.csv
    skcluster resample --method smote --target y data.csv -o balanced.csv
    skcluster resample --method smotenc --target y --categorical colour,size data.csv
    skcluster ambiguity points.csv

stdout holds only the result (the CSV, or the ambiguity score): the estimators' progress
lines, the timer and the summaries go to stderr, and ``-v 0`` silences them. Bad input (a
missing file, a file with no rows, a missing target column, non-numeric feature columns, an
unknown method, an estimator's own ValueError) ends with one line on stderr and exit code 2.
"""

import argparse
import os
import sys
import threading
import time
from contextlib import contextmanager, redirect_stdout

import numpy as np

from . import __version__

# columns named like these hold labels, not features: left out by default (said on stderr)
LABEL_NAMES = {"target", "label", "labels", "class", "classes", "cluster"}

# cluster methods: command-line name -> (class name, needs --n-clusters)
CLUSTER_METHODS = {
    "ppp": ("ProbabilisticPartitivePartitioning", False),
    "sdpkmeans": ("SDPKMeans", True),
    "ilasdp": ("LikelihoodAdjustedSDP", True),
    "deepsubspace": ("DeepSubspaceClustering", True),
    "leastsquaressubspace": ("LeastSquaresSubspaceClustering", True),
}


class UsageError(Exception):
    """Bad input from the command line: reported in one line, exit code 2."""


def _key(name):
    return name.replace("-", "").replace("_", "").lower()


def _samplers():
    from .utils import all_estimators

    return {_key(name): cls for name, cls in all_estimators(type_filter="sampler")}


def _read_csv(path):
    import pandas as pd

    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a CSV file") from None
    except PermissionError:
        raise UsageError(f"cannot read {path}: permission denied") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path} as CSV: {exc}".splitlines()[0]) from None
    if len(frame) == 0:
        raise UsageError(f"{path}: no rows below the header")
    return frame


def _check_output(path):
    """Refuse an output file that cannot be written before any work is done."""
    if path is None or path == "-":
        return
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise UsageError(f"cannot write {path}: it is a directory")
    if not os.path.isdir(folder):
        raise UsageError(f"cannot write {path}: no such folder {folder}")
    if not os.access(folder, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise UsageError(f"cannot write {path}: permission denied")


def _numeric(frame, columns, path, hint=""):
    """The columns as a float array; non-numeric columns are named in the error."""
    bad = [c for c in columns if frame[c].dtype.kind not in "biuf"]
    if bad:
        listed = ", ".join(repr(str(c)) for c in bad[:5]) + (" ..." if len(bad) > 5 else "")
        raise UsageError(
            f"{path}: non-numeric column(s) {listed}; encode them or leave them out with "
            f"--columns{hint}"
        )
    if not columns:
        raise UsageError(f"{path}: no feature columns")
    return frame[columns].to_numpy(dtype=float)


def _columns(frame, args, exclude=(), labels_out=True):
    """The feature columns: ``--columns`` as given, or all columns but ``exclude``,
    ``--exclude`` and (said on stderr; when ``labels_out``) columns named like labels."""
    for option in ("columns", "exclude"):
        missing = [c for c in getattr(args, option) or () if c not in frame.columns]
        if missing:
            raise UsageError(f"{args.data}: no column(s) {', '.join(map(repr, missing))}")
    if args.columns is not None:
        return list(args.columns)
    left_out = set(exclude) | set(args.exclude or ())
    labels = [
        c
        for c in frame.columns
        if labels_out and str(c).strip().lower() in LABEL_NAMES and c not in left_out
    ]
    if labels:
        _say(
            args,
            f"leaving out column(s) {', '.join(map(repr, labels))}: named like labels "
            "(name the features with --columns to keep them)",
        )
    return [c for c in frame.columns if c not in left_out and c not in labels]


def _say(args, message):
    """A summary line on stderr, unless ``-v 0``."""
    if args.verbose > 0:
        print(message, file=sys.stderr)


@contextmanager
def _progress(what, args):
    """Time a long fit on stderr: a line that counts the seconds while it runs (``--progress``;
    by default when stderr is a terminal and not ``-v 0``), then how long it took (not at
    ``-v 0``). Whatever the estimator prints meanwhile goes to stderr too: stdout is the
    result's."""
    live = args.progress == "always" or (
        args.progress == "auto" and args.verbose > 0 and sys.stderr.isatty()
    )
    start = time.perf_counter()
    done = threading.Event()

    def tick():
        spinner = "|/-\\"
        i = 0
        while not done.wait(0.5):
            i += 1
            print(
                f"\r{spinner[i % 4]} {what}: {time.perf_counter() - start:.0f} s",
                end="",
                file=sys.stderr,
                flush=True,
            )

    thread = threading.Thread(target=tick, daemon=True) if live else None
    if thread:
        thread.start()
    try:
        with redirect_stdout(sys.stderr):
            yield
    finally:
        done.set()
        if thread:
            thread.join()
            print("\r\033[K", end="", file=sys.stderr)
    # only after a fit that succeeded: an error stays the one line it is
    _say(args, f"{what}: done in {time.perf_counter() - start:.1f} s")


def _cluster(args):
    from . import cluster

    key = _key(args.method)
    if key not in CLUSTER_METHODS:
        raise UsageError(
            f"unknown cluster method {args.method!r}; choose from {', '.join(CLUSTER_METHODS)}"
        )
    class_name, needs_k = CLUSTER_METHODS[key]
    if needs_k and args.n_clusters is None:
        raise UsageError(f"--method {args.method} needs --n-clusters")
    if not needs_k and args.n_clusters is not None:
        raise UsageError(
            f"--method {args.method} finds the number of clusters itself: leave out --n-clusters"
        )
    frame = _read_csv(args.data)
    X = _numeric(frame, _columns(frame, args), args.data)
    if args.standardize:  # unit variance per column; a constant column stays 0
        spread = X.std(axis=0)
        X = (X - X.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    else:
        _hint_scales(args, X)
    params = {"random_state": args.random_state}
    if needs_k:
        params["n_clusters"] = args.n_clusters
    estimator = getattr(cluster, class_name)(**params)
    if "verbose" in estimator.get_params():
        estimator.set_params(verbose=args.verbose)
    with _progress(f"fitting {class_name}", args):
        labels = np.asarray(estimator.fit(X).labels_)
    _write(labels, ["cluster"], args.output)
    counts = np.bincount(labels[labels >= 0])
    _say(args, f"{len(labels)} rows, {len(counts)} clusters, sizes {counts.tolist()}")


def _hint_scales(args, X):
    spread = X.std(axis=0)
    spread = spread[spread > 0]
    if len(spread) > 1 and spread.max() > 100 * spread.min():
        _say(
            args,
            f"the columns' spreads differ {spread.max() / spread.min():.0f}-fold, so the widest "
            "decide the clusters; --standardize gives each column unit variance",
        )


def _resample(args):
    import pandas as pd

    samplers = _samplers()
    key = _key(args.method)
    if key not in samplers:
        raise UsageError(
            f"unknown sampler {args.method!r}; choose from "
            f"{', '.join(sorted(c.__name__.lower() for c in samplers.values()))}"
        )
    frame = _read_csv(args.data)
    if args.target not in frame.columns:
        raise UsageError(f"{args.data}: no target column {args.target!r}")
    columns = _columns(frame, args, exclude=(args.target,))
    y = frame[args.target].to_numpy()
    name = samplers[key].__name__
    params = {"random_state": args.random_state}
    if name != "SMOTENC" and args.categorical:
        raise UsageError("--categorical is for smotenc (smoten takes every column as categorical)")
    if name in ("SMOTENC", "SMOTEN"):
        # categorical data: the sampler takes the table as it is, text columns included
        X = frame[columns]
        if name == "SMOTENC":
            params["categorical_features"] = _categorical(frame, columns, args)
    else:
        X = _numeric(frame, columns, args.data, " (or take them as categorical: --method smotenc)")
    sampler = samplers[key](**params)
    with _progress(f"resampling with {name}", args):
        Xr, yr = sampler.fit_resample(X, y)
    out = pd.DataFrame(Xr, columns=columns).reset_index(drop=True)
    out[args.target] = yr
    _write(out, None, args.output)
    _say(args, f"class counts {_counts(y)} -> {_counts(yr)}")


def _counts(y):
    values, counts = np.unique(y, return_counts=True)
    return ", ".join(f"{v}: {c}" for v, c in zip(values.tolist(), counts.tolist(), strict=True))


def _categorical(frame, columns, args):
    """SMOTE-NC's categorical columns: ``--categorical``, or the non-numeric ones."""
    if args.categorical:
        missing = [c for c in args.categorical if c not in columns]
        if missing:
            listed = ", ".join(map(repr, missing))
            raise UsageError(f"{args.data}: --categorical names no feature column {listed}")
        categorical = list(args.categorical)
    else:
        categorical = [c for c in columns if frame[c].dtype.kind not in "biuf"]
    if not categorical:
        raise UsageError(
            "--method smotenc needs categorical columns: name them with --categorical "
            "(no feature column is non-numeric)"
        )
    text = [c for c in columns if c not in categorical and frame[c].dtype.kind not in "biuf"]
    if text:
        raise UsageError(
            f"{args.data}: non-numeric column(s) {', '.join(map(repr, text))} missing from "
            "--categorical"
        )
    return categorical


def _ambiguity(args):
    from .metrics import ClusterAmbiguity

    frame = _read_csv(args.data)
    columns = _columns(frame, args, labels_out=False)  # a scatterplot's axes, whatever the names
    if len(columns) != 2:
        raise UsageError(
            f"{args.data}: a scatterplot has 2 columns, got {len(columns)}; pick two with "
            "--columns"
        )
    model = ClusterAmbiguity(random_state=args.random_state).fit(
        _numeric(frame, columns, args.data)
    )
    print(f"{model.ambiguity_:.4f}")
    _say(args, f"{model.n_components_} components, {len(model.pairs_)} neighbouring pairs")


def _write(data, columns, path):
    import pandas as pd

    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data, columns=columns)
    if path is None or path == "-":
        frame.to_csv(sys.stdout, index=False)
    else:
        try:
            frame.to_csv(path, index=False)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def build_parser():
    parser = argparse.ArgumentParser(
        prog="skcluster",
        description="Cluster, over-sample or score CSV files with skcluster's estimators.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def names(text):
        return [c.strip() for c in text.split(",") if c.strip()]

    def common(p, output=True):
        p.add_argument("data", help="CSV file with a header row")
        if output:
            p.add_argument("-o", "--output", help="CSV file to write (default: stdout)")
        p.add_argument(
            "--columns",
            type=names,
            help="comma-separated feature columns (default: all others but those named like "
            f"labels: {', '.join(sorted(LABEL_NAMES))})",
        )
        p.add_argument("--exclude", type=names, help="comma-separated columns to leave out")
        p.add_argument("--random-state", type=int, default=0, help="seed (default: 0)")
        p.add_argument(
            "-v",
            "--verbose",
            type=int,
            default=1,
            help="0: nothing but the result and errors; 1 (default): summaries and the "
            "estimator's progress on stderr; 2+: more of it",
        )
        p.add_argument(
            "--progress",
            choices=["auto", "always", "never"],
            default="auto",
            help="a running timer on stderr during the fit (auto: when stderr is a terminal)",
        )

    p = sub.add_parser("cluster", help="cluster the rows; writes one 'cluster' column")
    p.add_argument("--method", required=True, help=", ".join(CLUSTER_METHODS))
    p.add_argument("--n-clusters", type=int, help="number of clusters (all but ppp)")
    p.add_argument(
        "--standardize",
        action="store_true",
        help="give each feature column zero mean and unit variance first",
    )
    common(p)
    p.set_defaults(run=_cluster)

    p = sub.add_parser("resample", help="over-sample the minority classes of --target")
    p.add_argument("--method", required=True, help="a sampler's name, e.g. smote, prowsyn")
    p.add_argument("--target", required=True, help="the class column")
    p.add_argument(
        "--categorical",
        type=names,
        help="comma-separated categorical columns of smotenc (default: the non-numeric ones)",
    )
    common(p)
    p.set_defaults(run=_resample)

    p = sub.add_parser("ambiguity", help="CLAMS cluster ambiguity of a 2-column scatterplot")
    common(p, output=False)
    p.set_defaults(run=_ambiguity)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status (0, or 2 on bad input)."""
    args = build_parser().parse_args(argv)
    try:
        import pandas  # noqa: F401
    except ImportError:
        print(
            "skcluster: error: the command line reads CSV with pandas: pip install pandas",
            file=sys.stderr,
        )
        return 2
    try:
        _check_output(getattr(args, "output", None))  # before the fit, not after it
        args.run(args)
        sys.stdout.flush()
    except (UsageError, ValueError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"skcluster: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # the reader left (``| head``): no traceback, and none at exit when Python flushes
        # stdout again (the recipe of Python's signal docs)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
