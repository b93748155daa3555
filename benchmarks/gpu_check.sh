#!/usr/bin/env bash
# One prepared run for a session with a lent GPU: the CuPy tests, then the neighbour benchmark
# (CPU and GPU in the same run). The device image has CuPy, numba, scikit-learn and scipy;
# imbalanced-learn, sklearn-compat and hypothesis (and pytest if absent) travel as wheels in
# .whl/ (see the device tool's README), then:
#   bash benchmarks/gpu_check.sh
set -euo pipefail
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site
fi
python3 -m pip install -q --no-deps .
python3 -c "import skcluster._backend as b; print('cupy usable:', b.cupy_is_usable())"
python3 -m pytest -q -p no:cacheprovider tests/test_gpu.py tests/test_backend.py
python3 benchmarks/bench_neighbors.py --skip-sklearn-auto
