"""imbalanced-learn's own tests of SMOTE and its relatives, run on skcluster's twins.

The installed imbalanced-learn ships its tests in the wheel. They are copied to a temporary
folder with one change, the import of the class under test (``from imblearn.over_sampling
import`` / ``from imblearn.combine import`` become ``from skcluster.over_sampling import``),
and run by pytest in a subprocess: every one must pass.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

imblearn = pytest.importorskip("imblearn")

ROOT = Path(imblearn.__file__).parent
FILES = [
    *sorted((ROOT / "over_sampling" / "_smote" / "tests").glob("test_*.py")),
    ROOT / "over_sampling" / "tests" / "test_adasyn.py",
    ROOT / "over_sampling" / "tests" / "test_common.py",
    *sorted((ROOT / "combine" / "tests").glob("test_*.py")),
]
SWAP = re.compile(r"^from imblearn\.(over_sampling|combine) import", re.MULTILINE)


@pytest.mark.skipif(
    not all(f.exists() for f in FILES),
    reason=f"imbalanced-learn {imblearn.__version__} was installed without its tests",
)
def test_imbalanced_learns_own_tests_pass_on_the_twins(tmp_path):
    for f in FILES:
        text, n = SWAP.subn("from skcluster.over_sampling import", f.read_text())
        assert n >= 1, f"{f.name} no longer imports the samplers the way this test expects"
        (tmp_path / f.name).write_text(text)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip
    tail = done.stdout[-3000:] + done.stderr[-2000:]
    assert done.returncode == 0, tail
    passed = re.search(r"(\d+) passed", done.stdout)
    assert passed and int(passed.group(1)) >= 75 and " failed" not in done.stdout, tail
