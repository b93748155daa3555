import numpy as np
import pytest

from skcluster import config_context

# "numba" is the CPU path users get; "numpy" runs the CuPy kernels' code on NumPy.
CPU_BACKENDS = ["numba", "numpy"]


@pytest.fixture(params=CPU_BACKENDS)
def backend(request):
    with config_context(backend=request.param):
        yield request.param


@pytest.fixture
def rng():
    return np.random.default_rng(0)
