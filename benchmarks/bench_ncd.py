"""Novel class discovery: skcluster's NCD estimators against what a user would run instead
(scikit-learn's KMeans and SpectralClustering on the unlabelled rows), in one run.

Quality: scikit-learn's digits (standardised), two splits (known 0-4; the paper's optdigits
split, known 1, 2, 7, 8, 9), 5 novel classes, mean and standard deviation over 10 seeds of the
clustering accuracy (Hungarian), NMI and ARI on the novel rows. NCDSpectralClustering uses the
min_dist / n_components that GridSearchCV with HiddenClassKFold picks on the known classes
alone (its grid includes the dense and the kNN affinity). ProjectionNCD runs with its defaults.
Speed: NCDKMeans against KMeans (both n_init=10) on 200,000 x 32 rows.

    python benchmarks/bench_ncd.py          # ~12 min on 2 cores
    python benchmarks/bench_ncd.py --splits 20   # defaults over random splits (~15 min)

``--splits N``: the estimators with their defaults on N random known/novel splits (half the
classes known, drawn with seeds 0..N-1) of digits (standardised) and, when the development
data are there (``../shared/data/clustbench/uci``), of the UCI tables with 6+ classes
(glass, ecoli, yeast; standardised); scikit-learn's KMeans and
SpectralClustering(affinity="nearest_neighbors") on the novel rows alone next to them. Mean,
worst split and spread of the accuracy on the novel rows, the mean and worst paired
difference to the plain counterpart, and how often estimate_n_novel_classes lands within 1
of the number of novel classes, next to the guess "as many as the known classes".

``--known-fraction F`` (default 0.5) knows that share of the classes instead of half: with
half known the number of novel classes equals the number of known ones on every table here,
so an estimate of it is only tested on other shares (0.3, 0.7). ``--estimate-only`` skips
the clusterers.
"""

import argparse
import gzip
import os
import platform
import time
from pathlib import Path

import numpy as np

UCI = Path(__file__).resolve().parents[2] / "shared" / "data" / "clustbench" / "uci"


def load_tables():
    """digits and, where present, the UCI tables with 6+ classes; standardised."""
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    tables = {"digits": (X, y)}
    for name in ("glass", "ecoli", "yeast"):
        if (UCI / f"{name}.data.gz").exists():
            X = np.loadtxt(gzip.open(UCI / f"{name}.data.gz"))
            y = np.loadtxt(gzip.open(UCI / f"{name}.labels0.gz")).astype(int)
            tables[name] = (X, y)
    return {
        k: (StandardScaler().fit_transform(X), np.unique(y, return_inverse=True)[1])
        for k, (X, y) in tables.items()
    }


