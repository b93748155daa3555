"""PPP vs the BIC sweep a user would write with scikit-learn, in one run on the same data.

Workload of the PPP issue: 200,000 x 16 rows from 20 Gaussians (rotated, stretched, of
different sizes; skcluster.datasets.make_gaussian_mixture), against GaussianMixture fitted
for k = 1..30 (n_init=1, the lowest BIC kept); then PPP alone on 2,000,000 x 16 rows with
its peak memory (tracemalloc) next to the data's size.

    python benchmarks/bench_ppp.py                 # the issue's workload (~15 min)
    python benchmarks/bench_ppp.py --n 50000 --kmax 25 --big 0
"""

import argparse
import os
import platform
import time
import tracemalloc

import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--d", type=int, default=16)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--kmax", type=int, default=30)
    parser.add_argument("--big", type=int, default=2_000_000, help="rows of the PPP-only run")
    args = parser.parse_args()

    import sklearn
    from sklearn.metrics import adjusted_rand_score
    from sklearn.mixture import GaussianMixture

    import skcluster
    from skcluster.cluster import PPP
    from skcluster.datasets import make_gaussian_mixture

    def data(n):
        return make_gaussian_mixture(
            n, args.d, args.k, separation=2.0, anisotropy=3.0, scale_range=2.0, random_state=0
        )

    print(
        f"# machine: {platform.machine()}, {os.cpu_count()} cores; skcluster "
        f"{skcluster.__version__}, scikit-learn {sklearn.__version__}"
    )
    PPP().fit(data(3000)[0])  # compile / load the cached kernels outside the timings

    X, y = data(args.n)
    print(f"# data: {X.shape[0]} x {X.shape[1]}, {args.k} Gaussian components")
    t0 = time.perf_counter()
    ppp = PPP().fit(X)
    t_ppp = time.perf_counter() - t0
    ari_ppp = adjusted_rand_score(y, ppp.labels_)

    t0 = time.perf_counter()
    best, best_bic = None, np.inf
    for k in range(1, args.kmax + 1):
        gm = GaussianMixture(k, n_init=1, random_state=0).fit(X)
        bic = gm.bic(X)
        if bic < best_bic:
            best, best_bic = gm, bic
    t_sweep = time.perf_counter() - t0
    ari_sweep = adjusted_rand_score(y, best.predict(X))

    print("\n| method | time (s) | k found | ARI |")
    print("|---|---:|---:|---:|")
    print(f"| skcluster PPP | {t_ppp:.1f} | {ppp.n_clusters_} | {ari_ppp:.4f} |")
    print(
        f"| GaussianMixture BIC sweep k=1..{args.kmax} | {t_sweep:.1f} | "
        f"{best.n_components} | {ari_sweep:.4f} |"
    )
    print(f"\nspeed-up: {t_sweep / t_ppp:.1f}x")

    if args.big:
        X, y = data(args.big)
        tracemalloc.start()
        t0 = time.perf_counter()
        ppp = PPP().fit(X)
        t_big = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"\nPPP on {X.shape[0]} x {X.shape[1]}: {t_big:.1f} s, k={ppp.n_clusters_}, "
            f"ARI {adjusted_rand_score(y, ppp.labels_):.4f}, peak memory of the fit "
            f"{peak / 2**20:.0f} MiB = {peak / X.nbytes:.1f} x the data "
            f"({X.nbytes / 2**20:.0f} MiB)"
        )


if __name__ == "__main__":
    main()
