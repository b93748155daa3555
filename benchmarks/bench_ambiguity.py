"""CLAMS cluster ambiguity: skcluster against the same pipeline on scikit-learn's
GaussianMixture, in one run on the same scatterplots.

The peer is what a user would write from the paper's code: ``GaussianMixture(k,
covariance_type="full", random_state=...)`` for every candidate k, ``bic``, the knee,
``predict_proba``, then the same posterior draws, Gabriel pairs, pair features and default
separability model as skcluster (only the mixture fitting differs). Each method runs once
per scatterplot, as the issue asks; ``--repeat`` takes the best of several runs.

    python benchmarks/bench_ambiguity.py            # 5,000 points per scatterplot
    python benchmarks/bench_ambiguity.py --n 20000
"""

import argparse
import math
import os
import platform
import time

import numpy as np


def scatterplots(n, seed=0):
    """Named 2-D scatterplots of n points: a blob, touching pairs, separate and mixed."""
    rng = np.random.default_rng(seed)
    half = n // 2
    out = {"one blob": rng.normal(size=(n, 2)) * [1.0, 2.5]}
    for gap in (2.5, 6.0):
        out[f"two blobs {gap} sd apart"] = np.vstack(
            [rng.normal(size=(half, 2)), rng.normal(size=(n - half, 2)) + [gap, 0.0]]
        )
    centers = np.array([[0, 0], [8, 0], [0, 8], [8, 8], [4, 4.5], [10.6, 0]], dtype=float)
    sizes = rng.multinomial(n, np.full(len(centers), 1 / len(centers)))
    out["six blobs, one pair touching"] = np.vstack(
        [rng.normal(size=(s, 2)) * 0.9 + c for s, c in zip(sizes, centers, strict=True)]
    )
    t = rng.uniform(0, 3 * np.pi, size=n)
    out["spiral"] = np.c_[t * np.cos(t), t * np.sin(t)] + rng.normal(scale=0.6, size=(n, 2))
    return out


def sklearn_pipeline(X, S=3.0, max_components=18, random_state=0):
    """The CLAMS pipeline with scikit-learn's GaussianMixture fitting every candidate."""
    from sklearn.mixture import GaussianMixture

    from skcluster.cluster._mixture import Mixture
    from skcluster.metrics._ambiguity_scoring import (
        _gabriel_pairs,
        _mean_entropy,
        _probabilities,
        _standardise,
        pair_features,
    )
    from skcluster.utils._knee import kneedle

    order = np.lexsort((X[:, 1], X[:, 0]))
    Z, _, _ = _standardise(X[order], None)
    rng = np.random.RandomState(random_state)
    kmax = min(max_components, math.isqrt(len(Z))) - 1
    seeds = rng.randint(np.iinfo(np.int32).max, size=kmax)
    fits = [
        GaussianMixture(k, covariance_type="full", random_state=seeds[k - 1]).fit(Z)
        for k in range(1, kmax + 1)
    ]
    bic = np.array([gm.bic(Z) for gm in fits])
    knee = kneedle(np.arange(1, kmax + 1), bic, S=S)
    k = int(np.argmin(bic)) + 1 if knee is None else knee + 1
    if k == 1:
        return 0.0, 1
    gm = fits[k - 1]
    resp = gm.predict_proba(Z)
    cum = np.cumsum(resp, axis=1)
    labels = np.minimum((cum < rng.uniform(size=len(Z))[:, None] * cum[:, -1:]).sum(1), k - 1)
    mix = Mixture(gm.weights_, gm.means_, gm.covariances_)
    pairs = _gabriel_pairs(mix.means)
    feats = np.array([pair_features(Z, labels, mix, i, j) for i, j in pairs])
    return _mean_entropy(_probabilities(None, mix, pairs, feats)), k


def best_time(func, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    import sklearn

    import skcluster
    from skcluster.metrics import ClusterAmbiguity

    print(
        f"# machine: {platform.machine()}, {os.cpu_count()} cores; skcluster "
        f"{skcluster.__version__}, scikit-learn {sklearn.__version__}"
    )
    plots = scatterplots(args.n)
    ClusterAmbiguity(random_state=0).fit(plots["one blob"][:500])  # load the cached kernels
    print(f"# {args.n} points per scatterplot, best of {args.repeat} run(s)\n")
    print(
        "| scatterplot | skcluster (s) | k | ambiguity | scikit-learn GMM (s) | k | "
        "ambiguity | speed-up |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    tot_ours = tot_peer = 0.0
    for name, X in plots.items():
        t_ours, est = best_time(lambda X=X: ClusterAmbiguity(random_state=0).fit(X), args.repeat)
        t_peer, (amb, k) = best_time(lambda X=X: sklearn_pipeline(X), args.repeat)
        tot_ours += t_ours
        tot_peer += t_peer
        print(
            f"| {name} | {t_ours:.3f} | {est.n_components_} | {est.ambiguity_:.3f} | "
            f"{t_peer:.3f} | {k} | {amb:.3f} | {t_peer / t_ours:.1f}x |"
        )
    print(
        f"| **all** | {tot_ours:.3f} | | | {tot_peer:.3f} | | | **{tot_peer / tot_ours:.1f}x** |"
    )


if __name__ == "__main__":
    main()
