"""Row blocks whose temporaries stay within the configured working memory."""

import os

from .._config import get_config

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
    """Bytes of memory this process can still take (MemAvailable on Linux, else physical)."""
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
