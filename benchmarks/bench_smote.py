"""SMOTE family: skcluster vs imbalanced-learn, in one run on the same data.

Workload of the SMOTE issue: 1,000,000 x 32 float64 rows, 10% minority (make_classification),
balanced to 50/50. Both libraries get the same data and seed; the script also checks that
they return the same class counts and the same rows.

    python benchmarks/bench_smote.py                     # the issue's workload (~12 min)
    python benchmarks/bench_smote.py --n 200000          # quicker
    python benchmarks/bench_smote.py --only SMOTE
"""

import argparse
import os
import platform
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--d", type=int, default=32)
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args()

    import imblearn
    import imblearn.over_sampling as imb
    from sklearn.datasets import make_classification

    import skcluster
    import skcluster.over_sampling as ours

    X, y = make_classification(
        n_samples=args.n,
        n_features=args.d,
        n_informative=args.d // 2,
        weights=[0.9],
        flip_y=0.01,
        random_state=0,
    )
    print(
        f"# machine: {platform.machine()}, {os.cpu_count()} cores; skcluster "
        f"{skcluster.__version__}, imbalanced-learn {imblearn.__version__}"
    )
    print(f"# data: {X.shape[0]} x {X.shape[1]} {X.dtype}, class counts {np.bincount(y).tolist()}")

    # compile / load the cached kernels outside the timings
    ours.SMOTE(random_state=0).fit_resample(X[:2000], y[:2000])
    ours.BorderlineSMOTE(random_state=0).fit_resample(X[:2000], y[:2000])

    pairs = [
        ("SMOTE", ours.SMOTE, imb.SMOTE),
        ("BorderlineSMOTE", ours.BorderlineSMOTE, imb.BorderlineSMOTE),
        ("ADASYN", ours.ADASYN, imb.ADASYN),
    ]
    print("\n| sampler | skcluster (s) | imbalanced-learn (s) | speed-up | same rows |")
    print("|---|---:|---:|---:|---|")
    for name, mine, theirs in pairs:
        if args.only and name not in args.only:
            continue
        t0 = time.perf_counter()
        Xa, ya = mine(random_state=0).fit_resample(X, y)
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        Xb, yb = theirs(random_state=0).fit_resample(X, y)
        t_theirs = time.perf_counter() - t0
        same = Xa.shape == Xb.shape and np.bincount(ya).tolist() == np.bincount(yb).tolist()
        rows = np.mean(np.all(np.isclose(Xa, Xb), axis=1)) if same else float("nan")
        print(
            f"| {name} | {t_ours:.1f} | {t_theirs:.1f} | {t_theirs / t_ours:.1f}x | {rows:.2%} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
