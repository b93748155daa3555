"""skcluster's shared compute layer.

Estimators call the functions below and never write their own distance loops. Each
function checks its inputs once, allocates its outputs and hands the work to the kernels of
one target, chosen by the input's array type and ``skcluster.get_config()["backend"]``
(``_dispatch._KERNELS`` lists them):

- NumPy arrays: the Numba kernels (``_numba_distances``, ``_numba_gaussian``,
  ``_numba_solvers``: Numba loops, BLAS products, threads);
- CuPy arrays, and NumPy ones under ``config_context(backend="numpy")``: the
  array-namespace kernels (``_xp_kernels``), the same code for both;
- SciPy sparse matrices: ``_sparse_kernels`` (distances and neighbours);
- dask arrays (k-means++, Lloyd, distance sums): the same steps over the row blocks
  (``_blocks``).

The functions live by topic: ``_dispatch`` (backend choice, input preparation, outputs),
``_neighbors``, ``_kmeans``, ``_gaussian``, ``_solvers`` and ``_memory`` (row blocks within
the working memory, the memory left). This package imports nothing from the rest of
skcluster but its configuration. Float32 input stays float32; other real input is computed
in float64.
"""

from ._blocks import block_sums, row_offsets
from ._dispatch import (
    CheckedRows,
    array_module,
    check_rows,
    cupy_is_usable,
    device_free_memory,
    get_backend_name,
    is_cupy_array,
    is_dask_collection,
    kernels,
    safe_exponent,
    to_compute_device,
    to_numpy,
)
from ._gaussian import (
    gaussian_em_fit,
    gaussian_em_stats,
    gaussian_log_density,
    gaussian_moments_loglik,
    gaussian_splits,
    logsumexp,
    precision_cholesky,
)
from ._kmeans import (
    bisect_cells,
    center_sums,
    distance_sums,
    kmeans,
    kmeans_plusplus,
    lloyd,
    lloyd_step,
    nearest_center,
    two_means,
)
from ._memory import available_memory, row_chunks, run_aside, single_blas_thread
from ._neighbors import (
    interpolate,
    kneighbors,
    kneighbors_categorical,
    sq_euclidean_distances,
)
from ._solvers import nlr_step, self_expression

__all__ = [
    "CheckedRows",
    "check_rows",
    "is_cupy_array",
    "is_dask_collection",
    "cupy_is_usable",
    "get_backend_name",
    "kernels",
    "array_module",
    "to_compute_device",
    "device_free_memory",
    "available_memory",
    "row_chunks",
    "run_aside",
    "single_blas_thread",
    "to_numpy",
    "safe_exponent",
    "sq_euclidean_distances",
    "kneighbors",
    "kneighbors_categorical",
    "interpolate",
    "nearest_center",
    "center_sums",
    "lloyd_step",
    "lloyd",
    "two_means",
    "bisect_cells",
    "kmeans",
    "kmeans_plusplus",
    "distance_sums",
    "block_sums",
    "row_offsets",
    "logsumexp",
    "gaussian_log_density",
    "gaussian_em_fit",
    "gaussian_splits",
    "gaussian_moments_loglik",
    "gaussian_em_stats",
    "precision_cholesky",
    "nlr_step",
    "self_expression",
]
