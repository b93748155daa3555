"""PPP on scikit-learn's bundled data sets: the number of clusters it finds and its ARI, next
to a GaussianMixture BIC sweep over k = 1..30 and k-means given the true k.

Every data set is standardised. PPP runs with its defaults and with ICL.

    python benchmarks/bench_ppp_quality.py      # ~4 min on 2 cores
"""

import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

from skcluster.cluster import PPP


def bic_sweep(X, kmax=30):
    best, best_bic = None, np.inf
    for k in range(1, min(kmax, len(X) - 1) + 1):
        gm = GaussianMixture(k, random_state=0).fit(X)
        if gm.bic(X) < best_bic:
            best, best_bic = gm, gm.bic(X)
    return best


def main():
    print(
        "| data (n x d, classes) | PPP k | PPP ARI | PPP-ICL k | PPP-ICL ARI "
        "| GMM-BIC k | GMM-BIC ARI | k-means (true k) ARI | PPP s | sweep s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, load in [
        ("iris", load_iris),
        ("wine", load_wine),
        ("breast cancer", load_breast_cancer),
        ("digits", load_digits),
    ]:
        X, y = load(return_X_y=True)
        X = StandardScaler().fit_transform(X)
        t0 = time.perf_counter()
        ppp = PPP().fit(X)
        t_ppp = time.perf_counter() - t0
        icl = PPP(criterion="icl").fit(X)
        t0 = time.perf_counter()
        gm = bic_sweep(X)
        t_gm = time.perf_counter() - t0
        km = KMeans(len(np.unique(y)), n_init=10, random_state=0).fit(X)

        def ari(labels, y=y):
            return adjusted_rand_score(y, labels)

        print(
            f"| {name} ({X.shape[0]} x {X.shape[1]}, {len(np.unique(y))}) "
            f"| {ppp.n_clusters_} | {ari(ppp.labels_):.3f} "
            f"| {icl.n_clusters_} | {ari(icl.labels_):.3f} "
            f"| {gm.n_components} | {ari(gm.predict(X)):.3f} | {ari(km.labels_):.3f} "
            f"| {t_ppp:.1f} | {t_gm:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
