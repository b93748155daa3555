"""Report the versions of skcluster, its dependencies and whether a GPU backend is usable."""

import platform
import sys
from importlib.metadata import PackageNotFoundError, version


def _versions():
    deps = [
        "skcluster",
        "numpy",
        "scipy",
        "scikit-learn",
        "numba",
        "imbalanced-learn",
        "threadpoolctl",
        "cupy",
        "cupy-cuda12x",
        "cupy-cuda13x",
    ]
    info = {}
    for dep in deps:
        try:
            info[dep] = version(dep)
        except PackageNotFoundError:
            info[dep] = None
    return info


def show_versions():
    """Print the Python, platform and dependency versions and the usable backends.

    Examples
    --------
    >>> import skcluster
    >>> skcluster.show_versions()  # doctest: +ELLIPSIS
    python: ...
    """
    from ._backend import cupy_is_usable

    print(f"python: {sys.version.split()[0]}")
    print(f"platform: {platform.platform()}")
    for dep, ver in _versions().items():
        if ver is not None or not dep.startswith("cupy"):
            print(f"{dep}: {ver}")
    print(f"cupy usable: {cupy_is_usable()}")
