"""Backend choice and input checks: bad input is a clear error, CPU backends refuse CuPy
arrays."""

import numpy as np
import pytest

from skcluster import _backend as B
from skcluster import config_context


@pytest.mark.parametrize(
    "bad, match",
    [
        (np.array([[np.nan, 1.0], [0.0, 1.0]]), "NaN or infinity"),
        (np.array([[np.inf, 1.0], [0.0, 1.0]]), "NaN or infinity"),
        (np.zeros((2, 2, 2)), "2-D array"),
        (np.zeros((0, 2)), "empty"),
        (np.zeros((3, 0)), "empty"),
        (np.array([["a", "b"]]), "numeric"),
    ],
)
def test_bad_input_is_a_clear_value_error(backend, bad, match):
    good = np.ones((3, 2))
    with pytest.raises(ValueError, match=match):
        B.sq_euclidean_distances(bad, good if bad.ndim != 2 or bad.shape[1] == 2 else None)
    with pytest.raises(ValueError, match=match):
        B.kneighbors(good, bad, 1)


def test_cpu_backends_reject_cupy_like_input():
    class FakeCupyArray:  # only its module name matters to the dispatcher
        __module__ = "cupy._core.core"

    with config_context(backend="numba"), pytest.raises(TypeError, match="CPU"):
        B.get_backend_name(FakeCupyArray())


def test_array_module_and_compute_device_keep_numpy_on_the_host():
    X = np.ones((3, 2))
    assert B.array_module(X) is np
    assert B.to_compute_device(X) is X  # backend "auto": NumPy input is not copied anywhere
    with config_context(backend="numpy"):
        assert B.to_compute_device(X) is X
    assert B.device_free_memory(False) > 0


def test_checked_rows_give_the_plain_arrays_results(backend, rng):
    # the private entry point of estimators' loops: rows checked once, results unchanged
    X = rng.standard_normal((300, 4))
    C = X[:5].copy()
    means, covs = X[:3].copy(), np.stack([np.eye(4)] * 3)
    rows = B.check_rows(X)
    assert rows.shape == X.shape and rows.dtype == np.float64
    calls = [
        lambda A: B.nearest_center(A, C),
        lambda A: B.lloyd(A, C, max_iter=5),
        lambda A: B.center_sums(A, np.arange(300) % 5, 5),
        lambda A: B.kmeans_plusplus(A, 3, random_state=0),
        lambda A: B.kneighbors(A, X, 3),
        lambda A: B.gaussian_log_density(A, means, covs),
        lambda A: B.gaussian_em_stats(A, np.full(3, 1 / 3), means, covs)[:2],
    ]
    for call in calls:
        for got, want in zip(call(rows), call(X), strict=True):
            np.testing.assert_array_equal(B.to_numpy(got), B.to_numpy(want))
    # float32 rows with float64 centres: the plain arrays' rule (computed in float64)
    rows32 = B.check_rows(X.astype(np.float32))
    got = B.nearest_center(rows32, C)[1]
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, B.nearest_center(X.astype(np.float32), C)[1])
    with pytest.raises(ValueError, match="NaN"):
        B.check_rows(np.array([[0.0, np.nan]]))


def test_checked_rows_take_the_general_path_where_it_would_differ(rng):
    from scipy import sparse

    X = rng.standard_normal((60, 3))
    X32 = X.astype(np.float32)
    # two checked sets of other dtypes: computed in float64 like the plain arrays
    got = B.sq_euclidean_distances(B.check_rows(X32), B.check_rows(X))
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, B.sq_euclidean_distances(X32, X))
    # a sparse partner: the sparse search, as for the plain array
    d, i = B.kneighbors(B.check_rows(X), sparse.csr_matrix(X), 3)
    d0, i0 = B.kneighbors(X, sparse.csr_matrix(X), 3)
    np.testing.assert_array_equal(i, i0)
    np.testing.assert_array_equal(d, d0)
    # rows checked under one backend, used under another: the backend of the call
    rows = B.check_rows(X)
    with config_context(backend="numpy"):
        assert B.get_backend_name(X) == "numpy"
        np.testing.assert_array_equal(
            B.nearest_center(rows, X[:4])[1], B.nearest_center(X, X[:4])[1]
        )


def test_kmeans_functions_check_the_data_first():
    with pytest.raises(ValueError, match="NaN"):
        B.kmeans_plusplus(np.array([[np.nan]]), 0)
    with pytest.raises(ValueError, match="NaN"):
        B.lloyd(np.array([[np.nan]]), np.zeros((1, 1)), max_iter=0)


def test_block_runner_runs_every_block_once_nested_or_failing():
    from skcluster._backend._numba_distances import _run_blocks

    seen = []

    def outer(b):  # a block that runs blocks itself (on a pool thread: in that thread)
        inner = []
        _run_blocks(inner.append, 5)
        seen.append((b, sorted(inner)))

    _run_blocks(outer, 7)
    assert sorted(seen) == [(b, list(range(5))) for b in range(7)]

    def fail(b):
        if b == 3:
            raise RuntimeError("block 3")

    with pytest.raises(RuntimeError, match="block 3"):
        _run_blocks(fail, 6)


