#!/usr/bin/env bash
# One prepared run for a session with a lent GPU: the CuPy tests (tests/test_gpu.py, and every
# backend-parametrised test again with backend="cupy"), the subspace estimators on CuPy arrays
# (benchmarks/bench_subspace.py --gpu; ORL and COIL-20 when DATA_DIR holds their .mat files),
# then benchmarks/bench_gpu.py (Numba and CuPy on the same arrays, one run). PARTS picks some
# of "tests subspace kernels" (default: all three). The device image has CuPy, numba,
# scikit-learn, scipy and pytest; imbalanced-learn and sklearn-compat travel as wheels in
# .whl/ (see the device tool's README). Logs go to $OUT when it is set:
#   DATA_DIR=.data bash benchmarks/gpu_check.sh [bench_gpu.py options]
set -uo pipefail
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp}
PARTS=${PARTS:-"tests subspace kernels"}
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site
fi
python3 -m pip install -q --no-deps --no-build-isolation --no-index . || exit 1
python3 -c "import skcluster; skcluster.show_versions()"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
if [[ $PARTS == *tests* ]]; then
  python3 -m pytest -q -p no:cacheprovider --timeout=300 tests/test_gpu.py tests/backend \
    tests/neighbors 2>&1 | tee "$OUT/gpu_tests.log"
fi
if [[ $PARTS == *subspace* ]]; then
  python3 benchmarks/bench_subspace.py --gpu ${DATA_DIR:+--data-dir "$DATA_DIR"} 2>&1 |
    tee "$OUT/bench_subspace_gpu.log"
fi
if [[ $PARTS == *kernels* ]]; then
  python3 benchmarks/bench_gpu.py "$@" 2>&1 | tee "$OUT/bench_gpu.log"
fi
