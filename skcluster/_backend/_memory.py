"""Row blocks whose temporaries stay within the configured working memory; BLAS held to
one thread; the process's one pool of threads."""

import importlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from .._config import config_context, get_config

# a block's temporary need not be large to keep BLAS busy; a smaller cap keeps caches warm
_MAX_BLOCK_MIB = 128


def row_chunks(n_rows, floats_per_row, itemsize=8):
    """Slices covering ``range(n_rows)`` whose blocks of ``floats_per_row`` values per row fit
    in ``min(working_memory, 128)`` MiB (at least one row per block)."""
    budget = min(get_config()["working_memory"], _MAX_BLOCK_MIB) * 2**20
    size = max(1, int(budget // (itemsize * max(1, floats_per_row))))
    for start in range(0, n_rows, size):
        yield slice(start, min(start + size, n_rows))


def available_memory():
    """Bytes of memory this process can still take: the least of the machine's free memory
    (MemAvailable on Linux, else the physical memory), what is left under the process's
    control group limit (cgroup v2 or v1: a container's cap) and what is left under its
    address-space limit (``ulimit -v``). None when none of them can be told."""
    limits = [_machine_available(), _cgroup_available(), _rlimit_available()]
    known = [v for v in limits if v is not None]
    return max(0, min(known)) if known else None


def _machine_available():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _read_number(path):
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # "max": no limit


def _cgroup_available():
    """Limit minus usage of this process's memory control group (v2, then v1)."""
    try:
        with open("/proc/self/cgroup") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # v2
            base = f"/sys/fs/cgroup{path}"
            limit, usage = (
                _read_number(f"{base}/memory.max"),
                _read_number(f"{base}/memory.current"),
            )
        elif "memory" in controllers.split(","):  # v1: the group's folder, or the mount's
            # own view of it (inside a container)
            base = f"/sys/fs/cgroup/memory{path}"
            if _read_number(f"{base}/memory.limit_in_bytes") is None:
                base = "/sys/fs/cgroup/memory"
            limit = _read_number(f"{base}/memory.limit_in_bytes")
            usage = _read_number(f"{base}/memory.usage_in_bytes")
        else:
            continue
        # v1 writes "no limit" as a number near 2^63
        if limit is not None and usage is not None and limit < 2**60:
            return limit - usage
    return None


def _rlimit_available():
    """Address space left under RLIMIT_AS (``ulimit -v``)."""
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft == resource.RLIM_INFINITY:
            return None
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return soft - int(line.split()[1]) * 1024
    except (ImportError, OSError, ValueError):
        pass
    return None


_controller = None


def single_blas_thread():
    """Context in which BLAS runs single-threaded: each of our threads runs its own GEMM,
    and estimators whose loops alternate small BLAS products with the Numba kernels avoid
    BLAS threads spinning against Numba's (3-4x slower EM on small data, 2 cores)."""
    global _controller
    if _controller is None:
        import scipy.linalg  # noqa: F401  (loads the BLAS that np.dot inside Numba calls)
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


_POOL_NAME = "skcluster-blocks"
_pool = None
_pool_lock = threading.Lock()
_layer_to_come = {}  # by Numba's configuration: whether it would load OpenMP or TBB


def _forget_pool():
    global _pool, _pool_lock
    # a forked child has none of the parent's threads (it starts its own), and the lock
    # may have been held by one of them
    _pool, _pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def thread_pool():
    """The process's pool of ``NUMBA_NUM_THREADS`` threads (started on first use: starting
    threads for each call cost ~0.2 ms, as much as an EM pass of 2,048 x 64 rows)."""
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                import numba

                _pool = ThreadPoolExecutor(
                    numba.config.NUMBA_NUM_THREADS, thread_name_prefix=_POOL_NAME
                )
    return _pool


def in_pool():
    """True on one of the pool's threads (whose work runs its blocks itself)."""
    return threading.current_thread().name.startswith(_POOL_NAME)


def run_aside(func, *args):
    """``func(*args)`` on a thread of the pool, as a ``concurrent.futures`` future, under
    the caller's skcluster configuration and Numba thread count (both are per thread), for
    work that overlaps with the caller's own (``func`` should spend most of its time in
    GIL-free kernels). None where there is no other thread to run it on: Numba set to one
    thread, the caller a pool thread, or a Numba threading layer that cannot start
    parallel kernels from two threads at once (workqueue, where neither OpenMP nor TBB is
    installed: it aborts the process); the caller then runs it itself."""
    import numba

    n_threads = numba_threads()
    if n_threads <= 1 or in_pool() or not _threadsafe_layer():
        return None
    config = get_config()

    def run():
        if _layer_started():  # else every thread has the default count
            numba.set_num_threads(n_threads)
        with config_context(**config):
            return func(*args)

    return thread_pool().submit(run)


def _layer_started():
    import numba

    try:
        numba.threading_layer()
        return True
    except ValueError:
        return False


def numba_threads():
    """The caller's Numba thread count (the one place the backend reads it), without
    starting Numba's threading layer (``numba.get_num_threads`` starts it: a process whose
    layer started under GNU OpenMP has forked children abort on their first parallel
    kernel; before the layer starts, no thread has changed its count from
    ``NUMBA_NUM_THREADS``)."""
    import numba

    return numba.get_num_threads() if _layer_started() else numba.config.NUMBA_NUM_THREADS


def _threadsafe_layer():
    """Whether Numba's threading layer is, or will be, OpenMP or TBB (parallel kernels
    may start from two threads at once), told without starting it: starting it (its
    threads) in a fit that needs no parallel kernel would leave a process whose forked
    children abort on their first parallel kernel under GNU OpenMP. Unsure means no."""
    import numba

    if _layer_started():
        return numba.threading_layer() in ("omp", "tbb")
    key = (str(numba.config.THREADING_LAYER), tuple(numba.config.THREADING_LAYER_PRIORITY))
    if key not in _layer_to_come:
        _layer_to_come[key] = _layer_numba_would_load()
    return _layer_to_come[key]


def _layer_numba_would_load():
    """Whether the layer Numba would load, choosing as it does, is OpenMP or TBB."""
    import numba

    try:
        layer = str(numba.config.THREADING_LAYER).lower()
        if layer in ("safe", "threadsafe"):  # TBB, or TBB or OpenMP
            return True
        names = {"default": list(numba.config.THREADING_LAYER_PRIORITY)}.get(layer, [layer])
        for name in names:
            if name == "workqueue":
                return False
            try:
                if name == "tbb":  # Numba checks the TBB version first
                    importlib.import_module(
                        "numba.np.ufunc.parallel"
                    )._check_tbb_version_compatible()
                importlib.import_module(f"numba.np.ufunc.{name}pool")
                return True
            except ImportError:
                continue
    except Exception:
        pass
    return False
