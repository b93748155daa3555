import subprocess
import sys

import numpy as np
import pytest

import skcluster
from skcluster import _backend


def test_config_context_restores_and_validates():
    assert skcluster.get_config() == {"backend": "auto", "working_memory": 1024}
    with skcluster.config_context(backend="numpy", working_memory=64):
        assert skcluster.get_config() == {"backend": "numpy", "working_memory": 64}
        assert _backend.get_backend_name(np.zeros(1)) == "numpy"
    assert skcluster.get_config()["backend"] == "auto"
    assert _backend.get_backend_name(np.zeros(1)) == "numba"
    with pytest.raises(ValueError, match="backend must be one of"):
        skcluster.set_config(backend="tpu")
    with pytest.raises(ValueError, match="working_memory must be a positive"):
        skcluster.set_config(working_memory=0)


def test_import_is_light():
    # no Numba, no CuPy and nothing compiled at import time
    code = (
        "import sys, skcluster, skcluster.neighbors, skcluster.utils; "
        "print('numba' in sys.modules, 'cupy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_backend_cupy_without_gpu_is_a_clear_error():
    if _backend.cupy_is_usable():
        pytest.skip("a GPU is usable here")
    with skcluster.config_context(backend="cupy"):
        with pytest.raises(ValueError, match="CuPy cannot run"):
            _backend.sq_euclidean_distances(np.ones((2, 2)))


def test_show_versions(capsys):
    skcluster.show_versions()
    out = capsys.readouterr().out
    assert "numba:" in out and "cupy usable:" in out
