"""
Out of core with Dask: PPP and SMOTE on Parquet data larger than the workers' memory
====================================================================================

Writes 20,000,000 rows x 16 float32 features (1.2 GiB, six Gaussian clusters, 1% of the rows
in a rare class) to Parquet in chunks, then, on a ``dask.distributed.LocalCluster`` of two
worker processes whose memory limit is well below the data set's size:

1. ``ProbabilisticPartitivePartitioning`` finds the clusters: one pass reduces every
   partition to cells, the divisive stage runs on the cells, and each EM iteration on the
   rows is one more pass; the labels are written back to Parquet block by block.
2. ``SMOTE`` over-samples the rare class: its rows are gathered (200,000 rows, 12 MiB), their
   neighbours searched in memory, and the synthetic rows are made partition by partition as
   they are written out.

The peak memory of each worker is printed at the end. Run it with ``--rows 2000000`` for a
quicker look (under a minute on two cores); the full size takes about six and a half
minutes there (write 53 s, PPP 180 s, SMOTE with its output 104 s; peak 600 MiB per worker).
Needs the ``dask`` extra (``pip install "skcluster[dask]"``).
"""

import argparse
import logging
import shutil
import tempfile
import threading
import time
from pathlib import Path

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from distributed import Client, LocalCluster

from skcluster.cluster import PPP
from skcluster.over_sampling import SMOTE

N_FEATURES, N_CLUSTERS = 16, 6
CENTERS = np.random.default_rng(0).normal(0.0, 6.0, (N_CLUSTERS, N_FEATURES))


def make_partition(seed, n_rows):
    """One partition: rows of six Gaussian clusters, and a rare class (1%) among them."""
    rng = np.random.default_rng(seed)
    cluster = rng.integers(N_CLUSTERS, size=n_rows)
    X = CENTERS[cluster] + rng.normal(size=(n_rows, N_FEATURES))
    frame = pd.DataFrame(X.astype(np.float32), columns=[f"x{j}" for j in range(N_FEATURES)])
    frame["rare"] = (rng.uniform(size=n_rows) < 0.01).astype(np.int8)
    return frame


def write_parquet(path, n_rows, rows_per_partition=250_000):
    sizes = [rows_per_partition] * (n_rows // rows_per_partition)
    if n_rows % rows_per_partition:
        sizes.append(n_rows % rows_per_partition)
    meta = make_partition(0, 1).iloc[:0]
    parts = [dask.delayed(make_partition)(seed, m) for seed, m in enumerate(sizes)]
    dd.from_delayed(parts, meta=meta).to_parquet(path, write_index=False)


def watch_memory(dask_worker, interval=0.02):
    """Sample the worker process's resident memory in a thread, keeping the peak on the
    worker (``getrusage``'s peak would include the parent's, which Linux keeps across
    exec)."""
    import psutil

    def sample():
        me = psutil.Process()
        while True:
            rss = me.memory_info().rss
            dask_worker.peak_rss = max(getattr(dask_worker, "peak_rss", 0), rss)
            time.sleep(interval)

    threading.Thread(target=sample, daemon=True).start()


def peak_memory_mib(dask_worker):
    return getattr(dask_worker, "peak_rss", 0) / 2**20


def main(n_rows, memory_limit, workdir):
    data, out = workdir / "data.parquet", workdir / "out"
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            memory_limit=memory_limit,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(watch_memory)
        start = time.perf_counter()
        write_parquet(data, n_rows)
        size = sum(f.stat().st_size for f in data.glob("*.parquet")) / 2**30
        print(
            f"wrote {n_rows:,} rows to Parquet ({size:.2f} GiB) in "
            f"{time.perf_counter() - start:.0f} s; worker memory limit {memory_limit}"
        )

        frame = dd.read_parquet(data)
        features = [c for c in frame.columns if c.startswith("x")]
        table = frame.to_dask_array(lengths=True)  # one float32 array: features, then "rare"
        X, y = table[:, :N_FEATURES], table[:, N_FEATURES].astype(np.int8)

        start = time.perf_counter()
        ppp = PPP(verbose=1).fit(X)
        print(
            f"PPP: {ppp.n_clusters_} clusters (true {N_CLUSTERS}) from {ppp.n_cells_} cells, "
            f"{ppp.n_iter_} EM iterations, {time.perf_counter() - start:.0f} s"
        )
        labels = dd.from_dask_array(ppp.labels_, columns="cluster").to_frame()
        labels.to_parquet(out / "labels.parquet", write_index=False)

        start = time.perf_counter()
        X_res, y_res = SMOTE(sampling_strategy=0.05, random_state=0).fit_resample(X, y)
        dd.from_dask_array(X_res, columns=features).to_parquet(
            out / "resampled.parquet", write_index=False
        )
        counts = np.bincount(y_res.compute())
        print(
            f"SMOTE: {X_res.shape[0]:,} rows written, class counts {counts.tolist()}, "
            f"{time.perf_counter() - start:.0f} s"
        )

        peaks = client.run(peak_memory_mib)
        print("peak memory per worker (MiB):", [round(v) for v in peaks.values()])
        return ppp, peaks


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--memory-limit", default="800MiB", help="per worker")
    parser.add_argument("--workdir", type=Path, default=None, help="kept if given")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="skcluster-dask-"))
    try:
        main(args.rows, args.memory_limit, workdir)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
