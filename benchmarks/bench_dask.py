"""PPP on dask: in one process vs on a LocalCluster, and out of core, in one run.

1. PPP on 2,000,000 x 16 rows (20 Gaussians, as bench_ppp.py) in one process on a NumPy
   array, then on a dask array of the same rows held by a LocalCluster of two worker
   processes (one thread each); the ratio, and whether both found the same clusters.
2. PPP on 20,000,000 x 16 float32 rows read from Parquet (the data of
   examples/dask_out_of_core.py, written to a temporary folder first) by two workers whose
   memory limit is well below the data set's size; time and each worker's peak memory.

    python benchmarks/bench_dask.py                     # both parts (~15 min on 2 cores)
    python benchmarks/bench_dask.py --big 2000000 --out-of-core 2000000
"""

import argparse
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path


def cluster(memory_limit):
    from distributed import LocalCluster

    # one Numba thread per worker: two workers already use both cores
    return LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        memory_limit=memory_limit,
        dashboard_address=None,
        silence_logs=logging.ERROR,
        env={"NUMBA_NUM_THREADS": "1"},
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=2_000_000)
    parser.add_argument("--out-of-core", type=int, default=20_000_000)
    parser.add_argument("--memory-limit", default="800MiB")
    args = parser.parse_args()

    import dask
    import dask.array as da
    import dask.dataframe as dd
    import distributed
    from distributed import Client
    from sklearn.metrics import adjusted_rand_score

    import skcluster
    from skcluster.cluster import PPP
    from skcluster.datasets import make_gaussian_mixture

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
    from dask_out_of_core import N_FEATURES, peak_memory_mib, watch_memory, write_parquet

    print(
        f"# machine: {platform.machine()}, {os.cpu_count()} cores; skcluster "
        f"{skcluster.__version__}, dask {dask.__version__}, distributed {distributed.__version__}"
    )
    X, y = make_gaussian_mixture(
        args.big, 16, 20, separation=2.0, anisotropy=3.0, scale_range=2.0, random_state=0
    )
    PPP().fit(X[:3000])  # compile / load the cached kernels outside the timings
    t0 = time.perf_counter()
    ref = PPP().fit(X)
    t_mem = time.perf_counter() - t0
    with cluster("4GiB") as lc, Client(lc) as client:
        with warnings.catch_warnings():  # "large graph": the rows go to the workers once
            warnings.simplefilter("ignore", UserWarning)
            Xd = client.persist(da.from_array(X, chunks=(250_000, -1)))
        distributed.wait(Xd)
        PPP().fit(Xd[:3000].rechunk({0: 1500}))  # workers load the kernels
        t0 = time.perf_counter()
        got = PPP().fit(Xd)
        labels = got.labels_.compute()
        t_dask = time.perf_counter() - t0
    same = adjusted_rand_score(ref.labels_, labels)
    print(f"## PPP, {args.big:,} x 16, 20 Gaussians")
    print("| run | time (s) | clusters | cells | EM iterations | ARI to truth |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, est, t, lab in [
        ("one process (NumPy)", ref, t_mem, ref.labels_),
        ("dask, 2 workers", got, t_dask, labels),
    ]:
        print(
            f"| {name} | {t:.1f} | {est.n_clusters_} | {est.n_cells_} | {est.n_iter_} | "
            f"{adjusted_rand_score(y, lab):.3f} |"
        )
    print(f"dask / one process: {t_dask / t_mem:.2f}x the time; ARI between the two: {same:.4f}")
    del X, y, Xd

    workdir = Path(tempfile.mkdtemp(prefix="skcluster-bench-dask-"))
    try:
        with cluster(args.memory_limit) as lc, Client(lc) as client:
            client.run(watch_memory)
            t0 = time.perf_counter()
            write_parquet(workdir / "data.parquet", args.out_of_core)
            t_write = time.perf_counter() - t0
            size = sum(f.stat().st_size for f in (workdir / "data.parquet").iterdir()) / 2**30
            table = dd.read_parquet(workdir / "data.parquet").to_dask_array(lengths=True)
            t0 = time.perf_counter()
            ppp = PPP().fit(table[:, :N_FEATURES])
            t_fit = time.perf_counter() - t0
            peaks = client.run(peak_memory_mib)
        print(
            f"## PPP out of core, {args.out_of_core:,} x {N_FEATURES} float32 from Parquet "
            f"({size:.2f} GiB on disk, written in {t_write:.0f} s)"
        )
        print(
            f"worker memory limit {args.memory_limit} each; fit {t_fit:.0f} s; "
            f"{ppp.n_clusters_} clusters (6 generated), {ppp.n_cells_} cells, "
            f"{ppp.n_iter_} EM iterations; peak memory per worker (MiB): "
            f"{[round(v) for v in peaks.values()]}"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
