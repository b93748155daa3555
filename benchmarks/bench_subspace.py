"""Subspace clustering: DeepSubspaceClustering against what a user would run instead
(scikit-learn's SpectralClustering on a 10-nearest-neighbour graph) and the closed-form
linear baseline (LeastSquaresSubspaceClustering), in one run.

Data: scikit-learn's digits (bundled), and the face and object benchmarks of the deep
subspace clustering literature when their .mat files (from the DSC-Net repository,
github.com/panji1990/Deep-subspace-clustering-networks, Data/ORL_32x32.mat and
Data/COIL20.mat) are in --data-dir: fetch them yourself, never commit them. ORL's pixels are
scaled to [0, 1]; COIL-20's already are. No label is used for training, stopping or tuning;
every method gets the true number of clusters. subspace_dim is 9 for the images (the
dimension of a face's illumination subspace) and 10 for digits.

    python benchmarks/bench_subspace.py --data-dir /path/to/mat --seeds 3   # ~40 min, 2 cores

With ``--gpu`` (a machine with CuPy and a GPU) both subspace estimators also fit the same
rows given as a CuPy array, after a small warm-up fit (CuPy compiles its kernels once), and
the GPU's speed-up over the same estimator on the machine's CPU cores is printed.
"""

import argparse
import os
import platform
import time
import tracemalloc

import numpy as np


def datasets(data_dir):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    yield "digits (1,797 x 64)", X, y, 10, (8, 8)
    if not data_dir:
        return
    from scipy.io import loadmat

    for name, file, scale in [
        ("ORL (400 x 1,024)", "ORL_32x32.mat", 255.0),
        ("COIL-20 (1,440 x 1,024)", "COIL20.mat", 1.0),
    ]:
        path = os.path.join(data_dir, file)
        if not os.path.exists(path):
            print(f"# {path} not found: {name} skipped")
            continue
        m = loadmat(path)
        yield name, m["fea"].astype(float) / scale, m["gnd"].ravel().astype(int), 9, (32, 32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--gpu", action="store_true", help="also fit on CuPy arrays")
    parser.add_argument(
        "--methods", nargs="*", help="only the methods whose label holds one of these words"
    )
    parser.add_argument("--only", nargs="*", help="only the data sets whose name starts so")
    parser.add_argument(
        "--memory", action="store_true", help="peak memory per fit (tracemalloc: slower fits)"
    )
    args = parser.parse_args()

    import sklearn
    from sklearn.cluster import SpectralClustering
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    import skcluster
    from skcluster.cluster import DeepSubspaceClustering, LeastSquaresSubspaceClustering
    from skcluster.metrics import clustering_accuracy

    print(
        f"# machine: {platform.machine()}, {os.cpu_count()} cores; skcluster "
        f"{skcluster.__version__}, scikit-learn {sklearn.__version__}"
    )
    to_device, to_host = (lambda X: X), (lambda a: a)
    if args.gpu:
        import cupy as cp

        from skcluster.datasets import make_subspaces

        gpu = cp.cuda.runtime.getDeviceProperties(0)["name"].decode()
        print(f"# GPU: {gpu}, CuPy {cp.__version__}")
        to_device, to_host = cp.asarray, (lambda a: a.get() if hasattr(a, "get") else a)
        Xw, _ = make_subspaces(200, n_features=20, n_subspaces=4, subspace_dim=3, random_state=0)
        for cls in (LeastSquaresSubspaceClustering, DeepSubspaceClustering):
            cls(4, subspace_dim=3, random_state=0).fit(cp.asarray(Xw))  # warm-up
    print(
        "\n| data | method | accuracy | NMI | ARI | time (s) | peak memory (MiB) | "
        "epochs per stage | accuracy per seed |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---|---|")
    for name, X, y, dim, shape in datasets(args.data_dir):
        if args.only and not any(name.startswith(w) for w in args.only):
            continue
        K = len(np.unique(y))
        methods = [
            (
                "SpectralClustering, 10-NN graph (scikit-learn)",
                lambda s, K=K, dim=dim: SpectralClustering(
                    K, affinity="nearest_neighbors", n_neighbors=10, random_state=s
                ),
            ),
            (
                "LeastSquaresSubspaceClustering",
                lambda s, K=K, dim=dim: LeastSquaresSubspaceClustering(
                    K, subspace_dim=dim, random_state=s
                ),
            ),
            (
                "DeepSubspaceClustering",
                lambda s, K=K, dim=dim: DeepSubspaceClustering(
                    K, subspace_dim=dim, random_state=s
                ),
            ),
            (
                f"DeepSubspaceClustering, image_shape={shape}",
                lambda s, K=K, dim=dim, shape=shape: DeepSubspaceClustering(
                    K, subspace_dim=dim, image_shape=shape, random_state=s
                ),
            ),
        ]
        if args.methods:
            methods = [m for m in methods if any(w in m[0] for w in args.methods)]
        if args.gpu:
            methods += [(f"{label} (CuPy)", make) for label, make in methods[1:]]
        cpu_time = {}
        for label, make in methods:
            scores, times, peaks, epochs = [], [], [], []
            on_gpu = label.endswith("(CuPy)")
            for seed in range(args.seeds):
                est = make(seed)
                Xs = to_device(X) if on_gpu else X
                if args.memory:
                    tracemalloc.start()  # NumPy reports its buffers to tracemalloc
                t0 = time.perf_counter()
                pred = to_host(est.fit_predict(Xs))
                times.append(time.perf_counter() - t0)
                if args.memory:
                    peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
                    tracemalloc.stop()
                scores.append(
                    (
                        clustering_accuracy(y, pred),
                        normalized_mutual_info_score(y, pred),
                        adjusted_rand_score(y, pred),
                    )
                )
                if hasattr(est, "n_epochs_"):
                    epochs.append("/".join(str(v) for v in est.n_epochs_.values()))
            acc, nmi, ari = np.mean(scores, axis=0)
            speed = ""
            if on_gpu:
                speed = f" ({cpu_time[label[: -len(' (CuPy)')]] / np.mean(times):.1f}x the CPU)"
            cpu_time[label] = np.mean(times)
            print(
                f"| {name} | {label} | {acc:.3f} | {nmi:.3f} | {ari:.3f} | "
                f"{np.mean(times):.1f}{speed} | {f'{max(peaks):.0f}' if peaks else ''} | "
                f"{', '.join(epochs)} | {' / '.join(f'{a:.3f}' for a, _, _ in scores)} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