def random_splits(n_splits, names=None, estimate_only=False, known_fraction=0.5):
    """The defaults against their plain counterparts over random known/novel splits."""
    import warnings

    from sklearn.cluster import KMeans, SpectralClustering

    from skcluster.cluster import NCDKMeans, NCDSpectralClustering, estimate_n_novel_classes
    from skcluster.metrics import clustering_accuracy

    warnings.filterwarnings("ignore", message="Graph is not fully connected")
    paper = {"graph": "all"}
    for name, (X, y) in load_tables().items():
        if names and name not in names:
            continue
        acc, est, found_all = {}, {}, {}
        estimates = {  # name: options of estimate_n_novel_classes on the novel rows
            "estimate_n_novel_classes": {"n_runs": 1},
            "(normalize_rows=True)": {"n_runs": 1, "normalize_rows": True},
        }
        seconds, truths = dict.fromkeys(estimates, 0.0), []
        t0 = time.perf_counter()
        for s in range(n_splits):
            classes = np.unique(y)
            n_known = min(max(round(known_fraction * len(classes)), 1), len(classes) - 2)
            known = np.isin(y, np.random.default_rng(s).permutation(classes)[:n_known])
            y_semi, truth = np.where(known, y, -1), y[~known]
            k, Xn = len(np.unique(truth)), X[~known]
            truths.append(k)
            runs = {}
            if not estimate_only:
                runs = {
                    "KMeans": KMeans(k, n_init=10, random_state=s).fit_predict(Xn),
                    "SpectralClustering (kNN)": SpectralClustering(
                        k, affinity="nearest_neighbors", random_state=s
                    ).fit_predict(Xn),
                    "NCDKMeans": NCDKMeans(k, random_state=s).fit(X, y_semi).labels_[y_semi == -1],
                    "NCDSpectralClustering": NCDSpectralClustering(k, random_state=s)
                    .fit(X, y_semi)
                    .labels_[y_semi == -1],
                    "NCDSpectralClustering (the unlabelled rows' graph)": NCDSpectralClustering(
                        k, graph="unlabelled", random_state=s
                    )
                    .fit(X, y_semi)
                    .labels_[y_semi == -1],
                    "NCDSpectralClustering (the paper's graph)": NCDSpectralClustering(
                        k, random_state=s, **paper
                    )
                    .fit(X, y_semi)
                    .labels_[y_semi == -1],
                }
            for method, labels in runs.items():
                acc.setdefault(method, []).append(clustering_accuracy(truth, labels))
            k_range = (2, min(30, len(Xn) - 1))
            for key, options in estimates.items():
                t1 = time.perf_counter()
                found = estimate_n_novel_classes(Xn, k_range=k_range, random_state=s, **options)
                seconds[key] += time.perf_counter() - t1
                est.setdefault(key, []).append(abs(found - k) <= 1)
                found_all.setdefault(key, []).append(found)
        print(
            f"\n### {name}: {n_splits} random splits, {n_known} of {len(classes)} classes known "
            f"({time.perf_counter() - t0:.0f} s)"
        )
        print("\n| method | mean | worst | sd | vs plain: mean | vs plain: worst |")
        print("|---|---:|---:|---:|---:|---:|")
        plain = {"NCDKMeans": "KMeans"}
        for method, values in acc.items():
            v = np.array(values)
            ref = plain.get(
                method, "SpectralClustering (kNN)" if "NCDSpectral" in method else None
            )
            if ref:
                d = v - np.array(acc[ref])
                vs = f"{d.mean():+.3f} | {d.min():+.3f}"
            else:
                vs = "| "
            print(f"| {method} | {v.mean():.3f} | {v.min():.3f} | {v.std():.3f} | {vs} |")
        for key, hits in est.items():
            print(f"| {key}: within 1 of the truth | {np.mean(hits):.2f} | | | | |", flush=True)
        # the guess "as many novel classes as known ones", which needs no estimator: a
        # split with half the classes known makes it right, so the table needs other splits
        guess = np.mean([abs(n_known - k) <= 1 for k in truths])
        print(f"| (as many as the known classes): within 1 of the truth | {guess:.2f} | | | | |")
        print(f"\nnumber of novel classes per split: {truths}")
        for key, found in found_all.items():
            print(f"- {key} ({seconds[key] / n_splits:.1f} s per call): {found}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=0, help="random-split table only")
    parser.add_argument("--tables", nargs="*", default=None, help="digits glass ecoli yeast")
    parser.add_argument(
        "--estimate-only", action="store_true", help="with --splits: only the class counts"
    )
    parser.add_argument(
        "--known-fraction", type=float, default=0.5, help="with --splits: share of known classes"
    )
    args = parser.parse_args()
    if args.splits:
        import sklearn

        import skcluster

        print(
            f"# machine: {platform.machine()}, {os.cpu_count()} cores; skcluster "
            f"{skcluster.__version__}, scikit-learn {sklearn.__version__}"
        )
        return random_splits(args.splits, args.tables, args.estimate_only, args.known_fraction)

    import sklearn
    from sklearn.cluster import KMeans, SpectralClustering
    from sklearn.datasets import load_digits, make_blobs
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    from sklearn.model_selection import GridSearchCV
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils import check_random_state

    import skcluster
    from skcluster.cluster import NCDKMeans, NCDSpectralClustering, ProjectionNCD
    from skcluster.cluster._ncd import ncd_kmeans
    from skcluster.metrics import clustering_accuracy, clustering_accuracy_scorer
    from skcluster.model_selection import HiddenClassKFold

    print(
        f"# machine: {platform.machine()}, {os.cpu_count()} cores; skcluster "
        f"{skcluster.__version__}, scikit-learn {sklearn.__version__}"
    )
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)

    def plain_by_distance(Xn, seed):  # ablation: k-means++ runs chosen by sum of distances
        _, centers, _, _ = ncd_kmeans(
            Xn,
            None,
            5,
            update="novel",
            init_power=1,
            n_init=10,
            max_iter=300,
            tol=1e-4,
            select_by="distance",
            rng=check_random_state(seed),
        )
        return ((Xn[:, None] - centers[None]) ** 2).sum(axis=2).argmin(axis=1)

    for split, known in [
        ("digits, known 0-4", [0, 1, 2, 3, 4]),
        ("optdigits split", [1, 2, 7, 8, 9]),
    ]:
        y_semi = np.where(np.isin(y, known), y, -1)
        novel = y_semi == -1
        t0 = time.perf_counter()
        search = GridSearchCV(  # the paper's graph of known and unlabelled rows
            NCDSpectralClustering(5, graph="all", metric="euclidean", random_state=0),
            {
                "affinity": ["dense", "knn"],
                "min_dist": [0.2, 0.5],
                "n_components": [5, 10, 20, 40],
            },
            cv=HiddenClassKFold(5, n_hidden=2, random_state=0),
            scoring=clustering_accuracy_scorer,
            refit=False,
        ).fit(X, y_semi)
        t_search = time.perf_counter() - t0

        def methods(s, Xn=X[novel], y_semi=y_semi, best=search.best_params_):
            yield (
                "scikit-learn KMeans (unlabelled rows)",
                KMeans(5, n_init=10, random_state=s).fit_predict(Xn),
            )
            yield "k-means++ chosen by sum of distances (ablation)", plain_by_distance(Xn, s)
            yield (
                "skcluster NCDKMeans",
                NCDKMeans(5, random_state=s).fit(X, y_semi).labels_[y_semi == -1],
            )
            yield (
                "skcluster NCDKMeans(select_by='inertia')",
                NCDKMeans(5, select_by="inertia", random_state=s)
                .fit(X, y_semi)
                .labels_[y_semi == -1],
            )
            yield (
                "scikit-learn SpectralClustering (unlabelled rows, kNN graph)",
                (
                    SpectralClustering(
                        5, affinity="nearest_neighbors", random_state=s
                    ).fit_predict(Xn)
                ),
            )
            yield (
                f"skcluster NCDSpectralClustering (the paper's graph) {best}",
                NCDSpectralClustering(5, random_state=s, graph="all", metric="euclidean", **best)
                .fit(X, y_semi)
                .labels_[y_semi == -1],
            )
            yield (
                "skcluster NCDSpectralClustering (defaults)",
                NCDSpectralClustering(5, random_state=s).fit(X, y_semi).labels_[y_semi == -1],
            )
            yield (
                "skcluster ProjectionNCD (defaults)",
                ProjectionNCD(5, random_state=s).fit(X, y_semi).labels_[y_semi == -1],
            )

        print(
            f"\n### {split} ({novel.sum()} novel rows); HiddenClassKFold search {t_search:.0f} s"
        )
        print("\n| method | ACC | NMI | ARI |\n|---|---:|---:|---:|")
        scores = {}
        for s in range(10):
            for name, labels in methods(s):
                t = y[novel]
                scores.setdefault(name, []).append(
                    (
                        clustering_accuracy(t, labels),
                        normalized_mutual_info_score(t, labels),
                        adjusted_rand_score(t, labels),
                    )
                )
        for name, values in scores.items():
            m, sd = np.mean(values, axis=0), np.std(values, axis=0)
            cells = " | ".join(f"{a:.3f} ± {b:.3f}" for a, b in zip(m, sd, strict=True))
            print(f"| {name} | {cells} |", flush=True)

    Xb, yb = make_blobs(200_000, n_features=32, centers=20, cluster_std=3.0, random_state=0)
    y_semi = np.where(yb < 10, yb, -1)
    NCDKMeans(10, n_init=1, random_state=0).fit(Xb[:2000], y_semi[:2000])  # compile
    t0 = time.perf_counter()
    ncd = NCDKMeans(10, random_state=0).fit(Xb, y_semi)
    t_ncd = time.perf_counter() - t0
    t0 = time.perf_counter()
    km = KMeans(10, n_init=10, random_state=0).fit(Xb[y_semi == -1])
    t_km = time.perf_counter() - t0
    t = yb[y_semi == -1]
    print("\n### speed: 200,000 x 32, 10 known and 10 novel blobs, n_init=10")
    print("\n| method | time (s) | ACC |\n|---|---:|---:|")
    acc = clustering_accuracy(t, ncd.labels_[y_semi == -1])
    print(f"| skcluster NCDKMeans | {t_ncd:.2f} | {acc:.3f} |")
    print(f"| scikit-learn KMeans | {t_km:.2f} | {clustering_accuracy(t, km.labels_):.3f} |")
    print(f"\nspeed-up: {t_km / t_ncd:.1f}x")


if __name__ == "__main__":
    main()
