"""The shared backend on a GPU: each kernel timed with Numba (all CPU cores) and CuPy, one run.

Run it on a machine with a GPU (``benchmarks/gpu_check.sh`` does, after the GPU tests). For
each workload both backends get the same arrays; the script prints the best of ``--repeat``
timings after a warm-up call (Numba compilation and CuPy kernel caching stay out of the
numbers), the speed-up, and the largest difference between the two results.

    python benchmarks/bench_gpu.py              # about 2-4 minutes with imbalanced-learn
    python benchmarks/bench_gpu.py --skip-imblearn
"""

import argparse
import os
import platform
import time

import numpy as np


def best_of(fn, repeat, sync):
    fn()  # warm-up
    sync()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        sync()
        times.append(time.perf_counter() - t0)
    return min(times), out


def host(a):
    return a.get() if hasattr(a, "get") else np.asarray(a)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-imblearn", action="store_true")
    parser.add_argument("--part", choices=["all", "kernels", "samplers"], default="all")
    args = parser.parse_args()

    import cupy as cp

    import skcluster
    from skcluster import _backend as B
    from skcluster import config_context

    if not B.cupy_is_usable():
        raise SystemExit("CuPy cannot run on a GPU here.")
    gpu = cp.cuda.runtime.getDeviceProperties(0)["name"].decode()
    print(
        f"# machine: {platform.machine()}, {os.cpu_count()} cores, GPU {gpu}; skcluster "
        f"{skcluster.__version__}, CuPy {cp.__version__}"
    )

    def sync():
        cp.cuda.Device().synchronize()

    rng = np.random.default_rng(0)

    def compare(name, cpu_fn, gpu_fn):
        t_cpu, r_cpu = best_of(cpu_fn, args.repeat, sync)
        t_gpu, r_gpu = best_of(gpu_fn, args.repeat, sync)
        diff = max(
            float(np.max(np.abs(host(a).astype(float) - host(b).astype(float))))
            for a, b in zip(r_cpu, r_gpu, strict=True)
        )
        speed = t_cpu / t_gpu
        print(f"| {name} | {t_cpu:.3f} | {t_gpu:.3f} | {speed:.1f}x | {diff:.1e} |", flush=True)

    print("\n| kernel | Numba, CPU (s) | CuPy, GPU (s) | speed-up | max abs difference |")
    print("|---|---:|---:|---:|---:|")

    if args.part != "samplers":
        kernels(args, rng, compare, B, cp)
    if args.part != "kernels":
        samplers(args, B, config_context)


def kernels(args, rng, compare, B, cp):
    n = args.n
    # k nearest neighbours: SMOTE's minority-only search (n/10 x n/10) and BorderlineSMOTE's
    # minority queries against every row (n/10 x n)
    X32 = rng.standard_normal((n, 32)).astype(np.float32)
    gX32 = cp.asarray(X32)
    m = n // 10
    compare(
        f"kneighbors k=6, {m:,} x {m:,} x 32 float32",
        lambda: B.kneighbors(X32[:m], X32[:m], 6, exclude_self=True)[:1],
        lambda: B.kneighbors(gX32[:m], gX32[:m], 6, exclude_self=True)[:1],
    )
    compare(
        f"kneighbors k=11, {m:,} x {n:,} x 32 float32",
        lambda: B.kneighbors(X32[:m], X32, 11)[:1],
        lambda: B.kneighbors(gX32[:m], gX32, 11)[:1],
    )
    # one Lloyd iteration (assignment and centre sums), K = 256
    C = X32[:256].copy()
    gC = cp.asarray(C)
    compare(
        f"lloyd_step K=256, {n:,} x 32 float32",
        lambda: B.lloyd_step(X32, C)[2:3],
        lambda: B.lloyd_step(gX32, gC)[2:3],
    )
    # one EM pass (log-likelihood and M-step sums), K = 10 full covariances in 2-D (CLAMS, PPP)
    X2 = rng.standard_normal((n, 2)) * 3
    gX2 = cp.asarray(X2)
    means = X2[:10] + 0.1
    covs = np.stack([np.eye(2) * (1 + k / 10) for k in range(10)])
    w = np.full(10, 0.1)
    compare(
        f"gaussian_em_stats K=10, {n:,} x 2 float64",
        lambda: B.gaussian_em_stats(X2, w, means, covs)[1:2],
        lambda: B.gaussian_em_stats(gX2, w, means, covs)[1:2],
    )
    # one step of the nonnegative low-rank SDP (SDPKMeans, iLA-SDP): B=1, d=8, r=20
    d, r = 8, 20
    Xw = rng.standard_normal((1, n, d)) / np.sqrt(n)
    q = np.einsum("bid,bid->bi", Xw, Xw)
    U = np.abs(rng.standard_normal((1, n, r))) / np.sqrt(n * r)
    y = np.zeros(n)
    kw = dict(beta=1.0, step=1e-3, target=np.array([5.0]), dual=False)
    g = [cp.asarray(a) for a in (Xw, q, np.zeros(1), U, y)]
    out, gout = np.empty_like(U), cp.empty_like(g[3])

    def nlr_cpu():
        B.nlr_step(Xw, q, np.zeros(1), U, y, out=out, **kw)
        return (out,)

    def nlr_gpu():
        B.nlr_step(*g, out=gout, **{**kw, "target": cp.asarray(kw["target"])})
        return (gout,)

    compare(f"nlr_step r=20, {n:,} x 8 float64", nlr_cpu, nlr_gpu)


def samplers(args, B, config_context):
    from sklearn.datasets import make_classification

    from skcluster.over_sampling import SMOTE, BorderlineSMOTE

    n = args.n
    # whole samplers on 1,000,000 x 32 float64, 10% minority: Numba vs backend="cupy"
    # (NumPy in, NumPy out; the neighbour searches run on the GPU)
    X, yc = make_classification(
        n_samples=n, n_features=32, n_informative=16, weights=[0.9], flip_y=0.01, random_state=0
    )
    print("\n| sampler | Numba, CPU (s) | backend='cupy' (s) | imbalanced-learn (s) | same rows |")
    print("|---|---:|---:|---:|---|")
    for cls in (SMOTE, BorderlineSMOTE):
        cls(random_state=0).fit_resample(X[:5000], yc[:5000])
        with config_context(backend="cupy"):
            cls(random_state=0).fit_resample(X[:5000], yc[:5000])
        t0 = time.perf_counter()
        Xa, _ = cls(random_state=0).fit_resample(X, yc)
        t_cpu = time.perf_counter() - t0
        t0 = time.perf_counter()
        with config_context(backend="cupy"):
            Xg, _ = cls(random_state=0).fit_resample(X, yc)
        t_gpu = time.perf_counter() - t0
        same = np.mean(np.all(np.isclose(Xa, Xg), axis=1))
        t_imb = float("nan")
        if not args.skip_imblearn and cls is SMOTE:
            import imblearn.over_sampling as imb

            t0 = time.perf_counter()
            imb.SMOTE(random_state=0).fit_resample(X, yc)
            t_imb = time.perf_counter() - t0
        name = cls.__name__
        print(f"| {name} | {t_cpu:.1f} | {t_gpu:.1f} | {t_imb:.1f} | {same:.2%} |", flush=True)


if __name__ == "__main__":
    main()
