"""k nearest neighbours: skcluster vs scikit-learn vs faiss-cpu, in one run on the same data.

Workload of the foundation issue: 100,000 base rows x 100,000 queries x 32 float32 features,
k = 6. Also measures the machine's matrix-product rate in the same run: a large square SGEMM
(the machine's peak) and the very products the search needs, (queries x 33) @ (33 x base)
in the kernel's own blocks and threads without its top-k scan (the GEMM-only floor).

    python benchmarks/bench_neighbors.py             # the issue's workload
    python benchmarks/bench_neighbors.py --n 20000   # quicker
"""

import argparse
import os
import platform
import time

import numpy as np
from threadpoolctl import threadpool_info


def timed(fn, repeat=1):
    best = np.inf
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="base rows = queries")
    parser.add_argument("--d", type=int, default=32)
    parser.add_argument("--k", type=int, default=6)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--skip-sklearn-auto", action="store_true")
    args = parser.parse_args()
    n, d, k = args.n, args.d, args.k

    from sklearn.neighbors import NearestNeighbors as SkNN

    from skcluster.neighbors import NearestNeighbors

    rng = np.random.default_rng(0)
    base = rng.standard_normal((n, d)).astype(args.dtype)
    queries = rng.standard_normal((n, d)).astype(args.dtype)
    flops = 2.0 * n * n * d  # the products of the search (norm terms not counted)

    blas = [
        f"{i.get('internal_api')} {i.get('version')}"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    ]
    machine = platform.processor() or platform.machine()
    print(f"# machine: {machine}, {os.cpu_count()} cores; BLAS: {blas}")
    print(f"# workload: base {n} x {d} {args.dtype}, queries {n}, k={k}")

    # the machine's matrix-product rate, same run
    A = rng.standard_normal((4096, 4096), dtype=np.float32)
    t_sq, _ = timed(lambda: A @ A, repeat=3)
    peak = 2 * 4096**3 / t_sq
    # the same products, blocked and threaded exactly as the kernel runs them, without the
    # top-k scan: what any GEMM-based search must spend at least
    from skcluster._backend._numba_distances import _augment, _block_shape, _run_blocks

    Qa, YaT, _ = _augment(queries.astype(np.float32), base.astype(np.float32))
    rows_b, cols_b = _block_shape(n, n, 4, 1024)
    blocks = [np.ascontiguousarray(YaT[:, j : j + cols_b]) for j in range(0, n, cols_b)]

    def gemm_only():
        def work(b):
            q = Qa[b * rows_b : (b + 1) * rows_b]
            g = np.empty((q.shape[0], cols_b), np.float32)
            for blk in blocks:
                if blk.shape[1] == cols_b:
                    np.dot(q, blk, out=g)
                else:
                    q @ blk

        _run_blocks(work, -(-n // rows_b))

    t_same, _ = timed(gemm_only)
    same = flops / t_same
    print(
        f"# SGEMM 4096^3: {peak / 1e9:.1f} GFLOP/s; same-shape products alone: "
        f"{same / 1e9:.1f} GFLOP/s ({t_same:.2f} s)"
    )

    rows = []
    ours = NearestNeighbors(n_neighbors=k).fit(base)
    ours.kneighbors(queries[:1000])  # compile / load the cached kernels
    t_ours, (_, ind_ours) = timed(lambda: ours.kneighbors(queries))
    rows.append(("skcluster NearestNeighbors", t_ours, 1.0))

    t_brute, (_, ind_brute) = timed(
        lambda: SkNN(n_neighbors=k, algorithm="brute").fit(base).kneighbors(queries)
    )
    rows.append(("scikit-learn brute", t_brute, None))
    if not args.skip_sklearn_auto:
        t_auto, _ = timed(lambda: SkNN(n_neighbors=k).fit(base).kneighbors(queries))
        rows.append(("scikit-learn default (auto)", t_auto, None))
    agree = (ind_ours == ind_brute).mean()

    try:
        import faiss

        index = faiss.IndexFlatL2(d)
        index.add(base.astype(np.float32))  # faiss is float32 only
        t_faiss, (_, ind_faiss) = timed(lambda: index.search(queries.astype(np.float32), k))
        rows.append(("faiss-cpu IndexFlatL2", t_faiss, None))
        agree_faiss = (ind_faiss == ind_ours).mean()
    except ImportError:
        agree_faiss = None
        print("# faiss-cpu not installed: pip install faiss-cpu")

    from skcluster._backend import cupy_is_usable

    if cupy_is_usable():  # the same search on the GPU, CuPy arrays in and out
        import cupy

        gbase, gqueries = cupy.asarray(base), cupy.asarray(queries)
        gpu_nn = NearestNeighbors(n_neighbors=k).fit(gbase)
        gpu_nn.kneighbors(gqueries[:1000])
        cupy.cuda.Device().synchronize()

        def on_gpu():
            out = gpu_nn.kneighbors(gqueries)
            cupy.cuda.Device().synchronize()
            return out

        t_gpu, (_, ind_gpu) = timed(on_gpu)
        rows.append(("skcluster NearestNeighbors, CuPy on the GPU", t_gpu, None))
        print(
            f"# GPU agrees with the CPU on {(ind_gpu.get() == ind_ours).mean():.4%} of neighbours"
        )

    print()
    print("| method | time (s) | skcluster speed-up | GFLOP/s |")
    print("|---|---:|---:|---:|")
    for name, t, _ in rows:
        print(f"| {name} | {t:.2f} | {t / t_ours:.2f}x | {flops / t / 1e9:.1f} |")
    print()
    sk_best = min(t for name, t, _ in rows if name.startswith("scikit"))
    print(f"speed-up over scikit-learn's fastest: {sk_best / t_ours:.2f}x")
    if agree_faiss is not None:
        print(
            f"time relative to faiss-cpu: {t_ours / t_faiss:.2f}x "
            f"(same neighbours: {agree_faiss:.4%})"
        )
    print(f"same neighbours as scikit-learn: {agree:.4%}")
    print(
        f"kernel rate: {flops / t_ours / 1e9:.1f} GFLOP/s = {flops / t_ours / peak:.0%} of "
        f"SGEMM peak, {flops / t_ours / same:.0%} of the same-shape products alone"
    )


if __name__ == "__main__":
    main()
