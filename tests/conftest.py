import numpy as np
import pytest

from skcluster import config_context
from skcluster._backend import cupy_is_usable

# "numba" is the CPU path users get; "numpy" runs the CuPy kernels' code on NumPy. On a
# machine with a usable GPU the same tests also run with backend="cupy" (NumPy in, NumPy out).
CPU_BACKENDS = ["numba", "numpy"]
BACKENDS = CPU_BACKENDS + (["cupy"] if cupy_is_usable() else [])


@pytest.fixture(params=BACKENDS)
def backend(request):
    with config_context(backend=request.param):
        yield request.param


@pytest.fixture
def rng():
    return np.random.default_rng(0)
