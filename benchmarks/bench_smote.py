"""SMOTE family: skcluster vs imbalanced-learn, in one run on the same data.

Workload of the SMOTE issue: 1,000,000 x 32 float64 rows, 10% minority (make_classification),
balanced to 50/50. Both libraries get the same data and seed; the script also checks that
they return the same class counts and the same rows.

    python benchmarks/bench_smote.py                     # the issue's workload (~12 min)
    python benchmarks/bench_smote.py --n 200000          # quicker
    python benchmarks/bench_smote.py --only SMOTE
    python benchmarks/bench_smote.py --sparse            # 200,000 x 5,000 CSR, 1% dense

``--sparse``: the sparse workload of issue 25, SMOTE on a 200,000 x 5,000 CSR matrix with 1%
non-zeros and 10% minority, with the time and the peak of traced memory (tracemalloc) of each
library's fit_resample.
"""

import argparse
import os
import platform
import time
import tracemalloc

import numpy as np


def sparse_workload(n, d, density):
    """SMOTE on CSR input, both libraries: seconds, peak traced MiB, same rows."""
    import imblearn.over_sampling as imb
    from scipy import sparse

    import skcluster.over_sampling as ours

    rng = np.random.default_rng(0)
    X = sparse.random(n, d, density=density, format="csr", random_state=0)
    y = (rng.uniform(size=n) < 0.1).astype(int)
    print(f"# data: {n} x {d} CSR, {X.nnz} non-zeros, class counts {np.bincount(y).tolist()}")
    ours.SMOTE(random_state=0).fit_resample(X[:2000], y[:2000])  # load the cached kernels
    out = {}
    for name, sampler in (("skcluster", ours.SMOTE), ("imbalanced-learn", imb.SMOTE)):
        tracemalloc.start()
        t0 = time.perf_counter()
        out[name] = sampler(random_state=0).fit_resample(X, y)
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        out[name + " stats"] = (seconds, peak)
    (Xa, ya), (Xb, yb) = out["skcluster"], out["imbalanced-learn"]
    same = np.array_equal(ya, yb) and abs(Xa - Xb).max() < 1e-12
    (ta, ma), (tb, mb) = out["skcluster stats"], out["imbalanced-learn stats"]
    print(
        "\n| sampler | skcluster (s, peak MiB) | imbalanced-learn (s, peak MiB) "
        + "| speed-up | same rows |"
    )
    print("|---|---:|---:|---:|---|")
    cells = f"{ta:.1f}, {ma:.0f} | {tb:.1f}, {mb:.0f} | {tb / ta:.1f}x | {same}"
    print(f"| SMOTE, CSR | {cells} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--d", type=int, default=32)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--sparse", action="store_true", help="the sparse workload only")
    args = parser.parse_args()
    if args.sparse:
        import imblearn

        import skcluster

        print(
            f"# machine: {platform.machine()}, {os.cpu_count()} cores; skcluster "
            f"{skcluster.__version__}, imbalanced-learn {imblearn.__version__}"
        )
        return sparse_workload(200_000, 5_000, 0.01)

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