def _blocks_in_a_child(queue):
    from skcluster._backend._numba_distances import _run_blocks

    seen = []
    _run_blocks(seen.append, 9)
    queue.put(sorted(seen))


def test_block_runner_works_in_a_forked_child():
    """The parent's pool threads do not exist in a forked child: it must not wait on them."""

    from skcluster._backend._numba_distances import _run_blocks

    _run_blocks(lambda b: None, 4)  # the parent's pool exists
    assert _forked(_blocks_in_a_child, "the block runner hung") == list(range(9))


def _forked(target, hang, lock=None):
    """What ``target(queue)`` puts in the queue in a forked child (forked while holding
    ``lock``); fails with ``hang`` when the child does not finish."""
    import contextlib
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    with lock or contextlib.nullcontext():
        child = ctx.Process(target=target, args=(queue,))
        child.start()
    child.join(60)
    if child.is_alive():
        child.kill()
        pytest.fail(f"{hang} in a forked child")
    return queue.get(timeout=5)


def test_work_run_aside_sees_the_callers_configuration():
    """skcluster's configuration and Numba's thread count are per thread: work run aside
    on the pool runs under the caller's (the pool's threads would otherwise use the
    defaults: backend "auto", 1,024 MiB of working memory)."""
    import numba

    import skcluster

    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("one thread: nothing runs aside")

    def seen():
        return skcluster.get_config(), numba.get_num_threads(), B._memory.in_pool()

    before = numba.get_num_threads()
    numba.set_num_threads(2)
    try:
        with skcluster.config_context(backend="numpy", working_memory=64):
            future = B.run_aside(seen)
            assert future is not None  # OpenMP or TBB layer (CI's Linux)
            config, threads, on_pool = future.result()
            assert config == {"backend": "numpy", "working_memory": 64}
            assert threads == 2 and on_pool
            assert B.run_aside(seen) is not None
        numba.set_num_threads(1)
        assert B.run_aside(seen) is None  # one thread: the caller runs it
    finally:
        numba.set_num_threads(before)


def test_a_small_fit_leaves_forked_children_able_to_run_parallel_kernels():
    """Starting Numba's threading layer under GNU OpenMP makes a forked child abort on its
    first parallel kernel; a small PPP fit (steps ahead on the pool, no parallel kernel)
    must not start it. In a fresh interpreter: this one has started it already."""
    import multiprocessing
    import subprocess
    import sys

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork here")
    code = """
import multiprocessing, numpy as np
from sklearn.datasets import make_blobs
from skcluster import _backend
from skcluster.cluster import PPP
PPP().fit(make_blobs(600, centers=3, random_state=0)[0])
def child(q):
    q.put(float(_backend.logsumexp(np.zeros((300, 300))).sum()))  # a parallel kernel
ctx = multiprocessing.get_context("fork")
q = ctx.Queue()
p = ctx.Process(target=child, args=(q,))
p.start()
p.join(60)
print(p.exitcode, q.get(timeout=5) if p.exitcode == 0 else None)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    exitcode, total = out.stdout.split()
    assert exitcode == "0", out.stderr
    assert float(total) == pytest.approx(300 * np.log(300))


def test_the_layer_numba_would_load_is_told_without_starting_it(monkeypatch):
    """Work runs aside only under a threading layer that lets parallel kernels start from
    two threads (OpenMP, TBB), told as Numba would choose it: workqueue never."""
    import numba

    from skcluster._backend._memory import _layer_numba_would_load

    monkeypatch.setattr(numba.config, "THREADING_LAYER", "workqueue")
    assert not _layer_numba_would_load()
    monkeypatch.setattr(numba.config, "THREADING_LAYER", "threadsafe")
    assert _layer_numba_would_load()
    monkeypatch.setattr(numba.config, "THREADING_LAYER", "default")
    monkeypatch.setattr(numba.config, "THREADING_LAYER_PRIORITY", ["workqueue", "omp", "tbb"])
    assert not _layer_numba_would_load()


def _pool_in_a_child(queue):
    from skcluster._backend._memory import thread_pool

    queue.put(thread_pool().submit(lambda: 7).result(timeout=30))


def test_a_forked_child_gets_a_pool_while_the_parent_creates_one():
    """Forked while another thread holds the pool's lock, the child starts its own pool
    (it does not wait on the parent's lock forever)."""
    import multiprocessing

    from skcluster._backend import _memory

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork here")
    # forked while holding the lock, as a thread inside thread_pool() at the fork
    assert _forked(_pool_in_a_child, "the pool's lock was held", _memory._pool_lock) == 7
