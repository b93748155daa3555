"""Global configuration: which backend runs the kernels, how much memory a block may use."""

import threading
from contextlib import contextmanager

_VALID_BACKENDS = ("auto", "numpy", "numba", "cupy")

_global_config = {
    # "auto": NumPy arrays go to the Numba kernels, CuPy arrays to the CuPy kernels.
    # "numpy": the array-namespace reference kernels on NumPy (slow; for checking and debugging).
    # "numba": force the Numba kernels (CuPy input is rejected).
    # "cupy": NumPy inputs are moved to the GPU for each kernel call and the results moved back.
    "backend": "auto",
    # Upper bound, in MiB, on the temporary blocks a kernel allocates (like scikit-learn's).
    "working_memory": 1024,
}
_threadlocal = threading.local()


def _get_threadlocal_config():
    if not hasattr(_threadlocal, "config"):
        _threadlocal.config = _global_config.copy()
    return _threadlocal.config


def get_config():
    """Return a copy of skcluster's current configuration.

    Returns
    -------
    config : dict
        Keys ``backend`` and ``working_memory``; see :func:`set_config`.

    Examples
    --------
    >>> import skcluster
    >>> skcluster.get_config()["backend"]
    'auto'
    """
    return _get_threadlocal_config().copy()


def set_config(backend=None, working_memory=None):
    """Set skcluster's configuration for the current thread.

    Parameters
    ----------
    backend : {"auto", "numpy", "numba", "cupy"}, default=None
        Which kernels run the distance-heavy loops. ``"auto"`` picks Numba for
        NumPy arrays and CuPy for CuPy arrays; ``"numpy"`` runs the reference
        array-namespace kernels on NumPy; ``"numba"`` forces the CPU kernels;
        ``"cupy"`` moves NumPy inputs to the GPU for each kernel call.
        ``None`` leaves the setting unchanged.
    working_memory : int, default=None
        Upper bound in MiB on the temporary blocks one kernel call allocates.
        ``None`` leaves the setting unchanged.

    Examples
    --------
    >>> import skcluster
    >>> skcluster.set_config(working_memory=256)
    >>> skcluster.get_config()["working_memory"]
    256
    >>> skcluster.set_config(working_memory=1024)
    """
    config = _get_threadlocal_config()
    if backend is not None:
        if backend not in _VALID_BACKENDS:
            raise ValueError(f"backend must be one of {_VALID_BACKENDS}, got {backend!r}.")
        config["backend"] = backend
    if working_memory is not None:
        if (
            isinstance(working_memory, bool)
            or not isinstance(working_memory, (int, float))
            or not working_memory > 0
        ):
            raise ValueError(
                f"working_memory must be a positive number of MiB, got {working_memory!r}."
            )
        config["working_memory"] = working_memory


@contextmanager
def config_context(*, backend=None, working_memory=None):
    """Context manager that sets skcluster's configuration within a block.

    Parameters
    ----------
    backend : {"auto", "numpy", "numba", "cupy"}, default=None
        See :func:`set_config`.
    working_memory : int, default=None
        See :func:`set_config`.

    Examples
    --------
    >>> import numpy as np
    >>> import skcluster
    >>> from skcluster.neighbors import NearestNeighbors
    >>> X = np.array([[0.0], [1.0], [3.0]])
    >>> with skcluster.config_context(backend="numpy"):
    ...     NearestNeighbors(n_neighbors=1).fit(X).kneighbors([[0.9]])[1]
    array([[1]])
    """
    old = get_config()
    set_config(backend=backend, working_memory=working_memory)
    try:
        yield
    finally:
        set_config(**old)
