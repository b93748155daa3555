"""The ``skcluster`` command line: cluster, resample or score a CSV file without a script.

    skcluster cluster --method ppp data.csv -o labels.csv
    skcluster cluster --method sdpkmeans --n-clusters 3 data.csv -o labels.csv
    skcluster resample --method smote --target y data.csv -o balanced.csv
    skcluster ambiguity points.csv

Bad input (a missing file, a missing target column, non-numeric feature columns, an
unknown method, an estimator's own ValueError) ends with one line on stderr and exit code 2.
"""

import argparse
import os
import sys
import threading
import time
from contextlib import contextmanager

import numpy as np

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
        return pd.read_csv(path)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a CSV file") from None
    except PermissionError:
        raise UsageError(f"cannot read {path}: permission denied") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path} as CSV: {exc}".splitlines()[0]) from None


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


def _numeric(frame, columns, path):
    """The columns as a float array; non-numeric columns are named in the error."""
    bad = [c for c in columns if frame[c].dtype.kind not in "biuf"]
    if bad:
        listed = ", ".join(repr(str(c)) for c in bad[:5]) + (" ..." if len(bad) > 5 else "")
        raise UsageError(
            f"{path}: non-numeric column(s) {listed}; encode them or leave them out with --columns"
        )
    if not columns:
        raise UsageError(f"{path}: no feature columns")
    return frame[columns].to_numpy(dtype=float)


def _columns(frame, wanted, path, exclude=()):
    if wanted is None:
        return [c for c in frame.columns if c not in exclude]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise UsageError(f"{path}: no column(s) {', '.join(map(repr, missing))}")
    return list(wanted)


@contextmanager
def _progress(what, live):
    """Time a long fit on stderr: a line that counts the seconds while it runs (when ``live``,
    i.e. stderr is a terminal), then how long it took."""
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
        yield
    finally:
        done.set()
        if thread:
            thread.join()
            print("\r\033[K", end="", file=sys.stderr)
    # only after a fit that succeeded: an error stays the one line it is
    print(f"{what}: done in {time.perf_counter() - start:.1f} s", file=sys.stderr)


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
    frame = _read_csv(args.data)
    X = _numeric(frame, _columns(frame, args.columns, args.data), args.data)
    params = {"random_state": args.random_state}
    if needs_k:
        params["n_clusters"] = args.n_clusters
    estimator = getattr(cluster, class_name)(**params)
    if "verbose" in estimator.get_params():
        estimator.set_params(verbose=args.verbose)
    with _progress(f"fitting {class_name}", _live(args)):
        labels = estimator.fit(X).labels_
    _write(np.asarray(labels), ["cluster"], args.output)
    counts = np.bincount(np.asarray(labels)[np.asarray(labels) >= 0])
    print(f"{len(labels)} rows, {len(counts)} clusters, sizes {counts.tolist()}", file=sys.stderr)


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
    columns = _columns(frame, args.columns, args.data, exclude=(args.target,))
    X = _numeric(frame, columns, args.data)
    y = frame[args.target].to_numpy()
    sampler = samplers[key](random_state=args.random_state)
    with _progress(f"resampling with {type(sampler).__name__}", _live(args)):
        Xr, yr = sampler.fit_resample(X, y)
    out = pd.DataFrame(Xr, columns=columns)
    out[args.target] = yr
    _write(out, None, args.output)
    before = dict(zip(*np.unique(y, return_counts=True), strict=True))
    after = dict(zip(*np.unique(yr, return_counts=True), strict=True))
    print(f"class counts {before} -> {after}", file=sys.stderr)


def _ambiguity(args):
    from .metrics import ClusterAmbiguity

    frame = _read_csv(args.data)
    columns = _columns(frame, args.columns, args.data)
    if len(columns) != 2:
        raise UsageError(
            f"{args.data}: a scatterplot has 2 columns, got {len(columns)}; pick two with "
            "--columns"
        )
    model = ClusterAmbiguity(random_state=args.random_state).fit(
        _numeric(frame, columns, args.data)
    )
    print(f"{model.ambiguity_:.4f}")
    print(
        f"{model.n_components_} components, {len(model.pairs_)} neighbouring pairs",
        file=sys.stderr,
    )


def _live(args):
    return args.progress == "always" or (args.progress == "auto" and sys.stderr.isatty())


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
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, output=True):
        p.add_argument("data", help="CSV file with a header row")
        if output:
            p.add_argument("-o", "--output", help="CSV file to write (default: stdout)")
        p.add_argument(
            "--columns",
            type=lambda text: [c.strip() for c in text.split(",") if c.strip()],
            help="comma-separated feature columns (default: all others)",
        )
        p.add_argument("--random-state", type=int, default=0, help="seed (default: 0)")
        p.add_argument(
            "--progress",
            choices=["auto", "always", "never"],
            default="auto",
            help="a running timer on stderr during the fit (auto: when stderr is a terminal)",
        )

    p = sub.add_parser("cluster", help="cluster the rows; writes one 'cluster' column")
    p.add_argument("--method", required=True, help=", ".join(CLUSTER_METHODS))
    p.add_argument("--n-clusters", type=int, help="number of clusters (all but ppp)")
    p.add_argument("-v", "--verbose", type=int, default=1, help="progress level (default 1)")
    common(p)
    p.set_defaults(run=_cluster)

    p = sub.add_parser("resample", help="over-sample the minority classes of --target")
    p.add_argument("--method", required=True, help="a sampler's name, e.g. smote, prowsyn")
    p.add_argument("--target", required=True, help="the class column")
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
    except (UsageError, ValueError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"skcluster: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
